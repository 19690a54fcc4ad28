//! Where a configuration's time went (`engine::breakdown`): a stacked bar of its workers x wall
//! time, compute / overhead / wait / idle / start-up, with the same figures in words beside it
//! (the bar's colours are never the only way to read it).

use engine::breakdown::Breakdown;
use yew::prelude::*;

/// The parts in the order they are drawn: (class and name, label, seconds).
fn parts(b: &Breakdown) -> [(&'static str, &'static str, f64); 5] {
    [
        ("compute", "compute", b.compute),
        ("overhead", "overhead", b.overhead),
        ("wait", "wait", b.wait),
        ("idle", "idle", b.idle),
        ("startup", "start-up", b.startup),
    ]
}

fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// The breakdown in words: every part with its seconds and share ("compute 0.84 s (91%), …").
pub fn describe(b: &Breakdown) -> String {
    let total = b.total();
    parts(b)
        .iter()
        .map(|(_, label, s)| {
            let pct = if total > 0.0 { s / total * 100.0 } else { 0.0 };
            format!("{label} {} ({pct:.0}%)", seconds(*s))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Properties, PartialEq)]
pub struct BreakdownCellProps {
    pub breakdown: Option<Breakdown>,
}

/// The table cell: the bar and, under it, the parts of 1% or more in words. Empty without a
/// breakdown (a run with the timeline off has no task records to split).
#[function_component(BreakdownCell)]
pub fn breakdown_cell(p: &BreakdownCellProps) -> Html {
    let Some(b) = p
        .breakdown
        .filter(|b| b.total() > 0.0 && b.total().is_finite())
    else {
        return html! { <td class="breakdown"></td> };
    };
    let total = b.total();
    let full = format!("workers × wall {}: {}", seconds(total), describe(&b));
    let short = parts(&b)
        .iter()
        .filter(|(_, _, s)| s / total >= 0.01)
        .map(|(_, label, s)| format!("{label} {:.0}%", s / total * 100.0))
        .collect::<Vec<_>>()
        .join(" · ");
    html! {
        <td class="breakdown" data-label="where the time went" title={full.clone()}>
            <span class="bd-bar" role="img" aria-label={full}>
                { for parts(&b).iter().filter(|(_, _, s)| *s > 0.0).map(|(class, label, s)| {
                    let pct = s / total * 100.0;
                    html! {
                        <span class={classes!("bd", *class)} style={format!("width:{pct:.2}%")}
                            title={format!("{label}: {} ({pct:.0}%)", seconds(*s))}></span>
                    }
                }) }
            </span>
            <span class="bd-text">{ short }</span>
        </td>
    }
}

/// What the bars' colours stand for.
#[function_component(BreakdownLegend)]
pub fn breakdown_legend() -> Html {
    html! {
        <p class="bd-legend" id="breakdown-legend">
            <span class="muted">{ "Where the time went (workers × wall): " }</span>
            { for parts(&Breakdown::default()).iter().map(|(class, label, _)| html! {
                <span class="bd-key"><span class={classes!("bd", *class)} aria-hidden="true"></span>{ *label }</span>
            }) }
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_breakdown_reads_in_words() {
        let b = Breakdown {
            compute: 0.75,
            overhead: 0.0,
            wait: 0.2,
            idle: 0.05,
            startup: 0.0,
        };
        let d = describe(&b);
        assert!(d.starts_with("compute 750.0 ms (75%)"), "{d}");
        assert!(d.contains("idle 50.0 ms (5%)"), "{d}");
    }
}
