//! The world's clock: one thread that steps the world once per tick and
//! sends TIME and whatever changed to every client.
//!
//! Like a real server's, the tick is a little late each time: TIME comes
//! every 1.0 to 1.12 ticks (seeded jitter), so now and then the clock skips
//! a second (one TIME value is two more than the one before). TIME is the
//! simulated clock at the tick's scheduled time, so the values are the
//! same however late the thread runs.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use super::capabilities::Proto;
use super::records;
use super::rng::Rng;
use super::server::Shared;
use super::updates;

/// Largest stretch of a tick: a real server's TIME comes every 1.0 to
/// 1.12 s.
const JITTER: f64 = 0.12;

/// Ticks the thread may fall behind its schedule before it stops catching
/// up (after a suspend, say) and starts again from now.
const MAX_BEHIND: u32 = 100;

/// Seeds the jitter apart from the world.
const CLOCK_SALT: u64 = 0x0054_494d_4543_4c4b;

/// When the ticks are due: each `tick` stretched by up to [`JITTER`].
pub struct Schedule {
    rng: Rng,
    tick: Duration,
    at: Duration,
}

impl Schedule {
    /// A schedule of ticks of about `tick`, the jitter seeded by `seed`.
    pub fn new(seed: u64, tick: Duration) -> Schedule {
        Schedule {
            rng: Rng::new(seed ^ CLOCK_SALT),
            tick,
            at: Duration::ZERO,
        }
    }

    /// The next tick's time, from the start.
    pub fn next_tick(&mut self) -> Duration {
        self.at += self.tick.mul_f64(1.0 + JITTER * self.rng.unit());
        self.at
    }

    /// Starts again from `now` (from the start), giving up on the ticks
    /// missed.
    pub fn restart(&mut self, now: Duration) {
        self.at = now;
    }
}

/// Steps the world once per tick and sends TIME and the changed records,
/// until the server stops.
pub fn run(shared: &Arc<Shared>) {
    let tick = shared.config.tick.max(Duration::from_millis(1));
    let mut schedule = Schedule::new(shared.config.seed, tick);
    let mut due = schedule.next_tick();
    while !shared.hub.is_stopping() {
        let elapsed = shared.elapsed();
        if elapsed < due {
            thread::sleep((due - elapsed).min(Duration::from_millis(50)));
            continue;
        }
        if elapsed - due > tick * MAX_BEHIND {
            schedule.restart(elapsed);
        }
        step(shared, shared.epoch_at(due) as u64);
        due = schedule.next_tick();
    }
}

/// One tick at simulated time `epoch`: the world moves, and TIME and the
/// records that changed go to every client (nothing once the server is
/// stopping).
pub fn step(shared: &Shared, epoch: u64) {
    let mut world = shared.world.lock();
    if shared.hub.is_stopping() {
        return;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every interval is 1.0 to 1.12 ticks; the TIME values of the
    /// schedule (whatever the fraction of a second the server started at)
    /// rise by 1 or 2, and any 40 ticks in a row skip a second at least
    /// once.
    #[test]
    fn jittered_ticks_skip_a_second_now_and_then() {
        let tick = Duration::from_millis(50);
        let mut s = Schedule::new(1, tick);
        let mut at = vec![Duration::ZERO];
        at.extend((0..2000).map(|_| s.next_tick()));
        for w in at.windows(2) {
            let i = (w[1] - w[0]).as_secs_f64() / tick.as_secs_f64();
            assert!((1.0..=1.12).contains(&i), "{i}");
        }
        for start in [0.0, 0.25, 0.5, 0.99] {
            let time: Vec<u64> = at
                .iter()
                .map(|a| (start + a.as_secs_f64() / tick.as_secs_f64()) as u64)
                .collect();
            let gaps: Vec<u64> = time.windows(2).map(|w| w[1] - w[0]).collect();
            assert!(gaps.iter().all(|&g| g == 1 || g == 2), "{gaps:?}");
            assert!(gaps.windows(40).all(|w| w.contains(&2)), "start {start}");
        }
    }
}
