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
