//! For each model, the Python a tutorial would write, and what to expect from it on the chosen
//! workload (and why). The texts are the engine's descriptors' (`ModelInfo::python_code`,
//! `ModelInfo::expectation`); this is where the page puts a workload and a model together.

use engine::{ModelKind, WorkloadKind};

/// The equivalent Python, as the tutorials write it.
pub fn snippet(model: ModelKind, w: WorkloadKind, workers: u32, chunk: Option<u64>) -> String {
    model
        .info()
        .python_code(w.info().python_task, workers, chunk)
}

/// Two sentences on what to expect, and why.
pub fn expectation(model: ModelKind, w: WorkloadKind) -> &'static str {
    model.info().expectation(w.info().bound)
}
