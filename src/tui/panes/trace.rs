//! The trace bar: which program is traced, whether it still runs, and
//! where its output goes. With `o`, it opens into the output pane: the
//! program's last lines of stdout and stderr, every byte escaped (a program
//! may print anything, escape sequences included).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{frame, title};
use crate::record::ProgramOutput;
use crate::record::traced::Stream;
use crate::traced::OutputTo;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::{fit, fmt};

/// Borders and one line.
pub const HEIGHT: u16 = 3;

/// The bar's height: one line, or the output pane's rows when shown.
pub fn height(app: &App, screen: Rect) -> u16 {
    if app.output_shown { output_height(screen) } else { HEIGHT }
}

/// Rows for the bar with the program's output under it.
pub fn output_height(screen: Rect) -> u16 {
    (screen.height / 3).clamp(5, 12)
}

/// The program's last `rows` lines of output, escaped, stderr in the
/// error style; or a line saying there are none.
pub fn output_lines(out: &ProgramOutput, rows: usize, width: u16, t: &Theme) -> Vec<Line<'static>> {
    let shown = out.last(rows);
    if shown.is_empty() {
        return vec![Line::styled("the program has written nothing to stdout or stderr", t.dim())];
    }
    let line = |(stream, bytes): (Stream, &[u8])| {
        let text = fit::end(&crate::escape::escape(bytes), width as usize);
        let style = if stream == Stream::Stderr { t.error() } else { t.plain() };
        Line::styled(text, style)
    };
    shown.into_iter().map(line).collect()
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(s) = app.trace() else { return };
    let rec = app.record();
    let p = &s.program;
    let state = match rec.process(p.pid).and_then(|i| i.end) {
        Some(end) => format!("■ {end}"),
        None if s.finished() => "■ the trace is over".into(),
        None if s.ending() && p.attached => "◌ letting go".into(),
        None if s.ending() => "◌ ending: SIGTERM sent".into(),
        None => format!("{} running", if t.ascii { ">" } else { "●" }),
    };
    let procs = rec.processes().filter(|i| i.end.is_none()).count();
    let socks = rec.sockets().count();
    let open = rec.sockets().filter(|s| s.is_open()).count();
    let out = rec.output();
    let output = match &s.output_to {
        OutputTo::Pane if app.output_shown => "output below, o hides".to_string(),
        OutputTo::Pane if out.is_empty() => "no output yet (o)".into(),
        OutputTo::Pane if out.len() == 1 => "output: 1 line, o shows".into(),
        OutputTo::Pane => format!("output: {} lines, o shows", out.len()),
        OutputTo::File(f) => format!("output goes to {}", fmt::safe(f)),
        OutputTo::Own => "output goes where it always did".into(),
    };
    let calls = rec.timeline().len();
    let mut facts = format!("  {}  {socks} sockets ({open} open)  {calls} calls", fmt::at(app.now_ns));
    if procs > 1 {
        facts.push_str(&format!("  {procs} processes"));
    }
    // Narrow: the counts and the output's state, shorter, rather than cut.
    let room = area.width.saturating_sub(2) as usize;
    let (facts, output) = if fit::width(&state) + fit::width(&facts) + fit::width(&output) + 2 > room {
        let short = match &s.output_to {
            OutputTo::Pane if !app.output_shown => format!("o: output ({})", out.len()),
            _ => output.clone(),
        };
        (format!("  {}  {socks} sockets  {calls} calls", fmt::at(app.now_ns)), short)
    } else {
        (facts, output)
    };
    let name = format!("trace: {} (pid {})", fmt::safe(&p.name), p.pid);
    let block = frame(title(name, t), t);
    let inner = block.inner(area);
    let head = Line::from(vec![
        Span::styled(state, t.key()),
        Span::styled(facts, t.plain()),
        Span::styled(format!("  {output}"), t.dim()),
    ]);
    // Paragraph cuts the line at the edge; the state and counts come first.
    let mut lines = vec![head];
    if app.output_shown {
        lines.extend(output_lines(out, inner.height.saturating_sub(1) as usize, inner.width, t));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}
