//! Warnings on figures that should not be believed as they stand, computed from the figures
//! themselves so that every face (the CLI's table, the JSON, the page, the performance report)
//! shows the same ones.
//!
//! A number that cannot be right (a speedup above the cores) or that is mostly noise is never
//! hidden or corrected: it is shown, flagged, with what to do about it.

use serde::{Deserialize, Serialize};

use crate::limits::{AUTO_MAX_REPETITIONS, AUTO_PRECISION};
use crate::model::ModelKind;
use crate::result::{ModelResult, ResultSet};
use crate::spec::Repetitions;
use crate::stats::{self, human_time};
use crate::workload::Bound;

/// Relative standard deviation above which timings are `noisy`.
pub const NOISY_RSD: f64 = 0.05;
/// A run shorter than this many ticks of its clock is `too-short`.
pub const MIN_TIMER_TICKS: f64 = 1000.0;
/// Slack on the cores' limit before a speedup is `implausible-speedup`: 10%, since a parallel
/// run can gain a little from more cache (each core's) than the sequential one had.
pub const SPEEDUP_SLACK: f64 = 1.1;
/// A significant trend is `drift` only when it moves the time by at least this much from the
/// first repetition to the last.
pub const MIN_DRIFT: f64 = 0.05;

/// A timeline whose records cost more than this share of the run is `recording-overhead`.
pub const MAX_RECORDING: f64 = 0.05;

/// What is wrong with a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A speedup (or efficiency) above what the workers and cores can give the computing part.
    ImplausibleSpeedup,
    /// The repetitions vary by more than [`NOISY_RSD`] of their mean.
    Noisy,
    /// A run shorter than [`MIN_TIMER_TICKS`] ticks of the clock that timed it.
    TooShort,
    /// The repetitions trend: the first ones slower (or faster) than the last beyond noise.
    Drift,
    /// `"auto"` repetitions stopped before reaching their precision.
    Budget,
    /// The speedup divides by a baseline that carries one of the warnings above.
    BaselineUnreliable,
    /// Keeping the timeline took more than [`MAX_RECORDING`] of the run: the time is partly
    /// the recording's.
    RecordingOverhead,
}

impl WarningKind {
    pub fn name(self) -> &'static str {
        match self {
            WarningKind::ImplausibleSpeedup => "implausible-speedup",
            WarningKind::Noisy => "noisy",
            WarningKind::TooShort => "too-short",
            WarningKind::Drift => "drift",
            WarningKind::Budget => "budget",
            WarningKind::BaselineUnreliable => "baseline-unreliable",
            WarningKind::RecordingOverhead => "recording-overhead",
        }
    }

    /// Whether a baseline with this warning makes the speedups computed from it unreliable.
    fn taints_baseline(self) -> bool {
        !matches!(self, WarningKind::Budget | WarningKind::BaselineUnreliable)
    }
}

/// One warning: its kind and a sentence with the figures and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
}

fn warn(kind: WarningKind, message: String) -> Warning {
    Warning { kind, message }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The warnings of one result's own timings (not those of its speedup).
fn timing_warnings(r: &ModelResult, rep: Repetitions, timer: Option<f64>) -> Vec<Warning> {
    let mut out = Vec::new();
    if let Some(sd) = r.summary.stddev
        && r.summary.mean > 0.0
        && sd / r.summary.mean > NOISY_RSD
    {
        let rsd = sd / r.summary.mean;
        let need = stats::repetitions_for(rsd, AUTO_PRECISION);
        out.push(warn(
            WarningKind::Noisy,
            format!(
                "noisy: the {} repetitions vary by {} of their mean ({} ± {}); about {need} \
                 repetitions would bring the 95% interval of the mean within 2%",
                r.times.len(),
                pct(rsd),
                human_time(r.summary.mean),
                human_time(sd),
            ),
        ));
    }
    if let Some(res) = timer.filter(|t| *t > 0.0 && t.is_finite())
        && r.summary.mean < MIN_TIMER_TICKS * res
    {
        out.push(warn(
            WarningKind::TooShort,
            format!(
                "too short: {} is under {} ticks of the clock that timed it ({} each), so \
                 the clock's steps are a visible part of it; make n larger",
                human_time(r.summary.mean),
                MIN_TIMER_TICKS,
                human_time(res),
            ),
        ));
    }
    if let Some(rec) = r.recording
        && r.summary.mean > 0.0
        && rec > MAX_RECORDING * r.summary.mean
    {
        let tasks: u64 = r.worker_stats.iter().map(|w| w.tasks).sum();
        out.push(warn(
            WarningKind::RecordingOverhead,
            format!(
                "recording overhead: keeping the timeline cost at least {} of each run ({} of \
                 its {}; {} per task, measured on this machine); turn the timeline off to \
                 time the work alone",
                human_time(rec),
                pct(rec / r.summary.mean),
                human_time(r.summary.mean),
                human_time(rec / tasks.max(1) as f64),
            ),
        ));
    }
    if let Some(change) = stats::drift(&r.times)
        && change.abs() >= MIN_DRIFT
    {
        out.push(warn(
            WarningKind::Drift,
            format!(
                "drift: the repetitions trend, the last ones {} {} than the first (fitted, \
                 beyond noise at the 1% level): something warmed up, or the machine's load \
                 changed during the run",
                pct(change.abs()),
                if change < 0.0 { "faster" } else { "slower" },
            ),
        ));
    }
    if rep == Repetitions::Auto
        && let Some(p) = r.precision
        && p > AUTO_PRECISION
    {
        let why = if r.times.len() as u32 >= AUTO_MAX_REPETITIONS {
            format!("stopped at the most repetitions, {AUTO_MAX_REPETITIONS}")
        } else {
            "the time budget ran out first".to_string()
        };
        out.push(warn(
            WarningKind::Budget,
            format!(
                "budget: {} repetitions reached ±{} (95%), not the ±2% aimed for: {why}",
                r.times.len(),
                pct(p),
            ),
        ));
    }
    out
}

/// Fills in the intervals a result set written before results carried them lacks, from its
/// timings, exactly as a run computes them: the mean's precision, and the speedup's interval
/// against the baseline (the first sequential result), which has none of its own.
fn fill_intervals(set: &mut ResultSet, base: Option<usize>) {
    let base_times = base.map(|b| set.results[b].times.clone());
    for (i, r) in set.results.iter_mut().enumerate() {
        if r.precision.is_none() {
            r.precision = stats::precision(&r.times);
        }
        if r.speedup_ci.is_none()
            && r.speedup.is_some()
            && Some(i) != base
            && let Some(b) = &base_times
        {
            r.speedup_ci = stats::ratio_estimate(b, &r.times).ci;
        }
    }
}

/// (Re)computes every result's warnings from its figures and the machine's, replacing any it
/// had: idempotent, so results read from a file can be assessed again.
pub fn assess(set: &mut ResultSet) {
    // The baseline is the first sequential result, as the run that made them puts it first.
    let base = set
        .results
        .iter()
        .position(|r| r.model == ModelKind::Sequential);
    fill_intervals(set, base);
    let rep = set.experiment.repetitions;
    let waiting = set.experiment.workload.name.info().bound == Bound::Io;
    let cores = set.machine.as_ref().map(|m| m.logical_cores.max(1));
    let timer = set.machine.as_ref().map(|m| m.timer_resolution);
    for r in &mut set.results {
        r.warnings = timing_warnings(r, rep, timer);
    }
    let baseline_issues: Vec<WarningKind> = base
        .map(|b| {
            set.results[b]
                .warnings
                .iter()
                .map(|w| w.kind)
                .filter(|k| k.taints_baseline())
                .collect()
        })
        .unwrap_or_default();
    for (i, r) in set.results.iter_mut().enumerate() {
        let Some(speedup) = r.speedup else { continue };
        if Some(i) == base {
            continue;
        }
        // Waiting overlaps without cores: only the workers bound a sleep's speedup.
        let limit = match (waiting, cores) {
            (false, Some(c)) => r.workers.min(c),
            _ => r.workers,
        };
        let cap = f64::from(limit) * SPEEDUP_SLACK;
        if speedup > cap {
            let why = match (waiting, cores) {
                (false, Some(c)) => format!("{} worker(s) on {c} logical core(s)", r.workers),
                _ => format!("{} worker(s)", r.workers),
            };
            r.warnings.push(warn(
                WarningKind::ImplausibleSpeedup,
                format!(
                    "implausible speedup: {speedup:.2}x (efficiency {:.2}) is more than {why} \
                     can give ({cap:.2}x with 10% slack); the baseline or this run was \
                     disturbed, so neither figure is a lesson",
                    speedup / f64::from(r.workers.max(1)),
                ),
            ));
        }
        if !baseline_issues.is_empty() {
            let names: Vec<&str> = baseline_issues.iter().map(|k| k.name()).collect();
            r.warnings.push(warn(
                WarningKind::BaselineUnreliable,
                format!(
                    "baseline unreliable: the sequential baseline this speedup divides by is \
                     flagged {}; the speedup inherits its error",
                    names.join(", ")
                ),
            ));
        }
    }
}
