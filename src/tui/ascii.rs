//! `--ascii` (or `glyphs = "ascii"`, or a locale that is not UTF-8): the
//! theme already picks ASCII glyphs; this last pass over a drawn frame
//! makes sure nothing else reaches the terminal either: borders, arrows in
//! text, `µs`, and any non-ASCII text from a payload or a script.

use ratatui::buffer::Buffer;

/// Replaces every non-ASCII cell with its nearest ASCII look-alike.
pub fn transliterate(buf: &mut Buffer) {
    for cell in &mut buf.content {
        let sym = cell.symbol();
        if sym.is_ascii() {
            continue;
        }
        // The second cell of a wide character holds nothing of its own.
        let ch = if sym.is_empty() { ' ' } else { fallback(sym.chars().next().unwrap_or('?')) };
        cell.set_char(ch);
    }
}

fn fallback(c: char) -> char {
    match c {
        '─' | '━' | '┄' | '╌' | '╍' => '-',
        '│' | '┃' | '║' | '‖' | '┊' => '|',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' => '+',
        '╰' => '`',
        '→' | '▸' | '▶' | '›' => '>',
        '←' | '◂' | '‹' => '<',
        '↑' => '^',
        '↓' => 'v',
        '⇄' | '↔' => '=',
        '…' | '·' | '⋯' => '.',
        '⋮' => ':',
        'µ' => 'u',
        '×' => 'x',
        '█' | '▇' | '▆' | '▅' => '#',
        '▄' | '▃' | '▂' | '▁' | '░' | '▒' | '▓' => ':',
        '■' => '#',
        _ => '?',
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn every_cell_ends_up_ascii() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "┌─→ 12µs é世", ratatui::style::Style::new());
        transliterate(&mut buf);
        let text: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert!(text.is_ascii(), "{text:?}");
        assert!(text.starts_with("+-> 12us ?"), "{text:?}");
    }
}
