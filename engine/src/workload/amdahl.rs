//! A fixed CPU job of n equal work units, of which `serial_fraction` must run serially.
//!
//! Stage 0 is one task doing the serial units; stage 1 splits the rest into `tasks` tasks. With p
//! workers the best possible speedup is 1 / (s + (1 - s) / p), so the measured speedup curve and
//! its Karp-Flatt serial fraction can be compared with the configured one.

use super::{
    Answer, Bound, Job, PageDefault, Params, Reference, TaskOutput, WorkloadInfo, compare,
    split_range,
};
use crate::estimate::Work;
use crate::limits::{float, int};
use crate::model::TaskCtx;

/// What the engine, the CLI and the page know about this workload.
pub(super) static INFO: WorkloadInfo = WorkloadInfo {
    description: "a fixed CPU job with a serial part: speedup is capped at 1 / serial_fraction",
    bound: Bound::Cpu,
    python_task: "work",
    size: int("n", "work units in total", 2_000, 1, 1_000_000),
    params: &[
        float(
            "serial_fraction",
            "fraction of the work that runs serially",
            0.1,
            0.0,
            1.0,
        ),
        int(
            "tasks",
            "tasks the parallel part is split into",
            100,
            1,
            1_000_000,
        ),
    ],
    page: PageDefault {
        n: 200,
        params: &[],
    },
    build: |p| Box::new(Amdahl::new(p)),
    reference,
    work,
};

/// Seconds per work unit, one core. Measured as `estimate` describes.
const UNIT_SECONDS: f64 = 6.5e-5;

/// The work's shape for the estimate, before anything runs.
fn work(p: &Params) -> Work {
    Work {
        compute: p.n as f64 * UNIT_SECONDS,
        parallel: 1.0 - p.float("serial_fraction"),
        tasks: 1.0 + p.int("tasks") as f64,
        wait: 0.0,
    }
}

/// Steps of the linear congruential generator in one work unit (about 0.5 ms on a 3 GHz core: a
/// dependent chain of multiply-adds that no compiler can shorten).
const UNIT_STEPS: u64 = 400_000;
const MUL: u64 = 6364136223846793005;
const INC: u64 = 1442695040888963407;

fn unit(i: u64) -> u64 {
    let mut x = i;
    for _ in 0..UNIT_STEPS {
        x = x.wrapping_mul(MUL).wrapping_add(INC);
    }
    x
}

/// The same unit by jumping ahead: composing the affine map `x -> MUL x + INC` with itself
/// `UNIT_STEPS` times by squaring. An independent computation of [`unit`].
fn unit_by_jump(i: u64) -> u64 {
    let (mut acc_mul, mut acc_inc) = (1u64, 0u64);
    let (mut cur_mul, mut cur_inc) = (MUL, INC);
    let mut k = UNIT_STEPS;
    while k > 0 {
        if k & 1 == 1 {
            acc_mul = acc_mul.wrapping_mul(cur_mul);
            acc_inc = acc_inc.wrapping_mul(cur_mul).wrapping_add(cur_inc);
        }
        cur_inc = cur_inc.wrapping_mul(cur_mul).wrapping_add(cur_inc);
        cur_mul = cur_mul.wrapping_mul(cur_mul);
        k >>= 1;
    }
    acc_mul.wrapping_mul(i).wrapping_add(acc_inc)
}

pub struct Amdahl {
    n: u64,
    serial: u64,
    tasks: u64,
    checksum: u64,
}

impl Amdahl {
    pub fn new(p: &Params) -> Self {
        let serial = ((p.n as f64) * p.float("serial_fraction")).round() as u64;
        let parallel = p.n - serial;
        Amdahl {
            n: p.n,
            serial,
            tasks: p.int("tasks").min(parallel).max(1),
            checksum: 0,
        }
    }
}

impl Job for Amdahl {
    fn stages(&self) -> usize {
        2
    }

    fn tasks(&self, stage: usize) -> usize {
        if stage == 0 { 1 } else { self.tasks as usize }
    }

    fn run(&self, stage: usize, task: usize, ctx: &TaskCtx) -> TaskOutput {
        let units = if stage == 0 {
            0..self.serial
        } else {
            let r = split_range(self.n - self.serial, self.tasks, task as u64);
            r.start + self.serial..r.end + self.serial
        };
        let mut sum = 0u64;
        for i in units {
            sum = sum.wrapping_add(unit(i));
            ctx.checkpoint();
        }
        TaskOutput::U64(sum)
    }

    fn end_stage(&mut self, _stage: usize, outputs: Vec<TaskOutput>) {
        for o in outputs {
            self.checksum = self.checksum.wrapping_add(o.u64());
        }
    }

    fn answer(&self) -> Answer {
        Answer::text(
            format!(
                "checksum {:016x} ({} of {} units serial)",
                self.checksum, self.serial, self.n
            ),
            format!("{:016x}\n", self.checksum),
        )
    }
}

pub fn reference(p: &Params, answer: &Answer) -> Reference {
    let sum = (0..p.n).fold(0u64, |acc, i| acc.wrapping_add(unit_by_jump(i)));
    compare(
        answer,
        format!("{sum:016x}\n").as_bytes(),
        "the units computed by jumping ahead",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn jump_ahead_equals_stepping() {
        for i in [0, 1, 12345, u64::MAX] {
            assert_eq!(super::unit(i), super::unit_by_jump(i));
        }
    }
}
