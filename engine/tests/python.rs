//! Every model has the Python a tutorial would write and an expectation for every workload, and
//! the texts keep what the page's lessons rely on.

use engine::{ModelKind, WorkloadKind};

fn snippet(m: ModelKind, w: WorkloadKind, workers: u32, chunk: Option<u64>) -> String {
    m.info().python_code(w.info().python_task, workers, chunk)
}

fn expectation(m: ModelKind, w: WorkloadKind) -> &'static str {
    m.info().expectation(w.info().bound)
}

#[test]
fn every_model_has_a_snippet_and_an_expectation_for_every_workload() {
    for &m in ModelKind::ALL {
        for &w in WorkloadKind::ALL {
            let code = snippet(m, w, 2, Some(4));
            assert!(!code.is_empty());
            assert!(
                !code.contains("{f}")
                    && !code.contains("{workers}")
                    && !code.contains("{chunk_arg}"),
                "{m}: a placeholder is left in {code}"
            );
            assert!(expectation(m, w).ends_with('.'), "{m} on {w}");
        }
    }
    assert!(
        snippet(ModelKind::StaticPool, WorkloadKind::Square, 4, Some(8))
            .contains("pool.map(square, items, chunksize=8)")
    );
    assert!(snippet(ModelKind::Async, WorkloadKind::Sleep, 2, None).contains("asyncio.gather"));
    assert!(snippet(ModelKind::Gil, WorkloadKind::Primes, 3, None).contains("max_workers=3"));
}

#[test]
fn expectations_follow_the_model_first_then_the_kind_of_work() {
    // The baseline says it is the reference whatever the work.
    for &w in WorkloadKind::ALL {
        assert!(expectation(ModelKind::Sequential, w).starts_with("The reference"));
    }
    // A model's own words where it behaves differently...
    assert!(expectation(ModelKind::Gil, WorkloadKind::Mandelbrot).contains("GIL"));
    assert!(expectation(ModelKind::Gil, WorkloadKind::Sleep).contains("release the GIL"));
    assert!(expectation(ModelKind::ThreadPerTask, WorkloadKind::Square).contains("thread"));
    // ...and otherwise what the kind of work says: n-body is sequential for every model.
    for &m in &ModelKind::ALL[1..] {
        assert!(expectation(m, WorkloadKind::NBody).starts_with("n-body is one long task"));
    }
    assert_eq!(
        expectation(ModelKind::DynamicPool, WorkloadKind::Stream),
        engine::workload::Bound::Memory.expectation()
    );
}
