//! A scenario cut into the steps a demo runs, one key press each.
//!
//! - A `say` leads the step after it: its narration is on screen while that
//!   step's commands run, and stays while their results come in. The step
//!   runs up to the next `say`.
//! - A run of `say` lines right after a step's last line, with a blank line
//!   (or the end of the file) after it, comments on that step instead: it
//!   shows once the step's results are in.
//! - A command with no `say` before it in its step is a step of its own,
//!   with the `wait` and `expect` lines after it: they check what it did.
//! - In predict mode a step also ends after each call the class predicts
//!   (with its `wait`s and `expect`s), so there is one question per step.

use crate::command::{Command, Located, PeerCmd, SockCall};

/// One step: its lines in file order (the `say`s too, so a recording holds
/// the narration), and what to show around it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Step {
    pub lines: Vec<Located>,
    /// The narration that leads it.
    pub lead: Vec<String>,
    /// The narration that comments on its results.
    pub trail: Vec<String>,
    /// Predict mode: the index in `lines` of the call the class predicts.
    pub ask: Option<usize>,
}

impl Step {
    fn has_commands(&self) -> bool {
        self.lines.iter().any(|l| !is_say(&l.cmd))
    }

    /// The lines that do something (no `say`, no `expect`), for "next ▸":
    /// an `expect` would tell the class the answer.
    pub fn shown(&self) -> impl Iterator<Item = &Located> {
        self.lines.iter().filter(|l| !is_say(&l.cmd) && !matches!(l.cmd, Command::Expect(_)))
    }

    /// Predict mode: the lines to run before the question (the set-up the
    /// class sees), and those the answer runs. A peer send scheduled for
    /// later goes with the answer: it is timed from the call it races.
    pub fn split_at_ask(&self) -> (&[Located], &[Located]) {
        let ask = self.ask.unwrap_or(0);
        let timed = self.lines[..ask].iter().position(|l| is_timed(&l.cmd)).unwrap_or(ask);
        self.lines.split_at(timed)
    }
}

/// Cuts `script` into steps; `predict` cuts after each predicted call too.
pub fn cut(script: &[Located], predict: bool) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut cur = Step::default();
    let mut i = 0;
    while let Some(l) = script.get(i) {
        if is_say(&l.cmd) {
            let end = say_run_end(script, i);
            let last_line = cur.lines.last().map(|x| x.line);
            let follows = cur.has_commands() && last_line == Some(l.line.wrapping_sub(1));
            let gap_after = script.get(end).is_none_or(|n| n.line > script[end - 1].line + 1);
            let texts = script[i..end].iter().filter_map(|l| say_text(&l.cmd));
            if follows && gap_after {
                cur.trail.extend(texts);
                cur.lines.extend_from_slice(&script[i..end]);
                steps.push(std::mem::take(&mut cur));
            } else {
                if cur.has_commands() {
                    steps.push(std::mem::take(&mut cur));
                }
                cur.lead.extend(texts);
                cur.lines.extend_from_slice(&script[i..end]);
            }
            i = end;
            continue;
        }
        let check = matches!(l.cmd, Command::Expect(_) | Command::Wait(_));
        if !check {
            // Before any `say`, each command is a step; in predict mode a
            // command after the predicted call starts the next one.
            let own = cur.lead.is_empty() && cur.has_commands();
            if own || (predict && cur.ask.is_some()) {
                steps.push(std::mem::take(&mut cur));
            }
            if predict && cur.ask.is_none() && predicted(&l.cmd).is_some() {
                cur.ask = Some(cur.lines.len());
            }
        }
        cur.lines.push(l.clone());
        i += 1;
    }
    if !cur.lines.is_empty() {
        steps.push(cur);
    }
    steps
}

/// The end of the run of `say` lines starting at `i`: says on consecutive
/// lines of the file.
fn say_run_end(script: &[Located], i: usize) -> usize {
    let mut end = i + 1;
    while script.get(end).is_some_and(|n| is_say(&n.cmd) && n.line == script[end - 1].line + 1) {
        end += 1;
    }
    end
}

/// The verb of a call whose outcome the class can predict: a data call,
/// connect or accept, which reach the kernel and can come out several ways.
pub fn predicted(c: &Command) -> Option<&'static str> {
    match c {
        Command::Call(call) => match call {
            SockCall::Recv { .. } => Some("recv"),
            SockCall::Peek { .. } => Some("peek"),
            SockCall::Send(_) => Some("send"),
            SockCall::Accept => Some("accept"),
            SockCall::Connect(_) => Some("connect"),
            SockCall::Shutdown(_) | SockCall::Close => None,
        },
        _ => None,
    }
}

/// `peer send … after DUR`: its timer starts when it runs.
fn is_timed(c: &Command) -> bool {
    matches!(c, Command::Peer(PeerCmd::Send { after: Some(_), .. }))
}

pub fn is_say(c: &Command) -> bool {
    matches!(c, Command::Say(_))
}

fn say_text(c: &Command) -> Option<String> {
    match c {
        Command::Say(t) => Some(t.clone()),
        _ => None,
    }
}

/// The scenario's title: its first comment line before any command,
/// continued by the comment lines after it until a sentence ends.
pub fn title(source: &[String]) -> Option<String> {
    let mut lines = source.iter().map(|l| l.trim()).skip_while(|l| l.is_empty());
    let first = lines.next()?.strip_prefix('#')?.trim();
    let mut title = first.to_string();
    for next in lines.map_while(|l| l.strip_prefix('#')) {
        if title.ends_with(['.', ':', '!', '?']) {
            break;
        }
        title.push(' ');
        title.push_str(next.trim());
    }
    (!title.is_empty()).then_some(title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse_script;

    fn cut_text(text: &str, predict: bool) -> Vec<Step> {
        cut(&parse_script(text).unwrap(), predict)
    }

    fn lines(s: &Step) -> Vec<usize> {
        s.lines.iter().map(|l| l.line).collect()
    }

    const SCRIPT: &str = "open tcp\nnonblocking\nrecv\nexpect wouldblock\nsay after\n\nsay lead one\nsay lead two\npeer send \"x\"\nrecv\nexpect data\nwait 10ms\nrecv\nexpect wouldblock\nsay last\n";

    #[test]
    fn says_lead_or_trail_and_expects_fold_in() {
        let steps = cut_text(SCRIPT, false);
        let got: Vec<Vec<usize>> = steps.iter().map(lines).collect();
        assert_eq!(got, [vec![1], vec![2], vec![3, 4, 5], vec![7, 8, 9, 10, 11, 12, 13, 14, 15]]);
        assert_eq!(steps[2].trail, ["after"], "a say right after a step, then a blank line, comments on it");
        assert!(steps[2].lead.is_empty());
        assert_eq!(steps[3].lead, ["lead one", "lead two"]);
        assert_eq!(steps[3].trail, ["last"], "the end of the file counts as a blank line");
        assert!(steps.iter().all(|s| s.ask.is_none()), "no questions outside predict mode");
    }

    #[test]
    fn predict_mode_cuts_after_each_predicted_call() {
        let steps = cut_text(SCRIPT, true);
        let got: Vec<Vec<usize>> = steps.iter().map(lines).collect();
        assert_eq!(got, [vec![1], vec![2], vec![3, 4, 5], vec![7, 8, 9, 10, 11, 12], vec![13, 14, 15]]);
        let asks: Vec<Option<usize>> = steps.iter().map(|s| s.ask).collect();
        assert_eq!(asks, [None, None, Some(0), Some(3), Some(0)], "the set-up goes before the question");
        assert_eq!(steps[3].split_at_ask().0.len(), 3, "two says and the peer's send");
        let shown: Vec<usize> = steps[3].shown().map(|l| l.line).collect();
        assert_eq!(shown, [9, 10, 12], "no says and no expects: they would give the answer away");
    }

    #[test]
    fn a_timed_peer_send_runs_with_the_answer() {
        let steps = cut_text("open tcp\nsay s\ntimeout 1\npeer send \"x\" after 100ms\nrecv\n", true);
        let (before, with) = steps[1].split_at_ask();
        assert_eq!(before.iter().map(|l| l.line).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(with.iter().map(|l| l.line).collect::<Vec<_>>(), [4, 5]);
    }

    #[test]
    fn a_say_followed_by_its_command_leads_it() {
        let steps = cut_text("open tcp\npeer send \"x\"\nsay peek now\npeek\nexpect data\n", false);
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[2].lead, ["peek now"]);
        assert!(steps[1].trail.is_empty());
    }

    #[test]
    fn every_shipped_scenario_cuts_into_steps_that_keep_every_line() {
        for entry in std::fs::read_dir("assets/scenarios").unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let script = parse_script(&text).unwrap();
            for predict in [false, true] {
                let steps = cut(&script, predict);
                let all: Vec<Located> = steps.iter().flat_map(|s| s.lines.clone()).collect();
                assert_eq!(all, script, "{}", path.display());
                assert!(steps.iter().all(|s| !s.lines.is_empty()));
            }
        }
    }

    #[test]
    fn the_title_is_the_first_comment_sentence() {
        let src = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(title(&src("# One.\n# Two.\nopen tcp")).as_deref(), Some("One."));
        assert_eq!(
            title(&src("\n# The trap: once per\n# arrival.\n# More.\n")).as_deref(),
            Some("The trap: once per arrival.")
        );
        assert_eq!(title(&src("open tcp\n# late\n")), None);
        assert_eq!(title(&src("#\nopen tcp\n")), None);
    }
}
