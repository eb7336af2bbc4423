//! The rustyline helper of the interactive shell: tab completion, grey
//! argument hints and hint colouring.
//!
//! The logic lives in pure functions of `(line, cursor, &Names)`
//! ([`complete`], [`hint`]) so it is tested without a terminal. What each
//! word of a shell command is (which argument, of what kind, its possible
//! values, the usage still to type) comes from the commands' one definition
//! ([`commands::definition`], walked by `place`), and [`ServerCommand`] for
//! `!CMD` lines; names come from the capability table the reader thread
//! keeps, so completion never touches the network.
//!
//! - `complete`: tab completion
//! - `place`: where the cursor is in a command's arguments

use std::borrow::Cow;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::{Hint, Hinter};
use rustyline::{Context, Helper, Validator};

mod complete;
mod place;
#[cfg(test)]
mod tests;

pub use complete::{complete, EXPRESSION_HINT};

use super::commands::{self, usage, usage_from, value_name};
use kismet_protocol::{CapabilityTable, ServerCommand};
use place::{place, Place};

/// Grey, for hints (SGR 90, "bright black").
const GREY: &str = "\x1b[90m";
/// Back to normal.
const RESET: &str = "\x1b[0m";

/// Where the completer gets the current capability table and the protocols
/// this session enabled from (cheap copies of what the reader thread keeps,
/// never a network request).
pub type NameSource = Box<dyn Fn() -> Names>;

/// What completion draws on: the capability table, the protocols enabled,
/// and the networks the live model knows (BSSIDs and SSIDs).
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// The capability table.
    pub table: CapabilityTable,
    /// The protocols this session enabled, with their fields.
    pub enabled: Vec<Enabled>,
    /// BSSIDs and SSIDs of the networks known (empty until the model runs).
    pub networks: Vec<String>,
    /// BSSIDs and SSIDs of every network known, for `network`.
    pub all_networks: Vec<String>,
    /// Names of the capture sources known (empty until `sources` ran).
    pub sources: Vec<String>,
    /// Each known source's name and the channels of its channel list.
    pub source_channels: Vec<(String, Vec<u32>)>,
    /// The servers' names (several servers).
    pub servers: Vec<String>,
}

/// A protocol this session enabled, with its fields.
pub type Enabled = (String, std::sync::Arc<[String]>);

/// The shell's rustyline helper: completion and hints from the command
/// tables and the live capability table.
#[derive(Helper, Validator)]
pub struct ShellHelper {
    names: NameSource,
    color: bool,
    active: bool,
}

impl ShellHelper {
    /// A helper reading the capability table from `table`; `color` turns on
    /// grey hints.
    pub fn new(names: NameSource, color: bool) -> ShellHelper {
        ShellHelper {
            names,
            color,
            active: true,
        }
    }

    /// Turns completion and hints off (for a yes/no question) or back on.
    pub fn set_active(&mut self, active: bool) {
        self.active = active;
    }
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        if !self.active {
            return Ok((pos, Vec::new()));
        }
        Ok(complete(line, pos, &(self.names)()))
    }
}

impl Hinter for ShellHelper {
    type Hint = ArgHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<ArgHint> {
        if !self.active {
            return None;
        }
        hint(line, pos)
    }
}

impl Highlighter for ShellHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("{GREY}{hint}{RESET}"))
        } else {
            Cow::Borrowed(hint)
        }
    }
}

/// A grey hint after the cursor: the rest of a command's name and its
/// argument syntax. Right arrow accepts the name part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgHint {
    /// What is shown.
    pub display: String,
    /// How many bytes of `display` Right arrow inserts (the rest of a name).
    pub complete_up_to: usize,
}

impl Hint for ArgHint {
    fn display(&self) -> &str {
        &self.display
    }

    fn completion(&self) -> Option<&str> {
        (self.complete_up_to > 0).then(|| &self.display[..self.complete_up_to])
    }
}

/// The words of `line[..pos]` before the one under the cursor, and the one
/// under the cursor with its start offset. Spaces separate words outside
/// "double quotes", as the parser splits them: a quoted word keeps its
/// quotes here, and a quote still open starts the word under the cursor.
fn split_at_cursor(line: &str, pos: usize) -> (Vec<&str>, usize, &str) {
    let head = line.get(..pos).unwrap_or(line);
    let mut done = Vec::new();
    let (mut word_start, mut in_word, mut quoted) = (0, false, false);
    for (i, c) in head.char_indices() {
        if c == '"' {
            quoted = !quoted;
        }
        if c.is_whitespace() && !quoted {
            if in_word {
                done.push(&head[word_start..i]);
                in_word = false;
            }
        } else if !in_word {
            word_start = i;
            in_word = true;
        }
    }
    let start = if in_word { word_start } else { head.len() };
    (done, start, &head[start..])
}

/// Case-insensitive prefix test.
fn starts_with_ci(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.is_char_boundary(prefix.len())
        && name[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// True when a shell command takes arguments (so its name completes with a
/// space after it).
fn takes_arguments(cmd: &clap::Command) -> bool {
    cmd.get_arguments().next().is_some() || cmd.has_subcommands()
}

/// The grey hint for `line` with the cursor at byte `pos` (only at the end
/// of the line): the rest of a uniquely typed command name and its usage,
/// or, after a command and a space, the syntax of the arguments still to
/// type, from the definition (or the server command's usage).
///
/// # Examples
/// ```
/// use kismet_shell::shell::helper::hint;
/// assert_eq!(hint("enable ", 7).unwrap().display, "PROTO f1,f2,...|*");
/// assert_eq!(hint("connect ", 8).unwrap().display, "HOST[:PORT] [--keep] [--add]");
/// ```
pub fn hint(line: &str, pos: usize) -> Option<ArgHint> {
    if pos < line.len() || line.trim().is_empty() {
        return None;
    }
    let (done, _, word) = split_at_cursor(line, pos);
    let Some(first) = done.first() else {
        return name_hint(word);
    };
    if !word.is_empty() {
        return None;
    }
    let display = match first.strip_prefix('!') {
        Some(raw) => server_hint(ServerCommand::from_name(raw)?, done.len() - 1)?,
        None => match place(commands::find(first)?, &done[1..]) {
            Place::Nowhere => return None,
            Place::OptionValue {
                cmd,
                arg,
                index,
                given,
            } => {
                let rest = usage_from(cmd, index, &given);
                format!("{} {rest}", value_name(arg)).trim_end().to_string()
            }
            Place::Subcommand(cmd) => usage(cmd),
            Place::Expression { before, .. } if before.is_empty() => EXPRESSION_HINT.to_string(),
            Place::Expression { .. } => return None,
            Place::Positional {
                cmd, index, given, ..
            } => usage_from(cmd, index, &given),
        },
    };
    (!display.is_empty()).then_some(ArgHint {
        display,
        complete_up_to: 0,
    })
}

/// A server command's usage after `typed` arguments: the words still to
/// type; alternatives (`UUID LOCK CHAN | UUID HOP RATE`) only before any.
fn server_hint(c: ServerCommand, typed: usize) -> Option<String> {
    let usage = c.usage();
    if usage.contains(" | ") {
        return (typed == 0).then(|| usage.to_string());
    }
    let words: Vec<&str> = usage.split_whitespace().collect();
    Some(words.get(typed..)?.join(" "))
}

/// The hint while typing the first word: the rest of the one command it
/// can be, then that command's usage.
fn name_hint(word: &str) -> Option<ArgHint> {
    let (name, usage) = match word.strip_prefix('!') {
        Some(raw) => {
            let mut it = ServerCommand::ALL
                .iter()
                .filter(|c| starts_with_ci(c.name(), raw));
            let c = it.next()?;
            if it.next().is_some() {
                return None;
            }
            (&c.name()[raw.len()..], c.usage().to_string())
        }
        None => {
            let mut it = commands::definition()
                .get_subcommands()
                .filter(|c| starts_with_ci(c.get_name(), word));
            let c = it.next()?;
            if it.next().is_some() {
                return None;
            }
            (&c.get_name()[word.len()..], usage(c))
        }
    };
    let display = if usage.is_empty() {
        name.to_string()
    } else {
        format!("{name} {usage}")
    };
    (!display.is_empty() && !display.starts_with(' ')).then_some(ArgHint {
        display,
        complete_up_to: name.len(),
    })
}
