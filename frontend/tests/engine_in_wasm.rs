//! The engine compiled to WebAssembly (32-bit `usize`), checked where native tests cannot reach.

use engine::model::{RunConfig, RunEnv, run_once};
use engine::workload::{Reference, reference};
use engine::{Answer, ModelKind, ModelSpec, WorkloadKind, WorkloadSpec};
use wasm_bindgen_test::wasm_bindgen_test;

fn spec(kind: WorkloadKind, n: u64) -> WorkloadSpec {
    let mut w = WorkloadSpec::new(kind);
    w.n = n;
    w
}

#[wasm_bindgen_test]
fn references_hold_on_32_bit_targets() {
    // pi(3 * 10^6) = 216816; the sieve once overflowed usize here.
    let primes = spec(WorkloadKind::Primes, 3_000_000);
    assert!(matches!(
        reference(&primes, &Answer::text("", "216816\n")),
        Reference::Matches(_)
    ));
    assert!(matches!(
        reference(&primes, &Answer::text("", "216817\n")),
        Reference::Differs(_)
    ));
}

#[wasm_bindgen_test]
fn sequential_and_async_run_and_match_their_references() {
    for (kind, n) in [
        (WorkloadKind::Mandelbrot, 200),
        (WorkloadKind::SpectralNorm, 100),
        (WorkloadKind::FannkuchRedux, 7),
        (WorkloadKind::NBody, 1000),
        (WorkloadKind::Square, 1000),
        (WorkloadKind::Stream, 1 << 16),
    ] {
        for model in [ModelKind::Sequential, ModelKind::Async] {
            let cfg = RunConfig {
                workload: spec(kind, n),
                model: ModelSpec::new(model),
                workers: 1,
                timeline: true,
            };
            let outcome = run_once(&cfg, &RunEnv::default()).expect("runs in wasm");
            assert!(
                matches!(
                    reference(&cfg.workload, &outcome.answer),
                    Reference::Matches(_)
                ),
                "{kind} on {model} in wasm"
            );
        }
    }
}

#[wasm_bindgen_test]
fn threaded_models_say_why_they_cannot_run_without_threads() {
    let cfg = RunConfig {
        workload: spec(WorkloadKind::Primes, 1000),
        model: ModelSpec::new(ModelKind::DynamicPool),
        workers: 2,
        timeline: true,
    };
    let err = run_once(&cfg, &RunEnv::default()).unwrap_err();
    assert!(err.to_string().contains("no threads"), "{err}");
}
