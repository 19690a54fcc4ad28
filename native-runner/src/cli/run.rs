//! Running an experiment from the command line: the estimate first, progress on a terminal, a
//! timeout and Ctrl-C that stop it and keep what finished, and the report at the end.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use engine::model::{Host, RunConfig, RunEnv, WorkerProgram, run_once};
use engine::spec::ParamValue;
use engine::{Experiment, ModelKind, ModelSpec, Repetitions, RunError, WorkloadKind, WorkloadSpec};

use super::args::{CompareArgs, OutputArgs, RunArgs};
use super::experiment::{build_experiment, parse_duration, parse_set};
use super::{CliError, Stop, usage, write_out};
use crate::progress::ProgressReporter;
use crate::report::exporter;

/// How long a cancelled run may take to stop at a task boundary before the partial result is
/// taken anyway (a stuck task never stops; ending the process ends it).
const STOP_GRACE: Duration = Duration::from_millis(500);

/// The worker program for process-pool: this very executable, with the hidden subcommand.
pub fn worker_program() -> Option<WorkerProgram> {
    std::env::current_exe().ok().map(|program| WorkerProgram {
        program,
        args: vec![super::WORKER_COMMAND.into()],
    })
}

/// What this program hands every run: itself as the process pool's worker program, and the
/// job's other ranks when it is rank 0 under an MPI launcher.
pub fn host_env() -> RunEnv {
    RunEnv {
        worker_program: worker_program(),
        ranks: crate::ranks::current(),
        ..RunEnv::default()
    }
}

/// Runs estimated above this get a line on a terminal saying how long they will take.
const LONG_RUN_SECONDS: f64 = 30.0;

/// What `--dry-run` prints: each configuration with its estimated time, and the total.
fn dry_run(exp: &Experiment, cores: u32, total: f64) -> String {
    let runs = match exp.repetitions {
        Repetitions::Fixed(n) => (exp.warmups + n).to_string(),
        Repetitions::Auto => format!(
            "{} to {}",
            exp.warmups + engine::limits::AUTO_MIN_REPETITIONS,
            exp.warmups + engine::limits::AUTO_MAX_REPETITIONS
        ),
    };
    let mut out = String::new();
    for cfg in engine::measure::configurations(exp) {
        let t = engine::estimate::run_seconds(
            &cfg.workload,
            cfg.model.name,
            cfg.workers as u32,
            cfg.model.chunk_size,
            cores,
        );
        out.push_str(&format!(
            "{}, {} worker{}: {runs} runs of about {:.3} s\n",
            cfg.model.name,
            cfg.workers,
            if cfg.workers == 1 { "" } else { "s" },
            t
        ));
    }
    out.push_str(&format!(
        "estimated total: {:.1} s on {cores} logical cores\n",
        total
    ));
    out
}

enum Event {
    Finished(Box<Result<engine::ResultSet, RunError>>),
    Stop(Stop),
}

/// Sends a stop on the first Ctrl-C and quits on the second, where the terminal supports it.
fn on_interrupt(tx: mpsc::Sender<Event>) {
    static PRESSED: AtomicU32 = AtomicU32::new(0);
    // Without a handler Ctrl-C still ends the program, only without a partial result.
    let _ = ctrlc::set_handler(move || {
        if PRESSED.fetch_add(1, Ordering::Relaxed) == 0 {
            let _ = tx.send(Event::Stop(Stop::Interrupted));
        } else {
            std::process::exit(130);
        }
    });
}

/// Refuses, with what to run instead, an experiment that needs MPI ranks this process does not
/// have (built without MPI, no launcher, one rank).
fn check_ranks(exp: &Experiment) -> Result<(), CliError> {
    let most = engine::measure::configurations(exp)
        .iter()
        .filter(|c| c.model.name.info().host == Host::Ranks)
        .map(|c| c.workers as u32)
        .max();
    match most.and_then(crate::ranks::why_not) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

pub(super) fn run(a: &RunArgs, sweep: bool) -> Result<(), CliError> {
    let exp = build_experiment(a, sweep)?;
    check_ranks(&exp)?;
    let timeout = a
        .timeout
        .as_deref()
        .map(|t| parse_duration("--timeout", t))
        .transpose()?;
    let cores = crate::machine::logical_cores();
    let estimate = engine::estimate::experiment_seconds(&exp, cores);
    if a.dry_run {
        return write_out(None, dry_run(&exp, cores, estimate).as_bytes());
    }
    if estimate > LONG_RUN_SECONDS && std::io::stderr().is_terminal() && timeout.is_none() {
        // Under an MPI launcher Ctrl-C goes to the launcher, which ends every rank.
        let stop = if crate::ranks::current().is_some() {
            "--timeout limits it and keeps what ran; Ctrl-C ends the whole MPI job"
        } else {
            "--timeout limits it; Ctrl-C stops it and keeps what ran"
        };
        eprintln!(
            "estimated run time: about {} ({stop})",
            engine::estimate::human(estimate)
        );
    }
    let env = host_env();
    let reporter = Arc::new(ProgressReporter::start(env.control.tasks_done.clone()));
    // The experiment runs on a thread of its own, so that this one can give up on it: a stuck
    // task never returns, and only the end of the process ends its thread.
    let (tx, rx) = mpsc::channel();
    on_interrupt(tx.clone());
    {
        let (exp, env, reporter) = (exp.clone(), env.clone(), reporter.clone());
        std::thread::Builder::new()
            .name("experiment".into())
            .spawn(move || {
                // A panic of the engine itself (not of a task, which the engine reports) is
                // reported too, rather than leaving this thread's receiver waiting.
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    engine::run_experiment(&exp, &env, &mut |p| reporter.observe(p))
                }))
                .unwrap_or_else(|_| {
                    Err(RunError::Protocol(
                        "internal error: the experiment thread panicked".into(),
                    ))
                });
                let _ = tx.send(Event::Finished(Box::new(r)));
            })
            .map_err(|e| CliError::Io(format!("cannot start the experiment thread: {e}")))?;
    }
    let first = match timeout {
        Some(t) => rx.recv_timeout(t).unwrap_or(Event::Stop(Stop::Timeout(t))),
        None => rx.recv().unwrap_or(Event::Stop(Stop::Interrupted)),
    };
    let (mut results, stopped) = match first {
        Event::Finished(r) => {
            reporter.finish();
            let results = (*r)?;
            let failed = deadlock_error(&results);
            (results, failed)
        }
        Event::Stop(stop) => {
            env.control.cancel.store(true, Ordering::Relaxed);
            // A run that is not stuck stops at its next task boundary (a process pool ends its
            // workers); give it that moment, then report what the journal holds either way.
            let deadline = std::time::Instant::now() + STOP_GRACE;
            let finished = loop {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                match rx.recv_timeout(left) {
                    Ok(Event::Stop(_)) => continue,
                    Ok(Event::Finished(r)) => break Some(*r),
                    Err(_) => break None,
                }
            };
            match finished {
                // It completed after all (or deadlocked before it could stop: the cycle is the
                // news).
                Some(Ok(r)) => {
                    let failed = deadlock_error(&r);
                    (r, failed)
                }
                _ => (
                    env.control.journal.partial(&exp, &stop.reason()),
                    Some(CliError::Stopped(stop)),
                ),
            }
        }
    };
    reporter.finish();
    results.set_machine(crate::machine::detect());
    write_out(
        a.output.as_deref(),
        exporter(a.format).export(&results).as_bytes(),
    )?;
    match stopped {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A deadlocked result's cycle as the command's error (exit code 1, the cycle as its line).
fn deadlock_error(results: &engine::ResultSet) -> Option<CliError> {
    results
        .error
        .as_ref()
        .map(|engine::result::Failure::Deadlock(d)| CliError::Run(RunError::Deadlock(d.clone())))
}

fn read_results(path: &Path) -> Result<engine::ResultSet, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        usage(format!(
            "{} is not a result file (as `run --format json` writes): {e}",
            path.display()
        ))
    })
}

pub(super) fn compare(a: &CompareArgs) -> Result<(), CliError> {
    let (ra, rb) = (read_results(&a.a)?, read_results(&a.b)?);
    let cmp = engine::compare::compare(&ra, &rb).map_err(|e| usage(e.to_string()))?;
    let text = crate::report::comparison(&cmp, &ra, &a.a, &a.b, a.format);
    write_out(None, text.as_bytes())
}

pub(super) fn output(a: &OutputArgs) -> Result<(), CliError> {
    let workload: WorkloadKind = a.workload.parse()?;
    let model: ModelKind = a.model.parse()?;
    let mut spec = WorkloadSpec::new(workload);
    if let Some(n) = a.n {
        spec.set("n", ParamValue::Int(n))?;
    }
    parse_set(&a.set, &mut spec)?;
    // Validate through the experiment, which checks the model and workers too.
    let exp = Experiment {
        workload: spec,
        model: ModelSpec::new(model),
        workers: a.workers,
        ..Experiment::new(workload, model, a.workers)
    }
    .validate()?;
    check_ranks(&exp)?;
    let cfg = RunConfig {
        workload: exp.workload,
        model: exp.model,
        workers: exp.workers as usize,
        // Only the answer is printed.
        timeline: false,
    };
    let env = host_env();
    let outcome = run_once(&cfg, &env)?;
    write_out(a.output.as_deref(), &outcome.answer.output)
}
