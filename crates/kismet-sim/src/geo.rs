//! Positions on the Earth and distances between them, for the drive: a
//! route's few kilometres are measured on a local flat plane around each
//! point (metres east and north), which is within a millimetre of the
//! great-circle distance at these lengths, and keeps bearings exact (a
//! street along a parallel heads exactly 90 degrees).

/// Mean radius of the Earth, metres (IUGG).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A position: latitude and longitude in degrees, altitude in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Latitude, degrees north.
    pub lat: f64,
    /// Longitude, degrees east.
    pub lon: f64,
    /// Altitude, metres.
    pub alt: f64,
}

impl Point {
    /// A position at `lat`, `lon` (degrees) and `alt` (metres).
    pub const fn new(lat: f64, lon: f64, alt: f64) -> Point {
        Point { lat, lon, alt }
    }

    /// Metres east and north from `self` to `to`, on the plane tangent
    /// at their mean latitude.
    pub fn east_north(&self, to: &Point) -> (f64, f64) {
        let mean_lat = ((self.lat + to.lat) / 2.0).to_radians();
        let east = (to.lon - self.lon).to_radians() * mean_lat.cos() * EARTH_RADIUS_M;
        let north = (to.lat - self.lat).to_radians() * EARTH_RADIUS_M;
        (east, north)
    }

    /// Distance to `to` along the ground, metres (altitude left out).
    pub fn distance_m(&self, to: &Point) -> f64 {
        let (e, n) = self.east_north(to);
        e.hypot(n)
    }

    /// Direction from `self` to `to`, degrees clockwise from north
    /// (0 to 360); 0 when they are one place.
    pub fn bearing_deg(&self, to: &Point) -> f64 {
        let (e, n) = self.east_north(to);
        if e == 0.0 && n == 0.0 {
            return 0.0;
        }
        e.atan2(n).to_degrees().rem_euclid(360.0)
    }

    /// The position `east` and `north` metres away (same altitude).
    pub fn moved(&self, east: f64, north: f64) -> Point {
        let lat = self.lat + (north / EARTH_RADIUS_M).to_degrees();
        let mean_lat = ((self.lat + lat) / 2.0).to_radians();
        let lon = self.lon + (east / (EARTH_RADIUS_M * mean_lat.cos())).to_degrees();
        Point::new(lat, lon, self.alt)
    }

    /// The position a fraction `t` (0 to 1) of the way to `to`.
    pub fn lerp(&self, to: &Point, t: f64) -> Point {
        Point::new(
            self.lat + (to.lat - self.lat) * t,
            self.lon + (to.lon - self.lon) * t,
            self.alt + (to.alt - self.alt) * t,
        )
    }
}

/// Where on the segment `a`-`b` a point `p` is closest: the fraction of
/// the way from `a` (0 to 1) and the distance, metres.
pub fn closest_on_segment(a: &Point, b: &Point, p: &Point) -> (f64, f64) {
    let (bx, by) = a.east_north(b);
    let (px, py) = a.east_north(p);
    let len2 = bx * bx + by * by;
    let t = if len2 == 0.0 {
        0.0
    } else {
        ((px * bx + py * by) / len2).clamp(0.0, 1.0)
    };
    let (dx, dy) = (px - t * bx, py - t * by);
    (t, dx.hypot(dy))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One degree of latitude is about 111.2 km; one of longitude at
    /// 37.77 N about 88 km; distances and moves agree both ways.
    #[test]
    fn distances_and_moves_agree() {
        let a = Point::new(37.7691, -122.422, 15.0);
        let north = a.moved(0.0, 1000.0);
        let east = a.moved(1000.0, 0.0);
        assert!((a.distance_m(&north) - 1000.0).abs() < 1e-6);
        assert!((a.distance_m(&east) - 1000.0).abs() < 1e-3);
        assert!(((north.lat - a.lat) * 111_195.0 - 1000.0).abs() < 1.0);
        assert!(((east.lon - a.lon) * 87_960.0 - 1000.0).abs() < 2.0);
        assert_eq!(a.bearing_deg(&east), 90.0);
        assert_eq!(a.bearing_deg(&north), 0.0);
        assert!((a.bearing_deg(&a.moved(-10.0, -10.0)) - 225.0).abs() < 1e-9);
    }

    /// A point beside a segment projects onto it; one beyond an end is
    /// closest to that end.
    #[test]
    fn closest_point_on_a_segment() {
        let a = Point::new(37.7691, -122.422, 0.0);
        let b = a.moved(100.0, 0.0);
        let (t, d) = closest_on_segment(&a, &b, &a.moved(30.0, 12.0));
        assert!((t - 0.3).abs() < 1e-6 && (d - 12.0).abs() < 1e-6, "{t} {d}");
        let (t, d) = closest_on_segment(&a, &b, &a.moved(-30.0, 40.0));
        assert!(t == 0.0 && (d - 50.0).abs() < 1e-6, "{t} {d}");
    }
}
