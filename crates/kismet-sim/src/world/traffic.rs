//! What the devices send in one tick and how the server's records take it
//! in: access points beacon and carry data, the wired gateway talks
//! through them, stations probe, join and send data.
//!
//! On a drive (see `drive`), a device is heard only within range, at the
//! level its distance gives, and each record it updates counts a sighting
//! at the fix the server tagged it with. Without one, every device is
//! heard every tick, its level drifting at random, as recorded.

use std::collections::BTreeMap;

use super::{Change, World};
use crate::catalog::GATEWAY;
use crate::devices::{ClientRec, GpsBox, Mac, Network, Signal, SsidInfo};

/// How a device is heard this tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heard {
    /// Without a drive: always, its level drifting.
    Drifting,
    /// On a drive: within range, at this level, dBm.
    At(i32),
    /// On a drive: out of range.
    No,
}

impl Heard {
    fn from_level(level: Option<i32>) -> Heard {
        level.map_or(Heard::No, Heard::At)
    }
}

impl World {
    /// Counts a sighting in `gps` at level `dbm`, on a drive.
    fn sight(drive: bool, tag: Option<[f64; 4]>, gps: &mut GpsBox, dbm: i32) {
        if drive {
            gps.sight(tag, dbm);
        }
    }

    /// The position the server tags this tick's sightings with.
    fn tag(&self) -> Option<[f64; 4]> {
        self.drive
            .as_ref()
            .and_then(|d| d.tagged_fix())
            .map(|g| [g.lat, g.lon, g.alt, g.spd])
    }

    /// Access point `i` beacons and carries data (when heard); returns
    /// the frames heard.
    pub(super) fn step_ap(&mut self, i: usize) -> u64 {
        let heard = match &mut self.drive {
            Some(d) => Heard::from_level(d.ap_level(i)),
            None => Heard::Drifting,
        };
        if heard == Heard::No {
            return 0;
        }
        let now = self.now;
        let bssid = self.networks[i].bssid;
        let new = match heard {
            // On a drive an access point is known from the first time it
            // is heard.
            Heard::At(dbm) if !self.net_index.contains_key(&bssid) => {
                let n = &mut self.networks[i];
                n.firsttime = now;
                n.signal = Signal::new(dbm);
                for s in &mut n.ssids {
                    s.firsttime = now;
                }
                self.net_index.insert(bssid, i);
                true
            }
            Heard::At(_) => false,
            _ => self.ticks == 1,
        };
        let assoc = self.stations.iter().filter(|s| s.assoc == Some(i)).count() as u64;
        let tag = self.tag();
        let drive = self.drive.is_some();
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
        match heard {
            Heard::At(dbm) => n.signal.hear(dbm),
            _ => n.signal.drift(rng),
        }
        Self::sight(drive, tag, &mut n.gps, n.signal.dbm);
        for s in &mut n.ssids {
            s.beacons += 10;
            s.packets += llc;
            s.lasttime = now;
        }
        let (manuf, channel, dbm) = (n.manuf, n.channel, n.signal.dbm);
        let bytes = n.datasize % 5000 + 200;
        self.channels[usize::from(channel) - 1].count(llc + data, bytes, dbm);
        self.changed_networks.insert(i);
        if new {
            self.changes.push(Change::NewNetwork(i));
        }
        // Data from the wired side: the gateway is a client of every
        // network that carries data.
        if data > 0 {
            let crypt = self.networks[i].cryptset;
            self.gateway_data(i, data, crypt);
        }
        // The access point is a client of its own network.
        let c = self.client(bssid, bssid, manuf, channel, dbm);
        self.changed_clients.insert(c);
        let c = &mut self.clients[c];
        c.llc += llc;
        c.newpackets = llc;
        c.lasttime = now;
        c.signal.hear(dbm);
        Self::sight(drive, tag, &mut c.gps, dbm);
        llc + data
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

    /// The client record for (`bssid`, `mac`), created on first sight, at
    /// level `dbm` on a drive (without one, a record starts at -60 dBm).
    fn client(
        &mut self,
        bssid: Mac,
        mac: Mac,
        manuf: &'static str,
        channel: u8,
        dbm: i32,
    ) -> usize {
        if let Some(&i) = self.client_index.get(&(bssid, mac)) {
            return i;
        }
        let first = if self.drive.is_some() { dbm } else { -60 };
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
            signal: Signal::new(first),
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

    /// The gateway sent `data` frames through access point `ap` (heard as
    /// the access point relays them, at its level).
    fn gateway_data(&mut self, ap: usize, data: u64, cryptset: u64) {
        let (bssid, channel, dbm) = {
            let n = &self.networks[ap];
            (n.bssid, n.channel, n.signal.dbm)
        };
        let (mac, manuf) = GATEWAY;
        let tag = self.tag();
        let drive = self.drive.is_some();
        let c = self.client(bssid, Mac(mac), manuf, channel, dbm);
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
        c.signal.hear(dbm);
        Self::sight(drive, tag, &mut c.gps, dbm);
        c.ip = [192, 168, 1 + ap as u8, 1];
    }

    /// Station `s` probes, joins or leaves its access point, or sends data
    /// (heard only within range on a drive); returns the frames heard.
    pub(super) fn step_station(&mut self, s: usize) -> u64 {
        let now = self.now;
        let mut packets = 0;
        let (mac, manuf) = (self.stations[s].mac, self.stations[s].manuf);
        let heard = match &mut self.drive {
            Some(d) => Heard::from_level(d.station_level(s)),
            None => Heard::Drifting,
        };
        let station = &mut self.stations[s];
        match heard {
            Heard::Drifting => station.signal.drift(&mut self.rng),
            Heard::At(dbm) if !station.heard => station.signal = Signal::new(dbm),
            Heard::At(dbm) => station.signal.hear(dbm),
            Heard::No => {}
        }
        station.heard |= heard != Heard::No;
        let tag = self.tag();
        let drive = self.drive.is_some();
        match self.stations[s].assoc {
            None => {
                if self.rng.chance(0.7) && heard != Heard::No {
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
                    Self::sight(drive, tag, &mut n.gps, sig.dbm);
                    self.changed_networks.insert(net);
                    let c = self.client(mac, mac, manuf, 0, sig.dbm);
                    self.changed_clients.insert(c);
                    let c = &mut self.clients[c];
                    c.llc += packets;
                    c.newpackets = packets;
                    c.lasttime = now;
                    Self::sight(drive, tag, &mut c.gps, sig.dbm);
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
                let dbm = self.stations[s].signal.dbm;
                let data = self.rng.range(1, 20) as u64;
                let size = data * self.rng.range(60, 1500) as u64;
                let retries = self.rng.range(0, 2) as u64;
                if heard == Heard::No {
                    return 0;
                }
                let c = self.client(bssid, mac, manuf, channel, dbm);
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
                c.signal.hear(dbm);
                Self::sight(drive, tag, &mut c.gps, dbm);
                if c.ip == [0; 4] {
                    c.ip = [192, 168, 1 + ap as u8, 100 + s as u8];
                    c.gateway = [192, 168, 1 + ap as u8, 1];
                }
                packets += data;
            }
        }
        packets
    }
}
