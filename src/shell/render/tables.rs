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

/// Width of the labels of the `status` lines (`server   `).
const LABEL: usize = 9;

/// One line of the `status` report: the label padded to [`LABEL`], then
/// `text` wrapped between words under itself to `width`.
fn labelled(s: &mut String, label: &str, text: &str, width: Option<usize>) {
    let wrapped = match width {
        Some(w) => super::layout::wrap(text, w.saturating_sub(LABEL).max(20)),
        None => text.to_string(),
    };
    for (i, line) in wrapped.split('\n').enumerate() {
        let head = if i == 0 { label } else { "" };
        let _ = writeln!(s, "{head:<LABEL$}{line}");
    }
}

/// The `status` report as text.
pub fn status_text(r: &StatusReport, width: Option<usize>) -> String {
    let mut s = String::new();
    let state = if r.connected {
        "connected"
    } else {
        "DISCONNECTED"
    };
    let server = format!(
        "{} at {} ({state})",
        text::display(&r.server_name_bytes),
        r.addr
    );
    labelled(&mut s, "server", &server, width);
    let clock = match r.server_time {
        Some(now) => format!(
            "server started {}, its time now {}: server up {}",
            local_text(r.server_start),
            local_text(now),
            duration_text(Duration::from_secs(now.saturating_sub(r.server_start)))
        ),
        None => format!(
            "server started {}, its time unknown (no TIME yet)",
            local_text(r.server_start)
        ),
    };
    labelled(&mut s, "clock", &clock, width);
    let link = format!(
        "connection {} to it, up {}",
        grouped(r.connections),
        duration_text(r.uptime)
    );
    labelled(&mut s, "link", &link, width);
    let pending = format!(
        "{} awaiting a reply{}",
        plural(r.pending as u64, "command"),
        if r.paused { "; output paused" } else { "" }
    );
    labelled(&mut s, "pending", &pending, width);
    let skipped = format!(
        "{} malformed, {} overlong",
        plural(r.malformed, "line"),
        plural(r.overlong, "line")
    );
    labelled(&mut s, "skipped", &skipped, width);
    if let Some(db) = &r.database {
        labelled(
            &mut s,
            "db",
            db.strip_prefix("database ").unwrap_or(db),
            width,
        );
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

#[cfg(test)]
mod tests {
    use super::*;

    /// At 80 columns every `status` line fits, wrapped between words
    /// under its label: the clock line (two times and an uptime) and a
    /// database's line were cut mid-word by the terminal before.
    #[test]
    fn status_lines_fit_80_columns_without_split_words() {
        let r = StatusReport {
            server_name: "Kismet Simulator".into(),
            server_name_bytes: b"Kismet Simulator".to_vec(),
            addr: "127.0.0.1:39323".into(),
            connected: true,
            server_start: 1_764_896_472,
            server_time: Some(1_764_896_477),
            uptime: Duration::from_secs(5),
            rates: Vec::new(),
            shown: Vec::new(),
            dropped: Vec::new(),
            malformed: 0,
            overlong: 0,
            pending: 0,
            connections: 1,
            paused: false,
            database: Some(
                "database /home/user/surveys/2026-12-05-downtown-drive.db: 179 device rows, \
                 147 observations, 12 GPS rows written"
                    .into(),
            ),
        };
        let text = status_text(&r, Some(80));
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        let words: Vec<&str> = text.split_whitespace().collect();
        for w in [
            "/home/user/surveys/2026-12-05-downtown-drive.db:",
            "UTC:",
            "5s",
        ] {
            assert!(words.contains(&w), "{w}: {text}");
        }
        assert!(text.contains("\ndb       /home/user"), "{text}");
    }
}
