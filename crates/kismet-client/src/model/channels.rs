//! Activity per channel: networks, packets per second and the strongest
//! signal, from the server's `*CHANNEL` lines when it sends them, and
//! from the model's networks otherwise. Read only while the model is
//! asked to ([`crate::Model::keep_channels`]).
//!
//! - From CHANNEL lines: the latest line of each channel. The server
//!   sends a round of lines every [`CHANNEL_PERIOD_S`] seconds, one per
//!   channel that saw traffic in it (PROTOCOL.md); `packetsdelta` counts
//!   the packets of that period, so a channel's rate is its `packetsdelta`
//!   over the period while its line is in the latest round, and 0 once a
//!   round came without it (or no round came for two periods).
//! - From the networks: per channel, the networks on it, the strongest
//!   of their last signals, and the rate at which the sum of their packet
//!   counts grew over the last [`RATE_WINDOW_S`] seconds of the server's
//!   clock (sampled at each TIME line, once a second).
//!
//! At most [`MAX_CHANNELS`] channels are kept from either source (the
//! wire is untrusted); past that, a new channel is not taken.

use std::collections::{BTreeMap, VecDeque};

use super::fields::FieldMap;
use kismet_protocol::decode::{parse_dbm, parse_u32, parse_u64};
use kismet_protocol::Frame;

/// The CHANNEL fields the model reads.
pub const CHANNEL_FIELDS: [&str; 4] = ["channel", "packetsdelta", "networks", "maxsignal_dbm"];

/// Positions in [`CHANNEL_FIELDS`].
mod at {
    pub const CHANNEL: usize = 0;
    pub const PACKETS_DELTA: usize = 1;
    pub const NETWORKS: usize = 2;
    pub const MAX_SIGNAL: usize = 3;
}

/// Channels kept at most, from either source.
pub const MAX_CHANNELS: usize = 512;

/// Seconds between two rounds of CHANNEL lines (PROTOCOL.md: "CHANNEL
/// every two seconds"; the legacy server's channel timer fires every
/// two seconds and resets `packetsdelta` each time).
pub const CHANNEL_PERIOD_S: u64 = 2;

/// Seconds of the server's clock over which the rate of packets from the
/// networks' counts is taken.
pub const RATE_WINDOW_S: u64 = 10;

/// Where a channel's numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChannelSource {
    /// The server's CHANNEL lines.
    Server,
    /// The model's networks (the server sent no CHANNEL line).
    #[default]
    Networks,
}

impl ChannelSource {
    /// `server` or `networks`.
    pub fn word(self) -> &'static str {
        match self {
            ChannelSource::Server => "server",
            ChannelSource::Networks => "networks",
        }
    }
}

/// A channel's band: 2.4 GHz (channels 1-14), 5 GHz (32-177), or other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Band {
    /// Channels 1 to 14.
    Ghz2_4,
    /// Channels 32 to 177.
    Ghz5,
    /// Any other channel number.
    Other,
}

impl Band {
    /// The band of channel `channel`.
    pub fn of(channel: u32) -> Band {
        match channel {
            1..=14 => Band::Ghz2_4,
            32..=177 => Band::Ghz5,
            _ => Band::Other,
        }
    }

    /// `2.4 GHz`, `5 GHz` or `other`.
    pub fn label(self) -> &'static str {
        match self {
            Band::Ghz2_4 => "2.4 GHz",
            Band::Ghz5 => "5 GHz",
            Band::Other => "other",
        }
    }

    /// Every band, in the order they are shown.
    pub const ALL: [Band; 3] = [Band::Ghz2_4, Band::Ghz5, Band::Other];
}

/// One channel's activity.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChannelView {
    /// The channel number.
    pub channel: u32,
    /// Networks seen on it (CHANNEL `networks`: every network the server
    /// saw on it; from the model: the networks whose channel it is).
    pub networks: Option<u64>,
    /// Packets a second lately; `None` until it can be told (the model's
    /// networks need two samples, a second apart).
    pub packets_per_s: Option<f64>,
    /// The strongest signal, dBm (CHANNEL `maxsignal_dbm`, of its latest
    /// period; from the model: the strongest last signal of its networks).
    pub max_signal_dbm: Option<i32>,
}

impl ChannelView {
    /// The channel's band.
    pub fn band(&self) -> Band {
        Band::of(self.channel)
    }
}

/// Every channel with activity, by number, and where the numbers come from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChannelsView {
    /// Where the numbers come from.
    pub source: ChannelSource,
    /// The channels, by number.
    pub channels: Vec<ChannelView>,
}

/// A channel's latest CHANNEL line.
#[derive(Debug, Clone, Copy)]
struct Line {
    delta: Option<u64>,
    networks: Option<u64>,
    max_signal: Option<i32>,
    /// The server's clock when it came (its latest TIME), if known.
    at: Option<u64>,
}

/// One network's part in the per-channel sums (see [`from_networks`]).
#[derive(Debug, Clone, Copy)]
pub struct NetworkPart {
    /// Its channel (0: none, a probe entry).
    pub channel: u32,
    /// Its packets: `llcpackets` + `datapackets`.
    pub packets: Option<u64>,
    /// Its last signal, dBm.
    pub signal_dbm: Option<i32>,
}

/// Packets per channel, summed over the networks.
type Sums = BTreeMap<u32, u64>;

/// The channels part of the model's state.
#[derive(Debug)]
pub struct Channels {
    /// Where the fields sit in CHANNEL frames.
    at: FieldMap<{ CHANNEL_FIELDS.len() }>,
    /// The latest line of each channel.
    lines: BTreeMap<u32, Line>,
    /// Packets per channel summed over the networks, at server times
    /// (oldest first), over [`RATE_WINDOW_S`] at most.
    samples: VecDeque<(u64, Sums)>,
    /// CHANNEL lines applied, ever.
    pub lines_read: u64,
    /// Whether the model asks for CHANNEL and samples the networks.
    pub kept: bool,
}

impl Default for Channels {
    fn default() -> Channels {
        Channels {
            at: FieldMap::new(&CHANNEL_FIELDS),
            lines: BTreeMap::new(),
            samples: VecDeque::new(),
            lines_read: 0,
            kept: false,
        }
    }
}

/// Inserts or updates `key` of a map holding at most [`MAX_CHANNELS`]
/// keys: a new key past that is not taken.
fn bounded<V>(map: &mut BTreeMap<u32, V>, key: u32, new: impl FnOnce() -> V) -> Option<&mut V> {
    if map.len() >= MAX_CHANNELS && !map.contains_key(&key) {
        return None;
    }
    Some(map.entry(key).or_insert_with(new))
}

/// Per channel (not 0, at most [`MAX_CHANNELS`]): networks, the sum of
/// their packets, the strongest of their signals.
fn from_networks(
    parts: impl Iterator<Item = NetworkPart>,
) -> BTreeMap<u32, (u64, u64, Option<i32>)> {
    let mut out: BTreeMap<u32, (u64, u64, Option<i32>)> = BTreeMap::new();
    for p in parts.filter(|p| p.channel != 0) {
        if let Some((n, packets, signal)) = bounded(&mut out, p.channel, || (0, 0, None)) {
            *n += 1;
            *packets = packets.saturating_add(p.packets.unwrap_or(0));
            *signal = (*signal).max(p.signal_dbm).or(p.signal_dbm);
        }
    }
    out
}

impl Channels {
    /// Takes a CHANNEL frame, `clock` the server's time (its latest TIME);
    /// false when it has no field names or no channel number.
    pub fn line(&mut self, f: &Frame, clock: Option<u64>) -> bool {
        let Some(pos) = self.at.resolve(f) else {
            return false;
        };
        let Some(channel) = pos.get(f, at::CHANNEL).and_then(parse_u32) else {
            return false;
        };
        let line = Line {
            delta: pos.get(f, at::PACKETS_DELTA).and_then(parse_u64),
            networks: pos.get(f, at::NETWORKS).and_then(parse_u64),
            max_signal: pos.get(f, at::MAX_SIGNAL).and_then(parse_dbm),
            at: clock,
        };
        self.lines_read += 1;
        if let Some(slot) = bounded(&mut self.lines, channel, || line) {
            *slot = line;
        }
        true
    }

    /// Takes a sample of the networks' packets per channel at server time
    /// `clock` (at each TIME line, while kept); keeps [`RATE_WINDOW_S`].
    pub fn sample(&mut self, clock: u64, parts: impl Iterator<Item = NetworkPart>) {
        if self.samples.back().is_some_and(|(t, _)| *t >= clock) {
            // The same second again, or the clock went back: start over
            // when it went back.
            if self.samples.back().is_some_and(|(t, _)| *t > clock) {
                self.samples.clear();
            } else {
                return;
            }
        }
        let sums = from_networks(parts)
            .into_iter()
            .map(|(ch, (_, packets, _))| (ch, packets))
            .collect();
        self.samples.push_back((clock, sums));
        while self
            .samples
            .front()
            .is_some_and(|(t, _)| clock - t > RATE_WINDOW_S)
        {
            self.samples.pop_front();
        }
    }

    /// The channels: from the CHANNEL lines when any came, else from the
    /// networks `parts`; `clock` the server's time now.
    pub fn view(
        &self,
        clock: Option<u64>,
        parts: impl Iterator<Item = NetworkPart>,
    ) -> ChannelsView {
        if self.lines.is_empty() {
            return ChannelsView {
                source: ChannelSource::Networks,
                channels: self.networks_view(parts),
            };
        }
        // The latest round: lines within a second of the newest (a round
        // may straddle a second), while rounds still come.
        let newest = self.lines.values().filter_map(|l| l.at).max();
        let current = |l: &Line| match (l.at, newest) {
            (Some(at), Some(newest)) => {
                let rounds_on =
                    clock.is_none_or(|c| c.saturating_sub(newest) <= 2 * CHANNEL_PERIOD_S);
                at + 1 >= newest && rounds_on
            }
            _ => true,
        };
        let channels = (self.lines.iter())
            .map(|(&channel, l)| ChannelView {
                channel,
                networks: l.networks,
                packets_per_s: if current(l) {
                    l.delta.map(|d| d as f64 / CHANNEL_PERIOD_S as f64)
                } else {
                    Some(0.0)
                },
                max_signal_dbm: l.max_signal,
            })
            .collect();
        ChannelsView {
            source: ChannelSource::Server,
            channels,
        }
    }

    /// The channels from the networks, the rates from the samples.
    fn networks_view(&self, parts: impl Iterator<Item = NetworkPart>) -> Vec<ChannelView> {
        let rates: Option<(f64, &Sums, &Sums)> = match (self.samples.front(), self.samples.back()) {
            (Some((t0, first)), Some((t1, last))) if t1 > t0 => {
                Some(((t1 - t0) as f64, first, last))
            }
            _ => None,
        };
        from_networks(parts)
            .into_iter()
            .map(|(channel, (networks, _, signal))| ChannelView {
                channel,
                networks: Some(networks),
                packets_per_s: rates.map(|(dt, first, last)| {
                    let now = last.get(&channel).copied().unwrap_or(0);
                    let then = first.get(&channel).copied().unwrap_or(0);
                    // A network gone or moved makes the sum drop: not
                    // a negative rate.
                    now.saturating_sub(then) as f64 / dt
                }),
                max_signal_dbm: signal,
            })
            .collect()
    }

    /// Forgets the lines and samples (a new connection); the count of
    /// lines carries on.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.samples.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CHANNEL line with the recorded server's field list.
    fn channel_frame(line: &str) -> Frame {
        Frame::parse(line.as_bytes())
            .unwrap()
            .with_names(Some(crate::model::tests::capability("CHANNEL")))
    }

    fn part(channel: u32, packets: u64, signal: i32) -> NetworkPart {
        NetworkPart {
            channel,
            packets: Some(packets),
            signal_dbm: Some(signal),
        }
    }

    /// A CHANNEL line gives its channel's networks, strongest signal and
    /// packetsdelta over the two-second period as the rate; -256 (never
    /// seen) is no signal.
    #[test]
    fn channel_lines_give_networks_signal_and_rate_per_period() {
        let mut c = Channels::default();
        assert!(c.line(
            &channel_frame("*CHANNEL: 6 0 120 30 0 9000 900 3 -45 0 -256 0 2 "),
            Some(100)
        ));
        assert!(c.line(
            &channel_frame("*CHANNEL: 36 0 10 5 0 100 10 1 -256 0 -256 0 1 "),
            Some(100)
        ));
        let v = c.view(Some(101), std::iter::empty());
        assert_eq!(v.source, ChannelSource::Server);
        assert_eq!(
            v.channels,
            [
                ChannelView {
                    channel: 6,
                    networks: Some(3),
                    packets_per_s: Some(15.0),
                    max_signal_dbm: Some(-45)
                },
                ChannelView {
                    channel: 36,
                    networks: Some(1),
                    packets_per_s: Some(2.5),
                    max_signal_dbm: None
                },
            ]
        );
        assert_eq!(v.channels[1].band(), Band::Ghz5);
    }

    /// A later line of a channel replaces its earlier one; a channel left
    /// out of the latest round (no traffic in it) shows 0 packets a
    /// second, and every channel does once rounds stop coming.
    #[test]
    fn channel_missing_from_latest_round_has_zero_rate() {
        let mut c = Channels::default();
        c.line(
            &channel_frame("*CHANNEL: 1 0 10 10 0 0 0 1 -50 0 0 0 1 "),
            Some(100),
        );
        c.line(
            &channel_frame("*CHANNEL: 6 0 10 10 0 0 0 1 -60 0 0 0 1 "),
            Some(100),
        );
        c.line(
            &channel_frame("*CHANNEL: 6 0 14 4 0 0 0 2 -61 0 0 0 1 "),
            Some(102),
        );
        let v = c.view(Some(102), std::iter::empty());
        let rates: Vec<_> = v
            .channels
            .iter()
            .map(|x| (x.channel, x.packets_per_s))
            .collect();
        assert_eq!(rates, [(1, Some(0.0)), (6, Some(2.0))]);
        assert_eq!(v.channels[1].networks, Some(2));
        let later = c.view(Some(110), std::iter::empty());
        assert!(later.channels.iter().all(|x| x.packets_per_s == Some(0.0)));
    }

    /// Without CHANNEL lines, the channels come from the networks: their
    /// count, the strongest signal, and the rate from the packet sums'
    /// growth between the oldest and newest samples; channel 0 (a probe
    /// entry) is left out.
    #[test]
    fn without_channel_lines_networks_give_counts_signal_and_rate() {
        let mut c = Channels::default();
        let nets = |p1: u64, p6: u64| {
            [
                part(1, p1, -70),
                part(1, 5, -40),
                part(6, p6, -80),
                part(0, 9, -30),
            ]
        };
        assert!(c.view(Some(100), nets(0, 0).into_iter()).channels[0]
            .packets_per_s
            .is_none());
        c.sample(100, nets(10, 100).into_iter());
        c.sample(101, nets(20, 100).into_iter());
        c.sample(102, nets(30, 104).into_iter());
        let v = c.view(Some(102), nets(30, 104).into_iter());
        assert_eq!(v.source, ChannelSource::Networks);
        assert_eq!(
            v.channels,
            [
                ChannelView {
                    channel: 1,
                    networks: Some(2),
                    packets_per_s: Some(10.0),
                    max_signal_dbm: Some(-40)
                },
                ChannelView {
                    channel: 6,
                    networks: Some(1),
                    packets_per_s: Some(2.0),
                    max_signal_dbm: Some(-80)
                },
            ]
        );
    }

    /// Samples older than the window are dropped: the rate is that of the
    /// last RATE_WINDOW_S seconds.
    #[test]
    fn network_rate_covers_only_the_window() {
        let mut c = Channels::default();
        c.sample(100, [part(1, 0, -50)].into_iter());
        c.sample(200, [part(1, 1000, -50)].into_iter());
        c.sample(200 + RATE_WINDOW_S, [part(1, 1010, -50)].into_iter());
        let v = c.view(None, [part(1, 1010, -50)].into_iter());
        assert_eq!(v.channels[0].packets_per_s, Some(1.0));
    }

    /// At most MAX_CHANNELS channels are kept from CHANNEL lines: a line
    /// of a new channel past that is read but not kept.
    #[test]
    fn channel_lines_past_the_limit_are_not_kept() {
        let mut c = Channels::default();
        for ch in 1..=(MAX_CHANNELS as u32 + 10) {
            assert!(c.line(
                &channel_frame(&format!("*CHANNEL: {ch} 0 1 1 0 0 0 1 -50 0 0 0 1 ")),
                None
            ));
        }
        assert_eq!(
            c.view(None, std::iter::empty()).channels.len(),
            MAX_CHANNELS
        );
        assert_eq!(c.lines_read, MAX_CHANNELS as u64 + 10);
    }

    /// Through the model: without CHANNEL lines, BSSID records and TIME
    /// lines give the channels and their rate; once a CHANNEL line
    /// comes, the channels are the server's. The model asks for CHANNEL
    /// only once told to keep channels.
    #[test]
    fn model_reads_channels_from_networks_then_from_channel_lines() {
        use crate::model::tests::record;
        use crate::{Model, Tracker};
        let model = Model::default();
        assert!(!model.needs().iter().any(|(p, _)| p == "CHANNEL"));
        model.keep_channels();
        assert!(model.needs().iter().any(|(p, _)| p == "CHANNEL"));
        let bssid = |packets: &str| {
            record(
                "BSSID",
                &[
                    ("bssid", "00:14:6C:A1:00:01"),
                    ("channel", "11"),
                    ("llcpackets", packets),
                    ("signal_dbm", "-52"),
                ],
            )
        };
        let time = |t: &str| record("TIME", &[("timesec", t)]);
        model.feed(&[bssid("10"), time("1000"), bssid("30"), time("1002")]);
        let v = model.channels();
        assert_eq!(v.source, ChannelSource::Networks);
        assert_eq!(
            v.channels,
            [ChannelView {
                channel: 11,
                networks: Some(1),
                packets_per_s: Some(10.0),
                max_signal_dbm: Some(-52)
            }]
        );
        model.feed(&[record(
            "CHANNEL",
            &[
                ("channel", "6"),
                ("packetsdelta", "8"),
                ("networks", "2"),
                ("maxsignal_dbm", "-40"),
            ],
        )]);
        let v = model.channels();
        assert_eq!(v.source, ChannelSource::Server);
        assert_eq!(v.channels.len(), 1);
        assert_eq!(
            (v.channels[0].channel, v.channels[0].packets_per_s),
            (6, Some(4.0))
        );
        assert_eq!(model.channel_lines(), 1);
    }
}
