//! The writer thread: takes items off the queue into the open
//! transaction, and commits at least every `commit_every` (and when the
//! queue has been idle a moment), writing the newest device sets first.
//! After an error it records it, closes the file and only drains the
//! queue, so that senders never wait for ever.
//!
//! SQLite in WAL mode goes on writing to a file removed (or replaced)
//! under it, into a file no one can open again; so before each commit
//! the writer checks that the path still leads to the file it opened
//! (its device and inode, where there are such), and stops with an
//! error when not.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use kismet_client::Snapshot;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection};

use crate::error::failure;
use crate::items::{Item, Shared, WriterStats};
use crate::rows::{self, real};

/// With rows waiting and nothing queued for this long, commit without
/// waiting for `commit_every`.
const IDLE_COMMIT: Duration = Duration::from_millis(50);

/// The shortest `commit_every` taken (a zero would have the thread spin).
const MIN_COMMIT_EVERY: Duration = Duration::from_millis(10);

/// Inserts an `observations` row.
const INSERT_OBSERVATION: &str = "INSERT INTO observations \
    (ts, session, server, kind, bssid, mac, signal_dbm, lat, lon, alt, fix) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
/// Inserts a `gps` row.
const INSERT_GPS: &str = "INSERT INTO gps (ts, session, lat, lon, alt, speed, heading, fix) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
/// Inserts an `alerts` row.
const INSERT_ALERT: &str = "INSERT INTO alerts \
    (ts, session, header, bssid, source, dest, channel, text, lat, lon) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
/// Inserts a `messages` row.
const INSERT_MESSAGE: &str =
    "INSERT INTO messages (ts, session, kind, text) VALUES (?1, ?2, ?3, ?4)";
/// Inserts a `sessions` row.
const INSERT_SESSION: &str =
    "INSERT INTO sessions (server, server_name, started, greeting) VALUES (?1, ?2, ?3, ?4)";
/// Ends a session.
const END_SESSION: &str = "UPDATE sessions SET ended = ?1 WHERE id = ?2";

/// The writer thread's state.
pub(crate) struct Worker {
    /// The connection, a write transaction open; `None` after an error.
    conn: Option<Connection>,
    /// The file, for error messages.
    path: PathBuf,
    /// The file's absolute path and identity when opened, to notice it
    /// removed or replaced.
    file: Option<(PathBuf, FileId)>,
    /// The longest a row waits uncommitted.
    commit_every: Duration,
    /// Shared with the [`Writer`](crate::Writer).
    shared: Arc<Shared>,
    /// Each stream's current session: its id (`None` before the first)
    /// and its server (`""` before the first).
    streams: HashMap<u32, (Option<i64>, String)>,
    /// Rows written since the last commit, by kind.
    pending: WriterStats,
    /// Since when rows wait uncommitted.
    dirty_since: Option<Instant>,
    /// When device sets were last written.
    devices_written: Option<Instant>,
    /// The fingerprint of each device row last written, by table, server
    /// and key.
    written: HashMap<String, u64>,
}

/// Unix seconds now.
fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Unix seconds as an SQLite integer (saturating).
fn secs(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Worker {
    /// A worker for `conn` (a write transaction open).
    pub(crate) fn new(
        conn: Connection,
        path: &Path,
        commit_every: Duration,
        shared: Arc<Shared>,
    ) -> Worker {
        let file = std::fs::canonicalize(path)
            .ok()
            .and_then(|p| Some((file_id(&p)?, p)))
            .map(|(id, p)| (p, id));
        Worker {
            conn: Some(conn),
            path: path.to_path_buf(),
            file,
            commit_every: commit_every.max(MIN_COMMIT_EVERY),
            shared,
            streams: HashMap::new(),
            pending: WriterStats::default(),
            dirty_since: None,
            devices_written: None,
            written: HashMap::new(),
        }
    }

    /// Runs until the queue is closed and empty, then writes what is
    /// left, commits and closes the file.
    pub(crate) fn run(mut self, queue: &Receiver<(u32, Item)>) {
        loop {
            let wait = match self.dirty_since {
                Some(t) => IDLE_COMMIT.min(self.commit_every.saturating_sub(t.elapsed())),
                None => self.commit_every,
            };
            match queue.recv_timeout(wait) {
                Ok((stream, item)) => {
                    self.write(stream, item);
                    if self
                        .dirty_since
                        .is_some_and(|t| t.elapsed() >= self.commit_every)
                    {
                        self.flush(false);
                    }
                }
                Err(RecvTimeoutError::Timeout) => self.flush(false),
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        self.flush(true);
        if let Some(conn) = self.conn.take() {
            // Best effort: fold the log into the file and empty it.
            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            let _ = conn.close();
        }
    }

    /// Records the error that stops the writer, and closes the file (what
    /// was not committed is rolled back).
    fn fail(&mut self, error: &rusqlite::Error) {
        let mut stats = self.shared.stats.lock();
        if stats.error.is_none() {
            stats.error = Some(format!("{}: {error}", self.path.display()));
        }
        drop(stats);
        self.shared.stopped.store(true, Ordering::Relaxed);
        self.conn = None;
        self.dirty_since = None;
        self.shared.devices.lock().clear();
    }

    /// Writes one item of `stream` into the open transaction.
    fn write(&mut self, stream: u32, item: Item) {
        let Some(conn) = &self.conn else {
            return;
        };
        let (session, server) = self.streams.entry(stream).or_default();
        let result = write_item(conn, &item, session, server);
        match result {
            Ok(0) => {}
            Ok(_) => {
                let p = &mut self.pending;
                match item {
                    Item::Observation(_) => p.observations += 1,
                    Item::Gps(_) => p.gps += 1,
                    Item::Alert(_) => p.alerts += 1,
                    Item::Message(_) => p.messages += 1,
                    Item::SessionStart(_) => p.sessions += 1,
                    Item::SessionEnd(_) => {}
                }
                self.dirty_since.get_or_insert_with(Instant::now);
            }
            Err(e) => self.fail(&e),
        }
    }

    /// Writes the device sets when due (or `last`), and commits what
    /// waits; begins the next transaction unless `last`.
    fn flush(&mut self, last: bool) {
        if self.conn.is_none() {
            self.shared.devices.lock().clear();
            return;
        }
        let due = last
            || self
                .devices_written
                .is_none_or(|t| t.elapsed() >= self.commit_every);
        if due {
            let sets = std::mem::take(&mut *self.shared.devices.lock());
            if !sets.is_empty() {
                self.devices_written = Some(Instant::now());
            }
            for (server, snapshot) in &sets {
                if let Err(e) = self.write_devices(server, snapshot) {
                    self.fail(&e);
                    return;
                }
            }
        }
        if self.dirty_since.is_none() && !last {
            return;
        }
        if let Some((at, id)) = &self.file {
            if file_id(at).as_ref() != Some(id) {
                self.fail(&failure(
                    rusqlite::ffi::SQLITE_IOERR,
                    "the file was removed or replaced while being written".into(),
                ));
                return;
            }
        }
        let Some(conn) = &self.conn else {
            return;
        };
        if let Err(e) = conn.execute_batch("COMMIT") {
            self.fail(&e);
            return;
        }
        let done = std::mem::take(&mut self.pending);
        if self.dirty_since.take().is_some() {
            let mut s = self.shared.stats.lock();
            s.observations += done.observations;
            s.gps += done.gps;
            s.alerts += done.alerts;
            s.messages += done.messages;
            s.sessions += done.sessions;
            s.device_rows += done.device_rows;
            s.ssid_rows += done.ssid_rows;
            s.commits += 1;
            s.last_commit = Some(now());
        }
        // At once: the open transaction is the lock that keeps a second
        // writer out.
        if !last {
            if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
                self.fail(&e);
            }
        }
    }

    /// Upserts the rows of one server's devices that changed since last
    /// written.
    fn write_devices(&mut self, server: &str, snapshot: &Snapshot) -> rusqlite::Result<()> {
        let Some(conn) = &self.conn else {
            return Ok(());
        };
        let mut networks = conn.prepare_cached(rows::NETWORK_UPSERT)?;
        let mut ssids = conn.prepare_cached(rows::SSID_UPSERT)?;
        let mut clients = conn.prepare_cached(rows::CLIENT_UPSERT)?;
        let (mut devices, mut ssid_rows) = (0, 0);
        for n in &snapshot.networks {
            let values = rows::network_values(server, n);
            if changed(
                &mut self.written,
                format!("n\0{server}\0{}", n.bssid),
                &values,
            ) {
                networks.execute(params_from_iter(&values))?;
                devices += 1;
            }
            for s in &n.ssids {
                let values = rows::ssid_values(server, n, s);
                let key = format!("s\0{server}\0{}\0{:?}\0{:?}", n.bssid, values[2], values[3]);
                if changed(&mut self.written, key, &values) {
                    ssids.execute(params_from_iter(&values))?;
                    ssid_rows += 1;
                }
            }
        }
        for c in &snapshot.clients {
            let values = rows::client_values(server, c);
            let key = format!("c\0{server}\0{}\0{}", c.bssid, c.mac);
            if changed(&mut self.written, key, &values) {
                clients.execute(params_from_iter(&values))?;
                devices += 1;
            }
        }
        if devices + ssid_rows > 0 {
            self.pending.device_rows += devices;
            self.pending.ssid_rows += ssid_rows;
            self.dirty_since.get_or_insert_with(Instant::now);
        }
        Ok(())
    }
}

/// What tells a file from another at the same path: its device and
/// inode on Unix; elsewhere only that it is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId(u64, u64);

/// The identity of the file at `path`, when there is one.
fn file_id(path: &Path) -> Option<FileId> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FileId(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some(FileId(0, 0))
    }
}

/// Whether `values` differ from what was last written under `key`
/// (recording them as written).
fn changed(written: &mut HashMap<String, u64>, key: String, values: &[Value]) -> bool {
    let print = rows::fingerprint(values);
    written.insert(key, print) != Some(print)
}

/// Writes one item; the rows it changed (0: nothing to write, such as a
/// row without a usable time).
fn write_item(
    conn: &Connection,
    item: &Item,
    session: &mut Option<i64>,
    server: &mut String,
) -> rusqlite::Result<usize> {
    let ts_ok = |ts: f64| ts.is_finite();
    match item {
        Item::SessionStart(s) => {
            conn.prepare_cached(INSERT_SESSION)?.execute(params![
                s.server,
                s.server_name,
                secs(s.started),
                s.greeting
            ])?;
            *session = Some(conn.last_insert_rowid());
            server.clone_from(&s.server);
            Ok(1)
        }
        Item::SessionEnd(e) => match session {
            Some(id) => conn
                .prepare_cached(END_SESSION)?
                .execute(params![secs(e.ended), *id]),
            None => Ok(0),
        },
        Item::Observation(o) if ts_ok(o.ts) => {
            conn.prepare_cached(INSERT_OBSERVATION)?.execute(params![
                o.ts,
                *session,
                server.as_str(),
                o.kind,
                o.bssid,
                o.mac,
                o.signal_dbm,
                real(o.lat),
                real(o.lon),
                real(o.alt),
                o.fix
            ])
        }
        Item::Gps(g) if ts_ok(g.ts) => conn.prepare_cached(INSERT_GPS)?.execute(params![
            g.ts,
            *session,
            real(g.lat),
            real(g.lon),
            real(g.alt),
            real(g.speed),
            real(g.heading),
            g.fix
        ]),
        Item::Alert(a) if ts_ok(a.ts) => conn.prepare_cached(INSERT_ALERT)?.execute(params![
            a.ts,
            *session,
            a.header,
            a.bssid,
            a.source,
            a.dest,
            a.channel,
            a.text,
            real(a.lat),
            real(a.lon)
        ]),
        Item::Message(m) if ts_ok(m.ts) => conn
            .prepare_cached(INSERT_MESSAGE)?
            .execute(params![m.ts, *session, m.kind, m.text]),
        Item::Observation(_) | Item::Gps(_) | Item::Alert(_) | Item::Message(_) => Ok(0),
    }
}
