//! The command line as users drive it: outputs, formats, exit codes.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn runner() -> Command {
    Command::cargo_bin("native-runner").expect("binary is built")
}

fn json_of(args: &[&str]) -> Value {
    let out = runner()
        .args(args)
        .args(["--format", "json"])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).expect("stdout is JSON")
}

/// Runs with bad input and checks: exit code 2, one line on stderr containing `needle`.
fn bad_input(args: &[&str], needle: &str) {
    let out = runner().args(args).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line expected, got: {stderr}"
    );
    assert!(
        stderr.contains(needle),
        "stderr {stderr:?} lacks {needle:?}"
    );
    assert!(out.get_output().stdout.is_empty());
}

#[test]
fn list_names_every_workload_and_model_with_python_equivalents() {
    let v = json_of(&["list"]);
    // The engine's lists are the source: every entry, in their order, and nothing else.
    let names = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_string())
            .collect()
    };
    let workloads: Vec<&str> = engine::WorkloadKind::ALL.iter().map(|w| w.name()).collect();
    assert_eq!(names("workloads"), workloads);
    let models: Vec<&str> = engine::ModelKind::ALL.iter().map(|m| m.name()).collect();
    assert_eq!(names("models"), models);
    for (m, kind) in v["models"]
        .as_array()
        .unwrap()
        .iter()
        .zip(engine::ModelKind::ALL)
    {
        assert!(!m["python"].as_str().unwrap().is_empty());
        let ranks = kind.info().host == engine::model::Host::Ranks;
        assert_eq!(m["needs_launcher"], ranks, "{kind}");
    }
    let n = &v["workloads"][0]["params"][0];
    assert_eq!(n["name"], "n");
    assert!(n["max"].as_u64().unwrap() >= n["default"].as_u64().unwrap());
    runner().arg("list").assert().success().stdout(
        predicate::str::contains("multiprocessing.Pool.map")
            .and(predicate::str::contains("asyncio.gather")),
    );
}

#[test]
fn run_json_has_the_documented_schema() {
    let v = json_of(&[
        "run",
        "-w",
        "primes",
        "--n",
        "100000",
        "-m",
        "dynamic-pool",
        "-j",
        "2",
        "-r",
        "3",
        "--warmups",
        "0",
    ]);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["experiment"]["workload"]["name"], "primes");
    assert!(v["machine"]["logical_cores"].as_u64().unwrap() >= 1);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "baseline and model");
    assert_eq!(results[0]["model"], "sequential");
    let r = &results[1];
    assert_eq!(r["model"], "dynamic-pool");
    assert_eq!(r["workers"], 2);
    assert_eq!(r["times"].as_array().unwrap().len(), 3);
    for key in [
        "mean",
        "stddev",
        "median",
        "min",
        "max",
        "speedup",
        "efficiency",
    ] {
        assert!(r[key].as_f64().unwrap() > 0.0, "{key}");
    }
    assert_eq!(r["answer"]["summary"], "9592 primes below 100000");
    assert_eq!(r["verified"], true);
    let tasks = r["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 64);
    let t = &tasks[0];
    for key in ["task", "worker", "start", "end"] {
        assert!(t.get(key).is_some(), "task record lacks {key}");
    }
}

#[test]
fn csv_and_markdown_and_table_formats() {
    let base = [
        "run",
        "-w",
        "square",
        "--n",
        "1000",
        "-m",
        "static-pool",
        "-j",
        "2",
        "-r",
        "2",
    ];
    runner()
        .args(base)
        .args(["-f", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "workload,n,model,workers,chunk_size,mean",
        ));
    runner()
        .args(base)
        .args(["-f", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains("| static-pool"));
    runner()
        .args(base)
        .assert()
        .success()
        .stdout(predicate::str::contains("times").and(predicate::str::contains("than sequential")));
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    runner()
        .args([
            "run",
            "-w",
            "n-body",
            "--n",
            "1000",
            "-m",
            "sequential",
            "-r",
            "1",
            "-f",
            "json",
            "-o",
        ])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        v["results"][0]["answer"]["summary"],
        "energy -0.169075164 -> -0.169087605"
    );
}

#[test]
fn sweeps_over_models_run_each_with_the_same_workers_against_one_baseline() {
    let v = json_of(&[
        "sweep",
        "-w",
        "sleep",
        "--n",
        "6",
        "-m",
        "async,gil,dynamic-pool",
        "-j",
        "3",
        "-r",
        "2",
    ]);
    let rows: Vec<(String, u64)> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["verified"], true, "{r}");
            (
                r["model"].as_str().unwrap().to_string(),
                r["workers"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("sequential".to_string(), 1),
            ("async".into(), 3),
            ("gil".into(), 3),
            ("dynamic-pool".into(), 3)
        ]
    );
    assert_eq!(
        v["experiment"]["sweep"]["models"],
        serde_json::json!(["async", "gil", "dynamic-pool"])
    );
    // The baseline in the list, two lists, or a list outside `sweep`: one line, exit 2.
    for args in [
        &["sweep", "-w", "sleep", "-m", "gil,sequential"][..],
        &["sweep", "-w", "sleep", "-m", "gil,async", "-j", "1,2"][..],
        &["run", "-w", "sleep", "-m", "gil,async"][..],
    ] {
        let out = runner().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8(out.stderr).unwrap().lines().count(), 1);
    }
}

#[test]
fn sweeps_over_workers_and_chunk_sizes() {
    let v = json_of(&[
        "sweep",
        "-w",
        "primes",
        "--n",
        "50000",
        "-m",
        "work-stealing",
        "-j",
        "1..3",
        "-r",
        "1",
    ]);
    let workers: Vec<u64> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["workers"].as_u64().unwrap())
        .collect();
    assert_eq!(workers, [1, 1, 2, 3]);
    assert!(v["results"][2]["karp_flatt"].is_number());
    let v = json_of(&[
        "sweep",
        "-w",
        "square",
        "--n",
        "2000",
        "-m",
        "dynamic-pool",
        "-j",
        "2",
        "--chunk-size",
        "1,16,256",
        "-r",
        "1",
    ]);
    let chunks: Vec<u64> = v["results"].as_array().unwrap()[1..]
        .iter()
        .map(|r| r["chunk_size"].as_u64().unwrap())
        .collect();
    assert_eq!(chunks, [1, 16, 256]);
}

#[test]
fn spec_file_and_link_run_exactly_what_they_encode() {
    let mut exp = engine::Experiment::new(
        engine::WorkloadKind::Primes,
        engine::ModelKind::StaticPool,
        2,
    );
    exp.workload.n = 20_000;
    exp.repetitions = engine::Repetitions::Fixed(2);
    exp.warmups = 0;
    let exp = exp.validate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.json");
    std::fs::write(&path, exp.to_json()).unwrap();
    let from_spec = json_of(&["run", "--spec", path.to_str().unwrap()]);
    assert_eq!(from_spec["experiment"], serde_json::to_value(&exp).unwrap());
    let url = format!("http://127.0.0.1:8080/{}", engine::link::fragment(&exp));
    let from_link = json_of(&["run", "--link", &url]);
    assert_eq!(from_link["experiment"], serde_json::to_value(&exp).unwrap());
    assert_eq!(
        from_link["results"][1]["answer"]["summary"],
        "2262 primes below 20000"
    );
}

#[test]
fn output_prints_the_published_mandelbrot_with_any_model() {
    let expected = std::fs::read("../engine/tests/fixtures/mandelbrot-200.pbm").unwrap();
    for (model, workers) in [
        ("sequential", "1"),
        ("work-stealing", "2"),
        ("process-pool", "2"),
    ] {
        runner()
            .args([
                "output",
                "mandelbrot",
                "--n",
                "200",
                "-m",
                model,
                "-j",
                workers,
            ])
            .assert()
            .success()
            .stdout(expected.clone());
    }
    runner()
        .args(["output", "fannkuch-redux", "--n", "7"])
        .assert()
        .success()
        .stdout("228\nPfannkuchen(7) = 16\n");
}

#[test]
fn machine_describes_this_machine() {
    let out = runner()
        .args(["machine", "--format", "json"])
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(v["logical_cores"].as_u64().unwrap() >= 1);
    assert!(v["timer_resolution"].as_f64().unwrap() > 0.0);
    assert_eq!(v["runtime"], "native");
    runner()
        .arg("machine")
        .assert()
        .success()
        .stdout(predicate::str::contains("logical cores"));
}

#[test]
fn bad_input_is_one_line_and_exit_code_2() {
    bad_input(
        &["run", "-w", "nope", "-m", "sequential"],
        "unknown workload 'nope'",
    );
    bad_input(
        &["run", "-w", "primes", "-m", "nope"],
        "unknown model 'nope'",
    );
    bad_input(
        &["run", "-w", "primes", "-m", "sequential", "--n", "0"],
        "primes.n = 0 is out of range",
    );
    bad_input(
        &[
            "run",
            "-w",
            "primes",
            "-m",
            "sequential",
            "--set",
            "bogus=1",
        ],
        "no parameter 'bogus'",
    );
    bad_input(
        &["run", "-w", "primes", "-m", "static-pool", "-j", "0"],
        "workers = 0 is out of range",
    );
    bad_input(
        &["run", "-w", "primes", "-m", "static-pool", "-j", "1,2"],
        "use `native-runner sweep`",
    );
    bad_input(
        &[
            "run",
            "-w",
            "primes",
            "-m",
            "static-pool",
            "--switch-interval-ms",
            "5",
        ],
        "does not apply to model static-pool",
    );
    bad_input(
        &["sweep", "-w", "primes", "-m", "static-pool", "-j", "2"],
        "sweep needs a list",
    );
    bad_input(&["run", "--link", "#x=%%%"], "bad link");
    bad_input(
        &["run", "--spec", "/nonexistent/spec.json"],
        "cannot read spec",
    );
    bad_input(&["run", "--bogus-flag"], "--bogus-flag");
    bad_input(
        &["run", "--link", "#x=abc", "-w", "primes"],
        "cannot be combined",
    );
    bad_input(
        &[
            "run",
            "-w",
            "counter",
            "-m",
            "process-pool",
            "--set",
            "variant=mutex",
            "--n",
            "100",
        ],
        "cannot run workload counter",
    );
}

#[test]
fn future_spec_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.json");
    let mut v = serde_json::to_value(engine::Experiment::new(
        engine::WorkloadKind::Square,
        engine::ModelKind::Sequential,
        1,
    ))
    .unwrap();
    v["schema_version"] = 99.into();
    std::fs::write(&path, v.to_string()).unwrap();
    bad_input(
        &["run", "--spec", path.to_str().unwrap()],
        "unsupported schema_version 99",
    );
}

#[test]
fn crashed_worker_process_fails_the_run_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.json");
    let mut exp = engine::Experiment::new(
        engine::WorkloadKind::Primes,
        engine::ModelKind::ProcessPool,
        2,
    );
    exp.workload.n = 100_000;
    exp.baseline = false;
    exp.model.fault = Some(engine::spec::Fault {
        task: 5,
        kind: engine::spec::FaultKind::Exit,
    });
    std::fs::write(&path, exp.to_json()).unwrap();
    let out = runner()
        .args(["run", "--spec", path.to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(stderr.contains("died: exited with status 3"), "{stderr}");
    assert!(
        out.get_output().stdout.is_empty(),
        "no partial result on stdout"
    );
}

#[test]
fn panicking_task_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.json");
    let mut exp = engine::Experiment::new(
        engine::WorkloadKind::Primes,
        engine::ModelKind::DynamicPool,
        2,
    );
    exp.workload.n = 100_000;
    exp.model.fault = Some(engine::spec::Fault {
        task: 7,
        kind: engine::spec::FaultKind::Panic,
    });
    std::fs::write(&path, exp.to_json()).unwrap();
    runner()
        .args(["run", "--spec", path.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "task 7 of stage 0 panicked: fault injected into task 7",
        ));
}

#[test]
fn a_result_file_from_either_side_reruns_its_experiment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("result.json");
    let out = runner()
        .args([
            "run",
            "-w",
            "square",
            "--n",
            "500",
            "-m",
            "static-pool",
            "-j",
            "2",
            "-r",
            "1",
            "-f",
            "json",
            "-o",
        ])
        .arg(&path)
        .assert()
        .success();
    assert!(out.get_output().stdout.is_empty());
    let first: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let again = json_of(&["run", "--spec", path.to_str().unwrap()]);
    assert_eq!(again["experiment"], first["experiment"]);
    assert_eq!(again["results"][1]["answer"], first["results"][1]["answer"]);
}

/// A spec whose task 7 never returns: 40 sleeps of 20 ms on 2 workers, after the baseline.
fn stuck_spec(dir: &tempfile::TempDir, model: engine::ModelKind) -> String {
    let path = dir.path().join("stuck.json");
    let mut exp = engine::Experiment::new(engine::WorkloadKind::Sleep, model, 2);
    exp.workload.n = 40;
    exp.workload
        .set("latency_ms", engine::spec::ParamValue::Int(20))
        .unwrap();
    exp.workload
        .set("jitter_ms", engine::spec::ParamValue::Int(0))
        .unwrap();
    exp.repetitions = engine::Repetitions::Fixed(1);
    exp.warmups = 0;
    exp.model.fault = Some(engine::spec::Fault {
        task: 7,
        kind: engine::spec::FaultKind::Hang,
    });
    std::fs::write(&path, exp.to_json()).unwrap();
    path.to_str().unwrap().to_string()
}

/// Checks a partial result: the baseline whole, the stopped run with task 7 still running and
/// the other 39 tasks in its timeline.
fn assert_partial(v: &Value, reason: &str, model: &str) {
    assert_eq!(v["partial"]["reason"], reason, "{v}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["model"], "sequential");
    assert_eq!(results[0]["verified"], true);
    let stopped = &v["partial"]["stopped"];
    assert_eq!(stopped["model"], model);
    let in_flight = stopped["in_flight"].as_array().unwrap();
    assert!(
        in_flight
            .iter()
            .any(|f| f["task"].as_u64().unwrap() <= 7 && f["end"].as_u64().unwrap() > 7),
        "task 7 not in flight: {in_flight:?}"
    );
    let done = stopped["tasks_done"].as_u64().unwrap();
    assert!((1..40).contains(&done), "{done}");
    assert_eq!(stopped["tasks"].as_array().unwrap().len() as u64, done);
}

#[test]
fn timeout_stops_a_stuck_run_and_writes_the_partial_result() {
    let dir = tempfile::tempdir().unwrap();
    let spec = stuck_spec(&dir, engine::ModelKind::DynamicPool);
    let started = std::time::Instant::now();
    let out = runner()
        .args(["run", "--spec", &spec, "--timeout", "2s", "-f", "json"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(124);
    // The timeout, and half a second for the run to stop by itself.
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert_eq!(
        stderr.trim(),
        "error: timed out after 2 s; the partial result was written"
    );
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON on stdout");
    assert_partial(&v, "timed out after 2 s", "dynamic-pool");
    // The other worker finished every other task.
    assert_eq!(v["partial"]["stopped"]["tasks_done"], 39);

    // The table says the same in words.
    let out = runner()
        .args(["run", "--spec", &spec, "--timeout", "1500ms"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(124);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout);
    assert!(
        stdout.contains("PARTIAL RESULT (timed out after 1.5 s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("still running: task 7 of stage 0"),
        "{stdout}"
    );
}

#[test]
fn timeout_ends_a_stuck_process_pool_and_its_workers() {
    let dir = tempfile::tempdir().unwrap();
    let spec = stuck_spec(&dir, engine::ModelKind::ProcessPool);
    let out = runner()
        .args(["run", "--spec", &spec, "--timeout", "2", "-f", "json"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(124);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON on stdout");
    // A chunk of the process pool is in flight, with when it was sent.
    assert_partial(&v, "timed out after 2 s", "process-pool");
    // assert_cmd waited for the runner; its worker processes went with it, or this would hang
    // on their open pipes. A fresh run works.
    runner()
        .args([
            "run",
            "-w",
            "primes",
            "--n",
            "10000",
            "-m",
            "process-pool",
            "-j",
            "2",
        ])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .success();
}

/// Sends SIGINT as a terminal's Ctrl-C does, to the runner's whole process group (worker
/// processes included, unless they have a group of their own), and checks the partial result.
fn ctrl_c_stops(model: engine::ModelKind) {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let spec = stuck_spec(&dir, model);
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("native-runner"))
        .args(["run", "--spec", &spec, "-f", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    // The baseline takes 0.8 s; then the stuck run starts.
    std::thread::sleep(std::time::Duration::from_millis(2000));
    let status = std::process::Command::new("kill")
        .args(["-INT", "--", &format!("-{}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: interrupted (Ctrl-C); the partial result was written",
        "{model}"
    );
    assert_eq!(out.status.code(), Some(130));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_partial(&v, "interrupted (Ctrl-C)", model.name());
}

#[test]
fn ctrl_c_stops_the_run_and_writes_the_partial_result() {
    ctrl_c_stops(engine::ModelKind::StaticPool);
}

#[test]
fn ctrl_c_stops_a_process_pool_without_killing_its_workers_under_it() {
    ctrl_c_stops(engine::ModelKind::ProcessPool);
}

#[test]
fn bad_timeout_is_refused() {
    bad_input(
        &[
            "run",
            "-w",
            "square",
            "-m",
            "sequential",
            "--timeout",
            "soon",
        ],
        "--timeout: 'soon' is not a duration like 30, 30s, 500ms or 2m",
    );
    bad_input(
        &["run", "-w", "square", "-m", "sequential", "--timeout", "0"],
        "--timeout: '0' is out of range: it must be 1 ms to 24 h",
    );
    bad_input(
        &["run", "-w", "square", "-m", "sequential", "--timeout=-5s"],
        "--timeout: '-5s' is out of range",
    );
}

#[test]
fn dry_run_estimates_and_runs_nothing() {
    let out = runner()
        .args([
            "run",
            "-w",
            "primes",
            "--n",
            "1000000000",
            "-m",
            "dynamic-pool",
            "-j",
            "2",
            "--dry-run",
        ])
        .timeout(std::time::Duration::from_secs(10))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with("sequential, 1 worker: 6 runs of about "),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("dynamic-pool, 2 workers: 6 runs of about "),
        "{stdout}"
    );
    let total: f64 = lines[2]
        .strip_prefix("estimated total: ")
        .and_then(|t| t.split(' ').next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        total > 3600.0,
        "primes below 10^9, 12 runs: hours, not {total} s"
    );
}

#[test]
fn auto_repetitions_reach_their_precision_or_say_why() {
    let v = json_of(&[
        "run",
        "-w",
        "square",
        "--n",
        "20000",
        "-m",
        "static-pool",
        "-j",
        "2",
        "--reps",
        "auto",
        "--budget",
        "3s",
    ]);
    assert_eq!(v["experiment"]["repetitions"], "auto");
    assert_eq!(v["experiment"]["budget_s"], 3.0);
    for r in v["results"].as_array().unwrap() {
        let n = r["times"].as_array().unwrap().len();
        assert!((3..=50).contains(&n), "{n} repetitions");
        let precision = r["precision"].as_f64().unwrap();
        let kinds: Vec<&str> = r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["kind"].as_str().unwrap())
            .collect();
        // Either the mean is known within 2%, or the result says why not.
        assert!(
            precision <= 0.02 || kinds.contains(&"budget"),
            "precision {precision}, warnings {kinds:?}"
        );
    }
    bad_input(
        &["run", "-w", "square", "-m", "static-pool", "--reps", "many"],
        "--reps: expected a whole number or \"auto\"",
    );
    bad_input(
        &[
            "run",
            "-w",
            "square",
            "-m",
            "static-pool",
            "--reps",
            "3",
            "--budget",
            "5s",
        ],
        "--budget applies only with --reps auto",
    );
    bad_input(
        &[
            "run",
            "-w",
            "square",
            "-m",
            "static-pool",
            "--reps",
            "auto",
            "--budget",
            "90m",
        ],
        "budget_s = 5400 is out of range",
    );
}

#[test]
fn results_carry_speedup_intervals_and_warnings() {
    let v = json_of(&[
        "run",
        "-w",
        "primes",
        "--n",
        "200000",
        "-m",
        "dynamic-pool",
        "-j",
        "2",
        "--reps",
        "4",
    ]);
    let base = &v["results"][0];
    assert_eq!(base["speedup"], 1.0);
    assert!(
        base.get("speedup_ci").is_none(),
        "the baseline is 1 by definition"
    );
    let pool = &v["results"][1];
    let [lo, hi] = [
        pool["speedup_ci"][0].as_f64().unwrap(),
        pool["speedup_ci"][1].as_f64().unwrap(),
    ];
    let s = pool["speedup"].as_f64().unwrap();
    assert!(lo <= s && s <= hi, "{lo} <= {s} <= {hi}");
    assert!(pool["warnings"].is_array(), "an empty list when none");
    let out = runner()
        .args([
            "run",
            "-w",
            "primes",
            "--n",
            "200000",
            "-m",
            "dynamic-pool",
            "-j",
            "2",
            "--reps",
            "3",
        ])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains(" ± ") && text.contains("than sequential"),
        "{text}"
    );
}

fn write_result(dir: &tempfile::TempDir, name: &str, args: &[&str]) -> String {
    let path = dir.path().join(name);
    runner()
        .args(args)
        .args(["--format", "json", "-o"])
        .arg(&path)
        .assert()
        .success();
    path.to_str().unwrap().to_string()
}

#[test]
fn compare_two_result_files() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "-w",
        "primes",
        "--n",
        "100000",
        "-m",
        "static-pool",
        "-j",
        "2",
        "--reps",
        "4",
    ];
    let a = write_result(&dir, "a.json", &args);
    let b = write_result(&dir, "b.json", &args);
    let v = json_of(&["compare", &a, &b]);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        let ratio = r["ratio"].as_f64().unwrap();
        let (lo, hi) = (r["ci"][0].as_f64().unwrap(), r["ci"][1].as_f64().unwrap());
        assert!(lo <= ratio && ratio <= hi);
        let p = r["p_value"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert_eq!(
            r["significant"].as_bool().unwrap(),
            p < 0.05 && (lo > 1.0 || hi < 1.0)
        );
    }
    // A file compared with itself: ratio 1, no difference.
    let same = json_of(&["compare", &a, &a]);
    for r in same["rows"].as_array().unwrap() {
        assert_eq!(r["ratio"], 1.0);
        assert_eq!(r["significant"], false);
    }
    let table = runner().args(["compare", &a, &a]).assert().success();
    let text = String::from_utf8_lossy(&table.get_output().stdout).to_string();
    assert!(text.contains("no significant difference"), "{text}");
    let md = runner()
        .args(["compare", &a, &b, "--format", "markdown"])
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&md.get_output().stdout).contains("| model"));
    let other = write_result(
        &dir,
        "c.json",
        &[
            "run",
            "-w",
            "primes",
            "--n",
            "200000",
            "-m",
            "static-pool",
            "-j",
            "2",
            "--reps",
            "2",
        ],
    );
    bad_input(
        &["compare", &a, &other],
        "the results describe different experiments: n 100000 in A, 200000 in B",
    );
    bad_input(
        &["compare", &a, "/nonexistent.json"],
        "cannot read /nonexistent.json",
    );
    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, "{\"schema_version\": 1}").unwrap();
    bad_input(
        &["compare", &a, spec.to_str().unwrap()],
        "is not a result file",
    );
}

/// The issue's own example: five philosophers in the naive order on five threads deadlock; the
/// run ends with exit code 1 and the cycle in one line, and the JSON holds the cycle and the
/// run as far as it got, its philosophers still in flight. Detection waits for no timer, so this
/// holds on a busy machine (a thousand meals give the cycle every chance to close).
#[test]
fn a_deadlock_ends_the_run_with_its_cycle() {
    let args = [
        "run",
        "-w",
        "philosophers",
        "--set",
        "philosophers=5",
        "--set",
        "order=naive",
        "--set",
        "hold_ms=5",
        "--n",
        "1000",
        "-m",
        "thread-per-task",
        "-j",
        "5",
        "--no-baseline",
    ];
    let out = runner()
        .args(args)
        .args(["--format", "json"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: deadlock: worker 0 holds fork "),
        "{stderr}"
    );
    assert_eq!(stderr.matches("holds fork").count(), 5, "{stderr}");
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("stdout is JSON");
    assert_eq!(v["error"]["kind"], "deadlock");
    let cycle = v["error"]["cycle"].as_array().unwrap();
    assert_eq!(cycle.len(), 5);
    for (i, e) in cycle.iter().enumerate() {
        let next = &cycle[(i + 1) % 5];
        assert_eq!(
            e["waits_for"], next["holds"],
            "{e} waits for what {next} holds"
        );
    }
    assert_eq!(v["partial"]["reason"], "deadlock");
    assert!(v["results"].as_array().unwrap().is_empty());
    let stopped = &v["partial"]["stopped"];
    assert_eq!(stopped["model"], "thread-per-task");
    assert_eq!(stopped["tasks_done"], 0);
    let mut in_flight: Vec<u64> = stopped["in_flight"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["task"].as_u64().unwrap())
        .collect();
    in_flight.sort_unstable();
    assert_eq!(
        in_flight,
        [0, 1, 2, 3, 4],
        "every philosopher was still at the table"
    );
    // The next run works: the ordered order eats every meal, verified.
    let mut ordered: Vec<&str> = args[..args.len() - 1].to_vec();
    ordered[6] = "order=ordered";
    ordered[10] = "20";
    ordered.extend(["-r", "2", "--warmups", "0"]);
    let v = json_of(&ordered);
    assert!(v.get("error").is_none());
    for r in v["results"].as_array().unwrap() {
        assert_eq!(r["verified"], true, "{r}");
        assert_eq!(
            r["answer"]["summary"],
            "100 meals for 5 philosophers, no fork ever held by two at once"
        );
        // Two forks a meal; every philosopher eats the same meals, so no fairness is claimed.
        let taken: u64 = r["locks"]["acquisitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_u64().unwrap())
            .sum();
        assert_eq!(taken, 200, "{r}");
        assert!(r["locks"].get("fairness").is_none(), "{r}");
    }
}

/// A binary built without the `mpi` feature (the default) refuses the mpi model, saying how to
/// build one that has it; `tests/mpi.rs` covers the feature.
#[cfg(not(feature = "mpi"))]
#[test]
fn mpi_without_the_feature_says_how_to_build_it() {
    bad_input(
        &["run", "-w", "primes", "--n", "3000", "-m", "mpi"],
        "this native-runner was built without MPI: install Open MPI (scripts/setup-mpi.sh), build with `cargo build --release -p native-runner --features mpi`",
    );
}

/// Under a launcher, a binary without MPI would run the whole command once per process: each
/// says so instead.
#[cfg(not(feature = "mpi"))]
#[test]
fn a_launcher_without_mpi_is_refused_rather_than_run_n_times() {
    let out = runner()
        .args(["run", "-w", "primes", "--n", "3000", "-m", "sequential"])
        .env("OMPI_COMM_WORLD_SIZE", "2")
        .env("OMPI_COMM_WORLD_RANK", "1")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("Open MPI's mpirun started 2 copies of a native-runner built without MPI"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}
