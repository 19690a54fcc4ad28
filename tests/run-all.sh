#!/usr/bin/env bash
# Every check of the project: formatting, lints, all tests, the WebAssembly build of the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/toolchain.env
source scripts/toolchain.env

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add wasm32-unknown-unknown >/dev/null
cargo --version
bash scripts/setup-web.sh
export PATH="$PWD/node_modules/.bin:$PATH"

step "Open MPI for the native runner's mpi feature (docs/cluster.md)"
bash scripts/setup-mpi.sh
mpirun --version | head -1

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo clippy: the native runner with MPI"
cargo clippy -p native-runner --all-targets --features mpi -- -D warnings

step "cargo clippy: the page build for wasm32"
cargo clippy -p frontend --target wasm32-unknown-unknown --features ui -- -D warnings

step "cargo doc -D warnings: broken intra-doc links and malformed docs fail"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

step "cargo test (engine, native-runner)"
cargo test --workspace

step "the mpi model under mpirun, 2 and 3 ranks (native-runner/tests/mpi.rs)"
# Bounded in time: each job by MPIEXEC_TIMEOUT (set by the tests), the whole step here.
timeout 900 cargo test -p native-runner --features mpi --test mpi

step "frontend tests in WebAssembly (wasm-bindgen-test)"
cargo test -p frontend --target wasm32-unknown-unknown --features ui

step "engine builds for wasm32-unknown-unknown"
cargo build -p engine --lib --target wasm32-unknown-unknown

step "fuzzing, smoke mode (fuzz/README.md): the link and spec decoders, 20000 inputs each"
for target in link_decode spec_json results_link; do
  fresh="$(mktemp -d)"
  # New inputs go to a scratch directory; the kept corpus is only read.
  (cd fuzz && cargo "+$NIGHTLY" fuzz run -O "$target" "$fresh" "corpus/$target" -- -runs=20000)
  rm -rf "$fresh"
done

step "benches compile"
cargo bench --workspace --no-run

step "build the playground (trunk) and the native runner (with MPI, for the bench's MPI figures)"
cargo build --release -p native-runner --features mpi
trunk build --release

step "end-to-end tests in headless Chromium"
node tests/e2e/e2e.mjs

step "performance suite, quick mode (checks that every step works; its figures are not judged)"
cargo xtask bench --quick --no-build

echo
echo "all checks passed"
