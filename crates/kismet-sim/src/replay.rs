//! A replay server: a recording (see [`kismet_record`]) served as a legacy
//! Kismet server that any client can use (ours, the ncurses
//! `kismet_client`, the Python library), on the simulator's machinery: the
//! same accept loop with `maxclients`, the same reader thread and line
//! reader per client, the same bounded outgoing queue (5000 lines, then
//! lines dropped) and writer thread, the same stop that sends TERMINATE.
//!
//! What a client sees:
//! - the recorded greeting (the first connection's `*KISMET` and
//!   `*PROTOCOLS` lines), then `*TIME` about every second with the
//!   current time (the real server's schedule: every 1.0 to 1.12 s);
//! - `CAPABILITY P` answered from the recorded `*CAPABILITY` line, then
//!   ACK; `Unknown protocol: 'X'` for a protocol the recording has no
//!   CAPABILITY for;
//! - `ENABLE P fields|*`: a burst of the latest recorded record of each
//!   device of P up to the client's replay position (for the protocols a
//!   real server bursts; SSID beacons only), the ACK, then P's recorded
//!   frames as the client's replay clock reaches their times. Lines are
//!   projected onto the fields asked for, in the order asked (each field
//!   quoted or bare as recorded; a line whose recorded fields are exactly
//!   those asked goes out byte for byte). A field the recording does not
//!   hold gets the server's `Unknown field X`, and no ACK;
//! - `REMOVE P` stops it; `SHUTDOWN` as on the simulator (TERMINATE to
//!   every client, no ACK, connections closed 2 s later, the server
//!   stops); every other command an ERROR saying the replay server does
//!   not do it;
//! - at the end of the recording, `*TERMINATE: Kismet server
//!   terminating.` and the close, or with `loop` the recording again from
//!   its start.
//!
//! Each client has its own replay clock, held at 0 during its handshake
//! and then running `speed` times as fast as the recording. It starts at
//! the first of: the ENABLE that leaves every protocol the recording has
//! frames of enabled; the client's first command other than CAPABILITY
//! and ENABLE; [`ReplayConfig::settle`] (0.25 s) after its latest ENABLE;
//! 2 s after it connected while it sent nothing but CAPABILITY (see
//! `player`). So a client that enables its protocols one after the other
//! gets every frame of each at any speed. Each client reads the recording
//! again as a stream: a replay holds the latest frame of each device (for
//! the bursts, a bounded number), never the whole recording.
//! The recording's connections are placed on one timeline by their
//! wall-clock start, so a recorded reconnect replays with its gap (see
//! `follow`).
//!
//! Choices where the real server gives no answer:
//! - the replay sends no STATUS lines of its own (no `accepted connection`,
//!   no `Failed Kismet client command`): its STATUS lines are the recorded
//!   ones;
//! - the fields a recording "holds" for P are those of every list the
//!   recording client enabled P with; a recorded line that lacks a field a
//!   client asked for (enabled with a shorter list at the time) is not
//!   sent to that client rather than sent with a made-up value; a protocol
//!   the recording client never enabled holds every field (and sends
//!   nothing);
//! - `*` means every field of the recorded CAPABILITY, so it is refused
//!   (`Unknown field`) when the recording holds only some of them;
//! - recorded time fields (`lasttime`, ...) are sent as recorded; only
//!   TIME is re-timed to now;
//! - a looped replay's lap lasts the recording's length (at least 1 s);
//! - at the end, TERMINATE waits until the client's latest command is
//!   0.5 s old, so that each of its commands gets its answer.

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use super::capabilities::Proto;
use super::client::ClientHandle;
use super::clock::Schedule;
use super::hub::{Hub, Server};
use super::listener::accept_loop;
use super::player::{Player, Step, CHUNK, ENABLE_SETTLE};
use super::records;
use super::replay_commands;
use super::timeline::Timeline;
use super::util::epoch_now;

/// How long [`Replay::shutdown`] lets clients drain before closing them
/// hard.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// The longest a replay thread sleeps before it looks at the stop flags.
const POLL: Duration = Duration::from_millis(50);

/// How a replay server plays its recording.
#[derive(Debug, Clone)]
pub struct ReplayConfig {
    /// How many times as fast as recorded (2.0: twice as fast). Must be
    /// a positive number.
    pub speed: f64,
    /// At the end of the recording, start over instead of terminating.
    pub looped: bool,
    /// Connections served at once; further ones are closed without a byte.
    pub max_clients: usize,
    /// Wait for a client that reads slowly instead of dropping its lines:
    /// the replay falls behind its schedule rather than lose a frame (for
    /// converting a recording). A real server drops lines beyond 5,000
    /// queued for a client; without this, so does the replay.
    pub lossless: bool,
    /// How long a client's replay clock, held at 0 during its handshake,
    /// waits after the client's latest ENABLE for another (250 ms by
    /// default), when the client has not enabled every protocol the
    /// recording has frames of: it starts at once when it has.
    pub settle: Duration,
}

impl Default for ReplayConfig {
    fn default() -> ReplayConfig {
        ReplayConfig {
            speed: 1.0,
            looped: false,
            max_clients: 5,
            lossless: false,
            settle: ENABLE_SETTLE,
        }
    }
}

/// State shared by every thread of one replay server.
struct Shared {
    hub: Hub,
    timeline: Arc<Timeline>,
    config: ReplayConfig,
    /// Each connected client's replay, by connection number.
    players: Mutex<Vec<(u64, Arc<Mutex<Player>>)>>,
    /// The most recorded frames any client's replay held at once.
    peak_held: AtomicUsize,
}

impl Shared {
    fn player(&self, id: u64) -> Option<Arc<Mutex<Player>>> {
        self.players
            .lock()
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, p)| p.clone())
    }
}

impl Server for Shared {
    fn hub(&self) -> &Hub {
        &self.hub
    }

    /// The client's replay opens the recording, the recorded greeting
    /// goes out, and the replay starts (its clock held at 0 for the
    /// handshake) on a thread of its own.
    fn admit(this: &Arc<Self>, client: Arc<ClientHandle>) -> std::io::Result<()> {
        let player = Player::new(
            client.clone(),
            this.timeline.clone(),
            this.config.speed,
            this.config.looped,
            this.config.settle,
            Instant::now(),
        )
        .map_err(std::io::Error::other)?;
        client.send_encoded(this.timeline.greeting.clone());
        let player = Arc::new(Mutex::new(player));
        this.players.lock().push((client.id, player.clone()));
        this.hub.add_client(client.clone());
        let s = this.clone();
        this.hub
            .spawn(&format!("player-{}", client.id), move || play(&s, &player))
    }

    fn handle_line(&self, client: &Arc<ClientHandle>, line: &[u8]) {
        if let Some(player) = self.player(client.id) {
            replay_commands::handle_line(&self.hub, &mut player.lock(), line);
        }
    }
}

/// A client's replay thread: plays each frame when it is due, until the
/// recording ends (unless looped), the client goes or the server stops.
fn play(shared: &Shared, player: &Mutex<Player>) {
    let client = player.lock().client.clone();
    let mut told_forgotten = false;
    while !shared.hub.is_stopping() && !client.is_closed() && client.close_at().is_none() {
        // Room for a chunk, and as much again for the server's own lines
        // (TIME, replies) that come between chunks.
        if shared.config.lossless && !client.wait_for_room(2 * CHUNK, POLL) {
            continue;
        }
        let (step, failure, held, forgotten) = {
            let mut p = player.lock();
            let step = p.advance(Instant::now());
            (step, p.take_failure(), p.peak_held(), p.forgotten())
        };
        shared.peak_held.fetch_max(held, Ordering::Relaxed);
        if let Some(e) = failure {
            shared
                .hub
                .log(&format!("client {}: replay cut short: {e}", client.id));
        }
        if forgotten > 0 && !told_forgotten {
            told_forgotten = true;
            shared.hub.log(&format!(
                "client {}: more devices than a replay keeps for its bursts; \
                 the least recently updated are left out of them",
                client.id
            ));
        }
        match step {
            Step::Done => break,
            Step::At(at) => {
                let wait = at.saturating_duration_since(Instant::now());
                if !wait.is_zero() {
                    thread::sleep(wait.min(POLL));
                }
            }
        }
    }
    shared.players.lock().retain(|(id, _)| *id != client.id);
}

/// Sends TIME with the current time to every client that has it enabled,
/// on a real server's schedule (every 1.0 to 1.12 s), until the server
/// stops.
fn clock(shared: &Shared) {
    let started = Instant::now();
    let mut schedule = Schedule::new(1, Duration::from_secs(1));
    let mut due = schedule.next_tick();
    while !shared.hub.is_stopping() {
        let elapsed = started.elapsed();
        if elapsed < due {
            thread::sleep((due - elapsed).min(POLL));
            continue;
        }
        if elapsed - due > Duration::from_secs(10) {
            schedule.restart(elapsed);
        }
        let time = records::time_record(epoch_now() as u64);
        shared.hub.each_client(|c| c.send_one(Proto::Time, &time));
        due = schedule.next_tick();
    }
}

/// A running replay server.
pub struct Replay {
    shared: Option<Arc<Shared>>,
    addr: SocketAddr,
}

impl Replay {
    /// Binds `listen` (e.g. `127.0.0.1:0`), starts serving `timeline` and
    /// returns at once.
    ///
    /// # Errors
    /// When the address cannot be bound, a thread cannot be started, or
    /// the speed is not a positive number (`InvalidInput`).
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// use kismet_sim::{Replay, ReplayConfig, Timeline};
    /// // A recording as `--record` writes it (usually read with
    /// // `Timeline::load` from a file).
    /// let recording = b"# kismet-shell recording 1\n\
    ///     = 0.000 connect 127.0.0.1:2501 2026-11-27T12:28:15.051Z\n\
    ///     < 0.006 *KISMET: 0.0.0 1795782495 \\x01Recorded\\x01 \\x01\\x01 0 \n\
    ///     < 0.006 *PROTOCOLS: KISMET,TIME\n\
    ///     < 1.000 *TIME: 1795782496\n";
    /// let entries = kismet_record::parse_recording(&recording[..])?;
    /// let timeline = Timeline::from_entries(&entries)?;
    /// let config = ReplayConfig { speed: 10.0, ..ReplayConfig::default() };
    /// let replay = Replay::start("127.0.0.1:0", Arc::new(timeline), config)?;
    /// println!("replaying on {}", replay.local_addr());
    /// replay.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(
        listen: &str,
        timeline: Arc<Timeline>,
        config: ReplayConfig,
    ) -> std::io::Result<Replay> {
        Replay::start_inner(listen, timeline, config, false)
    }

    /// [`Replay::start`], logging each connection and disconnection to
    /// stderr (`kismet-shell sim: ...`), for a server run in the foreground.
    ///
    /// # Errors
    /// As [`Replay::start`].
    pub fn start_logged(
        listen: &str,
        timeline: Arc<Timeline>,
        config: ReplayConfig,
    ) -> std::io::Result<Replay> {
        Replay::start_inner(listen, timeline, config, true)
    }

    fn start_inner(
        listen: &str,
        timeline: Arc<Timeline>,
        config: ReplayConfig,
        log: bool,
    ) -> std::io::Result<Replay> {
        if !(config.speed.is_finite() && config.speed > 0.0) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("speed {} is not a positive number", config.speed),
            ));
        }
        let listener = TcpListener::bind(listen)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            hub: Hub::new(config.max_clients, log),
            timeline,
            config,
            players: Mutex::new(Vec::new()),
            peak_held: AtomicUsize::new(0),
        });
        let s = shared.clone();
        shared
            .hub
            .spawn("listener", move || accept_loop(&s, &listener))?;
        let s = shared.clone();
        shared.hub.spawn("clock", move || clock(&s))?;
        Ok(Replay {
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

    /// True once the server stopped (a client sent SHUTDOWN).
    pub fn is_stopped(&self) -> bool {
        self.shared.as_ref().is_none_or(|s| s.hub.is_stopping())
    }

    /// The most recorded frames one client's replay has held in memory at
    /// once: the latest frame of each device (for the bursts on ENABLE,
    /// at most 16384) and the one read ahead. It depends on the
    /// recording's devices, not on its length.
    pub fn peak_held_frames(&self) -> usize {
        let Some(s) = &self.shared else { return 0 };
        let now = s
            .players
            .lock()
            .iter()
            .map(|(_, p)| p.lock().peak_held())
            .max();
        s.peak_held.load(Ordering::Relaxed).max(now.unwrap_or(0))
    }

    /// Sends `*TERMINATE: Kismet server terminating.` to every client as
    /// its last line, closes them and stops every thread (bounded wait).
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

impl Drop for Replay {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests;
