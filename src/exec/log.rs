//! The commands the executor has run, in order, so `export python PATH`
//! can write the experiment out as a script: the learner's plain one, or
//! with `--harness` the faithful rerun. A command that could not be
//! carried out (no socket #9) is left out of the export; a failed `expect`
//! stays in, since it is part of the experiment.

use std::path::Path;

use crate::command::{CallKind, Command, ExpectOutcome, Expectation, Located};
use crate::export::learner::learner_script;
use crate::export::python::python_script;
use crate::record::{Call, Outcome, Record};

/// How an exported session names itself in the script.
const NAME: &str = "sockscope session";

#[derive(Debug, Default, Clone)]
pub struct Log {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    cmd: Located,
    failed: bool,
    /// When it started, on the record's clock.
    at_ns: u64,
    /// The current socket when it started.
    current: Option<u32>,
    /// The call it made: (socket, seq).
    call: Option<(u32, u64)>,
}

impl Log {
    /// Notes a command as it starts, at `at_ns` with `current` the current socket.
    pub fn started(&mut self, cmd: &Located, at_ns: u64, current: Option<u32>) {
        self.entries.push(Entry { cmd: cmd.clone(), failed: false, at_ns, current, call: None });
    }

    /// The command that started last made call `seq` on socket `id` (only
    /// its first call, and only for a command that is a call: the recvs of
    /// a drain belong to no line).
    pub fn issued(&mut self, id: u32, seq: u64) {
        if let Some(e) = self.entries.last_mut()
            && e.call.is_none()
            && matches!(e.cmd.cmd, Command::Call(_) | Command::Open { .. } | Command::OpenUnix { .. })
        {
            e.call = Some((id, seq));
        }
    }

    /// The command that started last could not be carried out.
    pub fn failed_last(&mut self) {
        if let Some(e) = self.entries.last_mut() {
            e.failed = true;
        }
    }

    /// The entries that make the script: carried out, exports left out.
    fn kept(&self) -> impl Iterator<Item = (usize, &Entry)> {
        let kept = |e: &&Entry| !e.failed && !matches!(e.cmd.cmd, Command::Export { .. });
        self.entries.iter().enumerate().filter(move |(_, e)| kept(e))
    }

    /// The commands that ran, numbered 1, 2, 3 … as the lines of a script
    /// (exports themselves left out).
    pub fn script(&self) -> Vec<Located> {
        number(self.kept().map(|(_, e)| e.cmd.cmd.clone()))
    }

    /// The script with what each call did written in as `expect` lines,
    /// from the record: a call still in the kernel when the next command
    /// started gets `expect blocking`, and its outcome after the last
    /// command that started before it ended. That is what the learner's
    /// script goes by to make a blocking call as a program does (a second
    /// thread releases it) and to catch the exception each call raised.
    pub fn observed(&self, record: &Record) -> Vec<Located> {
        let kept: Vec<(usize, &Entry)> = self.kept().collect();
        let mut after: Vec<Vec<Command>> = vec![Vec::new(); kept.len()];
        for (k, (_, e)) in kept.iter().enumerate() {
            let Some((id, seq)) = e.call else { continue };
            let Some(c) = record.timeline().find(seq) else { continue };
            let Some((outcome, n)) = expected(c) else { continue };
            let blocking = || expect(None, ExpectOutcome::Blocking, None);
            let next_at = kept.get(k + 1).map(|(_, n)| n.at_ns);
            let at = match c.end_ns {
                // Still in the kernel: it blocks to the end of the script.
                None => {
                    after[k].push(blocking());
                    continue;
                }
                Some(end) if next_at.is_some_and(|next| end > next) => {
                    after[k].push(blocking());
                    // Commands start in time order: the last one to start
                    // before the call ended released it, unless that is a
                    // call like it on its socket (a second recv releases no
                    // recv; it may only have started first on a busy machine).
                    let before_end = kept.partition_point(|(_, n)| n.at_ns < end);
                    let released = (k + 1..before_end).rev().find(|&j| !same_kind(kept[j].1, e)).unwrap_or(k);
                    // A check names the latest call of its kind on the
                    // socket: with another made meanwhile (two recvs in the
                    // kernel at once), this one cannot be named, and its
                    // script makes it on a thread of its own.
                    if kept[k + 1..=released].iter().any(|(_, n)| same_kind(n, e)) {
                        continue;
                    }
                    released
                }
                Some(_) => k,
            };
            // Named by its kind, so the check finds it even when another
            // kind of call was made since.
            let kind = e.cmd.cmd.call_kind();
            let now = self.current_after(kept[at].0, record);
            let check = expect(kind, outcome, n);
            after[at].extend(on_socket(id, now, check));
        }
        let cmds =
            kept.iter().zip(after).flat_map(|((_, e), more)| std::iter::once(e.cmd.cmd.clone()).chain(more));
        number(cmds)
    }

    /// The current socket once entry `i` has run.
    fn current_after(&self, i: usize, record: &Record) -> Option<u32> {
        self.entries.get(i + 1).map_or(record.current(), |e| e.current)
    }

    /// Writes the session as a Python 3 script: the learner's, from the
    /// commands and what they did in `record`, or the faithful harness.
    /// Says what it did.
    pub fn export(&self, path: &Path, harness: bool, record: &Record) -> Result<String, String> {
        let shown = crate::escape::path(path);
        let n = self.kept().count();
        if n == 0 {
            return Err("export: no commands have run in this session yet".into());
        }
        let text = if harness {
            python_script(NAME, &self.script())
        } else {
            learner_script(NAME, &self.observed(record), &[])
        };
        std::fs::write(path, text)
            .map_err(|e| format!("export: cannot write {shown}: {}", crate::escape::text(&e.to_string())))?;
        let commands = if n == 1 { "1 command".to_string() } else { format!("{n} commands") };
        let kind = if harness { "the faithful Python 3 harness" } else { "a Python 3 script" };
        Ok(format!("wrote {commands} as {kind} to {shown}"))
    }
}

/// Whether entry `b` made a call on the socket of `a`'s call that a check
/// of `a`'s would name too: one of the same kind (any call, for a check
/// with no kind).
fn same_kind(b: &Entry, a: &Entry) -> bool {
    let on_same = matches!((b.call, a.call), (Some((x, _)), Some((y, _))) if x == y);
    let kind = a.cmd.cmd.call_kind();
    on_same && (kind.is_none() || b.cmd.cmd.call_kind() == kind)
}

/// Lines numbered 1, 2, 3 …
fn number(cmds: impl Iterator<Item = Command>) -> Vec<Located> {
    cmds.enumerate().map(|(i, cmd)| Located { line: i + 1, cmd }).collect()
}

/// What `expect` would say of a finished call (and its count), if the
/// language has a word for it.
fn expected(c: &Call) -> Option<(ExpectOutcome, Option<u64>)> {
    Some(match c.outcome {
        Outcome::Data => (ExpectOutcome::Data, c.bytes),
        Outcome::Sent => (ExpectOutcome::Sent, c.bytes),
        // How much of a send fits depends on buffer sizes: the word only.
        Outcome::Partial => (ExpectOutcome::Partial, None),
        Outcome::Eof => (ExpectOutcome::Eof, None),
        Outcome::WouldBlock => (ExpectOutcome::WouldBlock, None),
        Outcome::Timeout(_) => (ExpectOutcome::Timeout, None),
        Outcome::InProgress => (ExpectOutcome::InProgress, None),
        Outcome::Accepted(k) => (ExpectOutcome::Accepted, Some(u64::from(k))),
        Outcome::Connected => (ExpectOutcome::Connected, None),
        Outcome::Blocking => (ExpectOutcome::Blocking, None),
        Outcome::Error => (ExpectOutcome::Error(c.errno_name()?.to_string()), None),
        Outcome::Ready | Outcome::Ok => return None,
    })
}

fn expect(call: Option<CallKind>, outcome: ExpectOutcome, n: Option<u64>) -> Command {
    Command::Expect(Expectation { call, outcome, n })
}

/// `check`, made while socket `id` is current: with a `use` there and back
/// when another socket is current by then.
fn on_socket(id: u32, now: Option<u32>, check: Command) -> Vec<Command> {
    match now {
        Some(cur) if cur == id => vec![check],
        Some(cur) => vec![Command::Use(id), check, Command::Use(cur)],
        None => vec![Command::Use(id), check],
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::command::parse_line;
    use crate::exec::{Executor, Session, Tick};

    fn cmd(text: &str, line: usize) -> Located {
        Located { line, cmd: parse_line(text).unwrap().unwrap() }
    }

    #[test]
    fn failed_commands_and_exports_are_left_out_and_lines_renumbered() {
        let mut log = Log::default();
        log.started(&cmd("open tcp", 0), 0, None);
        log.started(&cmd("use 9", 0), 1, Some(1));
        log.failed_last();
        log.started(&cmd("export python x.py", 0), 2, Some(1));
        log.started(&cmd("recv", 7), 3, Some(1));
        let lines: Vec<usize> = log.script().iter().map(|l| l.line).collect();
        assert_eq!(lines, [1, 2]);
        assert_eq!(log.script()[1].cmd, parse_line("recv").unwrap().unwrap());
    }

    #[test]
    fn one_command_is_said_in_the_singular() {
        let mut log = Log::default();
        log.started(&cmd("open tcp", 0), 0, None);
        let path = std::env::temp_dir().join(format!("sockscope-log-{}.py", std::process::id()));
        let record = Record::default();
        let said = log.export(&path, false, &record).expect("written");
        let _ = std::fs::remove_file(&path);
        assert!(said.starts_with("wrote 1 command as a Python 3 script"), "{said}");
    }

    /// Runs `lines` on real sockets, as typed at the prompt (no expects);
    /// returns the script the learner's export goes by.
    fn observed(lines: &[&str]) -> Vec<String> {
        observed_in(lines).0
    }

    /// The same, with the session it ran in.
    fn observed_in(lines: &[&str]) -> (Vec<String>, Session) {
        let mut s = Session::start().expect("session");
        let mut exec = Executor::new();
        for l in lines {
            exec.push(cmd(l, 0));
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Ok(Tick::Busy(until)) = exec.tick(&mut s) {
            assert!(Instant::now() < deadline, "bounded");
            s.wait_event(until);
        }
        let got = exec.log().observed(s.record()).iter().map(|l| l.cmd.to_string()).collect();
        (got, s)
    }

    #[test]
    fn what_each_call_did_is_written_in_where_it_was_seen() {
        let got = observed(&["open tcp", "recv", "peer send \"late\"", "nonblocking", "recv"]);
        let want = [
            "open tcp",
            "expect connected",
            "recv 1024",
            "expect blocking",
            "peer send \"late\"",
            "expect recv data 4",
            "nonblocking",
            "recv 1024",
            "expect recv wouldblock",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_call_released_while_another_socket_is_current_is_checked_on_its_own() {
        let got = observed(&[
            "open tcp",
            "recv 1024",
            "open tcp",
            "use 1",
            "peer send \"x\" after 300ms",
            "use 2",
            "wait 600ms",
        ]);
        let want = [
            "open tcp",
            "expect connected",
            "recv 1024",
            "expect blocking",
            "open tcp",
            "expect connected",
            "use 1",
            "peer send \"x\" after 300ms",
            "use 2",
            "wait 600ms",
            "use 1",
            "expect recv data 1",
            "use 2",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn two_recvs_in_the_kernel_at_once_are_not_told_apart_by_a_guess() {
        // A check after the send names the latest recv: it is written only
        // if that one took the bytes; the first stays said to block.
        let (got, s) = observed_in(&["open tcp", "recv", "recv 10", "peer send \"x\""]);
        let want =
            ["open tcp", "expect connected", "recv 1024", "expect blocking", "recv 10", "expect blocking"];
        assert_eq!(got[..6], want);
        assert_eq!(got[6], "peer send \"x\"");
        let recvs: Vec<&Call> =
            s.record().timeline().calls().iter().filter(|c| c.op == crate::record::Op::Recv).collect();
        let second_took_it = recvs.get(1).is_some_and(|c| c.outcome == Outcome::Data);
        let checks: Vec<&String> = got[7..].iter().collect();
        match second_took_it {
            true => assert_eq!(checks, ["expect recv data 1"]),
            false => assert!(checks.is_empty(), "{got:?}"),
        }
    }

    #[test]
    fn a_call_still_blocking_at_the_end_is_said_to_block() {
        let got = observed(&["open tcp", "recv"]);
        assert_eq!(got, ["open tcp", "expect connected", "recv 1024", "expect blocking"]);
    }
}
