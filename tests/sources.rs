//! Capture sources in batch mode against the simulator: `sources`, `lock`
//! and `hop` (issue 32).

use serde_json::Value;

use crate::batch::{fast_sim, objects_of, run, stderr, stdout};

/// The `source` objects of a JSON run's output.
fn sources(o: &std::process::Output) -> Vec<Value> {
    objects_of(o, "source")
}

/// `sources --format json` lists the simulator's one source, wlan0 on
/// wlan0mon, with its UUID, a channel (a number) and hopping.
#[test]
fn sources_json_lists_the_simulators_source_with_uuid_and_channel() {
    let sim = fast_sim();
    let o = run(&[
        &sim.local_addr().to_string(),
        "-c",
        "sources",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = sources(&o);
    assert_eq!(v.len(), 1, "{}", stdout(&o));
    assert_eq!(v[0]["name"], "wlan0");
    assert_eq!(v[0]["interface"], "wlan0mon");
    assert_eq!(v[0]["source_type"], "rt2800usb");
    assert!(
        v[0]["uuid"].as_str().is_some_and(|u| u.len() == 36),
        "{}",
        v[0]
    );
    assert!(v[0]["channel"].as_u64().is_some_and(|c| c > 0), "{}", v[0]);
    assert_eq!(v[0]["hopping"], true);
}

/// `lock wlan0 6` is acknowledged, and `sources` right after it shows the
/// source on channel 6, not hopping; the table says `locked`.
#[test]
fn lock_then_sources_shows_channel_6_and_not_hopping() {
    let sim = fast_sim();
    let addr = sim.local_addr().to_string();
    let o = run(&[
        &addr,
        "-c",
        "lock WLAN0 6",
        "-c",
        "sources",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = sources(&o);
    assert_eq!(v.len(), 1, "{}", stdout(&o));
    assert_eq!(
        (&v[0]["channel"], &v[0]["hopping"]),
        (&Value::from(6), &Value::from(false))
    );
    let o = run(&[&addr, "-c", "sources"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("locked"), "{}", stdout(&o));
}

/// After `lock`, `hop wlan0` (by interface here) makes the source hop
/// again: `sources` says hopping, at the source's own rate.
#[test]
fn hop_after_lock_makes_the_source_hop_again() {
    let sim = fast_sim();
    let addr = sim.local_addr().to_string();
    let o = run(&[
        &addr,
        "-c",
        "lock wlan0 6",
        "-c",
        "hop wlan0mon",
        "-c",
        "sources",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = sources(&o);
    assert_eq!(v.len(), 1, "{}", stdout(&o));
    assert_eq!(v[0]["hopping"], true, "{}", v[0]);
    assert_eq!(v[0]["velocity"], 5, "{}", v[0]);
}

/// A source no name, interface or UUID matches is an error (exit 1) that
/// names the sources there are; nothing is sent for it.
#[test]
fn unknown_source_is_an_error_naming_the_sources() {
    let sim = fast_sim();
    let o = run(&[&sim.local_addr().to_string(), "-c", "lock wlan9 6"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("no capture source wlan9"), "{err}");
    assert!(err.contains("sources: wlan0"), "{err}");
}
