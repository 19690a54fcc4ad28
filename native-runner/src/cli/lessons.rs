//! `lessons`: the tutorials' claims run on this machine, each with its verdict in words.

use std::io::IsTerminal;

use engine::lesson::{self, LessonResult, Size};
use engine::model::{RunControl, RunEnv};
use serde::Serialize;

use super::args::{LessonFormat, LessonsArgs};
use super::run::worker_program;
use super::{CliError, usage, write_out};

/// What `lessons --format json` prints.
#[derive(Serialize)]
struct Report<'a> {
    machine: &'a engine::MachineInfo,
    lessons: &'a [LessonResult],
}

pub(super) fn lessons(a: &LessonsArgs) -> Result<(), CliError> {
    let chosen: Vec<&'static engine::lesson::Lesson> = if a.id.is_empty() {
        lesson::all().iter().collect()
    } else {
        a.id.iter()
            .map(|id| {
                lesson::find(id).ok_or_else(|| {
                    usage(format!(
                        "--id {id}: no such lesson (one of: {})",
                        lesson::all()
                            .iter()
                            .map(|l| l.id)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })
            })
            .collect::<Result<_, _>>()?
    };
    let size = if a.quick { Size::Quick } else { Size::Full };
    let machine = crate::machine::detect();
    let env = RunEnv {
        control: RunControl::default(),
        worker_program: worker_program(),
    };
    let talk = std::io::stderr().is_terminal();
    let mut done = Vec::new();
    for (i, l) in chosen.iter().enumerate() {
        if talk {
            eprintln!("[{}/{}] {}: {}", i + 1, chosen.len(), l.id, l.claim);
        }
        let mut r = lesson::run(l, size, machine.logical_cores, &env, &mut |_| {})?;
        for set in &mut r.results {
            set.set_machine(machine.clone());
        }
        done.push(r);
    }
    let text = match a.format {
        LessonFormat::Json => {
            let mut s = serde_json::to_string_pretty(&Report {
                machine: &machine,
                lessons: &done,
            })
            .expect("lessons serialize");
            s.push('\n');
            s
        }
        LessonFormat::Table => table(&done, false),
        LessonFormat::Markdown => table(&done, true),
    };
    write_out(None, text.as_bytes())
}

/// One row per lesson: its id, verdict and sentence.
fn table(done: &[LessonResult], markdown: bool) -> String {
    let mut t = comfy_table::Table::new();
    if markdown {
        t.load_preset(comfy_table::presets::ASCII_MARKDOWN);
    } else {
        t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
        t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
        t.set_width(120);
    }
    t.set_header(["lesson", "verdict", "what this machine showed"]);
    for r in done {
        t.add_row([r.id.as_str(), r.verdict.name(), r.sentence.as_str()]);
    }
    format!("{t}\n")
}
