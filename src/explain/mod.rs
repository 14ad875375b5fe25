//! Explains one recorded call at three levels: the syscalls sockscope really
//! made (strace notation, real values), the Python equivalent and what
//! Python gives, and one or two plain sentences on why it came out that way.
//!
//! Pure: it reads a [`Call`] and a small [`Context`] and builds text. Every
//! statement follows the measured facts (SOCKET-FACTS.md) and the way the
//! engine makes each call (see `worker.rs` and `ops.rs`; for the event loop,
//! busy-polling and servers, `eventloop.rs`, `spin.rs` and `serve.rs`).

mod busy;
mod poll;
mod python;
mod strace;
mod text;
mod why;
mod why_error;
mod why_loop;
mod why_serve;
mod why_setup;
mod why_unix;

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::command::Proto;
use crate::record::call::{Arg, Call, Lane, Op, Outcome};
use crate::record::event::SockKind;
use crate::record::mode::Mode;
use crate::record::timeline::Timeline;

pub use poll::undrained;
pub use text::{py_error, strace_err, strerror};

/// What a single record does not say but the front end knows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    /// The socket's fd (for peer records: the peer's fd, usually unknown;
    /// for `poll add` and readiness records: the fd of the socket they name).
    /// Without it the lines say `fd`.
    pub fd: Option<i32>,
    pub kind: Option<SockKind>,
    /// The previous call on the same lane, mode changes skipped (see [`prev_call`]).
    pub prev: Option<Prev>,
    /// For `accepted #K`: the fd of socket #K, if known.
    pub new_fd: Option<i32>,
    /// For a `poll wait`: a socket reported readable earlier and not read
    /// until EAGAIN since (see [`undrained`]).
    pub undrained: Option<u32>,
}

/// The parts of an earlier call that change an explanation: an EOF right
/// after ECONNRESET, an EPIPE right after a send that still succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prev {
    pub op: Op,
    pub outcome: Outcome,
    pub errno: i32,
}

impl Prev {
    pub fn of(c: &Call) -> Prev {
        Prev { op: c.op, outcome: c.outcome, errno: c.errno }
    }
}

/// The three levels. All empty for narration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    /// One strace line per syscall, in order.
    pub syscalls: Vec<String>,
    /// Python statements, then `→ result`, then `# notes`.
    pub python: Vec<String>,
    pub why: String,
}

impl Explanation {
    pub fn is_empty(&self) -> bool {
        self.syscalls.is_empty() && self.python.is_empty() && self.why.is_empty()
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.syscalls.is_empty() {
            writeln!(f, "syscalls:")?;
            for l in &self.syscalls {
                writeln!(f, "  {l}")?;
            }
        }
        if !self.python.is_empty() {
            writeln!(f, "python:")?;
            for l in &self.python {
                writeln!(f, "  {l}")?;
            }
        }
        if !self.why.is_empty() {
            writeln!(f, "why: {}", self.why)?;
        }
        Ok(())
    }
}

/// Explains one record. Narration (`say`) gets an empty explanation.
pub fn explain(call: &Call, ctx: &Context) -> Explanation {
    if call.lane == Lane::Script || call.op == Op::Say {
        return Explanation::default();
    }
    Explanation {
        syscalls: strace::lines(call, ctx),
        python: python::lines(call, ctx),
        why: why::text(call, ctx),
    }
}

/// The call before `call` on its lane, skipping mode changes, which do not
/// touch the connection. `None` for the first call.
pub fn prev_call<'a>(timeline: &'a Timeline, call: &Call) -> Option<&'a Call> {
    let mut earlier = timeline.lane(call.lane).iter().rev().filter_map(|&i| timeline.get(i as usize));
    earlier.by_ref().find(|c| c.seq == call.seq)?;
    earlier.find(|c| !c.op.is_mode() && c.op != Op::Say)
}

// Facts about a call that all three levels use.

fn fd(ctx: &Context) -> String {
    ctx.fd.map_or_else(|| "fd".into(), |f| f.to_string())
}

/// A datagram socket (UDP or AF_UNIX SOCK_DGRAM).
fn is_udp(call: &Call, ctx: &Context) -> bool {
    ctx.kind.is_some_and(SockKind::is_dgram)
        || matches!(call.arg, Arg::Proto(Proto::Udp, _) | Arg::Unix(crate::command::UnixKind::Datagram, _))
}

/// The AF_UNIX path a record names (listen, connect, open), if any.
fn unix_path(call: &Call) -> Option<&str> {
    match &call.arg {
        Arg::Path(p) | Arg::Unix(_, p) => Some(p),
        _ => None,
    }
}

/// Whether a record is about an AF_UNIX socket.
fn is_unix(call: &Call, ctx: &Context) -> bool {
    ctx.kind.is_some_and(SockKind::is_unix) || unix_path(call).is_some()
}

/// CPython-style `timeout T` (T > 0): each call waits in poll() first.
fn poll_wait(mode: Mode) -> Option<Duration> {
    mode.py.poll_timeout()
}

/// poll()'s millisecond argument, rounded up as the engine does.
fn poll_ms(t: Duration) -> i32 {
    super::sys::timeout_ms(t)
}

/// Whether the call spent noticeable time in the kernel (not just a copy).
fn waited(call: &Call) -> bool {
    call.duration().is_some_and(|d| d >= Duration::from_millis(1))
}

fn took(call: &Call) -> String {
    call.duration().map_or_else(|| "?".into(), text::dur)
}

/// Where a connect (or `open tcp`) went.
fn target(call: &Call) -> Option<SocketAddr> {
    match call.arg {
        Arg::Addr(a) => Some(a),
        Arg::Proto(_, a) => a,
        _ => None,
    }
}

/// Errors a timed connect learns from SO_ERROR after poll, rather than
/// from connect() itself.
fn via_so_error(errno: i32) -> bool {
    matches!(errno, libc::ECONNREFUSED | libc::ETIMEDOUT | libc::EHOSTUNREACH | libc::ENETUNREACH)
}

fn after_reset(ctx: &Context) -> bool {
    ctx.prev.is_some_and(|p| p.outcome == Outcome::Error && p.errno == libc::ECONNRESET)
}
