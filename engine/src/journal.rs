//! What an experiment has done so far, readable from outside while it runs, so that a run given
//! up on still yields a result: the configurations that finished, and the run that was cut short
//! with its finished tasks and the tasks it was on.
//!
//! A task that never returns cannot be stopped: no thread can be killed from outside, in a
//! process or in a Web Worker. What a host can do is stop waiting (Stop in the page, Ctrl-C or
//! `--timeout` in the native runner), take a [`Journal::partial`] result, and end the threads
//! the only way there is, by ending the Worker or the process. Cancelling first lets a run that
//! is not stuck stop at its next task boundary, and its own result says the same.
//!
//! Cost, per task: with the timeline off, three relaxed stores into the worker's own cache line;
//! with it on, also an uncontended lock and a 32-byte entry (a second, compact copy of the
//! timeline, since the models' own records live where only they can reach them).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crossbeam_utils::CachePadded;
use serde::{Deserialize, Serialize};
use web_time::Instant;

use crate::measure::{ModelResult, ResultSet, WorkerStats};
use crate::model::{ModelKind, TaskRecord};
use crate::spec::{Experiment, SCHEMA_VERSION};

/// A result set's note that the experiment did not finish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// Why it ended early, in words: "stopped", "timed out after 30 s", "interrupted (Ctrl-C)".
    pub reason: String,
    /// The run that was cut short, if one was under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<StoppedRun>,
}

impl Partial {
    /// The note a report prints under a partial result, a line each: why, how far the stopped
    /// run got, and what it was still running.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "PARTIAL RESULT ({}): only the configurations above finished",
            self.reason
        )];
        if let Some(s) = &self.stopped {
            out.push(format!(
                "stopped: {}, {} worker{}, {} {} of {}, {:.3} s in, {} task{} finished",
                s.model,
                s.workers,
                if s.workers == 1 { "" } else { "s" },
                if s.warmup { "warm-up run" } else { "run" },
                s.run,
                s.runs,
                s.elapsed,
                s.tasks_done,
                if s.tasks_done == 1 { "" } else { "s" },
            ));
            for f in &s.in_flight {
                let what = if f.end > f.task + 1 {
                    format!("tasks {}..{}", f.task, f.end)
                } else {
                    format!("task {}", f.task)
                };
                let since = f.since.map_or(String::new(), |t| {
                    format!(", running for {:.3} s", (s.elapsed - t).max(0.0))
                });
                out.push(format!(
                    "  still running: {what} of stage {} on worker {}{since}",
                    f.stage, f.worker
                ));
            }
        }
        out
    }
}

/// The run that was cut short: what finished and what was still running.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoppedRun {
    pub model: ModelKind,
    pub workers: u32,
    /// Which run of its configuration (from 1, warm-ups included) and of how many.
    pub run: u32,
    pub runs: u32,
    pub warmup: bool,
    /// Seconds from the start of the run to the stop.
    pub elapsed: f64,
    /// Tasks finished, all workers together.
    pub tasks_done: u64,
    /// Tasks finished per worker; `busy` only with the timeline on.
    pub worker_stats: Vec<WorkerStats>,
    /// What each worker was running when stopped.
    pub in_flight: Vec<InFlight>,
    /// The finished tasks, by start time (timeline on only).
    pub tasks: Vec<TaskRecord>,
}

/// A task (or, in process-pool, a chunk of tasks) that had started and not finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    pub worker: u32,
    pub stage: u32,
    /// Tasks `task..end` (one task: `end = task + 1`).
    pub task: u32,
    pub end: u32,
    /// When it started, seconds from the start of the run (known with the timeline on, and
    /// always for process-pool chunks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<f64>,
}

const IDLE: u64 = u64::MAX;

/// A finished task, as the journal keeps it (its worker is its slot).
#[derive(Clone, Copy)]
struct Entry {
    stage: u32,
    task: u32,
    start: f64,
    end: f64,
    wait: f64,
}

/// One worker's part of the log, on a cache line of its own so workers never share one.
struct Slot {
    /// `stage << 32 | task` of the task being run, or `IDLE`.
    current: AtomicU64,
    /// The end of the task range being run (a process-pool chunk), `task + 1` otherwise.
    current_end: AtomicU64,
    /// When it started, as `f64` bits; NaN when unknown.
    since: AtomicU64,
    /// Tasks finished. One writer at a time per slot, so a load and a store suffice.
    done: AtomicU64,
    finished: Mutex<Vec<Entry>>,
}

impl Slot {
    fn new() -> Self {
        Slot {
            current: AtomicU64::new(IDLE),
            current_end: AtomicU64::new(0),
            since: AtomicU64::new(f64::NAN.to_bits()),
            done: AtomicU64::new(0),
            finished: Mutex::new(Vec::new()),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these locks leaves nothing half-written that matters.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The log of one run, written by its workers (or by the process pool's coordinator).
pub struct RunLog {
    timeline: bool,
    t0: Instant,
    slots: Box<[CachePadded<Slot>]>,
}

impl RunLog {
    fn new(workers: usize, timeline: bool, t0: Instant) -> Self {
        RunLog {
            timeline,
            t0,
            slots: (0..workers.max(1))
                .map(|_| CachePadded::new(Slot::new()))
                .collect(),
        }
    }

    /// Worker `worker` starts tasks `task..end` of `stage` at `since` (NaN when not read).
    #[inline]
    pub(crate) fn begin(&self, worker: usize, stage: usize, task: usize, end: usize, since: f64) {
        let Some(slot) = self.slots.get(worker) else {
            return;
        };
        slot.current_end.store(end as u64, Ordering::Relaxed);
        slot.since.store(since.to_bits(), Ordering::Relaxed);
        slot.current
            .store(((stage as u64) << 32) | task as u64, Ordering::Release);
    }

    /// Worker `worker` finished the task of `record`.
    #[inline]
    pub(crate) fn end(&self, worker: usize, record: &TaskRecord) {
        let Some(slot) = self.slots.get(worker) else {
            return;
        };
        if self.timeline {
            lock(&slot.finished).push(Entry {
                stage: record.stage,
                task: record.task,
                start: record.start,
                end: record.end,
                wait: record.wait,
            });
        }
        slot.done
            .store(slot.done.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    /// Worker `worker` is between tasks (its task failed, or its chunks are all back).
    #[inline]
    pub(crate) fn idle(&self, worker: usize) {
        if let Some(slot) = self.slots.get(worker) {
            slot.current.store(IDLE, Ordering::Release);
        }
    }

    fn snapshot(&self) -> (f64, Vec<u64>, Vec<InFlight>, Vec<TaskRecord>) {
        let elapsed = self.t0.elapsed().as_secs_f64();
        let mut done = Vec::with_capacity(self.slots.len());
        let mut in_flight = Vec::new();
        let mut tasks = Vec::new();
        for (w, slot) in self.slots.iter().enumerate() {
            if self.timeline {
                tasks.extend(lock(&slot.finished).iter().map(|e| TaskRecord {
                    stage: e.stage,
                    task: e.task,
                    worker: w as u32,
                    start: e.start,
                    end: e.end,
                    wait: e.wait,
                    delivered: None,
                    delivered_index: None,
                }));
            }
            done.push(slot.done.load(Ordering::Relaxed));
            let current = slot.current.load(Ordering::Acquire);
            if current != IDLE {
                let task = current as u32;
                let since = f64::from_bits(slot.since.load(Ordering::Relaxed));
                in_flight.push(InFlight {
                    worker: w as u32,
                    stage: (current >> 32) as u32,
                    task,
                    end: (slot.current_end.load(Ordering::Relaxed) as u32).max(task + 1),
                    since: since.is_finite().then_some(since),
                });
            }
        }
        tasks.sort_by(|a, b| a.start.total_cmp(&b.start));
        (elapsed, done, in_flight, tasks)
    }
}

/// Which run of which configuration is under way.
#[derive(Debug, Clone)]
struct Current {
    model: ModelKind,
    workers: u32,
    run: u32,
    runs: u32,
    warmup: bool,
}

#[derive(Default)]
struct State {
    results: Vec<ModelResult>,
    current: Option<Current>,
    log: Option<Arc<RunLog>>,
}

/// Shared between an experiment and its host (inside [`crate::RunControl`]).
#[derive(Default)]
pub struct Journal {
    state: Mutex<State>,
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = lock(&self.state);
        f.debug_struct("Journal")
            .field("results", &s.results.len())
            .field("current", &s.current)
            .finish()
    }
}

impl Journal {
    /// Forgets everything: a new experiment starts.
    pub fn clear(&self) {
        *lock(&self.state) = State::default();
    }

    /// Run `run` (from 0) of `runs` of a configuration starts.
    pub fn run_starting(&self, model: ModelKind, workers: u32, run: u32, runs: u32, warmup: bool) {
        let mut s = lock(&self.state);
        s.current = Some(Current {
            model,
            workers,
            run: run + 1,
            runs,
            warmup,
        });
        s.log = None;
    }

    /// A configuration finished with this result.
    pub fn recorded(&self, result: &ModelResult) {
        let mut s = lock(&self.state);
        s.results.push(result.clone());
        s.current = None;
        s.log = None;
    }

    /// The log the run now starting writes into; `t0` is the run's start, from which its
    /// records count seconds.
    pub fn start_log(&self, workers: usize, timeline: bool, t0: Instant) -> Arc<RunLog> {
        let log = Arc::new(RunLog::new(workers, timeline, t0));
        lock(&self.state).log = Some(log.clone());
        log
    }

    /// The experiment's result so far, marked partial with `reason`: every configuration that
    /// finished, complete, and the run that was cut short as it stood.
    pub fn partial(&self, experiment: &Experiment, reason: &str) -> ResultSet {
        let (results, current, log) = {
            let s = lock(&self.state);
            (s.results.clone(), s.current.clone(), s.log.clone())
        };
        let stopped = current.map(|c| {
            let (elapsed, done, in_flight, tasks) = match &log {
                Some(log) => log.snapshot(),
                None => (0.0, Vec::new(), Vec::new(), Vec::new()),
            };
            let timeline = log.as_ref().is_some_and(|l| l.timeline);
            let mut busy = vec![0.0; done.len()];
            for t in &tasks {
                busy[t.worker as usize] += (t.end - t.start - t.wait).max(0.0);
            }
            StoppedRun {
                model: c.model,
                workers: c.workers,
                run: c.run,
                runs: c.runs,
                warmup: c.warmup,
                elapsed,
                tasks_done: done.iter().sum(),
                worker_stats: done
                    .iter()
                    .enumerate()
                    .filter(|&(_, &n)| n > 0)
                    .map(|(w, &n)| WorkerStats {
                        worker: w as u32,
                        tasks: n,
                        busy: timeline.then_some(busy[w]),
                    })
                    .collect(),
                in_flight,
                tasks,
            }
        });
        ResultSet {
            schema_version: SCHEMA_VERSION,
            experiment: experiment.clone(),
            machine: None,
            results,
            partial: Some(Partial {
                reason: reason.to_string(),
                stopped,
            }),
        }
    }
}
