//! The command line, as DESIGN.md's contract gives it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "sockscope", version, about = "An oscilloscope for socket calls: real sockets, live modes, a timeline")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Cmd>,
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
}
