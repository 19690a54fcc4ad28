//! The lessons. Each decides from intervals only (see `README.md` in this folder): a figure
//! that the machine's noise leaves undecided gives `inconclusive`, never a guess.

use super::{CPython, Interval, Judgement, Lesson, Size, Verdict, result_of};
use crate::model::ModelKind;
use crate::result::{Failure, ResultSet};
use crate::spec::{Experiment, Order, ParamValue, Repetitions, Sweep, SyncKind};
use crate::workload::WorkloadKind;

/// Every lesson, in the order a learner meets them.
pub static LESSONS: [Lesson; 15] = [
    Lesson {
        id: "gil-cpu",
        claim: "Threads do not speed up CPU-bound Python: the GIL lets one thread compute at a time.",
        python: "threading / ThreadPoolExecutor",
        explanation: "In the timeline the threads' bars take turns and never overlap: whoever holds the GIL computes, the others wait for it.",
        experiments: |size, cores| vec![cpu(size, ModelKind::Gil, cores.clamp(2, 4))],
        judge: gil_cpu,
        cpython: Some(CPython {
            scale: 5,
            differs: "Our GIL model hands one lock between threads every switch interval (5 ms, CPython's default) and a waiting thread asks for it as CPython's do; what runs between hand-offs is compiled code, not bytecode, so the same work takes CPython many times longer (the figure above), while each hand-off costs both about the same. A busy machine slows CPython's hand-offs more: a thread that is asked to drop the GIL must wait for the next one to be scheduled.",
        }),
    },
    Lesson {
        id: "gil-io",
        claim: "Threads do speed up I/O-bound Python: a thread releases the GIL while it waits.",
        python: "threading / ThreadPoolExecutor",
        explanation: "In the timeline the thin grey waiting lines of different threads overlap: waiting needs neither the GIL nor a core.",
        experiments: |size, _| vec![io(size, ModelKind::Gil, 8)],
        judge: |sets, _| overlap_waits(sets, "threads under the GIL"),
        cpython: Some(CPython {
            scale: 1,
            differs: "Both release the lock for the whole wait and wait on the same timers, so the figures should agree; CPython adds its interpreter's cost to each task's few steps of work.",
        }),
    },
    Lesson {
        id: "processes-cpu",
        claim: "Processes run CPU-bound Python in parallel, where threads cannot: each has its own interpreter and GIL, at the price of starting it.",
        python: "multiprocessing.Pool / ProcessPoolExecutor",
        explanation: "Compare the two rows' speedups; the process pool's breakdown shows its start-up.",
        experiments: |size, cores| {
            let w = cores.clamp(2, 4);
            vec![
                cpu(size, ModelKind::ProcessPool, w),
                cpu(size, ModelKind::Gil, w),
            ]
        },
        judge: processes_cpu,
        cpython: Some(CPython {
            scale: 5,
            differs: "Our process pool starts native workers with nothing to load; CPython forks an interpreter per worker and pickles every argument and result, so its start-up and hand-offs cost more.",
        }),
    },
    Lesson {
        id: "async-io",
        claim: "asyncio overlaps waits on one thread: concurrency without parallelism.",
        python: "asyncio.gather",
        explanation: "The timeline has one thread, yet the waits of many tasks overlap.",
        experiments: |size, _| vec![io(size, ModelKind::Async, 8)],
        judge: |sets, _| overlap_waits(sets, "asyncio tasks on one thread"),
        cpython: Some(CPython {
            scale: 1,
            differs: "Our event loop is compiled; asyncio's is Python, so each task costs it more to schedule, but 10 ms waits dwarf both.",
        }),
    },
    Lesson {
        id: "async-cpu",
        claim: "asyncio does not speed up CPU-bound work: a computing coroutine never yields the loop.",
        python: "asyncio.gather",
        explanation: "One thread runs every task, one after another: the timeline's bars never overlap.",
        experiments: |size, _| vec![cpu(size, ModelKind::Async, 4)],
        judge: |sets, _| {
            no_faster(
                sets,
                ModelKind::Async,
                "asyncio tasks",
                "a computing coroutine never yields the loop",
            )
        },
        cpython: Some(CPython {
            scale: 5,
            differs: "Both run every coroutine on one thread; CPython's computing takes longer, the shape is the same.",
        }),
    },
    Lesson {
        id: "chunksize",
        claim: "Tiny tasks drown in overhead: Pool.map's chunksize amortizes the cost of each hand-off.",
        python: "multiprocessing.Pool.map(f, items, chunksize)",
        explanation: "Each row is one chunk size: the time falls as chunks grow, until the overhead is paid off.",
        experiments: |size, cores| {
            let mut e = exp(
                WorkloadKind::Square,
                pick(size, 20_000, 200_000),
                &[],
                ModelKind::ProcessPool,
                cores.clamp(2, 4),
                size,
            );
            e.sweep = Some(Sweep::ChunkSize(vec![1, 10, 100, 1000]));
            // A record per task would cost more than squaring a number.
            e.timeline = false;
            vec![e]
        },
        judge: chunksize,
        cpython: Some(CPython {
            scale: 4,
            differs: "Our pool sends a chunk as bytes down a pipe; CPython pickles each chunk and its results, so each hand-off costs it more and the break-even chunk is larger.",
        }),
    },
    Lesson {
        id: "imbalance",
        claim: "Static chunks leave cores idle when tasks cost different amounts; a shared queue balances them.",
        python: "Pool.map with a large chunksize vs imap_unordered(chunksize=1)",
        explanation: "In the static pool's timeline one worker finishes early and sits idle; the breakdown's idle time says how long.",
        experiments: |size, cores| {
            let w = cores.clamp(2, 4);
            let tasks = 16 * u64::from(w);
            let n = pick(size, 3_000_000, 8_000_000);
            let params = [("tasks", ParamValue::Int(tasks))];
            let mut fixed = exp(
                WorkloadKind::Primes,
                n,
                &params,
                ModelKind::StaticPool,
                w,
                size,
            );
            // One contiguous block per worker: the later blocks hold the costlier numbers.
            fixed.model.chunk_size = Some(tasks / u64::from(w));
            let queue = exp(
                WorkloadKind::Primes,
                n,
                &params,
                ModelKind::DynamicPool,
                w,
                size,
            );
            vec![fixed, queue]
        },
        judge: imbalance,
        cpython: Some(CPython {
            scale: 5,
            differs: "The same split and the same chunks; our static pool runs threads, CPython's Pool.map runs processes, whose start-up adds to both rows.",
        }),
    },
    Lesson {
        id: "race",
        claim: "Unsynchronized increments from several threads lose updates; a mutex or an atomic makes them exact, and counting locally then adding once is both exact and fast.",
        python: "counter += 1 from threads, with and without a Lock",
        explanation: "The answer column counts the lost updates; the mean column prices each way of making the count exact.",
        experiments: |size, cores| {
            let n = pick(size, 10_000_000, 50_000_000);
            ["racy", "mutex", "atomic", "local-then-reduce"]
                .iter()
                .map(|v| {
                    exp(
                        WorkloadKind::Counter,
                        n,
                        &[("variant", ParamValue::Text((*v).into()))],
                        ModelKind::StaticPool,
                        cores.clamp(2, 4),
                        size,
                    )
                })
                .collect()
        },
        judge: race,
        cpython: Some(CPython {
            scale: 5,
            differs: "Our racy counter is a load and a store by threads on different cores: updates are lost when two cores increment at the same instant. CPython's threads never run at once: its updates are lost only when the GIL changes hands between a read and its write, a whole turn's worth at a time. (In CPython 3.10 and later a bare `counter += 1` is rarely split, so its racy side calls a function between the read and the write, as real code does; itertools.count stands for the atomic.)",
        }),
    },
    Lesson {
        id: "deadlock",
        claim: "Threads that each hold one lock and wait for another can deadlock; taking the locks in one global order prevents it.",
        python: "threading.Lock: the dining philosophers",
        explanation: "The first run's timeline draws the cycle: each philosopher striped from when it blocked for good, an arrow to the one holding the fork it waits for. The second run takes the lower-numbered fork first and eats every meal.",
        experiments: |size, _| {
            // Deadlock is about concurrency, not cores: three philosophers on three threads.
            let philosophers = |order: &str, n: u64, hold_ms: u64| {
                let mut e = exp(
                    WorkloadKind::Philosophers,
                    n,
                    &[
                        ("philosophers", ParamValue::Int(3)),
                        ("hold_ms", ParamValue::Int(hold_ms)),
                        ("order", ParamValue::Text(order.into())),
                    ],
                    ModelKind::ThreadPerTask,
                    3,
                    size,
                );
                // The answer has an independent reference (every meal, no fork in two
                // hands): no sequential run is needed, and a naive one would only wait.
                e.baseline = false;
                e
            };
            // A thousand meals, each holding a fork for 5 ms: a thousand chances for every
            // philosopher to hold a left fork at once. One run: the first deadlock ends it.
            let mut naive = philosophers("naive", 1000, 5);
            naive.repetitions = Repetitions::Fixed(1);
            naive.budget_s = None;
            naive.warmups = 0;
            vec![naive, philosophers("ordered", pick(size, 20, 100), 1)]
        },
        judge: deadlock,
        cpython: None,
    },
    Lesson {
        id: "messages-vs-shared",
        claim: "Every message is a hand-off with a price: workers fed by channels pay per task what workers claiming from shared memory avoid.",
        python: "Process + Queue vs Array + Lock",
        explanation: "Compare the two rows' means: the difference over the task count is the price of each hand-off.",
        experiments: |size, cores| {
            let w = cores.clamp(2, 4);
            let n = pick(size, 20_000, 400_000);
            let mut shared = exp(
                WorkloadKind::Square,
                n,
                &[],
                ModelKind::SharedState,
                w,
                size,
            );
            shared.model.sync = Some(SyncKind::Atomic);
            let messages = exp(
                WorkloadKind::Square,
                n,
                &[],
                ModelKind::MessagePassing,
                w,
                size,
            );
            let mut out = vec![messages, shared];
            for e in &mut out {
                e.timeline = false;
            }
            out
        },
        judge: messages_vs_shared,
        cpython: None,
    },
    Lesson {
        id: "oversubscription",
        claim: "More CPU-bound workers than cores do not help: know your machine.",
        python: "Pool(processes=os.cpu_count()) vs Pool(processes=4 * os.cpu_count())",
        explanation: "The sweep's speedup stops growing at the core count.",
        experiments: |size, cores| {
            let mut e = cpu(size, ModelKind::DynamicPool, cores);
            e.sweep = Some(Sweep::Workers(vec![cores, 4 * cores]));
            vec![e]
        },
        judge: oversubscription,
        cpython: Some(CPython {
            scale: 5,
            differs: "Our pool runs threads on the cores; CPython's runs processes, since its threads could not compute in parallel at all.",
        }),
    },
    Lesson {
        id: "memory-bound",
        claim: "Memory-bound work saturates the memory bus before it runs out of cores.",
        python: "numpy-style array sums split across processes",
        explanation: "The sweep's speedup flattens below the worker count: the workers wait on memory, not on each other.",
        experiments: |size, cores| {
            let mut e = exp(
                WorkloadKind::Stream,
                pick(size, 32 << 20, 256 << 20),
                &[("passes", ParamValue::Int(pick(size, 3, 10)))],
                ModelKind::StaticPool,
                cores,
                size,
            );
            e.sweep = Some(Sweep::Workers(vec![1, cores]));
            vec![e]
        },
        judge: memory_bound,
        cpython: None,
    },
    Lesson {
        id: "amdahl",
        claim: "A serial fraction caps the speedup (Amdahl's law); the Karp-Flatt metric recovers that fraction from the speedup.",
        python: "any pool: the part before Pool.map runs alone",
        explanation: "The speedup stays under 1 / (s + (1 - s) / p); the Karp-Flatt column estimates s.",
        experiments: |size, cores| {
            vec![exp(
                WorkloadKind::Amdahl,
                pick(size, 1_500, 5_000),
                &[
                    ("serial_fraction", ParamValue::Float(AMDAHL_SERIAL)),
                    ("tasks", ParamValue::Int(16)),
                ],
                ModelKind::DynamicPool,
                cores.clamp(2, 4),
                size,
            )]
        },
        judge: amdahl,
        cpython: None,
    },
    Lesson {
        id: "order",
        claim: "Pool.map returns results in task order; imap_unordered and as_completed return them as they finish.",
        python: "Pool.map vs Pool.imap_unordered / as_completed",
        explanation: "Hover the timeline's bars: 'delivered' follows the task order for map, the finishing order for imap_unordered.",
        experiments: |size, _| {
            let params = [
                ("latency_ms", ParamValue::Int(5)),
                ("jitter_ms", ParamValue::Int(4)),
                ("seed", ParamValue::Int(7)),
            ];
            let n = pick(size, 16, 64);
            let mut ordered = exp(
                WorkloadKind::Sleep,
                n,
                &params,
                ModelKind::DynamicPool,
                4,
                size,
            );
            ordered.model.order = Some(Order::Ordered);
            let mut unordered = ordered.clone();
            unordered.model.order = Some(Order::Completion);
            vec![ordered, unordered]
        },
        judge: order,
        cpython: Some(CPython {
            scale: 1,
            differs: "The same waits, drawn from the same seed; the order results arrive in depends only on which finish first.",
        }),
    },
    Lesson {
        id: "thread-startup",
        claim: "Starting a thread per task pays the start-up every time; a pool pays it once.",
        python: "threading.Thread per item vs ThreadPoolExecutor",
        explanation: "Compare the two rows' means: the difference over the task count is one thread's start-up.",
        experiments: |size, cores| {
            let w = cores.clamp(2, 4);
            let n = pick(size, 2_000, 20_000);
            let mut out = vec![
                exp(
                    WorkloadKind::Square,
                    n,
                    &[],
                    ModelKind::ThreadPerTask,
                    w,
                    size,
                ),
                exp(
                    WorkloadKind::Square,
                    n,
                    &[],
                    ModelKind::DynamicPool,
                    w,
                    size,
                ),
            ];
            for e in &mut out {
                e.timeline = false;
            }
            out
        },
        judge: thread_startup,
        cpython: Some(CPython {
            scale: 1,
            differs: "Ours start OS threads from compiled code; CPython's threading.Thread also creates an interpreter thread state and bootstraps it, so each costs more.",
        }),
    },
];

/// The serial fraction of the `amdahl` lesson.
const AMDAHL_SERIAL: f64 = 0.5;

fn pick(size: Size, quick: u64, full: u64) -> u64 {
    match size {
        Size::Quick => quick,
        Size::Full => full,
    }
}

/// An experiment with the lesson's repetitions: 5 for a quick look, "auto" within 10 s for
/// figures worth quoting. Every lesson keeps the sequential baseline.
fn exp(
    w: WorkloadKind,
    n: u64,
    params: &[(&str, ParamValue)],
    model: ModelKind,
    workers: u32,
    size: Size,
) -> Experiment {
    let mut e = Experiment::new(w, model, workers);
    e.workload.n = n;
    for (k, v) in params {
        e.workload.params.insert((*k).into(), v.clone());
    }
    match size {
        Size::Quick => e.repetitions = Repetitions::Fixed(5),
        Size::Full => {
            e.repetitions = Repetitions::Auto;
            e.budget_s = Some(10.0);
        }
    }
    e
}

/// CPU-bound work with independent, uneven tasks.
fn cpu(size: Size, model: ModelKind, workers: u32) -> Experiment {
    exp(
        WorkloadKind::Primes,
        pick(size, 2_000_000, 5_000_000),
        &[("tasks", ParamValue::Int(64))],
        model,
        workers,
        size,
    )
}

/// Waiting: tasks of 10 ms on a timer.
fn io(size: Size, model: ModelKind, workers: u32) -> Experiment {
    exp(
        WorkloadKind::Sleep,
        pick(size, 24, 200),
        &[("latency_ms", ParamValue::Int(10))],
        model,
        workers,
        size,
    )
}

/// Above this speedup a model is "faster than one" (a tenth, to stay clear of noise).
const FASTER: f64 = 1.1;
/// "No faster than one thread" allows this much: a model that computed in parallel on two cores
/// would be near 2, so the margin only absorbs noise.
const NO_FASTER: f64 = 1.2;

/// The verdict when a claim needs more cores than the machine has.
fn needs_cores(cores: u32, claim: &str) -> Option<Judgement> {
    (cores < 2).then(|| {
        Judgement::inconclusive(format!(
            "This machine shows {cores} logical core: {claim} needs at least two to be seen."
        ))
        .with("cores", f64::from(cores))
    })
}

/// Below this share of the ideal speedup, a CPU-bound run of independent tasks did not have its
/// cores to itself: idle cores give 0.9 or more of it on these workloads.
const FREE_CORES: f64 = 0.75;

/// The verdict when other programs were using the cores: `r`, a CPU-bound run of independent
/// tasks on `min(workers, cores)` cores, was clearly slower than those cores give. Claims about
/// cores (imbalance leaves them idle, more workers than cores do not help, processes use them)
/// cannot be seen when they are taken: more workers then win a larger share of a busy machine,
/// which is not what the claim is about.
fn cores_busy(r: &crate::result::ModelResult, cores: u32) -> Option<Judgement> {
    let w = r.workers.min(cores);
    let s = Interval::speedup(r)?;
    (w >= 2 && s.hi < FREE_CORES * f64::from(w)).then(|| {
        Judgement::inconclusive(format!(
            "Other programs were using this machine's cores: {} workers ran only {s} times as fast as one, where {w} free cores give nearly {w}. The claim needs free cores to be seen; run it again when the machine is quieter.",
            r.workers
        ))
        .with("speedup_at_cores", s.value)
    })
}

fn missing(what: &str) -> Judgement {
    Judgement::inconclusive(format!("no result for {what}: the run did not produce it"))
}

fn gil_cpu(sets: &[ResultSet], _: u32) -> Judgement {
    no_faster(
        sets,
        ModelKind::Gil,
        "threads under the GIL",
        "only the thread holding the GIL computes",
    )
}

/// "`model` is no faster than one thread": holds when the speedup's interval is below
/// [`NO_FASTER`].
fn no_faster(sets: &[ResultSet], model: ModelKind, who: &str, why: &str) -> Judgement {
    let Some(r) = sets.first().and_then(|s| result_of(s, model)) else {
        return missing(model.name());
    };
    let Some(s) = Interval::speedup(r) else {
        return missing("the sequential baseline");
    };
    let verdict = s.below(NO_FASTER);
    let sentence = match verdict {
        Verdict::Holds => format!(
            "{} {who} ran {s} times as fast as one: no faster, as in CPython ({why}).",
            r.workers
        ),
        Verdict::DoesNotHold => format!(
            "{} {who} ran {s} times as fast as one: faster, which the claim says they cannot be.",
            r.workers
        ),
        Verdict::Inconclusive => format!(
            "{} {who} ran {s} times as fast as one: the interval straddles {NO_FASTER}, so this run does not decide; repeat it on a quieter machine.",
            r.workers
        ),
    };
    Judgement::new(verdict, sentence)
        .with("speedup", s.value)
        .with("speedup_lo", s.lo)
        .with("speedup_hi", s.hi)
        .with("workers", f64::from(r.workers))
}

/// "Waits overlap": holds when the speedup is above half the workers (the waits are 10 ms, so
/// more overlap is plain to see); does not hold below [`FASTER`].
fn overlap_waits(sets: &[ResultSet], who: &str) -> Judgement {
    let Some(r) = sets.first().and_then(|s| s.results.last()) else {
        return missing(who);
    };
    let Some(s) = Interval::speedup(r) else {
        return missing("the sequential baseline");
    };
    let enough = f64::from(r.workers) / 2.0;
    let verdict = match (s.above(enough), s.below(FASTER)) {
        (Verdict::Holds, _) => Verdict::Holds,
        (_, Verdict::Holds) => Verdict::DoesNotHold,
        _ => Verdict::Inconclusive,
    };
    let sentence = match verdict {
        Verdict::Holds => format!(
            "{} {who} finished {s} times as fast as one: their waits overlap, and waiting needs no core.",
            r.workers
        ),
        Verdict::DoesNotHold => format!(
            "{} {who} ran {s} times as fast as one: the waits did not overlap.",
            r.workers
        ),
        Verdict::Inconclusive => format!(
            "{} {who} ran {s} times as fast as one: more than one, yet not clearly the overlap of {enough:.0} or more that the claim predicts.",
            r.workers
        ),
    };
    Judgement::new(verdict, sentence)
        .with("speedup", s.value)
        .with("speedup_lo", s.lo)
        .with("speedup_hi", s.hi)
        .with("workers", f64::from(r.workers))
}

fn processes_cpu(sets: &[ResultSet], cores: u32) -> Judgement {
    if let Some(j) = needs_cores(cores, "running in parallel") {
        return j;
    }
    let (Some(p), Some(g)) = (
        sets.first()
            .and_then(|s| result_of(s, ModelKind::ProcessPool)),
        sets.get(1).and_then(|s| result_of(s, ModelKind::Gil)),
    ) else {
        return missing("process-pool or gil");
    };
    let (Some(ps), Some(gs)) = (Interval::speedup(p), Interval::speedup(g)) else {
        return missing("the sequential baseline");
    };
    if let Some(j) = cores_busy(p, cores) {
        return j;
    }
    // Processes beat one core, and beat the GIL's threads: the intervals do not meet.
    let verdict = if ps.lo > FASTER && ps.lo > gs.hi {
        Verdict::Holds
    } else if ps.hi < gs.lo || ps.hi < 1.0 {
        Verdict::DoesNotHold
    } else {
        Verdict::Inconclusive
    };
    let startup = p
        .breakdown
        .as_ref()
        .map_or(f64::NAN, |b| b.startup / f64::from(p.workers));
    let sentence = format!(
        "{} processes ran {ps} times as fast as one, {} GIL threads {gs} times{}{}",
        p.workers,
        g.workers,
        match verdict {
            Verdict::Holds => ": processes compute in parallel, threads take turns",
            Verdict::DoesNotHold => ": the processes were not faster, against the claim",
            Verdict::Inconclusive => ": the intervals overlap, so this run does not decide",
        },
        if startup.is_finite() {
            format!(
                "; starting each process took {}.",
                crate::stats::human_time(startup)
            )
        } else {
            ".".into()
        }
    );
    Judgement::new(verdict, sentence)
        .with("process_speedup", ps.value)
        .with("gil_speedup", gs.value)
        .with("startup_s", startup)
}

fn chunksize(sets: &[ResultSet], _: u32) -> Judgement {
    let Some(set) = sets.first() else {
        return missing("the chunk-size sweep");
    };
    let rows: Vec<_> = set
        .results
        .iter()
        .filter(|r| r.model != ModelKind::Sequential)
        .collect();
    let (Some(one), Some(best)) = (
        rows.iter().find(|r| r.chunk_size == Some(1)),
        rows.iter()
            .min_by(|a, b| a.summary.mean.total_cmp(&b.summary.mean)),
    ) else {
        return missing("chunk size 1");
    };
    let n = set.experiment.workload.n as f64;
    let slower = Interval::ratio(one, best);
    // The break-even: the smallest chunk within a tenth of the best time.
    let even = rows
        .iter()
        .filter(|r| r.summary.mean <= best.summary.mean * 1.1)
        .filter_map(|r| r.chunk_size)
        .min()
        .unwrap_or(0);
    let per_task = (one.summary.mean - best.summary.mean) / n;
    let verdict = slower.above(1.5);
    let sentence = format!(
        "With one task per chunk the run took {slower} times as long as the best chunk size ({}): each hand-off cost about {} of overhead per task. From chunksize={even} on, the overhead was paid off (within 10% of the best).",
        best.chunk_size.unwrap_or(0),
        crate::stats::human_time(per_task.max(0.0))
    );
    Judgement::new(verdict, sentence)
        .with("slowdown_chunk_1", slower.value)
        .with("best_chunk", best.chunk_size.unwrap_or(0) as f64)
        .with("break_even_chunk", even as f64)
        .with("overhead_per_task_s", per_task)
}

fn imbalance(sets: &[ResultSet], cores: u32) -> Judgement {
    if let Some(j) = needs_cores(cores, "an idle core") {
        return j;
    }
    let (Some(s), Some(d)) = (
        sets.first()
            .and_then(|s| result_of(s, ModelKind::StaticPool)),
        sets.get(1)
            .and_then(|s| result_of(s, ModelKind::DynamicPool)),
    ) else {
        return missing("static-pool or dynamic-pool");
    };
    if let Some(j) = cores_busy(d, cores) {
        return j;
    }
    let slower = Interval::ratio(s, d);
    let idle = |r: &crate::result::ModelResult| r.breakdown.as_ref().map_or(f64::NAN, |b| b.idle);
    let (si, di) = (idle(s), idle(d));
    let verdict = slower.above(1.05);
    let sentence = format!(
        "Static chunks took {slower} times as long as the shared queue{}",
        if si.is_finite() && di.is_finite() {
            format!(
                ": their workers sat idle for {} in all, against {} with the queue.",
                crate::stats::human_time(si),
                crate::stats::human_time(di)
            )
        } else {
            ".".into()
        }
    );
    Judgement::new(verdict, sentence)
        .with("static_over_dynamic", slower.value)
        .with("static_idle_s", si)
        .with("dynamic_idle_s", di)
}

/// The updates a counter result says it lost ("counter 9 of 10, 1 updates lost").
fn lost(r: &crate::result::ModelResult) -> Option<u64> {
    crate::workload::lost_updates(&r.answer.summary)
}

fn race(sets: &[ResultSet], _: u32) -> Judgement {
    let pick = |i: usize| {
        sets.get(i)
            .and_then(|s| result_of(s, ModelKind::StaticPool))
    };
    let (Some(racy), Some(mutex), Some(atomic), Some(local)) = (pick(0), pick(1), pick(2), pick(3))
    else {
        return missing("a counter variant");
    };
    let Some(lost_updates) = lost(racy) else {
        return missing("the racy counter's count");
    };
    let exact = [mutex, atomic, local]
        .iter()
        .all(|r| r.verified == Some(true));
    let n = sets[0].experiment.workload.n;
    let (vs_mutex, vs_atomic) = (
        Interval::ratio(mutex, local),
        Interval::ratio(atomic, local),
    );
    let verdict = if !exact {
        Verdict::DoesNotHold
    } else if lost_updates > 0 {
        Verdict::Holds
    } else {
        Verdict::Inconclusive
    };
    let sentence = match verdict {
        Verdict::Holds => format!(
            "The racy counter lost {lost_updates} of {n} updates; mutex, atomic and local-then-reduce counted all {n}. The mutex took {vs_mutex} and the atomic {vs_atomic} times as long as counting locally."
        ),
        Verdict::DoesNotHold => {
            "A synchronized counter lost updates: the mutex, atomic or local count is wrong.".into()
        }
        Verdict::Inconclusive => format!(
            "This time no update was lost: the race needs two threads to increment at the same instant, which a busy machine or one core makes rare. Run it again. (Synchronized counts were exact; the mutex took {vs_mutex} times as long as counting locally.)"
        ),
    };
    Judgement::new(verdict, sentence)
        .with("lost_updates", lost_updates as f64)
        .with("mutex_over_local", vs_mutex.value)
        .with("atomic_over_local", vs_atomic.value)
}

fn deadlock(sets: &[ResultSet], _: u32) -> Judgement {
    let (Some(naive), Some(ordered)) = (sets.first(), sets.get(1)) else {
        return missing("a philosophers run");
    };
    let ordered_result = ordered
        .results
        .iter()
        .find(|r| r.model == ModelKind::ThreadPerTask);
    let ordered_ate =
        ordered.error.is_none() && ordered_result.is_some_and(|r| r.verified == Some(true));
    let meals = ordered_result.map_or(String::new(), |r| r.answer.summary.clone());
    match (&naive.error, ordered_ate) {
        (Some(Failure::Deadlock(d)), true) => Judgement::new(
            Verdict::Holds,
            format!(
                "Taking the left fork first, the philosophers deadlocked {:.1} ms in: {}. Taking the lower-numbered fork first, they ate: {meals}.",
                d.at * 1e3,
                d.to_string().trim_start_matches("deadlock: ")
            ),
        )
        .with("cycle_workers", d.cycle.len() as f64)
        .with("deadlock_at_ms", d.at * 1e3),
        (_, false) => Judgement::new(
            Verdict::DoesNotHold,
            match &ordered.error {
                Some(e) => format!("Taking the forks in one order deadlocked all the same: {e}."),
                None => format!("Taking the forks in one order did not eat every meal: {meals}."),
            },
        ),
        (None, true) => Judgement::new(
            Verdict::Inconclusive,
            format!(
                "This time the naive order never closed a cycle in {} meals: every philosopher must hold a left fork at the same moment, and the scheduler never arranged it. Run it again. (The ordered order ate: {meals}.)",
                naive.experiment.workload.n
            ),
        ),
    }
}

fn messages_vs_shared(sets: &[ResultSet], _: u32) -> Judgement {
    let (Some(m), Some(s)) = (
        sets.first()
            .and_then(|x| result_of(x, ModelKind::MessagePassing)),
        sets.get(1)
            .and_then(|x| result_of(x, ModelKind::SharedState)),
    ) else {
        return missing("message-passing or shared-state");
    };
    let n = sets[0].experiment.workload.n as f64;
    let slower = Interval::ratio(m, s);
    let per_task = (m.summary.mean - s.summary.mean) / n;
    let verdict = slower.above(1.05);
    let sentence = format!(
        "Channels took {slower} times as long as shared memory for the same {n} tasks: about {} more per task, the price of a message each way.",
        crate::stats::human_time(per_task.max(0.0))
    );
    Judgement::new(verdict, sentence)
        .with("messages_over_shared", slower.value)
        .with("per_task_s", per_task)
}

fn oversubscription(sets: &[ResultSet], cores: u32) -> Judgement {
    let Some(set) = sets.first() else {
        return missing("the workers sweep");
    };
    let rows: Vec<_> = set
        .results
        .iter()
        .filter(|r| r.model == ModelKind::DynamicPool)
        .collect();
    let (Some(at_cores), Some(over)) = (
        rows.iter().find(|r| r.workers == cores),
        rows.iter().find(|r| r.workers == 4 * cores),
    ) else {
        return missing("the sweep's points");
    };
    if let Some(j) = cores_busy(at_cores, cores) {
        return j;
    }
    // Gain from 4x the workers: mean at `cores` over mean at 4x.
    let gain = Interval::ratio(at_cores, over);
    let verdict = gain.below(FASTER);
    let sentence = format!(
        "{} workers on {cores} cores ran {gain} times as fast as {cores} workers{}",
        over.workers,
        match verdict {
            Verdict::Holds => ": no faster, because CPU-bound work cannot use more than the cores.",
            Verdict::DoesNotHold => ": faster, against the claim.",
            Verdict::Inconclusive => ": the interval does not decide.",
        }
    );
    Judgement::new(verdict, sentence)
        .with("gain", gain.value)
        .with("cores", f64::from(cores))
}

fn memory_bound(sets: &[ResultSet], cores: u32) -> Judgement {
    if let Some(j) = needs_cores(cores, "a bus shared by cores") {
        return j;
    }
    let Some(r) = sets.first().and_then(|s| {
        s.results
            .iter()
            .filter(|r| r.model == ModelKind::StaticPool)
            .max_by_key(|r| r.workers)
    }) else {
        return missing("the workers sweep");
    };
    let Some(s) = Interval::speedup(r) else {
        return missing("the sequential baseline");
    };
    // Saturated: clearly below three quarters of the cores' worth.
    let ideal = f64::from(r.workers);
    let verdict = s.below(0.75 * ideal);
    let sentence = format!(
        "{} workers summed memory {s} times as fast as one{}",
        r.workers,
        match verdict {
            Verdict::Holds => format!(": far from {ideal:.0}, because they share one memory bus."),
            Verdict::DoesNotHold => format!(
                ": close to {ideal:.0}, so this machine's memory keeps up with {} cores at this size.",
                r.workers
            ),
            Verdict::Inconclusive => ": the interval does not decide.".into(),
        }
    );
    Judgement::new(verdict, sentence)
        .with("speedup", s.value)
        .with("workers", ideal)
}

fn amdahl(sets: &[ResultSet], cores: u32) -> Judgement {
    if let Some(j) = needs_cores(cores, "a speedup") {
        return j;
    }
    let Some(r) = sets
        .first()
        .and_then(|s| result_of(s, ModelKind::DynamicPool))
    else {
        return missing("dynamic-pool");
    };
    let Some(s) = Interval::speedup(r) else {
        return missing("the sequential baseline");
    };
    let cap = crate::stats::amdahl_speedup(AMDAHL_SERIAL, f64::from(r.workers));
    let recovered = crate::stats::karp_flatt(s.value, r.workers).unwrap_or(f64::NAN);
    // The cap holds unless the speedup is clearly above it (a tenth of margin for noise).
    let verdict = s.below(cap * FASTER);
    let sentence = format!(
        "With {:.0}% of the work serial, {} workers ran {s} times as fast as one; Amdahl's law caps that at {cap:.2}{} The Karp-Flatt metric puts the serial fraction at {:.2} (the workload's is {AMDAHL_SERIAL}).",
        AMDAHL_SERIAL * 100.0,
        r.workers,
        if verdict == Verdict::DoesNotHold {
            ", and the run beat it."
        } else {
            "."
        },
        recovered
    );
    Judgement::new(verdict, sentence)
        .with("speedup", s.value)
        .with("cap", cap)
        .with("karp_flatt", recovered)
}

/// Tasks delivered out of task order in a result's timeline.
fn out_of_order(r: &crate::result::ModelResult) -> Option<usize> {
    if r.tasks.is_empty() {
        return None;
    }
    Some(
        r.tasks
            .iter()
            .filter(|t| t.delivered_index.is_some_and(|i| i != t.task))
            .count(),
    )
}

fn order(sets: &[ResultSet], _: u32) -> Judgement {
    let (Some(o), Some(c)) = (
        sets.first()
            .and_then(|s| result_of(s, ModelKind::DynamicPool)),
        sets.get(1)
            .and_then(|s| result_of(s, ModelKind::DynamicPool)),
    ) else {
        return missing("dynamic-pool");
    };
    let (Some(oo), Some(co)) = (out_of_order(o), out_of_order(c)) else {
        return Judgement::inconclusive("the timeline was off, so delivery order was not recorded");
    };
    let n = o.tasks.len();
    let verdict = if oo > 0 {
        Verdict::DoesNotHold
    } else if co > 0 {
        Verdict::Holds
    } else {
        Verdict::Inconclusive
    };
    let sentence = match verdict {
        Verdict::Holds => format!(
            "map delivered all {n} results in task order; imap_unordered delivered {co} of {n} out of task order, as they finished."
        ),
        Verdict::DoesNotHold => format!("map delivered {oo} of {n} results out of task order."),
        Verdict::Inconclusive => format!(
            "Both delivered all {n} results in task order: this time the tasks happened to finish in order."
        ),
    };
    Judgement::new(verdict, sentence)
        .with("ordered_out_of_order", oo as f64)
        .with("completion_out_of_order", co as f64)
}

fn thread_startup(sets: &[ResultSet], _: u32) -> Judgement {
    let (Some(t), Some(p)) = (
        sets.first()
            .and_then(|s| result_of(s, ModelKind::ThreadPerTask)),
        sets.get(1)
            .and_then(|s| result_of(s, ModelKind::DynamicPool)),
    ) else {
        return missing("thread-per-task or dynamic-pool");
    };
    let n = sets[0].experiment.workload.n as f64;
    let slower = Interval::ratio(t, p);
    let per_thread = (t.summary.mean - p.summary.mean) / n;
    let verdict = slower.above(2.0);
    let sentence = format!(
        "A thread per task took {slower} times as long as a pool for {n} tiny tasks: about {} to start each thread.",
        crate::stats::human_time(per_thread.max(0.0))
    );
    Judgement::new(verdict, sentence)
        .with("thread_per_task_over_pool", slower.value)
        .with("startup_per_thread_s", per_thread)
}
