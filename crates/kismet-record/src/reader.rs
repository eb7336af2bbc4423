//! Reading a recording back: its entries, in order, up to the last complete
//! line (a recording cut short by a killed process, even in the middle of a
//! gzip stream, reads up to there).

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::time::Duration;

use flate2::read::MultiGzDecoder;

use super::{unescape, HEADER};

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

/// Why a recording cannot be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum RecordingError {
    /// The file cannot be opened or read.
    Io(io::Error),
    /// It does not start with the recording header.
    NotARecording,
    /// A line is not an entry.
    BadLine {
        /// Its number, from 1.
        line: usize,
    },
}

impl fmt::Display for RecordingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordingError::Io(e) => e.fmt(f),
            RecordingError::NotARecording => {
                write!(f, "not a kismet-shell recording (no \"{HEADER}\" line)")
            }
            RecordingError::BadLine { line } => write!(f, "line {line} is not a recording entry"),
        }
    }
}

impl std::error::Error for RecordingError {
    /// An I/O error is shown as this error's own text (it names the file),
    /// so its cause is the I/O error's cause.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecordingError::Io(e) => e.source(),
            _ => None,
        }
    }
}

/// Reads every entry of the recording at `path` (gzip when it ends in
/// `.gz`).
///
/// # Errors
/// [`RecordingError`]: unreadable, not a recording, or a malformed entry.
pub fn read_recording(path: &Path) -> Result<Vec<Entry>, RecordingError> {
    let file = File::open(path).map_err(|e| {
        RecordingError::Io(io::Error::new(e.kind(), format!("{}: {e}", path.display())))
    })?;
    let input: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    parse_recording(BufReader::new(input))
}

/// Reads entries from a recording's text.
///
/// # Errors
/// As [`read_recording`].
pub fn parse_recording(mut input: impl BufRead) -> Result<Vec<Entry>, RecordingError> {
    let mut entries = Vec::new();
    let mut raw = Vec::new();
    let mut number = 0;
    let mut connection: Option<usize> = None;
    let mut saw_header = false;
    loop {
        raw.clear();
        // A stream cut short (a killed writer) ends the recording there.
        match input.read_until(b'\n', &mut raw) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if saw_header && is_truncation(&e) => break,
            Err(e) => return Err(RecordingError::Io(e)),
        }
        if raw.last() != Some(&b'\n') {
            break; // the last line is incomplete
        }
        raw.pop();
        number += 1;
        if raw.starts_with(b"#") {
            saw_header |= raw == HEADER.as_bytes();
            continue;
        }
        if !saw_header {
            return Err(RecordingError::NotARecording);
        }
        if raw.is_empty() {
            continue;
        }
        let bad = || RecordingError::BadLine { line: number };
        let direction = match raw.first() {
            Some(b'<') => Direction::Received,
            Some(b'>') => Direction::Sent,
            Some(b'=') => Direction::Event,
            _ => return Err(bad()),
        };
        let rest = raw.get(2..).ok_or_else(bad)?;
        let space = rest.iter().position(|&b| b == b' ').ok_or_else(bad)?;
        let at = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .and_then(|t| Duration::try_from_secs_f64(t).ok())
            .ok_or_else(bad)?;
        let bytes = unescape(&rest[space + 1..]).ok_or_else(bad)?;
        if direction == Direction::Event && bytes.starts_with(b"connect ") {
            connection = Some(connection.map_or(0, |c| c + 1));
        }
        entries.push(Entry {
            connection: connection.unwrap_or(0),
            at,
            direction,
            bytes,
        });
    }
    if !saw_header {
        return Err(RecordingError::NotARecording);
    }
    Ok(entries)
}

/// True for the errors of a stream that just stops (a gzip member without
/// its end).
fn is_truncation(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Recorder, WriteMode};

    fn temp(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("kismet-shell-record-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        dir
    }

    /// What is recorded reads back, entry for entry, plain and gzip, and a
    /// second connection is numbered as such.
    #[test]
    fn write_then_read() {
        for name in ["a.kismet", "a.kismet.gz"] {
            let path = temp(name);
            let r = Recorder::create(&path, WriteMode::CreateNew).unwrap();
            r.connected("127.0.0.1:2501");
            r.received(b"*KISMET: 0.0.0 1 \x01x\x01 \x01\x01 0 ");
            r.sent(b"!1 CAPABILITY KISMET\n!2 ENABLE SSID *\n");
            r.disconnected("server closed the connection");
            r.connected("127.0.0.1:2501");
            r.received(b"*TIME: 5");
            r.finish();
            let e = read_recording(&path).unwrap();
            let dirs: Vec<Direction> = e.iter().map(|e| e.direction).collect();
            use Direction::*;
            assert_eq!(dirs, [Event, Received, Sent, Sent, Event, Event, Received]);
            assert_eq!(e[1].bytes, b"*KISMET: 0.0.0 1 \x01x\x01 \x01\x01 0 ");
            assert_eq!(e[3].bytes, b"!2 ENABLE SSID *");
            assert_eq!(e[5].connection, 1);
            assert_eq!(e[6].bytes, b"*TIME: 5");
            assert!(Recorder::create(&path, WriteMode::CreateNew)
                .err()
                .unwrap()
                .to_string()
                .contains("--force"));
            let _ = std::fs::remove_file(&path);
        }
    }

    /// A recording cut short, even inside a gzip stream, reads up to its
    /// last flushed line.
    #[test]
    fn cut_short_reads_to_the_last_flush() {
        let path = temp("cut.kismet.gz");
        let r = Recorder::create(&path, WriteMode::CreateNew).unwrap();
        r.connected("x:1");
        r.received(b"*TIME: 1");
        r.flush();
        // Never finished: no gzip trailer, like a killed process.
        std::mem::forget(r);
        let e = read_recording(&path).unwrap();
        assert_eq!(e.last().unwrap().bytes, b"*TIME: 1");
        let _ = std::fs::remove_file(&path);
        assert!(matches!(
            parse_recording(&b"hello\n"[..]),
            Err(RecordingError::NotARecording)
        ));
        assert!(matches!(
            parse_recording(&b"# kismet-shell recording 1\n? 1 x\n"[..]),
            Err(RecordingError::BadLine { line: 2 })
        ));
    }
}
