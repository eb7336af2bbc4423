//! One connected client's two threads: the reader splits the socket into
//! lines and hands each to its server's command handler; the writer drains
//! the client's own queue (see `client`) into the socket. Both serve any
//! [`Server`] (the simulator, a replay).

use std::io::{self, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use super::capabilities::Proto;
use super::client::{ClientHandle, Fields};
use super::hub::Server;
use kismet_protocol::spec::MAX_LINE;
use kismet_protocol::{Line, LineReader, Overlong};

/// How often blocked threads look up to see whether they should stop.
const POLL: Duration = Duration::from_millis(50);

/// The reader thread: lines in, commands handled, until EOF, error, an
/// over-long line, or the server stopping. The socket's read timeout lets
/// it look at the stop flags every [`POLL`]; the line reader passes the
/// timeout through and keeps any half line for the next read.
pub fn reader<S: Server>(server: Arc<S>, client: Arc<ClientHandle>, stream: TcpStream) {
    let hub = server.hub();
    let _ = stream.set_read_timeout(Some(POLL));
    let mut lines = LineReader::with_overlong(stream, MAX_LINE, Overlong::Fail);
    let reason = loop {
        if client.is_closed() {
            return;
        }
        if hub.is_stopping() {
            // The writer sends what is queued, then closes.
            return;
        }
        match lines.next_line() {
            Ok(None) => break "closed by client",
            Ok(Some(Line::Complete(line))) => server.handle_line(&client, line),
            // A whole line over the limit that came with its newline in
            // the same read: the same as one still unfinished.
            Ok(Some(Line::Overlong(_))) => {
                client.reset(lines.get_ref());
                break "line over 64 KiB, connection reset";
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                client.reset(lines.get_ref());
                break "line over 64 KiB, connection reset";
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                break "closed by client in the middle of a line"
            }
            Err(_) => break "connection error",
        }
    };
    let dropped = match client.dropped_lines() {
        0 => String::new(),
        n => format!(" ({n} lines dropped: it read too slowly)"),
    };
    hub.log(&format!(
        "client {} ({}) disconnected: {reason}{dropped}",
        client.id, client.peer
    ));
    client.close();
    hub.remove_client(client.id);
}

/// The writer thread: drains the client's queue into the socket; in flood
/// mode, fills every idle moment with CLIENT lines. Once the client is
/// finished (see [`ClientHandle::finish`]), closes the connection when the
/// queue is drained and the closing time has come.
pub fn writer<S: Server>(
    server: Arc<S>,
    client: Arc<ClientHandle>,
    rx: Receiver<Vec<u8>>,
    mut stream: TcpStream,
) {
    let _ = stream.set_write_timeout(Some(POLL));
    let mut flood = Flood::default();
    let result = loop {
        if client.is_closed() {
            break Ok(());
        }
        let close_at = client.close_at();
        let flooding = if server.floods() && close_at.is_none() {
            client.client_flood_fields()
        } else {
            (None, 0)
        };
        let first = if let (Some(fields), version) = flooding {
            match rx.try_recv() {
                Ok(chunk) => chunk,
                Err(_) => {
                    if let Err(e) = flood.write(&*server, &client, &mut stream, &fields, version) {
                        break Err(e);
                    }
                    continue;
                }
            }
        } else {
            match rx.recv_timeout(POLL) {
                Ok(chunk) => chunk,
                Err(RecvTimeoutError::Timeout) => {
                    if close_at.is_some_and(|at| Instant::now() >= at) {
                        break Ok(());
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break Ok(()),
            }
        };
        // Coalesce whatever else is queued into one write.
        let mut out = first;
        while out.len() < 256 * 1024 {
            match rx.try_recv() {
                Ok(more) => out.extend_from_slice(&more),
                Err(_) => break,
            }
        }
        client.dequeued(&out);
        if let Err(e) = write_all(&client, &mut stream, &out) {
            break Err(e);
        }
    };
    if result.is_err() && !client.is_closed() {
        server.hub().log(&format!(
            "client {} ({}): write failed, closing",
            client.id, client.peer
        ));
    }
    let _ = stream.flush();
    client.close();
    server.hub().remove_client(client.id);
}

/// Writes all of `bytes`, giving up as soon as the client is closed (the
/// socket has a write timeout, so a client that stops reading cannot hold
/// this thread forever).
fn write_all(client: &ClientHandle, stream: &mut TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        if client.is_closed() {
            return Err(io::ErrorKind::NotConnected.into());
        }
        match stream.write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The flood writer's pre-encoded CLIENT lines, rebuilt when the world
/// ticks or the client's field list changes.
#[derive(Default)]
struct Flood {
    key: Option<(u64, u64)>,
    buf: Vec<u8>,
}

impl Flood {
    fn write<S: Server>(
        &mut self,
        server: &S,
        client: &ClientHandle,
        stream: &mut TcpStream,
        fields: &Fields,
        version: u64,
    ) -> io::Result<()> {
        let (generation, records) = server.flood_snapshot();
        if self.key != Some((generation, version)) {
            self.key = Some((generation, version));
            self.buf.clear();
            if !records.is_empty() {
                while self.buf.len() < 64 * 1024 {
                    for r in records.iter() {
                        r.encode_into(&mut self.buf, Proto::Client, Some(fields));
                    }
                }
            }
        }
        if self.buf.is_empty() {
            std::thread::sleep(Duration::from_millis(5));
            return Ok(());
        }
        write_all(client, stream, &self.buf)
    }
}
