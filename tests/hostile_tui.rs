//! Network bytes never drive the terminal: the real TUI in a pty receives
//! payloads that try to set the title, clear the screen, move the cursor,
//! change colours, write the clipboard and ring the bell. The parsed screen
//! must show them escaped, and the terminal must see none of those requests.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// Counts every request the program's output makes of the terminal.
#[derive(Default)]
struct Requests {
    titles: Vec<Vec<u8>>,
    bells: usize,
    clipboard: usize,
}

impl vt100::Callbacks for Requests {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles.push(title.to_vec());
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.titles.push(name.to_vec());
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _ty: &[u8], _data: &[u8]) {
        self.clipboard += 1;
    }
}

type Shared = Arc<Mutex<vt100::Parser<Requests>>>;

fn wait_for(parser: &Shared, what: &str, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = parser.lock().expect("parser").screen().contents();
        if pred(&text) {
            return text;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}; screen:\n{text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn hostile_payloads_are_shown_escaped_and_never_reach_the_terminal() {
    let pty = native_pty_system()
        .openpty(PtySize { rows: 30, cols: 120, pixel_width: 0, pixel_height: 0 })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sockscope"));
    cmd.env("TERM", "xterm-256color");
    cmd.env("LANG", "C.UTF-8");
    cmd.env("XDG_CONFIG_HOME", std::env::temp_dir().join("sockscope-hostile-no-config"));
    let mut child = pty.slave.spawn_command(cmd).expect("spawn");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let mut writer = pty.master.take_writer().expect("writer");
    let parser: Shared =
        Arc::new(Mutex::new(vt100::Parser::new_with_callbacks(30, 120, 0, Requests::default())));
    let feed = parser.clone();
    std::thread::spawn(move || {
        let _master = pty.master;
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                return;
            }
            feed.lock().expect("parser").process(&buf[..n]);
        }
    });
    let mut send = |s: &str| {
        writer.write_all(s.as_bytes()).expect("write");
        writer.flush().expect("flush");
    };
    wait_for(&parser, "the first screen", |t| t.contains("connected") && t.contains("? help"));
    // Title, clear screen, cursor move, colour, OSC 52 clipboard, bell, then
    // invalid UTF-8 and a NUL: every one of them inside one payload.
    send(
        ":peer send \"A\\x1b]0;pwned\\x07\\x1b[2J\\x1b[10;10H\\x1b[31m\\x1b]52;c;aGVsbG8=\\x07\\x07\\xff\\x00Z\"\r",
    );
    send(":recv\r");
    let screen = wait_for(&parser, "the escaped payload", |t| t.contains("\\x1b]0;pwned"));
    assert!(
        screen.contains("sockets") && screen.contains("timeline"),
        "the screen was not cleared:\n{screen}"
    );
    assert!(
        screen.contains("\\x1b[2J") && screen.contains("\\x07"),
        "the payload is shown escaped:\n{screen}"
    );
    {
        let p = parser.lock().expect("parser");
        let req = p.callbacks();
        assert!(req.titles.is_empty(), "the title was set: {:?}", req.titles);
        assert_eq!(req.bells, 0, "the bell rang");
        assert_eq!(req.clipboard, 0, "the clipboard was written");
    }
    send("q");
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "sockscope did not quit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The detector itself works: raw requests are seen.
#[test]
fn the_detector_sees_raw_requests() {
    let mut p = vt100::Parser::new_with_callbacks(5, 20, 0, Requests::default());
    p.process(b"\x1b]0;pwned\x07\x07\x1b]52;c;aGVsbG8=\x07");
    assert!(p.callbacks().titles.iter().any(|t| t == b"pwned"));
    assert_eq!(p.callbacks().bells, 1);
    assert_eq!(p.callbacks().clipboard, 1);
}
