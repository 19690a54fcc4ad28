//! The share-link form of a program and a schedule, kept here so the page and any other host
//! write and read the same fragment.

use super::{ExploreError, Program};
use crate::limits::MAX_LINK_CHARS;

/// A program with a schedule (possibly partial), as a page shares it:
/// `explore=counter&threads=2&increments=1&sync=none&schedule=0.1.0.1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub program: Program,
    /// The threads that stepped, in order; every step was enabled when taken.
    pub schedule: Vec<usize>,
}

impl Link {
    /// The URL fragment (without `#`). Every option that applies is written, so a link keeps
    /// meaning the same program even if a default changes.
    pub fn to_fragment(&self) -> String {
        let p = &self.program;
        let mut out = format!("explore={}&threads={}", p.kind, p.threads);
        if let Some(k) = p.increments {
            out += &format!("&increments={k}");
        }
        if let Some(sync) = p.sync {
            out += &format!("&sync={sync}");
        }
        if let Some(order) = p.order {
            out += &format!("&order={order}");
        }
        let steps: Vec<String> = self.schedule.iter().map(usize::to_string).collect();
        out + "&schedule=" + &steps.join(".")
    }

    /// Reads a fragment (a leading `#` is allowed), checking the program as [`Program::new`]
    /// does and that the schedule replays: each step enabled when taken.
    pub fn parse(fragment: &str) -> Result<Link, ExploreError> {
        let bad = |why: String| ExploreError::BadLink(why);
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        if fragment.len() > MAX_LINK_CHARS {
            return Err(bad(format!(
                "it is {} characters long; the limit is {MAX_LINK_CHARS}",
                fragment.len()
            )));
        }
        let (mut kind, mut threads, mut increments, mut sync, mut order, mut schedule) =
            (None, None, None, None, None, None);
        for pair in fragment.split('&') {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| bad(format!("'{pair}' is not key=value")))?;
            let fresh = match key {
                "explore" => kind.replace(value.parse()?).is_none(),
                "threads" => threads
                    .replace(
                        value
                            .parse::<usize>()
                            .map_err(|_| bad(format!("threads '{value}' is not a number")))?,
                    )
                    .is_none(),
                "increments" => increments
                    .replace(
                        value
                            .parse::<u32>()
                            .map_err(|_| bad(format!("increments '{value}' is not a number")))?,
                    )
                    .is_none(),
                "sync" => sync.replace(value.parse()?).is_none(),
                "order" => order.replace(value.parse()?).is_none(),
                "schedule" => schedule.replace(parse_schedule(value)?).is_none(),
                _ => return Err(bad(format!("unknown key '{key}'"))),
            };
            if !fresh {
                return Err(bad(format!("'{key}' is given twice")));
            }
        }
        let kind = kind.ok_or_else(|| bad("it names no program (explore=...)".to_string()))?;
        let threads = threads.ok_or_else(|| bad("it gives no threads".to_string()))?;
        let program = Program::new(kind, threads, increments, sync, order)?;
        let schedule = schedule.unwrap_or_default();
        program.replay(&schedule)?;
        Ok(Link { program, schedule })
    }
}

fn parse_schedule(value: &str) -> Result<Vec<usize>, ExploreError> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    value
        .split('.')
        .map(|t| {
            t.parse::<usize>()
                .map_err(|_| ExploreError::BadLink(format!("schedule step '{t}' is not a thread")))
        })
        .collect()
}
