//! Entering and leaving the terminal, and making sure we always leave it:
//! on quit, on error (a guard's Drop), and on panic (hooks).

use std::io::stdout;
use std::mem::ManuallyDrop;

use crossterm::cursor::Show;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::DefaultTerminal;

/// Restores the terminal when dropped, whatever path we leave by.
pub struct Guard {
    /// Never dropped: its Drop shows the cursor and, if it cannot (a closed
    /// terminal), prints to stderr, which panics there; a panic on the way
    /// out would abort before the lab's temp dir is removed. [`leave`]
    /// shows the cursor instead, ignoring errors.
    pub terminal: ManuallyDrop<DefaultTerminal>,
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
        // The session is over: its temp dir goes first, before any report
        // is written to a terminal that may be gone.
        if std::thread::current().name() == Some("main") {
            crate::lab::unix::remove_all_now();
        }
        let _ = execute!(stdout(), DisableMouseCapture);
        previous(info);
    }));
    let guard = Guard { terminal: ManuallyDrop::new(terminal) };
    if mouse {
        execute!(stdout(), EnableMouseCapture)?;
    }
    Ok(guard)
}

/// Writes sequences meant for the terminal itself (OSC 52) after a frame.
/// They were built from escaped text only (see `transcript::copy`).
pub fn write_raw(guard: &mut Guard, seqs: &[String]) -> std::io::Result<()> {
    use std::io::Write;
    if seqs.is_empty() {
        return Ok(());
    }
    let out = guard.terminal.backend_mut();
    for s in seqs {
        out.write_all(s.as_bytes())?;
    }
    out.flush()
}

/// Gives the terminal back and stops the process, as the shell's job
/// control expects: Ctrl-Z (a key in raw mode, not a signal), or a SIGTSTP
/// from outside. Returns once continued; [`resume`] takes the terminal back.
pub fn suspend() -> std::io::Result<()> {
    leave();
    super::signals::stop_self()
}

/// Takes the terminal back after a stop, ours or anyone's (`kill -STOP`,
/// then `-CONT`), and repaints everything.
pub fn resume(guard: &mut Guard, mouse: bool) -> std::io::Result<()> {
    // The shell may have set the terminal back to cooked mode while we were
    // stopped, behind crossterm's back: set raw mode afresh. If we are a
    // background job, tcsetattr stops us (SIGTTOU) before anything is
    // written, until `fg`.
    disable_raw_mode()?;
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen)?;
    if mouse {
        execute!(stdout(), EnableMouseCapture)?;
    }
    // `resize` clears the screen and forgets the last frame, so the next draw
    // repaints everything (and hides the cursor again). (`clear` would ask
    // the terminal for the cursor position, an answer the input thread
    // would swallow.)
    let size = guard.terminal.size()?;
    guard.terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// Mouse capture off, the cursor shown (ratatui hides it while drawing),
/// raw mode and the alternate screen left. Errors are ignored: on a closed
/// terminal there is nothing left to restore, and nowhere to say so.
fn leave() {
    let _ = execute!(stdout(), DisableMouseCapture, Show);
    let _ = ratatui::try_restore();
}
