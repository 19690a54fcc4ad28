//! Lessons in the page: a lesson's experiments run one after another through the engine worker
//! (as the Run button runs one), then judged on the page thread with the engine's own
//! [`Lesson::judge`], so the page and `native-runner lessons` decide alike. Also the lesson links,
//! `#lesson=gil-cpu` and optionally `&v=holds`, the sender's verdict.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use engine::ResultSet;
use engine::lesson::{self, Lesson, LessonResult, Size, Verdict};
use yew::UseReducerDispatcher;

use super::api::MachineView;
use super::bridge::Bridge;
use super::state::{Action, State};

thread_local! {
    /// A lesson is running in this page: one at a time.
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// Whether a lesson is running in this page.
pub fn busy() -> bool {
    BUSY.with(Cell::get)
}

/// "holds", "does not hold", "inconclusive": the verdict in words.
pub fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Holds => "holds",
        Verdict::DoesNotHold => "does not hold",
        Verdict::Inconclusive => "inconclusive",
    }
}

/// Reads a verdict as links and the JSON write it (`holds`, `does-not-hold`, `inconclusive`).
pub fn parse_verdict(text: &str) -> Option<Verdict> {
    [Verdict::Holds, Verdict::DoesNotHold, Verdict::Inconclusive]
        .into_iter()
        .find(|v| v.name() == text)
}

/// The link to a lesson's card, with the sender's verdict when there is one.
pub fn fragment(id: &str, verdict: Option<Verdict>) -> String {
    match verdict {
        Some(v) => format!("#lesson={id}&v={}", v.name()),
        None => format!("#lesson={id}"),
    }
}

/// What a lesson link carries.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonLink {
    pub id: &'static str,
    pub sender: Option<Verdict>,
}

/// Reads a lesson link: `None` when the fragment is not one (an experiment link, say), else the
/// lesson or why the link cannot be opened.
pub fn parse_link(hash: &str) -> Option<Result<LessonLink, String>> {
    let rest = hash.trim_start_matches('#').strip_prefix("lesson=")?;
    let mut parts = rest.split('&');
    let id = parts.next().unwrap_or_default();
    let Some(found) = lesson::find(id) else {
        return Some(Err(format!("there is no lesson called '{id}'")));
    };
    let mut sender = None;
    for part in parts {
        if let Some(v) = part.strip_prefix("v=") {
            match parse_verdict(v) {
                Some(v) => sender = Some(v),
                None => {
                    return Some(Err(format!(
                        "'{v}' is not a verdict (holds, does-not-hold or inconclusive)"
                    )));
                }
            }
        }
    }
    Some(Ok(LessonLink {
        id: found.id,
        sender,
    }))
}

/// Why the page cannot run a model, if it cannot: models on threads need a cross-origin isolated
/// page whose engine has them, and MPI ranks a launcher, natively.
fn unavailable(kind: engine::ModelKind, threads: bool) -> Option<String> {
    if let Some(why) = crate::worker::not_in_page(kind) {
        return Some(format!("{kind} {why}"));
    }
    (kind.info().host.needs_threads() && !threads).then(|| {
        format!("{kind} needs threads, and this page has none (it is not cross-origin isolated)")
    })
}

/// Runs `lesson`'s quick experiments on the engine worker one after another, reporting which
/// one runs, and judges them. A model the page cannot run, a failed run or a Stop gives an
/// inconclusive verdict that says why.
pub async fn run_in_page(
    bridge: &Bridge,
    lesson: &'static Lesson,
    cores: u32,
    threads: bool,
    progress: impl Fn(String),
) -> LessonResult {
    let experiments = lesson.experiments(Size::Quick, cores);
    let n = experiments.len();
    let mut results: Vec<ResultSet> = Vec::new();
    for (i, exp) in experiments.into_iter().enumerate() {
        if let Some(why) = unavailable(exp.model.name, threads) {
            return lesson.could_not_run(&why, results);
        }
        progress(format!(
            "experiment {} of {n}: {}",
            i + 1,
            super::figures::configuration(exp.model.name, exp.workers, None)
        ));
        let (tx, rx) = futures_channel::oneshot::channel();
        let stopper = bridge.clone();
        bridge.run(exp.to_json(), move |result| {
            let _ = tx.send((result, stopper.last_run_stopped()));
        });
        match rx.await {
            Ok((Ok(json), stopped)) => match serde_json::from_str::<ResultSet>(&json) {
                Ok(r) => {
                    results.push(r);
                    if stopped {
                        break;
                    }
                }
                Err(e) => return lesson.could_not_run(&format!("unreadable result: {e}"), results),
            },
            Ok((Err(e), _)) => return lesson.could_not_run(&e, results),
            Err(_) => return lesson.could_not_run("the engine went away", results),
        }
    }
    if results.len() < n {
        // Stopped between experiments: a verdict needs them all.
        return lesson.could_not_run("it was stopped before it finished", results);
    }
    lesson.judge(results, cores)
}

/// Runs lessons for the page and for `playground.runLesson`, one at a time, keeping the cards up
/// to date through the reducer.
#[derive(Clone)]
pub struct Runner {
    pub bridge: Bridge,
    pub dispatch: UseReducerDispatcher<State>,
    pub machine: Rc<RefCell<MachineView>>,
}

impl PartialEq for Runner {
    fn eq(&self, other: &Self) -> bool {
        self.bridge == other.bridge && Rc::ptr_eq(&self.machine, &other.machine)
    }
}

impl Runner {
    /// Runs the lesson `id` in the page; an unknown id, a lesson already running or an engine
    /// not yet started is an error line.
    pub async fn run(&self, id: &str) -> Result<LessonResult, String> {
        let lesson = lesson::find(id).ok_or_else(|| {
            let ids: Vec<&str> = lesson::all().iter().map(|l| l.id).collect();
            format!("no lesson called '{id}' (one of: {})", ids.join(", "))
        })?;
        let (ready, cores, threads) = {
            let m = self.machine.borrow();
            (
                m.ready,
                m.hardware_concurrency.max(1),
                m.isolated && m.threads,
            )
        };
        if !ready {
            return Err("the engine is still starting".into());
        }
        if busy() {
            return Err("a lesson is already running: one at a time".into());
        }
        BUSY.with(|b| b.set(true));
        self.dispatch.dispatch(Action::LessonStarted(lesson.id));
        let dispatch = self.dispatch.clone();
        let id = lesson.id;
        let result = run_in_page(&self.bridge, lesson, cores, threads, move |line| {
            dispatch.dispatch(Action::LessonProgress(id, line))
        })
        .await;
        BUSY.with(|b| b.set(false));
        self.dispatch
            .dispatch(Action::LessonFinished(lesson.id, Rc::new(result.clone())));
        Ok(result)
    }

    /// Runs the lesson `id` natively, through `native-runner serve`, and in the serving
    /// machine's CPython where the lesson has a Python side.
    pub async fn run_native(&self, id: &'static str) {
        if busy() {
            return;
        }
        BUSY.with(|b| b.set(true));
        self.dispatch.dispatch(Action::LessonNativeStarted(id));
        let python = lesson::find(id).is_some_and(|l| l.cpython.is_some());
        let result = super::native::run_lesson(id, python).await;
        BUSY.with(|b| b.set(false));
        self.dispatch
            .dispatch(Action::LessonNativeFinished(id, result.map(Rc::new)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn lesson_links_round_trip_and_bad_ones_say_why() {
        let f = fragment("gil-cpu", Some(Verdict::Holds));
        assert_eq!(f, "#lesson=gil-cpu&v=holds");
        assert_eq!(
            parse_link(&f),
            Some(Ok(LessonLink {
                id: "gil-cpu",
                sender: Some(Verdict::Holds)
            }))
        );
        assert_eq!(
            parse_link("#lesson=async-io"),
            Some(Ok(LessonLink {
                id: "async-io",
                sender: None
            }))
        );
        assert_eq!(parse_link("#x=abc"), None);
        assert_eq!(parse_link(""), None);
        let e = parse_link("#lesson=nope").unwrap().unwrap_err();
        assert!(e.contains("no lesson called 'nope'"), "{e}");
        let e = parse_link("#lesson=gil-io&v=maybe").unwrap().unwrap_err();
        assert!(e.contains("'maybe' is not a verdict"), "{e}");
        assert_eq!(
            parse_verdict("does-not-hold"),
            Some(Verdict::DoesNotHold),
            "the JSON's spelling"
        );
        assert_eq!(verdict_words(Verdict::DoesNotHold), "does not hold");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn models_on_threads_cannot_run_without_them() {
        assert!(unavailable(engine::ModelKind::Gil, false).is_some());
        assert!(unavailable(engine::ModelKind::Gil, true).is_none());
        assert!(unavailable(engine::ModelKind::Async, false).is_none());
        let mpi = unavailable(engine::ModelKind::Mpi, true).expect("mpi never runs in a page");
        assert!(mpi.contains("mpirun"), "{mpi}");
    }
}
