//! The kernel inspector (`i`): everything the kernel says about the
//! current socket, sampled in the update step (`lab::sample::inspect`), shown in place
//! of the sockets list. A replay has no sockets to ask, so it shows the
//! last read-back recorded with a mode change instead.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{frame, title};
use crate::lab::sample::Inspection;
use crate::record::SockState;
use crate::record::mode::secs;
use crate::tui::app::App;
use crate::tui::theme::Theme;

/// Nine fields, and the borders.
pub const HEIGHT: u16 = 11;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let id = app.pane_socket();
    let name = |id: u32| app.lane_name(crate::record::Lane::Sock(id));
    let which = id.map_or_else(String::new, |id| format!(" {}", name(id)));
    let block = frame(title(format!("inspector{which}  (i: sockets)"), t), t);
    let lines = match (id.and_then(|id| app.record().socket(id)), &app.inspection) {
        (None, _) => vec![Line::styled(app.no_socket_hint("no current socket"), t.dim())],
        (Some(s), _) if s.closed => vec![Line::styled(format!("{} is closed", name(s.id())), t.dim())],
        (Some(_), Some(i)) => inspected(i, t),
        (Some(s), None) => recorded(s, app.player().is_some(), t),
    };
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), area);
}

fn field<'a>(name: &str, value: String, t: &Theme) -> Line<'a> {
    Line::from(vec![Span::styled(format!("{name:<12}"), t.dim()), Span::raw(value)])
}

fn nonblock(on: bool) -> String {
    if on { "set: non-blocking".into() } else { "clear: blocking".into() }
}

/// A kernel timer: zero is the kernel's "wait forever", unlike Python's 0.
fn timer(us: u64) -> String {
    if us == 0 { "0 (forever)".into() } else { format!("{}s", secs(std::time::Duration::from_micros(us))) }
}

fn inspected<'a>(i: &Inspection, t: &Theme) -> Vec<Line<'a>> {
    let state = i.tcp_state.clone().unwrap_or_else(|| "— (not TCP)".into());
    vec![
        field("fd", i.fd.to_string(), t),
        field("O_NONBLOCK", nonblock(i.nonblock), t),
        field("SO_RCVTIMEO", timer(i.rcvtimeo_us), t),
        field("SO_SNDTIMEO", timer(i.sndtimeo_us), t),
        field("SO_RCVBUF", i.rcvbuf.to_string(), t),
        field("SO_SNDBUF", i.sndbuf.to_string(), t),
        field("queued", format!("in {}  out {}", i.queued_in, i.queued_out), t),
        field("TCP state", state, t),
        field("ready now", i.readiness(), t),
    ]
}

/// Without a live socket: the fd and the last kernel read-back on record.
fn recorded<'a>(s: &SockState, replay: bool, t: &Theme) -> Vec<Line<'a>> {
    let mut out = vec![field("fd", s.info.fd.to_string(), t)];
    if let Some(k) = s.kernel {
        out.push(field("O_NONBLOCK", nonblock(k.nonblock), t));
        out.push(field("SO_RCVTIMEO", timer(k.rcvtimeo_us), t));
        out.push(field("SO_SNDTIMEO", timer(k.sndtimeo_us), t));
    }
    let why = if replay {
        "as read back at the last mode change; a replay has no socket to ask for buffers, queues, TCP state or readiness"
    } else {
        "the kernel could not be asked (a listener has no queues)"
    };
    out.push(Line::styled(why, t.dim()));
    out
}
