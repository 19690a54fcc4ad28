//! Memory-bound: STREAM-style `sum` (read one array) or `triad` (`a = b + s*c`) over a working set
//! of n bytes, `passes` times, each pass a stage split into `tasks` blocks.
//!
//! Arithmetic per byte is tiny, so time is set by where the working set lives: a sweep over n
//! shows the cache levels, and a sweep over workers shows memory bandwidth saturating long before
//! the cores run out. The arrays hold small integers, so every sum is exact and the answer has a
//! closed form. `a` is written through relaxed atomics, which compile to plain stores, so that
//! tasks can write their disjoint blocks without `unsafe`.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{
    Answer, Bound, Job, PageDefault, Params, Reference, TaskOutput, WorkloadInfo, compare,
    split_range,
};
use crate::estimate::Work;
use crate::limits::{choice, int};
use crate::model::TaskCtx;

/// What the engine, the CLI and the page know about this workload.
pub(super) static INFO: WorkloadInfo = WorkloadInfo {
    description: "memory-bound sum or triad over a buffer of n bytes: a sweep shows cache levels and bandwidth saturation",
    bound: Bound::Memory,
    python_task: "sum_block",
    size: int(
        "n",
        "working-set size in bytes (the 'bytes' of the buffer)",
        64 << 20,
        4096,
        1 << 30,
    ),
    params: &[
        choice(
            "op",
            "sum reads one array; triad writes a = b + s*c",
            "sum",
            &["sum", "triad"],
        ),
        int("passes", "passes over the buffer", 10, 1, 10_000),
        int("tasks", "blocks per pass", 64, 1, 1_000_000),
    ],
    page: PageDefault {
        n: 16 << 20,
        params: &[("passes", 4)],
    },
    build: |p| Box::new(Stream::new(p)),
    reference,
    work,
};

/// Seconds per byte per pass (`sum`; `triad` moves three arrays), one core. Measured as `estimate` describes.
const BYTE_SECONDS: f64 = 7.7e-11;

/// The work's shape for the estimate, before anything runs.
fn work(p: &Params) -> Work {
    let arrays = if p.choice("op") == "triad" { 3.0 } else { 1.0 };
    let passes = p.int("passes") as f64;
    Work::compute(
        p.n as f64 * passes * arrays * BYTE_SECONDS,
        passes * p.int("tasks") as f64,
    )
}

const SCALAR: f64 = 3.0;
const C_VALUE: f64 = 2.0;

fn b_value(i: usize) -> f64 {
    (i % 1024) as f64
}

enum Arrays {
    Sum {
        a: Vec<f64>,
    },
    Triad {
        a: Vec<AtomicU64>,
        b: Vec<f64>,
        c: Vec<f64>,
    },
}

pub struct Stream {
    arrays: Arrays,
    passes: usize,
    blocks: usize,
    checksum: f64,
}

impl Stream {
    pub fn new(p: &Params) -> Self {
        let bytes = p.n as usize;
        let arrays = if p.choice("op") == "sum" {
            Arrays::Sum {
                a: (0..bytes / 8).map(b_value).collect(),
            }
        } else {
            let len = bytes / 24;
            Arrays::Triad {
                a: (0..len).map(|_| AtomicU64::new(0)).collect(),
                b: (0..len).map(b_value).collect(),
                c: vec![C_VALUE; len],
            }
        };
        let len = match &arrays {
            Arrays::Sum { a } => a.len(),
            Arrays::Triad { b, .. } => b.len(),
        };
        Stream {
            arrays,
            passes: p.int("passes") as usize,
            blocks: (p.int("tasks") as usize).clamp(1, len.max(1)),
            checksum: 0.0,
        }
    }

    fn len(&self) -> usize {
        match &self.arrays {
            Arrays::Sum { a } => a.len(),
            Arrays::Triad { b, .. } => b.len(),
        }
    }
}

impl Job for Stream {
    fn stages(&self) -> usize {
        self.passes
    }

    fn tasks(&self, _stage: usize) -> usize {
        self.blocks
    }

    fn run(&self, _stage: usize, task: usize, _ctx: &TaskCtx) -> TaskOutput {
        let r = split_range(self.len() as u64, self.blocks as u64, task as u64);
        let r = r.start as usize..r.end as usize;
        let sum = match &self.arrays {
            Arrays::Sum { a } => a[r].iter().sum(),
            Arrays::Triad { a, b, c } => {
                let mut acc = 0.0;
                for ((a, b), c) in a[r.clone()].iter().zip(&b[r.clone()]).zip(&c[r]) {
                    let v = b + SCALAR * c;
                    a.store(v.to_bits(), Ordering::Relaxed);
                    acc += v;
                }
                acc
            }
        };
        TaskOutput::F64(sum)
    }

    fn end_stage(&mut self, _stage: usize, outputs: Vec<TaskOutput>) {
        self.checksum += outputs.iter().map(TaskOutput::f64).sum::<f64>();
    }

    fn answer(&self) -> Answer {
        let op = match self.arrays {
            Arrays::Sum { .. } => "sum",
            Arrays::Triad { .. } => "triad",
        };
        Answer::text(
            format!(
                "{op} checksum {} over {} passes",
                self.checksum, self.passes
            ),
            format!("{op} {}\n", self.checksum),
        )
    }
}

/// Closed form: each pass sums 0..1023 repeated (plus 6 per element for the triad).
pub fn reference(p: &Params, answer: &Answer) -> Reference {
    let op = p.choice("op");
    let len = if op == "sum" { p.n / 8 } else { p.n / 24 };
    let (full, rest) = (len / 1024, len % 1024);
    let mut per_pass = full * (1023 * 1024 / 2) + rest * rest.saturating_sub(1) / 2;
    if op == "triad" {
        per_pass += len * (SCALAR * C_VALUE) as u64;
    }
    let total = per_pass as f64 * p.int("passes") as f64;
    compare(
        answer,
        format!("{op} {total}\n").as_bytes(),
        "the closed form of the array contents",
    )
}
