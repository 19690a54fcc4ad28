//! The closed sets and their descriptors: names agree everywhere they are spelled (serde, the
//! derived `Display`/`FromStr`), descriptors are complete, and sweep lists parse alike in the CLI
//! and the page (both call `engine::spec::parse_list`).

use engine::model::{Host, ModelOption};
use engine::spec::parse_list;
use engine::{ListError, ModelKind, SpecError, WorkloadKind};

#[test]
fn names_round_trip_through_display_from_str_and_serde() {
    for &m in ModelKind::ALL {
        assert_eq!(m.to_string(), m.name());
        assert_eq!(m.name().parse::<ModelKind>(), Ok(m));
        assert_eq!(serde_json::to_value(m).unwrap(), m.name());
    }
    for &w in WorkloadKind::ALL {
        assert_eq!(w.to_string(), w.name());
        assert_eq!(w.name().parse::<WorkloadKind>(), Ok(w));
        assert_eq!(serde_json::to_value(w).unwrap(), w.name());
    }
    assert_eq!(
        "threads".parse::<ModelKind>(),
        Err(SpecError::UnknownModel("threads".into()))
    );
    assert_eq!(
        "nbody".parse::<WorkloadKind>(),
        Err(SpecError::UnknownWorkload("nbody".into()))
    );
}

#[test]
fn every_descriptor_is_complete() {
    for &m in ModelKind::ALL {
        let info = m.info();
        assert!(
            !info.python.is_empty() && !info.description.is_empty(),
            "{m}"
        );
        assert!(
            info.python_code.contains("{f}")
                || m == ModelKind::WorkStealing
                || info.python_code.contains("{f}_async"),
            "{m}: the Python maps no task function"
        );
        assert!(
            info.cost.seconds(100.0, 1.0) > 0.0,
            "{m}: a model costs something"
        );
        // Only one option per model, spelled as the spec spells it.
        if let Some(o) = info.option {
            assert!(matches!(
                o,
                ModelOption::SwitchInterval | ModelOption::Sync | ModelOption::Schedule
            ));
            assert!(o.flag().starts_with("--") && !o.flag().contains('_'));
        }
        // Default chunks: at least one task, whatever the stage.
        for (tasks, workers) in [(0, 1), (1, 1), (1000, 3), (7, 256)] {
            assert!(info.default_chunk(tasks, workers) >= 1, "{m}");
        }
    }
    // Without threads (a page that is not cross-origin isolated) the baseline, the event loop
    // and the process pool still run; thread models do not.
    for m in [
        ModelKind::Sequential,
        ModelKind::Async,
        ModelKind::ProcessPool,
    ] {
        assert!(!m.info().host.needs_threads(), "{m}");
    }
    assert_eq!(ModelKind::ProcessPool.info().host, Host::Processes);
    for m in [
        ModelKind::Gil,
        ModelKind::StaticPool,
        ModelKind::WorkStealing,
    ] {
        assert!(m.info().host.needs_threads(), "{m}");
    }
    for &w in WorkloadKind::ALL {
        let info = w.info();
        assert!(
            !info.description.is_empty() && !info.python_task.is_empty(),
            "{w}"
        );
        assert_eq!(w.params()[0].name, "n", "{w}: the size comes first");
        // The page's starting point is a valid experiment.
        let mut exp = engine::Experiment::new(w, ModelKind::Sequential, 1);
        exp.workload.n = info.page.n;
        for &(k, v) in info.page.params {
            exp.workload
                .params
                .insert(k.into(), engine::spec::ParamValue::Int(v));
        }
        exp.validate()
            .unwrap_or_else(|e| panic!("{w}'s page default: {e}"));
    }
}

#[test]
fn sweep_lists_parse_as_numbers_lists_and_ranges() {
    assert_eq!(parse_list("4"), Ok(vec![4]));
    assert_eq!(parse_list("1,2, 4"), Ok(vec![1, 2, 4]));
    assert_eq!(parse_list("1..4"), Ok(vec![1, 2, 3, 4]));
    assert_eq!(parse_list("1..=4"), Ok(vec![1, 2, 3, 4]));
    assert_eq!(parse_list("3..3"), Ok(vec![3]));
    assert_eq!(parse_list("4..1"), Err(ListError::BadRange("4..1".into())));
    assert_eq!(
        parse_list("1..1000"),
        Err(ListError::BadRange("1..1000".into()))
    );
    for bad in ["x", "", "1,,2", "1..x", "-1", "1.5"] {
        assert_eq!(
            parse_list(bad),
            Err(ListError::NotAList(bad.into())),
            "{bad}"
        );
    }
    assert_eq!(
        ListError::BadRange("4..1".into()).to_string(),
        format!(
            "range 4..1 must go upwards and have at most {} values",
            engine::limits::MAX_SWEEP_POINTS
        )
    );
}

/// The names in the first column of the table under `heading` in README.md.
fn readme_table(heading: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("README.md has no section {heading}"));
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(name, _)| name.to_string()))
        .collect()
}

#[test]
fn the_readme_tables_list_every_model_and_workload() {
    let models: Vec<&str> = ModelKind::ALL.iter().map(|m| m.name()).collect();
    assert_eq!(readme_table("Models and their Python equivalents"), models);
    let workloads: Vec<&str> = WorkloadKind::ALL.iter().map(|w| w.name()).collect();
    assert_eq!(readme_table("Workloads"), workloads);
}
