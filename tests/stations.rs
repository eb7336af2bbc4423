//! airodump-ng's split through the binary in batch: `networks` lists the
//! networks, not the stations seen only probing (their probe entries only
//! with `--type probe`, with no channel or encryption). The helpers are in
//! `batch`.

use crate::batch::{json_lines, run, stderr, stdout};

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
