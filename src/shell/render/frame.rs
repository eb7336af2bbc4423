//! One frame as a text line or a JSON object: the hot path of the
//! scrolling output and of `--format json`.

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use kismet_protocol::decode::FieldDecoder;
use kismet_protocol::spec::{is_payload_protocol, QUOTE};
use kismet_protocol::{text, Frame};

use super::time::LocalTimes;

/// True for fields that hold an SSID (octal escapes decoded for display).
fn is_ssid_field(protocol: &str, name: &str) -> bool {
    name == "ssid" && (protocol == "SSID" || protocol == "PACKET")
}

/// Whether a value is shown quoted: when empty or holding a space, `"` or
/// `=`. All bytes looked at, with no branch (the compiler vectorises it).
fn needs_quotes(s: &str) -> bool {
    s.is_empty()
        | s.bytes()
            .fold(false, |found, b| found | matches!(b, b' ' | b'"' | b'='))
}

/// How frames are written as text lines.
///
/// The hot path of the default output: the constant parts of each field
/// list (` name=` before each value, which values are decoded or are
/// SSIDs) are worked out once per list and reused for every frame with it
/// (looked up by pointer). A line of printable ASCII with no `"` or `\`
/// (the common case: nothing to escape, no octal SSID escape) is built as
/// bytes, each key and value copied in one fixed-size move where short
/// (see [`put`]), and checked as text once; the few decoded values of a
/// frame are worked out first, into one reused `String`, and copied in
/// the same way.
#[derive(Debug, Clone, Default)]
pub struct TextLines {
    /// Prefix each line with its receive time, `HH:MM:SS.mmm`.
    pub timestamps: bool,
    /// Show decoded values (see [`decoded_value`]) instead of the wire's.
    pub decode: bool,
    /// The last receive time formatted, and its text (frames of one read
    /// share it).
    clock: (u64, String),
    layouts: Vec<TextLayout>,
    /// Receive times and decoded times in the local zone, read when the
    /// first is shown.
    times: Option<LocalTimes>,
    /// The frame's decoded values as shown (quoted where needed), one
    /// after the other.
    decoded: String,
    /// For each value in `decoded`, in field order: its field's index and
    /// where it ends in `decoded`.
    decoded_ends: Vec<(usize, usize)>,
    /// A plain line being built. Its length only grows (no zeroing per
    /// line): past the line are bytes of earlier ones.
    line: Vec<u8>,
    /// A value being escaped or decoded.
    scratch: String,
}

/// The constant parts of the text lines of one protocol's frames.
#[derive(Debug, Clone)]
struct TextLayout {
    names: Arc<[String]>,
    protocol: String,
    /// ` name=` before each field, each between two `"`, one after the
    /// other, then [`SLACK`] spaces: a key is copied with the quote that
    /// closes the value before it and the one that opens its own, when
    /// they are quoted, in one piece.
    keys: String,
    /// Where each field's ` name=` starts and ends in `keys`.
    key_spans: Vec<(usize, usize)>,
    /// Whether each field is an SSID (octal escapes decoded).
    ssid: Vec<bool>,
    /// The fields decoded when values are, in order, and how.
    decoders: Vec<(usize, Decoder)>,
    /// The protocol's one field is a payload, which may hold spaces
    /// unquoted (`TIME`, `PROTOCOLS`, ...).
    payload: bool,
}

/// How a field's value is decoded ([`decoded_value`]): a coded field by
/// [`FieldDecoder`] (the names filters compare too), a time as local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoder {
    /// A type code or cipher set, by name.
    Coded(FieldDecoder),
    /// Epoch seconds, as local time.
    Time,
}

/// Bytes copied at once by [`put`], and so the room kept past a piece.
const SLACK: usize = 16;

impl TextLayout {
    fn new(protocol: &str, names: Arc<[String]>) -> TextLayout {
        let mut keys = String::new();
        let key_spans = names
            .iter()
            .map(|n| {
                keys.push('"');
                let start = keys.len();
                let _ = write!(keys, " {n}=");
                let end = keys.len();
                keys.push('"');
                (start, end)
            })
            .collect();
        keys.push_str(&" ".repeat(SLACK));
        let ssid = names.iter().map(|n| is_ssid_field(protocol, n)).collect();
        let decoders = names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((i, Decoder::of(protocol, n)?)))
            .collect();
        TextLayout {
            names,
            protocol: protocol.to_string(),
            keys,
            key_spans,
            ssid,
            decoders,
            payload: is_payload_protocol(protocol.as_bytes()),
        }
    }

    /// ` name=` before field `i`.
    fn key(&self, i: usize) -> &str {
        let (start, end) = self.key_spans[i];
        &self.keys[start..end]
    }
}

impl Decoder {
    /// How `protocol`'s field `name` is decoded, if it is.
    fn of(protocol: &str, name: &str) -> Option<Decoder> {
        if let Some(d) = FieldDecoder::for_field(protocol, name) {
            return Some(Decoder::Coded(d));
        }
        match (protocol, name) {
            (_, "firsttime" | "lasttime" | "starttime" | "timesec") | ("ALERT", "sec") => {
                Some(Decoder::Time)
            }
            _ => None,
        }
    }

    /// Appends the value `raw` decoded, as [`decoded_value`] gives it;
    /// `None` (and nothing appended) when it does not parse. Times are
    /// shown through `times`, made on first use.
    fn push(self, out: &mut String, raw: &[u8], times: &mut Option<LocalTimes>) -> Option<()> {
        use kismet_protocol::decode;
        match self {
            Decoder::Coded(FieldDecoder::CryptSet) => {
                let set = decode::Encryption::from_cryptset(decode::parse_u64(raw)?);
                for (i, part) in set.shown_parts().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(part);
                }
            }
            Decoder::Coded(FieldDecoder::NetworkType) => {
                decode::push_type_name(out, &decode::NETWORK_TYPES, decode::parse_u32(raw)?);
            }
            Decoder::Coded(FieldDecoder::ClientType) => {
                decode::push_type_name(out, &decode::CLIENT_TYPES, decode::parse_u32(raw)?);
            }
            Decoder::Coded(FieldDecoder::SsidType) => {
                decode::push_type_name(out, &decode::SSID_TYPES, decode::parse_u32(raw)?);
            }
            Decoder::Time => {
                let t = decode::parse_epoch(raw)?;
                times.get_or_insert_with(LocalTimes::system).push(out, t);
            }
        }
        Some(())
    }
}

impl TextLines {
    /// Lines with or without their receive time, with wire values.
    pub fn new(timestamps: bool) -> TextLines {
        TextLines {
            timestamps,
            ..TextLines::default()
        }
    }

    /// Lines as the settings say: receive times, decoded values.
    pub fn with(timestamps: bool, decode: bool) -> TextLines {
        TextLines {
            decode,
            ..TextLines::new(timestamps)
        }
    }

    /// Appends one frame as a text line (no newline).
    pub fn write(&mut self, out: &mut String, frame: &Frame) {
        if self.timestamps {
            self.push_clock(out, frame);
        }
        let Some(names) = frame.names_arc() else {
            if self.decode {
                frame_text_decoded(out, frame);
            } else {
                frame_text(out, frame);
            }
            return;
        };
        let i = self.layout(frame.protocol(), names);
        self.decode_values(i, frame);
        if !self.push_plain(out, i, frame) {
            self.push_escaped(out, i, frame);
        }
    }

    /// Appends the frame's receive time and a space, when known.
    fn push_clock(&mut self, out: &mut String, frame: &Frame) {
        let Some(ms) = frame.received_ms() else {
            return;
        };
        if self.clock.0 != ms {
            let zone = self.times.get_or_insert_with(LocalTimes::system).zone();
            self.clock = (ms, super::time::clock_text_in(ms, zone));
        }
        out.push_str(&self.clock.1);
        out.push(' ');
    }

    /// Works out the decoded values of the frame, with layout `i`, when
    /// values are decoded (into `decoded`, as they are shown).
    fn decode_values(&mut self, i: usize, frame: &Frame) {
        self.decoded.clear();
        self.decoded_ends.clear();
        if !self.decode {
            return;
        }
        for &(field, decoder) in &self.layouts[i].decoders {
            self.scratch.clear();
            let Some(raw) = frame.field(field) else {
                continue;
            };
            if decoder
                .push(&mut self.scratch, raw, &mut self.times)
                .is_some()
            {
                push_value(&mut self.decoded, &self.scratch);
                self.decoded_ends.push((field, self.decoded.len()));
            }
        }
    }

    /// Appends the line of a frame (with layout `i`) whose values need no
    /// escaping, built as bytes; false, and nothing appended, for any
    /// other frame.
    ///
    /// In such a line a value is shown as it is, quoted when it is empty
    /// or holds a space or `=` (never a `"`): a bare field holds no space
    /// (a payload may), and `=` is looked for only when the line has one,
    /// so most values are copied unlooked at. A `\x01` must be a quote
    /// around a field: one inside a field (escaped when shown) is found
    /// by counting them.
    fn push_plain(&mut self, out: &mut String, i: usize, frame: &Frame) -> bool {
        let line = frame.raw();
        if !text::line_is_json_plain(line) {
            return false;
        }
        let layout = &self.layouts[i];
        let (quotes, equals) = count_quotes_and_equals(line);
        let look_all = layout.payload || equals > 0;
        let room = layout.protocol.len()
            + layout.keys.len()
            + line.len()
            + 2 * frame.len()
            + self.decoded.len()
            + SLACK;
        if self.line.len() < room {
            self.line.resize(room, 0);
        }
        let (buffer, dst) = (frame.buffer(), self.line.as_mut_slice());
        let keys = layout.keys.as_bytes();
        let mut decoded = DecodedValues::new(&self.decoded_ends);
        let mut pos = put(dst, 0, layout.protocol.as_bytes(), layout.protocol.len());
        let mut quoted_fields = 0;
        // 1 when the value before is quoted: its closing quote goes first.
        let mut close = 0;
        for (field, (at, &(k, k_end))) in frame.field_ranges().zip(&layout.key_spans).enumerate() {
            let quoted = at.start > 0 && buffer[at.start - 1] == QUOTE;
            quoted_fields += usize::from(quoted);
            if let Some(d) = decoded.take(field) {
                // Shown as it is: quoted already where needed.
                pos = put(dst, pos, &keys[k - close..], k_end - k + close);
                pos = put(dst, pos, &self.decoded.as_bytes()[d.start..], d.len());
                close = 0;
                continue;
            }
            let value = &buffer[at.clone()];
            let open = usize::from(plain_needs_quotes(
                &buffer[at.start..],
                value.len(),
                quoted || look_all,
            ));
            pos = put(dst, pos, &keys[k - close..], k_end - k + close + open);
            pos = put(dst, pos, &buffer[at.start..], value.len());
            close = open;
        }
        pos = put(dst, pos, b"\"", close);
        if quotes != 2 * quoted_fields {
            return false;
        }
        match std::str::from_utf8(&self.line[..pos]) {
            Ok(text) => {
                out.push_str(text);
                true
            }
            Err(_) => false,
        }
    }

    /// Appends the line of a frame (with layout `i`) value by value, each
    /// escaped as [`frame_text`] does.
    fn push_escaped(&mut self, out: &mut String, i: usize, frame: &Frame) {
        let layout = &self.layouts[i];
        out.push_str(&layout.protocol);
        let mut decoded = DecodedValues::new(&self.decoded_ends);
        for (field, (raw, &ssid)) in frame.fields().zip(&layout.ssid).enumerate() {
            out.push_str(layout.key(field));
            if let Some(d) = decoded.take(field) {
                out.push_str(&self.decoded[d]);
                continue;
            }
            self.scratch.clear();
            shown_value_into(&mut self.scratch, ssid, raw);
            push_value(out, &self.scratch);
        }
    }

    /// The index of the layout of `protocol` frames named `names`, made
    /// when new.
    fn layout(&mut self, protocol: &str, names: &Arc<[String]>) -> usize {
        if let Some(i) = self
            .layouts
            .iter()
            .position(|l| Arc::ptr_eq(&l.names, names) && l.protocol == protocol)
        {
            return i;
        }
        if self.layouts.len() >= MAX_LAYOUTS {
            self.layouts.clear();
        }
        self.layouts.push(TextLayout::new(protocol, names.clone()));
        self.layouts.len() - 1
    }
}

/// The decoded values of a frame, taken in field order.
struct DecodedValues<'a> {
    /// Each value's field and end (see [`TextLines::decoded_ends`]).
    ends: std::slice::Iter<'a, (usize, usize)>,
    /// Where the next value starts.
    start: usize,
}

impl<'a> DecodedValues<'a> {
    fn new(ends: &'a [(usize, usize)]) -> DecodedValues<'a> {
        DecodedValues {
            ends: ends.iter(),
            start: 0,
        }
    }

    /// Where field `field`'s decoded value is, when the next one is its
    /// (fields are asked for in order).
    fn take(&mut self, field: usize) -> Option<Range<usize>> {
        let &(f, end) = self.ends.as_slice().first()?;
        if f != field {
            return None;
        }
        self.ends.next();
        let at = self.start..end;
        self.start = end;
        Some(at)
    }
}

/// Copies the first `len` bytes of `src` to `dst` at `pos` and returns the
/// position after them. A piece of [`SLACK`] bytes or less is copied as
/// that many (one move of a fixed size, where a call to `memcpy` per piece
/// was most of the cost of a line) when `src` and `dst` have them; the
/// bytes past `len` are overwritten by the next piece or left past the
/// line's end.
#[inline(always)]
fn put(dst: &mut [u8], pos: usize, src: &[u8], len: usize) -> usize {
    if len <= SLACK && src.len() >= SLACK && pos + SLACK <= dst.len() {
        dst[pos..pos + SLACK].copy_from_slice(&src[..SLACK]);
    } else {
        dst[pos..pos + len].copy_from_slice(&src[..len]);
    }
    pos + len
}

/// Whether a value of a plain line (see [`TextLines::push_plain`]), the
/// first `len` bytes of `src`, is shown quoted: when empty, or when it
/// holds a space or `=`, which it can only where `may_hold` them.
#[inline(always)]
fn plain_needs_quotes(src: &[u8], len: usize, may_hold: bool) -> bool {
    if len == 0 {
        return true;
    }
    if !may_hold {
        return false;
    }
    match src.first_chunk::<SLACK>() {
        Some(chunk) if len <= SLACK => space_or_eq_in(chunk, len),
        _ => src[..len].iter().any(|&b| b == b' ' || b == b'='),
    }
}

/// Whether the first `len` bytes of `chunk` hold a space or `=`, all
/// bytes looked at at once in a `u128` (SWAR), with no branch to
/// mispredict (a loop over a few bytes of each quoted value cost more
/// than the rest of its field): a byte equal to `c` is a zero byte of
/// `word ^ c...c`, found by the borrow of a subtraction.
#[inline(always)]
fn space_or_eq_in(chunk: &[u8; SLACK], len: usize) -> bool {
    const LO: u128 = u128::MAX / 255;
    const HI: u128 = LO << 7;
    let word = u128::from_le_bytes(*chunk);
    let zero_byte = |x: u128| x.wrapping_sub(LO) & !x & HI;
    let hits =
        zero_byte(word ^ (LO * u128::from(b' '))) | zero_byte(word ^ (LO * u128::from(b'=')));
    // A false hit is only ever above a true one: past `len`, cut off.
    let first_len = u128::MAX.checked_shr(128 - 8 * len as u32).unwrap_or(0);
    hits & first_len != 0
}

/// How many `\x01` and `=` a line holds, counted in one pass, in chunks
/// of 255 with byte-wide counters so the compiler vectorises it.
fn count_quotes_and_equals(line: &[u8]) -> (usize, usize) {
    line.chunks(255)
        .map(|c| {
            c.iter().fold((0u8, 0u8), |(q, e), &b| {
                (q + u8::from(b == QUOTE), e + u8::from(b == b'='))
            })
        })
        .fold((0, 0), |(q, e), (cq, ce)| {
            (q + cq as usize, e + ce as usize)
        })
}

/// True when every `\x01` of the frame's line is a quote around a field
/// (a `\x01` inside a bare field or a payload must be escaped).
fn quotes_only_delimit(frame: &Frame) -> bool {
    let (quotes, _) = count_quotes_and_equals(frame.raw());
    if quotes == 0 {
        return true;
    }
    let buffer = frame.buffer();
    let quoted = frame
        .field_ranges()
        .filter(|at| at.start > 0 && buffer[at.start - 1] == QUOTE)
        .count();
    quotes == 2 * quoted
}

/// A value, quoted when it is empty or holds a space, `"` or `=` (a `"`
/// inside escaped as `\"`).
fn push_value(out: &mut String, value: &str) {
    if needs_quotes(value) {
        out.push('"');
        // All bytes looked at, with no branch (the compiler vectorises
        // it): values are short, and `contains` goes through a `memchr`
        // call that cost more than the rest of a decoded value.
        if value.bytes().fold(false, |quote, b| quote | (b == b'"')) {
            out.push_str(&value.replace('"', "\\\""));
        } else {
            out.push_str(value);
        }
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// A field's value decoded from the server's own definitions, when it is
/// one that has a meaning beyond its digits: cipher sets as `WPA2 CCMP
/// PSK`, type codes as names, epoch times as local time. `None` for every
/// other field (and for values that do not parse).
///
/// The plain way, a `String` per value: [`TextLines`] writes the same
/// into one it reuses.
pub fn decoded_value(protocol: &str, name: &str, raw: &[u8]) -> Option<String> {
    use kismet_protocol::decode;
    match Decoder::of(protocol, name)? {
        Decoder::Coded(d) => d.decode(raw).map(std::borrow::Cow::into_owned),
        Decoder::Time => Some(super::time::local_text(decode::parse_epoch(raw)?)),
    }
}

/// A field's value as text, safe to print: SSIDs decoded from their octal
/// escapes, every control character shown escaped.
pub fn field_value(protocol: &str, name: &str, raw: &[u8]) -> String {
    let mut value = String::with_capacity(raw.len());
    shown_value_into(&mut value, is_ssid_field(protocol, name), raw);
    value
}

/// Appends a field's value safe to print, its octal escapes decoded when
/// it is an SSID.
fn shown_value_into(out: &mut String, ssid: bool, raw: &[u8]) {
    if ssid {
        text::display_into(out, &text::ssid_bytes(raw));
    } else {
        text::display_into(out, raw);
    }
}

/// One frame as a text line: `SSID ssid="Coffee Shop" mac=00:18:E7:B2:00:02`.
pub fn frame_text(out: &mut String, frame: &Frame) {
    frame_text_with(out, frame, |_, _, _| None);
}

/// [`frame_text`] with values decoded ([`decoded_value`]): what
/// [`TextLines`] writes when it decodes, the plain way.
pub fn frame_text_decoded(out: &mut String, frame: &Frame) {
    frame_text_with(out, frame, decoded_value);
}

/// [`frame_text`], with each value `decode` gives in place of the wire's.
fn frame_text_with(
    out: &mut String,
    frame: &Frame,
    decode: fn(&str, &str, &[u8]) -> Option<String>,
) {
    let proto = frame.protocol();
    out.push_str(proto);
    let mut value = String::new();
    for (name, raw) in frame.named_fields() {
        value.clear();
        match decode(proto, &name, raw) {
            Some(d) => value.push_str(&d),
            None => shown_value_into(&mut value, is_ssid_field(proto, &name), raw),
        }
        let _ = write!(out, " {name}=");
        push_value(out, &value);
    }
}

/// Whether a value of a numeric field is written as a JSON number: an
/// integer or a decimal as JSON spells them (`-44`, `37.769100`, `0`; not
/// `007`, `+1`, `1.`, `.5`, `1e3`, `nan`), so the bytes are copied as
/// they are and the line stays JSON. Anything else stays a string.
/// One pass, no allocation: it runs for every numeric field of a frame.
#[inline(always)]
fn is_json_number(v: &[u8]) -> bool {
    let digits_from = |mut i: usize| {
        while i < v.len() && v[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let start = usize::from(v.first() == Some(&b'-'));
    let end = digits_from(start);
    if end == start || (end - start > 1 && v[start] == b'0') {
        return false;
    }
    match v.get(end) {
        None => true,
        Some(b'.') => {
            let frac_end = digits_from(end + 1);
            frac_end > end + 1 && frac_end == v.len()
        }
        Some(_) => false,
    }
}

/// Appends the JSON value of a decoded field: a cipher set or type code
/// by name (as the text lines show it), a time as RFC 3339 UTC, `null`
/// when the value does not decode (a time of 0: not known).
fn push_decoded_json(out: &mut Vec<u8>, decoder: Decoder, raw: &[u8], scratch: &mut String) {
    use kismet_protocol::decode;
    if let Decoder::Time = decoder {
        let at = out.len();
        out.push(b'"');
        match decode::parse_epoch(raw) {
            Some(t) if super::time::push_rfc3339(out, t) => out.push(b'"'),
            _ => {
                out.truncate(at);
                out.extend_from_slice(b"null");
            }
        }
        return;
    }
    scratch.clear();
    let mut none = None;
    match decoder.push(scratch, raw, &mut none) {
        Some(()) => text::json_bytes(out, scratch.as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
}

/// One frame as a JSON object (no newline), appended as bytes, with the
/// server's values: the numeric fields (see
/// [`kismet_protocol::decode::is_numeric_field`]) as JSON numbers where
/// they read as one, the others as strings.
pub fn frame_json(out: &mut Vec<u8>, frame: &Frame) {
    frame_json_with(out, frame, false);
}

/// [`frame_json`], and with `decode` a `"decoded"` object after
/// `"fields"`: the decoded form of each field that has one (see
/// [`push_decoded_json`]); none when the frame has no such field. The
/// plain way of what [`FrameJson`] writes.
pub fn frame_json_with(out: &mut Vec<u8>, frame: &Frame, decode: bool) {
    use kismet_protocol::decode::is_numeric_field;
    let proto = frame.protocol();
    out.extend_from_slice(FRAME_TYPE);
    out.extend_from_slice(b"\"protocol\":");
    text::json_bytes(out, proto.as_bytes());
    out.extend_from_slice(b",\"fields\":{");
    for (i, (name, raw)) in frame.named_fields().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        text::json_bytes(out, name.as_bytes());
        out.push(b':');
        if is_ssid_field(proto, &name) {
            text::json_bytes(out, &text::ssid_bytes(raw));
        } else if is_numeric_field(proto, &name) && is_json_number(raw) {
            out.extend_from_slice(raw);
        } else {
            text::json_bytes(out, raw);
        }
    }
    out.push(b'}');
    if decode && frame.names().is_some() {
        let mut scratch = String::new();
        let mut first = true;
        for (name, raw) in frame.named_fields() {
            let Some(d) = Decoder::of(proto, &name) else {
                continue;
            };
            out.extend_from_slice(if first { b",\"decoded\":{" } else { b"," });
            first = false;
            text::json_bytes(out, name.as_bytes());
            out.push(b':');
            push_decoded_json(out, d, raw, &mut scratch);
        }
        if !first {
            out.push(b'}');
        }
    }
    out.push(b'}');
}

/// Writes frames as JSON objects, like [`frame_json_with`], fast: the
/// encoded `"protocol"` head and `,"name":` keys of each field list, which
/// fields are numeric and which decoded, are worked out once and reused
/// for every frame with that list (looked up by pointer).
#[derive(Default)]
pub struct FrameJson {
    layouts: Vec<JsonLayout>,
    /// Add `"time"`, the receive time in RFC 3339 UTC with milliseconds.
    timestamps: bool,
    /// Add `"decoded"` (see [`frame_json_with`]).
    decode: bool,
    /// The last receive time formatted, and its text.
    clock: (u64, String),
    /// A decoded value being built.
    scratch: String,
}

/// The constant parts of the JSON of one protocol's frames.
struct JsonLayout {
    names: Arc<[String]>,
    protocol: String,
    /// `{"type":"frame","protocol":"X","fields":{` (the time, when asked
    /// for, goes after [`FRAME_TYPE`])
    head: Vec<u8>,
    /// `,"name":` before each field (no comma before the first), each
    /// between two `"`, one after the other, then [`SLACK`] spaces: a key
    /// is copied with the quote that closes the string before it and the
    /// one that opens its own, when they are strings, in one piece.
    keys: Vec<u8>,
    /// Where each field's `,"name":` starts and ends in `keys`.
    key_spans: Vec<(usize, usize)>,
    /// Whether each field is numeric (written bare when it reads as a
    /// number).
    numeric: Vec<bool>,
    /// The fields with a decoded form: index, how, and `"name":` (with a
    /// comma before all but the first).
    decoders: Vec<(usize, Decoder, Vec<u8>)>,
    /// Bytes of the constant parts, to reserve the output once per frame.
    size: usize,
    /// Index of the SSID field, whose octal escapes are decoded.
    ssid: Option<usize>,
}

/// How every JSON frame object begins.
const FRAME_TYPE: &[u8] = b"{\"type\":\"frame\",";

/// Field lists remembered at most (a re-enable makes a new one).
const MAX_LAYOUTS: usize = 64;

impl FrameJson {
    /// A writer with no cached layout, of the server's values.
    pub fn new() -> FrameJson {
        FrameJson::default()
    }

    /// A writer that adds each frame's receive time as `"time"`.
    pub fn with_timestamps(timestamps: bool) -> FrameJson {
        FrameJson::with(timestamps, false)
    }

    /// A writer as the settings say: receive times, decoded values.
    pub fn with(timestamps: bool, decode: bool) -> FrameJson {
        FrameJson {
            timestamps,
            decode,
            ..FrameJson::default()
        }
    }

    /// Appends one frame as a JSON object (no newline) to `out`.
    pub fn write(&mut self, out: &mut Vec<u8>, frame: &Frame) {
        let Some(names) = frame.names_arc() else {
            let at = out.len();
            frame_json_with(out, frame, self.decode);
            if let Some(t) = self.time_of(frame) {
                let insert = format!("\"time\":\"{t}\",");
                let pos = at + FRAME_TYPE.len();
                out.splice(pos..pos, insert.bytes());
            }
            return;
        };
        let proto = frame.protocol_bytes();
        let i = match self
            .layouts
            .iter()
            .position(|l| Arc::ptr_eq(&l.names, names) && l.protocol.as_bytes() == proto)
        {
            Some(i) => i,
            None => {
                if self.layouts.len() >= MAX_LAYOUTS {
                    self.layouts.clear();
                }
                self.layouts
                    .push(JsonLayout::new(frame.protocol(), names.clone()));
                self.layouts.len() - 1
            }
        };
        let time = self.time_of(frame);
        let layout = &self.layouts[i];
        out.reserve(layout.size + frame.raw().len());
        match time {
            None => out.extend_from_slice(&layout.head),
            Some(t) => {
                let (kind, rest) = layout.head.split_at(FRAME_TYPE.len());
                out.extend_from_slice(kind);
                out.extend_from_slice(b"\"time\":\"");
                out.extend_from_slice(t.as_bytes());
                out.extend_from_slice(b"\",");
                out.extend_from_slice(rest);
            }
        }
        if text::line_is_json_plain(frame.raw()) && quotes_only_delimit(frame) {
            // Nothing to escape or decode anywhere in the line.
            layout.put_plain_fields(out, frame);
        } else {
            let keys = &layout.keys;
            let mut close = 0;
            for (i, raw) in frame.fields().enumerate().take(layout.key_spans.len()) {
                let (k, k_end) = layout.key_spans[i];
                let string = layout.ssid == Some(i) || !(layout.numeric[i] && is_json_number(raw));
                out.extend_from_slice(&keys[k - close..k_end + usize::from(string)]);
                if layout.ssid == Some(i) {
                    text::json_body(out, &text::ssid_bytes(raw));
                } else {
                    text::json_body(out, raw);
                }
                close = usize::from(string);
            }
            out.extend_from_slice(&b"\""[..close]);
        }
        out.push(b'}');
        if self.decode {
            for (field, decoder, key) in &layout.decoders {
                let Some(raw) = frame.field(*field) else {
                    break;
                };
                out.extend_from_slice(key);
                push_decoded_json(out, *decoder, raw, &mut self.scratch);
            }
            if layout
                .decoders
                .first()
                .is_some_and(|(f, ..)| *f < frame.len())
            {
                out.push(b'}');
            }
        }
        out.push(b'}');
    }
}

impl FrameJson {
    /// The frame's receive time as text, when asked for and known.
    fn time_of(&mut self, frame: &Frame) -> Option<String> {
        if !self.timestamps {
            return None;
        }
        let ms = frame.received_ms()?;
        if self.clock.0 != ms {
            self.clock = (ms, super::time::rfc3339_ms(ms));
        }
        Some(self.clock.1.clone())
    }
}

impl JsonLayout {
    fn new(protocol: &str, names: Arc<[String]>) -> JsonLayout {
        let mut head = FRAME_TYPE.to_vec();
        head.extend_from_slice(b"\"protocol\":");
        text::json_bytes(&mut head, protocol.as_bytes());
        head.extend_from_slice(b",\"fields\":{");
        let mut keys = Vec::new();
        let key_spans = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                keys.push(b'"');
                let start = keys.len();
                if i > 0 {
                    keys.push(b',');
                }
                text::json_bytes(&mut keys, n.as_bytes());
                keys.push(b':');
                let end = keys.len();
                keys.push(b'"');
                (start, end)
            })
            .collect();
        keys.extend_from_slice(&[b' '; SLACK]);
        let ssid = names.iter().position(|n| is_ssid_field(protocol, n));
        let numeric = names
            .iter()
            .map(|n| kismet_protocol::decode::is_numeric_field(protocol, n))
            .collect();
        let decoders: Vec<(usize, Decoder, Vec<u8>)> = names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((i, Decoder::of(protocol, n)?, n)))
            .enumerate()
            .map(|(j, (i, d, n))| {
                let mut key = if j == 0 {
                    b",\"decoded\":{".to_vec()
                } else {
                    b",".to_vec()
                };
                text::json_bytes(&mut key, n.as_bytes());
                key.push(b':');
                (i, d, key)
            })
            .collect();
        let size = head.len()
            + keys.len()
            + decoders.iter().map(|(_, _, k)| k.len() + 32).sum::<usize>()
            + 4;
        JsonLayout {
            protocol: protocol.to_string(),
            names,
            head,
            keys,
            key_spans,
            numeric,
            decoders,
            size,
            ssid,
        }
    }

    /// Appends the fields of a frame whose line needs no escaping (see
    /// [`text::line_is_json_plain`]), built as bytes: each key with the
    /// quotes around it that the values need, each value as it is, copied
    /// in one fixed-size move where short (see [`put`]).
    fn put_plain_fields(&self, out: &mut Vec<u8>, frame: &Frame) {
        let start = out.len();
        out.resize(start + self.keys.len() + frame.raw().len() + SLACK, 0);
        let (buffer, dst) = (frame.buffer(), &mut out[start..]);
        let keys = self.keys.as_slice();
        let mut pos = 0;
        // 1 when the value before is a string: its closing quote goes first.
        let mut close = 0;
        for ((at, &(k, k_end)), &numeric) in
            frame.field_ranges().zip(&self.key_spans).zip(&self.numeric)
        {
            let value = &buffer[at.clone()];
            let open = usize::from(!(numeric && is_json_number(value)));
            pos = put(dst, pos, &keys[k - close..], k_end - k + close + open);
            pos = put(dst, pos, &buffer[at.start..], value.len());
            close = open;
        }
        pos = put(dst, pos, b"\"", close);
        out.truncate(start + pos);
    }
}

#[cfg(test)]
#[path = "frame_tests.rs"]
mod tests;
