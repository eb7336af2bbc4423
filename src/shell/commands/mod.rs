//! The shell commands: their one definition (`definition`, a clap
//! derive) and parsing a typed line into a [`ShellCommand`]
//! ([`super::dispatch`] runs it).
//!
//! Parsing, `help`, hints and tab completion all read the definition (and
//! [`ServerCommand`] for raw `!CMD` lines), so a command added there is
//! everywhere at once, like ripgrep's flags. Running a command returns an
//! [`super::outcome::Outcome`], data that the interactive shell and batch
//! mode each render in their own way.
//!
//! - `definition`: the commands, their help and typed arguments
//! - `help`: `help` and `help COMMAND`, from the definition

mod definition;
mod help;
mod values;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::FromArgMatches as _;

use super::outcome::ShellError;
use kismet_client::Error;
use kismet_protocol::nearest;
use kismet_protocol::text::abbreviate;
use kismet_protocol::{self, Command, ServerCommand};

pub use definition::{
    arg_kind, choices, definition, find, options, positionals, subcommand, takes_value, usage,
    usage_from, value_name, ShellCommand,
};
pub use help::{help_text, help_text_at};
pub use values::{
    listed, DbAction, FilterArg, NearWord, NetworkType, OnlyMode, SettingChange, SortSpec, Watched,
    DEFAULT_NEAR_RADIUS_M,
};

/// What a command's argument is, for completion and hints.
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
    /// What `watch` shows: networks, clients, stations, status or a
    /// protocol.
    WatchTarget,
    /// A network with clients: a BSSID or an SSID from the live model.
    Network,
    /// Any network: a BSSID or an SSID from the live model.
    AnyNetwork,
    /// A capture source: a name from the live model's sources.
    Source,
    /// A channel of the capture source named first on the line: from its
    /// channel list (see [`kismet_client::SourceView::channels`]).
    Channel,
    /// A file to write: completed from the file system.
    File,
    /// An SQL query: the rest of the line, as typed (not completed).
    Sql,
    /// A command line: the rest of the line, as typed (`on NAME ...`).
    Line,
    /// A server's name (several servers), or `all`.
    ServerName,
    /// One of the argument's possible values in the definition (sort
    /// columns, network types, `new|changed|all`, `on|off`).
    Choice,
}

impl From<kismet_protocol::ArgKind> for ArgKind {
    fn from(k: kismet_protocol::ArgKind) -> ArgKind {
        ArgKind::Server(k)
    }
}

/// A line, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// A blank line or a `#` comment.
    Empty,
    /// A shell command, its arguments typed.
    Shell(ShellCommand),
    /// `!CMD args`: a raw server command.
    Raw(Command),
}

impl Parsed {
    /// The server command a parsed line sends, when it is one the shell
    /// asks to confirm first.
    pub fn dangerous(&self) -> Option<ServerCommand> {
        match self {
            Parsed::Raw(cmd) => cmd.server_command().filter(|c| c.is_dangerous()),
            // `on NAME !SHUTDOWN` asks as `!SHUTDOWN` does.
            Parsed::Shell(ShellCommand::On { line, .. }) => {
                parse(line).ok().and_then(|p| p.dangerous())
            }
            Parsed::Shell(ShellCommand::Delsource { .. }) => Some(ServerCommand::DelSource),
            _ => None,
        }
    }
}

/// Parses a line typed by the user.
///
/// Words are split at spaces, "double quotes" group; the command name and
/// a setting's name match any case. A filter expression is the rest of the
/// line as typed, quotes and all, and reaches the filter parser unchanged.
///
/// # Errors
/// [`ShellError::Usage`] for an unknown command or arguments the
/// definition does not take (one line: the usage, or what is wrong),
/// [`Error::Refused`] for an argument the protocol cannot carry.
pub fn parse(line: &str) -> Result<Parsed, ShellError> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(Parsed::Empty);
    }
    if let Some(raw) = line.strip_prefix('!') {
        // Only spaces and tabs separate the words of a raw command: a line
        // break stays in its word, and the check below refuses it (it must
        // not pass for a separator, nor start a second command).
        let words = words_split_at(raw, |c| c == ' ' || c == '\t')?;
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
    let cmd = find_or_suggest(name)?;
    let mut argv = vec![cmd.get_name().to_string()];
    // An expression is the rest of the line as typed, quotes and all; after
    // `--`, so that clap takes it as it is (even `--` or `-x`).
    let expression = positionals(cmd)
        .position(|a| {
            matches!(
                arg_kind(a),
                Some(ArgKind::Expression | ArgKind::Sql | ArgKind::Line)
            )
        })
        .filter(|at| args.len() > *at)
        .and_then(|at| Some((at, rest_after_words(line, at + 1)?)));
    match expression {
        Some((at, rest)) => {
            argv.extend(args[..at].iter().cloned());
            argv.push("--".into());
            argv.push(rest.to_string());
        }
        None => argv.extend(args.iter().cloned()),
    }
    // A subcommand's name (`set Timestamps on`) matches any case too.
    let (mut reached, mut name) = (cmd, cmd.get_name().to_string());
    if let Some(sub) = argv.get(1).and_then(|w| subcommand(cmd, w)) {
        argv[1] = sub.get_name().to_string();
        name = format!("{name} {}", sub.get_name());
        reached = sub;
    }
    let command = definition()
        .clone()
        .try_get_matches_from(&argv)
        .and_then(|m| definition::Line::from_arg_matches(&m))
        .map_err(|e| usage_error(reached, &name, args, &e))?
        .command;
    Ok(Parsed::Shell(command))
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
fn find_or_suggest(name: &str) -> Result<&'static clap::Command, ShellError> {
    find(name).ok_or_else(|| {
        let known: Vec<&str> = definition()
            .get_subcommands()
            .map(|c| c.get_name())
            .collect();
        let near = nearest(name, known.into_iter());
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

/// clap's error as one line in our words: `usage: CMD USAGE` for missing
/// or extra arguments, else the command's name and what is wrong with
/// which word. `cmd` is the command or the subcommand it reached, `name`
/// its name as typed (`set rate`), `args` the words after the command's
/// name.
fn usage_error(cmd: &clap::Command, name: &str, args: &[String], e: &clap::Error) -> ShellError {
    let usage = match usage(cmd) {
        u if u.is_empty() => format!("usage: {name}"),
        u => format!("usage: {name} {u}"),
    };
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.as_str(),
        _ => "",
    };
    let message = match e.kind() {
        ErrorKind::ValueValidation => match std::error::Error::source(e) {
            Some(why) => format!("{name}: {why}"),
            None => usage,
        },
        ErrorKind::InvalidValue => {
            let arg = context(ContextKind::InvalidArg);
            let arg = arg.split_whitespace().next().unwrap_or(arg);
            match context(ContextKind::InvalidValue) {
                "" => format!("{name}: {arg} needs a value"),
                value => {
                    let valid = match e.get(ContextKind::ValidValue) {
                        Some(ContextValue::Strings(v)) => v.clone(),
                        _ => Vec::new(),
                    };
                    format!(
                        "{name}: expected {}, not \"{}\"",
                        one_of(&valid),
                        abbreviate(value)
                    )
                }
            }
        }
        ErrorKind::InvalidSubcommand => {
            let names: Vec<String> = cmd
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            format!(
                "{name}: expected {}, not \"{}\"",
                one_of(&names),
                abbreviate(context(ContextKind::InvalidSubcommand))
            )
        }
        ErrorKind::UnknownArgument => {
            let arg = context(ContextKind::InvalidArg);
            if arg.starts_with('-') {
                format!("{name}: unexpected \"{}\" ({usage})", abbreviate(arg))
            } else {
                field_list_error(cmd, args).unwrap_or(usage)
            }
        }
        _ => usage,
    };
    ShellError::Usage(message)
}

/// For too many words where a field list goes, with a space after a comma
/// (`ssid, mac`): that, and the list as it should be written.
fn field_list_error(cmd: &clap::Command, args: &[String]) -> Option<String> {
    let at = positionals(cmd)
        .position(|a| arg_kind(a) == Some(ArgKind::Server(kismet_protocol::ArgKind::FieldList)))?;
    let rest = args.get(at..).filter(|rest| rest.len() > 1)?;
    (rest[0].ends_with(',') || rest[1].starts_with(',')).then(|| {
        format!(
            "the field list must be one word: no space after a comma (write {})",
            abbreviate(&rest.concat())
        )
    })
}

/// `a`, `a or b`, `a, b or c`.
fn one_of(items: &[String]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Splits a typed line into words: spaces separate, "double quotes" group.
fn shell_words(line: &str) -> Result<Vec<String>, ShellError> {
    words_split_at(line, char::is_whitespace)
}

/// Splits a typed line into words at the characters `separates` accepts
/// (outside "double quotes", which group).
fn words_split_at(line: &str, separates: impl Fn(char) -> bool) -> Result<Vec<String>, ShellError> {
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
            c if separates(c) && !quoted => {
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

#[cfg(test)]
mod tests;
