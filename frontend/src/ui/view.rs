//! The page's markup: pure functions of the state and the handlers.

use engine::limits::ParamKind;
use engine::model::ModelOption;
use engine::spec::ParamValue;
use engine::{ModelKind, Order, Repetitions, Sweep, WorkloadKind};
use yew::prelude::*;

use super::charts;
use super::figures;
use super::results::{Badges, fmt_time};
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
    if m.info().chunks.is_some() {
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
            if m.info().chunks.is_some() {
                { field(state, &h.on_edit, "chunk_size", "chunk size (empty: the model's default)", exp.model.chunk_size.map(|c| c.to_string()).unwrap_or_default(), "text") }
            }
            if m.info().order.is_some() {
                { select(&h.on_edit, "order", "result order", match exp.model.order { Some(Order::Completion) => "completion", _ => "ordered" },
                    vec![("ordered".into(), "ordered (map, gather)".into(), None), ("completion".into(), "completion (imap_unordered, as_completed)".into(), None)]) }
            }
            if m.info().option == Some(ModelOption::SwitchInterval) {
                { field(state, &h.on_edit, "switch_interval_ms", "switch interval, ms (sys.setswitchinterval)", exp.model.switch_interval_ms.unwrap_or(engine::limits::DEFAULT_SWITCH_INTERVAL_MS).to_string(), "text") }
            }
            if m.info().option == Some(ModelOption::Sync) {
                { select(&h.on_edit, "sync", "synchronization", match exp.model.sync { Some(engine::spec::SyncKind::Atomic) => "atomic", _ => "lock" },
                    vec![("lock".into(), "one lock (Array + Lock)".into(), None), ("atomic".into(), "atomics".into(), None)]) }
            }
            if m != ModelKind::Sequential {
                { field(state, &h.on_edit, "workers", &format!("workers (1 to {})", state.max_workers()), exp.workers.to_string(), "number") }
                if oversubscribed {
                    <p class="note">{ format!("{} workers on {} logical cores: oversubscribed. CPU-bound work cannot go faster than the cores; waiting work still can.", exp.workers, state.hardware_concurrency) }</p>
                }
            }
            { field(state, &h.on_edit, "repetitions", "repetitions (a number, or auto)", exp.repetitions.to_string(), "text") }
            if exp.repetitions == Repetitions::Auto {
                <p class="hint" id="auto-hint">{ format!("auto: repeats until the 95% interval of each mean is within ±{:.0}% of it ({} to {} repetitions), and starts no new round once the budget is spent.", engine::limits::AUTO_PRECISION * 100.0, engine::limits::AUTO_MIN_REPETITIONS, engine::limits::AUTO_MAX_REPETITIONS) }</p>
                { field(state, &h.on_edit, "budget_s", "budget (s)", exp.budget_s.unwrap_or(engine::limits::DEFAULT_BUDGET_S).to_string(), "text") }
            }
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

/// The runs planned: with "auto" repetitions, more may be added as the run goes.
pub fn runs_of(total: u32, auto: bool) -> String {
    if auto {
        format!("at least {total}")
    } else {
        total.to_string()
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
                    <progress max={r.runs_total.max(r.runs).max(1).to_string()} value={r.runs.to_string()}></progress>
                    <span>{ if r.stopping { "stopping…".to_string() } else { format!("{} — run {} of {}, {} tasks done", r.label, r.runs, runs_of(r.runs_total, r.auto), r.tasks) } }</span>
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
    // A chart point cannot carry a badge: say here that some are flagged in the table.
    let flagged = rs.results.iter().any(|r| !r.warnings.is_empty());
    html! {
        <section class="panel charts" aria-label="charts">
            <h2>{ "Sweep" }</h2>
            if flagged {
                <p class="note" id="sweep-flagged">{ "⚠ Some of these figures are flagged in the results table; the reasons are under it. Read the chart with them in mind." }</p>
            }
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
                    &engine::result::to_csv(r),
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
            // The best speedup, with its interval and any warning on it: a speedup is never
            // shown without them.
            let best = e.results.as_ref().and_then(|r| {
                r.results
                    .iter()
                    .filter(|m| m.speedup.is_some())
                    .max_by(|a, b| {
                        a.speedup
                            .unwrap_or(0.0)
                            .total_cmp(&b.speedup.unwrap_or(0.0))
                    })
                    .map(|m| {
                        let notes: Vec<figures::Note> = m
                            .warnings
                            .iter()
                            .map(|w| figures::Note {
                                number: 0,
                                label: w.kind.name().to_string(),
                                place: String::new(),
                                message: w.message.clone(),
                                about_speedup: figures::about_speedup(w.kind),
                            })
                            .collect();
                        html! { <>{ figures::speedup_text(m) }<Badges {notes} /></> }
                    })
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
                    <td class="best">{ best.unwrap_or_else(|| html! { "–" }) }</td>
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
                    { super::results::results(state, &h.on_clear, &h.on_select) }
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
