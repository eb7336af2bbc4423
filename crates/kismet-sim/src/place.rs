//! Where the devices of the drive stand, fixed for a seed: each access
//! point beside the route, in its own stretch of it (the route cut in as
//! many stretches as there are access points; not in the first quarter of
//! one, so that the first is passed after the GPS has its first fix), 5
//! to 15 m off the road on either side; each station 5 to 25 m from its access point; a station
//! with no access point on the pavement, 3 to 8 m off the road.
//!
//! An access point is placed where the route passes it once: the road is
//! closest where it was placed from, and every other stretch of road (40 m
//! or more along it) stays at least 8 m farther away, so the strongest
//! signal comes where the route passes it closest and not on another
//! street, round a corner. A place that fails this (inside a bend, near a
//! corner or a crossing) is drawn again, up to 50 times, then the last
//! draw is kept.

use super::catalog::{APS, STATIONS};
use super::geo::Point;
use super::rng::Rng;
use super::route::Route;

/// Seeds the placement apart from the world.
const PLACE_SALT: u64 = 0x504c_4143_4544_4556;

/// How far off the road an access point stands, metres.
const AP_OFFSET_M: (f64, f64) = (5.0, 15.0);

/// How far a station stands from its access point, metres.
const STATION_FROM_AP_M: (f64, f64) = (5.0, 25.0);

/// How far off the road a station with no access point stands, metres.
const PASSER_BY_OFFSET_M: (f64, f64) = (3.0, 8.0);

/// The stretch of road around the closest pass left out of the check.
const PASS_WINDOW_M: f64 = 40.0;

/// How much farther any other stretch must be, metres.
const OTHER_PASS_MARGIN_M: f64 = 8.0;

/// Draws of an access point's place before the last one is kept.
const ATTEMPTS: usize = 50;

/// Where the access points and the stations of the catalog stand.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// One per access point of the catalog, in its order.
    pub aps: Vec<Point>,
    /// One per station of the catalog, in its order.
    pub stations: Vec<Point>,
}

/// A number in `lo..hi`.
fn between(rng: &mut Rng, (lo, hi): (f64, f64)) -> f64 {
    lo + (hi - lo) * rng.unit()
}

/// The position `offset_m` to the side of the road (left or right) at
/// `along_m`, at the road's altitude.
fn beside(route: &Route, along_m: f64, offset_m: f64, left: bool) -> Point {
    let (on, heading) = route.at(along_m);
    let side = (heading + if left { -90.0 } else { 90.0 }).to_radians();
    on.moved(offset_m * side.sin(), offset_m * side.cos())
}

/// True when the route passes `p`, placed `offset_m` beside the road at
/// `along_m`, closest there and only there (see the module's text).
fn passed_once(route: &Route, p: &Point, along_m: f64, offset_m: f64) -> bool {
    let c = route.closest(p);
    let len = route.length_m();
    let gap = (c.along_m - along_m).abs();
    let gap = if route.is_loop() {
        gap.min(len - gap)
    } else {
        gap
    };
    if gap > 1.0 || (c.distance_m - offset_m).abs() > 0.5 {
        return false;
    }
    route
        .closest_apart(p, c.along_m, PASS_WINDOW_M)
        .is_none_or(|other| other.distance_m >= c.distance_m + OTHER_PASS_MARGIN_M)
}

/// Places the catalog's devices along `route`, the same for the same
/// `seed`.
pub fn place(route: &Route, seed: u64) -> Placement {
    let mut rng = Rng::new(seed ^ PLACE_SALT);
    let stretch = route.length_m() / APS.len() as f64;
    let aps: Vec<Point> = (0..APS.len())
        .map(|i| {
            let mut p = route.at(0.0).0;
            for _ in 0..ATTEMPTS {
                let along = stretch * (i as f64 + 0.25 + 0.7 * rng.unit());
                let offset = between(&mut rng, AP_OFFSET_M);
                p = beside(route, along, offset, rng.chance(0.5));
                if passed_once(route, &p, along, offset) {
                    break;
                }
            }
            p
        })
        .collect();
    let stations = STATIONS
        .iter()
        .map(|s| match s.home {
            Some(ap) => {
                let bearing = rng.unit() * std::f64::consts::TAU;
                let d = between(&mut rng, STATION_FROM_AP_M);
                aps[ap].moved(d * bearing.sin(), d * bearing.cos())
            }
            None => {
                let along = rng.unit() * route.length_m();
                let offset = between(&mut rng, PASSER_BY_OFFSET_M);
                beside(route, along, offset, rng.chance(0.5))
            }
        })
        .collect();
    Placement { aps, stations }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// For several seeds: every access point stands 5 to 15 m from the
    /// built-in loop, in its own stretch of it, passed closest once; every
    /// station within 25 m of its access point; the same seed places the
    /// same way, another seed differently.
    #[test]
    fn access_points_beside_the_road_in_their_own_stretch() {
        let route = Route::builtin();
        let stretch = route.length_m() / APS.len() as f64;
        for seed in 1..=20 {
            let placed = place(&route, seed);
            assert_eq!(placed, place(&route, seed));
            assert_ne!(placed, place(&route, seed + 100));
            for (i, p) in placed.aps.iter().enumerate() {
                let c = route.closest(p);
                assert!(
                    (AP_OFFSET_M.0 - 1e-6..=AP_OFFSET_M.1 + 1e-6).contains(&c.distance_m),
                    "seed {seed} AP {i}: {c:?}"
                );
                let slot = (c.along_m / stretch).floor() as usize;
                assert_eq!(slot, i, "seed {seed} AP {i}: {c:?}");
                assert!(
                    passed_once(&route, p, c.along_m, c.distance_m),
                    "seed {seed} AP {i}"
                );
            }
            for (s, p) in placed.stations.iter().enumerate() {
                match STATIONS[s].home {
                    Some(ap) => assert!(p.distance_m(&placed.aps[ap]) <= 25.0 + 1e-6),
                    None => assert!(route.closest(p).distance_m <= 8.0 + 1e-6),
                }
            }
        }
    }
}
