//! `process-pool`: `multiprocessing.Pool` / `ProcessPoolExecutor`. Real OS processes, started
//! from the host program (the native runner starts itself with a hidden `__worker` argument),
//! each with its own memory. Tasks go to a worker and results come back as JSON lines over its
//! stdin and stdout pipes: serialization is the analogue of pickling, and its cost is part of
//! what this model measures.
//!
//! Each worker builds its own copy of the job from the workload spec; after every stage but the
//! last the parent sends every worker the stage's outputs, so their copies stay identical to the
//! parent's (spectral-norm needs the whole vector of the previous product).
//!
//! Failure handling: a task that panics is reported by its worker; a worker that exits or is
//! killed is noticed when its stdout closes, and its exit status is reported. Either way the run
//! fails, and dropping the pool kills and reaps every worker, so no process outlives a run.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError};
use serde::{Deserialize, Serialize};
use web_time::Instant;

use super::{
    Collector, Executor, RunConfig, RunControl, StageOpts, StageRt, TaskRecord, WorkerProgram,
    chunks, exec_chunk,
};
use crate::error::RunError;
use crate::spec::{Fault, WorkloadSpec};
use crate::workload::{self, Job, TaskOutput};

/// Chunks kept in flight per worker, so a worker has its next chunk when it finishes one.
const IN_FLIGHT: usize = 2;
/// How long a worker may take to start and answer its first message.
const START_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Serialize, Deserialize)]
enum ToWorker {
    Init {
        workload: WorkloadSpec,
        fault: Option<Fault>,
    },
    Ping,
    Run {
        stage: usize,
        start: usize,
        end: usize,
    },
    EndStage {
        stage: usize,
        outputs: Vec<TaskOutput>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
enum FromWorker {
    Ready,
    Pong {
        clock: f64,
    },
    Done {
        results: Vec<(TaskOutput, TaskRecord)>,
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

enum Event {
    Message(usize, FromWorker),
    /// The worker's stdout closed or carried something unreadable.
    Gone(usize, Option<String>),
}

struct Worker {
    child: Child,
    stdin: BufWriter<ChildStdin>,
    /// Add to a worker timestamp to get a parent timestamp.
    offset: f64,
}

pub(crate) struct ProcessPool {
    workers: Vec<Worker>,
    events: Receiver<Event>,
    stages: usize,
    t0: Instant,
}

fn send(w: &mut Worker, msg: &ToWorker) -> std::io::Result<()> {
    let line = serde_json::to_string(msg).expect("messages serialize");
    writeln!(w.stdin, "{line}")?;
    w.stdin.flush()
}

fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("killed by signal {sig}");
        }
    }
    match status.code() {
        Some(c) => format!("exited with status {c}"),
        None => format!("ended: {status}"),
    }
}

impl ProcessPool {
    pub fn start(
        program: &WorkerProgram,
        cfg: &RunConfig,
        t0: Instant,
        stages: usize,
    ) -> Result<Self, RunError> {
        let (tx, events) = crossbeam_channel::unbounded();
        let mut pool = ProcessPool {
            workers: Vec::new(),
            events,
            stages,
            t0,
        };
        for index in 0..cfg.workers {
            let mut child = Command::new(&program.program)
                .args(&program.args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .map_err(|e| RunError::Spawn(format!("{}: {e}", program.program.display())))?;
            let stdout = child.stdout.take().expect("stdout is piped");
            let stdin = BufWriter::new(child.stdin.take().expect("stdin is piped"));
            let tx = tx.clone();
            std::thread::Builder::new()
                .name(format!("pipe-{index}"))
                .spawn(move || {
                    for line in BufReader::new(stdout).lines() {
                        let event = match line.map_err(|e| e.to_string()).and_then(|l| {
                            serde_json::from_str::<FromWorker>(&l).map_err(|e| e.to_string())
                        }) {
                            Ok(msg) => Event::Message(index, msg),
                            Err(e) => Event::Gone(index, Some(e)),
                        };
                        let gone = matches!(event, Event::Gone(..));
                        if tx.send(event).is_err() || gone {
                            return;
                        }
                    }
                    let _ = tx.send(Event::Gone(index, None));
                })
                .map_err(|e| RunError::Spawn(format!("pipe reader: {e}")))?;
            pool.workers.push(Worker {
                child,
                stdin,
                offset: 0.0,
            });
            let init = ToWorker::Init {
                workload: cfg.workload.clone(),
                fault: cfg.model.fault,
            };
            pool.send_to(index, &init)?;
        }
        for _ in 0..cfg.workers {
            match pool.next_event(START_TIMEOUT)? {
                (_, FromWorker::Ready) => {}
                (i, other) => {
                    return Err(RunError::Protocol(format!(
                        "worker {i} sent {other:?} before Ready"
                    )));
                }
            }
        }
        for index in 0..cfg.workers {
            pool.sync_clock(index)?;
        }
        Ok(pool)
    }

    /// Sends a message; a worker whose pipe is closed has died, and the error says how.
    fn send_to(&mut self, index: usize, msg: &ToWorker) -> Result<(), RunError> {
        match send(&mut self.workers[index], msg) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.crashed(index, Some(format!("its input pipe closed ({e})")))),
        }
    }

    /// Estimates the offset from the worker's clock to ours from the fastest of a few ping
    /// round trips (the reply was stamped, at best, halfway through the round trip).
    fn sync_clock(&mut self, index: usize) -> Result<(), RunError> {
        let mut best: Option<(f64, f64)> = None;
        for _ in 0..5 {
            let sent = self.t0.elapsed().as_secs_f64();
            self.send_to(index, &ToWorker::Ping)?;
            let clock = match self.next_event(START_TIMEOUT)? {
                (i, FromWorker::Pong { clock }) if i == index => clock,
                (i, other) => {
                    return Err(RunError::Protocol(format!(
                        "worker {i} sent {other:?} instead of Pong"
                    )));
                }
            };
            let back = self.t0.elapsed().as_secs_f64();
            let rtt = back - sent;
            if best.is_none_or(|(r, _)| rtt < r) {
                best = Some((rtt, (sent + back) / 2.0 - clock));
            }
        }
        self.workers[index].offset = best.map(|(_, o)| o).unwrap_or(0.0);
        Ok(())
    }

    /// The next message from any worker; a worker that went away is an error naming why.
    fn next_event(&mut self, timeout: Duration) -> Result<(usize, FromWorker), RunError> {
        match self.events.recv_timeout(timeout) {
            Ok(Event::Message(i, FromWorker::Error { message })) => {
                Err(RunError::Protocol(format!("worker {i}: {message}")))
            }
            Ok(Event::Message(i, msg)) => Ok((i, msg)),
            Ok(Event::Gone(i, why)) => Err(self.crashed(i, why)),
            Err(RecvTimeoutError::Timeout) => {
                Err(RunError::Protocol("timed out waiting for workers".into()))
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err(RunError::Protocol("all workers gone".into()))
            }
        }
    }

    fn crashed(&mut self, index: usize, why: Option<String>) -> RunError {
        let child = &mut self.workers[index].child;
        // The pipe closes as the process ends; give the exit a moment to be reaped.
        let deadline = Instant::now() + Duration::from_secs(2);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => break None,
            }
        };
        let reason = match (status, why) {
            (Some(s), _) => describe(s),
            (None, Some(e)) => format!("unreadable output: {e}"),
            (None, None) => "closed its output".to_string(),
        };
        RunError::WorkerCrashed {
            worker: index,
            reason,
        }
    }
}

impl Executor for ProcessPool {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Vec<TaskRecord>), RunError> {
        let tasks = job.tasks(rt.stage);
        let mut pending = chunks(tasks, opts.chunk);
        let mut collector = Collector::new(tasks, opts.order);
        let mut outstanding = 0usize;
        let feed = |pool: &mut Self,
                    index: usize,
                    outstanding: &mut usize,
                    next: Option<std::ops::Range<usize>>| {
            match next {
                Some(r) => {
                    *outstanding += 1;
                    pool.send_to(
                        index,
                        &ToWorker::Run {
                            stage: rt.stage,
                            start: r.start,
                            end: r.end,
                        },
                    )
                }
                None => Ok(()),
            }
        };
        for _ in 0..IN_FLIGHT {
            for index in 0..self.workers.len() {
                feed(self, index, &mut outstanding, pending.next())?;
            }
        }
        while outstanding > 0 {
            if rt.control.cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(RunError::Cancelled);
            }
            let (index, msg) = match self.next_event(Duration::from_millis(50)) {
                Err(RunError::Protocol(m)) if m.starts_with("timed out") => continue,
                other => other?,
            };
            match msg {
                FromWorker::Done { results } => {
                    outstanding -= 1;
                    let now = rt.now();
                    let offset = self.workers[index].offset;
                    for (out, mut rec) in results {
                        rec.worker = index as u32;
                        rec.start += offset;
                        rec.end += offset;
                        rt.control
                            .tasks_done
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        collector.accept(out, rec, now);
                    }
                    feed(self, index, &mut outstanding, pending.next())?;
                }
                FromWorker::Failed {
                    stage,
                    task,
                    message,
                } => {
                    return Err(RunError::TaskPanicked {
                        stage,
                        task,
                        message,
                    });
                }
                other => {
                    return Err(RunError::Protocol(format!(
                        "worker {index} sent {other:?} during a stage"
                    )));
                }
            }
        }
        collector.finish()
    }

    fn end_stage(&mut self, stage: usize, outputs: &[TaskOutput]) -> Result<(), RunError> {
        if stage + 1 == self.stages {
            return Ok(());
        }
        let msg = ToWorker::EndStage {
            stage,
            outputs: outputs.to_vec(),
        };
        for index in 0..self.workers.len() {
            self.send_to(index, &msg)?;
        }
        Ok(())
    }
}

impl Drop for ProcessPool {
    fn drop(&mut self) {
        for w in &mut self.workers {
            // The run is over (or failed): end every worker now rather than wait for it to
            // notice, and reap it with wait() so that no zombie is left behind.
            let _ = w.child.kill();
            let _ = w.child.wait();
        }
    }
}

/// The worker side: what a program runs when started as a process-pool worker. Reads requests
/// from `input`, writes replies to `output`, returns when `input` closes.
pub fn worker_main(input: impl BufRead, mut output: impl Write) -> std::io::Result<()> {
    // A task's panic goes to the parent as a message; the default hook would also print it.
    std::panic::set_hook(Box::new(|_| {}));
    let t0 = Instant::now();
    let mut job: Option<Box<dyn Job>> = None;
    let mut fault = None;
    let control = RunControl::default();
    let reply = |msg: &FromWorker, output: &mut dyn Write| -> std::io::Result<()> {
        serde_json::to_writer(&mut *output, msg).map_err(std::io::Error::other)?;
        output.write_all(b"\n")?;
        output.flush()
    };
    for line in input.lines() {
        let line = line?;
        let msg: ToWorker = match serde_json::from_str(&line) {
            Ok(m) => m,
            Err(e) => {
                reply(
                    &FromWorker::Error {
                        message: format!("bad request: {e}"),
                    },
                    &mut output,
                )?;
                continue;
            }
        };
        match msg {
            ToWorker::Init { workload, fault: f } => match workload::build(&workload) {
                Ok(j) => {
                    job = Some(j);
                    fault = f;
                    reply(&FromWorker::Ready, &mut output)?;
                }
                Err(e) => reply(
                    &FromWorker::Error {
                        message: e.to_string(),
                    },
                    &mut output,
                )?,
            },
            ToWorker::Ping => reply(
                &FromWorker::Pong {
                    clock: t0.elapsed().as_secs_f64(),
                },
                &mut output,
            )?,
            ToWorker::Run { stage, start, end } => {
                let Some(job) = job.as_deref() else {
                    reply(
                        &FromWorker::Error {
                            message: "Run before Init".into(),
                        },
                        &mut output,
                    )?;
                    continue;
                };
                let rt = StageRt {
                    stage,
                    t0,
                    control: &control,
                    stop: AtomicBool::new(false),
                    fault,
                };
                let msg = match exec_chunk(job, start..end, 0, &rt) {
                    Ok(results) => FromWorker::Done { results },
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
                };
                reply(&msg, &mut output)?;
            }
            ToWorker::EndStage { stage, outputs } => {
                if let Some(job) = job.as_mut() {
                    job.end_stage(stage, outputs);
                }
            }
        }
    }
    Ok(())
}
