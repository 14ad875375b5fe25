//! `--record FILE.jsonl`: every event, one JSON object per line, written and
//! flushed as it is applied, so a crash loses nothing that was shown. The
//! same file replays with no sockets.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::event::LabEvent;

/// One line of a recording: when the event was applied, and the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamped {
    /// Nanoseconds since the session began.
    pub t_ns: u64,
    pub ev: LabEvent,
}

/// Appends events to a file, one flushed line each.
pub struct Recorder {
    file: File,
    line: Vec<u8>,
}

impl Recorder {
    /// Opens `path` for appending (creating it).
    pub fn create(path: &Path) -> io::Result<Recorder> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Recorder { file, line: Vec::with_capacity(256) })
    }

    /// Writes one event as one line with a single write, so a reader never
    /// sees half a line from a live session.
    pub fn write(&mut self, t_ns: u64, ev: &LabEvent) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, &StampedRef { t_ns, ev }).map_err(io::Error::other)?;
        self.line.push(b'\n');
        self.file.write_all(&self.line)
    }
}

#[derive(Serialize)]
struct StampedRef<'a> {
    t_ns: u64,
    ev: &'a LabEvent,
}

/// Why a recording could not be read: `file:line: what`.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub struct ReadError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// Reads a whole recording. A torn last line (a crash mid-write) is
/// skipped; any other bad line is an error naming it.
pub fn read(path: &Path) -> Result<Vec<Stamped>, ReadError> {
    let err = |line, message: String| ReadError { path: path.display().to_string(), line, message };
    let file = File::open(path).map_err(|e| err(0, e.to_string()))?;
    let lines: Vec<String> =
        BufReader::new(file).lines().collect::<Result<_, _>>().map_err(|e| err(0, e.to_string()))?;
    let mut out = Vec::with_capacity(lines.len());
    for (i, text) in lines.iter().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Stamped>(text) {
            Ok(s) => out.push(s),
            Err(_) if i + 1 == lines.len() && !text.ends_with('}') => break,
            Err(e) => return Err(err(i + 1, format!("not a sockscope event: {e}"))),
        }
    }
    Ok(out)
}
