//! `native-runner explore` as users drive it: the JSON of the examples, the table in words, and
//! exit code 2 with one line for bad input and for a request above the cap.

use assert_cmd::Command;
use serde_json::{Value, json};

fn runner() -> Command {
    Command::cargo_bin("native-runner").expect("binary is built")
}

fn json_of(args: &[&str]) -> Value {
    let out = runner()
        .arg("explore")
        .args(args)
        .args(["--format", "json"])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).expect("stdout is JSON")
}

/// Runs with bad input and checks: exit code 2, one line on stderr containing `needle`, nothing
/// on stdout.
fn bad_input(args: &[&str], needle: &str) {
    let out = runner().arg("explore").args(args).assert().code(2);
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
fn the_racy_counter_loses_updates() {
    assert_eq!(
        json_of(&["counter", "--threads", "2", "--increments", "1"]),
        json!({
            "program": "counter",
            "threads": 2,
            "increments": 1,
            "sync": "none",
            "schedules": 6,
            "outcomes": {"1": 4, "2": 2},
            "witnesses": {"1": [0, 1, 0, 1], "2": [0, 0, 1, 1]}
        })
    );
    let v = json_of(&["counter", "--threads", "2", "--sync", "lock"]);
    assert_eq!(v["schedules"], 2);
    assert_eq!(v["outcomes"], json!({"2": 2}));
}

#[test]
fn philosophers_and_rings_deadlock_unless_ordered() {
    let v = json_of(&["philosophers", "--threads", "2", "--order", "naive"]);
    assert_eq!(v["schedules"], 6);
    assert_eq!(v["outcomes"], json!({"complete": 4, "deadlocked": 2}));
    assert_eq!(v["witnesses"]["deadlocked"], json!([0, 1]));
    let v = json_of(&["philosophers", "--threads", "2", "--order", "ordered"]);
    assert_eq!(v["schedules"], 2);
    assert_eq!(v["outcomes"], json!({"complete": 2}));
    let v = json_of(&["messages", "--threads", "3"]);
    assert_eq!(v["order"], "naive");
    assert_eq!(v["schedules"], 1);
    assert_eq!(v["outcomes"], json!({"deadlocked": 1}));
    assert_eq!(v["witnesses"]["deadlocked"], json!([]));
    let v = json_of(&["messages", "--threads", "3", "--order", "ordered"]);
    assert_eq!(
        v["outcomes"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["complete"]
    );
}

#[test]
fn the_table_tells_each_witness_in_words() {
    let out = runner()
        .args(["explore", "counter", "--threads", "2"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for line in [
        "counter, 2 threads x 1 increment, sync none: 6 schedules",
        "x = 1: 4 schedules (66.7%)",
        "x = 2: 2 schedules (33.3%)",
        "T0: load r <- x (r0 = 0)",
        "T1: load r <- x (r1 = 0)",
        "T0: store x <- r + 1 (x = 1)",
        "T1: load r <- x (r1 = 1)",
        "T1: store x <- r + 1 (x = 2)",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
    let out = runner()
        .args(["explore", "philosophers", "-t", "2"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for line in [
        "deadlocked: 2 schedules (33.3%)",
        "T0: lock fork 0 (held by T0)",
        "T1: lock fork 1 (held by T1)",
        "T0 waits: fork 1 is held by T1",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
}

#[test]
fn bad_flags_exit_2_with_one_line() {
    bad_input(
        &["philosophers", "--threads", "2", "--increments", "1"],
        "--increments applies only to counter",
    );
    bad_input(
        &["messages", "--threads", "2", "--sync", "lock"],
        "--sync applies only to counter",
    );
    bad_input(
        &["counter", "--threads", "2", "--order", "naive"],
        "--order applies only to philosophers and messages",
    );
    bad_input(
        &["philosophers", "--threads", "1"],
        "philosophers needs 2 to 8 threads, not 1",
    );
    bad_input(
        &["counter", "--threads", "9"],
        "counter needs 1 to 8 threads",
    );
    bad_input(
        &["counter", "--threads", "2", "--sync", "spin"],
        "unknown sync 'spin'",
    );
    bad_input(&["dining", "--threads", "2"], "unknown program 'dining'");
    bad_input(&["counter", "--threads", "two"], "invalid value 'two'");
}

#[test]
fn requests_above_the_cap_are_refused_with_their_count() {
    bad_input(
        &["counter", "--threads", "2", "--increments", "12"],
        "counter, 2 threads x 12 increments, sync none has 32,247,603,683,100 schedules; \
         at most 10,000,000 are explored",
    );
    bad_input(
        &["counter", "--threads", "8", "--increments", "100"],
        "more schedules than a 128-bit number holds",
    );
}

/// clap's help is a doc comment, which cannot quote a constant: the thread limits it names must
/// be the engine's.
#[test]
fn help_quotes_the_thread_limits() {
    let out = runner().args(["explore", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    let max = engine::limits::EXPLORE_MAX_THREADS;
    let quoted = format!("1 to {max} for counter, 2 to {max} otherwise");
    assert!(
        help.contains(&quoted),
        "explore --help lacks {quoted:?}:\n{help}"
    );
}
