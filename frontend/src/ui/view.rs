//! The page's markup: pure functions of the state and the handlers.

use engine::limits::ParamKind;
use engine::measure::{ModelResult, ResultSet};
use engine::spec::ParamValue;
use engine::{ModelKind, Order, Sweep, WorkloadKind};
use yew::prelude::*;

use super::charts;
use super::state::{Source, State};
use crate::python;

pub struct Handlers {
    pub on_edit: Callback<(String, String)>,
    pub on_run: Callback<MouseEvent>,
    /// The answer to "this will take long; run it?".
    pub on_confirm: Callback<bool>,
    pub on_stop: Callback<MouseEvent>,
    pub on_copy_link: Callback<MouseEvent>,
    pub on_toggle_include: Callback<Event>,
    pub on_select: Callback<(usize, usize)>,
    pub on_import: Callback<web_sys::File>,
    pub on_clear: Callback<MouseEvent>,
    pub on_toggle_native: Callback<Event>,
    pub on_open_history: Callback<usize>,
    pub on_clear_history: Callback<MouseEvent>,
}

fn fmt_time(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.2}"))
}

/// An input whose change is reported as (name, text); shows the draft text when invalid.
fn field(
    state: &State,
    on_edit: &Callback<(String, String)>,
    name: &str,
    label: &str,
    value: String,
    kind: &str,
) -> Html {
    let (shown, error) = match state.drafts.get(name) {
        Some((text, why)) => (text.clone(), Some(why.clone())),
        None => (value, None),
    };
    let name_owned = name.to_string();
    let on_edit = on_edit.clone();
    let onchange = Callback::from(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        on_edit.emit((name_owned.clone(), input.value()));
    });
    html! {
        <label class={classes!("field", error.is_some().then_some("invalid"))}>
            <span>{ label }</span>
            <input type={kind.to_string()} name={name.to_string()} value={shown} {onchange} />
            if let Some(why) = error { <small class="error" role="alert">{ why }</small> }
        </label>
    }
}

fn select(
    on_edit: &Callback<(String, String)>,
    name: &str,
    label: &str,
    current: &str,
    options: Vec<(String, String, Option<String>)>,
) -> Html {
    let name_owned = name.to_string();
    let on_edit = on_edit.clone();
    let onchange = Callback::from(move |e: Event| {
        let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
        on_edit.emit((name_owned.clone(), sel.value()));
    });
    html! {
        <label class="field">
            <span>{ label }</span>
            <select name={name.to_string()} {onchange}>
                { for options.into_iter().map(|(value, text, disabled)| html! {
                    <option value={value.clone()} selected={value == current} disabled={disabled.is_some()} title={disabled.clone().unwrap_or_default()}>{ text }</option>
                }) }
            </select>
        </label>
    }
}

fn controls(state: &State, h: &Handlers) -> Html {
    let exp = &state.exp;
    let w = exp.workload.name;
    let m = exp.model.name;
    let workloads = WorkloadKind::ALL
        .iter()
        .map(|k| (k.name().to_string(), k.name().to_string(), None))
        .collect();
    let models = ModelKind::ALL
        .iter()
        .map(|k| {
            (
                k.name().to_string(),
                k.name().to_string(),
                state.model_available(*k).err().map(str::to_string),
            )
        })
        .collect();
    let params = w.params().into_iter().map(|def| {
        let name = format!("param.{}", def.name);
        let current = if def.name == "n" {
            exp.workload.n.to_string()
        } else {
            exp.workload
                .params
                .get(def.name)
                .map(ParamValue::to_string)
                .unwrap_or_default()
        };
        let label = format!("{} ({})", def.name, def.description);
        match &def.kind {
            ParamKind::Choice { options, .. } => select(
                &h.on_edit,
                &name,
                &label,
                &current,
                options
                    .iter()
                    .map(|o| (o.to_string(), o.to_string(), None))
                    .collect(),
            ),
            _ => field(state, &h.on_edit, &name, &label, current, "text"),
        }
    });
    let oversubscribed = exp.workers > state.hardware_concurrency;
    let sweep_kind = match &exp.sweep {
        None => "none",
        Some(Sweep::Workers(_)) => "workers",
        Some(Sweep::ChunkSize(_)) => "chunk_size",
    };
    let sweep_values = match &exp.sweep {
        Some(Sweep::Workers(v)) => v.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
        Some(Sweep::ChunkSize(v)) => v.iter().map(u64::to_string).collect::<Vec<_>>().join(","),
        None => String::new(),
    };
    let mut sweeps = vec![("none".to_string(), "no sweep".to_string(), None)];
    if m != ModelKind::Sequential {
        sweeps.push(("workers".into(), "over workers".into(), None));
    }
    if m.has_chunks() {
        sweeps.push(("chunk_size".into(), "over chunk size".into(), None));
    }
    html! {
        <section class="panel controls" aria-label="experiment">
            <h2>{ "Experiment" }</h2>
            { select(&h.on_edit, "workload", "workload", w.name(), workloads) }
            <p class="hint">{ w.description() }</p>
            { for params }
            { select(&h.on_edit, "model", "model", m.name(), models) }
            <p class="hint">{ m.description() }<br/><em>{ "Python: " }{ m.python() }</em></p>
            if m.has_chunks() {
                { field(state, &h.on_edit, "chunk_size", "chunk size (empty: the model's default)", exp.model.chunk_size.map(|c| c.to_string()).unwrap_or_default(), "text") }
            }
            if m.has_order() {
                { select(&h.on_edit, "order", "result order", match exp.model.order { Some(Order::Completion) => "completion", _ => "ordered" },
                    vec![("ordered".into(), "ordered (map, gather)".into(), None), ("completion".into(), "completion (imap_unordered, as_completed)".into(), None)]) }
            }
            if m == ModelKind::Gil {
                { field(state, &h.on_edit, "switch_interval_ms", "switch interval, ms (sys.setswitchinterval)", exp.model.switch_interval_ms.unwrap_or(5.0).to_string(), "text") }
            }
            if m == ModelKind::SharedState {
                { select(&h.on_edit, "sync", "synchronization", match exp.model.sync { Some(engine::spec::SyncKind::Atomic) => "atomic", _ => "lock" },
                    vec![("lock".into(), "one lock (Array + Lock)".into(), None), ("atomic".into(), "atomics".into(), None)]) }
            }
            if m != ModelKind::Sequential {
                { field(state, &h.on_edit, "workers", &format!("workers (1 to {})", state.max_workers()), exp.workers.to_string(), "number") }
                if oversubscribed {
                    <p class="note">{ format!("{} workers on {} logical cores: oversubscribed. CPU-bound work cannot go faster than the cores; waiting work still can.", exp.workers, state.hardware_concurrency) }</p>
                }
            }
            { field(state, &h.on_edit, "repetitions", "repetitions", exp.repetitions.to_string(), "number") }
            { field(state, &h.on_edit, "warmups", "warm-ups", exp.warmups.to_string(), "number") }
            { select(&h.on_edit, "timeline", "timeline", if exp.timeline { "on" } else { "off" },
                vec![("on".into(), "on: a record per task (the chart below)".into(), None), ("off".into(), "off: task counts only, for millions of tiny tasks".into(), None)]) }
            { select(&h.on_edit, "sweep", "sweep", sweep_kind, sweeps) }
            if exp.sweep.is_some() {
                { field(state, &h.on_edit, "sweep_values", "sweep values (1,2,4 or 1..4)", sweep_values, "text") }
            }
        </section>
    }
}

fn run_bar(state: &State, h: &Handlers) -> Html {
    let blocker = state.run_blocker();
    let running = state.running.clone();
    html! {
        <section class="panel runbar" aria-label="run">
            <button id="run" class="primary" onclick={h.on_run.clone()} disabled={blocker.is_some() || running.is_some()} title={blocker.clone().unwrap_or_default()}>{ "Run" }</button>
            <button id="stop" onclick={h.on_stop.clone()} disabled={running.is_none() && state.native_status.is_none()}>{ "Stop" }</button>
            <div class="spinner" aria-hidden="true"></div>
            { match &state.native {
                Some(Some(_)) => html! {
                    <label class="check" title="after the browser run, the same experiment runs natively on this machine (never both at once)">
                        <input type="checkbox" id="also-native" checked={state.also_native} onchange={h.on_toggle_native.clone()} />{ " also run natively" }
                    </label>
                },
                Some(None) => html! {
                    <span class="muted" id="native-absent" title="serve the page with native-runner serve to compare with native runs; result files can still be imported">{ "native backend absent" }</span>
                },
                None => html! {},
            } }
            if let Some(status) = &state.native_status {
                <span class="native-status" id="native-status">{ status }</span>
            }
            if let Some(r) = running {
                <div class="progress" id="progress">
                    <progress max={r.runs_total.max(1).to_string()} value={r.runs.to_string()}></progress>
                    <span>{ if r.stopping { "stopping…".to_string() } else { format!("{} — run {} of {}, {} tasks done", r.label, r.runs, r.runs_total, r.tasks) } }</span>
                </div>
            } else if let Some(b) = blocker {
                <span class="muted">{ b }</span>
            }
            if let Some(q) = &state.confirm {
                <div class="confirm" id="confirm" role="alertdialog" aria-label="confirm a long run">
                    <span>{ q }</span>
                    <button id="confirm-run" class="primary" onclick={h.on_confirm.reform(|_: MouseEvent| true)}>{ "Run anyway" }</button>
                    <button id="confirm-cancel" onclick={h.on_confirm.reform(|_: MouseEvent| false)}>{ "Cancel" }</button>
                </div>
            }
            if let Some(n) = &state.notice {
                <p class="notice" id="notice" role="status">{ n }</p>
            }
        </section>
    }
}

fn row(
    set: usize,
    index: usize,
    runtime: &str,
    r: &ModelResult,
    ratio: Option<f64>,
    selected: bool,
    on_select: &Callback<(usize, usize)>,
) -> Html {
    let on_select = on_select.clone();
    let onclick = Callback::from(move |_| on_select.emit((set, index)));
    let sd = r
        .stddev
        .map_or(String::new(), |s| format!(" ± {}", fmt_time(s)));
    let verified = match r.verified {
        Some(true) => {
            html! { <span class="ok" title={r.verification.clone()}>{ "✓ verified" }</span> }
        }
        Some(false) => {
            html! { <span class="bad" title={r.verification.clone()}>{ "✗ differs" }</span> }
        }
        None => html! { <span class="muted" title={r.verification.clone()}>{ "–" }</span> },
    };
    let runtime = runtime.to_string();
    html! {
        <tr class={classes!(selected.then_some("selected"))} {onclick} data-model={r.model.name()} data-workers={r.workers.to_string()}>
            <td>{ runtime }</td>
            <td>{ r.model.name() }</td>
            <td class="num">{ r.workers }</td>
            <td class="num">{ r.chunk_size.map_or("–".into(), |c| c.to_string()) }</td>
            <td class="num">{ format!("{}{sd}", fmt_time(r.mean)) }{ if r.outliers.is_empty() { String::new() } else { format!(" ({} outlier)", r.outliers.len()) } }</td>
            <td class="num">{ fmt_time(r.median) }</td>
            <td class="num">{ format!("{} … {}", fmt_time(r.min), fmt_time(r.max)) }</td>
            <td class="num speedup">{ opt(r.speedup) }</td>
            <td class="num">{ opt(r.efficiency) }</td>
            <td class="num ratio" title="wasm mean time / native mean time, same experiment and machine">{ ratio.map_or("–".into(), |x| format!("{x:.2}")) }</td>
            <td class="num used">{ format!("{} of {}", r.workers_used, r.workers) }</td>
            <td>{ verified }</td>
            <td class="answer">{ &r.answer.summary }</td>
        </tr>
    }
}

/// The note under a set that did not finish: why, and how far its stopped run got (click it to
/// see that run's timeline).
fn partial_row(
    set: usize,
    rs: &ResultSet,
    selected: bool,
    on_select: &Callback<(usize, usize)>,
) -> Html {
    let Some(p) = &rs.partial else {
        return html! {};
    };
    let index = rs.results.len();
    // Clicking shows the stopped run's timeline, where there was a run under way.
    let onclick = p.stopped.is_some().then(|| {
        let on_select = on_select.clone();
        Callback::from(move |_: MouseEvent| on_select.emit((set, index)))
    });
    html! {
        <tr class={classes!("partial", selected.then_some("selected"))} {onclick}>
            <td colspan="13">
                { for p.lines().into_iter().map(|l| html! { <div>{ l }</div> }) }
            </td>
        </tr>
    }
}

fn runtime_of(rs: &ResultSet) -> &str {
    rs.machine.as_ref().map_or("?", |m| m.runtime.as_str())
}

/// For a browser row: its mean over the mean of the same configuration run natively on the same
/// experiment, when such a native result is on the page.
fn wasm_native_ratio(state: &State, rs: &ResultSet, r: &ModelResult) -> Option<f64> {
    if runtime_of(rs) != "wasm" {
        return None;
    }
    state
        .results
        .iter()
        .map(|(_, other)| other)
        .filter(|other| runtime_of(other) == "native" && other.experiment == rs.experiment)
        .flat_map(|other| other.results.iter())
        .find(|n| n.model == r.model && n.workers == r.workers && n.chunk_size == r.chunk_size)
        .map(|n| r.mean / n.mean)
}

fn results(state: &State, h: &Handlers) -> Html {
    if state.results.is_empty() {
        return html! { <section class="panel results"><h2>{ "Results" }</h2><p class="muted">{ "Run an experiment, open a link with results, or import a result file from native-runner." }</p></section> };
    }
    let selected = state.shown_timeline().unwrap_or((0, 0));
    html! {
        <section class="panel results" aria-label="results">
            <h2>{ "Results" }<button class="small" onclick={h.on_clear.clone()}>{ "clear" }</button></h2>
            <div class="scroll"><table id="results">
                <thead><tr>
                    <th title="wasm: this browser or a browser's export; native: native-runner">{ "runtime" }</th><th>{ "model" }</th><th>{ "workers" }</th><th>{ "chunk" }</th><th>{ "mean ± sd" }</th><th>{ "median" }</th>
                    <th>{ "min … max" }</th><th>{ "speedup" }</th><th>{ "efficiency" }</th><th title="wasm time / native time">{ "wasm/native" }</th><th title="workers that actually ran tasks">{ "used" }</th><th>{ "verified" }</th><th>{ "answer" }</th>
                </tr></thead>
                { for state.results.iter().enumerate().map(|(set, (source, rs))| html! {
                    <tbody class="set">
                        <tr class="set-head"><td colspan="13">{ format!("{} — {} n={} ({} repetitions, {} warm-ups)", source.label(), rs.experiment.workload.name, rs.experiment.workload.n, rs.experiment.repetitions, rs.experiment.warmups) }</td></tr>
                        { for rs.results.iter().enumerate().map(|(i, r)| row(set, i, runtime_of(rs), r, wasm_native_ratio(state, rs, r), (set, i) == selected, &h.on_select)) }
                        { partial_row(set, rs, (set, rs.results.len()) == selected, &h.on_select) }
                    </tbody>
                }) }
            </table></div>
        </section>
    }
}

fn svg(markup: String) -> Html {
    Html::from_html_unchecked(AttrValue::from(markup))
}

fn timeline(state: &State) -> Html {
    let Some((set, row)) = state.shown_timeline() else {
        return html! {};
    };
    let Some((_, rs)) = state.results.get(set) else {
        return html! {};
    };
    let (title, drawn) = if let Some(r) = rs.results.get(row) {
        (
            format!(
                "Timeline: {}, {} workers (last repetition)",
                r.model, r.workers
            ),
            charts::timeline_svg(&r.tasks, &[], None),
        )
    } else if let Some(s) = rs.partial.as_ref().and_then(|p| p.stopped.as_ref()) {
        (
            format!(
                "Timeline: {}, {} workers (PARTIAL: run {} of {}, stopped {:.3} s in)",
                s.model, s.workers, s.run, s.runs, s.elapsed
            ),
            charts::timeline_svg(&s.tasks, &s.in_flight, Some(s.elapsed)),
        )
    } else {
        return html! {};
    };
    let body = match drawn {
        Ok(s) => svg(s),
        Err(e) => html! { <p class="muted">{ e }</p> },
    };
    html! {
        <section class="panel timeline" aria-label="timeline">
            <h2>{ title }</h2>
            <p class="hint">{ "One row per worker, one bar per task. Bars that overlap in time ran in parallel; bars that alternate on one core interleaved; faint bars were waiting (I/O, timer, GIL); red bars were still running when the run was stopped. Click a row of the table to show its run." }</p>
            <div class="chart" id="timeline">{ body }</div>
        </section>
    }
}

fn sweep_charts(state: &State) -> Html {
    let Some((_, rs)) = state
        .results
        .iter()
        .find(|(_, rs)| rs.experiment.sweep.is_some())
    else {
        return html! {};
    };
    let speed = charts::speedup_svg(rs);
    let chunk = charts::chunk_svg(rs);
    if speed.is_none() && chunk.is_none() {
        return html! {};
    }
    html! {
        <section class="panel charts" aria-label="charts">
            <h2>{ "Sweep" }</h2>
            <div class="row">
                if let Some((s, fit)) = speed {
                    <div class="chart" id="speedup-chart">{ svg(s) }<p class="hint">{ format!("Amdahl fit: serial fraction {fit:.3}, so at most {:.1}x however many workers.", if fit > 0.0 { 1.0 / fit } else { f64::INFINITY }) }</p></div>
                }
                if let Some(s) = chunk { <div class="chart" id="chunk-chart">{ svg(s) }</div> }
            </div>
        </section>
    }
}

fn python_panel(state: &State) -> Html {
    let exp = &state.exp;
    html! {
        <section class="panel python" aria-label="python">
            <h2>{ "In Python" }</h2>
            <pre><code>{ python::snippet(exp.model.name, exp.workload.name, exp.workers, exp.model.chunk_size) }</code></pre>
            <p>{ python::expectation(exp.model.name, exp.workload.name) }</p>
        </section>
    }
}

fn share_panel(state: &State, h: &Handlers) -> Html {
    let latest = state
        .results
        .iter()
        .find(|(s, _)| *s == Source::Browser)
        .map(|(_, r)| r.clone());
    let export_json = {
        let latest = latest.clone();
        Callback::from(move |_| {
            if let Some(r) = &latest {
                let _ = super::dom::download(
                    "playground-results.json",
                    "application/json",
                    &serde_json::to_string_pretty(r).unwrap_or_default(),
                );
            }
        })
    };
    let export_csv = {
        let latest = latest.clone();
        Callback::from(move |_| {
            if let Some(r) = &latest {
                let _ = super::dom::download(
                    "playground-results.csv",
                    "text/csv",
                    &engine::measure::to_csv(r),
                );
            }
        })
    };
    let on_import = h.on_import.clone();
    let onchange = Callback::from(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            on_import.emit(file);
        }
        input.set_value("");
    });
    html! {
        <section class="panel share" aria-label="share">
            <h2>{ "Share and export" }</h2>
            <button id="copy-link" onclick={h.on_copy_link.clone()}>{ "Copy link" }</button>
            <label class="check"><input type="checkbox" id="include-results" checked={state.include_results} onchange={h.on_toggle_include.clone()} />{ " include my results" }</label>
            if let Some(link) = &state.link {
                <input class="link" id="link" readonly=true value={link.clone()} />
            }
            <div class="row">
                <button id="export-json" onclick={export_json} disabled={latest.is_none()}>{ "Export JSON" }</button>
                <button id="export-csv" onclick={export_csv} disabled={latest.is_none()}>{ "Export CSV" }</button>
                <label class="button">{ "Import JSON…" }<input type="file" id="import" accept=".json,application/json" {onchange} /></label>
            </div>
        </section>
    }
}

fn machine_panel(state: &State) -> Html {
    let engine_res = state.engine.machine.as_ref().map(|m| m.timer_resolution);
    let page_res = engine::machine::timer_resolution();
    html! {
        <section class="panel machine" aria-label="machine">
            <h2>{ "Machine" }</h2>
            <dl>
                <dt>{ "hardwareConcurrency" }</dt><dd id="hc">{ state.hardware_concurrency }</dd>
                <dt>{ "crossOriginIsolated" }</dt><dd id="isolated">{ state.isolated.to_string() }</dd>
                <dt>{ "engine threads" }</dt><dd id="threads">{ if state.engine.ready { if state.engine.threads { format!("yes, pool of {}", state.engine.pool_size) } else { "no (single thread)".to_string() } } else { "starting…".to_string() } }</dd>
                <dt>{ "timer resolution" }</dt><dd id="timer">{ format!("page {}, engine {}", fmt_time(page_res), engine_res.map_or("…".into(), fmt_time)) }</dd>
                <dt>{ "longest main-thread task during runs" }</dt><dd id="longtask">{ if state.longest_task_ms > 0.0 { format!("{:.0} ms", state.longest_task_ms) } else { "none over 50 ms".to_string() } }</dd>
            </dl>
        </section>
    }
}

fn banner(state: &State) -> Html {
    if state.isolated {
        return html! {};
    }
    html! {
        <div class="banner" id="isolation-banner" role="alert">
            <strong>{ "This page is not cross-origin isolated, so it cannot use threads. " }</strong>
            { "Browsers give SharedArrayBuffer (the memory WebAssembly threads share) only to pages served with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp. Sequential, async and process-pool (separate Workers) still run; the threaded models are disabled." }
        </div>
    }
}

/// Past runs, kept in this browser across reloads and crashes.
fn history_panel(state: &State, h: &Handlers) -> Html {
    use super::history::Status;
    let rows: Html = state
        .history
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let x = &e.experiment;
            // Plain getters: Intl formatting costs about a millisecond a call, on every render.
            let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(e.at));
            let when = format!(
                "{}-{:02}-{:02} {:02}:{:02}:{:02}",
                d.get_full_year(),
                d.get_month() + 1,
                d.get_date(),
                d.get_hours(),
                d.get_minutes(),
                d.get_seconds()
            );
            let (status, class) = match e.status {
                Status::Running => ("running".to_string(), "muted"),
                Status::Done => ("done".to_string(), ""),
                Status::Stopped => ("stopped (partial result kept)".to_string(), "bad"),
                Status::Failed => (
                    format!("failed: {}", e.error.clone().unwrap_or_default()),
                    "bad",
                ),
                Status::Interrupted => (
                    "interrupted (the page closed or crashed mid-run)".to_string(),
                    "bad",
                ),
            };
            let best = e.results.as_ref().and_then(|r| {
                r.results
                    .iter()
                    .filter_map(|m| m.speedup)
                    .max_by(f64::total_cmp)
            });
            let open = {
                let cb = h.on_open_history.clone();
                Callback::from(move |_: MouseEvent| cb.emit(i))
            };
            html! {
                <tr class="history-entry">
                    <td>{ when }</td>
                    <td>{ &e.side }</td>
                    <td>{ format!("{} n={}", x.workload.name, x.workload.n) }</td>
                    <td>{ format!("{} x{}", x.model.name, x.workers) }</td>
                    <td>{ best.map(|b| format!("{b:.2}x")).unwrap_or_else(|| "–".into()) }</td>
                    <td class={class}>{ status }</td>
                    <td><button class="open-history" onclick={open}>{ "open" }</button></td>
                </tr>
            }
        })
        .collect();
    html! {
        <section class="panel history" aria-label="history" id="history">
            <h2>{ "History" }</h2>
            if state.history.is_empty() {
                <p class="muted">{ "Runs are kept here, in this browser, across reloads." }</p>
            } else {
                <table>
                    <thead><tr><th>{ "started" }</th><th>{ "side" }</th><th>{ "workload" }</th><th>{ "model" }</th><th>{ "best speedup" }</th><th>{ "status" }</th><th></th></tr></thead>
                    <tbody>{ rows }</tbody>
                </table>
                <button id="clear-history" onclick={h.on_clear_history.clone()}>{ "Clear history" }</button>
            }
        </section>
    }
}

pub fn page(state: &State, h: Handlers) -> Html {
    html! {
        <>
            <header>
                <h1>{ "Concurrency playground" }</h1>
                <p class="tagline">{ "Threads, pools, work stealing, messages, shared state, processes, async and the GIL, run for real on the cores of this machine." }
                    { " " }<a id="report-link" href="performance.html" target="_blank" rel="noopener">{ "Performance report" }</a>
                    { ": this page against native and Python, measured." }</p>
            </header>
            { banner(state) }
            if let Some(f) = &state.engine.fatal { <div class="banner" role="alert">{ f }</div> }
            <div class="layout">
                <div class="side">
                    { controls(state, &h) }
                    { machine_panel(state) }
                </div>
                <div class="main">
                    { run_bar(state, &h) }
                    { results(state, &h) }
                    { timeline(state) }
                    { sweep_charts(state) }
                    { python_panel(state) }
                    { share_panel(state, &h) }
                    { history_panel(state, &h) }
                </div>
            </div>
        </>
    }
}
