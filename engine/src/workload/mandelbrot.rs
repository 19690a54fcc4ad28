//! The Benchmarks Game `mandelbrot`: an n x n PBM ("P4") bitmap of the Mandelbrot set.
//!
//! Each task is one row, computed exactly as the Game's reference program does (50 iterations,
//! escape radius 2, bits packed most significant first, a short last byte of a row shifted left),
//! so the output is byte-identical to the published one for every n, including n not divisible by
//! 8. Rust never fuses `a * b + c` into one fused multiply-add, which would change the rounding.

use super::{
    Answer, Bound, Job, PageDefault, Params, Reference, TaskOutput, WorkloadInfo, compare,
};
use crate::estimate::Work;
use crate::limits::int;
use crate::model::TaskCtx;

/// What the engine, the CLI and the page know about this workload.
pub(super) static INFO: WorkloadInfo = WorkloadInfo {
    description: "Benchmarks Game mandelbrot: CPU-bound, one task per row, PBM bitmap output; embarrassingly parallel",
    bound: Bound::Cpu,
    python_task: "render_row",
    size: int("n", "image width and height in pixels", 4000, 1, 16_000),
    params: &[],
    page: PageDefault {
        n: 1200,
        params: &[],
    },
    build: |p| Box::new(Mandelbrot::new(p)),
    reference,
    work,
};

/// Seconds per pixel (at most 50 iterations each), one core. Measured as `estimate` describes.
const PIXEL_SECONDS: f64 = 6.2e-8;

/// The work's shape for the estimate, before anything runs.
fn work(p: &Params) -> Work {
    let n = p.n as f64;
    Work::compute(n * n * PIXEL_SECONDS, n)
}

const ITERATIONS: u32 = 50;
const LIMIT_SQUARED: f64 = 4.0;

pub struct Mandelbrot {
    n: usize,
    rows: Vec<Vec<u8>>,
}

impl Mandelbrot {
    pub fn new(p: &Params) -> Self {
        Mandelbrot {
            n: p.n as usize,
            rows: Vec::new(),
        }
    }
}

/// One row of the bitmap.
pub(crate) fn row(n: usize, y: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n.div_ceil(8));
    let ci = 2.0 * y as f64 / n as f64 - 1.0;
    let mut byte: u8 = 0;
    let mut bits = 0;
    for x in 0..n {
        let cr = 2.0 * x as f64 / n as f64 - 1.5;
        let (mut zr, mut zi, mut tr, mut ti) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        let mut i = 0;
        while i < ITERATIONS && tr + ti <= LIMIT_SQUARED {
            zi = 2.0 * zr * zi + ci;
            zr = tr - ti + cr;
            tr = zr * zr;
            ti = zi * zi;
            i += 1;
        }
        byte <<= 1;
        if tr + ti <= LIMIT_SQUARED {
            byte |= 1;
        }
        bits += 1;
        if bits == 8 {
            out.push(byte);
            byte = 0;
            bits = 0;
        }
    }
    if bits > 0 {
        out.push(byte << (8 - bits));
    }
    out
}

impl Job for Mandelbrot {
    fn tasks(&self, _stage: usize) -> usize {
        self.n
    }

    fn run(&self, _stage: usize, task: usize, _ctx: &TaskCtx) -> TaskOutput {
        TaskOutput::Bytes(row(self.n, task))
    }

    fn end_stage(&mut self, _stage: usize, outputs: Vec<TaskOutput>) {
        self.rows = outputs
            .into_iter()
            .map(|o| match o {
                TaskOutput::Bytes(b) => b,
                other => panic!("mandelbrot row is bytes, got {other:?}"),
            })
            .collect();
    }

    fn answer(&self) -> Answer {
        let mut output = format!("P4\n{} {}\n", self.n, self.n).into_bytes();
        let mut set_pixels: u64 = 0;
        for r in &self.rows {
            output.extend_from_slice(r);
            set_pixels += r.iter().map(|b| u64::from(b.count_ones())).sum::<u64>();
        }
        Answer {
            summary: format!("{n}x{n} bitmap, {set_pixels} pixels in the set", n = self.n),
            output,
        }
    }
}

/// The Game's published output for n = 200 (`mandelbrot-output.txt`), byte for byte.
const PUBLISHED_200: &[u8] = include_bytes!("../../tests/fixtures/mandelbrot-200.pbm");

pub fn reference(p: &Params, answer: &Answer) -> Reference {
    if p.n == 200 {
        compare(
            answer,
            PUBLISHED_200,
            "the Benchmarks Game's published output for n=200",
        )
    } else if p.n <= 512 {
        // Small sizes: an independent straightforward rendering (no shared code path with `row`'s
        // byte packing) keeps odd widths honest.
        compare(
            answer,
            &independent(p.n as usize),
            "an independent bit-by-bit rendering",
        )
    } else {
        Reference::None
    }
}

/// Renders the bitmap pixel by pixel into a bit vector first, then packs it: a second
/// implementation of the packing rule, used as a reference for small n.
fn independent(n: usize) -> Vec<u8> {
    let mut out = format!("P4\n{n} {n}\n").into_bytes();
    for y in 0..n {
        let bits: Vec<bool> = (0..n)
            .map(|x| {
                let c = (
                    2.0 * x as f64 / n as f64 - 1.5,
                    2.0 * y as f64 / n as f64 - 1.0,
                );
                let mut z = (0.0f64, 0.0f64);
                let mut t = (0.0f64, 0.0f64);
                for _ in 0..ITERATIONS {
                    if t.0 + t.1 > LIMIT_SQUARED {
                        break;
                    }
                    z.1 = 2.0 * z.0 * z.1 + c.1;
                    z.0 = t.0 - t.1 + c.0;
                    t = (z.0 * z.0, z.1 * z.1);
                }
                t.0 + t.1 <= LIMIT_SQUARED
            })
            .collect();
        for chunk in bits.chunks(8) {
            let mut b = 0u8;
            for (i, bit) in chunk.iter().enumerate() {
                if *bit {
                    b |= 0x80 >> i;
                }
            }
            out.push(b);
        }
    }
    out
}
