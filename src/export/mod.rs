//! Exports: a parsed scenario written out as a program in another language,
//! so the same experiment can be repeated without sockscope (the plain
//! script a learner would write, [`learner`], or the faithful harness,
//! [`python`]); and the timeline of a scenario or a recording as a picture
//! (SVG) or a page (HTML), laid out once by `picture`.

mod draw;
pub mod html;
pub mod learner;
pub mod picture;
pub mod python;
pub mod source;
pub mod svg;
mod xml;

pub use draw::{Format, document};
pub use learner::{intro, learner_script};
pub use python::python_script;
