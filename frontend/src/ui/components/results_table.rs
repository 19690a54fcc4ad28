//! The results: one table of every set run here or brought in, each figure with its interval
//! and its warnings, the warnings spelled out under the table, and the page's own results
//! compared with results from elsewhere.

use engine::Repetitions;
use engine::compare::{self, CompareRow};
use engine::result::{ModelResult, ResultSet};
use yew::prelude::*;

use super::Sets;
use super::breakdown::{BreakdownCell, BreakdownLegend};
use crate::ui::figures::{self, Comparison, NativeRatio, Note, RowNotes, fmt_time};

fn opt(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.2}"))
}

#[derive(Properties, PartialEq)]
pub struct BadgesProps {
    pub notes: Vec<Note>,
}

/// One badge per warning: its kind in words and, when numbered, the number of its note under
/// the table; the full message also on hover.
#[function_component(Badges)]
pub fn badges(p: &BadgesProps) -> Html {
    if p.notes.is_empty() {
        return html! {};
    }
    html! {
        <span class="badges">
            { for p.notes.iter().map(|n| html! {
                <span class="badge" data-kind={n.label.clone()} title={n.message.clone()}>
                    { figures::badge(&n.label) }
                    if n.number > 0 { <sup>{ n.number }</sup> }
                </span>
            }) }
        </span>
    }
}

#[derive(Properties, PartialEq)]
pub struct NativeRatioProps {
    pub ratio: Option<NativeRatio>,
}

/// The wasm/native cell: the ratio with its interval, "no significant difference" where the
/// interval holds 1, and a badge where either side's timings are flagged.
#[function_component(NativeRatioCell)]
pub fn native_ratio_cell(p: &NativeRatioProps) -> Html {
    let Some(r) = &p.ratio else {
        return html! { <td class="num ratio" data-label="wasm/native">{ "–" }</td> };
    };
    let same = r.row.ci.is_some() && !r.row.significant;
    html! {
        <td class="num ratio" title={r.row.sentence("wasm", "native")} data-label="wasm/native">
            <span class="figure">{ figures::with_interval(r.row.ratio, r.row.ci) }</span>
            if same { <span class="same">{ "no significant difference" }</span> }
            if let Some(flag) = &r.flag { <Badges notes={vec![flag.clone()]} /> }
        </td>
    }
}

#[derive(Properties, PartialEq)]
pub struct NotesProps {
    pub notes: Vec<Note>,
}

/// Every warning of the table in full, numbered as its badge.
#[function_component(WarningNotes)]
pub fn warning_notes(p: &NotesProps) -> Html {
    if p.notes.is_empty() {
        return html! {};
    }
    html! {
        <div class="notes" id="warnings" aria-label="warnings">
            <h3>{ "Why figures are flagged" }</h3>
            <ol>
                { for p.notes.iter().map(|n| html! {
                    <li value={n.number.to_string()} data-kind={n.label.clone()}>
                        <strong>{ format!("{}: ", n.place) }</strong>{ &n.message }
                    </li>
                }) }
            </ol>
        </div>
    }
}

/// The parameters the experiment set, " order=naive hold_ms=5": what tells two sets of one
/// workload apart.
fn params_words(w: &engine::WorkloadSpec) -> String {
    w.params.iter().map(|(k, v)| format!(" {k}={v}")).collect()
}

/// The experiment's model with its own option, ", mpi schedule=dynamic", as its spec writes it;
/// nothing for a model without one.
fn model_option_words(m: &engine::ModelSpec) -> String {
    let Some(option) = m.name.info().option else {
        return String::new();
    };
    let value = serde_json::to_value(m)
        .ok()
        .and_then(|v| v.get(option.field()).cloned());
    match value {
        Some(serde_json::Value::String(v)) => format!(", {} {}={v}", m.name, option.field()),
        Some(v) if !v.is_null() => format!(", {} {}={v}", m.name, option.field()),
        _ => String::new(),
    }
}

/// The explorer's smallest program that shows the hazard, its witness as a link into Be the
/// scheduler, and how many of its schedules end that way: (schedules, ending so, fragment).
fn explored(program: engine::explore::Program, outcome: &str) -> Option<(u64, u64, String)> {
    use engine::explore::{Link, explore};
    let e = explore(&program).ok()?;
    let schedule = e.witnesses.get(outcome)?.clone();
    let ending = *e.outcomes.get(outcome)?;
    Some((
        e.schedules,
        ending,
        Link { program, schedule }.to_fragment(),
    ))
}

#[derive(Properties, PartialEq)]
pub struct HazardLinksProps {
    pub sets: Sets,
}

/// Where results show a hazard (updates lost, a deadlock), the interleaving behind it, step by
/// step, in Be the scheduler: the real run shows that it happens, the scheduler shows how.
#[function_component(HazardLinks)]
pub fn hazard_links(p: &HazardLinksProps) -> Html {
    use engine::explore::{Order, Program, ProgramKind, SyncMode};
    let sets = &p.sets.0;
    let lost = sets.iter().any(|(_, rs)| {
        rs.results
            .iter()
            .any(|r| engine::workload::lost_updates(&r.answer.summary).is_some_and(|n| n > 0))
    });
    let deadlock = sets.iter().any(|(_, rs)| rs.error.is_some());
    let links = use_memo((lost, deadlock), |&(lost, deadlock)| {
        let mut out = Vec::new();
        if lost
            && let Ok(program) =
                Program::new(ProgramKind::Counter, 2, Some(1), Some(SyncMode::None), None)
            && let Some((all, ending, link)) = explored(program, "1")
        {
            out.push((
                format!(
                    "Updates were lost. Two threads that each add one to x can end with x = 1: in {ending} of the {all} orders in which their steps can interleave. Step through one:"
                ),
                link,
            ));
        }
        if deadlock
            && let Ok(program) =
                Program::new(ProgramKind::Philosophers, 2, None, None, Some(Order::Naive))
            && let Some((all, ending, link)) = explored(program, "deadlocked")
        {
            out.push((
                format!(
                    "The run deadlocked. Two philosophers taking the left fork first deadlock in {ending} of the {all} orders in which their steps can interleave. Step through one:"
                ),
                link,
            ));
        }
        out
    });
    if links.is_empty() {
        return html! {};
    }
    html! {
        <div class="notes hazards" id="hazard-links" aria-label="the interleaving behind it">
            <h3>{ "The interleaving behind it" }</h3>
            <ul>
                { for links.iter().map(|(sentence, link)| html! {
                    <li>{ sentence }{ " " }<a href={format!("#{link}")}>{ "open it in Be the scheduler" }</a></li>
                }) }
            </ul>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LockNotesProps {
    pub sets: Sets,
}

/// Who got the lock how often, per configuration with locks: the acquisitions per worker, Jain's
/// fairness index (1: equal shares; 1/n: one worker took them all), try-lock's retries and the
/// time spent blocked.
#[function_component(LockNotes)]
pub fn lock_notes(p: &LockNotesProps) -> Html {
    let rows: Vec<(String, &engine::locks::LockStats)> = p
        .sets
        .0
        .iter()
        .flat_map(|(source, rs)| {
            // One worker takes every lock: nothing to compare.
            rs.results
                .iter()
                .filter(|r| r.workers > 1)
                .filter_map(move |r| {
                    r.locks.as_ref().map(|l| {
                        (
                            format!(
                                "{}, {} n={}{}: {}",
                                source.label(),
                                rs.experiment.workload.name,
                                rs.experiment.workload.n,
                                params_words(&rs.experiment.workload),
                                figures::configuration(r.model, r.workers, r.chunk_size)
                            ),
                            l,
                        )
                    })
                })
        })
        .collect();
    if rows.is_empty() {
        return html! {};
    }
    html! {
        <div class="notes locks" id="locks" aria-label="locks">
            <h3>{ "Who got the lock" }</h3>
            <p class="hint">{ "Each worker's count is how often it took a lock. Fairness is Jain's index of those counts over the workers that ran tasks: 1 when each took the lock equally often, 1/n when one took it every time and the others starved. The counter's workers take the mutex once per increment, so a worker that keeps winning it finishes its tasks sooner and takes more of them. A philosopher takes two forks per meal and every philosopher eats the same meals, so there the counts are equal by design: what differs is how long each was blocked, and try-lock's retries (each one a left fork picked up and put down again)." }</p>
            <ul>
                { for rows.iter().map(|(what, l)| html! {
                    <li data-fairness={l.fairness.map(|f| format!("{f:.2}"))}><strong>{ format!("{what}: ") }</strong>{ l.describe() }</li>
                }) }
            </ul>
        </div>
    }
}

fn compare_row(row: &CompareRow) -> Html {
    let verdict = row.verdict();
    html! {
        <tr title={row.sentence("A", "B")} data-model={row.model.name()} data-workers={row.workers.to_string()}>
            <td>{ figures::configuration(row.model, row.workers, row.chunk_size) }</td>
            <td class="num">{ fmt_time(row.mean_a) }</td>
            <td class="num">{ fmt_time(row.mean_b) }</td>
            <td class="num ratio">{ figures::with_interval(row.ratio, row.ci) }</td>
            <td class="num">{ row.p_value.map_or("–".into(), compare::p_text) }</td>
            <td class={classes!("verdict", row.significant.then_some("differs"))}>{ verdict }</td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
pub struct ComparisonsProps {
    pub comparisons: Vec<Comparison>,
    pub awaiting: bool,
}

/// The page's newest results (A) against each set from a file, a link or the history (B),
/// configuration by configuration; or, for sets of another experiment, why not.
#[function_component(Comparisons)]
pub fn comparisons(p: &ComparisonsProps) -> Html {
    if p.comparisons.is_empty() && !p.awaiting {
        return html! {};
    }
    html! {
        <div class="comparisons" id="comparisons" aria-label="comparisons">
            <h3>{ "Compared with results from elsewhere" }</h3>
            if p.awaiting {
                <p class="muted">{ "Run the experiment in this page to compare your results with these, configuration by configuration." }</p>
            }
            { for p.comparisons.iter().map(|c| match &c.rows {
                Err(why) => html! {
                    <p class="compare-error">{ format!("A ({}) and B ({}) are not compared: {why}.", c.a, c.b) }</p>
                },
                Ok(rows) => html! {
                    <div class="compare">
                        <p>{ format!("A: {}. B: {}. A/B above 1: A took longer. ", c.a, c.b) }
                           <span class="muted">{ "95% intervals; p from Welch's t-test on the logarithms of the times." }</span></p>
                        <div class="scroll"><table>
                            <thead><tr><th>{ "configuration" }</th><th>{ "A mean" }</th><th>{ "B mean" }</th><th>{ "A/B" }</th><th>{ "p" }</th><th>{ "verdict" }</th></tr></thead>
                            <tbody>{ for rows.iter().map(compare_row) }</tbody>
                        </table></div>
                    </div>
                },
            }) }
        </div>
    }
}

/// "3 repetitions, 1 warm-up" or "auto repetitions (budget 10 s), 1 warm-up".
fn plan(rs: &ResultSet) -> String {
    let e = &rs.experiment;
    let reps = match e.repetitions {
        Repetitions::Fixed(1) => "1 repetition".into(),
        Repetitions::Fixed(n) => format!("{n} repetitions"),
        Repetitions::Auto => format!(
            "auto repetitions, budget {} s",
            e.budget_s.unwrap_or(engine::limits::DEFAULT_BUDGET_S)
        ),
    };
    let s = if e.warmups == 1 { "" } else { "s" };
    format!("{reps}, {} warm-up{s}", e.warmups)
}

fn runtime_of(rs: &ResultSet) -> &str {
    rs.machine.as_ref().map_or("?", |m| m.runtime.as_str())
}

fn row(
    set: usize,
    index: usize,
    rs: &ResultSet,
    r: &ModelResult,
    notes: &RowNotes,
    selected: bool,
    on_select: &Callback<(usize, usize)>,
) -> Html {
    let onclick = on_select.reform(move |_: MouseEvent| (set, index));
    // A row is chosen with Enter or Space as with a click, so the keyboard reaches every timeline.
    let onkeydown = {
        let on_select = on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                on_select.emit((set, index));
            }
        })
    };
    let sd = r
        .summary
        .stddev
        .map_or(String::new(), |s| format!(" ± {}", fmt_time(s)));
    let verified = match r.verified {
        Some(true) => {
            html! { <span class="ok" title={r.verification.clone()}>{ "✓ verified" }</span> }
        }
        Some(false) => {
            html! { <span class="bad" title={r.verification.clone()}>{ "✗ differs" }</span> }
        }
        None => html! { <span class="muted" title={r.verification.clone()}>{ "–" }</span> },
    };
    let (speed_notes, time_notes): (Vec<Note>, Vec<Note>) = notes
        .warnings
        .iter()
        .cloned()
        .partition(|n| n.about_speedup);
    let spread = format!(
        "{} repetitions{}",
        r.times.len(),
        r.precision.map_or(String::new(), |p| format!(
            "; the 95% interval of the mean is ±{:.1}% of it",
            p * 100.0
        ))
    );
    html! {
        <tr class={classes!(selected.then_some("selected"), (!r.warnings.is_empty()).then_some("flagged"))} {onclick} {onkeydown}
            tabindex="0" aria-current={selected.then_some("true")}
            data-model={r.model.name()} data-workers={r.workers.to_string()} data-reps={r.times.len().to_string()}>
            <td data-label="runtime">{ runtime_of(rs).to_string() }</td>
            <td data-label="model">{ r.model.name() }</td>
            <td class="num" data-label="workers">{ r.workers }</td>
            <td class="num" data-label="chunk">{ r.chunk_size.map_or("–".into(), |c| c.to_string()) }</td>
            <td class="num speedup" data-label="speedup"><span class="figure">{ figures::speedup_text(r) }</span><Badges notes={speed_notes} /></td>
            <td class="num" data-label="efficiency">{ opt(r.efficiency) }</td>
            <BreakdownCell breakdown={r.breakdown} />
            <NativeRatioCell ratio={notes.native.clone()} />
            <td class="num mean" title={spread} data-label="mean ± sd">
                <span class="figure">{ format!("{}{sd}", fmt_time(r.summary.mean)) }</span>
                { match r.summary.outliers.len() {
                    0 => html! {},
                    n => html! { <>{" "}<span class="outliers">{ format!("({n} outlier{})", if n == 1 { "" } else { "s" }) }</span></> },
                } }
                <Badges notes={time_notes} />
            </td>
            <td class="num" data-label="median">{ fmt_time(r.summary.median) }</td>
            <td class="num" data-label="min … max">{ format!("{} … {}", fmt_time(r.summary.min), fmt_time(r.summary.max)) }</td>
            <td class="num used" data-label="used">{ format!("{} of {}", r.workers_used, r.workers) }</td>
            <td data-label="verified">{ verified }</td>
            <td class="answer" data-label="answer">{ &r.answer.summary }</td>
        </tr>
    }
}

/// The note under a set that did not finish: why, and how far its stopped run got (click it to
/// see that run's timeline).
fn partial_row(
    set: usize,
    rs: &ResultSet,
    selected: bool,
    on_select: &Callback<(usize, usize)>,
) -> Html {
    let Some(p) = &rs.partial else {
        return html! {};
    };
    let index = rs.results.len();
    // Clicking shows the stopped run's timeline, where there was a run under way.
    let onclick = p.stopped.is_some().then(|| {
        let on_select = on_select.clone();
        Callback::from(move |_: MouseEvent| on_select.emit((set, index)))
    });
    html! {
        <tr class={classes!("partial", selected.then_some("selected"))} {onclick}>
            <td colspan="14">
                if let Some(failure) = &rs.error {
                    <div class="failure" data-kind="deadlock"><strong>{ "Deadlock found, and the run ended: " }</strong>{ failure.to_string().trim_start_matches("deadlock: ") }{ ". The timeline draws the cycle." }</div>
                }
                { for p.lines().into_iter().map(|l| html! { <div>{ l }</div> }) }
            </td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
pub struct ResultsTableProps {
    pub sets: Sets,
    /// The row whose timeline is shown: (set, row).
    pub selected: (usize, usize),
    pub on_clear: Callback<MouseEvent>,
    pub on_select: Callback<(usize, usize)>,
}

/// The results panel. Its notes and comparisons are worked out again only when the sets change,
/// not when another row is selected.
#[function_component(ResultsTable)]
pub fn results_table(p: &ResultsTableProps) -> Html {
    let annotated = use_memo(p.sets.clone(), |sets| figures::annotate(&sets.0));
    let compared = use_memo(p.sets.clone(), |sets| {
        (
            figures::comparisons(&sets.0),
            figures::awaiting_comparison(&sets.0),
        )
    });
    let results = &p.sets.0;
    if results.is_empty() {
        return html! { <section class="panel results"><h2>{ "Results" }</h2><p class="muted">{ "Run an experiment, open a link with results, or import a result file from native-runner." }</p></section> };
    }
    let selected = p.selected;
    let on_select = &p.on_select;
    let any_breakdown = results
        .iter()
        .any(|(_, rs)| rs.results.iter().any(|r| r.breakdown.is_some()));
    html! {
        <section class="panel results" aria-label="results">
            <div class="results-head"><h2>{ "Results" }</h2><button class="small" id="clear-results" onclick={p.on_clear.clone()}>{ "Clear results" }</button></div>
            if any_breakdown { <BreakdownLegend /> }
            <div class="scroll"><table id="results">
                <thead><tr>
                    <th title="wasm: this browser or a browser's export; native: native-runner">{ "runtime" }</th><th>{ "model" }</th><th>{ "workers" }</th><th>{ "chunk" }</th>
                    <th title="sequential time / this time, ± the half-width of its 95% interval">{ "speedup" }</th><th>{ "efficiency" }</th>
                    <th title="the recorded run's workers x wall time: compute, overhead, wait, idle, start-up">{ "where the time went" }</th><th title="wasm time / native time, ± the half-width of its 95% interval">{ "wasm/native" }</th>
                    <th>{ "mean ± sd" }</th><th>{ "median" }</th><th>{ "min … max" }</th><th title="workers that actually ran tasks">{ "used" }</th><th>{ "verified" }</th><th>{ "answer" }</th>
                </tr></thead>
                { for results.iter().zip(&annotated.rows).enumerate().map(|(set, ((source, rs), notes))| html! {
                    <tbody class="set">
                        <tr class="set-head"><td colspan="14">{ format!("{} — {} n={}{}{} ({})", source.label(), rs.experiment.workload.name, rs.experiment.workload.n, params_words(&rs.experiment.workload), model_option_words(&rs.experiment.model), plan(rs)) }</td></tr>
                        { for rs.results.iter().zip(notes).enumerate().map(|(i, (r, n))| row(set, i, rs, r, n, (set, i) == selected, on_select)) }
                        { partial_row(set, rs, (set, rs.results.len()) == selected, on_select) }
                    </tbody>
                }) }
            </table></div>
            <WarningNotes notes={annotated.notes.clone()} />
            <LockNotes sets={p.sets.clone()} />
            <HazardLinks sets={p.sets.clone()} />
            <Comparisons comparisons={compared.0.clone()} awaiting={compared.1} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The links are the explorer's own witnesses: the racy counter's x = 1 and the naive
    /// philosophers' deadlock, with their counts.
    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_models_own_option_is_named_with_the_set() {
        use engine::ModelKind;
        let mut mpi = engine::ModelSpec::defaults(ModelKind::Mpi);
        mpi.schedule = Some(engine::spec::Schedule::Static);
        assert_eq!(model_option_words(&mpi), ", mpi schedule=static");
        let sync = engine::ModelSpec::defaults(ModelKind::SharedState);
        assert_eq!(model_option_words(&sync), ", shared-state sync=lock");
        assert_eq!(
            model_option_words(&engine::ModelSpec::defaults(ModelKind::DynamicPool)),
            ""
        );
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn hazards_link_to_the_explorers_witnesses() {
        use engine::explore::{Order, Program, ProgramKind, SyncMode};
        let counter =
            Program::new(ProgramKind::Counter, 2, Some(1), Some(SyncMode::None), None).unwrap();
        let (all, ending, link) = explored(counter, "1").unwrap();
        assert_eq!((all, ending), (6, 4));
        assert_eq!(
            link,
            "explore=counter&threads=2&increments=1&sync=none&schedule=0.1.0.1"
        );
        let naive =
            Program::new(ProgramKind::Philosophers, 2, None, None, Some(Order::Naive)).unwrap();
        let (all, ending, link) = explored(naive, "deadlocked").unwrap();
        assert_eq!((all, ending), (6, 2));
        assert!(link.ends_with("&schedule=0.1"), "{link}");
    }
}
