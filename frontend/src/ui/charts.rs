//! Charts written as SVG markup: the per-worker timeline, speedup against workers and run time
//! against chunk size. Written by hand rather than by a plotting library so that every mark can
//! carry what a reader needs: a `<title>` tooltip, a focusable bar, a class a test can find, and
//! text at a size that can be read (12 px or more at 100% zoom).

use std::fmt::Write;

use engine::locks::Deadlock;
use engine::model::TaskRecord;
use engine::result::{InFlight, ModelResult, ResultSet};
use engine::stats::{amdahl_fit, amdahl_speedup};

/// Width of the timeline in CSS pixels; it scrolls sideways on a narrow screen rather than
/// shrinking its text.
const WIDTH: u32 = 860;
/// Width and height of a sweep chart's drawing (it scales with the column; its legend and its
/// fit are page text beside it).
const CHART_W: f64 = 420.0;
const CHART_H: f64 = 320.0;
/// Text size of the timeline, in CSS pixels.
const FONT: u32 = 13;
/// Text size of a sweep chart in its own units: scaled down to a phone's 340 px column it is
/// still 12 px.
const CHART_FONT: u32 = 15;

/// Colours of the computing bars, one per stage (cycling), from the Okabe-Ito palette that
/// colour-blind readers can tell apart; each is at least 3:1 against the white background.
pub const STAGE_COLOURS: [&str; 4] = ["#0072B2", "#009E73", "#CC79A7", "#000000"];
/// Colour of waiting (timer, I/O, GIL): a thin dark grey strip, 7:1 against white.
pub const WAIT_COLOUR: &str = "#595959";
/// Colour of time blocked on a lock another worker held: Okabe-Ito vermillion, 3.9:1 against
/// white, told apart from the grey of other waiting by hue and, for a deadlock, by its stripes.
pub const BLOCKED_COLOUR: &str = "#D55E00";
/// Colour of the tasks still running when a run was stopped (5.5:1 against white).
pub const RUNNING_COLOUR: &str = "#C82828";
/// Colours and marker shapes of the runtimes in the sweep charts (Okabe-Ito blue, vermillion,
/// bluish green; at least 3:1 against white).
pub const SERIES_STYLES: [(&str, &str); 3] = [
    ("#0072B2", "circle"),
    ("#D55E00", "square"),
    ("#009E73", "diamond"),
];

/// Text made safe to put into SVG markup.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Milliseconds, with as many decimals as a short figure needs.
pub fn ms(seconds: f64) -> String {
    let v = seconds * 1000.0;
    if v.abs() >= 100.0 {
        format!("{v:.0} ms")
    } else if v.abs() >= 1.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.3} ms")
    }
}

/// About five round values spanning `lo..hi`.
fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-12);
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    let mut v = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while v <= hi + step * 1e-9 {
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    out
}

/// A tick's label: no more decimals than its step needs.
fn tick_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else if (v * 10.0 - (v * 10.0).round()).abs() < 1e-6 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

// ---------------------------------------------------------------------------------------------
// Timeline
// ---------------------------------------------------------------------------------------------

/// One bar of the timeline and what its detail box says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct BarDetail {
    /// The task, or none for a bar that merges `tasks` neighbouring tasks (long runs).
    pub task: Option<u32>,
    pub tasks: u32,
    pub stage: u32,
    pub worker: u32,
    /// The row it is drawn in: its worker's, except where ranks are grouped by host.
    pub row: u32,
    /// The host of its worker, where the workers are ranks with hosts (mpi).
    pub host: Option<String>,
    pub start: f64,
    pub end: f64,
    /// Seconds inside the bar spent waiting (timer, I/O, GIL, a lock) rather than computing.
    pub wait: f64,
    /// The part of `wait` spent blocked on a lock another worker held.
    pub blocked: f64,
    /// Still running when the run was stopped.
    pub running: bool,
    /// For a task caught in a deadlock: what it waited for, from when ("fork 1, held by worker
    /// 1", seconds from the start).
    pub deadlocked: Option<(String, f64)>,
    /// When the caller received the result, and in which position (models with a caller
    /// waiting on results).
    pub delivered: Option<f64>,
    pub delivered_index: Option<u32>,
}

impl BarDetail {
    /// The bar in words: its tooltip and its detail box.
    pub fn describe(&self) -> String {
        let what = match self.task {
            Some(t) => format!("task {t}"),
            None => format!("{} tasks (merged at this width)", self.tasks),
        };
        // A task that never finished has no record of its waits: say what is known.
        if let Some((lock, since)) = &self.deadlocked {
            return format!(
                "{what}, stage {}, worker {}: start {}, ran {} (its pauses and computing are not recorded apart for a task that never finished), then DEADLOCKED: blocked from {} waiting for {lock}, {} until the run was ended",
                self.stage,
                self.worker,
                ms(self.start),
                ms(since - self.start),
                ms(*since),
                ms(self.blocked),
            );
        }
        let state = if self.running {
            ", still running when the run was stopped"
        } else {
            ""
        };
        let blocked = if self.blocked > 0.0 {
            format!(" (blocked on a lock {})", ms(self.blocked))
        } else {
            String::new()
        };
        let delivered = match (self.delivered, self.delivered_index) {
            (Some(at), Some(n)) => format!(
                ", delivered {} (position {n} in the order received)",
                ms(at)
            ),
            (Some(at), None) => format!(", delivered {}", ms(at)),
            _ => String::new(),
        };
        let who = match &self.host {
            Some(host) => format!("rank {} on {host}", self.worker),
            None => format!("worker {}", self.worker),
        };
        format!(
            "{what}, stage {}, {who}: start {}, duration {}, waited {}{blocked}, computed {}{delivered}{state}",
            self.stage,
            ms(self.start),
            ms(self.end - self.start),
            ms(self.wait),
            ms((self.end - self.start - self.wait).max(0.0)),
        )
    }
}

/// A drawn timeline: the SVG, and each focusable bar's detail in the order of their `data-i`.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineDrawing {
    pub svg: String,
    pub bars: Vec<BarDetail>,
}

/// A bar: (row, start, end, busy seconds inside, colour index).
pub type Bar = (u32, f64, f64, f64, u32);

/// One bar per worker row, merged where neighbouring bars would touch at this width, so a run of a
/// million tasks draws a few thousand rectangles. Returns (worker, start, end, busy seconds,
/// stage) and how many tasks each bar holds.
pub fn merge_bars(tasks: &[TaskRecord], span: f64, width_px: u32) -> Vec<(Bar, u32)> {
    let px = span / f64::from(width_px.max(1));
    let mut sorted: Vec<&TaskRecord> = tasks.iter().collect();
    sorted.sort_by(|a, b| a.worker.cmp(&b.worker).then(a.start.total_cmp(&b.start)));
    let mut bars: Vec<(Bar, u32)> = Vec::new();
    for t in sorted {
        let busy = (t.end - t.start - t.wait).max(0.0);
        match bars.last_mut() {
            Some((b, n)) if b.0 == t.worker && t.start - b.2 < px && b.4 == t.stage => {
                b.2 = b.2.max(t.end);
                b.3 += busy;
                *n += 1;
            }
            _ => bars.push(((t.worker, t.start, t.end, busy, t.stage), 1)),
        }
    }
    bars
}

/// Geometry of the timeline, in CSS pixels (the label column widens for hosts' names).
const LABEL_W: f64 = 92.0;
/// About the width of a character of the labels, for sizing their column.
const CHAR_W: f64 = 7.5;

/// A row of the timeline: whose it is and what its label says.
#[derive(Debug, Clone, PartialEq)]
struct Lane {
    worker: u32,
    label: String,
    /// The host of a rank, where the workers are ranks with hosts.
    host: Option<String>,
    /// The first row of its host's ranks (below another host's).
    new_host: bool,
}

/// The rows for `workers` workers: a row per worker in order; where the result says which host
/// each worker ran on (mpi's ranks), each host's ranks together in rank order, the hosts in the
/// order of their first rank, and the host named on its first row only.
fn lanes(workers: u32, hosts: Option<&[String]>) -> Vec<Lane> {
    let Some(hosts) = hosts.filter(|h| h.len() >= workers as usize) else {
        return (0..workers)
            .map(|w| Lane {
                worker: w,
                label: format!("worker {w}"),
                host: None,
                new_host: false,
            })
            .collect();
    };
    let hosts = &hosts[..workers as usize];
    let mut order: Vec<u32> = (0..workers).collect();
    let first = |w: u32| hosts.iter().position(|h| *h == hosts[w as usize]);
    order.sort_by_key(|&w| (first(w), w));
    let mut out: Vec<Lane> = Vec::new();
    for w in order {
        let host = hosts[w as usize].clone();
        let new_host = out.last().is_none_or(|l| l.host.as_ref() != Some(&host));
        let label = if new_host {
            let short: String = if host.chars().count() > 18 {
                host.chars().take(17).chain(['…']).collect()
            } else {
                host.clone()
            };
            format!("rank {w} · {short}")
        } else {
            format!("rank {w}")
        };
        out.push(Lane {
            worker: w,
            label,
            host: Some(host),
            new_host: new_host && !out.is_empty(),
        });
    }
    out
}
const ROW_H: f64 = 30.0;
const TOP: f64 = 10.0;
const AXIS_H: f64 = 46.0;

/// The timeline (Gantt chart) of a recorded run: one row per worker (the async loop's one
/// thread is one row, however many tasks it keeps in flight), each task a thick bar for its
/// computing in its stage's colour after a thin grey strip for its waiting. For a run stopped
/// `stopped_at` seconds in, the tasks `in_flight` then are drawn red up to the stop.
///
/// Where inside a task its waits fell is recorded only as a total, so the strip is drawn first:
/// exact for the async loop (a task waits for its timer, then computes), a summary for the GIL.
/// The part of a wait spent blocked on a lock is drawn vermillion at the strip's end.
///
/// For a run ended by a `deadlock`, the tasks of its cycle are striped vermillion from when they
/// started waiting, an arrow goes from each waiting worker to the worker holding what it waits
/// for, and a line marks when the cycle closed.
///
/// Where the result names each worker's host (`hosts`: mpi's ranks), a row is labelled with its
/// rank, each host's ranks are drawn together and the host is named on its first row.
pub fn timeline_svg(
    finished: &[TaskRecord],
    in_flight: &[InFlight],
    stopped_at: Option<f64>,
    deadlock: Option<&Deadlock>,
    hosts: Option<&[String]>,
) -> Result<TimelineDrawing, String> {
    let cycle = deadlock.map_or(&[][..], |d| &d.cycle[..]);
    // The worker holding what `cycle[i]` waits for is the next one round the cycle.
    let holder = |i: usize| cycle[(i + 1) % cycle.len()].worker;
    let running: Vec<BarDetail> = in_flight
        .iter()
        .filter_map(|f| {
            let end = stopped_at?;
            let edge = cycle
                .iter()
                .position(|e| e.worker == f.worker && e.task == f.task);
            Some(BarDetail {
                task: Some(f.task),
                tasks: 1,
                stage: f.stage,
                worker: f.worker,
                row: f.worker,
                host: None,
                start: f.since?,
                end,
                wait: 0.0,
                blocked: edge.map_or(0.0, |i| (end - cycle[i].since).max(0.0)),
                running: true,
                deadlocked: edge.map(|i| {
                    (
                        format!("{}, held by worker {}", cycle[i].waits_for, holder(i)),
                        cycle[i].since,
                    )
                }),
                delivered: None,
                delivered_index: None,
            })
        })
        .collect();
    if finished.is_empty() && running.is_empty() {
        return Err("no task records (results from a link or the history carry none, nor runs with the timeline off)".into());
    }
    let span = finished
        .iter()
        .map(|t| t.end)
        .chain(running.iter().map(|b| b.end))
        .chain(stopped_at)
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let workers = finished
        .iter()
        .map(|t| t.worker)
        .chain(running.iter().map(|b| b.worker))
        .max()
        .unwrap_or(0)
        + 1;
    let lanes = lanes(workers, hosts);
    let mut row_of = vec![0u32; workers as usize];
    for (r, l) in lanes.iter().enumerate() {
        row_of[l.worker as usize] = r as u32;
    }
    let label_w = lanes
        .iter()
        .map(|l| l.label.chars().count() as f64 * CHAR_W + 16.0)
        .fold(LABEL_W, f64::max)
        .min(240.0);
    let plot_w = f64::from(WIDTH) - label_w - 16.0;
    // Few tasks: a bar each. Many: bars merged at pixel resolution.
    let mut bars: Vec<BarDetail> = if finished.len() <= 2000 {
        let mut v: Vec<BarDetail> = finished
            .iter()
            .map(|t| BarDetail {
                task: Some(t.task),
                tasks: 1,
                stage: t.stage,
                worker: t.worker,
                row: t.worker,
                host: None,
                start: t.start,
                end: t.end,
                wait: t.wait.clamp(0.0, (t.end - t.start).max(0.0)),
                blocked: t.blocked.clamp(0.0, t.wait.max(0.0)),
                running: false,
                deadlocked: None,
                delivered: t.delivered,
                delivered_index: t.delivered_index,
            })
            .collect();
        v.sort_by(|a, b| a.worker.cmp(&b.worker).then(a.start.total_cmp(&b.start)));
        v
    } else {
        merge_bars(finished, span, plot_w as u32)
            .into_iter()
            .map(|((w, s, e, busy, stage), n)| BarDetail {
                task: None,
                tasks: n,
                stage,
                worker: w,
                row: w,
                host: None,
                start: s,
                end: e,
                wait: ((e - s) - busy).max(0.0),
                blocked: 0.0,
                running: false,
                deadlocked: None,
                delivered: None,
                delivered_index: None,
            })
            .collect()
    };
    bars.extend(running);
    for b in &mut bars {
        b.row = row_of[b.worker as usize];
        b.host = lanes[b.row as usize].host.clone();
    }
    // Ranks grouped by host: the bars in the order of their rows, as the keys move along them.
    if lanes.iter().any(|l| l.host.is_some()) {
        bars.sort_by(|a, b| a.row.cmp(&b.row).then(a.start.total_cmp(&b.start)));
    }
    let height = TOP + f64::from(workers) * ROW_H + AXIS_H;
    let x = |t: f64| label_w + t / span * plot_w;
    let row_y = |w: u32| TOP + f64::from(row_of[w as usize]) * ROW_H;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="{FONT}" role="group" aria-label="timeline: {} bars; Tab to the first, arrow keys to move">"#,
        bars.len()
    );
    let _ = write!(
        s,
        r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#FFFFFF"/>"##
    );
    // Rows: a hairline between rows (a tinted band would cut the bars' contrast below 3:1), a
    // darker line across the labels too where another host's ranks start, the worker's label
    // beside its row, centred on it.
    for (r, lane) in lanes.iter().enumerate() {
        let w = lane.worker;
        let y = row_y(w);
        if lane.new_host {
            let _ = write!(
                s,
                r##"<line class="host-edge" x1="0" y1="{y}" x2="{}" y2="{y}" stroke="#767676"/>"##,
                label_w + plot_w
            );
        } else if r > 0 {
            let _ = write!(
                s,
                r##"<line x1="{label_w}" y1="{y}" x2="{}" y2="{y}" stroke="#E0E0E0"/>"##,
                label_w + plot_w
            );
        }
        let in_cycle = cycle.iter().any(|e| e.worker == w);
        let _ = write!(
            s,
            r##"<text class="row-label{}" data-worker="{w}"{} x="{}" y="{}" text-anchor="end" dominant-baseline="central" fill="{}"{}>{}{}</text>"##,
            if in_cycle { " in-cycle" } else { "" },
            lane.host
                .as_ref()
                .map_or(String::new(), |h| format!(r#" data-host="{}""#, esc(h))),
            label_w - 8.0,
            y + ROW_H / 2.0,
            if in_cycle { RUNNING_COLOUR } else { "#000000" },
            if in_cycle {
                r#" font-weight="bold""#
            } else {
                ""
            },
            esc(&lane.label),
            lane.host.as_ref().map_or(String::new(), |h| format!(
                "<title>rank {w} on {}</title>",
                esc(h)
            )),
        );
    }
    // Time axis.
    let axis_y = TOP + f64::from(workers) * ROW_H;
    let _ = write!(
        s,
        r##"<line x1="{label_w}" y1="{axis_y}" x2="{}" y2="{axis_y}" stroke="#000000"/>"##,
        label_w + plot_w
    );
    for t in nice_ticks(0.0, span * 1000.0) {
        let tx = x(t / 1000.0);
        let _ = write!(
            s,
            r##"<line x1="{tx}" y1="{TOP}" x2="{tx}" y2="{}" stroke="#D0D0D0"/><text class="tick" x="{tx}" y="{}" text-anchor="middle" fill="#000000">{}</text>"##,
            axis_y + 4.0,
            axis_y + 18.0,
            tick_label(t)
        );
    }
    let _ = write!(
        s,
        r##"<text class="axis-title" x="{}" y="{}" text-anchor="middle" fill="#000000">milliseconds since the run started</text>"##,
        label_w + plot_w / 2.0,
        axis_y + 38.0
    );
    // Bars: waiting strips first (not focusable: the computing bar's detail says it), then the
    // focusable computing bars.
    let min_w = 1.5;
    for b in &bars {
        if b.wait > 0.0 && !b.running {
            let y = row_y(b.worker) + ROW_H / 2.0 - 2.0;
            let _ = write!(
                s,
                r#"<rect class="wait" aria-hidden="true" x="{:.2}" y="{y}" width="{:.2}" height="4" fill="{WAIT_COLOUR}"/>"#,
                x(b.start),
                (x(b.start + b.wait) - x(b.start)).max(1.0)
            );
            if b.blocked > 0.0 {
                let from = b.start + b.wait - b.blocked;
                let _ = write!(
                    s,
                    r#"<rect class="blocked" aria-hidden="true" x="{:.2}" y="{}" width="{:.2}" height="6" fill="{BLOCKED_COLOUR}"/>"#,
                    x(from),
                    y - 1.0,
                    (x(b.start + b.wait) - x(from)).max(1.0)
                );
            }
        }
    }
    for (i, b) in bars.iter().enumerate() {
        let from = if b.running { b.start } else { b.start + b.wait };
        let x0 = x(from);
        let w = (x(b.end) - x0).max(min_w);
        let y = row_y(b.worker) + 6.0;
        let fill = if b.running {
            RUNNING_COLOUR
        } else {
            STAGE_COLOURS[b.stage as usize % STAGE_COLOURS.len()]
        };
        // A white edge tells neighbouring tasks apart where there is room for it.
        let edge = if w >= 4.0 {
            r##" stroke="#FFFFFF" stroke-width="1""##
        } else {
            ""
        };
        let _ = write!(
            s,
            r#"<rect class="bar{}" data-i="{i}" data-worker="{}" tabindex="{}" role="img" aria-label="{d}" x="{x0:.2}" y="{y}" width="{w:.2}" height="{}" fill="{fill}"{edge}><title>{d}</title></rect>"#,
            if b.running { " running" } else { "" },
            b.worker,
            if i == 0 { 0 } else { -1 },
            ROW_H - 12.0,
            d = esc(&b.describe()),
        );
    }
    if let Some(at) = stopped_at {
        let sx = x(at);
        let _ = write!(
            s,
            r#"<line class="stop" x1="{sx}" y1="{TOP}" x2="{sx}" y2="{axis_y}" stroke="{RUNNING_COLOUR}" stroke-width="2"/>"#
        );
    }
    if let Some(d) = deadlock {
        draw_cycle(&mut s, &bars, d, &x, &row_y, axis_y);
    }
    s.push_str("</svg>");
    Ok(TimelineDrawing { svg: s, bars })
}

/// The deadlock over a drawn timeline: the cycle's blocked stretches striped, an arrow from each
/// waiting worker's row to the row of the worker holding its lock, and the moment it closed.
fn draw_cycle(
    s: &mut String,
    bars: &[BarDetail],
    d: &Deadlock,
    x: &dyn Fn(f64) -> f64,
    row_y: &dyn Fn(u32) -> f64,
    axis_y: f64,
) {
    let _ = write!(
        s,
        r##"<defs><pattern id="blocked-stripes" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#FFFFFF"/><rect width="3" height="6" fill="{BLOCKED_COLOUR}"/></pattern><marker id="cycle-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#000000"/></marker></defs>"##
    );
    for b in bars {
        let Some((_, since)) = &b.deadlocked else {
            continue;
        };
        let x0 = x(*since);
        let _ = write!(
            s,
            r##"<rect class="blocked deadlocked" aria-hidden="true" x="{x0:.2}" y="{}" width="{:.2}" height="{}" fill="url(#blocked-stripes)" stroke="{BLOCKED_COLOUR}" stroke-width="1"/>"##,
            row_y(b.worker) + 6.0,
            (x(b.end) - x0).max(3.0),
            ROW_H - 12.0
        );
    }
    let at = x(d.at);
    let _ = write!(
        s,
        r##"<line class="deadlock-at" x1="{at:.2}" y1="{TOP}" x2="{at:.2}" y2="{axis_y}" stroke="#000000" stroke-width="1" stroke-dasharray="3 2"/>"##
    );
    // The arrows stand in the striped stretch after the cycle closed, where every worker of it is
    // blocked for good: centred there, side by side, so that arrows between the same rows never
    // overlap.
    let n = d.cycle.len();
    let end = bars
        .iter()
        .filter(|b| b.deadlocked.is_some())
        .map(|b| x(b.end))
        .fold(at + 24.0, f64::max);
    let step = ((end - at - 12.0) / n as f64).clamp(3.0, 16.0);
    let first = (at + end) / 2.0 - step * (n as f64 - 1.0) / 2.0;
    for (i, e) in d.cycle.iter().enumerate() {
        let to = &d.cycle[(i + 1) % n];
        let ax = first + step * i as f64;
        let (y1, y2) = (
            row_y(e.worker) + ROW_H / 2.0,
            row_y(to.worker) + ROW_H / 2.0,
        );
        // A worker waiting for itself (a lock taken twice) gets a loop on its own row.
        let path = if e.worker == to.worker {
            format!("M {ax:.2} {:.2} c 14 -10 14 10 0.01 8", y1 - 4.0)
        } else {
            let (y1, y2) = if y2 > y1 {
                (y1 + 4.0, y2 - 6.0)
            } else {
                (y1 - 4.0, y2 + 6.0)
            };
            format!("M {ax:.2} {y1:.2} L {ax:.2} {y2:.2}")
        };
        // A white halo keeps the arrow readable over the stripes.
        let _ = write!(
            s,
            r##"<path d="{path}" stroke="#FFFFFF" stroke-width="5" fill="none" aria-hidden="true"/><path class="cycle-edge" d="{path}" stroke="#000000" stroke-width="2" fill="none" marker-end="url(#cycle-arrow)"><title>worker {} waits for {}, held by worker {}</title></path>"##,
            e.worker,
            esc(&e.waits_for),
            to.worker
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Sweep charts
// ---------------------------------------------------------------------------------------------

/// A point with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub lo: f64,
    pub hi: f64,
}

/// One runtime's points in a sweep chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// "this browser", "native, this machine", ...
    pub label: String,
    /// "wasm" or "native": what a test or a style can select on.
    pub runtime: String,
    pub points: Vec<Point>,
}

/// Amdahl's law fitted to one runtime's speedups, or why it was not.
#[derive(Debug, Clone, PartialEq)]
pub enum AmdahlFit {
    /// Fewer than three worker counts: any serial fraction fits two points, so none is shown.
    TooFew { label: String, counts: usize },
    Fitted {
        label: String,
        counts: usize,
        /// The fraction fitted to the measured speedups, and the fractions fitted to the ends
        /// of their intervals (the upper ends give the lower fraction).
        fraction: f64,
        range: [f64; 2],
    },
}

impl AmdahlFit {
    /// The fit in words, with how uncertain it is.
    pub fn sentence(&self) -> String {
        let limit = |f: f64| {
            if f < 1e-3 {
                "no limit in sight".to_string()
            } else {
                format!("{:.1}x", 1.0 / f)
            }
        };
        match self {
            AmdahlFit::TooFew { label, counts } => format!(
                "{label}: no Amdahl fit from {counts} worker count{}: two points fit any serial fraction. Sweep three or more (for example 1,2,4) to estimate one.",
                if *counts == 1 { "" } else { "s" }
            ),
            AmdahlFit::Fitted {
                label,
                counts,
                fraction,
                range,
            } => format!(
                "{label}: Amdahl fit from {counts} worker counts: serial fraction {fraction:.3} (between {:.3} and {:.3} across the 95% intervals), so a limit of {} ({} to {}) however many workers. {}",
                range[0],
                range[1],
                limit(*fraction),
                limit(range[1]),
                limit(range[0]),
                if range[1] - range[0] > 0.5 {
                    "The intervals are too wide to pin the fraction down: repeat more, or sweep more worker counts."
                } else {
                    "A fit from few points is a rough guide."
                },
            ),
        }
    }
}

/// Fits Amdahl's law to a series of (workers, speedup) points only when it has three or more
/// worker counts.
pub fn fit_amdahl(series: &Series) -> Option<AmdahlFit> {
    let mut counts: Vec<u64> = series.points.iter().map(|p| p.x as u64).collect();
    counts.sort_unstable();
    counts.dedup();
    if counts.is_empty() {
        return None;
    }
    if counts.len() < 3 {
        return Some(AmdahlFit::TooFew {
            label: series.label.clone(),
            counts: counts.len(),
        });
    }
    let pts = |f: fn(&Point) -> f64| -> Vec<(u32, f64)> {
        series.points.iter().map(|p| (p.x as u32, f(p))).collect()
    };
    let fraction = amdahl_fit(&pts(|p| p.y))?;
    let a = amdahl_fit(&pts(|p| p.hi)).unwrap_or(fraction);
    let b = amdahl_fit(&pts(|p| p.lo)).unwrap_or(fraction);
    Some(AmdahlFit::Fitted {
        label: series.label.clone(),
        counts: counts.len(),
        fraction,
        range: [a.min(b).min(fraction), a.max(b).max(fraction)],
    })
}

/// The swept rows of a set as speedup points: every row but the sequential baseline (which is
/// the line at 1), with its interval (the point itself where the set has none).
pub fn speedup_points(rs: &ResultSet) -> Vec<Point> {
    rs.results
        .iter()
        .filter(|r| r.model != engine::ModelKind::Sequential || r.workers > 1)
        .filter_map(|r| {
            let y = r.speedup?;
            let [lo, hi] = r.speedup_ci.unwrap_or([y, y]);
            Some(Point {
                x: f64::from(r.workers),
                y,
                lo,
                hi,
            })
        })
        .collect()
}

/// The mean time of a row, milliseconds, with the 95% interval of the mean.
fn time_point(x: f64, r: &ModelResult) -> Point {
    let y = r.summary.mean * 1000.0;
    let half = r.precision.map(|p| p * y).unwrap_or(0.0);
    Point {
        x,
        y,
        lo: y - half,
        hi: y + half,
    }
}

/// The chunk-size rows of a set as time points.
pub fn chunk_points(rs: &ResultSet) -> Vec<Point> {
    rs.results
        .iter()
        .filter_map(|r| r.chunk_size.map(|c| time_point(c as f64, r)))
        .collect()
}

/// The sequential baseline's time, as a point (x unused), if the set ran one.
pub fn sequential_time(rs: &ResultSet) -> Option<Point> {
    rs.results
        .iter()
        .find(|r| r.model == engine::ModelKind::Sequential && r.workers <= 1)
        .map(|r| time_point(0.0, r))
}

/// A horizontal or sloped reference line of a chart.
struct Guide {
    class: &'static str,
    from: (f64, f64),
    to: (f64, f64),
    colour: &'static str,
    dash: &'static str,
    title: String,
}

/// A scatter chart with interval bars, reference lines and one marker shape per series. `log_x`
/// puts x on a log scale (chunk sizes); the x ticks are the swept values themselves.
fn xy_chart(
    id: &str,
    x_title: &str,
    y_title: &str,
    series: &[Series],
    guides: &[Guide],
    curves: &[(usize, Vec<(f64, f64)>)],
    log_x: bool,
) -> String {
    let (ml, mr, mt, mb) = (56.0, 14.0, 12.0, 50.0);
    let all = || series.iter().flat_map(|s| s.points.iter());
    let mut xs: Vec<f64> = all().map(|p| p.x).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let (x_lo, x_hi) = (
        xs.first().copied().unwrap_or(1.0),
        xs.last().copied().unwrap_or(1.0),
    );
    let y_hi = all()
        .map(|p| p.hi.max(p.y))
        .chain(guides.iter().flat_map(|g| [g.from.1, g.to.1]))
        .fold(0.0f64, f64::max)
        * 1.1;
    let y_hi = if y_hi > 0.0 { y_hi } else { 1.0 };
    let tx = |v: f64| if log_x { v.max(1e-9).ln() } else { v };
    let (a, b) = if (tx(x_hi) - tx(x_lo)).abs() < 1e-12 {
        (tx(x_lo) - 1.0, tx(x_hi) + 1.0)
    } else {
        let pad = (tx(x_hi) - tx(x_lo)) * 0.08;
        (tx(x_lo) - pad, tx(x_hi) + pad)
    };
    let pw = CHART_W - ml - mr;
    let ph = CHART_H - mt - mb;
    let px = |v: f64| ml + (tx(v) - a) / (b - a) * pw;
    let py = |v: f64| mt + ph - v.clamp(0.0, y_hi) / y_hi * ph;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" id="{id}-svg" viewBox="0 0 {CHART_W} {CHART_H}" font-family="sans-serif" font-size="{CHART_FONT}" role="img" aria-label="{} against {}"><rect width="{CHART_W}" height="{CHART_H}" fill="#FFFFFF"/>"##,
        esc(y_title),
        esc(x_title)
    );
    // Grid and axes.
    for t in nice_ticks(0.0, y_hi) {
        let y = py(t);
        let _ = write!(
            s,
            r##"<line x1="{ml}" y1="{y:.2}" x2="{}" y2="{y:.2}" stroke="#E0E0E0"/><text class="tick" x="{}" y="{y:.2}" text-anchor="end" dominant-baseline="central" fill="#000000">{}</text>"##,
            ml + pw,
            ml - 6.0,
            tick_label(t)
        );
    }
    for &v in &xs {
        let x = px(v);
        let _ = write!(
            s,
            r##"<line x1="{x:.2}" y1="{}" x2="{x:.2}" y2="{}" stroke="#000000"/><text class="tick" x="{x:.2}" y="{}" text-anchor="middle" fill="#000000">{}</text>"##,
            mt + ph,
            mt + ph + 4.0,
            mt + ph + 18.0,
            tick_label(v)
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{ml}" y1="{mt}" x2="{ml}" y2="{}" stroke="#000000"/><line x1="{ml}" y1="{}" x2="{}" y2="{}" stroke="#000000"/>"##,
        mt + ph,
        mt + ph,
        ml + pw,
        mt + ph
    );
    let _ = write!(
        s,
        r##"<text class="axis-title" x="{}" y="{}" text-anchor="middle" fill="#000000">{}</text><text class="axis-title" transform="translate(14 {}) rotate(-90)" text-anchor="middle" fill="#000000">{}</text>"##,
        ml + pw / 2.0,
        CHART_H - 8.0,
        esc(x_title),
        mt + ph / 2.0,
        esc(y_title)
    );
    // Reference lines, clipped to the x range shown.
    let (lo_x, hi_x) = (x_lo.min(x_hi), x_hi.max(x_lo));
    for g in guides {
        let (x1, x2) = (g.from.0.max(lo_x), g.to.0.min(hi_x));
        let at = |x: f64| {
            if (g.to.0 - g.from.0).abs() < 1e-12 {
                g.from.1
            } else {
                g.from.1 + (g.to.1 - g.from.1) * (x - g.from.0) / (g.to.0 - g.from.0)
            }
        };
        let (x1p, x2p) = if (x2 - x1).abs() < 1e-12 {
            (ml, ml + pw)
        } else {
            (px(x1), px(x2))
        };
        let _ = write!(
            s,
            r#"<line class="{}" x1="{x1p:.2}" y1="{:.2}" x2="{x2p:.2}" y2="{:.2}" stroke="{}" stroke-width="2" stroke-dasharray="{}"><title>{}</title></line>"#,
            g.class,
            py(at(x1)),
            py(at(x2)),
            g.colour,
            g.dash,
            esc(&g.title)
        );
    }
    for (i, pts) in curves {
        let (colour, _) = SERIES_STYLES[*i % SERIES_STYLES.len()];
        let d: Vec<String> = pts
            .iter()
            .map(|&(x, y)| format!("{:.2},{:.2}", px(x), py(y)))
            .collect();
        let _ = write!(
            s,
            r#"<polyline class="amdahl" data-runtime="{}" points="{}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="2 3"/>"#,
            series[*i].runtime,
            d.join(" ")
        );
    }
    // Points with their intervals; series side by side at one x so their bars do not hide each
    // other.
    let n = series.len() as f64;
    for (i, se) in series.iter().enumerate() {
        let (colour, shape) = SERIES_STYLES[i % SERIES_STYLES.len()];
        let _ = write!(
            s,
            r#"<g class="series" data-runtime="{}" data-label="{}">"#,
            esc(&se.runtime),
            esc(&se.label)
        );
        let nudge = (i as f64 - (n - 1.0) / 2.0) * 6.0;
        for p in &se.points {
            let x = px(p.x) + nudge;
            let (y, lo, hi) = (py(p.y), py(p.lo), py(p.hi));
            let title = esc(&format!(
                "{}: {} {}: {} (95% interval {} to {})",
                se.label,
                x_title,
                tick_label(p.x),
                fig(p.y),
                fig(p.lo),
                fig(p.hi)
            ));
            let _ = write!(
                s,
                r#"<line class="ci" x1="{x:.2}" y1="{lo:.2}" x2="{x:.2}" y2="{hi:.2}" stroke="{colour}" stroke-width="2"/><line x1="{:.2}" y1="{lo:.2}" x2="{:.2}" y2="{lo:.2}" stroke="{colour}" stroke-width="2"/><line x1="{:.2}" y1="{hi:.2}" x2="{:.2}" y2="{hi:.2}" stroke="{colour}" stroke-width="2"/>"#,
                x - 4.0,
                x + 4.0,
                x - 4.0,
                x + 4.0
            );
            let mark = match shape {
                "square" => format!(
                    r#"<rect x="{:.2}" y="{:.2}" width="9" height="9""#,
                    x - 4.5,
                    y - 4.5
                ),
                "diamond" => format!(
                    r#"<polygon points="{x:.2},{:.2} {:.2},{y:.2} {x:.2},{:.2} {:.2},{y:.2}""#,
                    y - 6.0,
                    x + 6.0,
                    y + 6.0,
                    x - 6.0
                ),
                _ => format!(r#"<circle cx="{x:.2}" cy="{y:.2}" r="5""#),
            };
            let _ = write!(
                s,
                r#"{mark} class="point" fill="{colour}" stroke="{colour}"><title>{title}</title>{}"#,
                if shape == "square" {
                    "</rect>"
                } else if shape == "diamond" {
                    "</polygon>"
                } else {
                    "</circle>"
                }
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}

/// A figure with three significant digits or so.
fn fig(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Speedup against workers for every runtime's worker sweep, with its 95% intervals, the
/// sequential baseline at 1 (below it, slower than not parallelising), the ideal line, and the
/// Amdahl curve of each runtime that swept three or more worker counts. Returns the SVG and each
/// runtime's fit or why there is none.
pub fn speedup_svg(series: &[Series]) -> Option<(String, Vec<AmdahlFit>)> {
    let series: Vec<Series> = series
        .iter()
        .filter(|s| !s.points.is_empty())
        .cloned()
        .collect();
    let max_w = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.x))
        .fold(0.0, f64::max);
    if series.is_empty() || max_w < 1.0 {
        return None;
    }
    let fits: Vec<AmdahlFit> = series.iter().filter_map(fit_amdahl).collect();
    let curves: Vec<(usize, Vec<(f64, f64)>)> = fits
        .iter()
        .filter_map(|f| match f {
            AmdahlFit::Fitted {
                label, fraction, ..
            } => {
                let i = series.iter().position(|s| &s.label == label)?;
                let min_w = series[i].points.iter().map(|p| p.x).fold(max_w, f64::min);
                Some((
                    i,
                    (0..=40)
                        .map(|k| min_w + (max_w - min_w) * f64::from(k) / 40.0)
                        .map(|w| (w, amdahl_speedup(*fraction, w)))
                        .collect(),
                ))
            }
            AmdahlFit::TooFew { .. } => None,
        })
        .collect();
    let guides = [
        Guide {
            class: "baseline",
            from: (0.0, 1.0),
            to: (max_w, 1.0),
            colour: "#000000",
            dash: "7 4",
            title: "sequential = 1x: below this line, slower than not parallelising at all (break-even)".into(),
        },
        Guide {
            class: "ideal",
            from: (1.0, 1.0),
            to: (max_w, max_w),
            colour: "#767676",
            dash: "1 3",
            title: "ideal: speedup equals workers".into(),
        },
    ];
    let svg = xy_chart(
        "speedup",
        "workers",
        "speedup (x)",
        &series,
        &guides,
        &curves,
        false,
    );
    Some((svg, fits))
}

/// One runtime's bars in a models sweep: each model's speedup at the experiment's workers.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelBars {
    pub label: String,
    pub runtime: String,
    /// Model name and its speedup with the 95% interval (`x` unused).
    pub bars: Vec<(String, Point)>,
}

/// The swept models of a set, in the set's order, with their speedups.
pub fn model_points(rs: &ResultSet) -> Vec<(String, Point)> {
    rs.results
        .iter()
        .filter(|r| r.model != engine::ModelKind::Sequential)
        .filter_map(|r| {
            let y = r.speedup?;
            let [lo, hi] = r.speedup_ci.unwrap_or([y, y]);
            Some((r.model.to_string(), Point { x: 0.0, y, lo, hi }))
        })
        .collect()
}

/// Speedup per model for a models sweep: a row per model, a bar per runtime with its 95%
/// interval, the sequential baseline at 1 (break-even) and the ideal, `workers`.
pub fn models_svg(series: &[ModelBars], workers: u32) -> Option<String> {
    let mut models: Vec<&str> = Vec::new();
    for s in series {
        for (m, _) in &s.bars {
            if !models.contains(&m.as_str()) {
                models.push(m);
            }
        }
    }
    if models.is_empty() {
        return None;
    }
    let n = series.len().max(1) as f64;
    let (bar_h, gap, ml, mr, mt, mb) = (16.0, 12.0, 150.0, 16.0, 12.0, 44.0);
    let height = mt + models.len() as f64 * (n * bar_h + gap) + mb;
    let ideal = f64::from(workers.max(1));
    let x_hi = series
        .iter()
        .flat_map(|s| s.bars.iter().map(|(_, p)| p.hi.max(p.y)))
        .fold(ideal, f64::max)
        * 1.1;
    let pw = CHART_W - ml - mr;
    let px = |v: f64| ml + v.clamp(0.0, x_hi) / x_hi * pw;
    let axis_y = height - mb;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" id="models-svg" viewBox="0 0 {CHART_W} {height}" font-family="sans-serif" font-size="{CHART_FONT}" role="img" aria-label="speedup per model at {workers} workers"><rect width="{CHART_W}" height="{height}" fill="#FFFFFF"/>"##
    );
    for t in nice_ticks(0.0, x_hi) {
        let x = px(t);
        let _ = write!(
            s,
            r##"<line x1="{x:.2}" y1="{mt}" x2="{x:.2}" y2="{axis_y}" stroke="#E0E0E0"/><text class="tick" x="{x:.2}" y="{:.2}" text-anchor="middle" fill="#000000">{}</text>"##,
            axis_y + 18.0,
            tick_label(t)
        );
    }
    let _ = write!(
        s,
        r##"<text x="{:.2}" y="{:.2}" text-anchor="middle" fill="#000000">speedup (x) at {workers} workers</text>"##,
        ml + pw / 2.0,
        height - 6.0
    );
    for (row, m) in models.iter().enumerate() {
        let y0 = mt + row as f64 * (n * bar_h + gap);
        let _ = write!(
            s,
            r##"<text class="row-label" x="{:.2}" y="{:.2}" text-anchor="end" dominant-baseline="central" fill="#000000">{}</text>"##,
            ml - 6.0,
            y0 + n * bar_h / 2.0,
            esc(m)
        );
        for (i, ser) in series.iter().enumerate() {
            let Some((_, p)) = ser.bars.iter().find(|(name, _)| name == m) else {
                continue;
            };
            let colour = SERIES_STYLES[i % SERIES_STYLES.len()].0;
            let y = y0 + i as f64 * bar_h;
            let title = format!(
                "{}: {m}: {} (95% interval {} to {})",
                ser.label,
                fig(p.y),
                fig(p.lo),
                fig(p.hi)
            );
            let _ = write!(
                s,
                r##"<rect class="model-bar" data-model="{}" data-runtime="{}" x="{ml}" y="{:.2}" width="{:.2}" height="{:.2}" fill="{colour}"><title>{}</title></rect>"##,
                esc(m),
                esc(&ser.runtime),
                y + 1.0,
                (px(p.y) - ml).max(1.0),
                bar_h - 2.0,
                esc(&title)
            );
            let ym = y + bar_h / 2.0;
            let _ = write!(
                s,
                r##"<path class="ci" d="M{:.2} {ym:.2}H{:.2}M{:.2} {:.2}V{:.2}M{:.2} {:.2}V{:.2}" stroke="#000000" stroke-width="1.5"/>"##,
                px(p.lo),
                px(p.hi),
                px(p.lo),
                ym - 4.0,
                ym + 4.0,
                px(p.hi),
                ym - 4.0,
                ym + 4.0
            );
        }
    }
    for (class, v, dash, colour, what) in [
        (
            "baseline",
            1.0,
            "7 4",
            "#000000",
            "sequential = 1x: break-even",
        ),
        ("ideal", ideal, "1 3", "#767676", "ideal: the workers"),
    ] {
        let x = px(v);
        let _ = write!(
            s,
            r##"<line class="{class}" x1="{x:.2}" y1="{mt}" x2="{x:.2}" y2="{axis_y}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"><title>{what}</title></line>"##
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{ml}" y1="{axis_y}" x2="{}" y2="{axis_y}" stroke="#000000"/></svg>"##,
        ml + pw
    );
    Some(s)
}

/// Mean run time against chunk size (log scale) for every runtime's chunk-size sweep, each point
/// with the 95% interval of its mean, and each runtime's sequential time as the break-even line:
/// a chunk size whose point lies above it is slower than not parallelising.
pub fn chunk_svg(series: &[(Series, Option<Point>)]) -> Option<String> {
    let points: Vec<Series> = series
        .iter()
        .filter(|(s, _)| !s.points.is_empty())
        .map(|(s, _)| s.clone())
        .collect();
    if points.iter().map(|s| s.points.len()).sum::<usize>() < 2 {
        return None;
    }
    let max_c = points
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.x))
        .fold(0.0, f64::max);
    let guides: Vec<Guide> = series
        .iter()
        .enumerate()
        .filter_map(|(i, (s, base))| {
            let b = base.as_ref()?;
            Some(Guide {
                class: "baseline",
                from: (0.0, b.y),
                to: (max_c * 10.0, b.y),
                colour: SERIES_STYLES[i % SERIES_STYLES.len()].0,
                dash: "7 4",
                title: format!(
                    "{}: sequential {} (break-even: above this line is slower than not parallelising)",
                    s.label,
                    ms(b.y / 1000.0)
                ),
            })
        })
        .collect();
    Some(xy_chart(
        "chunk",
        "chunk size (tasks)",
        "mean run time (ms)",
        &points,
        &guides,
        &[],
        true,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_models_sweep_draws_a_bar_per_model_and_runtime_with_its_interval() {
        let p = |y: f64| Point {
            x: 0.0,
            y,
            lo: y - 0.1,
            hi: y + 0.1,
        };
        let series = [
            ModelBars {
                label: "this browser".into(),
                runtime: "wasm".into(),
                bars: vec![("gil".into(), p(0.98)), ("dynamic-pool".into(), p(1.9))],
            },
            ModelBars {
                label: "native, this machine".into(),
                runtime: "native".into(),
                bars: vec![("gil".into(), p(0.99))],
            },
        ];
        let svg = models_svg(&series, 2).unwrap();
        assert_eq!(svg.matches("class=\"model-bar\"").count(), 3);
        assert_eq!(svg.matches("class=\"ci\"").count(), 3);
        assert_eq!(svg.matches("class=\"row-label\"").count(), 2);
        assert!(svg.contains("this browser: dynamic-pool: 1.90 (95% interval 1.80 to 2.00)"));
        assert!(svg.contains("class=\"baseline\"") && svg.contains("class=\"ideal\""));
        assert!(models_svg(&[], 2).is_none());
    }

    /// A deadlocked run: three philosophers in flight, each blocked on the next one's fork; a
    /// finished task that was blocked for a while. Drawn: the cycle's stretches striped, an
    /// arrow per wait, the moment it closed; the blocked part of the finished task's wait.
    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_deadlock_is_drawn_with_its_cycle() {
        use engine::locks::WaitEdge;
        let in_flight: Vec<InFlight> = (0..3)
            .map(|w| InFlight {
                worker: w,
                stage: 0,
                task: w,
                end: w + 1,
                since: Some(0.001),
            })
            .collect();
        let d = Deadlock {
            cycle: (0..3)
                .map(|w| WaitEdge {
                    worker: w,
                    task: w,
                    holds: format!("fork {w}"),
                    waits_for: format!("fork {}", (w + 1) % 3),
                    since: 0.006,
                })
                .collect(),
            at: 0.0061,
        };
        let mut done = rec(3, 7, 0.0, 0.004, 0.003);
        done.blocked = 0.002;
        let t = timeline_svg(&[done], &in_flight, Some(0.007), Some(&d), None).unwrap();
        assert_eq!(t.svg.matches(r#"class="cycle-edge""#).count(), 3);
        assert_eq!(t.svg.matches(r#"class="blocked deadlocked""#).count(), 3);
        assert_eq!(t.svg.matches(r#"class="blocked""#).count(), 1);
        assert_eq!(t.svg.matches("in-cycle").count(), 3);
        assert!(
            t.svg
                .contains("worker 2 waits for fork 0, held by worker 0")
        );
        assert!(t.svg.contains(r#"class="deadlock-at""#));
        let bar = t.bars.iter().find(|b| b.worker == 1).unwrap();
        assert!(
            bar.describe()
                .contains("DEADLOCKED: blocked from 6.00 ms waiting for fork 2, held by worker 2, 1.00 ms until the run was ended"),
            "{}",
            bar.describe()
        );
        let finished = t.bars.iter().find(|b| b.worker == 3).unwrap();
        assert!(
            finished.describe().contains("(blocked on a lock 2.00 ms)"),
            "{}",
            finished.describe()
        );
    }

    fn rec(worker: u32, task: u32, start: f64, end: f64, wait: f64) -> TaskRecord {
        TaskRecord {
            stage: 0,
            task,
            worker,
            start,
            end,
            wait,
            blocked: 0.0,
            delivered: None,
            delivered_index: None,
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn overlapping_tasks_of_one_worker_stay_in_one_row() {
        // The async loop: three tasks in flight on one thread, each waiting then computing.
        let tasks = [
            rec(0, 0, 0.0, 1.0, 0.8),
            rec(0, 1, 0.1, 1.2, 0.9),
            rec(0, 2, 0.2, 1.4, 1.0),
        ];
        let d = timeline_svg(&tasks, &[], None, None, None).unwrap();
        assert_eq!(d.svg.matches(r#"class="row-label""#).count(), 1);
        assert_eq!(d.svg.matches(r#"class="wait""#).count(), 3);
        assert_eq!(d.bars.len(), 3);
        assert!(d.bars[1].describe().contains("waited 900 ms"));
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn ranks_are_grouped_by_host_and_labelled_with_it() {
        let tasks: Vec<_> = (0..4).map(|w| rec(w, w, 0.0, 1.0, 0.0)).collect();
        let hosts: Vec<String> = ["a", "b", "a", "b"].map(String::from).to_vec();
        let d = timeline_svg(&tasks, &[], None, None, Some(&hosts)).unwrap();
        assert!(
            d.bars.iter().all(|b| b.describe().contains(&format!(
                "rank {} on {}",
                b.worker, hosts[b.worker as usize]
            ))),
            "a rank's bar names its rank and host"
        );
        let labels: Vec<&str> = d
            .svg
            .split(r#"class="row-label""#)
            .skip(1)
            .map(|t| {
                let text = &t[t.find('>').unwrap() + 1..];
                &text[..text.find('<').unwrap()]
            })
            .collect();
        assert_eq!(labels, ["rank 0 · a", "rank 2", "rank 1 · b", "rank 3"]);
        assert_eq!(d.svg.matches(r#"class="host-edge""#).count(), 1);
        assert_eq!(d.svg.matches(r#"data-host="b""#).count(), 2);
        let rows: Vec<(u32, u32)> = d.bars.iter().map(|b| (b.worker, b.row)).collect();
        assert_eq!(rows, [(0, 0), (2, 1), (1, 2), (3, 3)]);
        // Without hosts, or with too few for the workers, a row per worker in order.
        let plain = timeline_svg(&tasks, &[], None, None, Some(&hosts[..2])).unwrap();
        assert!(plain.svg.contains(">worker 3<"));
        assert!(!plain.svg.contains("host-edge"));
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn adjacent_bars_merge_below_a_pixel() {
        let tasks: Vec<_> = (0..1000)
            .map(|i| rec(0, i, f64::from(i) * 1e-6, f64::from(i + 1) * 1e-6, 0.0))
            .collect();
        let bars = merge_bars(&tasks, 1e-3, 100);
        assert_eq!(bars.len(), 1);
        assert_eq!(bars[0].1, 1000);
        assert!((bars[0].0.3 - 1e-3).abs() < 1e-9, "busy time is kept");
    }

    /// WCAG contrast of a "#RRGGBB" colour against white.
    fn contrast_on_white(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
        1.05 / (l + 0.05)
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn every_mark_colour_has_3_to_1_contrast_on_white() {
        let colours = STAGE_COLOURS
            .iter()
            .chain(SERIES_STYLES.iter().map(|(c, _)| c))
            .chain([&WAIT_COLOUR, &RUNNING_COLOUR]);
        for c in colours {
            assert!(contrast_on_white(c) >= 3.0, "{c}: {}", contrast_on_white(c));
        }
    }

    fn series(points: &[(f64, f64)]) -> Series {
        Series {
            label: "this browser".into(),
            runtime: "wasm".into(),
            points: points
                .iter()
                .map(|&(x, y)| Point {
                    x,
                    y,
                    lo: y * 0.9,
                    hi: y * 1.1,
                })
                .collect(),
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn amdahl_is_refused_below_three_worker_counts() {
        let two = series(&[(1.0, 1.0), (2.0, 1.6)]);
        assert!(matches!(
            fit_amdahl(&two),
            Some(AmdahlFit::TooFew { counts: 2, .. })
        ));
        let (svg, _) = speedup_svg(&[two]).unwrap();
        assert!(!svg.contains("amdahl"));
        assert!(svg.contains(r#"class="baseline""#));
        let three = series(&[(1.0, 1.0), (2.0, 1.9), (4.0, 3.5)]);
        match fit_amdahl(&three) {
            Some(AmdahlFit::Fitted {
                fraction, range, ..
            }) => {
                assert!(range[0] <= fraction && fraction <= range[1]);
                assert!(fraction < 0.1, "{fraction}");
            }
            other => panic!("{other:?}"),
        }
    }
}
