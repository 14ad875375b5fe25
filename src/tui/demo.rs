//! `sockscope demo FILE`: a parsed scenario and where we are in it.
//!
//! A step runs the next real command, then the `expect` and `say` lines
//! that follow it, up to the next real command. An `expect` checks what was
//! just done, so it never waits for a key press of its own; the `say` lines
//! narrate what the *next* step will show, so they are on screen before the
//! user presses Space.

use crate::command::{Command, Located};

#[derive(Debug, Clone)]
pub struct Demo {
    /// The file name, for the pane title and `file:line` messages.
    pub name: String,
    /// The source lines, to show the next command exactly as written.
    source: Vec<String>,
    script: Vec<Located>,
    /// Index into `script` of the next command to run.
    next: usize,
    /// The narration currently shown.
    pub said: Vec<String>,
    /// How many steps have run.
    pub steps: usize,
}

impl Demo {
    /// A demo over an already parsed script; the leading `say`s are shown at once.
    pub fn new(name: &str, text: &str, script: Vec<Located>) -> (Demo, Vec<Located>) {
        let mut d = Demo {
            name: name.to_string(),
            source: text.lines().map(str::to_string).collect(),
            script,
            next: 0,
            said: Vec::new(),
            steps: 0,
        };
        let intro = d.take_narration();
        d.show(&intro);
        (d, intro)
    }

    pub fn finished(&self) -> bool {
        self.next >= self.script.len()
    }

    /// How many steps there are in all (real commands, not counting expects).
    pub fn total_steps(&self) -> usize {
        self.script.iter().filter(|l| !is_narration(&l.cmd) && !is_check(&l.cmd)).count()
    }

    /// The next command as written in the file, with its line number.
    pub fn next_line(&self) -> Option<(usize, &str)> {
        let l = self.script.get(self.next)?;
        Some((l.line, self.source_line(l.line)))
    }

    /// Line `n` (1-based) of the file, trimmed.
    pub fn source_line(&self, n: usize) -> &str {
        self.source.get(n.wrapping_sub(1)).map_or("", |s| s.trim())
    }

    /// The commands of the next step, to hand to the executor.
    pub fn step(&mut self) -> Vec<Located> {
        let mut out = Vec::new();
        if let Some(cmd) = self.script.get(self.next).cloned() {
            self.next += 1;
            self.steps += 1;
            out.push(cmd);
        }
        let mut narration = Vec::new();
        while let Some(l) = self.script.get(self.next).filter(|l| is_check(&l.cmd) || is_narration(&l.cmd)) {
            if is_narration(&l.cmd) {
                narration.push(l.clone());
            }
            out.push(l.clone());
            self.next += 1;
        }
        self.show(&narration);
        out
    }

    /// New narration replaces the old; a step with none leaves it showing.
    fn show(&mut self, says: &[Located]) {
        if says.is_empty() {
            return;
        }
        self.said = says
            .iter()
            .filter_map(|l| match &l.cmd {
                Command::Say(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
    }

    /// The run of `say` lines at the cursor.
    fn take_narration(&mut self) -> Vec<Located> {
        let mut out = Vec::new();
        while let Some(l) = self.script.get(self.next).filter(|l| is_narration(&l.cmd)) {
            out.push(l.clone());
            self.next += 1;
        }
        out
    }
}

fn is_narration(c: &Command) -> bool {
    matches!(c, Command::Say(_))
}

/// Lines that check the step before rather than do something new.
fn is_check(c: &Command) -> bool {
    matches!(c, Command::Expect(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse_script;

    const SCRIPT: &str =
        "say one\nnonblocking\nrecv\nexpect wouldblock\nsay two\nexpect wouldblock\nsay three\nclose\n";

    #[test]
    fn steps_group_expects_and_show_narration_ahead() {
        let script = parse_script(SCRIPT).unwrap();
        let (mut d, intro) = Demo::new("x", SCRIPT, script);
        assert_eq!(intro.len(), 1);
        assert_eq!(d.said, ["one"]);
        assert_eq!(d.next_line(), Some((2, "nonblocking")));
        assert_eq!(d.step().len(), 1);
        assert_eq!(d.said, ["one"], "narration stays until new narration comes");
        assert_eq!(d.step().len(), 5, "recv, then expects and says up to the next command");
        assert_eq!(d.said, ["two", "three"]);
        assert_eq!(d.next_line(), Some((8, "close")));
        d.step();
        assert!(d.finished());
        assert_eq!(d.total_steps(), 3);
        assert!(d.step().is_empty());
    }
}
