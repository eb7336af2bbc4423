//! The model fed with recorded and recorded-style frames: the field lists
//! are the real ones from `capabilities.txt`, the BSSID, SSID and CLIENT
//! lines the ones in `t1_commands.raw`.

use std::sync::Arc;

use super::*;
use kismet_protocol::decode::crypt;
use kismet_protocol::FieldValue;

const CAPS: &str = include_str!("../../../../tests/fixtures/legacy-server/capabilities.txt");
const T1: &[u8] = include_bytes!("../../../../tests/fixtures/legacy-server/t1_commands.raw");

pub(super) fn names(list: &[&str]) -> Arc<[String]> {
    list.iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .into()
}

/// A protocol's full field list, as the server answers CAPABILITY.
pub(super) fn capability(proto: &str) -> Arc<[String]> {
    let prefix = format!("*CAPABILITY: {proto} ");
    let line = CAPS
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .expect("protocol in capabilities.txt");
    names(&line.split(',').collect::<Vec<_>>())
}

/// Fields the server writes as `\x01` strings.
pub(super) const QUOTED: &[&str] = &[
    "ssid",
    "manuf",
    "beaconinfo",
    "dot11d",
    "wps_manuf",
    "wps_device_name",
    "wps_model_name",
    "wps_model_number",
    "cdpdevice",
    "cdpport",
    "dhcphost",
    "dhcpvendor",
];

/// A frame with every field of `proto` (in CAPABILITY order), `values`
/// where given and `0` elsewhere, encoded and parsed as the wire has it.
pub(super) fn record(proto: &str, values: &[(&str, &str)]) -> Frame {
    let all = capability(proto);
    let fields: Vec<FieldValue> = all
        .iter()
        .map(|name| {
            let v = values
                .iter()
                .find(|(n, _)| n == name)
                .map_or("0", |(_, v)| *v)
                .as_bytes();
            if QUOTED.contains(&name.as_str()) {
                FieldValue::Quoted(v)
            } else {
                FieldValue::Bare(v)
            }
        })
        .collect();
    Frame::from_fields(proto, &fields)
        .unwrap()
        .with_names(Some(all))
}

/// A frame with only the named fields, in the order given.
pub(super) fn partial(proto: &str, values: &[(&str, &str)]) -> Frame {
    let list: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
    let fields: Vec<FieldValue> = values
        .iter()
        .map(|(n, v)| {
            if QUOTED.contains(n) {
                FieldValue::Quoted(v.as_bytes())
            } else {
                FieldValue::Bare(v.as_bytes())
            }
        })
        .collect();
    Frame::from_fields(proto, &fields)
        .unwrap()
        .with_names(Some(names(&list)))
}

/// The BSSID, SSID and CLIENT lines of the t1 recording, with the field
/// lists that recording enabled: `ENABLE BSSID *`, `ENABLE SSID ssid,mac`
/// (later `mac` and `mac,ssid`), `ENABLE CLIENT mac,bssid`.
pub(super) fn t1_frames() -> Vec<Frame> {
    let bssid = capability("BSSID");
    let (ssid_mac, mac_ssid, mac) = (
        names(&["ssid", "mac"]),
        names(&["mac", "ssid"]),
        names(&["mac"]),
    );
    let client = names(&["mac", "bssid"]);
    T1.split(|&b| b == b'\n')
        .filter_map(|line| {
            let f = Frame::parse(line).ok()?;
            let list = match (f.protocol(), f.len()) {
                ("BSSID", _) => bssid.clone(),
                ("SSID", 1) => mac.clone(),
                ("SSID", 2) if line.starts_with(b"*SSID: \x01") => ssid_mac.clone(),
                ("SSID", 2) => mac_ssid.clone(),
                ("CLIENT", _) => client.clone(),
                _ => return None,
            };
            Some(f.with_names(Some(list)))
        })
        .collect()
}

pub(super) fn net<'a>(snap: &'a Snapshot, bssid: &str) -> &'a NetworkView {
    snap.network(bssid)
        .unwrap_or_else(|| panic!("no network {bssid}"))
}

/// The recorded BSSID lines give each network's values; the AP's own
/// CLIENT record is not one of its clients.
#[test]
fn recorded_networks_and_client_counts() {
    let model = Model::default();
    let frames = t1_frames();
    model.feed(&frames);
    let snap = model.snapshot();
    assert_eq!(snap.frames, frames.len() as u64);
    assert_eq!(snap.networks.len(), 16, "every SSID mac has a BSSID record");
    let home = net(&snap, "00:14:6c:a1:00:01");
    assert_eq!(home.bssid, "00:14:6C:A1:00:01");
    assert_eq!(home.ssid.as_deref(), Some("HomeNet"));
    assert!(!home.cloaked);
    assert_eq!(home.network_type, Some(0));
    assert_eq!(home.channel, Some(1));
    assert_eq!(home.manuf.as_deref(), Some("Netgear"));
    assert_eq!(home.signal_dbm, Some(-47));
    assert_eq!(home.packets, Some(123 + 144));
    assert_eq!(home.datasize, Some(39555));
    assert_eq!(home.first_seen, Some(1795678119));
    assert_eq!(home.last_seen, Some(1795678148));
    // No SSID cryptset enabled: the data cipher set stands in.
    assert_eq!(home.cryptset, Some(2));
    assert_eq!(home.encryption.enc, "WEP");
    let counts: Vec<(&str, usize)> = snap
        .networks
        .iter()
        .filter(|n| n.clients > 0)
        .map(|n| (n.bssid.as_str(), n.clients))
        .collect();
    assert_eq!(
        counts,
        [
            ("00:14:6C:A1:00:01", 3),
            ("00:18:E7:B2:00:02", 3),
            ("00:1D:7E:C3:00:03", 2),
            ("00:1F:33:F6:00:06", 2),
            ("00:24:01:D4:00:04", 2),
            ("00:26:5A:E5:00:05", 3),
        ]
    );
    // The AP's own record is kept in the client list.
    assert!(snap
        .clients
        .iter()
        .any(|c| c.mac == "00:14:6C:A1:00:01" && c.bssid == c.mac));
    let cafe = net(&snap, "00:24:01:D4:00:04");
    assert_eq!(cafe.ssid.as_deref(), Some("Café ☕"));
    assert_eq!(
        cafe.ssids[0].raw.as_deref(),
        Some(&b"Caf\\303\\251 \\342\\230\\225"[..])
    );
    // The hidden network: an empty name, cloaked though `cloaked` is off.
    let hidden = net(&snap, "00:1D:7E:C3:00:03");
    assert_eq!(hidden.ssid, None);
    assert!(hidden.cloaked);
    // A client's SSID is its network's.
    let c = snap
        .clients
        .iter()
        .find(|c| c.mac == "00:0C:42:00:00:01" && c.bssid == "00:18:E7:B2:00:02")
        .unwrap();
    assert_eq!(c.ssid.as_deref(), Some("Coffee Shop Free WiFi"));
    assert_eq!(c.signal_dbm, None);
}

/// Full-field SSID records: live cipher sets decode, a hidden network is
/// cloaked with an empty name, and a probe response reveals its name.
#[test]
fn ssid_records_cipher_and_cloaking() {
    let model = Model::default();
    model.feed(&[
        record(
            "SSID",
            &[
                ("mac", "00:14:6C:A1:00:01"),
                ("ssid", "HomeNet"),
                ("cryptset", "2097858"),
                ("maxrate", "54"),
                ("beacons", "10"),
            ],
        ),
        record(
            "SSID",
            &[
                ("mac", "00:18:E7:B2:00:02"),
                ("ssid", "Mixed"),
                ("cryptset", "3146466"),
            ],
        ),
        record(
            "SSID",
            &[
                ("mac", "00:1F:33:F6:00:06"),
                ("ssid", "OldWep"),
                ("cryptset", "2"),
            ],
        ),
        record("SSID", &[("mac", "00:24:01:D4:00:04"), ("ssid", "Open")]),
        record(
            "SSID",
            &[
                ("mac", "00:1D:7E:C3:00:03"),
                ("ssid", ""),
                ("cloaked", "1"),
                ("cryptset", "2097858"),
            ],
        ),
    ]);
    let snap = model.snapshot();
    let enc = |b: &str| {
        let e = net(&snap, b).encryption;
        (e.enc, e.cipher, e.auth)
    };
    assert_eq!(enc("00:14:6C:A1:00:01"), ("WPA2", "CCMP", "PSK"));
    assert_eq!(enc("00:18:E7:B2:00:02"), ("WPA+WPA2", "CCMP TKIP", "PSK"));
    assert_eq!(enc("00:1F:33:F6:00:06"), ("WEP", "WEP", ""));
    assert_eq!(enc("00:24:01:D4:00:04"), ("OPN", "", ""));
    let home = net(&snap, "00:14:6C:A1:00:01");
    assert_eq!(home.ssids[0].max_rate, Some(54.0));
    assert_eq!(home.ssids[0].beacons, Some(10));
    assert_eq!(home.ssids[0].ssid_type, Some(0));
    assert_eq!(home.network_type, None, "no BSSID frame yet");
    let hidden = net(&snap, "00:1D:7E:C3:00:03");
    assert!(hidden.cloaked);
    assert_eq!(hidden.ssid, None);
    assert_eq!(hidden.ssids[0].raw.as_deref(), Some(&b""[..]));
    // A probe response names it: shown, still cloaked, two records.
    model.feed(&[record(
        "SSID",
        &[
            ("mac", "00:1D:7E:C3:00:03"),
            ("type", "1"),
            ("ssid", "Secret"),
            ("cryptset", "2097858"),
        ],
    )]);
    let snap = model.snapshot();
    let hidden = net(&snap, "00:1D:7E:C3:00:03");
    assert_eq!(hidden.ssid.as_deref(), Some("Secret"));
    assert!(hidden.cloaked);
    assert_eq!(hidden.ssids.len(), 2);
    assert_eq!(hidden.encryption.enc, "WPA2");
}

/// Several BSSIDs sharing one name and a station probing for it: the
/// name gives the clients of every BSSID advertising it, not the prober's.
#[test]
fn clients_of_bssid_and_ssid() {
    let model = Model::default();
    let ap1 = "00:14:6C:A1:00:01";
    let ap2 = "00:14:6C:A1:00:02";
    let prober = "00:23:14:10:00:02";
    let mut frames = vec![
        record("SSID", &[("mac", ap1), ("ssid", "CorpNet")]),
        record("SSID", &[("mac", ap2), ("ssid", "CorpNet")]),
        record(
            "SSID",
            &[("mac", prober), ("type", "2"), ("ssid", "CorpNet")],
        ),
    ];
    let pairs = [
        (ap1, ap1),
        (ap1, "00:0C:42:00:00:01"),
        (ap1, "00:0C:42:00:00:02"),
        (ap2, ap2),
        (ap2, "00:0C:42:00:00:03"),
        (prober, prober),
        (prober, "00:0C:42:00:00:04"),
    ];
    for (bssid, mac) in pairs {
        frames.push(record("CLIENT", &[("bssid", bssid), ("mac", mac)]));
    }
    model.feed(&frames);
    let snap = model.snapshot();
    let macs = |v: Vec<&ClientView>| v.iter().map(|c| c.mac.clone()).collect::<Vec<_>>();
    assert_eq!(
        macs(snap.clients_of("00:14:6c:a1:00:01")),
        ["00:0C:42:00:00:01", "00:0C:42:00:00:02"]
    );
    assert_eq!(
        macs(snap.clients_of("CorpNet")),
        [
            "00:0C:42:00:00:01",
            "00:0C:42:00:00:02",
            "00:0C:42:00:00:03"
        ]
    );
    assert!(
        snap.clients_of("corpnet").is_empty(),
        "SSIDs are case-sensitive"
    );
    assert!(snap.clients_of("00:00:00:00:00:00").is_empty());
    assert_eq!(net(&snap, prober).ssid.as_deref(), Some("CorpNet"));
    assert_eq!(net(&snap, prober).clients, 1);
}

/// The frames of a small world: an access point with a station and the
/// gateway, a hidden one with a station, a station seen only probing
/// (and a broadcast probe), one both probing and associated, one seen with
/// two access points, the last later.
fn station_frames() -> Vec<Frame> {
    let (home, hidden, cafe) = (
        "00:14:6C:A1:00:01",
        "00:1D:7E:C3:00:03",
        "00:24:01:D4:00:04",
    );
    let bssid = |mac: &str, t: &str, signal: &str, pkts: &str, last: &str| {
        partial(
            "BSSID",
            &[
                ("bssid", mac),
                ("type", t),
                ("channel", if t == "2" { "0" } else { "6" }),
                ("signal_dbm", signal),
                ("llcpackets", pkts),
                ("manuf", "IntelCor"),
                ("firsttime", "1795678100"),
                ("lasttime", last),
            ],
        )
    };
    let ssid = |mac: &str, t: &str, name: &str| {
        partial(
            "SSID",
            &[("mac", mac), ("type", t), ("ssid", name), ("cryptset", "0")],
        )
    };
    let client = |b: &str, mac: &str, signal: &str, pkts: &str, last: &str| {
        partial(
            "CLIENT",
            &[
                ("bssid", b),
                ("mac", mac),
                ("signal_dbm", signal),
                ("llcpackets", pkts),
                ("manuf", "Apple"),
                ("firsttime", "1795678110"),
                ("lasttime", last),
            ],
        )
    };
    vec![
        bssid(home, "0", "-50", "100", "1795678150"),
        ssid(home, "0", "HomeNet"),
        bssid(hidden, "0", "-60", "50", "1795678150"),
        ssid(hidden, "0", ""),
        bssid(cafe, "0", "-70", "40", "1795678150"),
        ssid(cafe, "0", "Café"),
        // Only probing: its probe entry and its record of itself.
        bssid("00:19:D2:10:00:09", "2", "-68", "4", "1795678140"),
        ssid("00:19:D2:10:00:09", "2", "eduroam"),
        ssid("00:19:D2:10:00:09", "2", ""),
        ssid("00:19:D2:10:00:09", "2", "MyPhone Hotspot"),
        ssid("00:19:D2:10:00:09", "2", "eduroam"),
        client(
            "00:19:D2:10:00:09",
            "00:19:D2:10:00:09",
            "-68",
            "4",
            "1795678140",
        ),
        // Probing and associated.
        bssid("00:21:6A:10:00:01", "2", "-80", "2", "1795678120"),
        ssid("00:21:6A:10:00:01", "2", "HomeNet"),
        client(home, "00:21:6A:10:00:01", "-75", "10", "1795678130"),
        client(home, home, "-50", "5", "1795678150"),
        client(home, "00:0C:42:00:00:01", "-50", "12", "1795678150"),
        // With two networks: cafe later.
        client(home, "00:23:14:10:00:02", "-62", "7", "1795678125"),
        client(cafe, "00:23:14:10:00:02", "-64", "3", "1795678145"),
        client(hidden, "00:1E:65:10:00:05", "-69", "29", "1795678150"),
    ]
}

/// A station is each client MAC and each probe entry, once: a station
/// seen only probing is not associated and has its probes (broadcast
/// probes left out, each name once); one probing and associated has its
/// network and its probes, its packets those of both; one seen with two
/// networks shows the one last seen; an access point's record of itself
/// is no station; a hidden network's station is marked cloaked.
#[test]
fn stations_join_client_records_and_probe_entries() {
    let model = Model::default();
    model.feed(&station_frames());
    let snap = model.snapshot();
    let stations = snap.stations();
    let macs: Vec<&str> = stations.iter().map(|s| s.mac.as_str()).collect();
    assert_eq!(
        macs,
        [
            "00:0C:42:00:00:01",
            "00:19:D2:10:00:09",
            "00:1E:65:10:00:05",
            "00:21:6A:10:00:01",
            "00:23:14:10:00:02",
        ]
    );
    let station = |mac: &str| stations.iter().find(|s| s.mac == mac).unwrap();
    let prober = station("00:19:D2:10:00:09");
    assert_eq!(prober.bssid, None);
    assert_eq!(prober.ssid, None);
    assert_eq!(prober.probes, ["eduroam", "MyPhone Hotspot"]);
    assert_eq!(prober.signal_dbm, Some(-68));
    assert_eq!(prober.packets, Some(4), "its record of itself not counted");
    assert_eq!(prober.manuf.as_deref(), Some("IntelCor"));
    assert_eq!(prober.first_seen, Some(1795678100));
    assert_eq!(prober.last_seen, Some(1795678140));
    let both = station("00:21:6A:10:00:01");
    assert_eq!(both.bssid.as_deref(), Some("00:14:6C:A1:00:01"));
    assert_eq!(both.ssid.as_deref(), Some("HomeNet"));
    assert_eq!(both.probes, ["HomeNet"]);
    assert_eq!(both.packets, Some(10 + 2));
    assert_eq!(both.signal_dbm, Some(-75), "its record last seen");
    assert_eq!(both.manuf.as_deref(), Some("Apple"));
    assert_eq!(both.first_seen, Some(1795678100));
    assert_eq!(both.last_seen, Some(1795678130));
    let roamer = station("00:23:14:10:00:02");
    assert_eq!(roamer.bssid.as_deref(), Some("00:24:01:D4:00:04"));
    assert_eq!(roamer.ssid.as_deref(), Some("Café"));
    assert_eq!(roamer.signal_dbm, Some(-64));
    assert_eq!(roamer.packets, Some(10));
    assert!(roamer.probes.is_empty());
    let hidden = station("00:1E:65:10:00:05");
    assert_eq!(hidden.ssid, None);
    assert!(hidden.cloaked);
    assert!(!station("00:0C:42:00:00:01").cloaked);
}

/// A probe entry is a station's, not a network: its type says so, or,
/// with no type known, it has no clients and only names probed for. Its
/// channel (0) and encryption count as unknown when sorting.
#[test]
fn probe_entries_are_told_from_networks() {
    let model = Model::default();
    model.feed(&station_frames());
    model.feed(&[
        partial(
            "SSID",
            &[("mac", "00:13:E8:10:00:08"), ("type", "2"), ("ssid", "x")],
        ),
        partial(
            "SSID",
            &[("mac", "00:26:5A:E5:00:05"), ("type", "0"), ("ssid", "y")],
        ),
    ]);
    let snap = model.snapshot();
    let probes: Vec<&str> = (snap.networks.iter())
        .filter(|n| n.is_probe())
        .map(|n| n.bssid.as_str())
        .collect();
    assert_eq!(
        probes,
        [
            "00:13:E8:10:00:08",
            "00:19:D2:10:00:09",
            "00:21:6A:10:00:01"
        ]
    );
    let by_channel: Vec<&str> = snap
        .sorted_networks(SortColumn::Channel, false)
        .iter()
        .map(|n| n.bssid.as_str())
        .collect();
    assert_eq!(
        &by_channel[..3],
        [
            "00:14:6C:A1:00:01",
            "00:1D:7E:C3:00:03",
            "00:24:01:D4:00:04"
        ],
        "channel 6 before the probe entries' 0"
    );
    let by_enc = snap.sorted_networks(SortColumn::Enc, true);
    assert!(
        by_enc[..3].iter().all(|n| !n.is_probe()),
        "{:?}",
        by_enc.iter().map(|n| &n.bssid).collect::<Vec<_>>()
    );
    // A station probing and seen as a client is one station.
    assert_eq!(snap.stations().len(), 6);
}

/// `clients MAC` of a station: a MAC that no record has as its BSSID but
/// one has as its own gives that station's records (its probe entry, if
/// any, has no clients); an access point's BSSID still gives its clients.
#[test]
fn clients_of_a_station_mac() {
    let model = Model::default();
    model.feed(&station_frames());
    let snap = model.snapshot();
    let pairs = |v: Vec<&ClientView>| {
        v.iter()
            .map(|c| (c.bssid.clone(), c.mac.clone()))
            .collect::<Vec<_>>()
    };
    let pair = |b: &str, m: &str| (b.to_string(), m.to_string());
    assert_eq!(
        pairs(snap.clients_of("00:23:14:10:00:02")),
        [
            pair("00:14:6C:A1:00:01", "00:23:14:10:00:02"),
            pair("00:24:01:D4:00:04", "00:23:14:10:00:02")
        ]
    );
    assert_eq!(
        pairs(snap.clients_of("00:21:6a:10:00:01")),
        [pair("00:14:6C:A1:00:01", "00:21:6A:10:00:01")],
        "a probe entry's MAC"
    );
    assert_eq!(snap.clients_of("00:14:6C:A1:00:01").len(), 3);
    assert!(snap.clients_of("00:19:D2:10:00:09").is_empty());
    assert!(snap.clients_of("00:00:00:00:00:01").is_empty());
    assert!(snap.records_of("00:14:6C:A1:00:01").is_empty());
}

/// Frames with fewer fields update only what they carry; the rest keeps
/// its value or stays unknown, in any field order.
#[test]
fn partial_field_lists() {
    let model = Model::default();
    let b = "00:14:6C:A1:00:01";
    model.feed(&[partial("BSSID", &[("channel", "6"), ("bssid", b)])]);
    model.feed(&[partial("BSSID", &[("bssid", b), ("signal_dbm", "-60")])]);
    model.feed(&[partial("BSSID", &[("bssid", b), ("llcpackets", "5")])]);
    let n = net(&model.snapshot(), b).clone();
    assert_eq!(n.channel, Some(6));
    assert_eq!(n.signal_dbm, Some(-60));
    assert_eq!(n.packets, Some(5), "one counter known");
    assert_eq!((n.network_type, n.manuf, n.first_seen), (None, None, None));
    assert_eq!(n.encryption.enc, "", "unknown cipher set");
    model.feed(&[partial("BSSID", &[("bssid", b), ("datapackets", "7")])]);
    assert_eq!(net(&model.snapshot(), b).packets, Some(12));
    // A client with only its keys, then its IP; 0.0.0.0 keeps the last.
    let c = [("bssid", b), ("mac", "00:0C:42:00:00:01")];
    model.feed(&[partial("CLIENT", &c)]);
    let with_ip = |ip| partial("CLIENT", &[c[0], c[1], ("ip", ip)]);
    model.feed(&[with_ip("10.0.0.7"), with_ip("0.0.0.0")]);
    let snap = model.snapshot();
    assert_eq!(snap.clients[0].ip.as_deref(), Some("10.0.0.7"));
    assert_eq!(snap.clients[0].client_type, None);
    assert_eq!(net(&snap, b).clients, 1);
    // A mac-only SSID frame touches the network but adds no SSID.
    model.feed(&[partial("SSID", &[("mac", b)])]);
    assert!(net(&model.snapshot(), b).ssids.is_empty());
}

/// Past the cap the least recently seen device goes, and is counted.
#[test]
fn eviction_at_cap() {
    let model = Model::new(5);
    let client = |i: u8| {
        record(
            "CLIENT",
            &[
                ("bssid", "00:14:6C:A1:00:01"),
                ("mac", &format!("00:0C:42:00:00:{i:02X}")),
            ],
        )
    };
    model.feed(&(0..5).map(client).collect::<Vec<_>>());
    // Seeing 0 again makes 1 the oldest.
    model.feed(&[client(0)]);
    model.feed(&(5..8).map(client).collect::<Vec<_>>());
    let snap = model.snapshot();
    assert_eq!(model.devices(), 5);
    assert_eq!(snap.evicted, 3);
    let macs: Vec<&str> = snap.clients.iter().map(|c| &c.mac[15..]).collect();
    assert_eq!(macs, ["00", "04", "05", "06", "07"]);
    // A network counts as a device too.
    model.feed(&[partial("BSSID", &[("bssid", "00:14:6C:A1:00:01")])]);
    assert_eq!(model.snapshot().evicted, 4);
    assert_eq!(model.devices(), 5);
}

/// A client's MACs are matched as the frame writes them, but a MAC is one
/// device however it is written: lower case finds the upper-case record
/// (and a first lower-case frame makes one in upper case); what is almost
/// a MAC is no device at all.
#[test]
fn client_macs_any_case_one_device() {
    let model = Model::default();
    let frame = |bssid: &str, mac: &str, signal: &str| {
        partial(
            "CLIENT",
            &[("bssid", bssid), ("mac", mac), ("signal_dbm", signal)],
        )
    };
    model.feed(&[frame("00:14:6c:a1:00:01", "00:0c:42:00:00:0a", "-70")]);
    model.feed(&[frame("00:14:6C:A1:00:01", "00:0C:42:00:00:0A", "-60")]);
    model.feed(&[frame("00:14:6c:A1:00:01", "00:0C:42:00:00:0a", "-50")]);
    let snap = model.snapshot();
    assert_eq!(snap.clients.len(), 1, "{:?}", snap.clients);
    assert_eq!(snap.clients[0].mac, "00:0C:42:00:00:0A");
    assert_eq!(snap.clients[0].bssid, "00:14:6C:A1:00:01");
    assert_eq!(snap.clients[0].signal_dbm, Some(-50));
    let near = [
        "00:0C:42:00:00:0G",
        "00:0C:42-00:00:0A",
        "00-0C:42:00:00:0A",
        "00:0C:42:00:00:0A ",
        "00:0C:42:00:00:0",
        // What a case fold (| 0x20) would take for '0' and ':'.
        "\x100:0C:42:00:00:0A",
        "00\x1a0C:42:00:00:0A",
        "00:0C:42:00\x1a00:0A",
    ];
    for mac in near {
        model.feed(&[frame("00:14:6C:A1:00:01", mac, "-40")]);
        model.feed(&[frame(mac, "00:0C:42:00:00:0A", "-40")]);
    }
    let snap = model.snapshot();
    assert_eq!(snap.clients.len(), 1, "{:?}", snap.clients);
    assert_eq!(snap.clients[0].signal_dbm, Some(-50));
}

/// Junk in any field never panics and never becomes a value; frames of
/// other protocols, or without names, are ignored.
#[test]
fn junk_never_panics() {
    let junk: &[&str] = &[
        "",
        "-",
        "x",
        "-0",
        "99999999999999999999999",
        "-99999999999999999999",
        "1.5",
        "NaN",
        "inf",
        "00:00:00:00:00:0Z",
        "0.0.0.0",
        "256.1.1.1",
        "\u{1b}[2J",
        "é",
    ];
    let model = Model::new(50);
    for proto in ["BSSID", "SSID", "CLIENT"] {
        for field in capability(proto).iter() {
            for j in junk {
                let mut values = vec![("bssid", "00:14:6C:A1:00:01"), ("mac", "00:0C:42:00:00:01")];
                values.retain(|(n, _)| n != field);
                values.push((field.as_str(), j));
                model.feed(&[record(proto, &values)]);
            }
        }
    }
    let snap = model.snapshot();
    for n in &snap.networks {
        assert!(n.signal_dbm.is_none() && n.channel.is_none_or(|c| c == 0));
    }
    for c in &snap.clients {
        assert_eq!(c.ip, None);
        assert!(!c.mac.contains('Z') && !c.bssid.contains('Z'));
    }
    // Other protocols and unnamed frames leave the counters alone.
    let before = snap.frames;
    let time = Frame::parse(b"*TIME: 1795678127").unwrap();
    let unnamed = Frame::parse(b"*CLIENT: 00:14:6C:A1:00:01 00:0C:42:00:00:09 ").unwrap();
    model.feed(&[time, unnamed]);
    model.feed(&[]);
    assert_eq!(model.snapshot().frames, before);
    // MACs of NUL bytes are the client table's mark of a free slot: such a
    // client is not recorded, nor counted, and leaves the others alone,
    // at the cap too (where every touch is queued for eviction).
    let nul = "\0\0\0\0\0\0\0\0:\0\0\0\0\0\0\0\0";
    let held = model.devices();
    for _ in 0..100 {
        model.feed(&[partial("CLIENT", &[("bssid", nul), ("mac", nul)])]);
    }
    assert_eq!(model.snapshot().frames, before);
    assert_eq!(model.devices(), held);
    assert_eq!(model.snapshot().clients.len(), snap.clients.len());
}

/// Arbitrary field bytes under the real CLIENT and BSSID names never
/// panic the model.
#[test]
fn arbitrary_values_never_panic() {
    use proptest::prelude::*;
    let model = Model::new(100);
    let mut runner = proptest::test_runner::TestRunner::default();
    let values = proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..24), 58);
    runner
        .run(&(values, any::<bool>()), |(vals, bssid)| {
            let proto = if bssid { "BSSID" } else { "CLIENT" };
            let list = capability(proto);
            let fields: Vec<FieldValue> = vals
                .iter()
                .take(list.len())
                .map(|v| FieldValue::Quoted(v))
                .collect();
            if let Ok(f) = Frame::from_fields(proto, &fields) {
                model.feed(&[f.with_names(Some(list))]);
            }
            let _ = model.snapshot();
            Ok(())
        })
        .unwrap();
}

/// Sorting: strongest signal first by default, unknown values last in
/// either direction, names case-insensitive, ties by BSSID.
#[test]
fn sorted_networks() {
    let model = Model::default();
    let bssid = |b: &str, sig: &str, ssid: &str, crypt: &str| {
        [
            partial("BSSID", &[("bssid", b), ("signal_dbm", sig)]),
            partial("SSID", &[("mac", b), ("ssid", ssid), ("cryptset", crypt)]),
        ]
    };
    let mut frames = Vec::new();
    frames.extend(bssid("00:00:00:00:00:01", "-70", "beta", "0"));
    frames.extend(bssid("00:00:00:00:00:02", "-40", "Alpha", "2097858"));
    frames.extend(bssid("00:00:00:00:00:03", "0", "gamma", "2"));
    frames.extend(bssid("00:00:00:00:00:04", "-90", "", "3146466"));
    model.feed(&frames);
    let snap = model.snapshot();
    let order = |col: SortColumn, desc: bool| -> Vec<u8> {
        snap.sorted_networks(col, desc)
            .iter()
            .map(|n| n.bssid.as_bytes()[16] - b'0')
            .collect()
    };
    assert_eq!(SortColumn::default(), SortColumn::Signal);
    assert!(SortColumn::Signal.descending_by_default());
    assert_eq!(order(SortColumn::Signal, true), [2, 1, 4, 3]);
    assert_eq!(order(SortColumn::Signal, false), [4, 1, 2, 3]);
    assert_eq!(order(SortColumn::Ssid, false), [2, 1, 3, 4]);
    assert_eq!(order(SortColumn::Ssid, true), [3, 1, 2, 4]);
    assert_eq!(order(SortColumn::Enc, true), [2, 4, 3, 1]);
    assert_eq!(order(SortColumn::Bssid, true), [4, 3, 2, 1]);
    assert_eq!(order(SortColumn::Channel, false), [1, 2, 3, 4]);
    for (col, names, _) in SORT_COLUMNS {
        for n in names {
            assert_eq!(n.to_uppercase().parse::<SortColumn>(), Ok(col));
        }
        assert_eq!(col.name(), names[0]);
    }
    assert_eq!("pwr".parse::<SortColumn>(), Ok(SortColumn::Signal));
    assert!("bogus".parse::<SortColumn>().is_err());
}

/// Snapshots can be taken from another thread while frames keep coming.
#[test]
fn snapshots_while_feeding() {
    let model = Arc::new(Model::new(1000));
    let feeder = {
        let model = model.clone();
        std::thread::spawn(move || {
            for i in 0..2000u32 {
                let mac = format!("00:0C:42:00:{:02X}:{:02X}", (i >> 8) & 0xff, i & 0xff);
                model.feed(&[record(
                    "CLIENT",
                    &[("bssid", "00:14:6C:A1:00:01"), ("mac", &mac)],
                )]);
            }
        })
    };
    let mut last = 0;
    while !feeder.is_finished() {
        let snap = model.snapshot();
        assert!(snap.clients.len() <= 1000);
        assert!(snap.frames >= last);
        last = snap.frames;
    }
    feeder.join().unwrap();
    let snap = model.snapshot();
    assert_eq!((snap.frames, snap.evicted), (2000, 1000));
    model.clear();
    assert_eq!(model.devices(), 0);
}

/// [`NEEDED`] names fields every server has, for the right protocols.
#[test]
fn needed_fields_exist() {
    for (proto, fields) in NEEDED {
        let all = capability(proto);
        for f in fields {
            assert!(all.iter().any(|n| n == f), "{proto} has no {f}");
        }
    }
    assert_eq!(crypt::WPA2, 1 << 21);
}

/// The detail reads the BSSID and SSID fields the tables leave out (the
/// server's unknown marks stay unknown), and keeps the signal of each
/// second a BSSID record came in.
#[test]
fn detail_fields_and_signal_history() {
    let model = Model::default();
    let b = "00:14:6C:A1:00:01";
    assert_eq!(model.detail(b), None);
    let values = [
        ("bssid", b),
        ("signal_dbm", "-61"),
        ("llcpackets", "40"),
        ("datapackets", "9"),
        ("cryptpackets", "7"),
        ("minsignal_dbm", "-80"),
        ("maxsignal_dbm", "-42"),
        ("maxseenrate", "540"),
        ("rangeip", "10.0.0.0"),
    ];
    let ssid = [
        ("mac", b),
        ("type", "0"),
        ("ssid", "HomeNet"),
        ("beaconrate", "10"),
        ("firsttime", "1700000000"),
        ("packets", "33"),
    ];
    let before = view::now_ms() / 1000;
    model.feed(&[record("BSSID", &values), record("SSID", &ssid)]);
    let after = view::now_ms() / 1000;
    let d = model.detail(&b.to_lowercase()).unwrap();
    assert_eq!((d.llc_packets, d.data_packets), (Some(40), Some(9)));
    assert_eq!(d.crypt_packets, Some(7));
    assert_eq!((d.min_signal_dbm, d.max_signal_dbm), (Some(-80), Some(-42)));
    // Its unit is a guess (see NetworkDetail::max_seen_rate): only read.
    assert!(d.max_seen_rate.is_some());
    assert_eq!(d.range_ip.as_deref(), Some("10.0.0.0"));
    assert_eq!(d.ssids.len(), 1);
    assert_eq!(d.ssids[0].beacon_rate, Some(10));
    assert_eq!(d.ssids[0].first_seen, Some(1_700_000_000));
    assert_eq!(d.ssids[0].packets, Some(33));
    let [(t, dbm)] = d.signal_history[..] else {
        panic!("one point: {:?}", d.signal_history);
    };
    assert!((before..=after).contains(&t));
    assert_eq!(dbm, -61);
    // The server's "unknown": 0.0.0.0 and a signal of 0 keep the last.
    let unknown = [("bssid", b), ("rangeip", "0.0.0.0"), ("minsignal_dbm", "0")];
    model.feed(&[partial("BSSID", &unknown)]);
    let d = model.detail(b).unwrap();
    assert_eq!(d.range_ip.as_deref(), Some("10.0.0.0"));
    assert_eq!(d.min_signal_dbm, Some(-80));
    assert_eq!(d.signal_history.len(), 1, "no signal, no point");
    assert!(model.memory().signal_bytes > 0);
}
