use std::process::ExitCode;

use clap::Parser;
use sockscope::headless::{Format, run_file};
use sockscope::tui;

mod cli;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        Some(cli::Cmd::Run { file, json }) => {
            let format = if json { Format::Json } else { Format::Table };
            run_file(&file, format, &mut std::io::stdout(), &mut std::io::stderr())
        }
        Some(cli::Cmd::Demo { file, record }) => {
            tui::run_demo(&file, record.as_deref(), &mut std::io::stderr())
        }
        None => tui::run_live(cli.record.as_deref()),
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}
