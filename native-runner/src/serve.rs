//! `native-runner serve`: the built playground and a JSON API on the same origin, so the page can
//! run the same experiment natively on the same machine and show both side by side.
//!
//! - `GET /api/machine`: this machine (`native-runner machine --format json`).
//! - `POST /api/run`: an experiment spec (the JSON of `run --spec`), answered with JSON lines
//!   ([`ServeEvent`]): `{"type":"queued","ahead":n}` while other runs go first,
//!   `{"type":"started"}`, `{"type":"progress","runs":..,"runs_total":..,"tasks":..}`, and
//!   finally `{"type":"result","result":{...}}` or `{"type":"error","message":"..."}`. An invalid
//!   spec is answered 400 with the engine's message (`{"error": ...}`, [`ApiError`]); a body over
//!   64 KiB is refused with 413.
//! - `POST /api/lesson`: `{"id": "gil-io", "quick": true, "python": false}` ([`LessonRequest`]):
//!   runs the lesson natively (and with `"python": true`, in CPython too) and answers its result
//!   (`engine::lesson::LessonResult`, as one element of `lessons --format json`). Queued with the runs; an unknown id or a malformed body is answered
//!   400, a failed run 500, both with [`ApiError`].
//! - `POST /api/cancel`: cancels the run in progress (`{"cancelled": bool}`, [`CancelReply`]). A
//!   client that goes away cancels its run too.
//!
//! One run at a time: runs measure the machine, so two at once would measure each other.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use engine::lesson::{self, Size};
use engine::measure::Progress;
use engine::messages::{ApiError, CancelReply, LessonRequest, ServeEvent};
use engine::model::{RunControl, RunEnv};
use engine::{Experiment, MachineInfo};
use tokio::sync::{Mutex, mpsc};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest accepted request body: far more than any valid spec.
pub const MAX_BODY_BYTES: usize = engine::limits::MAX_SPEC_BYTES;

struct App {
    machine: MachineInfo,
    /// Held for the whole of a run: the queue.
    gate: Mutex<()>,
    /// Requests in line, the running one included.
    in_line: AtomicUsize,
    current: std::sync::Mutex<Option<RunControl>>,
}

/// Options of `serve`.
pub struct ServeOptions {
    pub host: std::net::IpAddr,
    pub port: u16,
    pub dist: PathBuf,
    pub open: bool,
}

fn json_line(event: ServeEvent) -> Bytes {
    Bytes::from(event.to_line())
}

fn bad_request(error: String) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(ApiError { error })).into_response()
}

async fn get_machine(State(app): State<Arc<App>>) -> Response {
    axum::Json(app.machine.clone()).into_response()
}

async fn cancel(State(app): State<Arc<App>>) -> Response {
    let current = app
        .current
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    if let Some(control) = &current {
        control.cancel.store(true, Ordering::Relaxed);
    }
    axum::Json(CancelReply {
        cancelled: current.is_some(),
    })
    .into_response()
}

async fn run(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let text = match std::str::from_utf8(&body) {
        Ok(t) => t,
        Err(_) => return bad_request("the body is not UTF-8 text".into()),
    };
    let exp = match Experiment::from_json(text) {
        Ok(exp) => exp,
        Err(e) => return bad_request(e.to_string()),
    };
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    tokio::spawn(drive(app, exp, tx));
    let stream = tokio_stream::wrappers::ReceiverStream::new(rx);
    Response::builder()
        .header(header::CONTENT_TYPE, "application/x-ndjson")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_stream(tokio_stream::StreamExt::map(
            stream,
            Ok::<_, std::convert::Infallible>,
        )))
        .expect("a valid response")
}

/// Holds a place in the line (the running request included) until dropped.
struct InLine<'a>(&'a AtomicUsize);

impl<'a> InLine<'a> {
    /// Joins the line; returns the place and how many requests are ahead.
    fn join(counter: &'a AtomicUsize) -> (InLine<'a>, usize) {
        let ahead = counter.fetch_add(1, Ordering::SeqCst);
        (InLine(counter), ahead)
    }
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn run_lesson(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request = match serde_json::from_slice::<LessonRequest>(&body) {
        Ok(r) => r,
        Err(e) => {
            return bad_request(format!(
                "not a lesson request ({{\"id\": ..., \"quick\": true}}): {e}"
            ));
        }
    };
    let Some(chosen) = lesson::find(&request.id) else {
        let ids: Vec<&str> = lesson::all().iter().map(|l| l.id).collect();
        return bad_request(format!(
            "no lesson called '{}' (one of: {})",
            request.id,
            ids.join(", ")
        ));
    };
    let size = if request.quick {
        Size::Quick
    } else {
        Size::Full
    };
    // One run at a time, in line with the experiments of `POST /api/run`.
    let (_in_line, _) = InLine::join(&app.in_line);
    let _turn = app.gate.lock().await;
    let control = RunControl::default();
    *app.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(control.clone());
    let env = RunEnv {
        control,
        ..crate::cli::host_env()
    };
    let cores = app.machine.logical_cores;
    let python = request.python;
    let outcome = tokio::task::spawn_blocking(move || {
        let ours = lesson::run(chosen, size, cores, &env, &mut |_: Progress| {})?;
        let mut done = [(chosen, ours)];
        if python && let Err(e) = crate::python::run_beside(&mut done, size, cores, false) {
            // Shown on the lesson's card: the page has no other place for it.
            done[0].1.cpython =
                Some(chosen.cpython_failed(&crate::python::interpreter(), &e.to_string()));
        }
        let [(_, result)] = done;
        Ok::<_, engine::RunError>(result)
    })
    .await;
    *app.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    match outcome {
        Ok(Ok(mut result)) => {
            result.set_machine(&app.machine);
            axum::Json(result).into_response()
        }
        Ok(Err(e)) => failed(format!("lesson {} failed: {e}", chosen.id)),
        Err(e) => failed(format!("lesson {} failed: {e}", chosen.id)),
    }
}

fn failed(error: String) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(ApiError { error }),
    )
        .into_response()
}

/// Queues, runs and reports one experiment on the stream `tx`.
async fn drive(app: Arc<App>, exp: Experiment, tx: mpsc::Sender<Bytes>) {
    // Runs in line, the running one included; released however this function ends.
    let (_in_line, ahead) = InLine::join(&app.in_line);
    if ahead > 0 {
        let _ = tx
            .send(json_line(ServeEvent::Queued {
                ahead: ahead as u64,
            }))
            .await;
    }
    let _turn = app.gate.lock().await;
    if tx.is_closed() {
        return;
    }
    let control = RunControl::default();
    *app.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(control.clone());
    let _ = tx.send(json_line(ServeEvent::Started)).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let total = Arc::new(AtomicUsize::new(0));
    let env = RunEnv {
        control: control.clone(),
        ..crate::cli::host_env()
    };
    let (runs_in, total_in) = (runs.clone(), total.clone());
    let mut task = tokio::task::spawn_blocking(move || {
        engine::run_experiment(&exp, &env, &mut |p: Progress| {
            runs_in.store(p.done as usize, Ordering::Relaxed);
            total_in.store(p.total as usize, Ordering::Relaxed);
        })
    });
    let outcome = loop {
        tokio::select! {
            done = &mut task => break done,
            () = tokio::time::sleep(Duration::from_millis(200)) => {
                let progress = ServeEvent::Progress {
                    runs: runs.load(Ordering::Relaxed) as u64,
                    runs_total: total.load(Ordering::Relaxed) as u64,
                    tasks: control.tasks_done.load(Ordering::Relaxed),
                };
                // A client that went away cancels its run, so the next one need not wait.
                if tx.send(json_line(progress)).await.is_err() {
                    control.cancel.store(true, Ordering::Relaxed);
                }
            }
        }
    };
    *app.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    let last = match outcome {
        Ok(Ok(mut results)) => {
            results.set_machine(app.machine.clone());
            ServeEvent::Result {
                result: Box::new(results),
            }
        }
        Ok(Err(e)) => ServeEvent::Error {
            message: format!("run failed: {e}"),
        },
        Err(e) => ServeEvent::Error {
            message: format!("run failed: {e}"),
        },
    };
    let _ = tx.send(json_line(last)).await;
}

/// The application: API routes and the playground's files, every response cross-origin isolated.
pub fn router(dist: PathBuf, machine: MachineInfo) -> Router {
    let app = Arc::new(App {
        machine,
        gate: Mutex::new(()),
        in_line: AtomicUsize::new(0),
        current: std::sync::Mutex::new(None),
    });
    let files = ServeDir::new(&dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .route("/api/machine", get(get_machine))
        .route("/api/run", post(run))
        .route("/api/lesson", post(run_lesson))
        .route("/api/cancel", post(cancel))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::overriding(
            header::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static(CROSS_ORIGIN_OPENER_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::HeaderName::from_static("cross-origin-embedder-policy"),
            HeaderValue::from_static(CROSS_ORIGIN_EMBEDDER_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
}

/// With [`CROSS_ORIGIN_EMBEDDER_POLICY`], makes the page cross-origin isolated, the condition for
/// `SharedArrayBuffer` and so for the threads build. Trunk.toml, static/sw.js and
/// tests/e2e/serve.py send the same values; tests/shared_facts.rs checks that they agree.
pub const CROSS_ORIGIN_OPENER_POLICY: &str = "same-origin";
/// See [`CROSS_ORIGIN_OPENER_POLICY`].
pub const CROSS_ORIGIN_EMBEDDER_POLICY: &str = "require-corp";

/// The page's policy (index.html's meta tag and Trunk.toml carry it too, and
/// tests/shared_facts.rs checks that all three agree): script from this origin only, never inline,
/// no eval; `'wasm-unsafe-eval'` is what compiling WebAssembly needs. Workers get it with their
/// scripts.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'";

/// Serves until interrupted. Prints the address on stdout once listening.
pub fn serve(opts: ServeOptions) -> Result<(), String> {
    if !opts.dist.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: build the playground first (trunk build --release, or bash scripts/playground.sh)",
            opts.dist.display()
        ));
    }
    if !opts.host.is_loopback() {
        eprintln!(
            "warning: serving on {}: anyone who can reach this address can run experiments on this machine",
            opts.host
        );
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(opts.host, opts.port))
            .await
            .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.host, opts.port))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let url = format!("http://{addr}/");
        println!("playground: {url}");
        if opts.open {
            let _ = std::process::Command::new(if cfg!(target_os = "macos") {
                "open"
            } else {
                "xdg-open"
            })
            .arg(&url)
            .spawn();
        }
        let app = router(opts.dist, crate::machine::detect());
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    })
}
