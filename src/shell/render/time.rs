//! Times for people (the local time zone, through jiff) and for programs
//! (RFC 3339 in UTC).

use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Epoch seconds as local calendar time with the zone:
/// `2026-11-27 11:42:45 UTC`; the number itself when out of range.
pub fn local_text(epoch: u64) -> String {
    local_text_in(epoch, &TimeZone::system())
}

/// [`local_text`] in the time zone `tz`.
pub fn local_text_in(epoch: u64, tz: &TimeZone) -> String {
    match timestamp(epoch.saturating_mul(1000)) {
        Some(ts) => ts
            .to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M:%S %Z")
            .to_string(),
        None => epoch.to_string(),
    }
}

/// Milliseconds since the epoch as the local time of day with
/// milliseconds, `HH:MM:SS.mmm`: the prefix of a timestamped line.
pub fn clock_text(ms: u64) -> String {
    clock_text_in(ms, &TimeZone::system())
}

/// [`clock_text`] in the time zone `tz`.
pub fn clock_text_in(ms: u64, tz: &TimeZone) -> String {
    match timestamp(ms) {
        Some(ts) => ts
            .to_zoned_datetime(tz.clone())
            .strftime("%H:%M:%S%.3f")
            .to_string(),
        None => "--:--:--.---".to_string(),
    }
}

/// Milliseconds since the epoch as RFC 3339 in UTC with milliseconds:
/// `2026-11-27T11:42:45.123Z`.
pub fn rfc3339_ms(ms: u64) -> String {
    match timestamp(ms) {
        Some(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => String::new(),
    }
}

/// Epoch seconds as RFC 3339 in UTC: `2026-11-27T11:42:45Z`.
pub fn rfc3339(epoch: u64) -> String {
    match timestamp(epoch.saturating_mul(1000)) {
        Some(ts) => ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => String::new(),
    }
}

/// How long before `now` a thing was seen: `3s ago`, `2m10s ago`, `now`.
pub fn ago_text(now: u64, then: u64) -> String {
    match now.saturating_sub(then) {
        0 => "now".to_string(),
        d => format!("{} ago", duration_text(Duration::from_secs(d))),
    }
}

/// Seconds as `1h02m03s`.
pub fn duration_text(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m{:02}s", s / 3600, (s / 60) % 60, s % 60),
    }
}

fn timestamp(ms: u64) -> Option<Timestamp> {
    Timestamp::from_millisecond(i64::try_from(ms).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Epoch times come out as calendar time in the zone asked for, and as
    /// RFC 3339 in UTC.
    #[test]
    fn times() {
        let utc = TimeZone::UTC;
        assert_eq!(local_text_in(0, &utc), "1970-01-01 00:00:00 UTC");
        assert_eq!(local_text_in(951_782_400, &utc), "2000-02-29 00:00:00 UTC");
        assert_eq!(
            local_text_in(1_795_678_119, &utc),
            "2026-11-26 07:28:39 UTC"
        );
        // A POSIX rule, so the test needs no time zone database.
        let paris = TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        assert_eq!(
            local_text_in(1_795_678_119, &paris),
            "2026-11-26 08:28:39 CET"
        );
        assert_eq!(clock_text_in(1_795_678_119_042, &utc), "07:28:39.042");
        assert_eq!(rfc3339_ms(1_795_678_119_042), "2026-11-26T07:28:39.042Z");
        assert_eq!(rfc3339(1_795_678_119), "2026-11-26T07:28:39Z");
        assert_eq!(ago_text(100, 97), "3s ago");
        assert_eq!(ago_text(100, 100), "now");
        assert_eq!(ago_text(100, 200), "now");
        assert_eq!(local_text_in(u64::MAX, &utc), u64::MAX.to_string());
    }
}
