#!/usr/bin/env bash
# Builds the engine's threads build into the page: the `frontend` crate with feature `threads`,
# compiled by the pinned nightly with build-std, atomics and a shared, imported memory (without
# these flags the module builds but the page fails with "not a shared typed array"; simd128 lets
# LLVM vectorize as natively). Panics unwind, with WebAssembly exception handling, so a panicking
# task fails its run with its message instead of trapping its worker. Then wasm-bindgen
# (--target web, as wasm-bindgen-rayon needs) and wasm-opt with those features enabled.
# Run by trunk after its own build (TRUNK_STAGING_DIR, TRUNK_PROFILE); also usable by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=toolchain.env
source scripts/toolchain.env
OUT="${TRUNK_STAGING_DIR:-dist}/threads"
PROFILE="${TRUNK_PROFILE:-release}"
TARGET_DIR=target/wasm-threads

export RUSTUP_TOOLCHAIN="$NIGHTLY"
export CARGO_UNSTABLE_BUILD_STD=panic_unwind,std
export RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128,+exception-handling -C panic=unwind \
-C link-arg=--shared-memory -C link-arg=--max-memory=1073741824 -C link-arg=--import-memory \
-C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
-C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"

flags=(-p frontend --lib --target wasm32-unknown-unknown --no-default-features --features threads --target-dir "$TARGET_DIR")
if [ "$PROFILE" = "release" ]; then
  cargo build --release "${flags[@]}"
  wasm="$TARGET_DIR/wasm32-unknown-unknown/release/frontend.wasm"
else
  cargo build "${flags[@]}"
  wasm="$TARGET_DIR/wasm32-unknown-unknown/debug/frontend.wasm"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
wasm-bindgen --target web --out-dir "$OUT" --out-name frontend "$wasm"
if [ "$PROFILE" = "release" ]; then
  opt="$(command -v wasm-opt || true)"
  [ -x node_modules/.bin/wasm-opt ] && opt=node_modules/.bin/wasm-opt
  if [ -n "$opt" ]; then
    "$opt" -O3 --enable-threads --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-simd --enable-exception-handling "$OUT/frontend_bg.wasm" -o "$OUT/frontend_bg.wasm"
  fi
fi
echo "threads build written to $OUT" >&2
