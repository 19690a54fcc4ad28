//! The engine's own locks: mutexes that know who holds them and who waits, so that a deadlock is
//! found the moment it forms, reported as a cycle in words, and ended without leaving a thread
//! blocked. See `README.md` in this folder for why the detection is exact.
//!
//! Workloads whose lesson is a hazard (the dining philosophers, the shared counter's fairness)
//! take their locks through [`crate::model::TaskCtx::lock`], which names the worker and the task
//! and gives the GIL back while blocked, as CPython's `Lock.acquire` does.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How often a blocked worker looks up from its wait to see whether the run was stopped (by the
/// user, a timeout, or another task's failure). A deadlock does not wait for this: the worker
/// that closes a cycle wakes every waiter at once.
const HALT_POLL: Duration = Duration::from_millis(50);

/// One edge of a wait-for cycle: a worker that holds a lock the previous worker of the cycle
/// waits for, and waits itself for a lock the next one holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitEdge {
    pub worker: u32,
    /// The task the worker was running.
    pub task: u32,
    /// The lock it holds that the previous worker of the cycle waits for ("fork 0").
    pub holds: String,
    /// The lock it waits for ("fork 1").
    pub waits_for: String,
    /// When it started waiting, seconds from the start of the run.
    pub since: f64,
}

/// A cycle of workers, each waiting for a lock the next one holds: none can ever go on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deadlock {
    /// In the order of the waits: `cycle[i]` waits for what `cycle[i + 1]` holds, and the last
    /// waits for what the first holds. Starts at the lowest-numbered worker.
    pub cycle: Vec<WaitEdge>,
    /// When the cycle closed, seconds from the start of the run.
    pub at: f64,
}

impl std::fmt::Display for Deadlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("deadlock: ")?;
        for (i, e) in self.cycle.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(
                f,
                "worker {} holds {} and waits for {}",
                e.worker, e.holds, e.waits_for
            )?;
        }
        Ok(())
    }
}

/// What a run's locks saw: acquisitions per worker (from which the fairness index), the retries
/// of a try-lock that found its lock taken, and the time spent blocked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockStats {
    /// Acquisitions by each worker, indexed by worker.
    pub acquisitions: Vec<u64>,
    /// Jain's fairness index of `acquisitions` over the workers that ran tasks: 1 when every
    /// worker got the lock equally often, 1/n when one worker got it every time. Absent where
    /// the counts are equal by design (every philosopher eats the same meals), so that an index
    /// of 1 is never shown for a fairness nobody measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fairness: Option<f64>,
    /// Attempts that found the lock taken and backed off (try-lock); 0 where nothing retries.
    pub retries: u64,
    /// Seconds workers spent blocked waiting for a lock, all workers together.
    pub blocked: f64,
    /// The same per worker, indexed by worker, where the locks measure it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_per_worker: Vec<f64>,
}

/// What a job's locks counted in one run, before the fairness index is computed over the
/// workers that ran tasks ([`LockStats::of`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LockCounts {
    pub acquisitions: Vec<u64>,
    pub retries: u64,
    /// Seconds blocked, by worker (empty where the lock does not measure it).
    pub blocked_per_worker: Vec<f64>,
    /// Every task takes the lock a fixed number of times, so the shares say nothing about
    /// fairness (no index is computed).
    pub equal_by_design: bool,
}

impl LockStats {
    /// The stats of `counts`, with Jain's index over the workers that ran at least one task
    /// (`tasks_per_worker`): a worker that ran tasks and never got the lock counts as a zero, an
    /// idle one not at all.
    pub fn of(counts: LockCounts, tasks_per_worker: &[u64]) -> LockStats {
        let shares: Vec<u64> = (0..counts.acquisitions.len().max(tasks_per_worker.len()))
            .filter(|&w| {
                tasks_per_worker.get(w).is_some_and(|&n| n > 0)
                    || counts.acquisitions.get(w).is_some_and(|&n| n > 0)
            })
            .map(|w| counts.acquisitions.get(w).copied().unwrap_or(0))
            .collect();
        LockStats {
            fairness: (!counts.equal_by_design).then(|| jain(&shares)),
            acquisitions: counts.acquisitions,
            retries: counts.retries,
            blocked: counts.blocked_per_worker.iter().sum(),
            blocked_per_worker: counts.blocked_per_worker,
        }
    }

    /// A line for reports: "acquisitions per worker 250, 250; fairness 1.00".
    pub fn describe(&self) -> String {
        let counts: Vec<String> = self.acquisitions.iter().map(u64::to_string).collect();
        let mut s = format!("lock acquisitions per worker {}", counts.join(", "));
        if let Some(f) = self.fairness {
            s.push_str(&format!("; fairness (Jain) {f:.2}"));
        }
        if self.retries > 0 {
            s.push_str(&format!("; {} retries", self.retries));
        }
        if self.blocked > 0.0 {
            let each: Vec<String> = self
                .blocked_per_worker
                .iter()
                .map(|b| seconds(*b))
                .collect();
            s.push_str(&format!("; blocked per worker {}", each.join(", ")));
        }
        s
    }
}

/// "16.6 s", "4.4 ms": a time in the unit that keeps it short.
fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.1} s")
    } else {
        format!("{:.1} ms", s * 1e3)
    }
}

/// Jain's fairness index (sum x)^2 / (n sum x^2) of n shares: 1 for equal shares, 1/n when
/// one takes everything. 1 when nothing was counted.
pub fn jain(counts: &[u64]) -> f64 {
    let n = counts.len().max(1);
    let sum: f64 = counts.iter().map(|&c| c as f64).sum();
    let squares: f64 = counts.iter().map(|&c| (c as f64) * (c as f64)).sum();
    if squares == 0.0 {
        1.0
    } else {
        sum * sum / (n as f64 * squares)
    }
}

/// Why a worker did not get its lock.
#[derive(Debug, Clone, PartialEq)]
pub enum NoLock {
    /// Waiting for it closed (or joined) a cycle: the run has deadlocked.
    Deadlock(Deadlock),
    /// The run was stopped while the worker waited.
    Halted,
}

/// Who asks, and how to tell the time and whether the run was stopped: what a lock needs from
/// the task that takes it ([`crate::model::TaskCtx`] implements it).
pub trait Taker {
    fn worker(&self) -> u32;
    fn task(&self) -> u32;
    /// Seconds from the start of the run.
    fn now(&self) -> f64;
    /// Whether the run was stopped (cancelled, or another task failed).
    fn halted(&self) -> bool;
}

#[derive(Debug, Clone, Copy)]
struct Holder {
    worker: u32,
    task: u32,
}

impl Holder {
    fn of(who: &dyn Taker) -> Holder {
        Holder {
            worker: who.worker(),
            task: who.task(),
        }
    }
}

/// Worker `w`'s entry of a per-worker list, which grows to hold it.
fn slot<T: Clone + Default>(v: &mut Vec<T>, w: u32) -> &mut T {
    let w = w as usize;
    if v.len() <= w {
        v.resize(w + 1, T::default());
    }
    &mut v[w]
}

#[derive(Debug, Clone, Copy)]
struct Waiting {
    lock: usize,
    since: f64,
}

#[derive(Debug, Default)]
struct Table {
    /// Who holds each lock.
    holders: Vec<Option<Holder>>,
    /// What each worker waits for, indexed by worker.
    waiting: Vec<Option<Waiting>>,
    acquisitions: Vec<u64>,
    retries: u64,
    blocked_per_worker: Vec<f64>,
    /// Set once, by the worker whose wait closed a cycle; every later request fails with it.
    deadlock: Option<Deadlock>,
}

impl Table {
    /// Takes `lock` for `by` if it is free and the run has not deadlocked.
    fn take(&mut self, lock: usize, by: Holder) -> bool {
        let free = self.holders[lock].is_none() && self.deadlock.is_none();
        if free {
            self.holders[lock] = Some(by);
            *slot(&mut self.acquisitions, by.worker) += 1;
        }
        free
    }

    /// The cycle that `me`, about to wait for `lock`, would close, if any: follows the wait-for
    /// graph from the lock's holder. Each worker waits for at most one lock, so the path is a
    /// chain; it either reaches a worker that is not waiting (no cycle) or comes back to `me`.
    /// It cannot enter a cycle without `me`: that cycle would have been found when it closed.
    fn cycle_through(
        &self,
        me: u32,
        lock: usize,
        names: &dyn Fn(usize) -> String,
    ) -> Option<Vec<WaitEdge>> {
        // (worker, the lock it holds that the previous one waits for)
        let mut path: Vec<(Holder, usize)> = Vec::new();
        let mut wanted = lock;
        // Bounded by the number of workers: a longer walk would be a cycle without `me`.
        for _ in 0..=self.waiting.len() {
            let holder = self.holders[wanted]?;
            if holder.worker == me {
                // Back to the start: `me` holds what the last one waits for.
                let mut edges = Vec::with_capacity(path.len() + 1);
                let my_wait = self.waiting.get(me as usize).copied().flatten()?;
                edges.push(WaitEdge {
                    worker: me,
                    task: holder.task,
                    holds: names(wanted),
                    waits_for: names(lock),
                    since: my_wait.since,
                });
                for (i, &(h, held)) in path.iter().enumerate() {
                    let w = self.waiting[h.worker as usize]?;
                    debug_assert_eq!(path.get(i + 1).map_or(wanted, |p| p.1), w.lock);
                    edges.push(WaitEdge {
                        worker: h.worker,
                        task: h.task,
                        holds: names(held),
                        waits_for: names(w.lock),
                        since: w.since,
                    });
                }
                // Start at the lowest-numbered worker, keeping the order of the waits.
                let first = (0..edges.len()).min_by_key(|&i| edges[i].worker)?;
                edges.rotate_left(first);
                return Some(edges);
            }
            path.push((holder, wanted));
            wanted = self
                .waiting
                .get(holder.worker as usize)
                .copied()
                .flatten()?
                .lock;
        }
        None
    }
}

/// A set of mutexes with a wait-for graph. A worker blocks on a taken lock until its holder
/// releases it; if its wait would close a cycle, every waiter is woken with the [`Deadlock`].
///
/// A worker is a thread; the table assumes, as every model guarantees, that two threads never
/// run tasks under the same worker number at the same time.
#[derive(Debug)]
pub struct LockTable {
    /// What a lock is called in messages: "fork" gives "fork 0", "fork 1", ...
    noun: &'static str,
    table: Mutex<Table>,
    changed: Condvar,
}

impl LockTable {
    /// `count` free locks called "`noun` 0", "`noun` 1", ...; one lock is called just `noun`.
    pub fn new(noun: &'static str, count: usize) -> LockTable {
        LockTable {
            noun,
            table: Mutex::new(Table {
                holders: vec![None; count],
                ..Table::default()
            }),
            changed: Condvar::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes lock `i`, blocking while another worker holds it. Returns the seconds spent
    /// blocked, or why the lock was not taken. Taking a lock the worker already holds is the
    /// shortest cycle (a non-reentrant lock taken twice) and is reported as one.
    pub fn lock(&self, i: usize, who: &dyn Taker) -> Result<f64, NoLock> {
        let me = Holder::of(who);
        let mut t = self.state();
        if let Some(d) = &t.deadlock {
            return Err(NoLock::Deadlock(d.clone()));
        }
        if t.take(i, me) {
            return Ok(0.0);
        }
        let since = who.now();
        *slot(&mut t.waiting, me.worker) = Some(Waiting { lock: i, since });
        let count = t.holders.len();
        let noun = self.noun;
        if let Some(cycle) = t.cycle_through(me.worker, i, &|l| name_of(noun, count, l)) {
            let d = Deadlock {
                cycle,
                at: who.now(),
            };
            t.deadlock = Some(d.clone());
            *slot(&mut t.waiting, me.worker) = None;
            self.changed.notify_all();
            return Err(NoLock::Deadlock(d));
        }
        let outcome = loop {
            if let Some(d) = &t.deadlock {
                break Err(NoLock::Deadlock(d.clone()));
            }
            if t.take(i, me) {
                break Ok(());
            }
            if who.halted() {
                break Err(NoLock::Halted);
            }
            t = self
                .changed
                .wait_timeout(t, HALT_POLL)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        };
        *slot(&mut t.waiting, me.worker) = None;
        let blocked = (who.now() - since).max(0.0);
        *slot(&mut t.blocked_per_worker, me.worker) += blocked;
        outcome.map(|()| blocked)
    }

    /// Takes lock `i` if it is free; otherwise counts a retry and returns `false`.
    /// After a deadlock nothing is taken, and nothing counted: the run is over.
    pub fn try_lock(&self, i: usize, who: &dyn Taker) -> bool {
        let mut t = self.state();
        let taken = t.take(i, Holder::of(who));
        if !taken && t.deadlock.is_none() {
            t.retries += 1;
        }
        taken
    }

    /// Takes lock `i` if it is free, counting nothing when it is not: the fast path of a
    /// blocking [`LockTable::lock`] that has something to do before blocking (give up the GIL).
    pub(crate) fn take_if_free(&self, i: usize, who: &dyn Taker) -> bool {
        self.state().take(i, Holder::of(who))
    }

    /// Releases lock `i`, which `who` holds. Releasing a lock someone else holds does nothing
    /// (it would corrupt the wait-for graph); in a debug build it is a programming error.
    pub fn unlock(&self, i: usize, who: &dyn Taker) {
        let mut t = self.state();
        let mine = t.holders[i].is_some_and(|h| h.worker == who.worker());
        debug_assert!(
            mine,
            "worker {} releases a lock it does not hold",
            who.worker()
        );
        if mine {
            t.holders[i] = None;
            drop(t);
            self.changed.notify_all();
        }
    }

    /// Whether `worker` is blocked waiting for a lock: for tests that must see a wait begin.
    #[cfg(test)]
    fn is_waiting(&self, worker: u32) -> bool {
        self.state()
            .waiting
            .get(worker as usize)
            .is_some_and(Option::is_some)
    }

    /// What the locks counted.
    pub fn counts(&self) -> LockCounts {
        let t = self.state();
        LockCounts {
            acquisitions: t.acquisitions.clone(),
            retries: t.retries,
            blocked_per_worker: t.blocked_per_worker.clone(),
            equal_by_design: false,
        }
    }
}

/// Acquisitions of a lock the engine does not manage (the shared counter's `std` mutex, whose
/// cost is the lesson), counted per worker: each task adds its count once, when it ends.
#[derive(Debug, Default)]
pub struct Acquisitions {
    per_worker: Mutex<Vec<u64>>,
}

impl Acquisitions {
    /// Worker `worker` took the lock `n` more times.
    pub fn add(&self, worker: usize, n: u64) {
        let mut v = self.per_worker.lock().unwrap_or_else(|e| e.into_inner());
        if v.len() <= worker {
            v.resize(worker + 1, 0);
        }
        v[worker] += n;
    }

    /// The counts.
    pub fn counts(&self) -> LockCounts {
        LockCounts {
            acquisitions: self
                .per_worker
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            ..LockCounts::default()
        }
    }
}

fn name_of(noun: &str, count: usize, i: usize) -> String {
    if count == 1 {
        noun.to_string()
    } else {
        format!("{noun} {i}")
    }
}

#[cfg(test)]
mod tests;
