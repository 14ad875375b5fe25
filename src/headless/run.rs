//! Runs a script to the end and prints events as they finish.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use crossbeam_channel::{Receiver, never};

use super::drive::{Ended, drive, failure_line};
use super::{json_line, table::HEADER, table_line};
use crate::command::parse_script;
use crate::escape;
use crate::exec::{Executor, Session};
use crate::record::{Call, Event, Timeline};

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
    run_file_until(path, opts, &never(), out, err)
}

/// [`run_file_with`], ended early by a signal's number arriving on `stop`:
/// the events so far and the calls still blocking are printed, the lab is
/// dropped, and the exit code is 128 + N.
pub fn run_file_until(
    path: &Path,
    opts: &Options,
    stop: &Receiver<i32>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    if let Some(rec) = &opts.record
        && let Err(e) = crate::record::file::check_not_input(rec, path)
    {
        let _ = writeln!(err, "{e}");
        return FAILED;
    }
    let name = escape::path(path);
    match crate::textfile::read(path) {
        Ok(text) => run_script_until(&name, &text, opts, stop, out, err),
        Err(e) => {
            let _ = writeln!(err, "{}", e.show(&name));
            INVALID
        }
    }
}

/// Runs a script's text; `name` is used (escaped) in `name:line` messages.
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
    run_script_until(name, text, opts, &never(), out, err)
}

/// [`run_script_with`], ended early by `stop` (see [`run_file_until`]).
pub fn run_script_until(
    name: &str,
    text: &str,
    opts: &Options,
    stop: &Receiver<i32>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let name = &escape::text(name);
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
    let mut lab = match Session::start() {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "{name}: cannot start: {e}");
            return FAILED;
        }
    };
    if let Some(path) = &opts.record
        && let Err(e) = lab.record_to(path)
    {
        let _ = writeln!(err, "{}: cannot record: {}", escape::path(path), escape::text(&e.to_string()));
        return FAILED;
    }
    let mut exec = Executor::new();
    for cmd in script {
        exec.push(cmd);
    }
    let mut rows = Rows::new(format);
    if format == Format::Table {
        let _ = writeln!(out, "{HEADER}");
    }
    let code = match drive(&mut lab, &mut exec, stop, |lab| flush(lab, out, err, &mut rows)) {
        Ended::Done => OK,
        Ended::Failed(f) => {
            let _ = writeln!(err, "{}", failure_line(name, &f));
            FAILED
        }
        Ended::Stopped(sig) => stopped(name, sig, err),
    };
    flush(&mut lab, out, err, &mut rows);
    rows.finish(lab.record().timeline(), out);
    let _ = out.flush();
    // The fault was printed when it happened; the exit code must say it too.
    if lab.record_failure().is_some() { code.max(FAILED) } else { code }
}

/// A signal ended the run. A closed pipe (SIGPIPE) ends it quietly: nobody
/// is reading.
fn stopped(name: &str, sig: i32, err: &mut dyn Write) -> i32 {
    if sig != signal_hook::consts::SIGPIPE {
        let what = crate::signals::name(sig);
        let _ = writeln!(err, "{name}: stopped by {what}");
    }
    crate::signals::exit_code(sig)
}

/// Prints each call that has ended since the last flush.
fn flush(lab: &mut Session, out: &mut dyn Write, err: &mut dyn Write, rows: &mut Rows) {
    for ev in lab.take_fresh() {
        match ev {
            Event::Begin(c) => rows.begin(&c),
            Event::Instant(c) => rows.done(&c, out),
            Event::End(e) => {
                if let Some(c) = lab.record().timeline().find(e.seq) {
                    rows.done(c, out);
                }
            }
            Event::Fault(msg) => {
                let _ = writeln!(err, "fault: {}", escape::text(&msg));
            }
            Event::Warning(msg) => {
                let _ = writeln!(err, "warning: {}", escape::text(&msg));
            }
            _ => {}
        }
    }
}

/// Where calls are printed. JSON lines go out as each call ends (the
/// contract: one line per call, written when it ends). Table rows go out in
/// the order the calls started, as their times read: a row waits until
/// every call that started before it has ended.
struct Rows {
    format: Format,
    /// (start, seq) -> the row, once its call has ended.
    held: BTreeMap<(u64, u64), Option<String>>,
    /// seq -> (start, seq), for the calls still held.
    started: HashMap<u64, (u64, u64)>,
}

impl Rows {
    fn new(format: Format) -> Rows {
        Rows { format, held: BTreeMap::new(), started: HashMap::new() }
    }

    /// A call entered the kernel: a table holds its place.
    fn begin(&mut self, c: &Call) {
        if self.format == Format::Table {
            let key = (c.start_ns, c.seq);
            self.held.insert(key, None);
            self.started.insert(c.seq, key);
        }
    }

    /// A call ended (or was complete when it was recorded).
    fn done(&mut self, c: &Call, out: &mut dyn Write) {
        if self.format == Format::Json {
            let _ = writeln!(out, "{}", json_line(c));
            return;
        }
        let key = self.started.remove(&c.seq).unwrap_or((c.start_ns, c.seq));
        self.held.insert(key, Some(table_line(c)));
        while let Some(entry) = self.held.first_entry() {
            let Some(row) = entry.get() else { break };
            let _ = writeln!(out, "{row}");
            entry.remove();
        }
    }

    /// The end of the run: the calls still blocking, in the order they
    /// started, and for a table every row still held, in time order.
    fn finish(&mut self, tl: &Timeline, out: &mut dyn Write) {
        let mut blocking: Vec<&Call> = tl.blocking().filter_map(|i| tl.get(i)).collect();
        blocking.sort_by_key(|c| c.seq);
        if self.format == Format::Json {
            for c in blocking {
                let _ = writeln!(out, "{}", json_line(c));
            }
            return;
        }
        for c in blocking {
            let key = self.started.remove(&c.seq).unwrap_or((c.start_ns, c.seq));
            self.held.insert(key, Some(table_line(c)));
        }
        for ((_, seq), row) in std::mem::take(&mut self.held) {
            if let Some(row) = row.or_else(|| tl.find(seq).map(table_line)) {
                let _ = writeln!(out, "{row}");
            }
        }
    }
}
