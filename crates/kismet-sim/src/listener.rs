//! Starting a simulator: bind, build the world, start the clock (and the
//! PACKET generator), then accept connections, each served by a reader and
//! a writer thread (see `connection`). The accept loop serves any
//! [`Server`]: the replay uses it too.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use super::client::ClientHandle;
use super::clock;
use super::commands;
use super::config::SimConfig;
use super::connection;
use super::hub::{Hub, Server};
use super::packets;
use super::record::Record;
use super::route::Route;
use super::server::Shared;
use super::updates;
use super::util::epoch_now;
use super::world::{Extras, World};

impl Server for Shared {
    fn hub(&self) -> &Hub {
        &self.hub
    }

    /// The greeting and the STATUS announcing the client go out under the
    /// world lock, so no tick lands before the greeting.
    fn admit(this: &Arc<Self>, client: Arc<ClientHandle>) -> io::Result<()> {
        let world = this.world.lock();
        this.admit(&world, client);
        Ok(())
    }

    fn handle_line(&self, client: &Arc<ClientHandle>, line: &[u8]) {
        commands::handle_line(self, client, line);
    }

    fn floods(&self) -> bool {
        self.config.flood_client
    }

    fn flood_snapshot(&self) -> (u64, Arc<Vec<Record>>) {
        Shared::flood_snapshot(self)
    }
}

/// Binds, builds the world and starts the listener, clock and PACKET threads.
///
/// # Errors
/// When the address cannot be bound or a thread cannot be started.
pub fn start(listen: &str, config: SimConfig, log: bool) -> io::Result<(Arc<Shared>, SocketAddr)> {
    let listener = TcpListener::bind(listen)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let start = epoch_now();
    let now = start as u64;
    let extras = Extras {
        drive: config.gps.then(|| {
            config
                .route
                .clone()
                .unwrap_or_else(|| Arc::new(Route::builtin()))
        }),
        parked_at: config
            .parked_at
            .map(|(lat, lon)| crate::geo::Point { lat, lon, alt: 0.0 }),
        alerts: config.alerts,
        alert_every: config.alert_every,
    };
    let mut world = World::new(config.seed, now, extras);
    world.tick(now);
    let flood = config.flood_client.then(|| updates::client_records(&world));
    let shared = Arc::new(Shared::new(config, world, start, log));
    if let Some(records) = flood {
        shared.set_flood(records);
    }
    let s = shared.clone();
    shared
        .hub
        .spawn("listener", move || accept_loop(&s, &listener))?;
    let s = shared.clone();
    shared.hub.spawn("clock", move || clock::run(&s))?;
    if shared.config.packet_rate > 0 {
        let s = shared.clone();
        shared.hub.spawn("packets", move || packets::run(&s))?;
    }
    Ok((shared, addr))
}

/// Accepts connections until the server stops.
pub fn accept_loop<S: Server>(server: &Arc<S>, listener: &TcpListener) {
    let hub = server.hub();
    while !hub.is_stopping() {
        match listener.accept() {
            Ok((stream, peer)) => {
                if let Err(e) = accept(server, stream, peer) {
                    hub.log(&format!("could not serve {peer}: {e}"));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => {
                hub.log(&format!("accept failed: {e}"));
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Greets a new client and starts its threads, or closes it at once, without
/// a byte, when `max_clients` are already connected.
fn accept<S: Server>(server: &Arc<S>, stream: TcpStream, peer: SocketAddr) -> io::Result<()> {
    let hub = server.hub();
    if hub.connections() >= hub.max_clients {
        hub.log(&format!("refused {peer}: too many clients"));
        drop(stream);
        return Ok(());
    }
    stream.set_nonblocking(false)?;
    let _ = stream.set_nodelay(true);
    let id = hub.next_id();
    let (client, rx) = ClientHandle::new(id, peer, stream.try_clone()?);
    let reader_stream = stream.try_clone()?;
    S::admit(server, client.clone())?;
    hub.log(&format!("client {id} connected from {peer}"));
    let (s, c) = (server.clone(), client.clone());
    hub.spawn(&format!("writer-{id}"), move || {
        connection::writer(s, c, rx, stream)
    })?;
    let (s, c) = (server.clone(), client);
    hub.spawn(&format!("reader-{id}"), move || {
        connection::reader(s, c, reader_stream)
    })?;
    Ok(())
}
