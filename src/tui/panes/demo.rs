//! The demo pane: step N/M, the narration of the step on screen, and what
//! the next key does. In predict mode: the question before a call, then
//! whether the class was right and why the call came out so, and the tally.
//! With the live keys on, its bottom border says the expects may fail.
//!
//! ```text
//! ┌ demo: 02-nonblocking-wouldblock.scenario  step 3/7  1 of 1 right ────┐
//! │Nothing is queued, so the kernel does not wait: recv fails with EAGAIN │
//! │RIGHT: recv → wouldblock (the class said wouldblock)                   │
//! │why recv found the receive queue empty on a non-blocking socket …      │
//! │next ▸ peer send "hello" · recv   (line 12; Space)                     │
//! └───────────────────────────────────────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{frame, title};
use crate::record::Outcome;
use crate::tui::app::App;
use crate::tui::demo::Demo;
use crate::tui::demo::predict::Answer;
use crate::tui::fit::{cut_rows as cut, wrap_spans as wrap};
use crate::tui::fmt;
use crate::tui::theme::Theme;

/// Borders and the fewest rows: narration, a verdict or question, and the "next" line.
pub const MIN_HEIGHT: u16 = 6;

/// The pane's height on a screen of `screen` size: as much as its text
/// needs, up to 9 rows of 24 (a verdict's why is the point of the step),
/// 14 of 36.
pub fn height(app: &App, screen: Rect) -> u16 {
    let Some(d) = &app.demo else { return 0 };
    let most = (screen.height.saturating_sub(2) * 5 / 12).max(MIN_HEIGHT);
    let width = screen.width.saturating_sub(2);
    let body: usize = sections(d, app, width).iter().map(Vec::len).sum();
    (body as u16 + 3).clamp(MIN_HEIGHT, most)
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(d) = &app.demo else { return };
    let mut head = format!("demo: {}  step {}/{}", d.name, d.at(), d.total_steps());
    match d.tally() {
        (right, all) if all > 0 => head.push_str(&format!("  {right} of {all} right")),
        _ => {}
    }
    let mut block = frame(title(head, t), t);
    if d.live {
        block = block.title_bottom(Span::styled(
            " live keys on: the scenario's expects may fail (L: off) ",
            t.error(),
        ));
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    let room = inner.height.saturating_sub(1) as usize;
    let body = fit(sections(d, app, inner.width), room, inner.width, t);
    let foot_at = Rect { y: inner.bottom().saturating_sub(1), height: 1.min(inner.height), ..inner };
    f.render_widget(Paragraph::new(body), Rect { height: room as u16, ..inner });
    f.render_widget(Paragraph::new(foot(d, app, t, inner.width)), foot_at);
}

/// The text above the "next" line, in parts that are cut separately when
/// there is no room: the narration, the question or verdict, the why.
fn sections<'a>(d: &'a Demo, app: &'a App, width: u16) -> Vec<Vec<Line<'a>>> {
    let t = &app.theme;
    let said = |text: &[&str]| wrap(&[Span::styled(fmt::safe(&text.join(" ")), t.narration())], width);
    if let Some(q) = d.question() {
        let first = match q.first.is_empty() {
            true => String::new(),
            false => {
                format!("; first {}", q.first.iter().map(|l| fmt::safe(l)).collect::<Vec<_>>().join(", "))
            }
        };
        let ask = [
            Span::styled(format!("What will {} do? ", q.verb), t.bold()),
            Span::styled(format!("(line {}: {}{first})", q.line, fmt::safe(q.text)), t.dim()),
        ];
        // The choices on a line of their own, so they read as one row.
        let mut choices = Vec::new();
        for (i, g) in app.choices().iter().enumerate() {
            let sep = if i == 0 { "" } else { " · " };
            choices.push(Span::styled(format!("{sep}{}", i + 1), t.key()));
            choices.push(Span::styled(format!(" {}", g.word()), t.plain()));
        }
        let mut lines = wrap(&ask, width);
        lines.extend(wrap(&choices, width));
        return vec![lines];
    }
    // Before the first step, and until a step has narration of its own:
    // the title and the first `say`.
    let narration = d.narration();
    let mut shown = if narration.is_empty() {
        let (title, first) = d.intro();
        let mut intro = title.map_or_else(Vec::new, |s| wrap(&[Span::styled(fmt::safe(s), t.bold())], width));
        let first: Vec<&str> = first.iter().map(String::as_str).collect();
        intro.extend(said(&first));
        intro
    } else {
        said(&narration)
    };
    if d.at() == 0 && d.predict {
        let how =
            "Predict mode: before each call, the class says what it will do; type their answer's digit.";
        shown.extend(wrap(&[Span::styled(how, t.dim())], width));
    }
    if shown.is_empty() && d.at() == 0 {
        shown.push(Line::styled("Space runs the first step.", t.dim()));
    }
    let mut out = vec![shown];
    if let Some(a) = d.last_answer() {
        let (verdict, why) = judged(a, width, t);
        out.push(verdict);
        out.push(why);
    }
    out
}

/// The verdict line and the why, wrapped.
fn judged<'a>(a: &'a Answer, width: u16, t: &Theme) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
    let said = a.guess.map_or("no answer".to_string(), |g| format!("the class said {}", g.word()));
    let Some(v) = &a.verdict else {
        return (wrap(&[Span::styled(format!("{said}; the call is running …"), t.dim())], width), Vec::new());
    };
    let (mark, style) = match (a.guess, v.right) {
        (None, _) => ("", t.bold()),
        (Some(_), true) => ("RIGHT: ", t.outcome(Outcome::Data).add_modifier(ratatui::style::Modifier::BOLD)),
        (Some(_), false) => ("WRONG: ", t.error()),
    };
    let verdict = vec![
        Span::styled(mark, style),
        Span::styled(v.outcome.clone(), t.bold()),
        Span::styled(format!(" ({said})"), t.plain()),
    ];
    let why = [Span::styled("why ", t.dim()), Span::styled(fmt::safe(&v.why), t.plain())];
    (wrap(&verdict, width), wrap(&why, width))
}

/// Fits the sections into `room` rows: the why is cut first, then the
/// narration; a cut says so with `…`.
fn fit<'a>(mut parts: Vec<Vec<Line<'a>>>, room: usize, width: u16, t: &Theme) -> Vec<Line<'a>> {
    for i in [2, 0, 1] {
        let total: usize = parts.iter().map(Vec::len).sum();
        let Some(part) = parts.get_mut(i) else { continue };
        if total > room {
            let keep = part.len().saturating_sub(total - room).max(1);
            *part = cut(std::mem::take(part), keep, width, t.dim());
        }
    }
    let mut lines: Vec<Line> = parts.into_iter().flatten().collect();
    lines.truncate(room);
    lines
}

/// The bottom line: what the next key does. Long commands are cut, so
/// what Space does stays in view.
fn foot<'a>(d: &'a Demo, app: &App, t: &Theme, width: u16) -> Line<'a> {
    if d.asking() {
        let n = app.choices().len();
        return Line::from(vec![
            Span::styled(format!("1-{n}"), t.key()),
            Span::raw(" the class's answer   "),
            Span::styled("0", t.key()),
            Span::raw(" none   "),
            Span::styled("←", t.key()),
            Span::raw(" back"),
        ]);
    }
    if d.finished() {
        let (tally, then) = match d.tally() {
            (right, all) if d.predict && d.settled() => {
                (format!(": the class got {right} of {all} right"), "   Home: start over")
            }
            _ => (String::new(), "   Home: start over · L: live keys, to explore"),
        };
        return Line::from(vec![
            Span::styled(format!("end of the scenario{tally}"), t.bold()),
            Span::styled(then, t.dim()),
        ]);
    }
    let next = d.next_lines();
    let what: Vec<String> = next.iter().map(|(_, text)| fmt::safe(text)).collect();
    let line = next.first().map_or(String::new(), |(n, _)| format!("line {n}; "));
    let what = if what.is_empty() { "narration".to_string() } else { what.join(" · ") };
    let key = if d.next_asks() { "Space asks first" } else { "Space or → runs it" };
    let hint = Span::styled(format!("   ({line}{key})"), t.dim());
    let room = (width as usize).saturating_sub(hint.width() + Span::raw("next ▸ ").width());
    Line::from(vec![Span::styled("next ▸ ", t.key()), Span::styled(shorten(&what, room), t.bold()), hint])
}

/// `text` in at most `room` columns, ending in ` …` if it was cut.
fn shorten(text: &str, room: usize) -> String {
    if Span::raw(text).width() <= room {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if Span::raw(format!("{out}{c}")).width() + 2 > room {
            break;
        }
        out.push(c);
    }
    out.trim_end().to_string() + " …"
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn a_long_next_line_is_cut_and_says_so() {
        assert_eq!(shorten("open tcp · recv", 20), "open tcp · recv");
        assert_eq!(shorten("open tcp · recv", 10), "open tcp …");
    }
}
