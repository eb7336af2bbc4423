//! The model's bounds: names cut at a length, a bounded number of
//! manufacturer names, a byte budget, and the default limits.

use super::tests::*;
use super::*;

/// A 30 KB SSID or manufacturer name is kept cut at [`MAX_NAME_BYTES`],
/// shown ending in [`CUT_MARKER`] and flagged as cut; the same long name
/// sent again updates the same record; short names are kept whole.
#[test]
fn long_names_are_cut_with_a_marker() {
    let model = Model::default();
    let long = |c: char| c.to_string().repeat(30_000);
    let (ssid, manuf) = (long('s'), long('m'));
    let b = "00:14:6C:A1:00:01";
    let beacon = |name: &str, beacons: &str| {
        partial(
            "SSID",
            &[
                ("mac", b),
                ("type", "0"),
                ("ssid", name),
                ("beacons", beacons),
            ],
        )
    };
    model.feed(&[
        partial("BSSID", &[("bssid", b), ("manuf", &manuf)]),
        beacon(&ssid, "1"),
        beacon(&ssid, "2"),
        partial(
            "CLIENT",
            &[
                ("bssid", b),
                ("mac", "00:0C:42:00:00:01"),
                ("manuf", &manuf),
            ],
        ),
        partial(
            "CLIENT",
            &[
                ("bssid", b),
                ("mac", "00:0C:42:00:00:02"),
                ("manuf", "Intel"),
            ],
        ),
    ]);
    let snap = model.snapshot();
    let n = net(&snap, b);
    assert_eq!(n.ssids.len(), 1, "the same long name is one record");
    let s = &n.ssids[0];
    assert_eq!(s.beacons, Some(2));
    assert!(s.truncated);
    assert_eq!(s.raw.as_deref(), Some(&ssid.as_bytes()[..MAX_NAME_BYTES]));
    let shown = format!("{}{CUT_MARKER}", &ssid[..MAX_NAME_BYTES]);
    assert_eq!(s.name.as_deref(), Some(shown.as_str()));
    assert_eq!(n.ssid.as_deref(), Some(shown.as_str()));
    let shown = format!("{}{CUT_MARKER}", &manuf[..MAX_NAME_BYTES]);
    assert_eq!(n.manuf.as_deref(), Some(shown.as_str()));
    assert!(n.manuf_truncated);
    let (cut, whole) = (&snap.clients[0], &snap.clients[1]);
    assert_eq!(cut.manuf.as_deref(), Some(shown.as_str()));
    assert!(cut.manuf_truncated);
    assert_eq!(whole.manuf.as_deref(), Some("Intel"));
    assert!(!whole.manuf_truncated);
    // A name of exactly the bound is whole.
    let c = "00:14:6C:A1:00:02";
    let exact = "e".repeat(MAX_NAME_BYTES);
    model.feed(&[partial("SSID", &[("mac", c), ("ssid", &exact)])]);
    let snap = model.snapshot();
    let s = &net(&snap, c).ssids[0];
    assert!(!s.truncated);
    assert_eq!(s.name.as_deref(), Some(exact.as_str()));
}

/// A new manufacturer name with every new device cannot grow the
/// interner: a name is freed with the last device that holds it (evicted,
/// or now naming another), and its id reused, so the names kept stay
/// within the devices held.
#[test]
fn distinct_manufacturers_stay_bounded() {
    let model = Model::new(10);
    for i in 0..1000u32 {
        let b = format!("00:14:6C:00:{:02X}:{:02X}", i >> 8, i & 0xff);
        let mac = format!("00:0C:42:00:{:02X}:{:02X}", i >> 8, i & 0xff);
        model.feed(&[
            partial("BSSID", &[("bssid", &b), ("manuf", &format!("Net {i}"))]),
            partial(
                "CLIENT",
                &[("bssid", &b), ("mac", &mac), ("manuf", &format!("Cli {i}"))],
            ),
        ]);
        let state = model.state.lock();
        assert!(state.manufs.len() <= state.store.devices(), "step {i}");
    }
    // One network naming a new manufacturer each time holds one name.
    let b = "00:14:6C:A1:00:01";
    for i in 0..1000u32 {
        model.feed(&[partial(
            "BSSID",
            &[("bssid", b), ("manuf", &format!("M{i}"))],
        )]);
    }
    let snap = model.snapshot();
    assert_eq!(net(&snap, b).manuf.as_deref(), Some("M999"));
    assert_eq!(snap.evicted, 2 * 1000 + 1 - 10);
    let state = model.state.lock();
    assert!(state.manufs.len() <= 10, "{}", state.manufs.len());
    assert!(state.manufs.shown().len() <= 2 * 10 + 2, "ids are reused");
    drop(state);
    model.clear();
    assert_eq!(model.state.lock().manufs.len(), 0);
}

/// What the model counts is what it holds: the running counts of the
/// networks' heap and the interned names agree with a count from scratch.
pub(super) fn assert_counts_agree(model: &Model) {
    let state = model.state.lock();
    let heap: usize = state.store.networks.values().map(|n| n.heap_bytes()).sum();
    assert_eq!(state.store.heap, heap);
    assert_eq!(state.manufs.bytes(), state.manufs.recount());
    state.assert_places_agree();
}

/// [`partial`] written as a line and parsed, in half the time (for long
/// fields in a debug build).
fn line(proto: &str, values: &[(&str, &str)]) -> Frame {
    let mut line = format!("*{proto}: ");
    for (n, v) in values {
        let q = if QUOTED.contains(n) { "\x01" } else { "" };
        line.push_str(&format!("{q}{v}{q} "));
    }
    let list: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
    Frame::parse(line.as_bytes())
        .unwrap()
        .with_names(Some(names(&list)))
}

/// New devices with 30 KB `ssid` and `manuf` fields (the 7.7 GB
/// in 20 s): the model's own count of its bytes never passes its budget,
/// the least recently seen devices are evicted for it and counted, the
/// names are kept cut, and the counts stay true.
#[test]
fn long_fields_stay_under_the_byte_budget() {
    const BUDGET: usize = 3 << 19;
    let model = Model::with_limits(100_000, BUDGET);
    let start = model.memory();
    assert_eq!(start.max_bytes, BUDGET);
    assert!(start.max_devices < 100_000 && start.max_devices > 500);
    let long = |tag: &str, i: u32| format!("{tag} {i} {}", "x".repeat(30_000));
    for i in 0..400u32 {
        let b = format!("00:14:6C:00:{:02X}:{:02X}", i >> 8, i & 0xff);
        let mac = format!("00:0C:42:00:{:02X}:{:02X}", i >> 8, i & 0xff);
        let mut frames = vec![line("BSSID", &[("bssid", &b), ("manuf", &long("net", i))])];
        for t in 0..10 {
            frames.push(line(
                "SSID",
                &[
                    ("mac", &b),
                    ("type", "2"),
                    ("ssid", &long(&t.to_string(), i)),
                ],
            ));
        }
        frames.push(line(
            "CLIENT",
            &[("bssid", &b), ("mac", &mac), ("manuf", &long("client", i))],
        ));
        model.feed(&frames);
        let m = model.memory();
        assert!(m.bytes <= BUDGET, "device {i}: {m:?}");
    }
    assert_counts_agree(&model);
    let snap = model.snapshot();
    let m = snap.memory;
    assert!(
        m.evicted_for_bytes > 0 && m.evicted_for_bytes == snap.evicted,
        "{m:?}"
    );
    assert_eq!(m.devices, snap.networks.len() + snap.clients.len());
    assert!(m.devices < m.max_devices, "the bytes ran out first: {m:?}");
    assert!(m.devices > 100, "eviction stops under the budget: {m:?}");
    assert!(m.bytes > BUDGET / 2, "the budget is used: {m:?}");
    assert_eq!(m.names, m.devices, "one name per device");
    // The newest are kept.
    assert!(snap.network("00:14:6C:00:01:8F").is_some());
    for n in &snap.networks {
        assert_eq!(n.ssids.len(), 10);
        for s in &n.ssids {
            assert!(s.truncated && s.raw.as_ref().unwrap().len() <= MAX_NAME_BYTES);
            assert!(s.name.as_ref().unwrap().ends_with(CUT_MARKER));
        }
        assert!(n.manuf_truncated && n.manuf.as_ref().unwrap().ends_with(CUT_MARKER));
    }
    // Cleared, the names and records are gone; the counters carry on.
    model.clear();
    let m = model.memory();
    assert!(m.bytes < start.bytes + BUDGET / 2, "{m:?}");
    assert_eq!((m.devices, m.names), (0, 0));
    assert_eq!(m.evicted_for_bytes, snap.memory.evicted_for_bytes);
    assert_counts_agree(&model);
}

/// The default limits: 100,000 devices in 256 MiB; the count of an empty
/// model is small, and the recorded session's agrees with a recount.
#[test]
fn default_limits_and_counts() {
    let model = Model::default();
    let m = model.memory();
    assert_eq!(
        (m.max_devices, m.max_bytes),
        (DEFAULT_MAX_DEVICES, DEFAULT_MAX_BYTES)
    );
    assert_eq!((m.devices, m.names, m.evicted_for_bytes), (0, 0, 0));
    assert!(m.bytes < 1024, "{m:?}");
    model.feed(&t1_frames());
    let snap = model.snapshot();
    assert_eq!(snap.memory, model.memory());
    assert_eq!(snap.memory.devices, model.devices());
    assert!(snap.memory.bytes > 0 && snap.memory.names > 0);
    assert_counts_agree(&model);
}
