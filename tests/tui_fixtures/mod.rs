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
