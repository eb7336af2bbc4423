//! The state one simulator's threads share: the world, the list of
//! connected clients, broadcasting to them, the simulated clock, and an
//! orderly stop. No thread is started here (that is `listener`'s job).
//!
//! Lock order, everywhere: world, then the client list, then one client's
//! subscriptions. Holding the world lock while answering a command and
//! while broadcasting a tick keeps every client's stream in one order.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::capabilities::{protocols_line, Proto};
use super::client::ClientHandle;
use super::config::SimConfig;
use super::record::Record;
use super::records;
use super::util::lock;
use super::world::World;
use crate::protocol::spec::{status_flags, TERMINATE_TEXT};

/// State shared by every thread of one simulator.
pub struct Shared {
    /// The configuration it was started with.
    pub config: SimConfig,
    /// Server start time, epoch seconds (the KISMET `starttime`).
    pub start_time: u64,
    /// The simulated clock: when it started, and the epoch time then.
    started: Instant,
    start_epoch: f64,
    /// The simulated world.
    pub world: Mutex<World>,
    clients: Mutex<Vec<Arc<ClientHandle>>>,
    stopping: AtomicBool,
    next_id: AtomicU64,
    log: bool,
    /// CLIENT records for flood mode, and a generation number.
    flood: Mutex<(u64, Arc<Vec<Record>>)>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// When the connections are to be closed after a SHUTDOWN command.
    close_deadline: Mutex<Option<Instant>>,
}

impl Shared {
    /// Shared state around `world`, started now, at `start_epoch` (epoch
    /// seconds with their fraction).
    pub fn new(config: SimConfig, world: World, start_epoch: f64, log: bool) -> Shared {
        Shared {
            config,
            start_time: start_epoch as u64,
            started: Instant::now(),
            start_epoch,
            world: Mutex::new(world),
            clients: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(false),
            next_id: AtomicU64::new(1),
            log,
            flood: Mutex::new((0, Arc::new(Vec::new()))),
            threads: Mutex::new(Vec::new()),
            close_deadline: Mutex::new(None),
        }
    }

    /// True once the server is shutting down.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    /// The simulated epoch time `elapsed` after the start: one simulated
    /// second per configured tick, so that with a fast tick (tests) the
    /// server's clock runs fast too, and with the default 1 s tick it is
    /// the wall clock.
    pub fn epoch_at(&self, elapsed: Duration) -> f64 {
        let tick = self.config.tick.max(Duration::from_millis(1));
        self.start_epoch + elapsed.as_secs_f64() / tick.as_secs_f64()
    }

    /// The simulated epoch time now, whole seconds.
    pub fn now(&self) -> u64 {
        self.epoch_at(self.started.elapsed()) as u64
    }

    /// How long ago the simulated clock started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Logs to stderr in standalone mode.
    pub fn log(&self, msg: &str) {
        if self.log {
            eprintln!("kismet-shell sim: {msg}");
        }
    }

    /// A number for the next connection.
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Number of connected clients.
    pub fn connections(&self) -> usize {
        lock(&self.clients).len()
    }

    /// Queues records to every client (each gets the protocols it enabled).
    pub fn broadcast(&self, records: &[(Proto, Record)]) {
        let items: Vec<(Proto, &Record)> = records.iter().map(|(p, r)| (*p, r)).collect();
        for c in lock(&self.clients).iter() {
            c.send(&items);
        }
    }

    /// Queues a STATUS line to every client that enabled STATUS.
    pub fn status(&self, text: &str, flags: u32) {
        self.broadcast(&[(
            Proto::Status,
            records::status_record(text.as_bytes(), flags),
        )]);
    }

    /// A copy of the client list.
    pub fn clients(&self) -> Vec<Arc<ClientHandle>> {
        lock(&self.clients).clone()
    }

    /// Greets a new client and adds it to the list, announcing it to the
    /// others. The caller holds the world lock, so no tick lands before
    /// the greeting.
    pub fn admit(&self, _world: &World, client: Arc<ClientHandle>) {
        client.send(&[
            (
                Proto::Kismet,
                &records::kismet_record(self.start_time, &self.config.server_name),
            ),
            (Proto::Protocols, &records::payload_record(protocols_line())),
        ]);
        let text = format!(
            "Kismet server accepted connection from {}",
            client.peer.ip()
        );
        self.status(&text, status_flags::INFO);
        lock(&self.clients).push(client);
    }

    /// Forgets a client that disconnected.
    pub fn remove_client(&self, id: u64) {
        lock(&self.clients).retain(|c| c.id != id);
    }

    /// The flood mode's CLIENT records and their generation.
    pub fn flood_snapshot(&self) -> (u64, Arc<Vec<Record>>) {
        let f = lock(&self.flood);
        (f.0, f.1.clone())
    }

    /// New CLIENT records for flood mode.
    pub fn set_flood(&self, records: Vec<Record>) {
        let mut f = lock(&self.flood);
        *f = (f.0 + 1, Arc::new(records));
    }

    /// The SHUTDOWN command, as a real server carries it out (the caller
    /// holds the world lock and already sent STATUS `Received SHUTDOWN
    /// command`): TERMINATE to every client, then one STATUS `Stopped
    /// source '<name>'` per capture source, then nothing more; every
    /// connection is closed [`SimConfig::shutdown_linger`] later. No new
    /// connections, no more ticks.
    pub fn shutdown_command(&self, world: &World) {
        self.stopping.store(true, Ordering::Relaxed);
        let clients = self.clients();
        let term = records::payload_record(TERMINATE_TEXT);
        for c in &clients {
            c.send_one(Proto::Terminate, &term);
        }
        for s in world.sources() {
            self.status(
                &format!("Stopped source '{}'", s.username),
                status_flags::INFO,
            );
        }
        let at = Instant::now() + self.config.shutdown_linger;
        *lock(&self.close_deadline) = Some(at);
        for c in &clients {
            c.finish(at);
        }
    }

    /// Our own stop ([`super::Sim::shutdown`], Ctrl-C in `kismet-shell
    /// sim`), not the SHUTDOWN command: TERMINATE queued to every client
    /// as the last line it gets, the connections closed as soon as their
    /// queues are drained, no new connections, every thread winding down.
    /// Clients a SHUTDOWN command already finished keep their linger.
    pub fn terminate_all(&self) {
        self.stopping.store(true, Ordering::Relaxed);
        let term = records::payload_record(TERMINATE_TEXT);
        let now = Instant::now();
        for c in lock(&self.clients).iter() {
            if c.close_at().is_none() {
                c.send_one(Proto::Terminate, &term);
                c.finish(now);
            }
        }
    }

    /// Runs `f` on a thread of its own, joined by [`Shared::join`].
    ///
    /// # Errors
    /// When the thread cannot be started.
    pub fn spawn(&self, name: &str, f: impl FnOnce() + Send + 'static) -> io::Result<()> {
        let h = thread::Builder::new()
            .name(format!("sim-{name}"))
            .spawn(f)?;
        lock(&self.threads).push(h);
        Ok(())
    }

    /// Waits for every thread, at most about `grace` (or until the end of
    /// a SHUTDOWN command's linger, if later) plus one second: after that
    /// time, sockets still open are shut down to unblock their threads;
    /// threads still running a second later are left to finish on their
    /// own.
    pub fn join(&self, grace: Duration) {
        let start = Instant::now();
        let force_at = lock(&self.close_deadline).map_or(start + grace, |d| d.max(start + grace));
        let mut forced = false;
        loop {
            let handles: Vec<JoinHandle<()>> = std::mem::take(&mut *lock(&self.threads));
            let mut pending = Vec::new();
            for h in handles {
                if h.is_finished() {
                    let _ = h.join();
                } else {
                    pending.push(h);
                }
            }
            if pending.is_empty() && lock(&self.threads).is_empty() {
                return;
            }
            lock(&self.threads).extend(pending);
            if !forced && Instant::now() > force_at {
                forced = true;
                for c in lock(&self.clients).iter() {
                    c.close();
                }
            }
            if Instant::now() > force_at + Duration::from_secs(1) {
                // Detach the rest: they exit as soon as their socket call returns.
                lock(&self.threads).clear();
                return;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
}
