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

/// The confidence level of every interval the playground reports.
pub const CONFIDENCE: f64 = 0.95;

/// The two-sided [`CONFIDENCE`] quantile of Student's t with `df` degrees of freedom
/// (1.96 for large `df`, 4.30 for 2).
pub fn t_critical(df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    match StudentsT::new(0.0, 1.0, df.max(1.0)) {
        Ok(t) => t.inverse_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0),
        Err(_) => f64::NAN,
    }
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
pub fn t_p_value(t: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    if !t.is_finite() {
        return if t.is_nan() { 1.0 } else { 0.0 };
    }
    match StudentsT::new(0.0, 1.0, df.max(1.0)) {
        Ok(d) => (2.0 * d.cdf(-t.abs())).min(1.0),
        Err(_) => 1.0,
    }
}

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        f64::NAN
    };
    (mean, var)
}

/// Half-width of the [`CONFIDENCE`] interval of the mean of `times`, over the mean: the
/// precision a repeated measurement achieved (0.02: the true mean is within 2% of the reported
/// one, at 95% confidence). Needs two timings.
pub fn precision(times: &[f64]) -> Option<f64> {
    if times.len() < 2 {
        return None;
    }
    let (mean, var) = mean_var(times);
    if mean <= 0.0 {
        return None;
    }
    let n = times.len() as f64;
    Some(t_critical(n - 1.0) * var.sqrt() / n.sqrt() / mean)
}

/// The repetitions that bring the interval of the mean within `target` of it, for timings whose
/// relative standard deviation is `rsd` (the smallest n with t(n-1) x rsd / sqrt(n) <= target).
pub fn repetitions_for(rsd: f64, target: f64) -> u32 {
    (2..=100_000u32)
        .find(|&n| t_critical(f64::from(n - 1)) * rsd / f64::from(n).sqrt() <= target)
        .unwrap_or(100_000)
}

/// The ratio of two sets of timings' means, with its [`CONFIDENCE`] interval and the p-value of
/// the difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatioEstimate {
    /// mean(num) / mean(den).
    pub ratio: f64,
    /// The interval `[lo, hi]` of the ratio; absent with fewer than two timings on either side.
    pub ci: Option<[f64; 2]>,
    /// Welch's t-test on the logarithms of the timings, two-sided.
    pub p_value: Option<f64>,
}

impl RatioEstimate {
    /// Whether the interval excludes 1: the two differ, at the 95% level.
    pub fn significant(&self) -> bool {
        self.ci.is_some_and(|[lo, hi]| lo > 1.0 || hi < 1.0)
    }
}

/// "1.95 ± 0.03" as hyperfine writes it: a ratio and the half-width of its interval; "1.95"
/// without one.
pub fn with_interval(value: f64, ci: Option<[f64; 2]>) -> String {
    match ci {
        Some([lo, hi]) => format!("{value:.2} ± {:.2}", (hi - lo) / 2.0),
        None => format!("{value:.2}"),
    }
}

/// Compares two sets of timings as ratios must be compared: on a log scale, where a ratio is a
/// difference and timings' right skew (a run is slowed, never sped up, by interference) is
/// tamed. The interval is the delta method's: log(mean_a / mean_b) with standard error
/// sqrt(s_a^2 / (n_a m_a^2) + s_b^2 / (n_b m_b^2)) and Welch-Satterthwaite degrees of freedom.
/// The p-value is Welch's t-test on the logarithms, which allows the two sides different
/// variances (two machines, browser and native) and, unlike a rank test, can reach 5% with
/// three repetitions a side.
pub fn ratio_estimate(num: &[f64], den: &[f64]) -> RatioEstimate {
    let (ma, va) = mean_var(num);
    let (mb, vb) = mean_var(den);
    let ratio = ma / mb;
    if num.len() < 2 || den.len() < 2 || ma <= 0.0 || mb <= 0.0 {
        return RatioEstimate {
            ratio,
            ci: None,
            p_value: None,
        };
    }
    let (na, nb) = (num.len() as f64, den.len() as f64);
    let (ea, eb) = (va / (na * ma * ma), vb / (nb * mb * mb));
    let se = (ea + eb).sqrt();
    let df = welch_df(ea, na, eb, nb);
    let t = t_critical(df);
    let ci = if se > 0.0 {
        [ratio * (-t * se).exp(), ratio * (t * se).exp()]
    } else {
        [ratio, ratio]
    };
    // Welch on the logarithms.
    let la: Vec<f64> = num.iter().map(|x| x.max(f64::MIN_POSITIVE).ln()).collect();
    let lb: Vec<f64> = den.iter().map(|x| x.max(f64::MIN_POSITIVE).ln()).collect();
    let (lma, lva) = mean_var(&la);
    let (lmb, lvb) = mean_var(&lb);
    let (fa, fb) = (lva / na, lvb / nb);
    let p_value = if fa + fb > 0.0 {
        t_p_value((lma - lmb) / (fa + fb).sqrt(), welch_df(fa, na, fb, nb))
    } else if lma == lmb {
        1.0
    } else {
        0.0
    };
    RatioEstimate {
        ratio,
        ci: Some(ci),
        p_value: Some(p_value),
    }
}

/// Welch-Satterthwaite degrees of freedom for two squared standard errors `a` and `b` from
/// samples of `na` and `nb`.
fn welch_df(a: f64, na: f64, b: f64, nb: f64) -> f64 {
    let den = a * a / (na - 1.0) + b * b / (nb - 1.0);
    if den > 0.0 {
        (a + b).powi(2) / den
    } else {
        na + nb - 2.0
    }
}

/// A trend across repetitions in the order they ran: the least-squares line's change from the
/// first repetition to the last, over the mean (-0.2: the last ran 20% faster than the first),
/// when its slope differs from zero at the 1% level. Needs four timings.
pub fn drift(times: &[f64]) -> Option<f64> {
    let n = times.len();
    if n < 4 {
        return None;
    }
    let nf = n as f64;
    let xm = (nf - 1.0) / 2.0;
    let (ym, _) = mean_var(times);
    let sxx: f64 = (0..n).map(|i| (i as f64 - xm).powi(2)).sum();
    let sxy: f64 = times
        .iter()
        .enumerate()
        .map(|(i, y)| (i as f64 - xm) * (y - ym))
        .sum();
    let slope = sxy / sxx;
    let residual: f64 = times
        .iter()
        .enumerate()
        .map(|(i, y)| (y - ym - slope * (i as f64 - xm)).powi(2))
        .sum();
    let se = (residual / (nf - 2.0) / sxx).sqrt();
    let p = if se > 0.0 {
        t_p_value(slope / se, nf - 2.0)
    } else if slope != 0.0 {
        0.0
    } else {
        1.0
    };
    (p < 0.01 && ym > 0.0).then(|| slope * (nf - 1.0) / ym)
}

/// Seconds with a unit that keeps three significant digits readable: "38.99 ms".
pub fn human_time(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else if s >= 1e-6 {
        format!("{:.2} us", s * 1e6)
    } else {
        format!("{:.0} ns", s * 1e9)
    }
}
