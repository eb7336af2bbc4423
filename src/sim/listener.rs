//! Starting a simulator: bind, build the world, start the clock (and the
//! PACKET generator), then accept connections, each served by a reader and
//! a writer thread (see `connection`).

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use super::client::ClientHandle;
use super::clock;
use super::config::SimConfig;
use super::connection;
use super::packets;
use super::server::Shared;
use super::updates;
use super::util::{epoch_now, lock};
use super::world::{Extras, World};

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
        gps: config.gps,
        alerts: config.alerts,
    };
    let mut world = World::new(config.seed, now, extras);
    world.tick(now);
    let flood = config.flood_client.then(|| updates::client_records(&world));
    let shared = Arc::new(Shared::new(config, world, start, log));
    if let Some(records) = flood {
        shared.set_flood(records);
    }
    let s = shared.clone();
    shared.spawn("listener", move || accept_loop(&s, &listener))?;
    let s = shared.clone();
    shared.spawn("clock", move || clock::run(&s))?;
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
    let id = shared.next_id();
    let (client, rx) = ClientHandle::new(id, peer, stream.try_clone()?);
    let reader_stream = stream.try_clone()?;
    {
        let world = lock(&shared.world);
        shared.admit(&world, client.clone());
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
