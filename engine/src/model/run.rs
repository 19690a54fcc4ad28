//! Running one configuration once: what a host hands the engine, the checks every host makes
//! first, and the stage loop every model is driven by.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use web_time::Instant;

use super::{Host, ModelKind, Records, StageOpts, StageRt};
use crate::error::RunError;
use crate::journal::Journal;
use crate::spec::{ModelSpec, WorkloadSpec};
use crate::workload::{self, Answer, Job};

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

pub(crate) fn unsupported(cfg: &RunConfig, reason: impl Into<String>) -> RunError {
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
    if info.host == Host::Processes
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

/// Runs one configuration once: builds the job (untimed), runs every stage (timed) and computes
/// the answer (untimed). Every model is reached from here, through its descriptor's `start`.
pub fn run_once(cfg: &RunConfig, env: &RunEnv) -> Result<RunOutcome, RunError> {
    let mut job = workload::build(&cfg.workload).map_err(|e| unsupported(cfg, e.to_string()))?;
    if let Some(reason) = unsupported_reason(cfg, &*job) {
        return Err(unsupported(cfg, reason));
    }
    let info = cfg.model.name.info();
    let t0 = Instant::now();
    let mut exec = (info.start)(cfg, env, t0, job.stages())?;
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
                .unwrap_or_else(|| info.default_chunk(tasks, cfg.workers)),
            order: cfg.model.order.or(info.order),
        };
        if tasks >= largest_stage {
            largest_stage = tasks;
            chunk_size = info.chunks.is_some().then_some(opts.chunk as u64);
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
