//! Every shipped scenario runs green headless, and its JSON lines keep the
//! schema DESIGN.md promises.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sockscope::headless::{Format, run_file};

/// The shipped scenarios: the lessons, and the pairs made for `compare`.
fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios");
    let mut v: Vec<PathBuf> = [root.clone(), root.join("compare")]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "scenario"))
        .collect();
    v.sort();
    assert!(
        v.iter().filter(|p| p.parent().is_some_and(|d| d.ends_with("compare"))).count() >= 4,
        "two pairs"
    );
    v
}

fn check_line(v: &Value, file: &Path) {
    let o = v.as_object().unwrap_or_else(|| panic!("{}: not an object: {v}", file.display()));
    for key in ["seq", "t_us", "dur_us", "sock", "op", "arg", "mode", "outcome", "bytes", "errno"] {
        assert!(o.contains_key(key), "{}: missing {key} in {v}", file.display());
    }
    assert!(o["seq"].is_u64() && o["t_us"].is_u64(), "{v}");
    assert!(o["dur_us"].is_u64() || o["dur_us"].is_null(), "{v}");
    assert!(o["sock"].is_u64() || o["sock"] == "peer" || o["sock"] == "loop" || o["sock"].is_null(), "{v}");
    assert!(o["op"].is_string(), "{v}");
    let outcome = o["outcome"].as_str();
    if o["op"] == "say" {
        assert!(o["sock"].is_null() && o["text"].is_string(), "{v}");
        return;
    }
    let known = [
        "data",
        "eof",
        "sent",
        "partial",
        "wouldblock",
        "timeout",
        "inprogress",
        "accepted",
        "connected",
        "error",
        "ok",
        "blocking",
        "ready",
    ];
    assert!(outcome.is_some_and(|w| known.contains(&w)), "{}: bad outcome in {v}", file.display());
    match outcome {
        Some("wouldblock") => assert_eq!(o["errno"], "EAGAIN", "{v}"),
        Some("error") => assert!(o["errno"].as_str().is_some_and(|e| e.starts_with('E')), "{v}"),
        Some("accepted") => assert!(o["new_sock"].is_u64(), "{v}"),
        Some("data" | "sent" | "partial") => assert!(o["bytes"].is_u64(), "{v}"),
        Some("blocking") => assert!(o["dur_us"].is_null(), "{v}"),
        _ => {}
    }
}

#[test]
fn every_shipped_scenario_runs_green_with_valid_json() {
    let files = scenarios();
    assert!(files.len() >= 6, "at least six scenarios ship, found {}", files.len());
    let handles: Vec<_> = files
        .into_iter()
        .map(|f| {
            std::thread::spawn(move || {
                let (mut out, mut err) = (Vec::new(), Vec::new());
                let code = run_file(&f, Format::Json, &mut out, &mut err);
                let err = String::from_utf8_lossy(&err).into_owned();
                assert_eq!(code, 0, "{} failed:\n{err}", f.display());
                let text = String::from_utf8(out).expect("utf-8 output");
                let mut seqs = Vec::new();
                for line in text.lines() {
                    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
                    check_line(&v, &f);
                    seqs.push(v["seq"].as_u64().unwrap_or(0));
                }
                seqs.sort_unstable();
                let n = seqs.len();
                seqs.dedup();
                assert_eq!(seqs.len(), n, "{}: each call is exactly one line", f.display());
            })
        })
        .collect();
    for h in handles {
        h.join().expect("scenario thread");
    }
}
