//! What the lab's threads share: the clock, the counters and the one channel.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

use crossbeam_channel::Sender;

use super::event::LabEvent;
use super::socket::SockHandle;

pub struct Shared {
    /// Time zero of the session; every timestamp is measured from it.
    pub epoch: Instant,
    seq: AtomicU64,
    next_id: AtomicU32,
    tx: Sender<LabEvent>,
    /// Sockets made on worker threads (accept), waiting for the lab to take them.
    pub adopted: Mutex<Vec<SockHandle>>,
}

impl Shared {
    pub fn new(tx: Sender<LabEvent>) -> Shared {
        Shared {
            epoch: Instant::now(),
            seq: AtomicU64::new(1),
            next_id: AtomicU32::new(1),
            tx,
            adopted: Mutex::new(Vec::new()),
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

    /// Sends an event. A closed channel means the front end is gone, so
    /// there is no one left to tell.
    pub fn send(&self, ev: LabEvent) {
        let _ = self.tx.send(ev);
    }
}
