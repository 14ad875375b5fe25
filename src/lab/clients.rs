//! `serve`, and the numbering of the peer clients it serves.

use std::time::Duration;

use super::Engine;
use super::error::LabError;
use super::shared::RecordOk;
use super::socket::Work;
use crate::command::ServeKind;
use crate::record::{Arg, Lane, Op, SockInfo, SockKind};

/// The clients of the latest `peer connect` to a serving listener.
#[derive(Debug, Default)]
pub struct Clients {
    next: u32,
    /// The latest batch: its first client number and its size.
    batch: Option<(u32, u32)>,
    summarized: bool,
}

impl Clients {
    /// Numbers a new batch of `n` clients; returns the first number.
    pub fn begin(&mut self, n: u32) -> u32 {
        let first = self.next + 1;
        self.next += n;
        self.batch = Some((first, n));
        self.summarized = false;
        first
    }
}

impl Engine {
    /// `serve blocking|eventloop N` on listener `sock`.
    pub fn serve(&mut self, sock: &SockInfo, kind: ServeKind, n: u32) -> Result<u64, LabError> {
        let (SockKind::TcpListener, Some(addr)) = (sock.kind, sock.local) else {
            let tcp = if sock.kind == SockKind::UnixListener { "a TCP listener" } else { "a listener" };
            return Err(LabError::Invalid(format!(
                "`serve` needs {tcp}: #{} is a {}",
                sock.id,
                sock.kind.word()
            )));
        };
        self.serving.push(addr);
        self.submit(sock.id, Work::Serve(kind, n))
    }

    /// The latest batch of serve clients (first number, how many), if its
    /// summary is still to be recorded.
    pub fn unsummarized_batch(&self) -> Option<(u32, u32)> {
        self.clients.batch.filter(|_| !self.clients.summarized)
    }

    /// The latest batch of serve clients, summarized or not.
    pub fn batch(&self) -> Option<(u32, u32)> {
        self.clients.batch
    }

    /// Records every client's wait, once the whole batch has its echo.
    pub fn summarize(&mut self, waits: &[(u32, Duration)]) {
        self.clients.summarized = true;
        let waits = waits.iter().map(|&(k, d)| (k, d.as_nanos().min(u64::MAX as u128) as u64)).collect();
        let now = self.shared.now_ns();
        self.shared.record_ok(RecordOk::on(Lane::Peer, Op::Summary, Arg::Waits(waits), now));
    }
}
