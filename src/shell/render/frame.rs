//! One frame as a text line or a JSON object: the hot path of the
//! scrolling output and of `--format json`.

use std::fmt::Write as _;
use std::sync::Arc;

use kismet_protocol::Separators;
use kismet_protocol::{text, Frame};

use super::time::LocalTimes;

/// True for fields that hold an SSID (octal escapes decoded for display).
fn is_ssid_field(protocol: &str, name: &str) -> bool {
    name == "ssid" && (protocol == "SSID" || protocol == "PACKET")
}

/// Whether a bare value can be shown without quotes.
fn needs_quotes(s: &str) -> bool {
    s.is_empty() || s.bytes().any(|b| matches!(b, b' ' | b'"' | b'='))
}

/// How frames are written as text lines.
///
/// The hot path of the default output: the constant parts of each field
/// list (` name=` before each value, which values are decoded or are
/// SSIDs) are worked out once per list and reused for every frame with it
/// (looked up by pointer), and a line of printable ASCII with no `"` or
/// `\` (the common case: nothing to escape, no octal SSID escape) has its
/// values copied as they are.
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
    /// A value being escaped or decoded.
    scratch: String,
}

/// The constant parts of the text lines of one protocol's frames.
#[derive(Debug, Clone)]
struct TextLayout {
    names: Arc<[String]>,
    protocol: String,
    /// ` name=` before each field.
    keys: Vec<String>,
    /// How each field's value is shown.
    kinds: Vec<ValueKind>,
}

/// How a field's value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    /// As sent (escaped where needed).
    Wire,
    /// An SSID: octal escapes decoded.
    Ssid,
    /// Decoded when values are ([`decoded_value`]): a cipher set, a type
    /// code, a time.
    Decoded,
}

impl TextLayout {
    fn new(protocol: &str, names: Arc<[String]>) -> TextLayout {
        let keys = names.iter().map(|n| format!(" {n}=")).collect();
        let kinds = names
            .iter()
            .map(|n| {
                if is_ssid_field(protocol, n) {
                    ValueKind::Ssid
                } else if is_decoded_field(protocol, n) {
                    ValueKind::Decoded
                } else {
                    ValueKind::Wire
                }
            })
            .collect();
        TextLayout {
            names,
            protocol: protocol.to_string(),
            keys,
            kinds,
        }
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
            if let Some(ms) = frame.received_ms() {
                if self.clock.0 != ms {
                    let zone = self.times.get_or_insert_with(LocalTimes::system).zone();
                    self.clock = (ms, super::time::clock_text_in(ms, zone));
                }
                out.push_str(&self.clock.1);
                out.push(' ');
            }
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
        let layout = &self.layouts[i];
        out.push_str(&layout.protocol);
        // Nothing to escape anywhere in the line, and no SSID escape: then
        // its fields are slices of it as text.
        let line = frame.raw();
        let plain = text::line_is_json_plain(line)
            .then(|| std::str::from_utf8(line).ok())
            .flatten();
        for ((raw, key), (kind, name)) in frame
            .fields()
            .zip(&layout.keys)
            .zip(layout.kinds.iter().zip(layout.names.iter()))
        {
            out.push_str(key);
            if *kind == ValueKind::Decoded && self.decode {
                let shown = match name.as_str() {
                    "firsttime" | "lasttime" | "starttime" | "timesec" => {
                        let times = self.times.get_or_insert_with(LocalTimes::system);
                        local_time(times, &mut self.scratch, raw)
                    }
                    _ => decoded_value(&layout.protocol, name, raw).map(|d| {
                        self.scratch.clear();
                        self.scratch.push_str(&d);
                    }),
                };
                if shown.is_some() {
                    push_value(out, &self.scratch);
                    continue;
                }
            }
            match plain.and_then(|l| field_text(l, line, raw)) {
                Some(value) => push_value(out, value),
                None => {
                    self.scratch.clear();
                    shown_value_into(&mut self.scratch, *kind == ValueKind::Ssid, raw);
                    push_value(out, &self.scratch);
                }
            }
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

/// A value, quoted when it is empty or holds a space, `"` or `=` (a `"`
/// inside escaped as `\"`).
fn push_value(out: &mut String, value: &str) {
    if needs_quotes(value) {
        out.push('"');
        if value.contains('"') {
            out.push_str(&value.replace('"', "\\\""));
        } else {
            out.push_str(value);
        }
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// The field `raw`, a slice of `line`, as a slice of `text`, the same line
/// as text.
fn field_text<'a>(text: &'a str, line: &[u8], raw: &[u8]) -> Option<&'a str> {
    let at = (raw.as_ptr() as usize).checked_sub(line.as_ptr() as usize)?;
    text.get(at..at + raw.len())
}

/// An epoch time field as local time, in place of `out`'s text; `None`
/// (and `out` left alone) when it is not one.
fn local_time(times: &mut LocalTimes, out: &mut String, raw: &[u8]) -> Option<()> {
    let t = kismet_protocol::decode::parse_epoch(raw)?;
    out.clear();
    times.push(out, t);
    Some(())
}

/// True for a field [`decoded_value`] gives a meaning to.
fn is_decoded_field(protocol: &str, name: &str) -> bool {
    matches!(
        (protocol, name),
        (_, "cryptset" | "datacryptset")
            | ("BSSID" | "CLIENT" | "SSID", "type")
            | (_, "firsttime" | "lasttime" | "starttime" | "timesec")
    )
}

/// A field's value decoded from the server's own definitions, when it is
/// one that has a meaning beyond its digits: cipher sets as `WPA2 CCMP
/// PSK`, type codes as names, epoch times as local time. `None` for every
/// other field (and for values that do not parse).
pub fn decoded_value(protocol: &str, name: &str, raw: &[u8]) -> Option<String> {
    use kismet_protocol::decode;
    match (protocol, name) {
        (_, "cryptset" | "datacryptset") => {
            let set = decode::parse_u64(raw)?;
            Some(decode::Encryption::from_cryptset(set).to_string())
        }
        ("BSSID", "type") => Some(decode::network_type_name(decode::parse_u32(raw)?).into_owned()),
        ("CLIENT", "type") => Some(decode::client_type_name(decode::parse_u32(raw)?).into_owned()),
        ("SSID", "type") => Some(decode::ssid_type_name(decode::parse_u32(raw)?).into_owned()),
        (_, "firsttime" | "lasttime" | "starttime" | "timesec") => {
            let t = decode::parse_epoch(raw)?;
            Some(super::time::local_text(t))
        }
        _ => None,
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

/// One frame as a JSON object (no newline), appended as bytes: the hot path
/// of `--format json`, so it writes straight into the output buffer.
pub fn frame_json(out: &mut Vec<u8>, frame: &Frame) {
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
        } else {
            text::json_bytes(out, raw);
        }
    }
    out.extend_from_slice(b"}}");
}

/// Writes frames as JSON objects, like [`frame_json`], fast: the encoded
/// `"protocol"` head and `,"name":` keys of each field list are built once
/// and reused for every frame with that list (looked up by pointer).
#[derive(Default)]
pub struct FrameJson {
    layouts: Vec<JsonLayout>,
    /// Add `"time"`, the receive time in RFC 3339 UTC with milliseconds.
    timestamps: bool,
    /// The last receive time formatted, and its text.
    clock: (u64, String),
}

/// The constant parts of the JSON of one protocol's frames.
struct JsonLayout {
    names: Arc<[String]>,
    protocol: String,
    /// `{"type":"frame","protocol":"X","fields":{` (the time, when asked
    /// for, goes after [`FRAME_TYPE`])
    head: Vec<u8>,
    /// `"name":"` for the first field, `","name":"` for the others: the
    /// previous value's closing quote, the key, this value's opening quote.
    keys: Separators,
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
    /// A writer with no cached layout.
    pub fn new() -> FrameJson {
        FrameJson::default()
    }

    /// A writer that adds each frame's receive time as `"time"`.
    pub fn with_timestamps(timestamps: bool) -> FrameJson {
        FrameJson {
            timestamps,
            ..FrameJson::default()
        }
    }

    /// Appends one frame as a JSON object (no newline) to `out`.
    pub fn write(&mut self, out: &mut Vec<u8>, frame: &Frame) {
        let Some(names) = frame.names_arc() else {
            let at = out.len();
            frame_json(out, frame);
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
        if text::line_is_json_plain(frame.raw()) {
            // Nothing to escape or decode anywhere in the line.
            frame.interleave_into(out, &layout.keys);
        } else {
            for (i, raw) in frame.fields().enumerate().take(layout.keys.len()) {
                out.extend_from_slice(layout.keys.get(i).unwrap_or_default());
                if layout.ssid == Some(i) {
                    text::json_body(out, &text::ssid_bytes(raw));
                } else {
                    text::json_body(out, raw);
                }
            }
        }
        out.extend_from_slice(if layout.keys.is_empty() {
            b"}}"
        } else {
            b"\"}}"
        });
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
        let keys: Vec<Vec<u8>> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                // The previous value's closing quote, then this key.
                let mut k = if i == 0 { Vec::new() } else { b"\",".to_vec() };
                text::json_bytes(&mut k, n.as_bytes());
                k.extend_from_slice(b":\"");
                k
            })
            .collect();
        let keys = Separators::new(keys.iter().map(Vec::as_slice));
        let ssid = names.iter().position(|n| is_ssid_field(protocol, n));
        let size = head.len() + keys.total_len() + 3;
        JsonLayout {
            protocol: protocol.to_string(),
            names,
            head,
            keys,
            ssid,
            size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(line: &[u8], names: &[&str]) -> Frame {
        let names: Arc<[String]> = names.iter().map(|s| s.to_string()).collect();
        Frame::parse(line).unwrap().with_names(Some(names))
    }

    /// With timestamps, text lines start with the receive time and JSON
    /// objects carry it as `"time"` (both writers, the same bytes).
    #[test]
    fn timestamps_in_text_and_json() {
        let f = named(b"*TIME: 17", &["timesec"]).with_received(1_795_678_119_042);
        let mut j = Vec::new();
        FrameJson::with_timestamps(true).write(&mut j, &f);
        assert_eq!(
            String::from_utf8(j.clone()).unwrap(),
            r#"{"type":"frame","time":"2026-11-26T07:28:39.042Z","protocol":"TIME","fields":{"timesec":"17"}}"#
        );
        let unnamed = Frame::parse(b"*TIME: 17")
            .unwrap()
            .with_received(1_795_678_119_042);
        let mut k = Vec::new();
        FrameJson::with_timestamps(true).write(&mut k, &unnamed);
        assert_eq!(
            String::from_utf8(k).unwrap(),
            r#"{"type":"frame","time":"2026-11-26T07:28:39.042Z","protocol":"TIME","fields":{"f0":"17"}}"#
        );
        let mut s = String::new();
        TextLines::new(true).write(&mut s, &f);
        assert!(s.ends_with(":39.042 TIME timesec=17"), "{s}");
        s.clear();
        TextLines::new(false).write(&mut s, &f);
        assert_eq!(s, "TIME timesec=17");
    }

    /// With decoding on, cipher sets, type codes and times read as what
    /// they mean; off, as the server sent them.
    #[test]
    fn decoded_lines() {
        let f = named(
            b"*SSID: 00:14:6C:A1:00:01 0 \x01HomeNet\x01 2097858 0 ",
            &["mac", "type", "ssid", "cryptset", "lasttime"],
        );
        let mut s = String::new();
        TextLines::with(false, true).write(&mut s, &f);
        assert_eq!(
            s,
            "SSID mac=00:14:6C:A1:00:01 type=beacon ssid=HomeNet cryptset=\"WPA2 CCMP PSK\" lasttime=0"
        );
        s.clear();
        TextLines::with(false, false).write(&mut s, &f);
        assert!(
            s.contains("type=0") && s.contains("cryptset=2097858"),
            "{s}"
        );
        assert_eq!(
            decoded_value("CLIENT", "type", b"4").as_deref(),
            Some("established")
        );
        assert_eq!(
            decoded_value("BSSID", "type", b"2").as_deref(),
            Some("probe")
        );
        assert_eq!(decoded_value("BSSID", "channel", b"6"), None);
        assert_eq!(decoded_value("SSID", "cryptset", b"junk"), None);
        assert!(decoded_value("BSSID", "lasttime", b"1795678119").is_some());
    }

    /// Text lines name fields, decode SSIDs and neutralise controls.
    #[test]
    fn frame_lines() {
        let f = named(
            b"*SSID: \x01Caf\\303\\251 \\342\\230\\225\x01 00:24:01:D4:00:04 ",
            &["ssid", "mac"],
        );
        let mut s = String::new();
        frame_text(&mut s, &f);
        assert_eq!(s, "SSID ssid=\"Café ☕\" mac=00:24:01:D4:00:04");
        let f = named(
            b"*STATUS: \x01\x1b]0;owned\x07\x1b[2J\x01 4 ",
            &["text", "flags"],
        );
        s.clear();
        frame_text(&mut s, &f);
        assert_eq!(s, "STATUS text=\\x1b]0;owned\\x07\\x1b[2J flags=4");
        let mut j = Vec::new();
        frame_json(&mut j, &f);
        // The cached writer gives the same bytes, twice in a row.
        let mut fast = FrameJson::new();
        let mut k = Vec::new();
        fast.write(&mut k, &f);
        assert_eq!(k, j);
        k.clear();
        fast.write(&mut k, &f);
        assert_eq!(k, j);
        assert_eq!(
            String::from_utf8(j).unwrap(),
            r#"{"type":"frame","protocol":"STATUS","fields":{"text":"\u001b]0;owned\u0007\u001b[2J","flags":"4"}}"#
        );
    }
}
