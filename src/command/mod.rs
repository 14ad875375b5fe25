//! The command language: text -> [`Command`]. Pure: no I/O anywhere in here.
//!
//! The prompt, script files and key bindings all go through [`parse_line`] /
//! [`parse_script`], so there is exactly one grammar.

mod ast;
pub mod complete;
mod display;
mod errno;
mod grammar;
mod lexer;
mod number;
mod parse;
mod suggest;
mod usage;
mod values;

pub use ast::*;

/// The language at a glance, as the README and the man page show it.
pub const SUMMARY: &str = include_str!("summary.txt");
pub use errno::ERRNO_NAMES;
pub use parse::{COMMAND_WORDS, ParseError, parse_line, parse_script};
