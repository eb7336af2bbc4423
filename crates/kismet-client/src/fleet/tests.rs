//! The merge of several models' snapshots, and the position estimate.

use std::sync::Arc;

use super::*;
use crate::model::Model;
use kismet_protocol::{FieldValue, Frame};

/// A frame with only the named fields, in the order given (`ssid` quoted,
/// as the server writes it).
fn frame(proto: &str, values: &[(&str, &str)]) -> Frame {
    let names: Arc<[String]> = values.iter().map(|(n, _)| n.to_string()).collect();
    let fields: Vec<FieldValue> = (values.iter())
        .map(|(n, v)| {
            if *n == "ssid" {
                FieldValue::Quoted(v.as_bytes())
            } else {
                FieldValue::Bare(v.as_bytes())
            }
        })
        .collect();
    Frame::from_fields(proto, &fields)
        .unwrap()
        .with_names(Some(names))
}

/// A BSSID record as a server reports it.
fn bssid(mac: &str, channel: u32, signal: i32, packets: u64, first: u64, last: u64) -> Frame {
    frame(
        "BSSID",
        &[
            ("bssid", mac),
            ("type", "0"),
            ("channel", &channel.to_string()),
            ("signal_dbm", &signal.to_string()),
            ("llcpackets", &packets.to_string()),
            ("datapackets", "0"),
            ("firsttime", &first.to_string()),
            ("lasttime", &last.to_string()),
        ],
    )
}

/// A beacon's SSID record with its cipher set.
fn ssid(mac: &str, name: &str, cryptset: u64, last: u64) -> Frame {
    frame(
        "SSID",
        &[
            ("mac", mac),
            ("type", "0"),
            ("ssid", name),
            ("cryptset", &cryptset.to_string()),
            ("lasttime", &last.to_string()),
        ],
    )
}

/// A CLIENT record.
fn client(bssid: &str, mac: &str, signal: i32, packets: u64, last: u64) -> Frame {
    frame(
        "CLIENT",
        &[
            ("bssid", bssid),
            ("mac", mac),
            ("type", "2"),
            ("signal_dbm", &signal.to_string()),
            ("llcpackets", &packets.to_string()),
            ("datapackets", "0"),
            ("firsttime", &last.to_string()),
            ("lasttime", &last.to_string()),
        ],
    )
}

fn snapshot(frames: &[Frame]) -> Snapshot {
    let m = Model::default();
    m.feed(frames);
    m.snapshot()
}

const HOME: &str = "00:14:6C:A1:00:01";
const CAFE: &str = "00:18:E7:B2:00:02";
const ATTIC: &str = "00:1D:7E:C3:00:03";
/// WPA2 PSK CCMP, as a live server sent it.
const WPA2: u64 = 2_097_858;

/// Two servers' models: the merged networks are the union by BSSID; a
/// network both saw lists both with their own signals, the strongest
/// first; the later report's encryption wins; first and last seen span
/// both, packets are the most either counted, clients the union.
#[test]
fn merged_networks_are_the_union_with_each_servers_signal() {
    let kitchen = snapshot(&[
        bssid(HOME, 1, -40, 100, 1_000, 1_050),
        ssid(HOME, "HomeNet", 0, 1_050),
        bssid(CAFE, 6, -70, 10, 1_010, 1_020),
        client(HOME, "00:19:D2:10:00:09", -50, 5, 1_050),
    ]);
    let attic = snapshot(&[
        bssid(HOME, 1, -65, 40, 990, 1_060),
        ssid(HOME, "HomeNet", WPA2, 1_060),
        bssid(ATTIC, 11, -55, 7, 1_000, 1_001),
        client(HOME, "00:21:6A:10:00:01", -60, 3, 1_060),
        client(HOME, "00:19:D2:10:00:09", -80, 2, 1_040),
    ]);
    let sensors = [
        Sensor {
            name: "kitchen",
            snapshot: &kitchen,
            fixed_at: None,
        },
        Sensor {
            name: "attic",
            snapshot: &attic,
            fixed_at: None,
        },
    ];
    let merged = merge_networks(&sensors);
    let bssids: Vec<&str> = merged.iter().map(|m| m.network.bssid.as_str()).collect();
    assert_eq!(bssids, [HOME, CAFE, ATTIC]);
    let home = &merged[0];
    let seen: Vec<(&str, Option<i32>, Option<u64>)> = (home.seen_by.iter())
        .map(|s| (s.server.as_str(), s.signal_dbm, s.packets))
        .collect();
    assert_eq!(
        seen,
        [
            ("kitchen", Some(-40), Some(100)),
            ("attic", Some(-65), Some(40))
        ]
    );
    assert_eq!(home.strongest().map(|s| s.server.as_str()), Some("kitchen"));
    // The attic's report is the later one: its encryption wins; each
    // server's own is kept.
    assert_eq!(home.network.cryptset, Some(WPA2));
    let cryptsets: Vec<Option<u64>> = home.seen_by.iter().map(|s| s.cryptset).collect();
    assert_eq!(cryptsets, [Some(0), Some(WPA2)]);
    assert_eq!(
        (home.network.first_seen, home.network.last_seen),
        (Some(990), Some(1_060))
    );
    assert_eq!(home.network.packets, Some(100));
    assert_eq!(home.network.signal_dbm, Some(-40), "the strongest");
    assert_eq!(home.network.clients, 2);
    // Seen by one server: as that server has it.
    assert_eq!(merged[1].seen_by.len(), 1);
    assert_eq!(merged[1].network, kitchen.networks[1]);
    assert!(merged.iter().all(|m| m.estimate.is_none()));

    let clients = merge_clients(&sensors);
    let keys: Vec<(&str, &str, usize)> = (clients.iter())
        .map(|c| {
            (
                c.client.bssid.as_str(),
                c.client.mac.as_str(),
                c.seen_by.len(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            (HOME, "00:19:D2:10:00:09", 2),
            (HOME, "00:21:6A:10:00:01", 1)
        ]
    );
    assert_eq!(clients[0].seen_by[0].server, "kitchen");
    assert_eq!(clients[0].client.last_seen, Some(1_050));
}

/// The level the simulator's radio model gives at `d` metres from a
/// 20 dBm access point (`kismet_sim::radio`: 40.2 dB at 1 m, n = 3),
/// with `fading` dB added.
fn level(d: f64, fading: f64) -> i32 {
    (20.0 - 40.2 - 30.0 * d.max(1.0).log10() + fading).round() as i32
}

/// A point `east` and `north` metres from `origin`.
fn offset(origin: LatLon, east: f64, north: f64) -> LatLon {
    let m = M_PER_DEG;
    LatLon::from_degrees(
        origin.lat() + north / m,
        origin.lon() + east / (m * origin.lat().to_radians().cos()),
    )
    .unwrap()
}

/// Three fixed sensors around an access point, and the AP outside their
/// triangle: the estimate is within its radius of the truth, and the
/// radius is a few tens of metres, not the whole area.
#[test]
fn three_sensors_place_an_access_point_within_the_radius() {
    let origin = LatLon::from_degrees(47.3769, 8.5417).unwrap();
    let sensors = [
        offset(origin, 0.0, 0.0),
        offset(origin, 60.0, 5.0),
        offset(origin, 20.0, 50.0),
    ];
    let fadings = [[0.4, -0.6, 0.2], [-0.9, 0.7, 0.0], [0.0, 0.0, 0.0]];
    for (ap, fading) in [
        (offset(origin, 25.0, 20.0), fadings[0]),
        (offset(origin, 90.0, 60.0), fadings[1]),
        (offset(origin, 30.0, -10.0), fadings[2]),
    ] {
        let readings: Vec<(LatLon, i32)> = (sensors.iter().zip(fading))
            .map(|(&s, f)| (s, level(s.distance_m(ap), f)))
            .collect();
        let e = estimate_position(&readings).unwrap();
        let off = e.position.distance_m(ap);
        assert_eq!(
            (e.sensors, e.method),
            (3, EstimateMethod::PathLoss),
            "{e:?}"
        );
        assert!(
            off <= e.radius_m,
            "{off:.1} m off, radius {:.1}: {e:?}",
            e.radius_m
        );
        assert!(e.radius_m < 150.0, "{e:?}");
    }
}

/// Fewer than three sensors: no estimate. Three in a line cannot be
/// fitted: the centroid, with the sensors' spread as its radius.
#[test]
fn too_few_or_collinear_sensors_give_none_or_the_centroid() {
    let origin = LatLon::from_degrees(47.3769, 8.5417).unwrap();
    let two = [(origin, -50), (offset(origin, 30.0, 0.0), -60)];
    assert_eq!(estimate_position(&two), None);
    let line = [
        (origin, -50),
        (offset(origin, 30.0, 0.0), -60),
        (offset(origin, 60.0, 0.0), -70),
    ];
    let e = estimate_position(&line).unwrap();
    assert_eq!(e.method, EstimateMethod::Centroid, "{e:?}");
    assert!(e.position.distance_m(origin) < 30.0, "{e:?}");
    assert!(e.radius_m > 5.0, "{e:?}");
}

/// A network heard by three fixed sensors gets an estimate in the merged
/// view; the sensors' readings are their own models' signals.
#[test]
fn merged_network_heard_by_three_fixed_sensors_has_an_estimate() {
    let origin = LatLon::from_degrees(47.3769, 8.5417).unwrap();
    let ap = offset(origin, 25.0, 20.0);
    let places = [
        offset(origin, 0.0, 0.0),
        offset(origin, 60.0, 5.0),
        offset(origin, 20.0, 50.0),
    ];
    let snaps: Vec<Snapshot> = (places.iter())
        .map(|p| snapshot(&[bssid(HOME, 1, level(p.distance_m(ap), 0.0), 10, 1, 2)]))
        .collect();
    let names = ["a", "b", "c"];
    let sensors: Vec<Sensor> = (0..3)
        .map(|i| Sensor {
            name: names[i],
            snapshot: &snaps[i],
            fixed_at: Some(places[i]),
        })
        .collect();
    let merged = merge_networks(&sensors);
    let e = merged[0].estimate.expect("an estimate");
    assert!(e.position.distance_m(ap) <= e.radius_m, "{e:?}");
    // Two of them fixed: none.
    let two: Vec<Sensor> = (sensors.iter().enumerate())
        .map(|(i, s)| Sensor {
            fixed_at: (i < 2).then_some(places[i]),
            ..*s
        })
        .collect();
    assert_eq!(merge_networks(&two)[0].estimate, None);
}

/// Over a grid of access points in and around four fixed sensors, with
/// the simulator's fading (up to 1 dB) and its rounding to whole dBm,
/// every estimate is within its radius of the truth.
#[test]
fn estimates_over_a_grid_of_access_points_are_within_their_radius() {
    let origin = LatLon::from_degrees(37.7691, -122.4196).unwrap();
    let sensors = [
        offset(origin, 0.0, 0.0),
        offset(origin, 80.0, 0.0),
        offset(origin, 0.0, 80.0),
        offset(origin, 90.0, 70.0),
    ];
    let mut worst: f64 = 0.0;
    for i in 0..9u32 {
        for j in 0..9u32 {
            let ap = offset(
                origin,
                -40.0 + 20.0 * f64::from(i),
                -40.0 + 20.0 * f64::from(j),
            );
            let readings: Vec<(LatLon, i32)> = (sensors.iter().enumerate())
                .map(|(k, &s)| {
                    // A fixed pattern of fading in -1..1 dB.
                    let fading = f64::from((i * 7 + j * 3 + k as u32 * 5) % 9) / 4.0 - 1.0;
                    (s, level(s.distance_m(ap), fading))
                })
                .collect();
            let e = estimate_position(&readings).unwrap();
            let off = e.position.distance_m(ap);
            assert!(off <= e.radius_m, "AP {i},{j}: {off:.1} m off: {e:?}");
            worst = worst.max(off / e.radius_m);
        }
    }
    assert!(worst > 0.0);
}
