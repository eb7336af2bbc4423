//! The synthetic world the simulator reports on: six access points on
//! channels 1, 6 and 11 (see `catalog`), ten stations that probe, join
//! their access point now and then and leave it again (one only probes),
//! a wired gateway behind every access point, capture sources, a draining
//! battery, and optionally a GPS moving along a walk and alerts.
//!
//! The world is a pure function of its seed and of the times it is stepped
//! at: [`World::tick`] advances it by one tick and says what changed, in the
//! order the server reports it; `records` and `updates` turn that into
//! wire records.

use std::collections::{BTreeMap, BTreeSet};

use super::catalog::{APS, GATEWAY, STATIONS};
use super::devices::{
    Alert, Battery, ChannelStat, ClientRec, Gps, GpsBox, Mac, Network, Signal, Source, SsidInfo,
    Totals,
};
use super::rng::Rng;

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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extras {
    /// A GPS: a fix that moves along a walk, positions on every device.
    pub gps: bool,
    /// Alerts raised now and then.
    pub alerts: bool,
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
}

/// The simulated world.
#[derive(Debug, Clone)]
pub struct World {
    extras: Extras,
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
            extras,
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
            let i = w.networks.len() - 1;
            w.net_index.insert(Mac(ap.bssid), i);
            w.changed_networks.insert(i);
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

    /// Network index for a station's probes, created on first sight.
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
            cryptset: 0,
            tags: BTreeMap::new(),
        });
        self.client_index
            .insert((bssid, mac), self.clients.len() - 1);
        self.clients.len() - 1
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
        if self.extras.gps {
            self.move_gps();
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
            if self.extras.gps {
                n.gps.add(&self.gps, n.signal.dbm);
            }
            for s in &mut n.ssids {
                s.beacons += 10;
                s.packets += llc;
                s.lasttime = now;
            }
            tick_packets += llc + data;
            let (bssid, manuf, channel, dbm) = (n.bssid, n.manuf, n.channel, n.signal.dbm);
            let bytes = n.datasize % 5000 + 200;
            self.channels[usize::from(channel) - 1].count(llc + data, bytes, dbm);
            self.changed_networks.insert(i);
            if self.ticks == 1 {
                self.changes.push(Change::NewNetwork(i));
            }
            // Data from the wired side: the gateway is a client of every
            // network that carries data.
            if data > 0 {
                let crypt = self.networks[i].cryptset;
                self.gateway_data(i, data, crypt);
            }
            // The access point is a client of its own network.
            let c = self.client(bssid, bssid, manuf, channel);
            self.changed_clients.insert(c);
            let c = &mut self.clients[c];
            c.llc += llc;
            c.newpackets = llc;
            c.lasttime = now;
            c.signal = Signal {
                dbm,
                min_dbm: c.signal.min_dbm.min(dbm),
                max_dbm: c.signal.max_dbm.max(dbm),
            };
            if self.extras.gps {
                c.gps.add(&self.gps, dbm);
            }
        }

        for s in 0..self.stations.len() {
            tick_packets += self.step_station(s);
        }

        if self.extras.alerts && self.rng.chance(0.05) {
            self.raise_alert();
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
        self.totals.networks = self.networks.len() as u64;
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

    /// The gateway sent `data` frames through access point `ap`.
    fn gateway_data(&mut self, ap: usize, data: u64, cryptset: u64) {
        let (bssid, channel, dbm) = {
            let n = &self.networks[ap];
            (n.bssid, n.channel, n.signal.dbm)
        };
        let (mac, manuf) = GATEWAY;
        let c = self.client(bssid, Mac(mac), manuf, channel);
        self.changed_clients.insert(c);
        let c = &mut self.clients[c];
        // Guess: frames from the wired side make it a from-DS client.
        c.ctype = 1;
        c.data += data;
        if cryptset != 0 {
            c.crypt += data;
            c.cryptset = cryptset;
        }
        c.datasize += data * 400;
        c.newpackets = data;
        c.lasttime = self.now;
        c.signal = Signal {
            dbm,
            min_dbm: c.signal.min_dbm.min(dbm),
            max_dbm: c.signal.max_dbm.max(dbm),
        };
        c.ip = [192, 168, 1 + ap as u8, 1];
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
                            self.changes.push(Change::NewProbe {
                                network: net,
                                ssid: self.networks[net].ssids.len() - 1,
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
                    if self.extras.gps {
                        n.gps.add(&self.gps, sig.dbm);
                    }
                    self.changed_networks.insert(net);
                    let c = self.client(mac, mac, manuf, 0);
                    self.changed_clients.insert(c);
                    let c = &mut self.clients[c];
                    c.llc += packets;
                    c.newpackets = packets;
                    c.lasttime = now;
                    c.signal = sig;
                }
                if let Some(home) = self.stations[s].home {
                    if self.rng.chance(0.25) {
                        self.stations[s].assoc = Some(home);
                    }
                }
            }
            Some(ap) => {
                if self.rng.chance(0.04) {
                    self.stations[s].assoc = None;
                }
                let (bssid, channel, crypt) = {
                    let n = &self.networks[ap];
                    (n.bssid, n.channel, n.cryptset)
                };
                let sig = self.stations[s].signal.clone();
                let data = self.rng.range(1, 20) as u64;
                let size = data * self.rng.range(60, 1500) as u64;
                let retries = self.rng.range(0, 2) as u64;
                let c = self.client(bssid, mac, manuf, channel);
                self.changed_clients.insert(c);
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
                if self.extras.gps {
                    c.gps.add(&self.gps, sig.dbm);
                }
                if c.ip == [0; 4] {
                    c.ip = [192, 168, 1 + ap as u8, 100 + s as u8];
                    c.gateway = [192, 168, 1 + ap as u8, 1];
                }
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
        self.alerts.push(alert);
        if self.alerts.len() > ALERT_BACKLOG {
            self.alerts.remove(0);
        }
        self.changes.push(Change::Alert(self.alerts.len() - 1));
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
        self.changes.push(Change::Text {
            bssid,
            source: self.stations[sta].mac,
            dest: bssid,
            text,
        });
    }

    /// The capture sources.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// Adds a capture source from an ADDSOURCE line
    /// (`interface:name=X,type=Y,...`); returns its index.
    pub fn add_source(&mut self, interface: &str, name: &str, stype: &str) -> usize {
        let uuid = self.new_uuid();
        self.sources.push(Source::new(interface, stype, name, uuid));
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

    /// The configured WEP keys: BSSID and hex key.
    pub fn wepkeys(&self) -> &[(Mac, String)] {
        &self.wepkeys
    }

    /// Switches string extraction (STRING records) on or off.
    pub fn set_strings(&mut self, on: bool) {
        self.strings = on;
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
        self.extras.gps.then_some(&self.gps)
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
mod tests {
    use super::*;

    /// Every access point soon has a station of its own sending data
    /// (encrypted with the access point's bit set) and the wired gateway
    /// behind it; the station that only probes never joins anything.
    #[test]
    fn stations_join_their_access_points() {
        let mut w = World::new(1, 0, Extras::default());
        let probe_only = Mac(STATIONS[8].mac);
        let gateway = Mac(GATEWAY.0);
        for t in 1..=200 {
            w.tick(t);
            assert!(w
                .clients()
                .iter()
                .all(|c| c.mac != probe_only || c.bssid == probe_only));
            let done = APS.iter().all(|ap| {
                let (mut station, mut wired) = (false, false);
                for c in w.clients().iter().filter(|c| c.bssid.0 == ap.bssid) {
                    if c.mac == gateway {
                        wired = true;
                    } else if c.mac != c.bssid && c.data > 0 {
                        assert_eq!(c.cryptset, ap.cryptset);
                        station = true;
                    }
                }
                station && wired
            });
            if done {
                assert!(t <= 40, "only after {t} ticks");
                return;
            }
        }
        panic!("not every access point got a station");
    }
}
