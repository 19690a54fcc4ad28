//! The user interface: one page of function components over a reducer ([`state`]).

pub mod api;
pub mod bridge;
pub mod charts;
pub mod components;
pub mod dom;
pub mod figures;
pub mod history;
pub mod lessons;
pub mod native;
pub mod scheduler;
pub mod share;
pub mod state;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use engine::ResultSet;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use bridge::{Bridge, EngineEvent};
use components::{
    Controls, History, IsolationBanner, Lessons, Machine, PythonPanel, ResultsTable, RunBar,
    Scheduler, SetRef, Sets, Share, SweepChart, Timeline, runtime_label, sweep_sets,
};
use state::{Action, Control, Source, State};

/// Mounts the interface on the page's `<main id="app">`.
pub fn mount() {
    let doc = dom::window().document().expect("document");
    match doc.get_element_by_id("app") {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}

/// Threads in the engine's pool: enough for the largest oversubscribed run (4 workers per
/// logical core) plus the coordinator that drives it.
fn pool_size(hardware_concurrency: u32) -> u32 {
    (hardware_concurrency.max(1) * 4).min(64) + 1
}

#[function_component(App)]
pub fn app() -> Html {
    let window = dom::window();
    let hc = window.navigator().hardware_concurrency() as u32;
    // `crossOriginIsolated`: whether SharedArrayBuffer (and so WebAssembly threads) exist here.
    let isolated = js_sys::Reflect::get(&window, &JsValue::from_str("crossOriginIsolated"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let state = use_reducer(|| State::new(hc, isolated));
    let running_flag = use_mut_ref(|| Rc::new(Cell::new(false)));
    let machine_view = use_mut_ref(|| Rc::new(RefCell::new(api::MachineView::default())));

    let engine = {
        let dispatch = state.dispatcher();
        let lesson_dispatch = state.dispatcher();
        let machine_view = machine_view.borrow().clone();
        use_memo((), move |_| {
            let mv = machine_view.clone();
            let bridge = Bridge::new(pool_size(hc), move |event| match event {
                EngineEvent::Ready {
                    threads,
                    pool_size,
                    machine,
                } => {
                    let machine = Some(*machine);
                    {
                        let mut m = mv.borrow_mut();
                        m.threads = threads;
                        m.pool_size = pool_size;
                        m.ready = true;
                        m.engine_timer_resolution = machine.as_ref().map(|m| m.timer_resolution);
                    }
                    dispatch.dispatch(Action::EngineReady {
                        threads,
                        pool_size,
                        machine,
                    });
                }
                EngineEvent::Fatal(m) => dispatch.dispatch(Action::EngineFatal(m)),
                EngineEvent::Started { id, spec } => {
                    let exp = engine::Experiment::from_json(&spec).ok();
                    dispatch.dispatch(Action::RunStarted(id, exp.map(Box::new)))
                }
                EngineEvent::Progress { id, progress } => {
                    dispatch.dispatch(Action::Progress {
                        id,
                        tasks: progress.tasks,
                        runs: progress.runs,
                        runs_total: progress.runs_total,
                        label: progress.label,
                    });
                }
                EngineEvent::Finished { id, result } => {
                    let result = result.and_then(|json| {
                        serde_json::from_str::<ResultSet>(&json)
                            .map_err(|e| format!("unreadable result: {e}"))
                    });
                    dispatch.dispatch(Action::RunFinished { id, result });
                }
            });
            {
                let mut m = machine_view.borrow_mut();
                m.hardware_concurrency = hc;
                m.isolated = isolated;
            }
            let runner = lessons::Runner {
                bridge: bridge.clone(),
                dispatch: lesson_dispatch,
                machine: machine_view.clone(),
            };
            api::install(bridge.clone(), machine_view.clone(), runner.clone());
            (bridge, runner)
        })
    };
    let bridge = engine.0.clone();
    let runner = engine.1.clone();

    // Links, back/forward, and the long-task watch: set up once.
    {
        let dispatch = state.dispatcher();
        let flag = running_flag.borrow().clone();
        use_effect_with((), move |_| {
            let load = {
                let dispatch = dispatch.clone();
                move || {
                    let hash = dom::hash();
                    match lessons::parse_link(&hash) {
                        Some(Ok(link)) => {
                            dispatch.dispatch(Action::FocusLesson(link.id, link.sender))
                        }
                        Some(Err(e)) => dispatch.dispatch(Action::LessonNotice(format!(
                            "this link cannot be opened: {e}"
                        ))),
                        // A scheduler link is the scheduler's own (components::Scheduler).
                        None if scheduler::is_link(&hash) => {}
                        None => match share::parse(&hash) {
                            Ok(Some(shared)) => {
                                dispatch.dispatch(Action::Load(shared.experiment, shared.results))
                            }
                            Ok(None) => {}
                            Err(e) => dispatch.dispatch(Action::Notice(format!(
                                "this link cannot be opened: {e}"
                            ))),
                        },
                    }
                }
            };
            load();
            // Removed with the page (the listener is dropped on unmount).
            let on_pop =
                gloo_events::EventListener::new(&dom::window(), "popstate", move |_| load());
            let dispatch = dispatch.clone();
            dom::watch_long_tasks(move |ms| {
                if flag.get() {
                    dispatch.dispatch(Action::LongTask(ms));
                }
            });
            move || drop(on_pop)
        });
    }
    running_flag.borrow().set(state.running.is_some());
    // A lesson link brings its card into view and focuses it, once rendered.
    use_effect_with(state.lesson_focus, |focus| {
        if let Some((id, _)) = focus {
            dom::focus_element(&format!("lesson-{id}"));
        }
    });

    // Callbacks that only dispatch are made once, so the parts they are handed to are not
    // rendered again for a new callback each render.
    let on_edit = {
        let dispatch = state.dispatcher();
        use_callback((), move |(control, text): (Control, String), _| {
            dispatch.dispatch(Action::Edit(control, text))
        })
    };
    // Probe for the native backend once.
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                dispatch.dispatch(Action::NativeProbed(native::probe().await));
            });
            || ()
        });
    }
    let start_run: Rc<dyn Fn()> = {
        let bridge = bridge.clone();
        let exp = state.exp.clone();
        let with_native = state.also_native && matches!(state.native, Some(Some(_)));
        let auto = exp.repetitions == engine::Repetitions::Auto;
        let dispatch = state.dispatcher();
        Rc::new(move || {
            dom::push_fragment(&share::fragment(&exp, None));
            let spec = exp.to_json();
            let dispatch = dispatch.clone();
            // Browser first, then native: never both at once, so they do not compete for cores.
            let stopped = bridge.clone();
            bridge.run(spec.clone(), move |result| {
                // A stopped run was meant to end here, natively too.
                if result.is_err() || !with_native || stopped.last_run_stopped() {
                    return;
                }
                dispatch.dispatch(Action::NativeStatus(Some("native: starting".into())));
                wasm_bindgen_futures::spawn_local(async move {
                    let status = dispatch.clone();
                    let result = native::run(&spec, move |e| {
                        let text = match e {
                            native::NativeEvent::Queued(n) => {
                                format!("native: waiting, {n} run(s) ahead")
                            }
                            native::NativeEvent::Started => "native: running".into(),
                            native::NativeEvent::Progress { runs, runs_total } => {
                                let total = u32::try_from(runs_total).unwrap_or(u32::MAX);
                                format!(
                                    "native: run {runs} of {}",
                                    components::runs_of(total, auto)
                                )
                            }
                        };
                        status.dispatch(Action::NativeStatus(Some(text)));
                    })
                    .await;
                    dispatch.dispatch(Action::NativeFinished(result));
                });
            });
        })
    };
    // A run estimated to take long asks first; Run anyway starts it.
    let on_run = {
        let start = start_run.clone();
        let dispatch = state.dispatcher();
        let ask = state.long_run();
        Callback::from(move |_| match &ask {
            Some(question) => dispatch.dispatch(Action::AskConfirm(question.clone())),
            None => start(),
        })
    };
    let on_confirm = {
        let dispatch = state.dispatcher();
        Callback::from(move |yes: bool| {
            dispatch.dispatch(Action::DismissConfirm);
            if yes {
                start_run();
            }
        })
    };
    let on_toggle_native = {
        let dispatch = state.dispatcher();
        Callback::from(move |_| dispatch.dispatch(Action::ToggleAlsoNative))
    };
    let on_lesson_stop = {
        let bridge = bridge.clone();
        let native = matches!(state.native, Some(Some(_)));
        Callback::from(move |_: MouseEvent| {
            bridge.stop();
            if native {
                wasm_bindgen_futures::spawn_local(native::cancel());
            }
        })
    };
    let on_lesson_run = {
        let runner = runner.clone();
        use_callback((), move |id: &'static str, _| {
            let runner = runner.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = runner.run(id).await {
                    runner.dispatch.dispatch(Action::LessonNotice(e));
                }
            });
        })
    };
    let on_lesson_native = {
        let runner = runner.clone();
        use_callback((), move |id: &'static str, _| {
            let runner = runner.clone();
            wasm_bindgen_futures::spawn_local(async move { runner.run_native(id).await });
        })
    };
    let on_lesson_open = {
        let dispatch = state.dispatcher();
        use_callback((), move |id: &'static str, _| {
            dispatch.dispatch(Action::OpenLesson(id));
            dom::focus_element("lab");
        })
    };
    let on_lesson_copy = {
        let dispatch = state.dispatcher();
        use_callback(state.lessons.clone(), move |id: &'static str, cards| {
            let verdict = engine::lesson::all()
                .iter()
                .position(|l| l.id == id)
                .and_then(|i| cards.get(i))
                .and_then(|c| c.result.as_ref())
                .map(|r| r.0.verdict);
            let fragment = lessons::fragment(id, verdict);
            let link = format!("{}{fragment}", dom::base_address());
            dom::push_fragment(&fragment);
            dispatch.dispatch(Action::LessonLinkMade(id, link.clone()));
            wasm_bindgen_futures::spawn_local(async move {
                let _ = dom::copy(&link).await;
            });
        })
    };
    let on_stop = {
        let bridge = bridge.clone();
        let dispatch = state.dispatcher();
        let native_running = state.native_status.is_some();
        Callback::from(move |_| {
            dispatch.dispatch(Action::Stopping);
            bridge.stop();
            if native_running {
                wasm_bindgen_futures::spawn_local(native::cancel());
            }
        })
    };
    // The newest results run in this page: what a link carries and the exports write.
    let latest = state
        .results
        .iter()
        .find(|(src, _)| *src == Source::Browser)
        .map(|(_, r)| SetRef(r.clone()));
    let on_copy_link = {
        let dispatch = state.dispatcher();
        use_callback(
            (state.exp.clone(), latest.clone(), state.include_results),
            move |_: MouseEvent, (exp, latest, include)| {
                let latest = latest.as_ref().filter(|_| *include).map(|r| &*r.0);
                let fragment = share::fragment(exp, latest);
                let link = format!("{}{fragment}", dom::base_address());
                dom::push_fragment(&fragment);
                dispatch.dispatch(Action::LinkMade(link.clone()));
                let dispatch = dispatch.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    dispatch.dispatch(Action::Copied(if dom::copy(&link).await {
                        "Copied".into()
                    } else {
                        "Not copied (the browser refused): copy the link below".into()
                    }));
                });
            },
        )
    };
    let on_toggle_include = {
        let dispatch = state.dispatcher();
        use_callback((), move |_: Event, _| {
            dispatch.dispatch(Action::ToggleIncludeResults)
        })
    };
    let on_select = {
        let dispatch = state.dispatcher();
        use_callback((), move |(set, row): (usize, usize), _| {
            dispatch.dispatch(Action::Select(set, row))
        })
    };
    let on_import = {
        let dispatch = state.dispatcher();
        use_callback((), move |file: web_sys::File, _| {
            let dispatch = dispatch.clone();
            let name = file.name();
            wasm_bindgen_futures::spawn_local(async move {
                match dom::read_file(file).await.and_then(|text| {
                    serde_json::from_str::<ResultSet>(&text)
                        .map_err(|e| format!("not a result file: {e}"))
                }) {
                    Ok(r) => dispatch.dispatch(Action::Imported(name, r)),
                    Err(e) => {
                        dispatch.dispatch(Action::Notice(format!("cannot import {name}: {e}")))
                    }
                }
            });
        })
    };
    let on_clear = {
        let dispatch = state.dispatcher();
        use_callback((), move |_: MouseEvent, _| {
            dispatch.dispatch(Action::ClearResults)
        })
    };
    // The history is stored whenever it changes, so a reload or a crash loses nothing.
    {
        let dispatch = state.dispatcher();
        let entries = state.history.clone();
        use_effect_with(state.history_version, move |_| {
            if entries.is_empty() {
                history::clear();
            } else if let Err(e) = history::save(&entries) {
                dispatch.dispatch(Action::Notice(e));
            }
        });
    }
    let on_open_history = {
        let dispatch = state.dispatcher();
        // Made again only when the history changes (its version), holding that history.
        let entries = state.history.clone();
        use_callback(state.history_version, move |i: usize, _| {
            if let Some(e) = entries.get(i) {
                dispatch.dispatch(Action::OpenHistory(e.experiment.clone(), e.results.clone()));
            }
        })
    };
    let on_clear_history = {
        let dispatch = state.dispatcher();
        use_callback((), move |_: MouseEvent, _| {
            dispatch.dispatch(Action::ClearHistory)
        })
    };

    let exp = &state.exp;
    let (timeline_set, timeline_row) = state.shown_timeline().unwrap_or((0, 0));
    let sweep = sweep_sets(&state.results);
    let timeline_shown = state
        .shown_timeline()
        .and_then(|(set, _)| state.results.get(set));
    html! {
        <>
            <header>
                <h1>{ "Concurrency playground" }</h1>
                <p class="tagline">{ "Threads, pools, work stealing, messages, shared state, processes, async and the GIL, run for real on the cores of this machine." }
                    { " " }<a id="report-link" href="performance.html" target="_blank" rel="noopener">{ "Performance report" }</a>
                    { ": this page against native and Python, measured." }</p>
            </header>
            <IsolationBanner isolated={state.isolated} />
            if let Some(f) = &state.engine.fatal { <div class="banner" role="alert">{ f }</div> }
            <Lessons
                cards={state.lessons.clone()}
                running={state.lesson_running}
                blocker={state.lesson_blocker()}
                native={matches!(state.native, Some(Some(_)))}
                focus={state.lesson_focus.map(|(id, _)| id)}
                notice={state.lesson_notice.clone()}
                on_run={on_lesson_run}
                on_native={on_lesson_native}
                on_open={on_lesson_open}
                on_copy={on_lesson_copy}
                on_stop={on_lesson_stop}
            />
            <h2 class="lab-title" id="lab" tabindex="-1">{ "The lab: any experiment, every setting" }</h2>
            <div class="layout">
                <div class="side">
                    <Controls
                        exp={exp.clone()}
                        drafts={state.drafts.clone()}
                        hardware_concurrency={state.hardware_concurrency}
                        max_workers={state.max_workers()}
                        models={engine::ModelKind::ALL.iter().map(|k| (*k, state.model_available(*k).err())).collect::<Vec<_>>()}
                        {on_edit}
                    />
                    <Machine
                        hardware_concurrency={state.hardware_concurrency}
                        isolated={state.isolated}
                        engine={state.engine.clone()}
                        longest_task_ms={state.longest_task_ms}
                    />
                </div>
                <div class="main">
                    <RunBar
                        blocker={state.run_blocker()}
                        running={state.running.clone()}
                        native={state.native.as_ref().map(Option::is_some)}
                        also_native={state.also_native}
                        native_status={state.native_status.clone()}
                        confirm={state.confirm.clone()}
                        notice={state.notice.clone()}
                        announcement={state.announcement.clone()}
                        {on_run}
                        {on_stop}
                        {on_confirm}
                        {on_toggle_native}
                    />
                    <ResultsTable
                        sets={Sets(state.results.clone())}
                        selected={(timeline_set, timeline_row)}
                        {on_clear}
                        {on_select}
                    />
                    <Timeline
                        set={timeline_shown.map(|(_, rs)| SetRef(rs.clone()))}
                        row={timeline_row}
                        runtime={timeline_shown.map(|(source, rs)| runtime_label(source, rs)).unwrap_or_default()}
                    />
                    <SweepChart sets={sweep} />
                    <PythonPanel
                        model={exp.model.name}
                        workload={exp.workload.name}
                        workers={exp.workers}
                        chunk_size={exp.model.chunk_size}
                    />
                    <Share
                        {latest}
                        include_results={state.include_results}
                        link={state.link.clone()}
                        copied={state.copied.clone()}
                        {on_copy_link}
                        {on_toggle_include}
                        {on_import}
                    />
                    <History
                        entries={state.history.clone()}
                        version={state.history_version}
                        on_open={on_open_history}
                        on_clear={on_clear_history}
                    />
                </div>
            </div>
            <Scheduler />
        </>
    }
}
