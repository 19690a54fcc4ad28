//! Running one configuration once: what a host hands the engine, the checks every host makes
//! first, and the stage loop every model is driven by.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use web_time::Instant;

use super::{ModelInfo, ModelKind, Records, StageOpts, StageRt};
use crate::error::RunError;
use crate::journal::Journal;
use crate::spec::{ModelSpec, Order, WorkloadSpec};
use crate::workload::{self, Answer, Job, TaskOutput};

/// Shared between a run and whoever watches it: a cancel switch, a progress count, and the
/// journal a partial result is made from.
#[derive(Debug, Clone, Default)]
pub struct RunControl {
    pub cancel: Arc<AtomicBool>,
    pub tasks_done: Arc<AtomicU64>,
    pub journal: Arc<Journal>,
}

/// How to start a process-pool worker: a program that calls
/// [`super::process_pool::worker_main`] when given these arguments.
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
    /// The MPI ranks this process drives as rank 0; needed by mpi only (`None`: not started
    /// by a launcher, or built without MPI).
    pub ranks: Option<std::sync::Arc<dyn super::mpi::Ranks>>,
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
    /// What the job's locks counted, for jobs with locks ([`Job::locks`]).
    pub locks: Option<crate::locks::LockStats>,
    /// The host each worker ran on, for models whose workers may be on several machines (mpi).
    pub hosts: Option<Vec<String>>,
}

pub(crate) fn unsupported(cfg: &RunConfig, reason: impl Into<String>) -> RunError {
    RunError::Unsupported {
        model: cfg.model.name.to_string(),
        workload: cfg.workload.name.to_string(),
        reason: reason.into(),
    }
}

/// Why a model cannot run a configuration, if it cannot: the checks every host makes before
/// running.
pub fn unsupported_reason(cfg: &RunConfig, job: &dyn Job) -> Option<String> {
    let kind = cfg.model.name;
    let info = kind.info();
    if cfg.workers < 1 || cfg.workers > crate::limits::MAX_WORKERS as usize {
        return Some(format!(
            "workers must be 1 to {}, got {}",
            crate::limits::MAX_WORKERS,
            cfg.workers
        ));
    }
    if !crate::threads::available() && info.host.needs_threads() {
        return Some(
            "this WebAssembly build has no threads (the page is not cross-origin isolated); sequential, async and process-pool run"
                .into(),
        );
    }
    if kind == ModelKind::Sequential && cfg.workers != 1 {
        return Some("sequential runs on one thread; workers must be 1".into());
    }
    if info.host.own_memory()
        && let Some(why) = job.needs_shared_memory()
    {
        return Some(why.into());
    }
    if let Some(limit) = info.max_tasks {
        let most = (0..job.stages()).map(|s| job.tasks(s)).max().unwrap_or(0);
        if most as u64 > limit {
            return Some(format!(
                "{most} tasks would start {most} threads; the limit is {limit}"
            ));
        }
    }
    None
}

/// One run's stage loop without the executing: which stage comes next and with which options
/// (the chunk size and the order), what the job learns after each stage, the records, and the
/// outcome. [`run_once`] drives it with an executor; the process pool's sans-IO
/// [`super::pool_protocol::PoolRun`] drives it with messages to Workers. Both hosts share it so
/// that the loop, and with it the defaults and the records, exist once.
pub(crate) struct StageLoop {
    job: Box<dyn Job>,
    info: &'static ModelInfo,
    chunk: Option<u64>,
    order: Option<Order>,
    workers: usize,
    next: usize,
    records: Records,
    largest_stage: usize,
    chunk_size: Option<u64>,
}

impl StageLoop {
    /// Builds the job (untimed) and makes the checks every host makes before running.
    pub(crate) fn new(cfg: &RunConfig) -> Result<Self, RunError> {
        let job = workload::build(&cfg.workload).map_err(|e| unsupported(cfg, e.to_string()))?;
        if let Some(reason) = unsupported_reason(cfg, &*job) {
            return Err(unsupported(cfg, reason));
        }
        Ok(StageLoop {
            job,
            info: cfg.model.name.info(),
            chunk: cfg.model.chunk_size,
            order: cfg.model.order,
            workers: cfg.workers,
            next: 0,
            records: Records::new(cfg.timeline),
            largest_stage: 0,
            chunk_size: None,
        })
    }

    pub(crate) fn job(&self) -> &dyn Job {
        &*self.job
    }

    pub(crate) fn stages(&self) -> usize {
        self.job.stages()
    }

    /// The stage to run next and its options; `None` once every stage ran.
    pub(crate) fn next_stage(&mut self) -> Option<(usize, StageOpts)> {
        let stage = self.next;
        if stage >= self.job.stages() {
            return None;
        }
        self.next += 1;
        let tasks = self.job.tasks(stage);
        let opts = StageOpts {
            workers: self.workers,
            chunk: self
                .chunk
                .map(|c| c as usize)
                .unwrap_or_else(|| self.info.default_chunk(tasks, self.workers)),
            order: self.order.or(self.info.order),
        };
        if tasks >= self.largest_stage {
            self.largest_stage = tasks;
            self.chunk_size = self.info.chunks.is_some().then_some(opts.chunk as u64);
        }
        Some((stage, opts))
    }

    /// Hands a finished stage's outputs to the job (the next stage may depend on them) and keeps
    /// its records.
    pub(crate) fn end_stage(&mut self, stage: usize, outputs: Vec<TaskOutput>, records: Records) {
        self.job.end_stage(stage, outputs);
        self.records.append(records);
    }

    /// The outcome, with the wall time the host measured; the answer is computed here, untimed.
    pub(crate) fn finish(self, wall: f64) -> RunOutcome {
        let locks = self
            .job
            .locks()
            .map(|c| crate::locks::LockStats::of(c, &self.records.per_worker));
        RunOutcome {
            wall,
            chunk_size: self.chunk_size,
            records: self.records,
            answer: self.job.answer(),
            locks,
            hosts: None,
        }
    }
}

/// Runs one configuration once: builds the job (untimed), runs every stage (timed) and computes
/// the answer (untimed). Every model is reached from here, through its descriptor's `start`.
pub fn run_once(cfg: &RunConfig, env: &RunEnv) -> Result<RunOutcome, RunError> {
    let mut stages = StageLoop::new(cfg)?;
    let t0 = Instant::now();
    let mut exec = (stages.info.start)(cfg, env, t0, stages.stages())?;
    let t0 = exec.clock_zero().unwrap_or(t0);
    let log = env.control.journal.start_log(cfg.workers, cfg.timeline, t0);
    while let Some((stage, opts)) = stages.next_stage() {
        let rt = StageRt {
            stage,
            t0,
            control: &env.control,
            stop: AtomicBool::new(false),
            fault: cfg.model.fault,
            timeline: cfg.timeline,
            log: Some(log.clone()),
        };
        let (outputs, stage_records) = exec.run_stage(stages.job(), &rt, &opts)?;
        exec.end_stage(stage, &outputs)?;
        stages.end_stage(stage, outputs, stage_records);
    }
    let wall = t0.elapsed().as_secs_f64();
    let hosts = exec.hosts();
    drop(exec);
    Ok(RunOutcome {
        hosts,
        ..stages.finish(wall)
    })
}
