//! The experiment written in Python, and what Python would make of it.

use engine::{ModelKind, WorkloadKind};
use yew::prelude::*;

use crate::python;

#[derive(Properties, PartialEq)]
pub struct PythonPanelProps {
    pub model: ModelKind,
    pub workload: WorkloadKind,
    pub workers: u32,
    pub chunk_size: Option<u64>,
}

#[function_component(PythonPanel)]
pub fn python_panel(p: &PythonPanelProps) -> Html {
    html! {
        <section class="panel python" aria-label="python">
            <h2>{ "In Python" }</h2>
            <pre><code>{ python::snippet(p.model, p.workload, p.workers, p.chunk_size) }</code></pre>
            <p>{ python::expectation(p.model, p.workload) }</p>
        </section>
    }
}
