//! The native API of `native-runner serve`, driven over HTTP like the page drives it.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Server {
    child: Child,
    url: String,
    _dist: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>playground</title>",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_native-runner"))
        .args(["serve", "--port", "0", "--dist"])
        .arg(dist.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("playground: ")
        .expect("the address is printed")
        .to_string();
    Server {
        child,
        url,
        _dist: dist,
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn spec(workload: &str, n: u64, model: &str, workers: u32, params: Value) -> String {
    json!({
        "schema_version": 1,
        "workload": { "name": workload, "n": n, "params": params },
        "model": { "name": model },
        "workers": workers,
        "repetitions": 2,
        "warmups": 0,
    })
    .to_string()
}

/// Posts a spec and returns the reader of its JSON lines.
fn post_run(s: &Server, body: &str) -> (u16, Box<dyn BufRead + Send>) {
    let resp = agent()
        .post(format!("{}api/run", s.url))
        .send(body)
        .unwrap();
    let status = resp.status().as_u16();
    (
        status,
        Box::new(BufReader::new(resp.into_body().into_reader())),
    )
}

fn lines(reader: Box<dyn BufRead + Send>) -> Vec<Value> {
    reader
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect()
}

#[test]
fn machine_and_files_are_served_cross_origin_isolated() {
    let s = start();
    let mut r = agent().get(format!("{}api/machine", s.url)).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let m: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(m["runtime"], "native");
    assert!(m["logical_cores"].as_u64().unwrap() >= 1);
    for path in ["", "index.html", "some/page"] {
        let mut r = agent().get(format!("{}{path}", s.url)).call().unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(r.headers()["cross-origin-opener-policy"], "same-origin");
        assert_eq!(r.headers()["cross-origin-embedder-policy"], "require-corp");
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(
            r.body_mut()
                .read_to_string()
                .unwrap()
                .contains("playground")
        );
    }
}

#[test]
fn a_spec_in_gives_the_result_out() {
    let s = start();
    let (status, reader) = post_run(&s, &spec("primes", 20_000, "dynamic-pool", 2, json!({})));
    assert_eq!(status, 200);
    let events = lines(reader);
    assert_eq!(events[0]["type"], "started");
    let last = events.last().unwrap();
    assert_eq!(last["type"], "result", "{last}");
    let results = &last["result"]["results"];
    assert_eq!(results[1]["model"], "dynamic-pool");
    assert_eq!(results[1]["verified"], true);
    assert_eq!(results[1]["answer"]["summary"], "2262 primes below 20000");
    assert_eq!(last["result"]["machine"]["runtime"], "native");
}

#[test]
fn bad_specs_are_answered_400_with_the_engine_message() {
    let s = start();
    for (body, needle) in [
        (
            spec("quicksort", 10, "sequential", 1, json!({})),
            "unknown workload 'quicksort'",
        ),
        (
            spec("primes", 0, "sequential", 1, json!({})),
            "primes.n = 0 is out of range",
        ),
        ("{not json".to_string(), "invalid experiment JSON"),
        (
            json!({"schema_version": 9}).to_string(),
            "unsupported schema_version 9",
        ),
    ] {
        let mut r = agent()
            .post(format!("{}api/run", s.url))
            .send(&body)
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{body}");
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        assert!(v["error"].as_str().unwrap().contains(needle), "{v}");
    }
}

#[test]
fn oversized_bodies_are_refused() {
    let s = start();
    let body = " ".repeat(native_runner::serve::MAX_BODY_BYTES + 1);
    let r = agent()
        .post(format!("{}api/run", s.url))
        .send(&body)
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
}

#[test]
fn runs_queue_and_cancel_ends_the_current_one() {
    let s = start();
    // 400 tasks of 50 ms one after another: 20 s unless cancelled.
    let long = spec("sleep", 400, "sequential", 1, json!({ "latency_ms": 50 }));
    let (_, mut first) = post_run(&s, &long);
    let mut line = String::new();
    first.read_line(&mut line).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&line).unwrap()["type"],
        "started"
    );

    let (_, mut second) = post_run(&s, &spec("primes", 1000, "sequential", 1, json!({})));
    let mut queued = String::new();
    second.read_line(&mut queued).unwrap();
    let queued: Value = serde_json::from_str(&queued).unwrap();
    assert_eq!(queued["type"], "queued");
    assert_eq!(queued["ahead"], 1);

    let t0 = Instant::now();
    let mut r = agent()
        .post(format!("{}api/cancel", s.url))
        .send("")
        .unwrap();
    assert_eq!(
        r.body_mut().read_to_string().unwrap(),
        r#"{"cancelled":true}"#
    );
    let mut rest = String::new();
    first.read_to_string(&mut rest).unwrap();
    let last: Value = serde_json::from_str(rest.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "error");
    assert_eq!(last["message"], "run failed: run cancelled");
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "cancel took {:?}",
        t0.elapsed()
    );

    let events = lines(second);
    assert_eq!(
        events.last().unwrap()["type"],
        "result",
        "the queued run went ahead"
    );
}

#[test]
fn a_burst_of_100_concurrent_runs_is_queued_and_every_one_completes() {
    let s = start();
    let body = spec("square", 1000, "static-pool", 2, json!({}));
    let outcomes: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..100)
            .map(|_| {
                scope.spawn(|| {
                    let (status, reader) = post_run(&s, &body);
                    (status, lines(reader).pop().unwrap_or(Value::Null))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (status, last) in &outcomes {
        assert_eq!(*status, 200);
        assert_eq!(last["type"], "result", "{last}");
        assert_eq!(last["result"]["results"][1]["verified"], true);
    }
    // Still serving.
    let r = agent().get(format!("{}api/machine", s.url)).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[test]
fn a_client_that_disconnects_mid_run_cancels_it_and_the_server_serves_on() {
    let s = start();
    // About 10 s of waiting if nobody cancelled it.
    let long = spec("sleep", 100, "sequential", 1, json!({ "latency_ms": 100 }));
    let (status, mut reader) = post_run(&s, &long);
    assert_eq!(status, 200);
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("started"), "{first}");
    drop(reader);
    let t = Instant::now();
    let (status, reader) = post_run(&s, &spec("primes", 1000, "static-pool", 2, json!({})));
    assert_eq!(status, 200);
    let last = lines(reader).pop().unwrap();
    assert_eq!(last["type"], "result", "{last}");
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "the abandoned run held the server for {:?}",
        t.elapsed()
    );
}

#[test]
fn a_lesson_runs_natively_and_an_unknown_one_is_refused() {
    let s = start();
    let post = |body: &str| {
        let mut r = agent()
            .post(format!("{}api/lesson", s.url))
            .send(body)
            .unwrap();
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().unwrap();
        (status, serde_json::from_str::<Value>(&text).unwrap())
    };
    let (status, v) = post(&json!({"id": "no-such-lesson", "quick": true}).to_string());
    assert_eq!(status, 400, "{v}");
    let error = v["error"].as_str().unwrap();
    assert!(error.contains("no lesson called 'no-such-lesson'"), "{v}");
    assert!(error.contains("gil-io"), "the known ids are listed: {v}");
    let (status, v) = post("{not json");
    assert_eq!(status, 400, "{v}");

    let (status, v) = post(&json!({"id": "gil-io", "quick": true}).to_string());
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["id"], "gil-io");
    let verdict = v["verdict"].as_str().unwrap();
    assert!(
        ["holds", "does-not-hold", "inconclusive"].contains(&verdict),
        "{verdict}"
    );
    assert!(!v["sentence"].as_str().unwrap().is_empty());
    assert_eq!(v["results"][0]["machine"]["runtime"], "native");
    assert!(v.get("cpython").is_none(), "CPython only when asked");

    // Asked, the same lesson in real CPython: its verdict beside ours, or (with no interpreter
    // on this machine) why it could not run, on the card and not as an error.
    let (status, v) = post(&json!({"id": "gil-io", "python": true}).to_string());
    assert_eq!(status, 200, "{v}");
    let c = &v["cpython"];
    let sentence = c["sentence"].as_str().unwrap();
    if python_here() {
        assert!(
            c["interpreter"].as_str().unwrap().starts_with("CPython 3."),
            "{c}"
        );
        assert_ne!(c["verdict"], "does-not-hold", "{sentence}");
        assert!(sentence.contains("threads under the GIL"), "{sentence}");
        assert_eq!(c["results"][0]["machine"]["runtime"], "native");
    } else {
        assert!(sentence.contains("could not run it"), "{sentence}");
    }
}

/// Whether `python3` runs here (the machines this project is tested on have it).
fn python_here() -> bool {
    std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A deadlocked run comes back as a result to draw: the cycle as its error, the run as far as it
/// got; and the server runs the next experiment.
#[test]
fn a_deadlock_comes_back_as_a_result_with_its_cycle() {
    let s = start();
    let mut naive: Value = serde_json::from_str(&spec(
        "philosophers",
        1000,
        "static-pool",
        3,
        json!({ "philosophers": 3, "order": "naive", "hold_ms": 5 }),
    ))
    .unwrap();
    naive["baseline"] = json!(false);
    let (status, reader) = post_run(&s, &naive.to_string());
    assert_eq!(status, 200);
    let last = lines(reader).pop().unwrap();
    assert_eq!(last["type"], "result", "{last}");
    let result = &last["result"];
    assert_eq!(result["error"]["kind"], "deadlock", "{result}");
    assert_eq!(result["error"]["cycle"].as_array().unwrap().len(), 3);
    assert_eq!(result["partial"]["reason"], "deadlock");
    assert_eq!(result["partial"]["stopped"]["model"], "static-pool");
    let (_, reader) = post_run(&s, &spec("primes", 20_000, "dynamic-pool", 2, json!({})));
    assert_eq!(lines(reader).pop().unwrap()["type"], "result");
}
