//! Activity per channel in batch mode against the simulator: `channels`
//! as JSON, CSV and a table (issue 32).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::batch::{fast_sim, objects_of, run, stderr, stdout};

/// The `channel` objects of a JSON run's output.
fn channels(o: &std::process::Output) -> Vec<Value> {
    objects_of(o, "channel")
}

/// The channels of the simulator's access points (probe entries have
/// none).
fn sim_channels(sim: &kismet_sim::Sim) -> BTreeSet<u64> {
    (sim.networks().iter())
        .filter(|n| n.network_type == 0 && n.channel != 0)
        .map(|n| u64::from(n.channel))
        .collect()
}

/// `channels --format json` lists one object per channel the simulator's
/// access points are on, from its CHANNEL lines, with numbers as numbers:
/// networks, packets a second (a rate, not a count), the strongest signal.
#[test]
fn channels_json_lists_the_simulators_channels_from_channel_lines() {
    let sim = fast_sim();
    let o = run(&[
        &sim.local_addr().to_string(),
        "-c",
        "channels",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = channels(&o);
    let got: BTreeSet<u64> = v.iter().filter_map(|c| c["channel"].as_u64()).collect();
    assert_eq!(got, sim_channels(&sim), "{}", stdout(&o));
    for c in &v {
        assert_eq!(c["source"], "server", "{c}");
        assert_eq!(c["band"], "2.4 GHz", "{c}");
        assert!(c["networks"].as_u64().is_some_and(|n| n >= 1), "{c}");
        assert!(c["packets_per_s"].as_f64().is_some_and(|r| r >= 0.0), "{c}");
        assert!(c["max_signal_dbm"].as_i64().is_some_and(|d| d < 0), "{c}");
    }
    sim.shutdown();
}

/// The table puts the channels under a 2.4 GHz heading, says 5 GHz saw
/// nothing, and names its source; CSV has a header row and a row per
/// channel.
#[test]
fn channels_table_and_csv_show_bands_and_source() {
    let sim = fast_sim();
    let addr = sim.local_addr().to_string();
    let o = run(&[&addr, "-c", "channels"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.starts_with("2.4 GHz\n"), "{t}");
    assert!(t.contains("5 GHz\n  no activity"), "{t}");
    assert!(t.contains("from the server's CHANNEL lines"), "{t}");
    let o = run(&[&addr, "-c", "channels", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("channel,band,networks,packets_per_s,max_signal_dbm,source")
    );
    assert_eq!(lines.count(), sim_channels(&sim).len(), "{csv}");
    sim.shutdown();
}
