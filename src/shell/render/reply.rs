//! A command's reply, with the data lines it provoked, as text and JSON.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::json;

use super::frame::{frame_json, frame_text};
use super::json::{json_line, three_decimals};
use kismet_client::{Reply, ReplyKind};
use kismet_protocol::{text, Frame};

/// A reply as text: `ok (2 ms)` or `error: NO SUCH COMMAND (1 ms)`.
/// The data lines a command provoked (the `*CAPABILITY` answer) follow,
/// one per line: `CAPABILITY GPS: lat,lon,...`.
pub fn reply_text(reply: &Reply) -> String {
    let mut s = reply_status_text(reply);
    if let Some(data) = reply_data_text(reply) {
        s.push('\n');
        s.push_str(&data);
    }
    s
}

/// A reply's own line: `ok (2 ms)`, `error: ...`, `server is shutting
/// down: ...`.
pub fn reply_status_text(reply: &Reply) -> String {
    let ms = latency_ms(reply.latency);
    let t = text::display(reply.text.as_bytes());
    match reply.kind {
        ReplyKind::Ack if reply.text == "OK" => format!("ok ({ms})"),
        ReplyKind::Ack => format!("ok: {t} ({ms})"),
        ReplyKind::Error => format!("error: {t} ({ms})"),
        ReplyKind::Terminate => format!("server is shutting down: {t} ({ms})"),
    }
}

/// The data lines a command provoked, one per line (`None`: none).
pub fn reply_data_text(reply: &Reply) -> Option<String> {
    if reply.data.is_empty() {
        return None;
    }
    let mut s = String::new();
    for (i, f) in reply.data.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
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
    Some(s)
}

/// A `*CAPABILITY` frame's protocol and fields.
fn capability_of(frame: &Frame) -> Option<(String, Vec<String>)> {
    if frame.protocol() != "CAPABILITY" {
        return None;
    }
    kismet_protocol::parse_capability(frame.field(0)?)
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
            Some((proto, fields)) => s.push_str(&json_line(&json!({
                "type": "capability",
                "protocol": proto,
                "fields": fields,
            }))),
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
    s.push_str(&json_line(&json!({
        "type": kind,
        "id": reply.id,
        "command": reply.command,
        "text": reply.text,
        "latency_ms": three_decimals(reply.latency.as_secs_f64() * 1000.0),
    })));
    s
}
