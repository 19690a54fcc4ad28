//! What runs in Web Workers, never on the page's main thread: the engine worker's functions
//! (`static/engine-worker.js` calls them), the browser's process pool and the process workers it
//! starts (`static/process-worker.js`), and the machine as a worker sees it.

pub mod engine;
pub mod machine;
pub mod process_pool;

use ::engine::ModelKind;
use ::engine::model::Host;

/// Why the page can never run a model, whatever the browser: MPI ranks are processes that a
/// launcher starts, natively. `None` for the models a page can run (some need threads, which
/// depends on the page: see the lab's `model_available`).
pub fn not_in_page(kind: ModelKind) -> Option<&'static str> {
    static RANKS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "runs natively under an MPI launcher, not in a browser: {}",
            ::engine::model::mpi::LAUNCH
        )
    });
    match kind.info().host {
        Host::Ranks => Some(RANKS.as_str()),
        Host::Caller | Host::Threads | Host::RayonPool | Host::Processes => None,
    }
}
