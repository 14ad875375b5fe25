//! The mode commands: `blocking`, `nonblocking`, `timeout SECS|none`,
//! `rcvtimeo SECS`, `sndtimeo SECS`. Made on the fd at once, one syscall
//! each as CPython makes it (ioctl FIONBIO, or setsockopt for the kernel
//! timers), then read back from the kernel.

use std::os::fd::RawFd;
use std::time::Duration;

use super::io::fd;
use super::text::{set, timeval};
use super::{Context, Describe};
use crate::command::ModeSet;
use crate::record::mode::secs;
use crate::record::{Arg, Call, Mode, PyMode};
use crate::sys::{self, Timer};

/// Which mode command; `ops::describe` names which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeOp {
    Blocking,
    Nonblocking,
    Timeout,
    RcvTimeo,
    SndTimeo,
}

pub struct ModeChange(pub ModeOp);

/// Makes the mode change on `fd` and updates `mode`. Returns the record's
/// argument, or the failed syscall's name and error.
pub fn apply(fd: RawFd, set: ModeSet, mode: &mut Mode) -> Result<Arg, (&'static str, std::io::Error)> {
    let fionbio = |on| sys::set_nonblocking(fd, on).map_err(|e| ("ioctl FIONBIO", e));
    Ok(match set {
        ModeSet::Blocking | ModeSet::Timeout(None) => {
            fionbio(false)?;
            mode.py = PyMode::Blocking;
            Arg::None
        }
        ModeSet::Nonblocking => {
            fionbio(true)?;
            mode.py = PyMode::NonBlocking;
            Arg::None
        }
        ModeSet::Timeout(Some(t)) => {
            fionbio(true)?;
            mode.py = PyMode::Timeout(t);
            Arg::Secs(t)
        }
        ModeSet::RcvTimeo(t) => {
            sys::set_timer(fd, Timer::Recv, t).map_err(|e| ("setsockopt SO_RCVTIMEO", e))?;
            mode.rcvtimeo = Some(t);
            Arg::Secs(t)
        }
        ModeSet::SndTimeo(t) => {
            sys::set_timer(fd, Timer::Send, t).map_err(|e| ("setsockopt SO_SNDTIMEO", e))?;
            mode.sndtimeo = Some(t);
            Arg::Secs(t)
        }
    })
}

/// The mode command as a line of the exported Python harness.
pub fn export(m: ModeSet) -> String {
    match m {
        ModeSet::Blocking => "setblocking(True)".into(),
        ModeSet::Nonblocking => "setblocking(False)".into(),
        ModeSet::Timeout(None) => "settimeout(None)".into(),
        ModeSet::Timeout(Some(t)) => format!("settimeout({})", super::literal::py_secs(t)),
        ModeSet::RcvTimeo(t) => timeo("SO_RCVTIMEO", t),
        ModeSet::SndTimeo(t) => timeo("SO_SNDTIMEO", t),
    }
}

/// The mode command in the learner's script, on the socket called `sock`.
pub fn learner(m: ModeSet, sock: &str) -> Vec<String> {
    let timer = |opt: &str, t: Duration| {
        let set = format!(
            "{sock}.setsockopt(socket.SOL_SOCKET, socket.{opt}, struct.pack(\"ll\", {}, {}))",
            t.as_secs().min(i64::MAX as u64),
            t.subsec_micros()
        );
        match t.is_zero() {
            true => vec![format!("{set}  # 0: the kernel waits forever")],
            false => vec![set],
        }
    };
    match m {
        ModeSet::Blocking => vec![format!("{sock}.setblocking(True)")],
        ModeSet::Nonblocking => vec![format!("{sock}.setblocking(False)")],
        ModeSet::Timeout(None) => vec![format!("{sock}.settimeout(None)")],
        ModeSet::Timeout(Some(t)) if t.is_zero() => {
            vec![format!("{sock}.settimeout(0)  # the same as setblocking(False)")]
        }
        ModeSet::Timeout(Some(t)) => vec![format!("{sock}.settimeout({})", super::literal::py_secs(t))],
        ModeSet::RcvTimeo(t) => timer("SO_RCVTIMEO", t),
        ModeSet::SndTimeo(t) => timer("SO_SNDTIMEO", t),
    }
}

/// `setsockopt(SOL_SOCKET, SO_RCVTIMEO, struct.pack("ll", sec, usec))`.
fn timeo(opt: &str, t: Duration) -> String {
    let sec = t.as_secs().min(i64::MAX as u64);
    format!("setsockopt_timeo(socket.{opt}, {sec}, {})", t.subsec_micros())
}

const STILL_BLOCKED: &str = "A call already blocked keeps waiting: the new mode applies from the next call.";

impl Describe for ModeChange {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        let fd = fd(cx);
        let mut out = Vec::new();
        match self.0 {
            ModeOp::RcvTimeo | ModeOp::SndTimeo => {
                let name = if self.0 == ModeOp::RcvTimeo { "SO_RCVTIMEO_OLD" } else { "SO_SNDTIMEO_OLD" };
                let us = asked(c).as_secs() * 1_000_000 + u64::from(asked(c).subsec_micros());
                out.push(format!("setsockopt({fd}, SOL_SOCKET, {name}, {}, 16) = 0", timeval(us)));
            }
            ModeOp::Blocking | ModeOp::Nonblocking | ModeOp::Timeout => {
                out.push(format!("ioctl({fd}, FIONBIO, [{}]) = 0", u8::from(c.mode.py.wants_nonblock())))
            }
        }
        if let Some(k) = c.kernel {
            out.push(if k.nonblock {
                format!("fcntl({fd}, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)")
            } else {
                format!("fcntl({fd}, F_GETFL) = 0x2 (flags O_RDWR)")
            });
            for (name, us) in [("SO_RCVTIMEO_OLD", k.rcvtimeo_us), ("SO_SNDTIMEO_OLD", k.sndtimeo_us)] {
                out.push(format!("getsockopt({fd}, SOL_SOCKET, {name}, {}, [16]) = 0", timeval(us)));
            }
        }
        out
    }

    fn python(&self, c: &Call, _cx: &Context) -> Vec<String> {
        let lines: Vec<String> = match self.0 {
            ModeOp::Blocking => vec![
                "sock.setblocking(True)  # or sock.settimeout(None)".into(),
                "→ None".into(),
                "# gettimeout() → None, getblocking() → True".into(),
            ],
            ModeOp::Nonblocking => vec![
                "sock.setblocking(False)".into(),
                "→ None".into(),
                "# gettimeout() → 0.0, getblocking() → False".into(),
            ],
            ModeOp::Timeout => match c.mode.py {
                PyMode::Timeout(t) if !t.is_zero() => vec![
                    format!("sock.settimeout({})", secs(t)),
                    "→ None".into(),
                    format!("# gettimeout() → {}, getblocking() → True, yet the fd has O_NONBLOCK", float(t)),
                ],
                _ => vec![
                    "sock.settimeout(0)  # same as sock.setblocking(False)".into(),
                    "→ None".into(),
                    "# gettimeout() → 0.0, getblocking() → False".into(),
                ],
            },
            ModeOp::RcvTimeo => timer_py(c, Timer::Recv),
            ModeOp::SndTimeo => timer_py(c, Timer::Send),
        };
        lines
    }

    fn why(&self, c: &Call, _cx: &Context) -> String {
        let kernel = c.kernel.map_or_else(String::new, |k| format!(" (the kernel holds: {k})"));
        match self.0 {
            ModeOp::Blocking => format!(
                "O_NONBLOCK is now clear{kernel}: a call that cannot complete sleeps until it can. {STILL_BLOCKED}"
            ),
            ModeOp::Nonblocking => format!(
                "O_NONBLOCK is now set{kernel}: a call that would have to wait returns EAGAIN at once (Python: \
                 BlockingIOError). {STILL_BLOCKED}"
            ),
            ModeOp::Timeout => match c.mode.py {
                PyMode::Timeout(t) if !t.is_zero() => format!(
                    "Like CPython, sockscope sets O_NONBLOCK and keeps the timeout itself{kernel}: each call first \
                     waits in poll() for up to {} ms, and if that runs out the call is never made. {STILL_BLOCKED}",
                    super::io::poll_ms(t)
                ),
                _ => format!(
                    "settimeout(0) is the same as setblocking(False): O_NONBLOCK is now set{kernel}, so a call that \
                     would wait returns EAGAIN at once. To the kernel a zero timeout means the opposite: SO_RCVTIMEO \
                     0 waits forever."
                ),
            },
            ModeOp::RcvTimeo => timer_why(c, Timer::Recv),
            ModeOp::SndTimeo => timer_why(c, Timer::Send),
        }
    }
}

fn asked(c: &Call) -> Duration {
    match c.arg {
        Arg::Secs(d) => d,
        _ => Duration::ZERO,
    }
}

/// What Python's `gettimeout()` returns: a float.
fn float(d: Duration) -> String {
    let s = secs(d);
    if s.contains('.') { s } else { format!("{s}.0") }
}

fn timer_py(c: &Call, timer: Timer) -> Vec<String> {
    let (name, call) = match timer {
        Timer::Recv => ("SO_RCVTIMEO", "recv"),
        Timer::Send => ("SO_SNDTIMEO", "send"),
    };
    let t = asked(c);
    vec![
        format!(
            "sock.setsockopt(socket.SOL_SOCKET, socket.{name}, struct.pack(\"ll\", {}, {}))",
            t.as_secs(),
            t.subsec_micros()
        ),
        "→ None".into(),
        if t.is_zero() {
            "# 0 here means wait forever (settimeout(0) means the opposite: don't wait)".into()
        } else {
            format!(
                "# gettimeout() stays None: when the timer runs out, {call} raises BlockingIOError, not TimeoutError"
            )
        },
    ]
}

/// A timer as the kernel holds it: `0.2 s`, or `0 (forever)`.
fn held(us: u64) -> String {
    if us == 0 { "0 (wait forever)".into() } else { set(Duration::from_micros(us)) }
}

fn timer_why(c: &Call, timer: Timer) -> String {
    let recv = timer == Timer::Recv;
    let (name, calls) = if recv { ("SO_RCVTIMEO", "recv or accept") } else { ("SO_SNDTIMEO", "send") };
    let asked = asked(c);
    let got = c.kernel.map(|k| if recv { k.rcvtimeo_us } else { k.sndtimeo_us });
    if asked.is_zero() {
        return format!(
            "To the kernel, {name} 0 means wait forever: a blocking {calls} now has no time limit. Python's \
             settimeout(0) means the opposite: don't wait at all."
        );
    }
    let now = got.map_or_else(|| set(asked), held);
    let mut s = if recv {
        format!(
            "{name} is now {now}: while the fd is blocking, a {calls} sleeps at most that long and then returns \
             EAGAIN (Python: BlockingIOError, not TimeoutError)."
        )
    } else {
        format!(
            "{name} is now {now}: while the fd is blocking, a send that finds the buffer full sleeps at most that \
             long, then returns the bytes copied so far, or EAGAIN if none."
        )
    };
    if let Some(us) = got.filter(|&us| us != asked.as_micros() as u64) {
        s.push_str(&format!(" The kernel rounded {} to {}: it counts in jiffies.", set(asked), held(us)));
    }
    match c.mode.py {
        PyMode::NonBlocking => s.push_str(" Right now the fd is non-blocking, and O_NONBLOCK wins."),
        PyMode::Timeout(t) if t.is_zero() => {
            s.push_str(" Right now the fd is non-blocking, and O_NONBLOCK wins.")
        }
        PyMode::Timeout(_) => s.push_str(" In timeout mode poll() decides, and this timer plays no part."),
        PyMode::Blocking => {}
    }
    s
}
