#!/usr/bin/env bash
# Every check of the project: formatting, lints, all tests, the WebAssembly build of the engine.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add wasm32-unknown-unknown >/dev/null
cargo --version

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (engine, native-runner)"
cargo test --workspace

step "engine builds for wasm32-unknown-unknown"
cargo build -p engine --lib --target wasm32-unknown-unknown

step "benches compile"
cargo bench --workspace --no-run

echo
echo "all checks passed"
