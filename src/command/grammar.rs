//! The grammar: one function per command (see DESIGN.md, "The command language").

use std::time::Duration;

use super::ast::*;
use super::errno::{ALIASES, ERRNO_NAMES};
use super::lexer::{Kind, Token};
use super::parse::{ParseError, Parser, keyword_of, unknown_command};
use super::suggest::closest;
use super::usage::form;
use super::values::{self, err};

type R<T> = Result<T, ParseError>;

/// `recv` and `spin recv` read this much when no size is given.
const DEFAULT_RECV: u64 = 1024;
/// Most clients one `peer connect` may open: enough for any backlog demo.
const MAX_PEER_CONNECT: u32 = 64;
/// Clients a `serve` handles when no number is given.
const DEFAULT_SERVE: u32 = 3;

const SECS_HINT: &str = "expected seconds (e.g. 0.2) or `none`";
const PAYLOAD_HINT: &str = "expected a quoted string like \"hello\" or a size like 64k";
const LIMIT_HINT: &str = "expected a count (e.g. 1000) or a duration (e.g. 2s)";
pub(crate) const OUTCOMES: &[&str] = &[
    "data",
    "eof",
    "sent",
    "partial",
    "wouldblock",
    "timeout",
    "inprogress",
    "accepted",
    "connected",
    "blocking",
    "error",
    "events",
    "queued",
    "slowest",
];

impl Parser<'_> {
    /// Parses the rest of the line after the command word `first`.
    pub(crate) fn command(&mut self, first: &Token) -> R<Command> {
        let word = first.word().unwrap_or_default();
        let cmd = match word.as_str() {
            "open" => self.open()?,
            "listen" if self.peek_is("unix")? => {
                self.next()?;
                Command::ListenUnix { path: self.optional(values::unix_path)? }
            }
            "listen" => Command::Listen { addr: self.optional(values::addr)? },
            "socket" => self.socket()?,
            "use" => {
                Command::Use(values::sock_num(&self.required("`use` needs a socket number, like `use 1`")?)?)
            }
            "blocking" => Command::Mode(ModeSet::Blocking),
            "nonblocking" => Command::Mode(ModeSet::Nonblocking),
            "timeout" => Command::Mode(ModeSet::Timeout(self.timeout()?)),
            "rcvtimeo" => Command::Mode(ModeSet::RcvTimeo(self.secs("rcvtimeo")?)),
            "sndtimeo" => Command::Mode(ModeSet::SndTimeo(self.secs("sndtimeo")?)),
            "recv" => {
                Command::Call(SockCall::Recv { size: self.optional(values::size)?.unwrap_or(DEFAULT_RECV) })
            }
            "peek" => {
                Command::Call(SockCall::Peek { size: self.optional(values::size)?.unwrap_or(DEFAULT_RECV) })
            }
            "send" => Command::Call(SockCall::Send(payload(
                &self.required(&format!("{PAYLOAD_HINT} after `send`"))?,
            )?)),
            "accept" => Command::Call(SockCall::Accept),
            "connect" => Command::Call(SockCall::Connect(self.optional(values::addr)?)),
            "shutdown" => Command::Call(SockCall::Shutdown(self.how()?)),
            "close" => Command::Call(SockCall::Close),
            "peer" => Command::Peer(self.peer()?),
            "wait" => Command::Wait(values::duration(
                &self.required("`wait` needs a duration like 300ms or 1.5s")?,
            )?),
            "expect" => Command::Expect(self.expect()?),
            "say" => Command::Say(self.say()?),
            "spin" => self.spin()?,
            "poll" => self.poll()?,
            "serve" => self.serve()?,
            "export" => {
                self.keyword("export", &["python"])?;
                const NEEDS: &str = "`export python` needs a file name, like export python lesson.py";
                let mut t = self.required(NEEDS)?;
                // A bare `--harness` is the flag; a quoted one is a file name.
                let harness = t.word().as_deref() == Some("--harness");
                if harness {
                    t = self.required(NEEDS)?;
                }
                Command::Export { path: values::file_name(&t)?, harness }
            }
            _ => return Err(unknown_command(first)),
        };
        self.end(form(&cmd))?;
        Ok(cmd)
    }

    fn open(&mut self) -> R<Command> {
        let proto = match self.keyword("open", &["tcp", "udp", "unix", "unixgram"])? {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            unix => {
                let kind = if unix == "unix" { UnixKind::Stream } else { UnixKind::Datagram };
                return Ok(Command::OpenUnix { kind, path: self.optional(values::unix_path)? });
            }
        };
        Ok(Command::Open { proto, addr: self.optional(values::addr)? })
    }

    /// `socket tcp|udp|tcp6|udp6`.
    fn socket(&mut self) -> R<Command> {
        let word = self.keyword("socket", &["tcp", "udp", "tcp6", "udp6"])?;
        let proto = if word.starts_with("tcp") { Proto::Tcp } else { Proto::Udp };
        Ok(Command::Socket { proto, v6: word.ends_with('6') })
    }

    fn how(&mut self) -> R<How> {
        Ok(match self.keyword("shutdown", &["rd", "wr", "both"])? {
            "rd" => How::Read,
            "wr" => How::Write,
            _ => How::Both,
        })
    }

    fn timeout(&mut self) -> R<Option<Duration>> {
        let t = self.required(&format!("{SECS_HINT} after `timeout`"))?;
        if t.word().as_deref() == Some("none") {
            return Ok(None);
        }
        values::seconds(&t, SECS_HINT).map(Some)
    }

    fn secs(&mut self, ctx: &str) -> R<Duration> {
        let t = self.required(&format!("expected seconds (e.g. 0.2) after `{ctx}`"))?;
        values::seconds(&t, "expected seconds (e.g. 0.2)")
    }

    fn peer(&mut self) -> R<PeerCmd> {
        let choices = ["send", "pause", "resume", "close", "reset", "shutdown", "connect"];
        Ok(match self.keyword("peer", &choices)? {
            "send" => self.peer_send()?,
            "pause" => PeerCmd::Pause,
            "resume" => PeerCmd::Resume,
            "close" => PeerCmd::Close,
            "reset" => PeerCmd::Reset,
            "shutdown" => {
                self.keyword("peer shutdown", &["wr"])?;
                PeerCmd::ShutdownWr
            }
            _ => PeerCmd::Connect(self.optional(peer_clients)?.unwrap_or(1)),
        })
    }

    fn peer_send(&mut self) -> R<PeerCmd> {
        let payload = payload(&self.required(&format!("{PAYLOAD_HINT} after `peer send`"))?)?;
        let mut after = None;
        if self.peek_is("after")? {
            self.next()?;
            let t = self.required("`after` needs a duration like 300ms or 1.5s")?;
            after = Some(values::duration(&t)?);
        }
        Ok(PeerCmd::Send { payload, after })
    }

    fn expect(&mut self) -> R<Expectation> {
        let kinds = [CallKind::Recv, CallKind::Peek, CallKind::Send, CallKind::Accept, CallKind::Connect];
        let mut call = None;
        for k in kinds {
            if self.peek_is(k.word())? {
                self.next()?;
                call = Some(k);
                break;
            }
        }
        let outcome = match self.keyword("expect", OUTCOMES)? {
            "data" => ExpectOutcome::Data,
            "eof" => ExpectOutcome::Eof,
            "sent" => ExpectOutcome::Sent,
            "partial" => ExpectOutcome::Partial,
            "wouldblock" => ExpectOutcome::WouldBlock,
            "timeout" => ExpectOutcome::Timeout,
            "inprogress" => ExpectOutcome::InProgress,
            "accepted" => ExpectOutcome::Accepted,
            "connected" => ExpectOutcome::Connected,
            "blocking" => ExpectOutcome::Blocking,
            "events" => ExpectOutcome::Events,
            "queued" => ExpectOutcome::Queued,
            "slowest" => {
                let over = self.keyword("expect slowest", &["over", "under"])? == "over";
                let d = values::duration(&self.required("`expect slowest` needs a duration like 200ms")?)?;
                if over { ExpectOutcome::SlowestOver(d) } else { ExpectOutcome::SlowestUnder(d) }
            }
            _ => ExpectOutcome::Error(errno(
                &self.required("`expect error` needs an errno name like ECONNRESET")?,
            )?),
        };
        let n = match outcome {
            ExpectOutcome::Data
            | ExpectOutcome::Sent
            | ExpectOutcome::Partial
            | ExpectOutcome::Events
            | ExpectOutcome::Queued => self.optional(values::count)?,
            ExpectOutcome::Accepted => self.optional(values::sock_num)?.map(u64::from),
            _ => None,
        };
        Ok(Expectation { call, outcome, n })
    }

    fn say(&mut self) -> R<String> {
        let Some(t) = self.text_or_rest()? else {
            return Err(self.missing("`say` needs text, like say \"hello\""));
        };
        let Kind::Str(bytes) = t.kind else {
            return Err(err(t.col, "`say` needs text, like say \"hello\""));
        };
        String::from_utf8(bytes)
            .map_err(|_| err(t.col, "`say` text must be valid UTF-8 (a \\xNN escape made it invalid)"))
    }

    /// `spin recv [SIZE] COUNT|DUR`: with two numbers, the first is SIZE.
    fn spin(&mut self) -> R<Command> {
        self.keyword("spin", &["recv"])?;
        let first = self.required(&format!("{LIMIT_HINT} after `spin recv`"))?;
        match self.next()? {
            Some(second) => Ok(Command::Spin { size: values::size(&first)?, limit: spin_limit(&second)? }),
            None if values::size(&first).is_ok() && !values::is_plain_int(&first) => {
                let message = format!("{LIMIT_HINT} after the size, like `spin recv {} 1000`", first.shown());
                Err(self.missing(message))
            }
            None => Ok(Command::Spin { size: DEFAULT_RECV, limit: spin_limit(&first)? }),
        }
    }

    fn poll(&mut self) -> R<Command> {
        Ok(match self.keyword("poll", &["add", "wait", "drain"])? {
            "add" => self.poll_add()?,
            "wait" => Command::PollWait(self.optional(values::duration)?),
            _ => Command::PollDrain(self.keyword("poll drain", &["on", "off"])? == "on"),
        })
    }

    /// `serve blocking|eventloop [N]`.
    fn serve(&mut self) -> R<Command> {
        let kind = match self.keyword("serve", &["blocking", "eventloop"])? {
            "blocking" => ServeKind::Blocking,
            _ => ServeKind::EventLoop,
        };
        let clients = match self.optional(values::count)? {
            None => DEFAULT_SERVE,
            Some(0) => return Err(self.missing("`serve` needs at least 1 client")),
            Some(n) if n > MAX_PEER_CONNECT as u64 => {
                return Err(self.missing(format!("`serve` serves at most {MAX_PEER_CONNECT} clients")));
            }
            Some(n) => n as u32,
        };
        Ok(Command::Serve { kind, clients })
    }

    fn poll_add(&mut self) -> R<Command> {
        let interests = ["read", "write", "both"];
        let t = self.required("`poll add` needs one of read|write|both")?;
        let (sock, kw) = if values::is_plain_int(&t) {
            (Some(values::sock_num(&t)?), self.keyword(&format!("poll add {}", t.shown()), &interests)?)
        } else {
            (None, keyword_of(&t, "poll add", &interests)?)
        };
        let interest = match kw {
            "read" => Interest::Read,
            "write" => Interest::Write,
            _ => Interest::Both,
        };
        Ok(Command::PollAdd { sock, interest })
    }
}

/// `send`/`peer send` payload: a quoted string or a size.
fn payload(t: &Token) -> R<Payload> {
    match &t.kind {
        Kind::Str(bytes) => Ok(Payload::Text(bytes.clone())),
        Kind::Word if t.raw.starts_with(|c: char| c.is_ascii_digit()) => values::size(t).map(Payload::Size),
        Kind::Word => Err(err(t.col, PAYLOAD_HINT)),
    }
}

/// `peer connect N`: how many clients, 1..=64.
fn peer_clients(t: &Token) -> R<u32> {
    if !values::is_plain_int(t) {
        return Err(err(t.col, "expected a number of clients like 3"));
    }
    match t.raw.parse::<u32>() {
        Ok(0) => Err(err(t.col, "`peer connect` needs at least 1 client")),
        Ok(n) if n <= MAX_PEER_CONNECT => Ok(n),
        _ => Err(err(t.col, format!("`peer connect` opens at most {MAX_PEER_CONNECT} clients at once"))),
    }
}

/// `ECONNRESET`, any case: one of the names sockscope reports, upper-cased.
fn errno(t: &Token) -> R<String> {
    let name = t.raw.to_ascii_uppercase();
    let ident = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if t.kind != Kind::Word || !ident || !name.starts_with('E') || name.len() < 2 {
        return Err(err(t.col, "expected an errno name like ECONNRESET"));
    }
    if ERRNO_NAMES.contains(&name.as_str()) {
        return Ok(name);
    }
    let shown = t.shown();
    let message = match ALIASES.iter().find(|(alias, _)| *alias == name) {
        Some((_, real)) => format!("`{shown}` is reported as {real} (the same errno on Linux): write {real}"),
        // Every name starts with E: compare the rest, or EFOO would be "close" to EDOM.
        None => match closest(&name[1..], &ERRNO_NAMES.iter().map(|n| &n[1..]).collect::<Vec<_>>()) {
            Some(s) => format!("unknown errno `{shown}`: did you mean E{s}?"),
            None => format!("unknown errno `{shown}`; the names are: {}", ERRNO_NAMES.join(" ")),
        },
    };
    Err(err(t.col, message))
}

/// A bare integer is a repeat count; anything else must be a duration
/// with its unit (`0.5` alone would read as either).
fn spin_limit(t: &Token) -> R<SpinLimit> {
    if values::is_plain_int(t) {
        return match values::count(t)? {
            0 => Err(err(t.col, "the count must be at least 1")),
            n => Ok(SpinLimit::Count(n)),
        };
    }
    match values::duration_with_unit(t)? {
        Duration::ZERO => Err(err(t.col, "the duration must be more than zero")),
        d => Ok(SpinLimit::For(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(raw: &str) -> Token<'_> {
        Token { kind: Kind::Word, raw, col: 1 }
    }

    #[test]
    fn spin_limit_tells_counts_from_durations() {
        assert_eq!(spin_limit(&tok("10")), Ok(SpinLimit::Count(10)));
        assert_eq!(spin_limit(&tok("10ms")), Ok(SpinLimit::For(Duration::from_millis(10))));
        assert!(spin_limit(&tok("10k")).is_err());
    }

    #[test]
    fn errno_is_upper_cased_and_checked() {
        assert_eq!(errno(&tok("eagain")), Ok("EAGAIN".to_string()));
        assert!(errno(&tok("E")).is_err());
        assert!(errno(&tok("E-X")).is_err());
        assert!(errno(&tok("AGAIN")).is_err());
        assert!(errno(&tok("EFOO")).unwrap_err().message.contains("unknown errno `EFOO`; the names are"));
        assert!(errno(&tok("ECONNRESTE")).unwrap_err().message.contains("did you mean ECONNRESET?"));
        assert!(errno(&tok("ewouldblock")).unwrap_err().message.contains("write EAGAIN"));
    }

    #[test]
    fn payload_is_text_or_size() {
        let text = Token { kind: Kind::Str(b"hi".to_vec()), raw: "\"hi\"", col: 1 };
        assert_eq!(payload(&text), Ok(Payload::Text(b"hi".to_vec())));
        assert_eq!(payload(&tok("2")), Ok(Payload::Size(2)));
        assert!(payload(&tok("hi")).is_err());
    }
}
