//! The layers of ARCHITECTURE.md, checked on the source: which module may
//! name which, and which may use a terminal crate. Test code (from a file's
//! `#[cfg(test)]` on) may reach further up, to drive a layer for real.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each unit and the units its non-test code may name as `crate::…`. A unit
/// is a top-level module, or a file or folder listed by its own path.
const ALLOWED: &[(&str, &[&str])] = &[
    ("escape", &[]),
    ("signals", &[]),
    ("sys", &[]),
    ("textfile", &["escape"]),
    ("command", &["escape"]),
    ("record", &["command", "escape", "signals", "sys"]),
    ("ops", &["command", "escape", "record", "sys"]),
    ("lab", &["command", "escape", "ops", "record", "sys"]),
    // `export python` writes text from commands alone; the `export` command
    // of the language runs it, so it sits below the executor.
    ("export/python.rs", &["command", "escape", "ops"]),
    ("export/learner", &["command", "escape", "ops", "record"]),
    ("exec", &["command", "escape", "export/learner", "export/python.rs", "lab", "ops", "record"]),
    ("trace", &["escape", "signals"]),
    // The bridge from the tracer's events to the record's, and a trace
    // behind a screen.
    ("traced", &["command", "escape", "record", "trace"]),
    ("headless", &["command", "escape", "exec", "record", "signals", "textfile"]),
    ("config", &["command", "escape", "textfile", "tui"]),
    (
        "tui",
        &[
            "command", "config", "escape", "exec", "lab", "ops", "record", "signals", "textfile", "trace",
            "traced",
        ],
    ),
    // A picture is drawn with the screen's formatting and colours, so the
    // two agree.
    ("export", &["command", "escape", "exec", "headless", "ops", "record", "signals", "textfile", "tui"]),
];

/// Units that must not draw: the engine and everything below it.
const NO_TERMINAL: &[&str] = &[
    "escape",
    "signals",
    "sys",
    "textfile",
    "command",
    "record",
    "ops",
    "lab",
    "export/python.rs",
    "export/learner",
    "exec",
    "trace",
    "traced",
    "headless",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The unit a file belongs to, or `None` for the crate root and binaries.
fn unit_of(rel: &str) -> Option<&'static str> {
    let listed = |u: &str| u.contains('/') && (u == rel || rel.starts_with(&format!("{u}/")));
    if let Some((unit, _)) = ALLOWED.iter().find(|(u, _)| listed(u)) {
        return Some(unit);
    }
    let top = rel.split('/').next()?.trim_end_matches(".rs");
    ALLOWED.iter().map(|(u, _)| *u).find(|u| *u == top)
}

/// The code before the file's tests.
fn non_test(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

/// Every `crate::name` in `code`, with `name` resolved to a unit (a listed
/// file when the path names it).
fn named_units(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let path: String =
            rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
        let mut parts = path.split("::");
        let top = parts.next().unwrap_or_default();
        let second = parts.next().unwrap_or_default();
        let (file, folder) = (format!("{top}/{second}.rs"), format!("{top}/{second}"));
        let unit = ALLOWED
            .iter()
            .map(|(u, _)| *u)
            .find(|u| *u == file || *u == folder)
            .map_or_else(|| top.to_string(), str::to_string);
        if !unit.is_empty() {
            out.insert(unit);
        }
    }
    out
}

#[test]
fn every_module_names_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 50, "the walk found the sources: {}", files.len());
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src").to_string_lossy().replace('\\', "/");
        let Some(unit) = unit_of(&rel) else { continue };
        let allowed = ALLOWED.iter().find(|(u, _)| *u == unit).map(|(_, a)| *a).unwrap_or_default();
        let text = std::fs::read_to_string(file).expect("read");
        let code = non_test(&text);
        checked += 1;
        for named in named_units(code) {
            let own = named == unit;
            if !own && !allowed.contains(&named.as_str()) {
                broken.push(format!("{rel} ({unit}) names crate::{named}"));
            }
        }
        if NO_TERMINAL.contains(&unit) && (code.contains("ratatui") || code.contains("crossterm")) {
            broken.push(format!("{rel} ({unit}) uses a terminal crate"));
        }
    }
    assert!(checked > 50, "files were checked: {checked}");
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn the_checker_sees_a_forbidden_name() {
    // The scan itself: a lab file naming the executor is caught.
    let units = named_units("use crate::exec::Executor;\nfn f() { crate::ops::describe(x) }");
    assert!(units.contains("exec") && units.contains("ops"), "{units:?}");
    assert!(named_units("crate::export::python::python_script").contains("export/python.rs"));
    assert!(named_units("crate::export::learner::intro").contains("export/learner"));
    assert_eq!(unit_of("export/learner/flow.rs"), Some("export/learner"));
    assert_eq!(unit_of("export/svg.rs"), Some("export"));
    assert_eq!(non_test("a\n#[cfg(test)]\nmod tests { crate::exec }"), "a\n");
}
