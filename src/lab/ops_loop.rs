//! The event-loop commands (`poll add|wait|drain`) and the busy-poll (`spin`).

use std::time::Duration;

use super::Engine;
use super::error::LabError;
use super::eventloop::EventLoop;
use super::shared::RecordOk;
use super::socket::Work;
use crate::command::{Interest, ModeSet, SpinLimit};
use crate::record::{Arg, Lane, Op, PyMode, SpinArg};

impl Engine {
    fn loop_record(&self, op: Op, arg: Arg, start_ns: u64) {
        self.shared.record_ok(RecordOk::on(Lane::Loop, op, arg, start_ns));
    }

    fn event_loop(&mut self) -> Result<&mut EventLoop, LabError> {
        if self.eventloop.is_none() {
            let ev = EventLoop::start(self.shared.clone()).map_err(LabError::sys("epoll_create", None))?;
            self.eventloop = Some(ev);
        }
        Ok(self.eventloop.as_mut().expect("started above"))
    }

    /// `poll add [N] read|write|both` for socket `id`. A socket registered
    /// with mio must be non-blocking, so a blocking one is switched first,
    /// and that mode change is recorded on its lane like any other.
    pub fn poll_add(&mut self, id: u32, interest: Interest) -> Result<(), LabError> {
        let fd = self.fd(id).ok_or(LabError::Closed(id))?;
        if self.mode_of(id).is_some_and(|m| m.py == PyMode::Blocking) {
            self.set_mode(id, ModeSet::Nonblocking)?;
        }
        let start = self.shared.now_ns();
        self.event_loop()?.add(id, fd, interest).map_err(LabError::sys("epoll_ctl", None))?;
        self.loop_record(Op::PollAdd, Arg::PollAdd(id, interest), start);
        Ok(())
    }

    /// `poll wait [DUR]`: queued on the loop thread. Returns its seq.
    pub fn poll_wait(&mut self, timeout: Option<Duration>) -> Result<u64, LabError> {
        let seq = self.shared.next_seq();
        let ev = self.eventloop.as_ref().filter(|e| !e.is_empty()).ok_or_else(|| {
            LabError::Invalid("nothing is registered with the event loop: use `poll add` first".into())
        })?;
        ev.wait(seq, timeout);
        Ok(seq)
    }

    /// `poll drain on|off`.
    pub fn poll_drain(&mut self, on: bool) -> Result<(), LabError> {
        let start = self.shared.now_ns();
        self.event_loop()?.drain = on;
        self.loop_record(Op::PollDrain, Arg::Drain(on), start);
        Ok(())
    }

    pub fn drain_on(&self) -> bool {
        self.eventloop.as_ref().is_some_and(|e| e.drain)
    }

    /// A socket was closed: closing its fd took it out of epoll.
    pub fn forget(&mut self, id: u32) {
        if let Some(ev) = &mut self.eventloop {
            ev.forget(id);
        }
    }

    /// `spin recv [SIZE] COUNT|DUR` on socket `id`.
    pub fn spin(&mut self, id: u32, size: u64, limit: SpinLimit) -> Result<u64, LabError> {
        let (count, for_ns) = match limit {
            SpinLimit::Count(n) => (Some(n), None),
            SpinLimit::For(d) => (None, Some(d.as_nanos().min(u64::MAX as u128) as u64)),
        };
        self.submit(id, Work::Spin(SpinArg { size, count, for_ns, stats: Default::default() }))
    }
}
