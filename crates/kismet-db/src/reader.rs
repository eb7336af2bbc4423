//! Reading a session database: the devices as views, the sessions, the
//! track and observations, and read-only SQL.

use std::path::Path;

use kismet_client::{History, Snapshot};

use crate::DbError;

/// Which devices [`Reader::snapshot`] gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Select {
    /// Only those last seen at or after this (Unix seconds).
    pub since: Option<u64>,
    /// Only those of this server (its address, or its name).
    pub server: Option<String>,
}

/// A `sessions` row.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub id: i64,
    pub server: String,
    pub server_name: Option<String>,
    pub started: u64,
    pub ended: Option<u64>,
    /// Devices seen in it (observations' distinct MACs).
    pub devices: u64,
    /// Its observations.
    pub observations: u64,
}

/// A value a query returned.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    /// A BLOB, as its length.
    Blob(usize),
}

/// What a query returned.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
    /// Rows left out past the limit asked for.
    pub truncated: bool,
}

/// A database opened read-only.
#[derive(Debug)]
pub struct Reader {
    _private: (),
}

impl Reader {
    /// Opens `path` read-only.
    ///
    /// # Errors
    /// [`DbError`].
    pub fn open(path: &Path) -> Result<Reader, DbError> {
        let _ = path;
        unimplemented!("kismet-db reader")
    }

    /// The devices, as the live model's views (networks sorted by BSSID,
    /// clients by BSSID then MAC; over several servers, a BSSID seen by
    /// two is the one last seen).
    pub fn snapshot(&self, select: &Select) -> Result<Snapshot, DbError> {
        let _ = select;
        unimplemented!("kismet-db reader")
    }

    /// The sessions, oldest first.
    pub fn sessions(&self) -> Result<Vec<SessionRow>, DbError> {
        unimplemented!("kismet-db reader")
    }

    /// The GPS track and the observations with a position, as the
    /// model's history (for exports).
    pub fn history(&self, select: &Select) -> Result<History, DbError> {
        let _ = select;
        unimplemented!("kismet-db reader")
    }

    /// Runs a read-only query; at most `limit` rows.
    pub fn query(&self, sql: &str, limit: usize) -> Result<QueryResult, DbError> {
        let _ = (sql, limit);
        unimplemented!("kismet-db reader")
    }
}
