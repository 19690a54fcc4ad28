//! The wire format of every typed message (`engine::messages`): each variant as the other end
//! reads or writes it, and back. The literal JSON here is the contract with the code that is not
//! Rust: `static/engine-worker.js` and `static/process-worker.js` write some of these messages
//! themselves, and `tests/e2e/e2e.mjs` and `native-runner/tests/serve.rs` read the server's.

use engine::messages::{
    ApiError, CancelReply, FromEngine, FromWorker, RunProgress, ServeEvent, ToEngine, ToWorker,
};
use engine::model::TaskRecord;
use engine::spec::{Fault, FaultKind, WorkloadSpec};
use engine::workload::TaskOutput;
use engine::{Experiment, MachineInfo, ModelKind, RunEnv, WorkloadKind, run_experiment};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// `msg` is written as `wire`, and `wire` is read back as `msg`.
fn round_trip<T>(msg: T, wire: Value)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(&msg).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        wire,
        "{msg:?}"
    );
    assert_eq!(serde_json::from_str::<T>(&text).unwrap(), msg);
    assert_eq!(serde_json::from_value::<T>(wire).unwrap(), msg);
}

fn small_results() -> engine::ResultSet {
    let mut exp = Experiment::new(WorkloadKind::Primes, ModelKind::DynamicPool, 2);
    exp.workload.n = 2_000;
    exp.repetitions = engine::Repetitions::Fixed(1);
    let exp = exp.validate().unwrap();
    run_experiment(&exp, &RunEnv::default(), &mut |_| {}).unwrap()
}

#[test]
fn the_server_stream_keeps_its_format() {
    round_trip(
        ServeEvent::Queued { ahead: 2 },
        json!({"type": "queued", "ahead": 2}),
    );
    round_trip(ServeEvent::Started, json!({"type": "started"}));
    round_trip(
        ServeEvent::Progress {
            runs: 1,
            runs_total: 4,
            tasks: 900,
        },
        json!({"type": "progress", "runs": 1, "runs_total": 4, "tasks": 900}),
    );
    round_trip(
        ServeEvent::Error {
            message: "run failed: run cancelled".into(),
        },
        json!({"type": "error", "message": "run failed: run cancelled"}),
    );
    // A result travels in the result schema, unchanged, every number exact.
    let results = small_results();
    let event = ServeEvent::Result {
        result: Box::new(results.clone()),
    };
    round_trip(
        event.clone(),
        json!({"type": "result", "result": serde_json::to_value(&results).unwrap()}),
    );
    let line = event.to_line();
    assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
}

#[test]
fn the_small_replies_keep_their_format() {
    assert_eq!(
        serde_json::to_string(&CancelReply { cancelled: true }).unwrap(),
        r#"{"cancelled":true}"#
    );
    round_trip(
        CancelReply { cancelled: false },
        json!({"cancelled": false}),
    );
    round_trip(
        ApiError {
            error: "bad spec".into(),
        },
        json!({"error": "bad spec"}),
    );
}

#[test]
fn page_and_engine_worker_messages() {
    round_trip(
        ToEngine::Init { pool_size: 4 },
        json!({"type": "init", "pool_size": 4}),
    );
    round_trip(
        ToEngine::Run {
            id: 3,
            spec: "{}".into(),
        },
        json!({"type": "run", "id": 3, "spec": "{}"}),
    );
    round_trip(
        ToEngine::Cancel { id: 3 },
        json!({"type": "cancel", "id": 3}),
    );
    let machine = MachineInfo {
        runtime: "wasm".into(),
        logical_cores: 8,
        physical_cores: None,
        cpu_model: Some("a \"quoted\" CPU".into()),
        caches: Vec::new(),
        os: "linux".into(),
        arch: "wasm32".into(),
        timer_resolution: 5e-6,
        ranks: Vec::new(),
    };
    round_trip(
        FromEngine::Ready {
            threads: true,
            pool_size: 2,
            machine: machine.clone(),
        },
        json!({"type": "ready", "threads": true, "pool_size": 2,
               "machine": serde_json::to_value(&machine).unwrap()}),
    );
    round_trip(
        FromEngine::Progress {
            id: 3,
            progress: RunProgress {
                tasks: 10,
                runs: 1,
                runs_total: 2,
                label: "dynamic-pool, 2 workers".into(),
            },
        },
        json!({"type": "progress", "id": 3, "progress":
               {"tasks": 10, "runs": 1, "runs_total": 2, "label": "dynamic-pool, 2 workers"}}),
    );
    round_trip(
        FromEngine::Result {
            id: 3,
            result: "{\"a\":1}".into(),
        },
        json!({"type": "result", "id": 3, "result": "{\"a\":1}"}),
    );
    round_trip(
        FromEngine::Partial {
            id: 3,
            result: "{}".into(),
        },
        json!({"type": "partial", "id": 3, "result": "{}"}),
    );
}

/// The messages `static/engine-worker.js` writes itself, exactly as it writes them
/// (`JSON.stringify` of these objects; `current` is `null` between runs).
#[test]
fn the_engine_worker_scripts_own_messages_are_read() {
    let read = |text: &str| serde_json::from_str::<FromEngine>(text).unwrap();
    assert_eq!(
        read(r#"{"type":"fatal","message":"the engine could not start: x"}"#),
        FromEngine::Fatal {
            message: "the engine could not start: x".into()
        }
    );
    assert_eq!(
        read(r#"{"type":"crashed","id":7,"message":"the engine crashed: y"}"#),
        FromEngine::Crashed {
            id: Some(7),
            message: "the engine crashed: y".into()
        }
    );
    assert_eq!(
        read(r#"{"type":"crashed","id":null,"message":"m"}"#),
        FromEngine::Crashed {
            id: None,
            message: "m".into()
        }
    );
    assert_eq!(
        read(r#"{"type":"error","id":7,"message":"RuntimeError: unreachable"}"#),
        FromEngine::Error {
            id: 7,
            message: "RuntimeError: unreachable".into()
        }
    );
    // An unknown type is an error, not a message silently ignored.
    assert!(serde_json::from_str::<FromEngine>(r#"{"type":"progres","id":1}"#).is_err());
}

#[test]
fn process_worker_messages() {
    let mut workload = WorkloadSpec::new(WorkloadKind::Primes);
    workload.n = 100;
    let init = ToWorker::Init {
        workload: workload.clone(),
        fault: Some(Fault {
            task: 1,
            kind: FaultKind::Exit,
        }),
        timeline: true,
    };
    round_trip(
        init,
        json!({"type": "init", "workload": serde_json::to_value(&workload).unwrap(),
               "fault": {"task": 1, "kind": "exit"}, "timeline": true}),
    );
    round_trip(ToWorker::Ping, json!({"type": "ping"}));
    round_trip(
        ToWorker::Run {
            stage: 1,
            start: 4,
            end: 8,
        },
        json!({"type": "run", "stage": 1, "start": 4, "end": 8}),
    );
    round_trip(
        ToWorker::EndStage {
            stage: 0,
            outputs: vec![TaskOutput::F64s(vec![0.1, 1e-300]), TaskOutput::U64(7)],
        },
        json!({"type": "end_stage", "stage": 0, "outputs": [{"F64s": [0.1, 1e-300]}, {"U64": 7}]}),
    );
    round_trip(FromWorker::Ready, json!({"type": "ready"}));
    round_trip(
        FromWorker::Pong { clock: 0.25 },
        json!({"type": "pong", "clock": 0.25}),
    );
    let record = TaskRecord {
        stage: 0,
        task: 4,
        worker: 0,
        start: 0.001,
        end: 0.002,
        wait: 0.0,
        blocked: 0.0,
        delivered: None,
        delivered_index: None,
    };
    round_trip(
        FromWorker::Done {
            start: 4,
            outputs: vec![TaskOutput::Pair(-1, 2)],
            records: vec![record.clone()],
        },
        json!({"type": "done", "start": 4, "outputs": [{"Pair": [-1, 2]}],
               "records": [serde_json::to_value(&record).unwrap()]}),
    );
    round_trip(
        FromWorker::Failed {
            stage: 0,
            task: 4,
            message: "boom".into(),
        },
        json!({"type": "failed", "stage": 0, "task": 4, "message": "boom"}),
    );
    // What static/process-worker.js writes when its instance died.
    round_trip(
        FromWorker::Error {
            message: "the worker process died: RuntimeError".into(),
        },
        json!({"type": "error", "message": "the worker process died: RuntimeError"}),
    );
}
