//! `--record FILE.jsonl`: every event, one JSON object per line, written and
//! flushed as it is applied, so a crash loses nothing that was shown. The
//! same file replays with no sockets; reading it back (`read.rs`) treats it
//! as data from anywhere, checked line by line (`check.rs`). `replay` also
//! reads `run --json` output (`run_json.rs`).
//!
//! The format, version 1 (README.md, "Recordings", describes it for users):
//! a header line `{"format":"sockscope-recording","version":1,…}`, then one
//! line per event, `{"t_ns":N,"type":"begin","data":{…}}`, where `t_ns` is
//! when the session applied it and `type` is one of begin, end, instant,
//! socket, closed, use, dense, warning, fault. A new version is written only
//! when a line could be misread by an older reader; readers refuse versions
//! newer than theirs.

mod check;
mod read;
mod run_json;

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::escape::escape;
use crate::record::event::Event;

pub use check::MAX_NS;
pub use read::{FILE_CAP, LINE_CAP, Loaded, ReadError, load, load_from, read};

/// The name in every recording's header.
pub const FORMAT: &str = "sockscope-recording";
/// The format version this sockscope writes and the newest it reads.
pub const VERSION: u32 = 1;

/// A recording's first line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// The sockscope that wrote it, for people reading the file.
    #[serde(default)]
    pub sockscope: String,
}

impl Header {
    pub fn current() -> Header {
        Header { format: FORMAT.into(), version: VERSION, sockscope: env!("CARGO_PKG_VERSION").into() }
    }
}

/// One line of a recording: when the event was applied, and the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamped {
    /// Nanoseconds since the session began.
    pub t_ns: u64,
    #[serde(flatten)]
    pub ev: Event,
}

/// Appends events to a file, one flushed line each, after a header.
pub struct Recorder {
    out: Box<dyn Write + Send>,
    header: bool,
}

impl Recorder {
    /// Opens `path` for appending (creating it). Anything there that is not
    /// a regular file is refused: a FIFO would block the session until
    /// someone reads it, and a device never ends.
    pub fn create(path: &Path) -> io::Result<Recorder> {
        if let Ok(meta) = std::fs::metadata(path) {
            regular(&meta)?;
        }
        // O_NONBLOCK: should a FIFO appear there after the check, opening
        // it fails at once (ENXIO) instead of waiting for a reader. It has
        // no effect on a regular file.
        let file = OpenOptions::new().create(true).append(true).custom_flags(libc::O_NONBLOCK).open(path)?;
        regular(&file.metadata()?)?;
        Ok(Recorder::into(Box::new(file)))
    }

    /// Records into any writer (a test's, one that fails on demand…).
    pub fn into(out: Box<dyn Write + Send>) -> Recorder {
        Recorder { out, header: false }
    }

    /// Writes one event as one line with a single write, so a reader never
    /// sees half a line from a live session.
    ///
    /// A busy-poll's dense calls are left out: the spin's own record carries
    /// its tallies (as `run --json` prints it), and a spin makes millions of
    /// calls a second (a 2 s spin would write hundreds of megabytes).
    pub fn write(&mut self, t_ns: u64, ev: &Event) -> io::Result<()> {
        if matches!(ev, Event::Dense { .. }) {
            return Ok(());
        }
        if !self.header {
            self.out.write_all((crate::escape::json_line(&Header::current()) + "\n").as_bytes())?;
            self.header = true;
        }
        // C1 and invisible characters in payloads and names are written as
        // \u escapes, so the file is as safe to view as the screen.
        let line = crate::escape::json_line(&StampedRef { t_ns, ev }) + "\n";
        self.out.write_all(line.as_bytes())
    }
}

#[derive(Serialize)]
struct StampedRef<'a> {
    t_ns: u64,
    #[serde(flatten)]
    ev: &'a Event,
}

fn regular(meta: &std::fs::Metadata) -> io::Result<()> {
    let t = meta.file_type();
    let what = if t.is_file() {
        return Ok(());
    } else if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {what}: a recording goes to a regular file"),
    ))
}

/// Refuses to record into `input`, the file the session runs: appending
/// JSON to a script ruins it. Compared by device and inode, so another
/// name for the same file (a link, `./`) is caught too.
pub fn check_not_input(record: &Path, input: &Path) -> Result<(), String> {
    let (Ok(a), Ok(b)) = (std::fs::metadata(record), std::fs::metadata(input)) else { return Ok(()) };
    if (a.dev(), a.ino()) == (b.dev(), b.ino()) {
        return Err(format!(
            "{}: --record names the file being run: record to another file",
            escape(record.as_os_str().as_encoded_bytes())
        ));
    }
    Ok(())
}
