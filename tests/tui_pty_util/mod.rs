//! The real binary in a pseudo-terminal, its output parsed by vt100: the
//! helper every pty test uses. Checks are made on the parsed *screen*
//! (ratatui skips unchanged cells, so the raw byte stream cannot be matched).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

pub const ROWS: u16 = 30;
pub const COLS: u16 = 100;
/// Generous: a loaded CI machine may be slow to start the binary.
const WAIT: Duration = Duration::from_secs(10);

pub struct Screen {
    pub parser: vt100::Parser,
    /// Everything the program wrote, for sequences the screen does not
    /// keep (OSC 52); the newest bytes, up to [`RAW_MAX`].
    pub raw: Vec<u8>,
    eof: bool,
}

/// How much raw output a session keeps.
const RAW_MAX: usize = 4 << 20;

pub struct Session {
    pub shared: Arc<(Mutex<Screen>, Condvar)>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
}

impl Session {
    pub fn start(args: &[&str]) -> Session {
        Session::start_with(args, &[])
    }

    /// With extra environment variables for the child.
    pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> Session {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sockscope"));
        cmd.args(args);
        Session::launch(cmd, env)
    }

    /// In a terminal of `rows` × `cols`.
    pub fn start_sized(args: &[&str], rows: u16, cols: u16) -> Session {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sockscope"));
        cmd.args(args);
        Session::launch_sized(cmd, &[], rows, cols)
    }

    /// Another program (a shell that sets limits, then execs sockscope).
    pub fn start_program(program: &str, args: &[&str]) -> Session {
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        Session::launch(cmd, &[])
    }

    /// An interactive bash with job control (prompt `$ `), to run sockscope
    /// as a job the way a person does.
    #[allow(dead_code)]
    pub fn start_shell() -> Session {
        let mut cmd = CommandBuilder::new("bash");
        cmd.args(["--norc", "--noprofile", "-i"]);
        cmd.env("PS1", "$ ");
        Session::launch(cmd, &[])
    }

    /// Starts `cmd` in a pty with a hermetic environment, then `env` on top.
    fn launch(cmd: CommandBuilder, env: &[(&str, &str)]) -> Session {
        Session::launch_sized(cmd, env, ROWS, COLS)
    }

    fn launch_sized(mut cmd: CommandBuilder, env: &[(&str, &str)], rows: u16, cols: u16) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
            .expect("openpty");
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        cmd.env_remove("NO_COLOR");
        // Hermetic: no config file from the machine running the tests.
        cmd.env("XDG_CONFIG_HOME", "/nonexistent/sockscope-tests");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn");
        // Our copy of the slave must go, or the reader never sees EOF.
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let shared = Arc::new((
            Mutex::new(Screen { parser: vt100::Parser::new(rows, cols, 0), raw: Vec::new(), eof: false }),
            Condvar::new(),
        ));
        let feed = shared.clone();
        std::thread::spawn(move || {
            // Keep the master alive as long as we read from it.
            let _master = pty.master;
            let mut buf = [0u8; 8192];
            loop {
                let n = reader.read(&mut buf).unwrap_or(0);
                let (lock, cv) = &*feed;
                let mut s = lock.lock().unwrap();
                if n == 0 {
                    s.eof = true;
                    cv.notify_all();
                    return;
                }
                s.parser.process(&buf[..n]);
                s.raw.extend_from_slice(&buf[..n]);
                if s.raw.len() > RAW_MAX {
                    let cut = s.raw.len() - RAW_MAX / 2;
                    s.raw.drain(..cut);
                }
                cv.notify_all();
            }
        });
        Session { shared, writer, child }
    }

    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits until the screen satisfies `pred`; returns the screen text.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        let (lock, cv) = &*self.shared;
        let mut s = lock.lock().unwrap();
        loop {
            let text = s.parser.screen().contents();
            if pred(&text) {
                return text;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero() && !s.eof, "timed out waiting for {what}; screen:\n{text}");
            s = cv.wait_timeout(s, left).unwrap().0;
        }
    }

    /// Waits until the raw output satisfies `pred`; returns what `pred` found.
    pub fn wait_raw<T>(&self, what: &str, pred: impl Fn(&[u8]) -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        let (lock, cv) = &*self.shared;
        let mut s = lock.lock().unwrap();
        loop {
            if let Some(found) = pred(&s.raw) {
                return found;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let text = s.parser.screen().contents();
            assert!(!left.is_zero() && !s.eof, "timed out waiting for {what}; screen:\n{text}");
            s = cv.wait_timeout(s, left).unwrap().0;
        }
    }

    pub fn wait_text(&self, needle: &str) -> String {
        self.wait_for(needle, |t| t.contains(needle))
    }

    /// Waits for the process to exit and for its last output to be parsed.
    pub fn wait_exit(&mut self) -> (portable_pty::ExitStatus, bool) {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            assert!(Instant::now() < deadline, "the process did not exit");
            // Short polling: portable-pty offers no wait with a timeout.
            std::thread::sleep(Duration::from_millis(20));
        };
        let (lock, cv) = &*self.shared;
        let mut s = lock.lock().unwrap();
        while !s.eof {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no EOF from the pty");
            s = cv.wait_timeout(s, left).unwrap().0;
        }
        (status, s.parser.screen().alternate_screen())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
