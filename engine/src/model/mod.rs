//! Scheduling models: how tasks are run. A closed set with one dispatch point ([`run_once`]), each
//! mirroring a construct of Python's concurrency tutorials (see [`ModelKind::python`]).
//!
//! Every model drives the same [`Job`](crate::workload::Job) interface, stage by stage, and hands the stage's outputs
//! back in task order, so every model must produce the sequential model's answer; the engine's
//! tests check that for every model and workload. What differs is how tasks reach workers, how
//! results come back and what that costs, which is what the per-task records show.
//!
//! Each model's facts (its Python construct, options, chunk rule, cost for the estimate, how the
//! page explains it, how to start it) are in one descriptor, [`ModelInfo`], next to its code;
//! [`ModelKind::info`] is the one table from a model to it. `README.md` in this folder lists the
//! edits that add a model.

use serde::{Deserialize, Serialize};

use crate::error::{RunError, SpecError};
use crate::spec::Order;
use crate::workload::Bound;

mod async_loop;
mod dynamic_pool;
mod gil;
mod message_passing;
pub mod mpi;
pub mod process_pool;
mod run;
mod sequential;
mod shared_state;
mod static_pool;
mod task;
mod thread_per_task;
mod work_stealing;
mod workers;

pub use gil::Gil;
pub use process_pool::protocol as pool_protocol;
pub use run::{
    RunConfig, RunControl, RunEnv, RunOutcome, WorkerProgram, run_once, unsupported_reason,
};
pub(crate) use run::{StageLoop, unsupported};
pub use task::{Halt, Records, TaskCtx, TaskRecord, in_task};
pub(crate) use task::{StageRt, chunks, exec_chunk, exec_task};
pub(crate) use workers::{
    Collector, Executor, StageOpts, all_outputs, coordinate, first_error, run_workers,
};

/// The closed set of models. Names, `ALL`, `Display` and `FromStr` are derived here, once;
/// every other fact about a model is in its descriptor ([`ModelKind::info`]).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::VariantArray,
    strum::IntoStaticStr,
    strum::Display,
    strum::EnumString,
)]
#[serde(rename_all = "kebab-case")]
#[strum(
    serialize_all = "kebab-case",
    parse_err_ty = SpecError,
    parse_err_fn = unknown_model
)]
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
    Mpi,
}

fn unknown_model(name: &str) -> SpecError {
    SpecError::UnknownModel(name.to_string())
}

/// The model the page's lab starts with: workers take tasks from one shared queue as they
/// become free, which runs every workload well.
pub const LAB_MODEL: ModelKind = ModelKind::DynamicPool;

/// What a sweep over models compares a chosen model with, by default: the contrasts a learner
/// asks about, threads under the GIL, a thread pool, processes.
pub const CONTRASTS: [ModelKind; 3] = [
    ModelKind::Gil,
    ModelKind::DynamicPool,
    ModelKind::ProcessPool,
];

impl ModelKind {
    /// Every model, in the order lists show them.
    pub const ALL: &'static [ModelKind] = <ModelKind as strum::VariantArray>::VARIANTS;

    /// The one table from a model to its descriptor, which lives in the model's own file.
    pub fn info(self) -> &'static ModelInfo {
        match self {
            ModelKind::Sequential => &sequential::INFO,
            ModelKind::ThreadPerTask => &thread_per_task::INFO,
            ModelKind::StaticPool => &static_pool::INFO,
            ModelKind::DynamicPool => &dynamic_pool::INFO,
            ModelKind::WorkStealing => &work_stealing::INFO,
            ModelKind::MessagePassing => &message_passing::INFO,
            ModelKind::SharedState => &shared_state::INFO,
            ModelKind::ProcessPool => &process_pool::INFO,
            ModelKind::Async => &async_loop::INFO,
            ModelKind::Gil => &gil::INFO,
            ModelKind::Mpi => &mpi::INFO,
        }
    }

    /// The name in specs, links, the CLI and the page.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The Python construct the model mirrors.
    pub fn python(self) -> &'static str {
        self.info().python
    }

    /// How the model runs tasks, in a sentence.
    pub fn description(self) -> &'static str {
        self.info().description
    }
}

/// Everything the engine, the CLI and the page know about a model, kept next to its code.
#[derive(Debug)]
pub struct ModelInfo {
    /// The Python construct the model mirrors.
    pub python: &'static str,
    /// How the model runs tasks, in a sentence.
    pub description: &'static str,
    /// How tasks are grouped when no `chunk_size` is given; `None`: the model hands out single
    /// tasks and has no `chunk_size` option.
    pub chunks: Option<ChunkRule>,
    /// The result order when none is given, as the mirrored Python construct delivers; `None`:
    /// nobody waits on results as they come, so there is no `order` option.
    pub order: Option<Order>,
    /// The model's own option, if it has one.
    pub option: Option<ModelOption>,
    /// What the model's workers are.
    pub host: Host,
    /// Most tasks per stage the model accepts (one OS thread each for thread-per-task).
    pub max_tasks: Option<u64>,
    /// Whether computation spreads over the cores (not where one thread, or one lock, runs it).
    pub parallel_compute: bool,
    /// Whether waits overlap (a waiting task lets another run).
    pub overlaps_waits: bool,
    /// What the model adds to a run, for the estimate.
    pub cost: Cost,
    /// The Python a tutorial would write: `{f}` is the task function, `{workers}` the worker
    /// count and `{chunk_arg}` either nothing or `, chunksize=N`.
    pub python_code: &'static str,
    /// What to expect on some kinds of work, where the model differs from what the kind of work
    /// alone says ([`Bound::expectation`]).
    pub expectations: &'static [(&'static [Bound], &'static str)],
    /// Makes the model's executor for one run (`t0` is the run's clock, `stages` its stages).
    pub(crate) start: Start,
}

pub(crate) type Start =
    fn(&RunConfig, &RunEnv, web_time::Instant, usize) -> Result<Box<dyn Executor>, RunError>;

impl ModelInfo {
    /// The chunk size used when none is given, for `tasks` tasks on `workers` workers.
    pub fn default_chunk(&self, tasks: usize, workers: usize) -> usize {
        self.chunks
            .map_or(1, |rule| rule.default_chunk(tasks, workers))
    }

    /// What to expect from this model on a kind of work, and why.
    pub fn expectation(&self, bound: Bound) -> &'static str {
        self.expectations
            .iter()
            .find(|(bounds, _)| bounds.contains(&bound))
            .map_or_else(|| bound.expectation(), |(_, text)| text)
    }

    /// The Python a tutorial would write for this model, mapping `task` over the items.
    pub fn python_code(&self, task: &str, workers: u32, chunk: Option<u64>) -> String {
        let chunk_arg = chunk.map_or(String::new(), |c| format!(", chunksize={c}"));
        self.python_code
            .replace("{f}", task)
            .replace("{workers}", &workers.to_string())
            .replace("{chunk_arg}", &chunk_arg)
    }
}

/// How a model with chunks sizes them when the spec does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkRule {
    /// One task per chunk.
    One,
    /// Python's `Pool.map`: `chunksize, extra = divmod(len, 4 * processes); chunksize += extra > 0`.
    PoolMap,
}

impl ChunkRule {
    pub fn default_chunk(self, tasks: usize, workers: usize) -> usize {
        match self {
            ChunkRule::One => 1,
            ChunkRule::PoolMap => tasks.div_ceil(4 * workers.max(1)).max(1),
        }
    }
}

/// An option only some models have, with its field in the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelOption {
    /// `switch_interval_ms`: how often the GIL changes hands (`sys.setswitchinterval`).
    SwitchInterval,
    /// `sync`: a lock or atomics around shared state.
    Sync,
    /// `schedule`: chunks dealt before the run, or handed out as workers finish.
    Schedule,
}

impl ModelOption {
    /// The field's name in a spec (the CLI flag is this with dashes).
    pub fn field(self) -> &'static str {
        match self {
            ModelOption::SwitchInterval => "switch_interval_ms",
            ModelOption::Sync => "sync",
            ModelOption::Schedule => "schedule",
        }
    }

    /// The CLI flag that sets it.
    pub fn flag(self) -> String {
        format!("--{}", self.field().replace('_', "-"))
    }
}

/// What a model's workers are, which decides where it can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// The calling thread alone (the browser runs it without threads).
    Caller,
    /// Threads sharing memory (the browser needs cross-origin isolation for them).
    Threads,
    /// A rayon pool of its own (in the browser, Workers started for it before the run).
    RayonPool,
    /// Workers with memory of their own: OS processes, or Web Workers in the browser.
    Processes,
    /// MPI ranks that a launcher (`mpirun`) started, possibly on several hosts: natively only,
    /// and only where the host hands the engine its ranks ([`RunEnv::ranks`]).
    Ranks,
}

impl Host {
    /// Whether the model needs threads that share memory.
    pub fn needs_threads(self) -> bool {
        matches!(self, Host::Threads | Host::RayonPool)
    }

    /// Whether each worker has memory of its own, so that a job needing shared memory cannot
    /// run on them.
    pub fn own_memory(self) -> bool {
        matches!(self, Host::Processes | Host::Ranks)
    }
}

/// What a model adds to a run, in seconds: per run, per task and per chunk
/// (docs/performance.md, section 3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    pub per_run: f64,
    pub per_task: f64,
    pub per_chunk: f64,
}

impl Cost {
    pub(crate) const fn per_task(seconds: f64) -> Cost {
        Cost {
            per_run: 0.0,
            per_task: seconds,
            per_chunk: 0.0,
        }
    }

    /// The overhead of `tasks` tasks in chunks of `chunk`.
    pub fn seconds(&self, tasks: f64, chunk: f64) -> f64 {
        self.per_run + tasks * self.per_task + tasks / chunk.max(1.0) * self.per_chunk
    }
}
