//! The interactive shell (rustyline). Placeholder loop until the full REPL lands.

use std::path::PathBuf;

use super::commands::{self, Outcome, Parsed, Session};
use super::render;

/// How the interactive shell behaves.
#[derive(Debug, Clone, Default)]
pub struct ReplOptions {
    /// History file; `None` for no history.
    pub history: Option<PathBuf>,
}

/// Runs the interactive shell until quit or Ctrl-D; returns the exit status.
pub fn run(session: Session, _options: ReplOptions) -> anyhow::Result<i32> {
    let mut rl = rustyline::DefaultEditor::new()?;
    loop {
        let line = match rl.readline("kismet> ") {
            Ok(l) => l,
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(rustyline::error::ReadlineError::Eof) => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        match commands::parse(&line).and_then(|p| match p {
            Parsed::Empty => Ok(Outcome::Nothing),
            p => commands::execute(&session, p),
        }) {
            Ok(Outcome::Quit) => return Ok(0),
            Ok(o) => println!("{}", render::outcome_text(&o)),
            Err(e) => println!("error: {e}"),
        }
    }
}
