//! An embedded simulated legacy Kismet server, for demos and tests, and
//! the replay of a recorded session as a server ([`Replay`], see the
//! `replay` module).
//!
//! It speaks the legacy protocol as a real `kismet_server` (newcore,
//! 2016-07-R1) does on the wire (see `PROTOCOL.md` and the recordings in
//! `tests/fixtures/legacy-server/`, which win where this code differs): the
//! greeting; TIME every 1.0 to 1.12 ticks, now and then skipping a second;
//! the 29 protocols with all their fields; CAPABILITY/ENABLE/REMOVE with
//! the real error texts; burst-then-ACK on ENABLE (BSSID and SSID sorted by
//! MAC, SSID of beaconing access points only, none for COMMON, BSSIDSRC and
//! CLISRC); failed commands echoed as STATUS; the source and tag commands;
//! `maxclients`; a connection reset (TCP RST) for a line over 64 KiB;
//! SHUTDOWN with no ACK, TERMINATE, then `Stopped source` STATUS and the
//! connections closed about 2 s later. The data comes from a synthetic
//! world, deterministic by seed: the six access points and ten stations of
//! the recordings, each access point a real kind of network with the cipher
//! bit set a real server sends for it. By default it is a server with no
//! GPS and no alerts, as recorded: no GPS, ALERT, COMMON, TRACKINFO or
//! PACKET lines unless [`SimConfig`] asks for them.
//!
//! With a GPS ([`SimConfig::gps`]) the world is a drive: the GPS goes
//! along a [`Route`] (a built-in 1.4 km loop in San Francisco, or a GPX
//! track) at 10 m/s, past the devices placed beside it for the seed, each
//! heard only within range at the level a log-distance path-loss model
//! gives for its distance; GPS lines as a real server fed by gpsd sends
//! them, and the BSSID and CLIENT position fields filled as it fills them
//! (6 significant digits, the best position one fix late).
//! [`Sim::device_positions`] and [`Sim::route`] give the truth to check a
//! client's computed positions against.
//!
//! Each client has its own reader and writer thread and an outgoing queue
//! of at most 5000 lines (later lines are dropped, as on the real server),
//! so a slow client never holds up the world or the other clients.
//! [`Sim::networks`] and [`Sim::clients`] show the world's truth to tests.
//!
//! Layout (each module uses only those above it in this list):
//! - `util`: the wall clock
//! - `rng`: the seeded PRNG
//! - `geo`: positions, distances and bearings
//! - `radio`: the path-loss model (signal level from distance)
//! - `route`: [`Route`], the road the GPS drives
//! - `gpx_load`: a route read from a GPX file
//! - `config`: [`SimConfig`]
//! - `capabilities`: the protocol table (embedded `capabilities.txt`)
//! - `record`: a record's fields and how numbers and SSIDs are written
//! - `devices`: the plain data the world is made of (networks, clients, ...)
//! - `catalog`: the access points and stations, the cipher bit table
//! - `place`: where the devices stand beside the route, for a seed
//! - `drive`: the GPS on its way, the levels devices are heard at
//! - `world`: the world's state and how it evolves tick by tick
//! - `records`: one wire record per protocol, rendered from the state
//! - `updates`: which records a tick sends, and the bursts on ENABLE
//! - `view`: the read-only copies behind [`Sim::networks`], [`Sim::clients`]
//!   and [`Sim::device_positions`]
//! - `client`: one client's subscriptions and outgoing queue
//! - `hub`: what any server on this machinery shares (client list, stop,
//!   threads, TERMINATE to all) and the `Server` trait the accept loop and
//!   the connection threads serve
//! - `server`: the simulator's shared state: world, hub, broadcast, clock
//! - `packets`: the PACKET generator thread
//! - `commands`: the client commands (an exhaustive match on
//!   [`kismet_protocol::ServerCommand`])
//! - `connection`: one client's reader and writer threads (any `Server`)
//! - `clock`: the tick thread, with its jittered schedule
//! - `listener`: start, and the accept loop (any `Server`)
//! - `follow`: the walk through a recording that places each frame on one
//!   timeline with its field list
//! - `timeline`: a recording made into a replay in one pass: greeting,
//!   capabilities, field lists, length (no frames held)
//! - `stream`: one client's pass over the recording, frame by frame
//! - `latest`: the latest frame of each device, bounded, for the bursts
//! - `player`: one client's replay: its clock, its protocols, projection
//! - `replay_commands`: a replay server's client commands
//! - `replay`: [`Replay`], a recording served as a legacy server
//!
//! Known differences from a real server:
//! - sources added with ADDSOURCE capture nothing (a missing pcap file gets
//!   the real "No such file or directory" STATUS);
//! - PLUGIN, CRITFAIL and REMOVE records are never sent, nor probe
//!   responses (SSID type 1);
//! - the clock runs one simulated second per tick: with a tick other than
//!   1 s, TIME and every time field run fast or slow;
//! - between SHUTDOWN and the close, client commands are not read.
//!
//! Guesses (nothing recorded says otherwise; a test must not enshrine them):
//! - the error texts of the tag, WEP key, filter and STRINGS commands (those
//!   of CAPABILITY, ENABLE, REMOVE and the source commands are recorded);
//! - deleting a tag sends it once more with an empty value;
//! - the NETTAG, CLITAG and ALERT bursts, and the order of a SOURCE burst;
//! - what COMMON, TRACKINFO and ALERT hold (opt-in: the recorded server
//!   sent none), and PACKET (opt-in, likewise);
//! - on a drive: the GPS line while the GPS has no data, the units of its
//!   speed, whole-number DOPs, the GPS line coming first in its second,
//!   the bounding box and average lagging one fix like the best position
//!   (see `drive`); the path-loss constants (see `radio`);
//! - client types (1 for the access point itself and the wired gateway,
//!   2 for stations), the IP addresses learnt, the gateway's cipher set;
//! - CorpGuest's EAP method (PEAP) in its WPA2-Enterprise bit set;
//! - a line over 64 KiB that arrives whole with its newline also resets;
//! - a channel that saw traffic and fell silent would still be reported.
//!
//! # Examples
//! ```
//! use kismet_sim::{Sim, SimConfig};
//! let sim = Sim::start("127.0.0.1:0", SimConfig::default()).unwrap();
//! println!("listening on {}", sim.local_addr());
//! sim.shutdown();
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod capabilities;
mod catalog;
mod client;
mod clock;
mod commands;
mod config;
mod connection;
mod devices;
mod drive;
mod follow;
mod geo;
mod gpx_load;
mod hub;
mod latest;
mod listener;
mod packets;
mod place;
mod player;
mod radio;
mod record;
mod records;
mod replay;
mod replay_commands;
mod rng;
mod route;
mod server;
mod stream;
mod timeline;
mod updates;
mod util;
mod view;
mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use config::SimConfig;
pub use drive::NO_DATA_TICKS;
pub use geo::Point;
pub use replay::{Replay, ReplayConfig};
pub use route::{Closest, Route, RouteError};
pub use timeline::{Timeline, TimelineError};
pub use view::{ClientView, DevicePosition, NetworkView};

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

    /// [`Sim::start`], logging each connection and disconnection to stderr
    /// (`kismet-shell sim: ...`), for a server run in the foreground.
    ///
    /// # Errors
    /// As [`Sim::start`].
    pub fn start_logged(listen: &str, config: SimConfig) -> std::io::Result<Sim> {
        Sim::start_inner(listen, config, true)
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
        self.shared.as_ref().map_or(0, |s| s.hub.connections())
    }

    /// Every network the simulator knows now, sorted by BSSID: a copy
    /// taken under the world's lock, so it is one moment of the world (the
    /// world moves on at the next tick).
    ///
    /// # Examples
    /// ```
    /// use kismet_sim::{Sim, SimConfig};
    /// let sim = Sim::start("127.0.0.1:0", SimConfig::default()).unwrap();
    /// for n in sim.networks().iter().filter(|n| n.network_type == 0) {
    ///     println!("{} {:?} channel {} cryptset {}", n.bssid, n.ssid, n.channel, n.cryptset);
    /// }
    /// ```
    pub fn networks(&self) -> Vec<NetworkView> {
        self.shared
            .as_ref()
            .map_or_else(Vec::new, |s| view::networks(&s.world.lock()))
    }

    /// Every client record the simulator knows now, sorted by BSSID then
    /// MAC, taken under the world's lock like [`Sim::networks`].
    pub fn clients(&self) -> Vec<ClientView> {
        self.shared
            .as_ref()
            .map_or_else(Vec::new, |s| view::clients(&s.world.lock()))
    }

    /// With a GPS, where every device truly stands and where the route
    /// passes it closest: the access points, then the stations, in the
    /// catalog's order (empty without a GPS). Fixed from the start for a
    /// seed and a route, heard or not yet.
    ///
    /// # Examples
    /// ```
    /// use kismet_sim::{Sim, SimConfig};
    /// let sim = Sim::start("127.0.0.1:0", SimConfig { gps: true, ..SimConfig::default() })?;
    /// for d in sim.device_positions().iter().filter(|d| d.access_point) {
    ///     println!(
    ///         "{} at {:.6},{:.6}: the road passes {:.0} m away",
    ///         d.mac, d.position.lat, d.position.lon, d.closest.distance_m
    ///     );
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn device_positions(&self) -> Vec<DevicePosition> {
        self.shared
            .as_ref()
            .map_or_else(Vec::new, |s| view::device_positions(&s.world.lock()))
    }

    /// With a GPS, the route it drives (the built-in loop unless
    /// [`SimConfig::route`] gave one).
    pub fn route(&self) -> Option<Arc<Route>> {
        let shared = self.shared.as_ref()?;
        let world = shared.world.lock();
        world.drive().map(|d| d.route().clone())
    }

    /// True once the server stopped (a client sent SHUTDOWN).
    pub fn is_stopped(&self) -> bool {
        self.shared.as_ref().is_none_or(|s| s.hub.is_stopping())
    }

    /// Takes one tick now, besides those of the clock: the simulated clock
    /// moves one second on, the world moves, and TIME and the records that
    /// changed are queued to every client before this returns. With a tick
    /// too long to come during a test (an hour, say), the test decides
    /// when the world moves instead of waiting for it.
    ///
    /// # Examples
    /// ```
    /// use std::io::{BufRead, BufReader};
    /// use std::net::TcpStream;
    /// use std::time::Duration;
    /// use kismet_sim::{Sim, SimConfig};
    ///
    /// let config = SimConfig { tick: Duration::from_secs(3600), ..SimConfig::default() };
    /// let sim = Sim::start("127.0.0.1:0", config)?;
    /// let mut conn = BufReader::new(TcpStream::connect(sim.local_addr())?);
    /// let mut greeting = String::new();
    /// conn.read_line(&mut greeting)?; // *KISMET: ...
    /// conn.read_line(&mut greeting)?; // *PROTOCOLS: ...
    /// sim.step();
    /// let mut line = String::new();
    /// conn.read_line(&mut line)?;
    /// assert!(line.starts_with("*TIME: "), "{line}");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn step(&self) {
        if let Some(shared) = &self.shared {
            shared.step_clock();
            clock::step(shared, shared.now());
        }
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
            shared.hub.terminate_all();
            shared.hub.join(SHUTDOWN_GRACE);
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.stop();
    }
}
