//! The running server: the listener, the world's clock thread, the list of
//! connected clients, broadcasting, and an orderly stop.
//!
//! Lock order, everywhere: world, then the client list, then one client's
//! subscriptions. Holding the world lock while answering a command and
//! while broadcasting a tick keeps every client's stream in one order.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::capabilities::{protocols_line, Proto};
use super::connection::{self, ClientHandle};
use super::packets;
use super::records::{self, Record};
use super::world::World;
use super::SimConfig;

/// Text of the TERMINATE line.
pub const TERMINATE_TEXT: &str = "Kismet server terminating.";

/// Locks a mutex, carrying on with the data if a thread panicked with it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Current epoch seconds.
pub fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// State shared by every thread of one simulator.
pub struct Shared {
    /// The configuration it was started with.
    pub config: SimConfig,
    /// Server start time, epoch seconds (the KISMET `starttime`).
    pub start_time: u64,
    /// The simulated world.
    pub world: Mutex<World>,
    clients: Mutex<Vec<Arc<ClientHandle>>>,
    stopping: AtomicBool,
    next_id: AtomicU64,
    log: bool,
    /// CLIENT records for flood mode, and a generation number.
    flood: Mutex<(u64, Arc<Vec<Record>>)>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    /// True once the server is shutting down.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    /// Logs to stderr in standalone mode.
    pub fn log(&self, msg: &str) {
        if self.log {
            eprintln!("kismet-shell sim: {msg}");
        }
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

    /// A copy of the client list.
    pub fn clients(&self) -> Vec<Arc<ClientHandle>> {
        lock(&self.clients).clone()
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

    /// Starts the stop: TERMINATE queued to every client (the last line
    /// each gets), no new connections, every thread winding down.
    pub fn terminate_all(&self) {
        self.stopping.store(true, Ordering::Relaxed);
        let term = records::payload_record(TERMINATE_TEXT);
        for c in lock(&self.clients).iter() {
            c.terminate(&term);
        }
    }

    fn spawn(self: &Arc<Self>, name: &str, f: impl FnOnce() + Send + 'static) -> io::Result<()> {
        let h = thread::Builder::new()
            .name(format!("sim-{name}"))
            .spawn(f)?;
        lock(&self.threads).push(h);
        Ok(())
    }

    /// Waits for every thread, at most about `grace` plus one second: after
    /// `grace`, sockets still open are shut down to unblock their threads;
    /// threads still running after that are left to finish on their own.
    pub fn join(&self, grace: Duration) {
        let start = Instant::now();
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
            if !forced && start.elapsed() > grace {
                forced = true;
                for c in lock(&self.clients).iter() {
                    c.close();
                }
            }
            if start.elapsed() > grace + Duration::from_secs(1) {
                // Detach the rest: they exit as soon as their socket call returns.
                lock(&self.threads).clear();
                return;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Binds, builds the world and starts the listener, clock and PACKET threads.
pub fn start(listen: &str, config: SimConfig, log: bool) -> io::Result<(Arc<Shared>, SocketAddr)> {
    let listener = TcpListener::bind(listen)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let now = epoch_now();
    let mut world = World::new(config.seed, now);
    world.tick(now);
    let flood = Arc::new(if config.flood_client {
        world.client_records()
    } else {
        Vec::new()
    });
    let shared = Arc::new(Shared {
        config,
        start_time: now,
        world: Mutex::new(world),
        clients: Mutex::new(Vec::new()),
        stopping: AtomicBool::new(false),
        next_id: AtomicU64::new(1),
        log,
        flood: Mutex::new((1, flood)),
        threads: Mutex::new(Vec::new()),
    });
    let s = shared.clone();
    shared.spawn("listener", move || accept_loop(&s, &listener))?;
    let s = shared.clone();
    shared.spawn("clock", move || clock_loop(&s))?;
    if shared.config.packet_rate > 0 {
        let s = shared.clone();
        shared.spawn("packets", move || packets::run(&s))?;
    }
    Ok((shared, addr))
}

/// Accepts connections until the server stops.
fn accept_loop(shared: &Arc<Shared>, listener: &TcpListener) {
    while !shared.is_stopping() {
        match listener.accept() {
            Ok((stream, peer)) => {
                if let Err(e) = accept(shared, stream, peer) {
                    shared.log(&format!("could not serve {peer}: {e}"));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => {
                shared.log(&format!("accept failed: {e}"));
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Greets a new client and starts its threads, or closes it at once, without
/// a byte, when `max_clients` are already connected.
fn accept(shared: &Arc<Shared>, stream: TcpStream, peer: SocketAddr) -> io::Result<()> {
    if shared.connections() >= shared.config.max_clients {
        shared.log(&format!("refused {peer}: too many clients"));
        drop(stream);
        return Ok(());
    }
    stream.set_nonblocking(false)?;
    let _ = stream.set_nodelay(true);
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let (client, rx) = ClientHandle::new(id, peer, stream.try_clone()?);
    let reader_stream = stream.try_clone()?;
    {
        // Hold the world so that no tick lands before the greeting.
        let _world = lock(&shared.world);
        client.send(&[
            (
                Proto::Kismet,
                &records::kismet_record(shared.start_time, &shared.config.server_name),
            ),
            (Proto::Protocols, &records::payload_record(protocols_line())),
        ]);
        let text = format!("Kismet server accepted connection from {}", peer.ip());
        shared.broadcast(&[(Proto::Status, records::status_record(text.as_bytes(), 2))]);
        lock(&shared.clients).push(client.clone());
    }
    shared.log(&format!("client {id} connected from {peer}"));
    let (s, c) = (shared.clone(), client.clone());
    shared.spawn(&format!("writer-{id}"), move || {
        connection::writer(s, c, rx, stream)
    })?;
    let (s, c) = (shared.clone(), client);
    shared.spawn(&format!("reader-{id}"), move || {
        connection::reader(s, c, reader_stream)
    })?;
    Ok(())
}

/// Steps the world once per tick and sends TIME and the changed records.
fn clock_loop(shared: &Arc<Shared>) {
    let tick = shared.config.tick.max(Duration::from_millis(1));
    let mut next = Instant::now() + tick;
    while !shared.is_stopping() {
        let now = Instant::now();
        if now < next {
            thread::sleep((next - now).min(Duration::from_millis(50)));
            continue;
        }
        next += tick;
        if next < now {
            next = now + tick;
        }
        let epoch = epoch_now();
        let mut world = lock(&shared.world);
        let mut updates = vec![(Proto::Time, records::time_record(epoch))];
        updates.extend(world.tick(epoch));
        if shared.config.flood_client {
            let recs = Arc::new(world.client_records());
            let mut f = lock(&shared.flood);
            *f = (f.0 + 1, recs);
        }
        shared.broadcast(&updates);
    }
}
