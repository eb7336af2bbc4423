//! The session database being written: a feeder thread hands the live
//! model's outbox (observations, GPS lines, messages, alerts) and its
//! devices to the database's writer ([`kismet_db::Writer`], a thread of
//! its own), and marks where each connection starts and ends. The reader
//! thread and the display never wait on it: the model's outbox and the
//! writer's queue are bounded, and what does not fit is counted (`status`
//! says how much). What it feeds from is a [`Source`] (the session), held
//! weakly: the session owns the database.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kismet_client::{Client, Model, Outbox};
use kismet_db::{
    AlertRow, GpsRow, Item, MessageRow, Observation, SessionEnd, SessionStart, Writer,
    WriterOptions, WriterStats,
};
use kismet_protocol::decode::format_mac;

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

/// What a database is fed from: the connection now (another after
/// `connect`), and its live model.
pub trait Source: Send + Sync {
    /// The client of the connection now.
    fn client(&self) -> Arc<Client>;
    /// The live model, once started.
    fn model(&self) -> Option<Arc<Model>>;
}

/// A session database being written.
#[derive(Debug)]
pub struct Database {
    /// Shared with the feeder while it runs.
    writer: Option<Arc<Writer>>,
    path: PathBuf,
    stop: Arc<AtomicBool>,
    /// A feeder a server (several with several servers, each on its
    /// own stream of the writer).
    feeders: Vec<JoinHandle<()>>,
    /// Outbox items the model could not keep (nobody drained in time).
    outbox_dropped: Arc<AtomicU64>,
}

impl Database {
    /// Opens (or creates) the database at `path` (written by `app`) and
    /// starts feeding it from `source`'s model; `server` names the server
    /// in the database instead of the address connected to (a replay's or
    /// the demo's port changes from run to run: the recording's path
    /// stays). The model must keep an outbox
    /// ([`Model::keep_outbox`]).
    ///
    /// # Errors
    /// The database's (not a database, newer schema, in use, ...), as
    /// text.
    pub fn start(
        path: &Path,
        app: &str,
        source: Weak<dyn Source>,
        server: Option<String>,
    ) -> Result<Database, String> {
        let options = WriterOptions {
            app: app.to_string(),
            ..WriterOptions::default()
        };
        let writer = Arc::new(Writer::start(path, options).map_err(|e| e.to_string())?);
        let stop = Arc::new(AtomicBool::new(false));
        let outbox_dropped = Arc::new(AtomicU64::new(0));
        let mut db = Database {
            writer: Some(writer),
            path: path.to_path_buf(),
            stop,
            feeders: Vec::new(),
            outbox_dropped,
        };
        db.attach(source, server)?;
        Ok(db)
    }

    /// Feeds it from one more server's `source` too (several servers in
    /// one database: each on a stream of the writer's, so each row takes
    /// its own server's session), named `server` (else its address).
    ///
    /// # Errors
    /// The feeder's thread cannot start, or the database is closing.
    pub fn attach(
        &mut self,
        source: Weak<dyn Source>,
        server: Option<String>,
    ) -> Result<(), String> {
        let Some(writer) = self.writer.clone() else {
            return Err("the database is closing".into());
        };
        let stream = u32::try_from(self.feeders.len()).unwrap_or(u32::MAX);
        let (stop, dropped) = (self.stop.clone(), self.outbox_dropped.clone());
        let feeder = std::thread::Builder::new()
            .name("kismet-db-feed".into())
            .spawn(move || {
                let to = Stream {
                    writer: &writer,
                    stream,
                };
                feed(&source, server.as_deref(), to, &stop, &dropped)
            })
            .map_err(|e| format!("starting the database's feeder: {e}"))?;
        self.feeders.push(feeder);
        Ok(())
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
        for t in self.feeders.drain(..) {
            // The feeder itself may drop the last hold on the session,
            // and so this database: it is ending then, and not waited for.
            if t.thread().id() != std::thread::current().id() {
                let _ = t.join();
            }
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

/// Where a feeder writes: its stream of the writer.
#[derive(Clone, Copy)]
struct Stream<'a> {
    writer: &'a Writer,
    stream: u32,
}

impl Stream<'_> {
    fn send(self, item: Item) {
        self.writer.send_on(self.stream, item);
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
    source: &Weak<dyn Source>,
    label: Option<&str>,
    to: Stream<'_>,
    stop: &AtomicBool,
    dropped: &AtomicU64,
) {
    let writer = to.writer;
    let mut seen = Seen { connected_at: None };
    let mut last_devices = Instant::now() - DEVICES_EVERY;
    loop {
        let Some(source) = source.upgrade() else {
            return;
        };
        let stopping = stop.load(Ordering::Acquire);
        let client = source.client();
        let server = label.unwrap_or(client.addr()).to_string();
        let connected = client.is_connected();
        let at = client.connected_at();
        if connected && seen.connected_at != Some(at) {
            if seen.connected_at.is_some() {
                to.send(Item::SessionEnd(SessionEnd {
                    ended: unix_now() as u64,
                }));
            }
            let info = client.server_info();
            to.send(Item::SessionStart(SessionStart {
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
        if let Some(model) = source.model() {
            let outbox = model.drain_outbox();
            dropped.fetch_add(outbox.dropped, Ordering::Relaxed);
            hand_over(to, outbox);
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
            to.send(Item::Message(MessageRow {
                ts: unix_now(),
                kind: "disconnected".into(),
                text: text.into(),
            }));
            to.send(Item::SessionEnd(SessionEnd {
                ended: unix_now() as u64,
            }));
            seen.connected_at = None;
        }
        if stopping {
            return;
        }
        // Not held while asleep: the session may go meanwhile.
        drop(source);
        std::thread::sleep(DRAIN_EVERY);
    }
}

/// The outbox's items as rows.
fn hand_over(to: Stream<'_>, outbox: Outbox) {
    for o in outbox.observations {
        to.send(Item::Observation(Observation {
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
        to.send(Item::Gps(GpsRow {
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
        to.send(Item::Message(MessageRow {
            ts: m.time,
            kind: m.kind.to_string(),
            text: m.text,
        }));
    }
    for a in outbox.alerts {
        to.send(Item::Alert(AlertRow {
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

/// What a writer wrote, in words.
pub fn written(stats: &WriterStats) -> String {
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
