//! The dining philosophers: `philosophers` tasks round a table with as many forks; each eats `n`
//! meals, and a meal needs both neighbouring forks (fork i is philosopher i's left, fork i + 1
//! its right). Between taking the first fork and the second a philosopher pauses `hold_ms`,
//! which gives the others time to take theirs. The forks are the engine's own locks
//! ([`crate::locks`]), so a deadlock is found when its cycle closes and ends the run with the
//! cycle in words.
//!
//! - `naive`: left, then right. When every philosopher holds their left fork, each waits for a
//!   fork the next one holds: a cycle. It takes as many workers as philosophers (with fewer,
//!   someone is always missing from the table and the others eat).
//! - `ordered`: the lower-numbered fork first. The last philosopher then reaches for fork 0
//!   before fork n - 1, so the waits cannot close a cycle (a total order on locks).
//! - `try-lock`: left, then try the right; if it is taken, put the left one down, back off a
//!   little and try again. Nobody waits while holding a fork the others need, so no cycle; the
//!   retries are the price, and the results count them.
//!
//! Eating checks that the fork really is in one philosopher's hands: every fork has a mark set
//! from when it is picked up until it is put down, and a philosopher who finds the mark already
//! set counts a fork shared (the answer says how many: 0, since the locks exclude each other).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{
    Answer, Bound, Job, PageDefault, Params, Reference, TaskOutput, WorkloadInfo, compare,
};
use crate::estimate::Work;
use crate::limits::{choice, int};
use crate::locks::{LockCounts, LockTable};
use crate::model::{Halt, TaskCtx};

/// What the engine, the CLI and the page know about this workload.
pub(super) static INFO: WorkloadInfo = WorkloadInfo {
    description: "dining philosophers: each task eats n meals with two forks (locks); order naive deadlocks with as many workers as philosophers, ordered and try-lock do not",
    bound: Bound::Locks,
    python_task: "dine",
    size: int("n", "meals each philosopher eats", 20, 1, 1_000_000),
    params: &[
        int(
            "philosophers",
            "philosophers (tasks) and forks; all sit at once with as many workers",
            5,
            2,
            64,
        ),
        int(
            "hold_ms",
            "pause between taking the first fork and the second, milliseconds",
            1,
            0,
            1_000,
        ),
        choice(
            "order",
            "how a philosopher takes the forks",
            "ordered",
            &["naive", "ordered", "try-lock"],
        ),
    ],
    page: PageDefault { n: 20, params: &[] },
    build: |p| Box::new(Philosophers::new(p)),
    reference,
    work,
};

/// The work's shape for the estimate: mostly the pauses, about half of which overlap.
fn work(p: &Params) -> Work {
    let philosophers = p.int("philosophers") as f64;
    Work {
        compute: 0.0,
        parallel: 1.0,
        tasks: philosophers,
        wait: philosophers * p.n as f64 * p.int("hold_ms").max(1) as f64 / 1000.0,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    Naive,
    Ordered,
    TryLock,
}

pub struct Philosophers {
    meals: u64,
    hold: Duration,
    order: Order,
    forks: LockTable,
    /// Set while a fork is in a philosopher's hands, from pick-up to put-down.
    in_use: Vec<AtomicBool>,
    /// Meals eaten, and meals whose forks were found in another's hand, all philosophers
    /// together.
    eaten: u64,
    shared: u64,
}

impl Philosophers {
    pub fn new(p: &Params) -> Self {
        let count = p.int("philosophers") as usize;
        Philosophers {
            meals: p.n,
            hold: Duration::from_millis(p.int("hold_ms")),
            order: match p.choice("order") {
                "naive" => Order::Naive,
                "try-lock" => Order::TryLock,
                _ => Order::Ordered,
            },
            forks: LockTable::new("fork", count),
            in_use: (0..count).map(|_| AtomicBool::new(false)).collect(),
            eaten: 0,
            shared: 0,
        }
    }

    fn count(&self) -> usize {
        self.in_use.len()
    }

    /// Picks fork `f` up: takes its lock and marks it in hand. Returns whether the mark was
    /// already set, which would mean another philosopher holds the same fork (the locks did
    /// not exclude each other). The mark stays set for as long as the fork is held, pauses
    /// included, so an overlap cannot slip between two checks.
    fn pick_up(&self, f: usize, ctx: &TaskCtx) -> Result<bool, Halt> {
        ctx.lock(&self.forks, f)?;
        Ok(self.mark(f))
    }

    /// Marks fork `f` in hand; returns whether it already was.
    fn mark(&self, f: usize) -> bool {
        self.in_use[f].swap(true, Ordering::AcqRel)
    }

    /// Puts fork `f` down: clears its mark, then releases its lock.
    fn put_down(&self, f: usize, ctx: &TaskCtx) {
        self.in_use[f].store(false, Ordering::Release);
        ctx.unlock(&self.forks, f);
    }

    /// Takes both forks of philosopher `i` in this table's order: (first, second, whether
    /// either was found in another's hand). On a halt, puts down what it holds.
    fn take_forks(&self, i: usize, meal: u64, ctx: &TaskCtx) -> Result<(usize, usize, bool), Halt> {
        let (left, right) = (i, (i + 1) % self.count());
        match self.order {
            Order::Naive | Order::Ordered => {
                let (first, second) = if self.order == Order::Ordered && right < left {
                    (right, left)
                } else {
                    (left, right)
                };
                let clash = self.pick_up(first, ctx)?;
                let second_clash = ctx
                    .pause(self.hold)
                    .and_then(|()| self.pick_up(second, ctx))
                    .inspect_err(|_| self.put_down(first, ctx))?;
                Ok((first, second, clash || second_clash))
            }
            Order::TryLock => {
                for attempt in 0u64.. {
                    let clash = self.pick_up(left, ctx)?;
                    ctx.pause(self.hold)
                        .inspect_err(|_| self.put_down(left, ctx))?;
                    if ctx.try_lock(&self.forks, right) {
                        return Ok((left, right, clash || self.mark(right)));
                    }
                    self.put_down(left, ctx);
                    ctx.pause(backoff(self.hold, i, meal, attempt))?;
                }
                unreachable!("the attempts go on until the fork is free")
            }
        }
    }

    /// One philosopher's meals: (eaten, eaten with a fork in two hands). Stops at a deadlock
    /// or a stop.
    fn dine(&self, i: usize, ctx: &TaskCtx) -> Result<(u64, u64), Halt> {
        let (mut eaten, mut shared) = (0, 0);
        for meal in 0..self.meals {
            let (first, second, clash) = self.take_forks(i, meal, ctx)?;
            eaten += 1;
            shared += u64::from(clash);
            self.put_down(second, ctx);
            self.put_down(first, ctx);
            ctx.checkpoint();
        }
        Ok((eaten, shared))
    }
}

/// How long a try-lock philosopher waits before trying again: up to the hold, spread by a
/// hash of who and when, so two neighbours do not retry in step for ever (a livelock).
fn backoff(hold: Duration, philosopher: usize, meal: u64, attempt: u64) -> Duration {
    let mut state = (philosopher as u64) << 40 ^ meal << 20 ^ attempt;
    let most = hold.as_micros().max(100) as u64;
    Duration::from_micros(50 + super::sleep::splitmix64(&mut state) % most)
}

impl Job for Philosophers {
    fn tasks(&self, _stage: usize) -> usize {
        self.count()
    }

    fn run(&self, _stage: usize, task: usize, ctx: &TaskCtx) -> TaskOutput {
        // On a halt the engine reports why (the ctx holds it) and discards the output.
        let (eaten, shared) = self.dine(task, ctx).unwrap_or((0, 0));
        TaskOutput::Pair(eaten as i64, shared as i64)
    }

    fn end_stage(&mut self, _stage: usize, outputs: Vec<TaskOutput>) {
        for o in outputs {
            if let TaskOutput::Pair(eaten, shared) = o {
                self.eaten += eaten as u64;
                self.shared += shared as u64;
            }
        }
    }

    fn answer(&self) -> Answer {
        Answer::text(
            if self.shared == 0 {
                format!(
                    "{} meals for {} philosophers, no fork ever held by two at once",
                    self.eaten,
                    self.count()
                )
            } else {
                format!(
                    "{} meals for {} philosophers, {} of them with a fork another philosopher held",
                    self.eaten,
                    self.count(),
                    self.shared
                )
            },
            format!("meals {}\nshared {}\n", self.eaten, self.shared),
        )
    }

    fn locks(&self) -> Option<LockCounts> {
        Some(LockCounts {
            // Every philosopher eats the same meals: 2 x n acquisitions each, plus retries.
            equal_by_design: true,
            ..self.forks.counts()
        })
    }

    fn needs_shared_memory(&self) -> Option<&'static str> {
        Some(
            "the philosophers' forks are locks in shared memory, which separate processes do not have",
        )
    }
}

/// Every philosopher eats every meal, and no meal finds a fork in two hands.
pub fn reference(p: &Params, answer: &Answer) -> Reference {
    compare(
        answer,
        format!("meals {}\nshared 0\n", p.n * p.int("philosophers")).as_bytes(),
        "philosophers x meals, with no fork ever in two hands",
    )
}
