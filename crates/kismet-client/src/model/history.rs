//! What the model keeps over time, for exports: the GPS track (one point
//! per GPS line with a usable fix) and, when asked for, every sighting
//! of a device at a fix (at most one per device per second), as the
//! rows of a WiGLE CSV need them.
//!
//! Both are bounded: past [`MAX_TRACK_POINTS`] or the sightings' cap
//! (see [`Model::keep_sightings`](super::Model::keep_sightings)) further
//! ones are not kept, and counted ([`History::dropped_track`],
//! [`History::dropped_sightings`]).

use std::collections::HashSet;

use super::place::{Spot, NO_ALT};
use super::position::LatLon;
use super::store::{key_mac, MacHash, MacKey, WireKey};

/// Track points kept at most: 1,000,000 (16 MB), eleven days at the
/// server's one GPS line a second.
pub const MAX_TRACK_POINTS: usize = 1_000_000;

/// Sightings a model that keeps them keeps at most by default: 2,000,000
/// (64 MB), some eleven hours of fifty networks in range at once.
pub const DEFAULT_MAX_SIGHTINGS: usize = 2_000_000;

/// One point of the GPS track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackPoint {
    /// Where.
    pub at: LatLon,
    /// Altitude, whole metres (a 3D fix only).
    pub alt_m: Option<i16>,
    /// When, epoch seconds: the server's clock (its TIME lines) when
    /// known, else when the line was received.
    pub time: u64,
    /// The first point after the fix was lost (or of the track): a new
    /// segment starts here.
    pub new_segment: bool,
}

/// A device seen at a fix (32 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sighting {
    /// The device's MAC (a network's BSSID, or a client's MAC).
    pub mac: [u8; 6],
    /// The BSSID it was seen with (a network's own).
    pub bssid: [u8; 6],
    /// When, epoch seconds (its `lasttime`, else the server's clock,
    /// else when the frame was received).
    pub time: u32,
    /// Where: the fix current at the update.
    pub at: LatLon,
    /// Altitude there, whole metres, or `i16::MIN` when not known.
    alt_m: i16,
    /// Signal of the update, dBm, or `i8::MIN` when it had none.
    signal: i8,
    /// A client record, not a network.
    pub client: bool,
    /// The fix's estimated accuracy, decimetres (0: not known).
    accuracy_dm: u16,
}

impl Sighting {
    /// A sighting of `mac` (with `bssid`; a `client` record or a network)
    /// at `at`, `time` (epoch seconds), with the altitude, signal and
    /// accuracy when known (as read back from a session database).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        mac: [u8; 6],
        bssid: [u8; 6],
        client: bool,
        time: u64,
        at: LatLon,
        alt_m: Option<i16>,
        signal_dbm: Option<i32>,
        accuracy_m: Option<f64>,
    ) -> Sighting {
        Sighting {
            mac,
            bssid,
            time: u32::try_from(time).unwrap_or(u32::MAX),
            at,
            alt_m: alt_m.unwrap_or(NO_ALT),
            signal: signal_dbm.map_or(i8::MIN, |s| s.clamp(-127, 127) as i8),
            client,
            accuracy_dm: accuracy_m.map_or(0, |a| (a * 10.0).round().clamp(1.0, 65535.0) as u16),
        }
    }

    /// Altitude, whole metres (a 3D fix only).
    pub fn alt_m(&self) -> Option<i16> {
        Some(self.alt_m).filter(|&a| a != NO_ALT)
    }

    /// Signal in dBm, when the update carried one.
    pub fn signal_dbm(&self) -> Option<i32> {
        Some(i32::from(self.signal)).filter(|_| self.signal != i8::MIN)
    }

    /// The fix's estimated horizontal accuracy in metres, when its HDOP is
    /// known (HDOP times 5 m).
    pub fn accuracy_m(&self) -> Option<f64> {
        (self.accuracy_dm != 0).then(|| f64::from(self.accuracy_dm) / 10.0)
    }
}

/// The fix's estimated horizontal accuracy, metres: HDOP times 5 m, a
/// typical user-equivalent range error of a consumer GPS (the server sends
/// no accuracy of its own; a guess, and documented as one).
pub fn accuracy_m(hdop: f64) -> f64 {
    hdop * 5.0
}

/// Which device a sighting is of.
#[derive(Debug, Clone, Copy)]
pub enum Device {
    /// A network, by BSSID.
    Network(MacKey),
    /// A client record, by (BSSID, MAC) as on the wire (turned into
    /// MACs only when the sighting is kept).
    Client(WireKey),
}

impl Device {
    /// Its (BSSID, MAC) as keys, and whether it is a client record;
    /// `None` when a client's MACs are not MACs.
    fn macs(self) -> Option<(MacKey, MacKey, bool)> {
        match self {
            Device::Network(b) => Some((b, b, false)),
            Device::Client((b, m)) => Some((b.key()?, m.key()?, true)),
        }
    }

    /// A key for the device, without parsing its MACs: a network's
    /// `[bssid, 0, 0, 0]` (a client's words are text: never 0).
    #[inline]
    fn words(self) -> [u64; 4] {
        match self {
            Device::Network(b) => [b, 0, 0, 0],
            Device::Client((b, m)) => {
                let (b, m) = (b.words(), m.words());
                [b[0], b[1], m[0], m[1]]
            }
        }
    }
}

/// A device seen, with or without a fix, for a session database (see
/// [`Model::keep_outbox`](super::Model::keep_outbox)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observed {
    /// The device's MAC (a network's BSSID, or a client's MAC).
    pub mac: [u8; 6],
    /// The BSSID it was seen with.
    pub bssid: [u8; 6],
    /// A client record, not a network.
    pub client: bool,
    /// When, epoch seconds (as for [`Sighting::time`]).
    pub time: u64,
    /// Where, when a fix was current.
    pub at: Option<LatLon>,
    /// Altitude there, whole metres.
    pub alt_m: Option<i16>,
    /// Signal, dBm.
    pub signal_dbm: Option<i32>,
    /// The GPS's `fix` at the time (3, 2, 0, -1), when a GPS line came.
    pub fix: Option<i8>,
}

/// A GPS line, for a session database.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpsLine {
    /// When, epoch seconds (the server's clock, else the receive time).
    pub time: f64,
    /// Where, when both parsed.
    pub at: Option<LatLon>,
    /// Altitude, metres.
    pub alt: Option<f64>,
    /// Speed, m/s.
    pub speed: Option<f64>,
    /// Heading, degrees.
    pub heading: Option<f64>,
    /// `fix`: -1, 0, 2, 3.
    pub fix: Option<i64>,
}

/// A STATUS or TERMINATE line, for a session database.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerMessage {
    /// When, epoch seconds (the server's clock, else the receive time).
    pub time: f64,
    /// `status` or `terminate`.
    pub kind: &'static str,
    /// The text, decoded (octal escapes), not sanitised.
    pub text: String,
}

/// An ALERT line, for a session database.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// When, epoch seconds (its `sec` and `usec`, else the server's clock).
    pub time: f64,
    /// `header`: the alert's name (`DEAUTHFLOOD`...), decoded.
    pub header: Option<String>,
    /// `bssid`.
    pub bssid: Option<String>,
    /// `source`: the MAC the frame came from.
    pub source: Option<String>,
    /// `dest`: the MAC it went to.
    pub dest: Option<String>,
    /// `text`: what the server says of it, decoded.
    pub text: Option<String>,
    /// `channel`.
    pub channel: Option<i64>,
    /// Where the GPS was, when a fix was current.
    pub at: Option<LatLon>,
}

/// What came since the outbox was last drained (see
/// [`Model::drain_outbox`](super::Model::drain_outbox)).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    /// Devices seen: at most one per device per second.
    pub observations: Vec<Observed>,
    /// GPS lines: at most one a second.
    pub gps: Vec<GpsLine>,
    /// STATUS and TERMINATE lines.
    pub messages: Vec<ServerMessage>,
    /// ALERT lines.
    pub alerts: Vec<Alert>,
    /// Observations and GPS lines not kept because the outbox was full
    /// (nobody drained it), since the last drain.
    pub dropped: u64,
}

/// The devices seen in the latest second, for "at most one per device
/// per second".
#[derive(Debug, Default)]
struct PerSecond {
    second: u64,
    seen: HashSet<[u64; 4], MacHash>,
}

impl PerSecond {
    /// True the first time `key` comes in second `time`.
    fn first(&mut self, time: u64, key: [u64; 4]) -> bool {
        if time != self.second {
            self.second = time;
            self.seen.clear();
        }
        self.seen.insert(key)
    }

    /// Forgets the devices seen.
    fn clear(&mut self) {
        self.seen.clear();
    }
}

/// The outbox as the model fills it.
#[derive(Debug, Default)]
struct OutboxState {
    out: Outbox,
    /// Items it holds at most.
    max: usize,
    /// The devices observed in the latest second (by [`Device::words`]:
    /// MACs are parsed only for the observations kept).
    this_second: PerSecond,
    /// The second of the latest GPS line kept.
    gps_second: Option<u64>,
}

/// A copy of the history (see [`Model::history`](super::Model::history)).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// The GPS track, oldest first.
    pub track: Vec<TrackPoint>,
    /// Track points not kept (past [`MAX_TRACK_POINTS`]).
    pub dropped_track: u64,
    /// Sightings, oldest first; empty unless the model keeps them.
    pub sightings: Vec<Sighting>,
    /// Sightings not kept (past the model's cap).
    pub dropped_sightings: u64,
    /// The model keeps sightings.
    pub keeps_sightings: bool,
}

/// The history as the model keeps it.
#[derive(Debug, Default)]
pub struct Recorder {
    track: Vec<TrackPoint>,
    dropped_track: u64,
    /// The last track point's fix was lost since.
    gap: bool,
    sightings: Vec<Sighting>,
    dropped_sightings: u64,
    /// Sightings kept at most; 0: none kept.
    max_sightings: usize,
    /// The devices sighted in the latest second, by their MACs.
    this_second: PerSecond,
    /// For a session database: what came since it was last drained.
    outbox: Option<OutboxState>,
}

impl Recorder {
    /// Fills an outbox of up to `max` items from now on (0: none).
    pub fn keep_outbox(&mut self, max: usize) {
        self.outbox = (max > 0).then(|| OutboxState {
            max,
            ..OutboxState::default()
        });
    }

    /// What came since the last drain (empty without an outbox).
    pub fn drain_outbox(&mut self) -> Outbox {
        match self.outbox.as_mut() {
            Some(o) => std::mem::take(&mut o.out),
            None => Outbox::default(),
        }
    }

    /// Whether an outbox is kept (one test per device update when not).
    #[inline]
    pub fn has_outbox(&self) -> bool {
        self.outbox.is_some()
    }

    /// A device update at `time`, for the outbox: kept (as `seen` makes
    /// it) when it is the device's first in its second.
    pub fn observe(&mut self, device: Device, time: u64, seen: impl FnOnce() -> Observed) {
        let Some(o) = self.outbox.as_mut() else {
            return;
        };
        if !o.this_second.first(time, device.words()) {
            return;
        }
        if o.out.observations.len() + o.out.gps.len() >= o.max {
            o.out.dropped += 1;
            return;
        }
        let Some((bssid, mac, client)) = device.macs() else {
            return;
        };
        let mut seen = seen();
        seen.time = time;
        seen.bssid = key_mac(bssid);
        seen.mac = key_mac(mac);
        seen.client = client;
        o.out.observations.push(seen);
    }

    /// A STATUS, TERMINATE or ALERT line for the outbox (dropped and
    /// counted when it is full).
    pub fn event(&mut self, message: Option<ServerMessage>, alert: Option<Alert>) {
        let Some(o) = self.outbox.as_mut() else {
            return;
        };
        let held = o.out.observations.len() + o.out.gps.len();
        if held + o.out.messages.len() + o.out.alerts.len() >= o.max {
            o.out.dropped += 1;
            return;
        }
        o.out.messages.extend(message);
        o.out.alerts.extend(alert);
    }

    /// A GPS line, for the outbox: kept when it is the first of its
    /// second.
    pub fn gps_line(&mut self, line: GpsLine) {
        let Some(o) = self.outbox.as_mut() else {
            return;
        };
        let second = line.time.max(0.0) as u64;
        if o.gps_second == Some(second) {
            return;
        }
        o.gps_second = Some(second);
        if o.out.observations.len() + o.out.gps.len() >= o.max {
            o.out.dropped += 1;
            return;
        }
        o.out.gps.push(line);
    }

    /// Keeps up to `max` sightings from now on (0: none).
    pub fn keep_sightings(&mut self, max: usize) {
        self.max_sightings = max;
    }

    /// A GPS line came: a point of the track at `spot`, at `time`; `None`
    /// (no usable fix): the track breaks there.
    pub fn gps(&mut self, spot: Option<Spot>, time: u64) {
        let Some(spot) = spot else {
            self.gap = true;
            return;
        };
        let new_segment = self.gap || self.track.is_empty();
        if let Some(last) = self.track.last_mut() {
            if last.at == spot.at && !new_segment {
                // Standing still: one point, the latest time.
                last.time = time;
                return;
            }
        }
        if self.track.len() >= MAX_TRACK_POINTS {
            self.dropped_track += 1;
            return;
        }
        self.gap = false;
        self.track.push(TrackPoint {
            at: spot.at,
            alt_m: Some(spot.alt_m).filter(|&a| a != NO_ALT),
            time,
            new_segment,
        });
    }

    /// `device` was seen at `spot` with `signal` at `time` (epoch
    /// seconds); `accuracy_m` the fix's estimate. Kept when sightings are,
    /// and when it is the device's first in that second.
    #[inline]
    pub fn sighting(
        &mut self,
        device: Device,
        spot: Spot,
        signal: Option<i32>,
        time: u64,
        accuracy_m: Option<f64>,
    ) {
        if self.max_sightings == 0 {
            return;
        }
        let Some((bssid, mac, client)) = device.macs() else {
            return;
        };
        if !(self.this_second).first(time, [bssid, mac, u64::from(client), 0]) {
            return;
        }
        if self.sightings.len() >= self.max_sightings {
            self.dropped_sightings += 1;
            return;
        }
        self.sightings.push(Sighting {
            mac: key_mac(mac),
            bssid: key_mac(bssid),
            time: u32::try_from(time).unwrap_or(u32::MAX),
            at: spot.at,
            alt_m: spot.alt_m,
            signal: signal.map_or(i8::MIN, |s| s.clamp(-127, 127) as i8),
            client,
            accuracy_dm: accuracy_m.map_or(0, |a| (a * 10.0).round().clamp(1.0, 65535.0) as u16),
        });
    }

    /// A copy.
    pub fn copy(&self) -> History {
        History {
            track: self.track.clone(),
            dropped_track: self.dropped_track,
            sightings: self.sightings.clone(),
            dropped_sightings: self.dropped_sightings,
            keeps_sightings: self.max_sightings > 0,
        }
    }

    /// The track breaks (a new connection); what was kept stays.
    pub fn clear(&mut self) {
        self.gap = true;
        self.this_second.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::store::WireMac;

    fn client(bssid: MacKey, mac: MacKey) -> Device {
        Device::Client((WireMac::from_key(bssid), WireMac::from_key(mac)))
    }

    fn spot(lat: f64, lon: f64) -> Spot {
        Spot {
            at: LatLon::from_degrees(lat, lon).unwrap(),
            alt_m: NO_ALT,
        }
    }

    /// A lost fix starts a new segment; standing still is one point.
    #[test]
    fn track_breaks_where_the_fix_was_lost() {
        let mut r = Recorder::default();
        r.gps(Some(spot(1.0, 2.0)), 10);
        r.gps(Some(spot(1.0, 2.0)), 11);
        r.gps(Some(spot(1.0, 2.001)), 12);
        r.gps(None, 13);
        r.gps(Some(spot(1.0, 2.002)), 14);
        let h = r.copy();
        let segs: Vec<(u64, bool)> = h.track.iter().map(|p| (p.time, p.new_segment)).collect();
        assert_eq!(segs, [(11, true), (12, false), (14, true)]);
    }

    /// One sighting per device per second; none unless asked for; the cap
    /// counts what it drops.
    #[test]
    fn sightings_one_per_device_per_second_up_to_the_cap() {
        let mut r = Recorder::default();
        let net = Device::Network(0xA);
        r.sighting(net, spot(1.0, 2.0), Some(-50), 10, None);
        assert!(r.copy().sightings.is_empty());
        r.keep_sightings(3);
        r.sighting(net, spot(1.0, 2.0), Some(-50), 10, Some(4.0));
        r.sighting(net, spot(1.0, 2.0), Some(-40), 10, None);
        r.sighting(client(0xA, 0xB), spot(1.0, 2.0), None, 10, None);
        r.sighting(net, spot(1.0, 2.1), Some(-45), 11, None);
        r.sighting(client(0xA, 0xC), spot(1.0, 2.0), None, 11, None);
        let h = r.copy();
        assert_eq!(h.sightings.len(), 3);
        assert_eq!(h.dropped_sightings, 1);
        assert_eq!(h.sightings[0].signal_dbm(), Some(-50));
        assert_eq!(h.sightings[0].accuracy_m(), Some(4.0));
        assert!(h.sightings[1].client && !h.sightings[0].client);
        assert_eq!(h.sightings[1].signal_dbm(), None);
        assert_eq!(h.sightings[2].time, 11);
    }
}
