//! The native backend, when the page is served by `native-runner serve`: the same experiment run
//! natively on the same machine, its progress read line by line from `POST /api/run`.

use engine::messages::{ApiError, ServeEvent};
use engine::{MachineInfo, ResultSet};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Request, RequestInit, Response};

use super::dom::window;

fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

async fn fetch(method: &str, path: &str, body: Option<&str>) -> Result<Response, String> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
    }
    let request = Request::new_with_str_and_init(path, &init).map_err(js_error)?;
    let response = JsFuture::from(window().fetch_with_request(&request))
        .await
        .map_err(js_error)?;
    response.dyn_into::<Response>().map_err(js_error)
}

/// The native machine, if this page is served by `native-runner serve`.
pub async fn probe() -> Option<MachineInfo> {
    let response = fetch("GET", "./api/machine", None).await.ok()?;
    if !response.ok() {
        return None;
    }
    let text = JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    serde_json::from_str::<MachineInfo>(&text)
        .ok()
        .filter(|m| m.runtime == "native")
}

/// What the native run reports while it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum NativeEvent {
    Queued(u64),
    Started,
    Progress { runs: u64, runs_total: u64 },
}

/// Runs `spec` natively, reporting queue position and progress; resolves with the results.
pub async fn run(spec: &str, on_event: impl Fn(NativeEvent)) -> Result<ResultSet, String> {
    let response = fetch("POST", "./api/run", Some(spec)).await?;
    if !response.ok() {
        let text = match response.text() {
            Ok(p) => JsFuture::from(p)
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        let message = serde_json::from_str::<ApiError>(&text)
            .map(|e| e.error)
            .unwrap_or(text);
        return Err(format!("native run refused: {message}"));
    }
    let body = response.body().ok_or("the native run sent no body")?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut buffer: Vec<u8> = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(js_error)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into())
            && !value.is_undefined()
        {
            buffer.extend(js_sys::Uint8Array::new(&value).to_vec());
        }
        while let Some(end) = buffer.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buffer.drain(..=end).collect();
            let event: ServeEvent =
                serde_json::from_slice(&line).map_err(|e| format!("native run: {e}"))?;
            match event {
                ServeEvent::Queued { ahead } => on_event(NativeEvent::Queued(ahead)),
                ServeEvent::Started => on_event(NativeEvent::Started),
                ServeEvent::Progress {
                    runs, runs_total, ..
                } => on_event(NativeEvent::Progress { runs, runs_total }),
                ServeEvent::Result { result } => return Ok(*result),
                ServeEvent::Error { message } => return Err(message),
            }
        }
        if done {
            return Err("the native run ended without a result".into());
        }
    }
}

/// Asks the native backend to cancel its current run.
pub async fn cancel() {
    let _ = fetch("POST", "./api/cancel", Some("")).await;
}

/// Runs the lesson `id` natively (quick), through `POST /api/lesson`, and with `python` in the
/// serving machine's CPython too; resolves with its result or a one-line reason.
pub async fn run_lesson(id: &str, python: bool) -> Result<engine::lesson::LessonResult, String> {
    let body = serde_json::to_string(&engine::messages::LessonRequest {
        id: id.into(),
        quick: true,
        python,
    })
    .expect("the request serializes");
    let response = fetch("POST", "./api/lesson", Some(&body)).await?;
    let ok = response.ok();
    let text = match response.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .map_err(js_error)?
            .as_string()
            .unwrap_or_default(),
        Err(e) => return Err(js_error(e)),
    };
    if !ok {
        let message = serde_json::from_str::<ApiError>(&text)
            .map(|e| e.error)
            .unwrap_or(text);
        return Err(format!("native lesson refused: {message}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("unreadable native lesson result: {e}"))
}
