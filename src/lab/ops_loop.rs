//! The event-loop commands (`poll add|wait|drain`) and the busy-poll (`spin`).

use std::time::Duration;

use super::Lab;
use super::call::{Arg, Call, Lane, Op, SpinArg, ready};
use super::error::LabError;
use super::eventloop::EventLoop;
use super::mode::PyMode;
use super::shared::RecordOk;
use super::socket::JobOp;
use crate::command::{Interest, ModeSet, SpinLimit};

impl Lab {
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

    /// `poll add [N] read|write|both`. A socket registered with mio must be
    /// non-blocking, so a blocking one is switched first, and that mode
    /// change is recorded on its lane like any other.
    pub fn poll_add(&mut self, sock: Option<u32>, interest: Interest) -> Result<(), LabError> {
        let id = match sock {
            Some(id) => {
                let h = self
                    .socks
                    .get(&id)
                    .ok_or_else(|| LabError::NoSocket { id, open: self.socks.keys().copied().collect() })?;
                if !h.is_open() {
                    return Err(LabError::Closed(id));
                }
                id
            }
            None => self.current_open()?,
        };
        let mode = *self.socks[&id].mode.lock().unwrap_or_else(|p| p.into_inner());
        if mode.py == PyMode::Blocking {
            self.set_mode_of(id, ModeSet::Nonblocking)?;
        }
        let fd = self.socks[&id].info.fd;
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

    /// The sockets a finished `poll wait` (by seq) reported readable.
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

    /// The latest `poll wait` record.
    pub fn last_poll_wait(&self) -> Option<&Call> {
        let tl = &self.timeline;
        tl.lane(Lane::Loop).iter().rev().filter_map(|&i| tl.get(i as usize)).find(|c| c.op == Op::PollWait)
    }

    /// A recv on socket `id` (for drain), current or not.
    pub fn recv_on(&mut self, id: u32, size: usize) -> Result<u64, LabError> {
        self.submit(id, JobOp::Recv(size))
    }

    /// `spin recv [SIZE] COUNT|DUR` on the current socket.
    pub fn spin(&mut self, size: u64, limit: SpinLimit) -> Result<u64, LabError> {
        let (count, for_ns) = match limit {
            SpinLimit::Count(n) => (Some(n), None),
            SpinLimit::For(d) => (None, Some(d.as_nanos().min(u64::MAX as u128) as u64)),
        };
        self.call(JobOp::Spin(SpinArg { size, count, for_ns, stats: Default::default() }))
    }
}
