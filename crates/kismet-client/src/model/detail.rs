//! What the network detail shows beyond a [`NetworkView`](super::NetworkView):
//! the BSSID and SSID fields the tables leave out, and the network's
//! signal over the last minutes (see [`super::signal`]).

use std::net::Ipv4Addr;

use super::store::{Network, Ssid};

/// The fields of one network that only its detail shows, and its signal
/// history; `None` for a value no frame has carried (or the server's
/// "unknown" mark).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct NetworkDetail {
    /// BSSID `llcpackets`: management and control packets.
    pub llc_packets: Option<u64>,
    /// BSSID `datapackets`.
    pub data_packets: Option<u64>,
    /// BSSID `cryptpackets`: encrypted data packets.
    pub crypt_packets: Option<u64>,
    /// BSSID `minsignal_dbm`: the weakest signal the server saw.
    pub min_signal_dbm: Option<i32>,
    /// BSSID `maxsignal_dbm`: the strongest signal the server saw.
    pub max_signal_dbm: Option<i32>,
    /// BSSID `maxseenrate`, Mbit/s. The server's field counts 100 kbit/s
    /// as far as its source reads (the radio's 500 kbit/s rate times 5);
    /// no recording here shows one: a guess, which the simulator shares
    /// (540 for 54 Mbit/s).
    pub max_seen_rate: Option<f64>,
    /// BSSID `rangeip`: the IP range the server guessed for it.
    pub range_ip: Option<String>,
    /// Per SSID record, in the order of
    /// [`NetworkView::ssids`](super::NetworkView::ssids).
    pub ssids: Vec<SsidDetail>,
    /// Its signal, one point a second at most: (epoch second, dBm),
    /// oldest first, over the last [`SIGNAL_SECONDS`](super::SIGNAL_SECONDS)
    /// (the local clock's seconds, as its BSSID records came).
    pub signal_history: Vec<(u64, i32)>,
}

/// The fields of one SSID record that only the detail shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SsidDetail {
    /// `beaconrate`: beacons a second announced.
    pub beacon_rate: Option<u32>,
    /// `firsttime`, epoch seconds.
    pub first_seen: Option<u64>,
    /// `packets`.
    pub packets: Option<u64>,
}

impl NetworkDetail {
    /// A network's detail, with its signal points.
    pub(super) fn of(n: &Network, signal_history: Vec<(u64, i32)>) -> NetworkDetail {
        NetworkDetail {
            llc_packets: n.llc_packets,
            data_packets: n.data_packets,
            crypt_packets: n.crypt_packets.get(),
            min_signal_dbm: n.min_signal_dbm.get(),
            max_signal_dbm: n.max_signal_dbm.get(),
            max_seen_rate: n.max_seen_rate.get().map(|r| f64::from(r) / 10.0),
            range_ip: n.range_ip.get().map(|ip| Ipv4Addr::from(ip).to_string()),
            ssids: n.ssids.iter().map(SsidDetail::of).collect(),
            signal_history,
        }
    }

    /// A detail with only a signal history (a session database's: it
    /// keeps no more of these fields).
    pub fn with_history(signal_history: Vec<(u64, i32)>) -> NetworkDetail {
        NetworkDetail {
            signal_history,
            ..NetworkDetail::default()
        }
    }
}

impl SsidDetail {
    fn of(s: &Ssid) -> SsidDetail {
        SsidDetail {
            beacon_rate: s.beacon_rate,
            first_seen: s.first_seen,
            packets: s.packets,
        }
    }
}
