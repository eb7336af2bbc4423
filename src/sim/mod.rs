//! An embedded simulated legacy Kismet server, for demos and tests.
//!
//! It speaks the legacy protocol as a real `kismet_server` (newcore,
//! 2016-07-R1) does on the wire (see `PROTOCOL.md` and the recordings in
//! `tests/fixtures/legacy-server/`): the greeting, TIME every tick, the 29
//! protocols with all their fields, CAPABILITY/ENABLE/REMOVE with the real
//! error texts, burst-then-ACK on ENABLE, failed commands echoed as STATUS,
//! the source and tag commands, `maxclients`, the 64 KiB line limit and
//! SHUTDOWN. The data comes from a synthetic world, deterministic by seed.
//!
//! Each client has its own reader and writer thread and an outgoing queue
//! of at most 5000 lines (later lines are dropped, as on the real server),
//! so a slow client never holds up the world or the other clients.
//!
//! Known differences from a real server:
//! - sources added with ADDSOURCE capture nothing (a missing pcap file gets
//!   the real "No such file or directory" STATUS);
//! - PLUGIN, CRITFAIL and REMOVE records are never sent;
//! - deleting a tag sends it once more with an empty value;
//! - the error texts of the tag, WEP key, filter and STRINGS commands are
//!   plausible, not recorded (those of CAPABILITY, ENABLE, REMOVE and the
//!   source commands are the real server's).
//!
//! Layout:
//! - `capabilities`: the protocol table (embedded `capabilities.txt`)
//! - `records`: one record per protocol, all fields, capability order
//! - `world`: the synthetic world and how it evolves tick by tick
//! - `rng`: the seeded PRNG
//! - `server`: listener, clock thread, client list, broadcast, stop
//! - `connection`: one client's reader and writer threads and queue
//! - `commands`: the client commands
//! - `packets`: the PACKET generator
//!
//! # Examples
//! ```no_run
//! use kismet_shell::sim::{Sim, SimConfig};
//! let sim = Sim::start("127.0.0.1:0", SimConfig::default()).unwrap();
//! println!("listening on {}", sim.local_addr());
//! sim.shutdown();
//! ```

mod capabilities;
mod catalog;
mod client;
mod clock;
mod commands;
mod config;
mod connection;
mod devices;
mod listener;
mod packets;
mod record;
mod records;
mod rng;
mod server;
mod updates;
mod util;
mod view;
mod world;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

pub use config::SimConfig;
pub use view::{ClientView, NetworkView};

/// How long [`Sim::shutdown`] lets clients drain before closing them hard.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// A running simulator.
pub struct Sim {
    shared: Option<Arc<server::Shared>>,
    addr: SocketAddr,
}

impl Sim {
    /// Binds `listen` (e.g. `127.0.0.1:0`), starts the server's threads and
    /// returns at once.
    ///
    /// # Errors
    /// When the address cannot be bound or a thread cannot be started.
    pub fn start(listen: &str, config: SimConfig) -> std::io::Result<Sim> {
        Sim::start_inner(listen, config, false)
    }

    fn start_inner(listen: &str, config: SimConfig, log: bool) -> std::io::Result<Sim> {
        let (shared, addr) = listener::start(listen, config, log)?;
        Ok(Sim {
            shared: Some(shared),
            addr,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Number of clients connected now.
    pub fn connections(&self) -> usize {
        self.shared.as_ref().map_or(0, |s| s.connections())
    }

    /// Every network the simulator knows now, sorted by BSSID: a copy
    /// taken under the world's lock, so it is one moment of the world (the
    /// world moves on at the next tick).
    ///
    /// # Examples
    /// ```no_run
    /// use kismet_shell::sim::{Sim, SimConfig};
    /// let sim = Sim::start("127.0.0.1:0", SimConfig::default()).unwrap();
    /// for n in sim.networks().iter().filter(|n| n.network_type == 0) {
    ///     println!("{} {:?} channel {} cryptset {}", n.bssid, n.ssid, n.channel, n.cryptset);
    /// }
    /// ```
    pub fn networks(&self) -> Vec<NetworkView> {
        self.shared
            .as_ref()
            .map_or_else(Vec::new, |s| view::networks(&util::lock(&s.world)))
    }

    /// Every client record the simulator knows now, sorted by BSSID then
    /// MAC, taken under the world's lock like [`Sim::networks`].
    pub fn clients(&self) -> Vec<ClientView> {
        self.shared
            .as_ref()
            .map_or_else(Vec::new, |s| view::clients(&util::lock(&s.world)))
    }

    /// True once the server stopped (a client sent SHUTDOWN).
    pub fn is_stopped(&self) -> bool {
        self.shared.as_ref().is_none_or(|s| s.is_stopping())
    }

    /// Sends `*TERMINATE: Kismet server terminating.` to every client as
    /// its last line, closes them and stops every thread (bounded wait).
    /// This is our own stop (Ctrl-C in `kismet-shell sim`), not the
    /// SHUTDOWN command, after which a real server still sends STATUS lines
    /// and lingers before closing.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.terminate_all();
            shared.join(SHUTDOWN_GRACE);
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs the simulator in the foreground until Ctrl-C, logging connections
/// and disconnections to stderr (`kismet-shell sim: ...`); on Ctrl-C sends
/// TERMINATE to clients and returns `Ok`. Also returns when a client sends
/// SHUTDOWN.
///
/// # Errors
/// When the address cannot be bound or the Ctrl-C handler cannot be set.
pub fn run_standalone(listen: &str, config: SimConfig) -> anyhow::Result<()> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("setting the Ctrl-C handler")?;
    let sim =
        Sim::start_inner(listen, config, true).with_context(|| format!("listening on {listen}"))?;
    eprintln!(
        "kismet-shell sim: listening on {} (Ctrl-C to stop)",
        sim.local_addr()
    );
    while !interrupted.load(Ordering::SeqCst) && !sim.is_stopped() {
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("kismet-shell sim: stopping");
    sim.shutdown();
    Ok(())
}
