//! Real CPython beside our models: runs the lessons' Python side (`bench/python/lessons.py`,
//! built into this binary) in the machine's interpreter and judges what it measured with the
//! lessons' own predicates (`engine::lesson::Lesson::judge_cpython`).
//!
//! The interpreter is `$PYTHON` when set, else `python3` on the `PATH`. The scripts are written
//! to a fresh temporary folder and run from there as files, so `multiprocessing` can start its
//! workers by any method (fork, spawn or forkserver all import the main module by its path).

use std::io::Write;
use std::process::{Command, Stdio};

use engine::lesson::{self, Lesson, LessonResult, Size};

/// The lessons' Python side and the workload bodies it imports, as in `bench/python/`.
const SCRIPTS: [(&str, &str); 2] = [
    ("lessons.py", include_str!("../../bench/python/lessons.py")),
    (
        "equivalents.py",
        include_str!("../../bench/python/equivalents.py"),
    ),
];

/// Why CPython's side could not run.
#[derive(Debug, thiserror::Error)]
pub enum PythonError {
    #[error("no Python interpreter '{0}' was found (install python3, or set PYTHON to one)")]
    NotFound(String),
    #[error("'{program}' failed ({status}): {tail}")]
    Failed {
        program: String,
        status: String,
        tail: String,
    },
    #[error("the Python side answered something unreadable: {0}")]
    BadReport(String),
    #[error("{0}")]
    Io(String),
}

/// The interpreter to run: `$PYTHON`, else `python3`.
pub fn interpreter() -> String {
    std::env::var("PYTHON")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "python3".into())
}

/// Runs `lessons` (each with our result) in CPython at `size` on a machine with `cores` logical
/// cores, and sets each verdict beside ours in `LessonResult::cpython`. Lessons without a
/// Python side are left as they are. `progress`: let the script's progress lines through to
/// this process's stderr.
pub fn run_beside(
    lessons: &mut [(&'static Lesson, LessonResult)],
    size: Size,
    cores: u32,
    progress: bool,
) -> Result<(), PythonError> {
    let planned: Vec<(usize, Vec<engine::Experiment>)> = lessons
        .iter()
        .enumerate()
        .filter_map(|(i, (l, _))| Some((i, l.cpython_experiments(size, cores)?)))
        .collect();
    if planned.is_empty() {
        return Ok(());
    }
    let request = lesson::request(
        planned
            .iter()
            .map(|(i, exps)| (lessons[*i].0, exps.clone())),
    );
    let report = run_script(&request, progress)?;
    let interpreter = report.interpreter();
    for (i, exps) in planned {
        let (l, ours) = &mut lessons[i];
        let answer = report
            .lessons
            .iter()
            .find(|r| r.id == l.id)
            .ok_or_else(|| {
                PythonError::BadReport(format!("it gave no answer for lesson {}", l.id))
            })?;
        ours.cpython = Some(l.judge_cpython(exps, answer, &interpreter, ours, cores));
    }
    Ok(())
}

/// Runs `lessons.py` with `request` on stdin and reads its report from stdout.
fn run_script(request: &lesson::Request, progress: bool) -> Result<lesson::Report, PythonError> {
    let io = |what: &str, e: std::io::Error| PythonError::Io(format!("{what}: {e}"));
    let dir = tempfile::tempdir().map_err(|e| io("a folder for the Python side", e))?;
    for (name, text) in SCRIPTS {
        std::fs::write(dir.path().join(name), text).map_err(|e| io(name, e))?;
    }
    let program = interpreter();
    let mut child = Command::new(&program)
        .arg(dir.path().join("lessons.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(if progress {
            Stdio::inherit()
        } else {
            Stdio::piped()
        })
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => PythonError::NotFound(program.clone()),
            _ => io(&program, e),
        })?;
    let body = serde_json::to_vec(request).expect("the request serializes");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(&body)
        .map_err(|e| io("writing the request", e))?;
    let out = child
        .wait_with_output()
        .map_err(|e| io("waiting for the Python side", e))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .to_string();
        return Err(PythonError::Failed {
            program,
            status: out.status.to_string(),
            tail,
        });
    }
    serde_json::from_slice(&out.stdout).map_err(|e| PythonError::BadReport(e.to_string()))
}
