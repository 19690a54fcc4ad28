//! The functions `static/engine-worker.js` calls: run an experiment, report progress, cancel.
//!
//! With threads, each run is handed to the rayon pool (`rayon::spawn`) and awaited, so the engine
//! worker's own event loop stays free to answer progress polls and cancel requests. Without
//! threads, runs execute in the engine worker itself; Stop then ends them by terminating it.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{LazyLock, Mutex};

use engine::measure::ExperimentRun;
use engine::model::{RunConfig, RunControl, RunEnv, RunOutcome, run_once};
use engine::{Experiment, ModelKind, RunError};
use wasm_bindgen::prelude::*;

static CONTROL: LazyLock<RunControl> = LazyLock::new(RunControl::default);
static RUNS_DONE: AtomicU32 = AtomicU32::new(0);
static RUNS_TOTAL: AtomicU32 = AtomicU32::new(0);
static LABEL: Mutex<String> = Mutex::new(String::new());
static BASE_URL: Mutex<String> = Mutex::new(String::new());

/// Whether this instance runs the engine on a pool of threads.
#[wasm_bindgen]
pub fn engine_threads() -> bool {
    engine::threads::available()
}

/// Where the page's files are (for starting process-pool workers).
#[wasm_bindgen]
pub fn engine_set_base(url: String) {
    *BASE_URL.lock().unwrap_or_else(|e| e.into_inner()) = url;
}

pub(crate) fn base_url() -> String {
    BASE_URL.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The machine as the engine worker sees it, as JSON.
#[wasm_bindgen]
pub fn engine_machine(hardware_concurrency: u32, user_agent: String) -> String {
    serde_json::to_string(&crate::machine::describe(hardware_concurrency, &user_agent))
        .expect("machine serializes")
}

/// Asks the current run to stop at the next task boundary.
#[wasm_bindgen]
pub fn engine_cancel() {
    CONTROL.cancel.store(true, Ordering::Relaxed);
}

/// Progress of the current run as JSON: tasks done, runs done and total, and what is running.
#[wasm_bindgen]
pub fn engine_progress() -> String {
    serde_json::json!({
        "tasks": CONTROL.tasks_done.load(Ordering::Relaxed),
        "runs": RUNS_DONE.load(Ordering::Relaxed),
        "runs_total": RUNS_TOTAL.load(Ordering::Relaxed),
        "label": LABEL.lock().unwrap_or_else(|e| e.into_inner()).clone(),
    })
    .to_string()
}

/// Runs the experiment in `spec_json` (the same JSON as `native-runner run --spec`) and resolves
/// with the result JSON (the native runner's schema). Rejects with a one-line message.
#[wasm_bindgen]
pub async fn engine_run(
    spec_json: String,
    hardware_concurrency: u32,
    user_agent: String,
) -> Result<String, JsValue> {
    let exp = Experiment::from_json(&spec_json).map_err(|e| JsValue::from_str(&e.to_string()))?;
    CONTROL.cancel.store(false, Ordering::Relaxed);
    CONTROL.tasks_done.store(0, Ordering::Relaxed);
    RUNS_DONE.store(0, Ordering::Relaxed);
    let mut run = ExperimentRun::new(&exp);
    let runs = run.runs_per_config();
    RUNS_TOTAL.store(runs * run.configs().len() as u32, Ordering::Relaxed);
    for index in 0..run.configs().len() {
        let cfg = run.configs()[index].clone();
        *LABEL.lock().unwrap_or_else(|e| e.into_inner()) =
            format!("{}, {} workers", cfg.model.name, cfg.workers);
        let mut outcomes = Vec::new();
        for r in 0..runs {
            let outcome = run_config(cfg.clone())
                .await
                .map_err(|e| JsValue::from_str(&format!("run failed: {e}")))?;
            if !run.is_warmup(r) {
                outcomes.push(outcome);
            }
            RUNS_DONE.fetch_add(1, Ordering::Relaxed);
        }
        run.record(outcomes);
    }
    let mut results = run.finish();
    results.machine = Some(crate::machine::describe(hardware_concurrency, &user_agent));
    Ok(serde_json::to_string(&results).expect("results serialize"))
}

async fn run_config(cfg: RunConfig) -> Result<RunOutcome, RunError> {
    if cfg.model.name == ModelKind::ProcessPool {
        return crate::process_pool::run_once(&cfg, &CONTROL, &base_url()).await;
    }
    let env = RunEnv {
        control: CONTROL.clone(),
        worker_program: None,
    };
    #[cfg(feature = "threads")]
    {
        let (tx, rx) = futures_channel::oneshot::channel();
        rayon::spawn(move || {
            let _ = tx.send(run_once(&cfg, &env));
        });
        rx.await
            .unwrap_or_else(|_| Err(RunError::Protocol("the engine thread ended".into())))
    }
    #[cfg(not(feature = "threads"))]
    {
        run_once(&cfg, &env)
    }
}
