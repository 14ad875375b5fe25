//! What the call pane adds for a busy-poll: its tallies, and how much of
//! its lane's history is still kept call by call versus folded into counts.

use ratatui::text::{Line, Span};

use crate::record::{Arg, Call};
use crate::tui::app::App;
use crate::tui::fmt;

pub fn lines<'a>(c: &Call, app: &App) -> Vec<Line<'a>> {
    let t = &app.theme;
    let field = |name: &str, value: String| {
        Line::from(vec![Span::styled(format!("{name:<8}"), t.dim()), Span::raw(value)])
    };
    let mut out = Vec::new();
    if let Arg::Spin(arg) = &c.arg
        && let s = &arg.stats
        && s.calls > 0
    {
        let per_s = c.duration().map(|d| s.calls as f64 / d.as_secs_f64().max(1e-9));
        let rate = per_s.map_or_else(String::new, |r| format!("  ({}/s)", fmt::count(r as u64)));
        out.push(field("calls", format!("{}{rate}", s.calls)));
    }
    if let Some(lane) = app.timeline().dense(c.lane) {
        let f = lane.folded;
        let kept = format!("{} calls on this lane, each drawn", fmt::count(lane.kept() as u64));
        out.push(field("kept", kept));
        if f.calls > 0 {
            let by = [("W", f.wouldblock), ("data", f.data), ("eof", f.eof), ("error", f.error)];
            let by: Vec<String> =
                by.iter().filter(|b| b.1 > 0).map(|(k, n)| format!("{k} {}", fmt::count(*n))).collect();
            out.push(field(
                "folded",
                format!("{} older calls, counted only: {}", fmt::count(f.calls), by.join(", ")),
            ));
        }
    }
    out
}
