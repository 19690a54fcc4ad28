//! The run-time estimate moves the right way with size, repetitions, workers and models, and
//! keeps defaults to seconds (its figures are a warning threshold, not results).

use engine::estimate::{experiment_seconds, human, run_seconds};
use engine::spec::ParamValue;
use engine::{Experiment, ModelKind, WorkloadKind, WorkloadSpec};

fn exp(w: WorkloadKind, n: u64, model: ModelKind, workers: u32) -> Experiment {
    let mut e = Experiment::new(w, model, workers);
    e.workload.n = n;
    e.validate().unwrap()
}

#[test]
fn defaults_are_seconds_not_hours() {
    // Every workload's default experiment (1 warm-up, 5 repetitions, baseline) on 2 cores.
    for &w in WorkloadKind::ALL {
        let e = Experiment::new(w, ModelKind::StaticPool, 2)
            .validate()
            .unwrap();
        let s = experiment_seconds(&e, 2);
        assert!(s > 0.0 && s < 60.0, "{w}: {s} s");
    }
}

#[test]
fn size_repetitions_and_workers_move_it_the_right_way() {
    let base = experiment_seconds(
        &exp(WorkloadKind::Mandelbrot, 4000, ModelKind::StaticPool, 2),
        2,
    );
    let bigger = experiment_seconds(
        &exp(WorkloadKind::Mandelbrot, 16000, ModelKind::StaticPool, 2),
        2,
    );
    assert!((bigger / base - 16.0).abs() < 0.5, "{base} {bigger}");
    let mut more = exp(WorkloadKind::Mandelbrot, 4000, ModelKind::StaticPool, 2);
    more.repetitions = engine::Repetitions::Fixed(more.repetitions.planned() * 2);
    more.warmups *= 2;
    assert!((experiment_seconds(&more, 2) / base - 2.0).abs() < 1e-9);
    let spec = exp(WorkloadKind::Mandelbrot, 4000, ModelKind::StaticPool, 2).workload;
    let one = run_seconds(&spec, ModelKind::StaticPool, 1, None, 2);
    let two = run_seconds(&spec, ModelKind::StaticPool, 2, None, 2);
    let eight = run_seconds(&spec, ModelKind::StaticPool, 8, None, 2);
    assert!((one / two - 2.0).abs() < 0.05, "{one} {two}");
    assert!(
        (two - eight).abs() / two < 0.05,
        "no more cores than 2: {two} {eight}"
    );
    // The GIL serializes computation; it does not serialize waiting.
    assert!((run_seconds(&spec, ModelKind::Gil, 2, None, 2) - one).abs() / one < 0.05);
}

#[test]
fn waits_overlap_in_every_model_but_sequential() {
    let mut spec = WorkloadSpec::new(WorkloadKind::Sleep);
    spec.set("n", ParamValue::Int(100)).unwrap();
    spec.set("latency_ms", ParamValue::Int(100)).unwrap();
    let seq = run_seconds(&spec, ModelKind::Sequential, 1, None, 2);
    assert!((seq - 10.0).abs() < 0.01, "{seq}");
    for m in [ModelKind::Gil, ModelKind::Async, ModelKind::DynamicPool] {
        let t = run_seconds(&spec, m, 10, None, 2);
        assert!((t - 1.0).abs() < 0.05, "{m}: {t}");
    }
}

#[test]
fn the_largest_inputs_are_hours() {
    let e = exp(
        WorkloadKind::Primes,
        1_000_000_000,
        ModelKind::Sequential,
        1,
    );
    assert!(experiment_seconds(&e, 2) > 3600.0);
    assert_eq!(human(30.0), "30 s");
    assert_eq!(human(600.0), "10 min");
    assert_eq!(human(9000.0), "2.5 h");
}
