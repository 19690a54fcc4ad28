//! Scheduling models: how tasks are run. A closed set with one dispatch point ([`run_once`]), each
//! mirroring a construct of Python's concurrency tutorials (see [`ModelKind::python`]).
//!
//! Every model drives the same [`Job`] interface, stage by stage, and hands the stage's outputs
//! back in task order, so every model must produce the sequential model's answer; the engine's
//! tests check that for every model and workload. What differs is how tasks reach workers, how
//! results come back and what that costs, which is what the per-task records show.

use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use web_time::Instant;

use crate::error::{RunError, SpecError};
use crate::journal::{Journal, Next, RunLog};
use crate::limits::MAX_THREAD_PER_TASK_TASKS;
use crate::limits::{DEFAULT_SWITCH_INTERVAL_MS, DEFAULT_SYNC};
use crate::spec::{Fault, FaultKind, ModelSpec, Order, WorkloadSpec};
use crate::workload::{self, Answer, Job, TaskOutput};

mod async_loop;
mod dynamic_pool;
mod gil;
mod message_passing;
pub mod pool_protocol;
#[cfg(not(target_family = "wasm"))]
pub mod process_pool;
mod sequential;
mod shared_state;
mod static_pool;
mod thread_per_task;
mod work_stealing;

pub use gil::Gil;

/// The closed set of models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    Sequential,
    ThreadPerTask,
    StaticPool,
    DynamicPool,
    WorkStealing,
    MessagePassing,
    SharedState,
    ProcessPool,
    Async,
    Gil,
}

impl ModelKind {
    pub const ALL: [ModelKind; 10] = [
        ModelKind::Sequential,
        ModelKind::ThreadPerTask,
        ModelKind::StaticPool,
        ModelKind::DynamicPool,
        ModelKind::WorkStealing,
        ModelKind::MessagePassing,
        ModelKind::SharedState,
        ModelKind::ProcessPool,
        ModelKind::Async,
        ModelKind::Gil,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Sequential => "sequential",
            ModelKind::ThreadPerTask => "thread-per-task",
            ModelKind::StaticPool => "static-pool",
            ModelKind::DynamicPool => "dynamic-pool",
            ModelKind::WorkStealing => "work-stealing",
            ModelKind::MessagePassing => "message-passing",
            ModelKind::SharedState => "shared-state",
            ModelKind::ProcessPool => "process-pool",
            ModelKind::Async => "async",
            ModelKind::Gil => "gil",
        }
    }

    /// The Python construct the model mirrors.
    pub fn python(self) -> &'static str {
        match self {
            ModelKind::Sequential => "a plain for loop / map(f, items)",
            ModelKind::ThreadPerTask => "threading.Thread(target=f) per task, then join()",
            ModelKind::StaticPool => "multiprocessing.Pool.map(f, items, chunksize)",
            ModelKind::DynamicPool => {
                "Pool.imap_unordered(f, items) / concurrent.futures as_completed"
            }
            ModelKind::WorkStealing => {
                "no Python equivalent (rayon's par_iter: idle workers steal)"
            }
            ModelKind::MessagePassing => {
                "multiprocessing.Process workers fed by Queue / Pipe, results sent back"
            }
            ModelKind::SharedState => "multiprocessing.Array + Lock written by workers",
            ModelKind::ProcessPool => {
                "multiprocessing.Pool / concurrent.futures.ProcessPoolExecutor"
            }
            ModelKind::Async => "asyncio.gather(*tasks) on one event loop",
            ModelKind::Gil => "threading / ThreadPoolExecutor under CPython's GIL",
        }
    }

    /// How the model runs tasks, in a sentence.
    pub fn description(self) -> &'static str {
        match self {
            ModelKind::Sequential => {
                "one thread runs every task in order: the reference answer and time"
            }
            ModelKind::ThreadPerTask => {
                "a fresh OS thread per task, at most `workers` alive at once; thread start-up is paid per task"
            }
            ModelKind::StaticPool => {
                "tasks cut into chunks (default ceil(n / (4 x workers)), Python's rule) dealt round-robin to workers before the run: no balancing"
            }
            ModelKind::DynamicPool => {
                "workers take chunks (default 1 task) from one shared queue as they become free"
            }
            ModelKind::WorkStealing => {
                "rayon: each worker splits its range in half and idle workers steal halves"
            }
            ModelKind::MessagePassing => {
                "each worker owns a channel; a coordinator sends it chunks and receives results on another channel; no shared data"
            }
            ModelKind::SharedState => {
                "workers claim tasks from a shared index and write results into one shared array, under a lock or with atomics"
            }
            ModelKind::ProcessPool => {
                "separate OS processes started from this program; tasks and results are serialized over pipes"
            }
            ModelKind::Async => {
                "one thread, cooperative tasks: waits overlap on timers, computation blocks the loop; workers = tasks in flight"
            }
            ModelKind::Gil => {
                "threads that must hold one global lock to compute, handing it over every switch interval and while waiting on I/O"
            }
        }
    }

    /// Whether the model hands tasks out in chunks (and so has a `chunk_size`).
    pub fn has_chunks(self) -> bool {
        matches!(
            self,
            ModelKind::StaticPool
                | ModelKind::DynamicPool
                | ModelKind::WorkStealing
                | ModelKind::MessagePassing
                | ModelKind::SharedState
                | ModelKind::ProcessPool
        )
    }

    /// Whether results flow to a waiting caller (and so have an `order`).
    pub fn has_order(self) -> bool {
        matches!(
            self,
            ModelKind::StaticPool
                | ModelKind::DynamicPool
                | ModelKind::MessagePassing
                | ModelKind::ProcessPool
                | ModelKind::Async
        )
    }

    /// The result order used when none is given: as the mirrored Python construct delivers.
    pub fn default_order(self) -> Option<Order> {
        match self {
            // Pool.map, asyncio.gather: a list in task order.
            ModelKind::StaticPool | ModelKind::ProcessPool | ModelKind::Async => {
                Some(Order::Ordered)
            }
            // imap_unordered / as_completed, and a results Queue: whatever finishes first.
            ModelKind::DynamicPool | ModelKind::MessagePassing => Some(Order::Completion),
            _ => None,
        }
    }

    /// The chunk size used when none is given, for `tasks` tasks on `workers` workers.
    pub fn default_chunk(self, tasks: usize, workers: usize) -> usize {
        match self {
            // Python's Pool.map: chunksize, extra = divmod(len, 4 * processes); chunksize += extra > 0.
            ModelKind::StaticPool | ModelKind::ProcessPool => tasks.div_ceil(4 * workers).max(1),
            _ => 1,
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelKind {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, SpecError> {
        ModelKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| SpecError::UnknownModel(s.to_string()))
    }
}

/// What one task did, in seconds from the start of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub stage: u32,
    pub task: u32,
    pub worker: u32,
    pub start: f64,
    pub end: f64,
    /// Seconds inside `start..end` spent not computing: waiting on I/O, on a timer, or for the GIL.
    pub wait: f64,
    /// When the caller received the result (models with a caller waiting on results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<f64>,
    /// The position in which the caller received it: equals the task order for `ordered`, follows
    /// completion for `completion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_index: Option<u32>,
}

/// Shared between a run and whoever watches it: a cancel switch, a progress count, and the
/// journal a partial result is made from.
#[derive(Debug, Clone, Default)]
pub struct RunControl {
    pub cancel: Arc<AtomicBool>,
    pub tasks_done: Arc<AtomicU64>,
    pub journal: Arc<Journal>,
}

/// How to start a process-pool worker: a program that calls
/// [`process_pool::worker_main`] when given these arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerProgram {
    pub program: std::path::PathBuf,
    pub args: Vec<String>,
}

/// Everything besides the spec that a run needs from its host.
#[derive(Debug, Clone, Default)]
pub struct RunEnv {
    pub control: RunControl,
    /// Needed by process-pool only.
    pub worker_program: Option<WorkerProgram>,
}

/// One configuration to run once: the workload, the model and its options resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    pub workload: WorkloadSpec,
    pub model: ModelSpec,
    pub workers: usize,
    /// Keep a record per task (see [`Records`]).
    pub timeline: bool,
}

/// The outcome of one complete run.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub wall: f64,
    /// The chunk size used in the largest stage, for models with chunks (stages of different
    /// sizes get different default chunk sizes).
    pub chunk_size: Option<u64>,
    pub records: Records,
    pub answer: Answer,
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

    fn halted(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.control.cancel.load(Ordering::Relaxed)
    }
}

/// Handed to [`Job::run`]: where a long task lets the GIL model switch threads.
pub struct TaskCtx<'a> {
    gil: Option<&'a Gil>,
    waited: Cell<f64>,
}

impl<'a> TaskCtx<'a> {
    pub(crate) fn new(gil: Option<&'a Gil>) -> Self {
        TaskCtx {
            gil,
            waited: Cell::new(0.0),
        }
    }

    /// A context with no GIL: for running a job outside any model (tests, references).
    pub fn detached() -> TaskCtx<'static> {
        TaskCtx::new(None)
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
    let ctx = TaskCtx::new(gil);
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
    let end = rt.clock();
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
}

fn unsupported(cfg: &RunConfig, reason: impl Into<String>) -> RunError {
    RunError::Unsupported {
        model: cfg.model.name.to_string(),
        workload: cfg.workload.name.to_string(),
        reason: reason.into(),
    }
}

/// Why a model cannot run a configuration, if it cannot: the checks every host makes before
/// running (the browser's process pool runs its own coordinator, so this is public).
pub fn unsupported_reason(cfg: &RunConfig, job: &dyn Job) -> Option<String> {
    let kind = cfg.model.name;
    if cfg.workers < 1 || cfg.workers > crate::limits::MAX_WORKERS as usize {
        return Some(format!(
            "workers must be 1 to {}, got {}",
            crate::limits::MAX_WORKERS,
            cfg.workers
        ));
    }
    let needs_threads = !matches!(kind, ModelKind::Sequential | ModelKind::Async);
    // In the browser the process pool is Workers driven by messages: no shared memory needed.
    let browser_pool = cfg!(target_family = "wasm") && kind == ModelKind::ProcessPool;
    if !crate::threads::available() && needs_threads && !browser_pool {
        return Some(
            "this WebAssembly build has no threads (the page is not cross-origin isolated); sequential, async and process-pool run"
                .into(),
        );
    }
    if kind == ModelKind::Sequential && cfg.workers != 1 {
        return Some("sequential runs on one thread; workers must be 1".into());
    }
    if kind == ModelKind::ProcessPool
        && let Some(why) = job.needs_shared_memory()
    {
        return Some(why.into());
    }
    if kind == ModelKind::ThreadPerTask {
        let most = (0..job.stages()).map(|s| job.tasks(s)).max().unwrap_or(0);
        if most as u64 > MAX_THREAD_PER_TASK_TASKS {
            return Some(format!(
                "{most} tasks would start {most} threads; the limit is {MAX_THREAD_PER_TASK_TASKS}"
            ));
        }
    }
    None
}

/// Runs one configuration once: builds the job (untimed), runs every stage (timed) and computes
/// the answer (untimed). The one dispatch point from [`ModelKind`] to its implementation.
pub fn run_once(cfg: &RunConfig, env: &RunEnv) -> Result<RunOutcome, RunError> {
    let mut job = workload::build(&cfg.workload).map_err(|e| unsupported(cfg, e.to_string()))?;
    if let Some(reason) = unsupported_reason(cfg, &*job) {
        return Err(unsupported(cfg, reason));
    }
    let kind = cfg.model.name;
    let t0 = Instant::now();
    let mut exec: Box<dyn Executor> = match kind {
        ModelKind::Sequential => Box::new(sequential::Sequential),
        ModelKind::ThreadPerTask => Box::new(thread_per_task::ThreadPerTask),
        ModelKind::StaticPool => Box::new(static_pool::StaticPool),
        ModelKind::DynamicPool => Box::new(dynamic_pool::DynamicPool),
        ModelKind::WorkStealing => Box::new(work_stealing::WorkStealing::new(cfg.workers)?),
        ModelKind::MessagePassing => Box::new(message_passing::MessagePassing),
        ModelKind::SharedState => Box::new(shared_state::SharedState {
            sync: cfg.model.sync.unwrap_or(DEFAULT_SYNC),
        }),
        #[cfg(not(target_family = "wasm"))]
        ModelKind::ProcessPool => {
            let program = env.worker_program.as_ref().ok_or_else(|| {
                unsupported(
                    cfg,
                    "this host gave no worker program to start processes from",
                )
            })?;
            Box::new(process_pool::ProcessPool::start(
                program,
                cfg,
                t0,
                job.stages(),
            )?)
        }
        #[cfg(target_family = "wasm")]
        ModelKind::ProcessPool => {
            return Err(unsupported(
                cfg,
                "WebAssembly has no OS processes; the page runs this model on separate Workers",
            ));
        }
        ModelKind::Async => Box::new(async_loop::AsyncLoop),
        ModelKind::Gil => Box::new(gil::GilThreads {
            interval: std::time::Duration::from_secs_f64(
                cfg.model
                    .switch_interval_ms
                    .unwrap_or(DEFAULT_SWITCH_INTERVAL_MS)
                    / 1000.0,
            ),
        }),
    };
    let log = env.control.journal.start_log(cfg.workers, cfg.timeline, t0);
    let mut records = Records::new(cfg.timeline);
    let (mut largest_stage, mut chunk_size) = (0, None);
    for stage in 0..job.stages() {
        let tasks = job.tasks(stage);
        let opts = StageOpts {
            workers: cfg.workers,
            chunk: cfg
                .model
                .chunk_size
                .map(|c| c as usize)
                .unwrap_or_else(|| kind.default_chunk(tasks, cfg.workers)),
            order: cfg.model.order.or(kind.default_order()),
        };
        if tasks >= largest_stage {
            largest_stage = tasks;
            chunk_size = kind.has_chunks().then_some(opts.chunk as u64);
        }
        let rt = StageRt {
            stage,
            t0,
            control: &env.control,
            stop: AtomicBool::new(false),
            fault: cfg.model.fault,
            timeline: cfg.timeline,
            log: Some(log.clone()),
        };
        let (outputs, stage_records) = exec.run_stage(&*job, &rt, &opts)?;
        exec.end_stage(stage, &outputs)?;
        job.end_stage(stage, outputs);
        records.append(stage_records);
    }
    let wall = t0.elapsed().as_secs_f64();
    drop(exec);
    Ok(RunOutcome {
        wall,
        chunk_size,
        records,
        answer: job.answer(),
    })
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
