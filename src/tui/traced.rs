//! `sockscope trace -- CMD` and `trace -p PID` on the screen: the TUI over
//! a real program. The tracer's events come bridged into record events (see
//! `traced`), so the panes are the lab's; what differs is here: no commands
//! (the sockets are the program's), the program's output in its own pane,
//! and quitting, which ends a program sockscope started (after asking) or
//! lets go of an attached one.

use std::io::Write;
use std::os::fd::AsRawFd;

use super::app::{App, Sample, Status, Store};
use super::theme::Theme;
use super::{FAILED, Options};
use crate::lab::sample;
use crate::trace::Target;
use crate::traced::{GRACE, OutputTo, TraceSession};

/// Why keys that run commands do nothing here, for the status line.
pub const NO_COMMANDS: &str =
    "tracing a program: its sockets are its own, so commands cannot run here (? lists the keys that work)";

/// Starts the trace (errors print before the terminal is touched) and runs
/// the screen over it. The program never outlives a session that started
/// it, whatever way the session ends.
pub fn run_trace(target: Target, topts: &crate::traced::Options, opts: &Options, err: &mut dyn Write) -> i32 {
    let mut session = match TraceSession::start(target, topts) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "sockscope: {e}");
            return e.exit_code();
        }
    };
    if let Some(path) = &opts.record
        && let Err(e) = session.record_to(path)
    {
        let e = crate::escape::text(&e.to_string());
        let _ = writeln!(err, "sockscope: cannot record to {}: {e}", crate::escape::path(path));
        return FAILED;
    }
    super::term::install_error_hooks();
    let mut app = App::traced(session, Theme::new(&opts.config, opts.ascii));
    app.configure(&opts.config);
    app.status = Some(Status::Info(app.trace_intro()));
    super::session(app)
}

impl App {
    /// The first status line: what is traced, where its output goes, how to leave.
    fn trace_intro(&self) -> String {
        let Some(s) = self.trace() else { return String::new() };
        let p = &s.program;
        if p.attached {
            return format!("tracing {}: q lets it go, and it goes on running", p.name);
        }
        let out = match &s.output_to {
            OutputTo::File(f) => format!("its output goes to {f}"),
            OutputTo::Pane | OutputTo::Own => "o shows its output".into(),
        };
        format!("tracing {} (pid {}): {out}, q ends it (asks first)", p.name, p.pid)
    }

    /// `q` (or Ctrl-C) while tracing: a program sockscope started is ended
    /// only after a second `q` or `y`; an attached one is let go at once.
    pub fn ask_quit(&mut self) {
        let Store::Traced(s) = &mut self.store else {
            self.quit = true;
            return;
        };
        let (name, pid) = (s.program.name.clone(), s.program.pid);
        if s.finished() || s.ending() {
            // Nothing left to end, or already ending: the session's end
            // finishes it (SIGKILL after the grace).
            self.quit = true;
        } else if s.program.attached {
            s.end();
            self.quit_when_done = true;
            self.status = Some(Status::Info(format!("letting go of {name} (pid {pid}): it goes on running")));
        } else if !self.quit_asked {
            self.quit_asked = true;
            self.status = Some(Status::Error(format!(
                "quit ends {name} (pid {pid})? q or y: end it; any other key: go on"
            )));
        } else {
            self.quit_asked = false;
            s.end();
            self.quit_when_done = true;
            self.status = Some(Status::Info(format!(
                "ending {name} (pid {pid}): SIGTERM sent; SIGKILL follows in {} s if it has not ended",
                GRACE.as_secs()
            )));
        }
    }

    /// A key other than `q`/`y` after the first `q`: keep watching.
    pub fn keep_watching(&mut self) {
        self.quit_asked = false;
        self.status = Some(Status::Info("still tracing: nothing was ended".into()));
    }

    /// The update step while tracing: moves an ending on, says when the
    /// program ended, and reads each open socket as the kernel holds it
    /// (through a duplicate of its fd, closed at once).
    pub fn trace_refresh(&mut self) {
        let Store::Traced(s) = &mut self.store else { return };
        let just_ended = s.tick();
        self.now_ns = s.clock_ns();
        if just_ended && self.quit_when_done {
            self.quit = true;
        }
        if just_ended && let Some(Err(e)) = s.finish() {
            self.status =
                Some(Status::Error(format!("the trace failed: {}", crate::escape::text(&e.to_string()))));
            self.end_said = true;
        }
        // How it ended comes through the bridge a moment after the tracer
        // is done: said once it has.
        let end = s.record().process(s.program.pid).and_then(|p| p.end);
        if s.finished() && !self.quit_when_done && !self.end_said && end.is_some() {
            self.end_said = true;
            let how = end.map(|e| e.to_string()).unwrap_or_default();
            self.status = Some(Status::Info(format!(
                "{} (pid {}) {how}: the trace is over; q quits",
                s.program.name, s.program.pid
            )));
        }
        if let Some(why) = s.record_failure() {
            self.status = Some(Status::Error(why.to_string()));
        }
        let open: Vec<(u32, u32, i32)> = s
            .record()
            .sockets()
            .filter(|k| k.is_open())
            .filter_map(|k| Some((k.id(), k.info.pid?, k.info.fd)))
            .collect();
        self.samples = open
            .into_iter()
            .filter_map(|(id, pid, fd)| {
                let dup = crate::trace::dup_fd(pid, fd).ok()?;
                let sock = socket2::SockRef::from(&dup);
                let fd = dup.as_raw_fd();
                Some((
                    id,
                    Sample {
                        kernel: sample::kernel_view(fd).ok(),
                        queues: sample::queues(fd),
                        local: sock.local_addr().ok().and_then(|a| a.as_socket()),
                        remote: sock.peer_addr().ok().and_then(|a| a.as_socket()),
                    },
                ))
            })
            .collect();
        // The inspector reads the socket the panes show, the same way.
        let shown = self.pane_socket().and_then(|id| self.record().socket(id)).filter(|k| k.is_open());
        let target = shown.and_then(|k| Some((k.info.pid?, k.info.fd)));
        self.inspection = target.filter(|_| self.inspector).and_then(|(pid, fd)| {
            let dup = crate::trace::dup_fd(pid, fd).ok()?;
            // Named by the program's fd, not the duplicate's.
            sample::inspect(dup.as_raw_fd()).map(|i| sample::Inspection { fd, ..i })
        });
    }

    /// Whether the trace moves the screen by itself (an ending under way).
    pub fn trace_moving(&self) -> bool {
        self.trace().is_some_and(|s| !s.finished() && (s.ending() || self.quit_when_done))
    }
}
