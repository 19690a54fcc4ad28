//! `engine::stats`: summaries of repeated timings, outliers, Karp-Flatt and the Amdahl fit.

use engine::spec::ParamValue;
use engine::stats::{
    amdahl_fit, amdahl_speedup, karp_flatt, median, outliers, ratio_with_error, summarize,
};
use engine::{Experiment, ModelKind, RunEnv, WorkloadKind, run_experiment};
use proptest::prelude::*;

/// Timings as they come: positive, from nanoseconds to minutes.
fn timings() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(1e-9f64..1e3, 1..60)
}

/// Relative slack for results that a naive sum can push an ulp or so past the true value: the
/// mean of [0.1, 0.1, 0.1] is 0.10000000000000002 (see the engine report).
fn slack(x: f64) -> f64 {
    x.abs() * 1e-12
}

proptest! {
    #[test]
    fn summary_is_consistent(times in timings()) {
        let s = summarize(&times);
        prop_assert!(s.min <= s.max);
        prop_assert_eq!(s.min, times.iter().copied().fold(f64::INFINITY, f64::min));
        prop_assert_eq!(s.max, times.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        prop_assert!(s.mean >= s.min - slack(s.min) && s.mean <= s.max + slack(s.max),
            "mean {} outside {}..={}", s.mean, s.min, s.max);
        prop_assert!(s.median >= s.min && s.median <= s.max,
            "median {} outside {}..={}", s.median, s.min, s.max);
        match s.stddev {
            None => prop_assert_eq!(times.len(), 1),
            Some(sd) => {
                prop_assert!(times.len() >= 2);
                prop_assert!(sd >= 0.0 && sd.is_finite());
                // No sample deviates from the mean by more than sqrt(n - 1) standard deviations
                // (Samuelson's inequality).
                let n = times.len() as f64;
                for t in &times {
                    prop_assert!((t - s.mean).abs() <= sd * (n - 1.0).sqrt() * (1.0 + 1e-9) + slack(s.max));
                }
            }
        }
        for &i in &s.outliers {
            prop_assert!(i < times.len());
        }
        let mut sorted_outliers = s.outliers.clone();
        sorted_outliers.sort_unstable();
        sorted_outliers.dedup();
        prop_assert_eq!(&sorted_outliers, &s.outliers, "outlier indices ascend, once each");
    }

    #[test]
    fn summary_ignores_order(times in timings(), seed in any::<u64>()) {
        let mut shuffled = times.clone();
        // A deterministic shuffle: rotate, then reverse.
        let k = (seed as usize) % shuffled.len();
        shuffled.rotate_left(k);
        shuffled.reverse();
        let (a, b) = (summarize(&times), summarize(&shuffled));
        prop_assert_eq!(a.median, b.median);
        prop_assert_eq!(a.min, b.min);
        prop_assert_eq!(a.max, b.max);
        prop_assert!((a.mean - b.mean).abs() <= slack(a.max) * times.len() as f64);
        prop_assert_eq!(a.outliers.len(), b.outliers.len());
    }

    #[test]
    fn one_timing_has_no_stddev(t in 1e-9f64..1e3) {
        let s = summarize(&[t]);
        prop_assert_eq!(s.stddev, None);
        prop_assert_eq!(s.mean, t);
        prop_assert_eq!(s.median, t);
        prop_assert!(s.outliers.is_empty());
    }

    #[test]
    fn constant_timings_have_no_spread(t in 1e-9f64..1e3, n in 2usize..50) {
        let s = summarize(&vec![t; n]);
        prop_assert_eq!(s.median, t);
        prop_assert_eq!(s.min, t);
        prop_assert_eq!(s.max, t);
        prop_assert!((s.mean - t).abs() <= slack(t), "mean {} of {} x {}", s.mean, n, t);
        let sd = s.stddev.expect("two or more timings");
        prop_assert!(sd <= slack(t), "stddev {} of {} x {}", sd, n, t);
        prop_assert!(s.outliers.is_empty());
    }

    #[test]
    fn constant_dyadic_timings_have_exactly_zero_spread(k in -20i32..10, n in 2usize..50) {
        // Sums of these are exact, so mean and stddev are too.
        let t = 2f64.powi(k);
        let s = summarize(&vec![t; n]);
        prop_assert_eq!(s.mean, t);
        prop_assert_eq!(s.stddev, Some(0.0));
        prop_assert!(s.outliers.is_empty());
    }

    #[test]
    fn an_extreme_timing_is_flagged_never_removed(
        base in 1e-4f64..10.0,
        n in 4usize..40,
        jitter in prop::collection::vec(0.0f64..1.0, 40),
        at in any::<prop::sample::Index>(),
        factor in 5.0f64..1e3,
    ) {
        // Tight data: distinct timings within 1% of base, spread evenly plus a little noise.
        let mut times: Vec<f64> = (0..n)
            .map(|i| base * (1.0 + 0.01 * (i as f64 + 0.5 * jitter[i]) / n as f64))
            .collect();
        let tight = summarize(&times);
        prop_assert!(tight.outliers.is_empty(), "tight data flagged: {:?}", tight.outliers);
        let i = at.index(n + 1);
        times.insert(i, base * factor);
        let s = summarize(&times);
        prop_assert_eq!(&s.outliers, &vec![i]);
        // Flagged, and still in every statistic.
        prop_assert_eq!(s.max, base * factor);
        prop_assert!(s.mean > tight.max);
        prop_assert!(s.stddev.unwrap() > tight.stddev.unwrap());
        prop_assert_eq!(times.len(), n + 1);
        prop_assert_eq!(outliers(&times, s.median), vec![i]);
    }

    #[test]
    fn perfect_speedup_has_no_serial_fraction(p in 2u32..=256) {
        prop_assert_eq!(karp_flatt(f64::from(p), p), Some(0.0));
    }

    #[test]
    fn no_speedup_is_all_serial(p in 2u32..=256) {
        let e = karp_flatt(1.0, p).unwrap();
        prop_assert!((e - 1.0).abs() < 1e-12, "{}", e);
    }

    #[test]
    fn karp_flatt_recovers_amdahl_serial_fraction(s in 0.0f64..=1.0, p in 2u32..=256) {
        let speedup = amdahl_speedup(s, f64::from(p));
        let e = karp_flatt(speedup, p).unwrap();
        prop_assert!((e - s).abs() < 1e-9, "s {} p {} -> {}", s, p, e);
    }

    #[test]
    fn amdahl_fit_recovers_the_serial_fraction(
        s in 0.0f64..=1.0,
        workers in prop::collection::btree_set(1u32..=256, 1..8),
    ) {
        prop_assume!(workers.iter().any(|&p| p > 1));
        let points: Vec<(u32, f64)> = workers
            .iter()
            .map(|&p| (p, amdahl_speedup(s, f64::from(p))))
            .collect();
        let fit = amdahl_fit(&points).unwrap();
        prop_assert!((0.0..=1.0).contains(&fit));
        prop_assert!((fit - s).abs() < 1e-6, "s {} fit {} from {:?}", s, fit, points);
    }

    #[test]
    fn ratio_of_summaries(a in timings(), b in timings()) {
        let (sa, sb) = (summarize(&a), summarize(&b));
        let (r, err) = ratio_with_error(&sa, &sb);
        prop_assert!((r - sa.mean / sb.mean).abs() <= slack(r));
        match (sa.stddev, sb.stddev) {
            (Some(da), Some(db)) => {
                let err = err.expect("both have a spread");
                prop_assert!(err >= 0.0);
                let expected = r * ((da / sa.mean).powi(2) + (db / sb.mean).powi(2)).sqrt();
                prop_assert!((err - expected).abs() <= slack(expected) + 1e-300);
                // The propagated error is at least each relative error alone.
                prop_assert!(err >= r * (da / sa.mean) * (1.0 - 1e-12));
                prop_assert!(err >= r * (db / sb.mean) * (1.0 - 1e-12));
            }
            _ => prop_assert_eq!(err, None),
        }
    }
}

#[test]
fn known_summary() {
    let s = summarize(&[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(s.mean, 2.5);
    assert_eq!(s.median, 2.5);
    assert_eq!((s.min, s.max), (1.0, 4.0));
    // Sample standard deviation: sqrt(5/3).
    assert!((s.stddev.unwrap() - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
    assert!(s.outliers.is_empty());
    assert_eq!(summarize(&[3.0, 1.0, 2.0]).median, 2.0);
}

#[test]
fn known_outlier() {
    // median 10.5, MAD 0.5: 20 has modified Z = 0.6745 * 9.5 / 0.5 = 12.8.
    let times = [10.0, 11.0, 10.0, 11.0, 20.0, 10.0, 11.0];
    let s = summarize(&times);
    assert_eq!(s.outliers, vec![4]);
    assert_eq!(s.max, 20.0);
}

#[test]
fn median_of_nothing_is_nan() {
    assert!(median(&[]).is_nan());
    assert_eq!(median(&[1.0]), 1.0);
    assert_eq!(median(&[1.0, 2.0]), 1.5);
}

#[test]
#[should_panic(expected = "no timings")]
fn summarizing_nothing_is_a_programming_error() {
    summarize(&[]);
}

#[test]
fn karp_flatt_needs_two_workers_and_a_speedup() {
    assert_eq!(karp_flatt(1.0, 1), None);
    assert_eq!(karp_flatt(1.0, 0), None);
    assert_eq!(karp_flatt(0.0, 4), None);
    assert_eq!(karp_flatt(-1.0, 4), None);
    assert_eq!(karp_flatt(f64::NAN, 4), None);
    // Superlinear speedup gives a negative serial fraction, reported as is.
    assert!(karp_flatt(8.0, 4).unwrap() < 0.0);
}

#[test]
fn amdahl_fit_needs_finite_points() {
    assert_eq!(amdahl_fit(&[]), None);
    assert_eq!(amdahl_fit(&[(2, f64::NAN)]), None);
    assert_eq!(amdahl_fit(&[(2, f64::INFINITY), (4, 3.0)]), None);
    assert_eq!(amdahl_speedup(0.0, 8.0), 8.0);
    assert_eq!(amdahl_speedup(1.0, 8.0), 1.0);
    // Speedup 2 on 4 workers: s + (1 - s) / 4 = 1/2, s = 1/3.
    let fit = amdahl_fit(&[(4, 2.0)]).unwrap();
    assert!((fit - 1.0 / 3.0).abs() < 1e-9, "{fit}");
}

#[test]
fn experiment_results_keep_every_timing() {
    let mut exp = Experiment::new(WorkloadKind::Square, ModelKind::DynamicPool, 2);
    exp.workload.set("n", ParamValue::Int(500)).unwrap();
    exp.repetitions = engine::Repetitions::Fixed(7);
    exp.warmups = 2;
    let exp = exp.validate().unwrap();
    let results = run_experiment(&exp, &RunEnv::default(), &mut |_| {}).unwrap();
    assert_eq!(results.results.len(), 2, "baseline and model");
    for r in &results.results {
        assert_eq!(
            r.times.len(),
            7,
            "{}: warm-ups excluded, nothing dropped",
            r.model
        );
        let s = summarize(&r.times);
        assert_eq!(
            (
                r.summary.mean,
                r.summary.median,
                r.summary.min,
                r.summary.max
            ),
            (s.mean, s.median, s.min, s.max)
        );
        assert_eq!(r.summary.stddev, s.stddev);
        assert_eq!(r.summary.outliers, s.outliers);
        assert_eq!(r.verified, Some(true), "{}", r.verification);
    }
    let pool = &results.results[1];
    let speedup = pool.speedup.unwrap();
    assert!(
        (speedup - results.results[0].summary.mean / pool.summary.mean).abs() <= slack(speedup)
    );
    assert_eq!(pool.efficiency, Some(speedup / 2.0));
    assert_eq!(pool.karp_flatt, karp_flatt(speedup, 2));
    assert_eq!(pool.tasks.len(), 500);
    assert_eq!(pool.worker_stats.iter().map(|w| w.tasks).sum::<u64>(), 500);
}
