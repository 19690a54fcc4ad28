//! The charts of a sweep: speedup over workers with its Amdahl fit, time over chunk size; every
//! runtime that ran the sweep (this browser, native) as its own series, against the sequential
//! baseline.

use std::rc::Rc;

use engine::ResultSet;
use yew::prelude::*;

use super::{SetRef, svg_titled, sweep_text};
use crate::ui::charts::{self, AmdahlFit, SERIES_STYLES, Series};
use crate::ui::state::Source;

/// One runtime's sweep: its label ("this browser", "native, this machine"), "wasm" or "native",
/// and the set.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSet {
    pub label: String,
    pub runtime: String,
    pub set: SetRef,
}

/// Where a set ran, in words: the runtime, and where the page got it when not from a run of its
/// own.
pub fn runtime_label(source: &Source, rs: &ResultSet) -> String {
    match source {
        Source::Browser => "this browser".into(),
        Source::Native => "native, this machine".into(),
        other => {
            let runtime = match rs.machine.as_ref().map(|m| m.runtime.as_str()) {
                Some("native") => "native",
                Some("wasm") => "a browser",
                _ => "unknown runtime",
            };
            format!("{runtime} ({})", other.label())
        }
    }
}

/// The sets the sweep charts show: the newest set that swept, and beside it the newest set of
/// each other runtime that swept the same workload with the same model (the native run that
/// "also run natively" adds, or an imported file).
pub fn sweep_sets(results: &[(Source, Rc<ResultSet>)]) -> Vec<SweepSet> {
    let Some((_, newest)) = results.iter().find(|(_, rs)| rs.experiment.sweep.is_some()) else {
        return Vec::new();
    };
    let same = |rs: &ResultSet| {
        rs.experiment.workload.name == newest.experiment.workload.name
            && rs.experiment.workload.n == newest.experiment.workload.n
            && rs.experiment.model.name == newest.experiment.model.name
            && match (&rs.experiment.sweep, &newest.experiment.sweep) {
                (Some(a), Some(b)) => std::mem::discriminant(a) == std::mem::discriminant(b),
                _ => false,
            }
    };
    let mut out: Vec<SweepSet> = Vec::new();
    for (source, rs) in results {
        if !same(rs) {
            continue;
        }
        let runtime = rs
            .machine
            .as_ref()
            .map(|m| m.runtime.clone())
            .unwrap_or_else(|| "unknown".into());
        let label = runtime_label(source, rs);
        // Newest first: one set per runtime.
        if out.iter().all(|s| s.runtime != runtime) && out.len() < SERIES_STYLES.len() {
            out.push(SweepSet {
                label,
                runtime,
                set: SetRef(rs.clone()),
            });
        }
    }
    // The page's own run first, so it keeps the first colour.
    out.sort_by_key(|s| s.label != "this browser");
    out
}

#[derive(Properties, PartialEq)]
pub struct SweepChartProps {
    /// Each runtime's newest sweep of one experiment (see [`sweep_sets`]).
    pub sets: Vec<SweepSet>,
}

/// A legend entry: the marker of series `i`, then its label.
fn swatch(i: usize) -> Html {
    let (colour, shape) = SERIES_STYLES[i % SERIES_STYLES.len()];
    let mark = match shape {
        "square" => html! { <rect x="2.5" y="2.5" width="9" height="9" fill={colour} /> },
        "diamond" => html! { <polygon points="7,1 13,7 7,13 1,7" fill={colour} /> },
        _ => html! { <circle cx="7" cy="7" r="5" fill={colour} /> },
    };
    html! { <svg class="swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">{ mark }</svg> }
}

/// A legend entry for a reference line.
fn line_swatch(colour: &'static str, dash: &'static str) -> Html {
    html! {
        <svg class="swatch" width="24" height="14" viewBox="0 0 24 14" aria-hidden="true">
            <line x1="0" y1="7" x2="24" y2="7" stroke={colour} stroke-width="2" stroke-dasharray={dash} />
        </svg>
    }
}

/// The legend of a chart: the runtimes, then the lines.
fn legend(id: &str, sets: &[SweepSet], lines: Html) -> Html {
    html! {
        <ul class="chart-legend" id={id.to_string()}>
            { for sets.iter().enumerate().map(|(i, s)| html! {
                <li class="legend-series" data-runtime={s.runtime.clone()}>{ swatch(i) }{ format!("{} (bars: 95% interval)", s.label) }</li>
            }) }
            { lines }
        </ul>
    }
}

/// Drawn again only when other sets are shown.
#[function_component(SweepChart)]
pub fn sweep_chart(p: &SweepChartProps) -> Html {
    let drawn = use_memo(p.sets.clone(), |sets| {
        let speed: Vec<Series> = sets
            .iter()
            .map(|s| Series {
                label: s.label.clone(),
                runtime: s.runtime.clone(),
                points: charts::speedup_points(&s.set),
            })
            .collect();
        let chunk: Vec<(Series, Option<charts::Point>)> = sets
            .iter()
            .filter(|s| matches!(s.set.experiment.sweep, Some(engine::Sweep::ChunkSize(_))))
            .map(|s| {
                (
                    Series {
                        label: s.label.clone(),
                        runtime: s.runtime.clone(),
                        points: charts::chunk_points(&s.set),
                    },
                    charts::sequential_time(&s.set),
                )
            })
            .collect();
        let workers_sweep = sets
            .iter()
            .any(|s| matches!(s.set.experiment.sweep, Some(engine::Sweep::Workers(_))));
        let models: Vec<charts::ModelBars> = sets
            .iter()
            .filter(|s| matches!(s.set.experiment.sweep, Some(engine::Sweep::Models(_))))
            .map(|s| charts::ModelBars {
                label: s.label.clone(),
                runtime: s.runtime.clone(),
                bars: charts::model_points(&s.set),
            })
            .collect();
        let workers = sets.first().map_or(1, |s| s.set.experiment.workers);
        (
            if workers_sweep {
                charts::speedup_svg(&speed)
            } else {
                None
            },
            charts::chunk_svg(&chunk),
            charts::models_svg(&models, workers),
            // A chart point cannot carry a badge: say here that some are flagged in the table.
            sets.iter()
                .any(|s| s.set.results.iter().any(|r| !r.warnings.is_empty())),
        )
    });
    let (speed, chunk, models, flagged) = &*drawn;
    if speed.is_none() && chunk.is_none() && models.is_none() {
        return html! {};
    }
    let chunk_size = p
        .sets
        .first()
        .and_then(|s| s.set.experiment.model.chunk_size)
        .map(|c| format!(", chunk size {c}"))
        .unwrap_or_default();
    let sets = &p.sets;
    // What was swept through: the model, or the models of a models sweep.
    let swept = match sets
        .first()
        .map(|s| (&s.set.experiment.sweep, s.set.experiment.model.name))
    {
        Some((Some(engine::Sweep::Models(list)), _)) => {
            list.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ")
        }
        Some((_, m)) => m.to_string(),
        None => String::new(),
    };
    // The charts' text alternative: each runtime's figures in words.
    let in_words = |by_chunk: bool| {
        let parts: Vec<String> = sets.iter().map(|s| sweep_text(&s.set, by_chunk)).collect();
        if parts.len() == 1 {
            parts.concat()
        } else {
            sets.iter()
                .zip(&parts)
                .map(|(s, t)| format!("{}: {t}", s.label))
                .collect::<Vec<_>>()
                .join(" / ")
        }
    };
    html! {
        <section class="panel charts" aria-label="charts">
            <h2>{ format!("Sweep: {} on {}{chunk_size}", swept, sets.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(" and ")) }</h2>
            if *flagged {
                <p class="note" id="sweep-flagged">{ "⚠ Some of these figures are flagged in the results table; the reasons are under it. Read the chart with them in mind." }</p>
            }
            <div class="row">
                if let Some((s, fits)) = speed {
                    <figure class="chart" id="speedup-chart">
                        <figcaption>{ "Speedup against workers" }</figcaption>
                        { svg_titled(s, "Speedup over workers", &in_words(false)) }
                        { legend("speedup-legend", sets, html! { <>
                            <li class="legend-baseline">{ line_swatch("#000000", "7 4") }{ "sequential = 1x: below it, slower than not parallelising (break-even)" }</li>
                            <li class="legend-ideal">{ line_swatch("#767676", "1 3") }{ "ideal: speedup equals workers" }</li>
                            if fits.iter().any(|f| matches!(f, AmdahlFit::Fitted { .. })) {
                                <li class="legend-amdahl">{ line_swatch("#000000", "2 3") }{ "Amdahl fit, in its runtime's colour" }</li>
                            }
                        </> }) }
                        <div id="amdahl-fit">
                            { for fits.iter().map(|f| html! {
                                <p class={classes!("hint", if matches!(f, AmdahlFit::TooFew { .. }) { "fit-refused" } else { "fit" })}>{ f.sentence() }</p>
                            }) }
                        </div>
                    </figure>
                }
                if let Some(s) = models {
                    <figure class="chart" id="models-chart">
                        <figcaption>{ "Speedup per model, the same work and workers" }</figcaption>
                        { svg_titled(s, "Speedup per model", &in_words(false)) }
                        { legend("models-legend", sets, html! { <>
                            <li class="legend-baseline">{ line_swatch("#000000", "7 4") }{ "sequential = 1x: left of it, slower than not parallelising (break-even)" }</li>
                            <li class="legend-ideal">{ line_swatch("#767676", "1 3") }{ "ideal: speedup equals workers" }</li>
                        </> }) }
                    </figure>
                }
                if let Some(s) = chunk {
                    <figure class="chart" id="chunk-chart">
                        <figcaption>{ "Run time against chunk size" }</figcaption>
                        { svg_titled(s, "Run time over chunk size", &in_words(true)) }
                        { legend("chunk-legend", sets, html! {
                            <li class="legend-baseline">{ line_swatch(if sets.len() == 1 { SERIES_STYLES[0].0 } else { "#000000" }, "7 4") }{ "sequential run time, in its runtime's colour: a point above it is slower than not parallelising (break-even)" }</li>
                        }) }
                    </figure>
                }
            </div>
        </section>
    }
}
