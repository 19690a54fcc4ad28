//! `list` and `machine`: what this build can run, and what it runs on.

use engine::limits::ParamKind;
use engine::{ModelKind, WorkloadKind};

use super::args::InfoFormat;
use super::{CliError, write_out};

pub(super) fn list(format: InfoFormat) -> Result<(), CliError> {
    let text = match format {
        InfoFormat::Json => {
            let mut s = serde_json::to_string_pretty(&list_json()).expect("list serializes");
            s.push('\n');
            s
        }
        InfoFormat::Table => list_table(),
    };
    write_out(None, text.as_bytes())
}

fn param_json(def: &engine::limits::ParamDef) -> serde_json::Value {
    use serde_json::json;
    match &def.kind {
        ParamKind::Int { default, min, max } => {
            json!({"name": def.name, "description": def.description, "kind": "int", "default": default, "min": min, "max": max})
        }
        ParamKind::Float { default, min, max } => {
            json!({"name": def.name, "description": def.description, "kind": "float", "default": default, "min": min, "max": max})
        }
        ParamKind::Choice { default, options } => {
            json!({"name": def.name, "description": def.description, "kind": "choice", "default": default, "options": options})
        }
    }
}

/// The machine-readable catalogue printed by `list --format json`.
pub fn list_json() -> serde_json::Value {
    use serde_json::json;
    json!({
        "schema_version": engine::SCHEMA_VERSION,
        "limits": {
            "max_workers": engine::limits::MAX_WORKERS,
            "max_repetitions": engine::limits::MAX_REPETITIONS,
            "max_warmups": engine::limits::MAX_WARMUPS,
            "max_sweep_points": engine::limits::MAX_SWEEP_POINTS,
        },
        "workloads": WorkloadKind::ALL.iter().map(|w| json!({
            "name": w.name(),
            "description": w.description(),
            "params": w.params().iter().map(param_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "models": ModelKind::ALL.iter().map(|m| json!({
            "name": m.name(),
            "python": m.python(),
            "description": m.description(),
            "chunk_size": m.info().chunks.is_some(),
            "order": m.info().order.is_some(),
            "option": m.info().option.map(|o| o.field()),
            // Workers that are threads sharing memory: the models in which tasks can race and
            // deadlock (see the models README, "Hazards").
            "shared_memory_threads": m.info().host.needs_threads(),
            // Workers that an MPI launcher starts: natively only, under `mpirun`, never in a page.
            "needs_launcher": m.info().host == engine::model::Host::Ranks,
        })).collect::<Vec<_>>(),
    })
}

fn list_table() -> String {
    use comfy_table::Table;
    use comfy_table::presets::UTF8_FULL_CONDENSED;
    let mut w = Table::new();
    w.load_preset(UTF8_FULL_CONDENSED);
    w.set_header(["workload", "parameter", "default", "limits", "meaning"]);
    for kind in WorkloadKind::ALL {
        for (i, def) in kind.params().iter().enumerate() {
            let (default, limits) = match &def.kind {
                ParamKind::Int { default, min, max } => {
                    (default.to_string(), format!("{min}..={max}"))
                }
                ParamKind::Float { default, min, max } => {
                    (default.to_string(), format!("{min}..={max}"))
                }
                ParamKind::Choice { default, options } => {
                    (default.to_string(), options.join(" | "))
                }
            };
            let name = if i == 0 { kind.name() } else { "" };
            w.add_row([name, def.name, &default, &limits, def.description]);
        }
    }
    let mut m = Table::new();
    m.load_preset(UTF8_FULL_CONDENSED);
    m.set_header(["model", "Python equivalent", "options"]);
    for kind in ModelKind::ALL {
        let info = kind.info();
        let mut options = Vec::new();
        if info.chunks.is_some() {
            options.push("--chunk-size".to_string());
        }
        if info.order.is_some() {
            options.push("--order".to_string());
        }
        options.extend(info.option.map(|o| o.flag()));
        m.add_row([kind.name(), info.python, &options.join(" ")]);
    }
    format!("Workloads\n{w}\n\nModels\n{m}\n")
}

/// Under an MPI launcher: the job's hosts, with their cores and ranks. Empty otherwise.
fn ranks_table(ranks: &[engine::model::mpi::RankInfo]) -> String {
    if ranks.is_empty() {
        return String::new();
    }
    let mut hosts: Vec<(&str, Vec<&engine::model::mpi::RankInfo>)> = Vec::new();
    for r in ranks {
        match hosts.iter_mut().find(|(h, _)| *h == r.host) {
            Some((_, list)) => list.push(r),
            None => hosts.push((&r.host, vec![r])),
        }
    }
    let mut s = format!(
        "mpi job         {} ranks on {} host{}, {} cores for the job\n",
        ranks.len(),
        hosts.len(),
        if hosts.len() == 1 { "" } else { "s" },
        engine::model::mpi::job_cores(ranks)
    );
    for (host, list) in hosts {
        let cores = list[0].host_cores.map_or("cores unknown".to_string(), |c| {
            format!("{c} logical cores")
        });
        let ranks: Vec<String> = list
            .iter()
            .map(|r| {
                format!(
                    "{} ({} core{})",
                    r.rank,
                    r.cores,
                    if r.cores == 1 { "" } else { "s" }
                )
            })
            .collect();
        s.push_str(&format!("  {host}: {cores}; ranks {}\n", ranks.join(", ")));
    }
    s
}

pub(super) fn machine(format: InfoFormat) -> Result<(), CliError> {
    let info = crate::machine::detect();
    let text = match format {
        InfoFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&info).expect("machine serializes")
        ),
        InfoFormat::Table => {
            let mut s = String::new();
            s.push_str(&format!(
                "cpu model       {}\n",
                info.cpu_model.as_deref().unwrap_or("unknown")
            ));
            s.push_str(&format!("logical cores   {}\n", info.logical_cores));
            s.push_str(&format!(
                "physical cores  {}\n",
                info.physical_cores
                    .map_or("unknown".into(), |p| p.to_string())
            ));
            for c in &info.caches {
                s.push_str(&format!(
                    "L{} {:<12} {} KiB{}\n",
                    c.level,
                    c.kind.to_lowercase(),
                    c.size_bytes / 1024,
                    c.shared_by
                        .map_or(String::new(), |n| format!(", shared by {n} logical CPUs"))
                ));
            }
            s.push_str(&format!("os              {}\n", info.os));
            s.push_str(&format!("arch            {}\n", info.arch));
            s.push_str(&format!(
                "timer           {:.0} ns resolution\n",
                info.timer_resolution * 1e9
            ));
            s.push_str(&ranks_table(&info.ranks));
            s
        }
    };
    write_out(None, text.as_bytes())
}
