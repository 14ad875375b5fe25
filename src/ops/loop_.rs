//! The event loop's lane: `poll add`, `poll wait`, the readiness records a
//! wait reports, and `poll drain`, and why edge-triggering asks for a drain
//! (SOCKET-FACTS cases 14 and 15).
//!
//! mio is epoll underneath (mio 1.2, `sys/unix/selector/epoll.rs`): a
//! registration is `epoll_ctl(EPOLL_CTL_ADD)` with EPOLLET always set and
//! EPOLLRDHUP added to read interest; a wait is one `epoll_wait` whose
//! timeout is in milliseconds, rounded up (-1 for none). The epoll fd is
//! never recorded, so the lines say `epfd`.

use std::time::Duration;

use super::io::{fd, plain, poll_ms, took, waited};
use super::text::{named, py_error, strace_err};
use super::{Context, Describe};
use crate::command::Interest;
use crate::record::mode::secs;
use crate::record::{Arg, Call, Lane, Op, Outcome, SockKind, Timeline, ready};

/// Which part of the event loop; `ops::describe` names which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopOp {
    Add,
    Wait,
    Drain,
    Ready,
}

pub struct EventLoop(pub LoopOp);

impl Describe for EventLoop {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        strace(self.0, c, cx)
    }

    fn python(&self, c: &Call, cx: &Context) -> Vec<String> {
        python(self.0, c, cx)
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        why(self.0, c, cx)
    }
}

/// The length of the event list `poll wait` hands to epoll_wait
/// (`Events::with_capacity(256)` in eventloop.rs).
const MAX_EVENTS: u32 = 256;

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
fn wait_ms(t: Option<Duration>) -> i32 {
    t.map_or(-1, poll_ms)
}

/// A registration, with mio's token (the socket's number) as the data.
pub(super) fn ctl_add(fd: &str, events: &str, id: &str) -> String {
    format!("epoll_ctl(epfd, EPOLL_CTL_ADD, {fd}, {{events={events}, data={{u32={id}, u64={id}}}}}) = 0")
}

fn strace(op: LoopOp, c: &Call, ctx: &Context) -> Vec<String> {
    match (op, &c.arg) {
        (LoopOp::Add, &Arg::PollAdd(id, i)) => vec![ctl_add(&fd(ctx), epoll_events(i), &id.to_string())],
        (LoopOp::Wait, &Arg::PollWait { timeout: t, .. }) => {
            let ms = wait_ms(t);
            let call = |list: &str| format!("epoll_wait(epfd, {list}, {MAX_EVENTS}, {ms})");
            vec![match (c.outcome, events(c)) {
                (Outcome::Blocking, _) => format!("{} <unfinished ...>", call("…")),
                _ if c.errno != 0 => format!("{} = {}", call("…"), strace_err(c.errno)),
                (_, 0) => format!("{} = 0", call("[]")),
                (_, n) => format!("{} = {n}", call("[…]")),
            }]
        }
        (LoopOp::Ready, &Arg::Ready(id, flags)) => vec![format!(
            "{{events={}, data={{u32={id}, u64={id}}}}}  ← one entry of epoll_wait's list",
            epoll_bits(flags).join("|")
        )],
        // `poll drain` is a setting: it makes no syscall of its own.
        (LoopOp::Drain, _) => Vec::new(),
        // An argument that does not fit its op: only an edited recording has one.
        (LoopOp::Add | LoopOp::Wait | LoopOp::Ready, _) => Vec::new(),
    }
}

fn python(op: LoopOp, c: &Call, ctx: &Context) -> Vec<String> {
    match (op, &c.arg) {
        (LoopOp::Add, &Arg::PollAdd(_, i)) => vec![
            "sock.setblocking(False)  # sockscope did this first if the socket was blocking".into(),
            "ep = select.epoll()".into(),
            format!("ep.register(sock.fileno(), {})", py_mask(i)),
            "→ None".into(),
            "# selectors.DefaultSelector() won't do: it registers without EPOLLET (level-triggered)".into(),
        ],
        (LoopOp::Wait, &Arg::PollWait { timeout: t, .. }) => {
            let call =
                t.map_or_else(|| "events = ep.poll()".into(), |t| format!("events = ep.poll({})", secs(t)));
            let got = match (c.outcome, events(c)) {
                (Outcome::Blocking, _) => "# still waiting: the call has not returned".into(),
                _ if c.errno != 0 => format!("→ {}", py_error(c.errno)),
                (_, 0) => "→ []".into(),
                (_, 1) => "→ [(fd, mask)]  # 1 pair: the readiness record on this lane".into(),
                (_, n) => format!("→ [(fd, mask), …]  # {n} pairs: the readiness records on this lane"),
            };
            let mut out = vec![call, got];
            if events(c) == 0 && ctx.undrained.is_some() {
                out.push(
                    "# yet sock.recv(1024) would return data now: what was left unread makes no new edge"
                        .into(),
                );
            }
            out
        }
        (LoopOp::Ready, &Arg::Ready(_, flags)) => ready_py(flags, ctx),
        (LoopOp::Drain, &Arg::Drain(on)) => drain_py(on),
        // An argument that does not fit its op: only an edited recording has one.
        (LoopOp::Add | LoopOp::Wait | LoopOp::Ready | LoopOp::Drain, _) => Vec::new(),
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

const EDGE: &str = "Edge-triggered: each change is reported once, not for as long as it lasts, so on \
                    readable the program must recv until EAGAIN.";

fn why(op: LoopOp, c: &Call, ctx: &Context) -> String {
    match (op, &c.arg) {
        (LoopOp::Add, &Arg::PollAdd(id, i)) => add(id, i),
        (LoopOp::Wait, &Arg::PollWait { timeout: t, .. }) => wait(c, wait_ms(t), ctx),
        (LoopOp::Ready, &Arg::Ready(id, flags)) => readiness(id, flags, ctx),
        (LoopOp::Drain, &Arg::Drain(on)) => drain(on),
        // An argument that does not fit its op: only an edited recording has one.
        (LoopOp::Add | LoopOp::Wait | LoopOp::Ready | LoopOp::Drain, _) => plain(c),
    }
}

fn add(id: u32, i: Interest) -> String {
    let (what, extra) = match i {
        Interest::Read => ("readable", " EPOLLRDHUP asks to hear of a FIN as well."),
        Interest::Write => (
            "writable",
            " A connected socket with room in its send buffer is writable at once, so the next wait reports \
             it; after that, only when room appears again after the buffer was full.",
        ),
        Interest::Both => ("readable or writable", " EPOLLRDHUP asks to hear of a FIN as well."),
    };
    format!(
        "#{id} is registered with the event loop (mio, which is epoll): a `poll wait` reports it when it \
         becomes {what}. mio always registers edge-triggered (EPOLLET): one event per new arrival, not one \
         per wait while data stays queued.{extra} mio requires a non-blocking socket, so if #{id} was \
         blocking, sockscope first set O_NONBLOCK (the `nonblocking` record on its lane): a call made for an \
         event must never sleep. (The epoll instance itself comes from one epoll_create1, at the first \
         `poll` command; adding #{id} again changes its interest with EPOLL_CTL_MOD.)"
    )
}

fn wait(c: &Call, ms: i32, ctx: &Context) -> String {
    let n = events(c);
    match c.outcome {
        Outcome::Blocking => {
            let until = if ms < 0 {
                " (no timeout: as long as it takes)".into()
            } else {
                format!(" or {ms} ms pass")
            };
            format!(
                "The event loop's thread is asleep inside epoll_wait, using no CPU, until a registered \
                 socket has a new edge{until}."
            )
        }
        _ if c.errno != 0 => format!("epoll_wait failed with {}.", named(c.errno)),
        _ if n == 0 => {
            let head = format!(
                "No registered socket had a new edge within {ms} ms, so epoll_wait returned 0 after {}.",
                took(c)
            );
            match ctx.undrained {
                Some(id) => format!(
                    "{head} Yet #{id} may still have bytes queued: an earlier wait reported it readable, and \
                     it was not read until EAGAIN since. That is the edge-triggered trap: epoll with EPOLLET \
                     reports an arrival once, and bytes left in the queue make no new edge, so nothing is \
                     reported until more data arrives. The rule: on readable, recv until EAGAIN (`poll drain \
                     on`). A level-triggered epoll (no EPOLLET) would report #{id} again."
                ),
                None => format!(
                    "{head} Edge-triggered: data left unread after an earlier readable event does not count; \
                     only something new (more data, a FIN, an RST, room in the send buffer) makes an event."
                ),
            }
        }
        _ => {
            let events = if n == 1 { "1 event".to_string() } else { format!("{n} events") };
            let head = if waited(c) {
                format!(
                    "epoll_wait slept {} until a registered socket changed state, then returned {events}",
                    took(c)
                )
            } else {
                format!("Something had already changed, so epoll_wait returned {events} at once")
            };
            format!(
                "{head}: each readiness record on this lane names a socket and what changed (data arrived, \
                 room in the send buffer, a FIN, an RST, a client to accept). Ready means the next call will \
                 not have to wait, not that it brings data: it may return b'' (EOF) or an error. {EDGE}"
            )
        }
    }
}

fn readiness(id: u32, flags: u8, ctx: &Context) -> String {
    let has = |b: u8| flags & b != 0;
    let names = ready::text(flags);
    if has(ready::ERROR) {
        let no_write = if has(ready::WRITABLE) {
            String::new()
        } else {
            format!(
                " writable is absent because #{id} is registered for reading only: EPOLLERR and EPOLLHUP are \
                 reported whatever the interest."
            )
        };
        return format!(
            "{names} on #{id}: the mark of an RST (the peer reset the connection) or of a refused connect. \
             error is EPOLLERR, a pending error: the next recv or send fails with it once (ECONNRESET, or \
             ECONNREFUSED), or SO_ERROR (mio's take_error()) reads and clears it; after that recv returns \
             b'' (EOF). read_closed and write_closed (EPOLLHUP) say both directions are over.{no_write}"
        );
    }
    if has(ready::READ_CLOSED) && has(ready::WRITE_CLOSED) {
        return format!(
            "{names} on #{id}: both directions are shut down (EPOLLHUP). recv returns what is queued, then \
             b'' (EOF) at once."
        );
    }
    if has(ready::READ_CLOSED) {
        return format!(
            "{names} on #{id}: the peer sent a FIN (EPOLLRDHUP). recv returns what is still queued, then b'' \
             (EOF) at once, every time. Our writing side is still open. A FIN is reported once, like any \
             edge."
        );
    }
    if has(ready::READABLE) && ctx.kind == Some(SockKind::TcpListener) {
        return format!(
            "{names} on #{id}: a client is waiting in the accept queue, so accept will not block. Clients \
             that arrive together make one edge, so accept until EAGAIN."
        );
    }
    if has(ready::READABLE) {
        let also = if has(ready::WRITABLE) {
            " writable comes along because the socket is registered for writing too: mio reports the whole \
             state on every edge, so it says there is room in the send buffer, not that something changed \
             there."
        } else {
            ""
        };
        return format!(
            "{names} on #{id}: new data arrived (an edge), so recv will return it without waiting. It is \
             reported once per arrival, not while bytes stay queued: recv until EAGAIN, or what is left \
             waits for the next arrival.{also}"
        );
    }
    if has(ready::WRITABLE) {
        return format!(
            "{names} on #{id}: there is room in the send buffer, so send will not block. Reported once per \
             edge: when the socket is registered or a non-blocking connect finishes, then again only after a \
             full buffer drains."
        );
    }
    format!("#{id} was reported with no flags set.")
}

fn drain(on: bool) -> String {
    if on {
        "Drain is on: after each `poll wait`, sockscope reads every socket reported readable (or \
         read_closed) with recv(1024) until it stops giving data: EAGAIN, EOF or an error (at most 10,000 \
         reads). That is the rule edge-triggered epoll needs: on readable, recv until EAGAIN, so nothing is \
         left behind without an edge to announce it. No syscall is made now."
            .into()
    } else {
        "Drain is off: a `poll wait` reads nothing by itself, so only the script's own recvs take data. If \
         they leave bytes queued, the next wait reports nothing until more data arrives (the edge-triggered \
         trap). No syscall is made now."
            .into()
    }
}

/// How many readiness events a finished wait reported.
fn events(c: &Call) -> u64 {
    match c.arg {
        Arg::PollWait { events: Some(n), .. } => n.into(),
        _ => 0,
    }
}
