//! Events leave the tracer in batches. Waking a consumer for every event
//! would put a third thread between the tracer and its tracee on every stop
//! (and, on two cores, push them onto different CPUs, which costs more than
//! the stop itself). So the tracer only appends to a shared list, and a
//! forwarder thread hands the list on every few milliseconds: soon enough
//! for a live screen, rarely enough to cost nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::Sender;

use super::event::TraceEvent;

/// How often the forwarder looks while events come, and at most when idle.
const BUSY: Duration = Duration::from_millis(2);
const IDLE: Duration = Duration::from_millis(20);

#[derive(Default)]
struct Shared {
    list: Mutex<Vec<TraceEvent>>,
    done: AtomicBool,
}

pub struct Outbox {
    shared: Arc<Shared>,
    forwarder: Option<JoinHandle<()>>,
}

impl Outbox {
    pub fn new(tx: Sender<TraceEvent>) -> Outbox {
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let forwarder =
            std::thread::Builder::new().name("trace-events".into()).spawn(move || forward(&s, &tx)).ok();
        Outbox { shared, forwarder }
    }

    pub fn push(&self, ev: TraceEvent) {
        if let Ok(mut l) = self.shared.list.lock() {
            l.push(ev);
        }
    }
}

fn forward(s: &Shared, tx: &Sender<TraceEvent>) {
    let mut wait = BUSY;
    loop {
        let done = s.done.load(Ordering::SeqCst);
        let batch = s.list.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default();
        wait = if batch.is_empty() { (wait * 2).min(IDLE) } else { BUSY };
        for ev in batch {
            // A consumer that went away must not stop the trace.
            let _ = tx.send(ev);
        }
        if done {
            return;
        }
        std::thread::park_timeout(wait);
    }
}

impl Drop for Outbox {
    /// Hands on what is left, then lets the channel close.
    fn drop(&mut self) {
        self.shared.done.store(true, Ordering::SeqCst);
        if let Some(f) = self.forwarder.take() {
            f.thread().unpark();
            let _ = f.join();
        }
    }
}
