//! Errors from carrying out a command, with the syscall and address attached.

use std::io;
use std::net::SocketAddr;

use crate::sys::{errno_name, errno_of};

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("{call}{}: {}", at(.addr), describe(.source))]
    Sys { call: &'static str, addr: Option<SocketAddr>, source: io::Error },
    /// A failed syscall on an AF_UNIX path.
    #[error("{call} {}: {}", crate::escape::escape(.path.as_bytes()), describe(.source))]
    SysPath { call: &'static str, path: String, source: io::Error },
    #[error("no socket #{id}{}", list(.open))]
    NoSocket { id: u32, open: Vec<u32> },
    #[error(
        "socket #{0} is closed: in Python, a call on a closed socket raises OSError: [Errno 9] Bad file \
         descriptor"
    )]
    Closed(u32),
    #[error("no socket yet: open one first (e.g. `open tcp`)")]
    NoCurrent,
    #[error("{0}")]
    Invalid(String),
    #[error("peer: {0}")]
    Peer(String),
    /// An `expect` that checks the present (not a call) did not hold.
    #[error("{message}")]
    Expect { line: usize, message: String },
}

impl LabError {
    pub fn sys(call: &'static str, addr: Option<SocketAddr>) -> impl FnOnce(io::Error) -> LabError {
        move |source| LabError::Sys { call, addr, source }
    }
}

impl LabError {
    pub fn sys_path(call: &'static str, path: &std::path::Path) -> impl FnOnce(io::Error) -> LabError {
        let path = super::unix::text(path);
        move |source| LabError::SysPath { call, path, source }
    }
}

fn at(addr: &Option<SocketAddr>) -> String {
    addr.map(|a| format!(" {a}")).unwrap_or_default()
}

fn list(ids: &[u32]) -> String {
    if ids.is_empty() {
        return " (there are no sockets yet)".into();
    }
    let ids: Vec<String> = ids.iter().map(|i| format!("#{i}")).collect();
    format!(" (sockets: {})", ids.join(", "))
}

/// `EADDRINUSE (Address already in use)`: the errno name first, like strace.
fn describe(e: &io::Error) -> String {
    match errno_of(e) {
        0 => e.to_string(),
        n => {
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_string();
            format!("{} ({text})", errno_name(n))
        }
    }
}
