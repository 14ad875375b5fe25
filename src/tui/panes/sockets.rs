//! The sockets pane: every socket with its number, kind and addresses, its
//! mode as the user set it beside what the kernel holds, and its queues.
//! All of it was read in the update step; nothing is read here.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{frame, title};
use crate::record::{Arg, Lane, SockKind, SockState};
use crate::tui::app::App;
use crate::tui::fit;
use crate::tui::theme::Theme;

/// Rows for the current socket, expanded: its header, the mode you set,
/// the kernel's flag, and the two timers beside the queues.
const EXPANDED_ROWS: u16 = 5;

/// Rows a socket takes: every socket but the current one takes one, so
/// many sockets leave the call pane room.
fn rows_of(s: &SockState, current: Option<u32>) -> u16 {
    if Some(s.id()) == current && !s.closed { EXPANDED_ROWS } else { 1 }
}

/// The height that shows every socket (borders included).
pub fn wanted_height(app: &App) -> u16 {
    2 + app.record().sockets().map(|s| rows_of(s, app.pane_socket())).sum::<u16>().max(1)
}

/// The first socket to draw, so that the current one is on screen.
fn first_shown(app: &App, inner_h: u16) -> usize {
    let socks: Vec<&SockState> = app.record().sockets().collect();
    let Some(cur) = socks.iter().position(|s| Some(s.id()) == app.pane_socket()) else { return 0 };
    let mut first = 0;
    while first < cur {
        let used: u16 = socks[first..=cur].iter().map(|s| rows_of(s, app.pane_socket())).sum();
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
        lines.push(Line::styled(app.no_socket_hint("no sockets yet"), t.dim()));
    }
    for s in app.record().sockets().skip(first_shown(app, inner.height)) {
        if Some(s.id()) == app.pane_socket() && !s.closed {
            lines.extend(expanded(s, app, inner.width, t));
        } else {
            lines.push(row(s, app, inner.width, t));
        }
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
        let h = rows_of(s, app.pane_socket());
        if y < row + h {
            return Some(s.info.id);
        }
        row += h;
    }
    None
}

/// `▸#1 tcp` (the current one marked and highlighted), as a header starts.
fn name<'a>(s: &SockState, app: &App, t: &Theme) -> Span<'a> {
    let current = Some(s.id()) == app.pane_socket();
    let mark = if current { t.current_mark() } else { " " };
    let style = if current { t.selected().patch(t.bold()) } else { t.bold() };
    let who = app.lane_name(crate::record::Lane::Sock(s.id()));
    Span::styled(format!("{mark}{who} {}", s.info.kind.word()), style)
}

/// A socket that is not the current one, in one row: its number and kind,
/// the mode you set (or `closed`), then its addresses in the room left.
fn row<'a>(s: &SockState, app: &App, width: u16, t: &Theme) -> Line<'a> {
    let name = name(s, app, t);
    let room = (width as usize).saturating_sub(fit::width(&name.content));
    let state = if s.closed { "closed".to_string() } else { s.mode.to_string() };
    let state = fit::end(&format!("  {state}"), room);
    let room = room - fit::width(&state);
    let mut spans = vec![name, Span::styled(state, t.dim())];
    if room > 2 {
        spans.push(Span::raw(format!("  {}", addresses(s, app, room - 2))));
    }
    Line::from(spans)
}

fn expanded<'a>(s: &SockState, app: &App, width: u16, t: &Theme) -> Vec<Line<'a>> {
    let name = name(s, app, t);
    let room = (width as usize).saturating_sub(fit::width(&name.content) + 1);
    let head = Line::from(vec![name, Span::raw(format!(" {}", addresses(s, app, room)))]);
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
    // FIONREAD on a datagram socket is the next datagram's size only.
    let rx_names = if s.info.kind.is_dgram() { ["next dgram", "dgram"] } else { ["rx-queue", "rx"] };
    let queue = |timer: String, names: [&str; 2], n: &str| {
        let room = (width as usize).saturating_sub(fit::width(&timer));
        // Narrow: the short name rather than a number cut off.
        let long = format!("{} {n}", names[0]);
        let text =
            if fit::width(&long) <= room { long } else { fit::end(&format!("{} {n}", names[1]), room) };
        Line::from(vec![Span::raw(timer), Span::styled(text, t.dim())])
    };
    vec![
        head,
        // A traced program's mode is what its own calls set.
        field(if s.info.pid.is_some() { "set to" } else { "you set" }, s.mode.to_string(), t),
        field("kernel", kernel, t),
        queue(timer("SO_RCVTIMEO", kernel_view.map(|k| k.rcvtimeo_us)), rx_names, &rx),
        queue(timer("SO_SNDTIMEO", kernel_view.map(|k| k.sndtimeo_us)), ["tx-queue", "tx"], &tx),
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

/// `127.0.0.1:41234 ⇄ peer`, `127.0.0.1:40001` (a listener), `unconnected`,
/// in at most `room` cells. AF_UNIX sockets show paths (escaped):
/// `⇄ /tmp/x.sock`. What does not fit is cut from the start with a `…`
/// (`…:51000 ⇄ peer`), the local end more than the remote one.
fn addresses(s: &SockState, app: &App, room: usize) -> String {
    let arrow = app.theme.arrow();
    let (local, remote) = ends(s, app);
    let Some(r) = remote else {
        // A traced program's AF_UNIX socket with no path (a socketpair's) is
        // unnamed, not necessarily unconnected.
        let none = if s.info.pid.is_some() && s.info.kind.is_unix() { "unnamed" } else { "unconnected" };
        return fit::start(&local.unwrap_or_else(|| none.into()), room);
    };
    let sep = fit::width(arrow) + 1;
    let Some(l) = local else {
        return format!("{arrow} {}", fit::start(&r, room.saturating_sub(sep)));
    };
    let (lw, rw) = (fit::width(&l), fit::width(&r));
    let both = room.saturating_sub(sep + 1);
    if lw + rw <= both {
        return format!("{l} {arrow} {r}");
    }
    if both < 6 {
        return fit::start(&format!("{l} {arrow} {r}"), room);
    }
    // The remote end has the room the local one leaves, but at most two thirds.
    let l_room = lw.min(both.saturating_sub(rw).max(both / 3)).max(1);
    let r_room = both.saturating_sub(l_room);
    fit::end(&format!("{} {arrow} {}", fit::start(&l, l_room), fit::start(&r, r_room)), room)
}

/// The peer's own UDP socket that `open udp` (no address) connected this
/// one to, as its open call recorded it.
fn peer_udp(s: &SockState, app: &App) -> Option<std::net::SocketAddr> {
    if s.info.kind != SockKind::Udp {
        return None;
    }
    let t = app.record().timeline();
    let first = *t.lane(Lane::Sock(s.id())).first()?;
    match t.get(first as usize)?.arg {
        Arg::Bound { to, .. } => Some(to),
        _ => None,
    }
}

/// The two ends of a socket, as they are shown: the peer's as `peer`.
fn ends(s: &SockState, app: &App) -> (Option<String>, Option<String>) {
    if s.info.kind.is_unix() {
        let shown = |p: &Option<String>| p.as_deref().map(|p| crate::escape::escape(p.as_bytes()));
        let peer = match (&s.info.remote_path, &app.peer_unix) {
            (Some(p), Some(ours)) if p.starts_with(ours.as_str()) => Some("peer".to_string()),
            (p, _) => shown(p),
        };
        return (shown(&s.info.local_path), peer);
    }
    // A traced program's socket: what the update step read from the
    // kernel fills in what its calls did not say (an accepted socket's
    // peer, the port a bind to port 0 got).
    let read = app.sample(s.id());
    let local = s.info.local.filter(|l| l.port() != 0).or(read.and_then(|x| x.local));
    let remote = s.info.remote.or(read.and_then(|x| x.remote));
    match (local, remote) {
        (Some(l), Some(r)) if Some(r) == app.peer_addr || Some(r) == peer_udp(s, app) => {
            (Some(l.to_string()), Some("peer".into()))
        }
        (l, r) => (l.map(|l| l.to_string()), r.map(|r| r.to_string())),
    }
}
