//! Several servers in one batch run (issue 30): the merged `networks`,
//! `servers`, output tagged with each server, a server lost while the
//! others flow, and unreachable servers.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::batch::{json_lines, run, stderr, stdout};
use crate::common::{still_sim, Lines};

/// A still simulator whose drive (with GPS) is at its start: it hears
/// only the networks near the start of the route.
fn still_driving_sim() -> kismet_sim::Sim {
    kismet_sim::Sim::start(
        "127.0.0.1:0",
        kismet_sim::SimConfig {
            gps: true,
            seed: 2,
            tick: Duration::from_secs(3600),
            ..kismet_sim::SimConfig::default()
        },
    )
    .unwrap()
}

/// Each network's BSSID and signal in a `networks --format json` run.
fn signals(o: &std::process::Output) -> BTreeMap<String, Value> {
    json_lines(o)
        .into_iter()
        .filter(|v| v["type"] == "network")
        .map(|v| {
            (
                v["bssid"].as_str().unwrap().to_string(),
                v["signal_dbm"].clone(),
            )
        })
        .collect()
}

/// The merged `networks` of two servers is the union of what each lists
/// alone; each network's `seen_by` names exactly the servers that list it
/// alone, each with the signal it reports alone; a network both hear
/// shows `2` in SEEN BY.
#[test]
fn merged_networks_are_the_union_with_each_servers_own_signal() {
    let (a, b) = (still_sim(), still_driving_sim());
    let (addr_a, addr_b) = (a.local_addr().to_string(), b.local_addr().to_string());
    let alone_a = signals(&run(&[&addr_a, "-c", "networks", "--format", "json"]));
    let alone_b = signals(&run(&[&addr_b, "-c", "networks", "--format", "json"]));
    assert!(
        !alone_b.is_empty() && alone_b.len() < alone_a.len(),
        "{alone_b:?}"
    );
    let specs = [format!("near={addr_a}"), format!("far={addr_b}")];
    let o = run(&[&specs[0], &specs[1], "-c", "networks", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let merged = json_lines(&o);
    let bssids: BTreeSet<String> = (merged.iter())
        .map(|v| v["bssid"].as_str().unwrap().to_string())
        .collect();
    let union: BTreeSet<String> = alone_a.keys().chain(alone_b.keys()).cloned().collect();
    assert_eq!(bssids, union);
    let mut both = 0;
    for v in &merged {
        let bssid = v["bssid"].as_str().unwrap();
        let seen: BTreeMap<&str, &Value> = (v["seen_by"].as_array().unwrap().iter())
            .map(|s| (s["server"].as_str().unwrap(), &s["signal_dbm"]))
            .collect();
        let mut want = BTreeMap::new();
        if let Some(s) = alone_a.get(bssid) {
            want.insert("near", s);
        }
        if let Some(s) = alone_b.get(bssid) {
            want.insert("far", s);
        }
        assert_eq!(seen, want, "{v}");
        both += usize::from(seen.len() == 2);
    }
    assert!(both > 0, "no network heard by both");
    let o = run(&[&specs[0], &specs[1], "-c", "networks"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("SEEN BY") && text.contains("from 2 servers"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("2 near") || l.contains("2 far")),
        "{text}"
    );
    a.shutdown();
    b.shutdown();
}

/// `servers` lists each server with its name, address and state, as a
/// table and as JSON; any other command runs on each, its JSON objects
/// tagged with the server first.
#[test]
fn servers_lists_each_and_other_commands_are_tagged_with_the_server() {
    let (a, b) = (still_sim(), still_sim());
    let specs = [
        format!("kitchen={}", a.local_addr()),
        format!("attic={}", b.local_addr()),
    ];
    let o = run(&[
        &specs[0],
        &specs[1],
        "-c",
        "servers",
        "-c",
        "protocols",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = json_lines(&o);
    let servers: Vec<(&str, &str)> = (lines.iter())
        .filter(|v| v["type"] == "server")
        .map(|v| (v["name"].as_str().unwrap(), v["state"].as_str().unwrap()))
        .collect();
    assert_eq!(servers, [("kitchen", "connected"), ("attic", "connected")]);
    let tagged: Vec<&str> = (lines.iter())
        .filter(|v| v["type"] == "protocols")
        .map(|v| v["server"].as_str().unwrap())
        .collect();
    assert_eq!(tagged, ["kitchen", "attic"]);
    let first_key = stdout(&o)
        .lines()
        .find(|l| l.contains("\"type\":\"protocols\""))
        .map(|l| l.starts_with("{\"server\":\"kitchen\""));
    assert_eq!(first_key, Some(true), "{}", stdout(&o));
    let o = run(&[&specs[0], &specs[1], "-c", "servers"]);
    let text = stdout(&o);
    assert!(
        text.contains("kitchen") && text.contains("2 of 2 servers connected"),
        "{text}"
    );
    a.shutdown();
    b.shutdown();
}

/// Following two servers, the one shut down gives a `disconnected` event
/// naming it, and the other's frames go on coming after it.
#[test]
fn a_lost_server_is_named_while_the_others_frames_flow() {
    let (a, b) = (
        crate::common::sim_ticking(Duration::from_millis(200)),
        crate::common::sim_ticking(Duration::from_millis(200)),
    );
    let specs = [
        format!("alpha={}", a.local_addr()),
        format!("beta={}", b.local_addr()),
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_kismet-shell"))
        .args([
            &specs[0],
            &specs[1],
            "-c",
            "enable TIME *",
            "--follow",
            "--format",
            "json",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = Lines::of(child.stdout.take().unwrap());
    let time_of = |who: &str| {
        let who = who.to_string();
        move |l: &str| {
            let v: Value = serde_json::from_str(l).unwrap_or(Value::Null);
            v["server"] == who.as_str() && v["protocol"] == "TIME"
        }
    };
    lines.until("a TIME from alpha", time_of("alpha"));
    lines.until("a TIME from beta", time_of("beta"));
    b.shutdown();
    let seen = lines.until("beta's disconnected event", |l| {
        let v: Value = serde_json::from_str(l).unwrap_or(Value::Null);
        v["type"] == "disconnected" && v["server"] == "beta"
    });
    assert!(
        seen.iter()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "{seen:?}"
    );
    lines.until("alpha's TIME after beta went", time_of("alpha"));
    lines.until("another one", time_of("alpha"));
    let _ = child.kill();
    let _ = child.wait();
    a.shutdown();
}

/// A server that cannot be reached is named; without --keep-going
/// nothing runs (exit 1), with it the others run (exit 1); none reached:
/// exit 2.
#[test]
fn unreachable_servers_are_named_and_set_the_exit_status() {
    let a = still_sim();
    // A port nothing listens on: bound, then closed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let specs = [format!("up={}", a.local_addr()), format!("down={closed}")];
    let o = run(&[&specs[0], &specs[1], "-c", "servers", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("down: cannot reach it"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let o = run(&[
        &specs[0],
        &specs[1],
        "-c",
        "servers",
        "--format",
        "json",
        "--keep-going",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let states: Vec<String> = (json_lines(&o).iter())
        .map(|v| {
            format!(
                "{} {}",
                v["name"].as_str().unwrap(),
                v["state"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(states.len(), 2);
    assert_eq!(states[0], "up connected");
    assert!(states[1].starts_with("down unreachable: "), "{states:?}");
    let o = run(&[&specs[1], &format!("also={closed}"), "-c", "servers"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    a.shutdown();
}

/// The interactive shell on two servers: both banners, a prompt that
/// counts them and names the current one, `enable` on each, frames tagged
/// with their server, `use`, the merged `networks`, `connect --add` of a
/// third; a server shut down is named in its notice while the others'
/// frames go on.
#[test]
fn interactive_shell_on_several_servers_tags_frames_and_follows_use() {
    use rexpect::session::spawn_command;
    let tick = Duration::from_millis(200);
    let (a, b, c) = (
        crate::common::sim_ticking(tick),
        crate::common::sim_ticking(tick),
        crate::common::sim_ticking(tick),
    );
    let history = crate::repl::TempHistory::new();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kismet-shell"));
    cmd.args([
        &format!("kitchen={}", a.local_addr()),
        &format!("attic={}", b.local_addr()),
        "--history",
        history.file.to_str().unwrap(),
    ])
    .env("TERM", "xterm")
    .env("NO_COLOR", "1");
    let mut p = spawn_command(cmd, Some(20_000)).expect("spawn the shell");
    p.exp_string("kitchen: connected to Kismet Simulator")
        .unwrap();
    p.exp_string("attic: connected to Kismet Simulator")
        .unwrap();
    let prompt = "kismet 2/2 kitchen> ";
    p.exp_string(prompt).unwrap();
    let out = crate::repl::command(&mut p, "enable TIME *", prompt);
    assert!(
        out.contains("kitchen: ok (") && out.contains("attic: ok ("),
        "{out}"
    );
    p.exp_string("attic: TIME timesec=").unwrap();
    p.exp_string("kitchen: TIME timesec=").unwrap();
    let prompt = "kismet 2/2 attic> ";
    let out = crate::repl::command(&mut p, "use attic", prompt);
    assert!(out.contains("commands go to attic"), "{out}");
    let out = crate::repl::command(&mut p, "networks", prompt);
    assert!(
        out.contains("SEEN BY") && out.contains("from 2 servers"),
        "{out}"
    );
    let out = crate::repl::command(&mut p, "status", prompt);
    assert!(
        out.contains("2 of 2 servers connected") && out.contains("[attic]"),
        "{out}"
    );
    let out = crate::repl::command(
        &mut p,
        &format!("connect --add cellar={}", c.local_addr()),
        "kismet 3/3 attic> ",
    );
    assert!(out.contains("added cellar"), "{out}");
    b.shutdown();
    p.exp_string("attic: [disconnected").unwrap();
    // The others' frames go on after it.
    p.exp_string("kitchen: TIME timesec=").unwrap();
    p.exp_string("kitchen: TIME timesec=").unwrap();
    crate::repl::exit_with_ctrl_d(p);
    a.shutdown();
    c.shutdown();
}

/// A simulator with a GPS standing at `lat,lon` (a fixed sensor), its
/// world moving every 100 ms.
fn parked_sim(lat: f64, lon: f64) -> kismet_sim::Sim {
    kismet_sim::Sim::start(
        "127.0.0.1:0",
        kismet_sim::SimConfig {
            gps: true,
            parked_at: Some((lat, lon)),
            tick: Duration::from_millis(100),
            ..kismet_sim::SimConfig::default()
        },
    )
    .unwrap()
}

/// Three fixed simulated sensors (same world, GPS parked) around a known
/// access point, each given at its place: the merged `networks` gives the
/// access point an estimate from their three signals, within its stated
/// radius of where the simulator put it, and the merged export places it
/// there; not given their places, the sensors' still GPS gives them.
#[test]
fn three_fixed_sensors_place_an_access_point_within_the_stated_radius() {
    const HOME: &str = "00:14:6C:A1:00:01";
    // Where the simulator's world puts it (the same for every seed-1 sim).
    let probe = parked_sim(0.0, 0.0);
    let truth = (probe.device_positions().into_iter())
        .find(|d| d.mac == HOME)
        .expect("HomeNet placed")
        .position;
    probe.shutdown();
    let metres = |east: f64, north: f64| {
        let m = 6_371_008.8 * std::f64::consts::PI / 180.0;
        (
            truth.lat + north / m,
            truth.lon + east / (m * truth.lat.to_radians().cos()),
        )
    };
    let places = [metres(-40.0, 5.0), metres(35.0, 40.0), metres(20.0, -45.0)];
    let sims: Vec<kismet_sim::Sim> = places
        .iter()
        .map(|&(lat, lon)| parked_sim(lat, lon))
        .collect();
    let specs: Vec<String> = (sims.iter().zip(places).enumerate())
        .map(|(i, (s, (lat, lon)))| format!("s{i}={}@{lat:.6},{lon:.6}", s.local_addr()))
        .collect();
    let dir = crate::common::temp_dir("fleet-estimate");
    let map = dir.join("merged.geojson");
    let export = format!("export {}", map.display());
    // --export writes the same at the end.
    let at_end = dir.join("at-end.geojson");
    let mut args: Vec<&str> = specs.iter().map(String::as_str).collect();
    args.extend([
        "--wait", "3", "-c", "networks", "--format", "json", "-c", &export,
    ]);
    args.extend(["--export", at_end.to_str().unwrap()]);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let home = json_lines(&o)
        .into_iter()
        .find(|v| v["bssid"] == HOME)
        .unwrap_or_else(|| panic!("HomeNet: {}", stdout(&o)));
    assert_eq!(home["seen_by"].as_array().map(Vec::len), Some(3), "{home}");
    let e = &home["estimate"];
    assert_eq!(
        (&e["sensors"], &e["method"]),
        (&Value::from(3), &Value::from("path-loss")),
        "{home}"
    );
    let (lat, lon, radius) = (
        e["lat"].as_f64().unwrap(),
        e["lon"].as_f64().unwrap(),
        e["radius_m"].as_f64().unwrap(),
    );
    let at = kismet_client::LatLon::from_degrees(lat, lon).unwrap();
    let off = at.distance_m(kismet_client::LatLon::from_degrees(truth.lat, truth.lon).unwrap());
    assert!(off <= radius, "{off:.1} m off, radius {radius:.1}: {home}");
    assert!(radius < 200.0, "{home}");
    // The merged exports place it at the estimate (the one at the end
    // at the estimate of then: within the radius of this one).
    for (file, exact) in [(&map, true), (&at_end, false)] {
        let geo: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let feature = (geo["features"].as_array().unwrap().iter())
            .find(|f| f["properties"]["bssid"] == HOME)
            .unwrap_or_else(|| panic!("HomeNet in {geo}"));
        assert_eq!(
            feature["properties"]["position_source"], "estimated",
            "{feature}"
        );
        let point = &feature["geometry"]["coordinates"];
        let (lon, lat) = (point[0].as_f64().unwrap(), point[1].as_f64().unwrap());
        if exact {
            assert_eq!((lon, lat), (at.lon(), at.lat()), "{feature}");
        } else {
            let there = kismet_client::LatLon::from_degrees(lat, lon).unwrap();
            assert!(there.distance_m(at) <= radius, "{feature}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    // Not given where they stand: their GPS, standing still, says it.
    let specs: Vec<String> = (sims.iter().enumerate())
        .map(|(i, s)| format!("s{i}={}", s.local_addr()))
        .collect();
    let mut args: Vec<&str> = specs.iter().map(String::as_str).collect();
    args.extend(["--wait", "3", "-c", "networks", "--format", "json"]);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let home = (json_lines(&o).into_iter())
        .find(|v| v["bssid"] == HOME)
        .unwrap_or_else(|| panic!("HomeNet: {}", stdout(&o)));
    let e = &home["estimate"];
    let at = kismet_client::LatLon::from_degrees(
        e["lat"]
            .as_f64()
            .expect("an estimate from the sensors' GPS"),
        e["lon"].as_f64().unwrap(),
    )
    .unwrap();
    let off = at.distance_m(kismet_client::LatLon::from_degrees(truth.lat, truth.lon).unwrap());
    assert!(off <= e["radius_m"].as_f64().unwrap(), "{home}");
    for s in sims {
        s.shutdown();
    }
}

/// `network X` over several servers runs on those that know X, each
/// answer tagged with its server; one no server knows is an error.
#[test]
fn network_over_several_servers_answers_from_those_that_know_it() {
    let (a, b) = (still_sim(), still_driving_sim());
    let specs = [
        format!("near={}", a.local_addr()),
        format!("far={}", b.local_addr()),
    ];
    let alone_b = signals(&run(&[
        &b.local_addr().to_string(),
        "-c",
        "networks",
        "--format",
        "json",
    ]));
    let alone_a = signals(&run(&[
        &a.local_addr().to_string(),
        "-c",
        "networks",
        "--format",
        "json",
    ]));
    let both = alone_b
        .keys()
        .next()
        .expect("the far one hears one")
        .clone();
    let only_near = alone_a
        .keys()
        .find(|k| !alone_b.contains_key(*k))
        .expect("one only the near one hears")
        .clone();
    let servers_of = |bssid: &str| -> Vec<String> {
        let o = run(&[
            &specs[0],
            &specs[1],
            "-c",
            &format!("network {bssid}"),
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        (json_lines(&o).iter())
            .map(|v| {
                assert_eq!(v["bssid"], bssid, "{v}");
                v["server"].as_str().unwrap().to_string()
            })
            .collect()
    };
    assert_eq!(servers_of(&both), ["near", "far"]);
    assert_eq!(servers_of(&only_near), ["near"]);
    let o = run(&[&specs[0], &specs[1], "-c", "network 02:00:00:00:00:99"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no network 02:00:00:00:00:99 on any server"),
        "{}",
        stderr(&o)
    );
    a.shutdown();
    b.shutdown();
}

/// `--db` over two servers: one database, a session a server under its
/// name, each server's observations in its own session; read back with
/// `--open`.
#[test]
fn one_database_keeps_each_servers_sessions_and_observations() {
    let (a, b) = (
        crate::common::sim_ticking(Duration::from_millis(100)),
        crate::common::sim_ticking(Duration::from_millis(100)),
    );
    let dir = crate::common::temp_dir("fleet-db");
    let db = dir.join("survey.db");
    let specs = [
        format!("kitchen={}", a.local_addr()),
        format!("attic={}", b.local_addr()),
    ];
    let o = run(&[
        &specs[0],
        &specs[1],
        "--db",
        db.to_str().unwrap(),
        "--wait",
        "2",
        "-c",
        "servers",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let query = "SELECT s.server AS session_server, o.server AS row_server, count(*) AS n \
                 FROM observations o JOIN sessions s ON s.id = o.session \
                 GROUP BY s.server, o.server ORDER BY s.server";
    let o = run(&[
        "--open",
        db.to_str().unwrap(),
        "-c",
        &format!("sql {query}"),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<(String, String, i64)> = (json_lines(&o).iter())
        .map(|v| {
            let r = &v["values"];
            (
                r["session_server"].as_str().unwrap_or("").to_string(),
                r["row_server"].as_str().unwrap_or("").to_string(),
                r["n"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    let servers: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(servers, ["attic", "kitchen"], "{}", stdout(&o));
    assert!(rows.iter().all(|r| r.0 == r.1 && r.2 > 0), "{rows:?}");
    let o = run(&[
        "--open",
        db.to_str().unwrap(),
        "-c",
        "sessions",
        "--format",
        "json",
    ]);
    assert_eq!(json_lines(&o).len(), 2, "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(&dir);
    a.shutdown();
    b.shutdown();
}
