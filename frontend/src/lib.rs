//! The browser playground.
//!
//! One crate, built twice:
//! - the *page* build (feature `ui`, no threads): the Yew interface on the main thread, and the
//!   engine for pages that are not cross-origin isolated (sequential, async, process-pool);
//! - the *threads* build (feature `threads`, `+atomics`, shared memory): the engine on a pool of
//!   Web Workers sharing one `WebAssembly.Memory`, started by `wasm-bindgen-rayon`.
//!
//! The main thread never runs the engine: it talks to a dedicated engine worker
//! (`static/engine-worker.js`) by messages, so the page keeps animating during a run and a Stop can
//! always end the run by terminating that worker. The folders follow the split: `ui` is the page
//! (page build only), `worker` is what runs in Workers (both builds).

#[cfg(feature = "ui")]
pub mod ui;
pub mod worker;

#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// The page's entry point: mounts the interface, unless this instance runs in a Worker (the page
/// build also serves as the engine of non-isolated pages and as a process-pool worker).
#[cfg(feature = "ui")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    if web_sys::window().is_some() {
        ui::mount();
    }
}
