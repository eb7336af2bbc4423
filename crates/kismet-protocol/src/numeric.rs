//! Which fields hold numbers ([`is_numeric_field`]), for writers that
//! put them in JSON as numbers.

/// The numeric fields of a device as one capture source heard it, which
/// BSSIDSRC and CLISRC records share.
const PER_SOURCE: &[&str] = &[
    "lasttime",
    "numpackets",
    "signal_dbm",
    "noise_dbm",
    "minsignal_dbm",
    "minnoise_dbm",
    "maxsignal_dbm",
    "maxnoise_dbm",
    "signal_rssi",
    "noise_rssi",
    "minsignal_rssi",
    "minnoise_rssi",
    "maxsignal_rssi",
    "maxnoise_rssi",
];

/// The numeric fields BSSID and CLIENT records share: the type code, the
/// counters, channel and times, and where and how strongly the device
/// was heard.
const DEVICE: &[&str] = &[
    "type",
    "llcpackets",
    "datapackets",
    "cryptpackets",
    "channel",
    "firsttime",
    "lasttime",
    "atype",
    "gpsfixed",
    "minlat",
    "minlon",
    "minalt",
    "minspd",
    "maxlat",
    "maxlon",
    "maxalt",
    "maxspd",
    "signal_dbm",
    "noise_dbm",
    "minsignal_dbm",
    "minnoise_dbm",
    "maxsignal_dbm",
    "maxnoise_dbm",
    "signal_rssi",
    "noise_rssi",
    "minsignal_rssi",
    "minnoise_rssi",
    "maxsignal_rssi",
    "maxnoise_rssi",
    "bestlat",
    "bestlon",
    "bestalt",
    "agglat",
    "agglon",
    "aggalt",
    "aggpoints",
    "datasize",
    "carrierset",
    "maxseenrate",
    "encodingset",
    "decrypted",
    "fragments",
    "retries",
    "newpackets",
    "datacryptset",
];

/// The fields whose values are numbers, per protocol (the default
/// server's capability table, `tests/fixtures/legacy-server/capabilities.txt`):
/// counters, times, levels, positions, codes and bit sets. The others hold
/// text (names, addresses, lists, maps such as `freqmhz`).
const NUMERIC_FIELDS: [(&str, &[&[&str]]); 29] = [
    (
        "GPS",
        &[&[
            "lat",
            "lon",
            "alt",
            "spd",
            "heading",
            "fix",
            "hdop",
            "vdop",
            "connected",
        ]],
    ),
    ("KISMET", &[&["starttime", "uid"]]),
    ("ERROR", &[&["cmdid"]]),
    ("ACK", &[&["cmdid"]]),
    ("TIME", &[&["timesec"]]),
    (
        "PACKET",
        &[&[
            "type",
            "subtype",
            "timesec",
            "encrypted",
            "weak",
            "beaconrate",
            "prototype",
            "sourceport",
            "destport",
            "nbtype",
        ]],
    ),
    ("STATUS", &[&["flags"]]),
    ("PLUGIN", &[&["unloadable", "root"]]),
    (
        "SOURCE",
        &[&[
            "channel",
            "packets",
            "hop",
            "velocity",
            "dwell",
            "hop_time_sec",
            "hop_time_usec",
            "error",
        ]],
    ),
    ("ALERT", &[&["sec", "usec", "channel"]]),
    (
        "COMMON",
        &[&[
            "phytype",
            "firsttime",
            "lasttime",
            "packets",
            "llcpackets",
            "errorpackets",
            "datapackets",
            "cryptpackets",
            "datasize",
            "newpackets",
            "channel",
            "frequency",
            "gpsfixed",
            "minlat",
            "minlon",
            "minalt",
            "minspd",
            "maxlat",
            "maxlon",
            "maxalt",
            "maxspd",
            "signaldbm",
            "noisedbm",
            "minsignaldbm",
            "minnoisedbm",
            "signalrssi",
            "noiserssi",
            "minsignalrssi",
            "minnoiserssi",
            "maxsignalrssi",
            "maxnoiserssi",
            "bestlat",
            "bestlon",
            "bestalt",
            "agglat",
            "agglon",
            "aggalt",
            "aggpoints",
        ]],
    ),
    (
        "TRACKINFO",
        &[&[
            "devices",
            "packets",
            "datapackets",
            "cryptpackets",
            "errorpackets",
            "filterpackets",
            "packetrate",
        ]],
    ),
    ("WEPKEY", &[&["encrypted", "failed"]]),
    ("STRING", &[&[]]),
    (
        "BSSID",
        &[
            &[
                "turbocellnid",
                "turbocellmode",
                "turbocellsat",
                "dupeivpackets",
                "bsstimestamp",
            ],
            DEVICE,
        ],
    ),
    (
        "SSID",
        &[&[
            "checksum",
            "type",
            "cryptset",
            "cloaked",
            "firsttime",
            "lasttime",
            "maxrate",
            "beaconrate",
            "packets",
            "beacons",
            "wps",
            "shown_msg_probe_nearby_ap",
        ]],
    ),
    ("CLIENT", &[&[], DEVICE]),
    ("BSSIDSRC", &[PER_SOURCE]),
    ("CLISRC", &[PER_SOURCE]),
    ("NETTAG", &[&[]]),
    ("CLITAG", &[&[]]),
    ("REMOVE", &[&[]]),
    (
        "CHANNEL",
        &[&[
            "channel",
            "time_on",
            "packets",
            "packetsdelta",
            "usecused",
            "bytes",
            "bytesdelta",
            "networks",
            "maxsignal_dbm",
            "maxsignal_rssi",
            "maxnoise_dbm",
            "maxnoise_rssi",
            "activenetworks",
        ]],
    ),
    (
        "INFO",
        &[&[
            "networks",
            "packets",
            "crypt",
            "noise",
            "dropped",
            "rate",
            "filtered",
            "clients",
            "llcpackets",
            "datapackets",
            "numsources",
            "numerrorsources",
        ]],
    ),
    ("BATTERY", &[&["percentage", "charging", "ac", "remaining"]]),
    ("CRITFAIL", &[&["id", "time"]]),
    ("PROTOCOLS", &[&[]]),
    ("CAPABILITY", &[&[]]),
    ("TERMINATE", &[&[]]),
];

/// Whether `protocol`'s field `name` holds a number (exact names, as the
/// server spells them): what a JSON writer may write as a JSON number, when
/// the value reads as one. False for fields and protocols not known.
///
/// # Examples
/// ```
/// use kismet_protocol::decode::is_numeric_field;
/// assert!(is_numeric_field("BSSID", "signal_dbm"));
/// assert!(!is_numeric_field("BSSID", "manuf"));
/// assert!(!is_numeric_field("BSSID", "freqmhz"));
/// ```
pub fn is_numeric_field(protocol: &str, name: &str) -> bool {
    NUMERIC_FIELDS
        .iter()
        .find(|(p, _)| *p == protocol)
        .is_some_and(|(_, groups)| groups.iter().any(|g| g.contains(&name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numeric fields of BSSID, CLIENT, SSID, GPS and TIME, read off
    /// the real server's capability table: every field but the text ones
    /// listed here. Every field named numeric, of any protocol, is one the
    /// server has.
    #[test]
    fn numeric_fields_are_the_capability_fields_that_hold_numbers() {
        let table = include_str!("../../../tests/fixtures/legacy-server/capabilities.txt");
        let caps: Vec<(&str, Vec<&str>)> = table
            .lines()
            .filter_map(|l| l.strip_prefix("*CAPABILITY: "))
            .filter_map(|l| l.split_once(' '))
            .map(|(p, f)| (p, f.split(',').collect()))
            .collect();
        let text: &[(&str, &[&str])] = &[
            (
                "BSSID",
                &[
                    "bssid",
                    "manuf",
                    "rangeip",
                    "netmaskip",
                    "gatewayip",
                    "cdpdevice",
                    "cdpport",
                    "freqmhz",
                ],
            ),
            (
                "CLIENT",
                &[
                    "bssid",
                    "mac",
                    "manuf",
                    "ip",
                    "gatewayip",
                    "freqmhz",
                    "cdpdevice",
                    "cdpport",
                    "dot11d",
                    "dhcphost",
                    "dhcpvendor",
                ],
            ),
            (
                "SSID",
                &[
                    "mac",
                    "ssid",
                    "beaconinfo",
                    "dot11d",
                    "wps_manuf",
                    "wps_device_name",
                    "wps_model_name",
                    "wps_model_number",
                ],
            ),
            ("GPS", &["satinfo"]),
            ("TIME", &[]),
        ];
        for (proto, strings) in text {
            let (_, fields) = caps.iter().find(|(p, _)| p == proto).unwrap();
            let numeric: Vec<&str> = fields
                .iter()
                .copied()
                .filter(|f| !strings.contains(f))
                .collect();
            let found: Vec<&str> = fields
                .iter()
                .copied()
                .filter(|f| is_numeric_field(proto, f))
                .collect();
            assert_eq!(found, numeric, "{proto}");
        }
        assert!(is_numeric_field("TIME", "timesec"));
        assert!(is_numeric_field("GPS", "lat") && !is_numeric_field("GPS", "satinfo"));
        assert!(!is_numeric_field("bssid", "channel") && !is_numeric_field("X", "channel"));
        for (proto, groups) in NUMERIC_FIELDS {
            let (_, fields) = caps.iter().find(|(p, _)| *p == proto).unwrap();
            for f in groups.iter().flat_map(|g| g.iter()) {
                assert!(fields.contains(f), "{proto} {f}");
            }
        }
        assert_eq!(caps.len(), NUMERIC_FIELDS.len());
    }
}
