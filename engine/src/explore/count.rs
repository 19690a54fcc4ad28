//! Counting schedules: the cheap count for the cap check and the full exploration by outcome,
//! both memoized dynamic programmes over states (see `README.md` for why the counts are exact).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{ExploreError, Order, Program, ProgramKind, State, Step, SyncMode};
use crate::limits::{EXPLORE_MAX_SCHEDULES, EXPLORE_MAX_STATES};

/// Every schedule of a program, counted by outcome, with the shortest witness of each outcome.
/// Serializes as `{"program", "threads", ["increments", "sync", "order",] "schedules",
/// "outcomes", "witnesses"}`, the options present only where they apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exploration {
    /// The program's name (`counter`, `philosophers`, `messages`).
    pub program: String,
    pub threads: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub increments: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
    /// How many distinct step sequences run the program to its end (complete or deadlocked).
    pub schedules: u64,
    /// How many of them end in each outcome (see [`Program::outcome`]).
    pub outcomes: BTreeMap<String, u64>,
    /// For each outcome, its shortest schedule (thread indices), the lexicographically least of
    /// the shortest, so the output is deterministic.
    pub witnesses: BTreeMap<String, Vec<usize>>,
}

/// The schedules from one state that end in one outcome.
#[derive(Debug, Clone, Copy)]
struct Entry {
    count: u64,
    /// The length of the shortest of them.
    len: u32,
    /// The first step of the lexicographically least shortest one ([`NONE`] at the end). The
    /// rest of that witness is the same choice from the next state, since candidates starting
    /// with different threads already differ in their first element.
    first: u32,
}

const NONE: u32 = u32::MAX;

/// Per outcome (by its index in [`Explorer::outcomes`]), in increasing order.
type Summary = Box<[(u32, Entry)]>;

/// A state packed into what its future depends on, as the memo's key: program counters, lock
/// owners, channel lengths and, when `values`, `x` and the live registers. A register is dead
/// when its thread will load before it next stores (or never stores again): two states that
/// differ only there have the same schedules with the same outcomes, so they share one entry.
/// Without this, the stale registers of threads past their increments multiply the states.
fn key(live: &[Vec<bool>], state: &State, values: bool) -> Box<[u32]> {
    let small = |v: u64| u32::try_from(v).expect("values are bounded by the limits");
    let mut k = Vec::with_capacity(2 * state.pcs.len() + state.locks.len() + 4);
    k.extend(state.pcs.iter().map(|&pc| pc as u32));
    if values {
        k.push(small(state.x));
        for (t, &r) in state.registers.iter().enumerate() {
            k.push(if live[t][state.pcs[t]] { small(r) } else { 0 });
        }
    }
    k.extend(state.locks.iter().map(|o| o.map_or(0, |t| t as u32 + 1)));
    k.extend(state.channels.iter().map(|&c| small(c)));
    k.into_boxed_slice()
}

/// For each thread and program counter (one past the end included), whether the register is
/// live there: the next of its loads and stores is a store.
fn live_registers(program: &Program) -> Vec<Vec<bool>> {
    program
        .threads_steps()
        .iter()
        .map(|steps| {
            (0..=steps.len())
                .map(|pc| {
                    steps[pc..]
                        .iter()
                        .find(|s| matches!(s, Step::Load | Step::Store))
                        == Some(&Step::Store)
                })
                .collect()
        })
        .collect()
}

struct Explorer<'a> {
    program: &'a Program,
    live: Vec<Vec<bool>>,
    memo: HashMap<Box<[u32]>, Summary>,
    outcomes: Vec<String>,
}

impl Explorer<'_> {
    fn outcome_id(&mut self, key: String) -> u32 {
        match self.outcomes.iter().position(|o| *o == key) {
            Some(i) => i as u32,
            None => {
                self.outcomes.push(key);
                (self.outcomes.len() - 1) as u32
            }
        }
    }

    fn key(&self, state: &State) -> Box<[u32]> {
        key(&self.live, state, true)
    }

    /// The schedules from `state` by outcome. They partition by their first step, so each
    /// outcome's count is the sum over enabled threads of the count from the next state.
    fn summary(&mut self, state: &State) -> Result<Summary, ExploreError> {
        let key = self.key(state);
        if let Some(s) = self.memo.get(&key) {
            return Ok(s.clone());
        }
        let mut summary: BTreeMap<u32, Entry> = BTreeMap::new();
        if let Some(outcome) = self.program.outcome(state) {
            let id = self.outcome_id(outcome);
            summary.insert(
                id,
                Entry {
                    count: 1,
                    len: 0,
                    first: NONE,
                },
            );
        } else {
            for t in 0..self.program.threads {
                if !self.program.can_step(state, t) {
                    continue;
                }
                let next = self.program.step(state, t)?;
                for &(id, e) in self.summary(&next)?.iter() {
                    let slot = summary.entry(id).or_insert(Entry {
                        count: 0,
                        len: u32::MAX,
                        first: NONE,
                    });
                    slot.count = slot.count.checked_add(e.count).ok_or_else(|| {
                        ExploreError::CountOverflow {
                            program: self.program.to_string(),
                        }
                    })?;
                    // Threads come in increasing order: a later one wins only if strictly shorter.
                    if e.len + 1 < slot.len {
                        slot.len = e.len + 1;
                        slot.first = t as u32;
                    }
                }
            }
        }
        if self.memo.len() >= EXPLORE_MAX_STATES {
            return Err(ExploreError::TooManyStates {
                program: self.program.to_string(),
            });
        }
        let summary: Summary = summary.into_iter().collect();
        self.memo.insert(key, summary.clone());
        Ok(summary)
    }
}

/// Counts every schedule of `program` by outcome, with a witness for each, refusing (with the
/// count) a program with more than [`EXPLORE_MAX_SCHEDULES`] schedules before exploring.
pub fn explore(program: &Program) -> Result<Exploration, ExploreError> {
    let total = program.count_schedules()?;
    if total > u128::from(EXPLORE_MAX_SCHEDULES) {
        return Err(ExploreError::TooManySchedules {
            program: program.to_string(),
            schedules: total,
        });
    }
    let mut explorer = Explorer {
        program,
        live: live_registers(program),
        memo: HashMap::new(),
        outcomes: Vec::new(),
    };
    let initial = program.initial();
    let summary = explorer.summary(&initial)?;
    let mut outcomes = BTreeMap::new();
    let mut witnesses = BTreeMap::new();
    for &(id, entry) in summary.iter() {
        let key = explorer.outcomes[id as usize].clone();
        let mut witness = Vec::with_capacity(entry.len as usize);
        let mut state = initial.clone();
        loop {
            let here = &explorer.memo[&explorer.key(&state)];
            let at = here.binary_search_by_key(&id, |&(i, _)| i);
            let t = here[at.expect("every outcome of a state is reachable from it")]
                .1
                .first;
            if t == NONE {
                break;
            }
            witness.push(t as usize);
            state = program.step(&state, t as usize)?;
        }
        outcomes.insert(key.clone(), entry.count);
        witnesses.insert(key, witness);
    }
    let schedules = outcomes.values().sum();
    debug_assert_eq!(u128::from(schedules), total);
    Ok(Exploration {
        program: program.kind.name().to_string(),
        threads: program.threads,
        increments: program.increments,
        sync: program.sync,
        order: program.order,
        schedules,
        outcomes,
        witnesses,
    })
}

/// The number of schedules, without exploring outcomes. The counter's has a closed form: with no
/// sync it is the multinomial (sum of steps)! / prod(steps!) since every step is always enabled;
/// with the lock each increment's four steps run without interruption (every other unfinished
/// thread waits at `lock m`), so it is the multinomial over increments. The other programs use
/// the dynamic programme on the part of the state that decides which steps are enabled.
pub(super) fn count_schedules(program: &Program) -> Result<u128, ExploreError> {
    let overflow = || ExploreError::CountOverflow {
        program: program.to_string(),
    };
    match program.kind {
        ProgramKind::Counter => {
            let k = u128::from(program.increments.unwrap_or(1));
            let per_thread = match program.sync {
                Some(SyncMode::Lock) => k,
                _ => 2 * k,
            };
            multinomial(&vec![per_thread; program.threads]).ok_or_else(overflow)
        }
        ProgramKind::Philosophers | ProgramKind::Messages => count_by_states(program),
    }
}

/// The number of schedules by the dynamic programme over states, for any program. Registers and
/// `x` never decide whether a step is enabled, so they are left out of the memo key.
pub(super) fn count_by_states(program: &Program) -> Result<u128, ExploreError> {
    fn go(
        program: &Program,
        state: &State,
        memo: &mut HashMap<Box<[u32]>, u128>,
    ) -> Result<u128, ExploreError> {
        let key = key(&[], state, false);
        if let Some(&n) = memo.get(&key) {
            return Ok(n);
        }
        let mut n: u128 = 0;
        let mut ended = true;
        for t in 0..program.threads {
            if program.can_step(state, t) {
                ended = false;
                let next = program.step(state, t)?;
                n = n.checked_add(go(program, &next, memo)?).ok_or_else(|| {
                    ExploreError::CountOverflow {
                        program: program.to_string(),
                    }
                })?;
            }
        }
        if ended {
            n = 1;
        }
        if memo.len() >= EXPLORE_MAX_STATES {
            return Err(ExploreError::TooManyStates {
                program: program.to_string(),
            });
        }
        memo.insert(key, n);
        Ok(n)
    }
    go(program, &program.initial(), &mut HashMap::new())
}

/// (sum of parts)! / prod(part!), or `None` when it exceeds `u128`. Built as a product of
/// binomials, each by the exact multiply-then-divide recurrence with the common factor taken out
/// first, so it overflows only when the result itself does.
fn multinomial(parts: &[u128]) -> Option<u128> {
    fn gcd(mut a: u128, mut b: u128) -> u128 {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    }
    let mut result: u128 = 1;
    let mut total: u128 = 0;
    for &part in parts {
        // result *= C(total + part, part)
        let mut binomial: u128 = 1;
        for j in 1..=part {
            let mut num = total + j;
            let mut den = j;
            let g = gcd(binomial, den);
            binomial /= g;
            den /= g;
            let g = gcd(num, den);
            num /= g;
            den /= g;
            debug_assert_eq!(den, 1);
            binomial = binomial.checked_mul(num)?;
        }
        result = result.checked_mul(binomial)?;
        total += part;
    }
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multinomial_matches_small_cases_and_overflows_cleanly() {
        assert_eq!(multinomial(&[2, 2]), Some(6));
        assert_eq!(multinomial(&[24, 24]), Some(32_247_603_683_100));
        assert_eq!(multinomial(&[1, 1, 1]), Some(6));
        assert_eq!(multinomial(&[]), Some(1));
        assert_eq!(multinomial(&[200; 8]), None);
    }

    #[test]
    fn the_closed_form_agrees_with_the_dynamic_programme() {
        for sync in [SyncMode::None, SyncMode::Lock] {
            for threads in 1..=3 {
                for k in 1..=3 {
                    let p = Program::new(ProgramKind::Counter, threads, Some(k), Some(sync), None)
                        .unwrap();
                    assert_eq!(
                        count_schedules(&p).unwrap(),
                        count_by_states(&p).unwrap(),
                        "{p}"
                    );
                }
            }
        }
    }
}
