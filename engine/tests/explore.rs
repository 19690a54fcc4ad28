//! The interleaving explorer against an independent brute force: a tiny interpreter of its own
//! that enumerates every schedule one by one, sharing nothing with the explorer but the program
//! definitions (`Program::threads_steps`, themselves checked against hand-written listings).

use std::collections::BTreeMap;

use engine::explore::{
    ExploreError, Link, LockName, Order, Program, ProgramKind, State, Status, Step, SyncMode,
    explore,
};
use engine::limits::EXPLORE_MAX_SCHEDULES;
use serde_json::json;

fn counter(threads: usize, k: u32, sync: SyncMode) -> Program {
    Program::new(ProgramKind::Counter, threads, Some(k), Some(sync), None).unwrap()
}

fn ordered(kind: ProgramKind, threads: usize, order: Order) -> Program {
    Program::new(kind, threads, None, None, Some(order)).unwrap()
}

// ---- The brute force: its own machine, walking every schedule. ----

#[derive(Clone)]
struct Machine {
    pcs: Vec<usize>,
    regs: Vec<u64>,
    x: u64,
    /// Holder of each lock, by the lock's printed name.
    held: BTreeMap<String, usize>,
    /// Messages per channel number.
    queued: BTreeMap<usize, u64>,
}

struct Tally {
    /// Per outcome: the number of schedules and the least (length, sequence) among them.
    by_outcome: BTreeMap<String, (u64, Vec<usize>)>,
}

fn can_run(steps: &[Vec<Step>], m: &Machine, t: usize) -> bool {
    match steps[t].get(m.pcs[t]) {
        None => false,
        Some(Step::Lock(l)) => !m.held.contains_key(&l.to_string()),
        Some(Step::Recv(c)) => m.queued.get(c).copied().unwrap_or(0) > 0,
        Some(_) => true,
    }
}

fn run(steps: &[Vec<Step>], m: &Machine, t: usize) -> Machine {
    let mut m = m.clone();
    let step = steps[t][m.pcs[t]];
    m.pcs[t] += 1;
    match step {
        Step::Load => m.regs[t] = m.x,
        Step::Store => m.x = m.regs[t] + 1,
        Step::Lock(l) => {
            m.held.insert(l.to_string(), t);
        }
        Step::Unlock(l) => {
            assert_eq!(
                m.held.remove(&l.to_string()),
                Some(t),
                "unlock by the holder"
            );
        }
        Step::Send(c) => *m.queued.entry(c).or_insert(0) += 1,
        Step::Recv(c) => *m.queued.get_mut(&c).unwrap() -= 1,
    }
    m
}

fn walk(
    kind: ProgramKind,
    steps: &[Vec<Step>],
    m: &Machine,
    path: &mut Vec<usize>,
    tally: &mut Tally,
) {
    let runnable: Vec<usize> = (0..steps.len()).filter(|&t| can_run(steps, m, t)).collect();
    if runnable.is_empty() {
        let finished = (0..steps.len()).all(|t| m.pcs[t] == steps[t].len());
        let outcome = match (finished, kind) {
            (true, ProgramKind::Counter) => m.x.to_string(),
            (true, _) => "complete".to_string(),
            (false, _) => "deadlocked".to_string(),
        };
        let slot = tally.by_outcome.entry(outcome).or_insert((0, path.clone()));
        slot.0 += 1;
        if (path.len(), &*path) < (slot.1.len(), &slot.1) {
            slot.1 = path.clone();
        }
        return;
    }
    for t in runnable {
        path.push(t);
        walk(kind, steps, &run(steps, m, t), path, tally);
        path.pop();
    }
}

fn brute_force(p: &Program) -> Tally {
    let steps = p.threads_steps();
    let m = Machine {
        pcs: vec![0; steps.len()],
        regs: vec![0; steps.len()],
        x: 0,
        held: BTreeMap::new(),
        queued: BTreeMap::new(),
    };
    let mut tally = Tally {
        by_outcome: BTreeMap::new(),
    };
    walk(p.kind(), steps, &m, &mut Vec::new(), &mut tally);
    tally
}

fn all_small_programs() -> Vec<Program> {
    let mut out = Vec::new();
    for sync in [SyncMode::None, SyncMode::Lock] {
        for threads in 1..=4 {
            for k in 1..=3 {
                out.push(counter(threads, k, sync));
            }
        }
    }
    for kind in [ProgramKind::Philosophers, ProgramKind::Messages] {
        for order in [Order::Naive, Order::Ordered] {
            for threads in 2..=4 {
                out.push(ordered(kind, threads, order));
            }
        }
    }
    out
}

/// Small enough for the brute force to walk every schedule quickly.
const BRUTE_FORCE_MOST: u128 = 200_000;

#[test]
fn the_dynamic_programme_agrees_with_the_brute_force() {
    let mut checked = 0;
    for p in all_small_programs() {
        let count = p.count_schedules().unwrap();
        if count > BRUTE_FORCE_MOST {
            continue;
        }
        let tally = brute_force(&p);
        let e = explore(&p).unwrap();
        let brute_total: u64 = tally.by_outcome.values().map(|(n, _)| n).sum();
        assert_eq!(e.schedules, brute_total, "{p}");
        assert_eq!(u128::from(e.schedules), count, "{p}");
        let brute_counts: BTreeMap<String, u64> = tally
            .by_outcome
            .iter()
            .map(|(k, (n, _))| (k.clone(), *n))
            .collect();
        assert_eq!(e.outcomes, brute_counts, "{p}");
        let brute_witnesses: BTreeMap<String, Vec<usize>> = tally
            .by_outcome
            .iter()
            .map(|(k, (_, w))| (k.clone(), w.clone()))
            .collect();
        assert_eq!(e.witnesses, brute_witnesses, "{p}");
        // Each witness replays, through the public step semantics, to its outcome.
        for (outcome, witness) in &e.witnesses {
            let states = p.replay(witness).unwrap();
            let last = states.last().unwrap();
            assert_ne!(p.status(last), Status::Running, "{p}: {witness:?}");
            assert_eq!(p.outcome(last).as_deref(), Some(outcome.as_str()), "{p}");
        }
        checked += 1;
    }
    assert!(
        checked >= 30,
        "only {checked} configurations were small enough"
    );
}

#[test]
fn programs_are_the_listed_steps() {
    use Step::*;
    let m = LockName::M;
    assert_eq!(
        counter(2, 1, SyncMode::None).threads_steps(),
        &[vec![Load, Store], vec![Load, Store]]
    );
    assert_eq!(
        counter(1, 2, SyncMode::Lock).threads_steps(),
        &[vec![
            Lock(m),
            Load,
            Store,
            Unlock(m),
            Lock(m),
            Load,
            Store,
            Unlock(m)
        ]]
    );
    let f = LockName::Fork;
    assert_eq!(
        ordered(ProgramKind::Philosophers, 3, Order::Naive).threads_steps()[2],
        vec![Lock(f(2)), Lock(f(0)), Unlock(f(0)), Unlock(f(2))]
    );
    assert_eq!(
        ordered(ProgramKind::Philosophers, 3, Order::Ordered).threads_steps()[2],
        vec![Lock(f(0)), Lock(f(2)), Unlock(f(2)), Unlock(f(0))]
    );
    assert_eq!(
        ordered(ProgramKind::Messages, 3, Order::Naive).threads_steps(),
        &[
            vec![Recv(0), Send(1)],
            vec![Recv(1), Send(2)],
            vec![Recv(2), Send(0)]
        ]
    );
    assert_eq!(
        ordered(ProgramKind::Messages, 3, Order::Ordered).threads_steps()[0],
        vec![Send(1), Recv(0)]
    );
    let words: Vec<String> = [Load, Store, Lock(m), Unlock(f(1)), Send(0), Recv(2)]
        .iter()
        .map(Step::to_string)
        .collect();
    assert_eq!(
        words,
        [
            "load r <- x",
            "store x <- r + 1",
            "lock m",
            "unlock fork 1",
            "send c0",
            "recv c2"
        ]
    );
}

// ---- The examples, explicitly. ----

#[test]
fn two_racy_increments_lose_an_update_in_four_of_six_schedules() {
    let e = explore(&counter(2, 1, SyncMode::None)).unwrap();
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({
            "program": "counter",
            "threads": 2,
            "increments": 1,
            "sync": "none",
            "schedules": 6,
            "outcomes": {"1": 4, "2": 2},
            "witnesses": {"1": [0, 1, 0, 1], "2": [0, 0, 1, 1]}
        })
    );
}

#[test]
fn the_lock_makes_every_schedule_count_to_t_times_k() {
    let e = explore(&counter(2, 1, SyncMode::Lock)).unwrap();
    assert_eq!(e.schedules, 2);
    assert_eq!(e.outcomes, BTreeMap::from([("2".to_string(), 2)]));
    let e = explore(&counter(3, 2, SyncMode::Lock)).unwrap();
    assert_eq!(e.schedules, 90); // 6! / (2! 2! 2!)
    assert_eq!(e.outcomes, BTreeMap::from([("6".to_string(), 90)]));
}

#[test]
fn two_naive_philosophers_deadlock_in_two_of_six_schedules() {
    let e = explore(&ordered(ProgramKind::Philosophers, 2, Order::Naive)).unwrap();
    assert_eq!(e.schedules, 6);
    assert_eq!(e.outcomes["complete"], 4);
    assert_eq!(e.outcomes["deadlocked"], 2);
    assert_eq!(e.witnesses["deadlocked"], vec![0, 1]);
    assert_eq!(e.witnesses["complete"], vec![0, 0, 0, 0, 1, 1, 1, 1]);
    let e = explore(&ordered(ProgramKind::Philosophers, 2, Order::Ordered)).unwrap();
    assert_eq!(e.schedules, 2);
    assert_eq!(e.outcomes, BTreeMap::from([("complete".to_string(), 2)]));
    assert_eq!(serde_json::to_value(&e).unwrap()["order"], json!("ordered"));
}

#[test]
fn a_naive_ring_deadlocks_before_any_step_and_the_fix_always_completes() {
    for threads in 2..=5 {
        let e = explore(&ordered(ProgramKind::Messages, threads, Order::Naive)).unwrap();
        assert_eq!(e.schedules, 1);
        assert_eq!(e.outcomes, BTreeMap::from([("deadlocked".to_string(), 1)]));
        assert_eq!(e.witnesses["deadlocked"], Vec::<usize>::new());
        let e = explore(&ordered(ProgramKind::Messages, threads, Order::Ordered)).unwrap();
        assert!(e.schedules >= 1);
        assert_eq!(e.outcomes.keys().collect::<Vec<_>>(), ["complete"]);
    }
}

// ---- Step-by-step semantics, as the page drives them. ----

#[test]
fn stepping_refuses_a_blocked_or_finished_thread_and_reports_status() {
    let p = ordered(ProgramKind::Philosophers, 2, Order::Naive);
    let s0 = p.initial();
    assert_eq!(p.enabled(&s0), vec![true, true]);
    assert_eq!(p.status(&s0), Status::Running);
    assert_eq!(p.outcome(&s0), None);
    let s1 = p.step(&s0, 0).unwrap();
    assert_eq!(s1.locks, vec![Some(0), None]);
    let s2 = p.step(&s1, 1).unwrap();
    assert_eq!(p.enabled(&s2), vec![false, false]);
    assert_eq!(p.status(&s2), Status::Deadlocked);
    assert_eq!(
        p.step(&s2, 0).unwrap_err().to_string(),
        "T0 cannot step: fork 1 is held by T1"
    );
    assert!(matches!(
        p.step(&s2, 2),
        Err(ExploreError::NotEnabled { thread: 2, .. })
    ));

    let c = counter(1, 1, SyncMode::None);
    let done = c.replay(&[0, 0]).unwrap().pop().unwrap();
    assert_eq!(c.status(&done), Status::Complete);
    assert_eq!(c.outcome(&done).as_deref(), Some("1"));
    assert_eq!(
        c.step(&done, 0).unwrap_err().to_string(),
        "T0 cannot step: it has finished"
    );

    let ring = ordered(ProgramKind::Messages, 2, Order::Naive);
    assert_eq!(
        ring.step(&ring.initial(), 1).unwrap_err().to_string(),
        "T1 cannot step: c1 holds no message"
    );
}

#[test]
fn states_serialize_for_the_page() {
    let p = counter(2, 1, SyncMode::Lock);
    let s = p.replay(&[0, 0]).unwrap().pop().unwrap();
    assert_eq!(
        serde_json::to_value(&s).unwrap(),
        json!({"pcs": [2, 0], "registers": [0, 0], "x": 0, "locks": [0], "channels": []})
    );
    let expected = State {
        pcs: vec![2, 0],
        registers: vec![0, 0],
        x: 0,
        locks: vec![Some(0)],
        channels: vec![],
    };
    assert_eq!(s, expected);
}

#[test]
fn a_witness_reads_as_words() {
    let p = counter(2, 1, SyncMode::None);
    assert_eq!(
        p.narrate(&[0, 1, 0, 1]).unwrap(),
        [
            "T0: load r <- x (r0 = 0)",
            "T1: load r <- x (r1 = 0)",
            "T0: store x <- r + 1 (x = 1)",
            "T1: store x <- r + 1 (x = 1)"
        ]
    );
    let p = ordered(ProgramKind::Philosophers, 2, Order::Naive);
    assert_eq!(
        p.narrate(&[0, 0, 0]).unwrap(),
        [
            "T0: lock fork 0 (held by T0)",
            "T0: lock fork 1 (held by T0)",
            "T0: unlock fork 1 (free)"
        ]
    );
    let p = ordered(ProgramKind::Messages, 2, Order::Ordered);
    assert_eq!(
        p.narrate(&[0, 1]).unwrap(),
        ["T0: send c1 (c1 holds 1)", "T1: recv c1 (c1 holds 0)"]
    );
}

// ---- Validation, the cap and the link. ----

#[test]
fn options_are_checked_not_ignored() {
    let err = |kind, threads, k, sync, order| {
        Program::new(kind, threads, k, sync, order)
            .unwrap_err()
            .to_string()
    };
    use ProgramKind::*;
    assert_eq!(
        err(Philosophers, 2, Some(1), None, None),
        "--increments applies only to counter"
    );
    assert_eq!(
        err(Messages, 2, None, Some(SyncMode::Lock), None),
        "--sync applies only to counter"
    );
    assert_eq!(
        err(Counter, 2, None, None, Some(Order::Naive)),
        "--order applies only to philosophers and messages"
    );
    assert_eq!(
        err(Philosophers, 1, None, None, None),
        "philosophers needs 2 to 8 threads, not 1"
    );
    assert_eq!(
        err(Counter, 0, None, None, None),
        "counter needs 1 to 8 threads, not 0"
    );
    assert_eq!(
        err(Counter, 9, None, None, None),
        "counter needs 1 to 8 threads, not 9"
    );
    assert_eq!(
        err(Counter, 2, Some(0), None, None),
        "increments must be 1 to 100, not 0"
    );
    assert_eq!(
        "dining".parse::<ProgramKind>().unwrap_err().to_string(),
        "unknown program 'dining' (counter, philosophers or messages)"
    );
    assert!("lock".parse::<SyncMode>().is_ok() && "spin".parse::<SyncMode>().is_err());
    assert!("ordered".parse::<Order>().is_ok() && "random".parse::<Order>().is_err());
    // Defaults fill the options that apply.
    let p = Program::new(Counter, 2, None, None, None).unwrap();
    assert_eq!(
        (p.increments(), p.sync(), p.order()),
        (Some(1), Some(SyncMode::None), None)
    );
    let p = Program::new(Messages, 2, None, None, None).unwrap();
    assert_eq!(
        (p.increments(), p.sync(), p.order()),
        (None, None, Some(Order::Naive))
    );
}

#[test]
fn requests_above_the_cap_are_refused_with_their_count() {
    let p = counter(2, 12, SyncMode::None);
    assert_eq!(p.count_schedules().unwrap(), 32_247_603_683_100);
    let e = explore(&p).unwrap_err();
    assert_eq!(
        e,
        ExploreError::TooManySchedules {
            program: "counter, 2 threads x 12 increments, sync none".to_string(),
            schedules: 32_247_603_683_100
        }
    );
    assert_eq!(
        e.to_string(),
        "counter, 2 threads x 12 increments, sync none has 32,247,603,683,100 schedules; \
         at most 10,000,000 are explored"
    );
    // Just under and just over the cap.
    let under = counter(6, 1, SyncMode::None); // 12! / 2^6 = 7,484,400
    assert!(under.count_schedules().unwrap() <= u128::from(EXPLORE_MAX_SCHEDULES));
    let over = counter(4, 2, SyncMode::None); // 16! / (4!)^4 = 63,063,000
    assert!(matches!(
        explore(&over),
        Err(ExploreError::TooManySchedules {
            schedules: 63_063_000,
            ..
        })
    ));
    // Too many to count in 128 bits is refused too, without hanging.
    let huge = counter(8, 100, SyncMode::None);
    assert!(matches!(
        explore(&huge),
        Err(ExploreError::CountOverflow { .. })
    ));
    // The largest philosophers and rings are counted by states within the limit.
    for kind in [ProgramKind::Philosophers, ProgramKind::Messages] {
        for order in [Order::Naive, Order::Ordered] {
            assert!(ordered(kind, 8, order).count_schedules().is_ok());
        }
    }
}

#[test]
fn the_largest_exploration_under_the_cap_finishes() {
    let e = explore(&counter(6, 1, SyncMode::None)).unwrap();
    assert_eq!(e.schedules, 7_484_400);
    assert_eq!(e.outcomes.values().sum::<u64>(), e.schedules);
    assert_eq!(e.witnesses["6"], vec![0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // To end at 1 the last store must come from a thread that loaded 0: T1 loads 0 early and
    // stores last, after everyone else.
    assert_eq!(e.witnesses["1"], vec![0, 1, 0, 2, 2, 3, 3, 4, 4, 5, 5, 1]);
}

#[test]
fn links_round_trip_and_replay() {
    let link = Link {
        program: counter(2, 1, SyncMode::None),
        schedule: vec![0, 1, 0, 1],
    };
    let fragment = link.to_fragment();
    assert_eq!(
        fragment,
        "explore=counter&threads=2&increments=1&sync=none&schedule=0.1.0.1"
    );
    assert_eq!(Link::parse(&fragment).unwrap(), link);
    assert_eq!(Link::parse(&format!("#{fragment}")).unwrap(), link);
    for program in all_small_programs() {
        let e = explore(&program);
        let Ok(e) = e else { continue };
        for witness in e.witnesses.values() {
            let link = Link {
                program: program.clone(),
                schedule: witness.clone(),
            };
            assert_eq!(Link::parse(&link.to_fragment()).unwrap(), link);
        }
    }
    let empty = Link {
        program: ordered(ProgramKind::Messages, 3, Order::Naive),
        schedule: vec![],
    };
    assert_eq!(
        empty.to_fragment(),
        "explore=messages&threads=3&order=naive&schedule="
    );
    assert_eq!(Link::parse(&empty.to_fragment()).unwrap(), empty);
}

#[test]
fn bad_links_are_refused() {
    let bad = |f: &str| Link::parse(f).unwrap_err().to_string();
    assert_eq!(
        bad("explore=philosophers&threads=2&order=naive&schedule=0.1.0"),
        "T0 cannot step: fork 1 is held by T1"
    );
    assert_eq!(
        bad("explore=counter&threads=2&order=naive&schedule="),
        "--order applies only to philosophers and messages"
    );
    assert_eq!(
        bad("explore=counter&threads=2&threads=3"),
        "bad explore link: 'threads' is given twice"
    );
    assert_eq!(
        bad("explore=counter&threads=2&colour=red"),
        "bad explore link: unknown key 'colour'"
    );
    assert_eq!(
        bad("explore=counter&threads=2&schedule=0.x"),
        "bad explore link: schedule step 'x' is not a thread"
    );
    assert_eq!(
        bad("threads=2"),
        "bad explore link: it names no program (explore=...)"
    );
    assert_eq!(
        bad("explore=counter&threads=2&schedule=0.0.0"),
        "T0 cannot step: it has finished"
    );
    let long = format!("explore=counter&threads=2&schedule={}", "0.".repeat(10_000));
    assert!(bad(&long).starts_with("bad explore link: it is 20035 characters long"));
    assert_eq!(
        bad("explore=counter&threads=2&schedule=2"),
        "T2 cannot step: there is no thread 2"
    );
}

/// No request the cap lets through runs into the state limit: every program with at most
/// `EXPLORE_MAX_SCHEDULES` schedules is explored, and its total is the count the cap checked.
#[test]
fn every_request_under_the_cap_is_explored() {
    let mut programs = Vec::new();
    for sync in [SyncMode::None, SyncMode::Lock] {
        for threads in 1..=engine::limits::EXPLORE_MAX_THREADS {
            for k in 1..=engine::limits::EXPLORE_MAX_INCREMENTS {
                programs.push(counter(threads, k, sync));
            }
        }
    }
    for kind in [ProgramKind::Philosophers, ProgramKind::Messages] {
        for order in [Order::Naive, Order::Ordered] {
            for threads in 2..=engine::limits::EXPLORE_MAX_THREADS {
                programs.push(ordered(kind, threads, order));
            }
        }
    }
    let mut explored = 0;
    for p in programs {
        match p.count_schedules() {
            Ok(n) if n <= u128::from(EXPLORE_MAX_SCHEDULES) => {
                let e = explore(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
                assert_eq!(u128::from(e.schedules), n, "{p}");
                explored += 1;
            }
            Ok(_) | Err(ExploreError::CountOverflow { .. }) => {
                assert!(matches!(
                    explore(&p),
                    Err(ExploreError::TooManySchedules { .. } | ExploreError::CountOverflow { .. })
                ));
            }
            Err(e) => panic!("{p}: {e}"),
        }
    }
    assert!(explored > 200, "{explored}");
}
