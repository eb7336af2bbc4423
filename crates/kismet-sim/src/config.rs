//! How a simulator behaves: [`SimConfig`].

use std::sync::Arc;
use std::time::Duration;

use super::route::Route;

/// How the simulator behaves. `SimConfig::default()` is a server like the
/// one recorded: one capture source, no GPS, no alerts, no PACKET,
/// COMMON or TRACKINFO lines; each of those is opt-in.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of the synthetic world (same seed, same world).
    pub seed: u64,
    /// Connections served at once; further ones are closed without a byte.
    pub max_clients: usize,
    /// PACKET frames per second (0: none, as on the recorded server).
    pub packet_rate: u32,
    /// A GPS, which makes the world a drive: the GPS goes along
    /// [`SimConfig::route`] at 10 m/s past devices placed beside it, each
    /// heard only within range at the level its distance gives; GPS lines
    /// every tick, and positions on every device. Without one (the
    /// default, as recorded), every device is heard all the time, and
    /// `ENABLE GPS` is ACKed with never a GPS line.
    pub gps: bool,
    /// The route the GPS drives; `None` for the built-in loop
    /// ([`Route::builtin`]).
    pub route: Option<Arc<Route>>,
    /// With a GPS: it stands at this latitude and longitude (degrees)
    /// instead of driving, a fixed sensor; the devices stand beside the
    /// route as on a drive, and those within range are heard from here,
    /// each at the level its distance gives.
    pub parked_at: Option<(f64, f64)>,
    /// Alerts (ALERT lines) now and then.
    pub alerts: bool,
    /// An alert every this many seconds of the server's clock (each
    /// [`SimConfig::tick`] long), besides those of `alerts`; `None`: none.
    pub alert_every: Option<u64>,
    /// COMMON lines for changed networks and TRACKINFO every tick (what
    /// they hold is a guess: the recorded server sent neither).
    pub common: bool,
    /// Period of TIME, INFO, SOURCE, BATTERY and the world's updates, each
    /// tick stretched by up to 12% as on a real server; also the length of
    /// one second of the server's clock (TIME and every time field), so a
    /// short tick makes a fast server for tests.
    pub tick: Duration,
    /// Name sent in the KISMET greeting.
    pub server_name: String,
    /// Every client that enables CLIENT gets CLIENT lines as fast as its
    /// socket takes them (for throughput benchmarks).
    pub flood_client: bool,
    /// After a client's SHUTDOWN command, how long the server keeps the
    /// connections open before closing them (about 2 s on a real server).
    pub shutdown_linger: Duration,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            seed: 1,
            max_clients: 5,
            packet_rate: 0,
            gps: false,
            route: None,
            parked_at: None,
            alerts: false,
            alert_every: None,
            common: false,
            tick: Duration::from_secs(1),
            server_name: "Kismet Simulator".to_string(),
            flood_client: false,
            shutdown_linger: Duration::from_secs(2),
        }
    }
}
