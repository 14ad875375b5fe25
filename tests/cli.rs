//! The command line: help (snapshot), completions, the man page, `export`,
//! `--log` and `--record` for `run`, and clap's errors (exit 2).

use std::process::{Command, Output};

fn sockscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sockscope")).args(args).output().expect("run sockscope")
}

fn scenario(name: &str) -> String {
    format!("{}/assets/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn temp(name: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("sockscope-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

#[test]
fn help_lists_the_subcommands_and_examples() {
    let out = sockscope(&["--help"]);
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8(out.stdout).expect("utf-8"));
}

#[test]
fn version_prints_the_version() {
    let out = sockscope(&["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("sockscope {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_and_the_man_page_generate() {
    for shell in ["bash", "zsh", "fish"] {
        let out = sockscope(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("sockscope") && text.contains("replay"), "{shell}: {text}");
    }
    let man = sockscope(&["man"]);
    assert!(man.status.success());
    let text = String::from_utf8_lossy(&man.stdout);
    assert!(text.starts_with(".ie") || text.contains(".TH sockscope"), "{text}");
    for part in [".SH KEYS", ".SH COMMAND LANGUAGE", ".SH THEMES", "high\\-contrast", "config.toml", ":quit"]
    {
        assert!(text.contains(part), "the man page lacks {part}");
    }
}

#[test]
fn a_bad_theme_is_a_clap_error_naming_the_themes() {
    let out = sockscope(&["--theme", "neon"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("default") && err.contains("high-contrast") && err.contains("mono"), "{err}");
}

#[test]
fn export_python_prints_a_script_and_rejects_a_bad_one() {
    let out = sockscope(&["export", "python", &scenario("02-nonblocking-wouldblock.scenario")]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.starts_with("#!/usr/bin/env python3"), "{}", &text[..80.min(text.len())]);
    assert!(text.contains("import socket"));

    let bad = temp("bad.scenario");
    std::fs::write(&bad, "open tcp\nrecv 0\n").expect("write");
    let out = sockscope(&["export", "python", bad.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.scenario:2:6:"), "{out:?}");
    let _ = std::fs::remove_file(&bad);
}

#[test]
fn run_logs_to_a_file_only_and_records() {
    let log = temp("run.log");
    let rec = temp("run.jsonl");
    let out = sockscope(&[
        "run",
        &scenario("02-nonblocking-wouldblock.scenario"),
        "--log",
        log.to_str().expect("path"),
        "--record",
        rec.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "nothing is logged to the terminal: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let logged = std::fs::read_to_string(&log).expect("the log exists");
    assert!(logged.contains("call ends") && logged.contains("wouldblock"), "{logged}");
    let recorded = sockscope::record::file::read(&rec).expect("the recording reads back");
    assert!(recorded.len() > 5);
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&rec);
}

#[test]
fn bad_arguments_are_clap_errors_with_exit_2() {
    for args in [&["run"][..], &["frobnicate"], &["export", "cobol", "x"], &["--history", "many"]] {
        let out = sockscope(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("error:"), "{args:?}");
    }
}
