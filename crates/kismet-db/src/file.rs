//! What a file is (an SQLite file? ours? which schema version?), creating
//! the schema in a new one, and migrating an older one.
//!
//! # Versions and migrations
//! `meta.schema_version` says which schema a file has. [`MIGRATIONS`] is
//! the list of steps: the step with `to: n` brings a file from version
//! `n - 1` to `n`. A writer runs the steps a file needs in order, in one
//! transaction with the version's update, so a file is migrated whole or
//! not at all. A reader never migrates: it refuses an older file, and
//! says to open it once for writing.
//!
//! Version 0 is a file whose `meta` says 0: one made by a development
//! build or by hand, holding some of version 1's tables and columns.
//! Step 1 adds what of version 1 it lacks (tables, columns, indexes);
//! it never drops or changes anything. When a version 2 changes
//! [`SCHEMA`], step 1 must keep version 1's text as its target, and step
//! 2 says what changes.

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};

use crate::schema::{SCHEMA, SCHEMA_VERSION};
use crate::DbError;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Contents {
    /// No table at all: a new (or empty) file.
    Empty,
    /// A session database of this schema version.
    Version(i64),
}

/// Looks at the file behind `conn` without changing it: an SQLite file
/// with no tables, or one of ours (and its version).
///
/// # Errors
/// [`DbError::NotADatabase`]: not SQLite, an SQLite file with tables but
/// no `meta`, or a `meta` without a `schema_version`; else what SQLite
/// said.
pub(crate) fn inspect(conn: &Connection, path: &Path) -> Result<Contents, DbError> {
    let err = |e| DbError::from_sqlite(path, e);
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .map_err(err)?;
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .and_then(Iterator::collect)
        .map_err(err)?;
    if tables.is_empty() {
        return Ok(Contents::Empty);
    }
    if !tables.iter().any(|t| t == "meta") {
        return Err(DbError::not_ours(
            path,
            format!(
                "an SQLite file with other tables: {}",
                name_list(&tables, 5)
            ),
        ));
    }
    let version = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| Ok(version_of(r.get_ref(0)?)),
        )
        .optional();
    match version {
        Ok(Some(Some(v))) => Ok(Contents::Version(v)),
        Ok(Some(None)) => Err(DbError::not_ours(
            path,
            "its meta table's schema_version is not a number",
        )),
        Ok(None) => Err(DbError::not_ours(
            path,
            "its meta table has no schema_version",
        )),
        // A `meta` table of another shape (no `key` or `value` column):
        // SQLite's generic error, with the statement's.
        Err(e) if crate::error::error_code(&e) == Some(rusqlite::ErrorCode::Unknown) => {
            Err(DbError::not_ours(
                path,
                "an SQLite file whose meta table is not kismet-shell's",
            ))
        }
        Err(e) => Err(err(e)),
    }
}

/// The first `max` names of a list, then how many more.
fn name_list(names: &[String], max: usize) -> String {
    let mut out = names
        .iter()
        .take(max)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        out.push_str(&format!(" and {} more", names.len() - max));
    }
    out
}

/// A schema version as stored: an integer, or text holding one.
fn version_of(v: ValueRef<'_>) -> Option<i64> {
    match v {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
        _ => None,
    }
}

/// Creates the schema in an empty file, with its `meta` rows (`app`:
/// the program and its version, stored as `writer`). Run inside the
/// caller's transaction.
pub(crate) fn create(conn: &Connection, app: &str) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    set_meta(conn, "schema_version", &SCHEMA_VERSION.to_string())?;
    set_meta(conn, "writer", app)
}

/// Sets a `meta` row.
fn set_meta(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
    .map(drop)
}

/// A migration step: what it does, and the version it brings a file to
/// from the one before.
pub(crate) struct Migration {
    /// The version after this step.
    pub to: i64,
    /// What it does, in a few words.
    pub what: &'static str,
    /// Does it (inside the caller's transaction).
    pub run: fn(&Connection) -> rusqlite::Result<()>,
}

/// Every step, in version order (see the module's documentation).
pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    to: 1,
    what: "add the tables, columns and indexes of version 1 that are missing",
    run: |conn| fill_in(conn, SCHEMA),
}];

/// Brings a file of version `from` to [`SCHEMA_VERSION`], running the
/// steps it needs, and records the new version and `app` as the writer.
/// Run inside the caller's transaction.
pub(crate) fn migrate(conn: &Connection, from: i64, app: &str) -> rusqlite::Result<()> {
    for step in MIGRATIONS.iter().filter(|m| m.to > from) {
        (step.run)(conn).map_err(|e| {
            let code = match &e {
                rusqlite::Error::SqliteFailure(f, _) => f.extended_code,
                _ => rusqlite::ffi::SQLITE_ERROR,
            };
            crate::error::failure(
                code,
                format!(
                    "cannot migrate it to schema {} ({}): {}",
                    step.to,
                    step.what,
                    crate::error::sqlite_message(&e)
                ),
            )
        })?;
        set_meta(conn, "schema_version", &step.to.to_string())?;
    }
    set_meta(conn, "writer", app)
}

/// Adds what `schema` has and the file lacks: tables, then columns of
/// tables it has (by their declared type, without constraints, which
/// `ALTER TABLE ... ADD COLUMN` cannot add), then indexes.
fn fill_in(conn: &Connection, schema: &str) -> rusqlite::Result<()> {
    let statements: Vec<&str> = schema
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    for s in statements.iter().filter(|s| s.starts_with("CREATE TABLE")) {
        conn.execute_batch(s)?;
    }
    let target = Connection::open_in_memory()?;
    target.execute_batch(schema)?;
    let mut tables = target.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
    let tables: Vec<String> = tables
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in &tables {
        let have = columns(conn, table)?;
        for (name, declared) in columns(&target, table)? {
            if !have.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
                conn.execute_batch(&format!(
                    "ALTER TABLE \"{table}\" ADD COLUMN \"{name}\" {declared}"
                ))?;
            }
        }
    }
    for s in statements.iter().filter(|s| s.starts_with("CREATE INDEX")) {
        conn.execute_batch(s)?;
    }
    Ok(())
}

/// A table's columns: names and declared types.
fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT name, type FROM pragma_table_info(?1)")?;
    let rows = stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps run in order and end at this program's version.
    #[test]
    fn migration_steps_are_in_order_and_end_at_the_schema_version() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.to).collect();
        let expected: Vec<i64> = (1..=SCHEMA_VERSION).collect();
        assert_eq!(versions, expected);
        assert!(MIGRATIONS.iter().all(|m| !m.what.is_empty()));
    }

    /// Filling in a complete schema changes nothing; filling in an empty
    /// file creates every table.
    #[test]
    fn fill_in_is_idempotent_and_creates_missing_tables() {
        let conn = Connection::open_in_memory().unwrap();
        fill_in(&conn, SCHEMA).unwrap();
        let count = |c: &Connection| -> i64 {
            c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .unwrap()
        };
        let before = count(&conn);
        fill_in(&conn, SCHEMA).unwrap();
        assert_eq!(count(&conn), before);
        let fresh = Connection::open_in_memory().unwrap();
        fresh.execute_batch(SCHEMA).unwrap();
        assert_eq!(count(&fresh), before);
    }

    /// A name list is cut after a few names.
    #[test]
    fn name_list_cuts_after_max() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(name_list(&names, 5), "a, b, c");
        assert_eq!(name_list(&names, 2), "a, b and 1 more");
    }
}
