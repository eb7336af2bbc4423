//! airodump-ng's split through the binary in batch: `networks` lists the
//! networks, not the stations seen only probing (their probe entries only
//! with `--type probe`, with no channel or encryption); `stations` lists
//! every station, with its network and its probes; `clients MAC` a
//! station's records. The helpers are in `batch`.

use std::collections::{BTreeMap, BTreeSet};

use crate::batch::{fast_sim, json_lines, run, stderr, stdout};

/// The simulator's access points (its networks of type 0).
fn access_points(sim: &kismet_sim::Sim) -> Vec<String> {
    let mut aps: Vec<String> = (sim.networks().into_iter())
        .filter(|n| n.network_type == 0)
        .map(|n| n.bssid)
        .collect();
    aps.sort();
    aps
}

/// The BSSIDs of JSON rows, sorted.
fn bssids(rows: &[serde_json::Value]) -> Vec<String> {
    let mut b: Vec<String> = rows
        .iter()
        .map(|r| r["bssid"].as_str().unwrap().to_string())
        .collect();
    b.sort();
    b
}

/// `networks` lists the six access points and no probe entry (before:
/// every station seen probing too, 14 "networks" for 6); in the table, the
/// count says 6.
#[test]
fn networks_leaves_out_probe_entries() {
    let sim = crate::common::still_sim();
    let addr = sim.local_addr().to_string();
    let o = run(&[&addr, "-c", "networks", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json_lines(&o);
    assert!(
        rows.iter().all(|r| r["network_type"] != "probe"),
        "{}",
        stdout(&o)
    );
    assert_eq!(bssids(&rows), access_points(&sim), "{}", stdout(&o));
    let o = run(&[&addr, "-c", "networks"]);
    assert!(stdout(&o).contains("\n6 networks"), "{}", stdout(&o));
    sim.shutdown();
}

/// `networks --type probe` lists the probe entries with channel,
/// encryption, cipher and auth `null` (before: `0` and `"OPN"`), in CSV
/// empty; the table shows them empty.
#[test]
fn probe_rows_have_null_channel_and_encryption() {
    let sim = crate::common::still_sim();
    let addr = sim.local_addr().to_string();
    let o = run(&[&addr, "-c", "networks --type probe", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json_lines(&o);
    assert!(rows.len() >= 2, "{}", stdout(&o));
    for r in &rows {
        assert_eq!(r["network_type"], "probe", "{r}");
        for key in ["channel", "encryption", "cipher", "auth", "cryptset"] {
            assert!(r[key].is_null(), "{key}: {r}");
        }
    }
    let o = run(&[&addr, "-c", "networks --type probe", "--format", "csv"]);
    let csv = stdout(&o);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        for name in ["channel", "encryption", "cipher", "auth"] {
            assert_eq!(cells[at(name)], "", "{name}: {line}");
        }
    }
    let o = run(&[&addr, "-c", "networks --type probe --wide"]);
    let table = stdout(&o);
    assert!(
        table.contains("probe") && !table.contains(" OPN "),
        "{table}"
    );
    sim.shutdown();
}

/// `--type` may be given more than once: `--type ap --type probe` lists
/// both (before: only the last was kept).
#[test]
fn type_repeated_lists_each_type() {
    let sim = crate::common::still_sim();
    let addr = sim.local_addr().to_string();
    let json = |cmd: &str| {
        let o = run(&[&addr, "-c", cmd, "--format", "json"]);
        assert!(o.status.success(), "{cmd}: {}", stderr(&o));
        json_lines(&o)
    };
    let both = json("networks --type ap --type probe");
    let aps = json("networks --type ap");
    let probes = json("networks --type probe");
    assert!(!aps.is_empty() && !probes.is_empty());
    let mut expected = bssids(&aps);
    expected.extend(bssids(&probes));
    expected.sort();
    assert_eq!(bssids(&both), expected);
    sim.shutdown();
}

/// The keys of a `stations` JSON object, in order.
const STATION_KEYS: [&str; 10] = [
    "type",
    "mac",
    "bssid",
    "ssid",
    "probes",
    "signal_dbm",
    "packets",
    "manuf",
    "first_seen",
    "last_seen",
];

/// `stations` lists each station of the simulator once: every client MAC
/// (an access point's record of itself left out) and every station seen
/// only probing; one with no client record has `"bssid":null`, the others
/// one of the networks they were seen with, and its SSID.
#[test]
fn stations_are_every_client_and_every_prober() {
    let sim = crate::common::still_sim();
    let addr = sim.local_addr().to_string();
    let o = run(&[&addr, "-c", "stations", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json_lines(&o);
    // The truth: each station's networks.
    let mut truth: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in sim.clients().into_iter().filter(|c| c.mac != c.bssid) {
        truth.entry(c.mac).or_default().insert(c.bssid);
    }
    for n in sim.networks().into_iter().filter(|n| n.network_type == 2) {
        truth.entry(n.bssid).or_default();
    }
    let macs: Vec<&str> = rows.iter().map(|r| r["mac"].as_str().unwrap()).collect();
    assert_eq!(macs, truth.keys().map(String::as_str).collect::<Vec<_>>());
    let ssids: BTreeMap<String, String> = (sim.networks().into_iter())
        .map(|n| (n.bssid, n.ssid))
        .collect();
    let mut unassociated = 0;
    for r in &rows {
        let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, STATION_KEYS, "{r}");
        assert_eq!(r["type"], "station");
        assert!(r["probes"].is_array(), "{r}");
        let networks = &truth[r["mac"].as_str().unwrap()];
        if networks.is_empty() {
            unassociated += 1;
            assert!(r["bssid"].is_null() && r["ssid"].is_null(), "{r}");
        } else {
            let bssid = r["bssid"].as_str().unwrap_or_else(|| panic!("{r}"));
            assert!(networks.contains(bssid), "{r}");
            match ssids[bssid].as_str() {
                "" => assert!(r["ssid"].is_null(), "{r}"),
                name => assert_eq!(r["ssid"], name, "{r}"),
            }
        }
    }
    assert!(unassociated >= 1, "{}", stdout(&o));
    let o = run(&[&addr, "-c", "stations"]);
    let table = stdout(&o);
    assert!(
        table.contains("(not associated)") && table.contains(&format!("\n{} stations", rows.len())),
        "{table}"
    );
    sim.shutdown();
}

/// A station seen only probing shows the names it probes for (those come
/// live, after the first burst: the simulator ticks) and no network.
#[test]
fn a_probing_station_shows_its_probes() {
    let sim = fast_sim();
    let o = run(&[
        &sim.local_addr().to_string(),
        "--wait",
        "2",
        "-c",
        "stations",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json_lines(&o);
    let prober = rows
        .iter()
        .find(|r| r["mac"] == "00:19:D2:10:00:09")
        .unwrap_or_else(|| panic!("{}", stdout(&o)));
    assert!(prober["bssid"].is_null(), "{prober}");
    assert_eq!(
        prober["probes"],
        serde_json::json!(["eduroam", "MyPhone Hotspot"]),
        "{prober}"
    );
    sim.shutdown();
}

/// `clients MAC` of a station (no network's BSSID) lists its records, one
/// per network it was seen with (before: "no network").
#[test]
fn clients_of_a_station_mac_lists_its_records() {
    let sim = crate::common::still_sim();
    let addr = sim.local_addr().to_string();
    // A client that is no network: the gateway, seen through several
    // access points.
    let networks: BTreeSet<String> = sim.networks().into_iter().map(|n| n.bssid).collect();
    let clients = sim.clients();
    let station = (clients.iter())
        .map(|c| c.mac.as_str())
        .find(|m| !networks.contains(*m))
        .expect("a client that is no network");
    let mut expected: Vec<&str> = (clients.iter())
        .filter(|c| c.mac == station)
        .map(|c| c.bssid.as_str())
        .collect();
    expected.sort();
    assert!(expected.len() >= 2, "seen with several: {expected:?}");
    let o = run(&[
        &addr,
        "-c",
        &format!("clients {station}"),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json_lines(&o);
    let bssids: Vec<&str> = rows.iter().map(|r| r["bssid"].as_str().unwrap()).collect();
    assert_eq!(bssids, expected);
    assert!(rows.iter().all(|r| r["mac"] == station), "{}", stdout(&o));
    // Any case, as a BSSID is typed.
    let o = run(&[&addr, "-c", &format!("clients {}", station.to_lowercase())]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(station), "{}", stdout(&o));
    sim.shutdown();
}

/// In `clients`, a hidden network's clients show `<hidden>` as its SSID,
/// as `networks` shows the network (before: a blank cell).
#[test]
fn clients_of_a_hidden_network_show_hidden() {
    // Ticking: the hidden network's clients come after the first burst.
    let sim = fast_sim();
    let addr = sim.local_addr().to_string();
    let hidden = (sim.networks().into_iter())
        .find(|n| n.cloaked)
        .map(|n| n.bssid)
        .unwrap();
    let o = run(&[&addr, "--wait", "1", "-c", "clients --wide"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(&format!("┆ {hidden} ┆")))
        .collect();
    assert!(!rows.is_empty(), "{out}");
    assert!(rows.iter().all(|l| l.contains("<hidden>")), "{out}");
    sim.shutdown();
}
