//! The server's view of one connected client: what it subscribed to (each
//! protocol with its own field order) and its outgoing queue.
//!
//! Everything that produces lines (the clock, the PACKET generator, other
//! clients' commands) only ever queues bytes here, so a slow client never
//! blocks anyone: once [`MAX_BACKLOG_LINES`] lines wait for it, further
//! lines are dropped silently, as the real server does. The client's writer
//! thread (in `connection`) drains the queue into the socket.

use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use socket2::SockRef;

use super::capabilities::{Proto, PROTO_COUNT};
use super::record::Record;
use kismet_protocol::spec::MAX_BACKLOG_LINES;

/// A field selection: indexes into the protocol's fields, in the order asked.
pub type Fields = Arc<[u16]>;

/// What a client is subscribed to, and whether it is being closed.
struct Subs {
    fields: Vec<Option<Fields>>,
    /// Set once the client's last line is queued: nothing more is queued,
    /// and the writer closes the socket at this instant (once its queue is
    /// drained).
    close_at: Option<Instant>,
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
    stream: Mutex<Option<TcpStream>>,
    dropped: AtomicU64,
    /// Signalled when the writer takes lines off the queue (or the client
    /// closes), for [`ClientHandle::wait_for_room`].
    room: Mutex<()>,
    room_freed: Condvar,
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
        for p in Proto::always_on() {
            fields[p.index()] = Some(all_fields(p));
        }
        let c = ClientHandle {
            id,
            peer,
            subs: Mutex::new(Subs {
                fields,
                close_at: None,
                client_version: 0,
            }),
            tx,
            queued: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            stream: Mutex::new(Some(stream)),
            dropped: AtomicU64::new(0),
            room: Mutex::new(()),
            room_freed: Condvar::new(),
        };
        (Arc::new(c), rx)
    }

    /// The client's field selection for `proto`, if it enabled it.
    pub fn subscription(&self, proto: Proto) -> Option<Fields> {
        self.subs.lock().fields[proto.index()].clone()
    }

    /// Enables (`Some`) or removes (`None`) a protocol for this client.
    pub fn set_subscription(&self, proto: Proto, fields: Option<Fields>) {
        let mut s = self.subs.lock();
        s.fields[proto.index()] = fields;
        if proto == Proto::Client {
            s.client_version += 1;
        }
    }

    /// The CLIENT field list and its version, for the flood writer.
    pub fn client_flood_fields(&self) -> (Option<Fields>, u64) {
        let s = self.subs.lock();
        (s.fields[Proto::Client.index()].clone(), s.client_version)
    }

    /// Queues the records this client subscribed to, as one chunk.
    pub fn send(&self, records: &[(Proto, &Record)]) {
        let s = self.subs.lock();
        if s.close_at.is_some() {
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
        let s = self.subs.lock();
        if s.close_at.is_none() {
            self.push(bytes);
        }
    }

    /// Queues nothing more after this: the writer sends what is queued and
    /// closes the connection at `at` (or as soon as the queue is drained,
    /// if that is later). A second call changes nothing.
    pub fn finish(&self, at: Instant) {
        let mut s = self.subs.lock();
        if s.close_at.is_none() {
            s.close_at = Some(at);
        }
        drop(s);
        self.wake();
    }

    /// When the connection is to be closed, once [`ClientHandle::finish`]
    /// was called.
    pub fn close_at(&self) -> Option<Instant> {
        self.subs.lock().close_at
    }

    /// Must be called with the subscription lock held, so that chunks are
    /// queued in one order for everyone. A chunk that would take the queue
    /// past [`MAX_BACKLOG_LINES`] is dropped whole.
    fn push(&self, bytes: Vec<u8>) {
        if bytes.is_empty() || self.is_closed() {
            return;
        }
        let lines = count_lines(&bytes);
        if self.queued.load(Ordering::Relaxed) + lines > MAX_BACKLOG_LINES {
            self.dropped.fetch_add(lines as u64, Ordering::Relaxed);
            return;
        }
        self.queued.fetch_add(lines, Ordering::Relaxed);
        if self.tx.send(bytes).is_err() {
            self.queued.fetch_sub(lines, Ordering::Relaxed);
        }
    }

    /// Wakes the writer thread (an empty chunk carries no lines).
    fn wake(&self) {
        let _ = self.tx.send(Vec::new());
    }

    /// The writer took `bytes` off the queue.
    pub fn dequeued(&self, bytes: &[u8]) {
        self.queued.fetch_sub(count_lines(bytes), Ordering::Relaxed);
        self.room_changed();
    }

    /// Wakes a [`ClientHandle::wait_for_room`]. The lock orders this after
    /// a waiter's check, so that no wake-up is lost.
    fn room_changed(&self) {
        let _guard = self.room.lock();
        self.room_freed.notify_all();
    }

    /// Waits, at most `timeout`, until `lines` more lines fit in the queue
    /// without a drop; true when they do. For a replay that must not lose
    /// a line (a real server never waits: it drops).
    pub fn wait_for_room(&self, lines: usize, timeout: Duration) -> bool {
        let fits = || self.queued.load(Ordering::Relaxed) + lines <= MAX_BACKLOG_LINES;
        if fits() {
            return true;
        }
        let mut guard = self.room.lock();
        if !fits() && !self.is_closed() {
            self.room_freed.wait_for(&mut guard, timeout);
        }
        fits()
    }

    /// Lines dropped so far because the client read too slowly.
    pub fn dropped_lines(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// True once the connection is finished with.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// Resets the connection, as the real server does for an over-long
    /// line: with `SO_LINGER` 0, closing the socket sends a TCP RST instead
    /// of a FIN (the client sees "connection reset by peer" at once, with
    /// no reply). This handle drops its descriptor and wakes the writer,
    /// which drops its own; the caller, the reader, drops the last one.
    pub fn reset(&self, stream: &TcpStream) {
        let _ = SockRef::from(stream).set_linger(Some(Duration::ZERO));
        self.closed.store(true, Ordering::Relaxed);
        drop(self.stream.lock().take());
        self.wake();
    }

    /// Marks the connection finished and shuts the socket down, which wakes
    /// both of its threads.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        if let Some(s) = self.stream.lock().as_ref() {
            let _ = s.shutdown(Shutdown::Both);
        }
        self.wake();
        self.room_changed();
    }
}

/// Number of lines in a chunk.
fn count_lines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// Every field of `proto`, in capability order.
pub fn all_fields(proto: Proto) -> Fields {
    (0..proto.field_count() as u16).collect()
}
