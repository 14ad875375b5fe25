//! `sockscope demo --predict` end to end, in an 80×24 pseudo-terminal: the
//! question comes before the call, the typed answer runs it, and the
//! verdict and the why are read off the parsed screen; a step back
//! re-runs on fresh sockets and keeps the tally.

mod tui_pty_util;

use tui_pty_util::Session;

#[test]
fn predict_asks_runs_the_answer_and_says_right_or_wrong() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/scenarios/02-nonblocking-wouldblock.scenario");
    let mut s = Session::start_sized(&["demo", "--predict", file], 24, 80);
    s.wait_for("the title and the first say", |t| {
        t.contains("setblocking(False): a recv that would have to wait") && t.contains("step 0/5")
    });
    s.send(" ");
    s.wait_text("step 1/5");
    s.send(" ");
    s.wait_text("step 2/5");
    s.send(" ");
    let asked = s.wait_text("What will recv do?");
    assert!(asked.contains("1 data · 2 blocks · 3 wouldblock · 4 timeout · 5 eof · 6 error"), "{asked}");
    s.send("3");
    let judged = s.wait_text("RIGHT: recv → wouldblock");
    assert!(judged.contains("the class said wouldblock") && judged.contains("why "), "{judged}");
    assert!(judged.contains("1 of 1 right"), "{judged}");
    // Step 4 asks after its set-up (the peer's send); a wrong answer.
    s.send(" ");
    s.wait_text("step 4/5");
    s.wait_text("What will recv do?");
    s.send("2");
    s.wait_text("WRONG: recv → data 5");
    s.wait_text("1 of 2 right");
    // Back: step 4 is undone on fresh sockets, and its answer with it.
    s.send("\x7f");
    s.wait_text("back at step 3/5: steps 1-3 ran again on fresh sockets");
    s.wait_for("the tally without step 4", |t| {
        t.contains("1 of 1 right") && t.contains("RIGHT: recv → wouldblock")
    });
    s.send("q");
    let (status, alternate) = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(!alternate, "the alternate screen was not left");
}
