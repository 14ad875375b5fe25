//! Renders `assets/screenshot.svg` from a real session: the TUI in a
//! pseudo-terminal goes through the README's first minute, and the parsed
//! screen (text, colours, bold) becomes an SVG. Run on purpose with
//! `cargo test --test screenshot -- --ignored`; it is not a check.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 30;
const COLS: u16 = 110;

fn wait_for(parser: &Mutex<vt100::Parser>, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !parser.lock().expect("parser").screen().contents().contains(text) {
        assert!(Instant::now() < deadline, "waited for {text:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// xterm's 16 colours, then the 256-colour cube and greys.
fn rgb(c: vt100::Color, default: &str) -> String {
    const BASE: [&str; 16] = [
        "#1e1e1e", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5", "#666666",
        "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
    ];
    match c {
        vt100::Color::Default => default.to_string(),
        vt100::Color::Idx(i) if i < 16 => BASE[i as usize].to_string(),
        vt100::Color::Idx(i) if i < 232 => {
            let i = i - 16;
            let v = |x: u8| if x == 0 { 0 } else { 55 + 40 * x };
            format!("#{:02x}{:02x}{:02x}", v(i / 36), v((i / 6) % 6), v(i % 6))
        }
        vt100::Color::Idx(i) => {
            let g = 8 + 10 * (i - 232);
            format!("#{g:02x}{g:02x}{g:02x}")
        }
        vt100::Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
    }
}

fn svg(screen: &vt100::Screen) -> String {
    let (cw, ch) = (8.4, 17.0);
    let (w, h) = (COLS as f64 * cw + 20.0, ROWS as f64 * ch + 20.0);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"14\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#1e1e1e\"/>\n"
    );
    for row in 0..ROWS {
        let y = 10.0 + row as f64 * ch;
        for col in 0..COLS {
            let Some(cell) = screen.cell(row, col) else { continue };
            let (mut fg, mut bg) = (rgb(cell.fgcolor(), "#e5e5e5"), rgb(cell.bgcolor(), "#1e1e1e"));
            if cell.inverse() {
                std::mem::swap(&mut fg, &mut bg);
            }
            let x = 10.0 + col as f64 * cw;
            if bg != "#1e1e1e" {
                let _ = writeln!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cw}\" height=\"{ch}\" fill=\"{bg}\"/>"
                );
            }
            let text = cell.contents();
            if text.trim().is_empty() {
                continue;
            }
            let esc = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
            let weight = if cell.bold() { " font-weight=\"bold\"" } else { "" };
            let _ = writeln!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\" fill=\"{fg}\"{weight}>{esc}</text>",
                y + ch * 0.78
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

#[test]
#[ignore = "renders assets/screenshot.svg on purpose"]
fn render_the_readme_screenshot() {
    let pty = native_pty_system()
        .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sockscope"));
    cmd.env("TERM", "xterm-256color");
    cmd.env("LANG", "C.UTF-8");
    cmd.env_remove("NO_COLOR");
    let mut child = pty.slave.spawn_command(cmd).expect("spawn");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let mut writer = pty.master.take_writer().expect("writer");
    let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
    let feed = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                return;
            }
            feed.lock().expect("parser").process(&buf[..n]);
        }
    });
    let mut press = |keys: &str, pause: u64| {
        writer.write_all(keys.as_bytes()).expect("write");
        writer.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(pause));
    };
    wait_for(&parser, "connected");
    press("b", 400);
    press("r", 400);
    press("b", 400);
    press("r", 1800);
    press("p", 200);
    press("s", 200);
    press("hello\"\r", 300);
    wait_for(&parser, "data 5");
    std::thread::sleep(Duration::from_millis(300));
    let image = svg(parser.lock().expect("parser").screen());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/screenshot.svg");
    std::fs::write(&path, image).expect("write the svg");
    press("q", 300);
    let _ = child.wait();
}
