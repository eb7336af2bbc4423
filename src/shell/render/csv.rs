//! Tables as CSV (RFC 4180: a header row, fields with a comma, a quote or a
//! line break in double quotes, quotes doubled). Text from the server is
//! sanitised first, as on a terminal: no control character gets through.

use kismet_protocol::text;

/// Appends one CSV row (with its `\n`).
pub fn row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        cell(out, c.as_ref());
    }
    out.push('\n');
}

/// Appends one cell, quoted when it must be.
fn cell(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Bytes off the wire as a CSV-safe cell value.
pub fn wire(bytes: &[u8]) -> String {
    text::display(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cells are quoted only when they must be; quotes are doubled.
    #[test]
    fn quoting() {
        let mut s = String::new();
        row(&mut s, &["a", "b,c", "say \"hi\"", ""]);
        assert_eq!(s, "a,\"b,c\",\"say \"\"hi\"\"\",\n");
        assert_eq!(wire(b"x\x1b[2J"), "x\\x1b[2J");
    }
}
