//! Running an experiment: warm-ups and repetitions of every configuration in alternating rounds,
//! timings summarized, answers verified, speedups with their intervals against the sequential
//! baseline, warnings, and one serde result type.

use std::collections::VecDeque;
use std::sync::Arc;

use web_time::Instant;

use crate::breakdown::Breakdown;
use crate::error::RunError;
use crate::journal::Journal;
use crate::limits::{AUTO_MAX_REPETITIONS, AUTO_MIN_REPETITIONS, AUTO_PRECISION, DEFAULT_BUDGET_S};
use crate::model::{ModelKind, RunConfig, RunEnv, RunOutcome, run_once};
use crate::result::{AnswerInfo, ModelResult, ResultSet, WorkerStats};
use crate::spec::{Experiment, ModelSpec, Repetitions, SCHEMA_VERSION, Sweep};
use crate::stats::{self, karp_flatt, summarize};
use crate::workload::{self, Answer, Reference};

/// Progress of an experiment, for progress bars: sent as each run starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The configuration the run belongs to (`config` of `configs`).
    pub config: usize,
    pub configs: usize,
    pub model: ModelKind,
    pub workers: u32,
    /// Runs finished, warm-ups included, and the runs planned so far (with `"auto"`
    /// repetitions, more may be planned as the measurement goes).
    pub done: u32,
    pub total: u32,
}

/// The configurations an experiment runs, baseline first.
pub fn configurations(exp: &Experiment) -> Vec<RunConfig> {
    let mut out = Vec::new();
    let models_sweep = matches!(exp.sweep, Some(Sweep::Models(_)));
    if exp.baseline && (exp.model.name != ModelKind::Sequential || models_sweep) {
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
        Some(Sweep::Models(list)) => out.extend(list.iter().map(|&m| RunConfig {
            model: if m == exp.model.name {
                exp.model.clone()
            } else {
                ModelSpec::defaults(m)
            },
            ..base.clone()
        })),
    }
    out
}

/// One run an experiment asks for: which configuration, which of its runs (from 0, warm-ups
/// included), and whether it is a warm-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub config: usize,
    pub run: u32,
    pub warmup: bool,
}

/// What one configuration has measured so far.
#[derive(Default)]
struct Measured {
    times: Vec<f64>,
    /// The distinct answers and their digests (hashed once each: outputs can be megabytes).
    answers: Vec<(Answer, String)>,
    /// The last timed run (its records are the timeline).
    last: Option<RunOutcome>,
    /// `"auto"` repetitions: this configuration reached its precision and runs no more.
    settled: bool,
}

/// An experiment in progress, whoever runs its configurations: [`run_experiment`] runs them
/// here with [`run_once`]; the page runs them on its Web Workers. Either way the host asks
/// [`ExperimentRun::next_step`] what to run, runs it, and hands the outcome to
/// [`ExperimentRun::complete`]: the schedule, statistics, verification, speedups and warnings
/// are decided here, once.
///
/// The schedule runs in rounds: every configuration once per round (the baseline first), so
/// that a neighbour's load or a slow drift of the machine hits every configuration alike rather
/// than whichever ran during it. A configuration's warm-ups run just before its first timed
/// run. With `"auto"` repetitions, rounds go on until every configuration's mean is known to
/// within [`AUTO_PRECISION`] (a configuration that is leaves the rounds), between
/// [`AUTO_MIN_REPETITIONS`] and [`AUTO_MAX_REPETITIONS`], and no round starts once the
/// experiment's budget is spent.
pub struct ExperimentRun {
    exp: Experiment,
    configs: Vec<RunConfig>,
    measured: Vec<Measured>,
    /// The current round's runs not yet handed out.
    queue: VecDeque<Step>,
    rounds: u32,
    runs_done: u32,
    started: Option<Instant>,
    /// Reference verdicts by answer digest: every configuration of an experiment has the same
    /// workload, and a reference can be costly (a sieve up to 10^8), so each is computed once.
    references: Vec<(String, Reference)>,
    /// Where the host can read how far the experiment got.
    journal: Option<Arc<Journal>>,
}

impl ExperimentRun {
    pub fn new(exp: &Experiment) -> Self {
        let configs = configurations(exp);
        ExperimentRun {
            measured: configs.iter().map(|_| Measured::default()).collect(),
            configs,
            exp: exp.clone(),
            queue: VecDeque::new(),
            rounds: 0,
            runs_done: 0,
            started: None,
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

    /// The configurations, in the order each round runs them (the baseline first).
    pub fn configs(&self) -> &[RunConfig] {
        &self.configs
    }

    /// Runs finished so far, and planned so far (warm-ups included). With `"auto"`
    /// repetitions the plan grows a round at a time.
    pub fn progress(&self) -> (u32, u32) {
        let planned_rest = if self.rounds == 0 {
            let per_config = self.exp.warmups + self.exp.repetitions.planned();
            per_config * self.configs.len() as u32
        } else {
            let rounds_left = match self.exp.repetitions {
                Repetitions::Fixed(n) => n.saturating_sub(self.rounds),
                Repetitions::Auto => AUTO_MIN_REPETITIONS.saturating_sub(self.rounds),
            };
            self.queue.len() as u32 + rounds_left * self.active() as u32
        };
        (self.runs_done, self.runs_done + planned_rest)
    }

    fn active(&self) -> usize {
        self.measured.iter().filter(|m| !m.settled).count()
    }

    /// The next run to do, or `None` when the experiment is complete.
    pub fn next_step(&mut self) -> Option<Step> {
        self.started.get_or_insert_with(Instant::now);
        if self.queue.is_empty() {
            self.plan_round();
        }
        self.queue.pop_front()
    }

    /// Plans the next round, if the experiment needs one.
    fn plan_round(&mut self) {
        match self.exp.repetitions {
            Repetitions::Fixed(n) => {
                if self.rounds >= n {
                    return;
                }
            }
            Repetitions::Auto => {
                if self.rounds >= AUTO_MAX_REPETITIONS {
                    return;
                }
                if self.rounds >= AUTO_MIN_REPETITIONS {
                    for m in &mut self.measured {
                        if stats::precision(&m.times).is_some_and(|p| p <= AUTO_PRECISION) {
                            m.settled = true;
                        }
                    }
                    // A round costs about what the last one of each remaining configuration
                    // did; none starts that would end past the budget.
                    let next: f64 = self
                        .measured
                        .iter()
                        .filter(|m| !m.settled)
                        .filter_map(|m| m.times.last())
                        .sum();
                    let spent = self.started.map_or(0.0, |t| t.elapsed().as_secs_f64());
                    let budget = self.exp.budget_s.unwrap_or(DEFAULT_BUDGET_S);
                    if spent + next > budget {
                        return;
                    }
                }
            }
        }
        for (config, m) in self.measured.iter().enumerate() {
            if m.settled {
                continue;
            }
            if self.rounds == 0 {
                self.queue.extend((0..self.exp.warmups).map(|run| Step {
                    config,
                    run,
                    warmup: true,
                }));
            }
            self.queue.push_back(Step {
                config,
                run: self.exp.warmups + self.rounds,
                warmup: false,
            });
        }
        self.rounds += 1;
    }

    /// `step` starts: the journal says so, for a partial result if it never ends.
    pub fn run_starting(&self, step: Step) {
        if let Some(j) = &self.journal {
            let cfg = &self.configs[step.config];
            let runs = self.exp.warmups
                + match self.exp.repetitions {
                    Repetitions::Fixed(n) => n,
                    Repetitions::Auto => self.rounds.max(AUTO_MIN_REPETITIONS),
                };
            j.run_starting(
                cfg.model.name,
                cfg.workers as u32,
                step.run,
                runs,
                step.warmup,
            );
        }
    }

    /// The progress report for `step`, about to start.
    pub fn progress_of(&self, step: Step) -> Progress {
        let cfg = &self.configs[step.config];
        let (done, total) = self.progress();
        Progress {
            config: step.config,
            configs: self.configs.len(),
            model: cfg.model.name,
            workers: cfg.workers as u32,
            done,
            total,
        }
    }

    /// Records the outcome of `step`.
    pub fn complete(&mut self, step: Step, outcome: RunOutcome) {
        self.runs_done += 1;
        if step.warmup {
            return;
        }
        let m = &mut self.measured[step.config];
        m.times.push(outcome.wall);
        if !m.answers.iter().any(|(a, _)| *a == outcome.answer) {
            let digest = outcome.answer.sha256();
            m.answers.push((outcome.answer.clone(), digest));
        }
        // Only the last repetition's records are kept: a run of a million tasks would otherwise
        // hold a million records per repetition.
        m.last = Some(outcome);
        if self.journal.is_some() {
            // What was measured survives a stop in the next run.
            let results = self.results();
            if let Some(j) = &self.journal {
                j.set_results(results);
            }
        }
    }

    /// The results so far, of every configuration that has a timed run (warnings not yet
    /// assessed).
    fn results(&mut self) -> Vec<ModelResult> {
        let mut out = Vec::new();
        let mut baseline: Option<(&[f64], &str)> = None;
        for (cfg, m) in self.configs.iter().zip(&self.measured) {
            let Some(last) = &m.last else { continue };
            let digest = m
                .answers
                .iter()
                .find(|(a, _)| *a == last.answer)
                .map_or("", |(_, d)| d.as_str());
            let verification = verify(
                &self.exp,
                &m.answers,
                baseline.map(|b| b.1),
                &mut self.references,
            );
            // The baseline's own speedup is 1 by definition, without an interval.
            let is_baseline = cfg.model.name == ModelKind::Sequential && baseline.is_none();
            if is_baseline {
                baseline = Some((&m.times, digest));
            }
            out.push(model_result(
                cfg,
                &m.times,
                baseline.map(|b| b.0),
                is_baseline,
                last,
                digest,
                verification,
            ));
        }
        out
    }

    /// The result set, once [`ExperimentRun::next_step`] has said the experiment is complete.
    /// Its warnings are assessed without a machine; a host that sets one calls
    /// [`ResultSet::set_machine`], which assesses them again against its cores and clock.
    pub fn finish(mut self) -> ResultSet {
        let mut set = ResultSet {
            schema_version: SCHEMA_VERSION,
            results: self.results(),
            experiment: self.exp,
            machine: None,
            partial: None,
            error: None,
        };
        crate::warning::assess(&mut set);
        set
    }
}

/// Runs a validated experiment: every configuration in rounds, warm-ups first (see
/// [`ExperimentRun`]). Fails as a whole if any run fails: a partial result is never presented
/// as complete. A deadlock ends it too, but as a result: marked partial, with the cycle as its
/// `error`, so that every host shows and draws it.
pub fn run_experiment(
    exp: &Experiment,
    env: &RunEnv,
    progress: &mut dyn FnMut(Progress),
) -> Result<ResultSet, RunError> {
    let mut run = ExperimentRun::new(exp).with_journal(env.control.journal.clone());
    while let Some(step) = run.next_step() {
        progress(run.progress_of(step));
        run.run_starting(step);
        let cfg = &run.configs()[step.config];
        let outcome = match run_once(cfg, env) {
            Ok(o) => o,
            // A deadlock is what the run showed, not a failure to run it: the result as far as
            // it got, with its cycle (`ResultSet::error`).
            Err(RunError::Deadlock(d)) => return Ok(env.control.journal.deadlocked(exp, &d)),
            Err(e) => return Err(e),
        };
        run.complete(step, outcome);
    }
    Ok(run.finish())
}

fn verify(
    exp: &Experiment,
    answers: &[(Answer, String)],
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
    if let Some(sha) = baseline_sha {
        let same = answers.iter().all(|(_, d)| d == sha);
        and(same);
        notes.push(if same {
            "matches sequential".to_string()
        } else {
            "DIFFERS from sequential".to_string()
        });
    }
    let mut refs = Vec::new();
    for (a, digest) in answers {
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

/// What keeping one task's record costs here, in seconds: the same tiny-task run with the
/// timeline on and off (the best of three each, alternating), the difference over its tasks.
/// Measured once per process, on the real path (clock reads, the record, the journal's copy),
/// so a browser's slower clock shows in it. Tiny tasks make the cost visible: it can exceed the
/// task itself, so a result reports it (`ModelResult::recording`) and is flagged when it is a
/// noticeable part of the run.
pub fn record_cost() -> f64 {
    static COST: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *COST.get_or_init(|| {
        const TASKS: u64 = 20_000;
        let Some(&tiny) = workload::WorkloadKind::ALL
            .iter()
            .find(|w| w.info().bound == workload::Bound::Tiny)
        else {
            return 0.0;
        };
        let mut spec = crate::spec::WorkloadSpec::new(tiny);
        spec.n = TASKS;
        let cfg = |timeline| RunConfig {
            workload: spec.clone(),
            model: ModelSpec::new(ModelKind::Sequential),
            workers: 1,
            timeline,
        };
        // Its own control: the experiment's journal is not touched.
        let env = RunEnv::default();
        let (mut on, mut off) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..3 {
            for (timeline, best) in [(true, &mut on), (false, &mut off)] {
                if let Ok(o) = run_once(&cfg(timeline), &env) {
                    *best = best.min(o.wall);
                }
            }
        }
        let cost = (on - off) / TASKS as f64;
        if cost.is_finite() { cost.max(0.0) } else { 0.0 }
    })
}

fn model_result(
    cfg: &RunConfig,
    times: &[f64],
    baseline: Option<&[f64]>,
    is_baseline: bool,
    last: &RunOutcome,
    digest: &str,
    (verified, verification): (Option<bool>, String),
) -> ModelResult {
    let workers = cfg.workers as u32;
    let estimate = baseline
        .filter(|_| !is_baseline)
        .map(|b| stats::ratio_estimate(b, times));
    let speedup = if is_baseline {
        Some(1.0)
    } else {
        estimate.map(|e| e.ratio)
    };
    let records = &last.records;
    let stats = WorkerStats::of(&records.per_worker, &records.tasks, records.timeline);
    ModelResult {
        model: cfg.model.name,
        workers,
        chunk_size: last.chunk_size,
        times: times.to_vec(),
        summary: summarize(times),
        precision: stats::precision(times),
        speedup,
        speedup_ci: estimate.and_then(|e| e.ci),
        efficiency: speedup.map(|sp| sp / f64::from(workers)),
        karp_flatt: speedup.and_then(|sp| karp_flatt(sp, workers)),
        answer: AnswerInfo::new(&last.answer, digest),
        verified,
        verification,
        workers_used: stats.len() as u32,
        worker_stats: stats,
        breakdown: Breakdown::of(&records.tasks, workers, last.wall),
        recording: records
            .timeline
            .then(|| records.count() as f64 * record_cost()),
        tasks: records.tasks.clone(),
        locks: last.locks.clone(),
        hosts: last.hosts.clone(),
        warnings: Vec::new(),
    }
}
