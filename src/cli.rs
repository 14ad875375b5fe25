//! The command line, as DESIGN.md's contract gives it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use sockscope::export::picture::{DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH};

const EXAMPLES: &str = "\
Examples:
  sockscope                                        explore: #1 is connected to the embedded peer
  sockscope demo assets/scenarios/03-zero-timeout.scenario
                                                   a lesson, one step per Space
  sockscope run assets/scenarios/04-timeout-expires.scenario --json
                                                   headless, JSON lines
  sockscope --record s.jsonl && sockscope replay s.jsonl
                                                   keep a session and play it back
  sockscope export python assets/scenarios/07-eof-reset-epipe.scenario > lesson.py
  sockscope export svg assets/scenarios/01-blocking-recv.scenario -o lesson.svg
                                                   the timeline as a picture (html: a page)
  sockscope completions bash > /etc/bash_completion.d/sockscope

Config file: $XDG_CONFIG_HOME/sockscope/config.toml (else ~/.config/sockscope/config.toml),
  or --config PATH: theme (default, high-contrast, mono), glyphs, mouse, settle_ms, recv_size
  and [keys]. Flags override it. A key rebound onto a key another action holds is an error
  at start that names both (exit 2). `sockscope man` lists every key and the command language.";

#[derive(Debug, Parser)]
#[command(
    name = "sockscope",
    version,
    about = "An oscilloscope for socket calls: real sockets, live modes, a timeline",
    long_about = "An oscilloscope for socket calls: real sockets, live modes, a timeline.\n\n\
                  With no subcommand, opens the terminal UI with socket #1 already connected \
                  to the embedded peer. Press ? inside for every key.",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Cmd>,
    /// (TUI, demo, run, trace) Append every event to this JSON-lines file as it happens.
    #[arg(long, global = true, value_name = "FILE.jsonl")]
    pub record: Option<PathBuf>,
    /// (TUI) Read settings from this TOML file instead of the default one.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// (TUI) Draw with ASCII glyphs only.
    #[arg(long, global = true)]
    pub ascii: bool,
    /// (TUI) The colour theme, instead of the config file's `theme`.
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<sockscope::config::Theme>,
    /// (TUI) Keep at most N busy-poll calls; older ones are folded into tallies.
    #[arg(long, global = true, value_name = "N")]
    pub history: Option<usize>,
    /// Write debug logs to this file (never to the terminal).
    #[arg(long, global = true, value_name = "FILE")]
    pub log: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Run a script headless on real sockets and print one line per event.
    Run {
        /// The script (a .scenario file).
        file: PathBuf,
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Open the terminal UI and step through a scenario (Space: next step).
    Demo {
        /// The scenario (a .scenario file).
        file: PathBuf,
        /// Before each call, ask what it will do; type the class's answer.
        #[arg(long)]
        predict: bool,
    },
    /// Open the terminal UI over a recorded session (no sockets; Space plays).
    Replay {
        /// A recording made with --record.
        file: PathBuf,
    },
    /// Write a scenario as a program, or its timeline as a picture or a page.
    Export {
        #[command(subcommand)]
        what: Export,
    },
    /// Trace a real program's socket calls (ptrace): the same screen, or a table or JSON lines.
    ///
    /// Starts CMD under ptrace with a seccomp filter that stops it only on
    /// socket calls, or attaches to a running process with -p.
    ///
    /// On a terminal, with none of --json, -o and --table, it opens the same
    /// screen as `sockscope` over the program: a lane per socket (PID:FD) and
    /// per process's waits (PID:loop), each call explained (strace line, why,
    /// and the Python line for a CPython program). The program's stdout and
    /// stderr go to the output pane (o), or to --program-output FILE; its
    /// stdin is /dev/null. Commands cannot run: the sockets are the program's.
    /// q asks, then ends a program sockscope started (SIGTERM, then SIGKILL
    /// after 2 s); with -p, q lets the program go and it goes on running.
    ///
    /// Otherwise (--json, -o, --table, or stdout not a terminal) it prints a
    /// line per finished call as a table or JSON lines, and the program's own
    /// output passes through untouched. Exit status: the program's (128 + N
    /// for signal N); 127 when CMD is not found, 126 when it cannot run, 1
    /// when tracing is refused. --record FILE writes a recording that
    /// `sockscope replay FILE` plays back, on the screen or without it.
    #[command(after_help = "Examples:\n  sockscope trace -- python3 server.py          the screen\n  \
                            sockscope trace --table -- python3 server.py  a table, even on a terminal\n  \
                            sockscope trace --json -o calls.jsonl -- curl -s http://127.0.0.1:8000/\n  \
                            sockscope trace --record s.jsonl -- ./app && sockscope replay s.jsonl\n  \
                            sockscope trace -p 4242")]
    Trace {
        /// Print JSON lines instead of a table (no screen).
        #[arg(long)]
        json: bool,
        /// Print a table even on a terminal (no screen).
        #[arg(long, conflicts_with = "json")]
        table: bool,
        /// Write the trace to FILE instead of stdout (no screen).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// (screen) Send the program's stdout and stderr to FILE instead of the output pane.
        #[arg(long, value_name = "FILE", conflicts_with = "pid")]
        program_output: Option<PathBuf>,
        /// Also trace read, write, readv and writev on sockets.
        #[arg(long)]
        read_write: bool,
        /// Attach to this running process (and all its threads) instead of starting one.
        #[arg(short = 'p', long = "pid", value_name = "PID", conflicts_with = "cmd")]
        pid: Option<u32>,
        /// The command to start, and its arguments (after --).
        #[arg(
            value_name = "CMD",
            trailing_var_arg = true,
            allow_hyphen_values = true,
            required_unless_present = "pid"
        )]
        cmd: Vec<std::ffi::OsString>,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Subcommand)]
pub enum Export {
    /// Print a Python 3 script that repeats the experiment with the socket module.
    ///
    /// By default the plain script a learner would write (create_connection,
    /// setblocking, try/except BlockingIOError, the scenario's narration as
    /// comments), printing what each call gives. --harness writes the
    /// faithful rerun instead: sockscope's own model (one worker thread per
    /// socket, the settle rule, every expect checked) in standard Python.
    Python {
        /// Write the faithful harness, not the learner's script.
        #[arg(long)]
        harness: bool,
        /// The scenario (a .scenario file).
        file: PathBuf,
    },
    /// Write the timeline as a standalone SVG picture (light, for print; or --dark).
    Svg(Picture),
    /// Write the timeline as one self-contained HTML page: point at a call to read why.
    Html(Picture),
}

#[derive(Debug, Args)]
pub struct Picture {
    /// A scenario (run first, on loopback) or a recording made with --record.
    pub file: PathBuf,
    /// Draw on a dark background (the default is light, which prints well).
    #[arg(long)]
    pub dark: bool,
    /// The picture's width in px.
    #[arg(long, value_name = "PX", default_value_t = DEFAULT_WIDTH,
          value_parser = clap::value_parser!(u32).range(MIN_WIDTH as i64..=MAX_WIDTH as i64))]
    pub width: u32,
    /// Write to this file instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}
