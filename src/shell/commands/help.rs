//! `help` and `help COMMAND`: the shell commands' usage and text from the
//! definition, the server's from [`ServerCommand`]; laid out to fit
//! [`WIDTH`] columns (a narrower terminal wraps it again).

use std::fmt::Write as _;

use super::definition::{definition, find, usage};
use super::ShellError;
use crate::shell::render::layout::wrap;
use kismet_protocol::ServerCommand;

/// The width help text fits.
pub const WIDTH: usize = 80;

/// Width of the name-and-usage column of the list of commands.
const USAGE_COLUMN: usize = 28;

/// Width of the name column of the list of server commands.
const SERVER_COLUMN: usize = 19;

/// Narrowest the description column of a list may get: on a terminal
/// narrower than that beside the name column, descriptions go under their
/// names.
const MIN_DESCRIPTION: usize = 20;

/// One entry of a list: `  HEAD`, padded to `column`, then `text`,
/// wrapped under itself to `width`; `HEAD` has a line of its own when it
/// is wider than the column (or the terminal too narrow for two columns).
fn entry(s: &mut String, head: &str, column: usize, text: &str, width: usize) {
    let column = if width < 2 + column + 1 + MIN_DESCRIPTION {
        2
    } else {
        column
    };
    let indent = " ".repeat(2 + column + 1);
    let mut line = format!("  {head:<column$} ");
    if line.chars().count() > indent.len() {
        // A head wider than the terminal wraps between its words too, and
        // a list of alternatives wider than it after a `|`.
        let head = break_alternatives(line.trim_end(), width.saturating_sub(2));
        let _ = writeln!(s, "{}", wrap(&head, width));
        line.clone_from(&indent);
    }
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            let _ = writeln!(s, "{line}");
            line.clone_from(&indent);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    let _ = writeln!(s, "{}", line.trim_end());
}

/// `text` with a space after a `|` wherever one of its words, a list of
/// alternatives (`networks|clients|stations|channels|status|PROTO`), is wider than
/// `room`: each piece then fits, so the list wraps between alternatives
/// as text wraps between words.
fn break_alternatives(text: &str, room: usize) -> String {
    let words = text.split(' ').map(|word| {
        if word.chars().count() <= room {
            return word.to_string();
        }
        let mut out = String::new();
        let mut piece = 0;
        for alt in word.split_inclusive('|') {
            let n = alt.chars().count();
            if piece > 0 && piece + n > room {
                out.push(' ');
                piece = 0;
            }
            out.push_str(alt);
            piece += n;
        }
        out
    });
    words.collect::<Vec<_>>().join(" ")
}

/// `help` and `help COMMAND`, from the definition, laid out for [`WIDTH`]
/// columns.
///
/// # Errors
/// [`ShellError::Usage`] for an unknown command name.
pub fn help_text(topic: Option<&str>) -> Result<String, ShellError> {
    help_text_at(topic, WIDTH)
}

/// [`help_text`] laid out for `width` columns (at most [`WIDTH`]): two
/// columns, the descriptions wrapped in theirs, as psql's `\?` does.
///
/// # Errors
/// As [`help_text`].
pub fn help_text_at(topic: Option<&str>, width: usize) -> Result<String, ShellError> {
    let width = width.min(WIDTH);
    let mut s = String::new();
    match topic {
        None => {
            let _ = writeln!(s, "Commands:");
            for c in definition().get_subcommands() {
                let usage = format!("{} {}", c.get_name(), usage(c));
                let about = c.get_about().map(ToString::to_string).unwrap_or_default();
                entry(&mut s, usage.trim_end(), USAGE_COLUMN, &about, width);
            }
            entry(
                &mut s,
                "!CMD args...",
                USAGE_COLUMN,
                "send a raw server command (help ! lists them)",
                width,
            );
            s.push_str(&wrap(
                "Tab completes commands, protocols and fields; Ctrl-R searches history.",
                width,
            ));
        }
        Some("!") => {
            let _ = writeln!(
                s,
                "{}",
                wrap(
                    "Server commands (type them after '!'; the id is added for you):",
                    width
                )
            );
            for c in ServerCommand::ALL {
                let warn = if c.is_dangerous() {
                    "  (asks to confirm)"
                } else {
                    ""
                };
                let head = format!("!{}", c.name());
                entry(
                    &mut s,
                    &head,
                    SERVER_COLUMN,
                    &format!("{}{warn}", c.usage()),
                    width,
                );
            }
            s.push_str(&wrap(
                "Arguments with spaces: wrap them in \"double quotes\".",
                width,
            ));
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
            let line = format!("{} {}", c.get_name(), usage(c));
            // A long usage wraps between its words, the rest indented.
            let _ = writeln!(
                s,
                "{}",
                wrap(line.trim_end(), width).replace('\n', "\n    ")
            );
            let text = |t: Option<&clap::builder::StyledStr>| t.map(ToString::to_string);
            let paragraph = |s: &mut String, text: &str| {
                let words: Vec<&str> = text.split_whitespace().collect();
                let _ = writeln!(s, "{}", wrap(&format!("  {}", words.join(" ")), width));
            };
            if let Some(about) = text(c.get_about()) {
                paragraph(&mut s, &about);
            }
            if let Some(details) = text(c.get_long_about()).filter(|d| !d.trim().is_empty()) {
                paragraph(&mut s, &details);
            }
            let aliases: Vec<&str> = c.get_all_aliases().collect();
            if !aliases.is_empty() {
                let _ = writeln!(s, "  also: {}", aliases.join(", "));
            }
            // Examples on one line when they fit, else one a line.
            let examples = text(c.get_after_help()).unwrap_or_default();
            let examples: Vec<&str> = examples.lines().collect();
            let one_line = format!("  e.g. {}", examples.join("  |  "));
            if one_line.chars().count() <= width {
                s.push_str(&one_line);
            } else {
                let _ = write!(s, "  e.g. {}", examples.join("\n       "));
            }
        }
    }
    Ok(s)
}
