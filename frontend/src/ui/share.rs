//! Share links: the experiment (and, if the sender chose, their results) in the URL fragment.
//!
//! `#x=<experiment>` is the engine's link form; `&r=<results>` carries the sender's results with
//! the per-task records left out (a timeline is too big for a link), packed the same way.

use engine::link::{self, pack};
use engine::{Experiment, LinkError, ResultSet};

/// Results without per-task records, for a link.
pub fn without_tasks(results: &ResultSet) -> ResultSet {
    let mut r = results.clone();
    for m in &mut r.results {
        m.tasks.clear();
    }
    if let Some(s) = r.partial.as_mut().and_then(|p| p.stopped.as_mut()) {
        s.tasks.clear();
    }
    r
}

/// The fragment for an experiment, optionally with results.
pub fn fragment(exp: &Experiment, results: Option<&ResultSet>) -> String {
    let mut f = link::fragment(exp);
    if let Some(r) = results {
        f.push_str("&r=");
        f.push_str(&pack(&without_tasks(r)));
    }
    f
}

/// What a location's fragment carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Shared {
    pub experiment: Experiment,
    pub results: Option<ResultSet>,
}

/// Reads a fragment (with or without `#`). `Ok(None)` when it carries no experiment at all.
pub fn parse(hash: &str) -> Result<Option<Shared>, LinkError> {
    let hash = hash.trim_start_matches('#');
    if hash.is_empty() {
        return Ok(None);
    }
    let with_hash = format!("#{hash}");
    let experiment = link::decode(&with_hash)?;
    let results = link::decode_results(&with_hash)?;
    Ok(Some(Shared {
        experiment,
        results,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::{ModelKind, WorkloadKind};

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn experiment_round_trips_through_a_fragment() {
        let mut exp = Experiment::new(WorkloadKind::Sleep, ModelKind::Gil, 3);
        exp.workload.n = 17;
        let exp = exp.validate().unwrap();
        let f = fragment(&exp, None);
        assert!(f.starts_with("#x="));
        assert_eq!(
            parse(&f).unwrap().unwrap(),
            Shared {
                experiment: exp,
                results: None
            }
        );
        assert_eq!(parse("").unwrap(), None);
        assert!(parse("#x=!!!").is_err());
    }
}
