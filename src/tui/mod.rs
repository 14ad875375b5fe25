//! The terminal UI: a second front end over the same [`Lab`] and the same
//! executor as `sockscope run`. Keys and the `:` prompt become command
//! lines, parsed by `command::parse_line` and run by the one executor.

pub mod app;
mod ascii;
pub mod cpu;
pub mod demo;
pub mod event;
pub mod fit;
pub mod fmt;
mod handle;
pub mod input;
pub mod keymap;
pub mod keys;
pub mod panes;
pub mod payload;
pub mod replay;
mod signals;
mod term;
pub mod theme;
pub mod tips;
mod traced;
pub mod transcript;
pub mod ui;
pub mod update;
pub mod view;
pub mod window;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::command::parse_script;
use crate::config::Config;
use crate::exec::Session;
use crate::record::{Record, file as record};
use app::App;
use demo::Demo;
use event::Exit;
use replay::Player;
use theme::Theme;
pub use traced::run_trace;

/// Exit codes, as for `run`: 2 means the script (or recording) was invalid.
pub const OK: i32 = 0;
pub const FAILED: i32 = 1;
pub const INVALID: i32 = 2;

/// What the command line and the config file ask of the TUI.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--record FILE.jsonl` (live and demo sessions).
    pub record: Option<PathBuf>,
    /// The config file, already loaded and checked.
    pub config: Config,
    /// `--ascii`: ASCII glyphs whatever the config says.
    pub ascii: bool,
    /// `--history N`: keep at most N busy-poll calls; older ones are folded
    /// into tallies.
    pub history: Option<usize>,
}

/// `sockscope`: socket #1 already connected to the peer, in blocking mode.
pub fn run_live(opts: &Options) -> i32 {
    term::install_error_hooks();
    let Some(mut app) = start_app(opts) else { return FAILED };
    // The first screen needs no set-up: one key and something happens.
    app.run_command(crate::command::Command::Open { proto: crate::command::Proto::Tcp, addr: None });
    let (recv, help) = (app.keys.key_of("recv"), app.keys.key_of("help"));
    app.status = Some(app::Status::Info(format!(
        "#1 is connected to the embedded peer, in blocking mode. Press {recv} to recv, {help} for every key."
    )));
    session(app)
}

/// `sockscope demo [--predict] FILE`: the scenario is checked before the
/// terminal is touched, so its errors print plainly (`file:line:col: msg`, exit 2).
pub fn run_demo(path: &Path, predict: bool, opts: &Options, err: &mut dyn Write) -> i32 {
    if let Some(rec) = &opts.record
        && let Err(e) = record::check_not_input(rec, path)
    {
        let _ = writeln!(err, "{e}");
        return FAILED;
    }
    let name = crate::escape::path(path);
    let text = match crate::textfile::read(path) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(err, "{}", e.show(&name));
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
    let Some(mut app) = start_app(opts) else { return FAILED };
    app.start_demo(Demo::new(&short_name(path), &text, script, predict));
    session(app)
}

/// `sockscope replay FILE.jsonl`: the recording is read whole before the
/// terminal is touched, so a bad line prints as `file:line: …` (exit 2). A
/// cut last line is said before the TUI starts (it stays on the terminal
/// after) and in the status line.
pub fn run_replay(path: &Path, opts: &Options, err: &mut dyn Write) -> i32 {
    let loaded = match record::load(path) {
        Ok(loaded) => loaded,
        Err(e) => {
            // The message may quote the file's name and its content (serde
            // quotes what it did not expect): escaped and shortened.
            let _ = writeln!(err, "{}", crate::escape::message(&e.to_string()));
            return INVALID;
        }
    };
    let warning = loaded.warning();
    if let Some(w) = &warning {
        let _ = writeln!(err, "{}: warning: {w}", crate::escape::escape(path.as_os_str().as_encoded_bytes()));
    }
    term::install_error_hooks();
    let mut app = replay_app(&short_name(path), loaded.events, opts);
    let hint = "Space plays, n steps, < > speed; commands cannot run here";
    app.status = Some(match warning {
        Some(w) => app::Status::Error(format!("replay: {w}. {hint}")),
        None => app::Status::Info(format!("replay: {hint}")),
    });
    session(app)
}

/// A replay over recorded events, ready to play (also for tests).
pub fn replay_app(name: &str, events: Vec<record::Stamped>, opts: &Options) -> App {
    let mut rec = Record::new();
    if let Some(n) = opts.history {
        rec.set_history_cap(n);
    }
    let player = Player::new(name, events);
    // The whole recording on screen from the start: events appear in place as it plays.
    let end = player.end_ns();
    let mut app = App::replay(rec, player, Theme::new(&opts.config, opts.ascii));
    app.configure(&opts.config);
    app.view.fit_to(end);
    app
}

/// The file's name for a title, escaped.
fn short_name(path: &Path) -> String {
    crate::escape::path(path.file_name().map_or(path, Path::new))
}

/// The lab (and its recording, if asked for); errors print before the
/// terminal is taken over.
fn start_app(opts: &Options) -> Option<App> {
    let mut lab = match Session::start() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sockscope: cannot start: {e}");
            return None;
        }
    };
    if let Some(path) = &opts.record
        && let Err(e) = lab.record_to(path)
    {
        let e = crate::escape::text(&e.to_string());
        eprintln!("sockscope: cannot record to {}: {e}", crate::escape::path(path));
        return None;
    }
    if let Some(n) = opts.history {
        lab.set_history_cap(n);
    }
    let mut app = App::live(lab, Theme::new(&opts.config, opts.ascii));
    app.configure(&opts.config);
    Some(app)
}

/// Takes over the terminal, runs the loop, and gives it back.
fn session(mut app: App) -> i32 {
    if let app::Store::Fixed(_) = &app.store {
        return FAILED;
    }
    let signals = match signals::watch() {
        Ok(rx) => rx,
        Err(e) => {
            eprintln!("sockscope: cannot watch signals: {e}");
            return FAILED;
        }
    };
    let mut guard = match term::enter(app.mouse) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("sockscope: cannot use this terminal: {e}");
            return FAILED;
        }
    };
    // crossterm installs its SIGWINCH handler on first use: do it before the
    // first draw, or a resize in the first instant is lost.
    let _ = crossterm::event::poll(Duration::ZERO);
    let result = event::spawn_input().and_then(|input| event::run(&mut guard, &mut app, input, signals));
    drop(guard);
    // The terminal is back: a program sockscope started never outlives the
    // session (nor is a tracee left stopped), however the loop ended.
    if let app::Store::Traced(s) = &mut app.store {
        s.end_and_wait();
        if let Some(why) = s.record_failure() {
            eprintln!("sockscope: {why}");
            if matches!(result, Ok(Exit::Quit)) {
                return FAILED;
            }
        }
    }
    // Said again now that the terminal is back: the status line is gone.
    if let app::Store::Live { session, .. } = &app.store
        && let Some(why) = session.record_failure()
    {
        eprintln!("sockscope: {why}");
        if matches!(result, Ok(Exit::Quit)) {
            return FAILED;
        }
    }
    match result {
        Ok(Exit::Quit) => OK,
        Ok(Exit::Signal(sig)) => 128 + sig,
        Err(e) => {
            // Not eprintln!: with the terminal gone it would panic.
            let _ = writeln!(std::io::stderr(), "sockscope: terminal error: {e}");
            FAILED
        }
    }
}
