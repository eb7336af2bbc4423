//! The server's answer to one command.

use std::time::Duration;

use kismet_protocol::Frame;

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
