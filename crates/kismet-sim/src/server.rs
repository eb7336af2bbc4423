//! The state one simulator's threads share: the world, the clients (a
//! [`Hub`]), broadcasting to them and the simulated clock. No thread is
//! started here (that is `listener`'s job).
//!
//! Lock order, everywhere: world, then the client list, then one client's
//! subscriptions. Holding the world lock while answering a command and
//! while broadcasting a tick keeps every client's stream in one order.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::{Duration, Instant};

use super::capabilities::{protocols_line, Proto};
use super::client::ClientHandle;
use super::config::SimConfig;
use super::hub::Hub;
use super::record::Record;
use super::records;
use super::world::World;
use kismet_protocol::spec::status_flags;

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
    /// The clients, the stop flag and the threads.
    pub hub: Hub,
    /// CLIENT records for flood mode, and a generation number.
    flood: Mutex<(u64, Arc<Vec<Record>>)>,
    /// Ticks taken on request ([`crate::Sim::step`]): each moves the
    /// simulated clock one second on.
    stepped: AtomicU64,
}

impl Shared {
    /// Shared state around `world`, started now, at `start_epoch` (epoch
    /// seconds with their fraction).
    pub fn new(config: SimConfig, world: World, start_epoch: f64, log: bool) -> Shared {
        Shared {
            hub: Hub::new(config.max_clients, log),
            config,
            start_time: start_epoch as u64,
            started: Instant::now(),
            start_epoch,
            world: Mutex::new(world),
            flood: Mutex::new((0, Arc::new(Vec::new()))),
            stepped: AtomicU64::new(0),
        }
    }

    /// The simulated epoch time `elapsed` after the start: one simulated
    /// second per configured tick, so that with a fast tick (tests) the
    /// server's clock runs fast too, and with the default 1 s tick it is
    /// the wall clock.
    pub fn epoch_at(&self, elapsed: Duration) -> f64 {
        let tick = self.config.tick.max(Duration::from_millis(1));
        let stepped = self.stepped.load(Ordering::Acquire) as f64;
        self.start_epoch + stepped + elapsed.as_secs_f64() / tick.as_secs_f64()
    }

    /// Moves the simulated clock one second on, for a tick taken on
    /// request.
    pub fn step_clock(&self) {
        self.stepped.fetch_add(1, Ordering::AcqRel);
    }

    /// The simulated epoch time now, whole seconds.
    pub fn now(&self) -> u64 {
        self.epoch_at(self.started.elapsed()) as u64
    }

    /// How long ago the simulated clock started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Queues records to every client (each gets the protocols it enabled).
    pub fn broadcast(&self, records: &[(Proto, Record)]) {
        let items: Vec<(Proto, &Record)> = records.iter().map(|(p, r)| (*p, r)).collect();
        self.hub.each_client(|c| c.send(&items));
    }

    /// Queues a STATUS line to every client that enabled STATUS.
    pub fn status(&self, text: &str, flags: u32) {
        self.broadcast(&[(
            Proto::Status,
            records::status_record(text.as_bytes(), flags),
        )]);
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
        self.hub.add_client(client);
    }

    /// The flood mode's CLIENT records and their generation.
    pub fn flood_snapshot(&self) -> (u64, Arc<Vec<Record>>) {
        let f = self.flood.lock();
        (f.0, f.1.clone())
    }

    /// New CLIENT records for flood mode.
    pub fn set_flood(&self, records: Vec<Record>) {
        let mut f = self.flood.lock();
        *f = (f.0 + 1, Arc::new(records));
    }

    /// The SHUTDOWN command, as a real server carries it out (the caller
    /// holds the world lock and already sent STATUS `Received SHUTDOWN
    /// command`): TERMINATE to every client, then one STATUS `Stopped
    /// source '<name>'` per capture source, then nothing more; every
    /// connection is closed [`SimConfig::shutdown_linger`] later. No new
    /// connections, no more ticks.
    pub fn shutdown_command(&self, world: &World) {
        self.hub.shutdown_command(self.config.shutdown_linger, || {
            for s in world.sources() {
                self.status(
                    &format!("Stopped source '{}'", s.username),
                    status_flags::INFO,
                );
            }
        });
    }
}
