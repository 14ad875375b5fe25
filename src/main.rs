use std::process::ExitCode;

use clap::Parser;
use sockscope::config::Config;
use sockscope::headless::{Format, run_file};
use sockscope::tui;

mod cli;

fn main() -> ExitCode {
    let mut cli = cli::Cli::parse();
    let code = match cli.command.take() {
        Some(cli::Cmd::Run { file, json }) => {
            let format = if json { Format::Json } else { Format::Table };
            run_file(&file, format, &mut std::io::stdout(), &mut std::io::stderr())
        }
        Some(cli::Cmd::Demo { file, record }) => match tui_options(&cli, record) {
            Ok(opts) => tui::run_demo(&file, &opts, &mut std::io::stderr()),
            Err(code) => code,
        },
        Some(cli::Cmd::Replay { file }) => match tui_options(&cli, None) {
            Ok(opts) => tui::run_replay(&file, &opts, &mut std::io::stderr()),
            Err(code) => code,
        },
        None => match tui_options(&cli, cli.record.clone()) {
            Ok(opts) => tui::run_live(&opts),
            Err(code) => code,
        },
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// The TUI's options; a bad config file is reported before the terminal
/// is touched, and exits 2.
fn tui_options(cli: &cli::Cli, record: Option<std::path::PathBuf>) -> Result<tui::Options, i32> {
    let config = Config::load(cli.config.as_deref()).map_err(|e| {
        eprintln!("sockscope: {e}");
        tui::INVALID
    })?;
    Ok(tui::Options { record, config, ascii: cli.ascii, history: cli.history })
}
