//! Where a configuration's time went: its recorded run's workers x wall time, split into what the
//! workers did. From the task records alone, so it is the same for every model and host:
//!
//! - `compute`: inside tasks, not waiting;
//! - `wait`: inside tasks, waiting (on I/O, a timer, the GIL);
//! - `startup`: before a worker's first task (starting threads or processes, the first dispatch);
//! - `overhead`: between two tasks of a worker in one stage, and from the end of a stage to a
//!   worker's first task of the next (dispatch, hand-off, serialization, collecting results);
//! - `idle`: a worker with nothing to do: after its last task of a stage until the stage's last
//!   task ends (imbalance), after its last task of the run (the tail), or all along (no task).
//!
//! A worker is a lane of time whose tasks follow one another; the async loop's in-flight tasks
//! share one thread, so they are laid out in as many lanes as were in flight (see `lanes` below).
//! Every instant of every lane falls in exactly one part, so the parts add up to workers x wall;
//! they differ only where a worker's records overlap (which no model produces) or end after the
//! wall time was read (clock skew of process workers, a few microseconds).

use serde::{Deserialize, Serialize};

use crate::model::TaskRecord;

/// Seconds of workers x wall time, by what the workers did (see the module doc).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    pub compute: f64,
    pub overhead: f64,
    pub wait: f64,
    pub idle: f64,
    pub startup: f64,
}

impl Breakdown {
    /// The parts added up: workers x wall, up to rounding.
    pub fn total(&self) -> f64 {
        self.compute + self.overhead + self.wait + self.idle + self.startup
    }

    /// The parts by name, in a fixed order.
    pub fn parts(&self) -> [(&'static str, f64); 5] {
        [
            ("compute", self.compute),
            ("overhead", self.overhead),
            ("wait", self.wait),
            ("idle", self.idle),
            ("startup", self.startup),
        ]
    }

    /// The parts of at least 1% of the total, largest first: "compute 81%, idle 12%".
    pub fn shares(&self) -> String {
        let total = self.total();
        if total <= 0.0 {
            return String::new();
        }
        let mut parts: Vec<(&str, f64)> = self
            .parts()
            .into_iter()
            .map(|(name, v)| (name, v / total))
            .filter(|(_, share)| *share >= 0.01)
            .collect();
        parts.sort_by(|a, b| b.1.total_cmp(&a.1));
        parts
            .iter()
            .map(|(name, share)| format!("{name} {:.0}%", share * 100.0))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The breakdown of a run of `workers` workers that took `wall` seconds and recorded
    /// `tasks`; `None` without records (timeline off).
    pub fn of(tasks: &[TaskRecord], workers: u32, wall: f64) -> Option<Breakdown> {
        if tasks.is_empty() || !wall.is_finite() || wall <= 0.0 {
            return None;
        }
        let stages = tasks
            .iter()
            .map(|t| t.stage as usize + 1)
            .max()
            .unwrap_or(0);
        // When each stage's last task ended: until then a worker without tasks is idle.
        let mut stage_end = vec![0.0f64; stages];
        for t in tasks {
            let e = &mut stage_end[t.stage as usize];
            *e = e.max(t.end);
        }
        let lanes = lanes(tasks);
        let mut b = Breakdown::default();
        // Workers that never got a task (or in-flight slots never filled) idled throughout.
        b.idle += wall * (workers as usize).saturating_sub(lanes.len()) as f64;
        for list in &lanes {
            let Some(first) = list.first() else {
                continue;
            };
            b.startup += first.start.clamp(0.0, wall);
            for (i, t) in list.iter().enumerate() {
                let inside = (t.end - t.start).max(0.0);
                let wait = t.wait.clamp(0.0, inside);
                b.wait += wait;
                b.compute += inside - wait;
                let next = list.get(i + 1).map_or(wall, |n| n.start);
                let gap = (next - t.end).max(0.0);
                if list.get(i + 1).is_some_and(|n| n.stage == t.stage) {
                    b.overhead += gap;
                } else {
                    // The rest of this stage is idle; from its end to the next task, dispatch.
                    let idle = (stage_end[t.stage as usize] - t.end).clamp(0.0, gap);
                    b.idle += idle;
                    if list.get(i + 1).is_some() {
                        b.overhead += gap - idle;
                    } else {
                        b.idle += gap - idle;
                    }
                }
            }
        }
        Some(b)
    }
}

/// The records as lanes of time: one per worker, whose tasks follow one another. A worker
/// whose records overlap (the async loop: one thread, `workers` tasks in flight, every record on
/// worker 0) is split into as many lanes as it had tasks in flight, greedily by start time, so
/// that each lane is a worker's worth of time.
fn lanes(tasks: &[TaskRecord]) -> Vec<Vec<&TaskRecord>> {
    let mut by_worker: Vec<Vec<&TaskRecord>> = Vec::new();
    for t in tasks {
        let w = t.worker as usize;
        if by_worker.len() <= w {
            by_worker.resize_with(w + 1, Vec::new);
        }
        by_worker[w].push(t);
    }
    let mut out: Vec<Vec<&TaskRecord>> = Vec::new();
    for mut list in by_worker.into_iter().filter(|l| !l.is_empty()) {
        list.sort_by(|a, b| a.start.total_cmp(&b.start));
        let first = out.len();
        for t in list {
            let free = out[first..]
                .iter()
                .position(|lane| lane.last().is_some_and(|l| l.end <= t.start));
            match free {
                Some(i) => out[first + i].push(t),
                None => out.push(vec![t]),
            }
        }
    }
    out
}
