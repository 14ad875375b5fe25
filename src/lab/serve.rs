//! `serve blocking|eventloop N`: the listener's own thread becomes an echo
//! server. Each syscall it makes is recorded on the lane of the socket it is
//! made on, so the two designs can be compared call by call.

use std::collections::HashMap;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use socket2::Socket;

use super::eventloop::{WaitJob, wait};
use super::sample::kernel_view as read_kernel;
use super::shared::{RecordOk, Shared};
use super::socket::{SockCtx, info_of};
use crate::command::{Payload, ServeKind, SockCall};
use crate::ops::{Dir, Done, Io, failed};
use crate::record::call::{Arg, Call, Lane, Op, Outcome};
use crate::record::event::{CallEnd, Event, SockKind};
use crate::record::mode::{Mode, PyMode};
use crate::sys;

/// An event-loop server gives up after this long, so it can never hang a session.
const SERVE_LIMIT: Duration = Duration::from_secs(30);
/// Each request is read with this size.
const REQUEST_SIZE: usize = 1024;

/// Records one call made by the server: Begin, the syscall, End.
fn traced(shared: &Shared, lane: Lane, op: Op, arg: Arg, mode: Mode, f: impl FnOnce() -> Done) -> Done {
    let seq = shared.next_seq();
    let start_ns = shared.now_ns();
    shared.send(Event::Begin(Call::begin(seq, lane, op, arg, mode, start_ns)));
    let done = f();
    let end = CallEnd {
        seq,
        lane,
        end_ns: shared.now_ns(),
        outcome: done.outcome,
        errno: done.errno,
        bytes: done.bytes,
        preview: done.preview.clone(),
        arg: None,
        traced: None,
    };
    shared.send(Event::End(end));
    done
}

/// Marks the start of serving with the job's own seq, so `expect` and the
/// settle rule find it finished.
fn announce(w: &SockCtx, seq: u64, kind: ServeKind, n: u32, mode: Mode) {
    let now = w.shared.now_ns();
    let call = Call::begin(seq, Lane::Sock(w.id), Op::Serve, Arg::Serve(kind, n), mode, now);
    w.shared.send(Event::Instant(call.ended(now, Outcome::Ok)));
}

pub fn serve(w: &SockCtx, seq: u64, kind: ServeKind, n: u32) {
    let mode = w.mode();
    announce(w, seq, kind, n, mode);
    match kind {
        ServeKind::Blocking => blocking(w, n),
        ServeKind::EventLoop => eventloop(w, n),
    }
}

/// A connection the server accepted: numbered like any socket.
struct Client {
    id: u32,
    sock: Socket,
    mode: Mode,
}

/// One accept on the listener, recorded on its lane.
fn accept_one(w: &SockCtx, mode: Mode) -> Option<Client> {
    if w.fd.is_closed() {
        return None;
    }
    let listener = w.fd.socket();
    let mut got = None;
    traced(&w.shared, Lane::Sock(w.id), Op::Accept, Arg::None, mode, || match listener.accept() {
        Ok((sock, _)) => {
            let id = w.shared.next_id();
            got = Some(Client { id, sock, mode: Mode::default() });
            Done::of(Outcome::Accepted(id))
        }
        Err(e) => failed(&e, mode, Dir::In),
    });
    let c = got?;
    w.shared.send(Event::Socket(info_of(c.id, SockKind::TcpAccepted, Some(&c.sock), None, None)));
    Some(c)
}

/// Reads one request and echoes it. Returns false once the client is done.
fn answer(shared: &Shared, c: &Client, buf: &mut [u8]) -> bool {
    let lane = Lane::Sock(c.id);
    let got = traced(shared, lane, Op::Recv, Arg::Size(buf.len() as u64), c.mode, || {
        let io = Io { sock: &c.sock, kind: SockKind::TcpAccepted, mode: c.mode, buf, filler: &[], to: None };
        crate::ops::run(&SockCall::Recv { size: 0 }, io)
    });
    match got.outcome {
        Outcome::Data => {
            let n = got.bytes.unwrap_or(0) as usize;
            let echo = &buf[..n];
            let arg = Arg::Text(n as u64);
            let payload = Payload::Text(echo.to_vec());
            traced(shared, lane, Op::Send, arg, c.mode, || {
                let io = Io {
                    sock: &c.sock,
                    kind: SockKind::TcpAccepted,
                    mode: c.mode,
                    buf: &mut [],
                    filler: &[],
                    to: None,
                };
                Done { preview: Some(echo.into()), ..crate::ops::run(&SockCall::Send(payload), io) }
            });
            false
        }
        Outcome::WouldBlock => true,
        _ => false,
    }
}

fn close(shared: &Shared, c: Client) {
    let lane = Lane::Sock(c.id);
    let id = c.id;
    traced(shared, lane, Op::Close, Arg::None, c.mode, move || {
        drop(c.sock);
        Done::of(Outcome::Ok)
    });
    shared.send(Event::Closed(id));
}

/// One client at a time: while it waits in recv for a slow client, every
/// other client waits in the listener's queue.
fn blocking(w: &SockCtx, n: u32) {
    let mut buf = vec![0u8; REQUEST_SIZE];
    for _ in 0..n {
        let mode = w.mode();
        let Some(c) = accept_one(w, mode) else { continue };
        answer(&w.shared, &c, &mut buf);
        close(&w.shared, c);
    }
}

/// Sets O_NONBLOCK (mio needs it) and records the change like a mode command.
fn make_nonblocking(shared: &Shared, lane: Lane, fd: i32, mode: &mut Mode) {
    let start_ns = shared.now_ns();
    let _ = sys::set_nonblocking(fd, true);
    mode.py = PyMode::NonBlocking;
    let kernel = read_kernel(fd).ok();
    shared.record_ok(RecordOk { lane, op: Op::Nonblocking, arg: Arg::None, mode: *mode, kernel, start_ns });
}

/// Every client at once: one epoll wait at a time, answering whoever is ready.
fn eventloop(w: &SockCtx, n: u32) {
    if w.fd.is_closed() {
        return;
    }
    let fd = w.fd.raw();
    let Ok(mut poll) = Poll::new() else { return };
    let mut mode = w.mode();
    if mode.py == PyMode::Blocking {
        make_nonblocking(&w.shared, Lane::Sock(w.id), fd, &mut mode);
        w.set_mode(mode);
    }
    let me = Token(w.id as usize);
    if poll.registry().register(&mut SourceFd(&fd), me, Interest::READABLE).is_err() {
        return;
    }
    let (mut events, mut buf) = (Events::with_capacity(64), vec![0u8; REQUEST_SIZE]);
    let mut clients: HashMap<Token, Client> = HashMap::new();
    let (mut served, deadline) = (0, Instant::now() + SERVE_LIMIT);
    while served < n && Instant::now() < deadline {
        let job = WaitJob { seq: w.shared.next_seq(), timeout: Some(Duration::from_secs(1)) };
        wait(&w.shared, &mut poll, &mut events, job);
        let ready: Vec<Token> = events.iter().map(|e| e.token()).collect();
        for t in ready {
            if t == me {
                accept_all(w, &poll, mode, &mut clients);
                continue;
            }
            let Some(c) = clients.get(&t) else { continue };
            if !answer(&w.shared, c, &mut buf) {
                let mut c = clients.remove(&t).expect("present above");
                let _ = poll.registry().deregister(&mut SourceFd(&c.sock.as_raw_fd()));
                c.mode.py = PyMode::NonBlocking;
                close(&w.shared, c);
                served += 1;
            }
        }
    }
}

/// Accepts until EAGAIN (the listener is edge-triggered too).
fn accept_all(w: &SockCtx, poll: &Poll, mode: Mode, clients: &mut HashMap<Token, Client>) {
    while let Some(mut c) = accept_one(w, mode) {
        let fd = c.sock.as_raw_fd();
        // Accepted sockets do not inherit O_NONBLOCK.
        make_nonblocking(&w.shared, Lane::Sock(c.id), fd, &mut c.mode);
        let t = Token(c.id as usize);
        if poll.registry().register(&mut SourceFd(&fd), t, Interest::READABLE).is_ok() {
            clients.insert(t, c);
        }
    }
}
