//! The functions `static/engine-worker.js` calls: run an experiment, report progress, cancel.
//! They take the page's messages as JSON text ([`ToEngine`]) and return the replies as JSON text
//! ([`FromEngine`]), so that the script only reads a message's `type` and posts what it gets.
//!
//! With threads, each run is handed to the rayon pool (`rayon::spawn`) and awaited, so the engine
//! worker's own event loop stays free to answer progress polls and cancel requests. Without
//! threads, runs execute in the engine worker itself; Stop then ends them by terminating it.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};

use engine::measure::ExperimentRun;
use engine::messages::{FromEngine, RunProgress, ToEngine};
use engine::model::Host;
use engine::model::{RunConfig, RunControl, RunEnv, RunOutcome, run_once};
use engine::{Experiment, RunError};
#[cfg(feature = "threads")]
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

static CONTROL: LazyLock<RunControl> = LazyLock::new(RunControl::default);
/// The id of the run in progress, for its progress messages.
static RUN_ID: AtomicU64 = AtomicU64::new(0);
static RUNS_DONE: AtomicU32 = AtomicU32::new(0);
static RUNS_TOTAL: AtomicU32 = AtomicU32::new(0);
static LABEL: Mutex<String> = Mutex::new(String::new());
static BASE_URL: Mutex<String> = Mutex::new(String::new());
/// The experiment running, for its partial result if it is stopped.
static EXPERIMENT: Mutex<Option<(Experiment, engine::MachineInfo)>> = Mutex::new(None);

/// Where the page's files are (for starting process-pool workers).
#[wasm_bindgen]
pub fn engine_set_base(url: String) {
    *BASE_URL.lock().unwrap_or_else(|e| e.into_inner()) = url;
    #[cfg(feature = "threads")]
    engine::threads::set_detached_spawner(spawn_thread);
    // WebAssembly aborts on a panic without a word; say where it happened first.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&JsValue::from_str(&format!("engine panic: {info}")));
    }));
}

pub(crate) fn base_url() -> String {
    BASE_URL.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The [`FromEngine::Ready`] message: threads, the pool size, and the machine as the engine
/// worker sees it.
#[wasm_bindgen]
pub fn engine_ready(pool_size: u32, hardware_concurrency: u32, user_agent: String) -> String {
    FromEngine::Ready {
        threads: engine::threads::available(),
        pool_size,
        machine: super::machine::describe(hardware_concurrency, &user_agent),
    }
    .to_json()
}

/// Takes a [`ToEngine::Cancel`] message: asks the current run to stop at the next task
/// boundary, and answers with what it has done so far ([`FromEngine::Partial`], the result
/// marked partial; see `engine::journal`), or `None` when no experiment has run. Answers even
/// while a task is stuck: with threads, the run is on the pool and this worker's event loop is
/// free.
#[wasm_bindgen]
pub fn engine_cancel(message: String) -> Option<String> {
    CONTROL.cancel.store(true, Ordering::Relaxed);
    let Ok(ToEngine::Cancel { id }) = serde_json::from_str(&message) else {
        return None;
    };
    let (exp, machine) = EXPERIMENT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()?;
    let mut results = CONTROL.journal.partial(&exp, "stopped");
    results.set_machine(machine);
    let result = serde_json::to_string(&results).expect("results serialize");
    Some(FromEngine::Partial { id, result }.to_json())
}

/// Bytes of this instance's WebAssembly memory. It never shrinks, so after a run it is the
/// run's peak (shared by every pool thread in the threads build).
#[wasm_bindgen]
pub fn engine_memory_bytes() -> f64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        // A SharedArrayBuffer in the threads build, an ArrayBuffer otherwise: read the property.
        .and_then(|m| js_sys::Reflect::get(&m.buffer(), &JsValue::from_str("byteLength")).ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

/// The current run's [`FromEngine::Progress`] message: tasks done, runs done and in all, and
/// what is running.
#[wasm_bindgen]
pub fn engine_progress() -> String {
    FromEngine::Progress {
        id: RUN_ID.load(Ordering::Relaxed),
        progress: RunProgress {
            tasks: CONTROL.tasks_done.load(Ordering::Relaxed),
            runs: RUNS_DONE.load(Ordering::Relaxed),
            runs_total: RUNS_TOTAL.load(Ordering::Relaxed),
            label: LABEL.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        },
    }
    .to_json()
}

/// Takes a [`ToEngine::Run`] message: runs its experiment (the same JSON as `native-runner run
/// --spec`) and resolves with [`FromEngine::Result`] (the native runner's result schema) or
/// [`FromEngine::Error`] (a one-line message). Rejects only if the engine itself failed.
#[wasm_bindgen]
pub fn engine_run(
    message: String,
    hardware_concurrency: u32,
    user_agent: String,
) -> js_sys::Promise {
    // The threads build unwinds panics (so a panicking task fails its run, as natively); the
    // engine state the future touches is reset at the start of every run.
    wasm_bindgen_futures::future_to_promise(std::panic::AssertUnwindSafe(async move {
        let (id, spec) = match serde_json::from_str(&message) {
            Ok(ToEngine::Run { id, spec }) => (id, spec),
            Ok(other) => return Err(JsValue::from_str(&format!("not a run: {other:?}"))),
            Err(e) => return Err(JsValue::from_str(&format!("unreadable message: {e}"))),
        };
        RUN_ID.store(id, Ordering::Relaxed);
        let reply = match run_experiment_json(spec, hardware_concurrency, user_agent).await {
            Ok(result) => FromEngine::Result { id, result },
            Err(message) => FromEngine::Error { id, message },
        };
        Ok(JsValue::from(reply.to_json()))
    }))
}

async fn run_experiment_json(
    spec_json: String,
    hardware_concurrency: u32,
    user_agent: String,
) -> Result<String, String> {
    let exp = Experiment::from_json(&spec_json).map_err(|e| e.to_string())?;
    // Refused before the baseline runs: no run of this experiment could finish here.
    if let Some((kind, why)) = engine::measure::configurations(&exp)
        .iter()
        .find_map(|c| Some((c.model.name, super::not_in_page(c.model.name)?)))
    {
        return Err(format!("{kind} {why}"));
    }
    CONTROL.cancel.store(false, Ordering::Relaxed);
    CONTROL.tasks_done.store(0, Ordering::Relaxed);
    RUNS_DONE.store(0, Ordering::Relaxed);
    let machine = super::machine::describe(hardware_concurrency, &user_agent);
    *EXPERIMENT.lock().unwrap_or_else(|e| e.into_inner()) = Some((exp.clone(), machine.clone()));
    let mut run = ExperimentRun::new(&exp).with_journal(CONTROL.journal.clone());
    while let Some(step) = run.next_step() {
        let progress = run.progress_of(step);
        RUNS_TOTAL.store(progress.total, Ordering::Relaxed);
        RUNS_DONE.store(progress.done, Ordering::Relaxed);
        *LABEL.lock().unwrap_or_else(|e| e.into_inner()) = format!(
            "{}, {} worker{}",
            progress.model,
            progress.workers,
            if progress.workers == 1 { "" } else { "s" }
        );
        run.run_starting(step);
        let cfg = run.configs()[step.config].clone();
        let outcome = match run_config(cfg).await {
            Ok(o) => o,
            // Stopped at a task boundary: what ran is the result, marked partial.
            Err(RunError::Cancelled) => {
                let mut results = CONTROL.journal.partial(&exp, "stopped");
                results.set_machine(machine);
                return Ok(serde_json::to_string(&results).expect("results serialize"));
            }
            // A deadlock is a result to draw: the run as far as it got, with its cycle.
            Err(RunError::Deadlock(d)) => {
                let mut results = CONTROL.journal.deadlocked(&exp, &d);
                results.set_machine(machine);
                return Ok(serde_json::to_string(&results).expect("results serialize"));
            }
            Err(e) => return Err(format!("run failed: {e}")),
        };
        run.complete(step, outcome);
        RUNS_DONE.fetch_add(1, Ordering::Relaxed);
    }
    let mut results = run.finish();
    results.set_machine(machine);
    Ok(serde_json::to_string(&results).expect("results serialize"))
}

/// Closures waiting for a thread of their own, and the Web Workers (`static/thread-worker.js`)
/// that take them: threads outside the rayon pool, for the pools `work-stealing` builds.
#[cfg(feature = "threads")]
static THREAD_QUEUE: LazyLock<(
    crossbeam_channel::Sender<engine::threads::Detached>,
    crossbeam_channel::Receiver<engine::threads::Detached>,
)> = LazyLock::new(crossbeam_channel::unbounded);

#[cfg(feature = "threads")]
fn spawn_thread(f: engine::threads::Detached) -> Result<(), String> {
    THREAD_QUEUE.0.send(f).map_err(|e| e.to_string())
}

/// The loop of a thread worker: runs queued closures, forever.
#[cfg(feature = "threads")]
#[wasm_bindgen]
pub fn engine_thread_main() {
    while let Ok(f) = THREAD_QUEUE.1.recv() {
        f();
    }
}

/// This module and its shared memory, for starting thread workers on the same instance state.
#[cfg(feature = "threads")]
#[wasm_bindgen]
pub fn engine_module() -> JsValue {
    wasm_bindgen::module()
}

#[cfg(feature = "threads")]
#[wasm_bindgen]
pub fn engine_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Makes sure at least `n` thread workers exist (the engine worker's `startThreads`).
#[cfg(feature = "threads")]
async fn ensure_threads(n: usize) -> Result<(), RunError> {
    let global = js_sys::global();
    let start = js_sys::Reflect::get(&global, &JsValue::from_str("startThreads"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| RunError::Spawn("the engine worker cannot start threads".into()))?;
    let promise = start
        .call1(&JsValue::NULL, &JsValue::from(n as u32))
        .map_err(|e| RunError::Spawn(format!("{e:?}")))?;
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise))
        .await
        .map(|_| ())
        .map_err(|e| RunError::Spawn(format!("{e:?}")))
}

async fn run_config(cfg: RunConfig) -> Result<RunOutcome, RunError> {
    #[cfg(feature = "threads")]
    if cfg.model.name.info().host == Host::RayonPool {
        ensure_threads(cfg.workers).await?;
    }
    match cfg.model.name.info().host {
        Host::Processes => {
            return super::process_pool::run_once(&cfg, &CONTROL, &base_url()).await;
        }
        // Refused with the experiment (`run_experiment_json`); the engine would say the same.
        Host::Ranks | Host::Caller | Host::Threads | Host::RayonPool => {}
    }
    let env = RunEnv {
        control: CONTROL.clone(),
        worker_program: None,
        ranks: None,
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
