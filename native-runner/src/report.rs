//! Turning results into text: one [`Exporter`] per output format, as hyperfine does.

use comfy_table::presets::{ASCII_MARKDOWN, UTF8_FULL_CONDENSED};
use comfy_table::{Cell, CellAlignment, Table};
use engine::measure::{ModelResult, ResultSet};
use engine::stats::{Summary, ratio_with_error};

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

/// Formats seconds with a unit that keeps three significant digits readable.
pub fn human_time(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else if s >= 1e-6 {
        format!("{:.2} us", s * 1e6)
    } else {
        format!("{:.0} ns", s * 1e9)
    }
}

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

fn summary_of(r: &ModelResult) -> Summary {
    Summary {
        mean: r.mean,
        stddev: r.stddev,
        median: r.median,
        min: r.min,
        max: r.max,
        outliers: r.outliers.clone(),
    }
}

/// The hyperfine-style comparison lines: "dynamic-pool, 2 workers: 1.95 +- 0.03 times faster than
/// sequential".
pub fn comparisons(results: &ResultSet) -> Vec<String> {
    let Some(base) = results
        .results
        .iter()
        .find(|r| r.model == engine::ModelKind::Sequential)
    else {
        return Vec::new();
    };
    let base_summary = summary_of(base);
    results
        .results
        .iter()
        .filter(|r| !std::ptr::eq(*r, base))
        .map(|r| {
            let (ratio, err) = ratio_with_error(&base_summary, &summary_of(r));
            let label = label(r);
            let err = err.map_or(String::new(), |e| format!(" ± {e:.2}"));
            if ratio >= 1.0 {
                format!("{label}: {ratio:.2}{err} times faster than sequential")
            } else {
                format!("{label}: {:.2} times slower than sequential", 1.0 / ratio)
            }
        })
        .collect()
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

struct TableExporter {
    markdown: bool,
}

impl Exporter for TableExporter {
    fn export(&self, results: &ResultSet) -> String {
        let mut t = Table::new();
        t.load_preset(if self.markdown {
            ASCII_MARKDOWN
        } else {
            UTF8_FULL_CONDENSED
        });
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
        ]);
        for r in &results.results {
            let sd = r
                .stddev
                .map_or(String::new(), |s| format!(" ± {}", human_time(s)));
            let outliers = if r.outliers.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} outlier{})",
                    r.outliers.len(),
                    if r.outliers.len() == 1 { "" } else { "s" }
                )
            };
            t.add_row(vec![
                Cell::new(r.model),
                Cell::new(r.workers).set_alignment(CellAlignment::Right),
                Cell::new(r.chunk_size.map_or("-".into(), |c| c.to_string()))
                    .set_alignment(CellAlignment::Right),
                Cell::new(format!("{}{sd}{outliers}", human_time(r.mean))),
                Cell::new(human_time(r.median)),
                Cell::new(format!("{} … {}", human_time(r.min), human_time(r.max))),
                Cell::new(opt(r.speedup, 2)).set_alignment(CellAlignment::Right),
                Cell::new(opt(r.efficiency, 2)).set_alignment(CellAlignment::Right),
                Cell::new(r.workers_used).set_alignment(CellAlignment::Right),
                Cell::new(verified(r)),
                Cell::new(&r.answer.summary),
            ]);
        }
        let mut out = format!(
            "{} n={} ({} repetitions, {} warm-ups)\n{t}\n",
            results.experiment.workload.name,
            results.experiment.workload.n,
            results.experiment.repetitions,
            results.experiment.warmups
        );
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
        engine::measure::to_csv(results)
    }
}
