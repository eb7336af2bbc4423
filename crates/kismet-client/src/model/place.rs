//! Where each device was seen, as the model keeps it: a fixed-size
//! [`Place`] per device that has a position, in one table of its own
//! ([`Places`]), which the device's record points into.
//!
//! A device's record holds only the index of its place (0: none), so a
//! server without GPS costs each record four bytes and each frame one
//! byte comparison (`gpsfixed`), and the records that frames stream
//! through stay as small as they were.
//!
//! Positions are this client's own when it can: the GPS fix current at
//! each BSSID or CLIENT update of the device (six decimals). The server's
//! own position fields (six significant digits: about 90 m of longitude
//! where |lon| >= 100) are read only while the client has seen no fix
//! for the device, and are dropped at its first one.
//!
//! The average is the plain mean of the fixes, not one weighted by
//! signal: the server's `agglat`/`agglon` are plain means too, so the
//! average means the same whichever side computed it; where the signal
//! was strongest is the best position's job, and weighting by a dBm
//! reading (a log scale, calibrated differently on every card) would mix
//! the two.

use std::mem::size_of;

use super::fields::ServerFields;
use super::position::{LatLon, PlaceView, PositionSource};

/// A device's place in [`Places`]: its index + 1; 0 for none.
pub type PlaceId = u32;

/// An altitude not known (a 2D fix, or none sent).
pub const NO_ALT: i16 = i16::MIN;

/// A current fix's position, as a sighting takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spot {
    /// Where.
    pub at: LatLon,
    /// Altitude, whole metres, or [`NO_ALT`].
    pub alt_m: i16,
}

/// [`Place::flags`]: the server's fields, not this client's fixes.
const SERVER: u8 = 1;
/// [`Place::flags`]: `best` is known.
const HAS_BEST: u8 = 2;
/// [`Place::flags`]: `min` and `max` are known.
const HAS_BOX: u8 = 4;
/// [`Place::flags`]: the average is known.
const HAS_AVERAGE: u8 = 8;

/// Where one device was seen: 64 bytes, one cache line (aligned to it),
/// written in place by each sighting (nothing allocated).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(align(64))]
pub struct Place {
    /// First sighting's position.
    pub first: LatLon,
    /// Latest sighting's position.
    pub last: LatLon,
    /// The strongest sighting's position.
    pub best: LatLon,
    /// South-west corner of the box around the sightings.
    pub min: LatLon,
    /// North-east corner.
    pub max: LatLon,
    /// Sum of the sightings' latitudes, micro-degrees (from the server:
    /// its average).
    pub sum_lat: i64,
    /// Sum of their longitudes (from the server: its average).
    pub sum_lon: i64,
    /// Sightings with a fix (from the server: its `aggpoints`).
    pub points: u32,
    /// Altitude at `best`, whole metres (GPS altitude is good to some
    /// metres at best), or [`NO_ALT`].
    pub best_alt_m: i16,
    /// Signal at `best`, dBm; `i8::MIN` when that update had none.
    pub best_signal: i8,
    /// [`SERVER`], [`HAS_BEST`], [`HAS_BOX`], [`HAS_AVERAGE`].
    pub flags: u8,
}

impl Place {
    /// A first sighting at `spot` with `signal` (dBm).
    fn first_sighting(spot: Spot, signal: Option<i32>) -> Place {
        let at = spot.at;
        Place {
            first: at,
            last: at,
            best: at,
            min: at,
            max: at,
            sum_lat: i64::from(at.lat_e6),
            sum_lon: i64::from(at.lon_e6),
            points: 1,
            best_alt_m: spot.alt_m,
            best_signal: signal_key(signal),
            flags: HAS_BEST | HAS_BOX | HAS_AVERAGE,
        }
    }

    /// True when these are the server's fields (or nothing yet), not
    /// this client's fixes.
    #[inline]
    pub fn is_server(&self) -> bool {
        self.flags & SERVER != 0 || self.points == 0
    }

    /// The device was seen at `spot` with `signal` (dBm, when the update
    /// carried one): the latest, the box, the mean, and the best position
    /// when the signal is stronger than any seen with a fix before. The
    /// first sighting replaces whatever the server's fields gave.
    #[inline]
    pub fn sighted(&mut self, spot: Spot, signal: Option<i32>) {
        if self.is_server() {
            *self = Place::first_sighting(spot, signal);
            return;
        }
        let at = spot.at;
        self.last = at;
        self.min.lat_e6 = self.min.lat_e6.min(at.lat_e6);
        self.min.lon_e6 = self.min.lon_e6.min(at.lon_e6);
        self.max.lat_e6 = self.max.lat_e6.max(at.lat_e6);
        self.max.lon_e6 = self.max.lon_e6.max(at.lon_e6);
        self.sum_lat += i64::from(at.lat_e6);
        self.sum_lon += i64::from(at.lon_e6);
        self.points = self.points.saturating_add(1);
        let signal = signal_key(signal);
        if signal > self.best_signal {
            self.best = at;
            self.best_alt_m = spot.alt_m;
            self.best_signal = signal;
        }
    }

    /// The view of it.
    pub fn view(&self) -> PlaceView {
        let server = self.flags & SERVER != 0;
        let has = |flag: u8| self.flags & flag != 0;
        let average = if server {
            LatLon {
                lat_e6: self.sum_lat as i32,
                lon_e6: self.sum_lon as i32,
            }
        } else {
            let n = i64::from(self.points.max(1));
            // A mean of i32s fits an i32.
            LatLon {
                lat_e6: div_round(self.sum_lat, n) as i32,
                lon_e6: div_round(self.sum_lon, n) as i32,
            }
        };
        PlaceView {
            source: if server {
                PositionSource::Server
            } else {
                PositionSource::Client
            },
            first: (!server).then_some(self.first),
            last: (!server).then_some(self.last),
            best: has(HAS_BEST).then_some(self.best),
            best_alt_m: Some(i32::from(self.best_alt_m))
                .filter(|_| self.best_alt_m != NO_ALT && has(HAS_BEST)),
            best_signal_dbm: Some(i32::from(self.best_signal))
                .filter(|_| !server && self.best_signal != i8::MIN),
            average: has(HAS_AVERAGE).then_some(average),
            min: has(HAS_BOX).then_some(self.min),
            max: has(HAS_BOX).then_some(self.max),
            gps_points: u64::from(self.points),
        }
    }
}

/// A signal as [`Place::best_signal`] keeps it: below every reading when
/// there is none. Readings beyond -127 dBm (none real: receivers stop
/// near -100) count as -127.
#[inline]
fn signal_key(signal: Option<i32>) -> i8 {
    signal.map_or(i8::MIN, |s| s.clamp(-127, 127) as i8)
}

/// An altitude in metres as a place keeps it: whole metres, within
/// -32767..=32767.
pub fn alt_metres(alt: f64) -> i16 {
    alt.round().clamp(-32767.0, 32767.0) as i16
}

/// `a / b` rounded to the nearest (`b` > 0).
fn div_round(a: i64, b: i64) -> i64 {
    let q = a.div_euclid(b);
    let r = a.rem_euclid(b);
    if 2 * r >= b {
        q + 1
    } else {
        q
    }
}

/// A position field of the server's: a decimal number of degrees (six
/// significant digits, perhaps in exponent form for tiny values).
fn degrees(raw: Option<&[u8]>) -> Option<f64> {
    let v: f64 = std::str::from_utf8(raw?).ok()?.parse().ok()?;
    v.is_finite().then_some(v)
}

/// A point of two of the server's fields; `None` unless both parse, are
/// in range, and are not 0,0.
fn point(lat: Option<&[u8]>, lon: Option<&[u8]>) -> Option<LatLon> {
    LatLon::from_degrees(degrees(lat)?, degrees(lon)?).filter(|p| !p.is_null_island())
}

impl Place {
    /// A place from the server's fields (of a frame whose `gpsfixed` is
    /// 1); `None` when no position in them is usable. `bestlat`/`bestlon`
    /// of 0 0 (the strongest packet came before the first fix) is no best
    /// position; an `agglat` beyond 90 (or an `agglon` beyond 180) is a
    /// sum, as older servers sent it: divided by `aggpoints`.
    pub fn from_server(f: &ServerFields<'_>) -> Option<Place> {
        use super::fields::server as s;
        let points = f.points().unwrap_or(0);
        let mut p = Place {
            points: u32::try_from(points).unwrap_or(u32::MAX),
            best_alt_m: NO_ALT,
            best_signal: i8::MIN,
            flags: SERVER,
            ..Place::default()
        };
        if let Some(best) = point(f.get(s::BEST_LAT), f.get(s::BEST_LON)) {
            p.best = best;
            p.flags |= HAS_BEST;
            if let Some(alt) = degrees(f.get(s::BEST_ALT)) {
                p.best_alt_m = alt_metres(alt);
            }
        }
        let agg = degrees(f.get(s::AGG_LAT)).zip(degrees(f.get(s::AGG_LON)));
        let mean = agg.and_then(|(lat, lon)| {
            if lat.abs() > 90.0 || lon.abs() > 180.0 {
                // A sum over `aggpoints` (older servers).
                let n = points as f64;
                (points > 0).then(|| (lat / n, lon / n))
            } else {
                Some((lat, lon))
            }
        });
        if let Some(avg) = mean
            .and_then(|(lat, lon)| LatLon::from_degrees(lat, lon))
            .filter(|a| !a.is_null_island())
        {
            p.sum_lat = i64::from(avg.lat_e6);
            p.sum_lon = i64::from(avg.lon_e6);
            p.flags |= HAS_AVERAGE;
        }
        let min = point(f.get(s::MIN_LAT), f.get(s::MIN_LON));
        let max = point(f.get(s::MAX_LAT), f.get(s::MAX_LON));
        if let Some((min, max)) = min
            .zip(max)
            .filter(|(a, b)| a.lat_e6 <= b.lat_e6 && a.lon_e6 <= b.lon_e6)
        {
            p.min = min;
            p.max = max;
            p.flags |= HAS_BOX;
        }
        (p.flags != SERVER).then_some(p)
    }
}

/// Every device's [`Place`], by [`PlaceId`]: a table that grows in place
/// and reuses the places of devices evicted.
#[derive(Debug, Default)]
pub struct Places {
    /// Places by id - 1; a free one is all zeros.
    slots: Vec<Place>,
    /// Ids free for reuse.
    free: Vec<PlaceId>,
}

impl Places {
    /// The place `id`, when it is one.
    #[inline]
    pub fn get(&self, id: PlaceId) -> Option<&Place> {
        self.slots.get((id as usize).checked_sub(1)?)
    }

    /// The place of a device that holds `id`, made (and `id` set) when it
    /// has none; true when it was made. `None` only past 2^32 places.
    #[inline]
    pub fn entry(&mut self, id: &mut PlaceId) -> Option<(&mut Place, bool)> {
        if *id != 0 {
            let i = *id as usize - 1;
            return self.slots.get_mut(i).map(|p| (p, false));
        }
        let new = match self.free.pop() {
            Some(free) => free,
            None => {
                let next = PlaceId::try_from(self.slots.len() + 1).ok()?;
                self.slots.push(Place::default());
                next
            }
        };
        *id = new;
        self.slots.get_mut(new as usize - 1).map(|p| (p, true))
    }

    /// A device that held `id` is gone: its place is free.
    pub fn release(&mut self, id: PlaceId) {
        if let Some(p) = (id as usize)
            .checked_sub(1)
            .and_then(|i| self.slots.get_mut(i))
        {
            *p = Place::default();
            self.free.push(id);
        }
    }

    /// Forgets every place (every device was forgotten).
    pub fn clear(&mut self) {
        *self = Places::default();
    }

    /// Places held by devices.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Bytes on the heap, as allocated.
    pub fn bytes(&self) -> usize {
        self.slots.capacity() * size_of::<Place>() + self.free.capacity() * size_of::<PlaceId>()
    }

    /// A copy of every place, by id - 1 (for a snapshot).
    pub fn copy(&self) -> Vec<Place> {
        self.slots.clone()
    }
}

/// Bytes [`Places`] may take per device at worst (every device with a
/// place, the table just grown; as many ids free after evictions).
pub const PLACE_BYTES_PER_DEVICE: usize = size_of::<Place>() * 2 + size_of::<PlaceId>() * 2;

#[cfg(test)]
mod tests {
    use super::*;

    fn spot(lat: f64, lon: f64) -> Spot {
        Spot {
            at: LatLon::from_degrees(lat, lon).unwrap(),
            alt_m: 15,
        }
    }

    /// A place is 64 bytes, and a record points into it with 4.
    #[test]
    fn a_place_is_small() {
        assert_eq!(size_of::<Place>(), 64);
        assert_eq!(size_of::<PlaceId>(), 4);
    }

    /// Sightings give first, last, the box, the mean, and the best at the
    /// strongest signal (the first of equals; a sighting without a signal
    /// never beats one with).
    #[test]
    fn sightings_keep_first_last_best_box_and_mean() {
        let mut p = Place::default();
        assert!(p.is_server());
        p.sighted(spot(10.0, -120.0), None);
        p.sighted(spot(10.2, -120.4), Some(-70));
        p.sighted(spot(10.4, -120.2), Some(-50));
        p.sighted(spot(10.6, -120.0), Some(-50));
        p.sighted(spot(10.8, -120.8), None);
        let v = p.view();
        let at = |lat, lon| Some(LatLon::from_degrees(lat, lon).unwrap());
        assert_eq!(v.source, PositionSource::Client);
        assert_eq!((v.first, v.last), (at(10.0, -120.0), at(10.8, -120.8)));
        assert_eq!(v.best, at(10.4, -120.2));
        assert_eq!((v.best_signal_dbm, v.best_alt_m), (Some(-50), Some(15)));
        assert_eq!((v.min, v.max), (at(10.0, -120.8), at(10.8, -120.0)));
        assert_eq!(v.average, at(10.4, -120.28));
        assert_eq!(v.gps_points, 5);
    }

    /// The server's fields of a BSSID frame (`values` over zeros).
    fn server(values: &[(&str, &str)]) -> Option<Place> {
        use super::super::fields::{FieldMap, BSSID_FIELDS};
        let names: Vec<String> = BSSID_FIELDS.iter().map(|s| s.to_string()).collect();
        let mut line = String::from("*BSSID: ");
        for n in &names {
            let v = values.iter().find(|(k, _)| k == n).map_or("0", |(_, v)| *v);
            line.push_str(v);
            line.push(' ');
        }
        let frame = kismet_protocol::Frame::parse(line.as_bytes())
            .unwrap()
            .with_names(Some(names.into()));
        let mut map = FieldMap::new(&BSSID_FIELDS);
        let at = map.resolve(&frame).unwrap();
        let fields = at.server(&frame, super::super::fields::bssid::GPS_FIXED);
        Place::from_server(&fields)
    }

    /// The server's fields: the best position, an average (or a sum,
    /// divided), the box; 0 0 and a box inside out are not positions.
    #[test]
    fn server_fields_with_the_sum_rule() {
        let real = [
            ("bestlat", "37.7702"),
            ("bestlon", "-122.419"),
            ("bestalt", "15"),
            ("agglat", "37.7699"),
            ("agglon", "-122.42"),
            ("minlat", "37.7691"),
            ("minlon", "-122.422"),
            ("maxlat", "37.7709"),
            ("maxlon", "-122.418"),
            ("aggpoints", "17185"),
        ];
        let v = server(&real).unwrap().view();
        let at = |lat, lon| Some(LatLon::from_degrees(lat, lon).unwrap());
        assert_eq!(v.source, PositionSource::Server);
        assert_eq!((v.first, v.last, v.best_signal_dbm), (None, None, None));
        assert_eq!((v.best, v.best_alt_m), (at(37.7702, -122.419), Some(15)));
        assert_eq!(v.average, at(37.7699, -122.42));
        assert_eq!(
            (v.min, v.max),
            (at(37.7691, -122.422), at(37.7709, -122.418))
        );
        assert_eq!(v.gps_points, 17185);
        // An old server's sums; best 0 0; the box inside out.
        let old = [
            ("agglat", "377.699"),
            ("agglon", "-1224.2"),
            ("minlat", "37.8"),
            ("minlon", "-122.4"),
            ("maxlat", "37.7"),
            ("maxlon", "-122.5"),
            ("aggpoints", "10"),
        ];
        let v = server(&old).unwrap().view();
        assert_eq!(v.average, at(37.7699, -122.42));
        assert_eq!((v.best, v.min, v.max), (None, None, None));
        // A sum with no points, and nothing else: no place.
        let none = [("agglat", "377.699"), ("agglon", "-1224.2")];
        assert_eq!(server(&none), None);
        // Exponent form, as a C++ stream writes tiny values.
        let tiny = [("bestlat", "1.5e-05"), ("bestlon", "-2e-05")];
        let best = server(&tiny).unwrap().view().best.unwrap();
        assert_eq!((best.lat_e6, best.lon_e6), (15, -20));
        // The first sighting of the client's own replaces the server's.
        let mut p = server(&real).unwrap();
        p.sighted(spot(1.0, 2.0), Some(-80));
        let v = p.view();
        assert_eq!((v.source, v.gps_points), (PositionSource::Client, 1));
        assert_eq!(v.best, at(1.0, 2.0));
    }

    /// Places are made on first use, freed, reused, and counted.
    #[test]
    fn places_are_reused() {
        let mut places = Places::default();
        let (mut a, mut b) = (0, 0);
        assert!(places.entry(&mut a).unwrap().1);
        assert!(places.entry(&mut b).unwrap().1);
        assert!(!places.entry(&mut a).unwrap().1);
        assert_eq!((a, b, places.len()), (1, 2, 2));
        places
            .entry(&mut a)
            .unwrap()
            .0
            .sighted(spot(1.0, 1.0), None);
        places.release(a);
        assert_eq!(places.len(), 1);
        let mut c = 0;
        let (p, made) = places.entry(&mut c).unwrap();
        assert!(made && *p == Place::default());
        assert_eq!(c, a);
        assert!(places.get(0).is_none() && places.get(3).is_none());
        assert!(places.bytes() >= 2 * size_of::<Place>());
        places.clear();
        assert_eq!((places.len(), places.bytes()), (0, 0));
    }
}
