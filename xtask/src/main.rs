//! Project tasks, run as `cargo xtask <task>`.
//!
//! `cargo xtask bench` runs the performance suite on this machine: the engine natively (through
//! `native-runner`), in headless Chromium (through the page's `window.playground.run`), and
//! Python's own constructs (`bench/python/equivalents.py`), then writes `docs/performance.md`,
//! its JSON twin and an HTML copy the page links to. `--quick` runs every step with tiny sizes
//! and writes to `target/bench-quick/`: CI uses it to check that the suite works, never to judge
//! figures, which on a shared machine are noise at those sizes.

mod chart;
mod mpi;
mod procs;
mod report;
mod suite;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Project tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Run the performance suite and write the report.
    Bench(BenchArgs),
    /// Write the report's Markdown, charts and HTML again from its JSON twin, measuring nothing.
    Report {
        /// The JSON a bench run wrote.
        #[arg(long, default_value = "docs/performance.json")]
        from: PathBuf,
        /// Where to write [default: beside the JSON].
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args, Clone, Debug)]
pub struct BenchArgs {
    /// Tiny sizes and single repetitions: checks that every step works, in a few minutes.
    #[arg(long)]
    pub quick: bool,
    /// Where the report goes [default: docs, or target/bench-quick with --quick].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Use the existing builds (target/release/native-runner and dist/) as they are.
    #[arg(long)]
    pub no_build: bool,
    /// Workers for the parallel measurements [default: the machine's cores].
    #[arg(long)]
    pub workers: Option<u32>,
    /// Port for the page's server on 127.0.0.1.
    #[arg(long, default_value_t = 8190)]
    pub port: u16,
    /// Measure only this section and merge it into the report already in the output folder,
    /// whose Markdown and HTML are then written again.
    #[arg(long, value_enum)]
    pub only: Option<Section>,
}

/// A section `--only` can measure alone.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// 7: the mpi model under mpirun (latency, per-task overhead, speedups).
    Mpi,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Bench(args) => suite::run(&args),
        Task::Report { from, out } => suite::rewrite(&from, out.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}
