//! What a picture is drawn from: a scenario, run headless on real loopback
//! sockets to its end, or a recording made with `--record`, folded with no
//! sockets. Which one a file is, its content says: a recording is JSON
//! lines, so its first character is `{`; a scenario never starts so.

use std::io::{Read, Write};
use std::path::Path;

use crossbeam_channel::Receiver;

use crate::command::parse_script;
use crate::escape;
use crate::exec::{Executor, Session};
use crate::headless::Ended;
use crate::record::{Event, Record, file};

/// Exit codes, as `run` has them.
pub const FAILED: i32 = 1;
pub const INVALID: i32 = 2;

/// Printed after a file that is neither.
const WHAT: &str = "export takes a scenario (.scenario) or a recording made with --record";

/// A record to draw, the moment it stands at, and its file's (escaped) name.
pub struct Source {
    pub name: String,
    pub record: Record,
    pub now_ns: u64,
}

/// Reads or runs `path`. Messages go to `err`, escaped. `Ok` carries the
/// source and the exit code to end with: 1 when the scenario stopped at a
/// failed `expect` or command (what ran until then is drawn). `Err` is the
/// exit code when there is nothing to draw: 2 for a file that is neither a
/// scenario nor a recording, 128 + N when a signal stopped the run.
pub fn load(path: &Path, stop: &Receiver<i32>, err: &mut dyn Write) -> Result<(Source, i32), i32> {
    let name = escape::path(path.file_name().map_or(path, Path::new));
    if is_recording(path) {
        return match file::read(path) {
            Ok(events) => {
                let mut record = Record::new();
                for s in &events {
                    record.apply(&s.ev);
                }
                let now_ns = events.last().map_or(0, |s| s.t_ns);
                Ok((Source { name, record, now_ns }, 0))
            }
            Err(e) => {
                let _ = writeln!(err, "{}\n({WHAT})", escape::message(&e.to_string()));
                Err(INVALID)
            }
        };
    }
    let shown = escape::path(path);
    let text = crate::textfile::read(path).map_err(|e| {
        let _ = writeln!(err, "{}\n({WHAT})", e.show(&shown));
        INVALID
    })?;
    let (record, now_ns, code) = run(&shown, &text, stop, err)?;
    Ok((Source { name, record, now_ns }, code))
}

/// Whether the file starts like a recording (after a BOM and blank space).
fn is_recording(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else { return false };
    if !meta.is_file() {
        return false;
    }
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    let head = head[..n].strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head[..n]);
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Runs a script to its end, as `run` does, printing nothing but failures.
/// Returns the record, its last moment, and 0 or 1.
fn run(name: &str, text: &str, stop: &Receiver<i32>, err: &mut dyn Write) -> Result<(Record, u64, i32), i32> {
    let script = parse_script(text).map_err(|errors| {
        for e in errors {
            let _ = writeln!(err, "{name}:{e}");
        }
        INVALID
    })?;
    let mut lab = Session::start().map_err(|e| {
        let _ = writeln!(err, "{name}: cannot start: {}", escape::text(&e.to_string()));
        FAILED
    })?;
    let mut exec = Executor::new();
    for cmd in script {
        exec.push(cmd);
    }
    let code = match crate::headless::drive(&mut lab, &mut exec, stop, |lab| report(lab, err)) {
        Ended::Done => 0,
        Ended::Failed(f) => {
            let _ = writeln!(err, "{}", crate::headless::failure_line(name, &f));
            FAILED
        }
        Ended::Stopped(sig) => return Err(crate::signals::exit_code(sig)),
    };
    let now_ns = lab.now_ns();
    Ok((lab.into_record(), now_ns, code))
}

/// Faults and warnings since the last look, as `run` prints them.
fn report(lab: &mut Session, err: &mut dyn Write) {
    for ev in lab.take_fresh() {
        match ev {
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
