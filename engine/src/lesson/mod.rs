//! Lessons: the claims of the concurrency tutorials ("the GIL stops CPU-bound threads", "tiny
//! tasks drown in overhead"), each as one or more experiments and a verdict computed from what
//! they measured, with the intervals of [`crate::stats`]: a claim *holds* or *does not hold* only
//! when the intervals decide; otherwise the verdict is *inconclusive*, and says why.
//!
//! A lesson is data and two functions: [`Lesson::experiments`] says what to run at a size and
//! on a machine, [`Lesson::judge`] turns the result sets into a [`LessonResult`]. Running is the
//! host's: [`run`] natively, the page through its engine worker, so both judge alike.
//! `catalogue.rs` holds the lessons; `README.md` says how each one decides.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::RunError;
use crate::measure::{Progress, run_experiment};
use crate::model::{ModelKind, RunEnv};
use crate::result::{ModelResult, ResultSet};
use crate::spec::Experiment;

mod catalogue;
mod cpython;

pub use catalogue::LESSONS;
pub use cpython::{
    CPython, CPythonResult, Report, ReportLesson, ReportRow, ReportSet, Request, RequestLesson,
    request,
};

/// What the measurements say about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The intervals show what the claim says.
    Holds,
    /// The intervals show the opposite.
    DoesNotHold,
    /// The intervals do not decide, or the machine cannot show it: the sentence says which.
    Inconclusive,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::DoesNotHold => "does-not-hold",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// How large a lesson's experiments are: `Quick` for tests and a first look (about a second
/// each in a release build), `Full` for figures worth quoting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Quick,
    Full,
}

/// One claim of the tutorials, made an experiment.
#[derive(Debug)]
pub struct Lesson {
    /// Stable name, for links (`#lesson=gil-cpu`) and `native-runner lessons --id`.
    pub id: &'static str,
    /// The claim, in the tutorials' words.
    pub claim: &'static str,
    /// The Python construct the claim is about.
    pub python: &'static str,
    /// What to look at to see why: the timeline, a column, the breakdown.
    pub explanation: &'static str,
    /// The experiments at `size` on a machine with `cores` logical cores.
    experiments: fn(Size, u32) -> Vec<Experiment>,
    /// The verdict from the results, one per experiment in order.
    judge: fn(&[ResultSet], u32) -> Judgement,
    /// How the claim runs in real CPython, where it has a Python side (see `cpython.rs`).
    pub cpython: Option<CPython>,
}

/// A verdict, the sentence that states it with the figures, and the figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub sentence: String,
    pub figures: BTreeMap<String, f64>,
}

/// A lesson as run: the claim, the verdict in words and figures, and every result set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonResult {
    pub id: String,
    pub claim: String,
    pub python: String,
    pub explanation: String,
    pub verdict: Verdict,
    pub sentence: String,
    pub figures: BTreeMap<String, f64>,
    pub results: Vec<ResultSet>,
    /// The same claim tested in real CPython, when it was asked for (`lessons --python`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpython: Option<CPythonResult>,
}

impl LessonResult {
    /// Sets the machine on every result set, ours and CPython's, and assesses their warnings
    /// against it ([`ResultSet::set_machine`]).
    pub fn set_machine(&mut self, machine: &crate::MachineInfo) {
        let python = self
            .cpython
            .as_mut()
            .map_or(&mut [][..], |c| &mut c.results[..]);
        for set in self.results.iter_mut().chain(python) {
            set.set_machine(machine.clone());
        }
    }
}

impl Lesson {
    /// The experiments to run, validated, at `size` on a machine with `cores` logical cores.
    pub fn experiments(&self, size: Size, cores: u32) -> Vec<Experiment> {
        (self.experiments)(size, cores.max(1))
            .into_iter()
            .map(|e| {
                e.validate()
                    .unwrap_or_else(|err| panic!("lesson {}: {err}", self.id))
            })
            .collect()
    }

    /// Judges `results` (one per experiment, in order) measured on `cores` logical cores.
    pub fn judge(&self, results: Vec<ResultSet>, cores: u32) -> LessonResult {
        // A deadlock ends a run early, and is what a lesson on deadlocks measures.
        let j = if results
            .iter()
            .any(|r| r.partial.is_some() && r.error.is_none())
        {
            Judgement::inconclusive("the run was stopped before it finished: no verdict")
        } else {
            (self.judge)(&results, cores.max(1))
        };
        self.result(j, results)
    }

    /// The lesson's result when its experiments could not run here (`why`, in words).
    pub fn could_not_run(&self, why: &str, results: Vec<ResultSet>) -> LessonResult {
        self.result(
            Judgement::inconclusive(format!("it could not run here: {why}")),
            results,
        )
    }

    fn result(&self, j: Judgement, results: Vec<ResultSet>) -> LessonResult {
        LessonResult {
            id: self.id.into(),
            claim: self.claim.into(),
            python: self.python.into(),
            explanation: self.explanation.into(),
            verdict: j.verdict,
            sentence: j.sentence,
            figures: j.figures,
            results,
            cpython: None,
        }
    }
}

/// Every lesson, in the order a learner meets them.
pub fn all() -> &'static [Lesson] {
    &LESSONS
}

/// The lesson called `id`.
pub fn find(id: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.id == id)
}

/// Runs a lesson here: its experiments one after another, then the verdict. A run that cannot
/// start here (a model this host lacks) gives an inconclusive verdict that says why; a run that
/// fails for another reason is an error.
pub fn run(
    lesson: &Lesson,
    size: Size,
    cores: u32,
    env: &RunEnv,
    progress: &mut dyn FnMut(Progress),
) -> Result<LessonResult, RunError> {
    let mut results = Vec::new();
    for exp in lesson.experiments(size, cores) {
        match run_experiment(&exp, env, progress) {
            Ok(r) => results.push(r),
            Err(RunError::Unsupported { reason, .. }) => {
                return Ok(lesson.could_not_run(&reason, results));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(lesson.judge(results, cores))
}

impl Judgement {
    pub(crate) fn new(verdict: Verdict, sentence: impl Into<String>) -> Self {
        Judgement {
            verdict,
            sentence: sentence.into(),
            figures: BTreeMap::new(),
        }
    }

    pub(crate) fn inconclusive(sentence: impl Into<String>) -> Self {
        Judgement::new(Verdict::Inconclusive, sentence)
    }

    pub(crate) fn with(mut self, name: &str, value: f64) -> Self {
        if value.is_finite() {
            self.figures.insert(name.into(), value);
        }
        self
    }
}

/// An estimate and its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Interval {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Interval {
    fn exact(value: f64) -> Self {
        Interval {
            value,
            lo: value,
            hi: value,
        }
    }

    /// A result's speedup over the baseline, with its interval.
    pub fn speedup(r: &ModelResult) -> Option<Interval> {
        let value = r.speedup?;
        Some(match r.speedup_ci {
            Some([lo, hi]) => Interval { value, lo, hi },
            None => Interval::exact(value),
        })
    }

    /// mean(a) / mean(b), with its interval (delta method, see [`crate::stats::ratio_estimate`]).
    pub fn ratio(a: &ModelResult, b: &ModelResult) -> Interval {
        let e = crate::stats::ratio_estimate(&a.times, &b.times);
        match e.ci {
            Some([lo, hi]) => Interval {
                value: e.ratio,
                lo,
                hi,
            },
            None => Interval::exact(e.ratio),
        }
    }

    /// Holds when the whole interval is above `t`, does not when it is below, else undecided.
    pub fn above(&self, t: f64) -> Verdict {
        if self.lo > t {
            Verdict::Holds
        } else if self.hi < t {
            Verdict::DoesNotHold
        } else {
            Verdict::Inconclusive
        }
    }

    /// Holds when the whole interval is below `t`.
    pub fn below(&self, t: f64) -> Verdict {
        match self.above(t) {
            Verdict::Holds => Verdict::DoesNotHold,
            Verdict::DoesNotHold => Verdict::Holds,
            Verdict::Inconclusive => Verdict::Inconclusive,
        }
    }
}

impl std::fmt::Display for Interval {
    /// "0.98 ± 0.02": the estimate and the interval's half-width (the wider side).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let half = (self.hi - self.value).max(self.value - self.lo);
        if half > 0.0 {
            write!(f, "{:.2} ± {:.2}", self.value, half)
        } else {
            write!(f, "{:.2}", self.value)
        }
    }
}

/// The result of `model` with `workers` workers in `set`.
pub(crate) fn result_of(set: &ResultSet, model: ModelKind) -> Option<&ModelResult> {
    set.results.iter().rev().find(|r| r.model == model)
}
