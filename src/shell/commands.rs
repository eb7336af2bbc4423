//! The ONE table of shell commands: each entry carries its name, help,
//! argument kinds and counts, and its handler.
//!
//! Dispatch, `help`, hints and tab completion all read [`COMMANDS`] (and
//! [`ServerCommand`] for raw `!CMD` lines), so a command added here is
//! everywhere at once, like ripgrep's flags. Running a command returns an
//! [`Outcome`], data that the interactive shell and batch mode each render
//! in their own way.

use std::fmt::Write as _;

use super::handlers::{self, Handled};
use super::outcome::{Outcome, ShellError};
use super::session::Session;
use kismet_client::Error;
use kismet_protocol::nearest;
use kismet_protocol::text::abbreviate;
use kismet_protocol::{self, Command, ServerCommand};

/// What a shell command's argument is, for completion and hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// An argument of a server command's kind (protocol, field list, ...).
    Server(kismet_protocol::ArgKind),
    /// A protocol this session enabled.
    EnabledProtocol,
    /// A help topic: a shell command name, or `!` and a server command.
    Topic,
    /// A filter expression: the rest of the line, as typed.
    Expression,
    /// `new`, `changed` or `all`.
    OnlyMode,
    /// What `watch` shows: networks, clients, status or a protocol.
    WatchTarget,
    /// `--sort COLUMN` or `--type TYPE` of `networks`.
    NetworkOption,
    /// A network: a BSSID or an SSID from the live model.
    Network,
    /// The name of a setting.
    Setting,
    /// A setting's value.
    SettingValue,
}

impl From<kismet_protocol::ArgKind> for ArgKind {
    fn from(k: kismet_protocol::ArgKind) -> ArgKind {
        ArgKind::Server(k)
    }
}

/// A command's handler: the session and the words after the name.
pub type Handler = fn(&Session, &[String]) -> Handled;

/// One shell command.
pub struct CommandSpec {
    /// The name typed.
    pub name: &'static str,
    /// Other names for it.
    pub aliases: &'static [&'static str],
    /// Argument syntax, shown as a hint and in help.
    pub usage: &'static str,
    /// The arguments' kinds, in order, for completion.
    pub args: &'static [ArgKind],
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments.
    pub max_args: usize,
    /// One line for `help`.
    pub summary: &'static str,
    /// Longer help text.
    pub details: &'static str,
    /// Examples for `help COMMAND`.
    pub examples: &'static [&'static str],
    /// What it does.
    pub run: Handler,
}

impl std::fmt::Debug for CommandSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandSpec")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl PartialEq for CommandSpec {
    fn eq(&self, other: &CommandSpec) -> bool {
        self.name == other.name
    }
}

const PROTOCOL: ArgKind = ArgKind::Server(kismet_protocol::ArgKind::Protocol);
const FIELD_LIST: ArgKind = ArgKind::Server(kismet_protocol::ArgKind::FieldList);
const WORD: ArgKind = ArgKind::Server(kismet_protocol::ArgKind::Word);

/// Every shell command. Raw server commands start with `!` (see
/// [`ServerCommand`]).
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "protocols",
        aliases: &[],
        usage: "",
        args: &[],
        min_args: 0,
        max_args: 0,
        summary: "list the server's protocols, their fields and what is enabled",
        details: "One row per protocol the server offers: its field count, the fields \
                  this session enabled (or -) and how many of its frames arrived.",
        examples: &["protocols"],
        run: handlers::protocols,
    },
    CommandSpec {
        name: "fields",
        aliases: &[],
        usage: "PROTO",
        args: &[PROTOCOL],
        min_args: 1,
        max_args: 1,
        summary: "list a protocol's fields in order, marking the enabled ones",
        details: "Field names come from the server's CAPABILITY answer.",
        examples: &["fields GPS", "fields client"],
        run: handlers::fields,
    },
    CommandSpec {
        name: "enable",
        aliases: &[],
        usage: "PROTO f1,f2,...|*",
        args: &[PROTOCOL, FIELD_LIST],
        min_args: 2,
        max_args: 2,
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
        run: handlers::enable,
    },
    CommandSpec {
        name: "remove",
        aliases: &["disable"],
        usage: "PROTO",
        args: &[ArgKind::EnabledProtocol],
        min_args: 1,
        max_args: 1,
        summary: "stop receiving a protocol",
        details: "Works for the always-on ones too (TIME, for example).",
        examples: &["remove SSID", "remove TIME"],
        run: handlers::remove,
    },
    CommandSpec {
        name: "status",
        aliases: &[],
        usage: "",
        args: &[],
        min_args: 0,
        max_args: 0,
        summary: "server, connection, frame rates and drop counters",
        details: "Server name and address, its start time and clock, how long this \
                  connection has been up, frames per second per protocol, frames \
                  dropped because output fell behind, and commands awaiting a reply.",
        examples: &["status"],
        run: handlers::status,
    },
    CommandSpec {
        name: "pause",
        aliases: &[],
        usage: "",
        args: &[],
        min_args: 0,
        max_args: 0,
        summary: "hold the scrolling frames (they are still counted)",
        details: "Frames that arrive while paused are counted, not shown.",
        examples: &["pause"],
        run: handlers::pause,
    },
    CommandSpec {
        name: "resume",
        aliases: &[],
        usage: "",
        args: &[],
        min_args: 0,
        max_args: 0,
        summary: "show frames again after pause",
        details: "Says how many frames were held back while paused.",
        examples: &["resume"],
        run: handlers::resume,
    },
    CommandSpec {
        name: "networks",
        aliases: &["nets"],
        usage: "[--sort COLUMN] [--type TYPE]",
        args: &[
            ArgKind::NetworkOption,
            ArgKind::NetworkOption,
            ArgKind::NetworkOption,
            ArgKind::NetworkOption,
        ],
        min_args: 0,
        max_args: 4,
        summary: "the networks seen, like airodump-ng: encryption, channel, signal, clients",
        details: "From a live model of the server's BSSID, SSID and CLIENT records, \
                  started on first use (or with --track): the shell asks the server \
                  for the fields it needs, alongside yours, without changing what \
                  scrolls by. Columns: BSSID, SSID (<hidden> when cloaked), TYPE, CH, \
                  ENC, CIPHER, AUTH, PWR (dBm), PKTS, CLIENTS, MANUF, LAST SEEN. \
                  --sort takes bssid, ssid, type, channel, enc, signal (pwr), packets, \
                  clients, manuf or lastseen (add - to reverse); the default is the \
                  strongest signal first. --type takes ap, probe, adhoc or data.",
        examples: &[
            "networks",
            "networks --sort channel",
            "networks --type ap --sort clients",
        ],
        run: handlers::networks,
    },
    CommandSpec {
        name: "clients",
        aliases: &[],
        usage: "[NET]",
        args: &[ArgKind::Network],
        min_args: 0,
        max_args: 1,
        summary: "the clients of a network (a BSSID or an SSID), or of all",
        details: "An SSID may name several BSSIDs: their clients are all listed. \
                  Columns: MAC, BSSID, SSID, TYPE, PWR, PKTS, MANUF, IP, LAST SEEN. \
                  An access point's record of itself is left out.",
        examples: &["clients", "clients HomeNet", "clients 00:14:6C:A1:00:01"],
        run: handlers::clients,
    },
    CommandSpec {
        name: "watch",
        aliases: &[],
        usage: "networks|clients|status|PROTO [NET]",
        args: &[ArgKind::WatchTarget, ArgKind::Network],
        min_args: 1,
        max_args: 2,
        summary: "a full-screen view, redrawn in place: networks, clients, status or a protocol",
        details: "watch networks: the networks table, live; s and S change the sort \
                  column, r reverses it, Enter opens the selected network's clients, \
                  Esc goes back. watch clients [NET]: the clients of a network or of \
                  all. watch status: frames per protocol. watch PROTO: the latest frame \
                  of each device of an enabled protocol. Arrows, PgUp and PgDn move; q \
                  or Ctrl-C return to the prompt with the screen as it was. Frames do \
                  not scroll meanwhile. Needs a terminal.",
        examples: &[
            "watch networks",
            "watch clients HomeNet",
            "watch status",
            "watch SSID",
        ],
        run: super::watch::handler,
    },
    CommandSpec {
        name: "filter",
        aliases: &[],
        usage: "[PROTO [EXPR|off]]",
        args: &[PROTOCOL, ArgKind::Expression],
        min_args: 0,
        max_args: 2,
        summary: "show only the frames of a protocol that match an expression",
        details: "EXPR compares the protocol's enabled fields with values: = != < <= > >= \
                  (numeric when both sides are numbers, else text), ~ and !~ (regular \
                  expression), combined with and, or, not and parentheses; quote values \
                  with spaces. The ssid field compares as the decoded SSID. filter PROTO \
                  shows the filter, filter PROTO off removes it, filter lists them all. \
                  Filters apply to what is shown: counts, networks and recordings see \
                  every frame.",
        examples: &[
            "filter SSID ssid ~ \"^Caf\"",
            "filter CLIENT signal_dbm > -60 and manuf ~ Intel",
            "filter BSSID bssid = 00:14:6C:A1:00:01",
            "filter SSID off",
        ],
        run: handlers::filter,
    },
    CommandSpec {
        name: "only",
        aliases: &[],
        usage: "PROTO new|changed|all",
        args: &[PROTOCOL, ArgKind::OnlyMode],
        min_args: 2,
        max_args: 2,
        summary: "show a device's frames only when it is new, or when they changed",
        details: "A device is known by its bssid and mac fields (else the first field). \
                  new: its first frame only; changed: when a shown field differs from its \
                  last shown frame; all: every frame. Up to 100000 devices are remembered \
                  per protocol.",
        examples: &["only SSID new", "only CLIENT changed", "only SSID all"],
        run: handlers::only,
    },
    CommandSpec {
        name: "set",
        aliases: &[],
        usage: "[NAME VALUE]",
        args: &[ArgKind::Setting, ArgKind::SettingValue],
        min_args: 0,
        max_args: 2,
        summary: "list the session's settings, or change one",
        details: "timestamps on|off: frame lines start with their receive time \
                  (HH:MM:SS.mmm), JSON frames get \"time\" (RFC 3339, UTC). \
                  decode on|off: frame lines show decoded values (encryption, type \
                  names, times) or the wire values. color on|off: colour on a \
                  terminal. rate N: most frame lines shown per 0.1 s.",
        examples: &["set", "set timestamps on", "set decode off", "set rate 50"],
        run: handlers::set,
    },
    CommandSpec {
        name: "connect",
        aliases: &[],
        usage: "HOST[:PORT] [--keep]",
        args: &[WORD, WORD],
        min_args: 1,
        max_args: 2,
        summary: "switch to another server (port 2501 if left out)",
        details: "Completion and the prompt follow the new server's protocols. The \
                  protocols enabled here are not enabled there unless --keep is given. \
                  If the new server cannot be reached, the old connection stays.",
        examples: &["connect 10.0.0.5", "connect sensor.lan:2501 --keep"],
        run: handlers::connect,
    },
    CommandSpec {
        name: "reconnect",
        aliases: &[],
        usage: "",
        args: &[],
        min_args: 0,
        max_args: 0,
        summary: "connect to the same server again, with the same protocols enabled",
        details: "For a server that was restarted, or after disconnect; the shell also \
                  reconnects by itself unless started with --no-reconnect.",
        examples: &["reconnect"],
        run: handlers::reconnect,
    },
    CommandSpec {
        name: "disconnect",
        aliases: &[],
        usage: "",
        args: &[],
        min_args: 0,
        max_args: 0,
        summary: "close the connection (reconnect or connect to go on)",
        details: "",
        examples: &["disconnect"],
        run: handlers::disconnect,
    },
    CommandSpec {
        name: "clear",
        aliases: &[],
        usage: "",
        args: &[],
        min_args: 0,
        max_args: 0,
        summary: "clear the screen (Ctrl-L does too)",
        details: "",
        examples: &["clear"],
        run: handlers::clear,
    },
    CommandSpec {
        name: "help",
        aliases: &["?"],
        usage: "[COMMAND]",
        args: &[ArgKind::Topic],
        min_args: 0,
        max_args: 1,
        summary: "list commands, or explain one",
        details: "Raw server commands are typed with a leading '!': `help !` lists them, \
                  `help !ENABLE` explains one.",
        examples: &["help", "help enable", "help !", "help !HOPSOURCE"],
        run: help,
    },
    CommandSpec {
        name: "quit",
        aliases: &["exit"],
        usage: "",
        args: &[],
        min_args: 0,
        max_args: 0,
        summary: "leave the shell (Ctrl-D does too)",
        details: "",
        examples: &["quit"],
        run: handlers::quit,
    },
];

/// The shell command called `name` (or one of its aliases), any case.
pub fn find(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| {
        c.name.eq_ignore_ascii_case(name) || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// A shell command, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// A blank line or a `#` comment.
    Empty,
    /// A shell command and its words.
    Shell(&'static CommandSpec, Vec<String>),
    /// `!CMD args`: a raw server command.
    Raw(Command),
}

impl Parsed {
    /// The server command a parsed line sends, when it is one the shell
    /// asks to confirm first.
    pub fn dangerous(&self) -> Option<ServerCommand> {
        match self {
            Parsed::Raw(cmd) => cmd.server_command().filter(|c| c.is_dangerous()),
            _ => None,
        }
    }
}

/// Parses a line typed by the user.
///
/// # Errors
/// [`ShellError::Usage`] for an unknown command or a wrong argument count,
/// [`Error::Refused`] for an argument the protocol cannot carry.
pub fn parse(line: &str) -> Result<Parsed, ShellError> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(Parsed::Empty);
    }
    if let Some(raw) = line.strip_prefix('!') {
        let words = shell_words(raw)?;
        let Some((name, args)) = words.split_first() else {
            return Err(ShellError::Usage(
                "a raw command needs a name after '!' (help ! lists them)".into(),
            ));
        };
        let cmd = Command::raw(name, args.to_vec());
        cmd.validate().map_err(Error::Refused)?;
        return Ok(Parsed::Raw(cmd));
    }
    let words = shell_words(line)?;
    let Some((name, args)) = words.split_first() else {
        return Ok(Parsed::Empty);
    };
    let spec = find_or_suggest(name)?;
    // An expression is the rest of the line as typed, quotes and all.
    if let Some(at) = spec.args.iter().position(|k| *k == ArgKind::Expression) {
        if let Some(rest) = rest_after_words(line, at + 1) {
            let mut args: Vec<String> = args[..at].to_vec();
            args.push(rest.to_string());
            return Ok(Parsed::Shell(spec, args));
        }
    }
    if args.len() < spec.min_args || args.len() > spec.max_args {
        return Err(ShellError::Usage(argument_count_error(spec, args)));
    }
    Ok(Parsed::Shell(spec, args.to_vec()))
}

/// The text of `line` after its first `n` words (and the spaces after
/// them), when there is any.
fn rest_after_words(line: &str, n: usize) -> Option<&str> {
    let mut rest = line.trim_start();
    for _ in 0..n {
        let end = rest.find(char::is_whitespace)?;
        rest = rest[end..].trim_start();
    }
    (!rest.is_empty()).then_some(rest)
}

/// The shell command called `name`, or an error suggesting the nearest.
fn find_or_suggest(name: &str) -> Result<&'static CommandSpec, ShellError> {
    find(name).ok_or_else(|| {
        let near = nearest(name, COMMANDS.iter().map(|c| c.name));
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {}?)", near.join(", "))
        };
        ShellError::Usage(format!(
            "unknown command \"{}\"{hint}; try help",
            abbreviate(name)
        ))
    })
}

/// What is wrong with the number of arguments: the usage, or for a field
/// list with a space after a comma, that.
fn argument_count_error(spec: &CommandSpec, args: &[String]) -> String {
    let list = spec
        .args
        .iter()
        .position(|k| *k == FIELD_LIST)
        .and_then(|i| args.get(i..))
        .filter(|rest| rest.len() > 1);
    if let Some(rest) = list {
        if rest[0].ends_with(',') || rest[1].starts_with(',') {
            return format!(
                "the field list must be one word: no space after a comma (write {})",
                abbreviate(&rest.concat())
            );
        }
    }
    format!("usage: {} {}", spec.name, spec.usage)
}

/// Splits a typed line into words: spaces separate, "double quotes" group.
fn shell_words(line: &str) -> Result<Vec<String>, ShellError> {
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
        return Err(ShellError::Usage("unterminated \" quote".into()));
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// Runs one parsed command.
///
/// # Errors
/// [`ShellError`]: refused locally, answered with ERROR
/// ([`Error::Server`], which carries the reply), no reply, or no connection.
pub fn execute(session: &Session, parsed: Parsed) -> Result<Outcome, ShellError> {
    match parsed {
        Parsed::Empty => Ok(Outcome::Nothing),
        Parsed::Raw(cmd) => Ok(Outcome::Reply(session.request(&cmd)?)),
        Parsed::Shell(spec, args) => (spec.run)(session, &args),
    }
}

/// `help [TOPIC]`.
fn help(_session: &Session, args: &[String]) -> Handled {
    help_text(args.first().map(String::as_str)).map(Outcome::Help)
}

/// `help` and `help COMMAND`, from the tables.
///
/// # Errors
/// [`ShellError::Usage`] for an unknown command name.
pub fn help_text(topic: Option<&str>) -> Result<String, ShellError> {
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
            for c in ServerCommand::ALL {
                let warn = if c.is_dangerous() {
                    "  (asks to confirm)"
                } else {
                    ""
                };
                let _ = writeln!(s, "  !{:<18} {}{warn}", c.name(), c.usage());
            }
            let _ = write!(s, "Arguments with spaces: wrap them in \"double quotes\".");
        }
        Some(name) => {
            if let Some(c) = name.strip_prefix('!').and_then(ServerCommand::from_name) {
                let _ = writeln!(s, "!{} {}", c.name(), c.usage());
                let _ = writeln!(s, "  {}", c.summary());
                if c.is_dangerous() {
                    let _ = writeln!(s, "  The shell asks before sending it.");
                }
                let _ = write!(s, "  e.g. !{}", c.example());
                return Ok(s);
            }
            let c = find(name)
                .ok_or_else(|| ShellError::Usage(format!("no help for {name:?}; try help")))?;
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
                ServerCommand::AddNetTag,
                ["00:11", "1", "note", "hello world"]
            ))
        );
        let e = parse("feilds GPS").unwrap_err().to_string();
        assert!(e.contains("unknown command") && e.contains("fields"), "{e}");
        assert!(matches!(
            parse("enable SSID"),
            Err(ShellError::Usage(m)) if m == "usage: enable PROTO f1,f2,...|*"
        ));
        assert!(parse("help").is_ok() && parse("help enable").is_ok());
        assert!(parse("!").is_err());
        match parse("filter SSID ssid = \"Coffee Shop\" and x").unwrap() {
            Parsed::Shell(spec, args) => {
                assert_eq!(spec.name, "filter");
                assert_eq!(args, ["SSID", "ssid = \"Coffee Shop\" and x"]);
            }
            other => panic!("{other:?}"),
        }
        let e = parse("enable SSID ssid, mac").unwrap_err().to_string();
        assert!(
            e.contains("no space after a comma") && e.contains("ssid,mac"),
            "{e}"
        );
        let long = "x".repeat(5000);
        let e = parse(&long).unwrap_err().to_string();
        assert!(e.len() < 120 && e.contains("xxx..."), "{}", e.len());
        assert!(parse("say \"unterminated").is_err());
        assert!(matches!(
            parse("!ENABLE SSID \"a\u{1}b\""),
            Err(ShellError::Client(Error::Refused(_)))
        ));
    }

    /// Help is built from the table and names every command.
    #[test]
    fn help_from_table() {
        let h = help_text(None).unwrap();
        for c in COMMANDS {
            assert!(h.contains(c.name), "{}", c.name);
        }
        assert!(help_text(Some("!")).unwrap().contains("!HOPSOURCE"));
        let h = help_text(Some("!hopsource")).unwrap();
        assert!(
            h.contains("UUID LOCK CHAN") && h.contains("e.g. !HOPSOURCE "),
            "{h}"
        );
        assert!(help_text(Some("!SHUTDOWN"))
            .unwrap()
            .contains("asks before"));
        assert!(help_text(Some("enable"))
            .unwrap()
            .contains("enable SSID ssid,mac"));
        assert!(help_text(Some("nope")).is_err());
    }

    /// Every entry's counts agree with its usage and kinds: the usage names
    /// `max_args` words, the optional ones in brackets.
    #[test]
    fn table_counts_agree() {
        for c in COMMANDS {
            let words: Vec<&str> = c.usage.split_whitespace().collect();
            // Words inside a [...] group are optional (`HOST[:PORT]` is
            // one word that must be given).
            let (mut depth, mut optional) = (0usize, 0);
            for w in &words {
                if w.starts_with('[') {
                    depth += 1;
                }
                if depth > 0 {
                    optional += 1;
                    if w.ends_with(']') {
                        depth -= 1;
                    }
                }
            }
            assert_eq!(words.len(), c.max_args, "{}", c.name);
            assert_eq!(words.len() - optional, c.min_args, "{}", c.name);
            assert_eq!(c.args.len(), c.max_args, "{}", c.name);
        }
    }

    /// Only dangerous server commands ask for confirmation.
    #[test]
    fn dangerous_commands() {
        let p = |l: &str| parse(l).unwrap().dangerous();
        assert_eq!(p("!shutdown"), Some(ServerCommand::Shutdown));
        assert_eq!(p("!DELSOURCE abc"), Some(ServerCommand::DelSource));
        assert_eq!(p("!ENABLE GPS lat"), None);
        assert_eq!(p("status"), None);
    }
}
