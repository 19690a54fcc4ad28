//! Charts drawn by plotters into SVG: the per-worker timeline, speedup against workers (with the
//! ideal line and an Amdahl fit), and run time against chunk size.

use std::borrow::Cow;

use engine::model::TaskRecord;
use engine::result::InFlight;
use engine::result::ResultSet;
use engine::stats::{amdahl_fit, amdahl_speedup};
use plotters::prelude::*;

const WIDTH: u32 = 860;

/// Colours of the task bars, cycling by stage so stage boundaries are visible.
const STAGE_COLOURS: [RGBColor; 4] = [
    RGBColor(52, 120, 200),
    RGBColor(230, 140, 40),
    RGBColor(60, 160, 90),
    RGBColor(170, 80, 170),
];

/// A bar: (row, start, end, busy seconds inside, colour index).
pub type Bar = (u32, f64, f64, f64, u32);

/// One bar per worker row, merged where neighbouring bars would touch at this width, so a run of a
/// million tasks draws a few thousand rectangles.
pub fn merge_bars(
    tasks: &[TaskRecord],
    span: f64,
    width_px: u32,
) -> Vec<(u32, f64, f64, f64, u32)> {
    let px = span / f64::from(width_px.max(1));
    let mut sorted: Vec<&TaskRecord> = tasks.iter().collect();
    sorted.sort_by(|a, b| a.worker.cmp(&b.worker).then(a.start.total_cmp(&b.start)));
    // (worker, start, end, busy seconds inside, stage)
    let mut bars: Vec<Bar> = Vec::new();
    for t in sorted {
        let busy = (t.end - t.start - t.wait).max(0.0);
        match bars.last_mut() {
            Some(b) if b.0 == t.worker && t.start - b.2 < px && b.4 == t.stage => {
                b.2 = b.2.max(t.end);
                b.3 += busy;
            }
            _ => bars.push((t.worker, t.start, t.end, busy, t.stage)),
        }
    }
    bars
}

/// Rows of the timeline: one per worker, split into lanes where a worker's tasks overlap in time
/// (the async loop keeps many tasks in flight on one thread). Returns each task's row and the
/// row labels.
pub fn lanes(tasks: &[TaskRecord]) -> (Vec<u32>, Vec<String>) {
    let mut order: Vec<usize> = (0..tasks.len()).collect();
    order.sort_by(|&a, &b| {
        tasks[a]
            .worker
            .cmp(&tasks[b].worker)
            .then(tasks[a].start.total_cmp(&tasks[b].start))
    });
    let mut row_of = vec![0u32; tasks.len()];
    let mut labels = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let worker = tasks[order[i]].worker;
        let mut lane_ends: Vec<f64> = Vec::new();
        let first_row = labels.len() as u32;
        while i < order.len() && tasks[order[i]].worker == worker {
            let t = &tasks[order[i]];
            let lane = match lane_ends.iter().position(|&end| end <= t.start) {
                Some(l) => l,
                None => {
                    lane_ends.push(0.0);
                    lane_ends.len() - 1
                }
            };
            lane_ends[lane] = t.end;
            row_of[order[i]] = first_row + lane as u32;
            i += 1;
        }
        for lane in 0..lane_ends.len() {
            labels.push(if lane_ends.len() == 1 {
                format!("worker {worker}")
            } else {
                format!("w{worker} slot {lane}")
            });
        }
    }
    (row_of, labels)
}

/// Colour of the tasks still running when a run was stopped.
const RUNNING: RGBColor = RGBColor(200, 40, 40);

/// The timeline (Gantt chart) of a recorded run, as SVG: its finished `tasks`, and for a run
/// that was stopped `stopped_at` seconds in, the tasks `in_flight` then, drawn red up to the stop.
pub fn timeline_svg(
    finished: &[TaskRecord],
    in_flight: &[InFlight],
    stopped_at: Option<f64>,
) -> Result<String, String> {
    // Tasks still running become bars that end at the stop; their start is known when the
    // timeline was kept.
    let running: Vec<TaskRecord> = in_flight
        .iter()
        .filter_map(|f| {
            Some(TaskRecord {
                stage: f.stage,
                task: f.task,
                worker: f.worker,
                start: f.since?,
                end: stopped_at?,
                wait: 0.0,
                delivered: None,
                delivered_index: None,
            })
        })
        .collect();
    if finished.is_empty() && running.is_empty() {
        return Err("no task records (results from a link or the history carry none, nor runs with the timeline off)".into());
    }
    // A finished run's records are drawn as they are; only a stopped run's are joined with its
    // running tasks (a copy a render of a million records need not make).
    let all: Cow<[TaskRecord]> = if running.is_empty() {
        Cow::Borrowed(finished)
    } else {
        Cow::Owned(finished.iter().chain(&running).cloned().collect())
    };
    let tasks = &all[..];
    let first_running = finished.len();
    let span = tasks
        .iter()
        .map(|t| t.end)
        .chain(stopped_at)
        .fold(0.0f64, f64::max)
        .max(1e-9);
    // Few tasks: one bar each, in lanes where they overlap, alternate shades so neighbours stay
    // distinguishable. Many: bars merged at pixel resolution, one row per worker.
    let (bars, labels, running_bars): (Vec<Bar>, Vec<String>, Vec<Bar>) = if tasks.len() <= 2000 {
        let (rows, labels) = lanes(tasks);
        let mut bars: Vec<Bar> = tasks
            .iter()
            .zip(rows)
            .map(|(t, row)| {
                (
                    row,
                    t.start,
                    t.end,
                    (t.end - t.start - t.wait).max(0.0),
                    t.stage * 2 + t.task % 2,
                )
            })
            .collect();
        let running_bars = bars.split_off(first_running);
        (bars, labels, running_bars)
    } else {
        let workers = tasks.iter().map(|t| t.worker).max().unwrap_or(0) + 1;
        let bars = merge_bars(finished, span, WIDTH)
            .into_iter()
            .map(|(w, s, e, b, stage)| (w, s, e, b, stage * 2))
            .collect();
        let running_bars = running
            .iter()
            .map(|t| (t.worker, t.start, t.end, t.end - t.start, 0))
            .collect();
        (
            bars,
            (0..workers).map(|w| format!("worker {w}")).collect(),
            running_bars,
        )
    };
    let rows = labels.len() as u32;
    let height = (70 + rows * 24).min(700);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..span * 1000.0, 0.0..f64::from(rows))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows as usize + 1)
            .y_label_formatter(&|y| {
                let w = y.floor();
                if (y - w).abs() < 1e-9 && w < f64::from(rows) {
                    labels[w as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_desc("milliseconds since the run started")
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().map(|&(w, s, e, busy, stage)| {
                let RGBColor(r, g, b) = STAGE_COLOURS[(stage / 2) as usize % STAGE_COLOURS.len()];
                let shade = |c: u8| {
                    if stage % 2 == 1 {
                        (f64::from(c) * 0.75) as u8
                    } else {
                        c
                    }
                };
                let colour = RGBColor(shade(r), shade(g), shade(b));
                // A bar that mostly waited (I/O, timer, GIL) is drawn faint.
                let share = if e > s {
                    (busy / (e - s)).clamp(0.0, 1.0)
                } else {
                    1.0
                };
                let style = colour.mix(0.25 + 0.75 * share).filled();
                let y = f64::from(w);
                Rectangle::new(
                    [
                        (s * 1000.0, y + 0.15),
                        (e.max(s + span / f64::from(WIDTH)) * 1000.0, y + 0.85),
                    ],
                    style,
                )
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(running_bars.iter().map(|&(w, s, e, _, _)| {
                let y = f64::from(w);
                Rectangle::new(
                    [
                        (s * 1000.0, y + 0.15),
                        (e.max(s + span / f64::from(WIDTH)) * 1000.0, y + 0.85),
                    ],
                    RUNNING.mix(0.6).filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        if let Some(at) = stopped_at {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    [(at * 1000.0, 0.0), (at * 1000.0, f64::from(rows))],
                    RUNNING.stroke_width(2),
                )))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Speedup against workers for the rows of a worker sweep, each with its 95% interval, with the
/// ideal line and the Amdahl curve of the best-fitting serial fraction. Returns the SVG and the
/// fitted fraction.
pub fn speedup_svg(results: &ResultSet) -> Option<(String, f64)> {
    let swept = || {
        results
            .results
            .iter()
            .filter(|r| r.model != engine::ModelKind::Sequential || r.workers > 1)
    };
    let points: Vec<(u32, f64)> = swept()
        .filter_map(|r| r.speedup.map(|s| (r.workers, s)))
        .collect();
    // Each speedup's 95% interval, drawn as a vertical bar through its point.
    let intervals: Vec<(u32, [f64; 2])> = swept()
        .filter_map(|r| Some((r.workers, r.speedup_ci?)))
        .collect();
    let distinct = {
        let mut w: Vec<u32> = points.iter().map(|p| p.0).collect();
        w.dedup();
        w.len()
    };
    if distinct < 2 {
        return None;
    }
    let fit = amdahl_fit(&points)?;
    let max_w = points.iter().map(|p| p.0).max()? as f64;
    let max_s = points
        .iter()
        .map(|p| p.1)
        .chain(intervals.iter().map(|i| i.1[1]))
        .fold(max_w, f64::max)
        * 1.1;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH / 2, 320)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .caption("speedup vs workers", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(0.5..max_w + 0.5, 0.0..max_s)
            .ok()?;
        chart
            .configure_mesh()
            .x_desc("workers")
            .y_desc("speedup")
            .draw()
            .ok()?;
        chart
            .draw_series(LineSeries::new(
                [(1.0, 1.0), (max_w, max_w)],
                BLACK.mix(0.4),
            ))
            .ok()?
            .label("ideal")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.mix(0.4)));
        let curve: Vec<(f64, f64)> = (0..=50)
            .map(|i| 1.0 + (max_w - 1.0) * f64::from(i) / 50.0)
            .map(|w| (w, amdahl_speedup(fit, w)))
            .collect();
        chart
            .draw_series(LineSeries::new(curve, RED))
            .ok()?
            .label(format!("Amdahl, serial fraction {fit:.3}"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], RED));
        chart
            .draw_series(intervals.iter().map(|&(w, [lo, hi])| {
                PathElement::new(
                    [(f64::from(w), lo), (f64::from(w), hi)],
                    BLUE.stroke_width(2),
                )
            }))
            .ok()?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&(w, s)| Circle::new((f64::from(w), s), 4, BLUE.filled())),
            )
            .ok()?
            .label("measured (95% interval)")
            .legend(|(x, y)| Circle::new((x + 8, y), 4, BLUE.filled()));
        chart
            .configure_series_labels()
            .border_style(BLACK.mix(0.3))
            .background_style(WHITE)
            .draw()
            .ok()?;
        root.present().ok()?;
    }
    Some((svg, fit))
}

/// Mean run time against chunk size (log scale) for the rows of a chunk-size sweep.
pub fn chunk_svg(results: &ResultSet) -> Option<String> {
    if !matches!(results.experiment.sweep, Some(engine::Sweep::ChunkSize(_))) {
        return None;
    }
    let points: Vec<(f64, f64)> = results
        .results
        .iter()
        .filter_map(|r| r.chunk_size.map(|c| (c as f64, r.summary.mean * 1000.0)))
        .collect();
    if points.len() < 2 {
        return None;
    }
    let min_c = points
        .iter()
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min)
        .max(1.0);
    let max_c = points.iter().map(|p| p.0).fold(0.0, f64::max);
    let max_t = points.iter().map(|p| p.1).fold(0.0, f64::max) * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH / 2, 320)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .caption("run time vs chunk size", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d((min_c / 1.5..max_c * 1.5).log_scale(), 0.0..max_t)
            .ok()?;
        chart
            .configure_mesh()
            .x_desc("chunk size (tasks)")
            .y_desc("mean ms")
            .draw()
            .ok()?;
        chart
            .draw_series(LineSeries::new(points.clone(), BLUE))
            .ok()?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 4, BLUE.filled())))
            .ok()?;
        root.present().ok()?;
    }
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(worker: u32, task: u32, start: f64, end: f64) -> TaskRecord {
        TaskRecord {
            stage: 0,
            task,
            worker,
            start,
            end,
            wait: 0.0,
            delivered: None,
            delivered_index: None,
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn overlapping_tasks_of_one_worker_get_lanes() {
        let tasks = [
            rec(0, 0, 0.0, 1.0),
            rec(0, 1, 0.5, 1.5),
            rec(0, 2, 1.2, 2.0),
            rec(1, 3, 0.0, 1.0),
        ];
        let (rows, labels) = lanes(&tasks);
        assert_eq!(rows, vec![0, 1, 0, 2]);
        assert_eq!(labels, ["w0 slot 0", "w0 slot 1", "worker 1"]);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn adjacent_bars_merge_below_a_pixel() {
        let tasks: Vec<_> = (0..1000)
            .map(|i| rec(0, i, f64::from(i) * 1e-6, f64::from(i + 1) * 1e-6))
            .collect();
        let bars = merge_bars(&tasks, 1e-3, 100);
        assert_eq!(bars.len(), 1);
        assert!((bars[0].3 - 1e-3).abs() < 1e-9, "busy time is kept");
    }
}
