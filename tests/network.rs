//! `network BSSID|SSID`: one network in detail, through the binary on the
//! simulator (live) and on a session database (`--open`).

use std::time::{Duration, Instant};

use crate::batch::{json_lines, run, stderr, stdout};
use crate::common::{sim_ticking, temp_dir};

/// A network the simulator's world always has, with clients.
const HOME: &str = "00:14:6C:A1:00:01";

/// Longest a test polls for a signal history of two points.
const HISTORY_WAIT: Duration = Duration::from_secs(60);

/// Whether `t` is an RFC 3339 UTC time to the second, as the other JSON
/// objects write times.
fn is_rfc3339_utc(t: &str) -> bool {
    t.parse::<jiff::Timestamp>().is_ok() && t.ends_with('Z') && t.len() == 20
}

/// The `signal_history` pairs of a network object: (time, dBm), checked
/// to be RFC 3339 times, in order, one a second at most, with a dBm.
fn history(v: &serde_json::Value) -> Vec<(String, i64)> {
    let pairs = v["signal_history"].as_array().expect("signal_history");
    let points: Vec<(String, i64)> = pairs
        .iter()
        .map(|p| {
            let t = p[0].as_str().expect("a time").to_string();
            assert!(is_rfc3339_utc(&t), "{p}");
            (t, p[1].as_i64().expect("dBm as a number"))
        })
        .collect();
    assert!(points.windows(2).all(|w| w[0].0 < w[1].0), "{points:?}");
    assert!(
        points.iter().all(|p| (-255..0).contains(&p.1)),
        "{points:?}"
    );
    points
}

/// `network BSSID --format json` on a ticking world: one object, the
/// network's keys as `networks` writes them, its SSID records, its
/// clients as `clients` writes them, and a signal history that grows one
/// point a second.
#[test]
fn network_json_has_ssids_clients_and_a_growing_signal_history() {
    let sim = sim_ticking(Duration::from_millis(250));
    let addr = sim.local_addr().to_string();
    let deadline = Instant::now() + HISTORY_WAIT;
    let v = loop {
        let o = run(&[
            &addr,
            "--wait",
            "3",
            "-c",
            &format!("network {}", HOME.to_lowercase()),
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let lines = json_lines(&o);
        assert_eq!(lines.len(), 1, "{}", stdout(&o));
        let v = lines.into_iter().next().unwrap();
        if history(&v).len() >= 2 {
            break v;
        }
        assert!(Instant::now() < deadline, "no second reading: {v}");
    };
    assert_eq!(v["type"], "network");
    assert_eq!(v["bssid"], HOME);
    for key in [
        "ssid",
        "channel",
        "encryption",
        "signal_dbm",
        "packets",
        "last_seen",
    ] {
        assert!(v.get(key).is_some(), "{key}: {v}");
    }
    let ssids = v["ssids"].as_array().unwrap();
    assert!(
        ssids
            .iter()
            .any(|s| s["ssid"] == "HomeNet" && s["ssid_type"] == "beacon"),
        "{v}"
    );
    let clients = v["clients"].as_array().unwrap();
    assert!(!clients.is_empty(), "{v}");
    assert_eq!(v["client_count"].as_u64(), Some(clients.len() as u64));
    for c in clients {
        assert_eq!((&c["type"], &c["bssid"]), (&"client".into(), &HOME.into()));
        assert_ne!(c["mac"], HOME);
    }
    sim.shutdown();
}

/// `network` names a network by its SSID too (any case); one that no
/// network has is an error that suggests the near name.
#[test]
fn network_takes_an_ssid_and_refuses_an_unknown_one() {
    let sim = sim_ticking(Duration::from_millis(250));
    let addr = sim.local_addr().to_string();
    let o = run(&[&addr, "--wait", "1", "-c", "network homenet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(&format!("BSSID          {HOME}")), "{out}");
    assert!(out.contains("Signal, last 10 minutes"), "{out}");
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    let o = run(&[&addr, "--wait", "1", "-c", "network HomeNe"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("did you mean \"HomeNet\"?"),
        "{}",
        stderr(&o)
    );
    sim.shutdown();
}

/// On a session database (`--open`), `network` shows what it recorded:
/// the network, its clients, and its signal from the observations.
#[test]
fn network_on_an_opened_database_has_its_recorded_signal() {
    let sim = sim_ticking(Duration::from_millis(250));
    let dir = temp_dir("network-db");
    let db = dir.join("net.db");
    let addr = sim.local_addr().to_string();
    let d = db.to_str().unwrap();
    let o = run(&[&addr, "--db", d, "--wait", "3", "-c", "networks"]);
    assert!(o.status.success(), "{}", stderr(&o));
    sim.shutdown();
    let o = run(&[
        "--open",
        d,
        "-c",
        &format!("network {HOME}"),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = &json_lines(&o)[0];
    assert_eq!(v["bssid"], HOME);
    assert!(!history(v).is_empty(), "{v}");
    assert!(!v["clients"].as_array().unwrap().is_empty(), "{v}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A recording made before the detail read its fields (the model's fields
/// of then, enabled by hand) still replays into `networks`: the replay
/// refuses the detail's fields, and the model is asked again without
/// them; the detail shows what there is.
#[test]
fn a_recording_without_the_detail_fields_still_lists_networks() {
    let dir = temp_dir("old-recording");
    let path = dir.join("old.kismet");
    let bssid = "bssid,type,llcpackets,datapackets,manuf,channel,firsttime,lasttime,\
                 signal_dbm,datasize,datacryptset,gpsfixed,bestlat,bestlon,bestalt,agglat,\
                 agglon,aggpoints,minlat,minlon,maxlat,maxlon";
    let ssid = "mac,type,ssid,cryptset,cloaked,maxrate,beacons,lasttime";
    let o = run(&[
        "--demo",
        "--no-gps",
        "-q",
        "--record",
        path.to_str().unwrap(),
        "-c",
        &format!("enable BSSID {bssid}"),
        "-c",
        &format!("enable SSID {ssid}"),
        "-c",
        "enable CLIENT *",
        "--follow",
        "--timeout",
        "1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let replay = |command: &str| {
        run(&[
            "--replay",
            path.to_str().unwrap(),
            "--wait",
            "2",
            "-c",
            command,
            "--format",
            "json",
        ])
    };
    let o = replay("networks");
    assert!(o.status.success(), "{}", stderr(&o));
    let nets = json_lines(&o);
    assert!(nets.iter().any(|n| n["bssid"] == HOME), "{}", stdout(&o));
    let o = replay(&format!("network {HOME}"));
    assert!(o.status.success(), "{}", stderr(&o));
    let v = &json_lines(&o)[0];
    assert_eq!(v["bssid"], HOME);
    assert!(v["max_signal_dbm"].is_null(), "not recorded: {v}");
    let _ = std::fs::remove_dir_all(&dir);
}
