//! Each fact about a model or a workload lives in one place: its descriptor, next to its code.
//! The check: outside test code, at most three source files name any one model or workload (the
//! table from kind to descriptor, and at most two places that genuinely single it out, such as
//! the performance suite's choice of lessons). `sequential`, the baseline every other model is
//! measured against, is excepted. Adding a model or a workload is then the three edits that
//! `engine/src/model/README.md` and `engine/src/workload/README.md` list.

use std::path::{Path, PathBuf};

use engine::{ModelKind, WorkloadKind};

const ROOTS: [&str; 4] = [
    "engine/src",
    "native-runner/src",
    "frontend/src",
    "xtask/src",
];
const MOST_FILES: usize = 3;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's text without its test module (by convention the last item of a file).
fn non_test(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

/// Whether `text` names `path` as a whole word (`ModelKind::Gil`, not `ModelKind::GilThreads`).
fn names(text: &str, path: &str) -> bool {
    text.match_indices(path).any(|(at, _)| {
        !text[at + path.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The Rust variant of a kebab-case name: `thread-per-task` is `ThreadPerTask`.
fn variant(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn files_naming(sources: &[(PathBuf, String)], path: &str) -> Vec<String> {
    sources
        .iter()
        .filter(|(_, text)| names(non_test(text), path))
        .map(|(file, _)| file.display().to_string())
        .collect()
}

#[test]
fn each_model_and_workload_is_named_in_at_most_three_source_files() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for root in ROOTS {
        rust_files(&repo.join(root), &mut files);
    }
    let sources: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("a readable source file");
            (f.strip_prefix(&repo).unwrap_or(&f).to_path_buf(), text)
        })
        .collect();
    let mut paths: Vec<String> = ModelKind::ALL
        .iter()
        .filter(|&&m| m != ModelKind::Sequential)
        .map(|m| format!("ModelKind::{}", variant(m.name())))
        .collect();
    paths.extend(
        WorkloadKind::ALL
            .iter()
            .map(|w| format!("WorkloadKind::{}", variant(w.name()))),
    );
    let mut too_many = Vec::new();
    for path in &paths {
        let found = files_naming(&sources, path);
        assert!(
            !found.is_empty(),
            "{path} is named nowhere: is `variant` right?"
        );
        if found.len() > MOST_FILES {
            too_many.push(format!("{path}: {}", found.join(", ")));
        }
    }
    assert!(
        too_many.is_empty(),
        "named in more than {MOST_FILES} source files:\n{}",
        too_many.join("\n")
    );
}

#[test]
fn the_check_reads_names_as_whole_words() {
    assert!(names("x == ModelKind::Gil {", "ModelKind::Gil"));
    assert!(!names("GilThreads; ModelKind::Gilded", "ModelKind::Gil"));
    assert_eq!(variant("thread-per-task"), "ThreadPerTask");
    assert_eq!(variant("n-body"), "NBody");
    assert_eq!(non_test("a\n#[cfg(test)]\nmod tests { b }"), "a\n");
}
