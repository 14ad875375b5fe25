//! The terminal UI: a second front end over the same [`Lab`] and the same
//! executor as `sockscope run`. Keys and the `:` prompt become command
//! lines, parsed by `command::parse_line` and run by the one executor.

pub mod app;
pub mod demo;
pub mod event;
pub mod fmt;
mod handle;
pub mod input;
pub mod keys;
pub mod panes;
mod signals;
mod term;
pub mod theme;
pub mod tips;
pub mod ui;
pub mod view;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::command::parse_script;
use crate::lab::Lab;
use app::App;
use demo::Demo;
use event::Exit;
use theme::Theme;

/// Exit codes, as for `run`: 2 means the script was invalid.
pub const OK: i32 = 0;
pub const FAILED: i32 = 1;
pub const INVALID: i32 = 2;

/// `sockscope`: socket #1 already connected to the peer, in blocking mode.
pub fn run_live(record: Option<&Path>) -> i32 {
    term::install_error_hooks();
    let Some(mut app) = start_app(record) else { return FAILED };
    // The first screen needs no set-up: one key and something happens.
    let _ = app.run_line("open tcp");
    app.status = Some(app::Status::Info(
        "#1 is connected to the embedded peer, in blocking mode. Press r to recv, ? for every key.".into(),
    ));
    session(app)
}

/// `sockscope demo FILE`: the scenario is checked before the terminal is
/// touched, so its errors print plainly (`file:line:col: msg`, exit 2).
pub fn run_demo(path: &Path, record: Option<&Path>, err: &mut dyn Write) -> i32 {
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(err, "{name}: {e}");
            return INVALID;
        }
    };
    let script = match parse_script(&text) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                let _ = writeln!(err, "{name}:{e}");
            }
            return INVALID;
        }
    };
    term::install_error_hooks();
    let Some(mut app) = start_app(record) else { return FAILED };
    let short = path.file_name().map_or(name.clone(), |n| n.to_string_lossy().into_owned());
    let (demo, intro) = Demo::new(&short, &text, script);
    app.demo = Some(demo);
    app.push(intro);
    session(app)
}

/// The lab (and its recording, if asked for); errors print before the
/// terminal is taken over.
fn start_app(record: Option<&Path>) -> Option<App> {
    let mut lab = match Lab::new() {
        Ok(lab) => lab,
        Err(e) => {
            eprintln!("sockscope: cannot start: {e}");
            return None;
        }
    };
    if let Some(path) = record
        && let Err(e) = lab.record_to(path)
    {
        eprintln!("sockscope: cannot record to {}: {e}", path.display());
        return None;
    }
    Some(App::live(lab, Theme::from_env()))
}

/// Takes over the terminal, runs the loop, and gives it back.
fn session(mut app: App) -> i32 {
    let lab_rx = match &app.store {
        app::Store::Live { lab, .. } => lab.events(),
        app::Store::Fixed(_) => return FAILED,
    };
    let signals = match signals::watch() {
        Ok(rx) => rx,
        Err(e) => {
            eprintln!("sockscope: cannot watch signals: {e}");
            return FAILED;
        }
    };
    let mut guard = match term::enter() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("sockscope: cannot use this terminal: {e}");
            return FAILED;
        }
    };
    // crossterm installs its SIGWINCH handler on first use: do it before the
    // first draw, or a resize in the first instant is lost.
    let _ = crossterm::event::poll(Duration::ZERO);
    let result =
        event::spawn_input().and_then(|input| event::run(&mut guard, &mut app, lab_rx, input, signals));
    drop(guard);
    match result {
        Ok(Exit::Quit) => OK,
        Ok(Exit::Signal(sig)) => 128 + sig,
        Err(e) => {
            eprintln!("sockscope: terminal error: {e}");
            FAILED
        }
    }
}
