//! Long command output through a pager, as psql does: when stdout is a
//! terminal and the text is taller than the screen, it goes to `$PAGER`
//! (`less -FRX` when unset; no pager when set but empty, or with
//! `--no-pager`), so a table can be read before frames scroll it away.

use std::io::Write;
use std::process::{Command, Stdio};

/// How long output is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// The pager's command line (run by `sh -c`); `None`: never page.
    command: Option<String>,
}

/// The pager when `PAGER` is unset: quits at once if the text fits (-F),
/// keeps colours (-R), leaves the text on the screen when it quits (-X).
pub const DEFAULT_PAGER: &str = "less -FRX";

impl Pager {
    /// No pager.
    pub fn none() -> Pager {
        Pager { command: None }
    }

    /// The pager from the value of `PAGER` (`None`: unset), unless
    /// `disabled`.
    pub fn from_env(pager: Option<&str>, disabled: bool) -> Pager {
        let command = match pager {
            _ if disabled => None,
            None => Some(DEFAULT_PAGER.to_string()),
            Some(p) if p.trim().is_empty() => None,
            Some(p) => Some(p.to_string()),
        };
        Pager { command }
    }

    /// True when `text` would go through the pager on a screen `rows` high.
    pub fn wants(&self, text: &str, rows: Option<usize>) -> bool {
        match (&self.command, rows) {
            (Some(_), Some(rows)) => text.lines().count() + 1 > rows,
            _ => false,
        }
    }

    /// Shows `text` through the pager and waits for it to end; false when
    /// the pager could not be started (the caller prints the text then).
    pub fn show(&self, text: &str) -> bool {
        let Some(command) = &self.command else {
            return false;
        };
        let child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            return false;
        };
        if let Some(mut stdin) = child.stdin.take() {
            // The pager may quit before reading everything (`q`): fine.
            let _ = stdin.write_all(text.as_bytes());
            let _ = stdin.write_all(b"\n");
        }
        match child.wait() {
            // `sh` says 127 when the pager is not installed: print instead.
            Ok(status) => status.code() != Some(127),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PAGER is honoured; empty or --no-pager means none; unset means less.
    #[test]
    fn pager_from_env() {
        assert_eq!(
            Pager::from_env(None, false).command.as_deref(),
            Some(DEFAULT_PAGER)
        );
        assert_eq!(
            Pager::from_env(Some("most"), false).command.as_deref(),
            Some("most")
        );
        assert_eq!(Pager::from_env(Some(" "), false), Pager::none());
        assert_eq!(Pager::from_env(Some("most"), true), Pager::none());
    }

    /// Only text taller than the screen is paged, and only with a pager.
    #[test]
    fn pages_only_tall_text() {
        let p = Pager::from_env(Some("cat"), false);
        let tall = "x\n".repeat(30);
        assert!(p.wants(&tall, Some(24)));
        assert!(!p.wants("one\ntwo", Some(24)));
        assert!(!p.wants(&tall, None));
        assert!(!Pager::none().wants(&tall, Some(24)));
    }
}
