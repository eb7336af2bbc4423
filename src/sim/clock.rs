//! The world's clock: one thread that steps the world once per tick and
//! sends TIME and whatever changed to every client.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::capabilities::Proto;
use super::records;
use super::server::Shared;
use super::updates;
use super::util::{epoch_now, lock};

/// Steps the world once per tick and sends TIME and the changed records.
pub fn run(shared: &Arc<Shared>) {
    let tick = shared.config.tick.max(Duration::from_millis(1));
    let mut next = Instant::now() + tick;
    while !shared.is_stopping() {
        let now = Instant::now();
        if now < next {
            thread::sleep((next - now).min(Duration::from_millis(50)));
            continue;
        }
        next += tick;
        if next < now {
            next = now + tick;
        }
        let epoch = epoch_now() as u64;
        let mut world = lock(&shared.world);
        let changes = world.tick(epoch);
        let mut out = vec![(Proto::Time, records::time_record(epoch))];
        out.extend(updates::tick_records(
            &world,
            &changes,
            shared.config.common,
        ));
        if shared.config.flood_client {
            shared.set_flood(updates::client_records(&world));
        }
        shared.broadcast(&out);
    }
}
