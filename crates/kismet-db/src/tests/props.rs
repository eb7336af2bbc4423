//! Any view, as rows and back; any odd value in a file, read without
//! failing.

use proptest::prelude::*;
use rusqlite::{params_from_iter, Connection};

use super::*;
use crate::rows;
use crate::{Reader, Select, SCHEMA};
use kismet_protocol::decode::format_mac;

/// Counts and times in the range SQLite's integers hold.
fn count() -> impl Strategy<Value = Option<u64>> {
    prop::option::of(0u64..(1 << 62))
}

/// Any valid point.
fn point() -> impl Strategy<Value = Option<LatLon>> {
    prop::option::of(
        (-90_000_000i32..=90_000_000, -180_000_000i32..=180_000_000)
            .prop_map(|(lat_e6, lon_e6)| LatLon { lat_e6, lon_e6 }),
    )
}

/// Any place.
fn place() -> impl Strategy<Value = Option<PlaceView>> {
    let points = (point(), point(), point(), point(), point(), point());
    let rest = (
        any::<bool>(),
        prop::option::of(-100_000i32..100_000),
        prop::option::of(any::<i32>()),
        0u64..(1 << 53),
    );
    prop::option::of((points, rest).prop_map(
        |((first, last, best, average, min, max), (client, alt, signal, n))| PlaceView {
            source: if client {
                PositionSource::Client
            } else {
                PositionSource::Server
            },
            first,
            last,
            best,
            best_alt_m: alt,
            best_signal_dbm: signal,
            average,
            min,
            max,
            gps_points: n,
        },
    ))
}

/// Any SSID record (rates in half Mbit/s, as the server's are).
fn ssid() -> impl Strategy<Value = SsidView> {
    (
        prop::option::of(".{0,8}"),
        prop::option::of(prop::collection::vec(any::<u8>(), 0..8)),
        (any::<bool>(), prop::option::of(0u32..6), any::<bool>()),
        prop::option::of(any::<u64>()),
        prop::option::of((0u32..2000).prop_map(|r| f64::from(r) / 2.0)),
        (count(), count()),
    )
        .prop_map(
            |(name, raw, (truncated, ssid_type, cloaked), cryptset, max_rate, (beacons, seen))| {
                SsidView {
                    name,
                    raw,
                    truncated,
                    ssid_type,
                    cloaked,
                    cryptset,
                    encryption: cryptset.map(Encryption::from_cryptset).unwrap_or_default(),
                    max_rate,
                    beacons,
                    last_seen: seen,
                }
            },
        )
}

/// Any network.
fn network() -> impl Strategy<Value = NetworkView> {
    (
        (any::<[u8; 6]>(), prop::option::of(".{0,8}"), any::<bool>()),
        (prop::option::of(0u32..300), prop::option::of(any::<u32>())),
        (
            prop::option::of(any::<u64>()),
            prop::option::of(any::<u64>()),
        ),
        (
            prop::option::of(any::<i32>()),
            count(),
            count(),
            0usize..1000,
        ),
        (prop::option::of(".{0,8}"), any::<bool>(), count(), count()),
        prop::collection::vec(ssid(), 0..4),
        place(),
    )
        .prop_map(
            |(
                (mac, ssid, cloaked),
                (network_type, channel),
                (cryptset, data_cryptset),
                (signal_dbm, packets, datasize, clients),
                (manuf, manuf_truncated, first_seen, last_seen),
                ssids,
                place,
            )| NetworkView {
                bssid: format_mac(mac),
                ssid,
                cloaked,
                network_type,
                channel,
                cryptset,
                data_cryptset,
                encryption: cryptset.map(Encryption::from_cryptset).unwrap_or_default(),
                signal_dbm,
                packets,
                datasize,
                clients,
                manuf,
                manuf_truncated,
                first_seen,
                last_seen,
                ssids,
                place,
            },
        )
}

/// Any client record (its `ssid` unknown: a reader takes the network's).
fn client() -> impl Strategy<Value = ClientView> {
    (
        (
            any::<[u8; 6]>(),
            any::<[u8; 6]>(),
            prop::option::of(0u32..10),
        ),
        (prop::option::of(any::<i32>()), count()),
        (
            prop::option::of(".{0,8}"),
            any::<bool>(),
            prop::option::of("[0-9.]{7,15}"),
        ),
        (count(), count()),
        place(),
    )
        .prop_map(
            |(
                (mac, bssid, client_type),
                (signal_dbm, packets),
                (manuf, manuf_truncated, ip),
                (first_seen, last_seen),
                place,
            )| ClientView {
                mac: format_mac(mac),
                bssid: format_mac(bssid),
                ssid: None,
                client_type,
                signal_dbm,
                packets,
                manuf,
                manuf_truncated,
                ip,
                first_seen,
                last_seen,
                place,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any network and client record, written as rows and read back,
    /// is the same view.
    #[test]
    fn any_network_and_client_rows_read_back_equal(n in network(), c in client()) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn.execute(rows::NETWORK_UPSERT, params_from_iter(rows::network_values("s", &n)))
            .unwrap();
        conn.execute(rows::CLIENT_UPSERT, params_from_iter(rows::client_values("s", &c)))
            .unwrap();
        let sql = format!("SELECT {} FROM networks", rows::NETWORK_COLUMNS);
        let (server, read, has_list) = conn
            .query_row(&sql, [], rows::network_view)
            .unwrap();
        prop_assert_eq!(server, "s");
        prop_assert!(has_list);
        prop_assert_eq!(read, n);
        let sql = format!("SELECT {} FROM clients", rows::CLIENT_COLUMNS);
        let (_, read) = conn.query_row(&sql, [], rows::client_view).unwrap();
        prop_assert_eq!(read, c);
    }
}

/// Values of the wrong type, out of range, or not JSON, in every table
/// a reader reads: they read as unknown (or the row is left out), and
/// nothing fails.
#[test]
fn odd_values_in_a_file_read_as_unknown() {
    let dir = TempDir::new("odd");
    let path = dir.join("s.db");
    start(&path).close();
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "INSERT INTO sessions VALUES (1, 's', NULL, 'yesterday', -5, x'00');
         INSERT INTO networks (server, bssid, ssid, cloaked, type, channel, first_seen,
             last_seen, packets, best_signal_dbm, best_lat, best_lon, best_alt, avg_lat,
             avg_lon, fields_json)
         VALUES ('s', 'not a mac', x'ff00', 'yes', 'spaceship', -6, 'x', 1e300, -1, 99999999999,
             1000.0, 'east', 1e300, 45.0, 2.0,
             '{\"ssids\": [1, {\"raw\": [300, 1]}, {\"name\": 5, \"type\": \"type x\"}],
               \"cryptset\": -1, \"clients\": \"many\", \"min\": [1], \"position_source\": 7}');
         INSERT INTO networks (server, bssid, fields_json) VALUES ('s', 'aa:bb:cc:dd:ee:ff', '[');
         INSERT INTO ssids VALUES ('s', 'aa:bb:cc:dd:ee:ff', 'Named', 'beacon', 5, 6);
         INSERT INTO ssids VALUES ('s', 'aa:bb:cc:dd:ee:ff', '', 'weird', NULL, 'late');
         INSERT INTO clients (server, bssid, mac, type, ip, first_seen, fields_json)
         VALUES ('s', 'AA:BB:CC:DD:EE:FF', 42, 7, x'01', 2.5, '{\"average\": \"here\"}');
         INSERT INTO gps VALUES ('noon', 1, 1, 2, 3, 4, 5, 3);
         INSERT INTO gps VALUES (5.0, 1, 'north', 2, 3, 4, 5, 3);
         INSERT INTO gps VALUES (6.0, 1, 91, 2, 3, 4, 5, 'three');
         INSERT INTO gps VALUES (7.0, 1, 45, 2, 'high', 4, 5, 3);
         INSERT INTO observations VALUES (-1e300, 1, 's', 'network', 'AA:BB:CC:DD:EE:FF',
             'AA:BB:CC:DD:EE:FF', 'loud', 45, 2, NULL, 3);
         INSERT INTO observations VALUES (8.0, 1, 's', 'client', 'nope', 'AA:BB:CC:DD:EE:FF',
             -50, 45, 2, NULL, 3);
         INSERT INTO observations VALUES (9.0, 1, 's', 3, 'AA:BB:CC:DD:EE:FF',
             'AA:BB:CC:DD:EE:01', 1e10, 45, 2, 'up', NULL);",
    )
    .unwrap();
    drop(conn);
    let reader = Reader::open(&path).unwrap();
    let snap = reader.snapshot(&Select::default()).unwrap();
    assert_eq!(snap.networks.len(), 2);
    // The MAC is put in the model's form; the SSIDs come from the rows.
    let named = &snap.networks[0];
    assert_eq!(named.bssid, "AA:BB:CC:DD:EE:FF");
    assert_eq!(named.ssids.len(), 2);
    assert_eq!(named.ssids[0].name.as_deref(), Some("Named"));
    assert_eq!(named.ssids[0].ssid_type, Some(0));
    assert_eq!(
        (named.ssids[1].name.as_deref(), named.ssids[1].ssid_type),
        (None, None)
    );
    let odd = &snap.networks[1];
    assert_eq!(odd.bssid, "not a mac");
    assert_eq!(
        (
            odd.ssid.as_deref(),
            odd.network_type,
            odd.channel,
            odd.first_seen,
            odd.packets
        ),
        (None, None, None, None, None)
    );
    assert_eq!((odd.cryptset, odd.clients), (None, 0));
    assert_eq!(odd.ssids.len(), 2);
    assert_eq!(odd.ssids[0].raw, None);
    assert_eq!(odd.ssids[1].ssid_type, None);
    let place = odd.place.unwrap();
    assert_eq!(place.source, PositionSource::Server);
    assert_eq!(
        (place.best, place.min, place.best_alt_m),
        (None, None, Some(i32::MAX))
    );
    assert_eq!(place.average, Some(at(45.0, 2.0)));
    assert_eq!(snap.clients.len(), 1);
    // SQLite made the number text (the column's affinity).
    assert_eq!(snap.clients[0].mac, "42");
    assert_eq!(
        (snap.clients[0].client_type, snap.clients[0].ip.as_deref()),
        (None, None)
    );
    assert_eq!(snap.clients[0].ssid, None);
    let sessions = reader.sessions().unwrap();
    assert_eq!((sessions[0].started, sessions[0].ended), (0, None));
    let history = reader.history(&Select::default()).unwrap();
    assert_eq!(history.track.len(), 1);
    assert_eq!(history.track[0].alt_m, None);
    assert_eq!(history.sightings.len(), 1);
    assert_eq!(history.sightings[0].mac[5], 0x01);
    assert_eq!(history.sightings[0].signal_dbm(), None);
    assert!(!history.sightings[0].client);
}
