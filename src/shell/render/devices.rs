//! The `networks` and `clients` lists: as tables (like airodump-ng's), as
//! typed JSON objects (numbers as numbers, times RFC 3339 UTC, missing
//! values `null`) and as CSV.

use serde_json::json;

use super::csv;
use super::json::json_line;
use super::tables::{keep_words, new_table};
use super::time::{ago_text, rfc3339};
use kismet_client::{ClientView, NetworkView};
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

/// A network's cells, in [`NETWORK_COLUMNS`] order; `now` (epoch seconds)
/// for "3s ago".
pub fn network_cells(n: &NetworkView, now: u64) -> Vec<String> {
    vec![
        n.bssid.clone(),
        ssid_label(n),
        opt(n.network_type.map(network_type_name)),
        opt(n.channel),
        n.encryption.enc.to_string(),
        n.encryption.cipher.to_string(),
        n.encryption.auth.to_string(),
        opt(n.signal_dbm),
        opt(n.packets),
        n.clients.to_string(),
        shown(n.manuf.as_deref()),
        ago(now, n.last_seen),
    ]
}

/// The networks table, `width` columns wide at most when given.
pub fn networks_table(rows: &[NetworkView], now: u64, width: Option<usize>) -> String {
    let mut t = new_table(&NETWORK_COLUMNS, width);
    for n in rows {
        keep_words(&mut t, 0, &n.bssid);
        t.add_row(network_cells(n, now));
    }
    format!("{}\n{}", t, plural_line(rows.len(), "network"))
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

/// A client's cells, in [`CLIENT_COLUMNS`] order.
pub fn client_cells(c: &ClientView, now: u64) -> Vec<String> {
    vec![
        c.mac.clone(),
        c.bssid.clone(),
        shown(c.ssid.as_deref()),
        opt(c.client_type.map(client_type_name)),
        opt(c.signal_dbm),
        opt(c.packets),
        shown(c.manuf.as_deref()),
        opt(c.ip.as_deref()),
        ago(now, c.last_seen),
    ]
}

/// The clients table.
pub fn clients_table(rows: &[ClientView], now: u64, width: Option<usize>) -> String {
    let mut t = new_table(&CLIENT_COLUMNS, width);
    for c in rows {
        keep_words(&mut t, 0, &c.mac);
        keep_words(&mut t, 1, &c.bssid);
        t.add_row(client_cells(c, now));
    }
    format!("{}\n{}", t, plural_line(rows.len(), "client"))
}

fn plural_line(n: usize, noun: &str) -> String {
    super::layout::plural(n as u64, noun)
}

/// A network as one JSON object (no newline).
pub fn network_json(n: &NetworkView) -> String {
    let known = n.cryptset.is_some();
    json_line(&json!({
        "type": "network",
        "bssid": n.bssid,
        "ssid": n.ssid,
        "cloaked": n.cloaked,
        "network_type": n.network_type.map(network_type_name),
        "channel": n.channel,
        "encryption": known.then_some(n.encryption.enc),
        "cipher": known.then_some(n.encryption.cipher),
        "auth": known.then_some(n.encryption.auth),
        "cryptset": n.cryptset,
        "signal_dbm": n.signal_dbm,
        "packets": n.packets,
        "datasize": n.datasize,
        "clients": n.clients,
        "manuf": n.manuf,
        "first_seen": n.first_seen.map(rfc3339),
        "last_seen": n.last_seen.map(rfc3339),
    }))
}

/// A client as one JSON object (no newline).
pub fn client_json(c: &ClientView) -> String {
    json_line(&json!({
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
    }))
}

/// The networks as CSV with a header row.
pub fn networks_csv(rows: &[NetworkView]) -> String {
    let mut s = String::new();
    csv::row(
        &mut s,
        &[
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
        ],
    );
    for n in rows {
        csv::row(
            &mut s,
            &[
                n.bssid.clone(),
                shown(n.ssid.as_deref()),
                n.cloaked.to_string(),
                opt(n.network_type.map(network_type_name)),
                opt(n.channel),
                n.encryption.enc.to_string(),
                n.encryption.cipher.to_string(),
                n.encryption.auth.to_string(),
                opt(n.signal_dbm),
                opt(n.packets),
                n.clients.to_string(),
                shown(n.manuf.as_deref()),
                opt(n.first_seen.map(rfc3339)),
                opt(n.last_seen.map(rfc3339)),
            ],
        );
    }
    s
}

/// The clients as CSV with a header row.
pub fn clients_csv(rows: &[ClientView]) -> String {
    let mut s = String::new();
    csv::row(
        &mut s,
        &[
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
        ],
    );
    for c in rows {
        csv::row(
            &mut s,
            &[
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
            ],
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use kismet_protocol::decode::Encryption;

    fn net() -> NetworkView {
        NetworkView {
            bssid: "00:14:6C:A1:00:01".into(),
            ssid: Some("Home, \"Net\"".into()),
            network_type: Some(0),
            channel: Some(1),
            cryptset: Some(2_097_858),
            encryption: Encryption::from_cryptset(2_097_858),
            signal_dbm: Some(-53),
            packets: Some(149),
            clients: 2,
            manuf: Some("Netgear".into()),
            last_seen: Some(1_795_678_119),
            ..NetworkView::default()
        }
    }

    /// A network as JSON: typed values, names for codes, null for unknown.
    #[test]
    fn network_as_json() {
        let v = network_json(&net());
        assert_eq!(
            v,
            r#"{"type":"network","bssid":"00:14:6C:A1:00:01","ssid":"Home, \"Net\"","cloaked":false,"network_type":"ap","channel":1,"encryption":"WPA2","cipher":"CCMP","auth":"PSK","cryptset":2097858,"signal_dbm":-53,"packets":149,"datasize":null,"clients":2,"manuf":"Netgear","first_seen":null,"last_seen":"2026-11-26T07:28:39Z"}"#
        );
        let hidden = NetworkView {
            ssid: None,
            cloaked: true,
            ..net()
        };
        assert_eq!(ssid_label(&hidden), "<hidden>");
        assert_eq!(network_cells(&net(), 1_795_678_122)[11], "3s ago");
        let csv = networks_csv(&[net()]);
        assert!(
            csv.lines()
                .nth(1)
                .unwrap()
                .contains("\"Home, \"\"Net\"\"\""),
            "{csv}"
        );
    }
}
