//! One lane of the timeline: each call a bar from its start to its end
//! with a glyph for how it ended; a call still in the kernel grows live.
//! Some records draw their own way: a spin is aggregated from the dense
//! store (`spin.rs`), readiness on the event loop's lane is a small tag
//! naming the socket (`◉5`), and a serve client's lane shows its request,
//! from send to echo, rather than the calls inside it.

use ratatui::buffer::Buffer;
use ratatui::style::Style;

use super::spin;
use super::timeline::Geometry;
use crate::record::{Arg, Call, Lane, Op, Outcome, Timeline};
use crate::tui::app::App;
use crate::tui::fmt;
use crate::tui::view::Window;

/// How far back to look for a call that began left of the window and is
/// still drawn in it (socket calls are sequential, so a few suffice).
const LOOKBACK: usize = 8;

/// Whether a record is drawn on its lane. On a client's lane the request
/// stands for the send and the recvs inside it, unless one failed.
pub fn drawn(c: &Call) -> bool {
    match (c.lane, c.op) {
        (Lane::Client(_), Op::PeerSend | Op::PeerRecv) => {
            !matches!(c.outcome, Outcome::Sent | Outcome::Data | Outcome::Eof)
        }
        _ => true,
    }
}

/// The calls drawn on a lane: at most two per cell, plus what reaches in
/// from the left and the selection.
pub fn visible(tl: &Timeline, lane: Lane, w: Window, now_ns: u64, selected: Option<usize>) -> Vec<usize> {
    let ids = tl.lane(lane);
    let start = |j: u32| tl.get(j as usize).map_or(u64::MAX, |c| c.start_ns);
    let p = ids.partition_point(|&j| start(j) < w.start_ns);
    let mut out: Vec<usize> = ids[p.saturating_sub(LOOKBACK)..p]
        .iter()
        .map(|&j| j as usize)
        .filter(|&j| tl.get(j).is_some_and(|c| drawn(c) && end_or(c, now_ns) >= w.start_ns))
        .collect();
    let mut k = p;
    while let Some(c) = ids.get(k).and_then(|&j| tl.get(j as usize)) {
        if c.start_ns >= w.end_ns() {
            break;
        }
        if matches!(lane, Lane::Client(_)) {
            // A client makes a handful of records: all are looked at.
            if drawn(c) {
                out.push(ids[k] as usize);
            }
            k += 1;
            continue;
        }
        out.push(ids[k] as usize);
        // Skip to the next cell; the latest call in this cell is kept too,
        // since it may be a long one that reaches further right.
        let next_cell = w.time_of(w.col(c.start_ns) + 1);
        let q = k + ids[k..].partition_point(|&j| start(j) < next_cell);
        if q > k + 1 {
            out.push(ids[q - 1] as usize);
        }
        k = q.max(k + 1);
    }
    let extra = tl.blocking().chain(selected).filter(|&i| tl.get(i).is_some_and(|c| c.lane == lane));
    for i in extra.collect::<Vec<_>>() {
        if !out.contains(&i) && tl.get(i).is_some_and(|c| c.start_ns < w.end_ns()) {
            out.push(i);
        }
    }
    out
}

fn end_or(c: &Call, now_ns: u64) -> u64 {
    c.end_ns.unwrap_or(now_ns.max(c.start_ns))
}

/// First and last cell of a call's bar (the last holds its glyph).
pub fn span(c: &Call, w: Window, now_ns: u64) -> (u16, u16) {
    let a = w.col(c.start_ns.max(w.start_ns));
    let b = w.col(end_or(c, now_ns).min(w.end_ns().saturating_sub(1)));
    (a, b.max(a))
}

pub fn draw(buf: &mut Buffer, g: &Geometry, y: u16, w: Window, app: &App, lane: Lane) {
    let t = &app.theme;
    let tl = app.timeline();
    let items = visible(tl, lane, w, app.now_ns, app.view.selected);
    let mut used = vec![false; g.cells as usize];
    // Which call's glyph a cell shows: only that call may put its label beside it.
    let mut owner = vec![usize::MAX; g.cells as usize];
    let style_of = |i: usize, c: &Call| {
        let s = t.outcome(c.outcome);
        if Some(i) == app.view.selected { s.patch(t.selected()) } else { s }
    };
    let (ready, calls): (Vec<usize>, Vec<usize>) =
        items.iter().partition(|&&i| tl.get(i).is_some_and(|c| c.op == Op::Ready));
    for &i in &calls {
        let Some(c) = tl.get(i) else { continue };
        let (a, b) = span(c, w, app.now_ns);
        if c.op == Op::Spin {
            spin::draw(buf, g, y, w, app, c, (a, b));
        } else {
            for x in a..b {
                put(buf, g.x0 + x, y, t.bar(), style_of(i, c));
            }
            put(buf, g.x0 + b, y, t.glyph(c.outcome), style_of(i, c));
        }
        used[a as usize..=b as usize].fill(true);
        owner[b as usize] = i;
    }
    for &i in &ready {
        let Some(c) = tl.get(i) else { continue };
        let Arg::Ready(id, _) = c.arg else { continue };
        let tag = format!("{}{id}", t.glyph(Outcome::Ready));
        if let Some(x) = tag_spot(&mut used, w.col(c.start_ns) as usize, tag.chars().count()) {
            buf.set_string(g.x0 + x as u16, y, &tag, style_of(i, c));
        }
    }
    // Labels go where no other call is, and only whole: a cut label misleads.
    for &i in &calls {
        let Some(c) = tl.get(i) else { continue };
        let (a, b) = span(c, w, app.now_ns);
        if owner[b as usize] != i {
            continue;
        }
        let style = if Some(i) == app.view.selected { style_of(i, c) } else { t.outcome(c.outcome) };
        // A spin's cells are its content: its label never goes on top of them.
        let inside = c.op != Op::Spin;
        for text in labels(c, app.now_ns) {
            if let Some(x) = label_spot(&mut used, (a as usize, b as usize), text.chars().count(), inside) {
                buf.set_string(g.x0 + x as u16, y, &text, style);
                break;
            }
        }
    }
    // "Now" last, where neither a call nor a label (nor its padding) is.
    if app.view.follow {
        let now = w.col(app.now_ns) as usize;
        if now < used.len() && !used[now] {
            put(buf, g.x0 + now as u16, y, t.now_mark(), t.dim());
        }
    }
}

/// Where a readiness tag of `len` cells goes: the first free cell from
/// `col` on (the wait's own glyph is usually at `col`). Claims the cells.
fn tag_spot(used: &mut [bool], col: usize, len: usize) -> Option<usize> {
    let x = (col..used.len()).find(|&x| !used[x])?;
    if x + len > used.len() || used[x..x + len].iter().any(|&u| u) {
        return None;
    }
    used[x..x + len].fill(true);
    Some(x)
}

/// Where a label of `len` cells goes for a bar over cells `a..=b`: right
/// of the glyph, else inside a long bar (if `inside`), else left of the bar. Claims the
/// cells it returns (plus a space of padding).
fn label_spot(used: &mut [bool], (a, b): (usize, usize), len: usize, inside: bool) -> Option<usize> {
    let free = |used: &[bool], from: usize, to: usize| to <= used.len() && !used[from..to].iter().any(|&u| u);
    let right = b + 2;
    // A cell of padding after the label too, unless it ends at the edge.
    if right + len <= used.len() && free(used, b + 1, (right + len + 1).min(used.len())) {
        used[b + 1..right + len].fill(true);
        return Some(right);
    }
    // Inside the bar: the bar's own cells are taken by itself, so only the
    // length is checked; one bar cell stays visible on each side.
    if inside && b >= a + len + 2 {
        return Some(a + 1);
    }
    let left = a.checked_sub(len + 1)?;
    if free(used, left.saturating_sub(1), a) {
        used[left.saturating_sub(1)..a].fill(true);
        return Some(left);
    }
    None
}

pub fn put(buf: &mut Buffer, x: u16, y: u16, ch: char, style: Style) {
    if let Some(cell) = buf.cell_mut((x, y)) {
        cell.set_char(ch).set_style(style);
    }
}

/// The labels a call may have beside its glyph, longest first: the first
/// that fits is drawn.
pub fn labels(c: &Call, now_ns: u64) -> Vec<String> {
    match (c.op, &c.arg) {
        (Op::Summary, Arg::Waits(_)) => vec![c.arg_text().unwrap_or_default(), "summary".into()],
        (Op::Spin, Arg::Spin(arg)) if c.end_ns.is_some() => {
            let s = &arg.stats;
            let parts = [("W", s.wouldblock), ("data", s.data), ("eof", s.eof), ("error", s.error)];
            let by: Vec<_> = parts.iter().filter(|p| p.1 > 0).collect();
            let calls = format!("{} calls", fmt::count(s.calls));
            let long = match by.as_slice() {
                [(only, _)] => format!("{calls}, all {only}"),
                many => {
                    let each: Vec<String> =
                        many.iter().map(|(k, n)| format!("{k} {}", fmt::count(*n))).collect();
                    format!("{calls}: {}", each.join(", "))
                }
            };
            vec![long, calls]
        }
        _ => vec![label(c, now_ns)],
    }
}

/// The short text beside a call's glyph.
pub fn label(c: &Call, now_ns: u64) -> String {
    if let Some(l) = traced_label(c) {
        return l;
    }
    let elapsed = || fmt::dur(now_ns.saturating_sub(c.start_ns));
    match (c.op, c.outcome, &c.arg) {
        (Op::Spin, Outcome::Blocking, _) => format!("spinning {}", elapsed()),
        (_, Outcome::Blocking, _) => format!("blocking {}", elapsed()),
        (Op::Request, Outcome::Data, _) => {
            format!("echo after {}", fmt::dur(c.end_ns.unwrap_or(now_ns).saturating_sub(c.start_ns)))
        }
        (Op::PollWait, Outcome::Ok, _) => format!("events {}", c.events().unwrap_or(0)),
        (Op::PollAdd | Op::PollDrain, Outcome::Ok, _) => c.arg_text().unwrap_or_else(|| c.op.word().into()),
        (Op::Timeout | Op::RcvTimeo | Op::SndTimeo, Outcome::Ok, _) => match c.arg_text() {
            Some(a) => format!("{} {a}", c.op.word()),
            None => c.op.word().into(),
        },
        (op, Outcome::Ok, _) => op.word().into(),
        _ => c.label(),
    }
}

/// A traced call's label where the lab's words do not fit: a call that
/// never returned, how many sockets a wait found ready, and the real
/// syscall for a set-up or control call.
fn traced_label(c: &Call) -> Option<String> {
    let t = c.traced.as_deref()?;
    match c.outcome {
        Outcome::Blocking if c.end_ns.is_some() => Some("never returned".into()),
        Outcome::Ready => Some(format!("ready {}", c.bytes.unwrap_or(0))),
        Outcome::Ok if !c.op.is_mode() => Some(t.syscall.clone()),
        _ => None,
    }
}
