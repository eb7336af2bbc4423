//! The synthetic world the simulator reports on: six access points on
//! channels 1, 6 and 11 (see `catalog`), ten stations that probe, join
//! their access point now and then and leave it again (one only probes),
//! a wired gateway behind every access point, capture sources, a draining
//! battery, and optionally alerts and a GPS. With a GPS the world is a
//! drive (see `drive`): the GPS goes along a route past devices placed
//! beside it, each heard only within range; without one, every device is
//! heard all the time, as on the recorded server.
//!
//! The world is a pure function of its seed and of the times it is stepped
//! at: [`World::tick`] advances it by one tick and says what changed, in the
//! order the server reports it; `records` and `updates` turn that into
//! wire records.
//!
//! Its parts: `traffic` (what the devices send, and how the records take
//! it in), `events` (battery, alerts, strings), `admin` (what the client
//! commands change).

mod admin;
mod events;
mod traffic;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::catalog::{APS, STATIONS};
use super::devices::{
    Alert, Battery, ChannelStat, ClientRec, Gps, GpsBox, Mac, Network, Signal, Source, SsidInfo,
    Totals,
};
use super::drive::Drive;
use super::geo::Point;
use super::rng::Rng;
use super::route::Route;

/// How many alerts the server keeps to replay to a new ALERT subscriber.
const ALERT_BACKLOG: usize = 50;

/// Something one tick changed or raised, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An access point was seen for the first time (index into
    /// [`World::networks`]).
    NewNetwork(usize),
    /// A station probed for an SSID for the first time: its probe network
    /// and the SSID's index in that network's SSIDs.
    NewProbe {
        /// Index into [`World::networks`].
        network: usize,
        /// Index into the network's `ssids`.
        ssid: usize,
    },
    /// An alert was raised (index into [`World::alerts`]).
    Alert(usize),
    /// Text seen in a data frame (with STRINGS on).
    Text {
        /// Network.
        bssid: Mac,
        /// Transmitter.
        source: Mac,
        /// Receiver.
        dest: Mac,
        /// The text.
        text: &'static str,
    },
    /// A network's record changed (index into [`World::networks`]).
    Network(usize),
    /// A client record changed (index into [`World::clients`]).
    Client(usize),
    /// A channel's report period ended (index into [`World::channels`]).
    Channel(usize),
}

/// What the world has beyond a default server with no GPS and no alerts,
/// which is what was recorded: a real server with neither sends no GPS and
/// no ALERT lines, and its devices carry no position.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extras {
    /// A GPS driving along this route, past devices placed beside it:
    /// GPS lines, and positions on every device.
    pub drive: Option<Arc<Route>>,
    /// With a drive: the GPS stands here instead (a fixed sensor).
    pub parked_at: Option<Point>,
    /// Alerts raised now and then.
    pub alerts: bool,
    /// An alert raised every this many seconds of the server's clock
    /// (besides the random ones of `alerts`).
    pub alert_every: Option<u64>,
}

/// A station of the catalog and what it is doing.
#[derive(Debug, Clone)]
struct Station {
    mac: Mac,
    manuf: &'static str,
    probes: Vec<Vec<u8>>,
    home: Option<usize>,
    assoc: Option<usize>,
    signal: Signal,
    /// Heard at least once (on a drive, its signal starts then).
    heard: bool,
}

/// The simulated world.
#[derive(Debug, Clone)]
pub struct World {
    alerts_on: bool,
    alert_every: Option<u64>,
    /// When (server time) `alert_every` raises the next alert.
    next_alert: u64,
    drive: Option<Drive>,
    rng: Rng,
    ticks: u64,
    now: u64,
    networks: Vec<Network>,
    net_index: BTreeMap<Mac, usize>,
    clients: Vec<ClientRec>,
    client_index: BTreeMap<(Mac, Mac), usize>,
    stations: Vec<Station>,
    sources: Vec<Source>,
    battery: Battery,
    channels: Vec<ChannelStat>,
    alerts: Vec<Alert>,
    wepkeys: Vec<(Mac, String)>,
    strings: bool,
    totals: Totals,
    /// What the current tick raised so far.
    changes: Vec<Change>,
    changed_networks: BTreeSet<usize>,
    changed_clients: BTreeSet<usize>,
}

impl World {
    /// A world seeded with `seed`, created at `now` (epoch seconds), with
    /// the `extras` asked for.
    pub fn new(seed: u64, now: u64, extras: Extras) -> World {
        let mut rng = Rng::new(seed);
        let mut w = World {
            alerts_on: extras.alerts,
            alert_every: extras.alert_every.map(|s| s.max(1)),
            next_alert: now,
            drive: extras.drive.map(|route| {
                let drive = Drive::new(route, seed);
                match extras.parked_at {
                    Some(at) => drive.parked(at),
                    None => drive,
                }
            }),
            rng: rng.fork(),
            ticks: 0,
            now,
            networks: Vec::new(),
            net_index: BTreeMap::new(),
            clients: Vec::new(),
            client_index: BTreeMap::new(),
            stations: Vec::new(),
            sources: Vec::new(),
            battery: Battery {
                percentage: 87,
                charging: false,
                ac: false,
                remaining: 9_000,
            },
            channels: (1..=11).map(ChannelStat::new).collect(),
            alerts: Vec::new(),
            wepkeys: Vec::new(),
            strings: false,
            totals: Totals::default(),
            changes: Vec::new(),
            changed_networks: BTreeSet::new(),
            changed_clients: BTreeSet::new(),
        };
        for ap in &APS {
            let dbm = rng.range(-75, -40) as i32;
            w.networks.push(Network {
                bssid: Mac(ap.bssid),
                ntype: 0,
                manuf: ap.manuf,
                channel: ap.channel,
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
                cryptset: ap.cryptset,
                ssids: vec![SsidInfo {
                    ssid: if ap.hidden {
                        Vec::new()
                    } else {
                        ap.ssid.as_bytes().to_vec()
                    },
                    stype: 0,
                    cryptset: ap.cryptset,
                    cloaked: ap.hidden,
                    firsttime: now,
                    lasttime: now,
                    maxrate: 54.0,
                    beaconrate: 10,
                    packets: 0,
                    beacons: 0,
                }],
                tags: BTreeMap::new(),
            });
            // On a drive, an access point is known once heard.
            if w.drive.is_none() {
                let i = w.networks.len() - 1;
                w.net_index.insert(Mac(ap.bssid), i);
                w.changed_networks.insert(i);
            }
        }
        for sta in &STATIONS {
            let dbm = rng.range(-80, -50) as i32;
            w.stations.push(Station {
                mac: Mac(sta.mac),
                manuf: sta.manuf,
                probes: sta.probes.iter().map(|p| p.as_bytes().to_vec()).collect(),
                home: sta.home,
                assoc: None,
                signal: Signal::new(dbm),
                heard: false,
            });
        }
        let uuid = w.new_uuid();
        let mut source = Source::new("wlan0mon", "rt2800usb", "wlan0", uuid);
        source.channel = 1;
        w.sources.push(source);
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

    /// Advances the world by one tick to time `now` and says what changed,
    /// in the order the server reports it: events as they happened (new
    /// networks and probes, STATUS, alerts, strings), then every changed
    /// network, every changed client record, and every 2 ticks the channels
    /// that saw traffic.
    pub fn tick(&mut self, now: u64) -> Vec<Change> {
        self.now = now;
        self.ticks += 1;
        let mut tick_packets = 0u64;
        if let Some(drive) = &mut self.drive {
            drive.step();
        }
        self.drain_battery();
        let ticks = self.ticks;
        for s in &mut self.sources {
            s.hop(ticks);
        }
        for c in &mut self.channels {
            c.time_on += 1;
        }

        // Access points beacon and carry traffic.
        for i in 0..APS.len() {
            tick_packets += self.step_ap(i);
        }

        for s in 0..self.stations.len() {
            tick_packets += self.step_station(s);
        }

        if self.alerts_on && self.rng.chance(0.05) {
            self.raise_alert();
        }
        if let Some(every) = self.alert_every {
            if now >= self.next_alert {
                self.raise_alert();
                self.next_alert = now + every;
            }
        }
        if self.strings && self.rng.chance(0.3) {
            self.emit_string();
        }

        // Counters.
        self.totals.packets += tick_packets;
        self.totals.rate = tick_packets;
        self.totals.llc = self.networks.iter().map(|n| n.llc).sum();
        self.totals.data = self.networks.iter().map(|n| n.data).sum();
        self.totals.crypt = self.networks.iter().map(|n| n.crypt).sum();
        self.totals.networks = self.net_index.len() as u64;
        self.totals.clients = self.clients.len() as u64;
        self.totals.sources = self.sources.len() as u64;
        self.totals.error_sources = self.sources.iter().filter(|s| s.error).count() as u64;
        if let Some(src) = self.sources.iter_mut().find(|s| !s.error) {
            src.packets += tick_packets;
        }

        let mut changes = std::mem::take(&mut self.changes);
        changes.extend(
            std::mem::take(&mut self.changed_networks)
                .into_iter()
                .map(Change::Network),
        );
        changes.extend(
            std::mem::take(&mut self.changed_clients)
                .into_iter()
                .map(Change::Client),
        );
        // Every two ticks, a report on each channel that has seen traffic
        // (a real server sends CHANNEL lines for those only; that it goes
        // on reporting a channel that fell silent is a guess).
        if self.ticks.is_multiple_of(2) {
            for (i, c) in self.channels.iter_mut().enumerate() {
                if c.packets == 0 {
                    continue;
                }
                let networks = APS.iter().filter(|a| a.channel == c.channel).count() as u64;
                c.close_period(networks);
                changes.push(Change::Channel(i));
            }
        }
        changes
    }

    /// The networks: access points first, then probe networks as they
    /// appeared.
    pub fn networks(&self) -> &[Network] {
        &self.networks
    }

    /// The networks sorted by BSSID.
    pub fn networks_by_mac(&self) -> impl Iterator<Item = &Network> + '_ {
        self.net_index.values().map(|&i| &self.networks[i])
    }

    /// The client records, as they appeared.
    pub fn clients(&self) -> &[ClientRec] {
        &self.clients
    }

    /// The client records sorted by BSSID, then MAC.
    pub fn clients_by_mac(&self) -> impl Iterator<Item = &ClientRec> + '_ {
        self.client_index.values().map(|&i| &self.clients[i])
    }

    /// The stations' MAC addresses.
    pub fn station_macs(&self) -> impl Iterator<Item = Mac> + '_ {
        self.stations.iter().map(|s| s.mac)
    }

    /// The GPS fix, if the world has a GPS.
    pub fn gps(&self) -> Option<&Gps> {
        self.drive.as_ref().map(Drive::fix)
    }

    /// The drive, if the world has a GPS.
    pub fn drive(&self) -> Option<&Drive> {
        self.drive.as_ref()
    }

    /// The host's battery.
    pub fn battery(&self) -> &Battery {
        &self.battery
    }

    /// Activity per channel, 1 to 11.
    pub fn channels(&self) -> &[ChannelStat] {
        &self.channels
    }

    /// The alerts kept for new ALERT subscribers, oldest first.
    pub fn alerts(&self) -> &[Alert] {
        &self.alerts
    }

    /// Server-wide counters.
    pub fn totals(&self) -> &Totals {
        &self.totals
    }
}

#[cfg(test)]
mod tests;
