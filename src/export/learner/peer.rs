//! The peer in the learner's script: a plain socket at the other end of
//! each connection (`peer`, `peer2` …), and clients of our listeners
//! (`client1` …). It does what the scenario's `peer …` lines say, on the
//! main thread, or from a timer thread when the scenario delays it.

use std::time::Duration;

use super::sim::{Kind, PeerEnd};
use super::{Script, secs, size_expr};
use crate::command::{Payload, PeerCmd};
use crate::ops::literal::py_bytes;

/// When a peer send goes out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    Now,
    /// From a timer thread, this long from now.
    Timer(Duration),
    /// After sleeping this long (the last step of the second thread).
    Sleep(Duration),
}

impl Script<'_> {
    /// The peer end of socket `n`, accepting it from the peer's listener
    /// first if its connection is still queued there (with those queued
    /// before it, in order). Returns the lines that takes and its name.
    pub(super) fn peer_end(&mut self, n: u32) -> (Vec<String>, Option<String>) {
        if let Some(p) = self.sim.socks.get(&n).and_then(|s| s.peer.as_ref()) {
            return (Vec::new(), Some(p.name.clone()));
        }
        let Some(at) = self.queued.iter().position(|&q| q == n) else { return (Vec::new(), None) };
        let mut out = Vec::new();
        for q in self.queued.drain(..=at).collect::<Vec<_>>() {
            let peer = if q == 1 { "peer".to_string() } else { format!("peer{q}") };
            self.made(&peer);
            out.push(format!("{peer}, _ = server.accept()  # the peer's end"));
            self.set_peer(q, &peer);
        }
        let name = self.sim.socks.get(&n).and_then(|s| s.peer.as_ref()).map(|p| p.name.clone());
        (out, name)
    }

    /// Who a `peer …` line acts for: the current socket's peer end, or a
    /// listener's newest client.
    fn target(&mut self) -> (Vec<String>, Option<String>) {
        let Some(n) = self.sim.current else { return (Vec::new(), None) };
        match self.sim.socks.get(&n) {
            Some(s) if matches!(s.kind, Kind::Listener | Kind::UnixListener) => {
                (Vec::new(), s.newest.clone())
            }
            Some(_) => self.peer_end(n),
            None => (Vec::new(), None),
        }
    }

    fn peer_state(&mut self, f: impl FnOnce(&mut PeerEnd)) {
        if let Some(p) = self.sim.cur_mut().and_then(|s| s.peer.as_mut()) {
            f(p);
        }
    }

    pub(super) fn peer(&mut self, p: &PeerCmd) -> Vec<String> {
        if let PeerCmd::Connect(k) = p {
            return self.peer_connect(*k);
        }
        if let PeerCmd::Send { payload, after } = p {
            let when = match after {
                None => When::Now,
                Some(d) if self.in_thread && self.last_act => When::Sleep(*d),
                Some(d) => When::Timer(*d),
            };
            return self.peer_send(payload, when);
        }
        let (mut out, Some(peer)) = self.target() else {
            return vec!["# (the peer has no end here)".into()];
        };
        let unix = self.sim.cur().is_some_and(|s| matches!(s.kind, Kind::Unix | Kind::UnixGram));
        match p {
            PeerCmd::Pause => {
                self.peer_state(|p| p.paused = true);
                out.push("# (peer pause: this script's peer reads only when told to)".into());
            }
            PeerCmd::Resume => {
                self.peer_state(|p| p.paused = true);
                self.helper("keep_reading", || {
                    vec![
                        "def keep_reading(s):".into(),
                        "    \"\"\"The peer reads whatever arrives, until EOF.\"\"\"".into(),
                        "    while s.recv(1024 * 1024):".into(),
                        "        pass".into(),
                    ]
                });
                out.push(format!(
                    "threading.Thread(target=keep_reading, args=({peer},), daemon=True).start()  # the peer reads again"
                ));
            }
            PeerCmd::Close => {
                self.peer_state(|p| p.closed = true);
                out.push(format!("{peer}.close()"));
            }
            PeerCmd::Reset if unix => {
                out.push("# (peer reset: AF_UNIX has no RST; sockscope refuses it)".into());
            }
            PeerCmd::Reset => {
                self.peer_state(|p| p.closed = true);
                out.push(format!(
                    "{peer}.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(\"ii\", 1, 0))"
                ));
                out.push(format!("{peer}.close()  # with SO_LINGER 0: an RST, not a FIN"));
            }
            PeerCmd::ShutdownWr => {
                self.peer_state(|p| p.shut_wr = true);
                out.push(format!("{peer}.shutdown(socket.SHUT_WR)  # it sends no more; it still reads"))
            }
            PeerCmd::Send { .. } | PeerCmd::Connect(_) => {}
        }
        out
    }

    /// `peer send TEXT|SIZE [after DUR]`.
    pub(super) fn peer_send(&mut self, payload: &Payload, when: When) -> Vec<String> {
        let (mut out, Some(peer)) = self.target() else {
            return vec!["# (the peer has no end here)".into()];
        };
        let dgram = self.sim.cur().is_some_and(|s| s.kind.is_dgram());
        let data = match payload {
            Payload::Text(t) => py_bytes(t),
            Payload::Size(n) => format!("b\"X\" * {}", size_expr(*n)),
        };
        let send = if dgram { "send" } else { "sendall" };
        let shut = self.sim.cur().and_then(|s| s.peer.as_ref()).is_some_and(|p| p.shut_wr);
        match when {
            // Its sending side is shut: the send fails, as sockscope's peer's does.
            When::Now if shut => out.extend([
                "try:".to_string(),
                format!("    {peer}.{send}({data})"),
                "except OSError as e:  # EPIPE: the peer shut its sending side".to_string(),
                "    print(f\"(the peer's send failed: {e!r})\")".to_string(),
            ]),
            When::Now => out.push(format!("{peer}.{send}({data})")),
            When::Timer(d) => {
                out.push(format!("threading.Timer({}, {peer}.{send}, [{data}]).start()", secs(d)))
            }
            When::Sleep(d) => {
                self.sleep += d;
                out.extend(self.flush_sleep());
                out.push(format!("{peer}.{send}({data})"));
            }
        }
        out
    }

    /// `peer connect N`: clients of the current listener (a serve's, or
    /// ones our `accept` takes in order).
    fn peer_connect(&mut self, k: u32) -> Vec<String> {
        let Some(l) = self.sim.cur().cloned() else { return vec!["# (no listener)".into()] };
        if l.serving.is_some() {
            return self.serve_clients(&l.name, k);
        }
        let mut out = Vec::new();
        for _ in 0..k {
            self.sim.clients += 1;
            let c = format!("client{}", self.sim.clients);
            self.made(&c);
            if l.kind == Kind::UnixListener {
                out.push(format!("{c} = socket.socket(socket.AF_UNIX)  # a peer client"));
                out.push(format!("{c}.connect({}.getsockname())", l.name));
            } else {
                out.push(format!(
                    "{c} = socket.create_connection({}.getsockname())  # a peer client",
                    l.name
                ));
            }
            if let Some(s) = self.sim.cur_mut() {
                s.waiting.push_back(c.clone());
                s.newest = Some(c);
            }
        }
        out
    }

    /// A function the script defines once, before the experiment.
    pub(super) fn helper(&mut self, name: &'static str, def: impl FnOnce() -> Vec<String>) {
        if !self.helpers.iter().any(|(n, _)| *n == name) {
            self.helpers.push((name, def()));
        }
    }
}
