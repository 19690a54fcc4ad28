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
use crate::workload::{Params, WorkloadKind};

/// Seconds per unit of work, one core (see the module doc for how they were measured).
mod cost {
    /// Per pixel (at most 50 iterations each).
    pub const MANDELBROT_PIXEL: f64 = 6.2e-8;
    /// Per n^2 (40 matrix-vector products of order n).
    pub const SPECTRAL_NORM_N2: f64 = 4.8e-8;
    /// Per n! * n (every permutation flipped).
    pub const FANNKUCH_PERMUTATION: f64 = 7.0e-9;
    /// Per step of the 5-body system.
    pub const N_BODY_STEP: f64 = 4.5e-8;
    /// Per n^1.5 / ln n (trial division up to the square root).
    pub const PRIMES: f64 = 7.8e-10;
    /// Per item squared, its record included.
    pub const SQUARE_ITEM: f64 = 2.0e-7;
    /// Per byte per pass (`sum`; `triad` moves three arrays).
    pub const STREAM_BYTE: f64 = 7.7e-11;
    /// Per increment: atomic; a mutex costs about 3x, a local count a fifth.
    pub const COUNTER_INCREMENT: f64 = 6.0e-9;
    /// Per work unit.
    pub const AMDAHL_UNIT: f64 = 6.5e-5;
}

/// What a model adds per task, and per run, in seconds (docs/performance.md, section 3).
fn model_overhead(model: ModelKind, tasks: f64, chunk: f64) -> f64 {
    match model {
        ModelKind::ThreadPerTask => tasks * 60e-6,
        // Worker processes start per run; each chunk is a message each way.
        ModelKind::ProcessPool => 0.03 + (tasks / chunk.max(1.0)) * 10e-6,
        ModelKind::DynamicPool | ModelKind::MessagePassing => tasks * 0.5e-6,
        _ => tasks * 0.1e-6,
    }
}

/// The shape of a workload's work: sequential seconds, the share of it that can run in
/// parallel, how many tasks it is split into, and seconds spent waiting rather than computing.
struct Work {
    compute: f64,
    parallel: f64,
    tasks: f64,
    wait: f64,
}

fn work(spec: &WorkloadSpec) -> Work {
    let Ok(p) = Params::from_spec(spec) else {
        return Work {
            compute: 0.0,
            parallel: 1.0,
            tasks: 1.0,
            wait: 0.0,
        };
    };
    let n = p.n as f64;
    let tasks = |name: &str| p.int(name) as f64;
    let compute = |compute: f64, tasks: f64| Work {
        compute,
        parallel: 1.0,
        tasks,
        wait: 0.0,
    };
    match spec.name {
        WorkloadKind::Mandelbrot => compute(n * n * cost::MANDELBROT_PIXEL, n),
        WorkloadKind::SpectralNorm => {
            compute(n * n * cost::SPECTRAL_NORM_N2, 40.0 * tasks("tasks"))
        }
        WorkloadKind::FannkuchRedux => {
            let factorial: f64 = (1..=p.n).map(|k| k as f64).product();
            compute(factorial * n * cost::FANNKUCH_PERMUTATION, tasks("tasks"))
        }
        WorkloadKind::NBody => Work {
            compute: n * cost::N_BODY_STEP,
            parallel: 0.0,
            tasks: 1.0,
            wait: 0.0,
        },
        WorkloadKind::Primes => {
            compute(n.powf(1.5) / n.ln().max(1.0) * cost::PRIMES, tasks("tasks"))
        }
        WorkloadKind::Square => compute(n * cost::SQUARE_ITEM, n),
        WorkloadKind::Sleep => Work {
            compute: 0.0,
            parallel: 1.0,
            tasks: n,
            wait: n * p.int("latency_ms") as f64 / 1000.0,
        },
        WorkloadKind::Stream => {
            let arrays = if p.choice("op") == "triad" { 3.0 } else { 1.0 };
            compute(
                n * tasks("passes") * arrays * cost::STREAM_BYTE,
                tasks("passes") * tasks("tasks"),
            )
        }
        WorkloadKind::Counter => {
            let factor = match p.choice("variant") {
                "mutex" => 3.0,
                "local-then-reduce" | "racy" => 0.2,
                _ => 1.0,
            };
            compute(n * cost::COUNTER_INCREMENT * factor, tasks("tasks"))
        }
        WorkloadKind::Amdahl => Work {
            compute: n * cost::AMDAHL_UNIT,
            parallel: 1.0 - p.float("serial_fraction"),
            tasks: 1.0 + tasks("tasks"),
            wait: 0.0,
        },
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
    // Computation spreads over the cores, except where one thread (or one lock) runs it all.
    let compute_ways = match model {
        ModelKind::Sequential | ModelKind::Async | ModelKind::Gil => 1.0,
        _ => workers.min(f64::from(cores.max(1))).min(w.tasks).max(1.0),
    };
    // Waiting needs no core: every model but sequential overlaps `workers` waits.
    let wait_ways = match model {
        ModelKind::Sequential => 1.0,
        _ => workers.min(w.tasks).max(1.0),
    };
    let compute = w.compute * (1.0 - w.parallel) + w.compute * w.parallel / compute_ways;
    let chunk = chunk.map_or_else(
        || model.default_chunk(w.tasks as usize, workers as usize) as f64,
        |c| c as f64,
    );
    compute + w.wait / wait_ways + model_overhead(model, w.tasks, chunk)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ParamValue;

    fn exp(w: WorkloadKind, n: u64, model: ModelKind, workers: u32) -> Experiment {
        let mut e = Experiment::new(w, model, workers);
        e.workload.n = n;
        e.validate().unwrap()
    }

    #[test]
    fn defaults_are_seconds_not_hours() {
        // Every workload's default experiment (1 warm-up, 5 repetitions, baseline) on 2 cores.
        for w in WorkloadKind::ALL {
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
        more.repetitions = crate::Repetitions::Fixed(more.repetitions.planned() * 2);
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
}
