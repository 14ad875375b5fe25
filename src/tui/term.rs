//! Entering and leaving the terminal, and making sure we always leave it:
//! on quit, on error (a guard's Drop), and on panic (hooks).

use std::io::stdout;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use ratatui::DefaultTerminal;

/// Restores the terminal when dropped, whatever path we leave by.
pub struct Guard {
    pub terminal: DefaultTerminal,
}

impl Drop for Guard {
    fn drop(&mut self) {
        leave();
    }
}

/// color-eyre's hooks first, so that ratatui's (installed by `try_init`)
/// restores the terminal before the report is printed.
pub fn install_error_hooks() {
    // A second install (tests, a library user) is not an error worth dying for.
    let _ = color_eyre::install();
}

/// Raw mode, the alternate screen and (if `mouse`) mouse capture.
pub fn enter(mouse: bool) -> std::io::Result<Guard> {
    let terminal = ratatui::try_init()?;
    // ratatui's panic hook does not know about mouse capture: undo it first,
    // then let ratatui restore the rest and color-eyre report.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableMouseCapture);
        previous(info);
    }));
    let guard = Guard { terminal };
    if mouse {
        execute!(stdout(), EnableMouseCapture)?;
    }
    Ok(guard)
}

/// Ctrl-Z (a key in raw mode, not a signal): restores the terminal, stops
/// the process as the shell's job control expects, and when continued takes
/// the terminal back and repaints everything.
pub fn suspend(guard: &mut Guard, mouse: bool) -> std::io::Result<()> {
    leave();
    super::signals::stop_self()?;
    crossterm::terminal::enable_raw_mode()?;
    execute!(stdout(), crossterm::terminal::EnterAlternateScreen)?;
    if mouse {
        execute!(stdout(), EnableMouseCapture)?;
    }
    // `resize` clears the screen and forgets the last frame, so the next draw
    // repaints everything. (`clear` would ask the terminal for the cursor
    // position, an answer the input thread would swallow.)
    let size = guard.terminal.size()?;
    guard.terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

fn leave() {
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
}
