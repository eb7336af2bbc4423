//! The GPS: the `gps` report as text and as a JSON object, and the short
//! label the watch view's title line shows.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::json;

use super::json::{json_line, three_decimals};
use crate::shell::outcome::{GpsReport, GPS_SILENCE};
use kismet_client::{FixView, LatLon, FIX_MAX_AGE_MS};

/// What the GPS is, in one of four states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpsState {
    /// No GPS line came in [`GPS_SILENCE`]: the server has no GPS.
    None,
    /// No GPS line yet, and the model has not listened that long.
    Waiting,
    /// A line came, with no position that counts now (fix 0 or -1, 0,0,
    /// or older than 3 s).
    NoFix,
    /// A position that counts now.
    Fix,
}

impl GpsState {
    /// The state of a GPS that sent `lines` lines, the latest `fix`, to a
    /// model that has been listening for `listened`.
    pub fn of(fix: Option<&FixView>, lines: u64, listened: Duration) -> GpsState {
        match fix {
            Some(f) if f.position.is_some() => GpsState::Fix,
            Some(_) => GpsState::NoFix,
            None if lines == 0 && listened >= GPS_SILENCE => GpsState::None,
            None => GpsState::Waiting,
        }
    }

    /// Its name in JSON.
    pub fn name(self) -> &'static str {
        match self {
            GpsState::None => "no_gps",
            GpsState::Waiting => "no_line_yet",
            GpsState::NoFix => "no_fix",
            GpsState::Fix => "fix",
        }
    }
}

/// A point as `37.769100, -122.419571`.
fn point_text(p: LatLon) -> String {
    format!("{:.6}, {:.6}", p.lat(), p.lon())
}

/// An age in seconds, one decimal below a minute.
fn age_text(ms: u64) -> String {
    if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        super::duration_text(Duration::from_millis(ms))
    }
}

/// The `gps` report as text.
pub fn gps_text(r: &GpsReport) -> String {
    let state = GpsState::of(r.fix.as_ref(), r.lines, r.listened);
    let Some(f) = &r.fix else {
        return match state {
            GpsState::None => format!(
                "no GPS on this server (no GPS line in {} s; a server with GPS sends one a second)",
                r.listened.as_secs()
            ),
            _ => "no GPS line yet".to_string(),
        };
    };
    let mut s = String::new();
    let mut fix = f.mode_text();
    if let Some(n) = f.satellites {
        let _ = write!(fix, ", {n} satellites");
    }
    if let Some(h) = f.hdop {
        let _ = write!(fix, ", hdop {h}");
    }
    if let Some(v) = f.vdop {
        let _ = write!(fix, ", vdop {v}");
    }
    if f.connected == Some(false) {
        fix.push_str(", gpsd not connected");
    }
    let _ = writeln!(s, "fix       {fix}");
    let position = match (f.position, f.at) {
        (Some(p), _) => point_text(p),
        (None, Some(at)) if !at.is_null_island() => {
            format!("none now (the line says {})", point_text(at))
        }
        _ => "none".to_string(),
    };
    let _ = writeln!(s, "position  {position}");
    if let Some(alt) = f.alt_m {
        let _ = writeln!(s, "altitude  {alt:.1} m");
    }
    let motion = match (f.speed_mps, f.heading) {
        (Some(v), Some(h)) => Some(format!("{v:.1} m/s ({:.0} km/h), heading {h:.0}°", v * 3.6)),
        (Some(v), None) => Some(format!("{v:.1} m/s ({:.0} km/h)", v * 3.6)),
        (None, Some(h)) => Some(format!("heading {h:.0}°")),
        (None, None) => None,
    };
    if let Some(m) = motion {
        let _ = writeln!(s, "speed     {m}");
    }
    let age = match f.age_ms {
        Some(ms) if ms > FIX_MAX_AGE_MS => {
            format!("{} (a position counts for 3 s)", age_text(ms))
        }
        Some(ms) => age_text(ms),
        None => "unknown".to_string(),
    };
    let _ = write!(s, "age       {age}");
    s
}

/// The `gps` report as one JSON object (no newline): `state` (`fix`,
/// `no_fix`, `no_line_yet`, `no_gps`), the line's values (`null` where
/// not sent), `lat` and `lon` only when the position counts now.
pub fn gps_json(r: &GpsReport) -> String {
    let state = GpsState::of(r.fix.as_ref(), r.lines, r.listened);
    let f = r.fix.as_ref();
    let position = f.and_then(|f| f.position);
    json_line(&json!({
        "type": "gps",
        "state": state.name(),
        "fix": f.and_then(|f| f.mode),
        "fix_text": f.map(FixView::mode_text),
        "lat": position.map(LatLon::lat),
        "lon": position.map(LatLon::lon),
        "alt": f.and_then(|f| f.alt_m),
        "speed_mps": f.and_then(|f| f.speed_mps),
        "heading": f.and_then(|f| f.heading),
        "satellites": f.and_then(|f| f.satellites),
        "hdop": f.and_then(|f| f.hdop),
        "vdop": f.and_then(|f| f.vdop),
        "connected": f.and_then(|f| f.connected),
        "age_s": f.and_then(|f| f.age_ms).map(|ms| three_decimals(ms as f64 / 1000.0)),
        "lines": r.lines,
    }))
}

/// The GPS in a few words, for the watch view's title: `GPS 3D
/// 37.769100,-122.419571`, `GPS no fix`, `GPS: no line yet`, `no GPS`.
pub fn gps_label(fix: Option<&FixView>, lines: u64, listened: Duration) -> String {
    match (GpsState::of(fix, lines, listened), fix) {
        (GpsState::Fix, Some(f)) => match f.position {
            Some(p) => format!("GPS {} {p}", f.mode_text()),
            None => "GPS".to_string(),
        },
        (GpsState::NoFix, Some(f)) => match f.age_ms {
            Some(ms) if ms > FIX_MAX_AGE_MS && matches!(f.mode, Some(2 | 3)) => {
                format!("GPS lost ({} old)", age_text(ms))
            }
            _ => format!("GPS {}", f.mode_text()),
        },
        (GpsState::None, _) => "no GPS".to_string(),
        _ => "GPS: no line yet".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(mode: i64, position: bool, age_ms: u64) -> FixView {
        let at = LatLon::from_degrees(37.7691, -122.419571).unwrap();
        FixView {
            mode: Some(mode),
            at: Some(at),
            position: position.then_some(at),
            alt_m: Some(15.0),
            speed_mps: Some(10.0),
            heading: Some(90.0),
            satellites: Some(7),
            hdop: Some(0.9),
            vdop: Some(1.3),
            connected: Some(true),
            received_ms: Some(1),
            age_ms: Some(age_ms),
        }
    }

    fn report(fix: Option<FixView>, lines: u64, secs: u64) -> GpsReport {
        GpsReport {
            fix,
            lines,
            listened: Duration::from_secs(secs),
        }
    }

    /// A fix as text: the fix in words, six decimals, altitude, speed and
    /// heading, age.
    #[test]
    fn a_fix_as_text_and_json() {
        let r = report(Some(fix(3, true, 412)), 9, 10);
        assert_eq!(
            gps_text(&r),
            "fix       3D, 7 satellites, hdop 0.9, vdop 1.3\n\
             position  37.769100, -122.419571\n\
             altitude  15.0 m\n\
             speed     10.0 m/s (36 km/h), heading 90°\n\
             age       0.4 s"
        );
        assert_eq!(
            gps_json(&r),
            r#"{"type":"gps","state":"fix","fix":3,"fix_text":"3D","lat":37.7691,"lon":-122.419571,"alt":15.0,"speed_mps":10.0,"heading":90.0,"satellites":7,"hdop":0.9,"vdop":1.3,"connected":true,"age_s":0.412,"lines":9}"#
        );
        assert_eq!(
            gps_label(r.fix.as_ref(), 9, r.listened),
            "GPS 3D 37.769100,-122.419571"
        );
    }

    /// No fix, a stale one, no line yet, and no GPS at all, in words.
    #[test]
    fn no_fix_stale_waiting_and_none() {
        let no_fix = report(Some(fix(0, false, 100)), 3, 10);
        let text = gps_text(&no_fix);
        assert!(text.starts_with("fix       no fix,"), "{text}");
        assert!(text.contains("position  none now (the line says 37.769100, -122.419571)"));
        assert!(gps_json(&no_fix)
            .contains(r#""state":"no_fix","fix":0,"fix_text":"no fix","lat":null,"lon":null"#));
        assert_eq!(
            gps_label(no_fix.fix.as_ref(), 3, no_fix.listened),
            "GPS no fix"
        );
        let stale = report(Some(fix(3, false, 12_000)), 3, 20);
        assert!(gps_text(&stale).ends_with("age       12.0 s (a position counts for 3 s)"));
        assert_eq!(
            gps_label(stale.fix.as_ref(), 3, stale.listened),
            "GPS lost (12.0 s old)"
        );
        let waiting = report(None, 0, 1);
        assert_eq!(gps_text(&waiting), "no GPS line yet");
        assert!(gps_json(&waiting).contains(r#""state":"no_line_yet""#));
        assert_eq!(gps_label(None, 0, waiting.listened), "GPS: no line yet");
        let none = report(None, 0, 3);
        assert_eq!(
            gps_text(&none),
            "no GPS on this server (no GPS line in 3 s; a server with GPS sends one a second)"
        );
        assert_eq!(
            gps_json(&none),
            r#"{"type":"gps","state":"no_gps","fix":null,"fix_text":null,"lat":null,"lon":null,"alt":null,"speed_mps":null,"heading":null,"satellites":null,"hdop":null,"vdop":null,"connected":null,"age_s":null,"lines":0}"#
        );
        assert_eq!(gps_label(None, 0, none.listened), "no GPS");
    }
}
