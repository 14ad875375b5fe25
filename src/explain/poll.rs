//! Levels 1 and 2 for the event loop's lane: `poll add`, `poll wait`, the
//! readiness records a wait reports, and `poll drain`.
//!
//! mio is epoll underneath (mio 1.2, `sys/unix/selector/epoll.rs`): a
//! registration is `epoll_ctl(EPOLL_CTL_ADD)` with EPOLLET always set and
//! EPOLLRDHUP added to read interest; a wait is one `epoll_wait` whose
//! timeout is in milliseconds, rounded up (-1 for none). The epoll fd is
//! never recorded, so the lines say `epfd`.

use std::time::Duration;

use super::text::{py_error, strace_err};
use super::{Context, fd, poll_ms};
use crate::command::Interest;
use crate::record::call::{Arg, Call, Lane, Op, Outcome, ready};
use crate::record::mode::secs;
use crate::record::timeline::Timeline;

/// The length of the event list `poll wait` hands to epoll_wait
/// (`Events::with_capacity(256)` in eventloop.rs).
pub(super) const MAX_EVENTS: u32 = 256;

/// What mio asks epoll for, as strace prints it.
pub(super) fn epoll_events(i: Interest) -> &'static str {
    match i {
        Interest::Read => "EPOLLIN|EPOLLRDHUP|EPOLLET",
        Interest::Write => "EPOLLOUT|EPOLLET",
        Interest::Both => "EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET",
    }
}

fn py_mask(i: Interest) -> &'static str {
    match i {
        Interest::Read => "select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLET",
        Interest::Write => "select.EPOLLOUT | select.EPOLLET",
        Interest::Both => "select.EPOLLIN | select.EPOLLOUT | select.EPOLLRDHUP | select.EPOLLET",
    }
}

/// The epoll bits behind mio's flags, for TCP: readable is EPOLLIN,
/// writable EPOLLOUT, error EPOLLERR; write_closed comes from EPOLLHUP, and
/// read_closed on a readable socket from EPOLLRDHUP (case 14/15).
fn epoll_bits(flags: u8) -> Vec<&'static str> {
    let has = |b: u8| flags & b != 0;
    let mut out = Vec::new();
    for (on, name) in [
        (has(ready::READABLE), "EPOLLIN"),
        (has(ready::WRITABLE), "EPOLLOUT"),
        (has(ready::ERROR), "EPOLLERR"),
        (has(ready::WRITE_CLOSED), "EPOLLHUP"),
        (has(ready::READ_CLOSED) && has(ready::READABLE), "EPOLLRDHUP"),
    ] {
        if on {
            out.push(name);
        }
    }
    out
}

/// epoll_wait's timeout argument.
pub(super) fn wait_ms(t: Option<Duration>) -> i32 {
    t.map_or(-1, poll_ms)
}

/// A registration, with mio's token (the socket's number) as the data.
pub(super) fn ctl_add(fd: &str, events: &str, id: &str) -> String {
    format!("epoll_ctl(epfd, EPOLL_CTL_ADD, {fd}, {{events={events}, data={{u32={id}, u64={id}}}}}) = 0")
}

pub fn strace(c: &Call, ctx: &Context) -> Vec<String> {
    match (c.op, &c.arg) {
        (Op::PollAdd, &Arg::PollAdd(id, i)) => vec![ctl_add(&fd(ctx), epoll_events(i), &id.to_string())],
        (Op::PollWait, &Arg::PollWait(t)) => {
            let ms = wait_ms(t);
            let call = |list: &str| format!("epoll_wait(epfd, {list}, {MAX_EVENTS}, {ms})");
            vec![match (c.outcome, c.bytes.unwrap_or(0)) {
                (Outcome::Blocking, _) => format!("{} <unfinished ...>", call("…")),
                _ if c.errno != 0 => format!("{} = {}", call("…"), strace_err(c.errno)),
                (_, 0) => format!("{} = 0", call("[]")),
                (_, n) => format!("{} = {n}", call("[…]")),
            }]
        }
        (Op::Ready, &Arg::Ready(id, flags)) => vec![format!(
            "{{events={}, data={{u32={id}, u64={id}}}}}  ← one entry of epoll_wait's list",
            epoll_bits(flags).join("|")
        )],
        // `poll drain` is a setting: it makes no syscall of its own.
        _ => Vec::new(),
    }
}

pub fn python(c: &Call, ctx: &Context) -> Vec<String> {
    match (c.op, &c.arg) {
        (Op::PollAdd, &Arg::PollAdd(_, i)) => vec![
            "sock.setblocking(False)  # sockscope did this first if the socket was blocking".into(),
            "ep = select.epoll()".into(),
            format!("ep.register(sock.fileno(), {})", py_mask(i)),
            "→ None".into(),
            "# selectors.DefaultSelector() won't do: it registers without EPOLLET (level-triggered)".into(),
        ],
        (Op::PollWait, &Arg::PollWait(t)) => {
            let call =
                t.map_or_else(|| "events = ep.poll()".into(), |t| format!("events = ep.poll({})", secs(t)));
            let got = match (c.outcome, c.bytes.unwrap_or(0)) {
                (Outcome::Blocking, _) => "# still waiting: the call has not returned".into(),
                _ if c.errno != 0 => format!("→ {}", py_error(c.errno)),
                (_, 0) => "→ []".into(),
                (_, 1) => "→ [(fd, mask)]  # 1 pair: the readiness record on this lane".into(),
                (_, n) => format!("→ [(fd, mask), …]  # {n} pairs: the readiness records on this lane"),
            };
            let mut out = vec![call, got];
            if c.bytes == Some(0) && ctx.undrained.is_some() {
                out.push(
                    "# yet sock.recv(1024) would return data now: what was left unread makes no new edge"
                        .into(),
                );
            }
            out
        }
        (Op::Ready, &Arg::Ready(_, flags)) => ready_py(flags, ctx),
        (Op::PollDrain, &Arg::Drain(on)) => drain_py(on),
        _ => Vec::new(),
    }
}

fn ready_py(flags: u8, ctx: &Context) -> Vec<String> {
    let mask: Vec<String> = epoll_bits(flags).iter().map(|b| format!("select.{b}")).collect();
    let mut out = vec![
        "for fd, mask in events:  # one pair of ep.poll()'s list".into(),
        format!("→ ({}, {})", fd(ctx), mask.join(" | ")),
    ];
    if flags & ready::ERROR != 0 {
        out.push(
            "# sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) → 104 (ECONNRESET) after an RST, 111 \
             (ECONNREFUSED) after a refused connect; reading it clears it"
                .into(),
        );
    } else if flags & ready::READ_CLOSED != 0 {
        out.push("# EPOLLRDHUP: the peer sent a FIN; sock.recv() gives what is queued, then b''".into());
    }
    out
}

fn drain_py(on: bool) -> Vec<String> {
    if !on {
        return vec![
            "for fd, mask in ep.poll(timeout):".into(),
            "    pass  # no reads of its own: only the recvs the script makes".into(),
            "# whatever they leave queued waits for the next arrival".into(),
        ];
    }
    [
        "for fd, mask in ep.poll(timeout):",
        "    if mask & (select.EPOLLIN | select.EPOLLRDHUP):",
        "        while True:  # on readable, recv until EAGAIN",
        "            try:",
        "                if not socks[fd].recv(1024):",
        "                    break  # b'': EOF",
        "            except BlockingIOError:",
        "                break  # EAGAIN: nothing is left behind",
    ]
    .map(String::from)
    .to_vec()
}

/// For a `poll wait`: a socket that an earlier wait reported readable and
/// that was not read until EAGAIN (or EOF, or an error) after that event,
/// so bytes may still be queued without a new edge to report them. The
/// front end puts it in [`Context::undrained`]. A recv that returned less
/// than it asked for counts as reaching the end (true for TCP).
pub fn undrained(timeline: &Timeline, wait: &Call) -> Option<u32> {
    let records = |lane| timeline.lane(lane).iter().filter_map(|&i| timeline.get(i as usize));
    // The latest readable event per socket before this wait.
    let mut last: Vec<(u32, u64)> = Vec::new();
    for c in records(Lane::Loop).take_while(|c| c.seq < wait.seq) {
        if let Arg::Ready(id, flags) = c.arg
            && flags & ready::READABLE != 0
        {
            last.retain(|&(s, _)| s != id);
            last.push((id, c.seq));
        }
    }
    last.into_iter().find_map(|(id, since)| {
        let after = records(Lane::Sock(id)).filter(|c| c.seq > since && c.seq < wait.seq);
        let mut drained = false;
        for c in after {
            drained = match (c.op, c.outcome, &c.arg) {
                (Op::Recv, Outcome::Data, _) => c.bytes < c.requested(),
                (Op::Recv, _, _) | (Op::Close, _, _) => true,
                (Op::Spin, _, Arg::Spin(s)) => s.stats.calls > s.stats.data,
                _ => drained,
            };
        }
        (!drained).then_some(id)
    })
}
