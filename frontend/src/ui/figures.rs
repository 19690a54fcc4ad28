//! How the page words its figures, so that a reader can tell a result from noise on a busy
//! machine: every ratio with its 95% interval ("1.95 ± 0.03", as hyperfine writes it), "no
//! significant difference" where the interval holds 1, and every warning the engine raised
//! beside the figure it concerns and again, in full, under the table (so nothing depends on
//! hovering). Pure functions of the results, so they can be tested.

use std::rc::Rc;

use engine::ModelKind;
use engine::compare::{self, CompareRow};
use engine::result::{ModelResult, ResultSet};
use engine::warning::WarningKind;

use super::state::Source;

pub use engine::stats::with_interval;

/// "38.99 ms".
pub fn fmt_time(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

/// The speedup cell: "1.95 ± 0.03", or "–" without a baseline.
pub fn speedup_text(r: &ModelResult) -> String {
    r.speedup
        .map_or("–".into(), |s| with_interval(s, r.speedup_ci))
}

/// Whether a warning is about the speedup (shown beside it) rather than about the timings
/// (shown beside the mean time).
pub fn about_speedup(kind: WarningKind) -> bool {
    matches!(
        kind,
        WarningKind::ImplausibleSpeedup | WarningKind::BaselineUnreliable
    )
}

/// The words for a configuration: "dynamic-pool, 2 workers, chunk 4".
pub fn configuration(model: ModelKind, workers: u32, chunk: Option<u64>) -> String {
    let mut s = format!(
        "{model}, {workers} worker{}",
        if workers == 1 { "" } else { "s" }
    );
    if let Some(c) = chunk {
        s.push_str(&format!(", chunk {c}"));
    }
    s
}

/// A warning numbered for the notes under the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub number: usize,
    /// The badge's word: a warning's kind, or "unreliable" for a ratio.
    pub label: String,
    /// Where it applies: "this browser, dynamic-pool, 2 workers".
    pub place: String,
    pub message: String,
    /// Shown beside the speedup rather than beside the mean time.
    pub about_speedup: bool,
}

/// A browser row's time over the same configuration's native time, as compared by
/// [`compare::row`]: with its interval and test, and flagged when either side's timings carry
/// a warning.
#[derive(Debug, Clone, PartialEq)]
pub struct NativeRatio {
    pub row: CompareRow,
    /// The note saying why the ratio should not be believed as it stands.
    pub flag: Option<Note>,
}

/// Everything the table shows beside one result row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowNotes {
    /// The row's warnings, numbered.
    pub warnings: Vec<Note>,
    pub native: Option<NativeRatio>,
}

/// Every row's notes, set by set, and the notes in the order they are numbered.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Annotated {
    pub rows: Vec<Vec<RowNotes>>,
    pub notes: Vec<Note>,
}

fn runtime_of(rs: &ResultSet) -> &str {
    rs.machine.as_ref().map_or("?", |m| m.runtime.as_str())
}

/// For a browser result: the same configuration of the same experiment run natively, when
/// such a native result is on the page.
fn native_twin<'a>(
    results: &'a [(Source, Rc<ResultSet>)],
    rs: &ResultSet,
    r: &ModelResult,
) -> Option<&'a ModelResult> {
    if runtime_of(rs) != "wasm" {
        return None;
    }
    results
        .iter()
        .map(|(_, other)| other)
        .filter(|other| runtime_of(other) == "native" && other.experiment == rs.experiment)
        .flat_map(|other| other.results.iter())
        .find(|n| n.model == r.model && n.workers == r.workers && n.chunk_size == r.chunk_size)
}

/// Why a ratio of two results' times inherits their trouble, if it does. A baseline's trouble
/// is left out: the ratio does not divide by the baseline.
fn ratio_trouble(browser: &ModelResult, native: &ModelResult) -> Option<String> {
    let kinds = |r: &ModelResult| -> Vec<&'static str> {
        r.warnings
            .iter()
            .map(|w| w.kind)
            .filter(|k| *k != WarningKind::BaselineUnreliable)
            .map(WarningKind::name)
            .collect()
    };
    let parts: Vec<String> = [("browser", kinds(browser)), ("native", kinds(native))]
        .into_iter()
        .filter(|(_, k)| !k.is_empty())
        .map(|(side, k)| format!("the {side} run is flagged {}", k.join(", ")))
        .collect();
    (!parts.is_empty()).then(|| {
        format!(
            "unreliable: {}; the ratio inherits its error, so take it as a rough figure",
            parts.join(" and ")
        )
    })
}

/// Numbers every warning of every row, in table order, and works out the wasm/native ratios.
pub fn annotate(results: &[(Source, Rc<ResultSet>)]) -> Annotated {
    let mut out = Annotated::default();
    for (source, rs) in results {
        let mut rows = Vec::new();
        for r in &rs.results {
            let place = format!(
                "{} — {} n={}, {}",
                source.label(),
                rs.experiment.workload.name,
                rs.experiment.workload.n,
                configuration(r.model, r.workers, r.chunk_size)
            );
            let mut notes = RowNotes::default();
            for w in &r.warnings {
                let note = Note {
                    number: out.notes.len() + 1,
                    label: w.kind.name().to_string(),
                    place: place.clone(),
                    message: w.message.clone(),
                    about_speedup: about_speedup(w.kind),
                };
                out.notes.push(note.clone());
                notes.warnings.push(note);
            }
            notes.native = native_twin(results, rs, r).map(|n| {
                let flag = ratio_trouble(r, n).map(|message| {
                    let note = Note {
                        number: out.notes.len() + 1,
                        label: "unreliable".into(),
                        place: format!("{place}, wasm/native"),
                        message,
                        about_speedup: false,
                    };
                    out.notes.push(note.clone());
                    note
                });
                NativeRatio {
                    row: compare::row(r, n),
                    flag,
                }
            });
            rows.push(notes);
        }
        out.rows.push(rows);
    }
    out
}

/// One comparison of the page's own results (A) with results from elsewhere (B).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    /// Configuration by configuration, or why the two cannot be compared.
    pub rows: Result<Vec<CompareRow>, String>,
}

/// What the comparisons say: the newest results run in this page against each set imported,
/// attached to a link or reopened from the history.
pub fn comparisons(results: &[(Source, Rc<ResultSet>)]) -> Vec<Comparison> {
    let Some((a_source, a)) = results.iter().find(|(s, _)| *s == Source::Browser) else {
        return Vec::new();
    };
    results
        .iter()
        .filter(|(s, _)| matches!(s, Source::File(_) | Source::Link | Source::History))
        .map(|(b_source, b)| Comparison {
            a: a_source.label(),
            b: b_source.label(),
            rows: compare::compare(a, b)
                .map(|c| c.rows)
                .map_err(|e| e.to_string()),
        })
        .collect()
}

/// Whether there are results from elsewhere, but none of this page's own to compare them with.
pub fn awaiting_comparison(results: &[(Source, Rc<ResultSet>)]) -> bool {
    !results.iter().any(|(s, _)| *s == Source::Browser)
        && results
            .iter()
            .any(|(s, _)| matches!(s, Source::File(_) | Source::Link))
}

/// A warning's badge text: "⚠ noisy".
pub fn badge(label: &str) -> String {
    format!("⚠ {label}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::{MachineInfo, WorkloadKind};

    fn machine(runtime: &str, cores: u32) -> MachineInfo {
        MachineInfo {
            runtime: runtime.into(),
            logical_cores: cores,
            physical_cores: None,
            cpu_model: None,
            caches: Vec::new(),
            os: "test".into(),
            arch: "test".into(),
            timer_resolution: 1e-9,
            ranks: Vec::new(),
        }
    }

    fn result(model: ModelKind, workers: u32, times: &[f64]) -> ModelResult {
        let s = engine::stats::summarize(times);
        let json = serde_json::json!({
            "model": model, "workers": workers, "times": times,
            "mean": s.mean, "stddev": s.stddev, "median": s.median, "min": s.min, "max": s.max,
            "outliers": [], "speedup": null, "efficiency": null, "karp_flatt": null,
            "answer": {"summary": "x", "output_bytes": 1, "sha256": "y"},
            "verified": true, "verification": "", "workers_used": workers,
            "worker_stats": [], "tasks": []
        });
        serde_json::from_value(json).expect("a result")
    }

    fn set(runtime: &str, cores: u32, baseline: &[f64], pool: &[f64], speedup: f64) -> ResultSet {
        // The page's own starting experiment: a pool model with a sequential baseline.
        let exp = super::super::state::page_default(WorkloadKind::Primes, 2);
        let mut base = result(ModelKind::Sequential, 1, baseline);
        base.speedup = Some(1.0);
        let mut pool = result(exp.model.name, 2, pool);
        pool.speedup = Some(speedup);
        let mut rs = ResultSet {
            schema_version: engine::SCHEMA_VERSION,
            experiment: exp,
            machine: None,
            results: vec![base, pool],
            partial: None,
            error: None,
        };
        rs.set_machine(machine(runtime, cores));
        rs
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn intervals_are_written_as_hyperfine_does() {
        assert_eq!(with_interval(1.95, Some([1.92, 1.98])), "1.95 ± 0.03");
        assert_eq!(with_interval(1.0, None), "1.00");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn an_older_file_gets_its_speedup_interval_from_its_timings() {
        let mut rs = set("wasm", 2, &[1.0, 1.01, 0.99], &[0.5, 0.51, 0.49], 2.0);
        rs.results[1].speedup_ci = None;
        // As the page does with every file it reads.
        engine::warning::assess(&mut rs);
        let text = speedup_text(&rs.results[1]);
        assert!(text.starts_with("2.00 ± 0.0"), "{text}");
        assert_eq!(
            speedup_text(&rs.results[0]),
            "1.00",
            "the baseline has none"
        );
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn an_impossible_speedup_and_a_noisy_baseline_are_numbered_notes() {
        let rs = set("wasm", 2, &[1.0, 1.5, 2.0], &[0.38, 0.38, 0.38], 3.94);
        let a = annotate(&[(Source::Browser, Rc::new(rs))]);
        let labels: Vec<&str> = a.notes.iter().map(|n| n.label.as_str()).collect();
        assert!(labels.contains(&"noisy"), "{labels:?}");
        assert!(labels.contains(&"implausible-speedup"), "{labels:?}");
        assert!(labels.contains(&"baseline-unreliable"), "{labels:?}");
        let numbers: Vec<usize> = a.notes.iter().map(|n| n.number).collect();
        assert_eq!(numbers, (1..=a.notes.len()).collect::<Vec<_>>());
        assert!(
            a.rows[0][1]
                .warnings
                .iter()
                .any(|n| n.label == "implausible-speedup")
        );
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_wasm_native_ratio_has_an_interval_and_is_flagged_when_a_side_is() {
        let quiet = [1.0, 1.001, 0.999];
        let wasm = set("wasm", 2, &quiet, &[0.65, 0.651, 0.649], 1.54);
        let native = set("native", 2, &quiet, &[0.5, 0.501, 0.499], 2.0);
        let a = annotate(&[
            (Source::Browser, Rc::new(wasm.clone())),
            (Source::Native, Rc::new(native)),
        ]);
        let r = a.rows[0][1].native.as_ref().expect("a ratio");
        assert!(r.row.significant);
        assert!(
            r.row
                .sentence("wasm", "native")
                .starts_with("wasm took 1.30 ± 0.0")
        );
        assert_eq!(r.flag, None);
        assert!(a.rows[1][1].native.is_none(), "only browser rows get one");

        let noisy = set("native", 2, &quiet, &[0.4, 0.5, 0.6], 2.0);
        let a = annotate(&[
            (Source::Browser, Rc::new(wasm)),
            (Source::Native, Rc::new(noisy)),
        ]);
        let r = a.rows[0][1].native.as_ref().expect("a ratio");
        let flag = r.flag.as_ref().expect("flagged");
        assert!(
            flag.message.contains("native run is flagged noisy"),
            "{}",
            flag.message
        );
        assert!(
            !r.row.significant,
            "a noisy side leaves no significant difference"
        );
        assert_eq!(r.row.verdict(), "no significant difference");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn imported_results_are_compared_or_said_to_differ() {
        let quiet = [1.0, 1.001, 0.999];
        let mine = set("wasm", 2, &quiet, &[0.5, 0.501, 0.499], 2.0);
        let theirs = set("native", 2, &quiet, &[0.5, 0.502, 0.498], 2.0);
        let c = comparisons(&[
            (Source::Browser, Rc::new(mine.clone())),
            (Source::File("x.json".into()), Rc::new(theirs.clone())),
        ]);
        let rows = c[0].rows.as_ref().expect("comparable");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].verdict(), "no significant difference");

        let mut other = theirs;
        other.experiment.workload.n += 1;
        let c = comparisons(&[
            (Source::Browser, Rc::new(mine)),
            (Source::Link, Rc::new(other.clone())),
        ]);
        let why = c[0].rows.as_ref().expect_err("different experiments");
        assert!(why.contains("different experiments"), "{why}");
        assert!(awaiting_comparison(&[(Source::Link, Rc::new(other))]));
    }
}
