//! Batch mode: shell commands from `-c` or stdin, output for programs.
//!
//! Each command waits for its reply; the first failure stops the run. With
//! `--follow`, frames of the enabled protocols are then printed until a count,
//! a time limit, the server closing, or the reader of stdout going away.
//! Output is written one buffered write per batch of frames.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;

use super::commands;
use super::outcome::{Outcome, ShellError};
use super::render::{self, Format};
use super::session::Session;
use crate::client::{Error, Event};

/// Exit status: everything succeeded.
pub const EXIT_OK: i32 = 0;
/// Exit status: a command was refused or answered with ERROR.
pub const EXIT_COMMAND: i32 = 1;
/// Exit status: no connection, or it was lost; bad arguments.
pub const EXIT_CONNECTION: i32 = 2;

/// How a batch run behaves.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Output format.
    pub format: Format,
    /// Print frames after the commands.
    pub follow: bool,
    /// Stop following after this many frames.
    pub count: Option<u64>,
    /// Stop following after this long.
    pub timeout: Option<Duration>,
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
    /// Exit with this status (message already printed).
    Exit(i32),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Stop::BrokenPipe
        } else {
            Stop::Exit(EXIT_CONNECTION)
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
    let result = run_commands(session, lines, options, out, err).and_then(|quit| {
        if options.follow && !quit {
            follow(session, options, out, err)
        } else {
            Ok(EXIT_OK)
        }
    });
    let _ = out.flush();
    match result {
        Ok(code) => code,
        Err(Stop::BrokenPipe) => EXIT_OK,
        Err(Stop::Exit(code)) => code,
    }
}

/// Runs each command; true when `quit` was among them.
fn run_commands(
    session: &Session,
    lines: &mut dyn Iterator<Item = io::Result<String>>,
    options: &BatchOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<bool, Stop> {
    for line in lines {
        let line = line.map_err(|e| {
            let _ = writeln!(err, "kismet-shell: reading commands: {e}");
            Stop::Exit(EXIT_CONNECTION)
        })?;
        let outcome = commands::parse(&line).and_then(|p| commands::execute(session, p));
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                // The server's ERROR line is output too.
                if let ShellError::Client(Error::Server(reply)) = &e {
                    print_outcome(&Outcome::Reply((**reply).clone()), options.format, out)?;
                    out.flush()?;
                }
                let _ = writeln!(err, "kismet-shell: {e}");
                return Err(Stop::Exit(exit_code(&e)));
            }
        };
        print_outcome(&outcome, options.format, out)?;
        out.flush()?;
        if outcome == Outcome::Quit {
            return Ok(true);
        }
    }
    Ok(false)
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

fn print_outcome(o: &Outcome, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match (format, o) {
        (Format::Json, o) => {
            if let Some(j) = render::outcome_json(o) {
                writeln!(out, "{j}")?;
            }
        }
        (Format::Raw, Outcome::Reply(r)) => {
            out.write_all(&r.raw)?;
            out.write_all(b"\n")?;
        }
        (_, o) => {
            let t = render::outcome_text(o);
            if !t.is_empty() {
                writeln!(out, "{t}")?;
            }
        }
    }
    Ok(())
}

/// Prints frames of the enabled protocols until told to stop.
fn follow(
    session: &Session,
    options: &BatchOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Stop> {
    let client = &session.client;
    // A handful of names: a linear byte comparison beats hashing per frame.
    let enabled: Vec<String> = client.subscriptions().into_iter().map(|(p, _)| p).collect();
    if enabled.is_empty() {
        let _ = writeln!(
            err,
            "kismet-shell: --follow: no protocol is enabled (e.g. -c 'enable SSID ssid,mac')"
        );
        return Err(Stop::Exit(EXIT_COMMAND));
    }
    let deadline = options.timeout.map(|t| Instant::now() + t);
    let mut printed: u64 = 0;
    let mut buf = String::with_capacity(64 * 1024);
    let mut bytes: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut json = render::FrameJson::new();
    loop {
        let wait = match deadline {
            Some(d) => d.saturating_duration_since(Instant::now()),
            None => Duration::from_secs(3600),
        };
        let event = match client.events().recv_timeout(wait) {
            Ok(e) => e,
            Err(RecvTimeoutError::Timeout) if deadline.is_some() => return Ok(EXIT_OK),
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => {
                let _ = writeln!(err, "kismet-shell: connection lost");
                return Err(Stop::Exit(EXIT_CONNECTION));
            }
        };
        match event {
            Event::Frames(frames) => {
                buf.clear();
                bytes.clear();
                for f in &frames {
                    if options.count.is_some_and(|c| printed >= c) {
                        break;
                    }
                    if !enabled.iter().any(|p| p.as_bytes() == f.protocol_bytes()) {
                        continue;
                    }
                    printed += 1;
                    match options.format {
                        Format::Text => {
                            render::frame_text(&mut buf, f);
                            buf.push('\n');
                        }
                        Format::Json => {
                            json.write(&mut bytes, f);
                            bytes.push(b'\n');
                        }
                        Format::Raw => {
                            bytes.extend_from_slice(f.raw());
                            bytes.push(b'\n');
                        }
                    }
                }
                out.write_all(buf.as_bytes())?;
                out.write_all(&bytes)?;
                out.flush()?;
                if options.count.is_some_and(|c| printed >= c) {
                    return Ok(EXIT_OK);
                }
            }
            Event::Dropped { counts } => {
                for (proto, n) in counts {
                    match options.format {
                        Format::Json => {
                            let mut s = String::from("{\"type\":\"dropped\",\"protocol\":");
                            crate::protocol::text::json_string(&mut s, proto.as_bytes());
                            writeln!(out, "{s},\"count\":{n}}}")?;
                        }
                        Format::Text => writeln!(out, "[{n} {proto} frames dropped]")?,
                        Format::Raw => {
                            let _ = writeln!(err, "kismet-shell: [{n} {proto} frames dropped]");
                        }
                    }
                }
            }
            Event::Disconnected { reason } => {
                let _ = writeln!(err, "kismet-shell: {reason}");
                if client.will_reconnect() {
                    continue;
                }
                let code = if reason.is_terminated() {
                    EXIT_OK
                } else {
                    EXIT_CONNECTION
                };
                return Err(Stop::Exit(code));
            }
            Event::Reconnecting { attempt, delay, .. } => {
                let _ = writeln!(
                    err,
                    "kismet-shell: reconnecting in {:.1} s (attempt {attempt})",
                    delay.as_secs_f64()
                );
            }
            Event::ReconnectFailed { error, .. } => {
                let _ = writeln!(err, "kismet-shell: reconnect failed: {error}");
            }
            Event::Reconnected { .. } => {
                let _ = writeln!(err, "kismet-shell: reconnected to {}", client.addr());
            }
        }
    }
}
