//! Colour that means something, in printed tables and watch views:
//! encryption as the legacy ncurses client colours its network list, and
//! signal strength graded. Only on a terminal and without `NO_COLOR` (the
//! `color` setting, see [`crate::shell::repl::color_wanted`]); never in
//! JSON or CSV.
//!
//! The encryption colours are kismet_client's defaults (kis_panel_network.cc
//! in Kismet's legacy source: `netlist_normal_color` green, `netlist_wep_color`
//! red, `netlist_crypt_color` yellow): an open network green, WEP red, any
//! other encryption yellow. The legacy client colours the whole line, and
//! calls WEP only a cipher set of exactly the WEP bit (or WPA migration
//! mode); here the ENC cell is coloured, and red is what ENC shows as WEP.

/// What a cell's colour says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// An open network (green).
    Open,
    /// WEP (red).
    Wep,
    /// Any other encryption: WPA, WPA2 (yellow).
    Crypt,
    /// A strong signal, -60 dBm or more (green).
    Strong,
    /// A fair signal, -75 to -61 dBm (yellow).
    Fair,
    /// A weak signal, below -75 dBm (red).
    Weak,
}

/// The weakest signal graded strong, dBm.
pub const STRONG_DBM: i32 = -60;

/// The weakest signal graded fair, dBm.
pub const FAIR_DBM: i32 = -75;

/// The colour of an ENC cell (`OPN`, `WEP`, `WPA`, `WPA2`, `WPA+WPA2`, or
/// the start of one, cut to fit); none when empty (not known).
pub fn encryption(enc: &str) -> Option<Paint> {
    match enc.trim() {
        "" => None,
        "OPN" => Some(Paint::Open),
        "WEP" => Some(Paint::Wep),
        _ => Some(Paint::Crypt),
    }
}

/// The grade of a signal in dBm.
pub fn signal(dbm: i32) -> Paint {
    if dbm >= STRONG_DBM {
        Paint::Strong
    } else if dbm >= FAIR_DBM {
        Paint::Fair
    } else {
        Paint::Weak
    }
}

/// The colour of a table cell, by its column's title: `ENC` by the
/// encryption, `PWR` and `SIGNAL` by the signal (a number of dBm, perhaps
/// followed by `dBm`); none for the other columns.
pub fn cell(column: &str, text: &str) -> Option<Paint> {
    match column {
        "ENC" => encryption(text),
        "PWR" | "SIGNAL" => {
            let n = text.trim().trim_end_matches("dBm").trim();
            n.parse::<i32>().ok().map(signal)
        }
        _ => None,
    }
}

/// The terminal colour of a paint, for comfy-table.
pub fn comfy(p: Paint) -> comfy_table::Color {
    use comfy_table::Color;
    match p {
        Paint::Open | Paint::Strong => Color::Green,
        Paint::Wep | Paint::Weak => Color::Red,
        Paint::Crypt | Paint::Fair => Color::Yellow,
    }
}

/// The terminal colour of a paint, for ratatui.
pub fn ratatui(p: Paint) -> ratatui::style::Color {
    use ratatui::style::Color;
    match p {
        Paint::Open | Paint::Strong => Color::Green,
        Paint::Wep | Paint::Weak => Color::Red,
        Paint::Crypt | Paint::Fair => Color::Yellow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ENC cells take the legacy client's colours; PWR cells are graded
    /// at -60 and -75 dBm; other columns and unknown values take none.
    #[test]
    fn cells_are_painted_by_column_and_value() {
        assert_eq!(cell("ENC", "OPN"), Some(Paint::Open));
        assert_eq!(cell("ENC", "WEP"), Some(Paint::Wep));
        assert_eq!(cell("ENC", "WPA+WPA2"), Some(Paint::Crypt));
        assert_eq!(cell("ENC", "WPA+…"), Some(Paint::Crypt));
        assert_eq!(cell("ENC", ""), None);
        assert_eq!(cell("PWR", "-60"), Some(Paint::Strong));
        assert_eq!(cell("PWR", "-61"), Some(Paint::Fair));
        assert_eq!(cell("SIGNAL", "-75 dBm"), Some(Paint::Fair));
        assert_eq!(cell("PWR", "-76"), Some(Paint::Weak));
        assert_eq!(cell("PWR", ""), None);
        assert_eq!(cell("SSID", "OPN"), None);
    }
}
