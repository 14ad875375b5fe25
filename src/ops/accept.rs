//! `accept`: one accept4 on a listener. The new socket is the worker's to
//! number and start; it is blocking whatever the listener's mode, but it
//! inherits the listener's SO_RCVTIMEO and SO_SNDTIMEO (SOCKET-FACTS 17).

use std::time::Duration;

use super::io::{
    How, Waiting, blocked, evidence, fd, how, plain, polled, result, timer_note, timer_timeout, took, waited,
    would_block,
};
use super::text::set;
use super::{Context, Describe, Done, Io, errors};
use crate::record::{Call, Outcome, TimeoutBy};

pub struct Accept;

pub fn run(io: Io) -> Done {
    let (sock, mode) = (io.sock, io.mode);
    let mut got = None;
    let r = super::with_mode(sock, mode, super::Dir::In, || {
        sock.accept().map(|(s, _)| {
            got = Some(s);
            0
        })
    });
    match (r, got) {
        (Err(done), _) => done,
        (Ok(Err(e)), _) => super::failed(&e, mode, super::Dir::In),
        // The worker numbers it and fills in `Accepted(#K)`.
        (Ok(Ok(_)), Some(s)) => Done { accepted: Some(s), ..Done::of(Outcome::Accepted(0)) },
        (Ok(Ok(_)), None) => Done::errno(libc::EIO),
    }
}

/// `conn2, addr = listener.accept()` in the learner's script.
pub fn learner(site: &super::site::Site) -> Vec<String> {
    let (l, new) = (&site.sock, site.new_sock.as_deref().unwrap_or("conn"));
    let stmt = format!("{new}, addr = {l}.accept()");
    let ok = format!("{new} from {{addr}}");
    site.attempt(&[stmt], &format!("{l}.accept"), Some(&ok), &[], "EAGAIN: no connection is waiting")
}

pub fn export() -> String {
    "accept()".into()
}

impl Describe for Accept {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        let fd = fd(cx);
        let new = match (c.outcome, cx.new_fd) {
            (_, Some(n)) => n.to_string(),
            (Outcome::Accepted(k), None) => format!("<fd of #{k}>"),
            _ => "<new fd>".into(),
        };
        polled(c, &fd, true, format!("accept4({fd}, …, SOCK_CLOEXEC){}", super::io::ret(c, &new)))
    }

    fn python(&self, c: &Call, _cx: &Context) -> Vec<String> {
        let ok = match c.outcome {
            Outcome::Accepted(k) => format!("(conn, addr), conn is socket #{k}"),
            _ => "(conn, addr)".into(),
        };
        let mut out = vec!["conn, addr = sock.accept()".into(), result(c, &ok)];
        match c.outcome {
            Outcome::Accepted(_) => {
                out.push("# conn.getblocking() is True: the new socket is blocking".into());
                if let Some(t) = inherited(c) {
                    out.push(format!(
                        "# but conn has the listener's {t}: conn.getsockopt(socket.SOL_SOCKET, \
                         socket.SO_RCVTIMEO, 16) reads it back"
                    ));
                }
            }
            Outcome::Timeout(TimeoutBy::RcvTimeo) => out.push(timer_note(c, "accept", true)),
            _ => {}
        }
        out
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        match c.outcome {
            Outcome::Blocking => {
                let w = Waiting {
                    verb: "accept",
                    syscall: "accept4()",
                    until: "a client connects",
                    ready: "readable",
                    input: true,
                };
                blocked(c, &w)
            }
            Outcome::Accepted(k) => accepted(c, k),
            Outcome::WouldBlock => {
                would_block(c, "no connection was waiting in the listener's accept queue", true)
            }
            Outcome::Timeout(TimeoutBy::Poll) => {
                super::io::poll_timeout(c, "accept", "for a client", "Nobody connected", true)
            }
            Outcome::Timeout(_) => timer_timeout(c, "accept slept with no client", true),
            Outcome::Error => errors::why(c, cx),
            Outcome::Data
            | Outcome::Eof
            | Outcome::Sent
            | Outcome::Partial
            | Outcome::InProgress
            | Outcome::Connected
            | Outcome::Ready
            | Outcome::Ok => plain(c),
        }
    }
}

/// The timers the listener held, which the accepted socket inherits.
fn inherited(c: &Call) -> Option<String> {
    let k = evidence(c)?.kernel;
    let mut parts = Vec::new();
    for (name, us) in [("SO_RCVTIMEO", k.rcvtimeo_us), ("SO_SNDTIMEO", k.sndtimeo_us)] {
        if us != 0 {
            parts.push(format!("{name} {}", set(Duration::from_micros(us))));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" and "))
}

fn accepted(c: &Call, k: u32) -> String {
    let got = match how(c) {
        How::Timed(_) if waited(c) => {
            format!("poll() reported the listener readable after {}; accept4() then made a new fd", took(c))
        }
        How::Blocking if waited(c) => format!("accept4() slept for {} until a client connected", took(c)),
        _ => "A connection was waiting in the accept queue, so accept4() made a new fd at once".into(),
    };
    let timers = match inherited(c) {
        Some(t) => format!(
            " It does inherit the listener's {t}: Linux copies both timers to an accepted socket, so its \
             blocking calls stop when they run out."
        ),
        None => String::new(),
    };
    format!(
        "{got}: socket #{k}. #{k} starts blocking whatever this listener's mode: Linux does not pass O_NONBLOCK \
         on to an accepted socket.{timers}"
    )
}
