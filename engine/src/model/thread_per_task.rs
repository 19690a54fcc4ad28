//! `thread-per-task`: `threading.Thread(target=f)` for every task, then `join()`.
//!
//! Each task gets a fresh OS thread, so thread creation and teardown are paid per task. At most
//! `workers` threads are alive at once (the tutorials' BoundedSemaphore), and a task's worker id
//! is the slot its thread occupied, so the timeline has `workers` rows.

use std::sync::mpsc;

use super::{
    Collector, Cost, Executor, Host, ModelInfo, Records, StageOpts, StageRt, exec_task, first_error,
};
use crate::error::RunError;
use crate::limits::MAX_THREAD_PER_TASK_TASKS;
use crate::workload::Bound;
use crate::workload::{Job, TaskOutput};

/// What the engine, the CLI and the page know about this model.
pub(super) static INFO: ModelInfo = ModelInfo {
    python: "threading.Thread(target=f) per task, then join()",
    description: "a fresh OS thread per task, at most `workers` alive at once; thread start-up is paid per task",
    chunks: None,
    order: None,
    option: None,
    host: Host::Threads,
    max_tasks: Some(MAX_THREAD_PER_TASK_TASKS),
    parallel_compute: true,
    overlaps_waits: true,
    cost: Cost::per_task(60e-6),
    python_code: "import threading\n\nthreads = [threading.Thread(target={f}, args=(x,)) for x in items]\nfor t in threads:\n    t.start()\nfor t in threads:\n    t.join()",
    expectations: &[(
        &[Bound::Tiny],
        "Starting a thread costs far more than squaring a number, so most of the time is thread start-up: much slower than sequential.",
    )],
    start: |_, _, _, _| Ok(Box::new(ThreadPerTask)),
};

pub(crate) struct ThreadPerTask;

impl Executor for ThreadPerTask {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Records), RunError> {
        let tasks = job.tasks(rt.stage);
        let mut collector = Collector::new(tasks, None, rt.timeline);
        let mut errors = Vec::new();
        crate::threads::scope(|s| {
            let (slot_tx, slot_rx) = mpsc::channel::<usize>();
            let (res_tx, res_rx) = mpsc::channel();
            for slot in 0..opts.workers.min(tasks.max(1)) {
                slot_tx.send(slot).expect("receiver alive");
            }
            let mut started = 0;
            let mut received = 0;
            for task in 0..tasks {
                // Wait for a free slot, collecting results meanwhile.
                let slot = slot_rx.recv().expect("a slot always comes back");
                while let Ok(r) = res_rx.try_recv() {
                    received += 1;
                    match r {
                        Ok((out, rec)) => collector.accept(out, rec, rt.clock()),
                        Err(e) => errors.push(e),
                    }
                }
                if !errors.is_empty() || rt.halted() {
                    break;
                }
                let (slot_tx, res_tx) = (slot_tx.clone(), res_tx.clone());
                let spawned = s.spawn(format!("task-{task}"), move || {
                    let r = exec_task(job, task, slot, None, rt, None);
                    let _ = res_tx.send(r);
                    let _ = slot_tx.send(slot);
                });
                match spawned {
                    Ok(()) => started += 1,
                    Err(e) => {
                        errors.push(e);
                        break;
                    }
                }
            }
            drop(res_tx);
            while received < started {
                match res_rx.recv() {
                    Ok(Ok((out, rec))) => collector.accept(out, rec, rt.clock()),
                    Ok(Err(e)) => errors.push(e),
                    Err(_) => break,
                }
                received += 1;
            }
        });
        if rt.control.cancel.load(std::sync::atomic::Ordering::Relaxed) && errors.is_empty() {
            errors.push(RunError::Cancelled);
        }
        if let Some(e) = first_error(errors) {
            return Err(e);
        }
        collector.finish()
    }
}
