//! `native-runner lessons`: verdicts in the promised shape, and bad input refused in one line.
//! Only waiting lessons run here (a debug build computes slowly); every lesson runs in the
//! end-to-end tests against the release build.

use assert_cmd::Command;
use serde_json::Value;

fn runner() -> Command {
    Command::cargo_bin("native-runner").expect("binary is built")
}

#[test]
fn lessons_report_a_verdict_with_figures_and_results() {
    let out = runner()
        .args([
            "lessons", "--quick", "--id", "gil-io", "--id", "async-io", "--format", "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["machine"]["logical_cores"].as_u64().unwrap() >= 1);
    let lessons = v["lessons"].as_array().unwrap();
    assert_eq!(lessons.len(), 2);
    for (l, id) in lessons.iter().zip(["gil-io", "async-io"]) {
        assert_eq!(l["id"], id);
        assert!(l["claim"].as_str().unwrap().ends_with('.'));
        // Waits overlap on any machine, busy or not: never the opposite verdict.
        let verdict = l["verdict"].as_str().unwrap();
        assert!(["holds", "inconclusive"].contains(&verdict), "{id}: {l}");
        assert!(
            l["sentence"].as_str().unwrap().contains("as fast as one"),
            "{l}"
        );
        assert!(l["figures"]["speedup"].as_f64().unwrap() > 0.0);
        let set = &l["results"][0];
        assert_eq!(set["machine"]["runtime"], "native");
        assert!(
            set["results"][1]["breakdown"]["wait"].as_f64().unwrap() > 0.0,
            "sleeping is waiting"
        );
    }
}

#[test]
fn lessons_print_a_table_and_refuse_unknown_ids() {
    let out = runner()
        .args([
            "lessons", "--quick", "--id", "async-io", "--format", "markdown",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("| lesson") && text.contains("async-io"),
        "{text}"
    );
    let out = runner().args(["lessons", "--id", "gil"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--id gil: no such lesson (one of: gil-cpu, gil-io"),
        "{err}"
    );
}
