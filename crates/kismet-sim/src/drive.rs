//! The drive: a GPS receiver in a car going along a [`Route`] at a steady
//! speed, one GPS update per tick, past devices standing at fixed places
//! (`place`), each heard at the level the path-loss model gives for its
//! distance (`radio`), or not at all when too far.
//!
//! What the GPS reports follows `PROTOCOL.md` (a real server fed by
//! gpsd): `fix` -1 (connected, no data yet) for the first
//! [`NO_DATA_TICKS`] ticks, then 3 (3D); the satellites in view as
//! `PRN:elevation:azimuth:snr,` entries. Guesses, since nothing recorded
//! says: while the fix is -1, a position, speed and heading of 0, no
//! satellites and DOPs of 0; speed in metres per second (the real line in
//! `PROTOCOL.md`, taken at 10 m/s, says `10`); whole-number DOPs (its
//! `3 3`).
//!
//! The server tags what it hears with the fix it holds, which is one
//! update late: measured on a real server, its best position is the fix
//! before the one at the strongest packet ([`Drive::tagged_fix`]). That
//! its bounding box and average lag the same way is a guess (they come
//! from the same tag).

use std::sync::Arc;

use super::catalog::{APS, STATIONS};
use super::devices::Gps;
use super::geo::Point;
use super::place::{place, Placement};
use super::radio;
use super::rng::Rng;
use super::route::Route;

/// The car's speed, metres per second (36 km/h, a town street).
pub const SPEED_MPS: f64 = 10.0;

/// Ticks the GPS is connected with no data yet (`fix` -1), from the
/// server's start: about 3 s.
pub const NO_DATA_TICKS: u64 = 3;

/// Seeds the drive's fading and satellites apart from the world.
const DRIVE_SALT: u64 = 0x4452_4956_4547_5053;

/// Satellites in view.
const SATELLITES: usize = 8;

/// One satellite in view.
#[derive(Debug, Clone)]
struct Satellite {
    prn: u32,
    elevation: u32,
    azimuth: u32,
    snr: u32,
}

/// The GPS receiver on its way along the route, and the devices it passes.
#[derive(Debug, Clone)]
pub struct Drive {
    route: Arc<Route>,
    placement: Placement,
    rng: Rng,
    ticks: u64,
    /// Where the GPS stands when it does not drive (a fixed sensor).
    parked: Option<Point>,
    /// Where the car truly is.
    truth: Point,
    /// What the GPS reports now (the GPS line).
    fix: Gps,
    /// The fix before, which the server tags this tick's packets with.
    before: Gps,
    satellites: Vec<Satellite>,
}

/// A fix with no data: what the GPS reports while it has none.
fn no_data() -> Gps {
    Gps {
        lat: 0.0,
        lon: 0.0,
        alt: 0.0,
        spd: 0.0,
        heading: 0.0,
        fix: -1,
        satinfo: String::new(),
        hdop: 0.0,
        vdop: 0.0,
    }
}

impl Drive {
    /// A drive along `route` with the devices placed for `seed`, the car
    /// at the start, the GPS not yet reporting.
    pub fn new(route: Arc<Route>, seed: u64) -> Drive {
        let placement = place(&route, seed);
        let mut rng = Rng::new(seed ^ DRIVE_SALT);
        let mut prns: Vec<u32> = (1..=32).collect();
        let satellites = (0..SATELLITES)
            .map(|_| Satellite {
                prn: prns.remove(rng.below(prns.len() as u64) as usize),
                elevation: rng.range(10, 85) as u32,
                azimuth: rng.range(0, 359) as u32,
                snr: rng.range(25, 45) as u32,
            })
            .collect();
        let truth = route.travel(0.0).0;
        Drive {
            route,
            placement,
            rng,
            ticks: 0,
            parked: None,
            truth,
            fix: no_data(),
            before: no_data(),
            satellites,
        }
    }

    /// The same devices, heard by a GPS standing at `at` instead of
    /// driving (a fixed sensor): it reports `at`, a speed and heading of 0.
    pub fn parked(mut self, at: Point) -> Drive {
        self.truth = at;
        self.parked = Some(at);
        self
    }

    /// One tick: the car moves on ([`SPEED_MPS`] times a second, the first
    /// tick at the start) and the GPS reports.
    pub fn step(&mut self) {
        let travelled = SPEED_MPS * self.ticks as f64;
        self.ticks += 1;
        let (at, heading, speed) = match self.parked {
            Some(p) => (p, 0.0, 0.0),
            None => {
                let (at, heading) = self.route.travel(travelled);
                (at, heading, SPEED_MPS)
            }
        };
        self.truth = at;
        let fix = if self.ticks <= NO_DATA_TICKS {
            no_data()
        } else {
            for s in &mut self.satellites {
                s.snr = (s.snr as i64 + self.rng.range(-1, 1)).clamp(20, 50) as u32;
            }
            let satinfo: String = self
                .satellites
                .iter()
                .map(|s| format!("{}:{}:{}:{},", s.prn, s.elevation, s.azimuth, s.snr))
                .collect();
            Gps {
                lat: at.lat,
                lon: at.lon,
                alt: at.alt,
                spd: speed,
                heading,
                fix: 3,
                satinfo,
                hdop: self.rng.range(1, 2) as f64,
                vdop: self.rng.range(2, 3) as f64,
            }
        };
        self.before = std::mem::replace(&mut self.fix, fix);
    }

    /// What the GPS reports now.
    pub fn fix(&self) -> &Gps {
        &self.fix
    }

    /// The position the server gives what it hears this tick: the fix
    /// before the current one, when that was a fix (2D or 3D).
    pub fn tagged_fix(&self) -> Option<&Gps> {
        (self.before.fix >= 2).then_some(&self.before)
    }

    /// Where the car truly is.
    #[cfg(test)]
    pub fn truth(&self) -> Point {
        self.truth
    }

    /// The route.
    pub fn route(&self) -> &Arc<Route> {
        &self.route
    }

    /// Where the devices stand.
    pub fn placement(&self) -> &Placement {
        &self.placement
    }

    fn level(&mut self, tx_dbm: f64, at: Point) -> Option<i32> {
        let fading = self.rng.unit() * 2.0 - 1.0;
        radio::received(tx_dbm, self.truth.distance_m(&at), fading)
    }

    /// The level access point `i` (of the catalog) is heard at this tick,
    /// dBm; `None` when it is out of range.
    pub fn ap_level(&mut self, i: usize) -> Option<i32> {
        debug_assert!(i < APS.len());
        self.level(radio::AP_TX_DBM, self.placement.aps[i])
    }

    /// The level station `s` (of the catalog) is heard at this tick, dBm;
    /// `None` when it is out of range.
    pub fn station_level(&mut self, s: usize) -> Option<i32> {
        debug_assert!(s < STATIONS.len());
        self.level(radio::STATION_TX_DBM, self.placement.stations[s])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fix is -1 with no position for the first 3 ticks, then 3 with
    /// the car's position, a steady 10 m/s apart; the tag is the fix
    /// before.
    #[test]
    fn no_data_then_a_3d_fix_moving_steadily() {
        let mut d = Drive::new(Arc::new(Route::builtin()), 1);
        let mut fixes = Vec::new();
        for _ in 0..10 {
            d.step();
            fixes.push(d.fix().clone());
            if d.fix().fix == 3 {
                assert_eq!((d.fix().lat, d.fix().lon), (d.truth().lat, d.truth().lon));
            }
        }
        let kinds: Vec<i8> = fixes.iter().map(|f| f.fix).collect();
        assert_eq!(kinds, [-1, -1, -1, 3, 3, 3, 3, 3, 3, 3]);
        assert!(fixes[..3]
            .iter()
            .all(|f| f.lat == 0.0 && f.satinfo.is_empty()));
        for w in fixes[3..].windows(2) {
            let (a, b) = (
                Point::new(w[0].lat, w[0].lon, 0.0),
                Point::new(w[1].lat, w[1].lon, 0.0),
            );
            assert!((a.distance_m(&b) - SPEED_MPS).abs() < 1e-6);
        }
        assert_eq!(d.tagged_fix().map(|f| f.lat), Some(fixes[8].lat));
        let sats = &fixes[9].satinfo;
        assert_eq!(sats.matches(',').count(), SATELLITES, "{sats}");
        assert!(sats.ends_with(','), "{sats}");
    }

    /// A parked GPS reports where it stands, still, every tick; an access
    /// point is heard at the level of its distance from there (within the
    /// fading), and one out of range not at all.
    #[test]
    fn parked_gps_stands_still_and_hears_by_distance_from_there() {
        let route = Arc::new(Route::builtin());
        let probe = Drive::new(route.clone(), 1);
        let ap = probe.placement().aps[0];
        let at = ap.moved(30.0, -40.0);
        let mut d = Drive::new(route, 1).parked(at);
        for _ in 0..6 {
            d.step();
        }
        let fix = d.fix().clone();
        assert_eq!(
            (fix.fix, fix.lat, fix.lon, fix.spd),
            (3, at.lat, at.lon, 0.0)
        );
        let expected = radio::level_dbm(radio::AP_TX_DBM, at.distance_m(&ap));
        let heard = f64::from(d.ap_level(0).expect("in range"));
        assert!(
            (heard - expected).abs() <= radio::FADING_DB + 0.5,
            "{heard} vs {expected}"
        );
        let far = ap.moved(5_000.0, 0.0);
        let mut d = Drive::new(Arc::new(Route::builtin()), 1).parked(far);
        d.step();
        assert_eq!(d.ap_level(0), None);
    }
}
