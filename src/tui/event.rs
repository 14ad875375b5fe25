//! The event loop: terminal input (read on its own thread), lab events and
//! signals, multiplexed with one `select!`. The loop sleeps until something
//! happens, or for one frame while something animates; it never polls on a
//! fixed fast tick, so an idle session costs no CPU.

use std::io;

use crossbeam_channel::{Receiver, after, never, select, unbounded};
use crossterm::event::Event;

use super::app::App;
use super::term::{self, Guard};
use super::ui;

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

/// Runs until the user quits or a signal arrives.
pub fn run(
    guard: &mut Guard,
    app: &mut App,
    lab_rx: Receiver<crate::record::Event>,
    input: Receiver<io::Result<Event>>,
    signals: Receiver<i32>,
) -> io::Result<Exit> {
    loop {
        app.refresh();
        let size = guard.terminal.size()?;
        app.size = ratatui::layout::Rect::new(0, 0, size.width, size.height);
        guard.terminal.draw(|f| ui::render(f, app))?;
        if app.quit {
            return Ok(Exit::Quit);
        }
        if std::mem::take(&mut app.suspend) {
            term::suspend(guard, app.mouse)?;
            continue;
        }
        let timer = app.wake_in().map_or_else(never, after);
        select! {
            recv(lab_rx) -> ev => {
                if let Ok(ev) = ev {
                    app.apply(ev);
                }
            }
            recv(input) -> ev => match ev {
                Ok(Ok(ev)) => on_input(app, ev),
                // The terminal is gone: nothing more can be read or shown.
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(Exit::Quit),
            },
            recv(signals) -> sig => return Ok(Exit::Signal(sig.unwrap_or(libc::SIGTERM))),
            recv(timer) -> _ => {}
        }
        // Take everything else already waiting before the next frame.
        while let Ok(ev) = lab_rx.try_recv() {
            app.apply(ev);
        }
        while let Ok(Ok(ev)) = input.try_recv() {
            on_input(app, ev);
        }
        app.tick();
    }
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
