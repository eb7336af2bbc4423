//! Why the database cannot be used.

/// Why a database file cannot be opened or written.
#[derive(Debug)]
#[non_exhaustive]
pub enum DbError {
    /// The file is not an SQLite database, or not a session database.
    NotADatabase { path: String, detail: String },
    /// Its schema is newer than this program's.
    NewerSchema {
        path: String,
        found: i64,
        supported: i64,
    },
    /// Another process holds it.
    InUse { path: String },
    /// SQLite failed.
    Sqlite {
        path: String,
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
            DbError::InUse { path } => write!(f, "{path}: in use by another process"),
            DbError::Sqlite { path, error } => write!(f, "{path}: {error}"),
            DbError::Query(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DbError {}
