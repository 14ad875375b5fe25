//! Errno values and their names, as strace prints them.

use std::fmt;

/// An errno from a traced call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

/// Kernel-internal restart codes: a call interrupted by a signal, to be
/// restarted or turned into EINTR when the signal is delivered.
pub const ERESTARTSYS: i32 = 512;
pub const ERESTART_RESTARTBLOCK: i32 = 516;

macro_rules! names {
    ($($name:ident),* $(,)?) => {
        /// The symbolic name (`EAGAIN`), or `E<n>` for one this table lacks.
        pub fn name(self) -> &'static str {
            match self.0 {
                $(libc::$name => stringify!($name),)*
                ERESTARTSYS => "ERESTARTSYS",
                513 => "ERESTARTNOINTR",
                514 => "ERESTARTNOHAND",
                515 => "ENOIOCTLCMD",
                ERESTART_RESTARTBLOCK => "ERESTART_RESTARTBLOCK",
                _ => "EUNKNOWN",
            }
        }
    };
}

impl Errno {
    // EWOULDBLOCK, EDEADLOCK and ENOTSUP share numbers with EAGAIN, EDEADLK
    // and EOPNOTSUPP; strace prints the first names, so they are left out.
    names!(
        EPERM,
        ENOENT,
        ESRCH,
        EINTR,
        EIO,
        ENXIO,
        E2BIG,
        ENOEXEC,
        EBADF,
        ECHILD,
        EAGAIN,
        ENOMEM,
        EACCES,
        EFAULT,
        ENOTBLK,
        EBUSY,
        EEXIST,
        EXDEV,
        ENODEV,
        ENOTDIR,
        EISDIR,
        EINVAL,
        ENFILE,
        EMFILE,
        ENOTTY,
        ETXTBSY,
        EFBIG,
        ENOSPC,
        ESPIPE,
        EROFS,
        EMLINK,
        EPIPE,
        EDOM,
        ERANGE,
        EDEADLK,
        ENAMETOOLONG,
        ENOLCK,
        ENOSYS,
        ENOTEMPTY,
        ELOOP,
        ENOMSG,
        EIDRM,
        ENOSTR,
        ENODATA,
        ETIME,
        ENOSR,
        ENOLINK,
        EPROTO,
        EBADMSG,
        EOVERFLOW,
        EILSEQ,
        EUSERS,
        ENOTSOCK,
        EDESTADDRREQ,
        EMSGSIZE,
        EPROTOTYPE,
        ENOPROTOOPT,
        EPROTONOSUPPORT,
        ESOCKTNOSUPPORT,
        EOPNOTSUPP,
        EPFNOSUPPORT,
        EAFNOSUPPORT,
        EADDRINUSE,
        EADDRNOTAVAIL,
        ENETDOWN,
        ENETUNREACH,
        ENETRESET,
        ECONNABORTED,
        ECONNRESET,
        ENOBUFS,
        EISCONN,
        ENOTCONN,
        ESHUTDOWN,
        ETOOMANYREFS,
        ETIMEDOUT,
        ECONNREFUSED,
        EHOSTDOWN,
        EHOSTUNREACH,
        EALREADY,
        EINPROGRESS,
        ESTALE,
        EDQUOT,
        ECANCELED,
        EOWNERDEAD,
        ENOTRECOVERABLE,
    );

    /// The message strace and Python print for it (glibc's, in the C locale).
    pub fn message(self) -> String {
        let text = std::io::Error::from_raw_os_error(self.0).to_string();
        match text.rfind(" (os error ") {
            Some(i) => text[..i].to_string(),
            None => text,
        }
    }

    /// Whether this is one of the kernel's restart codes (never seen by the
    /// program, only by a tracer at the syscall's exit).
    pub fn is_restart(self) -> bool {
        (ERESTARTSYS..=ERESTART_RESTARTBLOCK).contains(&self.0) && self.0 != 515
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            "EUNKNOWN" => write!(f, "E{}", self.0),
            n => f.write_str(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_strace() {
        assert_eq!(Errno(libc::EAGAIN).to_string(), "EAGAIN");
        assert_eq!(Errno(libc::ECONNREFUSED).to_string(), "ECONNREFUSED");
        assert_eq!(Errno(512).to_string(), "ERESTARTSYS");
        assert_eq!(Errno(4000).to_string(), "E4000");
        assert_eq!(Errno(libc::EAGAIN).message(), "Resource temporarily unavailable");
        assert!(Errno(516).is_restart() && !Errno(libc::EINTR).is_restart());
    }
}
