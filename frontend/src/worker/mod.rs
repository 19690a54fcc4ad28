//! What runs in Web Workers, never on the page's main thread: the engine worker's functions
//! (`static/engine-worker.js` calls them), the browser's process pool and the process workers it
//! starts (`static/process-worker.js`), and the machine as a worker sees it.

pub mod engine;
pub mod machine;
pub mod process_pool;
