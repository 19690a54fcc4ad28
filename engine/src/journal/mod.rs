//! What an experiment has done so far, readable from outside while it runs, so that a run given
//! up on still yields a result: the repetitions that finished, and the run that was cut short
//! with its finished tasks and the tasks it was on.
//!
//! A task that never returns cannot be stopped: no thread can be killed from outside, in a
//! process or in a Web Worker. What a host can do is stop waiting (Stop in the page, Ctrl-C or
//! `--timeout` in the native runner), take a [`Journal::partial`] result, and end the threads
//! the only way there is, by ending the Worker or the process. Cancelling first lets a run that
//! is not stuck stop at its next task boundary, and its own result says the same.
//!
//! Cost, per task: with the timeline off, a handful of plain stores into the worker's own cache
//! line (a sequence count around the task's fields, so readers see them whole); with it on, also
//! an uncontended lock and a 32-byte entry (a second, compact copy of the timeline, since the
//! models' own records live where only they can reach them while a run is stuck).
//!
//! How a read stays consistent while workers write, and why it always ends: `README.md` here.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering, fence};
use std::sync::{Arc, Mutex, MutexGuard};

use crossbeam_utils::{Backoff, CachePadded};
use web_time::Instant;

use crate::locks::Deadlock;
use crate::result::{Failure, ModelResult, Partial, ResultSet, StoppedRun, WorkerStats};

use crate::model::{ModelKind, TaskRecord};
pub use crate::result::InFlight;
use crate::spec::{Experiment, SCHEMA_VERSION};

const IDLE: u64 = u64::MAX;

/// A finished task, as the journal keeps it (its worker is its slot).
#[derive(Clone, Copy)]
struct Entry {
    stage: u32,
    task: u32,
    start: f64,
    end: f64,
    wait: f64,
    blocked: f64,
}

impl From<&TaskRecord> for Entry {
    fn from(r: &TaskRecord) -> Self {
        Entry {
            stage: r.stage,
            task: r.task,
            start: r.start,
            end: r.end,
            wait: r.wait,
            blocked: r.blocked,
        }
    }
}

/// What a worker does next after finishing tasks.
#[derive(Clone, Copy)]
pub(crate) enum Next {
    Idle,
    /// Tasks `task..end` of `stage`, started at `since` (NaN when the clock was not read).
    Run {
        stage: usize,
        task: usize,
        end: usize,
        since: f64,
    },
}

/// One worker's part of the log, on a cache line of its own so workers never share one.
///
/// One thread writes a slot at a time; readers may come from any thread at any moment. The
/// fields are published under a sequence count (a seqlock: odd while a write is under way), so
/// a reader never mixes two tasks' fields, nor sees a task both finished and in flight. With the
/// timeline on, finishing also holds `finished`'s lock, which the reader holds while it reads.
struct Slot {
    seq: AtomicU64,
    /// `stage << 32 | task` of the task being run, or `IDLE`.
    current: AtomicU64,
    /// The end of the task range being run (a process-pool chunk), `task + 1` otherwise.
    current_end: AtomicU64,
    /// When it started, as `f64` bits; NaN when unknown.
    since: AtomicU64,
    /// Tasks finished.
    done: AtomicU64,
    finished: Mutex<Vec<Entry>>,
}

impl Slot {
    fn new() -> Self {
        Slot {
            seq: AtomicU64::new(0),
            current: AtomicU64::new(IDLE),
            current_end: AtomicU64::new(0),
            since: AtomicU64::new(f64::NAN.to_bits()),
            done: AtomicU64::new(0),
            finished: Mutex::new(Vec::new()),
        }
    }

    /// Runs `write` as one step that readers see whole or not at all.
    #[inline]
    fn publish(&self, write: impl FnOnce()) {
        let s = self.seq.load(Ordering::Relaxed);
        self.seq.store(s.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        write();
        self.seq.store(s.wrapping_add(2), Ordering::Release);
    }

    #[inline]
    fn set_next(&self, next: Next) {
        match next {
            Next::Idle => self.current.store(IDLE, Ordering::Relaxed),
            Next::Run {
                stage,
                task,
                end,
                since,
            } => {
                self.current_end.store(end as u64, Ordering::Relaxed);
                self.since.store(since.to_bits(), Ordering::Relaxed);
                self.current
                    .store(((stage as u64) << 32) | task as u64, Ordering::Relaxed);
            }
        }
    }

    /// `(current, current_end, since, done)`, read consistently: retries until a read saw no
    /// write begin or end, however long that takes. A publish runs no user code (a few stores,
    /// and with the timeline on an extend of a vector under a lock the reader does not hold
    /// here), so a writer inside one always leaves it; a reader only waits out a writer that
    /// the scheduler paused mid-publish. The argument in full: `README.md` beside this file.
    fn read(&self) -> (u64, u64, f64, u64) {
        let backoff = Backoff::new();
        loop {
            let s1 = self.seq.load(Ordering::Acquire);
            if s1.is_multiple_of(2) {
                let fields = (
                    self.current.load(Ordering::Relaxed),
                    self.current_end.load(Ordering::Relaxed),
                    f64::from_bits(self.since.load(Ordering::Relaxed)),
                    self.done.load(Ordering::Relaxed),
                );
                fence(Ordering::Acquire);
                if self.seq.load(Ordering::Relaxed) == s1 {
                    return fields;
                }
            }
            // Spins briefly, then yields the core, so that a writer descheduled mid-publish (on
            // a busy machine, for milliseconds) gets it back sooner.
            backoff.snooze();
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

    /// Whether finished tasks are kept (the timeline is on).
    pub(crate) fn keeps_tasks(&self) -> bool {
        self.timeline
    }

    /// Worker `worker` starts tasks `task..end` of `stage` at `since` (NaN when not read).
    #[inline]
    pub(crate) fn begin(&self, worker: usize, stage: usize, task: usize, end: usize, since: f64) {
        if let Some(slot) = self.slots.get(worker) {
            slot.publish(|| {
                slot.set_next(Next::Run {
                    stage,
                    task,
                    end,
                    since,
                })
            });
        }
    }

    /// Worker `worker` finished `count` tasks (whose `records`, with the timeline on), and goes
    /// on to `next`.
    #[inline]
    pub(crate) fn finish<'r>(
        &self,
        worker: usize,
        count: u64,
        records: impl IntoIterator<Item = &'r TaskRecord>,
        next: Next,
    ) {
        let Some(slot) = self.slots.get(worker) else {
            return;
        };
        let mut finished = self.timeline.then(|| lock(&slot.finished));
        slot.publish(|| {
            if let Some(f) = finished.as_mut() {
                f.extend(records.into_iter().map(Entry::from));
            }
            slot.done
                .store(slot.done.load(Ordering::Relaxed) + count, Ordering::Relaxed);
            slot.set_next(next);
        });
    }

    /// Worker `worker` is between tasks (its task failed).
    #[inline]
    pub(crate) fn idle(&self, worker: usize) {
        if let Some(slot) = self.slots.get(worker) {
            slot.publish(|| slot.set_next(Next::Idle));
        }
    }

    fn snapshot(&self) -> (f64, Vec<u64>, Vec<InFlight>, Vec<TaskRecord>) {
        let elapsed = self.t0.elapsed().as_secs_f64();
        let mut done = Vec::with_capacity(self.slots.len());
        let mut in_flight = Vec::new();
        let mut tasks = Vec::new();
        for (w, slot) in self.slots.iter().enumerate() {
            // Held while the fields are read: with the timeline on, a finish cannot slip in
            // between the entries and the count.
            let finished = lock(&slot.finished);
            let (current, current_end, since, n) = slot.read();
            if self.timeline {
                tasks.extend(finished.iter().map(|e| TaskRecord {
                    stage: e.stage,
                    task: e.task,
                    worker: w as u32,
                    start: e.start,
                    end: e.end,
                    wait: e.wait,
                    blocked: e.blocked,
                    delivered: None,
                    delivered_index: None,
                }));
            }
            drop(finished);
            done.push(n);
            if current != IDLE {
                let task = current as u32;
                in_flight.push(InFlight {
                    worker: w as u32,
                    stage: (current >> 32) as u32,
                    task,
                    end: (current_end as u32).max(task.saturating_add(1)),
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

    /// A run finished, and these are the results measured so far (every configuration with a
    /// timed run, each with the repetitions that finished).
    pub fn set_results(&self, results: Vec<ModelResult>) {
        let mut s = lock(&self.state);
        s.results = results;
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
            StoppedRun {
                model: c.model,
                workers: c.workers,
                run: c.run,
                runs: c.runs,
                warmup: c.warmup,
                elapsed,
                tasks_done: done.iter().sum(),
                worker_stats: WorkerStats::of(&done, &tasks, timeline),
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
            error: None,
        }
    }

    /// The experiment's result after a deadlock: as for a stopped run (the configurations that
    /// finished, and the run cut short with the deadlocked tasks still in flight), with the
    /// cycle as its error.
    pub fn deadlocked(&self, experiment: &Experiment, deadlock: &Deadlock) -> ResultSet {
        let mut set = self.partial(experiment, "deadlock");
        set.error = Some(Failure::Deadlock(deadlock.clone()));
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(worker: u32, task: u32) -> TaskRecord {
        TaskRecord {
            stage: 0,
            task,
            worker,
            start: f64::from(task),
            end: f64::from(task) + 0.5,
            wait: 0.0,
            blocked: 0.0,
            delivered: None,
            delivered_index: None,
        }
    }

    /// Snapshots taken while two workers race through tasks are always consistent: a task's
    /// fields are never mixed with another's, none is both finished and in flight, and the
    /// count equals the records.
    #[test]
    fn snapshots_during_a_run_are_consistent() {
        const TASKS: u32 = 2_000_000;
        for timeline in [true, false] {
            let log = Arc::new(RunLog::new(2, timeline, Instant::now()));
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            // Set by the reader once it has seen enough: the workers then wind down.
            let enough = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let writers: Vec<_> = (0..2u32)
                .map(|w| {
                    let (log, enough) = (log.clone(), enough.clone());
                    std::thread::spawn(move || {
                        // Worker w runs the tasks of its parity; `since` encodes the task.
                        let mut task = w;
                        log.begin(
                            w as usize,
                            0,
                            task as usize,
                            task as usize + 1,
                            f64::from(task),
                        );
                        while task < TASKS {
                            let next = task + 2;
                            let then = if next < TASKS && !enough.load(Ordering::Relaxed) {
                                Next::Run {
                                    stage: 0,
                                    task: next as usize,
                                    end: next as usize + 1,
                                    since: f64::from(next),
                                }
                            } else {
                                Next::Idle
                            };
                            log.finish(w as usize, 1, [&record(w, task)], then);
                            if matches!(then, Next::Idle) {
                                break;
                            }
                            task = next;
                        }
                    })
                })
                .collect();
            let reader = {
                let (log, stop, enough) = (log.clone(), stop.clone(), enough.clone());
                std::thread::spawn(move || {
                    let mut snapshots = 0;
                    while !stop.load(Ordering::Relaxed) || snapshots == 0 {
                        let (_, done, in_flight, tasks) = log.snapshot();
                        let total: u64 = done.iter().sum();
                        if timeline {
                            assert_eq!(tasks.len() as u64, total);
                        }
                        for f in &in_flight {
                            assert_eq!(f.end, f.task + 1);
                            assert_eq!(f.task % 2, f.worker, "task and worker from one write");
                            assert_eq!(f.since, Some(f64::from(f.task)), "fields of one task");
                            assert!(
                                !tasks.iter().any(|t| t.task == f.task),
                                "finished and running"
                            );
                            // Each worker's tasks run in order: its count says which is next.
                            assert_eq!(u64::from(f.task / 2), done[f.worker as usize]);
                        }
                        snapshots += 1;
                        if snapshots == 200 {
                            enough.store(true, Ordering::Relaxed);
                        }
                    }
                    snapshots
                })
            };
            for w in writers {
                w.join().unwrap();
            }
            stop.store(true, Ordering::Relaxed);
            let snapshots = reader.join().unwrap();
            assert!(snapshots > 0);
            eprintln!("timeline {timeline}: {snapshots} snapshots during the run");
            let (_, done, in_flight, tasks) = log.snapshot();
            assert!(in_flight.is_empty());
            let total: u64 = done.iter().sum();
            assert!(total > 0);
            assert_eq!(tasks.len() as u64, if timeline { total } else { 0 });
        }
    }
}
