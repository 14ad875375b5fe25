//! The `?` overlay: every key, generated from the bindings in force (so a
//! rebind from the config shows), in two columns so it fits an 80×24 terminal.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{frame, title};
use crate::tui::app::App;
use crate::tui::keymap::Bound;
use crate::tui::keys::{Action, Section};
use crate::tui::theme::Theme;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let k = &app.keys;
    let mode: &[Bound] = match (app.player(), &app.demo) {
        (Some(_), _) => &k.replay,
        (None, _) if app.trace().is_some() => &k.trace,
        (None, Some(_)) => &k.demo,
        _ => &[],
    };
    let main = without_keys_of(&k.main, mode);
    let of = |s: Section| mode.iter().chain(&main).filter(move |b| b.section == s);
    let (mut left, mut right);
    if let Some(s) = app.trace() {
        // The sockets are the program's: the keys for calls and modes do nothing.
        left = section(Section::Trace.title(), of(Section::Trace), t);
        let quit = if s.program.attached {
            "q lets the program go: it goes on running"
        } else {
            "q asks, then ends the program (SIGTERM, then SIGKILL after 2 s): it cannot be let go"
        };
        left.extend(fit_lines(quit, 38, t));
        left.extend(view_keys(app, &of, t));
        right = section(Section::General.title(), of(Section::General), t);
    } else if let Some(d) = &app.demo {
        // The socket keys are off unless switched on; they are summed up.
        let demo = of(Section::Demo).filter(|b| d.predict || b.action != Action::Answer);
        left = section(Section::Demo.title(), demo, t);
        left.extend(view_keys(app, &of, t));
        right = section(Section::General.title(), of(Section::General), t);
        right.extend(live_keys(app, d.live, t));
    } else if app.player().is_some() {
        // A replay has no sockets: the keys for calls and modes do nothing.
        left = section(Section::Replay.title(), of(Section::Replay), t);
        left.extend(view_keys(app, &of, t));
        right = section(Section::General.title(), of(Section::General), t);
    } else {
        left = section(Section::Socket.title(), of(Section::Socket), t);
        left.extend(section("p then: the peer", k.peer.iter(), t));
        right = section(Section::Mode.title(), of(Section::Mode), t);
        right.extend(view_keys(app, &of, t));
        right.extend(section(Section::General.title(), of(Section::General), t));
    }
    let rows = left.len().max(right.len()) as u16;
    let w = 80.min(area.width);
    let h = (rows + 3).min(area.height);
    let at = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    let block = frame(title("keys  (Esc closes)", t), t);
    let inner = block.inner(at);
    f.render_widget(Clear, at);
    f.render_widget(block, at);
    let [body, foot] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
    f.render_widget(Paragraph::new(left), l);
    f.render_widget(Paragraph::new(right), r);
    let mouse = if app.mouse {
        "g glossary · mouse: click a socket or a call; the wheel scrolls"
    } else {
        "g glossary · mouse: off (config `mouse = false`)"
    };
    f.render_widget(Paragraph::new(Line::styled(mouse, t.dim())), foot);
}

/// The timeline's keys, or the transcript's while it is shown (they take
/// the same keys and the same room).
fn view_keys<'a, 'b, I: Iterator<Item = &'b Bound>>(
    app: &'b App,
    of: &impl Fn(Section) -> I,
    t: &Theme,
) -> Vec<Line<'a>> {
    if app.transcript.open {
        section("transcript (H closes)", app.keys.transcript.iter(), t)
    } else {
        section(Section::Timeline.title(), of(Section::Timeline), t)
    }
}

/// The main keys as the help names them in a demo or a replay: a key the
/// mode's own table takes (→ steps there) is left out of the label.
fn without_keys_of(main: &[Bound], mode: &[Bound]) -> Vec<Bound> {
    let taken: Vec<String> = mode.iter().flat_map(|b| &b.chords).map(|c| c.name()).collect();
    let mut out = main.to_vec();
    for b in out.iter_mut().filter(|b| b.chords.iter().any(|c| taken.contains(&c.name()))) {
        b.label = b.label.split(' ').filter(|w| !taken.iter().any(|t| t == w)).collect::<Vec<_>>().join(" ");
    }
    out
}

/// In a demo: the keys that act on the sockets, in short, and whether they are on.
fn live_keys<'a>(app: &App, on: bool, t: &Theme) -> Vec<Line<'a>> {
    let k = |names: &[&str]| names.iter().map(|n| app.keys.key_of(n)).collect::<Vec<_>>().join(" ");
    let state = if on { "on: expects may fail" } else { "off" };
    let rows = [
        (k(&["recv", "peek", "send", "accept", "connect", "close"]), "socket calls"),
        (k(&["toggle-blocking", "timeout", "zero-timeout"]), "modes"),
        (k(&["new-tcp", "udp", "listen"]), "new sockets"),
        (format!("{} …", k(&["peer"])), "the peer"),
        (format!("1-9 {}", k(&["next-socket"])), "pick a socket"),
    ];
    let mut out = vec![Line::styled(format!("live keys ({state})"), t.bold())];
    out.extend(rows.into_iter().map(|(keys, what)| {
        Line::from(vec![Span::styled(format!(" {keys:<11} "), t.key()), Span::raw(what)])
    }));
    out
}

fn section<'a, 'b>(name: &str, keys: impl Iterator<Item = &'b Bound>, t: &Theme) -> Vec<Line<'a>> {
    let mut out = vec![Line::styled(name.to_string(), t.bold())];
    for b in keys.filter(|b| !b.label.is_empty()) {
        out.push(Line::from(vec![
            Span::styled(format!(" {:<9} ", b.label), t.key()),
            Span::raw(b.help.clone()),
        ]));
    }
    out
}

/// A note in the help, wrapped to `width` and dimmed.
fn fit_lines<'a>(text: &str, width: usize, t: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let mut line = String::from(" ");
    for word in text.split(' ') {
        if line.chars().count() + word.chars().count() + 1 > width && !line.trim().is_empty() {
            out.push(Line::styled(std::mem::replace(&mut line, String::from(" ")), t.dim()));
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push(Line::styled(line, t.dim()));
    out
}
