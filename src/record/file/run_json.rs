//! `run --json` output read as a recording: each line is one call that
//! finished (or was still blocking when the run ended), so each becomes one
//! record, and the sockets it names appear as they are first seen. What the
//! JSON leaves out (fds, a socket's addresses) is unknown in the replay.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::Stamped;
use crate::command::{How, Interest, Proto, ServeKind, UnixKind};
use crate::record::arg::ready;
use crate::record::{
    Arg, Call, Event, Evidence, KernelView, Lane, Mode, Op, Outcome, PyMode, SockInfo, SockKind, SpinArg,
    SpinStats, TimeoutBy,
};

/// One line as `run --json` writes it (see `headless/json.rs`).
#[derive(Deserialize)]
struct Line {
    seq: u64,
    t_us: u64,
    dur_us: Option<u64>,
    sock: Value,
    op: String,
    arg: Option<String>,
    mode: Option<String>,
    outcome: Option<String>,
    bytes: Option<u64>,
    errno: Option<String>,
    new_sock: Option<u32>,
    timeout_by: Option<String>,
    client: Option<u32>,
    flags: Option<Vec<String>>,
    count: Option<u64>,
    outcomes: Option<Value>,
    kernel: Option<KernelView>,
    data: Option<String>,
    text: Option<String>,
    evidence: Option<Evidence>,
}

/// Turns lines into events, remembering which sockets it has announced.
#[derive(Default)]
pub struct RunJson {
    known: BTreeSet<u32>,
    last_ns: u64,
}

impl RunJson {
    /// Whether a first line is a `run --json` call.
    pub fn looks_like(text: &str) -> bool {
        serde_json::from_str::<Value>(text).is_ok_and(|v| v.get("seq").is_some() && v.get("op").is_some())
    }

    /// The events one line stands for.
    pub fn line(&mut self, text: &str) -> Result<Vec<Stamped>, String> {
        let l: Line = serde_json::from_str(text).map_err(|e| format!("not a `run --json` line: {e}"))?;
        let lane = lane(&l)?;
        let op = op(&l, lane)?;
        let start_ns = l.t_us.saturating_mul(1000);
        let mut call = Call::begin(l.seq, lane, op, arg(&l, op)?, mode(l.mode.as_deref()), start_ns);
        call.end_ns = l.dur_us.map(|d| start_ns.saturating_add(d.saturating_mul(1000)));
        call.outcome = outcome(&l)?;
        call.errno = l.errno.as_deref().map_or(0, errno_of);
        call.bytes = if op == Op::PollWait { None } else { l.bytes };
        call.kernel = l.kernel;
        call.preview = l.data.as_deref().map(|d| crate::escape::unescape(d).into_boxed_slice());
        call.evidence = l.evidence.map(Box::new);
        // Stamped when the run printed it: at its end, never before the line above.
        let at = call.end_ns.unwrap_or(start_ns).max(self.last_ns);
        self.last_ns = at;
        let mut out = Vec::new();
        if let Lane::Sock(id) = lane {
            self.announce(id, kind_of(&l, op), &mut out, at);
        }
        if let Outcome::Accepted(k) = call.outcome {
            let kind = if l.arg.as_deref().is_some_and(|a| a.starts_with('/')) {
                SockKind::UnixAccepted
            } else {
                SockKind::TcpAccepted
            };
            self.announce(k, kind, &mut out, at);
        }
        let ev = if call.end_ns.is_some() { Event::Instant(call) } else { Event::Begin(call) };
        out.push(Stamped { t_ns: at, ev });
        if op == Op::Close
            && l.outcome.as_deref() == Some("ok")
            && let Lane::Sock(id) = lane
        {
            out.push(Stamped { t_ns: at, ev: Event::Closed(id) });
        }
        Ok(out)
    }

    fn announce(&mut self, id: u32, kind: SockKind, out: &mut Vec<Stamped>, at: u64) {
        if self.known.insert(id) {
            let info = SockInfo {
                id,
                kind,
                fd: -1,
                local: None,
                remote: None,
                local_path: None,
                remote_path: None,
                pair: None,
                mode: None,
                pid: None,
            };
            out.push(Stamped { t_ns: at, ev: Event::Socket(info) });
        }
    }
}

fn lane(l: &Line) -> Result<Lane, String> {
    Ok(match &l.sock {
        Value::Number(n) if l.op == "poll" => {
            let _ = n;
            Lane::Loop
        }
        Value::Number(n) => {
            Lane::Sock(n.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or("a bad socket number")?)
        }
        Value::String(s) if s == "peer" => l.client.map_or(Lane::Peer, Lane::Client),
        Value::String(s) if s == "loop" => Lane::Loop,
        Value::Null => Lane::Script,
        _ => return Err("`sock` is not a socket number, \"peer\", \"loop\" or null".into()),
    })
}

fn op(l: &Line, lane: Lane) -> Result<Op, String> {
    let peer = matches!(lane, Lane::Peer | Lane::Client(_));
    let arg = l.arg.as_deref().unwrap_or("");
    Ok(match (l.op.as_str(), peer) {
        ("recv", false) => Op::Recv,
        ("recv", true) => Op::PeerRecv,
        ("send", false) => Op::Send,
        ("send", true) => Op::PeerSend,
        ("accept", false) => Op::Accept,
        ("accept", true) => Op::PeerAccept,
        ("connect", false) => Op::Connect,
        ("connect", true) => Op::PeerConnect,
        ("shutdown", false) => Op::Shutdown,
        ("shutdown", true) => Op::PeerShutdown,
        ("close", false) => Op::Close,
        ("close", true) => Op::PeerClose,
        ("pause", _) => Op::PeerPause,
        ("resume", _) => Op::PeerResume,
        ("reset", _) => Op::PeerReset,
        ("peek", _) => Op::Peek,
        ("open", _) => Op::Open,
        ("listen", _) => Op::Listen,
        ("socket", _) => Op::Socket,
        ("blocking", _) => Op::Blocking,
        ("nonblocking", _) => Op::Nonblocking,
        ("timeout", _) => Op::Timeout,
        ("rcvtimeo", _) => Op::RcvTimeo,
        ("sndtimeo", _) => Op::SndTimeo,
        ("say", _) => Op::Say,
        ("spin", _) => Op::Spin,
        ("serve", _) => Op::Serve,
        ("request", _) => Op::Request,
        ("summary", _) => Op::Summary,
        ("poll", _) if l.outcome.as_deref() == Some("ready") => Op::Ready,
        ("poll", _) if arg.starts_with("add") => Op::PollAdd,
        ("poll", _) if arg.starts_with("drain") => Op::PollDrain,
        ("poll", _) => Op::PollWait,
        (other, _) => return Err(format!("an unknown op `{}`", crate::escape::shorten(other))),
    })
}

/// The kind of socket a line's socket is, as far as the line tells.
fn kind_of(l: &Line, op: Op) -> SockKind {
    let arg = l.arg.as_deref().unwrap_or("");
    match (op, arg.split_whitespace().next()) {
        (Op::Listen, _) if arg.starts_with('/') || arg.starts_with("unix") => SockKind::UnixListener,
        (Op::Listen, _) => SockKind::TcpListener,
        (Op::Open | Op::Socket, Some("udp")) => SockKind::Udp,
        (Op::Open, Some("unix")) => SockKind::UnixClient,
        (Op::Open, Some("unixgram")) => SockKind::UnixDgram,
        _ => SockKind::TcpClient,
    }
}

fn arg(l: &Line, op: Op) -> Result<Arg, String> {
    let text = l.arg.clone().unwrap_or_default();
    let words: Vec<&str> = text.split_whitespace().collect();
    let num = |s: Option<&&str>| s.and_then(|s| s.parse::<u64>().ok());
    Ok(match op {
        Op::Say => Arg::Note(l.text.clone().unwrap_or_default().into()),
        Op::Recv | Op::Peek | Op::PeerRecv => num(words.first()).map_or(Arg::None, Arg::Size),
        Op::Send | Op::PeerSend if text.starts_with('"') => {
            let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or("");
            Arg::Text(crate::escape::unescape(inner).len() as u64)
        }
        Op::Send | Op::PeerSend => num(words.first()).map_or(Arg::None, Arg::Size),
        Op::Shutdown | Op::PeerShutdown => match words.first() {
            Some(&"rd") => Arg::How(How::Read),
            Some(&"wr") => Arg::How(How::Write),
            Some(&"both") => Arg::How(How::Both),
            _ => Arg::None,
        },
        Op::Timeout | Op::RcvTimeo | Op::SndTimeo => secs(words.first()).map_or(Arg::None, Arg::Secs),
        Op::Connect | Op::Listen | Op::PeerConnect => match text.parse::<SocketAddr>() {
            Ok(a) => Arg::Addr(a),
            Err(_) if text.starts_with('/') => Arg::Path(text.into()),
            Err(_) => Arg::None,
        },
        Op::Open | Op::Socket => match words.as_slice() {
            [p @ ("tcp" | "udp"), rest @ ..] => {
                let proto = if *p == "tcp" { Proto::Tcp } else { Proto::Udp };
                Arg::Proto(proto, rest.first().and_then(|a| a.parse().ok()))
            }
            ["unix", path] => Arg::Unix(UnixKind::Stream, (*path).into()),
            ["unixgram", path] => Arg::Unix(UnixKind::Datagram, (*path).into()),
            _ => Arg::Note(text.into()),
        },
        Op::Ready => {
            let n = l.sock.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
            let names = l.flags.clone().unwrap_or_default();
            let flags = ready::NAMES
                .iter()
                .filter(|(_, name)| names.iter().any(|x| x == name))
                .fold(0, |f, (b, _)| f | b);
            Arg::Ready(n, flags)
        }
        Op::PollWait => {
            let timeout = secs(words.get(1));
            let events = (l.outcome.as_deref() != Some("blocking")).then(|| l.bytes.unwrap_or(0) as u32);
            Arg::PollWait { timeout, events }
        }
        Op::PollAdd => {
            let id = words.get(1).and_then(|w| w.trim_start_matches('#').parse().ok()).unwrap_or(0);
            let interest = match words.get(2) {
                Some(&"write") => Interest::Write,
                Some(&"both") => Interest::Both,
                _ => Interest::Read,
            };
            Arg::PollAdd(id, interest)
        }
        Op::PollDrain => Arg::Drain(words.get(1) == Some(&"on")),
        Op::Serve => {
            let kind =
                if words.first() == Some(&"eventloop") { ServeKind::EventLoop } else { ServeKind::Blocking };
            Arg::Serve(kind, num(words.get(1)).unwrap_or(0) as u32)
        }
        Op::Spin => {
            let size = num(words.get(1)).unwrap_or(1024);
            let tally =
                |k: &str| l.outcomes.as_ref().and_then(|o| o.get(k)).and_then(Value::as_u64).unwrap_or(0);
            let stats = SpinStats {
                calls: l.count.unwrap_or(0),
                wouldblock: tally("wouldblock"),
                data: tally("data"),
                eof: tally("eof"),
                error: tally("error"),
                bytes: l.bytes.unwrap_or(0),
            };
            let count = num(words.get(2));
            let for_ns = if count.is_none() { secs(words.get(2)).map(|d| d.as_nanos() as u64) } else { None };
            Arg::Spin(Box::new(SpinArg { size, count, for_ns, stats }))
        }
        Op::Summary => waits(&text).map_or_else(|| Arg::Note(text.into()), Arg::Waits),
        _ => Arg::None,
    })
}

/// `0.2`, `2s`: the seconds the language writes.
fn secs(w: Option<&&str>) -> Option<Duration> {
    let w = w?.trim_end_matches('s');
    w.parse::<f64>().ok().and_then(|s| Duration::try_from_secs_f64(s).ok())
}

/// `client waits: c1 0.6 ms, c2 304.4 ms`.
fn waits(text: &str) -> Option<Box<[(u32, u64)]>> {
    let list = text.strip_prefix("client waits: ")?;
    list.split(", ")
        .map(|part| {
            let (who, rest) = part.split_once(' ')?;
            let k = who.strip_prefix('c')?.parse().ok()?;
            let ms = rest.strip_suffix(" ms")?.parse::<f64>().ok()?;
            Some((k, Duration::try_from_secs_f64(ms / 1e3).ok()?.as_nanos() as u64))
        })
        .collect()
}

/// `blocking`, `nonblocking rcvtimeo 0.2`, `timeout 0.3 sndtimeo 1`.
fn mode(text: Option<&str>) -> Mode {
    let mut m = Mode::default();
    let words: Vec<&str> = text.unwrap_or("").split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let next = || secs(words.get(i + 1));
        match words[i] {
            "nonblocking" => m.py = PyMode::NonBlocking,
            "timeout" => {
                m.py = PyMode::Timeout(next().unwrap_or_default());
                i += 1;
            }
            "rcvtimeo" => {
                m.rcvtimeo = next();
                i += 1;
            }
            "sndtimeo" => {
                m.sndtimeo = next();
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    m
}

fn outcome(l: &Line) -> Result<Outcome, String> {
    let word = l.outcome.as_deref().unwrap_or(if l.op == "say" { "ok" } else { "" });
    Ok(match word {
        "blocking" => Outcome::Blocking,
        "data" => Outcome::Data,
        "eof" => Outcome::Eof,
        "sent" => Outcome::Sent,
        "partial" => Outcome::Partial,
        "wouldblock" => Outcome::WouldBlock,
        "timeout" => Outcome::Timeout(match l.timeout_by.as_deref() {
            Some("SO_RCVTIMEO") => TimeoutBy::RcvTimeo,
            Some("SO_SNDTIMEO") => TimeoutBy::SndTimeo,
            _ => TimeoutBy::Poll,
        }),
        "inprogress" => Outcome::InProgress,
        "accepted" => Outcome::Accepted(l.new_sock.unwrap_or(0)),
        "connected" => Outcome::Connected,
        "error" => Outcome::Error,
        "ready" => Outcome::Ready,
        "ok" => Outcome::Ok,
        other => return Err(format!("an unknown outcome `{}`", crate::escape::shorten(other))),
    })
}

/// An errno's number from its name (`EAGAIN` → 11); 0 when unknown.
fn errno_of(name: &str) -> i32 {
    crate::sys::errno_by_name(name).unwrap_or(0)
}
