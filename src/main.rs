use std::process::ExitCode;

use clap::Parser;
use sockscope::headless::{Format, run_file};

mod cli;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        Some(cli::Cmd::Run { file, json }) => {
            let format = if json { Format::Json } else { Format::Table };
            let code = run_file(&file, format, &mut std::io::stdout(), &mut std::io::stderr());
            ExitCode::from(code as u8)
        }
        None => {
            eprintln!("sockscope: the TUI is not built yet; try `sockscope run FILE`");
            ExitCode::from(2)
        }
    }
}
