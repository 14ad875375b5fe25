//! `compare` below the screen: the summary's arithmetic on hand-built
//! records, the one clock two labs share, and the view's arithmetic over
//! two sides (fitting the whole run, moving up and down across sides).

use std::path::Path;
use std::time::{Duration, Instant};

use sockscope::command::{Located, parse_line};
use sockscope::exec::{Executor, Session, Tick};
use sockscope::record::quiet::Quiet;
use sockscope::record::{Arg, Call, Event, Lane, Mode, Op, Outcome, Record, SpinArg, SpinStats};
use sockscope::tui::compare::summary::{BLOCKED_MIN, Summary};
use sockscope::tui::compare::{Compare, Run, Script};
use sockscope::tui::view::{Row, TimelineView, across};

const MS: u64 = 1_000_000;

/// A finished call from `start` to `end` (ms), with `outcome`.
fn call(seq: u64, lane: Lane, op: Op, (start, end): (u64, u64), outcome: Outcome) -> Event {
    let c = Call::begin(seq, lane, op, Arg::None, Mode::default(), start * MS);
    Event::Instant(c.ended(end * MS, outcome))
}

fn record(events: &[Event]) -> Record {
    let mut r = Record::new();
    events.iter().for_each(|e| r.apply(e));
    r
}

fn tally(s: &Summary) -> Vec<(&'static str, u64)> {
    s.tally.iter().map(|&(_, w, n)| (w, n)).collect()
}

#[test]
fn blocked_sums_our_calls_that_waited_and_leaves_out_the_peer_spins_and_set_up() {
    let spin = SpinArg {
        size: 1024,
        count: Some(1001),
        for_ns: None,
        stats: SpinStats { calls: 1001, wouldblock: 1000, data: 1, ..SpinStats::default() },
    };
    let mut spin_call =
        Call::begin(9, Lane::Sock(2), Op::Spin, Arg::Spin(Box::new(spin)), Mode::default(), 500 * MS);
    spin_call = spin_call.ended(550 * MS, Outcome::Data);
    let events = [
        call(1, Lane::Script, Op::Say, (0, 0), Outcome::Ok),
        call(2, Lane::Sock(1), Op::Open, (1, 40), Outcome::Connected),
        call(3, Lane::Sock(1), Op::Nonblocking, (41, 42), Outcome::Ok),
        // Waited 300 ms: blocked.
        call(4, Lane::Sock(1), Op::Recv, (50, 350), Outcome::Data),
        // Returned at once: counted, not blocked.
        Event::Instant(
            Call::begin(5, Lane::Sock(1), Op::Recv, Arg::None, Mode::default(), 360 * MS)
                .ended(360 * MS + 20_000, Outcome::WouldBlock),
        ),
        call(6, Lane::Sock(1), Op::Send, (361, 361), Outcome::Sent),
        // The event loop waited 200 ms.
        call(7, Lane::Loop, Op::PollWait, (370, 570), Outcome::Ok),
        // The peer is the other end: never ours, however long it took.
        call(8, Lane::Peer, Op::PeerSend, (100, 400), Outcome::Sent),
        Event::Instant(spin_call),
        // Still in the kernel at 1000 ms: counts until now.
        Event::Begin(Call::begin(10, Lane::Sock(1), Op::Recv, Arg::None, Mode::default(), 900 * MS)),
    ];
    let s = Summary::of(&record(&events), 1000 * MS);
    assert_eq!(s.wall, Duration::from_millis(1000), "from the first record's start to now");
    assert_eq!(s.blocked, Duration::from_millis(300 + 200 + 100));
    assert_eq!(s.blocked_calls, 3);
    assert_eq!(s.blocking, 1);
    assert_eq!(
        tally(&s),
        [("data", 2), ("sent", 1), ("wouldblock", 1001), ("poll wait", 1), ("blocking", 1)],
        "the spin's calls count one by one"
    );
    assert_eq!(s.calls(), 1006);
    assert_eq!(s.slowest_client, None);
}

#[test]
fn a_call_counts_as_blocked_from_one_millisecond() {
    let at = |seq, start: u64, took: u64| {
        let c = Call::begin(seq, Lane::Sock(1), Op::Recv, Arg::None, Mode::default(), start);
        Event::Instant(c.ended(start + took, Outcome::Data))
    };
    let min = BLOCKED_MIN.as_nanos() as u64;
    let r = record(&[at(1, 0, min - 1), at(2, 10 * MS, min)]);
    let s = Summary::of(&r, 20 * MS);
    assert_eq!(s.blocked, BLOCKED_MIN, "only the call that took the full millisecond");
    assert_eq!(s.blocked_calls, 1);
    assert_eq!(s.wall, Duration::from_nanos(10 * MS + min), "finished records end the wall time");
}

#[test]
fn the_slowest_client_is_the_longest_echo_and_an_empty_record_sums_to_nothing() {
    let request = |seq, k, (start, end)| call(seq, Lane::Client(k), Op::Request, (start, end), Outcome::Data);
    let r = record(&[request(1, 1, (0, 5)), request(2, 2, (0, 305)), request(3, 3, (1, 306))]);
    let s = Summary::of(&r, 400 * MS);
    assert_eq!(s.slowest_client, Some((2, Duration::from_millis(305))), "a tie goes to the first");
    assert_eq!(s.calls(), 0, "a client's request is the peer's, not ours");
    assert_eq!(s.blocked, Duration::ZERO);

    let empty = Summary::of(&Record::new(), 5 * MS);
    assert_eq!(empty, Summary::default());
}

/// Runs `lines` on `s` until the executor is idle (bounded).
fn run(s: &mut Session, lines: &[&str]) {
    let mut exec = Executor::new();
    for (i, l) in lines.iter().enumerate() {
        exec.push(Located { line: i + 1, cmd: parse_line(l).unwrap().unwrap() });
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Ok(Tick::Busy(until)) = exec.tick(s) {
        assert!(Instant::now() < deadline, "bounded");
        s.wait_event(until);
    }
}

fn first_start(s: &Session) -> u64 {
    s.record().timeline().calls().first().expect("a record").start_ns
}

/// Two labs started with one epoch time everything on one clock: a lab
/// started 150 ms later records its first call 150 ms or more after zero,
/// where a lab with its own epoch would record it near zero.
#[test]
fn two_labs_on_one_epoch_share_the_time_axis() {
    let gap = Duration::from_millis(150);
    let epoch = Instant::now();
    let mut a = Session::start_at(epoch).expect("lab A");
    run(&mut a, &["say \"A\""]);
    std::thread::sleep(gap);
    let mut b = Session::start_at(epoch).expect("lab B");
    run(&mut b, &["say \"B\""]);
    let mut own = Session::start().expect("a lab of its own");
    run(&mut own, &["say \"own\""]);

    let (ta, tb, town) = (first_start(&a), first_start(&b), first_start(&own));
    assert!(tb >= ta + gap.as_nanos() as u64, "B's first record at {tb} ns, A's at {ta} ns");
    assert!(town < gap.as_nanos() as u64, "its own epoch puts it near zero: {town} ns");
    // Read back to back, both clocks say the same time, to within the reads.
    let before = Instant::now();
    let (na, nb) = (a.now_ns(), b.now_ns());
    let spread = before.elapsed().as_nanos() as u64;
    assert!(nb >= na && nb - na <= spread, "A {na} ns, B {nb} ns, read within {spread} ns");
}

#[test]
fn a_compare_runs_both_scripts_and_reads_each_sides_figures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios/compare");
    let load = |f: &str| Script::load(&dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e:?}"));
    let (a, b) = (load("recv-blocking.scenario"), load("recv-eventloop.scenario"));
    assert_eq!(a.name, "recv-blocking.scenario");
    assert!(a.title.as_deref().is_some_and(|t| t.starts_with("A blocking recv loop")), "{:?}", a.title);
    let mut c = Compare::start(a, b).expect("two labs");
    run_both(&mut c);
    let now = c.now_ns();
    for s in c.sides.iter_mut() {
        assert!(matches!(s.run, Run::Done(_)), "{}: {:?}", s.name, s.run);
        s.read(now);
    }
    let [a, b] = &c.sides;
    // A's one thread slept in recv on #1 until its bytes came (600 ms in);
    // B's slept in epoll_wait twice. Generous bounds: a loaded machine.
    assert_eq!(a.summary.blocked_calls, 1, "{:?}", a.summary);
    assert!(a.summary.blocked >= Duration::from_millis(500), "{:?}", a.summary);
    assert_eq!(tally(&a.summary), [("data", 2)]);
    assert_eq!(b.summary.blocked_calls, 2, "{:?}", b.summary);
    assert_eq!(tally(&b.summary), [("data", 2), ("wouldblock", 2), ("poll wait", 2)]);
    for s in [a, b] {
        assert!(s.summary.wall >= Duration::from_millis(550) && s.summary.wall < Duration::from_secs(10));
        // Each side's threads did some work; the peer sent on each.
        assert!(s.cpu.ours > Duration::ZERO && s.cpu.peer > Duration::ZERO, "{}: {:?}", s.name, s.cpu);
    }
}

#[test]
fn a_missing_or_invalid_script_names_the_file_and_the_place() {
    let err = Script::load(Path::new("/nonexistent/x.scenario")).err().expect("missing");
    assert!(err[0].starts_with("/nonexistent/x.scenario: "), "{err:?}");
    let dir = std::env::temp_dir().join(format!("sockscope-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.scenario");
    std::fs::write(&bad, "open tcp\nrecv 12q\n").unwrap();
    let err = Script::load(&bad).err().expect("invalid");
    let at = format!("{}:2:6: ", bad.display());
    assert!(err.len() == 1 && err[0].starts_with(&at), "{err:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn once_fitted_the_view_holds_the_whole_run_paused() {
    let mut v = TimelineView::default();
    v.fit_to(620 * MS);
    let w = v.window(&Quiet::default(), 2_000 * MS, 63);
    assert!(!v.follow);
    assert_eq!(w.start_ns(), 0);
    assert!(w.end_ns() >= 620 * MS && w.end_ns() < 2 * 620 * MS, "all of it, and not much more: {w:?}");
}

#[test]
fn up_and_down_cross_from_one_side_to_the_other() {
    let a = record(&[call(1, Lane::Sock(1), Op::Recv, (0, 600), Outcome::Data)]);
    let b = record(&[
        call(1, Lane::Sock(1), Op::Recv, (10, 10), Outcome::WouldBlock),
        call(2, Lane::Sock(1), Op::Recv, (590, 590), Outcome::Data),
        call(3, Lane::Loop, Op::PollWait, (0, 200), Outcome::Ok),
    ]);
    let tls = [a.timeline(), b.timeline()];
    let rows = [
        Row::Head(0),
        Row::Lane(0, Lane::Sock(1)),
        Row::Lane(0, Lane::Peer),
        Row::Head(1),
        Row::Lane(1, Lane::Sock(1)),
        Row::Lane(1, Lane::Loop),
    ];
    // Down from A's #1 skips A's empty peer lane and the header: B's #1,
    // the call nearest in time.
    assert_eq!(across(&tls, &rows, Row::Lane(0, Lane::Sock(1)), 550 * MS, 1), Some((1, 1)));
    assert_eq!(across(&tls, &rows, Row::Lane(1, Lane::Sock(1)), 550 * MS, 1), Some((1, 2)));
    assert_eq!(across(&tls, &rows, Row::Lane(1, Lane::Sock(1)), 0, -1), Some((0, 0)));
    assert_eq!(across(&tls, &rows, Row::Lane(0, Lane::Sock(1)), 0, -1), None, "nothing above");

    // On a serve client's lane the request is drawn, not the calls inside
    // it: moving there selects the request.
    let c = record(&[
        call(1, Lane::Client(1), Op::Request, (0, 300), Outcome::Data),
        call(2, Lane::Client(1), Op::PeerRecv, (300, 300), Outcome::Data),
        call(3, Lane::Client(1), Op::PeerRecv, (301, 301), Outcome::Eof),
    ]);
    let rows = [Row::Lane(0, Lane::Sock(1)), Row::Lane(1, Lane::Client(1))];
    let tls = [a.timeline(), c.timeline()];
    assert_eq!(across(&tls, &rows, rows[0], 600 * MS, 1), Some((1, 0)));
}

#[test]
fn the_helps_definitions_fit_its_column() {
    for (name, rows) in sockscope::tui::compare::summary::DEFINITIONS {
        assert!(!rows.is_empty(), "{name}");
        // The help's halves are 40 cells; a key takes 11 of them.
        assert!(rows.iter().all(|r| r.chars().count() <= 27), "{name}: {rows:?}");
    }
}

/// Ticks both sides until both scripts end (bounded).
fn run_both(c: &mut Compare) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !c.finished() {
        assert!(Instant::now() < deadline, "both scripts end");
        let next = c.sides.iter_mut().filter_map(|s| s.tick().0).min();
        let until = next.unwrap_or_else(Instant::now).min(Instant::now() + Duration::from_millis(5));
        c.sides.iter_mut().for_each(|s| {
            s.session.wait_event(until);
        });
    }
}

#[test]
fn a_failed_expect_stops_its_side_and_the_other_runs_on() {
    let script = |name: &str, text: &str| Script {
        name: name.into(),
        title: None,
        lines: sockscope::command::parse_script(text).expect("parses"),
    };
    // The recv returns the peer's byte, so `expect eof` fails at once.
    let a = script("a", "open tcp\npeer send \"x\"\nrecv\nexpect eof\nsay \"never said\"\n");
    let b = script("b", "open tcp\npeer send \"hi\"\nrecv\nexpect data 2\n");
    let mut c = Compare::start(a, b).expect("two labs");
    run_both(&mut c);
    let [a, b] = &c.sides;
    assert!(matches!(&a.run, Run::Stopped { line: 4, .. }), "{:?}", a.run);
    assert!(matches!(b.run, Run::Done(_)), "{:?}", b.run);
    let said = a.record().timeline().calls().iter().any(|c| c.op == Op::Say);
    assert!(!said, "the lines after the failure did not run");
}
