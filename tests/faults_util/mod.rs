//! Helpers for the fault and hostile-input tests: an in-process session
//! driven like `headless::run` (parsed lines, one executor, a bounded
//! tick/wait loop), a runner for the real binary with a deadline, and
//! loopback addresses that refuse or never answer. Loopback only, port 0.

// Each test file uses a different part of this helper.
#![allow(dead_code)]

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use socket2::{Domain, SockAddr, Socket, Type};
use sockscope::command::{Located, parse_line};
use sockscope::exec::{Executor, Failure, Tick};
use sockscope::headless::table_line;
use sockscope::record::{Call, Outcome};

/// No script here may take longer than this.
pub const OVERALL: Duration = Duration::from_secs(20);
/// "Promptly", generously, for a slow CI box.
pub const PROMPT: Duration = Duration::from_secs(3);

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// One lab and one executor, as a front end has.
pub struct Session {
    pub lab: Lab,
    exec: Executor,
}

impl Session {
    /// The last call issued to the current socket.
    pub fn last_call(&self) -> Option<u64> {
        self.lab.current().and_then(|id| self.exec.last_on(id))
    }

    pub fn new() -> Session {
        Session { lab: Lab::new(), exec: Executor::new() }
    }

    /// Runs the lines (numbered from 1) until the executor is idle. After a
    /// failure the session stays usable, as at the prompt.
    pub fn run(&mut self, script: &str) -> Result<(), Failure> {
        for (i, text) in script.lines().enumerate() {
            match parse_line(text) {
                Ok(Some(cmd)) => self.exec.push(Located { line: i + 1, cmd }),
                Ok(None) => {}
                Err(e) => panic!("test line {} {text:?} does not parse: {e}", i + 1),
            }
        }
        let deadline = Instant::now() + OVERALL;
        loop {
            match self.exec.tick(&mut self.lab.session) {
                Ok(Tick::Idle) => return Ok(()),
                Ok(Tick::Busy(until)) => {
                    assert!(Instant::now() < deadline, "no end in {OVERALL:?}:\n{}", self.dump());
                    self.lab.wait_event(until.min(deadline));
                }
                Err(f) => {
                    self.exec.clear();
                    return Err(f);
                }
            }
        }
    }

    #[track_caller]
    pub fn ok(&mut self, script: &str) {
        if let Err(f) = self.run(script) {
            panic!("line {} failed ({:?}): {}\n{}", f.line, f.kind, f.message, self.dump());
        }
    }

    #[track_caller]
    pub fn fails(&mut self, script: &str) -> Failure {
        match self.run(script) {
            Err(f) => f,
            Ok(()) => panic!("{script:?} should have failed:\n{}", self.dump()),
        }
    }

    /// Waits up to `within` (pumping lab events) until `done` holds.
    pub fn until(&mut self, within: Duration, mut done: impl FnMut(&Session) -> bool) -> bool {
        let deadline = Instant::now() + within.min(OVERALL);
        loop {
            self.lab.pump();
            if done(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            self.lab.wait_event(deadline.min(Instant::now() + ms(20)));
        }
    }

    /// The latest call on the current socket, as recorded now.
    #[track_caller]
    pub fn last(&mut self) -> Call {
        let seq =
            self.lab.current().and_then(|id| self.exec.last_on(id)).expect("a call on the current socket");
        self.until(PROMPT, |s| s.lab.timeline().find(seq).is_some());
        match self.lab.timeline().find(seq) {
            Some(c) => c.clone(),
            None => panic!("call {seq} was never recorded:\n{}", self.dump()),
        }
    }

    /// The latest call on the current socket once it has ended (up to `within`).
    #[track_caller]
    pub fn ended_within(&mut self, within: Duration) -> Call {
        let seq =
            self.lab.current().and_then(|id| self.exec.last_on(id)).expect("a call on the current socket");
        let ended = self.until(within, |s| s.lab.timeline().find(seq).is_some_and(|c| c.end_ns.is_some()));
        assert!(ended, "call {seq} did not end within {within:?}:\n{}", self.dump());
        self.last()
    }

    /// Runs the script, then returns its last call once it has ended.
    #[track_caller]
    pub fn done(&mut self, script: &str) -> Call {
        self.ok(script);
        self.ended_within(PROMPT)
    }

    /// Proves nothing else broke: a fresh connection to the peer carries data.
    #[track_caller]
    pub fn still_works(&mut self) {
        let c = self.done("open tcp\npeer send \"still ok\"\nrecv");
        assert_eq!((c.outcome, c.bytes), (Outcome::Data, Some(8)), "{}\n{}", describe(&c), self.dump());
        assert_eq!(c.preview.as_deref(), Some(&b"still ok"[..]));
    }

    pub fn dump(&self) -> String {
        let lines: Vec<String> = self.lab.timeline().calls().iter().map(table_line).collect();
        format!("timeline:\n{}", lines.join("\n"))
    }
}

pub fn describe(c: &Call) -> String {
    let dur = c.duration().map_or("still blocking".into(), |d| format!("{:.1} ms", d.as_secs_f64() * 1e3));
    format!("{} {} on {}: {} ({dur})", c.op.word(), c.arg_text().unwrap_or_default(), c.lane, c.label())
}

/// A loopback port nothing listens on (bound to port 0, then released).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// A loopback address that never answers (SOCKET-FACTS case 8): a
/// `listen(0)` listener nobody accepts on, its accept queue filled with
/// connects, so the kernel drops every further SYN. Keep it alive while used.
pub struct Silent {
    pub addr: SocketAddr,
    _listener: Socket,
    _fillers: Vec<Socket>,
}

impl Silent {
    pub fn new() -> Silent {
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
        listener.bind(&SockAddr::from(SocketAddr::from(([127, 0, 0, 1], 0)))).expect("bind");
        listener.listen(0).expect("listen(0)");
        let addr = listener.local_addr().expect("addr").as_socket().expect("inet");
        let mut fillers = Vec::new();
        // Connect until one stays unanswered; each that completes fills the queue more.
        for _ in 0..16 {
            let s = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
            s.set_nonblocking(true).expect("nonblocking");
            let _ = s.connect(&SockAddr::from(addr));
            let answered = writable_within(&s, ms(200));
            fillers.push(s);
            if !answered {
                return Silent { addr, _listener: listener, _fillers: fillers };
            }
        }
        panic!("could not fill the accept queue of a listen(0) listener at {addr}");
    }
}

fn writable_within(s: &Socket, t: Duration) -> bool {
    let mut p = libc::pollfd { fd: s.as_raw_fd(), events: libc::POLLOUT, revents: 0 };
    // SAFETY: one valid pollfd, for the length given.
    let n = unsafe { libc::poll(&mut p, 1, t.as_millis() as libc::c_int) };
    n > 0
}

/// What the real binary did.
pub struct Output {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The script's file name as passed (messages start with it).
    pub file: String,
}

impl Output {
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    /// Both streams, for failure messages.
    pub fn show(&self) -> String {
        format!("exit {:?}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.out(), self.err())
    }
}

static RUNS: AtomicU32 = AtomicU32::new(0);

/// Runs `sockscope run FILE [extra…]` on `script` bytes, in a directory of
/// its own, optionally under `ulimit -n LIMIT`; killed after [`OVERALL`].
pub fn run_bin(script: &[u8], extra: &[&str], fd_limit: Option<u64>) -> Output {
    let dir = std::env::temp_dir().join(format!(
        "sockscope-faults-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = "script.scenario".to_string();
    std::fs::write(dir.join(&file), script).expect("write script");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_sockscope"));
    let mut cmd = match fd_limit {
        Some(n) => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(format!("ulimit -n {n} && exec \"$0\" run \"$@\"")).arg(&bin);
            c
        }
        None => {
            let mut c = Command::new(&bin);
            c.arg("run");
            c
        }
    };
    cmd.arg(&file).args(extra).current_dir(&dir);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.env_remove("RUST_BACKTRACE");
    let mut child = cmd.spawn().expect("spawn sockscope");
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
    let err = drain(child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
    let deadline = Instant::now() + OVERALL;
    let status = loop {
        match child.try_wait().expect("wait") {
            Some(st) => break Some(st),
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(ms(10)),
        }
    };
    let o = Output {
        code: status.and_then(|s| s.code()),
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
        file,
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert!(status.is_some(), "sockscope did not finish within {OVERALL:?}:\n{}", o.show());
    o
}

/// No panic text anywhere: a fault must be a message, never a crash.
#[track_caller]
pub fn assert_no_panic(o: &Output) {
    for text in [o.out(), o.err()] {
        assert!(!text.contains("panicked") && !text.contains("RUST_BACKTRACE"), "{}", o.show());
    }
}

/// The soft and hard limits on open files of this process.
pub fn fd_limits() -> (u64, u64) {
    let mut r = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes one rlimit into the struct we own.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) };
    assert_eq!(rc, 0, "getrlimit");
    (r.rlim_cur, r.rlim_max)
}

/// The parts of a live session these tests read: the record (the one
/// source of state), and kernel samples taken through the engine.
pub struct Lab {
    pub session: sockscope::exec::Session,
}

impl Lab {
    pub fn new() -> Lab {
        Lab { session: sockscope::exec::Session::start().expect("the session starts") }
    }
    pub fn record(&self) -> &sockscope::record::Record {
        self.session.record()
    }
    pub fn timeline(&self) -> &sockscope::record::Timeline {
        self.session.record().timeline()
    }
    pub fn socket(&self, id: u32) -> Option<&sockscope::record::SockState> {
        self.session.record().socket(id)
    }
    pub fn sockets(&self) -> impl Iterator<Item = &sockscope::record::SockState> {
        self.session.record().sockets()
    }
    pub fn current(&self) -> Option<u32> {
        self.session.record().current()
    }
    /// What the kernel holds for socket `id`'s mode, sampled now.
    pub fn kernel_view(&self, id: u32) -> Option<sockscope::record::KernelView> {
        sockscope::lab::sample::kernel_view(self.session.engine.fd(id)?).ok()
    }
    pub fn peer_addr(&self) -> Option<std::net::SocketAddr> {
        Some(self.session.engine.peer_addr())
    }
    pub fn peer_unix_path(&self) -> Option<&std::path::Path> {
        Some(self.session.engine.peer_unix_path())
    }
    pub fn pump(&mut self) -> usize {
        self.session.pump()
    }
    pub fn wait_event(&mut self, deadline: std::time::Instant) -> bool {
        self.session.wait_event(deadline)
    }
}
