//! The lessons' CPython side, without an interpreter: the experiments it is sent, and the
//! verdicts its answers get, judged by the lessons' own predicates. (native-runner's
//! `tests/python.rs` runs the real script.)

use engine::lesson::{self, LessonResult, ReportLesson, Size, Verdict};
use engine::spec::Repetitions;
use serde_json::{Value, json};

const CPYTHON: &str = "CPython 3.11.7";

fn report(id: &str, sets: Value) -> ReportLesson {
    serde_json::from_value(json!({"id": id, "sets": sets})).unwrap()
}

fn row(model: &str, workers: u32, times: &[f64]) -> Value {
    json!({"model": model, "workers": workers, "times": times, "answer": "primes: 9592", "verified": true})
}

/// Our side of the lesson: what `judge_cpython` sets CPython's figures beside.
fn ours(id: &str) -> LessonResult {
    lesson::find(id)
        .unwrap()
        .could_not_run("not run in this test", Vec::new())
}

fn judge(id: &str, cores: u32, sets: Value) -> engine::lesson::CPythonResult {
    let l = lesson::find(id).unwrap();
    let exps = l.cpython_experiments(Size::Quick, cores).unwrap();
    l.judge_cpython(exps, &report(id, sets), CPYTHON, &ours(id), cores)
}

#[test]
fn cpython_runs_our_experiments_scaled_down_with_fixed_repetitions() {
    let mut sides = 0;
    for l in lesson::all() {
        let Some(side) = &l.cpython else {
            assert!(l.cpython_experiments(Size::Quick, 2).is_none());
            continue;
        };
        sides += 1;
        assert!(side.scale >= 1 && !side.differs.is_empty(), "{}", l.id);
        for size in [Size::Quick, Size::Full] {
            for cores in [1, 2, 8] {
                let ours = l.experiments(size, cores);
                let py = l.cpython_experiments(size, cores).unwrap();
                assert_eq!(ours.len(), py.len(), "{}", l.id);
                for (o, p) in ours.iter().zip(&py) {
                    assert_eq!(p.workload.n, (o.workload.n / side.scale).max(1), "{}", l.id);
                    assert_eq!(p.workload.params, o.workload.params, "{}", l.id);
                    assert_eq!(p.model, o.model, "{}", l.id);
                    assert_eq!(p.sweep, o.sweep, "{}", l.id);
                    assert!(matches!(p.repetitions, Repetitions::Fixed(_)), "{}", l.id);
                }
            }
        }
    }
    assert!(sides >= 9, "the tutorials' constructs have a Python side");
}

#[test]
fn cpython_rows_are_judged_by_the_lessons_own_predicate() {
    let base = [1.00, 1.01, 0.99, 1.00, 1.00];
    // CPython's threads slower than one: the GIL claim holds.
    let r = judge(
        "gil-cpu",
        2,
        json!([{"rows": [row("sequential", 1, &base), row("gil", 2, &[1.6, 1.62, 1.58, 1.61, 1.6])]}]),
    );
    assert_eq!(r.verdict, Verdict::Holds, "{}", r.sentence);
    assert_eq!(r.interpreter, CPYTHON);
    assert!(
        r.sentence
            .starts_with("2 threads under the GIL ran 0.62 ± 0.0"),
        "{}",
        r.sentence
    );
    assert!((r.figures["speedup"] - 0.625).abs() < 0.01);
    assert!(
        r.results[0].results[1].speedup_ci.is_some(),
        "intervals are filled in"
    );
    assert!(!r.differs.is_empty());
    // Twice as fast would contradict it, in CPython as in ours.
    let r = judge(
        "gil-cpu",
        2,
        json!([{"rows": [row("sequential", 1, &base), row("gil", 2, &[0.5, 0.51, 0.49, 0.5, 0.5])]}]),
    );
    assert_eq!(r.verdict, Verdict::DoesNotHold, "{}", r.sentence);
}

#[test]
fn cpython_figures_are_set_beside_ours_with_the_cost_of_the_same_work() {
    let l = lesson::find("gil-cpu").unwrap();
    let py_sets = json!([{"rows": [row("sequential", 1, &[1.0, 1.0, 1.0]), row("gil", 2, &[1.5, 1.5, 1.5])]}]);
    // Our side at our size (n, where CPython ran n / 5), from rows of the same shape: the
    // result sets are built the same way whoever timed them.
    let ours = l.judge_cpython(
        l.experiments(Size::Quick, 2),
        &report(
            "gil-cpu",
            json!([{"rows": [row("sequential", 1, &[0.25, 0.25, 0.25]), row("gil", 2, &[0.25, 0.25, 0.25])]}]),
        ),
        "ours",
        &ours("gil-cpu"),
        2,
    );
    let ours = l.judge(ours.results, 2);
    let exps = l.cpython_experiments(Size::Quick, 2).unwrap();
    let r = l.judge_cpython(exps, &report("gil-cpu", py_sets), CPYTHON, &ours, 2);
    assert!(
        r.beside
            .contains("Speedup 0.67 in CPython 3.11.7, 1 in ours"),
        "{}",
        r.beside
    );
    // CPython: 1 s for n/5; ours: 0.25 s for n, so a unit took 20 times as long.
    assert!(
        r.beside.contains("took 20 times as long in CPython"),
        "{}",
        r.beside
    );
}

#[test]
fn a_racy_cpython_counter_that_loses_updates_holds() {
    let counter = |model: &str, answer: &str, verified: Value| {
        json!({"rows": [{"model": model, "workers": 2, "times": [0.1, 0.1, 0.1],
                         "answer": answer, "verified": verified}]})
    };
    let n = 2_000_000;
    let r = judge(
        "race",
        2,
        json!([
            counter(
                "static-pool",
                &format!("counter 1500000 of {n}, 500000 updates lost"),
                Value::Null
            ),
            counter(
                "static-pool",
                &format!("counter {n} of {n}, 0 updates lost"),
                json!(true)
            ),
            counter(
                "static-pool",
                &format!("counter {n} of {n}, 0 updates lost"),
                json!(true)
            ),
            counter(
                "static-pool",
                &format!("counter {n} of {n}, 0 updates lost"),
                json!(true)
            ),
        ]),
    );
    assert_eq!(r.verdict, Verdict::Holds, "{}", r.sentence);
    assert_eq!(r.figures["lost_updates"], 500_000.0);
}

#[test]
fn cpython_delivery_order_decides_the_order_lesson() {
    let delivered = |order: Vec<u32>| {
        json!({"rows": [{"model": "dynamic-pool", "workers": 4, "times": [0.05, 0.05],
                         "answer": "sleep: 120", "verified": true, "delivered": order}]})
    };
    let r = judge(
        "order",
        2,
        json!([
            delivered((0..16).collect()),
            delivered((0..16).rev().collect())
        ]),
    );
    assert_eq!(r.verdict, Verdict::Holds, "{}", r.sentence);
    assert_eq!(r.figures["completion_out_of_order"], 16.0);
}

#[test]
fn busy_cores_make_core_claims_inconclusive_not_wrong() {
    // Two workers on two cores barely faster than one: the cores were taken, so the static
    // pool's idle time cannot be seen; whichever row won, the verdict says why it cannot tell.
    let base = [1.0, 1.01, 0.99, 1.0, 1.0];
    let sets = |stat: &[f64], dynamic: &[f64]| {
        json!([
            {"rows": [row("sequential", 1, &base), row("static-pool", 2, stat)]},
            {"rows": [row("sequential", 1, &base), row("dynamic-pool", 2, dynamic)]},
        ])
    };
    let r = judge(
        "imbalance",
        2,
        sets(&[0.8; 5], &[0.95, 0.96, 0.94, 0.95, 0.95]),
    );
    assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.sentence);
    assert!(
        r.sentence.starts_with("Other programs were using"),
        "{}",
        r.sentence
    );
    // Free cores: the queue's near-ideal speedup, and static chunks clearly slower.
    let r = judge(
        "imbalance",
        2,
        sets(
            &[0.70, 0.71, 0.69, 0.70, 0.70],
            &[0.53, 0.52, 0.53, 0.54, 0.53],
        ),
    );
    assert_eq!(r.verdict, Verdict::Holds, "{}", r.sentence);
}

#[test]
fn what_cpython_could_not_run_is_inconclusive_and_says_why() {
    let l = lesson::find("gil-cpu").unwrap();
    let exps = l.cpython_experiments(Size::Quick, 2).unwrap();
    let failed: ReportLesson =
        serde_json::from_value(json!({"id": "gil-cpu", "error": "OSError: no semaphores"}))
            .unwrap();
    let r = l.judge_cpython(exps.clone(), &failed, CPYTHON, &ours("gil-cpu"), 2);
    assert_eq!(r.verdict, Verdict::Inconclusive);
    assert_eq!(
        r.sentence,
        "CPython 3.11.7 could not run it: OSError: no semaphores"
    );
    // Fewer result sets than experiments: not judged from what is missing.
    let r = l.judge_cpython(
        exps,
        &report("gil-cpu", json!([])),
        CPYTHON,
        &ours("gil-cpu"),
        2,
    );
    assert_eq!(r.verdict, Verdict::Inconclusive);
    assert!(
        r.sentence.contains("0 result sets for 1 experiments"),
        "{}",
        r.sentence
    );
}
