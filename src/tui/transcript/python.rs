//! Transcript lines as the Python they correspond to: the statements
//! `ops::explain` gives for each call, with what Python gave back as a
//! comment on the same line, as a REPL session would have shown it:
//!
//! ```text
//! sock.setblocking(False)
//! data = sock.recv(1024)  # → BlockingIOError: [Errno 11] Resource temporarily unavailable
//! peer.send(b'hello')  # → 5
//! ```
//!
//! Narration becomes a comment. When the lines touch more than one of our
//! sockets, each is named by its number (`sock1`, `sock2`), so the text
//! still says which socket each call was on.

use std::collections::BTreeSet;

use crate::ops::{context, explain};
use crate::record::{Call, Lane, Op, Outcome, Record};

/// The Python for `calls`, one string per line, every line escaped.
pub fn python<'a>(record: &Record, calls: impl Iterator<Item = &'a Call> + Clone) -> Vec<String> {
    let socks: BTreeSet<u32> = calls.clone().flat_map(sockets_named).collect();
    let numbered = socks.len() > 1;
    let mut out = Vec::new();
    for c in calls {
        let mut lines = for_call(record, c);
        if numbered {
            rename_sockets(c, &mut lines);
        }
        out.extend(lines.into_iter().map(|l| crate::escape::text(&l)));
    }
    out
}

/// The sockets a call's Python names: its own, and one it accepted.
fn sockets_named(c: &Call) -> Vec<u32> {
    let mut v: Vec<u32> = c.lane.sock().into_iter().collect();
    if let Outcome::Accepted(k) = c.outcome {
        v.push(k);
    }
    v
}

/// `sock` becomes `sock1`; the `conn` an accept made becomes `sockK`.
fn rename_sockets(c: &Call, lines: &mut [String]) {
    let Lane::Sock(n) = c.lane else { return };
    for l in lines.iter_mut() {
        *l = rename(l, "sock", &format!("sock{n}"));
        if let Outcome::Accepted(k) = c.outcome {
            *l = rename(l, "conn", &format!("sock{k}"));
        }
    }
}

/// Replaces the identifier `from` (not `socket`, `sock_x` or `x.sock`) with
/// `to`, outside string literals, so a payload that says `sock` stays as it was.
fn rename(line: &str, from: &str, to: &str) -> String {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(line.len() + 8);
    let (mut quote, mut escaped, mut prev) = (None, false, None::<char>);
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            None if line[i..].starts_with(from)
                && !prev.is_some_and(|p| ident(p) || p == '.')
                && !line[i + from.len()..].chars().next().is_some_and(ident) =>
            {
                out.push_str(to);
                for _ in 1..from.chars().count() {
                    chars.next();
                }
                prev = from.chars().next_back();
                continue;
            }
            None => {}
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// One call's lines: its statements, the last with `# → result` after it
/// (a bare `→ None` is left out), then its notes.
pub fn for_call(record: &Record, c: &Call) -> Vec<String> {
    if crate::tui::transcript::line::narration(c) {
        let text = c.arg_text().unwrap_or_default();
        return vec![format!("# ── {text}")];
    }
    let ex = explain(c, &context(record, c));
    let (mut code, mut result, mut notes) = (Vec::new(), None, Vec::new());
    for l in ex.python {
        if let Some(r) = l.strip_prefix("→ ") {
            result = Some(r.to_string());
        } else if l.starts_with('#') {
            notes.push(l);
        } else {
            code.push(l);
        }
    }
    if let Some(last) = code.last_mut() {
        assign(c, last);
    }
    // What a REPL does not show: how long the call waited for its answer.
    let waited = c.duration().filter(|d| d.as_micros() >= 1000 && !c.op.is_mode());
    let result = result.filter(|r| r != "None").map(|r| match waited {
        Some(d) => format!("{r}  (after {})", crate::ops::text::dur(d)),
        None => r,
    });
    match (code.last_mut(), result) {
        (Some(last), Some(r)) if !last.contains("  # ") => last.push_str(&format!("  # → {r}")),
        (_, Some(r)) => code.push(format!("# → {r}")),
        (_, None) => {}
    }
    code.extend(notes);
    code
}

/// What a REPL user keeps: the bytes a recv returns.
fn assign(c: &Call, stmt: &mut String) {
    if matches!(c.op, Op::Recv | Op::Peek) && stmt.starts_with("sock.recv(") {
        stmt.insert_str(0, "data = ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Arg, Event, Mode, PyMode, SockInfo, SockKind};

    fn sock_info(id: u32) -> SockInfo {
        SockInfo {
            id,
            kind: SockKind::TcpClient,
            fd: 4 + id as i32,
            local: "127.0.0.1:51000".parse().ok(),
            remote: "127.0.0.1:40000".parse().ok(),
            local_path: None,
            remote_path: None,
            pair: None,
            mode: None,
            pid: None,
        }
    }

    fn done(seq: u64, lane: Lane, op: Op, arg: Arg, outcome: Outcome) -> Call {
        let mut c = Call::begin(seq, lane, op, arg, Mode::default(), seq * 1_000_000);
        c.end_ns = Some(seq * 1_000_000 + 5_000);
        c.outcome = outcome;
        c
    }

    fn record(calls: &[Call]) -> Record {
        let mut r = Record::new();
        r.apply(&Event::Socket(sock_info(1)));
        r.apply(&Event::Socket(sock_info(2)));
        for c in calls {
            r.apply(&Event::Instant(c.clone()));
        }
        r
    }

    fn text(calls: &[Call]) -> String {
        let r = record(calls);
        python(&r, r.timeline().calls().iter()).join("\n")
    }

    fn data(seq: u64, lane: Lane, payload: &[u8]) -> Call {
        let mut c = done(seq, lane, Op::Recv, Arg::Size(1024), Outcome::Data);
        c.bytes = Some(payload.len() as u64);
        c.preview = Some(payload.to_vec().into());
        c
    }

    #[test]
    fn a_recv_reads_as_a_repl_line() {
        assert_eq!(text(&[data(1, Lane::Sock(1), b"hello")]), "data = sock.recv(1024)  # → b'hello'");
    }

    #[test]
    fn errors_mode_changes_peer_actions_and_narration() {
        let mut nb = done(1, Lane::Sock(1), Op::Nonblocking, Arg::None, Outcome::Ok);
        nb.mode = Mode { py: PyMode::NonBlocking, ..Mode::default() };
        let mut wb = done(2, Lane::Sock(1), Op::Recv, Arg::Size(1024), Outcome::WouldBlock);
        wb.mode = nb.mode;
        wb.errno = libc::EAGAIN;
        let say = done(3, Lane::Script, Op::Say, Arg::Note("Now the peer sends.".into()), Outcome::Ok);
        let mut ps = done(4, Lane::Peer, Op::PeerSend, Arg::Text(5), Outcome::Sent);
        ps.bytes = Some(5);
        ps.preview = Some(b"hello".to_vec().into());
        let got = text(&[nb, wb, say, ps]);
        let want = "sock.setblocking(False)\n\
                    # gettimeout() → 0.0, getblocking() → False\n\
                    data = sock.recv(1024)  # → BlockingIOError: [Errno 11] Resource temporarily unavailable\n\
                    # ── Now the peer sends.\n\
                    peer.send(b'hello')  # → 5";
        assert_eq!(got, want);
    }

    #[test]
    fn a_timeout_keeps_the_note_that_explains_it() {
        let mut c = done(
            1,
            Lane::Sock(1),
            Op::Recv,
            Arg::Size(1024),
            Outcome::Timeout(crate::record::TimeoutBy::Poll),
        );
        c.mode = Mode { py: PyMode::Timeout(std::time::Duration::from_millis(200)), ..Mode::default() };
        let got = text(&[c]);
        assert!(
            got.starts_with("data = sock.recv(1024)  # → TimeoutError: timed out\n# e.errno is None"),
            "{got}"
        );
    }

    #[test]
    fn two_sockets_are_named_by_number() {
        let got = text(&[data(1, Lane::Sock(1), b"a"), data(2, Lane::Sock(2), b"b")]);
        assert_eq!(got, "data = sock1.recv(1024)  # → b'a'\ndata = sock2.recv(1024)  # → b'b'");
        let acc = done(1, Lane::Sock(1), Op::Accept, Arg::None, Outcome::Accepted(2));
        let got = text(&[acc, data(2, Lane::Sock(2), b"x")]);
        assert!(
            got.starts_with("sock2, addr = sock1.accept()  # → (sock2, addr), sock2 is socket #2"),
            "{got}"
        );
    }

    #[test]
    fn rename_touches_the_identifier_only() {
        assert_eq!(rename("sock = socket.socket(x)", "sock", "sock1"), "sock1 = socket.socket(x)");
        assert_eq!(rename("peer.sock.x sock_y sock.recv()", "sock", "s"), "peer.sock.x sock_y s.recv()");
        assert_eq!(rename("sock.send(b'sock \\' sock')", "sock", "s"), "s.send(b'sock \\' sock')");
    }

    #[test]
    fn hostile_payloads_and_narration_stay_escaped() {
        let say = done(1, Lane::Script, Op::Say, Arg::Note("\x1b]52;c;AAAA\x07".into()), Outcome::Ok);
        let got = text(&[data(2, Lane::Sock(1), b"\x1b[2J\x9b"), say]);
        assert!(!got.chars().any(|c| c != '\n' && crate::escape::is_unsafe(c)), "{got:?}");
        assert!(got.contains("b'\\x1b[2J\\x9b'"), "{got}");
        assert!(got.contains("# ── \\x1b]52;c;AAAA\\x07"), "{got}");
    }
}
