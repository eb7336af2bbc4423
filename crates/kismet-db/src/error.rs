//! Why the database cannot be used.

use std::path::Path;

use rusqlite::ErrorCode;

/// Why a database file cannot be opened or written.
#[derive(Debug)]
#[non_exhaustive]
pub enum DbError {
    /// The file is not an SQLite database, or not a session database.
    NotADatabase {
        /// The file.
        path: String,
        /// What it is instead.
        detail: String,
    },
    /// Its schema is newer than this program's.
    NewerSchema {
        /// The file.
        path: String,
        /// The file's schema version.
        found: i64,
        /// This program's ([`SCHEMA_VERSION`](crate::SCHEMA_VERSION)).
        supported: i64,
    },
    /// Its schema is older than this program's, and the file was opened
    /// read-only: opening it once for writing brings it up to date.
    OlderSchema {
        /// The file.
        path: String,
        /// The file's schema version.
        found: i64,
        /// This program's ([`SCHEMA_VERSION`](crate::SCHEMA_VERSION)).
        supported: i64,
    },
    /// Another process holds it.
    InUse {
        /// The file.
        path: String,
    },
    /// SQLite failed.
    Sqlite {
        /// The file.
        path: String,
        /// SQLite's error.
        error: rusqlite::Error,
    },
    /// A query was refused (not read-only, not valid).
    Query(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::NotADatabase { path, detail } => {
                write!(f, "{path}: not a kismet-shell database ({detail})")
            }
            DbError::NewerSchema { path, found, supported } => write!(
                f,
                "{path}: written by a newer kismet-shell (schema {found}; this one reads up to {supported})"
            ),
            DbError::OlderSchema { path, found, supported } => write!(
                f,
                "{path}: written by an older kismet-shell (schema {found}; this one reads {supported}): \
                 open it once with --db to update it"
            ),
            DbError::InUse { path } => write!(f, "{path}: in use by another process"),
            DbError::Sqlite { path, error } => write!(f, "{path}: {error}"),
            DbError::Query(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DbError::Sqlite { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl DbError {
    /// The error for what SQLite said about the file at `path`: "not a
    /// database" and "busy" (or locked) get their own kinds, the rest is
    /// [`DbError::Sqlite`].
    pub(crate) fn from_sqlite(path: &Path, error: rusqlite::Error) -> DbError {
        let path = path.display().to_string();
        match error_code(&error) {
            Some(ErrorCode::NotADatabase) => DbError::NotADatabase {
                path,
                detail: "not an SQLite file".into(),
            },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => DbError::InUse { path },
            _ => DbError::Sqlite { path, error },
        }
    }

    /// [`DbError::NotADatabase`] with `detail`.
    pub(crate) fn not_ours(path: &Path, detail: impl Into<String>) -> DbError {
        DbError::NotADatabase {
            path: path.display().to_string(),
            detail: detail.into(),
        }
    }
}

/// SQLite's code for an error, when SQLite made it (rusqlite's
/// `sqlite_error_code` leaves out errors that point into the SQL).
pub(crate) fn error_code(error: &rusqlite::Error) -> Option<ErrorCode> {
    match error {
        rusqlite::Error::SqlInputError { error, .. } => Some(error.code),
        other => other.sqlite_error_code(),
    }
}

/// SQLite's own words for an error, without rusqlite's wrapping (for a
/// refused query, shown to the user as is).
pub(crate) fn sqlite_message(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        rusqlite::Error::SqliteFailure(e, Some(msg)) => {
            if msg.is_empty() {
                e.to_string()
            } else {
                msg.clone()
            }
        }
        other => other.to_string(),
    }
}

/// An SQLite failure of our own making, with its message.
pub(crate) fn failure(code: std::ffi::c_int, message: String) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some(message))
}
