//! Frame cost against history: the whole screen drawn into a 200x50
//! TestBackend with 1 k, 100 k and 1 M recorded calls across 8 sockets,
//! following live (a 100 ms/cell window) and zoomed all the way out (the
//! whole history on screen, so lanes must be drawn as aggregates).
//! Targets: 1 M within 1.5x of 1 k, and under 2 ms per frame in release.
//! The ratio line pairs 1 k and 1 M frames in interleaved rounds and keeps
//! the best of each, which other work on a shared machine cannot inflate.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockscope::record::{
    Arg, Call, Event, KernelView, Lane, Mode, Op, Outcome, PyMode, Record, SockInfo, SockKind, TimeoutBy,
};
use sockscope::tui::app::{App, Sample};
use sockscope::tui::theme::Theme;
use sockscope::tui::ui;
use sockscope::tui::view::TimelineView;

const SOCKETS: u32 = 8;
/// One call every 50 µs per socket, so the history spans seconds to minutes.
const STEP_NS: u64 = 50_000;

fn history(n: u64) -> (Record, u64) {
    let mut tl = Record::new();
    for id in 1..=SOCKETS {
        tl.apply(&Event::Socket(info(id)));
    }
    let outcomes = [Outcome::WouldBlock, Outcome::Data, Outcome::Timeout(TimeoutBy::Poll)];
    for i in 0..n {
        let sock = (i % SOCKETS as u64) as u32 + 1;
        let start = (i / SOCKETS as u64) * STEP_NS;
        let outcome = outcomes[(i % 3) as usize];
        tl.apply(&Event::Instant(Call {
            seq: i + 1,
            lane: Lane::Sock(sock),
            op: Op::Recv,
            arg: Arg::Size(1024),
            mode: Mode { py: PyMode::NonBlocking, rcvtimeo: None, sndtimeo: None },
            kernel: None,
            start_ns: start,
            end_ns: Some(start + 20_000),
            outcome,
            errno: if outcome == Outcome::WouldBlock { 11 } else { 0 },
            bytes: (outcome == Outcome::Data).then_some(5),
            preview: None,
            evidence: None,
            traced: None,
        }));
    }
    (tl, (n / SOCKETS as u64 + 1) * STEP_NS)
}

fn info(id: u32) -> SockInfo {
    SockInfo {
        id,
        kind: SockKind::TcpClient,
        fd: 5 + id as i32,
        local: "127.0.0.1:51000".parse().ok(),
        remote: "127.0.0.1:40000".parse().ok(),
        local_path: None,
        remote_path: None,
        pair: None,
        mode: None,
        pid: None,
    }
}

/// The kernel samples the update step would have taken.
fn samples() -> Vec<(u32, Sample)> {
    let kernel = Some(KernelView { nonblock: true, rcvtimeo_us: 0, sndtimeo_us: 0 });
    (1..=SOCKETS).map(|id| (id, Sample { kernel, queues: Some((0, 0)), ..Sample::default() })).collect()
}

/// The app with its view following live, and zoomed all the way out (paused).
fn app(n: u64) -> (App, [TimelineView; 2]) {
    let (tl, now) = history(n);
    let mut app = App::fixed(tl, samples(), now, Theme::DEFAULT);
    let follow = app.view.clone();
    app.view.zoom(100, now, 150);
    app.view.set_follow(false, now, 150);
    let zoomed = app.view.clone();
    (app, [follow, zoomed])
}

const VIEWS: [&str; 2] = ["follow", "zoomed_out"];

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("frame_200x50");
    g.sample_size(30);
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    for n in [1_000u64, 100_000, 1_000_000] {
        let (mut app, views) = app(n);
        for (name, view) in VIEWS.into_iter().zip(views) {
            app.view = view;
            g.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| {
                    term.draw(|f| ui::render(f, &app)).expect("draw");
                })
            });
        }
    }
    g.finish();
    ratio(&mut term);
}

/// 1 M against 1 k: the best mean of 50 frames over 40 interleaved rounds.
fn ratio(term: &mut Terminal<TestBackend>) {
    let mut runs = [app(1_000), app(1_000_000)];
    let mut best = [[f64::MAX; 2]; 2];
    for _ in 0..40 {
        for (k, (app, views)) in runs.iter_mut().enumerate() {
            for (j, view) in views.iter().enumerate() {
                app.view = view.clone();
                let t = Instant::now();
                for _ in 0..50 {
                    term.draw(|f| ui::render(f, app)).expect("draw");
                }
                best[k][j] = best[k][j].min(t.elapsed().as_secs_f64() * 1e6 / 50.0);
            }
        }
    }
    for (j, name) in VIEWS.into_iter().enumerate() {
        println!(
            "frame cost {name}: 1 k calls {:.0} µs, 1 M calls {:.0} µs, ratio {:.2} (target <= 1.5)",
            best[0][j],
            best[1][j],
            best[1][j] / best[0][j]
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
