//! The report: Markdown for the repository, and the same as an HTML page the playground links to.

use std::fmt::Write;

use crate::chart::{BarChart, Point, Row, tick_label};
use crate::mpi::{MPI_PRIMES_SPEEDUP_MIN, MPI_VS_PROCESS_POOL_MIN};
use crate::suite::{
    BROWSER_POOL_NS_MAX, LONG_TASK_MS_MAX, NATIVE_POOL_NS_MAX, POOL_MODELS, PROCESS_POOL_NS_MAX,
    Report, SPEEDUP_TWO_CORES_MIN, SPEEDUP_VS_NATIVE_MIN, WASM_NATIVE_MAX,
};

/// What the two wasm/native columns measure and why they can differ, as found by measuring.
pub const FRESH_PAGE_NOTE: &str = include_str!("fresh_page_note.md");

/// The engine's warnings under a table: "⚠ dynamic-pool, native, 2 workers: noisy: ...".
/// Each item: the row's label, the model the row measures, and a flag of its experiment.
fn flag_list<'a>(
    s: &mut String,
    flags: impl Iterator<Item = (&'a str, &'a str, &'a crate::suite::Flag)>,
) {
    let mut any = false;
    for (what, model, f) in flags {
        if !any {
            let _ = writeln!(
                s,
                "\nFlagged by the engine (`engine::warning`), shown as ⚠:\n"
            );
            any = true;
        }
        // A sweep's flags include its sequential baseline's, which are said as such.
        let config = if f.model == model {
            format!(
                "{} {}",
                f.workers,
                if f.workers == 1 { "worker" } else { "workers" }
            )
        } else {
            format!("its {} baseline", f.model)
        };
        let _ = writeln!(s, "- {what}, {}, {config}: {}", f.side, f.message);
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**not met**" }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map(|v| format!("{v:.digits$}"))
        .unwrap_or_else(|| "–".into())
}

fn ns(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.1} µs", v / 1000.0)
    } else {
        format!("{v:.0} ns")
    }
}

/// Embarrassingly parallel: every task independent and the work spread evenly over enough
/// tasks for every worker.
fn embarrassing(workload: &str, model: &str) -> bool {
    workload == "mandelbrot" && matches!(model, "dynamic-pool" | "work-stealing" | "shared-state")
}

/// The charts' files, beside `performance.md` (the HTML page has them inline).
const WASM_NATIVE_SVG: &str = "performance-wasm-native.svg";
const OVERHEAD_SVG: &str = "performance-overhead.svg";
const PYTHON_SVG: &str = "performance-python.svg";

fn speedup_svg(workload: &str) -> String {
    format!("performance-speedup-{workload}.svg")
}

/// A chart in the Markdown: an image of its file, its title as the alternative text.
fn image(chart: &BarChart, file: &str) -> String {
    format!("![{}]({file})", chart.title)
}

/// Every chart of the report with its file name.
pub fn charts(r: &Report) -> Vec<(String, BarChart)> {
    let mut out = vec![(WASM_NATIVE_SVG.to_string(), wasm_native_chart(r))];
    let mut workloads: Vec<&str> = r.speedups.iter().map(|x| x.workload.as_str()).collect();
    workloads.dedup();
    for w in workloads {
        out.push((speedup_svg(w), speedup_chart(r, w)));
    }
    out.push((OVERHEAD_SVG.to_string(), overhead_chart(r)));
    out.push((PYTHON_SVG.to_string(), python_chart(r)));
    out
}

fn wasm_native_chart(r: &Report) -> BarChart {
    BarChart {
        title: "One worker: time in the browser over time natively".into(),
        axis: "browser time / native time (below 1: the browser was faster)".into(),
        series: vec!["suite page".into(), "fresh page".into()],
        rows: r
            .wasm_native
            .iter()
            .map(|w| Row {
                label: w.workload.clone(),
                points: vec![
                    Some(Point::new(w.ratio, w.ratio_ci)),
                    w.fresh.as_ref().map(|f| Point::new(f.ratio, f.ratio_ci)),
                ],
            })
            .collect(),
        reference: Some((1.0, "as fast as native".into())),
        log: false,
    }
}

fn speedup_chart(r: &Report, workload: &str) -> BarChart {
    let n = r.workers;
    let at_n = |v: &[Option<f64>], workers: &[u32]| at_workers(v, workers, n);
    BarChart {
        title: format!("{workload}: speedup over one worker with {n} workers"),
        axis: format!("speedup at {n} workers (sequential time / parallel time)"),
        series: vec!["native".into(), "browser".into()],
        rows: r
            .speedups
            .iter()
            .filter(|x| x.workload == workload)
            .map(|x| Row {
                label: x.model.clone(),
                points: vec![
                    at_n(&x.native, &x.workers).map(|v| Point::new(v, None)),
                    at_n(&x.browser, &x.workers).map(|v| Point::new(v, None)),
                ],
            })
            .collect(),
        reference: Some((f64::from(n), format!("{n} workers, ideal"))),
        log: false,
    }
}

fn overhead_chart(r: &Report) -> BarChart {
    BarChart {
        title: "The price of one tiny task, per model".into(),
        axis: "time per task in ns, log scale (square, timeline off)".into(),
        series: vec!["native".into(), "browser".into()],
        rows: r
            .overhead
            .iter()
            .map(|o| Row {
                label: match o.chunk_size {
                    Some(c) if c > 1 => format!("{} (chunks of {c})", o.model),
                    _ => o.model.clone(),
                },
                points: vec![
                    Some(Point::new(o.native_ns, None)),
                    o.browser_ns.map(|b| Point::new(b, None)),
                ],
            })
            .collect(),
        reference: None,
        log: true,
    }
}

fn python_chart(r: &Report) -> BarChart {
    BarChart {
        title: "CPU-bound primes: CPython's constructs beside our models".into(),
        axis: "speedup over each side's own sequential loop".into(),
        series: vec!["CPython".into(), "our model".into()],
        rows: r
            .python_pairs
            .iter()
            .filter(|x| x.workload == "primes" && x.construct != "sequential")
            .map(|x| Row {
                label: format!("{} / {}", short_construct(&x.construct), x.model),
                points: vec![
                    x.python_speedup.map(|v| Point::new(v, None)),
                    x.ours_speedup.map(|v| Point::new(v, None)),
                ],
            })
            .collect(),
        reference: Some((1.0, "as fast as one".into())),
        log: false,
    }
}

/// "multiprocessing.Pool.map chunksize=default" as "Pool.map": a chart label has little room.
fn short_construct(c: &str) -> String {
    let c = c.strip_prefix("multiprocessing.").unwrap_or(c);
    c.replace(" chunksize=default", "")
        .replace(" chunksize=", ", chunk ")
}

/// The figure of a sweep row (`v`, one per entry of `workers`) at `n` workers, if measured.
fn at_workers(v: &[Option<f64>], workers: &[u32], n: u32) -> Option<f64> {
    workers
        .iter()
        .position(|&w| w == n)
        .and_then(|i| v.get(i).copied().flatten())
}

/// What the figures mean, for someone learning concurrency: a few sentences at the top, each
/// from this run's figures (a sentence whose figures are missing is left out).
fn summary(r: &Report) -> String {
    let mut lines = Vec::new();
    let n = r.workers;
    let ratios: Vec<(&str, f64)> = r
        .wasm_native
        .iter()
        .map(|w| (w.workload.as_str(), w.ratio))
        .collect();
    let lo = ratios.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    let hi = ratios.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some(lo), Some(hi)) = (lo, hi) {
        lines.push(format!(
            "**One thread, browser against native.** On one thread the browser took from {} ({}) to {} ({}) times as long as native code for the same work. WebAssembly is compiled code too: for computing, the browser is a fair place to measure concurrency.",
            tick_label(lo.1),
            lo.0,
            tick_label(hi.1),
            hi.0
        ));
    }
    let at_n = |v: &[Option<f64>], workers: &[u32]| at_workers(v, workers, n);
    // Computing work only: waits overlap without cores, so they say nothing about them.
    let computing = |w: &str| {
        w.parse::<engine::workload::WorkloadKind>()
            .is_ok_and(|k| k.info().bound != engine::workload::Bound::Io)
    };
    let best = r
        .speedups
        .iter()
        .filter(|x| computing(&x.workload))
        .filter_map(|x| Some((x, at_n(&x.native, &x.workers)?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((x, nat)) = best {
        let browser = at_n(&x.browser, &x.workers)
            .map(|b| format!(" and {} times in the browser", tick_label(b)))
            .unwrap_or_default();
        lines.push(format!(
            "**Cores.** With {n} workers the best computing run was {} on {}: {} times as fast as one worker natively{browser}. Each worker needs a core of its own: with {} logical cores here, a speedup above {n} cannot be right, and the report flags any that claims one.",
            x.model,
            x.workload,
            tick_label(nat),
            r.machine["logical_cores"]
        ));
    }
    let per = |model: &str| r.overhead.iter().find(|o| o.model == model);
    if let (Some(pool), Some(proc)) = (per("dynamic-pool"), per("process-pool")) {
        lines.push(format!(
            "**The price of a hand-off.** Handing tiny tasks one at a time to a thread pool cost {} per task natively{}; a pool of processes, sending them as bytes in chunks of {}, cost {} per task. Parallelism pays only when each task does many times that much work, or when tasks travel in chunks: that is what `chunksize` is for.",
            ns(pool.native_ns),
            pool.browser_ns
                .map(|b| format!(" and {} in the browser", ns(b)))
                .unwrap_or_default(),
            proc.chunk_size.unwrap_or(1),
            ns(proc.native_ns)
        ));
    }
    let py = |construct: &str, model: &str| {
        r.python_pairs
            .iter()
            .find(|x| x.workload == "primes" && x.construct == construct && x.model == model)
    };
    if let (Some(threads), Some(procs)) = (
        py("ThreadPoolExecutor.map", "gil"),
        r.python_pairs.iter().find(|x| {
            x.workload == "primes" && x.construct.starts_with("multiprocessing.Pool.map")
        }),
    ) && let (Some(t), Some(p)) = (threads.python_speedup, procs.python_speedup)
    {
        lines.push(format!(
            "**Python.** In {} on CPU-bound work, {n} threads ran {} times as fast as one loop (the GIL lets one thread compute at a time; our GIL model: {}), and a pool of {n} processes {} times.",
            r.python["implementation"].as_str().unwrap_or("Python"),
            tick_label(t),
            threads
                .ours_speedup
                .map_or_else(|| "–".into(), tick_label),
            tick_label(p)
        ));
    }
    if lines.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "## In short\n\nWhat this machine ({} logical cores) showed, and what it means for someone learning concurrency; the figures and how they were measured follow.\n\n",
        r.machine["logical_cores"]
    );
    for l in lines {
        let _ = writeln!(s, "- {l}");
    }
    s.push('\n');
    s
}

pub fn markdown(r: &Report) -> String {
    let mut s = String::new();
    let m = &r.machine;
    let _ = writeln!(s, "# Performance report\n");
    s.push_str(&summary(r));
    let _ = writeln!(
        s,
        "Measured {} on {} ({} logical cores, {}), {} workers for the parallel figures{}. \
         Every comparison below was measured in this one run of the suite, browser and native \
         runs alternating; ratios are the figures, absolute times only context.\n",
        r.date,
        m["cpu_model"].as_str().unwrap_or("unknown CPU"),
        m["logical_cores"],
        m["os"].as_str().unwrap_or("unknown OS"),
        r.workers,
        if r.quick {
            ". **Quick mode: tiny sizes, single repetitions; these figures check that the suite \
             works and mean nothing else**"
        } else {
            ""
        }
    );
    let _ = writeln!(s, "Browser: {}.\n", r.page.user_agent);
    let _ = writeln!(s, "How it was measured:\n");
    for c in &r.commands {
        let _ = writeln!(s, "- `{c}`");
    }
    let _ = writeln!(
        s,
        "\nThe JSON twin (`performance.json`) holds every figure, including raw times. \
         Design notes: `bench/README.md`.\n"
    );

    // Targets at a glance.
    let _ = writeln!(s, "## Targets\n\n| target | figure | |\n|---|---|---|");
    let worst = r
        .wasm_native
        .iter()
        .max_by(|a, b| a.ratio.total_cmp(&b.ratio));
    if let Some(w) = worst {
        let _ = writeln!(
            s,
            "| wasm / native at 1 worker ≤ {WASM_NATIVE_MAX} for every CPU workload | worst: {} {:.2} | {} |",
            w.workload,
            w.ratio,
            verdict(w.ratio <= WASM_NATIVE_MAX)
        );
    }
    let n = r.workers;
    let at_n = |v: &[Option<f64>], workers: &[u32]| at_workers(v, workers, n);
    let mut min_rel: Option<(f64, String)> = None;
    let mut min_ep: Option<(f64, String)> = None;
    for row in &r.speedups {
        let (Some(b), Some(nat)) = (
            at_n(&row.browser, &row.workers),
            at_n(&row.native, &row.workers),
        ) else {
            continue;
        };
        let what = format!("{} on {}", row.model, row.workload);
        if nat > 0.0 && min_rel.as_ref().is_none_or(|(v, _)| b / nat < *v) {
            min_rel = Some((b / nat, what.clone()));
        }
        if embarrassing(&row.workload, &row.model) && min_ep.as_ref().is_none_or(|(v, _)| b < *v) {
            min_ep = Some((b, what));
        }
    }
    if let Some((v, what)) = &min_rel {
        let _ = writeln!(
            s,
            "| browser speedup at {n} workers ≥ {SPEEDUP_VS_NATIVE_MIN} × native's | lowest: {what} {v:.2} | {} |",
            verdict(*v >= SPEEDUP_VS_NATIVE_MIN)
        );
    }
    if let Some((v, what)) = &min_ep
        && n == 2
    {
        let _ = writeln!(
            s,
            "| browser speedup ≥ {SPEEDUP_TWO_CORES_MIN}x on 2 cores, embarrassingly parallel | lowest: {what} {v:.2}x | {} |",
            verdict(*v >= SPEEDUP_TWO_CORES_MIN)
        );
    }
    for row in &r.overhead {
        let pool = POOL_MODELS.iter().any(|p| p.name() == row.model);
        if pool {
            let _ = writeln!(
                s,
                "| {} native ≤ {NATIVE_POOL_NS_MAX} ns per task | {} | {} |",
                row.model,
                ns(row.native_ns),
                verdict(row.native_ns <= NATIVE_POOL_NS_MAX)
            );
            if let Some(b) = row.browser_ns {
                let _ = writeln!(
                    s,
                    "| {} browser ≤ 1 µs per task | {} | {} |",
                    row.model,
                    ns(b),
                    verdict(b <= BROWSER_POOL_NS_MAX)
                );
            }
        }
        if row.model == "process-pool" {
            let worst = row.native_ns.max(row.browser_ns.unwrap_or(0.0));
            let _ = writeln!(
                s,
                "| process-pool ≤ 20 µs per task, native and browser | {} native, {} browser | {} |",
                ns(row.native_ns),
                row.browser_ns.map(ns).unwrap_or_else(|| "–".into()),
                verdict(worst <= PROCESS_POOL_NS_MAX)
            );
        }
    }
    let longest = r.page.longest_task_during_runs_ms;
    let _ = writeln!(
        s,
        "| longest main-thread task during runs ≤ {LONG_TASK_MS_MAX} ms | {} | {} |",
        if longest > 0.0 {
            format!("{longest:.0} ms")
        } else {
            "none over 50 ms".into()
        },
        verdict(longest <= LONG_TASK_MS_MAX)
    );
    mpi_targets(&mut s, r);
    let all_ok = r.memory.iter().all(|m| m.ok);
    let _ = writeln!(
        s,
        "| 10^6 tiny tasks through every model natively | {} | {} |\n",
        if all_ok {
            "all ran".to_string()
        } else {
            "some failed (below)".to_string()
        },
        verdict(all_ok)
    );

    // 1.
    let _ = writeln!(
        s,
        "## 1. WebAssembly against native, one worker\n\n\
         `sequential`, timeline off, the same spec natively and in the page, rounds alternating. \
         Ratio = browser mean / native mean with its 95% interval. *Suite page*: the one page \
         the suite runs everything in, each workload after the ones above it. *Fresh page*: a \
         page opened for that workload alone, as a learner's first run meets it, again \
         alternating with native runs. The last column is the fresh page's browser time over \
         the suite page's.\n\n\
         | workload | n | native median | browser median | browser / native, suite page | browser / native, fresh page | fresh / suite | verified |\n|---|---|---|---|---|---|---|---|"
    );
    let pm = engine::stats::with_interval;
    for row in &r.wasm_native {
        let (fresh, vs) = match &row.fresh {
            Some(f) => (
                pm(f.ratio, f.ratio_ci),
                pm(f.fresh_over_suite, f.fresh_over_suite_ci),
            ),
            None => ("–".into(), "–".into()),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {:.1} ms | {:.1} ms | {} | {fresh} | {vs} | {} |",
            row.workload,
            row.n,
            row.native.median * 1e3,
            row.browser.median * 1e3,
            pm(row.ratio, row.ratio_ci),
            if row.verified { "yes" } else { "**no**" }
        );
    }
    flag_list(
        &mut s,
        r.wasm_native.iter().flat_map(|row| {
            row.flags
                .iter()
                .map(move |f| (row.workload.as_str(), "sequential", f))
        }),
    );
    let _ = writeln!(s, "\n{}\n", image(&wasm_native_chart(r), WASM_NATIVE_SVG));
    let _ = writeln!(s, "\n{}\n", crate::report::FRESH_PAGE_NOTE);

    // 2.
    let _ = writeln!(
        s,
        "\n## 2. Speedup over sequential, 1 to {n} workers\n\n\
         Each cell: speedup native / browser. The last column is browser speedup over native \
         speedup at {n} workers.\n"
    );
    let mut workloads: Vec<&str> = r.speedups.iter().map(|x| x.workload.as_str()).collect();
    workloads.dedup();
    for w in workloads {
        let rows: Vec<_> = r.speedups.iter().filter(|x| x.workload == w).collect();
        let Some(first) = rows.first() else { continue };
        let _ = writeln!(
            s,
            "### {w} (n = {})\n\n{}\n",
            first.n,
            image(&speedup_chart(r, w), &speedup_svg(w))
        );
        let _ = write!(s, "| model |");
        for k in &first.workers {
            let _ = write!(s, " {k} |");
        }
        let _ = write!(s, " browser / native at {n} |\n|---|");
        for _ in &first.workers {
            let _ = write!(s, "---|");
        }
        let _ = writeln!(s, "---|");
        for row in &rows {
            let _ = write!(s, "| {} |", row.model);
            let flagged = |side: &str, w: u32| {
                if row
                    .flags
                    .iter()
                    .any(|f| f.side == side && f.workers == w && f.model == row.model)
                {
                    " ⚠"
                } else {
                    ""
                }
            };
            for ((a, b), &w) in row.native.iter().zip(&row.browser).zip(&row.workers) {
                let _ = write!(
                    s,
                    " {}{} / {}{} |",
                    opt(*a, 2),
                    flagged("native", w),
                    opt(*b, 2),
                    flagged("browser", w)
                );
            }
            let rel = match (
                at_n(&row.browser, &row.workers),
                at_n(&row.native, &row.workers),
            ) {
                (Some(b), Some(a)) if a > 0.0 => format!("{:.2}", b / a),
                _ => "–".into(),
            };
            let _ = writeln!(
                s,
                " {rel}{} |",
                if row.verified {
                    ""
                } else {
                    " (answer **not verified**)"
                }
            );
        }
        flag_list(
            &mut s,
            rows.iter().flat_map(|row| {
                row.flags
                    .iter()
                    .map(move |f| (row.model.as_str(), row.model.as_str(), f))
            }),
        );
        let _ = writeln!(s);
    }

    // 3.
    let _ = writeln!(
        s,
        "## 3. Per-task overhead on `square`\n\n\
         A task squares one number (about a nanosecond), the timeline is off, so the time per \
         task is what the model costs: run time (median) / tasks, at {n} workers.\n\n\
         | model | workers | tasks | chunk | native | browser | verified |\n|---|---|---|---|---|---|---|"
    );
    for row in &r.overhead {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            row.model,
            row.workers,
            row.n,
            row.chunk_size
                .map(|c| c.to_string())
                .unwrap_or_else(|| "–".into()),
            ns(row.native_ns),
            row.browser_ns.map(ns).unwrap_or_else(|| "–".into()),
            if row.verified { "yes" } else { "**no**" }
        );
    }

    let _ = writeln!(s, "\n{}", image(&overhead_chart(r), OVERHEAD_SVG));

    // 4.
    let p = &r.page;
    let _ = writeln!(
        s,
        "\n## 4. The page\n\n\
         - Interactive (interface drawn, engine worker and its thread pool ready) on localhost: {:.0} ms after navigation; first contentful paint {} ms.\n\
         - Longest main-thread task: {} while loading, {} during all the runs above (tasks over 50 ms are reported by the browser; none means none).",
        p.interactive_ms,
        opt(p.first_contentful_paint_ms, 0),
        if p.longest_task_during_load_ms > 0.0 {
            format!("{:.0} ms", p.longest_task_during_load_ms)
        } else {
            "none".into()
        },
        if p.longest_task_during_runs_ms > 0.0 {
            format!("{:.0} ms", p.longest_task_during_runs_ms)
        } else {
            "none".into()
        },
    );
    for w in &p.wasm {
        let _ = writeln!(
            s,
            "- `{}`: {:.0} KiB, {:.0} KiB gzip -9.",
            w.file,
            w.bytes as f64 / 1024.0,
            w.gzip_bytes as f64 / 1024.0
        );
    }
    if !p.page_errors.is_empty() {
        let _ = writeln!(s, "- Page errors: {}", p.page_errors.join("; "));
    }

    // 5.
    let py = &r.python;
    let _ = writeln!(
        s,
        "\n## 5. Beside Python\n\n\
         {} {} (GIL {}), the constructs of the tutorials from `bench/python/equivalents.py`, and \
         our model that does the same, natively, on the same workload, size and workers. \
         `ThreadPoolExecutor` is shown twice: beside `gil` (what CPython's threads do) and beside \
         `dynamic-pool` (the same pool with no GIL). Per task = median / tasks; speedup against \
         each side's own sequential loop. On `square` a task is one item, so the time shown is per \
         task, the construct's overhead; on `primes` and `sleep` it is the run's median time.\n\n\
         | construct | workload | n | workers | Python | Python speedup | our model | ours | our speedup |\n|---|---|---|---|---|---|---|---|---|",
        py["implementation"].as_str().unwrap_or("Python"),
        py["python"].as_str().unwrap_or(""),
        if py["gil_enabled"].as_bool().unwrap_or(true) {
            "on"
        } else {
            "off"
        }
    );
    for x in &r.python_pairs {
        let per_task = x.workload == "square";
        let shown = |median: f64, per: f64| {
            if per_task {
                format!("{} per task", ns(per))
            } else {
                format!("{:.1} ms", median * 1e3)
            }
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {}{} | {} | {}{} | {}{} | {} |",
            x.construct,
            x.workload,
            x.n,
            x.workers,
            shown(x.python_median, x.python_per_task_ns),
            if x.python_verified {
                ""
            } else {
                " (**wrong answer**)"
            },
            x.python_speedup.map_or_else(|| "–".into(), tick_label),
            x.model,
            x.chunk_size
                .map(|c| format!(" (chunk {c})"))
                .unwrap_or_default(),
            shown(x.ours_median, x.ours_per_task_ns),
            if x.ours_verified {
                ""
            } else {
                " (**wrong answer**)"
            },
            x.ours_speedup.map_or_else(|| "–".into(), tick_label),
        );
    }
    let _ = writeln!(s, "\n{}", image(&python_chart(r), PYTHON_SVG));

    // 6.
    let _ = writeln!(
        s,
        "\n## 6. Peak memory for {} tiny tasks\n\n\
         `native-runner` on `square`, one repetition, peak resident set of its largest process \
         (process-pool workers included as separate processes), with and without the per-task \
         timeline.\n\n\
         | model | workers | timeline off | timeline on | time (off / on) |\n|---|---|---|---|---|",
        r.memory.first().map(|m| m.n).unwrap_or(0)
    );
    let mut i = 0;
    while i < r.memory.len() {
        let off = &r.memory[i];
        let on = r.memory.get(i + 1).filter(|x| x.model == off.model);
        let cell = |m: &crate::suite::MemoryRow| {
            if m.ok {
                format!("{:.0} MiB", m.peak_rss_mib)
            } else {
                format!("failed: {}", m.error.clone().unwrap_or_default())
            }
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.1} s / {} |",
            off.model,
            off.workers,
            cell(off),
            on.map(cell).unwrap_or_else(|| "–".into()),
            off.seconds,
            on.map(|m| format!("{:.1} s", m.seconds))
                .unwrap_or_else(|| "–".into()),
        );
        i += if on.is_some() { 2 } else { 1 };
    }
    mpi_section(&mut s, r);
    s
}

/// Microseconds with the digits a latency needs.
fn us(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2} µs")
    } else {
        format!("{v:.1} µs")
    }
}

/// "mpi (static)", or the model alone.
fn model_label(model: &str, schedule: Option<&str>) -> String {
    schedule.map_or_else(|| model.to_string(), |s| format!("{model} ({s})"))
}

/// Section 7's rows of the targets table, when it was measured.
fn mpi_targets(s: &mut String, r: &Report) {
    let Some(m) = r.mpi.as_ref().filter(|m| m.not_measured.is_none()) else {
        return;
    };
    for c in &m.criterion {
        let _ = writeln!(
            s,
            "| mpi ({}) on primes n = {}, {} ranks ≥ {MPI_PRIMES_SPEEDUP_MIN}x sequential | {}{} | {} |",
            c.schedule,
            c.n,
            m.ranks,
            c.speedup
                .map(|v| engine::stats::with_interval(v, c.speedup_ci))
                .unwrap_or_else(|| "–".into()),
            if c.verified {
                ""
            } else {
                " (answer **not verified**)"
            },
            verdict(c.verified && c.speedup.is_some_and(|v| v >= MPI_PRIMES_SPEEDUP_MIN))
        );
    }
    let n = m.ranks;
    let worst = m
        .speedups
        .iter()
        .filter_map(|row| {
            let v = at_workers(&row.vs_process_pool, &row.workers, n)?;
            Some((
                v,
                format!(
                    "{} on {}",
                    model_label(&row.model, row.schedule.as_deref()),
                    row.workload
                ),
            ))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((v, what)) = worst {
        let _ = writeln!(
            s,
            "| mpi speedup at {n} ranks ≥ {MPI_VS_PROCESS_POOL_MIN} × process-pool's, same chunk size | lowest: {what} {v:.2} | {} |",
            verdict(v >= MPI_VS_PROCESS_POOL_MIN)
        );
    }
}

/// 7. The mpi model under mpirun.
fn mpi_section(s: &mut String, r: &Report) {
    let _ = writeln!(s, "\n## 7. MPI ranks (`mpi` under `mpirun`)\n");
    let Some(m) = &r.mpi else {
        let _ = writeln!(
            s,
            "Not measured: this report was written before the suite had the section (`cargo xtask bench --only mpi` adds it)."
        );
        return;
    };
    if m.not_measured.is_some() && m.ping_pong.is_empty() {
        let _ = writeln!(
            s,
            "Not measured ({}): {}.",
            m.date,
            m.not_measured.as_deref().unwrap_or_default()
        );
        return;
    }
    let _ = writeln!(
        s,
        "Measured {} in {:.0} s{}, {} ranks{}{}.\n",
        m.date,
        m.seconds,
        if m.date == r.date {
            ", in the same run as the sections above".to_string()
        } else {
            format!(" (the sections above: {})", r.date)
        },
        m.ranks,
        m.library
            .as_deref()
            .map(|l| format!(", {}", l.split(',').next().unwrap_or(l)))
            .unwrap_or_default(),
        if m.quick {
            ". **Quick mode: tiny sizes; these figures mean nothing**"
        } else {
            ""
        }
    );
    if let Some(why) = &m.not_measured {
        let _ = writeln!(s, "Not measured: {why}.\n");
    }
    if !m.commands.is_empty() {
        let _ = writeln!(s, "How it was measured:\n");
        for c in &m.commands {
            let _ = writeln!(s, "- `{c}`");
        }
        let _ = writeln!(
            s,
            "\nEvery `mpirun` job ran with `{}` in its environment (Open MPI refuses root and more ranks than cores unless told; the timeout bounds the job).\n",
            m.environment
        );
    }
    if !m.ping_pong.is_empty() {
        let _ = writeln!(
            s,
            "### Latency: one message between two ranks\n\n\
             Ping-pong between ranks 0 and 1 with blocking sends and receives, `MPI_Wtime`; one way \
             = a batch's time / (2 × round trips), the median of 5 batches (the fastest batch in \
             brackets). `vader` is shared memory (ranks on one host); `tcp` over loopback is the \
             path messages take between hosts.\n\n\
             | path (`--mca btl`) | bytes | round trips | one way |\n|---|---|---|---|"
        );
        for p in &m.ping_pong {
            let path = if p.btl == "vader" {
                "shared memory (`self,vader`)"
            } else {
                "TCP loopback (`self,tcp`)"
            };
            let _ = writeln!(
                s,
                "| {path} | {} | {} | {} ({}) |",
                p.bytes,
                p.round_trips,
                us(p.one_way_us),
                us(p.min_one_way_us)
            );
        }
        let mut beside = Vec::new();
        if let Some(o) = r.overhead.iter().find(|o| o.model == "process-pool") {
            beside.push(format!(
                "section 3's process-pool at chunks of {}: {} per task natively (pipes to worker processes){}",
                o.chunk_size.unwrap_or(1),
                ns(o.native_ns),
                o.browser_ns
                    .map(|b| format!(", {} in the browser (`postMessage` to Web Workers)", ns(b)))
                    .unwrap_or_default()
            ));
        }
        if let Some(o) = m
            .overhead
            .iter()
            .find(|o| o.model == "process-pool" && o.chunk_asked == Some(1))
        {
            beside.push(format!(
                "process-pool at chunk 1 (below): {} per task natively, a request and a reply through pipes for each",
                ns(o.native_ns)
            ));
        }
        if !beside.is_empty() {
            let _ = writeln!(
                s,
                "\nBeside it, the suite's hand-off figures (per task, not a one-way latency: a task's request and its reply, with the work): {}.",
                beside.join("; ")
            );
        }
    }
    if !m.overhead.is_empty() {
        let _ = writeln!(
            s,
            "\n### Per-task overhead on `square`\n\n\
             As section 3: a task squares one number, timeline off, run time (median) / tasks, at \
             {} workers (for `mpi`, one per rank; rank 0 works too). Chunk 1 sends every task as a \
             message; the default chunk is `Pool.map`'s. process-pool runs natively beside it.\n\n\
             | model | workers | tasks | chunk | per task | verified |\n|---|---|---|---|---|---|",
            m.ranks
        );
        for o in &m.overhead {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {}{} | {} | {} |",
                model_label(&o.model, o.schedule.as_deref()),
                o.workers,
                o.n,
                o.chunk_size
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "–".into()),
                if o.chunk_asked.is_none() {
                    " (default)"
                } else {
                    ""
                },
                ns(o.native_ns),
                if o.verified { "yes" } else { "**no**" }
            );
        }
    }
    let mut workloads: Vec<&str> = m.speedups.iter().map(|x| x.workload.as_str()).collect();
    workloads.dedup();
    if !workloads.is_empty() {
        let n = m.ranks;
        let _ = writeln!(
            s,
            "\n### Speedup over sequential, 1 to {n} ranks\n\n\
             `mpi` under `mpirun -np {n}` (a sweep of its workers), and process-pool natively at \
             the same chunk sizes (both take `Pool.map`'s default), in {} that each run every row \
             once, in turn. Speedup = mean sequential time / mean time, each row's times \
             pooled over the rounds with the sequential baselines of its own runs, with its 95% \
             interval. The last column is `mpi`'s speedup over process-pool's at {n}; the target \
             is at least {MPI_VS_PROCESS_POOL_MIN}. What each run's time includes differs as the \
             models do: process-pool starts its worker processes in every run and that is timed; \
             the ranks exist before the run, and `mpi`'s clock starts after every rank has built \
             its job and been timed (a barrier, as an MPI program times itself).\n",
            match m.speedups.first().map_or(1, |x| x.rounds.max(1)) {
                1 => "1 round".to_string(),
                k => format!("{k} rounds"),
            }
        );
        for w in workloads {
            let rows: Vec<_> = m.speedups.iter().filter(|x| x.workload == w).collect();
            let Some(first) = rows.first() else { continue };
            let _ = write!(s, "**{w}** (n = {})\n\n| model |", first.n);
            for k in &first.workers {
                let _ = write!(s, " {k} |");
            }
            let _ = write!(s, " chunk | ÷ process-pool at {n} |\n|---|");
            for _ in &first.workers {
                let _ = write!(s, "---|");
            }
            let _ = writeln!(s, "---|---|");
            for row in &rows {
                let _ = write!(
                    s,
                    "| {} |",
                    model_label(&row.model, row.schedule.as_deref())
                );
                for (i, v) in row.speedup.iter().enumerate() {
                    let ci = row.speedup_ci.get(i).copied().flatten();
                    let cell =
                        v.map_or_else(|| "–".into(), |v| engine::stats::with_interval(v, ci));
                    let _ = write!(s, " {cell} |");
                }
                let chunks: Vec<String> = row
                    .chunk_sizes
                    .iter()
                    .map(|c| c.map_or_else(|| "–".into(), |c| c.to_string()))
                    .collect();
                let rel = at_workers(&row.vs_process_pool, &row.workers, n)
                    .map(|v| format!("{v:.2} ({})", verdict(v >= MPI_VS_PROCESS_POOL_MIN)))
                    .unwrap_or_else(|| "–".into());
                let _ = writeln!(
                    s,
                    " {} | {rel}{} |",
                    chunks.join(" / "),
                    if row.verified {
                        ""
                    } else {
                        " (answer **not verified**)"
                    }
                );
            }
            let _ = writeln!(s);
        }
    }
    if !m.criterion.is_empty() {
        let _ = writeln!(
            s,
            "### The command a learner runs\n\n\
             Exactly as written (the runner's defaults: its repetitions, its sequential baseline in \
             the same run). Speedup with its 95% interval; the target is at least \
             {MPI_PRIMES_SPEEDUP_MIN}x on 2 cores.\n\n\
             | command | chunk | sequential median | mpi median | speedup | verified |\n|---|---|---|---|---|---|"
        );
        for c in &m.criterion {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {:.1} ms | {} ({}) | {} |",
                c.command,
                c.chunk_size
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "–".into()),
                c.sequential_median
                    .map(|v| format!("{:.1} ms", v * 1e3))
                    .unwrap_or_else(|| "–".into()),
                c.median * 1e3,
                c.speedup
                    .map(|v| engine::stats::with_interval(v, c.speedup_ci))
                    .unwrap_or_else(|| "–".into()),
                verdict(c.verified && c.speedup.is_some_and(|v| v >= MPI_PRIMES_SPEEDUP_MIN)),
                if c.verified { "yes" } else { "**no**" }
            );
        }
    }
}

/// The Markdown as a standalone page, for the playground's link, with `charts` (file name and
/// chart) drawn inline where the Markdown shows their files.
pub fn html(md: &str, charts: &[(String, BarChart)]) -> String {
    let mut opts = pulldown_cmark::Options::empty();
    opts.insert(pulldown_cmark::Options::ENABLE_TABLES);
    // Markup inside the figures (a page error, a user agent) is shown as text, never rendered.
    let parser = pulldown_cmark::Parser::new_ext(md, opts).map(|e| match e {
        pulldown_cmark::Event::Html(t) | pulldown_cmark::Event::InlineHtml(t) => {
            pulldown_cmark::Event::Text(t)
        }
        other => other,
    });
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, parser);
    for (file, chart) in charts {
        let start = format!("<img src=\"{file}\"");
        if let Some(at) = body.find(&start)
            && let Some(len) = body[at..].find("/>")
        {
            let figure = format!("<figure class=\"chart\">{}</figure>", chart.svg());
            body.replace_range(at..at + len + 2, &figure);
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Performance report: concurrency playground</title>\
         <link rel=\"stylesheet\" href=\"style.css\"></head>\
         <body class=\"report\"><main><p><a href=\"./\">← back to the playground</a></p>\n{body}</main></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_renders_tables_and_escapes_text() {
        let page = html("| a | b |\n|---|---|\n| <x> | 1 |\n", &[]);
        assert!(page.contains("<table>"), "{page}");
        assert!(page.contains("&lt;x&gt;"), "{page}");
    }

    /// The report as the last full run of the suite wrote it (`docs/performance.json`).
    fn last_report() -> Report {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/performance.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_report_opens_with_what_it_means_and_draws_its_charts_inline() {
        let r = last_report();
        let md = markdown(&r);
        let short = md.find("## In short").expect("a summary for learners");
        assert!(
            short < md.find("## Targets").unwrap(),
            "the summary comes first"
        );
        for topic in ["One thread", "Cores", "hand-off", "Python"] {
            assert!(md[short..].contains(topic), "{topic}");
        }
        let charts = charts(&r);
        assert!(charts.len() >= 4);
        for (file, chart) in &charts {
            assert!(
                md.contains(&format!("![{}]({file})", chart.title)),
                "{file}"
            );
        }
        let page = html(&md, &charts);
        assert!(
            !page.contains("<img src=\"performance-"),
            "every chart is inline"
        );
        assert_eq!(
            page.matches("<figure class=\"chart\"><svg").count(),
            charts.len()
        );
        // Speedups far below one keep their digits (a thread per task on `square`).
        assert!(!md.contains("| 0.00 |"), "{md}");
    }

    #[test]
    fn nanoseconds_switch_to_microseconds() {
        assert_eq!(ns(94.2), "94 ns");
        assert_eq!(ns(36_400.0), "36.4 µs");
    }
}
