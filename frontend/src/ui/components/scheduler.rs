//! "Be the scheduler": the controls, a column of steps per thread with its Run button, the shared
//! state, the outcome and the schedule in words, and beside them the explorer's count of every
//! schedule by outcome with a replay of one schedule that reaches each outcome. The state and its
//! reducer are in `ui::scheduler`.

use std::cell::RefCell;
use std::rc::Rc;

use engine::explore::{Order, Program, ProgramKind, State as Machine, SyncMode};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::ui::dom;
use crate::ui::scheduler::{
    Action, REPLAY_RUN_REFUSED, Replay, Scheduler as SchedulerState, Setting, before_any_step,
    is_link, outcome_words, share_sentence,
};

/// The id of the replay bar's note on the Run buttons, which describes them while replaying.
const REPLAY_NOTE_ID: &str = "sched-replay-note";

/// Writes the scheduler's link into the address without a new history entry.
fn replace_fragment(fragment: &str) {
    let with_hash = format!("#{fragment}");
    if dom::hash() == with_hash {
        return;
    }
    if let Ok(history) = dom::window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&with_hash));
    }
}

/// A button that cannot act now says so with `aria-disabled` rather than `disabled`: it keeps
/// the focus when the step it ran finishes its thread, and stays reachable by Tab with its reason
/// (`aria-describedby`); the reducer ignores what it cannot do, and says why.
fn off(disabled: bool) -> Option<AttrValue> {
    disabled.then_some(AttrValue::Static("true"))
}

#[derive(Properties, PartialEq)]
pub struct SchedulerControlsProps {
    pub kind: ProgramKind,
    pub threads: usize,
    pub increments: AttrValue,
    pub sync: SyncMode,
    pub order: Order,
    pub on_set: Callback<Setting>,
}

/// Keeps a select showing `value` after every render. An option's `selected` attribute no longer
/// moves the choice once the learner has picked in that select, so a link opened later (or a
/// state changed elsewhere) would leave the old choice on screen.
#[hook]
fn use_select_value(value: String) -> NodeRef {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect(move || {
            if let Some(select) = node.cast::<web_sys::HtmlSelectElement>()
                && select.value() != value
            {
                select.set_value(&value);
            }
        });
    }
    node
}

/// Program, threads, and the options that apply to the program.
#[function_component(SchedulerControls)]
pub fn scheduler_controls(p: &SchedulerControlsProps) -> Html {
    let program_ref = use_select_value(p.kind.name().to_string());
    let threads_ref = use_select_value(p.threads.to_string());
    let sync_ref = use_select_value(p.sync.to_string());
    let order_ref = use_select_value(p.order.to_string());
    let select = |e: Event| -> String {
        let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
        sel.value()
    };
    let on_program = p.on_set.reform(move |e: Event| {
        let kind = select(e).parse().unwrap_or(ProgramKind::Counter);
        Setting::Program(kind)
    });
    let on_threads = p.on_set.reform(move |e: Event| {
        Setting::Threads(
            select(e)
                .parse()
                .unwrap_or(engine::limits::EXPLORE_MAX_THREADS),
        )
    });
    let on_increments = p.on_set.reform(|e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        Setting::Increments(input.value())
    });
    let on_sync = p
        .on_set
        .reform(move |e: Event| Setting::Sync(select(e).parse().unwrap_or(SyncMode::None)));
    let on_order = p
        .on_set
        .reform(move |e: Event| Setting::Order(select(e).parse().unwrap_or(Order::Naive)));
    let counter = p.kind == ProgramKind::Counter;
    html! {
        <div class="sched-controls">
            <label class="field">
                <span>{ "Program" }</span>
                <select name="sched-program" ref={program_ref} onchange={on_program}>
                    { for ProgramKind::ALL.iter().map(|k| html! {
                        <option value={k.name()} selected={*k == p.kind}>{ match k {
                            ProgramKind::Counter => "counter: threads add one to x",
                            ProgramKind::Philosophers => "philosophers: two forks each",
                            ProgramKind::Messages => "messages: a ring of threads",
                        } }</option>
                    }) }
                </select>
            </label>
            <label class="field">
                <span>{ "Threads" }</span>
                <select name="sched-threads" ref={threads_ref} onchange={on_threads}>
                    { for (1..=engine::limits::EXPLORE_MAX_THREADS).map(|t| html! {
                        <option value={t.to_string()} selected={t == p.threads}>{ t }</option>
                    }) }
                </select>
            </label>
            if counter {
                <label class="field">
                    <span>{ "Increments per thread" }</span>
                    <input name="sched-increments" type="number" inputmode="numeric" min="1"
                        max={engine::limits::EXPLORE_MAX_INCREMENTS.to_string()}
                        value={p.increments.clone()} onchange={on_increments} />
                </label>
                <label class="field">
                    <span>{ "Sync" }</span>
                    <select name="sched-sync" ref={sync_ref} onchange={on_sync}>
                        <option value="none" selected={p.sync == SyncMode::None}>{ "none: load and store" }</option>
                        <option value="lock" selected={p.sync == SyncMode::Lock}>{ "lock: m around each increment" }</option>
                    </select>
                </label>
            } else {
                <label class="field">
                    <span>{ "Order" }</span>
                    <select name="sched-order" ref={order_ref} onchange={on_order}>
                        <option value="naive" selected={p.order == Order::Naive}>{ if p.kind == ProgramKind::Philosophers { "naive: left fork, then right" } else { "naive: everyone receives first" } }</option>
                        <option value="ordered" selected={p.order == Order::Ordered}>{ if p.kind == ProgramKind::Philosophers { "ordered: lower fork first" } else { "ordered: T0 sends first" } }</option>
                    </select>
                </label>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ProgramNoteProps {
    pub kind: ProgramKind,
    pub sync: SyncMode,
}

/// One plain sentence on what the chosen program's steps mean.
#[function_component(ProgramNote)]
pub fn program_note(p: &ProgramNoteProps) -> Html {
    let body = match p.kind {
        ProgramKind::Counter => html! { <>
            <code>{ "r" }</code>{ " is each thread's own register, a local copy: " }
            <code>{ "load r <- x" }</code>{ " copies the shared " }<code>{ "x" }</code>
            { " into it, and " }<code>{ "store x <- r + 1" }</code>
            { " writes it back plus one; if another thread stores between the two, an update is lost." }
            if p.sync == SyncMode::Lock {
                { " With the lock, a thread holds " }<code>{ "m" }</code>
                { " from its load to its store, so no other thread can come between." }
            }
        </> },
        ProgramKind::Philosophers => html! { <>
            { "Each fork is a lock that one philosopher holds at a time; a philosopher takes two forks (" }
            <code>{ "lock" }</code>{ "), eats, and puts them down (" }<code>{ "unlock" }</code>
            { "). Reaching for a fork that another holds means waiting until it is put down." }
        </> },
        ProgramKind::Messages => html! { <>
            { "The threads pass messages around a ring of channels: " }<code>{ "recv" }</code>
            { " waits until the channel holds a message and takes it; " }<code>{ "send" }</code>
            { " puts one in the next thread's channel." }
        </> },
    };
    html! { <p class="sched-explain" id="sched-explain">{ body }</p> }
}

#[derive(Properties, PartialEq)]
pub struct ThreadColumnProps {
    pub program: Program,
    pub state: Machine,
    pub thread: usize,
    /// Why it cannot run now, if it cannot.
    pub waits: Option<String>,
    /// A replay is shown: its Next step goes on, the Run buttons are off.
    pub replaying: bool,
    pub on_run: Callback<usize>,
}

/// One thread: its steps (done ones ticked, the next one marked), its register, and its Run button.
#[function_component(ThreadColumn)]
pub fn thread_column(p: &ThreadColumnProps) -> Html {
    let t = p.thread;
    let steps = &p.program.threads_steps()[t];
    let pc = p.state.pcs[t];
    let next = p.program.next_step(&p.state, t);
    let finished = next.is_none();
    // A finished thread says so once, on its button; a waiting one says why below it, in red.
    let label = match next {
        Some(step) => format!("Run T{t}: {step}"),
        None => format!("T{t} has finished"),
    };
    let wait_id = format!("sched-wait-{t}");
    let waiting = p.waits.as_ref().filter(|_| !finished);
    let described: Vec<&str> = [
        waiting.map(|_| wait_id.as_str()),
        p.replaying.then_some(REPLAY_NOTE_ID),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = (!described.is_empty()).then(|| AttrValue::from(described.join(" ")));
    html! {
        <div class={classes!("sched-thread", p.waits.is_some().then_some("blocked"), finished.then_some("finished"))} data-thread={t.to_string()}>
            <h3>{ format!("T{t}") }</h3>
            <ol class="sched-steps" aria-label={format!("T{t}'s steps")}>
                { for steps.iter().enumerate().map(|(i, step)| {
                    let (class, sign, words) = match i.cmp(&pc) {
                        std::cmp::Ordering::Less => ("done", "✓", "done: "),
                        std::cmp::Ordering::Equal => ("current", "▶", "next: "),
                        std::cmp::Ordering::Greater => ("todo", "", ""),
                    };
                    html! {
                        <li class={class} aria-current={(i == pc).then_some("step")}>
                            <span class="sign" aria-hidden="true">{ sign }</span>
                            <span class="visually-hidden">{ words }</span>
                            <code>{ step.to_string() }</code>
                        </li>
                    }
                }) }
            </ol>
            if p.program.kind() == ProgramKind::Counter {
                <p class="sched-register">{ format!("r{t} = {}", p.state.registers[t]) }</p>
            }
            <button class="sched-run" data-thread={t.to_string()} aria-disabled={off(p.waits.is_some() || p.replaying)}
                aria-describedby={described}
                onclick={p.on_run.reform(move |_: MouseEvent| t)}>{ label }</button>
            if let Some(w) = waiting {
                <p class="sched-wait" id={wait_id}>{ format!("T{t} {w}") }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SharedViewProps {
    pub program: Program,
    pub state: Machine,
}

/// The shared world: `x`, who holds each lock, what each channel holds.
#[function_component(SharedView)]
pub fn shared_view(p: &SharedViewProps) -> Html {
    let s = &p.state;
    let lock_name = |i: usize| match p.program.kind() {
        ProgramKind::Counter => "m".to_string(),
        _ => format!("fork {i}"),
    };
    html! {
        <dl class="sched-shared" aria-label="shared state">
            if p.program.kind() == ProgramKind::Counter {
                <dt>{ "x" }</dt><dd data-name="x">{ s.x }</dd>
            }
            { for s.locks.iter().enumerate().map(|(i, owner)| html! { <>
                <dt>{ lock_name(i) }</dt>
                <dd data-name={lock_name(i)}>{ match owner { Some(t) => format!("held by T{t}"), None => "free".to_string() } }</dd>
            </> }) }
            { for s.channels.iter().enumerate().map(|(c, n)| html! { <>
                <dt>{ format!("c{c}") }</dt>
                <dd data-name={format!("c{c}")}>{ match n { 0 => "empty".to_string(), 1 => "1 message".to_string(), n => format!("{n} messages") } }</dd>
            </> }) }
        </dl>
    }
}

#[derive(Properties, PartialEq)]
pub struct ReplayBarProps {
    pub kind: ProgramKind,
    pub replay: Replay,
    pub on_action: Callback<Action>,
}

/// Stepping through a witness: where we are in it, Previous step, Next step, and leaving it.
#[function_component(ReplayBar)]
pub fn replay_bar(p: &ReplayBarProps) -> Html {
    let r = &p.replay;
    let total = r.schedule.len();
    html! {
        <div class="sched-replay" role="group" aria-label="replay">
            <span>{ format!("Replaying one schedule that ends with {}: step {} of {total}", outcome_words(p.kind, &r.outcome), r.at) }</span>
            <button class="sched-prev" aria-disabled={off(r.at == 0)} onclick={p.on_action.reform(|_: MouseEvent| Action::ReplayPrevious)}>{ "Previous step" }</button>
            <button class="sched-next" aria-disabled={off(r.at >= total)} onclick={p.on_action.reform(|_: MouseEvent| Action::ReplayNext)}>{ "Next step" }</button>
            <button class="sched-leave" onclick={p.on_action.reform(|_: MouseEvent| Action::ReplayEnd)}>{ "Leave the replay" }</button>
            <p class="sched-replay-note" id={REPLAY_NOTE_ID}>{ REPLAY_RUN_REFUSED }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ExploreTableProps {
    pub program: Program,
    pub table: Result<engine::explore::Exploration, String>,
    /// The outcome the learner reached, once the schedule has ended.
    pub reached: Option<String>,
    pub on_action: Callback<Action>,
}

/// The explorer's count: every schedule, by outcome, with each outcome's share and one schedule
/// that reaches it (to replay); or why there is no count.
#[function_component(ExploreTable)]
pub fn explore_table(p: &ExploreTableProps) -> Html {
    let kind = p.program.kind();
    let body = match &p.table {
        Err(why) => html! {
            <p class="sched-refused" role="status">{ format!("Not counted: {why}. You can still be the scheduler on the left.") }</p>
        },
        Ok(t) => html! { <>
            <p class="sched-total">{ format!("{}: ", p.program) }<strong>{ format!("{} schedule{} in all", engine::explore::thousands(u128::from(t.schedules)), if t.schedules == 1 { "" } else { "s" }) }</strong></p>
            <ul class="sched-outcomes">
                { for t.outcomes.iter().map(|(outcome, &count)| {
                    let reached = p.reached.as_deref() == Some(outcome.as_str());
                    let witness = t.witnesses.get(outcome).cloned().unwrap_or_default();
                    let steps: Vec<String> = witness.iter().map(|t| format!("T{t}")).collect();
                    let o = outcome.clone();
                    html! {
                        <li class={classes!(reached.then_some("reached"))} data-outcome={outcome.clone()}>
                            <span class="share">{ share_sentence(kind, outcome, count, t.schedules) }</span>
                            if reached { <strong class="reached-badge">{ "← you ended here" }</strong> }
                            if steps.is_empty() {
                                <span class="witness muted">{ before_any_step(kind, outcome) }</span>
                            } else {
                                <span class="witness muted">{ format!("one way to get here: {}", steps.join(", ")) }</span>
                                <button class="small sched-replay-button" aria-label={format!("Replay one schedule that ends with {}", outcome_words(kind, outcome))}
                                    onclick={p.on_action.reform(move |_: MouseEvent| Action::Replay(o.clone()))}>{ "Replay" }</button>
                            }
                        </li>
                    }
                }) }
            </ul>
        </> },
    };
    html! {
        <aside class="sched-table panel" aria-labelledby="sched-table-title">
            <h3 id="sched-table-title">{ "Every schedule, counted" }</h3>
            { body }
        </aside>
    }
}

/// The "Be the scheduler" section: its own reducer, its links (`#explore=...`), digit keys.
#[function_component(Scheduler)]
pub fn scheduler() -> Html {
    let s = use_reducer(SchedulerState::default);
    // Links: the one the page opened with, and back/forward to another.
    {
        let dispatch = s.dispatcher();
        use_effect_with((), move |_| {
            let open = move || {
                let hash = dom::hash();
                if is_link(&hash) {
                    dispatch.dispatch(Action::OpenLink(hash));
                }
            };
            open();
            // A fragment changed in the page (typed in the address bar, or set by a script) fires
            // popstate and then hashchange, or only one of them: the link is opened once.
            let popped: Rc<RefCell<Option<String>>> = Rc::default();
            let on_pop = {
                let (open, popped) = (open.clone(), popped.clone());
                gloo_events::EventListener::new(&dom::window(), "popstate", move |_| {
                    *popped.borrow_mut() = Some(dom::hash());
                    open();
                })
            };
            let on_hash =
                gloo_events::EventListener::new(&dom::window(), "hashchange", move |_| {
                    if popped.borrow_mut().take() != Some(dom::hash()) {
                        open();
                    }
                });
            move || drop((on_pop, on_hash))
        });
    }
    // A link brings the section into view and focuses its title.
    use_effect_with(s.opened, |opened| {
        if *opened > 0 {
            dom::focus_element("scheduler-title");
        }
    });
    // Once the learner has changed something, the address holds the program and steps taken.
    use_effect_with((s.touched, s.fragment()), |(touched, fragment)| {
        if let (true, Some(f)) = (touched, fragment) {
            replace_fragment(f);
        }
    });
    let on_action = {
        let dispatch = s.dispatcher();
        use_callback((), move |a: Action, _| dispatch.dispatch(a))
    };
    let on_set = on_action.reform(Action::Set);
    let on_run = on_action.reform(Action::Run);
    let on_key = {
        let dispatch = s.dispatcher();
        Callback::from(move |e: KeyboardEvent| {
            if e.ctrl_key() || e.alt_key() || e.meta_key() {
                return;
            }
            // Digits typed into a control are the control's.
            let target: Option<web_sys::Element> = e.target_dyn_into();
            if target
                .is_some_and(|t| matches!(t.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
            {
                return;
            }
            if let Some(d) = e
                .key()
                .chars()
                .next()
                .and_then(|c| c.to_digit(10))
                .filter(|_| e.key().len() == 1)
            {
                e.prevent_default();
                dispatch.dispatch(Action::Run(d as usize));
            }
        })
    };
    let on_copy = {
        let dispatch = s.dispatcher();
        let fragment = s.fragment().filter(|_| s.copy_refused().is_none());
        Callback::from(move |_: MouseEvent| {
            let Some(f) = fragment.clone() else { return };
            let link = format!("{}#{f}", dom::base_address());
            replace_fragment(&f);
            let dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let confirmation = if dom::copy(&link).await {
                    "Copied".to_string()
                } else {
                    "Not copied (the browser refused): copy the link below".to_string()
                };
                dispatch.dispatch(Action::LinkMade(link, confirmation));
            });
        })
    };

    let c = &s.choice;
    let board = match (&s.program, s.current()) {
        (Ok(program), Some(state)) => {
            let narration = s.narration();
            let replaying = s.replay.is_some();
            let copy_refused = s.copy_refused();
            html! { <>
                if let Some(stuck) = s.stuck_at_start().filter(|_| s.schedule.is_empty()) {
                    <p class="sched-stuck" id="sched-stuck">{ stuck }</p>
                }
                if let Some(r) = &s.replay {
                    <ReplayBar kind={program.kind()} replay={r.clone()} on_action={on_action.clone()} />
                }
                <div class="sched-threads" role="group" aria-label="threads">
                    { for (0..program.threads()).map(|t| html! {
                        <ThreadColumn program={program.clone()} state={state.clone()} thread={t}
                            waits={s.waits(t)} {replaying} on_run={on_run.clone()} />
                    }) }
                </div>
                if program.threads() > 2 {
                    <p class={classes!("sched-scroll-hint", "muted", (program.threads() > 4).then_some("many"))}>
                        { format!("{} threads: scroll sideways in the box above to see them all.", program.threads()) }
                    </p>
                }
                <SharedView program={program.clone()} state={state.clone()} />
                <div class="sched-actions">
                    <button class="sched-undo" aria-disabled={off(s.schedule.is_empty())} onclick={on_action.reform(|_: MouseEvent| Action::Undo)}>{ "Undo" }</button>
                    <button class="sched-reset" aria-disabled={off(s.schedule.is_empty() && s.replay.is_none())} onclick={on_action.reform(|_: MouseEvent| Action::Reset)}>{ "Reset" }</button>
                    <button class="sched-copy" aria-disabled={off(copy_refused.is_some())}
                        aria-describedby={copy_refused.map(|_| AttrValue::Static("sched-copy-why"))} onclick={on_copy}>{ "Copy link" }</button>
                    <span class="copied" id="sched-copied" role="status">{ s.link.as_ref().map(|(_, c)| c.clone()).unwrap_or_default() }</span>
                </div>
                if let Some(why) = copy_refused {
                    <p class="muted sched-copy-why" id="sched-copy-why">{ why }</p>
                }
                if let Some((link, _)) = &s.link {
                    <input class="link" id="sched-link" readonly=true value={link.clone()} aria-label="link to this schedule" />
                }
                // While replaying, the replay bar says what to do; the status only says how it ended.
                if s.ending().is_some() || !replaying {
                    <div class={classes!("sched-status", s.ending().map(|_| "ended"))} id="sched-status">
                        { match s.ending() {
                            Some(end) => html! { <strong>{ end }</strong> },
                            None => html! { <span>{ format!("{} step{} taken; pick the thread to run next.", s.schedule.len(), if s.schedule.len() == 1 { "" } else { "s" }) }</span> },
                        } }
                    </div>
                }
                <div class="sched-narration">
                    <h3>{ "The schedule so far" }</h3>
                    if narration.is_empty() {
                        <p class="muted">{ "No step taken yet." }</p>
                    } else {
                        <ol>{ for narration.iter().map(|line| html! { <li><code>{ line }</code></li> }) }</ol>
                    }
                </div>
            </> }
        }
        (Err(why), _) => html! {
            <p class="notice sched-error" role="alert">{ format!("This program cannot run: {why}.") }</p>
        },
        _ => html! {},
    };
    let table = match (&s.program, &s.table) {
        (Ok(program), Some(table)) => html! {
            <ExploreTable program={program.clone()} table={table.clone()} reached={s.outcome()} on_action={on_action.clone()} />
        },
        _ => html! {},
    };
    html! {
        <section class="scheduler" id="scheduler" aria-labelledby="scheduler-title" onkeydown={on_key}>
            <h2 id="scheduler-title" tabindex="-1">{ "Be the scheduler" }</h2>
            <p class="muted intro">{ "Each thread runs small atomic steps. You are the scheduler: pick which thread takes the next step, and see where your order of steps leads. Beside it, the count of every possible order." }</p>
            <p class="hint" id="sched-keys">{ match s.program.as_ref().map(Program::threads) {
                Ok(1) => "Keys: Tab to a button and press Enter, or press 0 to run T0 while the focus is in this section.".to_string(),
                Ok(n) => format!("Keys: Tab to a button and press Enter, or press a thread's number (0 to {}) to run it while the focus is in this section.", n - 1),
                Err(_) => "Keys: Tab to a button and press Enter, or press a thread's number to run it while the focus is in this section.".to_string(),
            } }</p>
            if let Some(e) = &s.link_error {
                <p class="notice sched-link-error" role="alert">{ e }</p>
            }
            <SchedulerControls kind={c.kind} threads={c.threads} increments={AttrValue::from(c.increments.clone())}
                sync={c.sync} order={c.order} {on_set} />
            <ProgramNote kind={c.kind} sync={c.sync} />
            <div class="sched-body">
                <div class="sched-board">{ board }</div>
                { table }
            </div>
            <p class="visually-hidden" id="sched-live" role="status" aria-live="polite">{ s.announcement.clone() }</p>
        </section>
    }
}
