//! The embedded simulator against plain sockets: conformance with the
//! recordings of a real server, and each documented server behaviour.
//! Every wait is bounded; every server listens on 127.0.0.1:0.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use kismet_protocol::Frame;
use kismet_sim::{Sim, SimConfig};

/// Longest any test waits for one thing.
const WAIT: Duration = Duration::from_secs(5);

/// A simulator with a fast clock.
fn sim(config: SimConfig) -> Sim {
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
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Where the next line starts in `buf` (lines are not drained one by
    /// one: that would cost a copy of the buffer per line).
    pos: usize,
    eof: bool,
}

impl Conn {
    fn open(addr: SocketAddr) -> Conn {
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

    fn send(&mut self, bytes: &[u8]) {
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
    fn line_within(&mut self, wait: Duration) -> Option<Vec<u8>> {
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

    fn line(&mut self) -> Vec<u8> {
        self.line_within(WAIT).expect("a line before the timeout")
    }

    /// Lines up to and including the first one for which `stop` holds.
    fn until(&mut self, mut stop: impl FnMut(&[u8]) -> bool) -> Vec<Vec<u8>> {
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
    fn reply(&mut self, id: u64) -> Vec<Vec<u8>> {
        let ack = format!("*ACK: {id} ");
        let err = format!("*ERROR: {id} ");
        self.until(|l| l.starts_with(ack.as_bytes()) || l.starts_with(err.as_bytes()))
    }

    /// Reads everything until EOF (bounded), returning the lines.
    fn drain_to_eof(&mut self) -> Vec<Vec<u8>> {
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

    fn greeting(&mut self) -> (Vec<u8>, Vec<u8>) {
        (self.line(), self.line())
    }
}

/// Parses a line (with its `\n`) into a frame.
fn frame(line: &[u8]) -> Frame {
    Frame::parse(line.strip_suffix(b"\n").unwrap_or(line)).expect("a well-formed server line")
}

fn text(line: &[u8]) -> String {
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

// ---------------------------------------------------------------------------
// Behaviours, one by one.

/// Byte for byte: the greeting, then `!1 ENABLE SSID ssid,mac` gives SSID
/// lines `*SSID: \x01...\x01 XX:XX:XX:XX:XX:XX \n` and then the ACK.
#[test]
fn plain_socket_bytes() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    let (kismet, protocols) = c.greeting();
    let k = text(&kismet);
    let rest = k
        .strip_prefix("*KISMET: 0.0.0 ")
        .and_then(|r| r.strip_suffix(" \x01Kismet Simulator\x01 \x01\x01 0 \n"))
        .unwrap_or_else(|| panic!("greeting {k:?}"));
    assert!(
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()),
        "{k:?}"
    );
    assert_eq!(
        protocols,
        b"*PROTOCOLS: KISMET,ERROR,ACK,PROTOCOLS,CAPABILITY,TERMINATE,TIME,PACKET,STATUS,\
PLUGIN,SOURCE,ALERT,COMMON,TRACKINFO,WEPKEY,STRING,GPS,BSSID,SSID,CLIENT,BSSIDSRC,CLISRC,\
NETTAG,CLITAG,REMOVE,CHANNEL,INFO,BATTERY,CRITFAIL\n"
    );
    c.send(b"!1 ENABLE SSID ssid,mac\n");
    let lines = c.reply(1);
    assert_eq!(lines.last().unwrap(), b"*ACK: 1 \x01OK\x01 \n");
    let ssids: Vec<&Vec<u8>> = lines.iter().filter(|l| l.starts_with(b"*SSID: ")).collect();
    assert!(ssids.len() >= 6);
    for l in &ssids {
        let body = &l[b"*SSID: \x01".len()..];
        let close = body.iter().position(|&b| b == 1).expect("closing quote");
        let tail = &body[close..];
        assert_eq!(tail.len(), 1 + 1 + 17 + 2, "{:?}", text(l));
        assert!(tail.starts_with(b"\x01 ") && tail.ends_with(b" \n"));
        assert!(tail[2..19].iter().enumerate().all(|(i, b)| if i % 3 == 2 {
            *b == b':'
        } else {
            b.is_ascii_hexdigit()
        }));
    }
    assert!(ssids
        .iter()
        .any(|l| l.as_slice() == b"*SSID: \x01HomeNet\x01 00:14:6C:A1:00:01 \n"));
    assert!(ssids
        .iter()
        .any(|l| l.as_slice()
            == b"*SSID: \x01Caf\\303\\251 \\342\\230\\225\x01 00:24:01:D4:00:04 \n"));
    assert!(ssids
        .iter()
        .any(|l| l.as_slice() == b"*SSID: \x01\x01 00:1D:7E:C3:00:03 \n"));
}

/// With max_clients 5, a sixth connection is closed without a single byte.
#[test]
fn sixth_connection_gets_eof_without_bytes() {
    let sim = sim(SimConfig::default());
    let mut five: Vec<Conn> = (0..5).map(|_| Conn::open(sim.local_addr())).collect();
    for c in &mut five {
        c.greeting();
    }
    assert_eq!(sim.connections(), 5);
    let mut sixth = TcpStream::connect(sim.local_addr()).expect("connect");
    sixth.set_read_timeout(Some(WAIT)).unwrap();
    let mut buf = [0u8; 64];
    match sixth.read(&mut buf) {
        Ok(n) => assert_eq!(n, 0, "got bytes: {:?}", &buf[..n]),
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e}"),
    }
    // The five still work.
    five[0].send(b"!1 CAPABILITY TIME\n");
    let l = five[0].reply(1);
    assert!(l.iter().any(|l| l == b"*CAPABILITY: TIME timesec\n"));
}

/// A second ENABLE of a protocol replaces its field list.
#[test]
fn reenable_replaces_fields() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE BSSID bssid,channel\n");
    for l in c.reply(1).iter().filter(|l| l.starts_with(b"*BSSID")) {
        assert_eq!(frame(l).len(), 2);
    }
    c.send(b"!2 ENABLE BSSID manuf\n");
    let before = c.reply(2);
    assert!(before.last().unwrap().starts_with(b"*ACK: 2 "));
    let after = c.until(|l| l.starts_with(b"*BSSID"));
    let f = frame(after.last().unwrap());
    assert_eq!(f.len(), 1);
    assert!(!f.field(0).unwrap().contains(&b':'), "manuf, not a MAC");
}

/// REMOVE TIME stops the TIME lines, even though TIME is always on.
#[test]
fn remove_time_stops_time() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.until(|l| l.starts_with(b"*TIME: "));
    c.send(b"!1 REMOVE TIME\n");
    c.reply(1);
    c.send(b"!2 ENABLE INFO packets\n");
    c.reply(2);
    // Several ticks later: INFO still flows, TIME does not.
    let mut infos = 0;
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        if let Some(l) = c.line_within(Duration::from_millis(50)) {
            assert!(!l.starts_with(b"*TIME"), "TIME after REMOVE");
            infos += usize::from(l.starts_with(b"*INFO: "));
        }
    }
    assert!(infos >= 3, "only {infos} INFO lines");
    c.send(b"!3 REMOVE TIME\n");
    assert_eq!(c.reply(3).last().unwrap(), b"*ACK: 3 \x01OK\x01 \n");
}

/// Another client's failed command reaches a STATUS subscriber as
/// `Failed Kismet client command: ...` (flags 4); NO SUCH COMMAND does not;
/// a new connection is announced to it.
#[test]
fn failed_command_broadcast_as_status() {
    let sim = sim(SimConfig::default());
    let mut a = Conn::open(sim.local_addr());
    a.greeting();
    a.send(b"!1 ENABLE STATUS *\n");
    a.reply(1);
    let mut b = Conn::open(sim.local_addr());
    b.greeting();
    a.until(|l| l == b"*STATUS: \x01Kismet server accepted connection from 127.0.0.1\x01 2 \n");
    b.send(b"!5 NOSUCHCMD\n");
    assert_eq!(
        b.reply(5).last().unwrap(),
        b"*ERROR: 5 \x01NO SUCH COMMAND\x01 \n"
    );
    b.send(b"!7 ENABLE BOGUS x\n");
    assert_eq!(
        b.reply(7).last().unwrap(),
        b"*ERROR: 7 \x01Unknown protocol: 'BOGUS'\x01 \n"
    );
    let seen = a.until(|l| l.starts_with(b"*STATUS: \x01Failed"));
    assert_eq!(
        seen.last().unwrap(),
        b"*STATUS: \x01Failed Kismet client command: Unknown protocol: 'BOGUS'\x01 4 \n"
    );
    assert!(!seen.iter().any(|l| text(l).contains("NO SUCH COMMAND")));
}

/// `Sim::shutdown` sends TERMINATE as the last line, then closes.
#[test]
fn shutdown_sends_terminate() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    sim.shutdown();
    let lines = c.drain_to_eof();
    assert_eq!(
        lines.last().map(Vec::as_slice),
        Some(&b"*TERMINATE: Kismet server terminating.\n"[..])
    );
}

/// SHUTDOWN gets no `*ACK` and no `*ERROR`, as on a real server: STATUS
/// `Received SHUTDOWN command` (flags 16) to STATUS subscribers, then
/// `*TERMINATE: Kismet server terminating.` to every client, then, after
/// TERMINATE, STATUS `Stopped source '<name>'` (flags 2) for the capture
/// source, nothing else; every connection is closed the linger later.
#[test]
fn shutdown_command_gets_no_ack_and_terminate_is_not_last() {
    assert_eq!(
        SimConfig::default().shutdown_linger,
        Duration::from_secs(2),
        "a real server closes about 2 s after SHUTDOWN"
    );
    let linger = Duration::from_millis(400);
    let sim = sim(SimConfig {
        shutdown_linger: linger,
        ..SimConfig::default()
    });
    let mut a = Conn::open(sim.local_addr());
    a.greeting();
    a.send(b"!1 ENABLE STATUS *\n");
    a.reply(1);
    let mut b = Conn::open(sim.local_addr());
    b.greeting();
    a.until(|l| l.starts_with(b"*STATUS: \x01Kismet server accepted connection"));
    let sent = Instant::now();
    b.send(b"!3 SHUTDOWN\n");
    let la = a.drain_to_eof();
    let lb = b.drain_to_eof();
    assert!(
        sent.elapsed() >= linger,
        "closed {:?} after SHUTDOWN, before the linger",
        sent.elapsed()
    );
    let received = b"*STATUS: \x01Received SHUTDOWN command\x01 16 \n";
    let terminate = b"*TERMINATE: Kismet server terminating.\n";
    let stopped = b"*STATUS: \x01Stopped source 'wlan0'\x01 2 \n";
    let pos = |lines: &[Vec<u8>], want: &[u8]| lines.iter().position(|l| l == want);
    let (r, t) = (pos(&la, received), pos(&la, terminate));
    let (r, t) = (r.expect("Received SHUTDOWN"), t.expect("TERMINATE"));
    assert!(r < t, "STATUS before TERMINATE");
    assert_eq!(&la[t + 1..], &[stopped.to_vec()], "after TERMINATE");
    // The client without STATUS gets TERMINATE as its last line.
    assert_eq!(lb.last().map(Vec::as_slice), Some(&terminate[..]));
    for l in la.iter().chain(&lb) {
        assert!(
            !l.starts_with(b"*ACK: 3 ") && !l.starts_with(b"*ERROR: 3 "),
            "{:?}",
            text(l)
        );
    }
    assert!(sim.is_stopped());
}

/// A line under the limit is answered however long: the 8015-byte ENABLE
/// of the recordings gets its ERROR, the text cut at 1023 bytes.
#[test]
fn long_line_under_limit_is_answered() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    let mut long = b"!9 ENABLE SSID ".to_vec();
    long.resize(8015, b'x');
    long.push(b'\n');
    c.send(&long);
    let e = c.reply(9);
    assert_eq!(
        e.last().unwrap().len(),
        b"*ERROR: 9 \x01\x01 \n".len() + 1023
    );
}

/// A line over 64 KiB with no newline (70 KB, as observed) makes the server
/// reset the connection: the client gets "connection reset by peer" (a TCP
/// RST, not a clean close), with no reply before it; another client is
/// unaffected.
#[test]
fn overlong_line_resets_connection() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    let mut other = Conn::open(sim.local_addr());
    other.greeting();
    // Nothing but a reply could come after this.
    c.send(b"!1 REMOVE TIME\n");
    c.reply(1);
    let written = c.stream.write_all(&vec![b'x'; 70 * 1024]);
    let mut got = Vec::new();
    let reset = match written {
        // The reset came while the line was still being written.
        Err(e) => e,
        Ok(()) => {
            let deadline = Instant::now() + WAIT;
            let mut buf = [0u8; 4096];
            loop {
                match c.stream.read(&mut buf) {
                    Ok(0) => panic!("a clean close (FIN), not a reset"),
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                        assert!(Instant::now() < deadline, "no reset before the timeout");
                    }
                    Err(e) => break e,
                }
            }
        }
    };
    assert_eq!(reset.kind(), ErrorKind::ConnectionReset, "{reset}");
    assert_eq!(text(&got), "", "no reply before the reset");
    other.send(b"!2 CAPABILITY TIME\n");
    assert_eq!(other.reply(2).last().unwrap(), b"*ACK: 2 \x01OK\x01 \n");
    let deadline = Instant::now() + WAIT;
    while sim.connections() > 1 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(sim.connections(), 1);
}

/// ENABLE of COMMON, BSSIDSRC or CLISRC is acknowledged with no burst
/// before the `*ACK`, as on a real server (BSSID bursts what it holds);
/// BSSIDSRC and CLISRC then fill from live updates.
#[test]
fn enable_common_bssidsrc_clisrc_acks_without_burst() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.until(|l| l.starts_with(b"*TIME: "));
    for (id, proto) in [(1, "COMMON"), (2, "BSSIDSRC"), (3, "CLISRC")] {
        c.send(format!("!{id} ENABLE {proto} *\n").as_bytes());
        let lines = c.reply(id);
        assert_eq!(
            lines.last().unwrap(),
            format!("*ACK: {id} \x01OK\x01 \n").as_bytes()
        );
        let header = format!("*{proto}: ");
        assert!(
            !lines.iter().any(|l| l.starts_with(header.as_bytes())),
            "{proto} burst before its ACK"
        );
    }
    c.send(b"!4 ENABLE BSSID bssid\n");
    assert!(c.reply(4).iter().any(|l| l.starts_with(b"*BSSID: ")));
    let (mut bssidsrc, mut clisrc) = (false, false);
    c.until(|l| {
        bssidsrc |= l.starts_with(b"*BSSIDSRC: ");
        clisrc |= l.starts_with(b"*CLISRC: ");
        bssidsrc && clisrc
    });
}

/// Every protocol of the PROTOCOLS line, enabled with all fields in one
/// write; returns the lines up to the last ACK.
fn enable_everything(c: &mut Conn, protocols: &[u8]) -> Vec<Vec<u8>> {
    let payload = protocols.strip_prefix(b"*PROTOCOLS: ").expect("PROTOCOLS");
    let names: Vec<String> = text(payload.strip_suffix(b"\n").unwrap_or(payload))
        .split(',')
        .map(str::to_string)
        .collect();
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        out.extend_from_slice(format!("!{} ENABLE {name} *\n", i + 1).as_bytes());
    }
    c.send(&out);
    c.reply(names.len() as u64)
}

/// By default the simulator is a real server with no GPS and no alerts:
/// with every protocol enabled for 40 ticks, no COMMON, TRACKINFO, GPS,
/// PACKET or ALERT line comes, and STATUS only for events (each text once:
/// nothing periodic).
#[test]
fn defaults_send_no_common_trackinfo_gps_packet_or_alert() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    let (_, protocols) = c.greeting();
    let mut lines = enable_everything(&mut c, &protocols);
    let mut times = 0;
    lines.extend(c.until(|l| {
        times += usize::from(l.starts_with(b"*TIME: "));
        times >= 40
    }));
    let mut statuses = BTreeSet::new();
    for l in &lines {
        let f = frame(l);
        assert!(
            !matches!(
                f.protocol(),
                "COMMON" | "TRACKINFO" | "GPS" | "PACKET" | "ALERT"
            ),
            "{:?}",
            text(l)
        );
        if f.protocol() == "STATUS" {
            let t = text(f.field(0).unwrap());
            assert!(t.starts_with("Detected new "), "{t:?}");
            assert!(statuses.insert(t.clone()), "STATUS {t:?} twice");
        }
    }
}

/// The extras are opt-in: with `gps`, `alerts` and `common`, GPS and
/// TRACKINFO come every tick, COMMON for changed networks, and alerts.
#[test]
fn gps_alerts_common_are_opt_in() {
    let sim = sim(SimConfig {
        gps: true,
        alerts: true,
        common: true,
        ..SimConfig::default()
    });
    let mut c = Conn::open(sim.local_addr());
    let (_, protocols) = c.greeting();
    let mut seen = BTreeSet::new();
    for l in enable_everything(&mut c, &protocols) {
        seen.insert(frame(&l).protocol().to_string());
    }
    c.until(|l| {
        seen.insert(frame(l).protocol().to_string());
        ["GPS", "TRACKINFO", "COMMON", "ALERT"]
            .iter()
            .all(|p| seen.contains(*p))
    });
}

/// The lines of a burst: those of `proto` in `lines` (up to an ACK).
fn burst_of<'a>(lines: &'a [Vec<u8>], proto: &str) -> Vec<&'a Vec<u8>> {
    let header = format!("*{proto}: ");
    lines
        .iter()
        .filter(|l| l.starts_with(header.as_bytes()))
        .collect()
}

/// The SSID burst holds the SSIDs of beaconing access points only, sorted
/// by MAC: byte for byte the burst of the recording (`!2 ENABLE SSID
/// ssid,mac` in t1), even once stations' probe-request SSIDs are known
/// (they come as live updates). The BSSID burst is sorted by MAC, probe
/// networks included, and the CLIENT burst by BSSID then MAC, as recorded.
#[test]
fn ssid_burst_is_beaconing_aps_sorted_by_mac() {
    let recorded = crate::common::raw_lines("t1_commands.raw");
    let ack = recorded
        .iter()
        .position(|l| l == b"*ACK: 2 \x01OK\x01 ")
        .expect("ACK 2 recorded");
    let mut want: Vec<Vec<u8>> = recorded[..ack]
        .iter()
        .rev()
        .take_while(|l| l.starts_with(b"*SSID: "))
        .map(|l| [l.as_slice(), b"\n"].concat())
        .collect();
    want.reverse();
    assert_eq!(want.len(), 6);

    let sim = sim(SimConfig::default());
    let mut a = Conn::open(sim.local_addr());
    a.greeting();
    a.send(b"!1 ENABLE SSID ssid,mac\n");
    a.reply(1);
    // A probe-request SSID, live (its MAC is a station's, not an AP's).
    a.until(|l| {
        let f = frame(l);
        f.protocol() == "SSID" && {
            let mac = text(f.field(1).unwrap());
            !APS.iter().any(|(bssid, _)| *bssid == mac)
        }
    });

    let mut b = Conn::open(sim.local_addr());
    b.greeting();
    b.send(b"!2 ENABLE SSID ssid,mac\n");
    let got = b.reply(2);
    let got: Vec<Vec<u8>> = burst_of(&got, "SSID").into_iter().cloned().collect();
    assert_eq!(
        got.iter().map(|l| text(l)).collect::<Vec<_>>(),
        want.iter().map(|l| text(l)).collect::<Vec<_>>()
    );

    b.send(b"!3 ENABLE BSSID bssid,type\n");
    let lines = b.reply(3);
    let bssids: Vec<(String, String)> = burst_of(&lines, "BSSID")
        .iter()
        .map(|l| {
            let f = frame(l);
            (text(f.field(0).unwrap()), text(f.field(1).unwrap()))
        })
        .collect();
    assert!(bssids.windows(2).all(|w| w[0].0 < w[1].0), "{bssids:?}");
    assert!(bssids.iter().any(|(_, t)| t == "2"), "a probe network");

    b.send(b"!4 ENABLE CLIENT bssid,mac\n");
    let lines = b.reply(4);
    let pairs: Vec<(String, String)> = burst_of(&lines, "CLIENT")
        .iter()
        .map(|l| {
            let f = frame(l);
            (text(f.field(0).unwrap()), text(f.field(1).unwrap()))
        })
        .collect();
    assert!(pairs.len() > 6);
    assert!(pairs.windows(2).all(|w| w[0] < w[1]), "{pairs:?}");
}

/// Empty fields as a real server writes them: SSID `beaconinfo` is always
/// `\x01 \x01` and `dot11d` `\x01XXX:\x01` (no country known), for
/// beacons and probes alike; CLIENT `dhcphost` and `dhcpvendor` are
/// `\x01\x01`, and CLIENT `dot11d` an empty bare field (two spaces).
#[test]
fn empty_fields_as_the_server_writes_them() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE SSID mac,type,beaconinfo,dot11d\n");
    let mut lines = c.reply(1);
    c.send(b"!2 ENABLE CLIENT mac,dhcphost,dhcpvendor,dot11d,type\n");
    lines.extend(c.reply(2));
    let mut types = BTreeSet::new();
    let mut clients = 0;
    lines.extend(c.until(|l| {
        if l.starts_with(b"*SSID: ") {
            types.insert(text(frame(l).field(1).unwrap()));
        }
        clients += usize::from(l.starts_with(b"*CLIENT: "));
        types.contains("2") && clients > 20
    }));
    for l in &lines {
        let f = frame(l);
        match f.protocol() {
            "SSID" => {
                let tail = format!(" {} \x01 \x01 \x01XXX:\x01 \n", text(f.field(1).unwrap()));
                assert!(text(l).ends_with(&tail), "{:?}", text(l));
            }
            "CLIENT" => {
                let mac = text(f.field(0).unwrap());
                let want = format!(
                    "*CLIENT: {mac} \x01\x01 \x01\x01  {} \n",
                    text(f.field(4).unwrap())
                );
                assert_eq!(text(l), want);
            }
            _ => {}
        }
    }
    assert!(types.contains("0"), "a beacon SSID");
}

/// TIME comes every 1.0 to 1.12 ticks and now and then skips a value, as
/// on a real server: over 40 TIME lines the values rise by 1 or 2, at
/// least once by 2, and by 1.0 to 1.12 per line on average (the values
/// are the simulated clock at each tick, so load cannot change them).
#[test]
fn time_rises_by_one_or_two_every_1_to_1_12_ticks() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    let mut times: Vec<u64> = Vec::new();
    c.until(|l| {
        if l.starts_with(b"*TIME: ") {
            times.push(text(frame(l).field(0).unwrap()).parse().unwrap());
        }
        times.len() >= 40
    });
    let gaps: Vec<u64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.iter().all(|&g| g == 1 || g == 2), "{times:?}");
    assert!(gaps.contains(&2), "no skipped second: {times:?}");
    let span = (times[39] - times[0]) as f64;
    assert!((38.0..=39.0 * 1.12 + 1.0).contains(&span), "{times:?}");
}

/// CHANNEL lines come every two ticks, and only for the channels that saw
/// traffic: 1, 6 and 11, where the access points are.
#[test]
fn channel_lines_only_for_channels_with_traffic() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE CHANNEL channel,packets\n");
    c.reply(1);
    // TIME lines between reports; channels in each report.
    let mut reports: Vec<(usize, BTreeSet<String>)> = vec![(0, BTreeSet::new())];
    c.until(|l| {
        let f = frame(l);
        match f.protocol() {
            "TIME" => {
                if !reports.last().unwrap().1.is_empty() {
                    reports.push((0, BTreeSet::new()));
                }
                reports.last_mut().unwrap().0 += 1;
            }
            "CHANNEL" => {
                assert_ne!(text(f.field(1).unwrap()), "0", "{:?}", text(l));
                reports
                    .last_mut()
                    .unwrap()
                    .1
                    .insert(text(f.field(0).unwrap()));
            }
            _ => {}
        }
        reports.len() >= 5
    });
    let want: BTreeSet<String> = ["1", "6", "11"].into_iter().map(String::from).collect();
    // The first report may come after one TIME line or two.
    for (times, channels) in &reports[1..reports.len() - 1] {
        assert_eq!(*times, 2, "{reports:?}");
        assert_eq!(*channels, want);
    }
}

/// The access points of the recordings and their SSIDs.
const APS: [(&str, &str); 6] = [
    ("00:14:6C:A1:00:01", "HomeNet"),
    ("00:18:E7:B2:00:02", "Coffee Shop Free WiFi"),
    ("00:1D:7E:C3:00:03", ""),
    ("00:24:01:D4:00:04", "Café ☕"),
    ("00:26:5A:E5:00:05", "CorpGuest"),
    ("00:1F:33:F6:00:06", "IoT-2.4G"),
];

/// Whether `set` is the cipher bit set a real server sends for the kind of
/// network the access point `bssid` is (PROTOCOL.md quotes the live values).
fn is_real_set(bssid: &str, set: u64) -> bool {
    const WEP: u64 = 1 << 1;
    const WPA: u64 = 1 << 6;
    const AES_CCM: u64 = 1 << 9;
    const WPA2: u64 = 1 << 21;
    // LEAP, TTLS, TLS, PEAP: which EAP method a server reports for an
    // 802.1X network (if any) is not recorded, so any is accepted.
    const EAP: u64 = (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13);
    match bssid {
        // HomeNet and the hidden one: WPA2-PSK, CCMP.
        "00:14:6C:A1:00:01" | "00:1D:7E:C3:00:03" => set == 2_097_858,
        // Coffee Shop Free WiFi: open.
        "00:18:E7:B2:00:02" => set == 0,
        // Café ☕: WEP.
        "00:24:01:D4:00:04" => set == 2,
        // CorpGuest: WPA2-Enterprise, CCMP: 802.1X, so no PSK bit.
        "00:26:5A:E5:00:05" => set & !EAP == WPA2 | AES_CCM | WPA | WEP,
        // IoT-2.4G: WPA and WPA2, TKIP and CCMP, PSK.
        "00:1F:33:F6:00:06" => set == 3_146_466,
        _ => false,
    }
}

/// Cipher sets are bit sets, as a real server sends them: each access
/// point is a kind of network a real capture holds, with the bit set a
/// real server sends for that kind in SSID `cryptset`, the same in BSSID
/// `datacryptset` and in CLIENT `datacryptset` of the stations that send
/// data through it; probe requests carry 0.
#[test]
fn cipher_sets_are_the_real_bit_sets() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE SSID mac,cryptset,type\n");
    let want: BTreeMap<String, String> = burst_of(&c.reply(1), "SSID")
        .iter()
        .map(|l| {
            let f = frame(l);
            assert_eq!(f.field(2), Some(&b"0"[..]), "a beacon");
            (text(f.field(0).unwrap()), text(f.field(1).unwrap()))
        })
        .collect();
    assert_eq!(want.len(), APS.len());
    for (bssid, set) in &want {
        assert!(is_real_set(bssid, set.parse().unwrap()), "{bssid} {set}");
    }
    c.send(b"!2 ENABLE BSSID bssid,type,datacryptset\n");
    for l in burst_of(&c.reply(2), "BSSID") {
        let f = frame(l);
        let (bssid, set) = (text(f.field(0).unwrap()), text(f.field(2).unwrap()));
        match want.get(&bssid) {
            Some(w) => assert_eq!(&set, w, "{bssid}"),
            None => assert_eq!((text(f.field(1).unwrap()), set), ("2".into(), "0".into())),
        }
    }
    // Stations with data through each access point, live or in the burst.
    c.send(b"!3 ENABLE CLIENT bssid,mac,datapackets,datacryptset\n");
    // The access point a CLIENT line shows a station sending data through.
    let check = |l: &[u8]| -> Option<String> {
        let f = frame(l);
        if f.protocol() != "CLIENT" {
            return None;
        }
        let (bssid, mac) = (text(f.field(0).unwrap()), text(f.field(1).unwrap()));
        let Some(set) = want.get(&bssid) else {
            // A probing station's own record.
            assert_eq!(text(f.field(3).unwrap()), "0");
            return None;
        };
        // Not the access point itself, nor the wired gateway behind it.
        if mac == bssid || mac == "00:0C:42:00:00:01" || text(f.field(2).unwrap()) == "0" {
            return None;
        }
        assert_eq!(&text(f.field(3).unwrap()), set, "{bssid} {mac}");
        Some(bssid)
    };
    let mut seen: BTreeSet<String> = c.reply(3).iter().filter_map(|l| check(l)).collect();
    c.until(|l| {
        seen.extend(check(l));
        seen.len() == want.len()
    });
}

/// The simulator's read-only view of its world agrees with the wire: the
/// six access points with their SSIDs (the hidden one cloaked) and real
/// cipher sets; a BSSID burst taken between two views lists every network of the
/// first, each in the second with the same type, channel, cipher set and
/// manufacturer; a CLIENT burst likewise for client records.
#[test]
fn views_agree_with_the_wire() {
    use kismet_protocol::text::decode_octal;
    let sim = sim(SimConfig::default());
    let aps: Vec<(String, String, bool)> = sim
        .networks()
        .into_iter()
        .filter(|n| n.network_type == 0)
        .map(|n| {
            assert!(is_real_set(&n.bssid, n.cryptset), "{n:?}");
            (n.bssid, n.ssid, n.cloaked)
        })
        .collect();
    let mut want: Vec<(String, String, bool)> = APS
        .iter()
        .map(|(mac, ssid)| (mac.to_string(), ssid.to_string(), ssid.is_empty()))
        .collect();
    want.sort();
    assert_eq!(aps, want);

    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.until(|l| l.starts_with(b"*TIME: "));
    c.until(|l| l.starts_with(b"*TIME: "));
    let before = sim.networks();
    c.send(b"!1 ENABLE BSSID bssid,type,channel,datacryptset,manuf\n");
    let lines = c.reply(1);
    let after = sim.networks();
    let burst: Vec<Frame> = burst_of(&lines, "BSSID").iter().map(|l| frame(l)).collect();
    let field = |f: &Frame, i: usize| text(f.field(i).unwrap());
    for n in &before {
        assert!(burst.iter().any(|f| field(f, 0) == n.bssid), "{n:?}");
    }
    for f in &burst {
        let n = after
            .iter()
            .find(|n| n.bssid == field(f, 0))
            .unwrap_or_else(|| panic!("{} not in the view", field(f, 0)));
        assert_eq!(
            (field(f, 1), field(f, 2), field(f, 3), field(f, 4)),
            (
                n.network_type.to_string(),
                n.channel.to_string(),
                n.cryptset.to_string(),
                n.manufacturer.clone()
            )
        );
    }
    c.send(b"!2 ENABLE SSID mac,ssid\n");
    for l in burst_of(&c.reply(2), "SSID") {
        let f = frame(l);
        let ssid = String::from_utf8(decode_octal(f.field(1).unwrap()).into_owned()).unwrap();
        let n = after.iter().find(|n| n.bssid == field(&f, 0)).unwrap();
        assert_eq!(ssid, n.ssid);
    }

    let before = sim.clients();
    c.send(b"!3 ENABLE CLIENT bssid,mac,type,ip,manuf\n");
    let lines = c.reply(3);
    let after = sim.clients();
    let burst: Vec<Frame> = burst_of(&lines, "CLIENT")
        .iter()
        .map(|l| frame(l))
        .collect();
    for v in &before {
        assert!(
            burst
                .iter()
                .any(|f| (field(f, 0), field(f, 1)) == (v.bssid.clone(), v.mac.clone())),
            "{v:?}"
        );
    }
    for f in &burst {
        let v = after
            .iter()
            .find(|v| (v.bssid.clone(), v.mac.clone()) == (field(f, 0), field(f, 1)))
            .unwrap_or_else(|| panic!("{} {} not in the view", field(f, 0), field(f, 1)));
        assert_eq!(field(f, 2), v.client_type.to_string());
        assert_eq!(field(f, 4), v.manufacturer);
        if field(f, 3) != "0.0.0.0" {
            assert_eq!(Some(field(f, 3)), v.ip);
        }
    }
}

/// With a packet rate, PACKET lines come with their 18 fields.
#[test]
fn packet_rate_produces_packets() {
    let sim = sim(SimConfig {
        packet_rate: 5000,
        ..SimConfig::default()
    });
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE PACKET *\n");
    c.reply(1);
    let mut packets = 0;
    c.until(|l| {
        if l.starts_with(b"*PACKET: ") {
            assert_eq!(frame(l).len(), 18, "{:?}", text(l));
            packets += 1;
        }
        packets >= 500
    });
}

/// In flood mode a CLIENT subscriber gets CLIENT lines as fast as it reads,
/// all 56 fields (with the empty dot11d) in its field order.
#[test]
fn flood_mode_streams_clients() {
    let sim = sim(SimConfig {
        flood_client: true,
        ..SimConfig::default()
    });
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE CLIENT *\n");
    c.reply(1);
    let mut n = 0;
    c.until(|l| {
        if l.starts_with(b"*CLIENT: ") {
            assert_eq!(frame(l).len(), 56);
            assert!(l.windows(2).any(|w| w == b"  "));
            n += 1;
        }
        n >= 20_000
    });
}

/// A client that never reads does not hold up the others.
#[test]
fn slow_client_does_not_block_others() {
    let sim = sim(SimConfig {
        packet_rate: 50_000,
        ..SimConfig::default()
    });
    let mut slow = Conn::open(sim.local_addr());
    slow.greeting();
    slow.send(b"!1 ENABLE PACKET *\n!2 ENABLE BSSID *\n");
    let mut fast = Conn::open(sim.local_addr());
    fast.greeting();
    thread::sleep(Duration::from_millis(500));
    // Ten ticks of TIME arrive, one for each second of the server's clock.
    let mut times = Vec::new();
    for _ in 0..10 {
        let lines = fast.until(|l| l.starts_with(b"*TIME: "));
        times.push(String::from_utf8_lossy(lines.last().unwrap()).into_owned());
    }
    let secs: Vec<u64> = times
        .iter()
        .map(|l| l["*TIME: ".len()..].trim().parse().unwrap())
        .collect();
    assert!(
        secs.windows(2).all(|w| w[1] > w[0] && w[1] - w[0] <= 2),
        "{times:?}"
    );
}

/// The source and tag commands: ADDSOURCE adds a SOURCE record (with its
/// STATUS lines), HOPSOURCE LOCK changes it, DELSOURCE removes it and an
/// unknown UUID is an ERROR; ADDNETTAG sends a NETTAG line.
#[test]
fn source_and_tag_commands() {
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE STATUS *\n!2 ENABLE SOURCE interface,username,uuid,channel,hop\n");
    c.reply(2);
    c.send(b"!3 ADDSOURCE wlan1mon:name=extra,type=ath9k\n");
    let lines = c.reply(3);
    assert!(lines
        .iter()
        .any(|l| l == b"*STATUS: \x01Added source 'wlan1mon:name=extra,type=ath9k' from client ADDSOURCE\x01 2 \n"));
    assert!(lines
        .iter()
        .any(|l| l == b"*STATUS: \x01Started source 'extra'\x01 2 \n"));
    let src = c.until(|l| l.starts_with(b"*SOURCE: wlan1mon extra "));
    let uuid = text(frame(src.last().unwrap()).field(2).unwrap());

    c.send(format!("!4 HOPSOURCE {uuid} LOCK 6\n").as_bytes());
    assert!(c.reply(4).last().unwrap().starts_with(b"*ACK: 4 "));
    let want = format!("*SOURCE: wlan1mon extra {uuid} 6 0 \n");
    c.until(|l| l == want.as_bytes());

    c.send(b"!5 DELSOURCE 00000000-0000-0000-0000-000000000000\n");
    assert_eq!(
        text(c.reply(5).last().unwrap()),
        "*ERROR: 5 \x01Invalid UUID in DELSOURCE command, couldn't find source with UUID \
         00000000-0000-0000-0000-000000000000\x01 \n"
    );
    c.send(format!("!6 DELSOURCE {uuid}\n").as_bytes());
    assert!(c.reply(6).last().unwrap().starts_with(b"*ACK: 6 "));

    c.send(b"!7 ENABLE NETTAG *\n!8 ADDNETTAG 00:14:6C:A1:00:01 1 note hello there\n");
    let l = c.reply(8);
    assert!(l
        .iter()
        .any(|l| l == b"*NETTAG: 00:14:6C:A1:00:01 \x01note\x01 \x01hello there\x01 \n"));
    c.send(b"!9 STRINGS 1\n!10 LISTWEPKEYS\n!11 ADDTRACKERFILTER BSSID(!AA:BB:CC:DD:EE:FF)\n");
    c.reply(11);
}

/// Random lines, random commands with random arguments, quoted and not,
/// never break the server: every line it sends parses, and it still answers.
#[test]
fn garbage_never_breaks_server() {
    const NAMES: [&str; 22] = [
        "ENABLE",
        "REMOVE",
        "CAPABILITY",
        "ADDSOURCE",
        "DELSOURCE",
        "RESTARTSOURCE",
        "HOPSOURCE",
        "CHANSOURCE",
        "ADDNETTAG",
        "DELNETTAG",
        "ADDCLITAG",
        "DELCLITAG",
        "ADDTRACKERFILTER",
        "ADDNETCLIFILTER",
        "ADDSTRINGSFILTER",
        "LISTWEPKEYS",
        "ADDWEPKEY",
        "DELWEPKEY",
        "STRINGS",
        "enable",
        "BOGUS",
        "",
    ];
    const WORDS: [&[u8]; 14] = [
        b"SSID",
        b"*",
        b"mac,ssid",
        b",",
        b"",
        b"\x01",
        b"\x01a b\x01",
        b"00:14:6C:A1:00:01",
        b"LOCK",
        b"HOP",
        b"1,6,11",
        b"\xff\xfe",
        b"x:type=pcapfile,name=y",
        b"-1",
    ];
    let sim = sim(SimConfig::default());
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE STATUS *\n");
    c.reply(1);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n.max(1)
    };
    let mut bytes = Vec::new();
    for i in 0..400u64 {
        match next(4) {
            0 => {
                for _ in 0..next(120) {
                    let b = next(256) as u8;
                    bytes.push(if b == b'\n' { b' ' } else { b });
                }
            }
            _ => {
                bytes.extend_from_slice(
                    format!("!{} {}", 1000 + i, NAMES[next(22) as usize]).as_bytes(),
                );
                for _ in 0..next(6) {
                    bytes.push(b' ');
                    bytes.extend_from_slice(WORDS[next(14) as usize]);
                }
            }
        }
        bytes.extend_from_slice(if next(3) == 0 { b"\r\n" } else { b"\n" });
    }
    c.send(&bytes);
    c.send(b"!2 CAPABILITY TIME\n");
    for l in c.reply(2) {
        frame(&l);
    }
    assert_eq!(sim.connections(), 1);
}
