//! The rest of the language in the learner's script: a busy-poll (`spin`),
//! the event loop (`poll …`, with `select.epoll` in edge-triggered mode, as
//! mio uses it), and `serve` with its clients.

use std::time::Duration;

use super::Script;
use super::secs;
use crate::command::{Command, Interest, ServeKind, SpinLimit};

impl Script<'_> {
    /// `spin recv [SIZE] COUNT|DUR`: non-blocking recvs back to back, tallied.
    pub(super) fn spin(&mut self, size: u64, limit: SpinLimit) -> Vec<String> {
        let Some(s) = self.sim.cur().cloned() else { return vec!["# (no socket yet)".into()] };
        let n = &s.name;
        // sockscope's spin never waits, whatever the mode.
        let call = match s.mode.timeout {
            Some(t) if t.is_zero() => format!("{n}.recv({size})"),
            _ => format!("{n}.recv({size}, socket.MSG_DONTWAIT)"),
        };
        let mut out = Vec::new();
        let (head, label) = match limit {
            SpinLimit::Count(k) => (format!("for _ in range({k}):"), format!("{n}.recv x{k}")),
            SpinLimit::For(d) => {
                out.push(format!("deadline = time.monotonic() + {}", secs(d)));
                ("while time.monotonic() < deadline:".to_string(), format!("{n}.recv for {}s", secs(d)))
            }
        };
        let got = if s.kind.is_dgram() { "\"data\"" } else { "\"data\" if data else \"eof\"" };
        out.extend([
            "tally = {}  # outcome -> how many times".to_string(),
            head,
            "    try:".into(),
            format!("        data = {call}"),
            format!("        outcome = {got}"),
            "    except BlockingIOError:".into(),
            "        outcome = \"wouldblock\"".into(),
            "    tally[outcome] = tally.get(outcome, 0) + 1".into(),
            format!("print(f\"{label} -> {{tally}}\")"),
        ]);
        out
    }

    /// `poll add [N] read|write|both`: epoll, edge-triggered, as mio uses it.
    pub(super) fn poll_add(&mut self, cmd: &Command, sock: Option<u32>, interest: Interest) -> Vec<String> {
        let n = sock.or(self.sim.current);
        let was = n.and_then(|n| self.sim.socks.get(&n)).map(|s| s.mode.timeout);
        self.sim.step(cmd, false);
        let Some((n, s)) = n.and_then(|n| self.sim.socks.get(&n).map(|s| (n, s.name.clone()))) else {
            return vec!["# (no such socket)".into()];
        };
        let mut out = Vec::new();
        if !std::mem::replace(&mut self.epoll, true) {
            self.made("ep");
            out.push("ep = select.epoll()  # the event loop: epoll, as mio uses it".into());
        }
        if was == Some(None) {
            out.push(format!("{s}.setblocking(False)  # an event loop needs non-blocking sockets"));
        }
        let bits = match interest {
            Interest::Read => "select.EPOLLIN",
            Interest::Write => "select.EPOLLOUT",
            Interest::Both => "select.EPOLLIN | select.EPOLLOUT",
        };
        out.push(format!("ep.register({s}, {bits} | select.EPOLLET)  # edge-triggered"));
        self.registered.push(n);
        out
    }

    /// `poll wait [DUR]`: one wait; with drain on, then read each readable
    /// socket until EAGAIN.
    pub(super) fn poll_wait(&mut self, d: Option<Duration>) -> Vec<String> {
        let wait = d.map_or_else(String::new, secs);
        let mut out = vec![
            format!("events = ep.poll({wait})  # [(fd, mask)]; EPOLLIN is {}", libc::EPOLLIN),
            "print(f\"ep.poll -> {events}\")".into(),
        ];
        if !self.drain {
            return out;
        }
        let names: Vec<String> =
            self.registered.iter().filter_map(|n| self.sim.socks.get(n)).map(|s| s.name.clone()).collect();
        let (head, s, label) = match names.as_slice() {
            [one] => ("if events:".to_string(), one.clone(), one.clone()),
            _ => {
                let pairs: Vec<String> =
                    names.iter().map(|n| format!("{n}.fileno(): (\"{n}\", {n})")).collect();
                out.push(format!("names = {{{}}}", pairs.join(", ")));
                out.push("for fd, mask in events:".into());
                out.push("    name, s = names[fd]".into());
                ("if mask & select.EPOLLIN:".to_string(), "s".to_string(), "{name}".to_string())
            }
        };
        let pad = if names.len() == 1 { "" } else { "    " };
        let lines = [
            format!("{head}  # drain: read until EAGAIN, or no new edge comes for what is left"),
            "    while True:".into(),
            "        try:".into(),
            format!("            data = {s}.recv(1024)"),
            "        except BlockingIOError as e:".into(),
            format!("            print(f\"{label}.recv -> {{e!r}}\")"),
            "            break".into(),
            format!("        print(f\"{label}.recv -> {{data}}\")"),
            "        if not data:".into(),
            "            break".into(),
        ];
        out.extend(lines.iter().map(|l| format!("{pad}{l}")));
        out
    }

    /// `serve blocking|eventloop N`: an echo server on its own thread.
    pub(super) fn serve(&mut self, kind: ServeKind, clients: u32) -> Vec<String> {
        let Some(l) = self.sim.cur().map(|s| s.name.clone()) else { return vec!["# (no listener)".into()] };
        let f = match kind {
            ServeKind::Blocking => {
                self.helper("blocking_server", blocking_server);
                "blocking_server"
            }
            ServeKind::EventLoop => {
                self.helper("eventloop_server", eventloop_server);
                "eventloop_server"
            }
        };
        let t = if self.servers.is_empty() {
            "server_thread".to_string()
        } else {
            format!("server_thread{}", self.servers.len() + 1)
        };
        self.made(&t);
        self.servers.push(t.clone());
        vec![
            format!("{t} = threading.Thread(target={f}, args=({l}, {clients}), daemon=True)"),
            format!("{t}.start()"),
        ]
    }

    /// `peer connect N` to a serving listener: N clients, connected in
    /// order; each sends a request and times the echo, the first after
    /// thinking for 300 ms.
    pub(super) fn serve_clients(&mut self, listener: &str, k: u32) -> Vec<String> {
        self.helper("request", request);
        let first = self.sim.serve_clients + 1;
        self.sim.serve_clients += k;
        let list = if first == 1 { "requests".to_string() } else { format!("requests{first}") };
        self.made(&list);
        let ks: Vec<String> = (first..first + k).map(|c| c.to_string()).collect();
        let tuple = if k == 1 { format!("({},)", ks[0]) } else { format!("({})", ks.join(", ")) };
        let out = vec![
            format!("{list} = []"),
            format!("for k in {tuple}:  # they connect in this order"),
            format!("    c = socket.create_connection({listener}.getsockname())"),
            format!(
                "    {list}.append(threading.Thread(target=request, args=(k, c, 0.3 if k == {first} else 0)))"
            ),
            format!("for t in reversed({list}):  # c{first}, which thinks for 300 ms first, starts last"),
            "    t.start()".into(),
        ];
        self.batches.push(list);
        out
    }
}

fn blocking_server() -> Vec<String> {
    [
        "def blocking_server(listener, clients):",
        "    \"\"\"serve blocking: one client at a time, start to finish.\"\"\"",
        "    for _ in range(clients):",
        "        conn, addr = listener.accept()",
        "        print(f\"server: listener.accept -> conn from {addr}\")",
        "        request = conn.recv(1024)  # waits for this client, however slow",
        "        print(f\"server: conn.recv -> {request}\")",
        "        n = conn.send(request)",
        "        print(f\"server: conn.send -> {n} of {len(request)}\")",
        "        conn.close()",
        "        print(\"server: conn.close -> done\")",
    ]
    .map(String::from)
    .to_vec()
}

fn eventloop_server() -> Vec<String> {
    [
        "def eventloop_server(listener, clients):",
        "    \"\"\"serve eventloop: one loop answers whichever client is ready.",
        "    (sockscope's server uses mio, edge-triggered; selectors is level-triggered,",
        "    which makes no difference to a server that reads each request whole.)\"\"\"",
        "    sel = selectors.DefaultSelector()",
        "    listener.setblocking(False)",
        "    sel.register(listener, selectors.EVENT_READ)",
        "    served = 0",
        "    while served < clients:",
        "        for key, _ in sel.select(timeout=1):",
        "            if key.fileobj is listener:",
        "                while True:  # accept every client that is waiting",
        "                    try:",
        "                        conn, addr = listener.accept()",
        "                    except BlockingIOError:",
        "                        break",
        "                    print(f\"server: listener.accept -> conn from {addr}\")",
        "                    conn.setblocking(False)",
        "                    sel.register(conn, selectors.EVENT_READ)",
        "            else:",
        "                conn = key.fileobj",
        "                request = conn.recv(1024)",
        "                print(f\"server: conn.recv -> {request}\")",
        "                n = conn.send(request)",
        "                print(f\"server: conn.send -> {n} of {len(request)}\")",
        "                sel.unregister(conn)",
        "                conn.close()",
        "                print(\"server: conn.close -> done\")",
        "                served += 1",
    ]
    .map(String::from)
    .to_vec()
}

fn request() -> Vec<String> {
    [
        "def request(k, c, think):",
        "    \"\"\"A peer client of the server: sends its request and times the echo.\"\"\"",
        "    time.sleep(think)",
        "    start = time.monotonic()",
        "    c.sendall(b\"request from c%d\" % k)",
        "    echo = c.recv(65536)",
        "    print(f\"client c{k} waited {(time.monotonic() - start) * 1000:.1f} ms for {echo}\")",
    ]
    .map(String::from)
    .to_vec()
}
