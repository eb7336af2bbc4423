//! The ONE table of shell commands, and their execution.
//!
//! Dispatch, `help`, hints and tab completion all read [`COMMANDS`] (and
//! [`SERVER_COMMANDS`] for raw `!CMD` lines), so a command added here is
//! everywhere at once. Execution returns an [`Outcome`], data that the
//! interactive shell and batch mode each render in their own way.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::client::{Client, Reply, WaitError};
use crate::protocol::Command;

/// What a command's argument is, for completion and hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A protocol name from the capability table.
    Protocol,
    /// A comma list of that protocol's fields, or `*`.
    FieldList,
    /// A shell command name (for `help`).
    ShellCommand,
    /// Free text.
    Text,
}

/// One shell command.
#[derive(Debug, PartialEq, Eq)]
pub struct CommandSpec {
    /// The name typed.
    pub name: &'static str,
    /// Other names for it.
    pub aliases: &'static [&'static str],
    /// Argument syntax, shown as a hint and in help.
    pub usage: &'static str,
    /// The arguments' kinds, in order, for completion.
    pub args: &'static [ArgKind],
    /// One line for `help`.
    pub summary: &'static str,
    /// Longer help text.
    pub details: &'static str,
    /// Examples for `help COMMAND`.
    pub examples: &'static [&'static str],
}

/// Every shell command. Raw server commands start with `!` (see
/// [`SERVER_COMMANDS`]).
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "protocols",
        aliases: &[],
        usage: "",
        args: &[],
        summary: "list the server's protocols, their fields and what is enabled",
        details: "One row per protocol the server offers: its field count, the fields \
                  this session enabled (or -) and how many of its frames arrived.",
        examples: &["protocols"],
    },
    CommandSpec {
        name: "fields",
        aliases: &[],
        usage: "PROTO",
        args: &[ArgKind::Protocol],
        summary: "list a protocol's fields in order, marking the enabled ones",
        details: "Field names come from the server's CAPABILITY answer.",
        examples: &["fields GPS", "fields client"],
    },
    CommandSpec {
        name: "enable",
        aliases: &[],
        usage: "PROTO f1,f2,...|*",
        args: &[ArgKind::Protocol, ArgKind::FieldList],
        summary: "receive a protocol's frames with the fields listed (* = all)",
        details: "Names are checked against the capability table before anything is \
                  sent. Fields come back in the order asked; enabling a protocol again \
                  replaces its field list. The server first sends every record it \
                  already holds, then its answer, then live updates.",
        examples: &[
            "enable SSID ssid,mac",
            "enable GPS lat,lon,alt",
            "enable CLIENT *",
        ],
    },
    CommandSpec {
        name: "remove",
        aliases: &["disable"],
        usage: "PROTO",
        args: &[ArgKind::Protocol],
        summary: "stop receiving a protocol",
        details: "Works for the always-on ones too (TIME, for example).",
        examples: &["remove SSID", "remove TIME"],
    },
    CommandSpec {
        name: "status",
        aliases: &[],
        usage: "",
        args: &[],
        summary: "server, connection, frame rates and drop counters",
        details: "Server name and address, its start time and clock, how long this \
                  connection has been up, frames per second per protocol, frames \
                  dropped because output fell behind, and commands awaiting a reply.",
        examples: &["status"],
    },
    CommandSpec {
        name: "pause",
        aliases: &[],
        usage: "",
        args: &[],
        summary: "hold the scrolling frames (they are still counted)",
        details: "Frames that arrive while paused are counted, not shown.",
        examples: &["pause"],
    },
    CommandSpec {
        name: "resume",
        aliases: &[],
        usage: "",
        args: &[],
        summary: "show frames again after pause",
        details: "",
        examples: &["resume"],
    },
    CommandSpec {
        name: "help",
        aliases: &["?"],
        usage: "[COMMAND]",
        args: &[ArgKind::ShellCommand],
        summary: "list commands, or explain one",
        details: "Raw server commands are typed with a leading '!': `help !` lists them.",
        examples: &["help", "help enable", "help !"],
    },
    CommandSpec {
        name: "quit",
        aliases: &["exit"],
        usage: "",
        args: &[],
        summary: "leave the shell (Ctrl-D does too)",
        details: "",
        examples: &["quit"],
    },
];

/// A command the legacy server understands, for `!CMD` completion and hints.
#[derive(Debug)]
pub struct ServerCommand {
    /// Command name, upper case.
    pub name: &'static str,
    /// Argument syntax.
    pub usage: &'static str,
    /// Kinds of the first arguments, for completion.
    pub args: &'static [ArgKind],
    /// Asks for confirmation in the interactive shell.
    pub dangerous: bool,
}

/// The server's commands (it never lists them; these are the legacy server's).
pub static SERVER_COMMANDS: &[ServerCommand] = &[
    sc("CAPABILITY", "PROTO", &[ArgKind::Protocol], false),
    sc(
        "ENABLE",
        "PROTO f1,f2,...|*",
        &[ArgKind::Protocol, ArgKind::FieldList],
        false,
    ),
    sc("REMOVE", "PROTO", &[ArgKind::Protocol], false),
    sc("SHUTDOWN", "", &[], true),
    sc("ADDSOURCE", "iface:name=X,opt=v,...", &[], false),
    sc("DELSOURCE", "UUID", &[], true),
    sc("RESTARTSOURCE", "UUID", &[], false),
    sc(
        "HOPSOURCE",
        "UUID LOCK CHAN | UUID HOP RATE | UUID DWELL SECS",
        &[],
        false,
    ),
    sc("CHANSOURCE", "UUID ch[:weight],...", &[], false),
    sc("ADDNETTAG", "BSSID PERSIST TAG VALUE...", &[], false),
    sc("DELNETTAG", "BSSID TAG", &[], false),
    sc("ADDCLITAG", "BSSID MAC PERSIST TAG VALUE...", &[], false),
    sc("DELCLITAG", "BSSID MAC TAG", &[], false),
    sc("ADDTRACKERFILTER", "SPEC", &[], false),
    sc("ADDNETCLIFILTER", "SPEC", &[], false),
    sc("ADDSTRINGSFILTER", "SPEC", &[], false),
    sc("LISTWEPKEYS", "", &[], false),
    sc("ADDWEPKEY", "BSSID,HEXKEY", &[], false),
    sc("DELWEPKEY", "BSSID", &[], false),
    sc("STRINGS", "0|1", &[], false),
];

const fn sc(
    name: &'static str,
    usage: &'static str,
    args: &'static [ArgKind],
    dangerous: bool,
) -> ServerCommand {
    ServerCommand {
        name,
        usage,
        args,
        dangerous,
    }
}

/// The shell command called `name` (or one of its aliases), any case.
pub fn find(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| {
        c.name.eq_ignore_ascii_case(name) || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// The server command called `name`, any case.
pub fn find_server(name: &str) -> Option<&'static ServerCommand> {
    SERVER_COMMANDS
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
}

/// A shell command, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A blank line or a `#` comment.
    Empty,
    /// A shell command and its words.
    Shell(&'static CommandSpec, Vec<String>),
    /// `!CMD args`: a raw server command.
    Raw(Command),
}

/// Why a command did not succeed; the kind decides batch mode's exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandFailure {
    /// Refused before sending (bad name, bad argument): exit 1.
    Refused(String),
    /// The server answered ERROR, or did not answer: exit 1.
    Server(String),
    /// Not connected, or the connection was lost: exit 2.
    Connection(String),
}

impl std::fmt::Display for CommandFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommandFailure::Refused(m)
            | CommandFailure::Server(m)
            | CommandFailure::Connection(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CommandFailure {}

/// Parses a line typed by the user.
///
/// # Errors
/// [`CommandFailure::Refused`] for an unknown command, wrong argument count
/// or an argument the protocol cannot carry.
pub fn parse(line: &str) -> Result<Parsed, CommandFailure> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(Parsed::Empty);
    }
    if let Some(raw) = line.strip_prefix('!') {
        let words = shell_words(raw)?;
        let Some((name, args)) = words.split_first() else {
            return Err(CommandFailure::Refused(
                "a raw command needs a name after '!' (help ! lists them)".into(),
            ));
        };
        let cmd = Command::new(name, args.to_vec());
        cmd.validate()
            .map_err(|e| CommandFailure::Refused(e.to_string()))?;
        return Ok(Parsed::Raw(cmd));
    }
    let words = shell_words(line)?;
    let Some((name, args)) = words.split_first() else {
        return Ok(Parsed::Empty);
    };
    let spec = find(name).ok_or_else(|| {
        let names = COMMANDS.iter().map(|c| c.name);
        let near = crate::protocol::capability::nearest(name, names);
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {}?)", near.join(", "))
        };
        CommandFailure::Refused(format!("unknown command {name:?}{hint}; try help"))
    })?;
    let optional = spec.usage.starts_with('[');
    let max = spec.args.len();
    let min = if optional { 0 } else { max };
    if args.len() < min || args.len() > max {
        return Err(CommandFailure::Refused(format!(
            "usage: {} {}",
            spec.name, spec.usage
        )));
    }
    Ok(Parsed::Shell(spec, args.to_vec()))
}

/// Splits a typed line into words: spaces separate, "double quotes" group.
fn shell_words(line: &str) -> Result<Vec<String>, CommandFailure> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err(CommandFailure::Refused("unterminated \" quote".into()));
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// What a front end needs to run commands: the client and shared counters.
pub struct Session {
    /// The connection.
    pub client: Client,
    /// True while the scrolling output is held.
    pub paused: Arc<AtomicBool>,
    /// How long to wait for a command's reply.
    pub reply_timeout: Duration,
    /// Set (by Ctrl-C in the shell) to stop waiting for a reply.
    pub interrupted: Arc<AtomicBool>,
}

impl Session {
    /// A session over a connected client.
    pub fn new(client: Client, reply_timeout: Duration) -> Session {
        Session {
            client,
            paused: Arc::new(AtomicBool::new(false)),
            reply_timeout,
            interrupted: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// One row of the `protocols` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolRow {
    /// Protocol name.
    pub protocol: String,
    /// All its fields, in capability order.
    pub fields: Vec<String>,
    /// Fields this session enabled, if any.
    pub enabled: Option<Vec<String>>,
    /// Frames seen.
    pub frames: u64,
}

/// What `status` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusReport {
    /// Server name from the greeting.
    pub server_name: String,
    /// Address connected to.
    pub addr: String,
    /// True while connected.
    pub connected: bool,
    /// Server start time, epoch seconds.
    pub server_start: u64,
    /// Server clock from TIME, epoch seconds.
    pub server_time: u64,
    /// How long this connection has been up.
    pub uptime: Duration,
    /// (protocol, frames seen, frames per second).
    pub rates: Vec<(String, u64, f64)>,
    /// (protocol, frames dropped).
    pub dropped: Vec<(String, u64)>,
    /// Malformed and overlong lines skipped.
    pub malformed: u64,
    /// Lines over the length limit skipped.
    pub overlong: u64,
    /// Commands awaiting a reply.
    pub pending: usize,
    /// Connections made so far (1 + reconnects).
    pub connections: u64,
    /// True while output is paused.
    pub paused: bool,
}

/// The result of a command, for a front end to render.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing to show.
    Nothing,
    /// The `protocols` table.
    Protocols(Vec<ProtocolRow>),
    /// The `fields PROTO` table.
    Fields {
        /// Protocol name.
        protocol: String,
        /// Field names in order.
        fields: Vec<String>,
        /// Enabled field list, if any.
        enabled: Option<Vec<String>>,
    },
    /// The server's answer to a command (ACK or ERROR).
    Reply(Reply),
    /// The `status` report.
    Status(StatusReport),
    /// Help text.
    Help(String),
    /// Output paused or resumed.
    Paused(bool),
    /// Leave the shell.
    Quit,
}

/// Runs one parsed command.
///
/// # Errors
/// [`CommandFailure`]: refused locally, answered with ERROR (the outcome of
/// an ERROR is still returned as `Ok(Outcome::Reply)` so front ends can show
/// it; see [`Outcome::failure`]), no reply, or no connection.
pub fn execute(session: &Session, parsed: Parsed) -> Result<Outcome, CommandFailure> {
    let client = &session.client;
    match parsed {
        Parsed::Empty => Ok(Outcome::Nothing),
        Parsed::Raw(cmd) => send_and_wait(session, &cmd).map(Outcome::Reply),
        Parsed::Shell(spec, args) => match spec.name {
            "protocols" => Ok(Outcome::Protocols(protocol_rows(session))),
            "fields" => {
                let table = client.table();
                let info = table
                    .protocol(&args[0])
                    .map_err(|e| CommandFailure::Refused(e.to_string()))?;
                Ok(Outcome::Fields {
                    protocol: info.name.clone(),
                    fields: info.fields.to_vec(),
                    enabled: enabled_fields(client, &info.name),
                })
            }
            "enable" => {
                let cmd = client
                    .check_enable(&args[0], &args[1])
                    .map_err(|e| CommandFailure::Refused(e.to_string()))?;
                send_and_wait(session, &cmd).map(Outcome::Reply)
            }
            "remove" => {
                let table = client.table();
                let info = table
                    .protocol(&args[0])
                    .map_err(|e| CommandFailure::Refused(e.to_string()))?;
                let cmd = Command::new("REMOVE", [info.name.clone()]);
                send_and_wait(session, &cmd).map(Outcome::Reply)
            }
            "status" => Ok(Outcome::Status(status_report(session))),
            "pause" => {
                session.paused.store(true, Ordering::Release);
                Ok(Outcome::Paused(true))
            }
            "resume" => {
                session.paused.store(false, Ordering::Release);
                Ok(Outcome::Paused(false))
            }
            "help" => help_text(args.first().map(String::as_str)).map(Outcome::Help),
            "quit" => Ok(Outcome::Quit),
            other => Err(CommandFailure::Refused(format!(
                "command {other} has no implementation"
            ))),
        },
    }
}

impl Outcome {
    /// The failure an outcome stands for: an ERROR reply.
    pub fn failure(&self) -> Option<CommandFailure> {
        match self {
            Outcome::Reply(r) => r
                .result
                .as_ref()
                .err()
                .map(|e| CommandFailure::Server(format!("{}: {e}", r.command))),
            _ => None,
        }
    }
}

fn send_and_wait(session: &Session, cmd: &Command) -> Result<Reply, CommandFailure> {
    let client = &session.client;
    if !client.is_connected() {
        return Err(CommandFailure::Connection(format!(
            "not connected to {}",
            client.addr()
        )));
    }
    let pending = client
        .send(cmd)
        .map_err(|e| CommandFailure::Connection(format!("{e:#}")))?;
    match pending.wait_or_cancel(session.reply_timeout, &session.interrupted) {
        Ok(r) => Ok(r),
        Err(WaitError::Cancelled { .. }) => Err(CommandFailure::Server(format!(
            "{}: interrupted; a late reply will be ignored",
            cmd.text()
        ))),
        Err(e @ WaitError::Timeout { .. }) => Err(CommandFailure::Server(format!(
            "{}: {e} (the server ignores some malformed commands)",
            cmd.text()
        ))),
        Err(e @ WaitError::ConnectionLost) => {
            Err(CommandFailure::Connection(format!("{}: {e}", cmd.text())))
        }
    }
}

fn enabled_fields(client: &Client, protocol: &str) -> Option<Vec<String>> {
    client
        .subscriptions()
        .into_iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(protocol))
        .map(|(_, f)| f.to_vec())
}

/// The rows of the `protocols` table.
pub fn protocol_rows(session: &Session) -> Vec<ProtocolRow> {
    let subs = session.client.subscriptions();
    let counts = session.client.frame_counts();
    session
        .client
        .table()
        .iter()
        .map(|p| ProtocolRow {
            protocol: p.name.clone(),
            fields: p.fields.to_vec(),
            enabled: subs
                .iter()
                .find(|(s, _)| s.eq_ignore_ascii_case(&p.name))
                .map(|(_, f)| f.to_vec()),
            frames: counts.total(&p.name),
        })
        .collect()
}

/// The `status` report.
pub fn status_report(session: &Session) -> StatusReport {
    let client = &session.client;
    let info = client.server_info();
    let stats = client.stats();
    let mut dropped: Vec<(String, u64)> = stats.dropped.into_iter().collect();
    dropped.sort();
    let rates = client.frame_rates();
    StatusReport {
        server_name: info.name,
        addr: client.addr().to_string(),
        connected: client.is_connected(),
        server_start: info.start_time,
        server_time: client.server_time(),
        uptime: client.connected_at().elapsed(),
        rates,
        dropped,
        malformed: stats.malformed,
        overlong: stats.overlong,
        pending: client.pending_count(),
        connections: stats.connections,
        paused: session.paused.load(Ordering::Acquire),
    }
}

/// `help` and `help COMMAND`, from the table.
///
/// # Errors
/// [`CommandFailure::Refused`] for an unknown command name.
pub fn help_text(topic: Option<&str>) -> Result<String, CommandFailure> {
    use std::fmt::Write as _;
    let mut s = String::new();
    match topic {
        None => {
            let _ = writeln!(s, "Commands:");
            for c in COMMANDS {
                let usage = format!("{} {}", c.name, c.usage);
                let _ = writeln!(s, "  {:<28} {}", usage.trim_end(), c.summary);
            }
            let _ = writeln!(
                s,
                "  {:<28} send a raw server command (help ! lists them)",
                "!CMD args..."
            );
            let _ = write!(
                s,
                "Tab completes commands, protocols and fields; Ctrl-R searches history."
            );
        }
        Some("!") => {
            let _ = writeln!(
                s,
                "Server commands (type them after '!'; the id is added for you):"
            );
            for c in SERVER_COMMANDS {
                let warn = if c.dangerous {
                    "  (asks to confirm)"
                } else {
                    ""
                };
                let _ = writeln!(s, "  !{:<18} {}{warn}", c.name, c.usage);
            }
            let _ = write!(s, "Arguments with spaces: wrap them in \"double quotes\".");
        }
        Some(name) => {
            if let Some(c) = name.strip_prefix('!').and_then(find_server) {
                let _ = write!(s, "!{} {}", c.name, c.usage);
                return Ok(s);
            }
            let c = find(name).ok_or_else(|| {
                CommandFailure::Refused(format!("no help for {name:?}; try help"))
            })?;
            let _ = writeln!(s, "{} {}", c.name, c.usage);
            let _ = writeln!(s, "  {}", c.summary);
            if !c.details.is_empty() {
                let _ = writeln!(
                    s,
                    "  {}",
                    c.details.split_whitespace().collect::<Vec<_>>().join(" ")
                );
            }
            if !c.aliases.is_empty() {
                let _ = writeln!(s, "  also: {}", c.aliases.join(", "));
            }
            let _ = write!(s, "  e.g. {}", c.examples.join("  |  "));
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines parse into shell commands, raw commands, or clear refusals.
    #[test]
    fn parse_lines() {
        assert_eq!(parse("  ").unwrap(), Parsed::Empty);
        assert_eq!(parse("# note").unwrap(), Parsed::Empty);
        match parse("enable SSID ssid,mac").unwrap() {
            Parsed::Shell(spec, args) => {
                assert_eq!(spec.name, "enable");
                assert_eq!(args, ["SSID", "ssid,mac"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse("EXIT").unwrap(), Parsed::Shell(s, _) if s.name == "quit"));
        assert_eq!(
            parse("!addnettag 00:11 1 note \"hello world\"").unwrap(),
            Parsed::Raw(Command::new(
                "ADDNETTAG",
                ["00:11", "1", "note", "hello world"]
            ))
        );
        let e = parse("feilds GPS").unwrap_err().to_string();
        assert!(e.contains("unknown command") && e.contains("fields"), "{e}");
        assert_eq!(
            parse("enable SSID").unwrap_err(),
            CommandFailure::Refused("usage: enable PROTO f1,f2,...|*".into())
        );
        assert!(parse("help").is_ok() && parse("help enable").is_ok());
        assert!(parse("!").is_err());
        assert!(parse("say \"unterminated").is_err());
    }

    /// Help is built from the table and names every command.
    #[test]
    fn help_from_table() {
        let h = help_text(None).unwrap();
        for c in COMMANDS {
            assert!(h.contains(c.name), "{}", c.name);
        }
        assert!(help_text(Some("!")).unwrap().contains("!HOPSOURCE"));
        assert!(help_text(Some("enable"))
            .unwrap()
            .contains("enable SSID ssid,mac"));
        assert!(help_text(Some("nope")).is_err());
    }
}
