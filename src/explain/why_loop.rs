//! Level 3 for the event loop's lane: what registering, waiting and each
//! readiness flag mean, and why edge-triggering asks for a drain
//! (SOCKET-FACTS cases 14 and 15).

use super::poll::wait_ms;
use super::why::named;
use super::{Context, took, waited};
use crate::command::Interest;
use crate::record::SockKind;
use crate::record::call::{Arg, Call, Op, Outcome, ready};

const EDGE: &str = "Edge-triggered: each change is reported once, not for as long as it lasts, so on \
                    readable the program must recv until EAGAIN.";

pub fn text(c: &Call, ctx: &Context) -> String {
    match (c.op, &c.arg) {
        (Op::PollAdd, &Arg::PollAdd(id, i)) => add(id, i),
        (Op::PollWait, &Arg::PollWait(t)) => wait(c, wait_ms(t), ctx),
        (Op::Ready, &Arg::Ready(id, flags)) => readiness(id, flags, ctx),
        (Op::PollDrain, &Arg::Drain(on)) => drain(on),
        _ => format!("{} ended as {}.", c.op.word(), c.label()),
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
    let n = c.bytes.unwrap_or(0);
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
