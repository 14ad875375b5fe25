//! Exports: a parsed scenario written out as a program in another language,
//! so the same experiment can be repeated without sockscope.

mod literal;
pub mod python;

pub use literal::py_secs;
pub use python::{addr_args, payload, python_script};
