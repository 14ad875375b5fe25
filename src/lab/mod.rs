//! The engine: real sockets, their workers, the embedded peer and the
//! timeline. No UI crate is used here; the TUI and the headless runner are
//! two front ends over the same [`Lab`].

pub mod arg;
pub mod call;
mod clients;
pub mod dense;
mod error;
pub mod event;
mod eventloop;
pub mod exec;
pub mod expect;
pub mod explain;
pub mod inspect;
pub mod mode;
mod ops;
mod ops_loop;
mod ops_peer;
mod ops_unix;
mod peer;
pub mod record;
mod serve;
mod shared;
mod socket;
pub mod spin;
pub mod sys;
pub mod timeline;
pub mod unix;
mod worker;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::{Receiver, RecvTimeoutError, unbounded};

pub use call::{Arg, Call, Lane, Op, Outcome, TimeoutBy};
pub use error::LabError;
pub use event::{CallEnd, LabEvent, SockInfo, SockKind};
pub use mode::{KernelView, Mode, PyMode};
pub use socket::SockHandle;
pub use timeline::Timeline;

use peer::Peer;
use shared::Shared;

/// One session: its sockets, the peer, and everything recorded so far.
pub struct Lab {
    shared: Arc<Shared>,
    rx: Receiver<LabEvent>,
    socks: BTreeMap<u32, SockHandle>,
    current: Option<u32>,
    timeline: Timeline,
    /// Started by the first `poll add`.
    eventloop: Option<eventloop::EventLoop>,
    /// `None` when replaying a recording: there are no sockets then.
    peer: Option<Peer>,
    /// Where `--record` writes each event as it is applied.
    recorder: Option<record::Recorder>,
    /// Why the recording stopped, if it did: the file misses what came after.
    record_failure: Option<String>,
    /// A replay's clock (ns since its start); live sessions use the real one.
    replay_ns: Option<u64>,
    /// Events applied since the front end last took them.
    fresh: Vec<LabEvent>,
    /// Listeners with a `serve` running: `peer connect` to them makes clients.
    serving: Vec<std::net::SocketAddr>,
    clients: clients::Clients,
    /// When scheduled peer sends are due (so a UI knows to keep animating).
    scheduled: Vec<Instant>,
    /// Socket files our listeners bound: unlinked when the lab goes, in
    /// case a listener's worker cannot (it is stuck in a call).
    bound: Vec<unix::Bound>,
    /// The private directory for AF_UNIX paths (`None` in a replay).
    /// Declared last, so it is removed after everything else is gone.
    tmp: Option<unix::TempDir>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for b in &self.bound {
            b.unlink();
        }
    }
}

impl Lab {
    /// A new, empty session with the embedded peer listening on loopback.
    pub fn new() -> Result<Lab, LabError> {
        let (tx, rx) = unbounded();
        let shared = Arc::new(Shared::new(tx));
        let tmp = unix::TempDir::new().map_err(LabError::sys("mkdir (temp dir)", None))?;
        let peer =
            Peer::start(shared.clone(), tmp.join("peer.sock")).map_err(LabError::sys("peer listen", None))?;
        let mut lab = Lab::with(shared, rx, Some(peer));
        lab.tmp = Some(tmp);
        Ok(lab)
    }

    /// A session with no sockets and no peer, fed from a recording with
    /// [`Lab::apply`] while [`Lab::set_clock`] moves its time.
    pub fn replay() -> Lab {
        let (tx, rx) = unbounded();
        let mut lab = Lab::with(Arc::new(Shared::new(tx)), rx, None);
        lab.replay_ns = Some(0);
        lab
    }

    fn with(shared: Arc<Shared>, rx: Receiver<LabEvent>, peer: Option<Peer>) -> Lab {
        Lab {
            shared,
            rx,
            socks: BTreeMap::new(),
            current: None,
            timeline: Timeline::default(),
            peer,
            eventloop: None,
            recorder: None,
            record_failure: None,
            replay_ns: None,
            fresh: Vec::new(),
            serving: Vec::new(),
            clients: clients::Clients::default(),
            scheduled: Vec::new(),
            bound: Vec::new(),
            tmp: None,
        }
    }

    /// Appends every event from now on to `path` (`--record`).
    pub fn record_to(&mut self, path: &std::path::Path) -> std::io::Result<()> {
        self.record_into(record::Recorder::create(path)?);
        Ok(())
    }

    /// Appends every event from now on with `rec`.
    pub fn record_into(&mut self, rec: record::Recorder) {
        self.recorder = Some(rec);
    }

    /// Why `--record` stopped mid-session, if it did: the session went on,
    /// but the file lacks everything after, so a front end must not exit 0.
    pub fn record_failure(&self) -> Option<&str> {
        self.record_failure.as_deref()
    }

    /// Whether this is a replay (no sockets, no peer).
    pub fn is_replay(&self) -> bool {
        self.replay_ns.is_some()
    }

    /// Moves a replay's clock.
    pub fn set_clock(&mut self, ns: u64) {
        if self.replay_ns.is_some() {
            self.replay_ns = Some(ns);
        }
    }

    /// The receiving end of the lab's one event channel, for a front end
    /// that multiplexes it with input. Pass what it yields to [`Lab::apply`].
    pub fn events(&self) -> Receiver<LabEvent> {
        self.rx.clone()
    }

    /// Folds one event into the session state.
    pub fn apply(&mut self, ev: LabEvent) {
        if let Some(rec) = &mut self.recorder
            && let Err(e) = rec.write(self.shared.now_ns(), &ev)
        {
            self.recorder = None;
            let why = format!("recording stopped: {e}; the file lacks every event from here on");
            self.record_failure = Some(why.clone());
            self.fresh.push(LabEvent::Fault(why));
        }
        self.timeline.apply(&ev);
        match &ev {
            // A replay has its recorded summary already.
            LabEvent::Instant(c) if c.op == Op::Request && !self.is_replay() => {
                if let Some(text) = self.clients.finished(&self.timeline) {
                    self.summary(text);
                }
            }
            LabEvent::Socket(info) => self.update_socket(info),
            LabEvent::Instant(c) if c.op.is_mode() => {
                if let Lane::Sock(id) = c.lane
                    && let Some(h) = self.socks.get_mut(&id)
                {
                    // Live, this repeats what set_mode did; in a replay it is
                    // the only source of the mode.
                    *h.mode.lock().unwrap_or_else(|p| p.into_inner()) = c.mode;
                    h.last_kernel = c.kernel;
                }
            }
            LabEvent::Closed(id) => {
                if let Some(h) = self.socks.get_mut(id) {
                    h.closed = true;
                    h.closing = true;
                }
                self.tell_peer_closed(*id);
                if let Some(ev) = &mut self.eventloop {
                    ev.forget(*id);
                }
            }
            _ => {}
        }
        self.fresh.push(ev);
    }

    fn update_socket(&mut self, info: &SockInfo) {
        let adopted = std::mem::take(&mut *self.shared.adopted.lock().unwrap_or_else(|p| p.into_inner()));
        for h in adopted {
            self.socks.insert(h.info.id, h);
        }
        match self.socks.get_mut(&info.id) {
            Some(h) => h.info = info.clone(),
            None => {
                self.socks.insert(info.id, SockHandle::ghost(info.clone()));
                self.current = Some(info.id);
            }
        }
    }

    /// Applies every event already waiting. Returns how many there were.
    pub fn pump(&mut self) -> usize {
        let mut n = 0;
        while let Ok(ev) = self.rx.try_recv() {
            self.apply(ev);
            n += 1;
        }
        n
    }

    /// Waits until an event arrives or `deadline` passes; applies what came.
    pub fn wait_event(&mut self, deadline: Instant) -> bool {
        match self.rx.recv_deadline(deadline) {
            Ok(ev) => {
                self.apply(ev);
                self.pump();
                true
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => false,
        }
    }

    /// The events applied since the last call, oldest first.
    pub fn take_fresh(&mut self) -> Vec<LabEvent> {
        std::mem::take(&mut self.fresh)
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Bounds the busy-poll history (`--history`); older calls are folded
    /// into per-lane tallies.
    pub fn set_history_cap(&mut self, calls: usize) {
        self.timeline.set_cap(calls);
    }

    pub fn sockets(&self) -> impl Iterator<Item = &SockHandle> {
        self.socks.values()
    }

    pub fn socket(&self, id: u32) -> Option<&SockHandle> {
        self.socks.get(&id)
    }

    pub fn current(&self) -> Option<u32> {
        self.current
    }

    /// Time zero of the session.
    pub fn epoch(&self) -> Instant {
        self.shared.epoch
    }

    pub fn now_ns(&self) -> u64 {
        self.replay_ns.unwrap_or_else(|| self.shared.now_ns())
    }

    /// The address `open tcp` with no address connects to.
    pub fn peer_addr(&self) -> Option<std::net::SocketAddr> {
        self.peer.as_ref().map(|p| p.listen_addr)
    }

    /// The path `open unix` with no path connects to.
    pub fn peer_unix_path(&self) -> Option<&std::path::Path> {
        self.peer.as_ref().map(|p| p.unix_path.as_path())
    }

    /// Whether a scheduled peer action is still to come.
    pub fn peer_pending(&mut self) -> Option<Instant> {
        let now = Instant::now();
        self.scheduled.retain(|t| *t > now);
        self.scheduled.iter().min().copied()
    }

    /// Bytes queued to receive and to send (FIONREAD, TIOCOUTQ), read now.
    pub fn queues(&self, id: u32) -> Option<(u32, u32)> {
        let h = self.socks.get(&id).filter(|h| h.is_open() && !self.is_replay())?;
        let rx = sys::queued_in(h.info.fd).ok()?;
        let tx = sys::queued_out(h.info.fd).ok()?;
        Some((rx, tx))
    }

    /// What the kernel holds for this socket's mode, read now.
    /// In a replay, the last read-back recorded.
    pub fn kernel_view(&self, id: u32) -> Option<KernelView> {
        let h = self.socks.get(&id).filter(|h| h.is_open())?;
        if self.is_replay() {
            return h.last_kernel;
        }
        ops::read_kernel(h.info.fd).ok()
    }
}
