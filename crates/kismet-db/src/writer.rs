//! The writer: a thread of its own that owns the connection and commits
//! what it is handed in batched transactions, at least every
//! [`WriterOptions::commit_every`].
//!
//! # Sessions
//! An [`Item::SessionStart`] inserts a `sessions` row and makes it the
//! current session: the observations, GPS rows, alerts and messages
//! after it get its id in `session` (and observations its `server`),
//! until the next one; [`Item::SessionEnd`] sets its `ended`. Rows sent
//! before any session have a NULL `session` (and an empty `server`).
//!
//! # The lock
//! The writer keeps a write transaction open all the time (it commits,
//! and begins the next one at once), so a second writer on the same file
//! waits its busy timeout and is refused ([`DbError::InUse`]), while
//! readers, in WAL mode, read what was committed. (A second writer that
//! tries exactly between a commit and the next begin, a window of
//! microseconds, could take the lock; the first then stops with an error
//! in its stats.)

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{RecvTimeoutError, Sender, TrySendError};
use kismet_client::Snapshot;
use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags};

use crate::file::{self, Contents};
use crate::schema::SCHEMA_VERSION;
use crate::worker::Worker;
use crate::DbError;

/// How long dropping a [`Writer`] without [`Writer::close`] waits for its
/// thread to write what is queued; past it the thread is left to finish
/// on its own.
const DROP_WAIT: Duration = Duration::from_secs(3);

/// How a [`Writer`] behaves.
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// Items queued at most; past it observations and GPS rows are
    /// thinned (dropped, counted), other items wait for room.
    pub queue: usize,
    /// The longest between commits (10 ms at least).
    pub commit_every: Duration,
    /// How long to wait for another process that holds the file's lock
    /// before saying the file is in use.
    pub busy_timeout: Duration,
    /// The program and its version (`kismet-shell 0.1.0`), recorded in
    /// `meta` as the file's `writer` when it is created or migrated.
    pub app: String,
}

impl Default for WriterOptions {
    fn default() -> WriterOptions {
        WriterOptions {
            queue: 100_000,
            commit_every: Duration::from_millis(500),
            busy_timeout: Duration::from_secs(2),
            app: "kismet-shell".into(),
        }
    }
}

/// A connection began: a `sessions` row. The items after it belong to it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionStart {
    /// `HOST:PORT` connected to, or a recording's path.
    pub server: String,
    /// The server's name from its greeting.
    pub server_name: Option<String>,
    /// Unix seconds.
    pub started: u64,
    /// The greeting's lines as received.
    pub greeting: Option<String>,
}

/// The current session ended (its `ended`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionEnd {
    /// Unix seconds.
    pub ended: u64,
}

/// A device seen: an `observations` row (at most one per device per
/// second: the caller's business).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Unix seconds.
    pub ts: f64,
    /// `network` or `client`.
    pub kind: &'static str,
    /// `AA:BB:CC:DD:EE:FF`.
    pub bssid: String,
    /// The device's own MAC (a network's: its BSSID).
    pub mac: String,
    /// Its signal, dBm.
    pub signal_dbm: Option<i32>,
    /// Latitude at the time, degrees.
    pub lat: Option<f64>,
    /// Longitude at the time, degrees.
    pub lon: Option<f64>,
    /// Altitude at the time, metres.
    pub alt: Option<f64>,
    /// The GPS fix at the time (the server's code: 3, 2, 0, -1).
    pub fix: Option<i64>,
}

/// A GPS line: a `gps` row.
#[derive(Debug, Clone, PartialEq)]
pub struct GpsRow {
    /// Unix seconds.
    pub ts: f64,
    /// Latitude, degrees.
    pub lat: Option<f64>,
    /// Longitude, degrees.
    pub lon: Option<f64>,
    /// Altitude, metres.
    pub alt: Option<f64>,
    /// Speed, as the server sends it.
    pub speed: Option<f64>,
    /// Heading, degrees.
    pub heading: Option<f64>,
    /// The fix (the server's code: 3, 2, 0, -1).
    pub fix: Option<i64>,
}

/// An ALERT: an `alerts` row.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    /// Unix seconds.
    pub ts: f64,
    /// The alert's name (`DEAUTHFLOOD`...).
    pub header: Option<String>,
    /// The BSSID it is about.
    pub bssid: Option<String>,
    /// The source MAC.
    pub source: Option<String>,
    /// The destination MAC.
    pub dest: Option<String>,
    /// The channel.
    pub channel: Option<i64>,
    /// The server's text.
    pub text: Option<String>,
    /// Latitude at the time, degrees.
    pub lat: Option<f64>,
    /// Longitude at the time, degrees.
    pub lon: Option<f64>,
}

/// A message: STATUS, TERMINATE, an error, a disconnect (a `messages`
/// row).
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRow {
    /// Unix seconds.
    pub ts: f64,
    /// `status`, `terminate`, `error`, `disconnected`, `connected`...
    pub kind: String,
    /// Its text.
    pub text: String,
}

/// What the writer is handed.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A session began.
    SessionStart(SessionStart),
    /// The current session ended.
    SessionEnd(SessionEnd),
    /// A device seen.
    Observation(Observation),
    /// A GPS line.
    Gps(GpsRow),
    /// An alert.
    Alert(AlertRow),
    /// A message.
    Message(MessageRow),
}

/// What the writer did so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriterStats {
    /// `observations` rows written (committed).
    pub observations: u64,
    /// `gps` rows written.
    pub gps: u64,
    /// `alerts` rows written.
    pub alerts: u64,
    /// `messages` rows written.
    pub messages: u64,
    /// `sessions` rows written.
    pub sessions: u64,
    /// Observations and GPS rows dropped because the queue was full.
    pub thinned: u64,
    /// Device rows written (`networks` and `clients` rows inserted or
    /// updated; rows unchanged since the last set written are not).
    pub device_rows: u64,
    /// `ssids` rows written (inserted or updated), likewise.
    pub ssid_rows: u64,
    /// Commits done.
    pub commits: u64,
    /// Unix seconds of the latest commit.
    pub last_commit: Option<f64>,
    /// The error that stopped the writer, if one did (the file is closed
    /// then; nothing more is written).
    pub error: Option<String>,
}

/// What the caller's side and the writer thread share.
#[derive(Default)]
pub(crate) struct Shared {
    /// The stats, updated at each commit.
    pub stats: Mutex<WriterStats>,
    /// The writer stopped on an error: nothing more is written.
    pub stopped: AtomicBool,
    /// The latest device set of each server, not yet written.
    pub devices: Mutex<Vec<(String, Snapshot)>>,
}

impl std::fmt::Debug for Shared {
    /// The stats, and how many device sets wait (not the sets).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("stats", &*self.stats.lock())
            .field("stopped", &self.stopped.load(Ordering::Relaxed))
            .field("device_sets", &self.devices.lock().len())
            .finish()
    }
}

/// The writer thread and its queue.
#[derive(Debug)]
pub struct Writer {
    /// The file.
    path: PathBuf,
    /// The queue; `None` once closing.
    sender: Option<Sender<Item>>,
    /// Stats, the stop flag and the device sets.
    shared: Arc<Shared>,
    /// The thread; `None` once joined (or left to finish).
    thread: Option<JoinHandle<()>>,
    /// Disconnected when the thread ends (it holds the sender).
    done: crossbeam_channel::Receiver<()>,
}

impl Writer {
    /// Opens or creates the database at `path` and starts the writer.
    ///
    /// # Errors
    /// [`DbError`]: not an SQLite file, a newer schema, in use, read-only,
    /// cannot be created.
    pub fn start(path: &Path, options: WriterOptions) -> Result<Writer, DbError> {
        let conn = open(path, &options)?;
        let (sender, receiver) = crossbeam_channel::bounded(options.queue.max(1));
        let (done_sender, done) = crossbeam_channel::bounded::<()>(0);
        let shared = Arc::new(Shared::default());
        let worker = Worker::new(conn, path, options.commit_every, shared.clone());
        let thread = std::thread::Builder::new()
            .name("kismet-db writer".into())
            .spawn(move || {
                let _done = done_sender;
                worker.run(&receiver);
            })
            .map_err(|e| DbError::Sqlite {
                path: path.display().to_string(),
                error: failure(
                    rusqlite::ffi::SQLITE_NOMEM,
                    format!("cannot start the writer thread: {e}"),
                ),
            })?;
        Ok(Writer {
            path: path.to_path_buf(),
            sender: Some(sender),
            shared,
            thread: Some(thread),
            done,
        })
    }

    /// Queues an item; false when it was thinned (only observations and
    /// GPS rows are) or the writer has stopped.
    pub fn send(&self, item: Item) -> bool {
        if self.shared.stopped.load(Ordering::Relaxed) {
            return false;
        }
        let Some(sender) = &self.sender else {
            return false;
        };
        match item {
            Item::Observation(_) | Item::Gps(_) => match sender.try_send(item) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    self.shared.stats.lock().thinned += 1;
                    false
                }
                Err(TrySendError::Disconnected(_)) => false,
            },
            // Rare: wait for room (the thread drains the queue even after
            // an error, so this ends).
            other => sender.send(other).is_ok(),
        }
    }

    /// Hands over the latest state of every device of `server`: written
    /// at the next commit (rows that did not change since the last set
    /// written are left alone); a newer set replaces one not yet written.
    pub fn devices(&self, server: &str, snapshot: Snapshot) {
        if self.shared.stopped.load(Ordering::Relaxed) {
            return;
        }
        let mut sets = self.shared.devices.lock();
        match sets.iter_mut().find(|(s, _)| s == server) {
            Some(set) => set.1 = snapshot,
            None => sets.push((server.to_owned(), snapshot)),
        }
    }

    /// What it did so far (rows count once committed).
    pub fn stats(&self) -> WriterStats {
        self.shared.stats.lock().clone()
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes what is queued, commits, closes the file and stops the
    /// thread; the final stats.
    pub fn close(mut self) -> WriterStats {
        self.finish(None)
    }

    /// Closes the queue and waits for the thread to write what is in it
    /// and stop: for ever, or at most `bound`.
    fn finish(&mut self, bound: Option<Duration>) -> WriterStats {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            let ended = match bound {
                None => true,
                Some(wait) => matches!(
                    self.done.recv_timeout(wait),
                    Err(RecvTimeoutError::Disconnected)
                ),
            };
            if ended && thread.join().is_err() {
                let mut stats = self.shared.stats.lock();
                if stats.error.is_none() {
                    stats.error =
                        Some(format!("{}: the writer thread failed", self.path.display()));
                }
            }
        }
        self.stats()
    }
}

impl Drop for Writer {
    /// As [`Writer::close`], but waiting a few seconds at most.
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.finish(Some(DROP_WAIT));
        }
    }
}

/// An SQLite failure of our own making, with its message.
pub(crate) fn failure(code: std::ffi::c_int, message: String) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some(message))
}

/// Opens the file for writing: checks what it is, sets WAL mode, creates
/// or migrates the schema, and leaves a write transaction open (the
/// lock; see the module's documentation).
fn open(path: &Path, options: &WriterOptions) -> Result<Connection, DbError> {
    let err = |e| DbError::from_sqlite(path, e);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(err)?;
    // rusqlite takes milliseconds in an i32 (and panics past it).
    let busy = options
        .busy_timeout
        .min(Duration::from_millis(i32::MAX.unsigned_abs().into()));
    conn.busy_timeout(busy).map_err(err)?;
    // SQLite opens a file it may not write read-only, silently.
    if conn.is_readonly(rusqlite::MAIN_DB).map_err(err)? {
        return Err(DbError::Sqlite {
            path: path.display().to_string(),
            error: failure(
                rusqlite::ffi::SQLITE_READONLY,
                "the file is read-only: cannot write to it".into(),
            ),
        });
    }
    // Look before changing anything: a file that is not ours is left as
    // it was (setting WAL mode would change its header).
    check_version(path, file::inspect(&conn, path)?)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(err)?;
    conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
    // Again inside the transaction: another writer may have created or
    // migrated it meanwhile.
    match check_version(path, file::inspect(&conn, path)?)? {
        Contents::Empty => file::create(&conn, &options.app).map_err(err)?,
        Contents::Version(v) if v < SCHEMA_VERSION => {
            file::migrate(&conn, v, &options.app).map_err(err)?;
        }
        Contents::Version(_) => {}
    }
    conn.execute_batch("COMMIT; BEGIN IMMEDIATE").map_err(err)?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

/// Refuses a file of a newer schema.
fn check_version(path: &Path, contents: Contents) -> Result<Contents, DbError> {
    match contents {
        Contents::Version(found) if found > SCHEMA_VERSION => Err(DbError::NewerSchema {
            path: path.display().to_string(),
            found,
            supported: SCHEMA_VERSION,
        }),
        other => Ok(other),
    }
}
