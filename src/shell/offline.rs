//! A session database opened with no server (`--open FILE`): `networks`,
//! `clients`, `stations`, `network`, `export`, `sessions` and `sql` work on what it holds, as
//! they do live; commands that need a server say so. Interactive (a
//! prompt of its own) or in batch (`-c`, stdin), with the same formats.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use kismet_client::NetworkDetail;
use kismet_db::{Reader, Select};

use super::batch::{EXIT_COMMAND, EXIT_OK};
use super::commands::{self, help_text, Parsed, ShellCommand};
use super::db::{sessions_of, sql_on};
use super::export::{expand_home, options, write_from, Target};
use super::handlers::{DeviceView, Handled, Listing, Pick};
use super::network::network_in;
use super::outcome::{Outcome, ShellError};
use super::render::{self, Format};

/// A database opened read-only.
pub struct Offline {
    reader: Reader,
    path: PathBuf,
}

/// Now, Unix seconds.
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Offline {
    /// Opens the database at `path`.
    ///
    /// # Errors
    /// Not a session database, a newer one, unreadable: as text.
    pub fn open(path: &Path) -> Result<Offline, String> {
        let reader = Reader::open(path).map_err(|e| e.to_string())?;
        Ok(Offline {
            reader,
            path: path.to_path_buf(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The devices `pick` selects, as a listing's view.
    fn view(&self, pick: &Pick) -> Result<DeviceView, ShellError> {
        let now = unix_now();
        let select = Select {
            since: pick.since.map(|age| now.saturating_sub(age)),
            server: pick.server.clone(),
        };
        let snapshot =
            (self.reader.snapshot(&select)).map_err(|e| ShellError::Failed(e.to_string()))?;
        Ok(DeviceView {
            snapshot,
            now,
            as_of: None,
        })
    }

    /// Runs one parsed line.
    pub fn execute(&self, parsed: Parsed) -> Handled {
        use ShellCommand as C;
        let command = match parsed {
            Parsed::Empty => return Ok(Outcome::Nothing),
            Parsed::Raw(_) => return Err(self.needs_server("a raw command")),
            Parsed::Shell(c) => c,
        };
        let command = match Listing::of(command) {
            Ok((listing, pick, wide)) => {
                return listing.run(self.view(&pick)?).map(|o| o.widened(wide))
            }
            Err(other) => other,
        };
        match command {
            C::Export {
                file,
                what,
                format,
                best,
            } => self.export(&file, format, options(what, best)),
            C::Sessions => sessions_of(&self.reader),
            C::Network { net } => network_in(self.view(&Pick::default())?, &net, |bssid| {
                (self.reader.signal_history(bssid))
                    .map(NetworkDetail::with_history)
                    .map_err(|e| ShellError::Failed(e.to_string()))
            }),
            C::Sql { query } => sql_on(&self.reader, &query),
            C::Db { action: None, .. } | C::Status => Ok(Outcome::Note(format!(
                "database {} (opened with --open, read-only: no server)",
                self.path.display()
            ))),
            C::Help { topic } => {
                help_text(topic.as_deref()).map(|text| Outcome::Help { topic, text })
            }
            C::Quit => Ok(Outcome::Quit),
            C::Clear => Ok(Outcome::Clear),
            other => {
                let name = format!("{other:?}");
                let name = name
                    .split(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or("this")
                    .to_ascii_lowercase();
                Err(self.needs_server(&name))
            }
        }
    }

    /// `export FILE` of what the database holds.
    fn export(
        &self,
        file: &str,
        format: Option<kismet_export::Format>,
        options: kismet_export::Options,
    ) -> Handled {
        let path = expand_home(file, std::env::var_os("HOME"));
        let target = Target::new(&path, format).map_err(ShellError::Usage)?;
        let failed = |e: kismet_db::DbError| ShellError::Failed(e.to_string());
        let select = Select::default();
        let snapshot = self.reader.snapshot(&select).map_err(failed)?;
        let history = self.reader.history(&select).map_err(failed)?;
        let source = self.path.display().to_string();
        let written = write_from(&snapshot, &history, &[target], &options, &source);
        match written.into_iter().next() {
            Some(Ok(note)) => Ok(Outcome::Note(note)),
            Some(Err(e)) => Err(ShellError::Failed(e)),
            None => Ok(Outcome::Nothing),
        }
    }

    /// The refusal of a command that needs a server.
    fn needs_server(&self, what: &str) -> ShellError {
        ShellError::Usage(format!(
            "{what} needs a server: {} is a database opened with --open \
             (networks, clients, stations, network, export, sessions and sql work on it)",
            self.path.display()
        ))
    }
}

/// Runs commands on the database (`-c`, or stdin's lines) and prints their
/// results in `format`; the exit status (1 when one failed; the first
/// failure stops the rest unless `keep_going`).
pub fn run_batch(
    offline: &Offline,
    lines: &mut dyn Iterator<Item = io::Result<String>>,
    format: Format,
    keep_going: bool,
    width: Option<usize>,
) -> i32 {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut code = EXIT_OK;
    for line in lines {
        let Ok(line) = line else {
            eprintln!("kismet-shell: reading commands failed");
            return EXIT_COMMAND;
        };
        match commands::parse(&line).and_then(|p| offline.execute(p)) {
            Ok(Outcome::Quit) => break,
            Ok(outcome) => {
                let text = match format {
                    Format::Json => render::outcome_json(&outcome),
                    Format::Csv => render::outcome_csv(&outcome)
                        .or_else(|| Some(render::outcome_text(&outcome, width))),
                    _ => Some(render::outcome_text(&outcome, width)),
                };
                if let Some(text) = text.filter(|t| !t.is_empty()) {
                    if writeln!(out, "{}", text.trim_end_matches('\n')).is_err() {
                        return code;
                    }
                }
            }
            Err(e) => {
                eprintln!("kismet-shell: {e}");
                code = EXIT_COMMAND;
                if !keep_going {
                    break;
                }
            }
        }
    }
    let _ = out.flush();
    code
}

/// The interactive prompt on a database: a line editor with the shell's
/// history, the results printed as text.
pub fn run_interactive(offline: &Offline, history: Option<PathBuf>) -> anyhow::Result<i32> {
    use rustyline::error::ReadlineError;
    let mut rl = rustyline::DefaultEditor::new()?;
    if let Some(h) = &history {
        let _ = rl.load_history(h);
    }
    let name = offline
        .path
        .file_name()
        .map_or_else(|| "db".into(), |n| n.to_string_lossy().into_owned());
    let banner = format!(
        "{} opened (no server): networks, clients, stations, export, sessions, sql; \
         help lists all, quit leaves",
        offline.path.display()
    );
    println!(
        "{}",
        render::layout::wrap(&banner, render::layout::terminal_width())
    );
    let prompt = format!("kismet {name}> ");
    loop {
        match rl.readline(&prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = rl.add_history_entry(line.as_str());
                }
                let width = Some(render::layout::terminal_width());
                match commands::parse(&line).and_then(|p| offline.execute(p)) {
                    Ok(Outcome::Quit) => break,
                    Ok(Outcome::Clear) => print!("\x1b[H\x1b[2J"),
                    Ok(o) => {
                        let text = render::outcome_text(&o, width);
                        if !text.is_empty() {
                            println!("{}", text.trim_end_matches('\n'));
                        }
                    }
                    Err(e) => println!("error: {e}"),
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(anyhow::Error::new(e).context("reading the command line")),
        }
    }
    if let Some(h) = &history {
        let _ = rl.save_history(h);
    }
    Ok(EXIT_OK)
}
