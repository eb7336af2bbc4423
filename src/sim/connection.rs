//! One connected client: its subscriptions, its outgoing queue, and the two
//! threads that serve it.
//!
//! The reader thread splits the socket into lines and hands each to the
//! command handler; the writer thread drains the client's own queue into
//! the socket. Everything else (the world, the PACKET generator, other
//! clients' commands) only ever queues bytes, so a slow client never
//! blocks anyone: once 5000 lines are queued for it, further lines are
//! dropped silently, as the real server does.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::capabilities::{Proto, PROTO_COUNT};
use super::commands;
use super::records::Record;
use super::server::{lock, Shared};

/// Longest partial line the server keeps; beyond it the connection is reset.
pub const MAX_LINE: usize = 64 * 1024;

/// Lines that may wait in a client's queue; later ones are dropped (the
/// real server's `maxbacklog` default).
pub const MAX_QUEUED_LINES: usize = 5000;

/// How often blocked threads look up to see whether they should stop.
const POLL: Duration = Duration::from_millis(50);

/// A field selection: indexes into the protocol's fields, in the order asked.
pub type Fields = Arc<[u16]>;

/// What a client is subscribed to, and whether it is being closed.
struct Subs {
    fields: Vec<Option<Fields>>,
    /// Set once TERMINATE is queued: nothing may follow it.
    closing: bool,
    /// Bumped whenever the CLIENT field list changes (flood mode).
    client_version: u64,
}

/// The server's view of one connected client.
pub struct ClientHandle {
    /// Connection number, for logs.
    pub id: u64,
    /// Remote address.
    pub peer: SocketAddr,
    subs: Mutex<Subs>,
    tx: Sender<Vec<u8>>,
    queued: AtomicUsize,
    closed: AtomicBool,
    /// A handle on the socket, to shut it down from any thread.
    stream: TcpStream,
    dropped: AtomicU64,
}

impl ClientHandle {
    /// A client with the always-on protocols enabled, and its queue's
    /// receiving end for the writer thread.
    pub fn new(
        id: u64,
        peer: SocketAddr,
        stream: TcpStream,
    ) -> (Arc<ClientHandle>, Receiver<Vec<u8>>) {
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut fields = vec![None; PROTO_COUNT];
        for p in Proto::REQUIRED {
            fields[p.index()] = Some(all_fields(p));
        }
        let c = ClientHandle {
            id,
            peer,
            subs: Mutex::new(Subs {
                fields,
                closing: false,
                client_version: 0,
            }),
            tx,
            queued: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            stream,
            dropped: AtomicU64::new(0),
        };
        (Arc::new(c), rx)
    }

    /// The client's field selection for `proto`, if it enabled it.
    pub fn subscription(&self, proto: Proto) -> Option<Fields> {
        lock(&self.subs).fields[proto.index()].clone()
    }

    /// Enables (`Some`) or removes (`None`) a protocol for this client.
    pub fn set_subscription(&self, proto: Proto, fields: Option<Fields>) {
        let mut s = lock(&self.subs);
        s.fields[proto.index()] = fields;
        if proto == Proto::Client {
            s.client_version += 1;
        }
    }

    /// The CLIENT field list and its version, for the flood writer.
    fn client_flood_fields(&self) -> (Option<Fields>, u64) {
        let s = lock(&self.subs);
        (s.fields[Proto::Client.index()].clone(), s.client_version)
    }

    /// Queues the records this client subscribed to, as one chunk.
    pub fn send(&self, records: &[(Proto, &Record)]) {
        let s = lock(&self.subs);
        if s.closing {
            return;
        }
        let mut out = Vec::new();
        for (p, r) in records {
            if let Some(sel) = &s.fields[p.index()] {
                r.encode_into(&mut out, *p, Some(sel));
            }
        }
        self.push(out);
    }

    /// Queues one record if the client subscribed to its protocol.
    pub fn send_one(&self, proto: Proto, record: &Record) {
        self.send(&[(proto, record)]);
    }

    /// Queues already-encoded bytes (the caller checked the subscription).
    pub fn send_encoded(&self, bytes: Vec<u8>) {
        let s = lock(&self.subs);
        if !s.closing {
            self.push(bytes);
        }
    }

    /// Queues TERMINATE (if subscribed) as the last thing this client gets.
    pub fn terminate(&self, record: &Record) {
        let mut s = lock(&self.subs);
        if s.closing {
            return;
        }
        if let Some(sel) = &s.fields[Proto::Terminate.index()] {
            let mut out = Vec::new();
            record.encode_into(&mut out, Proto::Terminate, Some(sel));
            self.push(out);
        }
        s.closing = true;
    }

    /// Must be called with the subscription lock held, so that chunks are
    /// queued in one order for everyone. A chunk that would take the queue
    /// past [`MAX_QUEUED_LINES`] is dropped whole.
    fn push(&self, bytes: Vec<u8>) {
        if bytes.is_empty() || self.is_closed() {
            return;
        }
        let lines = count_lines(&bytes);
        if self.queued.load(Ordering::Relaxed) + lines > MAX_QUEUED_LINES {
            self.dropped.fetch_add(lines as u64, Ordering::Relaxed);
            return;
        }
        self.queued.fetch_add(lines, Ordering::Relaxed);
        if self.tx.send(bytes).is_err() {
            self.queued.fetch_sub(lines, Ordering::Relaxed);
        }
    }

    /// Lines dropped so far because the client read too slowly.
    pub fn dropped_lines(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// True once TERMINATE was queued.
    fn is_closing(&self) -> bool {
        lock(&self.subs).closing
    }

    /// True once the connection is finished with.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// Marks the connection finished and shuts the socket down, which wakes
    /// both of its threads.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// Number of lines in a chunk.
fn count_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Every field of `proto`, in capability order.
pub fn all_fields(proto: Proto) -> Fields {
    (0..proto.field_count() as u16).collect()
}

/// The reader thread: lines in, commands handled, until EOF, error, an
/// over-long line, or the server stopping.
pub fn reader(shared: Arc<Shared>, client: Arc<ClientHandle>, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(POLL));
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut tmp = vec![0u8; 16 * 1024];
    let reason = loop {
        if client.is_closed() {
            return;
        }
        if shared.is_stopping() {
            // The writer sends TERMINATE, then closes.
            return;
        }
        match stream.read(&mut tmp) {
            Ok(0) => break "closed by client",
            Ok(n) => {
                let scan_from = buf.len();
                buf.extend_from_slice(&tmp[..n]);
                let mut start = 0;
                let mut search = scan_from;
                while let Some(pos) = buf[search..].iter().position(|&b| b == b'\n') {
                    let end = search + pos;
                    commands::handle_line(&shared, &client, &buf[start..end]);
                    start = end + 1;
                    search = start;
                }
                buf.drain(..start);
                if buf.len() > MAX_LINE {
                    break "line over 64 KiB, connection reset";
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => break "connection error",
        }
    };
    let dropped = match client.dropped_lines() {
        0 => String::new(),
        n => format!(" ({n} lines dropped: it read too slowly)"),
    };
    shared.log(&format!(
        "client {} ({}) disconnected: {reason}{dropped}",
        client.id, client.peer
    ));
    client.close();
    shared.remove_client(client.id);
}

/// The writer thread: drains the client's queue into the socket; in flood
/// mode, fills every idle moment with CLIENT lines.
pub fn writer(
    shared: Arc<Shared>,
    client: Arc<ClientHandle>,
    rx: Receiver<Vec<u8>>,
    mut stream: TcpStream,
) {
    let mut flood = Flood::default();
    let result = loop {
        if client.is_closed() {
            break Ok(());
        }
        let flooding = if shared.config.flood_client && !client.is_closing() {
            client.client_flood_fields()
        } else {
            (None, 0)
        };
        let first = if let (Some(fields), version) = flooding {
            match rx.try_recv() {
                Ok(chunk) => chunk,
                Err(_) => {
                    if let Err(e) = flood.write(&shared, &mut stream, &fields, version) {
                        break Err(e);
                    }
                    continue;
                }
            }
        } else {
            match rx.recv_timeout(POLL) {
                Ok(chunk) => chunk,
                Err(RecvTimeoutError::Timeout) => {
                    if client.is_closing() {
                        break Ok(());
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break Ok(()),
            }
        };
        // Coalesce whatever else is queued into one write.
        let mut out = first;
        while out.len() < 256 * 1024 {
            match rx.try_recv() {
                Ok(more) => out.extend_from_slice(&more),
                Err(_) => break,
            }
        }
        client
            .queued
            .fetch_sub(count_lines(&out), Ordering::Relaxed);
        if let Err(e) = stream.write_all(&out) {
            break Err(e);
        }
    };
    if result.is_err() && !client.is_closed() {
        shared.log(&format!(
            "client {} ({}): write failed, closing",
            client.id, client.peer
        ));
    }
    let _ = stream.flush();
    client.close();
    shared.remove_client(client.id);
}

/// The flood writer's pre-encoded CLIENT lines, rebuilt when the world
/// ticks or the client's field list changes.
#[derive(Default)]
struct Flood {
    key: Option<(u64, u64)>,
    buf: Vec<u8>,
}

impl Flood {
    fn write(
        &mut self,
        shared: &Shared,
        stream: &mut TcpStream,
        fields: &Fields,
        version: u64,
    ) -> io::Result<()> {
        let (generation, records) = shared.flood_snapshot();
        if self.key != Some((generation, version)) {
            self.key = Some((generation, version));
            self.buf.clear();
            if !records.is_empty() {
                while self.buf.len() < 64 * 1024 {
                    for r in records.iter() {
                        r.encode_into(&mut self.buf, Proto::Client, Some(fields));
                    }
                }
            }
        }
        if self.buf.is_empty() {
            std::thread::sleep(Duration::from_millis(5));
            return Ok(());
        }
        stream.write_all(&self.buf)
    }
}
