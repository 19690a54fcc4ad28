//! `dynamic-pool`: workers take the next chunk from one shared queue whenever they are free, like
//! `Pool.imap_unordered` or `ThreadPoolExecutor` + `as_completed`. Chunk size 1 by default:
//! perfect balance, paid for with one queue operation per task.

use super::{Executor, StageOpts, StageRt, TaskRecord, chunks, coordinate, exec_chunk};
use crate::error::RunError;
use crate::workload::{Job, TaskOutput};

pub(crate) struct DynamicPool;

impl Executor for DynamicPool {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Vec<TaskRecord>), RunError> {
        let tasks = job.tasks(rt.stage);
        let (queue_tx, queue) = crossbeam_channel::unbounded();
        for range in chunks(tasks, opts.chunk) {
            queue_tx.send(range).expect("queue is open");
        }
        drop(queue_tx);
        coordinate(
            tasks,
            opts,
            rt,
            |worker, tx| {
                for range in queue.iter() {
                    let batch = exec_chunk(job, range, worker, rt);
                    let failed = batch.is_err();
                    if tx.send((worker, batch)).is_err() || failed {
                        return;
                    }
                }
            },
            |_, _| {},
        )
    }
}
