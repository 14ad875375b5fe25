//! Exports: a parsed scenario written out as a program in another language,
//! so the same experiment can be repeated without sockscope.

mod literal;
pub mod python;

pub use python::python_script;
