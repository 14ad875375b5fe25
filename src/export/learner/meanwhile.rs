//! A call the scenario expects to block, written as a program makes it: a
//! second thread (or a timer, for a lone peer send) starts doing what the
//! scenario does while the call waits, and then the call blocks until that
//! releases it. A call nothing releases waits on a daemon thread; one that
//! ends on its own while nothing acts is a plain call.

use std::time::Duration;

use super::{SETTLE, Script, acts, comment, peer};
use crate::command::{Command, SockCall};

impl Script<'_> {
    /// A call the scenario expects to block, and what happens meanwhile
    /// (up to `end`, the expect that sees it finish). Returns the lines and
    /// the next command to write.
    pub(super) fn blocked(&mut self, i: usize, call: &SockCall, end: Option<usize>) -> (Vec<String>, usize) {
        let mut out = self.flush_sleep();
        let Some(end) = end else {
            // Nothing in the scenario ends it: it waits in a thread of its own.
            let call_lines = self.call(i, call);
            out.extend(self.in_background(call, call_lines, None));
            return (out, i + 1);
        };
        let acting: Vec<usize> = (i + 1..end).filter(|&j| acts(self.cmds[j])).collect();
        if acting.is_empty() {
            // Nothing the scenario does releases it: it ends on its own (its
            // timer, a send scheduled before it). A plain call, then the
            // waits that passed while it was in the kernel.
            for k in i + 1..end {
                match self.cmds[k] {
                    Command::Say(t) => out.extend(comment(t, "")),
                    Command::Wait(d) => self.sleep += *d,
                    _ => {}
                }
            }
            out.extend(self.call(i, call));
            return (out, end + 1);
        }
        let lone_send = match acting.as_slice() {
            [j] => match self.cmds[*j] {
                Command::Peer(crate::command::PeerCmd::Send { payload, after }) => Some((*j, payload, after)),
                _ => None,
            },
            _ => None,
        };
        if let Some((j, payload, after)) = lone_send {
            let call_lines = self.call(i, call);
            // The peer's send, from a timer thread: the simplest second thread.
            let waits: Duration = (i + 1..j)
                .filter_map(|k| match self.cmds[k] {
                    Command::Wait(d) => Some(*d),
                    _ => None,
                })
                .sum();
            for k in i + 1..end {
                if let Command::Say(t) = self.cmds[k] {
                    out.extend(comment(t, ""));
                }
                if k == j {
                    let delay = (waits + after.unwrap_or(Duration::ZERO)).max(SETTLE);
                    out.extend(self.peer_send(payload, peer::When::Timer(delay)));
                }
            }
            out.extend(call_lines);
            return (out, end + 1);
        }
        self.threads += 1;
        let (f, t) = match self.threads {
            1 => ("meanwhile".to_string(), "thread".to_string()),
            n => (format!("meanwhile{n}"), format!("thread{n}")),
        };
        self.in_thread = true;
        self.sleep = SETTLE;
        let on = self.sim.current;
        let body = self.range(i + 1, end);
        let globals = std::mem::take(&mut self.globals);
        self.in_thread = false;
        // The call returns after what the thread did (an accept takes the
        // client the thread connected, numbered after the sockets it made),
        // on the socket it was made on, whichever the thread moved to.
        let moved_to = std::mem::replace(&mut self.sim.current, on);
        let call_lines = self.call(i, call);
        self.sim.current = moved_to;
        // Waits after its last step change nothing: the call has returned.
        self.sleep = Duration::ZERO;
        let verb = match call {
            SockCall::Send(_) => "send",
            SockCall::Accept => "accept",
            SockCall::Connect(_) => "connect",
            _ => "recv",
        };
        out.push(String::new());
        out.push(format!("# While {verb} waits, a second thread carries on:"));
        out.push(format!("def {f}():"));
        if !globals.is_empty() {
            out.push(format!("    global {}", globals.join(", ")));
        }
        out.extend(body.iter().map(|l| if l.is_empty() { String::new() } else { format!("    {l}") }));
        out.push(String::new());
        out.push(format!("{t} = threading.Thread(target={f})"));
        out.push(format!("{t}.start()"));
        out.extend(call_lines);
        out.push(format!("{t}.join()"));
        (out, end + 1)
    }

    /// A call still blocking when the scenario ends, or (`beside`: whether
    /// the scenario sees it end) one that blocks while another call waits:
    /// made on a daemon thread; the script says at its end whether it is
    /// still waiting.
    pub(super) fn in_background(
        &mut self,
        call: &SockCall,
        lines: Vec<String>,
        beside: Option<bool>,
    ) -> Vec<String> {
        self.threads += 1;
        let n = self.threads;
        let sock = self.sim.cur().map_or_else(|| "sock".to_string(), |s| s.name.clone());
        let verb = crate::record::Op::from(call).word();
        let why = match beside {
            Some(_) => {
                format!("# This {verb} blocks too, beside the first: it waits on a thread of its own.")
            }
            None => format!("# Nothing in the scenario ends this {verb}: it waits on a thread of its own."),
        };
        // Made inside the first thread's function, it is checked at the end.
        self.made(&format!("waiting{n}"));
        let mut out = vec![String::new(), why, format!("def blocked{n}():")];
        out.extend(lines.iter().map(|l| format!("    {l}")));
        out.push(String::new());
        out.push(format!("waiting{n} = threading.Thread(target=blocked{n}, daemon=True)"));
        out.push(format!("waiting{n}.start()"));
        let ends = beside == Some(true);
        self.background.push(super::Background {
            thread: format!("waiting{n}"),
            label: format!("{sock}.{verb}"),
            ends,
        });
        out
    }
}
