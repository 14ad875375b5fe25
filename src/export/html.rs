//! `sockscope export html`: one self-contained page (inline CSS and JS, a
//! policy that forbids loading anything) with the same picture. It is
//! well-formed XML as well as HTML, so it can be checked without a browser. Pointing
//! at a call (hover, click, or Tab and the arrow keys) shows its
//! explanation under the picture; `#cN` in the address opens with call N
//! shown. Every explanation is in the page as text, hidden until shown, so
//! the page reads (and is searchable) without running its script.

use std::fmt::Write;

use super::picture::explain::Detail;
use super::picture::{Picture, Tone};
use super::svg::{self, FONTS};
use super::xml::esc;

/// The page.
pub fn html(p: &Picture, details: &[Detail]) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{}</title>\n<style>/*<![CDATA[*/\n{}/*]]>*/</style>\n</head>\n<body>\n<main>\n<figure class=\"timeline\">\n",
        esc(p.title.as_str()),
        css(p)
    );
    svg::write(&mut out, p, true);
    out.push_str("</figure>\n<aside id=\"explain\" aria-live=\"polite\">\n");
    out.push_str(
        "<p id=\"hint\">Point at a call, click it, or Tab to it (then ← →) to see the syscalls it made, \
         the same call in Python, and why it came out so.</p>\n",
    );
    for d in details {
        section(&mut out, d);
    }
    out.push_str("</aside>\n</main>\n<script>//<![CDATA[\n");
    out.push_str(SCRIPT);
    out.push_str("//]]></script>\n</body>\n</html>\n");
    out
}

fn section(out: &mut String, d: &Detail) {
    let _ = writeln!(out, "<section class=\"detail\" id=\"x-c{}\" hidden=\"hidden\">", d.call);
    let _ = writeln!(out, "<h2>{}</h2>", esc(d.head.as_str()));
    if let Some(m) = &d.mode {
        let _ = writeln!(out, "<p class=\"mode\">{}</p>", esc(m.as_str()));
    }
    for (name, lines) in [("syscalls", &d.syscalls), ("Python", &d.python)] {
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h3>{name}</h3>\n<pre>");
        for l in lines {
            let _ = writeln!(out, "{}", esc(l.as_str()));
        }
        out.push_str("</pre>\n");
    }
    if !d.why.as_str().is_empty() {
        let _ = writeln!(out, "<h3>why</h3>\n<p class=\"why\">{}</p>", esc(d.why.as_str()));
    }
    out.push_str("</section>\n");
}

fn css(p: &Picture) -> String {
    let c = |t: Tone| p.palette.colour(t);
    let scheme = if p.palette.dark { "dark" } else { "light" };
    format!(
        ":root {{ color-scheme: {scheme}; }}\n\
         body {{ margin: 0; background: {bg}; color: {text}; font: 13px/1.4 {FONTS}; }}\n\
         main {{ padding: 8px 8px 0; }}\n\
         figure {{ margin: 0; overflow-x: auto; }}\n\
         figure svg {{ display: block; max-width: 100%; height: auto; }}\n\
         .call {{ cursor: pointer; }}\n\
         .call:focus {{ outline: none; }}\n\
         .call.on .badge, .call:focus .badge {{ stroke: {text}; stroke-width: 2; }}\n\
         .call.on .hit, .call:focus-visible .hit {{ stroke: {text}; stroke-dasharray: 3 2; }}\n\
         aside {{ position: sticky; bottom: 0; background: {bg}; border-top: 1px solid {rule}; \
         padding: 8px 16px 12px; max-height: 45vh; overflow: auto; }}\n\
         aside h2 {{ font-size: 14px; margin: 0 0 2px; }}\n\
         aside h3 {{ font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: {dim}; \
         margin: 8px 0 2px; }}\n\
         aside pre {{ margin: 0; white-space: pre-wrap; }}\n\
         aside p {{ margin: 0; }}\n\
         .mode, #hint {{ color: {dim}; }}\n",
        bg = p.palette.background(),
        text = c(Tone::Text),
        dim = c(Tone::Dim),
        rule = c(Tone::Rule),
    )
}

/// Shows the explanation of the call pointed at; focus or a click pins it
/// (the address then names it, `#cN`), and leaving the call goes back to
/// the pinned one. ← → (or ↑ ↓) move between calls in the order they
/// happened, Esc unpins. Only `hidden` and a class change: no text is
/// built here, so nothing from the record passes through script.
const SCRIPT: &str = r##"(function () {
  "use strict";
  var calls = Array.prototype.slice.call(document.querySelectorAll(".call"));
  var hint = document.getElementById("hint");
  var shown = null, pinned = null;
  function show(id) {
    if (shown) { shown.hidden = true; }
    shown = id ? document.getElementById("x-" + id) : null;
    if (shown) { shown.hidden = false; }
    hint.hidden = !!shown;
    calls.forEach(function (g) { g.classList.toggle("on", g.id === id); });
  }
  function pin(id) {
    pinned = id;
    show(id);
    try { history.replaceState(null, "", id ? "#" + id : location.pathname); } catch (e) { /* file: URLs may refuse */ }
  }
  calls.forEach(function (g, k) {
    g.addEventListener("mouseenter", function () { show(g.id); });
    g.addEventListener("mouseleave", function () { show(pinned); });
    g.addEventListener("focus", function () { pin(g.id); });
    g.addEventListener("click", function () { g.focus(); pin(g.id); });
    g.addEventListener("keydown", function (e) {
      var to = null;
      if (e.key === "ArrowRight" || e.key === "ArrowDown") { to = calls[k + 1]; }
      if (e.key === "ArrowLeft" || e.key === "ArrowUp") { to = calls[k - 1]; }
      if (e.key === "Enter" || e.key === " ") { pin(g.id); e.preventDefault(); }
      if (e.key === "Escape") { pin(null); g.blur(); }
      if (to) { to.focus(); e.preventDefault(); }
    });
  });
  var start = decodeURIComponent(location.hash.slice(1));
  if (start && document.getElementById("x-" + start)) { pin(start); }
})();
"##;
