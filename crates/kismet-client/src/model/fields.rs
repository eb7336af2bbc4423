//! The fields the model reads from BSSID, SSID, CLIENT and GPS frames, by name,
//! and where they sit in a frame: looked up once per field list, not per
//! frame.
//!
//! A frame carries the names the client enabled (shared as one
//! `Arc<[String]>` per subscription). The positions of the model's fields
//! in that list are found once and kept while the same list comes back, so
//! reading a field on the hot path is an index, not a string search.

use std::sync::Arc;

use kismet_protocol::decode::parse_u64;
use kismet_protocol::Frame;

/// The BSSID fields the model reads; [`bssid`] holds their positions here.
/// The position fields after `datacryptset` are the server's, read only
/// for a network the client saw no GPS fix for.
pub const BSSID_FIELDS: [&str; 27] = [
    "bssid",
    "type",
    "llcpackets",
    "datapackets",
    "manuf",
    "channel",
    "firsttime",
    "lasttime",
    "signal_dbm",
    "datasize",
    "datacryptset",
    "cryptpackets",
    "minsignal_dbm",
    "maxsignal_dbm",
    "maxseenrate",
    "rangeip",
    "gpsfixed",
    "bestlat",
    "bestlon",
    "bestalt",
    "agglat",
    "agglon",
    "aggpoints",
    "minlat",
    "minlon",
    "maxlat",
    "maxlon",
];

/// The BSSID and SSID fields only the network detail reads: the model
/// does without them where the server refuses them.
pub const DETAIL_FIELDS: [(&str, &str); 8] = [
    ("BSSID", "cryptpackets"),
    ("BSSID", "minsignal_dbm"),
    ("BSSID", "maxsignal_dbm"),
    ("BSSID", "maxseenrate"),
    ("BSSID", "rangeip"),
    ("SSID", "beaconrate"),
    ("SSID", "firsttime"),
    ("SSID", "packets"),
];

/// Positions in [`BSSID_FIELDS`].
pub mod bssid {
    pub const BSSID: usize = 0;
    pub const TYPE: usize = 1;
    pub const LLC_PACKETS: usize = 2;
    pub const DATA_PACKETS: usize = 3;
    pub const MANUF: usize = 4;
    pub const CHANNEL: usize = 5;
    pub const FIRST_TIME: usize = 6;
    pub const LAST_TIME: usize = 7;
    pub const SIGNAL_DBM: usize = 8;
    pub const DATASIZE: usize = 9;
    pub const DATA_CRYPTSET: usize = 10;
    pub const CRYPT_PACKETS: usize = 11;
    pub const MIN_SIGNAL_DBM: usize = 12;
    pub const MAX_SIGNAL_DBM: usize = 13;
    pub const MAX_SEEN_RATE: usize = 14;
    pub const RANGE_IP: usize = 15;
    /// The first of the server's position fields (see
    /// [`super::SERVER_POSITION`]).
    pub const GPS_FIXED: usize = 16;
}

/// The SSID fields the model reads; [`ssid`] holds their positions here.
pub const SSID_FIELDS: [&str; 11] = [
    "mac",
    "type",
    "ssid",
    "cryptset",
    "cloaked",
    "maxrate",
    "beacons",
    "lasttime",
    "beaconrate",
    "firsttime",
    "packets",
];

/// Positions in [`SSID_FIELDS`].
pub mod ssid {
    pub const MAC: usize = 0;
    pub const TYPE: usize = 1;
    pub const SSID: usize = 2;
    pub const CRYPTSET: usize = 3;
    pub const CLOAKED: usize = 4;
    pub const MAX_RATE: usize = 5;
    pub const BEACONS: usize = 6;
    pub const LAST_TIME: usize = 7;
    pub const BEACON_RATE: usize = 8;
    pub const FIRST_TIME: usize = 9;
    pub const PACKETS: usize = 10;
}

/// The CLIENT fields the model reads; [`client`] holds their positions here.
/// The position fields after `ip` are the server's (as for BSSID).
pub const CLIENT_FIELDS: [&str; 21] = [
    "bssid",
    "mac",
    "type",
    "firsttime",
    "lasttime",
    "manuf",
    "llcpackets",
    "datapackets",
    "signal_dbm",
    "ip",
    "gpsfixed",
    "bestlat",
    "bestlon",
    "bestalt",
    "agglat",
    "agglon",
    "aggpoints",
    "minlat",
    "minlon",
    "maxlat",
    "maxlon",
];

/// Positions in [`CLIENT_FIELDS`].
pub mod client {
    pub const BSSID: usize = 0;
    pub const MAC: usize = 1;
    pub const TYPE: usize = 2;
    pub const FIRST_TIME: usize = 3;
    pub const LAST_TIME: usize = 4;
    pub const MANUF: usize = 5;
    pub const LLC_PACKETS: usize = 6;
    pub const DATA_PACKETS: usize = 7;
    pub const SIGNAL_DBM: usize = 8;
    pub const IP: usize = 9;
    /// The first of the server's position fields (see
    /// [`super::SERVER_POSITION`]).
    pub const GPS_FIXED: usize = 10;
}

/// The server's position fields of BSSID and CLIENT, in the order both
/// lists above end with (from their `GPS_FIXED` on), as
/// [`ServerFields`] reads them.
pub const SERVER_POSITION: [&str; 11] = [
    "gpsfixed",
    "bestlat",
    "bestlon",
    "bestalt",
    "agglat",
    "agglon",
    "aggpoints",
    "minlat",
    "minlon",
    "maxlat",
    "maxlon",
];

/// The GPS fields the model reads; [`gps`] holds their positions here.
pub const GPS_FIELDS: [&str; 10] = [
    "lat",
    "lon",
    "alt",
    "spd",
    "heading",
    "fix",
    "satinfo",
    "hdop",
    "vdop",
    "connected",
];

/// Positions in [`GPS_FIELDS`].
pub mod gps {
    pub const LAT: usize = 0;
    pub const LON: usize = 1;
    pub const ALT: usize = 2;
    pub const SPD: usize = 3;
    pub const HEADING: usize = 4;
    pub const FIX: usize = 5;
    pub const SATINFO: usize = 6;
    pub const HDOP: usize = 7;
    pub const VDOP: usize = 8;
    pub const CONNECTED: usize = 9;
}

/// Positions in [`SERVER_POSITION`] (as in [`ServerFields::get`]).
pub mod server {
    pub const GPS_FIXED: usize = 0;
    pub const BEST_LAT: usize = 1;
    pub const BEST_LON: usize = 2;
    pub const BEST_ALT: usize = 3;
    pub const AGG_LAT: usize = 4;
    pub const AGG_LON: usize = 5;
    pub const AGG_POINTS: usize = 6;
    pub const MIN_LAT: usize = 7;
    pub const MIN_LON: usize = 8;
    pub const MAX_LAT: usize = 9;
    pub const MAX_LON: usize = 10;
}

/// The server's position fields of one BSSID or CLIENT frame, read only
/// when asked for (a copy of where they sit: cheap to make on every
/// frame).
#[derive(Debug, Clone, Copy)]
pub struct ServerFields<'f> {
    frame: &'f Frame,
    /// Where each of [`SERVER_POSITION`] sits in the frame, or [`ABSENT`].
    at: [u16; SERVER_POSITION.len()],
}

impl<'f> ServerFields<'f> {
    /// Field `which` (a [`server`] constant), when the frame carries it.
    #[inline]
    pub fn get(&self, which: usize) -> Option<&'f [u8]> {
        match self.at.get(which) {
            Some(&ABSENT) | None => None,
            Some(&i) => self.frame.field(usize::from(i)),
        }
    }

    /// Whether `gpsfixed` is 1: the server saw a fix for this device.
    #[inline]
    pub fn fixed(&self) -> bool {
        self.get(server::GPS_FIXED) == Some(b"1")
    }

    /// The server's `aggpoints`, when sent.
    #[inline]
    pub fn points(&self) -> Option<u64> {
        self.get(server::AGG_POINTS).and_then(parse_u64)
    }
}

/// No such field in the frame's list./// No such field in the frame's list.
const ABSENT: u16 = u16::MAX;

/// Where the `N` wanted fields sit in one field list, remembered for the
/// last list seen (the client shares one list per subscription, so this
/// misses only when a protocol is enabled again).
#[derive(Debug)]
pub struct FieldMap<const N: usize> {
    /// The names wanted, in the order of the position constants.
    wanted: &'static [&'static str; N],
    /// The list the positions were found in.
    names: Option<Arc<[String]>>,
    /// Position of each wanted field in `names`, or [`ABSENT`].
    at: [u16; N],
}

impl<const N: usize> FieldMap<N> {
    /// A map for these names, with no list seen yet.
    pub fn new(wanted: &'static [&'static str; N]) -> FieldMap<N> {
        FieldMap {
            wanted,
            names: None,
            at: [ABSENT; N],
        }
    }

    /// The positions of the wanted fields in `frame`, or `None` when the
    /// frame's names are unknown (or do not match its field count).
    pub fn resolve(&mut self, frame: &Frame) -> Option<Positions<N>> {
        let names = frame.names_arc()?;
        let same = self.names.as_ref().is_some_and(|n| Arc::ptr_eq(n, names));
        if !same {
            for (slot, want) in self.at.iter_mut().zip(self.wanted) {
                *slot = names
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(want))
                    .and_then(|i| u16::try_from(i).ok())
                    .unwrap_or(ABSENT);
            }
            self.names = Some(names.clone());
        }
        Some(Positions(self.at))
    }
}

/// The positions of the wanted fields in one frame (see [`FieldMap`]).
#[derive(Debug, Clone, Copy)]
pub struct Positions<const N: usize>([u16; N]);

impl<const N: usize> Positions<N> {
    /// The server's position fields of `frame`, which start at `first`
    /// (a list's `GPS_FIXED`).
    #[inline]
    pub fn server<'f>(&self, frame: &'f Frame, first: usize) -> ServerFields<'f> {
        let mut at = [ABSENT; SERVER_POSITION.len()];
        if let Some(ours) = self.0.get(first..first + at.len()) {
            at.copy_from_slice(ours);
        }
        ServerFields { frame, at }
    }

    /// The wanted field `which` (a position constant) of `frame`, when the
    /// frame carries it.
    #[inline]
    pub fn get<'f>(&self, frame: &'f Frame, which: usize) -> Option<&'f [u8]> {
        match self.0.get(which) {
            Some(&ABSENT) | None => None,
            Some(&i) => frame.field(usize::from(i)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both lists end with the server's position fields, in one order.
    #[test]
    fn server_position_fields_end_both_lists() {
        assert_eq!(BSSID_FIELDS[bssid::GPS_FIXED..], SERVER_POSITION);
        assert_eq!(CLIENT_FIELDS[client::GPS_FIXED..], SERVER_POSITION);
    }

    /// Positions follow the frame's own field order, any case, and a
    /// field the list lacks is absent.
    #[test]
    fn positions_follow_the_list() {
        let mut map = FieldMap::new(&CLIENT_FIELDS);
        let names: Arc<[String]> = vec!["MAC".to_string(), "bssid".to_string()].into();
        let f = Frame::parse(b"*CLIENT: 00:00:00:00:00:02 00:00:00:00:00:01 ")
            .unwrap()
            .with_names(Some(names.clone()));
        let at = map.resolve(&f).unwrap();
        assert_eq!(at.get(&f, client::BSSID), Some(&b"00:00:00:00:00:01"[..]));
        assert_eq!(at.get(&f, client::MAC), Some(&b"00:00:00:00:00:02"[..]));
        assert_eq!(at.get(&f, client::IP), None);
        assert_eq!(at.get(&f, 99), None);
        // A second list for the same protocol replaces the first.
        let other: Arc<[String]> = vec!["bssid".to_string()].into();
        let g = Frame::parse(b"*CLIENT: 00:00:00:00:00:03 ")
            .unwrap()
            .with_names(Some(other));
        let at = map.resolve(&g).unwrap();
        assert_eq!(at.get(&g, client::BSSID), Some(&b"00:00:00:00:00:03"[..]));
        assert_eq!(at.get(&g, client::MAC), None);
        // No names, or names that do not match the fields: nothing.
        let bare = Frame::parse(b"*CLIENT: a b ").unwrap();
        assert!(map.resolve(&bare).is_none());
        let short = Frame::parse(b"*CLIENT: a ")
            .unwrap()
            .with_names(Some(names));
        assert!(map.resolve(&short).is_none());
    }
}
