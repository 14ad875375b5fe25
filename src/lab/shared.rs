//! What the lab's threads share: the clock, the counters and the one channel.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

use crossbeam_channel::Sender;

use super::socket::SockHandle;
use crate::record::call::{Arg, Call, Lane, Op, Outcome};
use crate::record::event::Event;
use crate::record::mode::{KernelView, Mode};

pub struct Shared {
    /// Time zero of the session; every timestamp is measured from it.
    pub epoch: Instant,
    seq: AtomicU64,
    next_id: AtomicU32,
    tx: Sender<Event>,
    /// Every socket's handle, by number. Workers that accept add theirs here
    /// directly; the engine looks sockets up here.
    socks: Mutex<BTreeMap<u32, SockHandle>>,
    /// Connections made so far to each AF_UNIX listener path, by our
    /// sockets and the peer alike (see [`Shared::dial`]).
    dials: Mutex<HashMap<String, u64>>,
}

impl Shared {
    pub fn new(tx: Sender<Event>) -> Shared {
        Shared {
            epoch: Instant::now(),
            seq: AtomicU64::new(1),
            next_id: AtomicU32::new(1),
            tx,
            socks: Mutex::new(BTreeMap::new()),
            dials: Mutex::new(HashMap::new()),
        }
    }

    pub fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    pub fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    pub fn next_id(&self) -> u32 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Registers a new socket's handle.
    pub fn insert(&self, h: SockHandle) {
        self.socks.lock().unwrap_or_else(|p| p.into_inner()).insert(h.id(), h);
    }

    /// Runs `f` on socket `id`'s handle, if there is one.
    pub fn with_sock<T>(&self, id: u32, f: impl FnOnce(&mut SockHandle) -> T) -> Option<T> {
        self.socks.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&id).map(f)
    }

    /// Lets every socket go, for an engine that ends while the process goes
    /// on (a demo starting over on fresh sockets): a call still in the
    /// kernel is woken (shutdown), and each worker ends once idle, which
    /// closes its fd. Otherwise each worker would keep its socket open,
    /// waiting for jobs from a handle it keeps alive itself.
    pub fn release_all(&self) {
        let handles = std::mem::take(&mut *self.socks.lock().unwrap_or_else(|p| p.into_inner()));
        for h in handles.values().filter(|h| !h.ctx.fd.is_closed()) {
            let _ = h.ctx.fd.socket().shutdown(std::net::Shutdown::Both);
        }
    }

    /// How many sockets are open (not closed or closing).
    pub fn open_count(&self) -> usize {
        self.socks.lock().unwrap_or_else(|p| p.into_inner()).values().filter(|h| h.is_open()).count()
    }

    /// Numbers a connect that just succeeded to the AF_UNIX listener at
    /// `path`: 0, 1, 2 … in connect order. A listener accepts in that same
    /// order, so the k-th accepted socket is the other end of dial k. AF_UNIX
    /// clients have no address of their own, so this pairs the two ends.
    pub fn dial(&self, path: &str) -> u64 {
        let mut d = self.dials.lock().unwrap_or_else(|p| p.into_inner());
        let n = d.entry(path.to_string()).or_insert(0);
        *n += 1;
        *n - 1
    }

    /// Records a step that succeeded and ended now (a set-up, a mode
    /// change, a peer action): one `Instant` event.
    pub fn record_ok(&self, c: RecordOk) {
        let mut call = Call::begin(self.next_seq(), c.lane, c.op, c.arg, c.mode, c.start_ns);
        call.kernel = c.kernel;
        self.send(Event::Instant(call.ended(self.now_ns(), Outcome::Ok)));
    }

    /// Sends an event. A closed channel means the front end is gone, so
    /// there is no one left to tell.
    pub fn send(&self, ev: Event) {
        let _ = self.tx.send(ev);
    }
}

/// What [`Shared::record_ok`] records.
pub struct RecordOk {
    pub lane: Lane,
    pub op: Op,
    pub arg: Arg,
    pub mode: Mode,
    pub kernel: Option<KernelView>,
    pub start_ns: u64,
}

impl RecordOk {
    /// A step on `lane` with no mode and no kernel read-back.
    pub fn on(lane: Lane, op: Op, arg: Arg, start_ns: u64) -> RecordOk {
        RecordOk { lane, op, arg, mode: Mode::default(), kernel: None, start_ns }
    }
}
