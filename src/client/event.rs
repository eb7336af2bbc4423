//! What crosses the channel from the reader thread to the front end.

use std::time::Duration;

use super::session::ServerInfo;
use crate::protocol::Frame;

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
        /// Why, for the user.
        reason: String,
    },
    /// The client will try to connect again after `delay`.
    Reconnecting {
        /// Attempt number, from 1.
        attempt: u32,
        /// Wait before this attempt.
        delay: Duration,
        /// Why the connection was lost.
        reason: String,
    },
    /// An attempt to reconnect failed; another follows.
    ReconnectFailed {
        /// Attempt number, from 1.
        attempt: u32,
        /// What went wrong.
        error: String,
    },
    /// Connected again: handshake done, subscriptions re-enabled.
    Reconnected {
        /// The server's greeting.
        info: ServerInfo,
    },
}

/// The server's answer to one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The command id.
    pub id: u64,
    /// The command as sent, e.g. `ENABLE SSID ssid,mac`.
    pub command: String,
    /// `Ok(text)` for `*ACK`, `Err(text)` for `*ERROR`.
    pub result: Result<String, String>,
    /// Time from sending the command to reading its reply.
    pub latency: Duration,
    /// The reply line as received, without its `\n`.
    pub raw: Vec<u8>,
}

impl Reply {
    /// True for an ACK.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }

    /// The reply's text (`OK`, or the error).
    pub fn text(&self) -> &str {
        match &self.result {
            Ok(t) | Err(t) => t,
        }
    }
}
