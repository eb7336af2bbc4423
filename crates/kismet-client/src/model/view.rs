//! What a [`Snapshot`] of the model holds: plain owned views of networks,
//! their SSIDs and clients, for tables, the watch view and JSON, the
//! stations built from them (airodump-ng's split: a station seen only
//! probing is a probe entry among the networks), and the ways to sort and
//! filter them.
//!
//! A snapshot is built in two steps: the raw records are copied out under
//! the model's lock (fixed-size values; a network's SSID list and names
//! are its only allocations), then sorted and turned into views with the
//! lock released, so the thread feeding the model waits only for
//! the copy (about 7 ms of some 55 ms for 100,000 devices: see
//! `benches/model_memory.rs`).

use std::cmp::Ordering;
use std::net::Ipv4Addr;
use std::sync::Arc;

use super::bounds::CUT_MARKER;
use super::gps::{Fix, FixView};
use super::interner::Interner;
use super::place::{Place, PlaceId, Places};
use super::position::{LatLon, PlaceView};
use super::store::{key_mac, Client, ClientKey, MacKey, Network, Ssid, Store, WireKey};
use kismet_protocol::decode::{format_mac, parse_mac, Encryption};
use kismet_protocol::text;

/// A copy of the model's state taken under its lock.
pub(super) struct Raw {
    networks: Vec<(MacKey, Network)>,
    clients: Vec<(WireKey, Client)>,
    manufs: Vec<(Arc<str>, bool)>,
    places: Vec<Place>,
    evicted: u64,
    frames: u64,
    fix: Option<Fix>,
    gps_lines: u64,
    memory: Memory,
}

/// Now, in milliseconds since the epoch (for a fix's age).
pub(super) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Raw {
    /// Copies the records (the part of a snapshot done under the lock).
    pub(super) fn copy(store: &Store, manufs: &Interner, places: &Places, frames: u64) -> Raw {
        Raw {
            networks: store
                .networks
                .iter()
                .map(|(k, n)| (*k, n.clone()))
                .collect(),
            clients: store.clients.iter().map(|(k, c)| (*k, *c)).collect(),
            manufs: manufs.shown(),
            places: places.copy(),
            evicted: store.evicted,
            frames,
            fix: None,
            gps_lines: 0,
            memory: Memory::default(),
        }
    }

    /// With the GPS's latest line, the count of GPS lines, and the
    /// memory.
    pub(super) fn with_gps(self, fix: Option<Fix>, gps_lines: u64, memory: Memory) -> Raw {
        Raw {
            fix,
            gps_lines,
            memory,
            ..self
        }
    }

    /// The view of a device's place.
    fn place(&self, id: PlaceId) -> Option<PlaceView> {
        let i = (id as usize).checked_sub(1)?;
        self.places.get(i).map(Place::view)
    }

    /// Builds the views (the part done without the lock).
    pub(super) fn into_snapshot(self) -> Snapshot {
        // Sort small (key, index) pairs rather than moving the records.
        let mut net_order: Vec<(MacKey, usize)> = (self.networks.iter().enumerate())
            .map(|(i, (k, _))| (*k, i))
            .collect();
        net_order.sort_unstable();
        // The store holds only valid MACs: none is left out here.
        let mut client_order: Vec<(ClientKey, usize)> = (self.clients.iter().enumerate())
            .filter_map(|(i, ((b, m), _))| Some(((b.key()?, m.key()?), i)))
            .collect();
        client_order.sort_unstable();
        // A manufacturer's name, and whether it was cut.
        let manuf = |id: u32| -> (Option<String>, bool) {
            match self.manufs.get(id as usize).filter(|_| id != 0) {
                Some((name, cut)) => (Some(name.to_string()), *cut),
                None => (None, false),
            }
        };
        // Both orders are by BSSID: walk them together to count each
        // network's clients (its own record excluded).
        let mut networks = Vec::with_capacity(net_order.len());
        let mut ci = 0;
        for &(bssid, i) in &net_order {
            while client_order.get(ci).is_some_and(|((b, _), _)| *b < bssid) {
                ci += 1;
            }
            let mut count = 0;
            while let Some(((_, mac), _)) = client_order.get(ci).filter(|((b, _), _)| *b == bssid) {
                count += usize::from(*mac != bssid);
                ci += 1;
            }
            let n = &self.networks[i].1;
            let mut view = network_view(bssid, n, count, manuf(n.manuf));
            view.place = self.place(n.place);
            networks.push(view);
        }
        let mut clients = Vec::with_capacity(client_order.len());
        let mut ni = 0;
        for &((bssid, mac), i) in &client_order {
            while net_order.get(ni).is_some_and(|(b, _)| *b < bssid) {
                ni += 1;
            }
            let ssid = match net_order.get(ni) {
                Some((b, _)) if *b == bssid => networks[ni].ssid.clone(),
                _ => None,
            };
            let c = &self.clients[i].1;
            let (manuf, manuf_truncated) = manuf(c.manuf);
            clients.push(ClientView {
                mac: format_mac(key_mac(mac)),
                bssid: format_mac(key_mac(bssid)),
                ssid,
                client_type: c.client_type.get(),
                signal_dbm: c.signal_dbm.get(),
                packets: sum(c.llc_packets.get(), c.data_packets.get()),
                manuf,
                manuf_truncated,
                ip: c.ip.get().map(|ip| ip_string(Ipv4Addr::from(ip))),
                first_seen: c.first_seen.get(),
                last_seen: c.last_seen.get(),
                place: self.place(c.place),
            });
        }
        Snapshot {
            networks,
            clients,
            evicted: self.evicted,
            frames: self.frames,
            memory: self.memory,
            gps: self.fix.map(|f| FixView::of(&f, now_ms())),
            gps_lines: self.gps_lines,
        }
    }
}

/// An IPv4 address as text, in one exact allocation.
fn ip_string(ip: Ipv4Addr) -> String {
    let mut out = String::with_capacity(15);
    for (i, octet) in ip.octets().into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if octet >= 100 {
            out.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            out.push(char::from(b'0' + octet / 10 % 10));
        }
        out.push(char::from(b'0' + octet % 10));
    }
    out
}

/// Two counters that are known when either is.
pub(super) fn sum(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (None, None) => None,
        _ => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
    }
}

/// How much an SSID of this type says about the network's name: beacons
/// first, then probe responses, files, unknown types, and last the names
/// a station probes for.
fn type_rank(t: Option<u32>) -> u8 {
    match t {
        Some(0) => 0,
        Some(1) => 1,
        Some(3) => 2,
        None => 3,
        Some(PROBE_REQUEST) => 4,
        Some(_) => 5,
    }
}

/// The SSID `type` of a name a station probes for (see
/// [`SSID_TYPES`](kismet_protocol::decode::SSID_TYPES)).
const PROBE_REQUEST: u32 = 2;

/// The BSSID `type` of a station seen only probing (see
/// [`NETWORK_TYPES`](kismet_protocol::decode::NETWORK_TYPES)).
const PROBE_NETWORK: u32 = 2;

/// Whether an SSID record stands for the network (not a probe request).
fn is_advertised(s: &Ssid) -> bool {
    s.ssid_type != Some(PROBE_REQUEST)
}

/// The view of one SSID record.
fn ssid_view(s: &Ssid) -> SsidView {
    let name = s.raw.as_deref().filter(|r| !r.is_empty()).map(|r| {
        let mut name = String::from_utf8_lossy(&text::ssid_bytes(r)).into_owned();
        if s.cut {
            name.push_str(CUT_MARKER);
        }
        name
    });
    // Without a `cloaked` field, an empty name in a beacon (or in a record
    // whose type is not enabled either) is a hidden one.
    let empty = s.raw.as_deref().is_some_and(<[u8]>::is_empty);
    let cloaked = s
        .cloaked
        .unwrap_or(empty && matches!(s.ssid_type, None | Some(0)));
    SsidView {
        name,
        raw: s.raw.as_deref().map(<[u8]>::to_vec),
        truncated: s.cut,
        ssid_type: s.ssid_type,
        cloaked,
        cryptset: s.cryptset,
        encryption: s
            .cryptset
            .map(Encryption::from_cryptset)
            .unwrap_or_default(),
        max_rate: s.max_rate,
        beacons: s.beacons,
        last_seen: s.last_seen,
    }
}

/// The view of one network (`manuf`: its name, and whether it was cut).
fn network_view(
    bssid: MacKey,
    n: &Network,
    clients: usize,
    (manuf, manuf_truncated): (Option<String>, bool),
) -> NetworkView {
    let ssids: Vec<SsidView> = n.ssids.iter().map(ssid_view).collect();
    // The primary SSID: the most telling type, a named one first.
    let by_rank = |i: &usize| (type_rank(n.ssids[*i].ssid_type), ssids[*i].name.is_none());
    let primary = (0..ssids.len()).min_by_key(by_rank);
    // The name: the primary's, or a hidden network's name revealed by
    // another record (a probe response).
    let ssid = primary.and_then(|i| ssids[i].name.clone()).or_else(|| {
        (0..ssids.len())
            .filter(|&i| ssids[i].name.is_some())
            .min_by_key(by_rank)
            .and_then(|i| ssids[i].name.clone())
    });
    let cloaked = ssids
        .iter()
        .zip(&n.ssids)
        .any(|(v, s)| v.cloaked && is_advertised(s));
    let cryptset = primary.and_then(|i| ssids[i].cryptset).or(n.data_cryptset);
    let last_seen = n
        .last_seen
        .or_else(|| n.ssids.iter().filter_map(|s| s.last_seen).max());
    NetworkView {
        bssid: format_mac(key_mac(bssid)),
        ssid,
        cloaked,
        network_type: n.net_type,
        channel: n.channel,
        cryptset,
        data_cryptset: n.data_cryptset,
        encryption: cryptset.map(Encryption::from_cryptset).unwrap_or_default(),
        signal_dbm: n.signal_dbm,
        packets: sum(n.llc_packets, n.data_packets),
        datasize: n.datasize,
        clients,
        manuf,
        manuf_truncated,
        first_seen: n.first_seen,
        last_seen,
        ssids,
        place: None,
    }
}

/// The model at one moment: every network and client, sorted by BSSID
/// (and MAC), with the model's counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// Networks, sorted by BSSID.
    pub networks: Vec<NetworkView>,
    /// Client records, sorted by BSSID then MAC. Includes each access
    /// point's record of itself (`mac == bssid`), as the server sends it.
    pub clients: Vec<ClientView>,
    /// Devices dropped so far to stay under the cap or the budget.
    pub evicted: u64,
    /// BSSID, SSID and CLIENT frames applied so far.
    pub frames: u64,
    /// The model's memory and limits when the snapshot was taken.
    pub memory: Memory,
    /// The GPS's latest line, with its age when the snapshot was taken;
    /// `None` before the first (see [`Snapshot::gps_lines`]).
    pub gps: Option<FixView>,
    /// GPS lines read so far: 0 when the server has sent none (a server
    /// without GPS sends none at all).
    pub gps_lines: u64,
}

/// The model's own account of the memory it holds, and its limits (see
/// [`Model::with_limits`](super::Model::with_limits)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Memory {
    /// Bytes the model holds on the heap, by its own count: its tables
    /// as allocated (networks, clients, the recency queue that finds the
    /// least recently seen, the manufacturer names' index, the devices'
    /// positions), the networks' SSID lists, and every name's bytes (SSIDs, manufacturers: raw and
    /// display forms). Not counted: the allocator's own overhead per
    /// allocation, and the model value itself (some hundreds of bytes).
    pub bytes: usize,
    /// The most `bytes` may be: past it, the least recently seen devices
    /// are evicted.
    pub max_bytes: usize,
    /// Networks and client records held.
    pub devices: usize,
    /// The most devices held: `max_devices` as given, or fewer when the
    /// tables for that many would not fit in half of `max_bytes`.
    pub max_devices: usize,
    /// Distinct manufacturer names held.
    pub names: usize,
    /// Devices evicted so far because `bytes` was over `max_bytes` (also
    /// counted in [`Snapshot::evicted`], with those past `max_devices`).
    pub evicted_for_bytes: u64,
    /// Bytes of the networks' signal histories, apart from `bytes` and
    /// bounded on their own (at most some 2.7 MB: see
    /// [`MAX_SIGNAL_NETWORKS`](super::MAX_SIGNAL_NETWORKS)).
    pub signal_bytes: usize,
}

/// One network (a BSSID), from its BSSID and SSID records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkView {
    /// The BSSID, `AA:BB:CC:DD:EE:FF`.
    pub bssid: String,
    /// The network's name as text (octal escapes decoded; bytes that are
    /// not UTF-8 as U+FFFD; not sanitised: show it on a terminal through
    /// [`text::display`]): the beacon's SSID, else one a probe
    /// response revealed, else (for a probing station) the name it probes
    /// for. `None` when no record named it (a hidden network, or SSID
    /// frames not enabled).
    pub ssid: Option<String>,
    /// An advertised SSID of it is cloaked (hidden): its `cloaked` flag,
    /// or, when that field is not enabled, an empty name in a beacon (or in
    /// a record of unknown type).
    pub cloaked: bool,
    /// BSSID `type` code (see [`decode::network_type_name`]); `None` until
    /// a BSSID frame carries it.
    ///
    /// [`decode::network_type_name`]: kismet_protocol::decode::network_type_name
    pub network_type: Option<u32>,
    /// Channel.
    pub channel: Option<u32>,
    /// The cipher set it advertises (its primary SSID's `cryptset`), or,
    /// when no SSID record carries one, its BSSID `datacryptset`.
    pub cryptset: Option<u64>,
    /// The BSSID `datacryptset`: what its data frames showed.
    pub data_cryptset: Option<u64>,
    /// [`Encryption`] of `cryptset`; all empty strings when it is unknown.
    pub encryption: Encryption,
    /// Last signal in dBm (negative); `None` when the server has no reading.
    pub signal_dbm: Option<i32>,
    /// Packets: `llcpackets` + `datapackets` (those of the two known).
    pub packets: Option<u64>,
    /// Bytes of data seen (`datasize`).
    pub datasize: Option<u64>,
    /// Distinct client MACs under this BSSID, its own record excluded.
    pub clients: usize,
    /// Manufacturer name as text (not sanitised, see [`NetworkView::ssid`];
    /// ending in [`CUT_MARKER`] when cut).
    pub manuf: Option<String>,
    /// `manuf` is only the start of the name sent, cut at
    /// [`MAX_NAME_BYTES`](super::MAX_NAME_BYTES).
    pub manuf_truncated: bool,
    /// First seen, epoch seconds.
    pub first_seen: Option<u64>,
    /// Last seen, epoch seconds (from BSSID, else its latest SSID record).
    pub last_seen: Option<u64>,
    /// Every SSID record of this BSSID, in the order first seen.
    pub ssids: Vec<SsidView>,
    /// Where it was seen; `None` when no position is known.
    pub place: Option<PlaceView>,
}

/// One SSID record of a network.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SsidView {
    /// The name as text (octal escapes decoded, not sanitised; ending in
    /// [`CUT_MARKER`] when cut); `None` when empty or not sent.
    pub name: Option<String>,
    /// The name as on the wire (octal escapes kept), or its first
    /// [`MAX_NAME_BYTES`](super::MAX_NAME_BYTES) at most when it was longer;
    /// `None` when not sent.
    pub raw: Option<Vec<u8>>,
    /// The name is only the start of the one sent: `raw` was cut.
    pub truncated: bool,
    /// SSID `type` code (see [`SSID_TYPES`](kismet_protocol::decode::SSID_TYPES)).
    pub ssid_type: Option<u32>,
    /// Cloaked: the `cloaked` flag, or an empty name in a beacon.
    pub cloaked: bool,
    /// Cipher set.
    pub cryptset: Option<u64>,
    /// [`Encryption`] of `cryptset`; all empty strings when it is unknown.
    pub encryption: Encryption,
    /// Highest rate advertised, Mbit/s.
    pub max_rate: Option<f64>,
    /// Beacons seen.
    pub beacons: Option<u64>,
    /// Last seen, epoch seconds.
    pub last_seen: Option<u64>,
}

/// One client record: a station (or a wired host, or the access point
/// itself) seen with a BSSID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientView {
    /// The client's MAC, `AA:BB:CC:DD:EE:FF`.
    pub mac: String,
    /// The BSSID it was seen with.
    pub bssid: String,
    /// The SSID of that network as text (see [`NetworkView::ssid`]), when
    /// known.
    pub ssid: Option<String>,
    /// CLIENT `type` code (see [`decode::client_type_name`]).
    ///
    /// [`decode::client_type_name`]: kismet_protocol::decode::client_type_name
    pub client_type: Option<u32>,
    /// Last signal in dBm (negative); `None` when the server has no reading.
    pub signal_dbm: Option<i32>,
    /// Packets: `llcpackets` + `datapackets` (those of the two known).
    pub packets: Option<u64>,
    /// Manufacturer name as text (not sanitised, see [`NetworkView::ssid`];
    /// ending in [`CUT_MARKER`] when cut).
    pub manuf: Option<String>,
    /// `manuf` is only the start of the name sent, cut at
    /// [`MAX_NAME_BYTES`](super::MAX_NAME_BYTES).
    pub manuf_truncated: bool,
    /// IPv4 address; `None` when the server knows none (`0.0.0.0`).
    pub ip: Option<String>,
    /// First seen, epoch seconds.
    pub first_seen: Option<u64>,
    /// Last seen, epoch seconds.
    pub last_seen: Option<u64>,
    /// Where it was seen; `None` when no position is known.
    pub place: Option<PlaceView>,
}

impl NetworkView {
    /// Where its signal was strongest, when known.
    pub fn best(&self) -> Option<LatLon> {
        self.place.and_then(|p| p.best)
    }

    /// Whether it is a station seen only probing (a probe entry), not a
    /// network: its BSSID `type` is probe, or, while its type is not
    /// known, it has no clients and every SSID record of it is a name
    /// probed for. Its channel and encryption mean nothing (the server
    /// sends 0 for both); see [`Snapshot::stations`].
    pub fn is_probe(&self) -> bool {
        match self.network_type {
            Some(t) => t == PROBE_NETWORK,
            None => {
                self.clients == 0
                    && !self.ssids.is_empty()
                    && self
                        .ssids
                        .iter()
                        .all(|s| s.ssid_type == Some(PROBE_REQUEST))
            }
        }
    }

    /// The names it was seen probing for (its probe-request SSID records
    /// with a name; broadcast probes have none), in the order first seen.
    pub fn probed_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for s in &self.ssids {
            if let (Some(PROBE_REQUEST), Some(name)) = (s.ssid_type, &s.name) {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        names
    }
}

impl ClientView {
    /// Where its signal was strongest, when known.
    pub fn best(&self) -> Option<LatLon> {
        self.place.and_then(|p| p.best)
    }
}

/// One station, as airodump-ng lists them under the networks: a MAC seen
/// as a client of a network, or seen probing, or both (then once, with its
/// association and its probes). Built by [`Snapshot::stations`] from the
/// client records (an access point's record of itself left out) and the
/// probe entries ([`NetworkView::is_probe`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StationView {
    /// The station's MAC, `AA:BB:CC:DD:EE:FF`.
    pub mac: String,
    /// The BSSID of the network it was last seen with; `None` when it was
    /// seen only probing (not associated).
    pub bssid: Option<String>,
    /// That network's SSID as text (see [`NetworkView::ssid`]), when known.
    pub ssid: Option<String>,
    /// That network is cloaked and its name not known (shown as
    /// `<hidden>`, as its network is).
    pub cloaked: bool,
    /// The SSIDs it probes for (see [`NetworkView::probed_names`]), in the
    /// order first seen; airodump-ng's Probes column.
    pub probes: Vec<String>,
    /// Signal in dBm of its record last seen that has one.
    pub signal_dbm: Option<i32>,
    /// Packets: those of its client records and of its probe entry
    /// (`None` when none of them is known).
    pub packets: Option<u64>,
    /// Manufacturer name as text (not sanitised, see [`NetworkView::ssid`];
    /// ending in [`CUT_MARKER`] when cut).
    pub manuf: Option<String>,
    /// `manuf` is only the start of the name sent.
    pub manuf_truncated: bool,
    /// First seen (the earliest of its records), epoch seconds.
    pub first_seen: Option<u64>,
    /// Last seen (the latest of its records), epoch seconds.
    pub last_seen: Option<u64>,
}

/// One record a station is made of (see [`Snapshot::stations`]).
#[derive(Clone, Copy)]
enum Part<'a> {
    /// A client record of it, under some network.
    Client(&'a ClientView),
    /// Its probe entry.
    Probe(&'a NetworkView),
}

impl<'a> Part<'a> {
    fn last_seen(self) -> Option<u64> {
        match self {
            Part::Client(c) => c.last_seen,
            Part::Probe(n) => n.last_seen,
        }
    }

    fn first_seen(self) -> Option<u64> {
        match self {
            Part::Client(c) => c.first_seen,
            Part::Probe(n) => n.first_seen,
        }
    }

    fn signal_dbm(self) -> Option<i32> {
        match self {
            Part::Client(c) => c.signal_dbm,
            Part::Probe(n) => n.signal_dbm,
        }
    }

    fn packets(self) -> Option<u64> {
        match self {
            Part::Client(c) => c.packets,
            Part::Probe(n) => n.packets,
        }
    }

    fn manuf(self) -> Option<(&'a String, bool)> {
        match self {
            Part::Client(c) => c.manuf.as_ref().map(|m| (m, c.manuf_truncated)),
            Part::Probe(n) => n.manuf.as_ref().map(|m| (m, n.manuf_truncated)),
        }
    }
}

/// The items whose `best` position is within `radius_m` metres of
/// `center`, nearest first (ties in the order given), each with its
/// distance in metres.
fn near<T>(
    items: impl Iterator<Item = T>,
    best: impl Fn(&T) -> Option<LatLon>,
    center: LatLon,
    radius_m: f64,
) -> Vec<(T, f64)> {
    let mut found: Vec<(T, f64)> = items
        .filter_map(|item| {
            let d = center.distance_m(best(&item)?);
            (d <= radius_m).then_some((item, d))
        })
        .collect();
    found.sort_by(|a, b| a.1.total_cmp(&b.1));
    found
}

impl Snapshot {
    /// The network with this BSSID (any case).
    pub fn network(&self, bssid: &str) -> Option<&NetworkView> {
        let mac = format_mac(parse_mac(bssid.trim().as_bytes())?);
        self.networks
            .binary_search_by(|n| n.bssid.cmp(&mac))
            .ok()
            .map(|i| &self.networks[i])
    }

    /// True when any network or client has a best position.
    pub fn has_positions(&self) -> bool {
        self.networks.iter().any(|n| n.best().is_some())
            || self.clients.iter().any(|c| c.best().is_some())
    }

    /// The networks whose best position is within `radius_m` metres of
    /// `center`, nearest first, with their distance in metres.
    ///
    /// # Examples
    /// ```
    /// use kismet_client::{LatLon, Snapshot};
    /// let here: LatLon = "37.7691,-122.4196".parse().unwrap();
    /// assert!(Snapshot::default().networks_near(here, 100.0).is_empty());
    /// ```
    pub fn networks_near(&self, center: LatLon, radius_m: f64) -> Vec<(&NetworkView, f64)> {
        near(self.networks.iter(), |n| n.best(), center, radius_m)
    }

    /// The client records (access points' own left out) whose best
    /// position is within `radius_m` metres of `center`, nearest first,
    /// with their distance in metres.
    pub fn clients_near(&self, center: LatLon, radius_m: f64) -> Vec<(&ClientView, f64)> {
        let clients = self.clients.iter().filter(|c| c.mac != c.bssid);
        near(clients, |c| c.best(), center, radius_m)
    }

    /// The clients of a network, its own record (`mac == bssid`) left out.
    /// `net` is a BSSID (any case) or, when it is not one or no record has
    /// that BSSID, an SSID name: then the clients of every BSSID
    /// advertising that name (exact display form, probe requests not
    /// counted), in BSSID order. A MAC that no client record has as its
    /// BSSID but one has as its own (a station's: its probe entry has no
    /// clients) gives that station's records (see
    /// [`Snapshot::records_of`]).
    pub fn clients_of(&self, net: &str) -> Vec<&ClientView> {
        let net = net.trim();
        if let Some(mac) = parse_mac(net.as_bytes()) {
            let bssid = format_mac(mac);
            let found = self.clients_of_bssid(&bssid);
            if !found.is_empty() {
                return found;
            }
            let own = self.records_of(&bssid);
            if !own.is_empty() || self.network(&bssid).is_some() {
                return own;
            }
        }
        let bssids: Vec<&str> = self
            .networks
            .iter()
            .filter(|n| {
                n.ssids
                    .iter()
                    .any(|s| s.name.as_deref() == Some(net) && s.ssid_type != Some(PROBE_REQUEST))
            })
            .map(|n| n.bssid.as_str())
            .collect();
        bssids
            .into_iter()
            .flat_map(|b| self.clients_of_bssid(b))
            .collect()
    }

    /// The client records of one station (its MAC, any case), in BSSID
    /// order: the networks it was seen with. An access point's record of
    /// itself is left out.
    pub fn records_of(&self, mac: &str) -> Vec<&ClientView> {
        let Some(mac) = parse_mac(mac.trim().as_bytes()).map(format_mac) else {
            return Vec::new();
        };
        (self.clients.iter())
            .filter(|c| c.mac == mac && c.bssid != mac)
            .collect()
    }

    /// Every station, by MAC: each MAC of a client record (an access
    /// point's record of itself left out) and each probe entry
    /// ([`NetworkView::is_probe`]), once. A station seen with several
    /// networks is shown with the one it was last seen with; its packets
    /// are those of all its records and its probe entry, its signal that
    /// of the one last seen, its probes those of its own BSSID record
    /// (whatever its type).
    ///
    /// # Examples
    /// ```
    /// use kismet_client::Snapshot;
    /// assert!(Snapshot::default().stations().is_empty());
    /// ```
    pub fn stations(&self) -> Vec<StationView> {
        let clients = (self.clients.iter())
            .filter(|c| c.mac != c.bssid)
            .map(|c| (c.mac.as_str(), Part::Client(c)));
        let probes = (self.networks.iter())
            .filter(|n| n.is_probe())
            .map(|n| (n.bssid.as_str(), Part::Probe(n)));
        let mut parts: Vec<(&str, Part<'_>)> = clients.chain(probes).collect();
        // Stable: a station's client records stay in BSSID order.
        parts.sort_by(|a, b| a.0.cmp(b.0));
        parts
            .chunk_by(|a, b| a.0 == b.0)
            .map(|group| self.station(group))
            .collect()
    }

    /// The view of one station from its parts (one MAC, at least one).
    fn station(&self, group: &[(&str, Part<'_>)]) -> StationView {
        let mac = group.first().map_or("", |(m, _)| *m);
        let parts = || group.iter().map(|(_, p)| *p);
        // The network it was last seen with (the first of equals).
        let mut latest: Option<&ClientView> = None;
        for p in parts() {
            if let Part::Client(c) = p {
                if latest.is_none_or(|l| cmp_known(c.last_seen, l.last_seen, true).is_lt()) {
                    latest = Some(c);
                }
            }
        }
        let cloaked = latest
            .is_some_and(|c| c.ssid.is_none() && self.network(&c.bssid).is_some_and(|n| n.cloaked));
        // The signal of the part last seen that has one.
        let signal_dbm = parts()
            .filter_map(|p| Some((p.last_seen(), p.signal_dbm()?)))
            .min_by(|a, b| cmp_known(a.0, b.0, true))
            .map(|(_, s)| s);
        let packets = parts().map(Part::packets).fold(None, sum);
        let manuf = latest
            .map(Part::Client)
            .into_iter()
            .chain(parts())
            .find_map(Part::manuf);
        let probes = self
            .network(mac)
            .map(NetworkView::probed_names)
            .unwrap_or_default();
        StationView {
            mac: mac.to_string(),
            bssid: latest.map(|c| c.bssid.clone()),
            ssid: latest.and_then(|c| c.ssid.clone()),
            cloaked,
            probes,
            signal_dbm,
            packets,
            manuf: manuf.map(|(m, _)| m.clone()),
            manuf_truncated: manuf.is_some_and(|(_, cut)| cut),
            first_seen: parts().filter_map(Part::first_seen).min(),
            last_seen: parts().filter_map(Part::last_seen).max(),
        }
    }

    /// The client records under one BSSID (upper case), its own excluded.
    fn clients_of_bssid(&self, bssid: &str) -> Vec<&ClientView> {
        let start = self.clients.partition_point(|c| c.bssid.as_str() < bssid);
        self.clients[start..]
            .iter()
            .take_while(|c| c.bssid == bssid)
            .filter(|c| c.mac != c.bssid)
            .collect()
    }
}

/// Compares two optional keys: known before unknown whatever the
/// direction, known ones in the direction asked.
pub(super) fn cmp_known<T: Ord>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) if descending => y.cmp(&x),
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}
