//! One call on one of a socket's threads: the evidence sampled first, the
//! Begin event, the syscalls (made by the op's module in `ops`), the End
//! event. A panic in a call becomes a `Fault` event, never a dead session.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;

use super::sample;
use super::socket::{Buffers, Job, SockCtx, Start, Work, spawn, spawn_with};
use crate::command::{Payload, SockCall, UnixKind};
use crate::ops::{self, Done, Io};
use crate::record::{Arg, Call, CallEnd, Event, Lane, Mode, Op, Outcome, PREVIEW_CAP, SockKind};

/// Lowers the socket's count of calls in hand when a call ends, however it ends.
struct Busy<'a>(&'a SockCtx);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

pub fn run_job(ctx: &SockCtx, bufs: &mut Buffers, job: Job) {
    let _busy = Busy(ctx);
    if let Work::Serve(kind, n) = job.work {
        super::serve::serve(ctx, job.seq, kind, n);
        return;
    }
    let mode = ctx.mode();
    let lane = Lane::Sock(ctx.id);
    let (op, arg, preview) = describe(&job.work);
    prepare(bufs, &job.work);
    let evidence = if ctx.fd.is_closed() { None } else { sample::evidence(ctx.fd.raw()).map(Box::new) };
    let start_ns = ctx.shared.now_ns();
    let begin = Call { preview, evidence, ..Call::begin(job.seq, lane, op, arg, mode, start_ns) };
    ctx.shared.send(Event::Begin(begin));
    tracing::debug!(sock = ctx.id, seq = job.seq, op = op.word(), %mode, "call begins");
    let done = catch_unwind(AssertUnwindSafe(|| perform(ctx, bufs, &job.work, mode)));
    let end_ns = ctx.shared.now_ns();
    let mut done = done.unwrap_or_else(|_| {
        tracing::error!(sock = ctx.id, seq = job.seq, "call panicked");
        ctx.shared.send(Event::Fault(format!("a call on #{} panicked", ctx.id)));
        Done::errno(libc::EIO)
    });
    if let Some(new) = done.accepted.take() {
        done.outcome = Outcome::Accepted(adopt_accepted(ctx, new));
    }
    // The new addresses first, so whoever sees the call end knows them.
    if done.addrs_changed {
        ctx.shared.send(Event::Socket(ctx.info()));
    }
    tracing::debug!(
        sock = ctx.id,
        seq = job.seq,
        outcome = done.outcome.word(),
        errno = done.errno,
        dur_ns = end_ns - start_ns,
        "call ends"
    );
    ctx.shared.send(Event::End(CallEnd {
        seq: job.seq,
        lane,
        end_ns,
        outcome: done.outcome,
        errno: done.errno,
        bytes: done.bytes,
        preview: done.preview,
        arg: done.arg,
        traced: None,
    }));
}

fn perform(ctx: &SockCtx, bufs: &mut Buffers, work: &Work, mode: Mode) -> Done {
    if ctx.fd.is_closed() {
        return Done::errno(libc::EBADF);
    }
    let sock = ctx.fd.socket();
    match work {
        Work::Call(call, to) => {
            let size = match call {
                SockCall::Recv { size } | SockCall::Peek { size } => *size as usize,
                _ => 0,
            };
            let io = Io {
                sock,
                kind: ctx.kind,
                mode,
                buf: &mut bufs.recv[..size],
                filler: &bufs.filler,
                to: to.as_ref(),
            };
            let done = ops::run(call, io);
            if let (SockCall::Connect(_), Some(to)) = (call, to) {
                dialled(ctx, to, &done);
            }
            done
        }
        Work::Open(to) => {
            let io = Io { sock, kind: ctx.kind, mode, buf: &mut [], filler: &[], to: Some(to) };
            let done = ops::run(&SockCall::Connect(None), io);
            dialled(ctx, to, &done);
            done
        }
        Work::Spin(s) => {
            super::spin::spin(&ctx.shared, ctx.id, sock, ctx.kind, &mut bufs.recv[..s.size as usize], *s)
        }
        // `run_job` hands `serve` to serve.rs before this.
        Work::Serve(..) => Done::of(Outcome::Ok),
    }
}

/// A connect to an AF_UNIX listener that succeeded takes the next place
/// in its connect order (see `Shared::dial`).
fn dialled(ctx: &SockCtx, to: &socket2::SockAddr, done: &Done) {
    if done.outcome == Outcome::Connected
        && let Some(path) = to.as_pathname()
    {
        *ctx.pair.lock().unwrap_or_else(|p| p.into_inner()) = Some(ctx.shared.dial(&super::unix::text(path)));
    }
}

/// Numbers and starts a socket that accept made. It is blocking whatever
/// the listener's mode, but it has the listener's kernel timers, so its
/// mode starts from what the kernel holds for it.
fn adopt_accepted(ctx: &SockCtx, new: socket2::Socket) -> u32 {
    let id = ctx.shared.next_id();
    let kernel = sample::kernel_view(std::os::fd::AsRawFd::as_raw_fd(&new)).unwrap_or_default();
    let timer = |us: u64| (us != 0).then(|| std::time::Duration::from_micros(us));
    let mode =
        Mode { rcvtimeo: timer(kernel.rcvtimeo_us), sndtimeo: timer(kernel.sndtimeo_us), ..Mode::default() };
    let mode = (mode != Mode::default()).then_some(mode);
    if ctx.kind == SockKind::UnixListener {
        // The k-th accepted is the other end of the k-th connect (see Shared::dial).
        let k = ctx.accepted.fetch_add(1, Ordering::AcqRel);
        let start = Start { pair: Some(k), mode, ..Start::default() };
        spawn_with(&ctx.shared, id, SockKind::UnixAccepted, new, start);
    } else if mode.is_some() {
        spawn_with(&ctx.shared, id, SockKind::TcpAccepted, new, Start { mode, ..Start::default() });
    } else {
        spawn(&ctx.shared, id, SockKind::TcpAccepted, new);
    }
    id
}

/// Grows the buffers before the clock starts.
fn prepare(bufs: &mut Buffers, work: &Work) {
    let need = match work {
        Work::Call(SockCall::Recv { size } | SockCall::Peek { size }, _) => *size as usize,
        Work::Spin(s) => s.size as usize,
        _ => 0,
    };
    if bufs.recv.len() < need {
        bufs.recv.resize(need, 0);
    }
    if let Work::Call(SockCall::Send(Payload::Size(n)), _) = work
        && bufs.filler.len() < *n as usize
    {
        let from = bufs.filler.len();
        bufs.filler.extend((from..*n as usize).map(|i| b'a' + (i % 26) as u8));
    }
}

/// The record's op, argument and preview for a job.
fn describe(work: &Work) -> (Op, Arg, Option<Box<[u8]>>) {
    match work {
        Work::Call(call, to) => {
            let arg = match call {
                SockCall::Recv { size } | SockCall::Peek { size } => Arg::Size(*size),
                SockCall::Send(Payload::Text(t)) => {
                    return (Op::Send, Arg::Text(t.len() as u64), Some(t[..t.len().min(PREVIEW_CAP)].into()));
                }
                SockCall::Send(Payload::Size(n)) => Arg::Size(*n),
                SockCall::Connect(_) => match to {
                    Some(a) if a.is_unix() => {
                        Arg::Path(a.as_pathname().map(super::unix::text).unwrap_or_default().into())
                    }
                    Some(a) => a.as_socket().map_or(Arg::None, Arg::Addr),
                    None => Arg::None,
                },
                SockCall::Shutdown(h) => Arg::How(*h),
                SockCall::Accept | SockCall::Close => Arg::None,
            };
            (crate::record::Op::from(call), arg, None)
        }
        Work::Open(to) if to.is_unix() => {
            let path: Box<str> = to.as_pathname().map(super::unix::text).unwrap_or_default().into();
            (Op::Open, Arg::Unix(UnixKind::Stream, path), None)
        }
        Work::Open(to) => (Op::Open, Arg::Proto(crate::command::Proto::Tcp, to.as_socket()), None),
        Work::Spin(s) => (Op::Spin, Arg::Spin(Box::new(*s)), None),
        Work::Serve(kind, n) => (Op::Serve, Arg::Serve(*kind, *n), None),
    }
}
