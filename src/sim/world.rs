//! The synthetic world the simulator reports on: six access points on
//! channels 1, 6 and 11, ten stations that probe, associate and roam, a GPS
//! moving along a walk, capture sources, a draining battery.
//!
//! The world is a pure function of its seed and of the times it is stepped
//! at: [`World::tick`] advances it by one tick and returns the records that
//! changed, in the order the server sends them.

use std::collections::BTreeMap;
use std::fmt;

use super::capabilities::Proto;
use super::record::{munge_ssid, Record};
use super::records;
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
    fn new(dbm: i32) -> Signal {
        Signal {
            dbm,
            min_dbm: dbm,
            max_dbm: dbm,
        }
    }

    /// Random walk of the level, kept in a plausible range.
    fn drift(&mut self, rng: &mut Rng) {
        self.dbm = (self.dbm + rng.range(-4, 4) as i32).clamp(-92, -30);
        self.min_dbm = self.min_dbm.min(self.dbm);
        self.max_dbm = self.max_dbm.max(self.dbm);
    }
}

/// Where a device was seen: bounding box, best and aggregate position.
#[derive(Debug, Clone)]
pub struct GpsBox {
    /// Minimum lat, lon, alt, speed (90, 180, 100000, 100000 before a fix).
    pub min: [f64; 4],
    /// Maximum lat, lon, alt, speed (the negated sentinels before a fix).
    pub max: [f64; 4],
    /// Position at the strongest signal.
    pub best: [f64; 3],
    /// Sums of lat, lon, alt over the points.
    pub agg: [f64; 3],
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
    fn add(&mut self, g: &Gps, dbm: i32) {
        let p = [g.lat, g.lon, g.alt, g.spd];
        for (i, v) in p.iter().enumerate() {
            self.min[i] = self.min[i].min(*v);
            self.max[i] = self.max[i].max(*v);
            if let Some(a) = self.agg.get_mut(i) {
                *a += v;
            }
        }
        self.points += 1;
        if dbm > self.best_dbm {
            self.best_dbm = dbm;
            self.best = [g.lat, g.lon, g.alt];
        }
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
    changed: bool,
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
    /// DHCP host name.
    pub dhcphost: String,
    /// DHCP vendor class.
    pub dhcpvendor: String,
    /// Encryption bit set.
    pub cryptset: u64,
    /// Tags set by clients (ADDCLITAG).
    pub tags: BTreeMap<String, String>,
    changed: bool,
}

/// A roaming station.
#[derive(Debug, Clone)]
struct Station {
    mac: Mac,
    manuf: &'static str,
    probes: Vec<Vec<u8>>,
    host: &'static str,
    assoc: Option<usize>,
    signal: Signal,
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

impl Source {
    /// Sets the channel list (CHANSOURCE): its text and the channels hopped.
    pub fn set_channels(&mut self, text: &str, channels: Vec<u8>) {
        self.channellist = text.to_string();
        self.hop_channels = channels;
        self.hop_pos = 0;
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
    /// Speed, km/h.
    pub spd: f64,
    /// Heading, degrees.
    pub heading: f64,
    /// Fix mode (3 = 3D).
    pub fix: u8,
    /// Satellites, `prn:elev:azimuth:snr` comma list.
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
    /// Packets since the last report.
    pub packets_delta: u64,
    /// Airtime used, microseconds.
    pub usec_used: u64,
    /// Bytes seen.
    pub bytes: u64,
    /// Bytes since the last report.
    pub bytes_delta: u64,
    /// Networks on the channel.
    pub networks: u64,
    /// Strongest signal.
    pub max_signal: i32,
    /// Networks active since the last report.
    pub active: u64,
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

/// What the PACKET generator needs to know about the world.
#[derive(Debug, Clone)]
pub struct PacketModel {
    /// Access points: BSSID, escaped SSID, encrypted, channel.
    pub aps: Vec<(Mac, Vec<u8>, bool, u8)>,
    /// Stations.
    pub stations: Vec<Mac>,
    /// Name of the capture source.
    pub source_name: String,
}

/// An access point: BSSID, SSID, channel, manufacturer, encrypted, hidden.
type ApDef = ([u8; 6], &'static str, u8, &'static str, bool, bool);

/// The access points.
const APS: [ApDef; 6] = [
    (
        [0x00, 0x14, 0x6C, 0xA1, 0x00, 0x01],
        "HomeNet",
        1,
        "Netgear",
        true,
        false,
    ),
    (
        [0x00, 0x18, 0xE7, 0xB2, 0x00, 0x02],
        "Coffee Shop Free WiFi",
        6,
        "CameoCom",
        false,
        false,
    ),
    (
        [0x00, 0x1D, 0x7E, 0xC3, 0x00, 0x03],
        "",
        11,
        "Cisco-Li",
        true,
        true,
    ),
    (
        [0x00, 0x24, 0x01, 0xD4, 0x00, 0x04],
        "Café ☕",
        6,
        "D-Link",
        true,
        false,
    ),
    (
        [0x00, 0x26, 0x5A, 0xE5, 0x00, 0x05],
        "CorpGuest",
        11,
        "D-Link",
        false,
        false,
    ),
    (
        [0x00, 0x1F, 0x33, 0xF6, 0x00, 0x06],
        "IoT-2.4G",
        1,
        "Netgear",
        true,
        false,
    ),
];

/// The stations: MAC, manufacturer, SSIDs probed for, DHCP host name.
const STATIONS: [([u8; 6], &str, &[&str], &str); 10] = [
    (
        [0x00, 0x21, 0x6A, 0x10, 0x00, 0x01],
        "IntelCor",
        &["HomeNet"],
        "laptop-anna",
    ),
    (
        [0x00, 0x23, 0x14, 0x10, 0x00, 0x02],
        "IntelCor",
        &["HomeNet", "Office5G"],
        "thinkpad",
    ),
    (
        [0x00, 0x26, 0xC7, 0x10, 0x00, 0x03],
        "IntelCor",
        &[""],
        "desktop-3",
    ),
    (
        [0x00, 0x1B, 0x77, 0x10, 0x00, 0x04],
        "IntelCor",
        &["Coffee Shop Free WiFi"],
        "macbook",
    ),
    (
        [0x00, 0x1E, 0x65, 0x10, 0x00, 0x05],
        "IntelCor",
        &[""],
        "android-5",
    ),
    (
        [0x00, 0x22, 0xFB, 0x10, 0x00, 0x06],
        "IntelCor",
        &["Café ☕"],
        "iphone",
    ),
    (
        [0x00, 0x24, 0xD7, 0x10, 0x00, 0x07],
        "IntelCor",
        &["linksys", "CorpGuest"],
        "corp-17",
    ),
    (
        [0x00, 0x13, 0xE8, 0x10, 0x00, 0x08],
        "IntelCor",
        &[""],
        "printer",
    ),
    (
        [0x00, 0x19, 0xD2, 0x10, 0x00, 0x09],
        "IntelCor",
        &["eduroam", "MyPhone Hotspot"],
        "student",
    ),
    (
        [0x00, 0x1C, 0xBF, 0x10, 0x00, 0x0A],
        "IntelCor",
        &["IoT-2.4G"],
        "thermostat",
    ),
];

/// The default hop list (IEEE 802.11b order, as the server hops).
const HOP_LIST: [u8; 11] = [1, 6, 11, 2, 7, 3, 8, 4, 9, 5, 10];

/// How many alerts the server keeps to replay to a new ALERT subscriber.
const ALERT_BACKLOG: usize = 50;

/// The simulated world.
#[derive(Debug, Clone)]
pub struct World {
    rng: Rng,
    ticks: u64,
    now: u64,
    networks: Vec<Network>,
    net_index: BTreeMap<Mac, usize>,
    clients: Vec<ClientRec>,
    client_index: BTreeMap<(Mac, Mac), usize>,
    stations: Vec<Station>,
    sources: Vec<Source>,
    gps: Gps,
    battery: Battery,
    channels: Vec<ChannelStat>,
    alerts: Vec<Alert>,
    wepkeys: Vec<(Mac, String)>,
    strings: bool,
    totals: Totals,
    /// STATUS, ALERT and STRING records raised during the current tick.
    events: Vec<(Proto, Record)>,
}

impl World {
    /// A world seeded with `seed`, created at `now` (epoch seconds).
    pub fn new(seed: u64, now: u64) -> World {
        let mut rng = Rng::new(seed);
        let mut w = World {
            rng: rng.fork(),
            ticks: 0,
            now,
            networks: Vec::new(),
            net_index: BTreeMap::new(),
            clients: Vec::new(),
            client_index: BTreeMap::new(),
            stations: Vec::new(),
            sources: Vec::new(),
            gps: Gps {
                lat: 37.7749 + rng.unit() * 0.01,
                lon: -122.4194 + rng.unit() * 0.01,
                alt: 16.0,
                spd: 0.0,
                heading: rng.range(0, 359) as f64,
                fix: 3,
                satinfo: String::new(),
                hdop: 1.2,
                vdop: 1.8,
            },
            battery: Battery {
                percentage: 87,
                charging: false,
                ac: false,
                remaining: 9_000,
            },
            channels: (1..=11)
                .map(|c| ChannelStat {
                    channel: c,
                    max_signal: -256,
                    ..ChannelStat::default()
                })
                .collect(),
            alerts: Vec::new(),
            wepkeys: Vec::new(),
            strings: false,
            totals: Totals::default(),
            events: Vec::new(),
        };
        for (mac, ssid, channel, manuf, crypt, hidden) in APS {
            let dbm = rng.range(-75, -40) as i32;
            w.networks.push(Network {
                bssid: Mac(mac),
                ntype: 0,
                manuf,
                channel,
                firsttime: now,
                lasttime: now,
                llc: 0,
                data: 0,
                crypt: 0,
                datasize: 0,
                fragments: 0,
                retries: 0,
                newpackets: 0,
                signal: Signal::new(dbm),
                gps: GpsBox::default(),
                maxseenrate: 540,
                cryptset: if crypt { 2 } else { 0 },
                ssids: vec![SsidInfo {
                    ssid: if hidden {
                        Vec::new()
                    } else {
                        ssid.as_bytes().to_vec()
                    },
                    stype: 0,
                    cryptset: if crypt { 2 } else { 0 },
                    cloaked: hidden,
                    firsttime: now,
                    lasttime: now,
                    maxrate: 54.0,
                    beaconrate: 10,
                    packets: 0,
                    beacons: 0,
                }],
                tags: BTreeMap::new(),
                changed: true,
            });
            w.net_index.insert(Mac(mac), w.networks.len() - 1);
        }
        for (mac, manuf, probes, host) in STATIONS {
            let dbm = rng.range(-80, -50) as i32;
            w.stations.push(Station {
                mac: Mac(mac),
                manuf,
                probes: probes.iter().map(|p| p.as_bytes().to_vec()).collect(),
                host,
                assoc: None,
                signal: Signal::new(dbm),
            });
        }
        let uuid = w.new_uuid();
        w.sources.push(Source {
            interface: "wlan0mon".to_string(),
            stype: "rt2800usb".to_string(),
            username: "wlan0".to_string(),
            uuid,
            channel: 1,
            packets: 0,
            hop: true,
            velocity: 5,
            dwell: 0,
            channellist: "IEEE80211b".to_string(),
            error: false,
            warning: String::new(),
            hop_pos: 0,
            hop_channels: Vec::new(),
        });
        w
    }

    /// A fresh UUID from the world's generator.
    pub fn new_uuid(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        format!(
            "{:08x}-{:04x}-11f1-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            (b >> 48) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    fn status(&mut self, text: String, flags: u32) {
        self.events.push((
            Proto::Status,
            records::status_record(text.as_bytes(), flags),
        ));
    }

    /// Network index for `bssid`, creating a probe network for a station.
    fn probe_network(&mut self, sta: usize) -> usize {
        let mac = self.stations[sta].mac;
        if let Some(&i) = self.net_index.get(&mac) {
            return i;
        }
        let s = &self.stations[sta];
        self.networks.push(Network {
            bssid: mac,
            ntype: 2,
            manuf: s.manuf,
            channel: 0,
            firsttime: self.now,
            lasttime: self.now,
            llc: 0,
            data: 0,
            crypt: 0,
            datasize: 0,
            fragments: 0,
            retries: 0,
            newpackets: 0,
            signal: s.signal.clone(),
            gps: GpsBox::default(),
            maxseenrate: 110,
            cryptset: 0,
            ssids: Vec::new(),
            tags: BTreeMap::new(),
            changed: true,
        });
        self.net_index.insert(mac, self.networks.len() - 1);
        self.networks.len() - 1
    }

    /// The client record for (`bssid`, `mac`), created on first sight.
    fn client(&mut self, bssid: Mac, mac: Mac, manuf: &'static str, channel: u8) -> usize {
        if let Some(&i) = self.client_index.get(&(bssid, mac)) {
            return i;
        }
        self.clients.push(ClientRec {
            bssid,
            mac,
            ctype: if bssid == mac { 1 } else { 2 },
            manuf,
            firsttime: self.now,
            lasttime: self.now,
            llc: 0,
            data: 0,
            crypt: 0,
            datasize: 0,
            signal: Signal::new(-60),
            gps: GpsBox::default(),
            ip: [0; 4],
            gateway: [0; 4],
            maxseenrate: 540,
            channel,
            fragments: 0,
            retries: 0,
            newpackets: 0,
            dhcphost: String::new(),
            dhcpvendor: String::new(),
            cryptset: 0,
            tags: BTreeMap::new(),
            changed: true,
        });
        self.client_index
            .insert((bssid, mac), self.clients.len() - 1);
        self.clients.len() - 1
    }

    /// Advances the world by one tick to time `now` and returns the records
    /// to send, in order: STATUS events, BSSID/SSID per changed network,
    /// BSSIDSRC, CLIENT, CLISRC, COMMON, then SOURCE, INFO, TRACKINFO, GPS,
    /// BATTERY, CHANNEL (every second tick), ALERT and STRING.
    pub fn tick(&mut self, now: u64) -> Vec<(Proto, Record)> {
        self.now = now;
        self.ticks += 1;
        let mut tick_packets = 0u64;
        self.move_gps();
        self.drain_battery();
        self.hop_sources();

        // Access points beacon and carry traffic.
        for i in 0..APS.len() {
            let assoc = self.stations.iter().filter(|s| s.assoc == Some(i)).count() as u64;
            let rng = &mut self.rng;
            let n = &mut self.networks[i];
            let llc = rng.range(2, 6) as u64;
            let data = assoc * rng.range(1, 6) as u64 + rng.range(0, 2) as u64;
            n.llc += llc;
            n.data += data;
            if n.cryptset != 0 {
                n.crypt += data;
            }
            n.datasize += data * rng.range(60, 1400) as u64;
            n.retries += rng.range(0, 1) as u64;
            n.newpackets = llc + data;
            n.lasttime = now;
            n.signal.drift(rng);
            n.gps.add(&self.gps, n.signal.dbm);
            for s in &mut n.ssids {
                s.beacons += 10;
                s.packets += llc;
                s.lasttime = now;
            }
            n.changed = true;
            tick_packets += llc + data;
            let stat = &mut self.channels[usize::from(n.channel) - 1];
            stat.packets += llc + data;
            stat.packets_delta += llc + data;
            stat.bytes += n.datasize % 5000 + 200;
            stat.bytes_delta += n.datasize % 5000 + 200;
            stat.max_signal = stat.max_signal.max(n.signal.dbm);
            let (bssid, manuf, channel, dbm) = (n.bssid, n.manuf, n.channel, n.signal.dbm);
            if self.ticks == 1 {
                let n = &self.networks[i];
                let text = format!(
                    "Detected new managed network \"{}\", BSSID {}, encryption {}, channel {}, 18.00 mbit",
                    display_ssid(&n.ssids[0].ssid, true),
                    bssid,
                    if n.cryptset != 0 { "yes" } else { "no" },
                    channel
                );
                self.status(text, 2);
            }
            // The access point is a client of its own network.
            let c = self.client(bssid, bssid, manuf, channel);
            let c = &mut self.clients[c];
            c.llc += llc;
            c.newpackets = llc;
            c.lasttime = now;
            c.signal = Signal {
                dbm,
                min_dbm: c.signal.min_dbm.min(dbm),
                max_dbm: c.signal.max_dbm.max(dbm),
            };
            c.gps.add(&self.gps, dbm);
            c.changed = true;
        }

        for s in 0..self.stations.len() {
            tick_packets += self.step_station(s);
        }

        if self.rng.chance(0.05) {
            self.raise_alert();
        }
        if self.strings && self.rng.chance(0.3) {
            self.emit_string();
        }
        if self.rng.chance(0.02) {
            self.status("Saving data files".to_string(), 2);
        }

        // Counters.
        self.totals.packets += tick_packets;
        self.totals.rate = tick_packets;
        self.totals.llc = self.networks.iter().map(|n| n.llc).sum();
        self.totals.data = self.networks.iter().map(|n| n.data).sum();
        self.totals.crypt = self.networks.iter().map(|n| n.crypt).sum();
        self.totals.networks = self.networks.len() as u64;
        self.totals.clients = self.clients.len() as u64;
        self.totals.sources = self.sources.len() as u64;
        self.totals.error_sources = self.sources.iter().filter(|s| s.error).count() as u64;
        if let Some(src) = self.sources.iter_mut().find(|s| !s.error) {
            src.packets += tick_packets;
        }

        self.collect_updates()
    }

    fn step_station(&mut self, s: usize) -> u64 {
        let now = self.now;
        let mut packets = 0;
        let (mac, manuf) = (self.stations[s].mac, self.stations[s].manuf);
        {
            let rng = &mut self.rng;
            self.stations[s].signal.drift(rng);
        }
        match self.stations[s].assoc {
            None => {
                if self.rng.chance(0.7) {
                    let net = self.probe_network(s);
                    let probes = self.stations[s].probes.clone();
                    for ssid in probes {
                        let known = self.networks[net].ssids.iter().any(|x| x.ssid == ssid);
                        if !known {
                            let text = format!(
                                "Detected new probe network \"{}\", BSSID {}, encryption no, channel 0, 11.00 mbit",
                                display_ssid(&ssid, false),
                                mac
                            );
                            self.status(text, 2);
                            self.networks[net].ssids.push(SsidInfo {
                                ssid: ssid.clone(),
                                stype: 2,
                                cryptset: 0,
                                cloaked: false,
                                firsttime: now,
                                lasttime: now,
                                maxrate: 11.0,
                                beaconrate: 0,
                                packets: 0,
                                beacons: 0,
                            });
                        }
                        if let Some(x) =
                            self.networks[net].ssids.iter_mut().find(|x| x.ssid == ssid)
                        {
                            x.packets += 1;
                            x.lasttime = now;
                        }
                        packets += 1;
                    }
                    let sig = self.stations[s].signal.clone();
                    let n = &mut self.networks[net];
                    n.llc += packets;
                    n.newpackets = packets;
                    n.lasttime = now;
                    n.signal = sig.clone();
                    n.gps.add(&self.gps, sig.dbm);
                    n.changed = true;
                    let c = self.client(mac, mac, manuf, 0);
                    let c = &mut self.clients[c];
                    c.llc += packets;
                    c.newpackets = packets;
                    c.lasttime = now;
                    c.signal = sig;
                    c.changed = true;
                }
                if self.rng.chance(0.25) {
                    let wanted = &self.stations[s].probes;
                    let choice = (0..APS.len())
                        .find(|&i| wanted.iter().any(|p| p.as_slice() == APS[i].1.as_bytes()))
                        .unwrap_or_else(|| self.rng.below(APS.len() as u64) as usize);
                    self.stations[s].assoc = Some(choice);
                }
            }
            Some(ap) => {
                if self.rng.chance(0.04) {
                    self.stations[s].assoc = None;
                } else if self.rng.chance(0.05) {
                    let next = (ap + 1 + self.rng.below(APS.len() as u64 - 1) as usize) % APS.len();
                    self.stations[s].assoc = Some(next);
                }
                let (bssid, channel, crypt) = {
                    let n = &self.networks[ap];
                    (n.bssid, n.channel, n.cryptset)
                };
                let host = self.stations[s].host;
                let sig = self.stations[s].signal.clone();
                let data = self.rng.range(1, 20) as u64;
                let size = data * self.rng.range(60, 1500) as u64;
                let retries = self.rng.range(0, 2) as u64;
                let c = self.client(bssid, mac, manuf, channel);
                let c = &mut self.clients[c];
                c.data += data;
                if crypt != 0 {
                    c.crypt += data;
                    c.cryptset = crypt;
                }
                c.datasize += size;
                c.retries += retries;
                c.newpackets = data;
                c.lasttime = now;
                c.signal = Signal {
                    dbm: sig.dbm,
                    min_dbm: c.signal.min_dbm.min(sig.dbm),
                    max_dbm: c.signal.max_dbm.max(sig.dbm),
                };
                c.gps.add(&self.gps, sig.dbm);
                if c.ip == [0; 4] {
                    c.ip = [192, 168, 1 + ap as u8, 100 + s as u8];
                    c.gateway = [192, 168, 1 + ap as u8, 1];
                    c.dhcphost = host.to_string();
                    c.dhcpvendor = "dhcpcd-6.8.2".to_string();
                }
                c.changed = true;
                packets += data;
            }
        }
        packets
    }

    fn move_gps(&mut self) {
        let g = &mut self.gps;
        g.heading = (g.heading + self.rng.range(-15, 15) as f64).rem_euclid(360.0);
        let mps = 1.0 + self.rng.unit();
        g.spd = (mps * 3.6 * 100.0).round() / 100.0;
        let rad = g.heading.to_radians();
        g.lat += mps * rad.cos() / 111_111.0;
        g.lon += mps * rad.sin() / (111_111.0 * g.lat.to_radians().cos());
        g.alt = (g.alt + self.rng.range(-1, 1) as f64 * 0.5).clamp(5.0, 40.0);
        g.hdop = (8 + self.rng.range(0, 6)) as f64 / 10.0;
        g.vdop = (12 + self.rng.range(0, 8)) as f64 / 10.0;
        let sats: Vec<String> = (0..7)
            .map(|i| {
                format!(
                    "{}:{}:{}:{}",
                    3 + i * 4,
                    20 + (i * 9) % 60,
                    (i * 47) % 360,
                    25 + self.rng.range(0, 20)
                )
            })
            .collect();
        g.satinfo = sats.join(",");
    }

    fn drain_battery(&mut self) {
        let b = &mut self.battery;
        if b.charging {
            b.remaining = 0;
            b.percentage = (b.percentage + 1).min(100);
            if b.percentage == 100 {
                b.charging = false;
                b.ac = false;
                b.remaining = 10_800;
            }
        } else {
            b.remaining = b.remaining.saturating_sub(1);
            b.percentage = (b.remaining * 100 / 10_800) as u32;
            if b.percentage <= 5 {
                b.charging = true;
                b.ac = true;
            }
        }
    }

    fn hop_sources(&mut self) {
        let ticks = self.ticks;
        for s in &mut self.sources {
            if !s.hop || s.error {
                continue;
            }
            let list: &[u8] = if s.hop_channels.is_empty() {
                &HOP_LIST
            } else {
                &s.hop_channels
            };
            let step = if s.velocity > 0 {
                s.velocity as usize
            } else {
                usize::from(s.dwell > 0 && ticks.is_multiple_of(u64::from(s.dwell)))
            };
            s.hop_pos = (s.hop_pos + step) % list.len();
            s.channel = list[s.hop_pos];
        }
        for c in &mut self.channels {
            c.time_on += 1;
        }
    }

    fn raise_alert(&mut self) {
        let ap = self.rng.below(APS.len() as u64) as usize;
        let sta = self.rng.below(self.stations.len() as u64) as usize;
        let (bssid, channel) = (self.networks[ap].bssid, self.networks[ap].channel);
        let mac = self.stations[sta].mac;
        let bcast = Mac([0xff; 6]);
        let (header, source, dest, text) = match self.rng.below(3) {
            0 => (
                "DEAUTHFLOOD",
                bssid,
                mac,
                format!("Deauthenticate/Disassociate flood on {bssid}"),
            ),
            1 => (
                "BCASTDISCON",
                bssid,
                bcast,
                format!("Broadcast disassociation on {bssid}"),
            ),
            _ => (
                "PROBENOJOIN",
                mac,
                bcast,
                format!("Probe on {bssid} from {mac} which never joins"),
            ),
        };
        let alert = Alert {
            sec: self.now,
            usec: self.rng.below(1_000_000),
            header,
            bssid,
            source,
            dest,
            other: Mac::default(),
            channel,
            text,
        };
        self.events
            .push((Proto::Alert, records::alert_record(&alert)));
        self.alerts.push(alert);
        if self.alerts.len() > ALERT_BACKLOG {
            self.alerts.remove(0);
        }
    }

    fn emit_string(&mut self) {
        const TEXTS: [&str; 4] = [
            "GET /index.html HTTP/1.1",
            "Host: example.com",
            "User-Agent: Mozilla/5.0",
            "_googlecast._tcp.local",
        ];
        let ap = self.rng.below(APS.len() as u64) as usize;
        let sta = self.rng.below(self.stations.len() as u64) as usize;
        let text = TEXTS[self.rng.below(TEXTS.len() as u64) as usize];
        let bssid = self.networks[ap].bssid;
        let rec = records::string_record(bssid, self.stations[sta].mac, bssid, text);
        self.events.push((Proto::String, rec));
    }

    fn collect_updates(&mut self) -> Vec<(Proto, Record)> {
        let mut out = std::mem::take(&mut self.events);
        let uuid = self
            .sources
            .first()
            .map(|s| s.uuid.clone())
            .unwrap_or_default();
        for n in self.networks.iter_mut().filter(|n| n.changed) {
            n.changed = false;
            out.push((Proto::Bssid, records::bssid_record(n)));
            for s in &n.ssids {
                out.push((Proto::Ssid, records::ssid_record(n, s)));
            }
            out.push((Proto::Bssidsrc, records::bssidsrc_record(n, &uuid)));
            out.push((Proto::Common, common_of_network(n)));
        }
        for c in self.clients.iter_mut().filter(|c| c.changed) {
            c.changed = false;
            out.push((Proto::Client, records::client_record(c)));
            out.push((Proto::Clisrc, records::clisrc_record(c, &uuid)));
        }
        for s in &self.sources {
            out.push((Proto::Source, records::source_record(s)));
        }
        out.push((Proto::Info, records::info_record(&self.totals)));
        out.push((Proto::Trackinfo, records::trackinfo_record(&self.totals)));
        out.push((Proto::Gps, records::gps_record(&self.gps)));
        out.push((Proto::Battery, records::battery_record(&self.battery)));
        if self.ticks.is_multiple_of(2) {
            for c in &mut self.channels {
                c.networks = APS.iter().filter(|a| a.2 == c.channel).count() as u64;
                c.active = if c.packets_delta > 0 { c.networks } else { 0 };
                c.usec_used = c.packets_delta * 250;
                out.push((Proto::Channel, records::channel_record(c)));
                c.packets_delta = 0;
                c.bytes_delta = 0;
            }
        }
        out
    }

    /// Every record the server already holds for `proto`: the burst a
    /// client gets when it enables the protocol (empty for protocols that
    /// only report live, such as TIME, INFO or GPS).
    pub fn snapshot(&self, proto: Proto) -> Vec<Record> {
        let uuid = self.sources.first().map(|s| s.uuid.as_str()).unwrap_or("");
        match proto {
            Proto::Bssid => self.networks.iter().map(records::bssid_record).collect(),
            Proto::Ssid => self
                .networks
                .iter()
                .flat_map(|n| n.ssids.iter().map(move |s| records::ssid_record(n, s)))
                .collect(),
            Proto::Client => self.clients.iter().map(records::client_record).collect(),
            Proto::Bssidsrc => self
                .networks
                .iter()
                .map(|n| records::bssidsrc_record(n, uuid))
                .collect(),
            Proto::Clisrc => self
                .clients
                .iter()
                .map(|c| records::clisrc_record(c, uuid))
                .collect(),
            Proto::Common => self.networks.iter().map(common_of_network).collect(),
            Proto::Source => self.sources.iter().map(records::source_record).collect(),
            Proto::Alert => self.alerts.iter().map(records::alert_record).collect(),
            Proto::Nettag => self
                .networks
                .iter()
                .flat_map(|n| {
                    n.tags
                        .iter()
                        .map(move |(t, v)| records::nettag_record(n.bssid, t, v))
                })
                .collect(),
            Proto::Clitag => self
                .clients
                .iter()
                .flat_map(|c| {
                    c.tags
                        .iter()
                        .map(move |(t, v)| records::clitag_record(c.bssid, c.mac, t, v))
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// What the PACKET generator draws its frames from.
    pub fn packet_model(&self) -> PacketModel {
        PacketModel {
            aps: self.networks[..APS.len()]
                .iter()
                .map(|n| {
                    (
                        n.bssid,
                        munge_ssid(&n.ssids[0].ssid),
                        n.cryptset != 0,
                        n.channel,
                    )
                })
                .collect(),
            stations: self.stations.iter().map(|s| s.mac).collect(),
            source_name: self
                .sources
                .first()
                .map(|s| s.username.clone())
                .unwrap_or_default(),
        }
    }

    /// The capture sources.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// Adds a capture source from an ADDSOURCE line
    /// (`interface:name=X,type=Y,...`); returns its index.
    pub fn add_source(&mut self, interface: &str, name: &str, stype: &str) -> usize {
        let uuid = self.new_uuid();
        let pcap = stype == "pcapfile";
        self.sources.push(Source {
            interface: interface.to_string(),
            stype: stype.to_string(),
            username: name.to_string(),
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
        });
        self.sources.len() - 1
    }

    /// The source with this UUID (any case).
    pub fn source_mut(&mut self, uuid: &str) -> Option<&mut Source> {
        self.sources
            .iter_mut()
            .find(|s| s.uuid.eq_ignore_ascii_case(uuid))
    }

    /// Removes the source with this UUID; false when there is none.
    pub fn remove_source(&mut self, uuid: &str) -> bool {
        let before = self.sources.len();
        self.sources.retain(|s| !s.uuid.eq_ignore_ascii_case(uuid));
        self.sources.len() != before
    }

    /// Sets a tag on a network; `None` when the network is unknown.
    pub fn set_nettag(&mut self, bssid: Mac, tag: &str, value: Option<&str>) -> Option<()> {
        let &i = self.net_index.get(&bssid)?;
        match value {
            Some(v) => self.networks[i].tags.insert(tag.to_string(), v.to_string()),
            None => self.networks[i].tags.remove(tag),
        };
        Some(())
    }

    /// Sets a tag on a client record; `None` when the record is unknown.
    pub fn set_clitag(
        &mut self,
        bssid: Mac,
        mac: Mac,
        tag: &str,
        value: Option<&str>,
    ) -> Option<()> {
        let &i = self.client_index.get(&(bssid, mac))?;
        match value {
            Some(v) => self.clients[i].tags.insert(tag.to_string(), v.to_string()),
            None => self.clients[i].tags.remove(tag),
        };
        Some(())
    }

    /// Adds or replaces a WEP key.
    pub fn add_wepkey(&mut self, bssid: Mac, key: &str) {
        self.wepkeys.retain(|(b, _)| *b != bssid);
        self.wepkeys.push((bssid, key.to_string()));
    }

    /// Removes a WEP key; false when there is none.
    pub fn del_wepkey(&mut self, bssid: Mac) -> bool {
        let before = self.wepkeys.len();
        self.wepkeys.retain(|(b, _)| *b != bssid);
        self.wepkeys.len() != before
    }

    /// WEPKEY records for every configured key.
    pub fn wepkeys(&self) -> Vec<Record> {
        self.wepkeys
            .iter()
            .map(|(b, k)| records::wepkey_record(*b, k))
            .collect()
    }

    /// Switches string extraction (STRING records) on or off.
    pub fn set_strings(&mut self, on: bool) {
        self.strings = on;
    }

    /// Every client record, for the flood mode.
    pub fn client_records(&self) -> Vec<Record> {
        self.clients.iter().map(records::client_record).collect()
    }
}

/// COMMON view of a network.
fn common_of_network(n: &Network) -> Record {
    records::common_record(
        n.bssid,
        n.firsttime,
        n.lasttime,
        [n.llc, n.data, n.crypt, 0],
        n.datasize,
        n.newpackets,
        n.channel,
        &n.signal,
        &n.gps,
    )
}

/// An SSID as the server names it in STATUS texts.
fn display_ssid(ssid: &[u8], beacon: bool) -> String {
    if ssid.is_empty() {
        return if beacon { "<Hidden SSID>" } else { "<Any>" }.to_string();
    }
    String::from_utf8_lossy(&munge_ssid(ssid)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Frame;

    fn run(seed: u64, ticks: u64) -> Vec<Vec<u8>> {
        let mut w = World::new(seed, 1_795_678_119);
        (1..=ticks)
            .flat_map(|t| w.tick(1_795_678_119 + t))
            .map(|(p, r)| r.encode(p))
            .collect()
    }

    /// The same seed gives the same world, line for line; another seed differs.
    #[test]
    fn deterministic_by_seed() {
        let a = run(42, 30);
        assert!(a.len() > 100);
        assert_eq!(a, run(42, 30));
        assert_ne!(a, run(43, 30));
    }

    /// Every record has exactly its protocol's field count, for every protocol
    /// the world produces, live and in bursts.
    #[test]
    fn field_counts_match_capabilities() {
        let mut w = World::new(7, 1_795_678_119);
        let mut seen = std::collections::BTreeSet::new();
        w.set_strings(true);
        for t in 1..=60 {
            for (p, r) in w.tick(1_795_678_119 + t) {
                assert_eq!(r.len(), p.field_count(), "{p:?}");
                seen.insert(p);
            }
        }
        for p in Proto::ALL {
            for r in w.snapshot(p) {
                assert_eq!(r.len(), p.field_count(), "{p:?}");
            }
        }
        for p in [
            Proto::Bssid,
            Proto::Ssid,
            Proto::Client,
            Proto::Bssidsrc,
            Proto::Clisrc,
            Proto::Common,
            Proto::Source,
            Proto::Info,
            Proto::Gps,
            Proto::Battery,
            Proto::Channel,
            Proto::Trackinfo,
            Proto::Status,
        ] {
            assert!(seen.contains(&p), "{p:?} never produced");
        }
    }

    /// CLIENT lines have 56 fields with an empty bare `dot11d` (two spaces in
    /// a row), as the real server sends them.
    #[test]
    fn client_dot11d_is_empty_bare_field() {
        let mut w = World::new(1, 1_795_678_119);
        w.tick(1_795_678_120);
        let recs = w.snapshot(Proto::Client);
        assert!(!recs.is_empty());
        let dot11d = Proto::Client.field_index(b"dot11d").unwrap();
        for r in recs {
            let mut line = r.encode(Proto::Client);
            assert!(line.windows(2).any(|w| w == b"  "));
            line.pop();
            let f = Frame::parse(&line).unwrap();
            assert_eq!(f.len(), 56);
            assert_eq!(f.field(dot11d), Some(&b""[..]));
        }
    }

    /// The recorded access points are there, with the escaped Café SSID and
    /// the hidden one sent as an empty string.
    #[test]
    fn recorded_access_points() {
        let mut w = World::new(1, 1_795_678_119);
        w.tick(1_795_678_120);
        let lines: Vec<Vec<u8>> = w
            .snapshot(Proto::Ssid)
            .iter()
            .map(|r| {
                let mut out = Vec::new();
                r.encode_into(&mut out, Proto::Ssid, Some(&[3, 0]));
                out
            })
            .collect();
        for want in [
            &b"*SSID: \x01HomeNet\x01 00:14:6C:A1:00:01 \n"[..],
            b"*SSID: \x01Coffee Shop Free WiFi\x01 00:18:E7:B2:00:02 \n",
            b"*SSID: \x01\x01 00:1D:7E:C3:00:03 \n",
            b"*SSID: \x01Caf\\303\\251 \\342\\230\\225\x01 00:24:01:D4:00:04 \n",
            b"*SSID: \x01CorpGuest\x01 00:26:5A:E5:00:05 \n",
            b"*SSID: \x01IoT-2.4G\x01 00:1F:33:F6:00:06 \n",
        ] {
            assert!(
                lines.iter().any(|l| l == want),
                "{}",
                String::from_utf8_lossy(want)
            );
        }
        assert_eq!(Mac::parse(b"00:14:6c:a1:00:01"), Some(Mac(APS[0].0)));
        assert_eq!(Mac::parse(b"00:14:6c:a1:00"), None);
    }
}
