//! The mpi model under a real launcher: Open MPI's `mpirun` starts this package's binary as 2 or
//! 3 ranks (oversubscribed where the machine has fewer cores). Built only with the `mpi` feature
//! (`cargo test -p native-runner --features mpi --test mpi`); `scripts/setup-mpi.sh` installs
//! Open MPI. Every job is bounded in time twice: `MPIEXEC_TIMEOUT` for the launcher, and the
//! test's own timeout for the launcher process.
#![cfg(feature = "mpi")]

use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

/// How long any one job may take before the launcher ends it.
const JOB_SECONDS: u64 = 60;

fn mpirun(np: usize) -> Command {
    let mut cmd = Command::new("mpirun");
    cmd.args(["-np", &np.to_string()])
        // Running as root (containers, CI) and more ranks than cores are refused by default.
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
        .env("MPIEXEC_TIMEOUT", JOB_SECONDS.to_string())
        .timeout(Duration::from_secs(JOB_SECONDS + 30))
        .arg(env!("CARGO_BIN_EXE_native-runner"));
    cmd
}

fn runner() -> Command {
    Command::cargo_bin("native-runner").expect("binary is built")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// One small case of every workload: its name and `run` arguments.
const CASES: &[(&str, &[&str])] = &[
    ("mandelbrot", &["--n", "64"]),
    ("spectral-norm", &["--n", "40", "--set", "tasks=7"]),
    ("fannkuch-redux", &["--n", "7", "--set", "tasks=7"]),
    ("n-body", &["--n", "1000"]),
    ("primes", &["--n", "30000", "--set", "tasks=13"]),
    ("square", &["--n", "500"]),
    (
        "sleep",
        &["--n", "8", "--set", "latency_ms=2", "--set", "jitter_ms=2"],
    ),
    (
        "stream",
        &["--n", "65536", "--set", "passes=2", "--set", "tasks=5"],
    ),
    (
        "counter",
        &[
            "--n",
            "5000",
            "--set",
            "variant=local-then-reduce",
            "--set",
            "tasks=8",
        ],
    ),
    ("amdahl", &["--n", "30", "--set", "tasks=5"]),
    ("philosophers", &["--n", "3", "--set", "hold_ms=0"]),
];

/// Whether the engine refuses `mpi` for this case (its tasks share memory), and why.
fn refusal(workload: &str, args: &[&str]) -> Option<String> {
    let mut spec = engine::WorkloadSpec::new(workload.parse().expect("a workload"));
    let mut it = args.iter();
    while let (Some(flag), Some(value)) = (it.next(), it.next()) {
        let (k, v) = match *flag {
            "--n" => ("n", *value),
            _ => value.split_once('=').expect("KEY=VALUE"),
        };
        spec.set(k, engine::spec::ParamValue::parse(v))
            .expect("a valid parameter");
    }
    let job = engine::workload::build(&spec).expect("the case builds");
    job.needs_shared_memory().map(str::to_string)
}

/// Every workload through `mpi` on `np` ranks with `schedule`: the sequential answer (checked
/// as every run is: against the baseline and the reference), one worker per rank, each rank's
/// host named; the workloads whose tasks share memory are refused with the reason, exit 2.
fn every_workload(np: usize, schedule: &str) {
    let names: Vec<&str> = CASES.iter().map(|(n, _)| *n).collect();
    let all: Vec<&str> = engine::WorkloadKind::ALL.iter().map(|w| w.name()).collect();
    assert_eq!(names, all, "a case for every workload");
    for (workload, args) in CASES {
        let what = format!("{workload} on {np} ranks, {schedule}");
        let out = mpirun(np)
            .args(["run", "-w", workload, "-m", "mpi", "--schedule", schedule])
            .args(*args)
            .args(["-r", "1", "--warmups", "0", "--format", "json"])
            .output()
            .expect("mpirun runs");
        if let Some(reason) = refusal(workload, args) {
            assert_eq!(out.status.code(), Some(2), "{what}: {}", stderr(&out));
            assert!(stderr(&out).contains(&reason), "{what}: {}", stderr(&out));
            continue;
        }
        assert!(out.status.success(), "{what}: {}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
        let mpi = v["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["model"] == "mpi")
            .unwrap_or_else(|| panic!("{what}: no mpi result"));
        assert_eq!(mpi["verified"], true, "{what}: {}", mpi["verification"]);
        assert_eq!(mpi["workers"], np as u64, "{what}: one worker per rank");
        let hosts = mpi["hosts"].as_array().expect("hosts");
        assert_eq!(hosts.len(), np, "{what}");
        assert!(hosts.iter().all(|h| !h.as_str().unwrap().is_empty()));
        assert_eq!(
            v["experiment"]["model"]["schedule"], *schedule,
            "{what}: the schedule is recorded"
        );
        let ranks = v["machine"]["ranks"].as_array().expect("machine.ranks");
        assert_eq!(ranks.len(), np, "{what}");
        // Both schedules deal the first chunks round-robin: with as many chunks of stage 0 as
        // ranks, every rank computes.
        let tasks = mpi["tasks"].as_array().expect("tasks");
        let stage0: Vec<&Value> = tasks.iter().filter(|t| t["stage"] == 0).collect();
        let chunk = mpi["chunk_size"].as_u64().expect("a chunk size") as usize;
        let mut used: Vec<u64> = stage0
            .iter()
            .map(|t| t["worker"].as_u64().unwrap())
            .collect();
        used.sort_unstable();
        used.dedup();
        let expected = stage0.len().div_ceil(chunk).min(np) as u64;
        assert_eq!(
            used,
            (0..expected).collect::<Vec<_>>(),
            "{what}: ranks used"
        );
    }
}

#[test]
fn every_workload_on_2_ranks_static() {
    every_workload(2, "static");
}

#[test]
fn every_workload_on_2_ranks_dynamic() {
    every_workload(2, "dynamic");
}

#[test]
fn every_workload_on_3_ranks_static() {
    every_workload(3, "static");
}

#[test]
fn every_workload_on_3_ranks_dynamic() {
    every_workload(3, "dynamic");
}

/// A spec file for 2 ranks with a fault in task `task`: mandelbrot n=64 in chunks of 4 handed
/// out dynamically, or, dealt statically, 1000 sleeping tasks of 10 ms in chunks of 1 (5 s of
/// work queued on rank 1, more than rank 0 waits for it at the end).
fn spec_with_fault(task: u64, kind: &str, schedule: &str) -> tempfile::NamedTempFile {
    let (workload, chunk) = if schedule == "static" {
        (
            serde_json::json!({"name": "sleep", "n": 1000, "params": {"latency_ms": 10}}),
            1,
        )
    } else {
        (
            serde_json::json!({"name": "mandelbrot", "n": 64, "params": {}}),
            4,
        )
    };
    let spec = serde_json::json!({
        "schema_version": 1,
        "workload": workload,
        "model": {
            "name": "mpi",
            "schedule": schedule,
            "chunk_size": chunk,
            "fault": {"task": task, "kind": kind}
        },
        "workers": 2,
        "repetitions": 1,
        "warmups": 0,
        "baseline": false
    });
    let file = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(file.path(), spec.to_string()).expect("the spec is written");
    file
}

/// A task that panics, on rank 0 (task 1: the first chunk) or on rank 1 (task 5: the second),
/// fails the run with its message, and the whole job ends promptly. Under the static schedule
/// (task 1 is rank 1's first chunk) the rank drops the 499 chunks it was still dealt rather
/// than sleep through them, so none is left busy for rank 0 to abort.
#[test]
fn a_panicking_task_ends_the_job_with_its_message() {
    for (task, schedule) in [(1, "dynamic"), (5, "dynamic"), (1, "static")] {
        let spec = spec_with_fault(task, "panic", schedule);
        let started = Instant::now();
        let out = mpirun(2)
            .args(["run", "--spec"])
            .arg(spec.path())
            .output()
            .expect("mpirun runs");
        let took = started.elapsed();
        assert_eq!(out.status.code(), Some(1), "task {task}: {}", stderr(&out));
        let needle = format!("task {task} of stage 0 panicked: fault injected into task {task}");
        assert!(stderr(&out).contains(&needle), "{}", stderr(&out));
        assert!(
            !stderr(&out).contains("aborting"),
            "{schedule}: {}",
            stderr(&out)
        );
        assert!(took < Duration::from_secs(20), "the job took {took:?}");
    }
}

/// A task that never returns, on rank 1: the timeout stops the run and writes its partial
/// result, with the hung chunk in flight; the stuck rank cannot say goodbye, so rank 0 aborts
/// the job, which ends it.
#[test]
fn a_hung_rank_is_aborted_at_the_timeout() {
    let spec = spec_with_fault(5, "hang", "dynamic");
    let started = Instant::now();
    let out = mpirun(2)
        .args(["run", "--timeout", "1s", "--format", "json", "--spec"])
        .arg(spec.path())
        .output()
        .expect("mpirun runs");
    let took = started.elapsed();
    let err = stderr(&out);
    // The command's code (124: timed out), which rank 0 aborts the job with and Open MPI's
    // launcher passes on.
    assert_eq!(out.status.code(), Some(124), "{err}");
    assert!(err.contains("timed out after 1 s"), "{err}");
    assert!(err.contains("aborting the job"), "{err}");
    let result: Value = serde_json::from_slice(&out.stdout).expect("the partial result");
    let partial = &result["partial"];
    assert_eq!(partial["reason"], "timed out after 1 s", "{partial}");
    let in_flight = partial["stopped"]["in_flight"]
        .as_array()
        .expect("in_flight");
    assert!(
        in_flight
            .iter()
            .any(|f| f["worker"] == 1 && f["task"].as_u64() <= Some(5)),
        "the hung chunk, on rank 1, is in flight: {in_flight:?}"
    );
    assert!(
        took < Duration::from_secs(JOB_SECONDS / 2),
        "the job took {took:?}"
    );
}

/// One line on stderr with `needle`, exit code 2.
fn refused(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(needle), "{err:?} lacks {needle:?}");
}

#[test]
fn without_a_launcher_it_says_what_to_run() {
    let out = runner()
        .args(["run", "-w", "primes", "--n", "3000", "-m", "mpi"])
        .output()
        .expect("runs");
    refused(
        &out,
        "the mpi model runs under an MPI launcher: run `mpirun -np 2 native-runner run -w primes --n 3000 -m mpi`",
    );
    assert_eq!(stderr(&out).lines().count(), 1);
}

#[test]
fn with_one_rank_it_says_what_to_run() {
    let out = mpirun(1)
        .args(["run", "-w", "primes", "--n", "3000", "-m", "mpi"])
        .output()
        .expect("mpirun runs");
    refused(
        &out,
        "needs 2 ranks or more, and this job has 1: run `mpirun -np 2",
    );
}

#[test]
fn more_workers_than_ranks_says_how_many_to_start() {
    let out = mpirun(2)
        .args(["run", "-w", "primes", "--n", "3000", "-m", "mpi", "-j", "3"])
        .output()
        .expect("mpirun runs");
    refused(
        &out,
        "3 workers need 3 ranks, and this job has 2: run `mpirun -np 3 native-runner run",
    );
}

/// A launcher of another MPI (here MPICH's, as its environment says) whose processes each
/// start as "rank 0 of 1" under this binary's library.
#[test]
fn a_library_that_is_not_the_launchers_is_reported() {
    let out = runner()
        .args(["run", "-w", "primes", "--n", "3000", "-m", "mpi"])
        .env("PMI_SIZE", "2")
        .env("PMI_RANK", "0")
        .timeout(Duration::from_secs(JOB_SECONDS))
        .output()
        .expect("runs");
    refused(
        &out,
        "MPICH's mpiexec started 2 processes, but MPI here sees a job of 1",
    );
}

#[test]
fn machine_lists_the_ranks_and_their_host() {
    let out = mpirun(3).arg("machine").output().expect("mpirun runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("mpi job         3 ranks on 1 host"), "{text}");
    // Printed once, by rank 0.
    assert_eq!(text.matches("logical cores   ").count(), 1, "{text}");
    let out = mpirun(2)
        .args(["machine", "--format", "json"])
        .output()
        .expect("mpirun runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ranks: Vec<u64> = v["ranks"]
        .as_array()
        .expect("ranks")
        .iter()
        .map(|r| r["rank"].as_u64().unwrap())
        .collect();
    assert_eq!(ranks, [0, 1]);
}

/// Under a launcher every rank runs the program, but only rank 0 runs the command: other models
/// run once beside mpi, and the report is printed once. Process-pool's workers, started by rank
/// 0 with the launcher's environment, are workers, not ranks.
#[test]
fn other_models_run_once_under_a_launcher() {
    let out = mpirun(2)
        .args(["sweep", "-w", "primes", "--n", "3000", "-j", "2"])
        .args(["-m", "mpi,dynamic-pool,process-pool"])
        .args(["-r", "1", "--warmups", "0", "--format", "json"])
        .output()
        .expect("mpirun runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let results = v["results"].as_array().expect("results");
    let models: Vec<&str> = results
        .iter()
        .map(|r| r["model"].as_str().unwrap())
        .collect();
    assert_eq!(
        models,
        ["sequential", "mpi", "dynamic-pool", "process-pool"]
    );
    assert!(results.iter().all(|r| r["verified"] == true), "{results:?}");
}
