//! `export svg|html FILE`: the file loaded (a scenario run, or a recording
//! read), laid out, and written as a picture or a page.

use std::io::Write;
use std::path::Path;

use crossbeam_channel::Receiver;

use super::picture::{self, Options, explain};
use super::{html, source, svg};

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Html,
}

/// The document for `path`, and the exit code to end with (1 when the
/// scenario stopped at a failure: what ran is still drawn). `Err` is the
/// exit code when there is nothing to draw (see [`source::load`]).
pub fn document(
    path: &Path,
    opts: &Options,
    format: Format,
    stop: &Receiver<i32>,
    err: &mut dyn Write,
) -> Result<(String, i32), i32> {
    let (src, code) = source::load(path, stop, err)?;
    let p = picture::build(&src.record, src.now_ns, &src.name, opts);
    let text = match format {
        Format::Svg => svg::svg(&p),
        Format::Html => html::html(&p, &explain::details(&src.record, &p, src.now_ns)),
    };
    Ok((text, code))
}
