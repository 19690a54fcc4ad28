//! `process-pool`: `multiprocessing.Pool` / `ProcessPoolExecutor`, workers with memory of their
//! own. The protocol between the parent and its workers is I/O-free ([`protocol`]); natively the
//! workers are OS processes ([`native`]), in the browser they are Web Workers the page drives.

#[cfg(not(target_family = "wasm"))]
pub mod native;
pub mod protocol;

#[cfg(not(target_family = "wasm"))]
pub use native::worker_main;

use super::{ChunkRule, Cost, Host, ModelInfo};
use crate::spec::Order;
use crate::workload::Bound;

/// What the engine, the CLI and the page know about this model.
pub(super) static INFO: ModelInfo = ModelInfo {
    python: "multiprocessing.Pool / concurrent.futures.ProcessPoolExecutor",
    description: "separate OS processes started from this program; tasks and results are serialized over pipes",
    chunks: Some(ChunkRule::PoolMap),
    order: Some(Order::Ordered),
    option: None,
    host: Host::Processes,
    max_tasks: None,
    parallel_compute: true,
    overlaps_waits: true,
    // Worker processes start per run; each chunk is a message each way.
    cost: Cost {
        per_run: 0.03,
        per_task: 0.0,
        per_chunk: 10e-6,
    },
    python_code: "from concurrent.futures import ProcessPoolExecutor\n\nwith ProcessPoolExecutor(max_workers={workers}) as pool:\n    results = list(pool.map({f}, items{chunk_arg}))",
    expectations: &[
        (
            &[Bound::Tiny],
            "Every task is serialized, sent to another process, computed and sent back: for tiny tasks that overhead dominates unless chunks are large.",
        ),
        (
            &[Bound::Cpu],
            "Separate processes (here: Workers with their own memory) run truly in parallel; start-up and serialization cost a little, so large tasks scale well.",
        ),
        (
            &[Bound::Locks],
            "Separate processes share no memory, so they share no forks: this model refuses the philosophers (a lock between processes would be a multiprocessing.Lock, shared through the operating system).",
        ),
    ],
    start,
};

#[cfg(not(target_family = "wasm"))]
fn start(
    cfg: &super::RunConfig,
    env: &super::RunEnv,
    t0: web_time::Instant,
    stages: usize,
) -> Result<Box<dyn super::Executor>, crate::RunError> {
    let program = env.worker_program.as_ref().ok_or_else(|| {
        super::unsupported(
            cfg,
            "this host gave no worker program to start processes from",
        )
    })?;
    Ok(Box::new(native::ProcessPool::start(
        program, cfg, t0, stages,
    )?))
}

/// WebAssembly has no processes: the page runs this model itself, on Workers, before it would
/// get here (see `frontend/src/worker/process_pool.rs`).
#[cfg(target_family = "wasm")]
fn start(
    cfg: &super::RunConfig,
    _: &super::RunEnv,
    _: web_time::Instant,
    _: usize,
) -> Result<Box<dyn super::Executor>, crate::RunError> {
    Err(super::unsupported(
        cfg,
        "WebAssembly has no OS processes; the page runs this model on separate Workers",
    ))
}
