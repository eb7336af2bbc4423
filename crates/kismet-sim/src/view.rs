//! A read-only copy of what the simulated world holds, for tests that
//! compare what a client shows with the simulator's truth.

use super::catalog::{APS, STATIONS};
use super::devices::{ClientRec, Mac, Network};
use super::geo::Point;
use super::radio;
use super::route::Closest;
use super::world::World;

/// One network as the simulator knows it: an access point, or a probe
/// network (a station seen only probing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkView {
    /// BSSID, as the server writes it (`00:14:6C:A1:00:01`).
    pub bssid: String,
    /// The SSID the access point beacons, as text (not octal-escaped);
    /// empty for a hidden network and for a probe network.
    pub ssid: String,
    /// Hidden: the access point beacons an empty SSID.
    pub cloaked: bool,
    /// BSSID `type`: 0 access point, 2 probe.
    pub network_type: u8,
    /// Channel (0 for a probe network).
    pub channel: u8,
    /// Encryption bit set: BSSID `datacryptset`, and SSID `cryptset` of
    /// the beaconed SSID (0 for a probe network).
    pub cryptset: u64,
    /// Manufacturer, from the OUI.
    pub manufacturer: String,
    /// The SSIDs a probe network's station probed for, as text (an empty
    /// one is a broadcast probe); empty for an access point.
    pub probed_ssids: Vec<String>,
}

/// One client record as the simulator knows it: a station, the access
/// point itself or a wired host, as seen in one network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientView {
    /// The network's BSSID.
    pub bssid: String,
    /// The client's MAC.
    pub mac: String,
    /// CLIENT `type`: 1 from-DS, 2 to-DS, ...
    pub client_type: u8,
    /// IP address learnt from its traffic, if any (`192.168.1.100`).
    pub ip: Option<String>,
    /// CLIENT `datacryptset`: encryption bit set of its data frames.
    pub cryptset: u64,
    /// Manufacturer, from the OUI.
    pub manufacturer: String,
}

/// Where one device of a drive truly stands, and where the route passes
/// it closest: the truth a client's computed positions are checked
/// against.
#[derive(Debug, Clone, PartialEq)]
pub struct DevicePosition {
    /// The access point's BSSID, or the station's MAC.
    pub mac: String,
    /// True for an access point, false for a station.
    pub access_point: bool,
    /// A station's access point (its BSSID), if it has one.
    pub home: Option<String>,
    /// Where it stands.
    pub position: Point,
    /// Where the route passes it closest (the first such place).
    pub closest: Closest,
    /// Its transmit power, dBm (see the path-loss model's constants).
    pub tx_dbm: f64,
    /// The farthest it is heard from, metres (before fading).
    pub range_m: f64,
}

/// Where every access point, then every station, stands, in the
/// catalog's order; empty without a drive. (The wired gateway has no
/// radio: it is heard through each access point, at its place.)
pub fn device_positions(world: &World) -> Vec<DevicePosition> {
    let Some(drive) = world.drive() else {
        return Vec::new();
    };
    let (route, placed) = (drive.route(), drive.placement());
    let device = |mac: [u8; 6], access_point, home: Option<usize>, position: Point| {
        let tx_dbm = if access_point {
            radio::AP_TX_DBM
        } else {
            radio::STATION_TX_DBM
        };
        DevicePosition {
            mac: Mac(mac).to_string(),
            access_point,
            home: home.map(|i| Mac(APS[i].bssid).to_string()),
            position,
            closest: route.closest(&position),
            tx_dbm,
            range_m: radio::range_m(tx_dbm),
        }
    };
    let aps = APS
        .iter()
        .zip(&placed.aps)
        .map(|(ap, p)| device(ap.bssid, true, None, *p));
    let stations = STATIONS
        .iter()
        .zip(&placed.stations)
        .map(|(s, p)| device(s.mac, false, s.home, *p));
    aps.chain(stations).collect()
}

/// Text of SSID bytes.
fn ssid_text(ssid: &[u8]) -> String {
    String::from_utf8_lossy(ssid).into_owned()
}

fn network(n: &Network) -> NetworkView {
    let beacon = n.ssids.iter().find(|s| s.stype == 0);
    NetworkView {
        bssid: n.bssid.to_string(),
        ssid: beacon.map(|s| ssid_text(&s.ssid)).unwrap_or_default(),
        cloaked: beacon.is_some_and(|s| s.cloaked),
        network_type: n.ntype,
        channel: n.channel,
        cryptset: n.cryptset,
        manufacturer: n.manuf.to_string(),
        probed_ssids: n
            .ssids
            .iter()
            .filter(|s| s.stype == 2)
            .map(|s| ssid_text(&s.ssid))
            .collect(),
    }
}

fn client(c: &ClientRec) -> ClientView {
    let ip = c.ip;
    ClientView {
        bssid: c.bssid.to_string(),
        mac: c.mac.to_string(),
        client_type: c.ctype,
        ip: (ip != [0; 4]).then(|| format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])),
        cryptset: c.cryptset,
        manufacturer: c.manuf.to_string(),
    }
}

/// Every network, sorted by BSSID (the order of the BSSID burst).
pub fn networks(world: &World) -> Vec<NetworkView> {
    world.networks_by_mac().map(network).collect()
}

/// Every client record, sorted by BSSID then MAC (the order of the CLIENT
/// burst).
pub fn clients(world: &World) -> Vec<ClientView> {
    world.clients_by_mac().map(client).collect()
}
