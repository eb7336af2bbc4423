//! What the writer is handed and what it reports: the items, the
//! options, the stats, and the state its thread shares with the handle.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kismet_client::Snapshot;
use parking_lot::Mutex;

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
