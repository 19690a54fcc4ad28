//! The command line as clap parses it: raw flags, one description per flag. Turning them into
//! an experiment is `experiment.rs`'s job.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

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
    /// Run the tutorials' claims ("the GIL stops CPU-bound threads", ...) as experiments on this
    /// machine and print each one's verdict: holds, does-not-hold or inconclusive.
    Lessons(LessonsArgs),
    /// Count every schedule of a small concurrent program (counter, philosophers, messages) by
    /// outcome, with the shortest schedule that reaches each outcome.
    Explore(ExploreArgs),
    /// Describe this machine: cores, CPU model, caches, OS, timer resolution.
    Machine {
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Serve the built playground and its native API (run experiments natively from the page).
    Serve(ServeArgs),
    /// Serve as a process-pool worker on stdin/stdout (started by the runner itself).
    #[command(name = super::WORKER_COMMAND, hide = true)]
    Worker,
    /// Measure MPI's one-way latency between ranks 0 and 1 with blocking sends and receives
    /// (`mpirun -np 2 native-runner __ping-pong`); rank 0 prints JSON. The suite's MPI section.
    #[command(name = "__ping-pong", hide = true)]
    PingPong(PingPongArgs),
}

#[derive(Debug, Clone, Args)]
pub struct PingPongArgs {
    /// Message sizes in bytes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "8,1024")]
    pub bytes: Vec<usize>,
    /// Round trips per batch.
    #[arg(long, default_value_t = 10_000)]
    pub round_trips: u32,
    /// Timed batches per size (after one untimed batch); the median batch is the figure.
    #[arg(long, default_value_t = 5)]
    pub batches: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InfoFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct LessonsArgs {
    /// Run only this lesson (repeatable); without it, every lesson.
    #[arg(long)]
    pub id: Vec<String>,
    /// Small sizes and 5 repetitions: seconds per lesson, for a first look and for tests.
    #[arg(long)]
    pub quick: bool,
    /// Also run each lesson's Python construct in real CPython ($PYTHON, else python3) at the
    /// same size, and give CPython's verdict beside ours.
    #[arg(long)]
    pub python: bool,
    #[arg(long, value_enum, default_value_t = LessonFormat::Table)]
    pub format: LessonFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LessonFormat {
    Table,
    Json,
    Markdown,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScheduleArg {
    Static,
    Dynamic,
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
    /// Model to run (see `list`); for `sweep` also a list (gil,dynamic-pool): the same workload
    /// and workers through each.
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
    /// How the mpi model hands chunks to ranks: all dealt before the run (static, a scatter), or
    /// the next one to whichever rank sends a result back (dynamic, the default).
    #[arg(long, value_enum)]
    pub schedule: Option<ScheduleArg>,
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
pub struct ExploreArgs {
    /// The program: counter (threads increment a shared x), philosophers (each takes two forks)
    /// or messages (a ring passing messages).
    pub program: String,
    /// Threads (philosophers, ring members): 1 to 8 for counter, 2 to 8 otherwise.
    #[arg(long, short = 't')]
    pub threads: usize,
    /// Increments per thread (counter only; default 1).
    #[arg(long)]
    pub increments: Option<u32>,
    /// naive or ordered: forks left then right, or lower-numbered first; every ring member
    /// receiving first, or thread 0 sending first (philosophers and messages; default naive).
    #[arg(long)]
    pub order: Option<String>,
    /// none or lock: whether each increment holds a lock (counter only; default none).
    #[arg(long)]
    pub sync: Option<String>,
    #[arg(long, short = 'f', value_enum, default_value_t = InfoFormat::Table)]
    pub format: InfoFormat,
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
