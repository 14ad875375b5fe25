//! Nothing recorded is lost: `--record` writes each event with one write as
//! it happens, so a run killed by SIGTERM or SIGKILL leaves a recording that
//! reads back whole, up to its last event.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sockscope::record::Event;
use sockscope::record::file as record;

fn killed_run(signal: i32) {
    let dir = std::env::temp_dir();
    let tag = format!("{}-{signal}", std::process::id());
    let script = dir.join(format!("sockscope-kill-{tag}.scenario"));
    let rec = dir.join(format!("sockscope-kill-{tag}.jsonl"));
    let _ = std::fs::remove_file(&rec);
    // A steady stream of events for far longer than the test waits.
    let mut text = String::from("open tcp\nnonblocking\n");
    for _ in 0..500 {
        text.push_str("recv\npeer send \"tick\"\nrecv\nwait 20ms\n");
    }
    std::fs::write(&script, text).expect("script");
    // SIGKILL leaves the lab's temp dir behind: keep it out of the shared one.
    let lab_tmp = dir.join(format!("sockscope-kill-{tag}.tmp"));
    std::fs::create_dir_all(&lab_tmp).expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["run", "--json", "--record"])
        .arg(&rec)
        .arg(&script)
        .env("TMPDIR", &lab_tmp)
        .stdout(Stdio::null())
        .spawn()
        .expect("start");
    // Wait until the recording is under way, then kill mid-stream.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::metadata(&rec).map_or(0, |m| m.len()) < 4000 {
        assert!(Instant::now() < deadline, "the recording grew");
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    let status = child.wait().expect("wait");
    assert!(!status.success(), "the run was cut short");

    let text = std::fs::read_to_string(&rec).expect("the recording");
    assert!(text.ends_with('\n'), "the last event is a whole line");
    let events = record::read(&rec).expect("every line reads back");
    assert!(text.starts_with("{\"format\":\"sockscope-recording\",\"version\":1"), "a header first");
    assert_eq!(events.len() + 1, text.lines().count(), "no line was skipped");
    assert!(events.iter().any(|s| matches!(s.ev, Event::End(_))), "calls were recorded");
    let _ = std::fs::remove_file(&rec);
    let _ = std::fs::remove_file(&script);
    let _ = std::fs::remove_dir_all(&lab_tmp);
}

#[test]
fn a_recording_survives_sigterm() {
    killed_run(libc::SIGTERM);
}

#[test]
fn a_recording_survives_sigkill() {
    killed_run(libc::SIGKILL);
}
