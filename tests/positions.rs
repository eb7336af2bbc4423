//! Positions through the real path: a scripted server (or the simulator)
//! on 127.0.0.1:0, the binary in batch mode, its JSON and tables. The
//! server's own position fields are printed with six significant digits,
//! so at a longitude beyond -100 they are 0.001 degree (about 88 m)
//! coarse: the client's best position must be the GPS fix at the
//! strongest signal, to six decimals, not the server's field.

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use crate::batch::{json_lines, run, stderr, stdout};
use crate::common::{read_line_or_end, serve_handshake, Scripted};

/// The access point the client sees with a fix.
const NEAR_AP: &str = "00:14:6C:A1:00:01";
/// One the server saw before the client connected: only its fields.
const OLD_AP: &str = "00:18:E7:B2:00:02";
/// The server's clock.
const NOW: u64 = 1_795_678_200;

/// The fixes the GPS goes through, and the access point's signal at each:
/// the strongest at the second.
const ROUTE: [(&str, &str, &str); 3] = [
    ("37.769100", "-122.421000", "-80"),
    ("37.769230", "-122.420370", "-55"),
    ("37.769300", "-122.419500", "-70"),
];

/// A line of `proto` with the fields of `list` (a comma list, as the
/// client enabled it), each from `values` (quoted where the server quotes
/// it) or `0`.
fn record(proto: &str, list: &str, values: &[(&str, &str)]) -> String {
    let mut line = format!("*{proto}: ");
    for name in list.split(',') {
        let v = values
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("0", |(_, v)| v);
        if matches!(name, "manuf" | "satinfo" | "ssid") {
            line.push_str(&format!("\x01{v}\x01 "));
        } else {
            line.push_str(&format!("{v} "));
        }
    }
    line.push('\n');
    line
}

/// The server's position fields as a real server fills them: six
/// significant digits (`-122.42` for -122.420370).
fn server_fields(best: (&'static str, &'static str)) -> Vec<(&'static str, &'static str)> {
    vec![
        ("gpsfixed", "1"),
        ("bestlat", best.0),
        ("bestlon", best.1),
        ("bestalt", "15"),
        ("agglat", "37.7692"),
        ("agglon", "-122.42"),
        ("aggpoints", "40"),
        ("minlat", "37.7691"),
        ("minlon", "-122.421"),
        ("maxlat", "37.7693"),
        ("maxlon", "-122.419"),
    ]
}

/// A server with GPS: it acknowledges every command, and once BSSID,
/// CLIENT, GPS and SSID are all enabled (the live model's ENABLEs) it
/// sends, before the last acknowledgement: its clock, the old access
/// point (no fix yet), then three GPS fixes, each followed by an update
/// of the near access point with its signal there. Serves `conns`
/// connections in turn.
fn gps_server(conns: usize) -> Scripted {
    Scripted::start_many(conns, |_, s| {
        let (mut s, mut r) = serve_handshake(s);
        let mut lists: Vec<(String, String)> = Vec::new();
        let mut enabled = HashSet::new();
        while let Some(line) = read_line_or_end(&mut r) {
            let words: Vec<&str> = line.trim_end().split(' ').collect();
            let id = words[0].trim_start_matches('!');
            if let (Some(&"ENABLE"), Some(proto)) = (words.get(1), words.get(2)) {
                lists.push((proto.to_string(), words.get(3).unwrap_or(&"").to_string()));
                enabled.insert(proto.to_string());
                let all = ["BSSID", "CLIENT", "GPS", "SSID"];
                if all.iter().all(|p| enabled.contains(*p)) && enabled.len() == 4 {
                    let list = |p: &str| {
                        lists
                            .iter()
                            .rev()
                            .find(|(q, _)| q == p)
                            .map(|(_, l)| l.clone())
                            .unwrap()
                    };
                    let (bssid, gps) = (list("BSSID"), list("GPS"));
                    let now = NOW.to_string();
                    let mut out = format!("*TIME: {NOW}\n");
                    let mut old = vec![
                        ("bssid", OLD_AP),
                        ("signal_dbm", "-60"),
                        ("channel", "6"),
                        ("lasttime", "1795677000"),
                    ];
                    old.extend(server_fields(("37.7702", "-122.419")));
                    out.push_str(&record("BSSID", &bssid, &old));
                    for (lat, lon, signal) in ROUTE {
                        out.push_str(&record(
                            "GPS",
                            &gps,
                            &[
                                ("lat", lat),
                                ("lon", lon),
                                ("alt", "15"),
                                ("spd", "10"),
                                ("heading", "90"),
                                ("fix", "3"),
                                ("satinfo", "5:40:120:35,12:63:48:41,"),
                                ("hdop", "1"),
                                ("vdop", "1"),
                                ("connected", "1"),
                            ],
                        ));
                        let mut near = vec![
                            ("bssid", NEAR_AP),
                            ("signal_dbm", signal),
                            ("channel", "1"),
                            ("lasttime", now.as_str()),
                        ];
                        // The server's best is the fix before the strongest
                        // packet, rounded.
                        near.extend(server_fields(("37.7691", "-122.421")));
                        out.push_str(&record("BSSID", &bssid, &near));
                    }
                    if s.write_all(out.as_bytes()).is_err() {
                        return;
                    }
                }
            }
            if s.write_all(format!("*ACK: {id} \x01OK\x01 \n").as_bytes())
                .is_err()
            {
                return;
            }
        }
    })
}

/// The JSON row of a network.
fn row<'a>(rows: &'a [serde_json::Value], bssid: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["bssid"] == bssid)
        .unwrap_or_else(|| panic!("no {bssid} in {rows:?}"))
}

/// `networks --format json`: the best position is the fix at the
/// strongest signal to six decimals (not the server's rounded
/// `bestlat`/`bestlon`, 33 m away), the average the mean of the three
/// fixes, the points three, the source the client's; a network seen
/// before any fix has the server's fields, marked as such.
#[test]
fn best_position_is_the_fix_at_the_strongest_signal_not_the_servers_field() {
    let server = gps_server(1);
    let o = run(&[&server.addr(), "-c", "networks", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json_lines(&o);
    let near = row(&rows, NEAR_AP);
    assert_eq!(near["best_lat"], 37.76923, "{near}");
    assert_eq!(near["best_lon"], -122.42037, "{near}");
    assert_eq!(near["best_alt"], 15, "{near}");
    assert_eq!(near["avg_lat"], 37.769210, "{near}");
    assert_eq!(near["avg_lon"], -122.420290, "{near}");
    assert_eq!(near["gps_points"], 3, "{near}");
    assert_eq!(near["position_source"], "client", "{near}");
    let old = row(&rows, OLD_AP);
    assert_eq!(
        (&old["best_lat"], &old["best_lon"]),
        (&37.7702.into(), &(-122.419).into())
    );
    assert_eq!(
        (&old["avg_lat"], &old["avg_lon"]),
        (&37.7692.into(), &(-122.42).into())
    );
    assert_eq!(
        (&old["gps_points"], &old["position_source"]),
        (&40.into(), &"server".into())
    );
    server.handle.join().unwrap();
}

/// The table gains LAT and LON (six decimals); `networks near` keeps
/// what is within the radius, nearest first, with DIST, in text and JSON.
#[test]
fn near_lists_what_was_seen_within_the_radius_nearest_first() {
    let server = gps_server(3);
    let o = run(&[&server.addr(), "-c", "networks"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let header = text.lines().nth(1).unwrap_or_default();
    assert!(header.contains("LAT") && header.contains("LON"), "{text}");
    assert!(!header.contains("DIST"), "{text}");
    assert!(
        text.contains("37.769230") && text.contains("-122.420370"),
        "{text}"
    );
    // 50 m around the strongest fix: the near one only (the old one's
    // best is some 140 m away).
    let o = run(&[
        &server.addr(),
        "-c",
        "networks near 37.769230,-122.420370 50",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json_lines(&o);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (&rows[0]["bssid"], &rows[0]["distance_m"]),
        (&NEAR_AP.into(), &0.0.into())
    );
    let o = run(&[&server.addr(), "-c", "networks near 37.7693,-122.4195 500"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.lines().nth(1).unwrap_or_default().contains("DIST"),
        "{text}"
    );
    let (a, b) = (text.find(NEAR_AP).unwrap(), text.find(OLD_AP).unwrap());
    assert!(a < b, "nearest first: {text}");
    assert!(text.contains("2 networks"), "{text}");
    server.handle.join().unwrap();
}

/// `gps` on a server with GPS: the latest fix in words and numbers, as
/// text and as JSON.
#[test]
fn gps_shows_the_fix() {
    let server = gps_server(2);
    let o = run(&[&server.addr(), "-c", "gps"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("fix       3D, 2 satellites"), "{text}");
    assert!(text.contains("position  37.769300, -122.419500"), "{text}");
    assert!(
        text.contains("speed     10.0 m/s (36 km/h), heading 90°"),
        "{text}"
    );
    let o = run(&[&server.addr(), "-c", "gps", "--format", "json"]);
    let v = &json_lines(&o)[0];
    assert_eq!(
        (&v["type"], &v["state"], &v["fix"]),
        (&"gps".into(), &"fix".into(), &3.into())
    );
    assert_eq!(
        (&v["lat"], &v["lon"]),
        (&37.7693.into(), &(-122.4195).into())
    );
    assert_eq!(v["lines"], 3);
    server.handle.join().unwrap();
}

/// A server without GPS (the simulator's default: it acknowledges
/// `ENABLE GPS` and never sends a line): `gps` waits its 3 s, then says
/// so plainly; the tables have no LAT/LON and the JSON positions are null.
#[test]
fn a_server_without_gps_says_so() {
    let sim = crate::common::still_sim();
    let addr = sim.local_addr().to_string();
    let o = run(&[&addr, "-c", "gps", "-c", "networks"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("no GPS on this server (no GPS line in 3 s"),
        "{text}"
    );
    let header = text
        .lines()
        .find(|l| l.contains("BSSID"))
        .unwrap_or_default();
    assert!(!header.contains(" LAT "), "{text}");
    let o = run(&[&addr, "-c", "gps", "-c", "networks", "--format", "json"]);
    let rows = json_lines(&o);
    assert_eq!(rows[0]["state"], "no_gps", "{:?}", rows[0]);
    let nets: Vec<_> = rows.iter().filter(|r| r["type"] == "network").collect();
    assert!(!nets.is_empty());
    for n in nets {
        for key in [
            "best_lat",
            "best_lon",
            "best_alt",
            "avg_lat",
            "avg_lon",
            "gps_points",
        ] {
            assert!(n[key].is_null(), "{key} of {n}");
        }
    }
    sim.shutdown();
}

/// The simulator with its GPS on: `gps` shows a 3D fix with a position
/// (asked again while the GPS, like gpsd, has no data yet: a real server
/// sends fix -1 for its first seconds; at most 50 tries).
#[test]
fn gps_shows_the_simulators_fix() {
    let sim = kismet_sim::Sim::start(
        "127.0.0.1:0",
        kismet_sim::SimConfig {
            gps: true,
            tick: Duration::from_millis(100),
            ..kismet_sim::SimConfig::default()
        },
    )
    .unwrap();
    let addr = sim.local_addr().to_string();
    let mut seen = Vec::new();
    let fix = (0..50).find_map(|_| {
        let o = run(&[&addr, "-c", "gps", "--format", "json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v = json_lines(&o).remove(0);
        assert!(v["lines"].as_u64().is_some_and(|n| n >= 1), "{v}");
        if v["state"] == "fix" {
            return Some(v);
        }
        // No fix yet: the line says so, and gives no position.
        assert_eq!(v["state"], "no_fix", "{v}");
        assert!(v["lat"].is_null(), "{v}");
        seen.push(v);
        std::thread::sleep(Duration::from_millis(100));
        None
    });
    let v = fix.unwrap_or_else(|| panic!("no fix in 50 tries: {seen:?}"));
    assert_eq!(v["fix"], 3, "{v}");
    assert!(v["lat"].as_f64().is_some_and(|l| l.abs() <= 90.0), "{v}");
    assert!(v["lon"].as_f64().is_some_and(|l| l.abs() <= 180.0), "{v}");
    sim.shutdown();
}

/// The live model on the simulator's drive (the built-in loop near
/// 37.77 N, 122.42 W, stepped by hand, one lap and a little): every access
/// point's best position, from the client's own fixes, is within 15 m of
/// where the route passes it closest (`Sim::device_positions`), at a
/// longitude beyond -100, where the server's own fields step by 88 m.
#[test]
fn best_positions_on_the_simulators_drive_are_within_15_m_of_the_closest_pass() {
    use kismet_client::{Client, Model, Options, PositionSource};
    use kismet_sim::{Point, Route, Sim, SimConfig};
    let sim = Sim::start(
        "127.0.0.1:0",
        SimConfig {
            gps: true,
            tick: Duration::from_secs(3600),
            ..SimConfig::default()
        },
    )
    .unwrap();
    let truth = sim.device_positions();
    let client = Client::connect(&sim.local_addr().to_string(), Options::default()).unwrap();
    let model = std::sync::Arc::new(Model::default());
    client.track(model.clone(), crate::common::WAIT).unwrap();
    let ticks = (Route::builtin().length_m() / 10.0).ceil() as u64 + 5;
    for _ in 0..ticks {
        sim.step();
    }
    // Every tick sends one GPS line: wait (bounded) for the last.
    let deadline = std::time::Instant::now() + crate::common::WAIT;
    while model.gps_lines() < ticks && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(model.gps_lines(), ticks);
    let snap = model.snapshot();
    let aps: Vec<_> = truth.iter().filter(|d| d.access_point).collect();
    assert_eq!(aps.len(), 6);
    for ap in aps {
        assert!(ap.position.lon < -100.0);
        let net = snap
            .network(&ap.mac)
            .unwrap_or_else(|| panic!("{} not seen", ap.mac));
        let place = net
            .place
            .unwrap_or_else(|| panic!("{} has no position", ap.mac));
        assert_eq!(place.source, PositionSource::Client, "{}", ap.mac);
        let best = place.best.unwrap();
        let off = Point::new(best.lat(), best.lon(), 0.0).distance_m(&ap.closest.point);
        assert!(off <= 15.0, "{}: best {best} is {off:.1} m off", ap.mac);
    }
    client.close();
    sim.shutdown();
}
