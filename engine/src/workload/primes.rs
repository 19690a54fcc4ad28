//! Count the primes below n by trial division, the range `2..n` split into equal ranges.
//!
//! Testing k costs up to sqrt(k) divisions, so equal ranges have unequal costs: the last range is
//! the most expensive. A static schedule that hands each worker one contiguous block leaves the
//! early workers idle while the last one finishes; a dynamic queue balances them.

use super::{
    Answer, Bound, Job, PageDefault, Params, Reference, TaskOutput, WorkloadInfo, compare,
    split_range,
};
use crate::estimate::Work;
use crate::limits::{TASKS_HELP, int};
use crate::model::TaskCtx;

/// What the engine, the CLI and the page know about this workload.
pub(super) static INFO: WorkloadInfo = WorkloadInfo {
    description: "count primes below n by trial division in ranges: later ranges cost more, so static chunking shows load imbalance",
    bound: Bound::Cpu,
    python_task: "count_primes",
    size: int("n", "count primes below n", 5_000_000, 2, 1_000_000_000),
    params: &[int("tasks", TASKS_HELP, 64, 1, 1_000_000)],
    page: PageDefault {
        n: 1_000_000,
        params: &[],
    },
    build: |p| Box::new(Primes::new(p)),
    reference,
    work,
};

/// Seconds per n^1.5 / ln n (trial division up to the square root), one core. Measured as `estimate` describes.
const SECONDS: f64 = 7.8e-10;

/// The work's shape for the estimate, before anything runs.
fn work(p: &Params) -> Work {
    let n = p.n as f64;
    Work::compute(
        n.powf(1.5) / n.ln().max(1.0) * SECONDS,
        p.int("tasks") as f64,
    )
}

pub struct Primes {
    n: u64,
    tasks: u64,
    count: u64,
}

impl Primes {
    pub fn new(p: &Params) -> Self {
        let span = p.n.saturating_sub(2).max(1);
        Primes {
            n: p.n,
            tasks: p.int("tasks").min(span),
            count: 0,
        }
    }
}

/// Trial division in 32 bits: every k below the largest n (10^9, see limits.rs) fits, and 32-bit
/// division costs a fraction of a 64-bit one, natively and in WebAssembly alike.
pub(crate) fn is_prime(k: u32) -> bool {
    if k < 2 {
        return false;
    }
    if k < 4 {
        return true;
    }
    if k.is_multiple_of(2) {
        return false;
    }
    let mut d: u32 = 3;
    // d * d in 64 bits: d reaches 65537, whose square overflows 32.
    while u64::from(d) * u64::from(d) <= u64::from(k) {
        if k.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

impl Job for Primes {
    fn tasks(&self, _stage: usize) -> usize {
        self.tasks as usize
    }

    fn run(&self, _stage: usize, task: usize, ctx: &TaskCtx) -> TaskOutput {
        let r = split_range(self.n.saturating_sub(2), self.tasks, task as u64);
        let bound = |k: u64| u32::try_from(k).expect("n is at most 10^9 (limits.rs)");
        let mut count = 0;
        for k in bound(r.start + 2)..bound(r.end + 2) {
            if is_prime(k) {
                count += 1;
            }
            if k.is_multiple_of(1024) {
                ctx.checkpoint();
            }
        }
        TaskOutput::U64(count)
    }

    fn end_stage(&mut self, _stage: usize, outputs: Vec<TaskOutput>) {
        self.count = outputs.iter().map(TaskOutput::u64).sum();
    }

    fn answer(&self) -> Answer {
        Answer::text(
            format!("{} primes below {}", self.count, self.n),
            format!("{}\n", self.count),
        )
    }
}

/// pi(10^k), the published prime-counting table (OEIS A006880), and a sieve of Eratosthenes for
/// other n up to 10^8: an algorithm that shares nothing with trial division.
pub fn reference(p: &Params, answer: &Answer) -> Reference {
    const TABLE: [(u64, u64); 9] = [
        (10, 4),
        (100, 25),
        (1_000, 168),
        (10_000, 1_229),
        (100_000, 9_592),
        (1_000_000, 78_498),
        (10_000_000, 664_579),
        (100_000_000, 5_761_455),
        (1_000_000_000, 50_847_534),
    ];
    if let Some((_, pi)) = TABLE.iter().find(|(n, _)| *n == p.n) {
        return compare(
            answer,
            format!("{pi}\n").as_bytes(),
            "the table of pi(10^k) (OEIS A006880)",
        );
    }
    if p.n <= 100_000_000 {
        return compare(
            answer,
            format!("{}\n", sieve_count(p.n)).as_bytes(),
            "a sieve of Eratosthenes",
        );
    }
    Reference::None
}

fn sieve_count(n: u64) -> u64 {
    let n = n as usize;
    if n < 3 {
        return 0;
    }
    let mut composite = vec![false; n];
    let mut count = 0;
    for i in 2..n {
        if !composite[i] {
            count += 1;
            // In u64: on 32-bit targets (wasm32) i * i overflows usize.
            let mut j = (i as u64) * (i as u64);
            while j < n as u64 {
                composite[j as usize] = true;
                j += i as u64;
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_division_knows_the_primes_up_to_the_32_bit_limit() {
        let small: Vec<u32> = (0..30).filter(|&k| is_prime(k)).collect();
        assert_eq!(small, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
        // The largest 32-bit prime and its neighbours; 65521^2 needs the 64-bit square.
        assert!(is_prime(4_294_967_291));
        assert!(!is_prime(4_294_967_293));
        assert!(is_prime(65_521) && !is_prime(65_521 * 65_521));
    }

    #[test]
    fn every_allowed_n_fits_32_bits() {
        match INFO.size.kind {
            crate::limits::ParamKind::Int { max, .. } => assert!(max <= u64::from(u32::MAX)),
            _ => unreachable!("n is an integer"),
        }
    }
}
