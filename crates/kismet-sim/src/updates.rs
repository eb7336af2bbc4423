//! Which records the server sends, and when: the live updates of one tick
//! (from what [`World::tick`] says changed) and the burst a client gets
//! when it enables a protocol.

use super::capabilities::Proto;
use super::record::Record;
use super::records;
use super::world::{Change, World};
use kismet_protocol::spec::status_flags;

/// The records one tick sends, in order: GPS, events, then per changed
/// network BSSID, its SSIDs, BSSIDSRC and COMMON, per changed client
/// record CLIENT and CLISRC, then SOURCE per source, INFO, TRACKINFO,
/// BATTERY, and CHANNEL when a report period ended. (TIME, which comes
/// first, is the clock's.)
///
/// COMMON and TRACKINFO only with `common`: a recorded server sent
/// neither in 25 s with every protocol enabled, so what they hold here is
/// a guess. GPS only if the world has a GPS: first, so that a client
/// holds this second's fix when this second's signal levels come, as
/// gpsd's update comes before the frames heard after it (the order of the
/// two on a real server is a guess).
pub fn tick_records(world: &World, changes: &[Change], common: bool) -> Vec<(Proto, Record)> {
    let uuid = first_source_uuid(world);
    let mut out = Vec::new();
    if let Some(gps) = world.gps() {
        out.push((Proto::Gps, records::gps_record(gps)));
    }
    for change in changes {
        match change {
            Change::NewNetwork(i) => {
                let text = records::new_network_text(&world.networks()[*i]);
                out.push((
                    Proto::Status,
                    records::status_record(text.as_bytes(), status_flags::INFO),
                ));
            }
            Change::NewProbe { network, ssid } => {
                let n = &world.networks()[*network];
                let text = records::new_probe_text(n, &n.ssids[*ssid]);
                out.push((
                    Proto::Status,
                    records::status_record(text.as_bytes(), status_flags::INFO),
                ));
            }
            Change::Alert(i) => {
                out.push((Proto::Alert, records::alert_record(&world.alerts()[*i])));
            }
            Change::Text {
                bssid,
                source,
                dest,
                text,
            } => out.push((
                Proto::String,
                records::string_record(*bssid, *source, *dest, text),
            )),
            Change::Network(i) => {
                let n = &world.networks()[*i];
                out.push((Proto::Bssid, records::bssid_record(n)));
                for s in &n.ssids {
                    out.push((Proto::Ssid, records::ssid_record(n, s)));
                }
                out.push((Proto::Bssidsrc, records::bssidsrc_record(n, uuid)));
                if common {
                    out.push((Proto::Common, records::common_of_network(n)));
                }
            }
            Change::Client(i) => {
                let c = &world.clients()[*i];
                out.push((Proto::Client, records::client_record(c)));
                out.push((Proto::Clisrc, records::clisrc_record(c, uuid)));
            }
            Change::Channel(_) => {}
        }
    }
    for s in world.sources() {
        out.push((Proto::Source, records::source_record(s)));
    }
    out.push((Proto::Info, records::info_record(world.totals())));
    if common {
        out.push((Proto::Trackinfo, records::trackinfo_record(world.totals())));
    }
    out.push((Proto::Battery, records::battery_record(world.battery())));
    for change in changes {
        if let Change::Channel(i) = change {
            out.push((
                Proto::Channel,
                records::channel_record(&world.channels()[*i]),
            ));
        }
    }
    out
}

/// The UUID BSSIDSRC and CLISRC records name: the first source's.
fn first_source_uuid(world: &World) -> &str {
    world.sources().first().map_or("", |s| s.uuid.as_str())
}

/// Every record the server already holds for `proto`: the burst a client
/// gets when it enables the protocol, before the ACK. As recorded, BSSID
/// and SSID bursts are sorted by MAC, CLIENT by BSSID then MAC, and the
/// SSID burst holds the SSIDs of beaconing access points only (probe
/// requests come later, as live updates). Empty for protocols that only
/// report live: TIME, INFO, GPS and the like, and COMMON, BSSIDSRC and
/// CLISRC, which a real server acknowledges with no burst. (The order of
/// the SOURCE burst and the NETTAG, CLITAG and ALERT bursts are not
/// recorded: a guess.)
pub fn burst(world: &World, proto: Proto) -> Vec<Record> {
    match proto {
        Proto::Bssid => world.networks_by_mac().map(records::bssid_record).collect(),
        Proto::Ssid => world
            .networks_by_mac()
            .flat_map(|n| {
                n.ssids
                    .iter()
                    .filter(|s| s.stype == 0)
                    .map(move |s| records::ssid_record(n, s))
            })
            .collect(),
        Proto::Client => world.clients_by_mac().map(records::client_record).collect(),
        Proto::Source => world.sources().iter().map(records::source_record).collect(),
        Proto::Alert => world.alerts().iter().map(records::alert_record).collect(),
        Proto::Nettag => world
            .networks_by_mac()
            .flat_map(|n| {
                n.tags
                    .iter()
                    .map(move |(t, v)| records::nettag_record(n.bssid, t, v))
            })
            .collect(),
        Proto::Clitag => world
            .clients_by_mac()
            .flat_map(|c| {
                c.tags
                    .iter()
                    .map(move |(t, v)| records::clitag_record(c.bssid, c.mac, t, v))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// WEPKEY records for every configured key (LISTWEPKEYS).
pub fn wepkeys(world: &World) -> Vec<Record> {
    world
        .wepkeys()
        .iter()
        .map(|(b, k)| records::wepkey_record(*b, k))
        .collect()
}

/// Every client record, for the flood mode.
pub fn client_records(world: &World) -> Vec<Record> {
    world.clients().iter().map(records::client_record).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::Mac;
    use crate::world::Extras;
    use kismet_protocol::Frame;

    fn all() -> Extras {
        Extras {
            drive: Some(std::sync::Arc::new(crate::route::Route::builtin())),
            parked_at: None,
            alerts: true,
            alert_every: None,
        }
    }

    const T0: u64 = 1_795_678_119;

    fn run(seed: u64, ticks: u64) -> Vec<Vec<u8>> {
        let mut w = World::new(seed, T0, all());
        (1..=ticks)
            .flat_map(|t| {
                let changes = w.tick(T0 + t);
                tick_records(&w, &changes, true)
            })
            .map(|(p, r)| r.encode(p))
            .collect()
    }

    /// The same seed gives the same world, line for line; another seed differs.
    #[test]
    fn deterministic_by_seed() {
        let a = run(42, 30);
        assert!(a.len() > 100);
        assert_eq!(a, run(42, 30));
        assert_ne!(a, run(43, 30));
    }

    /// Every record has exactly its protocol's field count, for every protocol
    /// the world produces, live and in bursts.
    #[test]
    fn field_counts_match_capabilities() {
        let mut w = World::new(7, T0, all());
        let mut seen = std::collections::BTreeSet::new();
        w.set_strings(true);
        for t in 1..=60 {
            let changes = w.tick(T0 + t);
            for (p, r) in tick_records(&w, &changes, true) {
                assert_eq!(r.len(), p.field_count(), "{p:?}");
                seen.insert(p);
            }
        }
        for p in Proto::ALL {
            for r in burst(&w, p) {
                assert_eq!(r.len(), p.field_count(), "{p:?}");
            }
        }
        for p in [
            Proto::Bssid,
            Proto::Ssid,
            Proto::Client,
            Proto::Bssidsrc,
            Proto::Clisrc,
            Proto::Common,
            Proto::Source,
            Proto::Info,
            Proto::Gps,
            Proto::Battery,
            Proto::Channel,
            Proto::Trackinfo,
            Proto::Status,
            Proto::Alert,
            Proto::String,
        ] {
            assert!(seen.contains(&p), "{p:?} never produced");
        }
    }

    /// CLIENT lines have 56 fields with an empty bare `dot11d` (two spaces in
    /// a row), as the real server sends them.
    #[test]
    fn client_dot11d_is_empty_bare_field() {
        let mut w = World::new(1, T0, Extras::default());
        w.tick(T0 + 1);
        let recs = burst(&w, Proto::Client);
        assert!(!recs.is_empty());
        let dot11d = Proto::Client.field_index(b"dot11d").unwrap();
        for r in recs {
            let mut line = r.encode(Proto::Client);
            assert!(line.windows(2).any(|w| w == b"  "));
            line.pop();
            let f = Frame::parse(&line).unwrap();
            assert_eq!(f.len(), 56);
            assert_eq!(f.field(dot11d), Some(&b""[..]));
        }
    }

    /// The recorded access points are there, with the escaped Café SSID and
    /// the hidden one sent as an empty string.
    #[test]
    fn recorded_access_points() {
        let mut w = World::new(1, T0, Extras::default());
        w.tick(T0 + 1);
        let lines: Vec<Vec<u8>> = burst(&w, Proto::Ssid)
            .iter()
            .map(|r| {
                let mut out = Vec::new();
                r.encode_into(&mut out, Proto::Ssid, Some(&[3, 0]));
                out
            })
            .collect();
        for want in [
            &b"*SSID: \x01HomeNet\x01 00:14:6C:A1:00:01 \n"[..],
            b"*SSID: \x01Coffee Shop Free WiFi\x01 00:18:E7:B2:00:02 \n",
            b"*SSID: \x01\x01 00:1D:7E:C3:00:03 \n",
            b"*SSID: \x01Caf\\303\\251 \\342\\230\\225\x01 00:24:01:D4:00:04 \n",
            b"*SSID: \x01CorpGuest\x01 00:26:5A:E5:00:05 \n",
            b"*SSID: \x01IoT-2.4G\x01 00:1F:33:F6:00:06 \n",
        ] {
            assert!(
                lines.iter().any(|l| l == want),
                "{}",
                String::from_utf8_lossy(want)
            );
        }
        assert_eq!(
            w.networks()[0].bssid,
            Mac([0x00, 0x14, 0x6C, 0xA1, 0x00, 0x01])
        );
    }
}
