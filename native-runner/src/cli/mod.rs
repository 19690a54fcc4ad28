//! Command line: parse, build the experiment, run, report, export. The binary is glue: each
//! module below is one seam (the raw flags, the resolved experiment, running it, the catalogue).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use engine::explore::ExploreError;
use engine::{LinkError, RunError, SpecError};
use thiserror::Error;

mod args;
mod catalogue;
mod experiment;
mod explore;
mod lessons;
mod run;

pub use args::{
    Cli, Command, CompareArgs, CompareFormat, ExploreArgs, InfoFormat, OrderArg, OutputArgs,
    PingPongArgs, RunArgs, ScheduleArg, ServeArgs, SyncArg,
};
pub use catalogue::list_json;
pub use experiment::{build_experiment, parse_duration};
pub use run::{host_env, worker_program};

/// The hidden command a process-pool worker is started with (see [`worker_program`]).
pub const WORKER_COMMAND: &str = "__worker";

/// Why a command failed. Usage errors exit with 2, failed runs with 1.
#[derive(Debug, Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error("bad link: {0}")]
    Link(#[from] LinkError),
    /// A program the explorer refuses, or one with more schedules than it explores.
    #[error(transparent)]
    Explore(#[from] ExploreError),
    /// A deadlock is its own line ("deadlock: worker 0 holds fork 0 and waits for fork 1; ...").
    #[error("{}", match .0 { RunError::Deadlock(d) => d.to_string(), e => format!("run failed: {e}") })]
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
            CliError::Usage(_) | CliError::Spec(_) | CliError::Link(_) | CliError::Explore(_) => 2,
            CliError::Run(RunError::Unsupported { .. }) => 2,
            CliError::Run(_) | CliError::Io(_) => 1,
            // As GNU timeout(1) and a shell report them.
            CliError::Stopped(Stop::Timeout(_)) => 124,
            CliError::Stopped(Stop::Interrupted) => 130,
        }
    }
}

impl From<RunError> for CliError {
    fn from(e: RunError) -> Self {
        CliError::Run(e)
    }
}

fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

pub(crate) fn write_out(path: Option<&Path>, bytes: &[u8]) -> Result<(), CliError> {
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

/// Dispatches a parsed command.
pub fn execute(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::List { format } => catalogue::list(format),
        Command::Run(a) => run::run(&a, false),
        Command::Sweep(a) => run::run(&a, true),
        Command::Compare(a) => run::compare(&a),
        Command::Output(a) => run::output(&a),
        Command::Lessons(a) => lessons::lessons(&a),
        Command::Explore(a) => explore::explore(&a),
        Command::Machine { format } => catalogue::machine(format),
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
        // Under a launcher every rank has run it already (`ranks::Job::start`): here there is none.
        Command::PingPong(_) => Err(usage(if cfg!(feature = "mpi") {
            "the ping-pong runs between two MPI ranks: run `mpirun -np 2 native-runner __ping-pong`"
        } else {
            "this native-runner was built without MPI: build with `cargo build --release -p native-runner --features mpi`, then run `mpirun -np 2 native-runner __ping-pong`"
        })),
    }
}

/// The whole program: parse, execute, report errors in one line with the right exit code.
/// Under an MPI launcher, only rank 0 runs the command; the other ranks serve it.
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
    let job = match crate::ranks::Job::start() {
        Ok(crate::ranks::Start::Command(job)) => job,
        Ok(crate::ranks::Start::Served(code)) => return ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    let code = run_command();
    ExitCode::from(job.finish(code))
}

fn run_command() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if !e.use_stderr() {
                // --help and --version: print as clap formats them.
                let _ = e.print();
                return 0;
            }
            let rendered = e.render().to_string();
            let first = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments");
            eprintln!("{first} (see --help)");
            return 2;
        }
    };
    match execute(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}
