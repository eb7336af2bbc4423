//! The rustyline helper of the interactive shell: tab completion, grey
//! argument hints and hint colouring.
//!
//! The logic lives in pure functions of `(line, cursor, &CapabilityTable)`
//! ([`complete`], [`hint`]) so it is tested without a terminal. Names come
//! from the one command table ([`COMMANDS`], [`ServerCommand`]) and from
//! the capability table the reader thread keeps; completion never touches
//! the network.

use std::borrow::Cow;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::{Hint, Hinter};
use rustyline::{Context, Helper, Validator};

use super::commands::{self, ArgKind, COMMANDS};
use kismet_client::model::SORT_COLUMNS;
use kismet_protocol::{self, CapabilityTable, ServerCommand};

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
/// under the cursor with its start offset.
fn split_at_cursor(line: &str, pos: usize) -> (Vec<&str>, usize, &str) {
    let head = line.get(..pos).unwrap_or(line);
    let start = head
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let done = head[..start].split_whitespace().collect();
    (done, start, &head[start..])
}

/// Case-insensitive prefix test.
fn starts_with_ci(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.is_char_boundary(prefix.len())
        && name[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// A candidate shown as `name`, inserted as `name` plus a space when another
/// argument follows.
fn pair(name: &str, more: bool) -> Pair {
    Pair {
        display: name.to_string(),
        replacement: if more {
            format!("{name} ")
        } else {
            name.to_string()
        },
    }
}

/// A typed command word (`fields`, `!ENABLE`) resolved to its argument kinds
/// and usage, from the one command table.
fn command_of(word: &str) -> Option<(Vec<ArgKind>, &'static str)> {
    match word.strip_prefix('!') {
        Some(raw) => ServerCommand::from_name(raw).map(|c| {
            (
                c.args().iter().map(|&k| ArgKind::from(k)).collect(),
                c.usage(),
            )
        }),
        None => commands::find(word).map(|c| (c.args.to_vec(), c.usage)),
    }
}

/// Tab completion of `line` with the cursor at byte `pos`, given the
/// capability table and the protocols enabled: where the replaced text
/// starts and the candidates (canonical names, matched case-insensitively).
///
/// Completes shell command names, `!` server command names, protocol names
/// and the field under the cursor in an `enable PROTO f1,f2` list (fields
/// already listed are not offered again; `*` only as the whole list).
///
/// # Examples
/// ```
/// use kismet_protocol::CapabilityTable;
/// use kismet_shell::shell::helper::complete;
/// let mut t = CapabilityTable::new();
/// t.insert("GPS", vec!["lat".into(), "lon".into()]);
/// let names = kismet_shell::shell::helper::Names { table: t, ..Default::default() };
/// let (start, c) = complete("fields g", 8, &names);
/// assert_eq!((start, c[0].replacement.as_str()), (7, "GPS"));
/// ```
pub fn complete(line: &str, pos: usize, names: &Names) -> (usize, Vec<Pair>) {
    let (table, enabled) = (&names.table, &names.enabled);
    let (done, start, word) = split_at_cursor(line, pos);
    let Some(first) = done.first() else {
        let skip = usize::from(word.starts_with('!'));
        return (start + skip, complete_command_name(word));
    };
    let Some((kinds, _)) = command_of(first) else {
        return (start, Vec::new());
    };
    let index = done.len() - 1;
    // An expression takes every word to the end of the line.
    let expr_at = kinds
        .iter()
        .position(|k| *k == ArgKind::Expression)
        .unwrap_or(usize::MAX);
    let Some(kind) = kinds.get(index.min(expr_at)) else {
        return (start, Vec::new());
    };
    let more = index + 1 < kinds.len();
    match kind {
        ArgKind::Server(kismet_protocol::ArgKind::Protocol) => {
            (start, complete_protocol(word, more, table))
        }
        ArgKind::EnabledProtocol => {
            let c = enabled
                .iter()
                .filter(|(p, _)| starts_with_ci(p, word))
                .map(|(p, _)| pair(p, more))
                .collect();
            (start, c)
        }
        ArgKind::OnlyMode => {
            let c = ["new", "changed", "all"]
                .iter()
                .filter(|m| starts_with_ci(m, word))
                .map(|m| pair(m, false))
                .collect();
            (start, c)
        }
        ArgKind::Expression => {
            let proto = done.get(expr_at).copied().unwrap_or("");
            let fields: Vec<String> = enabled
                .iter()
                .find(|(p, _)| p.eq_ignore_ascii_case(proto))
                .map(|(_, f)| f.to_vec())
                .or_else(|| table.get(proto).map(|p| p.fields.to_vec()))
                .unwrap_or_default();
            // `(mac`: only the name after the parentheses is replaced.
            let skip = word.len() - word.trim_start_matches('(').len();
            let c = complete_expression(&done[expr_at + 1..], &word[skip..], &fields);
            (start + skip, c)
        }
        ArgKind::Server(kismet_protocol::ArgKind::FieldList) => {
            let Some(proto) = done.get(index).and_then(|p| table.get(p)) else {
                return (start, Vec::new());
            };
            // The whole word, also the part after the cursor, for "already listed".
            let tail = line
                .get(pos..)
                .map_or("", |t| t.split(char::is_whitespace).next().unwrap_or(""));
            let element_start = word.rfind(',').map_or(0, |i| i + 1);
            let element = &word[element_start..];
            let listed: Vec<&str> = word[..element_start]
                .split(',')
                .chain(tail.split(',').skip(1))
                .filter(|s| !s.is_empty())
                .collect();
            let mut out: Vec<Pair> = Vec::new();
            if element_start == 0 && tail.is_empty() && (element.is_empty() || element == "*") {
                out.push(pair("*", false));
            }
            out.extend(
                proto
                    .fields
                    .iter()
                    .filter(|f| starts_with_ci(f, element))
                    .filter(|f| !listed.iter().any(|l| l.eq_ignore_ascii_case(f)))
                    .map(|f| pair(f, false)),
            );
            (start + element_start, out)
        }
        ArgKind::Topic => {
            if let Some(raw) = word.strip_prefix('!') {
                let c = ServerCommand::ALL
                    .iter()
                    .filter(|c| starts_with_ci(c.name(), raw))
                    .map(|c| pair(c.name(), false))
                    .collect();
                (start + 1, c)
            } else {
                let c = COMMANDS
                    .iter()
                    .filter(|c| starts_with_ci(c.name, word))
                    .map(|c| pair(c.name, false))
                    .collect();
                (start, c)
            }
        }
        ArgKind::Setting => {
            let c = SETTINGS
                .iter()
                .filter(|n| starts_with_ci(n, word))
                .map(|n| pair(n, true))
                .collect();
            (start, c)
        }
        ArgKind::SettingValue => {
            let setting = done.get(index).copied().unwrap_or("");
            let values: &[&str] = if setting.eq_ignore_ascii_case("rate") {
                &[]
            } else {
                &["on", "off"]
            };
            let c = values
                .iter()
                .filter(|v| starts_with_ci(v, word))
                .map(|v| pair(v, false))
                .collect();
            (start, c)
        }
        ArgKind::NetworkOption => {
            let prev = done.last().copied().unwrap_or("");
            let values: Vec<&str> = match prev {
                "--sort" | "-s" => SORT_COLUMNS.iter().map(|(_, n, _)| n[0]).collect(),
                "--type" | "-t" => vec!["ap", "probe", "adhoc", "data"],
                _ => vec!["--sort", "--type"],
            };
            let c = values
                .into_iter()
                .filter(|v| starts_with_ci(v, word))
                .map(|v| pair(v, true))
                .collect();
            (start, c)
        }
        ArgKind::WatchTarget => {
            let c = ["networks", "clients", "status"]
                .iter()
                .map(|s| s.to_string())
                .chain(enabled.iter().map(|(p, _)| p.clone()))
                .filter(|s| starts_with_ci(s, word))
                .map(|s| pair(&s, s == "clients"))
                .collect();
            (start, c)
        }
        ArgKind::Network => {
            let c = names
                .networks
                .iter()
                .filter(|n| starts_with_ci(n, word))
                .map(|n| pair(n, false))
                .collect();
            (start, c)
        }
        ArgKind::Server(_) => (start, Vec::new()),
    }
}

/// Candidates in a filter expression: after its start, `(`, `and`, `or`
/// or `not`, the protocol's fields; after a field, the operators; after a
/// value, `and` and `or`.
fn complete_expression(before: &[&str], word: &str, fields: &[String]) -> Vec<Pair> {
    const OPERATORS: [&str; 8] = ["=", "!=", "<", "<=", ">", ">=", "~", "!~"];
    let prev = before.last().copied().unwrap_or("");
    let is_keyword = |w: &str| {
        ["and", "or", "not", "&&", "||", "!"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(w))
    };
    let candidates: Vec<&str> = if prev.is_empty() || is_keyword(prev) || prev.ends_with('(') {
        fields.iter().map(String::as_str).collect()
    } else if fields.iter().any(|f| f.eq_ignore_ascii_case(prev)) {
        OPERATORS.to_vec()
    } else if OPERATORS.contains(&prev) {
        Vec::new()
    } else {
        vec!["and", "or"]
    };
    candidates
        .into_iter()
        .filter(|c| starts_with_ci(c, word))
        .map(|c| pair(c, true))
        .collect()
}

/// The hint at the start of a filter expression.
pub const EXPRESSION_HINT: &str = "FIELD OP VALUE [and|or ...]  (OP: = != < <= > >= ~ !~)";

/// The names `set` takes.
const SETTINGS: [&str; 4] = ["timestamps", "decode", "color", "rate"];

/// Candidates for the first word: shell commands and their aliases, or
/// `!` server commands.
fn complete_command_name(word: &str) -> Vec<Pair> {
    if let Some(raw) = word.strip_prefix('!') {
        return ServerCommand::ALL
            .iter()
            .filter(|c| starts_with_ci(c.name(), raw))
            .map(|c| pair(c.name(), !c.usage().is_empty()))
            .collect();
    }
    let mut names: Vec<Pair> = COMMANDS
        .iter()
        .filter(|c| starts_with_ci(c.name, word))
        .map(|c| pair(c.name, !c.args.is_empty()))
        .collect();
    // Aliases too (`disa` -> `disable`), but not in the list of everything.
    if !word.is_empty() {
        names.extend(
            COMMANDS
                .iter()
                .flat_map(|c| c.aliases.iter().map(move |a| (a, c)))
                .filter(|(a, _)| starts_with_ci(a, word))
                .map(|(a, c)| pair(a, !c.args.is_empty())),
        );
    }
    names
}

/// Protocol names from the capability table.
fn complete_protocol(word: &str, more: bool, table: &CapabilityTable) -> Vec<Pair> {
    table
        .iter()
        .filter(|p| starts_with_ci(&p.name, word))
        .map(|p| pair(&p.name, more))
        .collect()
}

/// The grey hint for `line` with the cursor at byte `pos` (only at the end
/// of the line): the rest of a uniquely typed command name and its usage,
/// or, after a command and a space, the syntax of the arguments still to
/// type.
///
/// # Examples
/// ```
/// use kismet_shell::shell::helper::hint;
/// assert_eq!(hint("enable ", 7).unwrap().display, "PROTO f1,f2,...|*");
/// ```
pub fn hint(line: &str, pos: usize) -> Option<ArgHint> {
    if pos < line.len() || line.trim().is_empty() {
        return None;
    }
    let (done, _, word) = split_at_cursor(line, pos);
    let Some(first) = done.first() else {
        return name_hint(word);
    };
    let (kinds, usage) = command_of(first)?;
    if !word.is_empty() || usage.is_empty() {
        return None;
    }
    let typed = done.len() - 1;
    match kinds.iter().position(|k| *k == ArgKind::Expression) {
        Some(at) if typed == at => {
            return Some(ArgHint {
                display: EXPRESSION_HINT.to_string(),
                complete_up_to: 0,
            })
        }
        Some(at) if typed > at => return None,
        _ => {}
    }
    let rest = if usage.contains(" | ") {
        // Alternatives (`UUID LOCK CHAN | UUID HOP RATE`): only before any argument.
        (typed == 0).then(|| usage.to_string())?
    } else {
        let words: Vec<&str> = usage.split_whitespace().collect();
        words.get(typed..).filter(|w| !w.is_empty())?.join(" ")
    };
    Some(ArgHint {
        display: rest,
        complete_up_to: 0,
    })
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
            (&c.name()[raw.len()..], c.usage())
        }
        None => {
            let mut it = COMMANDS.iter().filter(|c| starts_with_ci(c.name, word));
            let c = it.next()?;
            if it.next().is_some() {
                return None;
            }
            (&c.name[word.len()..], c.usage)
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

#[cfg(test)]
mod tests;
