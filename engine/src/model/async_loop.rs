//! `async`: `asyncio.gather` on one event loop. One thread runs every task; a task that waits
//! (I/O) arms a timer and the loop runs other ready tasks meanwhile, so waits overlap; a task that
//! computes holds the loop until it finishes, so CPU-bound work gets no faster at all.
//!
//! `workers` bounds how many tasks are in flight at once, like an `asyncio.Semaphore`: it is
//! concurrency, not parallelism, and a worker sweep on `sleep` shows speedup on a single thread.
//! Every record has worker 0; `wait` is the time from a task's start until the loop ran it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use web_time::Instant;

use super::{Collector, Cost, Executor, Host, ModelInfo, Records, StageOpts, StageRt, exec_task};
use crate::error::RunError;
use crate::spec::Order;
use crate::workload::Bound;
use crate::workload::{Job, TaskOutput};

/// What the engine, the CLI and the page know about this model.
pub(super) static INFO: ModelInfo = ModelInfo {
    python: "asyncio.gather(*tasks) on one event loop",
    description: "one thread, cooperative tasks: waits overlap on timers, computation blocks the loop; workers = tasks in flight",
    chunks: None,
    order: Some(Order::Ordered),
    option: None,
    host: Host::Caller,
    max_tasks: None,
    parallel_compute: false,
    overlaps_waits: true,
    cost: Cost::per_task(0.1e-6),
    python_code: "import asyncio\n\nasync def {f}_async(x):\n    await asyncio.sleep(latency)  # waiting: other tasks run\n    return {f}(x)                  # computing: the loop is blocked\n\nasync def main():\n    limit = asyncio.Semaphore({workers})\n    async def one(x):\n        async with limit:\n            return await {f}_async(x)\n    return await asyncio.gather(*(one(x) for x in items))\n\nresults = asyncio.run(main())",
    expectations: &[
        (
            &[Bound::Io],
            "One thread runs everything, but a waiting task arms a timer and lets others run: waits overlap, up to the in-flight limit (workers). Concurrency without parallelism.",
        ),
        (
            &[Bound::Locks],
            "Coroutines run one at a time, each to the end of its computing, so a philosopher never holds a fork while another runs: no deadlock here. In asyncio, an await between taking the two forks would let one form.",
        ),
        (
            &[Bound::Cpu, Bound::Tiny, Bound::Memory, Bound::SharedCounter],
            "A computing coroutine never yields, so the event loop runs tasks one after another on one thread: no speedup for CPU-bound work, whatever the in-flight limit.",
        ),
    ],
    start: |_, _, _, _| Ok(Box::new(AsyncLoop)),
};

pub(crate) struct AsyncLoop;

impl Executor for AsyncLoop {
    fn run_stage(
        &mut self,
        job: &dyn Job,
        rt: &StageRt,
        opts: &StageOpts,
    ) -> Result<(Vec<TaskOutput>, Records), RunError> {
        let tasks = job.tasks(rt.stage);
        let mut collector = Collector::new(tasks, opts.order, rt.timeline);
        let mut started = vec![0.0f64; tasks];
        let mut ready: VecDeque<usize> = VecDeque::new();
        // Timers ordered by deadline, then by start order (the `usize`), as asyncio's heap does.
        let mut timers: BinaryHeap<Reverse<(Instant, usize)>> = BinaryHeap::new();
        let (mut next, mut in_flight) = (0usize, 0usize);
        loop {
            while in_flight < opts.workers && next < tasks {
                started[next] = rt.clock();
                match job.wait(rt.stage, next) {
                    Some(d) => timers.push(Reverse((Instant::now() + d, next))),
                    None => ready.push_back(next),
                }
                in_flight += 1;
                next += 1;
            }
            if let Some(task) = ready.pop_front() {
                let wait = rt.clock() - started[task];
                let (out, rec) = exec_task(job, task, 0, None, rt, Some((started[task], wait)))?;
                collector.accept(out, rec, rt.clock());
                in_flight -= 1;
                continue;
            }
            let Some(Reverse((deadline, _))) = timers.peek().copied() else {
                break;
            };
            // Nothing is ready: the loop sleeps in its selector until the earliest timer.
            let now = Instant::now();
            if deadline > now {
                crate::threads::sleep(deadline - now);
            }
            let now = Instant::now();
            while let Some(Reverse((d, task))) = timers.peek().copied() {
                if d > now {
                    break;
                }
                timers.pop();
                ready.push_back(task);
            }
        }
        collector.finish()
    }
}
