//! `sockscope export svg`: a [`Picture`] written out as one standalone SVG
//! document. Only serializing happens here; the layout is `picture`'s.
//! Text is real `<text>` (searchable, copyable), colours are attributes
//! (no stylesheet to lose), and nothing outside the file is referenced: the
//! fonts are generic families.

use std::fmt::Write;

use super::picture::{BADGE, BAR_H, LINE_H, MARGIN, ROW_H};
use super::picture::{Body, Mark, Picture, Text, Tone, narration};
use super::xml::{esc, px};
use crate::tui::fmt;

/// Monospace faces most systems have, then the generic family.
pub const FONTS: &str =
    "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";

/// The standalone document.
pub fn svg(p: &Picture) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    write(&mut out, p, false);
    out
}

/// Writes the `<svg>` element. On a `page`, each call is focusable and has
/// a hit area a pointer can find (see `html`).
pub fn write(out: &mut String, p: &Picture, page: bool) {
    let w = SvgWriter { out, p, page };
    w.all();
}

struct SvgWriter<'a> {
    out: &'a mut String,
    p: &'a Picture,
    page: bool,
}

impl SvgWriter<'_> {
    fn c(&self, t: Tone) -> &'static str {
        self.p.palette.colour(t)
    }

    fn all(mut self) {
        let p = self.p;
        let (w, h) = (px(p.width), px(p.height));
        let _ = writeln!(
            self.out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             font-family=\"{FONTS}\" font-size=\"12\" role=\"img\" aria-labelledby=\"sockscope-title\">"
        );
        let _ = writeln!(self.out, "<title id=\"sockscope-title\">{}</title>", esc(p.title.as_str()));
        let _ = writeln!(self.out, "<desc>{}</desc>", esc(p.subtitle.as_str()));
        let _ = writeln!(
            self.out,
            "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"{}\"/>",
            p.palette.background()
        );
        self.text(MARGIN, MARGIN + 14.0, &p.title, Tone::Text, "font-size=\"16\" font-weight=\"bold\"");
        self.text(MARGIN, MARGIN + 14.0 + ROW_H, &p.subtitle, Tone::Dim, "");
        self.grid();
        self.narration();
        self.lanes();
        self.out.push_str("<g class=\"calls\">\n");
        for m in &p.marks {
            self.mark(m);
        }
        self.out.push_str("</g>\n");
        self.axis();
        self.captions();
        self.legend();
        for (y, t) in &p.notes {
            self.text(MARGIN, *y + 4.0, t, Tone::Dim, "class=\"note\"");
        }
        self.out.push_str("</svg>\n");
    }

    fn text(&mut self, x: f64, y: f64, t: &Text, tone: Tone, extra: &str) {
        let sp = if extra.is_empty() { "" } else { " " };
        let _ = writeln!(
            self.out,
            "<text x=\"{}\" y=\"{}\" fill=\"{}\"{sp}{extra}>{}</text>",
            px(x),
            px(y),
            self.c(tone),
            esc(t.as_str())
        );
    }

    fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), extra: &str) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {extra}/>",
            px(x1),
            px(y1),
            px(x2),
            px(y2)
        );
    }

    /// A tick's line through every lane, faint.
    fn grid(&mut self) {
        let (top, bottom) = self.p.plot();
        let _ = writeln!(self.out, "<g class=\"grid\" stroke=\"{}\" stroke-width=\"1\">", self.c(Tone::Rule));
        for (x, _) in &self.p.axis.ticks {
            self.line((*x, top), (*x, bottom), "");
        }
        self.out.push_str("</g>\n");
    }

    fn narration(&mut self) {
        let Some((top, _)) = self.p.narration else { return };
        let colour = self.c(Tone::Narration);
        let bottom = self.p.axis.y;
        let _ = writeln!(
            self.out,
            "<g class=\"guides\" stroke=\"{colour}\" stroke-opacity=\"0.45\" stroke-dasharray=\"2 3\">"
        );
        for m in &self.p.markers {
            self.line((m.x_at, top + narration::R), (m.x_at, bottom), "");
        }
        self.out.push_str("</g>\n<g class=\"narration\">\n");
        self.text(
            MARGIN,
            top + narration::R + 4.0,
            &Text::new("say"),
            Tone::Narration,
            "font-weight=\"bold\"",
        );
        let bg = self.p.palette.background();
        for m in &self.p.markers {
            let cy = top + narration::R + m.row as f64 * (2.0 * narration::R + 4.0);
            let caption = self.p.captions.iter().find(|c| c.n == m.n).map(|c| c.text.clone());
            let _ = writeln!(self.out, "<g class=\"say\" id=\"say{}\">", m.n);
            if let Some(t) = caption {
                let _ = writeln!(self.out, "<title>{}</title>", esc(t.as_str()));
            }
            if (m.x - m.x_at).abs() > 0.5 || m.row > 0 {
                let attrs = format!("stroke=\"{colour}\" stroke-width=\"1\"");
                self.line((m.x_at, top + narration::R), (m.x, cy), &attrs);
            }
            self.badge_circle(m.x, cy, m.n, colour, bg);
            self.out.push_str("</g>\n");
        }
        self.out.push_str("</g>\n");
    }

    fn badge_circle(&mut self, x: f64, y: f64, n: usize, fill: &str, ink: &str) {
        let _ = writeln!(
            self.out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"{ink}\" font-size=\"10\" font-weight=\"bold\" \
             text-anchor=\"middle\">{n}</text>",
            px(x),
            px(y),
            px(narration::R),
            px(x),
            px(y + 3.5)
        );
    }

    fn lanes(&mut self) {
        self.out.push_str("<g class=\"lanes\">\n");
        let (x0, x1) = (self.p.scale.x0, self.p.scale.x1);
        let rule = format!("stroke=\"{}\" stroke-width=\"1\"", self.c(Tone::Rule));
        for l in &self.p.lanes {
            self.text(MARGIN, l.y + 4.0, &l.name, Tone::Text, "class=\"lane\" font-weight=\"bold\"");
            if let Some(k) = &l.kind {
                self.text(MARGIN, l.y + 4.0 + ROW_H - 2.0, k, Tone::Dim, "class=\"kind\" font-size=\"10\"");
            }
            self.line((x0, l.y), (x1, l.y), &rule);
        }
        self.out.push_str("</g>\n");
    }

    fn mark(&mut self, m: &Mark) {
        let colour = self.c(m.tone);
        let _ = write!(
            self.out,
            "<g class=\"call\" id=\"c{}\" data-outcome=\"{}\"",
            m.call,
            esc(m.outcome.word())
        );
        if self.page {
            let _ =
                write!(self.out, " tabindex=\"0\" role=\"button\" aria-label=\"{}\"", esc(m.title.as_str()));
        }
        let _ = writeln!(self.out, ">\n<title>{}</title>", esc(m.title.as_str()));
        if self.page {
            // Something a pointer can find, even for a call that took no time.
            let right = m
                .label
                .as_ref()
                .filter(|l| (l.y - m.y).abs() < 1.0)
                .map_or(m.x1 + BADGE / 2.0, |l| l.x + l.text.width());
            let left = m.x0.min(m.x1 - BADGE / 2.0);
            let _ = writeln!(
                self.out,
                "<rect class=\"hit\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"transparent\"/>",
                px(left - 2.0),
                px(m.y - ROW_H / 2.0),
                px(right - left + 4.0),
                px(ROW_H)
            );
        }
        match &m.body {
            Body::Bar if m.x1 - m.x0 >= 0.5 => {
                let _ = writeln!(
                    self.out,
                    "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\"/>",
                    px(m.x0),
                    px(m.y - BAR_H / 2.0),
                    px(m.x1 - m.x0),
                    px(BAR_H)
                );
            }
            Body::Bar => {}
            Body::Spin(cells) => {
                for c in cells {
                    let _ = writeln!(
                        self.out,
                        "<rect class=\"spin\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" \
                         fill-opacity=\"{:.2}\"/>",
                        px(c.x),
                        px(m.y - BADGE / 2.0),
                        px(c.w),
                        px(BADGE),
                        self.c(c.tone),
                        c.fill
                    );
                }
            }
        }
        self.badge(m.x1, m.y, m.glyph, colour);
        if let Some(l) = &m.label {
            self.text(l.x, l.y + 4.0, &l.text, m.tone, "class=\"label\"");
        }
        self.out.push_str("</g>\n");
    }

    /// An outcome badge: its glyph on its colour.
    fn badge(&mut self, x: f64, y: f64, glyph: char, colour: &str) {
        let _ = writeln!(
            self.out,
            "<rect class=\"badge\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{colour}\"/>\
             <text class=\"glyph\" x=\"{}\" y=\"{}\" fill=\"{}\" font-weight=\"bold\" \
             text-anchor=\"middle\">{}</text>",
            px(x - BADGE / 2.0),
            px(y - BADGE / 2.0),
            px(BADGE),
            px(BADGE),
            px(x),
            px(y + 4.0),
            self.p.palette.background(),
            esc(glyph.encode_utf8(&mut [0; 4]))
        );
    }

    fn axis(&mut self) {
        let y = self.p.axis.y;
        let ink = format!("stroke=\"{}\" stroke-width=\"1\"", self.c(Tone::Dim));
        self.out.push_str("<g class=\"axis\">\n");
        self.line((self.p.scale.x0, y), (self.p.scale.x1, y), &ink);
        let ticks = self.p.axis.ticks.clone();
        for (x, label) in &ticks {
            self.line((*x, y), (*x, y + 5.0), &ink);
            self.text(*x, y + 18.0, label, Tone::Dim, "class=\"tick\" text-anchor=\"middle\"");
        }
        // A burst spread out: a bracket under it, with the real time it took.
        for b in &self.p.scale.bursts {
            let by = y + 26.0;
            self.line((b.x0, by - 4.0), (b.x0, by), &ink);
            self.line((b.x0, by), (b.x1, by), &ink);
            self.line((b.x1, by - 4.0), (b.x1, by), &ink);
            let took = Text::new(&fmt::dur(b.to_ns - b.from_ns));
            self.text(
                (b.x0 + b.x1) / 2.0,
                by + 13.0,
                &took,
                Tone::Dim,
                "class=\"burst\" text-anchor=\"middle\"",
            );
        }
        self.out.push_str("</g>\n");
    }

    fn captions(&mut self) {
        self.out.push_str("<g class=\"captions\">\n");
        let (colour, bg) = (self.c(Tone::Narration), self.p.palette.background());
        let indent = narration::text_indent();
        for c in &self.p.captions {
            self.badge_circle(MARGIN + narration::R, c.y - 4.0, c.n, colour, bg);
            self.text(MARGIN + 2.0 * narration::R + 8.0, c.y, &c.at, Tone::Dim, "class=\"at\"");
            for (k, line) in c.lines.iter().enumerate() {
                self.text(MARGIN + indent, c.y + k as f64 * LINE_H, line, Tone::Text, "class=\"caption\"");
            }
        }
        self.out.push_str("</g>\n");
    }

    fn legend(&mut self) {
        self.out.push_str("<g class=\"legend\">\n");
        for item in &self.p.legend {
            let colour = self.c(item.tone);
            match item.glyph {
                Some(g) => self.badge(item.x + BADGE / 2.0, item.y, g, colour),
                None => {
                    let _ = writeln!(
                        self.out,
                        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\"/>",
                        px(item.x),
                        px(item.y - BAR_H / 2.0),
                        px(BADGE),
                        px(BAR_H)
                    );
                }
            }
            self.text(item.x + BADGE + 4.0, item.y + 4.0, &item.text, Tone::Text, "");
        }
        self.out.push_str("</g>\n");
    }
}
