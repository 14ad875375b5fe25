//! The peer clients of a `serve`: numbering, and how long each waited.

use std::time::Duration;

use super::Lab;
use super::call::{Arg, Lane, Op, Outcome};
use super::error::LabError;
use super::event::SockKind;
use super::shared::RecordOk;
use super::socket::JobOp;
use super::timeline::Timeline;
use crate::command::ServeKind;

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

    /// Each client's request-to-echo wait, once every client has one.
    pub fn waits(&self, tl: &Timeline) -> Option<Vec<(u32, Duration)>> {
        let (first, n) = self.batch?;
        (first..first + n)
            .map(|k| {
                let req = tl
                    .lane(Lane::Client(k))
                    .iter()
                    .filter_map(|&i| tl.get(i as usize))
                    .find(|c| c.op == Op::Request && c.outcome == Outcome::Data)?;
                Some((k, req.duration()?))
            })
            .collect()
    }

    /// The summary text, the first time the whole batch is in.
    pub fn finished(&mut self, tl: &Timeline) -> Option<String> {
        if self.summarized {
            return None;
        }
        let waits = self.waits(tl)?;
        self.summarized = true;
        let parts: Vec<String> =
            waits.iter().map(|(k, d)| format!("c{k} {:.1} ms", d.as_secs_f64() * 1e3)).collect();
        Some(format!("client waits: {}", parts.join(", ")))
    }

    /// How many clients of the batch there are, and how many got an echo.
    pub fn progress(&self, tl: &Timeline) -> (u32, u32) {
        let Some((first, n)) = self.batch else { return (0, 0) };
        let done = (first..first + n)
            .filter(|&k| {
                tl.lane(Lane::Client(k))
                    .iter()
                    .any(|&i| tl.get(i as usize).is_some_and(|c| c.op == Op::Request))
            })
            .count();
        (n, done as u32)
    }
}

/// The waits of a [`Clients::finished`] text, in milliseconds, read back:
/// `client waits: c1 0.6 ms, c2 304.4 ms` → `[("c1", 0.6), ("c2", 304.4)]`.
/// A recorded note may hold anything: the numbers are any `f64` that parses.
pub(crate) fn parse_waits(note: &str) -> Option<Vec<(String, f64)>> {
    let list = note.strip_prefix("client waits: ")?;
    list.split(", ")
        .map(|part| {
            let (who, rest) = part.split_once(' ')?;
            let ms = rest.strip_suffix(" ms")?.parse::<f64>().ok()?;
            Some((who.to_string(), ms))
        })
        .collect()
}

impl Lab {
    /// `serve blocking|eventloop N` on the current listener.
    pub fn serve(&mut self, kind: ServeKind, n: u32) -> Result<u64, LabError> {
        let id = self.current_open()?;
        let h = &self.socks[&id];
        let (SockKind::TcpListener, Some(addr)) = (h.info.kind, h.info.local) else {
            let tcp = if h.info.kind == SockKind::UnixListener { "a TCP listener" } else { "a listener" };
            return Err(LabError::Invalid(format!("`serve` needs {tcp}: #{id} is a {}", h.info.kind.word())));
        };
        self.serving.push(addr);
        self.call(JobOp::Serve(kind, n))
    }

    /// The slowest wait of the latest batch of clients, once all are in.
    pub fn slowest_wait(&self) -> Option<Duration> {
        self.clients.waits(&self.timeline)?.into_iter().map(|(_, d)| d).max()
    }

    /// "2 of 3 clients got their echo", for an `expect slowest` that ran out.
    pub fn clients_progress(&self) -> (u32, u32) {
        self.clients.progress(&self.timeline)
    }

    pub(crate) fn summary(&self, text: String) {
        let now = self.shared.now_ns();
        self.shared.record_ok(RecordOk::on(Lane::Peer, Op::Summary, Arg::Note(text.into()), now));
    }
}
