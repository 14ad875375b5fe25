//! `sockscope run FILE [--json]`: runs a script on real sockets and prints
//! one line per event, as a table or as JSON lines.

mod drive;
mod json;
mod run;
mod table;

pub use drive::{Ended, drive, failure_line};
pub use json::json_line;
pub use run::{
    Format, Options, run_file, run_file_until, run_file_with, run_script, run_script_until, run_script_with,
};
pub use table::table_line;
