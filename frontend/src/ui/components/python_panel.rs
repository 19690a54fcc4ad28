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
            <pre><code>{ fit_to_workload(&model.python_code(workload.python_task, p.workers, p.chunk_size), workload) }</code></pre>
            <p>{ model.expectation(workload.bound) }</p>
        </section>
    }
}

/// The model's code with the workload's waiting written as the workload has it: the async
/// model's `await asyncio.sleep(latency)` is the workload's `latency_ms` where it has one, and
/// is left out where it has none (primes does not wait).
fn fit_to_workload(code: &str, workload: &engine::workload::WorkloadInfo) -> String {
    const SLEEP: &str = "asyncio.sleep(latency)";
    if !code.contains(SLEEP) {
        return code.to_string();
    }
    if workload.params.iter().any(|d| d.name == "latency_ms") {
        return code.replace(SLEEP, "asyncio.sleep(latency_ms / 1000)");
    }
    code.lines()
        .filter(|l| !l.contains(SLEEP))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(workload: WorkloadKind) -> String {
        let info = workload.info();
        fit_to_workload(
            &ModelKind::Async
                .info()
                .python_code(info.python_task, 4, None),
            info,
        )
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_async_snippet_waits_only_where_the_workload_waits() {
        let primes = code(WorkloadKind::Primes);
        assert!(!primes.contains("latency"), "{primes}");
        assert!(primes.contains("asyncio.gather"), "{primes}");
        let sleep = code(WorkloadKind::Sleep);
        assert!(
            sleep.contains("asyncio.sleep(latency_ms / 1000)"),
            "{sleep}"
        );
    }
}
