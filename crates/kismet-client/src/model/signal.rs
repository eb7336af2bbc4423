//! Each network's signal over the last minutes: one point a second (the
//! BSSID `signal_dbm` of the last frame in that second), for the network
//! detail's chart.
//!
//! A network's points are a [`Ring`] of [`SIGNAL_SECONDS`] one-byte slots,
//! one per second: 600 bytes, and some 25 more for its entry in the map,
//! whatever the number of frames. At most [`MAX_SIGNAL_NETWORKS`] networks
//! have one (about 2.7 MB in all, for 100,000 networks as for 4,096): a
//! network seen while that many others have points in the last
//! [`SIGNAL_SECONDS`] gets none until one of them has been quiet that
//! long (those are swept out at most once a second).

use std::collections::HashMap;
use std::mem::size_of;

use super::bounds::{map_buckets, map_bytes};
use super::store::MacKey;

/// Seconds of signal kept per network: ten minutes.
pub const SIGNAL_SECONDS: usize = 600;

/// Networks whose signal history is kept at most.
pub const MAX_SIGNAL_NETWORKS: usize = 4096;

/// A slot without a point.
const EMPTY: i8 = i8::MIN;

/// [`SIGNAL_SECONDS`] as a number of seconds.
const SPAN: u64 = SIGNAL_SECONDS as u64;

/// One network's points: a slot per second of the last
/// [`SIGNAL_SECONDS`], up to the newest second that has one.
#[derive(Debug, Clone)]
pub struct Ring {
    /// The newest second with a point, epoch seconds.
    newest: u64,
    /// dBm by second (`second % SIGNAL_SECONDS`), [`EMPTY`] for none.
    dbm: Box<[i8; SIGNAL_SECONDS]>,
}

impl Ring {
    /// A ring with one point.
    pub fn new(second: u64, dbm: i32) -> Ring {
        let mut ring = Ring {
            newest: second,
            dbm: Box::new([EMPTY; SIGNAL_SECONDS]),
        };
        ring.push(second, dbm);
        ring
    }

    /// The slot of a second.
    fn slot(second: u64) -> usize {
        // Less than SIGNAL_SECONDS: fits.
        (second % SPAN) as usize
    }

    /// Records `dbm` at `second`: a later point in the same second
    /// replaces the earlier; a point older than the ring's span behind
    /// its newest is ignored. dBm past ±127 is kept as ±127.
    pub fn push(&mut self, second: u64, dbm: i32) {
        if second > self.newest {
            // The seconds in between had no point.
            let gap = (second - self.newest).min(SPAN);
            for s in (second + 1 - gap)..=second {
                self.dbm[Ring::slot(s)] = EMPTY;
            }
            self.newest = second;
        } else if self.newest - second >= SPAN {
            return;
        }
        // In range after the clamp: not EMPTY either.
        self.dbm[Ring::slot(second)] = dbm.clamp(-127, 127) as i8;
    }

    /// The points, oldest first: (epoch second, dBm).
    pub fn points(&self) -> Vec<(u64, i32)> {
        let start = (self.newest + 1).saturating_sub(SPAN);
        (start..=self.newest)
            .filter_map(|s| {
                let v = self.dbm[Ring::slot(s)];
                (v != EMPTY).then_some((s, i32::from(v)))
            })
            .collect()
    }
}

/// The rings of at most [`MAX_SIGNAL_NETWORKS`] networks, by BSSID.
#[derive(Debug)]
pub struct Signals {
    rings: HashMap<MacKey, Ring>,
    /// Rings kept at most.
    cap: usize,
    /// The second of the last sweep of quiet rings.
    swept: u64,
}

impl Default for Signals {
    fn default() -> Signals {
        Signals::with_cap(MAX_SIGNAL_NETWORKS)
    }
}

impl Signals {
    /// At most `cap` rings (at least one).
    pub fn with_cap(cap: usize) -> Signals {
        Signals {
            rings: HashMap::new(),
            cap: cap.max(1),
            swept: 0,
        }
    }

    /// Records a network's signal at `second` (see [`Ring::push`]). A
    /// network without a ring gets one while fewer than the cap are
    /// kept, or when sweeping out those quiet for [`SIGNAL_SECONDS`]
    /// makes room (a sweep at most once a second).
    pub fn push(&mut self, bssid: MacKey, second: u64, dbm: i32) {
        if let Some(ring) = self.rings.get_mut(&bssid) {
            ring.push(second, dbm);
            return;
        }
        if self.rings.len() >= self.cap {
            if second <= self.swept {
                return;
            }
            self.swept = second;
            self.rings.retain(|_, r| r.newest + SPAN > second);
            if self.rings.len() >= self.cap {
                return;
            }
        }
        self.rings.insert(bssid, Ring::new(second, dbm));
    }

    /// A network's points, oldest first (none when it has no ring).
    pub fn points(&self, bssid: MacKey) -> Vec<(u64, i32)> {
        self.rings.get(&bssid).map(Ring::points).unwrap_or_default()
    }

    /// Networks with a ring.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rings.len()
    }

    /// Bytes held: the map as allocated and the rings' slots.
    pub fn bytes(&self) -> usize {
        let entry = size_of::<(MacKey, Ring)>();
        map_bytes(map_buckets(self.rings.capacity()), entry) + self.rings.len() * SIGNAL_SECONDS
    }

    /// Forgets every ring.
    pub fn clear(&mut self) {
        self.rings = HashMap::new();
        self.swept = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One point per second: the last reading of a second replaces the
    /// earlier ones, and points come out oldest first.
    #[test]
    fn ring_keeps_one_point_per_second_in_order() {
        let mut r = Ring::new(1000, -70);
        r.push(1000, -60);
        r.push(1002, -50);
        r.push(1001, -55);
        r.push(1002, -52);
        assert_eq!(r.points(), vec![(1000, -60), (1001, -55), (1002, -52)]);
    }

    /// The ring holds the last SIGNAL_SECONDS seconds only: older points
    /// drop out as time moves on, and one too old is not taken.
    #[test]
    fn ring_is_bounded_to_its_span() {
        let mut r = Ring::new(0, -40);
        for s in 0..3 * SPAN {
            r.push(s, -((s % 90) as i32) - 1);
        }
        let points = r.points();
        assert_eq!(points.len(), SIGNAL_SECONDS);
        assert_eq!(points.first().unwrap().0, 2 * SPAN);
        assert_eq!(points.last().unwrap().0, 3 * SPAN - 1);
        assert!(points.windows(2).all(|w| w[0].0 + 1 == w[1].0));
        r.push(SPAN, -10);
        assert_eq!(r.points(), points);
    }

    /// A long silence empties the ring but the new point; seconds with no
    /// frame have no point; dBm past the byte's range is clamped.
    #[test]
    fn ring_gaps_and_clamping() {
        let mut r = Ring::new(10, -80);
        r.push(15, -300);
        assert_eq!(r.points(), vec![(10, -80), (15, -127)]);
        r.push(15 + 10 * SPAN, 5);
        assert_eq!(r.points(), vec![(15 + 10 * SPAN, 5)]);
    }

    /// At the cap a new network gets no ring until one has been quiet for
    /// the whole span; the bytes stay those of the cap.
    #[test]
    fn signals_are_bounded_in_networks() {
        let mut s = Signals::with_cap(3);
        for k in 0..3 {
            s.push(k, 100, -50);
        }
        s.push(9, 101, -50);
        assert!(s.points(9).is_empty());
        assert_eq!(s.len(), 3);
        let full = s.bytes();
        // Networks 1 and 2 go on; network 0 goes quiet.
        s.push(1, 100 + SPAN, -40);
        s.push(2, 100 + SPAN, -40);
        s.push(9, 100 + SPAN, -45);
        assert_eq!(s.points(9), vec![(100 + SPAN, -45)]);
        assert!(s.points(0).is_empty());
        assert_eq!(s.len(), 3);
        assert_eq!(s.bytes(), full);
    }
}
