//! The interactive shell: a rustyline loop on the main thread, and a printer
//! thread that scrolls frames and connection news above the prompt.
//!
//! The main thread reads a line, runs it with [`dispatch::execute`] and
//! prints the outcome through the [`Console`], which holds frames back while
//! a command runs and while output is paused. Lines typed or pasted together
//! all run, in order: rustyline keeps keys read ahead of one line for the
//! next (its `buffer-redux` feature), and a bracketed paste of several lines
//! is split into one command per line. The printer thread consumes the
//! client's events (the client counts the frames) and every ~100 ms prints
//! what arrived through rustyline's external printer, which redraws the
//! line being typed below it; the prompt ([`LivePrompt`]) follows the
//! connection's state at each redraw.

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::io::{self, IsTerminal};
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
use super::console::{Console, Sink};
use super::dispatch;
use super::helper::{Names, ShellHelper};
use super::outcome::{without_os_codes, Outcome, ShellError};
use super::pager::Pager;
use super::prompt::{prompt_text, LivePrompt};
use super::render::{self, layout};
use super::session::Session;
use kismet_client::{Client, Error, Event};
use kismet_protocol::text;

/// How often the printer thread prints what arrived.
pub const TICK: Duration = Duration::from_millis(100);

/// Most events taken off the channel in one go before checking the clock.
const EVENTS_PER_DRAIN: usize = 1024;

/// Bold red, for `error:`.
const RED: &str = "\x1b[1;31m";
/// Back to normal.
const RESET: &str = "\x1b[0m";

/// How the interactive shell behaves.
#[derive(Debug, Clone)]
pub struct ReplOptions {
    /// History file; `None` for no history (see [`default_history_path`]).
    pub history: Option<PathBuf>,
    /// How long output is shown.
    pub pager: Pager,
    /// `--export` files: written every so often meanwhile, and at the end.
    pub exports: Option<Arc<super::export::Exports>>,
}

impl Default for ReplOptions {
    fn default() -> ReplOptions {
        ReplOptions {
            history: None,
            pager: Pager::none(),
            exports: None,
        }
    }
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

/// True when output may be coloured: stdout is a terminal and `NO_COLOR` is
/// unset or empty.
pub fn color_wanted() -> bool {
    color_wanted_from(
        io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

/// [`color_wanted`] from whether stdout is a terminal and the value of
/// `NO_COLOR`: any value but the empty string turns colour off
/// (no-color.org).
pub fn color_wanted_from(terminal: bool, no_color: Option<&OsStr>) -> bool {
    terminal && no_color.is_none_or(OsStr::is_empty)
}

/// The line shown when the shell starts.
pub fn banner(client: &Client) -> String {
    format!(
        "connected to {} at {}: {}; type help, Tab completes",
        text::display(&client.server_info().name_bytes),
        client.addr(),
        layout::plural(client.table().len() as u64, "protocol")
    )
}

/// Consumes the client's events into the console until `stop` is set,
/// printing at each tick. It follows the session to a new client after
/// `connect`, and outlives the end of a connection: a notice of the end
/// must never be lost.
fn printer_loop(session: Arc<Session>, console: Arc<Console>, stop: Arc<AtomicBool>) {
    let mut next_tick = Instant::now() + TICK;
    while !stop.load(Ordering::Acquire) {
        let client = session.client();
        let wait = next_tick.saturating_duration_since(Instant::now());
        let handle = |event: Event| match event {
            Event::Frames(frames) => console.frames(&session, &frames),
            e @ Event::Dropped { .. } => {
                for line in render::event_notices(&e, client.addr()) {
                    console.drop_notice(&session, &line);
                }
            }
            other => {
                for line in render::event_notices(&other, client.addr()) {
                    console.notice(&line);
                }
                if let Event::Disconnected { reason } = &other {
                    if reason.is_terminated() && !client.will_reconnect() {
                        console.notice("[not reconnecting to a server that terminated: type reconnect to connect again]");
                    }
                }
            }
        };
        match client.events().recv_timeout(wait) {
            Ok(event) => {
                handle(event);
                for event in client.events().try_iter().take(EVENTS_PER_DRAIN) {
                    handle(event);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            // This connection is over (its end already reported); wait for
            // `connect` or `reconnect` to bring another.
            Err(RecvTimeoutError::Disconnected) => thread::sleep(wait),
        }
        if Instant::now() >= next_tick {
            if !console.tick(&session) {
                return;
            }
            next_tick = Instant::now() + TICK;
        }
    }
}

/// Writes straight to stdout, for terminals rustyline cannot drive.
fn stdout_sink(text: String) -> bool {
    use std::io::Write;
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_ok()
}

/// `error: ...`, in red when colouring; its first line wrapped between
/// words to `width` (the lines after it, such as a filter's carets under
/// the expression, are kept as they are).
fn error_text(message: &str, color: bool, width: usize) -> String {
    let plain = if message.starts_with("error:") {
        message.to_string()
    } else {
        format!("error: {message}")
    };
    let (first, rest) = match plain.split_once('\n') {
        Some((first, rest)) => (first, Some(rest)),
        None => (plain.as_str(), None),
    };
    let mut s = layout::wrap(first, width);
    if let Some(rest) = rest {
        s.push('\n');
        s.push_str(rest);
    }
    match s.strip_prefix("error:") {
        Some(after) if color => format!("{RED}error:{RESET}{after}"),
        _ => s,
    }
}

/// Loads the history, creating its directory; problems are warnings.
fn load_history(rl: &mut Editor<ShellHelper, FileHistory>, path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!(
                "kismet-shell: warning: creating history directory {}: {}",
                dir.display(),
                without_os_codes(&e.to_string())
            );
            return;
        }
    }
    match rl.load_history(path) {
        Ok(()) => {}
        Err(ReadlineError::Io(e)) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => eprintln!(
            "kismet-shell: warning: reading history {}: {}",
            path.display(),
            without_os_codes(&e.to_string())
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

/// The interactive shell's state between lines.
struct Repl {
    session: Arc<Session>,
    console: Arc<Console>,
    rl: Editor<ShellHelper, FileHistory>,
    options: ReplOptions,
    color: bool,
    history_warned: bool,
}

impl Repl {
    /// Adds a line to the history (and its file).
    fn remember(&mut self, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        let _ = self.rl.add_history_entry(line);
        if let Some(path) = &self.options.history {
            if let Err(e) = self.rl.append_history(path) {
                if !self.history_warned {
                    eprintln!(
                        "kismet-shell: warning: saving history {}: {}",
                        path.display(),
                        without_os_codes(&e.to_string())
                    );
                    self.history_warned = true;
                }
            }
        }
    }

    /// Runs one line; false when the shell should end.
    fn run_line(&mut self, line: &str) -> bool {
        let columns = layout::terminal_width();
        let width = Some(columns);
        let parsed = match commands::parse(line) {
            Ok(p) => p,
            Err(e) => {
                self.console.end_command(
                    &self.session,
                    &error_text(&e.to_string(), self.color, layout::terminal_width()),
                );
                return true;
            }
        };
        if let Some(command) = parsed.dangerous() {
            let question = format!(
                "really send {command} to {}? [y/N] ",
                self.session.client().addr()
            );
            if !confirm(&mut self.rl, &question) {
                self.console.end_command(&self.session, "not sent");
                return true;
            }
        }
        self.session.interrupted.store(false, Ordering::Release);
        let output = match dispatch::execute(&self.session, parsed) {
            Ok(Outcome::Quit) => {
                self.console.end_command(&self.session, "");
                return false;
            }
            Ok(Outcome::Clear) => {
                let _ = self.rl.clear_screen();
                String::new()
            }
            Ok(o) => render::outcome_text_painted(&o, width, self.session.settings().color),
            Err(ShellError::Client(Error::Server(reply))) => {
                error_text(&render::reply_text(&reply), self.color, columns)
            }
            Err(e) => error_text(&e.to_string(), self.color, columns),
        };
        // A table taller than the screen goes through the pager (frames
        // wait meanwhile); what fits is printed.
        if self.options.pager.wants(&output, layout::terminal_height())
            && self.options.pager.show(&output)
        {
            self.console.end_command(&self.session, "");
        } else {
            self.console.end_command(&self.session, &output);
        }
        true
    }
}

/// Runs the interactive shell until `quit` or Ctrl-D; returns the exit status.
///
/// # Errors
/// The terminal cannot be set up or read.
pub fn run(session: Arc<Session>, options: ReplOptions) -> anyhow::Result<i32> {
    let color = session.settings().color;
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_space(true)
        .history_ignore_dups(true)?
        .max_history_size(2000)?
        .completion_type(CompletionType::List)
        .build();
    let mut rl: Editor<ShellHelper, FileHistory> = Editor::with_config(config)?;
    let names = session.clone();
    rl.set_helper(Some(ShellHelper::new(
        Box::new(move || {
            let client = names.client();
            let networks = names
                .model_if_started()
                .map(|m| {
                    let snap = m.snapshot();
                    // Networks that have clients: what `clients NET` and
                    // `watch clients NET` take (a probe entry has none).
                    let mut v: Vec<String> = snap
                        .networks
                        .iter()
                        .filter(|n| n.clients > 0)
                        // Names as they are shown (and typed): sanitised.
                        .flat_map(|n| {
                            let ssid = n.ssid.as_deref().map(|s| text::display(s.as_bytes()));
                            std::iter::once(n.bssid.clone()).chain(ssid)
                        })
                        .collect();
                    v.sort();
                    v.dedup();
                    v
                })
                .unwrap_or_default();
            let sources = names
                .model_if_started()
                .map(|m| {
                    m.sources()
                        .into_iter()
                        .map(|s| text::display(s.name.as_bytes()))
                        .collect()
                })
                .unwrap_or_default();
            Names {
                table: client.table(),
                enabled: client.subscriptions(),
                networks,
                sources,
            }
        }),
        color,
    )));
    if let Some(path) = &options.history {
        load_history(&mut rl, path);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let sink: Sink = match rl.create_external_printer() {
        Ok(mut printer) => Box::new(move |text| printer.print(text).is_ok()),
        Err(_) => Box::new(stdout_sink),
    };
    let console = Arc::new(Console::new(sink, color));
    {
        let (session, console, stop) = (session.clone(), console.clone(), stop.clone());
        thread::Builder::new()
            .name("kismet-printer".into())
            .spawn(move || printer_loop(session, console, stop))?;
    }

    // Ctrl-C while a command waits for its reply (the terminal is not in
    // raw mode then, so it is a signal, not a key): stop waiting, stay in
    // the shell. At the prompt, rustyline reads Ctrl-C as a key.
    let interrupted = session.interrupted.clone();
    if let Err(e) = ctrlc::set_handler(move || interrupted.store(true, Ordering::Release)) {
        eprintln!(
            "kismet-shell: warning: Ctrl-C will end the shell while a command waits: {}",
            without_os_codes(&e.to_string())
        );
    }
    // --export: written every so often; a failure is said above the
    // prompt (each new one once).
    let exports = options.exports.clone();
    let timer = match &exports {
        Some(ex) => {
            let console = console.clone();
            let report = move |e: &str| console.notice(&format!("[--export: {e}]"));
            Some(ex.start_timer(session.clone(), report)?)
        }
        None => None,
    };
    let mut repl = Repl {
        session: session.clone(),
        console: console.clone(),
        rl,
        options,
        color,
        history_warned: false,
    };
    console.begin_command();
    console.end_command(
        &session,
        &layout::wrap(&banner(&session.client()), layout::terminal_width()),
    );
    // The lines of a paste after the first, run one after the other.
    let mut queued: VecDeque<String> = VecDeque::new();
    let result = loop {
        let line = match queued.pop_front() {
            Some(line) => {
                // Shown as if typed, so each output follows its command.
                let client = session.client();
                console.say(&format!(
                    "{}{line}",
                    prompt_text(client.addr(), client.is_connected())
                ));
                line
            }
            None => {
                let read = repl.rl.readline(&LivePrompt::new(session.clone()));
                console.begin_command();
                match read {
                    Ok(text) => {
                        // A bracketed paste of several lines: one command each.
                        let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
                        let first = lines.next().unwrap_or_default().to_string();
                        queued.extend(lines.filter(|l| !l.trim().is_empty()).map(String::from));
                        first
                    }
                    Err(ReadlineError::Interrupted) => {
                        console.end_command(&session, "");
                        continue;
                    }
                    Err(ReadlineError::Eof) => break Ok(0),
                    Err(e) => break Err(anyhow::Error::new(e).context("reading the command line")),
                }
            }
        };
        repl.remember(&line);
        if !repl.run_line(&line) {
            break Ok(0);
        }
        if !queued.is_empty() {
            console.begin_command();
        }
    };
    stop.store(true, Ordering::Release);
    drop(timer);
    // The files once more, with everything collected.
    if let Some(ex) = exports {
        for written in ex.write(&session) {
            match written {
                Ok(note) => eprintln!("{note}"),
                Err(e) => eprintln!("kismet-shell: --export: {e}"),
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Error lines start with `error:` exactly once.
    #[test]
    fn error_lines() {
        assert_eq!(
            error_text("unknown command", false, 80),
            "error: unknown command"
        );
        assert_eq!(
            error_text("error: NO SUCH COMMAND (1.0 ms)", false, 80),
            "error: NO SUCH COMMAND (1.0 ms)"
        );
        assert_eq!(error_text("x", true, 80), "\x1b[1;31merror:\x1b[0m x");
    }

    /// A long error wraps between words at the width (before: the terminal
    /// cut it mid-word); lines after the first (a filter's carets) stay.
    #[test]
    fn long_errors_wrap_between_words() {
        let msg = "filter: unknown field \"sssid\" (did you mean ssid?); fields: ssid, mac\nsssid = x\n^^^^^";
        let t = error_text(msg, false, 40);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines.iter().all(|l| l.chars().count() <= 40), "{t}");
        assert_eq!(&lines[lines.len() - 2..], ["sssid = x", "^^^^^"]);
        let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            words(&lines[..lines.len() - 2].join(" ")),
            words(&format!("error: {}", msg.lines().next().unwrap()))
        );
    }
}
