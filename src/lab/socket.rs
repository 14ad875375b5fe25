//! One socket and its worker thread. The worker runs that socket's calls in
//! order, so a call queued behind a blocked call waits, as it would in a
//! single-threaded program. Mode changes do not go through the worker: the
//! lab makes them on the fd at once.

use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::thread;

use crossbeam_channel::{Receiver, Sender, unbounded};
use socket2::{SockAddr, Socket};

use super::call::{Arg, Call, Lane, Op, Outcome, PREVIEW_CAP};
use super::event::{CallEnd, LabEvent, SockInfo, SockKind};
use super::mode::{KernelView, Mode};
use super::shared::Shared;
use super::unix::{self, Bound};
use super::worker::{Done, perform};
use crate::command::{How, Payload};

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
    Spin(super::call::SpinArg),
    /// `serve`: this listener's thread becomes an echo server for N clients.
    Serve(crate::command::ServeKind, u32),
}

#[derive(Debug)]
pub struct Job {
    pub seq: u64,
    pub op: JobOp,
}

/// The lab's handle on one socket.
pub struct SockHandle {
    pub info: SockInfo,
    /// The mode as the user set it; the worker reads it at the start of each call.
    pub mode: Arc<Mutex<Mode>>,
    jobs: Option<Sender<Job>>,
    /// A `close` has been queued: the fd may be gone at any moment.
    pub closing: bool,
    /// The close has happened.
    pub closed: bool,
    /// The seq of the last call handed to the worker.
    pub last_seq: Option<u64>,
    /// The kernel's view recorded with the last mode change.
    pub last_kernel: Option<KernelView>,
}

impl SockHandle {
    /// Queues a call on the worker.
    pub fn submit(&mut self, job: Job) {
        self.last_seq = Some(job.seq);
        if matches!(job.op, JobOp::Close) {
            self.closing = true;
        }
        if let Some(tx) = &self.jobs {
            let _ = tx.send(job);
        }
    }

    /// A socket known only from a recording: no fd, no worker.
    pub fn ghost(info: SockInfo) -> SockHandle {
        SockHandle {
            info,
            mode: Arc::new(Mutex::new(Mode::default())),
            jobs: None,
            closing: false,
            closed: false,
            last_seq: None,
            last_kernel: None,
        }
    }

    pub fn is_open(&self) -> bool {
        !self.closing
    }
}

/// Starts a worker for `socket` and returns its handle.
pub fn spawn(shared: Arc<Shared>, id: u32, kind: SockKind, socket: Socket) -> SockHandle {
    spawn_unix(shared, id, kind, socket, None, None)
}

/// [`spawn`] with what an AF_UNIX socket may carry: its place in the
/// connect order of its listener ([`SockInfo::pair`]) and the socket file
/// it bound, to unlink when it closes.
pub fn spawn_unix(
    shared: Arc<Shared>,
    id: u32,
    kind: SockKind,
    socket: Socket,
    pair: Option<u64>,
    bound: Option<Bound>,
) -> SockHandle {
    let info = SockInfo::of(id, kind, Some(&socket), pair);
    let mode = Arc::new(Mutex::new(Mode::default()));
    let (tx, rx) = unbounded();
    let worker = Worker {
        shared,
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
    SockHandle {
        info,
        mode,
        jobs: spawned.is_ok().then_some(tx),
        closing: false,
        closed: false,
        last_seq: None,
        last_kernel: None,
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
            .send(LabEvent::Begin(Call { preview, ..Call::begin(job.seq, lane, op, arg, mode, start_ns) }));
        tracing::debug!(sock = self.id, seq = job.seq, op = op.word(), %mode, "call begins");
        let done = catch_unwind(AssertUnwindSafe(|| perform(self, &job.op, mode)));
        let end_ns = self.shared.now_ns();
        let done = done.unwrap_or_else(|_| {
            tracing::error!(sock = self.id, seq = job.seq, "worker panicked");
            self.shared.send(LabEvent::Fault(format!("the worker of #{} panicked", self.id)));
            Done::errno(libc::EIO)
        });
        // The new addresses first, so whoever sees the call end knows them.
        if done.addrs_changed {
            self.shared.send(LabEvent::Socket(self.info()));
        }
        tracing::debug!(
            sock = self.id,
            seq = job.seq,
            outcome = done.outcome.word(),
            errno = done.errno,
            dur_ns = end_ns - start_ns,
            "call ends"
        );
        self.shared.send(LabEvent::End(CallEnd {
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
            self.shared.send(LabEvent::Closed(self.id));
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
        SockInfo::of(self.id, self.kind, self.socket.as_ref(), self.pair)
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
