//! Reading a file sockscope is given as input: a script (`run`, `demo`,
//! `export`) or the config. A file is data, never trusted: only a regular
//! file is read (a FIFO or a device could hang the read or never end), at
//! most [`MAX_BYTES`] of it, and it must be UTF-8 text. A leading
//! byte-order mark is skipped.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The largest input file: far above any script or config, far below what
/// would strain memory.
pub const MAX_BYTES: u64 = 1 << 20;

/// Why a file could not be read as text, and where in it, if somewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// 1-based line and character column of the first bad byte.
    pub place: Option<(usize, usize)>,
    /// What is wrong, already safe to print.
    pub why: String,
}

impl ReadError {
    /// The message with the file's (escaped) name: `name: why`, or
    /// `name:line:col: why`, as parse errors are given.
    pub fn show(&self, name: &str) -> String {
        match self.place {
            Some((line, col)) => format!("{name}:{line}:{col}: {}", self.why),
            None => format!("{name}: {}", self.why),
        }
    }
}

/// Reads `path` as UTF-8 text (see the module's rules).
pub fn read(path: &Path) -> Result<String, ReadError> {
    let fail = |why: String| ReadError { place: None, why };
    let io = |e: io::Error| fail(crate::escape::text(&e.to_string()));
    let file = open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(fail(format!("{} is not a regular file: give a file to read", kind(&meta))));
    }
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(fail(format!(
            "larger than {} KiB: that is too large to be a script or config",
            MAX_BYTES / 1024
        )));
    }
    decode(bytes)
}

/// Opens for reading without blocking (a FIFO would otherwise wait in
/// open() for a writer) and without taking a terminal as the controlling one.
fn open(path: &Path) -> io::Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    opts.open(path)
}

/// What a file that is not a regular one is, in words.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "it"
}

/// The bytes as text, without a leading BOM; the first invalid byte's
/// line and column if they are not UTF-8.
pub fn decode(mut bytes: Vec<u8>) -> Result<String, ReadError> {
    if bytes.starts_with(b"\xef\xbb\xbf") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        // The prefix up to the bad byte is valid UTF-8 by definition.
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        ReadError {
            place: Some((line, col)),
            why: format!("not UTF-8 text (byte 0x{:02x}): save the file as UTF-8", bytes[at]),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_byte_is_placed_by_line_and_column() {
        let e = decode(b"open tcp\nsay \"\xc3\xa9\xff\"\n".to_vec()).unwrap_err();
        assert_eq!(e.place, Some((2, 7)));
        assert_eq!(e.show("s.sc"), "s.sc:2:7: not UTF-8 text (byte 0xff): save the file as UTF-8");
        assert_eq!(decode(b"\xfe".to_vec()).unwrap_err().place, Some((1, 1)));
    }

    #[test]
    fn a_bom_is_skipped() {
        assert_eq!(decode(b"\xef\xbb\xbfrecv\n".to_vec()), Ok("recv\n".to_string()));
        assert_eq!(decode(b"\xef\xbb\xbf\xff".to_vec()).unwrap_err().place, Some((1, 1)));
    }

    #[test]
    fn only_regular_files_are_read() {
        let e = read(Path::new("/")).unwrap_err();
        assert_eq!(e.why, "a directory is not a regular file: give a file to read");
        #[cfg(unix)]
        assert!(read(Path::new("/dev/zero")).unwrap_err().why.starts_with("a device"));
        assert!(read(Path::new("/nonexistent/x.sc")).unwrap_err().why.contains("No such file"));
    }
}
