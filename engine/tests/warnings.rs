//! Warnings and comparisons: they fire on constructed cases and stay silent on clean ones; the
//! comparison's test holds its error rate (A/A) and finds a real difference; a baseline disturbed
//! on purpose by a CPU hog is flagged.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use engine::result::ResultSet;
use engine::spec::ParamValue;
use engine::stats::ratio_estimate;
use engine::warning::{WarningKind, assess};
use engine::{
    Experiment, MachineInfo, ModelKind, Repetitions, RunEnv, WorkloadKind, run_experiment,
};
use proptest::test_runner::{RngAlgorithm, TestRng};
use rand::RngExt;

fn machine(cores: u32, timer: f64) -> MachineInfo {
    MachineInfo {
        runtime: "native".into(),
        logical_cores: cores,
        physical_cores: None,
        cpu_model: None,
        caches: Vec::new(),
        os: "test".into(),
        arch: "test".into(),
        timer_resolution: timer,
        ranks: Vec::new(),
    }
}

/// A real result set of `workload` (sequential baseline + dynamic-pool on `workers`) whose
/// figures the cases below then overwrite.
fn result_set(workload: WorkloadKind, workers: u32) -> ResultSet {
    let mut exp = Experiment::new(workload, ModelKind::DynamicPool, workers);
    exp.workload
        .set(
            "n",
            ParamValue::Int(if workload == WorkloadKind::Sleep {
                4
            } else {
                1000
            }),
        )
        .unwrap();
    exp.repetitions = Repetitions::Fixed(2);
    exp.warmups = 0;
    run_experiment(&exp.validate().unwrap(), &RunEnv::default(), &mut |_| {}).unwrap()
}

/// Sets a result's timings (and the summary that goes with them) and speedup.
fn set_times(set: &mut ResultSet, index: usize, times: &[f64], speedup: Option<f64>) {
    let s = engine::stats::summarize(times);
    let r = &mut set.results[index];
    r.times = times.to_vec();
    r.summary.mean = s.mean;
    r.summary.stddev = s.stddev;
    r.precision = engine::stats::precision(times);
    r.speedup = speedup;
}

fn kinds(set: &ResultSet, index: usize) -> Vec<WarningKind> {
    set.results[index].warnings.iter().map(|w| w.kind).collect()
}

const CLEAN: [f64; 6] = [1.000, 1.002, 0.999, 1.001, 0.998, 1.000];

#[test]
fn clean_results_carry_no_warnings() {
    let mut set = result_set(WorkloadKind::Primes, 2);
    set_times(&mut set, 0, &CLEAN, Some(1.0));
    let half: Vec<f64> = CLEAN.iter().map(|t| t / 1.9).collect();
    set_times(&mut set, 1, &half, Some(1.9));
    set.set_machine(machine(2, 1e-8));
    assert_eq!(kinds(&set, 0), []);
    assert_eq!(kinds(&set, 1), []);
}

#[test]
fn a_speedup_above_the_cores_is_implausible_and_a_noisy_baseline_taints_it() {
    // The case a learner saw: 2 workers on 2 cores, "3.94x", against a baseline of 38.99 ms
    // +- 19.82 ms.
    let mut set = result_set(WorkloadKind::Primes, 2);
    let baseline = [0.0178, 0.0250, 0.0390, 0.0620, 0.0510];
    set_times(&mut set, 0, &baseline, Some(1.0));
    set_times(
        &mut set,
        1,
        &[0.0099, 0.0099, 0.0098, 0.0100, 0.0099],
        Some(3.94),
    );
    set.set_machine(machine(2, 1e-8));
    assert_eq!(kinds(&set, 0), [WarningKind::Noisy]);
    assert_eq!(
        kinds(&set, 1),
        [
            WarningKind::ImplausibleSpeedup,
            WarningKind::BaselineUnreliable
        ]
    );
    let msg = &set.results[1].warnings[0].message;
    assert!(
        msg.contains("3.94x") && msg.contains("2 logical core"),
        "{msg}"
    );
    // Noisy says how many repetitions would bring the interval to 2%.
    assert!(
        set.results[0].warnings[0]
            .message
            .contains("repetitions would bring")
    );
    // On 8 cores, 2 workers still cannot give 3.94x.
    set.set_machine(machine(8, 1e-8));
    assert!(kinds(&set, 1).contains(&WarningKind::ImplausibleSpeedup));
    // Assessing again replaces the warnings rather than adding to them.
    assess(&mut set);
    assert_eq!(set.results[1].warnings.len(), 2);
}

#[test]
fn waiting_work_may_beat_the_cores_but_not_the_workers() {
    let mut set = result_set(WorkloadKind::Sleep, 8);
    set_times(&mut set, 0, &CLEAN, Some(1.0));
    let fast: Vec<f64> = CLEAN.iter().map(|t| t / 7.5).collect();
    set_times(&mut set, 1, &fast, Some(7.5));
    set.set_machine(machine(2, 1e-8));
    assert_eq!(
        kinds(&set, 1),
        [],
        "8 sleeping workers on 2 cores: 7.5x is real"
    );
    set.results[1].speedup = Some(9.5);
    assess(&mut set);
    assert_eq!(kinds(&set, 1), [WarningKind::ImplausibleSpeedup]);
}

#[test]
fn a_run_of_few_clock_ticks_is_too_short() {
    let mut set = result_set(WorkloadKind::Primes, 2);
    let short: Vec<f64> = CLEAN.iter().map(|t| t * 50e-6).collect();
    set_times(&mut set, 0, &short, Some(1.0));
    set_times(&mut set, 1, &short, Some(1.0));
    // These times are made up: the real run's recording cost would be a fair part of them.
    for r in &mut set.results {
        r.recording = None;
    }
    // A browser clock without isolation: 100 us steps.
    set.set_machine(machine(2, 100e-6));
    assert!(kinds(&set, 0).contains(&WarningKind::TooShort));
    assert!(kinds(&set, 1).contains(&WarningKind::BaselineUnreliable));
    // A native clock: 20 ns steps; 50 us is 2,500 of them.
    set.set_machine(machine(2, 20e-9));
    assert_eq!(kinds(&set, 0), []);
}

#[test]
fn a_trend_across_repetitions_is_drift_and_scatter_is_not() {
    let mut set = result_set(WorkloadKind::Primes, 2);
    // The first repetitions slower: something warming up, 1% noise on top.
    let noise = [
        0.004, -0.006, 0.002, 0.0, -0.003, 0.005, -0.002, 0.001, -0.004, 0.003,
    ];
    let trend: Vec<f64> = (0..10).map(|i| 1.2 - 0.03 * i as f64 + noise[i]).collect();
    set_times(&mut set, 0, &trend, Some(1.0));
    let flat: Vec<f64> = noise.iter().map(|n| 1.0 + n).collect();
    set_times(&mut set, 1, &flat, Some(1.0));
    set.set_machine(machine(2, 1e-8));
    let k = kinds(&set, 0);
    assert!(k.contains(&WarningKind::Drift), "{k:?}");
    assert!(
        set.results[0]
            .warnings
            .iter()
            .any(|w| w.message.contains("faster")),
        "the last ran faster"
    );
    assert!(!kinds(&set, 1).contains(&WarningKind::Drift));
}

#[test]
fn auto_repetitions_that_miss_their_precision_say_why() {
    let mut set = result_set(WorkloadKind::Primes, 2);
    set.experiment.repetitions = Repetitions::Auto;
    set_times(&mut set, 0, &[1.0, 1.04, 0.96, 1.03], Some(1.0));
    set_times(&mut set, 1, &CLEAN, Some(1.0));
    set.set_machine(machine(2, 1e-8));
    assert!(kinds(&set, 0).contains(&WarningKind::Budget));
    assert!(
        set.results[0]
            .warnings
            .iter()
            .any(|w| w.message.contains("budget ran out"))
    );
    assert!(
        !kinds(&set, 1).contains(&WarningKind::Budget),
        "+-0.2% reached"
    );
}

fn normal(rng: &mut TestRng) -> f64 {
    // Box-Muller.
    let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn timings(rng: &mut TestRng, mean: f64, noise: f64, n: usize) -> Vec<f64> {
    (0..n).map(|_| mean * (noise * normal(rng)).exp()).collect()
}

#[test]
fn a_a_comparisons_are_not_significant_in_95_percent_of_trials() {
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let trials = 4000;
    let mut significant = 0;
    for i in 0..trials {
        let (n, noise) = ([3, 5, 10, 30][i % 4], [0.01, 0.05, 0.2][i % 3]);
        let (a, b) = (
            timings(&mut rng, 0.1, noise, n),
            timings(&mut rng, 0.1, noise, n),
        );
        let e = ratio_estimate(&a, &b);
        let row_significant = e.p_value.is_some_and(|p| p < 0.05) && e.significant();
        if row_significant {
            significant += 1;
        }
    }
    let rate = f64::from(significant) / f64::from(trials as u32);
    eprintln!(
        "A/A: {significant} of {trials} significant ({:.1}%)",
        rate * 100.0
    );
    assert!(rate <= 0.05, "A/A false positives {:.1}%", rate * 100.0);
}

#[test]
fn a_true_ten_percent_difference_is_found() {
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let trials = 400;
    let mut covered = 0;
    for _ in 0..trials {
        let a = timings(&mut rng, 0.110, 0.01, 30);
        let b = timings(&mut rng, 0.100, 0.01, 30);
        let e = ratio_estimate(&a, &b);
        assert!(e.significant() && e.p_value.unwrap() < 0.05, "{e:?}");
        let [lo, hi] = e.ci.unwrap();
        assert!(
            hi - lo < 0.02,
            "1% noise, 30 repetitions: a tight interval {e:?}"
        );
        if lo < 1.1 && 1.1 < hi {
            covered += 1;
        }
    }
    // A 95% interval holds the true ratio in about 95% of trials.
    eprintln!("the interval held 1.1 in {covered} of {trials} trials");
    assert!(
        covered >= trials * 92 / 100,
        "coverage {covered} of {trials}"
    );
}

#[test]
fn compare_refuses_different_experiments_and_matches_configurations() {
    let a = result_set(WorkloadKind::Primes, 2);
    let cmp = engine::compare::compare(&a, &a).unwrap();
    assert_eq!(cmp.rows.len(), 2);
    assert!(
        cmp.rows
            .iter()
            .all(|r| (r.ratio - 1.0).abs() < 1e-12 && !r.significant)
    );
    let mut b = a.clone();
    b.experiment.workload.n = 2000;
    let err = engine::compare::compare(&a, &b).unwrap_err().to_string();
    assert_eq!(
        err,
        "the results describe different experiments: n 1000 in A, 2000 in B"
    );
    let c = result_set(WorkloadKind::Primes, 3);
    let cmp = engine::compare::compare(&a, &c).unwrap();
    assert_eq!(cmp.rows.len(), 1, "only the baseline is in both");
}

/// The 3.94x case, made on purpose: a CPU hog runs during every other repetition of the
/// baseline only. The baseline is flagged, and so is every speedup computed from it, however
/// busy the machine already is.
#[test]
fn a_baseline_disturbed_by_a_cpu_hog_is_flagged() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let hogging = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let hogs: Vec<_> = (0..4 * cores)
        .map(|_| {
            let (hogging, stop) = (hogging.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    if hogging.load(Ordering::Relaxed) {
                        x = std::hint::black_box(
                            x.wrapping_mul(6364136223846793005).wrapping_add(1),
                        );
                    } else {
                        std::thread::sleep(std::time::Duration::from_micros(200));
                    }
                }
            })
        })
        .collect();
    let mut exp = Experiment::new(WorkloadKind::Primes, ModelKind::DynamicPool, 2);
    exp.workload.set("n", ParamValue::Int(1_000_000)).unwrap();
    exp.repetitions = Repetitions::Fixed(6);
    exp.warmups = 0;
    let exp = exp.validate().unwrap();
    let mut baseline_runs = 0;
    let mut set = run_experiment(&exp, &RunEnv::default(), &mut |p| {
        let disturb = p.config == 0 && {
            baseline_runs += 1;
            baseline_runs % 2 == 0
        };
        hogging.store(disturb, Ordering::Relaxed);
    })
    .unwrap();
    hogging.store(false, Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for h in hogs {
        h.join().unwrap();
    }
    set.set_machine(machine(cores as u32, 1e-8));
    let base = &set.results[0];
    eprintln!(
        "baseline times {:?}; warnings {:?}",
        base.times,
        kinds(&set, 0)
    );
    assert!(
        kinds(&set, 0).contains(&WarningKind::Noisy),
        "{:?}",
        base.times
    );
    let pool = &set.results[1];
    eprintln!("speedup {:?}; warnings {:?}", pool.speedup, kinds(&set, 1));
    assert!(kinds(&set, 1).contains(&WarningKind::BaselineUnreliable));
    let cap = f64::from(pool.workers.min(cores as u32)) * engine::warning::SPEEDUP_SLACK;
    assert_eq!(
        pool.speedup.unwrap() > cap,
        kinds(&set, 1).contains(&WarningKind::ImplausibleSpeedup),
        "implausible exactly when above {cap}"
    );
}

#[test]
fn a_timeline_that_costs_more_than_a_twentieth_of_the_run_is_flagged() {
    let mut set = result_set(WorkloadKind::Primes, 2);
    set_times(&mut set, 0, &CLEAN, Some(1.0));
    let half: Vec<f64> = CLEAN.iter().map(|t| t / 1.9).collect();
    set_times(&mut set, 1, &half, Some(1.9));
    // What the run measured it to cost is small next to a second.
    assert!(set.results[0].recording.is_some_and(|r| r < 0.05));
    set.results[0].recording = Some(0.2);
    set.results[1].recording = Some(0.01);
    set.set_machine(machine(2, 1e-8));
    assert_eq!(kinds(&set, 0), [WarningKind::RecordingOverhead]);
    let message = &set.results[0].warnings[0].message;
    assert!(
        message.contains("at least 200.00 ms of each run (20.0% of its"),
        "{message}"
    );
    // The speedup divides by a time that is partly the recording's.
    assert_eq!(kinds(&set, 1), [WarningKind::BaselineUnreliable]);
    // Without the timeline there is no recording, and nothing to flag.
    set.results[0].recording = None;
    set.set_machine(machine(2, 1e-8));
    assert_eq!(kinds(&set, 0), []);
}
