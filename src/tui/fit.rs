//! Fitting text into cells: word wrap into rows of one width (so a pane
//! knows exactly how many rows its text takes, can scroll by rows and mark
//! where it cuts), and cutting a string to a width with an ellipsis, never
//! silently. The text given is already made safe (`fmt::safe`, `escape`):
//! these only measure and cut it.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// What marks cut text.
pub const MARK: char = '…';

/// The cells a character takes (0 for a combining mark, 2 for a wide one).
fn char_width(c: char) -> usize {
    let mut b = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut b)).width()
}

/// The cells a string takes.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// `s` in at most `max` cells: as it is if it fits, else its start and a `…`.
pub fn end(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = take(s.chars(), max.saturating_sub(1));
    if max > 0 {
        out.push(MARK);
    }
    out
}

/// `s` in at most `max` cells: as it is if it fits, else a `…` and its
/// end (`…:51000`, `…/peer.sock`): the end of an address or a path (the
/// port, the file name) says the most.
pub fn start(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let tail: String = take(s.chars().rev(), max - 1).chars().rev().collect();
    format!("{MARK}{tail}")
}

/// As many characters as fit in `max` cells.
fn take(chars: impl Iterator<Item = char>, max: usize) -> String {
    let mut used = 0;
    chars
        .take_while(|&c| {
            used += char_width(c);
            used <= max
        })
        .collect()
}

#[derive(Debug, Clone, Copy)]
struct Cell {
    ch: char,
    style: Style,
    w: usize,
}

fn cells(line: &Line) -> Vec<Cell> {
    let mut out = Vec::new();
    for span in &line.spans {
        let style = line.style.patch(span.style);
        out.extend(span.content.chars().map(|ch| Cell { ch, style, w: char_width(ch) }));
    }
    out
}

fn width_of(cells: &[Cell]) -> usize {
    cells.iter().map(|c| c.w).sum()
}

fn to_line(cells: &[Cell]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style = cells.first().map_or_else(Style::default, |c| c.style);
    for c in cells {
        if c.style != style && !text.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut text), style));
        }
        style = c.style;
        text.push(c.ch);
    }
    if !text.is_empty() {
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

/// `line` word-wrapped into rows at most `width` wide. Rows after the first
/// start with `hang` spaces (at most half the width), to line up under the
/// text after a label. A word longer than a row is broken where the row
/// ends; spaces where a row breaks are dropped.
pub fn wrap(line: &Line, hang: u16, width: u16) -> Vec<Line<'static>> {
    let width = (width as usize).max(1);
    let hang = (hang as usize).min(width / 2);
    let cells = cells(line);
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new()];
    let mut i = 0;
    while i < cells.len() {
        let space = cells[i].ch == ' ';
        let j = (i..cells.len()).find(|&k| (cells[k].ch == ' ') != space).unwrap_or(cells.len());
        place(&mut rows, &cells[i..j], space, hang, width);
        i = j;
    }
    rows.iter().map(|r| to_line(r)).collect()
}

fn place(rows: &mut Vec<Vec<Cell>>, token: &[Cell], space: bool, hang: usize, width: usize) {
    let first = rows.len() == 1;
    let row = rows.last_mut().expect("a row");
    let fresh = row.len() == if first { 0 } else { hang };
    if width_of(row) + width_of(token) <= width {
        if !(space && fresh && !first) {
            row.extend_from_slice(token);
        }
        return;
    }
    if space {
        break_row(rows, hang);
        return;
    }
    if !fresh && width_of(token) <= width - hang {
        break_row(rows, hang);
        rows.last_mut().expect("a row").extend_from_slice(token);
        return;
    }
    for &c in token {
        if width_of(rows.last().expect("a row")) + c.w > width {
            break_row(rows, hang);
        }
        rows.last_mut().expect("a row").push(c);
    }
}

fn break_row(rows: &mut Vec<Vec<Cell>>, hang: usize) {
    if let Some(row) = rows.last_mut() {
        while row.last().is_some_and(|c| c.ch == ' ') {
            row.pop();
        }
    }
    rows.push(vec![Cell { ch: ' ', style: Style::default(), w: 1 }; hang]);
}

/// `row` with a `…` at its end, within `width`: the text goes on past it.
pub fn mark_cut(row: &Line, width: u16, style: Style) -> Line<'static> {
    let mut cells = cells(row);
    while !cells.is_empty() && width_of(&cells) + 1 > width as usize {
        cells.pop();
    }
    cells.push(Cell { ch: MARK, style, w: 1 });
    to_line(&cells)
}

/// Styled text as rows of `width`, with no hanging indent; nothing for
/// text that is only spaces.
pub fn wrap_spans<'a>(spans: &[Span<'a>], width: u16) -> Vec<Line<'static>> {
    if spans.iter().all(|s| s.content.trim().is_empty()) {
        return Vec::new();
    }
    wrap(&Line::from(spans.to_vec()), 0, width)
}

/// The first `rows` rows; if any were dropped, the last kept is marked cut.
pub fn cut_rows<'a>(mut lines: Vec<Line<'a>>, rows: usize, width: u16, style: Style) -> Vec<Line<'a>> {
    if lines.len() > rows {
        lines.truncate(rows);
        if let Some(last) = lines.last_mut() {
            *last = mark_cut(last, width, style);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(rows: &[Line]) -> Vec<String> {
        rows.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn words_wrap_under_the_label() {
        let line = Line::from(vec![Span::raw("why "), Span::raw("recv slept until data arrived")]);
        assert_eq!(text(&wrap(&line, 4, 16)), ["why recv slept", "    until data", "    arrived"]);
    }

    #[test]
    fn a_long_word_is_broken_and_styles_are_kept() {
        let bold = Style::new().bold();
        let line = Line::from(vec![Span::raw("sys "), Span::styled("getsockopt(7,SOL_SOCKET)", bold)]);
        let rows = wrap(&line, 4, 12);
        assert_eq!(text(&rows), ["sys getsocko", "    pt(7,SOL", "    _SOCKET)"]);
        assert!(rows.iter().all(|r| r.width() <= 12));
        assert_eq!(rows[1].spans[1].style, bold);
    }

    #[test]
    fn short_lines_stay_one_row() {
        assert_eq!(text(&wrap(&Line::raw("  two  spaces"), 2, 40)), ["  two  spaces"]);
        assert_eq!(text(&wrap(&Line::raw(""), 0, 10)), [""]);
    }

    #[test]
    fn wide_characters_count_twice() {
        let rows = wrap(&Line::raw("世界世界世界"), 0, 5);
        assert!(rows.iter().all(|r| r.width() <= 5), "{:?}", text(&rows));
        assert_eq!(text(&rows).concat(), "世界世界世界");
    }

    #[test]
    fn cuts_are_marked() {
        assert_eq!(end("127.0.0.1:51000", 8), "127.0.0…");
        assert_eq!(end("short", 8), "short");
        assert_eq!(start("127.0.0.1:51000", 7), "…:51000");
        assert_eq!(start("/tmp/sockscope-1-0/peer.sock", 11), "…/peer.sock");
        assert_eq!(start("世界世界", 4), "…界");
        let row = mark_cut(&Line::raw("abcdef"), 6, Style::new());
        assert_eq!(row.to_string(), "abcde…");
        assert_eq!(mark_cut(&Line::raw("abc"), 6, Style::new()).to_string(), "abc…");
    }
}
