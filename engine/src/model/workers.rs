//! Worker coordination shared by the in-process models: how a stage's results are gathered in
//! delivery order, how worker threads report, and which error wins when several fail.

use std::sync::atomic::Ordering;

use super::{Records, StageRt, TaskRecord};
use web_time::Instant;

use crate::error::RunError;
use crate::spec::Order;
use crate::workload::{Job, TaskOutput};

/// Picks the error to report when several workers failed: a real failure over the
/// "stopped because another failed" that the others report.
pub(crate) fn first_error(errors: impl IntoIterator<Item = RunError>) -> Option<RunError> {
    let mut fallback = None;
    for e in errors {
        if e != RunError::Cancelled {
            return Some(e);
        }
        fallback = Some(e);
    }
    fallback
}

/// Gathers a stage's results as they arrive and stamps their delivery to the caller.
pub(crate) struct Collector {
    outputs: Vec<Option<TaskOutput>>,
    /// Where each task's record is kept (timeline on only).
    record_of: Vec<usize>,
    records: Records,
    order: Option<Order>,
    next_in_order: usize,
    delivered: u32,
}

impl Collector {
    pub fn new(tasks: usize, order: Option<Order>, timeline: bool) -> Self {
        let mut records = Records::new(timeline);
        if timeline {
            records.tasks.reserve_exact(tasks);
        }
        Collector {
            outputs: (0..tasks).map(|_| None).collect(),
            record_of: if timeline {
                vec![usize::MAX; tasks]
            } else {
                Vec::new()
            },
            records,
            order,
            next_in_order: 0,
            delivered: 0,
        }
    }

    pub fn accept(&mut self, output: TaskOutput, record: TaskRecord, now: f64) {
        let task = record.task as usize;
        self.outputs[task] = Some(output);
        let Some(at) = self.records.push(record) else {
            // Delivery times are part of the timeline.
            return;
        };
        self.record_of[task] = at;
        match self.order {
            None => {}
            Some(Order::Completion) => self.stamp(task, now),
            Some(Order::Ordered) => {
                while self.next_in_order < self.outputs.len()
                    && self.outputs[self.next_in_order].is_some()
                {
                    self.stamp(self.next_in_order, now);
                    self.next_in_order += 1;
                }
            }
        }
    }

    fn stamp(&mut self, task: usize, now: f64) {
        let r = &mut self.records.tasks[self.record_of[task]];
        r.delivered = Some(now);
        r.delivered_index = Some(self.delivered);
        self.delivered += 1;
    }

    /// The outputs in task order and the records, once every task has reported.
    pub fn finish(self) -> Result<(Vec<TaskOutput>, Records), RunError> {
        Ok((all_outputs(self.outputs)?, self.records))
    }
}

/// A stage's outputs in task order, failing if a task left none. One iterator chain, so the
/// outputs are unwrapped in place, without a second allocation the size of the stage.
pub(crate) fn all_outputs(outputs: Vec<Option<TaskOutput>>) -> Result<Vec<TaskOutput>, RunError> {
    outputs
        .into_iter()
        .enumerate()
        .map(|(task, o)| {
            o.ok_or_else(|| RunError::Protocol(format!("task {task} finished without a result")))
        })
        .collect()
}

/// Options of a model resolved for one stage.
pub(crate) struct StageOpts {
    pub workers: usize,
    pub chunk: usize,
    pub order: Option<Order>,
}

/// A model's way of running stages. Thread models are stateless between stages; the process pool
/// keeps its processes and replays `end_stage` in them.
pub(crate) trait Executor {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Records), RunError>;

    fn end_stage(&mut self, _stage: usize, _outputs: &[TaskOutput]) -> Result<(), RunError> {
        Ok(())
    }

    /// The host each worker ran on, where workers may be on several machines.
    fn hosts(&self) -> Option<Vec<String>> {
        None
    }

    /// When the run's clock starts, if later than the moment the executor was asked to start:
    /// a model whose workers exist before the run (MPI ranks) starts it once every worker has
    /// built its job and been timed (a barrier), as the other models build their job untimed.
    fn clock_zero(&self) -> Option<Instant> {
        None
    }
}

/// The results of one chunk, as a worker sends them to the coordinator.
pub(crate) type Batch = Result<Vec<(TaskOutput, TaskRecord)>, RunError>;

/// Runs `workers` threads that send [`Batch`]es to the calling thread, which collects them in the
/// model's delivery order and calls `after_batch(worker)` after each (where message passing feeds
/// that worker its next chunk). Shared by the pool models that have a caller waiting on results.
pub(crate) fn coordinate<W, F>(
    tasks: usize,
    opts: &StageOpts,
    rt: &StageRt,
    worker_body: W,
    mut after_batch: F,
) -> Result<(Vec<TaskOutput>, Records), RunError>
where
    W: Fn(usize, &crossbeam_channel::Sender<(usize, Batch)>) + Sync,
    F: FnMut(usize, bool) + Send,
{
    let mut collector = Collector::new(tasks, opts.order, rt.timeline);
    let mut errors = Vec::new();
    let body = &worker_body;
    crate::threads::scope(|s| {
        let (tx, rx) = crossbeam_channel::unbounded();
        for worker in 0..opts.workers {
            let tx = tx.clone();
            if let Err(e) = s.spawn(format!("worker-{worker}"), move || body(worker, &tx)) {
                errors.push(e);
                rt.stop.store(true, Ordering::Relaxed);
                break;
            }
        }
        drop(tx);
        // Ends when every worker has dropped its sender, i.e. returned.
        for (worker, batch) in rx {
            match batch {
                Ok(results) => {
                    let now = rt.clock();
                    for (out, rec) in results {
                        collector.accept(out, rec, now);
                    }
                    after_batch(worker, true);
                }
                Err(e) => {
                    rt.stop.store(true, Ordering::Relaxed);
                    errors.push(e);
                    after_batch(worker, false);
                }
            }
        }
    });
    if let Some(e) = first_error(errors) {
        return Err(e);
    }
    if rt.control.cancel.load(Ordering::Relaxed) {
        return Err(RunError::Cancelled);
    }
    collector.finish()
}

/// Runs `body(worker)` on `workers` threads and gathers what they return, for models whose
/// workers report only when they finish. The first real failure wins over the "stopped because
/// another failed" of the rest.
pub(crate) fn run_workers<T, F>(workers: usize, rt: &StageRt, body: F) -> Result<Vec<T>, RunError>
where
    T: Send,
    F: Fn(usize) -> Result<Vec<T>, RunError> + Sync,
{
    let finished: std::sync::Mutex<Vec<Result<Vec<T>, RunError>>> =
        std::sync::Mutex::new(Vec::new());
    let mut errors = Vec::new();
    let (body, finished_ref) = (&body, &finished);
    crate::threads::scope(|s| {
        for worker in 0..workers {
            let spawned = s.spawn(format!("worker-{worker}"), move || {
                let result = body(worker);
                finished_ref
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(result);
            });
            if let Err(e) = spawned {
                rt.stop.store(true, Ordering::Relaxed);
                errors.push(e);
                break;
            }
        }
    });
    let mut all = Vec::new();
    for result in finished.into_inner().unwrap_or_else(|e| e.into_inner()) {
        match result {
            Ok(mut part) => all.append(&mut part),
            Err(e) => errors.push(e),
        }
    }
    match first_error(errors) {
        Some(e) => Err(e),
        None => Ok(all),
    }
}
