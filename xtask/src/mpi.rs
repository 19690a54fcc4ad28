//! Section 7: the `mpi` model, whose workers are MPI ranks that `mpirun` starts. It runs only
//! where `mpirun` exists and the native runner was built with its `mpi` feature; elsewhere the
//! section says why it was not measured and nothing fails. `cargo xtask bench --only mpi` measures
//! it alone and merges it into an existing report.
//!
//! Every job is bounded (`MPIEXEC_TIMEOUT`). Open MPI refuses to run as root and to start more
//! ranks than cores unless told: the suite tells it through the environment, as CI would.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result};
use engine::model::{Host, ModelKind};
use engine::result::{ModelResult, ResultSet};
use engine::spec::{Experiment, Schedule, Sweep};
use engine::stats::{RatioEstimate, ratio_estimate};
use engine::workload::WorkloadKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::procs::{self, NATIVE_RUNNER};

/// The target for `mpi`'s speedup at the full rank count against process-pool's at the same
/// chunk size (the "within 5%").
pub const MPI_VS_PROCESS_POOL_MIN: f64 = 0.95;
/// The done-criterion: primes n = 3,000,000 on 2 ranks at least this much faster than sequential.
pub const MPI_PRIMES_SPEEDUP_MIN: f64 = 1.7;
/// Size of the done-criterion's run (as `native-runner run -w primes --n 3000000`).
pub const CRITERION_N: u64 = 3_000_000;

/// Seconds any one `mpirun` job may take before Open MPI (or MPICH) ends it.
const JOB_TIMEOUT_S: u32 = 300;

/// What `mpirun` is told through the environment: run as root (containers, CI) and start more
/// ranks than cores if asked; bounded in time.
const MPI_ENV: [(&str, &str); 3] = [
    ("OMPI_ALLOW_RUN_AS_ROOT", "1"),
    ("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"),
    ("OMPI_MCA_rmaps_base_oversubscribe", "1"),
];

/// The workloads the section runs, as the suite sizes them.
pub struct Workloads {
    /// The per-task overhead's tiny task (section 3's).
    pub tiny: WorkloadKind,
    /// The speedups' workloads and sizes (section 2's computing ones).
    pub scaling: Vec<(WorkloadKind, u64)>,
}

#[derive(Serialize, Deserialize, Default)]
pub struct MpiSection {
    /// When this section was measured (it can be newer than the rest: `--only mpi`).
    pub date: String,
    /// How long measuring it took.
    pub seconds: f64,
    pub quick: bool,
    /// Ranks for the parallel figures (`mpirun -np`).
    pub ranks: u32,
    /// Why the section has no figures (or not all of them), if so.
    pub not_measured: Option<String>,
    /// The MPI library, as it names itself.
    pub library: Option<String>,
    pub commands: Vec<String>,
    /// What every `mpirun` job had in its environment.
    #[serde(default)]
    pub environment: String,
    pub ping_pong: Vec<PingPongRow>,
    pub overhead: Vec<MpiOverheadRow>,
    pub speedups: Vec<MpiSpeedupRow>,
    pub criterion: Vec<CriterionRow>,
}

/// One-way latency of one message size over one path (`--mca btl`).
#[derive(Serialize, Deserialize)]
pub struct PingPongRow {
    /// `vader` (shared memory) or `tcp` (TCP loopback: the path between hosts).
    pub btl: String,
    pub bytes: u64,
    pub round_trips: u64,
    /// The median batch's one-way latency, microseconds.
    pub one_way_us: f64,
    pub min_one_way_us: f64,
}

/// Time per task on `square` through `mpi` (or `process-pool`, natively, beside it).
#[derive(Serialize, Deserialize)]
pub struct MpiOverheadRow {
    pub model: String,
    pub schedule: Option<String>,
    pub workers: u32,
    pub n: u64,
    /// What was asked: `None` for the model's default.
    pub chunk_asked: Option<u64>,
    pub chunk_size: Option<u64>,
    pub native_ns: f64,
    pub verified: bool,
}

/// Speedup over sequential at 1..ranks workers, for one model and schedule on one workload.
#[derive(Serialize, Deserialize)]
pub struct MpiSpeedupRow {
    pub workload: String,
    pub n: u64,
    /// `mpi` or `process-pool`.
    pub model: String,
    pub schedule: Option<String>,
    pub workers: Vec<u32>,
    pub chunk_sizes: Vec<Option<u64>>,
    /// Mean sequential time over mean time at these workers, times pooled over the rounds.
    pub speedup: Vec<Option<f64>>,
    /// The speedup's 95% interval (`engine::stats::ratio_estimate`).
    #[serde(default)]
    pub speedup_ci: Vec<Option<[f64; 2]>>,
    /// Rounds, each running every configuration once, in turn.
    #[serde(default)]
    pub rounds: u32,
    /// This row's speedup over process-pool's at the same workers and chunk size (`mpi` rows).
    pub vs_process_pool: Vec<Option<f64>>,
    pub verified: bool,
}

/// The done-criterion's command and its figure.
#[derive(Serialize, Deserialize)]
pub struct CriterionRow {
    pub command: String,
    pub schedule: String,
    pub n: u64,
    pub workers: u32,
    pub chunk_size: Option<u64>,
    pub median: f64,
    pub sequential_median: Option<f64>,
    pub speedup: Option<f64>,
    pub speedup_ci: Option<[f64; 2]>,
    pub verified: bool,
}

/// The model whose workers are MPI ranks, found by its descriptor.
fn mpi_model() -> ModelKind {
    *ModelKind::ALL
        .iter()
        .find(|m| m.info().host == Host::Ranks)
        .expect("a model on MPI ranks")
}

/// The model whose workers are OS processes (process-pool), found by its descriptor.
fn process_model() -> ModelKind {
    *ModelKind::ALL
        .iter()
        .find(|m| m.info().host == Host::Processes)
        .expect("a model on processes")
}

fn schedule_name(s: Schedule) -> &'static str {
    match s {
        Schedule::Static => "static",
        Schedule::Dynamic => "dynamic",
    }
}

/// "mpi static", or the model alone.
fn label(model: ModelKind, schedule: Option<Schedule>) -> String {
    match schedule {
        Some(s) => format!("{model} {}", schedule_name(s)),
        None => model.to_string(),
    }
}

fn progress(what: &str) {
    eprintln!("bench: mpi: {what}");
}

/// `mpirun -np N [--mca btl B] native-runner ARGS`, bounded in time.
fn mpirun(np: u32, btl: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = Command::new("mpirun");
    cmd.envs(MPI_ENV)
        .env("MPIEXEC_TIMEOUT", JOB_TIMEOUT_S.to_string())
        .args(["-np", &np.to_string()]);
    if let Some(b) = btl {
        cmd.args(["--mca", "btl", b]);
    }
    cmd.arg(NATIVE_RUNNER).args(args);
    cmd
}

/// Why the section cannot be measured here, if it cannot.
fn why_not(np: u32) -> Option<String> {
    let found = Command::new("mpirun")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        return Some("`mpirun` was not found (install Open MPI: scripts/setup-mpi.sh)".to_string());
    }
    let probe = procs::run_checked(&mut mpirun(
        np,
        None,
        &[
            "__ping-pong",
            "--bytes",
            "8",
            "--round-trips",
            "10",
            "--batches",
            "1",
        ],
    ));
    match probe {
        Ok(_) => None,
        Err(e) if e.to_string().contains("built without MPI") => Some(format!(
            "{NATIVE_RUNNER} was built without MPI (`cargo build --release -p native-runner --features mpi`)"
        )),
        Err(e) => Some(format!("{e:#}")),
    }
}

/// Measures the section: `np` ranks, full or quick sizes; `invoked` is the suite's command. Never fails: what could not be
/// measured is said in the section.
pub fn measure(
    invoked: &str,
    quick: bool,
    np: u32,
    build: bool,
    workloads: &Workloads,
) -> MpiSection {
    let t = Instant::now();
    let np = np.max(2);
    let mut section = MpiSection {
        date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        quick,
        ranks: np,
        ..MpiSection::default()
    };
    let mut why = None;
    if build {
        progress("building native-runner with --features mpi");
        if let Err(e) = procs::run_checked(Command::new("cargo").args([
            "build",
            "--release",
            "-p",
            "native-runner",
            "--features",
            "mpi",
        ])) {
            why = Some(format!(
                "building native-runner with --features mpi failed (it needs an MPI library and libclang: scripts/setup-mpi.sh): {e:#}"
            ));
        }
    }
    let why = why.or_else(|| why_not(np));
    if let Some(why) = why {
        progress(&format!("not measured: {why}"));
        section.not_measured = Some(why);
    } else if let Err(e) = measure_into(&mut section, invoked, quick, np, workloads) {
        progress(&format!("failed: {e:#}"));
        section.not_measured = Some(format!("a measurement failed: {e:#}"));
    }
    section.seconds = t.elapsed().as_secs_f64();
    section
}

fn measure_into(
    section: &mut MpiSection,
    invoked: &str,
    quick: bool,
    np: u32,
    workloads: &Workloads,
) -> Result<()> {
    let pick = |full: u64, q: u64| if quick { q } else { full };
    section.commands = vec![invoked.to_string()];
    section.environment = format!(
        "{} MPIEXEC_TIMEOUT={JOB_TIMEOUT_S}",
        MPI_ENV.map(|(k, v)| format!("{k}={v}")).join(" ")
    );

    // Latency.
    let round_trips = pick(10_000, 1_000);
    for btl in ["vader", "tcp"] {
        progress(&format!("ping-pong over {btl}"));
        let mca = format!("self,{btl}");
        let rt = round_trips.to_string();
        let args = ["__ping-pong", "--bytes", "8,1024", "--round-trips", &rt];
        let v: Value =
            serde_json::from_slice(&procs::run_checked(&mut mpirun(2, Some(&mca), &args))?)
                .context("reading the ping-pong's figures")?;
        section.commands.push(format!(
            "mpirun -np 2 --mca btl {mca} {NATIVE_RUNNER} {}",
            args.join(" ")
        ));
        if let Some(lib) = v["library"].as_str() {
            section.library = Some(lib.to_string());
        }
        for s in v["sizes"].as_array().into_iter().flatten() {
            section.ping_pong.push(PingPongRow {
                btl: btl.to_string(),
                bytes: s["bytes"].as_u64().unwrap_or(0),
                round_trips,
                one_way_us: s["one_way_us"].as_f64().unwrap_or(f64::NAN),
                min_one_way_us: s["min_one_way_us"].as_f64().unwrap_or(f64::NAN),
            });
        }
    }

    let spec_file = std::env::temp_dir().join(format!("xtask-mpi-{}.json", std::process::id()));
    // Each spec is in the JSON twin's figures: workload, n, model, schedule, workers, chunk.
    section.commands.push(format!(
        "mpi: mpirun -np {np} {NATIVE_RUNNER} run --spec FILE --format json"
    ));
    section.commands.push(format!(
        "process-pool: {NATIVE_RUNNER} run --spec FILE --format json"
    ));
    let result = specs(section, quick, np, workloads, &spec_file);
    let _ = std::fs::remove_file(&spec_file);
    result?;

    // The done-criterion, as its command is written.
    for schedule in [Schedule::Dynamic, Schedule::Static] {
        let n = pick(CRITERION_N, 30_000).to_string();
        let name = schedule_name(schedule);
        progress(&format!("primes n={n} on {np} ranks, {name}"));
        let args = [
            "run",
            "-w",
            "primes",
            "--n",
            &n,
            "-m",
            mpi_model().name(),
            "--schedule",
            name,
            "--format",
            "json",
        ];
        let set: ResultSet =
            serde_json::from_slice(&procs::run_checked(&mut mpirun(np, None, &args))?)
                .context("reading native-runner's result")?;
        let r = last(&set)?;
        section.criterion.push(CriterionRow {
            command: format!("mpirun -np {np} native-runner {}", args.join(" ")),
            schedule: name.to_string(),
            n: n.parse().unwrap_or(0),
            workers: r.workers,
            chunk_size: r.chunk_size,
            median: r.summary.median,
            sequential_median: (set.results.len() > 1).then(|| set.results[0].summary.median),
            speedup: r.speedup,
            speedup_ci: r.speedup_ci,
            verified: set.results.iter().all(|r| r.verified != Some(false)),
        });
    }
    Ok(())
}

fn last(set: &ResultSet) -> Result<&ModelResult> {
    set.results.last().context("a result set without results")
}

/// One configuration's sweeps pooled over the rounds: the baseline's times, each worker count's
/// times and chunk size, and whether every answer was right.
type Pooled = (Vec<f64>, Vec<Vec<f64>>, Vec<Option<u64>>, bool);

/// One experiment through `native-runner run --spec FILE`, under `mpirun -np np` if `np` is given.
fn run_spec(exp: &Experiment, np: Option<u32>, file: &PathBuf) -> Result<ResultSet> {
    std::fs::write(file, exp.to_json())?;
    let file = file.to_string_lossy();
    let args = ["run", "--spec", &file, "--format", "json"];
    let out = match np {
        Some(np) => procs::run_checked(&mut mpirun(np, None, &args))?,
        None => procs::run_checked(Command::new(NATIVE_RUNNER).args(args))?,
    };
    serde_json::from_slice(&out).context("reading native-runner's result")
}

/// The per-task overheads and the speedups, from specs.
fn specs(
    section: &mut MpiSection,
    quick: bool,
    np: u32,
    workloads: &Workloads,
    file: &PathBuf,
) -> Result<()> {
    let pick = |full: u64, q: u64| if quick { q } else { full };
    let (mpi, pool) = (mpi_model(), process_model());
    let configs = [
        (mpi, Some(Schedule::Static)),
        (mpi, Some(Schedule::Dynamic)),
        (pool, None),
    ];

    // Per-task overhead on `square`, as section 3 measures it, at chunk 1 and the default.
    for chunk in [Some(1), None] {
        // A message per task: fewer tasks keep chunk 1 short.
        let n = if chunk == Some(1) {
            pick(20_000, 2_000)
        } else {
            pick(200_000, 10_000)
        };
        for (model, schedule) in configs {
            progress(&format!(
                "per-task overhead: {} x{np}, {n} tasks, chunk {}",
                label(model, schedule),
                chunk.map_or_else(|| "default".to_string(), |c| c.to_string())
            ));
            let mut exp = crate::suite::experiment(workloads.tiny, n, model, np);
            exp.model.chunk_size = chunk;
            exp.model.schedule = schedule;
            exp.repetitions = engine::Repetitions::Fixed(if quick { 1 } else { 5 });
            exp.warmups = 1;
            exp.baseline = false;
            exp.timeline = false;
            let set = run_spec(&exp, (model == mpi).then_some(np), file)?;
            let r = last(&set)?;
            section.overhead.push(MpiOverheadRow {
                model: model.to_string(),
                schedule: schedule.map(|s| schedule_name(s).to_string()),
                workers: np,
                n,
                chunk_asked: chunk,
                chunk_size: r.chunk_size,
                native_ns: r.summary.median / n as f64 * 1e9,
                verified: r.verified != Some(false),
            });
        }
    }

    // Speedups at 1..np workers, in rounds: each round runs every configuration once, so that a
    // busy minute of a shared machine hits them all; each configuration's times are pooled over
    // the rounds. Process-pool is last, so that each mpi row finds it.
    let workers: Vec<u32> = (1..=np).collect();
    let rounds = if quick { 1 } else { 3 };
    for &(kind, n) in &workloads.scaling {
        let first = section.speedups.len();
        let mut pooled: Vec<Pooled> = configs
            .iter()
            .map(|_| {
                (
                    Vec::new(),
                    vec![Vec::new(); workers.len()],
                    vec![None; workers.len()],
                    true,
                )
            })
            .collect();
        for round in 1..=rounds {
            for (c, &(model, schedule)) in configs.iter().enumerate() {
                progress(&format!(
                    "speedup: {} on {kind} n={n}, round {round} of {rounds}",
                    label(model, schedule)
                ));
                let mut exp = crate::suite::experiment(kind, n, model, np);
                exp.model.schedule = schedule;
                exp.sweep = Some(Sweep::Workers(workers.clone()));
                exp.repetitions = engine::Repetitions::Fixed(if quick { 1 } else { 3 });
                exp.warmups = if quick { 0 } else { 1 };
                exp.timeline = false;
                let set = run_spec(&exp, (model == mpi).then_some(np), file)?;
                let p = &mut pooled[c];
                p.0.extend_from_slice(&set.results.first().context("no baseline")?.times);
                for (i, &w) in workers.iter().enumerate() {
                    if let Some(r) = set.results.iter().skip(1).find(|r| r.workers == w) {
                        p.1[i].extend_from_slice(&r.times);
                        p.2[i] = r.chunk_size;
                    }
                }
                p.3 &= set.results.iter().all(|r| r.verified != Some(false));
            }
        }
        for (&(model, schedule), (base, times, chunks, verified)) in configs.iter().zip(pooled) {
            let estimates: Vec<Option<RatioEstimate>> = times
                .iter()
                .map(|t| (!t.is_empty() && !base.is_empty()).then(|| ratio_estimate(&base, t)))
                .collect();
            section.speedups.push(MpiSpeedupRow {
                workload: kind.to_string(),
                n,
                model: model.to_string(),
                schedule: schedule.map(|s| schedule_name(s).to_string()),
                workers: workers.clone(),
                chunk_sizes: chunks,
                speedup: estimates
                    .iter()
                    .map(|e| e.as_ref().map(|e| e.ratio))
                    .collect(),
                speedup_ci: estimates
                    .iter()
                    .map(|e| e.as_ref().and_then(|e| e.ci))
                    .collect(),
                rounds,
                vs_process_pool: Vec::new(),
                verified,
            });
        }
        let (rows, pool_row) = section.speedups[first..].split_at_mut(2);
        let pool_row = &pool_row[0];
        for row in rows {
            row.vs_process_pool = (0..workers.len())
                .map(|i| {
                    // Only where both ran at the same chunk size.
                    if row.chunk_sizes[i] != pool_row.chunk_sizes[i] {
                        return None;
                    }
                    match (row.speedup[i], pool_row.speedup[i]) {
                        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
                        _ => None,
                    }
                })
                .collect();
        }
    }
    Ok(())
}
