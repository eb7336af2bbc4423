//! Who is in the simulated world: the access points and stations of the
//! synthetic capture the recordings were made from (same BSSIDs, SSIDs and
//! channels), each made the kind of device a real capture holds, with the
//! encryption bit set a real server reports for that kind.

/// The encryption bit sets of the kinds of network in the world
/// (`cryptset` in SSID, `datacryptset` in BSSID and CLIENT): combinations of
/// the server's bits, which [`protocol::decode::crypt`] defines.
///
/// [`protocol::decode::crypt`]: kismet_protocol::decode::crypt
pub mod crypt {
    use kismet_protocol::decode::crypt::*;

    /// No encryption.
    pub const OPEN: u64 = 0;
    /// WEP alone.
    pub const WEP_ONLY: u64 = WEP;
    /// WPA2-PSK with CCMP (2097858, as seen on a live server).
    pub const WPA2_PSK_CCMP: u64 = WPA2 | AES_CCM | PSK | WPA | WEP;
    /// Mixed WPA/WPA2 with TKIP and CCMP, PSK (3146466, as seen on a live
    /// server).
    pub const WPA_WPA2_PSK_MIXED: u64 = WPA2 | WPA1 | AES_CCM | PSK | WPA | TKIP | WEP;
    /// WPA2-Enterprise (802.1X, no PSK) with CCMP. Guess: a server learns
    /// the EAP method from the EAP exchange; PEAP is the usual one.
    pub const WPA2_ENTERPRISE: u64 = WPA2 | AES_CCM | PEAP | WPA | WEP;
}

/// An access point.
pub struct ApDef {
    /// BSSID.
    pub bssid: [u8; 6],
    /// SSID it beacons (the hidden one beacons an empty SSID).
    pub ssid: &'static str,
    /// Channel.
    pub channel: u8,
    /// Manufacturer, from the OUI.
    pub manuf: &'static str,
    /// Encryption bit set.
    pub cryptset: u64,
    /// Hidden: beacons without its SSID.
    pub hidden: bool,
}

/// A station.
pub struct StationDef {
    /// MAC address.
    pub mac: [u8; 6],
    /// Manufacturer, from the OUI.
    pub manuf: &'static str,
    /// SSIDs it probes for (empty: a broadcast probe).
    pub probes: &'static [&'static str],
    /// The access point it joins now and then (index into [`APS`]), as in
    /// the recordings; `None` for a station that only ever probes.
    pub home: Option<usize>,
}

/// A wired host (the gateway) that every access point's data frames come
/// from, as in the recordings. Its client type and address are a guess.
pub const GATEWAY: ([u8; 6], &str) = ([0x00, 0x0C, 0x42, 0x00, 0x00, 0x01], "Routerbo");

/// The access points.
pub const APS: [ApDef; 6] = [
    // A home router: WPA2-PSK, CCMP.
    ApDef {
        bssid: [0x00, 0x14, 0x6C, 0xA1, 0x00, 0x01],
        ssid: "HomeNet",
        channel: 1,
        manuf: "Netgear",
        cryptset: crypt::WPA2_PSK_CCMP,
        hidden: false,
    },
    // A hotspot: open.
    ApDef {
        bssid: [0x00, 0x18, 0xE7, 0xB2, 0x00, 0x02],
        ssid: "Coffee Shop Free WiFi",
        channel: 6,
        manuf: "CameoCom",
        cryptset: crypt::OPEN,
        hidden: false,
    },
    // A hidden network: WPA2-PSK, CCMP.
    ApDef {
        bssid: [0x00, 0x1D, 0x7E, 0xC3, 0x00, 0x03],
        ssid: "",
        channel: 11,
        manuf: "Cisco-Li",
        cryptset: crypt::WPA2_PSK_CCMP,
        hidden: true,
    },
    // An old router: WEP.
    ApDef {
        bssid: [0x00, 0x24, 0x01, 0xD4, 0x00, 0x04],
        ssid: "Café ☕",
        channel: 6,
        manuf: "D-Link",
        cryptset: crypt::WEP_ONLY,
        hidden: false,
    },
    // An office network: WPA2-Enterprise (802.1X).
    ApDef {
        bssid: [0x00, 0x26, 0x5A, 0xE5, 0x00, 0x05],
        ssid: "CorpGuest",
        channel: 11,
        manuf: "D-Link",
        cryptset: crypt::WPA2_ENTERPRISE,
        hidden: false,
    },
    // An IoT network in mixed mode: WPA and WPA2, TKIP and CCMP, PSK.
    ApDef {
        bssid: [0x00, 0x1F, 0x33, 0xF6, 0x00, 0x06],
        ssid: "IoT-2.4G",
        channel: 1,
        manuf: "Netgear",
        cryptset: crypt::WPA_WPA2_PSK_MIXED,
        hidden: false,
    },
];

/// The stations, each with the access point it joins in the recordings
/// (the student's laptop only probes).
pub const STATIONS: [StationDef; 10] = [
    StationDef {
        mac: [0x00, 0x21, 0x6A, 0x10, 0x00, 0x01],
        manuf: "IntelCor",
        probes: &["HomeNet"],
        home: Some(0),
    },
    StationDef {
        mac: [0x00, 0x23, 0x14, 0x10, 0x00, 0x02],
        manuf: "IntelCor",
        probes: &["HomeNet", "Office5G"],
        home: Some(0),
    },
    StationDef {
        mac: [0x00, 0x26, 0xC7, 0x10, 0x00, 0x03],
        manuf: "IntelCor",
        probes: &[""],
        home: Some(1),
    },
    StationDef {
        mac: [0x00, 0x1B, 0x77, 0x10, 0x00, 0x04],
        manuf: "IntelCor",
        probes: &["Coffee Shop Free WiFi"],
        home: Some(1),
    },
    StationDef {
        mac: [0x00, 0x1E, 0x65, 0x10, 0x00, 0x05],
        manuf: "IntelCor",
        probes: &[""],
        home: Some(2),
    },
    StationDef {
        mac: [0x00, 0x22, 0xFB, 0x10, 0x00, 0x06],
        manuf: "IntelCor",
        probes: &["Café ☕"],
        home: Some(3),
    },
    StationDef {
        mac: [0x00, 0x24, 0xD7, 0x10, 0x00, 0x07],
        manuf: "IntelCor",
        probes: &["linksys", "CorpGuest"],
        home: Some(4),
    },
    StationDef {
        mac: [0x00, 0x13, 0xE8, 0x10, 0x00, 0x08],
        manuf: "IntelCor",
        probes: &[""],
        home: Some(4),
    },
    StationDef {
        mac: [0x00, 0x19, 0xD2, 0x10, 0x00, 0x09],
        manuf: "IntelCor",
        probes: &["eduroam", "MyPhone Hotspot"],
        home: None,
    },
    StationDef {
        mac: [0x00, 0x1C, 0xBF, 0x10, 0x00, 0x0A],
        manuf: "IntelCor",
        probes: &["IoT-2.4G"],
        home: Some(5),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use kismet_protocol::decode::bit_names as names;

    /// The kinds' bit sets are the values a live server sent, bit by bit.
    #[test]
    fn crypt_sets_as_seen_live() {
        assert_eq!(crypt::WPA2_PSK_CCMP, 2_097_858);
        assert_eq!(
            names(2_097_858),
            ["WEP", "WPA", "PSK", "AES-CCM", "WPA version 2"]
        );
        assert_eq!(crypt::WPA_WPA2_PSK_MIXED, 3_146_466);
        assert_eq!(crypt::WEP_ONLY, 2);
        assert_eq!(
            names(crypt::WPA2_ENTERPRISE),
            ["WEP", "WPA", "AES-CCM", "PEAP", "WPA version 2"],
            "802.1X, no PSK"
        );
    }
}
