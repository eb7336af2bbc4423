//! How much the model keeps: of a name off the network, and in all.
//!
//! Every name the model stores (an SSID as the server writes it, a
//! manufacturer) is cut at [`MAX_NAME_BYTES`]: a server can send fields of
//! tens of kilobytes, and a model bounded in devices but not in bytes per
//! device is not bounded. A cut never splits an octal escape (`\303`) nor,
//! in the bytes the name stands for, a UTF-8 character, so the part kept
//! still displays as what it is; its display form ends in [`CUT_MARKER`]
//! and its record says it was cut.
//!
//! The model also counts the bytes it holds (see
//! [`Memory`](super::Memory)) and keeps them under a budget,
//! [`DEFAULT_MAX_BYTES`] unless told otherwise, by evicting the least
//! recently seen devices. The tables' bytes are counted as allocated, and
//! they do not shrink; so that the budget can always be met by evicting,
//! the model holds no more devices than fill half of it with the tables
//! at their largest (see `Store::with_limits`).

/// Bytes of a name the model keeps at most: an SSID as written on the wire
/// (octal escapes kept), a manufacturer name. A real SSID is at most 32
/// bytes, 128 when every byte is escaped, and the server's manufacturer
/// names come from its OUI file: no real name is cut.
pub const MAX_NAME_BYTES: usize = 256;

/// What the display form of a name that was cut ends with.
pub const CUT_MARKER: &str = "…";

/// Bytes a [`Model::default`](super::Model::default) holds at most: 256
/// MiB. Its 100,000 devices take some 31 MB with short names (36 MB once
/// past the cap, with the recency queue: see `benches/model_memory.rs`);
/// the rest is for long ones (a network with 32 SSIDs of 256 bytes takes
/// some 12 KB).
pub const DEFAULT_MAX_BYTES: usize = 256 << 20;

/// The buckets of a std `HashMap` whose `capacity()` has been `capacity`
/// right after it grew (see [`map_bytes`]).
pub fn map_buckets(capacity: usize) -> usize {
    match capacity {
        0 => 0,
        // Small tables keep one bucket free, larger ones an eighth.
        1..=7 => (capacity + 1).next_power_of_two(),
        _ => (capacity * 8 / 7).next_power_of_two(),
    }
}

/// Bytes a std `HashMap` (hashbrown) of `buckets` entries of `entry`
/// bytes allocates: the entries, a control byte each, and a group's
/// worth more of them.
pub fn map_bytes(buckets: usize, entry: usize) -> usize {
    if buckets == 0 {
        0
    } else {
        buckets * (entry + 1) + 16
    }
}

/// Bytes of an `Arc<str>` of `len` bytes: two counts, then the text,
/// padded to a word.
pub fn arc_str_bytes(len: usize) -> usize {
    (16 + len).next_multiple_of(8)
}

/// The part of a name the model keeps, and whether that is less than the
/// whole. Only a name longer than [`MAX_NAME_BYTES`] is looked at.
#[inline]
pub fn cut_name(raw: &[u8]) -> (&[u8], bool) {
    if raw.len() <= MAX_NAME_BYTES {
        (raw, false)
    } else {
        (&raw[..cut_point(raw)], true)
    }
}

/// Where a name longer than [`MAX_NAME_BYTES`] is cut: after the last whole
/// unit (an octal escape, or one byte) that fits, less a UTF-8 character
/// whose bytes the cut would split.
#[cold]
fn cut_point(raw: &[u8]) -> usize {
    // The last four units kept: where each starts and the byte it stands
    // for (a UTF-8 character is at most four).
    let mut last = [(0usize, 0u8); 4];
    let (mut end, mut units) = (0, 0);
    while let Some((len, byte)) = unit(&raw[end..]) {
        if end + len > MAX_NAME_BYTES {
            break;
        }
        last[units % 4] = (end, byte);
        units += 1;
        end += len;
    }
    // Back over the continuation bytes at the end to the character's first
    // byte: when it announces more bytes than follow it, cut before it.
    for back in 0..units.min(4) {
        let (start, byte) = last[(units - 1 - back) % 4];
        if byte & 0xc0 == 0x80 {
            continue;
        }
        let wants = match byte {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 1,
        };
        return if wants > back + 1 { start } else { end };
    }
    end
}

/// The first unit of `raw` (none when it is empty): an octal escape as
/// [`decode_octal`](kismet_protocol::text::decode_octal) reads one (four
/// bytes), or one byte; and the byte it stands for.
fn unit(raw: &[u8]) -> Option<(usize, u8)> {
    let octal = |b: u8, max: u8| (b'0'..=max).contains(&b).then(|| b - b'0');
    match *raw {
        [b'\\', a, b, c, ..] => match (octal(a, b'3'), octal(b, b'7'), octal(c, b'7')) {
            (Some(a), Some(b), Some(c)) => Some((4, (a << 6) | (b << 3) | c)),
            _ => Some((1, b'\\')),
        },
        [b, ..] => Some((1, b)),
        [] => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kismet_protocol::text;

    /// Names up to the bound are kept whole; longer ones are cut at it,
    /// never inside an octal escape or a character, and still display as
    /// what they are.
    #[test]
    fn names_are_cut_at_whole_characters() {
        let short = [b'a'; MAX_NAME_BYTES];
        assert_eq!(cut_name(&short), (&short[..], false));
        let long = [b'a'; MAX_NAME_BYTES + 1];
        assert_eq!(cut_name(&long), (&long[..MAX_NAME_BYTES], true));
        // `é` escaped as the server writes it (8 bytes for one character),
        // after one to seven ASCII bytes: however the escapes fall against
        // the bound, the cut comes between two whole `é`.
        for pad in 1..8 {
            let mut raw = vec![b'x'; pad];
            while raw.len() <= MAX_NAME_BYTES {
                raw.extend_from_slice(b"\\303\\251");
            }
            let (kept, cut) = cut_name(&raw);
            assert!(cut && kept.len() <= MAX_NAME_BYTES && kept.len() > MAX_NAME_BYTES - 8);
            assert_eq!((kept.len() - pad) % 8, 0, "pad {pad}: {}", kept.len());
            let shown = text::display_ssid(kept);
            assert!(shown.ends_with('é') && !shown.contains('\\'), "{shown}");
        }
        // The same with raw UTF-8 bytes (a server that does not escape).
        for pad in 0..4 {
            let raw = format!("{}{}", "x".repeat(pad), "☕".repeat(100));
            let (kept, cut) = cut_name(raw.as_bytes());
            assert!(cut && kept.len() > MAX_NAME_BYTES - 3, "{}", kept.len());
            assert!(std::str::from_utf8(kept).is_ok(), "pad {pad}");
        }
        // Backslashes that are not escapes are single bytes.
        let raw = b"\\9\\".repeat(100);
        assert_eq!(cut_name(&raw).0.len(), MAX_NAME_BYTES);
    }

    /// The bucket estimate agrees with what a std `HashMap` reports: a map
    /// grown to hold `n` has `capacity()` at least `n`, and the buckets
    /// estimated from it hold it at the load factor.
    #[test]
    fn map_buckets_follow_capacity() {
        let mut m = std::collections::HashMap::new();
        let mut last = 0;
        for i in 0..10_000u32 {
            m.insert(i, ());
            let b = map_buckets(m.capacity());
            assert!(b.is_power_of_two() && b >= last && b > m.len(), "{i}: {b}");
            assert!(m.capacity() >= b * 7 / 8 - 1 && m.capacity() < b, "{i}");
            last = b;
        }
        assert_eq!(map_buckets(0), 0);
        assert_eq!(map_bytes(0, 8), 0);
        assert_eq!(arc_str_bytes(0), 16);
        assert_eq!(arc_str_bytes(3), 24);
    }
}
