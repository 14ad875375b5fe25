//! What the scenario says each call will do, read from its `expect` lines:
//! which calls block (and which later line sees them finish), and which
//! outcome each call has, so the learner's script can catch exactly the
//! exception the scenario calls for.

use std::collections::HashMap;

use super::sim::Sim;
use crate::command::{CallKind, Command, ExpectOutcome, SockCall};

/// The expectations of a script's calls.
#[derive(Debug, Default)]
pub struct Flow {
    /// Call index -> the expects that check it, in order: (index, outcome).
    checks: HashMap<usize, Vec<(usize, ExpectOutcome)>>,
    /// Per command: for an `accept`, whether it makes a socket.
    accepted: Vec<bool>,
}

/// Commands whose outcome a plain `expect` checks: socket calls, set-ups
/// that connect, and a spin.
fn is_call(cmd: &Command) -> bool {
    matches!(cmd, Command::Call(_) | Command::Open { .. } | Command::OpenUnix { .. } | Command::Spin { .. })
}

/// An expect about a call (not about the event loop, a queue or a serve).
fn about_a_call(o: &ExpectOutcome) -> bool {
    !matches!(
        o,
        ExpectOutcome::Events
            | ExpectOutcome::Queued
            | ExpectOutcome::SlowestOver(_)
            | ExpectOutcome::SlowestUnder(_)
    )
}

/// Whether the `accept` at `i` makes a socket, as the next expect about a
/// call says (no expect: it does).
fn accept_made(cmds: &[&Command], i: usize) -> bool {
    for cmd in &cmds[i + 1..] {
        match cmd {
            Command::Expect(e)
                if about_a_call(&e.outcome) && e.call.is_none_or(|k| k == CallKind::Accept) =>
            {
                match e.outcome {
                    ExpectOutcome::Blocking => continue,
                    ExpectOutcome::WouldBlock
                    | ExpectOutcome::Timeout
                    | ExpectOutcome::Error(_)
                    | ExpectOutcome::InProgress => return false,
                    _ => return true,
                }
            }
            Command::Say(_) | Command::Wait(_) | Command::Peer(_) | Command::Mode(_) | Command::Expect(_) => {
            }
            _ => return true,
        }
    }
    true
}

impl Flow {
    pub fn of(cmds: &[&Command]) -> Flow {
        let accepted: Vec<bool> = (0..cmds.len())
            .map(|i| matches!(cmds[i], Command::Call(SockCall::Accept)) && accept_made(cmds, i))
            .collect();
        let mut sim = Sim::default();
        let mut last: HashMap<u32, usize> = HashMap::new();
        let mut last_of: HashMap<(u32, CallKind), usize> = HashMap::new();
        let mut checks: HashMap<usize, Vec<(usize, ExpectOutcome)>> = HashMap::new();
        for (i, cmd) in cmds.iter().enumerate() {
            let made = sim.step(cmd, accepted[i]);
            // A set-up's call is on the socket it made; the others on the current one.
            let on = if matches!(cmd, Command::Open { .. } | Command::OpenUnix { .. }) {
                made.first().copied()
            } else {
                sim.current
            };
            if let (true, Some(s)) = (is_call(cmd), on) {
                last.insert(s, i);
                if let Some(k) = cmd.call_kind() {
                    last_of.insert((s, k), i);
                }
            }
            if let (Command::Expect(e), Some(s)) = (cmd, sim.current)
                && about_a_call(&e.outcome)
            {
                let call = match e.call {
                    Some(k) => last_of.get(&(s, k)),
                    None => last.get(&s),
                };
                if let Some(&c) = call {
                    checks.entry(c).or_default().push((i, e.outcome.clone()));
                }
            }
        }
        Flow { checks, accepted }
    }

    pub fn accepted(&self, i: usize) -> bool {
        self.accepted.get(i).copied().unwrap_or(false)
    }

    /// The first expect about call `i`.
    fn first(&self, i: usize) -> Option<&(usize, ExpectOutcome)> {
        self.checks.get(&i).and_then(|c| c.first())
    }

    /// If call `i` is expected to block: `Some(end)`, where `end` is the
    /// index of the expect that sees it finish (`None`: it is still blocking
    /// when the script ends).
    pub fn blocked(&self, i: usize) -> Option<Option<usize>> {
        let (_, first) = self.first(i)?;
        if *first != ExpectOutcome::Blocking {
            return None;
        }
        let end = self.checks[&i].iter().find(|(_, o)| *o != ExpectOutcome::Blocking).map(|(j, _)| *j);
        Some(end)
    }

    /// The outcome the scenario expects call `i` to end with, if it says.
    pub fn outcome(&self, i: usize) -> Option<&ExpectOutcome> {
        self.checks.get(&i)?.iter().map(|(_, o)| o).find(|o| **o != ExpectOutcome::Blocking)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse_script;

    fn flow(text: &str) -> (Vec<Command>, Flow) {
        let cmds: Vec<Command> = parse_script(text).unwrap().into_iter().map(|l| l.cmd).collect();
        let refs: Vec<&Command> = cmds.iter().collect();
        let f = Flow::of(&refs);
        (cmds, f)
    }

    #[test]
    fn a_blocked_call_ends_at_the_expect_that_names_it() {
        let (_, f) = flow(
            "open tcp\nrecv\nexpect blocking\nshutdown wr\nwait 1s\nexpect recv blocking\nshutdown rd\n\
             expect recv eof\nrecv\nexpect eof",
        );
        assert_eq!(f.blocked(1), Some(Some(7)));
        assert_eq!(f.outcome(1), Some(&ExpectOutcome::Eof));
        assert_eq!(f.blocked(8), None);
        assert_eq!(f.outcome(0), None);
    }

    #[test]
    fn expects_follow_the_current_socket_and_accepts_that_fail_make_nothing() {
        let (_, f) = flow(
            "listen\nnonblocking\naccept\nexpect wouldblock\npeer connect\naccept\nexpect accepted 2\nuse 2\n\
             recv\nexpect blocking",
        );
        assert!(!f.accepted(2));
        assert!(f.accepted(5));
        assert_eq!(f.outcome(2), Some(&ExpectOutcome::WouldBlock));
        assert_eq!(f.blocked(8), Some(None));
    }
}
