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

/// Epoch seconds as local time, as [`local_text_in`] writes them, for a
/// writer that shows many: the zone is read once (asking the system for
/// it per value was most of the cost of a decoded text line), and a time
/// of a local day already seen is written without jiff's formatter (see
/// [`LocalDay`]).
#[derive(Debug, Clone)]
pub struct LocalTimes {
    tz: TimeZone,
    /// The spans seen lately: a frame's first and last seen times, and
    /// the frames of a stream, fall in few of them.
    days: Vec<LocalDay>,
    /// The span a new one replaces when [`DAYS`] are kept.
    next: usize,
}

/// Spans of local days kept by [`LocalTimes`].
const DAYS: usize = 4;

/// Epoch seconds whose local times share their date and zone, and so
/// differ only in `HH:MM:SS`: a span of one local day with no change of
/// UTC offset or abbreviation (a day with a change has two).
#[derive(Debug, Clone)]
struct LocalDay {
    /// The first epoch second of the span.
    from: i64,
    /// The epoch second after the span.
    to: i64,
    /// The epoch second the span's local clock reads `00:00:00` at (before
    /// `from` on a day that starts with a change of offset).
    midnight: i64,
    /// `YYYY-MM-DD `, the date and the space after it.
    date: String,
    /// ` UTC`, the zone as `%Z` writes it and the space before it.
    zone: String,
}

/// Seconds in a day: local days are this long between changes of offset.
const DAY: i64 = 86_400;

impl LocalTimes {
    /// Times in the system's time zone, read now.
    pub fn system() -> LocalTimes {
        LocalTimes::new(TimeZone::system())
    }

    /// Times in the time zone `tz`.
    pub fn new(tz: TimeZone) -> LocalTimes {
        LocalTimes {
            tz,
            days: Vec::new(),
            next: 0,
        }
    }

    /// The time zone times are shown in.
    pub fn zone(&self) -> &TimeZone {
        &self.tz
    }

    /// Appends `epoch` as [`local_text_in`] writes it in this zone.
    pub fn push(&mut self, out: &mut String, epoch: u64) {
        let Ok(t) = i64::try_from(epoch) else {
            out.push_str(&local_text_in(epoch, &self.tz));
            return;
        };
        if let Some(day) = self.days.iter().find(|d| d.from <= t && t < d.to) {
            day.push(out, t);
            return;
        }
        let text = local_text_in(epoch, &self.tz);
        out.push_str(&text);
        if let Some(day) = LocalDay::of(&self.tz, t, &text) {
            self.remember(day);
        }
    }

    /// Keeps `day`, in place of the oldest when [`DAYS`] are kept.
    fn remember(&mut self, day: LocalDay) {
        if self.days.len() < DAYS {
            self.days.push(day);
        } else {
            self.days[self.next] = day;
            self.next = (self.next + 1) % DAYS;
        }
    }
}

impl LocalDay {
    /// The span of epoch second `t`, whose local time in `tz` is `text`;
    /// `None` when `text` does not read as the span's date, `t`'s time of
    /// day and zone (then `t` is left to jiff each time).
    fn of(tz: &TimeZone, t: i64, text: &str) -> Option<LocalDay> {
        let at = Timestamp::from_second(t).ok()?;
        let info = tz.to_offset_info(at);
        let secs = (t + i64::from(info.offset().seconds())).rem_euclid(DAY);
        let midnight = t - secs;
        // The offset's changes nearest to t: the last at or before it (the
        // iterator gives those strictly before t + 1 s), the first after.
        let after = Timestamp::from_second(t + 1).ok()?;
        let change_before = tz
            .preceding(after)
            .next()
            .map(|c| c.timestamp().as_second());
        let change_after = tz.following(at).next().map(|c| c.timestamp().as_second());
        let from = change_before.map_or(midnight, |c| c.max(midnight));
        let to = change_after.map_or(midnight + DAY, |c| c.min(midnight + DAY));
        // Both ends show t's offset and zone, and the text its time of day
        // where `%H:%M:%S` puts it.
        let same = |s: i64| Timestamp::from_second(s).is_ok_and(|ts| tz.to_offset_info(ts) == info);
        let clock = clock_of_day(secs);
        let ok = from <= t
            && t < to
            && same(from)
            && same(to - 1)
            && text.get(11..19).is_some_and(|c| c.as_bytes() == clock);
        ok.then(|| LocalDay {
            from,
            to,
            midnight,
            date: text[..11].to_string(),
            zone: text[19..].to_string(),
        })
    }

    /// Appends the local time of `t`, one of the span's seconds.
    fn push(&self, out: &mut String, t: i64) {
        out.push_str(&self.date);
        // Digits and colons: always text.
        if let Ok(clock) = std::str::from_utf8(&clock_of_day(t - self.midnight)) {
            out.push_str(clock);
        }
        out.push_str(&self.zone);
    }
}

/// Seconds since midnight (less than a day) as `HH:MM:SS`.
fn clock_of_day(secs: i64) -> [u8; 8] {
    let digit = |n: i64| b'0' + (n % 10) as u8;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    [
        digit(h / 10),
        digit(h),
        b':',
        digit(m / 10),
        digit(m),
        b':',
        digit(s / 10),
        digit(s),
    ]
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

/// Appends epoch seconds as [`rfc3339`] gives them, worked out by hand
/// (no formatting machinery: the JSON frame writer does this for every
/// time of every frame); false, and nothing appended, past the year 9999.
pub fn push_rfc3339(out: &mut Vec<u8>, epoch: u64) -> bool {
    // 10000-01-01T00:00:00Z.
    if epoch >= 253_402_300_800 {
        return false;
    }
    let (days, secs) = (epoch / 86_400, epoch % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let two = |out: &mut Vec<u8>, n: u64| {
        out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8])
    };
    two(out, year / 100);
    two(out, year % 100);
    out.push(b'-');
    two(out, month);
    out.push(b'-');
    two(out, day);
    out.push(b'T');
    two(out, secs / 3600);
    out.push(b':');
    two(out, secs / 60 % 60);
    out.push(b':');
    two(out, secs % 60);
    out.push(b'Z');
    true
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

    /// The hand-made RFC 3339 text is jiff's, day by day over eight
    /// centuries from 1970; nothing past the year 9999.
    #[test]
    fn push_rfc3339_writes_what_rfc3339_writes() {
        let mut times: Vec<u64> = (0..146_097 * 2).map(|d| d * 86_400 + d % 86_400).collect();
        times.extend([0, 1, 59, 86_399, 951_782_400, 1_795_678_119]);
        let mut out = Vec::new();
        for t in times {
            out.clear();
            assert!(push_rfc3339(&mut out, t));
            assert_eq!(String::from_utf8_lossy(&out), rfc3339(t), "{t}");
        }
        // The last second written (jiff stops a day short of it).
        out.clear();
        assert!(push_rfc3339(&mut out, 253_402_300_799));
        assert_eq!(out, b"9999-12-31T23:59:59Z");
        out.clear();
        assert!(!push_rfc3339(&mut out, 253_402_300_800) && out.is_empty());
        assert!(!push_rfc3339(&mut out, u64::MAX) && out.is_empty());
    }

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

    /// The fast local times read as jiff formats them, in zones with
    /// summer time (either hemisphere), offsets of odd minutes and
    /// seconds, around changes of offset, midnights and the ends of the
    /// range, in any order.
    #[test]
    fn local_times_match_jiff() {
        let zones = [
            TimeZone::UTC,
            TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap(),
            TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").unwrap(),
            TimeZone::posix("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45").unwrap(),
            TimeZone::posix("LMT-0:09:21").unwrap(),
            TimeZone::posix("<-0230>2:30").unwrap(),
        ];
        // 2026-03-29 and 2026-10-25 (Europe), 2026-03-08 and 2026-11-01
        // (America): each change, and the midnights around it.
        let changes = [1_774_746_000, 1_792_890_000, 1_772_953_200, 1_793_512_800];
        let mut epochs: Vec<u64> = vec![0, 1, 59, 86_399, 86_400, 253_402_207_200, u64::MAX];
        for c in changes {
            for d in (-30 * 3600..30 * 3600).step_by(599) {
                epochs.push((c + d) as u64);
            }
            epochs.extend((c - 3..c + 3).map(|t| t as u64));
        }
        // A stream's times: a frame's first seen time far back, its last
        // seen time now.
        for i in 0..2000u64 {
            epochs.push(1_795_678_119 + i * 7);
            epochs.push(1_700_000_000 + i * 104_729);
        }
        for tz in zones {
            let mut times = LocalTimes::new(tz.clone());
            let mut kept = 0;
            for (i, &t) in epochs.iter().enumerate() {
                let t_kept = times
                    .days
                    .iter()
                    .any(|d| d.from <= t as i64 && (t as i64) < d.to);
                kept += usize::from(t_kept);
                let mut got = String::from("x");
                times.push(&mut got, t);
                assert_eq!(&got[1..], local_text_in(t, &tz), "{tz:?} {t} (#{i})");
            }
            // Most were written from a span kept, not by jiff.
            assert!(
                kept > epochs.len() / 2,
                "{tz:?}: {kept} of {}",
                epochs.len()
            );
        }
    }
}
