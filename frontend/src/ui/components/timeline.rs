//! The timeline of one run: a row per worker, a bar per task, each bar with a tooltip and a
//! detail box that the keyboard reaches (Tab to the bars, arrow keys between them).

use engine::result::Failure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::{SetRef, svg_titled};
use crate::ui::charts::{
    self, BLOCKED_COLOUR, BarDetail, RUNNING_COLOUR, STAGE_COLOURS, TimelineDrawing, WAIT_COLOUR,
};

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The set whose run is shown, if the page holds it.
    pub set: Option<SetRef>,
    /// The row of the set; row `results.len()` is the set's stopped run.
    pub row: usize,
    /// Where the set ran, in words ("this browser", "native, this machine").
    #[prop_or_default]
    pub runtime: String,
}

/// "chunk size 16"; without one, what `none` says (a result without one is of a model without
/// chunks; an experiment without one leaves the model its default).
fn chunk_words(chunk: Option<u64>, none: &str) -> String {
    match chunk {
        Some(c) => format!("chunk size {c}"),
        None => none.into(),
    }
}

/// The title and the drawing (or why there is none) of a set's row, or nothing when the row
/// has no run to draw.
fn draw(
    set: &SetRef,
    row: usize,
    runtime: &str,
) -> Option<(String, Result<TimelineDrawing, String>)> {
    if let Some(r) = set.results.get(row) {
        Some((
            format!(
                "Timeline: {}, {} workers (last repetition), {}, in {runtime}",
                r.model,
                r.workers,
                chunk_words(r.chunk_size, "no chunks")
            ),
            charts::timeline_svg(&r.tasks, &[], None, None, r.hosts.as_deref()),
        ))
    } else {
        let s = set.partial.as_ref().and_then(|p| p.stopped.as_ref())?;
        let (how, ended) = if set.error.is_some() {
            ("DEADLOCKED", "ended")
        } else {
            ("PARTIAL", "stopped")
        };
        Some((
            format!(
                "Timeline: {}, {} workers ({how}: run {} of {}, {ended} {:.3} s in), {}, in {runtime}",
                s.model,
                s.workers,
                s.run,
                s.runs,
                s.elapsed,
                chunk_words(
                    set.experiment.model.chunk_size,
                    "the model's default chunk size"
                )
            ),
            charts::timeline_svg(
                &s.tasks,
                &s.in_flight,
                Some(s.elapsed),
                set.error.as_ref().map(|Failure::Deadlock(d)| d),
                None,
            ),
        ))
    }
}

/// The timeline's hint, with the note on the async loop only where its run is shown.
fn hint(p: &TimelineProps) -> String {
    let model = p.set.as_ref().and_then(|s| {
        s.results
            .get(p.row)
            .map(|r| r.model)
            .or_else(|| s.partial.as_ref()?.stopped.as_ref().map(|r| r.model))
    });
    let ranks = model.is_some_and(|m| m.info().host == engine::model::Host::Ranks);
    let mut h = String::from(if ranks {
        "One row per rank, one bar per task: bars in different rows at the same time ran in parallel."
    } else {
        "One row per worker thread, one bar per task: bars in different rows at the same time ran in parallel."
    });
    // The event loop: one thread (the caller's) that overlaps waits.
    if model.is_some_and(|m| {
        let info = m.info();
        info.host == engine::model::Host::Caller && info.overlaps_waits
    }) {
        h.push_str(
            " The async loop is one thread, so one row: its tasks' waits overlap, their computing never does.",
        );
    }
    // MPI ranks: processes, possibly on several hosts.
    if ranks {
        h.push_str(
            " Here a row is an MPI rank, a process of its own: the ranks of one host are drawn together, the host named on the first.",
        );
    }
    h.push_str(" Click a row of the table to show its run.");
    h
}

/// Whether the row shown is the set's run that was cut short (row `results.len()`).
fn is_stopped_row(p: &TimelineProps) -> bool {
    p.set.as_ref().is_some_and(|s| p.row == s.results.len())
}

/// The bar a key moves to from bar `i`: the next or previous in its row (right, left), the
/// nearest in time in the next or previous row that has bars (down, up), the first or last.
pub fn next_bar(bars: &[BarDetail], i: usize, key: &str) -> Option<usize> {
    let cur = bars.get(i)?;
    let nearest_in = |row: u32| {
        bars.iter()
            .enumerate()
            .filter(|(_, b)| b.row == row)
            .min_by(|(_, a), (_, b)| {
                (a.start - cur.start)
                    .abs()
                    .total_cmp(&(b.start - cur.start).abs())
            })
            .map(|(j, _)| j)
    };
    match key {
        "ArrowRight" => (i + 1 < bars.len()).then_some(i + 1),
        "ArrowLeft" => i.checked_sub(1),
        "Home" => Some(0),
        "End" => Some(bars.len() - 1),
        "ArrowDown" => bars
            .iter()
            .map(|b| b.row)
            .filter(|&r| r > cur.row)
            .min()
            .and_then(nearest_in),
        "ArrowUp" => bars
            .iter()
            .map(|b| b.row)
            .filter(|&r| r < cur.row)
            .max()
            .and_then(nearest_in),
        _ => None,
    }
}

/// The bar index an event happened on, from its `data-i`.
fn bar_of(target: Option<web_sys::EventTarget>) -> Option<(web_sys::Element, usize)> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    let el = el.closest("[data-i]").ok()??;
    let i = el.get_attribute("data-i")?.parse().ok()?;
    Some((el, i))
}

/// Moves keyboard focus to bar `i` inside `root`, making it the one Tab reaches (a roving
/// tabindex: the bars are one stop in the Tab order, however many there are).
fn focus_bar(root: &web_sys::Element, from: &web_sys::Element, i: usize) {
    let Ok(Some(el)) = root.query_selector(&format!("[data-i=\"{i}\"]")) else {
        return;
    };
    let _ = from.set_attribute("tabindex", "-1");
    let _ = el.set_attribute("tabindex", "0");
    // An SVG element is not an HtmlElement: call its own focus().
    if let Ok(f) = js_sys::Reflect::get(&el, &"focus".into())
        && let Ok(f) = f.dyn_into::<js_sys::Function>()
    {
        let _ = f.call0(&el);
    }
}

/// The legend: the stage colours present, waiting, running, and how neighbours are told apart.
fn legend(drawing: &TimelineDrawing) -> Html {
    let mut stages: Vec<u32> = drawing
        .bars
        .iter()
        .filter(|b| !b.running)
        .map(|b| b.stage)
        .collect();
    stages.sort_unstable();
    stages.dedup();
    let waits = drawing.bars.iter().any(|b| b.wait > 0.0 && !b.running);
    let blocked = drawing.bars.iter().any(|b| b.blocked > 0.0 && !b.running);
    let deadlocked = drawing.bars.iter().any(|b| b.deadlocked.is_some());
    let running = drawing
        .bars
        .iter()
        .any(|b| b.running && b.deadlocked.is_none());
    let item = |colour: &'static str, height: u32, text: String, class: &'static str| {
        html! {
            <li class={class}>
                <svg class="swatch" width="22" height="14" viewBox="0 0 22 14" aria-hidden="true">
                    <rect x="0" y={((14 - height) / 2).to_string()} width="22" height={height.to_string()} fill={colour} />
                </svg>
                { text }
            </li>
        }
    };
    html! {
        <ul class="chart-legend" id="timeline-legend">
            { for stages.iter().map(|&s| item(STAGE_COLOURS[s as usize % STAGE_COLOURS.len()], 14, if stages.len() == 1 { "computing (a thick bar per task; a white edge between neighbours)".into() } else { format!("computing, stage {s}") }, "legend-stage")) }
            if waits { { item(WAIT_COLOUR, 4, "waiting (timer, I/O, GIL): a thin line, before the task's computing".into(), "legend-wait") } }
            if blocked { { item(BLOCKED_COLOUR, 6, "blocked on a lock another worker held: a vermillion line at the end of the waiting line (the task's total time blocked; when in the task it fell is not recorded)".into(), "legend-blocked") } }
            if running { { item(RUNNING_COLOUR, 14, "still running when the run was stopped".into(), "legend-running") } }
            if deadlocked { <li class="legend-deadlocked">
                <svg class="swatch" width="22" height="14" viewBox="0 0 22 14" aria-hidden="true">
                    <rect x="0" y="0" width="11" height="14" fill={RUNNING_COLOUR} />
                    { for (0..4).map(|i| html! { <rect x={(11 + i * 3).to_string()} y="0" width="1.5" height="14" fill={BLOCKED_COLOUR} /> }) }
                </svg>
                { "deadlocked: red while it ran, striped from when it blocked for good; an arrow goes from each worker to the worker holding the lock it waits for; a dashed line marks when the cycle closed" }
            </li> }
        </ul>
    }
}

/// Drawn again only when another run is shown: a timeline can hold thousands of bars.
#[function_component(Timeline)]
pub fn timeline(p: &TimelineProps) -> Html {
    let drawn = use_memo(
        (p.set.clone(), p.row, p.runtime.clone()),
        |(set, row, rt)| set.as_ref().and_then(|set| draw(set, *row, rt)),
    );
    let selected = use_state(|| None::<usize>);
    let area = use_node_ref();
    // A new run shows no detail of the old one's bar.
    {
        let selected = selected.clone();
        use_effect_with(drawn.clone(), move |_| selected.set(None));
    }
    // A deadlock is drawn at the end of its run: where a narrow screen scrolls the timeline,
    // scroll to the cycle.
    {
        let area = area.clone();
        let deadlocked = p.set.as_ref().is_some_and(|s| s.error.is_some()) && is_stopped_row(p);
        use_effect_with((drawn.clone(), deadlocked), move |(_, deadlocked)| {
            if *deadlocked && let Some(el) = area.cast::<web_sys::Element>() {
                el.set_scroll_left(el.scroll_width());
            }
        });
    }
    let Some((title, drawing)) = drawn.as_ref() else {
        return html! {};
    };
    let (body, detail, legend) = match drawing {
        Ok(d) => {
            let pick = {
                let selected = selected.clone();
                Callback::from(move |e: FocusEvent| {
                    if let Some((_, i)) = bar_of(e.target()) {
                        selected.set(Some(i));
                    }
                })
            };
            let click = {
                let selected = selected.clone();
                Callback::from(move |e: MouseEvent| {
                    if let Some((_, i)) = bar_of(e.target()) {
                        selected.set(Some(i));
                    }
                })
            };
            let keys = {
                let bars = d.bars.clone();
                let area = area.clone();
                Callback::from(move |e: KeyboardEvent| {
                    let Some((el, i)) = bar_of(e.target()) else {
                        return;
                    };
                    let Some(j) = next_bar(&bars, i, &e.key()) else {
                        return;
                    };
                    e.prevent_default();
                    if let Some(root) = area.cast::<web_sys::Element>() {
                        focus_bar(&root, &el, j);
                    }
                })
            };
            let detail = selected
                .and_then(|i| d.bars.get(i))
                .map(BarDetail::describe);
            (
                html! {
                    <div class="chart timeline-scroll" id="timeline" ref={area} onfocusin={pick} onclick={click} onkeydown={keys}>{ svg_titled(&d.svg, title, "One row per worker, one bar per task, along the run's time.") }</div>
                },
                html! {
                    <p id="timeline-detail" class="timeline-detail" aria-live="polite">{
                        detail.unwrap_or_else(|| "Point at a bar for its tooltip, or Tab to the bars and move between them with the arrow keys: the task's stage, worker, start, duration and wait show here.".into())
                    }</p>
                },
                legend(d),
            )
        }
        Err(e) => (
            html! { <div class="chart" id="timeline"><p class="muted">{ e }</p></div> },
            html! {},
            html! {},
        ),
    };
    html! {
        <section class="panel timeline" aria-label="timeline">
            <h2>{ title }</h2>
            <p class="hint">{ hint(p) }</p>
            { legend }
            if let Some(failure) = p.set.as_ref().and_then(|s| s.error.as_ref()).filter(|_| is_stopped_row(p)) {
                <p class="deadlock-caption" id="timeline-deadlock"><strong>{ "Deadlock: " }</strong>{ failure.to_string().trim_start_matches("deadlock: ").to_string() }{ ". Each arrow goes from a worker to the worker holding the lock it waits for." }</p>
            }
            { body }
            { detail }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(worker: u32, start: f64) -> BarDetail {
        BarDetail {
            task: Some(0),
            tasks: 1,
            stage: 0,
            worker,
            row: worker,
            host: None,
            start,
            end: start + 1.0,
            wait: 0.0,
            blocked: 0.0,
            running: false,
            deadlocked: None,
            delivered: None,
            delivered_index: None,
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn arrow_keys_move_along_a_row_and_between_rows() {
        let bars = [
            bar(0, 0.0),
            bar(0, 1.0),
            bar(0, 2.0),
            bar(2, 0.9),
            bar(2, 3.0),
        ];
        assert_eq!(next_bar(&bars, 0, "ArrowRight"), Some(1));
        assert_eq!(next_bar(&bars, 0, "ArrowLeft"), None);
        assert_eq!(next_bar(&bars, 1, "ArrowDown"), Some(3));
        assert_eq!(next_bar(&bars, 4, "ArrowUp"), Some(2));
        assert_eq!(next_bar(&bars, 3, "ArrowDown"), None);
        assert_eq!(next_bar(&bars, 2, "End"), Some(4));
    }
}
