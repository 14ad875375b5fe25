//! The layout, and only the layout: which pane goes where.
//!
//! ```text
//! ┌ sockets ──────────────┐┌ timeline  100ms/cell  ▸ follow ──────────┐   (`i`: the kernel
//!                                                                         inspector instead)
//! │▸#1 tcp 127.0.0.1:… ⇄ …││#1   ◆open ⇄ connected      W wouldblock   │
//! │   you set  nonblocking││                                           │
//! │   kernel   O_NONBLOCK ││peer                                       │
//! └───────────────────────┘│                                           │
//! ┌ call ─────────────────┐│                                           │
//! │#1 recv 1024 → …       ││                                           │
//! │why: …                 ││──┬─────────┬─────────┬─────────┬──────────│
//! └───────────────────────┘│  0s        1s        2s        3s         │
//!                          └───────────────────────────────────────────┘
//! ┌ demo: FILE  step 2/7 ──────────────────────────────────────────────┐   (demo only; as
//! │ narration …  (predict: the question, or RIGHT/WRONG and why)      │    tall as its text,
//! │ next ▸ recv                                                       │    up to 9 rows of 24)
//! └───────────────────────────────────────────────────────────────────┘
//! ┌ replay: FILE ─────────────────────────────────────────────────────┐   (replay only)
//! │ the recording's narration at the replay clock, if it has any      │
//! │ ▶ playing 1x  t+0.302s of t+0.604s  event 40/85  ██████░░░░       │
//! └───────────────────────────────────────────────────────────────────┘
//! ┌ trace: python3 (pid 4242) ────────────────────────────────────────┐   (trace only; `o`
//! │ ● running  t+3.201s  5 sockets (3 open)  48 calls  output: 2 lines│    opens it into the
//! └───────────────────────────────────────────────────────────────────┘    program's output)
//!  status: the last command, or an error with its column (a long error
//!          wraps onto up to 3 rows)
//!  : prompt  — or the key hints when the prompt is closed
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::App;
use super::panes::{
    demo, detail, glossary, help, inspector, prompt, replay, sockets, summary, timeline, trace, transcript,
};

/// Below this the panes cannot show their content sensibly.
pub const MIN_W: u16 = 80;
pub const MIN_H: u16 = 24;

/// Where each pane goes; a pure function of the size and the state, so
/// mouse hit-testing uses the very rectangles that were drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub sockets: Rect,
    pub detail: Rect,
    pub timeline: Rect,
    /// The demo's narration, or a replay's bar.
    pub demo: Option<Rect>,
    /// The transcript (`H`), in place of the sockets and the timeline.
    pub transcript: Option<Rect>,
    pub status: Rect,
    pub prompt: Rect,
}

pub fn layout(area: Rect, app: &App) -> Areas {
    let demo_h = match (&app.demo, app.player()) {
        (Some(_), _) => demo::height(app, area),
        (None, Some(_)) => replay::height(app, area),
        (None, None) if app.trace().is_some() => trace::height(app, area),
        (None, None) => 0,
    };
    let [main, demo_area, status, prompt] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(demo_h),
        Constraint::Length(prompt::status_height(app, area.width)),
        Constraint::Length(1),
    ])
    .areas(area);
    if app.transcript.open {
        return with_transcript(
            main,
            Areas { demo: (demo_h > 0).then_some(demo_area), status, prompt, ..Areas::default() },
        );
    }
    // The left column holds text that does not wrap well; give it a fixed share.
    let left_w = (area.width * 44 / 100).clamp(38, 48);
    let [left, right] = Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(main);
    // The inspector was asked for: it may squeeze the call pane further.
    let (wanted, detail_min) = if app.compared().is_some() {
        (summary::wanted_height(app, left.width), detail::MIN_HEIGHT)
    } else if app.inspector {
        (inspector::HEIGHT, detail::MIN_HEIGHT - 4)
    } else {
        (sockets::wanted_height(app), detail::MIN_HEIGHT)
    };
    let sockets_h = wanted.clamp(4, left.height.saturating_sub(detail_min).max(4));
    let [sockets, detail] = Layout::vertical([Constraint::Length(sockets_h), Constraint::Min(0)]).areas(left);
    Areas {
        sockets,
        detail,
        timeline: right,
        demo: (demo_h > 0).then_some(demo_area),
        transcript: None,
        status,
        prompt,
    }
}

/// The transcript takes the panes' place; on a tall screen the call pane
/// stays below it, explaining the line under the cursor.
fn with_transcript(main: Rect, rest: Areas) -> Areas {
    let detail_h = if main.height >= 30 { detail::MIN_HEIGHT + 2 } else { 0 };
    let [lines, detail] = Layout::vertical([Constraint::Min(0), Constraint::Length(detail_h)]).areas(main);
    Areas { transcript: Some(lines), detail, ..rest }
}

/// Draws the whole screen.
pub fn render(f: &mut Frame, app: &App) {
    draw(f, app);
    if app.theme.ascii {
        super::ascii::transliterate(f.buffer_mut());
    }
}

fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width < MIN_W || area.height < MIN_H {
        too_small(f, area);
        return;
    }
    let a = layout(area, app);
    if let Some(lines) = a.transcript {
        transcript::render(f, lines, app);
    } else if app.compared().is_some() {
        summary::render(f, a.sockets, app);
    } else if app.inspector {
        inspector::render(f, a.sockets, app);
    } else {
        sockets::render(f, a.sockets, app);
    }
    if a.detail.height > 0 {
        detail::render(f, a.detail, app);
    }
    if a.transcript.is_none() {
        timeline::render(f, a.timeline, app);
    }
    match (a.demo, app.player()) {
        (Some(d), Some(_)) => replay::render(f, d, app),
        (Some(d), None) if app.trace().is_some() => trace::render(f, d, app),
        (Some(d), None) => demo::render(f, d, app),
        (None, _) => {}
    }
    prompt::render_status(f, a.status, app);
    prompt::render(f, a.prompt, app);
    if app.help && app.glossary {
        glossary::render(f, area, app);
    } else if app.help {
        help::render(f, area, app);
    }
}

fn too_small(f: &mut Frame, area: Rect) {
    let text = vec![
        Line::from("terminal too small"),
        Line::from(format!("need {MIN_W}×{MIN_H}, have {}×{}", area.width, area.height)),
        Line::from("enlarge the window, or press q to quit"),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let at = Rect::new(area.x, area.y + y, area.width, area.height.min(3));
    f.render_widget(Paragraph::new(text).centered(), at);
}
