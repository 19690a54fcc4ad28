//! Facts that several files state because some of them cannot import the others: the page's
//! security headers (index.html, Trunk.toml, `native-runner serve`, the e2e server, the service
//! worker) and the tool versions (scripts/toolchain.env, which the scripts source, and the
//! manifests and READMEs that must repeat them). Each copy is read here at test time, so a fact
//! changed in one place and not the others fails the build instead of a browser run later.

use std::collections::BTreeMap;
use std::path::Path;

use native_runner::serve::{
    CONTENT_SECURITY_POLICY, CROSS_ORIGIN_EMBEDDER_POLICY, CROSS_ORIGIN_OPENER_POLICY,
};

/// A file of the repository, by its path from the repository root.
fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The text between `start` and the next `end` in `text`, where `start` occurs exactly once: a
/// second occurrence would be a second copy that this check would not see.
fn between<'a>(text: &'a str, start: &str, end: &str, file: &str) -> &'a str {
    let found: Vec<_> = text.match_indices(start).collect();
    assert_eq!(found.len(), 1, "{file}: {start:?} should occur once");
    let rest = &text[found[0].0 + start.len()..];
    &rest[..rest
        .find(end)
        .unwrap_or_else(|| panic!("{file}: no {end:?} after {start:?}"))]
}

/// A response header as Trunk.toml's `[serve] headers` table sets it (`"Name" = "value"`; none of
/// the values holds a double quote, so no TOML parser is needed).
fn trunk_header(name: &str) -> String {
    let trunk = read("Trunk.toml");
    between(&trunk, &format!("\"{name}\" = \""), "\"", "Trunk.toml").to_string()
}

/// scripts/toolchain.env: `KEY=value` lines, comments and blank lines skipped.
fn toolchain() -> BTreeMap<String, String> {
    read("scripts/toolchain.env")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l
                .split_once('=')
                .unwrap_or_else(|| panic!("toolchain.env: {l:?} is not KEY=value"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn pin(pins: &BTreeMap<String, String>, key: &str) -> String {
    pins.get(key)
        .unwrap_or_else(|| panic!("toolchain.env lacks {key}"))
        .clone()
}

#[test]
fn content_security_policy_is_the_same_in_the_page_trunk_and_serve() {
    let page = read("index.html");
    let meta = between(
        &page,
        r#"<meta http-equiv="Content-Security-Policy" content=""#,
        "\"",
        "index.html",
    );
    assert_eq!(meta, CONTENT_SECURITY_POLICY, "index.html's meta tag");
    assert_eq!(
        trunk_header("Content-Security-Policy"),
        CONTENT_SECURITY_POLICY,
        "Trunk.toml [serve] headers"
    );
}

#[test]
fn cross_origin_isolation_headers_are_the_same_wherever_they_are_sent() {
    for (name, value) in [
        ("Cross-Origin-Opener-Policy", CROSS_ORIGIN_OPENER_POLICY),
        ("Cross-Origin-Embedder-Policy", CROSS_ORIGIN_EMBEDDER_POLICY),
    ] {
        assert_eq!(trunk_header(name), value, "Trunk.toml: {name}");
        let sw = read("static/sw.js");
        let in_sw = between(
            &sw,
            &format!("headers.set('{name}', '"),
            "'",
            "static/sw.js",
        );
        assert_eq!(in_sw, value, "static/sw.js: {name}");
        let py = read("tests/e2e/serve.py");
        let in_py = between(
            &py,
            &format!("self.send_header(\"{name}\", \""),
            "\"",
            "tests/e2e/serve.py",
        );
        assert_eq!(in_py, value, "tests/e2e/serve.py: {name}");
    }
}

/// The manifests that must repeat a pinned version (Cargo and Trunk cannot source a shell file)
/// repeat the one in scripts/toolchain.env.
#[test]
fn pinned_versions_in_manifests_equal_toolchain_env() {
    let pins = toolchain();
    let bindgen = pin(&pins, "WASM_BINDGEN_VERSION");
    let wasm_opt = pin(&pins, "WASM_OPT_VERSION");
    let frontend = read("frontend/Cargo.toml");
    assert_eq!(
        between(&frontend, "wasm-bindgen = \"", "\"", "frontend/Cargo.toml"),
        format!("={bindgen}"),
        "frontend/Cargo.toml pins wasm-bindgen exactly, to wasm-bindgen-cli's version"
    );
    let trunk = read("Trunk.toml");
    assert_eq!(
        between(&trunk, "wasm_bindgen = \"", "\"", "Trunk.toml"),
        bindgen
    );
    assert_eq!(
        between(&trunk, "wasm_opt = \"version_", "\"", "Trunk.toml"),
        wasm_opt
    );
    let npm = read("package.json");
    let binaryen = between(&npm, "\"binaryen\": \"", "\"", "package.json");
    assert_eq!(
        binaryen.split('.').next(),
        Some(wasm_opt.as_str()),
        "package.json binaryen {binaryen}"
    );
}

/// The scripts source the pins instead of repeating them, and the READMEs that quote them quote
/// the current ones.
#[test]
fn scripts_and_readmes_do_not_keep_their_own_versions() {
    let pins = toolchain();
    let nightly = pin(&pins, "NIGHTLY");
    let copies: Vec<String> = [
        "NIGHTLY",
        "TRUNK_VERSION",
        "WASM_BINDGEN_VERSION",
        "CARGO_FUZZ_VERSION",
    ]
    .iter()
    .map(|k| pin(&pins, k))
    .collect();
    for script in [
        "scripts/setup-web.sh",
        "scripts/build-threads.sh",
        "scripts/playground.sh",
        "tests/run-all.sh",
        ".ci/run",
    ] {
        let text = read(script);
        for version in &copies {
            assert!(
                !text.contains(version.as_str()),
                "{script} repeats {version}: source scripts/toolchain.env instead"
            );
        }
        // Any nightly a script names comes from the file, so a new pin needs no script edit.
        assert!(!text.contains("nightly-20"), "{script} names a nightly");
    }
    for readme in ["README.md", "fuzz/README.md"] {
        let text = read(readme);
        let dates: Vec<&str> = text
            .match_indices("nightly-20")
            .map(|(i, _)| &text[i..(i + nightly.len()).min(text.len())])
            .collect();
        assert!(!dates.is_empty(), "{readme} no longer names the nightly");
        for date in dates {
            assert_eq!(date, nightly, "{readme}");
        }
    }
    let readme = read("README.md");
    for quoted in [
        format!("trunk {}", pin(&pins, "TRUNK_VERSION")),
        format!("({})", pin(&pins, "WASM_BINDGEN_VERSION")),
    ] {
        assert!(readme.contains(&quoted), "README.md should say {quoted}");
    }
}

/// clap's help is a doc comment, which cannot quote a constant: the default it names must be
/// engine::limits' default.
#[test]
fn run_help_quotes_the_default_switch_interval() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_native-runner"))
        .args(["run", "--help"])
        .output()
        .expect("native-runner runs");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    let quoted = format!(
        "default {}, like sys.getswitchinterval()",
        engine::limits::DEFAULT_SWITCH_INTERVAL_MS
    );
    assert!(
        help.contains(&quoted),
        "run --help lacks {quoted:?}:\n{help}"
    );
}
