//! What the record keeps of a real program traced with `sockscope trace`:
//! the real syscall behind each call (its name, raw arguments, return value
//! and strace line), the processes, and what the program wrote to its
//! stdout and stderr. Plain data: the tracer's events are turned into these
//! by the bridge (`traced`), and a recording of them replays like any other.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// The real syscall behind a traced call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traced {
    /// The process (thread group) and the thread that made it.
    pub pid: u32,
    pub tid: u32,
    /// Its name as strace prints it: `recvfrom`, `epoll_wait`.
    pub syscall: String,
    /// The raw arguments.
    pub args: [u64; 6],
    /// The raw return value (-errno on failure), once it returned.
    pub ret: Option<i64>,
    /// The call as `strace -f` prints it (without the pid); ends in
    /// `<unfinished ...>` while the call is in the kernel.
    pub strace: String,
    /// A readiness wait's socket fds, with poll(2) event bits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub watch: Vec<WaitFd>,
    /// The ones it reported ready, with the events that were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ready: Vec<WaitFd>,
}

/// One fd of a readiness wait and its poll(2) event bits (select's sets
/// and epoll's bits are given as poll's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitFd {
    pub fd: i32,
    pub events: u32,
}

pub mod poll_bits {
    pub const IN: u32 = 0x1;
    pub const OUT: u32 = 0x4;
    pub const ERR: u32 = 0x8;
    pub const HUP: u32 = 0x10;
    pub const RDHUP: u32 = 0x2000;
}

impl Traced {
    /// The fd the call is on (its first argument).
    pub fn fd(&self) -> i32 {
        self.args[0] as i32
    }

    /// The errno, if it failed.
    pub fn errno(&self) -> Option<i32> {
        self.ret.filter(|r| (-4095..0).contains(r)).map(|r| -r as i32)
    }
}

/// A traced process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcInfo {
    pub pid: u32,
    /// Its program's path, escaped.
    pub exe: String,
    pub origin: ProcOrigin,
    /// The program is CPython: the explanations add its Python lens.
    pub python: bool,
    /// How it ended, once it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<ProcEnd>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcOrigin {
    /// Started by sockscope.
    Started,
    Forked {
        parent: u32,
    },
    /// It replaced its program (execve).
    Exec,
    /// Attached with `-p`.
    Attached,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcEnd {
    Exited(i32),
    Killed(i32),
    /// sockscope let go of it; it goes on running.
    Detached,
}

impl ProcInfo {
    /// The program's file name, for titles: `python3.11`.
    pub fn name(&self) -> &str {
        self.exe.rsplit('/').next().unwrap_or(&self.exe)
    }
}

impl std::fmt::Display for ProcEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProcEnd::Exited(c) => write!(f, "exited with {c}"),
            ProcEnd::Killed(s) => write!(f, "killed by {}", crate::signals::name(*s)),
            ProcEnd::Detached => f.write_str("detached: it goes on running"),
        }
    }
}

/// Whether a program path names CPython (`python3`, `python3.11`).
pub fn is_python(exe: &[u8]) -> bool {
    let base = exe.rsplit(|&b| b == b'/').next().unwrap_or(exe);
    base.starts_with(b"python")
}

/// Which of the program's streams a piece of output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    Stdout,
    Stderr,
}

/// A piece of what the program wrote, raw: escape it to show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    pub stream: Stream,
    pub bytes: Box<[u8]>,
}

/// At most this many bytes in one output event.
pub const OUTPUT_CHUNK: usize = 16 * 1024;
/// The output pane keeps this many lines, the newest.
pub const OUTPUT_LINES: usize = 2000;

/// The program's output as lines, the newest kept.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ProgramOutput {
    lines: VecDeque<(Stream, Vec<u8>)>,
    /// Each stream's last line, until its newline comes.
    open: [Vec<u8>; 2],
    /// Every byte ever written, kept or not.
    pub total: u64,
}

impl ProgramOutput {
    pub fn push(&mut self, o: &Output) {
        self.total += o.bytes.len() as u64;
        let k = o.stream as usize;
        for &b in o.bytes.iter() {
            if b == b'\n' {
                let line = std::mem::take(&mut self.open[k]);
                self.lines.push_back((o.stream, line));
                if self.lines.len() > OUTPUT_LINES {
                    self.lines.pop_front();
                }
            } else if self.open[k].len() < 4096 {
                // A line with no end is kept to its first 4 KiB.
                self.open[k].push(b);
            }
        }
    }

    /// The last `n` lines (an unfinished one included), oldest first.
    pub fn last(&self, n: usize) -> Vec<(Stream, &[u8])> {
        let mut out: Vec<(Stream, &[u8])> = self.lines.iter().map(|(s, l)| (*s, l.as_slice())).collect();
        for (k, s) in [(0, Stream::Stdout), (1, Stream::Stderr)] {
            if !self.open[k].is_empty() {
                out.push((s, &self.open[k]));
            }
        }
        let skip = out.len().saturating_sub(n);
        out.split_off(skip)
    }

    /// Lines kept, an unfinished one included.
    pub fn len(&self) -> usize {
        self.lines.len() + self.open.iter().filter(|l| !l.is_empty()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_kept_as_lines_per_stream() {
        let mut o = ProgramOutput::default();
        let out = |s: &str| Output { stream: Stream::Stdout, bytes: s.as_bytes().into() };
        o.push(&out("one\ntw"));
        o.push(&Output { stream: Stream::Stderr, bytes: b"err\n".as_slice().into() });
        o.push(&out("o\n"));
        let lines: Vec<(Stream, &[u8])> = o.last(10);
        assert_eq!(
            lines,
            [(Stream::Stdout, &b"one"[..]), (Stream::Stderr, b"err"), (Stream::Stdout, b"two")]
        );
        assert_eq!(o.total, 12);
        for _ in 0..OUTPUT_LINES + 5 {
            o.push(&out("x\n"));
        }
        assert_eq!(o.len(), OUTPUT_LINES);
    }

    #[test]
    fn cpython_is_known_by_its_executable() {
        assert!(is_python(b"/root/.pyenv/versions/3.11.7/bin/python3.11"));
        assert!(is_python(b"/usr/bin/python3"));
        assert!(!is_python(b"/tmp/python-tests/server"));
        assert!(!is_python(b"/usr/bin/bash"));
    }
}
