//! The page's parts, each a function component with its own properties (the style of yew's
//! `function_todomvc`): the [`App`](super::App) holds the reducer and hands every part only what
//! it shows and the callbacks it needs. A part whose properties did not change is not rendered
//! again, so a progress tick renders the run bar and leaves the table and the charts alone.

mod breakdown;
mod controls;
mod history;
mod lessons;
mod machine;
mod python_panel;
mod results_table;
mod run_bar;
mod scheduler;
mod share;
mod sweep_chart;
mod timeline;

use std::ops::Deref;
use std::rc::Rc;

use engine::ResultSet;
use yew::prelude::*;

use super::state::Source;

pub use breakdown::{BreakdownCell, BreakdownLegend};
pub use controls::{Controls, ModelChoice};
pub use history::History;
pub use lessons::{LessonCardView, Lessons, VerdictBadge};
pub use machine::{IsolationBanner, Machine};
pub use python_panel::PythonPanel;
pub use results_table::{Badges, ResultsTable};
pub use run_bar::{RunBar, runs_of};
pub use scheduler::Scheduler;
pub use share::Share;
pub use sweep_chart::{SweepChart, runtime_label, sweep_sets};
pub use timeline::Timeline;

/// A result set compared by identity. A stored set never changes, so two renders hold the same
/// set exactly when they hold the same pointer; comparing the sets themselves would walk every
/// task record on every render.
#[derive(Debug, Clone)]
pub struct SetRef(pub Rc<ResultSet>);

impl PartialEq for SetRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for SetRef {
    type Target = ResultSet;

    fn deref(&self) -> &ResultSet {
        &self.0
    }
}

/// The page's result sets, newest first, compared set by set by identity (see [`SetRef`]).
#[derive(Debug, Clone, Default)]
pub struct Sets(pub Vec<(Source, Rc<ResultSet>)>);

impl PartialEq for Sets {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|((sa, a), (sb, b))| sa == sb && Rc::ptr_eq(a, b))
    }
}

/// Markup written by the chart code (`ui::charts`), put into the page as it is.
fn svg(markup: &str) -> Html {
    Html::from_html_unchecked(AttrValue::from(markup.to_string()))
}

/// A chart with its text alternative: `role="img"` (unless it has a role), a `<title>` (its name) and a `<desc>` (what
/// it shows, in words) first inside the `<svg>`, so a screen reader reads a sentence rather than
/// every tick label. The texts are escaped: they may hold names from a link.
fn svg_titled(markup: &str, title: &str, desc: &str) -> Html {
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let Some(open) = markup.find("<svg") else {
        return svg(markup);
    };
    let Some(end) = markup[open..].find('>').map(|e| open + e + 1) else {
        return svg(markup);
    };
    // A drawing that says its own role (a timeline is a group of focusable bars) keeps it.
    let tag = if markup[open..end].contains(" role=") {
        markup[open..end].to_string()
    } else {
        markup[open..end].replacen("<svg", "<svg role=\"img\"", 1)
    };
    svg(&format!(
        "{}{tag}<title>{}</title><desc>{}</desc>{}",
        &markup[..open],
        escape(title),
        escape(desc),
        &markup[end..]
    ))
}

/// A sweep's figures in words, for its chart's text alternative: "1 worker: 1.00x, 2 workers:
/// 1.85x" or "chunk 1: 12.3 ms, chunk 4: 8.1 ms".
fn sweep_text(set: &ResultSet, by_chunk: bool) -> String {
    set.results
        .iter()
        .filter(|r| r.model != engine::ModelKind::Sequential)
        .map(|r| {
            if by_chunk {
                format!(
                    "chunk {}: {}",
                    r.chunk_size.map_or("default".into(), |c| c.to_string()),
                    crate::ui::figures::fmt_time(r.summary.mean)
                )
            } else {
                format!(
                    "{}: {}",
                    crate::ui::figures::configuration(r.model, r.workers, None),
                    r.speedup.map_or("–".into(), |s| format!("{s:.2}x"))
                )
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
