//! The page's history of runs, kept in `localStorage` so that nothing a user ran is lost to a
//! reload, a closed tab or a crashed engine worker.
//!
//! An entry is written when a run starts, with its experiment, and completed when it ends. An
//! entry still marked running when the page loads is shown as interrupted, and its experiment
//! can be opened and run again. Results are kept without per-task records: timelines can be
//! megabytes, and storage holds about 5 MB per origin. Export the result JSON to keep a timeline.

use engine::{Experiment, ResultSet};
use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

const KEY: &str = "playground-history-v1";
/// Entries kept, newest first.
pub const MAX_ENTRIES: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Running,
    Done,
    Failed,
    /// Stopped before it finished; its partial result is kept.
    Stopped,
    /// Still running when the page went away.
    Interrupted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// When it started, ms since the epoch.
    pub at: f64,
    /// The page's run id while it runs; unique within a page load.
    pub run: u64,
    /// "browser" or "native".
    pub side: String,
    pub experiment: Experiment,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<ResultSet>,
}

/// Whether this page may use `localStorage`. Asked first because gloo-storage throws where the
/// browser refuses it (storage blocked, some sandboxed frames), and the page must still work.
fn available() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .is_some()
}

/// The stored history; runs left running by a previous page are interrupted. Nothing stored, or
/// something unreadable, is an empty history.
pub fn load() -> Vec<Entry> {
    if !available() {
        return Vec::new();
    }
    let mut entries: Vec<Entry> = LocalStorage::get(KEY).unwrap_or_default();
    for e in &mut entries {
        // Entries stored before results carried warnings get them now.
        if let Some(r) = e.results.as_mut() {
            engine::warning::assess(r);
        }
        if e.status == Status::Running {
            e.status = Status::Interrupted;
            e.run = 0;
        }
    }
    entries
}

/// Stores the history, dropping the oldest entries while storage is full. Returns a message
/// when nothing could be stored.
pub fn save(entries: &[Entry]) -> Result<(), String> {
    if !available() {
        return Err("this browser keeps no local storage".into());
    }
    let mut keep = entries.len().min(MAX_ENTRIES);
    loop {
        match LocalStorage::set(KEY, &entries[..keep]) {
            Ok(()) => return Ok(()),
            Err(_) if keep > 1 => keep /= 2,
            Err(_) => return Err("the run history could not be stored (storage full)".into()),
        }
    }
}

pub fn clear() {
    if available() {
        LocalStorage::delete(KEY);
    }
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
