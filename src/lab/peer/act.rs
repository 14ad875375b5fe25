//! What the peer does when asked: find the peer-side socket a target names,
//! then send, pause, resume, shut down, close or reset it.

use super::conn::{Conn, Rec, payload_arg, payload_bytes, record};
use super::run::PeerLoop;
use super::{Act, Reply, Target};
use crate::command::Payload;
use crate::record::call::{Arg, Op};

/// The most the peer holds that it has not sent yet, on all its
/// connections together (scheduled sends included). A peer whose sends
/// are not read would otherwise keep every buffer: 40 sends of 64 MiB
/// took 2.7 GB.
pub const PENDING_CAP: u64 = 256 << 20;

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
        // The newest match: a listener's latest client.
        let conn = |hits: &mut dyn Iterator<Item = (usize, &Conn)>| {
            hits.max_by_key(|(_, c)| c.born).map(|(i, _)| Found::Conn(i))
        };
        match target {
            Target::Tcp { ours_local, ours_remote } => conn(
                &mut live().filter(|(_, c)| c.local == Some(*ours_remote) && c.remote == Some(*ours_local)),
            ),
            Target::Listener(addr) => conn(&mut live().filter(|(_, c)| c.remote == Some(*addr))),
            Target::Unix { listener, nth } => conn(
                &mut live().filter(|(_, c)| c.unix.as_ref().is_some_and(|(l, k)| l == listener && k == nth)),
            ),
            Target::UnixListener(path) => {
                conn(&mut live().filter(|(_, c)| c.unix.as_ref().is_some_and(|(l, _)| l == path)))
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

    /// Bytes the peer holds and has not sent: queued on its connections,
    /// or scheduled.
    pub(super) fn pending(&self) -> u64 {
        let queued: u64 = self.conns.iter().flatten().map(Conn::pending).sum();
        queued + self.scheduled(|_| true)
    }

    /// Bytes of the scheduled sends whose target passes `to`.
    fn scheduled(&self, to: impl Fn(&Target) -> bool) -> u64 {
        let sends = self.timers.iter().filter(|t| to(&t.target));
        sends.map(|t| if let Act::Send(p) = &t.act { p.len() } else { 0 }).sum()
    }

    /// Whether a send to `target` (found at `found`) fits under
    /// [`PENDING_CAP`]. A datagram is sent at once or not at all, so only
    /// its own size counts. `ours` names our end, for the message.
    pub(super) fn admit(&self, target: &Target, found: Found, p: &Payload, ours: u32) -> Reply {
        let n = p.len();
        if n > PENDING_CAP {
            return Err(format!(
                "a peer send of {} is more than the {} the peer may hold: send it in parts",
                mib(n),
                mib(PENDING_CAP)
            ));
        }
        let Found::Conn(i) = found else { return Ok(()) };
        let held = self.pending();
        if held + n <= PENDING_CAP {
            return Ok(());
        }
        let here = self.conns[i].as_ref().map_or(0, Conn::pending) + self.scheduled(|t| t == target);
        let whose = match here {
            0 => "recv on the other sockets it sends to".to_string(),
            h if h == held => format!("recv on #{ours}"),
            _ => format!("recv on #{ours} and the other sockets it sends to"),
        };
        Err(format!(
            "the peer already holds {} not yet sent, and {} more would pass its bound of {} in all: {whose} \
             to let it drain, then send again",
            mib(held),
            mib(n),
            mib(PENDING_CAP)
        ))
    }

    pub(super) fn act(&mut self, target: &Target, act: Act, ours: u32) -> Reply {
        let found = self.find(target)?;
        if let Act::Send(p) = &act {
            self.admit(target, found, p, ours)?;
        }
        let i = match found {
            Found::Conn(i) => i,
            Found::Udp(i) => return self.act_udp(target, i, act),
            Found::Dgram(i) => return self.act_dgram(i, act),
        };
        let start = self.shared.now_ns();
        let shared = self.shared.clone();
        let Some(c) = self.conns[i].as_mut() else { return Err("gone".into()) };
        match act {
            Act::Send(p) => {
                c.send(&shared, &p);
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

/// `256 MiB`, `1.5 MiB`, `300 bytes`.
fn mib(n: u64) -> String {
    const MIB: u64 = 1 << 20;
    match n {
        n if n < MIB => format!("{n} bytes"),
        n if n % MIB == 0 => format!("{} MiB", n / MIB),
        n => format!("{:.1} MiB", n as f64 / MIB as f64),
    }
}
