//! `--follow` after `networks`, `clients` or `stations` in batch mode: a
//! line per device that is new, or changed since it was last printed.
//!
//! Batch mode makes the listing again every [`POLL`], with the command's
//! own narrowing (`--type`, `--since`, `near`, `--server`, `clients NET`;
//! `--sort` orders the lines of one poll), and compares each device with
//! what was last printed of it ([`Changes`]).
//!
//! A device has changed when a field of its JSON object changed, except
//! those in [`UNCOUNTED`]: the times that move each time it is heard
//! (`last_seen`) and the running average of its positions (which moves
//! with every GPS point while driving). So a network heard again with
//! nothing new prints nothing; a new signal level, packet count, data
//! size, client count, encryption, SSID, channel, type, manufacturer or
//! best position prints it. A device that leaves the listing (past
//! `--since`, out of `near`) prints nothing; when it comes back, it
//! prints only if it differs from what was last printed of it.
//!
//! The lines are in the command's format ([`line`]): JSON objects exactly
//! as the listing prints them, CSV rows without a header (the listing
//! printed it), and in text the table's cells in its column order, `-`
//! for an empty one, two spaces apart.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

use super::outcome::Outcome;
use super::render::{self, devices, Format};

/// How often the listing is made again to look for changes.
pub const POLL: Duration = Duration::from_millis(500);

/// The keys of a device's JSON object whose change alone does not make a
/// line: times that move each time the device is heard, and the average
/// of its positions (it moves with every GPS point while driving; the
/// best position counts).
pub const UNCOUNTED: [&str; 5] = [
    "first_seen",
    "last_seen",
    "avg_lat",
    "avg_lon",
    "gps_points",
];

/// What was last printed of each device of a listing.
#[derive(Debug, Default)]
pub struct Changes {
    /// A device's key (see [`rows`]) to its object without [`UNCOUNTED`].
    last: HashMap<String, String>,
}

impl Changes {
    /// Nothing printed yet.
    pub fn new() -> Changes {
        Changes::default()
    }

    /// Takes the devices of `listing` as printed (the listing itself).
    pub fn printed(&mut self, listing: &Outcome) {
        for row in rows(listing) {
            self.last.insert(row.key, row.counted);
        }
    }

    /// The positions in `listing` of the devices that are new or changed
    /// since they were last printed, in the listing's order; they count
    /// as printed from now on.
    pub fn changed(&mut self, listing: &Outcome) -> Vec<usize> {
        let mut changed = Vec::new();
        for (i, row) in rows(listing).into_iter().enumerate() {
            if self.last.get(&row.key) != Some(&row.counted) {
                self.last.insert(row.key, row.counted);
                changed.push(i);
            }
        }
        changed
    }
}

/// One device of a listing, for comparing.
struct Row {
    /// Who it is: a network's BSSID, a client's MAC and BSSID (a station
    /// is a client of each network it was seen in), a station's MAC.
    key: String,
    /// Its JSON object without the [`UNCOUNTED`] keys.
    counted: String,
}

/// The listing's devices, in its order; none for another outcome.
fn rows(listing: &Outcome) -> Vec<Row> {
    let row = |key: String, mut value: Value| {
        if let Value::Object(obj) = &mut value {
            for k in UNCOUNTED {
                obj.remove(k);
            }
        }
        Row {
            key,
            counted: value.to_string(),
        }
    };
    match listing {
        Outcome::Wide(o) => rows(o),
        Outcome::Networks {
            rows, distances, ..
        } => (rows.iter().enumerate())
            .map(|(i, n)| {
                let value = devices::network_value(n, nth(distances, i));
                row(n.bssid.clone(), value)
            })
            .collect(),
        Outcome::Clients {
            rows, distances, ..
        } => (rows.iter().enumerate())
            .map(|(i, c)| {
                let value = devices::client_value(c, nth(distances, i));
                row(format!("{} {}", c.mac, c.bssid), value)
            })
            .collect(),
        Outcome::Stations { rows, .. } => rows
            .iter()
            .map(|s| row(s.mac.clone(), devices::station_value(s)))
            .collect(),
        _ => Vec::new(),
    }
}

fn nth(distances: &Option<Vec<f64>>, i: usize) -> Option<f64> {
    distances.as_ref().and_then(|d| d.get(i).copied())
}

/// The listing of the one device at `i` of `listing` (with its distance);
/// `None` when there is none there.
fn only(listing: &Outcome, i: usize) -> Option<Outcome> {
    let distance =
        |d: &Option<Vec<f64>>| d.as_ref().map(|d| d.get(i).into_iter().copied().collect());
    Some(match listing {
        Outcome::Wide(o) => return only(o, i),
        Outcome::Networks {
            rows,
            now,
            distances,
            as_of,
        } => Outcome::Networks {
            rows: vec![rows.get(i)?.clone()],
            now: *now,
            distances: distance(distances),
            as_of: *as_of,
        },
        Outcome::Clients {
            rows,
            now,
            distances,
            as_of,
            hidden,
        } => Outcome::Clients {
            rows: vec![rows.get(i)?.clone()],
            now: *now,
            distances: distance(distances),
            as_of: *as_of,
            hidden: hidden.clone(),
        },
        Outcome::Stations { rows, now, as_of } => Outcome::Stations {
            rows: vec![rows.get(i)?.clone()],
            now: *now,
            as_of: *as_of,
        },
        _ => return None,
    })
}

/// The device at `i` of `listing` as one line (no newline) in `format`:
/// its JSON object as the listing prints it, its CSV row (no header), or
/// in text (and raw) its table cells, `-` for an empty one, two spaces
/// apart. `None` when there is no device there.
pub fn line(listing: &Outcome, i: usize, format: Format) -> Option<String> {
    let one = only(listing, i)?;
    match format {
        Format::Json => render::outcome_json(&one),
        Format::Csv => {
            let table = render::outcome_csv(&one)?;
            // The header is the first line: its column names hold no
            // newline (a cell of the row may, quoted).
            let (_, row) = table.split_once('\n')?;
            Some(row.trim_end_matches(['\r', '\n']).to_string())
        }
        Format::Text | Format::Raw => {
            let cells = match &one {
                Outcome::Networks { rows, now, .. } => devices::network_cells(&rows[0], *now),
                Outcome::Clients {
                    rows, now, hidden, ..
                } => devices::client_cells(&rows[0], *now, hidden),
                Outcome::Stations { rows, now, .. } => devices::station_cells(&rows[0], *now),
                _ => return None,
            };
            let cells: Vec<&str> = (cells.iter())
                .map(|c| if c.is_empty() { "-" } else { c.as_str() })
                .collect();
            Some(cells.join("  "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kismet_client::NetworkView;

    fn network(bssid: &str) -> NetworkView {
        NetworkView {
            bssid: bssid.to_string(),
            ssid: Some("HomeNet".to_string()),
            channel: Some(6),
            signal_dbm: Some(-50),
            packets: Some(10),
            first_seen: Some(1_700_000_000),
            last_seen: Some(1_700_000_010),
            ..NetworkView::default()
        }
    }

    fn listing(rows: Vec<NetworkView>) -> Outcome {
        Outcome::Networks {
            rows,
            now: 1_700_000_020,
            distances: None,
            as_of: None,
        }
    }

    /// After the listing is printed, a network heard again with only its
    /// last_seen moved is not changed; a new signal level or a new
    /// network is, once.
    #[test]
    fn last_seen_alone_is_no_change() {
        let mut changes = Changes::new();
        let a = network("00:00:00:00:00:01");
        changes.printed(&listing(vec![a.clone()]));
        let mut heard = a.clone();
        heard.last_seen = Some(1_700_000_019);
        assert!(changes.changed(&listing(vec![heard.clone()])).is_empty());
        let mut louder = heard.clone();
        louder.signal_dbm = Some(-40);
        let b = network("00:00:00:00:00:02");
        let now = listing(vec![b, louder]);
        assert_eq!(changes.changed(&now), [0, 1]);
        assert!(changes.changed(&now).is_empty());
    }

    /// A changed network's line is the object `networks --format json`
    /// prints, its CSV row without the header, and in text its cells.
    #[test]
    fn lines_are_the_listing_rows() {
        let mut a = network("00:00:00:00:00:01");
        a.clients = 2;
        let l = listing(vec![a.clone()]);
        assert_eq!(
            line(&l, 0, Format::Json).unwrap(),
            devices::network_json(&a, None)
        );
        let csv = render::outcome_csv(&l).unwrap();
        assert_eq!(
            line(&l, 0, Format::Csv).unwrap(),
            csv.lines().nth(1).unwrap()
        );
        let text = line(&l, 0, Format::Text).unwrap();
        assert!(
            text.starts_with("00:00:00:00:00:01  HomeNet  -  6  "),
            "{text}"
        );
        assert!(line(&l, 1, Format::Json).is_none());
    }
}
