//! Where the cursor is in a shell command's arguments: the words typed
//! before it, walked through the command's definition (options and their
//! values, a subcommand, positionals in order, an expression that takes
//! the rest of the line).

use clap::{Arg, ArgAction, Command};

use crate::shell::commands::{arg_kind, options, positionals, subcommand, takes_value, ArgKind};

/// What the word under the cursor is.
#[derive(Debug)]
pub(super) enum Place<'w> {
    /// Nothing the definition knows (an unknown subcommand).
    Nowhere,
    /// The value of an option (`networks --sort |`).
    OptionValue {
        /// The command the option belongs to.
        cmd: &'static Command,
        /// The option.
        arg: &'static Arg,
        /// Positionals typed so far.
        index: usize,
        /// Options given so far (ids), this one too, but those that may
        /// be repeated.
        given: Vec<&'static str>,
    },
    /// A subcommand's name (`set |`).
    Subcommand(&'static Command),
    /// The `index`-th positional of `cmd` (maybe past the last one).
    Positional {
        /// The command (or the subcommand reached).
        cmd: &'static Command,
        /// Which positional.
        index: usize,
        /// The positional words typed before it.
        values: Vec<&'w str>,
        /// Options given so far (ids), but those that may be repeated.
        given: Vec<&'static str>,
    },
    /// Inside an expression, which takes the rest of the line.
    Expression {
        /// The positional words typed before the expression (its protocol
        /// last).
        values: Vec<&'w str>,
        /// The words of the expression before the cursor.
        before: Vec<&'w str>,
    },
}

/// Where the cursor is after `words`, the complete words typed after the
/// name of the shell command `cmd`.
pub(super) fn place<'w>(cmd: &'static Command, words: &[&'w str]) -> Place<'w> {
    let mut cur = cmd;
    let mut values: Vec<&'w str> = Vec::new();
    let mut given: Vec<&'static str> = Vec::new();
    let is_expression = |cur: &'static Command, index: usize| {
        positionals(cur)
            .nth(index)
            .is_some_and(|a| arg_kind(a) == Some(ArgKind::Expression))
    };
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if is_expression(cur, values.len()) {
            return Place::Expression {
                values,
                before: words[i..].to_vec(),
            };
        }
        if let Some((opt, inline)) = option_named(cur, w) {
            // One that may be repeated (`--type`) stays to be offered.
            if !matches!(opt.get_action(), ArgAction::Append) {
                given.push(opt.get_id().as_str());
            }
            if takes_value(opt) && !inline {
                if i + 1 == words.len() {
                    return Place::OptionValue {
                        cmd: cur,
                        arg: opt,
                        index: values.len(),
                        given,
                    };
                }
                i += 1;
            }
        } else if cur.has_subcommands() {
            let Some(sub) = subcommand(cur, w) else {
                return Place::Nowhere;
            };
            cur = sub;
            given.clear();
        } else {
            values.push(w);
        }
        i += 1;
    }
    if cur.has_subcommands() {
        Place::Subcommand(cur)
    } else if is_expression(cur, values.len()) {
        Place::Expression {
            values,
            before: Vec::new(),
        }
    } else {
        Place::Positional {
            cmd: cur,
            index: values.len(),
            values,
            given,
        }
    }
}

/// The option of `cmd` that `word` names (`--sort`, `-s`), and whether
/// its value is in the word too (`--sort=ssid`, `-sssid`).
fn option_named(cmd: &'static Command, word: &str) -> Option<(&'static Arg, bool)> {
    if let Some(long) = word.strip_prefix("--") {
        let (name, inline) = long
            .split_once('=')
            .map_or((long, false), |(n, _)| (n, true));
        return options(cmd)
            .find(|a| a.get_long() == Some(name))
            .map(|a| (a, inline));
    }
    let mut chars = word.strip_prefix('-')?.chars();
    let short = chars.next()?;
    options(cmd)
        .find(|a| a.get_short() == Some(short))
        .map(|a| (a, chars.next().is_some()))
}
