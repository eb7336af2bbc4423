//! A recording (see [`kismet_record`]) made into what a replay serves: the
//! recorded greeting, the recorded CAPABILITY of every protocol, and every
//! recorded frame on one timeline, each with the field list it was sent
//! with.
//!
//! - **One timeline.** Each `= connect` event carries the wall-clock time
//!   the connection began; a connection's entries are placed at that time
//!   (from the first connection's) plus their own time, so a recording
//!   with a reconnect keeps its gap. A clock that went backwards never
//!   reorders: a connection starts no earlier than the last entry before
//!   it.
//! - **Field lists.** A frame carries the fields its recording client had
//!   enabled when it came, followed from the recorded `> !id ENABLE P
//!   list` lines: a list applies once sent and stays once ACKed (ERROR
//!   drops it; `*`, like on the server, means every field of P's recorded
//!   CAPABILITY; REMOVE ends it; a new connection starts with none).
//!   Between an ENABLE and its ACK a line may carry the old list (sent
//!   before the server read the command) or the new one (the burst): the
//!   field count decides, and the new list when both fit.
//! - **What is not a frame.** The always-on protocols (KISMET, ERROR,
//!   ACK, PROTOCOLS, CAPABILITY, TERMINATE, TIME) are the replay server's
//!   own answers and clock, not replayed; a line of a protocol with no
//!   recorded CAPABILITY, or that fits no list, is left out.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use kismet_protocol::device_key_index;
use kismet_protocol::parse_capability;
use kismet_protocol::spec::is_always_on;
use kismet_protocol::{parse_client_line, split_field_list};
use kismet_protocol::{CommandName, Frame, ServerCommand};
use kismet_record::{read_recording, Direction, Entry, RecordingError};

/// Why a recording cannot be replayed.
#[derive(Debug)]
#[non_exhaustive]
pub enum TimelineError {
    /// The recording cannot be read.
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: RecordingError,
    },
    /// It holds no greeting (`*KISMET` and `*PROTOCOLS` lines) to send.
    NoGreeting {
        /// The file, when read from one.
        path: Option<PathBuf>,
    },
}

impl fmt::Display for TimelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The reading error names the file already.
            TimelineError::Read { error, .. } => error.fmt(f),
            TimelineError::NoGreeting { path } => {
                if let Some(p) = path {
                    write!(f, "{}: ", p.display())?;
                }
                write!(f, "no greeting recorded (no *KISMET and *PROTOCOLS lines)")
            }
        }
    }
}

impl std::error::Error for TimelineError {
    /// A reading error is shown as this error's own text, so its cause is
    /// the reading error's cause.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TimelineError::Read { error, .. } => error.source(),
            TimelineError::NoGreeting { .. } => None,
        }
    }
}

/// One protocol of the recording.
#[derive(Debug)]
pub struct Protocol {
    /// Its name, as its recorded CAPABILITY line wrote it.
    pub name: String,
    /// The CAPABILITY payload as recorded (`NAME f1,f2,...`).
    pub capability: Vec<u8>,
    /// Its field names, in CAPABILITY order.
    pub fields: Vec<String>,
    /// The fields the recording holds, in CAPABILITY order: those of any
    /// list the recording client enabled; every field when it enabled
    /// none (there is then nothing to send, and nothing lacking).
    pub held: Vec<String>,
    /// Its frames, as indexes into [`Timeline::frames`], in time order.
    pub frames: Vec<u32>,
}

/// One recorded frame on the timeline.
#[derive(Debug)]
pub struct Played {
    /// When it came, from the start of the recording.
    pub at: Duration,
    /// Its protocol, an index into [`Timeline::protocols`].
    pub proto: u16,
    /// Its field list, an index into [`Timeline::lists`].
    pub list: u32,
    /// The line.
    pub frame: Frame,
}

/// A recording ready to be replayed.
#[derive(Debug)]
pub struct Timeline {
    /// The greeting: the first `*KISMET` and `*PROTOCOLS` lines, each
    /// with its `\n`.
    pub(super) greeting: Vec<u8>,
    /// Every protocol with a recorded CAPABILITY.
    pub(super) protocols: Vec<Protocol>,
    /// The distinct field lists the frames were sent with.
    pub(super) lists: Vec<Arc<[String]>>,
    /// For each list, the indexes of its fields that identify a device
    /// ([`device_key_index`]).
    pub(super) keys: Vec<Vec<usize>>,
    /// Every frame, in time order.
    pub(super) frames: Vec<Played>,
    /// The time of the recording's last entry (of any kind).
    pub(super) end: Duration,
}

impl Timeline {
    /// Reads the recording at `path` (gzip when it ends in `.gz`).
    ///
    /// # Errors
    /// [`TimelineError`]: unreadable, not a recording, or no greeting.
    pub fn load(path: &Path) -> Result<Timeline, TimelineError> {
        let entries = read_recording(path).map_err(|error| TimelineError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        Timeline::from_entries(&entries).map_err(|e| match e {
            TimelineError::NoGreeting { path: None } => TimelineError::NoGreeting {
                path: Some(path.to_path_buf()),
            },
            e => e,
        })
    }

    /// Builds the timeline of a recording's entries.
    ///
    /// # Errors
    /// [`TimelineError::NoGreeting`].
    pub fn from_entries(entries: &[Entry]) -> Result<Timeline, TimelineError> {
        let mut b = Builder::default();
        for e in entries {
            b.entry(e);
        }
        b.finish()
    }

    /// Number of recorded frames it replays.
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// How long it lasts at speed 1: the time of the recording's last
    /// entry, from its start.
    pub fn duration(&self) -> Duration {
        self.end
    }

    /// The protocol called `name` (any case).
    pub(super) fn protocol(&self, name: &[u8]) -> Option<usize> {
        self.protocols
            .iter()
            .position(|p| p.name.as_bytes().eq_ignore_ascii_case(name))
    }

    /// The value of the field called `name` in a frame, if its list has one.
    pub(super) fn field<'a>(&self, played: &'a Played, name: &str) -> Option<&'a [u8]> {
        let list = &self.lists[played.list as usize];
        let i = list.iter().position(|f| f.eq_ignore_ascii_case(name))?;
        played.frame.field(i)
    }

    /// The latest frame of every device among the frames of `proto` before
    /// frame `upto` that `keep` accepts, sorted by their device keys (so a
    /// BSSID or SSID burst comes sorted by MAC, a CLIENT one by BSSID then
    /// MAC, as a real server sends them).
    pub(super) fn burst(
        &self,
        proto: usize,
        upto: usize,
        mut keep: impl FnMut(&Played) -> bool,
    ) -> Vec<u32> {
        let frames = &self.protocols[proto].frames;
        let end = frames.partition_point(|&i| (i as usize) < upto);
        let mut latest: HashMap<Vec<u8>, u32> = HashMap::new();
        for &i in frames[..end].iter().rev() {
            let played = &self.frames[i as usize];
            let key = self.device_key(played);
            if latest.contains_key(&key) || !keep(played) {
                continue;
            }
            latest.insert(key, i);
        }
        let mut burst: Vec<(Vec<u8>, u32)> = latest.into_iter().collect();
        burst.sort();
        burst.into_iter().map(|(_, i)| i).collect()
    }

    /// What identifies a frame's device: the names and values of its key
    /// fields.
    fn device_key(&self, played: &Played) -> Vec<u8> {
        let list = &self.lists[played.list as usize];
        let mut key = Vec::new();
        for &k in &self.keys[played.list as usize] {
            key.extend_from_slice(played.frame.field(k).unwrap_or_default());
            key.push(0);
            key.extend_from_slice(list[k].to_ascii_lowercase().as_bytes());
            key.push(0);
        }
        key
    }
}

/// An ENABLE or REMOVE sent and not yet answered.
struct Pending {
    proto: u16,
    /// The list enabled; `None` for a REMOVE.
    list: Option<u32>,
}

/// The state of the walk through the entries.
#[derive(Default)]
struct Builder {
    kismet: Option<Vec<u8>>,
    protocols_line: Option<Vec<u8>>,
    protocols: Vec<Protocol>,
    /// Lists each protocol was enabled with (ACKed).
    enabled: Vec<Vec<u32>>,
    lists: Vec<Arc<[String]>>,
    frames: Vec<Played>,
    /// The connection being read, its start on the timeline, and the
    /// wall-clock time (ms) of the first connection.
    connection: Option<usize>,
    base: Duration,
    first_wall: Option<i64>,
    last: Duration,
    /// Per protocol, the list in force on this connection.
    current: HashMap<u16, u32>,
    pending: Vec<(u64, Pending)>,
}

impl Builder {
    fn entry(&mut self, e: &Entry) {
        if self.connection != Some(e.connection) {
            self.new_connection(e);
        }
        let at = self.base + e.at;
        self.last = self.last.max(at);
        match e.direction {
            Direction::Sent => self.sent(&e.bytes),
            Direction::Received => self.received(&e.bytes, at),
            Direction::Event => {}
        }
    }

    /// A connection starts: at its wall-clock time on the timeline, never
    /// before what came earlier; the server forgets every subscription.
    fn new_connection(&mut self, e: &Entry) {
        self.connection = Some(e.connection);
        let wall = (e.direction == Direction::Event)
            .then(|| connect_time_ms(&e.bytes))
            .flatten();
        let offset = match (wall, self.first_wall) {
            (Some(w), Some(first)) => Duration::from_millis(u64::try_from(w - first).unwrap_or(0)),
            (Some(w), None) => {
                self.first_wall = Some(w);
                Duration::ZERO
            }
            (None, _) => Duration::ZERO,
        };
        self.base = offset.max(self.last);
        self.current.clear();
        self.pending.clear();
    }

    fn protocol(&self, name: &[u8]) -> Option<u16> {
        self.protocols
            .iter()
            .position(|p| p.name.as_bytes().eq_ignore_ascii_case(name))
            .map(|i| i as u16)
    }

    fn intern(&mut self, list: Vec<String>) -> u32 {
        if let Some(i) = self.lists.iter().position(|l| **l == list[..]) {
            return i as u32;
        }
        self.lists.push(list.into());
        (self.lists.len() - 1) as u32
    }

    /// A line the recording client sent: an ENABLE or REMOVE to follow.
    fn sent(&mut self, line: &[u8]) {
        let Some((id, CommandName::Known(command), args)) = parse_client_line(line) else {
            return;
        };
        let Some(proto) = args.first().and_then(|a| self.protocol(a)) else {
            return;
        };
        let list = match command {
            ServerCommand::Enable if args.len() >= 2 => {
                let fields = &self.protocols[proto as usize].fields;
                let list: Option<Vec<String>> = if args[1].first() == Some(&b'*') {
                    Some(fields.clone())
                } else {
                    split_field_list(&args[1])
                        .into_iter()
                        .map(|n| {
                            fields
                                .iter()
                                .find(|f| f.as_bytes().eq_ignore_ascii_case(n))
                                .cloned()
                        })
                        .collect()
                };
                // An unknown field: the server refuses it.
                let Some(list) = list else { return };
                Some(self.intern(list))
            }
            ServerCommand::Remove if args.len() == 1 => None,
            _ => return,
        };
        self.pending.push((id, Pending { proto, list }));
    }

    /// A line the recording client received.
    fn received(&mut self, line: &[u8], at: Duration) {
        let Ok(frame) = Frame::parse(line) else {
            return;
        };
        let header = frame.protocol_bytes();
        let with_newline = || [line, b"\n"].concat();
        match header {
            b"KISMET" => {
                if self.kismet.is_none() {
                    self.kismet = Some(with_newline());
                }
            }
            b"PROTOCOLS" => {
                if self.protocols_line.is_none() {
                    self.protocols_line = Some(with_newline());
                }
            }
            b"CAPABILITY" => self.capability(frame.field(0).unwrap_or_default()),
            b"ACK" | b"ERROR" => {
                let Some(id) = frame.field(0).and_then(number) else {
                    return;
                };
                let Some(i) = self.pending.iter().position(|(p, _)| *p == id) else {
                    return;
                };
                let (_, p) = self.pending.remove(i);
                if header == b"ACK" {
                    match p.list {
                        Some(list) => {
                            self.current.insert(p.proto, list);
                            self.enabled[p.proto as usize].push(list);
                        }
                        None => {
                            self.current.remove(&p.proto);
                        }
                    }
                }
            }
            _ if is_always_on(frame.protocol()) => {}
            _ => {
                let Some(proto) = self.protocol(header) else {
                    return;
                };
                if let Some(list) = self.list_of(proto, frame.len()) {
                    self.protocols[proto as usize]
                        .frames
                        .push(self.frames.len() as u32);
                    self.frames.push(Played {
                        at,
                        proto,
                        list,
                        frame,
                    });
                }
            }
        }
    }

    /// The list a line of `proto` with `count` fields was sent with.
    fn list_of(&mut self, proto: u16, count: usize) -> Option<u32> {
        let fits = |l: &u32| self.lists[*l as usize].len() == count;
        let pending = self
            .pending
            .iter()
            .rev()
            .find(|(_, p)| p.proto == proto)
            .and_then(|(_, p)| p.list);
        let current = self.current.get(&proto).copied();
        if let Some(l) = pending.filter(fits).or(current.filter(fits)) {
            return Some(l);
        }
        if pending.is_some() || current.is_some() {
            return None;
        }
        // Nothing enabled that the recording shows (a recording that
        // begins late, say): the whole CAPABILITY list, when it fits.
        let all = self.protocols[proto as usize].fields.clone();
        (all.len() == count).then(|| self.intern(all))
    }

    /// A recorded CAPABILITY line: the first for each protocol is kept.
    fn capability(&mut self, payload: &[u8]) {
        let Some((name, fields)) = parse_capability(payload) else {
            return;
        };
        if self.protocol(name.as_bytes()).is_some() || self.protocols.len() >= usize::from(u16::MAX)
        {
            return;
        }
        self.protocols.push(Protocol {
            name,
            capability: payload.to_vec(),
            fields,
            held: Vec::new(),
            frames: Vec::new(),
        });
        self.enabled.push(Vec::new());
    }

    fn finish(mut self) -> Result<Timeline, TimelineError> {
        let (Some(kismet), Some(protocols_line)) = (self.kismet.take(), self.protocols_line.take())
        else {
            return Err(TimelineError::NoGreeting { path: None });
        };
        for (i, p) in self.protocols.iter_mut().enumerate() {
            let mut used: Vec<u32> = self.enabled[i].clone();
            used.extend(p.frames.iter().map(|&f| self.frames[f as usize].list));
            p.held = if used.is_empty() {
                p.fields.clone()
            } else {
                let lists = &self.lists;
                p.fields
                    .iter()
                    .filter(|f| used.iter().any(|&l| lists[l as usize].contains(f)))
                    .cloned()
                    .collect()
            };
        }
        let keys = self.lists.iter().map(|l| device_key_index(l)).collect();
        Ok(Timeline {
            greeting: [kismet, protocols_line].concat(),
            protocols: self.protocols,
            lists: self.lists,
            keys,
            frames: self.frames,
            end: self.last,
        })
    }
}

/// The wall-clock time (ms since the epoch) of a `connect ADDR UTC-TIME`
/// event.
fn connect_time_ms(event: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(event.strip_prefix(b"connect ")?).ok()?;
    let time: jiff::Timestamp = text.rsplit(' ').next()?.parse().ok()?;
    Some(time.as_millisecond())
}

/// A decimal number field.
fn number(b: &[u8]) -> Option<u64> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kismet_record::parse_recording;

    /// A recording's text, from `D SECONDS TEXT` lines with `\x01` for SOH.
    fn timeline(lines: &[&str]) -> Timeline {
        let mut text = String::from("# kismet-shell recording 1\n");
        for l in lines {
            text.push_str(l);
            text.push('\n');
        }
        Timeline::from_entries(&parse_recording(text.as_bytes()).unwrap()).unwrap()
    }

    const HEAD: [&str; 8] = [
        "= 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:45.000Z",
        "< 0.001 *KISMET: 0.0.0 1795678119 \\x01Rec\\x01 \\x01\\x01 0 ",
        "< 0.001 *PROTOCOLS: KISMET,ACK,TIME,SSID",
        "> 0.002 !1 CAPABILITY SSID",
        "< 0.003 *CAPABILITY: SSID mac,type,ssid",
        "< 0.003 *ACK: 1 \\x01OK\\x01 ",
        "< 0.004 *CAPABILITY: TIME timesec",
        "< 0.004 *ACK: 2 \\x01OK\\x01 ",
    ];

    /// Frames carry the list enabled when they came: `*` is the whole
    /// CAPABILITY, the burst before the ACK has the new list, a list
    /// refused changes nothing; TIME is not a frame; the greeting is the
    /// recorded one.
    #[test]
    fn field_lists_follow_enable_and_ack() {
        let mut lines = HEAD.to_vec();
        lines.extend([
            "> 0.010 !3 ENABLE SSID *",
            "< 0.011 *SSID: AA 0 \\x01one\\x01 ",
            "< 0.011 *ACK: 3 \\x01OK\\x01 ",
            "< 1.000 *TIME: 1795678120",
            "< 1.100 *SSID: BB 0 \\x01two\\x01 ",
            "> 1.200 !4 ENABLE SSID ssid,MAC",
            "< 1.201 *SSID: AA 0 \\x01late\\x01 ",
            "< 1.202 *SSID: \\x01one\\x01 AA ",
            "< 1.202 *ACK: 4 \\x01OK\\x01 ",
            "> 1.300 !5 ENABLE SSID nosuch",
            "< 1.301 *ERROR: 5 \\x01Unknown field nosuch\\x01 ",
            "< 1.400 *SSID: \\x01two\\x01 BB ",
        ]);
        let t = timeline(&lines);
        assert!(t
            .greeting
            .starts_with(b"*KISMET: 0.0.0 1795678119 \x01Rec\x01"));
        assert!(t.greeting.ends_with(b"*PROTOCOLS: KISMET,ACK,TIME,SSID\n"));
        let ssid = t.protocol(b"ssid").unwrap();
        assert_eq!(t.protocols[ssid].held, ["mac", "type", "ssid"]);
        let lists: Vec<Vec<String>> = t
            .frames
            .iter()
            .map(|f| t.lists[f.list as usize].to_vec())
            .collect();
        let all = ["mac", "type", "ssid"].map(String::from).to_vec();
        let two = ["ssid", "mac"].map(String::from).to_vec();
        assert_eq!(lists, [all.clone(), all.clone(), all, two.clone(), two]);
        let times: Vec<u128> = t.frames.iter().map(|f| f.at.as_millis()).collect();
        assert_eq!(times, [11, 1100, 1201, 1202, 1400]);
        assert_eq!(t.end, Duration::from_millis(1400));
        assert_eq!(t.field(&t.frames[3], "MAC"), Some(&b"AA"[..]));
    }

    /// A reconnect keeps its gap on the timeline (from the connect
    /// events' wall-clock times), and the new connection starts with no
    /// list until its own ENABLE is ACKed.
    #[test]
    fn reconnect_keeps_its_gap() {
        let mut lines = HEAD.to_vec();
        lines.extend([
            "> 0.010 !3 ENABLE SSID mac,ssid",
            "< 0.011 *ACK: 3 \\x01OK\\x01 ",
            "< 0.500 *SSID: AA \\x01one\\x01 ",
            "= 0.600 disconnect server closed the connection",
            "= 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:47.000Z",
            "< 0.001 *KISMET: 0.0.0 1795678121 \\x01Again\\x01 \\x01\\x01 0 ",
            "< 0.002 *CAPABILITY: SSID mac,type,ssid",
            "> 0.010 !9 ENABLE SSID mac,ssid",
            "< 0.011 *SSID: BB \\x01two\\x01 ",
            "< 0.012 *ACK: 9 \\x01OK\\x01 ",
        ]);
        let t = timeline(&lines);
        let times: Vec<u128> = t.frames.iter().map(|f| f.at.as_millis()).collect();
        assert_eq!(times, [500, 2011]);
        assert!(t.greeting.windows(3).any(|w| w == b"Rec"));
        let ssid = t.protocol(b"SSID").unwrap();
        assert_eq!(t.protocols[ssid].held, ["mac", "ssid"]);
    }

    /// The burst holds the latest frame before the position of each
    /// device, sorted by key.
    #[test]
    fn burst_is_latest_per_device_sorted() {
        let mut lines = HEAD.to_vec();
        lines.extend([
            "> 0.010 !3 ENABLE SSID *",
            "< 0.011 *ACK: 3 \\x01OK\\x01 ",
            "< 0.100 *SSID: BB 0 \\x01b1\\x01 ",
            "< 0.200 *SSID: AA 0 \\x01a1\\x01 ",
            "< 0.300 *SSID: BB 0 \\x01b2\\x01 ",
            "< 0.400 *SSID: AA 0 \\x01a2\\x01 ",
        ]);
        let t = timeline(&lines);
        let ssid = t.protocol(b"SSID").unwrap();
        let names = |b: Vec<u32>| -> Vec<String> {
            b.iter()
                .map(|&i| {
                    String::from_utf8_lossy(t.field(&t.frames[i as usize], "ssid").unwrap())
                        .into_owned()
                })
                .collect()
        };
        assert_eq!(names(t.burst(ssid, 3, |_| true)), ["a1", "b2"]);
        assert_eq!(names(t.burst(ssid, 4, |_| true)), ["a2", "b2"]);
        assert_eq!(names(t.burst(ssid, 1, |_| true)), ["b1"]);
        assert!(t.burst(ssid, 0, |_| true).is_empty());
    }

    /// A recording without a greeting cannot be served.
    #[test]
    fn no_greeting_no_timeline() {
        let e = parse_recording(
            &b"# kismet-shell recording 1\n= 0.000 connect x 2026-11-27T11:42:45.000Z\n"[..],
        )
        .unwrap();
        assert!(matches!(
            Timeline::from_entries(&e),
            Err(TimelineError::NoGreeting { path: None })
        ));
    }
}
