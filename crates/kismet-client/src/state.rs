//! The state a client handle shares with its reader thread: options,
//! counters, the capability table, subscriptions and commands awaiting
//! their reply.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use crate::counts::FrameCounts;
use crate::error::{DisconnectReason, Error};
use crate::event::ServerInfo;
use crate::reply::Reply;
use crate::subs::Subscriptions;
use kismet_protocol::spec::MAX_LINE;
use kismet_protocol::{CapabilityTable, Command, Frame, ServerCommand};
use kismet_record::Recorder;

/// How the client connects and behaves.
#[derive(Debug, Clone)]
#[non_exhaustive]
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
    /// With `reconnect`: reconnect also after the server said TERMINATE
    /// (it was shut down on purpose, perhaps by this client's own
    /// `SHUTDOWN`). On by default, for following a server across its
    /// restarts; an interactive front end turns it off and lets its user
    /// reconnect by hand.
    pub reconnect_after_terminate: bool,
    /// First and longest wait between reconnect attempts.
    pub backoff: (Duration, Duration),
    /// Where every line received and sent is recorded, if anywhere.
    pub recorder: Option<Arc<Recorder>>,
    /// Wait for the consumer instead of dropping frames when the channel
    /// is full: the reader stops reading, the socket fills and TCP slows
    /// the server down. A legacy server then queues up to 5,000 lines for
    /// this client and drops the rest on its side, where they cannot be
    /// counted. While a command awaits its reply, frames are kept aside
    /// (up to [`crate::LOSSLESS_HOLD_BYTES`] of lines; beyond, dropped and
    /// counted) so that the reply behind them gets through.
    pub lossless: bool,
}

/// Most frames sent as one event.
pub const MAX_BATCH_FRAMES: usize = 1024;
/// Line bytes after which a batch is sent (a batch may exceed it by one line).
pub const MAX_BATCH_BYTES: usize = 128 * 1024;

/// Longest a command write may block (the server's receive window full).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// The socket's own write timeout: one `write()` that makes no progress for
/// this long returns, so that [`write_all_within`] can check its deadline.
/// (The socket's timeout alone is per call: a server that takes a few
/// bytes now and then would keep a long write going for ever.)
pub const WRITE_STEP: Duration = Duration::from_millis(250);

/// Writes all of `buf`, failing with `TimedOut` once `timeout` has passed
/// (plus at most [`WRITE_STEP`]) without the whole of it written.
///
/// # Errors
/// The socket's errors, and `TimedOut` for a server that stopped reading.
pub fn write_all_within(w: &mut impl Write, mut buf: &[u8], timeout: Duration) -> io::Result<()> {
    let deadline = Instant::now() + timeout;
    while !buf.is_empty() {
        match w.write(buf) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => buf = &buf[n..],
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::Interrupted
                        | io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(e),
        }
        if !buf.is_empty() && Instant::now() >= deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "the server has not taken the line in {:.0} s",
                    timeout.as_secs_f64()
                ),
            ));
        }
    }
    Ok(())
}

impl Default for Options {
    fn default() -> Options {
        Options {
            connect_timeout: Duration::from_secs(5),
            handshake_timeout: Duration::from_secs(10),
            silence_timeout: Some(Duration::from_secs(10)),
            max_line: MAX_LINE,
            channel_batches: 32,
            reconnect: false,
            reconnect_after_terminate: true,
            backoff: (Duration::from_secs(1), Duration::from_secs(30)),
            recorder: None,
            lossless: false,
        }
    }
}

/// Counters the reader keeps; read them with `Client::stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines that did not parse (or were empty).
    pub malformed: u64,
    /// Lines over the length limit, skipped.
    pub overlong: u64,
    /// ACK/ERROR lines whose id matched no pending command.
    pub unmatched_replies: u64,
    /// `*CAPABILITY` lines that answered no `CAPABILITY` command of this
    /// client for their protocol: ignored (the table is not changed).
    pub unsolicited_capabilities: u64,
    /// Frames dropped because the consumer fell behind, per protocol.
    pub dropped: HashMap<String, u64>,
    /// Connections made (1 + reconnects).
    pub connections: u64,
}

/// A subscription to put back if the server refuses a change: the protocol
/// (upper case) and the user's field list before the change.
pub type Revert = (String, Option<Arc<[String]>>);

/// What the client feeds besides the user's events: the live model
/// ([`crate::Model`] is one). It gets every frame of the protocols it
/// needs, named with at least its fields, even those the user's events
/// have to drop, on a thread of its own (`kismet-tracker`), before the
/// frames go on to the events and before the reply to any command sent
/// after them wakes its caller.
pub trait Tracker: Send + Sync {
    /// The fields it needs, per protocol.
    fn needs(&self) -> Vec<(String, Vec<String>)>;
    /// Fields of [`Tracker::needs`] it can do without, as (protocol,
    /// field): a server that
    /// refuses one of them (`Unknown field`, as a replayed recording does
    /// for a field not recorded) is asked again without it. None by
    /// default.
    fn optional(&self) -> &[(&str, &str)] {
        &[]
    }
    /// Frames as they arrive (of every protocol; it picks its own). It
    /// must return promptly and never wait on the client it is fed by: the
    /// reader waits for it before it delivers a reply, and when it falls
    /// 16 batches behind.
    fn feed(&self, frames: &[Frame]);
}

/// A command sent and not yet answered.
pub struct Pending {
    /// The command as the user would write it.
    pub command: String,
    /// The server command, when known.
    pub kind: Option<ServerCommand>,
    /// When it was written.
    pub sent: Instant,
    /// Where its reply goes.
    pub tx: Sender<Result<Reply, Error>>,
    /// The protocol it names first, upper case: a CAPABILITY command is
    /// answered by the `*CAPABILITY` line of that protocol only.
    pub about: Option<String>,
    /// Sent by the client itself after a reconnect, to put a subscription
    /// back: nobody waits for it, so a refusal is reported as an event.
    pub restoring: bool,
    /// For ENABLE/REMOVE: the subscription to restore if the server refuses.
    pub revert: Option<Revert>,
    /// Data lines that came for it before its reply (see [`Reply::data`]).
    pub data: Vec<Frame>,
    /// A protocol (upper case) whose frames the user is not shown while
    /// this awaits its reply: the burst a tracker's own ENABLE brings (the
    /// user has seen those records). Derived by the reader from the
    /// commands pending, so it ends however the command does.
    pub quiet: Option<String>,
}

impl Pending {
    /// `command`, sent now, its reply to go to `tx`; nothing to revert,
    /// nothing kept quiet.
    pub fn new(command: &Command, tx: Sender<Result<Reply, Error>>) -> Pending {
        Pending {
            command: command.text(),
            kind: command.server_command(),
            sent: Instant::now(),
            tx,
            about: command.args.first().map(|a| a.to_ascii_uppercase()),
            restoring: false,
            revert: None,
            data: Vec::new(),
            quiet: None,
        }
    }
}

/// State shared by the client handle and its reader thread.
pub struct Shared {
    /// The server's address.
    pub addr: String,
    /// How to behave.
    pub options: Options,
    /// The capability table.
    pub table: Mutex<CapabilityTable>,
    /// The greeting.
    pub info: Mutex<ServerInfo>,
    /// What the user and the tracker asked for, per protocol.
    pub subs: Mutex<Subscriptions>,
    /// The tracker (the live model), if any: fed on its own thread.
    pub tracker: Mutex<Option<Arc<dyn Tracker>>>,
    /// Bumped whenever `subs`, `table`, `tracker` or a quiet command in
    /// `pending` changes, so the reader re-reads them.
    pub names_gen: AtomicU64,
    /// Commands awaiting a reply, by id.
    pub pending: Mutex<HashMap<u64, Pending>>,
    /// The next command id.
    pub next_id: AtomicU64,
    /// Epoch seconds of the last TIME line; 0 before the first.
    pub server_time: AtomicU64,
    /// When the last TIME line came, milliseconds on the clock of
    /// `started`.
    pub server_time_at_ms: AtomicU64,
    /// True while the connection is up.
    pub connected: AtomicBool,
    /// Set by `close`: the reader ends without reconnecting.
    pub closing: AtomicBool,
    /// Set when the connection ended and no reconnect follows although
    /// `reconnect` is on (the server said TERMINATE).
    pub gave_up: AtomicBool,
    /// The write half; `None` while disconnected.
    pub writer: Mutex<Option<std::net::TcpStream>>,
    /// Why the client itself dropped the connection, for the reader to report.
    pub drop_reason: Mutex<Option<DisconnectReason>>,
    /// The reader's counters.
    pub stats: Mutex<Stats>,
    /// Frames received per protocol (parsed or dropped), on the clock of
    /// `started`.
    pub counts: Mutex<FrameCounts>,
    /// When the client was created.
    pub started: Instant,
    /// When the current connection was made.
    pub connected_at: Mutex<Instant>,
}

impl Shared {
    /// Fresh state for a connection just made.
    pub fn new(
        addr: &str,
        options: Options,
        table: CapabilityTable,
        info: ServerInfo,
        next_id: u64,
        server_time: u64,
        writer: std::net::TcpStream,
    ) -> Shared {
        Shared {
            addr: addr.to_string(),
            options,
            table: Mutex::new(table),
            info: Mutex::new(info),
            subs: Mutex::new(Subscriptions::default()),
            tracker: Mutex::new(None),
            names_gen: AtomicU64::new(1),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(next_id),
            server_time: AtomicU64::new(server_time),
            server_time_at_ms: AtomicU64::new(0),
            connected: AtomicBool::new(true),
            closing: AtomicBool::new(false),
            gave_up: AtomicBool::new(false),
            writer: Mutex::new(Some(writer)),
            drop_reason: Mutex::new(None),
            stats: Mutex::new(Stats {
                connections: 1,
                ..Stats::default()
            }),
            counts: Mutex::new(FrameCounts::default()),
            started: Instant::now(),
            connected_at: Mutex::new(Instant::now()),
        }
    }

    /// Tells the reader that subscriptions or the table changed.
    pub fn bump_names(&self) {
        self.names_gen.fetch_add(1, Ordering::Release);
    }

    /// True while a command of this client awaits its reply.
    pub fn awaits_reply(&self) -> bool {
        !self.pending.lock().is_empty()
    }

    /// True once `close` was called.
    pub fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    /// For ENABLE/REMOVE: updates the subscriptions now (frames of the new
    /// layout may arrive before the ACK). Returns the command to send in
    /// its place when a tracker also wants the protocol (ENABLE with the
    /// union of the fields; for REMOVE, ENABLE with the tracker's fields),
    /// and what to restore if the server refuses.
    pub fn track_subscription(&self, command: &Command) -> (Option<Command>, Option<Revert>) {
        let Some(kind) = command.server_command() else {
            return (None, None);
        };
        let Some(proto_arg) = command.args.first() else {
            return (None, None);
        };
        let table = self.table.lock();
        let Some(info) = table.get(proto_arg) else {
            return (None, None);
        };
        let key = info.name.to_ascii_uppercase();
        let name = info.name.clone();
        let new: Option<Arc<[String]>> = match kind {
            ServerCommand::Enable => {
                // The server stops the list at the first space: one argument.
                let Some(spec) = command.args.get(1) else {
                    return (None, None);
                };
                match table.resolve_fields(proto_arg, spec) {
                    Ok((_, fields)) => Some(fields.into()),
                    Err(_) => return (None, None),
                }
            }
            ServerCommand::Remove => None,
            _ => return (None, None),
        };
        let all = table.get(&key).map(|p| p.fields.clone());
        drop(table);
        let mut subs = self.subs.lock();
        let old = subs.set_user(&key, new);
        let tracked = subs.tracked_of(&key);
        let wire = subs.wire_of(&key);
        drop(subs);
        self.bump_names();
        let replacement = match (tracked, wire) {
            (None, _) | (_, None) => None,
            (Some(_), Some(w)) => {
                let list = if all.as_deref() == Some(&*w.names) {
                    "*".to_string()
                } else {
                    w.names.join(",")
                };
                Some(Command::new(ServerCommand::Enable, [name, list]))
            }
        };
        (replacement, Some((key, old)))
    }

    /// Puts back a subscription that the server refused.
    pub fn restore(&self, revert: Option<Revert>) {
        if let Some((key, old)) = revert {
            self.subs.lock().set_user(&key, old);
            self.bump_names();
        }
    }

    /// Puts a command awaiting its reply in the table.
    pub fn add_pending(&self, id: u64, pending: Pending) {
        let quiet = pending.quiet.is_some();
        self.pending.lock().insert(id, pending);
        if quiet {
            self.bump_names();
        }
    }

    /// Takes a command out of the table, whatever its end (a reply, a
    /// timeout, a failed write): a protocol it kept quiet is shown again.
    pub fn take_pending(&self, id: u64) -> Option<Pending> {
        let p = self.pending.lock().remove(&id)?;
        if p.quiet.is_some() {
            self.bump_names();
        }
        Some(p)
    }

    /// Takes out every command for which `which` is true, in id order.
    pub fn take_pending_where(&self, which: impl Fn(&Pending) -> bool) -> Vec<(u64, Pending)> {
        let mut taken: Vec<(u64, Pending)> = {
            let mut pending = self.pending.lock();
            let ids: Vec<u64> = pending
                .iter()
                .filter(|(_, p)| which(p))
                .map(|(id, _)| *id)
                .collect();
            ids.into_iter()
                .filter_map(|id| pending.remove(&id).map(|p| (id, p)))
                .collect()
        };
        if taken.iter().any(|(_, p)| p.quiet.is_some()) {
            self.bump_names();
        }
        taken.sort_by_key(|(id, _)| *id);
        taken
    }

    /// Answers every pending command with "connection lost".
    pub fn fail_pending(&self) {
        for (_, p) in self.take_pending_where(|_| true) {
            let _ =
                p.tx.try_send(Err(Error::ConnectionLost { command: p.command }));
            self.restore(p.revert);
        }
    }
}
