//! The interactive shell: a rustyline loop on the main thread, and a printer
//! thread that scrolls frames and connection news above the prompt.
//!
//! The main thread reads a line, runs it with [`commands::execute`] and
//! prints the outcome. The printer thread consumes the client's events
//! (the client counts the frames), and every ~100 ms prints what arrived through
//! rustyline's `ExternalPrinter` (which redraws the line being typed below
//! it): frames of the protocols this session enabled, at most
//! [`LINES_PER_TICK`] of them per tick, then one line saying how many were
//! not shown. While a command runs, its output goes first and the frames
//! wait, so a table is never cut by frame lines.

use std::ffi::OsStr;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor, ExternalPrinter as _};

use super::commands;
use super::helper::ShellHelper;
use super::outcome::{Outcome, ShellError};
use super::render;
use super::session::Session;
use crate::client::{Client, Error, Event};
use crate::protocol::{text, Frame};

/// Most frame lines printed per tick; the rest are counted and reported.
pub const LINES_PER_TICK: usize = 200;

/// How often the printer thread prints what arrived.
pub const TICK: Duration = Duration::from_millis(100);

/// Most events taken off the channel in one go before checking the clock.
const EVENTS_PER_DRAIN: usize = 1024;

/// Bold cyan, for protocol names.
const CYAN: &str = "\x1b[1;36m";
/// Bold red, for `error:`.
const RED: &str = "\x1b[1;31m";
/// Back to normal.
const RESET: &str = "\x1b[0m";

/// How the interactive shell behaves.
#[derive(Debug, Clone, Default)]
pub struct ReplOptions {
    /// History file; `None` for no history (see [`default_history_path`]).
    pub history: Option<PathBuf>,
}

/// The default history file: `$XDG_STATE_HOME/kismet-shell/history`, else
/// `~/.local/state/kismet-shell/history`; `None` without either variable.
pub fn default_history_path() -> Option<PathBuf> {
    history_path_from(
        std::env::var_os("XDG_STATE_HOME").as_deref(),
        std::env::var_os("HOME").as_deref(),
    )
}

/// [`default_history_path`] from the values of `XDG_STATE_HOME` and `HOME`
/// (a relative or empty `XDG_STATE_HOME` is ignored, as the spec says).
pub fn history_path_from(xdg_state_home: Option<&OsStr>, home: Option<&OsStr>) -> Option<PathBuf> {
    if let Some(x) = xdg_state_home.filter(|x| Path::new(x).is_absolute()) {
        return Some(Path::new(x).join("kismet-shell").join("history"));
    }
    home.filter(|h| !h.is_empty())
        .map(|h| Path::new(h).join(".local/state/kismet-shell/history"))
}

/// The prompt: where the shell is connected, or that it is not.
pub fn prompt_text(addr: &str, connected: bool) -> String {
    if connected {
        format!("kismet {addr}> ")
    } else {
        "kismet (disconnected)> ".to_string()
    }
}

/// True when output may be coloured: stdout is a terminal and `NO_COLOR` is
/// unset or empty.
pub fn color_wanted() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The line shown when the shell starts.
pub fn banner(client: &Client) -> String {
    format!(
        "connected to {} at {}: {} protocols; type help, Tab completes",
        text::display(client.server_info().name.as_bytes()),
        client.addr(),
        client.table().len()
    )
}

/// What waits to be printed above the prompt: frame lines (at most a limit
/// of them) and notices, in arrival order.
#[derive(Debug)]
pub struct Backlog {
    text: String,
    frames: usize,
    not_shown: u64,
    limit: usize,
    color: bool,
}

impl Backlog {
    /// An empty backlog printing at most `limit` frame lines per take.
    pub fn new(limit: usize, color: bool) -> Backlog {
        Backlog {
            text: String::new(),
            frames: 0,
            not_shown: 0,
            limit,
            color,
        }
    }

    /// Adds the frames for which `shown` is true (one line each, up to the
    /// limit; the others are counted as not shown).
    pub fn add_frames(&mut self, frames: &[Frame], shown: impl Fn(&str) -> bool) {
        for f in frames.iter().filter(|f| shown(f.protocol())) {
            if self.frames >= self.limit {
                self.not_shown += 1;
                continue;
            }
            self.frames += 1;
            let start = self.text.len();
            render::frame_text(&mut self.text, f);
            if self.color {
                // The line starts with the protocol name (plain ASCII).
                let end = start + f.protocol().len();
                self.text.insert_str(end, RESET);
                self.text.insert_str(start, CYAN);
            }
            self.text.push('\n');
        }
    }

    /// Adds a notice line (always kept).
    pub fn add_notice(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// Everything waiting, ending in a newline and, if frames were left
    /// out, a line saying how many; `None` when there is nothing.
    pub fn take(&mut self) -> Option<String> {
        if self.not_shown > 0 {
            let n = std::mem::take(&mut self.not_shown);
            self.add_notice(&format!("[{n} frames not shown: output rate limited]"));
        }
        self.frames = 0;
        (!self.text.is_empty()).then(|| std::mem::take(&mut self.text))
    }
}

/// Where the printer thread's text goes; false when it can no longer print.
type Sink = Box<dyn FnMut(String) -> bool + Send>;

/// Consumes the client's events until the channel closes or `stop` is set.
fn printer_loop(
    session: Arc<Session>,
    mut sink: Sink,
    held: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    color: bool,
) {
    let events = session.client.events().clone();
    let mut backlog = Backlog::new(LINES_PER_TICK, color);
    let mut next_tick = Instant::now() + TICK;
    let mut open = true;
    while open && !stop.load(Ordering::Acquire) {
        let wait = next_tick.saturating_duration_since(Instant::now());
        let mut handle = |event: Event| match event {
            Event::Frames(frames) => {
                if session.paused.load(Ordering::Acquire) {
                    return;
                }
                let subs = session.client.subscriptions();
                backlog.add_frames(&frames, |p| {
                    subs.iter().any(|(s, _)| s.eq_ignore_ascii_case(p))
                });
            }
            other => {
                for line in render::event_notices(&other, session.client.addr()) {
                    backlog.add_notice(&line);
                }
            }
        };
        match events.recv_timeout(wait) {
            Ok(event) => {
                handle(event);
                for event in events.try_iter().take(EVENTS_PER_DRAIN) {
                    handle(event);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => open = false,
        }
        if Instant::now() >= next_tick || !open {
            if !held.load(Ordering::Acquire) || !open {
                if let Some(text) = backlog.take() {
                    if stop.load(Ordering::Acquire) || !sink(text) {
                        return;
                    }
                }
            }
            next_tick = Instant::now() + TICK;
        }
    }
}

/// Writes straight to stdout, for terminals rustyline cannot drive.
fn stdout_sink(text: String) -> bool {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_ok()
}

/// Prints a command's output (one write, so frames cannot cut into it).
fn say(text: &str) {
    if text.is_empty() {
        return;
    }
    let mut out = io::stdout().lock();
    let _ = out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
}

/// `error: ...`, in red when colouring.
fn error_text(message: &str, color: bool) -> String {
    match message.strip_prefix("error:") {
        Some(rest) if color => format!("{RED}error:{RESET}{rest}"),
        Some(_) => message.to_string(),
        None if color => format!("{RED}error:{RESET} {message}"),
        None => format!("error: {message}"),
    }
}

/// Loads the history, creating its directory; problems are warnings.
fn load_history(rl: &mut Editor<ShellHelper, FileHistory>, path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!(
                "kismet-shell: warning: creating history directory {}: {e}",
                dir.display()
            );
            return;
        }
    }
    match rl.load_history(path) {
        Ok(()) => {}
        Err(ReadlineError::Io(e)) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => eprintln!(
            "kismet-shell: warning: reading history {}: {e}",
            path.display()
        ),
    }
}

/// Asks a yes/no question on the prompt line; only `y`/`yes` is yes.
fn confirm(rl: &mut Editor<ShellHelper, FileHistory>, question: &str) -> bool {
    if let Some(h) = rl.helper_mut() {
        h.set_active(false);
    }
    let answer = rl.readline(question);
    if let Some(h) = rl.helper_mut() {
        h.set_active(true);
    }
    matches!(answer, Ok(a) if matches!(a.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}

/// Runs the interactive shell until `quit` or Ctrl-D; returns the exit status.
///
/// # Errors
/// The terminal cannot be set up or read.
pub fn run(session: Session, options: ReplOptions) -> anyhow::Result<i32> {
    let session = Arc::new(session);
    let color = color_wanted();
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_space(true)
        .history_ignore_dups(true)?
        .max_history_size(2000)?
        .completion_type(CompletionType::List)
        .build();
    let mut rl: Editor<ShellHelper, FileHistory> = Editor::with_config(config)?;
    let table_session = session.clone();
    rl.set_helper(Some(ShellHelper::new(
        Box::new(move || table_session.client.table()),
        color,
    )));
    if let Some(path) = &options.history {
        load_history(&mut rl, path);
    }

    let held = Arc::new(AtomicBool::new(true));
    let stop = Arc::new(AtomicBool::new(false));
    let sink: Sink = match rl.create_external_printer() {
        Ok(mut printer) => Box::new(move |text| printer.print(text).is_ok()),
        Err(_) => Box::new(stdout_sink),
    };
    {
        let (session, held, stop) = (session.clone(), held.clone(), stop.clone());
        thread::Builder::new()
            .name("kismet-printer".into())
            .spawn(move || printer_loop(session, sink, held, stop, color))?;
    }

    // Ctrl-C while a command waits for its reply (the terminal is not in
    // raw mode then, so it is a signal, not a key): stop waiting, stay in
    // the shell. At the prompt, rustyline reads Ctrl-C as a key.
    let interrupted = session.interrupted.clone();
    if let Err(e) = ctrlc::set_handler(move || interrupted.store(true, Ordering::Release)) {
        eprintln!("kismet-shell: warning: Ctrl-C will end the shell while a command waits: {e}");
    }
    say(&banner(&session.client));
    let mut history_warned = false;
    loop {
        let client = &session.client;
        let prompt = prompt_text(client.addr(), client.is_connected());
        held.store(false, Ordering::Release);
        let read = rl.readline(&prompt);
        held.store(true, Ordering::Release);
        let line = match read {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                stop.store(true, Ordering::Release);
                return Err(anyhow::Error::new(e).context("reading the command line"));
            }
        };
        if !line.trim().is_empty() {
            let _ = rl.add_history_entry(line.as_str());
            if let Some(path) = &options.history {
                if let Err(e) = rl.append_history(path) {
                    if !history_warned {
                        eprintln!(
                            "kismet-shell: warning: saving history {}: {e}",
                            path.display()
                        );
                        history_warned = true;
                    }
                }
            }
        }
        let parsed = match commands::parse(&line) {
            Ok(p) => p,
            Err(e) => {
                say(&error_text(&e.to_string(), color));
                continue;
            }
        };
        if let Some(name) = parsed.dangerous() {
            let question = format!("really send {name} to {}? [y/N] ", client.addr());
            if !confirm(&mut rl, &question) {
                say("not sent");
                continue;
            }
        }
        session.interrupted.store(false, Ordering::Release);
        match commands::execute(&session, parsed) {
            Ok(Outcome::Quit) => break,
            Ok(o) => say(&render::outcome_text(&o)),
            Err(ShellError::Client(Error::Server(reply))) => {
                say(&error_text(&render::reply_text(&reply), color));
            }
            Err(e) => say(&error_text(&e.to_string(), color)),
        }
    }
    stop.store(true, Ordering::Release);
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc as StdArc;

    fn ssid_frame(name: &str) -> Frame {
        let names: StdArc<[String]> = ["ssid", "mac"].map(String::from).into();
        let line = format!("*SSID: \x01{name}\x01 00:18:E7:B2:00:02 ");
        Frame::parse(line.as_bytes())
            .unwrap()
            .with_names(Some(names))
    }

    /// The history file follows XDG_STATE_HOME, then HOME.
    #[test]
    fn history_path() {
        let p = history_path_from(Some(OsStr::new("/x/state")), Some(OsStr::new("/home/u")));
        assert_eq!(p, Some(PathBuf::from("/x/state/kismet-shell/history")));
        let p = history_path_from(Some(OsStr::new("rel")), Some(OsStr::new("/home/u")));
        assert_eq!(
            p,
            Some(PathBuf::from("/home/u/.local/state/kismet-shell/history"))
        );
        assert_eq!(history_path_from(None, None), None);
        assert_eq!(
            history_path_from(Some(OsStr::new("")), Some(OsStr::new(""))),
            None
        );
    }

    /// The prompt says where the shell is connected, or that it is not.
    #[test]
    fn prompts() {
        assert_eq!(
            prompt_text("127.0.0.1:2501", true),
            "kismet 127.0.0.1:2501> "
        );
        assert_eq!(
            prompt_text("127.0.0.1:2501", false),
            "kismet (disconnected)> "
        );
    }

    /// Only frames of shown protocols are kept, one line each; past the
    /// limit they are counted and reported once.
    #[test]
    fn backlog_limits_and_reports() {
        let mut b = Backlog::new(2, false);
        let frames: Vec<Frame> = (0..5).map(|i| ssid_frame(&format!("net {i}"))).collect();
        b.add_frames(&frames, |p| p == "SSID");
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
        b.add_frames(&frames, |p| p == "TIME");
        assert_eq!(b.take(), None);
        b.add_frames(&frames[..1], |_| true);
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
        b.add_frames(&[ssid_frame("a")], |_| true);
        assert_eq!(
            b.take().unwrap(),
            "\x1b[1;36mSSID\x1b[0m ssid=a mac=00:18:E7:B2:00:02\n"
        );
    }

    /// Error lines start with `error:` exactly once.
    #[test]
    fn error_lines() {
        assert_eq!(
            error_text("unknown command", false),
            "error: unknown command"
        );
        assert_eq!(
            error_text("error: NO SUCH COMMAND (1.0 ms)", false),
            "error: NO SUCH COMMAND (1.0 ms)"
        );
        assert_eq!(error_text("x", true), "\x1b[1;31merror:\x1b[0m x");
    }
}
