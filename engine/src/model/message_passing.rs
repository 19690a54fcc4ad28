//! `message-passing`: workers that share nothing. Each owns an input channel (a `Pipe` /
//! `Queue` per `multiprocessing.Process`); a coordinator sends it chunks and receives the results
//! on a second channel, refilling a worker whenever it reports back. Two chunks are kept in
//! flight per worker so a worker never idles waiting for the coordinator.

use crossbeam_channel::{Receiver, Sender, bounded};

use super::{
    ChunkRule, Cost, Executor, Host, ModelInfo, Records, StageOpts, StageRt, chunks, coordinate,
    exec_chunk,
};
use crate::error::RunError;
use crate::spec::Order;
use crate::workload::{Job, TaskOutput};

/// What the engine, the CLI and the page know about this model.
pub(super) static INFO: ModelInfo = ModelInfo {
    python: "multiprocessing.Process workers fed by Queue / Pipe, results sent back",
    description: "each worker owns a channel; a coordinator sends it chunks and receives results on another channel; no shared data",
    chunks: Some(ChunkRule::One),
    order: Some(Order::Completion),
    option: None,
    host: Host::Threads,
    max_tasks: None,
    parallel_compute: true,
    overlaps_waits: true,
    cost: Cost::per_task(0.5e-6),
    python_code: "from multiprocessing import Process, Queue\n\ndef worker(tasks, results):\n    for x in iter(tasks.get, None):\n        results.put({f}(x))\n\ntasks, results = Queue(), Queue()\nprocs = [Process(target=worker, args=(tasks, results)) for _ in range({workers})]\nfor p in procs:\n    p.start()\nfor x in items:\n    tasks.put(x)\nfor _ in procs:\n    tasks.put(None)\nout = [results.get() for _ in items]",
    expectations: &[],
    start: |_, _, _, _| Ok(Box::new(MessagePassing)),
};

pub(crate) struct MessagePassing;

const IN_FLIGHT: usize = 2;

impl Executor for MessagePassing {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Records), RunError> {
        let tasks = job.tasks(rt.stage);
        let mut pending = chunks(tasks, opts.chunk);
        let (senders, inboxes): (Vec<Sender<_>>, Vec<Receiver<_>>) =
            (0..opts.workers).map(|_| bounded(IN_FLIGHT)).unzip();
        let mut senders: Vec<Option<Sender<std::ops::Range<usize>>>> =
            senders.into_iter().map(Some).collect();
        let mut feed = |worker: usize, ok: bool| {
            if !ok {
                // A task failed: close every inbox so all workers finish.
                senders.iter_mut().for_each(|s| *s = None);
                return;
            }
            match (pending.next(), senders[worker].as_ref()) {
                (Some(range), Some(tx)) => {
                    // The inbox has room: the worker just returned a chunk.
                    let _ = tx.send(range);
                }
                _ => senders[worker] = None,
            }
        };
        for _ in 0..IN_FLIGHT {
            for worker in 0..opts.workers {
                feed(worker, true);
            }
        }
        coordinate(
            tasks,
            opts,
            rt,
            |worker, tx| {
                for range in inboxes[worker].iter() {
                    let batch = exec_chunk(job, range, worker, rt);
                    let failed = batch.is_err();
                    if tx.send((worker, batch)).is_err() || failed {
                        return;
                    }
                }
            },
            feed,
        )
    }
}
