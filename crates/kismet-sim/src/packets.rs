//! The PACKET generator: `packet_rate` frames a second, made in batches
//! every few milliseconds and queued to each PACKET subscriber in chunks
//! (one buffered write per chunk on the client's writer thread).
//!
//! To reach hundreds of thousands of frames a second, every kind of frame
//! the world can produce (a beacon per access point, a probe per station,
//! data each way per pair) is encoded once per second and per field
//! selection; a batch is then random picks copied back to back.

use std::ops::Range;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::capabilities::Proto;
use super::catalog::APS;
use super::client::Fields;
use super::devices::Mac;
use super::record::munge_ssid;
use super::records::{self, PacketInfo};
use super::rng::Rng;
use super::server::Shared;
use super::world::World;

/// Time between batches.
const BATCH_PERIOD: Duration = Duration::from_millis(4);

/// Lines per queued chunk, so that a slow client loses whole chunks of at
/// most this size rather than whole batches.
const CHUNK_LINES: usize = 500;

/// What the PACKET generator needs to know about the world.
#[derive(Debug, Clone)]
struct PacketModel {
    /// Access points: BSSID, escaped SSID, encrypted, channel.
    aps: Vec<(Mac, Vec<u8>, bool, u8)>,
    /// Stations.
    stations: Vec<Mac>,
    /// Name of the capture source.
    source_name: String,
}

impl PacketModel {
    /// The access points, stations and first source of `world`.
    fn of(world: &World) -> PacketModel {
        PacketModel {
            aps: world.networks()[..APS.len()]
                .iter()
                .map(|n| {
                    (
                        n.bssid,
                        munge_ssid(&n.ssids[0].ssid),
                        n.cryptset != 0,
                        n.channel,
                    )
                })
                .collect(),
            stations: world.station_macs().collect(),
            source_name: world
                .sources()
                .first()
                .map(|s| s.username.clone())
                .unwrap_or_default(),
        }
    }
}

/// Every frame kind, and the index ranges of beacons, probes and data.
fn frames(model: &PacketModel, timesec: u64) -> (Vec<PacketInfo<'_>>, [Range<usize>; 3]) {
    let bcast = Mac([0xff; 6]);
    let name = model.source_name.as_str();
    let mut beacons = Vec::new();
    let mut probes = Vec::new();
    let mut data = Vec::new();
    for (ap, ssid, crypt, _) in &model.aps {
        beacons.push(PacketInfo {
            ptype: 0,
            subtype: 8,
            timesec,
            encrypted: *crypt,
            beaconrate: 10,
            source: *ap,
            dest: bcast,
            bssid: *ap,
            ssid,
            sourcename: name,
        });
        for sta in &model.stations {
            for (source, dest) in [(*sta, *ap), (*ap, *sta)] {
                data.push(PacketInfo {
                    ptype: 2,
                    subtype: 0,
                    timesec,
                    encrypted: *crypt,
                    beaconrate: 0,
                    source,
                    dest,
                    bssid: *ap,
                    ssid: b"",
                    sourcename: name,
                });
            }
        }
    }
    for sta in &model.stations {
        probes.push(PacketInfo {
            ptype: 0,
            subtype: 4,
            timesec,
            encrypted: false,
            beaconrate: 0,
            source: *sta,
            dest: bcast,
            bssid: bcast,
            ssid: b"",
            sourcename: name,
        });
    }
    let (nb, np) = (beacons.len(), probes.len());
    let mut all = beacons;
    all.append(&mut probes);
    all.append(&mut data);
    let ranges = [0..nb, nb..nb + np, nb + np..all.len()];
    (all, ranges)
}

/// Picks a frame kind: beacons 5 times in 10, probes once, data 4 times.
fn pick(rng: &mut Rng, ranges: &[Range<usize>; 3]) -> usize {
    let r = match rng.below(10) {
        0..=4 => &ranges[0],
        5 => &ranges[1],
        _ => &ranges[2],
    };
    r.start + rng.below(r.len() as u64) as usize
}

/// Encoded lines of every frame kind for one field selection.
struct Encoded {
    fields: Fields,
    timesec: u64,
    lines: Vec<Vec<u8>>,
}

/// Runs until the server stops.
pub fn run(shared: &Arc<Shared>) {
    let rate = u64::from(shared.config.packet_rate);
    let model = PacketModel::of(&shared.world.lock());
    let mut rng = Rng::new(shared.config.seed ^ 0x5041_434b_4554);
    let start = Instant::now();
    let mut made = 0u64;
    let mut cache: Vec<Encoded> = Vec::new();
    let mut picks: Vec<usize> = Vec::new();
    let ranges = frames(&model, 0).1;
    while !shared.hub.is_stopping() {
        thread::sleep(BATCH_PERIOD);
        let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
        // Fall behind rather than pile up: at most 20 ms worth per batch.
        let n = (due - made.min(due)).min(rate / 50 + 1);
        made = due;
        if n == 0 {
            continue;
        }
        let subscribers: Vec<_> = shared
            .hub
            .clients()
            .into_iter()
            .filter_map(|c| c.subscription(Proto::Packet).map(|f| (c, f)))
            .collect();
        if subscribers.is_empty() {
            cache.clear();
            continue;
        }
        let now = shared.now();
        picks.clear();
        picks.extend((0..n).map(|_| pick(&mut rng, &ranges)));
        for (client, fields) in &subscribers {
            let enc = encoded(&mut cache, &model, fields, now);
            let mut out = Vec::with_capacity(CHUNK_LINES * 160);
            for (i, &p) in picks.iter().enumerate() {
                if let Some(line) = enc.lines.get(p) {
                    out.extend_from_slice(line);
                }
                if (i + 1) % CHUNK_LINES == 0 {
                    client.send_encoded(std::mem::replace(
                        &mut out,
                        Vec::with_capacity(CHUNK_LINES * 160),
                    ));
                }
            }
            client.send_encoded(out);
        }
    }
}

/// The encoded frame kinds for `fields` at `timesec`, from the cache.
fn encoded<'a>(
    cache: &'a mut Vec<Encoded>,
    model: &PacketModel,
    fields: &Fields,
    timesec: u64,
) -> &'a Encoded {
    let pos = match cache.iter().position(|e| e.fields == *fields) {
        Some(p) => p,
        None => {
            cache.push(Encoded {
                fields: fields.clone(),
                timesec: u64::MAX,
                lines: Vec::new(),
            });
            cache.len() - 1
        }
    };
    let e = &mut cache[pos];
    if e.timesec != timesec {
        e.timesec = timesec;
        e.lines = frames(model, timesec)
            .0
            .iter()
            .map(|p| {
                let mut line = Vec::with_capacity(160);
                records::packet_record(p).encode_into(&mut line, Proto::Packet, Some(fields));
                line
            })
            .collect();
    }
    &cache[pos]
}
