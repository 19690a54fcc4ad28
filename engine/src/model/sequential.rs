//! `sequential`: one thread, every task in order. The reference every other model is checked
//! against, and the baseline of every speedup.

use super::{Collector, Cost, Executor, Host, ModelInfo, Records, StageOpts, StageRt, exec_task};
use crate::error::RunError;
use crate::workload::Bound;
use crate::workload::{Job, TaskOutput};

/// What the engine, the CLI and the page know about this model.
pub(super) static INFO: ModelInfo = ModelInfo {
    python: "a plain for loop / map(f, items)",
    description: "one thread runs every task in order: the reference answer and time",
    chunks: None,
    order: None,
    option: None,
    host: Host::Caller,
    max_tasks: None,
    parallel_compute: false,
    overlaps_waits: false,
    cost: Cost::per_task(0.1e-6),
    python_code: "results = [{f}(x) for x in items]",
    expectations: &[(
        Bound::ALL,
        "The reference: one core, tasks in order. Every other model is compared with this time and must produce this answer.",
    )],
    start: |_, _, _, _| Ok(Box::new(Sequential)),
};

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
