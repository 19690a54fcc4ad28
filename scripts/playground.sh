#!/usr/bin/env bash
# From a fresh clone to the playground: installs what the build needs (scripts/setup-web.sh),
# builds the page (trunk) and the native runner, then serves both on http://127.0.0.1:8080/
# with the cross-origin isolation headers, so the page can compare browser and native runs.
# Extra arguments go to `native-runner serve` (for example --port 9000 or --open).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-web.sh
export PATH="$PWD/node_modules/.bin:$PATH"
trunk build --release
cargo build --release -p native-runner
exec target/release/native-runner serve --dist dist "$@"
