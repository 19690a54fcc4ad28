//! `work-stealing`: rayon. The task range is split in halves recursively; each worker works on
//! its own deque and idle workers steal the oldest half of another's. No Python construct does
//! this; it is here to show what a scheduler built for fine-grained tasks achieves.
//!
//! `chunk_size` is rayon's `with_min_len`: the smallest piece that is no longer split.

use rayon::prelude::*;

use super::{
    ChunkRule, Collector, Cost, Executor, Host, ModelInfo, Records, StageOpts, StageRt, exec_task,
    first_error,
};
use crate::error::RunError;
use crate::workload::{Job, TaskOutput};

/// What the engine, the CLI and the page know about this model.
pub(super) static INFO: ModelInfo = ModelInfo {
    python: "no Python equivalent (rayon's par_iter: idle workers steal)",
    description: "rayon: each worker splits its range in half and idle workers steal halves",
    chunks: Some(ChunkRule::One),
    order: None,
    option: None,
    host: Host::RayonPool,
    max_tasks: None,
    parallel_compute: true,
    overlaps_waits: true,
    cost: Cost::per_task(0.1e-6),
    python_code: "# No standard-library equivalent. In Rust, with rayon:\n#   let results: Vec<_> = items.par_iter().map({f}).collect();",
    expectations: &[],
    start: |cfg, _, _, _| Ok(Box::new(WorkStealing::new(cfg.workers)?)),
};

pub(crate) struct WorkStealing {
    pool: rayon::ThreadPool,
}

impl WorkStealing {
    pub fn new(workers: usize) -> Result<Self, RunError> {
        let builder = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|i| format!("worker-{i}"));
        // In WebAssembly the pool's threads are Web Workers the page starts for it (see
        // `threads::set_detached_spawner`); natively they are OS threads as usual.
        #[cfg(target_family = "wasm")]
        let builder = builder.spawn_handler(|thread| {
            crate::threads::spawn_detached(Box::new(move || thread.run()))
                .map_err(|e| std::io::Error::other(e.to_string()))
        });
        let pool = builder
            .build()
            .map_err(|e| RunError::Spawn(format!("rayon pool of {workers} threads: {e}")))?;
        Ok(WorkStealing { pool })
    }
}

impl Executor for WorkStealing {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Records), RunError> {
        let tasks = job.tasks(rt.stage);
        let results: Vec<Result<_, RunError>> = self.pool.install(|| {
            (0..tasks)
                .into_par_iter()
                .with_min_len(opts.chunk.max(1))
                .map(|task| {
                    let worker = rayon::current_thread_index().unwrap_or(0);
                    exec_task(job, task, worker, None, rt, None)
                })
                .collect()
        });
        let mut collector = Collector::new(tasks, None, rt.timeline);
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok((out, rec)) => collector.accept(out, rec, 0.0),
                Err(e) => errors.push(e),
            }
        }
        match first_error(errors) {
            Some(e) => Err(e),
            None => collector.finish(),
        }
    }
}
