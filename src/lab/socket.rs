//! One socket and its worker thread. The worker runs that socket's calls in
//! order, so a call queued behind a blocked call waits, as it would in a
//! single-threaded program. Mode changes do not go through the worker: the
//! lab makes them on the fd at once.

use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::thread;

use crossbeam_channel::{Receiver, Sender, unbounded};
use socket2::{SockAddr, Socket};

use super::shared::Shared;
use super::unix::{self, Bound};
use super::worker::{Done, perform};
use crate::command::{How, Payload};
use crate::record::call::{Arg, Call, Lane, Op, Outcome, PREVIEW_CAP};
use crate::record::event::{CallEnd, Event, SockInfo, SockKind};
use crate::record::mode::Mode;

/// What a worker is asked to do.
#[derive(Debug)]
pub enum JobOp {
    Recv(usize),
    Send(Payload),
    Accept,
    /// `open` connects inside the set-up; `connect` is the explicit call.
    Connect {
        addr: SockAddr,
        as_open: bool,
    },
    Shutdown(How),
    Close,
    Spin(crate::record::call::SpinArg),
    /// `serve`: this listener's thread becomes an echo server for N clients.
    Serve(crate::command::ServeKind, u32),
}

#[derive(Debug)]
pub struct Job {
    pub seq: u64,
    pub op: JobOp,
}

/// The engine's handle on one socket: where its calls go and the mode they
/// run under. What the socket looks like to the user is in the record.
pub struct SockHandle {
    pub id: u32,
    pub kind: SockKind,
    pub fd: RawFd,
    /// The Python-level mode (CPython keeps it in the socket object); the
    /// worker reads it at the start of each call.
    pub mode: Arc<Mutex<Mode>>,
    jobs: Option<Sender<Job>>,
    /// A `close` has been queued: the fd may be gone at any moment.
    closing: bool,
}

impl SockHandle {
    /// Queues a call on the worker.
    pub fn submit(&mut self, job: Job) {
        if matches!(job.op, JobOp::Close) {
            self.closing = true;
        }
        if let Some(tx) = &self.jobs {
            let _ = tx.send(job);
        }
    }

    pub fn is_open(&self) -> bool {
        !self.closing
    }

    pub fn mode(&self) -> Mode {
        *self.mode.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_mode(&self, m: Mode) {
        *self.mode.lock().unwrap_or_else(|p| p.into_inner()) = m;
    }
}

/// Starts a worker for `socket`, registers its handle and announces it.
pub fn spawn(shared: &Arc<Shared>, id: u32, kind: SockKind, socket: Socket) {
    spawn_unix(shared, id, kind, socket, None, None)
}

/// [`spawn`] with what an AF_UNIX socket may carry: its place in the
/// connect order of its listener ([`SockInfo::pair`]) and the socket file
/// it bound, to unlink when it closes.
pub fn spawn_unix(
    shared: &Arc<Shared>,
    id: u32,
    kind: SockKind,
    socket: Socket,
    pair: Option<u64>,
    bound: Option<Bound>,
) {
    let info = info_of(id, kind, Some(&socket), pair);
    let mode = Arc::new(Mutex::new(Mode::default()));
    let (tx, rx) = unbounded();
    let worker = Worker {
        shared: shared.clone(),
        id,
        kind,
        socket: Some(socket),
        mode: mode.clone(),
        buf: Vec::new(),
        filler: Vec::new(),
        pair,
        bound,
        accepted: 0,
    };
    let spawned = thread::Builder::new().name(format!("sock-{id}")).spawn(move || worker.run(rx));
    let jobs = spawned.is_ok().then_some(tx);
    shared.insert(SockHandle { id, kind, fd: info.fd, mode, jobs, closing: false });
    shared.send(Event::Socket(info));
}

/// The numbers and addresses of a socket, read now.
pub fn info_of(id: u32, kind: SockKind, s: Option<&Socket>, pair: Option<u64>) -> SockInfo {
    let local = s.and_then(|s| s.local_addr().ok());
    let remote = s.and_then(|s| s.peer_addr().ok());
    let path = |a: &Option<SockAddr>| a.as_ref().and_then(|a| a.as_pathname()).map(unix::text);
    SockInfo {
        id,
        kind,
        fd: s.map_or(-1, |s| s.as_raw_fd()),
        local: local.as_ref().and_then(|a| a.as_socket()),
        remote: remote.as_ref().and_then(|a| a.as_socket()),
        local_path: path(&local),
        remote_path: path(&remote),
        pair,
    }
}

pub struct Worker {
    pub shared: Arc<Shared>,
    pub id: u32,
    pub kind: SockKind,
    /// `None` once closed.
    pub socket: Option<Socket>,
    pub mode: Arc<Mutex<Mode>>,
    /// Receive buffer, grown to the largest size asked for and kept.
    pub buf: Vec<u8>,
    /// Filler for `send SIZE`, grown likewise.
    pub filler: Vec<u8>,
    /// AF_UNIX streams: see [`SockInfo::pair`].
    pub pair: Option<u64>,
    /// The socket file this socket bound, unlinked when it closes.
    pub bound: Option<Bound>,
    /// A unix listener: how many sockets it has accepted.
    pub accepted: u64,
}

impl Drop for Worker {
    /// When the lab goes away with this socket still open.
    fn drop(&mut self) {
        if let Some(b) = self.bound.take() {
            b.unlink();
        }
    }
}

impl Worker {
    fn run(mut self, rx: Receiver<Job>) {
        for job in rx {
            let close = matches!(job.op, JobOp::Close);
            if let JobOp::Serve(kind, n) = job.op {
                super::serve::serve(&mut self, job.seq, kind, n);
                continue;
            }
            self.one(job);
            if close {
                break;
            }
        }
        // Dropping self closes the fd: after `close`, or when the lab is gone.
    }

    fn one(&mut self, job: Job) {
        let mode = *self.mode.lock().unwrap_or_else(|p| p.into_inner());
        let lane = Lane::Sock(self.id);
        let (op, arg, preview) = describe(&job.op);
        self.prepare(&job.op);
        let start_ns = self.shared.now_ns();
        self.shared
            .send(Event::Begin(Call { preview, ..Call::begin(job.seq, lane, op, arg, mode, start_ns) }));
        tracing::debug!(sock = self.id, seq = job.seq, op = op.word(), %mode, "call begins");
        let done = catch_unwind(AssertUnwindSafe(|| perform(self, &job.op, mode)));
        let end_ns = self.shared.now_ns();
        let done = done.unwrap_or_else(|_| {
            tracing::error!(sock = self.id, seq = job.seq, "worker panicked");
            self.shared.send(Event::Fault(format!("the worker of #{} panicked", self.id)));
            Done::errno(libc::EIO)
        });
        // The new addresses first, so whoever sees the call end knows them.
        if done.addrs_changed {
            self.shared.send(Event::Socket(self.info()));
        }
        tracing::debug!(
            sock = self.id,
            seq = job.seq,
            outcome = done.outcome.word(),
            errno = done.errno,
            dur_ns = end_ns - start_ns,
            "call ends"
        );
        self.shared.send(Event::End(CallEnd {
            seq: job.seq,
            lane,
            end_ns,
            outcome: done.outcome,
            errno: done.errno,
            bytes: done.bytes,
            preview: done.preview,
            arg: done.arg,
        }));
        if matches!(job.op, JobOp::Close) && done.outcome == Outcome::Ok {
            self.shared.send(Event::Closed(self.id));
        }
    }

    /// Grows the buffers before the clock starts, so a duration is the
    /// syscall's own and not our allocation's.
    fn prepare(&mut self, op: &JobOp) {
        match op {
            JobOp::Recv(n) if self.buf.len() < *n => self.buf.resize(*n, 0),
            JobOp::Spin(s) if self.buf.len() < s.size as usize => self.buf.resize(s.size as usize, 0),
            JobOp::Send(Payload::Size(n)) if self.filler.len() < *n as usize => {
                let from = self.filler.len();
                self.filler.extend((from..*n as usize).map(|i| b'a' + (i % 26) as u8));
            }
            _ => {}
        }
    }

    pub fn info(&self) -> SockInfo {
        info_of(self.id, self.kind, self.socket.as_ref(), self.pair)
    }
}

fn describe(op: &JobOp) -> (Op, Arg, Option<Box<[u8]>>) {
    match op {
        JobOp::Recv(n) => (Op::Recv, Arg::Size(*n as u64), None),
        JobOp::Send(Payload::Text(t)) => {
            let p = t[..t.len().min(PREVIEW_CAP)].into();
            (Op::Send, Arg::Text(t.len() as u64), Some(p))
        }
        JobOp::Send(Payload::Size(n)) => (Op::Send, Arg::Size(*n), None),
        JobOp::Accept => (Op::Accept, Arg::None, None),
        JobOp::Connect { addr, as_open } if addr.is_unix() => {
            let path: Box<str> = addr.as_pathname().map(unix::text).unwrap_or_default().into();
            if *as_open {
                (Op::Open, Arg::Unix(crate::command::UnixKind::Stream, path), None)
            } else {
                (Op::Connect, Arg::Path(path), None)
            }
        }
        JobOp::Connect { addr, as_open } => {
            let a: Option<SocketAddr> = addr.as_socket();
            if *as_open {
                (Op::Open, Arg::Proto(crate::command::Proto::Tcp, a), None)
            } else {
                (Op::Connect, a.map_or(Arg::None, Arg::Addr), None)
            }
        }
        JobOp::Shutdown(h) => (Op::Shutdown, Arg::How(*h), None),
        JobOp::Close => (Op::Close, Arg::None, None),
        JobOp::Spin(s) => (Op::Spin, Arg::Spin(Box::new(*s)), None),
        JobOp::Serve(kind, n) => (Op::Serve, Arg::Serve(*kind, *n), None),
    }
}
