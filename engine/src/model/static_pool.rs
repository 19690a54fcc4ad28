//! `static-pool`: `Pool.map(f, items, chunksize)` with a static schedule.
//!
//! The tasks are cut into chunks (default `ceil(n / (4 x workers))`, Python's rule) and chunk `c`
//! belongs to worker `c mod workers`, decided before the run starts. No worker helps another, so
//! when tasks cost different amounts (primes) the timeline shows workers idle while one finishes.
//! (CPython's pool actually queues its chunks; `dynamic-pool` with the same chunk size is that.)

use super::{
    ChunkRule, Cost, Executor, Host, ModelInfo, Records, StageOpts, StageRt, chunks, coordinate,
    exec_chunk,
};
use crate::error::RunError;
use crate::spec::Order;
use crate::workload::Bound;
use crate::workload::{Job, TaskOutput};

/// What the engine, the CLI and the page know about this model.
pub(super) static INFO: ModelInfo = ModelInfo {
    python: "multiprocessing.Pool.map(f, items, chunksize)",
    description: "tasks cut into chunks (default ceil(n / (4 x workers)), Python's rule) dealt round-robin to workers before the run: no balancing",
    chunks: Some(ChunkRule::PoolMap),
    order: Some(Order::Ordered),
    option: None,
    host: Host::Threads,
    max_tasks: None,
    parallel_compute: true,
    overlaps_waits: true,
    cost: Cost::per_task(0.1e-6),
    python_code: "from multiprocessing import Pool\n\nwith Pool({workers}) as pool:\n    results = pool.map({f}, items{chunk_arg})",
    expectations: &[(
        &[Bound::Cpu],
        "Chunks are dealt out before the run: if tasks cost different amounts (primes: later ranges cost more) some workers finish early and sit idle.",
    )],
    start: |_, _, _, _| Ok(Box::new(StaticPool)),
};

pub(crate) struct StaticPool;

impl Executor for StaticPool {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Records), RunError> {
        let tasks = job.tasks(rt.stage);
        let all: Vec<_> = chunks(tasks, opts.chunk).collect();
        let workers = opts.workers;
        coordinate(
            tasks,
            opts,
            rt,
            |worker, tx| {
                for range in all.iter().skip(worker).step_by(workers) {
                    let batch = exec_chunk(job, range.clone(), worker, rt);
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
