//! n increments of one shared counter, split into tasks, four ways:
//! - `mutex`: lock, add one, unlock, for every increment (threading.Lock around `counter += 1`);
//! - `atomic`: one `fetch_add` per increment;
//! - `local-then-reduce`: each task counts privately and returns its count; the sum is the answer;
//! - `racy`: load, then store the loaded value plus one. Every access is atomic, so this is safe
//!   Rust, but two workers can load the same value and one increment is lost: exactly the
//!   `counter += 1` race of the tutorials. The answer reports how many were lost.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{
    Answer, Bound, Job, PageDefault, Params, Reference, TaskOutput, WorkloadInfo, compare,
    split_range,
};
use crate::estimate::Work;
use crate::limits::{TASKS_HELP, choice, int};
use crate::locks::{Acquisitions, LockCounts};
use crate::model::TaskCtx;

/// What the engine, the CLI and the page know about this workload.
pub(super) static INFO: WorkloadInfo = WorkloadInfo {
    description: "n increments of one shared counter: mutex, atomic, local-then-reduce, or racy (loses updates; the answer counts them)",
    bound: Bound::SharedCounter,
    python_task: "increment",
    size: int("n", "increments in total", 10_000_000, 1, 1_000_000_000),
    params: &[
        choice(
            "variant",
            "how increments reach the shared counter",
            "atomic",
            &["mutex", "atomic", "local-then-reduce", "racy"],
        ),
        int("tasks", TASKS_HELP, 64, 1, 1_000_000),
    ],
    page: PageDefault {
        n: 1_000_000,
        params: &[],
    },
    build: |p| Box::new(Counter::new(p)),
    reference,
    work,
};

/// Seconds per atomic increment, one core: a mutex costs about 3x, a local count a fifth. Measured as `estimate` describes.
const INCREMENT_SECONDS: f64 = 6.0e-9;

/// The work's shape for the estimate, before anything runs.
fn work(p: &Params) -> Work {
    let factor = match p.choice("variant") {
        "mutex" => 3.0,
        "local-then-reduce" | "racy" => 0.2,
        _ => 1.0,
    };
    Work::compute(
        p.n as f64 * INCREMENT_SECONDS * factor,
        p.int("tasks") as f64,
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    Mutex,
    Atomic,
    LocalThenReduce,
    Racy,
}

pub struct Counter {
    n: u64,
    tasks: u64,
    variant: Variant,
    mutex: Mutex<u64>,
    /// Who took the mutex how often: a worker that keeps winning it starves the others, which
    /// the results show as a fairness index below 1.
    acquisitions: Acquisitions,
    atomic: AtomicU64,
    reduced: u64,
}

impl Counter {
    pub fn new(p: &Params) -> Self {
        let variant = match p.choice("variant") {
            "mutex" => Variant::Mutex,
            "atomic" => Variant::Atomic,
            "local-then-reduce" => Variant::LocalThenReduce,
            _ => Variant::Racy,
        };
        Counter {
            n: p.n,
            tasks: p.int("tasks").min(p.n),
            variant,
            mutex: Mutex::new(0),
            acquisitions: Acquisitions::default(),
            atomic: AtomicU64::new(0),
            reduced: 0,
        }
    }

    fn value(&self) -> u64 {
        match self.variant {
            Variant::Mutex => *self.mutex.lock().unwrap_or_else(|e| e.into_inner()),
            Variant::Atomic | Variant::Racy => self.atomic.load(Ordering::SeqCst),
            Variant::LocalThenReduce => self.reduced,
        }
    }
}

impl Job for Counter {
    fn tasks(&self, _stage: usize) -> usize {
        self.tasks as usize
    }

    fn run(&self, _stage: usize, task: usize, ctx: &TaskCtx) -> TaskOutput {
        let increments = split_range(self.n, self.tasks, task as u64).count() as u64;
        match self.variant {
            Variant::Mutex => {
                for i in 0..increments {
                    *self.mutex.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                    if i % 4096 == 0 {
                        ctx.checkpoint();
                    }
                }
                self.acquisitions.add(ctx.worker(), increments);
            }
            Variant::Atomic => {
                for i in 0..increments {
                    self.atomic.fetch_add(1, Ordering::Relaxed);
                    if i % 4096 == 0 {
                        ctx.checkpoint();
                    }
                }
            }
            Variant::Racy => {
                for i in 0..increments {
                    let v = self.atomic.load(Ordering::Relaxed);
                    self.atomic.store(v + 1, Ordering::Relaxed);
                    if i % 4096 == 0 {
                        ctx.checkpoint();
                    }
                }
            }
            Variant::LocalThenReduce => {
                let mut local = 0u64;
                for i in 0..increments {
                    // black_box keeps one increment per iteration instead of a single addition.
                    local = std::hint::black_box(local) + 1;
                    if i % 4096 == 0 {
                        ctx.checkpoint();
                    }
                }
                return TaskOutput::U64(local);
            }
        }
        TaskOutput::Unit
    }

    fn end_stage(&mut self, _stage: usize, outputs: Vec<TaskOutput>) {
        if self.variant == Variant::LocalThenReduce {
            self.reduced = outputs.iter().map(TaskOutput::u64).sum();
        }
    }

    fn answer(&self) -> Answer {
        let v = self.value();
        let lost = self.n.saturating_sub(v);
        Answer::text(
            format!("counter {v} of {}, {lost} updates lost", self.n),
            format!("counter {v}\nlost {lost}\n"),
        )
    }

    fn locks(&self) -> Option<LockCounts> {
        (self.variant == Variant::Mutex).then(|| self.acquisitions.counts())
    }

    fn needs_shared_memory(&self) -> Option<&'static str> {
        match self.variant {
            Variant::LocalThenReduce => None,
            _ => Some(
                "the mutex, atomic and racy variants increment one counter in shared memory, which separate processes do not have; use variant local-then-reduce",
            ),
        }
    }
}

/// The updates a counter's answer summary says were lost ("counter 9 of 10, 1 updates lost"
/// gives 1), read back from the words `answer` writes; `None` for any other answer.
pub fn lost_updates(summary: &str) -> Option<u64> {
    let before = summary.strip_suffix(" updates lost")?;
    before.rsplit(' ').next()?.parse().ok()
}

/// Every increment must arrive, except in the racy variant, whose lost updates are the lesson:
/// there the only reference is that count and lost add up to n (checked by the answer's format).
pub fn reference(p: &Params, answer: &Answer) -> Reference {
    if p.choice("variant") == "racy" {
        return Reference::None;
    }
    compare(
        answer,
        format!("counter {}\nlost 0\n", p.n).as_bytes(),
        "n, the number of increments",
    )
}
