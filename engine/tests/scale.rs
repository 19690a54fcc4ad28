//! A million tiny tasks through every model, timeline off: every model finishes with the closed
//! form's answer. (Peak memory per model is measured by `cargo xtask bench`; see
//! docs/performance.md.)

mod common;
use common::env;

use engine::measure::run_experiment;
use engine::{Experiment, ModelKind, WorkloadKind};

const TASKS: u64 = 1_000_000;

#[test]
fn a_million_tiny_tasks_through_every_model() {
    let n = u128::from(TASKS);
    let expected = format!("{}\n", (n - 1) * n * (2 * n - 1) / 6);
    for &model in ModelKind::ALL {
        let workers = if model == ModelKind::Sequential { 1 } else { 2 };
        let mut exp = Experiment::new(WorkloadKind::Square, model, workers);
        exp.workload.n = TASKS;
        exp.repetitions = engine::Repetitions::Fixed(1);
        exp.warmups = 0;
        exp.baseline = false;
        exp.timeline = false;
        let exp = exp.validate().expect("valid");
        let set =
            run_experiment(&exp, &env(), &mut |_| {}).unwrap_or_else(|e| panic!("{model}: {e}"));
        let r = &set.results[0];
        assert_eq!(r.verified, Some(true), "{model}: {}", r.verification);
        assert!(
            r.tasks.is_empty(),
            "{model}: no records without the timeline"
        );
        let counted: u64 = r.worker_stats.iter().map(|w| w.tasks).sum();
        assert_eq!(counted, TASKS, "{model}: every task counted once");
        assert!(
            r.answer.summary.contains(expected.trim()),
            "{model}: {}",
            r.answer.summary
        );
    }
}
