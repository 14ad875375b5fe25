//! Samples of what the kernel holds for an fd, read now: O_NONBLOCK and the
//! timers, the queues, and the inspector's fuller reading. A sample is a
//! reading at one instant, never the record of what the user set; front
//! ends take samples after events, never from a render function.

use std::os::fd::RawFd;

use serde::{Deserialize, Serialize};

use crate::record::KernelView;
use crate::record::evidence::{Evidence, Family, History, TcpState};
use crate::sys::{self, Timer};

/// What the kernel holds for an fd's mode (fcntl(F_GETFL) and getsockopt).
pub fn kernel_view(fd: RawFd) -> std::io::Result<KernelView> {
    Ok(KernelView {
        nonblock: sys::is_nonblocking(fd)?,
        rcvtimeo_us: sys::get_timer(fd, Timer::Recv)?.as_micros() as u64,
        sndtimeo_us: sys::get_timer(fd, Timer::Send)?.as_micros() as u64,
    })
}

/// Bytes queued to receive and to send (FIONREAD, TIOCOUTQ).
pub fn queues(fd: RawFd) -> Option<(u32, u32)> {
    Some((sys::queued_in(fd).ok()?, sys::queued_out(fd).ok()?))
}

/// What a call's explanation rests on, read just before the call: family,
/// type, listening or connected, TCP state, queues and the mode as held.
/// About ten syscalls, none of which changes the socket (SO_ERROR, which
/// reading clears, is left alone).
pub fn evidence(fd: RawFd) -> Option<Evidence> {
    let family = match sys::sol_socket_int(fd, libc::SO_DOMAIN).ok()? {
        libc::AF_INET6 => Family::Inet6,
        libc::AF_UNIX => Family::Unix,
        _ => Family::Inet,
    };
    let stream = sys::sol_socket_int(fd, libc::SO_TYPE).ok()? == libc::SOCK_STREAM;
    let listening = sys::sol_socket_int(fd, libc::SO_ACCEPTCONN).is_ok_and(|v| v != 0);
    let tcp = stream && family != Family::Unix;
    let (rx_queued, tx_queued) = if listening { (0, 0) } else { queues(fd).unwrap_or((0, 0)) };
    Some(Evidence {
        family,
        stream,
        listening,
        tcp_state: if tcp { sys::tcp_state_raw(fd).and_then(TcpState::from_kernel) } else { None },
        connected: sys::has_peer(fd),
        rx_queued,
        tx_queued,
        kernel: kernel_view(fd).ok()?,
        history: History::default(),
    })
}

/// Everything the kernel will say about one socket.
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

/// The inspector's reading of `fd` (a handful of syscalls).
pub fn inspect(fd: RawFd) -> Option<Inspection> {
    let k = kernel_view(fd).ok()?;
    let (rcvbuf, sndbuf) = sys::buffer_sizes(fd).ok()?;
    let (queued_in, queued_out) = queues(fd).unwrap_or((0, 0));
    Some(Inspection {
        fd,
        nonblock: k.nonblock,
        rcvtimeo_us: k.rcvtimeo_us,
        sndtimeo_us: k.sndtimeo_us,
        rcvbuf,
        sndbuf,
        queued_in,
        queued_out,
        tcp_state: sys::tcp_state_raw(fd)
            .map(|n| TcpState::from_kernel(n).map_or("UNKNOWN", |s| s.name()).to_string()),
        revents: sys::readiness_now(fd).unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::command::{Located, parse_line};
    use crate::exec::{Executor, Session, Tick};

    fn run(s: &mut Session, lines: &[&str]) {
        let mut exec = Executor::new();
        for (i, l) in lines.iter().enumerate() {
            let cmd = parse_line(l).expect("parses").expect("a command");
            exec.push(Located { line: i + 1, cmd });
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Ok(Tick::Busy(until)) = exec.tick(s) {
            assert!(Instant::now() < deadline, "bounded");
            s.wait_event(until);
        }
    }

    #[test]
    fn inspects_a_connected_socket_with_data_queued() {
        let mut s = Session::start().expect("session");
        run(&mut s, &["open tcp", "peer send \"hello\"", "nonblocking", "wait 50ms"]);
        let fd = s.engine.fd(1).expect("socket #1 is open");
        let i = super::inspect(fd).expect("inspected");
        assert!(i.nonblock);
        assert_eq!(i.queued_in, 5);
        assert_eq!(i.tcp_state.as_deref(), Some("ESTABLISHED"));
        assert!(i.readiness().contains("POLLIN") && i.readiness().contains("POLLOUT"), "{}", i.readiness());
        assert!(i.rcvbuf > 0 && i.sndbuf > 0);
        run(&mut s, &["peer close", "wait 50ms"]);
        let i = super::inspect(fd).expect("still open on our side");
        assert_eq!(i.tcp_state.as_deref(), Some("CLOSE_WAIT"));
        assert!(i.readiness().contains("POLLRDHUP"), "{}", i.readiness());
    }
}
