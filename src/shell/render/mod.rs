//! Turning frames and outcomes into text lines, JSON lines and tables.
//!
//! Every byte from the server goes through [`text::display`] (text),
//! [`text::json_bytes`] (frames as JSON) or [`json_line`] (other JSON,
//! the same rule) on its way out: nothing off the wire reaches the terminal
//! raw.
//!
//! - [`frame`]: one frame as a text line or a JSON object
//! - [`reply`]: replies and the data lines they carry
//! - [`events`]: connection notices as lines and JSON objects
//! - [`tables`]: printed tables and the status report
//! - [`time`]: times in the local zone and in RFC 3339
//! - [`layout`]: terminal width, word wrapping, counted nouns
//! - [`json`](mod@json): JSON lines other than frames (serde_json, terminal-safe)
//! - [`csv`]: CSV rows
//! - [`devices`]: the `networks`, `clients` and `stations` lists
//! - [`detail`]: one network in detail (`network NET`)
//! - [`gps`]: the `gps` report and the watch view's GPS label
//! - [`channels`]: the `channels` list
//! - [`paint`]: colour that means something (encryption, signal)

use std::fmt::Write as _;

pub mod alerts;
pub mod channels;
pub mod csv;
pub mod detail;
pub mod devices;
pub mod events;
pub mod fleet;
pub mod frame;
pub mod gps;
pub mod json;
pub mod layout;
pub mod paint;
pub mod reply;
pub mod rows;
pub mod sources;
pub mod tables;
pub mod time;

pub use events::{event_json, event_notices};
pub use frame::{frame_json, frame_text, FrameJson};
pub use reply::{reply_json, reply_text};
pub use tables::{fields_table, protocols_table, status_text};
pub use time::duration_text;

use serde_json::{json, Map, Value};

use super::outcome::Outcome;
use json::{json_line, three_decimals};
use kismet_protocol::text;
use layout::{plural, wrap};

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
    /// Tables as CSV with a header row (frames too: a header row before the
    /// first frame of each field list).
    Csv,
}

/// An outcome as text (empty for none), for a terminal `width` columns
/// wide: prose is wrapped at word boundaries, tables fit.
pub fn outcome_text(o: &Outcome, width: Option<usize>) -> String {
    outcome_text_painted(o, width, false)
}

/// [`outcome_text`], with meaningful cells of tables coloured when
/// `color` (see [`paint`]): for a terminal, `NO_COLOR` unset.
pub fn outcome_text_painted(o: &Outcome, width: Option<usize>, color: bool) -> String {
    match o {
        Outcome::Nothing | Outcome::Quit | Outcome::Clear => String::new(),
        Outcome::Note(text) => wrap_to(text, width),
        Outcome::Wide(o) => outcome_text_painted(o, None, color),
        Outcome::Protocols(rows) => protocols_table(rows, width),
        Outcome::Fields {
            protocol,
            fields,
            enabled,
        } => format!(
            "{protocol}: {} fields\n{}",
            fields.len(),
            fields_table(fields, enabled.as_deref(), width)
        ),
        Outcome::Reply(r) => wrap_to(&reply_text(r), width),
        Outcome::Status(s) => status_text(s, width),
        Outcome::Help { topic, text } => match width {
            Some(w) => crate::shell::commands::help_text_at(topic.as_deref(), w)
                .unwrap_or_else(|_| wrap_to(text, width)),
            None => text.clone(),
        },
        Outcome::Paused => wrap_to(
            "output paused (frames that come meanwhile are skipped and counted); resume to show frames again",
            width,
        ),
        Outcome::Resumed { skipped: 0 } => "output resumed".into(),
        Outcome::Resumed { skipped } => format!(
            "output resumed ({} skipped while paused)",
            plural(*skipped, "frame")
        ),
        Outcome::Connected {
            addr,
            server,
            protocols,
            restored,
            failed,
        } => {
            let mut t = format!(
                "connected to {} at {addr}: {}",
                text::display(server.as_bytes()),
                plural(*protocols as u64, "protocol")
            );
            if !restored.is_empty() {
                let _ = write!(t, "; enabled again: {}", restored.join(", "));
            }
            for (proto, why) in failed {
                let _ = write!(t, "\nnot enabled again: {proto}: {why}");
            }
            wrap_to(&t, width)
        }
        Outcome::Disconnected { addr } => {
            format!("disconnected from {addr}; reconnect or connect HOST to go on")
        }
        Outcome::Rows(r) => rows::rows_text(r, width),
        Outcome::Networks {
            rows,
            now,
            distances,
            as_of,
        } => with_as_of(
            devices::networks_table(rows, *now, width, distances.as_deref(), color),
            *as_of,
        ),
        Outcome::Clients {
            rows,
            now,
            distances,
            as_of,
            hidden,
        } => with_as_of(
            devices::clients_table(rows, *now, width, distances.as_deref(), hidden, color),
            *as_of,
        ),
        Outcome::Stations { rows, now, as_of } => {
            with_as_of(devices::stations_table(rows, *now, width, color), *as_of)
        }
        Outcome::Network(r) => with_as_of(detail::network_text(r, width), r.as_of),
        Outcome::Gps(r) => gps::gps_text(r),
        Outcome::Sources(rows) => sources::sources_table(rows, width),
        Outcome::Servers(rows) => fleet::servers_table(rows, width),
        Outcome::Alerts(list) => alerts::alerts_table(list, width),
        Outcome::Channels(v) => channels::channels_table(v, width, color),
        Outcome::Rules(rules) if rules.is_empty() => {
            "no filter and no only set (help filter, help only)".to_string()
        }
        Outcome::Rules(rules) => {
            let mut t = String::new();
            for r in rules {
                let p = text::display(r.protocol.as_bytes());
                if let Some(f) = &r.filter {
                    let _ = writeln!(t, "filter {p} {}", text::display(f.as_bytes()));
                }
                if let Some(e) = &r.filter_error {
                    let _ = writeln!(
                        t,
                        "  (not valid for the fields enabled now, nothing is shown: {})",
                        text::display(e.as_bytes())
                    );
                }
                if r.only != crate::shell::display::Only::All {
                    let _ = writeln!(t, "only {p} {}", r.only.word());
                }
            }
            wrap_to(t.trim_end(), width)
        }
        Outcome::Settings(s) => {
            let on = |b: bool| if b { "on" } else { "off" };
            format!(
                "timestamps  {:<5} frame lines start with their receive time\n\
                 decode      {:<5} frame lines show decoded values\n\
                 color       {:<5} colour: protocol names, ENC, PWR (on a terminal)\n\
                 rate        {:<5} most frame lines shown per 0.1 s\n\
                 alerts      {:<5} new alerts shown above the prompt\n\
                 bell        {:<5} the terminal bell rings on a new alert",
                on(s.timestamps),
                on(s.decode),
                on(s.color),
                s.rate_limit,
                on(s.alerts),
                on(s.bell)
            )
        }
    }
}

/// `text` wrapped to `width` columns, or as it is without a width.
fn wrap_to(text: &str, width: Option<usize>) -> String {
    match width {
        Some(w) => wrap(text, w),
        None => text.to_string(),
    }
}

/// Row `i`'s distance, with `near`.
fn nth(distances: &Option<Vec<f64>>, i: usize) -> Option<f64> {
    distances.as_ref().and_then(|d| d.get(i).copied())
}

/// A table shown while disconnected says how old its data is.
fn with_as_of(table: String, as_of: Option<u64>) -> String {
    match as_of {
        // The server's time unknown (it never sent TIME).
        Some(0) => format!("{table}\ndata as of the last frame received, disconnected"),
        Some(t) => format!(
            "{table}\ndata as of {}, disconnected",
            &time::clock_text(t * 1000)[..8]
        ),
        None => table,
    }
}

/// A server time (epoch seconds) when known: the server writes 0 for
/// one it does not know.
fn known_time(t: Option<u64>) -> Option<u64> {
    t.filter(|&t| t != 0)
}

/// An outcome as one JSON line (without newline); `None` for nothing.
pub fn outcome_json(o: &Outcome) -> Option<String> {
    let value = match o {
        Outcome::Nothing | Outcome::Quit | Outcome::Clear => return None,
        Outcome::Protocols(rows) => {
            let rows: Vec<Value> = rows
                .iter()
                .map(|r| {
                    json!({
                        "protocol": r.protocol,
                        "fields": r.fields,
                        "enabled": r.enabled,
                        "frames": r.frames,
                    })
                })
                .collect();
            json!({ "type": "protocols", "protocols": rows })
        }
        Outcome::Fields {
            protocol,
            fields,
            enabled,
        } => json!({
            "type": "fields",
            "protocol": protocol,
            "fields": fields,
            "enabled": enabled,
        }),
        Outcome::Reply(r) => return Some(reply_json(r)),
        Outcome::Status(r) => {
            let rows: Vec<Value> = r
                .rows()
                .into_iter()
                .map(|row| {
                    json!({
                        "protocol": row.protocol,
                        "frames": row.frames,
                        "shown": row.shown,
                        "filtered": row.filtered,
                        "limited": row.limited,
                        "per_second": three_decimals(row.per_second),
                        "dropped": row.dropped,
                    })
                })
                .collect();
            let dropped: Map<String, Value> = r
                .dropped
                .iter()
                .map(|(p, n)| (p.clone(), Value::from(*n)))
                .collect();
            json!({
                "type": "status",
                "server": r.server_name,
                "addr": r.addr,
                "connected": r.connected,
                "server_start": known_time(Some(r.server_start)).map(time::rfc3339),
                "server_start_epoch": known_time(Some(r.server_start)),
                "server_time": known_time(r.server_time).map(time::rfc3339),
                "server_time_epoch": known_time(r.server_time),
                "uptime_s": three_decimals(r.uptime.as_secs_f64()),
                "pending": r.pending,
                "malformed": r.malformed,
                "overlong": r.overlong,
                "connections": r.connections,
                "protocols": rows,
                "dropped": dropped,
                "database": r.database,
            })
        }
        Outcome::Help { text, .. } => json!({ "type": "help", "text": text }),
        Outcome::Rows(r) if r.rows.is_empty() => return None,
        Outcome::Rows(r) => return Some(rows::rows_json(r).join("\n")),
        Outcome::Networks { rows, .. } if rows.is_empty() => return None,
        Outcome::Clients { rows, .. } if rows.is_empty() => return None,
        Outcome::Networks {
            rows, distances, ..
        } => {
            let lines: Vec<String> = (rows.iter().enumerate())
                .map(|(i, n)| devices::network_json(n, nth(distances, i)))
                .collect();
            return Some(lines.join("\n"));
        }
        Outcome::Clients {
            rows, distances, ..
        } => {
            let lines: Vec<String> = (rows.iter().enumerate())
                .map(|(i, c)| devices::client_json(c, nth(distances, i)))
                .collect();
            return Some(lines.join("\n"));
        }
        Outcome::Stations { rows, .. } if rows.is_empty() => return None,
        Outcome::Stations { rows, .. } => {
            let lines: Vec<String> = rows.iter().map(devices::station_json).collect();
            return Some(lines.join("\n"));
        }
        Outcome::Network(r) => return Some(detail::network_detail_json(r)),
        Outcome::Gps(r) => return Some(gps::gps_json(r)),
        Outcome::Sources(rows) => return sources::sources_json(rows),
        Outcome::Servers(rows) => {
            let lines: Vec<String> = (rows.iter())
                .map(|r| json::json_line(&fleet::server_value(r)))
                .collect();
            return Some(lines.join("\n"));
        }
        Outcome::Alerts(list) => return alerts::alerts_json(list),
        Outcome::Channels(v) => return channels::channels_json(v),
        Outcome::Rules(rules) => {
            let rules: Vec<Value> = rules
                .iter()
                .map(|r| {
                    json!({
                        "protocol": r.protocol,
                        "filter": r.filter,
                        "filter_error": r.filter_error,
                        "only": r.only.word(),
                    })
                })
                .collect();
            json!({ "type": "rules", "rules": rules })
        }
        Outcome::Settings(st) => json!({
            "type": "settings",
            "timestamps": st.timestamps,
            "decode": st.decode,
            "color": st.color,
            "rate": st.rate_limit,
            "alerts": st.alerts,
            "bell": st.bell,
        }),
        Outcome::Note(text) => json!({ "type": "note", "text": text }),
        Outcome::Wide(o) => return outcome_json(o),
        Outcome::Paused => json!({ "type": "paused", "paused": true }),
        Outcome::Resumed { skipped } => json!({
            "type": "paused",
            "paused": false,
            "skipped": skipped,
        }),
        Outcome::Connected {
            addr,
            server,
            protocols,
            restored,
            failed,
        } => {
            let failed: Map<String, Value> = failed
                .iter()
                .map(|(p, why)| (p.clone(), Value::from(why.as_str())))
                .collect();
            json!({
                "type": "connected",
                "addr": addr,
                "server": server,
                "protocols": protocols,
                "restored": restored,
                "failed": failed,
            })
        }
        Outcome::Disconnected { addr } => json!({
            "type": "disconnected",
            "addr": addr,
            "reason": "disconnected",
            "terminated": false,
        }),
    };
    Some(json_line(&value))
}

/// An outcome as CSV rows with a header row; `None` for outcomes that are
/// not tables (they are printed as text).
pub fn outcome_csv(o: &Outcome) -> Option<String> {
    let mut s = String::new();
    match o {
        Outcome::Wide(o) => return outcome_csv(o),
        Outcome::Protocols(rows) => {
            csv::row(&mut s, &["protocol", "fields", "enabled", "frames"]);
            for r in rows {
                let enabled = r.enabled.as_ref().map_or(String::new(), |e| e.join(" "));
                csv::row(
                    &mut s,
                    &[
                        csv::wire(r.protocol.as_bytes()),
                        r.fields.len().to_string(),
                        csv::wire(enabled.as_bytes()),
                        r.frames.to_string(),
                    ],
                );
            }
        }
        Outcome::Fields {
            protocol,
            fields,
            enabled,
        } => {
            csv::row(&mut s, &["protocol", "index", "field", "enabled_position"]);
            for (i, f) in fields.iter().enumerate() {
                let pos = enabled
                    .as_ref()
                    .and_then(|e| e.iter().position(|x| x == f))
                    .map_or(String::new(), |p| p.to_string());
                csv::row(
                    &mut s,
                    &[
                        csv::wire(protocol.as_bytes()),
                        i.to_string(),
                        csv::wire(f.as_bytes()),
                        pos,
                    ],
                );
            }
        }
        Outcome::Status(r) => {
            csv::row(
                &mut s,
                &[
                    "protocol",
                    "frames",
                    "shown",
                    "filtered",
                    "limited",
                    "per_second",
                    "dropped",
                ],
            );
            for row in r.rows() {
                csv::row(
                    &mut s,
                    &[
                        csv::wire(row.protocol.as_bytes()),
                        row.frames.to_string(),
                        row.shown.to_string(),
                        row.filtered.to_string(),
                        row.limited.to_string(),
                        format!("{:.3}", row.per_second),
                        row.dropped.to_string(),
                    ],
                );
            }
        }
        Outcome::Rows(r) => s = rows::rows_csv(r),
        Outcome::Networks {
            rows, distances, ..
        } => s = devices::networks_csv(rows, distances.as_deref()),
        Outcome::Clients {
            rows, distances, ..
        } => s = devices::clients_csv(rows, distances.as_deref()),
        Outcome::Stations { rows, .. } => s = devices::stations_csv(rows),
        // The network's row, as `networks` writes it.
        Outcome::Network(r) => s = devices::networks_csv(std::slice::from_ref(&r.network), None),
        Outcome::Sources(rows) => s = sources::sources_csv(rows),
        Outcome::Servers(rows) => s = fleet::servers_csv(rows),
        Outcome::Alerts(list) => s = alerts::alerts_csv(list),
        Outcome::Channels(v) => s = channels::channels_csv(v),
        Outcome::Reply(r) => {
            csv::row(&mut s, &["type", "id", "command", "text", "latency_ms"]);
            let kind = match r.kind {
                kismet_client::ReplyKind::Ack => "ack",
                kismet_client::ReplyKind::Error => "error",
                kismet_client::ReplyKind::Terminate => "terminate",
            };
            csv::row(
                &mut s,
                &[
                    kind.to_string(),
                    r.id.to_string(),
                    csv::wire(r.command.as_bytes()),
                    csv::wire(r.text.as_bytes()),
                    format!("{:.3}", r.latency.as_secs_f64() * 1000.0),
                ],
            );
        }
        _ => return None,
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::display::{Only, RuleView};

    /// `status` gives the server's start and clock as RFC 3339 UTC, as the
    /// devices' times are, with the epoch seconds beside them under
    /// `_epoch` keys; `null` for both when not known (before: the start as
    /// a bare epoch number).
    #[test]
    fn status_json_times_are_rfc3339_with_epoch_beside_or_null() {
        let report = |start, time| crate::shell::outcome::StatusReport {
            server_name: "Kismet".into(),
            server_name_bytes: b"Kismet".to_vec(),
            addr: "h:2501".into(),
            connected: true,
            server_start: start,
            server_time: time,
            uptime: std::time::Duration::from_millis(1500),
            rates: Vec::new(),
            shown: Vec::new(),
            dropped: Vec::new(),
            malformed: 0,
            overlong: 0,
            pending: 0,
            connections: 1,
            paused: false,
            database: None,
        };
        let json = |r| -> Value {
            serde_json::from_str(&outcome_json(&Outcome::Status(r)).unwrap()).unwrap()
        };
        let v = json(report(1_795_678_119, Some(1_795_678_129)));
        assert_eq!(v["server_start"], "2026-11-26T07:28:39Z");
        assert_eq!(v["server_start_epoch"], 1_795_678_119);
        assert_eq!(v["server_time"], "2026-11-26T07:28:49Z");
        assert_eq!(v["server_time_epoch"], 1_795_678_129);
        let v = json(report(0, None));
        for key in [
            "server_start",
            "server_start_epoch",
            "server_time",
            "server_time_epoch",
        ] {
            assert!(v[key].is_null(), "{key}: {v}");
        }
    }

    /// Lists, maps and missing values in JSON outcomes, byte for byte.
    #[test]
    fn outcome_json_lists_maps_and_nulls() {
        let rules = Outcome::Rules(vec![
            RuleView {
                protocol: "SSID".into(),
                filter: Some("ssid ~ \"^Caf\"".into()),
                filter_error: None,
                only: Only::New,
            },
            RuleView {
                protocol: "CLIENT".into(),
                filter: None,
                filter_error: Some("no field x".into()),
                only: Only::All,
            },
        ]);
        assert_eq!(
            outcome_json(&rules).unwrap(),
            r#"{"type":"rules","rules":[{"protocol":"SSID","filter":"ssid ~ \"^Caf\"","filter_error":null,"only":"new"},{"protocol":"CLIENT","filter":null,"filter_error":"no field x","only":"all"}]}"#
        );
        assert_eq!(
            outcome_json(&Outcome::Rules(Vec::new())).unwrap(),
            r#"{"type":"rules","rules":[]}"#
        );
        let connected = Outcome::Connected {
            addr: "h:1".into(),
            server: "S".into(),
            protocols: 3,
            restored: vec!["TIME".into()],
            failed: vec![("GPS".into(), "gone".into()), ("X".into(), "y".into())],
        };
        assert_eq!(
            outcome_json(&connected).unwrap(),
            r#"{"type":"connected","addr":"h:1","server":"S","protocols":3,"restored":["TIME"],"failed":{"GPS":"gone","X":"y"}}"#
        );
        let fields = Outcome::Fields {
            protocol: "GPS".into(),
            fields: vec!["lat".into(), "lon".into()],
            enabled: None,
        };
        assert_eq!(
            outcome_json(&fields).unwrap(),
            r#"{"type":"fields","protocol":"GPS","fields":["lat","lon"],"enabled":null}"#
        );
    }
}
