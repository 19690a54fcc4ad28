//! The lessons: a card per claim of the tutorials, with its Python construct, a Run button, and
//! once run the verdict in words (a badge that does not rely on colour) and the sentence that
//! gives the figures; the native verdict beside it where the page is served by native-runner,
//! with real CPython's where the lesson has a Python side.

use std::rc::Rc;

use engine::lesson::{self, Verdict};
use yew::prelude::*;

use crate::ui::lessons::verdict_words;
use crate::ui::state::{LessonCard, LessonRef};

#[derive(Properties, PartialEq)]
pub struct VerdictBadgeProps {
    pub verdict: Verdict,
}

/// The verdict as a badge: a sign and the words, coloured as well.
#[function_component(VerdictBadge)]
pub fn verdict_badge(p: &VerdictBadgeProps) -> Html {
    let sign = match p.verdict {
        Verdict::Holds => "✓",
        Verdict::DoesNotHold => "✗",
        Verdict::Inconclusive => "?",
    };
    html! {
        <span class={classes!("verdict-badge", p.verdict.name())} data-verdict={p.verdict.name()}>
            <span aria-hidden="true">{ sign }</span>{ " " }{ verdict_words(p.verdict) }
        </span>
    }
}

#[derive(Properties, PartialEq)]
pub struct VerdictLineProps {
    /// Where it ran: "this browser", "native, this machine".
    pub side: AttrValue,
    pub result: LessonRef,
}

/// One side's verdict and its sentence.
#[function_component(VerdictLine)]
pub fn verdict_line(p: &VerdictLineProps) -> Html {
    let r = &p.result.0;
    html! {
        <div class="verdict-line" data-side={p.side.clone()}>
            <span class="side">{ format!("{}: ", p.side) }</span>
            <VerdictBadge verdict={r.verdict} />
            <p class="sentence">{ &r.sentence }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct CPythonLineProps {
    pub result: LessonRef,
}

/// What real CPython showed for the lesson on the serving machine, its figures beside ours, and
/// where our emulation differs; or why it could not run.
#[function_component(CPythonLine)]
pub fn cpython_line(p: &CPythonLineProps) -> Html {
    let Some(c) = &p.result.0.cpython else {
        return html! {};
    };
    html! {
        <div class="verdict-line cpython" data-side="cpython">
            <span class="side">{ format!("{}, this machine: ", c.interpreter) }</span>
            <VerdictBadge verdict={c.verdict} />
            <p class="sentence">{ &c.sentence }</p>
            if !c.beside.is_empty() {
                <p class="beside">{ &c.beside }</p>
            }
            if !c.differs.is_empty() {
                <details class="differs"><summary>{ "Where our emulation differs" }</summary><p>{ &c.differs }</p></details>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LessonCardProps {
    /// Its place in `engine::lesson::all()`.
    pub index: usize,
    pub card: LessonCard,
    /// This lesson is running.
    pub running: bool,
    /// Why Run is disabled, if it is.
    pub blocker: Option<String>,
    /// The page is served by native-runner: the lesson can also run natively.
    pub native: bool,
    pub focused: bool,
    pub on_run: Callback<&'static str>,
    pub on_native: Callback<&'static str>,
    pub on_open: Callback<&'static str>,
    pub on_copy: Callback<&'static str>,
    pub on_stop: Callback<MouseEvent>,
}

#[function_component(LessonCardView)]
pub fn lesson_card(p: &LessonCardProps) -> Html {
    let l = &lesson::all()[p.index];
    let id = l.id;
    let c = &p.card;
    let disabled = p.blocker.is_some();
    let title = p.blocker.clone().unwrap_or_default();
    html! {
        <article class={classes!("lesson-card", p.focused.then_some("focused"), p.running.then_some("running"))}
            id={format!("lesson-{id}")} data-lesson={id} tabindex="-1" aria-labelledby={format!("claim-{id}")}>
            <p class="lesson-python"><code>{ l.python }</code></p>
            <h3 class="claim" id={format!("claim-{id}")}>{ l.claim }</h3>
            if let Some(v) = c.sender {
                <p class="sender">{ "the sender's machine: " }<VerdictBadge verdict={v} /></p>
            }
            if let Some(r) = &c.result {
                <VerdictLine side="this browser" result={r.clone()} />
            }
            { match &c.native {
                Some(Ok(r)) => html! { <>
                    <VerdictLine side="native, this machine" result={r.clone()} />
                    <CPythonLine result={r.clone()} />
                </> },
                Some(Err(e)) => html! { <p class="lesson-error" role="status">{ e }</p> },
                None => html! {},
            } }
            if let Some(line) = &c.progress {
                <p class="lesson-progress" role="status"><span class="spinner" aria-hidden="true"></span>{ line }</p>
            }
            <p class="explanation"><strong>{ "What to look at: " }</strong>{ l.explanation }</p>
            <div class="lesson-actions">
                <button class="primary run-lesson" disabled={disabled} title={title.clone()}
                    onclick={p.on_run.reform(move |_: MouseEvent| id)}>
                    { if c.result.is_some() { "Run again" } else { "Run" } }
                </button>
                if p.native {
                    <button class="native-lesson" disabled={disabled}
                        title={if disabled { title } else if l.cpython.is_some() {
                            "run this lesson natively, and its Python construct in real CPython, on the machine that serves the page".into()
                        } else {
                            "run this lesson natively on the machine that serves the page".into()
                        }}
                        onclick={p.on_native.reform(move |_: MouseEvent| id)}>
                        { if l.cpython.is_some() { "Run natively and in CPython" } else { "Run natively" } }
                    </button>
                }
                if p.running {
                    <button class="stop-lesson" onclick={p.on_stop.clone()}>{ "Stop" }</button>
                }
                <button class="open-lab" title="load the lesson's experiment into the lab below, with its results"
                    onclick={p.on_open.reform(move |_: MouseEvent| id)}>{ "Open in the lab" }</button>
                <button class="copy-link" onclick={p.on_copy.reform(move |_: MouseEvent| id)}>{ "Copy link" }</button>
            </div>
            if let Some(link) = &c.link {
                <input class="link" readonly=true value={link.clone()} aria-label="link to this lesson" />
            }
        </article>
    }
}

#[derive(Properties, PartialEq)]
pub struct LessonsProps {
    /// One per lesson, in the order of `engine::lesson::all()`.
    pub cards: Rc<Vec<LessonCard>>,
    pub running: Option<&'static str>,
    pub blocker: Option<String>,
    pub native: bool,
    pub focus: Option<&'static str>,
    pub notice: Option<String>,
    pub on_run: Callback<&'static str>,
    pub on_native: Callback<&'static str>,
    pub on_open: Callback<&'static str>,
    pub on_copy: Callback<&'static str>,
    pub on_stop: Callback<MouseEvent>,
}

/// The lessons view, the first thing on the page.
#[function_component(Lessons)]
pub fn lessons(p: &LessonsProps) -> Html {
    html! {
        <section class="lessons" id="lessons" aria-label="lessons">
            <h2>{ "Lessons: what the tutorials claim, measured on this machine" }</h2>
            <p class="muted intro">{ "Each claim runs as a small experiment here, in a few seconds, and gets a verdict from the 95% intervals: it holds, it does not hold, or the measurements do not decide. Open one in the lab to see its timeline and where the time went. " }
                <button class="small to-lab" onclick={Callback::from(|_: MouseEvent| crate::ui::dom::focus_element("lab"))}>{ "go to the lab ↓" }</button></p>
            if let Some(n) = &p.notice {
                <p class="notice" id="lesson-notice" role="status">{ n }</p>
            }
            <div class="lesson-grid">
                { for p.cards.iter().enumerate().map(|(index, card)| {
                    let id = lesson::all()[index].id;
                    html! {
                        <LessonCardView
                            key={id}
                            {index}
                            card={card.clone()}
                            running={p.running == Some(id)}
                            blocker={p.blocker.clone()}
                            native={p.native}
                            focused={p.focus == Some(id)}
                            on_run={p.on_run.clone()}
                            on_native={p.on_native.clone()}
                            on_open={p.on_open.clone()}
                            on_copy={p.on_copy.clone()}
                            on_stop={p.on_stop.clone()}
                        />
                    }
                }) }
            </div>
        </section>
    }
}
