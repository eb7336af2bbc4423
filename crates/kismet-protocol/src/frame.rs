//! One server line, `*HEADER: fields`, parsed byte-exactly into a [`Frame`].
//!
//! The wire rule is "field, then exactly one space": a bare field runs to the
//! next space (so two spaces in a row are an empty field), a `\x01`-quoted
//! field runs to the closing `\x01` and may hold spaces. `TIME`, `PROTOCOLS`,
//! `CAPABILITY` and `TERMINATE` carry one payload with no trailing space.
//!
//! A [`Frame`] keeps the whole line and, after it in the same buffer, each
//! field's byte range: parsing allocates once per line, never per field.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::spec::{is_payload_protocol, MAX_HEADER_LEN, QUOTE};

/// Why a server line could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The line is empty.
    Empty,
    /// The line does not start with `*`.
    NoStar,
    /// No `:` (followed by a space or the end of the line) after the header.
    NoColon,
    /// The header is empty, too long, or not a plain ASCII name.
    BadHeader,
    /// A `\x01`-quoted field has no closing `\x01`.
    Unterminated {
        /// Offset of the opening quote in the line.
        offset: usize,
    },
    /// A closing `\x01` is followed by something other than a space.
    JunkAfterQuote {
        /// Offset of the unexpected byte in the line.
        offset: usize,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Empty => write!(f, "empty line"),
            ParseError::NoStar => write!(f, "line does not start with '*'"),
            ParseError::NoColon => write!(f, "no ': ' after the header"),
            ParseError::BadHeader => write!(f, "header is not a protocol name"),
            ParseError::Unterminated { offset } => {
                write!(f, "unterminated \\x01 string at byte {offset}")
            }
            ParseError::JunkAfterQuote { offset } => {
                write!(f, "no space after quoted field at byte {offset}")
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// A parsed server line: its protocol and its fields, as bytes off the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    /// The whole line as received (without its `\n`), then for each field
    /// its start and end offsets in the line as two little-endian `u32`.
    data: Vec<u8>,
    /// Length of the line at the front of `data`.
    line_len: u32,
    /// End of the header in the line (the header is `line[1..header_end]`).
    header_end: u32,
    /// Number of fields.
    count: u32,
    /// Length of the line as shown by [`Frame::raw`]: the whole line, or
    /// the part that holds the fields kept by [`Frame::project`].
    raw_len: u32,
    /// When the line was received, milliseconds since the Unix epoch (0:
    /// not known).
    received_ms: u64,
    /// Names of the fields, in order, when the client knows them.
    names: Option<Arc<[String]>>,
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<String> = self
            .fields()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        f.debug_struct("Frame")
            .field("protocol", &self.protocol())
            .field("fields", &fields)
            .finish()
    }
}

impl Frame {
    /// Parses one server line (without its `\n`).
    ///
    /// # Errors
    /// A [`ParseError`] for anything that is not `*HEADER: fields` as the
    /// server writes it. Never panics, whatever the bytes.
    ///
    /// # Examples
    /// ```
    /// use kismet_protocol::Frame;
    /// let f = Frame::parse(b"*SSID: \x01Coffee Shop\x01 00:18:E7:B2:00:02 ").unwrap();
    /// assert_eq!(f.protocol(), "SSID");
    /// assert_eq!(f.field(0), Some(&b"Coffee Shop"[..]));
    /// assert_eq!(f.field(1), Some(&b"00:18:E7:B2:00:02"[..]));
    /// ```
    pub fn parse(line: &[u8]) -> Result<Frame, ParseError> {
        if line.len() > u32::MAX as usize / 2 {
            return Err(ParseError::BadHeader);
        }
        // Fields <= spaces + 1 (each field but the last ends in one): one
        // allocation of the right size for the line and its spans.
        let spaces = count_spaces(line);
        let mut data = Vec::with_capacity(line.len() + 8 * (spaces + 1));
        data.extend_from_slice(line);
        let (header_end, count) = parse_spans(line, &mut data)?;
        Ok(Frame {
            data,
            line_len: line.len() as u32,
            header_end: header_end as u32,
            count: count as u32,
            raw_len: line.len() as u32,
            received_ms: 0,
            names: None,
        })
    }

    /// Builds a frame from a protocol name and field values, as the server
    /// would send it (see [`encode_line`]).
    pub fn from_fields(protocol: &str, fields: &[FieldValue<'_>]) -> Result<Frame, ParseError> {
        let mut line = encode_line(protocol, fields);
        line.pop(); // the '\n'
        Frame::parse(&line)
    }

    /// The protocol name (the header), as sent.
    pub fn protocol(&self) -> &str {
        // The header was checked to be ASCII when parsed.
        std::str::from_utf8(self.protocol_bytes()).unwrap_or("")
    }

    /// The protocol name as bytes (ASCII), for comparisons on hot paths.
    pub fn protocol_bytes(&self) -> &[u8] {
        &self.data[1..self.header_end as usize]
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// True when the frame has no field.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The field at `index`, as bytes off the wire (quotes removed).
    #[inline]
    pub fn field(&self, index: usize) -> Option<&[u8]> {
        if index >= self.len() {
            return None;
        }
        let at = self.line_len as usize + 8 * index;
        Some(self.span(&self.data[at..at + 8]))
    }

    /// The field at `index` as it came: [`FieldValue::Quoted`] when it
    /// was wrapped in `\x01`, else [`FieldValue::Bare`] (a payload is
    /// bare). Encoding a selection of these values with
    /// [`encode_line_into`] writes each field as the server wrote it.
    ///
    /// # Examples
    /// ```
    /// use kismet_protocol::{FieldValue, Frame};
    /// let f = Frame::parse(b"*SSID: \x01Coffee Shop\x01 00:18:E7:B2:00:02 ").unwrap();
    /// assert_eq!(f.value(0), Some(FieldValue::Quoted(b"Coffee Shop")));
    /// assert_eq!(f.value(1), Some(FieldValue::Bare(b"00:18:E7:B2:00:02")));
    /// ```
    pub fn value(&self, index: usize) -> Option<FieldValue<'_>> {
        if index >= self.len() {
            return None;
        }
        let at = self.line_len as usize + 8 * index;
        let s = &self.data[at..at + 8];
        let start = u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize;
        let bytes = self.span(s);
        // A quoted field's span starts just past its opening quote; a bare
        // one starts after a space (never after a quote).
        Some(if start > 0 && self.data[start - 1] == QUOTE {
            FieldValue::Quoted(bytes)
        } else {
            FieldValue::Bare(bytes)
        })
    }

    /// All fields in order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        self.data[self.line_len as usize..]
            .chunks_exact(8)
            .map(|s| self.span(s))
    }

    /// Where each field is in [`Frame::buffer`] (the bytes [`Frame::fields`]
    /// gives), in order: for a writer that copies a short field with the
    /// bytes after it in one fixed-size move (the buffer goes on past the
    /// line), or that looks at the byte before it (`\x01` when the field
    /// was quoted).
    ///
    /// # Examples
    /// ```
    /// use kismet_protocol::Frame;
    /// let f = Frame::parse(b"*SSID: \x01Coffee Shop\x01 7 ").unwrap();
    /// let at: Vec<_> = f.field_ranges().collect();
    /// assert_eq!(at, [8..19, 21..22]);
    /// assert_eq!(&f.buffer()[at[0].start - 1], &0x01);
    /// ```
    pub fn field_ranges(&self) -> impl ExactSizeIterator<Item = Range<usize>> + '_ {
        self.data[self.line_len as usize..]
            .chunks_exact(8)
            .map(span_range)
    }

    /// The line bytes of one encoded span (start and end, LE `u32`s).
    #[inline]
    fn span(&self, s: &[u8]) -> &[u8] {
        &self.data[span_range(s)]
    }

    /// The frame's one buffer: the line as received, then the table of its
    /// fields' byte ranges. For a consumer on another core that wants the
    /// frame's memory before it reads it (the live model asks the
    /// processor's cache for frames a few places ahead).
    pub fn buffer(&self) -> &[u8] {
        &self.data
    }

    /// The whole line as received, without its `\n` (after
    /// [`Frame::project`], the part of it that holds the fields kept).
    pub fn raw(&self) -> &[u8] {
        &self.data[..self.raw_len as usize]
    }

    /// Keeps only the first `n` fields, named `names`: what a server would
    /// have sent had the client asked for those fields alone. The line
    /// ([`Frame::raw`]) is cut after the last field kept and its one space.
    /// Nothing is copied.
    pub fn project(mut self, n: usize, names: Option<Arc<[String]>>) -> Frame {
        if n < self.len() {
            let end = if n == 0 {
                self.header_end as usize + 2
            } else {
                let at = self.line_len as usize + 8 * (n - 1);
                let e = u32::from_le_bytes([
                    self.data[at + 4],
                    self.data[at + 5],
                    self.data[at + 6],
                    self.data[at + 7],
                ]) as usize;
                // Past a closing quote, then past the one space.
                let line = &self.data[..self.line_len as usize];
                let e = e + usize::from(line.get(e) == Some(&QUOTE));
                e + usize::from(line.get(e) == Some(&b' '))
            };
            self.count = n as u32;
            self.raw_len = end.min(self.line_len as usize) as u32;
            self.data.truncate(self.line_len as usize + 8 * n);
        }
        self.names = names;
        self
    }

    /// Sets when the line was received (milliseconds since the Unix epoch).
    pub fn with_received(mut self, ms: u64) -> Frame {
        self.received_ms = ms;
        self
    }

    /// When the line was received, in milliseconds since the Unix epoch;
    /// `None` when not known.
    pub fn received_ms(&self) -> Option<u64> {
        (self.received_ms != 0).then_some(self.received_ms)
    }

    /// Attaches the field names (the list the client enabled, in order).
    pub fn with_names(mut self, names: Option<Arc<[String]>>) -> Frame {
        self.names = names;
        self
    }

    /// The field names, when known and when they match the field count.
    pub fn names(&self) -> Option<&[String]> {
        self.names.as_deref().filter(|n| n.len() == self.len())
    }

    /// The shared list of field names, when known and matching the field
    /// count (lets formatters cache per field list).
    pub fn names_arc(&self) -> Option<&Arc<[String]>> {
        self.names.as_ref().filter(|n| n.len() == self.len())
    }

    /// The field called `name` (case-insensitive), when names are known.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        let names = self.names()?;
        let i = names.iter().position(|n| n.eq_ignore_ascii_case(name))?;
        self.field(i)
    }

    /// Pairs of (name, value); fields without a known name are called `fN`.
    pub fn named_fields(&self) -> impl Iterator<Item = (std::borrow::Cow<'_, str>, &[u8])> + '_ {
        let names = self.names();
        self.fields().enumerate().map(move |(i, v)| {
            let name = match names {
                Some(n) => std::borrow::Cow::Borrowed(n[i].as_str()),
                None => std::borrow::Cow::Owned(format!("f{i}")),
            };
            (name, v)
        })
    }

    /// Appends `seps`' first separator, the first field's bytes, the second
    /// separator, the second field, and so on, for as many fields as both
    /// have: the fields as they are on the wire (no unquoting beyond the
    /// field's bounds, no escaping), between constant pieces such as the
    /// JSON keys of a field list. Short pieces are copied 16 bytes at a
    /// time rather than through a call to `memcpy` each, which is most of
    /// the cost of writing a frame as JSON.
    pub fn interleave_into(&self, out: &mut Vec<u8>, seps: &Separators) {
        let n = self.len().min(seps.spans.len());
        let start = out.len();
        // Room for everything, with 16 bytes to spare for the last short
        // copy: the fields together are at most the line.
        out.resize(start + seps.total + self.line_len as usize + 16, 0);
        let dst = &mut out[start..];
        let mut pos = 0;
        for i in 0..n {
            let (at, len) = seps.spans[i];
            pos = copy_short(dst, pos, &seps.bytes, at as usize, len as usize);
            let s = self.line_len as usize + 8 * i;
            let s = &self.data[s..s + 8];
            let from = u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize;
            let to = u32::from_le_bytes([s[4], s[5], s[6], s[7]]) as usize;
            pos = copy_short(dst, pos, &self.data, from, to - from);
        }
        out.truncate(start + pos);
    }
}

/// The start and end of one encoded span (two LE `u32`s).
#[inline(always)]
fn span_range(s: &[u8]) -> Range<usize> {
    let start = u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize;
    let end = u32::from_le_bytes([s[4], s[5], s[6], s[7]]) as usize;
    start..end
}

/// Constant pieces to write between a frame's fields, kept ready for
/// [`Frame::interleave_into`].
#[derive(Debug, Clone, Default)]
pub struct Separators {
    /// The pieces, one after the other, then 16 zero bytes.
    bytes: Vec<u8>,
    /// Start and length of each piece in `bytes`.
    spans: Vec<(u32, u32)>,
    /// Length of all the pieces together.
    total: usize,
}

impl Separators {
    /// The pieces, in order: the first goes before the first field.
    pub fn new<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> Separators {
        let mut bytes = Vec::new();
        let mut spans = Vec::new();
        for p in pieces {
            spans.push((bytes.len() as u32, p.len() as u32));
            bytes.extend_from_slice(p);
        }
        let total = bytes.len();
        bytes.extend_from_slice(&[0; 16]);
        Separators {
            bytes,
            spans,
            total,
        }
    }

    /// The piece before field `i`.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let &(at, len) = self.spans.get(i)?;
        Some(&self.bytes[at as usize..(at + len) as usize])
    }

    /// How many pieces.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Length of all the pieces together.
    pub fn total_len(&self) -> usize {
        self.total
    }
}

/// Copies `src[at..at + len]` to `dst[pos..]` and returns the position
/// after it. A piece of 16 bytes or less is copied as 16 bytes (a fixed
/// size the compiler turns into one move) when both sides have them; the
/// bytes past `len` are overwritten by the next piece or cut off.
#[inline(always)]
fn copy_short(dst: &mut [u8], pos: usize, src: &[u8], at: usize, len: usize) -> usize {
    if len <= 16 && at + 16 <= src.len() && pos + 16 <= dst.len() {
        dst[pos..pos + 16].copy_from_slice(&src[at..at + 16]);
    } else {
        dst[pos..pos + len].copy_from_slice(&src[at..at + len]);
    }
    pos + len
}

/// The protocol name of a `*HEADER: ...` line, read without parsing the
/// fields (to count a line that will not be parsed); `None` when the line
/// does not start like a server line.
///
/// # Examples
/// ```
/// assert_eq!(kismet_protocol::line_protocol(b"*SSID: 1 2 "), Some(&b"SSID"[..]));
/// assert_eq!(kismet_protocol::line_protocol(b"SSID: 1"), None);
/// ```
pub fn line_protocol(line: &[u8]) -> Option<&[u8]> {
    header_end(line).ok().map(|colon| &line[1..colon])
}

/// Where the header of `*HEADER:` ends (the index of the `:`), after
/// checking that it is a plain ASCII name of at most 16 characters.
///
/// # Errors
/// [`ParseError::Empty`], [`ParseError::NoStar`], [`ParseError::NoColon`] or
/// [`ParseError::BadHeader`].
fn header_end(line: &[u8]) -> Result<usize, ParseError> {
    if line.is_empty() {
        return Err(ParseError::Empty);
    }
    if line[0] != b'*' {
        return Err(ParseError::NoStar);
    }
    let colon = line
        .iter()
        .take(MAX_HEADER_LEN + 2)
        .position(|&b| b == b':')
        .ok_or(ParseError::NoColon)?;
    let header = &line[1..colon];
    if header.is_empty()
        || header.len() > MAX_HEADER_LEN
        || !header
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return Err(ParseError::BadHeader);
    }
    Ok(colon)
}

/// Parses a line: returns the header end and the number of fields, and
/// appends each field's start and end (LE `u32`s) to `spans`. The core of
/// [`Frame::parse`]; it allocates nothing itself.
fn parse_spans(line: &[u8], spans: &mut Vec<u8>) -> Result<(usize, usize), ParseError> {
    let base = spans.len();
    let colon = header_end(line)?;
    let header = &line[1..colon];
    // ": " then the payload; a bare ":" at the very end is an empty payload.
    let start = match line.get(colon + 1) {
        None => return Ok((colon, 0)),
        Some(b' ') => colon + 2,
        Some(_) => return Err(ParseError::NoColon),
    };
    if is_payload_protocol(header) {
        // One payload, no trailing space on the wire; tolerate one anyway.
        let mut end = line.len();
        if header != b"TERMINATE" && end > start && line[end - 1] == b' ' {
            end -= 1;
        }
        push_span(spans, start, end);
        return Ok((colon, 1));
    }
    let payload = &line[start..];
    let mut pos = 0;
    while pos < payload.len() {
        if payload[pos] == QUOTE {
            let close = memchr::memchr(QUOTE, &payload[pos + 1..])
                .map(|p| pos + 1 + p)
                .ok_or(ParseError::Unterminated {
                    offset: start + pos,
                })?;
            push_span(spans, start + pos + 1, start + close);
            pos = close + 1;
            match payload.get(pos) {
                None => break,
                Some(b' ') => pos += 1,
                Some(_) => {
                    return Err(ParseError::JunkAfterQuote {
                        offset: start + pos,
                    })
                }
            }
        } else {
            let end = find_space(payload, pos);
            push_span(spans, start + pos, start + end);
            // Skip exactly one space: a second one starts an empty field.
            pos = end + 1;
        }
    }
    Ok((colon, (spans.len() - base) / 8))
}

/// Appends one field's start and end as two little-endian `u32`s.
#[inline(always)]
fn push_span(spans: &mut Vec<u8>, start: usize, end: usize) {
    let (s, e) = ((start as u32).to_le_bytes(), (end as u32).to_le_bytes());
    spans.extend_from_slice(&[s[0], s[1], s[2], s[3], e[0], e[1], e[2], e[3]]);
}

/// Number of spaces in `bytes`, counted in chunks of 255 with byte-wide
/// counters so the compiler vectorises it.
fn count_spaces(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|c| c.iter().fold(0u8, |n, &b| n + u8::from(b == b' ')) as usize)
        .sum()
}

/// Index of the first space in `hay` at or after `from`, or `hay.len()`.
/// Bare fields are short (numbers, MACs): eight bytes at a time in a `u64`
/// (SWAR) finds most of them in one step, where a SIMD search costs more to
/// set up than it saves.
#[inline]
fn find_space(hay: &[u8], from: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const SPACES: u64 = LO * b' ' as u64;
    let mut i = from;
    while let Some(chunk) = hay.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word) ^ SPACES;
        // A zero byte of x is a space; the lowest flagged byte is exact.
        let zero = x.wrapping_sub(LO) & !x & HI;
        if zero != 0 {
            return i + (zero.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    hay[i.min(hay.len())..]
        .iter()
        .position(|&b| b == b' ')
        .map_or(hay.len(), |p| i + p)
}

/// A field value to encode: quoted strings may hold spaces, bare ones not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValue<'a> {
    /// Written as is (numbers, MACs, lists); must not contain a space.
    Bare(&'a [u8]),
    /// Written wrapped in `\x01`.
    Quoted(&'a [u8]),
}

/// Encodes a server line, `*HEADER: ` then each field and one space, `\n`.
///
/// Payload protocols (`TIME`, `PROTOCOLS`, `CAPABILITY`, `TERMINATE`) are
/// written with their single payload and no trailing space. Bytes that the
/// wire cannot carry (`\n`, and `\x01` inside a quoted value, a space in a
/// bare one) are the caller's to avoid; they are replaced by `?` so that one
/// field can never become two lines.
pub fn encode_line(protocol: &str, fields: &[FieldValue<'_>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + fields.len() * 8);
    encode_line_into(&mut out, protocol, fields);
    out
}

/// Like [`encode_line`], appending to `out`.
pub fn encode_line_into(out: &mut Vec<u8>, protocol: &str, fields: &[FieldValue<'_>]) {
    out.push(b'*');
    out.extend_from_slice(protocol.as_bytes());
    out.extend_from_slice(b": ");
    let push_clean = |out: &mut Vec<u8>, v: &[u8], bad: &[u8]| {
        out.extend(v.iter().map(|b| if bad.contains(b) { b'?' } else { *b }));
    };
    if is_payload_protocol(protocol.as_bytes()) {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            let (FieldValue::Bare(v) | FieldValue::Quoted(v)) = f;
            push_clean(out, v, b"\n");
        }
    } else {
        for f in fields {
            match f {
                FieldValue::Bare(v) => {
                    let v = if v.first() == Some(&QUOTE) {
                        &v[1..]
                    } else {
                        v
                    };
                    push_clean(out, v, b"\n \x01");
                }
                FieldValue::Quoted(v) => {
                    out.push(QUOTE);
                    push_clean(out, v, b"\n\x01");
                    out.push(QUOTE);
                }
            }
            out.push(b' ');
        }
    }
    out.push(b'\n');
}

/// Splits a `CAPABILITY` payload (`GPS lat,lon,...`) into the protocol name
/// and its field names.
pub fn parse_capability(payload: &[u8]) -> Option<(String, Vec<String>)> {
    let text = std::str::from_utf8(payload).ok()?;
    let (proto, list) = text.split_once(' ').unwrap_or((text, ""));
    if proto.is_empty() {
        return None;
    }
    let fields = list
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect();
    Some((proto.to_string(), fields))
}

/// Splits a `PROTOCOLS` payload (comma list) into protocol names.
pub fn parse_protocol_list(payload: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(payload)
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &[u8]) -> Vec<Vec<u8>> {
        Frame::parse(line)
            .unwrap()
            .fields()
            .map(<[u8]>::to_vec)
            .collect()
    }

    fn v(items: &[&[u8]]) -> Vec<Vec<u8>> {
        items.iter().map(|s| s.to_vec()).collect()
    }

    /// Each field comes back quoted or bare as it was written, empty ones
    /// and payloads included, so re-encoding a line gives the same bytes.
    #[test]
    fn values_keep_their_quoting() {
        let line = b"*CLIENT: \x01\x01 a  \x01 \x01 \x01x y\x01 ";
        let f = Frame::parse(line).unwrap();
        let vals: Vec<FieldValue<'_>> = (0..f.len()).map(|i| f.value(i).unwrap()).collect();
        assert_eq!(
            vals,
            [
                FieldValue::Quoted(b""),
                FieldValue::Bare(b"a"),
                FieldValue::Bare(b""),
                FieldValue::Quoted(b" "),
                FieldValue::Quoted(b"x y"),
            ]
        );
        assert_eq!(f.value(5), None);
        let mut out = Vec::new();
        encode_line_into(&mut out, f.protocol(), &vals);
        assert_eq!(out, [&line[..], b"\n"].concat());
        let t = Frame::parse(b"*TERMINATE: Kismet server terminating.").unwrap();
        assert_eq!(
            t.value(0),
            Some(FieldValue::Bare(b"Kismet server terminating."))
        );
    }

    /// Every quirk of docs/PROTOCOL.md, as a byte-literal table.
    #[test]
    fn quirk_table() {
        type Case<'a> = (&'a [u8], &'a str, Vec<Vec<u8>>);
        let cases: &[Case] = &[
            // Each field followed by exactly one space.
            (
                b"*SSID: \x01HomeNet\x01 00:14:6C:A1:00:01 ",
                "SSID",
                v(&[b"HomeNet", b"00:14:6C:A1:00:01"]),
            ),
            // Quoted strings hold spaces.
            (
                b"*SSID: \x01Coffee Shop Free WiFi\x01 00:18:E7:B2:00:02 ",
                "SSID",
                v(&[b"Coffee Shop Free WiFi", b"00:18:E7:B2:00:02"]),
            ),
            // Empty quoted string and a lone-space string.
            (b"*SSID: \x01\x01 \x01 \x01 ", "SSID", v(&[b"", b" "])),
            // Two spaces in a row: an empty bare field is kept.
            (b"*CLIENT: a  b ", "CLIENT", v(&[b"a", b"", b"b"])),
            // Payload protocols: no trailing space, the rest is one field.
            (b"*TIME: 1795678127", "TIME", v(&[b"1795678127"])),
            (
                b"*TERMINATE: Kismet server terminating.",
                "TERMINATE",
                v(&[b"Kismet server terminating."]),
            ),
            (
                b"*CAPABILITY: GPS lat,lon,alt",
                "CAPABILITY",
                v(&[b"GPS lat,lon,alt"]),
            ),
            (
                b"*PROTOCOLS: KISMET,ERROR,ACK",
                "PROTOCOLS",
                v(&[b"KISMET,ERROR,ACK"]),
            ),
            // ACK / ERROR.
            (b"*ACK: 1 \x01OK\x01 ", "ACK", v(&[b"1", b"OK"])),
            (
                b"*ERROR: 4 \x01Unknown protocol: 'BOGUS'\x01 ",
                "ERROR",
                v(&[b"4", b"Unknown protocol: 'BOGUS'"]),
            ),
            // Octal-escaped SSID stays raw in the frame.
            (
                b"*SSID: \x01Caf\\303\\251 \\342\\230\\225\x01 00:24:01:D4:00:04 ",
                "SSID",
                v(&[b"Caf\\303\\251 \\342\\230\\225", b"00:24:01:D4:00:04"]),
            ),
            // KISMET greeting with an empty dumpfiles string.
            (
                b"*KISMET: 0.0.0 1795678119 \x01Kismet Legacy Test\x01 \x01\x01 0 ",
                "KISMET",
                v(&[b"0.0.0", b"1795678119", b"Kismet Legacy Test", b"", b"0"]),
            ),
            // Non-UTF-8 bytes are kept as they are.
            (
                b"*STATUS: \x01\xff\xfe\x1b[2J\x01 4 ",
                "STATUS",
                v(&[b"\xff\xfe\x1b[2J", b"4"]),
            ),
            // A header with no fields at all.
            (b"*INFO: ", "INFO", v(&[])),
            (b"*INFO:", "INFO", v(&[])),
            // Lenient: last field without its trailing space.
            (
                b"*BATTERY: 0 0 1 0",
                "BATTERY",
                v(&[b"0", b"0", b"1", b"0"]),
            ),
        ];
        for (line, proto, want) in cases {
            let f = Frame::parse(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
            assert_eq!(f.protocol(), *proto, "{line:?}");
            assert_eq!(&fields(line), want, "{line:?}");
        }
    }

    /// Malformed lines give a typed error, never a panic.
    #[test]
    fn malformed_table() {
        let cases: &[(&[u8], ParseError)] = &[
            (b"", ParseError::Empty),
            (b"SSID: x ", ParseError::NoStar),
            (b"*SSID x ", ParseError::NoColon),
            (b"*SSID:x ", ParseError::NoColon),
            (b"*: x ", ParseError::BadHeader),
            (b"*SS ID: x ", ParseError::BadHeader),
            (b"*\x1b[2J: x ", ParseError::BadHeader),
            (b"*ABCDEFGHIJKLMNOPQ: x ", ParseError::NoColon),
            (b"*SSID: \x01abc ", ParseError::Unterminated { offset: 7 }),
            (
                b"*SSID: \x01abc\x01def ",
                ParseError::JunkAfterQuote { offset: 12 },
            ),
        ];
        for (line, want) in cases {
            assert_eq!(Frame::parse(line).unwrap_err(), *want, "{line:?}");
        }
    }

    /// Names attach to fields only when the counts agree.
    #[test]
    fn names_must_match_field_count() {
        let names: Arc<[String]> = vec!["ssid".to_string(), "mac".to_string()].into();
        let f = Frame::parse(b"*SSID: \x01x\x01 m ")
            .unwrap()
            .with_names(Some(names.clone()));
        assert_eq!(f.get("MAC"), Some(&b"m"[..]));
        let g = Frame::parse(b"*SSID: m ").unwrap().with_names(Some(names));
        assert_eq!(g.get("mac"), None);
        assert_eq!(g.named_fields().next().unwrap().0, "f0");
    }

    /// A projected frame keeps the first fields and the line up to them, as
    /// the server would have sent it for those fields alone.
    #[test]
    fn projection_cuts_fields_and_line() {
        let names: Arc<[String]> = vec!["ssid".to_string()].into();
        let f = Frame::parse(b"*SSID: \x01Home Net\x01 00:11 7 ").unwrap();
        let p = f.clone().project(1, Some(names.clone()));
        assert_eq!(p.len(), 1);
        assert_eq!(p.raw(), b"*SSID: \x01Home Net\x01 ");
        assert_eq!(p.get("ssid"), Some(&b"Home Net"[..]));
        assert_eq!(Frame::parse(p.raw()).unwrap().fields().count(), 1);
        let p = f.clone().project(2, None);
        assert_eq!(p.raw(), b"*SSID: \x01Home Net\x01 00:11 ");
        assert_eq!(f.clone().project(0, None).raw(), b"*SSID: ");
        assert_eq!(f.clone().project(9, None).raw(), f.raw());
        let e = Frame::parse(b"*CLIENT: a  b ").unwrap().project(2, None);
        assert_eq!(e.raw(), b"*CLIENT: a  ");
    }

    /// The encoder writes what the parser reads back.
    #[test]
    fn encode_examples() {
        assert_eq!(
            encode_line(
                "SSID",
                &[FieldValue::Quoted(b"a b"), FieldValue::Bare(b"00:11")]
            ),
            b"*SSID: \x01a b\x01 00:11 \n"
        );
        assert_eq!(
            encode_line("TIME", &[FieldValue::Bare(b"17")]),
            b"*TIME: 17\n"
        );
        assert_eq!(
            encode_line(
                "CLIENT",
                &[
                    FieldValue::Bare(b"a"),
                    FieldValue::Bare(b""),
                    FieldValue::Bare(b"b")
                ]
            ),
            b"*CLIENT: a  b \n"
        );
    }

    /// The word-at-a-time space search agrees with a plain one everywhere.
    #[test]
    fn find_space_agrees() {
        let hay = b"a bc  defghijklmnopq r\x20\xa0\x00 xyz";
        for from in 0..=hay.len() {
            let want = hay[from..]
                .iter()
                .position(|&b| b == b' ')
                .map_or(hay.len(), |p| from + p);
            assert_eq!(find_space(hay, from), want, "{from}");
        }
        assert_eq!(count_spaces(&[b' '; 1000]), 1000);
        assert_eq!(
            count_spaces(hay),
            hay.iter().filter(|&&b| b == b' ').count()
        );
    }

    /// CAPABILITY and PROTOCOLS payloads split into names.
    #[test]
    fn capability_payloads() {
        let (p, f) = parse_capability(b"GPS lat,lon,alt").unwrap();
        assert_eq!(p, "GPS");
        assert_eq!(f, ["lat", "lon", "alt"]);
        assert_eq!(parse_protocol_list(b"A,B,,C"), ["A", "B", "C"]);
        assert!(parse_capability(b"").is_none());
    }
}
