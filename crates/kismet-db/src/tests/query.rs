//! Read-only SQL through a reader.

use super::*;
use crate::{DbError, Reader, SqlValue};

/// A file with a session, two networks and two clients.
fn file(dir: &TempDir) -> PathBuf {
    let path = dir.join("s.db");
    let writer = start(&path);
    writer.send(session("s:1", "S", 1));
    writer.devices("s:1", snapshot(1_000));
    assert_eq!(writer.close().error, None);
    path
}

/// A SELECT gives its columns and rows, at most the limit, and says
/// when more were left out.
#[test]
fn select_returns_columns_and_rows_up_to_the_limit() {
    let dir = TempDir::new("select");
    let reader = Reader::open(&file(&dir)).unwrap();
    let all = reader
        .query("SELECT bssid, channel FROM networks ORDER BY bssid", 10)
        .unwrap();
    assert_eq!(all.columns, ["bssid", "channel"]);
    assert_eq!(
        all.rows,
        [
            [
                SqlValue::Text("00:14:6C:A1:00:01".into()),
                SqlValue::Integer(6)
            ],
            [SqlValue::Text("02:00:00:00:00:02".into()), SqlValue::Null],
        ]
    );
    assert!(!all.truncated);
    let exact = reader.query("SELECT * FROM networks", 2).unwrap();
    assert_eq!((exact.rows.len(), exact.truncated), (2, false));
    let cut = reader.query("SELECT * FROM networks", 1).unwrap();
    assert_eq!((cut.rows.len(), cut.truncated), (1, true));
    let none = reader.query("SELECT * FROM networks", 0).unwrap();
    assert_eq!((none.rows.len(), none.truncated), (0, true));
    // Every kind of value.
    let kinds = reader
        .query("SELECT NULL, 1, 2.5, 'x', x'0102'", 1)
        .unwrap();
    assert_eq!(
        kinds.rows,
        [[
            SqlValue::Null,
            SqlValue::Integer(1),
            SqlValue::Real(2.5),
            SqlValue::Text("x".into()),
            SqlValue::Blob(2),
        ]]
    );
}

/// WITH, EXPLAIN and reading PRAGMAs run; comments before a statement
/// are fine.
#[test]
fn with_explain_and_pragma_run() {
    let dir = TempDir::new("kinds");
    let path = file(&dir);
    let reader = Reader::open(&path).unwrap();
    let with = reader
        .query(
            "-- a comment\n/* and another */ WITH n AS (SELECT 1 AS x) SELECT x FROM n",
            5,
        )
        .unwrap();
    assert_eq!(with.rows, [[SqlValue::Integer(1)]]);
    assert!(!reader
        .query(
            "EXPLAIN QUERY PLAN SELECT * FROM networks WHERE bssid = 'x'",
            50
        )
        .unwrap()
        .rows
        .is_empty());
    let check = reader.query("PRAGMA integrity_check", 5).unwrap();
    assert_eq!(check.rows, [[SqlValue::Text("ok".into())]]);
    assert_intact(&path);
}

/// Statements that change the file, or the connection's files, are
/// refused, and the file is unchanged.
#[test]
fn writing_statements_and_attach_are_refused() {
    let dir = TempDir::new("refused");
    let path = file(&dir);
    let reader = Reader::open(&path).unwrap();
    let other = dir.join("other.db");
    for sql in [
        "DELETE FROM networks".to_owned(),
        "delete from networks".to_owned(),
        "  /* sneaky */ DROP TABLE networks".to_owned(),
        "INSERT INTO meta VALUES ('a', 'b')".to_owned(),
        "WITH x AS (SELECT 1) DELETE FROM networks".to_owned(),
        format!("ATTACH DATABASE '{}' AS other", other.display()),
        "BEGIN".to_owned(),
        "VACUUM".to_owned(),
        String::new(),
    ] {
        match reader.query(&sql, 10) {
            Err(DbError::Query(m)) => assert!(m.contains("refused"), "{sql}: {m}"),
            other => panic!("{sql}: {other:?}"),
        }
    }
    assert!(!other.exists());
    assert_eq!(count(&path, "SELECT count(*) FROM networks"), 2);
    // Two statements at once are not run either.
    assert!(matches!(
        reader.query("SELECT 1; DELETE FROM networks", 10),
        Err(DbError::Query(_))
    ));
    assert_eq!(count(&path, "SELECT count(*) FROM networks"), 2);
}

/// SQL that does not parse is an error with SQLite's message.
#[test]
fn a_syntax_error_gives_sqlites_message() {
    let dir = TempDir::new("syntax");
    let reader = Reader::open(&file(&dir)).unwrap();
    match reader.query("SELECT FROM WHERE", 10) {
        Err(DbError::Query(m)) => assert!(m.contains("syntax error"), "{m}"),
        other => panic!("{other:?}"),
    }
    match reader.query("SELECT nope FROM networks", 10) {
        Err(DbError::Query(m)) => assert_eq!(m, "no such column: nope"),
        other => panic!("{other:?}"),
    }
}

/// A query that would run for ever is stopped after the timeout, and
/// the reader works on.
#[test]
fn a_runaway_query_is_stopped_after_the_timeout() {
    let dir = TempDir::new("runaway");
    let mut reader = Reader::open(&file(&dir)).unwrap();
    reader.set_query_timeout(Duration::from_millis(200));
    let forever = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) \
                   SELECT count(*) FROM n";
    match reader.query(forever, 10) {
        Err(DbError::Query(m)) => assert!(m.contains("stopped"), "{m}"),
        other => panic!("{other:?}"),
    }
    let after = reader.query("SELECT count(*) FROM networks", 1).unwrap();
    assert_eq!(after.rows, [[SqlValue::Integer(2)]]);
    assert_eq!(
        reader
            .snapshot(&crate::Select::default())
            .unwrap()
            .networks
            .len(),
        2
    );
}
