//! Positions as the model's views give them: a point in micro-degrees
//! ([`LatLon`]), where a device was seen ([`PlaceView`]), and the distance
//! between two points.
//!
//! Points are kept as integers of micro-degrees: the GPS lines carry six
//! decimals (about 0.1 m), which an `i32` holds exactly, in half the
//! space of two `f64`s (and a view stays `Eq`).

use std::fmt;
use std::str::FromStr;

/// Micro-degrees in a degree.
const E6: f64 = 1e6;

/// The Earth's mean radius in metres (IUGG), for [`LatLon::distance_m`].
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A point: latitude and longitude in micro-degrees (WGS 84, as GPS gives
/// them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LatLon {
    /// Latitude, micro-degrees (north positive).
    pub lat_e6: i32,
    /// Longitude, micro-degrees (east positive).
    pub lon_e6: i32,
}

impl LatLon {
    /// The point at these degrees, rounded to micro-degrees; `None` when
    /// either is not a number or out of range (latitude -90..=90,
    /// longitude -180..=180).
    ///
    /// # Examples
    /// ```
    /// use kismet_client::LatLon;
    /// let p = LatLon::from_degrees(37.7691, -122.419571).unwrap();
    /// assert_eq!((p.lat_e6, p.lon_e6), (37_769_100, -122_419_571));
    /// assert!(LatLon::from_degrees(91.0, 0.0).is_none());
    /// ```
    pub fn from_degrees(lat: f64, lon: f64) -> Option<LatLon> {
        let ok = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
        // In range, both fit an i32 of micro-degrees.
        ok.then(|| LatLon {
            lat_e6: (lat * E6).round() as i32,
            lon_e6: (lon * E6).round() as i32,
        })
    }

    /// Latitude in degrees.
    pub fn lat(self) -> f64 {
        f64::from(self.lat_e6) / E6
    }

    /// Longitude in degrees.
    pub fn lon(self) -> f64 {
        f64::from(self.lon_e6) / E6
    }

    /// True for 0,0: never a real position (a GPS that has no data sends
    /// it).
    pub fn is_null_island(self) -> bool {
        self.lat_e6 == 0 && self.lon_e6 == 0
    }

    /// The great-circle distance to `other` in metres (haversine, on a
    /// sphere of the Earth's mean radius: within 0.5% of the ellipsoid's
    /// distance, a few metres over a kilometre).
    ///
    /// # Examples
    /// ```
    /// use kismet_client::LatLon;
    /// let a = LatLon::from_degrees(37.7691, -122.4200).unwrap();
    /// let b = LatLon::from_degrees(37.7691, -122.4190).unwrap();
    /// assert!((a.distance_m(b) - 88.0).abs() < 1.0);
    /// ```
    pub fn distance_m(self, other: LatLon) -> f64 {
        let (p1, p2) = (self.lat().to_radians(), other.lat().to_radians());
        let dp = p2 - p1;
        let dl = (other.lon() - self.lon()).to_radians();
        let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
    }
}

impl fmt::Display for LatLon {
    /// `37.769100,-122.419571`: six decimals, as the GPS lines have them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6},{:.6}", self.lat(), self.lon())
    }
}

impl FromStr for LatLon {
    type Err = String;

    /// `LAT,LON` in degrees (`37.7691,-122.4196`; spaces around the comma
    /// are allowed).
    fn from_str(s: &str) -> Result<LatLon, String> {
        let bad = || format!("expected LAT,LON in degrees (37.7691,-122.4196), not {s:?}");
        let (lat, lon) = s.split_once(',').ok_or_else(bad)?;
        let num = |v: &str| v.trim().parse::<f64>().ok().filter(|x| x.is_finite());
        let (lat, lon) = num(lat).zip(num(lon)).ok_or_else(bad)?;
        LatLon::from_degrees(lat, lon).ok_or_else(|| {
            format!("{s:?} is out of range (latitude -90 to 90, longitude -180 to 180)")
        })
    }
}

/// Where a device's positions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PositionSource {
    /// This client's own: the GPS fix current at each of its BSSID or
    /// CLIENT updates (six decimals).
    Client,
    /// The server's `bestlat`, `agglat`, `minlat`... fields (six
    /// significant digits: about 90 m of longitude where |lon| >= 100),
    /// for a device this client saw no fix for.
    Server,
    /// Estimated from the signals fixed sensors hear (several servers:
    /// [`crate::fleet::estimate_position`]); `best` and `average` are the
    /// estimate.
    Estimated,
}

impl PositionSource {
    /// `client`, `server` or `estimated`.
    pub fn name(self) -> &'static str {
        match self {
            PositionSource::Client => "client",
            PositionSource::Server => "server",
            PositionSource::Estimated => "estimated",
        }
    }
}

/// Where a network or client was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceView {
    /// Whose positions these are.
    pub source: PositionSource,
    /// Where it was first seen with a fix (this client's only).
    pub first: Option<LatLon>,
    /// Where it was last seen with a fix (this client's only).
    pub last: Option<LatLon>,
    /// Where the strongest signal was seen: the fix current at the
    /// update with the highest `signal_dbm` (the first of equals).
    pub best: Option<LatLon>,
    /// The altitude at `best`, whole metres (from a 3D fix).
    pub best_alt_m: Option<i32>,
    /// The signal seen at `best`, dBm (this client's only).
    pub best_signal_dbm: Option<i32>,
    /// The plain mean of the fixes it was seen at (the server's `agglat`
    /// and `agglon` for its source).
    pub average: Option<LatLon>,
    /// The south-west corner of the box around every fix it was seen at.
    pub min: Option<LatLon>,
    /// The north-east corner of that box.
    pub max: Option<LatLon>,
    /// Sightings with a fix: this client's BSSID or CLIENT updates that
    /// came with a current fix, or, from the server, its `aggpoints`
    /// (packets seen with a fix).
    pub gps_points: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Degrees round to micro-degrees and read back as the same six
    /// decimals; ranges are checked; `LAT,LON` parses with spaces.
    #[test]
    fn degrees_round_trip() {
        let p: LatLon = "37.769100, -122.419571".parse().unwrap();
        assert_eq!(p, LatLon::from_degrees(37.7691, -122.419571).unwrap());
        assert_eq!(p.to_string(), "37.769100,-122.419571");
        assert_eq!(p.lon(), -122.419571);
        let edge = LatLon::from_degrees(-90.0, 180.0).unwrap();
        assert_eq!((edge.lat_e6, edge.lon_e6), (-90_000_000, 180_000_000));
        for bad in ["", "1", "1,", "a,b", "91,0", "0,181", "nan,0", "inf,1"] {
            assert!(bad.parse::<LatLon>().is_err(), "{bad:?}");
        }
        assert!(LatLon::default().is_null_island());
    }

    /// Distances agree with known ones: a degree of latitude, 0.001
    /// degree of longitude at 37.77 N (the step of the server's six
    /// significant digits there), and half the Earth.
    #[test]
    fn haversine_distances() {
        let at = |lat, lon| LatLon::from_degrees(lat, lon).unwrap();
        let degree = at(0.0, 0.0).distance_m(at(1.0, 0.0));
        assert!((degree - 111_195.0).abs() < 1.0, "{degree}");
        let step = at(37.7691, -122.421).distance_m(at(37.7691, -122.422));
        assert!((step - 88.0).abs() < 0.5, "{step}");
        let half = at(0.0, 0.0).distance_m(at(0.0, 180.0));
        assert!((half - EARTH_RADIUS_M * std::f64::consts::PI).abs() < 1.0);
        assert_eq!(at(10.0, 10.0).distance_m(at(10.0, 10.0)), 0.0);
    }
}
