//! The server's capture sources, from `*SOURCE` lines: one row per source,
//! keyed by its UUID, the latest line's values. Read only while the model
//! is asked to ([`crate::Model::keep_sources`]): the server sends every
//! source's line once a second once SOURCE is enabled.
//!
//! At most [`MAX_SOURCES`] are kept; past that, a new source takes the
//! place of the one whose line is oldest. A source whose lines stopped
//! while the others' go on (removed, by DELSOURCE from any client) is left
//! out once it is [`GONE_AFTER`] behind the newest line.

use std::time::{Duration, Instant};

use super::fields::FieldMap;
use kismet_protocol::decode::{parse_u32, parse_u64};
use kismet_protocol::Frame;

/// The SOURCE fields the model reads (every field of the protocol).
pub const SOURCE_FIELDS: [&str; 14] = [
    "interface",
    "type",
    "username",
    "channel",
    "uuid",
    "packets",
    "hop",
    "velocity",
    "dwell",
    "hop_time_sec",
    "hop_time_usec",
    "channellist",
    "error",
    "warning",
];

/// Positions in [`SOURCE_FIELDS`].
mod at {
    pub const INTERFACE: usize = 0;
    pub const TYPE: usize = 1;
    pub const USERNAME: usize = 2;
    pub const CHANNEL: usize = 3;
    pub const UUID: usize = 4;
    pub const PACKETS: usize = 5;
    pub const HOP: usize = 6;
    pub const VELOCITY: usize = 7;
    pub const DWELL: usize = 8;
    pub const CHANNEL_LIST: usize = 11;
    pub const ERROR: usize = 12;
    pub const WARNING: usize = 13;
}

/// Capture sources kept at most.
pub const MAX_SOURCES: usize = 64;

/// How far a source's latest line may fall behind the newest line of any
/// source before it is taken for removed (the server sends every source's
/// line once a second).
pub const GONE_AFTER: Duration = Duration::from_secs(5);

/// Longest text kept of a source's field, bytes (a longer one is cut).
const MAX_TEXT: usize = 256;

/// One capture source as its latest `*SOURCE` line gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceView {
    /// `username`: the source's name.
    pub name: String,
    /// `uuid`.
    pub uuid: String,
    /// `interface` (a device, or a file).
    pub interface: String,
    /// `type`: the driver.
    pub source_type: String,
    /// `channel`: the channel it is on now (0: none, e.g. a file).
    pub channel: Option<u32>,
    /// `packets` captured.
    pub packets: Option<u64>,
    /// `hop`: whether it hops channels (false: locked).
    pub hopping: Option<bool>,
    /// `velocity`: channels a second while hopping.
    pub velocity: Option<u32>,
    /// `dwell`: seconds a channel while hopping (0: velocity counts).
    pub dwell: Option<u32>,
    /// `channellist`: the name of the channels it hops (`0`: none).
    pub channel_list: String,
    /// `error`: whether the source is in error.
    pub error: bool,
    /// `warning`: the server's warning text (empty: none).
    pub warning: String,
}

/// The channels of the legacy server's named channel lists (its
/// kismet.conf: `IEEE80211b` the 2.4 GHz channels it hops, `IEEE80211a`
/// the 5 GHz ones, `IEEE80211ab` both).
const NAMED_LISTS: [(&str, &[u32]); 3] = [
    ("IEEE80211b", &B_CHANNELS),
    ("IEEE80211a", &A_CHANNELS),
    ("IEEE80211ab", &AB_CHANNELS),
];
const B_CHANNELS: [u32; 14] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const A_CHANNELS: [u32; 13] = [36, 40, 44, 48, 52, 56, 60, 64, 149, 153, 157, 161, 165];
const AB_CHANNELS: [u32; 27] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 36, 40, 44, 48, 52, 56, 60, 64, 149, 153, 157,
    161, 165,
];

impl SourceView {
    /// The channels the source may be put on, from its channel list: a
    /// named list of the server's (see `NAMED_LISTS`), or the list a
    /// CHANSOURCE gave (`1,6:3,11`: weights dropped); sorted, without
    /// repeats. Empty for a list it does not know (`n/a`, `0`, a name of
    /// the user's own).
    pub fn channels(&self) -> Vec<u32> {
        let list = self.channel_list.trim();
        if let Some((_, c)) = NAMED_LISTS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(list))
        {
            return c.to_vec();
        }
        // A named list with its channels (`IEEE80211b:1:3,6:3,11`).
        let list = list.split_once(':').map_or(list, |(name, rest)| {
            if name.contains(',') || name.bytes().all(|b| b.is_ascii_digit()) {
                list
            } else {
                rest
            }
        });
        let parsed: Option<Vec<u32>> = (list.split(','))
            .map(|c| c.split(':').next().unwrap_or("").trim().parse().ok())
            .collect();
        let mut v = parsed.unwrap_or_default();
        v.retain(|&c| c > 0);
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// A text field, lossily, cut to [`MAX_TEXT`].
fn text(raw: Option<&[u8]>) -> String {
    let raw = raw.unwrap_or_default();
    let raw = &raw[..raw.len().min(MAX_TEXT)];
    String::from_utf8_lossy(raw).into_owned()
}

/// The sources part of the model's state.
#[derive(Debug)]
pub struct Sources {
    /// Where the fields sit in SOURCE frames.
    at: FieldMap<{ SOURCE_FIELDS.len() }>,
    /// The sources, each with the number and the time of the line that
    /// last updated it.
    list: Vec<(u64, Instant, SourceView)>,
    /// When the newest line came.
    newest: Option<Instant>,
    /// SOURCE lines applied, ever.
    pub lines: u64,
    /// Whether the model asks for SOURCE.
    pub kept: bool,
}

impl Default for Sources {
    fn default() -> Sources {
        Sources {
            at: FieldMap::new(&SOURCE_FIELDS),
            list: Vec::new(),
            newest: None,
            lines: 0,
            kept: false,
        }
    }
}

impl Sources {
    /// Takes a SOURCE frame; false when it has no field names or no UUID.
    pub fn line(&mut self, f: &Frame) -> bool {
        self.line_at(f, Instant::now())
    }

    /// [`Sources::line`], the line having come at `now`.
    pub fn line_at(&mut self, f: &Frame, now: Instant) -> bool {
        let Some(at) = self.at.resolve(f) else {
            return false;
        };
        let uuid = text(at.get(f, at::UUID));
        if uuid.is_empty() {
            return false;
        }
        let view = SourceView {
            name: text(at.get(f, at::USERNAME)),
            uuid,
            interface: text(at.get(f, at::INTERFACE)),
            source_type: text(at.get(f, at::TYPE)),
            channel: at.get(f, at::CHANNEL).and_then(parse_u32),
            packets: at.get(f, at::PACKETS).and_then(parse_u64),
            hopping: at.get(f, at::HOP).and_then(parse_u32).map(|h| h != 0),
            velocity: at.get(f, at::VELOCITY).and_then(parse_u32),
            dwell: at.get(f, at::DWELL).and_then(parse_u32),
            channel_list: text(at.get(f, at::CHANNEL_LIST)),
            error: at.get(f, at::ERROR).and_then(parse_u32).unwrap_or(0) != 0,
            warning: text(at.get(f, at::WARNING)),
        };
        self.lines += 1;
        self.newest = Some(now);
        let slot = (self.lines, now, view);
        if let Some(old) = self.list.iter_mut().find(|(_, _, s)| s.uuid == slot.2.uuid) {
            *old = slot;
        } else if self.list.len() < MAX_SOURCES {
            self.list.push(slot);
        } else if let Some(oldest) = self.list.iter_mut().min_by_key(|(seen, _, _)| *seen) {
            *oldest = slot;
        }
        true
    }

    /// The sources, by name (then UUID), but those [`GONE_AFTER`] behind
    /// the newest line.
    pub fn views(&self) -> Vec<SourceView> {
        let newest = self.newest;
        let mut v: Vec<SourceView> = (self.list.iter())
            .filter(|(_, at, _)| newest.is_none_or(|n| n.duration_since(*at) <= GONE_AFTER))
            .map(|(_, _, s)| s.clone())
            .collect();
        v.sort_by(|a, b| (&a.name, &a.uuid).cmp(&(&b.name, &b.uuid)));
        v
    }

    /// Forgets the source of this UUID (removed); true if it was kept.
    pub fn forget(&mut self, uuid: &str) -> bool {
        let before = self.list.len();
        self.list.retain(|(_, _, s)| s.uuid != uuid);
        self.list.len() < before
    }

    /// Forgets the sources (a new connection); the count of lines carries on.
    pub fn clear(&mut self) {
        self.list.clear();
        self.newest = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn source_frame(line: &str) -> Frame {
        let names: Arc<[String]> = SOURCE_FIELDS.iter().map(|s| s.to_string()).collect();
        Frame::parse(line.as_bytes())
            .unwrap()
            .with_names(Some(names))
    }

    /// A recorded line (t8_nosource_addsource.log) reads field by field;
    /// a later line of the same UUID replaces it.
    #[test]
    fn source_line_reads_and_later_line_of_same_uuid_replaces_it() {
        let mut s = Sources::default();
        let line = "*SOURCE: /var/lib/kismet/sample.pcap pcapfile added 0 \
                    485cc7aa-e96b-11f1-8482-3605de242c0d 1547 0 3 0 0 0 0 0 \x01\x01 ";
        assert!(s.line(&source_frame(line)));
        let v = &s.views()[0];
        assert_eq!(
            (
                v.name.as_str(),
                v.interface.as_str(),
                v.source_type.as_str()
            ),
            ("added", "/var/lib/kismet/sample.pcap", "pcapfile")
        );
        assert_eq!(
            (v.channel, v.packets, v.hopping),
            (Some(0), Some(1547), Some(false))
        );
        assert_eq!((v.velocity, v.dwell, v.error), (Some(3), Some(0), false));
        let hop = "*SOURCE: wlan0mon rt2800usb wlan0 6 \
                   485cc7aa-e96b-11f1-8482-3605de242c0d 9 1 5 0 0 0 IEEE80211b 0 \x01\x01 ";
        s.line(&source_frame(hop));
        let v = s.views();
        assert_eq!(v.len(), 1);
        assert_eq!((v[0].channel, v[0].hopping), (Some(6), Some(true)));
        assert_eq!(s.lines, 2);
    }

    /// Past MAX_SOURCES, a new source takes the place of the stalest.
    #[test]
    fn sources_past_the_limit_replace_the_stalest() {
        let mut s = Sources::default();
        for i in 0..=MAX_SOURCES {
            let line = format!("*SOURCE: if{i} t n{i:03} 1 uuid-{i:03} 0 0 5 0 0 0 0 0 \x01\x01 ");
            assert!(s.line(&source_frame(&line)));
        }
        let v = s.views();
        assert_eq!(v.len(), MAX_SOURCES);
        assert!(!v.iter().any(|x| x.uuid == "uuid-000"));
        assert!(v.iter().any(|x| x.uuid == format!("uuid-{MAX_SOURCES:03}")));
    }

    /// A named list gives its channels; a CHANSOURCE list its own, weights
    /// dropped; anything else none.
    #[test]
    fn source_channels_come_from_a_named_list_or_a_given_one() {
        let with = |list: &str| SourceView {
            name: "s".into(),
            uuid: "u".into(),
            interface: "i".into(),
            source_type: "t".into(),
            channel: None,
            packets: None,
            hopping: None,
            velocity: None,
            dwell: None,
            channel_list: list.into(),
            error: false,
            warning: String::new(),
        };
        assert_eq!(with("IEEE80211b").channels(), (1..=14).collect::<Vec<_>>());
        assert_eq!(with("ieee80211a").channels()[0], 36);
        assert_eq!(with("IEEE80211ab").channels().len(), 27);
        assert_eq!(with("11,1:3,6").channels(), [1, 6, 11]);
        assert_eq!(with("mylist:1:3,6:3,11").channels(), [1, 6, 11]);
        assert_eq!(with("6").channels(), [6]);
        for none in ["n/a", "0", "", "mylist", "1,x"] {
            assert_eq!(with(none).channels(), Vec::<u32>::new(), "{none}");
        }
    }

    /// A source whose lines stop while another's go on is left out once
    /// GONE_AFTER behind; a source forgotten is gone at once.
    #[test]
    fn source_whose_lines_stop_is_left_out_after_gone_after() {
        let mut s = Sources::default();
        let a = source_frame("*SOURCE: if0 t a 1 uuid-a 0 0 5 0 0 0 0 0 \x01\x01 ");
        let b = source_frame("*SOURCE: if1 t b 1 uuid-b 0 0 5 0 0 0 0 0 \x01\x01 ");
        let t0 = Instant::now();
        s.line_at(&a, t0);
        s.line_at(&b, t0);
        let names = |s: &Sources| s.views().into_iter().map(|v| v.name).collect::<Vec<_>>();
        s.line_at(&a, t0 + GONE_AFTER);
        assert_eq!(names(&s), ["a", "b"], "at GONE_AFTER behind, still listed");
        s.line_at(&a, t0 + GONE_AFTER + Duration::from_secs(1));
        assert_eq!(names(&s), ["a"]);
        s.line_at(&b, t0 + GONE_AFTER + Duration::from_secs(1));
        assert_eq!(names(&s), ["a", "b"], "its lines again: listed again");
        assert!(s.forget("uuid-a") && !s.forget("uuid-a"));
        assert_eq!(names(&s), ["b"]);
    }
}
