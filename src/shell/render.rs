//! Turning frames and outcomes into text lines, JSON lines and tables.
//!
//! Every byte from the server goes through [`text::display`] (text) or
//! [`text::json_string`] (JSON) on its way out: nothing off the wire reaches
//! the terminal raw.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use super::outcome::{Outcome, ProtocolRow, StatusReport};
use crate::client::{Event, Reply, ReplyKind};
use crate::protocol::{text, Frame};

/// Output format of batch mode (and the text of the shell); also the values
/// of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// One frame per line, tables for listings.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
    /// The server's lines byte for byte.
    Raw,
}

/// True for fields that hold an SSID (octal escapes decoded for display).
fn is_ssid_field(protocol: &str, name: &str) -> bool {
    name == "ssid" && (protocol == "SSID" || protocol == "PACKET")
}

/// Whether a bare value can be shown without quotes.
fn needs_quotes(s: &str) -> bool {
    s.is_empty() || s.contains([' ', '"', '='])
}

/// One frame as a text line: `SSID ssid="Coffee Shop" mac=00:18:E7:B2:00:02`.
pub fn frame_text(out: &mut String, frame: &Frame) {
    let proto = frame.protocol();
    out.push_str(proto);
    let mut value = String::new();
    for (name, raw) in frame.named_fields() {
        value.clear();
        if is_ssid_field(proto, &name) {
            text::display_into(&mut value, &text::ssid_bytes(raw));
        } else {
            text::display_into(&mut value, raw);
        }
        let _ = write!(out, " {name}=");
        if needs_quotes(&value) {
            out.push('"');
            out.push_str(&value.replace('"', "\\\""));
            out.push('"');
        } else {
            out.push_str(&value);
        }
    }
}

/// One frame as a JSON object (no newline), appended as bytes: the hot path
/// of `--format json`, so it writes straight into the output buffer.
pub fn frame_json(out: &mut Vec<u8>, frame: &Frame) {
    let proto = frame.protocol();
    out.extend_from_slice(b"{\"type\":\"frame\",\"protocol\":");
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
}

/// The constant parts of the JSON of one protocol's frames.
struct JsonLayout {
    names: Arc<[String]>,
    protocol: String,
    /// `{"type":"frame","protocol":"X","fields":{`
    head: Vec<u8>,
    /// `"name":"` for the first field, `","name":"` for the others: the
    /// previous value's closing quote, the key, this value's opening quote.
    keys: Vec<Vec<u8>>,
    /// Bytes of the constant parts, to reserve the output once per frame.
    size: usize,
    /// Index of the SSID field, whose octal escapes are decoded.
    ssid: Option<usize>,
}

/// Field lists remembered at most (a re-enable makes a new one).
const MAX_LAYOUTS: usize = 64;

impl FrameJson {
    /// A writer with no cached layout.
    pub fn new() -> FrameJson {
        FrameJson::default()
    }

    /// Appends one frame as a JSON object (no newline) to `out`.
    pub fn write(&mut self, out: &mut Vec<u8>, frame: &Frame) {
        let Some(names) = frame.names_arc() else {
            return frame_json(out, frame);
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
        let layout = &self.layouts[i];
        out.reserve(layout.size + frame.raw().len());
        out.extend_from_slice(&layout.head);
        if text::line_is_json_plain(frame.raw()) {
            // Nothing to escape or decode anywhere in the line.
            for (key, raw) in layout.keys.iter().zip(frame.fields()) {
                out.extend_from_slice(key);
                out.extend_from_slice(raw);
            }
        } else {
            for (i, (key, raw)) in layout.keys.iter().zip(frame.fields()).enumerate() {
                out.extend_from_slice(key);
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

impl JsonLayout {
    fn new(protocol: &str, names: Arc<[String]>) -> JsonLayout {
        let mut head = b"{\"type\":\"frame\",\"protocol\":".to_vec();
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
        let ssid = names.iter().position(|n| is_ssid_field(protocol, n));
        let size = head.len() + keys.iter().map(Vec::len).sum::<usize>() + 3;
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

/// A connection event as the line shown in place, e.g. `[disconnected: ...]`;
/// one line per protocol for drops; nothing for frames.
pub fn event_notices(event: &Event, addr: &str) -> Vec<String> {
    match event {
        Event::Frames(_) => Vec::new(),
        Event::Dropped { counts } => counts
            .iter()
            .map(|(p, n)| format!("[{n} {} frames dropped]", text::display(p.as_bytes())))
            .collect(),
        Event::Disconnected { reason } => vec![format!("[disconnected: {reason}]")],
        Event::Reconnecting { attempt, delay } => vec![format!(
            "[reconnecting in {:.1} s (attempt {attempt})]",
            delay.as_secs_f64()
        )],
        Event::ReconnectFailed { attempt, error } => vec![format!(
            "[reconnect attempt {attempt} failed: {}]",
            text::display(error.to_string().as_bytes())
        )],
        Event::Reconnected { .. } => vec![format!("[reconnected to {addr}]")],
    }
}

/// A connection event as JSON objects (one per line, without newlines);
/// nothing for frames.
pub fn event_json(event: &Event, addr: &str) -> Vec<String> {
    let mut s = String::new();
    match event {
        Event::Frames(_) => return Vec::new(),
        Event::Dropped { counts } => {
            return counts
                .iter()
                .map(|(proto, n)| {
                    let mut s = String::from("{\"type\":\"dropped\",\"protocol\":");
                    text::json_string(&mut s, proto.as_bytes());
                    let _ = write!(s, ",\"count\":{n}}}");
                    s
                })
                .collect()
        }
        Event::Disconnected { reason } => {
            s.push_str("{\"type\":\"disconnected\",\"addr\":");
            text::json_string(&mut s, addr.as_bytes());
            s.push_str(",\"reason\":");
            text::json_string(&mut s, reason.to_string().as_bytes());
            let _ = write!(s, ",\"terminated\":{}}}", reason.is_terminated());
        }
        Event::Reconnecting { attempt, delay } => {
            let _ = write!(
                s,
                "{{\"type\":\"reconnecting\",\"attempt\":{attempt},\"delay_s\":{:.3}}}",
                delay.as_secs_f64()
            );
        }
        Event::ReconnectFailed { attempt, error } => {
            let _ = write!(
                s,
                "{{\"type\":\"reconnect_failed\",\"attempt\":{attempt},\"error\":"
            );
            text::json_string(&mut s, error.to_string().as_bytes());
            s.push('}');
        }
        Event::Reconnected { info } => {
            s.push_str("{\"type\":\"reconnected\",\"addr\":");
            text::json_string(&mut s, addr.as_bytes());
            s.push_str(",\"server\":");
            text::json_string(&mut s, info.name.as_bytes());
            s.push('}');
        }
    }
    vec![s]
}

/// A reply as text: `ok (2 ms)` or `error: NO SUCH COMMAND (1 ms)`.
/// The data lines a command provoked (the `*CAPABILITY` answer) follow,
/// one per line: `CAPABILITY GPS: lat,lon,...`.
pub fn reply_text(reply: &Reply) -> String {
    let ms = latency_ms(reply.latency);
    let t = text::display(reply.text.as_bytes());
    let mut s = match reply.kind {
        ReplyKind::Ack if reply.text == "OK" => format!("ok ({ms})"),
        ReplyKind::Ack => format!("ok: {t} ({ms})"),
        ReplyKind::Error => format!("error: {t} ({ms})"),
        ReplyKind::Terminate => format!("server is shutting down: {t} ({ms})"),
    };
    for f in &reply.data {
        s.push('\n');
        match capability_of(f) {
            Some((proto, fields)) => {
                let _ = write!(
                    s,
                    "CAPABILITY {}: {}",
                    text::display(proto.as_bytes()),
                    text::display(fields.join(",").as_bytes())
                );
            }
            None => frame_text(&mut s, f),
        }
    }
    s
}

/// A `*CAPABILITY` frame's protocol and fields.
fn capability_of(frame: &Frame) -> Option<(String, Vec<String>)> {
    if frame.protocol() != "CAPABILITY" {
        return None;
    }
    crate::protocol::frame::parse_capability(frame.field(0)?)
}

fn latency_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// A reply as a JSON object (`ack`, `error` or `terminate`).
///
/// The data lines it provoked come first, as they came on the wire:
/// `{"type":"capability","protocol":"GPS","fields":[...]}` for a
/// `*CAPABILITY` line, a frame object otherwise; one object per line.
pub fn reply_json(reply: &Reply) -> String {
    let mut s = String::new();
    for f in &reply.data {
        match capability_of(f) {
            Some((proto, fields)) => {
                s.push_str("{\"type\":\"capability\",\"protocol\":");
                text::json_string(&mut s, proto.as_bytes());
                s.push_str(",\"fields\":");
                json_list(&mut s, &fields);
                s.push('}');
            }
            None => {
                let mut b = Vec::new();
                frame_json(&mut b, f);
                s.push_str(&String::from_utf8_lossy(&b));
            }
        }
        s.push('\n');
    }
    let kind = match reply.kind {
        ReplyKind::Ack => "ack",
        ReplyKind::Error => "error",
        ReplyKind::Terminate => "terminate",
    };
    let _ = write!(s, "{{\"type\":\"{kind}\",\"id\":{},\"command\":", reply.id);
    text::json_string(&mut s, reply.command.as_bytes());
    s.push_str(",\"text\":");
    text::json_string(&mut s, reply.text.as_bytes());
    let _ = write!(
        s,
        ",\"latency_ms\":{:.3}}}",
        reply.latency.as_secs_f64() * 1000.0
    );
    s
}

fn new_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    // A pseudo-terminal whose size was never set reports 0 columns: squeezing
    // the table into that prints one character per row. Take 80, as
    // rustyline does.
    if t.width() == Some(0) {
        t.set_width(80);
    }
    t
}

/// The `protocols` table.
pub fn protocols_table(rows: &[ProtocolRow], width: Option<u16>) -> String {
    let mut t = new_table(&["protocol", "fields", "enabled", "frames"]);
    if let Some(w) = width {
        t.set_width(w);
    }
    for r in rows {
        t.add_row(vec![
            r.protocol.clone(),
            r.fields.len().to_string(),
            r.enabled.as_ref().map_or("-".into(), |f| f.join(",")),
            r.frames.to_string(),
        ]);
    }
    t.to_string()
}

/// The `fields PROTO` table.
pub fn fields_table(fields: &[String], enabled: Option<&[String]>) -> String {
    let mut t = new_table(&["#", "field", "enabled"]);
    for (i, f) in fields.iter().enumerate() {
        let pos = enabled.and_then(|e| e.iter().position(|x| x == f));
        t.add_row(vec![
            i.to_string(),
            f.clone(),
            pos.map_or(String::new(), |p| format!("yes (#{p})")),
        ]);
    }
    t.to_string()
}

/// Seconds as `1h02m03s`.
pub fn duration_text(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m{:02}s", s / 3600, (s / 60) % 60, s % 60),
    }
}

/// Epoch seconds as `2026-11-27 10:16:31 UTC` (civil date from days,
/// after Howard Hinnant's algorithm; no time zone database needed).
pub fn utc_text(epoch: u64) -> String {
    let days = (epoch / 86_400) as i64;
    let secs = epoch % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// The `status` report as text.
pub fn status_text(r: &StatusReport) -> String {
    let mut s = String::new();
    let state = if r.connected {
        "connected"
    } else {
        "DISCONNECTED"
    };
    let _ = writeln!(
        s,
        "server   {} at {} ({state}, connection {})",
        text::display(r.server_name.as_bytes()),
        r.addr,
        r.connections
    );
    let _ = match r.server_time {
        Some(now) => writeln!(
            s,
            "clock    server started {}, server time {} (up {})",
            utc_text(r.server_start),
            utc_text(now),
            duration_text(Duration::from_secs(now.saturating_sub(r.server_start)))
        ),
        None => writeln!(
            s,
            "clock    server started {}, server time unknown (no TIME yet)",
            utc_text(r.server_start)
        ),
    };
    let _ = writeln!(s, "uptime   {}", duration_text(r.uptime));
    let _ = writeln!(
        s,
        "pending  {} command(s) awaiting a reply{}",
        r.pending,
        if r.paused { "; output paused" } else { "" }
    );
    let _ = writeln!(
        s,
        "skipped  {} malformed line(s), {} overlong line(s)",
        r.malformed, r.overlong
    );
    let mut t = new_table(&["protocol", "frames", "per second", "dropped"]);
    for (p, total, rate) in &r.rates {
        let dropped = r
            .dropped
            .iter()
            .find(|(d, _)| d == p)
            .map_or(0, |(_, n)| *n);
        t.add_row(vec![
            p.clone(),
            total.to_string(),
            format!("{rate:.1}"),
            dropped.to_string(),
        ]);
    }
    for (p, n) in &r.dropped {
        if !r.rates.iter().any(|(q, _, _)| q == p) {
            t.add_row(vec![p.clone(), "0".into(), "0.0".into(), n.to_string()]);
        }
    }
    s.push_str(&t.to_string());
    s
}

/// An outcome as text (empty for none).
pub fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Nothing | Outcome::Quit => String::new(),
        Outcome::Protocols(rows) => protocols_table(rows, None),
        Outcome::Fields {
            protocol,
            fields,
            enabled,
        } => format!(
            "{protocol}: {} fields\n{}",
            fields.len(),
            fields_table(fields, enabled.as_deref())
        ),
        Outcome::Reply(r) => reply_text(r),
        Outcome::Status(s) => status_text(s),
        Outcome::Help(h) => h.clone(),
        Outcome::Paused(true) => {
            "output paused (frames are still counted); resume to show them".into()
        }
        Outcome::Paused(false) => "output resumed".into(),
    }
}

fn json_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, f) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        text::json_string(out, f.as_bytes());
    }
    out.push(']');
}

/// An outcome as one JSON line (without newline); `None` for nothing.
pub fn outcome_json(o: &Outcome) -> Option<String> {
    let mut s = String::new();
    match o {
        Outcome::Nothing | Outcome::Quit => return None,
        Outcome::Protocols(rows) => {
            s.push_str("{\"type\":\"protocols\",\"protocols\":[");
            for (i, r) in rows.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push_str("{\"protocol\":");
                text::json_string(&mut s, r.protocol.as_bytes());
                s.push_str(",\"fields\":");
                json_list(&mut s, &r.fields);
                s.push_str(",\"enabled\":");
                match &r.enabled {
                    Some(e) => json_list(&mut s, e),
                    None => s.push_str("null"),
                }
                let _ = write!(s, ",\"frames\":{}}}", r.frames);
            }
            s.push_str("]}");
        }
        Outcome::Fields {
            protocol,
            fields,
            enabled,
        } => {
            s.push_str("{\"type\":\"fields\",\"protocol\":");
            text::json_string(&mut s, protocol.as_bytes());
            s.push_str(",\"fields\":");
            json_list(&mut s, fields);
            s.push_str(",\"enabled\":");
            match enabled {
                Some(e) => json_list(&mut s, e),
                None => s.push_str("null"),
            }
            s.push('}');
        }
        Outcome::Reply(r) => return Some(reply_json(r)),
        Outcome::Status(r) => {
            s.push_str("{\"type\":\"status\",\"server\":");
            text::json_string(&mut s, r.server_name.as_bytes());
            s.push_str(",\"addr\":");
            text::json_string(&mut s, r.addr.as_bytes());
            let _ = write!(
                s,
                ",\"connected\":{},\"server_start\":{},\"server_time\":{},\"uptime_s\":{:.3},\"pending\":{},\"malformed\":{},\"overlong\":{},\"connections\":{},\"protocols\":[",
                r.connected,
                r.server_start,
                r.server_time.map_or("null".to_string(), |t| t.to_string()),
                r.uptime.as_secs_f64(),
                r.pending,
                r.malformed,
                r.overlong,
                r.connections
            );
            for (i, (p, total, rate)) in r.rates.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let dropped = r
                    .dropped
                    .iter()
                    .find(|(d, _)| d == p)
                    .map_or(0, |(_, n)| *n);
                s.push_str("{\"protocol\":");
                text::json_string(&mut s, p.as_bytes());
                let _ = write!(
                    s,
                    ",\"frames\":{total},\"per_second\":{rate:.3},\"dropped\":{dropped}}}"
                );
            }
            s.push_str("],\"dropped\":{");
            for (i, (p, n)) in r.dropped.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                text::json_string(&mut s, p.as_bytes());
                let _ = write!(s, ":{n}");
            }
            s.push_str("}}");
        }
        Outcome::Help(h) => {
            s.push_str("{\"type\":\"help\",\"text\":");
            text::json_string(&mut s, h.as_bytes());
            s.push('}');
        }
        Outcome::Paused(p) => {
            let _ = write!(s, "{{\"type\":\"paused\",\"paused\":{p}}}");
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::DisconnectReason;

    fn named(line: &[u8], names: &[&str]) -> Frame {
        let names: Arc<[String]> = names.iter().map(|s| s.to_string()).collect();
        Frame::parse(line).unwrap().with_names(Some(names))
    }

    /// Connection events read as bracketed lines, server text neutralised.
    #[test]
    fn notices() {
        let n = |e: Event| event_notices(&e, "10.0.0.5:2501");
        assert_eq!(
            n(Event::Dropped {
                counts: vec![("SSID".into(), 1234), ("CLIENT".into(), 2)]
            }),
            ["[1234 SSID frames dropped]", "[2 CLIENT frames dropped]"]
        );
        assert_eq!(
            n(Event::Disconnected {
                reason: DisconnectReason::Terminated {
                    text: "bye\x1b[2J".into()
                }
            }),
            ["[disconnected: server terminated: bye\\x1b[2J]"]
        );
        assert_eq!(
            n(Event::Reconnecting {
                attempt: 3,
                delay: Duration::from_secs(2),
            }),
            ["[reconnecting in 2.0 s (attempt 3)]"]
        );
        assert!(n(Event::Frames(Vec::new())).is_empty());
    }

    /// Epoch seconds come out as UTC calendar time.
    #[test]
    fn utc() {
        assert_eq!(utc_text(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_text(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_text(1_795_678_119), "2026-11-26 07:28:39 UTC");
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
