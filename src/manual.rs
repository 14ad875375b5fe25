//! The man page's own sections, after the ones clap writes from the
//! command line's definitions: the config file and themes, every key (from
//! the key tables, so it cannot drift), the prompt's own words, and the
//! command language (the same text as the README's).

use crate::tui::keys::{self, Binding, Section};

/// Roff text: backslashes escaped, and a line that would start with a
/// control character (`.` or `'`) made plain.
fn roff(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = l.replace('\\', "\\e").replace('-', "\\-");
            if l.starts_with(['.', '\'']) { format!("\\&{l}") } else { l }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One tagged paragraph per key row; a row with no label continues the
/// one before it (`+ -`: zoom out, then in), and its config name joins it.
fn keys_of<'a>(rows: impl Iterator<Item = &'a Binding>, out: &mut String) {
    let mut groups: Vec<(&Binding, Vec<&str>)> = Vec::new();
    for b in rows {
        match groups.last_mut() {
            Some((_, names)) if b.label.is_empty() => names.extend(b.name),
            _ => groups.push((b, b.name.into_iter().collect())),
        }
    }
    for (b, names) in groups {
        let names = if names.is_empty() { String::new() } else { format!(" (config: {})", names.join(", ")) };
        out.push_str(&format!(".TP\n.B {}\n{}{}\n", roff(b.label), roff(b.help), roff(&names)));
    }
}

/// The FILES, THEMES, KEYS and COMMAND LANGUAGE sections, as roff.
pub fn sections() -> String {
    let mut out = String::new();
    out.push_str(".SH FILES\n.TP\n.I $XDG_CONFIG_HOME/sockscope/config.toml\n");
    out.push_str(&roff(
        "(else ~/.config/sockscope/config.toml; or the file given with --config PATH). Optional. Keys: \
         theme, glyphs (unicode or ascii), mouse, settle_ms, recv_size, and a [keys] table that rebinds an \
         action to a key (recv = \"R\", quit = \"ctrl-q\"). Command-line flags override it. Unknown keys and \
         bad values are errors that name the key (exit 2).",
    ));
    out.push_str("\n.TP\n.I $TMPDIR/sockscope-PID-N/\n");
    out.push_str(&roff(
        "each session's private directory (mode 0700) for AF_UNIX socket files, the peer's peer.sock among \
         them; removed when the session ends, whatever ends it, except SIGKILL.",
    ));
    out.push_str("\n.SH THEMES\n");
    out.push_str(&roff(
        "default (colours for a dark or light terminal), high-contrast (bold and bright, for projectors), \
         mono (no colour; emphasis by reverse and bold). Chosen by the config's theme, or --theme NAME. \
         NO_COLOR gives mono whatever is chosen.",
    ));
    out.push_str("\n.SH KEYS\n");
    out.push_str(&roff(
        "Every key stands for a line of the command language (run by the same executor as the prompt and \
         `run`) or for a UI action. A key rebound in the config file onto a key another action holds (unless \
         that one is rebound too), onto Ctrl-C, Ctrl-Z or Esc, or onto a key no terminal sends, is an error \
         at start that names both actions (exit 2), so quit always keeps a key.",
    ));
    out.push('\n');
    let sections = [Section::Socket, Section::Mode, Section::Timeline, Section::General];
    for s in sections {
        out.push_str(&format!(".SS {}\n", s.title()));
        keys_of(keys::MAIN.iter().filter(|b| b.section == s), &mut out);
    }
    out.push_str(".SS after p: the peer\n");
    keys_of(keys::PEER.iter(), &mut out);
    out.push_str(".SS demo\n");
    keys_of(keys::DEMO.iter(), &mut out);
    out.push_str(".SS replay\n");
    keys_of(keys::REPLAY.iter(), &mut out);
    out.push_str(".SS at the : prompt\n");
    out.push_str(&roff(
        "Tab completes command words and their arguments (peer actions, modes, socket numbers, outcomes); \
         Up and Down walk the history. :help opens the key list, :q and :quit quit; every other line is a \
         command.",
    ));
    out.push_str("\n.SH COMMAND LANGUAGE\n");
    out.push_str(&roff(
        "The prompt, scenario files and keys all use this language. One command per line; # starts a \
         comment. Strings are in double quotes with \\n \\t \\r \\\\ \\\" \\xNN escapes. Sizes are 1024, 64k \
         or 1m. Durations are 300ms, 1.5s, 2min, or a bare number of seconds (0.3) as Python's settimeout \
         takes them; only spin's DUR needs its unit. Addresses are host:port or [v6]:port.",
    ));
    out.push_str("\n.PP\n.nf\n");
    out.push_str(&roff(crate::command::SUMMARY));
    out.push_str("\n.fi\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_and_command_is_in_the_page() {
        let page = sections();
        for b in keys::MAIN.iter().chain(keys::PEER).filter(|b| !b.label.is_empty()) {
            assert!(page.contains(&format!(".B {}\n{}", roff(b.label), roff(b.help))), "{}", b.label);
        }
        for w in crate::command::COMMAND_WORDS {
            assert!(page.lines().any(|l| l.starts_with(w) || l.contains(&format!(" {w} "))), "{w}");
        }
        assert!(page.contains("high\\-contrast") && page.contains("config.toml"));
        let requests = [".TP", ".B ", ".I ", ".SS ", ".SH ", ".PP", ".nf", ".fi"];
        for l in page.lines().filter(|l| l.starts_with('.')) {
            assert!(requests.iter().any(|r| l.starts_with(r)), "a line read as a request: {l}");
        }
    }

    #[test]
    fn the_readme_shows_the_same_language() {
        let readme = include_str!("../README.md");
        assert!(
            readme.contains(crate::command::SUMMARY),
            "README's command language differs from summary.txt"
        );
    }
}
