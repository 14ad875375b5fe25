//! The command line, as DESIGN.md's contract gives it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "sockscope",
    version,
    about = "An oscilloscope for socket calls: real sockets, live modes, a timeline",
    long_about = "An oscilloscope for socket calls: real sockets, live modes, a timeline.\n\n\
                  With no subcommand, opens the terminal UI with socket #1 already connected \
                  to the embedded peer. Press ? inside for every key."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Cmd>,
    /// (TUI) Append every event to this JSON-lines file as it happens.
    #[arg(long, value_name = "FILE.jsonl")]
    pub record: Option<PathBuf>,
    /// (TUI) Read settings from this TOML file instead of the default one.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// (TUI) Draw with ASCII glyphs only.
    #[arg(long, global = true)]
    pub ascii: bool,
    /// (TUI) Keep at most N busy-poll calls; older ones are folded into tallies.
    #[arg(long, global = true, value_name = "N")]
    pub history: Option<usize>,
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
        /// Append every event to this JSON-lines file as it happens.
        #[arg(long, value_name = "FILE.jsonl")]
        record: Option<PathBuf>,
    },
    /// Open the terminal UI over a recorded session (no sockets; Space plays).
    Replay {
        /// A recording made with --record.
        file: PathBuf,
    },
}
