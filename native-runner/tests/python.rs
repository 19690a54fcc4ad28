//! `native-runner lessons --python`: the lessons' constructs run in the machine's real CPython
//! and judged beside ours. Only waiting lessons and tiny tasks run here (a debug build computes
//! slowly); the end-to-end tests run every lesson in CPython against the release build.

use assert_cmd::Command;
use serde_json::Value;

fn runner() -> Command {
    Command::cargo_bin("native-runner").expect("binary is built")
}

/// Whether `python3` runs here (the machines this project is tested on have it).
fn python_here() -> bool {
    std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn lessons_with_a_python_side_get_cpythons_verdict_beside_ours() {
    let out = runner()
        .args([
            "lessons",
            "--quick",
            "--python",
            "--id",
            "gil-io",
            "--id",
            "order",
            "--id",
            "memory-bound",
            "--format",
            "json",
        ])
        .env_remove("PYTHON")
        .output()
        .unwrap();
    if !python_here() {
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no Python interpreter 'python3'"), "{err}");
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lessons = v["lessons"].as_array().unwrap();
    let (io, order, memory) = (&lessons[0], &lessons[1], &lessons[2]);
    // Waits overlap in CPython's threads as in ours, busy machine or not.
    let c = &io["cpython"];
    assert!(
        c["interpreter"].as_str().unwrap().starts_with("CPython 3."),
        "{c}"
    );
    assert!(
        ["holds", "inconclusive"].contains(&c["verdict"].as_str().unwrap()),
        "{c}"
    );
    assert!(c["figures"]["speedup"].as_f64().unwrap() > 1.0, "{c}");
    let beside = c["beside"].as_str().unwrap();
    assert!(
        beside.contains("in CPython 3.") && beside.contains("in ours"),
        "{beside}"
    );
    assert!(!c["differs"].as_str().unwrap().is_empty());
    // CPython's rows are result sets at the same size as ours (waiting is not scaled).
    let (ours_set, py_set) = (&io["results"][0], &c["results"][0]);
    assert_eq!(
        ours_set["experiment"]["workload"],
        py_set["experiment"]["workload"]
    );
    assert_eq!(py_set["results"][0]["model"], "sequential");
    assert_eq!(py_set["results"][1]["model"], "gil");
    assert_eq!(py_set["results"][1]["verified"], true, "{py_set}");
    assert_eq!(py_set["results"][1]["times"].as_array().unwrap().len(), 5);
    // map keeps task order in CPython too: never out of order.
    let c = &order["cpython"];
    assert_ne!(c["verdict"], "does-not-hold", "{c}");
    assert_eq!(c["figures"]["ordered_out_of_order"], 0.0, "{c}");
    // A lesson without a Python side says nothing for CPython.
    assert!(memory.get("cpython").is_none(), "{memory}");
}

#[test]
fn the_table_shows_cpython_beside_ours() {
    if !python_here() {
        return; // the JSON test above checks the refusal
    }
    let out = runner()
        .args([
            "lessons", "--quick", "--python", "--id", "async-io", "--format", "markdown",
        ])
        .env_remove("PYTHON")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("| in CPython"), "{text}");
    assert!(text.contains("asyncio tasks on one thread"), "{text}");
}

#[test]
fn a_missing_interpreter_is_refused_in_one_line() {
    let out = runner()
        .args(["lessons", "--quick", "--python", "--id", "gil-io"])
        .env("PYTHON", "/nonexistent/python3")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("--python: no Python interpreter '/nonexistent/python3' was found"),
        "{err}"
    );
}

#[test]
fn the_python_side_refuses_a_malformed_request() {
    if !python_here() {
        return; // nothing to run the script with; the refusal above is what users see
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/python/lessons.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"{not json")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid"));
}
