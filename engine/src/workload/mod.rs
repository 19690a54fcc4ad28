//! Workloads: what is computed. Each one splits into stages of independent tasks, has a verified
//! answer and a canonical text output. See `README.md` in this folder for how each is decomposed.
//!
//! A workload never decides how its tasks run; the [models](crate::model) do. The contract that
//! lets every model produce the same answer:
//! - tasks of one stage are independent and may run in any order, on any worker, in any process;
//! - [`Job::end_stage`] receives the stage's outputs in task order, whatever order they finished in;
//! - everything a task reads is either in the job (built deterministically from the spec) or was set
//!   by `end_stage`, so a process that replays `end_stage` with the same outputs has the same state.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::SpecError;
use crate::limits::{ParamDef, ParamKind};
use crate::model::TaskCtx;
use crate::spec::{ParamValue, WorkloadSpec};

mod amdahl;
mod counter;
pub use counter::lost_updates;
mod fannkuch_redux;
mod mandelbrot;
mod n_body;
mod philosophers;
mod primes;
mod sleep;
mod spectral_norm;
mod square;
mod stream;

/// The closed set of workloads. Names, `ALL`, `Display` and `FromStr` are derived here, once;
/// every other fact about a workload is in its descriptor ([`WorkloadKind::info`]).
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
    parse_err_fn = unknown_workload
)]
pub enum WorkloadKind {
    Mandelbrot,
    SpectralNorm,
    FannkuchRedux,
    NBody,
    Primes,
    Square,
    Sleep,
    Stream,
    Counter,
    Amdahl,
    Philosophers,
}

fn unknown_workload(name: &str) -> SpecError {
    SpecError::UnknownWorkload(name.to_string())
}

impl WorkloadKind {
    /// Every workload, in the order lists show them.
    pub const ALL: &'static [WorkloadKind] = <WorkloadKind as strum::VariantArray>::VARIANTS;

    /// The one table from a workload to its descriptor, which lives in the workload's own file.
    pub fn info(self) -> &'static WorkloadInfo {
        match self {
            WorkloadKind::Mandelbrot => &mandelbrot::INFO,
            WorkloadKind::SpectralNorm => &spectral_norm::INFO,
            WorkloadKind::FannkuchRedux => &fannkuch_redux::INFO,
            WorkloadKind::NBody => &n_body::INFO,
            WorkloadKind::Primes => &primes::INFO,
            WorkloadKind::Square => &square::INFO,
            WorkloadKind::Sleep => &sleep::INFO,
            WorkloadKind::Stream => &stream::INFO,
            WorkloadKind::Counter => &counter::INFO,
            WorkloadKind::Amdahl => &amdahl::INFO,
            WorkloadKind::Philosophers => &philosophers::INFO,
        }
    }

    /// The name in specs, links, the CLI and the page.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// One line on what the workload shows.
    pub fn description(self) -> &'static str {
        self.info().description
    }

    /// The main size parameter and then the others, with defaults and limits.
    pub fn params(self) -> Vec<ParamDef> {
        let info = self.info();
        let mut all = vec![info.size.clone()];
        all.extend_from_slice(info.params);
        all
    }
}

/// Everything the engine, the CLI and the page know about a workload, kept next to its code.
#[derive(Debug)]
pub struct WorkloadInfo {
    /// One line on what the workload shows.
    pub description: &'static str,
    /// The kind of work, which decides what each model can do with it.
    pub bound: Bound,
    /// The function a Python tutorial would map over the items.
    pub python_task: &'static str,
    /// The main size parameter `n`, with its default and limits. Defaults run in about a second
    /// on one core of a 2020s laptop.
    pub size: ParamDef,
    /// The other parameters, with defaults and limits.
    pub params: &'static [ParamDef],
    /// What the page starts from: sizes that run in about a tenth of a second per run.
    pub page: PageDefault,
    pub(crate) build: fn(&Params) -> Box<dyn Job>,
    pub(crate) reference: fn(&Params, &Answer) -> Reference,
    pub(crate) work: fn(&Params) -> crate::estimate::Work,
}

/// The page's starting point for a workload: `n` and any parameters that differ from the
/// defaults (whole numbers only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageDefault {
    pub n: u64,
    pub params: &'static [(&'static str, u64)],
}

/// The kind of work, which decides what each model can do with it (and what a lesson expects).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::VariantArray)]
#[serde(rename_all = "kebab-case")]
pub enum Bound {
    /// Independent computation.
    Cpu,
    /// Waiting, not computing.
    Io,
    /// Tasks so small that the model's overhead is the time.
    Tiny,
    /// Limited by memory bandwidth.
    Memory,
    /// One task: nothing to run in parallel.
    Sequential,
    /// Every task updates one shared location.
    SharedCounter,
    /// Tasks take several locks each (the dining philosophers): the hazard is a deadlock.
    Locks,
}

impl Bound {
    /// Every kind of work.
    pub const ALL: &'static [Bound] = <Bound as strum::VariantArray>::VARIANTS;

    /// What to expect from a model on this kind of work, unless the model says otherwise
    /// ([`crate::model::ModelInfo::expectations`]).
    pub fn expectation(self) -> &'static str {
        match self {
            Bound::Sequential => {
                "n-body is one long task: each step needs the previous one. No model can speed it up; the timeline shows one busy worker and the rest idle."
            }
            Bound::Tiny => {
                "Each task takes nanoseconds, so the time measures the model's per-task overhead: queue operations, wake-ups, result collection. Larger chunks amortize it."
            }
            Bound::Io => {
                "The tasks mostly wait, and waiting needs no core: with more workers than cores the waits still overlap, so the speedup can exceed the core count."
            }
            Bound::Memory => {
                "The work is limited by memory bandwidth, not arithmetic: a working set that fits in cache scales with cores; a large one saturates the memory bus with few workers."
            }
            Bound::SharedCounter => {
                "All workers update one memory location, so they serialize on it (mutex, atomic) or lose updates (racy). Counting locally and adding once (local-then-reduce) scales."
            }
            Bound::Locks => {
                "Each philosopher takes two forks (locks). In the naive order, with as many workers as philosophers, they can all hold one fork and wait for the next: a deadlock, which the engine finds the moment its cycle closes and reports in words. The ordered order cannot form a cycle; try-lock backs off and retries instead of waiting. With fewer workers than philosophers, somebody is always missing from the table and the others eat."
            }
            Bound::Cpu => {
                "CPU-bound work with independent tasks: with as many workers as cores the speedup approaches the core count; more workers than cores cannot help."
            }
        }
    }
}

/// A workload's parameters after validation: every parameter present, typed, within its limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub n: u64,
    values: Vec<(&'static str, ParamValue)>,
}

impl Params {
    fn get(&self, name: &str) -> &ParamValue {
        &self
            .values
            .iter()
            .find(|(k, _)| *k == name)
            .unwrap_or_else(|| panic!("parameter {name} is not declared in limits.rs"))
            .1
    }

    /// A declared integer parameter. Panics only on a programming error (undeclared name).
    pub fn int(&self, name: &str) -> u64 {
        match self.get(name) {
            ParamValue::Int(v) => *v,
            other => panic!("parameter {name} is not an integer: {other:?}"),
        }
    }

    /// A declared real parameter.
    pub fn float(&self, name: &str) -> f64 {
        match self.get(name) {
            ParamValue::Float(v) => *v,
            ParamValue::Int(v) => *v as f64,
            other => panic!("parameter {name} is not a number: {other:?}"),
        }
    }

    /// A declared choice parameter.
    pub fn choice(&self, name: &str) -> &str {
        match self.get(name) {
            ParamValue::Text(v) => v,
            other => panic!("parameter {name} is not a choice: {other:?}"),
        }
    }
}

/// Checks one value against its definition and returns it in canonical form.
pub(crate) fn check_param(
    kind: WorkloadKind,
    def: &ParamDef,
    value: &ParamValue,
) -> Result<ParamValue, SpecError> {
    let field = format!("{}.{}", kind.name(), def.name);
    match (&def.kind, value) {
        (ParamKind::Int { min, max, .. }, ParamValue::Int(v)) => {
            if v < min || v > max {
                Err(SpecError::OutOfRange {
                    field,
                    value: v.to_string(),
                    min: min.to_string(),
                    max: max.to_string(),
                })
            } else {
                Ok(ParamValue::Int(*v))
            }
        }
        (ParamKind::Float { min, max, .. }, ParamValue::Float(_) | ParamValue::Int(_)) => {
            let v = match value {
                ParamValue::Float(v) => *v,
                ParamValue::Int(v) => *v as f64,
                ParamValue::Text(_) => unreachable!(),
            };
            if !v.is_finite() || v < *min || v > *max {
                Err(SpecError::OutOfRange {
                    field,
                    value: v.to_string(),
                    min: min.to_string(),
                    max: max.to_string(),
                })
            } else {
                Ok(ParamValue::Float(v))
            }
        }
        (ParamKind::Choice { options, .. }, ParamValue::Text(v)) => {
            if options.contains(&v.as_str()) {
                Ok(ParamValue::Text(v.clone()))
            } else {
                Err(SpecError::Invalid {
                    field,
                    reason: format!("'{v}' is not one of {}", options.join(", ")),
                })
            }
        }
        (kind, v) => Err(SpecError::Invalid {
            field,
            reason: format!(
                "expected {}, got {v}",
                match kind {
                    ParamKind::Int { .. } => "a whole number",
                    ParamKind::Float { .. } => "a number",
                    ParamKind::Choice { .. } => "a word",
                }
            ),
        }),
    }
}

/// The default value of a parameter.
pub(crate) fn default_value(def: &ParamDef) -> ParamValue {
    match def.kind {
        ParamKind::Int { default, .. } => ParamValue::Int(default),
        ParamKind::Float { default, .. } => ParamValue::Float(default),
        ParamKind::Choice { default, .. } => ParamValue::Text(default.to_string()),
    }
}

impl Params {
    /// Typed parameters of a validated workload spec.
    pub fn from_spec(spec: &WorkloadSpec) -> Result<Params, SpecError> {
        let kind = spec.name;
        let size = &kind.info().size;
        let n = match check_param(kind, size, &ParamValue::Int(spec.n))? {
            ParamValue::Int(n) => n,
            _ => unreachable!(),
        };
        for key in spec.params.keys() {
            if !kind.info().params.iter().any(|d| d.name == key) {
                return Err(SpecError::UnknownParam {
                    workload: kind.name().into(),
                    param: key.clone(),
                });
            }
        }
        let mut values = Vec::new();
        for def in kind.info().params {
            let v = match spec.params.get(def.name) {
                Some(v) => check_param(kind, def, v)?,
                None => default_value(def),
            };
            values.push((def.name, v));
        }
        Ok(Params { n, values })
    }
}

/// What one task hands back. Serializable, because the process-pool model ships it through pipes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TaskOutput {
    Unit,
    U64(u64),
    F64(f64),
    Pair(i64, i64),
    Bytes(Vec<u8>),
    F64s(Vec<f64>),
}

impl TaskOutput {
    pub(crate) fn u64(&self) -> u64 {
        match self {
            TaskOutput::U64(v) => *v,
            other => panic!("expected U64 task output, got {other:?}"),
        }
    }
    pub(crate) fn f64(&self) -> f64 {
        match self {
            TaskOutput::F64(v) => *v,
            other => panic!("expected F64 task output, got {other:?}"),
        }
    }
}

/// A workload's answer: its canonical text output and a one-line summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// One line for tables, e.g. "664579 primes".
    pub summary: String,
    /// The canonical output, byte for byte (a binary PBM for mandelbrot, text for the others).
    pub output: Vec<u8>,
}

impl Answer {
    pub fn text(summary: impl Into<String>, output: impl Into<String>) -> Answer {
        Answer {
            summary: summary.into(),
            output: output.into().into_bytes(),
        }
    }

    /// Lower-case hex SHA-256 of the output: how answers are compared without shipping them.
    pub fn sha256(&self) -> String {
        let digest = Sha256::digest(&self.output);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Whether an answer matches a reference known independently of any model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// Checked, with what it was checked against.
    Matches(&'static str),
    /// Checked and wrong, with the expected value.
    Differs(String),
    /// No independent reference for these parameters (the sequential model is the reference).
    None,
}

/// One experiment's workload, built and ready to run: the interface models drive.
pub trait Job: Send + Sync {
    /// Number of stages; each stage's tasks may read what earlier stages produced.
    fn stages(&self) -> usize {
        1
    }
    /// Number of tasks in a stage.
    fn tasks(&self, stage: usize) -> usize;
    /// Time the task waits on the platform (I/O) before computing. Models choose how to wait: a
    /// blocking sleep in threads, a timer in the async loop, with the GIL released in the GIL model.
    fn wait(&self, _stage: usize, _task: usize) -> Option<Duration> {
        None
    }
    /// Computes one task. Long tasks call [`TaskCtx::checkpoint`] now and then, which is where the
    /// GIL model may switch threads.
    fn run(&self, stage: usize, task: usize, ctx: &TaskCtx) -> TaskOutput;
    /// Receives the outputs of a stage, in task order.
    fn end_stage(&mut self, stage: usize, outputs: Vec<TaskOutput>);
    /// The answer, after the last stage.
    fn answer(&self) -> Answer;
    /// What the job's locks counted in the run that just ended (acquisitions per worker,
    /// retries, time blocked), for jobs whose lesson is a lock's fairness or a deadlock.
    fn locks(&self) -> Option<crate::locks::LockCounts> {
        None
    }
    /// Why this job needs memory shared between its tasks (so separate processes cannot run it).
    fn needs_shared_memory(&self) -> Option<&'static str> {
        None
    }
}

/// The one dispatch point from a workload kind to its implementation.
pub fn build(spec: &WorkloadSpec) -> Result<Box<dyn Job>, SpecError> {
    let p = Params::from_spec(spec)?;
    Ok((spec.name.info().build)(&p))
}

/// Checks an answer against an independent reference, where one exists for these parameters:
/// published Benchmarks Game outputs, closed forms, or known tables.
pub fn reference(spec: &WorkloadSpec, answer: &Answer) -> Reference {
    let Ok(p) = Params::from_spec(spec) else {
        return Reference::None;
    };
    (spec.name.info().reference)(&p, answer)
}

/// Compares `answer` with `expected` and names the reference.
pub(crate) fn compare(answer: &Answer, expected: &[u8], what: &'static str) -> Reference {
    if answer.output == expected {
        return Reference::Matches(what);
    }
    // Short text is shown as is; a bitmap or a long text by its digest.
    match std::str::from_utf8(expected) {
        Ok(text) if text.len() <= 200 => Reference::Differs(text.to_string()),
        _ => {
            let digest = Sha256::digest(expected);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            Reference::Differs(format!("{} bytes with sha256 {hex}", expected.len()))
        }
    }
}

/// Splits `0..len` into `parts` contiguous ranges whose sizes differ by at most one.
pub(crate) fn split_range(len: u64, parts: u64, index: u64) -> std::ops::Range<u64> {
    let base = len / parts;
    let extra = len % parts;
    let start = index * base + index.min(extra);
    let size = base + u64::from(index < extra);
    start..start + size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_range_covers_everything_once() {
        for len in [0u64, 1, 7, 100, 101] {
            for parts in [1u64, 2, 3, 7, 64] {
                let mut next = 0;
                for i in 0..parts {
                    let r = split_range(len, parts, i);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, len);
            }
        }
    }
}
