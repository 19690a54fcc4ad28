//! Running one task, and what a run records about it: the record, the per-worker counts, the
//! stage's shared clock and switches, and the context a task computes in (where the GIL model
//! takes its turns).

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use web_time::Instant;

use super::{Gil, RunControl};
use crate::error::RunError;
use crate::journal::{Next, RunLog};
use crate::locks::{LockTable, NoLock, Taker};
use crate::spec::{Fault, FaultKind};
use crate::workload::{Job, TaskOutput};

/// What one task did, in seconds from the start of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub stage: u32,
    pub task: u32,
    pub worker: u32,
    pub start: f64,
    pub end: f64,
    /// Seconds inside `start..end` spent not computing: waiting on I/O, on a timer, for the GIL,
    /// or blocked on a lock.
    pub wait: f64,
    /// The part of `wait` spent blocked on a lock another worker held (see [`crate::locks`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub blocked: f64,
    /// When the caller received the result (models with a caller waiting on results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<f64>,
    /// The position in which the caller received it: equals the task order for `ordered`, follows
    /// completion for `completion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_index: Option<u32>,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// What a run recorded. Every task is counted against its worker; with the timeline on, each
/// task's record (two clock reads and 64 bytes) is kept too. Off, a tiny task costs only what the
/// model itself costs, and a million of them need no per-task memory beyond their outputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Records {
    pub timeline: bool,
    /// One per task, in the order the caller collected them (timeline on only).
    pub tasks: Vec<TaskRecord>,
    /// Tasks run by each worker, indexed by worker.
    pub per_worker: Vec<u64>,
}

impl Records {
    pub fn new(timeline: bool) -> Self {
        Records {
            timeline,
            ..Default::default()
        }
    }

    /// Counts a task and keeps its record when the timeline is on; returns where it was kept.
    pub fn push(&mut self, record: TaskRecord) -> Option<usize> {
        let w = record.worker as usize;
        if self.per_worker.len() <= w {
            self.per_worker.resize(w + 1, 0);
        }
        self.per_worker[w] += 1;
        self.timeline.then(|| {
            self.tasks.push(record);
            self.tasks.len() - 1
        })
    }

    /// Adds another stage's records.
    pub fn append(&mut self, mut other: Records) {
        self.tasks.append(&mut other.tasks);
        if self.per_worker.len() < other.per_worker.len() {
            self.per_worker.resize(other.per_worker.len(), 0);
        }
        for (mine, theirs) in self.per_worker.iter_mut().zip(other.per_worker) {
            *mine += theirs;
        }
    }

    /// Tasks counted, all workers together.
    pub fn count(&self) -> u64 {
        self.per_worker.iter().sum()
    }
}

/// What every worker of a stage shares: clock, switches, the fault to inject.
pub(crate) struct StageRt<'a> {
    pub stage: usize,
    pub t0: Instant,
    pub control: &'a RunControl,
    /// Set when any task of the stage failed, so the other workers stop taking tasks.
    pub stop: AtomicBool,
    pub fault: Option<Fault>,
    /// Read the clock around each task (timeline on).
    pub timeline: bool,
    /// Where the run's progress is readable from outside (see [`crate::journal`]).
    pub log: Option<Arc<RunLog>>,
}

impl StageRt<'_> {
    pub fn now(&self) -> f64 {
        self.t0.elapsed().as_secs_f64()
    }

    /// The time for a task record: read only when the timeline is kept.
    #[inline]
    pub(crate) fn clock(&self) -> f64 {
        if self.timeline { self.now() } else { 0.0 }
    }

    pub(crate) fn halted(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.control.cancel.load(Ordering::Relaxed)
    }
}

/// Handed to [`Job::run`]: where a long task lets the GIL model switch threads, and how it waits
/// and takes the engine's locks.
pub struct TaskCtx<'a> {
    gil: Option<&'a Gil>,
    worker: u32,
    task: u32,
    /// The stage's clock and stop switches; absent outside a run.
    rt: Option<&'a StageRt<'a>>,
    waited: Cell<f64>,
    blocked: Cell<f64>,
    /// Why the task gave up (a deadlock, a stop while blocked), which fails it.
    failure: RefCell<Option<RunError>>,
}

/// The run cannot go on: a lock was not taken because of a deadlock or a stop. The task returns
/// at once (with any output; it is discarded) and the engine reports why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Halt;

impl<'a> TaskCtx<'a> {
    pub(crate) fn new(
        gil: Option<&'a Gil>,
        worker: usize,
        task: usize,
        rt: Option<&'a StageRt<'a>>,
    ) -> Self {
        TaskCtx {
            gil,
            worker: worker as u32,
            task: task as u32,
            rt,
            waited: Cell::new(0.0),
            blocked: Cell::new(0.0),
            failure: RefCell::new(None),
        }
    }

    /// A context with no GIL: for running a job outside any model (tests, references).
    pub fn detached() -> TaskCtx<'static> {
        TaskCtx::new(None, 0, 0, None)
    }

    /// The worker running the task.
    pub fn worker(&self) -> usize {
        self.worker as usize
    }

    /// Called by long tasks every few microseconds of work. Costs one branch outside the GIL
    /// model; inside it, gives the GIL to a waiting thread once the switch interval has passed.
    #[inline]
    pub fn checkpoint(&self) {
        if let Some(gil) = self.gil {
            self.waited
                .set(self.waited.get() + gil.yield_if_requested());
        }
    }

    /// Waits on the platform for `d`, with the GIL released when there is one.
    pub(crate) fn blocking_wait(&self, d: std::time::Duration) {
        let t = Instant::now();
        match self.gil {
            Some(gil) => {
                gil.release();
                crate::threads::sleep(d);
                gil.acquire();
            }
            None => crate::threads::sleep(d),
        }
        self.waited
            .set(self.waited.get() + t.elapsed().as_secs_f64());
    }

    /// Pauses for `d` (a philosopher holding one fork): a wait, with the GIL released. Returns
    /// [`Halt`] if the run was stopped, before or during the pause: a task that pauses in a
    /// loop stops at its next pause.
    pub fn pause(&self, d: std::time::Duration) -> Result<(), Halt> {
        self.check_halt()?;
        self.blocking_wait(d);
        self.check_halt()
    }

    /// [`Halt`] once the run was stopped (cancelled, or another task failed), recording the
    /// stop as the task's failure.
    fn check_halt(&self) -> Result<(), Halt> {
        if Taker::halted(self) {
            self.fail(RunError::Cancelled);
            Err(Halt)
        } else {
            Ok(())
        }
    }

    /// Takes lock `i` of `table`, blocking while another worker holds it (with the GIL released,
    /// as CPython's `Lock.acquire` releases it). On a deadlock or a stop, records why and
    /// returns [`Halt`]: the task should return at once.
    pub fn lock(&self, table: &LockTable, i: usize) -> Result<(), Halt> {
        self.check_halt()?;
        if self.gil.is_some() && table.take_if_free(i, self) {
            return Ok(());
        }
        let t = Instant::now();
        if let Some(gil) = self.gil {
            gil.release();
        }
        let r = table.lock(i, self);
        if let Some(gil) = self.gil {
            gil.acquire();
        }
        let waited = t.elapsed().as_secs_f64();
        self.waited.set(self.waited.get() + waited);
        match r {
            Ok(blocked) => {
                self.blocked.set(self.blocked.get() + blocked);
                Ok(())
            }
            Err(NoLock::Deadlock(d)) => {
                self.fail(RunError::Deadlock(d));
                Err(Halt)
            }
            Err(NoLock::Halted) => {
                self.fail(RunError::Cancelled);
                Err(Halt)
            }
        }
    }

    /// Takes lock `i` of `table` if it is free; a taken lock counts a retry.
    pub fn try_lock(&self, table: &LockTable, i: usize) -> bool {
        table.try_lock(i, self)
    }

    /// Releases lock `i` of `table`.
    pub fn unlock(&self, table: &LockTable, i: usize) {
        table.unlock(i, self);
    }

    fn fail(&self, e: RunError) {
        self.failure.borrow_mut().get_or_insert(e);
    }
}

impl Taker for TaskCtx<'_> {
    fn worker(&self) -> u32 {
        self.worker
    }
    fn task(&self) -> u32 {
        self.task
    }
    fn now(&self) -> f64 {
        self.rt.map_or(0.0, StageRt::now)
    }
    fn halted(&self) -> bool {
        self.rt.is_some_and(StageRt::halted)
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-text panic payload".to_string()
    }
}

std::thread_local! {
    static IN_TASK: Cell<bool> = const { Cell::new(false) };
}

/// Whether the calling thread is inside a task, where the engine catches a panic and reports it
/// as the run's failure. A host's panic hook uses it to tell a task's panic (reported, with its
/// message, by the engine) from its own (which must end the program: an MPI rank that unwinds
/// past a task would leave the other ranks waiting for it).
pub fn in_task() -> bool {
    IN_TASK.get()
}

/// Runs one task on the calling thread: the shared path of every in-process model. Waits (unless
/// `waited` says the model already did), computes, catches a panic, and records.
pub(crate) fn exec_task(
    job: &dyn Job,
    task: usize,
    worker: usize,
    gil: Option<&Gil>,
    rt: &StageRt,
    waited: Option<(f64, f64)>,
) -> Result<(TaskOutput, TaskRecord), RunError> {
    if rt.halted() {
        return Err(RunError::Cancelled);
    }
    let ctx = TaskCtx::new(gil, worker, task, Some(rt));
    let start = match waited {
        Some((start, wait)) => {
            ctx.waited.set(wait);
            start
        }
        None => rt.clock(),
    };
    if let Some(log) = rt.log.as_deref() {
        let since = if rt.timeline { start } else { f64::NAN };
        log.begin(worker, rt.stage, task, task + 1, since);
    }
    if waited.is_none()
        && let Some(d) = job.wait(rt.stage, task)
    {
        ctx.blocking_wait(d);
    }
    IN_TASK.set(true);
    let result = catch_unwind(AssertUnwindSafe(|| {
        if let Some(f) = rt.fault
            && rt.stage == 0
            && f.task == task as u64
        {
            match f.kind {
                FaultKind::Panic => panic!("fault injected into task {task}"),
                // Validation allows `exit` for process-pool only, whose workers run this in
                // their own process: ending it is the fault.
                FaultKind::Exit => std::process::exit(3),
                // Stuck for good: only ending the thread's Worker or process ends it.
                FaultKind::Hang => loop {
                    crate::threads::sleep(std::time::Duration::from_secs(3600));
                },
            }
        }
        job.run(rt.stage, task, &ctx)
    }));
    IN_TASK.set(false);
    let end = rt.clock();
    let result = match (result, ctx.failure.take()) {
        (Ok(_), Some(e)) => {
            // A deadlock leaves the task in flight where the partial result shows it; a stop
            // while blocked is the run's, not the task's.
            rt.stop.store(true, Ordering::Relaxed);
            return Err(e);
        }
        (r, _) => r,
    };
    match result {
        Ok(output) => {
            rt.control.tasks_done.fetch_add(1, Ordering::Relaxed);
            let record = TaskRecord {
                stage: rt.stage as u32,
                task: task as u32,
                worker: worker as u32,
                start,
                end,
                wait: ctx.waited.get(),
                blocked: ctx.blocked.get(),
                delivered: None,
                delivered_index: None,
            };
            if let Some(log) = rt.log.as_deref() {
                log.finish(worker, 1, [&record], Next::Idle);
            }
            Ok((output, record))
        }
        Err(payload) => {
            if let Some(log) = rt.log.as_deref() {
                log.idle(worker);
            }
            rt.stop.store(true, Ordering::Relaxed);
            Err(RunError::TaskPanicked {
                stage: rt.stage,
                task,
                message: panic_message(payload),
            })
        }
    }
}

/// Splits `0..tasks` into chunks of `chunk` tasks.
pub(crate) fn chunks(tasks: usize, chunk: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    let chunk = chunk.max(1);
    (0..tasks.div_ceil(chunk)).map(move |c| c * chunk..((c + 1) * chunk).min(tasks))
}

/// Runs a chunk of tasks on one worker, stopping at the first failure.
pub(crate) fn exec_chunk(
    job: &dyn Job,
    range: std::ops::Range<usize>,
    worker: usize,
    rt: &StageRt,
) -> Result<Vec<(TaskOutput, TaskRecord)>, RunError> {
    range
        .map(|t| exec_task(job, t, worker, None, rt, None))
        .collect()
}
