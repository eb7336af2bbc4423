//! What a writer writes, a reader reads back the same.

use std::sync::Arc;

use kismet_client::{Frame, Model};

use super::*;
use crate::{AlertRow, GpsRow, MessageRow, Reader, Select, SessionEnd, SqlValue};

/// A line of a protocol with named fields, parsed as the client would.
fn frame(proto: &str, values: &[(&str, &str)]) -> Frame {
    let mut line = format!("*{proto}: ");
    for (name, value) in values {
        let q = if ["ssid", "manuf"].contains(name) {
            "\x01"
        } else {
            ""
        };
        line.push_str(&format!("{q}{value}{q} "));
    }
    let names: Arc<[String]> = values.iter().map(|(n, _)| n.to_string()).collect();
    Frame::parse(line.as_bytes())
        .unwrap()
        .with_names(Some(names))
}

/// A snapshot as the live model makes it from the server's frames.
fn model_snapshot() -> Snapshot {
    let model = Model::default();
    let bssid = |b: &str, ch: &str, last: &str| {
        frame(
            "BSSID",
            &[
                ("bssid", b),
                ("type", "0"),
                ("llcpackets", "10"),
                ("datapackets", "5"),
                ("manuf", "Cisco"),
                ("channel", ch),
                ("firsttime", "1700000000"),
                ("lasttime", last),
                ("signal_dbm", "-50"),
                ("datasize", "4096"),
                ("datacryptset", "2"),
                ("gpsfixed", "1"),
                ("bestlat", "37.7691"),
                ("bestlon", "-122.42"),
                ("bestalt", "12.5"),
                ("agglat", "37.77"),
                ("agglon", "-122.421"),
                ("aggpoints", "4"),
                ("minlat", "37.76"),
                ("minlon", "-122.43"),
                ("maxlat", "37.78"),
                ("maxlon", "-122.41"),
            ],
        )
    };
    let ssid = |mac: &str, kind: &str, name: &str, crypt: &str| {
        frame(
            "SSID",
            &[
                ("mac", mac),
                ("type", kind),
                ("ssid", name),
                ("cryptset", crypt),
                ("cloaked", "0"),
                ("maxrate", "54.0"),
                ("beacons", "9"),
                ("lasttime", "1700000100"),
            ],
        )
    };
    let client = |b: &str, mac: &str| {
        frame(
            "CLIENT",
            &[
                ("bssid", b),
                ("mac", mac),
                ("type", "4"),
                ("firsttime", "1700000010"),
                ("lasttime", "1700000090"),
                ("manuf", "Apple"),
                ("llcpackets", "3"),
                ("datapackets", "4"),
                ("signal_dbm", "-66"),
                ("ip", "10.0.0.5"),
            ],
        )
    };
    model.feed(&[
        bssid("00:14:6C:A1:00:01", "6", "1700000100"),
        bssid("00:14:6C:A1:00:02", "11", "1700000050"),
        ssid("00:14:6C:A1:00:01", "0", "Home\\001Net", "2097858"),
        ssid("00:14:6C:A1:00:01", "1", "Home\\001Net", "2097858"),
        ssid("00:14:6C:A1:00:02", "0", "", "0"),
        client("00:14:6C:A1:00:01", "00:14:6C:A1:00:01"),
        client("00:14:6C:A1:00:01", "AC:DE:48:00:11:22"),
        client("00:14:6C:A1:00:02", "AC:DE:48:00:11:23"),
    ]);
    model.snapshot()
}

/// Writes `snapshot` as `server`'s devices, closes, and reads them back.
fn write_and_read(dir: &TempDir, snapshot: &Snapshot) -> Snapshot {
    let path = dir.join("s.db");
    let writer = start(&path);
    writer.send(session("localhost:2501", "Kismet", 1_700_000_000));
    writer.devices("localhost:2501", snapshot.clone());
    let stats = writer.close();
    assert_eq!(stats.error, None);
    Reader::open(&path)
        .unwrap()
        .snapshot(&Select::default())
        .unwrap()
}

/// A snapshot with every field known (SSID records with escapes,
/// encryption, client and server places, a hidden network) reads back
/// equal, networks and clients alike.
#[test]
fn snapshot_written_reads_back_equal() {
    let dir = TempDir::new("snapshot");
    let written = snapshot(1_700_000_100);
    let read = write_and_read(&dir, &written);
    assert_eq!(read.networks, written.networks);
    assert_eq!(read.clients, written.clients);
    assert_eq!(read, written);
    assert_intact(&dir.join("s.db"));
}

/// The live model's own snapshot (from BSSID, SSID and CLIENT frames)
/// reads back equal.
#[test]
fn model_snapshot_reads_back_equal() {
    let dir = TempDir::new("model");
    let written = model_snapshot();
    assert_eq!(written.networks.len(), 2);
    assert_eq!(written.clients.len(), 3);
    assert!(written.networks[0].place.is_some());
    let read = write_and_read(&dir, &written);
    assert_eq!(read.networks, written.networks);
    assert_eq!(read.clients, written.clients);
}

/// The columns users query hold what the views say: names for types,
/// the encryption's parts, the best position; `fields_json` the rest.
#[test]
fn device_columns_hold_readable_values() {
    let dir = TempDir::new("columns");
    write_and_read(&dir, &snapshot(1_700_000_100));
    let reader = Reader::open(&dir.join("s.db")).unwrap();
    let r = reader
        .query(
            "SELECT type, encryption, cipher, auth, channel, best_lat, best_alt, \
             json_extract(fields_json, '$.cryptset'), json_extract(fields_json, '$.ssids[0].type') \
             FROM networks WHERE bssid = '00:14:6C:A1:00:01'",
            10,
        )
        .unwrap();
    assert_eq!(
        r.rows,
        [[
            SqlValue::Text("ap".into()),
            SqlValue::Text("WPA2".into()),
            SqlValue::Text("CCMP".into()),
            SqlValue::Text("PSK".into()),
            SqlValue::Integer(6),
            SqlValue::Real(37.769_123),
            SqlValue::Real(15.0),
            SqlValue::Integer(2_097_858),
            SqlValue::Text("beacon".into()),
        ]]
    );
    // The hidden network's encryption is known (open); an unknown one
    // would be NULL.
    let r = reader
        .query(
            "SELECT encryption, type, ssid FROM networks WHERE bssid = '02:00:00:00:00:02'",
            10,
        )
        .unwrap();
    assert_eq!(
        r.rows,
        [[SqlValue::Text("OPN".into()), SqlValue::Null, SqlValue::Null]]
    );
    let r = reader
        .query("SELECT ssid, type FROM ssids ORDER BY bssid, type", 10)
        .unwrap();
    assert_eq!(r.rows.len(), 3);
    assert_eq!(
        r.rows[0],
        [
            SqlValue::Text("HomeNet\u{1}x".into()),
            SqlValue::Text("beacon".into())
        ]
    );
    assert_eq!(r.rows[1][1], SqlValue::Text("probe-response".into()));
    assert_eq!(
        r.rows[2],
        [
            SqlValue::Text(String::new()),
            SqlValue::Text("beacon".into())
        ]
    );
    let r = reader
        .query(
            "SELECT type, ip FROM clients WHERE mac = 'AC:DE:48:00:11:22'",
            10,
        )
        .unwrap();
    assert_eq!(
        r.rows,
        [[
            SqlValue::Text("established".into()),
            SqlValue::Text("10.0.0.7".into())
        ]]
    );
}

/// Sessions, observations, GPS rows, alerts and messages are written as
/// sent, each with its session (none before the first), and a session's
/// end sets `ended`.
#[test]
fn items_are_written_with_their_session() {
    let dir = TempDir::new("items");
    let path = dir.join("s.db");
    let writer = start(&path);
    let bssid = "00:14:6C:A1:00:01";
    assert!(writer.send(Item::Message(MessageRow {
        ts: 99.5,
        kind: "connected".into(),
        text: "before any session".into(),
    })));
    writer.send(session("localhost:2501", "Kismet", 100));
    assert!(writer.send(observation(
        100.25,
        bssid,
        bssid,
        Some((37.7691, -122.4196))
    )));
    assert!(writer.send(Item::Gps(GpsRow {
        ts: 100.5,
        lat: Some(37.7691),
        lon: Some(-122.4196),
        alt: Some(12.0),
        speed: Some(1.5),
        heading: Some(270.0),
        fix: Some(3),
    })));
    assert!(writer.send(Item::Alert(AlertRow {
        ts: 101.0,
        header: Some("DEAUTHFLOOD".into()),
        bssid: Some(bssid.into()),
        source: Some("AC:DE:48:00:11:22".into()),
        dest: Some("FF:FF:FF:FF:FF:FF".into()),
        channel: Some(6),
        text: Some("deauth flood".into()),
        lat: Some(37.7691),
        lon: None,
    })));
    writer.send(Item::SessionEnd(SessionEnd { ended: 200 }));
    let stats = writer.close();
    assert_eq!(
        (
            stats.sessions,
            stats.observations,
            stats.gps,
            stats.alerts,
            stats.messages
        ),
        (1, 1, 1, 1, 1)
    );
    assert!(stats.commits >= 1 && stats.last_commit.is_some());
    assert_eq!(stats.error, None);

    let reader = Reader::open(&path).unwrap();
    let q = |sql: &str| reader.query(sql, 100).unwrap().rows;
    assert_eq!(
        q("SELECT id, server, server_name, started, ended, greeting IS NOT NULL FROM sessions"),
        [[
            SqlValue::Integer(1),
            SqlValue::Text("localhost:2501".into()),
            SqlValue::Text("Kismet".into()),
            SqlValue::Integer(100),
            SqlValue::Integer(200),
            SqlValue::Integer(1),
        ]]
    );
    assert_eq!(
        q("SELECT ts, session, kind, text FROM messages"),
        [[
            SqlValue::Real(99.5),
            SqlValue::Null,
            SqlValue::Text("connected".into()),
            SqlValue::Text("before any session".into()),
        ]]
    );
    assert_eq!(
        q("SELECT ts, session, server, kind, bssid, mac, signal_dbm, lat, lon, alt, fix FROM observations"),
        [[
            SqlValue::Real(100.25),
            SqlValue::Integer(1),
            SqlValue::Text("localhost:2501".into()),
            SqlValue::Text("network".into()),
            SqlValue::Text(bssid.into()),
            SqlValue::Text(bssid.into()),
            SqlValue::Integer(-60),
            SqlValue::Real(37.7691),
            SqlValue::Real(-122.4196),
            SqlValue::Real(12.4),
            SqlValue::Integer(3),
        ]]
    );
    assert_eq!(
        q("SELECT ts, session, lat, lon, alt, speed, heading, fix FROM gps"),
        [[
            SqlValue::Real(100.5),
            SqlValue::Integer(1),
            SqlValue::Real(37.7691),
            SqlValue::Real(-122.4196),
            SqlValue::Real(12.0),
            SqlValue::Real(1.5),
            SqlValue::Real(270.0),
            SqlValue::Integer(3),
        ]]
    );
    assert_eq!(
        q("SELECT session, header, bssid, source, dest, channel, text, lat, lon FROM alerts"),
        [[
            SqlValue::Integer(1),
            SqlValue::Text("DEAUTHFLOOD".into()),
            SqlValue::Text(bssid.into()),
            SqlValue::Text("AC:DE:48:00:11:22".into()),
            SqlValue::Text("FF:FF:FF:FF:FF:FF".into()),
            SqlValue::Integer(6),
            SqlValue::Text("deauth flood".into()),
            SqlValue::Real(37.7691),
            SqlValue::Null,
        ]]
    );
    assert_intact(&path);
}

/// The track: fixed rows in time order, a new segment after a lost fix
/// or a gap over 3 s, standing still one point; rows at 0,0 or without
/// a fix left out. The sightings: the observations with a position.
#[test]
fn history_has_the_track_in_segments_and_the_sightings() {
    let dir = TempDir::new("history");
    let path = dir.join("s.db");
    let writer = start(&path);
    writer.send(session("localhost:2501", "Kismet", 100));
    let gps = |ts: f64, lat: f64, fix: i64| {
        Item::Gps(GpsRow {
            ts,
            lat: Some(lat),
            lon: Some(-122.0),
            alt: Some(10.4),
            speed: None,
            heading: None,
            fix: Some(fix),
        })
    };
    // A GPS that has no data sends 0,0: no position.
    let null_island = GpsRow {
        ts: 111.0,
        lat: None,
        lon: None,
        alt: None,
        speed: None,
        heading: None,
        fix: Some(3),
    };
    for item in [
        gps(100.0, 37.0, 3),
        gps(101.0, 37.0, 3),   // standing still: merged, the later time
        gps(102.0, 37.001, 2), // moved, 2D: no altitude
        gps(103.0, 37.002, 1), // fix lost
        gps(104.0, 37.003, 3), // new segment
        gps(110.0, 37.004, 3), // a 6 s gap: new segment
        Item::Gps(GpsRow {
            lat: Some(0.0),
            lon: Some(0.0),
            ..null_island
        }),
    ] {
        assert!(writer.send(item));
    }
    // Rows sent out of order are read in time order.
    writer.send(gps(99.0, 36.999, 3));
    let (b, m) = ("00:14:6C:A1:00:01", "AC:DE:48:00:11:22");
    writer.send(observation(100.7, b, m, Some((37.0, -122.0))));
    writer.send(observation(100.2, b, b, Some((37.0005, -122.0))));
    writer.send(observation(100.9, b, b, None));
    assert_eq!(writer.close().error, None);

    let history = Reader::open(&path)
        .unwrap()
        .history(&Select::default())
        .unwrap();
    let track: Vec<(u64, i32, Option<i16>, bool)> = history
        .track
        .iter()
        .map(|p| (p.time, p.at.lat_e6, p.alt_m, p.new_segment))
        .collect();
    assert_eq!(
        track,
        [
            (99, 36_999_000, Some(10), true),
            (101, 37_000_000, Some(10), false),
            (102, 37_001_000, None, false),
            (104, 37_003_000, Some(10), true),
            (110, 37_004_000, Some(10), true),
        ]
    );
    assert!(history.keeps_sightings);
    let sightings: Vec<_> = history
        .sightings
        .iter()
        .map(|s| (s.time, s.client, s.at.lat_e6, s.signal_dbm(), s.alt_m()))
        .collect();
    assert_eq!(
        sightings,
        [
            (100, false, 37_000_500, Some(-60), Some(12)),
            (100, true, 37_000_000, Some(-60), Some(12)),
        ]
    );
    assert_eq!(
        history.sightings[1].mac,
        [0xAC, 0xDE, 0x48, 0x00, 0x11, 0x22]
    );
    assert_eq!(
        history.sightings[1].bssid,
        [0x00, 0x14, 0x6C, 0xA1, 0x00, 0x01]
    );
}

/// `since` keeps devices last seen at or after it; `server` matches a
/// session's address or its server's name, and over two servers with
/// the same BSSID the one last seen wins.
#[test]
fn select_filters_by_time_and_server() {
    let dir = TempDir::new("select");
    let path = dir.join("s.db");
    let writer = start(&path);
    writer.send(session("a:2501", "Alpha", 100));
    writer.send(session("b:2501", "Bravo", 100));
    let mut old = snapshot(1_000);
    old.networks[0].ssid = Some("old".into());
    writer.devices("a:2501", old);
    writer.devices("b:2501", snapshot(2_000));
    assert_eq!(writer.close().error, None);
    let reader = Reader::open(&path).unwrap();
    let all = reader.snapshot(&Select::default()).unwrap();
    // The bare network has no last_seen: seen by both, it is one row.
    assert_eq!(all.networks.len(), 2);
    assert_eq!(all.networks[0].last_seen, Some(2_000));
    assert_eq!(all.clients.len(), 2);
    assert_eq!(all.clients[0].last_seen, Some(2_000));
    let alpha = reader
        .snapshot(&Select {
            server: Some("Alpha".into()),
            ..Select::default()
        })
        .unwrap();
    assert_eq!(alpha.networks[0].ssid.as_deref(), Some("old"));
    assert_eq!(alpha.clients[1].ssid.as_deref(), Some("old"));
    let by_address = reader
        .snapshot(&Select {
            server: Some("a:2501".into()),
            ..Select::default()
        })
        .unwrap();
    assert_eq!(by_address, alpha);
    let recent = reader
        .snapshot(&Select {
            since: Some(1_500),
            ..Select::default()
        })
        .unwrap();
    assert_eq!(recent.networks.len(), 1);
    assert_eq!(recent.networks[0].last_seen, Some(2_000));
    let nobody = reader
        .snapshot(&Select {
            server: Some("nobody".into()),
            ..Select::default()
        })
        .unwrap();
    assert!(nobody.networks.is_empty() && nobody.clients.is_empty());
}
