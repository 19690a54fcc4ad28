//! Past runs, kept in this browser across reloads and crashes.

use std::rc::Rc;

use yew::prelude::*;

use super::Badges;
use crate::ui::figures;
use crate::ui::history::{Entry, Status};

#[derive(Properties)]
pub struct HistoryProps {
    /// Newest first.
    pub entries: Rc<Vec<Entry>>,
    /// Bumped on every change of `entries`.
    pub version: u64,
    /// Reopen entry `i`.
    pub on_open: Callback<usize>,
    pub on_clear: Callback<MouseEvent>,
}

/// By the history's version and address: comparing the entries would walk every stored result.
impl PartialEq for HistoryProps {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && Rc::ptr_eq(&self.entries, &other.entries)
            && self.on_open == other.on_open
            && self.on_clear == other.on_clear
    }
}

/// "2026-12-02 07:03:52", local time.
fn when(at: f64) -> String {
    // Plain getters: Intl formatting costs about a millisecond a call, on every render.
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at));
    format!(
        "{}-{:02}-{:02} {:02}:{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// The best speedup measured, with its interval and any warning on it: a speedup is never shown
/// without them. The sequential baseline's 1.00x is the yardstick, not a measurement, so it is
/// left out: a run whose every model was slower shows its best, below 1.
fn best(e: &Entry) -> Option<Html> {
    e.results.as_ref().and_then(|r| {
        r.results
            .iter()
            .filter(|m| m.speedup.is_some() && m.model != engine::ModelKind::Sequential)
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
    })
}

#[function_component(History)]
pub fn history(p: &HistoryProps) -> Html {
    let rows: Html = p
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let x = &e.experiment;
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
            let open = p.on_open.reform(move |_: MouseEvent| i);
            html! {
                <tr class="history-entry">
                    <td data-label="started">{ when(e.at) }</td>
                    <td data-label="side">{ &e.side }</td>
                    <td data-label="workload">{ format!("{} n={}", x.workload.name, x.workload.n) }</td>
                    <td data-label="model">{ format!("{} x{}", x.model.name, x.workers) }</td>
                    <td class="best" data-label="best speedup">{ best(e).unwrap_or_else(|| html! { "–" }) }</td>
                    <td class={classes!("status", class)} data-label="status">{ status }</td>
                    <td><button class="open-history" onclick={open} aria-label={format!("open the run of {}", when(e.at))}>{ "open" }</button></td>
                </tr>
            }
        })
        .collect();
    html! {
        <section class="panel history" aria-label="history" id="history">
            <h2>{ "History" }</h2>
            if p.entries.is_empty() {
                <p class="muted">{ "Runs are kept here, in this browser, across reloads." }</p>
            } else {
                <table class="history-table">
                    <thead><tr><th>{ "started" }</th><th>{ "side" }</th><th>{ "workload" }</th><th>{ "model" }</th><th>{ "best speedup" }</th><th>{ "status" }</th><th></th></tr></thead>
                    <tbody>{ rows }</tbody>
                </table>
                <button id="clear-history" onclick={p.on_clear.clone()}>{ "Clear history" }</button>
            }
        </section>
    }
}
