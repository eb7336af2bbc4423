//! Turning field bytes into text a person or a program can read safely.
//!
//! Three steps, each lossless about what it keeps:
//! - [`decode_octal`]: the server's `\ooo` escapes in SSIDs back to bytes;
//! - [`display`]: bytes to a string with every control character, CSI/OSC
//!   introducer and bidi override shown visibly escaped (`\x1b`, `\u{202e}`),
//!   invalid UTF-8 as `\xNN`: the one sanitiser for the terminal;
//! - [`json_string`]: a JSON string literal, escaping the same characters.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Decodes `\ooo` octal escapes (three digits, value up to 255) into bytes.
/// Other backslashes are left alone: the server does not escape them.
///
/// # Examples
/// ```
/// use kismet_protocol::text::decode_octal;
/// assert_eq!(&*decode_octal(b"Caf\\303\\251"), "Café".as_bytes());
/// ```
pub fn decode_octal(raw: &[u8]) -> Cow<'_, [u8]> {
    if !raw.contains(&b'\\') {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 3 < raw.len() && is_octal_escape(&raw[i + 1..i + 4]) {
            let d = &raw[i + 1..i + 4];
            out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
            i += 4;
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    Cow::Owned(out)
}

fn is_octal_escape(d: &[u8]) -> bool {
    d.len() == 3
        && (b'0'..=b'3').contains(&d[0])
        && d[1..].iter().all(|b| (b'0'..=b'7').contains(b))
}

/// An SSID for display: octal escapes decoded when the result is valid UTF-8,
/// otherwise the raw text; sanitised either way.
pub fn display_ssid(raw: &[u8]) -> String {
    display(&ssid_bytes(raw))
}

/// The bytes an SSID stands for: octal escapes decoded when that gives valid
/// UTF-8, the raw bytes otherwise.
pub fn ssid_bytes(raw: &[u8]) -> Cow<'_, [u8]> {
    let decoded = decode_octal(raw);
    if matches!(decoded, Cow::Owned(_)) && std::str::from_utf8(&decoded).is_err() {
        Cow::Borrowed(raw)
    } else {
        decoded
    }
}

/// Bytes that a JSON string holds as they are: printable ASCII but `"`, `\\`.
static JSON_PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0x20;
    while b < 0x7f {
        t[b] = b != b'"' as usize && b != b'\\' as usize;
        b += 1;
    }
    t
};

/// Printable ASCII: a space up to `~`.
fn is_plain_ascii(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

/// True for a character that must never reach a terminal as itself: C0 and
/// C1 controls, DEL, and the Unicode bidi controls that reorder text.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Bytes off the wire as a string that is safe to print on a terminal.
///
/// Unsafe characters are written as `\xNN` (ASCII and C1 controls) or
/// `\u{NNNN}` (bidi controls); bytes that are not UTF-8 as `\xNN`.
///
/// # Examples
/// ```
/// use kismet_protocol::text::display;
/// assert_eq!(display(b"a\x1b]0;owned\x07b"), "a\\x1b]0;owned\\x07b");
/// assert_eq!(display(b"\xff"), "\\xff");
/// ```
pub fn display(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    display_into(&mut out, bytes);
    out
}

/// Like [`display`], appending to `out`.
pub fn display_into(out: &mut String, bytes: &[u8]) {
    // Fast path: printable ASCII needs no escaping.
    if bytes.iter().all(|&b| is_plain_ascii(b)) {
        out.push_str(std::str::from_utf8(bytes).unwrap_or_default());
        return;
    }
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        if !valid.chars().any(is_unsafe_char) {
            out.push_str(valid);
        } else {
            for c in valid.chars() {
                push_display_char(out, c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
}

fn push_display_char(out: &mut String, c: char) {
    if !is_unsafe_char(c) {
        out.push(c);
    } else if (c as u32) < 0x100 {
        let _ = write!(out, "\\x{:02x}", c as u32);
    } else {
        let _ = write!(out, "\\u{{{:04x}}}", c as u32);
    }
}

/// Longest piece of user input or server text quoted back in a message.
pub const QUOTED_MAX: usize = 60;

/// `text` safe to print and cut to [`QUOTED_MAX`] characters (with `...`
/// when it was longer): what a message quotes of a word typed or a text
/// received, so a 5000-character line is never echoed whole.
///
/// # Examples
/// ```
/// use kismet_protocol::text::abbreviate;
/// assert_eq!(abbreviate("BOGUS"), "BOGUS");
/// assert_eq!(abbreviate(&"x".repeat(100)).len(), 63);
/// ```
pub fn abbreviate(text: &str) -> String {
    let shown: String = text.chars().take(QUOTED_MAX).collect();
    let more = if shown.len() < text.len() { "..." } else { "" };
    format!("{}{more}", display(shown.as_bytes()))
}

/// Appends `bytes` as a JSON string literal (with its quotes) to `out`.
///
/// Valid UTF-8 is kept as text with JSON's escapes; control and bidi
/// characters are written as `\uNNNN`; bytes that are not UTF-8 become the
/// text `\xNN` (so the value stays a string, and shows what was there).
/// The output is always valid UTF-8.
pub fn json_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    json_body(out, bytes);
    out.push(b'"');
}

/// The inside of a JSON string literal for `bytes` (see [`json_bytes`]),
/// without the quotes.
pub fn json_body(out: &mut Vec<u8>, bytes: &[u8]) {
    // Fast path: printable ASCII other than '"' and '\\' is written as is.
    if bytes.iter().all(|&b| JSON_PLAIN[b as usize]) {
        out.extend_from_slice(bytes);
        return;
    }
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        let mut start = 0;
        for (i, c) in valid.char_indices() {
            let esc: Option<&str> = match c {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '\n' => Some("\\n"),
                '\r' => Some("\\r"),
                '\t' => Some("\\t"),
                _ => None,
            };
            if esc.is_none() && !is_unsafe_char(c) {
                continue;
            }
            out.extend_from_slice(&valid.as_bytes()[start..i]);
            match esc {
                Some(e) => out.extend_from_slice(e.as_bytes()),
                None => {
                    let _ = std::io::Write::write_fmt(out, format_args!("\\u{:04x}", c as u32));
                }
            }
            start = i + c.len_utf8();
        }
        out.extend_from_slice(&valid.as_bytes()[start..]);
        for b in chunk.invalid() {
            let _ = std::io::Write::write_fmt(out, format_args!("\\\\x{b:02x}"));
        }
    }
}

/// True when every byte of a server line is printable ASCII other than `"`
/// and `\\`, or the `\x01` field quote: then no field of it needs any JSON
/// escaping nor SSID decoding. Branch-free, so the compiler vectorises it.
pub fn line_is_json_plain(line: &[u8]) -> bool {
    line.iter().fold(true, |ok, &b| {
        ok & (((b.wrapping_sub(0x20) < 0x5f) & (b != b'"') & (b != b'\\')) | (b == 0x01))
    })
}

/// Like [`json_bytes`], appending to a `String`.
pub fn json_string(out: &mut String, bytes: &[u8]) {
    let mut v = Vec::with_capacity(bytes.len() + 2);
    json_bytes(&mut v, bytes);
    // json_bytes writes only valid UTF-8.
    out.push_str(&String::from_utf8_lossy(&v));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SSID escapes decode to UTF-8; ambiguous or invalid ones stay raw.
    #[test]
    fn octal_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"Caf\\303\\251 \\342\\230\\225", "Café ☕"),
            (b"HomeNet", "HomeNet"),
            (b"back\\slash", "back\\slash"),
            (b"a\\400b", "a\\400b"),
            (b"x\\30", "x\\30"),
            // \377 alone is not UTF-8: shown raw.
            (b"bad\\377", "bad\\377"),
            // Decodes to ESC: shown escaped, never raw.
            (b"\\033[2J", "\\x1b[2J"),
        ];
        for (raw, want) in cases {
            assert_eq!(display_ssid(raw), *want, "{raw:?}");
        }
    }

    /// Controls, C1, bidi and bad UTF-8 never come out raw.
    #[test]
    fn sanitiser_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),
            (b"\x1b[2J", "\\x1b[2J"),
            (b"a\rb\x08c\x7f", "a\\x0db\\x08c\\x7f"),
            ("\u{9b}31m".as_bytes(), "\\x9b31m"),
            ("x\u{202e}y\u{2066}".as_bytes(), "x\\u{202e}y\\u{2066}"),
            (b"\xc3\x28", "\\xc3("),
            ("Café ☕".as_bytes(), "Café ☕"),
        ];
        for (raw, want) in cases {
            let got = display(raw);
            assert_eq!(got, *want, "{raw:?}");
            assert!(!got.chars().any(is_unsafe_char));
        }
    }

    /// JSON strings escape what JSON needs and what terminals fear.
    #[test]
    fn json_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain", r#""plain""#),
            (b"q\"b\\", r#""q\"b\\""#),
            (b"\x1b[2J\n", r#""\u001b[2J\n""#),
            ("\u{202e}".as_bytes(), r#""\u202e""#),
            (b"\xff", r#""\\xff""#),
            ("Café".as_bytes(), "\"Café\""),
        ];
        for (raw, want) in cases {
            let mut s = String::new();
            json_string(&mut s, raw);
            assert_eq!(s, *want, "{raw:?}");
        }
    }
}
