//! Bar charts for the performance report, as standalone SVG: a row per thing measured, a bar per
//! side (native, browser), its 95% interval as a whisker where there is one, and a reference
//! line that says what the figures are measured against ("as fast as native", "ideal").
//!
//! Horizontal bars keep long labels readable at any width; text is 12 px or more, and the two
//! sides use Okabe-Ito's blue and orange, which stay apart for every common colour blindness and
//! each contrast over 3:1 with the white background.

use std::fmt::Write;

/// One measured figure, with its interval where it has one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub value: f64,
    pub ci: Option<[f64; 2]>,
}

impl Point {
    pub fn new(value: f64, ci: Option<[f64; 2]>) -> Self {
        Point { value, ci }
    }
}

/// A labelled group of bars, one per series (a missing figure draws no bar).
#[derive(Debug, Clone)]
pub struct Row {
    pub label: String,
    pub points: Vec<Option<Point>>,
}

/// A horizontal grouped bar chart.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Said above the chart and as the SVG's `<title>`.
    pub title: String,
    /// What the value axis measures, with its unit.
    pub axis: String,
    /// The series' names, in bar order within a row.
    pub series: Vec<String>,
    pub rows: Vec<Row>,
    /// A vertical line at this value, and what it means.
    pub reference: Option<(f64, String)>,
    /// A logarithmic value axis, for figures spanning orders of magnitude.
    pub log: bool,
}

/// Okabe-Ito blue, orange, bluish green.
const COLOURS: [&str; 3] = ["#0072B2", "#D55E00", "#009E73"];
const WIDTH: f64 = 720.0;
const LABEL_W: f64 = 200.0;
const RIGHT: f64 = 70.0;
const BAR_H: f64 = 16.0;
const GAP: f64 = 10.0;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 48.0;

impl BarChart {
    /// The chart as an SVG document, with a `<title>` and a `<desc>` that states every figure,
    /// so the chart has a text alternative.
    pub fn svg(&self) -> String {
        let values: Vec<f64> = self
            .rows
            .iter()
            .flat_map(|r| r.points.iter().flatten())
            .flat_map(|p| {
                let mut v = vec![p.value];
                if let Some([lo, hi]) = p.ci {
                    v.extend([lo, hi]);
                }
                v
            })
            .chain(self.reference.as_ref().map(|r| r.0))
            .filter(|v| v.is_finite() && (!self.log || *v > 0.0))
            .collect();
        let (lo, hi) = self.range(&values);
        let plot_w = WIDTH - LABEL_W - RIGHT;
        let x = |v: f64| {
            let t = if self.log {
                (v.max(lo).ln() - lo.ln()) / (hi.ln() - lo.ln())
            } else {
                (v - lo) / (hi - lo)
            };
            LABEL_W + t.clamp(0.0, 1.0) * plot_w
        };
        let n = self.series.len().max(1) as f64;
        let group_h = n * BAR_H + GAP;
        let height = TOP + group_h * self.rows.len() as f64 + BOTTOM;
        let mut s = String::new();
        let _ = write!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" font-family=\"system-ui, sans-serif\" font-size=\"13\">\
             <title>{}</title><desc>{}</desc><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>",
            esc(&self.title),
            esc(&self.description())
        );
        let _ = write!(
            s,
            "<text x=\"8\" y=\"18\" font-size=\"15\" font-weight=\"600\">{}</text>",
            esc(&self.title)
        );
        // Legend, top right.
        let mut lx = LABEL_W;
        for (i, name) in self.series.iter().enumerate() {
            let _ = write!(
                s,
                "<rect x=\"{lx}\" y=\"27\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"38\">{}</text>",
                COLOURS[i % COLOURS.len()],
                lx + 16.0,
                esc(name)
            );
            lx += 24.0 + 8.0 * name.chars().count() as f64;
        }
        // Ticks and grid.
        let axis_y = height - BOTTOM + 4.0;
        for t in self.ticks(lo, hi) {
            let tx = x(t);
            let _ = write!(
                s,
                "<line x1=\"{tx:.1}\" x2=\"{tx:.1}\" y1=\"{TOP}\" y2=\"{axis_y}\" stroke=\"#d0d7de\"/>\
                 <text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#444\">{}</text>",
                axis_y + 16.0,
                tick_label(t)
            );
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#444\">{}</text>",
            LABEL_W + plot_w / 2.0,
            height - 8.0,
            esc(&self.axis)
        );
        // Bars, whiskers, labels.
        for (r, row) in self.rows.iter().enumerate() {
            let y0 = TOP + r as f64 * group_h;
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>",
                LABEL_W - 8.0,
                y0 + n * BAR_H / 2.0,
                esc(&row.label)
            );
            for (i, p) in row.points.iter().enumerate() {
                let Some(p) = p.filter(|p| p.value.is_finite()) else {
                    continue;
                };
                let y = y0 + i as f64 * BAR_H;
                let (x0, x1) = (x(if self.log { lo } else { lo.max(0.0) }), x(p.value));
                let _ = write!(
                    s,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: {}</title></rect>",
                    x0.min(x1),
                    y + 1.0,
                    (x1 - x0).abs().max(1.0),
                    BAR_H - 2.0,
                    COLOURS[i % COLOURS.len()],
                    esc(&self.series[i]),
                    figure(&p)
                );
                if let Some([a, b]) = p.ci {
                    let ym = y + BAR_H / 2.0;
                    let _ = write!(
                        s,
                        "<path d=\"M{:.1} {ym:.1}H{:.1}M{:.1} {:.1}V{:.1}M{:.1} {:.1}V{:.1}\" stroke=\"#111\" stroke-width=\"1.5\"/>",
                        x(a),
                        x(b),
                        x(a),
                        ym - 4.0,
                        ym + 4.0,
                        x(b),
                        ym - 4.0,
                        ym + 4.0
                    );
                }
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" dominant-baseline=\"middle\" fill=\"#222\">{}</text>",
                    x(p.ci.map_or(p.value, |[_, b]| b.max(p.value))) + 4.0,
                    y + BAR_H / 2.0,
                    tick_label(p.value)
                );
            }
        }
        if let Some((v, what)) = &self.reference {
            let rx = x(*v);
            let _ = write!(
                s,
                "<line x1=\"{rx:.1}\" x2=\"{rx:.1}\" y1=\"{:.1}\" y2=\"{axis_y}\" stroke=\"#111\" stroke-dasharray=\"5 3\"/>\
                 <text x=\"{rx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#111\">{}</text>",
                TOP - 2.0,
                TOP - 4.0,
                esc(what)
            );
        }
        s.push_str("</svg>\n");
        s
    }

    /// Every figure in words: the chart's text alternative.
    pub fn description(&self) -> String {
        let rows: Vec<String> = self
            .rows
            .iter()
            .map(|r| {
                let parts: Vec<String> = r
                    .points
                    .iter()
                    .zip(&self.series)
                    .filter_map(|(p, name)| Some(format!("{name} {}", figure(&(*p)?))))
                    .collect();
                format!("{}: {}", r.label, parts.join(", "))
            })
            .collect();
        format!("{} ({}). {}.", self.title, self.axis, rows.join("; "))
    }

    fn range(&self, values: &[f64]) -> (f64, f64) {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !min.is_finite() || !max.is_finite() {
            return (if self.log { 1.0 } else { 0.0 }, 1.0);
        }
        if self.log {
            let lo = 10f64.powf(min.log10().floor());
            let hi = 10f64.powf(max.log10().ceil());
            (lo, if hi > lo { hi } else { lo * 10.0 })
        } else {
            let hi = max * 1.1;
            (min.min(0.0), if hi > 0.0 { hi } else { 1.0 })
        }
    }

    fn ticks(&self, lo: f64, hi: f64) -> Vec<f64> {
        if self.log {
            let mut t = Vec::new();
            let mut v = lo;
            while v <= hi * 1.0001 {
                t.push(v);
                v *= 10.0;
            }
            return t;
        }
        let raw = (hi - lo) / 5.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw)
            .unwrap_or(raw);
        let mut t = Vec::new();
        let mut v = (lo / step).ceil() * step;
        while v <= hi + step * 1e-9 {
            t.push(v);
            v += step;
        }
        t
    }
}

/// A figure with its interval: "1.95 (1.90 to 2.00)".
fn figure(p: &Point) -> String {
    match p.ci {
        Some([a, b]) => format!(
            "{} (95% interval {} to {})",
            tick_label(p.value),
            tick_label(a),
            tick_label(b)
        ),
        None => tick_label(p.value),
    }
}

/// Three significant digits, without exponent for the ranges a report shows.
pub fn tick_label(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(log: bool) -> BarChart {
        BarChart {
            title: "Browser over native <1 worker>".into(),
            axis: "time, browser / native".into(),
            series: vec!["suite page".into(), "fresh page".into()],
            rows: vec![
                Row {
                    label: "mandelbrot".into(),
                    points: vec![
                        Some(Point::new(1.25, Some([1.2, 1.3]))),
                        Some(Point::new(1.4, None)),
                    ],
                },
                Row {
                    label: "primes".into(),
                    points: vec![Some(Point::new(0.9, Some([0.85, 0.95]))), None],
                },
            ],
            reference: Some((1.0, "as fast as native".into())),
            log,
        }
    }

    #[test]
    fn a_chart_draws_a_bar_per_figure_with_its_interval_and_says_it_in_words() {
        let svg = chart(false).svg();
        assert_eq!(
            svg.matches("<rect x=").count(),
            2 + 3,
            "legend + bars: {svg}"
        );
        assert_eq!(
            svg.matches("stroke-width=\"1.5\"").count(),
            2,
            "two whiskers"
        );
        assert!(svg.contains("as fast as native") && svg.contains("stroke-dasharray"));
        assert!(svg.contains("&lt;1 worker&gt;"), "text is escaped");
        let d = chart(false).description();
        assert!(
            d.contains("mandelbrot: suite page 1.25 (95% interval 1.2 to 1.3), fresh page 1.4"),
            "{d}"
        );
        assert!(
            d.contains("primes: suite page 0.9 (95% interval 0.85 to 0.95)"),
            "{d}"
        );
    }

    #[test]
    fn a_log_axis_ticks_by_powers_of_ten() {
        let mut c = chart(true);
        c.rows[0].points[0] = Some(Point::new(40.0, None));
        c.rows[1].points[0] = Some(Point::new(50_000.0, None));
        let svg = c.svg();
        for t in ["10<", "100<", "1000<", "10000<", "100000<"] {
            assert!(svg.contains(&format!(">{t}")), "tick {t}: {svg}");
        }
    }

    #[test]
    fn figures_keep_three_significant_digits() {
        assert_eq!(tick_label(0.000407), "0.000407");
        assert_eq!(tick_label(0.0024473), "0.00245");
        assert_eq!(tick_label(1.9220), "1.92");
        assert_eq!(tick_label(463.125), "463");
        assert_eq!(tick_label(51_114.7), "51115");
        assert_eq!(tick_label(2.0), "2");
    }
}
