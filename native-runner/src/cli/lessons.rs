//! `lessons`: the tutorials' claims run on this machine, each with its verdict in words.

use std::io::IsTerminal;

use engine::lesson::{self, LessonResult, Size};
use engine::model::{RunControl, RunEnv};
use serde::Serialize;

use super::args::{LessonFormat, LessonsArgs};
use super::{CliError, usage, write_out};
use crate::python::PythonError;

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
        ..crate::cli::host_env()
    };
    let talk = std::io::stderr().is_terminal();
    let mut done = Vec::new();
    for (i, l) in chosen.iter().enumerate() {
        if talk {
            eprintln!("[{}/{}] {}: {}", i + 1, chosen.len(), l.id, l.claim);
        }
        let r = lesson::run(l, size, machine.logical_cores, &env, &mut |_| {})?;
        done.push((*l, r));
    }
    if a.python {
        if talk {
            eprintln!("the same lessons in CPython:");
        }
        crate::python::run_beside(&mut done, size, machine.logical_cores, talk).map_err(
            |e| match e {
                PythonError::NotFound(_) => usage(format!("--python: {e}")),
                _ => CliError::Io(format!("--python: {e}")),
            },
        )?;
    }
    let done: Vec<LessonResult> = done
        .into_iter()
        .map(|(_, mut r)| {
            r.set_machine(&machine);
            r
        })
        .collect();
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
        LessonFormat::Table => table(&done, false, a.python),
        LessonFormat::Markdown => table(&done, true, a.python),
    };
    write_out(None, text.as_bytes())
}

/// One row per lesson: its id, verdict and sentence; with `python`, CPython's beside them.
fn table(done: &[LessonResult], markdown: bool, python: bool) -> String {
    let mut t = comfy_table::Table::new();
    if markdown {
        t.load_preset(comfy_table::presets::ASCII_MARKDOWN);
    } else {
        t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
        t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
        t.set_width(if python { 160 } else { 120 });
    }
    let mut header = vec!["lesson", "verdict", "what this machine showed"];
    if python {
        header.extend(["in CPython", "what CPython showed"]);
    }
    t.set_header(header);
    for r in done {
        let mut row = vec![
            r.id.clone(),
            r.verdict.name().to_string(),
            r.sentence.clone(),
        ];
        if python {
            match &r.cpython {
                Some(c) => row.extend([
                    c.verdict.name().to_string(),
                    format!("{} {}", c.sentence, c.beside)
                        .trim_end()
                        .to_string(),
                ]),
                None => row.extend(["-".into(), "no Python side".into()]),
            }
        }
        t.add_row(row);
    }
    format!("{t}\n")
}
