//! Batch mode: shell commands from `-c` or stdin, output for programs.
//!
//! Each command waits for its reply; the first failure stops the run
//! (`--keep-going` runs the rest). With `--follow`, frames of the enabled
//! protocols are then printed until a count, a time limit, the server
//! closing, or the reader of stdout going away. Output is written one
//! buffered write per batch of frames. When the last command is
//! `networks`, `clients` or `stations`, `--follow` prints instead a line
//! per device new or changed since it was printed (see
//! [`super::changes`]), with the same ways to stop.
//!
//! Errors go to stderr once, as `kismet-shell: <message>`; stdout carries
//! only results, frames and (in text and JSON) the connection's notices, so
//! a consumer sees where a gap in the stream is.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;

use super::changes;
use super::commands;
use super::dispatch;
use super::display::DisplayRules;
use super::outcome::{without_os_codes, Outcome, ShellError};
use super::render::{self, Format};
use super::session::Session;
use kismet_client::{Event, ReplyKind};
use kismet_protocol::Frame;

/// Exit status: everything succeeded.
pub const EXIT_OK: i32 = 0;
/// Exit status: a command was refused or answered with ERROR.
pub const EXIT_COMMAND: i32 = 1;
/// Exit status: no connection, or it was lost; bad arguments.
pub const EXIT_CONNECTION: i32 = 2;

/// How long, after SHUTDOWN is answered, the lines that follow are shown
/// while waiting for the server to close (a real server closes after ~2 s).
const SHUTDOWN_DRAIN: Duration = Duration::from_secs(10);

/// How a batch run behaves.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Output format.
    pub format: Format,
    /// Print frames after the commands.
    pub follow: bool,
    /// The client waits for the output instead of dropping frames.
    pub lossless: bool,
    /// Print no acknowledgements or notices (errors still go to stderr).
    pub quiet: bool,
    /// Let the live model collect this long before the first command.
    pub wait: Option<Duration>,
    /// Stop following after this many frames.
    pub count: Option<u64>,
    /// Stop following after this long.
    pub timeout: Option<Duration>,
    /// Run every command even after one fails.
    pub keep_going: bool,
    /// Width to wrap text and tables to (`None`: no wrapping, for a pipe).
    pub width: Option<usize>,
}

/// Where batch output goes.
pub struct Output<'a> {
    /// Results and frames.
    pub out: &'a mut dyn Write,
    /// Errors and notices (`kismet-shell: ...`).
    pub err: &'a mut dyn Write,
}

/// Why a run stopped early.
enum Stop {
    /// The reader of stdout went away: end quietly, status 0.
    BrokenPipe,
    /// The output could not be written (a full disk, say): said once, at
    /// the end, status 2.
    Output(io::Error),
    /// Exit with this status (message already printed).
    Exit(i32),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Stop::BrokenPipe
        } else {
            Stop::Output(e)
        }
    }
}

/// Runs the commands (then follows, if asked); returns the exit status.
pub fn run(
    session: &Session,
    lines: &mut dyn Iterator<Item = io::Result<String>>,
    options: &BatchOptions,
    output: Output<'_>,
) -> i32 {
    let Output { out, err } = output;
    let mut printer = Printer::new(options);
    if let Some(wait) = options.wait {
        if let Err(e) = collect(session, wait, options.follow) {
            let _ = writeln!(err, "kismet-shell: --wait: {e}");
            return exit_code(&e);
        }
    }
    let result = run_commands(session, lines, options, &mut printer, out, err).and_then(|ran| {
        if !options.follow || ran.quit {
            return Ok(ran.code);
        }
        let followed = match ran.listing {
            Some(listing) => follow_listing(session, listing, options, &mut printer, out, err)?,
            None => follow(session, options, &mut printer, out, err)?,
        };
        Ok(ran.code.max(followed))
    });
    // What is still buffered goes out now; failing that is failing too.
    let result = result.and_then(|code| out.flush().map(|()| code).map_err(Stop::from));
    match result {
        Ok(code) => code,
        Err(Stop::BrokenPipe) => EXIT_OK,
        Err(Stop::Output(e)) => {
            let _ = writeln!(
                err,
                "kismet-shell: writing the output: {}",
                without_os_codes(&e.to_string())
            );
            EXIT_CONNECTION
        }
        Err(Stop::Exit(code)) => code,
    }
}

/// `--wait`: starts the live model and lets it read for `wait`. The
/// events that come meanwhile are taken off the channel (so that a
/// lossless client keeps reading) and dropped, unless `--follow` will
/// print them.
pub fn collect(session: &Session, wait: Duration, follow: bool) -> Result<(), ShellError> {
    super::handlers::start_model(session)?;
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        if follow {
            std::thread::sleep(left.min(Duration::from_millis(100)));
            continue;
        }
        let _ = session.client().events().recv_timeout(left);
    }
}

/// `--export FILE`, `--db FILE` or `--on-alert CMD` without commands:
/// lets the live model (when `model`: for the files) collect until
/// `timeout` (if any), the server ends the connection (the end of a
/// replay), or Ctrl-C ([`Session::interrupted`]); the exit status: 0,
/// or 2 when the connection was lost (the files are written either
/// way, by the caller). Events are taken off the channel meanwhile, so
/// a lossless client keeps reading.
pub fn collect_until_end(
    session: &Session,
    model: bool,
    timeout: Option<Duration>,
    err: &mut dyn Write,
) -> i32 {
    use std::sync::atomic::Ordering;
    if let Err(e) = model
        .then(|| super::handlers::start_model(session))
        .transpose()
    {
        let _ = writeln!(err, "kismet-shell: --export: {e}");
        return exit_code(&e);
    }
    let deadline = timeout.map(|t| Instant::now() + t);
    let client = session.client();
    loop {
        if session.interrupted.load(Ordering::Acquire) {
            return EXIT_OK;
        }
        let left = match deadline {
            Some(d) => d.saturating_duration_since(Instant::now()),
            None => INTERRUPT_POLL,
        };
        if left.is_zero() {
            return EXIT_OK;
        }
        match client.events().recv_timeout(left.min(INTERRUPT_POLL)) {
            Ok(Event::Disconnected { reason }) if !client.will_reconnect() => {
                if reason.is_terminated() {
                    // The server stopped (a replay ends so).
                    return EXIT_OK;
                }
                let _ = writeln!(err, "kismet-shell: {}: {reason}", client.addr());
                return EXIT_CONNECTION;
            }
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return EXIT_OK,
        }
    }
}

/// How often a wait looks at Ctrl-C.
const INTERRUPT_POLL: Duration = Duration::from_millis(100);

/// What running the commands came to.
struct Ran {
    /// The exit status so far.
    code: i32,
    /// `quit` was among them.
    quit: bool,
    /// The last command, when it was a listing (`networks`, `clients`,
    /// `stations`) that succeeded: the command and what it printed.
    listing: Option<(commands::ShellCommand, Outcome)>,
}

/// Runs each command.
fn run_commands(
    session: &Session,
    lines: &mut dyn Iterator<Item = io::Result<String>>,
    options: &BatchOptions,
    printer: &mut Printer,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Ran, Stop> {
    let mut code = EXIT_OK;
    let mut last_listing = None;
    for line in lines {
        let line = line.map_err(|e| {
            let _ = writeln!(
                err,
                "kismet-shell: reading commands: {}",
                without_os_codes(&e.to_string())
            );
            Stop::Exit(EXIT_CONNECTION)
        })?;
        let parsed = commands::parse(&line);
        let query = parsed.as_ref().is_ok_and(is_query);
        // A blank line or a comment leaves the last command the last.
        if !matches!(parsed, Ok(commands::Parsed::Empty)) {
            last_listing = None;
        }
        let listing = match &parsed {
            Ok(commands::Parsed::Shell(
                c @ (commands::ShellCommand::Networks { .. }
                | commands::ShellCommand::Clients { .. }
                | commands::ShellCommand::Stations { .. }),
            )) => Some(c.clone()),
            _ => None,
        };
        let outcome = parsed.and_then(|p| dispatch::execute(session, p));
        // In raw format the lines that came before a reply (the burst
        // before an ENABLE's ACK) are written before it: wire order.
        if options.format == Format::Raw && options.follow {
            printer.drain_queued(session, out, err)?;
        }
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                let _ = writeln!(err, "kismet-shell: {e}");
                code = code.max(exit_code(&e));
                if options.keep_going {
                    continue;
                }
                return Err(Stop::Exit(code));
            }
        };
        print_outcome(&outcome, query, options, out, err)?;
        out.flush()?;
        if let Some(command) = listing {
            last_listing = Some((command, outcome.clone()));
        }
        match &outcome {
            Outcome::Quit => {
                return Ok(Ran {
                    code,
                    quit: true,
                    listing: None,
                })
            }
            // SHUTDOWN was answered: show what the server still sends until
            // it closes.
            Outcome::Reply(r) if r.kind == ReplyKind::Terminate => {
                printer.until_disconnected(session, out, err)?;
            }
            _ => {}
        }
    }
    Ok(Ran {
        code,
        quit: false,
        listing: last_listing,
    })
}

/// The exit status for a failed command: 2 for the connection's failures,
/// 1 for the command's.
fn exit_code(e: &ShellError) -> i32 {
    if e.is_connection() {
        EXIT_CONNECTION
    } else {
        EXIT_COMMAND
    }
}

/// True for an outcome that only acknowledges a command (an ACK, a
/// changed rule, a pause, a connection): in batch mode it goes to stderr,
/// or nowhere with `--quiet`, so that stdout holds results alone. A `filter`
/// that asks (no expression) gets the rules as its result.
fn is_notice(o: &Outcome, query: bool) -> bool {
    match o {
        Outcome::Reply(r) => r.data.is_empty(),
        Outcome::Rules(_) => !query,
        Outcome::Paused
        | Outcome::Resumed { .. }
        | Outcome::Connected { .. }
        | Outcome::Disconnected { .. }
        | Outcome::Note(_) => true,
        _ => false,
    }
}

/// True for a command that asks rather than changes (its outcome is a
/// result even where the same outcome acknowledges a change).
fn is_query(parsed: &commands::Parsed) -> bool {
    matches!(
        parsed,
        commands::Parsed::Shell(commands::ShellCommand::Filter { expr: None, .. })
    )
}

/// Writes notice lines to stderr, each as `kismet-shell: LINE`.
fn notice(err: &mut dyn Write, text: &str) {
    for line in text.lines() {
        let _ = writeln!(err, "kismet-shell: {line}");
    }
}

fn print_outcome(
    o: &Outcome,
    query: bool,
    options: &BatchOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    let is_notice = is_notice(o, query);
    match (options.format, o) {
        (Format::Json, o) => {
            if is_notice && options.quiet {
                return Ok(());
            }
            if let Some(j) = render::outcome_json(o) {
                writeln!(out, "{j}")?;
            }
        }
        (Format::Raw, Outcome::Reply(r)) => {
            for f in &r.data {
                out.write_all(f.raw())?;
                out.write_all(b"\n")?;
            }
            if !options.quiet {
                out.write_all(&r.raw)?;
                out.write_all(b"\n")?;
            }
        }
        // A reply's data (a CAPABILITY answer) is the result; its own
        // `ok` line a notice.
        (_, Outcome::Reply(r)) => {
            if let Some(data) = render::reply::reply_data_text(r) {
                writeln!(out, "{data}")?;
            }
            if !options.quiet {
                notice(err, &render::reply::reply_status_text(r));
            }
        }
        (_, o) if is_notice => {
            if !options.quiet {
                notice(err, &render::outcome_text(o, None));
            }
        }
        // Raw holds the server's lines: a table of the shell's own is
        // shown as text, and said to be.
        (Format::Raw, o) => {
            let t = render::outcome_text(o, options.width);
            if !t.is_empty() {
                writeln!(out, "{t}")?;
                if !options.quiet {
                    notice(
                        err,
                        "--format raw is for the server's lines: this result is shown as text",
                    );
                }
            }
        }
        (Format::Csv, o) if render::outcome_csv(o).is_some() => {
            if let Some(c) = render::outcome_csv(o) {
                out.write_all(c.as_bytes())?;
            }
        }
        (_, o) => {
            let t = render::outcome_text(o, options.width);
            if !t.is_empty() {
                writeln!(out, "{t}")?;
            }
        }
    }
    Ok(())
}

/// What an event means for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// Go on.
    Continue,
    /// The connection ended for good.
    Ended(i32),
    /// `--count` frames were printed.
    CountReached,
}

/// Writes frames and connection notices in the chosen format, counting the
/// frames printed.
struct Printer {
    format: Format,
    count: Option<u64>,
    printed: u64,
    text: String,
    bytes: Vec<u8>,
    lines: render::frame::TextLines,
    json: render::FrameJson,
    /// The exit status the connection's end called for, once it ended.
    ended: Option<i32>,
    /// The protocol and field list of the last CSV frame row.
    csv_layout: Option<(String, Option<std::sync::Arc<[String]>>)>,
    /// The client waits for the output (no hint about --lossless).
    lossless: bool,
    /// The first drop's hint about --lossless was given.
    hinted: bool,
}

impl Printer {
    fn new(options: &BatchOptions) -> Printer {
        Printer {
            format: options.format,
            count: options.count,
            printed: 0,
            text: String::with_capacity(64 * 1024),
            bytes: Vec::with_capacity(64 * 1024),
            lines: render::frame::TextLines::with(false, true),
            json: render::FrameJson::with(false, true),
            ended: None,
            csv_layout: None,
            lossless: options.lossless,
            hinted: false,
        }
    }

    fn count_reached(&self) -> bool {
        self.count.is_some_and(|c| self.printed >= c)
    }

    /// One frame as a CSV row, after a header row when its protocol or
    /// field list differs from the last frame's.
    fn csv_frame(&mut self, f: &Frame) {
        let layout = (f.protocol().to_string(), f.names_arc().cloned());
        if self.csv_layout.as_ref() != Some(&layout) {
            let mut header = vec!["protocol".to_string()];
            if self.lines.timestamps {
                header.insert(0, "time".to_string());
            }
            header.extend(f.named_fields().map(|(n, _)| n.into_owned()));
            render::csv::row(&mut self.text, &header);
            self.csv_layout = Some(layout);
        }
        let mut cells = vec![f.protocol().to_string()];
        if self.lines.timestamps {
            cells.insert(
                0,
                f.received_ms()
                    .map_or(String::new(), render::time::rfc3339_ms),
            );
        }
        cells.extend(
            f.named_fields()
                .map(|(n, v)| render::frame::field_value(f.protocol(), &n, v)),
        );
        render::csv::row(&mut self.text, &cells);
    }

    /// Follows the session's settings (`set timestamps on`).
    fn configure(&mut self, session: &Session) {
        let settings = session.settings();
        if self.lines.timestamps != settings.timestamps || self.lines.decode != settings.decode {
            self.lines = render::frame::TextLines::with(settings.timestamps, settings.decode);
            self.json = render::FrameJson::with(settings.timestamps, settings.decode);
        }
    }

    /// Prints the frames the display rules pass, up to the count (the
    /// client hands over only the enabled protocols' frames, with the
    /// fields enabled).
    fn frames(
        &mut self,
        frames: &[Frame],
        rules: &mut DisplayRules,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        self.text.clear();
        self.bytes.clear();
        for f in frames {
            if self.count_reached() {
                break;
            }
            if !rules.pass(f) {
                continue;
            }
            self.printed += 1;
            match self.format {
                Format::Text => {
                    self.lines.write(&mut self.text, f);
                    self.text.push('\n');
                }
                Format::Json => {
                    self.json.write(&mut self.bytes, f);
                    self.bytes.push(b'\n');
                }
                Format::Raw => {
                    self.bytes.extend_from_slice(f.raw());
                    self.bytes.push(b'\n');
                }
                Format::Csv => self.csv_frame(f),
            }
        }
        out.write_all(self.text.as_bytes())?;
        out.write_all(&self.bytes)?;
        out.flush()
    }

    /// Handles one event: frames printed, notices written (stdout in text
    /// and JSON, so the gap shows in the stream; stderr in raw, which holds
    /// only the server's lines), and whether the run goes on.
    fn event(
        &mut self,
        event: Event,
        session: &Session,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<Flow, Stop> {
        let client = session.client();
        if let Event::Frames(frames) = &event {
            self.configure(session);
            self.frames(frames, &mut session.display(), out)?;
            return Ok(if self.count_reached() {
                Flow::CountReached
            } else {
                Flow::Continue
            });
        }
        let ended = match &event {
            Event::Disconnected { reason } if !client.will_reconnect() => Some(reason),
            _ => None,
        };
        if matches!(event, Event::Dropped { .. }) && !self.lossless && !self.hinted {
            self.hinted = true;
            let _ = writeln!(
                err,
                "kismet-shell: frames dropped: the output fell behind the server \
                 (--lossless waits for it instead)"
            );
        }
        match (self.format, ended) {
            (Format::Json, _) => {
                for j in render::event_json(&event, client.addr()) {
                    writeln!(out, "{j}")?;
                }
            }
            (Format::Text, None) => {
                for n in render::event_notices(&event, client.addr()) {
                    writeln!(out, "{n}")?;
                }
            }
            // CSV holds one table: its notices go beside it.
            (Format::Raw | Format::Csv, None) => {
                for n in render::event_notices(&event, client.addr()) {
                    let _ = writeln!(err, "kismet-shell: {n}");
                }
            }
            (_, Some(_)) => {}
        }
        out.flush()?;
        Ok(match ended {
            // The end: its reason is the error message, once, on stderr;
            // a server that said TERMINATE ended the run normally.
            Some(reason) => {
                let _ = writeln!(err, "kismet-shell: {reason}");
                let code = if reason.is_terminated() {
                    EXIT_OK
                } else {
                    EXIT_CONNECTION
                };
                self.ended = Some(code);
                Flow::Ended(code)
            }
            None => Flow::Continue,
        })
    }

    /// Handles the events already queued, without waiting.
    fn drain_queued(
        &mut self,
        session: &Session,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<(), Stop> {
        while let Ok(event) = session.client().events().try_recv() {
            if let Flow::Ended(code) = self.event(event, session, out, err)? {
                return Err(Stop::Exit(code));
            }
        }
        Ok(())
    }

    /// After SHUTDOWN: shows what comes until the connection ends (bounded).
    fn until_disconnected(
        &mut self,
        session: &Session,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<(), Stop> {
        let deadline = Instant::now() + SHUTDOWN_DRAIN;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = match session.client().events().recv_timeout(left) {
                Ok(e) => e,
                Err(_) => return Ok(()),
            };
            let last = matches!(event, Event::Disconnected { .. });
            match self.event(event, session, out, err)? {
                Flow::Ended(_) => return Ok(()),
                _ if last => return Ok(()),
                _ => {}
            }
        }
    }
}

/// Prints frames of the enabled protocols until told to stop.
fn follow(
    session: &Session,
    options: &BatchOptions,
    printer: &mut Printer,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Stop> {
    let client = session.client();
    if session.client().subscriptions().is_empty() {
        let _ = writeln!(
            err,
            "kismet-shell: --follow: no protocol is enabled (e.g. -c 'enable SSID ssid,mac')"
        );
        return Err(Stop::Exit(EXIT_COMMAND));
    }
    if printer.count_reached() {
        return Ok(EXIT_OK);
    }
    let subscribed = client.subscriptions();
    if options.format == Format::Csv && subscribed.len() > 1 {
        let names: Vec<&str> = subscribed.iter().map(|(p, _)| p.as_str()).collect();
        let _ = writeln!(
            err,
            "kismet-shell: --format csv --follow writes one table, of one protocol; \
             enabled: {} (remove the others, or use --format json)",
            names.join(", ")
        );
        return Err(Stop::Exit(EXIT_COMMAND));
    }
    let deadline = options.timeout.map(|t| Instant::now() + t);
    loop {
        // Ctrl-C, when it is caught (with --export): the files are
        // written on the way out.
        if session
            .interrupted
            .load(std::sync::atomic::Ordering::Acquire)
        {
            return Ok(EXIT_OK);
        }
        let wait = match deadline {
            Some(d) => d.saturating_duration_since(Instant::now()),
            None => INTERRUPT_POLL,
        };
        let event = match client.events().recv_timeout(wait.min(INTERRUPT_POLL)) {
            Ok(e) => e,
            Err(RecvTimeoutError::Timeout) => match deadline {
                Some(d) if Instant::now() >= d => return Ok(EXIT_OK),
                _ => continue,
            },
            Err(RecvTimeoutError::Disconnected) => {
                // The reader thread is gone: its end was handled already
                // (after a SHUTDOWN), or it went without a word.
                return match printer.ended {
                    Some(code) => Ok(code),
                    None => {
                        let _ = writeln!(err, "kismet-shell: connection lost");
                        Err(Stop::Exit(EXIT_CONNECTION))
                    }
                };
            }
        };
        match printer.event(event, session, out, err)? {
            Flow::Continue => {}
            Flow::CountReached => return Ok(EXIT_OK),
            Flow::Ended(code) => return Ok(code),
        }
    }
}

/// `--follow` after a listing (`networks`, `clients`, `stations`): makes
/// the listing again every [`changes::POLL`] and prints a line per device
/// new or changed since it was printed (see [`super::changes`]), until
/// `--count` lines, `--timeout`, the connection's end (after one last
/// look), Ctrl-C, or the reader of stdout going away. The connection's
/// notices are printed as when following frames; frames of enabled
/// protocols are not (the live model reads what it needs itself).
fn follow_listing(
    session: &Session,
    (command, listed): (commands::ShellCommand, Outcome),
    options: &BatchOptions,
    printer: &mut Printer,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Stop> {
    let mut follow = Listed {
        command,
        changes: changes::Changes::new(),
        format: options.format,
        left: options.count,
    };
    follow.changes.printed(&listed);
    if follow.left == Some(0) {
        return Ok(EXIT_OK);
    }
    let client = session.client();
    let deadline = options.timeout.map(|t| Instant::now() + t);
    let mut next_look = Instant::now() + changes::POLL;
    loop {
        if session
            .interrupted
            .load(std::sync::atomic::Ordering::Acquire)
        {
            return Ok(EXIT_OK);
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            return Ok(EXIT_OK);
        }
        if now >= next_look {
            next_look = now + changes::POLL;
            if follow.look(session, out, err)? == Flow::CountReached {
                return Ok(EXIT_OK);
            }
        }
        let mut wait = next_look.saturating_duration_since(now).min(INTERRUPT_POLL);
        if let Some(d) = deadline {
            wait = wait.min(d.saturating_duration_since(now));
        }
        match client.events().recv_timeout(wait) {
            Ok(Event::Frames(_)) | Err(RecvTimeoutError::Timeout) => {}
            Ok(event) => {
                if let Flow::Ended(code) = printer.event(event, session, out, err)? {
                    // What came just before the end is shown too.
                    follow.look(session, out, err)?;
                    return Ok(code);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                follow.look(session, out, err)?;
                return match printer.ended {
                    Some(code) => Ok(code),
                    None => {
                        let _ = writeln!(err, "kismet-shell: connection lost");
                        Err(Stop::Exit(EXIT_CONNECTION))
                    }
                };
            }
        }
    }
}

/// A listing being followed: the command made again, what was printed
/// of its devices, and how many lines `--count` still allows.
struct Listed {
    command: commands::ShellCommand,
    changes: changes::Changes,
    format: Format,
    left: Option<u64>,
}

impl Listed {
    /// Makes the listing again and prints its devices that are new or
    /// changed (as many as `--count` still allows).
    fn look(
        &mut self,
        session: &Session,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<Flow, Stop> {
        let listing = super::handlers::Listing::live_command(session, self.command.clone())
            .map_err(|e| {
                let _ = writeln!(err, "kismet-shell: --follow: {e}");
                Stop::Exit(exit_code(&e))
            })?;
        let mut text = String::new();
        for i in self.changes.changed(&listing) {
            if self.left == Some(0) {
                break;
            }
            if let Some(line) = changes::line(&listing, i, self.format) {
                text.push_str(&line);
                text.push('\n');
                self.left = self.left.map(|n| n - 1);
            }
        }
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(if self.left == Some(0) {
            Flow::CountReached
        } else {
            Flow::Continue
        })
    }
}
