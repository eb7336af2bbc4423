//! The `channels` list: activity per channel (networks, packets per
//! second, the strongest signal), 2.4 GHz and 5 GHz apart, as tables, as
//! typed JSON objects and as CSV.

use serde_json::{json, Value};

use super::csv;
use super::devices::fitted_table;
use super::json::json_line;
use kismet_client::{Band, ChannelSource, ChannelView, ChannelsView};

/// The table's columns.
const COLUMNS: [&str; 4] = ["CH", "NETWORKS", "PKTS/S", "SIGNAL"];

/// A rate of packets a second as shown: one decimal; empty when unknown.
pub fn rate_text(rate: Option<f64>) -> String {
    rate.map_or(String::new(), |r| format!("{r:.1}"))
}

/// A signal as shown: `-45 dBm`; empty when unknown.
pub fn signal_text(dbm: Option<i32>) -> String {
    dbm.map_or(String::new(), |d| format!("{d} dBm"))
}

/// Where the numbers come from, as a sentence.
pub fn source_note(source: ChannelSource) -> &'static str {
    match source {
        ChannelSource::Server => "from the server's CHANNEL lines (every 2 s)",
        ChannelSource::Networks => {
            "from the networks (the server sent no CHANNEL line); packets/s over the last 10 s"
        }
    }
}

/// The channels of one band.
pub fn in_band(v: &ChannelsView, band: Band) -> Vec<&ChannelView> {
    v.channels.iter().filter(|c| c.band() == band).collect()
}

/// A channel's cells, in [`COLUMNS`] order.
fn cells(c: &ChannelView) -> Vec<String> {
    vec![
        c.channel.to_string(),
        c.networks.map_or(String::new(), |n| n.to_string()),
        rate_text(c.packets_per_s),
        signal_text(c.max_signal_dbm),
    ]
}

/// The channels as one table per band (2.4 GHz and 5 GHz always, other
/// when any), each under its heading, then where the numbers come from;
/// SIGNAL graded in colour when `color`.
pub fn channels_table(v: &ChannelsView, width: Option<usize>, color: bool) -> String {
    if v.channels.is_empty() {
        return format!("no channel activity seen yet ({})", source_note(v.source));
    }
    let mut out = String::new();
    for band in Band::ALL {
        let rows: Vec<Vec<String>> = in_band(v, band).into_iter().map(cells).collect();
        if rows.is_empty() && band == Band::Other {
            continue;
        }
        out.push_str(band.label());
        out.push('\n');
        if rows.is_empty() {
            out.push_str("  no activity\n");
        } else {
            out.push_str(&fitted_table(&COLUMNS, &rows, width, &[], color));
            out.push('\n');
        }
    }
    out.push_str(source_note(v.source));
    out
}

/// A channel as one JSON object, as a value.
pub fn channel_value(c: &ChannelView, source: ChannelSource) -> Value {
    json!({
        "type": "channel",
        "channel": c.channel,
        "band": c.band().label(),
        "networks": c.networks,
        "packets_per_s": c.packets_per_s,
        "max_signal_dbm": c.max_signal_dbm,
        "source": source.word(),
    })
}

/// The channels, one JSON object a line; `None` when there are none.
pub fn channels_json(v: &ChannelsView) -> Option<String> {
    if v.channels.is_empty() {
        return None;
    }
    let lines: Vec<String> = (v.channels.iter())
        .map(|c| json_line(&channel_value(c, v.source)))
        .collect();
    Some(lines.join("\n"))
}

/// The channels as CSV with a header row, the columns of the JSON objects.
pub fn channels_csv(v: &ChannelsView) -> String {
    let mut out = String::new();
    let header = [
        "channel",
        "band",
        "networks",
        "packets_per_s",
        "max_signal_dbm",
        "source",
    ];
    csv::row(&mut out, &header);
    let opt = |n: Option<String>| n.unwrap_or_default();
    for c in &v.channels {
        csv::row(
            &mut out,
            &[
                c.channel.to_string(),
                c.band().label().to_string(),
                opt(c.networks.map(|n| n.to_string())),
                opt(c.packets_per_s.map(|r| r.to_string())),
                opt(c.max_signal_dbm.map(|d| d.to_string())),
                v.source.word().to_string(),
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> ChannelsView {
        let ch = |channel, networks, rate, signal| ChannelView {
            channel,
            networks: Some(networks),
            packets_per_s: rate,
            max_signal_dbm: signal,
        };
        ChannelsView {
            source: ChannelSource::Server,
            channels: vec![
                ch(1, 2, Some(4.5), Some(-51)),
                ch(6, 1, Some(0.0), Some(-80)),
                ch(36, 3, None, None),
            ],
        }
    }

    /// The table puts 2.4 GHz and 5 GHz channels under their own
    /// headings, says where the numbers come from, and fits 80 columns.
    #[test]
    fn channels_table_groups_bands_and_names_its_source() {
        let t = channels_table(&view(), Some(80), false);
        let at = |s: &str| t.find(s).unwrap_or_else(|| panic!("{s} in\n{t}"));
        assert!(at("2.4 GHz") < at("│ 6 ") && at("│ 6 ") < at("5 GHz"));
        assert!(at("5 GHz") < at("│ 36 "));
        assert!(!t.contains("other"));
        assert!(t.contains("4.5") && t.contains("-51 dBm"));
        assert!(t.ends_with(source_note(ChannelSource::Server)));
        assert!(t
            .lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80));
        assert!(!t.contains('\x1b'));
    }

    /// With colour, only SIGNAL cells carry escape codes: -51 green, -80
    /// red; without it, none.
    #[test]
    fn channels_table_colours_only_signal_cells() {
        let t = channels_table(&view(), Some(80), true);
        // comfy-table writes Green and Red as 256-colour codes 10 and 9.
        assert!(t.contains("\x1b[38;5;10m -51 dBm"), "{t:?}");
        assert!(t.contains("\x1b[38;5;9m -80 dBm"), "{t:?}");
        for line in t.lines().filter(|l| l.contains('\x1b')) {
            assert!(line.contains("dBm"), "{line:?}");
        }
    }

    /// JSON objects carry numbers as numbers and null for unknown; CSV has
    /// the same columns.
    #[test]
    fn channels_json_and_csv_are_typed() {
        let lines = channels_json(&view()).expect("lines");
        let first: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
        assert_eq!(
            first,
            json!({"type":"channel","channel":1,"band":"2.4 GHz","networks":2,
                   "packets_per_s":4.5,"max_signal_dbm":-51,"source":"server"})
        );
        let last: Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
        assert_eq!(last["packets_per_s"], Value::Null);
        let csv = channels_csv(&view());
        assert_eq!(
            csv.lines().next(),
            Some("channel,band,networks,packets_per_s,max_signal_dbm,source")
        );
        assert!(csv.contains("\n36,5 GHz,3,,,server"));
    }
}
