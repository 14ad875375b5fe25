use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use sockscope::command::parse_script;
use sockscope::config::Config;
use sockscope::escape;
use sockscope::export::{self, intro, learner_script, python_script};
use sockscope::headless::{Format, Options, run_file_until};
use sockscope::{signals, tui};

mod cli;

/// Exit code for invalid input (a bad script, config or recording).
const INVALID: i32 = 2;

fn main() -> ExitCode {
    let mut cli = cli::Cli::parse();
    if let Some(path) = &cli.log
        && let Err(e) = start_log(path)
    {
        eprintln!("sockscope: cannot log to {}: {e}", escape::path(path));
        return ExitCode::from(INVALID as u8);
    }
    let code = match cli.command.take() {
        Some(cli::Cmd::Run { file, json }) => run(&cli, &file, json),
        Some(cli::Cmd::Demo { file, predict }) => match tui_options(&cli) {
            Ok(opts) => tui::run_demo(&file, predict, &opts, &mut std::io::stderr()),
            Err(code) => code,
        },
        Some(cli::Cmd::Replay { file }) => match tui_options(&cli) {
            Ok(opts) => tui::run_replay(&file, &opts, &mut std::io::stderr()),
            Err(code) => code,
        },
        Some(cli::Cmd::Export { what: cli::Export::Python { file, harness } }) => {
            export_python(&file, harness)
        }
        Some(cli::Cmd::Export { what: cli::Export::Svg(p) }) => export_picture(&p, export::Format::Svg),
        Some(cli::Cmd::Export { what: cli::Export::Html(p) }) => export_picture(&p, export::Format::Html),
        Some(cli::Cmd::Trace { json, table, output, program_output, read_write, pid, cmd }) => {
            let how = Trace { json, table, output, program_output, read_write };
            trace(&cli, how, pid, cmd)
        }
        Some(cli::Cmd::Completions { shell }) => {
            // Into a buffer first: `generate` panics on a failed write.
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut cli::Cli::command(), "sockscope", &mut text);
            emit(&text)
        }
        Some(cli::Cmd::Man) => {
            let mut text = Vec::new();
            match clap_mangen::Man::new(cli::Cli::command()).render(&mut text) {
                Ok(()) => {
                    text.extend_from_slice(sockscope::manual::sections().as_bytes());
                    emit(&text)
                }
                Err(e) => {
                    eprintln!("sockscope: {e}");
                    1
                }
            }
        }
        None => match tui_options(&cli) {
            Ok(opts) => tui::run_live(&opts),
            Err(code) => code,
        },
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}

fn run(cli: &cli::Cli, file: &Path, json: bool) -> i32 {
    let format = if json { Format::Json } else { Format::Table };
    let opts = Options { format, record: cli.record.clone() };
    // A signal, or a closed stdout, ends the run the normal way: the lab's
    // temp dir is removed and what happened so far is printed.
    let (closed, stop) = match signals::watch(&signals::ENDS) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("sockscope: cannot watch signals: {e}");
            return 1;
        }
    };
    let mut out = signals::PipeOut::new(std::io::stdout(), closed);
    run_file_until(file, &opts, &stop, &mut out, &mut std::io::stderr())
}

/// Writes a whole document to stdout. A reader that went away (`| head`)
/// ends it quietly with 141, as SIGPIPE would have.
fn emit(text: &[u8]) -> i32 {
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => signals::exit_code(libc::SIGPIPE),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "sockscope: {e}");
            1
        }
    }
}

/// `sockscope trace`'s options.
struct Trace {
    json: bool,
    table: bool,
    output: Option<PathBuf>,
    program_output: Option<PathBuf>,
    read_write: bool,
}

/// `trace [--json|--table] [-o FILE] [--read-write] [--record FILE] (-p PID | -- CMD …)`:
/// the screen on a terminal, unless a format or a file is asked for;
/// headless otherwise.
fn trace(cli: &cli::Cli, how: Trace, pid: Option<u32>, cmd: Vec<std::ffi::OsString>) -> i32 {
    use std::io::IsTerminal;
    let target = match pid {
        Some(pid) => sockscope::trace::Target::Attach(pid),
        None => sockscope::trace::Target::Spawn(cmd),
    };
    let headless = how.json || how.table || how.output.is_some() || !std::io::stdout().is_terminal();
    if !headless {
        let opts = match tui_options(cli) {
            Ok(o) => o,
            Err(code) => return code,
        };
        let topts =
            sockscope::traced::Options { read_write: how.read_write, program_output: how.program_output };
        return tui::run_trace(target, &topts, &opts, &mut std::io::stderr());
    }
    if how.program_output.is_some() {
        eprintln!(
            "sockscope: --program-output is for the screen; without it the program's output is its own \
             (redirect it, or trace with -o FILE)"
        );
        return INVALID;
    }
    let mut tap = match &cli.record {
        None => None,
        Some(path) => match sockscope::traced::RecordTap::create(path) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!(
                    "sockscope: cannot record to {}: {}",
                    escape::path(path),
                    escape::text(&e.to_string())
                );
                return 1;
            }
        },
    };
    let opts = sockscope::trace::headless::Options {
        json: how.json,
        output: how.output,
        read_write: how.read_write,
        strace: tap.is_some(),
    };
    let mut record = |ev: &sockscope::trace::TraceEvent, now: u64| {
        if let Some(t) = tap.as_mut() {
            t.event(ev, now);
        }
    };
    let code = sockscope::trace::headless::run(target, &opts, &mut std::io::stderr(), Some(&mut record));
    match tap.as_ref().and_then(|t| t.failure()) {
        Some(why) => {
            eprintln!("sockscope: {}", escape::text(why));
            1
        }
        None => code,
    }
}

/// `export python [--harness] FILE`: the learner's script (or the faithful
/// harness), on stdout. A bad script exits 2 with `file:line:col:`
/// messages, like `run`.
fn export_python(file: &Path, harness: bool) -> i32 {
    let name = escape::path(file);
    let text = match sockscope::textfile::read(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}", e.show(&name));
            return INVALID;
        }
    };
    match parse_script(&text) {
        Ok(script) if harness => emit(python_script(&name, &script).as_bytes()),
        Ok(script) => emit(learner_script(&name, &script, &intro(&text)).as_bytes()),
        Err(errors) => {
            for e in errors {
                eprintln!("{name}:{e}");
            }
            INVALID
        }
    }
}

/// `export svg|html FILE`: the document, on stdout or in `-o OUT`. A
/// scenario is run first; a signal stops that run (exit 128 + N).
fn export_picture(p: &cli::Picture, format: export::Format) -> i32 {
    let (_, stop) = match signals::watch(&signals::ENDS) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("sockscope: cannot watch signals: {e}");
            return 1;
        }
    };
    let opts = export::picture::Options { width: p.width, dark: p.dark };
    let (text, code) = match export::document(&p.file, &opts, format, &stop, &mut std::io::stderr()) {
        Ok(done) => done,
        Err(code) => return code,
    };
    let wrote = match &p.output {
        None => emit(text.as_bytes()),
        Some(out) => std::fs::write(out, text).map_or_else(
            |e| {
                eprintln!("sockscope: cannot write {}: {}", escape::path(out), escape::text(&e.to_string()));
                1
            },
            |()| 0,
        ),
    };
    if wrote != 0 { wrote } else { code }
}

/// The TUI's options; a bad config file is reported before the terminal
/// is touched, and exits 2.
fn tui_options(cli: &cli::Cli) -> Result<tui::Options, i32> {
    let mut config = Config::load(cli.config.as_deref()).map_err(|e| {
        eprintln!("sockscope: {e}");
        tui::INVALID
    })?;
    config.theme = cli.theme.unwrap_or(config.theme);
    Ok(tui::Options { record: cli.record.clone(), config, ascii: cli.ascii, history: cli.history })
}

/// `--log FILE`: debug events from the engine go to the file, never to the terminal.
fn start_log(path: &PathBuf) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .try_init()
        .map_err(std::io::Error::other)
}
