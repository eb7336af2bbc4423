//! Who is in the simulated world: the access points and stations of the
//! synthetic capture the recordings were made from (same BSSIDs, SSIDs and
//! channels), with what each one is.

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
}

/// The access points.
pub const APS: [ApDef; 6] = [
    ApDef {
        bssid: [0x00, 0x14, 0x6C, 0xA1, 0x00, 0x01],
        ssid: "HomeNet",
        channel: 1,
        manuf: "Netgear",
        cryptset: 2,
        hidden: false,
    },
    ApDef {
        bssid: [0x00, 0x18, 0xE7, 0xB2, 0x00, 0x02],
        ssid: "Coffee Shop Free WiFi",
        channel: 6,
        manuf: "CameoCom",
        cryptset: 0,
        hidden: false,
    },
    ApDef {
        bssid: [0x00, 0x1D, 0x7E, 0xC3, 0x00, 0x03],
        ssid: "",
        channel: 11,
        manuf: "Cisco-Li",
        cryptset: 2,
        hidden: true,
    },
    ApDef {
        bssid: [0x00, 0x24, 0x01, 0xD4, 0x00, 0x04],
        ssid: "Café ☕",
        channel: 6,
        manuf: "D-Link",
        cryptset: 2,
        hidden: false,
    },
    ApDef {
        bssid: [0x00, 0x26, 0x5A, 0xE5, 0x00, 0x05],
        ssid: "CorpGuest",
        channel: 11,
        manuf: "D-Link",
        cryptset: 0,
        hidden: false,
    },
    ApDef {
        bssid: [0x00, 0x1F, 0x33, 0xF6, 0x00, 0x06],
        ssid: "IoT-2.4G",
        channel: 1,
        manuf: "Netgear",
        cryptset: 2,
        hidden: false,
    },
];

/// The stations.
pub const STATIONS: [StationDef; 10] = [
    StationDef {
        mac: [0x00, 0x21, 0x6A, 0x10, 0x00, 0x01],
        manuf: "IntelCor",
        probes: &["HomeNet"],
    },
    StationDef {
        mac: [0x00, 0x23, 0x14, 0x10, 0x00, 0x02],
        manuf: "IntelCor",
        probes: &["HomeNet", "Office5G"],
    },
    StationDef {
        mac: [0x00, 0x26, 0xC7, 0x10, 0x00, 0x03],
        manuf: "IntelCor",
        probes: &[""],
    },
    StationDef {
        mac: [0x00, 0x1B, 0x77, 0x10, 0x00, 0x04],
        manuf: "IntelCor",
        probes: &["Coffee Shop Free WiFi"],
    },
    StationDef {
        mac: [0x00, 0x1E, 0x65, 0x10, 0x00, 0x05],
        manuf: "IntelCor",
        probes: &[""],
    },
    StationDef {
        mac: [0x00, 0x22, 0xFB, 0x10, 0x00, 0x06],
        manuf: "IntelCor",
        probes: &["Café ☕"],
    },
    StationDef {
        mac: [0x00, 0x24, 0xD7, 0x10, 0x00, 0x07],
        manuf: "IntelCor",
        probes: &["linksys", "CorpGuest"],
    },
    StationDef {
        mac: [0x00, 0x13, 0xE8, 0x10, 0x00, 0x08],
        manuf: "IntelCor",
        probes: &[""],
    },
    StationDef {
        mac: [0x00, 0x19, 0xD2, 0x10, 0x00, 0x09],
        manuf: "IntelCor",
        probes: &["eduroam", "MyPhone Hotspot"],
    },
    StationDef {
        mac: [0x00, 0x1C, 0xBF, 0x10, 0x00, 0x0A],
        manuf: "IntelCor",
        probes: &["IoT-2.4G"],
    },
];
