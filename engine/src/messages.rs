//! Every message that crosses a boundary between the playground's parts, typed once here and
//! used by both ends, so that a field renamed on one side is a compile error on the other rather
//! than a value silently read as zero. On the wire each is JSON, an object whose `"type"` names
//! the variant in snake_case (`{"type": "progress", ...}`).
//!
//! - `native-runner serve` to the page: [`ServeEvent`], the JSON lines of `POST /api/run`, and
//!   the small replies [`ApiError`] (a refused request) and [`CancelReply`] (`POST /api/cancel`),
//!   and [`LessonRequest`], the body of `POST /api/lesson`.
//! - The page and its engine worker (`static/engine-worker.js`): [`ToEngine`] and [`FromEngine`].
//!   They travel as JSON text by `postMessage`; the worker's script reads only `type` (it must
//!   start the WebAssembly instance before Rust can read anything) and writes the three messages
//!   that must be sent when Rust cannot run: [`FromEngine::Fatal`] (the instance did not start),
//!   [`FromEngine::Crashed`] (it trapped) and [`FromEngine::Error`] (a run threw).
//! - A process pool and its workers, OS processes or Web Workers: [`ToWorker`] and
//!   [`FromWorker`], defined with their protocol in [`crate::model::pool_protocol`].

use serde::{Deserialize, Serialize};

pub use crate::model::pool_protocol::{FromWorker, ToWorker};
use crate::{MachineInfo, ResultSet};

/// A line of `POST /api/run`'s answer (JSON lines), from `native-runner serve` to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServeEvent {
    /// `ahead` runs go first (the server runs one at a time: runs measure the machine).
    Queued { ahead: u64 },
    /// The run started.
    Started,
    /// Sent every 200 ms while running: configurations done of `runs_total`, tasks done in all.
    Progress {
        runs: u64,
        runs_total: u64,
        tasks: u64,
    },
    /// The last line of a run that ended: its results (the native runner's result schema).
    Result { result: Box<ResultSet> },
    /// The last line of a run that failed or was cancelled.
    Error { message: String },
}

impl ServeEvent {
    /// The event as one line of JSON lines, newline included.
    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).expect("events serialize");
        line.push('\n');
        line
    }
}

/// The body of a refused request (400: an invalid spec, or a body that is not text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
}

/// The body of `POST /api/lesson`: the lesson to run natively, at which size (quick unless
/// `"quick": false`), and whether to run it in real CPython too (`"python": true`; the result's
/// `cpython` then says what CPython showed, or why it could not run). Answered with the
/// lesson's result (`lesson::LessonResult`) or an [`ApiError`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonRequest {
    pub id: String,
    #[serde(default = "yes")]
    pub quick: bool,
    #[serde(default)]
    pub python: bool,
}

fn yes() -> bool {
    true
}

/// The answer of `POST /api/cancel`: whether a run was going (and is now asked to stop).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CancelReply {
    pub cancelled: bool,
}

/// From the page to its engine worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToEngine {
    /// Start the engine, with a pool of `pool_size` threads where the page is isolated.
    Init { pool_size: u32 },
    /// Run the experiment `spec` (its JSON text, as `native-runner run --spec` reads it: the
    /// engine worker validates it with [`crate::Experiment::from_json`]).
    Run { id: u64, spec: String },
    /// Stop run `id` at the next task boundary and report what it did.
    Cancel { id: u64 },
}

/// What an engine worker reports about its current run, ten times a second.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunProgress {
    /// Tasks done in the current configuration.
    pub tasks: u64,
    /// Configurations (runs) done and in all.
    pub runs: u32,
    pub runs_total: u32,
    /// What runs now, for people ("dynamic-pool, 4 workers").
    pub label: String,
}

/// From the engine worker to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromEngine {
    /// The engine started: whether it has threads, its pool size, and the machine as it sees it.
    Ready {
        threads: bool,
        pool_size: u32,
        machine: MachineInfo,
    },
    /// The engine could not start (written by the worker's script).
    Fatal {
        message: String,
    },
    Progress {
        id: u64,
        progress: RunProgress,
    },
    /// Run `id` ended: `result` is its result set's JSON text. Kept as text because the page
    /// hands it on as text (to `playground.run` and the history) and parses it once where it
    /// shows it; typing it here would parse and print a large document once more per run.
    Result {
        id: u64,
        result: String,
    },
    /// Run `id` failed: a one-line message.
    Error {
        id: u64,
        message: String,
    },
    /// Answer to a cancel: what run `id` had done so far, as a result set's JSON text marked
    /// partial, in case the run is stuck and the page must end the worker to stop it.
    Partial {
        id: u64,
        result: String,
    },
    /// The engine's instance trapped during run `id` (or between runs: `None`); the page replaces
    /// the worker (written by the worker's script).
    Crashed {
        id: Option<u64>,
        message: String,
    },
}

impl ToEngine {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("messages serialize")
    }
}

impl FromEngine {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("messages serialize")
    }
}
