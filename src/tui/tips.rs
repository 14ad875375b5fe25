//! What to try next, for a newcomer looking at a call. The explanation of
//! the call itself comes from the engine (`lab::explain`), so there is one
//! source for what the screen, the headless runner and the docs say.

use crate::record::{Call, Outcome};

use super::keymap::Keymap;

/// What to try next, for a newcomer looking at this call: (keys, effect),
/// with the keys named as they are bound now.
/// Facts as in SOCKET-FACTS.md (e.g. the first send after a FIN succeeds).
pub fn tips(c: Option<&Call>, keys: &Keymap) -> Vec<(String, &'static str)> {
    let key = |action: &str| match action.strip_prefix("peer ") {
        Some(then) => format!("{} {then}", keys.key_of("peer")),
        None => keys.key_of(action),
    };
    tips_by_action(c).iter().map(|&(a, what)| (key(a), what)).collect()
}

/// The same, naming actions (`peer s` is the peer prefix, then `s`).
fn tips_by_action(c: Option<&Call>) -> &'static [(&'static str, &'static str)] {
    let Some(c) = c else {
        return &[("recv", "recv"), ("new-tcp", "open a socket")];
    };
    match c.outcome {
        Outcome::Blocking => &[
            ("peer s", "peer sends: recv returns it"),
            ("toggle-blocking", "switch mode: still blocked"),
            ("peer c", "peer closes: recv gets EOF"),
        ],
        Outcome::WouldBlock => &[
            ("peer s", "peer sends; recv gets it now"),
            ("toggle-blocking", "blocking again: recv waits"),
            ("timeout", "timeout: waits, not forever"),
        ],
        Outcome::Data => {
            &[("recv", "recv again: queue is empty"), ("toggle-blocking", "toggle non-blocking")]
        }
        Outcome::Timeout(_) => {
            &[("peer s", "peer sends; recv gets it"), ("zero-timeout", "timeout 0 = non-blocking")]
        }
        Outcome::Eof => &[("recv", "recv again: EOF repeats"), ("send", "send: 1st after FIN succeeds")],
        _ => &[("recv", "recv"), ("toggle-blocking", "toggle non-blocking"), ("timeout", "set a timeout")],
    }
}
