//! Tab completion: what the word under the cursor can be, from the
//! definition (which argument, its kind, its possible values) and the
//! names the session knows.

use clap::Arg;
use rustyline::completion::Pair;

use super::place::{place, Place};
use super::{split_at_cursor, starts_with_ci, takes_arguments, Names};
use crate::shell::commands::{self, arg_kind, choices, options, positionals, ArgKind};
use kismet_protocol::{self, CapabilityTable, ServerCommand};

/// The hint at the start of a filter expression.
pub const EXPRESSION_HINT: &str = "FIELD OP VALUE [and|or ...]  (OP: = != < <= > >= ~ !~)";

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

/// The most directory entries a file name's completion looks at.
const MAX_DIR_ENTRIES: usize = 2000;

/// The names in the file system that start with `word` (a path typed so
/// far, perhaps in an open quote): a directory's name ends in `/` and
/// takes no space after it, so that typing goes on inside it; names with
/// spaces are quoted. Names that are not UTF-8 are left out; at most
/// [`MAX_DIR_ENTRIES`] entries are read.
fn complete_path(word: &str, more: bool) -> Vec<Pair> {
    let typed = word.strip_prefix('"').unwrap_or(word);
    let (dir, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let look_in = match dir {
        "" => std::path::PathBuf::from("."),
        // `~/` as the shell's `export` takes it.
        _ => crate::shell::export::expand_home(dir, std::env::var_os("HOME")),
    };
    let Ok(entries) = std::fs::read_dir(look_in) else {
        return Vec::new();
    };
    let mut found: Vec<Pair> = entries
        .take(MAX_DIR_ENTRIES)
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            let path = format!("{dir}{name}{}", if is_dir { "/" } else { "" });
            let mut replacement = quoted_word(&path);
            if is_dir && replacement.ends_with('"') {
                // Typing goes on inside the directory: no closing quote.
                replacement.pop();
            }
            if more && !is_dir {
                replacement.push(' ');
            }
            Some(Pair {
                display: format!("{name}{}", if is_dir { "/" } else { "" }),
                replacement,
            })
        })
        .collect();
    found.sort_by(|a, b| a.display.cmp(&b.display));
    found
}

/// `name` as one word of a command line: in double quotes when it holds a
/// space or starts with one (the parser groups "double quotes").
pub fn quoted_word(name: &str) -> String {
    if name.is_empty() || name.contains(char::is_whitespace) {
        format!("\"{name}\"")
    } else {
        name.to_string()
    }
}

/// Tab completion of `line` with the cursor at byte `pos`, given the
/// capability table and the protocols enabled: where the replaced text
/// starts and the candidates (canonical names, matched case-insensitively).
///
/// Completes shell command names, `!` server command names, and each
/// argument by what the definition says it is: protocol names, the field
/// under the cursor in an `enable PROTO f1,f2` list (fields already listed
/// are not offered again; `*` only as the whole list), enabled protocols,
/// networks, a filter expression's fields, operators and keywords, option
/// names and an argument's possible values (`networks --sort ` offers the
/// sort columns).
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
    let (done, start, word) = split_at_cursor(line, pos);
    let Some(first) = done.first() else {
        let skip = usize::from(word.starts_with('!'));
        return (start + skip, complete_command_name(word));
    };
    let at = Cursor {
        line,
        pos,
        start,
        word,
        names,
    };
    if let Some(raw) = first.strip_prefix('!') {
        let Some(c) = ServerCommand::from_name(raw) else {
            return (start, Vec::new());
        };
        let index = done.len() - 1;
        let Some(kind) = c.args().get(index) else {
            return (start, Vec::new());
        };
        let more = index + 1 < c.args().len();
        return at.value(ArgKind::from(*kind), None, more, &done);
    }
    let Some(cmd) = commands::find(first) else {
        return (start, Vec::new());
    };
    match place(cmd, &done[1..]) {
        Place::Nowhere => (start, Vec::new()),
        Place::OptionValue { arg, .. } => at.choices(arg, true),
        Place::Subcommand(cmd) => {
            let c = cmd
                .get_subcommands()
                .filter(|c| starts_with_ci(c.get_name(), word))
                .map(|c| pair(c.get_name(), takes_arguments(c)))
                .collect();
            (start, c)
        }
        Place::Expression { values, before } => {
            let proto = values.last().copied().unwrap_or("");
            let fields: Vec<String> = names
                .enabled
                .iter()
                .find(|(p, _)| p.eq_ignore_ascii_case(proto))
                .map(|(_, f)| f.to_vec())
                .or_else(|| names.table.get(proto).map(|p| p.fields.to_vec()))
                .unwrap_or_default();
            // `(mac`: only the name after the parentheses is replaced.
            let skip = word.len() - word.trim_start_matches('(').len();
            let c = complete_expression(&before, &word[skip..], &fields);
            (start + skip, c)
        }
        Place::Positional {
            cmd,
            index,
            values,
            given,
        } => {
            // Past the last positional, a list (`hop SOURCE CHANNELS...`)
            // takes more.
            let arg = positionals(cmd).nth(index).or_else(|| {
                positionals(cmd)
                    .last()
                    .filter(|a| matches!(a.get_action(), clap::ArgAction::Append))
            });
            let open: Vec<&Arg> = options(cmd)
                .filter(|o| !given.contains(&o.get_id().as_str()))
                .collect();
            // The options not given yet.
            let flags = || -> Vec<Pair> {
                open.iter()
                    .filter_map(|o| Some((o.get_long()?, commands::takes_value(o))))
                    .map(|(long, value)| (format!("--{long}"), value))
                    .filter(|(flag, _)| starts_with_ci(flag, word))
                    .map(|(flag, value)| pair(&flag, value))
                    .collect()
            };
            let Some(arg) = arg.filter(|_| open.is_empty() || !word.starts_with('-')) else {
                // Past the positionals, or a `-`.
                return (start, flags());
            };
            let more = positionals(cmd).count() > index + 1;
            let (start, mut c) = match arg_kind(arg) {
                Some(kind) => at.value(kind, Some(arg), more, &values),
                None => (start, Vec::new()),
            };
            // Nothing typed where an optional word may go: the options too
            // (`networks ` offers `near` and `--sort`).
            if word.is_empty() && !arg.is_required_set() {
                c.extend(flags());
            }
            (start, c)
        }
    }
}

/// The word under the cursor and what completing it draws on.
struct Cursor<'a> {
    line: &'a str,
    pos: usize,
    /// Where the word starts.
    start: usize,
    word: &'a str,
    names: &'a Names,
}

impl Cursor<'_> {
    /// Candidates for an argument of kind `kind` (`arg`, when it is one of
    /// the definition's); `more` when another argument follows, `before`
    /// the argument words before it (the last: the protocol of a field
    /// list; the first: the source of a channel).
    fn value(
        &self,
        kind: ArgKind,
        arg: Option<&Arg>,
        more: bool,
        before: &[&str],
    ) -> (usize, Vec<Pair>) {
        let (start, word, names) = (self.start, self.word, self.names);
        let prev = before.last().copied();
        let filtered = |items: &mut dyn Iterator<Item = &str>, more: &dyn Fn(&str) -> bool| {
            items
                .filter(|n| starts_with_ci(n, word))
                .map(|n| pair(n, more(n)))
                .collect::<Vec<Pair>>()
        };
        match kind {
            ArgKind::Server(kismet_protocol::ArgKind::Protocol) => {
                (start, complete_protocol(word, more, &names.table))
            }
            ArgKind::Server(kismet_protocol::ArgKind::FieldList) => self.field_list(prev),
            ArgKind::Server(_) | ArgKind::Expression | ArgKind::Sql | ArgKind::Line => {
                (start, Vec::new())
            }
            ArgKind::ServerName => {
                let mut it = (names.servers.iter().map(String::as_str)).chain(["all"]);
                (start, filtered(&mut it, &|_| more))
            }
            ArgKind::EnabledProtocol => {
                let mut it = names.enabled.iter().map(|(p, _)| p.as_str());
                (start, filtered(&mut it, &|_| more))
            }
            ArgKind::Choice => match arg {
                Some(arg) => self.choices(arg, more),
                None => (start, Vec::new()),
            },
            ArgKind::Topic => {
                if let Some(raw) = word.strip_prefix('!') {
                    let c = ServerCommand::ALL
                        .iter()
                        .filter(|c| starts_with_ci(c.name(), raw))
                        .map(|c| pair(c.name(), false))
                        .collect();
                    (start + 1, c)
                } else {
                    let mut it = commands::definition()
                        .get_subcommands()
                        .map(|c| c.get_name());
                    (start, filtered(&mut it, &|_| false))
                }
            }
            ArgKind::WatchTarget => {
                // Only `clients` takes another argument (a network).
                let mut it = [
                    "networks", "clients", "stations", "channels", "status", "sources", "alerts",
                ]
                .into_iter()
                .chain(names.enabled.iter().map(|(p, _)| p.as_str()));
                (start, filtered(&mut it, &|s| s == "clients"))
            }
            ArgKind::File => (start, complete_path(word, more)),
            // A name with spaces is offered in quotes, so that the line
            // still parses; typing may start inside an open quote.
            ArgKind::Source => {
                let typed = word.strip_prefix('"').unwrap_or(word);
                let c = names
                    .sources
                    .iter()
                    .filter(|n| starts_with_ci(n, typed))
                    .map(|n| Pair {
                        display: n.clone(),
                        replacement: quoted_word(n),
                    })
                    .collect();
                (start, c)
            }
            ArgKind::Channel => {
                let source = before.first().map(|s| s.trim_matches('"'));
                let channels = (names.source_channels.iter())
                    .find(|(n, _)| source.is_some_and(|s| n.eq_ignore_ascii_case(s)))
                    .map(|(_, c)| c.iter().map(u32::to_string).collect::<Vec<_>>())
                    .unwrap_or_default();
                let mut it = channels.iter().map(String::as_str);
                (start, filtered(&mut it, &|_| more))
            }
            ArgKind::Network | ArgKind::AnyNetwork => {
                let typed = word.strip_prefix('"').unwrap_or(word);
                let list = match kind {
                    ArgKind::Network => &names.networks,
                    _ => &names.all_networks,
                };
                let c = list
                    .iter()
                    .filter(|n| starts_with_ci(n, typed))
                    .map(|n| Pair {
                        display: n.clone(),
                        replacement: quoted_word(n),
                    })
                    .collect();
                (start, c)
            }
        }
    }

    /// An argument's possible values from the definition.
    fn choices(&self, arg: &Arg, more: bool) -> (usize, Vec<Pair>) {
        let c = choices(arg)
            .iter()
            .filter(|v| starts_with_ci(v, self.word))
            .map(|v| pair(v, more))
            .collect();
        (self.start, c)
    }

    /// The field under the cursor in a comma list of `proto`'s fields.
    fn field_list(&self, proto: Option<&str>) -> (usize, Vec<Pair>) {
        let (start, word) = (self.start, self.word);
        let Some(proto) = proto.and_then(|p| self.names.table.get(p)) else {
            return (start, Vec::new());
        };
        // The whole word, also the part after the cursor, for "already listed".
        let tail = self
            .line
            .get(self.pos..)
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
    let commands = || commands::definition().get_subcommands();
    let mut names: Vec<Pair> = commands()
        .filter(|c| starts_with_ci(c.get_name(), word))
        .map(|c| pair(c.get_name(), takes_arguments(c)))
        .collect();
    // Aliases too (`disa` -> `disable`), but not in the list of everything.
    if !word.is_empty() {
        names.extend(
            commands()
                .flat_map(|c| c.get_all_aliases().map(move |a| (a, c)))
                .filter(|(a, _)| starts_with_ci(a, word))
                .map(|(a, c)| pair(a, takes_arguments(c))),
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
