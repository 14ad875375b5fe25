//! AF_UNIX bookkeeping: the session's private temp directory (where the
//! peer's listener, datagram sockets and `listen unix` with no path live),
//! and the socket files sockscope bound itself, which it unlinks again.

use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Numbers the private directories of the labs in this process.
static DIRS: AtomicU64 = AtomicU64::new(0);

/// The private directories that exist now, for [`remove_all_now`].
static LIVE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Removes every lab directory of this process at once, without waiting
/// for the labs to be dropped: for a panic hook on the main thread, which
/// runs before the unwinding and may never see it end (a report written to
/// a terminal that is gone panics again, and a second panic aborts).
pub fn remove_all_now() {
    let dirs = match LIVE.lock() {
        Ok(mut live) => std::mem::take(&mut *live),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    };
    for d in dirs {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// `$TMPDIR/sockscope-<pid>-<n>`, mode 0700, removed with everything in it
/// when dropped.
#[derive(Debug)]
pub struct TempDir {
    dir: PathBuf,
    next: AtomicU64,
}

/// How many taken names [`TempDir::new`] steps over before it gives up.
const TRIES: u32 = 64;

impl TempDir {
    /// A new directory, made with mkdir so it is never one that was there
    /// before. A name that is taken (left by a killed process whose pid is
    /// ours again, or made by someone else) is stepped over, not reused.
    pub fn new() -> std::io::Result<TempDir> {
        let mut tries = 0;
        loop {
            let n = DIRS.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!("sockscope-{}-{n}", std::process::id()));
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => {
                    if let Ok(mut live) = LIVE.lock() {
                        live.push(dir.clone());
                    }
                    return Ok(TempDir { dir, next: AtomicU64::new(1) });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < TRIES => tries += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// `DIR/NAME`.
    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// A path not used before in this directory: `DIR/PREFIX-<k>.sock`.
    pub fn fresh(&self, prefix: &str) -> PathBuf {
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        self.dir.join(format!("{prefix}-{k}.sock"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Ok(mut live) = LIVE.lock() {
            live.retain(|d| d != &self.dir);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A socket file sockscope created with bind(). It is unlinked only while
/// the file at that path is still the one bound (same device and inode), so
/// a file someone else made there since is never touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl Bound {
    /// Notes the file just bound at `path`.
    pub fn of(path: &Path) -> Option<Bound> {
        let m = std::fs::symlink_metadata(path).ok()?;
        Some(Bound { path: path.to_path_buf(), dev: m.dev(), ino: m.ino() })
    }

    /// Removes the file if it is still ours. Safe to call more than once.
    pub fn unlink(&self) {
        let same =
            std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.dev() == self.dev && m.ino() == self.ino);
        if same {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A path as text for records and messages.
pub fn text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_name_is_stepped_over() {
        // As a killed process with our pid would have left them.
        let next = DIRS.load(Ordering::Relaxed);
        let taken: Vec<PathBuf> = (next..next + 4)
            .map(|n| std::env::temp_dir().join(format!("sockscope-{}-{n}", std::process::id())))
            .collect();
        for d in &taken {
            std::fs::create_dir_all(d).unwrap();
        }
        let tmp = TempDir::new().expect("a fresh directory despite the taken names");
        assert!(tmp.dir.is_dir());
        assert!(!taken.contains(&tmp.dir), "{} was reused", tmp.dir.display());
        let made = tmp.dir.clone();
        drop(tmp);
        assert!(!made.exists());
        for d in &taken {
            assert!(d.is_dir(), "{} is not ours to remove", d.display());
            std::fs::remove_dir(d).unwrap();
        }
    }

    /// (Calling `remove_all_now` here would pull the directories from
    /// under the other tests of this binary.)
    #[test]
    fn live_dirs_are_known_to_the_panic_hook_until_dropped() {
        let tmp = TempDir::new().expect("a directory");
        let dir = tmp.dir.clone();
        assert!(LIVE.lock().unwrap().contains(&dir));
        drop(tmp);
        assert!(!LIVE.lock().unwrap().contains(&dir));
    }
}
