//! Writing an export to a file whole or not at all: to a temporary name
//! beside it, then renamed over it.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{write, Format, Input, Options, Summary};

/// Why an export was not written.
#[derive(Debug)]
#[non_exhaustive]
pub enum ExportError {
    /// The file's extension names no format (and none was given).
    UnknownFormat(String),
    /// Writing failed (nothing was left behind: the old file, if any, is
    /// as it was).
    Io {
        /// The file.
        path: String,
        /// What failed.
        source: io::Error,
    },
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::UnknownFormat(path) => {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                write!(
                    f,
                    "{path}: no export format for this name (end it in .{}, or give the format)",
                    names.join(", .")
                )
            }
            ExportError::Io { path, source } => write!(f, "writing {path}: {source}"),
        }
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Io { source, .. } => Some(source),
            ExportError::UnknownFormat(_) => None,
        }
    }
}

/// The temporary name an export of `path` is written to: hidden, beside
/// it (a rename within one directory is atomic), with this process's id
/// and a number of its own (two writes at once never share one).
fn temporary(path: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()))
}

/// Removes the temporary file when dropped, unless it was renamed.
struct Temporary<'p> {
    path: &'p Path,
    kept: bool,
}

impl Drop for Temporary<'_> {
    fn drop(&mut self) {
        if !self.kept {
            let _ = fs::remove_file(self.path);
        }
    }
}

/// Checks that an export can be written to `path` (before hours of
/// collecting for it): that it is not a directory, and that a file can
/// be made beside it (one is made and removed).
///
/// # Errors
/// [`ExportError::Io`], naming `path`.
pub fn check_writable(path: &Path) -> Result<(), ExportError> {
    let (temp, io_error) = beside(path)?;
    let _guard = Temporary {
        path: &temp,
        kept: false,
    };
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map(drop)
        .map_err(io_error)
}

/// The temporary name to write `path` through, and how an I/O error
/// names `path`.
///
/// # Errors
/// [`ExportError::Io`] when `path` is a directory.
fn beside(
    path: &Path,
) -> Result<(PathBuf, impl Fn(io::Error) -> ExportError + Copy + '_), ExportError> {
    let io_error = move |source: io::Error| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    if path.is_dir() {
        return Err(io_error(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        )));
    }
    Ok((temporary(path), io_error))
}

/// Writes an export of `input` in `format` to `path`: to a temporary
/// file beside it, synced, then renamed over `path`. On any failure the
/// temporary file is removed and `path` is left as it was.
///
/// # Errors
/// [`ExportError::Io`], naming `path`.
pub fn write_file(
    path: &Path,
    format: Format,
    input: &Input<'_>,
    options: &Options,
) -> Result<Summary, ExportError> {
    let (temp, io_error) = beside(path)?;
    let mut guard = Temporary {
        path: &temp,
        kept: false,
    };
    let mut file: File = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temp)
        .map_err(io_error)?;
    let summary = write(format, input, options, &mut file).map_err(io_error)?;
    file.sync_all().map_err(io_error)?;
    drop(file);
    fs::rename(&temp, path).map_err(io_error)?;
    guard.kept = true;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Meta;
    use kismet_client::{History, Snapshot};

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kismet-export-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    /// A path in a directory that does not exist: an error naming the
    /// path, and no file, temporary or not, anywhere.
    #[test]
    fn unwritable_path_fails_and_leaves_nothing() {
        let d = dir("unwritable");
        let path = d.join("missing").join("out.kml");
        let (snap, history) = (Snapshot::default(), History::default());
        let meta = Meta::new("test", "here");
        let input = Input {
            snapshot: &snap,
            history: &history,
            meta: &meta,
        };
        let err = write_file(&path, Format::Kml, &input, &Options::default()).unwrap_err();
        assert!(err.to_string().contains("missing/out.kml"), "{err}");
        assert!(!path.exists());
        assert_eq!(fs::read_dir(&d).unwrap().count(), 0);
        // A directory given as the file: the same.
        let err = write_file(&d, Format::Kml, &input, &Options::default()).unwrap_err();
        assert!(err.to_string().contains("directory"), "{err}");
        assert_eq!(fs::read_dir(&d).unwrap().count(), 0);
        fs::remove_dir_all(&d).unwrap();
    }

    /// A write replaces the old file whole, and leaves no temporary file.
    #[test]
    fn write_replaces_the_file_and_leaves_no_temporary() {
        let d = dir("replace");
        let path = d.join("out.geojson");
        fs::write(&path, "old").unwrap();
        let (snap, history) = (Snapshot::default(), History::default());
        let meta = Meta::new("test", "here");
        let input = Input {
            snapshot: &snap,
            history: &history,
            meta: &meta,
        };
        write_file(&path, Format::GeoJson, &input, &Options::default()).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("FeatureCollection"), "{text}");
        let names: Vec<_> = fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.geojson"]);
        fs::remove_dir_all(&d).unwrap();
    }
}
