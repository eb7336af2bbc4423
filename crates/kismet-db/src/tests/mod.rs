//! Tests on real files in a temporary directory: a writer's rows read
//! back, device rows, sessions, thinning, the files refused, the lock,
//! and queries.

mod devices;
mod files;
mod props;
mod query;
mod round_trip;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kismet_client::{
    ClientView, LatLon, NetworkView, PlaceView, PositionSource, Snapshot, SsidView,
};
use kismet_protocol::decode::Encryption;

use crate::{Item, Observation, SessionStart, Writer, WriterOptions};

/// A directory of its own under the system's temporary one, removed
/// when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty directory (`name` is part of its name, for whoever
    /// looks at a failed run's leftovers).
    pub(crate) fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("kismet-db-test-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// A path in it.
    pub(crate) fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits until `done` holds, polling, for at most `limit`; whether it
/// did.
pub(crate) fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Options for tests: quick commits, a short busy timeout.
pub(crate) fn options() -> WriterOptions {
    WriterOptions {
        commit_every: Duration::from_millis(100),
        busy_timeout: Duration::from_millis(200),
        app: "kismet-shell test".into(),
        ..WriterOptions::default()
    }
}

/// Starts a writer on `path` with [`options`].
pub(crate) fn start(path: &Path) -> Writer {
    Writer::start(path, options()).unwrap()
}

/// A point.
pub(crate) fn at(lat: f64, lon: f64) -> LatLon {
    LatLon::from_degrees(lat, lon).unwrap()
}

/// A session's start.
pub(crate) fn session(server: &str, name: &str, started: u64) -> Item {
    Item::SessionStart(SessionStart {
        server: server.into(),
        server_name: Some(name.into()),
        started,
        greeting: Some("*KISMET: 0.0.0 1 \u{1}Kismet\u{1} 20250101 0".into()),
    })
}

/// An observation of a network (`client`: of a client of it).
pub(crate) fn observation(ts: f64, bssid: &str, mac: &str, pos: Option<(f64, f64)>) -> Item {
    Item::Observation(Observation {
        ts,
        kind: if bssid == mac { "network" } else { "client" },
        bssid: bssid.into(),
        mac: mac.into(),
        signal_dbm: Some(-60),
        lat: pos.map(|p| p.0),
        lon: pos.map(|p| p.1),
        alt: pos.map(|_| 12.4),
        fix: Some(if pos.is_some() { 3 } else { 0 }),
    })
}

/// A network with every field known: two SSID records (a beacon with
/// an escaped name, a probe response), encryption, a client-sourced
/// place.
pub(crate) fn network(bssid: &str, name: &str, last_seen: u64) -> NetworkView {
    let cryptset = 2_097_858; // WPA2 CCMP PSK
    let beacon = SsidView {
        name: Some(format!("{name}\u{1}x")),
        raw: Some(format!("{name}\\001x").into_bytes()),
        truncated: false,
        ssid_type: Some(0),
        cloaked: false,
        cryptset: Some(cryptset),
        encryption: Encryption::from_cryptset(cryptset),
        max_rate: Some(54.0),
        beacons: Some(10),
        last_seen: Some(last_seen),
    };
    let response = SsidView {
        ssid_type: Some(1),
        beacons: None,
        max_rate: Some(130.5),
        ..beacon.clone()
    };
    NetworkView {
        bssid: bssid.into(),
        ssid: beacon.name.clone(),
        cloaked: false,
        network_type: Some(0),
        channel: Some(6),
        cryptset: Some(cryptset),
        data_cryptset: Some(2),
        encryption: Encryption::from_cryptset(cryptset),
        signal_dbm: Some(-55),
        packets: Some(1234),
        datasize: Some(99_999),
        clients: 1,
        manuf: Some("Cisco".into()),
        manuf_truncated: false,
        first_seen: Some(last_seen - 100),
        last_seen: Some(last_seen),
        ssids: vec![beacon, response],
        place: Some(PlaceView {
            source: PositionSource::Client,
            first: Some(at(37.7691, -122.4196)),
            last: Some(at(37.77, -122.42)),
            best: Some(at(37.769_123, -122.419_571)),
            best_alt_m: Some(15),
            best_signal_dbm: Some(-42),
            average: Some(at(37.7695, -122.4198)),
            min: Some(at(37.7691, -122.42)),
            max: Some(at(37.77, -122.4196)),
            gps_points: 17,
        }),
    }
}

/// A hidden open network with little known: no SSID name, no place, no
/// type, a server-sourced nothing.
pub(crate) fn bare_network(bssid: &str) -> NetworkView {
    NetworkView {
        bssid: bssid.into(),
        cloaked: true,
        cryptset: Some(0),
        encryption: Encryption::from_cryptset(0),
        ssids: vec![SsidView {
            raw: Some(Vec::new()),
            ssid_type: Some(0),
            cloaked: true,
            cryptset: Some(0),
            encryption: Encryption::from_cryptset(0),
            ..SsidView::default()
        }],
        ..NetworkView::default()
    }
}

/// A client of `bssid` (its `ssid` as given: the network's).
pub(crate) fn client(bssid: &str, mac: &str, ssid: Option<&str>, last_seen: u64) -> ClientView {
    ClientView {
        mac: mac.into(),
        bssid: bssid.into(),
        ssid: ssid.map(str::to_owned),
        client_type: Some(4),
        signal_dbm: Some(-70),
        packets: Some(50),
        manuf: Some("Apple".into()),
        manuf_truncated: true,
        ip: Some("10.0.0.7".into()),
        first_seen: Some(last_seen - 10),
        last_seen: Some(last_seen),
        place: Some(PlaceView {
            source: PositionSource::Server,
            first: None,
            last: None,
            best: Some(at(37.7, -122.4)),
            best_alt_m: Some(-3),
            best_signal_dbm: None,
            average: Some(at(37.71, -122.41)),
            min: Some(at(37.6, -122.5)),
            max: Some(at(37.8, -122.3)),
            gps_points: 3,
        }),
    }
}

/// A snapshot of two networks (one with everything, one bare) and two
/// client records of the first (its own, and a station).
pub(crate) fn snapshot(last_seen: u64) -> Snapshot {
    let full = network("00:14:6C:A1:00:01", "HomeNet", last_seen);
    let ssid = full.ssid.clone();
    Snapshot {
        networks: vec![full, bare_network("02:00:00:00:00:02")],
        clients: vec![
            client(
                "00:14:6C:A1:00:01",
                "00:14:6C:A1:00:01",
                ssid.as_deref(),
                last_seen,
            ),
            client(
                "00:14:6C:A1:00:01",
                "AC:DE:48:00:11:22",
                ssid.as_deref(),
                last_seen,
            ),
        ],
        ..Snapshot::default()
    }
}

/// A count from SQL on a file, through a plain connection.
pub(crate) fn count(path: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// `PRAGMA integrity_check` on a file says ok.
pub(crate) fn assert_intact(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "{}", path.display());
}
