//! Command line: parse, build the experiment, run, report, export.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use engine::limits::ParamKind;
use engine::model::{RunConfig, RunEnv, WorkerProgram, run_once};
use engine::spec::{ParamValue, SyncKind};
use engine::{
    Experiment, LinkError, ModelKind, ModelSpec, Order, Repetitions, RunError, SpecError, Sweep,
    WorkloadKind, WorkloadSpec,
};
use thiserror::Error;

use crate::progress::ProgressReporter;
use crate::report::{Format, exporter};

/// Runs the playground's concurrency experiments natively on this machine.
#[derive(Debug, Parser)]
#[command(name = "native-runner", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List workloads (parameters, defaults, limits) and models (with their Python equivalent).
    List {
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Run one experiment.
    Run(RunArgs),
    /// Run an experiment over several worker counts (--workers 1,2,4 or 1..4) or chunk sizes
    /// (--chunk-size 1,16,256).
    Sweep(RunArgs),
    /// Compare two result files (from `run --format json` or the page's export) configuration by
    /// configuration: the ratio of means A/B with its 95% interval and a p-value.
    Compare(CompareArgs),
    /// Print a workload's canonical output (the Benchmarks Game's format where it has one).
    Output(OutputArgs),
    /// Describe this machine: cores, CPU model, caches, OS, timer resolution.
    Machine {
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Serve the built playground and its native API (run experiments natively from the page).
    Serve(ServeArgs),
    /// Serve as a process-pool worker on stdin/stdout (started by the runner itself).
    #[command(name = "__worker", hide = true)]
    Worker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InfoFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderArg {
    Ordered,
    Completion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncArg {
    Lock,
    Atomic,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Workload to run (see `list`).
    #[arg(long, short = 'w')]
    pub workload: Option<String>,
    /// The workload's main size parameter.
    #[arg(long)]
    pub n: Option<u64>,
    /// Set a workload parameter, e.g. --set tasks=64 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Model to run (see `list`).
    #[arg(long, short = 'm')]
    pub model: Option<String>,
    /// Workers: one number; for `sweep` also a list (1,2,4) or an inclusive range (1..4).
    /// Default: 1 for sequential, the number of logical cores otherwise.
    #[arg(long, short = 'j')]
    pub workers: Option<String>,
    /// Tasks per chunk; for `sweep` also a list (1,16,256).
    #[arg(long)]
    pub chunk_size: Option<String>,
    /// Result order, for models with a caller waiting on results.
    #[arg(long, value_enum)]
    pub order: Option<OrderArg>,
    /// GIL switch interval in milliseconds (gil model; default 5, like sys.getswitchinterval()).
    #[arg(long)]
    pub switch_interval_ms: Option<f64>,
    /// How shared-state synchronizes its results array.
    #[arg(long, value_enum)]
    pub sync: Option<SyncArg>,
    /// Timed repetitions per configuration, or `auto`: until the 95% confidence interval of
    /// every mean is within 2% of it (3 to 50 repetitions, within --budget).
    #[arg(long, short = 'r')]
    pub reps: Option<String>,
    /// With --reps auto: start no new round of repetitions after this long (default 10s).
    #[arg(long, value_name = "DURATION")]
    pub budget: Option<String>,
    /// Untimed warm-up runs per configuration.
    #[arg(long)]
    pub warmups: Option<u32>,
    /// Skip the sequential baseline (no speedup, no verification against sequential).
    #[arg(long)]
    pub no_baseline: bool,
    /// Keep no per-task records, only per-worker task counts: no clock read per task, so tiny
    /// tasks cost what the model costs, and millions of tasks need no memory for records.
    #[arg(long)]
    pub no_timeline: bool,
    /// Run exactly the experiment in this JSON file ("-" for stdin): a spec, or a result file
    /// (exported by the page or by --format json), whose experiment runs again.
    #[arg(long, conflicts_with = "link")]
    pub spec: Option<PathBuf>,
    /// Run exactly the experiment a playground link encodes (the whole URL or its fragment).
    #[arg(long)]
    pub link: Option<String>,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Stop the experiment after this long (e.g. 30, 30s, 500ms, 2m) and report what it did,
    /// marked partial, with exit code 124. Ctrl-C does the same with exit code 130; a second
    /// Ctrl-C quits at once.
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Print the configurations and the estimated run time on this machine, and run nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. Anything but loopback lets other machines run experiments here.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// The built playground (trunk's output).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first result file (A).
    pub a: PathBuf,
    /// The second result file (B), of the same experiment.
    pub b: PathBuf,
    #[arg(long, short = 'f', value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Workload whose output to print.
    pub workload: String,
    #[arg(long)]
    pub n: Option<u64>,
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Compute it with this model.
    #[arg(long, short = 'm', default_value = "sequential")]
    pub model: String,
    #[arg(long, short = 'j', default_value_t = 1)]
    pub workers: u32,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

/// Why a command failed. Usage errors exit with 2, failed runs with 1.
#[derive(Debug, Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error("bad link: {0}")]
    Link(#[from] LinkError),
    #[error("run failed: {0}")]
    Run(RunError),
    #[error("{0}")]
    Io(String),
    /// The experiment was stopped; its partial result has been written.
    #[error("{}; the partial result was written", .0.reason())]
    Stopped(Stop),
}

/// Why an experiment was stopped before it finished.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    Timeout(Duration),
    Interrupted,
}

impl Stop {
    fn reason(self) -> String {
        match self {
            Stop::Timeout(d) => format!("timed out after {}", human_duration(d)),
            Stop::Interrupted => "interrupted (Ctrl-C)".into(),
        }
    }
}

fn human_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{s} s")
    }
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Spec(_) | CliError::Link(_) => 2,
            CliError::Run(RunError::Unsupported { .. }) => 2,
            CliError::Run(_) | CliError::Io(_) => 1,
            // As GNU timeout(1) and a shell report them.
            CliError::Stopped(Stop::Timeout(_)) => 124,
            CliError::Stopped(Stop::Interrupted) => 130,
        }
    }
}

/// The longest `--timeout`: a day.
const MAX_TIMEOUT: Duration = Duration::from_secs(engine::limits::MAX_TIMEOUT_S);

/// Parses a duration: seconds ("30", "1.5"), or a number with a unit: "500ms", "30s", "2m".
pub fn parse_duration(flag: &str, text: &str) -> Result<Duration, CliError> {
    let bad = |why: &str| usage(format!("{flag}: '{text}' {why}"));
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = number
        .trim()
        .parse()
        .map_err(|_| bad("is not a duration like 30, 30s, 500ms or 2m"))?;
    let secs = v * scale;
    if !secs.is_finite() || !(0.001..=MAX_TIMEOUT.as_secs_f64()).contains(&secs) {
        return Err(bad("is out of range: it must be 1 ms to 24 h"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// How long a cancelled run may take to stop at a task boundary before the partial result is
/// taken anyway (a stuck task never stops; ending the process ends it).
const STOP_GRACE: Duration = Duration::from_millis(500);

impl From<RunError> for CliError {
    fn from(e: RunError) -> Self {
        CliError::Run(e)
    }
}

fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

/// Parses a list of numbers: "4", "1,2,4" or the inclusive range "1..4".
pub fn parse_list(flag: &str, text: &str) -> Result<Vec<u64>, CliError> {
    let bad = || {
        usage(format!(
            "{flag}: '{text}' is not a number, a list like 1,2,4 or a range like 1..4"
        ))
    };
    if let Some((a, b)) = text.split_once("..") {
        let a: u64 = a.trim().parse().map_err(|_| bad())?;
        let b: u64 = b
            .trim()
            .trim_start_matches('=')
            .parse()
            .map_err(|_| bad())?;
        if a > b || b - a >= engine::limits::MAX_SWEEP_POINTS as u64 {
            return Err(usage(format!(
                "{flag}: range {text} must go upwards and have at most {} values",
                engine::limits::MAX_SWEEP_POINTS
            )));
        }
        return Ok((a..=b).collect());
    }
    text.split(',')
        .map(|p| p.trim().parse().map_err(|_| bad()))
        .collect()
}

fn parse_set(items: &[String], spec: &mut WorkloadSpec) -> Result<(), CliError> {
    for item in items {
        let (k, v) = item
            .split_once('=')
            .ok_or_else(|| usage(format!("--set {item}: expected KEY=VALUE")))?;
        spec.set(k.trim(), ParamValue::parse(v.trim()))?;
    }
    Ok(())
}

fn default_workers(model: ModelKind) -> u64 {
    if model == ModelKind::Sequential {
        1
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get() as u64)
            .unwrap_or(1)
    }
}

fn to_u32(flag: &str, v: u64) -> Result<u32, CliError> {
    u32::try_from(v).map_err(|_| usage(format!("{flag}: {v} is too large")))
}

/// Builds the experiment from the command line, a spec file or a link.
pub fn build_experiment(a: &RunArgs, sweep: bool) -> Result<Experiment, CliError> {
    if a.spec.is_some() || a.link.is_some() {
        let extra = [
            ("--workload", a.workload.is_some()),
            ("--n", a.n.is_some()),
            ("--set", !a.set.is_empty()),
            ("--model", a.model.is_some()),
            ("--workers", a.workers.is_some()),
            ("--chunk-size", a.chunk_size.is_some()),
            ("--order", a.order.is_some()),
            ("--switch-interval-ms", a.switch_interval_ms.is_some()),
            ("--sync", a.sync.is_some()),
            ("--reps", a.reps.is_some()),
            ("--budget", a.budget.is_some()),
            ("--warmups", a.warmups.is_some()),
            ("--no-baseline", a.no_baseline),
            ("--no-timeline", a.no_timeline),
        ];
        if let Some((flag, _)) = extra.iter().find(|(_, given)| *given) {
            return Err(usage(format!(
                "{flag} cannot be combined with --spec or --link, which run exactly what they encode"
            )));
        }
        let exp = match (&a.spec, &a.link) {
            (Some(path), _) => spec_from_file(&read_spec(path)?)?,
            (None, Some(link)) => engine::link::decode(link)?,
            (None, None) => unreachable!(),
        };
        return Ok(exp);
    }
    let workload: WorkloadKind = a
        .workload
        .as_deref()
        .ok_or_else(|| {
            usage("--workload is required (or --spec / --link); see `native-runner list`")
        })?
        .parse()?;
    let model: ModelKind = a
        .model
        .as_deref()
        .ok_or_else(|| usage("--model is required (or --spec / --link); see `native-runner list`"))?
        .parse()?;
    let workers = match &a.workers {
        Some(w) => parse_list("--workers", w)?,
        None => vec![default_workers(model)],
    };
    let chunks = match &a.chunk_size {
        Some(c) => Some(parse_list("--chunk-size", c)?),
        None => None,
    };
    let many_workers = workers.len() > 1;
    let many_chunks = chunks.as_ref().is_some_and(|c| c.len() > 1);
    if !sweep && (many_workers || many_chunks) {
        return Err(usage(
            "several values given: use `native-runner sweep` to run each of them",
        ));
    }
    if sweep && many_workers && many_chunks {
        return Err(usage(
            "sweep one thing at a time: a list for --workers or for --chunk-size, not both",
        ));
    }
    if sweep && !many_workers && !many_chunks {
        return Err(usage(
            "sweep needs a list: --workers 1,2,4 (or 1..4) or --chunk-size 1,16,256",
        ));
    }
    let mut exp = Experiment::new(workload, model, to_u32("--workers", workers[0])?);
    if let Some(n) = a.n {
        exp.workload.set("n", ParamValue::Int(n))?;
    }
    parse_set(&a.set, &mut exp.workload)?;
    exp.model = ModelSpec {
        name: model,
        chunk_size: chunks.as_ref().filter(|c| c.len() == 1).map(|c| c[0]),
        order: a.order.map(|o| match o {
            OrderArg::Ordered => Order::Ordered,
            OrderArg::Completion => Order::Completion,
        }),
        switch_interval_ms: a.switch_interval_ms,
        sync: a.sync.map(|s| match s {
            SyncArg::Lock => SyncKind::Lock,
            SyncArg::Atomic => SyncKind::Atomic,
        }),
        fault: None,
    };
    if let Some(r) = &a.reps {
        exp.repetitions = r
            .parse::<Repetitions>()
            .map_err(|e| usage(format!("--reps: {e}")))?;
    }
    if let Some(b) = &a.budget {
        if exp.repetitions != Repetitions::Auto {
            return Err(usage("--budget applies only with --reps auto"));
        }
        exp.budget_s = Some(parse_duration("--budget", b)?.as_secs_f64());
    }
    if let Some(w) = a.warmups {
        exp.warmups = w;
    }
    exp.baseline = !a.no_baseline;
    exp.timeline = !a.no_timeline;
    if many_workers {
        let list = workers
            .iter()
            .map(|&w| to_u32("--workers", w))
            .collect::<Result<Vec<_>, _>>()?;
        exp.sweep = Some(Sweep::Workers(list));
    }
    if many_chunks {
        exp.sweep = Some(Sweep::ChunkSize(chunks.unwrap_or_default()));
    }
    Ok(exp.validate()?)
}

/// A spec file holds an experiment, or a whole result file (as `--format json` and the page export
/// it), whose experiment is then run again: results move from the browser to here and back.
fn spec_from_file(text: &str) -> Result<Experiment, CliError> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text)
        && map.contains_key("results")
        && let Some(exp) = map.get("experiment")
    {
        return Ok(Experiment::from_json(&exp.to_string())?);
    }
    Ok(Experiment::from_json(text)?)
}

fn read_spec(path: &Path) -> Result<String, CliError> {
    let read = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    };
    read.map_err(|e| usage(format!("cannot read spec {}: {e}", path.display())))
}

/// The worker program for process-pool: this very executable, with the hidden subcommand.
pub fn worker_program() -> Option<WorkerProgram> {
    std::env::current_exe().ok().map(|program| WorkerProgram {
        program,
        args: vec!["__worker".into()],
    })
}

fn write_out(path: Option<&Path>, bytes: &[u8]) -> Result<(), CliError> {
    match path {
        Some(p) => std::fs::write(p, bytes)
            .map_err(|e| CliError::Io(format!("cannot write {}: {e}", p.display()))),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(|e| CliError::Io(format!("cannot write to stdout: {e}")))
        }
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

fn run(a: &RunArgs, sweep: bool) -> Result<(), CliError> {
    let exp = build_experiment(a, sweep)?;
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
        eprintln!(
            "estimated run time: about {} (--timeout limits it; Ctrl-C stops it and keeps what ran)",
            engine::estimate::human(estimate)
        );
    }
    let env = RunEnv {
        worker_program: worker_program(),
        ..RunEnv::default()
    };
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
            ((*r)?, None)
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
                    // It completed after all: the result is whole.
                    Ok(Event::Finished(r)) => break (*r).ok(),
                    Err(_) => break None,
                }
            };
            match finished {
                Some(r) => (r, None),
                None => (
                    env.control.journal.partial(&exp, &stop.reason()),
                    Some(stop),
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
        Some(stop) => Err(CliError::Stopped(stop)),
        None => Ok(()),
    }
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

fn compare(a: &CompareArgs) -> Result<(), CliError> {
    let (ra, rb) = (read_results(&a.a)?, read_results(&a.b)?);
    let cmp = engine::compare::compare(&ra, &rb).map_err(|e| usage(e.to_string()))?;
    let text = crate::report::comparison(&cmp, &ra, &a.a, &a.b, a.format);
    write_out(None, text.as_bytes())
}

fn output(a: &OutputArgs) -> Result<(), CliError> {
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
    let cfg = RunConfig {
        workload: exp.workload,
        model: exp.model,
        workers: exp.workers as usize,
        // Only the answer is printed.
        timeline: false,
    };
    let env = RunEnv {
        worker_program: worker_program(),
        ..RunEnv::default()
    };
    let outcome = run_once(&cfg, &env)?;
    write_out(a.output.as_deref(), &outcome.answer.output)
}

fn list(format: InfoFormat) -> Result<(), CliError> {
    let text = match format {
        InfoFormat::Json => {
            let mut s = serde_json::to_string_pretty(&list_json()).expect("list serializes");
            s.push('\n');
            s
        }
        InfoFormat::Table => list_table(),
    };
    write_out(None, text.as_bytes())
}

fn param_json(def: &engine::limits::ParamDef) -> serde_json::Value {
    use serde_json::json;
    match &def.kind {
        ParamKind::Int { default, min, max } => {
            json!({"name": def.name, "description": def.description, "kind": "int", "default": default, "min": min, "max": max})
        }
        ParamKind::Float { default, min, max } => {
            json!({"name": def.name, "description": def.description, "kind": "float", "default": default, "min": min, "max": max})
        }
        ParamKind::Choice { default, options } => {
            json!({"name": def.name, "description": def.description, "kind": "choice", "default": default, "options": options})
        }
    }
}

/// The machine-readable catalogue printed by `list --format json`.
pub fn list_json() -> serde_json::Value {
    use serde_json::json;
    json!({
        "schema_version": engine::SCHEMA_VERSION,
        "limits": {
            "max_workers": engine::limits::MAX_WORKERS,
            "max_repetitions": engine::limits::MAX_REPETITIONS,
            "max_warmups": engine::limits::MAX_WARMUPS,
            "max_sweep_points": engine::limits::MAX_SWEEP_POINTS,
        },
        "workloads": WorkloadKind::ALL.iter().map(|w| json!({
            "name": w.name(),
            "description": w.description(),
            "params": w.params().iter().map(param_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "models": ModelKind::ALL.iter().map(|m| json!({
            "name": m.name(),
            "python": m.python(),
            "description": m.description(),
            "chunk_size": m.has_chunks(),
            "order": m.has_order(),
        })).collect::<Vec<_>>(),
    })
}

fn list_table() -> String {
    use comfy_table::Table;
    use comfy_table::presets::UTF8_FULL_CONDENSED;
    let mut w = Table::new();
    w.load_preset(UTF8_FULL_CONDENSED);
    w.set_header(["workload", "parameter", "default", "limits", "meaning"]);
    for kind in WorkloadKind::ALL {
        for (i, def) in kind.params().iter().enumerate() {
            let (default, limits) = match &def.kind {
                ParamKind::Int { default, min, max } => {
                    (default.to_string(), format!("{min}..={max}"))
                }
                ParamKind::Float { default, min, max } => {
                    (default.to_string(), format!("{min}..={max}"))
                }
                ParamKind::Choice { default, options } => {
                    (default.to_string(), options.join(" | "))
                }
            };
            let name = if i == 0 { kind.name() } else { "" };
            w.add_row([name, def.name, &default, &limits, def.description]);
        }
    }
    let mut m = Table::new();
    m.load_preset(UTF8_FULL_CONDENSED);
    m.set_header(["model", "Python equivalent", "options"]);
    for kind in ModelKind::ALL {
        let mut options = Vec::new();
        if kind.has_chunks() {
            options.push("--chunk-size");
        }
        if kind.has_order() {
            options.push("--order");
        }
        if kind == ModelKind::Gil {
            options.push("--switch-interval-ms");
        }
        if kind == ModelKind::SharedState {
            options.push("--sync");
        }
        m.add_row([kind.name(), kind.python(), &options.join(" ")]);
    }
    format!("Workloads\n{w}\n\nModels\n{m}\n")
}

fn machine(format: InfoFormat) -> Result<(), CliError> {
    let info = crate::machine::detect();
    let text = match format {
        InfoFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&info).expect("machine serializes")
        ),
        InfoFormat::Table => {
            let mut s = String::new();
            s.push_str(&format!(
                "cpu model       {}\n",
                info.cpu_model.as_deref().unwrap_or("unknown")
            ));
            s.push_str(&format!("logical cores   {}\n", info.logical_cores));
            s.push_str(&format!(
                "physical cores  {}\n",
                info.physical_cores
                    .map_or("unknown".into(), |p| p.to_string())
            ));
            for c in &info.caches {
                s.push_str(&format!(
                    "L{} {:<12} {} KiB{}\n",
                    c.level,
                    c.kind.to_lowercase(),
                    c.size_bytes / 1024,
                    c.shared_by
                        .map_or(String::new(), |n| format!(", shared by {n} logical CPUs"))
                ));
            }
            s.push_str(&format!("os              {}\n", info.os));
            s.push_str(&format!("arch            {}\n", info.arch));
            s.push_str(&format!(
                "timer           {:.0} ns resolution\n",
                info.timer_resolution * 1e9
            ));
            s
        }
    };
    write_out(None, text.as_bytes())
}

/// Dispatches a parsed command.
pub fn execute(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::List { format } => list(format),
        Command::Run(a) => run(&a, false),
        Command::Sweep(a) => run(&a, true),
        Command::Compare(a) => compare(&a),
        Command::Output(a) => output(&a),
        Command::Machine { format } => machine(format),
        Command::Serve(a) => crate::serve::serve(crate::serve::ServeOptions {
            host: a.host,
            port: a.port,
            dist: a.dist,
            open: a.open,
        })
        .map_err(CliError::Io),
        Command::Worker => engine::model::process_pool::worker_main(
            std::io::stdin().lock(),
            std::io::stdout().lock(),
        )
        .map_err(|e| CliError::Io(format!("worker: {e}"))),
    }
}

/// The whole program: parse, execute, report errors in one line with the right exit code.
pub fn main() -> ExitCode {
    // A panicking task is reported by the engine as a failed run, with its message; the default
    // hook would print it a second time from the worker thread. Panics of the runner's own main
    // thread still print.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            default_hook(info);
        }
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if !e.use_stderr() {
                // --help and --version: print as clap formats them.
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let rendered = e.render().to_string();
            let first = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments");
            eprintln!("{first} (see --help)");
            return ExitCode::from(2);
        }
    };
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse() {
        assert_eq!(parse_list("--workers", "4").unwrap(), vec![4]);
        assert_eq!(parse_list("--workers", "1,2,4").unwrap(), vec![1, 2, 4]);
        assert_eq!(parse_list("--workers", "1..4").unwrap(), vec![1, 2, 3, 4]);
        assert!(parse_list("--workers", "4..1").is_err());
        assert!(parse_list("--workers", "x").is_err());
        assert!(parse_list("--workers", "1..1000").is_err());
    }
}
