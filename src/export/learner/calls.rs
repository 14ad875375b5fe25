//! One socket call: what the scenario expects it to raise, where the peer
//! reads what it sends, and the op's own lines (`ops::learner`).

use super::sim::{self, Kind, PeerEnd};
use super::{Raises, Script, Site};
use crate::command::{ExpectOutcome, SockCall};

impl Script<'_> {
    /// What the call at `i` is expected to raise: the scenario's expect, or
    /// else what its mode implies.
    pub(super) fn raises(&self, i: usize, call: &SockCall, mode: sim::Mode) -> Option<Raises> {
        let waits = !matches!(call, SockCall::Shutdown(_) | SockCall::Close);
        let reading = matches!(call, SockCall::Recv { .. } | SockCall::Peek { .. } | SockCall::Accept);
        let timer = if reading { mode.rcvtimeo } else { mode.sndtimeo };
        match self.flow.outcome(i) {
            Some(ExpectOutcome::WouldBlock) => Some(Raises::WouldBlock),
            Some(ExpectOutcome::InProgress) => Some(Raises::InProgress),
            Some(ExpectOutcome::Timeout) => match mode.timeout {
                Some(t) if !t.is_zero() => Some(Raises::PollTimeout),
                _ => Some(Raises::TimerTimeout),
            },
            Some(ExpectOutcome::Error(name)) => Some(Raises::Error(name.clone())),
            Some(_) => None,
            None if !waits || self.flow.blocked(i).is_some() => None,
            None => match mode.timeout {
                Some(t) if t.is_zero() && matches!(call, SockCall::Connect(_)) => Some(Raises::InProgress),
                Some(t) if t.is_zero() => Some(Raises::WouldBlock),
                Some(_) => Some(Raises::PollTimeout),
                None if !timer.is_zero() && !matches!(call, SockCall::Connect(_)) => {
                    Some(Raises::TimerTimeout)
                }
                None => None,
            },
        }
    }

    /// A socket call on the current socket.
    pub(super) fn call(&mut self, i: usize, call: &SockCall) -> Vec<String> {
        let Some(n) = self.sim.current else { return vec!["# (no socket yet)".into()] };
        let made = self.sim.step(self.cmds[i], self.flow.accepted(i));
        let Some(sock) = self.sim.socks.get(&n).cloned() else {
            return vec![format!("# (no socket #{n})")];
        };
        let mut out = Vec::new();
        let mut site = Site {
            sock: sock.name.clone(),
            raises: self.raises(i, call, sock.mode),
            eof: self.flow.outcome(i) == Some(&ExpectOutcome::Eof),
            ..Site::default()
        };
        match call {
            SockCall::Send(p)
                if p.len() <= crate::ops::PEER_TAKES
                    && !matches!(sock.kind, Kind::Listener | Kind::UnixListener) =>
            {
                let ok = matches!(self.flow.outcome(i), None | Some(ExpectOutcome::Sent));
                if ok && sock.peer.as_ref().is_some_and(|p| !p.paused && !p.closed)
                    || self.queued.contains(&n)
                {
                    let (lines, reader) = self.peer_end(n);
                    out.extend(lines);
                    site.reader = reader.filter(|_| ok);
                }
            }
            SockCall::Accept => {
                if let Some(&k) = made.first() {
                    let new = self.sim.socks[&k].name.clone();
                    self.made(&new);
                    site.new_sock = Some(new);
                    let client = self.sim.socks.get_mut(&n).and_then(|l| l.waiting.pop_front());
                    if let (Some(c), Some(s)) = (client, self.sim.socks.get_mut(&k)) {
                        s.peer = Some(PeerEnd { name: c, paused: false, closed: false, shut_wr: false });
                    }
                }
            }
            SockCall::Connect(None) => {
                site.peer_addr = self.peer_addr(n, sock.kind);
                let reaches = matches!(
                    self.flow.outcome(i),
                    None | Some(ExpectOutcome::Connected | ExpectOutcome::InProgress)
                );
                if sock.kind == Kind::Tcp && reaches && !sock.to_server {
                    self.queued.push(n);
                    if let Some(s) = self.sim.socks.get_mut(&n) {
                        s.to_server = true;
                    }
                }
            }
            SockCall::Close => {
                site.unlink = sock.path.clone();
                self.registered.retain(|&r| r != n);
            }
            _ => {}
        }
        out.extend(crate::ops::learner(call, &site));
        out
    }
}
