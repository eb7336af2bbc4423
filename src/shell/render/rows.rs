//! Rows of values that are not devices: the database's `sessions` and
//! the answers of `sql`, as a table, JSON lines or CSV.

use serde_json::{Map, Value};

use super::csv;
use super::json::json_line;
use super::tables::new_table;
use crate::shell::outcome::{Cell, Rows};
use kismet_protocol::text;

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

/// The rows as a table fitted to `width`, with a note under it when some
/// were left out; `(no rows)` when there are none.
pub fn rows_text(r: &Rows, width: Option<usize>) -> String {
    if r.rows.is_empty() {
        return format!("(no {})", r.empty);
    }
    let header: Vec<&str> = r.columns.iter().map(String::as_str).collect();
    let mut t = new_table(&header, width);
    for row in &r.rows {
        t.add_row(row.iter().map(cell_text).collect::<Vec<_>>());
    }
    let mut out = t.to_string();
    if let Some(note) = &r.note {
        out.push('\n');
        out.push_str(note);
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
