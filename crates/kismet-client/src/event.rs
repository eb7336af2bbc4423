//! What the reader thread hands to the client's user: events, and what the
//! server said about itself.

use std::time::Duration;

use crate::error::{DisconnectReason, Error};
use kismet_protocol::Frame;

/// What the server said about itself in its greeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerInfo {
    /// `version` (always `0.0.0` on a legacy server).
    pub version: String,
    /// `starttime`, epoch seconds.
    pub start_time: u64,
    /// `servername` as text (bytes that are not UTF-8 as U+FFFD; not
    /// sanitised).
    pub name: String,
    /// `servername` as sent: show it on a terminal through
    /// `kismet_protocol::text::display`, which writes a byte that is not
    /// UTF-8 as `\xNN`, as it does in frames.
    pub name_bytes: Vec<u8>,
    /// Protocols named in PROTOCOLS, in order.
    pub protocols: Vec<String>,
}

/// One event from the reader thread.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// Frames parsed from one read of the socket, in arrival order. Frames
    /// travel in batches so the channel costs one operation per read, not
    /// one per frame.
    Frames(Vec<Frame>),
    /// Frames were dropped because the consumer fell behind (the channel was
    /// full); `counts` is per protocol.
    Dropped {
        /// (protocol, frames dropped) since the last report.
        counts: Vec<(String, u64)>,
    },
    /// The connection ended. Pending commands have been answered
    /// "connection lost". Unless the client reconnects, nothing more comes.
    Disconnected {
        /// Why.
        reason: DisconnectReason,
    },
    /// The client will try to connect again after `delay`.
    Reconnecting {
        /// Attempt number, from 1.
        attempt: u32,
        /// Wait before this attempt.
        delay: Duration,
    },
    /// An attempt to reconnect failed; another follows.
    ReconnectFailed {
        /// Attempt number, from 1.
        attempt: u32,
        /// What went wrong.
        error: Error,
    },
    /// Connected again: handshake done, subscriptions re-enabled.
    Reconnected {
        /// The server's greeting.
        info: ServerInfo,
    },
    /// After a reconnect, a command that puts a subscription back (an
    /// ENABLE with the fields of before, or the REMOVE of an always-on
    /// protocol removed before) failed: the server refused it
    /// ([`Error::Server`]), or it could not be sent ([`Error::Refused`]).
    /// That subscription is not in force on this connection; the client
    /// still lists it, and asks for it again after the next reconnect.
    /// Comes after [`Event::Reconnected`].
    RestoreFailed {
        /// The command, as the user would write it.
        command: String,
        /// Why it failed.
        error: Error,
    },
}
