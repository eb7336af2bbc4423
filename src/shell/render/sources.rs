//! The `sources` list: the server's capture sources as a table, as typed
//! JSON objects (numbers as numbers) and as CSV.

use serde_json::{json, Value};

use super::csv;
use super::devices::fitted_table;
use super::json::json_line;
use kismet_client::SourceView;
use kismet_protocol::text;

/// The table's columns.
pub const COLUMNS: [&str; 8] = [
    "NAME",
    "INTERFACE",
    "TYPE",
    "CHANNEL",
    "HOPPING",
    "DWELL",
    "PACKETS",
    "ERRORS/WARNINGS",
];

/// Columns dropped first when the terminal is narrow.
pub const DROP_ORDER: [&str; 4] = ["DWELL", "TYPE", "PACKETS", "INTERFACE"];

/// How a source's hopping shows: `hopping 5/s` (or `hopping 2s` with a
/// dwell), `locked`, or empty when not known.
fn hopping_text(s: &SourceView) -> String {
    match (s.hopping, s.velocity, s.dwell) {
        // On no channel (a file): neither hopping nor locked.
        (Some(false), ..) if s.channel == Some(0) => String::new(),
        (Some(false), ..) => "locked".into(),
        (Some(true), _, Some(d)) if d > 0 => format!("hopping {d}s"),
        (Some(true), Some(v), _) if v > 0 => format!("hopping {v}/s"),
        (Some(true), ..) => "hopping".into(),
        (None, ..) => String::new(),
    }
}

/// A source's error and warning, as one cell.
fn problems(s: &SourceView) -> String {
    let warning = text::display(s.warning.as_bytes());
    match (s.error, warning.is_empty()) {
        (true, true) => "error".into(),
        (true, false) => format!("error: {warning}"),
        (false, _) => warning,
    }
}

/// A source's cells, in the order of the table's columns.
pub fn cells(s: &SourceView) -> Vec<String> {
    let num = |n: Option<u64>| n.map_or(String::new(), |n| n.to_string());
    vec![
        text::display(s.name.as_bytes()),
        text::display(s.interface.as_bytes()),
        text::display(s.source_type.as_bytes()),
        num(s.channel.filter(|&c| c > 0).map(u64::from)),
        hopping_text(s),
        s.dwell
            .filter(|&d| d > 0)
            .map_or(String::new(), |d| format!("{d}s")),
        num(s.packets),
        problems(s),
    ]
}

/// The sources as a table fitted to `width` (`None`: every column whole).
pub fn sources_table(rows: &[SourceView], width: Option<usize>) -> String {
    if rows.is_empty() {
        return "no capture source".to_string();
    }
    let cells: Vec<Vec<String>> = rows.iter().map(cells).collect();
    fitted_table(&COLUMNS, &cells, width, &DROP_ORDER, false)
}

/// A source as one JSON object, as a value.
pub fn source_value(s: &SourceView) -> Value {
    json!({
        "type": "source",
        "name": s.name,
        "uuid": s.uuid,
        "interface": s.interface,
        "source_type": s.source_type,
        "channel": s.channel,
        "hopping": s.hopping,
        "velocity": s.velocity,
        "dwell": s.dwell,
        "packets": s.packets,
        "channel_list": s.channel_list,
        "error": s.error,
        "warning": s.warning,
    })
}

/// The sources, one JSON object a line; `None` when there are none.
pub fn sources_json(rows: &[SourceView]) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let lines: Vec<String> = rows.iter().map(|s| json_line(&source_value(s))).collect();
    Some(lines.join("\n"))
}

/// The sources as CSV with a header row, the columns of the JSON objects.
pub fn sources_csv(rows: &[SourceView]) -> String {
    let mut out = String::new();
    let header = [
        "name",
        "uuid",
        "interface",
        "source_type",
        "channel",
        "hopping",
        "velocity",
        "dwell",
        "packets",
        "channel_list",
        "error",
        "warning",
    ];
    csv::row(&mut out, &header);
    let opt = |n: Option<u64>| n.map_or(String::new(), |n| n.to_string());
    for s in rows {
        let wire = |t: &str| csv::wire(t.as_bytes());
        csv::row(
            &mut out,
            &[
                wire(&s.name),
                wire(&s.uuid),
                wire(&s.interface),
                wire(&s.source_type),
                opt(s.channel.map(u64::from)),
                s.hopping.map_or(String::new(), |h| h.to_string()),
                opt(s.velocity.map(u64::from)),
                opt(s.dwell.map(u64::from)),
                opt(s.packets),
                wire(&s.channel_list),
                s.error.to_string(),
                wire(&s.warning),
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wlan0(hopping: bool) -> SourceView {
        SourceView {
            name: "wlan0".into(),
            uuid: "5f3a0000-0000-0000-0000-000000000001".into(),
            interface: "wlan0mon".into(),
            source_type: "rt2800usb".into(),
            channel: Some(6),
            packets: Some(1547),
            hopping: Some(hopping),
            velocity: Some(5),
            dwell: Some(0),
            channel_list: "IEEE80211b".into(),
            error: false,
            warning: String::new(),
        }
    }

    /// The table shows a hopping source's rate and a locked one as locked;
    /// JSON carries numbers as numbers.
    #[test]
    fn sources_table_says_hopping_or_locked_and_json_has_numbers() {
        let t = sources_table(&[wlan0(true)], None);
        assert!(t.contains("hopping 5/s"), "{t}");
        assert!(t.contains("NAME") && t.contains("wlan0mon"), "{t}");
        let t = sources_table(&[wlan0(false)], None);
        assert!(t.contains("locked"), "{t}");
        let v = source_value(&wlan0(false));
        assert_eq!(v["channel"], 6);
        assert_eq!(v["packets"], 1547);
        assert_eq!(v["hopping"], false);
        assert_eq!(sources_table(&[], None), "no capture source");
    }

    /// A source on no channel (a file: channel 0, not hopping) shows
    /// neither a channel nor `locked`.
    #[test]
    fn file_source_on_channel_0_shows_no_channel_and_is_not_locked() {
        let file = SourceView {
            channel: Some(0),
            ..wlan0(false)
        };
        let row = cells(&file);
        assert_eq!((row[3].as_str(), row[4].as_str()), ("", ""));
        assert_eq!(cells(&wlan0(false))[4], "locked");
    }
}
