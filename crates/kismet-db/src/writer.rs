//! The writer: a thread of its own that owns the connection and commits
//! what it is handed in batched transactions, at least every
//! [`WriterOptions::commit_every`].
//!
//! # Sessions
//! An [`Item::SessionStart`] inserts a `sessions` row and makes it the
//! current session: the observations, GPS rows, alerts and messages
//! after it get its id in `session` (and observations its `server`),
//! until the next one; [`Item::SessionEnd`] sets its `ended`. Rows sent
//! before any session have a NULL `session` (and an empty `server`).
//!
//! Several servers written at once each send on a stream of their own
//! ([`Writer::send_on`]): the current session is the stream's, so their
//! rows never take each other's session. [`Writer::send`] is stream 0.
//!
//! # The lock
//! The writer keeps a write transaction open all the time (it commits,
//! and begins the next one at once), so a second writer on the same file
//! waits its busy timeout and is refused ([`DbError::InUse`]), while
//! readers, in WAL mode, read what was committed. (A second writer that
//! tries exactly between a commit and the next begin, a window of
//! microseconds, could take the lock; the first then stops with an error
//! in its stats.)

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{RecvTimeoutError, Sender, TrySendError};
use kismet_client::Snapshot;
use rusqlite::{Connection, OpenFlags};

use crate::error::failure;
use crate::file::{self, Contents};
use crate::items::{Item, Shared, WriterOptions, WriterStats};
use crate::schema::SCHEMA_VERSION;
use crate::worker::Worker;
use crate::DbError;

/// How long dropping a [`Writer`] without [`Writer::close`] waits for its
/// thread to write what is queued; past it the thread is left to finish
/// on its own.
const DROP_WAIT: Duration = Duration::from_secs(3);

/// The writer thread and its queue.
#[derive(Debug)]
pub struct Writer {
    /// The file.
    path: PathBuf,
    /// The queue (items with their stream); `None` once closing.
    sender: Option<Sender<(u32, Item)>>,
    /// Stats, the stop flag and the device sets.
    shared: Arc<Shared>,
    /// The thread; `None` once joined (or left to finish).
    thread: Option<JoinHandle<()>>,
    /// Disconnected when the thread ends (it holds the sender).
    done: crossbeam_channel::Receiver<()>,
}

impl Writer {
    /// Opens or creates the database at `path` and starts the writer.
    ///
    /// # Errors
    /// [`DbError`]: not an SQLite file, a newer schema, in use, read-only,
    /// cannot be created.
    pub fn start(path: &Path, options: WriterOptions) -> Result<Writer, DbError> {
        let conn = open(path, &options)?;
        let (sender, receiver) = crossbeam_channel::bounded(options.queue.max(1));
        let (done_sender, done) = crossbeam_channel::bounded::<()>(0);
        let shared = Arc::new(Shared::default());
        let worker = Worker::new(conn, path, options.commit_every, shared.clone());
        let thread = std::thread::Builder::new()
            .name("kismet-db writer".into())
            .spawn(move || {
                let _done = done_sender;
                worker.run(&receiver);
            })
            .map_err(|e| DbError::Sqlite {
                path: path.display().to_string(),
                error: failure(
                    rusqlite::ffi::SQLITE_NOMEM,
                    format!("cannot start the writer thread: {e}"),
                ),
            })?;
        Ok(Writer {
            path: path.to_path_buf(),
            sender: Some(sender),
            shared,
            thread: Some(thread),
            done,
        })
    }

    /// Queues an item; false when it was thinned (only observations and
    /// GPS rows are) or the writer has stopped.
    pub fn send(&self, item: Item) -> bool {
        self.send_on(0, item)
    }

    /// [`Writer::send`] on `stream`: one server's, when several are
    /// written at once (see "Sessions" above).
    pub fn send_on(&self, stream: u32, item: Item) -> bool {
        if self.shared.stopped.load(Ordering::Relaxed) {
            return false;
        }
        let Some(sender) = &self.sender else {
            return false;
        };
        match item {
            Item::Observation(_) | Item::Gps(_) => match sender.try_send((stream, item)) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    self.shared.stats.lock().thinned += 1;
                    false
                }
                Err(TrySendError::Disconnected(_)) => false,
            },
            // Rare: wait for room (the thread drains the queue even after
            // an error, so this ends).
            other => sender.send((stream, other)).is_ok(),
        }
    }

    /// Hands over the latest state of every device of `server`: written
    /// at the next commit (rows that did not change since the last set
    /// written are left alone); a newer set replaces one not yet written.
    pub fn devices(&self, server: &str, snapshot: Snapshot) {
        if self.shared.stopped.load(Ordering::Relaxed) {
            return;
        }
        let mut sets = self.shared.devices.lock();
        match sets.iter_mut().find(|(s, _)| s == server) {
            Some(set) => set.1 = snapshot,
            None => sets.push((server.to_owned(), snapshot)),
        }
    }

    /// What it did so far (rows count once committed).
    pub fn stats(&self) -> WriterStats {
        self.shared.stats.lock().clone()
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes what is queued, commits, closes the file and stops the
    /// thread; the final stats.
    pub fn close(mut self) -> WriterStats {
        self.finish(None)
    }

    /// Closes the queue and waits for the thread to write what is in it
    /// and stop: for ever, or at most `bound`.
    fn finish(&mut self, bound: Option<Duration>) -> WriterStats {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            let ended = match bound {
                None => true,
                Some(wait) => matches!(
                    self.done.recv_timeout(wait),
                    Err(RecvTimeoutError::Disconnected)
                ),
            };
            if ended && thread.join().is_err() {
                let mut stats = self.shared.stats.lock();
                if stats.error.is_none() {
                    stats.error =
                        Some(format!("{}: the writer thread failed", self.path.display()));
                }
            }
        }
        self.stats()
    }
}

impl Drop for Writer {
    /// As [`Writer::close`], but waiting a few seconds at most.
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.finish(Some(DROP_WAIT));
        }
    }
}

/// Opens the file for writing: checks what it is, sets WAL mode, creates
/// or migrates the schema, and leaves a write transaction open (the
/// lock; see the module's documentation).
fn open(path: &Path, options: &WriterOptions) -> Result<Connection, DbError> {
    let err = |e| DbError::from_sqlite(path, e);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(err)?;
    // rusqlite takes milliseconds in an i32 (and panics past it).
    let busy = options
        .busy_timeout
        .min(Duration::from_millis(i32::MAX.unsigned_abs().into()));
    conn.busy_timeout(busy).map_err(err)?;
    // SQLite opens a file it may not write read-only, silently.
    if conn.is_readonly(rusqlite::MAIN_DB).map_err(err)? {
        return Err(DbError::Sqlite {
            path: path.display().to_string(),
            error: failure(
                rusqlite::ffi::SQLITE_READONLY,
                "the file is read-only: cannot write to it".into(),
            ),
        });
    }
    // Look before changing anything: a file that is not ours is left as
    // it was (setting WAL mode would change its header).
    check_version(path, file::inspect(&conn, path)?)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(err)?;
    conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
    // Again inside the transaction: another writer may have created or
    // migrated it meanwhile.
    match check_version(path, file::inspect(&conn, path)?)? {
        Contents::Empty => file::create(&conn, &options.app).map_err(err)?,
        Contents::Version(v) if v < SCHEMA_VERSION => {
            file::migrate(&conn, v, &options.app).map_err(err)?;
        }
        Contents::Version(_) => {}
    }
    conn.execute_batch("COMMIT; BEGIN IMMEDIATE").map_err(err)?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

/// Refuses a file of a newer schema.
fn check_version(path: &Path, contents: Contents) -> Result<Contents, DbError> {
    match contents {
        Contents::Version(found) if found > SCHEMA_VERSION => Err(DbError::NewerSchema {
            path: path.display().to_string(),
            found,
            supported: SCHEMA_VERSION,
        }),
        other => Ok(other),
    }
}
