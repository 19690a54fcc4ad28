//! `gil`: threads under an emulated CPython Global Interpreter Lock.
//!
//! Like `ThreadPoolExecutor`: `workers` threads take tasks from a shared queue, but a thread must
//! hold the GIL to compute. The lock follows CPython's design (Python/ceval_gil.c): a thread that
//! wants the GIL waits up to the switch interval, then sets a drop request; the holder sees it at
//! its next checkpoint, releases, and waits until another thread has taken the lock (forced
//! switching) before queueing for it again. Waiting on I/O releases the GIL. So CPU-bound tasks
//! take turns on one core however many threads run, and I/O-bound tasks overlap.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use web_time::Instant;

use super::{
    Collector, Cost, Executor, Host, ModelInfo, ModelOption, Records, StageOpts, StageRt,
    exec_task, run_workers,
};
use crate::error::RunError;
use crate::limits::DEFAULT_SWITCH_INTERVAL_MS;
use crate::workload::Bound;
use crate::workload::{Job, TaskOutput};

/// What the engine, the CLI and the page know about this model.
pub(super) static INFO: ModelInfo = ModelInfo {
    python: "threading / ThreadPoolExecutor under CPython's GIL",
    description: "threads that must hold one global lock to compute, handing it over every switch interval and while waiting on I/O",
    chunks: None,
    order: None,
    option: Some(ModelOption::SwitchInterval),
    host: Host::Threads,
    max_tasks: None,
    parallel_compute: false,
    overlaps_waits: true,
    cost: Cost::per_task(0.1e-6),
    python_code: "from concurrent.futures import ThreadPoolExecutor\nimport sys\n\nsys.setswitchinterval(0.005)  # the GIL changes hands every 5 ms\nwith ThreadPoolExecutor(max_workers={workers}) as pool:\n    results = list(pool.map({f}, items))",
    expectations: &[
        (
            &[Bound::Io],
            "Threads release the GIL while they wait, so waits overlap and the speedup approaches the number of threads. This is why threads do help I/O-bound Python.",
        ),
        (
            &[Bound::Cpu, Bound::Tiny, Bound::Memory, Bound::SharedCounter],
            "Only the thread holding the GIL computes, so CPU-bound work takes turns on one core whatever the thread count: expect a speedup of about 1, or less from switching. The timeline shows the bars interleaving, never overlapping.",
        ),
    ],
    start: |cfg, _, _, _| {
        Ok(Box::new(GilThreads {
            interval: std::time::Duration::from_secs_f64(
                cfg.model
                    .switch_interval_ms
                    .unwrap_or(DEFAULT_SWITCH_INTERVAL_MS)
                    / 1000.0,
            ),
        }))
    },
};

struct State {
    locked: bool,
    /// Increments at every acquisition: lets a waiter tell "still the same holder" from "the lock
    /// changed hands and came back".
    switch_number: u64,
}

/// The emulated GIL.
pub struct Gil {
    state: Mutex<State>,
    changed: Condvar,
    drop_request: AtomicBool,
    interval: Duration,
}

impl Gil {
    pub fn new(interval: Duration) -> Gil {
        Gil {
            state: Mutex::new(State {
                locked: false,
                switch_number: 0,
            }),
            changed: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval,
        }
    }

    fn lock_state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the GIL; returns the seconds spent waiting for it.
    pub fn acquire(&self) -> f64 {
        let t = Instant::now();
        let mut s = self.lock_state();
        while s.locked {
            let seen = s.switch_number;
            let (g, timeout) = self
                .changed
                .wait_timeout(s, self.interval)
                .unwrap_or_else(|e| e.into_inner());
            s = g;
            if timeout.timed_out() && s.locked && s.switch_number == seen {
                self.drop_request.store(true, Ordering::Release);
            }
        }
        s.locked = true;
        s.switch_number += 1;
        self.drop_request.store(false, Ordering::Release);
        self.changed.notify_all();
        t.elapsed().as_secs_f64()
    }

    /// Gives the GIL up.
    pub fn release(&self) {
        let mut s = self.lock_state();
        s.locked = false;
        self.changed.notify_all();
    }

    /// At a checkpoint: if another thread asked for the GIL, hand it over and queue again.
    /// Returns the seconds spent without it.
    #[inline]
    pub fn yield_if_requested(&self) -> f64 {
        if !self.drop_request.load(Ordering::Acquire) {
            return 0.0;
        }
        self.hand_over()
    }

    #[cold]
    fn hand_over(&self) -> f64 {
        let t = Instant::now();
        {
            let mut s = self.lock_state();
            let seen = s.switch_number;
            s.locked = false;
            self.changed.notify_all();
            // Forced switching: do not grab the lock straight back before the requester ran.
            // Bounded by the interval, in case the requester went away.
            let deadline = Instant::now() + self.interval;
            while s.switch_number == seen {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                s = self
                    .changed
                    .wait_timeout(s, deadline - now)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
        self.acquire();
        t.elapsed().as_secs_f64()
    }
}

pub(crate) struct GilThreads {
    pub interval: Duration,
}

impl Executor for GilThreads {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Records), RunError> {
        let tasks = job.tasks(rt.stage);
        let gil = Gil::new(self.interval);
        let next = AtomicUsize::new(0);
        let (gil, next) = (&gil, &next);
        let results = run_workers(opts.workers, rt, |worker| {
            let mut mine = Vec::new();
            gil.acquire();
            let outcome = loop {
                let task = next.fetch_add(1, Ordering::Relaxed);
                if task >= tasks {
                    break Ok(());
                }
                match exec_task(job, task, worker, Some(gil), rt, None) {
                    Ok(r) => mine.push(r),
                    Err(e) => break Err(e),
                }
                // Between tasks is a checkpoint too, as between bytecodes.
                gil.yield_if_requested();
            };
            gil.release();
            outcome.map(|()| mine)
        })?;
        let mut collector = Collector::new(tasks, None, rt.timeline);
        for (out, rec) in results {
            collector.accept(out, rec, 0.0);
        }
        collector.finish()
    }
}
