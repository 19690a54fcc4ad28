//! The Benchmarks Game `n-body`: a simplified model of the Jovian planets, advanced n steps.
//!
//! This is the inherently sequential example: every step needs the positions the previous step
//! computed, and a step on five bodies is far too small to split. So the whole simulation is one
//! task, and no model can make it faster: a run with many workers shows one busy worker and the
//! others idle, which is Amdahl's law with a serial fraction of 1.

use super::{
    Answer, Bound, Job, PageDefault, Params, Reference, TaskOutput, WorkloadInfo, compare,
};
use crate::estimate::Work;
use crate::limits::int;
use crate::model::TaskCtx;

/// What the engine, the CLI and the page know about this workload.
pub(super) static INFO: WorkloadInfo = WorkloadInfo {
    description: "Benchmarks Game n-body: inherently sequential (every step needs the previous one), so it is one task and no model can speed it up",
    bound: Bound::Sequential,
    python_task: "simulate",
    size: int("n", "simulation steps", 5_000_000, 0, 100_000_000),
    params: &[],
    page: PageDefault {
        n: 500_000,
        params: &[],
    },
    build: |p| Box::new(NBody::new(p)),
    reference,
    work,
};

/// Seconds per step of the 5-body system, one core. Measured as `estimate` describes.
const STEP_SECONDS: f64 = 4.5e-8;

/// The work's shape for the estimate, before anything runs.
fn work(p: &Params) -> Work {
    Work {
        compute: p.n as f64 * STEP_SECONDS,
        parallel: 0.0,
        tasks: 1.0,
        wait: 0.0,
    }
}

const PI: f64 = std::f64::consts::PI;
const SOLAR_MASS: f64 = 4.0 * PI * PI;
const DAYS_PER_YEAR: f64 = 365.24;
const DT: f64 = 0.01;

#[derive(Clone, Copy)]
struct Body {
    pos: [f64; 3],
    vel: [f64; 3],
    mass: f64,
}

fn body(pos: [f64; 3], vel: [f64; 3], mass: f64) -> Body {
    Body {
        pos,
        vel: vel.map(|v| v * DAYS_PER_YEAR),
        mass: mass * SOLAR_MASS,
    }
}

// The constants are the Game's, digit for digit, so that anyone can compare them with its source.
#[allow(clippy::excessive_precision)]
// Three coordinates indexed in step across arrays.
#[allow(clippy::needless_range_loop)]
fn initial() -> [Body; 5] {
    let mut bodies = [
        body([0.0; 3], [0.0; 3], 1.0),
        body(
            [
                4.84143144246472090e+00,
                -1.16032004402742839e+00,
                -1.03622044471123109e-01,
            ],
            [
                1.66007664274403694e-03,
                7.69901118419740425e-03,
                -6.90460016972063023e-05,
            ],
            9.54791938424326609e-04,
        ),
        body(
            [
                8.34336671824457987e+00,
                4.12479856412430479e+00,
                -4.03523417114321381e-01,
            ],
            [
                -2.76742510726862411e-03,
                4.99852801234917238e-03,
                2.30417297573763929e-05,
            ],
            2.85885980666130812e-04,
        ),
        body(
            [
                1.28943695621391310e+01,
                -1.51111514016986312e+01,
                -2.23307578892655734e-01,
            ],
            [
                2.96460137564761618e-03,
                2.37847173959480950e-03,
                -2.96589568540237556e-05,
            ],
            4.36624404335156298e-05,
        ),
        body(
            [
                1.53796971148509165e+01,
                -2.59193146099879641e+01,
                1.79258772950371181e-01,
            ],
            [
                2.68067772490389322e-03,
                1.62824170038242295e-03,
                -9.51592254519715870e-05,
            ],
            5.15138902046611451e-05,
        ),
    ];
    let mut p = [0.0; 3];
    for b in &bodies {
        for k in 0..3 {
            p[k] += b.vel[k] * b.mass;
        }
    }
    for k in 0..3 {
        bodies[0].vel[k] = -p[k] / SOLAR_MASS;
    }
    bodies
}

fn energy(bodies: &[Body; 5]) -> f64 {
    let mut e = 0.0;
    for (i, b) in bodies.iter().enumerate() {
        e += 0.5 * b.mass * (b.vel[0] * b.vel[0] + b.vel[1] * b.vel[1] + b.vel[2] * b.vel[2]);
        for c in &bodies[i + 1..] {
            let d = [
                b.pos[0] - c.pos[0],
                b.pos[1] - c.pos[1],
                b.pos[2] - c.pos[2],
            ];
            e -= b.mass * c.mass / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
        }
    }
    e
}

#[allow(clippy::needless_range_loop)]
fn advance(bodies: &mut [Body; 5]) {
    for i in 0..5 {
        let (left, right) = bodies.split_at_mut(i + 1);
        let b = &mut left[i];
        for c in right.iter_mut() {
            let d = [
                b.pos[0] - c.pos[0],
                b.pos[1] - c.pos[1],
                b.pos[2] - c.pos[2],
            ];
            let d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            let mag = DT / (d2 * d2.sqrt());
            for k in 0..3 {
                b.vel[k] -= d[k] * c.mass * mag;
                c.vel[k] += d[k] * b.mass * mag;
            }
        }
    }
    for b in bodies.iter_mut() {
        for k in 0..3 {
            b.pos[k] += DT * b.vel[k];
        }
    }
}

pub struct NBody {
    steps: u64,
    energies: (f64, f64),
}

impl NBody {
    pub fn new(p: &Params) -> Self {
        NBody {
            steps: p.n,
            energies: (0.0, 0.0),
        }
    }
}

impl Job for NBody {
    fn tasks(&self, _stage: usize) -> usize {
        1
    }

    fn run(&self, _stage: usize, _task: usize, ctx: &TaskCtx) -> TaskOutput {
        let mut bodies = initial();
        let before = energy(&bodies);
        for step in 0..self.steps {
            advance(&mut bodies);
            if step % 1024 == 0 {
                ctx.checkpoint();
            }
        }
        TaskOutput::F64s(vec![before, energy(&bodies)])
    }

    fn end_stage(&mut self, _stage: usize, outputs: Vec<TaskOutput>) {
        match outputs.as_slice() {
            [TaskOutput::F64s(e)] if e.len() == 2 => self.energies = (e[0], e[1]),
            other => panic!("n-body outputs two energies, got {other:?}"),
        }
    }

    fn answer(&self) -> Answer {
        let (a, b) = self.energies;
        Answer::text(
            format!("energy {a:.9} -> {b:.9}"),
            format!("{a:.9}\n{b:.9}\n"),
        )
    }
}

/// The Game's published output for n = 1000 (`nbody-output.txt`) and its benchmark size.
pub fn reference(p: &Params, answer: &Answer) -> Reference {
    match p.n {
        1000 => compare(
            answer,
            b"-0.169075164\n-0.169087605\n",
            "the Benchmarks Game's published output for n=1000",
        ),
        10_000 => compare(
            answer,
            b"-0.169075164\n-0.169016441\n",
            "a published output for n=10000",
        ),
        50_000_000 => compare(
            answer,
            b"-0.169075164\n-0.169059907\n",
            "the Benchmarks Game's published output for n=50000000",
        ),
        _ => Reference::None,
    }
}
