//! Memory per recorded call: peak RSS of `sockscope run` on a spin of one
//! million non-blocking recvs, against the same script with a spin of one.
//! Targets: at most 64 B per call, and 1 M calls under 128 MB peak RSS.

use std::io::Write;
use std::process::Command;

fn peak_rss_kb(calls: u64) -> u64 {
    let dir = std::env::temp_dir();
    let path = dir.join(format!("sockscope-mem-{}-{calls}.scenario", std::process::id()));
    let mut f = std::fs::File::create(&path).expect("temp script");
    writeln!(f, "open tcp\nnonblocking\nspin recv 1 {calls}\nexpect wouldblock").expect("write");
    let before = children_maxrss();
    let status = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .arg("run")
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run sockscope");
    assert!(status.success(), "the spin script runs green");
    let _ = std::fs::remove_file(&path);
    // ru_maxrss of children is the largest any child reached, so run the
    // small case first.
    children_maxrss().max(before)
}

fn children_maxrss() -> u64 {
    // SAFETY: an all-zero rusage is valid, and getrusage fills it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: ru is a valid rusage to write.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    ru.ru_maxrss.max(0) as u64
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let base = peak_rss_kb(1);
    let big = peak_rss_kb(1_000_000);
    let per_call = (big.saturating_sub(base)) as f64 * 1024.0 / 1e6;
    println!("memory: peak RSS {base} kB for 1 call, {big} kB for 1,000,000 calls");
    println!(
        "  {per_call:.1} B per recorded call (target <= 64), peak {:.1} MB (target < 128)",
        big as f64 / 1024.0
    );
}
