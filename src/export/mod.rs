//! Exports: a parsed scenario written out as a program in another language,
//! so the same experiment can be repeated without sockscope: the plain
//! script a learner would write ([`learner`]), or the faithful harness
//! ([`python`]).

pub mod learner;
pub(crate) mod literal;
pub mod python;

pub use learner::{intro, learner_script};
pub use literal::py_secs;
pub use python::{addr_args, payload, python_script};
