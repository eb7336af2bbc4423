//! The client's typed errors: why a connection or a command failed, and why
//! a connection ended. Callers match on the variants; the `Display` texts
//! are for people (lower case, no trailing period).

use std::fmt;
use std::io;
use std::time::Duration;

use crate::reply::Reply;
use kismet_protocol::spec::{MAX_FIELDS, MAX_PROTOCOLS};
use kismet_protocol::{text, CommandError, LookupError};

/// Why connecting, or a command, failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The address does not resolve.
    Resolve {
        /// The address given.
        addr: String,
        /// The resolver's error.
        source: io::Error,
    },
    /// The TCP connection failed or timed out.
    Connect {
        /// The address given.
        addr: String,
        /// The socket error.
        source: io::Error,
    },
    /// Connected, but the handshake failed.
    Handshake {
        /// The address given.
        addr: String,
        /// What went wrong.
        kind: HandshakeError,
    },
    /// Not connected now (lost, or reconnecting).
    NotConnected {
        /// The server's address.
        addr: String,
    },
    /// Writing the command failed or timed out; the connection was dropped
    /// (a half-sent line would corrupt the next command).
    Write {
        /// The socket error (`TimedOut`/`WouldBlock` for a server that
        /// stopped reading).
        source: io::Error,
    },
    /// The command cannot be written as one line; nothing was sent.
    Refused(CommandError),
    /// An unknown protocol or field; nothing was sent.
    Lookup(LookupError),
    /// The server answered `*ERROR`.
    Server(Box<Reply>),
    /// No reply in time (the server ignores some lines altogether).
    Timeout {
        /// The command id.
        id: u64,
        /// The command as sent.
        command: String,
        /// How long the wait was.
        after: Duration,
    },
    /// The connection ended before the reply came.
    ConnectionLost {
        /// The command as sent.
        command: String,
    },
    /// The caller stopped waiting (Ctrl-C); a late reply is ignored.
    Cancelled {
        /// The command id.
        id: u64,
        /// The command as sent.
        command: String,
    },
}

impl Error {
    /// True for errors of the connection (not connected, lost, write failed,
    /// could not connect), as opposed to a command that was refused,
    /// answered with ERROR, or not answered in time.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            Error::Resolve { .. }
                | Error::Connect { .. }
                | Error::Handshake { .. }
                | Error::NotConnected { .. }
                | Error::Write { .. }
                | Error::ConnectionLost { .. }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Resolve { addr, .. } => write!(f, "resolving {addr}"),
            Error::Connect { addr, .. } => write!(f, "connecting to {addr}"),
            Error::Handshake { addr, .. } => write!(f, "handshake with {addr}"),
            Error::NotConnected { addr } => write!(f, "not connected to {addr}"),
            Error::Write { .. } => write!(f, "connection closed: sending the command"),
            Error::Refused(e) => e.fmt(f),
            Error::Lookup(e) => e.fmt(f),
            Error::Server(r) => write!(
                f,
                "{}: {}",
                text::abbreviate(&r.command),
                text::display(r.text.as_bytes())
            ),
            Error::Timeout { command, after, .. } => write!(
                f,
                "{}: no reply within {:.1} s (the server ignores some malformed commands)",
                text::abbreviate(command),
                after.as_secs_f64()
            ),
            Error::ConnectionLost { command } => write!(
                f,
                "{}: connection lost before the reply came",
                text::abbreviate(command)
            ),
            Error::Cancelled { command, .. } => write!(
                f,
                "{}: interrupted; a late reply will be ignored",
                text::abbreviate(command)
            ),
        }
    }
}

/// The cause of an error that wraps one is its `source()`, not part of its
/// `Display` text (print the chain to see both: `anyhow`'s `{:#}` does).
/// The errors that only pass another on ([`Error::Refused`],
/// [`Error::Lookup`], [`HandshakeError::Io`]) show it as their own text.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Resolve { source, .. }
            | Error::Connect { source, .. }
            | Error::Write { source } => Some(source),
            Error::Handshake { kind, .. } => Some(kind),
            Error::Refused(e) => e.source(),
            Error::Lookup(e) => e.source(),
            _ => None,
        }
    }
}

impl std::error::Error for HandshakeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HandshakeError::Io(e) => e.source(),
            _ => None,
        }
    }
}

impl From<CommandError> for Error {
    fn from(e: CommandError) -> Error {
        Error::Refused(e)
    }
}

impl From<LookupError> for Error {
    fn from(e: LookupError) -> Error {
        Error::Lookup(e)
    }
}

/// How many bytes of an unexpected first line an error quotes.
const QUOTE_BYTES: usize = 60;

/// A step of the handshake, named in its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeStep {
    /// Reading the greeting: the KISMET and PROTOCOLS lines.
    Greeting,
    /// Sending a CAPABILITY request for every protocol.
    Requests,
    /// Reading the answers to those requests.
    Capabilities,
}

impl HandshakeStep {
    /// What a line read at this step is called in a message.
    fn line(self) -> &'static str {
        match self {
            HandshakeStep::Greeting => "greeting line",
            HandshakeStep::Requests | HandshakeStep::Capabilities => "CAPABILITY answer line",
        }
    }
}

impl fmt::Display for HandshakeStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HandshakeStep::Greeting => "waiting for the greeting",
            HandshakeStep::Requests => "sending the CAPABILITY requests",
            HandshakeStep::Capabilities => "waiting for CAPABILITY answers",
        })
    }
}

/// A line that had not ended (no newline yet) when the handshake failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialLine {
    /// How many bytes of it had come.
    pub len: usize,
    /// Its first bytes (at most [`kismet_protocol::OVERLONG_HEAD`] of a
    /// line over the length limit).
    pub start: Vec<u8>,
}

/// `start`, sanitised and cut short, with `...` when the line (of `len`
/// bytes) was longer than what is shown.
fn quoted(start: &[u8], len: usize) -> String {
    let cut = &start[..start.len().min(QUOTE_BYTES)];
    let more = if len > cut.len() { "..." } else { "" };
    format!("\"{}{more}\"", text::display(cut))
}

/// Why the handshake failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The server accepted and closed without a byte, as a legacy server
    /// does past its `maxclients` limit.
    ClosedBeforeGreeting,
    /// The first bytes are not a legacy Kismet greeting: `first` is what
    /// arrived (cut short): a line, or the start of one that did not end.
    NotKismet {
        /// The first line (or bytes) received.
        first: Vec<u8>,
    },
    /// Nothing arrived in time. `http` is true when the peer answered an
    /// HTTP request afterwards: a Kismet release since 2019, which serves
    /// its REST API on the same port.
    Silent {
        /// How long the wait was.
        after: Duration,
        /// The peer speaks HTTP.
        http: bool,
    },
    /// The server closed the connection during the handshake.
    ClosedDuringHandshake,
    /// The server closed the connection in the middle of a line.
    ClosedMidLine {
        /// Where the handshake was.
        step: HandshakeStep,
        /// What came of the line.
        partial: PartialLine,
    },
    /// The handshake was not done in time (its timeout holds for the
    /// whole of it, however the bytes trickle in).
    Timeout {
        /// Where the handshake was.
        step: HandshakeStep,
        /// The handshake timeout.
        after: Duration,
        /// A line begun and not ended, if any: a server that sends bytes
        /// but no newline.
        partial: Option<PartialLine>,
    },
    /// A line over the length limit ([`crate::Options::max_line`]).
    Overlong {
        /// Where the handshake was.
        step: HandshakeStep,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
        /// Its first bytes.
        start: Vec<u8>,
    },
    /// The greeting names more protocols than
    /// [`kismet_protocol::spec::MAX_PROTOCOLS`].
    TooManyProtocols {
        /// How many it names.
        count: usize,
    },
    /// A CAPABILITY answer lists more fields than
    /// [`kismet_protocol::spec::MAX_FIELDS`].
    TooManyFields {
        /// The protocol.
        protocol: String,
        /// How many fields it lists.
        count: usize,
    },
    /// The server reset the connection (TCP RST).
    Reset,
    /// A signal (Ctrl-C, say) interrupted the wait.
    Interrupted,
    /// Another socket error.
    Io(io::Error),
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeError::ClosedBeforeGreeting => write!(
                f,
                "server closed the connection before its greeting \
                 (a legacy server does this past its maxclients limit)"
            ),
            HandshakeError::NotKismet { first } => {
                let http = if first.starts_with(b"HTTP/") {
                    " (an HTTP server: Kismet releases since 2019 serve a REST API \
                     on port 2501 and need a different client)"
                } else {
                    ""
                };
                write!(
                    f,
                    "not a legacy Kismet server: it sent {} where the \
                     greeting *KISMET: belongs{http}",
                    quoted(first, first.len())
                )
            }
            HandshakeError::Silent { after, http } => {
                write!(
                    f,
                    "no greeting within {:.1} s: not a legacy Kismet server",
                    after.as_secs_f64()
                )?;
                if *http {
                    write!(
                        f,
                        "; it answers HTTP, as Kismet releases since 2019 do on port 2501 \
                         (they serve a REST API and need a different client)"
                    )
                } else {
                    write!(
                        f,
                        " (newer Kismet releases serve HTTP on port 2501 and need a \
                         different client)"
                    )
                }
            }
            HandshakeError::ClosedDuringHandshake => {
                write!(f, "server closed the connection during the handshake")
            }
            HandshakeError::ClosedMidLine { step, partial } => write!(
                f,
                "server closed the connection in the middle of a {} ({} bytes): {}",
                step.line(),
                partial.len,
                quoted(&partial.start, partial.len)
            ),
            HandshakeError::Timeout {
                step,
                after,
                partial: Some(partial),
            } => write!(
                f,
                "no complete {} within {:.1} s: it sent {} bytes without a newline: {}",
                step.line(),
                after.as_secs_f64(),
                partial.len,
                quoted(&partial.start, partial.len)
            ),
            HandshakeError::Timeout { step, after, .. } => {
                write!(f, "timed out after {:.1} s {step}", after.as_secs_f64())
            }
            HandshakeError::Overlong {
                step,
                len,
                limit,
                start,
            } => write!(
                f,
                "the server sent a {} of {len} bytes, over the {limit}-byte line limit: {}",
                step.line(),
                quoted(start, *len)
            ),
            HandshakeError::TooManyProtocols { count } => write!(
                f,
                "the server names {count} protocols, more than the {MAX_PROTOCOLS} \
                 this client takes (a default legacy server has 29)"
            ),
            HandshakeError::TooManyFields { protocol, count } => write!(
                f,
                "the server lists {count} fields for {}, more than the {MAX_FIELDS} \
                 this client takes for one protocol (a default legacy server has \
                 at most 58)",
                text::abbreviate(protocol)
            ),
            HandshakeError::Reset => write!(f, "connection reset by server"),
            HandshakeError::Interrupted => {
                write!(f, "interrupted by a signal (such as Ctrl-C)")
            }
            HandshakeError::Io(e) => e.fmt(f),
        }
    }
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// The server closed the connection.
    Closed,
    /// The server sent `*TERMINATE` (it is stopping), then closed.
    Terminated {
        /// The TERMINATE text.
        text: String,
    },
    /// The server reset the connection (TCP RST).
    Reset,
    /// The stream ended in the middle of a line.
    ClosedMidLine,
    /// Nothing arrived for this long while TIME was on: presumed dead.
    Silent {
        /// The silence timeout.
        after: Duration,
    },
    /// A command could not be written; the client dropped the connection.
    WriteFailed {
        /// The socket error, as text.
        error: String,
    },
    /// Another socket error, as text.
    Io {
        /// The error.
        error: String,
    },
    /// This client closed it (`disconnect`, `connect`, or dropping it).
    ByClient,
}

impl DisconnectReason {
    /// The reason for a failed read of the socket.
    pub fn from_io(e: &io::Error) -> DisconnectReason {
        match e.kind() {
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => {
                DisconnectReason::Reset
            }
            io::ErrorKind::UnexpectedEof => DisconnectReason::ClosedMidLine,
            _ => DisconnectReason::Io {
                error: e.to_string(),
            },
        }
    }

    /// True when the server said it was stopping.
    pub fn is_terminated(&self) -> bool {
        matches!(self, DisconnectReason::Terminated { .. })
    }
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisconnectReason::Closed => write!(f, "server closed the connection"),
            DisconnectReason::Terminated { text } => {
                write!(f, "server terminated: {}", text::display(text.as_bytes()))
            }
            DisconnectReason::Reset => write!(f, "connection reset by server"),
            DisconnectReason::ClosedMidLine => {
                write!(f, "connection closed in the middle of a line")
            }
            DisconnectReason::Silent { after } => write!(
                f,
                "no data from the server for {:.0} s, connection presumed dead",
                after.as_secs_f64()
            ),
            DisconnectReason::WriteFailed { error } => {
                write!(f, "sending a command failed ({error}), connection dropped")
            }
            DisconnectReason::Io { error } => write!(f, "connection lost: {error}"),
            DisconnectReason::ByClient => write!(f, "closed by this client"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    /// An error that wraps another gives it as its `source()` and leaves it
    /// out of its own text; one that only passes another on shows it as its
    /// own text, with no second copy as a source.
    #[test]
    fn causes_are_sources_not_text() {
        let refused = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        let e = Error::Connect {
            addr: "h:1".into(),
            source: refused,
        };
        assert_eq!(e.to_string(), "connecting to h:1");
        assert_eq!(e.source().unwrap().to_string(), "refused");
        let e = Error::Handshake {
            addr: "h:1".into(),
            kind: HandshakeError::ClosedDuringHandshake,
        };
        assert_eq!(e.to_string(), "handshake with h:1");
        let kind = e.source().unwrap();
        assert!(kind.to_string().contains("during the handshake"), "{kind}");
        assert!(kind.source().is_none());
        let e = Error::Lookup(LookupError::UnknownProtocol {
            name: "BOGUS".into(),
            nearest: Vec::new(),
        });
        assert!(e.to_string().contains("BOGUS"));
        assert!(e.source().is_none());
    }
}
