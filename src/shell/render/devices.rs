//! The `networks`, `clients` and `stations` lists: as tables (like
//! airodump-ng's), as
//! typed JSON objects (numbers as numbers, times RFC 3339 UTC, missing
//! values `null`) and as CSV; with positions when any is known, and the
//! distance from the point of `near`.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::csv;
use super::json::json_line;
use super::paint;
use super::tables::new_table;
use super::time::{ago_text, rfc3339};
use kismet_client::{ClientView, LatLon, NetworkView, PlaceView, StationView};
use kismet_protocol::decode::{client_type_name, network_type_name};
use kismet_protocol::text;

/// How a network's name is shown: `<hidden>` when cloaked and not known;
/// sanitised (the model keeps the text as sent).
pub fn ssid_label(n: &NetworkView) -> String {
    match (&n.ssid, n.cloaked) {
        (Some(s), _) => text::display(s.as_bytes()),
        (None, true) => "<hidden>".to_string(),
        (None, false) => String::new(),
    }
}

/// The BSSIDs that [`ssid_label`] shows as `<hidden>`: a client of one
/// shows its network's name as `<hidden>` too.
pub fn hidden_bssids(networks: &[NetworkView]) -> BTreeSet<String> {
    (networks.iter())
        .filter(|n| n.ssid.is_none() && n.cloaked)
        .map(|n| n.bssid.clone())
        .collect()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// Text from the server (a name the model keeps as sent), safe to show on
/// a terminal or in CSV; empty when unknown.
fn shown(v: Option<&str>) -> String {
    v.map_or(String::new(), |v| text::display(v.as_bytes()))
}

fn ago(now: u64, then: Option<u64>) -> String {
    then.map_or(String::new(), |t| ago_text(now, t))
}

/// The columns of the networks table.
pub const NETWORK_COLUMNS: [&str; 12] = [
    "BSSID",
    "SSID",
    "TYPE",
    "CH",
    "ENC",
    "CIPHER",
    "AUTH",
    "PWR",
    "PKTS",
    "CLIENTS",
    "MANUF",
    "LAST SEEN",
];

/// A network's channel, and whether its encryption is known: neither for
/// a probe entry (a station seen only probing: the server sends channel 0
/// and no encryption, which would read as an open network).
fn channel_and_crypt(n: &NetworkView) -> (Option<u32>, bool) {
    if n.is_probe() {
        (None, false)
    } else {
        (n.channel, n.cryptset.is_some())
    }
}

/// A network's cells, in [`NETWORK_COLUMNS`] order; `now` (epoch seconds)
/// for "3s ago". A probe entry's channel and encryption are empty.
pub fn network_cells(n: &NetworkView, now: u64) -> Vec<String> {
    let (channel, crypt) = channel_and_crypt(n);
    let enc = |v: &str| if crypt { v.to_string() } else { String::new() };
    vec![
        n.bssid.clone(),
        ssid_label(n),
        opt(n.network_type.map(network_type_name)),
        opt(channel),
        enc(n.encryption.enc),
        enc(n.encryption.cipher),
        enc(n.encryption.auth),
        opt(n.signal_dbm),
        opt(n.packets),
        n.clients.to_string(),
        shown(n.manuf.as_deref()),
        ago(now, n.last_seen),
    ]
}

/// Latitude or longitude in a cell: six decimals, as the GPS gives them.
fn degrees(v: f64) -> String {
    format!("{v:.6}")
}

/// The LAT and LON cells of a best position (empty when unknown).
fn position_cells(best: Option<LatLon>) -> [String; 2] {
    best.map_or([String::new(), String::new()], |p| {
        [degrees(p.lat()), degrees(p.lon())]
    })
}

/// A distance in a cell: whole metres.
fn distance_cell(d: f64) -> String {
    format!("{d:.0} m")
}

/// The order in which a narrow terminal leaves the networks' columns out,
/// least needed first: what a row is (SSID, TYPE: a probe row must never
/// read as an open network) and who it is (BSSID) stay longest. Columns
/// that are empty in every row go before any of these.
pub const NETWORK_DROP_ORDER: [&str; 14] = [
    "MANUF",
    "LAST SEEN",
    "AUTH",
    "CIPHER",
    "PKTS",
    "LAT",
    "LON",
    "CLIENTS",
    "CH",
    "PWR",
    "ENC",
    "DIST",
    "BSSID",
    "TYPE",
];

/// The same for the clients' columns: the station (MAC) and its network
/// (SSID, else BSSID) stay longest.
pub const CLIENT_DROP_ORDER: [&str; 11] = [
    "MANUF",
    "IP",
    "LAST SEEN",
    "PKTS",
    "LAT",
    "LON",
    "TYPE",
    "PWR",
    "DIST",
    "BSSID",
    "SSID",
];

/// Width a [`new_table`] table takes for columns this wide: a border on the
/// left, and per column its padding (a space each side) and a border.
fn table_width(widths: impl Iterator<Item = usize>) -> usize {
    1 + widths.map(|w| w + 3).sum::<usize>()
}

/// A table of `header` and `rows` that fits `width` without splitting a
/// word: columns empty in every row go first, then columns in
/// `drop_order`; if the columns left are still too wide, the widest one's
/// cells are cut with `…`. No width: every column, whole.
pub(super) fn fitted_table(
    header: &[&str],
    rows: &[Vec<String>],
    width: Option<usize>,
    drop_order: &[&str],
    color: bool,
) -> String {
    let cell_width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let mut widths: Vec<usize> = header.iter().map(|h| cell_width(h)).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell_width(c));
        }
    }
    let mut keep: Vec<usize> = (0..header.len()).collect();
    let mut cut: Option<(usize, usize)> = None;
    if let Some(width) = width {
        let fits = |keep: &[usize]| table_width(keep.iter().map(|&i| widths[i])) <= width;
        let empty = (0..header.len())
            .filter(|&i| rows.iter().all(|r| r.get(i).is_none_or(String::is_empty)));
        let named = drop_order
            .iter()
            .filter_map(|n| header.iter().position(|h| h == n));
        for i in empty.chain(named).collect::<Vec<_>>() {
            if fits(&keep) || keep.len() <= 1 {
                break;
            }
            keep.retain(|&k| k != i);
        }
        if !fits(&keep) {
            // Cut the widest column to what is left, never narrower than
            // its header.
            if let Some(&widest) = keep.iter().max_by_key(|&&i| widths[i]) {
                let others = table_width(keep.iter().filter(|&&i| i != widest).map(|&i| widths[i]));
                let room = width
                    .saturating_sub(others + 3)
                    .max(cell_width(header[widest]));
                if room < widths[widest] {
                    cut = Some((widest, room));
                }
            }
        }
    }
    let shown_header: Vec<&str> = keep.iter().map(|&i| header[i]).collect();
    let mut t = new_table(&shown_header, None);
    if color {
        t.enforce_styling();
    }
    for r in rows {
        t.add_row(keep.iter().map(|&i| {
            let c = r.get(i).map_or("", String::as_str);
            let text = match cut {
                Some((col, room)) if col == i => super::layout::truncate(c, room),
                _ => c.to_string(),
            };
            let paint = color.then(|| paint::cell(header[i], &text)).flatten();
            let cell = comfy_table::Cell::new(text);
            match paint {
                Some(p) => cell.fg(paint::comfy(p)),
                None => cell,
            }
        }));
    }
    t.to_string()
}

/// The networks table, `width` columns wide at most when given; LAT and
/// LON (the best position) when any row has one, DIST with `near`; with
/// `color`, ENC and PWR coloured (see [`paint`]).
pub fn networks_table(
    rows: &[NetworkView],
    now: u64,
    width: Option<usize>,
    distances: Option<&[f64]>,
    color: bool,
) -> String {
    if rows.is_empty() {
        return "0 networks (none seen yet)".to_string();
    }
    let shape = Shape {
        columns: &NETWORK_COLUMNS,
        drop_order: &NETWORK_DROP_ORDER,
        noun: "network",
    };
    let rows: Vec<(Vec<String>, Option<LatLon>)> = rows
        .iter()
        .map(|n| (network_cells(n, now), n.best()))
        .collect();
    device_table(&shape, rows, width, distances, color)
}

/// What a device table is made of: its columns, the order a narrow
/// terminal leaves them out in, and what a row is called.
struct Shape<'a> {
    columns: &'a [&'a str],
    drop_order: &'a [&'a str],
    noun: &'a str,
}

/// A device table from each row's cells and best position: LAT and LON
/// when any row has one, DIST with `near`, fitted to `width`, and the
/// count under it.
fn device_table(
    shape: &Shape<'_>,
    rows: Vec<(Vec<String>, Option<LatLon>)>,
    width: Option<usize>,
    distances: Option<&[f64]>,
    color: bool,
) -> String {
    let placed = rows.iter().any(|(_, best)| best.is_some());
    let mut header = shape.columns.to_vec();
    extra_columns(&mut header, placed, distances.is_some());
    let count = rows.len();
    let cells: Vec<Vec<String>> = rows
        .into_iter()
        .enumerate()
        .map(|(i, (mut cells, best))| {
            extra_cells(&mut cells, placed.then_some(best), distances, i);
            cells
        })
        .collect();
    let t = fitted_table(&header, &cells, width, shape.drop_order, color);
    format!("{}\n{}", t, plural_line(count, shape.noun))
}

/// Adds LAT and LON (when `placed`) and DIST (when `near`) to a header.
fn extra_columns(header: &mut Vec<&str>, placed: bool, near: bool) {
    if placed {
        header.extend(["LAT", "LON"]);
    }
    if near {
        header.push("DIST");
    }
}

/// Adds a row's LAT and LON (`best`: when the columns are shown) and DIST
/// (row `i` of `distances`).
fn extra_cells(
    cells: &mut Vec<String>,
    best: Option<Option<LatLon>>,
    distances: Option<&[f64]>,
    i: usize,
) {
    if let Some(best) = best {
        cells.extend(position_cells(best));
    }
    if let Some(d) = distances {
        cells.push(d.get(i).map_or(String::new(), |d| distance_cell(*d)));
    }
}

/// The columns of the clients table.
pub const CLIENT_COLUMNS: [&str; 9] = [
    "MAC",
    "BSSID",
    "SSID",
    "TYPE",
    "PWR",
    "PKTS",
    "MANUF",
    "IP",
    "LAST SEEN",
];

/// A client's cells, in [`CLIENT_COLUMNS`] order; its network's name is
/// `<hidden>` when its BSSID is one of `hidden` (see [`hidden_bssids`]),
/// as `networks` shows it.
pub fn client_cells(c: &ClientView, now: u64, hidden: &BTreeSet<String>) -> Vec<String> {
    let ssid = match &c.ssid {
        None if hidden.contains(&c.bssid) => "<hidden>".to_string(),
        ssid => shown(ssid.as_deref()),
    };
    vec![
        c.mac.clone(),
        c.bssid.clone(),
        ssid,
        opt(c.client_type.map(client_type_name)),
        opt(c.signal_dbm),
        opt(c.packets),
        shown(c.manuf.as_deref()),
        opt(c.ip.as_deref()),
        ago(now, c.last_seen),
    ]
}

/// The clients table; LAT and LON when any row has a best position, DIST
/// with `near`; `<hidden>` for the networks of `hidden`.
pub fn clients_table(
    rows: &[ClientView],
    now: u64,
    width: Option<usize>,
    distances: Option<&[f64]>,
    hidden: &BTreeSet<String>,
    color: bool,
) -> String {
    if rows.is_empty() {
        return "0 clients".to_string();
    }
    let shape = Shape {
        columns: &CLIENT_COLUMNS,
        drop_order: &CLIENT_DROP_ORDER,
        noun: "client",
    };
    let rows: Vec<(Vec<String>, Option<LatLon>)> = rows
        .iter()
        .map(|c| (client_cells(c, now, hidden), c.best()))
        .collect();
    device_table(&shape, rows, width, distances, color)
}

/// The BSSID cell of a station seen only probing.
pub const NOT_ASSOCIATED: &str = "(not associated)";

/// The columns of the stations table (airodump-ng's lower table).
pub const STATION_COLUMNS: [&str; 8] = [
    "STATION",
    "BSSID",
    "SSID",
    "PWR",
    "PKTS",
    "MANUF",
    "PROBES",
    "LAST SEEN",
];

/// The order in which a narrow terminal leaves the stations' columns
/// out: the station, its network (BSSID, which says `(not associated)`)
/// and what it probes for stay longest.
pub const STATION_DROP_ORDER: [&str; 7] = [
    "MANUF",
    "LAST SEEN",
    "PKTS",
    "SSID",
    "PWR",
    "BSSID",
    "PROBES",
];

/// A station's network's name as shown: `<hidden>` when cloaked and not
/// known, sanitised.
fn station_ssid_label(s: &StationView) -> String {
    match (&s.ssid, s.cloaked) {
        (Some(name), _) => text::display(name.as_bytes()),
        (None, true) => "<hidden>".to_string(),
        (None, false) => String::new(),
    }
}

/// The SSIDs a station probes for, comma-joined as airodump-ng's Probes
/// column (sanitised).
fn probes_text(s: &StationView) -> String {
    let names: Vec<String> = s
        .probes
        .iter()
        .map(|p| text::display(p.as_bytes()))
        .collect();
    names.join(",")
}

/// A station's cells, in [`STATION_COLUMNS`] order.
pub fn station_cells(s: &StationView, now: u64) -> Vec<String> {
    vec![
        s.mac.clone(),
        s.bssid
            .clone()
            .unwrap_or_else(|| NOT_ASSOCIATED.to_string()),
        station_ssid_label(s),
        opt(s.signal_dbm),
        opt(s.packets),
        shown(s.manuf.as_deref()),
        probes_text(s),
        ago(now, s.last_seen),
    ]
}

/// The stations table, `width` columns wide at most when given.
pub fn stations_table(rows: &[StationView], now: u64, width: Option<usize>, color: bool) -> String {
    if rows.is_empty() {
        return "0 stations (none seen yet)".to_string();
    }
    let shape = Shape {
        columns: &STATION_COLUMNS,
        drop_order: &STATION_DROP_ORDER,
        noun: "station",
    };
    let rows: Vec<(Vec<String>, Option<LatLon>)> =
        rows.iter().map(|s| (station_cells(s, now), None)).collect();
    device_table(&shape, rows, width, None, color)
}

fn plural_line(n: usize, noun: &str) -> String {
    super::layout::plural(n as u64, noun)
}

/// The position fields of a JSON object, `null` where unknown:
/// `best_lat`, `best_lon`, `best_alt` (metres), `avg_lat`, `avg_lon`,
/// `gps_points`, `position_source` (`client` or `server`), and
/// `distance_m` with `near`.
fn position_json(obj: &mut Map<String, Value>, place: Option<PlaceView>, distance: Option<f64>) {
    let best = place.and_then(|p| p.best);
    let avg = place.and_then(|p| p.average);
    obj.insert("best_lat".into(), json!(best.map(LatLon::lat)));
    obj.insert("best_lon".into(), json!(best.map(LatLon::lon)));
    obj.insert("best_alt".into(), json!(place.and_then(|p| p.best_alt_m)));
    obj.insert("avg_lat".into(), json!(avg.map(LatLon::lat)));
    obj.insert("avg_lon".into(), json!(avg.map(LatLon::lon)));
    obj.insert("gps_points".into(), json!(place.map(|p| p.gps_points)));
    obj.insert(
        "position_source".into(),
        json!(place.map(|p| p.source.name())),
    );
    if let Some(d) = distance {
        obj.insert("distance_m".into(), json!((d * 10.0).round() / 10.0));
    }
}

/// A JSON object with the position fields (see [`position_json`]) added.
fn with_position(mut value: Value, place: Option<PlaceView>, distance: Option<f64>) -> Value {
    if let Value::Object(obj) = &mut value {
        position_json(obj, place, distance);
    }
    value
}

/// A network as one JSON object (no newline); `distance` (metres) with
/// `near`. A probe entry's channel and encryption are `null`; so are a
/// cipher and an authentication that are none (an open network's, a WEP
/// network's `auth`), never `""`.
pub fn network_json(n: &NetworkView, distance: Option<f64>) -> String {
    json_line(&network_value(n, distance))
}

/// The object of [`network_json`], as a value.
pub fn network_value(n: &NetworkView, distance: Option<f64>) -> Value {
    let (channel, known) = channel_and_crypt(n);
    let value = json!({
        "type": "network",
        "bssid": n.bssid,
        "ssid": n.ssid,
        "cloaked": n.cloaked,
        "network_type": n.network_type.map(network_type_name),
        "channel": channel,
        "encryption": known.then_some(n.encryption.enc),
        "cipher": known.then_some(n.encryption.cipher).filter(|c| !c.is_empty()),
        "auth": known.then_some(n.encryption.auth).filter(|a| !a.is_empty()),
        "cryptset": n.cryptset.filter(|_| known),
        "signal_dbm": n.signal_dbm,
        "packets": n.packets,
        "datasize": n.datasize,
        "clients": n.clients,
        "manuf": n.manuf,
        "first_seen": n.first_seen.map(rfc3339),
        "last_seen": n.last_seen.map(rfc3339),
    });
    with_position(value, n.place, distance)
}

/// A client as one JSON object (no newline); `distance` (metres) with
/// `near`.
pub fn client_json(c: &ClientView, distance: Option<f64>) -> String {
    json_line(&client_value(c, distance))
}

/// The object of [`client_json`], as a value.
pub fn client_value(c: &ClientView, distance: Option<f64>) -> Value {
    let value = json!({
        "type": "client",
        "mac": c.mac,
        "bssid": c.bssid,
        "ssid": c.ssid,
        "client_type": c.client_type.map(client_type_name),
        "signal_dbm": c.signal_dbm,
        "packets": c.packets,
        "manuf": c.manuf,
        "ip": c.ip,
        "first_seen": c.first_seen.map(rfc3339),
        "last_seen": c.last_seen.map(rfc3339),
    });
    with_position(value, c.place, distance)
}

/// A station as one JSON object (no newline): `bssid` `null` when not
/// associated, `probes` a list of names.
pub fn station_json(s: &StationView) -> String {
    json_line(&station_value(s))
}

/// The object of [`station_json`], as a value.
pub fn station_value(s: &StationView) -> Value {
    json!({
        "type": "station",
        "mac": s.mac,
        "bssid": s.bssid,
        "ssid": s.ssid,
        "probes": s.probes,
        "signal_dbm": s.signal_dbm,
        "packets": s.packets,
        "manuf": s.manuf,
        "first_seen": s.first_seen.map(rfc3339),
        "last_seen": s.last_seen.map(rfc3339),
    })
}

/// The stations as CSV with a header row, the columns of the JSON
/// objects (`bssid` empty when not associated, `probes` comma-joined).
pub fn stations_csv(rows: &[StationView]) -> String {
    let mut out = String::new();
    csv::row(
        &mut out,
        &[
            "mac",
            "bssid",
            "ssid",
            "probes",
            "signal_dbm",
            "packets",
            "manuf",
            "first_seen",
            "last_seen",
        ],
    );
    for s in rows {
        csv::row(
            &mut out,
            &[
                s.mac.clone(),
                opt(s.bssid.as_deref()),
                shown(s.ssid.as_deref()),
                probes_text(s),
                opt(s.signal_dbm),
                opt(s.packets),
                shown(s.manuf.as_deref()),
                opt(s.first_seen.map(rfc3339)),
                opt(s.last_seen.map(rfc3339)),
            ],
        );
    }
    out
}

/// The position columns of CSV.
const POSITION_CSV: [&str; 6] = [
    "best_lat",
    "best_lon",
    "best_alt",
    "avg_lat",
    "avg_lon",
    "gps_points",
];

/// A row's position cells in CSV (empty where unknown), and its distance
/// with `near`.
fn position_csv(place: Option<PlaceView>, distance: Option<f64>) -> Vec<String> {
    let best = place.and_then(|p| p.best);
    let avg = place.and_then(|p| p.average);
    let mut cells = vec![
        opt(best.map(|p| degrees(p.lat()))),
        opt(best.map(|p| degrees(p.lon()))),
        opt(place.and_then(|p| p.best_alt_m)),
        opt(avg.map(|p| degrees(p.lat()))),
        opt(avg.map(|p| degrees(p.lon()))),
        opt(place.map(|p| p.gps_points)),
    ];
    cells.extend(distance.map(|d| format!("{d:.1}")));
    cells
}

/// The networks as CSV with a header row (the position columns last,
/// and `distance_m` with `near`); a probe entry's channel and encryption
/// are empty.
pub fn networks_csv(rows: &[NetworkView], distances: Option<&[f64]>) -> String {
    let mut s = String::new();
    let mut header = vec![
        "bssid",
        "ssid",
        "cloaked",
        "network_type",
        "channel",
        "encryption",
        "cipher",
        "auth",
        "signal_dbm",
        "packets",
        "clients",
        "manuf",
        "first_seen",
        "last_seen",
    ];
    header.extend(POSITION_CSV);
    header.extend(distances.map(|_| "distance_m"));
    csv::row(&mut s, &header);
    for (i, n) in rows.iter().enumerate() {
        let (channel, crypt) = channel_and_crypt(n);
        let enc = |v: &str| if crypt { v.to_string() } else { String::new() };
        let mut cells = vec![
            n.bssid.clone(),
            shown(n.ssid.as_deref()),
            n.cloaked.to_string(),
            opt(n.network_type.map(network_type_name)),
            opt(channel),
            enc(n.encryption.enc),
            enc(n.encryption.cipher),
            enc(n.encryption.auth),
            opt(n.signal_dbm),
            opt(n.packets),
            n.clients.to_string(),
            shown(n.manuf.as_deref()),
            opt(n.first_seen.map(rfc3339)),
            opt(n.last_seen.map(rfc3339)),
        ];
        let distance = distances.and_then(|d| d.get(i).copied());
        cells.extend(position_csv(n.place, distance));
        csv::row(&mut s, &cells);
    }
    s
}

/// The clients as CSV with a header row (the position columns last, and
/// `distance_m` with `near`).
pub fn clients_csv(rows: &[ClientView], distances: Option<&[f64]>) -> String {
    let mut s = String::new();
    let mut header = vec![
        "mac",
        "bssid",
        "ssid",
        "client_type",
        "signal_dbm",
        "packets",
        "manuf",
        "ip",
        "first_seen",
        "last_seen",
    ];
    header.extend(POSITION_CSV);
    header.extend(distances.map(|_| "distance_m"));
    csv::row(&mut s, &header);
    for (i, c) in rows.iter().enumerate() {
        let mut cells = vec![
            c.mac.clone(),
            c.bssid.clone(),
            shown(c.ssid.as_deref()),
            opt(c.client_type.map(client_type_name)),
            opt(c.signal_dbm),
            opt(c.packets),
            shown(c.manuf.as_deref()),
            opt(c.ip.as_deref()),
            opt(c.first_seen.map(rfc3339)),
            opt(c.last_seen.map(rfc3339)),
        ];
        let distance = distances.and_then(|d| d.get(i).copied());
        cells.extend(position_csv(c.place, distance));
        csv::row(&mut s, &cells);
    }
    s
}

#[cfg(test)]
#[path = "devices_tests.rs"]
mod tests;
