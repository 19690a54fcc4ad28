//! The run bar: Run and Stop, the run's progress, the native backend, and what the page has to
//! say about the last run.

use yew::prelude::*;

use crate::ui::state::Running;

/// The runs planned: with "auto" repetitions, more may be added as the run goes.
pub fn runs_of(total: u32, auto: bool) -> String {
    if auto {
        format!("at least {total}")
    } else {
        total.to_string()
    }
}

#[derive(Properties, PartialEq)]
pub struct RunBarProps {
    /// Why Run is disabled, if it is.
    pub blocker: Option<String>,
    pub running: Option<Running>,
    /// The native backend: `None` until asked, then whether this page is served by it.
    pub native: Option<bool>,
    pub also_native: bool,
    /// What the native run is doing, while it runs.
    pub native_status: Option<String>,
    /// A question before a long run.
    pub confirm: Option<String>,
    pub notice: Option<String>,
    /// The last run's outcome in a sentence, for screen readers.
    pub announcement: Option<String>,
    pub on_run: Callback<MouseEvent>,
    pub on_stop: Callback<MouseEvent>,
    /// The answer to "this will take long; run it?".
    pub on_confirm: Callback<bool>,
    pub on_toggle_native: Callback<Event>,
}

/// The only part a progress tick renders again.
#[function_component(RunBar)]
pub fn run_bar(p: &RunBarProps) -> Html {
    let blocker = p.blocker.clone();
    html! {
        <section class="panel runbar" aria-label="run">
            <button id="run" class="primary" onclick={p.on_run.clone()} disabled={blocker.is_some() || p.running.is_some()} title={blocker.clone().unwrap_or_default()}>{ "Run" }</button>
            <button id="stop" onclick={p.on_stop.clone()} disabled={p.running.is_none() && p.native_status.is_none()}>{ "Stop" }</button>
            // Only while something runs: a spinner turning on an idle page says it is busy.
            if p.running.is_some() || p.native_status.is_some() {
                <div class="spinner" id="spinner" aria-hidden="true"></div>
            }
            { match p.native {
                Some(true) => html! {
                    <label class="check" title="after the browser run, the same experiment runs natively on this machine (never both at once)">
                        <input type="checkbox" id="also-native" checked={p.also_native} onchange={p.on_toggle_native.clone()} />{ " also run natively" }
                    </label>
                },
                Some(false) => html! {
                    <span class="muted" id="native-absent" title="serve the page with native-runner serve to compare with native runs; result files can still be imported">{ "native backend absent" }</span>
                },
                None => html! {},
            } }
            if let Some(status) = &p.native_status {
                <span class="native-status" id="native-status">{ status }</span>
            }
            if let Some(r) = &p.running {
                <div class="progress" id="progress" role="status" aria-live="polite">
                    <progress max={r.runs_total.max(r.runs).max(1).to_string()} value={r.runs.to_string()}></progress>
                    <span>{ if r.stopping { "stopping…".to_string() } else { format!("{} — run {} of {}, {} tasks done", r.label, r.runs, runs_of(r.runs_total, r.auto), r.tasks) } }</span>
                </div>
            } else if let Some(b) = blocker {
                <span class="muted">{ b }</span>
            }
            if let Some(q) = &p.confirm {
                <div class="confirm" id="confirm" role="alertdialog" aria-label="confirm a long run">
                    <span>{ q }</span>
                    <button id="confirm-run" class="primary" onclick={p.on_confirm.reform(|_: MouseEvent| true)}>{ "Run anyway" }</button>
                    <button id="confirm-cancel" onclick={p.on_confirm.reform(|_: MouseEvent| false)}>{ "Cancel" }</button>
                </div>
            }
            if let Some(n) = &p.notice {
                <p class="notice" id="notice" role="alert">{ n }</p>
            }
            // Always in the page, so that screen readers hear each new sentence put in it.
            <p class="visually-hidden" id="announce" role="status" aria-live="polite">{ p.announcement.clone().unwrap_or_default() }</p>
        </section>
    }
}
