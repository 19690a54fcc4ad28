//! The result schema: what an experiment produced, as `native-runner` exports it, the page
//! imports it and the report reads it. One serde struct per level (a result set, one result per
//! configuration, the note on a partial result), and the CSV form.

use serde::{Deserialize, Serialize};

use crate::breakdown::Breakdown;
use crate::machine::MachineInfo;
use crate::model::{ModelKind, TaskRecord};
use crate::spec::Experiment;
use crate::stats::Summary;
use crate::warning::Warning;
use crate::workload::Answer;

/// The answer of a run, as results carry it: a summary and a digest of the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerInfo {
    pub summary: String,
    pub output_bytes: u64,
    pub sha256: String,
}

impl AnswerInfo {
    /// `a`, described by its `sha256` digest (computed once per distinct answer).
    pub(crate) fn new(a: &Answer, sha256: &str) -> Self {
        AnswerInfo {
            summary: a.summary.clone(),
            output_bytes: a.output.len() as u64,
            sha256: sha256.to_string(),
        }
    }
}

/// Busy time and task count of one worker in the recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerStats {
    pub worker: u32,
    pub tasks: u64,
    /// Seconds spent computing tasks (waits excluded); absent when the timeline was off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busy: Option<f64>,
}

impl WorkerStats {
    /// Every worker that ran a task: its count from `per_worker` and, with the timeline on, its
    /// busy time from the task records. The one place both a finished and a stopped run's
    /// statistics are computed.
    pub fn of(per_worker: &[u64], tasks: &[TaskRecord], timeline: bool) -> Vec<WorkerStats> {
        let mut busy = vec![0.0; per_worker.len()];
        for t in tasks {
            if let Some(b) = busy.get_mut(t.worker as usize) {
                *b += (t.end - t.start - t.wait).max(0.0);
            }
        }
        per_worker
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(w, &n)| WorkerStats {
                worker: w as u32,
                tasks: n,
                busy: timeline.then_some(busy[w]),
            })
            .collect()
    }
}

/// The result of one configuration (model, workers, chunk size).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelResult {
    pub model: ModelKind,
    pub workers: u32,
    /// The chunk size used, for models that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_size: Option<u64>,
    /// Wall time of every repetition, seconds, in the order they ran.
    pub times: Vec<f64>,
    /// Mean, standard deviation, median, min, max and outliers of `times` (outliers are indices
    /// into `times`, flagged and kept in every statistic). Flattened: the JSON has them as
    /// fields of the result.
    #[serde(flatten)]
    pub summary: Summary,
    /// Half-width of the 95% confidence interval of the mean, over the mean (0.02: +-2%).
    /// Absent with one repetition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<f64>,
    /// Sequential mean / this mean. Absent without a baseline.
    pub speedup: Option<f64>,
    /// The speedup's 95% confidence interval, `[lo, hi]` (see [`crate::stats::ratio_estimate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speedup_ci: Option<[f64; 2]>,
    /// Speedup / workers.
    pub efficiency: Option<f64>,
    /// Experimentally determined serial fraction (workers > 1).
    pub karp_flatt: Option<f64>,
    pub answer: AnswerInfo,
    /// Every repetition's answer equals the sequential one and the independent reference, where
    /// those exist; absent when there was nothing to compare with.
    pub verified: Option<bool>,
    /// What the answer was checked against, in words.
    pub verification: String,
    /// Workers that ran at least one task in the recorded run.
    pub workers_used: u32,
    pub worker_stats: Vec<WorkerStats>,
    /// Per-task records of the last repetition; empty when the experiment's timeline was off.
    pub tasks: Vec<TaskRecord>,
    /// Seconds of each run spent keeping the timeline: the tasks times what one record costs,
    /// measured on this machine (`model::record_cost`); absent when the timeline was off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<f64>,
    /// Where the recorded run's workers x wall time went; absent when the timeline was off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<Breakdown>,
    /// What the job's locks counted in the recorded run: acquisitions per worker and their
    /// fairness (Jain's index), try-lock retries, time blocked. Absent for jobs without locks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locks: Option<crate::locks::LockStats>,
    /// The host each worker ran on (worker `w` on `hosts[w]`), for models whose workers may be
    /// on several machines: mpi's ranks. Absent for the others, which run on this machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosts: Option<Vec<String>>,
    /// Why some figures of this result should not be believed as they stand; empty when none
    /// (see [`crate::warning`]).
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

/// Everything one experiment produced: the JSON that `native-runner` exports and the page
/// imports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultSet {
    pub schema_version: u32,
    pub experiment: Experiment,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<MachineInfo>,
    pub results: Vec<ModelResult>,
    /// Present when the experiment did not finish: why, and how far the run that was cut short
    /// got. `results` then holds only the configurations that finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<Partial>,
    /// Present when the run failed in a way the learner should see drawn, not just read: a
    /// deadlock, with its cycle. `partial` then holds how far the run got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
}

/// Why a run failed, as a result carries it: `{"kind": "deadlock", "cycle": [...], "at": s}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    Deadlock(crate::locks::Deadlock),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Deadlock(d) => d.fmt(f),
        }
    }
}

impl ResultSet {
    /// Sets the machine the results were measured on, and assesses the warnings again: a
    /// speedup's plausibility depends on its cores, a run's length on its clock.
    pub fn set_machine(&mut self, machine: MachineInfo) {
        self.machine = Some(machine);
        crate::warning::assess(self);
    }
}

/// A result set's note that the experiment did not finish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// Why it ended early, in words: "stopped", "timed out after 30 s", "interrupted (Ctrl-C)".
    pub reason: String,
    /// The run that was cut short, if one was under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<StoppedRun>,
}

impl Partial {
    /// The note a report prints under a partial result, a line each: why, how far the stopped
    /// run got, and what it was still running.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "PARTIAL RESULT ({}): only the repetitions above finished",
            self.reason
        )];
        if let Some(s) = &self.stopped {
            out.push(format!(
                "stopped: {}, {} worker{}, {} {} of {}, {:.3} s in, {} task{} finished",
                s.model,
                s.workers,
                if s.workers == 1 { "" } else { "s" },
                if s.warmup { "warm-up run" } else { "run" },
                s.run,
                s.runs,
                s.elapsed,
                s.tasks_done,
                if s.tasks_done == 1 { "" } else { "s" },
            ));
            for f in &s.in_flight {
                let what = if f.end > f.task.saturating_add(1) {
                    format!("tasks {}..{}", f.task, f.end)
                } else {
                    format!("task {}", f.task)
                };
                let since = f.since.map_or(String::new(), |t| {
                    format!(", running for {:.3} s", (s.elapsed - t).max(0.0))
                });
                out.push(format!(
                    "  still running: {what} of stage {} on worker {}{since}",
                    f.stage, f.worker
                ));
            }
        }
        out
    }
}

/// The run that was cut short: what finished and what was still running.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoppedRun {
    pub model: ModelKind,
    pub workers: u32,
    /// Which run of its configuration (from 1, warm-ups included) and of how many.
    pub run: u32,
    pub runs: u32,
    pub warmup: bool,
    /// Seconds from the start of the run to the stop.
    pub elapsed: f64,
    /// Tasks finished, all workers together.
    pub tasks_done: u64,
    /// Tasks finished per worker; `busy` only with the timeline on.
    pub worker_stats: Vec<WorkerStats>,
    /// What each worker was running when stopped.
    pub in_flight: Vec<InFlight>,
    /// The finished tasks, by start time (timeline on only).
    pub tasks: Vec<TaskRecord>,
}

/// A task (or, in process-pool, a chunk of tasks) that had started and not finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    pub worker: u32,
    pub stage: u32,
    /// Tasks `task..end` (one task: `end = task + 1`).
    pub task: u32,
    pub end: u32,
    /// When it started, seconds from the start of the run (known with the timeline on, and
    /// always for process-pool chunks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<f64>,
}

/// The CSV form of a result set: one row per configuration, as the native runner and the page
/// export it.
pub fn to_csv(results: &ResultSet) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "workload",
        "n",
        "model",
        "workers",
        "chunk_size",
        "mean",
        "stddev",
        "median",
        "min",
        "max",
        "outliers",
        "speedup",
        "efficiency",
        "karp_flatt",
        "workers_used",
        "verified",
        "answer_sha256",
        "answer",
        "precision",
        "speedup_ci_lo",
        "speedup_ci_hi",
        "warnings",
        "compute_s",
        "overhead_s",
        "wait_s",
        "idle_s",
        "startup_s",
        "recording_s",
    ];
    w.write_record(header).expect("writing to memory");
    let f = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for r in &results.results {
        w.write_record([
            results.experiment.workload.name.to_string(),
            results.experiment.workload.n.to_string(),
            r.model.to_string(),
            r.workers.to_string(),
            r.chunk_size.map_or(String::new(), |c| c.to_string()),
            r.summary.mean.to_string(),
            f(r.summary.stddev),
            r.summary.median.to_string(),
            r.summary.min.to_string(),
            r.summary.max.to_string(),
            r.summary.outliers.len().to_string(),
            f(r.speedup),
            f(r.efficiency),
            f(r.karp_flatt),
            r.workers_used.to_string(),
            r.verified.map_or(String::new(), |v| v.to_string()),
            r.answer.sha256.clone(),
            r.answer.summary.clone(),
            f(r.precision),
            f(r.speedup_ci.map(|c| c[0])),
            f(r.speedup_ci.map(|c| c[1])),
            r.warnings
                .iter()
                .map(|w| w.kind.name())
                .collect::<Vec<_>>()
                .join(";"),
            f(r.breakdown.map(|b| b.compute)),
            f(r.breakdown.map(|b| b.overhead)),
            f(r.breakdown.map(|b| b.wait)),
            f(r.breakdown.map(|b| b.idle)),
            f(r.breakdown.map(|b| b.startup)),
            f(r.recording),
        ])
        .expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("flush to memory")).expect("csv is UTF-8")
}
