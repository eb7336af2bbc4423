//! The connection to a server and its reader thread.

pub mod connection;
pub mod counts;
pub mod event;
pub mod session;

pub use counts::FrameCounts;
pub use event::{Event, Reply};
pub use session::{Client, Options, PendingReply, ServerInfo, Stats, WaitError, DEFAULT_ADDR};
