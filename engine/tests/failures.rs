//! Failures are reported, promptly, and cleaned up: a task that panics, a worker process that
//! exits or is killed, a run cancelled from outside. After each, the next run works and no
//! worker process is left behind.

#[macro_use]
mod common;
use common::env;

use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};

use engine::spec::{Fault, FaultKind, ModelSpec, Order, ParamValue, WorkloadSpec};
use engine::{ModelKind, RunConfig, RunEnv, RunError, RunOutcome, WorkloadKind, run_once};

/// Serializes the tests that start worker processes, so that one test's scan of this process's
/// children never sees another's workers.
static PROCESSES: Mutex<()> = Mutex::new(());

fn processes_lock() -> MutexGuard<'static, ()> {
    PROCESSES.lock().unwrap_or_else(|e| e.into_inner())
}

const WORKER_EXE: &str = env!("CARGO_BIN_EXE_engine-worker");

fn workload(kind: WorkloadKind, n: u64, params: &[(&str, u64)]) -> WorkloadSpec {
    let mut w = WorkloadSpec::new(kind);
    w.set("n", ParamValue::Int(n)).unwrap();
    for (k, v) in params {
        w.set(k, ParamValue::Int(*v)).unwrap();
    }
    w
}

/// pi(20000) = 2262, in 16 tasks.
fn primes() -> WorkloadSpec {
    workload(WorkloadKind::Primes, 20_000, &[("tasks", 16)])
}

/// `n` tasks waiting `ms` each.
fn sleep(n: u64, ms: u64) -> WorkloadSpec {
    workload(
        WorkloadKind::Sleep,
        n,
        &[("latency_ms", ms), ("jitter_ms", 0)],
    )
}

fn workers_for(model: ModelKind) -> usize {
    if model == ModelKind::Sequential { 1 } else { 2 }
}

fn config(model: ModelSpec, workload: WorkloadSpec) -> RunConfig {
    RunConfig {
        workers: workers_for(model.name),
        workload,
        model,
        timeline: true,
    }
}

/// Runs on another thread and fails the test if the run does not end within `limit`.
fn run_within(cfg: &RunConfig, env: &RunEnv, limit: Duration) -> Result<RunOutcome, RunError> {
    let (tx, rx) = mpsc::channel();
    let (cfg, env) = (cfg.clone(), env.clone());
    std::thread::spawn(move || {
        let _ = tx.send(run_once(&cfg, &env));
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("the run did not end within {limit:?}: it hangs"))
}

/// A child of this process, as /proc shows it.
#[derive(Debug)]
struct Child {
    pid: u32,
    state: char,
    comm: String,
}

/// The children of this process that run the worker program, zombies included.
fn worker_children() -> Vec<Child> {
    let me = std::process::id();
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc is readable") {
        let Ok(entry) = entry else { continue };
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        // The process may end between listing and reading: skip it then.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let mut rest = stat[close + 1..].split_whitespace();
        let state = rest.next().and_then(|s| s.chars().next()).unwrap_or('?');
        let ppid: u32 = rest.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        if ppid != me {
            continue;
        }
        // A zombie has no exe link left; its comm still names it.
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
        let is_worker = comm == "engine-worker"
            || exe.is_some_and(|e| e.file_name().is_some_and(|f| f == "engine-worker"));
        if is_worker {
            out.push(Child { pid, state, comm });
        }
    }
    out
}

/// No worker process outlived its run: none alive, none a zombie. Only meaningful while holding
/// [`PROCESSES`], which every test that starts workers holds.
fn assert_no_worker_children(when: &str) {
    assert!(
        PROCESSES.try_lock().is_err(),
        "{when}: checking for children without holding the process lock"
    );
    let children = worker_children();
    assert!(
        children.is_empty(),
        "{when}: worker processes left behind: {children:?}"
    );
}

/// The next run, without a fault, works and gives the right answer.
fn assert_next_run_works(model: ModelKind) {
    let cfg = config(ModelSpec::new(model), primes());
    let out = run_within(&cfg, &env(), Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("{model}: the run after a failure failed: {e}"));
    assert_eq!(out.answer.output, b"2262\n", "{model}");
}

/// The model specs a fault is injected into: the default, and where they exist chunk size 1 and
/// completion order.
fn fault_configs(model: ModelKind) -> Vec<ModelSpec> {
    let mut out = vec![ModelSpec::new(model)];
    if model.info().chunks.is_some() || model.info().order.is_some() {
        let mut m = ModelSpec::new(model);
        if model.info().chunks.is_some() {
            m.chunk_size = Some(1);
        }
        if model.info().order.is_some() {
            m.order = Some(Order::Completion);
        }
        out.push(m);
    }
    out
}

/// A task that panics fails the whole run with TaskPanicked naming it, without hanging.
fn panicking_task_fails_the_run(model: ModelKind) {
    let _guard = (model == ModelKind::ProcessPool).then(processes_lock);
    for mut m in fault_configs(model) {
        m.fault = Some(Fault {
            task: 3,
            kind: FaultKind::Panic,
        });
        let what = format!("{m:?}");
        let started = Instant::now();
        let err = run_within(&config(m, primes()), &env(), Duration::from_secs(30))
            .err()
            .unwrap_or_else(|| panic!("{what}: a panicking task went unnoticed"));
        match &err {
            RunError::TaskPanicked {
                stage: 0,
                task: 3,
                message,
            } => assert!(
                message.contains("fault injected into task 3"),
                "{what}: {message}"
            ),
            other => panic!("{what}: expected TaskPanicked in task 3, got {other:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what}: took {:?} to report",
            started.elapsed()
        );
        if model == ModelKind::ProcessPool {
            assert_no_worker_children(&what);
        }
    }
    assert_next_run_works(model);
    if model == ModelKind::ProcessPool {
        assert_no_worker_children("after the next run");
    }
}

/// A fault aimed at a task the workload does not have never fires.
fn fault_beyond_the_last_task_is_harmless(model: ModelKind) {
    let _guard = (model == ModelKind::ProcessPool).then(processes_lock);
    let mut m = ModelSpec::new(model);
    m.fault = Some(Fault {
        task: 16,
        kind: FaultKind::Panic,
    });
    let out = run_within(&config(m, primes()), &env(), Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("{model}: {e}"));
    assert_eq!(out.answer.output, b"2262\n");
}

/// Cancelling from another thread ends the run quickly with Cancelled.
fn cancel_stops_the_run(model: ModelKind) {
    let _guard = (model == ModelKind::ProcessPool).then(processes_lock);
    // 80 x 25 ms: 2 s sequentially, 1 s on two workers.
    let cfg = config(ModelSpec::new(model), sleep(80, 25));
    let env = env();
    let cancel = env.control.cancel.clone();
    let tasks_done = env.control.tasks_done.clone();
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    {
        let (cfg, env) = (cfg.clone(), env.clone());
        std::thread::spawn(move || {
            let _ = tx.send(run_once(&cfg, &env));
        });
    }
    std::thread::sleep(Duration::from_millis(200));
    cancel.store(true, Ordering::Relaxed);
    let cancelled_at = Instant::now();
    let result = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("{model}: a cancelled run did not end"));
    let reaction = cancelled_at.elapsed();
    match result {
        Err(RunError::Cancelled) => {}
        Err(e) => panic!("{model}: expected Cancelled, got {e:?}"),
        Ok(out) => panic!(
            "{model}: a cancelled run completed ({} tasks, {:.3} s)",
            out.records.tasks.len(),
            out.wall
        ),
    }
    assert!(
        reaction < Duration::from_millis(800),
        "{model}: took {reaction:?} to stop after cancel"
    );
    assert!(started.elapsed() < Duration::from_secs(2), "{model}");
    let done = tasks_done.load(Ordering::Relaxed);
    assert!(
        done < 80,
        "{model}: {done} of 80 tasks ran despite the cancel"
    );
    if model == ModelKind::ProcessPool {
        assert_no_worker_children(&format!("{model} after cancel"));
    }

    // Cancelled before it starts: nothing runs.
    let env = self::env();
    env.control.cancel.store(true, Ordering::Relaxed);
    let r = run_within(&cfg, &env, Duration::from_secs(10));
    assert!(
        matches!(r, Err(RunError::Cancelled)),
        "{model}: pre-cancelled run: {:?}",
        r.map(|o| o.answer.summary)
    );
    assert!(
        env.control.tasks_done.load(Ordering::Relaxed) <= 2,
        "{model}"
    );
    if model == ModelKind::ProcessPool {
        assert_no_worker_children(&format!("{model} after a pre-cancelled run"));
    }
}

/// A task that never returns is stopped from outside, as the page's Stop and the runner's
/// `--timeout` do it: cancel, then read the journal. The partial result keeps the finished
/// baseline whole, and the cut-short run's finished tasks and the stuck task in flight.
fn stuck_task_leaves_a_partial_timeline(model: ModelKind) {
    let _guard = (model == ModelKind::ProcessPool).then(processes_lock);
    const STUCK: u32 = 5;
    let mut exp = engine::Experiment::new(WorkloadKind::Sleep, model, workers_for(model) as u32);
    exp.workload = sleep(16, 10);
    exp.repetitions = engine::Repetitions::Fixed(1);
    exp.warmups = 0;
    exp.model.fault = Some(Fault {
        task: u64::from(STUCK),
        kind: FaultKind::Hang,
    });
    let exp = exp.validate().unwrap();
    let env = env();
    let (tx, rx) = mpsc::channel();
    {
        let (exp, env) = (exp.clone(), env.clone());
        // Left behind if the stuck task is on a thread: nothing can end it but the process.
        std::thread::spawn(move || {
            let _ = tx.send(engine::run_experiment(&exp, &env, &mut |_| {}));
        });
    }
    // Wait until the stuck task is running and the rest has settled (the other worker, if any,
    // ran out of tasks or is blocked behind the stuck one).
    let journal = env.control.journal.clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    let (mut last, mut stable_since) = (u64::MAX, Instant::now());
    loop {
        assert!(
            Instant::now() < deadline,
            "{model}: never settled on the stuck task"
        );
        let p = journal.partial(&exp, "probe");
        let stopped = p.partial.and_then(|p| p.stopped);
        if let Some(s) = stopped.filter(|s| {
            s.in_flight
                .iter()
                .any(|f| f.stage == 0 && f.task <= STUCK && STUCK < f.end)
        }) {
            if s.tasks_done != last {
                (last, stable_since) = (s.tasks_done, Instant::now());
            } else if stable_since.elapsed() > Duration::from_millis(300) {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    env.control.cancel.store(true, Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(300));
    let results = journal.partial(&exp, "stopped");
    let partial = results.partial.as_ref().expect("marked partial");
    assert_eq!(partial.reason, "stopped");
    // The baseline (the run itself, for sequential) finished before the stuck run and is kept
    // whole.
    if model == ModelKind::Sequential {
        assert!(results.results.is_empty());
    } else {
        assert_eq!(results.results.len(), 1, "{model}");
        assert_eq!(results.results[0].model, ModelKind::Sequential);
        assert_eq!(results.results[0].verified, Some(true));
        assert_eq!(
            results.results[0].answer.summary,
            "16 waits, 160.000 ms in total"
        );
    }
    let s = partial.stopped.as_ref().expect("the stuck run is reported");
    assert_eq!((s.model, s.run, s.runs, s.warmup), (model, 1, 1, false));
    let stuck = s
        .in_flight
        .iter()
        .find(|f| f.task <= STUCK && STUCK < f.end)
        .unwrap_or_else(|| panic!("{model}: the stuck task is not in flight: {s:?}"));
    let since = stuck.since.expect("known with the timeline on");
    assert!(
        since >= 0.0 && since <= s.elapsed,
        "{model}: {since} vs {}",
        s.elapsed
    );
    assert!((stuck.worker as usize) < workers_for(model), "{model}");
    // Every finished task is in the timeline, once, and the stuck one is not.
    assert!(
        s.tasks_done > 0 && s.tasks_done < 16,
        "{model}: {}",
        s.tasks_done
    );
    assert_eq!(s.tasks.len() as u64, s.tasks_done, "{model}");
    let mut seen: Vec<u32> = s.tasks.iter().map(|t| t.task).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), s.tasks.len(), "{model}: a task recorded twice");
    assert!(!seen.contains(&STUCK), "{model}: the stuck task finished?");
    for t in &s.tasks {
        assert!(
            t.start <= t.end && t.end <= s.elapsed,
            "{model}: record outside the run: {t:?}"
        );
    }
    let counted: u64 = s.worker_stats.iter().map(|w| w.tasks).sum();
    assert_eq!(counted, s.tasks_done, "{model}");
    if model == ModelKind::ProcessPool {
        // The coordinator is not stuck: it sees the cancel and ends the worker processes.
        let r = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("a cancelled process pool ends");
        assert!(matches!(r, Err(RunError::Cancelled)), "{:?}", r.map(|_| ()));
        assert_no_worker_children("after stopping a stuck process pool");
    } else {
        assert!(
            rx.try_recv().is_err(),
            "{model}: a stuck run ended by itself"
        );
    }
}

macro_rules! failure_tests {
    ($($module:ident => $model:expr),* $(,)?) => {
        const INSTANTIATED: &[ModelKind] = &[$($model),*];

        $(
            mod $module {
                use super::*;

                const MODEL: ModelKind = $model;

                #[test]
                fn panicking_task_fails_the_run() {
                    super::panicking_task_fails_the_run(MODEL);
                }

                #[test]
                fn fault_beyond_the_last_task_is_harmless() {
                    super::fault_beyond_the_last_task_is_harmless(MODEL);
                }

                #[test]
                fn cancel_stops_the_run() {
                    super::cancel_stops_the_run(MODEL);
                }

                #[test]
                fn stuck_task_leaves_a_partial_timeline() {
                    super::stuck_task_leaves_a_partial_timeline(MODEL);
                }
            }
        )*
    };
}

for_each_model!(failure_tests);

#[test]
fn every_model_is_instantiated() {
    let mut models = INSTANTIATED.to_vec();
    models.sort();
    assert_eq!(models, ModelKind::ALL.to_vec());
}

// ---------------------------------------------------------------------------------------------
// Worker processes that die.

fn expect_crash(result: Result<RunOutcome, RunError>, what: &str) -> (usize, String) {
    match result {
        Err(RunError::WorkerCrashed { worker, reason }) => (worker, reason),
        Err(e) => panic!("{what}: expected WorkerCrashed, got {e:?}"),
        Ok(out) => panic!("{what}: the run completed: {}", out.answer.summary),
    }
}

#[test]
fn worker_that_exits_is_reported_with_its_status() {
    let _guard = processes_lock();
    // One chunk holds every task, so the worker dies with nothing more sent to it: the pipe
    // closing is how the parent learns of it.
    let mut m = ModelSpec::new(ModelKind::ProcessPool);
    m.chunk_size = Some(16);
    m.fault = Some(Fault {
        task: 3,
        kind: FaultKind::Exit,
    });
    let started = Instant::now();
    let (worker, reason) = expect_crash(
        run_within(&config(m, primes()), &env(), Duration::from_secs(30)),
        "exit fault",
    );
    assert!(worker < 2, "{worker}");
    assert!(
        reason.contains("exited with status 3"),
        "the reason names the exit status: {reason}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_no_worker_children("after a worker exited");
    assert_next_run_works(ModelKind::ProcessPool);
    assert_no_worker_children("after the next run");
}

#[test]
fn worker_that_exits_between_chunks_is_reported() {
    let _guard = processes_lock();
    // Small chunks: the parent may be sending the dying worker its next chunk as it exits.
    // Whichever it notices first, the run fails as a crash of that worker.
    for chunk in [1, 2] {
        let mut m = ModelSpec::new(ModelKind::ProcessPool);
        m.chunk_size = Some(chunk);
        m.fault = Some(Fault {
            task: 3,
            kind: FaultKind::Exit,
        });
        let (_, reason) = expect_crash(
            run_within(&config(m, primes()), &env(), Duration::from_secs(30)),
            "exit fault",
        );
        assert!(
            reason.contains("exited with status 3") || reason.contains("input pipe closed"),
            "chunk {chunk}: {reason}"
        );
        assert_no_worker_children("after a worker exited");
    }
}

#[test]
fn worker_killed_from_outside_is_reported() {
    let _guard = processes_lock();
    assert_no_worker_children("before the run");
    // 40 x 50 ms on 2 workers: about 1 s, in chunks of 5 tasks (250 ms).
    let cfg = config(ModelSpec::new(ModelKind::ProcessPool), sleep(40, 50));
    let env = env();
    let tasks_done = env.control.tasks_done.clone();
    let (tx, rx) = mpsc::channel();
    {
        let (cfg, env) = (cfg.clone(), env.clone());
        std::thread::spawn(move || {
            let _ = tx.send(run_once(&cfg, &env));
        });
    }
    // Wait until both workers run and the first chunk is back, then kill one.
    let deadline = Instant::now() + Duration::from_secs(20);
    let victim = loop {
        let children = worker_children();
        if children.len() == 2 && tasks_done.load(Ordering::Relaxed) > 0 {
            break children[0].pid;
        }
        assert!(
            Instant::now() < deadline,
            "workers never started: {children:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let status = std::process::Command::new("kill")
        .args(["-9", &victim.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -9 {victim}: {status}");
    let killed_at = Instant::now();
    let result = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the run ends after its worker was killed");
    let (_, reason) = expect_crash(result, "killed worker");
    assert!(
        reason.contains("signal 9"),
        "the reason names the signal: {reason}"
    );
    assert!(
        killed_at.elapsed() < Duration::from_secs(3),
        "noticed after {:?}",
        killed_at.elapsed()
    );
    // The other worker was killed and reaped with the pool; the victim was reaped too.
    assert_no_worker_children("after a worker was killed");
    assert_next_run_works(ModelKind::ProcessPool);
    assert_no_worker_children("after the next run");
}

#[test]
fn worker_children_are_found_while_they_run() {
    // The /proc scan above must see live workers, or "none left" would prove nothing.
    let _guard = processes_lock();
    let mut child = std::process::Command::new(WORKER_EXE)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("engine-worker starts");
    let found = worker_children();
    assert!(
        found
            .iter()
            .any(|c| c.pid == child.id() && c.comm == "engine-worker" && c.state != 'Z'),
        "{found:?}"
    );
    drop(child.stdin.take());
    let status = child.wait().expect("ends when its input closes");
    assert!(status.success());
    assert_no_worker_children("after wait");
}
