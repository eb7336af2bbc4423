//! The connection to a server: the client API, the handshake, the reader
//! thread and reconnecting, the events and typed errors.
//!
//! - [`api`]: [`Client`], [`PendingReply`], [`Wait`]
//! - [`handshake`]: connecting, the greeting and the CAPABILITY round
//! - [`reader`]: the read loop: frames in batches, replies matched
//! - [`reconnect`]: the reader thread's loop, reconnect with backoff
//! - [`stage`]: a batch's last step: the tracker fed (on its own thread
//!   while one is set), the frames cut and sent
//! - [`state`]: what the handle and the reader thread share; [`Options`],
//!   [`Tracker`]
//! - [`subs`]: the user's and the tracker's subscriptions, and their union
//! - [`event`]: [`Event`], [`ServerInfo`]
//! - [`reply`]: [`Reply`], [`ReplyKind`]
//! - [`error`]: [`Error`], [`HandshakeError`], [`DisconnectReason`]
//! - [`counts`]: frames per protocol and their rates

mod cache;
pub mod filter;
pub mod model;

pub mod api;
pub mod counts;
pub mod error;
pub mod event;
pub mod handshake;
pub mod reader;
pub mod reconnect;
pub mod reply;
pub mod stage;
pub mod state;
pub mod subs;
mod view;

pub use api::{Client, PendingReply, Wait};
pub use counts::FrameCounts;
pub use error::{DisconnectReason, Error, HandshakeError};
pub use event::{Event, ServerInfo};
pub use reply::{Reply, ReplyKind};
pub use state::{Options, Stats, Tracker, MAX_BATCH_BYTES, MAX_BATCH_FRAMES};
