//! The experiment spec and its link form: every valid experiment survives JSON and link round
//! trips unchanged, and every malformed link is refused with the error that names its fault.

use std::io::Write;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::write::DeflateEncoder;
use proptest::prelude::*;
use serde_json::{Value, json};

use engine::limits::{
    MAX_CHUNK_SIZE, MAX_LINK_CHARS, MAX_REPETITIONS, MAX_SPEC_BYTES, MAX_SWEEP_POINTS,
    MAX_SWITCH_INTERVAL_MS, MAX_WARMUPS, MAX_WORKERS, MIN_SWITCH_INTERVAL_MS, ParamDef, ParamKind,
};
use engine::link;
use engine::spec::{
    Fault, FaultKind, ModelSpec, Order, ParamValue, Schedule, Sweep, SyncKind, WorkloadSpec,
};
use engine::{Experiment, LinkError, ModelKind, SCHEMA_VERSION, SpecError, WorkloadKind};

// ---------------------------------------------------------------------------------------------
// Strategies: arbitrary valid experiments.

/// A value within a parameter's limits, its bounds included more often than chance would.
fn param_value(def: &ParamDef) -> BoxedStrategy<ParamValue> {
    match def.kind {
        ParamKind::Int { min, max, .. } => prop_oneof![
            1 => Just(min),
            1 => Just(max),
            4 => min..=max,
        ]
        .prop_map(ParamValue::Int)
        .boxed(),
        ParamKind::Float { min, max, .. } => prop_oneof![
            1 => Just(min),
            1 => Just(max),
            4 => min..=max,
        ]
        .prop_map(ParamValue::Float)
        .boxed(),
        ParamKind::Choice { options, .. } => prop::sample::select(options.to_vec())
            .prop_map(|o| ParamValue::Text(o.to_string()))
            .boxed(),
    }
}

/// A workload with `n` always set and each other parameter set or left to its default.
fn workload() -> impl Strategy<Value = WorkloadSpec> {
    prop::sample::select(WorkloadKind::ALL.to_vec()).prop_flat_map(|kind| {
        let defs = kind.params();
        let n = param_value(&defs[0]);
        let extras: Vec<_> = defs[1..]
            .iter()
            .map(|d| {
                let name = d.name.to_string();
                prop::option::of(param_value(d)).prop_map(move |v| v.map(|v| (name.clone(), v)))
            })
            .collect();
        (n, extras).prop_map(move |(n, extras)| {
            let n = match n {
                ParamValue::Int(n) => n,
                other => panic!("n is an integer, got {other:?}"),
            };
            WorkloadSpec {
                name: kind,
                n,
                params: extras.into_iter().flatten().collect(),
            }
        })
    })
}

fn some_if<T: std::fmt::Debug + Clone + 'static>(
    applies: bool,
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    if applies {
        prop::option::of(s).boxed()
    } else {
        Just(None).boxed()
    }
}

/// A model with any options it has (set or left to their defaults), none it lacks.
fn model() -> impl Strategy<Value = ModelSpec> {
    prop::sample::select(ModelKind::ALL.to_vec()).prop_flat_map(|kind| {
        let fault_kinds = if kind == ModelKind::ProcessPool {
            vec![FaultKind::Panic, FaultKind::Exit]
        } else {
            vec![FaultKind::Panic]
        };
        (
            some_if(kind.info().chunks.is_some(), 1..=MAX_CHUNK_SIZE),
            some_if(
                kind.info().order.is_some(),
                prop::sample::select(vec![Order::Ordered, Order::Completion]),
            ),
            some_if(
                kind == ModelKind::Gil,
                MIN_SWITCH_INTERVAL_MS..=MAX_SWITCH_INTERVAL_MS,
            ),
            some_if(
                kind == ModelKind::SharedState,
                prop::sample::select(vec![SyncKind::Lock, SyncKind::Atomic]),
            ),
            some_if(
                kind.info().option == Some(engine::model::ModelOption::Schedule),
                prop::sample::select(vec![Schedule::Static, Schedule::Dynamic]),
            ),
            prop::option::of(
                (any::<u64>(), prop::sample::select(fault_kinds))
                    .prop_map(|(task, kind)| Fault { task, kind }),
            ),
        )
            .prop_map(
                move |(chunk_size, order, switch_interval_ms, sync, schedule, fault)| ModelSpec {
                    name: kind,
                    chunk_size,
                    order,
                    switch_interval_ms,
                    sync,
                    schedule,
                    fault,
                },
            )
    })
}

fn sweep(kind: ModelKind) -> BoxedStrategy<Option<Sweep>> {
    let mut options = vec![Just(None).boxed()];
    if kind != ModelKind::Sequential {
        options.push(
            prop::collection::vec(1..=MAX_WORKERS, 1..=MAX_SWEEP_POINTS)
                .prop_map(|v| Some(Sweep::Workers(v)))
                .boxed(),
        );
    }
    if kind.info().chunks.is_some() {
        options.push(
            prop::collection::vec(1..=MAX_CHUNK_SIZE, 1..=MAX_SWEEP_POINTS)
                .prop_map(|v| Some(Sweep::ChunkSize(v)))
                .boxed(),
        );
    }
    // Any models but the baseline, each once.
    let others: Vec<ModelKind> = ModelKind::ALL
        .iter()
        .copied()
        .filter(|m| *m != ModelKind::Sequential)
        .collect();
    options.push(
        proptest::sample::subsequence(others.clone(), 1..=others.len())
            .prop_shuffle()
            .prop_map(|v| Some(Sweep::Models(v)))
            .boxed(),
    );
    prop::strategy::Union::new(options).boxed()
}

/// Any valid experiment (before validation fills in its defaults).
fn experiment() -> impl Strategy<Value = Experiment> {
    (workload(), model()).prop_flat_map(|(workload, model)| {
        let workers = if model.name == ModelKind::Sequential {
            Just(1u32).boxed()
        } else {
            (1..=MAX_WORKERS).boxed()
        };
        (
            workers,
            prop_oneof![
                (1..=MAX_REPETITIONS).prop_map(|r| (engine::Repetitions::Fixed(r), None)),
                Just((engine::Repetitions::Auto, None)),
                (0.1f64..=3600.0).prop_map(|b| (engine::Repetitions::Auto, Some(b))),
            ],
            0..=MAX_WARMUPS,
            sweep(model.name),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(
                move |(workers, (repetitions, budget_s), warmups, sweep, baseline, timeline)| {
                    Experiment {
                        schema_version: SCHEMA_VERSION,
                        workload: workload.clone(),
                        model: model.clone(),
                        workers,
                        repetitions,
                        budget_s,
                        warmups,
                        sweep,
                        baseline,
                        timeline,
                    }
                },
            )
    })
}

// ---------------------------------------------------------------------------------------------
// Helpers to make links by hand.

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A link payload carrying `bytes` as the spec.
fn payload_of(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(deflate(bytes))
}

/// The JSON of a small valid experiment, as a value to mutate.
fn base_json() -> Value {
    let mut exp = Experiment::new(WorkloadKind::Primes, ModelKind::StaticPool, 4);
    exp.workload.n = 100_000;
    serde_json::from_str(&exp.validate().unwrap().to_json()).unwrap()
}

fn decode_json(v: &Value) -> Result<Experiment, LinkError> {
    link::decode(&format!("#x={}", payload_of(v.to_string().as_bytes())))
}

fn decode_mutated(f: impl FnOnce(&mut Value)) -> Result<Experiment, LinkError> {
    let mut v = base_json();
    f(&mut v);
    decode_json(&v)
}

fn spec_error(r: Result<Experiment, LinkError>) -> SpecError {
    match r {
        Err(LinkError::Spec(e)) => e,
        other => panic!("expected a spec error, got {other:?}"),
    }
}

fn out_of_range_field(r: Result<Experiment, LinkError>) -> String {
    match spec_error(r) {
        SpecError::OutOfRange { field, .. } => field,
        other => panic!("expected OutOfRange, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips.

proptest! {
    #[test]
    fn valid_experiments_round_trip(exp in experiment()) {
        let v = exp.validate().expect("generated experiments are valid");
        // Validation is idempotent and fills every default.
        prop_assert_eq!(&v.validate().unwrap(), &v);
        for def in v.workload.name.params().iter().skip(1) {
            prop_assert!(v.workload.params.contains_key(def.name), "{} not filled in", def.name);
        }
        prop_assert_eq!(v.model.order.is_some(), v.model.name.info().order.is_some());
        prop_assert_eq!(v.model.switch_interval_ms.is_some(), v.model.name == ModelKind::Gil);
        prop_assert_eq!(v.model.sync.is_some(), v.model.name == ModelKind::SharedState);

        // JSON, of the canonical and of the raw experiment.
        prop_assert_eq!(&Experiment::from_json(&v.to_json()).unwrap(), &v);
        prop_assert_eq!(&Experiment::from_json(&exp.to_json()).unwrap(), &v);
        prop_assert_eq!(&Experiment::from_json(&serde_json::to_string(&v).unwrap()).unwrap(), &v);

        // Links: bare payload, fragment, whole URL, among other fragment keys, with whitespace.
        let payload = link::encode(&v);
        prop_assert!(payload.len() <= MAX_LINK_CHARS, "a valid experiment's link is {} long", payload.len());
        prop_assert!(payload.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let fragment = link::fragment(&v);
        prop_assert_eq!(&fragment, &format!("#x={payload}"));
        prop_assert_eq!(&link::decode(&payload).unwrap(), &v);
        prop_assert_eq!(&link::decode(&fragment).unwrap(), &v);
        prop_assert_eq!(&link::decode(&fragment[1..]).unwrap(), &v);
        prop_assert_eq!(&link::decode(&format!("http://127.0.0.1:8080/{fragment}")).unwrap(), &v);
        prop_assert_eq!(&link::decode(&format!("http://127.0.0.1:8080/index.html?a=b#view=1&x={payload}&y=2")).unwrap(), &v);
        prop_assert_eq!(&link::decode(&format!("  {fragment}\n")).unwrap(), &v);
        // The raw experiment's link decodes to the canonical one too.
        prop_assert_eq!(&link::decode(&link::encode(&exp)).unwrap(), &v);
    }

    #[test]
    fn out_of_range_sizes_are_refused(exp in experiment(), above in any::<bool>()) {
        let def = exp.workload.name.params().remove(0);
        let ParamKind::Int { min, max, .. } = def.kind else { panic!("n is an integer") };
        let n = if above && max < u64::MAX { max + 1 } else if min > 0 { min - 1 } else { return Ok(()) };
        let mut bad = exp.clone();
        bad.workload.n = n;
        let field = format!("{}.n", exp.workload.name);
        match bad.validate() {
            Err(SpecError::OutOfRange { field: f, value, .. }) => {
                prop_assert_eq!(f, field);
                prop_assert_eq!(value, n.to_string());
            }
            other => prop_assert!(false, "n = {} accepted: {:?}", n, other),
        }
    }

    #[test]
    fn out_of_range_workers_are_refused(exp in experiment(), workers in prop_oneof![Just(0u32), (MAX_WORKERS + 1)..]) {
        let mut bad = exp;
        bad.workers = workers;
        match bad.validate() {
            Err(SpecError::OutOfRange { field, .. }) => prop_assert_eq!(field, "workers"),
            // Sequential's own rule may speak first for workers > 1.
            Err(SpecError::Invalid { field, .. }) if bad.model.name == ModelKind::Sequential => {
                prop_assert_eq!(field, "workers")
            }
            other => prop_assert!(false, "workers = {} accepted: {:?}", workers, other),
        }
    }

    #[test]
    fn arbitrary_strings_never_panic_decode(s in any::<String>()) {
        let _ = link::decode(&s);
        let _ = link::decode(&format!("#x={s}"));
        let _ = Experiment::from_json(&s);
    }

    #[test]
    fn link_like_strings_never_panic_decode(s in "[A-Za-z0-9_=&#:/.?%+-]{0,300}") {
        let _ = link::decode(&s);
    }

    #[test]
    fn arbitrary_payload_bytes_never_panic_decode(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        // Valid base64 of anything: exercises the inflater.
        let _ = link::decode(&URL_SAFE_NO_PAD.encode(&bytes));
        // Valid deflate of anything: exercises UTF-8 and JSON decoding.
        let _ = link::decode(&payload_of(&bytes));
    }

    #[test]
    fn corrupted_json_never_panics(exp in experiment(), at in any::<prop::sample::Index>(), c in any::<char>()) {
        let json = exp.to_json();
        let mut chars: Vec<char> = json.chars().collect();
        let i = at.index(chars.len());
        chars[i] = c;
        let text: String = chars.into_iter().collect();
        let _ = Experiment::from_json(&text);
        let _ = link::decode(&payload_of(text.as_bytes()));
    }

    #[test]
    fn truncated_links_never_panic(exp in experiment(), at in any::<prop::sample::Index>()) {
        let payload = link::encode(&exp.validate().unwrap());
        let cut = at.index(payload.len());
        let _ = link::decode(&payload[..cut]);
    }
}

// ---------------------------------------------------------------------------------------------
// Malformed links.

#[test]
fn empty_links_are_refused() {
    for l in ["", "   ", "\n\t "] {
        assert_eq!(link::decode(l), Err(LinkError::Empty), "{l:?}");
    }
}

#[test]
fn too_long_links_are_refused() {
    let l = format!("#x={}", "A".repeat(MAX_LINK_CHARS));
    assert_eq!(
        link::decode(&l),
        Err(LinkError::TooLong {
            len: MAX_LINK_CHARS + 3,
            max: MAX_LINK_CHARS
        })
    );
    // Exactly at the limit it is no longer "too long" (but still not an experiment).
    let l = "A".repeat(MAX_LINK_CHARS);
    assert!(!matches!(link::decode(&l), Err(LinkError::TooLong { .. })));
}

#[test]
fn links_without_an_experiment_are_refused() {
    for l in [
        "http://127.0.0.1:8080/",
        "http://127.0.0.1:8080/?x=abc",
        "http://127.0.0.1:8080/#",
        "http://127.0.0.1:8080/#view=chart",
        "#y=abc",
        "#x=",
        "#",
        "x=",
        "a=b&c=d",
    ] {
        assert_eq!(link::decode(l), Err(LinkError::NoExperiment), "{l:?}");
    }
}

#[test]
fn bad_base64_is_refused() {
    for l in ["#x=abc$def", "#x=a", "#x=abc def", "not base64!", "#x=ab+/"] {
        assert!(
            matches!(link::decode(l), Err(LinkError::Base64(_))),
            "{l:?}: {:?}",
            link::decode(l)
        );
    }
}

#[test]
fn base64_that_is_not_deflate_is_refused() {
    // First block header 0b111: final block of the reserved type 3.
    let l = URL_SAFE_NO_PAD.encode([0xffu8; 16]);
    assert!(
        matches!(link::decode(&l), Err(LinkError::Deflate(_))),
        "{:?}",
        link::decode(&l)
    );
}

#[test]
fn deflate_of_non_utf8_is_refused() {
    let l = payload_of(&[0xff, 0xfe, 0xfd, b'{', 0x80]);
    assert_eq!(link::decode(&l), Err(LinkError::NotUtf8));
}

#[test]
fn deflate_bombs_are_refused() {
    // 1 MiB of spaces deflates to about a kilobyte: well within the link limit.
    let bomb = payload_of(&vec![b' '; 1 << 20]);
    assert!(bomb.len() <= MAX_LINK_CHARS, "{}", bomb.len());
    assert_eq!(
        link::decode(&bomb),
        Err(LinkError::TooLarge {
            max: MAX_SPEC_BYTES
        })
    );
}

#[test]
fn spec_size_limit_is_exact() {
    // A valid spec padded with whitespace to exactly the limit decodes; one byte more does not.
    let json = base_json().to_string();
    let mut padded = json.clone().into_bytes();
    padded.resize(MAX_SPEC_BYTES, b' ');
    let exp = link::decode(&payload_of(&padded)).expect("exactly at the limit");
    assert_eq!(exp, Experiment::from_json(&json).unwrap());
    padded.push(b' ');
    assert_eq!(
        link::decode(&payload_of(&padded)),
        Err(LinkError::TooLarge {
            max: MAX_SPEC_BYTES
        })
    );
}

#[test]
fn payload_that_is_not_json_is_refused() {
    for text in ["", "not json", "[1, 2]", "{", "null"] {
        let r = link::decode(&payload_of(text.as_bytes()));
        let e = spec_error(r);
        assert!(
            matches!(e, SpecError::Json(_) | SpecError::MissingVersion),
            "{text:?}: {e:?}"
        );
    }
}

#[test]
fn future_schema_versions_are_refused() {
    let e = spec_error(decode_mutated(|v| v["schema_version"] = json!(2)));
    assert_eq!(
        e,
        SpecError::UnsupportedVersion {
            found: 2,
            supported: SCHEMA_VERSION
        }
    );
    // The version is checked before the shape: fields this build never heard of do not matter.
    let e = spec_error(decode_mutated(|v| {
        v["schema_version"] = json!(1u64 << 40);
        v["new_field"] = json!({"anything": true});
        v["workload"]["name"] = json!("from-the-future");
    }));
    assert_eq!(
        e,
        SpecError::UnsupportedVersion {
            found: 1 << 40,
            supported: SCHEMA_VERSION
        }
    );
    let e = spec_error(decode_mutated(|v| v["schema_version"] = json!(0)));
    assert!(
        matches!(e, SpecError::UnsupportedVersion { found: 0, .. }),
        "{e:?}"
    );
}

#[test]
fn missing_or_malformed_versions_are_refused() {
    let e = spec_error(decode_mutated(|v| {
        v.as_object_mut().unwrap().remove("schema_version");
    }));
    assert_eq!(e, SpecError::MissingVersion);
    for bad in [json!("1"), json!(1.5), json!(-1), json!(null)] {
        let e = spec_error(decode_mutated(|v| v["schema_version"] = bad.clone()));
        assert!(
            matches!(&e, SpecError::Invalid { field, .. } if field == "schema_version"),
            "{bad}: {e:?}"
        );
    }
}

/// Unknown workload and model names. The spec has dedicated variants for these
/// (`SpecError::UnknownWorkload` / `UnknownModel`), but `Experiment::from_json` currently reports
/// serde's `Json("unknown variant ...")` instead (see the engine report). Both name the value.
fn assert_unknown_name(e: SpecError, name: &str, dedicated: fn(&SpecError) -> bool) {
    let named = match &e {
        SpecError::Json(msg) => msg.contains("unknown variant") && msg.contains(name),
        other => dedicated(other) && other.to_string().contains(name),
    };
    assert!(named, "{name}: {e:?}");
}

#[test]
fn unknown_workloads_and_models_are_refused() {
    let e = spec_error(decode_mutated(|v| {
        v["workload"]["name"] = json!("quicksort")
    }));
    assert_unknown_name(
        e,
        "quicksort",
        |e| matches!(e, SpecError::UnknownWorkload(w) if w == "quicksort"),
    );
    let e = spec_error(decode_mutated(|v| {
        v["model"]["name"] = json!("green-threads")
    }));
    assert_unknown_name(
        e,
        "green-threads",
        |e| matches!(e, SpecError::UnknownModel(m) if m == "green-threads"),
    );
    // The names parse through FromStr with the dedicated variants.
    assert_eq!(
        "quicksort".parse::<WorkloadKind>(),
        Err(SpecError::UnknownWorkload("quicksort".into()))
    );
    assert_eq!(
        "green-threads".parse::<ModelKind>(),
        Err(SpecError::UnknownModel("green-threads".into()))
    );
    for &k in WorkloadKind::ALL {
        assert_eq!(k.name().parse::<WorkloadKind>(), Ok(k));
        assert_eq!(serde_json::to_value(k).unwrap(), json!(k.name()));
    }
    for &k in ModelKind::ALL {
        assert_eq!(k.name().parse::<ModelKind>(), Ok(k));
        assert_eq!(serde_json::to_value(k).unwrap(), json!(k.name()));
    }
}

#[test]
fn unknown_params_are_refused() {
    let e = spec_error(decode_mutated(|v| {
        v["workload"]["params"]["bogus"] = json!(1)
    }));
    assert_eq!(
        e,
        SpecError::UnknownParam {
            workload: "primes".into(),
            param: "bogus".into()
        }
    );
    // A parameter of another workload is unknown here too.
    let e = spec_error(decode_mutated(|v| {
        v["workload"]["params"]["latency_ms"] = json!(1)
    }));
    assert!(
        matches!(&e, SpecError::UnknownParam { param, .. } if param == "latency_ms"),
        "{e:?}"
    );
    // And through the setter.
    let mut w = WorkloadSpec::new(WorkloadKind::Square);
    assert!(matches!(
        w.set("tasks", ParamValue::Int(3)),
        Err(SpecError::UnknownParam { .. })
    ));
}

#[test]
fn badly_typed_params_are_refused() {
    for (key, value) in [
        ("tasks", json!("many")),
        ("tasks", json!(1.5)),
        ("tasks", json!(-3)),
    ] {
        let e = spec_error(decode_mutated(|v| {
            v["workload"]["params"][key] = value.clone()
        }));
        assert!(
            matches!(&e, SpecError::Invalid { field, .. } if field == "primes.tasks"),
            "{value}: {e:?}"
        );
    }
    let mut exp = Experiment::new(WorkloadKind::Stream, ModelKind::DynamicPool, 2);
    exp.workload
        .params
        .insert("op".into(), ParamValue::Text("copy".into()));
    assert!(
        matches!(exp.validate(), Err(SpecError::Invalid { field, .. }) if field == "stream.op")
    );
    exp.workload.params.insert("op".into(), ParamValue::Int(1));
    assert!(
        matches!(exp.validate(), Err(SpecError::Invalid { field, .. }) if field == "stream.op")
    );
    let mut exp = Experiment::new(WorkloadKind::Amdahl, ModelKind::DynamicPool, 2);
    exp.workload
        .params
        .insert("serial_fraction".into(), ParamValue::Float(1.5));
    assert!(matches!(
        exp.validate(),
        Err(SpecError::OutOfRange { field, .. }) if field == "amdahl.serial_fraction"
    ));
    exp.workload
        .params
        .insert("serial_fraction".into(), ParamValue::Float(f64::NAN));
    assert!(matches!(exp.validate(), Err(SpecError::OutOfRange { .. })));
    // An integer where a real is expected is taken, and stored as a real.
    exp.workload
        .params
        .insert("serial_fraction".into(), ParamValue::Int(1));
    let v = exp.validate().unwrap();
    assert_eq!(v.workload.params["serial_fraction"], ParamValue::Float(1.0));
}

#[test]
fn out_of_range_values_are_refused() {
    assert_eq!(
        spec_error(decode_mutated(|v| v["workload"]["n"] = json!(1))),
        SpecError::OutOfRange {
            field: "primes.n".into(),
            value: "1".into(),
            min: "2".into(),
            max: "1000000000".into()
        }
    );
    assert_eq!(
        out_of_range_field(decode_mutated(
            |v| v["workload"]["n"] = json!(1_000_000_001u64)
        )),
        "primes.n"
    );
    assert_eq!(
        out_of_range_field(decode_mutated(
            |v| v["workload"]["params"]["tasks"] = json!(0)
        )),
        "primes.tasks"
    );
    for w in [0, MAX_WORKERS + 1] {
        assert_eq!(
            out_of_range_field(decode_mutated(|v| v["workers"] = json!(w))),
            "workers"
        );
    }
    for r in [0, MAX_REPETITIONS + 1] {
        assert_eq!(
            out_of_range_field(decode_mutated(|v| v["repetitions"] = json!(r))),
            "repetitions"
        );
    }
    assert_eq!(
        out_of_range_field(decode_mutated(|v| v["warmups"] = json!(MAX_WARMUPS + 1))),
        "warmups"
    );
    assert_eq!(
        out_of_range_field(decode_mutated(|v| v["model"]["chunk_size"] = json!(0))),
        "model.chunk_size"
    );
    assert_eq!(
        out_of_range_field(decode_mutated(|v| {
            v["model"]["chunk_size"] = json!(MAX_CHUNK_SIZE + 1)
        })),
        "model.chunk_size"
    );
    assert_eq!(
        out_of_range_field(decode_mutated(|v| v["sweep"] = json!({"workers": [2, 0]}))),
        "sweep.workers"
    );
    assert_eq!(
        out_of_range_field(decode_mutated(|v| v["sweep"] = json!({"chunk_size": [0]}))),
        "sweep.chunk_size"
    );
    // A models sweep: each model once, never the baseline, never empty, known models only.
    for (models, says) in [
        (json!(["gil", "sequential"]), "sequential is the baseline"),
        (json!(["gil", "async", "gil"]), "gil is listed twice"),
        (json!([]), "needs 1 to"),
    ] {
        let e = spec_error(decode_mutated(|v| v["sweep"] = json!({"models": models})));
        assert!(e.to_string().contains(says), "{e}");
    }
    assert!(matches!(
        spec_error(decode_mutated(|v| v["sweep"] = json!({"models": ["gill"]}))),
        SpecError::Json(_)
    ));
    // A workers count beyond u32 does not wrap around into range.
    assert!(matches!(
        spec_error(decode_mutated(|v| v["workers"] = json!(1u64 << 32))),
        SpecError::Json(_)
    ));
    let mut gil = Experiment::new(WorkloadKind::Primes, ModelKind::Gil, 2);
    for ms in [0.0, MAX_SWITCH_INTERVAL_MS * 2.0] {
        gil.model.switch_interval_ms = Some(ms);
        assert!(matches!(
            gil.validate(),
            Err(SpecError::OutOfRange { field, .. }) if field == "model.switch_interval_ms"
        ));
    }
}

#[test]
fn options_a_model_lacks_are_refused() {
    let not_applicable = |r: Result<Experiment, LinkError>| match spec_error(r) {
        SpecError::OptionNotApplicable { option, model } => (option, model),
        other => panic!("expected OptionNotApplicable, got {other:?}"),
    };
    assert_eq!(
        not_applicable(decode_mutated(
            |v| v["model"]["switch_interval_ms"] = json!(5.0)
        )),
        ("switch_interval_ms".into(), "static-pool".into())
    );
    assert_eq!(
        not_applicable(decode_mutated(|v| v["model"]["sync"] = json!("atomic"))),
        ("sync".into(), "static-pool".into())
    );
    assert_eq!(
        not_applicable(decode_mutated(|v| {
            v["model"] = json!({"name": "sequential", "chunk_size": 4});
            v["workers"] = json!(1);
        })),
        ("chunk_size".into(), "sequential".into())
    );
    assert_eq!(
        not_applicable(decode_mutated(|v| {
            v["model"] = json!({"name": "work-stealing", "order": "completion"})
        })),
        ("order".into(), "work-stealing".into())
    );
    assert_eq!(
        not_applicable(decode_mutated(|v| {
            v["model"] = json!({"name": "gil"});
            v["sweep"] = json!({"chunk_size": [1, 2]});
        })),
        ("sweep.chunk_size".into(), "gil".into())
    );
    assert_eq!(
        not_applicable(decode_mutated(|v| {
            v["model"] = json!({"name": "sequential"});
            v["workers"] = json!(1);
            v["sweep"] = json!({"workers": [1, 2]});
        })),
        ("sweep.workers".into(), "sequential".into())
    );
}

#[test]
fn inconsistent_settings_are_refused() {
    let invalid_field = |r: Result<Experiment, LinkError>| match spec_error(r) {
        SpecError::Invalid { field, .. } => field,
        other => panic!("expected Invalid, got {other:?}"),
    };
    assert_eq!(
        invalid_field(decode_mutated(
            |v| v["model"] = json!({"name": "sequential"})
        )),
        "workers"
    );
    assert_eq!(
        invalid_field(decode_mutated(|v| {
            v["model"]["fault"] = json!({"task": 3, "kind": "exit"})
        })),
        "model.fault.kind"
    );
    assert_eq!(
        invalid_field(decode_mutated(|v| v["sweep"] = json!({"workers": []}))),
        "sweep.workers"
    );
    let too_many: Vec<u32> = (1..=MAX_SWEEP_POINTS as u32 + 1).collect();
    assert_eq!(
        invalid_field(decode_mutated(|v| v["sweep"] = json!({"workers": too_many}))),
        "sweep.workers"
    );
    // Exit is a process-pool fault.
    let ok = decode_mutated(|v| {
        v["model"] = json!({"name": "process-pool", "fault": {"task": 3, "kind": "exit"}})
    })
    .expect("exit applies to process-pool");
    assert_eq!(
        ok.model.fault,
        Some(Fault {
            task: 3,
            kind: FaultKind::Exit
        })
    );
}

#[test]
fn unknown_fields_are_refused() {
    let unknown_field = |r: Result<Experiment, LinkError>| match spec_error(r) {
        SpecError::Json(msg) => assert!(msg.contains("unknown field"), "{msg}"),
        other => panic!("expected a JSON error naming the field, got {other:?}"),
    };
    unknown_field(decode_mutated(|v| v["colour"] = json!("red")));
    unknown_field(decode_mutated(|v| v["workload"]["size"] = json!(3)));
    unknown_field(decode_mutated(|v| v["model"]["threads"] = json!(3)));
    unknown_field(decode_mutated(|v| {
        v["model"]["fault"] = json!({"task": 1, "kind": "panic", "when": "now"})
    }));
    // A sweep over something that cannot be swept.
    assert!(matches!(
        spec_error(decode_mutated(|v| v["sweep"] = json!({"repetitions": [1]}))),
        SpecError::Json(_)
    ));
}

#[test]
fn defaults_are_filled_in_and_pinned() {
    // The smallest accepted spec: version, workload name and n, model name, workers.
    let v = json!({
        "schema_version": 1,
        "workload": {"name": "sleep", "n": 3},
        "model": {"name": "async"},
        "workers": 2
    });
    let exp = decode_json(&v).unwrap();
    assert_eq!(exp.repetitions, engine::Repetitions::Fixed(5));
    assert_eq!(exp.warmups, 1);
    assert!(exp.baseline);
    assert_eq!(exp.sweep, None);
    assert_eq!(exp.model.order, Some(Order::Ordered));
    assert_eq!(exp.workload.params.len(), 3);
    assert_eq!(exp.workload.params["latency_ms"], ParamValue::Int(10));
    // The canonical form's link pins those defaults: it decodes to itself.
    assert_eq!(link::decode(&link::fragment(&exp)).unwrap(), exp);
    let gil = decode_json(&json!({
        "schema_version": 1,
        "workload": {"name": "primes", "n": 100},
        "model": {"name": "gil"},
        "workers": 2
    }))
    .unwrap();
    assert_eq!(gil.model.switch_interval_ms, Some(5.0));
    let shared = decode_json(&json!({
        "schema_version": 1,
        "workload": {"name": "primes", "n": 100},
        "model": {"name": "shared-state"},
        "workers": 2
    }))
    .unwrap();
    assert_eq!(shared.model.sync, Some(SyncKind::Lock));
    // Each model with an order delivers as its Python construct does unless told otherwise.
    for &kind in ModelKind::ALL {
        assert_eq!(
            kind.info().order.is_some(),
            kind.info().order.is_some(),
            "{kind}"
        );
        let exp = Experiment::new(WorkloadKind::Primes, kind, 1)
            .validate()
            .unwrap();
        assert_eq!(exp.model.order, kind.info().order, "{kind}");
    }
    assert_eq!(ModelKind::StaticPool.info().order, Some(Order::Ordered));
    assert_eq!(ModelKind::DynamicPool.info().order, Some(Order::Completion));
}

#[test]
fn param_values_parse_like_a_form() {
    assert_eq!(ParamValue::parse("12"), ParamValue::Int(12));
    assert_eq!(ParamValue::parse("0.5"), ParamValue::Float(0.5));
    assert_eq!(ParamValue::parse("-1"), ParamValue::Float(-1.0));
    assert_eq!(ParamValue::parse("triad"), ParamValue::Text("triad".into()));
    let mut w = WorkloadSpec::new(WorkloadKind::Primes);
    w.set("n", ParamValue::parse("1000")).unwrap();
    assert_eq!(w.n, 1000);
    assert!(matches!(
        w.set("n", ParamValue::parse("1")),
        Err(SpecError::OutOfRange { .. })
    ));
    assert_eq!(w.n, 1000, "a refused value leaves the spec unchanged");
}

#[test]
fn results_attached_to_a_link_read_back_or_fail_precisely() {
    let exp = Experiment::new(WorkloadKind::Primes, ModelKind::StaticPool, 2)
        .validate()
        .unwrap();
    let mut small = exp.clone();
    small.workload.n = 1000;
    small.repetitions = engine::Repetitions::Fixed(1);
    small.warmups = 0;
    let set =
        engine::measure::run_experiment(&small, &engine::model::RunEnv::default(), &mut |_| {})
            .expect("runs");
    let link = format!("{}&r={}", link::fragment(&small), link::pack(&set));
    assert_eq!(link::decode_results(&link).unwrap(), Some(set));
    assert_eq!(link::decode_results(&link::fragment(&small)).unwrap(), None);
    let bad = format!("{}&r=!!!", link::fragment(&small));
    assert!(matches!(
        link::decode_results(&bad),
        Err(LinkError::Base64(_))
    ));
    let not_results = format!("{}&r={}", link::fragment(&small), payload_of(b"{\"a\":1}"));
    let err = link::decode_results(&not_results).unwrap_err().to_string();
    assert!(err.contains("attached results"), "{err}");
}

/// Result files round-trip exactly: what the runner or the page exports imports back equal, and
/// exports again byte for byte, partial results included.
#[test]
fn result_files_round_trip_exactly() {
    use engine::result::{InFlight, Partial, StoppedRun};
    let mut exp = Experiment::new(WorkloadKind::Sleep, ModelKind::DynamicPool, 2);
    exp.workload.n = 12;
    exp.repetitions = engine::Repetitions::Fixed(2);
    exp.warmups = 0;
    exp.sweep = Some(Sweep::Workers(vec![1, 2]));
    let exp = exp.validate().unwrap();
    let mut set =
        engine::measure::run_experiment(&exp, &engine::model::RunEnv::default(), &mut |_| {})
            .expect("runs");
    set.machine = Some(engine::MachineInfo {
        runtime: "native".into(),
        logical_cores: 2,
        physical_cores: None,
        cpu_model: Some("a \"quoted\" CPU <b>".into()),
        caches: vec![engine::machine::Cache {
            level: 1,
            kind: "Data".into(),
            size_bytes: 49152,
            shared_by: Some(1),
        }],
        os: "Linux".into(),
        arch: "x86_64".into(),
        timer_resolution: engine::machine::timer_resolution(),
        ranks: Vec::new(),
    });
    let tasks = set.results[1].tasks.clone();
    assert!(!tasks.is_empty());
    set.partial = Some(Partial {
        reason: "timed out after 1.5 s".into(),
        stopped: Some(StoppedRun {
            model: ModelKind::DynamicPool,
            workers: 2,
            run: 1,
            runs: 2,
            warmup: false,
            elapsed: 0.1 + 0.2,
            tasks_done: tasks.len() as u64,
            worker_stats: set.results[1].worker_stats.clone(),
            in_flight: vec![
                InFlight {
                    worker: 0,
                    stage: 0,
                    task: 7,
                    end: 8,
                    since: Some(1.0 / 3.0),
                },
                InFlight {
                    worker: 1,
                    stage: 0,
                    task: 8,
                    end: 12,
                    since: None,
                },
            ],
            tasks,
        }),
    });
    for pretty in [false, true] {
        let text = if pretty {
            serde_json::to_string_pretty(&set).unwrap()
        } else {
            serde_json::to_string(&set).unwrap()
        };
        let back: engine::ResultSet = serde_json::from_str(&text).unwrap();
        assert_eq!(back, set);
        let again = if pretty {
            serde_json::to_string_pretty(&back).unwrap()
        } else {
            serde_json::to_string(&back).unwrap()
        };
        assert_eq!(again, text);
    }
}

#[test]
fn a_models_sweep_runs_each_model_with_its_defaults_and_the_experiments_own_options() {
    let mut exp = Experiment::new(WorkloadKind::Sleep, ModelKind::Gil, 3);
    exp.model.switch_interval_ms = Some(2.0);
    exp.sweep = Some(Sweep::Models(vec![
        ModelKind::Gil,
        ModelKind::DynamicPool,
        ModelKind::SharedState,
    ]));
    let exp = exp.validate().unwrap();
    let configs = engine::measure::configurations(&exp);
    let models: Vec<(ModelKind, usize)> =
        configs.iter().map(|c| (c.model.name, c.workers)).collect();
    assert_eq!(
        models,
        [
            (ModelKind::Sequential, 1),
            (ModelKind::Gil, 3),
            (ModelKind::DynamicPool, 3),
            (ModelKind::SharedState, 3)
        ]
    );
    assert_eq!(
        configs[1].model.switch_interval_ms,
        Some(2.0),
        "the experiment's own options"
    );
    assert_eq!(
        configs[2].model,
        ModelSpec::defaults(ModelKind::DynamicPool)
    );
    assert!(configs[2].model.order.is_some() && configs[3].model.sync.is_some());
    // Even when the experiment's model is the baseline's, the baseline runs first.
    let mut seq = Experiment::new(WorkloadKind::Sleep, ModelKind::Sequential, 1);
    seq.sweep = Some(Sweep::Models(vec![ModelKind::Async]));
    let configs = engine::measure::configurations(&seq.validate().unwrap());
    assert_eq!(configs[0].model.name, ModelKind::Sequential);
    assert_eq!(configs.len(), 2);
}

#[test]
fn sizes_in_exponent_form_are_whole_numbers() {
    use engine::spec::ParamValue;
    assert_eq!(ParamValue::parse("1e6"), ParamValue::Int(1_000_000));
    assert_eq!(ParamValue::parse("2E3"), ParamValue::Int(2000));
    assert_eq!(ParamValue::parse("2.5e0"), ParamValue::Float(2.5));
    assert_eq!(ParamValue::parse("-1e3"), ParamValue::Float(-1000.0));
    assert_eq!(ParamValue::parse("1e400"), ParamValue::Float(f64::INFINITY));
}

#[test]
fn link_errors_are_plain_words_on_one_line() {
    for l in ["#x=%%%", "#x=AAAA", "#y=1", ""] {
        let e = link::decode(l).unwrap_err().to_string();
        assert!(
            !e.contains('\n') && !e.contains("base64") && !e.contains("symbol"),
            "{e}"
        );
        assert!(e.starts_with("the link"), "{e}");
    }
}
