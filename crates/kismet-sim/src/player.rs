//! One client's replay of a [`Timeline`]: its replay clock, how far it has
//! played, the recorded protocols it enabled (each with the fields it
//! asked for), and the lines that sends, projected onto those fields.
//!
//! The replay clock starts at 0 when the client connects and runs at the
//! configured speed; a frame is due when the clock reaches its recorded
//! time. Everything a player sends goes through the client's own bounded
//! queue ([`ClientHandle::send_encoded`]). The always-on protocols (TIME,
//! ACK, ...) are not the player's: they are the replay server's own lines,
//! sent through the client's subscriptions in [`ClientHandle`] as the
//! simulator sends them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::capabilities::Proto;
use super::client::ClientHandle;
use super::records;
use super::timeline::{Played, Timeline};
use kismet_protocol::encode_line_into;
use kismet_protocol::spec::TERMINATE_TEXT;
use kismet_protocol::FieldValue;

/// Protocols the server answers ENABLE for with a burst of what it holds,
/// as the simulator's `updates::burst` (the real server sends none for
/// COMMON, BSSIDSRC, CLISRC and the live ones: TIME, INFO, GPS, ...).
const BURST_PROTOCOLS: [&str; 7] = [
    "BSSID", "SSID", "CLIENT", "SOURCE", "ALERT", "NETTAG", "CLITAG",
];

/// The shortest lap of a looped replay (a recording of no length would
/// otherwise loop without pause).
const MIN_LAP: Duration = Duration::from_secs(1);

/// How a recorded field list maps onto what a client asked for.
#[derive(Debug, Clone)]
enum Map {
    /// Not worked out yet.
    Unknown,
    /// The same fields in the same order: the recorded line as it is.
    Same,
    /// The asked fields' indexes in the recorded list.
    Pick(Box<[u16]>),
    /// The recorded list lacks an asked field: the line is not sent.
    Lacking,
}

/// One enabled protocol: the fields asked for, and how each recorded list
/// maps onto them.
#[derive(Debug)]
struct Selection {
    names: Vec<String>,
    maps: Vec<Map>,
}

impl Selection {
    fn map(&mut self, timeline: &Timeline, list: u32) -> &Map {
        let i = list as usize;
        if matches!(self.maps[i], Map::Unknown) {
            let recorded = &timeline.lists[i];
            let picked: Option<Vec<u16>> = self
                .names
                .iter()
                .map(|n| {
                    recorded
                        .iter()
                        .position(|r| r.eq_ignore_ascii_case(n))
                        .map(|p| p as u16)
                })
                .collect();
            self.maps[i] = match picked {
                None => Map::Lacking,
                Some(p)
                    if p.len() == recorded.len()
                        && p.iter().enumerate().all(|(i, &x)| usize::from(x) == i) =>
                {
                    Map::Same
                }
                Some(p) => Map::Pick(p.into()),
            };
        }
        &self.maps[i]
    }

    /// Appends the frame projected onto the selection; false when its
    /// recorded list lacks a field asked for.
    fn encode(&mut self, timeline: &Timeline, played: &Played, out: &mut Vec<u8>) -> bool {
        match self.map(timeline, played.list) {
            Map::Same => {
                out.extend_from_slice(played.frame.raw());
                out.push(b'\n');
                true
            }
            Map::Pick(pick) => {
                let vals: Vec<FieldValue<'_>> = pick
                    .iter()
                    .filter_map(|&i| played.frame.value(usize::from(i)))
                    .collect();
                encode_line_into(out, played.frame.protocol(), &vals);
                true
            }
            Map::Lacking | Map::Unknown => false,
        }
    }

    fn can_send(&mut self, timeline: &Timeline, played: &Played) -> bool {
        matches!(self.map(timeline, played.list), Map::Same | Map::Pick(_))
    }
}

/// What the player does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Wake up at this instant (the next frame is due then).
    At(Instant),
    /// The replay is over for this client (TERMINATE queued).
    Done,
}

/// One client's replay.
pub struct Player {
    /// The client played to.
    pub client: Arc<ClientHandle>,
    timeline: Arc<Timeline>,
    speed: f64,
    looped: bool,
    /// When the replay clock was at 0 for this lap.
    lap_start: Instant,
    /// The next frame to play.
    cursor: usize,
    /// Per recorded protocol, the client's selection when it enabled it.
    subs: Vec<Option<Selection>>,
}

impl Player {
    /// A replay for `client` from the start of `timeline`, its clock at 0
    /// now; `speed` 2 plays twice as fast; `looped` starts over at the end
    /// instead of terminating.
    pub fn new(
        client: Arc<ClientHandle>,
        timeline: Arc<Timeline>,
        speed: f64,
        looped: bool,
        now: Instant,
    ) -> Player {
        let subs = timeline.protocols.iter().map(|_| None).collect();
        Player {
            client,
            timeline,
            speed,
            looped,
            lap_start: now,
            cursor: 0,
            subs,
        }
    }

    /// The wall-clock instant the replay clock reaches `at` in this lap
    /// (`None`: too far away to say).
    fn due(&self, at: Duration) -> Option<Instant> {
        let wall = Duration::try_from_secs_f64(at.as_secs_f64() / self.speed).ok()?;
        self.lap_start.checked_add(wall)
    }

    /// The length of one lap on the replay clock.
    fn lap(&self) -> Duration {
        if self.looped {
            self.timeline.end.max(MIN_LAP)
        } else {
            self.timeline.end
        }
    }

    /// Plays every frame due by `now` (sending those of the protocols the
    /// client enabled); at the end of the recording starts over (looped)
    /// or queues TERMINATE and finishes the connection.
    pub fn advance(&mut self, now: Instant) -> Step {
        loop {
            let mut out = Vec::new();
            let timeline = self.timeline.clone();
            while let Some(played) = timeline.frames.get(self.cursor) {
                if self.due(played.at).is_none_or(|due| due > now) {
                    break;
                }
                if let Some(sel) = &mut self.subs[usize::from(played.proto)] {
                    sel.encode(&timeline, played, &mut out);
                }
                self.cursor += 1;
            }
            self.client.send_encoded(out);
            if let Some(played) = timeline.frames.get(self.cursor) {
                return self
                    .due(played.at)
                    .map_or(Step::At(now + Duration::from_secs(1)), Step::At);
            }
            let Some(end) = self.due(self.lap()) else {
                return Step::At(now + Duration::from_secs(1));
            };
            if end > now {
                return Step::At(end);
            }
            if !self.looped {
                self.client
                    .send_one(Proto::Terminate, &records::payload_record(TERMINATE_TEXT));
                self.client.finish(now);
                return Step::Done;
            }
            // The replay clock back to 0, on the lap's schedule; from now
            // if a whole lap behind (a stalled thread, a huge speed), so
            // laps never pile up.
            let lap_wall = end - self.lap_start;
            self.lap_start = if end + lap_wall > now { end } else { now };
            self.cursor = 0;
        }
    }

    /// The name of `proto`'s field `name` (any case) when the recording
    /// holds it.
    pub fn held_field(&self, proto: usize, name: &[u8]) -> Option<&str> {
        self.timeline.protocols[proto]
            .held
            .iter()
            .find(|f| f.as_bytes().eq_ignore_ascii_case(name))
            .map(String::as_str)
    }

    /// The timeline played.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Enables the recorded protocol `proto` with the fields `names` (as
    /// the recording names them), as the server does: first the frames due
    /// now, then a burst of the latest frame of each device played so far
    /// in this lap (for the protocols a server bursts), then, from the
    /// next frame on, the frames of `proto` as they come. The caller sends
    /// the ACK after this.
    pub fn enable(&mut self, proto: usize, names: Vec<String>, now: Instant) {
        // Due frames first, with the selection in force before.
        if self.advance(now) == Step::Done {
            return;
        }
        let timeline = self.timeline.clone();
        let mut sel = Selection {
            names,
            maps: vec![Map::Unknown; timeline.lists.len()],
        };
        let name = timeline.protocols[proto].name.to_ascii_uppercase();
        if BURST_PROTOCOLS.contains(&name.as_str()) {
            let beacons_only = name == "SSID";
            let burst = timeline.burst(proto, self.cursor, |played| {
                // The SSID burst holds beaconing access points only
                // (type 0), as a real server's does.
                let beacon =
                    !beacons_only || timeline.field(played, "type").is_none_or(|t| t == b"0");
                beacon && sel.can_send(&timeline, played)
            });
            let mut out = Vec::new();
            for i in burst {
                sel.encode(&timeline, &timeline.frames[i as usize], &mut out);
            }
            self.client.send_encoded(out);
        }
        self.subs[proto] = Some(sel);
    }

    /// Stops sending `proto`.
    pub fn remove(&mut self, proto: usize) {
        self.subs[proto] = None;
    }
}
