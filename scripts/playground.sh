#!/usr/bin/env bash
# Builds and serves the playground at http://127.0.0.1:8080/ with the cross-origin isolation
# headers, installing whatever the build needs first (scripts/setup-web.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-web.sh
export PATH="$PWD/node_modules/.bin:$PATH"
echo "playground: http://127.0.0.1:8080/" >&2
exec trunk serve --release "$@"
