//! From flags, a spec file or a link to a validated experiment: the resolved settings.

use std::path::Path;
use std::time::Duration;

use engine::model::Host;
use engine::spec::{ParamValue, Schedule, SyncKind};
use engine::{
    Experiment, ModelKind, ModelSpec, Order, Repetitions, Sweep, WorkloadKind, WorkloadSpec,
};

use super::args::{OrderArg, RunArgs, ScheduleArg, SyncArg};
use super::{CliError, usage};

/// The longest `--timeout`: a day.
const MAX_TIMEOUT: Duration = Duration::from_secs(engine::limits::MAX_TIMEOUT_S);

/// Parses a duration: seconds ("30", "1.5"), or a number with a unit: "500ms", "30s", "2m".
pub fn parse_duration(flag: &str, text: &str) -> Result<Duration, CliError> {
    let bad = |why: &str| usage(format!("{flag}: '{text}' {why}"));
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = number
        .trim()
        .parse()
        .map_err(|_| bad("is not a duration like 30, 30s, 500ms or 2m"))?;
    let secs = v * scale;
    if !secs.is_finite() || !(0.001..=MAX_TIMEOUT.as_secs_f64()).contains(&secs) {
        return Err(bad("is out of range: it must be 1 ms to 24 h"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A list of sweep values ([`engine::spec::parse_list`]: the page accepts the same), or a usage
/// error naming the flag.
fn parse_list(flag: &str, text: &str) -> Result<Vec<u64>, CliError> {
    engine::spec::parse_list(text).map_err(|e| usage(format!("{flag}: {e}")))
}

pub(super) fn parse_set(items: &[String], spec: &mut WorkloadSpec) -> Result<(), CliError> {
    for item in items {
        let (k, v) = item
            .split_once('=')
            .ok_or_else(|| usage(format!("--set {item}: expected KEY=VALUE")))?;
        spec.set(k.trim(), ParamValue::parse(v.trim()))?;
    }
    Ok(())
}

/// One worker for sequential, one per rank for models whose workers are the job's MPI ranks,
/// one per logical core otherwise.
fn default_workers(model: ModelKind) -> u64 {
    if model == ModelKind::Sequential {
        1
    } else if let Some(ranks) = crate::ranks::current().filter(|_| model.info().host == Host::Ranks)
    {
        ranks.size() as u64
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get() as u64)
            .unwrap_or(1)
    }
}

fn to_u32(flag: &str, v: u64) -> Result<u32, CliError> {
    u32::try_from(v).map_err(|_| usage(format!("{flag}: {v} is too large")))
}

/// Builds the experiment from the command line, a spec file or a link.
pub fn build_experiment(a: &RunArgs, sweep: bool) -> Result<Experiment, CliError> {
    if a.spec.is_some() || a.link.is_some() {
        let extra = [
            ("--workload", a.workload.is_some()),
            ("--n", a.n.is_some()),
            ("--set", !a.set.is_empty()),
            ("--model", a.model.is_some()),
            ("--workers", a.workers.is_some()),
            ("--chunk-size", a.chunk_size.is_some()),
            ("--order", a.order.is_some()),
            ("--switch-interval-ms", a.switch_interval_ms.is_some()),
            ("--sync", a.sync.is_some()),
            ("--reps", a.reps.is_some()),
            ("--budget", a.budget.is_some()),
            ("--warmups", a.warmups.is_some()),
            ("--no-baseline", a.no_baseline),
            ("--no-timeline", a.no_timeline),
        ];
        if let Some((flag, _)) = extra.iter().find(|(_, given)| *given) {
            return Err(usage(format!(
                "{flag} cannot be combined with --spec or --link, which run exactly what they encode"
            )));
        }
        let exp = match (&a.spec, &a.link) {
            (Some(path), _) => spec_from_file(&read_spec(path)?)?,
            (None, Some(link)) => engine::link::decode(link)?,
            (None, None) => unreachable!(),
        };
        return Ok(exp);
    }
    let workload: WorkloadKind = a
        .workload
        .as_deref()
        .ok_or_else(|| {
            usage("--workload is required (or --spec / --link); see `native-runner list`")
        })?
        .parse()?;
    let model_text = a.model.as_deref().ok_or_else(|| {
        usage("--model is required (or --spec / --link); see `native-runner list`")
    })?;
    // A list of models (gil,dynamic-pool) sweeps over them.
    let models: Vec<ModelKind> = model_text
        .split(',')
        .map(|m| m.trim().parse())
        .collect::<Result<_, _>>()?;
    let model = models[0];
    let workers = match &a.workers {
        Some(w) => parse_list("--workers", w)?,
        None => vec![default_workers(model)],
    };
    let chunks = match &a.chunk_size {
        Some(c) => Some(parse_list("--chunk-size", c)?),
        None => None,
    };
    let many_workers = workers.len() > 1;
    let many_chunks = chunks.as_ref().is_some_and(|c| c.len() > 1);
    let many_models = models.len() > 1;
    let lists = [many_workers, many_chunks, many_models]
        .iter()
        .filter(|m| **m)
        .count();
    if !sweep && lists > 0 {
        return Err(usage(
            "several values given: use `native-runner sweep` to run each of them",
        ));
    }
    if sweep && lists > 1 {
        return Err(usage(
            "sweep one thing at a time: a list for --workers, --chunk-size or --model, not two",
        ));
    }
    if sweep && lists == 0 {
        return Err(usage(
            "sweep needs a list: --workers 1,2,4 (or 1..4), --chunk-size 1,16,256 or --model gil,dynamic-pool",
        ));
    }
    let mut exp = Experiment::new(workload, model, to_u32("--workers", workers[0])?);
    if let Some(n) = a.n {
        exp.workload.set("n", ParamValue::Int(n))?;
    }
    parse_set(&a.set, &mut exp.workload)?;
    exp.model = ModelSpec {
        name: model,
        chunk_size: chunks.as_ref().filter(|c| c.len() == 1).map(|c| c[0]),
        order: a.order.map(|o| match o {
            OrderArg::Ordered => Order::Ordered,
            OrderArg::Completion => Order::Completion,
        }),
        switch_interval_ms: a.switch_interval_ms,
        sync: a.sync.map(|s| match s {
            SyncArg::Lock => SyncKind::Lock,
            SyncArg::Atomic => SyncKind::Atomic,
        }),
        schedule: a.schedule.map(|s| match s {
            ScheduleArg::Static => Schedule::Static,
            ScheduleArg::Dynamic => Schedule::Dynamic,
        }),
        fault: None,
    };
    if let Some(r) = &a.reps {
        exp.repetitions = r
            .parse::<Repetitions>()
            .map_err(|e| usage(format!("--reps: {e}")))?;
    }
    if let Some(b) = &a.budget {
        if exp.repetitions != Repetitions::Auto {
            return Err(usage("--budget applies only with --reps auto"));
        }
        exp.budget_s = Some(parse_duration("--budget", b)?.as_secs_f64());
    }
    if let Some(w) = a.warmups {
        exp.warmups = w;
    }
    exp.baseline = !a.no_baseline;
    exp.timeline = !a.no_timeline;
    if many_workers {
        let list = workers
            .iter()
            .map(|&w| to_u32("--workers", w))
            .collect::<Result<Vec<_>, _>>()?;
        exp.sweep = Some(Sweep::Workers(list));
    }
    if many_chunks {
        exp.sweep = Some(Sweep::ChunkSize(chunks.unwrap_or_default()));
    }
    if many_models {
        exp.sweep = Some(Sweep::Models(models));
    }
    Ok(exp.validate()?)
}

/// A spec file holds an experiment, or a whole result file (as `--format json` and the page export
/// it), whose experiment is then run again: results move from the browser to here and back.
fn spec_from_file(text: &str) -> Result<Experiment, CliError> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text)
        && map.contains_key("results")
        && let Some(exp) = map.get("experiment")
    {
        return Ok(Experiment::from_json(&exp.to_string())?);
    }
    Ok(Experiment::from_json(text)?)
}

fn read_spec(path: &Path) -> Result<String, CliError> {
    let read = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    };
    read.map_err(|e| usage(format!("cannot read spec {}: {e}", path.display())))
}
