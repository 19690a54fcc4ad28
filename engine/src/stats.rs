//! Statistics of repeated timings, as hyperfine reports them: mean, sample standard deviation,
//! median, min, max, and outliers flagged (never removed) by the modified Z-score.

use serde::{Deserialize, Serialize};

/// Summary of a set of timings (seconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub mean: f64,
    /// Sample standard deviation; absent with fewer than two timings.
    pub stddev: Option<f64>,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Indices (into the timings) of outliers: modified Z-score above [`OUTLIER_Z`].
    pub outliers: Vec<usize>,
}

/// The modified Z-score above which a timing is flagged (Iglewicz and Hoaglin's 3.5).
pub const OUTLIER_Z: f64 = 3.5;

pub fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Summarizes `times`, which must not be empty.
pub fn summarize(times: &[f64]) -> Summary {
    assert!(!times.is_empty(), "no timings to summarize");
    let n = times.len() as f64;
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    // Summing offsets from the minimum keeps identical timings exact (mean = min, stddev = 0).
    let base = sorted[0];
    let mean = (base + times.iter().map(|t| t - base).sum::<f64>() / n)
        .clamp(sorted[0], sorted[sorted.len() - 1]);
    let stddev = (times.len() > 1)
        .then(|| (times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    let med = median(&sorted);
    Summary {
        mean,
        stddev,
        median: med,
        min: sorted[0],
        max: sorted[sorted.len() - 1],
        outliers: outliers(times, med),
    }
}

/// Indices whose modified Z-score, 0.6745 (x - median) / MAD, exceeds [`OUTLIER_Z`] in absolute
/// value. With a MAD of zero (most timings identical, common with coarse clocks) the score falls
/// back to the mean absolute deviation, scaled to agree for normal data (1.253314 x MeanAD).
pub fn outliers(times: &[f64], median_value: f64) -> Vec<usize> {
    let mut deviations: Vec<f64> = times.iter().map(|t| (t - median_value).abs()).collect();
    deviations.sort_by(f64::total_cmp);
    let mad = median(&deviations);
    let scale = if mad > 0.0 {
        mad / 0.6745
    } else {
        let mean_ad = deviations.iter().sum::<f64>() / deviations.len() as f64;
        if mean_ad.is_nan() || mean_ad <= 0.0 {
            return Vec::new();
        }
        mean_ad * 1.253314
    };
    times
        .iter()
        .enumerate()
        .filter(|(_, t)| ((*t - median_value) / scale).abs() > OUTLIER_Z)
        .map(|(i, _)| i)
        .collect()
}

/// The Karp-Flatt metric: the experimentally determined serial fraction
/// e = (1/S - 1/p) / (1 - 1/p). Defined for p > 1.
pub fn karp_flatt(speedup: f64, workers: u32) -> Option<f64> {
    if workers < 2 || speedup.is_nan() || speedup <= 0.0 {
        return None;
    }
    let p = f64::from(workers);
    Some((1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p))
}

/// Amdahl's law: the speedup on p workers of a job with serial fraction s.
pub fn amdahl_speedup(serial_fraction: f64, workers: f64) -> f64 {
    1.0 / (serial_fraction + (1.0 - serial_fraction) / workers)
}

/// The serial fraction in [0, 1] whose Amdahl curve fits (workers, speedup) points best in least
/// squares. The error is unimodal in s for these curves, so a golden-section search finds it.
pub fn amdahl_fit(points: &[(u32, f64)]) -> Option<f64> {
    if points.is_empty() || points.iter().any(|(_, s)| !s.is_finite()) {
        return None;
    }
    let err = |s: f64| -> f64 {
        points
            .iter()
            .map(|&(p, speedup)| (amdahl_speedup(s, f64::from(p)) - speedup).powi(2))
            .sum()
    };
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (0.0f64, 1.0f64);
    for _ in 0..100 {
        let c = b - g * (b - a);
        let d = a + g * (b - a);
        if err(c) < err(d) {
            b = d;
        } else {
            a = c;
        }
    }
    Some((a + b) / 2.0)
}

/// "1.95 +- 0.03": a ratio of means with its uncertainty, propagated from both standard
/// deviations (first order, independent errors).
pub fn ratio_with_error(num: &Summary, den: &Summary) -> (f64, Option<f64>) {
    let r = num.mean / den.mean;
    let err = match (num.stddev, den.stddev) {
        (Some(a), Some(b)) => Some(r * ((a / num.mean).powi(2) + (b / den.mean).powi(2)).sqrt()),
        _ => None,
    };
    (r, err)
}
