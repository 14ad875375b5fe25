//! Fixed records for TUI tests: fixed times, ports and fds, so screens
//! are deterministic. Each test file uses a different part of this.

#![allow(dead_code)]

use std::net::SocketAddr;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockscope::lab::{
    Arg, Call, CallEnd, KernelView, LabEvent, Lane, Mode, Op, Outcome, PyMode, SockInfo, SockKind, Timeline,
};
use sockscope::tui::app::{App, SockRow, Status};
use sockscope::tui::theme::Theme;
use sockscope::tui::ui;

pub const MS: u64 = 1_000_000;
pub const THEME: Theme = Theme::DEFAULT;

pub fn addr(s: &str) -> Option<SocketAddr> {
    Some(s.parse().unwrap())
}

pub const PEER: &str = "127.0.0.1:40000";

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
    }
}

/// `open tcp` connected at t≈1ms, as at start-up.
pub fn opened() -> Timeline {
    let mut tl = Timeline::default();
    let mut c = call(1, Lane::Sock(1), Op::Open, MS, Some(MS + 120_000), Outcome::Connected);
    c.arg = Arg::Proto(sockscope::command::Proto::Tcp, addr(PEER));
    tl.apply(&LabEvent::Instant(c));
    tl
}

pub fn app(tl: Timeline, row: SockRow, now: u64) -> App {
    let mut app = App::fixed(tl, vec![row], now, THEME);
    app.peer_addr = addr(PEER);
    app
}

pub fn first_screen() -> App {
    let mut a = app(opened(), sock(PyMode::Blocking, false, 0), 2_000 * MS);
    a.status = Some(Status::Info(":open tcp".into()));
    a
}

/// `nonblocking`, then `recv` → wouldblock.
pub fn wouldblock() -> App {
    let mut tl = opened();
    let nb = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    let mut m = call(2, Lane::Sock(1), Op::Nonblocking, 1_000 * MS, Some(1_000 * MS + 9_000), Outcome::Ok);
    m.mode = nb;
    m.kernel = Some(KernelView { nonblock: true, rcvtimeo_us: 0, sndtimeo_us: 0 });
    tl.apply(&LabEvent::Instant(m));
    let mut r = call(3, Lane::Sock(1), Op::Recv, 2_500 * MS, Some(2_500 * MS + 12_000), Outcome::WouldBlock);
    r.arg = Arg::Size(1024);
    r.mode = nb;
    r.errno = 11;
    tl.apply(&LabEvent::Instant(r));
    let mut a = app(tl, sock(PyMode::NonBlocking, true, 0), 3_000 * MS);
    a.status = Some(Status::Info(":recv".into()));
    a
}

/// A blocking recv begun at 1 s, drawn at 3.31 s.
pub fn blocking() -> App {
    let mut tl = opened();
    let mut r = call(2, Lane::Sock(1), Op::Recv, 1_000 * MS, None, Outcome::Blocking);
    r.arg = Arg::Size(1024);
    tl.apply(&LabEvent::Begin(r));
    app(tl, sock(PyMode::Blocking, false, 0), 3_310 * MS)
}

/// The blocked recv completed by the peer's `send "hello"`, with escapes.
pub fn completed() -> Timeline {
    let mut tl = opened();
    let mut r = call(2, Lane::Sock(1), Op::Recv, 1_000 * MS, None, Outcome::Blocking);
    r.arg = Arg::Size(1024);
    tl.apply(&LabEvent::Begin(r));
    let mut p = call(3, Lane::Peer, Op::Send, 2_000 * MS, Some(2_000 * MS + 30_000), Outcome::Sent);
    p.arg = Arg::Text(8);
    p.bytes = Some(8);
    p.preview = Some(b"hi\x1b[2J\r\n".to_vec().into());
    tl.apply(&LabEvent::Instant(p));
    tl.apply(&LabEvent::End(CallEnd {
        seq: 2,
        lane: Lane::Sock(1),
        end_ns: 2_000 * MS + 80_000,
        outcome: Outcome::Data,
        errno: 0,
        bytes: Some(8),
        preview: Some(b"hi\x1b[2J\r\n".to_vec().into()),
        arg: None,
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
