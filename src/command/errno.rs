//! The errno names `expect error` accepts: exactly the names sockscope
//! reports (`lab::sys::errno_name`; a test there keeps the two in step).
//! A name outside this list could never match, so it is a parse error.

/// Every errno name a call's outcome can carry, sorted.
#[rustfmt::skip]
pub const ERRNO_NAMES: &[&str] = &[
    "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN", "EALREADY", "EBADF",
    "ECONNABORTED", "ECONNREFUSED", "ECONNRESET", "EDESTADDRREQ", "EDOM", "EEXIST", "EFAULT",
    "EHOSTDOWN", "EHOSTUNREACH", "EINPROGRESS", "EINTR", "EINVAL", "EIO", "EISCONN", "EMFILE",
    "EMSGSIZE", "ENAMETOOLONG", "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOBUFS",
    "ENOENT", "ENOMEM", "ENOPROTOOPT", "ENOSPC", "ENOTCONN", "ENOTDIR", "ENOTSOCK", "EOPNOTSUPP",
    "EPERM", "EPIPE", "EPROTO", "EPROTONOSUPPORT", "EPROTOTYPE", "ESHUTDOWN", "ESOCKTNOSUPPORT",
    "ETIMEDOUT",
];

/// Other spellings of a name in the list, as Linux defines them.
pub(crate) const ALIASES: &[(&str, &str)] = &[("EWOULDBLOCK", "EAGAIN"), ("ENOTSUP", "EOPNOTSUPP")];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_and_unique() {
        assert!(ERRNO_NAMES.windows(2).all(|w| w[0] < w[1]));
    }
}
