//! Running an experiment: warm-ups and repetitions of every configuration, timings summarized,
//! answers verified, speedups against the sequential baseline, and one serde result type.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::RunError;
use crate::journal::{Journal, Partial};
use crate::machine::MachineInfo;
use crate::model::{ModelKind, RunConfig, RunEnv, RunOutcome, TaskRecord, run_once};
use crate::spec::{Experiment, ModelSpec, SCHEMA_VERSION, Sweep};
use crate::stats::{Summary, karp_flatt, summarize};
use crate::workload::{self, Answer, Reference};

/// The answer of a run, as results carry it: a summary and a digest of the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerInfo {
    pub summary: String,
    pub output_bytes: u64,
    pub sha256: String,
}

impl From<&Answer> for AnswerInfo {
    fn from(a: &Answer) -> Self {
        AnswerInfo {
            summary: a.summary.clone(),
            output_bytes: a.output.len() as u64,
            sha256: a.sha256(),
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
    pub mean: f64,
    pub stddev: Option<f64>,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Indices into `times` flagged as outliers (kept in every statistic).
    pub outliers: Vec<usize>,
    /// Sequential mean / this mean. Absent without a baseline.
    pub speedup: Option<f64>,
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
}

/// Progress of an experiment, for progress bars.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// A configuration starts: `index` of `total`, with its repetitions (warm-ups included).
    Config {
        index: usize,
        total: usize,
        model: ModelKind,
        workers: u32,
        runs: u32,
    },
    /// One run of the current configuration finished.
    Run { done: u32, runs: u32 },
}

/// The configurations an experiment runs, baseline first.
pub fn configurations(exp: &Experiment) -> Vec<RunConfig> {
    let mut out = Vec::new();
    if exp.baseline && exp.model.name != ModelKind::Sequential {
        out.push(RunConfig {
            workload: exp.workload.clone(),
            model: ModelSpec::new(ModelKind::Sequential),
            workers: 1,
            timeline: exp.timeline,
        });
    }
    let base = RunConfig {
        workload: exp.workload.clone(),
        model: exp.model.clone(),
        workers: exp.workers as usize,
        timeline: exp.timeline,
    };
    match &exp.sweep {
        None => out.push(base),
        Some(Sweep::Workers(list)) => out.extend(list.iter().map(|&w| RunConfig {
            workers: w as usize,
            ..base.clone()
        })),
        Some(Sweep::ChunkSize(list)) => out.extend(list.iter().map(|&c| {
            let mut cfg = base.clone();
            cfg.model.chunk_size = Some(c);
            cfg
        })),
    }
    out
}

/// An experiment in progress, whoever runs its configurations: [`run_experiment`] runs them
/// here with [`run_once`]; the page runs some on its Web Workers and reports the outcomes back.
/// Statistics, verification and speedups are computed here either way.
pub struct ExperimentRun {
    exp: Experiment,
    configs: Vec<RunConfig>,
    results: Vec<ModelResult>,
    baseline: Option<(f64, String)>,
    /// Reference verdicts by answer digest: every configuration of an experiment has the same
    /// workload, and a reference can be costly (a sieve up to 10^8), so each is computed once.
    references: Vec<(String, Reference)>,
    /// Where the host can read how far the experiment got.
    journal: Option<Arc<Journal>>,
}

impl ExperimentRun {
    pub fn new(exp: &Experiment) -> Self {
        ExperimentRun {
            configs: configurations(exp),
            exp: exp.clone(),
            results: Vec::new(),
            baseline: None,
            references: Vec::new(),
            journal: None,
        }
    }

    /// Keeps `journal` up to date as the experiment goes, so that a host that stops it can
    /// still report what it did ([`Journal::partial`]).
    pub fn with_journal(mut self, journal: Arc<Journal>) -> Self {
        journal.clear();
        self.journal = Some(journal);
        self
    }

    /// Run `run` (from 0, warm-ups included) of configuration `index` starts.
    pub fn run_starting(&self, index: usize, run: u32) {
        if let Some(j) = &self.journal {
            let cfg = &self.configs[index];
            j.run_starting(
                cfg.model.name,
                cfg.workers as u32,
                run,
                self.runs_per_config(),
                self.is_warmup(run),
            );
        }
    }

    /// The configurations to run, in order (the baseline first).
    pub fn configs(&self) -> &[RunConfig] {
        &self.configs
    }

    /// Runs per configuration: warm-ups then repetitions.
    pub fn runs_per_config(&self) -> u32 {
        self.exp.warmups + self.exp.repetitions
    }

    /// Whether run number `run` (from 0) of a configuration is a warm-up, whose outcome is not
    /// recorded.
    pub fn is_warmup(&self, run: u32) -> bool {
        run < self.exp.warmups
    }

    /// Records the timed outcomes of the next configuration (all its repetitions, in order).
    pub fn record(&mut self, outcomes: Vec<RunOutcome>) {
        let cfg = &self.configs[self.results.len()];
        let times: Vec<f64> = outcomes.iter().map(|o| o.wall).collect();
        let mut answers: Vec<Answer> = Vec::new();
        for o in &outcomes {
            if !answers.contains(&o.answer) {
                answers.push(o.answer.clone());
            }
        }
        let last = outcomes.last().expect("at least one repetition");
        let summary = summarize(&times);
        let (verified, verification) = verify(
            &self.exp,
            &answers,
            self.baseline.as_ref().map(|b| b.1.as_str()),
            &mut self.references,
        );
        if cfg.model.name == ModelKind::Sequential && self.baseline.is_none() {
            self.baseline = Some((summary.mean, last.answer.sha256()));
        }
        let result = model_result(
            cfg,
            last.chunk_size,
            &times,
            summary,
            self.baseline.as_ref().map(|b| b.0),
            last,
            verified,
            verification,
        );
        if let Some(j) = &self.journal {
            j.recorded(&result);
        }
        self.results.push(result);
    }

    /// The result set, once every configuration is recorded.
    pub fn finish(self) -> ResultSet {
        ResultSet {
            schema_version: SCHEMA_VERSION,
            experiment: self.exp,
            machine: None,
            results: self.results,
            partial: None,
        }
    }
}

/// Runs a validated experiment: every configuration, warm-ups then repetitions. Fails as a whole
/// if any run fails: a partial result is never presented as complete.
pub fn run_experiment(
    exp: &Experiment,
    env: &RunEnv,
    progress: &mut dyn FnMut(Progress),
) -> Result<ResultSet, RunError> {
    let mut run = ExperimentRun::new(exp).with_journal(env.control.journal.clone());
    let total = run.configs().len();
    let runs = run.runs_per_config();
    for index in 0..total {
        let cfg = run.configs()[index].clone();
        progress(Progress::Config {
            index,
            total,
            model: cfg.model.name,
            workers: cfg.workers as u32,
            runs,
        });
        let mut outcomes: Vec<RunOutcome> = Vec::new();
        for r in 0..runs {
            run.run_starting(index, r);
            let outcome = run_once(&cfg, env)?;
            if !run.is_warmup(r) {
                // Only the last repetition's records are kept: a run of a million tasks would
                // otherwise hold a million records per repetition.
                if let Some(prev) = outcomes.last_mut() {
                    prev.records.tasks = Vec::new();
                }
                outcomes.push(outcome);
            }
            progress(Progress::Run { done: r + 1, runs });
        }
        run.record(outcomes);
    }
    Ok(run.finish())
}

fn verify(
    exp: &Experiment,
    answers: &[Answer],
    baseline_sha: Option<&str>,
    references: &mut Vec<(String, Reference)>,
) -> (Option<bool>, String) {
    let mut notes = Vec::new();
    let mut ok: Option<bool> = None;
    let mut and = |v: bool| ok = Some(ok.unwrap_or(true) && v);
    if answers.len() > 1 {
        and(false);
        notes.push(format!(
            "{} different answers across repetitions",
            answers.len()
        ));
    }
    let digests: Vec<String> = answers.iter().map(Answer::sha256).collect();
    if let Some(sha) = baseline_sha {
        let same = digests.iter().all(|d| d == sha);
        and(same);
        notes.push(if same {
            "matches sequential".to_string()
        } else {
            "DIFFERS from sequential".to_string()
        });
    }
    let mut refs = Vec::new();
    for (a, digest) in answers.iter().zip(&digests) {
        let verdict = match references.iter().find(|(d, _)| d == digest) {
            Some((_, r)) => r.clone(),
            None => {
                let r = workload::reference(&exp.workload, a);
                references.push((digest.clone(), r.clone()));
                r
            }
        };
        match verdict {
            Reference::Matches(what) => {
                and(true);
                refs.push(format!("matches {what}"));
            }
            Reference::Differs(expected) => {
                and(false);
                refs.push(format!(
                    "DIFFERS from the reference (expected {})",
                    expected.trim()
                ));
            }
            Reference::None => {}
        }
    }
    refs.dedup();
    if refs.is_empty() {
        notes.push("no independent reference for these parameters".into());
    }
    notes.extend(refs);
    (ok, notes.join("; "))
}

#[allow(clippy::too_many_arguments)]
fn model_result(
    cfg: &RunConfig,
    chunk_size: Option<u64>,
    times: &[f64],
    s: Summary,
    baseline_mean: Option<f64>,
    last: &RunOutcome,
    verified: Option<bool>,
    verification: String,
) -> ModelResult {
    let workers = cfg.workers as u32;
    let speedup = baseline_mean.map(|b| b / s.mean);
    let records = &last.records;
    let mut busy = vec![0.0; records.per_worker.len()];
    for r in &records.tasks {
        busy[r.worker as usize] += (r.end - r.start - r.wait).max(0.0);
    }
    let stats: Vec<WorkerStats> = records
        .per_worker
        .iter()
        .enumerate()
        .filter(|&(_, &tasks)| tasks > 0)
        .map(|(w, &tasks)| WorkerStats {
            worker: w as u32,
            tasks,
            busy: records.timeline.then_some(busy[w]),
        })
        .collect();
    ModelResult {
        model: cfg.model.name,
        workers,
        chunk_size,
        times: times.to_vec(),
        mean: s.mean,
        stddev: s.stddev,
        median: s.median,
        min: s.min,
        max: s.max,
        outliers: s.outliers,
        speedup,
        efficiency: speedup.map(|sp| sp / f64::from(workers)),
        karp_flatt: speedup.and_then(|sp| karp_flatt(sp, workers)),
        answer: AnswerInfo::from(&last.answer),
        verified,
        verification,
        workers_used: stats.len() as u32,
        worker_stats: stats,
        tasks: records.tasks.clone(),
    }
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
            r.mean.to_string(),
            f(r.stddev),
            r.median.to_string(),
            r.min.to_string(),
            r.max.to_string(),
            r.outliers.len().to_string(),
            f(r.speedup),
            f(r.efficiency),
            f(r.karp_flatt),
            r.workers_used.to_string(),
            r.verified.map_or(String::new(), |v| v.to_string()),
            r.answer.sha256.clone(),
            r.answer.summary.clone(),
        ])
        .expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("flush to memory")).expect("csv is UTF-8")
}
