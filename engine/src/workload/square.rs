//! `x * x` for each of n items: the tutorials' `Pool.map(square, dataset)`.
//!
//! A task is one item and costs about a nanosecond, so what a run measures is the model's
//! per-task overhead: queueing, waking threads, pickling (here: serializing) and collecting.

use super::{Answer, Job, Params, Reference, TaskOutput, compare};
use crate::model::TaskCtx;

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
