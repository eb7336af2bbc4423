//! The embedded simulator against plain sockets: the harness its test
//! modules share (a simulator with a fast clock and [`Conn`], a client
//! socket that reads whole lines) and conformance with the recordings of a
//! real server. Each documented server behaviour is tested in
//! `sim_commands` (connections and commands) and `sim_world` (what the
//! simulated world sends). Every wait is bounded; every server listens on
//! 127.0.0.1:0.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use kismet_protocol::Frame;
use kismet_sim::{Sim, SimConfig};

/// Longest any test waits for one thing.
pub(crate) const WAIT: Duration = Duration::from_secs(5);

/// A simulator with a fast clock.
pub(crate) fn sim(config: SimConfig) -> Sim {
    Sim::start(
        "127.0.0.1:0",
        SimConfig {
            tick: Duration::from_millis(50),
            ..config
        },
    )
    .expect("simulator starts")
}

/// A plain client socket that reads whole lines, never waiting past [`WAIT`].
pub(crate) struct Conn {
    pub(crate) stream: TcpStream,
    buf: Vec<u8>,
    /// Where the next line starts in `buf` (lines are not drained one by
    /// one: that would cost a copy of the buffer per line).
    pos: usize,
    eof: bool,
}

impl Conn {
    pub(crate) fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("read timeout");
        Conn {
            stream,
            buf: Vec::new(),
            pos: 0,
            eof: false,
        }
    }

    pub(crate) fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    /// Reads more bytes; false on EOF or a reset.
    fn fill(&mut self) -> bool {
        let mut tmp = [0u8; 65536];
        match self.stream.read(&mut tmp) {
            Ok(0) => {
                self.eof = true;
                false
            }
            Ok(n) => {
                self.buf.extend_from_slice(&tmp[..n]);
                true
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => true,
            Err(_) => {
                self.eof = true;
                false
            }
        }
    }

    /// The next whole line (with its `\n`), or `None` at EOF or after `wait`.
    pub(crate) fn line_within(&mut self, wait: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(p) = self.buf[self.pos..].iter().position(|&b| b == b'\n') {
                let end = self.pos + p + 1;
                let line = self.buf[self.pos..end].to_vec();
                self.pos = end;
                if self.pos == self.buf.len() || self.pos > 1 << 20 {
                    self.buf.drain(..self.pos);
                    self.pos = 0;
                }
                return Some(line);
            }
            if self.eof || Instant::now() > deadline || !self.fill() {
                return None;
            }
        }
    }

    pub(crate) fn line(&mut self) -> Vec<u8> {
        self.line_within(WAIT).expect("a line before the timeout")
    }

    /// Lines up to and including the first one for which `stop` holds.
    pub(crate) fn until(&mut self, mut stop: impl FnMut(&[u8]) -> bool) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + WAIT;
        let mut lines = Vec::new();
        while Instant::now() < deadline {
            let Some(l) = self.line_within(deadline - Instant::now()) else {
                break;
            };
            let done = stop(&l);
            lines.push(l);
            if done {
                return lines;
            }
        }
        panic!(
            "timed out; last lines: {:?}",
            lines
                .iter()
                .rev()
                .take(5)
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect::<Vec<_>>()
        );
    }

    /// Lines up to and including `*ACK: id` or `*ERROR: id`.
    pub(crate) fn reply(&mut self, id: u64) -> Vec<Vec<u8>> {
        let ack = format!("*ACK: {id} ");
        let err = format!("*ERROR: {id} ");
        self.until(|l| l.starts_with(ack.as_bytes()) || l.starts_with(err.as_bytes()))
    }

    /// Reads everything until EOF (bounded), returning the lines.
    pub(crate) fn drain_to_eof(&mut self) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + WAIT;
        let mut lines = Vec::new();
        while Instant::now() < deadline {
            match self.line_within(Duration::from_millis(100)) {
                Some(l) => lines.push(l),
                None if self.eof => return lines,
                None => {}
            }
        }
        panic!("no EOF before the timeout");
    }

    pub(crate) fn greeting(&mut self) -> (Vec<u8>, Vec<u8>) {
        (self.line(), self.line())
    }
}

/// Parses a line (with its `\n`) into a frame.
pub(crate) fn frame(line: &[u8]) -> Frame {
    Frame::parse(line.strip_suffix(b"\n").unwrap_or(line)).expect("a well-formed server line")
}

/// A line as text (invalid UTF-8 replaced), for messages and comparisons.
pub(crate) fn text(line: &[u8]) -> String {
    String::from_utf8_lossy(line).into_owned()
}

// ---------------------------------------------------------------------------
// The recordings.

/// Decodes a Python bytes literal (`b'...'` or `b"..."`) at the start of
/// `s`; returns the bytes and the rest of the text.
fn py_bytes(s: &str) -> (Vec<u8>, &str) {
    let b = s.as_bytes();
    assert_eq!(b[0], b'b', "bytes literal expected: {s}");
    let quote = b[1];
    let mut out = Vec::new();
    let mut i = 2;
    while b[i] != quote {
        if b[i] == b'\\' {
            i += 1;
            match b[i] {
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'x' => {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("hex");
                    out.push(u8::from_str_radix(hex, 16).expect("hex digits"));
                    i += 2;
                }
                other => out.push(other),
            }
        } else {
            out.push(b[i]);
        }
        i += 1;
    }
    (out, &s[i + 1..])
}

/// One recorded event.
enum Event {
    /// Bytes the client sent.
    Sent(Vec<u8>),
    /// Bytes received, with the timestamp (a chunk is all bytes sharing it).
    Recv(String, Vec<u8>),
}

/// Reads a `.log` timeline. A line elided in the log
/// (`...<N bytes total>...`) is rebuilt: the text before the marker, padded
/// with its last character to N bytes, the last being `\n`.
fn read_log(path: &Path) -> Vec<Event> {
    let log = std::fs::read_to_string(path).expect("log readable");
    let mut events = Vec::new();
    for line in log.lines() {
        if let Some(pos) = line.find("SENT ") {
            let (mut bytes, _comment) = py_bytes(&line[pos + 5..]);
            let marker = b"...<";
            if let Some(m) = bytes.windows(4).position(|w| w == marker) {
                let rest = String::from_utf8_lossy(&bytes[m + 4..]).into_owned();
                let total: usize = rest
                    .split(' ')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("elided length");
                bytes.truncate(m);
                let fill = *bytes.last().expect("prefix");
                bytes.resize(total - 1, fill);
                bytes.push(b'\n');
            }
            events.push(Event::Sent(bytes));
        } else if let Some(pos) = line.find("RECV ") {
            let stamp = line[..pos].trim().to_string();
            events.push(Event::Recv(stamp, py_bytes(&line[pos + 5..]).0));
        }
    }
    events
}

/// What a session's received lines say, in comparable form.
#[derive(Debug, Default)]
struct Summary {
    /// Command id -> the reply (`ACK OK` or `ERROR text`).
    replies: BTreeMap<u64, String>,
    /// Protocol -> the field counts its lines had.
    counts: BTreeMap<String, BTreeSet<usize>>,
    /// ACKed ids whose burst (lines right before the ACK) was of a protocol.
    bursts: BTreeMap<u64, String>,
    /// The CAPABILITY payloads.
    capabilities: BTreeSet<String>,
    /// STATUS texts, UUIDs masked.
    statuses: Vec<String>,
}

/// Summarises lines; `chunks` gives, for each line, the chunk it came in
/// (bursts are only looked for within the ACK's chunk).
fn summarise(lines: &[(usize, Vec<u8>)]) -> Summary {
    let mut s = Summary::default();
    for (i, (chunk, line)) in lines.iter().enumerate() {
        let f = frame(line);
        let proto = f.protocol().to_string();
        s.counts.entry(proto.clone()).or_default().insert(f.len());
        let field = |n: usize| String::from_utf8_lossy(f.field(n).unwrap_or(b"")).into_owned();
        match proto.as_str() {
            "ACK" | "ERROR" => {
                let id: u64 = field(0).parse().expect("numeric id");
                s.replies.insert(id, format!("{proto} {}", field(1)));
                if proto == "ACK" && i > 0 {
                    let (prev_chunk, prev) = &lines[i - 1];
                    let prev = frame(prev).protocol().to_string();
                    if prev_chunk == chunk && !matches!(prev.as_str(), "ACK" | "ERROR" | "TIME") {
                        s.bursts.insert(id, prev);
                    }
                }
            }
            "CAPABILITY" => {
                s.capabilities.insert(field(0));
            }
            "STATUS" => s.statuses.push(mask_uuids(&field(0))),
            _ => {}
        }
    }
    s
}

/// Replaces UUIDs (8-4-4-4-12 hex) with `<uuid>`.
fn mask_uuids(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            let parts: Vec<&str> = w.split('-').collect();
            let is_uuid = parts.len() == 5
                && parts
                    .iter()
                    .zip([8, 4, 4, 4, 12])
                    .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()));
            if is_uuid {
                "<uuid>".to_string()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The recorded session's lines (after the greeting), tagged by chunk.
fn recorded_lines(events: &[Event]) -> Vec<(usize, Vec<u8>)> {
    let mut stream = Vec::new();
    let mut marks = Vec::new();
    let mut chunk = 0;
    let mut last_stamp = String::new();
    for e in events {
        if let Event::Recv(stamp, bytes) = e {
            if *stamp != last_stamp {
                chunk += 1;
                last_stamp = stamp.clone();
            }
            for _ in bytes {
                marks.push(chunk);
            }
            stream.extend_from_slice(bytes);
        }
    }
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, &b) in stream.iter().enumerate() {
        if b == b'\n' {
            // A line belongs to the chunk its `\n` arrived in.
            lines.push((marks[i], stream[start..=i].to_vec()));
            start = i + 1;
        }
    }
    lines
}

/// Replays the client side of a recording against the simulator and returns
/// the greeting and the summary of everything after it. `expect` are the ids
/// the real server answered: the replay waits (bounded) for all of them.
fn replay(events: &[Event], expect: &BTreeSet<u64>) -> (Vec<Vec<u8>>, Summary) {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    let (kismet, protocols) = c.greeting();
    // The simulator writes a burst and its ACK back to back, so all its
    // lines count as one chunk: the line before an ACK is its burst's.
    let mut lines: Vec<(usize, Vec<u8>)> = Vec::new();
    let read_for = |c: &mut Conn, lines: &mut Vec<(usize, Vec<u8>)>, window: Duration| {
        let deadline = Instant::now() + window;
        while let Some(l) = c.line_within(deadline.saturating_duration_since(Instant::now())) {
            lines.push((0, l));
        }
    };
    for e in events {
        if let Event::Sent(bytes) = e {
            c.send(bytes);
            read_for(&mut c, &mut lines, Duration::from_millis(80));
        }
    }
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline
        && !expect.is_subset(&summarise(&lines).replies.keys().copied().collect())
    {
        read_for(&mut c, &mut lines, Duration::from_millis(50));
    }
    // A little longer, to catch replies the real server did not give.
    read_for(&mut c, &mut lines, Duration::from_millis(200));
    (vec![kismet, protocols], summarise(&lines))
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/legacy-server")
        .join(name)
}

/// Replaying each recording's client side against the simulator gives the
/// same replies (ACK or ERROR, same text) to the same ids, no reply where
/// the real server gave none, the same greeting shape, the same field
/// counts per protocol, the same CAPABILITY lines, bursts of the same
/// protocol before the same ACKs, and the same command-related STATUS texts.
#[test]
fn conformance_with_recordings() {
    for name in [
        "t1_commands.log",
        "t2_remove_capability_noarg.log",
        "t7_nosource.log",
        "t8_nosource_addsource.log",
    ] {
        let events = read_log(&fixture(name));
        let recorded = recorded_lines(&events);
        let (greeting, want) = {
            let (g, rest) = recorded.split_at(2);
            (
                g.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>(),
                summarise(rest),
            )
        };
        let (got_greeting, got) = replay(&events, &want.replies.keys().copied().collect());
        assert!(!want.replies.is_empty(), "{name}: nothing recorded");

        // Greeting: same shape, same PROTOCOLS line.
        let (gk, wk) = (frame(&got_greeting[0]), frame(&greeting[0]));
        assert_eq!(gk.protocol(), "KISMET", "{name}");
        assert_eq!(gk.len(), wk.len(), "{name}");
        assert_eq!(gk.field(0), wk.field(0), "{name}: version");
        assert_eq!(gk.field(3), Some(&b""[..]), "{name}: dumpfiles");
        assert!(text(&got_greeting[0]).ends_with("\x01\x01 0 \n"), "{name}");
        assert_eq!(got_greeting[1], greeting[1], "{name}: PROTOCOLS");

        assert_eq!(got.replies, want.replies, "{name}: replies");
        assert_eq!(got.capabilities, want.capabilities, "{name}: CAPABILITY");
        for (proto, counts) in &want.counts {
            if let Some(got_counts) = got.counts.get(proto) {
                assert!(
                    got_counts.is_subset(counts),
                    "{name}: {proto} field counts {got_counts:?}, recorded {counts:?}"
                );
            }
        }
        for (id, proto) in &want.bursts {
            assert_eq!(
                got.bursts.get(id),
                Some(proto),
                "{name}: burst before ACK {id}"
            );
        }
        // Command-related STATUS texts (not the world's own news).
        let about_commands = |s: &Summary| -> Vec<String> {
            s.statuses
                .iter()
                .filter(|t| !t.starts_with("Detected new") && !t.starts_with("Pcap file"))
                .filter(|t| !t.ends_with("No such file or directory"))
                .cloned()
                .collect()
        };
        assert_eq!(
            about_commands(&got),
            about_commands(&want),
            "{name}: STATUS"
        );
    }
}
