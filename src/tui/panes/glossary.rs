//! The glossary page of the `?` overlay: the words the screens use, said
//! the way the kernel and CPython behave (see SOCKET-FACTS).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{frame, title};
use crate::tui::app::App;

/// (term, meaning). Kept short: one or two lines each at 80 columns.
pub const TERMS: &[(&str, &str)] = &[
    (
        "blocking",
        "the call waits in the kernel until it can finish (data, room, a connection) or the connection ends. Python's default: settimeout(None).",
    ),
    (
        "non-blocking",
        "O_NONBLOCK: a call that would wait returns at once with EAGAIN. setblocking(False) and settimeout(0) are the same thing.",
    ),
    (
        "timeout T",
        "Python's settimeout(T): O_NONBLOCK plus a poll() of up to T before each call; if poll runs out no recv is made (TimeoutError).",
    ),
    (
        "SO_RCVTIMEO",
        "a kernel timer on a blocking fd (also SO_SNDTIMEO). 0 means wait forever; when it runs out the call returns EAGAIN (Python: BlockingIOError).",
    ),
    (
        "EAGAIN",
        "errno 11, also EWOULDBLOCK: the call would have had to wait, so it returned at once. Python raises BlockingIOError.",
    ),
    (
        "EINPROGRESS",
        "errno 115: a non-blocking connect has started and the handshake goes on; writable (then SO_ERROR) tells how it ended.",
    ),
    (
        "ECONNRESET",
        "errno 104: the peer reset the connection (an RST). It is reported once; after it, recv returns EOF.",
    ),
    (
        "EPIPE",
        "errno 32: a send after the peer closed and its kernel answered with RST. No SIGPIPE: sends use MSG_NOSIGNAL.",
    ),
    ("EOF", "recv returned 0 bytes: the peer sent FIN; later recvs return 0 again."),
    (
        "readiness",
        "what poll/epoll report: readable (data, a FIN or an error is waiting), writable (the send buffer has room).",
    ),
    (
        "edge-triggered",
        "epoll with EPOLLET, as mio always is: one event per change (new data), no reminder while bytes stay unread. Read until EAGAIN.",
    ),
];

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let lines: Vec<Line> = TERMS
        .iter()
        .map(|(term, meaning)| {
            Line::from(vec![Span::styled(format!("{term}: "), t.bold()), Span::raw(*meaning)])
        })
        .collect();
    let w = 80.min(area.width);
    let h = area.height.min(24);
    let at = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    let block = frame(title("glossary  (g: keys · Esc closes)", t), t);
    f.render_widget(Clear, at);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }).block(block), at);
}
