//! The process-pool protocol, without any I/O: the messages, the worker's side (a
//! [`WorkerSession`] that turns requests into replies) and the parent's side of a stage (a
//! [`StageDriver`] that decides which chunk goes to which worker and collects the results).
//!
//! Natively the messages travel as JSON lines over a child process's pipes; in the browser they
//! travel by `postMessage` between Workers that each have their own WebAssembly instance and
//! memory. Both hosts drive the same state machines, so both schedule and record identically.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use web_time::Instant;

use crate::error::RunError;
use crate::journal::{Next, RunLog};
use crate::model::{Collector, Records, RunControl, StageRt, TaskRecord, chunks, exec_chunk};
use crate::spec::{Fault, Order, WorkloadSpec};
use crate::workload::{self, Job, TaskOutput};

/// Chunks kept in flight per worker, so a worker has its next chunk when it finishes one.
pub const IN_FLIGHT: usize = 2;

/// A request from the parent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ToWorker {
    /// Build the job (each worker has its own copy).
    Init {
        workload: WorkloadSpec,
        fault: Option<Fault>,
        /// Send a record per task back (the timeline), or outputs only.
        timeline: bool,
    },
    /// Reply with the worker's clock, to align timestamps.
    Ping,
    /// Run tasks `start..end` of a stage.
    Run {
        stage: usize,
        start: usize,
        end: usize,
    },
    /// A stage's outputs, so that the worker's copy of the job advances like the parent's.
    EndStage {
        stage: usize,
        outputs: Vec<TaskOutput>,
    },
}

/// A reply from a worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FromWorker {
    Ready,
    Pong {
        clock: f64,
    },
    /// Tasks `start..start + outputs.len()` ran; `records` holds their records when the
    /// timeline is kept and is empty otherwise.
    Done {
        start: usize,
        outputs: Vec<TaskOutput>,
        records: Vec<TaskRecord>,
    },
    Failed {
        stage: usize,
        task: usize,
        message: String,
    },
    Error {
        message: String,
    },
}

/// The worker's side: its copy of the job and its clock.
pub struct WorkerSession {
    t0: Instant,
    job: Option<Box<dyn Job>>,
    fault: Option<Fault>,
    timeline: bool,
    control: RunControl,
}

impl Default for WorkerSession {
    fn default() -> Self {
        WorkerSession {
            t0: Instant::now(),
            job: None,
            fault: None,
            timeline: true,
            control: RunControl::default(),
        }
    }
}

impl WorkerSession {
    pub fn new() -> Self {
        Self::default()
    }

    /// Handles one request; `EndStage` has no reply.
    pub fn handle(&mut self, msg: ToWorker) -> Option<FromWorker> {
        Some(match msg {
            ToWorker::Init {
                workload,
                fault,
                timeline,
            } => match workload::build(&workload) {
                Ok(j) => {
                    self.job = Some(j);
                    self.fault = fault;
                    self.timeline = timeline;
                    FromWorker::Ready
                }
                Err(e) => FromWorker::Error {
                    message: e.to_string(),
                },
            },
            ToWorker::Ping => FromWorker::Pong {
                clock: self.t0.elapsed().as_secs_f64(),
            },
            ToWorker::Run { stage, start, end } => {
                let Some(job) = self.job.as_deref() else {
                    return Some(FromWorker::Error {
                        message: "Run before Init".into(),
                    });
                };
                let rt = StageRt {
                    stage,
                    t0: self.t0,
                    control: &self.control,
                    stop: AtomicBool::new(false),
                    fault: self.fault,
                    timeline: self.timeline,
                    log: None,
                };
                match exec_chunk(job, start..end, 0, &rt) {
                    Ok(results) => {
                        let (outputs, records): (Vec<_>, Vec<_>) = results.into_iter().unzip();
                        FromWorker::Done {
                            start,
                            outputs,
                            records: if self.timeline { records } else { Vec::new() },
                        }
                    }
                    Err(RunError::TaskPanicked {
                        stage,
                        task,
                        message,
                    }) => FromWorker::Failed {
                        stage,
                        task,
                        message,
                    },
                    Err(e) => FromWorker::Error {
                        message: e.to_string(),
                    },
                }
            }
            ToWorker::EndStage { stage, outputs } => {
                if let Some(job) = self.job.as_mut() {
                    job.end_stage(stage, outputs);
                }
                return None;
            }
        })
    }

    /// Handles one JSON request line and returns the JSON reply line, if any.
    pub fn handle_json(&mut self, line: &str) -> Option<String> {
        let reply = match serde_json::from_str::<ToWorker>(line) {
            Ok(msg) => self.handle(msg)?,
            Err(e) => FromWorker::Error {
                message: format!("bad request: {e}"),
            },
        };
        Some(serde_json::to_string(&reply).expect("replies serialize"))
    }
}

/// The clock offset (parent minus worker) from ping samples `(sent, worker_clock, received)`, in
/// parent seconds: the reply was stamped, at best, halfway through the fastest round trip.
pub fn clock_offset(samples: &[(f64, f64, f64)]) -> f64 {
    samples
        .iter()
        .min_by(|a, b| (a.2 - a.0).total_cmp(&(b.2 - b.0)))
        .map(|&(sent, clock, back)| (sent + back) / 2.0 - clock)
        .unwrap_or(0.0)
}

/// The message that keeps workers' jobs in step after a stage; none after the last stage.
pub fn end_stage_message(stage: usize, stages: usize, outputs: &[TaskOutput]) -> Option<ToWorker> {
    (stage + 1 < stages).then(|| ToWorker::EndStage {
        stage,
        outputs: outputs.to_vec(),
    })
}

/// The parent's side of one stage: hands out chunks (two in flight per worker, refilled as
/// results return), maps worker timestamps onto the parent's clock, and collects results in the
/// requested order.
pub struct StageDriver {
    stage: usize,
    tasks: usize,
    chunks: Vec<Range<usize>>,
    next_chunk: usize,
    outstanding: usize,
    collector: Collector,
    offsets: Vec<f64>,
    /// Each worker's chunks sent and not yet back; the first is the one it is running.
    queued: Vec<VecDeque<Range<usize>>>,
    log: Option<Arc<RunLog>>,
}

impl StageDriver {
    /// `offsets[w]`: add to worker `w`'s timestamps to get the parent's.
    pub fn new(
        stage: usize,
        tasks: usize,
        chunk: usize,
        order: Option<Order>,
        offsets: Vec<f64>,
        timeline: bool,
    ) -> Self {
        StageDriver {
            stage,
            tasks,
            chunks: chunks(tasks, chunk).collect(),
            next_chunk: 0,
            outstanding: 0,
            collector: Collector::new(tasks, order, timeline),
            queued: vec![VecDeque::new(); offsets.len()],
            offsets,
            log: None,
        }
    }

    /// Keeps `log` up to date with what each worker runs and has finished (see
    /// [`crate::journal`]): a worker runs its oldest chunk not yet back.
    pub fn with_log(mut self, log: Arc<RunLog>) -> Self {
        self.log = Some(log);
        self
    }

    fn next_for(&mut self, worker: usize, now: f64) -> Option<(usize, ToWorker)> {
        let r = self.chunks.get(self.next_chunk)?.clone();
        self.next_chunk += 1;
        self.outstanding += 1;
        let queue = &mut self.queued[worker];
        if queue.is_empty()
            && let Some(log) = &self.log
        {
            log.begin(worker, self.stage, r.start, r.end, now);
        }
        queue.push_back(r.clone());
        Some((
            worker,
            ToWorker::Run {
                stage: self.stage,
                start: r.start,
                end: r.end,
            },
        ))
    }

    /// The first requests, sent at parent time `now`: up to [`IN_FLIGHT`] chunks per worker,
    /// dealt round-robin.
    pub fn start(&mut self, now: f64) -> Vec<(usize, ToWorker)> {
        let mut out = Vec::new();
        for _ in 0..IN_FLIGHT {
            for w in 0..self.offsets.len() {
                out.extend(self.next_for(w, now));
            }
        }
        out
    }

    /// Takes a worker's reply received at parent time `now`; returns the requests to send next.
    pub fn on_message(
        &mut self,
        worker: usize,
        msg: FromWorker,
        now: f64,
        tasks_done: &AtomicU64,
    ) -> Result<Vec<(usize, ToWorker)>, RunError> {
        match msg {
            FromWorker::Done {
                start,
                outputs,
                records,
            } => {
                self.outstanding = self.outstanding.saturating_sub(1);
                let offset = self.offsets[worker];
                if !records.is_empty() && records.len() != outputs.len() {
                    return Err(RunError::Protocol(format!(
                        "worker {worker} sent {} records for {} outputs",
                        records.len(),
                        outputs.len()
                    )));
                }
                let mut records = records.into_iter();
                let count = outputs.len() as u64;
                tasks_done.fetch_add(count, Ordering::Relaxed);
                let mut logged = Vec::new();
                let keep = self.log.as_ref().is_some_and(|l| l.keeps_tasks());
                for (i, out) in outputs.into_iter().enumerate() {
                    let mut rec = records.next().unwrap_or(TaskRecord {
                        stage: self.stage as u32,
                        task: (start + i) as u32,
                        worker: 0,
                        start: 0.0,
                        end: 0.0,
                        wait: 0.0,
                        delivered: None,
                        delivered_index: None,
                    });
                    if (rec.task as usize) >= self.tasks {
                        return Err(RunError::Protocol(format!(
                            "worker {worker} reported task {} of {}",
                            rec.task, self.tasks
                        )));
                    }
                    rec.worker = worker as u32;
                    rec.start += offset;
                    rec.end += offset;
                    if keep {
                        logged.push(rec.clone());
                    }
                    self.collector.accept(out, rec, now);
                }
                let queue = &mut self.queued[worker];
                queue.pop_front();
                if let Some(log) = &self.log {
                    let next = match queue.front() {
                        // The worker took its queued chunk as soon as it sent this reply.
                        Some(r) => Next::Run {
                            stage: self.stage,
                            task: r.start,
                            end: r.end,
                            since: now,
                        },
                        None => Next::Idle,
                    };
                    log.finish(worker, count, &logged, next);
                }
                Ok(self.next_for(worker, now).into_iter().collect())
            }
            FromWorker::Failed {
                stage,
                task,
                message,
            } => Err(RunError::TaskPanicked {
                stage,
                task,
                message,
            }),
            FromWorker::Error { message } => {
                Err(RunError::Protocol(format!("worker {worker}: {message}")))
            }
            other => Err(RunError::Protocol(format!(
                "worker {worker} sent {other:?} during a stage"
            ))),
        }
    }

    /// Whether every chunk has come back.
    pub fn done(&self) -> bool {
        self.outstanding == 0 && self.next_chunk == self.chunks.len()
    }

    /// The stage's outputs in task order, and its records.
    pub fn finish(self) -> Result<(Vec<TaskOutput>, Records), RunError> {
        self.collector.finish()
    }
}
