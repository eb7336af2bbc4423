//! netxml (being written).

use std::io::{self, Write};

use crate::{Input, Options, Summary};

/// Writes the export.
pub(crate) fn write(
    _input: &Input<'_>,
    _options: &Options,
    _out: &mut dyn Write,
) -> io::Result<Summary> {
    Err(io::Error::other("netxml: not written yet"))
}
