//! Commands back to text: the line the prompt accepts for each command, so
//! that `parse_line(&cmd.to_string())` gives `cmd` again (a proptest checks
//! it). Keys, logs and exports show commands this way.

use std::fmt::{self, Display, Formatter, Write};
use std::time::Duration;

use super::ast::*;

impl Display for Command {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Command::Open { proto, addr } => write!(f, "open {}{}", proto_word(*proto), opt(addr)),
            Command::Listen { addr } => write!(f, "listen{}", opt(addr)),
            Command::Socket { proto, v6 } => {
                write!(f, "socket {}{}", proto_word(*proto), if *v6 { "6" } else { "" })
            }
            Command::OpenUnix { kind, path } => {
                write!(f, "open {}", kind.word())?;
                path.iter().try_for_each(|p| write!(f, " {}", quoted(p.as_bytes())))
            }
            Command::ListenUnix { path } => {
                f.write_str("listen unix")?;
                path.iter().try_for_each(|p| write!(f, " {}", quoted(p.as_bytes())))
            }
            Command::Use(n) => write!(f, "use {n}"),
            Command::Mode(m) => m.fmt(f),
            Command::Call(c) => c.fmt(f),
            Command::Peer(p) => write!(f, "peer {p}"),
            Command::Wait(d) => write!(f, "wait {}", dur(*d)),
            Command::Expect(e) => write!(f, "expect {e}"),
            Command::Say(t) => write!(f, "say {}", quoted(t.as_bytes())),
            Command::Spin { size, limit: SpinLimit::Count(n) } => write!(f, "spin recv {size} {n}"),
            Command::Spin { size, limit: SpinLimit::For(d) } => write!(f, "spin recv {size} {}", dur(*d)),
            Command::PollAdd { sock, interest } => {
                f.write_str("poll add")?;
                sock.iter().try_for_each(|n| write!(f, " {n}"))?;
                write!(f, " {}", interest_word(*interest))
            }
            Command::PollWait(d) => {
                f.write_str("poll wait")?;
                d.iter().try_for_each(|d| write!(f, " {}", dur(*d)))
            }
            Command::PollDrain(on) => write!(f, "poll drain {}", if *on { "on" } else { "off" }),
            Command::Serve { kind, clients } => {
                let k = match kind {
                    ServeKind::Blocking => "blocking",
                    ServeKind::EventLoop => "eventloop",
                };
                write!(f, "serve {k} {clients}")
            }
            Command::Export { path, harness } => {
                let flag = if *harness { "--harness " } else { "" };
                write!(f, "export python {flag}{}", quoted(path.as_bytes()))
            }
        }
    }
}

impl Display for SockCall {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SockCall::Recv { size } => write!(f, "recv {size}"),
            SockCall::Peek { size } => write!(f, "peek {size}"),
            SockCall::Send(p) => write!(f, "send {p}"),
            SockCall::Accept => f.write_str("accept"),
            SockCall::Connect(addr) => write!(f, "connect{}", opt(addr)),
            SockCall::Shutdown(how) => write!(f, "shutdown {}", how_word(*how)),
            SockCall::Close => f.write_str("close"),
        }
    }
}

impl Display for ModeSet {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ModeSet::Blocking => f.write_str("blocking"),
            ModeSet::Nonblocking => f.write_str("nonblocking"),
            ModeSet::Timeout(None) => f.write_str("timeout none"),
            ModeSet::Timeout(Some(t)) => write!(f, "timeout {}", secs(*t)),
            ModeSet::RcvTimeo(t) => write!(f, "rcvtimeo {}", secs(*t)),
            ModeSet::SndTimeo(t) => write!(f, "sndtimeo {}", secs(*t)),
        }
    }
}

impl Display for PeerCmd {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PeerCmd::Send { payload, after } => {
                write!(f, "send {payload}")?;
                after.iter().try_for_each(|d| write!(f, " after {}", dur(*d)))
            }
            PeerCmd::Pause => f.write_str("pause"),
            PeerCmd::Resume => f.write_str("resume"),
            PeerCmd::Close => f.write_str("close"),
            PeerCmd::Reset => f.write_str("reset"),
            PeerCmd::ShutdownWr => f.write_str("shutdown wr"),
            PeerCmd::Connect(n) => write!(f, "connect {n}"),
        }
    }
}

impl Display for Payload {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Text(t) => f.write_str(&quoted(t)),
            Payload::Size(n) => write!(f, "{n}"),
        }
    }
}

impl Display for Expectation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(k) = self.call {
            write!(f, "{} ", k.word())?;
        }
        let word = match &self.outcome {
            ExpectOutcome::Data => "data",
            ExpectOutcome::Eof => "eof",
            ExpectOutcome::Sent => "sent",
            ExpectOutcome::Partial => "partial",
            ExpectOutcome::WouldBlock => "wouldblock",
            ExpectOutcome::Timeout => "timeout",
            ExpectOutcome::InProgress => "inprogress",
            ExpectOutcome::Accepted => "accepted",
            ExpectOutcome::Connected => "connected",
            ExpectOutcome::Blocking => "blocking",
            ExpectOutcome::Events => "events",
            ExpectOutcome::Queued => "queued",
            ExpectOutcome::Error(name) => return write!(f, "error {name}"),
            ExpectOutcome::SlowestOver(d) => return write!(f, "slowest over {}", dur(*d)),
            ExpectOutcome::SlowestUnder(d) => return write!(f, "slowest under {}", dur(*d)),
        };
        f.write_str(word)?;
        self.n.iter().try_for_each(|n| write!(f, " {n}"))
    }
}

fn opt(addr: &Option<Addr>) -> String {
    addr.as_ref().map_or_else(String::new, |a| format!(" {a}"))
}

fn proto_word(p: Proto) -> &'static str {
    match p {
        Proto::Tcp => "tcp",
        Proto::Udp => "udp",
    }
}

fn how_word(h: How) -> &'static str {
    match h {
        How::Read => "rd",
        How::Write => "wr",
        How::Both => "both",
    }
}

fn interest_word(i: Interest) -> &'static str {
    match i {
        Interest::Read => "read",
        Interest::Write => "write",
        Interest::Both => "both",
    }
}

/// A duration with a unit, exactly: `300ms`, `2s`, `15us`, `0.000000001s`.
fn dur(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns.is_multiple_of(1_000_000_000) {
        format!("{}s", ns / 1_000_000_000)
    } else if ns.is_multiple_of(1_000_000) {
        format!("{}ms", ns / 1_000_000)
    } else if ns.is_multiple_of(1_000) {
        format!("{}us", ns / 1_000)
    } else {
        format!("{}s", secs(d))
    }
}

/// Seconds as Python writes them (`0.2`, `1.5`, `0`), to the nanosecond.
fn secs(d: Duration) -> String {
    let whole = d.as_secs();
    let frac = d.subsec_nanos();
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:09}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// A quoted string of the language: printable characters as they are,
/// `\n \t \r \\ \"` and `\xNN` for every other byte.
fn quoted(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                c if c.is_ascii_graphic() || c == ' ' || (!c.is_ascii() && !crate::escape::is_unsafe(c)) => {
                    out.push(c)
                }
                c => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(out, "\\x{b:02x}");
                    }
                }
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
    out
}
