//! Where the time went: every model's breakdown adds up to workers x wall time, and it shows
//! what it claims to (idle time of static chunks on uneven work).

mod common;
use common::env;

use engine::breakdown::Breakdown;
use engine::spec::ParamValue;
use engine::{Experiment, ModelKind, WorkloadKind, run_experiment};

fn run(
    w: WorkloadKind,
    n: u64,
    params: &[(&str, u64)],
    model: ModelKind,
    workers: u32,
) -> engine::ResultSet {
    let mut e = Experiment::new(
        w,
        model,
        if model == ModelKind::Sequential {
            1
        } else {
            workers
        },
    );
    e.workload.n = n;
    for (k, v) in params {
        e.workload.params.insert((*k).into(), ParamValue::Int(*v));
    }
    e.repetitions = engine::Repetitions::Fixed(2);
    e.warmups = 0;
    run_experiment(&e.validate().unwrap(), &env(), &mut |_| {}).unwrap()
}

#[test]
fn every_models_breakdown_adds_up_to_workers_times_wall() {
    for &model in ModelKind::ALL {
        for (w, n, params) in [
            (WorkloadKind::Primes, 20_000, &[("tasks", 13)][..]),
            (WorkloadKind::SpectralNorm, 30, &[("tasks", 5)][..]),
            (WorkloadKind::Sleep, 6, &[("latency_ms", 2)][..]),
        ] {
            let set = run(w, n, params, model, 3);
            for r in &set.results {
                let b = r.breakdown.expect("a breakdown with the timeline on");
                let wall = *r.times.last().unwrap();
                let expected = f64::from(r.workers) * wall;
                assert!(
                    (b.total() - expected).abs() <= 0.02 * expected,
                    "{model} on {w}: {b:?} adds up to {}, not {expected}",
                    b.total()
                );
                for part in [b.compute, b.overhead, b.wait, b.idle, b.startup] {
                    assert!(part >= 0.0, "{model} on {w}: {b:?}");
                }
                if w == WorkloadKind::Sleep {
                    assert!(b.wait > 0.0, "{model}: sleeping is waiting: {b:?}");
                }
            }
        }
    }
}

#[test]
fn static_chunks_on_uneven_work_leave_more_idle_time_than_a_queue() {
    // Static chunks of 28 and 4 of the 32 tasks: the first worker gets the larger block, about
    // four fifths of the work, and the second then waits for it with nothing to do. A shared
    // queue leaves a worker idle only while the last task runs. Idle time is not speed: a busy
    // machine stretches both alike (a descheduled worker holding a task is not idle).
    let idle = |model: ModelKind, chunk: Option<u64>| {
        let mut e = Experiment::new(WorkloadKind::Primes, model, 2);
        e.workload.n = 300_000;
        e.workload
            .params
            .insert("tasks".into(), ParamValue::Int(32));
        e.model.chunk_size = chunk;
        e.repetitions = engine::Repetitions::Fixed(3);
        e.baseline = false;
        let set = run_experiment(&e.validate().unwrap(), &env(), &mut |_| {}).unwrap();
        let r = &set.results[0];
        r.breakdown.unwrap().idle / (2.0 * r.times.last().unwrap())
    };
    let fixed = idle(ModelKind::StaticPool, Some(28));
    let queue = idle(ModelKind::DynamicPool, None);
    assert!(
        fixed > queue,
        "idle share: static {fixed:.3}, dynamic {queue:.3}"
    );
}

#[test]
fn the_parts_follow_their_definitions() {
    use engine::model::TaskRecord;
    let rec = |stage, task, worker, start, end, wait| TaskRecord {
        stage,
        task,
        worker,
        start,
        end,
        wait,
        blocked: 0.0,
        delivered: None,
        delivered_index: None,
    };
    // Two workers, two stages, 10 s: worker 0 starts at 1, works 1..3 (1 s waiting), then
    // 3.5..5; stage 0 ends at 6 (worker 1), stage 1 runs 7..9 on worker 1 only.
    let tasks = [
        rec(0, 0, 0, 1.0, 3.0, 1.0),
        rec(0, 1, 0, 3.5, 5.0, 0.0),
        rec(0, 2, 1, 2.0, 6.0, 0.0),
        rec(1, 0, 1, 7.0, 9.0, 0.0),
    ];
    let b = Breakdown::of(&tasks, 2, 10.0).unwrap();
    assert_eq!(b.startup, 1.0 + 2.0);
    assert_eq!(b.wait, 1.0);
    assert_eq!(b.compute, 1.0 + 1.5 + 4.0 + 2.0);
    // Worker 0: 3..3.5 between tasks; worker 1: 6..7 from stage end to its next task.
    assert_eq!(b.overhead, 0.5 + 1.0);
    // Worker 0: 5..6 imbalance, then 6..10 nothing; worker 1: 9..10 tail.
    assert_eq!(b.idle, 1.0 + 4.0 + 1.0);
    assert_eq!(b.total(), 20.0);
    assert_eq!(Breakdown::of(&[], 2, 10.0), None);
}
