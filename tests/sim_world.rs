//! What the simulated world sends, one behaviour at a time, against plain
//! sockets: the defaults and the opt-in extras (GPS, alerts, COMMON,
//! packets, flood mode), the bursts and their order, fields as a real
//! server writes them (empty fields, cipher sets), the timing of TIME and
//! CHANNEL, and the simulator's views agreeing with the wire. The harness
//! is in `sim`. Every wait is bounded; every server listens on 127.0.0.1:0.

use std::collections::{BTreeMap, BTreeSet};

use kismet_protocol::Frame;
use kismet_sim::SimConfig;

use crate::sim::{frame, sim, text, Conn};

/// Every protocol of the PROTOCOLS line, enabled with all fields in one
/// write; returns the lines up to the last ACK.
fn enable_everything(c: &mut Conn, protocols: &[u8]) -> Vec<Vec<u8>> {
    let payload = protocols.strip_prefix(b"*PROTOCOLS: ").expect("PROTOCOLS");
    let names: Vec<String> = text(payload.strip_suffix(b"\n").unwrap_or(payload))
        .split(',')
        .map(str::to_string)
        .collect();
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        out.extend_from_slice(format!("!{} ENABLE {name} *\n", i + 1).as_bytes());
    }
    c.send(&out);
    c.reply(names.len() as u64)
}

/// By default the simulator is a real server with no GPS and no alerts:
/// with every protocol enabled for 40 ticks, no COMMON, TRACKINFO, GPS,
/// PACKET or ALERT line comes, and STATUS only for events (each text once:
/// nothing periodic).
#[test]
fn defaults_send_no_common_trackinfo_gps_packet_or_alert() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    let (_, protocols) = c.greeting();
    let mut lines = enable_everything(&mut c, &protocols);
    let mut times = 0;
    lines.extend(c.until(|l| {
        times += usize::from(l.starts_with(b"*TIME: "));
        times >= 40
    }));
    let mut statuses = BTreeSet::new();
    for l in &lines {
        let f = frame(l);
        assert!(
            !matches!(
                f.protocol(),
                "COMMON" | "TRACKINFO" | "GPS" | "PACKET" | "ALERT"
            ),
            "{:?}",
            text(l)
        );
        if f.protocol() == "STATUS" {
            let t = text(f.field(0).unwrap());
            assert!(t.starts_with("Detected new "), "{t:?}");
            assert!(statuses.insert(t.clone()), "STATUS {t:?} twice");
        }
    }
}

/// The extras are opt-in: with `gps`, `alerts` and `common`, GPS and
/// TRACKINFO come every tick, COMMON for changed networks, and alerts.
#[test]
fn gps_alerts_common_are_opt_in() {
    let sim = sim(SimConfig {
        gps: true,
        alerts: true,
        common: true,
        ..SimConfig::default()
    });
    let mut c = Conn::open(sim.local_addr());
    let (_, protocols) = c.greeting();
    let mut seen = BTreeSet::new();
    for l in enable_everything(&mut c, &protocols) {
        seen.insert(frame(&l).protocol().to_string());
    }
    c.until(|l| {
        seen.insert(frame(l).protocol().to_string());
        ["GPS", "TRACKINFO", "COMMON", "ALERT"]
            .iter()
            .all(|p| seen.contains(*p))
    });
}

/// The lines of a burst: those of `proto` in `lines` (up to an ACK).
fn burst_of<'a>(lines: &'a [Vec<u8>], proto: &str) -> Vec<&'a Vec<u8>> {
    let header = format!("*{proto}: ");
    lines
        .iter()
        .filter(|l| l.starts_with(header.as_bytes()))
        .collect()
}

/// The SSID burst holds the SSIDs of beaconing access points only, sorted
/// by MAC: byte for byte the burst of the recording (`!2 ENABLE SSID
/// ssid,mac` in t1), even once stations' probe-request SSIDs are known
/// (they come as live updates). The BSSID burst is sorted by MAC, probe
/// networks included, and the CLIENT burst by BSSID then MAC, as recorded.
#[test]
fn ssid_burst_is_beaconing_aps_sorted_by_mac() {
    let recorded = crate::common::raw_lines("t1_commands.raw");
    let ack = recorded
        .iter()
        .position(|l| l == b"*ACK: 2 \x01OK\x01 ")
        .expect("ACK 2 recorded");
    let mut want: Vec<Vec<u8>> = recorded[..ack]
        .iter()
        .rev()
        .take_while(|l| l.starts_with(b"*SSID: "))
        .map(|l| [l.as_slice(), b"\n"].concat())
        .collect();
    want.reverse();
    assert_eq!(want.len(), 6);

    let sim = sim(SimConfig::default());
    let mut a = Conn::open(sim.local_addr());
    a.greeting();
    a.send(b"!1 ENABLE SSID ssid,mac\n");
    a.reply(1);
    // A probe-request SSID, live (its MAC is a station's, not an AP's).
    a.until(|l| {
        let f = frame(l);
        f.protocol() == "SSID" && {
            let mac = text(f.field(1).unwrap());
            !APS.iter().any(|(bssid, _)| *bssid == mac)
        }
    });

    let mut b = Conn::open(sim.local_addr());
    b.greeting();
    b.send(b"!2 ENABLE SSID ssid,mac\n");
    let got = b.reply(2);
    let got: Vec<Vec<u8>> = burst_of(&got, "SSID").into_iter().cloned().collect();
    assert_eq!(
        got.iter().map(|l| text(l)).collect::<Vec<_>>(),
        want.iter().map(|l| text(l)).collect::<Vec<_>>()
    );

    b.send(b"!3 ENABLE BSSID bssid,type\n");
    let lines = b.reply(3);
    let bssids: Vec<(String, String)> = burst_of(&lines, "BSSID")
        .iter()
        .map(|l| {
            let f = frame(l);
            (text(f.field(0).unwrap()), text(f.field(1).unwrap()))
        })
        .collect();
    assert!(bssids.windows(2).all(|w| w[0].0 < w[1].0), "{bssids:?}");
    assert!(bssids.iter().any(|(_, t)| t == "2"), "a probe network");

    b.send(b"!4 ENABLE CLIENT bssid,mac\n");
    let lines = b.reply(4);
    let pairs: Vec<(String, String)> = burst_of(&lines, "CLIENT")
        .iter()
        .map(|l| {
            let f = frame(l);
            (text(f.field(0).unwrap()), text(f.field(1).unwrap()))
        })
        .collect();
    assert!(pairs.len() > 6);
    assert!(pairs.windows(2).all(|w| w[0] < w[1]), "{pairs:?}");
}

/// Empty fields as a real server writes them: SSID `beaconinfo` is always
/// `\x01 \x01` and `dot11d` `\x01XXX:\x01` (no country known), for
/// beacons and probes alike; CLIENT `dhcphost` and `dhcpvendor` are
/// `\x01\x01`, and CLIENT `dot11d` an empty bare field (two spaces).
#[test]
fn empty_fields_as_the_server_writes_them() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE SSID mac,type,beaconinfo,dot11d\n");
    let mut lines = c.reply(1);
    c.send(b"!2 ENABLE CLIENT mac,dhcphost,dhcpvendor,dot11d,type\n");
    lines.extend(c.reply(2));
    let mut types = BTreeSet::new();
    let mut clients = 0;
    lines.extend(c.until(|l| {
        if l.starts_with(b"*SSID: ") {
            types.insert(text(frame(l).field(1).unwrap()));
        }
        clients += usize::from(l.starts_with(b"*CLIENT: "));
        types.contains("2") && clients > 20
    }));
    for l in &lines {
        let f = frame(l);
        match f.protocol() {
            "SSID" => {
                let tail = format!(" {} \x01 \x01 \x01XXX:\x01 \n", text(f.field(1).unwrap()));
                assert!(text(l).ends_with(&tail), "{:?}", text(l));
            }
            "CLIENT" => {
                let mac = text(f.field(0).unwrap());
                let want = format!(
                    "*CLIENT: {mac} \x01\x01 \x01\x01  {} \n",
                    text(f.field(4).unwrap())
                );
                assert_eq!(text(l), want);
            }
            _ => {}
        }
    }
    assert!(types.contains("0"), "a beacon SSID");
}

/// TIME comes every 1.0 to 1.12 ticks and now and then skips a value, as
/// on a real server: over 40 TIME lines the values rise by 1 or 2, at
/// least once by 2, and by 1.0 to 1.12 per line on average (the values
/// are the simulated clock at each tick, so load cannot change them).
#[test]
fn time_rises_by_one_or_two_every_1_to_1_12_ticks() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    let mut times: Vec<u64> = Vec::new();
    c.until(|l| {
        if l.starts_with(b"*TIME: ") {
            times.push(text(frame(l).field(0).unwrap()).parse().unwrap());
        }
        times.len() >= 40
    });
    let gaps: Vec<u64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.iter().all(|&g| g == 1 || g == 2), "{times:?}");
    assert!(gaps.contains(&2), "no skipped second: {times:?}");
    let span = (times[39] - times[0]) as f64;
    assert!((38.0..=39.0 * 1.12 + 1.0).contains(&span), "{times:?}");
}

/// CHANNEL lines come every two ticks, and only for the channels that saw
/// traffic: 1, 6 and 11, where the access points are.
#[test]
fn channel_lines_only_for_channels_with_traffic() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE CHANNEL channel,packets\n");
    c.reply(1);
    // TIME lines between reports; channels in each report.
    let mut reports: Vec<(usize, BTreeSet<String>)> = vec![(0, BTreeSet::new())];
    c.until(|l| {
        let f = frame(l);
        match f.protocol() {
            "TIME" => {
                if !reports.last().unwrap().1.is_empty() {
                    reports.push((0, BTreeSet::new()));
                }
                reports.last_mut().unwrap().0 += 1;
            }
            "CHANNEL" => {
                assert_ne!(text(f.field(1).unwrap()), "0", "{:?}", text(l));
                reports
                    .last_mut()
                    .unwrap()
                    .1
                    .insert(text(f.field(0).unwrap()));
            }
            _ => {}
        }
        reports.len() >= 5
    });
    let want: BTreeSet<String> = ["1", "6", "11"].into_iter().map(String::from).collect();
    // The first report may come after one TIME line or two.
    for (times, channels) in &reports[1..reports.len() - 1] {
        assert_eq!(*times, 2, "{reports:?}");
        assert_eq!(*channels, want);
    }
}

/// The access points of the recordings and their SSIDs.
const APS: [(&str, &str); 6] = [
    ("00:14:6C:A1:00:01", "HomeNet"),
    ("00:18:E7:B2:00:02", "Coffee Shop Free WiFi"),
    ("00:1D:7E:C3:00:03", ""),
    ("00:24:01:D4:00:04", "Café ☕"),
    ("00:26:5A:E5:00:05", "CorpGuest"),
    ("00:1F:33:F6:00:06", "IoT-2.4G"),
];

/// Whether `set` is the cipher bit set a real server sends for the kind of
/// network the access point `bssid` is (PROTOCOL.md quotes the live values).
fn is_real_set(bssid: &str, set: u64) -> bool {
    const WEP: u64 = 1 << 1;
    const WPA: u64 = 1 << 6;
    const AES_CCM: u64 = 1 << 9;
    const WPA2: u64 = 1 << 21;
    // LEAP, TTLS, TLS, PEAP: which EAP method a server reports for an
    // 802.1X network (if any) is not recorded, so any is accepted.
    const EAP: u64 = (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13);
    match bssid {
        // HomeNet and the hidden one: WPA2-PSK, CCMP.
        "00:14:6C:A1:00:01" | "00:1D:7E:C3:00:03" => set == 2_097_858,
        // Coffee Shop Free WiFi: open.
        "00:18:E7:B2:00:02" => set == 0,
        // Café ☕: WEP.
        "00:24:01:D4:00:04" => set == 2,
        // CorpGuest: WPA2-Enterprise, CCMP: 802.1X, so no PSK bit.
        "00:26:5A:E5:00:05" => set & !EAP == WPA2 | AES_CCM | WPA | WEP,
        // IoT-2.4G: WPA and WPA2, TKIP and CCMP, PSK.
        "00:1F:33:F6:00:06" => set == 3_146_466,
        _ => false,
    }
}

/// Cipher sets are bit sets, as a real server sends them: each access
/// point is a kind of network a real capture holds, with the bit set a
/// real server sends for that kind in SSID `cryptset`, the same in BSSID
/// `datacryptset` and in CLIENT `datacryptset` of the stations that send
/// data through it; probe requests carry 0.
#[test]
fn cipher_sets_are_the_real_bit_sets() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE SSID mac,cryptset,type\n");
    let want: BTreeMap<String, String> = burst_of(&c.reply(1), "SSID")
        .iter()
        .map(|l| {
            let f = frame(l);
            assert_eq!(f.field(2), Some(&b"0"[..]), "a beacon");
            (text(f.field(0).unwrap()), text(f.field(1).unwrap()))
        })
        .collect();
    assert_eq!(want.len(), APS.len());
    for (bssid, set) in &want {
        assert!(is_real_set(bssid, set.parse().unwrap()), "{bssid} {set}");
    }
    c.send(b"!2 ENABLE BSSID bssid,type,datacryptset\n");
    for l in burst_of(&c.reply(2), "BSSID") {
        let f = frame(l);
        let (bssid, set) = (text(f.field(0).unwrap()), text(f.field(2).unwrap()));
        match want.get(&bssid) {
            Some(w) => assert_eq!(&set, w, "{bssid}"),
            None => assert_eq!((text(f.field(1).unwrap()), set), ("2".into(), "0".into())),
        }
    }
    // Stations with data through each access point, live or in the burst.
    c.send(b"!3 ENABLE CLIENT bssid,mac,datapackets,datacryptset\n");
    // The access point a CLIENT line shows a station sending data through.
    let check = |l: &[u8]| -> Option<String> {
        let f = frame(l);
        if f.protocol() != "CLIENT" {
            return None;
        }
        let (bssid, mac) = (text(f.field(0).unwrap()), text(f.field(1).unwrap()));
        let Some(set) = want.get(&bssid) else {
            // A probing station's own record.
            assert_eq!(text(f.field(3).unwrap()), "0");
            return None;
        };
        // Not the access point itself, nor the wired gateway behind it.
        if mac == bssid || mac == "00:0C:42:00:00:01" || text(f.field(2).unwrap()) == "0" {
            return None;
        }
        assert_eq!(&text(f.field(3).unwrap()), set, "{bssid} {mac}");
        Some(bssid)
    };
    let mut seen: BTreeSet<String> = c.reply(3).iter().filter_map(|l| check(l)).collect();
    c.until(|l| {
        seen.extend(check(l));
        seen.len() == want.len()
    });
}

/// The simulator's read-only view of its world agrees with the wire: the
/// six access points with their SSIDs (the hidden one cloaked) and real
/// cipher sets; a BSSID burst taken between two views lists every network of the
/// first, each in the second with the same type, channel, cipher set and
/// manufacturer; a CLIENT burst likewise for client records.
#[test]
fn views_agree_with_the_wire() {
    use kismet_protocol::text::decode_octal;
    let sim = sim(SimConfig::default());
    let aps: Vec<(String, String, bool)> = sim
        .networks()
        .into_iter()
        .filter(|n| n.network_type == 0)
        .map(|n| {
            assert!(is_real_set(&n.bssid, n.cryptset), "{n:?}");
            (n.bssid, n.ssid, n.cloaked)
        })
        .collect();
    let mut want: Vec<(String, String, bool)> = APS
        .iter()
        .map(|(mac, ssid)| (mac.to_string(), ssid.to_string(), ssid.is_empty()))
        .collect();
    want.sort();
    assert_eq!(aps, want);

    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.until(|l| l.starts_with(b"*TIME: "));
    c.until(|l| l.starts_with(b"*TIME: "));
    let before = sim.networks();
    c.send(b"!1 ENABLE BSSID bssid,type,channel,datacryptset,manuf\n");
    let lines = c.reply(1);
    let after = sim.networks();
    let burst: Vec<Frame> = burst_of(&lines, "BSSID").iter().map(|l| frame(l)).collect();
    let field = |f: &Frame, i: usize| text(f.field(i).unwrap());
    for n in &before {
        assert!(burst.iter().any(|f| field(f, 0) == n.bssid), "{n:?}");
    }
    for f in &burst {
        let n = after
            .iter()
            .find(|n| n.bssid == field(f, 0))
            .unwrap_or_else(|| panic!("{} not in the view", field(f, 0)));
        assert_eq!(
            (field(f, 1), field(f, 2), field(f, 3), field(f, 4)),
            (
                n.network_type.to_string(),
                n.channel.to_string(),
                n.cryptset.to_string(),
                n.manufacturer.clone()
            )
        );
    }
    c.send(b"!2 ENABLE SSID mac,ssid\n");
    for l in burst_of(&c.reply(2), "SSID") {
        let f = frame(l);
        let ssid = String::from_utf8(decode_octal(f.field(1).unwrap()).into_owned()).unwrap();
        let n = after.iter().find(|n| n.bssid == field(&f, 0)).unwrap();
        assert_eq!(ssid, n.ssid);
    }

    let before = sim.clients();
    c.send(b"!3 ENABLE CLIENT bssid,mac,type,ip,manuf\n");
    let lines = c.reply(3);
    let after = sim.clients();
    let burst: Vec<Frame> = burst_of(&lines, "CLIENT")
        .iter()
        .map(|l| frame(l))
        .collect();
    for v in &before {
        assert!(
            burst
                .iter()
                .any(|f| (field(f, 0), field(f, 1)) == (v.bssid.clone(), v.mac.clone())),
            "{v:?}"
        );
    }
    for f in &burst {
        let v = after
            .iter()
            .find(|v| (v.bssid.clone(), v.mac.clone()) == (field(f, 0), field(f, 1)))
            .unwrap_or_else(|| panic!("{} {} not in the view", field(f, 0), field(f, 1)));
        assert_eq!(field(f, 2), v.client_type.to_string());
        assert_eq!(field(f, 4), v.manufacturer);
        if field(f, 3) != "0.0.0.0" {
            assert_eq!(Some(field(f, 3)), v.ip);
        }
    }
}

/// With a packet rate, PACKET lines come with their 18 fields.
#[test]
fn packet_rate_produces_packets() {
    let sim = sim(SimConfig {
        packet_rate: 5000,
        ..SimConfig::default()
    });
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE PACKET *\n");
    c.reply(1);
    let mut packets = 0;
    c.until(|l| {
        if l.starts_with(b"*PACKET: ") {
            assert_eq!(frame(l).len(), 18, "{:?}", text(l));
            packets += 1;
        }
        packets >= 500
    });
}

/// In flood mode a CLIENT subscriber gets CLIENT lines as fast as it reads,
/// all 56 fields (with the empty dot11d) in its field order.
#[test]
fn flood_mode_streams_clients() {
    let sim = sim(SimConfig {
        flood_client: true,
        ..SimConfig::default()
    });
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE CLIENT *\n");
    c.reply(1);
    let mut n = 0;
    c.until(|l| {
        if l.starts_with(b"*CLIENT: ") {
            assert_eq!(frame(l).len(), 56);
            assert!(l.windows(2).any(|w| w == b"  "));
            n += 1;
        }
        n >= 20_000
    });
}
