//! The client API: connect, send commands and wait for their replies,
//! enable and remove protocols, read the events and counters.

use std::net::Shutdown;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError};

use crate::counts::FrameCounts;
use crate::error::{DisconnectReason, Error};
use crate::event::{Event, ServerInfo};
use crate::handshake::establish;
use crate::reconnect::connection_thread;
use crate::reply::Reply;
use crate::state::{write_all_within, Options, Pending, Shared, Stats, Tracker, WRITE_TIMEOUT};
use kismet_protocol::{CapabilityTable, Command, ServerCommand};

/// A connection to a legacy Kismet server.
///
/// # Examples
/// ```
/// # let sim = kismet_sim::Sim::start("127.0.0.1:0", kismet_sim::SimConfig::default())?;
/// # let addr = sim.local_addr().to_string();
/// use std::time::Duration;
/// use kismet_client::{Client, Error, Options};
///
/// let client = Client::connect(&addr, Options::default())?;
/// let gps = client.table().get("GPS").map(|p| p.fields.to_vec());
/// println!("GPS fields: {gps:?}");
/// // Names are checked against the server's table before anything is sent.
/// let e = client.enable("SSID", "ssid,mca", Duration::from_secs(5)).unwrap_err();
/// assert!(matches!(e, Error::Lookup(_)), "{e}");
/// let reply = client.enable("SSID", "ssid,mac", Duration::from_secs(5))?;
/// assert!(reply.is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Client {
    shared: Arc<Shared>,
    events: Receiver<Event>,
    /// Disconnected when the reader thread has ended.
    finished: Receiver<()>,
}

/// How long dropping a client waits for its reader thread to end (it
/// records the disconnect, so that a recording ends with it).
const DROP_WAIT: Duration = Duration::from_secs(1);

/// How long to wait for a reply, and a flag that stops the wait early
/// (set by a Ctrl-C handler, say). A `Duration` converts into one.
#[derive(Debug, Clone, Copy)]
pub struct Wait<'a> {
    /// The longest wait.
    pub timeout: Duration,
    /// Stops the wait when set (checked every 50 ms).
    pub cancel: Option<&'a AtomicBool>,
}

impl<'a> Wait<'a> {
    /// A wait of at most `timeout`, stopped early when `cancel` is set.
    pub fn cancellable(timeout: Duration, cancel: &'a AtomicBool) -> Wait<'a> {
        Wait {
            timeout,
            cancel: Some(cancel),
        }
    }
}

impl From<Duration> for Wait<'_> {
    fn from(timeout: Duration) -> Self {
        Wait {
            timeout,
            cancel: None,
        }
    }
}

impl Client {
    /// Connects, reads the greeting and learns every protocol's fields.
    ///
    /// # Errors
    /// The address does not resolve, the connection fails or times out, the
    /// server closes before its greeting (as a server at `maxclients` does),
    /// is not a legacy Kismet server, or does not answer the handshake in
    /// time.
    pub fn connect(addr: &str, options: Options) -> Result<Client, Error> {
        let conn = establish(addr, &options)?;
        let (tx, events) = bounded(options.channel_batches.max(1));
        let writer = conn.stream.try_clone().map_err(|source| Error::Connect {
            addr: addr.to_string(),
            source,
        })?;
        let shared = Arc::new(Shared::new(
            addr,
            options,
            conn.table,
            conn.info,
            conn.next_id,
            conn.server_time,
            writer,
        ));
        let thread_shared = shared.clone();
        let reader = conn.reader;
        let (done, finished) = bounded::<()>(1);
        thread::Builder::new()
            .name("kismet-reader".into())
            .spawn(move || {
                connection_thread(thread_shared, reader, tx);
                drop(done);
            })
            .map_err(|source| Error::Connect {
                addr: addr.to_string(),
                source,
            })?;
        Ok(Client {
            shared,
            events,
            finished,
        })
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
        self.shared.table.lock().clone()
    }

    /// What the server said in its greeting.
    pub fn server_info(&self) -> ServerInfo {
        self.shared.info.lock().clone()
    }

    /// The server's clock from its last TIME line (epoch seconds); `None`
    /// before the first one.
    pub fn server_time(&self) -> Option<u64> {
        match self.shared.server_time.load(Ordering::Relaxed) {
            0 => None,
            t => Some(t),
        }
    }

    /// The server's clock now, epoch seconds: its last TIME, advanced by
    /// the time since that line came (so ages keep growing while the
    /// server is silent or gone). `None` before the first TIME.
    pub fn server_clock(&self) -> Option<u64> {
        let t = self.server_time()?;
        let at = self.shared.server_time_at_ms.load(Ordering::Relaxed);
        let now = u64::try_from(self.shared.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Some(t + now.saturating_sub(at) / 1000)
    }

    /// True while the connection is up.
    pub fn is_connected(&self) -> bool {
        self.shared.connected.load(Ordering::Acquire)
    }

    /// True when a lost connection is retried rather than the end (false
    /// once the server said TERMINATE, unless
    /// [`Options::reconnect_after_terminate`]).
    pub fn will_reconnect(&self) -> bool {
        self.shared.options.reconnect
            && !self.shared.is_closing()
            && !self.shared.gave_up.load(Ordering::Acquire)
    }

    /// When the current connection was made.
    pub fn connected_at(&self) -> Instant {
        *self.shared.connected_at.lock()
    }

    /// The reader's counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats.lock().clone()
    }

    /// Frames received so far per protocol (including those dropped
    /// because the consumer fell behind).
    pub fn frame_counts(&self) -> FrameCounts {
        self.shared.counts.lock().clone()
    }

    /// (protocol, frames received, frames per second over the last seconds).
    pub fn frame_rates(&self) -> Vec<(String, u64, f64)> {
        self.shared
            .counts
            .lock()
            .rates(self.shared.started.elapsed().as_secs())
    }

    /// Commands sent and not yet answered.
    pub fn pending_count(&self) -> usize {
        self.shared.pending.lock().len()
    }

    /// Protocols enabled by this client and their field lists, as asked.
    pub fn subscriptions(&self) -> Vec<(String, Arc<[String]>)> {
        self.shared.subs.lock().user()
    }

    /// The options this client was made with.
    pub fn options(&self) -> &Options {
        &self.shared.options
    }

    /// The always-on protocols (TIME, ...) this client removed, sorted.
    pub fn removed(&self) -> Vec<String> {
        self.shared.subs.lock().removed()
    }

    /// Asks this client's server for what another client had: every
    /// subscription with the same field list (`*` where it was all of the
    /// protocol's fields), and the always-on protocols it had removed
    /// removed again. Used to reconnect by hand, or to carry a session over
    /// to another server.
    ///
    /// Returns the protocols that could not be restored, each with why
    /// (a protocol or field the server does not have, an ERROR, ...).
    pub fn replay<'a>(
        &self,
        subscriptions: &[(String, Arc<[String]>)],
        removed: &[String],
        wait: impl Into<Wait<'a>>,
    ) -> Vec<(String, Error)> {
        let wait = wait.into();
        let mut failed = Vec::new();
        for (proto, fields) in subscriptions {
            let all = self
                .table()
                .get(proto)
                .is_some_and(|p| p.fields[..] == fields[..]);
            let spec = if all {
                "*".to_string()
            } else {
                fields.join(",")
            };
            if let Err(e) = self.enable(proto, &spec, wait) {
                failed.push((proto.clone(), e));
            }
        }
        for proto in removed {
            if let Err(e) = self.remove(proto, wait) {
                failed.push((proto.clone(), e));
            }
        }
        failed
    }

    /// The field list this client enabled for `protocol` (any case).
    pub fn subscription(&self, protocol: &str) -> Option<Arc<[String]>> {
        self.shared
            .subs
            .lock()
            .user_of(&protocol.to_ascii_uppercase())
    }

    /// Sends a command; the reply is matched to it by id.
    ///
    /// `ENABLE` and `REMOVE` also update the subscription table (when their
    /// arguments name a known protocol and fields) so the frames that follow
    /// are named; a refused one is rolled back.
    ///
    /// # Errors
    /// [`Error::Refused`] for an argument the protocol cannot carry,
    /// [`Error::NotConnected`], or [`Error::Write`] (the connection is then
    /// dropped: part of the line may have gone out).
    pub fn send(&self, command: &Command) -> Result<PendingReply, Error> {
        self.send_as(command, true, None)
    }

    /// [`Client::send`]; `user` false for the tracker's own commands (the
    /// user's subscriptions do not change), `quiet` a protocol whose frames
    /// are not shown until the reply.
    fn send_as(
        &self,
        command: &Command,
        user: bool,
        quiet: Option<String>,
    ) -> Result<PendingReply, Error> {
        command.validate()?;
        if !self.is_connected() {
            return Err(self.not_connected());
        }
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let (replacement, revert) = if user {
            self.shared.track_subscription(command)
        } else {
            (None, None)
        };
        // With a tracker on the protocol, the union of the fields goes out;
        // the reply still names the command as asked.
        let line = match replacement.as_ref().unwrap_or(command).encode(id) {
            Ok(line) => line,
            Err(e) => {
                self.shared.restore(revert);
                return Err(e.into());
            }
        };
        let (tx, rx) = bounded(1);
        self.shared.add_pending(
            id,
            Pending {
                revert,
                quiet,
                ..Pending::new(command, tx)
            },
        );
        let written = match self.shared.writer.lock().as_mut() {
            Some(w) => {
                // Recorded before it is written: the reader thread records
                // the reply, which may come before this thread runs again
                // (a recording with an ACK before its command could not
                // tell which fields the frames after it carry). Should the
                // write fail, the disconnect follows it in the recording.
                if let Some(r) = &self.shared.options.recorder {
                    r.sent(&line);
                }
                write_all_within(w, &line, WRITE_TIMEOUT).map_err(|source| Error::Write { source })
            }
            None => Err(self.not_connected()),
        };
        if let Err(e) = written {
            if let Some(p) = self.shared.take_pending(id) {
                self.shared.restore(p.revert);
            }
            if let Error::Write { source } = &e {
                // Part of the line may have gone out: the next command would
                // be glued to it. Drop the connection; the reader reports it
                // (and reconnects, if asked to).
                *self.shared.drop_reason.lock() = Some(DisconnectReason::WriteFailed {
                    error: source.to_string(),
                });
                if let Some(w) = self.shared.writer.lock().take() {
                    let _ = w.shutdown(Shutdown::Both);
                }
            }
            return Err(e);
        }
        Ok(PendingReply {
            id,
            command: command.text(),
            rx,
            shared: self.shared.clone(),
        })
    }

    /// Starts feeding `tracker` with the frames it needs: its fields are
    /// enabled alongside the user's (the user keeps seeing exactly their
    /// own fields, and not the records the server sends again in answer).
    /// Replaces a tracker already there.
    ///
    /// # Errors
    /// As [`Client::request`], for the ENABLEs it takes; the tracker stays
    /// on for the protocols that worked.
    pub fn track<'a>(
        &self,
        tracker: Arc<dyn Tracker>,
        wait: impl Into<Wait<'a>>,
    ) -> Result<(), Error> {
        let needs = tracker.needs();
        let optional: Vec<(String, String)> = (tracker.optional().iter())
            .map(|(p, f)| (p.to_ascii_uppercase(), f.to_string()))
            .collect();
        *self.shared.tracker.lock() = Some(tracker);
        let table = self.table();
        let mut tracked: std::collections::HashMap<String, Arc<[String]>> = needs
            .into_iter()
            .filter_map(|(proto, fields)| {
                let info = table.get(&proto)?;
                let fields: Vec<String> = info
                    .fields
                    .iter()
                    .filter(|f| fields.iter().any(|n| n.eq_ignore_ascii_case(f)))
                    .cloned()
                    .collect();
                Some((info.name.to_ascii_uppercase(), Arc::from(fields)))
            })
            .collect();
        // A server that refuses a field the tracker can do without (a
        // replayed recording holds only the fields enabled while it was
        // made) is asked again without it: the tracker finds its fields
        // by name. Any other refusal fails.
        let wait = wait.into();
        loop {
            let (proto, refused, reply) = match self.retrack_keyed(tracked.clone(), wait) {
                Err((proto, Error::Server(reply))) => {
                    match reply.text.strip_prefix("Unknown field ") {
                        Some(field)
                            if optional.iter().any(|(p, f)| {
                                *p == proto && f.eq_ignore_ascii_case(field.trim())
                            }) =>
                        {
                            (proto, field.trim().to_string(), reply)
                        }
                        _ => return Err(Error::Server(reply)),
                    }
                }
                Err((_, e)) => return Err(e),
                Ok(()) => return Ok(()),
            };
            let mut dropped = false;
            if let Some(list) = tracked.get_mut(&proto) {
                if list.iter().any(|f| f.eq_ignore_ascii_case(&refused)) {
                    *list = (list.iter())
                        .filter(|f| !f.eq_ignore_ascii_case(&refused))
                        .cloned()
                        .collect();
                    dropped = true;
                }
            }
            if !dropped {
                return Err(Error::Server(reply));
            }
        }
    }

    /// Stops feeding the tracker; the fields only it needed are dropped.
    ///
    /// # Errors
    /// As [`Client::track`].
    pub fn untrack<'a>(&self, wait: impl Into<Wait<'a>>) -> Result<(), Error> {
        *self.shared.tracker.lock() = None;
        self.retrack(std::collections::HashMap::new(), wait)
    }

    /// True while a tracker is fed.
    pub fn is_tracking(&self) -> bool {
        self.shared.tracker.lock().is_some()
    }

    /// Sends what a new tracker list changes on the wire.
    fn retrack<'a>(
        &self,
        tracked: std::collections::HashMap<String, Arc<[String]>>,
        wait: impl Into<Wait<'a>>,
    ) -> Result<(), Error> {
        self.retrack_keyed(tracked, wait).map_err(|(_, e)| e)
    }

    /// [`Client::retrack`], the first error with the protocol whose
    /// command it answered.
    fn retrack_keyed<'a>(
        &self,
        tracked: std::collections::HashMap<String, Arc<[String]>>,
        wait: impl Into<Wait<'a>>,
    ) -> Result<(), (String, Error)> {
        let wait = wait.into();
        let changed = self.shared.subs.lock().set_tracked(tracked);
        self.shared.bump_names();
        let table = self.table();
        let mut first_error = None;
        for (key, names) in changed {
            let name = table.get(&key).map_or(key.clone(), |p| p.name.clone());
            let cmd = match names {
                Some(list) => Command::new(ServerCommand::Enable, [name, list.join(",")]),
                None => Command::new(ServerCommand::Remove, [name]),
            };
            // The tracker's own: no subscription of the user changes.
            let result = self
                .send_as(&cmd, false, Some(key.clone()))
                .and_then(|p| p.wait(wait));
            if let Err(e) = result {
                first_error.get_or_insert((key, e));
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn not_connected(&self) -> Error {
        Error::NotConnected {
            addr: self.shared.addr.clone(),
        }
    }

    /// Sends a command and waits for its reply.
    ///
    /// # Errors
    /// As [`Client::send`] and [`PendingReply::wait`]: an `*ERROR` answer
    /// is [`Error::Server`].
    pub fn request<'a>(
        &self,
        command: &Command,
        wait: impl Into<Wait<'a>>,
    ) -> Result<Reply, Error> {
        self.send(command)?.wait(wait)
    }

    /// Checks an ENABLE against the capability table: the command to send,
    /// with the canonical protocol name and field list.
    ///
    /// # Errors
    /// [`Error::Lookup`] for an unknown protocol or field or an empty list,
    /// naming the nearest valid names.
    pub fn check_enable(&self, protocol: &str, fields: &str) -> Result<Command, Error> {
        let (proto, list) = self.shared.table.lock().resolve_fields(protocol, fields)?;
        let spec = if fields.starts_with('*') {
            "*".to_string()
        } else {
            list.join(",")
        };
        Ok(Command::new(ServerCommand::Enable, [proto, spec]))
    }

    /// Enables a protocol with a field list (`ssid,mac` or `*`), checked
    /// locally first: nothing is sent for an unknown name.
    ///
    /// # Errors
    /// As [`Client::check_enable`] and [`Client::request`].
    pub fn enable<'a>(
        &self,
        protocol: &str,
        fields: &str,
        wait: impl Into<Wait<'a>>,
    ) -> Result<Reply, Error> {
        let cmd = self.check_enable(protocol, fields)?;
        self.request(&cmd, wait)
    }

    /// Stops a protocol, checked locally first.
    ///
    /// # Errors
    /// [`Error::Lookup`] for an unknown protocol, or as [`Client::request`].
    pub fn remove<'a>(&self, protocol: &str, wait: impl Into<Wait<'a>>) -> Result<Reply, Error> {
        let name = self.shared.table.lock().protocol(protocol)?.name.clone();
        self.request(&Command::new(ServerCommand::Remove, [name]), wait)
    }

    /// Asks for a protocol's fields again (the table is updated from the
    /// answer, which is also in [`Reply::data`]), checked locally first.
    ///
    /// # Errors
    /// [`Error::Lookup`] for an unknown protocol, or as [`Client::request`].
    pub fn capability<'a>(
        &self,
        protocol: &str,
        wait: impl Into<Wait<'a>>,
    ) -> Result<Reply, Error> {
        let name = self.shared.table.lock().protocol(protocol)?.name.clone();
        self.request(&Command::new(ServerCommand::Capability, [name]), wait)
    }

    /// Closes the connection; the reader thread ends without reporting it.
    pub fn close(&self) {
        self.shared.closing.store(true, Ordering::Release);
        self.shared.connected.store(false, Ordering::Release);
        if let Some(w) = self.shared.writer.lock().take() {
            let _ = w.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Client {
    /// Closes the connection and waits (at most a second) for the reader
    /// thread to end, so that what it records, the disconnect last, is
    /// written before the recording is finished.
    fn drop(&mut self) {
        self.close();
        let _ = self.finished.recv_timeout(DROP_WAIT);
    }
}

/// A command on its way; wait for its reply with [`PendingReply::wait`].
pub struct PendingReply {
    /// The command id.
    pub id: u64,
    command: String,
    rx: Receiver<Result<Reply, Error>>,
    shared: Arc<Shared>,
}

impl PendingReply {
    /// Waits for the reply, at most `wait.timeout`, or until `wait.cancel`
    /// is set.
    ///
    /// # Errors
    /// [`Error::Server`] for an `*ERROR` answer, [`Error::Timeout`] (the
    /// command is then forgotten: a late reply counts as unmatched),
    /// [`Error::ConnectionLost`] or [`Error::Cancelled`].
    pub fn wait<'a>(self, wait: impl Into<Wait<'a>>) -> Result<Reply, Error> {
        let wait = wait.into();
        let deadline = Instant::now() + wait.timeout;
        // Without a cancel flag one blocking wait; with one, short waits.
        let step = if wait.cancel.is_some() {
            Duration::from_millis(50)
        } else {
            wait.timeout
        };
        loop {
            if wait.cancel.is_some_and(|c| c.load(Ordering::Acquire)) {
                return Err(Error::Cancelled {
                    id: self.id,
                    command: self.command.clone(),
                });
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Timeout {
                    id: self.id,
                    command: self.command.clone(),
                    after: wait.timeout,
                });
            }
            match self.rx.recv_timeout(left.min(step)) {
                Ok(r) => return r,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Error::ConnectionLost {
                        command: self.command.clone(),
                    })
                }
            }
        }
    }
}

impl Drop for PendingReply {
    /// A command no longer waited for (answered, timed out, cancelled) is
    /// forgotten: a late reply counts as unmatched, a subscription it
    /// changed stays changed (the server may have taken it), and a
    /// protocol it kept quiet is shown again.
    fn drop(&mut self) {
        self.shared.take_pending(self.id);
    }
}
