//! The experiment spec: one serde type that says everything a run needs, so the browser, the
//! native runner and a share link describe exactly the same experiment.
//!
//! Decoding is strict. Unknown fields, unknown versions and out-of-range values are errors, never
//! ignored or clamped, because a link that silently ran something else than its sender ran would
//! make every comparison built on it wrong. [`Experiment::validate`] also fills in every default,
//! so the JSON and the link of a validated experiment pin all parameters.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{ListError, SpecError};
use crate::limits::{
    AUTO_MIN_REPETITIONS, DEFAULT_BUDGET_S, DEFAULT_SCHEDULE, DEFAULT_SWITCH_INTERVAL_MS,
    DEFAULT_SYNC, MAX_BUDGET_S, MAX_CHUNK_SIZE, MAX_REPETITIONS, MAX_SWEEP_POINTS,
    MAX_SWITCH_INTERVAL_MS, MAX_WARMUPS, MAX_WORKERS, MIN_BUDGET_S, MIN_SWITCH_INTERVAL_MS,
};
use crate::model::{Host, ModelKind, ModelOption};
use crate::workload::{Params, WorkloadKind, check_param, default_value};

/// The version of the spec this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A parameter value: a whole number, a real number or a word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Int(u64),
    Float(f64),
    Text(String),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Int(v) => write!(f, "{v}"),
            ParamValue::Float(v) => write!(f, "{v}"),
            ParamValue::Text(v) => write!(f, "{v}"),
        }
    }
}

impl ParamValue {
    /// Reads a value as typed on a command line or in a form: a whole number, else a real, else a
    /// word.
    pub fn parse(text: &str) -> ParamValue {
        if let Ok(v) = text.parse::<u64>() {
            ParamValue::Int(v)
        } else if let Some(v) = whole_in_exponent_form(text) {
            ParamValue::Int(v)
        } else if let Ok(v) = text.parse::<f64>() {
            ParamValue::Float(v)
        } else {
            ParamValue::Text(text.to_string())
        }
    }
}

/// `1e6` as 1000000: sizes are written that way by people and by Python (`10**6` is `1e6` in a
/// float literal). Only the exponent form of a whole number that fits; `2.5e0` stays a real.
fn whole_in_exponent_form(text: &str) -> Option<u64> {
    if !text.contains(['e', 'E']) {
        return None;
    }
    let v = text.parse::<f64>().ok()?;
    // Exact up to 2^53; beyond that a float literal cannot name one whole number.
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0)
        .then_some(v as u64)
}

/// How many timed repetitions each configuration gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repetitions {
    Fixed(u32),
    /// Until the 95% confidence interval of each mean is within [`crate::limits::AUTO_PRECISION`] of it,
    /// between [`AUTO_MIN_REPETITIONS`] and [`crate::limits::AUTO_MAX_REPETITIONS`], within the budget.
    Auto,
}

impl Repetitions {
    /// The repetitions a run plans before it has measured anything: the fixed count, or the
    /// fewest `auto` takes.
    pub fn planned(self) -> u32 {
        match self {
            Repetitions::Fixed(n) => n,
            Repetitions::Auto => AUTO_MIN_REPETITIONS,
        }
    }
}

impl fmt::Display for Repetitions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repetitions::Fixed(n) => write!(f, "{n}"),
            Repetitions::Auto => f.write_str("auto"),
        }
    }
}

impl std::str::FromStr for Repetitions {
    type Err = String;

    /// A whole number or `auto`, as typed on a command line or in a form.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("auto") {
            return Ok(Repetitions::Auto);
        }
        s.parse::<u32>()
            .map(Repetitions::Fixed)
            .map_err(|_| format!("expected a whole number or \"auto\", got \"{s}\""))
    }
}

impl Serialize for Repetitions {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Repetitions::Fixed(n) => s.serialize_u32(*n),
            Repetitions::Auto => s.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for Repetitions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Repetitions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number of repetitions or \"auto\"")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Repetitions, E> {
                u32::try_from(v)
                    .map(Repetitions::Fixed)
                    .map_err(|_| E::custom(format!("repetitions {v} is too large")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Repetitions, E> {
                if v == "auto" {
                    Ok(Repetitions::Auto)
                } else {
                    Err(E::custom(format!(
                        "repetitions must be a whole number or \"auto\", got \"{v}\""
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Which workload, at what size, with which parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    pub name: WorkloadKind,
    pub n: u64,
    #[serde(default)]
    pub params: BTreeMap<String, ParamValue>,
}

impl WorkloadSpec {
    /// The workload at its default size and parameters.
    pub fn new(name: WorkloadKind) -> WorkloadSpec {
        let mut params = BTreeMap::new();
        for def in name.info().params {
            params.insert(def.name.to_string(), default_value(def));
        }
        let n = match name.info().size.kind {
            crate::limits::ParamKind::Int { default, .. } => default,
            _ => unreachable!("n is an integer"),
        };
        WorkloadSpec { name, n, params }
    }

    /// Sets a parameter by name (`n` included), checking it against its limits.
    pub fn set(&mut self, key: &str, value: ParamValue) -> Result<(), SpecError> {
        if key == "n" {
            let def = &self.name.info().size;
            match check_param(self.name, def, &value)? {
                ParamValue::Int(n) => self.n = n,
                _ => unreachable!(),
            }
            return Ok(());
        }
        let def = self
            .name
            .info()
            .params
            .iter()
            .find(|d| d.name == key)
            .ok_or_else(|| SpecError::UnknownParam {
                workload: self.name.name().into(),
                param: key.into(),
            })?;
        let v = check_param(self.name, def, &value)?;
        self.params.insert(key.to_string(), v);
        Ok(())
    }
}

/// The order in which results reach the caller, where the model has a caller waiting on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    /// In task order, like `Pool.map` / `Pool.imap` / `asyncio.gather`.
    Ordered,
    /// As tasks finish, like `Pool.imap_unordered` / `as_completed`.
    Completion,
}

/// How the shared-state model synchronizes its shared results array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncKind {
    /// One lock around the array and the next-task index (`multiprocessing.Array` + `Lock`).
    Lock,
    /// An atomic next-task index and write-once slots: no lock at all.
    Atomic,
}

/// How the mpi model hands chunks to ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Schedule {
    /// Every chunk dealt round-robin before the run, results gathered at the end: `Pool.map`'s
    /// shape, mpi4py's `comm.scatter` / `comm.gather`.
    Static,
    /// Rank 0 hands out the next chunk as each rank sends a result back: `imap_unordered`'s
    /// shape, an mpi4py master/worker loop with `comm.send` / `comm.recv`.
    Dynamic,
}

/// A deliberate fault, for checking that failures are reported and cleaned up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// The task (of the first stage) that fails.
    pub task: u64,
    pub kind: FaultKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// The task panics.
    Panic,
    /// The worker process exits abruptly (process-pool only).
    Exit,
    /// The task never returns, ignoring cancellation: a stuck task, for checking that Stop and
    /// `--timeout` still end the run and keep what it did.
    Hang,
}

/// Which model, with its options. Options a model does not have are errors, not ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    pub name: ModelKind,
    /// Tasks per chunk handed to a worker. None: the model's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
    /// GIL model: how long a thread may hold the GIL while another waits (CPython's
    /// `sys.setswitchinterval`, default 5 ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch_interval_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncKind>,
    /// mpi model: chunks dealt before the run, or handed out as ranks finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
}

impl ModelSpec {
    /// The model with its default options filled in (order, switch interval, sync), as a
    /// validated spec has them.
    pub fn defaults(name: ModelKind) -> ModelSpec {
        validate_model(&ModelSpec::new(name)).expect("a model's defaults are valid")
    }

    pub fn new(name: ModelKind) -> ModelSpec {
        ModelSpec {
            name,
            chunk_size: None,
            order: None,
            switch_interval_ms: None,
            sync: None,
            schedule: None,
            fault: None,
        }
    }
}

/// What a sweep varies. Other settings stay as in the experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Sweep {
    Workers(Vec<u32>),
    ChunkSize(Vec<u64>),
    /// The same workload and workers through each of these models, with each model's default
    /// options (the experiment's own model keeps its options): "gil against a thread pool".
    Models(Vec<ModelKind>),
}

/// One experiment: the unit a link shares and a run reproduces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    pub schema_version: u32,
    pub workload: WorkloadSpec,
    pub model: ModelSpec,
    pub workers: u32,
    /// Timed repetitions of every configuration, or `"auto"`: as many as bring the 95%
    /// interval of each mean within 2% of it (between 3 and 50), within `budget_s`.
    #[serde(default = "default_repetitions")]
    pub repetitions: Repetitions,
    /// With `"auto"` repetitions: the seconds after which no new round starts (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_s: Option<f64>,
    #[serde(default = "default_warmups")]
    pub warmups: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<Sweep>,
    /// Also run the sequential model, for speedup and to verify the answer against it.
    #[serde(default = "default_true")]
    pub baseline: bool,
    /// Keep a record per task: the timeline. Off, workers only count their tasks and no clock is
    /// read per task, which is how per-task overhead of tiny tasks is measured and how runs of
    /// millions of tasks stay small.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub timeline: bool,
}

fn is_true(v: &bool) -> bool {
    *v
}

fn default_repetitions() -> Repetitions {
    Repetitions::Fixed(5)
}
fn default_warmups() -> u32 {
    1
}
fn default_true() -> bool {
    true
}

fn out_of_range(
    field: &str,
    value: impl fmt::Display,
    min: impl fmt::Display,
    max: impl fmt::Display,
) -> SpecError {
    SpecError::OutOfRange {
        field: field.into(),
        value: value.to_string(),
        min: min.to_string(),
        max: max.to_string(),
    }
}

impl Experiment {
    /// The default experiment for a workload and model.
    pub fn new(workload: WorkloadKind, model: ModelKind, workers: u32) -> Experiment {
        Experiment {
            schema_version: SCHEMA_VERSION,
            workload: WorkloadSpec::new(workload),
            model: ModelSpec::new(model),
            workers,
            repetitions: default_repetitions(),
            budget_s: None,
            warmups: default_warmups(),
            sweep: None,
            baseline: true,
            timeline: true,
        }
    }

    /// Reads and validates an experiment from its JSON form.
    pub fn from_json(text: &str) -> Result<Experiment, SpecError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| SpecError::Json(e.to_string()))?;
        // The version is checked before the shape, so a spec from a newer build gets "unsupported
        // version" rather than a confusing complaint about a field this build has never heard of.
        match value.get("schema_version") {
            None => return Err(SpecError::MissingVersion),
            Some(v) => match v.as_u64() {
                Some(v) if v == u64::from(SCHEMA_VERSION) => {}
                Some(v) => {
                    return Err(SpecError::UnsupportedVersion {
                        found: v,
                        supported: SCHEMA_VERSION,
                    });
                }
                None => {
                    return Err(SpecError::Invalid {
                        field: "schema_version".into(),
                        reason: format!("expected a whole number, got {v}"),
                    });
                }
            },
        }
        // Unknown names get their own errors rather than serde's list of variants.
        if let Some(name) = value.pointer("/workload/name").and_then(|v| v.as_str()) {
            name.parse::<WorkloadKind>()?;
        }
        if let Some(name) = value.pointer("/model/name").and_then(|v| v.as_str()) {
            name.parse::<ModelKind>()?;
        }
        let exp: Experiment =
            serde_json::from_value(value).map_err(|e| SpecError::Json(e.to_string()))?;
        exp.validate()
    }

    /// The readable JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an experiment always serializes")
    }

    /// Checks every field against its limits and fills in every default. Returns the canonical
    /// experiment.
    pub fn validate(&self) -> Result<Experiment, SpecError> {
        let mut exp = self.clone();
        if exp.schema_version != SCHEMA_VERSION {
            return Err(SpecError::UnsupportedVersion {
                found: u64::from(exp.schema_version),
                supported: SCHEMA_VERSION,
            });
        }
        // Workload: typed, in range, defaults filled.
        Params::from_spec(&exp.workload)?;
        for def in exp.workload.name.info().params {
            let v = match exp.workload.params.get(def.name) {
                Some(v) => check_param(exp.workload.name, def, v)?,
                None => default_value(def),
            };
            exp.workload.params.insert(def.name.to_string(), v);
        }
        if exp.workers < 1 || exp.workers > MAX_WORKERS {
            return Err(out_of_range("workers", exp.workers, 1, MAX_WORKERS));
        }
        match exp.repetitions {
            Repetitions::Fixed(r) => {
                if !(1..=MAX_REPETITIONS).contains(&r) {
                    return Err(out_of_range("repetitions", r, 1, MAX_REPETITIONS));
                }
                if exp.budget_s.is_some() {
                    return Err(SpecError::Invalid {
                        field: "budget_s".into(),
                        reason: "applies only with repetitions \"auto\"".into(),
                    });
                }
            }
            Repetitions::Auto => {
                let b = *exp.budget_s.get_or_insert(DEFAULT_BUDGET_S);
                if !(MIN_BUDGET_S..=MAX_BUDGET_S).contains(&b) {
                    return Err(out_of_range("budget_s", b, MIN_BUDGET_S, MAX_BUDGET_S));
                }
            }
        }
        if exp.warmups > MAX_WARMUPS {
            return Err(out_of_range("warmups", exp.warmups, 0, MAX_WARMUPS));
        }
        exp.model = validate_model(&exp.model)?;
        let sequential = exp.model.name == ModelKind::Sequential;
        if sequential && exp.workers != 1 {
            return Err(SpecError::Invalid {
                field: "workers".into(),
                reason: format!(
                    "sequential runs on one thread, so workers must be 1 (got {})",
                    exp.workers
                ),
            });
        }
        if sequential && matches!(exp.sweep, Some(Sweep::Workers(_))) {
            return Err(SpecError::OptionNotApplicable {
                option: "sweep.workers".into(),
                model: "sequential".into(),
            });
        }
        match &exp.sweep {
            None => {}
            Some(Sweep::Workers(list)) => {
                check_sweep_len("sweep.workers", list.len())?;
                for w in list {
                    if *w < 1 || *w > MAX_WORKERS {
                        return Err(out_of_range("sweep.workers", w, 1, MAX_WORKERS));
                    }
                }
            }
            Some(Sweep::Models(list)) => {
                check_sweep_len("sweep.models", list.len())?;
                for (i, m) in list.iter().enumerate() {
                    if *m == ModelKind::Sequential {
                        return Err(SpecError::Invalid {
                            field: "sweep.models".into(),
                            reason: "sequential is the baseline every model is compared with; list the others".into(),
                        });
                    }
                    if list[..i].contains(m) {
                        return Err(SpecError::Invalid {
                            field: "sweep.models".into(),
                            reason: format!("{m} is listed twice"),
                        });
                    }
                }
            }
            Some(Sweep::ChunkSize(list)) => {
                check_sweep_len("sweep.chunk_size", list.len())?;
                if exp.model.name.info().chunks.is_none() {
                    return Err(SpecError::OptionNotApplicable {
                        option: "sweep.chunk_size".into(),
                        model: exp.model.name.to_string(),
                    });
                }
                for c in list {
                    if *c < 1 || *c > MAX_CHUNK_SIZE {
                        return Err(out_of_range("sweep.chunk_size", c, 1, MAX_CHUNK_SIZE));
                    }
                }
            }
        }
        Ok(exp)
    }
}

/// Parses a list of sweep values as the CLI and the page both accept them: one number ("4"), a
/// list ("1,2,4") or an inclusive range ("1..4", also written "1..=4").
pub fn parse_list(text: &str) -> Result<Vec<u64>, ListError> {
    let bad = || ListError::NotAList(text.to_string());
    if let Some((a, b)) = text.split_once("..") {
        let a: u64 = a.trim().parse().map_err(|_| bad())?;
        let b: u64 = b
            .trim()
            .trim_start_matches('=')
            .parse()
            .map_err(|_| bad())?;
        if a > b || b - a >= MAX_SWEEP_POINTS as u64 {
            return Err(ListError::BadRange(text.to_string()));
        }
        return Ok((a..=b).collect());
    }
    text.split(',')
        .map(|p| p.trim().parse().map_err(|_| bad()))
        .collect()
}

fn check_sweep_len(field: &str, len: usize) -> Result<(), SpecError> {
    if len == 0 || len > MAX_SWEEP_POINTS {
        return Err(SpecError::Invalid {
            field: field.into(),
            reason: format!("needs 1 to {MAX_SWEEP_POINTS} values, got {len}"),
        });
    }
    Ok(())
}

fn validate_model(m: &ModelSpec) -> Result<ModelSpec, SpecError> {
    let kind = m.name;
    let info = kind.info();
    let not_applicable = |option: &str| SpecError::OptionNotApplicable {
        option: option.into(),
        model: kind.to_string(),
    };
    if let Some(c) = m.chunk_size {
        if info.chunks.is_none() {
            return Err(not_applicable("chunk_size"));
        }
        if !(1..=MAX_CHUNK_SIZE).contains(&c) {
            return Err(out_of_range("model.chunk_size", c, 1, MAX_CHUNK_SIZE));
        }
    }
    let mut out = m.clone();
    match m.order {
        Some(_) if info.order.is_none() => return Err(not_applicable("order")),
        None => out.order = info.order,
        _ => {}
    }
    match m.switch_interval_ms {
        Some(_) if info.option != Some(ModelOption::SwitchInterval) => {
            return Err(not_applicable("switch_interval_ms"));
        }
        Some(v) if !(MIN_SWITCH_INTERVAL_MS..=MAX_SWITCH_INTERVAL_MS).contains(&v) => {
            return Err(out_of_range(
                "model.switch_interval_ms",
                v,
                MIN_SWITCH_INTERVAL_MS,
                MAX_SWITCH_INTERVAL_MS,
            ));
        }
        None if info.option == Some(ModelOption::SwitchInterval) => {
            out.switch_interval_ms = Some(DEFAULT_SWITCH_INTERVAL_MS);
        }
        _ => {}
    }
    match m.sync {
        Some(_) if info.option != Some(ModelOption::Sync) => return Err(not_applicable("sync")),
        None if info.option == Some(ModelOption::Sync) => out.sync = Some(DEFAULT_SYNC),
        _ => {}
    }
    match m.schedule {
        Some(_) if info.option != Some(ModelOption::Schedule) => {
            return Err(not_applicable("schedule"));
        }
        None if info.option == Some(ModelOption::Schedule) => out.schedule = Some(DEFAULT_SCHEDULE),
        _ => {}
    }
    if let Some(f) = m.fault
        && f.kind == FaultKind::Exit
        && info.host != Host::Processes
    {
        {
            return Err(SpecError::Invalid {
                field: "model.fault.kind".into(),
                reason:
                    "exit applies to process-pool only (other models have no worker process to end)"
                        .into(),
            });
        }
    }
    Ok(out)
}
