//! The charts of a sweep: speedup over workers with its Amdahl fit, time over chunk size.

use yew::prelude::*;

use super::{SetRef, svg_titled, sweep_text};
use crate::ui::charts;

#[derive(Properties, PartialEq)]
pub struct SweepChartProps {
    /// The newest set that swept over something, if any.
    pub set: Option<SetRef>,
}

/// Drawn again only when another set is shown.
#[function_component(SweepChart)]
pub fn sweep_chart(p: &SweepChartProps) -> Html {
    let drawn = use_memo(p.set.clone(), |set| {
        set.as_ref().map(|rs| {
            (
                charts::speedup_svg(rs),
                charts::chunk_svg(rs),
                // A chart point cannot carry a badge: say here that some are flagged in the
                // table.
                rs.results.iter().any(|r| !r.warnings.is_empty()),
            )
        })
    });
    let (Some((speed, chunk, flagged)), Some(set)) = (drawn.as_ref(), p.set.clone()) else {
        return html! {};
    };
    if speed.is_none() && chunk.is_none() {
        return html! {};
    }
    html! {
        <section class="panel charts" aria-label="charts">
            <h2>{ "Sweep" }</h2>
            if *flagged {
                <p class="note" id="sweep-flagged">{ "⚠ Some of these figures are flagged in the results table; the reasons are under it. Read the chart with them in mind." }</p>
            }
            <div class="row">
                if let Some((s, fit)) = speed {
                    <div class="chart" id="speedup-chart">{ svg_titled(s, "Speedup over workers", &sweep_text(&set, false)) }<p class="hint">{ format!("Amdahl fit: serial fraction {fit:.3}, so at most {:.1}x however many workers.", if *fit > 0.0 { 1.0 / fit } else { f64::INFINITY }) }</p></div>
                }
                if let Some(s) = chunk { <div class="chart" id="chunk-chart">{ svg_titled(s, "Run time over chunk size", &sweep_text(&set, true)) }</div> }
            </div>
        </section>
    }
}
