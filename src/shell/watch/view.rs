//! What a watch screen shows: a title, a status line and a table, built
//! from the live model, the status report or the latest frames, without
//! any terminal code (so it is tested as data).

use std::collections::HashMap;
use std::sync::Arc;

use crate::shell::commands::{listed, NetworkType};
use crate::shell::outcome::StatusReport;
use crate::shell::render::devices::{
    client_cells, hidden_bssids, network_cells, station_cells, CLIENT_COLUMNS, CLIENT_DROP_ORDER,
    NETWORK_COLUMNS, NETWORK_DROP_ORDER, STATION_COLUMNS, STATION_DROP_ORDER,
};
use crate::shell::render::frame::{decoded_value, field_value};
use crate::shell::render::tables::STATUS_COLUMNS;
use kismet_client::{Snapshot, SortColumn, SORT_COLUMNS};
use kismet_protocol::device_key_index;
use kismet_protocol::Frame;

/// What is watched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The networks (the live model).
    Networks,
    /// The clients of a network (a BSSID or an SSID), or of all.
    Clients(Option<String>),
    /// One network in detail (its BSSID).
    Network(String),
    /// The stations (the live model).
    Stations,
    /// Activity per channel, as bars.
    Channels,
    /// The status report.
    Status,
    /// The capture sources (the live model's SOURCE table).
    Sources,
    /// The latest frame of each device of a protocol.
    Protocol(String),
    /// The recent alerts, newest first.
    Alerts,
}

impl Target {
    /// The word for it in `watch WORD`.
    pub fn title(&self) -> String {
        match self {
            Target::Networks => "networks".into(),
            Target::Clients(None) => "clients".into(),
            Target::Clients(Some(n)) => format!("clients of {n}"),
            Target::Network(b) => format!("network {b}"),
            Target::Stations => "stations".into(),
            Target::Channels => "channels".into(),
            Target::Status => "status".into(),
            Target::Sources => "sources".into(),
            Target::Protocol(p) => p.clone(),
            Target::Alerts => "alerts".into(),
        }
    }
}

/// A table to draw: column titles and rows of cells; `keys` names the
/// row (a network's BSSID, a station's MAC), for opening it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Column titles.
    pub columns: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
    /// What each row stands for (a BSSID, a MAC), when it can be opened:
    /// Enter shows `clients KEY`.
    pub keys: Vec<String>,
    /// Each row's identity (a BSSID, BSSID/MAC, a protocol, a device
    /// key), so that the selection stays on its device when rows re-sort.
    pub ids: Vec<String>,
    /// Columns to leave out first when the screen is too narrow.
    pub drop_first: Vec<usize>,
    /// A column cut to the room left (at least its title's width) once
    /// the `drop_first` ones are out, rather than left out itself.
    pub shrink: Option<usize>,
}

impl Table {
    /// Sorts the rows by column `column`'s cells (as numbers when both
    /// are, `-44` before `-70` descending; else as text, any case), with
    /// their keys and identities; equal cells keep their order.
    pub fn sort_by_column(&mut self, column: usize, descending: bool) {
        let cell = |r: &Vec<String>| r.get(column).cloned().unwrap_or_default();
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (cell(&self.rows[a]), cell(&self.rows[b]));
            let ord = match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(p), Ok(q)) => p.total_cmp(&q),
                _ => x.to_lowercase().cmp(&y.to_lowercase()),
            };
            if descending {
                ord.reverse()
            } else {
                ord
            }
        });
        let pick = |v: &[String]| -> Vec<String> {
            if v.len() == order.len() {
                order.iter().map(|&i| v[i].clone()).collect()
            } else {
                v.to_vec()
            }
        };
        self.keys = pick(&self.keys);
        self.ids = pick(&self.ids);
        self.rows = order.iter().map(|&i| self.rows[i].clone()).collect();
    }

    /// Keeps the rows with a cell that contains `text` (any case), with
    /// their keys and identities.
    pub fn retain_matching(&mut self, text: &str) {
        let needle = text.to_lowercase();
        if needle.is_empty() {
            return;
        }
        let keep: Vec<bool> = self
            .rows
            .iter()
            .map(|r| r.iter().any(|c| c.to_lowercase().contains(&needle)))
            .collect();
        let mut it = keep.iter();
        self.rows.retain(|_| *it.next().unwrap_or(&true));
        if self.keys.len() == keep.len() {
            let mut it = keep.iter();
            self.keys.retain(|_| *it.next().unwrap_or(&true));
        }
        if self.ids.len() == keep.len() {
            let mut it = keep.iter();
            self.ids.retain(|_| *it.next().unwrap_or(&true));
        }
    }

    /// The columns to show in `width` cells (with `spacing` between
    /// columns and `margin` before the first), and each one's width: all
    /// that fit, leaving out the columns of `drop_first` in order, then
    /// cutting the `shrink` column, then leaving out the last ones, rather
    /// than cutting every column short.
    pub fn fit(&self, width: usize, spacing: usize, margin: usize) -> Vec<(usize, usize)> {
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                    .chain(std::iter::once(self.columns[i].chars().count()))
                    .max()
                    .unwrap_or(1)
            })
            .collect();
        let mut widths = widths;
        let mut shown: Vec<usize> = (0..self.columns.len()).collect();
        let total = |shown: &[usize], widths: &[usize]| {
            margin
                + shown.iter().map(|&i| widths[i]).sum::<usize>()
                + spacing * shown.len().saturating_sub(1)
        };
        for &i in &self.drop_first {
            if total(&shown, &widths) <= width || shown.len() <= 1 {
                break;
            }
            shown.retain(|&c| c != i);
        }
        if let Some(c) = self.shrink.filter(|c| shown.contains(c)) {
            let over = total(&shown, &widths).saturating_sub(width);
            let least = self.columns[c].chars().count();
            widths[c] = widths[c].saturating_sub(over).max(least);
        }
        for i in (0..self.columns.len()).rev() {
            if total(&shown, &widths) <= width || shown.len() <= 1 {
                break;
            }
            shown.retain(|&c| c != i);
        }
        shown.into_iter().map(|i| (i, widths[i])).collect()
    }
}

/// Where the selection goes when the rows change: onto the row of
/// `follow` (the device selected before) wherever it is now, else the
/// same place (`at`), within the rows. `None` when there is no row.
pub fn reselect(table: &Table, follow: Option<&str>, at: usize) -> Option<usize> {
    let rows = table.rows.len();
    if rows == 0 {
        return None;
    }
    follow
        .and_then(|id| table.ids.iter().position(|i| i == id))
        .or(Some(at.min(rows - 1)))
}

/// How the networks are sorted in the watch view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// The column.
    pub column: SortColumn,
    /// Descending.
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Sort {
        Sort {
            column: SortColumn::Signal,
            descending: true,
        }
    }
}

impl Sort {
    /// The next column (`s`), or the previous (`S`), each in its natural
    /// direction.
    pub fn step(self, forward: bool) -> Sort {
        let i = SORT_COLUMNS
            .iter()
            .position(|(c, _, _)| *c == self.column)
            .unwrap_or(0);
        let n = SORT_COLUMNS.len();
        let j = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        let column = SORT_COLUMNS[j].0;
        Sort {
            column,
            descending: column.descending_by_default(),
        }
    }

    /// As a label: `signal (strongest first)`, `bssid ↑`.
    pub fn label(self) -> String {
        format!(
            "{} {}",
            self.column.name(),
            if self.descending { "↓" } else { "↑" }
        )
    }
}

/// The title line from `parts`, most important first, joined by ` | `
/// and fitted to `width`: the last parts are left out until it fits, and
/// the first is cut with `…` if even it alone does not (so the view's name
/// and its row count stay, whatever the width).
pub fn fit_title(parts: &[String], width: usize) -> String {
    let mut n = parts.len();
    loop {
        let title = parts[..n].join("  |  ");
        if title.chars().count() <= width || n <= 1 {
            if title.chars().count() <= width {
                return title;
            }
            let cut: String = title.chars().take(width.saturating_sub(1)).collect();
            return format!("{cut}…");
        }
        n -= 1;
    }
}

/// The indexes of `order`'s columns in `columns` (names not there are
/// skipped), for [`Table::drop_first`].
fn drop_order(columns: &[&str], order: &[&str]) -> Vec<usize> {
    order
        .iter()
        .filter_map(|name| columns.iter().position(|c| c == name))
        .collect()
}

/// The networks table, sorted: those of the types `kind` (none: every
/// network but the probe entries, as `networks` lists them).
pub fn networks(snapshot: &Snapshot, sort: Sort, kind: &[NetworkType], now: u64) -> Table {
    let mut sorted = snapshot.sorted_networks(sort.column, sort.descending);
    sorted.retain(|n| listed(kind, n));
    Table {
        columns: NETWORK_COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: sorted.iter().map(|n| network_cells(n, now)).collect(),
        keys: sorted.iter().map(|n| n.bssid.clone()).collect(),
        ids: sorted.iter().map(|n| n.bssid.clone()).collect(),
        drop_first: drop_order(&NETWORK_COLUMNS, &NETWORK_DROP_ORDER),
        shrink: None,
    }
}

/// The clients table, of one network or of all.
pub fn clients(snapshot: &Snapshot, net: Option<&str>, now: u64) -> Table {
    let rows: Vec<_> = match net {
        Some(n) => snapshot.clients_of(n),
        None => snapshot
            .clients
            .iter()
            .filter(|c| c.mac != c.bssid)
            .collect(),
    };
    let hidden = hidden_bssids(&snapshot.networks);
    Table {
        columns: CLIENT_COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: rows.iter().map(|c| client_cells(c, now, &hidden)).collect(),
        keys: Vec::new(),
        ids: rows
            .iter()
            .map(|c| format!("{}/{}", c.bssid, c.mac))
            .collect(),
        drop_first: drop_order(&CLIENT_COLUMNS, &CLIENT_DROP_ORDER),
        shrink: None,
    }
}

/// The stations table (see [`Snapshot::stations`]), in MAC order; a row
/// opens the station's records (`clients MAC`).
pub fn stations(snapshot: &Snapshot, now: u64) -> Table {
    let stations = snapshot.stations();
    let macs: Vec<String> = stations.iter().map(|s| s.mac.clone()).collect();
    Table {
        columns: STATION_COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: stations.iter().map(|s| station_cells(s, now)).collect(),
        keys: macs.clone(),
        ids: macs,
        drop_first: drop_order(&STATION_COLUMNS, &STATION_DROP_ORDER),
        shrink: None,
    }
}

/// The alerts table: newest first.
pub fn alerts(list: &kismet_client::AlertList) -> Table {
    use crate::shell::render::alerts::{alert_cells, ALERT_COLUMNS, ALERT_DROP_ORDER};
    let rows: Vec<Vec<String>> = list.alerts.iter().rev().map(alert_cells).collect();
    Table {
        columns: ALERT_COLUMNS.map(String::from).to_vec(),
        rows,
        keys: Vec::new(),
        // No identities: the selection keeps its place (the top, where
        // the new ones come) rather than following an old alert down.
        ids: Vec::new(),
        drop_first: drop_order(&ALERT_COLUMNS, &ALERT_DROP_ORDER),
        shrink: ALERT_COLUMNS.iter().position(|c| *c == "TEXT"),
    }
}

/// The capture sources table, by name.
pub fn sources(sources: &[kismet_client::SourceView]) -> Table {
    use crate::shell::render::sources::{cells, COLUMNS, DROP_ORDER};
    Table {
        columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: sources.iter().map(cells).collect(),
        keys: Vec::new(),
        ids: sources.iter().map(|s| s.uuid.clone()).collect(),
        drop_first: drop_order(&COLUMNS, &DROP_ORDER),
        shrink: None,
    }
}

/// The channels as a table (a row per channel, in the chart's order):
/// what the title counts and `/` finds.
pub fn channels(v: &kismet_client::ChannelsView) -> Table {
    let ids: Vec<String> = v.channels.iter().map(|c| c.channel.to_string()).collect();
    Table {
        columns: vec!["CH".into()],
        rows: ids.iter().map(|id| vec![id.clone()]).collect(),
        keys: Vec::new(),
        ids,
        drop_first: Vec::new(),
        shrink: None,
    }
}

/// The status table: one row per protocol.
pub fn status(report: &StatusReport) -> Table {
    let rows = report.rows();
    Table {
        columns: STATUS_COLUMNS.map(String::from).to_vec(),
        ids: rows.iter().map(|r| r.protocol.clone()).collect(),
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    r.protocol,
                    r.frames.to_string(),
                    r.shown.to_string(),
                    r.filtered.to_string(),
                    r.limited.to_string(),
                    format!("{:.1}", r.per_second),
                    r.dropped.to_string(),
                ]
            })
            .collect(),
        keys: Vec::new(),
        // LIMITED goes first: it is 0 but while the display is flooded.
        drop_first: vec![4],
        shrink: None,
    }
}

/// Most devices a protocol view keeps (the oldest go first).
pub const MAX_LATEST: usize = 10_000;

/// The latest frame of each device of one protocol, keyed by its `bssid`
/// and `mac` fields (else its first field).
#[derive(Debug, Default)]
pub struct Latest {
    names: Option<Arc<[String]>>,
    key: Vec<usize>,
    by_key: HashMap<Vec<u8>, (u64, Frame)>,
    serial: u64,
}

impl Latest {
    /// Takes in a frame of the watched protocol.
    pub fn add(&mut self, frame: Frame) {
        let Some(names) = frame.names_arc().cloned() else {
            return;
        };
        if self.names.as_ref().is_none_or(|n| n[..] != names[..]) {
            // Another field list: start again with it.
            self.key = device_key_index(&names);
            self.names = Some(names);
            self.by_key.clear();
        }
        let mut key = Vec::with_capacity(24);
        for &i in &self.key {
            key.extend_from_slice(frame.field(i).unwrap_or_default());
            key.push(0);
        }
        self.serial += 1;
        self.by_key.insert(key, (self.serial, frame));
        if self.by_key.len() > MAX_LATEST {
            if let Some(oldest) = self
                .by_key
                .iter()
                .min_by_key(|(_, (s, _))| *s)
                .map(|(k, _)| k.clone())
            {
                self.by_key.remove(&oldest);
            }
        }
    }

    /// The table: columns = the fields, one row per device in key order;
    /// values decoded (as the scrolling lines show them) when `decode`.
    pub fn table(&self, decode: bool) -> Table {
        let Some(names) = &self.names else {
            return Table::default();
        };
        let mut rows: Vec<(&Vec<u8>, &Frame)> =
            self.by_key.iter().map(|(k, (_, f))| (k, f)).collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        Table {
            columns: names.to_vec(),
            ids: rows
                .iter()
                .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
                .collect(),
            rows: rows
                .into_iter()
                .map(|(_, f)| {
                    f.named_fields()
                        .map(|(n, v)| {
                            decode
                                .then(|| decoded_value(f.protocol(), &n, v))
                                .flatten()
                                .unwrap_or_else(|| field_value(f.protocol(), &n, v))
                        })
                        .collect()
                })
                .collect(),
            keys: Vec::new(),
            drop_first: Vec::new(),
            shrink: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `s` walks the sort columns, each in its natural direction.
    #[test]
    fn sort_steps() {
        let s = Sort::default();
        assert_eq!(s.column, SortColumn::Signal);
        let t = s.step(true);
        assert_ne!(t.column, SortColumn::Signal);
        assert_eq!(t.step(false), s);
        assert!(s.label().starts_with("signal"));
    }

    /// On a narrow screen whole columns are left out, the chosen ones
    /// first, instead of every column cut short.
    #[test]
    fn narrow_screens_drop_columns() {
        let t = Table {
            columns: ["BSSID", "SSID", "MANUF"].map(String::from).to_vec(),
            rows: vec![["00:14:6C:A1:00:01", "HomeNet", "Netgear"]
                .map(String::from)
                .to_vec()],
            keys: Vec::new(),
            ids: Vec::new(),
            drop_first: vec![2],
            shrink: None,
        };
        assert_eq!(t.fit(80, 2, 2), [(0, 17), (1, 7), (2, 7)]);
        assert_eq!(t.fit(30, 2, 2), [(0, 17), (1, 7)]);
        assert_eq!(t.fit(20, 2, 2), [(0, 17)]);
        assert_eq!(t.fit(5, 2, 2), [(0, 17)]);
        // A column to shrink is cut to the room left (not below its
        // title) once the chosen ones are out, before it is left out.
        let t = Table {
            shrink: Some(1),
            ..t
        };
        assert_eq!(t.fit(30, 2, 2), [(0, 17), (1, 7)]);
        assert_eq!(t.fit(25, 2, 2), [(0, 17), (1, 4)]);
        assert_eq!(t.fit(20, 2, 2), [(0, 17)]);
    }

    /// The title keeps its first parts (view and row count) and leaves out
    /// the last ones on a narrow screen; the first alone is cut with `…`.
    #[test]
    fn titles_fit_keeping_the_counts() {
        let parts = [
            "kismet watch networks: 16 rows",
            "connected",
            "12:00:01",
            "Kismet at 10.0.0.5:2501",
        ]
        .map(String::from);
        assert_eq!(
            fit_title(&parts, 200),
            "kismet watch networks: 16 rows  |  connected  |  12:00:01  |  Kismet at 10.0.0.5:2501"
        );
        assert_eq!(
            fit_title(&parts, 60),
            "kismet watch networks: 16 rows  |  connected  |  12:00:01"
        );
        assert_eq!(fit_title(&parts, 31), "kismet watch networks: 16 rows");
        assert_eq!(fit_title(&parts, 20), "kismet watch networ…");
    }

    /// Narrow screens leave the networks' columns out in the documented
    /// order: TYPE stays with SSID to the end (a probe row never reads as
    /// an open network), BSSID before them.
    #[test]
    fn network_columns_go_in_the_documented_order() {
        let cols: Vec<String> = NETWORK_COLUMNS.iter().map(|c| c.to_string()).collect();
        let row = [
            "00:13:E8:10:00:08",
            "HomeNet",
            "probe",
            "0",
            "OPN",
            "",
            "",
            "-70",
            "1",
            "0",
            "IntelCor",
            "20s ago",
        ]
        .map(String::from)
        .to_vec();
        let t = Table {
            columns: cols.clone(),
            rows: vec![row],
            keys: Vec::new(),
            ids: Vec::new(),
            drop_first: drop_order(&NETWORK_COLUMNS, &NETWORK_DROP_ORDER),
            shrink: None,
        };
        let shown = |w: usize| -> Vec<&str> {
            t.fit(w, 2, 2)
                .iter()
                .map(|&(i, _)| cols[i].as_str())
                .collect()
        };
        assert_eq!(shown(200).len(), 12);
        assert_eq!(
            shown(60),
            ["BSSID", "SSID", "TYPE", "CH", "ENC", "PWR", "CLIENTS"]
        );
        assert_eq!(shown(40), ["BSSID", "SSID", "TYPE", "ENC"]);
        assert_eq!(shown(20), ["SSID", "TYPE"]);
        assert_eq!(shown(8), ["SSID"]);
    }

    /// The stations view: a row per station keyed by its MAC (Enter opens
    /// its records, the selection follows it); narrow screens keep the
    /// station, its network and its probes longest.
    #[test]
    fn stations_rows_are_keyed_by_mac_and_keep_probes() {
        let snap = Snapshot {
            clients: vec![kismet_client::ClientView {
                mac: "00:0C:42:00:00:01".into(),
                bssid: "00:14:6C:A1:00:01".into(),
                ssid: Some("Coffee Shop Free WiFi".into()),
                manuf: Some("Routerbo".into()),
                ..Default::default()
            }],
            networks: vec![kismet_client::NetworkView {
                bssid: "00:19:D2:10:00:09".into(),
                network_type: Some(2),
                ssids: vec![kismet_client::SsidView {
                    name: Some("eduroam".into()),
                    ssid_type: Some(2),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Snapshot::default()
        };
        let t = stations(&snap, 0);
        assert_eq!(t.ids, ["00:0C:42:00:00:01", "00:19:D2:10:00:09"]);
        assert_eq!(t.keys, t.ids);
        assert_eq!(t.rows[1][1], "(not associated)");
        assert_eq!(t.rows[1][6], "eduroam");
        let shown = |w: usize| -> Vec<&str> {
            t.fit(w, 2, 2)
                .iter()
                .map(|&(i, _)| t.columns[i].as_str())
                .collect()
        };
        assert_eq!(shown(200).len(), STATION_COLUMNS.len());
        assert_eq!(shown(60), ["STATION", "BSSID", "PWR", "PROBES"]);
        assert_eq!(shown(40), ["STATION", "PROBES"]);
    }

    /// Sorting by a column: numbers as numbers, text in any case, keys and
    /// identities moving with their rows.
    #[test]
    fn sort_by_column_orders_numbers_and_text() {
        let mut t = Table {
            columns: vec!["MAC".into(), "PWR".into()],
            rows: vec![
                vec!["b".into(), "-70".into()],
                vec!["A".into(), "-44".into()],
                vec!["c".into(), "-9".into()],
            ],
            keys: Vec::new(),
            ids: vec!["b".into(), "A".into(), "c".into()],
            drop_first: Vec::new(),
            shrink: None,
        };
        t.sort_by_column(1, true);
        assert_eq!(t.ids, ["c", "A", "b"]);
        t.sort_by_column(0, false);
        assert_eq!(t.ids, ["A", "b", "c"]);
        assert_eq!(t.rows[0], ["A", "-44"]);
    }

    /// `/TEXT` keeps the rows with a cell containing it, any case, with
    /// their keys and identities.
    #[test]
    fn search_keeps_matching_rows() {
        let mut t = Table {
            columns: vec!["BSSID".into(), "SSID".into()],
            rows: vec![
                vec!["00:01".into(), "HomeNet".into()],
                vec!["00:02".into(), "Coffee Shop".into()],
                vec!["00:03".into(), "homenet-5G".into()],
            ],
            keys: vec!["00:01".into(), "00:02".into(), "00:03".into()],
            ids: vec!["00:01".into(), "00:02".into(), "00:03".into()],
            drop_first: Vec::new(),
            shrink: None,
        };
        t.retain_matching("HOMEnet");
        assert_eq!(t.keys, ["00:01", "00:03"]);
        assert_eq!(t.ids, ["00:01", "00:03"]);
        assert_eq!(t.rows.len(), 2);
        t.retain_matching("");
        assert_eq!(t.rows.len(), 2);
    }

    /// The selection goes to its device's new row; a device gone leaves
    /// it at its place (within the rows); no rows, no selection.
    #[test]
    fn reselect_follows_the_device() {
        let t = |ids: &[&str]| Table {
            columns: vec!["X".into()],
            rows: ids.iter().map(|i| vec![i.to_string()]).collect(),
            keys: Vec::new(),
            ids: ids.iter().map(|i| i.to_string()).collect(),
            drop_first: Vec::new(),
            shrink: None,
        };
        assert_eq!(reselect(&t(&["c", "a", "b"]), Some("b"), 0), Some(2));
        assert_eq!(reselect(&t(&["c", "a"]), Some("b"), 1), Some(1));
        assert_eq!(reselect(&t(&["c", "a"]), Some("b"), 5), Some(1));
        assert_eq!(reselect(&t(&["c"]), None, 3), Some(0));
        assert_eq!(reselect(&t(&[]), Some("b"), 0), None);
    }

    /// The protocol view keeps the latest frame per device.
    #[test]
    fn latest_per_device() {
        let names: Arc<[String]> = ["ssid", "mac"].map(String::from).into();
        let f = |s: &str, m: &str| {
            Frame::parse(format!("*SSID: \x01{s}\x01 {m} ").as_bytes())
                .unwrap()
                .with_names(Some(names.clone()))
        };
        let mut l = Latest::default();
        l.add(f("a", "00:02"));
        l.add(f("b", "00:01"));
        l.add(f("c", "00:02"));
        let t = l.table(true);
        assert_eq!(t.columns, ["ssid", "mac"]);
        assert_eq!(t.rows, [["b", "00:01"], ["c", "00:02"]]);
    }

    /// The protocol view shows coded values by name, as the scrolling
    /// lines do, unless told not to decode.
    #[test]
    fn latest_decodes_coded_values_like_the_scroll() {
        let names: Arc<[String]> = ["mac", "type", "cryptset"].map(String::from).into();
        let mut l = Latest::default();
        l.add(
            Frame::parse(b"*SSID: 00:01 0 2 ")
                .unwrap()
                .with_names(Some(names)),
        );
        assert_eq!(l.table(true).rows, [["00:01", "beacon", "WEP"]]);
        assert_eq!(l.table(false).rows, [["00:01", "0", "2"]]);
    }
}
