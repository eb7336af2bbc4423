//! Display filters for the frames of one protocol, like Wireshark's or
//! grep's: `ssid ~ "^Caf" and signal_dbm > -60`. Pure code, no I/O.
//!
//! The language:
//! - a comparison is `FIELD OP VALUE`; `OP` is `=` (or `==`), `!=`, `<`,
//!   `<=`, `>`, `>=` (numeric when both sides are numbers, `-60` or
//!   `52.52`, byte-wise otherwise), `~` or `!~` (a regular expression
//!   matches, or does not, anywhere in the field);
//! - `VALUE` is a bare word (no spaces, quotes nor operator characters) or
//!   a double-quoted string with `\"` and `\\` escapes (any other backslash
//!   stays, for the regex);
//! - comparisons combine with `not`/`!`, `and`/`&&`, `or`/`||` (keywords in
//!   any case) and parentheses; `not` binds tightest, then `and`, then `or`.
//!
//! Field names are checked, in any case, against the fields the filter is
//! compiled for. A field called `ssid` compares as the decoded SSID
//! ([`kismet_protocol::text::ssid_bytes`]). Compiled with the protocol
//! ([`Filter::parse_in`]), a field whose number stands for a name (`type`,
//! `cryptset`: [`kismet_protocol::decode::FieldDecoder`]) compares that
//! name with a word (`type = beacon`, `cryptset ~ WEP`), as the screen shows
//! it, and its number with a number (`type = 0`); `raw(FIELD)` compares
//! the value as sent. Every other field compares its raw bytes (times as
//! epoch seconds).
//!
//! Inside: `lexer` (tokens with their byte ranges), `parser` (precedence,
//! field names, limits), `eval` (the compiled form and its evaluation),
//! `error` ([`FilterError`]).

mod error;
mod eval;

mod lexer;
mod parser;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

use std::fmt;

pub use error::FilterError;

use kismet_protocol::Frame;

/// What a filter may know beyond the fields it is compiled for.
#[derive(Debug, Clone, Copy, Default)]
pub struct FilterScope<'a> {
    /// The protocol of the frames (upper case, as the server names it):
    /// its coded fields compare by name.
    pub protocol: Option<&'a str>,
    /// Every field of the protocol: naming one that is not among the
    /// compiled-for fields says to enable it, rather than "unknown".
    pub all_fields: &'a [String],
}

/// A compiled filter: field names resolved to indexes, values parsed,
/// regexes compiled.
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use kismet_client::Filter;
/// use kismet_protocol::Frame;
///
/// let names: Arc<[String]> = vec!["ssid".to_string(), "mac".to_string()].into();
/// let f = Filter::parse(r#"ssid ~ "^Caf" and not mac = 00:00:00:00:00:00"#, &names).unwrap();
/// let frame = Frame::parse(b"*SSID: \x01Caf\\303\\251\x01 00:24:01:D4:00:04 ")
///     .unwrap()
///     .with_names(Some(names));
/// assert!(f.matches(&frame));
/// assert_eq!(f.fields_used(), ["ssid", "mac"]);
/// ```
#[derive(Debug, Clone)]
pub struct Filter {
    source: String,
    expr: eval::Expr,
    /// Canonical names of the fields used, in order of first use.
    used: Vec<String>,
    /// Fields a frame needs for every index the filter reads.
    min_len: usize,
}

impl Filter {
    /// Compiles `expr` for frames whose fields are `fields` (in order).
    ///
    /// # Errors
    /// A [`FilterError`] with the byte range of the offending token: a
    /// syntax error, an unknown field (with the fields that exist, nearest
    /// first), an invalid regex, or a limit passed (4 KiB of expression,
    /// 64 levels of nesting, 32 regexes of at most 1 MiB compiled each).
    pub fn parse(expr: &str, fields: &[String]) -> Result<Filter, FilterError> {
        Filter::parse_in(expr, fields, &FilterScope::default())
    }

    /// [`Filter::parse`] for frames of a known protocol: coded fields
    /// compare by name with words, and a field of the protocol that is not
    /// in `fields` is named as one to enable.
    ///
    /// # Errors
    /// As [`Filter::parse`].
    pub fn parse_in(
        expr: &str,
        fields: &[String],
        scope: &FilterScope<'_>,
    ) -> Result<Filter, FilterError> {
        let parsed = parser::parse(expr, fields, scope)?;
        Ok(Filter {
            source: expr.to_string(),
            expr: parsed.expr,
            used: parsed.used.iter().map(|&i| fields[i].clone()).collect(),
            min_len: parsed.used.iter().max().map_or(0, |&i| i + 1),
        })
    }

    /// True when `frame` (whose fields are in the order compiled for)
    /// matches. A frame with fewer fields than the filter reads does not.
    #[inline]
    pub fn matches(&self, frame: &Frame) -> bool {
        frame.len() >= self.min_len && self.expr.eval(frame)
    }

    /// The expression as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The field names it uses (canonical spelling, in order of first use),
    /// for re-checking after the field list changed.
    pub fn fields_used(&self) -> Vec<String> {
        self.used.clone()
    }
}

impl fmt::Display for Filter {
    /// The expression as given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}
