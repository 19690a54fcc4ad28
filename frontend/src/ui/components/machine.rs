//! What the page knows about the machine, and the banner of a page that cannot use threads.

use yew::prelude::*;

use crate::ui::figures::fmt_time;
use crate::ui::state::EngineStatus;

#[derive(Properties, PartialEq)]
pub struct MachineProps {
    pub hardware_concurrency: u32,
    pub isolated: bool,
    pub engine: EngineStatus,
    /// Longest main-thread task seen during runs, milliseconds.
    pub longest_task_ms: f64,
}

#[function_component(Machine)]
pub fn machine(p: &MachineProps) -> Html {
    let engine_res = p.engine.machine.as_ref().map(|m| m.timer_resolution);
    let page_res = engine::machine::timer_resolution();
    let e = &p.engine;
    html! {
        <section class="panel machine" aria-label="machine">
            <h2>{ "Machine" }</h2>
            <dl>
                <dt>{ "hardwareConcurrency" }</dt><dd id="hc">{ p.hardware_concurrency }</dd>
                <dt>{ "crossOriginIsolated" }</dt><dd id="isolated">{ p.isolated.to_string() }</dd>
                <dt>{ "engine threads" }</dt><dd id="threads">{ if e.ready { if e.threads { format!("yes, pool of {}", e.pool_size) } else { "no (single thread)".to_string() } } else { "starting…".to_string() } }</dd>
                <dt>{ "timer resolution" }</dt><dd id="timer">{ format!("page {}, engine {}", fmt_time(page_res), engine_res.map_or("…".into(), fmt_time)) }</dd>
                <dt>{ "longest main-thread task during runs" }</dt><dd id="longtask">{ if p.longest_task_ms > 0.0 { format!("{:.0} ms", p.longest_task_ms) } else { "none over 50 ms".to_string() } }</dd>
            </dl>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct IsolationBannerProps {
    pub isolated: bool,
}

/// Says plainly, on a page that is not cross-origin isolated, why the threaded models are off.
#[function_component(IsolationBanner)]
pub fn isolation_banner(p: &IsolationBannerProps) -> Html {
    if p.isolated {
        return html! {};
    }
    html! {
        <div class="banner" id="isolation-banner" role="alert">
            <strong>{ "This page is not cross-origin isolated, so it cannot use threads. " }</strong>
            { "Browsers give SharedArrayBuffer (the memory WebAssembly threads share) only to pages served with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp. Sequential, async and process-pool (separate Workers) still run; the threaded models are disabled." }
        </div>
    }
}
