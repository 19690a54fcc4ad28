//! The Benchmarks Game `spectral-norm`: the spectral norm of an infinite matrix A, truncated to n.
//!
//! Ten rounds of `v = AᵀA u; u = AᵀA v` are 40 matrix-vector products, each a stage whose tasks
//! are blocks of rows: a product needs the whole previous vector, so the stages are a chain of
//! barriers. Every row is summed in column order by a single task, so the floating-point result
//! is the same whatever model or number of workers computed it.

use super::{
    Answer, Bound, Job, PageDefault, Params, Reference, TaskOutput, WorkloadInfo, compare,
    split_range,
};
use crate::estimate::Work;
use crate::limits::int;
use crate::model::TaskCtx;

/// What the engine, the CLI and the page know about this workload.
pub(super) static INFO: WorkloadInfo = WorkloadInfo {
    description: "Benchmarks Game spectral-norm: 40 dependent matrix-vector stages, each split into row blocks",
    bound: Bound::Cpu,
    python_task: "multiply_rows",
    size: int("n", "matrix order", 2000, 1, 10_000),
    params: &[int(
        "tasks",
        "row blocks per matrix-vector product",
        32,
        1,
        10_000,
    )],
    page: PageDefault {
        n: 800,
        params: &[],
    },
    build: |p| Box::new(SpectralNorm::new(p)),
    reference,
    work,
};

/// Seconds per n^2 (40 matrix-vector products of order n), one core. Measured as `estimate` describes.
const N2_SECONDS: f64 = 4.8e-8;

/// The work's shape for the estimate, before anything runs.
fn work(p: &Params) -> Work {
    let n = p.n as f64;
    Work::compute(n * n * N2_SECONDS, 40.0 * p.int("tasks") as f64)
}

pub struct SpectralNorm {
    n: usize,
    blocks: usize,
    u: Vec<f64>,
    v: Vec<f64>,
    t: Vec<f64>,
}

impl SpectralNorm {
    pub fn new(p: &Params) -> Self {
        let n = p.n as usize;
        SpectralNorm {
            n,
            blocks: (p.int("tasks") as usize).min(n),
            u: vec![1.0; n],
            v: vec![0.0; n],
            t: vec![0.0; n],
        }
    }
}

#[inline]
fn a(i: usize, j: usize) -> f64 {
    1.0 / (((i + j) * (i + j + 1) / 2 + i + 1) as f64)
}

/// What stage `s` computes: (input vector, transposed?, output vector).
enum Vector {
    U,
    V,
    T,
}

fn plan(stage: usize) -> (Vector, bool, Vector) {
    match stage % 4 {
        0 => (Vector::U, false, Vector::T),
        1 => (Vector::T, true, Vector::V),
        2 => (Vector::V, false, Vector::T),
        _ => (Vector::T, true, Vector::U),
    }
}

impl SpectralNorm {
    fn vector(&self, which: &Vector) -> &[f64] {
        match which {
            Vector::U => &self.u,
            Vector::V => &self.v,
            Vector::T => &self.t,
        }
    }
}

impl Job for SpectralNorm {
    fn stages(&self) -> usize {
        40
    }

    fn tasks(&self, _stage: usize) -> usize {
        self.blocks
    }

    fn run(&self, stage: usize, task: usize, ctx: &TaskCtx) -> TaskOutput {
        let (input, transposed, _) = plan(stage);
        let x = self.vector(&input);
        let rows = split_range(self.n as u64, self.blocks as u64, task as u64);
        let mut out = Vec::with_capacity(rows.clone().count());
        for i in rows {
            let i = i as usize;
            let mut sum = 0.0;
            if transposed {
                for (j, xj) in x.iter().enumerate() {
                    sum += a(j, i) * xj;
                }
            } else {
                for (j, xj) in x.iter().enumerate() {
                    sum += a(i, j) * xj;
                }
            }
            out.push(sum);
            ctx.checkpoint();
        }
        TaskOutput::F64s(out)
    }

    fn end_stage(&mut self, stage: usize, outputs: Vec<TaskOutput>) {
        let (_, _, output) = plan(stage);
        let target = match output {
            Vector::U => &mut self.u,
            Vector::V => &mut self.v,
            Vector::T => &mut self.t,
        };
        target.clear();
        for o in outputs {
            match o {
                TaskOutput::F64s(part) => target.extend_from_slice(&part),
                other => panic!("spectral-norm block is F64s, got {other:?}"),
            }
        }
    }

    fn answer(&self) -> Answer {
        let vbv: f64 = self.u.iter().zip(&self.v).map(|(u, v)| u * v).sum();
        let vv: f64 = self.v.iter().map(|v| v * v).sum();
        let norm = (vbv / vv).sqrt();
        let text = format!("{norm:.9}\n");
        Answer::text(format!("spectral norm {norm:.9}"), text)
    }
}

/// Published outputs: the Game's `spectralnorm-output.txt` (n = 100) and benchmark size (5500),
/// and n = 2 and 101 from the outputs vendored in `tests/fixtures` (see SOURCES.md there).
pub fn reference(p: &Params, answer: &Answer) -> Reference {
    match p.n {
        2 => compare(answer, b"1.183350177\n", "a published output for n=2"),
        101 => compare(answer, b"1.274220109\n", "a published output for n=101"),
        100 => compare(
            answer,
            b"1.274219991\n",
            "the Benchmarks Game's published output for n=100",
        ),
        5500 => compare(
            answer,
            b"1.274224153\n",
            "the Benchmarks Game's published output for n=5500",
        ),
        _ => Reference::None,
    }
}
