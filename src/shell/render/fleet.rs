//! Several servers in one view: the merged networks and clients (with
//! SEEN BY, `seen_by` and the position estimate) and the `servers` list,
//! as tables, JSON objects and CSV.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::csv;
use super::devices::{
    client_cells, client_value, clients_csv, fitted_table, network_cells, network_value,
    networks_csv, CLIENT_COLUMNS, CLIENT_DROP_ORDER, NETWORK_COLUMNS, NETWORK_DROP_ORDER,
};
use super::json::{json_line, three_decimals};
use super::layout::plural;
use super::time::rfc3339;
use crate::shell::outcome::ServerRow;
use kismet_client::fleet::{Estimate, MergedClient, MergedNetwork, SeenBy};
use kismet_protocol::text;

/// The SEEN BY cell: how many servers, and the one with the strongest
/// signal (`2 kitchen`).
fn seen_by_cell(seen_by: &[SeenBy]) -> String {
    match seen_by.first() {
        Some(s) => format!("{} {}", seen_by.len(), text::display(s.server.as_bytes())),
        None => String::new(),
    }
}

/// Columns left out first on a narrow terminal: as for one server, SEEN
/// BY after the signal: with several
/// servers, who heard a device best says more than its signal alone.
fn drop_order<'a>(base: &[&'a str], after: &str) -> Vec<&'a str> {
    let mut order = base.to_vec();
    let at = order.iter().position(|c| *c == after).map_or(0, |i| i + 1);
    order.insert(at, "SEEN BY");
    order
}

/// A merged table: one server's `columns` and each row's `cells` with
/// SEEN BY after them, fitted to `width` (`drop_base`, SEEN BY after
/// PWR), and the count of `noun`s under it.
fn merged_table(
    (columns, drop_base, noun): (&[&str], &[&str], &str),
    cells: Vec<Vec<String>>,
    servers: usize,
    width: Option<usize>,
) -> String {
    let servers = plural(servers as u64, "server");
    if cells.is_empty() {
        return format!("0 {noun}s (none seen yet by {servers})");
    }
    let mut header = columns.to_vec();
    header.push("SEEN BY");
    let order = drop_order(drop_base, "PWR");
    let t = fitted_table(&header, &cells, width, &order, false);
    format!("{t}\n{} from {servers}", plural(cells.len() as u64, noun))
}

/// A row's cells with its SEEN BY cell after them.
fn with_seen_by(mut cells: Vec<String>, seen_by: &[SeenBy]) -> Vec<String> {
    cells.push(seen_by_cell(seen_by));
    cells
}

/// The merged networks as a table fitted to `width`, with SEEN BY, and
/// the count under it.
pub fn networks_table(
    rows: &[MergedNetwork],
    servers: usize,
    now: u64,
    width: Option<usize>,
) -> String {
    let cells = (rows.iter())
        .map(|m| with_seen_by(network_cells(&m.network, now), &m.seen_by))
        .collect();
    let shape = (&NETWORK_COLUMNS[..], &NETWORK_DROP_ORDER[..], "network");
    merged_table(shape, cells, servers, width)
}

/// The merged clients as a table, with SEEN BY.
pub fn clients_table(
    rows: &[MergedClient],
    servers: usize,
    now: u64,
    width: Option<usize>,
) -> String {
    let none = BTreeSet::new();
    let cells = (rows.iter())
        .map(|m| with_seen_by(client_cells(&m.client, now, &none), &m.seen_by))
        .collect();
    let shape = (&CLIENT_COLUMNS[..], &CLIENT_DROP_ORDER[..], "client");
    merged_table(shape, cells, servers, width)
}

/// One server's view of a device, as a JSON object.
fn seen_by_value(s: &SeenBy) -> Value {
    json!({
        "server": s.server,
        "signal_dbm": s.signal_dbm,
        "packets": s.packets,
        "first_seen": s.first_seen.map(rfc3339),
        "last_seen": s.last_seen.map(rfc3339),
        "channel": s.channel,
        "cryptset": s.cryptset,
        "lat": s.position.map(|p| p.lat()),
        "lon": s.position.map(|p| p.lon()),
    })
}

/// A position estimate as a JSON object.
fn estimate_value(e: &Estimate) -> Value {
    json!({
        "lat": e.position.lat(),
        "lon": e.position.lon(),
        "radius_m": three_decimals(e.radius_m),
        "sensors": e.sensors,
        "method": e.method.name(),
    })
}

/// Adds `seen_by` and `estimate` to a device's object.
fn with_servers(mut value: Value, seen_by: &[SeenBy], estimate: Option<&Estimate>) -> Value {
    if let Value::Object(o) = &mut value {
        o.insert(
            "seen_by".into(),
            seen_by.iter().map(seen_by_value).collect(),
        );
        o.insert(
            "estimate".into(),
            estimate.map_or(Value::Null, estimate_value),
        );
    }
    value
}

/// A merged network: the `network` object with `seen_by` and `estimate`.
pub fn network_json(m: &MergedNetwork) -> String {
    json_line(&with_servers(
        network_value(&m.network, None),
        &m.seen_by,
        m.estimate.as_ref(),
    ))
}

/// A merged client: the `client` object with `seen_by`.
pub fn client_json(m: &MergedClient) -> String {
    let mut v = with_servers(client_value(&m.client, None), &m.seen_by, None);
    if let Value::Object(o) = &mut v {
        o.remove("estimate");
    }
    json_line(&v)
}

/// The extra CSV columns of a merged device.
const SERVER_CSV: [&str; 3] = ["seen_by", "strongest_server", "servers"];
/// And of a merged network's estimate.
const ESTIMATE_CSV: [&str; 3] = ["estimate_lat", "estimate_lon", "estimate_radius_m"];

fn server_cells(seen_by: &[SeenBy]) -> Vec<String> {
    let names: Vec<&str> = seen_by.iter().map(|s| s.server.as_str()).collect();
    vec![
        seen_by.len().to_string(),
        names
            .first()
            .map_or(String::new(), |n| csv::wire(n.as_bytes())),
        csv::wire(names.join(";").as_bytes()),
    ]
}

/// Rows as one server's CSV writes them, each with `extra` cells after:
/// the header once, then a row per item.
fn extended_csv<T>(
    rows: &[T],
    one: impl Fn(&T) -> String,
    extra_header: &[&str],
    extra: impl Fn(&T) -> Vec<String>,
) -> String {
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        let csv = one(r);
        let (header, row) = csv.split_once('\n').unwrap_or((&csv, ""));
        if i == 0 {
            out.push_str(header);
            for h in extra_header {
                out.push(',');
                out.push_str(h);
            }
            out.push('\n');
        }
        let mut line = String::new();
        csv::row(&mut line, &extra(r));
        out.push_str(row.trim_end_matches('\n'));
        out.push(',');
        out.push_str(&line);
    }
    out
}

/// The merged networks as CSV: the columns of one server's, then
/// `seen_by` (how many), `strongest_server`, `servers` (`;` between) and
/// the estimate's.
pub fn networks_csv_merged(rows: &[MergedNetwork]) -> String {
    let mut header: Vec<&str> = SERVER_CSV.to_vec();
    header.extend(ESTIMATE_CSV);
    extended_csv(
        rows,
        |m| networks_csv(std::slice::from_ref(&m.network), None),
        &header,
        |m| {
            let mut c = server_cells(&m.seen_by);
            match &m.estimate {
                Some(e) => c.extend([
                    format!("{:.6}", e.position.lat()),
                    format!("{:.6}", e.position.lon()),
                    format!("{:.1}", e.radius_m),
                ]),
                None => c.extend([String::new(), String::new(), String::new()]),
            }
            c
        },
    )
}

/// The merged clients as CSV, with the server columns.
pub fn clients_csv_merged(rows: &[MergedClient]) -> String {
    extended_csv(
        rows,
        |m| clients_csv(std::slice::from_ref(&m.client), None),
        &SERVER_CSV,
        |m| server_cells(&m.seen_by),
    )
}

const SERVER_COLUMNS: [&str; 8] = [
    "NAME",
    "ADDRESS",
    "STATE",
    "SERVER",
    "PROTOCOLS",
    "FRAMES/S",
    "GPS",
    "CONNECTIONS",
];
const SERVER_DROP_ORDER: [&str; 5] = ["CONNECTIONS", "PROTOCOLS", "SERVER", "GPS", "ADDRESS"];

/// The servers as a table.
pub fn servers_table(rows: &[ServerRow], width: Option<usize>) -> String {
    let opt = |v: Option<String>| v.unwrap_or_default();
    let cells: Vec<Vec<String>> = (rows.iter())
        .map(|r| {
            vec![
                text::display(r.name.as_bytes()),
                text::display(r.addr.as_bytes()),
                text::display(r.state.as_bytes()),
                opt(r
                    .server_name
                    .as_deref()
                    .map(|n| text::display(n.as_bytes()))),
                opt(r.protocols.map(|p| p.to_string())),
                opt(r.frames_per_s.map(|f| format!("{f:.1}"))),
                opt(r.silent_s.map(|s| format!("{s}s ago"))),
                opt(r.gps.clone()),
                r.connections.to_string(),
            ]
        })
        .collect();
    let connected = rows.iter().filter(|r| r.state == "connected").count();
    format!(
        "{}\n{connected} of {} connected",
        fitted_table(&SERVER_COLUMNS, &cells, width, &SERVER_DROP_ORDER, false),
        plural(rows.len() as u64, "server")
    )
}

/// A server as a JSON object.
pub fn server_value(r: &ServerRow) -> Value {
    let mut o = Map::new();
    o.insert("type".into(), "server".into());
    o.insert("name".into(), r.name.clone().into());
    o.insert("addr".into(), r.addr.clone().into());
    o.insert("state".into(), r.state.clone().into());
    o.insert("server_name".into(), r.server_name.clone().into());
    o.insert("protocols".into(), r.protocols.into());
    o.insert(
        "frames_per_s".into(),
        r.frames_per_s.map(three_decimals).into(),
    );
    o.insert("server_time".into(), r.server_time.map(rfc3339).into());
    o.insert("silent_s".into(), r.silent_s.into());
    o.insert("gps".into(), r.gps.clone().into());
    o.insert("connections".into(), r.connections.into());
    Value::Object(o)
}

/// The servers as CSV.
pub fn servers_csv(rows: &[ServerRow]) -> String {
    let mut s = String::new();
    csv::row(
        &mut s,
        &[
            "name",
            "addr",
            "state",
            "server_name",
            "protocols",
            "frames_per_s",
            "server_time",
            "silent_s",
            "gps",
            "connections",
        ],
    );
    for r in rows {
        let opt = |v: Option<String>| v.unwrap_or_default();
        csv::row(
            &mut s,
            &[
                csv::wire(r.name.as_bytes()),
                csv::wire(r.addr.as_bytes()),
                csv::wire(r.state.as_bytes()),
                opt(r.server_name.as_deref().map(|n| csv::wire(n.as_bytes()))),
                opt(r.protocols.map(|p| p.to_string())),
                opt(r.frames_per_s.map(|f| format!("{f:.3}"))),
                opt(r.server_time.map(rfc3339)),
                opt(r.silent_s.map(|s| s.to_string())),
                opt(r.gps.clone()),
                r.connections.to_string(),
            ],
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, state: &str) -> ServerRow {
        ServerRow {
            name: name.into(),
            addr: "10.0.0.5:2501".into(),
            state: state.into(),
            server_name: Some("Kismet".into()),
            protocols: Some(29),
            frames_per_s: Some(12.5),
            server_time: Some(1_795_678_229),
            silent_s: Some(1),
            gps: None,
            connections: 2,
        }
    }

    /// The servers' CSV has as many cells a row as its header; the table
    /// counts the connected ones and fits 80 columns; JSON is typed.
    #[test]
    fn servers_render_with_matching_columns_and_fit() {
        let rows = [
            row("kitchen", "connected"),
            row("attic", "unreachable: refused"),
        ];
        let csv = servers_csv(&rows);
        let lines: Vec<&str> = csv.lines().collect();
        let cells = |l: &str| l.split(',').count();
        assert!(lines.iter().all(|l| cells(l) == cells(lines[0])), "{csv}");
        let t = servers_table(&rows, Some(80));
        assert!(
            t.lines()
                .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80),
            "{t}"
        );
        assert!(t.ends_with("1 of 2 servers connected"), "{t}");
        let v = server_value(&rows[0]);
        assert_eq!(
            (&v["type"], &v["protocols"], &v["silent_s"]),
            (&json!("server"), &json!(29), &json!(1))
        );
    }

    /// SEEN BY names how many servers heard a device and the strongest.
    #[test]
    fn seen_by_cell_counts_and_names_the_strongest() {
        let s = |server: &str, dbm: i32| SeenBy {
            server: server.into(),
            signal_dbm: Some(dbm),
            packets: None,
            first_seen: None,
            last_seen: None,
            channel: None,
            cryptset: None,
            position: None,
        };
        assert_eq!(
            seen_by_cell(&[s("attic", -40), s("kitchen", -70)]),
            "2 attic"
        );
        assert_eq!(seen_by_cell(&[]), "");
    }
}
