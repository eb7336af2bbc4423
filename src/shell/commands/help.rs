//! `help` and `help COMMAND`: the shell commands' usage and text from the
//! definition, the server's from [`ServerCommand`].

use std::fmt::Write as _;

use super::definition::{definition, find, usage};
use super::ShellError;
use kismet_protocol::ServerCommand;

/// `help` and `help COMMAND`, from the definition.
///
/// # Errors
/// [`ShellError::Usage`] for an unknown command name.
pub fn help_text(topic: Option<&str>) -> Result<String, ShellError> {
    let mut s = String::new();
    match topic {
        None => {
            let _ = writeln!(s, "Commands:");
            for c in definition().get_subcommands() {
                let usage = format!("{} {}", c.get_name(), usage(c));
                let about = c.get_about().map(ToString::to_string).unwrap_or_default();
                let _ = writeln!(s, "  {:<28} {about}", usage.trim_end());
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
            let line = format!("{} {}", c.get_name(), usage(c));
            let _ = writeln!(s, "{}", line.trim_end());
            let text = |t: Option<&clap::builder::StyledStr>| t.map(ToString::to_string);
            if let Some(about) = text(c.get_about()) {
                let _ = writeln!(s, "  {about}");
            }
            if let Some(details) = text(c.get_long_about()).filter(|d| !d.trim().is_empty()) {
                let _ = writeln!(
                    s,
                    "  {}",
                    details.split_whitespace().collect::<Vec<_>>().join(" ")
                );
            }
            let aliases: Vec<&str> = c.get_all_aliases().collect();
            if !aliases.is_empty() {
                let _ = writeln!(s, "  also: {}", aliases.join(", "));
            }
            let examples = text(c.get_after_help()).unwrap_or_default();
            let _ = write!(
                s,
                "  e.g. {}",
                examples.lines().collect::<Vec<_>>().join("  |  ")
            );
        }
    }
    Ok(s)
}
