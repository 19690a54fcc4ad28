//! Turning results into text: one [`Exporter`] per output format, as hyperfine does.

use comfy_table::presets::{ASCII_MARKDOWN, UTF8_FULL_CONDENSED};
use comfy_table::{Cell, CellAlignment, Table};
use engine::result::{ModelResult, ResultSet};

/// Output formats of `run` and `sweep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Markdown,
}

/// Renders a result set in one format.
pub trait Exporter {
    fn export(&self, results: &ResultSet) -> String;
}

/// The exporter for a format.
pub fn exporter(format: Format) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(TableExporter { markdown: false }),
        Format::Markdown => Box::new(TableExporter { markdown: true }),
        Format::Json => Box::new(JsonExporter),
        Format::Csv => Box::new(CsvExporter),
    }
}

pub use engine::stats::human_time;
use engine::stats::with_interval;

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.digits$}"))
}

fn verified(r: &ModelResult) -> &'static str {
    match r.verified {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "-",
    }
}

/// The hyperfine-style comparison lines, with the speedup's 95% interval: "dynamic-pool, 2
/// workers: 1.95 ± 0.03 times faster than sequential".
pub fn comparisons(results: &ResultSet) -> Vec<String> {
    results
        .results
        .iter()
        .filter(|r| r.model != engine::ModelKind::Sequential)
        .filter_map(|r| {
            let ratio = r.speedup?;
            let label = label(r);
            let flagged = if r.warnings.is_empty() {
                ""
            } else {
                " (flagged: see below)"
            };
            // A slower run reads as "times slower": the ratio and its interval inverted.
            let (value, ci, word) = if ratio >= 1.0 {
                (ratio, r.speedup_ci, "faster")
            } else {
                (
                    1.0 / ratio,
                    r.speedup_ci.map(|[lo, hi]| [1.0 / hi, 1.0 / lo]),
                    "slower",
                )
            };
            Some(format!(
                "{label}: {} times {word} than sequential{flagged}",
                with_interval(value, ci)
            ))
        })
        .collect()
}

/// "1.95 ± 0.03": a speedup with its interval's half-width.
fn speedup_cell(r: &ModelResult) -> String {
    r.speedup
        .map_or_else(|| "-".into(), |s| with_interval(s, r.speedup_ci))
}

fn label(r: &ModelResult) -> String {
    let mut s = format!(
        "{}, {} worker{}",
        r.model,
        r.workers,
        if r.workers == 1 { "" } else { "s" }
    );
    if let Some(c) = r.chunk_size {
        s.push_str(&format!(", chunk {c}"));
    }
    s
}

/// An empty table in the terminal's style, or Markdown's.
fn table(markdown: bool) -> Table {
    let mut t = Table::new();
    t.load_preset(if markdown {
        ASCII_MARKDOWN
    } else {
        UTF8_FULL_CONDENSED
    });
    t
}

struct TableExporter {
    markdown: bool,
}

impl Exporter for TableExporter {
    fn export(&self, results: &ResultSet) -> String {
        let mut t = table(self.markdown);
        t.set_header([
            "model",
            "workers",
            "chunk",
            "mean ± sd",
            "median",
            "min … max",
            "speedup",
            "efficiency",
            "used",
            "verified",
            "answer",
            "time went to",
        ]);
        let mut notes = Vec::new();
        for r in &results.results {
            let mark = if r.warnings.is_empty() {
                String::new()
            } else {
                notes.push(r);
                format!(" [{}]", notes.len())
            };
            let sd = r
                .summary
                .stddev
                .map_or(String::new(), |s| format!(" ± {}", human_time(s)));
            let outliers = if r.summary.outliers.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} outlier{})",
                    r.summary.outliers.len(),
                    if r.summary.outliers.len() == 1 {
                        ""
                    } else {
                        "s"
                    }
                )
            };
            t.add_row(vec![
                Cell::new(format!("{}{mark}", r.model)),
                Cell::new(r.workers).set_alignment(CellAlignment::Right),
                Cell::new(r.chunk_size.map_or("-".into(), |c| c.to_string()))
                    .set_alignment(CellAlignment::Right),
                Cell::new(format!("{}{sd}{outliers}", human_time(r.summary.mean))),
                Cell::new(human_time(r.summary.median)),
                Cell::new(format!(
                    "{} … {}",
                    human_time(r.summary.min),
                    human_time(r.summary.max)
                )),
                Cell::new(speedup_cell(r)).set_alignment(CellAlignment::Right),
                Cell::new(opt(r.efficiency, 2)).set_alignment(CellAlignment::Right),
                Cell::new(r.workers_used).set_alignment(CellAlignment::Right),
                Cell::new(verified(r)),
                Cell::new(&r.answer.summary),
                Cell::new(r.breakdown.map_or(String::new(), |b| b.shares())),
            ]);
        }
        let mut out = format!(
            "{} n={} ({} repetitions, {} warm-ups)\n{t}\n",
            results.experiment.workload.name,
            results.experiment.workload.n,
            results.experiment.repetitions,
            results.experiment.warmups
        );
        for (i, r) in notes.iter().enumerate() {
            for w in &r.warnings {
                out.push_str(&format!("[{}] {}: {}\n", i + 1, label(r), w.message));
            }
        }
        for line in comparisons(results) {
            out.push_str(&line);
            out.push('\n');
        }
        for r in results.results.iter().filter(|r| r.verified == Some(false)) {
            out.push_str(&format!(
                "{}: answer not verified: {}\n",
                label(r),
                r.verification
            ));
        }
        for r in &results.results {
            if let Some(locks) = &r.locks {
                out.push_str(&format!("{}: {}\n", label(r), locks.describe()));
            }
        }
        if let Some(e) = &results.error {
            out.push_str(&format!("{e}\n"));
        }
        for line in results.partial.iter().flat_map(|p| p.lines()) {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

struct JsonExporter;

impl Exporter for JsonExporter {
    fn export(&self, results: &ResultSet) -> String {
        let mut s = serde_json::to_string_pretty(results).expect("results serialize");
        s.push('\n');
        s
    }
}

struct CsvExporter;

impl Exporter for CsvExporter {
    fn export(&self, results: &ResultSet) -> String {
        engine::result::to_csv(results)
    }
}

/// `compare`'s report: a table (or Markdown, or JSON) of every configuration both files ran.
pub fn comparison(
    cmp: &engine::compare::Comparison,
    a: &ResultSet,
    path_a: &std::path::Path,
    path_b: &std::path::Path,
    format: crate::cli::CompareFormat,
) -> String {
    use crate::cli::CompareFormat;
    if format == CompareFormat::Json {
        let mut s = serde_json::to_string_pretty(cmp).expect("comparison serializes");
        s.push('\n');
        return s;
    }
    let mut t = table(format == CompareFormat::Markdown);
    t.set_header([
        "model",
        "workers",
        "chunk",
        "A mean",
        "B mean",
        "A/B (95% CI)",
        "p",
        "verdict",
    ]);
    for r in &cmp.rows {
        let ci =
            r.ci.map_or(String::new(), |[lo, hi]| format!(" [{lo:.2}, {hi:.2}]"));
        t.add_row(vec![
            Cell::new(r.model),
            Cell::new(r.workers).set_alignment(CellAlignment::Right),
            Cell::new(r.chunk_size.map_or("-".into(), |c| c.to_string()))
                .set_alignment(CellAlignment::Right),
            Cell::new(human_time(r.mean_a)),
            Cell::new(human_time(r.mean_b)),
            Cell::new(format!("{:.3}{ci}", r.ratio)),
            Cell::new(r.p_value.map_or("-".into(), engine::compare::p_text)),
            Cell::new(r.verdict()),
        ]);
    }
    let mut out = format!(
        "{} n={}: A = {}, B = {}\n{t}\n",
        a.experiment.workload.name,
        a.experiment.workload.n,
        path_a.display(),
        path_b.display()
    );
    for r in &cmp.rows {
        out.push_str(&format!(
            "{}, {} worker{}: {}\n",
            r.model,
            r.workers,
            if r.workers == 1 { "" } else { "s" },
            r.sentence("A", "B")
        ));
    }
    out.push_str(
        "intervals: 95%, delta method on log(mean A / mean B); p: Welch's t-test on log times\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::warning::{Warning, WarningKind};
    use engine::{Experiment, ModelKind, Repetitions, RunEnv, WorkloadKind};

    #[test]
    fn flagged_rows_are_marked_and_their_messages_printed_under_the_table() {
        let mut exp = Experiment::new(WorkloadKind::Square, ModelKind::StaticPool, 2);
        exp.repetitions = Repetitions::Fixed(3);
        exp.workload.n = 10_000;
        let mut set =
            engine::run_experiment(&exp.validate().unwrap(), &RunEnv::default(), &mut |_| {})
                .unwrap();
        // Whatever this machine's run was flagged with, the table shows exactly these.
        set.results[0].warnings.clear();
        set.results[1].warnings = vec![Warning {
            kind: WarningKind::ImplausibleSpeedup,
            message: "implausible speedup: 3.94x".into(),
        }];
        let text = TableExporter { markdown: false }.export(&set);
        assert!(text.contains("static-pool [1]"), "{text}");
        assert!(
            text.contains("[1] static-pool, 2 workers, chunk ")
                && text.contains(": implausible speedup: 3.94x"),
            "{text}"
        );
        assert!(text.contains("(flagged: see below)"), "{text}");
        assert!(
            !text.contains("sequential ["),
            "the clean baseline is not marked"
        );
    }
}
