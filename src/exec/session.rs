//! A live session: the engine, the receiving end of its event channel, the
//! record folded from those events, and where `--record` writes them.
//! Every event passes through [`Session::apply`] exactly once.

use std::path::Path;
use std::time::Instant;

use crossbeam_channel::{Receiver, RecvTimeoutError};

use crate::lab::{Engine, LabError};
use crate::record::file::Recorder;
use crate::record::{Event, Lane, Op, Record};

pub struct Session {
    pub engine: Engine,
    rx: Receiver<Event>,
    record: Record,
    recorder: Option<Recorder>,
    /// Why the recording stopped, if it did: the file misses what came after.
    record_failure: Option<String>,
    /// The busy-poll history bound (`--history`), for a fresh session like this one.
    history_cap: Option<usize>,
    /// Events applied since the front end last took them.
    fresh: Vec<Event>,
}

impl Session {
    /// A new session with the embedded peer listening on loopback.
    pub fn start() -> Result<Session, LabError> {
        let (engine, rx) = Engine::start()?;
        Ok(Session {
            engine,
            rx,
            record: Record::new(),
            recorder: None,
            record_failure: None,
            history_cap: None,
            fresh: Vec::new(),
        })
    }

    /// A new session with this one's settings (its history bound) but new
    /// sockets and a new peer, to run something again from the start. It
    /// does not record: a recording holds one session.
    pub fn fresh(&self) -> Result<Session, LabError> {
        let mut s = Session::start()?;
        if let Some(n) = self.history_cap {
            s.set_history_cap(n);
        }
        Ok(s)
    }

    /// Whether events are being written to a `--record` file.
    pub fn is_recording(&self) -> bool {
        self.recorder.is_some()
    }

    /// Appends every event from now on to `path` (`--record`).
    pub fn record_to(&mut self, path: &Path) -> std::io::Result<()> {
        self.record_into(Recorder::create(path)?);
        Ok(())
    }

    /// Appends every event from now on with `rec`.
    pub fn record_into(&mut self, rec: Recorder) {
        self.recorder = Some(rec);
    }

    /// Why `--record` stopped mid-session, if it did: the session went on,
    /// but the file lacks everything after, so a front end must not exit 0.
    pub fn record_failure(&self) -> Option<&str> {
        self.record_failure.as_deref()
    }

    pub fn record(&self) -> &Record {
        &self.record
    }

    /// The record, once the session is over (the engine goes with it).
    pub fn into_record(self) -> Record {
        self.record
    }

    /// Bounds the busy-poll history (`--history`).
    pub fn set_history_cap(&mut self, calls: usize) {
        self.history_cap = Some(calls);
        self.record.set_history_cap(calls);
    }

    /// The receiving end of the event channel, for a front end that
    /// multiplexes it with input. Pass what it yields to [`Session::apply`].
    pub fn events(&self) -> Receiver<Event> {
        self.rx.clone()
    }

    /// Records, folds and keeps one event for the front end.
    pub fn apply(&mut self, ev: Event) {
        if let Some(rec) = &mut self.recorder
            && let Err(e) = rec.write(self.engine.now_ns(), &ev)
        {
            self.recorder = None;
            let why = format!("recording stopped: {e}; the file lacks every event from here on");
            self.record_failure = Some(why.clone());
            self.fresh.push(Event::Fault(why));
        }
        self.record.apply(&ev);
        match &ev {
            Event::Closed(id) => self.engine.forget(*id),
            Event::Instant(c) if c.op == Op::Request && c.lane != Lane::Peer => self.summarize_clients(),
            _ => {}
        }
        self.fresh.push(ev);
    }

    /// Once every client of the latest `serve` batch has its echo, the
    /// engine records their waits.
    fn summarize_clients(&mut self) {
        let Some((first, n)) = self.engine.unsummarized_batch() else { return };
        if let Some(waits) = self.record.client_waits(first, n) {
            self.engine.summarize(&waits);
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
    pub fn take_fresh(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.fresh)
    }

    pub fn now_ns(&self) -> u64 {
        self.engine.now_ns()
    }
}
