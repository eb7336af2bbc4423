//! The PACKET generator: `packet_rate` frames a second, made in batches
//! every few milliseconds and queued to each PACKET subscriber as one chunk
//! per batch (one buffered write on the client's writer thread).

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::capabilities::Proto;
use super::records::{self, PacketInfo};
use super::rng::Rng;
use super::server::{epoch_now, lock, Shared};
use super::world::Mac;

/// Time between batches.
const BATCH_PERIOD: Duration = Duration::from_millis(4);

/// Runs until the server stops.
pub fn run(shared: &Arc<Shared>) {
    let rate = u64::from(shared.config.packet_rate);
    let model = lock(&shared.world).packet_model();
    let mut rng = Rng::new(shared.config.seed ^ 0x5041_434b_4554);
    let start = Instant::now();
    let mut made = 0u64;
    let mut lines = Vec::new();
    while !shared.is_stopping() {
        thread::sleep(BATCH_PERIOD);
        let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
        // Never try to catch up more than a tenth of a second.
        let n = (due - made.min(due)).min(rate / 10 + 1);
        made = due;
        if n == 0 {
            continue;
        }
        let subscribers: Vec<_> = shared
            .clients()
            .into_iter()
            .filter_map(|c| c.subscription(Proto::Packet).map(|f| (c, f)))
            .collect();
        if subscribers.is_empty() {
            continue;
        }
        let now = epoch_now();
        lines.clear();
        for _ in 0..n {
            let (ap, ssid, crypt, _channel) =
                &model.aps[rng.below(model.aps.len() as u64) as usize];
            let sta = model.stations[rng.below(model.stations.len() as u64) as usize];
            let bcast = Mac([0xff; 6]);
            let kind = rng.below(10);
            let info = match kind {
                0..=4 => PacketInfo {
                    ptype: 0,
                    subtype: 8,
                    timesec: now,
                    encrypted: *crypt,
                    beaconrate: 10,
                    source: *ap,
                    dest: bcast,
                    bssid: *ap,
                    ssid,
                    sourcename: &model.source_name,
                },
                5 => PacketInfo {
                    ptype: 0,
                    subtype: 4,
                    timesec: now,
                    encrypted: false,
                    beaconrate: 0,
                    source: sta,
                    dest: bcast,
                    bssid: bcast,
                    ssid: b"",
                    sourcename: &model.source_name,
                },
                _ => PacketInfo {
                    ptype: 2,
                    subtype: 0,
                    timesec: now,
                    encrypted: *crypt,
                    beaconrate: 0,
                    source: if kind % 2 == 0 { sta } else { *ap },
                    dest: if kind % 2 == 0 { *ap } else { sta },
                    bssid: *ap,
                    ssid: b"",
                    sourcename: &model.source_name,
                },
            };
            lines.push(records::packet_record(&info));
        }
        for (client, fields) in subscribers {
            let mut out = Vec::with_capacity(lines.len() * 128);
            for r in &lines {
                r.encode_into(&mut out, Proto::Packet, Some(&fields));
            }
            client.send_encoded(out);
        }
    }
}
