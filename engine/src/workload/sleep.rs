//! I/O-bound: each task waits `latency_ms` (+- `jitter_ms`, drawn from a seeded generator), then
//! does a trivial amount of work.
//!
//! The wait is a platform service the model chooses how to perform: threads block in `sleep`, the
//! async loop arms a timer and runs other tasks, the GIL model releases the lock while waiting.
//! That is why threads help I/O-bound work even under a GIL.

use std::time::Duration;

use super::{
    Answer, Bound, Job, PageDefault, Params, Reference, TaskOutput, WorkloadInfo, compare,
};
use crate::estimate::Work;
use crate::limits::int;
use crate::model::TaskCtx;

/// What the engine, the CLI and the page know about this workload.
pub(super) static INFO: WorkloadInfo = WorkloadInfo {
    description: "I/O-bound: each task waits latency_ms (+- seeded jitter) on a platform timer; concurrency helps without cores",
    bound: Bound::Io,
    python_task: "fetch",
    size: int("n", "tasks, each waiting latency_ms", 100, 1, 1_000_000),
    params: &[
        int(
            "latency_ms",
            "mean wait per task, milliseconds",
            10,
            0,
            10_000,
        ),
        int(
            "jitter_ms",
            "uniform +- jitter around the mean, milliseconds",
            0,
            0,
            10_000,
        ),
        int("seed", "seed of the jitter", 1, 0, u64::MAX),
    ],
    page: PageDefault { n: 20, params: &[] },
    build: |p| Box::new(Sleep::new(p)),
    reference,
    work,
};

/// The work's shape for the estimate, before anything runs.
fn work(p: &Params) -> Work {
    Work {
        compute: 0.0,
        parallel: 1.0,
        tasks: p.n as f64,
        wait: p.n as f64 * p.int("latency_ms") as f64 / 1000.0,
    }
}

pub struct Sleep {
    waits_us: Vec<u64>,
    total_us: u64,
}

/// splitmix64: a tiny, well-known generator, so the same seed gives the same waits everywhere.
pub(super) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn waits(p: &Params) -> Vec<u64> {
    let latency = p.int("latency_ms") * 1000;
    let jitter = p.int("jitter_ms") * 1000;
    let mut state = p.int("seed");
    (0..p.n)
        .map(|_| {
            if jitter == 0 {
                latency
            } else {
                let offset = splitmix64(&mut state) % (2 * jitter + 1);
                (latency + offset).saturating_sub(jitter)
            }
        })
        .collect()
}

impl Sleep {
    pub fn new(p: &Params) -> Self {
        Sleep {
            waits_us: waits(p),
            total_us: 0,
        }
    }
}

impl Job for Sleep {
    fn tasks(&self, _stage: usize) -> usize {
        self.waits_us.len()
    }

    fn wait(&self, _stage: usize, task: usize) -> Option<Duration> {
        Some(Duration::from_micros(self.waits_us[task]))
    }

    fn run(&self, _stage: usize, task: usize, _ctx: &TaskCtx) -> TaskOutput {
        // The "response" of the I/O: what the task waited, which the answer adds up.
        TaskOutput::U64(self.waits_us[task])
    }

    fn end_stage(&mut self, _stage: usize, outputs: Vec<TaskOutput>) {
        self.total_us = outputs.iter().map(TaskOutput::u64).sum();
    }

    fn answer(&self) -> Answer {
        let n = self.waits_us.len();
        let total_ms = self.total_us as f64 / 1000.0;
        Answer::text(
            format!("{n} waits, {total_ms:.3} ms in total"),
            format!("tasks {n}\ntotal_wait_ms {total_ms:.3}\n"),
        )
    }
}

/// The waits are known before running: the answer must add them all up, once each.
pub fn reference(p: &Params, answer: &Answer) -> Reference {
    let w = waits(p);
    let expected = format!(
        "tasks {}\ntotal_wait_ms {:.3}\n",
        w.len(),
        w.iter().sum::<u64>() as f64 / 1000.0
    );
    compare(
        answer,
        expected.as_bytes(),
        "the seeded waits, summed directly",
    )
}
