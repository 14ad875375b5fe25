//! What to try next, for a newcomer looking at a call. The explanation of
//! the call itself comes from `ops`, so there is one source for what the
//! screen, the headless runner and the docs say.

use crate::record::{Call, Op, Outcome};

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
    match (c.op, c.outcome) {
        (Op::Accept, Outcome::Blocking) => &[
            ("peer n", "a peer client connects: accept returns"),
            ("toggle-blocking", "switch mode: still blocked"),
        ],
        (Op::Accept, Outcome::WouldBlock | Outcome::Timeout(_)) => {
            &[("peer n", "a peer client connects"), ("accept", "accept again")]
        }
        (Op::Accept, Outcome::Accepted(_)) => {
            &[("next-socket", "go to the new socket"), ("accept", "accept again")]
        }
        (Op::Send, Outcome::Blocking) => &[
            ("peer r", "peer reads again: send finishes"),
            ("toggle-blocking", "switch mode: still blocked"),
        ],
        (Op::Send, Outcome::WouldBlock | Outcome::Partial) => {
            &[("peer r", "peer reads again: room for more"), ("send", "send again")]
        }
        (Op::Spin, _) => &[("recv", "recv once"), ("toggle-blocking", "toggle non-blocking")],
        (Op::Listen, _) => &[("peer n", "a peer client connects"), ("accept", "accept it")],
        (_, Outcome::Blocking) => &[
            ("peer s", "peer sends: recv returns it"),
            ("toggle-blocking", "switch mode: still blocked"),
            ("peer c", "peer closes: recv gets EOF"),
        ],
        (_, Outcome::WouldBlock) => &[
            ("peer s", "peer sends; recv gets it now"),
            ("toggle-blocking", "blocking again: recv waits"),
            ("timeout", "timeout: waits, not forever"),
        ],
        (_, Outcome::Data) => {
            &[("recv", "recv again: queue is empty"), ("toggle-blocking", "toggle non-blocking")]
        }
        (_, Outcome::Timeout(_)) => {
            &[("peer s", "peer sends; recv gets it"), ("zero-timeout", "timeout 0 = non-blocking")]
        }
        (_, Outcome::Eof) => &[("recv", "recv again: EOF repeats"), ("send", "send: 1st after FIN succeeds")],
        _ => &[("recv", "recv"), ("toggle-blocking", "toggle non-blocking"), ("timeout", "set a timeout")],
    }
}
