//! The commands of this session, in the order the executor was given them,
//! so `:export python PATH` can write the experiment out as a script.
//!
//! Each command is handed to the executor tagged with its place in this
//! log (as its line), so a failure names the command that failed: one that
//! could not run (no socket #9) is left out of the export; a failed
//! `expect` stays in, since it is part of the experiment.

use std::path::{Path, PathBuf};

use crate::command::Located;
use crate::export::python_script;

/// How an exported session names itself in the script.
const NAME: &str = "sockscope session";

#[derive(Debug, Default, Clone)]
pub struct CommandLog {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    cmd: Located,
    failed: bool,
}

impl CommandLog {
    /// Logs a command; returns it tagged for the executor.
    pub fn log(&mut self, cmd: Located) -> Located {
        let tag = Located { line: self.entries.len() + 1, cmd: cmd.cmd.clone() };
        self.entries.push(Entry { cmd, failed: false });
        tag
    }

    /// The script line (0 for the prompt) of the command with this tag.
    pub fn source_line(&self, tag: usize) -> Option<usize> {
        self.entry(tag).map(|e| e.cmd.line)
    }

    /// The command with this tag could not be carried out.
    pub fn failed(&mut self, tag: usize) {
        if let Some(e) = tag.checked_sub(1).and_then(|i| self.entries.get_mut(i)) {
            e.failed = true;
        }
    }

    fn entry(&self, tag: usize) -> Option<&Entry> {
        tag.checked_sub(1).and_then(|i| self.entries.get(i))
    }

    /// The commands that ran, numbered 1, 2, 3 … as the lines of a script.
    pub fn script(&self) -> Vec<Located> {
        let ran = self.entries.iter().filter(|e| !e.failed);
        ran.enumerate().map(|(i, e)| Located { line: i + 1, cmd: e.cmd.cmd.clone() }).collect()
    }

    /// Writes the session as a Python 3 script; says what it did.
    pub fn export(&self, path: &Path) -> Result<String, String> {
        let script = self.script();
        if script.is_empty() {
            return Err("export: no commands have run in this session yet".into());
        }
        std::fs::write(path, python_script(NAME, &script))
            .map_err(|e| format!("export: cannot write {}: {e}", path.display()))?;
        Ok(format!("wrote {} commands as a Python 3 script to {}", script.len(), path.display()))
    }
}

/// `export python PATH` (the TUI's own command): `None` if the line is not
/// an export at all, else the path or what is wrong with the line.
pub fn parse_export(line: &str) -> Option<Result<PathBuf, String>> {
    let rest = line.trim_start().strip_prefix("export")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    const USAGE: &str = "usage: export python PATH";
    let Some(path) = rest.trim_start().strip_prefix("python") else {
        return Some(Err(format!("{USAGE} (python is the only language)")));
    };
    let path = path.trim();
    let path = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')).unwrap_or(path);
    if path.is_empty() {
        return Some(Err(format!("{USAGE}: where should the script go?")));
    }
    Some(Ok(PathBuf::from(path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse_line;

    fn cmd(text: &str, line: usize) -> Located {
        Located { line, cmd: parse_line(text).unwrap().unwrap() }
    }

    #[test]
    fn the_export_line_is_ours() {
        assert_eq!(parse_export("export python /tmp/x.py"), Some(Ok("/tmp/x.py".into())));
        assert_eq!(parse_export("  export python \"a b.py\" "), Some(Ok("a b.py".into())));
        assert!(matches!(parse_export("export python"), Some(Err(e)) if e.contains("usage")));
        assert!(matches!(parse_export("export rust x"), Some(Err(_))));
        assert_eq!(parse_export("exports"), None);
        assert_eq!(parse_export("recv"), None);
    }

    #[test]
    fn failed_commands_are_left_out_and_lines_renumbered() {
        let mut s = CommandLog::default();
        let a = s.log(cmd("open tcp", 0));
        let b = s.log(cmd("use 9", 0));
        let c = s.log(cmd("recv", 7));
        assert_eq!((a.line, b.line, c.line), (1, 2, 3));
        assert_eq!(s.source_line(3), Some(7));
        s.failed(b.line);
        let lines: Vec<usize> = s.script().iter().map(|l| l.line).collect();
        assert_eq!(lines, [1, 2]);
        assert_eq!(s.script()[1].cmd, parse_line("recv").unwrap().unwrap());
    }
}
