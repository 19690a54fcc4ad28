//! The main thread's side of the engine worker: starts it, queues runs, relays progress, and
//! stops a run within a fraction of a second by terminating and replacing the worker when the
//! engine does not stop by itself.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use engine::messages::{FromEngine, RunProgress, ToEngine};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// How long a cancelled run may take to stop by itself before its worker is terminated.
const STOP_GRACE_MS: i32 = 100;
/// How long past the grace Stop waits for the engine's report of what a stuck run had done (the
/// report is immediate unless the run is huge; without threads it never comes).
const PARTIAL_WAIT_MS: f64 = 1000.0;

/// What the page hears from the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineEvent {
    /// The engine worker is ready: threads available, pool size, its machine description.
    Ready {
        threads: bool,
        pool_size: u32,
        machine: Box<engine::MachineInfo>,
    },
    /// The engine worker could not start.
    Fatal(String),
    /// A run started.
    Started { id: u64, spec: String },
    /// Progress of the current run.
    Progress { id: u64, progress: RunProgress },
    /// A run ended: result JSON, or a one-line error.
    Finished {
        id: u64,
        result: Result<String, String>,
    },
}

type Done = Box<dyn FnOnce(Result<String, String>)>;

struct Pending {
    id: u64,
    spec: String,
    done: Option<Done>,
    /// Stop was pressed for it.
    stopping: bool,
    /// What the run had done when Stop was pressed (result JSON marked partial).
    partial: Option<String>,
}

struct Inner {
    worker: Option<Worker>,
    on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    on_error: Option<Closure<dyn FnMut(web_sys::ErrorEvent)>>,
    ready: bool,
    /// The engine runs on a pool, so its worker answers while a run is going.
    threads: bool,
    /// Whether the run that ended last was stopped (its result, if any, is partial).
    last_stopped: bool,
    queue: VecDeque<Pending>,
    current: Option<Pending>,
    next_id: u64,
    pool_size: u32,
    listener: Rc<dyn Fn(EngineEvent)>,
}

/// A handle to the engine worker; cheap to clone.
#[derive(Clone)]
pub struct Bridge {
    inner: Rc<RefCell<Inner>>,
}

impl PartialEq for Bridge {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

/// Sends `msg` to the engine worker as JSON text (`static/engine-worker.js` reads its `type`).
fn post(worker: &Worker, msg: &ToEngine) {
    let _ = worker.post_message(&JsValue::from_str(&msg.to_json()));
}

impl Bridge {
    /// Starts the engine worker with a pool of `pool_size` threads (when isolated).
    pub fn new(pool_size: u32, listener: impl Fn(EngineEvent) + 'static) -> Bridge {
        let bridge = Bridge {
            inner: Rc::new(RefCell::new(Inner {
                worker: None,
                on_message: None,
                on_error: None,
                ready: false,
                threads: false,
                last_stopped: false,
                queue: VecDeque::new(),
                current: None,
                next_id: 1,
                pool_size,
                listener: Rc::new(listener),
            })),
        };
        bridge.spawn_worker();
        bridge
    }

    fn emit(&self, e: EngineEvent) {
        let listener = self.inner.borrow().listener.clone();
        listener(e);
    }

    fn spawn_worker(&self) {
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let worker = match Worker::new_with_options("./engine-worker.js", &opts) {
            Ok(w) => w,
            Err(e) => {
                self.emit(EngineEvent::Fatal(format!(
                    "cannot start the engine worker: {e:?}"
                )));
                return;
            }
        };
        let me = self.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            me.on_message(e.data());
        });
        let me = self.clone();
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
                me.emit(EngineEvent::Fatal(format!(
                    "engine worker error: {}",
                    e.message()
                )));
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let pool = self.inner.borrow().pool_size;
        post(&worker, &ToEngine::Init { pool_size: pool });
        let mut inner = self.inner.borrow_mut();
        inner.worker = Some(worker);
        inner.on_message = Some(on_message);
        inner.on_error = Some(on_error);
        inner.ready = false;
    }

    fn on_message(&self, data: JsValue) {
        let text = data.as_string().unwrap_or_default();
        let msg = match serde_json::from_str::<FromEngine>(&text) {
            Ok(msg) => msg,
            Err(e) => {
                // Both ends are built from one source; a message we cannot read is a bug, and
                // the run it belongs to cannot be told apart: say so instead of waiting forever.
                self.emit(EngineEvent::Fatal(format!(
                    "unreadable message from the engine ({e}): {text}"
                )));
                return;
            }
        };
        match msg {
            FromEngine::Ready {
                threads,
                pool_size,
                machine,
            } => {
                {
                    let mut inner = self.inner.borrow_mut();
                    inner.ready = true;
                    inner.threads = threads;
                }
                self.emit(EngineEvent::Ready {
                    threads,
                    pool_size,
                    machine: Box::new(machine),
                });
                self.pump();
            }
            FromEngine::Fatal { message } => self.emit(EngineEvent::Fatal(message)),
            FromEngine::Progress { id, progress } => {
                self.emit(EngineEvent::Progress { id, progress })
            }
            FromEngine::Result { id, result } => self.finish(id, Ok(result)),
            FromEngine::Partial { id, result } => {
                if let Some(p) = self
                    .inner
                    .borrow_mut()
                    .current
                    .as_mut()
                    .filter(|p| p.id == id)
                {
                    p.partial = Some(result);
                }
            }
            FromEngine::Crashed { message, .. } => {
                self.replace_worker();
                let id = self.inner.borrow().current.as_ref().map(|p| p.id);
                if let Some(id) = id {
                    self.finish(id, Err(message));
                }
            }
            FromEngine::Error { id, message } => self.finish(id, Err(message)),
        }
    }

    fn finish(&self, id: u64, result: Result<String, String>) {
        let current = {
            let mut inner = self.inner.borrow_mut();
            match &inner.current {
                Some(p) if p.id == id => inner.current.take(),
                _ => None,
            }
        };
        if let Some(mut p) = current {
            self.inner.borrow_mut().last_stopped = p.stopping;
            self.emit(EngineEvent::Finished {
                id,
                result: result.clone(),
            });
            if let Some(done) = p.done.take() {
                done(result);
            }
        }
        self.pump();
    }

    /// Starts the next queued run if the worker is idle and ready.
    fn pump(&self) {
        let next = {
            let mut inner = self.inner.borrow_mut();
            if !inner.ready || inner.current.is_some() {
                return;
            }
            let Some(p) = inner.queue.pop_front() else {
                return;
            };
            if let Some(w) = &inner.worker {
                post(
                    w,
                    &ToEngine::Run {
                        id: p.id,
                        spec: p.spec.clone(),
                    },
                );
            }
            let started = (p.id, p.spec.clone());
            inner.current = Some(p);
            started
        };
        self.emit(EngineEvent::Started {
            id: next.0,
            spec: next.1,
        });
    }

    /// Queues a run of `spec` (validated JSON); `done` receives the result JSON or an error line.
    pub fn run(&self, spec: String, done: impl FnOnce(Result<String, String>) + 'static) -> u64 {
        let id = {
            let mut inner = self.inner.borrow_mut();
            let id = inner.next_id;
            inner.next_id += 1;
            inner.queue.push_back(Pending {
                id,
                spec,
                done: Some(Box::new(done)),
                stopping: false,
                partial: None,
            });
            id
        };
        self.pump();
        id
    }

    /// Terminates the engine worker and starts a fresh one.
    fn replace_worker(&self) {
        if let Some(w) = self.inner.borrow_mut().worker.take() {
            w.terminate();
        }
        self.spawn_worker();
    }

    /// Whether the run that ended last was stopped: valid inside its `done` callback.
    pub fn last_run_stopped(&self) -> bool {
        self.inner.borrow().last_stopped
    }

    /// Whether a run is in progress.
    pub fn busy(&self) -> bool {
        self.inner.borrow().current.is_some()
    }

    /// Stops the current run: asks the engine to cancel, and if it has not stopped shortly
    /// after (a stuck task never does), terminates the worker and starts a fresh one, and the
    /// run ends with what the engine reported it had done when asked. Queued runs stay queued.
    pub fn stop(&self) {
        let id = {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            let Some(p) = inner.current.as_mut() else {
                return;
            };
            p.stopping = true;
            if let Some(w) = &inner.worker {
                post(w, &ToEngine::Cancel { id: p.id });
            }
            p.id
        };
        self.stop_after(id, STOP_GRACE_MS, 0.0);
    }

    /// In `delay_ms`: if run `id` is still going, ends it by replacing the worker, with the
    /// partial result the engine reported, waiting a little longer for that report when the
    /// engine can send one.
    fn stop_after(&self, id: u64, delay_ms: i32, waited_ms: f64) {
        let me = self.clone();
        let check = Closure::once_into_js(move || {
            let (running, partial, threads) = {
                let inner = me.inner.borrow();
                match &inner.current {
                    Some(p) if p.id == id => (true, p.partial.clone(), inner.threads),
                    _ => (false, None, inner.threads),
                }
            };
            if !running {
                return;
            }
            let waited = waited_ms + f64::from(delay_ms);
            if partial.is_none() && threads && waited < PARTIAL_WAIT_MS {
                me.stop_after(id, 20, waited);
                return;
            }
            me.replace_worker();
            me.finish(
                id,
                partial.ok_or_else(|| {
                    "run stopped; the engine could not report what it had done".into()
                }),
            );
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                check.unchecked_ref(),
                delay_ms,
            );
        }
    }
}
