//! `x * x` for each of n items: the tutorials' `Pool.map(square, dataset)`.
//!
//! A task is one item and costs about a nanosecond, so what a run measures is the model's
//! per-task overhead: queueing, waking threads, pickling (here: serializing) and collecting.

use super::{
    Answer, Bound, Job, PageDefault, Params, Reference, TaskOutput, WorkloadInfo, compare,
};
use crate::estimate::Work;
use crate::limits::int;
use crate::model::TaskCtx;

/// What the engine, the CLI and the page know about this workload.
pub(super) static INFO: WorkloadInfo = WorkloadInfo {
    description: "x*x for each item, as in the tutorials' Pool.map(square, dataset): tasks so tiny that overhead dominates",
    bound: Bound::Tiny,
    python_task: "square",
    size: int("n", "items to square", 1_000_000, 1, 10_000_000),
    params: &[],
    page: PageDefault {
        n: 100_000,
        params: &[],
    },
    build: |p| Box::new(Square::new(p)),
    reference,
    work,
};

/// Seconds per item squared, its record included, one core. Measured as `estimate` describes.
const ITEM_SECONDS: f64 = 2.0e-7;

/// The work's shape for the estimate, before anything runs.
fn work(p: &Params) -> Work {
    Work::compute(p.n as f64 * ITEM_SECONDS, p.n as f64)
}

pub struct Square {
    n: u64,
    sum: u128,
}

impl Square {
    pub fn new(p: &Params) -> Self {
        Square { n: p.n, sum: 0 }
    }
}

impl Job for Square {
    fn tasks(&self, _stage: usize) -> usize {
        self.n as usize
    }

    fn run(&self, _stage: usize, task: usize, _ctx: &TaskCtx) -> TaskOutput {
        let x = task as u64;
        TaskOutput::U64(std::hint::black_box(x) * x)
    }

    fn end_stage(&mut self, _stage: usize, outputs: Vec<TaskOutput>) {
        self.sum = outputs.iter().map(|o| u128::from(o.u64())).sum();
    }

    fn answer(&self) -> Answer {
        Answer::text(
            format!("sum of squares of 0..{} = {}", self.n, self.sum),
            format!("{}\n", self.sum),
        )
    }
}

/// The closed form sum_{x<n} x^2 = (n-1) n (2n-1) / 6.
pub fn reference(p: &Params, answer: &Answer) -> Reference {
    let n = u128::from(p.n);
    let expected = (n - 1) * n * (2 * n - 1) / 6;
    compare(
        answer,
        format!("{expected}\n").as_bytes(),
        "the closed form (n-1)n(2n-1)/6",
    )
}
