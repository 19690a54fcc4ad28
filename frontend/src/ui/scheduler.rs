//! "Be the scheduler": the learner picks which thread takes the next atomic step of a small
//! program (`engine::explore`), sees every thread's steps, registers, the shared variable, lock
//! owners and channels change, and compares where they ended with the explorer's count of every
//! schedule. Its own reducer, separate from the lab's, so it can be tested on its own; the view is
//! `components::scheduler`.

use std::rc::Rc;

use engine::explore::{
    self, Exploration, Link, Order, Program, ProgramKind, State as Machine, Status, Step, SyncMode,
};
use yew::Reducible;

/// What the controls say, always complete: the options that do not apply to the chosen program
/// are kept (so switching back finds them) but left out of the program.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub kind: ProgramKind,
    pub threads: usize,
    /// As typed: a bad number is shown as the reason, never dropped.
    pub increments: String,
    pub sync: SyncMode,
    pub order: Order,
}

impl Default for Choice {
    fn default() -> Self {
        Choice {
            kind: ProgramKind::Counter,
            threads: 2,
            increments: "1".into(),
            sync: SyncMode::None,
            order: Order::Naive,
        }
    }
}

impl Choice {
    /// The program the controls describe, or the engine's reason why there is none.
    pub fn program(&self) -> Result<Program, String> {
        let (increments, sync, order) = match self.kind {
            ProgramKind::Counter => {
                let text = self.increments.trim();
                let k = text
                    .parse::<u32>()
                    .map_err(|_| format!("increments must be a whole number, not '{text}'"))?;
                (Some(k), Some(self.sync), None)
            }
            ProgramKind::Philosophers | ProgramKind::Messages => (None, None, Some(self.order)),
        };
        Program::new(self.kind, self.threads, increments, sync, order).map_err(|e| e.to_string())
    }

    /// The controls that show a program (as a link opens it).
    pub fn of(program: &Program) -> Choice {
        let default = Choice::default();
        Choice {
            kind: program.kind(),
            threads: program.threads(),
            increments: program
                .increments()
                .map_or(default.increments, |k| k.to_string()),
            sync: program.sync().unwrap_or(default.sync),
            order: program.order().unwrap_or(default.order),
        }
    }
}

/// A witness being stepped through: its outcome, its schedule, and how many of its steps are
/// taken (the learner's schedule is always `schedule[..at]` while it lasts).
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub outcome: String,
    pub schedule: Vec<usize>,
    pub at: usize,
}

/// What one control was set to.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting {
    Program(ProgramKind),
    Threads(usize),
    Increments(String),
    Sync(SyncMode),
    Order(Order),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A control changed: a new program, its schedule empty, its exploration counted afresh.
    Set(Setting),
    /// The learner runs this thread's next step.
    Run(usize),
    /// One step back.
    Undo,
    /// Back to the start of the program.
    Reset,
    /// Loads an outcome's witness at its start, to step through it.
    Replay(String),
    /// The replay's next step.
    ReplayNext,
    /// The replay's previous step.
    ReplayPrevious,
    /// Leaves the replay, keeping the steps taken.
    ReplayEnd,
    /// A link's fragment (`#explore=...`): its program and schedule, or why it cannot be opened.
    OpenLink(String),
    /// The share link was made (the address) and copied or not (the confirmation).
    LinkMade(String, String),
}

/// The scheduler's state. `machines` always has one more entry than `schedule`: the state
/// before any step, then after each.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheduler {
    pub choice: Choice,
    /// The program, or the engine's reason (in words) why the controls describe none.
    pub program: Result<Program, String>,
    pub schedule: Vec<usize>,
    pub machines: Vec<Machine>,
    /// Every schedule counted by outcome, or why not (above the cap, say); `None` with no program.
    pub table: Option<Result<Exploration, String>>,
    pub replay: Option<Replay>,
    /// Why the last link could not be opened.
    pub link_error: Option<String>,
    /// What the live region says: the last step and, at the end, the outcome.
    pub announcement: String,
    /// The learner has changed something: the address then follows the state.
    pub touched: bool,
    /// Counts the links opened, so the view brings the section into view once per link.
    pub opened: u32,
    /// The last share link made, and its confirmation ("Copied").
    pub link: Option<(String, String)>,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::with(Choice::default())
    }
}

impl Scheduler {
    /// The scheduler at the start of the program the controls describe.
    pub fn with(choice: Choice) -> Scheduler {
        let program = choice.program();
        let machines = program.iter().map(Program::initial).collect();
        let table = program
            .as_ref()
            .ok()
            .map(|p| explore::explore(p).map_err(|e| e.to_string()));
        Scheduler {
            choice,
            program,
            schedule: Vec::new(),
            machines,
            table,
            replay: None,
            link_error: None,
            announcement: String::new(),
            touched: false,
            opened: 0,
            link: None,
        }
    }

    /// The state reached by the steps taken.
    pub fn current(&self) -> Option<&Machine> {
        self.machines.last()
    }

    /// Whether the schedule can go on, has completed, or is deadlocked.
    pub fn status(&self) -> Option<Status> {
        Some(self.program.as_ref().ok()?.status(self.current()?))
    }

    /// The outcome reached, as the explorer counts it ("1", "complete", "deadlocked").
    pub fn outcome(&self) -> Option<String> {
        self.program.as_ref().ok()?.outcome(self.current()?)
    }

    /// The share link's fragment (without `#`) for the program and the steps taken.
    pub fn fragment(&self) -> Option<String> {
        let program = self.program.as_ref().ok()?.clone();
        Some(
            Link {
                program,
                schedule: self.schedule.clone(),
            }
            .to_fragment(),
        )
    }

    /// The schedule taken so far in words, one line per step.
    pub fn narration(&self) -> Vec<String> {
        self.program
            .as_ref()
            .ok()
            .and_then(|p| p.narrate(&self.schedule).ok())
            .unwrap_or_default()
    }

    /// Why a thread cannot run now, in words ("waits for fork 1, held by T1"), or `None`.
    pub fn waits(&self, thread: usize) -> Option<String> {
        let program = self.program.as_ref().ok()?;
        let state = self.current()?;
        waits(program, state, thread)
    }

    /// How a finished schedule ended, in a sentence; `None` while it can go on.
    pub fn ending(&self) -> Option<String> {
        let program = self.program.as_ref().ok()?;
        let state = self.current()?;
        ending(program, state)
    }

    /// Why no thread can take even a first step, in words, when the program is stuck at its
    /// start; `None` otherwise.
    pub fn stuck_at_start(&self) -> Option<String> {
        let program = self.program.as_ref().ok()?;
        let start = self.machines.first()?;
        stuck_at_start(program, start)
    }

    /// Why Copy link cannot make a link now, or `None` when it can: during a replay the link
    /// holds the replay's steps taken so far, so there must be one.
    pub fn copy_refused(&self) -> Option<&'static str> {
        match &self.replay {
            Some(r) if r.at == 0 => Some(
                "Copy link keeps the replay's steps taken so far: take a step with Next step first",
            ),
            _ => None,
        }
    }

    fn with_steps(&self, schedule: Vec<usize>) -> Result<Scheduler, String> {
        let program = self.program.as_ref().map_err(Clone::clone)?;
        let machines = program.replay(&schedule).map_err(|e| e.to_string())?;
        Ok(Scheduler {
            schedule,
            machines,
            ..self.clone()
        })
    }

    /// Takes a step; what the live region then says is the step in words, and the outcome when
    /// it was the last.
    fn run(mut self, thread: usize) -> Scheduler {
        let Ok(program) = self.program.clone() else {
            return self;
        };
        let Some(state) = self.current().cloned() else {
            return self;
        };
        match program.step(&state, thread) {
            Ok(next) => {
                self.schedule.push(thread);
                self.machines.push(next);
                self.announce_last();
            }
            Err(_) => {
                self.announcement = match waits(&program, &state, thread) {
                    Some(why) => format!("T{thread} cannot run: it {why}"),
                    None => format!("there is no thread T{thread}"),
                };
            }
        }
        self
    }

    fn announce_last(&mut self) {
        let last = self.narration().pop().unwrap_or_default();
        self.announcement = match self.ending() {
            Some(end) => format!("{last}. {end}"),
            None => last,
        };
    }
}

/// Why `thread` cannot take its next step, in words, or `None` when it can.
pub fn waits(program: &Program, state: &Machine, thread: usize) -> Option<String> {
    if program.can_step(state, thread) {
        return None;
    }
    Some(match program.next_step(state, thread) {
        None if thread < program.threads() => "has finished".to_string(),
        Some(Step::Lock(l)) => match state.locks.get(l.index()).copied().flatten() {
            Some(owner) => format!("waits for {l}, held by T{owner}"),
            None => format!("waits for {l}"),
        },
        Some(Step::Recv(c)) => format!("waits for a message on c{c}, which is empty"),
        _ => program
            .blocked(state, thread)
            .unwrap_or_else(|| "cannot step".to_string()),
    })
}

/// What a learner is told when no thread can take even a first step (the naive messages ring),
/// or `None` when some thread can.
pub fn stuck_at_start(program: &Program, start: &Machine) -> Option<String> {
    if program.status(start) != Status::Deadlocked {
        return None;
    }
    Some(match program.kind() {
        ProgramKind::Messages => {
            "Every thread receives before anyone sends: nothing can ever run. \
             Choose order 'ordered' to see the fix."
                .to_string()
        }
        _ => "No thread can take even a first step: nothing can ever run.".to_string(),
    })
}

/// What the table says of a witness with no step: the outcome is reached at the start.
pub fn before_any_step(program: ProgramKind, outcome: &str) -> String {
    match (program, outcome) {
        (ProgramKind::Messages, "deadlocked") => {
            "stuck before any step: every thread waits to receive".to_string()
        }
        (_, "deadlocked") => "stuck before any step: no thread can run".to_string(),
        _ => "reached before any step".to_string(),
    }
}

/// How a finished schedule ended: "Complete: x = 1 (an update was lost)", "Deadlocked: every
/// thread waits ..."; `None` while some thread can step.
pub fn ending(program: &Program, state: &Machine) -> Option<String> {
    match program.status(state) {
        Status::Running => None,
        Status::Complete => Some(match program.kind() {
            ProgramKind::Counter => {
                let expected =
                    program.threads() as u64 * u64::from(program.increments().unwrap_or(1));
                let lost = expected.saturating_sub(state.x);
                let why = match lost {
                    0 => "no update was lost".to_string(),
                    1 => "an update was lost".to_string(),
                    n => format!("{n} updates were lost"),
                };
                format!("Complete: x = {} ({why})", state.x)
            }
            ProgramKind::Philosophers => "Complete: every philosopher ate".to_string(),
            ProgramKind::Messages => {
                "Complete: every thread received its message and sent one on".to_string()
            }
        }),
        Status::Deadlocked => {
            let waiting: Vec<String> = (0..program.threads())
                .filter(|&t| program.next_step(state, t).is_some())
                .filter_map(|t| waits(program, state, t).map(|w| format!("T{t} {w}")))
                .collect();
            let who = if waiting.len() == program.threads() {
                "every thread waits"
            } else {
                "every unfinished thread waits"
            };
            Some(format!(
                "Deadlocked: {who}, and none can ever step again ({})",
                waiting.join("; ")
            ))
        }
    }
}

/// An outcome as the table and the sentences name it: "x = 1", "complete", "deadlocked".
pub fn outcome_words(program: ProgramKind, outcome: &str) -> String {
    match (program, outcome) {
        (_, "deadlocked") => "a deadlock".to_string(),
        (_, "complete") => "every thread finished".to_string(),
        (ProgramKind::Counter, x) => format!("x = {x}"),
        (_, other) => other.to_string(),
    }
}

/// A share in percent, rounded, but never rounded to 0% or 100% when it is neither: "67%",
/// "0.1%", "less than 0.1%", "99.9%", "more than 99.9%".
pub fn percent(count: u64, total: u64) -> String {
    if total == 0 || count == 0 {
        return "0%".to_string();
    }
    if count == total {
        return "100%".to_string();
    }
    let p = count as f64 * 100.0 / total as f64;
    if (1.0..=99.0).contains(&p) {
        format!("{p:.0}%")
    } else if p < 0.1 {
        "less than 0.1%".to_string()
    } else if p > 99.9 {
        "more than 99.9%".to_string()
    } else {
        format!("{p:.1}%")
    }
}

/// "4 of 6 schedules (67%) end with x = 1".
pub fn share_sentence(program: ProgramKind, outcome: &str, count: u64, total: u64) -> String {
    let percent = percent(count, total);
    let schedules = if total == 1 { "schedule" } else { "schedules" };
    let verb = if count == 1 { "ends" } else { "end" };
    let what = match outcome {
        "deadlocked" => "in a deadlock".to_string(),
        "complete" => "with every thread finished".to_string(),
        x => format!("with {}", outcome_words(program, x)),
    };
    format!(
        "{} of {} {schedules} ({percent}) {verb} {what}",
        explore::thousands(u128::from(count)),
        explore::thousands(u128::from(total)),
    )
}

/// What a Run button or a digit key says during a replay.
pub const REPLAY_RUN_REFUSED: &str = "While replaying, the Run buttons are off: use Next step, or Leave the replay to pick the threads yourself.";

/// Whether a fragment is a scheduler link (`#explore=...`) rather than an experiment's.
pub fn is_link(hash: &str) -> bool {
    hash.trim_start_matches('#').starts_with("explore=")
}

impl Reducible for Scheduler {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let s = (*self).clone();
        let next = match action {
            Action::Set(setting) => {
                let mut choice = s.choice.clone();
                match setting {
                    Setting::Program(k) => choice.kind = k,
                    Setting::Threads(t) => choice.threads = t,
                    Setting::Increments(k) => choice.increments = k,
                    Setting::Sync(m) => choice.sync = m,
                    Setting::Order(o) => choice.order = o,
                }
                if choice == s.choice {
                    return self;
                }
                let mut fresh = Scheduler {
                    opened: s.opened,
                    ..Scheduler::with(choice)
                };
                if let Some(stuck) = fresh.stuck_at_start() {
                    fresh.announcement = stuck;
                }
                fresh
            }
            Action::Run(thread) => {
                if s.replay.is_some() {
                    // The replay is stepped by Next step; the Run buttons wait until it is left.
                    return Rc::new(Scheduler {
                        announcement: REPLAY_RUN_REFUSED.to_string(),
                        ..s
                    });
                }
                s.run(thread)
            }
            Action::Undo | Action::ReplayPrevious => {
                if s.schedule.is_empty() {
                    return self;
                }
                let mut s = s;
                let thread = s.schedule.pop().expect("not empty");
                s.machines.pop();
                if let Some(r) = &mut s.replay {
                    r.at = r.at.saturating_sub(1);
                }
                s.announcement = format!("Took back T{thread}'s step");
                s
            }
            Action::Reset => {
                let mut s = match s.with_steps(Vec::new()) {
                    Ok(s) => s,
                    Err(_) => return self,
                };
                s.replay = None;
                s.announcement = "Back at the start: no step taken".to_string();
                s
            }
            Action::Replay(outcome) => {
                let Some(Ok(table)) = &s.table else {
                    return self;
                };
                // An outcome reached before any step has nothing to replay.
                let Some(witness) = table
                    .witnesses
                    .get(&outcome)
                    .filter(|w| !w.is_empty())
                    .cloned()
                else {
                    return self;
                };
                let Ok(mut s) = s.with_steps(Vec::new()) else {
                    return self;
                };
                let kind = s.choice.kind;
                s.announcement = format!(
                    "Replaying one schedule that ends with {} ({} step{}): use Next step. {REPLAY_RUN_REFUSED}",
                    outcome_words(kind, &outcome),
                    witness.len(),
                    if witness.len() == 1 { "" } else { "s" }
                );
                s.replay = Some(Replay {
                    outcome,
                    schedule: witness,
                    at: 0,
                });
                s
            }
            Action::ReplayNext => {
                let Some(next) = s
                    .replay
                    .as_ref()
                    .and_then(|r| r.schedule.get(r.at).copied())
                else {
                    return self;
                };
                let mut s = s.run(next);
                if let Some(r) = &mut s.replay {
                    r.at += 1;
                }
                s
            }
            Action::ReplayEnd => {
                if s.replay.is_none() {
                    return self;
                }
                Scheduler {
                    replay: None,
                    announcement: format!(
                        "Left the replay with {} step{} taken: pick the thread to run next",
                        s.schedule.len(),
                        if s.schedule.len() == 1 { "" } else { "s" }
                    ),
                    ..s
                }
            }
            Action::OpenLink(hash) => match Link::parse(&hash) {
                Ok(link) => {
                    let mut fresh = Scheduler::with(Choice::of(&link.program));
                    fresh.machines = link
                        .program
                        .replay(&link.schedule)
                        .expect("Link::parse checked that the schedule replays");
                    fresh.schedule = link.schedule;
                    fresh.opened = s.opened + 1;
                    fresh.announcement = format!(
                        "Opened a link: {}, {} step{} taken",
                        link.program,
                        fresh.schedule.len(),
                        if fresh.schedule.len() == 1 { "" } else { "s" }
                    );
                    if let Some(end) = fresh.ending() {
                        fresh.announcement += &format!(". {end}");
                    }
                    fresh
                }
                Err(e) => Scheduler {
                    link_error: Some(format!("This link cannot be opened: {e}")),
                    opened: s.opened + 1,
                    ..s
                },
            },
            Action::LinkMade(link, confirmation) => {
                return Rc::new(Scheduler {
                    link: Some((link, confirmation)),
                    ..s
                });
            }
        };
        let opened_now = next.opened > self.opened;
        let link_failed = opened_now && next.link_error.is_some();
        Rc::new(Scheduler {
            // A link that cannot be opened is left in the address as it came.
            touched: !link_failed || self.touched,
            // A link made for an earlier state no longer says what is shown.
            link: None,
            // An error about a link is shown until the next change.
            link_error: if opened_now {
                next.link_error.clone()
            } else {
                None
            },
            ..next
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(s: Rc<Scheduler>, actions: impl IntoIterator<Item = Action>) -> Rc<Scheduler> {
        actions.into_iter().fold(s, |s, a| s.reduce(a))
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_lost_update_by_hand_and_the_table_beside_it() {
        let s = Rc::new(Scheduler::default());
        assert_eq!(s.status(), Some(Status::Running));
        let table = s.table.clone().unwrap().unwrap();
        assert_eq!(table.schedules, 6);
        assert_eq!(table.outcomes["1"], 4);
        assert_eq!(table.outcomes["2"], 2);
        assert_eq!(
            share_sentence(ProgramKind::Counter, "1", 4, 6),
            "4 of 6 schedules (67%) end with x = 1"
        );
        assert_eq!(
            share_sentence(ProgramKind::Counter, "10", 252, 184_756),
            "252 of 184,756 schedules (0.1%) end with x = 10"
        );
        assert_eq!(
            share_sentence(ProgramKind::Messages, "deadlocked", 1, 1),
            "1 of 1 schedule (100%) ends in a deadlock"
        );
        let shares: Vec<String> = [(1, 100_000), (999, 1000), (999_999, 1_000_000), (995, 1000)]
            .into_iter()
            .map(|(c, t)| percent(c, t))
            .collect();
        assert_eq!(
            shares,
            ["less than 0.1%", "99.9%", "more than 99.9%", "99.5%"]
        );
        let s = reduce(s, [Action::Run(0), Action::Run(1)]);
        assert_eq!(s.announcement, "T1: load r <- x (r1 = 0)");
        assert_eq!(s.current().unwrap().registers, vec![0, 0]);
        let s = reduce(s, [Action::Run(0), Action::Run(1)]);
        assert_eq!(s.schedule, vec![0, 1, 0, 1]);
        assert_eq!(s.current().unwrap().x, 1);
        assert_eq!(s.outcome().as_deref(), Some("1"));
        assert_eq!(
            s.ending().as_deref(),
            Some("Complete: x = 1 (an update was lost)")
        );
        assert!(
            s.announcement
                .ends_with("Complete: x = 1 (an update was lost)")
        );
        assert_eq!(s.narration().len(), 4);
        assert_eq!(s.narration()[3], "T1: store x <- r + 1 (x = 1)");
        assert!(s.touched, "the address follows the learner's steps");
        // A finished thread cannot run; the reason is said, nothing changes.
        assert_eq!(s.waits(0).as_deref(), Some("has finished"));
        let same = s.clone().reduce(Action::Run(0));
        assert_eq!(same.schedule, s.schedule);
        assert_eq!(same.announcement, "T0 cannot run: it has finished");
        // Undo, then reset.
        let s = s.reduce(Action::Undo);
        assert_eq!(s.schedule, vec![0, 1, 0]);
        assert_eq!(s.current().unwrap().x, 1);
        assert_eq!(s.status(), Some(Status::Running));
        let s = s.reduce(Action::Reset);
        assert!(s.schedule.is_empty());
        assert_eq!(s.machines.len(), 1);
        assert_eq!(s.current().unwrap().x, 0);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn naive_philosophers_deadlock_with_the_reasons_said() {
        let s = Rc::new(Scheduler::default());
        let s = reduce(
            s,
            [
                Action::Set(Setting::Program(ProgramKind::Philosophers)),
                Action::Run(0),
            ],
        );
        assert_eq!(s.current().unwrap().locks, vec![Some(0), None]);
        let s = s.reduce(Action::Run(1));
        assert_eq!(s.status(), Some(Status::Deadlocked));
        assert_eq!(s.waits(0).as_deref(), Some("waits for fork 1, held by T1"));
        assert_eq!(s.waits(1).as_deref(), Some("waits for fork 0, held by T0"));
        let end = s.ending().unwrap();
        assert!(end.starts_with("Deadlocked: every thread waits"), "{end}");
        assert!(end.contains("T0 waits for fork 1, held by T1"), "{end}");
        assert_eq!(s.outcome().as_deref(), Some("deadlocked"));
        let table = s.table.clone().unwrap().unwrap();
        assert_eq!((table.schedules, table.outcomes["deadlocked"]), (6, 2));
        // The ordered fix never deadlocks.
        let s = s.reduce(Action::Set(Setting::Order(Order::Ordered)));
        assert!(s.schedule.is_empty(), "a new program starts afresh");
        let table = s.table.clone().unwrap().unwrap();
        assert_eq!(table.outcomes.get("deadlocked"), None);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn bad_settings_say_why_and_big_programs_are_not_counted() {
        let s = Rc::new(Scheduler::default());
        let s = s.reduce(Action::Set(Setting::Increments("two".into())));
        assert_eq!(
            s.program.clone().unwrap_err(),
            "increments must be a whole number, not 'two'"
        );
        assert!(s.machines.is_empty() && s.table.is_none());
        // Running or undoing without a program changes nothing and does not panic.
        let s = reduce(s, [Action::Run(0), Action::Undo, Action::Reset]);
        assert!(s.schedule.is_empty());
        let s = reduce(
            s,
            [
                Action::Set(Setting::Program(ProgramKind::Philosophers)),
                Action::Set(Setting::Threads(1)),
            ],
        );
        assert_eq!(
            s.program.clone().unwrap_err(),
            "philosophers needs 2 to 8 threads, not 1"
        );
        // Above the cap the table is refused with the count; the scheduler still works.
        let s = reduce(
            s,
            [
                Action::Set(Setting::Program(ProgramKind::Counter)),
                Action::Set(Setting::Threads(8)),
                Action::Set(Setting::Increments("2".into())),
            ],
        );
        let refused = s.table.clone().unwrap().unwrap_err();
        assert!(
            refused.contains("schedules; at most 10,000,000 are explored"),
            "{refused}"
        );
        let s = s.reduce(Action::Run(7));
        assert_eq!(s.schedule, vec![7]);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_witness_replays_forwards_and_backwards() {
        let s = Rc::new(Scheduler::default());
        let s = s.reduce(Action::Replay("2".into()));
        let r = s.replay.clone().unwrap();
        assert_eq!((r.schedule.clone(), r.at), (vec![0, 0, 1, 1], 0));
        let s = reduce(s, [Action::ReplayNext, Action::ReplayNext]);
        assert_eq!(s.schedule, vec![0, 0]);
        assert_eq!(s.current().unwrap().x, 1);
        let s = s.reduce(Action::ReplayPrevious);
        assert_eq!(
            (s.schedule.clone(), s.replay.clone().unwrap().at),
            (vec![0], 1)
        );
        let s = reduce(
            s,
            [Action::ReplayNext, Action::ReplayNext, Action::ReplayNext],
        );
        assert_eq!(s.outcome().as_deref(), Some("2"));
        // At the end Next step does nothing.
        let end = s.clone().reduce(Action::ReplayNext);
        assert_eq!(end.schedule, vec![0, 0, 1, 1]);
        // While replaying, the Run buttons (and digit keys) are refused with the way forward,
        // even the thread the replay runs next; the replay is kept.
        let s = reduce(s, [Action::Reset, Action::Replay("1".into())]);
        assert!(s.announcement.starts_with(
            "Replaying one schedule that ends with x = 1 (4 steps): use Next step. While replaying"
        ));
        let s = reduce(
            s,
            [Action::ReplayNext, Action::ReplayNext, Action::ReplayNext],
        );
        assert_eq!(s.schedule, vec![0, 1, 0]);
        for thread in [0, 1] {
            let refused = s.clone().reduce(Action::Run(thread));
            assert_eq!(refused.announcement, REPLAY_RUN_REFUSED);
            assert_eq!(
                (&refused.schedule, &refused.replay),
                (&s.schedule, &s.replay)
            );
        }
        // Leaving the replay keeps the steps and gives the Run buttons back.
        let s = s.reduce(Action::ReplayEnd);
        assert_eq!(s.replay, None);
        assert_eq!(
            s.announcement,
            "Left the replay with 3 steps taken: pick the thread to run next"
        );
        let s = s.reduce(Action::Run(1));
        assert_eq!(s.schedule, vec![0, 1, 0, 1]);
        assert_eq!(s.outcome().as_deref(), Some("1"));
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn copy_link_in_a_replay_holds_its_steps_taken_so_far() {
        let s = Rc::new(Scheduler::default()).reduce(Action::Replay("1".into()));
        // At step 0 there is no step to share: Copy link says why instead.
        assert_eq!(
            s.copy_refused(),
            Some(
                "Copy link keeps the replay's steps taken so far: take a step with Next step first"
            )
        );
        let s = reduce(s, [Action::ReplayNext, Action::ReplayNext]);
        assert_eq!(s.copy_refused(), None);
        assert_eq!(
            s.fragment().as_deref(),
            Some("explore=counter&threads=2&increments=1&sync=none&schedule=0.1")
        );
        let s = s.reduce(Action::ReplayPrevious);
        assert_eq!(
            s.fragment().as_deref(),
            Some("explore=counter&threads=2&increments=1&sync=none&schedule=0")
        );
        // Outside a replay an empty schedule is a fine link: the program at its start.
        assert_eq!(Scheduler::default().copy_refused(), None);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn naive_messages_are_stuck_at_once_and_say_why() {
        let s = Rc::new(Scheduler::default())
            .reduce(Action::Set(Setting::Program(ProgramKind::Messages)));
        let stuck = "Every thread receives before anyone sends: nothing can ever run. \
                     Choose order 'ordered' to see the fix.";
        assert_eq!(s.status(), Some(Status::Deadlocked));
        assert_eq!(s.stuck_at_start().as_deref(), Some(stuck));
        assert_eq!(s.announcement, stuck, "said at once");
        // The table's witness has no step: it is said in words, and there is nothing to replay.
        let table = s.table.clone().unwrap().unwrap();
        assert_eq!(table.witnesses["deadlocked"], Vec::<usize>::new());
        assert_eq!(
            before_any_step(ProgramKind::Messages, "deadlocked"),
            "stuck before any step: every thread waits to receive"
        );
        let same = s.clone().reduce(Action::Replay("deadlocked".into()));
        assert_eq!(same.replay, None);
        assert_eq!(same.announcement, s.announcement);
        // The ordered ring is not stuck.
        let s = s.reduce(Action::Set(Setting::Order(Order::Ordered)));
        assert_eq!(s.stuck_at_start(), None);
        assert_eq!(s.status(), Some(Status::Running));
        // Nor are the other programs.
        assert_eq!(Scheduler::default().stuck_at_start(), None);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn links_round_trip_and_bad_links_say_why() {
        let s = reduce(
            Rc::new(Scheduler::default()),
            [Action::Run(0), Action::Run(1), Action::Run(0)],
        );
        let fragment = s.fragment().unwrap();
        assert_eq!(
            fragment,
            "explore=counter&threads=2&increments=1&sync=none&schedule=0.1.0"
        );
        assert!(is_link(&format!("#{fragment}")) && !is_link("#x=abc"));
        let opened = Rc::new(Scheduler::default()).reduce(Action::OpenLink(format!("#{fragment}")));
        assert_eq!(opened.schedule, s.schedule);
        assert_eq!(opened.machines, s.machines);
        assert_eq!(opened.choice, s.choice);
        assert_eq!(opened.opened, 1);
        assert!(
            !Scheduler::default().touched,
            "the address is left alone at first"
        );
        let bad = Rc::new(Scheduler::default())
            .reduce(Action::OpenLink("#explore=philosophers&threads=1".into()));
        assert!(
            !bad.touched,
            "a link that cannot be opened stays in the address"
        );
        let bad = opened.reduce(Action::OpenLink("#explore=philosophers&threads=1".into()));
        assert_eq!(
            bad.link_error.as_deref(),
            Some("This link cannot be opened: philosophers needs 2 to 8 threads, not 1")
        );
        assert_eq!(bad.schedule, s.schedule, "the state shown is kept");
        let bad = bad.reduce(Action::OpenLink(
            "#explore=philosophers&threads=2&schedule=0.1.0".into(),
        ));
        assert_eq!(
            bad.link_error.as_deref(),
            Some("This link cannot be opened: T0 cannot step: fork 1 is held by T1")
        );
        // An unknown value is refused with the reason, the state shown kept.
        let bad = bad.reduce(Action::OpenLink(
            "#explore=philosophers&threads=2&order=try-lock".into(),
        ));
        assert_eq!(
            bad.link_error.as_deref(),
            Some("This link cannot be opened: unknown order 'try-lock' (naive or ordered)")
        );
        assert_eq!(bad.choice, s.choice);
        // The next change clears the error.
        let ok = bad.reduce(Action::Undo);
        assert_eq!(ok.link_error, None);
    }
}
