//! What to try next, for a newcomer looking at a call. The explanation of
//! the call itself comes from the engine (`lab::explain`), so there is one
//! source for what the screen, the headless runner and the docs say.

use crate::lab::{Call, Outcome};

/// What to try next, for a newcomer looking at this call: (keys, effect).
/// Facts as in SOCKET-FACTS.md (e.g. the first send after a FIN succeeds).
pub fn tips(c: Option<&Call>) -> &'static [(&'static str, &'static str)] {
    let Some(c) = c else {
        return &[("r", "recv"), ("n", "open a socket")];
    };
    match c.outcome {
        Outcome::Blocking => &[
            ("p s", "peer sends: recv returns it"),
            ("b", "switch mode: still blocked"),
            ("p c", "peer closes: recv gets EOF"),
        ],
        Outcome::WouldBlock => &[
            ("p s", "peer sends; r gets it at once"),
            ("b", "blocking again: r waits"),
            ("t", "timeout: r waits, not forever"),
        ],
        Outcome::Data => &[("r", "recv again: queue is empty"), ("b", "toggle non-blocking")],
        Outcome::Timeout(_) => &[("p s", "peer sends; r gets it"), ("0", "timeout 0 = non-blocking")],
        Outcome::Eof => &[("r", "recv again: EOF repeats"), ("s", "send: 1st after FIN succeeds")],
        _ => &[("r", "recv"), ("b", "toggle non-blocking"), ("t", "set a timeout")],
    }
}
