//! The writer: a thread of its own that owns the connection and commits
//! what it is handed in batched transactions, at least once a second.

use std::path::Path;
use std::time::Duration;

use kismet_client::Snapshot;

use crate::DbError;

/// How a [`Writer`] behaves.
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// Items queued at most; past it observations and GPS rows are
    /// thinned (dropped, counted), other items wait for room.
    pub queue: usize,
    /// The longest between commits.
    pub commit_every: Duration,
    /// How long to wait for another process that holds the file's lock
    /// before saying the file is in use.
    pub busy_timeout: Duration,
    /// The writing program and its version, for `meta`.
    pub app: String,
}

impl Default for WriterOptions {
    fn default() -> WriterOptions {
        WriterOptions {
            queue: 100_000,
            commit_every: Duration::from_millis(500),
            busy_timeout: Duration::from_secs(2),
            app: "kismet-shell".to_string(),
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
    pub signal_dbm: Option<i32>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub alt: Option<f64>,
    /// The GPS fix at the time (the server's code: 3, 2, 0, -1).
    pub fix: Option<i64>,
}

/// A GPS line: a `gps` row.
#[derive(Debug, Clone, PartialEq)]
pub struct GpsRow {
    pub ts: f64,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub alt: Option<f64>,
    pub speed: Option<f64>,
    pub heading: Option<f64>,
    pub fix: Option<i64>,
}

/// An ALERT: an `alerts` row.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    pub ts: f64,
    pub header: Option<String>,
    pub bssid: Option<String>,
    pub source: Option<String>,
    pub dest: Option<String>,
    pub channel: Option<i64>,
    pub text: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A message: STATUS, TERMINATE, an error, a disconnect (a `messages`
/// row).
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRow {
    pub ts: f64,
    /// `status`, `terminate`, `error`, `disconnected`, `connected`...
    pub kind: String,
    pub text: String,
}

/// What the writer is handed.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    SessionStart(SessionStart),
    SessionEnd(SessionEnd),
    Observation(Observation),
    Gps(GpsRow),
    Alert(AlertRow),
    Message(MessageRow),
}

/// What the writer did so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriterStats {
    /// Rows written per table kind.
    pub observations: u64,
    pub gps: u64,
    /// Observations and GPS rows dropped because the queue was full.
    pub thinned: u64,
    /// Device rows written (inserted or updated).
    pub device_rows: u64,
    /// Commits done.
    pub commits: u64,
    /// Unix seconds of the latest commit.
    pub last_commit: Option<f64>,
    /// The error that stopped the writer, if one did (the file is closed
    /// then; nothing more is written).
    pub error: Option<String>,
}

/// The writer thread and its queue.
#[derive(Debug)]
pub struct Writer {
    _private: (),
}

impl Writer {
    /// Opens or creates the database at `path` and starts the writer.
    ///
    /// # Errors
    /// [`DbError`]: not an SQLite file, a newer schema, in use, read-only,
    /// cannot be created.
    pub fn start(path: &Path, options: WriterOptions) -> Result<Writer, DbError> {
        let _ = (path, options);
        unimplemented!("kismet-db writer")
    }

    /// Queues an item; false when it was thinned (only observations and
    /// GPS rows are) or the writer has stopped.
    pub fn send(&self, item: Item) -> bool {
        let _ = item;
        unimplemented!("kismet-db writer")
    }

    /// Hands over the latest state of every device of `server`: written
    /// at the next commit (rows that did not change since the last set
    /// written are left alone); a newer set replaces one not yet written.
    pub fn devices(&self, server: &str, snapshot: Snapshot) {
        let _ = (server, snapshot);
        unimplemented!("kismet-db writer")
    }

    /// What it did so far.
    pub fn stats(&self) -> WriterStats {
        unimplemented!("kismet-db writer")
    }

    /// The file.
    pub fn path(&self) -> &Path {
        unimplemented!("kismet-db writer")
    }

    /// Writes what is queued, commits, closes the file and stops the
    /// thread; the final stats.
    pub fn close(self) -> WriterStats {
        unimplemented!("kismet-db writer")
    }
}
