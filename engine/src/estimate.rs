//! A rough estimate of how long an experiment will take, before it runs, so that the page can
//! ask before starting one that would take minutes, and say how long.
//!
//! Each workload's sequential time is its size times a cost per unit of work, measured with
//! `native-runner run -w W --n N -m sequential -r 1` (release build, one core of a 2-core x86-64
//! VM, 2026). A run divides the parallel part by the cores it can use and adds what the model
//! costs per task (thread start-up, messages, processes). A slower machine, a browser, or a
//! workload's uneven tasks make the real time differ, typically within a factor of two: this is
//! a warning threshold, never a result.

use crate::limits::{AUTO_MAX_REPETITIONS, AUTO_MIN_REPETITIONS, DEFAULT_BUDGET_S};
use crate::measure::configurations;
use crate::model::ModelKind;
use crate::spec::{Experiment, Repetitions, WorkloadSpec};
use crate::workload::Params;

/// The shape of a workload's work: sequential seconds, the share of it that can run in
/// parallel, how many tasks it is split into, and seconds spent waiting rather than computing.
/// Each workload computes its own from its parameters (`WorkloadInfo::work`), with its cost per
/// unit of work measured as the module doc says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Work {
    pub compute: f64,
    pub parallel: f64,
    pub tasks: f64,
    pub wait: f64,
}

impl Work {
    /// Fully parallel computation split into `tasks` tasks, with no waiting.
    pub(crate) fn compute(compute: f64, tasks: f64) -> Work {
        Work {
            compute,
            parallel: 1.0,
            tasks,
            wait: 0.0,
        }
    }
}

fn work(spec: &WorkloadSpec) -> Work {
    match Params::from_spec(spec) {
        Ok(p) => (spec.name.info().work)(&p),
        Err(_) => Work::compute(0.0, 1.0),
    }
}

/// Estimated seconds of one run of `model` on `workers` workers, on a machine with `cores`.
pub fn run_seconds(
    spec: &WorkloadSpec,
    model: ModelKind,
    workers: u32,
    chunk: Option<u64>,
    cores: u32,
) -> f64 {
    let w = work(spec);
    let workers = f64::from(workers.max(1));
    let info = model.info();
    // Computation spreads over the cores, except where one thread (or one lock) runs it all.
    let compute_ways = if info.parallel_compute {
        workers.min(f64::from(cores.max(1))).min(w.tasks).max(1.0)
    } else {
        1.0
    };
    // Waiting needs no core: models that overlap waits overlap `workers` of them.
    let wait_ways = if info.overlaps_waits {
        workers.min(w.tasks).max(1.0)
    } else {
        1.0
    };
    let compute = w.compute * (1.0 - w.parallel) + w.compute * w.parallel / compute_ways;
    let chunk = chunk.map_or_else(
        || info.default_chunk(w.tasks as usize, workers as usize) as f64,
        |c| c as f64,
    );
    compute + w.wait / wait_ways + info.cost.seconds(w.tasks, chunk)
}

/// Estimated seconds of a whole experiment (every configuration, warm-ups included) on a
/// machine with `cores` logical cores. With `"auto"` repetitions: the fewest it runs, or all
/// it may run if the budget is larger (no new round starts past the budget).
pub fn experiment_seconds(exp: &Experiment, cores: u32) -> f64 {
    let once: f64 = configurations(exp)
        .iter()
        .map(|cfg| {
            run_seconds(
                &cfg.workload,
                cfg.model.name,
                cfg.workers as u32,
                cfg.model.chunk_size,
                cores,
            )
        })
        .sum();
    let warm = f64::from(exp.warmups) * once;
    match exp.repetitions {
        Repetitions::Fixed(n) => warm + f64::from(n) * once,
        Repetitions::Auto => {
            let fewest = f64::from(AUTO_MIN_REPETITIONS) * once;
            let most = f64::from(AUTO_MAX_REPETITIONS) * once;
            warm + fewest.max(most.min(exp.budget_s.unwrap_or(DEFAULT_BUDGET_S)))
        }
    }
}

/// A duration for a person: "40 s", "3 min", "2.5 h".
pub fn human(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{:.0} s", seconds.max(1.0))
    } else if seconds < 90.0 * 60.0 {
        format!("{:.0} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}
