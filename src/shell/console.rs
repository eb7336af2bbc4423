//! The terminal while the interactive shell runs: the one place that
//! prints, shared by the main thread (command output) and the printer
//! thread (frames and connection notices above the prompt).
//!
//! What to print is decided under one lock, so the rules hold whatever the
//! timing:
//! - while a command runs (and while its output is printed or paged) no
//!   frame or notice is printed; they wait, and print after it;
//! - while output is paused no frame and no drop notice is printed: frames
//!   are counted as skipped (`resume` says how many), even those that
//!   were waiting when `pause` ran;
//! - a connection notice (disconnected, reconnecting, reconnected) is never
//!   dropped: it waits for its turn, paused or not;
//! - a new alert's line waits for its turn too, paused or not, and is
//!   dropped if `set alerts off` ran meanwhile.
//!
//! The printer hands its text to rustyline's external printer *outside*
//! that lock: while the prompt is up, that call queues the text for the
//! line editor and can block until the editor takes it, which it does only
//! while it reads a line. The main thread must never wait for that, or the
//! two would wait for each other; a command therefore waits at most
//! [`IN_FLIGHT_WAIT`] for a print that was already under way. (Text the
//! editor had queued but not shown when Enter was pressed is shown at the
//! next prompt: rustyline prefers keys to its queue.)

use parking_lot::Mutex;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::render::layout::plural;
use super::session::Session;
use kismet_protocol::Frame;

/// Most frame lines printed per tick; the rest are counted and reported.
pub const LINES_PER_TICK: usize = 200;

/// Longest a command waits for a print that was under way when it began.
pub const IN_FLIGHT_WAIT: Duration = Duration::from_millis(100);

/// Bold cyan, for protocol names.
const CYAN: &str = "\x1b[1;36m";
/// Back to normal.
const RESET: &str = "\x1b[0m";

/// Where the printer's text goes while the prompt is up (rustyline's
/// external printer, which redraws the line being typed below it); false
/// when it can no longer print.
pub type Sink = Box<dyn FnMut(String) -> bool + Send>;

/// What waits to be printed above the prompt: frame lines (at most a limit
/// of them) and notices, in arrival order.
#[derive(Debug)]
pub struct Backlog {
    text: String,
    /// Where each waiting line ends in `text`, and whether it is a frame's
    /// (frames and notices are told apart here, never by their text).
    ends: Vec<(usize, bool)>,
    frames: usize,
    not_shown: u64,
    limit: usize,
    color: bool,
    lines: super::render::frame::TextLines,
}

impl Backlog {
    /// An empty backlog printing at most `limit` frame lines per take.
    pub fn new(limit: usize, color: bool) -> Backlog {
        Backlog {
            text: String::new(),
            ends: Vec::new(),
            frames: 0,
            not_shown: 0,
            limit,
            color,
            lines: super::render::frame::TextLines::with(false, true),
        }
    }

    /// Follows the session's settings: the limit, colour and timestamps.
    pub fn configure(&mut self, settings: &super::session::Settings) {
        self.limit = settings.rate_limit;
        self.color = settings.color;
        if self.lines.timestamps != settings.timestamps || self.lines.decode != settings.decode {
            self.lines =
                super::render::frame::TextLines::with(settings.timestamps, settings.decode);
        }
    }

    /// Adds the frames (one line each, up to the limit; the others are
    /// counted as not shown).
    pub fn add_frames<'a>(&mut self, frames: impl IntoIterator<Item = &'a Frame>) {
        for f in frames {
            self.add_frame(f);
        }
    }

    /// Adds one frame's line; false (and counted as not shown) when over
    /// the limit.
    pub fn add_frame(&mut self, f: &Frame) -> bool {
        self.add_frame_from(f, None)
    }

    /// [`Backlog::add_frame`], the line starting with `tag: ` when given
    /// (the server's name, with several servers).
    pub fn add_frame_from(&mut self, f: &Frame, tag: Option<&str>) -> bool {
        if self.frames >= self.limit {
            self.not_shown += 1;
            return false;
        }
        {
            self.frames += 1;
            if let Some(tag) = tag {
                self.text.push_str(tag);
                self.text.push_str(": ");
            }
            let start = self.text.len();
            self.lines.write(&mut self.text, f);
            if self.color {
                // The protocol name (plain ASCII) comes after the time.
                let at = start + self.text[start..].find(f.protocol()).unwrap_or(0);
                self.text.insert_str(at + f.protocol().len(), RESET);
                self.text.insert_str(at, CYAN);
            }
            self.text.push('\n');
            self.ends.push((self.text.len(), true));
        }
        true
    }

    /// Adds a notice line (always kept).
    pub fn add_notice(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
        self.ends.push((self.text.len(), false));
    }

    /// Drops the frame lines waiting, keeping the notices; how many frames
    /// (shown or counted) there were.
    fn discard_frames(&mut self) -> u64 {
        let n = self.frames as u64 + std::mem::take(&mut self.not_shown);
        if self.frames > 0 {
            let (mut kept, mut ends) = (String::new(), Vec::new());
            let mut start = 0;
            for &(end, frame) in &self.ends {
                if !frame {
                    kept.push_str(&self.text[start..end]);
                    ends.push((kept.len(), false));
                }
                start = end;
            }
            (self.text, self.ends) = (kept, ends);
        }
        self.frames = 0;
        n
    }

    /// Everything waiting, ending in a newline and, if frames were left
    /// out, a line saying how many; `None` when there is nothing.
    pub fn take(&mut self) -> Option<String> {
        if self.not_shown > 0 {
            let n = std::mem::take(&mut self.not_shown);
            self.add_notice(&format!(
                "[{} not shown: output rate limited]",
                plural(n, "frame")
            ));
        }
        self.frames = 0;
        self.ends.clear();
        (!self.text.is_empty()).then(|| std::mem::take(&mut self.text))
    }
}

/// The one printer of the interactive shell (see the module docs).
pub struct Console {
    inner: Mutex<Inner>,
    /// Only the printer thread uses it, never under `inner`.
    sink: Mutex<Sink>,
    /// Set (under `inner`) when the printer took text to print, cleared
    /// when the sink returned.
    printing: AtomicBool,
}

struct Inner {
    backlog: Backlog,
    /// Notice lines about dropped frames, kept apart: not shown while paused.
    drop_notices: Vec<String>,
    /// New alerts' lines, kept apart: dropped if `set alerts off` came
    /// while they waited.
    alert_notices: Vec<String>,
    /// A command runs: nothing but its output prints.
    busy: bool,
    /// The sink failed: the printer stops.
    broken: bool,
}

impl Console {
    /// A console printing through `sink`, with protocol names coloured when
    /// `color`.
    pub fn new(sink: Sink, color: bool) -> Console {
        Console {
            inner: Mutex::new(Inner {
                backlog: Backlog::new(LINES_PER_TICK, color),
                drop_notices: Vec::new(),
                alert_notices: Vec::new(),
                busy: false,
                broken: false,
            }),
            sink: Mutex::new(sink),
            printing: AtomicBool::new(false),
        }
    }

    /// Frames that arrived (the client hands over only those of the
    /// protocols the user enabled, with their fields): the ones the display
    /// rules pass wait to be printed, or are counted as skipped while
    /// output is paused.
    pub fn frames(&self, session: &Session, frames: &[Frame]) {
        self.frames_from(session, frames, None);
    }

    /// [`Console::frames`], each line tagged with `tag` when given (the
    /// server's name, with several servers).
    pub fn frames_from(&self, session: &Session, frames: &[Frame], tag: Option<&str>) {
        if let Some((proto, tx)) = session.tap().as_ref() {
            for f in frames.iter().filter(|f| f.protocol() == proto) {
                // Full: the view is behind; it shows the latest anyway.
                let _ = tx.try_send(f.clone());
            }
        }
        let settings = session.settings();
        let mut inner = self.inner.lock();
        inner.backlog.configure(&settings);
        if session.is_paused() {
            session
                .skipped
                .fetch_add(frames.len() as u64, Ordering::AcqRel);
        } else {
            let mut rules = session.display();
            for f in frames {
                if rules.pass(f) && !inner.backlog.add_frame_from(f, tag) {
                    rules.limited(f.protocol());
                }
            }
        }
    }

    /// A connection notice: printed in its turn, never dropped.
    pub fn notice(&self, line: &str) {
        self.inner.lock().backlog.add_notice(line);
    }

    /// A notice about dropped frames: not shown while output is paused.
    pub fn drop_notice(&self, session: &Session, line: &str) {
        if !session.is_paused() {
            self.inner.lock().drop_notices.push(line.to_string());
        }
    }

    /// A new alert's line: printed in its turn (paused or not), unless
    /// the alerts were silenced (`set alerts off`) meanwhile.
    pub fn alert_notice(&self, line: &str) {
        self.inner.lock().alert_notices.push(line.to_string());
    }

    /// The printer's tick: prints what waits, unless a command runs. While
    /// paused, frames that were waiting are counted as skipped instead.
    /// False once the sink failed.
    pub fn tick(&self, session: &Session) -> bool {
        let text = {
            let mut inner = self.inner.lock();
            if inner.broken {
                return false;
            }
            if inner.busy {
                return true;
            }
            if session.is_paused() {
                discard_waiting_frames(&mut inner, session);
            }
            let drops = std::mem::take(&mut inner.drop_notices);
            for d in drops {
                inner.backlog.add_notice(&d);
            }
            let alerts = std::mem::take(&mut inner.alert_notices);
            if session.settings().alerts {
                for a in alerts {
                    inner.backlog.add_notice(&a);
                }
            }
            let Some(text) = inner.backlog.take() else {
                return true;
            };
            self.printing.store(true, Ordering::Release);
            text
        };
        let ok = (self.sink.lock())(text);
        self.printing.store(false, Ordering::Release);
        if !ok {
            self.inner.lock().broken = true;
        }
        ok
    }

    /// A command starts: frames and notices wait until it is done. Waits
    /// (at most [`IN_FLIGHT_WAIT`]) for a print already under way.
    pub fn begin_command(&self) {
        self.inner.lock().busy = true;
        let until = Instant::now() + IN_FLIGHT_WAIT;
        while self.printing.load(Ordering::Acquire) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Prints a command's output (nothing can cut into it), then lets the
    /// waiting frames through. If the command paused output, the frames
    /// that were waiting are counted as skipped, never printed after the
    /// pause message.
    pub fn end_command(&self, session: &Session, output: &str) {
        let mut inner = self.inner.lock();
        if session.is_paused() {
            discard_waiting_frames(&mut inner, session);
        }
        write_stdout(output);
        inner.busy = false;
    }

    /// Prints a line while a command runs (a question, an echoed command).
    pub fn say(&self, text: &str) {
        let _inner = self.inner.lock();
        write_stdout(text);
    }
}

/// While paused: the frames waiting are counted as skipped, and the drop
/// notices go.
fn discard_waiting_frames(inner: &mut Inner, session: &Session) {
    let n = inner.backlog.discard_frames();
    inner.drop_notices.clear();
    session.skipped.fetch_add(n, Ordering::AcqRel);
}

/// Writes `text` and a newline to stdout, unless it is empty.
fn write_stdout(text: &str) {
    if text.is_empty() {
        return;
    }
    let mut out = io::stdout().lock();
    let _ = out
        .write_all(text.as_bytes())
        .and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                out.write_all(b"\n")
            }
        })
        .and_then(|()| out.flush());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn ssid_frame(name: &str) -> Frame {
        let names: Arc<[String]> = ["ssid", "mac"].map(String::from).into();
        let line = format!("*SSID: \x01{name}\x01 00:18:E7:B2:00:02 ");
        Frame::parse(line.as_bytes())
            .unwrap()
            .with_names(Some(names))
    }

    /// Frames are kept one line each; past the limit they are counted and
    /// reported once.
    #[test]
    fn backlog_limits_and_reports() {
        let mut b = Backlog::new(2, false);
        let frames: Vec<Frame> = (0..5).map(|i| ssid_frame(&format!("net {i}"))).collect();
        b.add_frames(&frames);
        b.add_notice("[disconnected: x]");
        let text = b.take().unwrap();
        assert_eq!(
            text,
            "SSID ssid=\"net 0\" mac=00:18:E7:B2:00:02\n\
             SSID ssid=\"net 1\" mac=00:18:E7:B2:00:02\n\
             [disconnected: x]\n\
             [3 frames not shown: output rate limited]\n"
        );
        assert_eq!(b.take(), None);
        b.add_frames(&frames[..1]);
        assert_eq!(
            b.take().unwrap().lines().count(),
            1,
            "the limit is per take"
        );
    }

    /// With colour, the protocol name is bold cyan and the rest untouched.
    #[test]
    fn backlog_colours_protocol_names() {
        let mut b = Backlog::new(10, true);
        b.add_frames(&[ssid_frame("a")]);
        assert_eq!(
            b.take().unwrap(),
            "\x1b[1;36mSSID\x1b[0m ssid=a mac=00:18:E7:B2:00:02\n"
        );
    }

    /// With colour and timestamps both on (a frame line then starts with
    /// its time, not with the coloured protocol name), discarding the
    /// waiting frames still takes every frame line out, keeps the notice,
    /// and counts each frame once.
    #[test]
    fn backlog_discards_timestamped_coloured_frames() {
        let mut b = Backlog::new(10, true);
        b.configure(&super::super::session::Settings {
            timestamps: true,
            color: true,
            ..super::super::session::Settings::default()
        });
        let frames: Vec<Frame> = (0..3)
            .map(|i| ssid_frame(&format!("n{i}")).with_received(1_795_678_119_000))
            .collect();
        b.add_frames(&frames[..2]);
        b.add_notice("[reconnected to x]");
        b.add_frames(&frames[2..]);
        assert_eq!(b.discard_frames(), 3);
        assert_eq!(b.take().unwrap(), "[reconnected to x]\n");
    }

    /// Discarding the waiting frames keeps the notices and counts every
    /// frame, shown or over the limit.
    #[test]
    fn backlog_discards_frames_keeps_notices() {
        for color in [false, true] {
            let mut b = Backlog::new(2, color);
            let frames: Vec<Frame> = (0..5).map(|i| ssid_frame(&format!("n{i}"))).collect();
            b.add_frames(&frames[..1]);
            b.add_notice("[reconnected to x]");
            b.add_frames(&frames[1..]);
            assert_eq!(b.discard_frames(), 5);
            assert_eq!(b.take().unwrap(), "[reconnected to x]\n");
        }
    }
}
