//! The interleaving explorer: small programs of atomic steps over shared variables, locks and
//! channels, one per thread, and an exact count of all their schedules.
//!
//! The step-by-step semantics are public ([`Program::initial`], [`Program::enabled`],
//! [`Program::step`], [`Program::status`], [`Program::outcome`]) so that a page can let a learner
//! be the scheduler and replay witnesses with the very rules the counter uses. [`explore`] counts
//! every schedule by outcome with a memoized dynamic programme and gives the shortest
//! (lexicographically least) witness schedule of each outcome; [`Link`] is the share-link form.
//! The semantics and the argument why the count is exact are in `README.md` next to this file.
//!
//! Portable: no threads, no clock, no I/O, so it builds for `wasm32-unknown-unknown`.
//!
//! # Example
//! ```
//! use engine::explore::{Link, Program, ProgramKind, Status, SyncMode, explore};
//!
//! let p = Program::new(ProgramKind::Counter, 2, Some(1), Some(SyncMode::None), None)?;
//! let e = explore(&p)?;
//! assert_eq!(e.schedules, 6);
//! assert_eq!(e.outcomes["1"], 4); // an update lost in 4 of the 6
//!
//! // Be the scheduler: both threads load 0, then both store 1.
//! let mut s = p.initial();
//! for t in [0, 1, 0, 1] {
//!     assert!(p.enabled(&s)[t]);
//!     s = p.step(&s, t)?;
//! }
//! assert_eq!(p.status(&s), Status::Complete);
//! assert_eq!(p.outcome(&s).as_deref(), Some("1"));
//! assert_eq!(e.witnesses["1"], [0, 1, 0, 1]);
//!
//! let link = Link { program: p, schedule: e.witnesses["1"].clone() };
//! assert_eq!(Link::parse(&link.to_fragment())?, link);
//! # Ok::<(), engine::explore::ExploreError>(())
//! ```

mod count;
mod link;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use thiserror::Error;

use crate::limits::{
    EXPLORE_MAX_INCREMENTS, EXPLORE_MAX_SCHEDULES, EXPLORE_MAX_STATES, EXPLORE_MAX_THREADS,
};

pub use count::{Exploration, explore};
pub use link::Link;

/// Why a program, a step, an exploration or a link was refused. One line each, for a learner.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExploreError {
    #[error("unknown program '{0}' (counter, philosophers or messages)")]
    UnknownProgram(String),
    #[error("unknown order '{0}' (naive or ordered)")]
    UnknownOrder(String),
    #[error("unknown sync '{0}' (none or lock)")]
    UnknownSync(String),
    #[error("{program} needs {min} to {max} threads, not {threads}")]
    Threads {
        program: &'static str,
        threads: usize,
        min: usize,
        max: usize,
    },
    #[error("increments must be 1 to {max}, not {increments}", max = EXPLORE_MAX_INCREMENTS)]
    Increments { increments: u32 },
    /// An option given for a program it does not apply to: refused rather than ignored, so a
    /// mistyped command never silently explores something else.
    #[error("--{option} applies only to {applies_to}")]
    NotApplicable {
        option: &'static str,
        applies_to: &'static str,
    },
    #[error(
        "{program} has {count} schedules; at most {max} are explored",
        count = thousands(*schedules),
        max = thousands(u128::from(EXPLORE_MAX_SCHEDULES))
    )]
    TooManySchedules { program: String, schedules: u128 },
    #[error(
        "{program} has more schedules than a 128-bit number holds; at most {max} are explored",
        max = thousands(u128::from(EXPLORE_MAX_SCHEDULES))
    )]
    CountOverflow { program: String },
    #[error(
        "{program} has more than {max} states to explore",
        max = thousands(EXPLORE_MAX_STATES as u128)
    )]
    TooManyStates { program: String },
    #[error("T{thread} cannot step: {reason}")]
    NotEnabled { thread: usize, reason: String },
    #[error("bad explore link: {0}")]
    BadLink(String),
}

/// A number with thousands separators (`2,704,156`), as the refusal messages show counts.
pub fn thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The programs the explorer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProgramKind {
    /// Each thread increments a shared `x` with a separate load and store: the lost update.
    Counter,
    /// Dining philosophers: each takes two forks (locks); the naive order can deadlock.
    Philosophers,
    /// A ring of threads passing messages; if everyone waits first, nobody ever sends.
    Messages,
}

impl ProgramKind {
    pub const ALL: [ProgramKind; 3] = [
        ProgramKind::Counter,
        ProgramKind::Philosophers,
        ProgramKind::Messages,
    ];

    /// The name used on the command line and in links.
    pub fn name(self) -> &'static str {
        match self {
            ProgramKind::Counter => "counter",
            ProgramKind::Philosophers => "philosophers",
            ProgramKind::Messages => "messages",
        }
    }

    /// The fewest threads that make the program meaningful: one philosopher would need fork 0
    /// as both forks, and one thread in a ring would message itself.
    pub fn min_threads(self) -> usize {
        match self {
            ProgramKind::Counter => 1,
            ProgramKind::Philosophers | ProgramKind::Messages => 2,
        }
    }
}

impl fmt::Display for ProgramKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ProgramKind {
    type Err = ExploreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProgramKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| ExploreError::UnknownProgram(s.to_string()))
    }
}

/// How the counter protects its increments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncMode {
    /// No protection: load and store may interleave with other threads' (the racy counter).
    None,
    /// Each increment is `lock m; load; store; unlock m`.
    Lock,
}

impl SyncMode {
    pub fn name(self) -> &'static str {
        match self {
            SyncMode::None => "none",
            SyncMode::Lock => "lock",
        }
    }
}

impl fmt::Display for SyncMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SyncMode {
    type Err = ExploreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(SyncMode::None),
            "lock" => Ok(SyncMode::Lock),
            _ => Err(ExploreError::UnknownSync(s.to_string())),
        }
    }
}

/// The order in which philosophers take forks, or ring threads send and receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// Philosophers take the left fork then the right; every ring thread receives then sends.
    Naive,
    /// The fix: philosophers take the lower-numbered fork first; thread 0 sends before receiving.
    Ordered,
}

impl Order {
    pub fn name(self) -> &'static str {
        match self {
            Order::Naive => "naive",
            Order::Ordered => "ordered",
        }
    }
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Order {
    type Err = ExploreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "naive" => Ok(Order::Naive),
            "ordered" => Ok(Order::Ordered),
            _ => Err(ExploreError::UnknownOrder(s.to_string())),
        }
    }
}

/// A lock's name, for a learner: the counter's `m` or a philosopher's `fork i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LockName {
    /// The counter's one lock, `m` (lock index 0).
    M,
    /// Fork `i` (lock index `i`).
    Fork(usize),
}

impl LockName {
    /// The lock's index into [`State::locks`].
    pub fn index(self) -> usize {
        match self {
            LockName::M => 0,
            LockName::Fork(i) => i,
        }
    }
}

impl fmt::Display for LockName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockName::M => f.write_str("m"),
            LockName::Fork(i) => write!(f, "fork {i}"),
        }
    }
}

/// One atomic step of a thread. There is one shared variable, `x`, and one register per thread,
/// `r`; channels are unbounded queues of messages (only their length matters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// `load r <- x`: read the shared variable into the thread's register.
    Load,
    /// `store x <- r + 1`: write the register plus one to the shared variable.
    Store,
    /// `lock m`: enabled only while the lock is free; takes it.
    Lock(LockName),
    /// `unlock m`: frees the lock (always held by this thread in these programs).
    Unlock(LockName),
    /// `send c`: puts a message on channel `c`; always enabled (unbounded channel).
    Send(usize),
    /// `recv c`: takes a message from channel `c`; enabled only when it holds one.
    Recv(usize),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Load => f.write_str("load r <- x"),
            Step::Store => f.write_str("store x <- r + 1"),
            Step::Lock(l) => write!(f, "lock {l}"),
            Step::Unlock(l) => write!(f, "unlock {l}"),
            Step::Send(c) => write!(f, "send c{c}"),
            Step::Recv(c) => write!(f, "recv c{c}"),
        }
    }
}

/// Everything a schedule has done so far: where each thread is, what it holds, and the shared
/// world. Two schedule prefixes reaching equal states have the same futures, which is what makes
/// the count's memoization sound.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct State {
    /// Each thread's program counter: the index of its next step (its step count when finished).
    pub pcs: Vec<usize>,
    /// Each thread's register `r`.
    pub registers: Vec<u64>,
    /// The shared variable `x`.
    pub x: u64,
    /// Each lock's owner, by thread index; `None` while free.
    pub locks: Vec<Option<usize>>,
    /// How many messages each channel holds.
    pub channels: Vec<u64>,
}

/// Whether a schedule can go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Some thread has an enabled step.
    Running,
    /// Every thread has finished.
    Complete,
    /// Some thread has not finished and none can step.
    Deadlocked,
}

/// A validated program: its kind and the options that apply to it (the others are `None`). The
/// fields are read through methods, so a program cannot be changed into one that was never
/// checked or whose steps no longer match its options.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Program {
    kind: ProgramKind,
    threads: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    increments: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sync: Option<SyncMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<Order>,
    #[serde(skip)]
    steps: Vec<Vec<Step>>,
}

impl Program {
    /// A program with its options checked. Options left `None` take their defaults (1 increment,
    /// sync none, order naive) where they apply; an option given for a program it does not apply
    /// to is an error, not ignored.
    pub fn new(
        kind: ProgramKind,
        threads: usize,
        increments: Option<u32>,
        sync: Option<SyncMode>,
        order: Option<Order>,
    ) -> Result<Program, ExploreError> {
        let (min, max) = (kind.min_threads(), EXPLORE_MAX_THREADS);
        if !(min..=max).contains(&threads) {
            return Err(ExploreError::Threads {
                program: kind.name(),
                threads,
                min,
                max,
            });
        }
        let counter_only = |option| ExploreError::NotApplicable {
            option,
            applies_to: "counter",
        };
        let (increments, sync, order) = match kind {
            ProgramKind::Counter => {
                if order.is_some() {
                    return Err(ExploreError::NotApplicable {
                        option: "order",
                        applies_to: "philosophers and messages",
                    });
                }
                let k = increments.unwrap_or(1);
                if !(1..=EXPLORE_MAX_INCREMENTS).contains(&k) {
                    return Err(ExploreError::Increments { increments: k });
                }
                (Some(k), Some(sync.unwrap_or(SyncMode::None)), None)
            }
            ProgramKind::Philosophers | ProgramKind::Messages => {
                if increments.is_some() {
                    return Err(counter_only("increments"));
                }
                if sync.is_some() {
                    return Err(counter_only("sync"));
                }
                (None, None, Some(order.unwrap_or(Order::Naive)))
            }
        };
        let mut program = Program {
            kind,
            threads,
            increments,
            sync,
            order,
            steps: Vec::new(),
        };
        program.steps = (0..threads).map(|t| program.thread_steps(t)).collect();
        Ok(program)
    }

    fn thread_steps(&self, t: usize) -> Vec<Step> {
        let n = self.threads;
        match self.kind {
            ProgramKind::Counter => {
                let one: &[Step] = match self.sync {
                    Some(SyncMode::Lock) => &[
                        Step::Lock(LockName::M),
                        Step::Load,
                        Step::Store,
                        Step::Unlock(LockName::M),
                    ],
                    _ => &[Step::Load, Step::Store],
                };
                one.repeat(self.increments.unwrap_or(1) as usize)
            }
            ProgramKind::Philosophers => {
                let (left, right) = (t, (t + 1) % n);
                let (first, second) = match self.order {
                    Some(Order::Ordered) => (left.min(right), left.max(right)),
                    _ => (left, right),
                };
                let (a, b) = (LockName::Fork(first), LockName::Fork(second));
                vec![
                    Step::Lock(a),
                    Step::Lock(b),
                    Step::Unlock(b),
                    Step::Unlock(a),
                ]
            }
            ProgramKind::Messages => {
                let (inbox, outbox) = (t, (t + 1) % n);
                if t == 0 && self.order == Some(Order::Ordered) {
                    vec![Step::Send(outbox), Step::Recv(inbox)]
                } else {
                    vec![Step::Recv(inbox), Step::Send(outbox)]
                }
            }
        }
    }

    pub fn kind(&self) -> ProgramKind {
        self.kind
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Increments per thread (counter only).
    pub fn increments(&self) -> Option<u32> {
        self.increments
    }

    /// How the counter synchronizes (counter only).
    pub fn sync(&self) -> Option<SyncMode> {
        self.sync
    }

    /// Fork or send order (philosophers and messages only).
    pub fn order(&self) -> Option<Order> {
        self.order
    }

    /// Each thread's steps, in program order.
    pub fn threads_steps(&self) -> &[Vec<Step>] {
        &self.steps
    }

    fn lock_count(&self) -> usize {
        match (self.kind, self.sync) {
            (ProgramKind::Counter, Some(SyncMode::Lock)) => 1,
            (ProgramKind::Counter, _) => 0,
            (ProgramKind::Philosophers, _) => self.threads,
            (ProgramKind::Messages, _) => 0,
        }
    }

    fn channel_count(&self) -> usize {
        match self.kind {
            ProgramKind::Messages => self.threads,
            _ => 0,
        }
    }

    /// The state before any step: every thread at its first step, registers and `x` zero, locks
    /// free, channels empty.
    pub fn initial(&self) -> State {
        State {
            pcs: vec![0; self.threads],
            registers: vec![0; self.threads],
            x: 0,
            locks: vec![None; self.lock_count()],
            channels: vec![0; self.channel_count()],
        }
    }

    /// The step thread `thread` would take next, if it has not finished.
    pub fn next_step(&self, state: &State, thread: usize) -> Option<Step> {
        self.steps
            .get(thread)?
            .get(*state.pcs.get(thread)?)
            .copied()
    }

    /// Whether `thread` can take its next step now: it exists, has not finished, and its step is
    /// enabled (a lock free, a message waiting).
    pub fn can_step(&self, state: &State, thread: usize) -> bool {
        match self.next_step(state, thread) {
            None => false,
            Some(Step::Lock(l)) => state.locks[l.index()].is_none(),
            Some(Step::Recv(c)) => state.channels[c] > 0,
            Some(_) => true,
        }
    }

    /// Why `thread` cannot step now, in words, or `None` when it can.
    pub fn blocked(&self, state: &State, thread: usize) -> Option<String> {
        if self.can_step(state, thread) {
            return None;
        }
        Some(match self.next_step(state, thread) {
            _ if thread >= self.threads => format!("there is no thread {thread}"),
            None => "it has finished".to_string(),
            Some(Step::Lock(l)) => match state.locks[l.index()] {
                Some(owner) => format!("{l} is held by T{owner}"),
                None => format!("{l} is free"),
            },
            Some(Step::Recv(c)) => format!("c{c} holds no message"),
            Some(step) => format!("{step} is not enabled"),
        })
    }

    /// Which threads can step now, by thread index.
    pub fn enabled(&self, state: &State) -> Vec<bool> {
        (0..self.threads).map(|t| self.can_step(state, t)).collect()
    }

    /// The state after `thread` takes its next step; refused when the thread has finished or its
    /// step is not enabled.
    pub fn step(&self, state: &State, thread: usize) -> Result<State, ExploreError> {
        if !self.can_step(state, thread) {
            let reason = self.blocked(state, thread).unwrap_or_default();
            return Err(ExploreError::NotEnabled { thread, reason });
        }
        let mut next = state.clone();
        let step = self.steps[thread][state.pcs[thread]];
        next.pcs[thread] += 1;
        match step {
            Step::Load => next.registers[thread] = state.x,
            Step::Store => next.x = state.registers[thread] + 1,
            Step::Lock(l) => next.locks[l.index()] = Some(thread),
            Step::Unlock(l) => next.locks[l.index()] = None,
            Step::Send(c) => next.channels[c] += 1,
            Step::Recv(c) => next.channels[c] -= 1,
        }
        Ok(next)
    }

    /// Whether the schedule that reached `state` can go on, has completed, or is deadlocked.
    pub fn status(&self, state: &State) -> Status {
        if (0..self.threads).any(|t| self.can_step(state, t)) {
            Status::Running
        } else if (0..self.threads).all(|t| state.pcs[t] == self.steps[t].len()) {
            Status::Complete
        } else {
            Status::Deadlocked
        }
    }

    /// The outcome a finished schedule is counted under: the counter's final `x` as a decimal
    /// string when complete, otherwise `"complete"` or `"deadlocked"`; `None` while running.
    pub fn outcome(&self, state: &State) -> Option<String> {
        match self.status(state) {
            Status::Running => None,
            Status::Complete if self.kind == ProgramKind::Counter => Some(state.x.to_string()),
            Status::Complete => Some("complete".to_string()),
            Status::Deadlocked => Some("deadlocked".to_string()),
        }
    }

    /// Every state of a schedule, from the initial state, refusing the first step that is not
    /// enabled: how a witness or a link is replayed.
    pub fn replay(&self, schedule: &[usize]) -> Result<Vec<State>, ExploreError> {
        let mut states = vec![self.initial()];
        for &t in schedule {
            let next = self.step(states.last().expect("starts non-empty"), t)?;
            states.push(next);
        }
        Ok(states)
    }

    /// A schedule in words, one line per step, with what each step changed:
    /// `T0: load r <- x (r0 = 0)`, `T1: store x <- r + 1 (x = 1)`, `T0: lock fork 0 (held by T0)`.
    pub fn narrate(&self, schedule: &[usize]) -> Result<Vec<String>, ExploreError> {
        let states = self.replay(schedule)?;
        Ok(schedule
            .iter()
            .zip(states.windows(2))
            .map(|(&t, pair)| {
                let (before, after) = (&pair[0], &pair[1]);
                let step = self.steps[t][before.pcs[t]];
                let effect = match step {
                    Step::Load => format!("r{t} = {}", after.registers[t]),
                    Step::Store => format!("x = {}", after.x),
                    Step::Lock(_) => format!("held by T{t}"),
                    Step::Unlock(_) => "free".to_string(),
                    Step::Send(c) | Step::Recv(c) => format!("c{c} holds {}", after.channels[c]),
                };
                format!("T{t}: {step} ({effect})")
            })
            .collect())
    }

    /// The exact number of schedules, found without enumerating them, for the cap check.
    pub fn count_schedules(&self) -> Result<u128, ExploreError> {
        count::count_schedules(self)
    }
}

impl fmt::Display for Program {
    /// `counter, 2 threads x 12 increments, sync none`, `philosophers, 3 threads, order naive`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        write!(
            f,
            "{}, {} thread{}",
            self.kind,
            self.threads,
            s(self.threads)
        )?;
        if let Some(k) = self.increments {
            write!(f, " x {k} increment{}", s(k as usize))?;
        }
        if let Some(sync) = self.sync {
            write!(f, ", sync {sync}")?;
        }
        if let Some(order) = self.order {
            write!(f, ", order {order}")?;
        }
        Ok(())
    }
}
