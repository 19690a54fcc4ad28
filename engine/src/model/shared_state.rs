//! `shared-state`: workers coordinate only through shared memory, like processes writing a
//! `multiprocessing.Array` guarded by its `Lock`. Each worker claims the next chunk of task
//! indices from a shared counter and writes each result into its slot of one shared array.
//!
//! - `sync = lock`: the counter and the array sit behind one mutex, taken once to claim a chunk
//!   and once per result written: contention grows with workers and shrinks with chunk size.
//! - `sync = atomic`: the counter is an atomic and each slot is written once without a lock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use super::{
    ChunkRule, Cost, Executor, Host, ModelInfo, ModelOption, Records, StageOpts, StageRt,
    TaskRecord, all_outputs, exec_task, run_workers,
};
use crate::error::RunError;
use crate::limits::DEFAULT_SYNC;
use crate::spec::SyncKind;
use crate::workload::{Job, TaskOutput};

/// What the engine, the CLI and the page know about this model.
pub(super) static INFO: ModelInfo = ModelInfo {
    python: "multiprocessing.Array + Lock written by workers",
    description: "workers claim tasks from a shared index and write results into one shared array, under a lock or with atomics",
    chunks: Some(ChunkRule::One),
    order: None,
    option: Some(ModelOption::Sync),
    host: Host::Threads,
    max_tasks: None,
    parallel_compute: true,
    overlaps_waits: true,
    cost: Cost::per_task(0.1e-6),
    python_code: "from multiprocessing import Process, Array, Lock, Value\n\ndef worker(out, next_i, lock):\n    while True:\n        with lock:\n            i = next_i.value\n            next_i.value += 1\n        if i >= len(out):\n            return\n        value = {f}(i)\n        with lock:\n            out[i] = value\n\nlock = Lock()\nout, next_i = Array('d', len(items), lock=False), Value('i', 0, lock=False)\nprocs = [Process(target=worker, args=(out, next_i, lock)) for _ in range({workers})]",
    expectations: &[],
    start: |cfg, _, _, _| {
        Ok(Box::new(SharedState {
            sync: cfg.model.sync.unwrap_or(DEFAULT_SYNC),
        }))
    },
};

pub(crate) struct SharedState {
    pub sync: SyncKind,
}

struct Locked {
    next: usize,
    results: Vec<Option<TaskOutput>>,
}

impl Executor for SharedState {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Records), RunError> {
        let tasks = job.tasks(rt.stage);
        let chunk = opts.chunk.max(1);
        let locked = Mutex::new(Locked {
            next: 0,
            results: (0..tasks).map(|_| None).collect(),
        });
        let next = AtomicUsize::new(0);
        let slots: Vec<OnceLock<TaskOutput>> = match self.sync {
            SyncKind::Atomic => (0..tasks).map(|_| OnceLock::new()).collect(),
            SyncKind::Lock => Vec::new(),
        };
        let sync = self.sync;
        let claim = || -> Option<std::ops::Range<usize>> {
            let start = match sync {
                SyncKind::Lock => {
                    let mut g = locked.lock().unwrap_or_else(|e| e.into_inner());
                    let s = g.next;
                    g.next = (s + chunk).min(tasks);
                    s
                }
                SyncKind::Atomic => next.fetch_add(chunk, Ordering::Relaxed),
            };
            (start < tasks).then(|| start..(start + chunk).min(tasks))
        };
        let parts = run_workers(opts.workers, rt, |worker| {
            let mut mine = Records::new(rt.timeline);
            while let Some(range) = claim() {
                for task in range {
                    let (out, rec) = exec_task(job, task, worker, None, rt, None)?;
                    match sync {
                        SyncKind::Lock => {
                            locked.lock().unwrap_or_else(|e| e.into_inner()).results[task] =
                                Some(out)
                        }
                        SyncKind::Atomic => {
                            let _ = slots[task].set(out);
                        }
                    }
                    mine.push(rec);
                }
            }
            Ok(vec![mine])
        })?;
        let outputs: Vec<Option<TaskOutput>> = match sync {
            SyncKind::Lock => {
                locked
                    .into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .results
            }
            SyncKind::Atomic => slots.into_iter().map(OnceLock::into_inner).collect(),
        };
        // The shared array is the result: read in task order, with the records in that order.
        let mut by_task: Vec<Option<TaskRecord>> = Vec::new();
        if rt.timeline {
            by_task.resize(tasks, None);
        }
        let mut records = Records::new(rt.timeline);
        for mut part in parts {
            for r in std::mem::take(&mut part.tasks) {
                let t = r.task as usize;
                by_task[t] = Some(r);
            }
            records.append(part);
        }
        records.tasks = by_task.into_iter().flatten().collect();
        Ok((all_outputs(outputs)?, records))
    }
}
