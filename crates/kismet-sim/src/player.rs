//! One client's replay of a [`Timeline`]: its replay clock, its place in
//! the recording (read as a stream, `stream`), the latest frame of each
//! device played so far (for the bursts, `latest`), the recorded
//! protocols it enabled (each with the fields it asked for), and the
//! lines that sends, projected onto those fields.
//!
//! The replay clock is held at 0 while the client does its handshake, so
//! that no speed scales the handshake into nothing: a client gets its
//! CAPABILITY answers and enables its protocols, one after the other if
//! it likes, before the first frame is due. The clock starts at the first
//! of these instants:
//! 1. the ENABLE that leaves every protocol the recording has frames of
//!    enabled ([`Timeline::framed`]: the server's own protocols, TIME,
//!    ACK, ..., have none, their lines being the replay server's own).
//!    A client that enables all of them, each after the previous one's
//!    ACK, gets every frame of each, at any speed, however long its
//!    ENABLEs take: the usual conversion of a recording. An ENABLE counts
//!    once accepted (not one refused with `Unknown field`); for a
//!    recording with no frames at all, the first accepted of one of its
//!    recorded protocols;
//! 2. the client's first command other than CAPABILITY and ENABLE (a
//!    REMOVE, a refused command, ...): its handshake is over;
//! 3. a settle time (`settle` of [`Player::new`], [`ENABLE_SETTLE`] by
//!    default) after the client's latest ENABLE, for a client that
//!    enables fewer protocols than the recording has frames of: each
//!    ENABLE (refused or not, of the server's own protocols too) while the
//!    clock is held puts this instant back;
//! 4. [`HANDSHAKE_HOLD`] after the client connected, while it has sent no
//!    command but CAPABILITY (after an ENABLE, the settle time of 3 holds
//!    instead).
//!
//! From the instant it starts at (1 and 2: when the command came; 3 and
//! 4: when the settle time or the hold ends, however late the player
//! wakes), the clock runs at the configured speed. A frame is due when
//! the clock reaches its recorded time. At the end of the recording,
//! TERMINATE comes no sooner than [`QUIET`] after the client's latest
//! command, so that commands sent one after the other all get their
//! answer first.
//!
//! Everything a player sends goes through the client's own bounded queue
//! ([`ClientHandle::send_encoded`]), in chunks of at most [`CHUNK`] lines.
//! The always-on protocols (TIME, ACK, ...) are not the player's: they are
//! the replay server's own lines, sent through the client's subscriptions
//! in [`ClientHandle`] as the simulator sends them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::capabilities::Proto;
use super::client::ClientHandle;
use super::follow::Played;
use super::latest::{Latest, MAX_HELD};
use super::records;
use super::stream::Frames;
use super::timeline::Timeline;
use kismet_protocol::encode_line_into;
use kismet_protocol::spec::TERMINATE_TEXT;
use kismet_protocol::FieldValue;
use kismet_record::RecordingError;

/// How long the replay clock waits at 0 for a client that sends no
/// command but CAPABILITY.
pub const HANDSHAKE_HOLD: Duration = Duration::from_secs(2);

/// How long the replay clock, held at 0, waits after a client's latest
/// ENABLE for the next one, when the client has not enabled every
/// protocol the recording has frames of (rule 3 of the module doc): far
/// longer than a client on the same machine takes between an ACK and its
/// next ENABLE, short enough not to be noticed at the start of a replay.
pub const ENABLE_SETTLE: Duration = Duration::from_millis(250);

/// The least time between a client's latest command and the TERMINATE at
/// the end of the recording.
pub const QUIET: Duration = Duration::from_millis(500);

/// The most frames played (or sent in a burst) at once: the player's lock
/// is let go between chunks, and a chunk is what the client's queue takes
/// or drops whole.
pub const CHUNK: usize = 256;

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

/// A client's command, as the replay clock sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// CAPABILITY: part of the handshake.
    Capability,
    /// ENABLE (accepted or refused): part of the handshake, and puts the
    /// end of the settle time back.
    Enable,
    /// Any other command: the end of the handshake.
    Other,
}

/// What the player does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Wake up at this instant (the next frame is due then).
    At(Instant),
    /// The replay is over for this client (TERMINATE queued).
    Done,
}

/// Which frames of a protocol are kept for its bursts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// None: the server sends no burst for it.
    No,
    /// Every frame.
    All,
    /// Those of beaconing access points (SSID type 0), as a real server's
    /// SSID burst holds.
    Beacons,
}

/// One client's replay.
pub struct Player {
    /// The client played to.
    pub client: Arc<ClientHandle>,
    timeline: Arc<Timeline>,
    speed: f64,
    looped: bool,
    /// How long the held clock waits after an ENABLE.
    settle: Duration,
    /// When the client connected.
    connected: Instant,
    /// When the client's latest ENABLE came, while the clock is held.
    latest_enable: Option<Instant>,
    /// When the replay clock was at 0 for this lap; `None` while it is
    /// held for the client's handshake.
    lap_start: Option<Instant>,
    /// When the client's latest command came.
    last_command: Option<Instant>,
    /// The recording, read as this lap goes.
    frames: Frames,
    /// The next frame, read ahead.
    next: Option<Played>,
    /// True once the lap's frames are all read.
    exhausted: bool,
    /// The latest frame of each device played in this lap.
    latest: Latest,
    /// Per recorded protocol, which of its frames `latest` keeps.
    keeps: Vec<Keep>,
    /// Per recorded protocol, the client's selection when it enabled it.
    subs: Vec<Option<Selection>>,
    /// Why the recording could not be read to its end, once.
    failure: Option<RecordingError>,
    /// The most frames held at once.
    peak_held: usize,
    /// Bytes the last chunk played took: the next one's buffer starts
    /// that big (growing it line by line costs more than the lines).
    chunk_bytes: usize,
}

impl Player {
    /// A replay for `client`, connected `now`, from the start of
    /// `timeline`; `speed` 2 plays twice as fast; `looped` starts over at
    /// the end instead of terminating; `settle`: how long the clock, held
    /// for the handshake, waits after an ENABLE (see the module doc).
    ///
    /// # Errors
    /// The recording cannot be opened again.
    pub fn new(
        client: Arc<ClientHandle>,
        timeline: Arc<Timeline>,
        speed: f64,
        looped: bool,
        settle: Duration,
        now: Instant,
    ) -> Result<Player, RecordingError> {
        let frames = Frames::open(timeline.clone())?;
        let keeps = timeline
            .protocols
            .iter()
            .map(|p| match p.name.to_ascii_uppercase().as_str() {
                "SSID" => Keep::Beacons,
                name if BURST_PROTOCOLS.contains(&name) => Keep::All,
                _ => Keep::No,
            })
            .collect();
        let subs = timeline.protocols.iter().map(|_| None).collect();
        Ok(Player {
            client,
            timeline,
            speed,
            looped,
            settle,
            connected: now,
            latest_enable: None,
            lap_start: None,
            last_command: None,
            frames,
            next: None,
            exhausted: false,
            latest: Latest::new(MAX_HELD),
            keeps,
            subs,
            failure: None,
            peak_held: 0,
            chunk_bytes: 0,
        })
    }

    /// The client sent `command` at `now` (before it is carried out):
    /// while the clock is held, an ENABLE puts the end of the settle time
    /// back, and any command but CAPABILITY and ENABLE starts the clock.
    pub fn heard(&mut self, command: Heard, now: Instant) {
        self.last_command = Some(now);
        if self.lap_start.is_some() {
            return;
        }
        match command {
            Heard::Capability => {}
            Heard::Enable => self.latest_enable = Some(now),
            Heard::Other => self.lap_start = Some(now),
        }
    }

    /// When the held clock starts unless a command starts it first: the
    /// end of the settle time after the latest ENABLE, or of the hold
    /// while none came (`None`: too far away to say).
    fn start_at(&self) -> Option<Instant> {
        match self.latest_enable {
            Some(enabled) => enabled.checked_add(self.settle),
            None => self.connected.checked_add(HANDSHAKE_HOLD),
        }
    }

    /// The wall-clock instant the replay clock reaches `at` in this lap
    /// (`None`: not started, or too far away to say).
    fn due(&self, at: Duration) -> Option<Instant> {
        let wall = Duration::try_from_secs_f64(at.as_secs_f64() / self.speed).ok()?;
        self.lap_start?.checked_add(wall)
    }

    /// The length of one lap on the replay clock.
    fn lap(&self) -> Duration {
        let end = self.timeline.end.max(self.frames.last());
        if self.looped {
            end.max(MIN_LAP)
        } else {
            end
        }
    }

    /// Plays the frames due by `now`, at most `limit` of them (sending
    /// those of the protocols the client enabled, keeping those a burst
    /// needs); true when it caught up.
    fn play_due(&mut self, now: Instant, limit: usize) -> bool {
        let mut out = Vec::with_capacity(self.chunk_bytes);
        let mut played = 0;
        let caught_up = loop {
            if self.next.is_none() && !self.exhausted {
                match self.frames.next_frame() {
                    Ok(Some(p)) => self.next = Some(p),
                    Ok(None) => self.exhausted = true,
                    Err(e) => {
                        self.exhausted = true;
                        self.failure = Some(e);
                    }
                }
            }
            let Some(p) = &self.next else {
                break true;
            };
            if self.due(p.at).is_none_or(|due| due > now) {
                break true;
            }
            if played == limit {
                break false;
            }
            let Some(p) = self.next.take() else {
                break true;
            };
            if let Some(sel) = &mut self.subs[usize::from(p.proto)] {
                sel.encode(&self.timeline, &p, &mut out);
            }
            self.keep(p);
            played += 1;
        };
        self.chunk_bytes = out.len();
        self.client.send_encoded(out);
        self.peak_held = self.peak_held.max(self.held());
        caught_up
    }

    /// Keeps a frame played for the bursts, if its protocol has them.
    fn keep(&mut self, played: Played) {
        let keep = match self.keeps[usize::from(played.proto)] {
            Keep::No => false,
            Keep::All => true,
            Keep::Beacons => self
                .timeline
                .field(&played, "type")
                .is_none_or(|t| t == b"0"),
        };
        if keep {
            let key = self.timeline.device_key(&played);
            self.latest.insert(key, played);
        }
    }

    /// Plays every frame due by `now` (sending those of the protocols the
    /// client enabled); at the end of the recording starts over (looped)
    /// or queues TERMINATE and finishes the connection. While the client
    /// is in its handshake, nothing is due; the clock starts at the end
    /// of the settle time or of the hold (rules 3 and 4 of the module doc)
    /// once `now` is past it.
    pub fn advance(&mut self, now: Instant) -> Step {
        if self.lap_start.is_none() {
            match self.start_at() {
                Some(start) if start <= now => self.lap_start = Some(start),
                Some(start) => return Step::At(start),
                None => return Step::At(now + Duration::from_secs(1)),
            }
        }
        loop {
            if !self.play_due(now, CHUNK) {
                return Step::At(now);
            }
            if self.failure.is_some() {
                return self.end(now);
            }
            if let Some(played) = &self.next {
                return self
                    .due(played.at)
                    .map_or(Step::At(now + Duration::from_secs(1)), Step::At);
            }
            let (Some(end), Some(lap_start)) = (self.due(self.lap()), self.lap_start) else {
                return Step::At(now + Duration::from_secs(1));
            };
            if end > now {
                return Step::At(end);
            }
            if !self.looped {
                if let Some(quiet) = self.last_command.map(|t| t + QUIET) {
                    if quiet > now {
                        return Step::At(quiet);
                    }
                }
                return self.end(now);
            }
            // The replay clock back to 0, on the lap's schedule; from now
            // if a whole lap behind (a stalled thread, a huge speed), so
            // laps never pile up.
            let lap_wall = end - lap_start;
            self.lap_start = Some(if end + lap_wall > now { end } else { now });
            self.latest.clear();
            self.next = None;
            self.exhausted = false;
            match Frames::open(self.timeline.clone()) {
                Ok(frames) => self.frames = frames,
                Err(e) => {
                    self.failure = Some(e);
                    return self.end(now);
                }
            }
        }
    }

    /// The end of the replay: TERMINATE, then the close.
    fn end(&mut self, now: Instant) -> Step {
        self.client
            .send_one(Proto::Terminate, &records::payload_record(TERMINATE_TEXT));
        self.client.finish(now);
        Step::Done
    }

    /// Why the recording could not be read to its end, if it could not
    /// (told once).
    pub fn take_failure(&mut self) -> Option<RecordingError> {
        self.failure.take()
    }

    /// How many recorded frames this replay holds now: those kept for the
    /// bursts (at most one per device, protocol and field list, and at
    /// most [`MAX_HELD`]) and the one read ahead.
    pub fn held(&self) -> usize {
        self.latest.len() + usize::from(self.next.is_some())
    }

    /// How many devices' frames the bursts forgot to stay within
    /// [`MAX_HELD`] (the least recently updated ones).
    pub fn forgotten(&self) -> u64 {
        self.latest.forgotten()
    }

    /// The most frames [`Player::held`] has counted.
    pub fn peak_held(&self) -> usize {
        self.peak_held
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
    /// next frame on, the frames of `proto` as they come. While the clock
    /// is held, nothing is due nor held for a burst, and the ENABLE that
    /// leaves every protocol the recording has frames of enabled starts
    /// the clock at `now` (rule 1 of the module doc). The caller sends
    /// the ACK after this.
    pub fn enable(&mut self, proto: usize, names: Vec<String>, now: Instant) {
        // Due frames first, with the selection in force before.
        while !self.play_due(now, CHUNK) {}
        let timeline = self.timeline.clone();
        let mut sel = Selection {
            names,
            maps: vec![Map::Unknown; timeline.lists.len()],
        };
        if self.keeps[proto] != Keep::No {
            let burst = self
                .latest
                .burst(proto as u16, |played| sel.can_send(&timeline, played));
            for chunk in burst.chunks(CHUNK) {
                let mut out = Vec::new();
                for played in chunk {
                    sel.encode(&timeline, played, &mut out);
                }
                self.client.send_encoded(out);
            }
        }
        self.subs[proto] = Some(sel);
        if self.lap_start.is_none() && self.timeline.framed().all(|p| self.subs[p].is_some()) {
            self.lap_start = Some(now);
        }
    }

    /// Stops sending `proto`.
    pub fn remove(&mut self, proto: usize) {
        self.subs[proto] = None;
    }
}

#[cfg(test)]
pub(crate) mod tests;
