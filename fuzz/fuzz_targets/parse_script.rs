//! The parser never panics, and every error points inside its line.
//! Run: `cargo install cargo-fuzz && cargo +nightly fuzz run parse_script`
//! (from the repository root). Not run in CI.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(errors) = sockscope::command::parse_script(text) {
        let lines: Vec<&str> = text.lines().collect();
        for e in errors {
            let line = lines.get(e.line - 1).copied().unwrap_or("");
            assert!(e.col >= 1 && e.col <= line.chars().count() + 1, "{e} is outside {line:?}");
        }
    }
});
