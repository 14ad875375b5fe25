//! Shared by the export tests: running the real binary, the shipped
//! scenarios, temp files, reading a parsed document's text, and reading
//! exported scripts' output beside `run --json` ([`learner`]).

#![allow(dead_code)]

pub mod learner;

use std::path::PathBuf;
use std::process::{Command, Output};

pub fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios").join(name)
}

/// A temp file of this test binary's own (removed first).
pub fn temp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("sockscope-export-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

pub fn sockscope(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sockscope")).args(args).output().expect("run sockscope")
}

/// `sockscope export FORMAT FILE EXTRA…`, which must succeed; its stdout.
pub fn export(format: &str, file: &std::path::Path, extra: &[&str]) -> String {
    let mut args: Vec<&std::ffi::OsStr> = vec!["export".as_ref(), format.as_ref(), file.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let out = sockscope(&args);
    assert!(out.status.success(), "{format} {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Every `<text>` element's text, in document order.
pub fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect::<String>())
        .collect()
}

/// The first character no output may hold raw: a control (but a newline),
/// or anything sockscope's escaping rule shows escaped.
pub fn raw_unsafe(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| c != '\n' && sockscope::escape::is_unsafe(c))
}

/// A script with a hostile narration line and a hostile payload.
pub fn hostile_scenario(name: &str) -> PathBuf {
    let path = temp(name);
    let say =
        "say <script>alert(1)</script> & 'q' \"dq\" \x1b]0;pwned\x07 \u{9b}2J \u{202e}rev \u{2028} ]]>\n";
    let script = format!("open tcp\n{say}peer send \"\\x1b[2J<b>&amp;\\x00\\xff]]>\"\nrecv\nexpect data\n");
    std::fs::write(&path, script).expect("write the script");
    path
}
