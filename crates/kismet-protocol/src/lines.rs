//! Buffered line reading off a socket, with a bound on line length: the one
//! line splitter of the client (server lines) and the simulator (client
//! lines).
//!
//! The reader keeps one fixed buffer: lines are handed out as slices into it
//! (no copy until a frame is built), a half line waits in the buffer for the
//! rest of its bytes, and a line longer than the limit is skipped to its
//! newline and reported ([`Overlong::Skip`], the client's way), or ends the
//! stream with an error ([`Overlong::Fail`], the server's way); either way
//! no peer can make the buffer grow.
//!
//! A socket's read timeout restarts with every byte, so a peer that sends
//! one byte now and then never lets it fire: [`LineReader::next_line_by`]
//! holds a whole line to a deadline instead, checked before every read.

use std::io::{self, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A stream whose reads can be bounded in time (a socket), for
/// [`LineReader::next_line_by`].
pub trait ReadTimeout: Read {
    /// Sets the longest one read may block (`None`: no limit).
    ///
    /// # Errors
    /// The stream's own (a zero duration is refused, as a socket's is).
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
}

impl ReadTimeout for TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
}

/// What to do with a line longer than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlong {
    /// Skip it to its newline and report it as [`Line::Overlong`].
    Skip,
    /// Fail with [`io::ErrorKind::InvalidData`] as soon as the unfinished
    /// line passes the limit (a server resets such a connection).
    Fail,
}

/// Free space below which the buffer is compacted before a read.
const MIN_READ: usize = 32 * 1024;

/// How many first bytes of an overlong line are kept while the rest is
/// skipped, so that a message can say what the line was.
pub const OVERLONG_HEAD: usize = 64;

/// What one call to [`LineReader::next_line`] produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// A complete line, without its `\n`.
    Complete(&'a [u8]),
    /// A line longer than the limit was skipped; its length in bytes.
    Overlong(usize),
}

/// Reads `\n`-terminated lines from a byte stream.
pub struct LineReader<R> {
    inner: R,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    max_line: usize,
    /// Bytes of an overlong line skipped so far, while skipping.
    skipping: Option<usize>,
    /// Bytes from `start` already searched for `\n` in vain: a line that
    /// arrives a byte at a time is searched once, not once per read.
    scanned: usize,
    overlong: Overlong,
    /// The first bytes of the overlong line being skipped, or of the last
    /// one reported.
    head: Vec<u8>,
}

impl<R: Read> LineReader<R> {
    /// A reader that accepts lines up to `max_line` bytes and skips longer
    /// ones ([`Overlong::Skip`]).
    pub fn new(inner: R, max_line: usize) -> LineReader<R> {
        LineReader::with_overlong(inner, max_line, Overlong::Skip)
    }

    /// A reader that treats lines over `max_line` bytes as `overlong` says.
    pub fn with_overlong(inner: R, max_line: usize, overlong: Overlong) -> LineReader<R> {
        let max_line = max_line.max(16);
        // Room for a whole line plus a large read, so reads stay big.
        let cap = max_line + 64 * 1024;
        LineReader {
            inner,
            buf: vec![0; cap].into_boxed_slice(),
            start: 0,
            end: 0,
            max_line,
            skipping: None,
            scanned: 0,
            overlong,
            head: Vec::new(),
        }
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The bytes of the unfinished line buffered so far (empty while an
    /// overlong line is skipped).
    pub fn partial(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// True when bytes of an unfinished line are buffered.
    pub fn has_partial(&self) -> bool {
        self.end > self.start || self.skipping.is_some()
    }

    /// How many bytes of the unfinished line have arrived, those of an
    /// overlong line already skipped included.
    pub fn partial_len(&self) -> usize {
        self.skipping.unwrap_or(0) + (self.end - self.start)
    }

    /// The first bytes of the unfinished line: all of it, or while an
    /// overlong line is skipped, its first [`OVERLONG_HEAD`] bytes.
    pub fn partial_start(&self) -> &[u8] {
        if self.skipping.is_some() {
            &self.head
        } else {
            self.partial()
        }
    }

    /// The first [`OVERLONG_HEAD`] bytes of the last line reported as
    /// [`Line::Overlong`] (or of the one being skipped now).
    pub fn overlong_head(&self) -> &[u8] {
        &self.head
    }

    /// The next line, reading from the stream as needed.
    ///
    /// Returns `Ok(None)` on a clean end of stream (nothing buffered).
    ///
    /// # Errors
    /// The stream's errors (including timeouts, which leave the reader
    /// usable), `UnexpectedEof` when the stream ends in the middle of a
    /// line (the peer went away mid-frame), and with [`Overlong::Fail`]
    /// `InvalidData` for a line over the limit.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        self.next_line_with(|_| Ok(()))
    }

    /// The next line, reading with `before_read` called on the stream
    /// before every read (it may fail the call).
    fn next_line_with(
        &mut self,
        mut before_read: impl FnMut(&R) -> io::Result<()>,
    ) -> io::Result<Option<Line<'_>>> {
        loop {
            if let Some(found) = self.scan_buffered() {
                return Ok(Some(self.take(found)));
            }
            if self.overlong == Overlong::Fail && self.skipping.is_some() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("line longer than {} bytes", self.max_line),
                ));
            }
            // Keep reads large: a half line near the end of the buffer would
            // otherwise leave room for only a few bytes per read() call.
            if self.buf.len() - self.end < MIN_READ {
                self.compact();
            }
            before_read(&self.inner)?;
            let n = self.inner.read(&mut self.buf[self.end..])?;
            if n == 0 {
                return if self.has_partial() {
                    Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed in the middle of a line",
                    ))
                } else {
                    Ok(None)
                };
            }
            self.end += n;
        }
    }

    /// The next line that is already buffered, without reading; `None` when
    /// a read is needed. Lets the caller drain a whole read before doing
    /// per-batch work. (With [`Overlong::Fail`], the failure comes from the
    /// next [`LineReader::next_line`].)
    pub fn next_buffered(&mut self) -> Option<Line<'_>> {
        let found = self.scan_buffered()?;
        Some(self.take(found))
    }

    /// Finds the next line end in the buffer, or handles an overlong line.
    fn scan_buffered(&mut self) -> Option<Scan> {
        let pending = &self.buf[self.start..self.end];
        let from = self.scanned.min(pending.len());
        match memchr::memchr(b'\n', &pending[from..]).map(|j| from + j) {
            Some(i) => {
                // The rest of the buffer belongs to the next line: unsearched.
                self.scanned = 0;
                Some(match self.skipping.take() {
                    Some(skipped) => Scan::OverlongEnd {
                        len: skipped + i,
                        next: self.start + i + 1,
                    },
                    None if i > self.max_line => {
                        self.keep_head();
                        Scan::OverlongEnd {
                            len: i,
                            next: self.start + i + 1,
                        }
                    }
                    None => Scan::Line {
                        end: self.start + i,
                    },
                })
            }
            None => {
                self.scanned = pending.len();
                // No newline: past the limit, drop what we have and skip on.
                if pending.len() > self.max_line || self.skipping.is_some() {
                    if self.skipping.is_none() {
                        self.keep_head();
                    }
                    *self.skipping.get_or_insert(0) += self.end - self.start;
                    self.start = 0;
                    self.end = 0;
                    self.scanned = 0;
                }
                None
            }
        }
    }

    fn take(&mut self, found: Scan) -> Line<'_> {
        match found {
            Scan::Line { end } => {
                let start = self.start;
                self.start = end + 1;
                Line::Complete(&self.buf[start..end])
            }
            Scan::OverlongEnd { len, next } => {
                self.start = next;
                Line::Overlong(len)
            }
        }
    }

    /// Keeps the first bytes of the line at `start`, an overlong one.
    fn keep_head(&mut self) {
        let n = (self.end - self.start).min(OVERLONG_HEAD);
        self.head.clear();
        self.head
            .extend_from_slice(&self.buf[self.start..self.start + n]);
    }

    /// Moves the unfinished line (at most `max_line` bytes, or the buffer
    /// would already be skipping) to the front of the buffer.
    fn compact(&mut self) {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
    }
}

impl<R: ReadTimeout> LineReader<R> {
    /// The next line, as [`LineReader::next_line`], but no later than
    /// `deadline`: before every read the stream's read timeout is set to the
    /// time left, so a peer that sends bytes and no newline cannot hold the
    /// caller past it (a timeout per read restarts with every byte).
    ///
    /// The stream keeps the last timeout set; set it again before reading
    /// it otherwise.
    ///
    /// # Errors
    /// As [`LineReader::next_line`]; `TimedOut` (or the stream's own
    /// `WouldBlock`) once `deadline` has passed without a complete line.
    /// What came of an unfinished line stays buffered
    /// ([`LineReader::partial_len`], [`LineReader::partial_start`]).
    pub fn next_line_by(&mut self, deadline: Instant) -> io::Result<Option<Line<'_>>> {
        self.next_line_with(|inner| {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no complete line before the deadline",
                ));
            }
            inner.set_read_timeout(Some(left))
        })
    }
}

enum Scan {
    Line { end: usize },
    OverlongEnd { len: usize, next: usize },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out its data in fixed-size pieces.
    struct Chunked<'a>(&'a [u8], usize);
    impl Read for Chunked<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(self.1).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn collect(data: &[u8], chunk: usize, max: usize) -> io::Result<Vec<Result<Vec<u8>, usize>>> {
        let mut r = LineReader::new(Chunked(data, chunk), max);
        let mut out = Vec::new();
        while let Some(l) = r.next_line()? {
            out.push(match l {
                Line::Complete(b) => Ok(b.to_vec()),
                Line::Overlong(n) => Err(n),
            });
        }
        Ok(out)
    }

    /// A line that arrives a byte at a time is searched once, not once per
    /// read: what was searched in vain is remembered (no quadratic rescan).
    #[test]
    fn partial_line_is_not_rescanned() {
        /// One byte per read, then "would block" after `left` bytes.
        struct Trickle(usize);
        impl Read for Trickle {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::ErrorKind::WouldBlock.into());
                }
                self.0 -= 1;
                out[0] = b'x';
                Ok(1)
            }
        }
        let mut r = LineReader::new(Trickle(5000), 64 * 1024);
        let e = r.next_line().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        assert_eq!(r.scanned, 5000);
        assert!(r.has_partial());
    }

    /// Lines come out whole however the stream is split.
    #[test]
    fn split_reads() {
        let data = b"*A: 1 \n*B: 2 \n\n*C: 3 \n";
        for chunk in 1..data.len() {
            let got = collect(data, chunk, 1024).unwrap();
            assert_eq!(
                got,
                vec![
                    Ok(b"*A: 1 ".to_vec()),
                    Ok(b"*B: 2 ".to_vec()),
                    Ok(Vec::new()),
                    Ok(b"*C: 3 ".to_vec())
                ]
            );
        }
    }

    /// A line over the limit is skipped and reported; the next one survives.
    #[test]
    fn overlong_line() {
        let mut data = vec![b'x'; 200_000];
        data.extend_from_slice(b"\n*OK: 1 \n");
        for chunk in [7, 4096, 1 << 20] {
            let got = collect(&data, chunk, 100).unwrap();
            assert_eq!(got, vec![Err(200_000), Ok(b"*OK: 1 ".to_vec())], "{chunk}");
        }
    }

    /// A server-side reader fails on an overlong line instead of skipping it,
    /// after handing out the complete lines before it.
    #[test]
    fn overlong_line_fails_when_asked() {
        let mut data = b"*A: 1 \n".to_vec();
        data.extend(vec![b'x'; 300]);
        let mut r = LineReader::with_overlong(Chunked(&data, 64), 100, Overlong::Fail);
        assert_eq!(r.next_line().unwrap(), Some(Line::Complete(b"*A: 1 ")));
        let e = r.next_line().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }

    /// A line a byte at a time, a millisecond apart, for `left` bytes; then
    /// the end of the stream.
    struct SlowTrickle {
        left: usize,
    }
    impl Read for SlowTrickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Ok(0);
            }
            std::thread::sleep(Duration::from_millis(1));
            self.left -= 1;
            out[0] = b'A';
            Ok(1)
        }
    }
    impl ReadTimeout for SlowTrickle {
        fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
            assert!(timeout.is_some_and(|t| !t.is_zero()), "{timeout:?}");
            Ok(())
        }
    }

    /// A peer that keeps sending bytes but no newline cannot hold a read
    /// past its deadline: it times out while the peer is still sending
    /// (without the deadline it would read until the peer gives up, and
    /// see the end of the stream), and what came stays buffered.
    #[test]
    fn deadline_holds_against_a_trickle() {
        let mut r = LineReader::new(SlowTrickle { left: 5000 }, 1024);
        let e = r
            .next_line_by(Instant::now() + Duration::from_millis(20))
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
        assert!(r.get_ref().left > 0, "the trickle ran dry first");
        assert_eq!(r.partial_len(), 5000 - r.get_ref().left);
        assert!(r.partial_start().iter().all(|&b| b == b'A'));
    }

    /// While an overlong line is skipped, its length so far and its first
    /// bytes are known; once it ends, its first bytes stay readable.
    #[test]
    fn overlong_line_keeps_its_head() {
        let mut data = b"*KISMET: ".to_vec();
        data.extend(vec![b'A'; 300]);
        let mut r = LineReader::new(Chunked(&data, 64), 100);
        let e = r.next_line().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(r.partial_len(), data.len());
        assert_eq!(r.partial_start(), &data[..OVERLONG_HEAD]);
        assert!(r.partial().len() < data.len());

        data.extend_from_slice(b"\n*OK: 1 \n");
        for chunk in [7, 1 << 20] {
            let mut r = LineReader::new(Chunked(&data, chunk), 100);
            assert_eq!(r.next_line().unwrap(), Some(Line::Overlong(309)));
            assert_eq!(r.overlong_head(), &data[..OVERLONG_HEAD], "{chunk}");
            assert_eq!(r.next_line().unwrap(), Some(Line::Complete(b"*OK: 1 ")));
            assert_eq!(r.partial_len(), 0);
        }
    }

    /// End of stream mid-line is an error, a clean end is `None`.
    #[test]
    fn eof_mid_line() {
        let e = collect(b"*A: 1 \n*B: ha", 3, 100).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(collect(b"", 3, 100).unwrap(), vec![]);
    }
}
