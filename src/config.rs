//! The optional config file: `$XDG_CONFIG_HOME/sockscope/config.toml`, or
//! the file given with `--config`. Unknown keys and bad values are errors
//! that name the key; sockscope then exits 2. Command-line flags override it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::escape::shorten;

/// Every action a key can be bound to, by the name the config file uses.
pub const ACTIONS: &[&str] = &[
    "recv",
    "peek",
    "send",
    "accept",
    "connect",
    "close",
    "toggle-blocking",
    "timeout",
    "zero-timeout",
    "new-tcp",
    "listen",
    "udp",
    "next-socket",
    "peer",
    "zoom-in",
    "zoom-out",
    "fit",
    "follow",
    "inspector",
    "payload",
    "scroll-call-up",
    "scroll-call-down",
    "help",
    "prompt",
    "transcript",
    "quit",
];

/// The colour theme: the config's `theme`, or `--theme NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Theme {
    /// Colours on a dark or light terminal.
    #[default]
    Default,
    /// Bold, bright colours for projectors.
    HighContrast,
    /// No colour at all; emphasis by reverse and bold only.
    Mono,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Glyphs {
    #[default]
    Unicode,
    Ascii,
}

/// Where the transcript's copy key sends the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CopyTo {
    /// The terminal's clipboard, through an OSC 52 escape sequence.
    #[default]
    Osc52,
    /// A new file in the temp directory (for terminals without OSC 52).
    File,
}

/// The settings, with their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub theme: Theme,
    pub glyphs: Glyphs,
    pub mouse: bool,
    /// How long a call may take before it is shown as blocking, in ms.
    pub settle_ms: u64,
    /// The size the recv key asks for.
    pub recv_size: u64,
    /// Where the transcript's copy key sends lines: `osc52` or `file`.
    pub copy: CopyTo,
    /// Action name -> key, e.g. `recv = "R"` or `quit = "ctrl-q"`.
    pub keys: BTreeMap<String, String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            theme: Theme::Default,
            glyphs: Glyphs::Unicode,
            mouse: true,
            settle_ms: 50,
            recv_size: 1024,
            copy: CopyTo::Osc52,
            keys: BTreeMap::new(),
        }
    }
}

/// A config problem, naming the file, and the key where there is one.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

/// Where the config lives when `--config` is not given.
pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("sockscope").join("config.toml"))
}

impl Config {
    /// Loads `path` (from `--config`: it must exist), or the default file
    /// if there is one, or the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match default_path().filter(|p| p.exists()) {
                Some(p) => p,
                None => return Ok(Config::default()),
            },
        };
        let shown = crate::escape::path(&path);
        let text = crate::textfile::read(&path).map_err(|e| ConfigError {
            path: shown.clone(),
            message: match e.place {
                Some((line, col)) => format!("line {line}, column {col}: {}", e.why),
                None => e.why,
            },
        })?;
        Config::parse(&text).map_err(|message| ConfigError { path: shown, message })
    }

    /// Parses and checks a config file's text. The error quotes the file
    /// only escaped and shortened: it is printed as it is.
    pub fn parse(text: &str) -> Result<Config, String> {
        let cfg: Config = toml::from_str(text).map_err(|e| describe(text, &e))?;
        cfg.check()?;
        Ok(cfg)
    }

    fn check(&self) -> Result<(), String> {
        if !(1..=5000).contains(&self.settle_ms) {
            return Err(format!("settle_ms = {}: must be between 1 and 5000", self.settle_ms));
        }
        if !(1..=crate::command::MAX_SIZE).contains(&self.recv_size) {
            return Err(format!("recv_size = {}: must be between 1 and 64 MiB", self.recv_size));
        }
        for (action, key) in &self.keys {
            if !ACTIONS.contains(&action.as_str()) {
                return Err(format!(
                    "keys.{}: unknown action; the actions are: {}",
                    shorten(action),
                    ACTIONS.join(", ")
                ));
            }
            parse_key(key).map_err(|e| format!("keys.{action} = \"{}\": {e}", shorten(key)))?;
        }
        crate::tui::keymap::check(&self.keys)
    }
}

/// A key as the config writes it: `r`, `R`, `ctrl-r`, `f5`, `tab`, `space`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    pub ctrl: bool,
    pub alt: bool,
    pub key: Key,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    F(u8),
    Tab,
    Enter,
    Esc,
}

pub fn parse_key(s: &str) -> Result<KeySpec, String> {
    let mut spec = KeySpec { ctrl: false, alt: false, key: Key::Esc };
    let mut rest = s;
    loop {
        if let Some(r) = rest.strip_prefix("ctrl-") {
            spec.ctrl = true;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("alt-") {
            spec.alt = true;
            rest = r;
        } else {
            break;
        }
    }
    spec.key = match rest.to_ascii_lowercase().as_str() {
        "tab" => Key::Tab,
        "enter" => Key::Enter,
        "esc" => Key::Esc,
        "space" => Key::Char(' '),
        f if f.len() >= 2
            && f.starts_with('f')
            && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
        {
            Key::F(f[1..].parse().unwrap_or(1))
        }
        _ => {
            let mut cs = rest.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) if !c.is_control() => Key::Char(c),
                _ => {
                    return Err(
                        "expected one character, or ctrl-X, alt-X, f1..f12, tab, enter, esc, space".into()
                    );
                }
            }
        }
    };
    Ok(spec)
}

/// A toml error as `line L: message`, naming the key toml names. toml
/// quotes the input (an unknown key or value) raw, so the message is escaped.
fn describe(text: &str, e: &toml::de::Error) -> String {
    let msg = crate::escape::message(e.message().trim());
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {msg}")
        }
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_every_action() {
        let readme: String = include_str!("../README.md").split_whitespace().collect::<Vec<_>>().join(" ");
        let listed = ACTIONS.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
        assert!(readme.contains(&format!("The actions `[keys]` can rebind: {listed}.")), "{listed}");
    }

    #[test]
    fn the_defaults_need_no_file() {
        assert_eq!(Config::parse("").expect("empty is fine"), Config::default());
    }

    #[test]
    fn a_full_file_parses() {
        let c = Config::parse(
            "theme = \"high-contrast\"\nglyphs = \"ascii\"\nmouse = false\nsettle_ms = 80\nrecv_size = 4096\ncopy = \"file\"\n[keys]\nrecv = \"R\"\nquit = \"ctrl-q\"\nhelp = \"f1\"\n",
        )
        .expect("valid");
        assert_eq!(c.theme, Theme::HighContrast);
        assert_eq!(c.glyphs, Glyphs::Ascii);
        assert!(!c.mouse);
        assert_eq!(c.settle_ms, 80);
        assert_eq!(c.copy, CopyTo::File);
        assert_eq!(parse_key(&c.keys["quit"]), Ok(KeySpec { ctrl: true, alt: false, key: Key::Char('q') }));
    }

    #[test]
    fn bad_files_name_the_key() {
        let cases = [
            ("themes = \"mono\"", "unknown field `themes`"),
            ("theme = \"neon\"", "line 1"),
            ("settle_ms = 0", "settle_ms = 0"),
            ("recv_size = 999999999", "recv_size"),
            ("mouse = \"yes\"", "line 1"),
            ("copy = \"clipboard\"", "unknown variant `clipboard`"),
            ("[keys]\nfly = \"f\"", "keys.fly: unknown action"),
            ("[keys]\nrecv = \"ctrl-\"", "keys.recv"),
            ("[keys]\nrecv = \"rr\"", "keys.recv"),
        ];
        for (text, want) in cases {
            let e = Config::parse(text).expect_err(text);
            assert!(e.contains(want), "{text:?} gave {e:?}, wanted {want:?}");
        }
    }

    #[test]
    fn hostile_names_and_values_are_escaped_and_shortened() {
        let long = "k".repeat(10_000);
        let cases = [
            ("\"\\u001b]0;pwned\\u0007\" = 1".to_string(), "unknown field `\\x1b]0;pwned\\x07`"),
            ("theme = \"\\u001b[2J\\u009bneon\"".to_string(), "unknown variant `\\x1b[2J\\u{9b}neon`"),
            ("theme = \"\u{9d}0;t\u{2028}\"".to_string(), "unknown variant `\\u{9d}0;t\\u{2028}`"),
            ("[keys]\n\"\\u001b[31m\" = \"r\"".to_string(), "keys.\\x1b[31m: unknown action"),
            ("[keys]\nrecv = \"\\u001b[31m\"".to_string(), "keys.recv = \"\\x1b[31m\": expected one"),
            (format!("{long} = 1"), "unknown field `kkkkkkkkkk"),
            (format!("[keys]\n{long} = \"r\""), "…: unknown action"),
        ];
        for (text, want) in cases {
            let e = Config::parse(&text).expect_err(&text);
            assert!(e.contains(want), "{text:?} gave {e:?}, wanted {want:?}");
            assert!(!e.chars().any(crate::escape::is_unsafe), "{e:?}");
            assert!(e.chars().count() < crate::escape::MESSAGE_MAX + 20, "{e:?}");
        }
    }
}
