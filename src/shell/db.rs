//! The session database while connected (`--db FILE`, `db open FILE`):
//! a feeder thread hands the live model's outbox (observations, GPS
//! lines, messages, alerts) and its devices to the database's writer
//! ([`kismet_db::Writer`], a thread of its own), and marks where each
//! connection starts and ends. The reader thread and the display never
//! wait on it: the model's outbox and the writer's queue are bounded, and
//! what does not fit is counted (`status` says how much).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kismet_client::Outbox;
use kismet_db::{
    AlertRow, GpsRow, Item, MessageRow, Observation, SessionEnd, SessionStart, Writer,
    WriterOptions, WriterStats,
};
use kismet_protocol::decode::format_mac;

use super::commands::DbAction;
use super::handlers::Handled;
use super::outcome::{Cell, Outcome, Rows, ShellError};
use super::session::Session;
use kismet_db::{Reader, SqlValue};

/// Items the model's outbox holds at most between two drains (a drain
/// every [`DRAIN_EVERY`]): some 200,000 devices seen in half a second.
pub const OUTBOX_MAX: usize = 100_000;

/// How often the feeder drains the outbox.
const DRAIN_EVERY: Duration = Duration::from_millis(250);

/// How often the feeder hands the writer the devices' state.
const DEVICES_EVERY: Duration = Duration::from_secs(1);

/// Now, Unix seconds.
fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A session database being written.
#[derive(Debug)]
pub struct Database {
    /// Shared with the feeder while it runs.
    writer: Option<Arc<Writer>>,
    path: PathBuf,
    stop: Arc<AtomicBool>,
    feeder: Option<JoinHandle<()>>,
    /// Outbox items the model could not keep (nobody drained in time).
    outbox_dropped: Arc<AtomicU64>,
}

impl Database {
    /// Opens (or creates) the database at `path` and starts feeding it
    /// from `session`'s live model (started here if it is not).
    ///
    /// # Errors
    /// The database's (not a database, newer schema, in use, ...) or the
    /// model's, as text.
    pub fn start(path: &Path, session: &Session) -> Result<Database, String> {
        Database::start_as(path, session, None)
    }

    /// [`Database::start`], naming the server `server` in the database
    /// instead of by the address connected to (a replay's or the demo's
    /// port changes from run to run: the recording's path stays).
    ///
    /// # Errors
    /// As [`Database::start`].
    pub fn start_as(
        path: &Path,
        session: &Session,
        server: Option<String>,
    ) -> Result<Database, String> {
        let Some(shared) = session.shared() else {
            return Err("a database needs a shared session (Session::into_shared)".into());
        };
        let options = WriterOptions {
            app: super::export::APP.to_string(),
            ..WriterOptions::default()
        };
        let writer = Arc::new(Writer::start(path, options).map_err(|e| e.to_string())?);
        // Models made from now on (for another server) keep one too.
        session.set_outbox(OUTBOX_MAX);
        let model = super::handlers::start_model(session).map_err(|e| e.to_string())?;
        // A model started before keeps an outbox from now, and asks for
        // ALERT too (a server without ALERT is not asked).
        model.keep_outbox(OUTBOX_MAX);
        let _ = session.client().track(model, session.wait());
        let stop = Arc::new(AtomicBool::new(false));
        let outbox_dropped = Arc::new(AtomicU64::new(0));
        let feeder = {
            let (writer, stop, dropped) = (writer.clone(), stop.clone(), outbox_dropped.clone());
            // Weak: the session owns the database, and so the feeder.
            let session = Arc::downgrade(&shared);
            std::thread::Builder::new()
                .name("kismet-db-feed".into())
                .spawn(move || feed(&session, server.as_deref(), &writer, &stop, &dropped))
                .map_err(|e| format!("starting the database's feeder: {e}"))?
        };
        Ok(Database {
            writer: Some(writer),
            path: path.to_path_buf(),
            stop,
            feeder: Some(feeder),
            outbox_dropped,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the writer did so far, and the observations the model could
    /// not keep for it.
    pub fn stats(&self) -> (WriterStats, u64) {
        let stats = self.writer.as_ref().map(|w| w.stats()).unwrap_or_default();
        (stats, self.outbox_dropped.load(Ordering::Relaxed))
    }

    /// Stops feeding, writes what is left (the session's end too), and
    /// closes the file; the final stats.
    pub fn close(mut self) -> WriterStats {
        self.stop_feeder();
        match self.writer.take().map(Arc::try_unwrap) {
            Some(Ok(w)) => w.close(),
            Some(Err(w)) => w.stats(),
            None => WriterStats::default(),
        }
    }

    fn stop_feeder(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.feeder.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Database {
    /// As [`Database::close`].
    fn drop(&mut self) {
        self.stop_feeder();
        if let Some(Ok(w)) = self.writer.take().map(Arc::try_unwrap) {
            w.close();
        }
    }
}

/// The state of the connection the feeder saw last.
struct Seen {
    /// When the connection it wrote a session for was made.
    connected_at: Option<Instant>,
}

/// The feeder's loop: drain the outbox every [`DRAIN_EVERY`], hand over
/// the devices every [`DEVICES_EVERY`], start and end sessions as the
/// connection comes and goes; at the stop, one last round and the
/// session's end.
fn feed(
    session: &Weak<Session>,
    label: Option<&str>,
    writer: &Writer,
    stop: &AtomicBool,
    dropped: &AtomicU64,
) {
    let mut seen = Seen { connected_at: None };
    let mut last_devices = Instant::now() - DEVICES_EVERY;
    loop {
        let Some(session) = session.upgrade() else {
            return;
        };
        let stopping = stop.load(Ordering::Acquire);
        let client = session.client();
        let server = label.unwrap_or(client.addr()).to_string();
        let connected = client.is_connected();
        let at = client.connected_at();
        if connected && seen.connected_at != Some(at) {
            if seen.connected_at.is_some() {
                writer.send(Item::SessionEnd(SessionEnd {
                    ended: unix_now() as u64,
                }));
            }
            let info = client.server_info();
            writer.send(Item::SessionStart(SessionStart {
                server: server.clone(),
                server_name: Some(info.name.clone()),
                started: unix_now() as u64,
                greeting: Some(format!(
                    "version {} start {} name {} protocols {}",
                    info.version,
                    info.start_time,
                    info.name,
                    info.protocols.join(",")
                )),
            }));
            seen.connected_at = Some(at);
        }
        // The session's model now (another one after `connect`).
        if let Some(model) = session.model_if_started() {
            let outbox = model.drain_outbox();
            dropped.fetch_add(outbox.dropped, Ordering::Relaxed);
            hand_over(writer, outbox);
            if stopping || last_devices.elapsed() >= DEVICES_EVERY {
                writer.devices(&server, model.snapshot());
                last_devices = Instant::now();
            }
        }
        if (!connected || stopping) && seen.connected_at.is_some() {
            let text = if stopping {
                "closed by kismet-shell"
            } else {
                "disconnected"
            };
            writer.send(Item::Message(MessageRow {
                ts: unix_now(),
                kind: "disconnected".into(),
                text: text.into(),
            }));
            writer.send(Item::SessionEnd(SessionEnd {
                ended: unix_now() as u64,
            }));
            seen.connected_at = None;
        }
        if stopping {
            return;
        }
        std::thread::sleep(DRAIN_EVERY);
    }
}

/// The outbox's items as rows.
fn hand_over(writer: &Writer, outbox: Outbox) {
    for o in outbox.observations {
        writer.send(Item::Observation(Observation {
            ts: o.time as f64,
            kind: if o.client { "client" } else { "network" },
            bssid: format_mac(o.bssid),
            mac: format_mac(o.mac),
            signal_dbm: o.signal_dbm,
            lat: o.at.map(|p| p.lat()),
            lon: o.at.map(|p| p.lon()),
            alt: o.alt_m.map(f64::from),
            fix: o.fix.map(i64::from),
        }));
    }
    for g in outbox.gps {
        writer.send(Item::Gps(GpsRow {
            ts: g.time,
            lat: g.at.map(|p| p.lat()),
            lon: g.at.map(|p| p.lon()),
            alt: g.alt,
            speed: g.speed,
            heading: g.heading,
            fix: g.fix,
        }));
    }
    for m in outbox.messages {
        writer.send(Item::Message(MessageRow {
            ts: m.time,
            kind: m.kind.to_string(),
            text: m.text,
        }));
    }
    for a in outbox.alerts {
        writer.send(Item::Alert(AlertRow {
            ts: a.time,
            header: a.header,
            bssid: a.bssid,
            source: a.source,
            dest: a.dest,
            channel: a.channel,
            text: a.text,
            lat: a.at.map(|p| p.lat()),
            lon: a.at.map(|p| p.lon()),
        }));
    }
}

/// The most rows `sql` prints.
pub const SQL_MAX_ROWS: usize = 10_000;

/// `db`, `db open FILE`, `db close`.
pub fn handler(session: &Session, action: Option<DbAction>, file: Option<&str>) -> Handled {
    let mut slot = session.db.lock();
    match (action, file) {
        (None, _) => Ok(Outcome::Note(match slot.as_ref() {
            Some(db) => db.summary(),
            None => "no database: db open FILE (or --db FILE) keeps this session in one".into(),
        })),
        (Some(DbAction::Open), None) => Err(ShellError::Usage("usage: db open FILE".into())),
        (Some(DbAction::Open), Some(file)) => {
            if let Some(db) = slot.as_ref() {
                return Err(ShellError::Usage(format!(
                    "a database is open: {} (db close first)",
                    db.path().display()
                )));
            }
            let path = super::export::expand_home(file, std::env::var_os("HOME"));
            let db = Database::start(&path, session).map_err(ShellError::Failed)?;
            *slot = Some(db);
            Ok(Outcome::Note(format!(
                "keeping this session in {}",
                path.display()
            )))
        }
        (Some(DbAction::Close), _) => match slot.take() {
            Some(db) => {
                let path = db.path().display().to_string();
                let stats = db.close();
                match stats.error {
                    Some(e) => Err(ShellError::Failed(e)),
                    None => Ok(Outcome::Note(format!("closed {path}: {}", written(&stats)))),
                }
            }
            None => Err(ShellError::Usage("no database is open".into())),
        },
    }
}

/// What a writer wrote, in words.
fn written(stats: &WriterStats) -> String {
    format!(
        "{} device rows, {} observations, {} GPS rows written",
        stats.device_rows, stats.observations, stats.gps
    )
}

impl Database {
    /// One line on what it wrote, and what it could not.
    pub fn summary(&self) -> String {
        let (stats, dropped) = self.stats();
        let mut line = format!("database {}: {}", self.path.display(), written(&stats));
        let lost = stats.thinned + dropped;
        if lost > 0 {
            line.push_str(&format!(
                "; {lost} observations thinned (the disk fell behind)"
            ));
        }
        if let Some(e) = &stats.error {
            line.push_str(&format!("; stopped: {e}"));
        }
        line
    }
}

/// The database `sessions` and `sql` read: the one being written.
fn reader(session: &Session) -> Result<Reader, ShellError> {
    let path = match session.db.lock().as_ref() {
        Some(db) => db.path().to_path_buf(),
        None => {
            return Err(ShellError::Usage(
                "no database: db open FILE, --db FILE, or --open FILE to read one".into(),
            ))
        }
    };
    Reader::open(&path).map_err(|e| ShellError::Failed(e.to_string()))
}

/// `sessions`: the database's sessions.
pub fn sessions(session: &Session) -> Handled {
    sessions_of(&reader(session)?)
}

/// `sql QUERY` on the database being written.
pub fn sql(session: &Session, query: &str) -> Handled {
    sql_on(&reader(session)?, query)
}

/// `sessions` of a database.
pub fn sessions_of(reader: &Reader) -> Handled {
    let rows = reader
        .sessions()
        .map_err(|e| ShellError::Failed(e.to_string()))?;
    let time = |t: u64| Cell::Text(super::render::time::local_text(t));
    Ok(Outcome::Rows(Rows {
        kind: "session",
        empty: "sessions",
        columns: [
            "id",
            "server",
            "name",
            "started",
            "ended",
            "devices",
            "observations",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    Cell::Integer(r.id),
                    Cell::Text(r.server),
                    r.server_name.map_or(Cell::Null, Cell::Text),
                    time(r.started),
                    r.ended.map_or(Cell::Null, time),
                    Cell::Integer(i64::try_from(r.devices).unwrap_or(i64::MAX)),
                    Cell::Integer(i64::try_from(r.observations).unwrap_or(i64::MAX)),
                ]
            })
            .collect(),
        note: None,
    }))
}

/// `sql QUERY` on a database.
pub fn sql_on(reader: &Reader, query: &str) -> Handled {
    let result = reader
        .query(query, SQL_MAX_ROWS)
        .map_err(|e| ShellError::Failed(e.to_string()))?;
    let note = result
        .truncated
        .then(|| format!("(the first {SQL_MAX_ROWS} rows; LIMIT and OFFSET show others)"));
    Ok(Outcome::Rows(Rows {
        kind: "row",
        empty: "rows",
        columns: result.columns,
        rows: result
            .rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|v| match v {
                        SqlValue::Null => Cell::Null,
                        SqlValue::Integer(i) => Cell::Integer(i),
                        SqlValue::Real(r) => Cell::Real(r),
                        SqlValue::Text(t) => Cell::Text(t),
                        SqlValue::Blob(n) => Cell::Blob(n),
                    })
                    .collect()
            })
            .collect(),
        note,
    }))
}
