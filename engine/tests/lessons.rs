//! The lessons' catalogue and their verdict rules, without timing anything: the verdicts are
//! driven by result sets whose figures the test chooses.

use engine::lesson::{self, Size, Verdict};
use engine::{ModelKind, ResultSet};

#[test]
fn every_lesson_has_an_id_a_claim_and_valid_experiments_on_any_machine() {
    let mut ids: Vec<&str> = lesson::all().iter().map(|l| l.id).collect();
    for id in [
        "gil-cpu",
        "gil-io",
        "processes-cpu",
        "async-io",
        "async-cpu",
        "chunksize",
        "imbalance",
        "race",
        "messages-vs-shared",
        "oversubscription",
        "memory-bound",
        "amdahl",
        "order",
        "thread-startup",
        "deadlock",
    ] {
        assert!(lesson::find(id).is_some(), "no lesson {id}");
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), lesson::all().len(), "ids are unique");
    for l in lesson::all() {
        assert!(l.claim.ends_with('.') && !l.python.is_empty() && !l.explanation.is_empty());
        for size in [Size::Quick, Size::Full] {
            for cores in [1, 2, 8, 64] {
                // `experiments` validates each one and panics on an invalid spec.
                assert!(!l.experiments(size, cores).is_empty(), "{}", l.id);
            }
        }
    }
}

/// A result set of the gil-cpu lesson's shape whose GIL speedup is `base / gil` times.
fn gil_set(base: &[f64], gil: &[f64]) -> ResultSet {
    let l = lesson::find("gil-cpu").unwrap();
    let exp = l.experiments(Size::Quick, 2).remove(0);
    let result = |model: ModelKind, workers: u32, times: &[f64]| {
        let s = engine::stats::summarize(times);
        serde_json::from_value(serde_json::json!({
            "model": model, "workers": workers, "times": times,
            "mean": s.mean, "stddev": s.stddev, "median": s.median, "min": s.min, "max": s.max,
            "outliers": [], "speedup": null, "efficiency": null, "karp_flatt": null,
            "answer": {"summary": "x", "output_bytes": 1, "sha256": "y"},
            "verified": true, "verification": "", "workers_used": workers,
            "worker_stats": [], "tasks": []
        }))
        .unwrap()
    };
    let mut set = ResultSet {
        schema_version: engine::SCHEMA_VERSION,
        experiment: exp,
        machine: None,
        results: vec![
            result(ModelKind::Sequential, 1, base),
            result(ModelKind::Gil, 2, gil),
        ],
        partial: None,
        error: None,
    };
    set.results[0].speedup = Some(1.0);
    set.results[1].speedup = Some(set.results[0].summary.mean / set.results[1].summary.mean);
    engine::warning::assess(&mut set);
    set
}

#[test]
fn a_verdict_follows_the_interval_and_says_so_in_words() {
    let l = lesson::find("gil-cpu").unwrap();
    let base = [1.00, 1.01, 0.99, 1.00, 1.00];
    // As fast as one thread, tightly: holds.
    let r = l.judge(vec![gil_set(&base, &[1.01, 1.00, 1.02, 1.01, 1.00])], 2);
    assert_eq!(r.verdict, Verdict::Holds, "{}", r.sentence);
    assert!(
        r.sentence
            .starts_with("2 threads under the GIL ran 0.99 ± 0.0"),
        "{}",
        r.sentence
    );
    assert!(r.figures["speedup_hi"] < 1.1);
    // Twice as fast, tightly: the claim does not hold.
    let r = l.judge(vec![gil_set(&base, &[0.50, 0.51, 0.49, 0.50, 0.50])], 2);
    assert_eq!(r.verdict, Verdict::DoesNotHold, "{}", r.sentence);
    // Somewhere around 1.1 with wild noise: undecided, and said to be.
    let r = l.judge(vec![gil_set(&base, &[0.5, 1.4, 0.7, 1.2, 0.9])], 2);
    assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.sentence);
    assert!(r.sentence.contains("does not decide"), "{}", r.sentence);
    // A stopped run gives no verdict.
    let mut partial = gil_set(&base, &[1.0; 5]);
    partial.partial = Some(engine::result::Partial {
        reason: "stopped".into(),
        stopped: None,
    });
    assert_eq!(l.judge(vec![partial], 2).verdict, Verdict::Inconclusive);
}

#[test]
fn a_claim_the_machine_cannot_show_is_inconclusive_and_says_why() {
    let l = lesson::find("processes-cpu").unwrap();
    let r = l.judge(Vec::new(), 1);
    assert_eq!(r.verdict, Verdict::Inconclusive);
    assert!(r.sentence.contains("1 logical core"), "{}", r.sentence);
    let r = l.could_not_run("this host gave no worker program", Vec::new());
    assert_eq!(r.verdict, Verdict::Inconclusive);
    assert!(r.sentence.contains("could not run here"), "{}", r.sentence);
}

#[test]
fn waiting_lessons_run_here_and_never_contradict_their_claim() {
    // On any machine, loaded or not, waits overlap: these hold or are inconclusive. (The CPU
    // lessons are sized for a release build; the end-to-end tests run them all.)
    for id in ["gil-io", "async-io"] {
        let l = lesson::find(id).unwrap();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
        let r = lesson::run(
            l,
            Size::Quick,
            cores,
            &engine::RunEnv::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_ne!(r.verdict, Verdict::DoesNotHold, "{id}: {}", r.sentence);
        assert_eq!(r.results.len(), 1);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["id"], id);
        assert!(["holds", "inconclusive"].contains(&json["verdict"].as_str().unwrap()));
    }
}

/// The deadlock lesson judges what happened, not how fast: a naive run that deadlocked and an
/// ordered one that ate every meal hold; a naive run that never deadlocked is inconclusive; an
/// ordered run that missed a meal does not hold.
#[test]
fn the_deadlock_lesson_judges_the_cycle_and_the_meals() {
    use engine::locks::{Deadlock, WaitEdge};
    use engine::result::{Failure, Partial};
    let l = lesson::find("deadlock").unwrap();
    let exps = l.experiments(Size::Quick, 2);
    let ordered = |verified: bool| -> engine::ModelResult {
        serde_json::from_value(serde_json::json!({
            "model": "thread-per-task", "workers": 3, "times": [0.05],
            "mean": 0.05, "stddev": 0.0, "median": 0.05, "min": 0.05, "max": 0.05,
            "outliers": [], "speedup": null, "efficiency": null, "karp_flatt": null,
            "answer": {"summary": "60 meals for 3 philosophers, no fork ever held by two at once", "output_bytes": 1, "sha256": "y"},
            "verified": verified, "verification": "", "workers_used": 3,
            "worker_stats": [], "tasks": []
        }))
        .unwrap()
    };
    let set = |exp: &engine::Experiment, results, partial, error| ResultSet {
        schema_version: engine::SCHEMA_VERSION,
        experiment: exp.clone(),
        machine: None,
        results,
        partial,
        error,
    };
    let cycle = Deadlock {
        cycle: (0..3)
            .map(|w| WaitEdge {
                worker: w,
                task: w,
                holds: format!("fork {w}"),
                waits_for: format!("fork {}", (w + 1) % 3),
                since: 0.005,
            })
            .collect(),
        at: 0.0051,
    };
    let deadlocked = set(
        &exps[0],
        vec![],
        Some(Partial {
            reason: "deadlock".into(),
            stopped: None,
        }),
        Some(Failure::Deadlock(cycle)),
    );
    let r = l.judge(
        vec![
            deadlocked.clone(),
            set(&exps[1], vec![ordered(true)], None, None),
        ],
        2,
    );
    assert_eq!(r.verdict, Verdict::Holds, "{}", r.sentence);
    assert!(
        r.sentence
            .contains("deadlocked 5.1 ms in: worker 0 holds fork 0 and waits for fork 1"),
        "{}",
        r.sentence
    );
    assert_eq!(r.figures["cycle_workers"], 3.0);
    // The naive order ate every meal this time: nothing decided.
    let r = l.judge(
        vec![
            set(&exps[0], vec![ordered(true)], None, None),
            set(&exps[1], vec![ordered(true)], None, None),
        ],
        2,
    );
    assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.sentence);
    // The ordered order missed a meal: the claim does not hold.
    let r = l.judge(
        vec![deadlocked, set(&exps[1], vec![ordered(false)], None, None)],
        2,
    );
    assert_eq!(r.verdict, Verdict::DoesNotHold, "{}", r.sentence);
}
