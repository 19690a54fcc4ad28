//! Sharing and exporting: a link to the experiment (with results if asked), result files out
//! and in.

use yew::prelude::*;

use super::SetRef;
use crate::ui::dom;

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    /// The newest results run in this page: what the exports write.
    pub latest: Option<SetRef>,
    pub include_results: bool,
    /// The last link made.
    pub link: Option<String>,
    /// What became of the last Copy link: "Copied", or why not.
    pub copied: Option<String>,
    pub on_copy_link: Callback<MouseEvent>,
    pub on_toggle_include: Callback<Event>,
    pub on_import: Callback<web_sys::File>,
}

#[function_component(Share)]
pub fn share(p: &ShareProps) -> Html {
    let export_json = {
        let latest = p.latest.clone();
        Callback::from(move |_| {
            if let Some(r) = &latest {
                let _ = dom::download(
                    "playground-results.json",
                    "application/json",
                    &serde_json::to_string_pretty(&*r.0).unwrap_or_default(),
                );
            }
        })
    };
    let export_csv = {
        let latest = p.latest.clone();
        Callback::from(move |_| {
            if let Some(r) = &latest {
                let _ = dom::download(
                    "playground-results.csv",
                    "text/csv",
                    &engine::result::to_csv(r),
                );
            }
        })
    };
    let onchange = {
        let on_import = p.on_import.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                on_import.emit(file);
            }
            // The same file can be picked again.
            input.set_value("");
        })
    };
    html! {
        <section class="panel share" aria-label="share">
            <h2>{ "Share and export" }</h2>
            <button id="copy-link" onclick={p.on_copy_link.clone()}>{ "Copy link" }</button>
            <span class="copied" id="copied" role="status" aria-live="polite">{ p.copied.clone().unwrap_or_default() }</span>
            <label class="check"><input type="checkbox" id="include-results" checked={p.include_results} onchange={p.on_toggle_include.clone()} />{ " include my results" }</label>
            if let Some(link) = &p.link {
                <input class="link" id="link" readonly=true value={link.clone()} aria-label="link to this experiment" />
            }
            <div class="row">
                <button id="export-json" onclick={export_json} disabled={p.latest.is_none()}>{ "Export JSON" }</button>
                <button id="export-csv" onclick={export_csv} disabled={p.latest.is_none()}>{ "Export CSV" }</button>
                <label class="button import">{ "Import JSON…" }<input type="file" id="import" class="visually-hidden" accept=".json,application/json" {onchange} /></label>
            </div>
        </section>
    }
}
