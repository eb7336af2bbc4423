//! Where devices are: the GPS, the server's clock and every device's
//! [`Place`], and the step each BSSID or CLIENT update takes through them
//! ([`Locator::update`]).
//!
//! The step is on the model's hot path, and costs a server without GPS
//! three comparisons: once the server is known to have GPS (a `*GPS` line
//! came, or a device's `gpsfixed` was 1), each update is a sighting at the
//! current fix, or, for a device the client has no fix for, a look at the
//! server's own fields; until then only a new device's `gpsfixed` is read
//! (the records the server sends on ENABLE are each a new device).

use super::fields::ServerFields;
use super::gps::Gps;
use super::history::{accuracy_m, Alert, Device, GpsLine, Observed, Recorder, ServerMessage};
use super::place::{Place, PlaceId, Places};
use kismet_protocol::decode::parse_epoch;
use kismet_protocol::Frame;

/// How old a record's `lasttime` may be, by the server's clock (its TIME
/// lines), for an update to count as a sighting at the current fix, in
/// seconds: the records the server sends again in answer to an ENABLE
/// (the user's own, or after a reconnect) carry the time they were last
/// seen, perhaps far from here, and take no position from the fix.
pub const SIGHTING_MAX_AGE_S: u64 = 3;

/// An update of a device, as its place needs it.
#[derive(Clone, Copy)]
pub struct Seen<'f> {
    /// The frame.
    pub frame: &'f Frame,
    /// Its `signal_dbm`, when it carries one.
    pub signal: Option<i32>,
    /// Its `lasttime`, when it carries one.
    pub last: Option<u64>,
    /// The device's `lasttime` before this update (an update with the
    /// same is in the same second: no new observation).
    pub prev_last: Option<u64>,
    /// The device.
    pub device: Device,
}

/// The positions part of the model's state.
#[derive(Debug, Default)]
pub struct Locator {
    /// Every device's place.
    pub places: Places,
    /// The GPS's latest line.
    pub gps: Gps,
    /// The server's clock: its latest TIME line, epoch seconds.
    clock: Option<u64>,
    /// The server has GPS: a GPS line came, or a device's `gpsfixed` was 1.
    server_gps: bool,
    /// The track and the sightings, for exports.
    pub history: Recorder,
}

impl Locator {
    /// Takes a GPS line.
    pub fn gps_line(&mut self, f: &Frame) {
        if self.gps.line(f) {
            self.server_gps = true;
            let spot = self.gps.fix.and_then(|fix| fix.spot);
            let received = f.received_ms().unwrap_or(0) / 1000;
            self.history.gps(spot, self.clock.unwrap_or(received));
            if let (true, Some(fix)) = (self.history.has_outbox(), self.gps.fix) {
                let received = f.received_ms().unwrap_or(0) as f64 / 1000.0;
                self.history.gps_line(GpsLine {
                    time: self.clock.map_or(received, |c| c as f64),
                    at: fix.at,
                    alt: fix.alt,
                    speed: fix.speed,
                    heading: fix.heading,
                    fix: fix.mode,
                });
            }
        }
    }

    /// Takes a TIME line.
    pub fn time(&mut self, f: &Frame) {
        self.clock = f.field(0).and_then(parse_epoch).or(self.clock);
    }

    /// The server's clock: its latest TIME line, epoch seconds.
    pub fn clock(&self) -> Option<u64> {
        self.clock
    }

    /// Forgets the places, the fix and the clock (every device was
    /// forgotten: a new connection).
    pub fn clear(&mut self) {
        self.places.clear();
        self.gps.clear();
        self.clock = None;
        self.server_gps = false;
        self.history.clear();
    }

    /// A STATUS, TERMINATE or ALERT line, for the session database's
    /// outbox (when the model keeps one); an ALERT line's alert, decoded,
    /// when `want_alert` (the model keeps the recent alerts).
    pub fn event_line(&mut self, f: &Frame, want_alert: bool) -> Option<Alert> {
        let is_alert = f.protocol_bytes() == b"ALERT";
        if !(self.history.has_outbox() || want_alert && is_alert) {
            return None;
        }
        let received = f.received_ms().unwrap_or(0) as f64 / 1000.0;
        let now = self.clock.map_or(received, |c| c as f64);
        let text = |name: &str| {
            f.get(name)
                .map(|raw| kismet_protocol::text::decode_octal(raw))
                .map(|t| String::from_utf8_lossy(&t).into_owned())
        };
        match f.protocol_bytes() {
            b"ALERT" => {
                let sec = f.get("sec").and_then(parse_epoch);
                let usec = f.get("usec").and_then(kismet_protocol::decode::parse_u64);
                let time = sec.map_or(now, |s| s as f64 + usec.unwrap_or(0) as f64 / 1e6);
                let spot = self.gps.spot_at(f.received_ms().unwrap_or(0));
                let alert = Alert {
                    time,
                    header: text("header"),
                    bssid: text("bssid"),
                    source: text("source"),
                    dest: text("dest"),
                    text: text("text"),
                    channel: f
                        .get("channel")
                        .and_then(kismet_protocol::decode::parse_i64),
                    at: spot.map(|s| s.at),
                };
                if self.history.has_outbox() {
                    self.history.event(None, Some(alert.clone()));
                }
                want_alert.then_some(alert)
            }
            proto => {
                let kind = if proto == b"TERMINATE" {
                    "terminate"
                } else {
                    "status"
                };
                let text = text("text").or_else(|| {
                    f.field(0)
                        .map(|raw| String::from_utf8_lossy(raw).into_owned())
                });
                let message = ServerMessage {
                    time: now,
                    kind,
                    text: text.unwrap_or_default(),
                };
                self.history.event(Some(message), None);
                None
            }
        }
    }

    /// An update `seen` of a device, for the session database's outbox
    /// (when the model keeps one): the device, its signal, and where,
    /// when a fix is current.
    #[inline]
    pub fn observe(&mut self, seen: Seen<'_>) {
        // The device's second is the one it had: observed already (a
        // comparison, where a set of the second's devices would cost a
        // hash a frame).
        if !self.history.has_outbox() || (seen.last.is_some() && seen.last == seen.prev_last) {
            return;
        }
        let received = seen.frame.received_ms().unwrap_or(0);
        let time = seen.last.or(self.clock).unwrap_or(received / 1000);
        let gps = &self.gps;
        self.history.observe(seen.device, time, || {
            let spot = gps.spot_at(received);
            Observed {
                mac: [0; 6],
                bssid: [0; 6],
                client: false,
                time,
                at: spot.map(|s| s.at),
                alt_m: spot.and_then(|s| (s.alt_m != super::place::NO_ALT).then_some(s.alt_m)),
                signal_dbm: seen.signal,
                fix: (gps.fix).and_then(|f| f.mode).map(|m| m.clamp(-1, 3) as i8),
            }
        });
    }

    /// Updates where the device holding `id` (just `added`, or not) was
    /// seen, for an update `seen` of it: a sighting at the GPS's current
    /// fix when there is one and the update is fresh (see
    /// [`SIGHTING_MAX_AGE_S`]); else, while the client has seen no fix for
    /// it, the server's own fields (`server`, read when needed: taken when
    /// its `gpsfixed` is 1, and again only when its `aggpoints` moved). True when the device was given a
    /// place (it holds more bytes).
    #[inline(always)]
    pub fn update<'f>(
        &mut self,
        id: &mut PlaceId,
        added: bool,
        seen: Seen<'f>,
        server: impl FnOnce() -> ServerFields<'f>,
    ) -> bool {
        if !self.server_gps && !added && *id == 0 {
            // A server without GPS, as far as is known.
            return false;
        }
        self.locate(id, seen, server)
    }

    /// [`Locator::update`] past its first test (out of line: a server
    /// without GPS never comes here, and the model's loop stays small).
    #[inline(never)]
    fn locate<'f>(
        &mut self,
        id: &mut PlaceId,
        seen: Seen<'f>,
        server: impl FnOnce() -> ServerFields<'f>,
    ) -> bool {
        let fresh = match (self.clock, seen.last) {
            (Some(now), Some(last)) => now.saturating_sub(last) <= SIGHTING_MAX_AGE_S,
            _ => true,
        };
        let received = seen.frame.received_ms().unwrap_or(0);
        if let Some(spot) = self.gps.spot_at(received).filter(|_| fresh) {
            let time = seen.last.or(self.clock).unwrap_or(received / 1000);
            let hdop = self.gps.fix.and_then(|f| f.hdop);
            let accuracy = hdop.filter(|h| *h > 0.0).map(accuracy_m);
            (self.history).sighting(seen.device, spot, seen.signal, time, accuracy);
            return match self.places.entry(id) {
                Some((place, made)) => {
                    place.sighted(spot, seen.signal);
                    made
                }
                None => false,
            };
        }
        let held = self.places.get(*id);
        if held.is_some_and(|p| !p.is_server()) {
            return false;
        }
        let server = server();
        if !server.fixed() {
            return false;
        }
        self.server_gps = true;
        if let (Some(p), Some(points)) = (held, server.points()) {
            if u64::from(p.points) == points {
                // The server's fields move only with its points.
                return false;
            }
        }
        let Some(new) = Place::from_server(&server) else {
            return false;
        };
        match self.places.entry(id) {
            Some((place, made)) => {
                *place = new;
                made
            }
            None => false,
        }
    }
}
