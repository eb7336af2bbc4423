//! Reading a session database: the devices as views, the sessions, the
//! track and observations, and read-only SQL.
//!
//! A reader opens the file read-only and never changes it. A file of an
//! older schema is refused ([`DbError::OlderSchema`]) rather than read
//! with columns missing: opening it once for writing (`--db`) migrates
//! it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kismet_client::{
    ClientView, History, LatLon, NetworkView, Sighting, Snapshot, SsidView, TrackPoint,
    MAX_TRACK_POINTS,
};
use kismet_protocol::decode::parse_mac;
use rusqlite::types::{ToSql, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::{error_code, sqlite_message};
use crate::file::{self, Contents};
use crate::rows::{self, get_f64, get_i64, get_text, get_u64};
use crate::schema::SCHEMA_VERSION;
use crate::DbError;

/// How long [`Reader::query`] lets a statement run by default.
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// A gap between two GPS rows longer than this (seconds) breaks the
/// track.
const MAX_TRACK_GAP_S: f64 = 3.0;

/// Which devices [`Reader::snapshot`] gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Select {
    /// Only those last seen at or after this (Unix seconds).
    pub since: Option<u64>,
    /// Only those of this server (its address, or its name).
    pub server: Option<String>,
}

/// A `sessions` row.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    /// Its id (`session` in the other tables).
    pub id: i64,
    /// `HOST:PORT`, or a recording's path.
    pub server: String,
    /// The server's name from its greeting.
    pub server_name: Option<String>,
    /// Unix seconds.
    pub started: u64,
    /// Unix seconds, once ended.
    pub ended: Option<u64>,
    /// Devices seen in it (observations' distinct MACs).
    pub devices: u64,
    /// Its observations.
    pub observations: u64,
}

/// A value a query returned.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// NULL.
    Null,
    /// An integer.
    Integer(i64),
    /// A real.
    Real(f64),
    /// Text (bytes that are not UTF-8 replaced).
    Text(String),
    /// A BLOB, as its length.
    Blob(usize),
}

/// What a query returned.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// The columns' names.
    pub columns: Vec<String>,
    /// The rows, at most the limit asked for.
    pub rows: Vec<Vec<SqlValue>>,
    /// Rows left out past the limit asked for.
    pub truncated: bool,
}

/// A database opened read-only.
#[derive(Debug)]
pub struct Reader {
    /// The connection (read-only).
    conn: Connection,
    /// The file.
    path: PathBuf,
    /// How long a query may run.
    query_timeout: Duration,
}

/// The statements [`Reader::query`] runs, by their first word.
const QUERY_KEYWORDS: [&str; 4] = ["SELECT", "WITH", "EXPLAIN", "PRAGMA"];

impl Reader {
    /// Opens `path` read-only.
    ///
    /// # Errors
    /// [`DbError`]: no such file, not an SQLite file, not a session
    /// database, a newer schema, an older one (see the module's
    /// documentation).
    pub fn open(path: &Path) -> Result<Reader, DbError> {
        let err = |e| DbError::from_sqlite(path, e);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(err)?;
        conn.busy_timeout(Duration::from_secs(2)).map_err(err)?;
        match file::inspect(&conn, path)? {
            Contents::Empty => Err(DbError::not_ours(path, "an SQLite file with no tables")),
            Contents::Version(found) if found > SCHEMA_VERSION => Err(DbError::NewerSchema {
                path: path.display().to_string(),
                found,
                supported: SCHEMA_VERSION,
            }),
            Contents::Version(found) if found < SCHEMA_VERSION => Err(DbError::OlderSchema {
                path: path.display().to_string(),
                found,
                supported: SCHEMA_VERSION,
            }),
            Contents::Version(_) => Ok(Reader {
                conn,
                path: path.to_path_buf(),
                query_timeout: DEFAULT_QUERY_TIMEOUT,
            }),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sets how long [`Reader::query`] lets a statement run before
    /// stopping it ([`DEFAULT_QUERY_TIMEOUT`] unless set).
    pub fn set_query_timeout(&mut self, timeout: Duration) {
        self.query_timeout = timeout;
    }

    /// SQLite's error as ours.
    fn err(&self, error: rusqlite::Error) -> DbError {
        DbError::from_sqlite(&self.path, error)
    }

    /// The devices, as the live model's views (networks sorted by BSSID,
    /// clients by BSSID then MAC; over several servers, a BSSID seen by
    /// two is the one last seen).
    ///
    /// # Errors
    /// [`DbError::Sqlite`] when the file cannot be read.
    pub fn snapshot(&self, select: &Select) -> Result<Snapshot, DbError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let snapshot = self.read_snapshot(select).map_err(|e| self.err(e))?;
        tx.finish().map_err(|e| self.err(e))?;
        Ok(snapshot)
    }

    /// [`Reader::snapshot`] inside its read transaction.
    fn read_snapshot(&self, select: &Select) -> rusqlite::Result<Snapshot> {
        let since = select.since.map(|s| i64::try_from(s).unwrap_or(i64::MAX));
        let server = select.server.as_deref();
        let filter = "WHERE (?1 IS NULL OR last_seen >= ?1) AND (?2 IS NULL OR server = ?2 \
             OR server IN (SELECT server FROM sessions WHERE server_name = ?2))";
        let args: [&dyn ToSql; 2] = [&since, &server];

        let sql = format!(
            "SELECT {} FROM networks {filter} \
             ORDER BY bssid, coalesce(last_seen, -1) DESC, server",
            rows::NETWORK_COLUMNS
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut networks: Vec<(String, NetworkView)> = Vec::new();
        let mut need_ssids = Vec::new();
        let mut found = stmt.query(&args[..])?;
        while let Some(row) = found.next()? {
            let (server, view, has_list) = rows::network_view(row)?;
            if networks.last().is_some_and(|(_, n)| n.bssid == view.bssid) {
                continue;
            }
            if !has_list {
                // The BSSID as stored, which the `ssids` rows repeat.
                let stored = get_text(row.get_ref(1)?).unwrap_or_default();
                need_ssids.push((networks.len(), stored));
            }
            networks.push((server, view));
        }
        for (i, bssid) in need_ssids {
            let (server, n) = &mut networks[i];
            n.ssids = self.ssid_rows(server, &bssid)?;
        }

        let sql = format!(
            "SELECT {} FROM clients {filter} \
             ORDER BY bssid, mac, coalesce(last_seen, -1) DESC, server",
            rows::CLIENT_COLUMNS
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut clients: Vec<ClientView> = Vec::new();
        let mut found = stmt.query(&args[..])?;
        while let Some(row) = found.next()? {
            let (_, view) = rows::client_view(row)?;
            if clients
                .last()
                .is_some_and(|c| c.bssid == view.bssid && c.mac == view.mac)
            {
                continue;
            }
            clients.push(view);
        }

        let mut networks: Vec<NetworkView> = networks.into_iter().map(|(_, n)| n).collect();
        // SQL sorted the text as stored; the model's order is the MAC's
        // (the same for MACs in its form, kept for any other text).
        networks.sort_by(|a, b| a.bssid.cmp(&b.bssid));
        networks.dedup_by(|a, b| a.bssid == b.bssid);
        clients.sort_by(|a, b| (&a.bssid, &a.mac).cmp(&(&b.bssid, &b.mac)));
        let names: HashMap<&str, &Option<String>> = networks
            .iter()
            .map(|n| (n.bssid.as_str(), &n.ssid))
            .collect();
        for c in &mut clients {
            c.ssid = names.get(c.bssid.as_str()).and_then(|s| (*s).clone());
        }
        Ok(Snapshot {
            networks,
            clients,
            ..Snapshot::default()
        })
    }

    /// A network's SSID records from its `ssids` rows (for a row whose
    /// `fields_json` has no list).
    fn ssid_rows(&self, server: &str, bssid: &str) -> rusqlite::Result<Vec<SsidView>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ssid, type, last_seen FROM ssids WHERE server = ?1 AND bssid = ?2 \
             ORDER BY first_seen IS NULL, first_seen, rowid",
        )?;
        let mut out = Vec::new();
        let mut found = stmt.query([server, bssid])?;
        while let Some(row) = found.next()? {
            out.push(rows::ssid_from_row(
                get_text(row.get_ref(0)?).unwrap_or_default(),
                &get_text(row.get_ref(1)?).unwrap_or_default(),
                get_u64(row.get_ref(2)?),
            ));
        }
        Ok(out)
    }

    /// The sessions, oldest first, with their observations and distinct
    /// MACs counted (in one pass over an index).
    ///
    /// # Errors
    /// [`DbError::Sqlite`] when the file cannot be read.
    pub fn sessions(&self) -> Result<Vec<SessionRow>, DbError> {
        self.read_sessions().map_err(|e| self.err(e))
    }

    /// [`Reader::sessions`].
    fn read_sessions(&self) -> rusqlite::Result<Vec<SessionRow>> {
        let mut stmt = self.conn.prepare(SESSIONS_QUERY)?;
        let mut out = Vec::new();
        let mut found = stmt.query([])?;
        while let Some(row) = found.next()? {
            let col = |i: usize| row.get_ref(i);
            out.push(SessionRow {
                id: get_i64(col(0)?).unwrap_or(0),
                server: get_text(col(1)?).unwrap_or_default(),
                server_name: get_text(col(2)?),
                started: get_u64(col(3)?).unwrap_or(0),
                ended: get_u64(col(4)?),
                observations: get_u64(col(5)?).unwrap_or(0),
                devices: get_u64(col(6)?).unwrap_or(0),
            });
        }
        Ok(out)
    }

    /// The GPS track and the observations with a position, as the
    /// model's history (for exports).
    ///
    /// The track: the `gps` rows with a 2D or 3D fix and a position (not
    /// 0,0), in time order; a new segment starts after a row without one
    /// or a gap of more than 3 s; standing still is one point, at the
    /// latest time (as the live model keeps it). The sightings: the
    /// `observations` with a position (and a fix of 2 or more, when
    /// recorded), in time order, none left out.
    ///
    /// # Errors
    /// [`DbError::Sqlite`] when the file cannot be read.
    pub fn history(&self, select: &Select) -> Result<History, DbError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let history = self.read_history(select).map_err(|e| self.err(e))?;
        tx.finish().map_err(|e| self.err(e))?;
        Ok(history)
    }

    /// [`Reader::history`] inside its read transaction.
    fn read_history(&self, select: &Select) -> rusqlite::Result<History> {
        let since = select.since.map(|s| s as f64);
        let server = select.server.as_deref();
        let args: [&dyn ToSql; 2] = [&since, &server];
        let mut history = History {
            keeps_sightings: true,
            ..History::default()
        };

        let mut stmt = self.conn.prepare(
            "SELECT ts, lat, lon, alt, fix FROM gps \
             WHERE (?1 IS NULL OR ts >= ?1) AND (?2 IS NULL OR session IN \
             (SELECT id FROM sessions WHERE server = ?2 OR server_name = ?2)) \
             ORDER BY ts",
        )?;
        let mut track = Track::default();
        let mut found = stmt.query(&args[..])?;
        while let Some(row) = found.next()? {
            let col = |i: usize| row.get_ref(i);
            let Some(ts) = get_f64(col(0)?) else {
                continue;
            };
            let fix = get_i64(col(4)?);
            let at = match fix {
                Some(f) if f >= 2 => position(col(1)?, col(2)?),
                _ => None,
            };
            let alt = fix.filter(|&f| f >= 3).and(get_f64(col(3)?)).map(alt_m);
            track.add(&mut history, ts, at, alt);
        }

        let mut stmt = self.conn.prepare(
            "SELECT ts, kind, bssid, mac, signal_dbm, lat, lon, alt FROM observations \
             WHERE lat IS NOT NULL AND lon IS NOT NULL AND (fix IS NULL OR fix >= 2) \
             AND (?1 IS NULL OR ts >= ?1) AND (?2 IS NULL OR server = ?2 OR server IN \
             (SELECT server FROM sessions WHERE server_name = ?2)) \
             ORDER BY ts",
        )?;
        let mut found = stmt.query(&args[..])?;
        while let Some(row) = found.next()? {
            let col = |i: usize| row.get_ref(i);
            let mac_of = |v: ValueRef<'_>| match v {
                ValueRef::Text(t) => parse_mac(t),
                _ => None,
            };
            let (Some(ts), Some(bssid), Some(mac), Some(at)) = (
                get_f64(col(0)?).filter(|t| *t >= 0.0),
                mac_of(col(2)?),
                mac_of(col(3)?),
                position(col(5)?, col(6)?),
            ) else {
                continue;
            };
            let client = matches!(col(1)?, ValueRef::Text(b"client"));
            history.sightings.push(Sighting::new(
                mac,
                bssid,
                client,
                ts as u64,
                at,
                get_f64(col(7)?).map(alt_m),
                get_i64(col(4)?).and_then(|s| i32::try_from(s).ok()),
                None,
            ));
        }
        Ok(history)
    }

    /// A network's signal as its `observations` give it (those of its own
    /// record, with a signal): one point a second, (Unix second, dBm),
    /// oldest first, over the [`SIGNAL_SECONDS`](kismet_client::SIGNAL_SECONDS)
    /// up to its last (at most that many points), as the live model keeps
    /// it. A signal out of -255..=255 dBm, or 0 (the server's "none"), is
    /// left out.
    ///
    /// # Errors
    /// [`DbError::Sqlite`] when the file cannot be read.
    pub fn signal_history(&self, bssid: &str) -> Result<Vec<(u64, i32)>, DbError> {
        let span = kismet_client::SIGNAL_SECONDS;
        let read = || -> rusqlite::Result<Vec<(u64, i32)>> {
            let mut stmt = self.conn.prepare(
                "SELECT ts, signal_dbm FROM observations \
                 WHERE mac = ?1 AND bssid = ?1 AND kind = 'network' \
                 AND signal_dbm IS NOT NULL ORDER BY ts DESC LIMIT ?2",
            )?;
            let limit = i64::try_from(span).unwrap_or(i64::MAX);
            let mut found = stmt.query(rusqlite::params![bssid, limit])?;
            let mut points: Vec<(u64, i32)> = Vec::new();
            while let Some(row) = found.next()? {
                let ts = get_f64(row.get_ref(0)?).filter(|t| t.is_finite() && *t >= 0.0);
                let dbm = get_i64(row.get_ref(1)?).filter(|d| *d != 0 && (-255..=255).contains(d));
                let (Some(ts), Some(dbm)) = (ts, dbm) else {
                    continue;
                };
                // Newest first: the first of a second is its last reading.
                let second = ts as u64;
                if points.last().is_none_or(|p| p.0 != second) {
                    points.push((second, dbm as i32));
                }
            }
            points.reverse();
            let newest = points.last().map_or(0, |p| p.0);
            points.retain(|p| p.0 + span as u64 > newest);
            Ok(points)
        };
        read().map_err(|e| self.err(e))
    }

    /// Runs a read-only query; at most `limit` rows.
    ///
    /// Only `SELECT`, `WITH`, `EXPLAIN` and `PRAGMA` statements that
    /// SQLite says are read-only run (one statement; the connection is
    /// read-only besides), and for at most the query timeout (see
    /// [`Reader::set_query_timeout`]).
    ///
    /// # Errors
    /// [`DbError::Query`]: refused, not valid SQL (SQLite's message), or
    /// stopped for taking too long.
    pub fn query(&self, sql: &str, limit: usize) -> Result<QueryResult, DbError> {
        let word = first_word(sql).to_ascii_uppercase();
        if !QUERY_KEYWORDS.contains(&word.as_str()) {
            return Err(refused(&word));
        }
        let mut stmt = self
            .conn
            .prepare(sql)
            .map_err(|e| DbError::Query(sqlite_message(&e)))?;
        if !stmt.readonly() {
            return Err(refused(&word));
        }
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let started = Instant::now();
        let timeout = self.query_timeout;
        self.conn
            .progress_handler(1000, Some(move || started.elapsed() > timeout));
        let result = run_query(&mut stmt, columns.len(), limit);
        self.conn.progress_handler(0, None::<fn() -> bool>);
        let (rows, truncated) = result.map_err(|e| match error_code(&e) {
            Some(ErrorCode::OperationInterrupted) => DbError::Query(format!(
                "the query ran longer than {} s and was stopped",
                timeout.as_secs_f64()
            )),
            _ => DbError::Query(sqlite_message(&e)),
        })?;
        Ok(QueryResult {
            columns,
            rows,
            truncated,
        })
    }
}

/// The counts per session, over the covering index
/// `observations_by_session`.
pub(crate) const SESSIONS_QUERY: &str = "
SELECT s.id, s.server, s.server_name, s.started, s.ended,
       coalesce(c.observations, 0), coalesce(c.devices, 0)
FROM sessions AS s
LEFT JOIN (SELECT session, count(*) AS observations, count(DISTINCT mac) AS devices
           FROM observations GROUP BY session) AS c ON c.session = s.id
ORDER BY s.started, s.id";

/// The refusal of a statement that is not a read-only query.
fn refused(word: &str) -> DbError {
    let what = if word.is_empty() {
        "an empty statement".to_owned()
    } else {
        format!("a {word} statement")
    };
    DbError::Query(format!(
        "refused {what}: only read-only queries run here (SELECT, WITH, EXPLAIN, PRAGMA)"
    ))
}

/// The first word of a statement, past spaces and comments.
fn first_word(sql: &str) -> &str {
    let mut rest = sql;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    let end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Steps through a statement's rows: at most `limit`, and whether there
/// were more.
fn run_query(
    stmt: &mut rusqlite::Statement<'_>,
    width: usize,
    limit: usize,
) -> rusqlite::Result<(Vec<Vec<SqlValue>>, bool)> {
    let mut rows = Vec::new();
    let mut found = stmt.query([])?;
    while let Some(row) = found.next()? {
        if rows.len() == limit {
            return Ok((rows, true));
        }
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(match row.get_ref(i)? {
                ValueRef::Null => SqlValue::Null,
                ValueRef::Integer(v) => SqlValue::Integer(v),
                ValueRef::Real(v) => SqlValue::Real(v),
                ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => SqlValue::Blob(b.len()),
            });
        }
        rows.push(values);
    }
    Ok((rows, false))
}

/// A position from two columns: `None` when either is missing, out of
/// range, or 0,0.
fn position(lat: ValueRef<'_>, lon: ValueRef<'_>) -> Option<LatLon> {
    LatLon::from_degrees(get_f64(lat)?, get_f64(lon)?).filter(|p| !p.is_null_island())
}

/// An altitude in whole metres, as the history keeps it.
fn alt_m(alt: f64) -> i16 {
    alt.round()
        .clamp(f64::from(i16::MIN + 1), f64::from(i16::MAX)) as i16
}

/// The track being built from `gps` rows.
#[derive(Default)]
struct Track {
    /// The fix was lost since the last point (or there is none yet).
    gap: bool,
    /// The time of the last row with a position.
    last_ts: Option<f64>,
}

impl Track {
    /// A `gps` row at `ts`: `at` its position when usable, `alt` its
    /// altitude (3D fix).
    fn add(&mut self, history: &mut History, ts: f64, at: Option<LatLon>, alt: Option<i16>) {
        let Some(at) = at else {
            self.gap = true;
            return;
        };
        let track = &mut history.track;
        let long_gap = self.last_ts.is_some_and(|t| ts - t > MAX_TRACK_GAP_S);
        self.last_ts = Some(ts);
        let new_segment = self.gap || long_gap || track.is_empty();
        let time = ts.max(0.0) as u64;
        if let Some(last) = track.last_mut() {
            if last.at == at && !new_segment {
                last.time = time;
                return;
            }
        }
        if track.len() >= MAX_TRACK_POINTS {
            history.dropped_track += 1;
            return;
        }
        self.gap = false;
        track.push(TrackPoint {
            at,
            alt_m: alt,
            time,
            new_segment,
        });
    }
}
