//! What the front ends share while running commands: the client (which
//! `connect` and `reconnect` replace) and the session's flags.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use super::display::DisplayRules;
use kismet_client::Model;
use kismet_client::{Client, Error, Options, Reply, Wait};
use kismet_protocol::Command;
use kismet_protocol::Frame;

/// The session's settings (`set` lists and changes them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Prefix frame lines with their receive time; JSON frames get `"time"`.
    pub timestamps: bool,
    /// Show decoded values (encryption, type names, times) in frame lines.
    pub decode: bool,
    /// Colour protocol names and hints (only on a terminal).
    pub color: bool,
    /// Most frame lines the interactive shell shows per 0.1 s.
    pub rate_limit: usize,
    /// The interactive shell shows each new alert above the prompt.
    pub alerts: bool,
    /// The interactive shell rings the terminal bell on a new alert.
    pub bell: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            timestamps: false,
            decode: true,
            color: false,
            rate_limit: 200,
            alerts: true,
            bell: false,
        }
    }
}

/// The live model made to read more (capture sources, channels), with
/// how long it has read it.
pub type Reading = Result<(Arc<Model>, Duration), Error>;

/// A connected client and the state of one shell or batch run.
pub struct Session {
    client: RwLock<Arc<Client>>,
    /// How connections are made (`connect` and `reconnect` use it too).
    pub options: Options,
    /// True while the scrolling output is held.
    pub paused: Arc<AtomicBool>,
    /// Frames not shown because output was paused, since the last `pause`.
    pub skipped: Arc<AtomicU64>,
    /// How long to wait for a command's reply.
    pub reply_timeout: Duration,
    /// Set (by Ctrl-C in the shell) to stop waiting for a reply.
    pub interrupted: Arc<AtomicBool>,
    settings: RwLock<Settings>,
    /// Filters and `only`, and what they let through.
    pub display: Mutex<DisplayRules>,
    /// The live model, once started (`networks`, `clients`, `watch`,
    /// `--track`).
    model: Mutex<Option<Arc<Model>>>,
    /// When the model started reading this server (for "no GPS line in
    /// 3 s").
    model_since: Mutex<Option<Instant>>,
    /// While `watch PROTO` runs: the protocol and where its frames go.
    tap: Mutex<Option<Tap>>,
    /// Connections to this server made by clients before the current one
    /// (`reconnect` goes on counting; `connect` to a server starts again).
    pub earlier_connections: AtomicU64,
    /// The size of the outbox the models keep (0: none; a session
    /// database sets it).
    outbox: AtomicUsize,
    /// Since when the models read the capture sources (`sources`, `lock`,
    /// `hop`): models made from then on do too.
    sources_since: Mutex<Option<Instant>>,
    /// The models keep the server's alerts (the shell, `--on-alert`):
    /// models made from now on do too.
    alerts_wanted: AtomicBool,
    /// Since when the models read the activity per channel (`channels`,
    /// `watch channels`): models made from then on do too.
    channels_since: Mutex<Option<Instant>>,
    /// The session database being written (`--db`, `db open`).
    pub db: Mutex<Option<super::database::Database>>,
    /// This session, when it is shared ([`Session::into_shared`]): for the
    /// threads that follow it (the database's feeder).
    me: std::sync::Weak<Session>,
}

/// A protocol (upper case) whose frames a watch view takes, and where.
pub type Tap = (String, crossbeam_channel::Sender<Frame>);

impl Session {
    /// A session over a connected client.
    pub fn new(client: Client, reply_timeout: Duration) -> Session {
        Session {
            options: client.options().clone(),
            client: RwLock::new(Arc::new(client)),
            paused: Arc::new(AtomicBool::new(false)),
            skipped: Arc::new(AtomicU64::new(0)),
            reply_timeout,
            interrupted: Arc::new(AtomicBool::new(false)),
            settings: RwLock::new(Settings::default()),
            display: Mutex::new(DisplayRules::default()),
            model: Mutex::new(None),
            model_since: Mutex::new(None),
            tap: Mutex::new(None),
            earlier_connections: AtomicU64::new(0),
            outbox: AtomicUsize::new(0),
            sources_since: Mutex::new(None),
            alerts_wanted: AtomicBool::new(false),
            channels_since: Mutex::new(None),
            db: Mutex::new(None),
            me: std::sync::Weak::new(),
        }
    }

    /// The session, shared: [`Session::shared`] gives it back from a
    /// reference (the shell and batch runs share theirs so).
    pub fn into_shared(self) -> Arc<Session> {
        Arc::new_cyclic(|me| Session {
            me: me.clone(),
            ..self
        })
    }

    /// The session as shared, when it is ([`Session::into_shared`]).
    pub fn shared(&self) -> Option<Arc<Session>> {
        self.me.upgrade()
    }

    /// Models made from now on keep an outbox of `max` items (for a
    /// session database; 0: none).
    pub fn set_outbox(&self, max: usize) {
        self.outbox.store(max, Ordering::Relaxed);
    }

    /// A new model, keeping what the session's features need: sightings
    /// (for WiGLE exports) and, with a session database, an outbox.
    fn new_model(&self) -> Arc<Model> {
        let model = Arc::new(Model::default());
        // Every sighting at a fix, for `export` and `--export` (WiGLE
        // rows): bounded, and free without a GPS.
        model.keep_sightings(kismet_client::DEFAULT_MAX_SIGHTINGS);
        model.keep_outbox(self.outbox.load(Ordering::Relaxed));
        if self.sources_since.lock().is_some() {
            model.keep_sources();
        }
        if self.alerts_wanted.load(Ordering::Relaxed) {
            model.keep_alerts();
        }
        if self.channels_since.lock().is_some() {
            model.keep_channels();
        }
        model
    }

    /// Keeps the server's alerts from now on, when it has ALERT (false
    /// when it has not): the model asks for ALERT, and is started for its
    /// alerts alone (asking nothing of the devices) if it was not
    /// running. The alerts the server replays in answer (its backlog) are
    /// in it when this returns. Models of servers connected to later keep
    /// them too.
    ///
    /// # Errors
    /// As [`Session::model`].
    pub fn start_alerts(&self) -> Result<bool, Error> {
        self.alerts_wanted.store(true, Ordering::Relaxed);
        if self.client().table().get("ALERT").is_none() {
            return Ok(false);
        }
        let mut slot = self.model.lock();
        let model = match slot.as_ref() {
            Some(m) => m.clone(),
            None => {
                let m = self.new_model();
                m.set_devices(false);
                *slot = Some(m.clone());
                m
            }
        };
        model.keep_alerts();
        self.client().track(model, self.wait())?;
        Ok(true)
    }

    /// The model keeping the alerts, once [`Session::start_alerts`] ran
    /// (whether or not it reads the devices too).
    pub fn alerts_model(&self) -> Option<Arc<Model>> {
        self.model.lock().clone().filter(|m| m.keeps_alerts())
    }

    /// The live model, reading the capture sources: the first time, the
    /// client is asked for SOURCE too. With how long it has read them.
    ///
    /// # Errors
    /// As [`Session::model`].
    pub fn sources_model(&self) -> Reading {
        self.reading_model(
            &self.sources_since,
            Model::keeps_sources,
            Model::keep_sources,
        )
    }

    /// The live model, reading the activity per channel: the first time,
    /// the client is asked for CHANNEL too. With how long it has read it.
    ///
    /// # Errors
    /// As [`Session::model`].
    pub fn channels_model(&self) -> Reading {
        self.reading_model(
            &self.channels_since,
            Model::keeps_channels,
            Model::keep_channels,
        )
    }

    /// The live model, made to `keep` something more the first time (the
    /// client then asked for what it needs), with how long it has since
    /// `since`.
    fn reading_model(
        &self,
        since: &Mutex<Option<Instant>>,
        keeps: fn(&Model) -> bool,
        keep: fn(&Model),
    ) -> Reading {
        let model = self.model()?;
        if !keeps(&model) {
            keep(&model);
            since.lock().get_or_insert_with(Instant::now);
            self.client().track(model.clone(), self.wait())?;
        }
        let age = since.lock().get_or_insert_with(Instant::now).elapsed();
        Ok((model, age))
    }

    /// The session with these settings.
    pub fn with_settings(self, settings: Settings) -> Session {
        *self.settings.write() = settings;
        self
    }

    /// A copy of the settings.
    pub fn settings(&self) -> Settings {
        self.settings.read().clone()
    }

    /// Changes the settings.
    pub fn update_settings(&self, f: impl FnOnce(&mut Settings)) {
        f(&mut self.settings.write());
    }

    /// The current client (cheap: a shared handle).
    pub fn client(&self) -> Arc<Client> {
        self.client.read().clone()
    }

    /// Puts `client` in place of the current one, which is closed.
    pub fn replace_client(&self, client: Client) {
        let old = std::mem::replace(&mut *self.client.write(), Arc::new(client));
        old.close();
    }

    /// The live model, started on first use: the client is asked for the
    /// fields it needs (the user's view does not change), and the records
    /// the server sends in answer are in it when this returns.
    ///
    /// # Errors
    /// As [`Client::track`]: the ENABLEs it takes failed.
    pub fn model(&self) -> Result<Arc<Model>, Error> {
        let mut slot = self.model.lock();
        if let Some(m) = slot.as_ref() {
            if !m.tracks_devices() {
                // Started for the alerts alone: now the devices too.
                m.set_devices(true);
                self.client().track(m.clone(), self.wait())?;
                *self.model_since.lock() = Some(Instant::now());
            }
            return Ok(m.clone());
        }
        let model = self.new_model();
        self.client().track(model.clone(), self.wait())?;
        *slot = Some(model.clone());
        *self.model_since.lock() = Some(Instant::now());
        Ok(model)
    }

    /// How long the model has been reading this server (zero before it
    /// started).
    pub fn model_age(&self) -> Duration {
        self.model_since
            .lock()
            .map_or(Duration::ZERO, |since| since.elapsed())
    }

    /// The watch view's tap on the frames, locked.
    pub fn tap(&self) -> MutexGuard<'_, Option<Tap>> {
        self.tap.lock()
    }

    /// The live model if it was started (one that keeps the alerts
    /// alone does not count: see [`Session::alerts_model`]).
    pub fn model_if_started(&self) -> Option<Arc<Model>> {
        self.model.lock().clone().filter(|m| m.tracks_devices())
    }

    /// After `connect`/`reconnect`: the new client feeds the model too
    /// (a fresh one for another server, the same for the same server).
    ///
    /// # Errors
    /// As [`Session::model`].
    pub fn track_again(&self, same_server: bool) -> Result<(), Error> {
        let mut slot = self.model.lock();
        let Some(old) = slot.as_ref() else {
            drop(slot);
            // No model yet: the last server had no ALERT; this one may.
            if self.alerts_wanted.load(Ordering::Relaxed) {
                self.start_alerts()?;
            }
            return Ok(());
        };
        let model = if same_server {
            old.clone()
        } else {
            *self.model_since.lock() = Some(Instant::now());
            let model = self.new_model();
            model.set_devices(old.tracks_devices());
            model
        };
        *slot = Some(model.clone());
        drop(slot);
        self.client().track(model, self.wait())
    }

    /// The wait for a reply: the reply timeout, cut short by Ctrl-C.
    pub fn wait(&self) -> Wait<'_> {
        Wait::cancellable(self.reply_timeout, &self.interrupted)
    }

    /// Sends a command and waits for its reply.
    ///
    /// # Errors
    /// As [`Client::request`].
    pub fn request(&self, command: &Command) -> Result<Reply, Error> {
        self.client().request(command, self.wait())
    }

    /// The display rules, locked (once per batch of frames).
    pub fn display(&self) -> MutexGuard<'_, DisplayRules> {
        self.display.lock()
    }

    /// True while output is paused.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }
}

/// A session feeds its database: its client now, and its model.
impl super::database::Source for Session {
    fn client(&self) -> Arc<Client> {
        Session::client(self)
    }

    fn model(&self) -> Option<Arc<Model>> {
        self.model_if_started()
    }
}
