//! Small JSON writing helpers shared by the renderers.

use kismet_protocol::text;

/// Appends `items` between `open` and `close` (`[`/`]` or `{`/`}`), each
/// written by `item`, separated by commas.
pub fn json_items<T>(
    out: &mut String,
    open: char,
    items: impl IntoIterator<Item = T>,
    close: char,
    mut item: impl FnMut(&mut String, T),
) {
    out.push(open);
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        item(out, x);
    }
    out.push(close);
}

/// Appends a JSON array of strings.
pub fn json_list(out: &mut String, items: &[String]) {
    json_items(out, '[', items, ']', |out, f| {
        text::json_string(out, f.as_bytes())
    });
}

/// Appends a JSON string, or `null` for none.
pub fn json_opt_string(out: &mut String, value: Option<&str>) {
    match value {
        Some(v) => text::json_string(out, v.as_bytes()),
        None => out.push_str("null"),
    }
}

/// Appends a JSON array of strings, or `null` for none.
pub fn json_opt_list(out: &mut String, items: Option<&[String]>) {
    match items {
        Some(items) => json_list(out, items),
        None => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists and objects are comma-separated, empty ones stay valid, and
    /// missing values are `null`.
    #[test]
    fn items_lists_and_nulls() {
        let mut s = String::new();
        json_list(&mut s, &["a".to_string(), "b\"".to_string()]);
        json_items(&mut s, '{', [("k", 1)], '}', |s, (k, v)| {
            s.push_str(&format!("\"{k}\":{v}"))
        });
        json_list(&mut s, &[]);
        json_opt_string(&mut s, None);
        json_opt_list(&mut s, None);
        json_opt_string(&mut s, Some("x"));
        assert_eq!(s, r#"["a","b\""]{"k":1}[]nullnull"x""#);
    }
}
