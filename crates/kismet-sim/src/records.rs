//! One server record per protocol, rendered from the world's state: every
//! field of the protocol in CAPABILITY order.
//!
//! Each `*_record` function walks the protocol's field names from the table
//! and renders each by name; a name it does not know renders as `0`, so a
//! record always has exactly as many fields as the protocol.

use super::capabilities::Proto;
use super::devices::{
    Alert, Battery, ChannelStat, ClientRec, Gps, GpsBox, Mac, Network, Signal, Source, SsidInfo,
    Totals,
};
use super::record::{munge_ssid, Record};
use kismet_protocol::spec::MAX_ERROR_TEXT;

/// Builds a record by walking `proto`'s field names in order.
fn by_name(proto: Proto, mut f: impl FnMut(&mut Record, &str)) -> Record {
    let mut r = Record::new();
    for name in &proto.def().fields {
        let before = r.len();
        f(&mut r, name);
        // Exactly one field per name, whatever the renderer did.
        while r.len() <= before {
            r.num(0);
        }
        r.truncate(before + 1);
    }
    r
}

/// Renders the signal fields shared by BSSID, CLIENT, BSSIDSRC and CLISRC.
/// Returns false when `name` is not a signal field.
fn signal_field(r: &mut Record, name: &str, s: &Signal) -> bool {
    match name {
        "signal_dbm" | "signaldbm" => r.num(s.dbm),
        "noise_dbm" | "noisedbm" => r.num(0),
        "minsignal_dbm" | "minsignaldbm" => r.num(s.min_dbm),
        "minnoise_dbm" | "minnoisedbm" => r.num(0),
        "maxsignal_dbm" | "maxsignaldbm" => r.num(s.max_dbm),
        "maxnoise_dbm" | "maxnoisedbm" => r.num(-256),
        "signal_rssi" | "noise_rssi" | "signalrssi" | "noiserssi" => r.num(0),
        "minsignal_rssi" | "minnoise_rssi" | "minsignalrssi" | "minnoiserssi" => r.num(1024),
        "maxsignal_rssi" | "maxnoise_rssi" | "maxsignalrssi" | "maxnoiserssi" => r.num(0),
        _ => return false,
    };
    true
}

/// Renders the GPS box fields shared by BSSID, CLIENT and COMMON.
fn gps_field(r: &mut Record, name: &str, g: &GpsBox) -> bool {
    match name {
        "gpsfixed" => r.num(u8::from(g.points > 0)),
        "minlat" => r.float(g.min[0]),
        "minlon" => r.float(g.min[1]),
        "minalt" => r.float(g.min[2]),
        "minspd" => r.float(g.min[3]),
        "maxlat" => r.float(g.max[0]),
        "maxlon" => r.float(g.max[1]),
        "maxalt" => r.float(g.max[2]),
        "maxspd" => r.float(g.max[3]),
        "bestlat" => r.float(g.best[0]),
        "bestlon" => r.float(g.best[1]),
        "bestalt" => r.float(g.best[2]),
        // The running average, as servers since 2011 send it (older
        // ones sent the sum).
        "agglat" => r.float(g.average()[0]),
        "agglon" => r.float(g.average()[1]),
        "aggalt" => r.float(g.average()[2]),
        "aggpoints" => r.num(g.points),
        _ => return false,
    };
    true
}

/// `freqmhz`: `MHz:packets*` for the one frequency the device was seen on.
fn freq_field(channel: u8, packets: u64) -> String {
    format!("{}:{}*", channel_mhz(channel), packets.max(1))
}

/// Centre frequency of a 2.4 GHz channel (0 for "no channel").
pub fn channel_mhz(channel: u8) -> u32 {
    match channel {
        0 => 2412,
        14 => 2484,
        c => 2407 + 5 * u32::from(c),
    }
}

/// BSSID: one network (access point, or a station's probe "network").
pub fn bssid_record(n: &Network) -> Record {
    by_name(Proto::Bssid, |r, name| {
        if signal_field(r, name, &n.signal) || gps_field(r, name, &n.gps) {
            return;
        }
        match name {
            "bssid" => r.bare(n.bssid.to_string()),
            "type" => r.num(n.ntype),
            "llcpackets" => r.num(n.llc),
            "datapackets" => r.num(n.data),
            "cryptpackets" => r.num(n.crypt),
            "manuf" => r.quoted(n.manuf),
            "channel" => r.num(n.channel),
            "firsttime" => r.num(n.firsttime),
            "lasttime" => r.num(n.lasttime),
            "atype" => r.num(0),
            "rangeip" | "netmaskip" | "gatewayip" => r.bare("0.0.0.0"),
            "datasize" => r.num(n.datasize),
            "carrierset" => r.num(1),
            "maxseenrate" => r.num(n.maxseenrate),
            "encodingset" => r.num(1),
            "cdpdevice" | "cdpport" => r.quoted(" "),
            "fragments" => r.num(n.fragments),
            "retries" => r.num(n.retries),
            "newpackets" => r.num(n.newpackets),
            "freqmhz" => r.bare(freq_field(n.channel, n.llc + n.data)),
            "datacryptset" => r.num(n.cryptset),
            _ => r.num(0),
        };
    })
}

/// SSID: one SSID a network advertised (beacon) or a station probed for.
pub fn ssid_record(n: &Network, s: &SsidInfo) -> Record {
    by_name(Proto::Ssid, |r, name| {
        match name {
            "mac" => r.bare(n.bssid.to_string()),
            "checksum" => r.num(ssid_checksum(&s.ssid)),
            "type" => r.num(s.stype),
            "ssid" => r.quoted(munge_ssid(&s.ssid)),
            // Always a lone space, as the server writes it.
            "beaconinfo" => r.quoted(" "),
            "cryptset" => r.num(s.cryptset),
            "cloaked" => r.num(u8::from(s.cloaked)),
            "firsttime" => r.num(s.firsttime),
            "lasttime" => r.num(s.lasttime),
            "maxrate" => r.float(s.maxrate),
            "beaconrate" => r.num(s.beaconrate),
            "packets" => r.num(s.packets),
            "beacons" => r.num(s.beacons),
            // No 802.11d country known: the server writes `XXX:`.
            "dot11d" => r.quoted("XXX:"),
            "wps" => r.num(0),
            "wps_manuf" | "wps_device_name" | "wps_model_name" | "wps_model_number" => r.quoted(""),
            _ => r.num(0),
        };
    })
}

/// A stable checksum of the SSID bytes (the server uses a CRC).
fn ssid_checksum(ssid: &[u8]) -> u32 {
    ssid.iter().fold(0x811C_9DC5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// CLIENT: one station as seen in one network. `dot11d` is an empty bare
/// field, as on the real server (two spaces in a row on the wire).
pub fn client_record(c: &ClientRec) -> Record {
    by_name(Proto::Client, |r, name| {
        if signal_field(r, name, &c.signal) || gps_field(r, name, &c.gps) {
            return;
        }
        match name {
            "bssid" => r.bare(c.bssid.to_string()),
            "mac" => r.bare(c.mac.to_string()),
            "type" => r.num(c.ctype),
            "firsttime" => r.num(c.firsttime),
            "lasttime" => r.num(c.lasttime),
            "manuf" => r.quoted(c.manuf),
            "llcpackets" => r.num(c.llc),
            "datapackets" => r.num(c.data),
            "cryptpackets" => r.num(c.crypt),
            "atype" => r.num(u8::from(c.ip != [0; 4]) * 3),
            "ip" => r.bare(fmt_ip(c.ip)),
            "gatewayip" => r.bare(fmt_ip(c.gateway)),
            "datasize" => r.num(c.datasize),
            "maxseenrate" => r.num(c.maxseenrate),
            "encodingset" | "carrierset" => r.num(1),
            "decrypted" => r.num(0),
            "channel" => r.num(c.channel),
            "fragments" => r.num(c.fragments),
            "retries" => r.num(c.retries),
            "newpackets" => r.num(c.newpackets),
            "freqmhz" => r.bare(freq_field(c.channel, c.llc + c.data)),
            "cdpdevice" | "cdpport" => r.quoted(" "),
            "dot11d" => r.bare(""),
            // Empty quoted, as a real server writes them (PROTOCOL.md);
            // the simulator invents no host names.
            "dhcphost" | "dhcpvendor" => r.quoted(""),
            "datacryptset" => r.num(c.cryptset),
            _ => r.num(0),
        };
    })
}

fn fmt_ip(ip: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
}

/// BSSIDSRC: one network as seen by one capture source.
pub fn bssidsrc_record(n: &Network, uuid: &str) -> Record {
    by_name(Proto::Bssidsrc, |r, name| {
        if signal_field(r, name, &n.signal) {
            return;
        }
        match name {
            "bssid" => r.bare(n.bssid.to_string()),
            "uuid" => r.bare(uuid),
            "lasttime" => r.num(n.lasttime),
            "numpackets" => r.num(n.llc + n.data),
            _ => r.num(0),
        };
    })
}

/// CLISRC: one client record as seen by one capture source.
pub fn clisrc_record(c: &ClientRec, uuid: &str) -> Record {
    by_name(Proto::Clisrc, |r, name| {
        if signal_field(r, name, &c.signal) {
            return;
        }
        match name {
            "bssid" => r.bare(c.bssid.to_string()),
            "mac" => r.bare(c.mac.to_string()),
            "uuid" => r.bare(uuid),
            "lasttime" => r.num(c.lasttime),
            "numpackets" => r.num(c.llc + c.data),
            _ => r.num(0),
        };
    })
}

/// COMMON: the phy-neutral view of one device.
#[allow(clippy::too_many_arguments)]
pub fn common_record(
    mac: Mac,
    firsttime: u64,
    lasttime: u64,
    counts: [u64; 4],
    datasize: u64,
    newpackets: u64,
    channel: u8,
    signal: &Signal,
    gps: &GpsBox,
) -> Record {
    let [llc, data, crypt, errors] = counts;
    by_name(Proto::Common, |r, name| {
        if signal_field(r, name, signal) || gps_field(r, name, gps) {
            return;
        }
        match name {
            "phytype" => r.num(0),
            "macaddr" => r.bare(mac.to_string()),
            "firsttime" => r.num(firsttime),
            "lasttime" => r.num(lasttime),
            "packets" => r.num(llc + data),
            "llcpackets" => r.num(llc),
            "errorpackets" => r.num(errors),
            "datapackets" => r.num(data),
            "cryptpackets" => r.num(crypt),
            "datasize" => r.num(datasize),
            "newpackets" => r.num(newpackets),
            "channel" => r.num(channel),
            "frequency" => r.num(channel_mhz(channel) * 1000),
            "freqmhz" => r.bare(freq_field(channel, llc + data)),
            _ => r.num(0),
        };
    })
}

/// SOURCE: one capture source.
pub fn source_record(s: &Source) -> Record {
    by_name(Proto::Source, |r, name| {
        match name {
            "interface" => r.bare(&s.interface),
            "type" => r.bare(&s.stype),
            "username" => r.bare(&s.username),
            "channel" => r.num(s.channel),
            "uuid" => r.bare(&s.uuid),
            "packets" => r.num(s.packets),
            "hop" => r.num(u8::from(s.hop)),
            "velocity" => r.num(s.velocity),
            "dwell" => r.num(s.dwell),
            "hop_time_sec" | "hop_time_usec" => r.num(0),
            "channellist" => r.bare(if s.channellist.is_empty() {
                "0"
            } else {
                s.channellist.as_str()
            }),
            "error" => r.num(u8::from(s.error)),
            "warning" => r.quoted(&s.warning),
            _ => r.num(0),
        };
    })
}

/// GPS: the current fix, latitude and longitude with 6 decimals (like
/// `%f`), the rest as the server's streams print numbers (see `drive`).
pub fn gps_record(g: &Gps) -> Record {
    by_name(Proto::Gps, |r, name| {
        match name {
            "lat" => r.num(format_args!("{:.6}", g.lat)),
            "lon" => r.num(format_args!("{:.6}", g.lon)),
            "alt" => r.float(g.alt),
            "spd" => r.float(g.spd),
            "heading" => r.float(g.heading),
            "fix" => r.num(g.fix),
            "satinfo" => r.quoted(&g.satinfo),
            "hdop" => r.float(g.hdop),
            "vdop" => r.float(g.vdop),
            "connected" => r.num(1),
            _ => r.num(0),
        };
    })
}

/// INFO: server-wide counters.
pub fn info_record(t: &Totals) -> Record {
    by_name(Proto::Info, |r, name| {
        match name {
            "networks" => r.num(t.networks),
            "packets" => r.num(t.packets),
            "crypt" => r.num(t.crypt),
            "rate" => r.num(t.rate),
            "clients" => r.num(t.clients),
            "llcpackets" => r.num(t.llc),
            "datapackets" => r.num(t.data),
            "numsources" => r.num(t.sources),
            "numerrorsources" => r.num(t.error_sources),
            _ => r.num(0),
        };
    })
}

/// TRACKINFO: device tracker counters.
pub fn trackinfo_record(t: &Totals) -> Record {
    by_name(Proto::Trackinfo, |r, name| {
        match name {
            "devices" => r.num(t.networks + t.clients),
            "packets" => r.num(t.packets),
            "datapackets" => r.num(t.data),
            "cryptpackets" => r.num(t.crypt),
            "packetrate" => r.num(t.rate),
            _ => r.num(0),
        };
    })
}

/// BATTERY: the host's power state.
pub fn battery_record(b: &Battery) -> Record {
    by_name(Proto::Battery, |r, name| {
        match name {
            "percentage" => r.num(b.percentage),
            "charging" => r.num(u8::from(b.charging)),
            "ac" => r.num(u8::from(b.ac)),
            "remaining" => r.num(b.remaining),
            _ => r.num(0),
        };
    })
}

/// CHANNEL: activity on one channel.
pub fn channel_record(c: &ChannelStat) -> Record {
    by_name(Proto::Channel, |r, name| {
        match name {
            "channel" => r.num(c.channel),
            "time_on" => r.num(c.time_on),
            "packets" => r.num(c.packets),
            "packetsdelta" => r.num(c.packets_delta),
            "usecused" => r.num(c.usec_used),
            "bytes" => r.num(c.bytes),
            "bytesdelta" => r.num(c.bytes_delta),
            "networks" => r.num(c.networks),
            "maxsignal_dbm" => r.num(c.max_signal),
            "maxsignal_rssi" | "maxnoise_rssi" => r.num(0),
            "maxnoise_dbm" => r.num(-256),
            "activenetworks" => r.num(c.active),
            _ => r.num(0),
        };
    })
}

/// ALERT: one raised alert.
pub fn alert_record(a: &Alert) -> Record {
    by_name(Proto::Alert, |r, name| {
        match name {
            "sec" => r.num(a.sec),
            "usec" => r.num(a.usec),
            "header" => r.bare(a.header),
            "bssid" => r.bare(a.bssid.to_string()),
            "source" => r.bare(a.source.to_string()),
            "dest" => r.bare(a.dest.to_string()),
            "other" => r.bare(a.other.to_string()),
            "channel" => r.num(a.channel),
            "text" => r.quoted(&a.text),
            _ => r.num(0),
        };
    })
}

/// COMMON: the phy-neutral view of a network.
pub fn common_of_network(n: &Network) -> Record {
    common_record(
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

/// STATUS text for an access point seen for the first time.
pub fn new_network_text(n: &Network) -> String {
    let ssid = n.ssids.first().map_or(&[][..], |s| &s.ssid[..]);
    format!(
        "Detected new managed network \"{}\", BSSID {}, encryption {}, channel {}, 18.00 mbit",
        display_ssid(ssid, true),
        n.bssid,
        if n.cryptset != 0 { "yes" } else { "no" },
        n.channel
    )
}

/// STATUS text for an SSID a station probed for the first time.
pub fn new_probe_text(n: &Network, s: &SsidInfo) -> String {
    format!(
        "Detected new probe network \"{}\", BSSID {}, encryption no, channel 0, 11.00 mbit",
        display_ssid(&s.ssid, false),
        n.bssid
    )
}

/// STATUS: a server message with its flags (2 info, 4 error, 16 fatal).
pub fn status_record(text: &[u8], flags: u32) -> Record {
    let mut r = Record::new();
    r.quoted(text).num(flags);
    r
}

/// NETTAG: one tag on a network.
pub fn nettag_record(bssid: Mac, tag: &str, value: &str) -> Record {
    let mut r = Record::new();
    r.bare(bssid.to_string()).quoted(tag).quoted(value);
    r
}

/// CLITAG: one tag on a client.
pub fn clitag_record(bssid: Mac, mac: Mac, tag: &str, value: &str) -> Record {
    let mut r = Record::new();
    r.bare(bssid.to_string())
        .bare(mac.to_string())
        .quoted(tag)
        .quoted(value);
    r
}

/// WEPKEY: one configured key.
pub fn wepkey_record(bssid: Mac, key: &str) -> Record {
    by_name(Proto::Wepkey, |r, name| {
        match name {
            "origin" => r.num(1),
            "bssid" => r.bare(bssid.to_string()),
            "key" => r.bare(key),
            "encrypted" => r.num(0),
            "failed" => r.num(0),
            _ => r.num(0),
        };
    })
}

/// STRING: printable text seen in a data frame.
pub fn string_record(bssid: Mac, source: Mac, dest: Mac, text: &str) -> Record {
    let mut r = Record::new();
    r.bare(bssid.to_string())
        .bare(source.to_string())
        .bare(dest.to_string())
        .quoted(text);
    r
}

/// KISMET: the greeting.
pub fn kismet_record(starttime: u64, servername: &str) -> Record {
    let mut r = Record::new();
    r.bare("0.0.0")
        .num(starttime)
        .quoted(servername)
        .quoted("")
        .num(0);
    r
}

/// TIME: the server clock, epoch seconds.
pub fn time_record(now: u64) -> Record {
    let mut r = Record::new();
    r.num(now);
    r
}

/// ACK: command `id` succeeded.
pub fn ack_record(id: u64) -> Record {
    let mut r = Record::new();
    r.num(id).quoted("OK");
    r
}

/// ERROR: command `id` failed with `text` (cut at 1023 bytes).
pub fn error_record(id: u64, text: &[u8]) -> Record {
    let mut r = Record::new();
    r.num(id).quoted(&text[..text.len().min(MAX_ERROR_TEXT)]);
    r
}

/// A one-payload record (TIME, PROTOCOLS, CAPABILITY, TERMINATE).
pub fn payload_record(text: &str) -> Record {
    let mut r = Record::new();
    r.bare(text);
    r
}

/// One captured packet, the 18 PACKET fields in capability order.
#[derive(Debug, Clone)]
pub struct PacketInfo<'a> {
    /// 802.11 type (0 management, 1 control, 2 data).
    pub ptype: u8,
    /// 802.11 subtype.
    pub subtype: u8,
    /// Capture time, epoch seconds.
    pub timesec: u64,
    /// Whether the payload is encrypted.
    pub encrypted: bool,
    /// Beacon interval for beacons, else 0.
    pub beaconrate: u32,
    /// Transmitter.
    pub source: Mac,
    /// Receiver.
    pub dest: Mac,
    /// Network.
    pub bssid: Mac,
    /// SSID, already octal-escaped.
    pub ssid: &'a [u8],
    /// Capture source name.
    pub sourcename: &'a str,
}

/// PACKET: one captured packet.
pub fn packet_record(p: &PacketInfo<'_>) -> Record {
    let mut r = Record::new();
    r.num(p.ptype)
        .num(p.subtype)
        .num(p.timesec)
        .num(u8::from(p.encrypted))
        .num(0)
        .num(p.beaconrate)
        .bare(p.source.to_string())
        .bare(p.dest.to_string())
        .bare(p.bssid.to_string())
        .quoted(p.ssid)
        .num(0)
        .bare("0.0.0.0")
        .bare("0.0.0.0")
        .num(0)
        .num(0)
        .num(0)
        .quoted("")
        .bare(p.sourcename);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error text is cut at the server's buffer size.
    #[test]
    fn error_text_cut() {
        let e = error_record(9, &[b'x'; 5000]);
        assert_eq!(e.field(1).unwrap().0.len(), MAX_ERROR_TEXT);
    }
}
