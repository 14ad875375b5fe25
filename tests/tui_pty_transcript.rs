//! The transcript end to end: the real binary in a pseudo-terminal makes a
//! few calls, `H` shows them in order, lines are selected and copied as
//! Python, to the clipboard (the OSC 52 sequence in the raw output) and to
//! a file.

mod tui_pty_util;

use base64::Engine;
use tui_pty_util::Session;

/// The text inside the last OSC 52 sequence written, decoded.
fn last_osc52(raw: &[u8]) -> Option<String> {
    const START: &[u8] = b"\x1b]52;c;";
    let at = raw.windows(START.len()).rposition(|w| w == START)? + START.len();
    let len = raw[at..].iter().position(|&b| b == 0x07)?;
    let body = &raw[at..at + len];
    assert!(body.iter().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b)), "not base64: {body:?}");
    let text = base64::engine::general_purpose::STANDARD.decode(body).expect("base64");
    Some(String::from_utf8(text).expect("UTF-8"))
}

#[test]
fn calls_show_in_the_transcript_and_copy_as_python() {
    let dir = std::env::temp_dir().join(format!("sockscope-pty-transcript-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut s = Session::start_with(&[], &[("TMPDIR", dir.to_str().unwrap())]);
    s.wait_for("the first screen", |t| t.contains("connected") && t.contains("? help"));
    s.send("b");
    s.wait_text("you set  nonblocking");
    s.send("r");
    s.wait_text("wouldblock");
    s.send(":peer send \"hello\"\r");
    s.wait_text("sent 5");
    s.send("r");
    s.wait_text("data 5");
    s.send(":say Now the transcript.\r");
    s.wait_text("Now the transcript.");

    s.send("H");
    let order = [
        "open tcp",
        "nonblocking",
        "W wouldblock",
        "peer send \"hello\"",
        "● data 5",
        "── Now the transcript.",
    ];
    let screen =
        s.wait_for("the transcript", |t| t.contains("6 calls") && order.iter().all(|l| t.contains(l)));
    let at: Vec<usize> =
        order.iter().map(|l| screen.find(l).unwrap_or_else(|| panic!("{l}:\n{screen}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "in order:\n{screen}");
    assert!(screen.contains("\"hello\""), "the payload preview:\n{screen}");
    assert!(screen.contains("following"));

    // Shift-↑ twice from the newest line: the say, the recv and the peer's send.
    s.send("\x1b[1;2A\x1b[1;2A");
    s.wait_text("3 selected");
    s.send("y");
    s.wait_text("copied 3 lines as Python to the clipboard (OSC 52)");
    let copied = s.wait_raw("the OSC 52 sequence", last_osc52);
    // A loaded machine can make even an instant call take over 1 ms, which
    // the copy then notes as a wait: that note is measured, not fixed.
    assert_eq!(
        without_waits(&copied),
        "peer.send(b'hello')  # → 5\ndata = sock.recv(1024)  # → b'hello'\n# ── Now the transcript.\n"
    );

    s.send("w");
    let screen = s.wait_text("wrote 3 lines as Python to ");
    let line = screen.lines().find(|l| l.contains("wrote 3 lines")).unwrap();
    let path = line.split(" to ").nth(1).unwrap().split_whitespace().next().unwrap();
    assert_eq!(std::fs::read_to_string(path).expect(path), copied);

    // A new call appears at the bottom while following (End resumes it).
    s.send("\x1b[F");
    s.wait_text("following");
    s.send("r");
    s.wait_text("7 calls");
    s.send("q");
    let (status, alternate) = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(!alternate);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The text without its `  (after 1.2 ms)` notes.
fn without_waits(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("  (after ") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find(')').map_or("", |j| &rest[i + j + 1..]);
    }
    out.push_str(rest);
    out
}
