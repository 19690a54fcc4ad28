//! Comparing two result sets of the same experiment configuration by configuration: the same
//! experiment on two machines, in the browser and natively, before and after a change.
//!
//! Each configuration both sets ran gets the ratio of the means (A over B) with its 95%
//! interval and the p-value of Welch's t-test on the logarithms of the timings (see
//! [`stats::ratio_estimate`] for why those). A difference is called significant only when the
//! test rejects at 5% *and* the interval excludes 1, so a reader never sees "significant" beside
//! an interval that holds 1.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::ModelKind;
use crate::result::{ModelResult, ResultSet};
use crate::stats;

/// The significance level.
pub const ALPHA: f64 = 0.05;

/// One configuration's comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    pub model: ModelKind,
    pub workers: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_size: Option<u64>,
    /// Mean time in A and in B, seconds.
    pub mean_a: f64,
    pub mean_b: f64,
    /// mean_a / mean_b: above 1, A took longer.
    pub ratio: f64,
    /// The ratio's 95% interval; absent with fewer than two repetitions on a side.
    pub ci: Option<[f64; 2]>,
    pub p_value: Option<f64>,
    pub significant: bool,
}

impl CompareRow {
    /// What a reader may conclude, in a few words: "A slower", "A faster", "no significant
    /// difference", or "no interval (one repetition)".
    pub fn verdict(&self) -> &'static str {
        if self.ci.is_none() {
            "no interval (one repetition)"
        } else if !self.significant {
            "no significant difference"
        } else if self.ratio > 1.0 {
            "A slower"
        } else {
            "A faster"
        }
    }

    /// The comparison in a sentence, naming the two sides `a` and `b`: "A took 1.30 ± 0.04
    /// times as long as B, p < 0.001", or "no significant difference between A and B (A/B
    /// 0.99 ± 0.03, p = 0.41)".
    pub fn sentence(&self, a: &str, b: &str) -> String {
        let ratio = stats::with_interval(self.ratio, self.ci);
        let p = self
            .p_value
            .map_or(String::new(), |p| format!(", p = {}", p_text(p)));
        if self.ci.is_none() {
            format!("{a}/{b} {ratio}: one repetition on a side, so no interval and no verdict")
        } else if self.significant {
            format!("{a} took {ratio} times as long as {b}{p}")
        } else {
            format!("no significant difference between {a} and {b} ({a}/{b} {ratio}{p})")
        }
    }
}

/// A p-value as people read it: "0.03", "< 0.001".
pub fn p_text(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

/// The comparison of two result sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub rows: Vec<CompareRow>,
}

/// Why two result sets cannot be compared.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CompareError {
    #[error("the results describe different experiments: {0}")]
    DifferentExperiments(String),
    #[error("the results have no configuration (model, workers, chunk size) in common")]
    NothingInCommon,
}

fn key(r: &ModelResult) -> (ModelKind, u32, Option<u64>) {
    (r.model, r.workers, r.chunk_size)
}

/// Compares `a` with `b`, configuration by configuration, in `a`'s order.
pub fn compare(a: &ResultSet, b: &ResultSet) -> Result<Comparison, CompareError> {
    let (ea, eb) = (&a.experiment, &b.experiment);
    let differ = |what: &str, x: String, y: String| {
        Err(CompareError::DifferentExperiments(format!(
            "{what} {x} in A, {y} in B"
        )))
    };
    if ea.workload.name != eb.workload.name {
        return differ(
            "workload",
            ea.workload.name.to_string(),
            eb.workload.name.to_string(),
        );
    }
    if ea.workload.n != eb.workload.n {
        return differ("n", ea.workload.n.to_string(), eb.workload.n.to_string());
    }
    if ea.workload.params != eb.workload.params {
        return differ(
            "parameters",
            serde_json::to_string(&ea.workload.params).unwrap_or_default(),
            serde_json::to_string(&eb.workload.params).unwrap_or_default(),
        );
    }
    if ea.model != eb.model {
        return differ(
            "model",
            serde_json::to_string(&ea.model).unwrap_or_default(),
            serde_json::to_string(&eb.model).unwrap_or_default(),
        );
    }
    if ea.timeline != eb.timeline {
        return differ("timeline", ea.timeline.to_string(), eb.timeline.to_string());
    }
    let rows: Vec<CompareRow> = a
        .results
        .iter()
        .filter_map(|ra| {
            let rb = b.results.iter().find(|rb| key(rb) == key(ra))?;
            Some(row(ra, rb))
        })
        .collect();
    if rows.is_empty() {
        return Err(CompareError::NothingInCommon);
    }
    Ok(Comparison { rows })
}

/// Compares two configurations' timings.
pub fn row(a: &ModelResult, b: &ModelResult) -> CompareRow {
    let e = stats::ratio_estimate(&a.times, &b.times);
    CompareRow {
        model: a.model,
        workers: a.workers,
        chunk_size: a.chunk_size,
        mean_a: a.summary.mean,
        mean_b: b.summary.mean,
        ratio: e.ratio,
        ci: e.ci,
        p_value: e.p_value,
        significant: e.p_value.is_some_and(|p| p < ALPHA) && e.significant(),
    }
}
