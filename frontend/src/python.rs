//! For each model, the Python a tutorial would write, and what to expect from it on the chosen
//! workload (and why).

use engine::{ModelKind, WorkloadKind};

/// The kind of work, which decides what each model can do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Cpu,
    Io,
    Tiny,
    Memory,
    Sequential,
    SharedCounter,
}

pub fn bound(w: WorkloadKind) -> Bound {
    match w {
        WorkloadKind::Sleep => Bound::Io,
        WorkloadKind::Square => Bound::Tiny,
        WorkloadKind::Stream => Bound::Memory,
        WorkloadKind::NBody => Bound::Sequential,
        WorkloadKind::Counter => Bound::SharedCounter,
        _ => Bound::Cpu,
    }
}

fn task_name(w: WorkloadKind) -> &'static str {
    match w {
        WorkloadKind::Mandelbrot => "render_row",
        WorkloadKind::SpectralNorm => "multiply_rows",
        WorkloadKind::FannkuchRedux => "flip_block",
        WorkloadKind::NBody => "simulate",
        WorkloadKind::Primes => "count_primes",
        WorkloadKind::Square => "square",
        WorkloadKind::Sleep => "fetch",
        WorkloadKind::Stream => "sum_block",
        WorkloadKind::Counter => "increment",
        WorkloadKind::Amdahl => "work",
    }
}

/// The equivalent Python, as the tutorials write it.
pub fn snippet(model: ModelKind, w: WorkloadKind, workers: u32, chunk: Option<u64>) -> String {
    let f = task_name(w);
    let chunk_arg = chunk.map_or(String::new(), |c| format!(", chunksize={c}"));
    match model {
        ModelKind::Sequential => format!("results = [{f}(x) for x in items]"),
        ModelKind::ThreadPerTask => format!(
            "import threading\n\nthreads = [threading.Thread(target={f}, args=(x,)) for x in items]\nfor t in threads:\n    t.start()\nfor t in threads:\n    t.join()"
        ),
        ModelKind::StaticPool => format!(
            "from multiprocessing import Pool\n\nwith Pool({workers}) as pool:\n    results = pool.map({f}, items{chunk_arg})"
        ),
        ModelKind::DynamicPool => format!(
            "from multiprocessing import Pool\n\nwith Pool({workers}) as pool:\n    for result in pool.imap_unordered({f}, items{chunk_arg}):\n        handle(result)"
        ),
        ModelKind::WorkStealing => format!(
            "# No standard-library equivalent. In Rust, with rayon:\n#   let results: Vec<_> = items.par_iter().map({f}).collect();"
        ),
        ModelKind::MessagePassing => format!(
            "from multiprocessing import Process, Queue\n\ndef worker(tasks, results):\n    for x in iter(tasks.get, None):\n        results.put({f}(x))\n\ntasks, results = Queue(), Queue()\nprocs = [Process(target=worker, args=(tasks, results)) for _ in range({workers})]\nfor p in procs:\n    p.start()\nfor x in items:\n    tasks.put(x)\nfor _ in procs:\n    tasks.put(None)\nout = [results.get() for _ in items]"
        ),
        ModelKind::SharedState => format!(
            "from multiprocessing import Process, Array, Lock, Value\n\ndef worker(out, next_i, lock):\n    while True:\n        with lock:\n            i = next_i.value\n            next_i.value += 1\n        if i >= len(out):\n            return\n        value = {f}(i)\n        with lock:\n            out[i] = value\n\nlock = Lock()\nout, next_i = Array('d', len(items), lock=False), Value('i', 0, lock=False)\nprocs = [Process(target=worker, args=(out, next_i, lock)) for _ in range({workers})]"
        ),
        ModelKind::ProcessPool => format!(
            "from concurrent.futures import ProcessPoolExecutor\n\nwith ProcessPoolExecutor(max_workers={workers}) as pool:\n    results = list(pool.map({f}, items{chunk_arg}))"
        ),
        ModelKind::Async => format!(
            "import asyncio\n\nasync def {f}_async(x):\n    await asyncio.sleep(latency)  # waiting: other tasks run\n    return {f}(x)                  # computing: the loop is blocked\n\nasync def main():\n    limit = asyncio.Semaphore({workers})\n    async def one(x):\n        async with limit:\n            return await {f}_async(x)\n    return await asyncio.gather(*(one(x) for x in items))\n\nresults = asyncio.run(main())"
        ),
        ModelKind::Gil => format!(
            "from concurrent.futures import ThreadPoolExecutor\nimport sys\n\nsys.setswitchinterval(0.005)  # the GIL changes hands every 5 ms\nwith ThreadPoolExecutor(max_workers={workers}) as pool:\n    results = list(pool.map({f}, items))"
        ),
    }
}

/// Two sentences on what to expect, and why.
pub fn expectation(model: ModelKind, w: WorkloadKind) -> String {
    let b = bound(w);
    let text = match (model, b) {
        (ModelKind::Sequential, _) => {
            "The reference: one core, tasks in order. Every other model is compared with this time and must produce this answer."
        }
        (_, Bound::Sequential) => {
            "n-body is one long task: each step needs the previous one. No model can speed it up; the timeline shows one busy worker and the rest idle."
        }
        (ModelKind::Gil, Bound::Io) => {
            "Threads release the GIL while they wait, so waits overlap and the speedup approaches the number of threads. This is why threads do help I/O-bound Python."
        }
        (ModelKind::Gil, _) => {
            "Only the thread holding the GIL computes, so CPU-bound work takes turns on one core whatever the thread count: expect a speedup of about 1, or less from switching. The timeline shows the bars interleaving, never overlapping."
        }
        (ModelKind::Async, Bound::Io) => {
            "One thread runs everything, but a waiting task arms a timer and lets others run: waits overlap, up to the in-flight limit (workers). Concurrency without parallelism."
        }
        (ModelKind::Async, _) => {
            "A computing coroutine never yields, so the event loop runs tasks one after another on one thread: no speedup for CPU-bound work, whatever the in-flight limit."
        }
        (ModelKind::ThreadPerTask, Bound::Tiny) => {
            "Starting a thread costs far more than squaring a number, so most of the time is thread start-up: much slower than sequential."
        }
        (ModelKind::ProcessPool, Bound::Tiny) => {
            "Every task is serialized, sent to another process, computed and sent back: for tiny tasks that overhead dominates unless chunks are large."
        }
        (_, Bound::Tiny) => {
            "Each task takes nanoseconds, so the time measures the model's per-task overhead: queue operations, wake-ups, result collection. Larger chunks amortize it."
        }
        (_, Bound::Io) => {
            "The tasks mostly wait, and waiting needs no core: with more workers than cores the waits still overlap, so the speedup can exceed the core count."
        }
        (_, Bound::Memory) => {
            "The work is limited by memory bandwidth, not arithmetic: a working set that fits in cache scales with cores; a large one saturates the memory bus with few workers."
        }
        (_, Bound::SharedCounter) => {
            "All workers update one memory location, so they serialize on it (mutex, atomic) or lose updates (racy). Counting locally and adding once (local-then-reduce) scales."
        }
        (ModelKind::StaticPool, Bound::Cpu) => {
            "Chunks are dealt out before the run: if tasks cost different amounts (primes: later ranges cost more) some workers finish early and sit idle."
        }
        (ModelKind::ProcessPool, Bound::Cpu) => {
            "Separate processes (here: Workers with their own memory) run truly in parallel; start-up and serialization cost a little, so large tasks scale well."
        }
        (_, Bound::Cpu) => {
            "CPU-bound work with independent tasks: with as many workers as cores the speedup approaches the core count; more workers than cores cannot help."
        }
    };
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn every_model_has_a_snippet_and_an_expectation_for_every_workload() {
        for m in ModelKind::ALL {
            for w in WorkloadKind::ALL {
                assert!(!snippet(m, w, 2, Some(4)).is_empty());
                assert!(expectation(m, w).ends_with('.'));
            }
        }
        assert!(
            snippet(ModelKind::StaticPool, WorkloadKind::Square, 4, Some(8))
                .contains("pool.map(square, items, chunksize=8)")
        );
        assert!(snippet(ModelKind::Async, WorkloadKind::Sleep, 2, None).contains("asyncio.gather"));
        assert!(expectation(ModelKind::Gil, WorkloadKind::Mandelbrot).contains("GIL"));
    }
}
