//! One module per operation: everything sockscope knows about it in one
//! place. A socket call's module has how it runs (its syscalls, under the
//! socket's mode), how the Python export writes it, and how a record of it
//! is explained at three levels: the syscalls in strace notation with the
//! real values, the Python line and what Python gives back, and why it came
//! out so, derived from the evidence recorded with the call.
//!
//! The tables below are the only places that list the operations. Their
//! matches are exhaustive, so a new [`Op`] or [`SockCall`] does not compile
//! until every table names the module that answers for it.
//!
//! Explaining is pure: it reads a [`Call`] and a small [`Context`] and
//! builds text, for the live TUI, a replay, or any other source of records.

mod accept;
mod call;
mod close;
mod connect;
mod errors;
mod io;
mod listen;
pub mod literal;
mod loop_;
pub mod mode;
mod open;
mod peek;
mod peer;
mod recv;
mod say;
mod send;
mod serve;
mod shutdown;
pub mod site;
mod socket;
mod spin;
pub mod text;
pub mod traced;
mod unix;

use std::fmt;

pub use call::{Dir, Done, failed, with_mode};
pub use loop_::undrained;
pub use send::PEER_TAKES;
pub use text::{py_error, strace_err, strerror};

use crate::command::SockCall;
use crate::record::{Call, Lane, Op, Outcome, SockKind, Timeline};
use loop_::LoopOp;
use mode::ModeOp;
use peer::PeerOp;

/// What one kind of record says about itself, at three levels.
pub trait Describe: Sync {
    /// One strace line per syscall, in order.
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String>;
    /// Python statements, then `→ result`, then `# notes`.
    fn python(&self, c: &Call, cx: &Context) -> Vec<String>;
    /// One or two plain sentences: why the call came out as it did.
    fn why(&self, c: &Call, cx: &Context) -> String;
}

/// The module that describes each operation.
pub fn describe(op: Op) -> &'static dyn Describe {
    match op {
        Op::Recv => &recv::Recv,
        Op::Peek => &peek::Peek,
        Op::Send => &send::Send,
        Op::Accept => &accept::Accept,
        Op::Connect => &connect::Connect,
        Op::Shutdown => &shutdown::Shutdown,
        Op::Close => &close::Close,
        Op::Open => &open::Open,
        Op::Listen => &listen::Listen,
        Op::Socket => &socket::NewSocket,
        Op::Blocking => &mode::ModeChange(ModeOp::Blocking),
        Op::Nonblocking => &mode::ModeChange(ModeOp::Nonblocking),
        Op::Timeout => &mode::ModeChange(ModeOp::Timeout),
        Op::RcvTimeo => &mode::ModeChange(ModeOp::RcvTimeo),
        Op::SndTimeo => &mode::ModeChange(ModeOp::SndTimeo),
        Op::Spin => &spin::Spin,
        Op::Serve => &serve::Serve,
        Op::Request => &serve::Request,
        Op::Summary => &serve::Summary,
        Op::PollAdd => &loop_::EventLoop(LoopOp::Add),
        Op::PollWait => &loop_::EventLoop(LoopOp::Wait),
        Op::PollDrain => &loop_::EventLoop(LoopOp::Drain),
        Op::Ready => &loop_::EventLoop(LoopOp::Ready),
        Op::PeerSend => &peer::PeerAct(PeerOp::Send),
        Op::PeerRecv => &peer::PeerAct(PeerOp::Recv),
        Op::PeerClose => &peer::PeerAct(PeerOp::Close),
        Op::PeerReset => &peer::PeerAct(PeerOp::Reset),
        Op::PeerShutdown => &peer::PeerAct(PeerOp::Shutdown),
        Op::PeerConnect => &peer::PeerAct(PeerOp::Connect),
        Op::PeerAccept => &peer::PeerAct(PeerOp::Accept),
        Op::PeerPause => &peer::PeerAct(PeerOp::Pause),
        Op::PeerResume => &peer::PeerAct(PeerOp::Resume),
        Op::Say => &say::Say,
        // Only a traced program makes these.
        Op::Bind | Op::Control => &traced::TracedCall,
    }
}

/// Where a call's syscalls read and write, and its mode.
pub struct Io<'a> {
    pub sock: &'a socket2::Socket,
    pub kind: SockKind,
    pub mode: crate::record::Mode,
    /// The receive buffer, at least as large as the call asks for.
    pub buf: &'a mut [u8],
    /// Filler bytes for `send SIZE`, at least that many.
    pub filler: &'a [u8],
    /// Where `connect` goes, resolved.
    pub to: Option<&'a socket2::SockAddr>,
}

/// Makes the syscalls of one socket call. `close` is the worker's own:
/// it drops the socket.
pub fn run(call: &SockCall, io: Io) -> Done {
    match call {
        SockCall::Recv { .. } => recv::run(io),
        SockCall::Peek { .. } => peek::run(io),
        SockCall::Send(p) => send::run(io, p),
        SockCall::Accept => accept::run(io),
        SockCall::Connect(_) => connect::run(io),
        SockCall::Shutdown(how) => shutdown::run(io, *how),
        SockCall::Close => Done::of(Outcome::Ok),
    }
}

/// One socket call as a line of the exported Python harness.
pub fn export(call: &SockCall) -> String {
    match call {
        SockCall::Recv { size } => recv::export(*size),
        SockCall::Peek { size } => peek::export(*size),
        SockCall::Send(p) => send::export(p),
        SockCall::Accept => accept::export(),
        SockCall::Connect(addr) => connect::export(addr.as_ref()),
        SockCall::Shutdown(how) => shutdown::export(*how),
        SockCall::Close => close::export(),
    }
}

/// One socket call in the learner's plain script (`export python`): the
/// call, a print of what it gave, and the `except` the scenario calls for.
pub fn learner(call: &SockCall, site: &site::Site) -> Vec<String> {
    match call {
        SockCall::Recv { size } => recv::learner(*size, site),
        SockCall::Peek { size } => peek::learner(*size, site),
        SockCall::Send(p) => send::learner(p, site),
        SockCall::Accept => accept::learner(site),
        SockCall::Connect(addr) => connect::learner(addr.as_ref(), site),
        SockCall::Shutdown(how) => shutdown::learner(*how, site),
        SockCall::Close => close::learner(site),
    }
}

/// What a single record does not say but the record as a whole knows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    /// The socket's fd (for peer records: the peer's fd, usually unknown;
    /// for `poll add` and readiness records: the fd of the socket they name).
    /// Without it the lines say `fd`.
    pub fd: Option<i32>,
    pub kind: Option<SockKind>,
    /// The previous call on the same lane, mode changes skipped (see [`prev_call`]).
    pub prev: Option<Prev>,
    /// For `accepted #K`: the fd of socket #K, if known.
    pub new_fd: Option<i32>,
    /// For a `poll wait`: a socket reported readable earlier and not read
    /// until EAGAIN since (see [`undrained`]).
    pub undrained: Option<u32>,
    /// For a traced program's call: its process and neighbours.
    pub traced: Option<traced::TracedCx>,
    /// The last `blocking`/`nonblocking`/`timeout` made on the same socket
    /// while this call was in the kernel.
    pub mode_set_during: Option<Op>,
}

/// The parts of an earlier call that change an explanation: an EOF right
/// after ECONNRESET, an EPIPE right after a send that still succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prev {
    pub op: Op,
    pub outcome: Outcome,
    pub errno: i32,
}

impl Prev {
    pub fn of(c: &Call) -> Prev {
        Prev { op: c.op, outcome: c.outcome, errno: c.errno }
    }
}

/// The three levels. All empty for narration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    pub syscalls: Vec<String>,
    pub python: Vec<String>,
    pub why: String,
}

impl Explanation {
    pub fn is_empty(&self) -> bool {
        self.syscalls.is_empty() && self.python.is_empty() && self.why.is_empty()
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.syscalls.is_empty() {
            writeln!(f, "syscalls:")?;
            for l in &self.syscalls {
                writeln!(f, "  {l}")?;
            }
        }
        if !self.python.is_empty() {
            writeln!(f, "python:")?;
            for l in &self.python {
                writeln!(f, "  {l}")?;
            }
        }
        if !self.why.is_empty() {
            writeln!(f, "why: {}", self.why)?;
        }
        Ok(())
    }
}

/// Explains one record. A traced program's call is one real syscall of
/// someone else's program, explained by `traced` whatever its op.
pub fn explain(call: &Call, cx: &Context) -> Explanation {
    let d = if call.traced.is_some() { &traced::TracedCall } else { describe(call.op) };
    let mut why = d.why(call, cx);
    if let Some(op) = cx.mode_set_during.filter(|_| call.end_ns.is_some()) {
        why.push_str(&format!(
            " The switch to {} while it waited did not wake it: O_NONBLOCK is checked when a call starts, not \
             while it sleeps.",
            op.word()
        ));
    }
    Explanation { syscalls: d.strace(call, cx), python: d.python(call, cx), why }
}

/// The last O_NONBLOCK change on `call`'s lane that started while `call`
/// was in the kernel (SOCKET-FACTS case 11: it does not wake the call).
pub fn mode_set_during(timeline: &Timeline, call: &Call) -> Option<Op> {
    let end = call.end_ns?;
    let fionbio = |op: Op| matches!(op, Op::Blocking | Op::Nonblocking | Op::Timeout);
    // A lane is in start order: look only at what started while it waited.
    let ids = timeline.lane(call.lane);
    let start = |j: u32| timeline.get(j as usize).map_or(u64::MAX, |c| c.start_ns);
    let from = ids.partition_point(|&j| start(j) <= call.start_ns);
    let to = ids.partition_point(|&j| start(j) < end);
    ids[from..to.max(from)]
        .iter()
        .rev()
        .filter_map(|&j| timeline.get(j as usize))
        .find(|c| c.seq != call.seq && fionbio(c.op))
        .map(|c| c.op)
}

/// The call before `call` on its lane, skipping mode changes, which do not
/// touch the connection. `None` for the first call.
pub fn prev_call<'a>(timeline: &'a Timeline, call: &Call) -> Option<&'a Call> {
    // A lane is in start order: start the walk back at the call itself.
    let ids = timeline.lane(call.lane);
    let start = |j: u32| timeline.get(j as usize).map_or(u64::MAX, |c| c.start_ns);
    let upto = ids.partition_point(|&j| start(j) <= call.start_ns);
    let mut earlier = ids[..upto].iter().rev().filter_map(|&i| timeline.get(i as usize));
    earlier.by_ref().find(|c| c.seq == call.seq)?;
    earlier.find(|c| !c.op.is_mode() && c.op != Op::Say)
}

/// The context the record gives `call`: its socket's fd and kind (for loop
/// records, those of the socket they name), the previous call, and for a
/// `poll wait` the socket it may have left undrained.
pub fn context(record: &crate::record::Record, call: &Call) -> Context {
    let tl = record.timeline();
    let named = match (call.lane, &call.arg) {
        (_, crate::record::Arg::Ready(id, _)) | (_, crate::record::Arg::PollAdd(id, _)) => Some(*id),
        (Lane::Sock(id), _) => Some(id),
        _ => None,
    };
    let sock = named.and_then(|id| record.socket(id));
    Context {
        fd: sock.map(|s| s.info.fd).filter(|&fd| fd >= 0),
        kind: sock.map(|s| s.info.kind),
        prev: prev_call(tl, call).map(Prev::of),
        new_fd: match call.outcome {
            Outcome::Accepted(k) => record.socket(k).map(|s| s.info.fd),
            _ => None,
        },
        undrained: (call.op == Op::PollWait && call.traced.is_none()).then(|| undrained(tl, call)).flatten(),
        traced: traced::context(record, call),
        mode_set_during: call.lane.is_sock().then(|| mode_set_during(tl, call)).flatten(),
    }
}
