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
//!   device: only the newest set is kept until written, so device rows
//!   are never lost, only superseded.
//! - [`Reader::open`] opens a file read-only: the devices as the model's
//!   views ([`Reader::snapshot`]), the sessions, the GPS track and the
//!   observations as a [`kismet_client::History`] (for exports), and
//!   read-only SQL ([`Reader::query`]).

#![forbid(unsafe_code)]

mod error;
mod reader;
mod schema;
mod writer;

pub use error::DbError;
pub use reader::{QueryResult, Reader, Select, SessionRow, SqlValue};
pub use schema::{SCHEMA, SCHEMA_VERSION};
pub use writer::{
    AlertRow, GpsRow, Item, MessageRow, Observation, SessionEnd, SessionStart, Writer,
    WriterOptions, WriterStats,
};
