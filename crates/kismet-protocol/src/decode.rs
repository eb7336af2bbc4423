//! Wire values to meaning: cipher sets and type codes, as the server's own
//! headers define them (docs/PROTOCOL.md, "Decoding values"), and the
//! parsers of numbers, times and addresses (defined in a private module,
//! re-exported here).
//!
//! Pure functions over tables defined once here.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::sync::LazyLock;

pub use crate::values::{
    format_mac, mac_text, parse_bool, parse_dbm, parse_epoch, parse_f64, parse_i64, parse_ipv4,
    parse_mac, parse_mac_u48, parse_u32, parse_u64,
};

/// Cipher-set bits, as the server defines them (`crypt_*` in its headers).
pub mod crypt {
    /// Encrypted, of an unknown kind.
    pub const UNKNOWN: u64 = 1 << 0;
    /// WEP: the privacy bit is set.
    pub const WEP: u64 = 1 << 1;
    /// Layer 3 encryption (a VPN seen over the link).
    pub const LAYER3: u64 = 1 << 2;
    /// 40-bit WEP.
    pub const WEP40: u64 = 1 << 3;
    /// 104-bit WEP.
    pub const WEP104: u64 = 1 << 4;
    /// TKIP.
    pub const TKIP: u64 = 1 << 5;
    /// WPA (an WPA or RSN information element).
    pub const WPA: u64 = 1 << 6;
    /// Pre-shared key authentication.
    pub const PSK: u64 = 1 << 7;
    /// AES in OCB mode.
    pub const AES_OCB: u64 = 1 << 8;
    /// AES in CCM mode (CCMP).
    pub const AES_CCM: u64 = 1 << 9;
    /// Cisco LEAP (802.1X).
    pub const LEAP: u64 = 1 << 10;
    /// EAP-TTLS (802.1X).
    pub const TTLS: u64 = 1 << 11;
    /// EAP-TLS (802.1X).
    pub const TLS: u64 = 1 << 12;
    /// PEAP (802.1X).
    pub const PEAP: u64 = 1 << 13;
    /// ISAKMP (IPsec key exchange seen in the data).
    pub const ISAKMP: u64 = 1 << 14;
    /// PPTP seen in the data.
    pub const PPTP: u64 = 1 << 15;
    /// Fortress link encryption.
    pub const FORTRESS: u64 = 1 << 16;
    /// Keyguard link encryption.
    pub const KEYGUARD: u64 = 1 << 17;
    /// Encrypted, of an unknown kind that is not WEP.
    pub const UNKNOWN_NONWEP: u64 = 1 << 18;
    /// WPA migration mode (WEP and WPA clients on one network).
    pub const WPA_MIGMODE: u64 = 1 << 19;
    /// WPA version 1 (the WPA information element).
    pub const WPA1: u64 = 1 << 20;
    /// WPA version 2 (the RSN information element).
    pub const WPA2: u64 = 1 << 21;

    /// 802.1X authentication methods: shown as `MGT`.
    pub const MGT: u64 = LEAP | TTLS | TLS | PEAP;
    /// Encryption above the link layer only.
    pub const LAYER3_ONLY: u64 = LAYER3 | ISAKMP | PPTP;
}

/// Every cipher-set bit and its name, in bit order: the one table behind
/// [`bit_names`].
pub const CRYPT_BITS: [(u64, &str); 22] = [
    (crypt::UNKNOWN, "unknown"),
    (crypt::WEP, "WEP"),
    (crypt::LAYER3, "layer 3"),
    (crypt::WEP40, "WEP40"),
    (crypt::WEP104, "WEP104"),
    (crypt::TKIP, "TKIP"),
    (crypt::WPA, "WPA"),
    (crypt::PSK, "PSK"),
    (crypt::AES_OCB, "AES-OCB"),
    (crypt::AES_CCM, "AES-CCM"),
    (crypt::LEAP, "LEAP"),
    (crypt::TTLS, "TTLS"),
    (crypt::TLS, "TLS"),
    (crypt::PEAP, "PEAP"),
    (crypt::ISAKMP, "ISAKMP"),
    (crypt::PPTP, "PPTP"),
    (crypt::FORTRESS, "Fortress"),
    (crypt::KEYGUARD, "Keyguard"),
    (crypt::UNKNOWN_NONWEP, "unknown non-WEP"),
    (crypt::WPA_MIGMODE, "WPA migration mode"),
    (crypt::WPA1, "WPA version 1"),
    (crypt::WPA2, "WPA version 2"),
];

/// The bits of a cipher set that the server does not define (none of
/// [`CRYPT_BITS`]); [`bit_names`] leaves them out.
pub const UNDEFINED_CRYPT_BITS: u64 = !((1 << 22) - 1);

/// Every set bit of a cipher set by name, in bit order (for a details
/// view). Bits the server does not define have no name and are left out:
/// test `set & UNDEFINED_CRYPT_BITS` to show them.
///
/// # Examples
/// ```
/// use kismet_protocol::decode::bit_names;
/// assert_eq!(bit_names(0), Vec::<&str>::new());
/// assert_eq!(bit_names(2 | 1 << 21), ["WEP", "WPA version 2"]);
/// ```
pub fn bit_names(set: u64) -> Vec<&'static str> {
    CRYPT_BITS
        .iter()
        .filter(|(bit, _)| set & bit != 0)
        .map(|&(_, name)| name)
        .collect()
}

/// An airodump-ng style summary of a cipher set: the `ENC`, `CIPHER` and
/// `AUTH` columns.
///
/// `enc` is one of `OPN`, `WEP`, `WPA`, `WPA2`, `WPA+WPA2`:
/// - 0 is `OPN`;
/// - the WPA version bits decide between `WPA`, `WPA2` and `WPA+WPA2`; the
///   WPA bit (or a WPA cipher or PSK: TKIP, CCMP, OCB, PSK) without a
///   version bit is `WPA`;
/// - WEP, WEP40 or WEP104 without any of those is `WEP`;
/// - layer 3 encryption alone (layer 3, ISAKMP, PPTP: a VPN over an open
///   link) is `OPN`: the 802.11 link itself is open, and [`bit_names`]
///   still lists what was seen;
/// - any other protected set (unknown, unknown non-WEP, Fortress, Keyguard,
///   802.1X without WPA) is `WEP`, as airodump-ng shows a protected network that carries no WPA
///   information element: of the five values it is the one that says
///   "encrypted, not WPA".
///
/// `cipher` lists, space-separated, in this order: `CCMP` (AES-CCM),
/// `TKIP`, `WEP40`, `WEP104`, `WEP` (the WEP bit without a key length, on a
/// network that is not WPA: a WPA network's data frames set the same bit),
/// `OCB` (AES-OCB); empty when open.
///
/// `auth` is `PSK`, `MGT` (802.1X: LEAP, TTLS, TLS, PEAP) or both as
/// `PSK MGT`; empty when `enc` is `OPN` or `WEP`.
///
/// # Examples
/// ```
/// use kismet_protocol::decode::Encryption;
/// let e = Encryption::from_cryptset(2097858);
/// assert_eq!((e.enc, e.cipher, e.auth), ("WPA2", "CCMP", "PSK"));
/// assert_eq!(e.to_string(), "WPA2 CCMP PSK");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Encryption {
    /// `OPN`, `WEP`, `WPA`, `WPA2` or `WPA+WPA2`.
    pub enc: &'static str,
    /// Space-separated ciphers (`CCMP TKIP`), empty when open.
    pub cipher: &'static str,
    /// `PSK`, `MGT`, `PSK MGT`, or empty.
    pub auth: &'static str,
}

/// The cipher names in the order [`Encryption::cipher`] lists them.
const CIPHERS: [(u64, &str); 6] = [
    (crypt::AES_CCM, "CCMP"),
    (crypt::TKIP, "TKIP"),
    (crypt::WEP40, "WEP40"),
    (crypt::WEP104, "WEP104"),
    (crypt::WEP, "WEP"),
    (crypt::AES_OCB, "OCB"),
];

/// Every cipher list, indexed by a bit mask over [`CIPHERS`]: built once,
/// so an [`Encryption`] holds only `&'static str`s and costs nothing to copy.
static CIPHER_LISTS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    (0..1usize << CIPHERS.len())
        .map(|mask| {
            let names: Vec<&str> = CIPHERS
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, (_, name))| *name)
                .collect();
            &*Box::leak(names.join(" ").into_boxed_str())
        })
        .collect()
});

/// Bits that make a network WPA even without a version bit. 802.1X
/// methods are not among them: LEAP and the EAP methods also run over WEP.
const WPA_FAMILY: u64 = crypt::WPA
    | crypt::WPA1
    | crypt::WPA2
    | crypt::TKIP
    | crypt::AES_CCM
    | crypt::AES_OCB
    | crypt::PSK;

impl Encryption {
    /// The summary of an open network.
    pub const OPEN: Encryption = Encryption {
        enc: "OPN",
        cipher: "",
        auth: "",
    };

    /// Summarises a cipher set (see the type's documentation for the rules).
    pub fn from_cryptset(set: u64) -> Encryption {
        let wpa = set & WPA_FAMILY != 0;
        let enc = match (set & crypt::WPA1 != 0, set & crypt::WPA2 != 0) {
            (true, true) => "WPA+WPA2",
            (false, true) => "WPA2",
            (true, false) => "WPA",
            (false, false) if wpa => "WPA",
            _ if set & !crypt::LAYER3_ONLY & !UNDEFINED_CRYPT_BITS == 0 => "OPN",
            _ => "WEP",
        };
        if enc == "OPN" {
            return Encryption::OPEN;
        }
        let mut mask = 0;
        for (i, (bit, _)) in CIPHERS.iter().enumerate() {
            let wep_alone =
                *bit == crypt::WEP && (wpa || set & (crypt::WEP40 | crypt::WEP104) != 0);
            if set & bit != 0 && !wep_alone {
                mask |= 1 << i;
            }
        }
        let auth = if enc == "WEP" {
            ""
        } else {
            match (set & crypt::PSK != 0, set & crypt::MGT != 0) {
                (true, true) => "PSK MGT",
                (true, false) => "PSK",
                (false, true) => "MGT",
                (false, false) => "",
            }
        };
        Encryption {
            enc,
            cipher: CIPHER_LISTS[mask],
            auth,
        }
    }

    /// The strength order of `enc` for sorting: `OPN` 0, `WEP` 1, `WPA` 2,
    /// `WPA+WPA2` 3, `WPA2` 4.
    pub fn rank(&self) -> u8 {
        match self.enc {
            "OPN" => 0,
            "WEP" => 1,
            "WPA" => 2,
            "WPA+WPA2" => 3,
            "WPA2" => 4,
            _ => 0,
        }
    }
}

impl Encryption {
    /// The columns that the summary shows ([`fmt::Display`] joins them with
    /// spaces): `enc`, then `cipher` and `auth`, empty ones left out, and a
    /// cipher that only repeats the summary too (plain WEP is `WEP`, not
    /// `WEP WEP`; the columns of a table keep both). For a writer that
    /// appends them to its text without the formatting machinery.
    ///
    /// # Examples
    /// ```
    /// use kismet_protocol::decode::Encryption;
    /// let e = Encryption::from_cryptset(3146466);
    /// assert_eq!(e.shown_parts().collect::<Vec<_>>(), ["WPA+WPA2", "CCMP TKIP", "PSK"]);
    /// assert_eq!(Encryption::from_cryptset(2).shown_parts().count(), 1);
    /// ```
    pub fn shown_parts(&self) -> impl Iterator<Item = &'static str> {
        let enc = self.enc;
        std::iter::once(enc).chain(
            [self.cipher, self.auth]
                .into_iter()
                .filter(move |part| !part.is_empty() && *part != enc),
        )
    }
}

impl fmt::Display for Encryption {
    /// The [`Encryption::shown_parts`] joined by spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, part) in self.shown_parts().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(part)?;
        }
        Ok(())
    }
}

/// The ncurses client's one-letter encryption column: `N` none (0), `W`
/// WEP (exactly the WEP bit, or WPA migration mode), `O` other.
pub fn crypt_letter(set: u64) -> char {
    if set == 0 {
        'N'
    } else if set == crypt::WEP || set & crypt::WPA_MIGMODE != 0 {
        'W'
    } else {
        'O'
    }
}

/// BSSID `type` codes and their names (short, lower case: they go into
/// table columns and JSON values): access point, ad-hoc, probe (a station
/// seen only probing), turbocell, data (seen only in data frames), removed.
pub const NETWORK_TYPES: [(u32, &str); 6] = [
    (0, "ap"),
    (1, "adhoc"),
    (2, "probe"),
    (3, "turbocell"),
    (4, "data"),
    (256, "removed"),
];

/// CLIENT `type` codes and their names (short, lower case): unknown,
/// from the distribution system, to it, between two of them (WDS),
/// established (seen both ways), ad-hoc.
pub const CLIENT_TYPES: [(u32, &str); 6] = [
    (0, "unknown"),
    (1, "from-ds"),
    (2, "to-ds"),
    (3, "inter-ds"),
    (4, "established"),
    (5, "adhoc"),
];

/// SSID `type` codes and their names (short, lower case): the frame the
/// SSID was seen in, or read from a file.
pub const SSID_TYPES: [(u32, &str); 4] = [
    (0, "beacon"),
    (1, "probe-response"),
    (2, "probe-request"),
    (3, "file"),
];

/// The name of `code` in one of the type tables; `type N` for a code the
/// table does not hold.
fn type_name(table: &[(u32, &'static str)], code: u32) -> Cow<'static, str> {
    match table.iter().find(|(c, _)| *c == code) {
        Some((_, name)) => Cow::Borrowed(name),
        None => {
            let mut name = String::new();
            push_type_name(&mut name, table, code);
            Cow::Owned(name)
        }
    }
}

/// Appends the name of `code` in `table` ([`NETWORK_TYPES`],
/// [`CLIENT_TYPES`] or [`SSID_TYPES`]) to `out`, as [`network_type_name`]
/// and the others give it: for a writer that shows many, with no `String`
/// made for a code the table does not hold.
///
/// # Examples
/// ```
/// use kismet_protocol::decode::{push_type_name, CLIENT_TYPES};
/// let mut out = String::new();
/// push_type_name(&mut out, &CLIENT_TYPES, 4);
/// push_type_name(&mut out, &CLIENT_TYPES, 77);
/// assert_eq!(out, "establishedtype 77");
/// ```
pub fn push_type_name(out: &mut String, table: &[(u32, &'static str)], code: u32) {
    match table.iter().find(|(c, _)| *c == code) {
        Some((_, name)) => out.push_str(name),
        None => {
            let _ = write!(out, "type {code}");
        }
    }
}

/// The name of a BSSID `type` code (see [`NETWORK_TYPES`]).
pub fn network_type_name(code: u32) -> Cow<'static, str> {
    type_name(&NETWORK_TYPES, code)
}

/// The name of a CLIENT `type` code (see [`CLIENT_TYPES`]).
pub fn client_type_name(code: u32) -> Cow<'static, str> {
    type_name(&CLIENT_TYPES, code)
}

/// The name of an SSID `type` code (see [`SSID_TYPES`]).
pub fn ssid_type_name(code: u32) -> Cow<'static, str> {
    type_name(&SSID_TYPES, code)
}

/// A field whose number stands for something with a name: what the shell
/// shows in its place, and what a display filter compares words with.
/// (Times are left out: how to show one is the front end's choice.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldDecoder {
    /// `cryptset`, `datacryptset`: the encryption, `WPA2 CCMP PSK`.
    CryptSet,
    /// BSSID `type`: `infrastructure`, `probe`, ...
    NetworkType,
    /// CLIENT `type`: `established`, `from-ds`, ...
    ClientType,
    /// SSID `type`: `beacon`, `probe-response`, ...
    SsidType,
}

impl FieldDecoder {
    /// The decoder for `protocol`'s field `name` (exact names, as the
    /// server spells them), if it has one.
    pub fn for_field(protocol: &str, name: &str) -> Option<FieldDecoder> {
        match (protocol, name) {
            (_, "cryptset" | "datacryptset") => Some(FieldDecoder::CryptSet),
            ("BSSID", "type") => Some(FieldDecoder::NetworkType),
            ("CLIENT", "type") => Some(FieldDecoder::ClientType),
            ("SSID", "type") => Some(FieldDecoder::SsidType),
            _ => None,
        }
    }

    /// The name `raw` stands for; `None` when it is not a number.
    pub fn decode(self, raw: &[u8]) -> Option<Cow<'static, str>> {
        Some(match self {
            FieldDecoder::CryptSet => {
                Cow::Owned(Encryption::from_cryptset(parse_u64(raw)?).to_string())
            }
            FieldDecoder::NetworkType => network_type_name(parse_u32(raw)?),
            FieldDecoder::ClientType => client_type_name(parse_u32(raw)?),
            FieldDecoder::SsidType => ssid_type_name(parse_u32(raw)?),
        })
    }
}

pub use crate::numeric::is_numeric_field;

#[cfg(test)]
mod tests {
    use super::*;

    /// Each decoder names what the numbers stand for; a field without one
    /// has none, and a value that is not a number decodes to nothing.
    #[test]
    fn field_decoders_name_the_codes() {
        let d = |p, n| FieldDecoder::for_field(p, n);
        assert_eq!(d("SSID", "type").unwrap().decode(b"0").unwrap(), "beacon");
        assert_eq!(
            d("BSSID", "type").unwrap().decode(b"0").unwrap(),
            network_type_name(0)
        );
        assert_eq!(
            d("CLIENT", "type").unwrap().decode(b"4").unwrap(),
            client_type_name(4)
        );
        assert_eq!(d("SSID", "cryptset").unwrap().decode(b"2").unwrap(), "WEP");
        assert_eq!(d("SSID", "type").unwrap().decode(b"x"), None);
        assert_eq!(d("SSID", "ssid"), None);
        assert_eq!(d("TIME", "type"), None);
    }

    /// The four cipher sets seen on a live server, and the rules around
    /// them, as a table of (set, ENC, CIPHER, AUTH, letter).
    #[test]
    fn encryption_table() {
        let cases: &[(u64, &str, &str, &str, char)] = &[
            // Live: WPA2 | AES-CCM | PSK | WPA | WEP.
            (2097858, "WPA2", "CCMP", "PSK", 'O'),
            // Live: mixed WPA/WPA2, TKIP and CCMP, PSK.
            (3146466, "WPA+WPA2", "CCMP TKIP", "PSK", 'O'),
            // Live: WEP alone, and open.
            (2, "WEP", "WEP", "", 'W'),
            (0, "OPN", "", "", 'N'),
            // WPA bit without a version bit.
            (
                crypt::WPA | crypt::TKIP | crypt::PSK,
                "WPA",
                "TKIP",
                "PSK",
                'O',
            ),
            // WPA version 1 only, 802.1X.
            (
                crypt::WPA1 | crypt::WPA | crypt::TKIP | crypt::PEAP,
                "WPA",
                "TKIP",
                "MGT",
                'O',
            ),
            // WPA2 enterprise with both PSK and 802.1X.
            (
                crypt::WPA2 | crypt::AES_CCM | crypt::PSK | crypt::TLS,
                "WPA2",
                "CCMP",
                "PSK MGT",
                'O',
            ),
            // WEP with a key length: the length, not a bare WEP.
            (crypt::WEP | crypt::WEP104, "WEP", "WEP104", "", 'O'),
            (crypt::WEP40, "WEP", "WEP40", "", 'O'),
            // WEP with LEAP (dynamic WEP): still WEP, no AUTH.
            (crypt::WEP | crypt::LEAP, "WEP", "WEP", "", 'O'),
            (crypt::PEAP, "WEP", "", "", 'O'),
            // Migration mode: WEP letter, WPA summary.
            (
                crypt::WPA_MIGMODE | crypt::WPA | crypt::WEP | crypt::TKIP,
                "WPA",
                "TKIP",
                "",
                'W',
            ),
            // Cipher bits without the WPA bit still make WPA.
            (crypt::AES_CCM, "WPA", "CCMP", "", 'O'),
            (crypt::AES_OCB, "WPA", "OCB", "", 'O'),
            // Unknown kinds: protected, not WPA.
            (crypt::UNKNOWN, "WEP", "", "", 'O'),
            (crypt::UNKNOWN_NONWEP, "WEP", "", "", 'O'),
            (crypt::FORTRESS, "WEP", "", "", 'O'),
            // Layer 3 only: the link is open.
            (crypt::LAYER3 | crypt::PPTP, "OPN", "", "", 'O'),
            (crypt::ISAKMP, "OPN", "", "", 'O'),
            // Undefined bits alone: nothing known.
            (1 << 40, "OPN", "", "", 'O'),
            (
                u64::MAX,
                "WPA+WPA2",
                "CCMP TKIP WEP40 WEP104 OCB",
                "PSK MGT",
                'W',
            ),
        ];
        for &(set, enc, cipher, auth, letter) in cases {
            let e = Encryption::from_cryptset(set);
            assert_eq!((e.enc, e.cipher, e.auth), (enc, cipher, auth), "{set}");
            assert_eq!(crypt_letter(set), letter, "{set}");
        }
    }

    /// Display joins the non-empty columns; rank orders by strength.
    #[test]
    fn encryption_display_and_rank() {
        assert_eq!(Encryption::from_cryptset(0).to_string(), "OPN");
        assert_eq!(Encryption::from_cryptset(2).to_string(), "WEP");
        assert_eq!(
            Encryption::from_cryptset(crypt::WEP | crypt::WEP104).to_string(),
            "WEP WEP104"
        );
        assert_eq!(
            Encryption::from_cryptset(3146466).to_string(),
            "WPA+WPA2 CCMP TKIP PSK"
        );
        let ranks: Vec<u8> = [0, 2, crypt::WPA, 3146466, 2097858]
            .iter()
            .map(|&s| Encryption::from_cryptset(s).rank())
            .collect();
        assert_eq!(ranks, [0, 1, 2, 3, 4]);
    }

    /// Every set bit by name, in bit order; undefined bits left out.
    #[test]
    fn bit_names_table() {
        let cases: &[(u64, &[&str])] = &[
            (0, &[]),
            (2, &["WEP"]),
            (2097858, &["WEP", "WPA", "PSK", "AES-CCM", "WPA version 2"]),
            (
                3146466,
                &[
                    "WEP",
                    "TKIP",
                    "WPA",
                    "PSK",
                    "AES-CCM",
                    "WPA version 1",
                    "WPA version 2",
                ],
            ),
            (
                1 << 19 | 1 << 18,
                &["unknown non-WEP", "WPA migration mode"],
            ),
            (1 << 22 | 1 << 63, &[]),
        ];
        for (set, want) in cases {
            assert_eq!(bit_names(*set), *want, "{set}");
        }
        assert_eq!(bit_names(!UNDEFINED_CRYPT_BITS).len(), CRYPT_BITS.len());
        // The table is in bit order, one bit each, and covers the mask.
        for (i, (bit, _)) in CRYPT_BITS.iter().enumerate() {
            assert_eq!(*bit, 1 << i);
        }
    }

    /// Type codes to their short names; unknown codes as `type N`.
    #[test]
    fn type_name_table() {
        type Namer = fn(u32) -> Cow<'static, str>;
        let cases: &[(Namer, u32, &str)] = &[
            (network_type_name, 0, "ap"),
            (network_type_name, 1, "adhoc"),
            (network_type_name, 2, "probe"),
            (network_type_name, 3, "turbocell"),
            (network_type_name, 4, "data"),
            (network_type_name, 256, "removed"),
            (network_type_name, 5, "type 5"),
            (client_type_name, 0, "unknown"),
            (client_type_name, 1, "from-ds"),
            (client_type_name, 2, "to-ds"),
            (client_type_name, 3, "inter-ds"),
            (client_type_name, 4, "established"),
            (client_type_name, 5, "adhoc"),
            (client_type_name, 6, "type 6"),
            (ssid_type_name, 0, "beacon"),
            (ssid_type_name, 1, "probe-response"),
            (ssid_type_name, 2, "probe-request"),
            (ssid_type_name, 3, "file"),
            (ssid_type_name, u32::MAX, "type 4294967295"),
        ];
        for (f, code, want) in cases {
            assert_eq!(f(*code), *want, "{code}");
        }
    }
}
