//! Where copied lines go: the terminal's clipboard, through OSC 52 (an
//! escape sequence the terminal itself acts on), or a new file.
//!
//! The text handed in has been escaped already (`python.rs`); the sequence
//! carries it base64-encoded, so no byte of it can end the sequence early
//! or start another one.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;

/// The most base64 a terminal is asked to take at once. xterm accepts
/// about 100 kB by default; beyond this the lines go to a file instead.
pub const OSC52_MAX: usize = 96 * 1024;

/// The sequence that puts `text` on the clipboard (`c`: the clipboard
/// selection), ended with BEL, which every terminal that knows OSC 52 takes.
/// `None` when it would be too long for terminals to accept.
pub fn osc52(text: &str) -> Option<String> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    (b64.len() <= OSC52_MAX).then(|| format!("\x1b]52;c;{b64}\x07"))
}

/// Writes `text` to a new file in `dir` (`sockscope-transcript-PID-N.py`, never an
/// existing file or a link someone left there) and returns its path.
pub fn to_file(dir: &Path, text: &str) -> std::io::Result<PathBuf> {
    let pid = std::process::id();
    for n in 1..1000 {
        let path = dir.join(format!("sockscope-transcript-{pid}-{n}.py"));
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
        match file {
            Ok(mut f) => {
                f.write_all(text.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, "no free file name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_in_base64_only() {
        let seq = osc52("data = sock.recv(1024)  # → b'hi'\n").unwrap();
        assert!(seq.starts_with("\x1b]52;c;") && seq.ends_with('\x07'));
        let body = &seq["\x1b]52;c;".len()..seq.len() - 1];
        assert!(body.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)), "{body}");
        let back = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
        assert_eq!(back, "data = sock.recv(1024)  # → b'hi'\n".as_bytes());
        assert_eq!(osc52(&"x".repeat(OSC52_MAX)), None);
    }

    #[test]
    fn files_are_new_each_time() {
        let dir = std::env::temp_dir().join(format!("sockscope-copy-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = to_file(&dir, "a\n").unwrap();
        let b = to_file(&dir, "b\n").unwrap();
        assert_ne!(a, b);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "a\n");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "b\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
