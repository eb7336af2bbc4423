//! What several formats share: radio frequencies, encryption names, times,
//! and XML elements with text safe for XML.

use std::borrow::Cow;
use std::io::{self, Write};

use kismet_client::{NetworkView, TrackPoint};
use kismet_protocol::decode::{crypt, Encryption};
use quick_xml::escape::escape;
use quick_xml::events::BytesText;
use quick_xml::Writer;

use crate::Meta;

/// The BSSID `type` of a station seen only probing.
pub(crate) const PROBE_NETWORK: u32 = 2;

/// The BSSID `type` of an ad-hoc cell.
const ADHOC_NETWORK: u32 = 1;

/// The centre frequency of an 802.11 channel, MHz: 2.4 GHz channels 1 to
/// 14, 5 GHz channels 32 to 177; `None` for any other number.
///
/// # Examples
/// ```
/// use kismet_export::frequency_mhz;
/// assert_eq!(frequency_mhz(6), Some(2437));
/// assert_eq!(frequency_mhz(14), Some(2484));
/// assert_eq!(frequency_mhz(36), Some(5180));
/// assert_eq!(frequency_mhz(0), None);
/// ```
pub fn frequency_mhz(channel: u32) -> Option<u32> {
    match channel {
        1..=13 => Some(2407 + 5 * channel),
        14 => Some(2484),
        32..=177 => Some(5000 + 5 * channel),
        _ => None,
    }
}

/// The WiGLE (Android scan result) form of a network's security:
/// `[WPA2-PSK-CCMP][ESS]`, `[WPA-PSK-TKIP+CCMP][WPA2-PSK-TKIP+CCMP][ESS]`,
/// `[WEP][ESS]`, `[ESS]` for an open network, `[IBSS]` for an ad-hoc
/// one; empty when the cipher set is not known.
///
/// # Examples
/// ```
/// use kismet_export::wigle_auth_mode;
/// assert_eq!(wigle_auth_mode(Some(2097858), Some(0)), "[WPA2-PSK-CCMP][ESS]");
/// assert_eq!(wigle_auth_mode(Some(0), Some(1)), "[IBSS]");
/// assert_eq!(wigle_auth_mode(None, Some(0)), "");
/// ```
pub fn wigle_auth_mode(cryptset: Option<u64>, network_type: Option<u32>) -> String {
    let Some(set) = cryptset else {
        return String::new();
    };
    let e = Encryption::from_cryptset(set);
    let mut out = String::new();
    let key = match (set & crypt::PSK != 0, set & crypt::MGT != 0) {
        (_, true) => "EAP",
        _ => "PSK",
    };
    let ciphers = match (set & crypt::TKIP != 0, set & crypt::AES_CCM != 0) {
        (true, true) => "TKIP+CCMP",
        (true, false) => "TKIP",
        (false, true) => "CCMP",
        (false, false) => "",
    };
    let wpa = |out: &mut String, name: &str| {
        out.push('[');
        out.push_str(name);
        out.push('-');
        out.push_str(key);
        if !ciphers.is_empty() {
            out.push('-');
            out.push_str(ciphers);
        }
        out.push(']');
    };
    match e.enc {
        "WPA+WPA2" => {
            wpa(&mut out, "WPA");
            wpa(&mut out, "WPA2");
        }
        "WPA2" => wpa(&mut out, "WPA2"),
        "WPA" => wpa(&mut out, "WPA"),
        "WEP" => out.push_str("[WEP]"),
        _ => {}
    }
    out.push_str(if network_type == Some(ADHOC_NETWORK) {
        "[IBSS]"
    } else {
        "[ESS]"
    });
    out
}

/// The classes the map formats group networks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Security {
    Open,
    Wep,
    Wpa,
    Unknown,
}

impl Security {
    /// Every class, in the order folders list them.
    pub(crate) const ALL: [Security; 4] = [
        Security::Open,
        Security::Wep,
        Security::Wpa,
        Security::Unknown,
    ];

    /// The class of a network.
    pub(crate) fn of(n: &NetworkView) -> Security {
        match n.cryptset.map(|_| n.encryption.enc) {
            None => Security::Unknown,
            Some("OPN") => Security::Open,
            Some("WEP") => Security::Wep,
            Some(_) => Security::Wpa,
        }
    }

    /// A short id: `open`, `wep`, `wpa`, `unknown`.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Security::Open => "open",
            Security::Wep => "wep",
            Security::Wpa => "wpa",
            Security::Unknown => "unknown",
        }
    }

    /// A title: `Open`, `WEP`, `WPA/WPA2`, `Unknown encryption`.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Security::Open => "Open",
            Security::Wep => "WEP",
            Security::Wpa => "WPA/WPA2",
            Security::Unknown => "Unknown encryption",
        }
    }
}

/// A network's encryption as text (`WPA2 CCMP PSK`, `OPN`), or `unknown`.
pub(crate) fn encryption_text(n: &NetworkView) -> String {
    match n.cryptset {
        Some(_) => n.encryption.to_string(),
        None => "unknown".to_string(),
    }
}

/// Epoch seconds as UTC `YYYY-MM-DD HH:MM:SS` (WiGLE's form); empty when
/// out of range.
pub(crate) fn utc_plain(secs: u64) -> String {
    timestamp(secs).map_or_else(String::new, |t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
}

/// Epoch seconds as RFC 3339 UTC, `2016-07-24T10:00:00Z`; `None` when out
/// of range.
pub(crate) fn rfc3339(secs: u64) -> Option<String> {
    timestamp(secs).map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// Epoch seconds as a timestamp.
fn timestamp(secs: u64) -> Option<jiff::Timestamp> {
    jiff::Timestamp::from_second(i64::try_from(secs).ok()?).ok()
}

/// Text safe in XML 1.0: the characters it forbids (controls other than
/// tab, newline and carriage return; U+FFFE and U+FFFF) as U+FFFD. An
/// SSID is any 32 bytes.
pub(crate) fn xml_text(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    };
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if bad(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

/// Text for an XML element: what XML forbids as U+FFFD (see [`xml_text`]),
/// then `<`, `>`, `&`, `'` and `"` escaped (by quick-xml).
/// A carriage return is written `&#13;`: a reader turns a bare one into a
/// newline.
pub(crate) fn xml_event_text(s: &str) -> BytesText<'_> {
    let escaped = escape(xml_text(s));
    if escaped.contains('\r') {
        return BytesText::from_escaped(escaped.replace('\r', "&#13;"));
    }
    BytesText::from_escaped(escaped)
}

/// Writes `<name>text</name>`, the text made safe (see [`xml_event_text`]).
pub(crate) fn text_element<W: Write>(w: &mut Writer<W>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(xml_event_text(text))?;
    Ok(())
}

/// A network's SSID, when known (and not empty).
pub(crate) fn known_ssid(n: &NetworkView) -> Option<&str> {
    n.ssid.as_deref().filter(|s| !s.is_empty())
}

/// An export's title, from its header: `localhost:2501, by kismet-shell
/// 0.1.0`.
pub(crate) fn title(meta: &Meta) -> String {
    format!("{}, by {}", meta.source, meta.app)
}

/// Degrees with the six decimals the positions have.
pub(crate) fn degrees(v: f64) -> String {
    format!("{v:.6}")
}

/// The track's segments: runs of points between losses of the fix.
pub(crate) fn track_segments(track: &[TrackPoint]) -> impl Iterator<Item = &[TrackPoint]> {
    let mut rest = track;
    std::iter::from_fn(move || {
        let (_, tail) = rest.split_first()?;
        let end = tail
            .iter()
            .position(|p| p.new_segment)
            .map_or(rest.len(), |i| i + 1);
        let (seg, next) = rest.split_at(end);
        rest = next;
        Some(seg)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bracket forms WiGLE's own app writes, from cipher sets the
    /// server sends (PROTOCOL.md's `cryptset` bits).
    #[test]
    fn wigle_auth_modes_match_the_bracket_forms() {
        let wpa2_psk_ccmp = crypt::WPA | crypt::PSK | crypt::AES_CCM | crypt::WPA2;
        assert_eq!(
            wigle_auth_mode(Some(wpa2_psk_ccmp), Some(0)),
            "[WPA2-PSK-CCMP][ESS]"
        );
        let mixed =
            crypt::WPA | crypt::PSK | crypt::TKIP | crypt::AES_CCM | crypt::WPA1 | crypt::WPA2;
        assert_eq!(
            wigle_auth_mode(Some(mixed), Some(0)),
            "[WPA-PSK-TKIP+CCMP][WPA2-PSK-TKIP+CCMP][ESS]"
        );
        assert_eq!(wigle_auth_mode(Some(crypt::WEP), Some(0)), "[WEP][ESS]");
        assert_eq!(wigle_auth_mode(Some(0), Some(0)), "[ESS]");
        let eap = crypt::WPA | crypt::PEAP | crypt::AES_CCM | crypt::WPA2;
        assert_eq!(wigle_auth_mode(Some(eap), None), "[WPA2-EAP-CCMP][ESS]");
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(utc_plain(1_469_354_400), "2016-07-24 10:00:00");
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
    }

    /// Markup is escaped; a carriage return is a reference, so a reader
    /// keeps it.
    #[test]
    fn xml_event_text_escapes_markup_and_carriage_returns() {
        let text = xml_event_text("a<&>\"'\r\n\u{1}");
        assert_eq!(
            &*text.into_inner(),
            "a&lt;&amp;&gt;&quot;&apos;&#13;\n\u{FFFD}".as_bytes()
        );
    }

    #[test]
    fn xml_text_replaces_what_xml_forbids() {
        assert_eq!(xml_text("a\u{1}b\tc"), "a\u{FFFD}b\tc");
        assert!(matches!(xml_text("plain"), Cow::Borrowed(_)));
    }
}
