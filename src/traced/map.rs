//! How one value of the tracer's is said in the record's words: its op,
//! its mode, its argument, and the real syscall behind a call.

use std::time::Duration;

use crate::command::How;
use crate::escape::escape;
use crate::record::traced::{self as rt, Traced};
use crate::record::{Arg, Mode, Op, PyMode};
use crate::trace;
use crate::trace::event::{Addr, Arg as TArg};

pub fn op(c: &trace::Call) -> Op {
    let peek = matches!(c.arg, TArg::Buf { flags, .. } if flags & libc::MSG_PEEK != 0);
    match c.op {
        trace::Op::Socket => Op::Socket,
        trace::Op::Bind => Op::Bind,
        trace::Op::Listen => Op::Listen,
        trace::Op::Accept => Op::Accept,
        trace::Op::Connect => Op::Connect,
        trace::Op::Recv if peek => Op::Peek,
        trace::Op::Recv => Op::Recv,
        trace::Op::Send => Op::Send,
        trace::Op::Shutdown => Op::Shutdown,
        trace::Op::Close => Op::Close,
        trace::Op::Poll if c.syscall == trace::Syscall::EpollCtl => Op::PollAdd,
        trace::Op::Poll => Op::PollWait,
        trace::Op::Blocking => Op::Blocking,
        trace::Op::Nonblocking => Op::Nonblocking,
        trace::Op::RcvTimeo => Op::RcvTimeo,
        trace::Op::SndTimeo => Op::SndTimeo,
        trace::Op::Fcntl | trace::Op::Ioctl | trace::Op::Setsockopt => Op::Control,
    }
}

/// The kernel's mode as the record keeps a mode: O_NONBLOCK is what
/// `setblocking(False)` sets; the timers are the kernel's own.
pub fn record_mode(m: Option<trace::Mode>) -> Mode {
    let m = m.unwrap_or_default();
    Mode {
        py: if m.nonblock { PyMode::NonBlocking } else { PyMode::Blocking },
        rcvtimeo: m.rcvtimeo,
        sndtimeo: m.sndtimeo,
    }
}

pub fn record_arg(a: &TArg) -> Arg {
    let note = |a: &TArg| a.text().map_or(Arg::None, |t| Arg::Note(t.into()));
    match a {
        TArg::None => Arg::None,
        TArg::Addr(Addr::Inet(s)) => Arg::Addr(*s),
        TArg::Addr(Addr::Unix { path, abstract_: false }) => Arg::Path(escape(path).into()),
        TArg::Backlog(n) => Arg::Count((*n).max(0) as u32),
        TArg::Buf { len, .. } => Arg::Size(*len),
        TArg::Shutdown(h) => match *h {
            libc::SHUT_RD => Arg::How(How::Read),
            libc::SHUT_WR => Arg::How(How::Write),
            _ => Arg::How(How::Both),
        },
        TArg::Timeo(d) => Arg::Secs(*d),
        TArg::Wait { timeout, .. } => Arg::PollWait { timeout: timeout.map(cap), events: None },
        other => note(other),
    }
}

/// A wait's timeout, kept within what a recording may hold.
fn cap(d: Duration) -> Duration {
    d.min(Duration::from_secs(30 * 24 * 3600))
}

pub fn traced(c: &trace::Call) -> Traced {
    let watch = match &c.arg {
        TArg::Wait { fds, .. } => fds.iter().map(|w| rt::WaitFd { fd: w.fd, events: w.events }).collect(),
        _ => Vec::new(),
    };
    Traced {
        pid: c.pid,
        tid: c.tid,
        syscall: c.syscall.name().into(),
        args: c.args,
        ret: c.ret,
        strace: c.strace.clone().unwrap_or_default(),
        watch,
        ready: c.ready.iter().map(|w| rt::WaitFd { fd: w.fd, events: w.events }).collect(),
    }
}
