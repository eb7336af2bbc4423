//! Connection events (drops, disconnects, reconnects) as notice lines and
//! JSON objects.

use serde_json::json;

use super::json::{json_line, three_decimals};
use crate::shell::outcome::error_chain;
use kismet_client::Event;
use kismet_protocol::text;

/// A connection event as the line shown in place, e.g. `[disconnected: ...]`;
/// one line per protocol for drops; nothing for frames.
pub fn event_notices(event: &Event, addr: &str) -> Vec<String> {
    match event {
        Event::Frames(_) => Vec::new(),
        Event::Dropped { counts } => counts
            .iter()
            .map(|(p, n)| {
                let proto = text::display(p.as_bytes());
                if *n == 1 {
                    format!("[1 {proto} frame dropped]")
                } else {
                    format!("[{n} {proto} frames dropped]")
                }
            })
            .collect(),
        Event::Disconnected { reason } => vec![format!("[disconnected: {reason}]")],
        Event::Reconnecting { attempt, delay } => vec![format!(
            "[reconnecting in {:.1} s (attempt {attempt})]",
            delay.as_secs_f64()
        )],
        Event::ReconnectFailed { attempt, error } => vec![format!(
            "[reconnect attempt {attempt} failed: {}]",
            text::display(error_chain(error).as_bytes())
        )],
        Event::Reconnected { .. } => vec![format!("[reconnected to {addr}]")],
        Event::RestoreFailed { command, error } => vec![format!(
            "[not restored after reconnecting: {}: {}]",
            text::abbreviate(command),
            text::display(restore_error(error).as_bytes())
        )],
        // An event a newer client knows of: nothing to show for it.
        _ => Vec::new(),
    }
}

/// A connection event as JSON objects (one per line, without newlines);
/// nothing for frames.
pub fn event_json(event: &Event, addr: &str) -> Vec<String> {
    let value = match event {
        Event::Frames(_) => return Vec::new(),
        Event::Dropped { counts } => {
            return counts
                .iter()
                .map(|(proto, n)| {
                    json_line(&json!({ "type": "dropped", "protocol": proto, "count": n }))
                })
                .collect()
        }
        Event::Disconnected { reason } => json!({
            "type": "disconnected",
            "addr": addr,
            "reason": reason.to_string(),
            "terminated": reason.is_terminated(),
        }),
        Event::Reconnecting { attempt, delay } => json!({
            "type": "reconnecting",
            "attempt": attempt,
            "delay_s": three_decimals(delay.as_secs_f64()),
        }),
        Event::ReconnectFailed { attempt, error } => json!({
            "type": "reconnect_failed",
            "attempt": attempt,
            "error": error_chain(error),
        }),
        Event::Reconnected { info } => json!({
            "type": "reconnected",
            "addr": addr,
            "server": info.name,
        }),
        Event::RestoreFailed { command, error } => json!({
            "type": "restore_failed",
            "addr": addr,
            "command": command,
            "error": restore_error(error),
        }),
        _ => return Vec::new(),
    };
    vec![json_line(&value)]
}

/// Why a subscription was not put back: the server's ERROR text, or why
/// the command could not be sent.
fn restore_error(error: &kismet_client::Error) -> String {
    match error {
        kismet_client::Error::Server(reply) => reply.text.clone(),
        e => error_chain(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kismet_client::DisconnectReason;
    use std::time::Duration;

    /// Connection events read as bracketed lines, server text neutralised.
    #[test]
    fn notices() {
        let n = |e: Event| event_notices(&e, "10.0.0.5:2501");
        assert_eq!(
            n(Event::Dropped {
                counts: vec![("SSID".into(), 1234), ("CLIENT".into(), 1)]
            }),
            ["[1234 SSID frames dropped]", "[1 CLIENT frame dropped]"]
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

    /// A subscription refused after a reconnect reads as what was not put
    /// back and the server's reason, in both forms.
    #[test]
    fn restore_failed() {
        let refused = || Event::RestoreFailed {
            command: "ENABLE SSID ssid,mac".into(),
            error: kismet_client::Error::Server(Box::new(kismet_client::Reply {
                id: 40,
                command: "ENABLE SSID ssid,mac".into(),
                kind: kismet_client::ReplyKind::Error,
                text: "Unknown protocol: 'SSID'\x1b".into(),
                latency: Duration::ZERO,
                raw: Vec::new(),
                data: Vec::new(),
            })),
        };
        assert_eq!(
            event_notices(&refused(), "h:1"),
            ["[not restored after reconnecting: ENABLE SSID ssid,mac: Unknown protocol: 'SSID'\\x1b]"]
        );
        let json: serde_json::Value =
            serde_json::from_str(&event_json(&refused(), "h:1")[0]).unwrap();
        assert_eq!(json["type"], "restore_failed");
        assert_eq!(json["command"], "ENABLE SSID ssid,mac");
        assert_eq!(json["error"], "Unknown protocol: 'SSID'\x1b");
    }
}
