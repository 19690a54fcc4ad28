//! The process-pool protocol, without any I/O: the messages, the worker's side (a
//! [`WorkerSession`] that turns requests into replies) and the parent's side: the start of a pool
//! (a [`Handshake`]: every worker builds its job, then its clock is compared with the parent's),
//! one stage (a [`StageDriver`] that decides which chunk goes to which worker and collects the
//! results) and a whole run (a [`PoolRun`]: the handshake, then the engine's stage loop with a
//! driver per stage and the replay of each stage's outputs to every worker).
//!
//! Natively the messages travel as JSON lines over a child process's pipes; in the browser they
//! travel by `postMessage` between Workers that each have their own WebAssembly instance and
//! memory. Both hosts drive the same state machines, so both schedule and record identically:
//! the browser drives a [`PoolRun`], the native executor drives the same [`Handshake`] and
//! [`StageDriver`] from the engine's common stage loop (`run::run_once`, which is `StageLoop`
//! in `model/run.rs` driven by an executor, as [`PoolRun`] is `StageLoop` driven by messages).

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use web_time::Instant;

use crate::error::RunError;
use crate::journal::{Next, RunLog};
use crate::model::{
    Collector, Records, RunConfig, RunControl, RunOutcome, StageLoop, StageRt, TaskRecord, chunks,
    exec_chunk,
};
use crate::spec::{Fault, Order, WorkloadSpec};
use crate::workload::{self, Job, TaskOutput};

/// Chunks kept in flight per worker, so a worker has its next chunk when it finishes one.
pub const IN_FLIGHT: usize = 2;

/// A request from the parent. On the wire: `{"type": "init", ...}`, `{"type": "ping"}`, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
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

/// A reply from a worker. On the wire: `{"type": "ready"}`, `{"type": "done", ...}`, ...;
/// `static/process-worker.js` writes `{"type": "error", "message": ...}` itself when its
/// WebAssembly instance died.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
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

/// The messages that keep workers' jobs in step after a stage, one per worker; none after the
/// last stage (no job needs its outputs).
pub fn end_stage_messages(
    stage: usize,
    stages: usize,
    workers: usize,
    outputs: &[TaskOutput],
) -> Vec<(usize, ToWorker)> {
    if stage + 1 >= stages {
        return Vec::new();
    }
    let msg = ToWorker::EndStage {
        stage,
        outputs: outputs.to_vec(),
    };
    (0..workers).map(|w| (w, msg.clone())).collect()
}

/// Ping round trips per worker: the fastest of them bounds the error of the clock offset.
pub const PINGS: usize = 5;

/// The start of a pool, the parent's side: every worker is sent `Init` and answers `Ready` (in
/// any order); then each worker in turn answers [`PINGS`] pings one after another, and its clock
/// offset is estimated from the round trips ([`clock_offset`]). Pings go to one worker at a time
/// so that no round trip waits behind another worker's reply.
#[derive(Debug)]
pub struct Handshake {
    workers: usize,
    ready: usize,
    /// The worker being pinged (`workers` once all are done).
    pinging: usize,
    /// Parent time at which the ping in flight was sent.
    sent: f64,
    samples: Vec<(f64, f64, f64)>,
    offsets: Vec<f64>,
}

impl Handshake {
    /// The handshake of `cfg.workers` workers (at least one) and the `Init` message for each.
    pub fn start(cfg: &RunConfig) -> (Self, Vec<(usize, ToWorker)>) {
        let init = ToWorker::Init {
            workload: cfg.workload.clone(),
            fault: cfg.model.fault,
            timeline: cfg.timeline,
        };
        let hs = Handshake {
            workers: cfg.workers,
            ready: 0,
            pinging: 0,
            sent: 0.0,
            samples: Vec::with_capacity(PINGS),
            offsets: Vec::with_capacity(cfg.workers),
        };
        (hs, (0..cfg.workers).map(|w| (w, init.clone())).collect())
    }

    /// Takes a worker's reply received at parent time `now`; returns the requests to send next,
    /// which the host sends at once (a ping's send time is taken to be `now`).
    pub fn on_message(
        &mut self,
        worker: usize,
        msg: FromWorker,
        now: f64,
    ) -> Result<Vec<(usize, ToWorker)>, RunError> {
        if let FromWorker::Error { message } = msg {
            return Err(RunError::Protocol(format!("worker {worker}: {message}")));
        }
        if self.ready < self.workers {
            if !matches!(msg, FromWorker::Ready) {
                return Err(RunError::Protocol(format!(
                    "worker {worker} sent {msg:?} before Ready"
                )));
            }
            self.ready += 1;
            if self.ready < self.workers {
                return Ok(Vec::new());
            }
            return Ok(self.ping(now));
        }
        match msg {
            FromWorker::Pong { clock } if worker == self.pinging => {
                self.samples.push((self.sent, clock, now));
                if self.samples.len() == PINGS {
                    self.offsets.push(clock_offset(&self.samples));
                    self.samples.clear();
                    self.pinging += 1;
                }
                Ok(self.ping(now))
            }
            other => Err(RunError::Protocol(format!(
                "worker {worker} sent {other:?} instead of Pong"
            ))),
        }
    }

    fn ping(&mut self, now: f64) -> Vec<(usize, ToWorker)> {
        if self.pinging == self.workers {
            return Vec::new();
        }
        self.sent = now;
        vec![(self.pinging, ToWorker::Ping)]
    }

    /// Once every worker is ready and timed: `offsets[w]`, to add to worker `w`'s timestamps.
    pub fn offsets(&self) -> Option<&[f64]> {
        (self.ready == self.workers && self.pinging == self.workers).then_some(&self.offsets)
    }
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
    /// Every chunk dealt at the start (a static schedule) rather than [`IN_FLIGHT`] per worker.
    ahead: bool,
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
            ahead: false,
        }
    }

    /// Deals every chunk round-robin at the start, before any result is back (a static
    /// schedule: `Pool.map`'s shape, a scatter), instead of [`IN_FLIGHT`] per worker refilled as
    /// results return.
    pub fn dealt_ahead(mut self) -> Self {
        self.ahead = true;
        self
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

    /// The first requests, sent at parent time `now`: up to [`IN_FLIGHT`] chunks per worker
    /// (every chunk, when [dealt ahead](Self::dealt_ahead)), dealt round-robin.
    pub fn start(&mut self, now: f64) -> Vec<(usize, ToWorker)> {
        let mut out = Vec::new();
        let rounds = if self.ahead {
            self.chunks.len().div_ceil(self.offsets.len().max(1))
        } else {
            IN_FLIGHT
        };
        for _ in 0..rounds {
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
                        blocked: 0.0,
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

/// Where a [`PoolRun`] is.
enum Phase {
    /// Not started: the host has not started its workers yet; the handshake and the `Init`
    /// messages it will send first.
    Idle(Handshake, Vec<(usize, ToWorker)>),
    Starting(Handshake),
    Running {
        stage: usize,
        driver: StageDriver,
    },
    Finished,
}

/// One whole run of the process pool, the parent's side, without I/O: the [`Handshake`], then
/// the engine's stage loop (`StageLoop` in `model/run.rs`: chunk size and order per stage, the largest stage's
/// chunk size) with a [`StageDriver`] per stage, each stage's outputs replayed to every worker,
/// and finally the [`RunOutcome`]. The host only moves messages: it sends what [`Self::start`]
/// and [`Self::on_message`] return, in order, and feeds back every reply with the parent time
/// it arrived, until [`Self::finished`].
pub struct PoolRun {
    stages: StageLoop,
    phase: Phase,
    workers: usize,
    timeline: bool,
    control: RunControl,
    t0: Option<Instant>,
    offsets: Vec<f64>,
    log: Option<Arc<RunLog>>,
}

impl PoolRun {
    /// Builds the job (untimed) and makes the checks every host makes, before any worker starts.
    pub fn new(cfg: &RunConfig, control: &RunControl) -> Result<Self, RunError> {
        let stages = StageLoop::new(cfg)?;
        let (handshake, init) = Handshake::start(cfg);
        Ok(PoolRun {
            stages,
            phase: Phase::Idle(handshake, init),
            workers: cfg.workers,
            timeline: cfg.timeline,
            control: control.clone(),
            t0: None,
            offsets: Vec::new(),
            log: None,
        })
    }

    /// The first messages, once the host started `cfg.workers` workers at `t0` (the run's
    /// clock: parent times passed later are seconds since `t0`). Called once; later calls
    /// return nothing.
    pub fn start(&mut self, t0: Instant) -> Vec<(usize, ToWorker)> {
        match std::mem::replace(&mut self.phase, Phase::Finished) {
            Phase::Idle(handshake, init) => {
                self.t0 = Some(t0);
                self.phase = Phase::Starting(handshake);
                init
            }
            other => {
                self.phase = other;
                Vec::new()
            }
        }
    }

    /// Takes a worker's reply received at parent time `now`; returns the requests to send next.
    pub fn on_message(
        &mut self,
        worker: usize,
        msg: FromWorker,
        now: f64,
    ) -> Result<Vec<(usize, ToWorker)>, RunError> {
        if worker >= self.workers {
            return Err(RunError::Protocol(format!(
                "a message from worker {worker} of {}",
                self.workers
            )));
        }
        let out = match &mut self.phase {
            Phase::Starting(hs) => {
                let out = hs.on_message(worker, msg, now)?;
                let Some(offsets) = hs.offsets() else {
                    return Ok(out);
                };
                self.offsets = offsets.to_vec();
                let t0 = self.t0.expect("started");
                self.log = Some(
                    self.control
                        .journal
                        .start_log(self.workers, self.timeline, t0),
                );
                out
            }
            Phase::Running { driver, .. } => {
                driver.on_message(worker, msg, now, &self.control.tasks_done)?
            }
            Phase::Idle(..) | Phase::Finished => {
                return Err(RunError::Protocol(format!(
                    "worker {worker} sent {msg:?} outside a run"
                )));
            }
        };
        self.advance(now, out)
    }

    /// Finishes every stage whose chunks have all come back and starts the next, until a stage
    /// waits for replies or the run is over; `out` collects the messages to send.
    fn advance(
        &mut self,
        now: f64,
        mut out: Vec<(usize, ToWorker)>,
    ) -> Result<Vec<(usize, ToWorker)>, RunError> {
        loop {
            match std::mem::replace(&mut self.phase, Phase::Finished) {
                Phase::Running { stage, driver } if driver.done() => {
                    let (outputs, records) = driver.finish()?;
                    out.extend(end_stage_messages(
                        stage,
                        self.stages.stages(),
                        self.workers,
                        &outputs,
                    ));
                    self.stages.end_stage(stage, outputs, records);
                }
                running @ Phase::Running { .. } => {
                    self.phase = running;
                    return Ok(out);
                }
                // The handshake just ended, or a stage did: the next stage, if any.
                _ => {}
            }
            let Some((stage, opts)) = self.stages.next_stage() else {
                return Ok(out);
            };
            let mut driver = StageDriver::new(
                stage,
                self.stages.job().tasks(stage),
                opts.chunk,
                opts.order,
                self.offsets.clone(),
                self.timeline,
            );
            if let Some(log) = &self.log {
                driver = driver.with_log(log.clone());
            }
            out.extend(driver.start(now));
            self.phase = Phase::Running { stage, driver };
        }
    }

    /// Whether every stage ran: the host stops its workers and calls [`Self::finish`].
    pub fn finished(&self) -> bool {
        matches!(self.phase, Phase::Finished)
    }

    /// The outcome, with the wall time the host measured (seconds since `t0`).
    pub fn finish(self, wall: f64) -> RunOutcome {
        self.stages.finish(wall)
    }
}
