//! The kernel inspector: everything the kernel will say about one socket,
//! read now. Reading costs a handful of syscalls, so front ends call it
//! after events, never from a render function.

use serde::{Deserialize, Serialize};

use super::Lab;
use super::sys;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub fd: i32,
    pub nonblock: bool,
    pub rcvtimeo_us: u64,
    pub sndtimeo_us: u64,
    pub rcvbuf: u32,
    pub sndbuf: u32,
    /// FIONREAD / TIOCOUTQ.
    pub queued_in: u32,
    pub queued_out: u32,
    /// From TCP_INFO; `None` for UDP.
    pub tcp_state: Option<String>,
    /// revents of a zero-timeout poll for POLLIN|POLLOUT|POLLRDHUP.
    pub revents: i16,
}

impl Inspection {
    pub fn readiness(&self) -> String {
        sys::poll_flags_text(self.revents)
    }
}

impl Lab {
    /// Inspects socket `id` (not in a replay, not once closing).
    pub fn inspect(&self, id: u32) -> Option<Inspection> {
        let h = self.socket(id).filter(|h| h.is_open() && !self.is_replay())?;
        let fd = h.info.fd;
        let k = self.kernel_view(id)?;
        let (rcvbuf, sndbuf) = sys::buffer_sizes(fd).ok()?;
        let (queued_in, queued_out) = self.queues(id).unwrap_or((0, 0));
        Some(Inspection {
            fd,
            nonblock: k.nonblock,
            rcvtimeo_us: k.rcvtimeo_us,
            sndtimeo_us: k.sndtimeo_us,
            rcvbuf,
            sndbuf,
            queued_in,
            queued_out,
            tcp_state: sys::tcp_state(fd).map(str::to_string),
            revents: sys::readiness_now(fd).unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::command::{Located, parse_line};
    use crate::lab::Lab;
    use crate::lab::exec::Executor;
    use std::time::{Duration, Instant};

    fn run(lab: &mut Lab, lines: &[&str]) {
        let mut exec = Executor::new();
        for (i, l) in lines.iter().enumerate() {
            let cmd = parse_line(l).expect("parses").expect("a command");
            exec.push(Located { line: i + 1, cmd });
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Ok(crate::lab::exec::Tick::Busy(until)) = exec.tick(lab) {
            assert!(Instant::now() < deadline, "bounded");
            lab.wait_event(until);
        }
    }

    #[test]
    fn inspects_a_connected_socket_with_data_queued() {
        let mut lab = Lab::new().expect("lab");
        run(&mut lab, &["open tcp", "peer send \"hello\"", "nonblocking", "wait 50ms"]);
        let i = lab.inspect(1).expect("socket #1 is open");
        assert!(i.nonblock);
        assert_eq!(i.queued_in, 5);
        assert_eq!(i.tcp_state.as_deref(), Some("ESTABLISHED"));
        assert!(i.readiness().contains("POLLIN") && i.readiness().contains("POLLOUT"), "{}", i.readiness());
        assert!(i.rcvbuf > 0 && i.sndbuf > 0);
        run(&mut lab, &["peer close", "wait 50ms"]);
        let i = lab.inspect(1).expect("still open on our side");
        assert_eq!(i.tcp_state.as_deref(), Some("CLOSE_WAIT"));
        assert!(i.readiness().contains("POLLRDHUP"), "{}", i.readiness());
    }
}
