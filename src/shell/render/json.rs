//! JSON lines for everything but frames (frames have their own fast
//! writer, [`super::FrameJson`]): values built with `serde_json` (its
//! `preserve_order` keeps keys in the order written), written by its
//! serializer through [`SafeStrings`].
//!
//! serde_json escapes what JSON requires (`"`, `\`, C0 controls). The
//! terminal rule of [`text::is_unsafe_char`] asks for more: DEL, the C1
//! controls and the bidi controls are escaped as `\uNNNN` too, so a line
//! printed as it is cannot drive a terminal or reorder its text. Strings
//! come out exactly as [`text::json_string`] (the frame writer's rule)
//! writes them.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter, Serializer};
use serde_json::Value;

use kismet_protocol::text;

/// `value` as one line of JSON (no newline).
pub fn json_line(value: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    let mut ser = Serializer::with_formatter(&mut out, SafeStrings);
    // A Value written to a Vec cannot fail: its keys are strings, and a
    // Vec takes every write.
    let _ = value.serialize(&mut ser);
    // The serializer writes UTF-8 only.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A JSON object's text with `"server":"NAME"` as its first member (the
/// objects of several servers: batch output, `--on-alert`'s stdin);
/// `None` when `object` is not an object's text.
pub fn with_server_first(object: &str, server: &str) -> Option<String> {
    let rest = object.strip_prefix('{')?;
    let sep = if rest.starts_with('}') { "" } else { "," };
    let key = json_line(&Value::from(server));
    Some(format!("{{\"server\":{key}{sep}{rest}"))
}

/// `x` rounded to three decimals, as seconds or milliseconds are given
/// (`"latency_ms":0.412`); serde_json writes it the shortest way that reads
/// back the same (`2.0`, `0.05`), and `null` when it is not finite.
pub fn three_decimals(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// serde_json's compact output, with the characters of
/// [`text::is_unsafe_char`] that JSON lets through escaped as `\uNNNN`,
/// and backspace and form feed as `\u0008` and `\u000c` (as
/// [`text::json_string`] writes them, rather than `\b` and `\f`).
pub struct SafeStrings;

impl Formatter for SafeStrings {
    fn write_string_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + Write,
    {
        // serde_json has taken out the characters it escapes itself.
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if text::is_unsafe_char(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{u:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W>(&mut self, writer: &mut W, escape: CharEscape) -> io::Result<()>
    where
        W: ?Sized + Write,
    {
        match escape {
            CharEscape::Backspace => writer.write_all(b"\\u0008"),
            CharEscape::FormFeed => writer.write_all(b"\\u000c"),
            other => CompactFormatter.write_char_escape(writer, other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// JSON's escapes and the terminal's: ESC, DEL, a C1 control, bidi
    /// overrides, backspace and form feed never come out raw, in values
    /// and in keys, and the line reads back as what went in.
    #[test]
    fn controls_are_escaped() {
        let nasty = "a\"b\\c\n\x1b[2J\x7f\u{9b}31m\u{202e}x\u{2066}\u{61c}\x08\x0c\t\rCafé ☕";
        let v = json!({ "\u{202e}key\x1b": nasty });
        let out = json_line(&v);
        assert_eq!(
            out,
            r#"{"\u202ekey\u001b":"a\"b\\c\n\u001b[2J\u007f\u009b31m\u202ex\u2066\u061c\u0008\u000c\t\rCafé ☕"}"#
        );
        assert!(!out.chars().any(text::is_unsafe_char), "{out}");
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), v);
    }

    /// Every character is written as the frame writer's rule writes it
    /// (`text::json_string`): the two JSON writers cannot drift apart.
    #[test]
    fn strings_match_the_frame_rule_for_every_character() {
        let chars: Vec<char> = (0..=0x10_FFFF).filter_map(char::from_u32).collect();
        for chunk in chars.chunks(512) {
            let s: String = chunk.iter().collect();
            let mut want = String::new();
            text::json_string(&mut want, s.as_bytes());
            let got = json_line(&Value::String(s));
            assert_eq!(got, want, "from U+{:04X}", chunk[0] as u32);
        }
    }

    /// Times are rounded to three decimals and written the shortest way;
    /// a value that is not a number is `null`.
    #[test]
    fn three_decimal_numbers() {
        let v = json!({
            "a": three_decimals(0.412_345),
            "b": three_decimals(2.0),
            "c": three_decimals(0.049_999_9),
            "d": three_decimals(f64::NAN),
            "e": 18_446_744_073_709_551_615_u64,
            "f": -53,
        });
        assert_eq!(
            json_line(&v),
            r#"{"a":0.412,"b":2.0,"c":0.05,"d":null,"e":18446744073709551615,"f":-53}"#
        );
    }
}
