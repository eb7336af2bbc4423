//! The GPS as the model sees it: the latest `*GPS` line ([`Fix`]), whether
//! its position may be given to the devices seen now ([`Gps::spot_at`]),
//! and its view ([`FixView`]).
//!
//! A line's position counts only with a fix of 2 (2D) or 3 (3D), not at
//! 0,0, and for 3 s after the line was received: the server sends one a
//! second, and says 0 itself once gpsd's data is 3 s old, so a fix older
//! than that is one whose successor went missing.

use super::fields::{gps as g, FieldMap, GPS_FIELDS};
use super::place::{alt_metres, Spot, NO_ALT};
use super::position::LatLon;
use kismet_protocol::decode::{parse_bool, parse_i64};
use kismet_protocol::Frame;

/// How long a fix counts after it was received, milliseconds.
pub const FIX_MAX_AGE_MS: u64 = 3000;

/// The latest GPS line, parsed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Fix {
    /// `lat`, `lon`, when both parse and are in range.
    pub at: Option<LatLon>,
    /// `alt`, metres.
    pub alt: Option<f64>,
    /// `spd`, metres per second (PROTOCOL.md: `10` on a drive at 10 m/s).
    pub speed: Option<f64>,
    /// `heading`, degrees.
    pub heading: Option<f64>,
    /// `fix`: -1 no data yet, 0 no fix, 2 2D, 3 3D.
    pub mode: Option<i64>,
    /// Satellites listed in `satinfo`.
    pub satellites: Option<u32>,
    /// `hdop`.
    pub hdop: Option<f64>,
    /// `vdop`.
    pub vdop: Option<f64>,
    /// `connected` (to gpsd).
    pub connected: Option<bool>,
    /// When the line was received, ms since the epoch (0: not known).
    pub received_ms: u64,
    /// The position a sighting takes, when the line has one (see the
    /// module's documentation; its age is checked per frame).
    pub spot: Option<Spot>,
}

/// A number field of a GPS line (any decimal form the server writes).
fn number(raw: Option<&[u8]>) -> Option<f64> {
    let v: f64 = std::str::from_utf8(raw?).ok()?.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

/// Satellites in a `satinfo` field: `PRN:el:az:snr,` entries, each ending
/// in a comma (a last one without is counted too).
fn satellites(raw: &[u8]) -> u32 {
    let entries = raw.split(|&b| b == b',').filter(|e| e.contains(&b':'));
    u32::try_from(entries.count()).unwrap_or(u32::MAX)
}

impl Fix {
    /// A GPS frame's fields (`at`: where they are).
    fn parse(f: &Frame, at: &super::fields::Positions<{ GPS_FIELDS.len() }>) -> Fix {
        let mode = at.get(f, g::FIX).and_then(parse_i64);
        let alt = number(at.get(f, g::ALT));
        let pos = number(at.get(f, g::LAT))
            .zip(number(at.get(f, g::LON)))
            .and_then(|(lat, lon)| LatLon::from_degrees(lat, lon));
        let usable = matches!(mode, Some(2 | 3));
        let spot = pos
            .filter(|p| usable && !p.is_null_island())
            .map(|at| Spot {
                at,
                // A 2D fix's altitude is not a measurement.
                alt_m: alt.filter(|_| mode == Some(3)).map_or(NO_ALT, alt_metres),
            });
        Fix {
            at: pos,
            alt,
            speed: number(at.get(f, g::SPD)),
            heading: number(at.get(f, g::HEADING)),
            mode,
            satellites: at.get(f, g::SATINFO).map(satellites),
            hdop: number(at.get(f, g::HDOP)),
            vdop: number(at.get(f, g::VDOP)),
            connected: at.get(f, g::CONNECTED).and_then(parse_bool),
            received_ms: f.received_ms().unwrap_or(0),
            spot,
        }
    }
}

/// The GPS part of the model's state.
#[derive(Debug)]
pub struct Gps {
    /// Where the fields sit in GPS frames.
    at: FieldMap<{ GPS_FIELDS.len() }>,
    /// The latest line.
    pub fix: Option<Fix>,
    /// GPS lines applied, ever.
    pub lines: u64,
}

impl Default for Gps {
    fn default() -> Gps {
        Gps {
            at: FieldMap::new(&GPS_FIELDS),
            fix: None,
            lines: 0,
        }
    }
}

impl Gps {
    /// Takes a GPS frame; false when it has no field names.
    pub fn line(&mut self, f: &Frame) -> bool {
        let Some(at) = self.at.resolve(f) else {
            return false;
        };
        self.fix = Some(Fix::parse(f, &at));
        self.lines += 1;
        true
    }

    /// The position for a device seen in a frame received at
    /// `received_ms` (0: not known): the latest line's, when it has one
    /// and is at most [`FIX_MAX_AGE_MS`] older than the frame (when either
    /// time is not known, its age cannot be told, and it counts).
    #[inline]
    pub fn spot_at(&self, received_ms: u64) -> Option<Spot> {
        let fix = self.fix.as_ref()?;
        let spot = fix.spot?;
        let fresh = received_ms == 0
            || fix.received_ms == 0
            || received_ms.saturating_sub(fix.received_ms) <= FIX_MAX_AGE_MS;
        fresh.then_some(spot)
    }

    /// Forgets the fix (a new connection); the count of lines carries on.
    pub fn clear(&mut self) {
        self.fix = None;
    }
}

/// The GPS's latest line, as a [`Snapshot`](super::Snapshot) gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixView {
    /// `fix`: -1 connected but no data yet, 0 no fix, 2 2D, 3 3D.
    pub mode: Option<i64>,
    /// The position the line gives (whatever its `fix`).
    pub at: Option<LatLon>,
    /// The position, when it counts now: a 2D or 3D fix, not 0,0, received
    /// at most 3 s ago.
    pub position: Option<LatLon>,
    /// Altitude, metres.
    pub alt_m: Option<f64>,
    /// Speed as the server sends it, metres per second.
    pub speed_mps: Option<f64>,
    /// Heading, degrees.
    pub heading: Option<f64>,
    /// Satellites listed in `satinfo`.
    pub satellites: Option<u32>,
    /// Horizontal dilution of precision.
    pub hdop: Option<f64>,
    /// Vertical dilution of precision.
    pub vdop: Option<f64>,
    /// Whether the server is connected to gpsd.
    pub connected: Option<bool>,
    /// When the line was received, ms since the epoch.
    pub received_ms: Option<u64>,
    /// Its age when the snapshot was taken, ms.
    pub age_ms: Option<u64>,
}

impl FixView {
    /// The view of `fix` at `now_ms` (ms since the epoch).
    pub(super) fn of(fix: &Fix, now_ms: u64) -> FixView {
        let received = (fix.received_ms != 0).then_some(fix.received_ms);
        let age = received.map(|r| now_ms.saturating_sub(r));
        let fresh = age.is_none_or(|a| a <= FIX_MAX_AGE_MS);
        FixView {
            mode: fix.mode,
            at: fix.at,
            position: fix.spot.map(|s| s.at).filter(|_| fresh),
            alt_m: fix.alt,
            speed_mps: fix.speed,
            heading: fix.heading,
            satellites: fix.satellites,
            hdop: fix.hdop,
            vdop: fix.vdop,
            connected: fix.connected,
            received_ms: received,
            age_ms: age,
        }
    }

    /// The fix in words: `3D`, `2D`, `no fix`, `no data yet` (-1), or
    /// `mode N` for another value.
    pub fn mode_text(&self) -> String {
        match self.mode {
            Some(3) => "3D".into(),
            Some(2) => "2D".into(),
            Some(0) => "no fix".into(),
            Some(-1) => "no data yet".into(),
            Some(m) => format!("mode {m}"),
            None => "unknown".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn gps_frame(line: &str, ms: u64) -> Frame {
        let names: Arc<[String]> = GPS_FIELDS.iter().map(|s| s.to_string()).collect();
        Frame::parse(line.as_bytes())
            .unwrap()
            .with_names(Some(names))
            .with_received(ms)
    }

    /// The real line of PROTOCOL.md: every field, two satellites, a
    /// position for 3 s and not after.
    #[test]
    fn the_real_line() {
        let mut gps = Gps::default();
        let line = "*GPS: 37.769100 -122.419571 15 10 90 3 \x015:40:120:35,12:63:48:41,\x01 3 3 1 ";
        assert!(gps.line(&gps_frame(line, 1_000_000)));
        let fix = gps.fix.unwrap();
        let at = LatLon::from_degrees(37.7691, -122.419571).unwrap();
        assert_eq!(fix.at, Some(at));
        assert_eq!(
            (fix.alt, fix.speed, fix.heading),
            (Some(15.0), Some(10.0), Some(90.0))
        );
        assert_eq!((fix.mode, fix.satellites), (Some(3), Some(2)));
        assert_eq!(
            (fix.hdop, fix.vdop, fix.connected),
            (Some(3.0), Some(3.0), Some(true))
        );
        let spot = Spot { at, alt_m: 15 };
        assert_eq!(gps.spot_at(1_000_000 + FIX_MAX_AGE_MS), Some(spot));
        assert_eq!(gps.spot_at(1_000_001 + FIX_MAX_AGE_MS), None);
        assert_eq!(gps.spot_at(0), Some(spot), "a frame of unknown time");
        let view = FixView::of(&fix, 1_000_500);
        assert_eq!((view.position, view.age_ms), (Some(at), Some(500)));
        assert_eq!(view.mode_text(), "3D");
        assert_eq!(FixView::of(&fix, 1_003_001).position, None);
        assert_eq!(gps.lines, 1);
    }

    /// Fix 0 and -1, 0,0 with a 3D fix, and a 2D fix's altitude: never a
    /// position (nor an altitude).
    #[test]
    fn no_fix_no_position() {
        let mut gps = Gps::default();
        for (line, text) in [
            (
                "*GPS: 37.769100 -122.419571 15 0 0 0 \x01\x01 0 0 1 ",
                "no fix",
            ),
            (
                "*GPS: 37.769100 -122.419571 15 0 0 -1 \x01\x01 0 0 1 ",
                "no data yet",
            ),
            ("*GPS: 0.000000 0.000000 0 0 0 3 \x01\x01 0 0 1 ", "3D"),
        ] {
            gps.line(&gps_frame(line, 5));
            assert_eq!(gps.spot_at(5), None, "{line}");
            assert_eq!(FixView::of(&gps.fix.unwrap(), 5).mode_text(), text);
        }
        gps.line(&gps_frame("*GPS: 1.5 2.5 99 0 0 2 \x01\x01 0 0 1 ", 5));
        assert_eq!(gps.spot_at(5).unwrap().alt_m, NO_ALT);
        gps.clear();
        assert_eq!((gps.spot_at(5), gps.lines), (None, 4));
    }
}
