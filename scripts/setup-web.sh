#!/usr/bin/env bash
# Installs what the browser playground needs to build, serve and test, skipping what is already
# there: the pinned nightly (with rust-src and the wasm32 target), trunk, wasm-bindgen-cli at the
# exact version the frontend pins, cargo-fuzz, wasm-opt (npm binaryen), playwright-core, axe-core, and
# Debian's Chromium.
# Versions are the ones verified together on this project's machines: scripts/toolchain.env.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=toolchain.env
source scripts/toolchain.env
log() { printf '[setup] %s\n' "$*" >&2; }

# The CLI must equal the crate the frontend pins, or wasm-bindgen refuses the module only at the
# end of a build; say so before installing anything (native-runner/tests/shared_facts.rs too).
if ! grep -q "^wasm-bindgen = \"=$WASM_BINDGEN_VERSION\"" frontend/Cargo.toml; then
  log "frontend/Cargo.toml does not pin wasm-bindgen = \"=$WASM_BINDGEN_VERSION\" (scripts/toolchain.env)"
  exit 1
fi

if ! rustup toolchain list | grep -q "^$NIGHTLY"; then
  log "installing $NIGHTLY"
  rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src --target wasm32-unknown-unknown
else
  rustup component add --toolchain "$NIGHTLY" rust-src >/dev/null 2>&1
  rustup target add --toolchain "$NIGHTLY" wasm32-unknown-unknown >/dev/null 2>&1
fi
rustup target add wasm32-unknown-unknown >/dev/null 2>&1

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION (takes several minutes)"
  cargo "+$NIGHTLY" install --locked trunk --version "$TRUNK_VERSION"
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lockfile wants a crate version the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION (for fuzz/)"
  cargo "+$NIGHTLY" install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/axe-core/axe.min.js ]; then
  log "installing npm tools (binaryen, playwright-core, axe-core)"
  npm install --no-audit --no-fund --loglevel=error
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  log "installing Debian chromium and chromium-driver"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
log "web toolchain ready"
