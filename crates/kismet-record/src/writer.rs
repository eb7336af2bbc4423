//! Writing a recording: the client hands every line it receives and sends
//! to a [`Recorder`], which writes it through a buffer flushed at least
//! every [`FLUSH_EVERY`] by a thread of its own (and by the thread that
//! writes, when the buffer has waited that long).

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;

use super::{escape_into, HEADER};

/// The longest a recorded line waits in the buffer.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);

/// What to do with a file that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Refuse it.
    CreateNew,
    /// Overwrite it.
    Overwrite,
    /// Add to its end.
    Append,
}

/// Where the bytes go: a buffered file, gzip-compressed or not.
enum Sink {
    Plain(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
}

impl Sink {
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.write_all(b),
            Sink::Gzip(w) => w.write_all(b),
        }
    }

    /// Everything written so far reaches the file (a gzip stream stays
    /// readable up to here).
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush().and_then(|()| w.get_mut().flush()),
        }
    }

    /// Ends the stream (the gzip trailer).
    fn finish(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.try_finish().and_then(|()| w.get_mut().flush()),
        }
    }
}

struct State {
    sink: Sink,
    /// When the current connection began.
    started: Instant,
    /// Since when bytes wait for a flush (none when nothing does).
    dirty_since: Option<Instant>,
    /// The first write error; the recording stops there.
    error: Option<String>,
    /// Entries handed to the sink since it last reached the file.
    unflushed: u64,
    /// Entries lost to the error: those not yet in the file when it came,
    /// and every one since.
    lost: u64,
    finished: bool,
    /// Scratch space for one entry.
    line: Vec<u8>,
}

/// A recording being written. Cheap to call from any thread; every entry is
/// one locked append to a buffer.
pub struct Recorder {
    state: Mutex<State>,
    path: String,
}

impl Recorder {
    /// Opens `path` for recording (gzip when it ends in `.gz`) and starts the
    /// thread that flushes it.
    ///
    /// # Errors
    /// The file exists and `mode` is [`WriteMode::CreateNew`] (the error
    /// says to use `--force` or `--append`), or it cannot be opened.
    pub fn create(path: &Path, mode: WriteMode) -> io::Result<Arc<Recorder>> {
        let mut options = OpenOptions::new();
        match mode {
            WriteMode::CreateNew => options.write(true).create_new(true),
            WriteMode::Overwrite => options.write(true).create(true).truncate(true),
            WriteMode::Append => options.append(true).create(true),
        };
        let file = options.open(path).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                io::Error::new(
                    e.kind(),
                    format!(
                        "{} exists (--force overwrites it, --append adds to it)",
                        path.display()
                    ),
                )
            } else {
                io::Error::new(e.kind(), format!("{}: {e}", path.display()))
            }
        })?;
        let fresh = file.metadata().map(|m| m.len() == 0).unwrap_or(true);
        let buffered = BufWriter::with_capacity(64 * 1024, file);
        let mut sink = if path.extension().is_some_and(|e| e == "gz") {
            Sink::Gzip(GzEncoder::new(buffered, Compression::default()))
        } else {
            Sink::Plain(buffered)
        };
        // An appended gzip recording is a second gzip member: it starts
        // with its own header line too, as the readers expect.
        if fresh || matches!(sink, Sink::Gzip(_)) {
            sink.write_all(HEADER.as_bytes())?;
            sink.write_all(b"\n")?;
        }
        sink.flush()?;
        let recorder = Arc::new(Recorder {
            state: Mutex::new(State {
                sink,
                started: Instant::now(),
                dirty_since: None,
                error: None,
                unflushed: 0,
                lost: 0,
                finished: false,
                line: Vec::with_capacity(1024),
            }),
            path: path.display().to_string(),
        });
        let weak = Arc::downgrade(&recorder);
        thread::Builder::new()
            .name("kismet-recorder".into())
            .spawn(move || flusher(weak))?;
        Ok(recorder)
    }

    /// The file's name.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// A connection begins (at time 0.000 of its own).
    pub fn connected(&self, addr: &str) {
        let mut s = self.state.lock();
        s.started = Instant::now();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let text = format!("connect {addr} {}", utc_ms(now));
        entry(&mut s, b'=', text.as_bytes());
    }

    /// A line received (without its `\n`).
    pub fn received(&self, line: &[u8]) {
        entry(&mut self.state.lock(), b'<', line);
    }

    /// Bytes sent: one or more lines, each ending in `\n`.
    pub fn sent(&self, bytes: &[u8]) {
        let mut s = self.state.lock();
        for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            entry(&mut s, b'>', line);
        }
    }

    /// A line over the length limit was skipped.
    pub fn overlong(&self, len: usize) {
        entry(
            &mut self.state.lock(),
            b'=',
            format!("overlong {len}").as_bytes(),
        );
    }

    /// The connection ended.
    pub fn disconnected(&self, reason: &str) {
        let text = format!("disconnect {reason}");
        entry(&mut self.state.lock(), b'=', text.as_bytes());
    }

    /// Writes what is buffered to the file now.
    pub fn flush(&self) {
        let mut s = self.state.lock();
        flush(&mut s);
    }

    /// Flushes and ends the file (the gzip trailer); later entries are
    /// ignored. Also done when the recorder is dropped.
    pub fn finish(&self) {
        let mut s = self.state.lock();
        if s.finished {
            return;
        }
        s.finished = true;
        if s.error.is_none() {
            if let Err(e) = s.sink.finish() {
                fail(&mut s, e);
            }
        }
    }

    /// The write error that stopped the recording, if one did.
    pub fn error(&self) -> Option<String> {
        self.state.lock().error.clone()
    }

    /// Entries (lines received or sent, events) lost to the write error:
    /// those not yet in the file when it came (at most what
    /// [`FLUSH_EVERY`] holds, counted whether or not part of them
    /// reached the file), and every one since. 0 without an error.
    pub fn lost(&self) -> u64 {
        self.state.lock().lost
    }
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("path", &self.path)
            .finish()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The recording stops at a write error: what the sink held is counted
/// as lost.
fn fail(s: &mut State, e: io::Error) {
    s.error = Some(e.to_string());
    s.lost += std::mem::take(&mut s.unflushed);
}

/// Appends one entry to the buffer.
fn entry(s: &mut State, direction: u8, text: &[u8]) {
    if s.error.is_some() {
        s.lost += 1;
        return;
    }
    if s.finished {
        return;
    }
    let now = Instant::now();
    let t = now.saturating_duration_since(s.started);
    let mut line = std::mem::take(&mut s.line);
    line.clear();
    line.push(direction);
    let _ = write!(line, " {}.{:03} ", t.as_secs(), t.subsec_millis());
    escape_into(&mut line, text);
    line.push(b'\n');
    s.unflushed += 1;
    let written = s.sink.write_all(&line);
    s.line = line;
    if let Err(e) = written {
        fail(s, e);
        return;
    }
    // The flusher thread flushes on time; should it be kept waiting (a
    // loaded machine), the thread that writes flushes too, so what was
    // received more than FLUSH_EVERY ago is in the file whenever newer
    // lines are still arriving.
    match s.dirty_since {
        None => s.dirty_since = Some(now),
        Some(since) if now.saturating_duration_since(since) >= FLUSH_EVERY => flush(s),
        Some(_) => {}
    }
}

fn flush(s: &mut State) {
    if s.dirty_since.is_none() || s.finished || s.error.is_some() {
        return;
    }
    match s.sink.flush() {
        Ok(()) => s.unflushed = 0,
        Err(e) => fail(s, e),
    }
    s.dirty_since = None;
}

/// Flushes the recording every [`FLUSH_EVERY`] / 2 while it lives.
fn flusher(recorder: Weak<Recorder>) {
    loop {
        thread::sleep(FLUSH_EVERY / 2);
        let Some(r) = recorder.upgrade() else {
            return;
        };
        let mut s = r.state.lock();
        if s.finished {
            return;
        }
        flush(&mut s);
    }
}

/// Milliseconds since the epoch as RFC 3339 UTC.
fn utc_ms(ms: u64) -> String {
    match jiff::Timestamp::from_millisecond(i64::try_from(ms).unwrap_or(0)) {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Err(_) => ms.to_string(),
    }
}
