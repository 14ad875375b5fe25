//! The sockets pane: every socket with its number, kind and addresses, its
//! mode as the user set it beside what the kernel holds, and its queues.
//! All of it was read in the update step; nothing is read here.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{frame, title};
use crate::record::SockState;
use crate::tui::app::App;
use crate::tui::theme::Theme;

/// Lines per socket: header, you set, kernel flag, two timers (with queues).
const OPEN_LINES: u16 = 5;
const CLOSED_LINES: u16 = 2;

fn lines_of(s: &SockState) -> u16 {
    if s.closed { CLOSED_LINES } else { OPEN_LINES }
}

/// The height that shows every socket (borders included).
pub fn wanted_height(app: &App) -> u16 {
    2 + app.record().sockets().map(lines_of).sum::<u16>().max(1)
}

/// The first socket to draw, so that the current one is on screen.
fn first_shown(app: &App, inner_h: u16) -> usize {
    let socks: Vec<&SockState> = app.record().sockets().collect();
    let Some(cur) = socks.iter().position(|s| Some(s.id()) == app.current()) else { return 0 };
    let mut first = 0;
    while first < cur {
        let used: u16 = socks[first..=cur].iter().map(|s| lines_of(s)).sum();
        if used <= inner_h {
            break;
        }
        first += 1;
    }
    first
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let block = frame(title("sockets", t), t);
    let inner = block.inner(area);
    let mut lines = Vec::new();
    if app.record().sockets().next().is_none() {
        lines.push(Line::styled("no sockets yet: n opens one", t.dim()));
    }
    for s in app.record().sockets().skip(first_shown(app, inner.height)) {
        lines.extend(block_of(s, app, t));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// Which socket a click on screen row `y` landed on.
pub fn hit(area: Rect, app: &App, y: u16) -> Option<u32> {
    let inner_top = area.y + 1;
    let inner_h = area.height.saturating_sub(2);
    if y < inner_top || y >= inner_top + inner_h {
        return None;
    }
    let mut row = inner_top;
    for s in app.record().sockets().skip(first_shown(app, inner_h)) {
        let h = lines_of(s);
        if y < row + h {
            return Some(s.info.id);
        }
        row += h;
    }
    None
}

fn block_of<'a>(s: &SockState, app: &App, t: &Theme) -> Vec<Line<'a>> {
    let current = Some(s.id()) == app.current();
    let mark = if current { t.current_mark() } else { " " };
    let head_style = if current { t.selected().patch(t.bold()) } else { t.bold() };
    let head = Line::from(vec![
        Span::styled(format!("{mark}#{} {}", s.info.id, s.info.kind.word()), head_style),
        Span::raw(format!(" {}", addresses(s, app))),
    ]);
    if s.closed {
        return vec![head, Line::styled("  closed", t.dim())];
    }
    // Live, the kernel's view is a sample taken in the update step; a
    // replay knows it only from what was recorded with mode changes.
    let sample = app.sample(s.id());
    let kernel_view = match app.player() {
        Some(_) => s.kernel,
        None => sample.and_then(|x| x.kernel),
    };
    let (unknown, unknown_timer) = if app.player().is_some() { ("not recorded", "-") } else { ("?", "?") };
    let kernel = kernel_view.map_or_else(|| unknown.into(), |k| flag(k.nonblock).to_string());
    // FIONREAD/TIOCOUTQ do not apply to a listener: show a dash, not a guess.
    let queues = sample.and_then(|x| x.queues);
    let (rx, tx) = queues.map_or(("-".into(), "-".into()), |(r, w)| (r.to_string(), w.to_string()));
    // Padded to "0 (forever)" so the queue column lines up.
    let timer = |name: &str, us: Option<u64>| {
        format!("  {name} {:<11} ", us.map_or(unknown_timer.into(), timer_text))
    };
    vec![
        head,
        field("you set", s.mode.to_string(), t),
        field("kernel", kernel, t),
        Line::from(vec![
            Span::raw(timer("SO_RCVTIMEO", kernel_view.map(|k| k.rcvtimeo_us))),
            // FIONREAD on a datagram socket is the next datagram's size only.
            Span::styled(
                if s.info.kind.is_dgram() { format!("next dgram {rx}") } else { format!("rx-queue {rx}") },
                t.dim(),
            ),
        ]),
        Line::from(vec![
            Span::raw(timer("SO_SNDTIMEO", kernel_view.map(|k| k.sndtimeo_us))),
            Span::styled(format!("tx-queue {tx}"), t.dim()),
        ]),
    ]
}

fn field<'a>(name: &str, value: String, t: &Theme) -> Line<'a> {
    Line::from(vec![Span::styled(format!("  {name:<9}"), t.dim()), Span::raw(value)])
}

fn flag(nonblock: bool) -> &'static str {
    if nonblock { "O_NONBLOCK" } else { "no O_NONBLOCK (blocking)" }
}

/// A kernel timer: zero is the kernel's "wait forever", unlike Python's 0.
fn timer_text(us: u64) -> String {
    if us == 0 {
        "0 (forever)".into()
    } else {
        format!("{}s", crate::record::mode::secs(std::time::Duration::from_micros(us)))
    }
}

/// `127.0.0.1:41234 ⇄ peer`, `listening 127.0.0.1:40001`, `unconnected`.
/// AF_UNIX sockets show paths (escaped): `⇄ /tmp/x.sock`, `listening /tmp/x.sock`.
fn addresses(s: &SockState, app: &App) -> String {
    let arrow = app.theme.arrow();
    if s.info.kind.is_unix() {
        let shown = |p: &Option<String>| p.as_deref().map(|p| crate::escape::escape(p.as_bytes()));
        let peer = |p: &Option<String>| match (p, &app.peer_unix) {
            (Some(p), Some(ours)) if p.starts_with(ours.as_str()) => Some("peer".to_string()),
            _ => shown(p),
        };
        return match (shown(&s.info.local_path), peer(&s.info.remote_path)) {
            (Some(l), Some(r)) => format!("{l} {arrow} {r}"),
            (None, Some(r)) => format!("{arrow} {r}"),
            (Some(l), None) => l,
            (None, None) => "unconnected".into(),
        };
    }
    match (s.info.local, s.info.remote) {
        (Some(l), Some(r)) if Some(r) == app.peer_addr => format!("{l} {arrow} peer"),
        (Some(l), Some(r)) => format!("{l} {arrow} {r}"),
        (Some(l), None) if l.port() != 0 => format!("{l}"),
        _ => "unconnected".into(),
    }
}
