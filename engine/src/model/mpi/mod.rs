//! `mpi`: the same tasks on MPI ranks, which a launcher (`mpirun -np N`) started, on one host or
//! on several. Rank 0 runs the experiment as every host does (the estimate, the baseline, the
//! repetitions, the report) and is worker 0 as well; every other rank serves it ([`serve`]).
//!
//! The engine needs no MPI library: it sees the ranks through [`Ranks`], a transport of byte
//! messages between rank 0 and the others, which the native runner implements with MPI (its
//! `mpi` cargo feature) and [`LocalRanks`] with threads for the engine's own tests. What travels
//! is the process pool's protocol ([`super::pool_protocol`]): each rank builds its copy of the
//! job from the workload spec, its clock is aligned with rank 0's by ping round trips, chunks go
//! out as `Run` requests and come back as `Done` replies with their outputs and records, and a
//! stage's outputs are replayed to every rank. The design and its correctness argument are in
//! `README.md` next to this file.

#[cfg(not(target_family = "wasm"))]
mod local;

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[cfg(not(target_family = "wasm"))]
pub use local::LocalRanks;

use super::pool_protocol::{
    FromWorker, Handshake, StageDriver, ToWorker, WorkerSession, end_stage_messages,
};
use super::{ChunkRule, Cost, Executor, Host, ModelInfo, ModelOption, Records, RunConfig, RunEnv};
use super::{StageOpts, StageRt};
use crate::error::RunError;
use crate::spec::{Order, Schedule};
use crate::workload::{Bound, Job, TaskOutput};

/// What the engine, the CLI and the page know about this model.
pub(super) static INFO: ModelInfo = ModelInfo {
    python: "mpi4py: comm.scatter / comm.gather, or a master/worker loop with comm.send / comm.recv",
    description: "MPI ranks started by mpirun, on one host or several; rank 0 works too and hands out chunks as MPI messages",
    chunks: Some(ChunkRule::PoolMap),
    order: Some(Order::Ordered),
    option: Some(ModelOption::Schedule),
    host: Host::Ranks,
    max_tasks: None,
    parallel_compute: true,
    overlaps_waits: true,
    // The ranks are started by the launcher, before the run; each run builds the job on every
    // rank and times their clocks, and each chunk is a message each way.
    cost: Cost {
        per_run: 0.002,
        per_task: 0.0,
        per_chunk: 5e-6,
    },
    python_code: "# mpiexec -n {workers} python script.py\nfrom mpi4py import MPI\n\ncomm = MPI.COMM_WORLD\nrank, size = comm.Get_rank(), comm.Get_size()\n\n# --schedule static: deal the items out, compute, gather (Pool.map's shape)\nmine = comm.scatter([items[r::size] for r in range(size)] if rank == 0 else None, root=0)\nparts = comm.gather([{f}(x) for x in mine], root=0)  # on rank 0, parts[r] is for items[r::size]\n\n# --schedule dynamic: rank 0 hands the next item to whichever rank sends a result back\nif rank == 0:\n    todo, results, status = list(enumerate(items)), {}, MPI.Status()\n    for worker in range(1, size):\n        comm.send(todo.pop() if todo else None, dest=worker)\n    for _ in range(len(items)):\n        i, result = comm.recv(source=MPI.ANY_SOURCE, status=status)\n        results[i] = result\n        comm.send(todo.pop() if todo else None, dest=status.Get_source())\nelse:\n    while (work := comm.recv(source=0)) is not None:\n        i, x = work\n        comm.send((i, {f}(x)), dest=0)",
    expectations: &[
        (
            &[Bound::Tiny],
            "Every chunk is an MPI message to a rank and one back: about a microsecond between ranks on one host, ten or more between hosts, so tiny tasks need large chunks.",
        ),
        (
            &[Bound::Cpu],
            "Each rank is a process with its own core: with a chunk worth far more than a message, ranks scale like a process pool, and beyond one machine.",
        ),
        (
            &[Bound::Locks],
            "Ranks are separate processes, possibly on separate hosts: they share no forks, so this model refuses the philosophers.",
        ),
    ],
    start,
};

/// Byte messages between this process, rank 0, and the other ranks of the job: what the engine
/// needs of MPI. Implemented by the native runner over MPI point-to-point messages, and by
/// [`LocalRanks`] over channels.
pub trait Ranks: Send + Sync + std::fmt::Debug {
    /// This process's rank.
    fn rank(&self) -> usize;
    /// The number of ranks in the job.
    fn size(&self) -> usize;
    /// The host each rank runs on, by rank.
    fn hosts(&self) -> &[String];
    /// Sends one message to rank `to`.
    fn send(&self, to: usize, bytes: Vec<u8>) -> Result<(), String>;
    /// A message that has arrived from any rank, with its sender; `None` when none has. Never
    /// blocks: a blocking MPI receive spins on a core, so waiting is the caller's ([`Idle`]).
    fn try_recv(&self) -> Result<Option<(usize, Vec<u8>)>, String>;
}

/// A message from rank 0 to another rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToRank {
    /// A process-pool request of run `run` (each run of rank 0 has a new number, so replies of a
    /// run that failed are told from the next run's).
    Run { run: u64, msg: ToWorker },
    /// Reply with this rank's host and cores (`native-runner machine` under a launcher).
    Describe,
    /// Run `run` is over on rank 0 before every chunk came back (it failed or was stopped):
    /// drop its chunks not yet started. No reply.
    Abandon { run: u64 },
    /// The job is over: reply `Bye` and return from [`serve`].
    Shutdown,
}

/// A message from a rank to rank 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FromRank {
    Run { run: u64, msg: FromWorker },
    Described(RankInfo),
    Bye,
}

/// One rank as it describes itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankInfo {
    pub rank: usize,
    pub host: String,
    /// Logical cores this rank may run on (a launcher may bind each rank to one core).
    pub cores: u32,
    /// Logical cores of the rank's host, where the host could tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_cores: Option<u32>,
    /// The host's logical CPUs this rank may run on, by number, where the host could tell
    /// (Linux: `Cpus_allowed_list`); empty otherwise. Ranks that share a mask share the cores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpus: Vec<u32>,
}

/// The cores a job of these ranks can compute on, summed over hosts: on each host, the CPUs its
/// ranks may run on (the union of their masks where every rank gave one; else the sum of their
/// counts, which counts a shared mask more than once), at most the host's cores. What a speedup
/// of the job is held to.
pub fn job_cores(ranks: &[RankInfo]) -> u32 {
    let mut hosts: Vec<&str> = Vec::new();
    for r in ranks {
        if !hosts.contains(&r.host.as_str()) {
            hosts.push(&r.host);
        }
    }
    hosts
        .iter()
        .map(|&host| {
            let on: Vec<&RankInfo> = ranks.iter().filter(|r| r.host == host).collect();
            let usable = if on.iter().all(|r| !r.cpus.is_empty()) {
                let mut cpus: Vec<u32> = on.iter().flat_map(|r| r.cpus.iter().copied()).collect();
                cpus.sort_unstable();
                cpus.dedup();
                cpus.len() as u32
            } else {
                on.iter().map(|r| r.cores).sum()
            };
            on[0].host_cores.map_or(usable, |h| usable.min(h))
        })
        .sum::<u32>()
        .max(1)
}

fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    serde_json::to_vec(msg).expect("messages serialize")
}

/// How a rank waits for its next message without taking a core: a few yields (a reply in the
/// middle of a run comes within microseconds), then sleeps growing to half a millisecond (between
/// runs, and on a rank that has nothing left to do). A blocking MPI receive would spin instead,
/// and on a machine with as many ranks as cores a spinning rank takes the core a working rank
/// needs.
pub struct Idle {
    polls: u32,
}

impl Idle {
    const YIELDS: u32 = 200;
    const MAX_SLEEP: Duration = Duration::from_micros(500);

    pub fn new() -> Self {
        Idle { polls: 0 }
    }

    /// Waits a little, longer each time since the last message.
    pub fn wait(&mut self) {
        self.polls = self.polls.saturating_add(1);
        if self.polls <= Self::YIELDS {
            std::thread::yield_now();
        } else {
            let micros = u64::from(self.polls - Self::YIELDS).min(500);
            crate::threads::sleep(Duration::from_micros(micros).min(Self::MAX_SLEEP));
        }
    }
}

impl Default for Idle {
    fn default() -> Self {
        Self::new()
    }
}

/// What every rank but 0 runs: replies to rank 0's requests until it says the job is over.
/// Returns an error when the transport fails or a message cannot be read.
/// `me` is how this rank describes itself when asked.
pub fn serve(ranks: &dyn Ranks, me: &RankInfo) -> Result<(), String> {
    let mut session = WorkerSession::new();
    let mut idle = Idle::new();
    let mut queue: VecDeque<ToRank> = VecDeque::new();
    loop {
        // Everything that has arrived, so that stale work can be seen for what it is before it
        // is started.
        let mut arrived = false;
        while let Some((from, bytes)) = ranks.try_recv()? {
            let msg = serde_json::from_slice::<ToRank>(&bytes)
                .map_err(|e| format!("an unreadable message from rank {from}: {e}"))?;
            queue.push_back(msg);
            arrived = true;
        }
        if arrived {
            drop_stale_chunks(&mut queue);
        }
        let Some(msg) = queue.pop_front() else {
            idle.wait();
            continue;
        };
        idle = Idle::new();
        let reply = match msg {
            ToRank::Run { run, msg } => match session.handle(msg) {
                Some(reply) => FromRank::Run { run, msg: reply },
                None => continue,
            },
            ToRank::Describe => FromRank::Described(me.clone()),
            ToRank::Abandon { .. } => continue,
            ToRank::Shutdown => {
                ranks.send(0, encode(&FromRank::Bye))?;
                return Ok(());
            }
        };
        ranks.send(0, encode(&reply))?;
    }
}

/// Removes the chunks of runs that are over from a rank's queue: once anything of a later run,
/// or the end of the job, has arrived, rank 0 has given up on the earlier run (it failed or was
/// stopped; a run that succeeds has every chunk back before the next starts), and would discard
/// their results. Without this a rank dealt many chunks by the static schedule would compute
/// them all before it saw that the job was over.
fn drop_stale_chunks(queue: &mut VecDeque<ToRank>) {
    let latest = queue.iter().rev().find_map(|m| match m {
        ToRank::Run { run, .. } => Some(*run),
        ToRank::Abandon { run } => Some(run.saturating_add(1)),
        ToRank::Shutdown => Some(u64::MAX),
        ToRank::Describe => None,
    });
    let Some(latest) = latest else { return };
    // Within a run every message has the run's number: nothing to look through (a static
    // schedule queues a whole share of chunks, which a scan per message would make quadratic).
    let oldest = queue.iter().find_map(|m| match m {
        ToRank::Run { run, .. } => Some(*run),
        _ => None,
    });
    if oldest.is_none_or(|oldest| oldest >= latest) {
        return;
    }
    queue.retain(|m| match m {
        ToRank::Run {
            run,
            msg: ToWorker::Run { .. },
        } => *run >= latest,
        _ => true,
    });
}

/// Rank 0 (described by `me`): every rank's host and cores, in rank order.
pub fn describe(
    ranks: &dyn Ranks,
    me: RankInfo,
    timeout: Duration,
) -> Result<Vec<RankInfo>, String> {
    let mut out = vec![me];
    for r in 1..ranks.size() {
        ranks.send(r, encode(&ToRank::Describe))?;
    }
    let deadline = std::time::Instant::now() + timeout;
    let mut idle = Idle::new();
    while out.len() < ranks.size() {
        match ranks.try_recv()? {
            Some((_, bytes)) => {
                if let Ok(FromRank::Described(info)) = serde_json::from_slice(&bytes) {
                    out.push(info);
                }
            }
            None if std::time::Instant::now() > deadline => {
                return Err(format!(
                    "{} of {} ranks described themselves within {timeout:?}",
                    out.len(),
                    ranks.size()
                ));
            }
            None => idle.wait(),
        }
    }
    out.sort_by_key(|i| i.rank);
    Ok(out)
}

/// Rank 0: tells every other rank the job is over and waits up to `grace`, in all, for every one
/// to say so.
/// Returns whether all did; a rank that did not is stuck (in a task that hangs, say), and the
/// caller must abort the job rather than finalize, which would wait for it.
pub fn shutdown(ranks: &dyn Ranks, grace: Duration) -> bool {
    for r in 1..ranks.size() {
        if ranks.send(r, encode(&ToRank::Shutdown)).is_err() {
            return false;
        }
    }
    let mut left = ranks.size() - 1;
    let deadline = std::time::Instant::now() + grace;
    let mut idle = Idle::new();
    while left > 0 {
        match ranks.try_recv() {
            Ok(Some((_, bytes))) => {
                if let Ok(FromRank::Bye) = serde_json::from_slice(&bytes) {
                    left -= 1;
                }
            }
            Ok(None) if std::time::Instant::now() < deadline => idle.wait(),
            _ => return false,
        }
    }
    true
}

/// A chunk of rank 0's own, part run.
struct LocalChunk {
    stage: usize,
    start: usize,
    end: usize,
    outputs: Vec<TaskOutput>,
    records: Vec<super::TaskRecord>,
}

/// What to run to give the mpi model its ranks, for messages that say so: the engine's, the CLI's
/// (with the user's own command line) and the page's.
pub const LAUNCH: &str = "mpirun -np 2 native-runner run ... -m mpi";

/// Why `workers` workers cannot run on a job of `ranks` ranks, and what to start instead.
pub fn too_few_ranks(workers: usize, ranks: usize, command: &str) -> String {
    format!(
        "{workers} workers need {workers} ranks, and this job has {ranks}: run `mpirun -np {workers} {command}`"
    )
}

/// Numbers rank 0's runs, so that a late reply of a failed run is not taken for the next one's.
static NEXT_RUN: AtomicU64 = AtomicU64::new(1);

/// Rank 0's side of one run: the ranks it drives, and its own share of the work as worker 0.
struct MpiExecutor {
    ranks: Arc<dyn Ranks>,
    run: u64,
    workers: usize,
    stages: usize,
    schedule: Schedule,
    /// Rank 0's own worker: the same session every other rank runs, fed without messages.
    local: WorkerSession,
    /// Requests for rank 0's own worker, run in order between serving the other ranks.
    inbox: VecDeque<ToWorker>,
    /// The chunk rank 0 is running, one task at a time so that the other ranks are served
    /// between its tasks, not only between its chunks.
    running: Option<LocalChunk>,
    offsets: Vec<f64>,
    cancel: Arc<AtomicBool>,
    /// The run's clock: started once every rank is ready and timed.
    zero: web_time::Instant,
    /// Whether requests of this run may be outstanding on other ranks: from the start until the
    /// handshake ends, and from a stage's start until every chunk of it came back.
    unfinished: bool,
}

fn start(
    cfg: &RunConfig,
    env: &RunEnv,
    t0: web_time::Instant,
    stages: usize,
) -> Result<Box<dyn Executor>, RunError> {
    let ranks = env.ranks.clone().ok_or_else(|| {
        super::unsupported(
            cfg,
            format!("mpi runs under an MPI launcher, on a native runner built with MPI: {LAUNCH} (docs/cluster.md)"),
        )
    })?;
    if ranks.rank() != 0 {
        return Err(RunError::Protocol(format!(
            "rank {} cannot run an experiment; rank 0 does",
            ranks.rank()
        )));
    }
    if cfg.workers > ranks.size() {
        return Err(super::unsupported(
            cfg,
            too_few_ranks(cfg.workers, ranks.size(), "native-runner run ... -m mpi"),
        ));
    }
    let mut exec = MpiExecutor {
        ranks,
        run: NEXT_RUN.fetch_add(1, Ordering::Relaxed),
        workers: cfg.workers,
        stages,
        schedule: cfg
            .model
            .schedule
            .unwrap_or(crate::limits::DEFAULT_SCHEDULE),
        local: WorkerSession::new(),
        inbox: VecDeque::new(),
        running: None,
        offsets: Vec::new(),
        cancel: env.control.cancel.clone(),
        zero: t0,
        unfinished: true,
    };
    // Every rank builds its job, then each is timed against rank 0's clock (the barrier before
    // the clock matters: no rank computes before all are ready).
    let (mut handshake, init) = Handshake::start(cfg);
    for (to, msg) in init {
        exec.post(to, msg)?;
    }
    let offsets = loop {
        if let Some(offsets) = handshake.offsets() {
            break offsets.to_vec();
        }
        let (from, msg) = exec.next()?;
        let now = t0.elapsed().as_secs_f64();
        for (to, next) in handshake.on_message(from, msg, now)? {
            exec.post(to, next)?;
        }
    };
    // The clock starts now, after the barrier; the offsets were taken against `t0`.
    exec.zero = web_time::Instant::now();
    let shift = exec.zero.duration_since(t0).as_secs_f64();
    exec.offsets = offsets.iter().map(|o| o - shift).collect();
    exec.unfinished = false;
    Ok(Box::new(exec))
}

impl MpiExecutor {
    /// Sends a request to a worker: to another rank as a message, to rank 0's own worker by
    /// queueing it.
    fn post(&mut self, to: usize, msg: ToWorker) -> Result<(), RunError> {
        if to == 0 {
            self.inbox.push_back(msg);
            return Ok(());
        }
        let bytes = encode(&ToRank::Run { run: self.run, msg });
        self.ranks
            .send(to, bytes)
            .map_err(|e| RunError::Protocol(format!("sending to rank {to}: {e}")))
    }

    /// The next reply of this run: another rank's if one has arrived (so that a rank waiting
    /// for work gets it before rank 0 computes), else the reply of rank 0's own work, run here
    /// one task at a time with a look for messages between tasks, else a short wait.
    fn next(&mut self) -> Result<(usize, FromWorker), RunError> {
        let mut idle = Idle::new();
        loop {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(RunError::Cancelled);
            }
            if let Some((from, bytes)) = self.ranks.try_recv().map_err(RunError::Protocol)? {
                match serde_json::from_slice::<FromRank>(&bytes) {
                    Ok(FromRank::Run { run, msg }) if run == self.run => {
                        if from == 0 || from >= self.workers {
                            return Err(RunError::Protocol(format!(
                                "a reply from rank {from}, which has no work in this run"
                            )));
                        }
                        return Ok((from, msg));
                    }
                    // A late reply of an earlier run, which failed before it came.
                    Ok(_) => continue,
                    Err(e) => {
                        return Err(RunError::Protocol(format!(
                            "an unreadable message from rank {from}: {e}"
                        )));
                    }
                }
            }
            if let Some(reply) = self.local_step() {
                return Ok((0, reply));
            }
            if self.running.is_some() || !self.inbox.is_empty() {
                continue;
            }
            idle.wait();
        }
    }
}

impl MpiExecutor {
    /// Runs one step of rank 0's own work: one task of its current chunk, or its next request.
    /// Returns the reply once there is one (a chunk's reply when its last task ran).
    fn local_step(&mut self) -> Option<FromWorker> {
        if self.running.is_none() {
            match self.inbox.pop_front()? {
                // Dealt ahead, nobody waits for rank 0 to hand out work: the chunk runs whole.
                run @ ToWorker::Run { .. } if self.schedule == Schedule::Static => {
                    return self.local.handle(run);
                }
                ToWorker::Run { stage, start, end } => {
                    self.running = Some(LocalChunk {
                        stage,
                        start,
                        end,
                        outputs: Vec::with_capacity(end.saturating_sub(start)),
                        records: Vec::new(),
                    });
                }
                other => return self.local.handle(other),
            }
        }
        let chunk = self.running.as_mut().expect("a chunk is running");
        let task = chunk.start + chunk.outputs.len();
        if task < chunk.end {
            let one = ToWorker::Run {
                stage: chunk.stage,
                start: task,
                end: task + 1,
            };
            match self.local.handle(one) {
                Some(FromWorker::Done {
                    outputs, records, ..
                }) => {
                    chunk.outputs.extend(outputs);
                    chunk.records.extend(records);
                }
                failed => {
                    self.running = None;
                    return failed;
                }
            }
        }
        if chunk.start + chunk.outputs.len() < chunk.end {
            return None;
        }
        let done = self.running.take().expect("a chunk is running");
        Some(FromWorker::Done {
            start: done.start,
            outputs: done.outputs,
            records: done.records,
        })
    }
}

impl Drop for MpiExecutor {
    /// A run that ends with requests outstanding (it failed or was stopped) tells the ranks, so
    /// that they drop its chunks rather than compute what nobody will read.
    fn drop(&mut self) {
        if self.unfinished {
            let abandon = encode(&ToRank::Abandon { run: self.run });
            for rank in 1..self.workers {
                let _ = self.ranks.send(rank, abandon.clone());
            }
        }
    }
}

impl Executor for MpiExecutor {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Records), RunError> {
        let mut driver = StageDriver::new(
            rt.stage,
            job.tasks(rt.stage),
            opts.chunk,
            opts.order,
            self.offsets.clone(),
            rt.timeline,
        );
        if self.schedule == Schedule::Static {
            driver = driver.dealt_ahead();
        }
        self.unfinished = true;
        if let Some(log) = &rt.log {
            driver = driver.with_log(log.clone());
        }
        for (to, msg) in driver.start(rt.now()) {
            self.post(to, msg)?;
        }
        while !driver.done() {
            let (from, msg) = self.next()?;
            for (to, next) in driver.on_message(from, msg, rt.now(), &rt.control.tasks_done)? {
                self.post(to, next)?;
            }
        }
        self.unfinished = false;
        driver.finish()
    }

    fn end_stage(&mut self, stage: usize, outputs: &[TaskOutput]) -> Result<(), RunError> {
        for (to, msg) in end_stage_messages(stage, self.stages, self.workers, outputs) {
            self.post(to, msg)?;
        }
        Ok(())
    }

    fn clock_zero(&self) -> Option<web_time::Instant> {
        Some(self.zero)
    }

    fn hosts(&self) -> Option<Vec<String>> {
        Some(
            self.ranks
                .hosts()
                .iter()
                .take(self.workers)
                .cloned()
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(run: u64, start: usize) -> ToRank {
        ToRank::Run {
            run,
            msg: ToWorker::Run {
                stage: 0,
                start,
                end: start + 1,
            },
        }
    }

    fn starts(queue: &VecDeque<ToRank>) -> Vec<(u64, usize)> {
        queue
            .iter()
            .filter_map(|m| match m {
                ToRank::Run {
                    run,
                    msg: ToWorker::Run { start, .. },
                } => Some((*run, *start)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn chunks_of_the_running_run_are_kept() {
        let mut q: VecDeque<ToRank> = (0..5).map(|t| chunk(3, t)).collect();
        q.push_back(ToRank::Describe);
        drop_stale_chunks(&mut q);
        assert_eq!(q.len(), 6);
    }

    #[test]
    fn a_later_run_an_abandon_or_the_end_drops_earlier_chunks_only() {
        let ping = ToRank::Run {
            run: 4,
            msg: ToWorker::Ping,
        };
        let mut q: VecDeque<ToRank> = (0..3).map(|t| chunk(3, t)).collect();
        q.push_back(ping.clone());
        q.push_back(chunk(4, 7));
        drop_stale_chunks(&mut q);
        assert_eq!(starts(&q), [(4, 7)]);
        assert!(q.contains(&ping), "requests other than chunks stay");

        let mut q: VecDeque<ToRank> = (0..3).map(|t| chunk(3, t)).collect();
        q.push_back(ToRank::Abandon { run: 3 });
        drop_stale_chunks(&mut q);
        assert!(starts(&q).is_empty());

        let mut q: VecDeque<ToRank> = (0..3).map(|t| chunk(4, t)).collect();
        q.push_back(ToRank::Abandon { run: 3 });
        drop_stale_chunks(&mut q);
        assert_eq!(
            starts(&q).len(),
            3,
            "an older run's abandon drops nothing newer"
        );

        let mut q: VecDeque<ToRank> = (0..3).map(|t| chunk(4, t)).collect();
        q.push_back(ToRank::Shutdown);
        drop_stale_chunks(&mut q);
        assert!(starts(&q).is_empty());
        assert_eq!(q.back(), Some(&ToRank::Shutdown));
    }
}
