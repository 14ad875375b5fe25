//! Exports: a parsed scenario written out as a program in another language,
//! so the same experiment can be repeated without sockscope; and the
//! timeline of a scenario or a recording as a picture (SVG) or a page
//! (HTML), laid out once by `picture`.

mod draw;
pub mod html;
mod literal;
pub mod picture;
pub mod python;
pub mod source;
pub mod svg;
mod xml;

pub use draw::{Format, document};
pub use literal::py_secs;
pub use python::{addr_args, payload, python_script};
