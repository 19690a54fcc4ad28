//! The hazards a correct concurrent program must avoid, made to happen for real: the dining
//! philosophers deadlock in every model whose workers are threads, and the engine finds the
//! cycle, ends the run and names it; the ordered and try-lock orders eat every meal.
//!
//! The detection waits for no timer: a cycle is found by the wait that closes it. Whether the
//! cycle forms is up to the scheduler (every philosopher must hold a left fork at once), so the
//! naive runs give it a thousand meals, each holding a fork for 5 ms: a thousand chances, which a
//! busy machine does not take away (a descheduled philosopher holding a fork only makes the
//! others wait for it). One test body per model, as in `models.rs`.

#[macro_use]
mod common;
use common::env;

use engine::spec::{ModelSpec, ParamValue, WorkloadSpec};
use engine::{ModelKind, RunConfig, RunError, WorkloadKind, run_once};

const PHILOSOPHERS: u64 = 3;

fn philosophers(order: &str, meals: u64, hold_ms: u64) -> WorkloadSpec {
    let mut w = WorkloadSpec::new(WorkloadKind::Philosophers);
    w.set("n", ParamValue::Int(meals)).unwrap();
    w.set("philosophers", ParamValue::Int(PHILOSOPHERS))
        .unwrap();
    w.set("hold_ms", ParamValue::Int(hold_ms)).unwrap();
    w.set("order", ParamValue::Text(order.into())).unwrap();
    w
}

fn run(model: ModelKind, w: &WorkloadSpec) -> Result<engine::RunOutcome, RunError> {
    let workers = if model == ModelKind::Sequential {
        1
    } else {
        PHILOSOPHERS as usize
    };
    let cfg = RunConfig {
        workload: w.clone(),
        model: ModelSpec::new(model),
        workers,
        timeline: true,
    };
    run_once(&cfg, &env())
}

/// What each model does with the naive order, from its descriptor: threads that share memory
/// deadlock; one thread (sequential, the event loop) eats everything, a philosopher at a time;
/// separate processes share no forks and refuse.
fn one_model(model: ModelKind) {
    let host = model.info().host;
    // One thread eats a philosopher at a time: a few meals show it; threads get a thousand.
    let meals = if host.needs_threads() { 1_000 } else { 20 };
    let naive = philosophers("naive", meals, 5);
    match run(model, &naive) {
        Err(RunError::Deadlock(d)) => {
            assert!(host.needs_threads(), "{model} deadlocked: {d}");
            assert_eq!(d.cycle.len(), PHILOSOPHERS as usize, "{d}");
            let mut tasks: Vec<u32> = d.cycle.iter().map(|e| e.task).collect();
            tasks.sort_unstable();
            assert_eq!(tasks, [0, 1, 2], "every philosopher is in the cycle: {d}");
            for (i, e) in d.cycle.iter().enumerate() {
                // Philosopher t holds its left fork and waits for its right.
                assert_eq!(e.holds, format!("fork {}", e.task), "{d}");
                assert_eq!(e.waits_for, format!("fork {}", (e.task + 1) % 3), "{d}");
                // Each waits for what the next one holds.
                let next = &d.cycle[(i + 1) % d.cycle.len()];
                assert_eq!(e.waits_for, next.holds, "{d}");
                assert!(e.since <= d.at, "{d}");
            }
            assert!(d.to_string().starts_with("deadlock: worker "), "{d}");
        }
        Err(RunError::Unsupported { reason, .. }) => {
            assert!(host.own_memory(), "{model}: {reason}");
            assert!(reason.contains("forks"), "{reason}");
            return;
        }
        Err(e) => panic!("{model}: {e}"),
        Ok(out) => {
            assert!(!host.needs_threads(), "{model} never deadlocked");
            assert_eq!(out.answer.output, b"meals 60\nshared 0\n");
        }
    }
    // The next runs work: the ordered order and try-lock eat every meal, with no fork ever in
    // two hands, and the locks' counts add up.
    for order in ["ordered", "try-lock"] {
        let out = run(model, &philosophers(order, 30, 1))
            .unwrap_or_else(|e| panic!("{model} {order}: {e}"));
        assert_eq!(
            out.answer.output, b"meals 90\nshared 0\n",
            "{model} {order}"
        );
        let locks = out.locks.expect("the forks are counted");
        let taken: u64 = locks.acquisitions.iter().sum();
        // Two forks a meal, and one more for every retry (the left fork, put down again).
        assert_eq!(taken, 2 * 90 + locks.retries, "{model} {order}: {locks:?}");
        if order == "ordered" {
            assert_eq!(locks.retries, 0);
        }
        // Equal by design: each philosopher eats the same meals, so no index is claimed.
        assert_eq!(locks.fairness, None, "{locks:?}");
        // Time blocked is measured per worker, for the workers of the run only.
        assert!(
            locks.blocked_per_worker.len() <= PHILOSOPHERS as usize,
            "{locks:?}"
        );
        assert!(
            locks.blocked_per_worker.iter().all(|&b| b >= 0.0),
            "{locks:?}"
        );
        for t in &out.records.tasks {
            assert!(t.blocked <= t.wait + 1e-9, "blocked is part of wait: {t:?}");
        }
    }
}

macro_rules! hazard_tests {
    ($($module:ident => $model:expr),* $(,)?) => {
        $(
            #[test]
            fn $module() {
                one_model($model);
            }
        )*
    };
}

for_each_model!(hazard_tests);

/// The shared counter's mutex counts who took it: every increment once, and a fairness index
/// between 1/workers and 1.
#[test]
fn counter_mutex_counts_acquisitions_per_worker() {
    let mut w = WorkloadSpec::new(WorkloadKind::Counter);
    w.set("n", ParamValue::Int(40_000)).unwrap();
    w.set("variant", ParamValue::Text("mutex".into())).unwrap();
    w.set("tasks", ParamValue::Int(16)).unwrap();
    for model in [
        ModelKind::DynamicPool,
        ModelKind::StaticPool,
        ModelKind::Gil,
    ] {
        let cfg = RunConfig {
            workload: w.clone(),
            model: ModelSpec::new(model),
            workers: 2,
            timeline: false,
        };
        let out = run_once(&cfg, &env()).unwrap();
        let locks = out.locks.expect("the mutex is counted");
        assert_eq!(locks.acquisitions.iter().sum::<u64>(), 40_000, "{model}");
        let fairness = locks.fairness.expect("the counter's shares are measured");
        assert!((0.5..=1.0).contains(&fairness), "{model}: {fairness}");
    }
    // Other variants have no lock to count.
    w.set("variant", ParamValue::Text("atomic".into())).unwrap();
    let cfg = RunConfig {
        workload: w,
        model: ModelSpec::new(ModelKind::DynamicPool),
        workers: 2,
        timeline: false,
    };
    assert!(run_once(&cfg, &env()).unwrap().locks.is_none());
}

/// A stop ends a philosopher between meals, not after them: two philosophers with a thousand
/// meals of 50 ms pauses each (a minute of eating) are stopped mid-task, so the run ends
/// cancelled instead of finishing. No clock is read: a stop that waited for the tasks to end
/// would make the run succeed.
#[test]
fn a_stop_ends_philosophers_mid_meal() {
    let mut w = WorkloadSpec::new(WorkloadKind::Philosophers);
    w.set("n", ParamValue::Int(1000)).unwrap();
    w.set("philosophers", ParamValue::Int(2)).unwrap();
    w.set("hold_ms", ParamValue::Int(50)).unwrap();
    for order in ["ordered", "try-lock"] {
        w.set("order", ParamValue::Text(order.into())).unwrap();
        let env = env();
        let cancel = env.control.cancel.clone();
        let cfg = RunConfig {
            workload: w.clone(),
            model: ModelSpec::new(ModelKind::StaticPool),
            workers: 2,
            timeline: true,
        };
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        let r = run_once(&cfg, &env);
        stopper.join().unwrap();
        assert!(
            matches!(r, Err(RunError::Cancelled)),
            "{order}: {:?}",
            r.map(|o| o.answer)
        );
    }
}
