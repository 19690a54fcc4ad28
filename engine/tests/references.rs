//! Answers checked byte for byte against references known independently of the engine: the
//! Benchmarks Game's published outputs (see `fixtures/SOURCES.md`), closed forms and tables.
//! Each is computed with the sequential model and with dynamic-pool on 2 workers.

use engine::spec::{ModelSpec, ParamValue, WorkloadSpec};
use engine::workload::{Reference, reference};
use engine::{Answer, ModelKind, RunConfig, RunEnv, WorkloadKind, run_once};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn spec(kind: WorkloadKind, n: u64, params: &[(&str, ParamValue)]) -> WorkloadSpec {
    let mut w = WorkloadSpec::new(kind);
    w.set("n", ParamValue::Int(n)).expect("n in range");
    for (k, v) in params {
        w.set(k, v.clone()).expect("parameter in range");
    }
    w
}

fn run(w: &WorkloadSpec, model: ModelKind, workers: usize) -> Answer {
    let cfg = RunConfig {
        workload: w.clone(),
        model: ModelSpec::new(model),
        workers,
        timeline: true,
    };
    run_once(&cfg, &RunEnv::default())
        .unwrap_or_else(|e| panic!("{model} on {} n={}: {e}", w.name, w.n))
        .answer
}

/// The answer of the sequential model, checked equal (byte for byte) to dynamic-pool's on 2
/// workers.
fn answer(w: &WorkloadSpec) -> Answer {
    let sequential = run(w, ModelKind::Sequential, 1);
    let pool = run(w, ModelKind::DynamicPool, 2);
    assert!(
        sequential == pool,
        "{} n={}: sequential {:?} != dynamic-pool {:?}",
        w.name,
        w.n,
        sequential.summary,
        pool.summary
    );
    sequential
}

/// Asserts `actual` is byte-identical to `expected`, reporting the first difference.
fn assert_bytes(what: &str, actual: &[u8], expected: &[u8]) {
    if actual == expected {
        return;
    }
    let first = actual
        .iter()
        .zip(expected)
        .position(|(a, b)| a != b)
        .unwrap_or(actual.len().min(expected.len()));
    panic!(
        "{what}: output differs from the reference at byte {first} (got {} bytes, expected {}); \
         got {:?}..., expected {:?}...",
        actual.len(),
        expected.len(),
        &actual[first..actual.len().min(first + 16)],
        &expected[first..expected.len().min(first + 16)],
    );
}

/// The answer with one byte changed.
fn corrupted(a: &Answer) -> Answer {
    let mut bad = a.clone();
    let i = bad.output.len() / 2;
    bad.output[i] ^= 0x01;
    bad
}

/// The engine's own reference check: Matches for the answer, Differs for a corrupted one.
fn assert_reference_matches(w: &WorkloadSpec, a: &Answer) {
    match reference(w, a) {
        Reference::Matches(what) => assert!(!what.is_empty()),
        other => panic!("{} n={}: expected Matches, got {other:?}", w.name, w.n),
    }
    match reference(w, &corrupted(a)) {
        // Differs shows the expected output: as is when it is text, else by its digest.
        Reference::Differs(expected) => {
            let as_text = std::str::from_utf8(&a.output).is_ok_and(|t| t == expected);
            let by_digest = expected.contains(&a.sha256());
            assert!(
                as_text || by_digest,
                "{} n={}: Differs does not show the expected output: {expected:?}",
                w.name,
                w.n
            );
        }
        other => panic!(
            "{} n={}: expected Differs for a corrupted answer, got {other:?}",
            w.name, w.n
        ),
    }
}

/// Compares a workload's answer with its fixture. `builtin`: the engine's own `reference` knows
/// this size and must say Matches; for other sizes the fixture is the check, and `reference` may
/// know nothing (None), but must never call the right answer wrong.
fn check_fixture(kind: WorkloadKind, n: u64, file: &str, builtin: bool) {
    let w = spec(kind, n, &[]);
    let a = answer(&w);
    assert_bytes(&format!("{kind} n={n}"), &a.output, &fixture(file));
    if builtin {
        assert_reference_matches(&w, &a);
    } else {
        match reference(&w, &a) {
            Reference::None => {}
            Reference::Matches(_) => assert_reference_matches(&w, &a),
            Reference::Differs(e) => {
                panic!("{kind} n={n}: reference disagrees with the fixture: {e}")
            }
        }
    }
}

#[test]
fn mandelbrot_matches_published_and_generated_bitmaps() {
    // Built-in references: the published n=200 and an independent rendering up to n=64.
    for (n, builtin) in [
        (1, true),
        (7, true),
        (9, true),
        (13, true),
        (63, true),
        (101, false),
        (200, true),
        (333, false),
    ] {
        check_fixture(
            WorkloadKind::Mandelbrot,
            n,
            &format!("mandelbrot-{n}.pbm"),
            builtin,
        );
    }
}

#[test]
fn mandelbrot_summary_counts_set_pixels() {
    let w = spec(WorkloadKind::Mandelbrot, 200, &[]);
    let a = answer(&w);
    let body = &fixture("mandelbrot-200.pbm")["P4\n200 200\n".len()..];
    let set: u32 = body.iter().map(|b| b.count_ones()).sum();
    assert_eq!(
        a.summary,
        format!("200x200 bitmap, {set} pixels in the set")
    );
}

#[test]
fn spectral_norm_matches_published_outputs() {
    for (n, builtin) in [(2, false), (100, true), (101, false)] {
        check_fixture(
            WorkloadKind::SpectralNorm,
            n,
            &format!("spectral-norm-{n}.txt"),
            builtin,
        );
    }
}

#[test]
fn fannkuch_redux_matches_published_outputs() {
    for n in [7, 10] {
        check_fixture(
            WorkloadKind::FannkuchRedux,
            n,
            &format!("fannkuch-redux-{n}.txt"),
            true,
        );
    }
}

#[test]
fn n_body_matches_published_outputs() {
    for (n, builtin) in [(1000, true), (10000, false)] {
        check_fixture(WorkloadKind::NBody, n, &format!("n-body-{n}.txt"), builtin);
    }
}

#[test]
fn primes_match_the_prime_counting_table() {
    // pi(10^k), OEIS A006880.
    for (n, pi) in [(1_000u64, 168u64), (10_000, 1_229), (100_000, 9_592)] {
        let w = spec(WorkloadKind::Primes, n, &[]);
        let a = answer(&w);
        assert_bytes(
            &format!("primes n={n}"),
            &a.output,
            format!("{pi}\n").as_bytes(),
        );
        assert_eq!(a.summary, format!("{pi} primes below {n}"));
        assert_reference_matches(&w, &a);
    }
}

#[test]
fn primes_off_the_table_match_a_sieve() {
    // pi(2) = 0, pi(3) = 1 (2), pi(12345) = 1474, pi(7919) = 999 (7919 is the 1000th prime).
    for (n, pi) in [
        (2u64, 0u64),
        (3, 1),
        (7_919, 999),
        (7_920, 1_000),
        (12_345, 1_474),
    ] {
        let w = spec(WorkloadKind::Primes, n, &[("tasks", ParamValue::Int(7))]);
        let a = answer(&w);
        assert_bytes(
            &format!("primes n={n}"),
            &a.output,
            format!("{pi}\n").as_bytes(),
        );
        assert_reference_matches(&w, &a);
    }
}

#[test]
fn square_matches_the_closed_form() {
    for n in [1u64, 2, 1_000, 4_321] {
        let w = spec(WorkloadKind::Square, n, &[]);
        let a = answer(&w);
        let expected: u128 = (0..u128::from(n)).map(|x| x * x).sum();
        assert_bytes(
            &format!("square n={n}"),
            &a.output,
            format!("{expected}\n").as_bytes(),
        );
        if n > 1 {
            assert_reference_matches(&w, &a);
        }
    }
}

#[test]
fn sleep_adds_up_its_waits() {
    let int = ParamValue::Int;
    // No jitter: n x latency exactly.
    let w = spec(
        WorkloadKind::Sleep,
        5,
        &[("latency_ms", int(2)), ("jitter_ms", int(0))],
    );
    let a = answer(&w);
    assert_bytes("sleep", &a.output, b"tasks 5\ntotal_wait_ms 10.000\n");
    assert_reference_matches(&w, &a);
    // Seeded jitter: the reference draws the same waits.
    let w = spec(
        WorkloadKind::Sleep,
        7,
        &[
            ("latency_ms", int(2)),
            ("jitter_ms", int(2)),
            ("seed", int(42)),
        ],
    );
    let a = answer(&w);
    assert!(a.output.starts_with(b"tasks 7\ntotal_wait_ms "));
    assert_reference_matches(&w, &a);
}

#[test]
fn sleep_takes_at_least_its_latency() {
    let int = ParamValue::Int;
    let w = spec(
        WorkloadKind::Sleep,
        4,
        &[("latency_ms", int(5)), ("jitter_ms", int(0))],
    );
    let cfg = RunConfig {
        workload: w,
        model: ModelSpec::new(ModelKind::Sequential),
        workers: 1,
        timeline: true,
    };
    let out = run_once(&cfg, &RunEnv::default()).expect("runs");
    assert!(out.wall >= 0.020, "4 x 5 ms took {} s", out.wall);
    for r in &out.records.tasks {
        assert!(r.wait >= 0.005, "{r:?} waited less than its latency");
    }
}

#[test]
fn stream_matches_the_closed_form() {
    let int = ParamValue::Int;
    let text = |s: &str| ParamValue::Text(s.into());
    // sum: 8192 bytes = 1024 doubles 0..1023, summing to 523776 per pass.
    let w = spec(
        WorkloadKind::Stream,
        8_192,
        &[("op", text("sum")), ("passes", int(2)), ("tasks", int(5))],
    );
    let a = answer(&w);
    assert_bytes("stream sum", &a.output, b"sum 1047552\n");
    assert_reference_matches(&w, &a);
    // triad: 24576 bytes = 3 arrays of 1024, a = b + 3 * 2 sums to 523776 + 6 * 1024 per pass.
    let w = spec(
        WorkloadKind::Stream,
        24_576,
        &[("op", text("triad")), ("passes", int(3)), ("tasks", int(4))],
    );
    let a = answer(&w);
    assert_bytes("stream triad", &a.output, b"triad 1589760\n");
    assert_reference_matches(&w, &a);
    // Sizes that are no multiple of the element size, and wrap past 1024 elements.
    for (op, n) in [("sum", 20_000u64), ("triad", 50_005)] {
        let w = spec(
            WorkloadKind::Stream,
            n,
            &[("op", text(op)), ("passes", int(2)), ("tasks", int(3))],
        );
        let a = answer(&w);
        assert_reference_matches(&w, &a);
    }
}

#[test]
fn counter_counts_every_increment() {
    for variant in ["mutex", "atomic", "local-then-reduce"] {
        let w = spec(
            WorkloadKind::Counter,
            10_001,
            &[("variant", ParamValue::Text(variant.into()))],
        );
        let a = answer(&w);
        assert_bytes(
            &format!("counter {variant}"),
            &a.output,
            b"counter 10001\nlost 0\n",
        );
        assert_reference_matches(&w, &a);
    }
    // racy has no reference: lost updates are its lesson.
    let w = spec(
        WorkloadKind::Counter,
        1_000,
        &[("variant", ParamValue::Text("racy".into()))],
    );
    let a = run(&w, ModelKind::Sequential, 1);
    assert_bytes(
        "counter racy, sequential",
        &a.output,
        b"counter 1000\nlost 0\n",
    );
    assert_eq!(reference(&w, &a), Reference::None);
    // What reports read back from the answer's words.
    assert_eq!(engine::workload::lost_updates(&a.summary), Some(0));
    assert_eq!(
        engine::workload::lost_updates("counter 4999 of 5000, 1 updates lost"),
        Some(1)
    );
    assert_eq!(
        engine::workload::lost_updates("9592 primes below 100000"),
        None
    );
}

#[test]
fn amdahl_matches_the_jump_ahead_computation() {
    for (n, s) in [(4u64, 0.25f64), (3, 0.0), (2, 1.0)] {
        let w = spec(
            WorkloadKind::Amdahl,
            n,
            &[("serial_fraction", ParamValue::Float(s))],
        );
        let a = answer(&w);
        assert_eq!(a.output.len(), 17, "16 hex digits and a newline");
        assert_reference_matches(&w, &a);
        let serial = (n as f64 * s).round() as u64;
        assert!(
            a.summary
                .ends_with(&format!("({serial} of {n} units serial)")),
            "{}",
            a.summary
        );
    }
}

#[test]
fn answers_hash_their_output() {
    let a = Answer::text("s", "abc");
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    assert_eq!(
        a.sha256(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn philosophers_eat_every_meal_with_forks_of_their_own() {
    for order in ["naive", "ordered", "try-lock"] {
        let w = spec(
            WorkloadKind::Philosophers,
            7,
            &[
                ("order", ParamValue::Text(order.into())),
                ("philosophers", ParamValue::Int(3)),
                ("hold_ms", ParamValue::Int(0)),
            ],
        );
        // One worker: the naive order cannot deadlock when one philosopher eats at a time.
        let a = run(&w, ModelKind::Sequential, 1);
        assert_bytes(
            &format!("philosophers {order}"),
            &a.output,
            b"meals 21\nshared 0\n",
        );
        assert_reference_matches(&w, &a);
    }
}
