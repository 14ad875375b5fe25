//! Small formatters shared by the three levels: errno texts as strace and
//! Python print them, durations, payloads, socket addresses.

use std::net::SocketAddr;
use std::time::Duration;

use crate::escape::escape;
use crate::record::mode::secs;
use crate::sys::errno_name;

/// How many payload bytes a line shows (strace's default `-s 32`).
pub const SHOWN: usize = 32;

/// The message strace and Python print for an errno (glibc's strerror).
pub fn strerror(errno: i32) -> &'static str {
    match errno {
        libc::EAGAIN => "Resource temporarily unavailable",
        libc::EINPROGRESS => "Operation now in progress",
        libc::EALREADY => "Operation already in progress",
        libc::EISCONN => "Transport endpoint is already connected",
        libc::ENOTCONN => "Transport endpoint is not connected",
        libc::ECONNREFUSED => "Connection refused",
        libc::ECONNRESET => "Connection reset by peer",
        libc::ECONNABORTED => "Software caused connection abort",
        libc::EPIPE => "Broken pipe",
        libc::EBADF => "Bad file descriptor",
        libc::EINVAL => "Invalid argument",
        libc::EINTR => "Interrupted system call",
        libc::ETIMEDOUT => "Connection timed out",
        libc::EADDRINUSE => "Address already in use",
        libc::EADDRNOTAVAIL => "Cannot assign requested address",
        libc::EACCES => "Permission denied",
        libc::EPERM => "Operation not permitted",
        libc::EMSGSIZE => "Message too long",
        libc::ENETUNREACH => "Network is unreachable",
        libc::EHOSTUNREACH => "No route to host",
        libc::EDOM => "Numerical argument out of domain",
        libc::EMFILE => "Too many open files",
        libc::ENFILE => "Too many open files in system",
        libc::ENOBUFS => "No buffer space available",
        libc::ENOMEM => "Cannot allocate memory",
        libc::EOPNOTSUPP => "Operation not supported",
        libc::EDESTADDRREQ => "Destination address required",
        libc::EAFNOSUPPORT => "Address family not supported by protocol",
        libc::ENOTSOCK => "Socket operation on non-socket",
        libc::EFAULT => "Bad address",
        libc::ESHUTDOWN => "Cannot send after transport endpoint shutdown",
        libc::ENOPROTOOPT => "Protocol not available",
        libc::EPROTOTYPE => "Protocol wrong type for socket",
        libc::EIO => "Input/output error",
        libc::ENOENT => "No such file or directory",
        _ => "Unknown error",
    }
}

/// A failed syscall's result as strace prints it: `-1 EAGAIN (Resource temporarily unavailable)`.
pub fn strace_err(errno: i32) -> String {
    format!("-1 {} ({})", errno_name(errno), strerror(errno))
}

/// The OSError subclass CPython raises for an errno.
pub fn py_exception(errno: i32) -> &'static str {
    match errno {
        libc::EAGAIN | libc::EALREADY | libc::EINPROGRESS => "BlockingIOError",
        libc::EPIPE | libc::ESHUTDOWN => "BrokenPipeError",
        libc::ECONNRESET => "ConnectionResetError",
        libc::ECONNREFUSED => "ConnectionRefusedError",
        libc::ECONNABORTED => "ConnectionAbortedError",
        libc::ETIMEDOUT => "TimeoutError",
        libc::EINTR => "InterruptedError",
        libc::EACCES | libc::EPERM => "PermissionError",
        libc::ENOENT => "FileNotFoundError",
        libc::EEXIST => "FileExistsError",
        libc::ENOTDIR => "NotADirectoryError",
        _ => "OSError",
    }
}

/// An exception as Python prints it: `BrokenPipeError: [Errno 32] Broken pipe`.
pub fn py_error(errno: i32) -> String {
    format!("{}: [Errno {errno}] {}", py_exception(errno), strerror(errno))
}

/// A measured duration for prose: `301.6 ms`, `1.50 s`, `12 µs`.
pub fn dur(d: Duration) -> String {
    let us = d.as_micros();
    if us < 1000 {
        format!("{us} µs")
    } else if us < 1_000_000 {
        format!("{:.1} ms", us as f64 / 1000.0)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// A set duration as the language and Python write it, with a unit: `0.2 s`.
pub fn set(d: Duration) -> String {
    format!("{} s", secs(d))
}

/// Microseconds as a timeval: `{tv_sec=0, tv_usec=200000}`.
pub fn timeval(us: u64) -> String {
    format!("{{tv_sec={}, tv_usec={}}}", us / 1_000_000, us % 1_000_000)
}

/// A payload as strace shows a buffer: `"hello"`, `"first 32 bytes"…`, or
/// `…` when the content is not known.
pub fn strace_buf(shown: Option<&[u8]>, total: u64) -> String {
    match shown {
        None => "…".into(),
        Some(b) => {
            let cut = &b[..b.len().min(SHOWN)];
            let more = if (cut.len() as u64) < total { "…" } else { "" };
            format!("\"{}\"{more}", escape(cut))
        }
    }
}

/// Bytes as Python's `repr` shows them: `b'hello'`, `b"it's"`, `b'\x00\n'`.
/// Longer payloads are cut, with the real length after them.
pub fn py_bytes(shown: Option<&[u8]>, total: u64) -> String {
    let Some(b) = shown else { return format!("<{total} bytes>") };
    let cut = &b[..b.len().min(SHOWN)];
    let quote = if cut.contains(&b'\'') && !cut.contains(&b'"') { '"' } else { '\'' };
    let mut s = format!("b{quote}");
    for &c in cut {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            c if c as char == quote => {
                s.push('\\');
                s.push(quote);
            }
            0x20..=0x7e => s.push(c as char),
            c => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push(quote);
    if (cut.len() as u64) < total {
        s.push_str(&format!("… ({total} bytes)"));
    }
    s
}

/// A socket address as strace decodes it, with its length: `({…}, 16)`.
pub fn sockaddr(addr: Option<SocketAddr>) -> (String, u32) {
    match addr {
        None => ("…".into(), 16),
        Some(SocketAddr::V4(a)) => (
            format!(
                "{{sa_family=AF_INET, sin_port=htons({}), sin_addr=inet_addr(\"{}\")}}",
                a.port(),
                a.ip()
            ),
            16,
        ),
        Some(SocketAddr::V6(a)) => (
            format!(
                "{{sa_family=AF_INET6, sin6_port=htons({}), sin6_flowinfo=htonl({}), \
                 inet_pton(AF_INET6, \"{}\", &sin6_addr), sin6_scope_id={}}}",
                a.port(),
                a.flowinfo(),
                a.ip(),
                a.scope_id()
            ),
            28,
        ),
    }
}

/// An AF_UNIX address as strace decodes it, with the length sockscope
/// passes: the family, the path and its closing NUL.
pub fn unix_sockaddr(path: &str) -> (String, usize) {
    (format!("{{sa_family=AF_UNIX, sun_path=\"{}\"}}", escape(path.as_bytes())), 2 + path.len() + 1)
}

/// A path as a Python string literal.
pub fn py_path(path: &str) -> String {
    format!("\"{}\"", escape(path.as_bytes()))
}

/// An address as a Python tuple: `("127.0.0.1", 5000)`.
pub fn py_addr(addr: Option<SocketAddr>) -> String {
    match addr {
        Some(a) => format!("(\"{}\", {})", a.ip(), a.port()),
        None => "(host, port)".into(),
    }
}

/// The address family constant for an address (IPv4 when unknown).
pub fn family(addr: Option<SocketAddr>) -> &'static str {
    match addr {
        Some(SocketAddr::V6(_)) => "AF_INET6",
        _ => "AF_INET",
    }
}

/// "1 byte", "5 bytes".
pub fn bytes(n: u64) -> String {
    if n == 1 { "1 byte".into() } else { format!("{n} bytes") }
}

/// "EPIPE (Broken pipe)".
pub fn named(errno: i32) -> String {
    format!("{} ({})", errno_name(errno), strerror(errno))
}
