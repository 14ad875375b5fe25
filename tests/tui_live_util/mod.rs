//! Driving a live TUI app without a terminal: a real session, keys pressed
//! on the app, and the update loop run until a condition holds (bounded).

#![allow(dead_code)]

use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sockscope::exec::Session;
use sockscope::record::{Event, Lane, Op, Outcome};
use sockscope::tui::app::App;
use sockscope::tui::theme::Theme;

/// An app over a fresh session, and the session's events.
pub fn live() -> (App, Receiver<Event>) {
    let session = Session::start().expect("session");
    let rx = session.events();
    (App::live(session, Theme::default()), rx)
}

/// [`live`] with socket #1 opened and connected.
pub fn started() -> (App, Receiver<Event>) {
    let (mut app, rx) = live();
    app.run_line("open tcp").unwrap();
    until(&mut app, &rx, "#1 connected", |a| {
        last_on(a, Lane::Sock(1)).is_some_and(|c| c.1 == Outcome::Connected)
    });
    (app, rx)
}

/// Runs the update loop until `pred` holds (bounded).
pub fn until(app: &mut App, rx: &Receiver<Event>, what: &str, pred: impl Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        app.refresh();
        if pred(app) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        if let Ok(ev) = rx.recv_timeout(Duration::from_millis(20)) {
            app.apply(ev);
        }
        app.tick();
    }
}

pub fn idle(app: &mut App, rx: &Receiver<Event>) {
    until(app, rx, "the executor to be idle", |a| a.busy_until.is_none());
}

pub fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub fn chars(app: &mut App, s: &str) {
    s.chars().for_each(|c| key(app, KeyCode::Char(c)));
}

/// The op and outcome of the newest record on `lane`.
pub fn last_on(app: &App, lane: Lane) -> Option<(Op, Outcome)> {
    let tl = app.timeline();
    tl.lane(lane).last().and_then(|&i| tl.get(i as usize)).map(|c| (c.op, c.outcome))
}

/// The outcome of the newest call on socket `id`.
pub fn last_outcome(app: &App, id: u32) -> Option<Outcome> {
    last_on(app, Lane::Sock(id)).map(|c| c.1)
}
