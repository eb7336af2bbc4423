//! The things the simulated world is made of, as plain data: addresses,
//! signal levels, positions, networks and their SSIDs, client records,
//! capture sources, the GPS, the battery, channels, alerts, counters.
//! How they evolve is `world`'s job; how they are written on the wire,
//! `records`'.

use std::collections::BTreeMap;
use std::fmt;

use super::rng::Rng;

/// A MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Mac(pub [u8; 6]);

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        write!(
            f,
            "{:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        )
    }
}

impl Mac {
    /// Parses `AA:BB:CC:DD:EE:FF` (any case).
    pub fn parse(text: &[u8]) -> Option<Mac> {
        let text = std::str::from_utf8(text).ok()?;
        let mut out = [0u8; 6];
        let mut parts = text.split(':');
        for b in &mut out {
            let p = parts.next()?;
            if p.len() != 2 {
                return None;
            }
            *b = u8::from_str_radix(p, 16).ok()?;
        }
        parts.next().is_none().then_some(Mac(out))
    }
}

/// Signal levels seen for a device, dBm.
#[derive(Debug, Clone, Default)]
pub struct Signal {
    /// Last level.
    pub dbm: i32,
    /// Weakest level seen.
    pub min_dbm: i32,
    /// Strongest level seen.
    pub max_dbm: i32,
}

impl Signal {
    /// A level seen once.
    pub fn new(dbm: i32) -> Signal {
        Signal {
            dbm,
            min_dbm: dbm,
            max_dbm: dbm,
        }
    }

    /// A level seen now.
    pub fn hear(&mut self, dbm: i32) {
        self.dbm = dbm;
        self.min_dbm = self.min_dbm.min(dbm);
        self.max_dbm = self.max_dbm.max(dbm);
    }

    /// Random walk of the level, kept in a plausible range.
    pub fn drift(&mut self, rng: &mut Rng) {
        self.dbm = (self.dbm + rng.range(-4, 4) as i32).clamp(-92, -30);
        self.min_dbm = self.min_dbm.min(self.dbm);
        self.max_dbm = self.max_dbm.max(self.dbm);
    }
}

/// Where a device was seen: bounding box, best and average position, as
/// a real server keeps them for BSSID and CLIENT.
#[derive(Debug, Clone)]
pub struct GpsBox {
    /// Minimum lat, lon, alt, speed (90, 180, 100000, 100000 before a fix).
    pub min: [f64; 4],
    /// Maximum lat, lon, alt, speed (the negated sentinels before a fix).
    pub max: [f64; 4],
    /// Position when the strongest signal was seen (0 0 0 if that was
    /// before any fix).
    pub best: [f64; 3],
    /// Sums of lat, lon, alt over the points.
    agg: [f64; 3],
    /// Number of positions aggregated.
    pub points: u64,
    best_dbm: i32,
}

impl Default for GpsBox {
    fn default() -> GpsBox {
        GpsBox {
            min: [90.0, 180.0, 100000.0, 100000.0],
            max: [-90.0, -180.0, -100000.0, -100000.0],
            best: [0.0; 3],
            agg: [0.0; 3],
            points: 0,
            best_dbm: -256,
        }
    }
}

impl GpsBox {
    /// Counts a sighting at signal level `dbm`, with the fix it was tagged
    /// with (`None`: no fix then). A new strongest signal takes the
    /// sighting's position as the best one, or leaves the best as it was
    /// when there was no fix (as the server does). The fix is `[lat, lon,
    /// alt, spd]`.
    pub fn sight(&mut self, fix: Option<[f64; 4]>, dbm: i32) {
        if let Some(p) = fix {
            for (i, v) in p.iter().enumerate() {
                self.min[i] = self.min[i].min(*v);
                self.max[i] = self.max[i].max(*v);
                if let Some(a) = self.agg.get_mut(i) {
                    *a += v;
                }
            }
            self.points += 1;
        }
        if dbm > self.best_dbm {
            self.best_dbm = dbm;
            if let Some([lat, lon, alt, _]) = fix {
                self.best = [lat, lon, alt];
            }
        }
    }

    /// Average lat, lon and alt of the points (0 with none): what a server
    /// since 2011 sends as `agglat`, `agglon` and `aggalt`.
    pub fn average(&self) -> [f64; 3] {
        if self.points == 0 {
            return [0.0; 3];
        }
        self.agg.map(|a| a / self.points as f64)
    }
}

/// One SSID of a network: advertised (type 0) or probed for (type 2).
#[derive(Debug, Clone)]
pub struct SsidInfo {
    /// Raw SSID bytes (escaped when sent).
    pub ssid: Vec<u8>,
    /// 0 beacon, 2 probe request.
    pub stype: u8,
    /// Encryption bit set.
    pub cryptset: u64,
    /// Hidden network.
    pub cloaked: bool,
    /// First seen.
    pub firsttime: u64,
    /// Last seen.
    pub lasttime: u64,
    /// Highest advertised rate, Mbit/s.
    pub maxrate: f64,
    /// Beacons per second.
    pub beaconrate: u32,
    /// Frames carrying this SSID.
    pub packets: u64,
    /// Beacons carrying this SSID.
    pub beacons: u64,
}

/// A network: an access point (type 0) or a station's probes (type 2).
#[derive(Debug, Clone)]
pub struct Network {
    /// BSSID.
    pub bssid: Mac,
    /// 0 access point, 2 probe.
    pub ntype: u8,
    /// Manufacturer from the OUI.
    pub manuf: &'static str,
    /// Channel (0 for probes).
    pub channel: u8,
    /// First seen.
    pub firsttime: u64,
    /// Last seen.
    pub lasttime: u64,
    /// Management frames.
    pub llc: u64,
    /// Data frames.
    pub data: u64,
    /// Encrypted data frames.
    pub crypt: u64,
    /// Data bytes.
    pub datasize: u64,
    /// Fragmented frames.
    pub fragments: u64,
    /// Retried frames.
    pub retries: u64,
    /// Frames since the last tick.
    pub newpackets: u64,
    /// Signal levels.
    pub signal: Signal,
    /// Positions.
    pub gps: GpsBox,
    /// Highest rate seen, Mbit/s.
    pub maxseenrate: u32,
    /// Encryption seen in data frames (bit set).
    pub cryptset: u64,
    /// SSIDs.
    pub ssids: Vec<SsidInfo>,
    /// Tags set by clients (ADDNETTAG).
    pub tags: BTreeMap<String, String>,
}

/// A station as seen in one network (the server's CLIENT record).
#[derive(Debug, Clone)]
pub struct ClientRec {
    /// The network.
    pub bssid: Mac,
    /// The station.
    pub mac: Mac,
    /// 1 from DS, 2 to DS, 3 inter DS, 4 established.
    pub ctype: u8,
    /// Manufacturer.
    pub manuf: &'static str,
    /// First seen.
    pub firsttime: u64,
    /// Last seen.
    pub lasttime: u64,
    /// Management frames.
    pub llc: u64,
    /// Data frames.
    pub data: u64,
    /// Encrypted data frames.
    pub crypt: u64,
    /// Data bytes.
    pub datasize: u64,
    /// Signal levels.
    pub signal: Signal,
    /// Positions.
    pub gps: GpsBox,
    /// Address learnt from DHCP/ARP.
    pub ip: [u8; 4],
    /// Gateway address.
    pub gateway: [u8; 4],
    /// Highest rate seen.
    pub maxseenrate: u32,
    /// Channel.
    pub channel: u8,
    /// Fragmented frames.
    pub fragments: u64,
    /// Retried frames.
    pub retries: u64,
    /// Frames since the last tick.
    pub newpackets: u64,
    /// Encryption bit set.
    pub cryptset: u64,
    /// Tags set by clients (ADDCLITAG).
    pub tags: BTreeMap<String, String>,
}

/// A capture source.
#[derive(Debug, Clone)]
pub struct Source {
    /// Interface (or file).
    pub interface: String,
    /// Driver type.
    pub stype: String,
    /// Name given by the user.
    pub username: String,
    /// UUID.
    pub uuid: String,
    /// Current channel.
    pub channel: u8,
    /// Packets captured.
    pub packets: u64,
    /// Hopping.
    pub hop: bool,
    /// Hop rate, channels per second.
    pub velocity: u32,
    /// Dwell time, seconds per channel.
    pub dwell: u32,
    /// Channel list.
    pub channellist: String,
    /// In error.
    pub error: bool,
    /// Warning text.
    pub warning: String,
    hop_pos: usize,
    hop_channels: Vec<u8>,
}

/// The default hop list (IEEE 802.11b order, as the server hops).
const HOP_LIST: [u8; 11] = [1, 6, 11, 2, 7, 3, 8, 4, 9, 5, 10];

impl Source {
    /// A source on `interface` of driver type `stype`, named `username`; a
    /// pcap file does not hop, a radio hops the 802.11b channels.
    pub fn new(interface: &str, stype: &str, username: &str, uuid: String) -> Source {
        let pcap = stype == "pcapfile";
        Source {
            interface: interface.to_string(),
            stype: stype.to_string(),
            username: username.to_string(),
            uuid,
            channel: if pcap { 0 } else { 1 },
            packets: 0,
            hop: !pcap,
            velocity: if pcap { 3 } else { 5 },
            dwell: 0,
            channellist: if pcap {
                String::new()
            } else {
                "IEEE80211b".to_string()
            },
            error: false,
            warning: String::new(),
            hop_pos: 0,
            hop_channels: Vec::new(),
        }
    }

    /// Sets the channel list (CHANSOURCE): its text and the channels hopped.
    pub fn set_channels(&mut self, text: &str, channels: Vec<u8>) {
        self.channellist = text.to_string();
        self.hop_channels = channels;
        self.hop_pos = 0;
    }

    /// Moves to the next channel at tick number `ticks`, if hopping.
    pub fn hop(&mut self, ticks: u64) {
        if !self.hop || self.error {
            return;
        }
        let list: &[u8] = if self.hop_channels.is_empty() {
            &HOP_LIST
        } else {
            &self.hop_channels
        };
        let step = if self.velocity > 0 {
            self.velocity as usize
        } else {
            usize::from(self.dwell > 0 && ticks.is_multiple_of(u64::from(self.dwell)))
        };
        self.hop_pos = (self.hop_pos + step) % list.len();
        self.channel = list[self.hop_pos];
    }
}

/// The GPS fix.
#[derive(Debug, Clone)]
pub struct Gps {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Altitude, m.
    pub alt: f64,
    /// Speed, m/s.
    pub spd: f64,
    /// Heading, degrees.
    pub heading: f64,
    /// Fix mode: -1 no data yet, 0 none, 2 2D, 3 3D.
    pub fix: i8,
    /// Satellites, `prn:elev:azimuth:snr,` entries, each ending with a
    /// comma.
    pub satinfo: String,
    /// Horizontal dilution.
    pub hdop: f64,
    /// Vertical dilution.
    pub vdop: f64,
}

/// The host's battery.
#[derive(Debug, Clone)]
pub struct Battery {
    /// Charge, percent.
    pub percentage: u32,
    /// Charging.
    pub charging: bool,
    /// On mains.
    pub ac: bool,
    /// Seconds left.
    pub remaining: u64,
}

/// Activity on one channel.
#[derive(Debug, Clone, Default)]
pub struct ChannelStat {
    /// Channel number.
    pub channel: u8,
    /// Seconds the sources spent on it.
    pub time_on: u64,
    /// Packets seen.
    pub packets: u64,
    /// Packets in the last report period.
    pub packets_delta: u64,
    /// Airtime used in the last report period, microseconds.
    pub usec_used: u64,
    /// Bytes seen.
    pub bytes: u64,
    /// Bytes in the last report period.
    pub bytes_delta: u64,
    /// Networks on the channel.
    pub networks: u64,
    /// Strongest signal of the last report period that saw traffic (the
    /// legacy server's channeltracker.cc keeps it "within the past polling
    /// period": reset by the first packet after a report).
    pub max_signal: i32,
    /// Networks active in the last report period.
    pub active: u64,
    /// Packets since the last report period ended.
    pending_packets: u64,
    /// Bytes since the last report period ended.
    pending_bytes: u64,
    /// Strongest signal since the last report period ended (-256: none).
    pending_max: i32,
}

impl ChannelStat {
    /// A channel with no traffic seen yet.
    pub fn new(channel: u8) -> ChannelStat {
        ChannelStat {
            channel,
            max_signal: -256,
            pending_max: -256,
            ..ChannelStat::default()
        }
    }

    /// Counts traffic seen on the channel at signal level `dbm`.
    pub fn count(&mut self, packets: u64, bytes: u64, dbm: i32) {
        self.packets += packets;
        self.pending_packets += packets;
        self.bytes += bytes;
        self.pending_bytes += bytes;
        self.pending_max = self.pending_max.max(dbm);
    }

    /// Ends a report period with `networks` networks on the channel: what
    /// was counted since the last one becomes the reported deltas.
    pub fn close_period(&mut self, networks: u64) {
        self.networks = networks;
        // A period without traffic keeps the last strongest signal, as
        // the legacy server does (it resets only on the next packet).
        if self.pending_packets > 0 {
            self.max_signal = std::mem::replace(&mut self.pending_max, -256);
        }
        self.packets_delta = std::mem::take(&mut self.pending_packets);
        self.bytes_delta = std::mem::take(&mut self.pending_bytes);
        self.active = if self.packets_delta > 0 { networks } else { 0 };
        self.usec_used = self.packets_delta * 250;
    }
}

/// A raised alert.
#[derive(Debug, Clone)]
pub struct Alert {
    /// Time, seconds.
    pub sec: u64,
    /// Time, microseconds.
    pub usec: u64,
    /// Alert name.
    pub header: &'static str,
    /// Network.
    pub bssid: Mac,
    /// Transmitter.
    pub source: Mac,
    /// Receiver.
    pub dest: Mac,
    /// Other address.
    pub other: Mac,
    /// Channel.
    pub channel: u8,
    /// Description.
    pub text: String,
}

/// Server-wide counters (INFO, TRACKINFO).
#[derive(Debug, Clone, Default)]
pub struct Totals {
    /// Networks known.
    pub networks: u64,
    /// Packets seen.
    pub packets: u64,
    /// Encrypted packets.
    pub crypt: u64,
    /// Packets in the last tick.
    pub rate: u64,
    /// Client records known.
    pub clients: u64,
    /// Management packets.
    pub llc: u64,
    /// Data packets.
    pub data: u64,
    /// Capture sources.
    pub sources: u64,
    /// Sources in error.
    pub error_sources: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MACs parse in any case and print in upper case; a short one is refused.
    #[test]
    fn mac_text() {
        let m = Mac::parse(b"00:14:6c:a1:00:01").unwrap();
        assert_eq!(m.to_string(), "00:14:6C:A1:00:01");
        assert_eq!(Mac::parse(b"00:14:6c:a1:00"), None);
        assert_eq!(Mac::parse(b"00:14:6c:a1:00:01:02"), None);
    }

    /// A channel's strongest signal is that of its last period with
    /// traffic, not the strongest ever; a period without keeps it.
    #[test]
    fn channel_max_signal_is_per_period_with_traffic() {
        let mut c = ChannelStat::new(6);
        c.count(3, 300, -50);
        c.close_period(1);
        assert_eq!((c.packets_delta, c.max_signal), (3, -50));
        c.count(2, 200, -70);
        c.close_period(1);
        assert_eq!((c.packets_delta, c.max_signal), (2, -70));
        c.close_period(1);
        assert_eq!((c.packets_delta, c.max_signal), (0, -70));
    }
}
