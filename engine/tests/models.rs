//! Every model must give the sequential model's answer on every workload it supports.
//!
//! One test body is instantiated for every model, the way tokio instantiates a test per runtime
//! flavour: `model_tests!` below generates a module per model with one test per workload case.
//! Each test runs the case with 1, 2 and 3 workers (sequential: 1 only), a few chunk sizes where
//! the model has them, both delivery orders where it has them, and checks the answer and the
//! per-task records of every run.

#[macro_use]
mod common;
use common::env;

use engine::model::ModelOption;
use engine::spec::{ModelSpec, Order, ParamValue, Schedule, SyncKind, WorkloadSpec};
use engine::{
    Answer, ModelKind, RunConfig, RunEnv, RunError, RunOutcome, WorkerProgram, WorkloadKind,
    run_once,
};

fn int(v: u64) -> ParamValue {
    ParamValue::Int(v)
}

fn text(v: &str) -> ParamValue {
    ParamValue::Text(v.to_string())
}

fn spec(kind: WorkloadKind, n: u64, params: &[(&str, ParamValue)]) -> WorkloadSpec {
    let mut w = WorkloadSpec::new(kind);
    w.set("n", int(n)).expect("n in range");
    for (k, v) in params {
        w.set(k, v.clone()).expect("parameter in range");
    }
    w
}

/// Calls `$callback! { case, ... }` with every workload case: `CASES` and each model's tests come
/// from this one list, so a case cannot be run by `every_workload_has_a_case` yet missing from the
/// models' tests. The cases are small enough for a debug build: odd sizes, several stages, tasks
/// that do not divide evenly among workers.
macro_rules! for_each_case {
    ($callback:ident) => {
        $callback! {
            mandelbrot,
            mandelbrot_one_pixel,
            spectral_norm,
            fannkuch_redux,
            n_body,
            primes,
            primes_tiny,
            square,
            sleep,
            stream_sum,
            stream_triad,
            counter_mutex,
            counter_atomic,
            counter_local_then_reduce,
            counter_racy,
            amdahl,
            amdahl_all_serial,
            amdahl_no_serial,
            philosophers_ordered,
            philosophers_try_lock,
            philosophers_naive_few_workers,
        }
    };
}

macro_rules! case_names {
    ($($case:ident),* $(,)?) => {
        /// The workload cases by name, for [`case`].
        const CASES: &[&str] = &[$(stringify!($case)),*];
    };
}

for_each_case!(case_names);

fn case(name: &str) -> WorkloadSpec {
    use WorkloadKind::*;
    let counter = |variant: &str| {
        spec(
            Counter,
            5_000,
            &[("variant", text(variant)), ("tasks", int(8))],
        )
    };
    let philosophers = |order: &str, count: u64| {
        spec(
            Philosophers,
            6,
            &[
                ("order", text(order)),
                ("philosophers", int(count)),
                ("hold_ms", int(0)),
            ],
        )
    };
    let amdahl = |s: f64| {
        spec(
            Amdahl,
            3,
            &[("serial_fraction", ParamValue::Float(s)), ("tasks", int(3))],
        )
    };
    match name {
        "mandelbrot" => spec(Mandelbrot, 27, &[]),
        "mandelbrot_one_pixel" => spec(Mandelbrot, 1, &[]),
        "spectral_norm" => spec(SpectralNorm, 20, &[("tasks", int(7))]),
        "fannkuch_redux" => spec(FannkuchRedux, 6, &[("tasks", int(7))]),
        "n_body" => spec(NBody, 100, &[]),
        "primes" => spec(Primes, 3_000, &[("tasks", int(13))]),
        "primes_tiny" => spec(Primes, 3, &[("tasks", int(64))]),
        "square" => spec(Square, 200, &[]),
        "sleep" => spec(
            Sleep,
            6,
            &[
                ("latency_ms", int(2)),
                ("jitter_ms", int(2)),
                ("seed", int(7)),
            ],
        ),
        "stream_sum" => spec(
            Stream,
            8_192,
            &[("op", text("sum")), ("passes", int(2)), ("tasks", int(5))],
        ),
        "stream_triad" => spec(
            Stream,
            9_000,
            &[("op", text("triad")), ("passes", int(3)), ("tasks", int(4))],
        ),
        "counter_mutex" => counter("mutex"),
        "counter_atomic" => counter("atomic"),
        "counter_local_then_reduce" => counter("local-then-reduce"),
        "counter_racy" => counter("racy"),
        "amdahl" => amdahl(1.0 / 3.0),
        "amdahl_all_serial" => amdahl(1.0),
        "amdahl_no_serial" => amdahl(0.0),
        "philosophers_ordered" => philosophers("ordered", 4),
        "philosophers_try_lock" => philosophers("try-lock", 4),
        // With at most 3 workers, 4 philosophers never all sit at once: the naive order eats.
        "philosophers_naive_few_workers" => philosophers("naive", 4),
        other => panic!("no case {other}"),
    }
}

fn is_counter_variant(w: &WorkloadSpec, variant: &str) -> bool {
    w.name == WorkloadKind::Counter && w.params.get("variant") == Some(&text(variant))
}

/// The runs a model legitimately refuses: separate processes share no counter and no forks.
fn legitimately_unsupported(model: ModelKind, w: &WorkloadSpec) -> bool {
    model.info().host.own_memory()
        && ((w.name == WorkloadKind::Counter && !is_counter_variant(w, "local-then-reduce"))
            || w.name == WorkloadKind::Philosophers)
}

/// The configurations a model is checked in: every worker count, and its options spread over
/// them so that each worker count sees each chunk size / order / sync / switch interval.
fn configurations(model: ModelKind) -> Vec<(usize, ModelSpec)> {
    let workers: &[usize] = if model == ModelKind::Sequential {
        &[1]
    } else {
        &[1, 2, 3]
    };
    let chunks: &[Option<u64>] = if model.info().chunks.is_some() {
        &[None, Some(1), Some(3)]
    } else {
        &[None]
    };
    let mut out = Vec::new();
    for &w in workers {
        for (i, &chunk) in chunks.iter().enumerate() {
            let mut m = ModelSpec::new(model);
            m.chunk_size = chunk;
            if model.info().order.is_some() {
                m.order = Some([Order::Ordered, Order::Completion][(i + w) % 2]);
            }
            if model == ModelKind::SharedState {
                m.sync = Some([SyncKind::Lock, SyncKind::Atomic][(i + w) % 2]);
            }
            if model.info().option == Some(ModelOption::Schedule) {
                m.schedule = Some([Schedule::Static, Schedule::Dynamic][(i + w) % 2]);
            }
            out.push((w, m.clone()));
            if model == ModelKind::Gil {
                // A short switch interval makes threads trade the GIL mid-task.
                m.switch_interval_ms = Some(0.05);
                out.push((w, m));
            }
        }
    }
    out
}

fn run(model: ModelSpec, workload: &WorkloadSpec, workers: usize) -> Result<RunOutcome, RunError> {
    let cfg = RunConfig {
        workload: workload.clone(),
        model,
        workers,
        timeline: true,
    };
    run_once(&cfg, &env())
}

fn sequential_answer(w: &WorkloadSpec) -> Answer {
    run(ModelSpec::new(ModelKind::Sequential), w, 1)
        .expect("sequential runs every workload")
        .answer
}

fn show(a: &Answer) -> String {
    format!(
        "{} ({} bytes, sha256 {})",
        a.summary,
        a.output.len(),
        a.sha256()
    )
}

/// "counter X\nlost Y\n" with X + Y == n.
fn check_racy(w: &WorkloadSpec, answer: &Answer, what: &str) {
    let text = String::from_utf8(answer.output.clone()).expect("text output");
    let mut lines = text.lines();
    let counted: u64 = lines
        .next()
        .and_then(|l| l.strip_prefix("counter "))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{what}: bad racy output {text:?}"));
    let lost: u64 = lines
        .next()
        .and_then(|l| l.strip_prefix("lost "))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{what}: bad racy output {text:?}"));
    assert_eq!(lines.next(), None, "{what}: bad racy output {text:?}");
    assert!(text.ends_with('\n'), "{what}: bad racy output {text:?}");
    assert_eq!(counted + lost, w.n, "{what}: {text:?}");
    assert!(counted >= 1, "{what}: at least one increment lands");
}

/// The per-task records: one per task per stage, workers in range, times in order, delivery
/// stamps exactly where the model has an order.
fn check_records(
    w: &WorkloadSpec,
    model: &ModelSpec,
    workers: usize,
    out: &RunOutcome,
    what: &str,
) {
    let job = engine::workload::build(w).expect("valid workload");
    let stages = job.stages();
    for r in &out.records.tasks {
        assert!((r.stage as usize) < stages, "{what}: {r:?} has no stage");
        assert!(
            (r.worker as usize) < workers,
            "{what}: {r:?} worker out of range"
        );
        assert!(r.start <= r.end, "{what}: {r:?} ends before it starts");
        assert!(r.start.is_finite() && r.end.is_finite(), "{what}: {r:?}");
        assert!(
            r.wait >= 0.0 && r.wait <= r.end - r.start + 1e-9,
            "{what}: {r:?} waits outside its own span"
        );
        if model.name.info().order.is_some() {
            assert!(
                r.delivered.is_some() && r.delivered_index.is_some(),
                "{what}: {r:?} never delivered"
            );
        } else {
            assert_eq!(
                r.delivered_index, None,
                "{what}: {r:?}: no caller to deliver to"
            );
            assert_eq!(r.delivered, None, "{what}: {r:?}: no caller to deliver to");
        }
    }
    assert!(out.wall >= 0.0, "{what}: negative wall time");
    for stage in 0..stages {
        let tasks = job.tasks(stage);
        let mut of_stage: Vec<_> = out
            .records
            .tasks
            .iter()
            .filter(|r| r.stage as usize == stage)
            .collect();
        assert_eq!(of_stage.len(), tasks, "{what}: stage {stage} record count");
        of_stage.sort_by_key(|r| r.task);
        for (i, r) in of_stage.iter().enumerate() {
            assert_eq!(
                r.task as usize, i,
                "{what}: stage {stage} task ids not 0..{tasks}"
            );
        }
        if let Some(order) = model.order {
            let mut indices: Vec<u32> = of_stage
                .iter()
                .map(|r| r.delivered_index.expect("checked above"))
                .collect();
            if order == Order::Ordered {
                for r in &of_stage {
                    assert_eq!(
                        r.delivered_index,
                        Some(r.task),
                        "{what}: ordered delivery out of task order"
                    );
                }
            }
            // Delivery times follow delivery positions.
            let mut by_index = of_stage.clone();
            by_index.sort_by_key(|r| r.delivered_index);
            for pair in by_index.windows(2) {
                assert!(
                    pair[0].delivered <= pair[1].delivered,
                    "{what}: delivered later but stamped earlier: {:?} {:?}",
                    pair[0],
                    pair[1]
                );
            }
            indices.sort_unstable();
            let expected: Vec<u32> = (0..tasks as u32).collect();
            assert_eq!(
                indices, expected,
                "{what}: delivered_index is not a permutation"
            );
        }
    }
}

/// The one test body: every configuration of `model` on workload case `name`.
fn agrees_with_sequential(model: ModelKind, name: &str) {
    let w = case(name);
    let expected = sequential_answer(&w);
    for (workers, m) in configurations(model) {
        let what = format!("{model} x{workers} {m:?} on {name}");
        let result = run(m.clone(), &w, workers);
        if legitimately_unsupported(model, &w) {
            match result {
                Err(RunError::Unsupported {
                    model: ref mm,
                    workload: ref ww,
                    ref reason,
                }) => {
                    assert_eq!(mm, model.name(), "{what}");
                    assert_eq!(ww, w.name.name(), "{what}");
                    assert!(reason.contains("shared memory"), "{what}: {reason}");
                }
                Err(e) => panic!("{what}: expected Unsupported, got {e}"),
                Ok(out) => panic!("{what}: expected Unsupported, got {}", show(&out.answer)),
            }
            continue;
        }
        let out = result.unwrap_or_else(|e| panic!("{what}: {e}"));
        if is_counter_variant(&w, "racy") {
            check_racy(&w, &out.answer, &what);
            // With one worker (and always on the single-threaded event loop) nothing races.
            if workers == 1 || model == ModelKind::Async {
                assert!(
                    out.answer == expected,
                    "{what}: {} != sequential {}",
                    show(&out.answer),
                    show(&expected)
                );
            }
        } else {
            assert!(
                out.answer == expected,
                "{what}: {} != sequential {}",
                show(&out.answer),
                show(&expected)
            );
        }
        check_records(&w, &m, workers, &out, &what);
    }
}

fn timeline_off_agrees(model: ModelKind, name: &str) {
    let w = case(name);
    let expected = sequential_answer(&w);
    let job = engine::workload::build(&w).expect("builds");
    let total: u64 = (0..job.stages()).map(|s| job.tasks(s) as u64).sum();
    for (workers, m) in configurations(model) {
        let what = format!("{model} x{workers} {m:?} on {name}, timeline off");
        let cfg = RunConfig {
            workload: w.clone(),
            model: m,
            workers,
            timeline: false,
        };
        let out = run_once(&cfg, &env()).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(out.answer == expected, "{what}: {}", show(&out.answer));
        assert!(out.records.tasks.is_empty(), "{what}: records kept");
        assert_eq!(out.records.count(), total, "{what}: tasks counted");
        assert!(
            out.records.per_worker.len() <= workers,
            "{what}: worker out of range: {:?}",
            out.records.per_worker
        );
    }
}

/// One test per case, run by [`agrees_with_sequential`] with the enclosing module's `MODEL`.
macro_rules! case_tests {
    ($($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                agrees_with_sequential(MODEL, stringify!($case));
            }
        )*
    };
}

macro_rules! model_tests {
    ($($module:ident => $model:expr),* $(,)?) => {
        /// The models the macro was instantiated for, in order.
        const INSTANTIATED: &[ModelKind] = &[$($model),*];

        $(
            mod $module {
                use super::*;

                const MODEL: ModelKind = $model;

                for_each_case!(case_tests);

                /// Without the timeline: the same answer, no records, every task counted once
                /// against a worker in range, on a multi-stage workload and a tiny-task one.
                #[test]
                fn timeline_off() {
                    for name in ["spectral_norm", "square"] {
                        timeline_off_agrees(MODEL, name);
                    }
                }

                /// Results of the same configuration are the same on every run (racy aside).
                #[test]
                fn repeatable() {
                    let w = case("primes");
                    let (workers, m) = configurations(MODEL).pop().expect("a configuration");
                    let a = run(m.clone(), &w, workers).expect("runs").answer;
                    let b = run(m, &w, workers).expect("runs").answer;
                    assert_eq!(a, b);
                    assert_eq!(a.output, b"430\n", "pi(3000) = 430");
                }
            }
        )*
    };
}

for_each_model!(model_tests);

#[test]
fn every_model_is_instantiated() {
    let mut models = INSTANTIATED.to_vec();
    models.sort();
    models.dedup();
    assert_eq!(models, ModelKind::ALL.to_vec());
}

#[test]
fn every_workload_has_a_case() {
    let mut kinds: Vec<WorkloadKind> = CASES.iter().map(|c| case(c).name).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, WorkloadKind::ALL.to_vec());
    for variant in ["mutex", "atomic", "local-then-reduce", "racy"] {
        assert!(
            CASES.iter().any(|c| is_counter_variant(&case(c), variant)),
            "no case for counter variant {variant}"
        );
    }
}

#[test]
fn sequential_refuses_more_than_one_worker() {
    let err = run(ModelSpec::new(ModelKind::Sequential), &case("square"), 2).unwrap_err();
    assert!(
        matches!(&err, RunError::Unsupported { model, .. } if model == "sequential"),
        "{err:?}"
    );
}

#[test]
fn process_pool_needs_a_worker_program() {
    let cfg = RunConfig {
        workload: case("square"),
        model: ModelSpec::new(ModelKind::ProcessPool),
        workers: 2,
        timeline: true,
    };
    let err = run_once(&cfg, &RunEnv::default()).unwrap_err();
    assert!(
        matches!(&err, RunError::Unsupported { reason, .. } if reason.contains("worker program")),
        "{err:?}"
    );
}

#[test]
fn process_pool_reports_a_missing_program() {
    let cfg = RunConfig {
        workload: case("square"),
        model: ModelSpec::new(ModelKind::ProcessPool),
        workers: 2,
        timeline: true,
    };
    let env = RunEnv {
        worker_program: Some(WorkerProgram {
            program: "/nonexistent/engine-worker".into(),
            args: vec![],
        }),
        ..RunEnv::default()
    };
    let err = run_once(&cfg, &env).unwrap_err();
    assert!(matches!(err, RunError::Spawn(_)), "{err:?}");
}

#[test]
fn thread_per_task_refuses_more_threads_than_its_limit() {
    let w = spec(
        WorkloadKind::Square,
        engine::limits::MAX_THREAD_PER_TASK_TASKS + 1,
        &[],
    );
    let err = run(ModelSpec::new(ModelKind::ThreadPerTask), &w, 2).unwrap_err();
    assert!(
        matches!(&err, RunError::Unsupported { model, .. } if model == "thread-per-task"),
        "{err:?}"
    );
}

#[test]
fn the_worker_program_answers_on_its_pipes() {
    // The worker binary alone: a bad request gets an error reply, and closing stdin ends it.
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_engine-worker"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("engine-worker starts");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(b"not json\n")
        .expect("writes");
    let out = child.wait_with_output().expect("ends when stdin closes");
    assert!(out.status.success(), "{:?}", out.status);
    let text = String::from_utf8(out.stdout).expect("text replies");
    assert!(text.contains("bad request"), "{text}");
}
