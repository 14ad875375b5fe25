//! Exports: a parsed scenario written out as a program in another language,
//! so the same experiment can be repeated without sockscope; and the
//! timeline of a scenario or a recording as a picture (SVG) or a page
//! (HTML), laid out once by `picture`.

mod draw;
pub mod html;
pub mod picture;
pub mod python;
pub mod source;
pub mod svg;
mod xml;

pub use draw::{Format, document};
pub use python::python_script;
