//! What the peer does when asked: find the peer-side socket a target names,
//! then send, pause, resume, shut down, close or reset it.

use super::conn::{Rec, record};
use super::run::PeerLoop;
use super::{Act, Reply, Target};
use crate::command::Payload;
use crate::record::call::{Arg, Op};

/// Where a target lives among the peer's sockets.
#[derive(Debug, Clone, Copy)]
pub(super) enum Found {
    Conn(usize),
    Udp(usize),
    Dgram(usize),
}

impl PeerLoop {
    /// Finds a target, accepting what is waiting first if need be.
    pub(super) fn find(&mut self, target: &Target) -> Result<Found, String> {
        if let Some(found) = self.lookup(target) {
            return Ok(found);
        }
        // Our connect may have raced the peer's accept.
        self.accept_all();
        self.lookup(target).ok_or_else(|| match target {
            Target::Listener(a) => format!("no peer client is connected to {a}: try `peer connect`"),
            Target::UnixListener(p) => format!(
                "no peer client is connected to {}: try `peer connect`",
                crate::escape::escape(p.as_bytes())
            ),
            _ => "the peer has no socket paired with this one".into(),
        })
    }

    fn lookup(&self, target: &Target) -> Option<Found> {
        let live = || self.conns.iter().enumerate().filter_map(|(i, c)| Some((i, c.as_ref()?)));
        let conn = |hit: Option<(usize, _)>| hit.map(|(i, _)| Found::Conn(i));
        match target {
            Target::Tcp { ours_local, ours_remote } => conn(
                live().filter(|(_, c)| c.local == Some(*ours_remote) && c.remote == Some(*ours_local)).last(),
            ),
            Target::Listener(addr) => conn(live().filter(|(_, c)| c.remote == Some(*addr)).last()),
            Target::Unix { listener, nth } => conn(
                live()
                    .filter(|(_, c)| c.unix.as_ref().is_some_and(|(l, k)| l == listener && k == nth))
                    .last(),
            ),
            Target::UnixListener(path) => {
                conn(live().filter(|(_, c)| c.unix.as_ref().is_some_and(|(l, _)| l == path)).last())
            }
            Target::Udp { ours_remote, .. } => {
                let hit = self
                    .udps
                    .iter()
                    .enumerate()
                    .filter(|(_, u)| u.as_ref().is_some_and(|u| u.local == *ours_remote));
                hit.map(|(i, _)| Found::Udp(i)).last()
            }
            Target::UnixDgram(path) => {
                let hit = self
                    .dgrams
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.as_ref().is_some_and(|d| d.local == *path));
                hit.map(|(i, _)| Found::Dgram(i)).last()
            }
        }
    }

    pub(super) fn act(&mut self, target: &Target, act: Act) -> Reply {
        let i = match self.find(target)? {
            Found::Conn(i) => i,
            Found::Udp(i) => return self.act_udp(target, i, act),
            Found::Dgram(i) => return self.act_dgram(i, act),
        };
        let start = self.shared.now_ns();
        let shared = self.shared.clone();
        let Some(c) = self.conns[i].as_mut() else { return Err("gone".into()) };
        match act {
            Act::Send(p) => {
                c.out_arg = payload_arg(&p);
                c.out.extend_from_slice(&payload_bytes(&p));
                c.flush(&shared);
                return Ok(());
            }
            Act::Pause => c.reading = false,
            Act::Resume => {
                c.reading = true;
                c.drain(&shared, &mut self.buf);
            }
            Act::ShutdownWr => {
                let r = c.stream.shutdown(std::net::Shutdown::Write);
                let rec = r.map_or_else(|e| Rec::err(&e), |_| Rec::ok());
                record(&shared, Op::PeerShutdown, Arg::How(crate::command::How::Write), start, rec);
                return Ok(());
            }
            Act::Close | Act::Reset => {
                let mut c = self.conns[i].take().expect("checked above");
                let _ = self.poll.registry().deregister(&mut c.stream);
                if act == Act::Reset {
                    // SO_LINGER {on, 0}: close() sends RST instead of FIN.
                    c.stream.set_linger_zero();
                }
                drop(c);
            }
        }
        let op = match act {
            Act::Pause => Op::PeerPause,
            Act::Resume => Op::PeerResume,
            Act::Reset => Op::PeerReset,
            _ => Op::PeerClose,
        };
        record(&shared, op, Arg::None, start, Rec::ok());
        Ok(())
    }

    fn act_udp(&mut self, target: &Target, i: usize, act: Act) -> Reply {
        let Target::Udp { ours_local, .. } = target else { return Err("not udp".into()) };
        let start = self.shared.now_ns();
        let Some(u) = self.udps[i].as_mut() else { return Err("gone".into()) };
        let op = match act {
            Act::Send(p) => {
                u.send_to(&self.shared, &payload_bytes(&p), payload_arg(&p), *ours_local);
                return Ok(());
            }
            Act::Pause => {
                u.reading = false;
                Op::PeerPause
            }
            Act::Resume => {
                u.reading = true;
                u.drain(&self.shared, &mut self.buf);
                Op::PeerResume
            }
            Act::Close | Act::Reset | Act::ShutdownWr => {
                let mut u = self.udps[i].take().expect("checked above");
                let _ = self.poll.registry().deregister(&mut u.sock);
                Op::PeerClose
            }
        };
        record(&self.shared, op, Arg::None, start, Rec::ok());
        Ok(())
    }

    /// The same for the peer's AF_UNIX datagram socket (already connected to ours).
    fn act_dgram(&mut self, i: usize, act: Act) -> Reply {
        let start = self.shared.now_ns();
        let Some(d) = self.dgrams[i].as_mut() else { return Err("gone".into()) };
        let op = match act {
            Act::Send(p) => {
                d.send(&self.shared, &payload_bytes(&p), payload_arg(&p));
                return Ok(());
            }
            Act::Pause => {
                d.reading = false;
                Op::PeerPause
            }
            Act::Resume => {
                d.reading = true;
                d.drain(&self.shared, &mut self.buf);
                Op::PeerResume
            }
            Act::Close | Act::Reset | Act::ShutdownWr => {
                let mut d = self.dgrams[i].take().expect("checked above");
                let _ = self.poll.registry().deregister(&mut d.sock);
                Op::PeerClose
            }
        };
        record(&self.shared, op, Arg::None, start, Rec::ok());
        Ok(())
    }
}

/// A text send records its text (as the preview); a filler send its size.
fn payload_arg(p: &Payload) -> Arg {
    match p {
        Payload::Text(t) => Arg::Text(t.len() as u64),
        Payload::Size(n) => Arg::Size(*n),
    }
}

fn payload_bytes(p: &Payload) -> Vec<u8> {
    match p {
        Payload::Text(t) => t.clone(),
        Payload::Size(n) => (0..*n as usize).map(|i| b'A' + (i % 26) as u8).collect(),
    }
}
