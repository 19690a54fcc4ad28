//! Small browser chores: downloads, the clipboard, history, reading files, long-task watching.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub fn window() -> web_sys::Window {
    web_sys::window().expect("the page has a window")
}

/// Offers `text` as a file download: a click on a link to it. The object URL (gloo-file's) is
/// revoked when it goes out of scope, after the click has started the download.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let blob = gloo_file::Blob::new_with_options(text, Some(mime));
    let url = gloo_file::ObjectUrl::from(blob);
    let doc = window().document().ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    Ok(())
}

/// Copies text to the clipboard; resolves false where the browser refuses.
pub async fn copy(text: &str) -> bool {
    let clipboard = window().navigator().clipboard();
    JsFuture::from(clipboard.write_text(text)).await.is_ok()
}

/// The page address without its fragment.
pub fn base_address() -> String {
    let href = window().location().href().unwrap_or_default();
    match href.find('#') {
        Some(i) => href[..i].to_string(),
        None => href,
    }
}

/// The current fragment (with `#`).
pub fn hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// Adds a history entry for an experiment, unless it is the current one.
pub fn push_fragment(fragment: &str) {
    if hash() == fragment {
        return;
    }
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(fragment));
    }
}

/// Brings the element with this id into view and gives it the focus (it needs a `tabindex`).
pub fn focus_element(id: &str) {
    let Some(el) = window().document().and_then(|d| d.get_element_by_id(id)) else {
        return;
    };
    el.scroll_into_view();
    if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
        let _ = el.focus();
    }
}

/// Reads a picked file as text (UTF-8).
pub async fn read_file(file: web_sys::File) -> Result<String, String> {
    gloo_file::futures::read_as_text(&gloo_file::File::from(file))
        .await
        .map_err(|e| e.to_string())
}

/// Reports every main-thread task longer than 50 ms (a `longtask` PerformanceObserver).
pub fn watch_long_tasks(report: impl Fn(f64) + 'static) {
    let callback = Closure::<dyn FnMut(web_sys::PerformanceObserverEntryList)>::new(
        move |list: web_sys::PerformanceObserverEntryList| {
            for entry in list.get_entries().iter() {
                let entry: web_sys::PerformanceEntry = entry.unchecked_into();
                report(entry.duration());
            }
        },
    );
    if let Ok(observer) = web_sys::PerformanceObserver::new(callback.as_ref().unchecked_ref()) {
        let init = web_sys::PerformanceObserverInit::new(&js_sys::Array::of1(&JsValue::from_str(
            "longtask",
        )));
        observer.observe(&init);
    }
    callback.forget();
}
