//! `dynamic-pool`: workers take the next chunk from one shared queue whenever they are free, like
//! `Pool.imap_unordered` or `ThreadPoolExecutor` + `as_completed`. Chunk size 1 by default:
//! perfect balance, paid for with one queue operation per task. The queue is an atomic index into
//! the chunk list: taking a chunk is one `fetch_add`, the cheapest shared queue there is.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::{
    ChunkRule, Cost, Executor, Host, ModelInfo, Records, StageOpts, StageRt, chunks, coordinate,
    exec_chunk,
};
use crate::error::RunError;
use crate::spec::Order;
use crate::workload::{Job, TaskOutput};

/// What the engine, the CLI and the page know about this model.
pub(super) static INFO: ModelInfo = ModelInfo {
    python: "Pool.imap_unordered(f, items) / concurrent.futures as_completed",
    description: "workers take chunks (default 1 task) from one shared queue as they become free",
    chunks: Some(ChunkRule::One),
    order: Some(Order::Completion),
    option: None,
    host: Host::Threads,
    max_tasks: None,
    parallel_compute: true,
    overlaps_waits: true,
    cost: Cost::per_task(0.5e-6),
    python_code: "from multiprocessing import Pool\n\nwith Pool({workers}) as pool:\n    for result in pool.imap_unordered({f}, items{chunk_arg}):\n        handle(result)",
    expectations: &[],
    start: |_, _, _, _| Ok(Box::new(DynamicPool)),
};

pub(crate) struct DynamicPool;

impl Executor for DynamicPool {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Records), RunError> {
        let tasks = job.tasks(rt.stage);
        let queue: Vec<_> = chunks(tasks, opts.chunk).collect();
        let next = AtomicUsize::new(0);
        coordinate(
            tasks,
            opts,
            rt,
            |worker, tx| {
                while let Some(range) = queue.get(next.fetch_add(1, Ordering::Relaxed)).cloned() {
                    let batch = exec_chunk(job, range, worker, rt);
                    let failed = batch.is_err();
                    if tx.send((worker, batch)).is_err() || failed {
                        return;
                    }
                }
            },
            |_, _| {},
        )
    }
}
