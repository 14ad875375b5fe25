//! The record: what a session did, as a pure fold of its events.
//!
//! The engine (`lab`) emits [`Event`]s into one channel; [`Record::apply`]
//! folds them into the socket table (modes as set), the timeline of calls and
//! the current socket. A live TUI, a headless run and a replay all read their
//! state from a `Record` and from nothing else: a replay is this fold with no
//! engine behind it.

pub mod arg;
pub mod call;
pub mod dense;
pub mod event;
pub mod evidence;
pub mod file;
pub mod index;
pub mod mode;
pub mod quiet;
pub mod sock;
pub mod timeline;
pub mod traced;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

pub use arg::{Arg, SpinArg, SpinStats, ready};
pub use call::{Call, Lane, Op, Outcome, PREVIEW_CAP, TimeoutBy};
pub use event::{CallEnd, Event, SockInfo, SockKind};
pub use evidence::{Evidence, Family, History, TcpState};
pub use mode::{KernelView, Mode, PyMode};
pub use sock::SockState;
pub use timeline::Timeline;
pub use traced::{ProcInfo, ProgramOutput, Traced};

/// Everything the events of a session say, folded.
#[derive(Debug, Default)]
pub struct Record {
    timeline: Timeline,
    socks: BTreeMap<u32, SockState>,
    current: Option<u32>,
    /// Traced processes, by pid.
    procs: BTreeMap<u32, ProcInfo>,
    /// What traced programs wrote to stdout and stderr.
    output: ProgramOutput,
    /// Per lane, the record whose state changed last (see [`Record::last_changed`]).
    changed: HashMap<Lane, usize>,
    /// A traced program's sockets so far per `PID:FD`, to tell apart the
    /// sockets a reused fd number has stood for.
    fd_uses: HashMap<(u32, std::os::fd::RawFd), u32>,
}

impl Record {
    pub fn new() -> Record {
        Record::default()
    }

    /// Folds one event in.
    pub fn apply(&mut self, ev: &Event) {
        let touched = self.timeline.apply(ev);
        if let Some(i) = touched {
            self.with_history(i, ev);
            self.note_change(i);
        }
        match ev {
            Event::Socket(info) => self.socket_seen(info),
            Event::Instant(c) if c.op.is_mode() => {
                if let Some(s) = c.lane.sock().and_then(|id| self.socks.get_mut(&id)) {
                    s.mode = c.mode;
                    s.kernel = c.kernel;
                }
            }
            Event::Use(id) if self.socks.contains_key(id) => self.current = Some(*id),
            Event::Closed(id) => {
                if let Some(s) = self.socks.get_mut(id) {
                    s.closed = true;
                }
            }
            Event::Process(p) => {
                self.procs.insert(p.pid, p.clone());
            }
            Event::Output(o) => self.output.push(o),
            _ => {}
        }
    }

    /// A call of one of our sockets: it began knowing the socket's history
    /// so far, and once it ends, its outcome adds to that history.
    fn with_history(&mut self, i: usize, ev: &Event) {
        let Some(c) = self.timeline.get(i) else { return };
        let Some(s) = c.lane.sock().and_then(|id| self.socks.get_mut(&id)) else { return };
        if matches!(ev, Event::Begin(_) | Event::Instant(_)) {
            let history = s.history;
            if let Some(e) = self.timeline.get_mut(i).and_then(|c| c.evidence.as_deref_mut()) {
                e.history = history;
            }
        }
        if let Some(c) = self.timeline.get(i).filter(|c| c.end_ns.is_some()) {
            s.history.learn(c);
        }
    }

    /// Record `i` began, ended or was made whole: it is its lane's latest
    /// change if no record there changed later (by the session clock, not
    /// by arrival; a tie goes to the newer arrival).
    fn note_change(&mut self, i: usize) {
        let Some(c) = self.timeline.get(i) else { return };
        let at = changed_at(c);
        let later = match self.changed.get(&c.lane).and_then(|&j| self.timeline.get(j)) {
            Some(prev) => at >= changed_at(prev),
            None => true,
        };
        if later {
            self.changed.insert(c.lane, i);
        }
    }

    /// A socket appeared or its addresses changed. A socket the user made
    /// becomes current; one accepted from a listener does not.
    fn socket_seen(&mut self, info: &SockInfo) {
        match self.socks.get_mut(&info.id) {
            Some(s) => {
                s.info = info.clone();
                if let (Some(_), Some(mode)) = (info.pid, info.mode) {
                    s.mode = mode;
                }
            }
            None => {
                let mut s = SockState::new(info.clone());
                s.mode = info.mode.unwrap_or_default();
                if let Some(pid) = info.pid {
                    let uses = self.fd_uses.entry((pid, info.fd)).or_default();
                    s.reuse = *uses;
                    *uses += 1;
                }
                self.socks.insert(info.id, s);
                if !info.kind.is_accepted() {
                    self.current = Some(info.id);
                }
            }
        }
    }

    /// The traced processes, by pid (none outside `sockscope trace`).
    pub fn processes(&self) -> impl Iterator<Item = &ProcInfo> {
        self.procs.values()
    }

    pub fn process(&self, pid: u32) -> Option<&ProcInfo> {
        self.procs.get(&pid)
    }

    /// A traced program's lanes: each process's sockets in the order they
    /// appeared, then its `PID:loop` lane once it has waited.
    fn traced_lanes(&self) -> Vec<Lane> {
        let mut by_pid: BTreeMap<u32, Vec<Lane>> = BTreeMap::new();
        for s in self.socks.values() {
            by_pid.entry(s.info.pid.unwrap_or(0)).or_default().push(Lane::Sock(s.id()));
        }
        for l in self.timeline.lanes() {
            if let Lane::ProcLoop(pid) = l {
                by_pid.entry(pid).or_default();
            }
        }
        let mut lanes = Vec::new();
        for (pid, socks) in by_pid {
            lanes.extend(socks);
            if !self.timeline.lane(Lane::ProcLoop(pid)).is_empty() {
                lanes.push(Lane::ProcLoop(pid));
            }
        }
        lanes
    }

    /// A lane's name: `#1`, `peer`, `loop`, or a traced program's `PID:FD`
    /// and `PID:loop`. A later socket on a reused fd number is `PID:FD (2)`,
    /// `(3)`…, so two lanes never share a name.
    pub fn lane_name(&self, lane: Lane) -> String {
        match lane {
            Lane::Sock(id) => match self.socket(id).map(|s| (s.info.pid, s.info.fd, s.reuse)) {
                Some((Some(pid), fd, 0)) => format!("{pid}:{fd}"),
                Some((Some(pid), fd, reuse)) => format!("{pid}:{fd} ({})", reuse + 1),
                _ => lane.to_string(),
            },
            lane => lane.to_string(),
        }
    }

    /// Whether this is a traced program's record.
    pub fn is_traced(&self) -> bool {
        !self.procs.is_empty()
    }

    /// What traced programs wrote to their stdout and stderr.
    pub fn output(&self) -> &ProgramOutput {
        &self.output
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Bounds the busy-poll history (`--history`).
    pub fn set_history_cap(&mut self, calls: usize) {
        self.timeline.set_cap(calls);
    }

    /// Every socket in number order, closed ones included.
    pub fn sockets(&self) -> impl Iterator<Item = &SockState> {
        self.socks.values()
    }

    pub fn socket(&self, id: u32) -> Option<&SockState> {
        self.socks.get(&id)
    }

    /// The lanes top to bottom, as every view draws them: each socket in
    /// number order (a recording may hold calls of sockets it never
    /// announced: those too), the event loop once it has been used, the
    /// peer, then each serve client that has records.
    pub fn lanes(&self) -> Vec<Lane> {
        if self.is_traced() {
            return self.traced_lanes();
        }
        let tl = &self.timeline;
        let mut lanes: Vec<Lane> = self.socks.keys().map(|&id| Lane::Sock(id)).collect();
        let mut unannounced: Vec<Lane> = tl.lanes().filter(|l| l.is_sock() && !lanes.contains(l)).collect();
        unannounced.sort();
        lanes.extend(unannounced);
        if !tl.lane(Lane::Loop).is_empty() {
            lanes.push(Lane::Loop);
        }
        lanes.push(Lane::Peer);
        let mut clients: Vec<Lane> = tl.lanes().filter(|l| matches!(l, Lane::Client(_))).collect();
        clients.sort();
        lanes.extend(clients);
        lanes
    }

    pub fn current(&self) -> Option<u32> {
        self.current
    }

    pub fn current_socket(&self) -> Option<&SockState> {
        self.socks.get(&self.current?)
    }

    /// The numbers of every socket, for "no socket #9 (sockets: #1, #2)".
    pub fn ids(&self) -> Vec<u32> {
        self.socks.keys().copied().collect()
    }

    /// The record on `lane` whose state changed last: the one that ended
    /// last, unless a call began blocking (or a mode was set) after that.
    /// A call issued later that is still blocking does not hide the end of
    /// an earlier one that just returned.
    pub fn last_changed(&self, lane: Lane) -> Option<usize> {
        self.changed.get(&lane).copied()
    }

    /// The latest `poll wait` record.
    pub fn last_poll_wait(&self) -> Option<&Call> {
        let tl = &self.timeline;
        tl.lane(Lane::Loop).iter().rev().filter_map(|&i| tl.get(i as usize)).find(|c| c.op == Op::PollWait)
    }

    /// The sockets a finished `poll wait` (by seq) reported readable, in order.
    pub fn readable_after(&self, wait_seq: u64) -> Vec<u32> {
        let tl = &self.timeline;
        let mut out: Vec<u32> = tl
            .lane(Lane::Loop)
            .iter()
            .rev()
            .filter_map(|&i| tl.get(i as usize))
            .take_while(|c| c.seq > wait_seq)
            .filter_map(|c| match c.arg {
                Arg::Ready(n, f) if f & (ready::READABLE | ready::READ_CLOSED) != 0 => Some(n),
                _ => None,
            })
            .collect();
        out.reverse();
        out.dedup();
        out
    }

    /// Each client's request-to-echo wait for clients `first..first+n`,
    /// once every one of them has its echo.
    pub fn client_waits(&self, first: u32, n: u32) -> Option<Vec<(u32, Duration)>> {
        (first..first.checked_add(n)?).map(|k| Some((k, self.echo_wait(k)?))).collect()
    }

    /// How long client `k` waited for its echo, once it has it.
    pub fn echo_wait(&self, k: u32) -> Option<Duration> {
        let tl = &self.timeline;
        tl.lane(Lane::Client(k))
            .iter()
            .filter_map(|&i| tl.get(i as usize))
            .find(|c| c.op == Op::Request && c.outcome == Outcome::Data)?
            .duration()
    }

    /// Whether client `k` has a finished request (echoed or not).
    pub fn client_done(&self, k: u32) -> bool {
        let tl = &self.timeline;
        tl.lane(Lane::Client(k)).iter().any(|&i| tl.get(i as usize).is_some_and(|c| c.op == Op::Request))
    }
}

/// When a record last changed state: its end, or its start while it blocks.
fn changed_at(c: &Call) -> u64 {
    c.end_ns.unwrap_or(c.start_ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(seq: u64, lane: Lane, op: Op, start: u64, end: Option<u64>) -> Call {
        let c = Call::begin(seq, lane, op, Arg::None, Mode::default(), start);
        match end {
            Some(e) => c.ended(e, Outcome::Ok),
            None => c,
        }
    }

    fn end(seq: u64, lane: Lane, at: u64) -> Event {
        let outcome = Outcome::Data;
        Event::End(CallEnd {
            seq,
            lane,
            end_ns: at,
            outcome,
            errno: 0,
            bytes: Some(4),
            preview: None,
            arg: None,
            traced: None,
        })
    }

    #[test]
    fn the_last_change_on_a_lane_is_by_the_session_clock() {
        let (a, peer) = (Lane::Sock(1), Lane::Peer);
        let mut r = Record::new();
        r.apply(&Event::Begin(call(1, a, Op::Recv, 100, None)));
        assert_eq!(r.last_changed(a), Some(0), "a call that began blocking");
        r.apply(&Event::Instant(call(2, a, Op::Nonblocking, 200, Some(201))));
        assert_eq!(r.last_changed(a), Some(1), "a mode set while it blocks");
        r.apply(&Event::Instant(call(3, peer, Op::PeerSend, 300, Some(301))));
        r.apply(&end(1, a, 302));
        assert_eq!(r.last_changed(a), Some(0), "the recv returned after the mode change");
        assert_eq!(r.last_changed(peer), Some(2), "lanes are apart");
        // Arrival order is not time order: a record that ended earlier,
        // folded in later, does not take over.
        r.apply(&Event::Instant(call(4, a, Op::Blocking, 0, Some(0))));
        assert_eq!(r.last_changed(a), Some(0));
        r.apply(&Event::Begin(call(5, a, Op::Recv, 400, None)));
        r.apply(&Event::Begin(call(6, a, Op::Recv, 500, None)));
        r.apply(&end(5, a, 600));
        assert_eq!(r.last_changed(a), Some(4), "an earlier call that ends after a later one began");
    }
}
