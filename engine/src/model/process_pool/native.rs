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
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError};
use web_time::Instant;

use super::protocol::{
    FromWorker, Handshake, StageDriver, ToWorker, WorkerSession, end_stage_messages,
};
use crate::error::RunError;
use crate::model::{Executor, Records, RunConfig, StageOpts, StageRt, WorkerProgram};
use crate::workload::{Job, TaskOutput};

/// How long a worker may take to start and answer its first message.
const START_TIMEOUT: Duration = Duration::from_secs(30);

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
        let (mut handshake, init) = Handshake::start(cfg);
        for (index, init) in init {
            let mut command = Command::new(&program.program);
            command
                .args(&program.args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit());
            // A process group of their own: Ctrl-C in a terminal goes to the parent alone, which
            // stops the run and ends its workers, instead of killing them under a running pool.
            #[cfg(unix)]
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
            let mut child = command
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
            // Sent as soon as the worker exists, so that workers build their jobs while the
            // next ones start.
            pool.send_to(index, &init)?;
        }
        // Every worker ready, then each timed against our clock with a few ping round trips.
        let offsets = loop {
            if let Some(offsets) = handshake.offsets() {
                break offsets.to_vec();
            }
            let (index, msg) = pool.next_event(START_TIMEOUT)?;
            let now = pool.t0.elapsed().as_secs_f64();
            for (to, next) in handshake.on_message(index, msg, now)? {
                pool.send_to(to, &next)?;
            }
        };
        for (worker, offset) in pool.workers.iter_mut().zip(offsets) {
            worker.offset = offset;
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
    ) -> Result<(Vec<TaskOutput>, Records), RunError> {
        let offsets = self.workers.iter().map(|w| w.offset).collect();
        let mut driver = StageDriver::new(
            rt.stage,
            job.tasks(rt.stage),
            opts.chunk,
            opts.order,
            offsets,
            rt.timeline,
        );
        if let Some(log) = &rt.log {
            driver = driver.with_log(log.clone());
        }
        for (index, msg) in driver.start(rt.now()) {
            self.send_to(index, &msg)?;
        }
        while !driver.done() {
            if rt.control.cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(RunError::Cancelled);
            }
            let (index, msg) = match self.next_event(Duration::from_millis(50)) {
                Err(RunError::Protocol(m)) if m.starts_with("timed out") => continue,
                other => other?,
            };
            for (to, next) in driver.on_message(index, msg, rt.now(), &rt.control.tasks_done)? {
                self.send_to(to, &next)?;
            }
        }
        driver.finish()
    }

    fn end_stage(&mut self, stage: usize, outputs: &[TaskOutput]) -> Result<(), RunError> {
        for (index, msg) in end_stage_messages(stage, self.stages, self.workers.len(), outputs) {
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
    let mut session = WorkerSession::new();
    for line in input.lines() {
        if let Some(reply) = session.handle_json(&line?) {
            output.write_all(reply.as_bytes())?;
            output.write_all(b"\n")?;
            output.flush()?;
        }
    }
    Ok(())
}
