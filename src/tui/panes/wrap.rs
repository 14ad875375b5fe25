//! Word wrapping done ahead of drawing, so a pane knows how many rows its
//! text takes (and what to cut) before it asks the layout for room.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// `spans` wrapped at word boundaries into lines of at most `width`
/// columns; a word longer than a line is cut across lines.
pub fn wrap<'a>(spans: &[Span<'a>], width: u16) -> Vec<Line<'a>> {
    let width = width.max(1) as usize;
    let mut lines = Vec::new();
    let mut line: Vec<Span<'a>> = Vec::new();
    let mut used = 0;
    for span in spans {
        for word in span.content.split(' ').filter(|w| !w.is_empty()) {
            let mut word = word.to_string();
            loop {
                let w = Span::raw(word.as_str()).width();
                let gap = usize::from(used > 0);
                if used + gap + w <= width {
                    if gap == 1 {
                        line.push(Span::styled(" ", span.style));
                    }
                    line.push(Span::styled(word, span.style));
                    used += gap + w;
                    break;
                }
                if used > 0 {
                    lines.push(Line::from(std::mem::take(&mut line)));
                    used = 0;
                    continue;
                }
                // Longer than a whole line: cut it.
                let (head, tail) = split_at_width(&word, width);
                lines.push(Line::from(Span::styled(head, span.style)));
                word = tail;
            }
        }
    }
    if !line.is_empty() {
        lines.push(Line::from(line));
    }
    lines
}

/// The first `width` columns of `s`, and the rest.
fn split_at_width(s: &str, width: usize) -> (String, String) {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = Span::raw(c.to_string()).width();
        if used + w > width && i > 0 {
            return (s[..i].to_string(), s[i..].to_string());
        }
        used += w;
    }
    (s.to_string(), String::new())
}

/// Keeps the first `rows` lines; if any were dropped, the last one kept
/// ends in `…` to say so.
pub fn cut<'a>(mut lines: Vec<Line<'a>>, rows: usize, width: u16, style: Style) -> Vec<Line<'a>> {
    if lines.len() <= rows {
        return lines;
    }
    lines.truncate(rows);
    if let Some(last) = lines.last_mut() {
        let blank = |l: &Line| l.spans.last().is_some_and(|s| s.content.trim().is_empty());
        while !last.spans.is_empty() && (last.width() + 2 > width as usize || blank(last)) {
            last.spans.pop();
        }
        last.spans.push(Span::styled(" …", style));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn words_wrap_and_long_words_are_cut() {
        let spans = [Span::raw("one two three "), Span::raw("four abcdefghij")];
        assert_eq!(text(&wrap(&spans, 9)), ["one two", "three", "four", "abcdefghi", "j"]);
        assert_eq!(text(&wrap(&spans, 80)), ["one two three four abcdefghij"]);
        assert!(wrap(&[Span::raw("  ")], 10).is_empty());
    }

    #[test]
    fn a_cut_says_so() {
        let lines = wrap(&[Span::raw("aa bb cc dd")], 5);
        assert_eq!(text(&cut(lines, 1, 5, Style::new())), ["aa …"]);
    }
}
