//! Sockets the script makes (`open`, `listen`, `socket`) and the peer's
//! side of them: its TCP listener, its AF_UNIX listener in a temp
//! directory, and the peer end of each connection.

use super::sim::{Kind, PeerEnd};
use super::{Script, py_addr};
use crate::command::{Command, ExpectOutcome, Proto, UnixKind};
use crate::export::learner::py_class;
use crate::ops::literal::py_str;

impl Script<'_> {
    /// Where `connect` with no address goes: the peer's listener.
    pub(super) fn peer_addr(&mut self, n: u32, kind: Kind) -> String {
        if matches!(kind, Kind::Unix | Kind::UnixGram) {
            self.need_unix_server();
            return "peer_path".into();
        }
        self.need_server();
        if self.v6.contains(&n) {
            // An IPv6 socket reaches the IPv4 listener at its mapped address.
            return "(\"::ffff:127.0.0.1\", server.getsockname()[1])".into();
        }
        "server.getsockname()".into()
    }

    /// The peer's TCP listener.
    pub(super) fn need_server(&mut self) {
        if !std::mem::replace(&mut self.server, true) {
            self.setup.push("# The peer: the other end of our connections, in this same script.".into());
            self.setup.push("server = socket.create_server((\"127.0.0.1\", 0))".into());
        }
    }

    /// A private temp directory for AF_UNIX socket files.
    pub(super) fn need_tmp(&mut self) {
        if !std::mem::replace(&mut self.tmp, true) {
            self.setup
                .push("tmp = tempfile.TemporaryDirectory()  # for socket files; removed at the end".into());
        }
    }

    /// The peer's AF_UNIX listener.
    pub(super) fn need_unix_server(&mut self) {
        if !std::mem::replace(&mut self.unix_server, true) {
            self.need_tmp();
            self.setup.extend([
                "# The peer's AF_UNIX listener, at a path in the temp directory.".to_string(),
                "peer_path = os.path.join(tmp.name, \"peer.sock\")".into(),
                "unix_server = socket.socket(socket.AF_UNIX)".into(),
                "unix_server.bind(peer_path)".into(),
                "unix_server.listen()".into(),
            ]);
        }
    }

    /// `open`, `listen`, `socket`: a new socket, and its peer end.
    pub(super) fn open(&mut self, i: usize, cmd: &Command) -> Vec<String> {
        let made = self.sim.step(cmd, false);
        let Some(&n) = made.first() else { return Vec::new() };
        let name = self.sim.socks[&n].name.clone();
        self.made(&name);
        let peer = if n == 1 { "peer".to_string() } else { format!("peer{n}") };
        let fails = match self.flow.outcome(i) {
            Some(ExpectOutcome::Error(e)) => Some(e.clone()),
            _ => None,
        };
        let mut out = Vec::new();
        let connected = |stmts: Vec<String>| opened(&name, stmts, fails.as_deref());
        match cmd {
            Command::Open { proto: Proto::Tcp, addr } => {
                let to = match addr {
                    Some(a) => py_addr(a),
                    None => {
                        self.need_server();
                        self.queued.push(n);
                        "server.getsockname()".into()
                    }
                };
                out.extend(connected(vec![format!("{name} = socket.create_connection({to})")]));
                if addr.is_none() && fails.is_none() {
                    out.extend(self.peer_end(n).0);
                }
            }
            Command::Open { proto: Proto::Udp, addr: Some(a) } => {
                out.push(format!("{name} = socket.socket({}, socket.SOCK_DGRAM)", family(&a.host)));
                out.push(format!("{name}.connect({})", py_addr(a)));
            }
            Command::Open { proto: Proto::Udp, addr: None } => {
                self.made(&peer);
                out.extend([
                    format!("{name} = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"),
                    format!("{peer} = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # the peer's end"),
                    format!("{peer}.bind((\"127.0.0.1\", 0))"),
                    format!("{name}.connect({peer}.getsockname())"),
                    format!("{peer}.connect({name}.getsockname())"),
                ]);
                self.set_peer(n, &peer);
            }
            Command::Socket { proto, v6 } => {
                if *v6 {
                    self.v6.push(n);
                }
                let fam = if *v6 { "socket.AF_INET6" } else { "socket.AF_INET" };
                let ty = if *proto == Proto::Tcp { "socket.SOCK_STREAM" } else { "socket.SOCK_DGRAM" };
                out.push(format!("{name} = socket.socket({fam}, {ty})  # not connected yet"));
            }
            Command::Listen { addr } => {
                let (at, fam) = match addr {
                    Some(a) if a.host.contains(':') => (py_addr(a), ", family=socket.AF_INET6"),
                    Some(a) => (py_addr(a), ""),
                    None => ("(\"127.0.0.1\", 0)".to_string(), ""),
                };
                out.push(format!("{name} = socket.create_server({at}{fam})"));
            }
            Command::OpenUnix { kind: UnixKind::Stream, path } => {
                let to = match path {
                    Some(p) => py_str(p),
                    None => {
                        self.need_unix_server();
                        "peer_path".into()
                    }
                };
                let stmts =
                    vec![format!("{name} = socket.socket(socket.AF_UNIX)"), format!("{name}.connect({to})")];
                out.extend(connected(stmts));
                if path.is_none() && fails.is_none() {
                    self.made(&peer);
                    out.push(format!("{peer}, _ = unix_server.accept()  # the peer's end"));
                    self.set_peer(n, &peer);
                }
            }
            Command::OpenUnix { kind: UnixKind::Datagram, path: None } => {
                self.made(&peer);
                out.push(
                    "# A connected pair of AF_UNIX datagram sockets (sockscope binds each to a path).".into(),
                );
                out.push(format!("{name}, {peer} = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)"));
                self.set_peer(n, &peer);
            }
            Command::OpenUnix { kind: UnixKind::Datagram, path: Some(p) } => {
                self.need_tmp();
                out.push(format!("{name} = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)"));
                out.push(format!("{name}.bind(os.path.join(tmp.name, \"{name}.sock\"))"));
                out.push(format!("{name}.connect({})", py_str(p)));
            }
            Command::ListenUnix { path } => {
                let at = match path {
                    Some(p) => py_str(p),
                    None => {
                        self.need_tmp();
                        format!("os.path.join(tmp.name, \"{name}.sock\")")
                    }
                };
                let var = format!("{name}_path");
                self.made(&var);
                out.push(format!("{var} = {at}"));
                out.push(format!("{name} = socket.socket(socket.AF_UNIX)"));
                out.push(format!("{name}.bind({var})"));
                out.push(format!("{name}.listen()"));
                if let Some(s) = self.sim.socks.get_mut(&n) {
                    s.path = Some(var);
                }
            }
            _ => {}
        }
        out
    }

    pub(super) fn set_peer(&mut self, n: u32, peer: &str) {
        if let Some(s) = self.sim.socks.get_mut(&n) {
            s.peer = Some(PeerEnd { name: peer.to_string(), paused: false, closed: false, shut_wr: false });
        }
    }
}

/// `socket.AF_INET6` for a v6 host.
fn family(host: &str) -> &'static str {
    if host.contains(':') { "socket.AF_INET6" } else { "socket.AF_INET" }
}

/// A set-up that connects, and its print (`sock: connected`), in `try:` if
/// the scenario expects it to fail with `fails`.
fn opened(name: &str, stmts: Vec<String>, fails: Option<&str>) -> Vec<String> {
    let print = format!("print(\"{name}: connected\")");
    let Some(e) = fails else {
        let mut out = stmts;
        out.push(print);
        return out;
    };
    let mut out = vec!["try:".to_string()];
    out.extend(stmts.iter().map(|s| format!("    {s}")));
    out.push(format!("    {print}"));
    out.push(format!("except {} as e:  # {e}", py_class(e)));
    out.push(format!("    print(f\"{name}: {{e!r}}\")"));
    out
}
