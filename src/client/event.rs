//! What the client hands to its user: events from the reader thread,
//! replies to commands, and what the server said about itself.

use std::time::Duration;

use super::error::{DisconnectReason, Error};
use crate::protocol::Frame;

/// What the server said about itself in its greeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerInfo {
    /// `version` (always `0.0.0` on a legacy server).
    pub version: String,
    /// `starttime`, epoch seconds.
    pub start_time: u64,
    /// `servername`.
    pub name: String,
    /// Protocols named in PROTOCOLS, in order.
    pub protocols: Vec<String>,
}

/// One event from the reader thread.
#[derive(Debug)]
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
}

/// How the server answered a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// `*ACK`.
    Ack,
    /// `*ERROR`.
    Error,
    /// No ACK but a `*TERMINATE`: the answer to SHUTDOWN.
    Terminate,
}

/// The server's answer to one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The command id.
    pub id: u64,
    /// The command as sent, e.g. `ENABLE SSID ssid,mac`.
    pub command: String,
    /// ACK, ERROR or TERMINATE.
    pub kind: ReplyKind,
    /// The reply's text: `OK`, the error, or the TERMINATE text.
    pub text: String,
    /// Time from sending the command to reading its reply.
    pub latency: Duration,
    /// The reply line as received, without its `\n`.
    pub raw: Vec<u8>,
    /// Lines the command made the server send before its reply, which the
    /// client did not enable (the `*CAPABILITY` line of `CAPABILITY`).
    pub data: Vec<Frame>,
}

impl Reply {
    /// True for an ACK (or the TERMINATE that answers SHUTDOWN).
    pub fn is_ok(&self) -> bool {
        self.kind != ReplyKind::Error
    }

    /// The reply's text (`OK`, or the error).
    pub fn text(&self) -> &str {
        &self.text
    }
}
