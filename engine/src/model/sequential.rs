//! `sequential`: one thread, every task in order. The reference every other model is checked
//! against, and the baseline of every speedup.

use super::{Collector, Executor, Records, StageOpts, StageRt, exec_task};
use crate::error::RunError;
use crate::workload::{Job, TaskOutput};

pub(crate) struct Sequential;

impl Executor for Sequential {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        _opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Records), RunError> {
        let tasks = job.tasks(rt.stage);
        let mut collector = Collector::new(tasks, None, rt.timeline);
        for task in 0..tasks {
            let (out, rec) = exec_task(job, task, 0, None, rt, None)?;
            collector.accept(out, rec, rt.clock());
        }
        collector.finish()
    }
}
