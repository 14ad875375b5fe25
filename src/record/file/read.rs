//! Reading a recording back. The file may come from anywhere, so nothing
//! in it is trusted: lines and the whole file are capped (a file that never
//! ends, like /dev/zero, stops at the cap), every line is checked when it is
//! read, and every message quoting the file is escaped and shortened.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use super::check::Checker;
use super::run_json::RunJson;
use super::{FORMAT, Header, Stamped, VERSION};
use crate::escape::escape;

/// The longest line a recording may hold. Sockscope writes a few hundred
/// bytes an event, and a batch of busy-poll calls about 350 KiB.
pub const LINE_CAP: usize = 1 << 20;
/// The largest recording read: replaying keeps every event in memory.
pub const FILE_CAP: u64 = 1 << 30;
/// Error messages quote at most this many characters of the file.
const QUOTE_CAP: usize = 160;

/// Why a recording could not be read: `file:line: what`, or `file: what`
/// for the file as a whole.
#[derive(Debug)]
pub struct ReadError {
    /// The file's name, escaped.
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for ReadError {}

/// A recording read back, and whether its end was cut short.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub events: Vec<Stamped>,
    /// The number of the last line, when it was cut (a crash mid-write).
    pub cut: Option<usize>,
}

impl Loaded {
    /// What to tell the user about the file's end, if anything.
    pub fn warning(&self) -> Option<String> {
        self.cut.map(|line| {
            format!("the last line ({line}) was cut (a crash mid-write?): {} events read", self.events.len())
        })
    }
}

/// Reads a whole recording: its events, or the first problem.
pub fn read(path: &Path) -> Result<Vec<Stamped>, ReadError> {
    load(path).map(|l| l.events)
}

/// [`read`], and whether the last line was cut.
pub fn load(path: &Path) -> Result<Loaded, ReadError> {
    let name = escape(path.as_os_str().as_encoded_bytes());
    let whole = |message: String| ReadError { path: name.clone(), line: None, message };
    let file = File::open(path).map_err(|e| whole(e.to_string()))?;
    let meta = file.metadata().map_err(|e| whole(e.to_string()))?;
    if meta.is_dir() {
        return Err(whole("is a directory, not a recording".into()));
    }
    if meta.is_file() && meta.len() > FILE_CAP {
        return Err(whole(too_big()));
    }
    // A FIFO or a device is read too, under the same caps.
    load_from(file, &name)
}

/// Reads a recording from any reader; `name` (already safe to print)
/// starts every message.
pub fn load_from(input: impl Read, name: &str) -> Result<Loaded, ReadError> {
    let whole = |message: String| ReadError { path: name.into(), line: None, message };
    // One byte past the cap, so a stream that goes on is caught.
    let mut r = BufReader::with_capacity(64 * 1024, input.take(FILE_CAP + 1));
    let (mut out, mut check, mut buf) = (Loaded::default(), Checker::default(), Vec::new());
    let mut consumed = 0u64;
    let mut kind: Option<Kind> = None;
    for n in 1.. {
        let at = |message: String| ReadError { path: name.into(), line: Some(n), message };
        buf.clear();
        let ended = match next_line(&mut r, &mut buf) {
            Ok(Some(ended)) => ended,
            Ok(None) => break,
            Err(Line::TooLong) => {
                return Err(at(format!("a line longer than {} MiB: not a recording", LINE_CAP >> 20)));
            }
            Err(Line::Io(e)) => return Err(at(e.to_string())),
        };
        consumed += buf.len() as u64 + ended as u64;
        if consumed > FILE_CAP {
            return Err(whole(too_big()));
        }
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t,
            Err(e) => return Err(at(format!("not UTF-8 text (byte {} of the line)", e.valid_up_to() + 1))),
        };
        if text.trim().is_empty() {
            continue;
        }
        let Some(k) = &mut kind else {
            kind = Some(first_line(text).map_err(at)?);
            continue_unless_json(&mut kind, text, &mut out, &mut check).map_err(at)?;
            continue;
        };
        let parsed = match k {
            Kind::Recording => recording_line(text),
            Kind::RunJson(conv) => conv.line(text),
        };
        match parsed {
            Ok(events) => {
                for s in events {
                    check.check(&s).map_err(at)?;
                    out.events.push(s);
                }
            }
            // The writer ends every line with its newline in the same write:
            // a last line without one was cut short.
            Err(_) if !ended => out.cut = Some(n),
            Err(e) => return Err(at(e)),
        }
    }
    Ok(out)
}

/// What the file is, from its first line.
enum Kind {
    Recording,
    /// `run --json` output: each line one finished (or blocking) call.
    RunJson(Box<RunJson>),
}

fn first_line(text: &str) -> Result<Kind, String> {
    if let Ok(h) = serde_json::from_str::<Header>(text) {
        if h.format != FORMAT {
            return Err(format!("a header for `{}`, not a sockscope recording", quote(&h.format)));
        }
        if h.version > VERSION {
            return Err(format!(
                "a recording in format version {}, made by a newer sockscope; this one reads version {VERSION} \
                 and older",
                h.version
            ));
        }
        return Ok(Kind::Recording);
    }
    if RunJson::looks_like(text) {
        return Ok(Kind::RunJson(Box::default()));
    }
    Err("not a sockscope recording: a recording starts with its header line \
         ({\"format\":\"sockscope-recording\",…}), and `run --json` output with a call ({\"seq\":…})"
        .into())
}

/// A `run --json` file has no header: its first line is a call already.
fn continue_unless_json(
    kind: &mut Option<Kind>,
    text: &str,
    out: &mut Loaded,
    check: &mut Checker,
) -> Result<(), String> {
    if let Some(Kind::RunJson(conv)) = kind {
        for s in conv.line(text)? {
            check.check(&s)?;
            out.events.push(s);
        }
    }
    Ok(())
}

fn recording_line(text: &str) -> Result<Vec<Stamped>, String> {
    if serde_json::from_str::<Header>(text).is_ok() {
        return Err("a second session's header: `--record` appends, and this file holds two sessions; \
                    replay each on its own"
            .into());
    }
    serde_json::from_str::<Stamped>(text)
        .map(|s| vec![s])
        .map_err(|e| format!("not a sockscope event: {}", quote(&e.to_string())))
}

fn too_big() -> String {
    format!("larger than {} GiB: too big to replay", FILE_CAP >> 30)
}

/// Text from the file (as a parser's message quotes it), made safe to print
/// and short.
fn quote(text: &str) -> String {
    let safe = escape(text.as_bytes());
    match safe.char_indices().nth(QUOTE_CAP) {
        Some((i, _)) => format!("{}…", &safe[..i]),
        None => safe,
    }
}

enum Line {
    TooLong,
    Io(io::Error),
}

/// Reads one line into `buf`, without its newline. `Some(true)`: a whole
/// line; `Some(false)`: the file ended without a newline; `None`: the file
/// ended. A line is never held past [`LINE_CAP`].
fn next_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> Result<Option<bool>, Line> {
    loop {
        let avail = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Line::Io(e)),
        };
        if avail.is_empty() {
            return Ok((!buf.is_empty()).then_some(false));
        }
        let (take, newline) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (avail.len(), false),
        };
        if buf.len() + take > LINE_CAP {
            return Err(Line::TooLong);
        }
        buf.extend_from_slice(&avail[..take]);
        r.consume(take + newline as usize);
        if newline {
            return Ok(Some(true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_line_or_the_file() {
        let e = |line| ReadError { path: "r.jsonl".into(), line, message: "bad".into() };
        assert_eq!(e(Some(3)).to_string(), "r.jsonl:3: bad");
        assert_eq!(e(None).to_string(), "r.jsonl: bad");
    }

    #[test]
    fn a_line_is_never_held_past_the_cap() {
        let mut r = io::Cursor::new(vec![b'x'; LINE_CAP + 1]);
        assert!(matches!(next_line(&mut r, &mut Vec::new()), Err(Line::TooLong)));
        let mut r = io::Cursor::new(b"ab\ncd".to_vec());
        let mut buf = Vec::new();
        assert!(matches!(next_line(&mut r, &mut buf), Ok(Some(true))));
        assert_eq!(buf, b"ab");
        buf.clear();
        assert!(matches!(next_line(&mut r, &mut buf), Ok(Some(false))));
        assert_eq!(buf, b"cd");
        buf.clear();
        assert!(matches!(next_line(&mut r, &mut buf), Ok(None)));
    }

    #[test]
    fn quotes_are_escaped_and_short() {
        let q = quote(&format!("unknown variant `\x1b]0;pwned\x07{}`", "y".repeat(1000)));
        assert!(q.starts_with("unknown variant `\\x1b]0;pwned\\x07y"), "{q}");
        assert!(q.ends_with('…') && q.chars().count() == QUOTE_CAP + 1, "{q}");
    }
}
