//! The experiment written in Python, and what Python would make of it: the model's and the
//! workload's descriptors put together (`ModelInfo::python_code`, `ModelInfo::expectation`).

use engine::{ModelKind, WorkloadKind};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PythonPanelProps {
    pub model: ModelKind,
    pub workload: WorkloadKind,
    pub workers: u32,
    pub chunk_size: Option<u64>,
}

#[function_component(PythonPanel)]
pub fn python_panel(p: &PythonPanelProps) -> Html {
    let (model, workload) = (p.model.info(), p.workload.info());
    html! {
        <section class="panel python" aria-label="python">
            <h2>{ "In Python" }</h2>
            <pre><code>{ model.python_code(workload.python_task, p.workers, p.chunk_size) }</code></pre>
            <p>{ model.expectation(workload.bound) }</p>
        </section>
    }
}
