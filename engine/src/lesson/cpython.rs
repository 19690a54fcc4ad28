//! The lessons in real CPython, beside our models.
//!
//! A lesson with a Python side ([`CPython`]) is run twice: by our models, and by the construct
//! the tutorials teach, in a real interpreter (`bench/python/lessons.py`, run by the native
//! runner). The interpreter gets the lesson's own experiments, with the CPU-bound size divided
//! by [`CPython::scale`] so that a run takes about as long as ours, and answers with timings
//! per row. Each row names the model it stands beside (threads under the GIL are `gil`,
//! `multiprocessing.Pool` is `process-pool`), so [`Lesson::judge_cpython`] turns the rows into
//! result sets and judges them with the lesson's own predicate: one verdict rule, two
//! implementations measured by it.
//!
//! Nothing here starts a process: the engine also runs in the browser, which has no Python.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Lesson, LessonResult, Size, Verdict};
use crate::model::{ModelKind, TaskRecord};
use crate::result::{AnswerInfo, ModelResult, ResultSet};
use crate::spec::{Experiment, Repetitions};

/// How a lesson runs in CPython.
#[derive(Debug)]
pub struct CPython {
    /// The lesson's workload size is divided by this for CPython, whose interpreter does each
    /// step of CPU-bound work tens of times slower than compiled code (1 where the work is
    /// waiting or tiny tasks).
    pub scale: u64,
    /// Where our emulation differs from CPython for this claim, in words.
    pub differs: &'static str,
}

/// Repetitions CPython runs where our lesson would repeat until precise: the script times a
/// fixed number.
const FULL_REPETITIONS: u32 = 10;

/// What `lessons.py` reads on stdin.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub lessons: Vec<RequestLesson>,
}

/// One lesson to run in CPython, with its experiments sized for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestLesson {
    pub id: String,
    pub experiments: Vec<Experiment>,
}

/// What `lessons.py` answers on stdout.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// `platform.python_implementation()`: "CPython", or another interpreter that ran it.
    pub implementation: String,
    pub version: String,
    pub lessons: Vec<ReportLesson>,
}

impl Report {
    /// "CPython 3.11.7".
    pub fn interpreter(&self) -> String {
        format!("{} {}", self.implementation, self.version)
    }
}

/// One lesson's rows, one set per experiment, or why it could not run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportLesson {
    pub id: String,
    #[serde(default)]
    pub sets: Vec<ReportSet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportSet {
    pub rows: Vec<ReportRow>,
}

/// One construct's timings in CPython, under the name of the model it stands beside.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportRow {
    pub model: ModelKind,
    pub workers: u32,
    #[serde(default)]
    pub chunk_size: Option<u64>,
    /// Seconds per repetition.
    pub times: Vec<f64>,
    /// The answer in the engine's words ("counter 9 of 10, 1 updates lost").
    pub answer: String,
    /// Whether every repetition's answer was right; absent when there is nothing to check.
    #[serde(default)]
    pub verified: Option<bool>,
    /// Task indices in the order the caller received them, where that is the lesson.
    #[serde(default)]
    pub delivered: Option<Vec<u32>>,
}

/// A lesson's verdict in CPython, beside ours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CPythonResult {
    /// "CPython 3.11.7".
    pub interpreter: String,
    pub verdict: Verdict,
    pub sentence: String,
    pub figures: BTreeMap<String, f64>,
    /// The two implementations' figures side by side, and how much slower CPython did the same
    /// work, measured.
    pub beside: String,
    /// Where our emulation differs, in words.
    pub differs: String,
    /// CPython's timings as result sets (one per experiment; no timeline).
    pub results: Vec<ResultSet>,
}

impl Lesson {
    /// The experiments CPython runs for this lesson, or `None` where the lesson has no Python
    /// side: ours, with the size divided by [`CPython::scale`] and fixed repetitions.
    pub fn cpython_experiments(&self, size: Size, cores: u32) -> Option<Vec<Experiment>> {
        let side = self.cpython.as_ref()?;
        Some(
            self.experiments(size, cores)
                .into_iter()
                .map(|mut e| {
                    e.workload.n = (e.workload.n / side.scale).max(1);
                    if e.repetitions == Repetitions::Auto {
                        e.repetitions = Repetitions::Fixed(FULL_REPETITIONS);
                        e.budget_s = None;
                    }
                    e.validate()
                        .unwrap_or_else(|err| panic!("lesson {} in CPython: {err}", self.id))
                })
                .collect(),
        )
    }

    /// Judges CPython's rows for this lesson (run from `experiments`, as
    /// [`Lesson::cpython_experiments`] gave them) with the lesson's own predicate, and sets
    /// them beside `ours`.
    pub fn judge_cpython(
        &self,
        experiments: Vec<Experiment>,
        report: &ReportLesson,
        interpreter: &str,
        ours: &LessonResult,
        cores: u32,
    ) -> CPythonResult {
        let failed = |why: String| self.cpython_failed(interpreter, &why);
        if let Some(e) = &report.error {
            return failed(e.clone());
        }
        if report.sets.len() != experiments.len() {
            return failed(format!(
                "it answered {} result sets for {} experiments",
                report.sets.len(),
                experiments.len()
            ));
        }
        let mut sets: Vec<ResultSet> = experiments
            .into_iter()
            .zip(&report.sets)
            .map(|(experiment, set)| result_set(experiment, set))
            .collect();
        if let Some(bad) = sets
            .iter()
            .flat_map(|s| &s.results)
            .find(|r| r.times.is_empty())
        {
            return failed(format!("its {} row has no timings", bad.model));
        }
        for s in &mut sets {
            crate::warning::assess(s);
        }
        let judged = self.judge(sets, cores);
        CPythonResult {
            interpreter: interpreter.to_string(),
            beside: beside(interpreter, &judged, ours),
            verdict: judged.verdict,
            sentence: judged.sentence,
            figures: judged.figures,
            differs: self.differs(),
            results: judged.results,
        }
    }

    /// CPython's side when it could not run (`why`, in words): inconclusive, and says why.
    pub fn cpython_failed(&self, interpreter: &str, why: &str) -> CPythonResult {
        CPythonResult {
            interpreter: interpreter.to_string(),
            verdict: Verdict::Inconclusive,
            sentence: format!("{interpreter} could not run it: {why}"),
            figures: BTreeMap::new(),
            beside: String::new(),
            differs: self.differs(),
            results: Vec::new(),
        }
    }

    fn differs(&self) -> String {
        self.cpython.as_ref().map_or("", |c| c.differs).to_string()
    }
}

/// The request for `lessons.py`: each lesson with its CPython experiments.
pub fn request<'a>(lessons: impl IntoIterator<Item = (&'a Lesson, Vec<Experiment>)>) -> Request {
    Request {
        lessons: lessons
            .into_iter()
            .map(|(l, experiments)| RequestLesson {
                id: l.id.to_string(),
                experiments,
            })
            .collect(),
    }
}

/// CPython's rows as a result set: timings, speedups over its own sequential row, answers and
/// (for the `order` lesson) the delivery order; no timeline or breakdown.
fn result_set(experiment: Experiment, set: &ReportSet) -> ResultSet {
    let base = set
        .rows
        .iter()
        .find(|r| r.model == ModelKind::Sequential && !r.times.is_empty())
        .map(|r| crate::stats::summarize(&r.times).mean);
    let results = set
        .rows
        .iter()
        .filter(|r| !r.times.is_empty())
        .map(|r| {
            let summary = crate::stats::summarize(&r.times);
            let speedup = base.map(|b| b / summary.mean);
            let tasks = r.delivered.as_ref().map_or_else(Vec::new, |order| {
                order
                    .iter()
                    .zip(0u32..)
                    .map(|(&task, position)| TaskRecord {
                        stage: 0,
                        task,
                        worker: 0,
                        start: 0.0,
                        end: 0.0,
                        wait: 0.0,
                        blocked: 0.0,
                        delivered: None,
                        delivered_index: Some(position),
                    })
                    .collect()
            });
            ModelResult {
                model: r.model,
                workers: r.workers,
                chunk_size: r.chunk_size,
                times: r.times.clone(),
                summary,
                precision: None,
                speedup,
                speedup_ci: None,
                efficiency: speedup.map(|s| s / f64::from(r.workers.max(1))),
                karp_flatt: speedup.and_then(|s| crate::stats::karp_flatt(s, r.workers)),
                answer: AnswerInfo {
                    summary: r.answer.clone(),
                    output_bytes: 0,
                    sha256: String::new(),
                },
                verified: r.verified,
                verification: "checked by the Python side against the workload's reference".into(),
                workers_used: r.workers,
                worker_stats: Vec::new(),
                tasks,
                recording: None,
                breakdown: None,
                locks: None,
                hosts: None,
                warnings: Vec::new(),
            }
        })
        .collect();
    ResultSet {
        schema_version: crate::spec::SCHEMA_VERSION,
        experiment,
        machine: None,
        results,
        partial: None,
        error: None,
    }
}

/// "CPython 3.11.7: speedup 0.62; ours 0.98. The same work took 41 times as long in CPython."
fn beside(interpreter: &str, py: &LessonResult, ours: &LessonResult) -> String {
    let headline = |k: &str| !(k.ends_with("_lo") || k.ends_with("_hi") || k == "workers");
    let pairs: Vec<String> = py
        .figures
        .iter()
        .filter(|(k, _)| headline(k))
        .filter_map(|(k, v)| {
            let o = ours.figures.get(k)?;
            Some(format!(
                "{} {} in {interpreter}, {} in ours",
                k.trim_end_matches("_s").replace('_', " "),
                figure(k, *v),
                figure(k, *o)
            ))
        })
        .collect();
    let mut out = if pairs.is_empty() {
        String::new()
    } else {
        format!("{}.", capitalize(&pairs.join("; ")))
    };
    if let Some(times) = per_unit(py).zip(per_unit(ours)).map(|(p, o)| p / o) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&format!(
            "Sequentially, each unit of the same work took {} times as long in {interpreter} as in ours.",
            figure("", times)
        ));
    }
    out
}

/// The sequential run's seconds per unit of the workload's size, in the lesson's first set.
fn per_unit(r: &LessonResult) -> Option<f64> {
    let set = r.results.first()?;
    let seq = set
        .results
        .iter()
        .find(|m| m.model == ModelKind::Sequential)?;
    Some(seq.summary.mean / set.experiment.workload.n.max(1) as f64)
}

/// A figure called `name` in words: seconds (`_s`) as a time, whole or large numbers without
/// decimals, others with two.
fn figure(name: &str, v: f64) -> String {
    if name.ends_with("_s") {
        crate::stats::human_time(v)
    } else if v.fract() == 0.0 || v.abs() >= 10.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
