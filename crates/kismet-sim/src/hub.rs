//! What every server built on the simulator's machinery shares, whatever it
//! serves: the list of connected clients, the stop flag, connection
//! numbers, logging, the threads to join, and the stop that sends
//! TERMINATE; and [`Server`], what the accept loop and a client's reader
//! and writer threads (`listener`, `connection`) ask of the server they
//! serve. The simulator (`server`) and the replay of a recording
//! (`replay`) are two such servers.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::capabilities::Proto;
use super::client::ClientHandle;
use super::record::Record;
use super::records;
use kismet_protocol::spec::TERMINATE_TEXT;

/// A server the accept loop and the connection threads can serve clients
/// for.
pub trait Server: Send + Sync + 'static {
    /// The clients, the stop flag and the threads.
    fn hub(&self) -> &Hub;

    /// Greets a new client, adds it to [`Server::hub`] and starts whatever
    /// threads of its own the client needs besides its reader and writer.
    ///
    /// # Errors
    /// When a thread cannot be started.
    fn admit(this: &Arc<Self>, client: Arc<ClientHandle>) -> io::Result<()>;

    /// Handles one client line (without its `\n`).
    fn handle_line(&self, client: &Arc<ClientHandle>, line: &[u8]);

    /// True when every client that enables CLIENT gets CLIENT lines as
    /// fast as it reads them (the simulator's flood mode).
    fn floods(&self) -> bool {
        false
    }

    /// The flood mode's CLIENT records and their generation.
    fn flood_snapshot(&self) -> (u64, Arc<Vec<Record>>) {
        (0, Arc::default())
    }
}

/// The clients and threads of one server.
pub struct Hub {
    /// Connections served at once; further ones are closed without a byte.
    pub max_clients: usize,
    clients: Mutex<Vec<Arc<ClientHandle>>>,
    stopping: AtomicBool,
    next_id: AtomicU64,
    log: bool,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// When the connections are to be closed after a SHUTDOWN command.
    close_deadline: Mutex<Option<Instant>>,
}

impl Hub {
    /// No clients yet; `log` says whether to log to stderr.
    pub fn new(max_clients: usize, log: bool) -> Hub {
        Hub {
            max_clients,
            clients: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(false),
            next_id: AtomicU64::new(1),
            log,
            threads: Mutex::new(Vec::new()),
            close_deadline: Mutex::new(None),
        }
    }

    /// True once the server is shutting down.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    /// No new connections from now on; every thread winds down.
    pub fn set_stopping(&self) {
        self.stopping.store(true, Ordering::Relaxed);
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
        self.clients.lock().len()
    }

    /// A copy of the client list.
    pub fn clients(&self) -> Vec<Arc<ClientHandle>> {
        self.clients.lock().clone()
    }

    /// Calls `f` on every client, with the list locked (so that nothing
    /// else is queued to all of them in between).
    pub fn each_client(&self, mut f: impl FnMut(&Arc<ClientHandle>)) {
        for c in self.clients.lock().iter() {
            f(c);
        }
    }

    /// Adds a client (already greeted) to the list.
    pub fn add_client(&self, client: Arc<ClientHandle>) {
        self.clients.lock().push(client);
    }

    /// Forgets a client that disconnected.
    pub fn remove_client(&self, id: u64) {
        self.clients.lock().retain(|c| c.id != id);
    }

    /// The SHUTDOWN command's stop, as a real server carries it out: no
    /// new connections, `*TERMINATE` to every client, then `after` (lines
    /// a server still sends after TERMINATE), then nothing more; every
    /// connection is closed `linger` later.
    pub fn shutdown_command(&self, linger: Duration, after: impl FnOnce()) {
        self.set_stopping();
        let clients = self.clients();
        let term = records::payload_record(TERMINATE_TEXT);
        for c in &clients {
            c.send_one(Proto::Terminate, &term);
        }
        after();
        let at = Instant::now() + linger;
        *self.close_deadline.lock() = Some(at);
        for c in &clients {
            c.finish(at);
        }
    }

    /// Our own stop (`Sim::shutdown`, Ctrl-C in `kismet-shell sim`), not
    /// the SHUTDOWN command: TERMINATE queued to every client as the last
    /// line it gets, the connections closed as soon as their queues are
    /// drained, no new connections, every thread winding down. Clients a
    /// SHUTDOWN command already finished keep their linger.
    pub fn terminate_all(&self) {
        self.set_stopping();
        let term = records::payload_record(TERMINATE_TEXT);
        let now = Instant::now();
        for c in self.clients.lock().iter() {
            if c.close_at().is_none() {
                c.send_one(Proto::Terminate, &term);
                c.finish(now);
            }
        }
    }

    /// Runs `f` on a thread of its own, joined by [`Hub::join`].
    ///
    /// # Errors
    /// When the thread cannot be started.
    pub fn spawn(&self, name: &str, f: impl FnOnce() + Send + 'static) -> io::Result<()> {
        let h = thread::Builder::new()
            .name(format!("sim-{name}"))
            .spawn(f)?;
        self.threads.lock().push(h);
        Ok(())
    }

    /// Waits for every thread, at most about `grace` (or until the end of
    /// a SHUTDOWN command's linger, if later) plus one second: after that
    /// time, sockets still open are shut down to unblock their threads;
    /// threads still running a second later are left to finish on their
    /// own.
    pub fn join(&self, grace: Duration) {
        let start = Instant::now();
        let force_at = self
            .close_deadline
            .lock()
            .map_or(start + grace, |d| d.max(start + grace));
        let mut forced = false;
        loop {
            let handles: Vec<JoinHandle<()>> = std::mem::take(&mut *self.threads.lock());
            let mut pending = Vec::new();
            for h in handles {
                if h.is_finished() {
                    let _ = h.join();
                } else {
                    pending.push(h);
                }
            }
            if pending.is_empty() && self.threads.lock().is_empty() {
                return;
            }
            self.threads.lock().extend(pending);
            if !forced && Instant::now() > force_at {
                forced = true;
                for c in self.clients.lock().iter() {
                    c.close();
                }
            }
            if Instant::now() > force_at + Duration::from_secs(1) {
                // Detach the rest: they exit as soon as their socket call returns.
                self.threads.lock().clear();
                return;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
}
