//! The experiment panel: workload, its parameters, model and how it is measured.

use std::collections::BTreeMap;

use engine::limits::ParamKind;
use engine::model::ModelOption;
use engine::spec::ParamValue;
use engine::{Experiment, ModelKind, Order, Repetitions, Sweep, WorkloadKind};
use yew::prelude::*;

use crate::ui::state::Control;

/// A model of the model list, with the reason it cannot run here, if it cannot.
pub type ModelChoice = (ModelKind, Option<&'static str>);

/// An option of a [`Select`]: value, text, and the reason it is disabled, if it is.
type Choice = (String, String, Option<String>);

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub control: Control,
    pub label: AttrValue,
    /// The experiment's value, shown unless the control holds invalid text.
    pub value: String,
    /// The input's type: "text" or "number".
    pub kind: AttrValue,
    /// Text typed that is not valid, with the reason.
    pub draft: Option<(String, String)>,
    pub on_edit: Callback<(Control, String)>,
}

/// An input whose change is reported as (control, text); shows the draft text when invalid.
///
/// After each change it renders again, which sets the input to the experiment's value: text
/// that parses to the value already shown ("1..2" for "1,2") leaves the properties as they were,
/// yet the input must show the value as the page writes it.
#[function_component(Field)]
fn field(p: &FieldProps) -> Html {
    let rerender = use_force_update();
    let (shown, error) = match &p.draft {
        Some((text, why)) => (text.clone(), Some(why.clone())),
        None => (p.value.clone(), None),
    };
    let onchange = {
        let (control, on_edit) = (p.control, p.on_edit.clone());
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            on_edit.emit((control, input.value()));
            rerender.force_update();
        })
    };
    let error_id = format!("{}-error", p.control.name());
    html! {
        <label class={classes!("field", error.is_some().then_some("invalid"))}>
            <span>{ p.label.clone() }</span>
            // Marked invalid and tied to its reason, so a screen reader reads both on focus.
            <input type={p.kind.clone()} name={p.control.name().into_owned()} value={shown} {onchange}
                aria-invalid={error.is_some().then_some("true")} aria-describedby={error.is_some().then(|| error_id.clone())} />
            if let Some(why) = error { <small class="error" id={error_id} role="alert">{ why }</small> }
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct SelectProps {
    pub control: Control,
    pub label: AttrValue,
    pub current: AttrValue,
    pub options: Vec<Choice>,
    pub on_edit: Callback<(Control, String)>,
}

/// A list whose choice is reported as (control, value). Renders again after each change, as
/// [`Field`] does, so it always shows the experiment's choice.
#[function_component(Select)]
fn select(p: &SelectProps) -> Html {
    let rerender = use_force_update();
    let onchange = {
        let (control, on_edit) = (p.control, p.on_edit.clone());
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            on_edit.emit((control, sel.value()));
            rerender.force_update();
        })
    };
    html! {
        <label class="field">
            <span>{ p.label.clone() }</span>
            <select name={p.control.name().into_owned()} {onchange}>
                { for p.options.iter().map(|(value, text, disabled)| html! {
                    <option value={value.clone()} selected={*value == *p.current} disabled={disabled.is_some()} title={disabled.clone().unwrap_or_default()}>{ text }</option>
                }) }
            </select>
        </label>
    }
}

fn choices(pairs: &[(&str, &str)]) -> Vec<Choice> {
    pairs
        .iter()
        .map(|(value, text)| (value.to_string(), text.to_string(), None))
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// The experiment the controls describe.
    pub exp: Experiment,
    pub drafts: BTreeMap<Control, (String, String)>,
    pub hardware_concurrency: u32,
    pub max_workers: u32,
    /// Every model, with why it cannot run here.
    pub models: Vec<ModelChoice>,
    pub on_edit: Callback<(Control, String)>,
}

/// The experiment panel. Only the controls that apply to the chosen workload and model are
/// shown.
#[function_component(Controls)]
pub fn controls(p: &ControlsProps) -> Html {
    let exp = &p.exp;
    let w = exp.workload.name;
    let m = exp.model.name;
    let on_edit = &p.on_edit;
    let draft = |c: Control| p.drafts.get(&c).cloned();
    let workloads: Vec<Choice> = WorkloadKind::ALL
        .iter()
        .map(|k| (k.name().to_string(), k.name().to_string(), None))
        .collect();
    // A model no page runs (mpi) stays selectable, so that its description and Python can be
    // read; the note under the list and Run's reason say where it runs. One this page cannot run
    // for want of threads is disabled, its reason in the tooltip.
    let models: Vec<Choice> = p
        .models
        .iter()
        .map(|(k, why)| match crate::worker::not_in_page(*k) {
            Some(_) => (k.name().to_string(), format!("{k} (native only)"), None),
            None => (
                k.name().to_string(),
                k.name().to_string(),
                why.map(str::to_string),
            ),
        })
        .collect();
    let unavailable = p
        .models
        .iter()
        .find(|(k, _)| *k == m)
        .and_then(|(_, why)| *why);
    let params = w.params().into_iter().map(|def| {
        let control = Control::Param(def.name);
        let current = if def.name == "n" {
            exp.workload.n.to_string()
        } else {
            exp.workload
                .params
                .get(def.name)
                .map(ParamValue::to_string)
                .unwrap_or_default()
        };
        // The range the engine enforces, in the label: refusals then say nothing new.
        let label = match crate::ui::state::param_range(&def) {
            Some(range) => format!("{} ({}; {range})", def.name, def.description),
            None => format!("{} ({})", def.name, def.description),
        };
        match &def.kind {
            ParamKind::Choice { options, .. } => html! {
                <Select {control} {label} {current} on_edit={on_edit.clone()}
                    options={options.iter().map(|o| (o.to_string(), o.to_string(), None)).collect::<Vec<_>>()} />
            },
            _ => html! {
                <Field {control} {label} value={current} kind="text" draft={draft(control)} on_edit={on_edit.clone()} />
            },
        }
    });
    let oversubscribed = exp.workers > p.hardware_concurrency;
    let sweep_kind = match &exp.sweep {
        None => "none",
        Some(Sweep::Workers(_)) => "workers",
        Some(Sweep::ChunkSize(_)) => "chunk_size",
        Some(Sweep::Models(_)) => "models",
    };
    let sweep_values = match &exp.sweep {
        Some(Sweep::Workers(v)) => v.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
        Some(Sweep::ChunkSize(v)) => v.iter().map(u64::to_string).collect::<Vec<_>>().join(","),
        Some(Sweep::Models(v)) => v.iter().map(|m| m.name()).collect::<Vec<_>>().join(","),
        None => String::new(),
    };
    let mut sweeps = choices(&[("none", "no sweep")]);
    if m != ModelKind::Sequential {
        sweeps.extend(choices(&[("workers", "over workers")]));
    }
    if m.info().chunks.is_some() {
        sweeps.extend(choices(&[("chunk_size", "over chunk size")]));
    }
    sweeps.extend(choices(&[(
        "models",
        "over models (the same work through each)",
    )]));
    html! {
        <section class="panel controls" aria-label="experiment">
            <h2>{ "Experiment" }</h2>
            <Select control={Control::Workload} label="workload" current={w.name()} options={workloads} on_edit={on_edit.clone()} />
            <p class="hint">{ w.description() }</p>
            { for params }
            <Select control={Control::Model} label="model" current={m.name()} options={models} on_edit={on_edit.clone()} />
            <p class="hint">{ m.description() }<br/><em>{ "Python: " }{ m.python() }</em></p>
            if let Some(why) = unavailable {
                <p class="note" id="model-unavailable" role="status">{ format!("{m} cannot run in this page: it {why}") }</p>
            }
            if m.info().chunks.is_some() {
                <Field control={Control::ChunkSize} label={format!("chunk size (1 to {}; empty: the model's default)", crate::ui::state::limit_text(engine::limits::MAX_CHUNK_SIZE))} value={exp.model.chunk_size.map(|c| c.to_string()).unwrap_or_default()} kind="text" draft={draft(Control::ChunkSize)} on_edit={on_edit.clone()} />
            }
            if m.info().order.is_some() {
                <Select control={Control::Order} label="result order" current={match exp.model.order { Some(Order::Completion) => "completion", _ => "ordered" }}
                    options={choices(&[("ordered", "ordered (map, gather)"), ("completion", "completion (imap_unordered, as_completed)")])} on_edit={on_edit.clone()} />
            }
            if m.info().option == Some(ModelOption::SwitchInterval) {
                <Field control={Control::SwitchIntervalMs} label="switch interval, ms (sys.setswitchinterval)" value={exp.model.switch_interval_ms.unwrap_or(engine::limits::DEFAULT_SWITCH_INTERVAL_MS).to_string()} kind="text" draft={draft(Control::SwitchIntervalMs)} on_edit={on_edit.clone()} />
            }
            if m.info().option == Some(ModelOption::Sync) {
                <Select control={Control::Sync} label="synchronization" current={match exp.model.sync { Some(engine::spec::SyncKind::Atomic) => "atomic", _ => "lock" }}
                    options={choices(&[("lock", "one lock (Array + Lock)"), ("atomic", "atomics")])} on_edit={on_edit.clone()} />
            }
            if m != ModelKind::Sequential {
                <Field control={Control::Workers} label={format!("workers (1 to {})", p.max_workers)} value={exp.workers.to_string()} kind="number" draft={draft(Control::Workers)} on_edit={on_edit.clone()} />
                if oversubscribed {
                    <p class="note">{ format!("{} workers on {} logical cores: oversubscribed. CPU-bound work cannot go faster than the cores; waiting work still can.", exp.workers, p.hardware_concurrency) }</p>
                }
            }
            <Field control={Control::Repetitions} label={format!("repetitions (1 to {}, or auto)", engine::limits::MAX_REPETITIONS)} value={exp.repetitions.to_string()} kind="text" draft={draft(Control::Repetitions)} on_edit={on_edit.clone()} />
            if exp.repetitions == Repetitions::Auto {
                <p class="hint" id="auto-hint">{ format!("auto: repeats until the 95% interval of each mean is within ±{:.0}% of it ({} to {} repetitions), and starts no new round once the budget is spent.", engine::limits::AUTO_PRECISION * 100.0, engine::limits::AUTO_MIN_REPETITIONS, engine::limits::AUTO_MAX_REPETITIONS) }</p>
                <Field control={Control::BudgetS} label={format!("budget (seconds, {} to {})", engine::limits::MIN_BUDGET_S, engine::limits::MAX_BUDGET_S)} value={exp.budget_s.unwrap_or(engine::limits::DEFAULT_BUDGET_S).to_string()} kind="text" draft={draft(Control::BudgetS)} on_edit={on_edit.clone()} />
            }
            <Field control={Control::Warmups} label={format!("warm-ups (0 to {})", engine::limits::MAX_WARMUPS)} value={exp.warmups.to_string()} kind="number" draft={draft(Control::Warmups)} on_edit={on_edit.clone()} />
            <Select control={Control::Timeline} label="timeline" current={if exp.timeline { "on" } else { "off" }}
                options={choices(&[("on", "on: a record per task (the chart below)"), ("off", "off: task counts only, for millions of tiny tasks")])} on_edit={on_edit.clone()} />
            <Select control={Control::Sweep} label="sweep" current={sweep_kind} options={sweeps} on_edit={on_edit.clone()} />
            if exp.sweep.is_some() {
                <Field control={Control::SweepValues} label={if sweep_kind == "models" { "models to compare (gil,dynamic-pool)" } else { "sweep values (1,2,4 or 1..4)" }} value={sweep_values} kind="text" draft={draft(Control::SweepValues)} on_edit={on_edit.clone()} />
            }
        </section>
    }
}
