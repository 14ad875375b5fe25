//! The `:` prompt's line editor: cursor, history (↑/↓) and tab completion
//! of command words. Pure state; the prompt pane draws it.

/// What a Tab press found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// The word was completed (or extended to the longest common prefix).
    Done,
    /// Several words fit; here they are, for the status line.
    Choices(Vec<&'static str>),
    /// Nothing fits.
    None,
}

#[derive(Debug, Default, Clone)]
pub struct LineEdit {
    text: String,
    /// Cursor position in chars (not bytes), so multibyte input is safe.
    cursor: usize,
    history: Vec<String>,
    /// Where ↑/↓ is in the history; `None` while editing a fresh line.
    browsing: Option<usize>,
    /// The fresh line, kept while browsing the history.
    draft: String,
}

impl LineEdit {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Starts a new line, optionally prefilled (e.g. `send "`).
    pub fn start(&mut self, prefill: &str) {
        self.text = prefill.to_string();
        self.cursor = self.text.chars().count();
        self.browsing = None;
    }

    /// Puts the cursor at a 1-based column (where a parse error points).
    pub fn set_cursor_col(&mut self, col: usize) {
        self.cursor = col.saturating_sub(1).min(self.text.chars().count());
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.text.char_indices().nth(char_idx).map_or(self.text.len(), |(b, _)| b)
    }

    pub fn insert(&mut self, c: char) {
        let b = self.byte_at(self.cursor);
        self.text.insert(b, c);
        self.cursor += 1;
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let b = self.byte_at(self.cursor);
            self.text.remove(b);
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.chars().count() {
            let b = self.byte_at(self.cursor);
            self.text.remove(b);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.chars().count();
    }

    /// Takes the line for running, and remembers it (no repeats in a row).
    pub fn submit(&mut self) -> String {
        let line = std::mem::take(&mut self.text);
        self.cursor = 0;
        self.browsing = None;
        if !line.trim().is_empty() && self.history.last() != Some(&line) {
            self.history.push(line.clone());
        }
        line
    }

    /// ↑: an older line from the history.
    pub fn older(&mut self) {
        let next = match self.browsing {
            None if self.history.is_empty() => return,
            None => {
                self.draft = self.text.clone();
                self.history.len() - 1
            }
            Some(i) => i.saturating_sub(1),
        };
        self.browsing = Some(next);
        self.show(self.history[next].clone());
    }

    /// ↓: a newer line, and finally the line being written before ↑.
    pub fn newer(&mut self) {
        let Some(i) = self.browsing else { return };
        if i + 1 < self.history.len() {
            self.browsing = Some(i + 1);
            self.show(self.history[i + 1].clone());
        } else {
            self.browsing = None;
            let draft = std::mem::take(&mut self.draft);
            self.show(draft);
        }
    }

    fn show(&mut self, line: String) {
        self.text = line;
        self.cursor = self.text.chars().count();
    }

    /// Completes the first word of the line from `words`.
    pub fn complete(&mut self, words: &[&'static str]) -> Completion {
        let before: String = self.text.chars().take(self.cursor).collect();
        // Only the first word is completed; arguments are free text.
        if before.trim_start().contains(char::is_whitespace) {
            return Completion::None;
        }
        let stem = before.trim_start();
        let fits: Vec<&'static str> = words.iter().copied().filter(|w| w.starts_with(stem)).collect();
        match fits.as_slice() {
            [] => Completion::None,
            [only] => {
                self.replace_stem(stem.len(), &format!("{only} "));
                Completion::Done
            }
            many => {
                let common = common_prefix(many);
                if common.len() > stem.len() {
                    self.replace_stem(stem.len(), common);
                    Completion::Done
                } else {
                    Completion::Choices(fits)
                }
            }
        }
    }

    /// Replaces the `stem_len` bytes before the cursor with `with`.
    fn replace_stem(&mut self, stem_len: usize, with: &str) {
        let end = self.byte_at(self.cursor);
        let start = end - stem_len;
        self.text.replace_range(start..end, with);
        self.cursor = self.text[..start + with.len()].chars().count();
    }
}

fn common_prefix<'a>(words: &[&'a str]) -> &'a str {
    let first = words[0];
    let mut len = first.len();
    for w in &words[1..] {
        len = first.bytes().zip(w.bytes()).take(len).take_while(|(a, b)| a == b).count();
    }
    &first[..len]
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: &[&str] = &["recv", "rcvtimeo", "send", "say", "socket", "shutdown"];

    #[test]
    fn tab_completes_a_unique_word() {
        let mut l = LineEdit::default();
        l.start("rec");
        assert_eq!(l.complete(WORDS), Completion::Done);
        assert_eq!(l.text(), "recv ");
    }

    #[test]
    fn tab_lists_choices_when_ambiguous() {
        let mut l = LineEdit::default();
        l.start("s");
        assert_eq!(l.complete(WORDS), Completion::Choices(vec!["send", "say", "socket", "shutdown"]));
        l.start("sh");
        assert_eq!(l.complete(WORDS), Completion::Done);
        assert_eq!(l.text(), "shutdown ");
    }

    #[test]
    fn history_walks_back_and_restores_the_draft() {
        let mut l = LineEdit::default();
        for line in ["recv", "send \"hi\""] {
            l.start(line);
            l.submit();
        }
        l.start("dra");
        l.older();
        assert_eq!(l.text(), "send \"hi\"");
        l.older();
        l.older();
        assert_eq!(l.text(), "recv");
        l.newer();
        l.newer();
        assert_eq!(l.text(), "dra");
    }

    #[test]
    fn editing_is_char_based() {
        let mut l = LineEdit::default();
        l.start("é");
        l.insert('x');
        l.left();
        l.left();
        l.delete();
        assert_eq!(l.text(), "x");
        l.backspace();
        assert_eq!(l.text(), "x");
    }
}
