//! The commands the executor has run, in order, so `export python PATH`
//! can write the experiment out as a script. A command that could not be
//! carried out (no socket #9) is left out of the export; a failed `expect`
//! stays in, since it is part of the experiment.

use std::path::Path;

use crate::command::{Command, Located};
use crate::export::python::python_script;

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
}

impl Log {
    /// Notes a command as it starts.
    pub fn started(&mut self, cmd: &Located) {
        self.entries.push(Entry { cmd: cmd.clone(), failed: false });
    }

    /// The command that started last could not be carried out.
    pub fn failed_last(&mut self) {
        if let Some(e) = self.entries.last_mut() {
            e.failed = true;
        }
    }

    /// The commands that ran, numbered 1, 2, 3 … as the lines of a script
    /// (exports themselves left out).
    pub fn script(&self) -> Vec<Located> {
        let ran = self.entries.iter().filter(|e| !e.failed && !matches!(e.cmd.cmd, Command::Export { .. }));
        ran.enumerate().map(|(i, e)| Located { line: i + 1, cmd: e.cmd.cmd.clone() }).collect()
    }

    /// Writes the session as a Python 3 script; says what it did.
    pub fn export(&self, path: &Path) -> Result<String, String> {
        let script = self.script();
        let shown = crate::escape::path(path);
        if script.is_empty() {
            return Err("export: no commands have run in this session yet".into());
        }
        std::fs::write(path, python_script(NAME, &script))
            .map_err(|e| format!("export: cannot write {shown}: {}", crate::escape::text(&e.to_string())))?;
        let n = script.len();
        let commands = if n == 1 { "1 command".to_string() } else { format!("{n} commands") };
        Ok(format!("wrote {commands} as a Python 3 script to {shown}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse_line;

    fn cmd(text: &str, line: usize) -> Located {
        Located { line, cmd: parse_line(text).unwrap().unwrap() }
    }

    #[test]
    fn failed_commands_and_exports_are_left_out_and_lines_renumbered() {
        let mut log = Log::default();
        log.started(&cmd("open tcp", 0));
        log.started(&cmd("use 9", 0));
        log.failed_last();
        log.started(&cmd("export python x.py", 0));
        log.started(&cmd("recv", 7));
        let lines: Vec<usize> = log.script().iter().map(|l| l.line).collect();
        assert_eq!(lines, [1, 2]);
        assert_eq!(log.script()[1].cmd, parse_line("recv").unwrap().unwrap());
    }

    #[test]
    fn one_command_is_said_in_the_singular() {
        let mut log = Log::default();
        log.started(&cmd("open tcp", 0));
        let path = std::env::temp_dir().join(format!("sockscope-log-{}.py", std::process::id()));
        let said = log.export(&path).expect("written");
        let _ = std::fs::remove_file(&path);
        assert!(said.starts_with("wrote 1 command as"), "{said}");
    }
}
