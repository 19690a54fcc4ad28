//! The performance suite: what is measured, at which sizes, in which order.
//!
//! Every comparison is made inside one run of the suite on one machine, and browser and native
//! runs of the same experiment alternate, so a slow minute of a shared machine hits both sides.
//! Figures are ratios; absolute times are kept as context.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use engine::model::ModelKind;
use engine::result::{ModelResult, ResultSet};
use engine::spec::{Experiment, ParamValue, Sweep};
use engine::stats::{Summary, ratio_estimate, summarize};
use engine::workload::WorkloadKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::BenchArgs;
use crate::procs::{self, Browser, NATIVE_RUNNER};

/// Targets the report checks figures against.
pub const WASM_NATIVE_MAX: f64 = 1.15;
pub const SPEEDUP_VS_NATIVE_MIN: f64 = 0.95;
pub const SPEEDUP_TWO_CORES_MIN: f64 = 1.9;
pub const NATIVE_POOL_NS_MAX: f64 = 100.0;
pub const BROWSER_POOL_NS_MAX: f64 = 1000.0;
pub const PROCESS_POOL_NS_MAX: f64 = 20_000.0;
pub const LONG_TASK_MS_MAX: f64 = 50.0;

/// The pool models the per-task targets apply to.
pub const POOL_MODELS: [ModelKind; 3] = [
    ModelKind::StaticPool,
    ModelKind::DynamicPool,
    ModelKind::WorkStealing,
];

/// Sizes: full, or tiny for `--quick`.
struct Sizes {
    quick: bool,
}

impl Sizes {
    fn pick<T>(&self, full: T, quick: T) -> T {
        if self.quick { quick } else { full }
    }

    /// The CPU workloads at about 0.1-0.3 s natively on one core.
    fn cpu_workloads(&self) -> Vec<(WorkloadKind, u64)> {
        use WorkloadKind::*;
        vec![
            (Mandelbrot, self.pick(2000, 200)),
            (SpectralNorm, self.pick(2000, 100)),
            (FannkuchRedux, self.pick(10, 7)),
            (NBody, self.pick(5_000_000, 10_000)),
            (Primes, self.pick(3_000_000, 30_000)),
            (Amdahl, self.pick(2000, 100)),
        ]
    }

    /// The computing workloads of the speedup figures (sections 2 and 7).
    fn scaling_workloads(&self) -> [(WorkloadKind, u64); 2] {
        [
            (WorkloadKind::Mandelbrot, self.pick(2000, 200)),
            (WorkloadKind::Primes, self.pick(3_000_000, 30_000)),
        ]
    }
}

/// Section 7, measured on section 2's computing workloads at its sizes and section 3's tiny
/// task; `command` is how the report says it was started (`--quick` is added where given).
fn mpi_section(args: &BenchArgs, workers: u32, command: &str) -> crate::mpi::MpiSection {
    let quick = if args.quick { " --quick" } else { "" };
    crate::mpi::measure(
        &format!("{command}{quick}"),
        args.quick,
        workers,
        !args.no_build,
        &crate::mpi::Workloads {
            tiny: WorkloadKind::Square,
            scaling: Sizes { quick: args.quick }.scaling_workloads().to_vec(),
        },
    )
}

#[derive(Serialize, Deserialize)]
pub struct RatioRow {
    pub workload: String,
    pub n: u64,
    /// In the suite's one page, where every workload runs after the ones before it.
    pub native: Summary,
    pub browser: Summary,
    /// Browser mean / native mean and its 95% interval (`engine::stats::ratio_estimate`).
    pub ratio: f64,
    pub ratio_ci: Option<[f64; 2]>,
    /// The browser's timed runs in the order they ran.
    pub browser_times: Vec<f64>,
    /// The same spec in a page opened for it alone, rounds alternating with native runs.
    pub fresh: Option<FreshRow>,
    pub verified: bool,
    /// The engine's warnings on any of the rounds (`engine::warning`).
    pub flags: Vec<Flag>,
}

/// One workload in a fresh page: the conditions a learner's first run meets.
#[derive(Serialize, Deserialize)]
pub struct FreshRow {
    pub native: Summary,
    pub browser: Summary,
    pub ratio: f64,
    pub ratio_ci: Option<[f64; 2]>,
    /// The browser's timed runs in the order they ran (the first round first).
    pub browser_times: Vec<f64>,
    /// The fresh page's mean against the suite page's: above 1, the fresh page was slower.
    pub fresh_over_suite: f64,
    pub fresh_over_suite_ci: Option<[f64; 2]>,
}

#[derive(Serialize, Deserialize)]
pub struct SpeedupRow {
    pub workload: String,
    pub n: u64,
    pub model: String,
    pub workers: Vec<u32>,
    pub native: Vec<Option<f64>>,
    pub browser: Vec<Option<f64>>,
    pub verified: bool,
    /// Why a side has no figures (a model that cannot run there), if so.
    pub note: Option<String>,
    /// The engine's warnings on these figures (`engine::warning`).
    pub flags: Vec<Flag>,
}

/// A warning the engine attached to a figure of the report.
#[derive(Serialize, Deserialize, Clone)]
pub struct Flag {
    /// "native" or "browser" (and which page, for section 1).
    pub side: String,
    pub model: String,
    pub workers: u32,
    pub kind: String,
    pub message: String,
}

/// Every warning of a result set, labelled with its side.
pub fn flags(side: &str, set: &ResultSet) -> Vec<Flag> {
    set.results
        .iter()
        .flat_map(|r| {
            r.warnings.iter().map(move |w| Flag {
                side: side.to_string(),
                model: r.model.to_string(),
                workers: r.workers,
                kind: w.kind.name().to_string(),
                message: w.message.clone(),
            })
        })
        .collect()
}

#[derive(Serialize, Deserialize)]
pub struct OverheadRow {
    pub model: String,
    pub workers: u32,
    pub n: u64,
    pub chunk_size: Option<u64>,
    pub native_ns: f64,
    pub browser_ns: Option<f64>,
    pub verified: bool,
}

#[derive(Serialize, Deserialize)]
pub struct MemoryRow {
    pub model: String,
    pub workers: u32,
    pub n: u64,
    pub timeline: bool,
    pub peak_rss_mib: f64,
    pub seconds: f64,
    pub ok: bool,
    pub error: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub struct WasmSize {
    pub file: String,
    pub bytes: u64,
    pub gzip_bytes: u64,
}

#[derive(Serialize, Deserialize)]
pub struct PageRow {
    pub interactive_ms: f64,
    pub first_contentful_paint_ms: Option<f64>,
    pub longest_task_during_load_ms: f64,
    pub longest_task_during_runs_ms: f64,
    pub wasm: Vec<WasmSize>,
    pub user_agent: String,
    pub page_errors: Vec<String>,
}

/// One of our models measured on exactly the workload of a Python row.
#[derive(Serialize, Deserialize)]
pub struct PythonPair {
    pub construct: String,
    pub workload: String,
    pub n: u64,
    pub workers: u32,
    pub python_median: f64,
    pub python_per_task_ns: f64,
    pub python_speedup: Option<f64>,
    pub python_verified: bool,
    pub model: String,
    pub chunk_size: Option<u64>,
    pub ours_median: f64,
    pub ours_per_task_ns: f64,
    pub ours_speedup: Option<f64>,
    pub ours_verified: bool,
}

#[derive(Serialize, Deserialize)]
pub struct Report {
    pub date: String,
    pub quick: bool,
    pub workers: u32,
    pub commands: Vec<String>,
    pub machine: Value,
    pub browser_machine: Value,
    pub wasm_native: Vec<RatioRow>,
    pub speedups: Vec<SpeedupRow>,
    pub overhead: Vec<OverheadRow>,
    pub page: PageRow,
    pub python: Value,
    pub python_pairs: Vec<PythonPair>,
    pub memory: Vec<MemoryRow>,
    /// Section 7: the `mpi` model under `mpirun` (absent in reports written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mpi: Option<crate::mpi::MpiSection>,
}

pub(crate) fn experiment(
    workload: WorkloadKind,
    n: u64,
    model: ModelKind,
    workers: u32,
) -> Experiment {
    let mut exp = Experiment::new(workload, model, workers);
    exp.workload.n = n;
    exp
}

/// Whether a model runs in a plain `native-runner` process and in the page: not one whose
/// workers are MPI ranks, which need a launcher.
fn runs_alone(model: ModelKind) -> bool {
    model.info().host != engine::model::Host::Ranks
}

fn all_verified(set: &ResultSet) -> bool {
    set.results.iter().all(|r| r.verified != Some(false))
}

fn progress(what: &str) {
    eprintln!("bench: {what}");
}

pub fn run(args: &BenchArgs) -> Result<()> {
    let sizes = Sizes { quick: args.quick };
    let out_dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(if args.quick {
            "target/bench-quick"
        } else {
            "docs"
        })
    });
    if !Path::new("engine").is_dir() {
        bail!("run from the repository root (cargo xtask bench)");
    }
    if args.only == Some(crate::Section::Mpi) {
        return only_mpi(args, &out_dir);
    }
    if !args.no_build {
        // Trunk and the setup script find wasm-opt and playwright in node_modules, as the README's
        // commands do.
        let path = format!(
            "{}/node_modules/.bin:{}",
            std::env::current_dir()?.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        progress(
            "installing what is missing (scripts/setup-web.sh), building native-runner and the page",
        );
        procs::run_checked(
            Command::new("bash")
                .arg("scripts/setup-web.sh")
                .env("PATH", &path),
        )?;
        procs::run_checked(Command::new("cargo").args([
            "build",
            "--release",
            "-p",
            "native-runner",
        ]))?;
        procs::run_checked(
            Command::new("trunk")
                .args(["build", "--release"])
                .env("PATH", &path),
        )?;
    }
    let machine: Value = serde_json::from_slice(&procs::run_checked(
        Command::new(NATIVE_RUNNER).args(["machine", "--format", "json"]),
    )?)?;
    let cores = machine["logical_cores"].as_u64().unwrap_or(2) as u32;
    let workers = args.workers.unwrap_or(cores).max(1);

    let server = procs::serve(Path::new("dist"), args.port)?;
    let url = format!("http://127.0.0.1:{}/", args.port);
    let mut browser = Browser::open(&url)?;
    let page_info = browser.page()?;
    if page_info["machine"]["threads"] != Value::Bool(true) {
        bail!(
            "the page has no WebAssembly threads (crossOriginIsolated: {})",
            page_info["machine"]["crossOriginIsolated"]
        );
    }
    let mut longest_run_task = 0.0f64;

    let wasm_native = wasm_vs_native(&sizes, &url, &mut browser, &mut longest_run_task)?;
    let speedups = speedups(&sizes, workers, &mut browser, &mut longest_run_task)?;
    let overhead = overheads(&sizes, workers, &mut browser, &mut longest_run_task)?;
    drop(browser);
    // The page is done with: its server would only hold the binary section 7 may rebuild.
    drop(server);

    let python = python(&sizes, workers)?;
    let python_pairs = python_pairs(&python)?;
    let memory = memory(&sizes, workers)?;
    let mpi = mpi_section(args, workers, "cargo xtask bench");

    let mut wasm = Vec::new();
    for file in ["dist/frontend_bg.wasm", "dist/threads/frontend_bg.wasm"] {
        let (bytes, gzip_bytes) = procs::gzip_size(&PathBuf::from(file))?;
        wasm.push(WasmSize {
            file: file.trim_start_matches("dist/").to_string(),
            bytes,
            gzip_bytes,
        });
    }
    let f = |v: &Value| v.as_f64();
    let page = PageRow {
        interactive_ms: f(&page_info["interactive_ms"]).unwrap_or(f64::NAN),
        first_contentful_paint_ms: f(&page_info["first_contentful_paint_ms"]),
        longest_task_during_load_ms: page_info["long_tasks_during_load_ms"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).fold(0.0, f64::max))
            .unwrap_or(0.0),
        longest_task_during_runs_ms: longest_run_task,
        wasm,
        user_agent: page_info["user_agent"].as_str().unwrap_or("").to_string(),
        page_errors: page_info["page_errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    };

    let quick = if args.quick { " --quick" } else { "" };
    let report = Report {
        date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        quick: args.quick,
        workers,
        commands: vec![
            format!("cargo xtask bench{quick}"),
            "native: target/release/native-runner run --spec - --format json (each spec is in the JSON twin's figures: workload, n, model, workers)".into(),
            format!("browser: node bench/browser.mjs {url} (window.playground.run in headless Chromium, page served by native-runner serve)"),
            format!("python: python3 bench/python/equivalents.py --workers {workers}{quick}"),
            "memory: target/release/native-runner run -w square --n N -m MODEL -j W -r 1 --warmups 0 --no-baseline [--no-timeline] --format json, peak RSS from wait4".into(),
        ],
        machine,
        browser_machine: page_info["machine"].clone(),
        wasm_native,
        speedups,
        overhead,
        page,
        python,
        python_pairs,
        memory,
        mpi: Some(mpi),
    };
    std::fs::create_dir_all(&out_dir)?;
    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(out_dir.join("performance.json"), json + "\n")?;
    write_report(&report, &out_dir)
}

/// `cargo xtask bench --only mpi`: section 7 measured alone and merged into the report already
/// in `out_dir`, which is then written again (the section states its own date).
fn only_mpi(args: &BenchArgs, out_dir: &Path) -> Result<()> {
    let from = out_dir.join("performance.json");
    let text = std::fs::read_to_string(&from).with_context(|| {
        format!(
            "reading {} (--only merges into a report: run the suite once first)",
            from.display()
        )
    })?;
    let mut report: Report = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a report", from.display()))?;
    let workers = args.workers.unwrap_or(report.workers).max(1);
    let section = mpi_section(args, workers, "cargo xtask bench --only mpi");
    report.mpi = Some(section);
    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(&from, json + "\n")?;
    write_report(&report, out_dir)
}

/// `cargo xtask report`: the report written again from its JSON twin (`from`), into `out` or
/// beside it.
pub fn rewrite(from: &Path, out: Option<&Path>) -> Result<()> {
    let text =
        std::fs::read_to_string(from).with_context(|| format!("reading {}", from.display()))?;
    let report: Report = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a report", from.display()))?;
    let dir = out
        .map(Path::to_path_buf)
        .or_else(|| from.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    std::fs::create_dir_all(&dir)?;
    write_report(&report, &dir)
}

/// Writes the report's Markdown, its charts beside it, and the HTML page into `out_dir`.
pub fn write_report(report: &Report, out_dir: &Path) -> Result<()> {
    let md = crate::report::markdown(report);
    let charts = crate::report::charts(report);
    std::fs::write(out_dir.join("performance.md"), &md)?;
    for (file, chart) in &charts {
        std::fs::write(out_dir.join(file), chart.svg())?;
    }
    std::fs::write(
        out_dir.join("performance.html"),
        crate::report::html(&md, &charts),
    )?;
    progress(&format!(
        "wrote {}/performance.{{md,json,html}} and {} charts",
        out_dir.display(),
        charts.len()
    ));
    Ok(())
}

/// Section 1: one worker, sequential model, browser against native, rounds interleaved: in the
/// suite's one page (after whatever ran in it before), and in a page opened for the workload alone.
fn wasm_vs_native(
    sizes: &Sizes,
    url: &str,
    browser: &mut Browser,
    longest: &mut f64,
) -> Result<Vec<RatioRow>> {
    let rounds = sizes.pick(5, 1);
    let mut rows = Vec::new();
    for (kind, n) in sizes.cpu_workloads() {
        progress(&format!("wasm/native: {kind} n={n}"));
        let mut exp = experiment(kind, n, ModelKind::Sequential, 1);
        exp.repetitions = engine::Repetitions::Fixed(sizes.pick(3, 1));
        exp.warmups = 1;
        exp.timeline = false;
        let mut verified = true;
        let mut flags = Vec::new();
        let (native, wasm) = interleaved(
            &exp,
            rounds,
            browser,
            longest,
            &mut verified,
            &mut flags,
            "",
        )?;
        let e = ratio_estimate(&wasm, &native);
        // Quick mode checks the fresh-page path on one workload only.
        let fresh = if !sizes.quick || kind == WorkloadKind::NBody {
            progress(&format!("wasm/native in a fresh page: {kind} n={n}"));
            let mut page = Browser::open(url)?;
            let (fresh_native, fresh_wasm) = interleaved(
                &exp,
                rounds,
                &mut page,
                longest,
                &mut verified,
                &mut flags,
                ", fresh page",
            )?;
            let f = ratio_estimate(&fresh_wasm, &fresh_native);
            let vs = ratio_estimate(&fresh_wasm, &wasm);
            Some(FreshRow {
                native: summarize(&fresh_native),
                browser: summarize(&fresh_wasm),
                ratio: f.ratio,
                ratio_ci: f.ci,
                browser_times: fresh_wasm,
                fresh_over_suite: vs.ratio,
                fresh_over_suite_ci: vs.ci,
            })
        } else {
            None
        };
        rows.push(RatioRow {
            workload: kind.to_string(),
            n,
            native: summarize(&native),
            browser: summarize(&wasm),
            ratio: e.ratio,
            ratio_ci: e.ci,
            browser_times: wasm,
            fresh,
            verified,
            flags,
        });
    }
    Ok(rows)
}

/// `rounds` rounds of the experiment natively then in `browser`; every timed run's time, each
/// side in the order run.
fn interleaved(
    exp: &Experiment,
    rounds: u32,
    browser: &mut Browser,
    longest: &mut f64,
    verified: &mut bool,
    flagged: &mut Vec<Flag>,
    page: &str,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let (mut native, mut wasm) = (Vec::new(), Vec::new());
    let mut add = |new: Vec<Flag>| {
        for f in new {
            if !flagged.iter().any(|g| g.side == f.side && g.kind == f.kind) {
                flagged.push(f);
            }
        }
    };
    for _ in 0..rounds {
        let set = procs::native_run(exp)?;
        *verified &= all_verified(&set);
        add(flags("native", &set));
        native.extend_from_slice(&set.results[0].times);
        let (set, l) = browser.run(exp)?;
        *longest = longest.max(l);
        *verified &= all_verified(&set);
        add(flags(&format!("browser{page}"), &set));
        wasm.extend_from_slice(&set.results[0].times);
    }
    Ok((native, wasm))
}

fn speedup_at(set: &ResultSet, workers: u32) -> Option<f64> {
    set.results
        .iter()
        .skip(1)
        .find(|r: &&ModelResult| r.workers == workers)
        .and_then(|r| r.speedup)
}

/// 2. Speedup over sequential at 1..N workers, every model, on three workloads.
fn speedups(
    sizes: &Sizes,
    workers: u32,
    browser: &mut Browser,
    longest: &mut f64,
) -> Result<Vec<SpeedupRow>> {
    let mut rows = Vec::new();
    let mut workloads = sizes.scaling_workloads().to_vec();
    workloads.push((WorkloadKind::Sleep, sizes.pick(40, 8)));
    for (kind, n) in workloads {
        // Waiting overlaps beyond the core count, so sleep also goes to 4x the cores.
        let list: Vec<u32> = if kind == WorkloadKind::Sleep {
            let mut l: Vec<u32> = (1..=workers).collect();
            l.extend([2 * workers, 4 * workers]);
            l
        } else {
            (1..=workers).collect()
        };
        for &model in ModelKind::ALL {
            if model == ModelKind::Sequential || !runs_alone(model) {
                continue;
            }
            progress(&format!("speedup: {model} on {kind} n={n}"));
            let mut exp = experiment(kind, n, model, workers);
            exp.sweep = Some(Sweep::Workers(list.clone()));
            exp.repetitions = engine::Repetitions::Fixed(sizes.pick(3, 1));
            exp.warmups = sizes.pick(1, 0);
            exp.timeline = false;
            let native = procs::native_run(&exp)?;
            let (web, l) = browser.run(&exp)?;
            *longest = longest.max(l);
            rows.push(SpeedupRow {
                workload: kind.to_string(),
                n,
                model: model.to_string(),
                workers: list.clone(),
                native: list.iter().map(|&w| speedup_at(&native, w)).collect(),
                browser: list.iter().map(|&w| speedup_at(&web, w)).collect(),
                verified: all_verified(&native) && all_verified(&web),
                note: None,
                flags: [flags("native", &native), flags("browser", &web)].concat(),
            });
        }
    }
    Ok(rows)
}

/// 3. Time per task on `square` (about a nanosecond of work), timeline off, at N workers.
fn overheads(
    sizes: &Sizes,
    workers: u32,
    browser: &mut Browser,
    longest: &mut f64,
) -> Result<Vec<OverheadRow>> {
    let mut rows = Vec::new();
    for &model in ModelKind::ALL.iter().filter(|&&m| runs_alone(m)) {
        // Thread creation costs tens of microseconds per task: fewer tasks keep it short.
        let n = match model {
            ModelKind::ThreadPerTask => sizes.pick(10_000, 1_000),
            _ => sizes.pick(200_000, 10_000),
        };
        let w = if model == ModelKind::Sequential {
            1
        } else {
            workers
        };
        progress(&format!("per-task overhead: {model} x{w}, {n} tasks"));
        let mut exp = experiment(WorkloadKind::Square, n, model, w);
        exp.repetitions = engine::Repetitions::Fixed(sizes.pick(5, 1));
        exp.warmups = 1;
        exp.baseline = false;
        exp.timeline = false;
        let native = procs::native_run(&exp)?;
        let (web, l) = browser.run(&exp)?;
        *longest = longest.max(l);
        let (nr, wr) = (&native.results[0], &web.results[0]);
        rows.push(OverheadRow {
            model: model.to_string(),
            workers: w,
            n,
            chunk_size: nr.chunk_size,
            native_ns: nr.summary.median / n as f64 * 1e9,
            browser_ns: Some(wr.summary.median / n as f64 * 1e9),
            verified: nr.verified != Some(false) && wr.verified != Some(false),
        });
    }
    Ok(rows)
}

/// 5. Python's constructs, from the script kept in the repository.
fn python(sizes: &Sizes, workers: u32) -> Result<Value> {
    progress("python equivalents (python3 bench/python/equivalents.py)");
    let mut cmd = Command::new("python3");
    cmd.args(["bench/python/equivalents.py", "--workers"])
        .arg(workers.to_string());
    if sizes.quick {
        cmd.arg("--quick");
    }
    serde_json::from_slice(&procs::run_checked(&mut cmd)?).context("reading Python's figures")
}

/// Our model that does what a Python construct does, with the option that matches it.
fn model_for(construct: &str, chunksize: Option<u64>) -> Option<(ModelKind, Option<u64>)> {
    let c = construct;
    Some(if c == "sequential" {
        (ModelKind::Sequential, None)
    } else if c.starts_with("threading.Thread") {
        (ModelKind::ThreadPerTask, None)
    } else if c.starts_with("ThreadPoolExecutor") {
        (ModelKind::Gil, None)
    } else if c.starts_with("multiprocessing.Pool.map") || c.starts_with("ProcessPoolExecutor") {
        (ModelKind::ProcessPool, chunksize.or(Some(1)))
    } else if c.starts_with("asyncio") {
        (ModelKind::Async, None)
    } else {
        return None;
    })
}

/// Each Python row's workload run through our matching model, natively, same sizes, same
/// workers. `ThreadPoolExecutor` is paired with `gil` (what CPython's threads do) and again with
/// `dynamic-pool` (what the same pool does without a GIL).
fn python_pairs(python: &Value) -> Result<Vec<PythonPair>> {
    let mut pairs = Vec::new();
    let rows = python["rows"].as_array().cloned().unwrap_or_default();
    let mut sequential_seen = Vec::new();
    for row in &rows {
        let construct = row["construct"].as_str().unwrap_or("").to_string();
        let workload = row["workload"].as_str().unwrap_or("").to_string();
        // The script times its loop at every size another row uses; one per workload is shown.
        if construct == "sequential" {
            if sequential_seen.contains(&workload) {
                continue;
            }
            sequential_seen.push(workload.clone());
        }
        let n = row["n"].as_u64().unwrap_or(0);
        let workers = row["workers"].as_u64().unwrap_or(1) as u32;
        let chunksize = row["chunksize"].as_u64();
        let Some((model, chunk)) = model_for(&construct, chunksize) else {
            continue;
        };
        let mut models = vec![(model, chunk)];
        if model == ModelKind::Gil {
            models.push((ModelKind::DynamicPool, None));
        }
        for (model, chunk) in models {
            let kind: WorkloadKind = workload.parse()?;
            let w = if model == ModelKind::Sequential {
                1
            } else if model == ModelKind::Async && workers <= 1 {
                // A bare asyncio.gather puts every task in flight at once.
                (n as u32).clamp(1, engine::limits::MAX_WORKERS)
            } else {
                workers
            };
            let mut exp = experiment(kind, n, model, w);
            if kind == WorkloadKind::Primes {
                // The script's split: 64 ranges, 16 in its quick mode.
                let quick = python["quick"].as_bool().unwrap_or(false);
                let tasks = if quick { 16 } else { 64 };
                exp.workload
                    .set("tasks", ParamValue::Int(tasks))
                    .context("primes tasks")?;
            }
            exp.model.chunk_size = chunk;
            exp.repetitions = engine::Repetitions::Fixed(5);
            exp.warmups = 1;
            exp.timeline = false;
            exp.baseline = model != ModelKind::Sequential;
            progress(&format!("ours beside python: {model} x{w} on {kind} n={n}"));
            let exp = exp.validate()?;
            let set = procs::native_run(&exp)?;
            let r = set.results.last().expect("a result");
            pairs.push(PythonPair {
                construct: construct.clone(),
                workload: workload.clone(),
                n,
                workers,
                python_median: row["median"].as_f64().unwrap_or(f64::NAN),
                python_per_task_ns: row["per_task_ns"].as_f64().unwrap_or(f64::NAN),
                python_speedup: row["speedup"].as_f64(),
                python_verified: row["verified"].as_bool().unwrap_or(false),
                model: model.to_string(),
                chunk_size: r.chunk_size,
                ours_median: r.summary.median,
                ours_per_task_ns: r.summary.median / n.max(1) as f64 * 1e9,
                ours_speedup: r
                    .speedup
                    .or((model == ModelKind::Sequential).then_some(1.0)),
                ours_verified: all_verified(&set),
            });
        }
    }
    Ok(pairs)
}

/// 6. Peak memory of the native runner for a million tiny tasks through each model.
fn memory(sizes: &Sizes, workers: u32) -> Result<Vec<MemoryRow>> {
    let n = sizes.pick(1_000_000u64, 10_000);
    let mut rows = Vec::new();
    for &model in ModelKind::ALL.iter().filter(|&&m| runs_alone(m)) {
        let w = if model == ModelKind::Sequential {
            1
        } else {
            workers
        };
        for timeline in [false, true] {
            progress(&format!(
                "peak memory: {model} x{w}, {n} tasks, timeline {}",
                if timeline { "on" } else { "off" }
            ));
            let mut args: Vec<String> = [
                "run",
                "-w",
                "square",
                "--n",
                &n.to_string(),
                "-m",
                model.name(),
                "-j",
                &w.to_string(),
                "-r",
                "1",
                "--warmups",
                "0",
                "--no-baseline",
                "--format",
                "json",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            if !timeline {
                args.push("--no-timeline".into());
            }
            let u = procs::peak_memory(NATIVE_RUNNER, &args)?;
            rows.push(MemoryRow {
                model: model.to_string(),
                workers: w,
                n,
                timeline,
                peak_rss_mib: u.peak_rss_bytes as f64 / (1024.0 * 1024.0),
                seconds: u.seconds,
                ok: u.success,
                error: (!u.success).then_some(u.stderr),
            });
        }
    }
    Ok(rows)
}
