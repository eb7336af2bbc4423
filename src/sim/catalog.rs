//! Who is in the simulated world: the access points and stations of the
//! synthetic capture the recordings were made from (same BSSIDs, SSIDs and
//! channels), each made the kind of device a real capture holds, with the
//! encryption bit set a real server reports for that kind.

/// The server's encryption bits (`cryptset` in SSID, `datacryptset` in
/// BSSID and CLIENT), as its headers define them: a bit set, not a code.
// The whole table, as the server defines it: the catalog uses a few bits,
// the tests the names.
#[allow(dead_code)]
pub mod crypt {
    /// Encryption of an unknown kind.
    pub const UNKNOWN: u64 = 1 << 0;
    /// WEP, or the privacy bit of any protected network.
    pub const WEP: u64 = 1 << 1;
    /// Layer 3 encryption.
    pub const LAYER3: u64 = 1 << 2;
    /// 40-bit WEP.
    pub const WEP40: u64 = 1 << 3;
    /// 104-bit WEP.
    pub const WEP104: u64 = 1 << 4;
    /// TKIP.
    pub const TKIP: u64 = 1 << 5;
    /// WPA (either version).
    pub const WPA: u64 = 1 << 6;
    /// Pre-shared key.
    pub const PSK: u64 = 1 << 7;
    /// AES-OCB.
    pub const AES_OCB: u64 = 1 << 8;
    /// AES-CCM (CCMP).
    pub const AES_CCM: u64 = 1 << 9;
    /// LEAP.
    pub const LEAP: u64 = 1 << 10;
    /// EAP-TTLS.
    pub const TTLS: u64 = 1 << 11;
    /// EAP-TLS.
    pub const TLS: u64 = 1 << 12;
    /// PEAP.
    pub const PEAP: u64 = 1 << 13;
    /// ISAKMP.
    pub const ISAKMP: u64 = 1 << 14;
    /// PPTP.
    pub const PPTP: u64 = 1 << 15;
    /// Fortress.
    pub const FORTRESS: u64 = 1 << 16;
    /// Keyguard.
    pub const KEYGUARD: u64 = 1 << 17;
    /// Unknown encryption that is not WEP.
    pub const UNKNOWN_NON_WEP: u64 = 1 << 18;
    /// WPA migration mode.
    pub const WPA_MIGRATION: u64 = 1 << 19;
    /// WPA version 1.
    pub const WPA1: u64 = 1 << 20;
    /// WPA version 2.
    pub const WPA2: u64 = 1 << 21;

    /// Every bit with its name.
    pub const NAMES: [(u64, &str); 22] = [
        (UNKNOWN, "unknown"),
        (WEP, "WEP"),
        (LAYER3, "layer 3"),
        (WEP40, "WEP40"),
        (WEP104, "WEP104"),
        (TKIP, "TKIP"),
        (WPA, "WPA"),
        (PSK, "PSK"),
        (AES_OCB, "AES-OCB"),
        (AES_CCM, "AES-CCM"),
        (LEAP, "LEAP"),
        (TTLS, "TTLS"),
        (TLS, "TLS"),
        (PEAP, "PEAP"),
        (ISAKMP, "ISAKMP"),
        (PPTP, "PPTP"),
        (FORTRESS, "Fortress"),
        (KEYGUARD, "Keyguard"),
        (UNKNOWN_NON_WEP, "unknown non-WEP"),
        (WPA_MIGRATION, "WPA migration mode"),
        (WPA1, "WPA v1"),
        (WPA2, "WPA v2"),
    ];

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

    fn names(set: u64) -> Vec<&'static str> {
        crypt::NAMES
            .iter()
            .filter(|(bit, _)| set & bit != 0)
            .map(|(_, name)| *name)
            .collect()
    }

    /// The kinds' bit sets are the values a live server sent, bit by bit.
    #[test]
    fn crypt_sets_as_seen_live() {
        assert_eq!(crypt::WPA2_PSK_CCMP, 2_097_858);
        assert_eq!(names(2_097_858), ["WEP", "WPA", "PSK", "AES-CCM", "WPA v2"]);
        assert_eq!(crypt::WPA_WPA2_PSK_MIXED, 3_146_466);
        assert_eq!(crypt::WEP_ONLY, 2);
        assert_eq!(
            names(crypt::WPA2_ENTERPRISE),
            ["WEP", "WPA", "AES-CCM", "PEAP", "WPA v2"],
            "802.1X, no PSK"
        );
        let bits: u64 = crypt::NAMES.iter().map(|(b, _)| b).sum();
        assert_eq!(bits, (1 << 22) - 1, "every bit once");
    }
}
