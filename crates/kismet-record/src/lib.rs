//! Recordings of sessions: every line received and sent, byte for byte,
//! with its time, in a text format that `grep` and `diff` read.
//!
//! # Format (version 1)
//!
//! A recording is UTF-8 text (pure ASCII in fact), one entry per line. The
//! first line is `# kismet-shell recording 1`; other lines starting with
//! `#` are comments. Every other line is
//!
//! ```text
//! D SECONDS TEXT
//! ```
//!
//! - `D` is the direction: `<` a line received from the server, `>` a line
//!   sent to it, `=` an event of the connection;
//! - `SECONDS` is the time since the connection began, with three decimals
//!   (each `= connect` starts a connection at `0.000`); a line sent is
//!   recorded as it is handed to the socket, so it always comes before
//!   the reply to it;
//! - `TEXT` is the line without its `\n`, with `\` written `\\` and every
//!   byte outside printable ASCII written `\xNN` (two lower-case hex
//!   digits): the protocol's lines may hold any byte but `\n`, and nothing
//!   is lost. For events, `TEXT` is `connect ADDR UTC-TIME`,
//!   `disconnect REASON` or `overlong N` (a line over the length limit,
//!   skipped, of N bytes).
//!
//! ```text
//! # kismet-shell recording 1
//! = 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:45.123Z
//! < 0.001 *KISMET: 0.0.0 1795678119 \x01Kismet\x01 \x01\x01 0
//! > 0.002 !1 CAPABILITY KISMET
//! < 0.002 *CAPABILITY: KISMET version,starttime,servername,dumpfiles,uid
//! = 5.310 disconnect server closed the connection
//! ```
//!
//! A name ending in `.gz` is written gzip-compressed (the reader tells
//! gzip by its content). The writer flushes at least every
//! [`FLUSH_EVERY`], so a process killed while recording loses at most
//! that much; a recording cut short anywhere (even in the middle of a
//! line, or of a gzip stream) reads back up to its last complete line,
//! and the reader says so ([`Truncation`]). Corrupt gzip data (a bad
//! checksum) is an error. No line may be longer than [`MAX_LINE`].
//!
//! - [`Recorder`]: writes a recording; the client feeds it
//! - [`RecordingReader`]: entries back one at a time from a file or any
//!   reader, in bounded memory
//! - [`read_recording`], [`parse_recording`]: all the entries at once

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod reader;
mod writer;

pub use reader::{
    parse_recording, read_recording, Cut, Direction, Entry, RecordingError, RecordingReader,
    Truncation, MAX_LINE,
};
pub use writer::{Recorder, WriteMode, FLUSH_EVERY};

/// The first line of every recording.
pub const HEADER: &str = "# kismet-shell recording 1";

/// Appends `bytes` escaped: `\` as `\\`, bytes outside printable ASCII as
/// `\xNN`.
pub fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(&[
                b'\\',
                b'x',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]),
        }
    }
}

/// The bytes an escaped text stands for; `None` for a malformed escape.
/// (The text between escapes is copied a run at a time: a replay of a big
/// recording spends much of its time here.)
pub fn unescape(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = memchr::memchr(b'\\', rest) {
        out.extend_from_slice(&rest[..at]);
        match rest.get(at + 1)? {
            b'\\' => {
                out.push(b'\\');
                rest = &rest[at + 2..];
            }
            b'x' => {
                let hex = rest.get(at + 2..at + 4)?;
                out.push(hex_digit(hex[0])? << 4 | hex_digit(hex[1])?);
                rest = &rest[at + 4..];
            }
            _ => return None,
        }
    }
    out.extend_from_slice(rest);
    Some(out)
}

/// The value of one hexadecimal digit.
fn hex_digit(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A backslash that starts no escape this writer makes is refused:
    /// alone at the end, before another letter, before fewer than two hex
    /// digits or before a sign.
    #[test]
    fn malformed_escapes_are_refused() {
        for bad in [&b"a\\"[..], b"\\q", b"\\x4", b"\\xZZ", b"\\x+f", b"ok\\x0"] {
            assert_eq!(unescape(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(unescape(b"\\x41\\\\b").unwrap(), b"A\\b");
    }

    /// Every byte but `\n` survives escaping, and the escaped text is
    /// printable ASCII.
    #[test]
    fn escape_round_trip() {
        let all: Vec<u8> = (0u8..=255).filter(|&b| b != b'\n').collect();
        let mut e = Vec::new();
        escape_into(&mut e, &all);
        assert!(e.iter().all(|b| (0x20..0x7f).contains(b)));
        assert_eq!(unescape(&e).unwrap(), all);
        let mut e = Vec::new();
        escape_into(&mut e, b"*SSID: \x01Caf\\303\\251\x01 ");
        assert_eq!(e, b"*SSID: \\x01Caf\\\\303\\\\251\\x01 ");
        assert_eq!(unescape(b"bad\\q"), None);
        assert_eq!(unescape(b"cut\\x0"), None);
    }
}
