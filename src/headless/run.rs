//! Runs a script to the end and prints events as they finish.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{json_line, table::HEADER, table_line};
use crate::command::parse_script;
use crate::lab::exec::{Executor, FailureKind, Tick};
use crate::lab::{Call, Lab, LabEvent, record};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}

/// Exit codes, as DESIGN.md specifies.
pub const OK: i32 = 0;
pub const FAILED: i32 = 1;
pub const INVALID: i32 = 2;

/// How to run: the output format, and where to record events (`--record`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub format: Format,
    pub record: Option<PathBuf>,
}

/// Reads and runs a script file. Returns the exit code.
pub fn run_file(path: &Path, format: Format, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    run_file_with(path, &Options { format, record: None }, out, err)
}

/// [`run_file`] with every option.
pub fn run_file_with(path: &Path, opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if let Some(rec) = &opts.record
        && let Err(e) = record::check_not_input(rec, path)
    {
        let _ = writeln!(err, "{e}");
        return FAILED;
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => run_script_with(&path.display().to_string(), &text, opts, out, err),
            Err(e) => {
                let _ = writeln!(
                    err,
                    "{}: not UTF-8 text (byte {})",
                    path.display(),
                    e.utf8_error().valid_up_to()
                );
                INVALID
            }
        },
        Err(e) => {
            let _ = writeln!(err, "{}: {e}", path.display());
            INVALID
        }
    }
}

/// Runs a script's text; `name` is used in `name:line` messages.
pub fn run_script(name: &str, text: &str, format: Format, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    run_script_with(name, text, &Options { format, record: None }, out, err)
}

/// [`run_script`] with every option.
pub fn run_script_with(
    name: &str,
    text: &str,
    opts: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let format = opts.format;
    let script = match parse_script(text) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                let _ = writeln!(err, "{name}:{e}");
            }
            return INVALID;
        }
    };
    let mut lab = match Lab::new() {
        Ok(lab) => lab,
        Err(e) => {
            let _ = writeln!(err, "{name}: cannot start: {e}");
            return FAILED;
        }
    };
    if let Some(path) = &opts.record
        && let Err(e) = lab.record_to(path)
    {
        let _ = writeln!(err, "{}: cannot record: {e}", path.display());
        return FAILED;
    }
    let mut exec = Executor::new();
    for cmd in script {
        exec.push(cmd);
    }
    let print = |c: &Call, out: &mut dyn Write| {
        let line = match format {
            Format::Table => table_line(c),
            Format::Json => json_line(c),
        };
        let _ = writeln!(out, "{line}");
    };
    if format == Format::Table {
        let _ = writeln!(out, "{HEADER}");
    }
    let code = loop {
        let tick = exec.tick(&mut lab);
        flush(&mut lab, out, err, &print);
        match tick {
            Ok(Tick::Idle) => break OK,
            Ok(Tick::Busy(until)) => {
                lab.wait_event(until);
            }
            Err(f) => {
                let what = match f.kind {
                    FailureKind::Expect => "expect failed",
                    FailureKind::Command => "error",
                };
                let _ = writeln!(err, "{name}:{}: {what}: {}", f.line, f.message);
                break FAILED;
            }
        }
    };
    // Anything that finished in the last instant (a worker may be between
    // its syscall's return and its event), then what is still blocking.
    settle_quiet(&mut lab);
    flush(&mut lab, out, err, &print);
    let mut blocking: Vec<&Call> = lab.timeline().blocking().filter_map(|i| lab.timeline().get(i)).collect();
    blocking.sort_by_key(|c| c.seq);
    for c in blocking {
        print(c, out);
    }
    let _ = out.flush();
    // The fault was printed when it happened; the exit code must say it too.
    if lab.record_failure().is_some() { code.max(FAILED) } else { code }
}

/// Prints each call that has ended since the last flush.
fn flush(lab: &mut Lab, out: &mut dyn Write, err: &mut dyn Write, print: &dyn Fn(&Call, &mut dyn Write)) {
    for ev in lab.take_fresh() {
        match ev {
            LabEvent::Instant(c) => print(&c, out),
            LabEvent::End(e) => {
                if let Some(c) = lab.timeline().find(e.seq) {
                    print(c, out);
                }
            }
            LabEvent::Fault(msg) => {
                let _ = writeln!(err, "fault: {msg}");
            }
            LabEvent::Warning(msg) => {
                let _ = writeln!(err, "warning: {msg}");
            }
            _ => {}
        }
    }
}

/// Waits until no event has arrived for [`QUIET`], at most [`QUIET_CAP`].
fn settle_quiet(lab: &mut Lab) {
    let cap = Instant::now() + QUIET_CAP;
    while Instant::now() < cap && lab.wait_event((Instant::now() + QUIET).min(cap)) {}
}

/// How long the lab must stay silent before the run is over.
const QUIET: Duration = Duration::from_millis(10);
/// The most the end of a run waits for that silence.
const QUIET_CAP: Duration = Duration::from_millis(100);
