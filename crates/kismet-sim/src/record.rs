//! A server record, and how its fields are written: every field of one
//! protocol rendered once, in CAPABILITY order, so that any client's field
//! selection (any order, any subset) can be encoded from it with the
//! codec's `encode_line_into`. Also the server's ways of writing numbers
//! and SSIDs.

use std::io::Write as _;

use super::capabilities::Proto;
use kismet_protocol::{encode_line_into, FieldValue};

/// A record: all of a protocol's fields, rendered, in capability order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The rendered fields, back to back.
    buf: Vec<u8>,
    /// Each field's range in `buf`, and whether it is `\x01`-quoted.
    spans: Vec<(u32, u32, bool)>,
}

impl Record {
    /// An empty record.
    pub fn new() -> Record {
        Record {
            buf: Vec::with_capacity(64),
            spans: Vec::with_capacity(16),
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// The field at `index`: its bytes and whether it is quoted.
    pub fn field(&self, index: usize) -> Option<(&[u8], bool)> {
        self.spans
            .get(index)
            .map(|&(s, e, q)| (&self.buf[s as usize..e as usize], q))
    }

    /// Keeps only the first `len` fields (their bytes stay in the buffer).
    pub fn truncate(&mut self, len: usize) {
        self.spans.truncate(len);
    }

    fn close(&mut self, start: usize, quoted: bool) {
        self.spans
            .push((start as u32, self.buf.len() as u32, quoted));
    }

    /// Appends a bare field (numbers, MACs, lists: no spaces).
    pub fn bare(&mut self, v: impl AsRef<[u8]>) -> &mut Record {
        let start = self.buf.len();
        self.buf.extend_from_slice(v.as_ref());
        self.close(start, false);
        self
    }

    /// Appends a `\x01`-quoted string field.
    pub fn quoted(&mut self, v: impl AsRef<[u8]>) -> &mut Record {
        let start = self.buf.len();
        self.buf.extend_from_slice(v.as_ref());
        self.close(start, true);
        self
    }

    /// Appends a bare number (anything `Display`).
    pub fn num(&mut self, v: impl std::fmt::Display) -> &mut Record {
        let start = self.buf.len();
        // Writing to a Vec cannot fail.
        let _ = write!(self.buf, "{v}");
        self.close(start, false);
        self
    }

    /// Appends a float the way the server's C++ streams print it (up to six
    /// significant digits, no trailing zeros).
    pub fn float(&mut self, v: f64) -> &mut Record {
        let s = fmt_float(v);
        self.bare(s)
    }

    /// Encodes the line for a client: `sel` lists the field indexes in the
    /// order the client enabled them (`None`: all). Payload protocols (TIME,
    /// PROTOCOLS, CAPABILITY, TERMINATE) always carry their whole payload.
    pub fn encode_into(&self, out: &mut Vec<u8>, proto: Proto, sel: Option<&[u16]>) {
        let mut vals: Vec<FieldValue<'_>> = Vec::with_capacity(self.spans.len());
        let mut push = |i: usize| {
            if let Some((v, q)) = self.field(i) {
                vals.push(if q {
                    FieldValue::Quoted(v)
                } else {
                    FieldValue::Bare(v)
                });
            }
        };
        match sel {
            Some(sel) if !proto.is_payload() => sel.iter().for_each(|&i| push(i as usize)),
            _ => (0..self.spans.len()).for_each(&mut push),
        }
        encode_line_into(out, proto.name(), &vals);
    }

    /// The whole line with every field, as a `Vec`.
    #[cfg(test)]
    pub fn encode(&self, proto: Proto) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.buf.len() + 16 + self.spans.len() * 3);
        self.encode_into(&mut out, proto, None);
        out
    }
}

/// Formats a float like a default C++ ostream: six significant digits,
/// trailing zeros dropped (`37.7749`, `90`, `-122.419`).
pub fn fmt_float(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let digits = if v.abs() >= 1.0 {
        v.abs().log10().floor() as i32 + 1
    } else {
        0
    };
    let prec = (6 - digits).max(0) as usize;
    let s = format!("{v:.prec$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Escapes an SSID as the server does: bytes outside printable ASCII
/// (32..=126) become a backslash and three octal digits.
pub fn munge_ssid(ssid: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ssid.len());
    for &b in ssid {
        if (32..=126).contains(&b) {
            out.push(b);
        } else {
            let _ = write!(out, "\\{b:03o}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Floats print like the server's (C++ default stream formatting).
    #[test]
    fn floats_like_cpp() {
        assert_eq!(fmt_float(90.0), "90");
        assert_eq!(fmt_float(-100000.0), "-100000");
        assert_eq!(fmt_float(37.774929), "37.7749");
        assert_eq!(fmt_float(-122.419416), "-122.419");
        assert_eq!(fmt_float(1.25), "1.25");
    }

    /// SSIDs are escaped as the recordings show.
    #[test]
    fn ssid_octal_escapes() {
        assert_eq!(
            munge_ssid("Café ☕".as_bytes()),
            b"Caf\\303\\251 \\342\\230\\225".to_vec()
        );
        assert_eq!(munge_ssid(b"HomeNet"), b"HomeNet".to_vec());
    }

    /// A field selection comes out in the order asked; a payload protocol
    /// always carries its whole payload.
    #[test]
    fn selection_order() {
        let mut r = Record::new();
        r.bare("00:14:6C:A1:00:01").quoted("HomeNet");
        let mut out = Vec::new();
        r.encode_into(&mut out, Proto::Ssid, Some(&[1, 0]));
        assert_eq!(out, b"*SSID: \x01HomeNet\x01 00:14:6C:A1:00:01 \n");
        let mut t = Record::new();
        t.num(1795678127);
        assert_eq!(t.encode(Proto::Time), b"*TIME: 1795678127\n");
    }
}
