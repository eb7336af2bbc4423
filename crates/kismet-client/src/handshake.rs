//! Connecting and the handshake: the greeting, then one write with a
//! `CAPABILITY` for every protocol the server named, then their answers.
//!
//! Done synchronously, before the reader thread starts, so a returned
//! connection is ready to use. Every step is bounded by the handshake
//! timeout; a peer that is not a legacy Kismet server is told apart from
//! one that is slow (see [`HandshakeError`]).

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::error::{Error, HandshakeError, HandshakeStep, PartialLine};
use crate::event::ServerInfo;
use crate::state::{write_all_within, Options, WRITE_STEP};
use kismet_protocol::spec::{MAX_FIELDS, MAX_PROTOCOLS};
use kismet_protocol::{parse_capability, parse_protocol_list};
use kismet_protocol::{CapabilityTable, Command, Frame, ServerCommand};
use kismet_protocol::{Line, LineReader};

/// A connection after its handshake, before the reader thread takes it.
pub struct Established {
    /// The socket (write half; the reader has a clone).
    pub stream: TcpStream,
    /// The line reader over the socket, with whatever it already buffered.
    pub reader: LineReader<TcpStream>,
    /// The greeting.
    pub info: ServerInfo,
    /// Every protocol's fields.
    pub table: CapabilityTable,
    /// The first id free for commands.
    pub next_id: u64,
    /// The last TIME seen (0: none yet).
    pub server_time: u64,
}

/// Connects and does the handshake.
///
/// # Errors
/// [`Error::Resolve`], [`Error::Connect`] or [`Error::Handshake`].
pub fn establish(addr: &str, options: &Options) -> Result<Established, Error> {
    let stream = connect_tcp(addr, options.connect_timeout)?;
    if let Some(r) = &options.recorder {
        r.connected(addr);
    }
    handshake(stream, options).map_err(|kind| {
        if let Some(r) = &options.recorder {
            r.disconnected(&format!("handshake failed: {kind}"));
        }
        Error::Handshake {
            addr: addr.to_string(),
            kind,
        }
    })
}

fn connect_tcp(addr: &str, timeout: Duration) -> Result<TcpStream, Error> {
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|source| Error::Resolve {
            addr: addr.to_string(),
            source,
        })?
        .collect();
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the name resolves to no address");
    for a in &addrs {
        match TcpStream::connect_timeout(a, timeout) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = e,
        }
    }
    Err(Error::Connect {
        addr: addr.to_string(),
        source: last,
    })
}

fn handshake(stream: TcpStream, options: &Options) -> Result<Established, HandshakeError> {
    let mut lines = Lines {
        reader: LineReader::new(
            stream.try_clone().map_err(HandshakeError::Io)?,
            options.max_line,
        ),
        started: Instant::now(),
        options,
    };
    let mut info = ServerInfo::default();
    let (mut saw_kismet, mut saw_protocols) = (false, false);
    let mut server_time = 0;

    // 1. The greeting: KISMET and PROTOCOLS. The first line tells a legacy
    //    server from anything else on the port.
    let mut first = true;
    while !(saw_kismet && saw_protocols) {
        let line = match lines.next(HandshakeStep::Greeting) {
            Ok(Some(line)) => line,
            Ok(None) if first => return Err(HandshakeError::ClosedBeforeGreeting),
            Ok(None) => return Err(HandshakeError::ClosedDuringHandshake),
            Err(e) if first => return Err(first_line_failure(e, &stream)),
            Err(e) => return Err(e),
        };
        let frame = match Frame::parse(&line) {
            Ok(f) => f,
            Err(_) if first => return Err(HandshakeError::NotKismet { first: line }),
            Err(_) => continue,
        };
        if first && frame.protocol() != "KISMET" {
            return Err(HandshakeError::NotKismet { first: line });
        }
        first = false;
        match frame.protocol() {
            "KISMET" => {
                saw_kismet = true;
                let f = |i| String::from_utf8_lossy(frame.field(i).unwrap_or(b"")).into_owned();
                info.version = f(0);
                info.start_time = f(1).parse().unwrap_or(0);
                info.name = f(2);
                info.name_bytes = frame.field(2).unwrap_or_default().to_vec();
            }
            "PROTOCOLS" => {
                saw_protocols = true;
                info.protocols = parse_protocol_list(frame.field(0).unwrap_or(b""));
                if info.protocols.len() > MAX_PROTOCOLS {
                    return Err(HandshakeError::TooManyProtocols {
                        count: info.protocols.len(),
                    });
                }
            }
            "TIME" => server_time = parse_time(&frame).unwrap_or(server_time),
            _ => {}
        }
    }

    // 2. One write with a CAPABILITY for every protocol.
    let mut table = CapabilityTable::new();
    let mut waiting: HashMap<u64, String> = HashMap::new();
    let mut out = Vec::new();
    for (i, proto) in info.protocols.iter().enumerate() {
        let id = i as u64 + 1;
        // A protocol name we cannot send back (never from a real server) is
        // left out.
        if let Ok(line) = Command::new(ServerCommand::Capability, [proto.as_str()]).encode(id) {
            out.extend_from_slice(&line);
            waiting.insert(id, proto.clone());
            table.insert(proto, Vec::new());
        }
    }
    // A server that stops reading must not hang the caller of send():
    // writes go through `write_all_within`, which needs short steps. The
    // requests are held to the handshake's deadline too.
    stream
        .set_write_timeout(Some(WRITE_STEP))
        .map_err(HandshakeError::Io)?;
    write_all_within(&mut &stream, &out, lines.left())
        .map_err(|e| lines.failure(e, HandshakeStep::Requests))?;
    if let Some(r) = &options.recorder {
        r.sent(&out);
    }

    // 3. Their answers: a CAPABILITY line then an ACK for each.
    while !waiting.is_empty() {
        let line = lines
            .next(HandshakeStep::Capabilities)?
            .ok_or(HandshakeError::ClosedDuringHandshake)?;
        let Ok(frame) = Frame::parse(&line) else {
            continue;
        };
        match frame.protocol() {
            "CAPABILITY" => {
                // Only for a protocol the greeting named: lines for others
                // would grow the table without bound.
                let answer = parse_capability(frame.field(0).unwrap_or(b""));
                if let Some((proto, fields)) = answer.filter(|(p, _)| table.get(p).is_some()) {
                    if fields.len() > MAX_FIELDS {
                        return Err(HandshakeError::TooManyFields {
                            protocol: proto,
                            count: fields.len(),
                        });
                    }
                    table.insert(&proto, fields);
                }
            }
            "ACK" | "ERROR" => {
                if let Some(id) = frame.field(0).and_then(parse_u64) {
                    waiting.remove(&id);
                }
            }
            "TIME" => server_time = parse_time(&frame).unwrap_or(server_time),
            _ => {}
        }
    }
    stream
        .set_read_timeout(options.silence_timeout)
        .map_err(HandshakeError::Io)?;
    let next_id = info.protocols.len() as u64 + 1;
    Ok(Established {
        stream,
        reader: lines.reader,
        info,
        table,
        next_id,
        server_time,
    })
}

/// The handshake's lines, every one of them held to its one deadline.
struct Lines<'a> {
    reader: LineReader<TcpStream>,
    started: Instant,
    options: &'a Options,
}

impl Lines<'_> {
    /// The time left before the deadline.
    fn left(&self) -> Duration {
        (self.started + self.options.handshake_timeout).saturating_duration_since(Instant::now())
    }

    /// The next complete line, or `None` at a clean end of stream; an
    /// error for a line over the limit, and (saying what came of the line)
    /// at the deadline. Lines are recorded when the options say so.
    fn next(&mut self, step: HandshakeStep) -> Result<Option<Vec<u8>>, HandshakeError> {
        let deadline = self.started + self.options.handshake_timeout;
        let recorder = self.options.recorder.as_ref();
        match self.reader.next_line_by(deadline) {
            Ok(Some(Line::Complete(line))) => {
                if let Some(r) = recorder {
                    r.received(line);
                }
                Ok(Some(line.to_vec()))
            }
            Ok(Some(Line::Overlong(len))) => {
                if let Some(r) = recorder {
                    r.overlong(len);
                }
                Err(HandshakeError::Overlong {
                    step,
                    len,
                    limit: self.options.max_line,
                    start: self.reader.overlong_head().to_vec(),
                })
            }
            Ok(None) => Ok(None),
            Err(e) => Err(self.failure(e, step)),
        }
    }

    /// The handshake error for a socket error at `step`.
    fn failure(&self, e: io::Error, step: HandshakeStep) -> HandshakeError {
        let partial = match self.reader.partial_len() {
            0 => None,
            len => Some(PartialLine {
                len,
                start: self.reader.partial_start().to_vec(),
            }),
        };
        match e.kind() {
            _ if is_timeout(&e) => HandshakeError::Timeout {
                step,
                after: self.options.handshake_timeout,
                partial: partial.filter(|_| step != HandshakeStep::Requests),
            },
            io::ErrorKind::UnexpectedEof => match partial {
                Some(partial) => HandshakeError::ClosedMidLine { step, partial },
                None => HandshakeError::ClosedDuringHandshake,
            },
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => {
                HandshakeError::Reset
            }
            io::ErrorKind::Interrupted => HandshakeError::Interrupted,
            _ => HandshakeError::Io(e),
        }
    }
}

/// What a failure on the first line means: nothing at all is a silent
/// peer (probed for HTTP), bytes that cannot start a greeting are another
/// protocol (an SSH banner with no newline, say).
fn first_line_failure(e: HandshakeError, stream: &TcpStream) -> HandshakeError {
    match e {
        HandshakeError::Timeout {
            partial: None,
            after,
            ..
        } => HandshakeError::Silent {
            after,
            http: speaks_http(stream),
        },
        HandshakeError::Timeout {
            partial: Some(p), ..
        }
        | HandshakeError::ClosedMidLine { partial: p, .. }
            if !could_be_greeting(&p.start) =>
        {
            HandshakeError::NotKismet { first: p.start }
        }
        HandshakeError::Overlong { start, .. } if !could_be_greeting(&start) => {
            HandshakeError::NotKismet { first: start }
        }
        e => e,
    }
}

/// True when `start` begins (or is the beginning of) `*KISMET: `.
fn could_be_greeting(start: &[u8]) -> bool {
    const GREETING: &[u8] = b"*KISMET: ";
    let n = start.len().min(GREETING.len());
    start[..n] == GREETING[..n]
}

/// After a silent greeting: does the peer answer an HTTP request? Newer
/// Kismet releases serve HTTP on the legacy port and wait for the client to
/// speak first. Bounded by one second.
fn speaks_http(stream: &TcpStream) -> bool {
    let mut s = stream;
    if s.write_all(b"GET / HTTP/1.0\r\n\r\n").is_err() {
        return false;
    }
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut buf = [0u8; 5];
    let mut got = 0;
    while got < buf.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match s.read(&mut buf[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    &buf[..got] == b"HTTP/"
}

/// True for the errors a read timeout gives.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A decimal number field.
pub fn parse_u64(b: &[u8]) -> Option<u64> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}

/// The seconds of a TIME frame.
pub fn parse_time(f: &Frame) -> Option<u64> {
    f.field(0).and_then(parse_u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A signal or a reset during the handshake is named for what it is
    /// (not by the OS's text, "Interrupted system call (os error 4)" on
    /// Ctrl-C); a timeout or a close says where the handshake was.
    #[test]
    fn socket_errors_are_named() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let options = Options::default();
        let lines = Lines {
            reader: LineReader::new(stream, 1024),
            started: Instant::now(),
            options: &options,
        };
        let kind = |k: io::ErrorKind| lines.failure(k.into(), HandshakeStep::Greeting);
        let e = kind(io::ErrorKind::Interrupted);
        assert!(matches!(e, HandshakeError::Interrupted), "{e:?}");
        assert_eq!(e.to_string(), "interrupted by a signal (such as Ctrl-C)");
        for reset in [
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::ConnectionAborted,
        ] {
            let e = kind(reset);
            assert!(matches!(e, HandshakeError::Reset), "{e:?}");
            assert_eq!(e.to_string(), "connection reset by server");
        }
        let e = kind(io::ErrorKind::WouldBlock);
        assert!(
            matches!(
                e,
                HandshakeError::Timeout {
                    step: HandshakeStep::Greeting,
                    partial: None,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "timed out after 10.0 s waiting for the greeting"
        );
        let e = kind(io::ErrorKind::UnexpectedEof);
        assert!(matches!(e, HandshakeError::ClosedDuringHandshake), "{e:?}");
        let e = kind(io::ErrorKind::PermissionDenied);
        assert!(matches!(e, HandshakeError::Io(_)), "{e:?}");
    }

    /// The start of a greeting, however short, could be one; anything
    /// else cannot.
    #[test]
    fn greeting_starts() {
        for start in [&b"*"[..], b"*KIS", b"*KISMET: ", b"*KISMET: 0.0.0"] {
            assert!(could_be_greeting(start), "{start:?}");
        }
        for start in [&b"SSH-2.0"[..], b"*KISMET:x", b"HTTP/1.1"] {
            assert!(!could_be_greeting(start), "{start:?}");
        }
    }
}
