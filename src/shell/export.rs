//! Exports of the live model to files (see [`kismet_export`]): the
//! `export` command, and `--export FILE` on the command line, written
//! every `--export-every` seconds on a thread of its own and once more at
//! the end.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{bounded, Sender};
use kismet_client::{History, Model, Snapshot};
use kismet_export::{write_file, Format, Input, Meta, Options, Summary, What};

use super::session::Session;

/// The writer's name and version, for the files' headers.
pub const APP: &str = concat!("kismet-shell ", env!("CARGO_PKG_VERSION"));

/// Seconds between the writes of `--export` files when not given.
pub const DEFAULT_EVERY_SECS: f64 = 30.0;

/// One file to export to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Where.
    pub path: PathBuf,
    /// In which format.
    pub format: Format,
}

impl Target {
    /// A file, in the format `format` names, else the one its extension
    /// names.
    ///
    /// # Errors
    /// A message naming the file, when neither names a format.
    pub fn new(path: &Path, format: Option<Format>) -> Result<Target, String> {
        let format = match format {
            Some(f) => f,
            None => Format::from_path(path).map_err(|e| e.to_string())?,
        };
        Ok(Target {
            path: path.to_path_buf(),
            format,
        })
    }
}

/// Writes the model to each target, after one copy of it; for each, the
/// note that says what was written (`wrote 12 networks to a.kml`), or
/// the error.
pub fn write_targets(
    model: &Model,
    targets: &[Target],
    options: &Options,
    source: &str,
) -> Vec<Result<String, String>> {
    write_from(
        &model.snapshot(),
        &model.history(),
        targets,
        options,
        source,
    )
}

/// Writes `snapshot` and `history` (a model's, or a database's) to each
/// target: for each, the note that says what was written, or the error.
pub fn write_from(
    snapshot: &Snapshot,
    history: &History,
    targets: &[Target],
    options: &Options,
    source: &str,
) -> Vec<Result<String, String>> {
    let meta = Meta::new(APP, source);
    let input = Input {
        snapshot,
        history,
        meta: &meta,
    };
    targets
        .iter()
        .map(|t| {
            write_file(&t.path, t.format, &input, options)
                .map(|s: Summary| s.note(t.format, options.what, &t.path.display().to_string()))
                .map_err(|e| super::outcome::without_os_codes(&e.to_string()))
        })
        .collect()
}

/// The `--export` files of a run.
#[derive(Debug, Clone)]
pub struct Exports {
    /// The files.
    pub targets: Vec<Target>,
    /// What they hold.
    pub options: Options,
    /// Time between writes.
    pub every: Duration,
    /// Where the data comes from, for the files' headers (the server's
    /// address, a recording's name).
    pub source: String,
}

/// What the `--export` files are written from: a session's live model,
/// or several servers' devices merged.
pub trait ExportSource: Send + Sync {
    /// The devices, and the GPS track and sightings, to write.
    ///
    /// # Errors
    /// Nothing to export (the live model is not running), as text.
    fn devices(&self) -> Result<(Snapshot, History), String>;
}

impl ExportSource for Session {
    fn devices(&self) -> Result<(Snapshot, History), String> {
        match self.model_if_started() {
            Some(model) => Ok((model.snapshot(), model.history())),
            None => Err("the live model is not running: nothing to export".into()),
        }
    }
}

impl Exports {
    /// Writes every file now, from `from`.
    pub fn write(&self, from: &dyn ExportSource) -> Vec<Result<String, String>> {
        match from.devices() {
            Ok((snapshot, history)) => write_from(
                &snapshot,
                &history,
                &self.targets,
                &self.options,
                &self.source,
            ),
            Err(e) => vec![Err(e)],
        }
    }

    /// Writes every file every [`Exports::every`] on a thread of its own,
    /// until the timer is stopped; errors go to `report` (each new one
    /// once: a full disk is said once, not every 30 s).
    pub fn start_timer(
        self: &Arc<Self>,
        from: Arc<dyn ExportSource>,
        report: impl Fn(&str) + Send + 'static,
    ) -> std::io::Result<Timer> {
        let (stop, stopped) = bounded::<()>(1);
        let exports = self.clone();
        let thread = std::thread::Builder::new()
            .name("kismet-export".into())
            .spawn(move || {
                let mut last_errors: Vec<String> = Vec::new();
                while let Err(crossbeam_channel::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(exports.every)
                {
                    let errors: Vec<String> = (exports.write(from.as_ref()).into_iter())
                        .filter_map(Result::err)
                        .collect();
                    for e in errors.iter().filter(|e| !last_errors.contains(e)) {
                        report(e);
                    }
                    last_errors = errors;
                }
            })?;
        Ok(Timer {
            stop,
            thread: Some(thread),
        })
    }
}

/// The thread writing the `--export` files; stopped (and waited for) when
/// dropped.
#[derive(Debug)]
pub struct Timer {
    stop: Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Timer {
    fn drop(&mut self) {
        let _ = self.stop.try_send(());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A path as typed at the shell's prompt: `~/` at its start is the home
/// directory (`home`), as a command-line shell would have made it.
pub fn expand_home(typed: &str, home: Option<std::ffi::OsString>) -> PathBuf {
    match (typed.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) if !home.is_empty() => PathBuf::from(home).join(rest),
        _ => PathBuf::from(typed),
    }
}

/// `--what` and `--best` as [`Options`].
pub fn options(what: Option<What>, best: bool) -> Options {
    Options {
        what: what.unwrap_or_default(),
        best,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_tilde_is_the_home_directory() {
        let home = Some(std::ffi::OsString::from("/home/u"));
        assert_eq!(
            expand_home("~/maps/a.kml", home.clone()),
            PathBuf::from("/home/u/maps/a.kml")
        );
        assert_eq!(
            expand_home("a~/b.kml", home.clone()),
            PathBuf::from("a~/b.kml")
        );
        assert_eq!(
            expand_home("~user/a.kml", home),
            PathBuf::from("~user/a.kml")
        );
        assert_eq!(expand_home("~/a.kml", None), PathBuf::from("~/a.kml"));
    }
}
