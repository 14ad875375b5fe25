//! Thin wrappers over the syscalls socket2 does not offer: FIONBIO (the one
//! CPython uses to switch modes), the kernel read-backs (F_GETFL, SO_*TIMEO,
//! FIONREAD, TIOCOUTQ), a single-fd poll, and errno names.

use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

fn check(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 { Err(io::Error::last_os_error()) } else { Ok(rc) }
}

/// `ioctl(fd, FIONBIO, [on])`: what Python's setblocking/settimeout does.
pub fn set_nonblocking(fd: RawFd, on: bool) -> io::Result<()> {
    let mut v: libc::c_int = on.into();
    // SAFETY: FIONBIO reads one c_int through the pointer, which is valid for the call.
    check(unsafe { libc::ioctl(fd, libc::FIONBIO, &mut v) }).map(drop)
}

/// `fcntl(fd, F_GETFL) & O_NONBLOCK`: what the kernel holds.
pub fn is_nonblocking(fd: RawFd) -> io::Result<bool> {
    // SAFETY: F_GETFL takes no pointer argument.
    let fl = check(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
    Ok(fl & libc::O_NONBLOCK != 0)
}

/// Which kernel timer: SO_RCVTIMEO or SO_SNDTIMEO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    Recv,
    Send,
}

impl Timer {
    fn optname(self) -> libc::c_int {
        match self {
            Timer::Recv => libc::SO_RCVTIMEO,
            Timer::Send => libc::SO_SNDTIMEO,
        }
    }
}

/// `setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO|SO_SNDTIMEO, {tv_sec, tv_usec})`.
/// Zero is passed through unchanged: to the kernel it means "wait forever".
pub fn set_timer(fd: RawFd, timer: Timer, d: Duration) -> io::Result<()> {
    let tv = libc::timeval {
        tv_sec: d.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_usec: d.subsec_micros() as libc::suseconds_t,
    };
    let len = std::mem::size_of::<libc::timeval>() as libc::socklen_t;
    // SAFETY: tv is a valid timeval and len is its size.
    let rc = unsafe { libc::setsockopt(fd, libc::SOL_SOCKET, timer.optname(), (&raw const tv).cast(), len) };
    check(rc).map(drop)
}

/// `getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO|SO_SNDTIMEO)`: zero means forever.
pub fn get_timer(fd: RawFd, timer: Timer) -> io::Result<Duration> {
    let mut tv = libc::timeval { tv_sec: 0, tv_usec: 0 };
    let mut len = std::mem::size_of::<libc::timeval>() as libc::socklen_t;
    // SAFETY: tv and len are valid for writes of the sizes given.
    let rc =
        unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, timer.optname(), (&raw mut tv).cast(), &mut len) };
    check(rc)?;
    Ok(Duration::from_secs(tv.tv_sec.max(0) as u64) + Duration::from_micros(tv.tv_usec.max(0) as u64))
}

fn ioctl_int(fd: RawFd, req: libc::Ioctl) -> io::Result<u32> {
    let mut n: libc::c_int = 0;
    // SAFETY: both requests used here write one c_int through the pointer.
    check(unsafe { libc::ioctl(fd, req, &mut n) })?;
    Ok(n.max(0) as u32)
}

/// Bytes waiting to be read (FIONREAD, a.k.a. SIOCINQ).
pub fn queued_in(fd: RawFd) -> io::Result<u32> {
    ioctl_int(fd, libc::FIONREAD)
}

/// Bytes not yet acknowledged by the other end (TIOCOUTQ, a.k.a. SIOCOUTQ).
pub fn queued_out(fd: RawFd) -> io::Result<u32> {
    ioctl_int(fd, libc::TIOCOUTQ)
}

pub const POLLIN: i16 = libc::POLLIN;
pub const POLLOUT: i16 = libc::POLLOUT;

/// `poll([{fd, events}], 1, ms)`. Returns the revents, 0 on timeout.
/// The timeout is rounded up to whole milliseconds, as CPython does.
pub fn poll_one(fd: RawFd, events: i16, timeout: Duration) -> io::Result<i16> {
    let mut p = libc::pollfd { fd, events, revents: 0 };
    let ms = timeout_ms(timeout);
    // SAFETY: p is one valid pollfd, and nfds is 1.
    let n = check(unsafe { libc::poll(&mut p, 1, ms) })?;
    Ok(if n == 0 { 0 } else { p.revents })
}

/// A duration as poll's millisecond argument, rounded up (1 µs -> 1 ms).
pub fn timeout_ms(d: Duration) -> libc::c_int {
    let ms = d.as_nanos().div_ceil(1_000_000);
    ms.min(libc::c_int::MAX as u128) as libc::c_int
}

/// `getsockopt(SO_ERROR)`: the pending error, which reading clears.
pub fn take_error(fd: RawFd) -> io::Result<i32> {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: v and len are valid for writes of the sizes given.
    let rc = unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ERROR, (&raw mut v).cast(), &mut len) };
    check(rc)?;
    Ok(v)
}

/// An errno's number from its name (`EAGAIN` → 11), for the names
/// [`errno_name`] knows.
pub fn errno_by_name(name: &str) -> Option<i32> {
    (1..4096).find(|&n| errno_name(n) == name)
}

/// The symbolic name of an errno, as strace and Python's `errno.errorcode` print it.
pub fn errno_name(errno: i32) -> &'static str {
    match errno {
        libc::EAGAIN => "EAGAIN",
        libc::EINPROGRESS => "EINPROGRESS",
        libc::EALREADY => "EALREADY",
        libc::EISCONN => "EISCONN",
        libc::ENOTCONN => "ENOTCONN",
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::ECONNRESET => "ECONNRESET",
        libc::ECONNABORTED => "ECONNABORTED",
        libc::EPIPE => "EPIPE",
        libc::EBADF => "EBADF",
        libc::EINVAL => "EINVAL",
        libc::EINTR => "EINTR",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::EADDRINUSE => "EADDRINUSE",
        libc::EADDRNOTAVAIL => "EADDRNOTAVAIL",
        libc::EACCES => "EACCES",
        libc::EPERM => "EPERM",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::ENETUNREACH => "ENETUNREACH",
        libc::EHOSTUNREACH => "EHOSTUNREACH",
        libc::EDOM => "EDOM",
        libc::EMFILE => "EMFILE",
        libc::ENFILE => "ENFILE",
        libc::ENOBUFS => "ENOBUFS",
        libc::ENOMEM => "ENOMEM",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::EDESTADDRREQ => "EDESTADDRREQ",
        libc::EAFNOSUPPORT => "EAFNOSUPPORT",
        libc::ENOTSOCK => "ENOTSOCK",
        libc::EFAULT => "EFAULT",
        libc::ESHUTDOWN => "ESHUTDOWN",
        libc::ENOPROTOOPT => "ENOPROTOOPT",
        libc::EPROTOTYPE => "EPROTOTYPE",
        libc::EIO => "EIO",
        libc::ENOENT => "ENOENT",
        libc::EEXIST => "EEXIST",
        libc::ENOSPC => "ENOSPC",
        libc::ENETDOWN => "ENETDOWN",
        libc::ENETRESET => "ENETRESET",
        libc::EHOSTDOWN => "EHOSTDOWN",
        libc::EPROTONOSUPPORT => "EPROTONOSUPPORT",
        libc::ESOCKTNOSUPPORT => "ESOCKTNOSUPPORT",
        libc::EPROTO => "EPROTO",
        libc::ENOTDIR => "ENOTDIR",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        _ => "EUNKNOWN",
    }
}

/// The errno of an io::Error (0 when it did not come from the OS).
pub fn errno_of(e: &io::Error) -> i32 {
    e.raw_os_error().unwrap_or(0)
}

/// getsockname/getpeername, read now (a connect may have just finished).
pub fn addrs(fd: RawFd) -> (Option<std::net::SocketAddr>, Option<std::net::SocketAddr>) {
    // SAFETY: callers pass only fds of sockets that are not closing; their
    // worker owns the fd for longer than this read.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    let s = socket2::SockRef::from(&fd);
    (s.local_addr().ok().and_then(|a| a.as_socket()), s.peer_addr().ok().and_then(|a| a.as_socket()))
}

/// `recv(fd, buf, len, MSG_DONTWAIT)`: one non-blocking recv whatever the
/// fd's mode, as a busy-poll makes it. The error is the bare errno: this
/// runs millions of times a second.
pub fn recv_dontwait_raw(fd: RawFd, buf: &mut [u8]) -> Result<usize, i32> {
    // SAFETY: buf is valid for writes of buf.len() bytes for the call.
    let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_DONTWAIT) };
    if n < 0 { Err(io::Error::last_os_error().raw_os_error().unwrap_or(0)) } else { Ok(n as usize) }
}

/// `recv(fd, buf, len, flags)`, for flags socket2's `Read` cannot pass
/// (MSG_PEEK).
pub fn recv_flags(fd: RawFd, buf: &mut [u8], flags: libc::c_int) -> io::Result<usize> {
    // SAFETY: buf is valid for writes of buf.len() bytes for the call.
    let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), flags) };
    if n < 0 { Err(io::Error::last_os_error()) } else { Ok(n as usize) }
}

/// SO_RCVBUF / SO_SNDBUF as the kernel reports them (Linux doubles what was set).
pub fn buffer_sizes(fd: RawFd) -> io::Result<(u32, u32)> {
    let get = |opt| -> io::Result<u32> {
        let mut v: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: v and len are valid for writes of the sizes given.
        let rc = unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, opt, (&raw mut v).cast(), &mut len) };
        check(rc)?;
        Ok(v.max(0) as u32)
    };
    Ok((get(libc::SO_RCVBUF)?, get(libc::SO_SNDBUF)?))
}

/// The TCP state number from TCP_INFO (`None` for a socket that is not TCP).
pub fn tcp_state_raw(fd: RawFd) -> Option<u8> {
    let mut info: libc::tcp_info = unsafe_zeroed_tcp_info();
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: info and len are valid for writes of the sizes given.
    let rc =
        unsafe { libc::getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_INFO, (&raw mut info).cast(), &mut len) };
    (rc == 0).then_some(info.tcpi_state)
}

/// An integer socket option at SOL_SOCKET (SO_DOMAIN, SO_TYPE, SO_ACCEPTCONN).
pub fn sol_socket_int(fd: RawFd, opt: libc::c_int) -> io::Result<i32> {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: v and len are valid for writes of the sizes given.
    let rc = unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, opt, (&raw mut v).cast(), &mut len) };
    check(rc)?;
    Ok(v)
}

/// Whether the socket has a peer address (getpeername succeeds).
pub fn has_peer(fd: RawFd) -> bool {
    let mut addr: libc::sockaddr_storage = unsafe_zeroed_storage();
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    // SAFETY: addr and len are valid for writes of the sizes given.
    let rc = unsafe { libc::getpeername(fd, (&raw mut addr).cast(), &mut len) };
    rc == 0
}

fn unsafe_zeroed_storage() -> libc::sockaddr_storage {
    // SAFETY: sockaddr_storage is plain old data; all-zero is a valid value.
    unsafe { std::mem::zeroed() }
}

fn unsafe_zeroed_tcp_info() -> libc::tcp_info {
    // SAFETY: tcp_info is plain old data; all-zero is a valid value.
    unsafe { std::mem::zeroed() }
}

pub const POLLERR: i16 = libc::POLLERR;
pub const POLLHUP: i16 = libc::POLLHUP;
pub const POLLRDHUP: i16 = libc::POLLRDHUP;

/// Readiness right now: a zero-timeout poll for IN|OUT|RDHUP.
pub fn readiness_now(fd: RawFd) -> io::Result<i16> {
    poll_one(fd, POLLIN | POLLOUT | POLLRDHUP, Duration::ZERO)
}

/// `POLLIN|POLLOUT`, as strace prints revents.
pub fn poll_flags_text(revents: i16) -> String {
    let names: Vec<&str> = [
        (POLLIN, "POLLIN"),
        (POLLOUT, "POLLOUT"),
        (POLLERR, "POLLERR"),
        (POLLHUP, "POLLHUP"),
        (POLLRDHUP, "POLLRDHUP"),
        (libc::POLLNVAL, "POLLNVAL"),
    ]
    .iter()
    .filter(|(b, _)| revents & b != 0)
    .map(|(_, n)| *n)
    .collect();
    if names.is_empty() { "none".into() } else { names.join("|") }
}

/// A cheap monotonic tick counter for timing busy-poll calls: the TSC on
/// x86_64 (about 11 ns to read, against 38 ns for the clock), elsewhere the
/// clock itself. Spans are converted to nanoseconds against the real clock
/// for each batch (see `spin`).
#[cfg(target_arch = "x86_64")]
pub fn ticks() -> u64 {
    // SAFETY: rdtsc has no preconditions; it only reads the time-stamp counter.
    unsafe { std::arch::x86_64::_rdtsc() }
}

/// A cheap monotonic tick counter (here: nanoseconds of the monotonic clock).
#[cfg(not(target_arch = "x86_64"))]
pub fn ticks() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed().as_nanos() as u64
}

/// A socket's fd, shared by the threads that make calls on it. One
/// [`SockFd::close`] releases the fd at once, as another thread's close()
/// would, while a call already in the kernel keeps the socket itself alive
/// until it returns. The fd number is never closed twice.
pub struct SockFd {
    sock: std::mem::ManuallyDrop<socket2::Socket>,
    closed: std::sync::atomic::AtomicBool,
}

impl SockFd {
    pub fn new(sock: socket2::Socket) -> SockFd {
        SockFd { sock: std::mem::ManuallyDrop::new(sock), closed: std::sync::atomic::AtomicBool::new(false) }
    }

    pub fn socket(&self) -> &socket2::Socket {
        &self.sock
    }

    pub fn raw(&self) -> RawFd {
        use std::os::fd::AsRawFd;
        self.sock.as_raw_fd()
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::Acquire)
    }

    /// close(fd), once.
    pub fn close(&self) -> io::Result<()> {
        if self.closed.swap(true, std::sync::atomic::Ordering::AcqRel) {
            return Err(io::Error::from_raw_os_error(libc::EBADF));
        }
        // SAFETY: the fd is ours and `closed` makes this the only close.
        check(unsafe { libc::close(self.raw()) }).map(|_| ())
    }
}

impl Drop for SockFd {
    fn drop(&mut self) {
        if !self.is_closed() {
            // SAFETY: not closed by `close`, and dropped only here, once.
            unsafe { std::mem::ManuallyDrop::drop(&mut self.sock) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parser's list (`expect error NAME`) holds exactly the names
    /// reported here, so an expect can name every errno that can occur.
    #[test]
    fn the_parser_knows_every_reported_errno_name() {
        let mut reported: Vec<&str> = (1..4096).map(errno_name).filter(|&n| n != "EUNKNOWN").collect();
        reported.sort_unstable();
        reported.dedup();
        assert_eq!(reported, crate::command::ERRNO_NAMES);
    }
}
