//! Capture sources against the simulator: `sources`, `lock`, `hop`,
//! `addsource` and `delsource` in batch mode, and `delsource`'s question
//! in the shell (issue 32).

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

/// `hop wlan0 1 6,11 --rate 10` sends the channel list, then HOP at 10 a
/// second: `sources` shows the list and the rate, and the source, hopping,
/// is seen only on those channels from then on.
#[test]
fn hop_with_channels_hops_those_channels_only() {
    let sim = fast_sim();
    let addr = sim.local_addr().to_string();
    let o = run(&[
        &addr,
        "-c",
        "hop wlan0 1 6,11 --rate 10",
        "-c",
        "sources",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = sources(&o);
    assert_eq!(v.len(), 1, "{}", stdout(&o));
    assert_eq!(v[0]["channel_list"], "1,6,11", "{}", v[0]);
    assert_eq!(
        (&v[0]["hopping"], &v[0]["velocity"]),
        (&Value::from(true), &Value::from(10))
    );
    // The line that came with the change may still show the channel it
    // was on; the source's next hops are within the list.
    let mut seen = Vec::new();
    for _ in 0..4 {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let o = run(&[&addr, "-c", "sources", "--format", "json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        seen.push(sources(&o)[0]["channel"].as_u64().unwrap_or(0));
    }
    assert!(seen.iter().all(|c| [1, 6, 11].contains(c)), "{seen:?}");
}

/// `addsource` names the source the server created, with its UUID, and
/// `sources` lists it; `delsource` removes it, from the same run's list at
/// once and from the server's (a new connection's `sources`).
#[test]
fn addsource_lists_the_new_source_and_delsource_removes_it() {
    let sim = fast_sim();
    let addr = sim.local_addr().to_string();
    let o = run(&[
        &addr,
        "-c",
        "addsource /nonexistent.pcap:type=pcapfile,name=added",
        "-c",
        "sources",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("added source added (/nonexistent.pcap, UUID "),
        "{out}"
    );
    let names = |o: &std::process::Output| -> Vec<String> {
        sources(o)
            .iter()
            .map(|s| s["name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(names(&o), ["added", "wlan0"]);
    let o = run(&[
        &addr,
        "-c",
        "delsource ADDED",
        "-c",
        "sources",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("removed source added (UUID "),
        "{}",
        stdout(&o)
    );
    assert_eq!(names(&o), ["wlan0"]);
    let o = run(&[&addr, "-c", "sources", "--format", "json"]);
    assert_eq!(names(&o), ["wlan0"], "{}", stdout(&o));
}

/// An ADDSOURCE the server refuses (no interface) is a usage error before
/// anything is sent; `delsource` of an unknown source names the sources.
#[test]
fn addsource_without_interface_and_delsource_of_unknown_are_errors() {
    let sim = fast_sim();
    let addr = sim.local_addr().to_string();
    let o = run(&[&addr, "-c", "addsource :name=x"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("addsource needs INTERFACE"),
        "{}",
        stderr(&o)
    );
    let o = run(&[&addr, "-c", "delsource wlan9"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("sources: wlan0"), "{}", stderr(&o));
}

/// `delsource SOURCE` asks first, naming the source; no keeps it (the
/// server still lists it), yes removes it.
#[test]
fn repl_delsource_asks_naming_the_source_and_yes_removes_it() {
    let sim = crate::common::sim_ticking(std::time::Duration::from_millis(100));
    let addr = sim.local_addr().to_string();
    let history = crate::repl::TempHistory::new();
    let (mut p, prompt) =
        crate::repl::shell_at(&addr, &history.file, &[], "Kismet Simulator", None, &[]);
    crate::repl::type_text(&mut p, "delsource wlan0\r");
    p.exp_string(&format!(
        "really send DELSOURCE for source wlan0 to {addr}? [y/N] "
    ))
    .unwrap();
    crate::repl::type_text(&mut p, "n\r");
    p.exp_string("not sent").unwrap();
    p.exp_string(&prompt).unwrap();
    // What the server lists, asked on a connection of its own.
    let listed = || {
        let o = crate::batch::run(&[&addr, "-c", "sources", "--format", "json"]);
        String::from_utf8_lossy(&o.stdout).contains("\"name\":\"wlan0\"")
    };
    assert!(listed(), "kept after no");
    crate::repl::type_text(&mut p, "delsource wlan0\r");
    p.exp_string("[y/N] ").unwrap();
    crate::repl::type_text(&mut p, "y\r");
    p.exp_string("removed source wlan0 (UUID ").unwrap();
    p.exp_string(&prompt).unwrap();
    assert!(!listed(), "removed after yes");
    crate::repl::exit_with_ctrl_d(p);
    sim.shutdown();
}
