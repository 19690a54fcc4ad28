//! The timeline of one run: a row per worker, a bar per task.

use yew::prelude::*;

use super::{SetRef, svg_titled};
use crate::ui::charts;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The set whose run is shown, if the page holds it.
    pub set: Option<SetRef>,
    /// The row of the set; row `results.len()` is the set's stopped run.
    pub row: usize,
}

/// The title and the drawing (or why there is none) of a set's row, or nothing when the row
/// has no run to draw.
fn draw(set: &SetRef, row: usize) -> Option<(String, Result<String, String>)> {
    if let Some(r) = set.results.get(row) {
        Some((
            format!(
                "Timeline: {}, {} workers (last repetition)",
                r.model, r.workers
            ),
            charts::timeline_svg(&r.tasks, &[], None),
        ))
    } else {
        let s = set.partial.as_ref().and_then(|p| p.stopped.as_ref())?;
        Some((
            format!(
                "Timeline: {}, {} workers (PARTIAL: run {} of {}, stopped {:.3} s in)",
                s.model, s.workers, s.run, s.runs, s.elapsed
            ),
            charts::timeline_svg(&s.tasks, &s.in_flight, Some(s.elapsed)),
        ))
    }
}

/// Drawn again only when another run is shown: a timeline can hold tens of thousands of bars.
#[function_component(Timeline)]
pub fn timeline(p: &TimelineProps) -> Html {
    let drawn = use_memo((p.set.clone(), p.row), |(set, row)| {
        set.as_ref().and_then(|set| draw(set, *row))
    });
    let Some((title, drawn)) = drawn.as_ref() else {
        return html! {};
    };
    let body = match drawn {
        Ok(s) => svg_titled(
            s,
            title,
            "One row per worker, one bar per task, along the run's time.",
        ),
        Err(e) => html! { <p class="muted">{ e }</p> },
    };
    html! {
        <section class="panel timeline" aria-label="timeline">
            <h2>{ title }</h2>
            <p class="hint">{ "One row per worker, one bar per task. Bars that overlap in time ran in parallel; bars that alternate on one core interleaved; faint bars were waiting (I/O, timer, GIL); red bars were still running when the run was stopped. Click a row of the table to show its run." }</p>
            <div class="chart" id="timeline">{ body }</div>
        </section>
    }
}
