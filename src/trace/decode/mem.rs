//! Reading the traced program's memory: structs, arrays and payload
//! previews, each with as few process_vm_readv calls as the layout allows.

use crate::trace::event::PREVIEW_CAP;
use crate::trace::sys::{self, Pid};

/// The memory of one traced thread.
#[derive(Debug, Clone, Copy)]
pub struct Mem(pub Pid);

/// `struct iovec`: base and length.
pub type Iov = (u64, u64);

/// At most this many entries of an array are read (pollfds, iovecs, events).
pub const MAX_ENTRIES: u64 = 4096;

impl Mem {
    /// Exactly `len` bytes at `addr`, or None.
    pub fn bytes(self, addr: u64, len: usize) -> Option<Vec<u8>> {
        if addr == 0 {
            return None;
        }
        let mut buf = vec![0; len];
        match sys::read_mem(self.0, addr, &mut buf) {
            Ok(n) if n == len => Some(buf),
            _ => None,
        }
    }

    pub fn array<const N: usize>(self, addr: u64) -> Option<[u8; N]> {
        if addr == 0 {
            return None;
        }
        let mut buf = [0; N];
        match sys::read_mem(self.0, addr, &mut buf) {
            Ok(n) if n == N => Some(buf),
            _ => None,
        }
    }

    pub fn i32(self, addr: u64) -> Option<i32> {
        self.array::<4>(addr).map(i32::from_ne_bytes)
    }

    /// Two 64-bit words: a timeval or timespec on a 64-bit kernel ABI.
    pub fn pair(self, addr: u64) -> Option<(i64, i64)> {
        let b = self.array::<16>(addr)?;
        Some((word(&b, 0) as i64, word(&b, 8) as i64))
    }

    /// A payload preview: the first bytes at `addr`, at most [`PREVIEW_CAP`].
    pub fn preview(self, addr: u64, len: u64) -> Option<Vec<u8>> {
        let n = len.min(PREVIEW_CAP as u64) as usize;
        let mut buf = vec![0; n];
        let got = sys::read_mem(self.0, addr, &mut buf).ok()?;
        buf.truncate(got);
        Some(buf)
    }

    /// `count` iovecs at `addr`.
    pub fn iovecs(self, addr: u64, count: u64) -> Vec<Iov> {
        let count = count.min(MAX_ENTRIES) as usize;
        match self.bytes(addr, count * 16) {
            Some(b) => b.chunks_exact(16).map(|c| (word(c, 0), word(c, 8))).collect(),
            None => Vec::new(),
        }
    }

    /// The first `len` bytes (at most the preview cap) spread over `iovs`.
    pub fn gather(self, iovs: &[Iov], len: u64) -> Option<Vec<u8>> {
        let mut left = len.min(PREVIEW_CAP as u64);
        let mut out = Vec::new();
        for &(base, n) in iovs {
            if left == 0 {
                break;
            }
            let take = n.min(left);
            out.extend(self.preview(base, take)?);
            left -= take;
        }
        Some(out)
    }

    /// `struct msghdr` at `addr`: its iovecs.
    pub fn msghdr_iovs(self, addr: u64) -> Vec<Iov> {
        // name(8) namelen(4)+pad(4) iov(8) iovlen(8) control(8) controllen(8) flags(4)+pad(4)
        match self.array::<56>(addr) {
            Some(h) => self.iovecs(word(&h, 16), word(&h, 24)),
            None => Vec::new(),
        }
    }
}

/// The total length of some iovecs.
pub fn total(iovs: &[Iov]) -> u64 {
    iovs.iter().map(|&(_, n)| n).fold(0u64, u64::saturating_add)
}

/// A native-endian u64 at `off`.
pub fn word(b: &[u8], off: usize) -> u64 {
    u64::from_ne_bytes(b[off..off + 8].try_into().unwrap_or([0; 8]))
}

/// A native-endian u32 at `off`.
pub fn half(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(b[off..off + 4].try_into().unwrap_or([0; 4]))
}
