//! Screens at 80×24 and 120×36 where the panes must make room: the call
//! pane follows the call that last changed state, marks the text it cuts
//! and scrolls; the sockets pane gives one row to each socket but the
//! current one; addresses are cut with a `…`; the CPU meter gives way to
//! the status message. Fixed records, so the screens are deterministic.

mod tui_fixtures;

use std::time::Duration;

use insta::assert_snapshot;
use sockscope::record::{
    Arg, CallEnd, Event, KernelView, Lane, Mode, Op, Outcome, PyMode, Record, SockInfo, SockKind,
};
use sockscope::tui::app::{App, DetailScroll, Status, Store};
use sockscope::tui::panes;
use tui_fixtures::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 36)];

/// The screen's rows as text.
fn rows(app: &App, w: u16, h: u16) -> Vec<String> {
    let t = screen(app, w, h);
    let buf = t.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect()).collect()
}

fn nonblocking() -> Mode {
    Mode { py: PyMode::NonBlocking, ..Mode::default() }
}

/// `r`, then `b` while the recv blocks, then something from the peer at
/// 2 s that ends the recv as `outcome`.
fn released(peer: Op, outcome: Outcome, errno: i32, data: Option<&[u8]>) -> Record {
    let mut rec = opened();
    let mut r = call(2, Lane::Sock(1), Op::Recv, 1_000 * MS, None, Outcome::Blocking);
    r.arg = Arg::Size(1024);
    rec.apply(&Event::Begin(r));
    let mut m = call(3, Lane::Sock(1), Op::Nonblocking, 1_500 * MS, Some(1_500 * MS + 9_000), Outcome::Ok);
    m.mode = nonblocking();
    m.kernel = Some(KernelView { nonblock: true, rcvtimeo_us: 0, sndtimeo_us: 0 });
    rec.apply(&Event::Instant(m));
    let mut p = call(4, Lane::Peer, peer, 2_000 * MS, Some(2_000 * MS + 30_000), Outcome::Ok);
    if let Some(d) = data {
        (p.arg, p.outcome, p.bytes, p.preview) =
            (Arg::Text(d.len() as u64), Outcome::Sent, Some(d.len() as u64), Some(d.into()));
    }
    let end = 2_000 * MS + 80_000;
    rec.apply(&Event::End(CallEnd {
        seq: 2,
        lane: Lane::Sock(1),
        end_ns: end,
        outcome,
        errno,
        bytes: data.map(|d| d.len() as u64),
        preview: data.map(Into::into),
        arg: None,
        traced: None,
    }));
    // The peer's record arrives after our recv's end, as it can live.
    rec.apply(&Event::Instant(p));
    rec
}

fn late_data() -> App {
    let rec = released(Op::PeerSend, Outcome::Data, 0, Some(b"late"));
    let mut a = app(rec, sock(PyMode::NonBlocking, true, 0), 2_500 * MS);
    a.status = Some(Status::Info(":peer send \"late\"".into()));
    a
}

fn reset() -> App {
    let rec = released(Op::PeerReset, Outcome::Error, 104, None);
    let mut a = app(rec, sock(PyMode::NonBlocking, true, 0), 2_500 * MS);
    a.status = Some(Status::Info(":peer reset".into()));
    a
}

/// Item 1: the recv released by the peer's data is the call explained,
/// not the mode change issued after it.
#[test]
fn follows_the_recv_released_after_a_mode_change() {
    for (w, h) in SIZES {
        let a = late_data();
        let text = rows(&a, w, h).join("\n");
        assert!(text.contains("#1 recv 1024 → data 4") && !text.contains("mode set"), "{text}");
        assert_snapshot!(format!("late_data_{w}x{h}"), screen(&a, w, h).backend());
    }
}

/// Item 1 and 4: our recv's ECONNRESET is explained rather than the peer's
/// reset; at 80×24 its explanation is cut, marked, and can be scrolled.
#[test]
fn a_reset_recv_is_explained_cut_with_a_mark_and_scrolled() {
    for (w, h) in SIZES {
        let mut a = reset();
        let text = rows(&a, w, h).join("\n");
        assert!(text.contains("#1 recv 1024 → error ECONNRESET"), "{text}");
        assert_snapshot!(format!("reset_{w}x{h}"), screen(&a, w, h).backend());
        // Scrolled further than the text goes: kept within it, to its end.
        a.detail_scroll = DetailScroll { call: a.shown_index(), rows: 40 };
        let pane = detail_rows(&a, w, h);
        assert!(pane.iter().all(|r| !r.contains("…│") && !r.contains('↓')), "nothing below: {pane:#?}");
        assert!(pane.iter().any(|r| r.contains("EPIPE")), "the why's last words show: {pane:#?}");
        assert_snapshot!(format!("reset_scrolled_{w}x{h}"), screen(&a, w, h).backend());
    }
    let pane = detail_rows(&reset(), 80, 24);
    let bottom = pane.last().unwrap();
    assert!(bottom.contains("↓ 9 more · { } scroll"), "{bottom}");
    assert!(
        pane[pane.len() - 2].trim_end_matches('│').trim_end().ends_with('…'),
        "the last row is marked: {pane:#?}"
    );
    let pane = detail_rows(&reset(), 120, 36);
    assert!(pane.iter().all(|r| !r.contains("more")), "at 120×36 it all fits: {pane:#?}");
}

/// The call pane's rows, borders included.
fn detail_rows(a: &App, w: u16, h: u16) -> Vec<String> {
    let d = sockscope::tui::ui::layout(ratatui::layout::Rect::new(0, 0, w, h), a).detail;
    let all = rows(a, w, h);
    (d.y..d.bottom())
        .map(|y| all[y as usize].chars().skip(d.x as usize).take(d.width as usize).collect())
        .collect()
}

/// `{` and `}` scroll the call pane, within its text; the wheel too.
#[test]
fn keys_scroll_the_call_pane_within_its_text() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
    let mut a = reset();
    a.size = ratatui::layout::Rect::new(0, 0, 80, 24);
    let press = |a: &mut App, c: char, n: usize| {
        (0..n).for_each(|_| a.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT)))
    };
    press(&mut a, '}', 3);
    assert_eq!(a.detail_offset(), 3);
    press(&mut a, '}', 50);
    assert_eq!(a.detail_offset(), 9, "no further than the text goes");
    press(&mut a, '{', 1);
    assert_eq!(a.detail_offset(), 8);
    let d = sockscope::tui::ui::layout(a.size, &a).detail;
    let wheel = |kind| MouseEvent { kind, column: d.x + 2, row: d.y + 2, modifiers: KeyModifiers::NONE };
    a.on_mouse(wheel(MouseEventKind::ScrollUp));
    assert_eq!(a.detail_offset(), 6);
    a.on_mouse(wheel(MouseEventKind::ScrollUp));
    assert_eq!(a.detail_offset(), 4);
}

/// The scroll belongs to the call shown: another call starts at the top.
#[test]
fn the_scroll_is_for_the_call_shown() {
    let mut a = reset();
    a.detail_scroll = DetailScroll { call: a.shown_index(), rows: 3 };
    assert_eq!(a.detail_offset(), 3);
    a.view.selected = Some(0);
    assert_eq!(a.detail_offset(), 0);
}

fn info(id: u32, kind: SockKind, fd: i32, local: &str, remote: Option<&str>) -> SockInfo {
    SockInfo {
        id,
        kind,
        fd,
        local: addr(local),
        remote: remote.and_then(addr),
        local_path: None,
        remote_path: None,
        pair: None,
        mode: None,
        pid: None,
    }
}

fn row(info: SockInfo, mode: Mode, nonblock: bool, queues: Option<(u32, u32)>) -> SockRow {
    SockRow {
        info,
        mode,
        kernel: Some(KernelView { nonblock, rcvtimeo_us: 0, sndtimeo_us: 0 }),
        queues,
        closed: false,
    }
}

/// Four sockets, #2 current (it has a data recv in its lane).
fn four_sockets() -> App {
    let mut rec = wouldblock_record();
    let two = info(2, SockKind::TcpClient, 6, "127.0.0.1:51002", Some(PEER));
    rec.apply(&Event::Socket(two.clone()));
    let mut r = call(10, Lane::Sock(2), Op::Recv, 2_600 * MS, Some(2_600 * MS + 40_000), Outcome::Data);
    (r.arg, r.bytes, r.preview) = (Arg::Size(1024), Some(5), Some(b"hello".to_vec().into()));
    rec.apply(&Event::Instant(r));
    let timeout = Mode { py: PyMode::Timeout(Duration::from_millis(200)), ..Mode::default() };
    let rows = vec![
        row(
            info(1, SockKind::TcpClient, 5, "127.0.0.1:51000", Some(PEER)),
            nonblocking(),
            true,
            Some((0, 0)),
        ),
        row(two, timeout, true, Some((0, 0))),
        row(info(3, SockKind::TcpListener, 7, "127.0.0.1:40001", None), Mode::default(), false, None),
        row(
            info(4, SockKind::Udp, 8, "127.0.0.1:57833", Some("127.0.0.1:40372")),
            Mode::default(),
            false,
            Some((0, 0)),
        ),
    ];
    let mut a = app_with(rec, rows, 3_000 * MS);
    if let Store::Fixed(rec) = &mut a.store {
        rec.apply(&Event::Use(2));
    }
    a.status = Some(Status::Info(":use 2".into()));
    a
}

/// Item 4: one row per socket, the current one expanded; the call pane
/// keeps room for its `py` and `why`.
#[test]
fn four_sockets_expand_only_the_current_one() {
    for (w, h) in SIZES {
        let a = four_sockets();
        let text = rows(&a, w, h).join("\n");
        for want in ["▸#2 tcp", " #1 tcp  nonblocking", " #3 tcp listener", " #4 udp", "py  ", "why "] {
            assert!(text.contains(want), "{want:?} missing at {w}x{h}:\n{text}");
        }
        assert_eq!(text.matches("you set").count(), 1, "only the current socket is expanded");
        assert_snapshot!(format!("four_sockets_{w}x{h}"), screen(&a, w, h).backend());
    }
}

/// A click lands on the socket drawn on that row.
#[test]
fn clicks_hit_the_rows_drawn() {
    let a = four_sockets();
    let area = sockscope::tui::ui::layout(ratatui::layout::Rect::new(0, 0, 80, 24), &a).sockets;
    let hit = |y| panes::sockets::hit(area, &a, area.y + y);
    assert_eq!(
        [hit(1), hit(2), hit(6), hit(7), hit(8), hit(9)],
        [Some(1), Some(2), Some(2), Some(3), Some(4), None]
    );
}

/// Item 4: long addresses and paths are cut with a `…`, keeping their ends;
/// big queues keep their numbers.
fn long_addresses() -> App {
    let tcp = info(1, SockKind::TcpClient, 5, "127.0.0.1:51000", Some("127.0.0.1:8080"));
    let mut unix = info(2, SockKind::UnixClient, 6, "127.0.0.1:0", None);
    unix.local = None;
    unix.local_path = Some("/tmp/sockscope-48213-0/a-socket-with-a-rather-long-name.sock".into());
    unix.remote_path = Some("/var/run/some-service/with-a-long-directory/listener.sock".into());
    let mut rec = Record::new();
    rec.apply(&Event::Socket(unix.clone()));
    let mut r = call(1, Lane::Sock(2), Op::Recv, 1_000 * MS, Some(1_000 * MS + 30_000), Outcome::Data);
    (r.arg, r.bytes, r.preview) = (Arg::Size(1024), Some(5), Some(b"hello".to_vec().into()));
    rec.apply(&Event::Instant(r));
    let slow = Mode {
        py: PyMode::Timeout(Duration::from_millis(2500)),
        rcvtimeo: Some(Duration::from_secs(1)),
        sndtimeo: None,
    };
    let rows = vec![
        row(tcp, slow, true, Some((0, 0))),
        row(unix, Mode::default(), false, Some((131_072, 2_626_560))),
    ];
    let mut a = app_with(rec, rows, 2_000 * MS);
    if let Store::Fixed(rec) = &mut a.store {
        rec.apply(&Event::Use(2));
    }
    a.status =
        Some(Status::Info(":open unix /var/run/some-service/with-a-long-directory/listener.sock".into()));
    a
}

#[test]
fn long_addresses_are_cut_with_a_mark() {
    for (w, h) in SIZES {
        let a = long_addresses();
        let lines = rows(&a, w, h);
        let text = lines.join("\n");
        if w == 80 {
            for want in ["▸#2 unix …me.sock ⇄ …y/listener.sock", " #1 tcp  timeout 2.5 rcvtimeo 1  …80│"]
            {
                assert!(text.contains(want), "{want:?} missing:\n{text}");
            }
        }
        let queues =
            if w == 80 { ["rx 131072", "tx 2626560"] } else { ["rx-queue 131072", "tx-queue 2626560"] };
        assert!(queues.iter().all(|q| text.contains(q)), "narrow: short names, never a cut number: {text}");
        assert_snapshot!(format!("long_addresses_{w}x{h}"), screen(&a, w, h).backend());
    }
}

/// Item 4: the CPU meter shortens, then goes, rather than cut the status
/// message; a message longer than the line is cut with a mark.
#[test]
fn the_cpu_meter_gives_way_to_the_status() {
    let long = ":send \"the quick brown fox jumps over the lazy dog, then keeps on running past the meter\"";
    let mid = ":send \"a status line of some seventy-four characters, all of them\"";
    for (w, h) in SIZES {
        let mut a = first_screen();
        a.cpu.percent = Some(37);
        a.status = Some(Status::Info(long.into()));
        assert_snapshot!(format!("status_long_{w}x{h}"), screen(&a, w, h).backend());
        let status = |a: &App| format!("{}", pane(a, w, 1, panes::prompt::render_status).backend());
        let line = status(&a);
        if w == 80 {
            assert!(line.contains("running …") || line.contains('…'), "{line}");
            assert!(!line.contains("37%"), "no room: the meter goes: {line}");
        } else {
            assert!(line.contains("past the meter\"") && line.contains("cpu 37%"), "{line}");
        }
        a.status = Some(Status::Info(mid.into()));
        let line = status(&a);
        assert!(line.contains("all of them\""), "{line}");
        assert!(line.contains(if w == 80 { " 37%" } else { "cpu 37%" }), "{line}");
    }
}

/// A long error is not cut: the status line takes up to three rows for it,
/// so every word of it can be read; the hints stay on the last row.
#[test]
fn a_long_error_wraps_rather_than_being_cut() {
    let error = "error: cannot resolve `[fe80::1%nosuchzone]:80`: failed to lookup address information: \
                 Name or service not known";
    for (w, h) in SIZES {
        let mut a = first_screen();
        a.cpu.percent = Some(37);
        a.status = Some(Status::Error(error.into()));
        let lines = rows(&a, w, h);
        let text = lines.join("\n");
        let words: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains(error), "every word of it, in order:\n{text}");
        assert!(lines.last().is_some_and(|l| l.contains("q quit")), "the hints stay:\n{text}");
        assert_snapshot!(format!("status_error_{w}x{h}"), screen(&a, w, h).backend());
    }
}
