//! `export python` for learners: the plain script a person learning sockets
//! would write for a scenario. `socket.create_connection`, the peer as a
//! second socket in the same script, `sock.setblocking(False)`,
//! `data = sock.recv(1024)`, `try:`/`except BlockingIOError:` where the
//! scenario's outcome calls for it, the narration as comments, and a print
//! of what each call gave.
//!
//! The scenario's `expect` lines say how each call ends ([`flow`]). A call
//! expected to block is made as a program would make it: a second thread
//! first starts doing what the scenario does while it waits (the peer's
//! send, a mode change, a shutdown), then the call blocks until that
//! releases it. Each op writes its own call (`ops::learner`); this module
//! writes the rest and puts the script together.
//!
//! What each call prints (`sock.recv -> b'hi'`, `sock.send -> 5 of 5`,
//! `sock.recv -> BlockingIOError(11, ...)`, `sock: connected`) is what the
//! test suite compares with `sockscope run --json`.

mod calls;
mod extras;
mod flow;
mod meanwhile;
mod peer;
mod setup;
mod sim;

use std::time::Duration;

pub use crate::ops::literal::{addr_tuple as py_addr, size_expr};
pub use crate::ops::site::{Raises, Site, py_class};

use crate::command::{Command, ExpectOutcome, Located, ModeSet};
use crate::ops::literal::printable;
use flow::Flow;
use sim::Sim;

/// How long sockscope lets a call run before the next command: what the
/// second thread waits before its first step, so the call is in the kernel.
const SETTLE: Duration = Duration::from_millis(50);

/// The learner's script for `script`, parsed from the file called `name`;
/// `intro` is the file's opening comment.
pub fn learner_script(name: &str, script: &[Located], intro: &[String]) -> String {
    let cmds: Vec<&Command> = script.iter().map(|l| &l.cmd).collect();
    let mut s = Script::new(&cmds);
    let body = s.range(0, cmds.len());
    s.assemble(name, intro, body)
}

/// The comment lines a scenario file opens with (its title and lesson).
pub fn intro(text: &str) -> Vec<String> {
    let lines = text.trim_start_matches('\u{feff}').lines().map(str::trim);
    lines
        .take_while(|l| l.is_empty() || l.starts_with('#'))
        .filter_map(|l| l.strip_prefix('#'))
        .map(|l| l.trim().to_string())
        .collect()
}

/// Seconds as Python writes them.
fn secs(d: Duration) -> String {
    crate::ops::literal::py_secs(d)
}

/// Narration as comment lines of at most about 76 columns, escaped.
fn comment(text: &str, indent: &str) -> Vec<String> {
    let text = printable(text);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && indent.len() + line.len() + word.len() > 74 {
            out.push(format!("# {line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(format!("# {line}"));
    }
    out
}

/// Whether a command writes a statement (rather than a comment, a wait or
/// nothing).
fn acts(cmd: &Command) -> bool {
    !matches!(
        cmd,
        Command::Say(_) | Command::Expect(_) | Command::Wait(_) | Command::Use(_) | Command::Export { .. }
    )
}

/// A call made on a daemon thread of its own, checked at the end.
struct Background {
    thread: String,
    /// What the check prints: `sock.recv`.
    label: String,
    /// The scenario sees it end, so the check waits for it first.
    ends: bool,
}

/// The script being written.
struct Script<'a> {
    cmds: &'a [&'a Command],
    flow: Flow,
    sim: Sim,
    /// The peer's listeners and the temp dir: once, near the top.
    setup: Vec<String>,
    /// Functions the script defines, in the order first needed.
    helpers: Vec<(&'static str, Vec<String>)>,
    server: bool,
    unix_server: bool,
    tmp: bool,
    /// Our sockets whose connections wait in `server`'s accept queue, in order.
    queued: Vec<u32>,
    /// IPv6 sockets (`socket tcp6|udp6`).
    v6: Vec<u32>,
    epoll: bool,
    drain: bool,
    registered: Vec<u32>,
    /// Waits not written yet: they become one `time.sleep` before the next statement.
    sleep: Duration,
    /// Inside the second thread's function.
    in_thread: bool,
    /// Names the second thread's function assigns that the rest uses: declared global there.
    globals: Vec<String>,
    /// Calls left blocking in a thread of their own.
    background: Vec<Background>,
    /// `peer connect` batches to a serve whose threads are not joined yet.
    batches: Vec<String>,
    /// Servers' threads, joined at the end so they finish what they print.
    servers: Vec<String>,
    /// The command being written is the last of its range that does anything.
    last_act: bool,
    threads: u32,
}

impl<'a> Script<'a> {
    fn new(cmds: &'a [&'a Command]) -> Script<'a> {
        Script {
            cmds,
            flow: Flow::of(cmds),
            sim: Sim::default(),
            setup: Vec::new(),
            helpers: Vec::new(),
            server: false,
            unix_server: false,
            tmp: false,
            queued: Vec::new(),
            v6: Vec::new(),
            epoll: false,
            drain: false,
            registered: Vec::new(),
            sleep: Duration::ZERO,
            in_thread: false,
            globals: Vec::new(),
            background: Vec::new(),
            batches: Vec::new(),
            servers: Vec::new(),
            last_act: false,
            threads: 0,
        }
    }

    /// Commands `a..b`, in order; a call expected to block takes the
    /// commands that happen while it waits with it.
    fn range(&mut self, a: usize, b: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut i = a;
        while i < b {
            self.last_act = !(i + 1..b).any(|j| acts(self.cmds[j]));
            match (self.cmds[i], self.flow.blocked(i)) {
                (Command::Call(call), Some(end)) if !self.in_thread => {
                    let (lines, next) = self.blocked(i, call, end.filter(|&e| e < b));
                    out.extend(lines);
                    i = next;
                }
                (Command::Call(call), Some(end)) => {
                    // A second call that blocks while the first waits runs
                    // beside it, as sockscope runs it: made in line, it
                    // would hold up what this thread still has to do.
                    out.extend(self.flush_sleep());
                    let lines = self.call(i, call);
                    out.extend(self.in_background(call, lines, Some(end.is_some())));
                    i += 1;
                }
                _ => {
                    out.extend(self.one(i));
                    i += 1;
                }
            }
        }
        if self.sleep > Duration::ZERO && !self.in_thread {
            out.extend(self.flush_sleep());
        }
        out
    }

    /// The pending waits as one sleep.
    fn flush_sleep(&mut self) -> Vec<String> {
        let d = std::mem::take(&mut self.sleep);
        if d.is_zero() { Vec::new() } else { vec![format!("time.sleep({})", secs(d))] }
    }

    /// A name made inside the second thread's function, used after it.
    fn made(&mut self, name: &str) {
        if self.in_thread && !self.globals.iter().any(|g| g == name) {
            self.globals.push(name.to_string());
        }
    }

    /// One command.
    fn one(&mut self, i: usize) -> Vec<String> {
        let cmd = self.cmds[i];
        match cmd {
            Command::Say(t) if self.in_thread => return comment(t, "    "),
            Command::Say(t) => {
                let mut out = self.flush_sleep();
                out.extend(comment(t, ""));
                return out;
            }
            Command::Wait(d) => {
                self.sleep += *d;
                return Vec::new();
            }
            Command::Expect(e) => return self.expect(e),
            Command::Export { .. } => return vec!["# (export python: this script)".into()],
            _ => {}
        }
        let mut out = self.flush_sleep();
        match cmd {
            Command::Call(call) => out.extend(self.call(i, call)),
            Command::Mode(m) => out.extend(self.mode(i, *m)),
            Command::Peer(p) => {
                self.sim.step(cmd, false);
                out.extend(self.peer(p));
            }
            Command::Use(_) => {
                self.sim.step(cmd, false);
            }
            Command::Spin { size, limit } => out.extend(self.spin(*size, *limit)),
            Command::PollAdd { sock, interest } => out.extend(self.poll_add(cmd, *sock, *interest)),
            Command::PollWait(d) => out.extend(self.poll_wait(*d)),
            Command::PollDrain(on) => {
                self.drain = *on;
                let what = if *on { "on: on every readable event, read until EAGAIN" } else { "off" };
                out.push(format!("# poll drain {what}"));
            }
            Command::Serve { kind, clients } => {
                self.sim.step(cmd, false);
                out.extend(self.serve(*kind, *clients));
            }
            _ => out.extend(self.open(i, cmd)),
        }
        out
    }

    /// Expects shape the calls; only a serve's `expect slowest` writes
    /// code: it waits for the clients.
    fn expect(&mut self, e: &crate::command::Expectation) -> Vec<String> {
        match e.outcome {
            ExpectOutcome::SlowestOver(_) | ExpectOutcome::SlowestUnder(_) => {
                let mut out = self.flush_sleep();
                for b in std::mem::take(&mut self.batches) {
                    out.push(format!("for t in {b}:"));
                    out.push("    t.join()".into());
                }
                out
            }
            _ => Vec::new(),
        }
    }

    fn mode(&mut self, i: usize, m: ModeSet) -> Vec<String> {
        self.sim.step(self.cmds[i], false);
        match self.sim.cur() {
            Some(s) => crate::ops::mode::learner(m, &s.name),
            None => vec!["# (no socket yet)".into()],
        }
    }

    /// The top of the script, the imports it uses, its set-up and functions,
    /// then `body`.
    fn assemble(&mut self, name: &str, intro: &[String], mut body: Vec<String>) -> String {
        for Background { thread: t, label, ends } in std::mem::take(&mut self.background) {
            if ends {
                // The scenario sees it end: give its thread the moment it needs.
                body.push(format!("{t}.join(5)"));
            }
            body.push(format!("if {t}.is_alive():"));
            body.push(format!("    print(\"{label} -> still blocking\")"));
        }
        for t in std::mem::take(&mut self.servers) {
            body.push(format!("{t}.join(5)  # the server stops once it has served its clients"));
        }
        let mut out = vec!["#!/usr/bin/env python3".to_string()];
        let file = name.rsplit('/').next().unwrap_or(name);
        out.push(format!("# {}, as plain Python (`sockscope export python`).", printable(file)));
        for l in intro.iter().filter(|l| !l.is_empty()) {
            out.extend(comment(l, ""));
        }
        out.push("# Each call prints what it gave. `export python --harness` writes a faithful".into());
        out.push("# rerun instead, with sockscope's own model and every expect checked.".into());
        let mut code: Vec<&String> = self.setup.iter().collect();
        code.extend(self.helpers.iter().flat_map(|(_, h)| h));
        code.extend(&body);
        let uses =
            |m: &str| code.iter().any(|l| !l.trim_start().starts_with('#') && l.contains(&format!("{m}.")));
        let imports: Vec<String> =
            ["os", "select", "selectors", "socket", "struct", "tempfile", "threading", "time"]
                .into_iter()
                .filter(|m| uses(m))
                .map(|m| format!("import {m}"))
                .collect();
        out.extend(imports);
        if !self.setup.is_empty() {
            out.push(String::new());
            out.extend(self.setup.iter().cloned());
        }
        for (_, h) in &self.helpers {
            out.push(String::new());
            out.push(String::new());
            out.extend(h.iter().cloned());
        }
        out.push(String::new());
        if !self.helpers.is_empty() {
            out.push(String::new());
        }
        out.extend(body);
        let mut text = out.join("\n");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse_script;

    fn script(text: &str) -> String {
        learner_script("t.scenario", &parse_script(text).expect("parses"), &intro(text))
    }

    #[test]
    fn sizes_read_as_a_learner_writes_them() {
        assert_eq!(size_expr(65536), "(64 * 1024)");
        assert_eq!(size_expr(8 * 1024 * 1024), "(8 * 1024 * 1024)");
        assert_eq!(size_expr(10), "10");
    }

    #[test]
    fn the_intro_is_the_opening_comment() {
        assert_eq!(intro("# Title.\n# More.\n\nopen tcp\n# later\n"), ["Title.", "More."]);
    }

    #[test]
    fn outside_text_stays_inside_comments_and_literals() {
        let py = script(
            "# A\u{1b}[2J title\nsay \"line\\nbreak \u{202e} \\x1b]0;x\\x07\"\nopen tcp\nsend \"\\\"\\\\\\x00\"\n",
        );
        assert!(py.contains("# A\\x1b[2J title"), "{py}");
        assert!(py.contains("# line\\nbreak"), "{py}");
        assert!(py.contains("sock.send(b\"\\\"\\\\\\x00\")"), "{py}");
        for line in py.lines() {
            assert!(!line.chars().any(crate::escape::is_unsafe) && !line.contains('\u{1b}'), "{line:?}");
        }
    }

    #[test]
    fn a_blocked_recv_is_released_by_a_second_thread() {
        let py = script(
            "open tcp\nrecv\nexpect blocking\nnonblocking\nwait 300ms\npeer send \"late\"\nexpect data 4\n",
        );
        let want = "def meanwhile():\n    time.sleep(0.05)\n    sock.setblocking(False)\n    time.sleep(0.3)\n    \
                    peer.sendall(b\"late\")\n\nthread = threading.Thread(target=meanwhile)\nthread.start()\n\
                    data = sock.recv(1024)\nprint(f\"sock.recv -> {data}\")\nthread.join()\n";
        assert!(py.contains(want), "{py}");
        let py = script("open tcp\nrecv\nexpect blocking\npeer send \"hi\" after 300ms\nexpect data 2\n");
        assert!(
            py.contains("threading.Timer(0.3, peer.sendall, [b\"hi\"]).start()\ndata = sock.recv(1024)"),
            "{py}"
        );
    }
}
