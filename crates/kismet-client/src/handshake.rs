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

use crate::error::{Error, HandshakeError};
use crate::event::ServerInfo;
use crate::state::{Options, WRITE_STEP};
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
    let started = Instant::now();
    let deadline = started + options.handshake_timeout;
    let mut reader = LineReader::new(
        stream.try_clone().map_err(HandshakeError::Io)?,
        options.max_line,
    );
    let mut info = ServerInfo::default();
    let (mut saw_kismet, mut saw_protocols) = (false, false);
    let mut server_time = 0;

    // 1. The greeting: KISMET and PROTOCOLS. The first line tells a legacy
    //    server from anything else on the port.
    let mut first = true;
    while !(saw_kismet && saw_protocols) {
        let line = match next_line(&mut reader, deadline, options) {
            Ok(line) => line,
            Err(HandshakeError::Timeout { .. }) if first => {
                return Err(HandshakeError::Silent {
                    after: started.elapsed(),
                    http: speaks_http(&stream),
                })
            }
            Err(HandshakeError::Io(e)) if first && e.kind() == io::ErrorKind::UnexpectedEof => {
                // Bytes but no newline, then the close: not our protocol.
                return Err(HandshakeError::NotKismet {
                    first: reader.partial().to_vec(),
                });
            }
            Err(e) => return Err(e),
        };
        let Some(line) = line else {
            return Err(if first {
                HandshakeError::ClosedBeforeGreeting
            } else {
                HandshakeError::ClosedDuringHandshake
            });
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
            }
            "PROTOCOLS" => {
                saw_protocols = true;
                info.protocols = parse_protocol_list(frame.field(0).unwrap_or(b""));
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
    (&stream).write_all(&out).map_err(HandshakeError::Io)?;
    if let Some(r) = &options.recorder {
        r.sent(&out);
    }

    // 3. Their answers: a CAPABILITY line then an ACK for each.
    while !waiting.is_empty() {
        let line = match next_line(&mut reader, deadline, options) {
            Err(HandshakeError::Timeout { .. }) => {
                return Err(HandshakeError::Timeout {
                    what: "CAPABILITY answers",
                })
            }
            other => other?.ok_or(HandshakeError::ClosedDuringHandshake)?,
        };
        let Ok(frame) = Frame::parse(&line) else {
            continue;
        };
        match frame.protocol() {
            "CAPABILITY" => {
                if let Some((proto, fields)) = parse_capability(frame.field(0).unwrap_or(b"")) {
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
    // A server that stops reading must not hang the caller of send():
    // writes go through `write_all_within`, which needs short steps.
    stream
        .set_write_timeout(Some(WRITE_STEP))
        .map_err(HandshakeError::Io)?;
    let next_id = info.protocols.len() as u64 + 1;
    Ok(Established {
        stream,
        reader,
        info,
        table,
        next_id,
        server_time,
    })
}

/// The next complete line (overlong ones skipped), or `None` at a clean end
/// of stream; [`HandshakeError::Timeout`] at `deadline`. Lines are recorded
/// when the options say so.
fn next_line(
    reader: &mut LineReader<TcpStream>,
    deadline: Instant,
    options: &Options,
) -> Result<Option<Vec<u8>>, HandshakeError> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HandshakeError::Timeout {
                what: "the greeting",
            });
        }
        reader
            .get_ref()
            .set_read_timeout(Some(left))
            .map_err(HandshakeError::Io)?;
        match reader.next_line() {
            Ok(Some(Line::Complete(line))) => {
                if let Some(r) = &options.recorder {
                    r.received(line);
                }
                return Ok(Some(line.to_vec()));
            }
            Ok(Some(Line::Overlong(n))) => {
                if let Some(r) = &options.recorder {
                    r.overlong(n);
                }
            }
            Ok(None) => return Ok(None),
            Err(e) if is_timeout(&e) => {
                return Err(HandshakeError::Timeout {
                    what: "the greeting",
                })
            }
            Err(e) => return Err(HandshakeError::Io(e)),
        }
    }
}

/// After a silent greeting: does the peer answer an HTTP request? Newer
/// Kismet releases serve HTTP on the legacy port and wait for the client to
/// speak first. Bounded by one second.
fn speaks_http(stream: &TcpStream) -> bool {
    let mut s = stream;
    if s.write_all(b"GET / HTTP/1.0\r\n\r\n").is_err() {
        return false;
    }
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut buf = [0u8; 5];
    let mut got = 0;
    while got < buf.len() {
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
