//! When our end of a connection is closed, the peer closes its end too, as
//! a real server does once it reads the EOF. Otherwise every socket we
//! opened and closed would leave the peer's end in CLOSE-WAIT, holding an fd,
//! until the peer ran out of them (EMFILE on its accept).
//!
//! Only a real close counts, never a `shutdown wr`: the lab says which of
//! our sockets it closed. A half-closed connection stays open both ways.

use super::Target;
use super::act::Found;
use super::conn::{Rec, record_on};
use super::run::PeerLoop;
use crate::record::arg::AFTER_OURS;
use crate::record::call::{Arg, Lane, Op};

impl PeerLoop {
    /// Our end of `target` is closed. A connection is closed once the peer
    /// has read the EOF (at once if it has); a datagram socket at once,
    /// after reading what we sent it.
    pub(super) fn ours_closed(&mut self, target: &Target) {
        // Not found: the peer closed its end already (`peer close`).
        let Ok(found) = self.find(target) else { return };
        match found {
            Found::Conn(i) => {
                if let Some(c) = self.conns[i].as_mut() {
                    c.ours_closed = true;
                }
                self.hang_up(i);
            }
            Found::Udp(i) => {
                let Some(mut u) = self.udps[i].take() else { return };
                u.drain(&self.shared, &mut self.buf);
                let start = self.shared.now_ns();
                let _ = self.poll.registry().deregister(&mut u.sock);
                drop(u);
                self.record_close(Lane::Peer, start);
            }
            Found::Dgram(i) => {
                let Some(mut d) = self.dgrams[i].take() else { return };
                d.drain(&self.shared, &mut self.buf);
                let start = self.shared.now_ns();
                let _ = self.poll.registry().deregister(&mut d.sock);
                drop(d);
                self.record_close(Lane::Peer, start);
            }
        }
    }

    /// Closes connection `i` if our end is closed and the peer has read
    /// what was left and the EOF (or an error). A paused peer does not
    /// read; nothing can address its end any more, so it closes it unread.
    pub(super) fn hang_up(&mut self, i: usize) {
        let Some(c) = self.conns.get_mut(i).and_then(Option::as_mut) else { return };
        if !c.ours_closed {
            return;
        }
        c.drain(&self.shared, &mut self.buf);
        if c.reading && !c.saw_eof {
            return;
        }
        let Some(mut c) = self.conns[i].take() else { return };
        let start = self.shared.now_ns();
        let _ = self.poll.registry().deregister(&mut c.stream);
        let lane = c.lane;
        drop(c);
        // A client's request can no longer go out (and the slot may be reused).
        self.client_timers.retain(|&(_, conn, _)| conn != i);
        self.record_close(lane, start);
    }

    fn record_close(&self, lane: Lane, start: u64) {
        record_on(&self.shared, lane, Op::PeerClose, Arg::Note(AFTER_OURS.into()), start, Rec::ok());
    }
}
