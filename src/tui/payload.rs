//! Payload previews as the call pane shows them: escaped text, or hex rows
//! (`68 65 6c 6c 6f  hello`). Either way no received byte reaches the
//! terminal raw: control bytes are escapes in text and dots in hex.

use crate::record::call::escape;

/// Text previews are cut to this many escaped characters.
const PREVIEW_CHARS: usize = 120;
/// Hex previews show at most this many rows.
pub const HEX_ROWS: usize = 8;

/// Received bytes, escaped and quoted; `…` if there is more than shown.
pub fn text(bytes: &[u8], total: Option<u64>) -> String {
    let text = escape(bytes);
    let mut shown: String = text.chars().take(PREVIEW_CHARS).collect();
    if text.chars().count() > PREVIEW_CHARS || more_than(bytes, total) {
        shown.push('…');
    }
    format!("\"{shown}\"")
}

fn more_than(bytes: &[u8], total: Option<u64>) -> bool {
    total.is_some_and(|n| n as usize > bytes.len())
}

/// How many bytes a hex row holds in `width` cells: a power of two, so
/// offsets stay round (each byte takes "xx " plus one character).
pub fn per_row(width: u16) -> usize {
    let fit = (width as usize).saturating_sub(1) / 4;
    match fit {
        0..=1 => 1,
        n => 1 << n.ilog2().min(4),
    }
}

/// Hex rows of at most `per_row` bytes, then a note of what was not shown.
pub fn hex_rows(bytes: &[u8], total: Option<u64>, per_row: usize) -> Vec<String> {
    let per_row = per_row.max(1);
    let mut rows: Vec<String> = bytes
        .chunks(per_row)
        .take(HEX_ROWS)
        .map(|chunk| {
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let ascii: String = chunk.iter().map(|&b| printable(b)).collect();
            format!("{:<w$}  {ascii}", hex.join(" "), w = per_row * 3 - 1)
        })
        .collect();
    let shown = (HEX_ROWS * per_row).min(bytes.len());
    let all = total.map_or(bytes.len() as u64, |n| n.max(bytes.len() as u64));
    if all > shown as u64 {
        rows.push(format!("… {} more bytes", all - shown as u64));
    }
    rows
}

/// A byte in the text column: printable ASCII as itself, anything else a dot.
fn printable(b: u8) -> char {
    if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_rows_pair_bytes_with_text() {
        assert_eq!(hex_rows(b"hello", None, 8), ["68 65 6c 6c 6f           hello"]);
        assert_eq!(hex_rows(b"hello", None, 4), ["68 65 6c 6c  hell", "6f           o"]);
    }

    #[test]
    fn control_bytes_never_reach_the_screen() {
        let rows = hex_rows(b"a\x1b[2J\r\n\x7f\xff", None, 8);
        assert_eq!(rows, ["61 1b 5b 32 4a 0d 0a 7f  a.[2J...", "ff                       ."]);
        assert!(rows.iter().all(|r| !r.chars().any(char::is_control)));
        assert_eq!(text(b"a\x1b[2J", None), "\"a\\x1b[2J\"");
    }

    #[test]
    fn long_payloads_say_what_is_left() {
        let bytes = vec![b'x'; 256];
        let rows = hex_rows(&bytes, Some(1000), 4);
        assert_eq!(rows.len(), HEX_ROWS + 1);
        assert_eq!(rows.last().unwrap(), "… 968 more bytes");
        assert!(text(&bytes[..4], Some(10)).ends_with("…\""));
    }

    #[test]
    fn rows_fit_the_width() {
        assert_eq!(per_row(36), 8);
        assert_eq!(per_row(28), 4);
        assert_eq!(per_row(80), 16);
        assert_eq!(per_row(3), 1);
    }
}
