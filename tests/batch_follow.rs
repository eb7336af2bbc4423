//! `networks --follow` (and `clients`, `stations`) in batch mode: the
//! listing, then a line per device new or changed since it was printed,
//! in the command's format; the ways it stops.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;
use std::time::Duration;

use crate::batch::{json_lines, run, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_kismet-shell");

/// A simulator with no GPS (every device heard from the start, so the
/// first listing holds them all) whose world moves every 100 ms.
fn moving_sim() -> kismet_sim::Sim {
    kismet_sim::Sim::start(
        "127.0.0.1:0",
        kismet_sim::SimConfig {
            tick: Duration::from_millis(100),
            gps: false,
            ..kismet_sim::SimConfig::default()
        },
    )
    .unwrap()
}

/// The BSSIDs of the simulator's access points.
fn ap_bssids(sim: &kismet_sim::Sim) -> BTreeSet<String> {
    (sim.networks().into_iter())
        .filter(|n| n.network_type == 0)
        .map(|n| n.bssid)
        .collect()
}

/// A device's JSON object without the keys whose change alone prints no
/// line (the times it was seen, its average position).
fn counted(v: &serde_json::Value) -> serde_json::Value {
    let mut v = v.clone();
    if let Some(obj) = v.as_object_mut() {
        for k in [
            "first_seen",
            "last_seen",
            "avg_lat",
            "avg_lon",
            "gps_points",
        ] {
            obj.remove(k);
        }
    }
    v
}

/// `networks --type ap --follow --format json`: first the listing (each
/// access point once), then exactly `--count` lines, each a JSON network
/// object of an access point (the filter applies) that differs from
/// what was last printed of it in more than its times.
#[test]
fn networks_follow_prints_the_list_then_a_json_line_per_changed_network() {
    let sim = moving_sim();
    let aps = ap_bssids(&sim);
    let o = run(&[
        &sim.local_addr().to_string(),
        "-c",
        "networks --type ap",
        "--follow",
        "--count",
        "4",
        "--timeout",
        "60",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json_lines(&o);
    assert_eq!(v.len(), aps.len() + 4, "{}", stdout(&o));
    let (list, changes) = v.split_at(aps.len());
    let listed: BTreeSet<String> = list
        .iter()
        .map(|n| n["bssid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, aps, "{}", stdout(&o));
    let mut last: HashMap<String, serde_json::Value> = list
        .iter()
        .map(|n| (n["bssid"].as_str().unwrap().to_string(), counted(n)))
        .collect();
    for line in changes {
        assert_eq!(line["type"], "network", "{line}");
        assert_eq!(line["network_type"], "ap", "{line}");
        let bssid = line["bssid"].as_str().unwrap().to_string();
        assert!(aps.contains(&bssid), "{line}");
        let now = counted(line);
        assert_ne!(last.get(&bssid), Some(&now), "printed unchanged: {line}");
        last.insert(bssid, now);
    }
    sim.shutdown();
}

/// `--count 1` ends the run after the listing and one change line, with
/// status 0, long before `--timeout`.
#[test]
fn networks_follow_count_stops_after_n_change_lines() {
    let sim = moving_sim();
    let aps = ap_bssids(&sim);
    let o = run(&[
        &sim.local_addr().to_string(),
        "-c",
        "networks --type ap",
        "--follow",
        "--count",
        "1",
        "--timeout",
        "120",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json_lines(&o).len(), aps.len() + 1, "{}", stdout(&o));
    sim.shutdown();
}

/// In a world that stands still (networks heard again change nothing
/// they show), `networks --follow --timeout 2` prints the listing and no
/// line after it, and ends with status 0; no protocol was enabled by hand.
#[test]
fn networks_follow_on_a_still_world_prints_no_change_lines() {
    let sim = crate::common::still_sim();
    let addr = sim.local_addr().to_string();
    let listed = run(&[&addr, "-c", "networks", "--format", "json"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let o = run(&[
        &addr,
        "-c",
        "networks",
        "--follow",
        "--timeout",
        "2",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let count = json_lines(&listed).len();
    assert!(count > 0, "{}", stdout(&listed));
    let v = json_lines(&o);
    assert_eq!(v.len(), count, "{}", stdout(&o));
    let bssids: BTreeSet<&str> = v.iter().map(|n| n["bssid"].as_str().unwrap()).collect();
    assert_eq!(bssids.len(), count, "a network twice: {}", stdout(&o));
    sim.shutdown();
}

/// `--format csv`: the listing's header row once, then the listing's
/// rows and the change rows, all with the header's columns.
#[test]
fn networks_follow_csv_has_one_header_row() {
    let sim = moving_sim();
    let aps = ap_bssids(&sim);
    let o = run(&[
        &sim.local_addr().to_string(),
        "-c",
        "networks --type ap",
        "--follow",
        "--count",
        "3",
        "--timeout",
        "60",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(o.stdout.as_slice());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let header = &records[0];
    assert_eq!(&header[0], "bssid", "{}", stdout(&o));
    let rows = &records[1..];
    assert_eq!(rows.len(), aps.len() + 3, "{}", stdout(&o));
    for row in rows {
        assert_eq!(row.len(), header.len(), "{row:?}");
        assert!(aps.contains(&row[0]), "not an access point: {row:?}");
    }
    sim.shutdown();
}

/// In text, after the table a change is one line: the network's cells,
/// two spaces apart, starting with its BSSID.
#[test]
fn networks_follow_text_prints_a_line_per_change() {
    let sim = moving_sim();
    let aps = ap_bssids(&sim);
    let o = run(&[
        &sim.local_addr().to_string(),
        "-c",
        "networks --type ap",
        "--follow",
        "--count",
        "2",
        "--timeout",
        "60",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let (table, changes) = out
        .split_once(&format!("{} networks\n", aps.len()))
        .unwrap_or_else(|| panic!("no table: {out}"));
    assert!(table.contains("BSSID"), "{out}");
    let lines: Vec<&str> = changes.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    for line in lines {
        let (bssid, rest) = line.split_once("  ").unwrap();
        assert!(aps.contains(bssid), "{line}");
        assert!(!rest.contains('│'), "{line}");
    }
    sim.shutdown();
}

/// `clients --follow` and `stations --follow` print their own objects
/// (`"type":"client"`, `"type":"station"`) after their listings.
#[test]
fn clients_and_stations_follow_print_their_own_objects() {
    let sim = moving_sim();
    let addr = sim.local_addr().to_string();
    for (command, kind) in [("clients", "client"), ("stations", "station")] {
        let o = run(&[
            &addr,
            "-c",
            command,
            "--follow",
            "--count",
            "2",
            "--timeout",
            "60",
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{command}: {}", stderr(&o));
        let v = json_lines(&o);
        assert!(v.len() > 2, "{command}: {}", stdout(&o));
        assert!(v.iter().all(|d| d["type"] == kind), "{}", stdout(&o));
    }
    sim.shutdown();
}

/// `networks --follow | head -3` ends quietly with status 0 when head
/// goes away.
#[test]
fn networks_follow_into_closed_pipe_exits_0() {
    let sim = moving_sim();
    let o = Command::new("bash")
        .arg("-c")
        .arg(r#""$0" "$1" -c networks --follow --timeout 60 --format json | head -3; exit "${PIPESTATUS[0]}""#)
        .arg(BIN)
        .arg(sim.local_addr().to_string())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 3);
    assert_eq!(stderr(&o), "");
    sim.shutdown();
}
