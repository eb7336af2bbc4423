//! Printed tables (comfy-table) and the `status` report.

use std::fmt::Write as _;
use std::time::Duration;

use comfy_table::{
    presets::UTF8_FULL_CONDENSED, CellAlignment, ColumnConstraint, ContentArrangement, Table, Width,
};
use unicode_width::UnicodeWidthStr;

use super::layout::plural;
use super::time::{duration_text, local_text};
use crate::shell::outcome::{ProtocolRow, StatusReport};
use kismet_protocol::text;

/// A table with this header, `width` columns wide at most when given (else
/// as wide as its content). No column is narrower than its header's longest
/// word, so headers never break inside a word, however narrow the terminal
/// ([`keep_words`] does the same for chosen cells).
pub fn new_table(header: &[&str], width: Option<usize>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(header.to_vec());
    match width {
        Some(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(u16::try_from(w).unwrap_or(u16::MAX));
        }
        None => {
            t.force_no_tty()
                .set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    for (i, h) in header.iter().enumerate() {
        keep_words(&mut t, i, h);
    }
    t
}

/// Makes column `i` at least as wide as the longest word of `text`.
pub fn keep_words(t: &mut Table, i: usize, text: &str) {
    let longest = text
        .split_whitespace()
        .map(|w| w.width())
        .max()
        .unwrap_or(0);
    // comfy-table counts the cell's padding (one space each side) in it.
    let want = u16::try_from(longest + 2).unwrap_or(u16::MAX);
    if let Some(c) = t.column_mut(i) {
        let now = match c.constraint() {
            Some(ColumnConstraint::LowerBoundary(Width::Fixed(n))) => *n,
            _ => 0,
        };
        if want > now {
            c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(want)));
        }
    }
}

/// A protocol's enabled fields as shown: `*` for all of them in the
/// server's order, else the list with spaces after the commas (so a narrow
/// terminal wraps between names, not inside one).
pub fn enabled_text(all: &[String], enabled: &[String]) -> String {
    if enabled == all {
        format!("* (all {})", all.len())
    } else {
        enabled.join(", ")
    }
}

/// The `protocols` table.
pub fn protocols_table(rows: &[ProtocolRow], width: Option<usize>) -> String {
    let mut t = new_table(&["protocol", "fields", "enabled", "frames"], width);
    for r in rows {
        keep_words(&mut t, 0, &r.protocol);
        t.add_row(vec![
            r.protocol.clone(),
            r.fields.len().to_string(),
            r.enabled
                .as_ref()
                .map_or("-".into(), |e| enabled_text(&r.fields, e)),
            r.frames.to_string(),
        ]);
    }
    t.to_string()
}

/// The `fields PROTO` table.
pub fn fields_table(fields: &[String], enabled: Option<&[String]>, width: Option<usize>) -> String {
    let mut t = new_table(&["#", "field", "enabled"], width);
    for (i, f) in fields.iter().enumerate() {
        let pos = enabled.and_then(|e| e.iter().position(|x| x == f));
        t.add_row(vec![
            i.to_string(),
            f.clone(),
            pos.map_or(String::new(), |p| format!("yes (#{p})")),
        ]);
    }
    t.to_string()
}

/// The columns of the status table, one row per protocol ("limited"
/// only while some frames were kept off the screen by the rate limit).
pub const STATUS_COLUMNS: [&str; 7] = [
    "protocol",
    "frames",
    "shown",
    "filtered",
    "limited",
    "per second",
    "dropped",
];

/// A count with thousands separators: `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The `status` report as text.
pub fn status_text(r: &StatusReport, width: Option<usize>) -> String {
    let mut s = String::new();
    let state = if r.connected {
        "connected"
    } else {
        "DISCONNECTED"
    };
    let _ = writeln!(
        s,
        "server   {} at {} ({state})",
        text::display(&r.server_name_bytes),
        r.addr,
    );
    let _ = match r.server_time {
        Some(now) => writeln!(
            s,
            "clock    server started {}, its time now {}: server up {}",
            local_text(r.server_start),
            local_text(now),
            duration_text(Duration::from_secs(now.saturating_sub(r.server_start)))
        ),
        None => writeln!(
            s,
            "clock    server started {}, its time unknown (no TIME yet)",
            local_text(r.server_start)
        ),
    };
    let _ = writeln!(
        s,
        "link     connection {} to it, up {}",
        grouped(r.connections),
        duration_text(r.uptime)
    );
    let _ = writeln!(
        s,
        "pending  {} awaiting a reply{}",
        plural(r.pending as u64, "command"),
        if r.paused { "; output paused" } else { "" }
    );
    let _ = writeln!(
        s,
        "skipped  {} malformed, {} overlong",
        plural(r.malformed, "line"),
        plural(r.overlong, "line")
    );
    if let Some(db) = &r.database {
        let _ = writeln!(s, "{}", super::wrap_to(&format!("db       {db}"), width));
    }
    let rows = r.rows();
    if rows.is_empty() {
        s.push_str("frames   none received yet");
        return s;
    }
    let limited = rows.iter().any(|row| row.limited > 0);
    let columns: Vec<&str> = STATUS_COLUMNS
        .iter()
        .copied()
        .filter(|c| limited || *c != "limited")
        .collect();
    let mut t = new_table(&columns, width);
    for row in rows {
        let mut cells = vec![
            row.protocol,
            grouped(row.frames),
            grouped(row.shown),
            grouped(row.filtered),
        ];
        if limited {
            cells.push(grouped(row.limited));
        }
        cells.push(format!("{:.1}", row.per_second));
        cells.push(grouped(row.dropped));
        t.add_row(cells);
    }
    // Numbers read best right-aligned.
    for i in 1..columns.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    s.push_str(&t.to_string());
    s
}
