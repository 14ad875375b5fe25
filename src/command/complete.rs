//! What Tab can offer at the prompt: the words the grammar accepts next,
//! after the words already typed. Pure: the caller says which sockets
//! exist (for `use N`, `poll add N`).

use super::ERRNO_NAMES;
use super::grammar::OUTCOMES;
use super::parse::COMMAND_WORDS;

/// The calls `expect` can name before an outcome.
const CALLS: &[&str] = &["recv", "peek", "send", "accept", "connect"];

/// The words that may follow `before` (the whole words typed so far),
/// with `socks` the socket numbers that exist now.
pub fn next_words(before: &[&str], socks: &[u32]) -> Vec<String> {
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let numbers = || socks.iter().map(u32::to_string).collect::<Vec<String>>();
    let lower: Vec<String> = before.iter().map(|w| w.to_lowercase()).collect();
    let before: Vec<&str> = lower.iter().map(String::as_str).collect();
    match before.as_slice() {
        [] => words(COMMAND_WORDS),
        ["open"] => words(&["tcp", "udp", "unix", "unixgram"]),
        ["socket"] => words(&["tcp", "udp", "tcp6", "udp6"]),
        ["listen"] => words(&["unix"]),
        ["use"] => numbers(),
        ["timeout"] => words(&["none"]),
        ["shutdown"] => words(&["rd", "wr", "both"]),
        ["peer"] => words(&["send", "pause", "resume", "close", "reset", "shutdown", "connect"]),
        ["peer", "shutdown"] => words(&["wr"]),
        ["peer", "send", _] => words(&["after"]),
        ["expect"] => {
            let mut w = words(CALLS);
            w.extend(words(OUTCOMES).into_iter().filter(|o| !CALLS.contains(&o.as_str())));
            w
        }
        ["expect", "error"] | ["expect", _, "error"] => words(ERRNO_NAMES),
        ["expect", "slowest"] => words(&["over", "under"]),
        ["expect", call] if CALLS.contains(call) => words(OUTCOMES)
            .into_iter()
            .filter(|o| !matches!(o.as_str(), "events" | "queued" | "slowest"))
            .collect(),
        ["spin"] => words(&["recv"]),
        ["poll"] => words(&["add", "wait", "drain"]),
        ["poll", "add"] => {
            let mut w = numbers();
            w.extend(words(&["read", "write", "both"]));
            w
        }
        ["poll", "add", n] if n.parse::<u32>().is_ok() => words(&["read", "write", "both"]),
        ["poll", "drain"] => words(&["on", "off"]),
        ["serve"] => words(&["blocking", "eventloop"]),
        ["export"] => words(&["python"]),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_follow_the_grammar() {
        assert!(next_words(&[], &[]).contains(&"recv".to_string()));
        assert_eq!(next_words(&["peer"], &[])[..2], ["send".to_string(), "pause".to_string()]);
        assert_eq!(next_words(&["use"], &[1, 3]), ["1", "3"]);
        assert_eq!(next_words(&["poll", "add"], &[2]), ["2", "read", "write", "both"]);
        assert_eq!(next_words(&["poll", "add", "2"], &[2]), ["read", "write", "both"]);
        assert_eq!(next_words(&["SHUTDOWN"], &[]), ["rd", "wr", "both"]);
        assert!(next_words(&["expect", "recv"], &[]).contains(&"eof".to_string()));
        assert!(!next_words(&["expect", "recv"], &[]).contains(&"events".to_string()));
        assert!(next_words(&["expect", "error"], &[]).contains(&"ECONNRESET".to_string()));
        assert!(next_words(&["recv", "1024"], &[]).is_empty());
    }

    /// Every word offered after a command's words makes (a prefix of) a
    /// line the parser accepts: the table cannot drift from the grammar
    /// without this failing.
    #[test]
    fn every_offered_word_parses() {
        let fill = |line: &str| match line {
            l if l.ends_with("after") => format!("{l} 1s"),
            l if l.starts_with("expect slowest ") => format!("{l} 1s"),
            l if l.starts_with("export python") => format!("{l} x.py"),
            l => l.to_string(),
        };
        let prefixes: &[&[&str]] = &[
            &["open"],
            &["socket"],
            &["listen"],
            &["use"],
            &["timeout"],
            &["shutdown"],
            &["peer", "shutdown"],
            &["expect"],
            &["expect", "recv"],
            &["expect", "slowest"],
            &["spin"],
            &["poll", "add", "1"],
            &["poll", "drain"],
            &["serve"],
            &["export"],
        ];
        for before in prefixes {
            for w in next_words(before, &[1]) {
                let line = fill(&format!("{} {w}", before.join(" ")));
                let parsed = super::super::parse_line(&line);
                let fine = match &parsed {
                    Ok(_) => true,
                    // Some words need more after them (`expect error`, `spin recv`).
                    Err(e) => e.col > line.len(),
                };
                assert!(fine, "`{line}`: {parsed:?}");
            }
        }
    }
}
