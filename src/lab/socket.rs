//! One socket: its handle in the engine, and the threads that make its
//! calls. A call normally runs on the socket's own worker thread; one
//! issued while another call of the socket is still in the kernel runs at
//! once on a thread of its own, as a second thread of a program would make
//! it, so both show on the lane. Control calls (shutdown, close, modes) are
//! made by the engine at once (see `ops.rs`).

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use crossbeam_channel::{Receiver, Sender, unbounded};
use socket2::{SockAddr, Socket};

use super::shared::Shared;
use super::unix::{self, Bound};
use crate::command::{ServeKind, SockCall};
use crate::record::{Event, Mode, SockInfo, SockKind, SpinArg};
use crate::sys::SockFd;

/// What a socket's thread is asked to do.
#[derive(Debug)]
pub enum Work {
    /// One socket call; `to` is where a connect goes, resolved.
    Call(SockCall, Option<SockAddr>),
    /// The connect inside `open tcp|unix`.
    Open(SockAddr),
    Spin(SpinArg),
    /// `serve`: this listener's thread becomes an echo server for N clients.
    Serve(ServeKind, u32),
}

#[derive(Debug)]
pub struct Job {
    pub seq: u64,
    pub work: Work,
}

/// What every thread making calls on one socket shares.
#[derive(Clone)]
pub struct SockCtx {
    pub shared: Arc<Shared>,
    pub id: u32,
    pub kind: SockKind,
    pub fd: Arc<SockFd>,
    /// The Python-level mode (CPython keeps it in the socket object); read
    /// at the start of each call.
    pub mode: Arc<Mutex<Mode>>,
    /// Calls handed out and not finished.
    pub busy: Arc<AtomicUsize>,
    /// AF_UNIX streams: see [`SockInfo::pair`] (set by a connect).
    pub pair: Arc<Mutex<Option<u64>>>,
    /// A unix listener: how many sockets it has accepted.
    pub accepted: Arc<AtomicU64>,
}

impl SockCtx {
    pub fn mode(&self) -> Mode {
        *self.mode.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_mode(&self, m: Mode) {
        *self.mode.lock().unwrap_or_else(|p| p.into_inner()) = m;
    }

    pub fn info(&self) -> SockInfo {
        let pair = *self.pair.lock().unwrap_or_else(|p| p.into_inner());
        info_of(self.id, self.kind, Some(self.fd.socket()), pair, None)
    }
}

/// The engine's handle on one socket. What the socket looks like to the
/// user is in the record.
pub struct SockHandle {
    pub ctx: SockCtx,
    /// The socket's own worker; `None` once closed.
    jobs: Option<Sender<Job>>,
    /// The socket file it bound, unlinked when it closes.
    pub bound: Option<Bound>,
}

impl SockHandle {
    pub fn id(&self) -> u32 {
        self.ctx.id
    }

    pub fn fd(&self) -> RawFd {
        self.ctx.fd.raw()
    }

    pub fn is_open(&self) -> bool {
        self.jobs.is_some() && !self.ctx.fd.is_closed()
    }

    pub fn mode(&self) -> Mode {
        self.ctx.mode()
    }

    pub fn set_mode(&self, m: Mode) {
        self.ctx.set_mode(m);
    }

    /// Runs a call: on the worker if the socket is idle, else at once on a
    /// thread of its own.
    pub fn submit(&mut self, job: Job) {
        let Some(tx) = &self.jobs else { return };
        if self.ctx.busy.fetch_add(1, Ordering::AcqRel) == 0 {
            let _ = tx.send(job);
            return;
        }
        let ctx = self.ctx.clone();
        let spawned = thread::Builder::new()
            .name(format!("sock-{}-beside", ctx.id))
            .spawn(move || super::worker::run_job(&ctx, &mut Buffers::default(), job));
        if spawned.is_err() {
            self.ctx.busy.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Lets the worker end once it is idle (after `close`).
    pub fn retire(&mut self) {
        self.jobs = None;
    }
}

/// A thread's buffers, grown to the largest size asked for and kept, so a
/// duration is the syscall's own and not our allocation's.
#[derive(Default)]
pub struct Buffers {
    pub recv: Vec<u8>,
    pub filler: Vec<u8>,
}

/// Starts a worker for `socket`, registers its handle and announces it.
pub fn spawn(shared: &Arc<Shared>, id: u32, kind: SockKind, socket: Socket) {
    spawn_with(shared, id, kind, socket, Start::default());
}

/// What a new socket may start with besides the defaults.
#[derive(Default)]
pub struct Start {
    /// Its place in the connect order of an AF_UNIX listener ([`SockInfo::pair`]).
    pub pair: Option<u64>,
    /// The socket file it bound, to unlink when it closes.
    pub bound: Option<Bound>,
    /// The mode it has from birth (an accepted socket inherits its
    /// listener's kernel timers).
    pub mode: Option<Mode>,
}

pub fn spawn_with(shared: &Arc<Shared>, id: u32, kind: SockKind, socket: Socket, start: Start) {
    let info = info_of(id, kind, Some(&socket), start.pair, start.mode);
    let ctx = SockCtx {
        shared: shared.clone(),
        id,
        kind,
        fd: Arc::new(SockFd::new(socket)),
        mode: Arc::new(Mutex::new(start.mode.unwrap_or_default())),
        busy: Arc::new(AtomicUsize::new(0)),
        pair: Arc::new(Mutex::new(start.pair)),
        accepted: Arc::new(AtomicU64::new(0)),
    };
    let (tx, rx) = unbounded();
    let worker = ctx.clone();
    let spawned = thread::Builder::new().name(format!("sock-{id}")).spawn(move || work(&worker, &rx));
    let jobs = spawned.is_ok().then_some(tx);
    shared.insert(SockHandle { ctx, jobs, bound: start.bound });
    shared.send(Event::Socket(info));
}

/// The worker: one call at a time until the handle retires it.
fn work(ctx: &SockCtx, rx: &Receiver<Job>) {
    let mut bufs = Buffers::default();
    for job in rx {
        super::worker::run_job(ctx, &mut bufs, job);
    }
}

/// The numbers and addresses of a socket, read now.
pub fn info_of(
    id: u32,
    kind: SockKind,
    s: Option<&Socket>,
    pair: Option<u64>,
    mode: Option<Mode>,
) -> SockInfo {
    use std::os::fd::AsRawFd;
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
        mode,
        pid: None,
    }
}
