//! `sockscope trace`: the socket calls of a real program, as typed events.
//!
//! A [`Tracer`] runs on its own thread. It starts a program under ptrace
//! with a seccomp-bpf filter that stops it only on socket-related syscalls
//! ([`Target::Spawn`]), or attaches to a running one ([`Target::Attach`]),
//! and sends a [`TraceEvent`] for every call on a socket: `Begin` when the
//! call enters the kernel (so a front end can draw it live), `End` when it
//! returns, plus sockets appearing, modes changing and processes coming and
//! going. The headless writer ([`headless`]) is one consumer of them.
//!
//! Layout: `spawn`/`attach` start a trace; `engine` is the stop loop,
//! `calls` its syscall stops and `lifecycle` its process events; `decode/`
//! has one decoder per syscall family; `fds` knows which fds are sockets and
//! `modes` each socket's mode; `sys` holds all the `unsafe`.

mod attach;
mod calls;
mod control;
pub mod decode;
mod engine;
mod epolls;
pub mod errno;
mod error;
pub mod event;
mod fds;
mod filter;
pub mod headless;
mod lifecycle;
mod modes;
mod outbox;
mod spawn;
pub mod strace;
mod sys;
pub mod syscall;
mod threads;

use std::ffi::OsString;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use crossbeam_channel::Sender;

pub use control::Handle;
pub use engine::Finish;
pub use errno::Errno;
pub use error::TraceError;
pub use event::{
    Call, ExitStatus, Lane, Mode, Op, Origin, Outcome, SockId, SockKind, SockOrigin, TimeoutBy, TraceEvent,
};
pub use spawn::resolve;
pub use syscall::Syscall;

use control::{Control, WAKE_SIGNAL};
use engine::Engine;

/// A duplicate, in this process, of fd `fd` of process `pid` (it needs
/// the rights ptrace needs): to read a traced socket's state as the kernel
/// holds it. Close it soon: while it is open the socket stays alive.
pub fn dup_fd(pid: u32, fd: i32) -> std::io::Result<std::os::fd::OwnedFd> {
    sys::dup_from(pid as sys::Pid, fd)
}

/// What to trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Start this command (argv, looked up in PATH like a shell).
    Spawn(Vec<OsString>),
    /// Attach to this running process and all its threads.
    Attach(u32),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Also trace read, write, readv and writev (on sockets).
    pub read_write: bool,
    /// Give each call its strace line (`Call::strace`). Off for the
    /// headless writer, which makes no text it does not print.
    pub strace: bool,
    /// Where a spawned program's stdin, stdout and stderr go (`None`:
    /// inherited from sockscope).
    pub stdio: Option<Stdio>,
}

/// Three open fds the spawned program gets as its 0, 1 and 2. The caller
/// keeps them open until `Tracer::start` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stdio {
    pub stdin: std::os::fd::RawFd,
    pub stdout: std::os::fd::RawFd,
    pub stderr: std::os::fd::RawFd,
}

/// A running trace.
pub struct Tracer {
    handle: Handle,
    thread: JoinHandle<Result<Finish, TraceError>>,
    started_at: Instant,
}

impl Tracer {
    /// Starts tracing on a new thread. Returns once the program runs (its
    /// exec succeeded, or every thread is attached), or with the reason it
    /// could not. Events go to `tx` until the trace ends, then `tx` is dropped.
    pub fn start(target: Target, opts: Options, tx: Sender<TraceEvent>) -> Result<Tracer, TraceError> {
        sys::install_wake_handler(WAKE_SIGNAL).map_err(|e| TraceError::sys("sigaction", e))?;
        let control = Arc::new(Control::default());
        let attached = matches!(target, Target::Attach(_));
        let handle = Handle::new(Arc::clone(&control), attached);
        let (ready_tx, ready_rx) = crossbeam_channel::bounded(1);
        let started_at = Instant::now();
        let thread = std::thread::Builder::new()
            .name("tracer".into())
            .spawn(move || {
                control.set_tracer();
                let result = run(target, opts, tx, ready_tx, Arc::clone(&control), started_at);
                control.set_done();
                result
            })
            .map_err(|e| TraceError::sys("thread", e))?;
        match ready_rx.recv() {
            Ok(()) => Ok(Tracer { handle, thread, started_at }),
            // The thread ended before the program ran: its result says why.
            Err(_) => match thread.join() {
                Ok(Err(e)) => Err(e),
                Ok(Ok(_)) => Err(TraceError::sys("trace", std::io::Error::other("ended before it started"))),
                Err(_) => Err(TraceError::sys("trace", std::io::Error::other("the tracer thread panicked"))),
            },
        }
    }

    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// The instant event times (`t_ns`) count from.
    pub fn started_at(&self) -> Instant {
        self.started_at
    }

    /// Waits for the trace to end.
    pub fn join(self) -> Result<Finish, TraceError> {
        self.thread.join().unwrap_or_else(|_| {
            Err(TraceError::sys("trace", std::io::Error::other("the tracer thread panicked")))
        })
    }
}

fn run(
    target: Target,
    opts: Options,
    tx: Sender<TraceEvent>,
    ready: Sender<()>,
    control: Arc<Control>,
    t0: Instant,
) -> Result<Finish, TraceError> {
    match target {
        Target::Spawn(argv) => {
            let child = spawn::spawn(&argv, opts.read_write, opts.stdio)?;
            control.set_root(child.pid);
            let mut engine = Engine::new(true, opts.read_write, t0, tx, control, child.pid);
            engine.strace = opts.strace;
            engine.k.addresses = opts.strace;
            engine.threads.insert(child.pid, threads::Thread::new(child.pid as u32));
            engine.exec_report = Some(child.exec_report);
            engine.started = Some(ready);
            engine.run()
        }
        Target::Attach(pid) => {
            let tids = attach::attach(pid)?;
            control.set_root(pid as i32);
            let mut engine = Engine::new(false, opts.read_write, t0, tx, control, pid as i32);
            engine.strace = opts.strace;
            engine.k.addresses = opts.strace;
            for tid in tids {
                engine.threads.insert(tid, threads::Thread::new(pid));
            }
            engine.announce_attached(pid, engine.now());
            let _ = ready.send(());
            engine.run()
        }
    }
}
