//! The bottom rows: the status line (the last command, or an error with its
//! column, wrapped onto up to three rows when it is long) and the `:`
//! prompt, or the key hints while it is closed.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Status};
use crate::tui::theme::Theme;
use crate::tui::{fit, fmt};

/// An error may take this many rows of the status line, so all of it can
/// be read; anything else takes one.
pub const MAX_ERROR_ROWS: u16 = 3;

/// An error longer than the line, word-wrapped (rows after the first
/// indented), at most [`MAX_ERROR_ROWS`]; `None` for anything else.
fn error_rows(app: &App, width: u16) -> Option<Vec<Line<'static>>> {
    let Some(Status::Error(e)) = &app.status else { return None };
    let line = Line::styled(fmt::safe(e), app.theme.error());
    if app.peer_prefix || line.width() <= width as usize {
        return None;
    }
    let rows = fit::wrap(&line, 2, width);
    Some(fit::cut_rows(rows, MAX_ERROR_ROWS as usize, width, app.theme.dim()))
}

/// How many rows the status line needs at this width.
pub fn status_height(app: &App, width: u16) -> u16 {
    error_rows(app, width).map_or(1, |rows| rows.len() as u16)
}

pub fn render_status(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    if let Some(rows) = error_rows(app, area.width).filter(|_| area.height > 1) {
        f.render_widget(Paragraph::new(rows), area);
        return;
    }
    let line = if app.peer_prefix {
        let mut spans = vec![Span::styled("peer: ", t.bold())];
        for b in &app.keys.peer {
            spans.extend(hint(b.label.trim_start_matches("p "), b.help.split(" (").next().unwrap_or(""), t));
        }
        spans.push(Span::styled("Esc cancels", t.dim()));
        Line::from(spans)
    } else {
        match &app.status {
            Some(Status::Error(e)) => Line::styled(fmt::safe(e), t.error()),
            Some(Status::Info(s)) => Line::styled(fmt::safe(s), t.dim()),
            None => Line::default(),
        }
    };
    // sockscope's own CPU use, at the right: what a busy-poll costs. The
    // message comes first: the meter shortens, then goes, to leave it room;
    // a message longer than the line is cut with a mark.
    let room = area.width as usize;
    let cpu = app.cpu.percent.and_then(|p| {
        [format!(" cpu {p}%"), format!(" {p}%")].into_iter().find(|c| line.width() + fit::width(c) <= room)
    });
    let line = if line.width() > room { fit::mark_cut(&line, area.width, t.dim()) } else { line };
    f.render_widget(Paragraph::new(line), area);
    if let Some(cpu) = cpu {
        let cpu_w = fit::width(&cpu) as u16;
        let style = if app.cpu.busy() { t.error() } else { t.dim() };
        let at = Rect { x: area.right().saturating_sub(cpu_w), width: cpu_w, ..area };
        f.render_widget(Paragraph::new(Line::styled(cpu, style)), at);
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    if !app.prompt_open {
        f.render_widget(Paragraph::new(hints(app, t, area.width)), area);
        return;
    }
    let text = app.prompt.text();
    let cursor = app.prompt.cursor();
    // Keep the cursor on screen for long lines: scroll the text left.
    let room = area.width.saturating_sub(2) as usize;
    let skip = cursor.saturating_sub(room);
    // Typed text cannot hold controls (they are keys), but be safe anyway:
    // one char in, one cell out, so the cursor column stays right.
    let shown: String =
        text.chars().skip(skip).take(room).map(|c| if c.is_control() { '?' } else { c }).collect();
    let line = Line::from(vec![Span::styled(":", t.key()), Span::raw(shown)]);
    f.render_widget(Paragraph::new(line), area);
    f.set_cursor_position(Position::new(area.x + 1 + (cursor - skip) as u16, area.y));
}

fn hint<'a>(key: &str, what: &str, t: &Theme) -> [Span<'a>; 2] {
    [Span::styled(key.to_string(), t.key()), Span::raw(format!(" {what}  "))]
}

/// The main keys, so a newcomer can press one and see something happen.
/// On a narrow screen the least needed hints go first (`?` lists them all).
fn hints<'a>(app: &App, t: &Theme, width: u16) -> Line<'a> {
    let k = |name: &str| app.keys.key_of(name);
    // (key, what, priority: lower is dropped first)
    let mut all: Vec<(String, String, u8)> = match app.player() {
        _ if app.transcript.open => vec![
            ("y".into(), "copy as Python".into(), 10),
            ("V".into(), "select".into(), 9),
            ("w".into(), "to file".into(), 7),
            ("End".into(), "follow".into(), 8),
            ("↑↓".into(), "move".into(), 5),
            (k("transcript"), "close".into(), 9),
        ],
        None if app.trace().is_some() => vec![
            ("o".into(), "output".into(), 9),
            ("← →".into(), "select a call".into(), 8),
            ("↑ ↓".into(), "lane".into(), 4),
            (k("follow"), "follow".into(), 5),
            (format!("{} {}", k("zoom-in"), k("zoom-out")), "zoom".into(), 6),
        ],
        // A compare runs nothing: its keys look and move.
        _ if app.compared().is_some() => vec![
            ("←→↑↓".into(), "select".into(), 9),
            (k("next-socket"), "other side".into(), 8),
            (format!("{} {}", k("zoom-in"), k("zoom-out")), "zoom".into(), 6),
            (k("follow"), "follow".into(), 3),
            (k("transcript"), "transcript".into(), 7),
        ],
        Some(p) => {
            let play = if p.playing { "pause" } else { "play" };
            let mut v = vec![
                ("Space".into(), play.into(), 10),
                ("n →".into(), "step".into(), 9),
                ("< >".into(), format!("speed {}", p.speed_label()), 8),
                (k("follow"), "follow".into(), 3),
                (k("inspector"), "inspector".into(), 2),
            ];
            if p.traced() {
                v.push(("o".into(), "output".into(), 7));
            }
            v
        }
        // A listener has no data to read: its call is accept.
        None if app.current_socket().is_some_and(|s| s.info.kind.is_listener()) => vec![
            (k("accept"), "accept".into(), 9),
            (k("peer"), "peer…".into(), 7),
            (k("toggle-blocking"), app.toggle_word().into(), 8),
            (k("prompt"), "command".into(), 4),
        ],
        None => vec![
            (k("recv"), "recv".into(), 9),
            (k("send"), "send".into(), 3),
            (k("toggle-blocking"), app.toggle_word().into(), 8),
            (k("timeout"), "timeout".into(), 2),
            (k("peer"), "peer…".into(), 7),
            (k("prompt"), "command".into(), 4),
        ],
    };
    if let Some(d) = &app.demo {
        // The socket keys are off unless the presenter switched them on.
        if !d.live {
            all.clear();
        }
        let mut demo: Vec<(String, String, u8)> = if d.asking() {
            let n = app.choices().len();
            vec![(format!("1-{n}"), "the class's answer".into(), 10), ("0".into(), "none".into(), 6)]
        } else {
            vec![("Space".into(), "next step".into(), 10)]
        };
        demo.push(("←".into(), "back".into(), 9));
        demo.push(("Home".into(), "restart".into(), 5));
        let live = if d.live { "live keys off" } else { "live keys on" };
        demo.push(("L".into(), live.into(), 8));
        all.splice(0..0, demo);
    }
    let quit = match app.trace() {
        Some(s) if s.finished() => "quit",
        Some(s) if s.program.attached => "quit (lets it go)",
        Some(_) => "quit (ends it)",
        None => "quit",
    };
    all.extend([(k("help"), "help".into(), 10), (k("quit"), quit.into(), 10)]);
    let cost = |h: &[(String, String, u8)]| {
        h.iter().map(|(k, w, _)| k.chars().count() + w.chars().count() + 3).sum::<usize>()
    };
    while cost(&all) > width as usize {
        let Some(i) = (0..all.len()).min_by_key(|&i| all[i].2) else { break };
        all.remove(i);
    }
    Line::from(all.into_iter().flat_map(|(k, w, _)| hint(&k, &w, t)).collect::<Vec<_>>())
}
