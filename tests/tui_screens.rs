//! Screens for the options and the newer panes, from fixed records:
//! NO_COLOR, ASCII, high contrast and rebound keys; client, loop and peer
//! lanes; a busy-poll drawn aggregated; the kernel inspector; hex payloads;
//! the CPU reading; a replay stepped half-way.

mod tui_fixtures;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insta::assert_snapshot;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use sockscope::config::Config;
use sockscope::lab::sample::Inspection;
use sockscope::record::call::{SpinArg, SpinStats};
use sockscope::record::dense::{Dense, DenseOutcome};
use sockscope::record::file::Stamped;
use sockscope::record::{Arg, CallEnd, Event, KernelView, Lane, Mode, Op, Outcome, PyMode, Record};
use sockscope::tui::app::App;
use sockscope::tui::panes;
use sockscope::tui::theme::Theme;
use tui_fixtures::*;

fn text_of(buf: &Buffer) -> String {
    buf.content().iter().map(|c| c.symbol()).collect()
}

#[test]
fn screen_no_color() {
    let mut a = wouldblock();
    a.theme = Theme::MONO;
    a.view.selected = Some(2);
    let t = screen(&a, 100, 30);
    let buf = t.backend().buffer();
    assert!(buf.content().iter().all(|c| c.fg == Color::Reset && c.bg == Color::Reset), "a colour was set");
    assert!(buf.content().iter().any(|c| c.modifier.contains(Modifier::REVERSED)), "the selection shows");
    assert!(buf.content().iter().any(|c| c.modifier.contains(Modifier::BOLD)));
    assert_snapshot!(t.backend());
}

#[test]
fn screen_ascii_80x24() {
    let mut a = app(completed(), sock(PyMode::Blocking, false, 0), 2_500 * MS);
    a.theme = Theme { ascii: true, ..Theme::DEFAULT };
    let t = screen(&a, 80, 24);
    let text = text_of(t.backend().buffer());
    assert!(text.is_ascii(), "non-ASCII on an --ascii screen: {text}");
    assert_snapshot!(t.backend());
}

#[test]
fn high_contrast_is_bright_and_bold() {
    let mut a = app(completed(), sock(PyMode::Blocking, false, 0), 2_500 * MS);
    a.theme = Theme::HIGH_CONTRAST;
    let t = pane(&a, 40, 6, panes::timeline::render);
    let buf = t.backend().buffer();
    let data = buf.content().iter().find(|c| c.symbol() == "●").expect("the data glyph");
    assert_eq!(data.fg, Color::LightGreen);
    assert!(data.modifier.contains(Modifier::BOLD));
    assert!(buf.content().iter().all(|c| c.fg != Color::DarkGray), "grey washes out on a projector");
    assert_snapshot!(format!("{buf:?}"));
}

#[test]
fn screen_help_rebound() {
    let cfg = Config::parse(
        "recv_size = 4096\n[keys]\nrecv = \"R\"\nquit = \"ctrl-q\"\nzoom-in = \"f\"\nfollow = \"F\"\n",
    )
    .unwrap();
    let mut a = first_screen();
    a.configure(&cfg);
    a.help = true;
    let t = screen(&a, 80, 24);
    let text = text_of(t.backend().buffer());
    assert!(text.contains(" R         recv 4096 bytes"), "{text}");
    assert!(text.contains("C-q"), "{text}");
    assert_snapshot!(t.backend());
    a.help = false;
    let hints = text_of(screen(&a, 80, 24).backend().buffer());
    assert!(hints.contains("R recv") && hints.contains("C-q quit"), "the hint line follows the rebind");
}

/// A listener serving two clients through the event loop, and the summary.
fn served() -> App {
    let mut tl = Record::new();
    tl.apply(&Event::Socket(sock(PyMode::Blocking, false, 0).info));
    let mut seq = 0;
    let mut add = |lane, op, start_ms: u64, end_ms: u64, outcome, arg| {
        seq += 1;
        let mut c = call(seq, lane, op, start_ms * MS, Some(end_ms * MS), outcome);
        c.arg = arg;
        tl.apply(&Event::Instant(c));
    };
    add(Lane::Sock(1), Op::Listen, 10, 10, Outcome::Ok, Arg::None);
    add(Lane::Client(1), Op::PeerConnect, 200, 200, Outcome::Connected, Arg::None);
    add(Lane::Client(2), Op::PeerConnect, 200, 200, Outcome::Connected, Arg::None);
    add(Lane::Loop, Op::PollWait, 100, 400, Outcome::Ok, Arg::PollWait { timeout: None, events: Some(2) });
    add(Lane::Loop, Op::Ready, 400, 400, Outcome::Ready, Arg::Ready(1, 1));
    add(Lane::Loop, Op::Ready, 400, 400, Outcome::Ready, Arg::Ready(2, 1));
    for (k, start, end) in [(1, 300, 700), (2, 400, 1900)] {
        add(Lane::Client(k), Op::PeerSend, start, start, Outcome::Sent, Arg::Text(7));
        add(Lane::Client(k), Op::PeerRecv, end, end, Outcome::Data, Arg::Size(65536));
        add(Lane::Client(k), Op::Request, start, end, Outcome::Data, Arg::None);
    }
    add(
        Lane::Peer,
        Op::Summary,
        1900,
        1900,
        Outcome::Ok,
        Arg::Waits(vec![(1, 400 * MS), (2, 1_500 * MS)].into()),
    );
    let mut listener = sock(PyMode::Blocking, false, 0);
    listener.info.kind = sockscope::record::SockKind::TcpListener;
    app(tl, listener, 2_200 * MS)
}

#[test]
fn pane_timeline_clients_loop_and_summary() {
    let a = served();
    let t = pane(&a, 70, 14, panes::timeline::render);
    let text = text_of(t.backend().buffer());
    assert!(text.contains("◉1◉2"), "readiness names the sockets: {text}");
    assert!(text.contains("echo after 1.50s"), "a request is a span from send to echo");
    assert_snapshot!(t.backend());
}

#[test]
fn lanes_scroll_to_keep_the_focus_on_screen() {
    let mut a = served();
    a.view.selected = Some(a.timeline().lane(Lane::Client(2))[2] as usize);
    let text = text_of(pane(&a, 70, 7, panes::timeline::render).backend().buffer());
    assert!(text.contains("c2"), "the selected call's lane is shown: {text}");
    assert!(!text.contains("#1"), "the top lanes scrolled away");
    assert!(text.contains("↑"), "and it says so");
}

/// `spin recv` from 1.0 s for 0.8 s, 10 µs a call: wouldblock, with data in
/// one stretch; a small history cap folds the oldest calls away.
fn spun(cap: usize) -> App {
    let mut tl = {
        let mut r = Record::new();
        r.set_history_cap(cap);
        r.apply(&Event::Socket(sock(PyMode::Blocking, false, 0).info));
        r
    };
    let mut nb = call(1, Lane::Sock(1), Op::Nonblocking, 900 * MS, Some(900 * MS), Outcome::Ok);
    nb.mode = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    tl.apply(&Event::Instant(nb));
    let mut s = call(2, Lane::Sock(1), Op::Spin, 1_000 * MS, None, Outcome::Blocking);
    s.arg = Arg::Size(64);
    tl.apply(&Event::Begin(s));
    let calls: Vec<Dense> = (0..80_000u64)
        .map(|i| {
            let data = (40_000..40_100).contains(&i);
            let outcome = if data { DenseOutcome::Data } else { DenseOutcome::WouldBlock };
            Dense { start_ns: 1_000 * MS + i * 10_000, dur_ns: 10_000, bytes: 0, outcome, errno: 0 }
        })
        .collect();
    tl.apply(&Event::Dense { lane: Lane::Sock(1), calls });
    let stats =
        SpinStats { calls: 80_000, wouldblock: 79_900, data: 100, bytes: 100, ..SpinStats::default() };
    tl.apply(&Event::End(CallEnd {
        seq: 2,
        lane: Lane::Sock(1),
        end_ns: 1_800 * MS,
        outcome: Outcome::WouldBlock,
        errno: 11,
        bytes: Some(0),
        preview: None,
        arg: Some(Arg::Spin(Box::new(SpinArg { size: 64, count: Some(80_000), for_ns: None, stats }))),
        traced: None,
    }));
    app(tl, sock(PyMode::NonBlocking, true, 0), 2_500 * MS)
}

#[test]
fn pane_timeline_spin_aggregated() {
    let a = spun(1 << 20);
    let t = pane(&a, 60, 8, panes::timeline::render);
    let text = text_of(t.backend().buffer());
    assert!(text.contains("WWWWWWWW"), "one W per cell: {text}");
    assert!(text.contains("▅▅▅▅▅▅▅▅"), "10k calls a cell: {text}");
    assert!(text.contains("◆WWWW") && text.contains("nonblocking, 80k calls"), "both labelled: {text}");
    assert_snapshot!(t.backend());
    let wide = text_of(pane(&a, 90, 8, panes::timeline::render).backend().buffer());
    assert!(wide.contains("nonblocking, 80k calls: W 79k, data 100"), "{wide}");
}

#[test]
fn pane_timeline_spin_folded() {
    let a = spun(32_768);
    let t = pane(&a, 60, 8, panes::timeline::render);
    let text = text_of(t.backend().buffer());
    assert!(text.contains("░"), "folded cells are marked: {text}");
    assert!(text.contains("49k calls folded"), "{text}");
    assert_snapshot!(t.backend());
    let detail = text_of(pane(&a, 60, 12, panes::detail::render).backend().buffer());
    assert!(detail.contains("folded  49k older calls"), "{detail}");
}

#[test]
fn status_shows_cpu() {
    let mut a = first_screen();
    a.cpu.percent = Some(98);
    let t = screen(&a, 80, 24);
    let buf = t.backend().buffer();
    let status: String = (0..80).map(|x| buf[(x, 22)].symbol()).collect::<String>();
    assert!(status.trim_end().ends_with("cpu 98%"), "{status:?}");
}

#[test]
fn screen_inspector_80x24() {
    let mut a = wouldblock();
    a.inspector = true;
    a.inspection = Some(Inspection {
        fd: 5,
        nonblock: true,
        rcvtimeo_us: 0,
        sndtimeo_us: 250_000,
        rcvbuf: 131_072,
        sndbuf: 2_626_560,
        queued_in: 5,
        queued_out: 0,
        tcp_state: Some("ESTABLISHED".into()),
        revents: libc::POLLIN | libc::POLLOUT,
    });
    let t = screen(&a, 80, 24);
    let text = text_of(t.backend().buffer());
    assert!(text.contains("POLLIN|POLLOUT") && text.contains("ESTABLISHED") && text.contains("in 5  out 0"));
    assert_snapshot!(t.backend());
}

#[test]
fn pane_detail_hex() {
    let mut a = app(completed(), sock(PyMode::Blocking, false, 0), 2_500 * MS);
    a.hex = true;
    let t = pane(&a, 44, 12, panes::detail::render);
    let text = text_of(t.backend().buffer());
    assert!(text.contains("68 69 1b 5b 32 4a 0d 0a  hi.[2J.."), "{text}");
    assert!(!text.chars().any(|c| c.is_control()), "a raw control byte reached the screen");
    assert_snapshot!(t.backend());
}

/// A recording of `open tcp`, `nonblocking`, a wouldblock, then a blocking
/// recv that the peer's send completes.
fn recording() -> Vec<Stamped> {
    let row = sock(PyMode::Blocking, false, 0);
    let nb = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    let mut events = vec![(MS, Event::Socket(row.info.clone()))];
    let mut open = call(1, Lane::Sock(1), Op::Open, MS, Some(MS + 120_000), Outcome::Connected);
    open.arg = Arg::Proto(sockscope::command::Proto::Tcp, addr(PEER));
    events.push((MS + 130_000, Event::Instant(open)));
    let mut m = call(2, Lane::Sock(1), Op::Nonblocking, 1_000 * MS, Some(1_000 * MS + 9_000), Outcome::Ok);
    m.mode = nb;
    m.kernel = Some(KernelView { nonblock: true, rcvtimeo_us: 0, sndtimeo_us: 0 });
    events.push((1_000 * MS + 10_000, Event::Instant(m)));
    let mut r = call(3, Lane::Sock(1), Op::Recv, 2_500 * MS, Some(2_500 * MS + 12_000), Outcome::WouldBlock);
    (r.arg, r.mode, r.errno) = (Arg::Size(1024), nb, 11);
    events.push((2_500 * MS + 20_000, Event::Instant(r)));
    let mut b = call(4, Lane::Sock(1), Op::Blocking, 3_000 * MS, Some(3_000 * MS + 8_000), Outcome::Ok);
    b.kernel = Some(KernelView { nonblock: false, rcvtimeo_us: 0, sndtimeo_us: 0 });
    events.push((3_000 * MS + 10_000, Event::Instant(b)));
    let mut r = call(5, Lane::Sock(1), Op::Recv, 3_200 * MS, None, Outcome::Blocking);
    r.arg = Arg::Size(1024);
    events.push((3_200 * MS + 5_000, Event::Begin(r)));
    let mut p = call(6, Lane::Peer, Op::PeerSend, 4_000 * MS, Some(4_000 * MS + 30_000), Outcome::Sent);
    (p.arg, p.bytes, p.preview) = (Arg::Text(5), Some(5), Some(b"hello".to_vec().into()));
    events.push((4_000 * MS + 40_000, Event::Instant(p)));
    let end = CallEnd {
        seq: 5,
        lane: Lane::Sock(1),
        end_ns: 4_000 * MS + 80_000,
        outcome: Outcome::Data,
        errno: 0,
        bytes: Some(5),
        preview: Some(b"hello".to_vec().into()),
        arg: None,
        traced: None,
    };
    events.push((4_000 * MS + 90_000, Event::End(end)));
    events.into_iter().map(|(t_ns, ev)| Stamped { t_ns, ev }).collect()
}

#[test]
fn screen_replay_midway() {
    let opts = sockscope::tui::Options::default();
    let mut a = sockscope::tui::replay_app("session.jsonl", recording(), &opts);
    a.theme = THEME;
    for _ in 0..6 {
        a.on_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
        a.refresh();
    }
    assert_eq!(a.player().unwrap().position(), (6, 8));
    let t = screen(&a, 100, 30);
    let text = text_of(t.backend().buffer());
    assert!(text.contains("event 6/8") && text.contains("‖ paused"), "{text}");
    assert!(text.contains("blocking"), "the recv is blocked at this point of the recording");
    assert_snapshot!(t.backend());
}

#[test]
fn screen_glossary_80x24() {
    let mut a = first_screen();
    a.help = true;
    a.glossary = true;
    let t = screen(&a, 80, 24);
    let text = format!("{}", t.backend());
    for (term, _) in sockscope::tui::panes::glossary::TERMS {
        assert!(text.contains(&format!("{term}:")), "{term} is on the page");
    }
    insta::assert_snapshot!(t.backend());
}
