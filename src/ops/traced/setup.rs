//! Why a traced program's set-up and setting calls did what they did:
//! socket, bind, shutdown, epoll_ctl, and the mode and timer changes.

use crate::ops::text::set;
use crate::record::traced::Traced;
use crate::record::{Arg, Call, Op, PyMode};

pub fn epoll_ctl(t: &Traced) -> String {
    let (epfd, op, fd) = (t.args[0] as i32, t.args[1] as i32, t.args[2] as i32);
    match op {
        libc::EPOLL_CTL_ADD => format!(
            "epoll_ctl added fd {fd} to epoll instance {epfd}: from now on, an epoll_wait on {epfd} reports when \
             it is ready."
        ),
        libc::EPOLL_CTL_DEL => format!("epoll_ctl removed fd {fd} from epoll instance {epfd}."),
        _ => format!("epoll_ctl changed what epoll instance {epfd} watches fd {fd} for."),
    }
}

pub fn mode_set(c: &Call, t: &Traced) -> String {
    let how = match (t.syscall.as_str(), t.args[1]) {
        ("ioctl", _) => "ioctl(FIONBIO)",
        _ => "fcntl(F_SETFL)",
    };
    let on = c.op == Op::Nonblocking;
    let was_on = c.mode.py != PyMode::Blocking;
    let effect = if on {
        "set O_NONBLOCK on the socket: from now on a call that would have to wait returns EAGAIN at once instead"
    } else {
        "cleared O_NONBLOCK: the socket's calls wait again until they can finish"
    };
    let already = if on == was_on { " It already was: nothing changed." } else { "" };
    format!("{how} {effect}. A call already blocked is not woken.{already}")
}

pub fn timer_set(c: &Call) -> String {
    let name = if c.op == Op::RcvTimeo { "SO_RCVTIMEO" } else { "SO_SNDTIMEO" };
    let what = if c.op == Op::RcvTimeo { "recv (and accept)" } else { "send" };
    match c.arg {
        Arg::Secs(d) if d.is_zero() => {
            format!("{name} set to 0, which the kernel reads as no limit: a blocking {what} waits forever.")
        }
        Arg::Secs(d) => format!(
            "{name} set to {}: a blocking {what} on this socket now gives up after that long with EAGAIN. It does \
             not affect a non-blocking socket, which never waits.",
            set(d)
        ),
        _ => format!("{name} set."),
    }
}

pub fn socket(c: &Call, t: &Traced) -> String {
    let fd = t.ret.unwrap_or(-1);
    let kind = c.arg_text().unwrap_or_else(|| "new".into());
    if t.args[1] as i32 & libc::SOCK_NONBLOCK != 0 {
        format!("socket() made a {kind} socket, fd {fd}, non-blocking from the start (SOCK_NONBLOCK).")
    } else {
        format!("socket() made a {kind} socket, fd {fd}. Like every new socket it is blocking.")
    }
}

pub fn bind(c: &Call) -> String {
    match &c.arg {
        Arg::Addr(a) if a.port() == 0 => {
            format!(
                "bind gave the socket its local address, {a}: port 0 asks the kernel to pick a free port."
            )
        }
        Arg::Addr(a) => format!("bind gave the socket its local address, {a}."),
        _ => "bind gave the socket its local address.".into(),
    }
}

pub fn shutdown(t: &Traced) -> String {
    match t.args[1] as i32 {
        libc::SHUT_WR => "shutdown(SHUT_WR) sent a FIN: the other end's recv returns 0 once it has read \
                          everything. This end can still receive."
            .into(),
        libc::SHUT_RD => {
            "shutdown(SHUT_RD): recv on this end now returns 0 at once when nothing is queued (a \
                          blocked recv wakes). Nothing is sent to the other end."
                .into()
        }
        _ => "shutdown(SHUT_RDWR): a FIN goes to the other end, and recv on this end returns 0 at once when \
              nothing is queued."
            .into(),
    }
}
