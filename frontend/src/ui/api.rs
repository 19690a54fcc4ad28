//! `window.playground`: the page's automation interface, for scripts and tests.
//!
//! - `version`: the package version;
//! - `machine()`: hardwareConcurrency, crossOriginIsolated, threads, pool size, timer resolution;
//! - `run(spec)`: runs the same JSON spec as `native-runner run --spec` (an object or its JSON
//!   text) and resolves with the result object (the native runner's JSON schema); rejects with a
//!   one-line message for an invalid spec or a failed run.
//! - `stop()`: stops the current run as the Stop button does; its `run` promise then resolves
//!   with what it did, marked `partial` (or rejects, where the engine could not report it).
//! - `lessons()`: the lessons, `[{id, claim, python, explanation}]`, in the page's order;
//! - `runLesson(id)`: runs a lesson's quick experiments as its card's Run button does (and
//!   updates the card), resolving with its result (`native-runner lessons --format json`'s
//!   schema, one lesson); rejects with a one-line message for an unknown id or while another
//!   lesson runs.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::bridge::Bridge;
use super::lessons::Runner;

/// What `machine()` reports, refreshed by the page.
#[derive(Default, Clone)]
pub struct MachineView {
    pub hardware_concurrency: u32,
    pub isolated: bool,
    pub threads: bool,
    pub pool_size: u32,
    pub ready: bool,
    pub engine_timer_resolution: Option<f64>,
}

/// What `playground.machine()` answers, in JavaScript's spelling (scripts and the end-to-end
/// tests read these names).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct MachineReply {
    hardware_concurrency: u32,
    cross_origin_isolated: bool,
    threads: bool,
    pool_size: u32,
    ready: bool,
    timer_resolution: Option<f64>,
}

/// A lesson as `lessons()` lists it.
#[derive(serde::Serialize)]
struct LessonEntry {
    id: &'static str,
    claim: &'static str,
    python: &'static str,
    explanation: &'static str,
}

fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    let text = serde_json::to_string(value).expect("the reply serializes");
    js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL)
}

pub fn install(bridge: Bridge, machine: Rc<RefCell<MachineView>>, runner: Runner) {
    let api = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(&api, &JsValue::from_str(k), v);
    };
    set("version", &JsValue::from_str(env!("CARGO_PKG_VERSION")));

    let machine_fn = Closure::<dyn Fn() -> JsValue>::new(move || {
        let m = machine.borrow();
        let reply = MachineReply {
            hardware_concurrency: m.hardware_concurrency,
            cross_origin_isolated: m.isolated,
            threads: m.threads,
            pool_size: m.pool_size,
            ready: m.ready,
            timer_resolution: m.engine_timer_resolution,
        };
        let text = serde_json::to_string(&reply).expect("the reply serializes");
        js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL)
    });
    set("machine", machine_fn.as_ref());
    machine_fn.forget();

    let lessons_fn = Closure::<dyn Fn() -> JsValue>::new(move || {
        let list: Vec<LessonEntry> = engine::lesson::all()
            .iter()
            .map(|l| LessonEntry {
                id: l.id,
                claim: l.claim,
                python: l.python,
                explanation: l.explanation,
            })
            .collect();
        to_js(&list)
    });
    set("lessons", lessons_fn.as_ref());
    lessons_fn.forget();

    let run_lesson_fn = Closure::<dyn Fn(JsValue) -> js_sys::Promise>::new(move |id: JsValue| {
        let runner = runner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let Some(id) = id.as_string() else {
                return Err(js_sys::Error::new("runLesson takes a lesson's id, a string").into());
            };
            match runner.run(&id).await {
                Ok(result) => Ok(to_js(&result)),
                Err(e) => Err(js_sys::Error::new(&e).into()),
            }
        })
    });
    set("runLesson", run_lesson_fn.as_ref());
    run_lesson_fn.forget();

    let stopper = bridge.clone();
    let stop_fn = Closure::<dyn Fn()>::new(move || stopper.stop());
    set("stop", stop_fn.as_ref());
    stop_fn.forget();

    let run_fn = Closure::<dyn Fn(JsValue) -> js_sys::Promise>::new(move |spec: JsValue| {
        let bridge = bridge.clone();
        js_sys::Promise::new(&mut |resolve, reject| {
            let text = match spec.as_string() {
                Some(s) => s,
                None => js_sys::JSON::stringify(&spec)
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_default(),
            };
            let exp = match engine::Experiment::from_json(&text) {
                Ok(exp) => exp,
                Err(e) => {
                    let _ = reject.call1(&JsValue::NULL, &js_sys::Error::new(&e.to_string()));
                    return;
                }
            };
            let (resolve, reject) = (resolve.clone(), reject.clone());
            bridge.run(exp.to_json(), move |result| match result {
                Ok(json) => {
                    let value = js_sys::JSON::parse(&json).unwrap_or(JsValue::NULL);
                    let _ = resolve.call1(&JsValue::NULL, &value);
                }
                Err(e) => {
                    let _ = reject.call1(&JsValue::NULL, &js_sys::Error::new(&e));
                }
            });
        })
    });
    set("run", run_fn.as_ref());
    run_fn.forget();

    let _ = js_sys::Reflect::set(
        &super::dom::window(),
        &JsValue::from_str("playground"),
        &api,
    );
}
