//! Device rows over time, and sessions over writers.

use super::*;
use crate::{Reader, Select, SqlValue};

/// Waits (a few seconds at most) until the writer has committed this
/// many device rows.
fn wait_for_device_rows(writer: &Writer, rows: u64) {
    let done = wait_until(Duration::from_secs(10), || {
        writer.stats().device_rows >= rows
    });
    assert!(done, "{:?}", writer.stats());
}

/// A later set updates the rows: the earliest `first_seen` and the
/// latest `last_seen` are kept, the rest is the newest; rows that did
/// not change are not written again (the stats' row counts).
#[test]
fn later_sets_update_rows_keeping_earliest_first_seen_and_latest_last_seen() {
    let dir = TempDir::new("update");
    let path = dir.join("s.db");
    let writer = start(&path);
    let first = snapshot(1_000); // first_seen 900
    writer.devices("s:1", first.clone());
    wait_for_device_rows(&writer, 4);
    assert_eq!(writer.stats().ssid_rows, 3);

    // Seen again later: one network and one client changed.
    let mut later = first.clone();
    later.networks[0].first_seen = Some(950);
    later.networks[0].last_seen = Some(2_000);
    later.networks[0].packets = Some(5_000);
    later.clients[1].last_seen = Some(2_000);
    writer.devices("s:1", later);
    wait_for_device_rows(&writer, 6);

    // A set from a replay of older traffic: earlier times, new packets.
    let mut replay = first.clone();
    replay.networks[0].first_seen = Some(800);
    replay.networks[0].last_seen = Some(1_500);
    replay.networks[0].packets = Some(7);
    writer.devices("s:1", replay);
    // The network, and the client row back from the later set's.
    wait_for_device_rows(&writer, 8);

    // The same set again, then closing: nothing more is written.
    writer.devices("s:1", first.clone());
    let stats = writer.close();
    assert_eq!(stats.error, None);
    // The first set's network row differs from the replay's, so it is
    // written once more; nothing else is.
    assert_eq!(stats.device_rows, 9);
    assert_eq!(stats.ssid_rows, 3);

    let read = Reader::open(&path)
        .unwrap()
        .snapshot(&Select::default())
        .unwrap();
    let n = &read.networks[0];
    assert_eq!(
        (n.first_seen, n.last_seen, n.packets),
        (Some(800), Some(2_000), Some(1234))
    );
    assert_eq!(read.clients[1].last_seen, Some(2_000));
    assert_eq!(read.networks[1], first.networks[1]);
    assert_intact(&path);
}

/// An identical set is not written again: the device and SSID row
/// counts stay as they were after the first.
#[test]
fn unchanged_rows_are_not_rewritten() {
    let dir = TempDir::new("unchanged");
    let path = dir.join("s.db");
    let writer = start(&path);
    writer.devices("s:1", snapshot(1_000));
    wait_for_device_rows(&writer, 4);
    let commits = writer.stats().commits;
    writer.devices("s:1", snapshot(1_000));
    // Let at least one more commit interval pass with the set pending.
    std::thread::sleep(options().commit_every * 3);
    let stats = writer.close();
    assert_eq!((stats.device_rows, stats.ssid_rows), (4, 3));
    // Nothing written: no commit for it either.
    assert_eq!(stats.commits, commits);
    assert_eq!(count(&path, "SELECT count(*) FROM networks"), 2);
}

/// Two servers' sets are both written (a set replaces only its own
/// server's pending one).
#[test]
fn sets_of_two_servers_are_both_written() {
    let dir = TempDir::new("two-servers");
    let path = dir.join("s.db");
    let writer = start(&path);
    writer.devices("a:1", snapshot(1_000));
    writer.devices("b:1", snapshot(1_000));
    writer.devices("a:1", snapshot(1_001));
    let stats = writer.close();
    // 8, or 11 when the first set of a:1 was written before the second
    // came (three of its rows changed).
    assert!(stats.device_rows >= 8, "{stats:?}");
    assert_eq!(
        count(&path, "SELECT count(DISTINCT server) FROM networks"),
        2
    );
    assert_eq!(
        count(
            &path,
            "SELECT max(last_seen) FROM networks WHERE server = 'a:1'"
        ),
        1_001
    );
}

/// Two writers one after the other on one file: two `sessions` rows,
/// and the reader counts each one's observations and distinct MACs.
#[test]
fn two_writer_sessions_make_two_session_rows_with_counts() {
    let dir = TempDir::new("sessions");
    let path = dir.join("s.db");
    let (b, m1, m2) = (
        "00:14:6C:A1:00:01",
        "AC:DE:48:00:11:22",
        "AC:DE:48:00:11:23",
    );

    let writer = start(&path);
    writer.send(session("a:2501", "Alpha", 100));
    for (i, mac) in [b, m1, m2, m1, b].iter().enumerate() {
        assert!(writer.send(observation(100.0 + i as f64, b, mac, None)));
    }
    writer.send(Item::SessionEnd(crate::SessionEnd { ended: 150 }));
    assert_eq!(writer.close().error, None);

    let writer = start(&path);
    writer.send(session("b:2501", "Bravo", 200));
    writer.send(observation(201.0, b, m2, None));
    writer.send(observation(202.0, b, m2, None));
    assert_eq!(writer.close().error, None);

    let reader = Reader::open(&path).unwrap();
    let sessions = reader.sessions().unwrap();
    let rows: Vec<_> = sessions
        .iter()
        .map(|s| {
            (
                s.id,
                s.server.as_str(),
                s.server_name.as_deref(),
                s.started,
                s.ended,
                s.observations,
                s.devices,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, "a:2501", Some("Alpha"), 100, Some(150), 5, 3),
            (2, "b:2501", Some("Bravo"), 200, None, 2, 1),
        ]
    );
    // The counts come from the covering index, not the table.
    let plan = reader
        .query(
            &format!("EXPLAIN QUERY PLAN {}", crate::reader::SESSIONS_QUERY),
            50,
        )
        .unwrap();
    let plan: Vec<String> = plan
        .rows
        .iter()
        .filter_map(|r| match r.last() {
            Some(SqlValue::Text(t)) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert!(
        plan.iter()
            .any(|step| step.contains("COVERING INDEX observations_by_session")),
        "{plan:?}"
    );
    assert_intact(&path);
}
