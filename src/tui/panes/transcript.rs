//! The transcript pane (`H`): every record in order, one line each, under
//! a header naming the columns. It draws only the lines in view, so its
//! cost does not grow with the session. The cursor's line is reversed; a
//! selected range is marked in the left column.
//!
//! ```text
//! ┌ transcript  12 calls  ▸ following ─────────────────────────────────┐
//! │     time  sock  call                 outcome         took  payload │
//! │   1.000s  #1    nonblocking          ◆ ok             9µs  kernel: …│
//! │   2.500s  #1    recv 1024            W wouldblock    12µs          │
//! │   3.000s  say   ── Now the peer sends.                             │
//! │▸  4.000s  peer  peer send "hello"    ▲ sent 5        30µs          │
//! └────────────────────────────────────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthChar;

use super::{frame, title};
use crate::record::Outcome;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::transcript::Transcript;
use crate::tui::transcript::line::{Row, row};

/// Rows of lines inside `area`: the frame and the header take three.
pub fn rows(area: Rect) -> usize {
    area.height.saturating_sub(3).max(1) as usize
}

/// The line drawn at screen row `y`, if any.
pub fn hit(area: Rect, t: &Transcript, len: usize, y: u16) -> Option<usize> {
    let first_row = area.y + 2;
    let k = y.checked_sub(first_row)? as usize;
    let line = t.first_shown(len, rows(area)) + k;
    (k < rows(area) && line < len).then_some(line)
}

/// Column widths for an inner width.
#[derive(Debug, Clone, Copy)]
struct Cols {
    /// `#1`, or a traced program's `PID:FD`.
    sock: usize,
    call: usize,
    outcome: usize,
}

/// Gutter, time, took and the gaps between columns.
const FIXED: usize = 1 + 8 + 1 + 2 + 2 + 2 + 6 + 2;

impl Cols {
    fn of(width: u16, sock: usize) -> Cols {
        let rest = (width as usize).saturating_sub(FIXED + sock);
        Cols { sock, call: (rest * 3 / 8).clamp(18, 30), outcome: (rest / 4).clamp(18, 23) }
    }
}

/// A row, with a traced program's lane name and real syscall (the
/// command language's words do not fit someone else's program).
fn row_of(c: &crate::record::Call, app: &App) -> Row {
    let mut r = row(c, app.now_ns, app.peer_addr);
    if let Some(tr) = c.traced.as_deref() {
        r.sock = app.lane_name(c.lane);
        r.call = match c.arg_text() {
            Some(a) => format!("{} {}", tr.syscall, crate::tui::fmt::safe(&a)),
            None => tr.syscall.clone(),
        };
    }
    r
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let tr = &app.transcript;
    let tl = app.timeline();
    let len = tl.len();
    let selection = tr.selection(len);
    let mut head = vec![title("transcript", t), Span::styled(format!(" {len} calls · "), t.dim())];
    match (&selection, tr.following) {
        (_, true) => head.push(Span::styled(format!("{} following ", t.current_mark()), t.key())),
        (Some(s), false) => {
            let at = tr.cursor(len).unwrap_or(*s.end()) + 1;
            head.push(Span::styled(format!("line {at}/{len} · End follows "), t.key()));
        }
        (None, false) => {}
    }
    if let Some(s) = selection.as_ref().filter(|_| tr.anchor.is_some()) {
        head.push(Span::styled(format!("· {} selected, y copies ", s.end() - s.start() + 1), t.key()));
    }
    let block = frame(Line::from(head), t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let sock_w = if app.record().is_traced() {
        app.lanes().iter().map(|&l| app.lane_name(l).chars().count()).max().unwrap_or(4).clamp(4, 14)
    } else {
        4
    };
    let cols = Cols::of(inner.width, sock_w);
    let mut lines = vec![header(cols, t)];
    if len == 0 {
        lines.push(Line::styled(
            " no calls yet: each call, mode change, peer action and say appears here",
            t.dim(),
        ));
    }
    let first = tr.first_shown(len, rows(area));
    let cursor = tr.cursor(len);
    for i in first..len.min(first + rows(area)) {
        let Some(c) = tl.get(i) else { break };
        let in_range = tr.anchor.is_some() && selection.as_ref().is_some_and(|s| s.contains(&i));
        let mark = match (cursor == Some(i), in_range) {
            (true, _) => t.current_mark(),
            (false, true) => {
                if t.ascii {
                    "|"
                } else {
                    "┃"
                }
            }
            _ => " ",
        };
        let mut line = draw_row(&row_of(c, app), c.outcome, mark, cols, inner.width, t);
        if cursor == Some(i) {
            line = line.style(t.selected());
        } else if in_range {
            line = line.style(t.bold());
        }
        lines.push(line);
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn header<'a>(cols: Cols, t: &Theme) -> Line<'a> {
    Line::styled(
        format!(
            " {:>8} {:<sw$}  {:<cw$}  {:<ow$}  {:>6}  payload",
            "time",
            "sock",
            "call (as typed)",
            "outcome",
            "took",
            sw = cols.sock,
            cw = cols.call,
            ow = cols.outcome
        ),
        t.dim(),
    )
}

/// One line, padded to the full width so the cursor's reverse spans it.
fn draw_row<'a>(r: &Row, o: Outcome, mark: &str, cols: Cols, width: u16, t: &Theme) -> Line<'a> {
    let mut spans = vec![
        Span::styled(mark.to_string(), t.key()),
        Span::styled(format!("{:>8}", r.time), t.dim()),
        Span::raw(" "),
        Span::styled(format!("{:<w$}", r.sock, w = cols.sock), t.bold()),
        Span::raw("  "),
    ];
    let used = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    if r.narration {
        let room = (width as usize).saturating_sub(used(&spans));
        spans.push(Span::styled(fit(&format!("── {}", r.call), room), t.narration()));
    } else {
        spans.push(Span::raw(pad(&fit(&r.call, cols.call), cols.call)));
        spans.push(Span::raw("  "));
        // An outcome is never cut: a long one pushes the rest along.
        let outcome = format!("{} {}", t.glyph(o), r.outcome);
        spans.push(Span::styled(pad(&outcome, cols.outcome), t.outcome(o)));
        spans.push(Span::styled(format!("  {:>6}  ", r.took), t.dim()));
        let room = (width as usize).saturating_sub(used(&spans));
        // Where room is short the column's meaning is plain without the word.
        let carried = match r.carried.strip_prefix("kernel: ") {
            Some(k) if r.carried.chars().count() > room => k,
            _ => &r.carried,
        };
        spans.push(Span::raw(fit(carried, room)));
    }
    let room = (width as usize).saturating_sub(used(&spans));
    spans.push(Span::raw(" ".repeat(room)));
    Line::from(spans)
}

/// At most `w` cells of `s`, with `…` where it was cut.
fn fit(s: &str, w: usize) -> String {
    let width = |s: &str| s.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    if width(s) <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    if w > 0 {
        out.push('…');
    }
    out
}

/// `s` padded with spaces to `w` cells (never cut).
fn pad(s: &str, w: usize) -> String {
    let have: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    format!("{s}{}", " ".repeat(w.saturating_sub(have)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_with_a_mark_and_counts_wide_characters() {
        assert_eq!(fit("recv 1024", 20), "recv 1024");
        assert_eq!(fit("send \"hello world\"", 10), "send \"hel…");
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(pad("日本", 6), "日本  ");
    }
}
