//! The reader thread's outer loop: read until the connection ends, report
//! it, and (when asked to) reconnect with capped backoff, redo the handshake
//! and re-enable every subscription.

use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Sender};
use parking_lot::Mutex;

use crate::error::Error;
use crate::event::Event;
use crate::handshake::establish;
use crate::outlet::Outlet;
use crate::reader::read_loop;
use crate::state::{write_all_within, Pending, Shared, WRITE_TIMEOUT};
use kismet_protocol::LineReader;
use kismet_protocol::{Command, ServerCommand};

/// The reader thread: reads until the connection ends, then reconnects if
/// asked to, else reports the disconnect and stops.
pub fn connection_thread(
    shared: Arc<Shared>,
    mut reader: LineReader<TcpStream>,
    tx: Sender<Event>,
) {
    let mut attempt: u32 = 0;
    let outlet = Arc::new(Mutex::new(Outlet::new(shared.clone())));
    loop {
        let reason = read_loop(&shared, &mut reader, &tx, &outlet);
        shared.connected.store(false, Ordering::Release);
        if let Some(r) = &shared.options.recorder {
            r.disconnected(&reason.to_string());
        }
        if let Some(w) = shared.writer.lock().take() {
            let _ = w.shutdown(Shutdown::Both);
        }
        shared.fail_pending();
        if shared.is_closing() {
            return;
        }
        // What a lossless outlet kept aside goes before the news (no
        // command awaits a reply any more).
        outlet.lock().finish(&tx);
        let give_up = reason.is_terminated() && !shared.options.reconnect_after_terminate;
        if give_up {
            // Before the event, so that its consumer sees the end as final.
            shared.gave_up.store(true, Ordering::Release);
        }
        // Never dropped: the consumer must learn of every state change.
        if tx.send(Event::Disconnected { reason }).is_err() {
            return; // nobody listens any more
        }
        if !shared.options.reconnect || give_up {
            return;
        }
        // Reconnect with capped exponential backoff, reset on success.
        loop {
            let (first, cap) = shared.options.backoff;
            let delay = first.saturating_mul(1 << attempt.min(16)).min(cap);
            attempt = attempt.saturating_add(1);
            if tx.send(Event::Reconnecting { attempt, delay }).is_err() {
                return;
            }
            if sleep_unless_closing(&shared, delay) {
                return;
            }
            match reconnect(&shared) {
                Ok((new_reader, unsent)) => {
                    reader = new_reader;
                    attempt = 0;
                    let info = shared.info.lock().clone();
                    if tx.send(Event::Reconnected { info }).is_err() {
                        return;
                    }
                    for (command, error) in unsent {
                        if tx.send(Event::RestoreFailed { command, error }).is_err() {
                            return;
                        }
                    }
                    break;
                }
                Err(error) => {
                    let _ = tx.send(Event::ReconnectFailed { attempt, error });
                }
            }
        }
    }
}

/// Sleeps `delay` in short steps; true when the client is closing.
fn sleep_unless_closing(shared: &Shared, delay: Duration) -> bool {
    let until = Instant::now() + delay;
    while Instant::now() < until {
        if shared.is_closing() {
            return true;
        }
        thread::sleep(Duration::from_millis(20).min(until - Instant::now()));
    }
    shared.is_closing()
}

/// Connects again, redoes the handshake and re-enables every subscription
/// with the same field lists. Returns the reader, and the commands that
/// could not be sent (each with why); the server's refusals of the others
/// are reported by the reader as they come.
fn reconnect(shared: &Arc<Shared>) -> Result<(LineReader<TcpStream>, Unsent), Error> {
    let conn = establish(&shared.addr, &shared.options)?;
    *shared.table.lock() = conn.table;
    *shared.info.lock() = conn.info;
    shared
        .server_time
        .store(conn.server_time, Ordering::Relaxed);
    shared.next_id.fetch_max(conn.next_id, Ordering::Relaxed);
    // Every subscription again with the same fields (the user's and the
    // tracker's), and the always-on protocols the user had removed removed
    // again, in one write.
    let (wires, removed) = {
        let subs = shared.subs.lock();
        (subs.wires(), subs.removed())
    };
    let mut commands: Vec<Command> = wires
        .into_iter()
        .map(|(proto, wire)| Command::new(ServerCommand::Enable, [proto, wire.names.join(",")]))
        .collect();
    commands.extend(
        removed
            .into_iter()
            .map(|proto| Command::new(ServerCommand::Remove, [proto])),
    );
    let mut out = Vec::new();
    let mut unsent = Vec::new();
    for cmd in commands {
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        match cmd.encode(id) {
            Ok(line) => {
                out.extend_from_slice(&line);
                // Registered so the answer is matched, not counted as
                // stray; nobody waits for it, so the reader reports a
                // refusal as an event.
                let (tx, _) = bounded(1);
                let pending = Pending {
                    restoring: true,
                    ..Pending::new(&cmd, tx)
                };
                shared.add_pending(id, pending);
            }
            Err(e) => unsent.push((cmd.text(), Error::Refused(e))),
        }
    }
    let write_err = |source| Error::Write { source };
    write_all_within(&mut &conn.stream, &out, WRITE_TIMEOUT).map_err(write_err)?;
    if let Some(r) = &shared.options.recorder {
        r.sent(&out);
    }
    shared.bump_names();
    *shared.writer.lock() = Some(conn.stream.try_clone().map_err(write_err)?);
    *shared.connected_at.lock() = Instant::now();
    shared.stats.lock().connections += 1;
    shared.connected.store(true, Ordering::Release);
    // A close() that raced with the reconnect still wins.
    if shared.is_closing() {
        let _ = conn.stream.shutdown(Shutdown::Both);
    }
    Ok((conn.reader, unsent))
}

/// Commands that could not be sent, as the user would write them, and why.
type Unsent = Vec<(String, Error)>;
