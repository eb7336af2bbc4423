//! Small JSON writing helpers shared by the renderers.

use crate::protocol::text;

/// Appends a JSON array of strings.
pub fn json_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, f) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        text::json_string(out, f.as_bytes());
    }
    out.push(']');
}
