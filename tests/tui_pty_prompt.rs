//! The README's first minute by its keys, and the prompt's own words, in
//! the real binary on a pseudo-terminal: `p s` opens `peer send ""` with
//! the cursor between the quotes, Tab completes arguments, `:help` shows
//! the keys and `:q` quits.

mod tui_pty_util;

use tui_pty_util::Session;

#[test]
fn the_first_minute_by_its_keys_then_help_and_quit_at_the_prompt() {
    let mut s = Session::start(&[]);
    s.wait_text("? help");
    s.send("b");
    s.wait_text("you set  nonblocking");
    s.send("r");
    s.wait_text("wouldblock");
    s.send("b");
    s.wait_text("you set  blocking");
    s.send("r");
    s.wait_text("blocking");
    s.send("ps");
    s.wait_text("peer send \"\"");
    s.send("hello\r");
    s.wait_text("data 5");

    s.send(":peer sh\t");
    s.wait_text("peer shutdown ");
    s.send("\x15help\r");
    s.wait_text("p then: the peer");
    s.send("\x1b");
    s.wait_for("the overlay to close", |t| !t.contains("p then: the peer"));
    s.send(":q\r");
    let (status, alternate) = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(!alternate, "the alternate screen was not left");
}
