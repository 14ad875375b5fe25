//! The `:` prompt's line editor: cursor, history (↑/↓) and tab completion
//! of command words and their arguments. Pure state; the prompt pane draws
//! it.

/// What a Tab press found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// The word was completed (or extended to the longest common prefix).
    Done,
    /// Several words fit; here they are, for the status line.
    Choices(Vec<String>),
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

    /// Starts a new line, optionally prefilled. A prefill that ends in an
    /// empty string (`send ""`) puts the cursor between its quotes.
    pub fn start(&mut self, prefill: &str) {
        self.text = prefill.to_string();
        self.cursor = self.text.chars().count();
        if prefill.ends_with("\"\"") {
            self.cursor -= 1;
        }
        self.browsing = None;
    }

    /// Puts the cursor at a 1-based column (where a parse error points).
    pub fn set_cursor_col(&mut self, col: usize) {
        self.cursor = col.saturating_sub(1).min(self.text.chars().count());
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.text.char_indices().nth(char_idx).map_or(self.text.len(), |(b, _)| b)
    }

    /// Types `c`. A `"` typed just before the quote that closes the string
    /// the cursor is in steps over it, so typing `hello"` into `send "|"`
    /// gives `send "hello"`.
    pub fn insert(&mut self, c: char) {
        let b = self.byte_at(self.cursor);
        if c == '"' && self.text[b..].starts_with('"') && quoting(&self.text[..b]) == Quoting::Inside {
            self.cursor += 1;
            return;
        }
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

    /// Completes the word before the cursor from the words that may come
    /// there: `next` is given the whole words before it. Nothing inside a
    /// quoted string is completed.
    pub fn complete(&mut self, next: impl Fn(&[&str]) -> Vec<String>) -> Completion {
        let before: String = self.text.chars().take(self.cursor).collect();
        if quoting(&before) != Quoting::Outside {
            return Completion::None;
        }
        let mut words: Vec<&str> = before.split_whitespace().collect();
        let stem = if before.ends_with(char::is_whitespace) || before.trim().is_empty() {
            ""
        } else {
            words.pop().unwrap_or("")
        };
        let lower = stem.to_lowercase();
        let fits: Vec<String> =
            next(&words).into_iter().filter(|w| w.to_lowercase().starts_with(&lower)).collect();
        match fits.as_slice() {
            [] => Completion::None,
            [only] => {
                self.replace_stem(stem.len(), &format!("{only} "));
                Completion::Done
            }
            many => {
                let common = common_prefix(many);
                if common.len() > stem.len() {
                    self.replace_stem(stem.len(), &common);
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

fn common_prefix(words: &[String]) -> String {
    let first = &words[0];
    let mut len = first.len();
    for w in &words[1..] {
        len = first.bytes().zip(w.bytes()).take(len).take_while(|(a, b)| a == b).count();
    }
    while !first.is_char_boundary(len) {
        len -= 1;
    }
    first[..len].to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Outside,
    Inside,
    /// Inside, right after a backslash: the next character is escaped.
    Escape,
}

/// Where text ends: outside a quoted string, inside one, or on an escape.
fn quoting(text: &str) -> Quoting {
    text.chars().fold(Quoting::Outside, |q, c| match (q, c) {
        (Quoting::Outside, '"') => Quoting::Inside,
        (Quoting::Outside, _) => Quoting::Outside,
        (Quoting::Inside, '"') => Quoting::Outside,
        (Quoting::Inside, '\\') => Quoting::Escape,
        (Quoting::Inside, _) | (Quoting::Escape, _) => Quoting::Inside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: &[&str] = &["recv", "rcvtimeo", "send", "say", "socket", "shutdown"];

    fn words(before: &[&str]) -> Vec<String> {
        match before {
            [] => WORDS.iter().map(|w| w.to_string()).collect(),
            _ => crate::command::complete::next_words(before, &[1, 2]),
        }
    }

    #[test]
    fn tab_completes_a_unique_word() {
        let mut l = LineEdit::default();
        l.start("rec");
        assert_eq!(l.complete(words), Completion::Done);
        assert_eq!(l.text(), "recv ");
    }

    #[test]
    fn tab_lists_choices_when_ambiguous() {
        let mut l = LineEdit::default();
        l.start("s");
        let all = ["send", "say", "socket", "shutdown"].map(String::from).to_vec();
        assert_eq!(l.complete(words), Completion::Choices(all));
        l.start("sh");
        assert_eq!(l.complete(words), Completion::Done);
        assert_eq!(l.text(), "shutdown ");
    }

    #[test]
    fn tab_completes_arguments_but_not_inside_strings() {
        let mut l = LineEdit::default();
        l.start("shutdown ");
        let three = ["rd", "wr", "both"].map(String::from).to_vec();
        assert_eq!(l.complete(words), Completion::Choices(three));
        l.start("shutdown w");
        assert_eq!(l.complete(words), Completion::Done);
        assert_eq!(l.text(), "shutdown wr ");
        l.start("socket tcp");
        assert_eq!(l.complete(words), Completion::Choices(["tcp".to_string(), "tcp6".to_string()].to_vec()));
        l.start("send \"sh");
        assert_eq!(l.complete(words), Completion::None);
    }

    #[test]
    fn an_empty_string_prefill_puts_the_cursor_inside_and_a_quote_steps_over() {
        let mut l = LineEdit::default();
        l.start("send \"\"");
        assert_eq!(l.cursor(), 6);
        for c in "hi\\\"x".chars() {
            l.insert(c);
        }
        assert_eq!(l.text(), "send \"hi\\\"x\"");
        l.insert('"');
        assert_eq!(l.text(), "send \"hi\\\"x\"", "the closing quote is stepped over");
        assert_eq!(l.cursor(), l.text().chars().count());
        l.insert('"');
        assert_eq!(l.text(), "send \"hi\\\"x\"\"", "outside the string a quote is typed");
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
