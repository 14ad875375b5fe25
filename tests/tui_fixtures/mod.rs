//! Fixed records for TUI tests: fixed times, ports and fds, so screens
//! are deterministic. Each test file uses a different part of this.

#![allow(dead_code)]

use std::net::SocketAddr;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockscope::command::ModeSet;
use sockscope::record::{
    Arg, Call, CallEnd, Event, KernelView, Lane, Mode, Op, Outcome, PyMode, Record, SockInfo, SockKind,
};
use sockscope::tui::app::{App, Sample, Status};
use sockscope::tui::theme::Theme;
use sockscope::tui::ui;

pub const MS: u64 = 1_000_000;
pub const THEME: Theme = Theme::DEFAULT;

pub fn addr(s: &str) -> Option<SocketAddr> {
    Some(s.parse().unwrap())
}

pub const PEER: &str = "127.0.0.1:40000";

/// A socket as a fixture: what its events say (info, mode, closed) and the
/// kernel sample the update step would have taken.
#[derive(Debug, Clone)]
pub struct SockRow {
    pub info: SockInfo,
    pub mode: Mode,
    pub kernel: Option<KernelView>,
    pub queues: Option<(u32, u32)>,
    pub closed: bool,
}

pub fn sock(mode: PyMode, nonblock: bool, rx: u32) -> SockRow {
    SockRow {
        info: SockInfo {
            id: 1,
            kind: SockKind::TcpClient,
            fd: 5,
            local: addr("127.0.0.1:51000"),
            remote: addr(PEER),
            local_path: None,
            remote_path: None,
            pair: None,
            mode: None,
            pid: None,
        },
        mode: Mode { py: mode, rcvtimeo: None, sndtimeo: None },
        kernel: Some(KernelView { nonblock, rcvtimeo_us: 0, sndtimeo_us: 0 }),
        queues: Some((rx, 0)),
        closed: false,
    }
}

pub fn call(seq: u64, lane: Lane, op: Op, start: u64, end: Option<u64>, outcome: Outcome) -> Call {
    Call {
        seq,
        lane,
        op,
        arg: Arg::None,
        mode: Mode::default(),
        kernel: None,
        start_ns: start,
        end_ns: end,
        outcome,
        errno: 0,
        bytes: None,
        preview: None,
        evidence: None,
        traced: None,
    }
}

/// `open tcp` connected at t≈1ms, as at start-up.
pub fn opened() -> Record {
    let mut tl = Record::new();
    tl.apply(&Event::Socket(sock(PyMode::Blocking, false, 0).info));
    let mut c = call(1, Lane::Sock(1), Op::Open, MS, Some(MS + 120_000), Outcome::Connected);
    c.arg = Arg::Proto(sockscope::command::Proto::Tcp, addr(PEER));
    tl.apply(&Event::Instant(c));
    tl
}

pub fn app(rec: Record, row: SockRow, now: u64) -> App {
    app_with(rec, vec![row], now)
}

/// The record with these sockets in it (the first one current), and their
/// samples. A mode the record does not hold yet is set by a mode-change
/// event at time 0, as a session would have made it.
pub fn app_with(mut rec: Record, rows: Vec<SockRow>, now: u64) -> App {
    for (i, row) in rows.iter().enumerate() {
        let id = row.info.id;
        rec.apply(&Event::Socket(row.info.clone()));
        if rec.socket(id).map(|s| s.mode) != Some(row.mode) {
            let mut m = call(900 + i as u64, Lane::Sock(id), op_of(row.mode), 0, Some(0), Outcome::Ok);
            m.mode = row.mode;
            m.kernel = row.kernel;
            rec.apply(&Event::Instant(m));
        }
        if row.closed {
            rec.apply(&Event::Closed(id));
        }
    }
    if let Some(first) = rows.first() {
        rec.apply(&Event::Use(first.info.id));
    }
    let samples = rows
        .iter()
        .filter(|r| !r.closed)
        .map(|r| (r.info.id, Sample { kernel: r.kernel, queues: r.queues, ..Sample::default() }))
        .collect();
    let mut app = App::fixed(rec, samples, now, THEME);
    app.peer_addr = addr(PEER);
    app
}

fn op_of(m: Mode) -> Op {
    match m.py {
        PyMode::Blocking => Op::of_mode(ModeSet::Blocking),
        PyMode::NonBlocking => Op::of_mode(ModeSet::Nonblocking),
        PyMode::Timeout(t) => Op::of_mode(ModeSet::Timeout(Some(t))),
    }
}

pub fn first_screen() -> App {
    let mut a = app(opened(), sock(PyMode::Blocking, false, 0), 2_000 * MS);
    a.status = Some(Status::Info(":open tcp".into()));
    a
}

/// `nonblocking`, then `recv` → wouldblock.
pub fn wouldblock() -> App {
    let mut a = app(wouldblock_record(), sock(PyMode::NonBlocking, true, 0), 3_000 * MS);
    a.status = Some(Status::Info(":recv".into()));
    a
}

/// The events of [`wouldblock`].
pub fn wouldblock_record() -> Record {
    let mut tl = opened();
    let nb = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    let mut m = call(2, Lane::Sock(1), Op::Nonblocking, 1_000 * MS, Some(1_000 * MS + 9_000), Outcome::Ok);
    m.mode = nb;
    m.kernel = Some(KernelView { nonblock: true, rcvtimeo_us: 0, sndtimeo_us: 0 });
    tl.apply(&Event::Instant(m));
    let mut r = call(3, Lane::Sock(1), Op::Recv, 2_500 * MS, Some(2_500 * MS + 12_000), Outcome::WouldBlock);
    r.arg = Arg::Size(1024);
    r.mode = nb;
    r.errno = 11;
    tl.apply(&Event::Instant(r));
    tl
}

/// A blocking recv begun at 1 s, drawn at 3.31 s.
pub fn blocking() -> App {
    let mut tl = opened();
    let mut r = call(2, Lane::Sock(1), Op::Recv, 1_000 * MS, None, Outcome::Blocking);
    r.arg = Arg::Size(1024);
    tl.apply(&Event::Begin(r));
    app(tl, sock(PyMode::Blocking, false, 0), 3_310 * MS)
}

/// The blocked recv completed by the peer's `send "hello"`, with escapes.
pub fn completed() -> Record {
    let mut tl = opened();
    let mut r = call(2, Lane::Sock(1), Op::Recv, 1_000 * MS, None, Outcome::Blocking);
    r.arg = Arg::Size(1024);
    tl.apply(&Event::Begin(r));
    let mut p = call(3, Lane::Peer, Op::PeerSend, 2_000 * MS, Some(2_000 * MS + 30_000), Outcome::Sent);
    p.arg = Arg::Text(8);
    p.bytes = Some(8);
    p.preview = Some(b"hi\x1b[2J\r\n".to_vec().into());
    tl.apply(&Event::Instant(p));
    tl.apply(&Event::End(CallEnd {
        seq: 2,
        lane: Lane::Sock(1),
        end_ns: 2_000 * MS + 80_000,
        outcome: Outcome::Data,
        errno: 0,
        bytes: Some(8),
        preview: Some(b"hi\x1b[2J\r\n".to_vec().into()),
        arg: None,
        traced: None,
    }));
    tl
}

pub fn screen(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::render(f, app)).unwrap();
    t
}

pub fn pane(
    app: &App,
    w: u16,
    h: u16,
    draw: fn(&mut ratatui::Frame, ratatui::layout::Rect, &App),
) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, f.area(), app)).unwrap();
    t
}

/// A record told call by call, after [`opened`]; times in ms.
pub struct Story {
    pub rec: Record,
    seq: u64,
}

impl Default for Story {
    fn default() -> Story {
        Story { rec: opened(), seq: 1 }
    }
}

fn ns(ms: f64) -> u64 {
    (ms * MS as f64) as u64
}

impl Story {
    /// A finished call, `edit`ed before it is recorded.
    pub fn add(
        &mut self,
        lane: Lane,
        op: Op,
        (start, end): (f64, f64),
        outcome: Outcome,
        edit: impl FnOnce(&mut Call),
    ) {
        self.seq += 1;
        let mut c = call(self.seq, lane, op, ns(start), Some(ns(end)), outcome);
        edit(&mut c);
        self.rec.apply(&Event::Instant(c));
    }

    /// A call entering the kernel; returns its seq, for [`Story::end`].
    pub fn begin(&mut self, lane: Lane, op: Op, start: f64, arg: Arg) -> u64 {
        self.seq += 1;
        let mut c = call(self.seq, lane, op, ns(start), None, Outcome::Blocking);
        c.arg = arg;
        self.rec.apply(&Event::Begin(c));
        self.seq
    }

    pub fn end(&mut self, seq: u64, lane: Lane, end: f64, outcome: Outcome, errno: i32) {
        self.rec.apply(&Event::End(CallEnd {
            seq,
            lane,
            end_ns: ns(end),
            outcome,
            errno,
            bytes: None,
            preview: None,
            arg: None,
            traced: None,
        }));
    }

    /// A mode change on #1, as `mode` sets it.
    pub fn mode(&mut self, at: f64, op: Op, arg: Arg, mode: Mode) {
        self.add(Lane::Sock(1), op, (at, at + 0.01), Outcome::Ok, |c| {
            c.arg = arg;
            c.mode = mode;
        });
    }

    /// A recv of 1024 on #1.
    pub fn recv(&mut self, span: (f64, f64), outcome: Outcome, errno: i32) {
        self.add(Lane::Sock(1), Op::Recv, span, outcome, |c| {
            c.arg = Arg::Size(1024);
            c.errno = errno;
            c.bytes = (outcome == Outcome::Data).then_some(5);
        });
    }

    pub fn app(self, row: SockRow, now_ms: f64) -> App {
        app(self.rec, row, ns(now_ms))
    }
}

/// `p x` while #1 was blocked in recv: ECONNRESET, and a send after it: EPIPE.
pub fn reset() -> App {
    let mut s = Story::default();
    let r = s.begin(Lane::Sock(1), Op::Recv, 1_000.0, Arg::Size(1024));
    s.add(Lane::Peer, Op::PeerReset, (2_000.0, 2_000.2), Outcome::Ok, |_| {});
    s.end(r, Lane::Sock(1), 2_000.4, Outcome::Error, libc::ECONNRESET);
    s.add(Lane::Sock(1), Op::Send, (2_600.0, 2_600.05), Outcome::Error, |c| {
        c.arg = Arg::Text(5);
        c.errno = libc::EPIPE;
    });
    s.app(sock(PyMode::Blocking, false, 0), 3_000.0)
}

/// `rcvtimeo 1s`, then two recvs that the kernel's timer ends.
pub fn rcvtimeo() -> App {
    let mut s = Story::default();
    let m = Mode { rcvtimeo: Some(std::time::Duration::from_secs(1)), ..Mode::default() };
    s.mode(600.0, Op::RcvTimeo, Arg::Secs(std::time::Duration::from_secs(1)), m);
    let timeout = Outcome::Timeout(sockscope::record::TimeoutBy::RcvTimeo);
    s.recv((1_000.0, 2_000.2), timeout, libc::EAGAIN);
    s.recv((2_300.0, 3_300.2), timeout, libc::EAGAIN);
    let mut row = sock(PyMode::Blocking, false, 0);
    row.mode = m;
    s.app(row, 3_600.0)
}

/// The peer stops reading, then sends of 100,000 bytes: all of the first,
/// then parts, then nothing.
pub fn partial() -> App {
    let mut s = Story::default();
    s.add(Lane::Peer, Op::PeerPause, (800.0, 800.1), Outcome::Ok, |_| {});
    let nb = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    s.mode(900.0, Op::Nonblocking, Arg::None, nb);
    for (at, outcome, bytes) in [
        (1_500.0, Outcome::Sent, 100_000),
        (1_700.0, Outcome::Partial, 30_000),
        (1_900.0, Outcome::Partial, 2_000),
        (2_100.0, Outcome::WouldBlock, 0),
    ] {
        s.add(Lane::Sock(1), Op::Send, (at, at + 0.2), outcome, |c| {
            c.arg = Arg::Size(100_000);
            c.bytes = (bytes > 0).then_some(bytes);
            c.errno = if outcome == Outcome::WouldBlock { libc::EAGAIN } else { 0 };
        });
    }
    s.app(sock(PyMode::NonBlocking, true, 0), 2_600.0)
}

/// `b`, `b`, `t 0.2`, `r` in quick succession, and `rcvtimeo 1s`.
pub fn modes() -> App {
    let mut s = Story::default();
    let nb = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    let t = Mode { py: PyMode::Timeout(std::time::Duration::from_millis(200)), ..Mode::default() };
    s.mode(1_000.0, Op::Nonblocking, Arg::None, nb);
    s.mode(1_150.0, Op::Blocking, Arg::None, Mode::default());
    s.mode(1_300.0, Op::Timeout, Arg::Secs(std::time::Duration::from_millis(200)), t);
    s.recv((1_400.0, 1_600.2), Outcome::Timeout(sockscope::record::TimeoutBy::Poll), 0);
    let r = Mode { rcvtimeo: Some(std::time::Duration::from_secs(1)), ..t };
    s.mode(1_700.0, Op::RcvTimeo, Arg::Secs(std::time::Duration::from_secs(1)), r);
    let mut row = sock(t.py, true, 0);
    row.mode = r;
    s.app(row, 2_200.0)
}

/// Three calls in one 100 ms cell: a wouldblock, `blocking`, and a recv
/// the peer's reset ends with ECONNRESET.
pub fn crowded() -> App {
    let mut s = Story::default();
    let nb = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    s.mode(1_000.0, Op::Nonblocking, Arg::None, nb);
    s.recv((2_010.0, 2_010.02), Outcome::WouldBlock, libc::EAGAIN);
    s.mode(2_030.0, Op::Blocking, Arg::None, Mode::default());
    s.add(Lane::Peer, Op::PeerReset, (2_050.0, 2_050.2), Outcome::Ok, |_| {});
    s.recv((2_060.0, 2_060.3), Outcome::Error, libc::ECONNRESET);
    s.app(sock(PyMode::Blocking, false, 0), 2_600.0)
}

/// A wouldblock and a data recv, then 7 s of nothing.
pub fn idle() -> App {
    let mut s = Story::default();
    let nb = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    s.mode(1_000.0, Op::Nonblocking, Arg::None, nb);
    s.recv((1_800.0, 1_800.02), Outcome::WouldBlock, libc::EAGAIN);
    s.add(Lane::Peer, Op::PeerSend, (2_400.0, 2_400.1), Outcome::Sent, |c| {
        c.arg = Arg::Text(5);
        c.bytes = Some(5);
    });
    s.recv((3_000.0, 3_000.05), Outcome::Data, 0);
    s.app(sock(PyMode::NonBlocking, true, 0), 10_200.0)
}

/// [`idle`], with a recv that has been blocked since just after the data.
pub fn idle_blocked() -> App {
    let mut s = Story::default();
    let nb = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    s.mode(1_000.0, Op::Nonblocking, Arg::None, nb);
    s.recv((1_800.0, 1_800.02), Outcome::WouldBlock, libc::EAGAIN);
    s.add(Lane::Peer, Op::PeerSend, (2_400.0, 2_400.1), Outcome::Sent, |c| {
        c.arg = Arg::Text(5);
        c.bytes = Some(5);
    });
    s.recv((3_000.0, 3_000.05), Outcome::Data, 0);
    s.mode(3_100.0, Op::Blocking, Arg::None, Mode::default());
    s.begin(Lane::Sock(1), Op::Recv, 3_200.0, Arg::Size(1024));
    s.app(sock(PyMode::Blocking, false, 0), 10_200.0)
}

/// Forty seconds of calls: a spread-out session to fit with `z`.
pub fn long_session() -> App {
    let mut s = Story::default();
    let nb = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    s.mode(2_000.0, Op::Nonblocking, Arg::None, nb);
    s.recv((5_000.0, 5_000.02), Outcome::WouldBlock, libc::EAGAIN);
    s.add(Lane::Peer, Op::PeerSend, (14_000.0, 14_000.1), Outcome::Sent, |c| {
        c.arg = Arg::Text(5);
        c.bytes = Some(5);
    });
    s.recv((21_000.0, 21_000.05), Outcome::Data, 0);
    s.mode(30_000.0, Op::Blocking, Arg::None, Mode::default());
    let r = s.begin(Lane::Sock(1), Op::Recv, 32_000.0, Arg::Size(1024));
    s.add(Lane::Peer, Op::PeerClose, (38_000.0, 38_000.1), Outcome::Ok, |_| {});
    s.end(r, Lane::Sock(1), 38_000.3, Outcome::Eof, 0);
    s.app(sock(PyMode::Blocking, false, 0), 41_000.0)
}
