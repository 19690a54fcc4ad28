//! The Benchmarks Game `fannkuch-redux`: for every permutation of 1..=n, count the prefix
//! reversals ("pancake flips") until 1 comes first; print a checksum and the maximum.
//!
//! The checksum adds the flips of even-numbered permutations and subtracts those of odd-numbered
//! ones, in the Game's generation order, so a task must know the global index of each permutation
//! it handles. Tasks are blocks of permutation indices; a block starts by decoding its first index
//! in the factorial number system (digit `d_i` = rotations of the prefix `0..=i`), then continues
//! with the Game's own generation loop.

use super::{
    Answer, Bound, Job, PageDefault, Params, Reference, TaskOutput, WorkloadInfo, compare,
    split_range,
};
use crate::estimate::Work;
use crate::limits::int;
use crate::model::TaskCtx;

/// What the engine, the CLI and the page know about this workload.
pub(super) static INFO: WorkloadInfo = WorkloadInfo {
    description: "Benchmarks Game fannkuch-redux: CPU-bound permutation flipping, split into blocks of permutations",
    bound: Bound::Cpu,
    python_task: "flip_block",
    size: int("n", "permutation length", 10, 3, 12),
    params: &[int("tasks", "blocks of permutations", 48, 1, 10_000)],
    page: PageDefault { n: 9, params: &[] },
    build: |p| Box::new(FannkuchRedux::new(p)),
    reference,
    work,
};

/// Seconds per n! * n (every permutation flipped), one core. Measured as `estimate` describes.
const PERMUTATION_SECONDS: f64 = 7.0e-9;

/// The work's shape for the estimate, before anything runs.
fn work(p: &Params) -> Work {
    let factorial: f64 = (1..=p.n).map(|k| k as f64).product();
    Work::compute(
        factorial * p.n as f64 * PERMUTATION_SECONDS,
        p.int("tasks") as f64,
    )
}

pub struct FannkuchRedux {
    n: usize,
    blocks: u64,
    checksum: i64,
    max_flips: i64,
}

fn factorial(n: usize) -> u64 {
    (1..=n as u64).product()
}

impl FannkuchRedux {
    pub fn new(p: &Params) -> Self {
        let n = p.n as usize;
        FannkuchRedux {
            n,
            blocks: p.int("tasks").min(factorial(n)),
            checksum: 0,
            max_flips: 0,
        }
    }
}

/// Checksum and maximum flips over permutations `range` of length `n`.
pub(crate) fn block(n: usize, range: std::ops::Range<u64>, ctx: &TaskCtx) -> (i64, i64) {
    let mut perm1: Vec<usize> = (0..n).collect();
    let mut count = vec![0usize; n];
    let mut rest = range.start;
    for i in (1..n).rev() {
        let f = factorial(i);
        let d = (rest / f) as usize;
        rest %= f;
        perm1[..=i].rotate_left(d);
        count[i] = i + 1 - d;
    }
    let mut perm = vec![0usize; n];
    let (mut checksum, mut max_flips) = (0i64, 0i64);
    let mut index = range.start;
    while index < range.end {
        if perm1[0] != 0 {
            perm.copy_from_slice(&perm1);
            let mut flips = 0i64;
            let mut k = perm[0];
            while k != 0 {
                perm[..=k].reverse();
                flips += 1;
                k = perm[0];
            }
            max_flips = max_flips.max(flips);
            checksum += if index.is_multiple_of(2) {
                flips
            } else {
                -flips
            };
        }
        index += 1;
        if index == range.end {
            break;
        }
        if index.is_multiple_of(4096) {
            ctx.checkpoint();
        }
        // The Game's next-permutation step: rotate the shortest prefix whose counter is not spent.
        let mut r = 1;
        loop {
            perm1[..=r].rotate_left(1);
            count[r] -= 1;
            if count[r] > 0 {
                break;
            }
            count[r] = r + 1;
            r += 1;
        }
    }
    (checksum, max_flips)
}

impl Job for FannkuchRedux {
    fn tasks(&self, _stage: usize) -> usize {
        self.blocks as usize
    }

    fn run(&self, _stage: usize, task: usize, ctx: &TaskCtx) -> TaskOutput {
        let range = split_range(factorial(self.n), self.blocks, task as u64);
        let (c, m) = block(self.n, range, ctx);
        TaskOutput::Pair(c, m)
    }

    fn end_stage(&mut self, _stage: usize, outputs: Vec<TaskOutput>) {
        for o in outputs {
            match o {
                TaskOutput::Pair(c, m) => {
                    self.checksum += c;
                    self.max_flips = self.max_flips.max(m);
                }
                other => panic!("fannkuch block is a pair, got {other:?}"),
            }
        }
    }

    fn answer(&self) -> Answer {
        Answer::text(
            format!("checksum {}, max flips {}", self.checksum, self.max_flips),
            format!(
                "{}\nPfannkuchen({}) = {}\n",
                self.checksum, self.n, self.max_flips
            ),
        )
    }
}

/// The Game's published output for n = 7 (`fannkuchredux-output.txt`) and for its benchmark size
/// n = 12, plus the values for n = 8..=11 that its programs print.
pub fn reference(p: &Params, answer: &Answer) -> Reference {
    let expected: &[u8] = match p.n {
        7 => b"228\nPfannkuchen(7) = 16\n",
        8 => b"1616\nPfannkuchen(8) = 22\n",
        9 => b"8629\nPfannkuchen(9) = 30\n",
        10 => b"73196\nPfannkuchen(10) = 38\n",
        11 => b"556355\nPfannkuchen(11) = 51\n",
        12 => b"3968050\nPfannkuchen(12) = 65\n",
        _ => return Reference::None,
    };
    compare(answer, expected, "the Benchmarks Game's published output")
}
