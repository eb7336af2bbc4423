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

use super::alerts::Announcer;
use super::commands;
use super::commands::Watched;
use super::console::{Console, Sink};
use super::dispatch;
use super::fleet::{self, Member};
use super::helper::{Names, ShellHelper};
use super::hook::{Hook, EXIT_WAIT};
use super::outcome::{without_os_codes, Outcome, ShellError};
use super::pager::Pager;
use super::prompt::{prompt_text, LivePrompt};
use super::render::{self, layout};
use super::servers::{Fleet, Live};
use super::session::Session;
use super::watch::{self, Devices};
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
    /// `--on-alert`: a command run for each new alert.
    pub on_alert: Option<super::hook::OnAlert>,
}

impl Default for ReplOptions {
    fn default() -> ReplOptions {
        ReplOptions {
            history: None,
            pager: Pager::none(),
            exports: None,
            on_alert: None,
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

/// Consumes the client's events into the console until `stop` is set (or
/// the server leaves the session), printing at each tick. It follows the
/// session to a new client after `connect`, and outlives the end of a
/// connection: a notice of the end must never be lost. With several
/// servers, each line starts with the server's name.
fn printer_loop(
    live: Live,
    fleet: Arc<Fleet>,
    console: Arc<Console>,
    stop: Arc<AtomicBool>,
    mut alerts: Announcer,
) {
    let session = live.session.clone();
    let name = live.member.name.clone();
    let mut next_tick = Instant::now() + TICK;
    while !stop.load(Ordering::Acquire) && !live.gone.load(Ordering::Acquire) {
        let client = session.client();
        let wait = next_tick.saturating_duration_since(Instant::now());
        let tag = fleet.is_several().then_some(name.as_str());
        let tagged = |line: &str| match tag {
            Some(t) => format!("{t}: {line}"),
            None => line.to_string(),
        };
        let handle = |event: Event| match event {
            Event::Frames(frames) => console.frames_from(&session, &frames, tag),
            e @ Event::Dropped { .. } => {
                for line in render::event_notices(&e, client.addr()) {
                    console.drop_notice(&session, &tagged(&line));
                }
            }
            other => {
                for line in render::event_notices(&other, client.addr()) {
                    console.notice(&tagged(&line));
                }
                if let Event::Disconnected { reason } = &other {
                    if reason.is_terminated() && !client.will_reconnect() {
                        console.notice(&tagged("[not reconnecting to a server that terminated: type reconnect to connect again]"));
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
            for line in alerts.tick(&session) {
                console.alert_notice(&tagged(&line));
            }
            if !console.tick(&session) {
                return;
            }
            next_tick = Instant::now() + TICK;
        }
    }
}

/// Starts a server's printer thread.
fn start_printer(
    live: Live,
    fleet: &Arc<Fleet>,
    console: &Arc<Console>,
    stop: &Arc<AtomicBool>,
    hook: Option<Arc<Hook>>,
) -> io::Result<()> {
    let alerts = Announcer::new(&live.session, hook);
    let (fleet, console, stop) = (fleet.clone(), console.clone(), stop.clone());
    thread::Builder::new()
        .name("kismet-printer".into())
        .spawn(move || printer_loop(live, fleet, console, stop, alerts))
        .map(|_| ())
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
    fleet: Arc<Fleet>,
    console: Arc<Console>,
    /// For the printers of servers added later.
    stop: Arc<AtomicBool>,
    hook: Option<Arc<Hook>>,
    rl: Editor<ShellHelper, FileHistory>,
    options: ReplOptions,
    color: bool,
    history_warned: bool,
}

impl Repl {
    /// The session commands go to.
    fn session(&self) -> Arc<Session> {
        self.fleet.session()
    }

    /// What a command about the servers does, when `parsed` is one (with
    /// several servers, also the commands that merge them or apply to
    /// each): its output, or an error's text.
    fn fleet_command(
        &self,
        parsed: &commands::Parsed,
        width: usize,
    ) -> Option<Result<String, String>> {
        use commands::ShellCommand as C;
        let commands::Parsed::Shell(command) = parsed else {
            return None;
        };
        let several = self.fleet.is_several();
        Some(match command {
            C::Servers => Ok(fleet::servers_text(
                &self.fleet.servers(),
                render::Format::Text,
                Some(width),
            )),
            C::Use { name } => (self.fleet.use_server(name))
                .map(|n| format!("commands go to {}", text::display(n.as_bytes()))),
            C::On { target, line } => self.on(target, line, width),
            C::Connect {
                addr, add: true, ..
            } => self.add(addr),
            C::Disconnect { name: Some(name) } if several => self.take_out(name),
            c @ (C::Networks { .. } | C::Clients { .. }) if several => {
                match fleet::merged_listing(
                    &self.fleet.servers(),
                    c,
                    render::Format::Text,
                    Some(width),
                ) {
                    Some(r) => r.map_err(|e| e.to_string()),
                    None => return None,
                }
            }
            C::Watch {
                target: t @ (Watched::Networks | Watched::Clients | Watched::Stations),
                net,
                sort,
                kind,
            } if several => {
                let fleet = self.fleet.clone();
                let devices = Devices(Arc::new(move || {
                    fleet::merged_snapshot(&fleet.servers()).unwrap_or_default()
                }));
                let session = self.session();
                return Some(
                    match watch::handler_with(
                        &session,
                        t.clone(),
                        net.clone(),
                        *sort,
                        kind.clone(),
                        Some(devices),
                    ) {
                        Ok(_) => Ok(String::new()),
                        Err(e) => Err(e.to_string()),
                    },
                );
            }
            C::Export {
                file,
                what,
                format,
                best,
            } if several => fleet::export_merged(
                &self.fleet.servers(),
                file,
                *format,
                super::export::options(*what, *best),
            ),
            // Every server's state, then the current one's report.
            C::Status if several => {
                let session = self.session();
                let servers =
                    fleet::servers_text(&self.fleet.servers(), render::Format::Text, Some(width));
                let report = match super::handlers::status(&session) {
                    Ok(o) => render::outcome_text(&o, Some(width)),
                    Err(e) => error_text(&e.to_string(), self.color, width),
                };
                Ok(format!(
                    "{servers}\n[{}]\n{report}",
                    text::display(self.fleet.current().member.name.as_bytes())
                ))
            }
            C::Network { net } if several => {
                let servers = self.fleet.servers();
                match fleet::servers_knowing(&servers, net) {
                    Ok(names) if names.is_empty() => Err(format!(
                        "no network {} on any server",
                        text::display(net.as_bytes())
                    )),
                    Ok(names) => {
                        let lives = (self.fleet.all().into_iter())
                            .filter(|l| names.contains(&l.member.name))
                            .collect();
                        Ok(self.run_on(lives, parsed, width))
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
            C::Enable { .. }
            | C::Remove { .. }
            | C::Filter { .. }
            | C::Only { .. }
            | C::Pause
            | C::Resume
            | C::Set { .. }
                if several =>
            {
                Ok(self.on_each(parsed, width))
            }
            _ => return None,
        })
    }

    /// Runs `parsed` on every server; each answer on lines starting with
    /// the server's name.
    fn on_each(&self, parsed: &commands::Parsed, width: usize) -> String {
        let mut out = Vec::new();
        for live in self.fleet.all() {
            let text = self.answer(&live, parsed, width);
            let name = text::display(live.member.name.as_bytes());
            for line in text.lines() {
                out.push(format!("{name}: {line}"));
            }
        }
        out.join("\n")
    }

    /// `on NAME|all COMMAND`.
    fn on(&self, target: &str, line: &str, width: usize) -> Result<String, String> {
        let parsed = commands::parse(line).map_err(|e| e.to_string())?;
        if matches!(
            parsed,
            commands::Parsed::Shell(commands::ShellCommand::On { .. })
        ) {
            return Err("on takes one command, not another on".into());
        }
        let targets = if target.eq_ignore_ascii_case("all") {
            self.fleet.all()
        } else {
            vec![self
                .fleet
                .find(target)
                .ok_or_else(|| self.fleet.no_such(target))?]
        };
        Ok(self.run_on(targets, &parsed, width))
    }

    /// Runs `parsed` on each of `targets`, each answer under its name.
    fn run_on(&self, targets: Vec<Live>, parsed: &commands::Parsed, width: usize) -> String {
        let mut out = Vec::new();
        for live in targets {
            let text = self.answer(&live, parsed, width);
            out.push(format!("[{}]", text::display(live.member.name.as_bytes())));
            out.push(text);
        }
        out.join("\n")
    }

    /// What `parsed` gives on `live`'s server, as text (an error as
    /// `error: ...`).
    fn answer(&self, live: &Live, parsed: &commands::Parsed, width: usize) -> String {
        live.session.interrupted.store(false, Ordering::Release);
        match dispatch::execute(&live.session, parsed.clone()) {
            Ok(o) => render::outcome_text(&o, Some(width)),
            Err(ShellError::Client(Error::Server(reply))) => {
                error_text(&render::reply_text(&reply), self.color, width)
            }
            Err(e) => error_text(&e.to_string(), self.color, width),
        }
    }

    /// `connect --add [NAME=]HOST[:PORT][@LAT,LON]`.
    fn add(&self, spec: &str) -> Result<String, String> {
        let member = Member::parse(spec)?;
        if let Some(l) = self.fleet.find(&member.name) {
            return Err(format!(
                "a server is named {} already ({}; name this one: NAME=HOST[:PORT])",
                member.name, l.member.addr
            ));
        }
        let current = self.session();
        let client = Client::connect(&member.addr, current.options.clone())
            .map_err(|e| without_os_codes(&e.to_string()))?;
        let session = Session::new(client, current.reply_timeout)
            .with_settings(current.settings())
            .into_shared();
        // Its alerts show as the others' do (a server without ALERT has none).
        let _ = session.start_alerts();
        let live = Live {
            member,
            session,
            gone: Arc::new(AtomicBool::new(false)),
        };
        let said = layout::wrap(
            &format!(
                "added {}: {}; {} servers (servers lists them, use NAME picks one)",
                text::display(live.member.name.as_bytes()),
                banner(&live.session.client()),
                self.fleet.len() + 1
            ),
            layout::terminal_width(),
        );
        self.fleet.add(live.clone())?;
        // A database the session keeps (--db, held by the first server's
        // session) keeps this server too.
        let first = self.fleet.all()[0].session.clone();
        if let Some(db) = first.db.lock().as_mut() {
            let name = Some(live.member.name.clone());
            if let Err(e) = super::db::attach(db, &live.session, name) {
                self.console.notice(&format!("[--db: {e}]"));
            }
        }
        start_printer(
            live,
            &self.fleet,
            &self.console,
            &self.stop,
            self.hook.clone(),
        )
        .map_err(|e| e.to_string())?;
        Ok(said)
    }

    /// `disconnect NAME` with several servers: closes it and takes it out.
    fn take_out(&self, name: &str) -> Result<String, String> {
        let live = self.fleet.remove(name)?;
        live.session.client().close();
        Ok(format!(
            "disconnected from {} and took it out; {} left, commands go to {}",
            text::display(live.member.name.as_bytes()),
            layout::plural(self.fleet.len() as u64, "server"),
            text::display(self.fleet.current().member.name.as_bytes())
        ))
    }

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
        let session = self.session();
        let parsed = match commands::parse(line) {
            Ok(p) => p,
            Err(e) => {
                self.console.end_command(
                    &session,
                    &error_text(&e.to_string(), self.color, layout::terminal_width()),
                );
                return true;
            }
        };
        if let Some(done) = self.fleet_command(&parsed, columns) {
            let output = done.unwrap_or_else(|e| error_text(&e, self.color, columns));
            self.console.end_command(&session, &output);
            return true;
        }
        if let Some(command) = parsed.dangerous() {
            let what = match &parsed {
                commands::Parsed::Shell(commands::ShellCommand::Delsource { source }) => {
                    format!("{command} for source {}", text::display(source.as_bytes()))
                }
                _ => command.to_string(),
            };
            let to = match &parsed {
                commands::Parsed::Shell(commands::ShellCommand::On { target, .. }) => {
                    match target.eq_ignore_ascii_case("all") {
                        true => format!("every server ({})", self.fleet.len()),
                        false => text::display(target.as_bytes()),
                    }
                }
                _ => session.client().addr().to_string(),
            };
            let question = format!("really send {what} to {to}? [y/N] ");
            if !confirm(&mut self.rl, &question) {
                self.console.end_command(&session, "not sent");
                return true;
            }
        }
        session.interrupted.store(false, Ordering::Release);
        let output = match dispatch::execute(&session, parsed) {
            Ok(Outcome::Quit) => {
                self.console.end_command(&session, "");
                return false;
            }
            Ok(Outcome::Clear) => {
                let _ = self.rl.clear_screen();
                String::new()
            }
            Ok(o) => render::outcome_text_painted(&o, width, session.settings().color),
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
            self.console.end_command(&session, "");
        } else {
            self.console.end_command(&session, &output);
        }
        true
    }
}

/// Runs the interactive shell until `quit` or Ctrl-D; returns the exit status.
///
/// # Errors
/// The terminal cannot be set up or read.
pub fn run(session: Arc<Session>, options: ReplOptions) -> anyhow::Result<i32> {
    run_fleet(Arc::new(Fleet::single(session)), options)
}

/// [`run`] on several servers (or one): see [`super::servers`].
///
/// # Errors
/// As [`run`].
pub fn run_fleet(fleet: Arc<Fleet>, options: ReplOptions) -> anyhow::Result<i32> {
    let session = fleet.session();
    let color = session.settings().color;
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_space(true)
        .history_ignore_dups(true)?
        .max_history_size(2000)?
        .completion_type(CompletionType::List)
        .build();
    let mut rl: Editor<ShellHelper, FileHistory> = Editor::with_config(config)?;
    let names_of = fleet.clone();
    rl.set_helper(Some(ShellHelper::new(
        Box::new(move || {
            let names = names_of.session();
            let servers = (names_of.all().into_iter())
                .map(|l| l.member.name)
                .collect();
            let client = names.client();
            let snap = names.model_if_started().map(|m| m.snapshot());
            let networks = snap.as_ref().map(network_names);
            let (all_networks, networks) = networks.unwrap_or_default();
            let source_channels: Vec<(String, Vec<u32>)> = names
                .model_if_started()
                .map(|m| {
                    (m.sources().into_iter())
                        .map(|s| (text::display(s.name.as_bytes()), s.channels()))
                        .collect()
                })
                .unwrap_or_default();
            Names {
                table: client.table(),
                enabled: client.subscriptions(),
                networks,
                all_networks,
                sources: source_channels.iter().map(|(n, _)| n.clone()).collect(),
                source_channels,
                servers,
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
    // --on-alert: its failures are said above the prompt.
    let hook = match &options.on_alert {
        Some(o) => {
            let console = console.clone();
            let report = move |m: &str| console.notice(&format!("[{m}]"));
            Some(Arc::new(Hook::start(&o.cmd, o.jobs, Box::new(report))?))
        }
        None => None,
    };
    for live in fleet.all() {
        start_printer(live, &fleet, &console, &stop, hook.clone())?;
    }

    // Ctrl-C while a command waits for its reply (the terminal is not in
    // raw mode then, so it is a signal, not a key): stop waiting, stay in
    // the shell. At the prompt, rustyline reads Ctrl-C as a key.
    let interrupt = fleet.clone();
    let on_ctrl_c = move || {
        for live in interrupt.all() {
            live.session.interrupted.store(true, Ordering::Release);
        }
    };
    if let Err(e) = ctrlc::set_handler(on_ctrl_c) {
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
            Some(ex.start_timer(fleet.clone(), report)?)
        }
        None => None,
    };
    let mut repl = Repl {
        fleet: fleet.clone(),
        console: console.clone(),
        stop: stop.clone(),
        hook: hook.clone(),
        rl,
        options,
        color,
        history_warned: false,
    };
    console.begin_command();
    let banners: Vec<String> = (fleet.all().iter())
        .map(|l| {
            let b = banner(&l.session.client());
            let line = match fleet.is_several() {
                true => format!("{}: {b}", text::display(l.member.name.as_bytes())),
                false => b,
            };
            layout::wrap(&line, layout::terminal_width())
        })
        .collect();
    console.end_command(&session, &banners.join("\n"));
    // The lines of a paste after the first, run one after the other.
    let mut queued: VecDeque<String> = VecDeque::new();
    let result = loop {
        let line = match queued.pop_front() {
            Some(line) => {
                // Shown as if typed, so each output follows its command.
                let prompt = match fleet.is_several() {
                    true => fleet.prompt(),
                    false => {
                        let client = fleet.session().client();
                        prompt_text(client.addr(), client.is_connected())
                    }
                };
                console.say(&format!("{prompt}{line}"));
                line
            }
            None => {
                let read = match fleet.is_several() {
                    true => repl.rl.readline(&fleet.prompt()),
                    false => repl.rl.readline(&LivePrompt::new(fleet.session())),
                };
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
                        console.end_command(&fleet.session(), "");
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
    // The last alerts' commands are not cut off.
    if let Some(hook) = hook {
        hook.finish(EXIT_WAIT, &|m| eprintln!("kismet-shell: {m}"));
    }
    // The files once more, with everything collected.
    if let Some(ex) = exports {
        for written in ex.write(fleet.as_ref()) {
            match written {
                Ok(note) => eprintln!("{note}"),
                Err(e) => eprintln!("kismet-shell: --export: {e}"),
            }
        }
    }
    result
}

/// The networks' BSSIDs and SSIDs as completion offers them (sorted, each
/// once; names as they are shown, and typed: sanitised): every network's,
/// for `network`, and those of the networks with clients, for `clients
/// NET` and `watch clients NET` (a probe entry has none).
fn network_names(snap: &kismet_client::Snapshot) -> (Vec<String>, Vec<String>) {
    let names = |with_clients: bool| {
        let mut v: Vec<String> = (snap.networks.iter())
            .filter(|n| !with_clients || n.clients > 0)
            .flat_map(|n| {
                let ssid = n.ssid.as_deref().map(|s| text::display(s.as_bytes()));
                std::iter::once(n.bssid.clone()).chain(ssid)
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    (names(false), names(true))
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
