//! Field values off the wire: numbers, times, signal levels, flags, IPv4
//! and MAC addresses, parsed strictly (docs/PROTOCOL.md, "Decoding
//! values"). Every parser returns an `Option` and never panics, whatever
//! the bytes; the live model runs several of them for every frame, so the
//! common cases are short and branch little. Re-exported by
//! [`crate::decode`].

use std::net::Ipv4Addr;

/// A decimal unsigned integer field: ASCII digits only, no sign, no
/// spaces, no overflow.
///
/// # Examples
/// ```
/// use kismet_protocol::decode::parse_u64;
/// assert_eq!(parse_u64(b"2097858"), Some(2097858));
/// assert_eq!(parse_u64(b"-1"), None);
/// ```
pub fn parse_u64(bytes: &[u8]) -> Option<u64> {
    // The live model parses several numbers of every frame: short ones a
    // digit at a time with no branch per digit, longer ones eight digits
    // at once (see `eight_digits`). 19 digits or fewer cannot overflow
    // (10^19 - 1 < 2^64); only 20 need a check.
    const E8: u64 = 100_000_000;
    let n = bytes.len();
    match n {
        1..=8 => short_digits(bytes),
        9..=16 => {
            let (head, tail) = bytes.split_at(n - 8);
            Some(short_digits(head)? * E8 + eight_digits(tail)?)
        }
        17..=20 => {
            let (head, rest) = bytes.split_at(n - 16);
            let (mid, tail) = rest.split_at(8);
            let low = eight_digits(mid)? * E8 + eight_digits(tail)?;
            short_digits(head)?.checked_mul(E8 * E8)?.checked_add(low)
        }
        // No digits, or more than any u64 needs (leading zeros included).
        _ => None,
    }
}

/// The value of 1 to 8 decimal digits; `None` when one is not a digit,
/// or for no digits or more than 8.
#[inline]
fn short_digits(bytes: &[u8]) -> Option<u64> {
    match bytes.len() {
        1..=4 => {
            let (mut n, mut ok) = (0u32, true);
            for &b in bytes {
                let d = b.wrapping_sub(b'0');
                ok &= d <= 9;
                n = n * 10 + u32::from(d);
            }
            ok.then_some(u64::from(n))
        }
        // Padded with leading '0's to eight, the first digit lowest.
        n @ 5..=8 => {
            let lo = u64::from(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]));
            let hi = u64::from(u32::from_le_bytes([
                bytes[n - 4],
                bytes[n - 3],
                bytes[n - 2],
                bytes[n - 1],
            ]));
            let word = (lo | (hi << (8 * (n - 4)))) << (8 * (8 - n));
            let zeros = ZEROS.checked_shr(8 * n as u32).unwrap_or(0);
            word_digits(word | zeros)
        }
        _ => None,
    }
}

/// Eight ASCII '0' bytes in a word.
const ZEROS: u64 = 0x3030_3030_3030_3030;

/// The value of exactly eight decimal digits.
#[inline]
fn eight_digits(bytes: &[u8]) -> Option<u64> {
    word_digits(u64::from_le_bytes(bytes.try_into().ok()?))
}

/// The value of the eight digits of a little-endian word (the first digit
/// its lowest byte), all checked and converted at once; `None` when a
/// byte is not a digit.
#[inline]
fn word_digits(w: u64) -> Option<u64> {
    // Every byte 0x30..=0x39: its high nibble is 3, and stays 3 with 6
    // added. (A carry out of a byte comes only from a byte whose high
    // nibble is F, which fails the check itself.)
    let high = w & 0xF0F0_F0F0_F0F0_F0F0;
    let plus6 = w.wrapping_add(0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0;
    if high | (plus6 >> 4) != 0x3333_3333_3333_3333 {
        return None;
    }
    // Pairs of digits, then fours, then all eight: one multiply of all
    // the lanes at a time.
    let d = w - ZEROS;
    let d = d.wrapping_mul(10).wrapping_add(d >> 8);
    let lanes = 0x0000_00FF_0000_00FF;
    let d = ((d & lanes).wrapping_mul(100 + (1_000_000 << 32))
        + ((d >> 16) & lanes).wrapping_mul(1 + (10_000 << 32)))
        >> 32;
    Some(d)
}

/// A decimal signed integer field (`-67`): an optional `-`, then digits.
pub fn parse_i64(bytes: &[u8]) -> Option<i64> {
    match bytes.split_first() {
        Some((b'-', digits)) => {
            let n = parse_u64(digits)?;
            if n == 1 << 63 {
                Some(i64::MIN)
            } else {
                i64::try_from(n).ok().map(|n| -n)
            }
        }
        _ => i64::try_from(parse_u64(bytes)?).ok(),
    }
}

/// A `u32` field (channels, type codes).
pub fn parse_u32(bytes: &[u8]) -> Option<u32> {
    u32::try_from(parse_u64(bytes)?).ok()
}

/// A decimal number with an optional fraction (`54`, `5.5`, `-122.419`),
/// finite. Rejects what Rust's float parser accepts but the server never
/// writes (`inf`, `NaN`, exponents).
pub fn parse_f64(bytes: &[u8]) -> Option<f64> {
    let ok = !bytes.is_empty()
        && bytes.len() <= 64
        && bytes
            .iter()
            .enumerate()
            .all(|(i, &b)| b.is_ascii_digit() || b == b'.' || (b == b'-' && i == 0));
    if !ok {
        return None;
    }
    let v: f64 = std::str::from_utf8(bytes).ok()?.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Epoch seconds (UTC), as in `firsttime`, `lasttime` and TIME. The server
/// writes 0 for a time it does not know: that is `None`.
pub fn parse_epoch(bytes: &[u8]) -> Option<u64> {
    parse_u64(bytes).filter(|&t| t != 0)
}

/// A signal or noise level in dBm (`signal_dbm`: negative numbers). The
/// server writes 0 when it has no reading and -256 or 256 as the "never
/// seen" marks of its minimum and maximum: all of these, and anything
/// outside -255..=-1 and 1..=255, are `None`.
pub fn parse_dbm(bytes: &[u8]) -> Option<i32> {
    let v = parse_i64(bytes)?;
    (v != 0 && (-255..=255).contains(&v)).then_some(v as i32)
}

/// A 0/1 flag (`cloaked`); anything else is `None`.
pub fn parse_bool(bytes: &[u8]) -> Option<bool> {
    match bytes {
        b"0" => Some(false),
        b"1" => Some(true),
        _ => None,
    }
}

/// An IPv4 address field (`ip`); `0.0.0.0`, which the server writes when
/// it knows none, is `None`.
pub fn parse_ipv4(bytes: &[u8]) -> Option<Ipv4Addr> {
    // "0.0.0.0" (the common case) and anything too short or too long to
    // be an address, without a pass over the octets.
    if bytes == b"0.0.0.0" || !(7..=15).contains(&bytes.len()) {
        return None;
    }
    // What the standard parser accepts (four decimal octets, no leading
    // zeros), without its UTF-8 check and generic parser.
    let mut octets = [0u8; 4];
    let mut parts = bytes.split(|&b| b == b'.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
            return None;
        }
        *octet = u8::try_from(parse_u64(part)?).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    let ip = Ipv4Addr::from(octets);
    (!ip.is_unspecified()).then_some(ip)
}

/// A MAC address `AA:BB:CC:DD:EE:FF` (either case) as six bytes.
///
/// # Examples
/// ```
/// use kismet_protocol::decode::{format_mac, parse_mac};
/// let mac = parse_mac(b"00:14:6c:A1:00:01").unwrap();
/// assert_eq!(format_mac(mac), "00:14:6C:A1:00:01");
/// assert_eq!(parse_mac(b"00:14:6C:A1:00"), None);
/// ```
pub fn parse_mac(bytes: &[u8]) -> Option<[u8; 6]> {
    let n = parse_mac_u48(bytes)?.to_be_bytes();
    Some([n[2], n[3], n[4], n[5], n[6], n[7]])
}

/// A MAC address `AA:BB:CC:DD:EE:FF` (either case) as a number: its six
/// bytes, most significant first, in the low 48 bits (a cheap hash key).
/// Checks everything and branches once.
///
/// # Examples
/// ```
/// use kismet_protocol::decode::parse_mac_u48;
/// assert_eq!(parse_mac_u48(b"00:14:6c:A1:00:01"), Some(0x0014_6CA1_0001));
/// assert_eq!(parse_mac_u48(b"00:14:6C:A1:00:0G"), None);
/// assert_eq!(parse_mac_u48(b"00:14:6C:A1:00-01"), None);
/// ```
pub fn parse_mac_u48(bytes: &[u8]) -> Option<u64> {
    let b: &[u8; 17] = bytes.try_into().ok()?;
    let mut n: u64 = 0;
    // A byte that is not a hex digit has a value above 15.
    let mut bad = 0u8;
    for i in 0..6 {
        let (hi, lo) = (
            HEX_VALUE[usize::from(b[3 * i])],
            HEX_VALUE[usize::from(b[3 * i + 1])],
        );
        bad |= hi | lo;
        n = (n << 8) | u64::from((hi << 4) | (lo & 15));
    }
    let colons = [b[2], b[5], b[8], b[11], b[14]] == [b':'; 5];
    (bad <= 15 && colons).then_some(n)
}

/// The value of each byte as a hexadecimal digit; 0xFF for a byte that is
/// not one.
const HEX_VALUE: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match i as u8 {
            b @ b'0'..=b'9' => b - b'0',
            b @ b'a'..=b'f' => b - b'a' + 10,
            b @ b'A'..=b'F' => b - b'A' + 10,
            _ => 0xFF,
        };
        i += 1;
    }
    t
};

/// A MAC address as the server writes it: `AA:BB:CC:DD:EE:FF`, upper case.
pub fn format_mac(mac: [u8; 6]) -> String {
    // Only ASCII was written.
    String::from_utf8(mac_text(mac).to_vec()).unwrap_or_default()
}

/// The bytes of [`format_mac`], with no allocation.
pub fn mac_text(mac: [u8; 6]) -> [u8; 17] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut text = [b':'; 17];
    for (i, b) in mac.iter().enumerate() {
        text[i * 3] = HEX[usize::from(b >> 4)];
        text[i * 3 + 1] = HEX[usize::from(b & 15)];
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers parse strictly; junk is `None`, never a panic.
    #[test]
    fn number_table() {
        let cases: &[(&[u8], Option<u64>, Option<i64>)] = &[
            (b"0", Some(0), Some(0)),
            (b"1795678119", Some(1795678119), Some(1795678119)),
            (b"-67", None, Some(-67)),
            (b"18446744073709551615", Some(u64::MAX), None),
            (b"18446744073709551616", None, None),
            (b"-9223372036854775808", None, Some(i64::MIN)),
            (b"-9223372036854775809", None, None),
            (b"", None, None),
            (b"-", None, None),
            (b"+5", None, None),
            (b" 5", None, None),
            (b"5 ", None, None),
            (b"1e3", None, None),
            (b"\xff", None, None),
            (b"00000000000000000000001", None, None),
            (
                b"9999999999999999999",
                Some(9_999_999_999_999_999_999),
                None,
            ),
            (b"99999999999999999999", None, None),
            (
                b"09999999999999999999",
                Some(9_999_999_999_999_999_999),
                None,
            ),
            (b"1844674407370955161x", None, None),
        ];
        for (raw, u, i) in cases {
            assert_eq!(parse_u64(raw), *u, "{raw:?}");
            assert_eq!(parse_i64(raw), *i, "{raw:?}");
        }
        assert_eq!(parse_u32(b"4294967296"), None);
        assert_eq!(parse_u32(b"11"), Some(11));
    }

    /// Floats, times, dBm, flags, IPs: the server's "unknown" marks are
    /// `None`.
    #[test]
    fn field_table() {
        assert_eq!(parse_f64(b"54"), Some(54.0));
        assert_eq!(parse_f64(b"5.5"), Some(5.5));
        assert_eq!(parse_f64(b"-122.419"), Some(-122.419));
        for junk in [&b"inf"[..], b"NaN", b"1e999", b"", b"--1", b"1-", b"."] {
            assert_eq!(parse_f64(junk), None, "{junk:?}");
        }
        assert_eq!(parse_epoch(b"1795678119"), Some(1795678119));
        assert_eq!(parse_epoch(b"0"), None);
        assert_eq!(parse_epoch(b"x"), None);
        let dbm: &[(&[u8], Option<i32>)] = &[
            (b"-67", Some(-67)),
            (b"-255", Some(-255)),
            (b"0", None),
            (b"-256", None),
            (b"256", None),
            (b"-99999999999", None),
            (b"junk", None),
        ];
        for (raw, want) in dbm {
            assert_eq!(parse_dbm(raw), *want, "{raw:?}");
        }
        assert_eq!(parse_bool(b"1"), Some(true));
        assert_eq!(parse_bool(b"0"), Some(false));
        assert_eq!(parse_bool(b"2"), None);
        assert_eq!(parse_ipv4(b"10.0.0.7"), Some(Ipv4Addr::new(10, 0, 0, 7)));
        assert_eq!(parse_ipv4(b"0.0.0.0"), None);
        assert_eq!(parse_ipv4(b"10.0.0"), None);
        assert_eq!(parse_ipv4(b"\xff"), None);
        // The same answers as the standard parser.
        for text in [
            "1.2.3.4",
            "255.255.255.255",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3.04",
            "0.1.2.3",
            "1..2.3",
            "1.2.3.4.",
            ".1.2.3",
            "1.2.3.4.5",
            "1.2.3",
            "",
            "+1.2.3.4",
            "1.2.3.-4",
            "1.2.3.4 ",
            "0000.1.1.1",
            "192.168.001.1",
            "10.0.0.0",
        ] {
            let std = text
                .parse::<Ipv4Addr>()
                .ok()
                .filter(|ip| !ip.is_unspecified());
            assert_eq!(parse_ipv4(text.as_bytes()), std, "{text:?}");
        }
    }

    /// The word-at-a-time number parser agrees with the standard one on
    /// every length from 0 to 24, digits or not (the standard parser also
    /// takes a leading `+`, which the server never writes, and more than
    /// 20 digits when the first are zeros, which `parse_u64` refuses: see
    /// `number_table`).
    #[test]
    fn numbers_agree_with_the_standard_parser() {
        use proptest::prelude::*;
        let reference = |b: &[u8]| -> Option<u64> {
            if b.first() == Some(&b'+') || b.len() > 20 {
                return None;
            }
            std::str::from_utf8(b).ok()?.parse().ok()
        };
        let byte = prop_oneof![4 => b'0'..=b'9', 1 => any::<u8>()];
        let mut runner = proptest::test_runner::TestRunner::default();
        runner
            .run(&proptest::collection::vec(byte, 0..24), |b| {
                prop_assert_eq!(parse_u64(&b), reference(&b), "{:?}", b);
                Ok(())
            })
            .unwrap();
        // Past 20 bytes only leading zeros make a number (a proptest run
        // once found 21 zeros).
        for text in [
            &b"000000000000000000000"[..],
            b"0000018446744073709551615",
            b"000000000000000000000x",
        ] {
            assert_eq!(parse_u64(text), reference(text), "{text:?}");
        }
        // Every length, and every byte next to the digit range, in every
        // place of an 8-digit word.
        for n in 1..=20 {
            let digits: Vec<u8> = (0..n).map(|i| b'1' + (i % 9) as u8).collect();
            assert_eq!(parse_u64(&digits), reference(&digits), "{n}");
            for at in 0..n.min(8) {
                for junk in [b'/', b':', b' ', 0x00, 0x7f, 0x80, 0xfa, 0xff, b'a'] {
                    let mut d = digits.clone();
                    d[at] = junk;
                    assert_eq!(parse_u64(&d), None, "{d:?}");
                }
            }
        }
        for v in [0, 9, 10, 99_999_999, 100_000_000, u64::MAX / 10, u64::MAX] {
            assert_eq!(parse_u64(v.to_string().as_bytes()), Some(v));
        }
    }

    /// MACs parse in either case and print upper case; junk is `None`.
    #[test]
    fn mac_table() {
        let cases: &[(&[u8], Option<[u8; 6]>)] = &[
            (b"00:14:6C:A1:00:01", Some([0, 0x14, 0x6c, 0xa1, 0, 1])),
            (b"ff:ff:ff:ff:ff:ff", Some([0xff; 6])),
            (b"00-14-6C-A1-00-01", None),
            (b"00:14:6C:A1:00:0G", None),
            (b"00:14:6C:A1:00:011", None),
            (b"", None),
            (
                b"\xff\xff:\xff\xff:\xff\xff:\xff\xff:\xff\xff:\xff\xff",
                None,
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_mac(raw), *want, "{raw:?}");
        }
        assert_eq!(format_mac([0xab, 0, 1, 2, 0xcd, 0xef]), "AB:00:01:02:CD:EF");
    }
}
