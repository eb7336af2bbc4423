//! The writer's queue, commits, errors and ending.

use std::sync::Arc;

use super::*;
use crate::{MessageRow, Reader, Select};

/// A message item.
fn message(ts: f64, text: &str) -> Item {
    Item::Message(MessageRow {
        ts,
        kind: "status".into(),
        text: text.into(),
    })
}

/// A queue of 4 flooded with observations from another thread: some
/// are thinned (counted, `send` says false), none lost uncounted, and
/// the device sets handed over meanwhile are all written.
#[test]
fn a_flooded_tiny_queue_thins_observations_and_keeps_every_device_row() {
    let dir = TempDir::new("thinning");
    let path = dir.join("s.db");
    let writer = Arc::new(
        Writer::start(
            &path,
            WriterOptions {
                queue: 4,
                ..options()
            },
        )
        .unwrap(),
    );
    writer.send(session("s:1", "S", 1));
    let flood = {
        let writer = writer.clone();
        std::thread::spawn(move || {
            let b = "00:14:6C:A1:00:01";
            let (mut sent, mut queued) = (0u64, 0u64);
            // Until some were thinned, and a while more (bounded).
            while sent < 2_000_000 && (sent == queued || sent < 20_000) {
                sent += 1;
                queued += u64::from(writer.send(observation(sent as f64, b, b, None)));
            }
            (sent, queued)
        })
    };
    // Device sets while the flood goes on: the last one is 300 networks.
    let mut last = Snapshot::default();
    for round in 1..=5u64 {
        last = Snapshot {
            networks: (0..round * 60)
                .map(|i| {
                    let mut n =
                        bare_network(&format!("02:00:00:00:{:02X}:{:02X}", i >> 8, i & 0xff));
                    n.last_seen = Some(round);
                    n
                })
                .collect(),
            ..Snapshot::default()
        };
        writer.devices("s:1", last.clone());
        std::thread::sleep(Duration::from_millis(20));
    }
    let (sent, queued) = flood.join().unwrap();
    let stats = Arc::into_inner(writer).unwrap().close();
    assert_eq!(stats.error, None);
    assert!(stats.thinned > 0, "{stats:?}");
    assert_eq!(stats.thinned + stats.observations, sent);
    assert_eq!(stats.observations, queued);
    assert_eq!(
        count(&path, "SELECT count(*) FROM observations"),
        queued as i64
    );
    let read = Reader::open(&path)
        .unwrap()
        .snapshot(&Select::default())
        .unwrap();
    assert_eq!(read.networks, last.networks);
    assert_intact(&path);
}

/// Rows are committed while the writer runs (at most `commit_every`
/// after they were sent): the stats say so, and a reader sees them
/// before the writer is closed.
#[test]
fn rows_are_committed_and_readable_while_the_writer_runs() {
    let dir = TempDir::new("commits");
    let path = dir.join("s.db");
    let writer = start(&path);
    writer.send(session("s:1", "S", 1));
    for i in 0..10 {
        writer.send(message(f64::from(i), "hello"));
    }
    writer.devices("s:1", snapshot(1_000));
    let committed = wait_until(Duration::from_secs(10), || {
        let s = writer.stats();
        s.messages == 10 && s.device_rows == 4 && s.last_commit.is_some()
    });
    assert!(committed, "{:?}", writer.stats());
    let reader = Reader::open(&path).unwrap();
    assert_eq!(
        reader.snapshot(&Select::default()).unwrap().networks.len(),
        2
    );
    assert_eq!(reader.sessions().unwrap().len(), 1);
    let rows = reader.query("SELECT count(*) FROM messages", 1).unwrap();
    assert_eq!(rows.rows[0][0], crate::SqlValue::Integer(10));
    let last = writer.stats().last_commit.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(last <= now && last > now - 3600.0, "{last} {now}");
    drop(reader);
    assert_eq!(writer.close().error, None);
}

/// A writer dropped without `close` still writes what it was sent.
#[test]
fn a_dropped_writer_writes_what_it_was_sent() {
    let dir = TempDir::new("drop");
    let path = dir.join("s.db");
    let writer = start(&path);
    writer.send(session("s:1", "S", 1));
    writer.send(message(1.0, "last words"));
    writer.devices("s:1", snapshot(1_000));
    drop(writer);
    assert_eq!(count(&path, "SELECT count(*) FROM messages"), 1);
    assert_eq!(count(&path, "SELECT count(*) FROM networks"), 2);
    assert_intact(&path);
}

/// Closing folds the log into the file: no `-wal` content is left.
#[test]
fn close_checkpoints_the_log() {
    let dir = TempDir::new("checkpoint");
    let path = dir.join("s.db");
    let writer = start(&path);
    writer.send(session("s:1", "S", 1));
    writer.devices("s:1", snapshot(1_000));
    writer.close();
    let wal = dir.join("s.db-wal");
    let left = std::fs::metadata(&wal).map_or(0, |m| m.len());
    assert_eq!(left, 0, "{}", wal.display());
}

/// The file removed under a running writer: the writer stops with an
/// error naming the file, `send` says false from then on without
/// waiting, and closing returns.
#[test]
fn a_removed_file_stops_the_writer_with_an_error() {
    let dir = TempDir::new("removed");
    let path = dir.join("s.db");
    let writer = start(&path);
    writer.send(session("s:1", "S", 1));
    assert!(wait_until(Duration::from_secs(10), || writer
        .stats()
        .commits
        > 0));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(&format!("s.db{suffix}")));
    }
    let mut i = 0.0;
    let stopped = wait_until(Duration::from_secs(10), || {
        i += 1.0;
        writer.send(message(i, "into the void"));
        writer.stats().error.is_some()
    });
    assert!(stopped, "{:?}", writer.stats());
    let error = writer.stats().error.unwrap();
    assert!(error.contains(&path.display().to_string()), "{error}");
    // Never blocks: a full queue of rare items is drained by the thread.
    for _ in 0..1000 {
        assert!(!writer.send(message(0.0, "after the error")));
    }
    writer.devices("s:1", snapshot(1_000));
    let stats = writer.close();
    assert_eq!(stats.error, Some(error));
}

/// Two servers written at once, each on a stream of its own, their items
/// interleaved: each observation and message takes its own stream's
/// session (and server), and ending one session leaves the other open.
#[test]
fn interleaved_streams_keep_their_own_sessions() {
    let dir = TempDir::new("streams");
    let path = dir.join("s.db");
    let writer = start(&path);
    let b = "00:14:6C:A1:00:01";
    writer.send_on(1, session("kitchen", "K", 1));
    writer.send_on(2, session("attic", "A", 2));
    for i in 0..6 {
        let stream = 1 + (i % 2);
        writer.send_on(stream, observation(f64::from(10 + i), b, b, None));
        writer.send_on(stream, message(f64::from(10 + i), "hello"));
    }
    writer.send_on(1, Item::SessionEnd(crate::SessionEnd { ended: 20 }));
    assert_eq!(writer.close().error, None);
    let reader = Reader::open(&path).unwrap();
    let rows = reader
        .query(
            "SELECT o.server, s.server, count(*) FROM observations o \
             JOIN sessions s ON s.id = o.session GROUP BY o.server, s.server ORDER BY o.server",
            10,
        )
        .unwrap();
    let text = |v: &crate::SqlValue| match v {
        crate::SqlValue::Text(t) => t.clone(),
        crate::SqlValue::Integer(i) => i.to_string(),
        other => format!("{other:?}"),
    };
    let got: Vec<Vec<String>> = (rows.rows.iter())
        .map(|r| r.iter().map(text).collect())
        .collect();
    assert_eq!(got, [["attic", "attic", "3"], ["kitchen", "kitchen", "3"]]);
    let ended = reader
        .query("SELECT server, ended IS NULL FROM sessions ORDER BY id", 10)
        .unwrap();
    let ended: Vec<Vec<String>> = (ended.rows.iter())
        .map(|r| r.iter().map(text).collect())
        .collect();
    assert_eq!(ended, [["kitchen", "0"], ["attic", "1"]]);
    let per_session = reader
        .query("SELECT count(DISTINCT session) FROM messages", 1)
        .unwrap();
    assert_eq!(per_session.rows[0][0], crate::SqlValue::Integer(2));
}
