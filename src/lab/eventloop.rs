//! The event loop lane: one mio `Poll` on its own thread. `poll add`
//! registers sockets (edge-triggered, as mio always is); each `poll wait` is
//! one epoll_wait, recorded with every readiness event it reported.

use std::collections::BTreeMap;
use std::os::fd::RawFd;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Sender, unbounded};
use mio::unix::SourceFd;
use mio::{Events, Poll, Registry, Token};

use super::shared::Shared;
use crate::command::Interest;
use crate::record::call::{Arg, Call, Lane, Op, Outcome, TimeoutBy, ready};
use crate::record::event::{CallEnd, Event};
use crate::record::mode::Mode;

pub(super) struct WaitJob {
    pub seq: u64,
    pub timeout: Option<Duration>,
}

/// The lab's handle on the event loop thread.
pub struct EventLoop {
    registry: Registry,
    jobs: Sender<WaitJob>,
    registered: BTreeMap<u32, Interest>,
    /// `poll drain on`: the executor reads every readable socket until EAGAIN.
    pub drain: bool,
}

impl EventLoop {
    pub fn start(shared: Arc<Shared>) -> std::io::Result<EventLoop> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let (jobs, rx) = unbounded::<WaitJob>();
        thread::Builder::new().name("eventloop".into()).spawn(move || {
            let mut poll = poll;
            let mut events = Events::with_capacity(256);
            for job in rx {
                wait(&shared, &mut poll, &mut events, job);
            }
        })?;
        Ok(EventLoop { registry, jobs, registered: BTreeMap::new(), drain: false })
    }

    /// Registers (or re-registers) socket `id` for `interest`.
    pub fn add(&mut self, id: u32, fd: RawFd, interest: Interest) -> std::io::Result<()> {
        let mio_interest = match interest {
            Interest::Read => mio::Interest::READABLE,
            Interest::Write => mio::Interest::WRITABLE,
            Interest::Both => mio::Interest::READABLE | mio::Interest::WRITABLE,
        };
        let mut src = SourceFd(&fd);
        if self.registered.contains_key(&id) {
            self.registry.reregister(&mut src, Token(id as usize), mio_interest)?;
        } else {
            self.registry.register(&mut src, Token(id as usize), mio_interest)?;
        }
        self.registered.insert(id, interest);
        Ok(())
    }

    /// Forgets a socket that was closed (closing the fd removed it from epoll).
    pub fn forget(&mut self, id: u32) {
        self.registered.remove(&id);
    }

    pub fn is_empty(&self) -> bool {
        self.registered.is_empty()
    }

    /// Queues one wait on the loop thread.
    pub fn wait(&self, seq: u64, timeout: Option<Duration>) {
        let _ = self.jobs.send(WaitJob { seq, timeout });
    }
}

/// One recorded epoll_wait; `events` holds what it reported afterwards.
pub(super) fn wait(shared: &Shared, poll: &mut Poll, events: &mut Events, job: WaitJob) {
    let start_ns = shared.now_ns();
    let arg = Arg::PollWait { timeout: job.timeout, events: None };
    shared.send(Event::Begin(Call::begin(job.seq, Lane::Loop, Op::PollWait, arg, Mode::default(), start_ns)));
    let r = poll.poll(events, job.timeout);
    let end_ns = shared.now_ns();
    let (outcome, errno, n) = match r {
        Ok(()) => {
            let n = events.iter().count();
            for ev in events.iter() {
                shared.send(Event::Instant(readiness(shared, ev, end_ns)));
            }
            let outcome = if n == 0 { Outcome::Timeout(TimeoutBy::Poll) } else { Outcome::Ok };
            (outcome, 0, n)
        }
        Err(e) => (Outcome::Error, e.raw_os_error().unwrap_or(0), 0),
    };
    shared.send(Event::End(CallEnd {
        seq: job.seq,
        lane: Lane::Loop,
        end_ns,
        outcome,
        errno,
        bytes: None,
        preview: None,
        arg: Some(Arg::PollWait { timeout: job.timeout, events: Some(n as u32) }),
        traced: None,
    }));
}

fn readiness(shared: &Shared, ev: &mio::event::Event, at_ns: u64) -> Call {
    let mut flags = 0;
    for (on, bit) in [
        (ev.is_readable(), ready::READABLE),
        (ev.is_writable(), ready::WRITABLE),
        (ev.is_read_closed(), ready::READ_CLOSED),
        (ev.is_write_closed(), ready::WRITE_CLOSED),
        (ev.is_error(), ready::ERROR),
    ] {
        if on {
            flags |= bit;
        }
    }
    let arg = Arg::Ready(ev.token().0 as u32, flags);
    Call::begin(shared.next_seq(), Lane::Loop, Op::Ready, arg, Mode::default(), at_ns)
        .ended(at_ns, Outcome::Ready)
}
