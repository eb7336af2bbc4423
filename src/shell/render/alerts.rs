//! Alerts: the `alerts` table, typed JSON objects, CSV, and the line a
//! new alert shows as above the prompt. Every text the server sent is
//! sanitised for the terminal; JSON and CSV keep it as decoded.

use serde_json::{json, Value};

use super::csv;
use super::devices::fitted_table;
use super::json::json_line;
use super::time::{clock_text, rfc3339_ms};
use kismet_client::{Alert, AlertList};
use kismet_protocol::text;

/// The table's columns.
pub const ALERT_COLUMNS: [&str; 7] = ["TIME", "TYPE", "BSSID", "SOURCE", "DEST", "CH", "TEXT"];

/// Columns dropped first when the terminal is narrow (the text is cut
/// after that).
pub const ALERT_DROP_ORDER: [&str; 3] = ["DEST", "SOURCE", "BSSID"];

/// Bold yellow, for a new alert's line.
const YELLOW: &str = "\x1b[1;33m";
/// Back to normal.
const RESET: &str = "\x1b[0m";

/// An alert's time in milliseconds since the epoch (0 before it).
pub fn alert_millis(a: &Alert) -> u64 {
    if a.time.is_finite() && a.time > 0.0 {
        (a.time * 1000.0).round() as u64
    } else {
        0
    }
}

/// An alert's time as local time of day, `HH:MM:SS`.
pub fn alert_clock(a: &Alert) -> String {
    clock_text(alert_millis(a)).chars().take(8).collect()
}

/// A text field for the terminal: sanitised, empty when not sent.
fn shown(v: &Option<String>) -> String {
    v.as_deref()
        .map_or(String::new(), |t| text::display(t.as_bytes()))
}

/// An alert's cells, in the order of the table's columns.
pub fn alert_cells(a: &Alert) -> Vec<String> {
    vec![
        alert_clock(a),
        shown(&a.header),
        shown(&a.bssid),
        shown(&a.source),
        shown(&a.dest),
        a.channel.map_or(String::new(), |c| c.to_string()),
        shown(&a.text),
    ]
}

/// The alerts as a table fitted to `width` (`None`: every column whole),
/// oldest first, with a line under it when older ones were dropped.
pub fn alerts_table(list: &AlertList, width: Option<usize>) -> String {
    if list.alerts.is_empty() {
        return "no alert so far".to_string();
    }
    let rows: Vec<Vec<String>> = list.alerts.iter().map(alert_cells).collect();
    let mut out = fitted_table(&ALERT_COLUMNS, &rows, width, &ALERT_DROP_ORDER, false);
    if list.dropped > 0 {
        out.push_str(&format!(
            "\n{} older alerts not kept (the last {} are)",
            list.dropped,
            kismet_client::MAX_ALERTS
        ));
    }
    out
}

/// An alert as one JSON object, as a value: `{"type":"alert","time":
/// RFC 3339 UTC, "header":..., "channel": a number, ...}`, `null` for
/// what the server did not send.
pub fn alert_value(a: &Alert) -> Value {
    let time = alert_millis(a);
    json!({
        "type": "alert",
        "time": (time > 0).then(|| rfc3339_ms(time)),
        "header": a.header,
        "bssid": a.bssid,
        "source": a.source,
        "dest": a.dest,
        "channel": a.channel,
        "text": a.text,
    })
}

/// An alert as one JSON line, without a newline.
pub fn alert_json(a: &Alert) -> String {
    json_line(&alert_value(a))
}

/// The alerts, one JSON object a line, oldest first; `None` when there
/// are none.
pub fn alerts_json(list: &AlertList) -> Option<String> {
    if list.alerts.is_empty() {
        return None;
    }
    let lines: Vec<String> = list.alerts.iter().map(alert_json).collect();
    Some(lines.join("\n"))
}

/// The alerts as CSV with a header row, the fields of the JSON objects.
pub fn alerts_csv(list: &AlertList) -> String {
    let mut out = String::new();
    let header = [
        "time", "header", "bssid", "source", "dest", "channel", "text",
    ];
    csv::row(&mut out, &header);
    let wire = |v: &Option<String>| {
        v.as_deref()
            .map_or(String::new(), |t| csv::wire(t.as_bytes()))
    };
    for a in &list.alerts {
        let time = alert_millis(a);
        csv::row(
            &mut out,
            &[
                if time > 0 {
                    rfc3339_ms(time)
                } else {
                    String::new()
                },
                wire(&a.header),
                wire(&a.bssid),
                wire(&a.source),
                wire(&a.dest),
                a.channel.map_or(String::new(), |c| c.to_string()),
                wire(&a.text),
            ],
        );
    }
    out
}

/// A new alert as the line shown above the prompt:
/// `[alert 11:42:45 DEAUTHFLOOD ch 6 00:14:6C:A1:00:01] TEXT`, wrapped
/// between words to `width`; with `color`, bold yellow up to the `]`
/// (or the end of the first line).
pub fn alert_notice(a: &Alert, color: bool, width: usize) -> String {
    let mut line = format!("[alert {}", alert_clock(a));
    let header = shown(&a.header);
    if !header.is_empty() {
        line.push(' ');
        line.push_str(&header);
    }
    if let Some(c) = a.channel {
        line.push_str(&format!(" ch {c}"));
    }
    let bssid = shown(&a.bssid);
    if !bssid.is_empty() {
        line.push(' ');
        line.push_str(&bssid);
    }
    line.push(']');
    let body = shown(&a.text);
    if !body.is_empty() {
        line.push(' ');
        line.push_str(&body);
    }
    let mut out = super::layout::wrap(&line, width);
    if color {
        let end = out
            .find([']', '\n'])
            .map_or(out.len(), |i| i + usize::from(out[i..].starts_with(']')));
        out.insert_str(end, RESET);
        out.insert_str(0, YELLOW);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert() -> Alert {
        Alert {
            time: 1_795_678_119.25,
            header: Some("DEAUTHFLOOD".into()),
            bssid: Some("00:14:6C:A1:00:01".into()),
            source: Some("00:14:6C:A1:00:01".into()),
            dest: Some("00:21:6A:00:00:07".into()),
            text: Some("Deauthenticate/Disassociate flood\x1b[2J on 00:14:6C:A1:00:01".into()),
            channel: Some(6),
            at: None,
        }
    }

    /// The JSON object is typed, its time RFC 3339 UTC, its channel a
    /// number, what was not sent null, the text as decoded.
    #[test]
    fn alert_json_is_typed() {
        let mut a = alert();
        a.source = None;
        let v: Value = serde_json::from_str(&alert_json(&a)).unwrap();
        assert_eq!(v["type"], "alert");
        assert_eq!(v["time"], "2026-11-26T07:28:39.250Z");
        assert_eq!(v["channel"], 6);
        assert_eq!(v["source"], Value::Null);
        assert_eq!(v["header"], "DEAUTHFLOOD");
        assert!(v["text"].as_str().unwrap().contains('\x1b'));
    }

    /// The table fits 80 columns (addresses dropped, then the text cut)
    /// and never shows a control character; the notice neither, and is
    /// coloured only when asked.
    #[test]
    fn alert_table_and_notice_fit_and_are_sanitised() {
        let list = AlertList {
            alerts: vec![alert(), alert()],
            dropped: 3,
            total: 5,
        };
        let t = alerts_table(&list, Some(80));
        for l in t.lines() {
            assert!(unicode_width::UnicodeWidthStr::width(l) <= 80, "{t}");
        }
        assert!(
            t.contains("DEAUTHFLOOD") && t.contains("3 older alerts"),
            "{t}"
        );
        assert!(!t.contains('\x1b'), "{t}");
        let wide = alerts_table(&list, None);
        assert!(wide.contains("SOURCE") && wide.contains("00:21:6A:00:00:07"));
        let plain = alert_notice(&alert(), false, 80);
        assert!(
            plain.starts_with("[alert ") && !plain.contains('\x1b'),
            "{plain}"
        );
        assert!(
            plain.contains("DEAUTHFLOOD ch 6 00:14:6C:A1:00:01]"),
            "{plain}"
        );
        for l in plain.lines() {
            assert!(unicode_width::UnicodeWidthStr::width(l) <= 80, "{plain}");
        }
        let coloured = alert_notice(&alert(), true, 80);
        assert!(coloured.starts_with(YELLOW), "{coloured:?}");
        let head_end = format!("00:14:6C:A1:00:01]{RESET} ");
        assert!(coloured.contains(&head_end), "{coloured:?}");
        let csv = alerts_csv(&list);
        assert!(csv.starts_with("time,header,bssid,source,dest,channel,text\n"));
        assert_eq!(csv.lines().count(), 3);
    }
}
