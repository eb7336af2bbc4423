//! The model's positions: the GPS fix, each device's places computed from
//! it, the server's fields as the fallback, and the bytes they hold.
//! Frames carry every field of their protocol (as `capabilities.txt`
//! lists them), at longitudes beyond -100, where the server's six
//! significant digits are 0.001 degree (about 88 m).

use super::tests::record;
use super::tests_bounds::assert_counts_agree;
use super::*;

const AP: &str = "00:14:6C:A1:00:01";
const STA: &str = "00:0C:42:00:00:01";

/// A GPS line received at `ms`.
fn gps(lat: &str, lon: &str, fix: &str, ms: u64) -> Frame {
    record(
        "GPS",
        &[
            ("lat", lat),
            ("lon", lon),
            ("alt", "15"),
            ("spd", "36"),
            ("heading", "90"),
            ("fix", fix),
            ("satinfo", "5:40:120:35,12:63:48:41,"),
            ("hdop", "0.9"),
            ("vdop", "1.3"),
            ("connected", "1"),
        ],
    )
    .with_received(ms)
}

/// The server's own position fields, as it fills them once it has a fix:
/// a best position and average 88 m and more from the client's.
const SERVER_FIELDS: [(&str, &str); 10] = [
    ("gpsfixed", "1"),
    ("bestlat", "37.7702"),
    ("bestlon", "-122.419"),
    ("bestalt", "15"),
    ("agglat", "37.7699"),
    ("agglon", "-122.42"),
    ("aggpoints", "17185"),
    ("minlat", "37.7691"),
    ("minlon", "-122.422"),
    ("maxlat", "37.7709"),
];

/// A BSSID line of the access point, received at `ms`, with the
/// server's fields and `extra` over them.
fn bssid(signal: &str, ms: u64, extra: &[(&str, &str)]) -> Frame {
    let mut values = vec![
        ("bssid", AP),
        ("signal_dbm", signal),
        ("maxlon", "-122.418"),
    ];
    values.extend(SERVER_FIELDS);
    values.extend(extra);
    // Later values win: `record` takes the first, so put `extra` first.
    values.reverse();
    record("BSSID", &values).with_received(ms)
}

/// A CLIENT line of the station, received at `ms`.
fn client(signal: &str, ms: u64, extra: &[(&str, &str)]) -> Frame {
    let mut values = vec![
        ("bssid", AP),
        ("mac", STA),
        ("signal_dbm", signal),
        ("maxlon", "-122.418"),
    ];
    values.extend(SERVER_FIELDS);
    values.extend(extra);
    values.reverse();
    record("CLIENT", &values).with_received(ms)
}

fn at(lat: f64, lon: f64) -> LatLon {
    LatLon::from_degrees(lat, lon).unwrap()
}

fn places(model: &Model) -> (Option<PlaceView>, Option<PlaceView>) {
    let snap = model.snapshot();
    let net = snap.network(AP).and_then(|n| n.place);
    let cl = snap
        .clients
        .iter()
        .find(|c| c.mac == STA)
        .and_then(|c| c.place);
    (net, cl)
}

/// The best position is the fix current at the update with the strongest
/// signal (the first of equals), for networks and clients apart, to six
/// decimals, and not the server's rounded `bestlat`/`bestlon`; first,
/// last, the box and the plain mean come from the same fixes.
#[test]
fn best_position_follows_the_strongest_signal() {
    let model = Model::default();
    let fixes = [
        ("37.769100", "-122.421000"),
        ("37.769200", "-122.420000"),
        ("37.769300", "-122.419000"),
        ("37.769400", "-122.418500"),
    ];
    let signals = [
        ("-80", "-81"),
        ("-60", "-60"),
        ("-70", "-50"),
        ("-60", "-55"),
    ];
    for (i, ((lat, lon), (net, cl))) in fixes.iter().zip(signals).enumerate() {
        let ms = 1_000_000 + 1000 * i as u64;
        model.feed(&[
            gps(lat, lon, "3", ms),
            bssid(net, ms + 500, &[]),
            client(cl, ms + 600, &[]),
        ]);
    }
    let (net, cl) = places(&model);
    let (net, cl) = (net.unwrap(), cl.unwrap());
    assert_eq!(net.source, PositionSource::Client);
    assert_eq!(net.best, Some(at(37.7692, -122.42)), "{net:?}");
    assert_eq!((net.best_signal_dbm, net.best_alt_m), (Some(-60), Some(15)));
    assert_eq!(cl.best, Some(at(37.7693, -122.419)), "{cl:?}");
    assert_eq!(cl.best_signal_dbm, Some(-50));
    assert_eq!(net.first, Some(at(37.7691, -122.421)));
    assert_eq!(net.last, Some(at(37.7694, -122.4185)));
    assert_eq!(net.min, Some(at(37.7691, -122.421)));
    assert_eq!(net.max, Some(at(37.7694, -122.4185)));
    assert_eq!(net.average, Some(at(37.76925, -122.419625)));
    assert_eq!((net.gps_points, cl.gps_points), (4, 4));
    // The snapshot's fix is the latest line.
    let snap = model.snapshot();
    let fix = snap.gps.unwrap();
    assert_eq!(snap.gps_lines, 4);
    assert_eq!(fix.at, Some(at(37.7694, -122.4185)));
    assert_eq!((fix.mode, fix.satellites), (Some(3), Some(2)));
    assert_eq!(
        (fix.alt_m, fix.speed_mps, fix.heading),
        (Some(15.0), Some(36.0), Some(90.0))
    );
    assert_eq!(
        (fix.hdop, fix.vdop, fix.connected),
        (Some(0.9), Some(1.3), Some(true))
    );
    // Received in 1970: far too old to be a position now.
    assert_eq!(fix.position, None);
    assert_eq!(model.gps().and_then(|f| f.at), fix.at);
    assert!(snap.has_positions());
    assert_counts_agree(&model);
}

/// No position is taken from a fix of 0 or -1, from 0,0, from a fix
/// received more than 3 s before the update, or for an update whose
/// `lasttime` is more than 3 s behind the server's clock (a record sent
/// again in answer to an ENABLE); a GPS that jumps to 0,0 leaves the
/// places as they were.
#[test]
fn stale_fix_no_fix_and_null_island_are_ignored() {
    let model = Model::default();
    let no_place = |model: &Model| places(model) == (None, None);
    let none = [("gpsfixed", "0")];
    let t = 5_000_000;
    for (fix, lat, lon) in [("0", "37.7691", "-122.421"), ("-1", "37.7691", "-122.421")] {
        model.feed(&[
            gps(lat, lon, fix, t),
            bssid("-50", t, &none),
            client("-50", t, &none),
        ]);
        assert!(no_place(&model), "fix {fix}");
    }
    model.feed(&[gps("0.000000", "0.000000", "3", t), bssid("-50", t, &none)]);
    assert!(no_place(&model), "0,0");
    model.feed(&[
        gps("37.7691", "-122.421", "3", t),
        bssid("-50", t + FIX_MAX_AGE_MS + 1, &none),
        client("-50", t + FIX_MAX_AGE_MS + 1, &none),
    ]);
    assert!(no_place(&model), "a fix 3 s old");
    // The server's clock, and a record last seen 4 s before it.
    let time = Frame::parse(b"*TIME: 1795678200").unwrap();
    let old = [("gpsfixed", "0"), ("lasttime", "1795678196")];
    model.feed(&[
        time,
        gps("37.7691", "-122.421", "3", t),
        bssid("-50", t, &old),
    ]);
    assert!(no_place(&model), "a record seen 4 s ago");
    let recent = [("gpsfixed", "0"), ("lasttime", "1795678197")];
    model.feed(&[bssid("-50", t, &recent), client("-50", t, &recent)]);
    let (net, cl) = places(&model);
    assert_eq!(net.unwrap().best, Some(at(37.7691, -122.421)));
    assert_eq!(cl.unwrap().gps_points, 1);
    // The GPS jumps to 0,0 with a 3D fix: nothing moves.
    model.feed(&[
        gps("0.000000", "0.000000", "3", t + 1000),
        bssid("-40", t + 1000, &recent),
    ]);
    let net = places(&model).0.unwrap();
    assert_eq!((net.best, net.gps_points), (Some(at(37.7691, -122.421)), 1));
    assert_eq!(model.gps_lines(), 6);
}

/// A device the client saw no fix for takes the server's fields: best,
/// average (a sum over `aggpoints` when |agglat| > 90), box, points; none
/// while `gpsfixed` is 0; they follow the server's while its points move;
/// the client's first fix replaces them.
#[test]
fn server_fields_are_the_fallback_with_the_sum_rule() {
    let model = Model::default();
    // A new device's fields are read even before a GPS line came (the
    // records sent on ENABLE come first).
    model.feed(&[client("-50", 0, &[])]);
    assert_eq!(places(&model).1.unwrap().source, PositionSource::Server);
    // A server with GPS that has no fix yet.
    model.feed(&[gps("0", "0", "0", 0), bssid("-50", 0, &[("gpsfixed", "0")])]);
    assert_eq!(places(&model).0, None);
    model.feed(&[bssid("-50", 0, &[]), client("-50", 0, &[])]);
    let (net, cl) = places(&model);
    for p in [net.unwrap(), cl.unwrap()] {
        assert_eq!(p.source, PositionSource::Server);
        assert_eq!(p.best, Some(at(37.7702, -122.419)));
        assert_eq!(p.average, Some(at(37.7699, -122.42)));
        assert_eq!(
            (p.min, p.max),
            (Some(at(37.7691, -122.422)), Some(at(37.7709, -122.418)))
        );
        assert_eq!((p.first, p.last, p.gps_points), (None, None, 17185));
    }
    // An older server's sums, and points that moved.
    let sums = [
        ("agglat", "377.699"),
        ("agglon", "-1224.2"),
        ("aggpoints", "10"),
        ("bestlat", "0"),
        ("bestlon", "0"),
    ];
    model.feed(&[bssid("-50", 0, &sums)]);
    let net = places(&model).0.unwrap();
    assert_eq!((net.average, net.best), (Some(at(37.7699, -122.42)), None));
    assert_eq!(net.gps_points, 10);
    // The client's own first fix: the server's fields are dropped.
    model.feed(&[
        gps("37.769100", "-122.421000", "2", 0),
        bssid("-70", 0, &[]),
    ]);
    let net = places(&model).0.unwrap();
    assert_eq!((net.source, net.gps_points), (PositionSource::Client, 1));
    assert_eq!(net.best, Some(at(37.7691, -122.421)));
    assert_eq!(net.best_alt_m, None, "a 2D fix has no altitude");
    // And are not read again while the fix is gone.
    model.feed(&[
        gps("37.769100", "-122.421000", "0", 0),
        bssid("-40", 0, &[]),
    ]);
    assert_eq!(places(&model).0.unwrap().best, Some(at(37.7691, -122.421)));
    assert_counts_agree(&model);
}

/// With every device placed, the places are counted in the model's bytes
/// and freed with the devices evicted, under the cap and under a small
/// byte budget; the counts stay exact.
#[test]
fn places_are_counted_and_freed_with_their_devices() {
    let fix = gps("37.769100", "-122.421000", "3", 0);
    let frames = |n: u32| -> Vec<Frame> {
        let mut v = vec![fix.clone()];
        for i in 0..n {
            let b = format!("00:14:6C:00:{:02X}:{:02X}", i >> 8, i & 0xff);
            let mac = format!("00:0C:42:00:{:02X}:{:02X}", i >> 8, i & 0xff);
            v.push(record("BSSID", &[("bssid", &b), ("signal_dbm", "-60")]));
            v.push(record(
                "CLIENT",
                &[("bssid", &b), ("mac", &mac), ("signal_dbm", "-60")],
            ));
        }
        v
    };
    let capped = Model::new(50);
    capped.feed(&frames(200));
    assert_eq!(capped.devices(), 50);
    assert_eq!(capped.state.lock().located.places.len(), 50);
    assert_counts_agree(&capped);
    let budget = 3 << 19;
    let small = Model::with_limits(100_000, budget);
    for _ in 0..3 {
        small.feed(&frames(2000));
        let m = small.memory();
        assert!(m.bytes <= budget, "{m:?}");
        assert_counts_agree(&small);
    }
    let snap = small.snapshot();
    assert!(snap.evicted > 0);
    assert!(snap.networks.iter().all(|n| n.best().is_some()));
    small.clear();
    assert_eq!(small.state.lock().located.places.len(), 0);
    assert_eq!(small.gps(), None, "the fix goes with a clear");
    assert_eq!(small.gps_lines(), 3, "the count carries on");
}

/// `networks_near` and `clients_near`: within the radius only, nearest
/// first, with the haversine distance; access points' own client records
/// left out.
#[test]
fn near_sorts_by_distance() {
    let model = Model::default();
    let mut frames = Vec::new();
    for (i, lon) in ["-122.420000", "-122.419000", "-122.421500", "-122.430000"]
        .iter()
        .enumerate()
    {
        let b = format!("00:14:6C:00:00:{i:02X}");
        frames.push(gps("37.769100", lon, "3", 0));
        frames.push(record("BSSID", &[("bssid", &b), ("signal_dbm", "-60")]));
        frames.push(record(
            "CLIENT",
            &[("bssid", &b), ("mac", &b), ("signal_dbm", "-60")],
        ));
        let sta = format!("00:0C:42:00:00:{i:02X}");
        frames.push(record(
            "CLIENT",
            &[("bssid", &b), ("mac", &sta), ("signal_dbm", "-60")],
        ));
    }
    model.feed(&frames);
    let snap = model.snapshot();
    let here = at(37.7691, -122.4202);
    let near: Vec<(&str, i64)> = snap
        .networks_near(here, 150.0)
        .into_iter()
        .map(|(n, d)| (n.bssid.as_str(), d.round() as i64))
        .collect();
    assert_eq!(
        near,
        [
            ("00:14:6C:00:00:00", 18),
            ("00:14:6C:00:00:01", 105),
            ("00:14:6C:00:00:02", 114)
        ]
    );
    let clients = snap.clients_near(here, 20.0);
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0].0.mac, "00:0C:42:00:00:00");
    assert!(snap.networks_near(here, 10.0).is_empty());
}

/// With sightings kept, each BSSID and CLIENT update at a fix is one (at
/// most one per device per second, at its `lasttime`, with its signal);
/// the GPS lines make the track, broken where the fix was lost or jumped
/// to 0,0 (neither a point nor a sighting); nothing is kept before
/// `keep_sightings`, and a clear keeps what was kept.
#[test]
fn history_keeps_the_track_and_one_sighting_per_device_per_second() {
    let model = Model::default();
    model.feed(&[gps("37.769100", "-122.419571", "3", 1_000)]);
    model.feed(&[bssid("-70", 1_100, &[("lasttime", "100")])]);
    model.keep_sightings(100);
    model.feed(&[
        bssid("-60", 1_200, &[("lasttime", "100")]),
        bssid("-50", 1_300, &[("lasttime", "100")]),
        client("-65", 1_400, &[("lasttime", "100")]),
        gps("37.769200", "-122.419571", "0", 2_000),
        bssid("-55", 2_100, &[("lasttime", "101")]),
        gps("0.000000", "0.000000", "3", 2_500),
        bssid("-52", 2_600, &[("lasttime", "101")]),
        gps("37.769300", "-122.419000", "2", 3_000),
        bssid("-40", 3_100, &[("lasttime", "102")]),
    ]);
    let h = model.history();
    let rows: Vec<(bool, u32, Option<i32>, LatLon)> = (h.sightings.iter())
        .map(|s| (s.client, s.time, s.signal_dbm(), s.at))
        .collect();
    assert_eq!(
        rows,
        [
            (false, 100, Some(-60), at(37.7691, -122.419571)),
            (true, 100, Some(-65), at(37.7691, -122.419571)),
            (false, 102, Some(-40), at(37.7693, -122.419)),
        ]
    );
    assert_eq!(h.sightings[1].mac, parse_mac(STA.as_bytes()).unwrap());
    assert_eq!(h.sightings[1].bssid, parse_mac(AP.as_bytes()).unwrap());
    assert_eq!(h.sightings[0].accuracy_m(), Some(4.5));
    assert_eq!(h.sightings[0].alt_m(), Some(15));
    let track: Vec<(LatLon, bool)> = h.track.iter().map(|p| (p.at, p.new_segment)).collect();
    assert_eq!(
        track,
        [
            (at(37.7691, -122.419571), true),
            (at(37.7693, -122.419), true)
        ]
    );
    model.clear();
    assert_eq!(model.history().sightings.len(), 3);
}

/// With an outbox, every update is an observation (without a fix too, and
/// then without a position), at most one per device per second; GPS lines
/// at most one a second; a drain empties it; past its size, further ones
/// are counted, not kept.
#[test]
fn outbox_has_every_update_with_or_without_a_fix() {
    let model = Model::default();
    model.feed(&[bssid(
        "-70",
        1_000,
        &[("lasttime", "99"), ("gpsfixed", "0")],
    )]);
    assert_eq!(model.drain_outbox(), Outbox::default());
    model.keep_outbox(5);
    model.feed(&[
        bssid("-70", 1_100, &[("lasttime", "100"), ("gpsfixed", "0")]),
        bssid("-60", 1_200, &[("lasttime", "100"), ("gpsfixed", "0")]),
        client("-65", 1_300, &[("lasttime", "100"), ("gpsfixed", "0")]),
        gps("37.769100", "-122.419571", "3", 1_400),
        gps("37.769200", "-122.419571", "3", 1_500),
        bssid("-50", 1_600, &[("lasttime", "101"), ("gpsfixed", "0")]),
    ]);
    let out = model.drain_outbox();
    type Row = (bool, u64, Option<i32>, Option<LatLon>, Option<i8>);
    let rows: Vec<Row> = (out.observations.iter())
        .map(|o| (o.client, o.time, o.signal_dbm, o.at, o.fix))
        .collect();
    assert_eq!(
        rows,
        [
            (false, 100, Some(-70), None, None),
            (true, 100, Some(-65), None, None),
            (
                false,
                101,
                Some(-50),
                Some(at(37.7692, -122.419571)),
                Some(3)
            ),
        ]
    );
    assert_eq!(out.observations[1].mac, parse_mac(STA.as_bytes()).unwrap());
    assert_eq!(out.observations[1].bssid, parse_mac(AP.as_bytes()).unwrap());
    // Both GPS lines came within one second (by receive time).
    assert_eq!(out.gps.len(), 1);
    assert_eq!(out.gps[0].fix, Some(3));
    assert_eq!(out.dropped, 0);
    assert_eq!(model.drain_outbox(), Outbox::default());
    let flood: Vec<Frame> = (0..10)
        .map(|i| {
            bssid(
                "-60",
                2_000,
                &[("lasttime", &*format!("{}", 200 + i)), ("gpsfixed", "0")],
            )
        })
        .collect();
    model.feed(&flood);
    let out = model.drain_outbox();
    assert_eq!((out.observations.len(), out.dropped), (5, 5));
}

/// With an outbox, STATUS and TERMINATE lines are messages and ALERT
/// lines alerts (at their own time, where the GPS was); the model asks
/// for ALERT only while it keeps an outbox.
#[test]
fn outbox_has_status_terminate_and_alert_lines() {
    use crate::Tracker;
    let model = Model::default();
    let asks_alert = |m: &Model| m.needs().iter().any(|(p, _)| p == "ALERT");
    assert!(!asks_alert(&model));
    model.keep_outbox(100);
    assert!(asks_alert(&model));
    let status = Frame::parse(b"*STATUS: \x01Detected new network\x01 2 ")
        .unwrap()
        .with_names(Some(vec!["text".to_string(), "flags".to_string()].into()))
        .with_received(1_700_000_000_000);
    let alert = record(
        "ALERT",
        &[
            ("sec", "1700000001"),
            ("usec", "500000"),
            ("header", "DEAUTHFLOOD"),
            ("bssid", AP),
            ("channel", "6"),
            ("text", "Deauthenticate flood"),
        ],
    );
    let terminate = Frame::parse(b"*TERMINATE: Kismet server terminating.")
        .unwrap()
        .with_names(Some(vec!["text".to_string()].into()));
    model.feed(&[
        gps("37.769100", "-122.419571", "3", 0),
        status,
        alert,
        terminate,
    ]);
    let out = model.drain_outbox();
    let messages: Vec<(&str, &str)> = (out.messages.iter())
        .map(|m| (m.kind, m.text.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            ("status", "Detected new network"),
            ("terminate", "Kismet server terminating.")
        ]
    );
    assert_eq!(out.messages[0].time, 1_700_000_000.0);
    let a = &out.alerts[0];
    assert_eq!(a.time, 1_700_000_001.5);
    assert_eq!(a.header.as_deref(), Some("DEAUTHFLOOD"));
    assert_eq!(a.bssid.as_deref(), Some(AP));
    assert_eq!(a.channel, Some(6));
    assert_eq!(a.at, Some(at(37.7691, -122.419571)));
}

/// A model asked to keep the alerts asks for ALERT (and, for a model
/// of alerts only, nothing of the devices) and keeps each ALERT line
/// decoded: time from `sec` and `usec`, octal escapes undone; a replay
/// of the same line is kept once; STATUS lines are not alerts.
#[test]
fn kept_alerts_are_decoded_and_asked_for() {
    use crate::Tracker;
    let model = Model::default();
    model.set_devices(false);
    model.keep_alerts();
    let needs: Vec<String> = model.needs().into_iter().map(|(p, _)| p).collect();
    assert_eq!(needs, ["ALERT"]);
    let alert = || {
        record(
            "ALERT",
            &[
                ("sec", "1700000001"),
                ("usec", "250000"),
                ("header", "APSPOOF"),
                ("bssid", AP),
                ("source", "00:11:22:33:44:55"),
                ("dest", "FF:FF:FF:FF:FF:FF"),
                ("channel", "11"),
                ("text", "Unauthorized\\001device"),
            ],
        )
    };
    let status = Frame::parse(b"*STATUS: \x01Detected new network\x01 2 ")
        .unwrap()
        .with_names(Some(vec!["text".to_string(), "flags".to_string()].into()));
    model.feed(&[alert(), status, alert()]);
    let list = model.alerts();
    assert_eq!((list.alerts.len(), list.total, list.dropped), (1, 1, 0));
    let a = &list.alerts[0];
    assert_eq!(a.time, 1_700_000_001.25);
    assert_eq!(a.header.as_deref(), Some("APSPOOF"));
    assert_eq!(a.source.as_deref(), Some("00:11:22:33:44:55"));
    assert_eq!(a.dest.as_deref(), Some("FF:FF:FF:FF:FF:FF"));
    assert_eq!(a.channel, Some(11));
    assert_eq!(a.text.as_deref(), Some("Unauthorized\x01device"));
    assert_eq!(model.alerts_since(1).0.len(), 0);
    model.set_devices(true);
    assert!(model.needs().iter().any(|(p, _)| p == "BSSID"));
}
