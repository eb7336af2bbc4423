//! Files a writer or a reader refuses, creates, migrates, or finds in
//! use.

use rusqlite::Connection;

use super::*;
use crate::{DbError, Reader, Select, SCHEMA, SCHEMA_VERSION};

/// The `meta` value of `key` in a file.
fn meta(path: &Path, key: &str) -> Option<String> {
    let conn = Connection::open(path).unwrap();
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .ok()
}

/// The file's journal mode.
fn journal_mode(path: &Path) -> String {
    let conn = Connection::open(path).unwrap();
    conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap()
}

/// A new file gets the schema, WAL mode, and its `meta` rows: the
/// schema's version and the writing program.
#[test]
fn a_new_file_gets_the_schema_and_meta_rows() {
    let dir = TempDir::new("new");
    let path = dir.join("s.db");
    start(&path).close();
    assert_eq!(
        meta(&path, "schema_version"),
        Some(SCHEMA_VERSION.to_string())
    );
    assert_eq!(meta(&path, "writer").as_deref(), Some("kismet-shell test"));
    assert_eq!(journal_mode(&path), "wal");
    let tables = count(
        &path,
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN \
         ('meta', 'sessions', 'networks', 'ssids', 'clients', 'observations', 'gps', \
         'alerts', 'messages')",
    );
    assert_eq!(tables, 9);
    // An empty (0-byte) file is a new database too.
    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    start(&empty).close();
    assert_eq!(
        meta(&empty, "schema_version"),
        Some(SCHEMA_VERSION.to_string())
    );
    // Reopened, it is used as it is.
    let writer = start(&path);
    writer.send(session("s:1", "S", 1));
    assert_eq!(writer.close().error, None);
    assert_intact(&path);
}

/// A text file is refused by both, as not an SQLite file, and left as
/// it was.
#[test]
fn a_text_file_is_not_a_database() {
    let dir = TempDir::new("text");
    let path = dir.join("notes.txt");
    let text = "these are my notes, not a database\n".repeat(100);
    std::fs::write(&path, &text).unwrap();
    for err in [
        Writer::start(&path, options()).unwrap_err(),
        Reader::open(&path).unwrap_err(),
    ] {
        match &err {
            DbError::NotADatabase { path: p, detail } => {
                assert_eq!(p, &path.display().to_string());
                assert_eq!(detail, "not an SQLite file");
            }
            other => panic!("{other:?}"),
        }
        let shown = err.to_string();
        assert!(
            shown.contains("notes.txt") && shown.contains("not an SQLite file"),
            "{shown}"
        );
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

/// An SQLite file with tables of its own and no `meta` is refused by
/// both, naming its tables, and left as it was (not turned to WAL).
#[test]
fn an_sqlite_file_of_another_program_is_not_ours() {
    let dir = TempDir::new("other");
    let path = dir.join("other.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE contacts (name TEXT); CREATE TABLE notes (body TEXT);")
        .unwrap();
    drop(conn);
    for err in [
        Writer::start(&path, options()).unwrap_err(),
        Reader::open(&path).unwrap_err(),
    ] {
        match err {
            DbError::NotADatabase { detail, .. } => {
                assert_eq!(detail, "an SQLite file with other tables: contacts, notes");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(journal_mode(&path), "delete");
    assert_eq!(count(&path, "SELECT count(*) FROM sqlite_master"), 2);
    // A `meta` table of another shape is not ours either.
    let odd = dir.join("odd.db");
    Connection::open(&odd)
        .unwrap()
        .execute_batch("CREATE TABLE meta (a, b)")
        .unwrap();
    match Writer::start(&odd, options()) {
        Err(DbError::NotADatabase { detail, .. }) => {
            assert_eq!(
                detail,
                "an SQLite file whose meta table is not kismet-shell's"
            );
        }
        other => panic!("{other:?}"),
    }
    // Nor one without a schema_version.
    let bare = dir.join("bare.db");
    Connection::open(&bare)
        .unwrap()
        .execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        .unwrap();
    match Reader::open(&bare) {
        Err(DbError::NotADatabase { detail, .. }) => {
            assert_eq!(detail, "its meta table has no schema_version");
        }
        other => panic!("{other:?}"),
    }
}

/// A file of a newer schema is refused by both, saying which.
#[test]
fn a_newer_schema_is_refused() {
    let dir = TempDir::new("newer");
    let path = dir.join("s.db");
    start(&path).close();
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
    for err in [
        Writer::start(&path, options()).unwrap_err(),
        Reader::open(&path).unwrap_err(),
    ] {
        match &err {
            DbError::NewerSchema {
                found, supported, ..
            } => {
                assert_eq!((*found, *supported), (99, SCHEMA_VERSION));
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("newer"), "{err}");
    }
    assert_eq!(meta(&path, "schema_version").as_deref(), Some("99"));
}

/// A version 0 file: no `messages` table, `alerts` without `lat` and
/// `lon`, `sessions` without `greeting`, one session and observation.
fn version_0_file(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
         INSERT INTO meta VALUES ('schema_version', '0'), ('writer', 'kismet-shell 0.0.1');
         CREATE TABLE sessions (id INTEGER PRIMARY KEY, server TEXT NOT NULL,
             server_name TEXT, started INTEGER NOT NULL, ended INTEGER);
         CREATE TABLE alerts (ts REAL NOT NULL, session INTEGER, header TEXT, bssid TEXT,
             source TEXT, dest TEXT, channel INTEGER, text TEXT);
         CREATE TABLE observations (ts REAL NOT NULL, session INTEGER, server TEXT NOT NULL,
             kind TEXT NOT NULL, bssid TEXT NOT NULL, mac TEXT NOT NULL, signal_dbm INTEGER,
             lat REAL, lon REAL, alt REAL, fix INTEGER);
         INSERT INTO sessions VALUES (1, 'old:2501', 'Old', 50, 60);
         INSERT INTO observations VALUES (55.0, 1, 'old:2501', 'network',
             '00:14:6C:A1:00:01', '00:14:6C:A1:00:01', -40, NULL, NULL, NULL, 0);",
    )
    .unwrap();
}

/// A version 0 file is refused by a reader (saying to open it with
/// --db), and migrated by a writer: the missing table and columns are
/// added, its rows kept, the version raised, and it is then written and
/// read as any other.
#[test]
fn a_version_0_file_is_migrated_by_a_writer() {
    let dir = TempDir::new("v0");
    let path = dir.join("s.db");
    version_0_file(&path);
    match Reader::open(&path) {
        Err(err @ DbError::OlderSchema { found: 0, .. }) => {
            assert!(err.to_string().contains("--db"), "{err}");
        }
        other => panic!("{other:?}"),
    }
    let writer = start(&path);
    writer.send(session("new:2501", "New", 100));
    writer.send(Item::Alert(crate::AlertRow {
        ts: 101.0,
        header: Some("NETSTUMBLER".into()),
        bssid: None,
        source: None,
        dest: None,
        channel: None,
        text: None,
        lat: Some(1.5),
        lon: Some(2.5),
    }));
    writer.send(Item::Message(crate::MessageRow {
        ts: 102.0,
        kind: "status".into(),
        text: "migrated".into(),
    }));
    assert_eq!(writer.close().error, None);
    assert_eq!(
        meta(&path, "schema_version"),
        Some(SCHEMA_VERSION.to_string())
    );
    assert_eq!(meta(&path, "writer").as_deref(), Some("kismet-shell test"));

    // Every table and column of the current schema is there.
    let fresh = Connection::open_in_memory().unwrap();
    fresh.execute_batch(SCHEMA).unwrap();
    let columns = "SELECT m.name, p.name FROM sqlite_master AS m, pragma_table_info(m.name) AS p \
                   WHERE m.type = 'table' ORDER BY 1, 2";
    let list = |c: &Connection| -> Vec<(String, String)> {
        let mut stmt = c.prepare(columns).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(list(&Connection::open(&path).unwrap()), list(&fresh));

    let reader = Reader::open(&path).unwrap();
    let sessions = reader.sessions().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(
        (sessions[0].server.as_str(), sessions[0].observations),
        ("old:2501", 1)
    );
    let r = reader.query("SELECT lat, lon FROM alerts", 5).unwrap();
    assert_eq!(
        r.rows,
        [[crate::SqlValue::Real(1.5), crate::SqlValue::Real(2.5)]]
    );
    assert_eq!(count(&path, "SELECT count(*) FROM messages"), 1);
    assert!(reader
        .snapshot(&Select::default())
        .unwrap()
        .networks
        .is_empty());
    assert_intact(&path);
}

/// A second writer on a file a first one holds waits its busy timeout
/// and is refused as in use; once the first is closed it starts.
#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_file() {
    let dir = TempDir::new("in-use");
    let path = dir.join("s.db");
    let first = start(&path);
    first.send(session("s:1", "S", 1));
    let started = Instant::now();
    let err = Writer::start(&path, options()).unwrap_err();
    assert!(started.elapsed() >= options().busy_timeout);
    match &err {
        DbError::InUse { path: p } => assert_eq!(p, &path.display().to_string()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!("{}: in use by another process", path.display())
    );
    // Readers are not refused meanwhile.
    assert!(Reader::open(&path).is_ok());
    assert_eq!(first.close().error, None);
    let second = start(&path);
    second.send(session("s:1", "S", 2));
    assert_eq!(second.close().error, None);
    assert_eq!(count(&path, "SELECT count(*) FROM sessions"), 2);
}

/// A file that cannot be created (its directory is missing) is an
/// SQLite error naming the file; so is a reader's missing file.
#[test]
fn a_file_that_cannot_be_opened_is_an_error_naming_it() {
    let dir = TempDir::new("missing");
    let path = dir.join("no/such/dir/s.db");
    for err in [
        Writer::start(&path, options()).unwrap_err(),
        Reader::open(&path).unwrap_err(),
    ] {
        assert!(matches!(err, DbError::Sqlite { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with(&path.display().to_string()),
            "{err}"
        );
    }
    assert!(!path.exists());
    // A reader of an empty file: not ours, and not created as one.
    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        Reader::open(&empty),
        Err(DbError::NotADatabase { .. })
    ));
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
}
