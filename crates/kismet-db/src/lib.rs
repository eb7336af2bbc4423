//! The session database: what kismet-shell saw, kept in an SQLite file
//! on the user's machine, written as it arrives (a [`Writer`] on a thread
//! of its own, in batched transactions, WAL mode) and read again offline
//! (a [`Reader`]).
//!
//! The schema ([`SCHEMA`]) is a user-facing interface: its tables and
//! columns keep their names so that users' queries keep working; columns
//! may be added (and the schema version raised, with a migration).
//!
//! - [`Writer::start`] opens (or creates) a file, checks it is a session
//!   database of this schema or an older one (migrated) and not a newer
//!   one (refused), and starts the writer thread. [`Writer::send`] queues
//!   an [`Item`] without waiting for the disk: the queue is bounded, and
//!   when it is full observations and GPS rows are thinned (dropped and
//!   counted in [`WriterStats`]); sessions, messages and alerts wait for
//!   room. [`Writer::devices`] hands over the latest state of every
//!   device of a server: only the newest set of each server is kept
//!   until written, so device rows are never lost, only superseded.
//! - [`Reader::open`] opens a file read-only (an older schema is refused,
//!   not migrated: a writer does that): the devices as the model's
//!   views ([`Reader::snapshot`]), the sessions, the GPS track and the
//!   observations as a [`kismet_client::History`] (for exports), and
//!   read-only SQL ([`Reader::query`]).
//!
//! # Examples
//! ```
//! use kismet_client::Snapshot;
//! use kismet_db::{Item, Reader, Select, SessionStart, Writer, WriterOptions};
//!
//! let dir = std::env::temp_dir().join(format!("kismet-db-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("session.db");
//! # let _ = std::fs::remove_file(&path);
//! let writer = Writer::start(&path, WriterOptions::default())?;
//! writer.send(Item::SessionStart(SessionStart {
//!     server: "localhost:2501".into(),
//!     server_name: Some("Kismet".into()),
//!     started: 1_700_000_000,
//!     greeting: None,
//! }));
//! writer.devices("localhost:2501", Snapshot::default());
//! let stats = writer.close();
//! assert_eq!((stats.sessions, stats.error), (1, None));
//!
//! let reader = Reader::open(&path)?;
//! assert_eq!(reader.sessions()?[0].server, "localhost:2501");
//! assert!(reader.snapshot(&Select::default())?.networks.is_empty());
//! let rows = reader.query("SELECT count(*) FROM sessions", 10)?;
//! assert_eq!(rows.rows[0][0], kismet_db::SqlValue::Integer(1));
//! # drop(reader);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod file;
mod items;
mod reader;
mod rows;
mod schema;
mod worker;
mod writer;

#[cfg(test)]
mod tests;

pub use error::DbError;
pub use items::{
    AlertRow, GpsRow, Item, MessageRow, Observation, SessionEnd, SessionStart, WriterOptions,
    WriterStats,
};
pub use reader::{QueryResult, Reader, Select, SessionRow, SqlValue, DEFAULT_QUERY_TIMEOUT};
pub use schema::{SCHEMA, SCHEMA_VERSION};
pub use writer::Writer;
