//! [`FilterError`]: why an expression did not compile, and where.

use std::fmt;

use unicode_width::UnicodeWidthStr;

use kismet_protocol::text::{display, is_unsafe_char};

/// Why a filter expression was rejected: a message and the byte range of the
/// offending token in the expression.
///
/// A range of length 0 points just past the last token: something is
/// missing there (`ssid =` gives `expected a value after "="` at the end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// What is wrong, lower case, no trailing period.
    pub message: String,
    /// Byte offset of the offending token in the expression.
    pub start: usize,
    /// Length in bytes of the offending token (0: something is missing).
    pub len: usize,
}

impl FilterError {
    /// An error about the bytes `start..start + len` of the expression.
    pub(crate) fn new(message: impl Into<String>, start: usize, len: usize) -> FilterError {
        FilterError {
            message: message.into(),
            start,
            len,
        }
    }

    /// The expression with a line of carets under the bad token (two lines,
    /// no trailing newline).
    ///
    /// Whitespace (tabs, newlines) shows as a space and control characters
    /// escaped, so the expression stays on one line and the carets line up,
    /// wide characters included.
    ///
    /// # Examples
    /// ```
    /// use kismet_client::Filter;
    /// let fields = ["ssid".to_string(), "mac".to_string()];
    /// let err = Filter::parse("sssid = x", &fields).unwrap_err();
    /// assert_eq!(err.pointer("sssid = x"), "sssid = x\n^^^^^");
    /// ```
    pub fn pointer(&self, expr: &str) -> String {
        let start = floor_boundary(expr, self.start);
        let end = floor_boundary(expr, self.start.saturating_add(self.len)).max(start);
        // Each character as shown, with its byte offset.
        let cells: Vec<(usize, String)> = expr
            .char_indices()
            .map(|(i, c)| {
                let shown = if c.is_whitespace() {
                    " ".to_string()
                } else if is_unsafe_char(c) {
                    display(c.encode_utf8(&mut [0; 4]).as_bytes())
                } else {
                    c.to_string()
                };
                (i, shown)
            })
            .collect();
        // A long expression is shown around the bad token, not whole.
        let total: usize = cells.iter().map(|(_, s)| s.width()).sum();
        let at = cells
            .iter()
            .position(|(i, _)| *i >= start)
            .unwrap_or(cells.len());
        let (lo, hi) = if total <= POINTER_WIDTH {
            (0, cells.len())
        } else {
            let lo = at.saturating_sub(POINTER_WIDTH / 2);
            (lo, (lo + POINTER_WIDTH).min(cells.len()))
        };
        let mut line = String::new();
        let (mut pad, mut carets) = (0, 0);
        if lo > 0 {
            line.push_str("...");
            pad += 3;
        }
        for (i, shown) in &cells[lo..hi] {
            let width = shown.width();
            if *i < start {
                pad += width;
            } else if *i < end {
                carets += width;
            }
            line.push_str(shown);
        }
        if hi < cells.len() {
            line.push_str("...");
        }
        format!("{line}\n{}{}", " ".repeat(pad), "^".repeat(carets.max(1)))
    }
}

/// Characters of the expression a pointer shows at most.
const POINTER_WIDTH: usize = 72;

/// The largest char boundary of `s` at or before `at` (clamped to its length).
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FilterError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Carets sit under the token, counted in display columns, and a
    /// zero-length range (something missing) gets one caret past the end.
    #[test]
    fn pointer_lines_up() {
        // A long expression is shown around the bad token only.
        let long = format!("{} sssid = x", "a = 1 and ".repeat(500));
        let e = FilterError {
            message: String::new(),
            start: long.len() - 9,
            len: 5,
        };
        let p = e.pointer(&long);
        let (line, marks) = p.split_once('\n').unwrap();
        assert!(
            line.len() < 90 && line.starts_with("...") && line.ends_with("sssid = x"),
            "{p}"
        );
        assert_eq!(&line[marks.find('^').unwrap()..][..5], "sssid");
        let cases: &[(&str, usize, usize, &str)] = &[
            ("ssid = x", 0, 4, "ssid = x\n^^^^"),
            ("ssid =", 6, 0, "ssid =\n      ^"),
            // A wide character counts two columns, before and under.
            ("☕ = ☕x", 6, 4, "☕ = ☕x\n     ^^^"),
            // A tab shows as a space; a control character escaped.
            ("a\t=\x1b", 3, 1, "a =\\x1b\n   ^^^^"),
            // Out of range or inside a character: clamped, never a panic.
            ("é", 1, 9, "é\n^"),
            ("ab", 7, 1, "ab\n  ^"),
        ];
        for (expr, start, len, want) in cases {
            let e = FilterError::new("x", *start, *len);
            assert_eq!(e.pointer(expr), *want, "{expr:?}");
        }
    }
}
