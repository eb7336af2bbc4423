//! Rows of values that are not devices: the database's `sessions` and
//! the answers of `sql`, as a table, JSON lines or CSV.

use serde_json::{Map, Value};

use super::csv;
use super::json::json_line;
use super::layout::wrap;
use super::tables::new_table;
use crate::shell::outcome::{Cell, Rows};
use kismet_protocol::text;
use unicode_width::UnicodeWidthStr;

/// A cell as text: nothing for NULL, a number as SQLite prints it; text
/// sanitised for the terminal (a database's text is anyone's).
fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Null => String::new(),
        Cell::Integer(i) => i.to_string(),
        Cell::Real(r) => r.to_string(),
        Cell::Text(t) => text::display(t.as_bytes()),
        Cell::Blob(n) => format!("<{n} bytes>"),
        Cell::Time(t) => super::time::local_text(*t),
    }
}

/// The rows as a table, with a note under it when some were left out;
/// `(no rows)` when there are none. A table wider than `width` is shown
/// as records instead, a column a line (as psql's expanded display): the
/// columns of a query are not known in advance, so none can be dropped,
/// and a word is never split.
pub fn rows_text(r: &Rows, width: Option<usize>) -> String {
    if r.rows.is_empty() {
        return format!("(no {})", r.empty);
    }
    let header: Vec<&str> = r.columns.iter().map(String::as_str).collect();
    let mut t = new_table(&header, None);
    for row in &r.rows {
        t.add_row(row.iter().map(cell_text).collect::<Vec<_>>());
    }
    let table = t.to_string();
    let fits = |w: usize| table.lines().all(|l| UnicodeWidthStr::width(l) <= w);
    let mut out = match width {
        Some(w) if !fits(w) => records(r, w),
        _ => table,
    };
    if let Some(note) = &r.note {
        out.push('\n');
        out.push_str(note);
    }
    out
}

/// The rows as records: `-[ ROW n ]`, then `column  value` lines, the
/// values wrapped between words under themselves to `width`.
fn records(r: &Rows, width: usize) -> String {
    let name_width = r
        .columns
        .iter()
        .map(|c| UnicodeWidthStr::width(c.as_str()))
        .max()
        .unwrap_or(0);
    let indent = name_width + 2;
    let mut out = String::new();
    for (i, row) in r.rows.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let head = format!("-[ {} {} ]", r.kind, i + 1);
        let pad = width.saturating_sub(UnicodeWidthStr::width(head.as_str()));
        out.push_str(&head);
        out.push_str(&"-".repeat(pad.min(40)));
        for (column, cell) in r.columns.iter().zip(row) {
            let value = cell_text(cell);
            let wrapped = wrap(&value, width.saturating_sub(indent).max(10));
            for (k, line) in wrapped.split('\n').enumerate() {
                out.push('\n');
                if k == 0 {
                    let gap = indent - UnicodeWidthStr::width(column.as_str());
                    out.push_str(column);
                    out.push_str(&" ".repeat(gap));
                } else {
                    out.push_str(&" ".repeat(indent));
                }
                out.push_str(line);
            }
        }
    }
    out
}

/// A cell as JSON: numbers as numbers, NULL as null.
fn cell_json(c: &Cell) -> Value {
    match c {
        Cell::Null => Value::Null,
        Cell::Integer(i) => Value::from(*i),
        Cell::Real(r) => serde_json::Number::from_f64(*r).map_or(Value::Null, Value::Number),
        Cell::Text(t) => Value::from(t.as_str()),
        Cell::Blob(n) => Value::from(format!("<{n} bytes>")),
        Cell::Time(t) => Value::from(super::time::rfc3339(*t)),
    }
}

/// One JSON object per row, `{"type":KIND,"values":{COLUMN:VALUE,...}}`
/// (a query's columns may be named `type`: they stay inside `values`).
pub fn rows_json(r: &Rows) -> Vec<String> {
    r.rows
        .iter()
        .map(|row| {
            let values: Map<String, Value> = (r.columns.iter().cloned())
                .zip(row.iter().map(cell_json))
                .collect();
            let mut o = Map::new();
            o.insert("type".into(), Value::from(r.kind));
            o.insert("values".into(), Value::Object(values));
            json_line(&Value::Object(o))
        })
        .collect()
}

/// A header row and the rows, as CSV.
pub fn rows_csv(r: &Rows) -> String {
    let mut s = String::new();
    let header: Vec<&str> = r.columns.iter().map(String::as_str).collect();
    csv::row(&mut s, &header);
    for row in &r.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(t) => csv::wire(t.as_bytes()),
                Cell::Time(t) => super::time::rfc3339(*t),
                other => cell_text(other),
            })
            .collect();
        csv::row(&mut s, &cells);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Rows {
        Rows {
            kind: "session",
            empty: "sessions",
            columns: vec!["id".into(), "server".into(), "started".into()],
            rows: vec![vec![
                Cell::Integer(1),
                Cell::Text("kismet-shell --demo on the laptop in the car".into()),
                Cell::Text("2026-12-05 00:58:17 UTC".into()),
            ]],
            note: None,
        }
    }

    /// A table that fits is a table; one that does not is records, no
    /// line wider than the width and no word split.
    #[test]
    fn rows_too_wide_for_the_terminal_are_records_without_split_words() {
        let wide = rows_text(&rows(), Some(200));
        assert!(wide.starts_with('┌'), "{wide}");
        let narrow = rows_text(&rows(), Some(40));
        assert!(
            narrow.lines().all(|l| UnicodeWidthStr::width(l) <= 40),
            "{narrow}"
        );
        assert!(narrow.contains("2026-12-05"), "{narrow}");
        let words: Vec<&str> = narrow.split_whitespace().collect();
        for w in ["kismet-shell", "--demo", "laptop", "00:58:17"] {
            assert!(words.contains(&w), "{w}: {narrow}");
        }
        assert!(narrow.starts_with("-[ session 1 ]"), "{narrow}");
    }
}
