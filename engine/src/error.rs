//! Small, precise error types: one per boundary (spec, sweep list, link, run).

use thiserror::Error;

/// Why a list of sweep values (`--workers 1..4`, the page's sweep field) was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ListError {
    #[error("'{0}' is not a number, a list like 1,2,4 or a range like 1..4")]
    NotAList(String),
    #[error("range {0} must go upwards and have at most {max} values", max = crate::limits::MAX_SWEEP_POINTS)]
    BadRange(String),
}

/// Why an experiment spec was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SpecError {
    #[error("invalid experiment JSON: {0}")]
    Json(String),
    #[error("missing schema_version")]
    MissingVersion,
    #[error("unsupported schema_version {found} (this build reads version {supported})")]
    UnsupportedVersion { found: u64, supported: u32 },
    #[error("unknown workload '{0}' (see `native-runner list`)")]
    UnknownWorkload(String),
    #[error("unknown model '{0}' (see `native-runner list`)")]
    UnknownModel(String),
    #[error("workload {workload} has no parameter '{param}'")]
    UnknownParam { workload: String, param: String },
    #[error("{field} = {value} is out of range: it must be {min} to {max}")]
    OutOfRange {
        field: String,
        value: String,
        min: String,
        max: String,
    },
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("option {option} does not apply to model {model}")]
    OptionNotApplicable { option: String, model: String },
}

/// Why a share link could not be decoded. The messages are for whoever clicked the link: what is
/// wrong with it in plain words, not the decoder's detail (the variants keep that for tests).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LinkError {
    #[error("the link is empty")]
    Empty,
    #[error("the link is {len} characters long; the limit is {max}")]
    TooLong { len: usize, max: usize },
    #[error("the link holds no experiment (a playground link ends in #x=...)")]
    NoExperiment,
    #[error(
        "the link is damaged: it holds characters a playground link never has (was it edited?)"
    )]
    Base64(String),
    #[error(
        "the link is damaged or cut short: its experiment cannot be unpacked (copy the whole link again)"
    )]
    Deflate(String),
    #[error(
        "the link's experiment unpacks to more than {max} bytes, far more than any experiment needs"
    )]
    TooLarge { max: usize },
    #[error("the link is damaged: its experiment is not text")]
    NotUtf8,
    #[error(transparent)]
    Spec(#[from] SpecError),
}

/// Why a run did not produce a complete result.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RunError {
    #[error("model {model} cannot run workload {workload}: {reason}")]
    Unsupported {
        model: String,
        workload: String,
        reason: String,
    },
    #[error("task {task} of stage {stage} panicked: {message}")]
    TaskPanicked {
        stage: usize,
        task: usize,
        message: String,
    },
    #[error("worker process {worker} died: {reason}")]
    WorkerCrashed { worker: usize, reason: String },
    #[error("worker process protocol error: {0}")]
    Protocol(String),
    #[error("could not start worker: {0}")]
    Spawn(String),
    #[error("run cancelled")]
    Cancelled,
    /// Workers waited for each other's locks in a cycle; the run was ended when it closed.
    #[error("{0}")]
    Deadlock(crate::locks::Deadlock),
}
