//! `explore`: every schedule of a small concurrent program counted by outcome, with the shortest
//! schedule to each outcome told step by step. The semantics and the counting are the engine's
//! (`engine::explore`); this only reads the flags and prints.

use engine::explore::{self, Exploration, Program, Status};

use super::args::{ExploreArgs, InfoFormat};
use super::{CliError, write_out};

pub(super) fn explore(a: &ExploreArgs) -> Result<(), CliError> {
    let program = Program::new(
        a.program.parse()?,
        a.threads,
        a.increments,
        a.sync.as_deref().map(str::parse).transpose()?,
        a.order.as_deref().map(str::parse).transpose()?,
    )?;
    let exploration = explore::explore(&program)?;
    let text = match a.format {
        InfoFormat::Json => {
            let mut s = serde_json::to_string_pretty(&exploration).expect("explorations serialize");
            s.push('\n');
            s
        }
        InfoFormat::Table => table(&program, &exploration)?,
    };
    write_out(None, text.as_bytes())
}

/// The summary in words: the count, then each outcome with its share and its witness, one step
/// per line with what the step changed.
fn table(program: &Program, e: &Exploration) -> Result<String, CliError> {
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let mut out = format!(
        "{program}: {} schedule{}\n",
        explore::thousands(u128::from(e.schedules)),
        plural(e.schedules)
    );
    // Final values in numeric order (the map's order is by string: "10" before "2").
    let mut outcomes: Vec<(&String, &u64)> = e.outcomes.iter().collect();
    outcomes.sort_by_key(|(k, _)| (k.parse::<u64>().ok(), (*k).clone()));
    for (outcome, &count) in outcomes {
        let label = if outcome.parse::<u64>().is_ok() {
            format!("x = {outcome}")
        } else {
            outcome.clone()
        };
        out += &format!(
            "\n{label}: {} schedule{} ({:.1}%)\n",
            explore::thousands(u128::from(count)),
            plural(count),
            100.0 * count as f64 / e.schedules as f64
        );
        let witness = &e.witnesses[outcome];
        if witness.is_empty() {
            out += "  no thread can take a first step\n";
        } else {
            out += &format!("  shortest, {} steps:\n", witness.len());
            for line in program.narrate(witness)? {
                out += &format!("    {line}\n");
            }
        }
        let end = program
            .replay(witness)?
            .pop()
            .expect("replay starts non-empty");
        if program.status(&end) == Status::Deadlocked {
            for t in 0..program.threads() {
                if let Some(why) = program.blocked(&end, t) {
                    out += &format!("  T{t} waits: {why}\n");
                }
            }
        }
    }
    Ok(out)
}
