//! `process-pool` in the browser: separate Web Workers (`static/process-worker.js`), each with
//! its own WebAssembly instance and its own memory, the way processes have their own address
//! space. Tasks and results cross as JSON strings by `postMessage`; the JSON plus the structured
//! clone are the analogue of pickling.
//!
//! The whole run (the handshake, the stage loop, each stage's chunks and the replay of its
//! outputs) is the engine's sans-IO [`PoolRun`]; this file only moves its messages to and from
//! the Workers on the engine worker's event loop, so scheduling and records are the same as with
//! the native runner's OS processes.

use std::sync::atomic::Ordering;

use engine::RunError;
use engine::messages::{FromWorker, ToWorker};
use engine::model::pool_protocol::PoolRun;
use engine::model::{RunConfig, RunControl, RunOutcome};
use futures_channel::mpsc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};
use web_time::Instant;

/// What a process worker reported: a message line, or that it died.
enum Event {
    Message(usize, String),
    Died(usize, String),
}

/// A worker's message and error handlers, kept alive as long as the worker.
type Handlers = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(ErrorEvent)>,
);

/// The pool's workers; dropping it terminates them (no worker outlives a run).
struct Pool {
    workers: Vec<Worker>,
    _handlers: Vec<Handlers>,
    events: mpsc::UnboundedReceiver<Event>,
    t0: Instant,
}

impl Drop for Pool {
    fn drop(&mut self) {
        for w in &self.workers {
            w.terminate();
        }
    }
}

fn spawn_error(e: JsValue) -> RunError {
    RunError::Spawn(format!("process worker: {e:?}"))
}

impl Pool {
    fn start(workers: usize, base_url: &str) -> Result<Pool, RunError> {
        let (tx, events) = mpsc::unbounded();
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let url = format!("{base_url}process-worker.js");
        let mut pool = Pool {
            workers: Vec::new(),
            _handlers: Vec::new(),
            events,
            t0: Instant::now(),
        };
        for index in 0..workers {
            let worker = Worker::new_with_options(&url, &opts).map_err(spawn_error)?;
            // Handlers only forward events; nothing they hold is left half-updated by a panic.
            let tx_msg = std::panic::AssertUnwindSafe(tx.clone());
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let line = e.data().as_string().unwrap_or_default();
                let tx = &tx_msg; // the whole wrapper, not its field
                let _ = tx.0.unbounded_send(Event::Message(index, line));
            });
            let tx_err = std::panic::AssertUnwindSafe(tx.clone());
            let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
                e.prevent_default();
                let tx = &tx_err;
                let _ = tx.0.unbounded_send(Event::Died(index, e.message()));
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            pool.workers.push(worker);
            pool._handlers.push((on_message, on_error));
        }
        Ok(pool)
    }

    fn send(&self, index: usize, msg: &ToWorker) -> Result<(), RunError> {
        let line = serde_json::to_string(msg).expect("messages serialize");
        self.workers[index]
            .post_message(&JsValue::from_str(&line))
            .map_err(|e| RunError::WorkerCrashed {
                worker: index,
                reason: format!("{e:?}"),
            })
    }

    fn now(&self) -> f64 {
        self.t0.elapsed().as_secs_f64()
    }

    async fn next(&mut self, control: &RunControl) -> Result<(usize, FromWorker), RunError> {
        if control.cancel.load(Ordering::Relaxed) {
            return Err(RunError::Cancelled);
        }
        let events = &mut self.events;
        let next = std::future::poll_fn(|cx| {
            futures_core::Stream::poll_next(std::pin::Pin::new(&mut *events), cx)
        })
        .await;
        match next {
            Some(Event::Message(i, line)) => match serde_json::from_str::<FromWorker>(&line) {
                Ok(FromWorker::Error { message }) => {
                    Err(RunError::Protocol(format!("worker {i}: {message}")))
                }
                Ok(msg) => Ok((i, msg)),
                Err(e) => Err(RunError::Protocol(format!("worker {i} sent {line:?}: {e}"))),
            },
            Some(Event::Died(worker, reason)) => Err(RunError::WorkerCrashed { worker, reason }),
            None => Err(RunError::Protocol("all workers gone".into())),
        }
    }
}

/// Runs one configuration on a pool of process workers.
pub async fn run_once(
    cfg: &RunConfig,
    control: &RunControl,
    base_url: &str,
) -> Result<RunOutcome, RunError> {
    // Builds the job and makes the checks before any worker starts.
    let mut run = PoolRun::new(cfg, control)?;
    // Starting the workers is part of the run, as starting processes is part of Pool().
    let mut pool = Pool::start(cfg.workers, base_url)?;
    for (i, msg) in run.start(pool.t0) {
        pool.send(i, &msg)?;
    }
    while !run.finished() {
        let (i, msg) = pool.next(control).await?;
        for (to, next) in run.on_message(i, msg, pool.now())? {
            pool.send(to, &next)?;
        }
    }
    let wall = pool.now();
    drop(pool);
    Ok(run.finish(wall))
}

/// The process worker's side (`static/process-worker.js`): one session per worker instance.
#[wasm_bindgen]
pub fn process_worker_handle(line: String) -> Option<String> {
    use engine::model::pool_protocol::WorkerSession;
    thread_local! {
        static SESSION: std::cell::RefCell<WorkerSession> = std::cell::RefCell::new(WorkerSession::new());
    }
    SESSION.with(|s| s.borrow_mut().handle_json(&line))
}
