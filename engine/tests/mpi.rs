//! What is particular to the mpi model, over ranks that are threads of this process
//! ([`LocalRanks`]): the static schedule's deal, rank 0's share of the work, the hosts, and a
//! run after a failed one on the same ranks. `models.rs` checks every workload's answer under
//! both schedules, and native-runner's `tests/mpi.rs` the same under a real `mpirun`.

use engine::model::mpi::{LocalRanks, RankInfo, describe, job_cores, shutdown};
use engine::spec::{Fault, FaultKind, ModelSpec, ParamValue, Schedule, WorkloadSpec};
use engine::{ModelKind, RunConfig, RunEnv, RunError, WorkloadKind, run_once};
use std::time::Duration;

fn square(n: u64) -> WorkloadSpec {
    let mut w = WorkloadSpec::new(WorkloadKind::Square);
    w.set("n", ParamValue::Int(n)).unwrap();
    w
}

fn config(schedule: Schedule, chunk: u64, workers: usize, n: u64) -> RunConfig {
    let mut model = ModelSpec::new(ModelKind::Mpi);
    model.schedule = Some(schedule);
    model.chunk_size = Some(chunk);
    RunConfig {
        workload: square(n),
        model,
        workers,
        timeline: true,
    }
}

fn env(ranks: usize) -> RunEnv {
    RunEnv {
        ranks: Some(LocalRanks::start(ranks)),
        ..RunEnv::default()
    }
}

#[test]
fn static_deals_every_chunk_round_robin_before_the_run() {
    let out = run_once(&config(Schedule::Static, 2, 3, 24), &env(3)).unwrap();
    assert_eq!(out.records.tasks.len(), 24);
    for r in &out.records.tasks {
        assert_eq!(
            r.worker,
            (r.task / 2) % 3,
            "task {} on worker {}",
            r.task,
            r.worker
        );
    }
    assert_eq!(
        out.hosts.as_deref(),
        Some(
            &[
                "localhost".to_string(),
                "localhost".into(),
                "localhost".into()
            ][..]
        )
    );
}

#[test]
fn rank_0_works_too_and_every_rank_gets_work() {
    for schedule in [Schedule::Static, Schedule::Dynamic] {
        let out = run_once(&config(schedule, 1, 3, 300), &env(3)).unwrap();
        let mut used: Vec<u32> = out.records.tasks.iter().map(|r| r.worker).collect();
        used.sort_unstable();
        used.dedup();
        assert_eq!(used, [0, 1, 2], "{schedule:?}");
    }
}

#[test]
fn fewer_workers_than_ranks_use_the_first_ranks() {
    let out = run_once(&config(Schedule::Dynamic, 1, 2, 50), &env(3)).unwrap();
    assert!(out.records.tasks.iter().all(|r| r.worker < 2));
    assert_eq!(out.hosts.map(|h| h.len()), Some(2));
}

#[test]
fn more_workers_than_ranks_are_refused_with_what_to_start() {
    let err = run_once(&config(Schedule::Dynamic, 1, 3, 50), &env(2)).unwrap_err();
    match err {
        RunError::Unsupported { reason, .. } => {
            assert!(reason.contains("run `mpirun -np 3 "), "{reason}")
        }
        e => panic!("expected Unsupported, got {e:?}"),
    }
}

#[test]
fn without_ranks_the_model_says_it_needs_a_launcher() {
    let err = run_once(&config(Schedule::Dynamic, 1, 2, 50), &RunEnv::default()).unwrap_err();
    assert!(
        matches!(&err, RunError::Unsupported { reason, .. } if reason.contains("mpirun -np 2")),
        "{err:?}"
    );
}

/// A run that fails while the other ranks still have chunks queued leaves replies behind; the
/// next run on the same ranks must not take them for its own (each run has its own number).
#[test]
fn a_run_after_a_failed_one_on_the_same_ranks_is_correct() {
    let env = env(3);
    let mut failing = config(Schedule::Static, 1, 3, 600);
    failing.model.fault = Some(Fault {
        task: 1,
        kind: FaultKind::Panic,
    });
    let err = run_once(&failing, &env).unwrap_err();
    assert!(
        matches!(err, RunError::TaskPanicked { task: 1, .. }),
        "{err:?}"
    );
    let ok = config(Schedule::Static, 1, 3, 600);
    for _ in 0..3 {
        let out = run_once(&ok, &env).unwrap();
        let expected = run_once(
            &RunConfig {
                model: ModelSpec::new(ModelKind::Sequential),
                workers: 1,
                ..ok.clone()
            },
            &RunEnv::default(),
        )
        .unwrap();
        assert_eq!(out.answer, expected.answer);
        assert_eq!(out.records.tasks.len(), 600);
    }
}

#[test]
fn ranks_describe_themselves_and_end_when_told() {
    let ranks = LocalRanks::start(3);
    let me = RankInfo {
        rank: 0,
        host: "localhost".into(),
        cores: 2,
        host_cores: Some(2),
        cpus: vec![0, 1],
    };
    let all = describe(&*ranks, me, Duration::from_secs(10)).unwrap();
    assert_eq!(all.iter().map(|r| r.rank).collect::<Vec<_>>(), [0, 1, 2]);
    assert!(
        shutdown(&*ranks, Duration::from_secs(10)),
        "every rank said goodbye"
    );
}

#[test]
fn the_jobs_cores_are_each_hosts_cores_at_most() {
    let rank = |rank, host: &str, cores, host_cores| RankInfo {
        rank,
        host: host.into(),
        cores,
        host_cores,
        cpus: Vec::new(),
    };
    // Three ranks unbound on one 2-core host: 2 cores, not 6.
    let one_host = [
        rank(0, "a", 2, Some(2)),
        rank(1, "a", 2, Some(2)),
        rank(2, "a", 2, Some(2)),
    ];
    assert_eq!(job_cores(&one_host), 2);
    // Bound to one core each on two hosts.
    let two_hosts = [
        rank(0, "a", 1, Some(8)),
        rank(1, "a", 1, Some(8)),
        rank(2, "b", 1, Some(8)),
    ];
    assert_eq!(job_cores(&two_hosts), 3);
    assert_eq!(job_cores(&[rank(0, "a", 4, None)]), 4);
    // Unbound ranks in a container limited to CPUs 0 and 1 of a 64-core host share that mask:
    // 2 cores, not 3 x 2.
    let masked = |r| RankInfo {
        cpus: vec![0, 1],
        ..rank(r, "a", 2, Some(64))
    };
    assert_eq!(job_cores(&[masked(0), masked(1), masked(2)]), 2);
    // Bound to CPUs 0 and 1, one each.
    let bound = |r: usize| RankInfo {
        cpus: vec![r as u32],
        ..rank(r, "a", 1, Some(64))
    };
    assert_eq!(job_cores(&[bound(0), bound(1)]), 2);
}

/// The run's clock starts after the barrier, and every rank's records are on that clock: the
/// first task's result is delivered right after it ends, though each rank spent a whole job
/// build (here a 128 MiB buffer) before the barrier. A record left on the clock from before the
/// barrier would end a build earlier than its delivery.
#[test]
fn records_are_on_the_clock_that_starts_after_the_barrier() {
    let mut w = WorkloadSpec::new(WorkloadKind::Stream);
    w.set("n", ParamValue::Int(1 << 27)).unwrap();
    w.set("passes", ParamValue::Int(1)).unwrap();
    w.set("tasks", ParamValue::Int(8)).unwrap();
    let built = std::time::Instant::now();
    drop(engine::workload::build(&w).unwrap());
    let build = built.elapsed().as_secs_f64();
    assert!(build > 0.01, "a build long enough to see: {build} s");
    let mut model = ModelSpec::new(ModelKind::Mpi);
    model.chunk_size = Some(1);
    let cfg = RunConfig {
        workload: w,
        model,
        workers: 2,
        timeline: true,
    };
    let out = run_once(&cfg, &env(2)).unwrap();
    let first = out
        .records
        .tasks
        .iter()
        .find(|r| r.task == 0)
        .expect("task 0");
    let delivered = first.delivered.expect("ordered delivery is recorded");
    assert!(first.end <= delivered, "{first:?}");
    assert!(
        delivered - first.end < build / 2.0,
        "task 0 ended {} s before its delivery; a build takes {build} s",
        delivered - first.end
    );
    for r in &out.records.tasks {
        assert!(
            r.start >= 0.0 && r.end <= out.wall,
            "{r:?} in a run of {} s",
            out.wall
        );
    }
}
