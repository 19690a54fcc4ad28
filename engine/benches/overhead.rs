//! Per-task overhead of every model: `square` (about a nanosecond of work per task) with
//! 10 000 tasks on 2 workers, so the time is what the model costs per task: queueing, waking
//! threads, serializing, collecting. Throughput is in elements, so criterion reports the time per
//! task.
//!
//! The time measured is the run's own `wall` (the stages, as the playground reports them), not
//! building the job or computing the answer. For process-pool it includes starting the worker
//! processes, as `Pool(...)` + `map` does.
//!
//! process-pool needs the `engine-worker` binary; `cargo bench` builds it next to the bench
//! executable. Where it cannot be found, process-pool is skipped with a note.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use engine::spec::{ModelSpec, ParamValue, WorkloadSpec};
use engine::{ModelKind, RunConfig, RunEnv, WorkerProgram, WorkloadKind, run_once};

const TASKS: u64 = 10_000;
const WORKERS: usize = 2;

/// The `engine-worker` binary: from Cargo where it says, else beside this executable
/// (`target/<profile>/deps/overhead-<hash>` next to `target/<profile>/engine-worker`).
fn worker_program() -> Option<WorkerProgram> {
    let name = format!("engine-worker{}", std::env::consts::EXE_SUFFIX);
    let from_cargo = option_env!("CARGO_BIN_EXE_engine-worker").map(PathBuf::from);
    let exe = std::env::current_exe().ok();
    let beside = exe
        .as_deref()
        .and_then(|e| e.parent())
        .into_iter()
        .flat_map(|dir| {
            [Some(dir.join(&name)), dir.parent().map(|p| p.join(&name))]
                .into_iter()
                .flatten()
        });
    from_cargo
        .into_iter()
        .chain(beside)
        .find(|p| p.is_file())
        .map(|program| WorkerProgram {
            program,
            args: vec![],
        })
}

fn config(model: ModelKind) -> RunConfig {
    let mut workload = WorkloadSpec::new(WorkloadKind::Square);
    workload
        .set("n", ParamValue::Int(TASKS))
        .expect("n in range");
    RunConfig {
        workload,
        model: ModelSpec::new(model),
        workers: if model == ModelKind::Sequential {
            1
        } else {
            WORKERS
        },
        timeline: true,
    }
}

fn overhead(c: &mut Criterion) {
    let env = RunEnv {
        worker_program: worker_program(),
        ..RunEnv::default()
    };
    let expected = run_once(&config(ModelKind::Sequential), &env)
        .expect("sequential runs")
        .answer;
    let mut group = c.benchmark_group("square-10k-per-task");
    group
        .throughput(Throughput::Elements(TASKS))
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for &model in ModelKind::ALL {
        if model == ModelKind::ProcessPool && env.worker_program.is_none() {
            eprintln!(
                "note: skipping process-pool: no engine-worker binary found beside {:?} \
                 (build it with `cargo build --release -p engine --bin engine-worker`)",
                std::env::current_exe().ok()
            );
            continue;
        }
        let cfg = config(model);
        // Check once that the model computes what it is timed computing.
        let first = run_once(&cfg, &env).unwrap_or_else(|e| panic!("{model}: {e}"));
        assert_eq!(first.answer, expected, "{model} gives another answer");
        group.bench_function(BenchmarkId::from_parameter(model.name()), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let out = run_once(&cfg, &env).unwrap_or_else(|e| panic!("{model}: {e}"));
                    total += Duration::from_secs_f64(out.wall);
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
