//! The client: handshake, the reader thread, pending commands and
//! subscriptions, and reconnecting.
//!
//! `Client::connect` does the handshake synchronously (greeting, then one
//! write with a `CAPABILITY` for every protocol, then their answers), so a
//! returned client is ready. A reader thread then owns the socket's read half:
//! it parses lines, names each frame's fields from the subscription table,
//! matches `*ACK`/`*ERROR` to the command that caused them and sends frames
//! in batches into a bounded channel. When that channel is full the reader
//! drops frames and counts them rather than block: replies travel on their
//! own channels and are never dropped.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};

use super::connection::{Line, LineReader, DEFAULT_MAX_LINE};
use super::counts::FrameCounts;
use super::event::{Event, Reply};
use crate::protocol::frame::{header_end, parse_capability, parse_protocol_list};
use crate::protocol::{CapabilityTable, Command, Frame, LookupError};

/// Default server address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:2501";

/// Longest a command write may block (the server's receive window full).
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// Protocols the server enables for every client from the start.
pub const ALWAYS_ON: [&str; 7] = [
    "KISMET",
    "ERROR",
    "ACK",
    "PROTOCOLS",
    "CAPABILITY",
    "TERMINATE",
    "TIME",
];

/// How the client connects and behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Limit for the TCP connect.
    pub connect_timeout: Duration,
    /// Limit for the greeting and every CAPABILITY answer.
    pub handshake_timeout: Duration,
    /// A connection with no line for this long is treated as dead (the
    /// server sends TIME every second). `None`: never.
    pub silence_timeout: Option<Duration>,
    /// Longest server line accepted; longer ones are skipped and counted.
    pub max_line: usize,
    /// Frame batches the channel holds before frames are dropped. A batch
    /// holds at most [`MAX_BATCH_FRAMES`] frames and about
    /// [`MAX_BATCH_BYTES`] of line data, so this bounds the memory that a
    /// slow consumer can make the client hold.
    pub channel_batches: usize,
    /// Reconnect (with backoff) when the connection is lost.
    pub reconnect: bool,
    /// First and longest wait between reconnect attempts.
    pub backoff: (Duration, Duration),
}

impl Default for Options {
    fn default() -> Options {
        Options {
            connect_timeout: Duration::from_secs(5),
            handshake_timeout: Duration::from_secs(10),
            silence_timeout: Some(Duration::from_secs(10)),
            max_line: DEFAULT_MAX_LINE,
            channel_batches: 32,
            reconnect: false,
            backoff: (Duration::from_secs(1), Duration::from_secs(30)),
        }
    }
}

/// What the server said about itself in its greeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerInfo {
    /// `version` (always `0.0.0` on a legacy server).
    pub version: String,
    /// `starttime`, epoch seconds.
    pub start_time: u64,
    /// `servername`.
    pub name: String,
    /// Protocols named in PROTOCOLS, in order.
    pub protocols: Vec<String>,
}

/// Why waiting for a reply ended without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitError {
    /// No reply within the time limit (the server does not answer some lines).
    Timeout {
        /// The command id.
        id: u64,
        /// How long we waited.
        after: Duration,
    },
    /// The connection was lost before the reply came.
    ConnectionLost,
    /// The caller stopped waiting (see [`PendingReply::wait_or_cancel`]).
    Cancelled {
        /// The command id.
        id: u64,
    },
}

impl std::fmt::Display for WaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaitError::Timeout { id, after } => write!(
                f,
                "no reply to command {id} within {:.1} s",
                after.as_secs_f64()
            ),
            WaitError::ConnectionLost => write!(f, "connection lost before the reply came"),
            WaitError::Cancelled { id } => {
                write!(f, "stopped waiting for the reply to command {id}")
            }
        }
    }
}

impl std::error::Error for WaitError {}

/// Counters the reader keeps; read them with [`Client::stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines that did not parse (or were empty).
    pub malformed: u64,
    /// Lines over the length limit, skipped.
    pub overlong: u64,
    /// ACK/ERROR lines whose id matched no pending command.
    pub unmatched_replies: u64,
    /// Frames dropped because the consumer fell behind, per protocol.
    pub dropped: HashMap<String, u64>,
    /// Connections made (1 + reconnects).
    pub connections: u64,
}

/// A command sent and not yet answered.
struct Pending {
    command: String,
    sent: Instant,
    tx: Sender<Result<Reply, WaitError>>,
    /// For ENABLE/REMOVE: the subscription to restore if the server refuses.
    revert: Option<(String, Option<Arc<[String]>>)>,
}

/// State shared by the client handle and its reader thread.
struct Shared {
    addr: String,
    options: Options,
    table: Mutex<CapabilityTable>,
    info: Mutex<ServerInfo>,
    /// Field names per enabled protocol (upper-case key), as last asked.
    subs: Mutex<HashMap<String, Arc<[String]>>>,
    /// Always-on protocols (TIME, ...) this client removed, upper-case.
    removed: Mutex<std::collections::HashSet<String>>,
    /// Bumped whenever `subs` or `table` changes, so the reader re-reads them.
    names_gen: AtomicU64,
    pending: Mutex<HashMap<u64, Pending>>,
    next_id: AtomicU64,
    server_time: AtomicU64,
    connected: AtomicBool,
    closing: AtomicBool,
    writer: Mutex<Option<TcpStream>>,
    stats: Mutex<Stats>,
    /// Frames received per protocol (parsed or dropped), on the clock of
    /// `started`.
    counts: Mutex<FrameCounts>,
    started: Instant,
    connected_at: Mutex<Instant>,
}

/// Locks a mutex, ignoring poisoning: the data are counters and tables that
/// stay consistent between statements.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A connection to a legacy Kismet server.
///
/// # Examples
/// ```no_run
/// # fn main() -> anyhow::Result<()> {
/// use std::time::Duration;
/// use kismet_shell::client::{Client, Event, Options};
///
/// let client = Client::connect("127.0.0.1:2501", Options::default())?;
/// println!("GPS fields: {:?}", client.table().get("GPS").map(|p| p.fields.clone()));
/// let reply = client.enable("SSID", "ssid,mac", Duration::from_secs(5))?;
/// assert!(reply.is_ok());
/// for event in client.events().iter() {
///     if let Event::Frames(frames) = event {
///         for f in frames.iter().filter(|f| f.protocol() == "SSID") {
///             let ssid = kismet_shell::protocol::text::display_ssid(f.get("ssid").unwrap_or(b""));
///             let mac = String::from_utf8_lossy(f.get("mac").unwrap_or(b""));
///             println!("SSID spotted: {ssid:?} with mac {mac}");
///         }
///     }
/// }
/// # Ok(()) }
/// ```
pub struct Client {
    shared: Arc<Shared>,
    events: Receiver<Event>,
}

impl Client {
    /// Connects, reads the greeting and learns every protocol's fields.
    ///
    /// # Errors
    /// The address does not resolve, the connection fails or times out, the
    /// server closes before its greeting (as a server at `maxclients` does),
    /// or does not answer the handshake in time.
    pub fn connect(addr: &str, options: Options) -> anyhow::Result<Client> {
        let conn = establish(addr, &options)?;
        let (tx, events) = bounded(options.channel_batches.max(1));
        let shared = Arc::new(Shared {
            addr: addr.to_string(),
            table: Mutex::new(conn.table.clone()),
            info: Mutex::new(conn.info.clone()),
            subs: Mutex::new(HashMap::new()),
            removed: Mutex::new(std::collections::HashSet::new()),
            names_gen: AtomicU64::new(1),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(conn.next_id),
            server_time: AtomicU64::new(conn.server_time),
            connected: AtomicBool::new(true),
            closing: AtomicBool::new(false),
            writer: Mutex::new(Some(conn.stream.try_clone()?)),
            stats: Mutex::new(Stats {
                connections: 1,
                ..Stats::default()
            }),
            counts: Mutex::new(FrameCounts::default()),
            started: Instant::now(),
            connected_at: Mutex::new(Instant::now()),
            options,
        });
        let thread_shared = shared.clone();
        thread::Builder::new()
            .name("kismet-reader".into())
            .spawn(move || connection_thread(thread_shared, conn.reader, tx))
            .context("starting the reader thread")?;
        Ok(Client { shared, events })
    }

    /// The events from the reader thread: frames, drops, disconnects.
    pub fn events(&self) -> &Receiver<Event> {
        &self.events
    }

    /// The address this client connects to.
    pub fn addr(&self) -> &str {
        &self.shared.addr
    }

    /// A copy of the capability table (cheap: field lists are shared).
    pub fn table(&self) -> CapabilityTable {
        lock(&self.shared.table).clone()
    }

    /// What the server said in its greeting.
    pub fn server_info(&self) -> ServerInfo {
        lock(&self.shared.info).clone()
    }

    /// The server's clock from its last TIME line (epoch seconds).
    pub fn server_time(&self) -> u64 {
        self.shared.server_time.load(Ordering::Relaxed)
    }

    /// True while the connection is up.
    pub fn is_connected(&self) -> bool {
        self.shared.connected.load(Ordering::Acquire)
    }

    /// True when a lost connection is retried rather than the end.
    pub fn will_reconnect(&self) -> bool {
        self.shared.options.reconnect && !self.shared.closing.load(Ordering::Acquire)
    }

    /// When the current connection was made.
    pub fn connected_at(&self) -> Instant {
        *lock(&self.shared.connected_at)
    }

    /// The reader's counters.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// Frames received so far per protocol (including those dropped
    /// because the consumer fell behind).
    pub fn frame_counts(&self) -> FrameCounts {
        lock(&self.shared.counts).clone()
    }

    /// (protocol, frames received, frames per second over the last seconds).
    pub fn frame_rates(&self) -> Vec<(String, u64, f64)> {
        lock(&self.shared.counts).rates(self.shared.started.elapsed().as_secs())
    }

    /// Commands sent and not yet answered.
    pub fn pending_count(&self) -> usize {
        lock(&self.shared.pending).len()
    }

    /// Protocols enabled by this client and their field lists, as asked.
    pub fn subscriptions(&self) -> Vec<(String, Arc<[String]>)> {
        let mut v: Vec<_> = lock(&self.shared.subs)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        v.sort();
        v
    }

    /// Sends a command; the reply is matched to it by id.
    ///
    /// `ENABLE` and `REMOVE` also update the subscription table (when their
    /// arguments name a known protocol and fields) so the frames that follow
    /// are named; a refused one is rolled back.
    ///
    /// # Errors
    /// Not connected, an argument the protocol cannot carry, or a write error.
    pub fn send(&self, command: &Command) -> anyhow::Result<PendingReply> {
        command.validate().map_err(|e| anyhow!("{e}"))?;
        if !self.is_connected() {
            bail!("not connected to {}", self.shared.addr);
        }
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let line = command.encode(id).map_err(|e| anyhow!("{e}"))?;
        let (tx, rx) = bounded(1);
        let revert = self.track_subscription(command);
        lock(&self.shared.pending).insert(
            id,
            Pending {
                command: command.text(),
                sent: Instant::now(),
                tx,
                revert,
            },
        );
        let written = match lock(&self.shared.writer).as_mut() {
            Some(w) => w.write_all(&line).context("sending the command"),
            None => Err(anyhow!("not connected to {}", self.shared.addr)),
        };
        if let Err(e) = written {
            if let Some(p) = lock(&self.shared.pending).remove(&id) {
                restore(&self.shared, p.revert);
            }
            // Part of the line may have gone out: the next command would be
            // glued to it. Drop the connection; the reader reports it (and
            // reconnects, if asked to).
            if let Some(w) = lock(&self.shared.writer).take() {
                let _ = w.shutdown(Shutdown::Both);
            }
            return Err(e.context("connection closed"));
        }
        Ok(PendingReply {
            id,
            rx,
            shared: self.shared.clone(),
        })
    }

    /// Sends a command and waits for its reply.
    ///
    /// # Errors
    /// As [`Client::send`], and [`WaitError`] when no reply comes in time or
    /// the connection is lost.
    pub fn request(&self, command: &Command, timeout: Duration) -> anyhow::Result<Reply> {
        let pending = self.send(command)?;
        Ok(pending.wait(timeout)?)
    }

    /// Checks an ENABLE against the capability table: the canonical protocol
    /// name and field list, or an error naming the nearest valid names.
    ///
    /// # Errors
    /// [`LookupError`] for an unknown protocol or field or an empty list.
    pub fn check_enable(&self, protocol: &str, fields: &str) -> Result<Command, LookupError> {
        let (proto, list) = lock(&self.shared.table).resolve_fields(protocol, fields)?;
        let spec = if fields.starts_with('*') {
            "*".to_string()
        } else {
            list.join(",")
        };
        Ok(Command::new("ENABLE", [proto, spec]))
    }

    /// Enables a protocol with a field list (`ssid,mac` or `*`), checked
    /// locally first: nothing is sent for an unknown name.
    ///
    /// # Errors
    /// Unknown protocol or field, or as [`Client::request`].
    pub fn enable(&self, protocol: &str, fields: &str, timeout: Duration) -> anyhow::Result<Reply> {
        let cmd = self.check_enable(protocol, fields)?;
        self.request(&cmd, timeout)
    }

    /// Stops a protocol, checked locally first.
    ///
    /// # Errors
    /// Unknown protocol, or as [`Client::request`].
    pub fn remove(&self, protocol: &str, timeout: Duration) -> anyhow::Result<Reply> {
        let name = lock(&self.shared.table).protocol(protocol)?.name.clone();
        self.request(&Command::new("REMOVE", [name]), timeout)
    }

    /// For ENABLE/REMOVE: updates the subscription table now (frames of the
    /// new layout may arrive before the ACK) and returns what to restore if
    /// the server refuses.
    fn track_subscription(&self, command: &Command) -> Option<(String, Option<Arc<[String]>>)> {
        let proto_arg = command.args.first()?;
        let table = lock(&self.shared.table);
        let info = table.get(proto_arg)?;
        let key = info.name.to_ascii_uppercase();
        let new: Option<Arc<[String]>> = match command.name.as_str() {
            "ENABLE" => {
                // The server stops the list at the first space: one argument.
                let spec = command.args.get(1)?;
                Some(table.resolve_fields(proto_arg, spec).ok()?.1.into())
            }
            "REMOVE" => None,
            _ => return None,
        };
        drop(table);
        if ALWAYS_ON.contains(&key.as_str()) {
            let mut removed = lock(&self.shared.removed);
            if new.is_some() {
                removed.remove(&key);
            } else {
                removed.insert(key.clone());
            }
        }
        let mut subs = lock(&self.shared.subs);
        let old = match new {
            Some(names) => subs.insert(key.clone(), names),
            None => subs.remove(&key),
        };
        self.shared.names_gen.fetch_add(1, Ordering::Release);
        Some((key, old))
    }

    /// Closes the connection; the reader thread ends without reporting it.
    pub fn close(&self) {
        self.shared.closing.store(true, Ordering::Release);
        if let Some(w) = lock(&self.shared.writer).take() {
            let _ = w.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.close();
    }
}

/// Puts back a subscription that the server refused.
fn restore(shared: &Shared, revert: Option<(String, Option<Arc<[String]>>)>) {
    if let Some((key, old)) = revert {
        let mut subs = lock(&shared.subs);
        match old {
            Some(names) => subs.insert(key, names),
            None => subs.remove(&key),
        };
        shared.names_gen.fetch_add(1, Ordering::Release);
    }
}

/// A command on its way; wait for its reply with [`PendingReply::wait`].
pub struct PendingReply {
    /// The command id.
    pub id: u64,
    rx: Receiver<Result<Reply, WaitError>>,
    shared: Arc<Shared>,
}

impl PendingReply {
    /// Waits for the reply, at most `timeout`.
    ///
    /// # Errors
    /// [`WaitError::Timeout`] (the command is then forgotten: a late reply
    /// counts as unmatched) or [`WaitError::ConnectionLost`].
    pub fn wait(self, timeout: Duration) -> Result<Reply, WaitError> {
        match self.rx.recv_timeout(timeout) {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) => Err(WaitError::Timeout {
                id: self.id,
                after: timeout,
            }),
            Err(RecvTimeoutError::Disconnected) => Err(WaitError::ConnectionLost),
        }
    }
}

impl PendingReply {
    /// Like [`PendingReply::wait`], but gives up as soon as `cancel` is set
    /// (checked every 50 ms), e.g. by a Ctrl-C handler.
    ///
    /// # Errors
    /// As [`PendingReply::wait`], and [`WaitError::Cancelled`].
    pub fn wait_or_cancel(
        self,
        timeout: Duration,
        cancel: &AtomicBool,
    ) -> Result<Reply, WaitError> {
        let deadline = Instant::now() + timeout;
        loop {
            if cancel.load(Ordering::Acquire) {
                return Err(WaitError::Cancelled { id: self.id });
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(WaitError::Timeout {
                    id: self.id,
                    after: timeout,
                });
            }
            match self.rx.recv_timeout(left.min(Duration::from_millis(50))) {
                Ok(r) => return r,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return Err(WaitError::ConnectionLost),
            }
        }
    }
}

impl Drop for PendingReply {
    fn drop(&mut self) {
        lock(&self.shared.pending).remove(&self.id);
    }
}

/// A connection after its handshake, before the reader thread takes it.
struct Established {
    stream: TcpStream,
    reader: LineReader<TcpStream>,
    info: ServerInfo,
    table: CapabilityTable,
    next_id: u64,
    server_time: u64,
}

/// Connects and does the handshake: greeting, then every CAPABILITY.
fn establish(addr: &str, options: &Options) -> anyhow::Result<Established> {
    let stream = connect_tcp(addr, options.connect_timeout)?;
    handshake(stream, options).with_context(|| format!("handshake with {addr}"))
}

fn connect_tcp(addr: &str, timeout: Duration) -> anyhow::Result<TcpStream> {
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .with_context(|| format!("resolving {addr}"))?
        .collect();
    let mut last = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, timeout) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) => Err(e).with_context(|| format!("connecting to {addr}")),
        None => bail!("{addr} resolves to no address"),
    }
}

fn handshake(stream: TcpStream, options: &Options) -> anyhow::Result<Established> {
    let deadline = Instant::now() + options.handshake_timeout;
    let mut reader = LineReader::new(stream.try_clone()?, options.max_line);
    let mut info = ServerInfo::default();
    let mut saw_kismet = false;
    let mut saw_protocols = false;
    let mut server_time = 0;
    let mut got_any = false;

    // 1. The greeting: KISMET and PROTOCOLS.
    while !(saw_kismet && saw_protocols) {
        let frame = match read_frame_before(&mut reader, deadline, "the greeting")? {
            Some(f) => f,
            None if !got_any => bail!(
                "server closed the connection before its greeting \
                 (a legacy server does this past its maxclients limit)"
            ),
            None => bail!("server closed the connection during its greeting"),
        };
        got_any = true;
        match frame.protocol() {
            "KISMET" => {
                saw_kismet = true;
                let f = |i| String::from_utf8_lossy(frame.field(i).unwrap_or(b"")).into_owned();
                info.version = f(0);
                info.start_time = f(1).parse().unwrap_or(0);
                info.name = f(2);
            }
            "PROTOCOLS" => {
                saw_protocols = true;
                info.protocols = parse_protocol_list(frame.field(0).unwrap_or(b""));
            }
            "TIME" => server_time = parse_time(&frame).unwrap_or(server_time),
            _ => {}
        }
    }

    // 2. One write with a CAPABILITY for every protocol.
    let mut table = CapabilityTable::new();
    let mut waiting: HashMap<u64, String> = HashMap::new();
    let mut out = Vec::new();
    for (i, proto) in info.protocols.iter().enumerate() {
        let id = i as u64 + 1;
        let cmd = Command::new("CAPABILITY", [proto.as_str()]);
        match cmd.encode(id) {
            Ok(line) => {
                out.extend_from_slice(&line);
                waiting.insert(id, proto.clone());
                table.insert(proto, Vec::new());
            }
            // A protocol name we cannot send back (never from a real server).
            Err(_) => continue,
        }
    }
    (&stream)
        .write_all(&out)
        .context("sending CAPABILITY requests")?;

    // 3. Their answers: a CAPABILITY line then an ACK for each.
    while !waiting.is_empty() {
        let frame = read_frame_before(&mut reader, deadline, "CAPABILITY answers")?
            .ok_or_else(|| anyhow!("server closed the connection during the handshake"))?;
        match frame.protocol() {
            "CAPABILITY" => {
                if let Some((proto, fields)) = parse_capability(frame.field(0).unwrap_or(b"")) {
                    table.insert(&proto, fields);
                }
            }
            "ACK" | "ERROR" => {
                if let Some(id) = frame.field(0).and_then(parse_u64) {
                    waiting.remove(&id);
                }
            }
            "TIME" => server_time = parse_time(&frame).unwrap_or(server_time),
            _ => {}
        }
    }
    stream.set_read_timeout(options.silence_timeout)?;
    // A server that stops reading must not hang the caller of send().
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let next_id = info.protocols.len() as u64 + 1;
    Ok(Established {
        stream,
        reader,
        info,
        table,
        next_id,
        server_time,
    })
}

/// Reads the next parseable frame, giving up at `deadline`.
fn read_frame_before(
    reader: &mut LineReader<TcpStream>,
    deadline: Instant,
    what: &str,
) -> anyhow::Result<Option<Frame>> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            bail!("timed out waiting for {what}");
        }
        reader.get_ref().set_read_timeout(Some(left))?;
        match reader.next_line() {
            Ok(Some(Line::Complete(line))) => {
                if let Ok(f) = Frame::parse(line) {
                    return Ok(Some(f));
                }
            }
            Ok(Some(Line::Overlong(_))) => {}
            Ok(None) => return Ok(None),
            Err(e) if is_timeout(&e) => bail!("timed out waiting for {what}"),
            Err(e) => return Err(e).with_context(|| format!("reading {what}")),
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn parse_u64(b: &[u8]) -> Option<u64> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}

fn parse_time(f: &Frame) -> Option<u64> {
    f.field(0).and_then(parse_u64)
}

/// The reader thread: reads until the connection ends, then reconnects if
/// asked to, else reports the disconnect and stops.
fn connection_thread(shared: Arc<Shared>, mut reader: LineReader<TcpStream>, tx: Sender<Event>) {
    let mut attempt: u32 = 0;
    loop {
        let reason = read_loop(&shared, &mut reader, &tx);
        shared.connected.store(false, Ordering::Release);
        if let Some(w) = lock(&shared.writer).take() {
            let _ = w.shutdown(Shutdown::Both);
        }
        fail_pending(&shared);
        if shared.closing.load(Ordering::Acquire) {
            return;
        }
        if tx
            .send(Event::Disconnected {
                reason: reason.clone(),
            })
            .is_err()
        {
            return; // nobody listens any more
        }
        if !shared.options.reconnect {
            return;
        }
        // Reconnect with capped exponential backoff, reset on success.
        loop {
            let (first, cap) = shared.options.backoff;
            let delay = first.saturating_mul(1 << attempt.min(16)).min(cap);
            attempt = attempt.saturating_add(1);
            if tx
                .send(Event::Reconnecting {
                    attempt,
                    delay,
                    reason: reason.clone(),
                })
                .is_err()
            {
                return;
            }
            if sleep_unless_closing(&shared, delay) {
                return;
            }
            match reconnect(&shared) {
                Ok(new_reader) => {
                    reader = new_reader;
                    attempt = 0;
                    let info = lock(&shared.info).clone();
                    if tx.send(Event::Reconnected { info }).is_err() {
                        return;
                    }
                    break;
                }
                Err(e) => {
                    let _ = tx.send(Event::ReconnectFailed {
                        attempt,
                        error: format!("{e:#}"),
                    });
                }
            }
        }
    }
}

/// Sleeps `delay` in short steps; true when the client is closing.
fn sleep_unless_closing(shared: &Shared, delay: Duration) -> bool {
    let until = Instant::now() + delay;
    while Instant::now() < until {
        if shared.closing.load(Ordering::Acquire) {
            return true;
        }
        thread::sleep(Duration::from_millis(20).min(until - Instant::now()));
    }
    shared.closing.load(Ordering::Acquire)
}

/// Connects again, redoes the handshake and re-enables every subscription
/// with the same field lists.
fn reconnect(shared: &Arc<Shared>) -> anyhow::Result<LineReader<TcpStream>> {
    let conn = establish(&shared.addr, &shared.options)?;
    *lock(&shared.table) = conn.table;
    *lock(&shared.info) = conn.info;
    shared
        .server_time
        .store(conn.server_time, Ordering::Relaxed);
    shared.next_id.fetch_max(conn.next_id, Ordering::Relaxed);
    let subs: Vec<(String, Arc<[String]>)> = lock(&shared.subs)
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Every subscription again with the same fields, and the always-on
    // protocols the user had removed removed again, in one write.
    let mut commands: Vec<Command> = subs
        .iter()
        .map(|(proto, fields)| Command::new("ENABLE", [proto.clone(), fields.join(",")]))
        .collect();
    commands.extend(
        lock(&shared.removed)
            .iter()
            .map(|proto| Command::new("REMOVE", [proto.clone()])),
    );
    let mut out = Vec::new();
    for cmd in commands {
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(line) = cmd.encode(id) {
            out.extend_from_slice(&line);
            // Registered so the answer is matched, not counted as stray; a
            // refusal shows in the frames that then do not come.
            let (tx, _) = bounded(1);
            lock(&shared.pending).insert(
                id,
                Pending {
                    command: cmd.text(),
                    sent: Instant::now(),
                    tx,
                    revert: None,
                },
            );
        }
    }
    (&conn.stream)
        .write_all(&out)
        .context("re-enabling subscriptions")?;
    shared.names_gen.fetch_add(1, Ordering::Release);
    *lock(&shared.writer) = Some(conn.stream.try_clone()?);
    *lock(&shared.connected_at) = Instant::now();
    lock(&shared.stats).connections += 1;
    shared.connected.store(true, Ordering::Release);
    // A close() that raced with the reconnect still wins.
    if shared.closing.load(Ordering::Acquire) {
        let _ = conn.stream.shutdown(Shutdown::Both);
    }
    Ok(conn.reader)
}

/// Answers every pending command with "connection lost".
fn fail_pending(shared: &Shared) {
    let pending: Vec<Pending> = lock(&shared.pending).drain().map(|(_, p)| p).collect();
    for p in pending {
        let _ = p.tx.try_send(Err(WaitError::ConnectionLost));
        restore(shared, p.revert);
    }
}

/// Field names per protocol as the reader sees them: the capability table's
/// full lists, overridden by this client's subscriptions. Refreshed only when
/// `names_gen` moves, so naming a frame takes no lock.
struct NameCache {
    gen: u64,
    map: HashMap<String, Arc<[String]>>,
    /// The last protocol looked up and its names: frames come in runs.
    last: Option<(String, Option<Arc<[String]>>)>,
}

impl NameCache {
    /// The names for `proto`, from the one-entry cache when it is the same
    /// protocol as the last frame's.
    fn lookup(&mut self, proto: &str) -> Option<Arc<[String]>> {
        match &self.last {
            Some((p, names)) if p == proto => names.clone(),
            _ => {
                let names = self.map.get(proto).cloned();
                self.last = Some((proto.to_string(), names.clone()));
                names
            }
        }
    }

    fn refresh(&mut self, shared: &Shared) {
        let gen = shared.names_gen.load(Ordering::Acquire);
        if gen == self.gen {
            return;
        }
        self.gen = gen;
        self.last = None;
        self.map.clear();
        for p in lock(&shared.table).iter() {
            self.map
                .insert(p.name.to_ascii_uppercase(), p.fields.clone());
        }
        for (k, v) in lock(&shared.subs).iter() {
            self.map.insert(k.clone(), v.clone());
        }
    }
}

/// Most frames sent as one event.
pub const MAX_BATCH_FRAMES: usize = 1024;
/// Line bytes after which a batch is sent (a batch may exceed it by one line).
pub const MAX_BATCH_BYTES: usize = 128 * 1024;

/// What the reader carries from one line to the next.
struct ReadState {
    names: NameCache,
    /// Frames parsed and not yet sent.
    batch: Vec<Frame>,
    /// Line bytes in `batch`.
    batch_bytes: usize,
    /// Drops not yet reported on the channel.
    unreported: HashMap<String, u64>,
    /// Frames dropped unparsed during this read.
    tally: DropTally,
    /// The text of a TERMINATE, once one came.
    terminating: Option<String>,
}

impl ReadState {
    /// Handles one line (tallied unparsed when the channel is full); true
    /// when the batch should be sent before the next line.
    fn handle(&mut self, shared: &Shared, tx: &Sender<Event>, line: Line<'_>) -> bool {
        let dropping = tx.is_full().then_some(&mut self.tally);
        let before = self.batch.len();
        let reply = handle_line(
            shared,
            line,
            &mut self.names,
            &mut self.batch,
            &mut self.terminating,
            dropping,
        );
        if self.batch.len() > before {
            self.batch_bytes += self.batch.last().map_or(0, |f| f.raw().len());
        }
        match reply {
            // The frames before a reply are counted and sent before the
            // caller waiting for it wakes up.
            Some(reply) => {
                self.flush(shared, tx);
                deliver_reply(shared, &reply);
                true
            }
            None => false,
        }
    }

    /// True while the batch may take more lines.
    fn has_room(&self) -> bool {
        self.batch.len() < MAX_BATCH_FRAMES && self.batch_bytes < MAX_BATCH_BYTES
    }

    /// Counts this read's frames, records the tallied drops and sends the
    /// batch.
    fn flush(&mut self, shared: &Shared, tx: &Sender<Event>) {
        if !self.batch.is_empty() || !self.tally.counts.is_empty() {
            let now = shared.started.elapsed().as_secs();
            let mut counts = lock(&shared.counts);
            counts.add_frames(&self.batch, now);
            for (header, n) in &self.tally.counts {
                counts.add(&String::from_utf8_lossy(header), *n, now);
            }
        }
        self.tally.commit(shared, &mut self.unreported);
        report_drops(tx, &mut self.unreported);
        self.batch_bytes = 0;
        if self.batch.is_empty() {
            return;
        }
        // Never block: when the channel is full the frames are dropped and
        // counted like the unparsed ones (reported once there is room).
        if let Err(e) = tx.try_send(Event::Frames(std::mem::take(&mut self.batch))) {
            if let Event::Frames(frames) = e.into_inner() {
                for f in &frames {
                    self.tally.add(f.protocol_bytes());
                }
                self.tally.commit(shared, &mut self.unreported);
            }
        }
    }
}

/// Reads lines until the connection ends; returns why it ended.
fn read_loop(shared: &Shared, reader: &mut LineReader<TcpStream>, tx: &Sender<Event>) -> String {
    let mut state = ReadState {
        names: NameCache {
            gen: 0,
            map: HashMap::new(),
            last: None,
        },
        batch: Vec::new(),
        batch_bytes: 0,
        unreported: HashMap::new(),
        tally: DropTally::default(),
        terminating: None,
    };
    loop {
        // Block for one line, then take every line already buffered: one
        // batch (one channel operation) per read.
        let mut flush_now = match reader.next_line() {
            Ok(Some(line)) => state.handle(shared, tx, line),
            Ok(None) => {
                state.flush(shared, tx);
                return match state.terminating {
                    Some(t) => format!("server terminated: {t}"),
                    None => "server closed the connection".to_string(),
                };
            }
            // The watchdog counts on TIME every second: without it, silence
            // is normal and the connection is not declared dead.
            Err(e) if is_timeout(&e) && lock(&shared.removed).contains("TIME") => {
                state.flush(shared, tx);
                continue;
            }
            Err(e) if is_timeout(&e) => {
                state.flush(shared, tx);
                let secs = shared
                    .options
                    .silence_timeout
                    .map_or(0.0, |d| d.as_secs_f64());
                return format!(
                    "no data from the server for {secs:.0} s, connection presumed dead"
                );
            }
            Err(e) => {
                state.flush(shared, tx);
                if shared.closing.load(Ordering::Acquire) {
                    return "closed".into();
                }
                return format!("connection lost: {e}");
            }
        };
        while !flush_now && state.has_room() {
            match reader.next_buffered() {
                Some(line) => flush_now = state.handle(shared, tx, line),
                None => break,
            }
        }
        state.flush(shared, tx);
    }
}

/// Handles one line: a frame goes into the batch (or the tally); an ACK or
/// ERROR is returned, for the caller to deliver once the batch is out.
fn handle_line(
    shared: &Shared,
    line: Line<'_>,
    names: &mut NameCache,
    batch: &mut Vec<Frame>,
    terminating: &mut Option<String>,
    dropping: Option<&mut DropTally>,
) -> Option<Frame> {
    let line = match line {
        Line::Complete(l) => l,
        Line::Overlong(_) => {
            lock(&shared.stats).overlong += 1;
            return None;
        }
    };
    // The consumer is behind and this frame would be dropped anyway: count
    // it by its header without parsing it (the reader's CPU then goes to
    // the consumer). Replies and the protocols the client itself reads
    // are always handled.
    if let Some(tally) = dropping {
        if let Some(header) = quick_header(line) {
            if !CONTROL.iter().any(|c| c.as_bytes() == header) {
                tally.add(header);
                return None;
            }
        }
    }
    let frame = match Frame::parse(line) {
        Ok(f) => f,
        Err(_) => {
            lock(&shared.stats).malformed += 1;
            return None;
        }
    };
    // One atomic load: a subscription changed since the last line?
    names.refresh(shared);
    let proto = frame.protocol();
    match proto {
        "ACK" | "ERROR" => return Some(frame),
        "TIME" => {
            if let Some(t) = parse_time(&frame) {
                shared.server_time.store(t, Ordering::Relaxed);
            }
        }
        "TERMINATE" => {
            *terminating =
                Some(String::from_utf8_lossy(frame.field(0).unwrap_or(b"")).into_owned());
        }
        "CAPABILITY" => {
            if let Some((p, fields)) = parse_capability(frame.field(0).unwrap_or(b"")) {
                lock(&shared.table).insert(&p, fields);
                shared.names_gen.fetch_add(1, Ordering::Release);
            }
        }
        _ => {}
    }
    let named = names.lookup(proto);
    batch.push(frame.with_names(named));
    None
}

/// Protocols the reader acts on itself; never dropped unparsed.
const CONTROL: [&str; 7] = [
    "ACK",
    "ERROR",
    "TIME",
    "TERMINATE",
    "CAPABILITY",
    "KISMET",
    "PROTOCOLS",
];

/// The header of a `*HEADER: ...` line, when it looks like one.
fn quick_header(line: &[u8]) -> Option<&[u8]> {
    header_end(line).ok().map(|colon| &line[1..colon])
}

/// Frames dropped unparsed during one read, per protocol; added to the
/// counters under one lock when the read is done.
#[derive(Default)]
struct DropTally {
    counts: Vec<(Vec<u8>, u64)>,
}

impl DropTally {
    fn add(&mut self, header: &[u8]) {
        match self.counts.iter_mut().find(|(h, _)| h == header) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((header.to_vec(), 1)),
        }
    }

    fn commit(&mut self, shared: &Shared, unreported: &mut HashMap<String, u64>) {
        if self.counts.is_empty() {
            return;
        }
        let mut stats = lock(&shared.stats);
        for (header, n) in self.counts.drain(..) {
            let proto = String::from_utf8_lossy(&header).into_owned();
            *stats.dropped.entry(proto.clone()).or_insert(0) += n;
            *unreported.entry(proto).or_insert(0) += n;
        }
    }
}

/// Matches an ACK/ERROR to its pending command and hands it over.
fn deliver_reply(shared: &Shared, frame: &Frame) {
    let Some(id) = frame.field(0).and_then(parse_u64) else {
        lock(&shared.stats).malformed += 1;
        return;
    };
    let Some(p) = lock(&shared.pending).remove(&id) else {
        lock(&shared.stats).unmatched_replies += 1;
        return;
    };
    let text = String::from_utf8_lossy(frame.field(1).unwrap_or(b"")).into_owned();
    let result = if frame.protocol() == "ACK" {
        Ok(text)
    } else {
        restore(shared, p.revert);
        Err(text)
    };
    let reply = Reply {
        id,
        command: p.command,
        result,
        latency: p.sent.elapsed(),
        raw: frame.raw().to_vec(),
    };
    let _ = p.tx.try_send(Ok(reply));
}

/// Sends the drop counts not yet reported as an [`Event::Dropped`], when
/// the channel has room; they wait for the next try otherwise.
fn report_drops(tx: &Sender<Event>, unreported: &mut HashMap<String, u64>) {
    if unreported.is_empty() {
        return;
    }
    let counts: Vec<(String, u64)> = unreported.drain().collect();
    if let Err(e) = tx.try_send(Event::Dropped { counts }) {
        if let Event::Dropped { counts } = e.into_inner() {
            unreported.extend(counts);
        }
    }
}
