//! Reading a recording back, one entry at a time ([`RecordingReader`]), in
//! memory bounded by [`MAX_LINE`] whatever the file's length.
//!
//! - **What is a recording.** Its first line must be the header: a file
//!   that does not start with it (`/dev/zero`, a binary, a gzip file of
//!   something else) is refused after at most the header's length.
//! - **Gzip** is recognised by its first bytes (1f 8b), whatever the name.
//!   Corrupt gzip data (a bad checksum, bad deflate data) is an error
//!   naming the file and the last line read before it.
//! - **Cut short.** A recording cut short (a killed writer: a last line
//!   without its `\n`, a gzip stream without its end) reads up to its last
//!   complete line, and says so: [`RecordingReader::truncation`].

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Duration;

use flate2::bufread::MultiGzDecoder;

use super::{unescape, HEADER};

/// The longest line a recording may hold, escaped, without its `\n`
/// (1 MiB): four times the protocol's longest line (64 KiB), every byte
/// escaped, with room to spare. A longer line is refused
/// ([`RecordingError::LineTooLong`]) rather than read into memory.
pub const MAX_LINE: usize = 1024 * 1024;

/// Which way an entry went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A line from the server.
    Received,
    /// A line to the server.
    Sent,
    /// An event of the connection (`connect`, `disconnect`, `overlong`).
    Event,
}

/// One entry of a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Which connection of the recording (from 0; each `connect` starts one).
    pub connection: usize,
    /// Time since that connection began.
    pub at: Duration,
    /// Which way it went.
    pub direction: Direction,
    /// The line (or the event's text), unescaped.
    pub bytes: Vec<u8>,
}

/// Why a recording cannot be read. Each error names the file when there is
/// one ([`RecordingError::path`]); an I/O cause is its `source()`.
#[derive(Debug)]
#[non_exhaustive]
pub enum RecordingError {
    /// The file cannot be opened.
    Open {
        /// The file.
        path: PathBuf,
        /// The error of the system.
        source: io::Error,
    },
    /// Reading failed (a disk error).
    Read {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// The last complete line read before it (0: none).
        line: usize,
        /// The error.
        source: io::Error,
    },
    /// The gzip data is corrupt: a bad checksum, bad deflate data or a bad
    /// header. (A gzip stream that just stops is not an error: see
    /// [`Truncation`].)
    Corrupt {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// The last complete line read before it (0: none).
        line: usize,
        /// The decoder's error.
        source: io::Error,
    },
    /// It does not start with the recording header.
    NotARecording {
        /// The file, when read from one.
        path: Option<PathBuf>,
    },
    /// A line is not an entry.
    BadLine {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// Its number, from 1.
        line: usize,
    },
    /// A line is longer than [`MAX_LINE`].
    LineTooLong {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// Its number, from 1.
        line: usize,
    },
}

impl RecordingError {
    /// The file the error is about, when read from one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            RecordingError::Open { path, .. } => Some(path),
            RecordingError::Read { path, .. }
            | RecordingError::Corrupt { path, .. }
            | RecordingError::NotARecording { path }
            | RecordingError::BadLine { path, .. }
            | RecordingError::LineTooLong { path, .. } => path.as_deref(),
        }
    }
}

impl fmt::Display for RecordingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.path() {
            write!(f, "{}: ", p.display())?;
        }
        match self {
            RecordingError::Open { .. } => write!(f, "cannot open the recording"),
            RecordingError::Read { line, .. } => write!(f, "read error after line {line}"),
            RecordingError::Corrupt { line, .. } => {
                write!(f, "corrupt gzip data after line {line}")
            }
            RecordingError::NotARecording { .. } => write!(
                f,
                "not a kismet-shell recording (its first line is not \"{HEADER}\")"
            ),
            RecordingError::BadLine { line, .. } => {
                write!(f, "line {line} is not a recording entry")
            }
            RecordingError::LineTooLong { line, .. } => write!(
                f,
                "line {line} is longer than {} KiB: not a recording entry",
                MAX_LINE / 1024
            ),
        }
    }
}

impl std::error::Error for RecordingError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecordingError::Open { source, .. }
            | RecordingError::Read { source, .. }
            | RecordingError::Corrupt { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// How a recording that was cut short stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cut {
    /// The last line has no `\n`: `bytes` bytes after the last complete
    /// line are left out.
    PartialLine {
        /// How many.
        bytes: usize,
    },
    /// The gzip stream stops before its end (a writer killed before it
    /// finished the file).
    GzipUnfinished,
}

/// A recording cut short: read up to its last complete line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncation {
    /// The number of its last complete line (from 1).
    pub last_line: usize,
    /// How it stops.
    pub cut: Cut,
}

impl fmt::Display for Truncation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cut short after line {}: ", self.last_line)?;
        match self.cut {
            Cut::PartialLine { bytes } => {
                write!(f, "its last line has no end ({bytes} bytes left out)")
            }
            Cut::GzipUnfinished => write!(f, "its gzip stream stops before its end"),
        }
    }
}

/// What one bounded line read gave.
enum Got {
    /// A complete line (without its `\n`).
    Line,
    /// The end of the input, after this many bytes of a line without `\n`.
    End(usize),
    /// A line over the limit (nothing more is read).
    TooLong,
}

/// Reads one line into `out` (without its `\n`), never holding more than
/// `limit` bytes of it.
fn read_line(input: &mut impl BufRead, out: &mut Vec<u8>, limit: usize) -> io::Result<Got> {
    out.clear();
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(Got::End(out.len()));
        }
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        if out.len() + take > limit {
            return Ok(Got::TooLong);
        }
        out.extend_from_slice(&buf[..take]);
        input.consume(if done { take + 1 } else { take });
        if done {
            return Ok(Got::Line);
        }
    }
}

/// A recording read one entry at a time: memory bounded by [`MAX_LINE`],
/// whatever its length. It ends at the first error (later calls give
/// `None`).
///
/// # Examples
/// ```
/// use kismet_record::{Direction, RecordingReader};
/// let text = b"# kismet-shell recording 1\n\
///     = 0.000 connect 127.0.0.1:2501 2026-11-27T12:28:15.051Z\n\
///     < 0.006 *TIME: 1795782496\n\
///     < 0.007 *TIME: 17957";
/// let mut reader = RecordingReader::new(&text[..])?;
/// let mut received = 0;
/// while let Some(entry) = reader.next_entry()? {
///     received += usize::from(entry.direction == Direction::Received);
/// }
/// assert_eq!(received, 1);
/// // The last line had no end: said, not silently dropped.
/// assert_eq!(reader.truncation().map(|t| t.last_line), Some(3));
/// # Ok::<(), kismet_record::RecordingError>(())
/// ```
pub struct RecordingReader<R> {
    input: R,
    path: Option<PathBuf>,
    gzip: bool,
    /// Complete lines read so far.
    line: usize,
    connection: Option<usize>,
    raw: Vec<u8>,
    done: bool,
    truncation: Option<Truncation>,
}

impl RecordingReader<Box<dyn BufRead + Send>> {
    /// Opens the recording at `path` (gzip-compressed or not) and reads its
    /// header.
    ///
    /// # Errors
    /// [`RecordingError::Open`], or as [`RecordingReader::new`] (each
    /// naming the file).
    pub fn open(path: &Path) -> Result<Self, RecordingError> {
        let file = File::open(path).map_err(|source| RecordingError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        RecordingReader::from_read(file, Some(path.to_path_buf()))
    }

    /// A reader of the recording `input` holds, gzip-compressed or not
    /// (told by its first bytes); reads its header. `path` names it in
    /// errors.
    ///
    /// # Errors
    /// As [`RecordingReader::open`].
    pub fn from_read(
        input: impl io::Read + Send + 'static,
        path: Option<PathBuf>,
    ) -> Result<Self, RecordingError> {
        let mut input = BufReader::with_capacity(64 * 1024, input);
        let gzip = match input.fill_buf() {
            Ok(b) => b.starts_with(&[0x1f, 0x8b]),
            Err(source) => {
                return Err(match path {
                    Some(path) => RecordingError::Open { path, source },
                    None => RecordingError::Read {
                        path,
                        line: 0,
                        source,
                    },
                })
            }
        };
        let input: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(
                64 * 1024,
                MultiGzDecoder::new(input),
            ))
        } else {
            Box::new(input)
        };
        RecordingReader::start(input, path, gzip)
    }
}

impl<R: BufRead> RecordingReader<R> {
    /// A reader of a recording's text (not compressed); reads its header.
    ///
    /// # Errors
    /// [`RecordingError::NotARecording`] when the first line is not the
    /// header, which is known after at most the header's length; a read
    /// error.
    pub fn new(input: R) -> Result<Self, RecordingError> {
        RecordingReader::start(input, None, false)
    }

    fn start(input: R, path: Option<PathBuf>, gzip: bool) -> Result<Self, RecordingError> {
        let mut r = RecordingReader {
            input,
            path,
            gzip,
            line: 0,
            connection: None,
            raw: Vec::new(),
            done: false,
            truncation: None,
        };
        let header = read_line(&mut r.input, &mut r.raw, HEADER.len());
        match header {
            Ok(Got::Line) if r.raw == HEADER.as_bytes() => {
                r.line = 1;
                Ok(r)
            }
            Ok(_) => Err(r.not_a_recording()),
            // Gzip data that is not a gzip stream, or one cut in its
            // first line: not a recording either.
            Err(e) if r.gzip && is_gzip_error(&e) => Err(r.not_a_recording()),
            Err(source) => Err(RecordingError::Read {
                path: r.path.take(),
                line: 0,
                source,
            }),
        }
    }

    fn not_a_recording(&mut self) -> RecordingError {
        RecordingError::NotARecording {
            path: self.path.take(),
        }
    }

    /// The next entry; `None` at the end of the recording (or of what can
    /// be read of it: see [`RecordingReader::truncation`]).
    ///
    /// # Errors
    /// A malformed or over-long line, corrupt gzip data, a read error.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, RecordingError> {
        while !self.done {
            match read_line(&mut self.input, &mut self.raw, MAX_LINE) {
                Ok(Got::Line) => {}
                Ok(Got::End(0)) => self.done = true,
                Ok(Got::End(bytes)) => self.cut(Cut::PartialLine { bytes }),
                Ok(Got::TooLong) => {
                    let line = self.line + 1;
                    return Err(self.fail(|path| RecordingError::LineTooLong { path, line }));
                }
                // A gzip stream that just stops: a killed writer.
                Err(e) if self.gzip && e.kind() == io::ErrorKind::UnexpectedEof => {
                    self.cut(Cut::GzipUnfinished);
                }
                Err(source) => {
                    let line = self.line;
                    let corrupt = self.gzip && is_gzip_error(&source);
                    return Err(self.fail(|path| {
                        if corrupt {
                            RecordingError::Corrupt { path, line, source }
                        } else {
                            RecordingError::Read { path, line, source }
                        }
                    }));
                }
            }
            if self.done {
                break;
            }
            self.line += 1;
            if self.raw.is_empty() || self.raw.starts_with(b"#") {
                continue;
            }
            return match self.entry() {
                Some(e) => Ok(Some(e)),
                None => {
                    let line = self.line;
                    Err(self.fail(|path| RecordingError::BadLine { path, line }))
                }
            };
        }
        Ok(None)
    }

    /// The line in `raw` as an entry; `None` when it is not one.
    fn entry(&mut self) -> Option<Entry> {
        let raw = &self.raw;
        let direction = match raw.first() {
            Some(b'<') => Direction::Received,
            Some(b'>') => Direction::Sent,
            Some(b'=') => Direction::Event,
            _ => return None,
        };
        let rest = raw.get(2..)?;
        let space = rest.iter().position(|&b| b == b' ')?;
        let at = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .and_then(|t| Duration::try_from_secs_f64(t).ok())?;
        let bytes = unescape(&rest[space + 1..])?;
        if direction == Direction::Event && bytes.starts_with(b"connect ") {
            self.connection = Some(self.connection.map_or(0, |c| c + 1));
        }
        Some(Entry {
            connection: self.connection.unwrap_or(0),
            at,
            direction,
            bytes,
        })
    }

    fn cut(&mut self, cut: Cut) {
        self.truncation = Some(Truncation {
            last_line: self.line,
            cut,
        });
        self.done = true;
    }

    fn fail(&mut self, error: impl FnOnce(Option<PathBuf>) -> RecordingError) -> RecordingError {
        self.done = true;
        error(self.path.clone())
    }

    /// Once the end is reached: how the recording was cut short, if it
    /// was (it was read up to its last complete line).
    pub fn truncation(&self) -> Option<Truncation> {
        self.truncation
    }

    /// The number of the last line read (from 1, the header).
    pub fn line(&self) -> usize {
        self.line
    }

    /// The file read, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl<R: BufRead> Iterator for RecordingReader<R> {
    type Item = Result<Entry, RecordingError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_entry().transpose()
    }
}

/// True for a gzip decoder's complaint about its data (`flate2` says
/// `InvalidInput`: bad checksum, bad deflate data, bad header).
fn is_gzip_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
    )
}

/// Reads every entry of the recording at `path` (gzip-compressed or not)
/// into memory; [`RecordingReader::open`] reads one at a time, and tells
/// whether the recording was cut short.
///
/// # Errors
/// [`RecordingError`], naming the file.
pub fn read_recording(path: &Path) -> Result<Vec<Entry>, RecordingError> {
    RecordingReader::open(path)?.collect()
}

/// Reads every entry from a recording's text into memory.
///
/// # Errors
/// As [`RecordingReader::new`] and [`RecordingReader::next_entry`].
pub fn parse_recording(input: impl BufRead) -> Result<Vec<Entry>, RecordingError> {
    RecordingReader::new(input)?.collect()
}

#[cfg(test)]
mod tests;
