//! The event loop: terminal input (read on its own thread), lab events and
//! signals, multiplexed with one `select!`. The loop sleeps until something
//! happens, or for one frame while something animates; it never polls on a
//! fixed fast tick: an idle session is redrawn once a second while it
//! follows "now" (see `IDLE_FRAME`), and not at all when paused.

use std::io;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, after, never, select, unbounded};
use crossterm::event::Event;

use super::app::App;
use super::signals::{Asks, asks};
use super::term::{self, Guard};
use super::ui;

/// How long a terminal error waits for the signal behind it (a closed
/// terminal sends SIGHUP, but the next draw may fail first). Generous: on a
/// loaded machine the signal thread can be slow to run, and only a terminal
/// that failed without a hangup (rare) pays the wait.
const HANGUP_GRACE: Duration = Duration::from_secs(2);
/// How long, once continued after a stop, to wait for the SIGCONT that did
/// it (it comes through the signal thread, a moment behind).
const CONT_WAIT: Duration = Duration::from_secs(1);

/// Reads terminal events forever on a thread of its own: `read` blocks.
pub fn spawn_input() -> io::Result<Receiver<io::Result<Event>>> {
    let (tx, rx) = unbounded();
    std::thread::Builder::new().name("input".into()).spawn(move || {
        loop {
            let ev = crossterm::event::read();
            let failed = ev.is_err();
            if tx.send(ev).is_err() || failed {
                return;
            }
        }
    })?;
    Ok(rx)
}

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal(i32),
}

/// Runs until the user quits or a signal ends the session.
pub fn run(
    guard: &mut Guard,
    app: &mut App,
    input: Receiver<io::Result<Event>>,
    signals: Receiver<i32>,
) -> io::Result<Exit> {
    let result = run_loop(guard, app, &input, &signals);
    // A terminal error may be a closed terminal whose SIGHUP is on its way:
    // report the hangup, as when the signal is seen first.
    result.or_else(|e| match next_signal(&signals, HANGUP_GRACE, false) {
        Some(sig) => Ok(Exit::Signal(sig)),
        None => Err(e),
    })
}

fn run_loop(
    guard: &mut Guard,
    app: &mut App,
    input: &Receiver<io::Result<Event>>,
    signals: &Receiver<i32>,
) -> io::Result<Exit> {
    loop {
        // Asked for each time: a demo that steps back has a new session. A
        // compare has two labs; otherwise the second never fires.
        let labs = app.events();
        app.refresh();
        let size = guard.terminal.size()?;
        app.size = ratatui::layout::Rect::new(0, 0, size.width, size.height);
        guard.terminal.draw(|f| ui::render(f, app))?;
        term::write_raw(guard, &std::mem::take(&mut app.to_terminal))?;
        if app.quit {
            return Ok(Exit::Quit);
        }
        if std::mem::take(&mut app.suspend) {
            term::suspend()?;
            // Continued: take the terminal back once, for the SIGCONT that
            // did it, before anything is drawn on the shell's screen.
            if let Some(sig) = next_signal(signals, CONT_WAIT, true) {
                return Ok(Exit::Signal(sig));
            }
            term::resume(guard, app.mouse)?;
            continue;
        }
        let timer = app.wake_in().map_or_else(never, after);
        select! {
            recv(labs[0]) -> ev => {
                if let Ok(ev) = ev {
                    app.apply_from(0, ev);
                }
            }
            recv(labs[1]) -> ev => {
                if let Ok(ev) = ev {
                    app.apply_from(1, ev);
                }
            }
            recv(input) -> ev => match ev {
                Ok(Ok(ev)) => on_input(app, ev),
                // The terminal is gone: nothing more can be read or shown.
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(Exit::Quit),
            },
            recv(signals) -> sig => match asks(sig.unwrap_or(libc::SIGTERM)) {
                Asks::End(sig) => return Ok(Exit::Signal(sig)),
                Asks::Suspend => app.suspend = true,
                // `kill -STOP` then `-CONT` from outside, or a shell that
                // reset the terminal meanwhile: take it back.
                Asks::Resume => term::resume(guard, app.mouse)?,
            },
            recv(timer) -> _ => {}
        }
        // Take everything else already waiting before the next frame (from
        // the sessions there are now, should that key have replaced one).
        for (k, lab) in app.events().iter().enumerate() {
            while let Ok(ev) = lab.try_recv() {
                app.apply_from(k, ev);
            }
        }
        while let Ok(Ok(ev)) = input.try_recv() {
            on_input(app, ev);
        }
        app.tick();
    }
}

/// Waits up to `within` for a signal that ends the session (its number),
/// or, if `or_cont`, for a SIGCONT (None); None at the deadline too.
fn next_signal(signals: &Receiver<i32>, within: Duration, or_cont: bool) -> Option<i32> {
    let deadline = Instant::now() + within;
    while let Ok(sig) = signals.recv_deadline(deadline) {
        match asks(sig) {
            Asks::End(sig) => return Some(sig),
            Asks::Resume if or_cont => return None,
            Asks::Resume | Asks::Suspend => {}
        }
    }
    None
}

fn on_input(app: &mut App, ev: Event) {
    match ev {
        Event::Key(k) => app.on_key(k),
        Event::Mouse(m) => app.on_mouse(m),
        Event::Paste(text) if app.prompt_open => {
            text.chars().filter(|c| !c.is_control()).for_each(|c| app.prompt.insert(c))
        }
        // A resize needs nothing but the redraw every wake-up does.
        _ => {}
    }
}
