//! Helpers shared by the integration tests: fixtures, the recordings' log
//! format, a scripted server on `127.0.0.1:0`, and a child's output line by
//! line.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Every wait in the tests is bounded by this.
pub const WAIT: Duration = Duration::from_secs(5);

/// A simulator on `127.0.0.1:0` whose world moves every `tick`.
pub fn sim_ticking(tick: Duration) -> kismet_sim::Sim {
    kismet_sim::Sim::start(
        "127.0.0.1:0",
        kismet_sim::SimConfig {
            tick,
            ..kismet_sim::SimConfig::default()
        },
    )
    .unwrap()
}

/// A simulator on `127.0.0.1:0` whose world stands still (its tick is an
/// hour): the bursts it sends are exactly what its views say.
pub fn still_sim() -> kismet_sim::Sim {
    sim_ticking(Duration::from_secs(3600))
}

/// A fresh, empty directory of its own in the temporary directory, named
/// after this process and `name`.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kismet-shell-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary directory");
    dir
}

/// Path of a recording in `tests/fixtures/legacy-server/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/legacy-server")
        .join(name)
}

/// The complete lines of a `.raw` recording (a trailing half line is left out).
pub fn raw_lines(name: &str) -> Vec<Vec<u8>> {
    let data = std::fs::read(fixture(name)).expect("fixture");
    let mut lines: Vec<Vec<u8>> = data.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    lines.pop(); // after the last '\n': empty or a half line
    lines
}

/// Decodes a Python bytes literal body (between the quotes).
pub fn py_bytes(body: &str) -> Vec<u8> {
    let b = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'x' => {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 4;
                    continue;
                }
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                other => out.push(other),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// One line of a `.log`: direction (`>>` sent by the client, `<<` received),
/// the bytes, and the comment after `#` if any.
pub struct LogEntry {
    pub sent: bool,
    pub bytes: Vec<u8>,
    pub comment: String,
}

/// Parses a `.log` recording. Elided bytes (`...<N bytes total>...`) are
/// rebuilt as the run of the repeated byte before them.
pub fn log_entries(name: &str) -> Vec<LogEntry> {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture");
    let mut out = Vec::new();
    for line in text.lines() {
        let sent = line.starts_with(">>");
        if !sent && !line.starts_with("<<") {
            continue;
        }
        let Some(start) = line.find(" b'").or_else(|| line.find(" b\"")) else {
            continue;
        };
        let quote = line.as_bytes()[start + 2] as char;
        let body_start = start + 3;
        // The literal ends at the last matching quote before any comment.
        let (lit_end, comment) = match line.rfind("   # ") {
            Some(c) => (line[..c].rfind(quote).unwrap(), line[c + 5..].to_string()),
            None => (line.rfind(quote).unwrap(), String::new()),
        };
        let body = &line[body_start..lit_end];
        let bytes = match body.find("...<") {
            Some(e) => {
                let total: usize = body[e + 4..body.find(" bytes total>").unwrap()]
                    .parse()
                    .unwrap();
                let head = py_bytes(&body[..e]);
                let tail = py_bytes(&body[body.find(">...").unwrap() + 4..]);
                let fill = *head.last().unwrap();
                let mut v = head.clone();
                v.resize(total - tail.len(), fill);
                v.extend_from_slice(&tail);
                v
            }
            None => py_bytes(body),
        };
        out.push(LogEntry {
            sent,
            bytes,
            comment,
        });
    }
    out
}

/// The 29 CAPABILITY lines of a default server, as (protocol, line).
pub fn capability_lines() -> Vec<(String, String)> {
    std::fs::read_to_string(fixture("capabilities.txt"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("*CAPABILITY: "))
        .map(|l| {
            let proto = l["*CAPABILITY: ".len()..].split(' ').next().unwrap();
            (proto.to_string(), l.to_string())
        })
        .collect()
}

/// A one-connection server on `127.0.0.1:0` that runs `script` on the
/// accepted socket in its own thread.
pub struct Scripted {
    pub addr: SocketAddr,
    pub handle: JoinHandle<()>,
}

impl Scripted {
    pub fn start(script: impl FnOnce(TcpStream) + Send + 'static) -> Scripted {
        let once = std::sync::Mutex::new(Some(script));
        Scripted::start_many(1, move |_, s| {
            if let Some(f) = once.lock().unwrap().take() {
                f(s)
            }
        })
    }

    /// Accepts `n` connections one after the other, calling `script(i, socket)`.
    pub fn start_many(n: usize, script: impl Fn(usize, TcpStream) + Send + 'static) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = thread::spawn(move || {
            for i in 0..n {
                let (s, _) = listener.accept().unwrap();
                s.set_read_timeout(Some(WAIT)).unwrap();
                script(i, s);
            }
        });
        Scripted { addr, handle }
    }

    pub fn addr(&self) -> String {
        self.addr.to_string()
    }
}

/// A TCP forwarder on `127.0.0.1:0` to `target`, whose connections can be
/// cut (both sockets shut down: the client sees the connection end with no
/// TERMINATE, as when a network fails) while it goes on accepting.
pub struct Proxy {
    pub addr: SocketAddr,
    open: std::sync::Arc<std::sync::Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    pub fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let open = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let conns = open.clone();
        // Runs until the test process ends.
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect_timeout(&target, WAIT) else {
                    continue;
                };
                let mut list = conns.lock().unwrap();
                list.push(client.try_clone().unwrap());
                list.push(server.try_clone().unwrap());
                drop(list);
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Proxy { addr, open }
    }

    pub fn addr(&self) -> String {
        self.addr.to_string()
    }

    /// Cuts every connection made so far.
    pub fn cut(&self) {
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// What a scripted server does in the handshake: greeting with the default
/// protocols, then answers every CAPABILITY request from `capabilities.txt`.
/// Returns a line reader over the socket for what comes next.
pub fn serve_handshake(mut s: TcpStream) -> (TcpStream, BufReader<TcpStream>) {
    let caps = capability_lines();
    let names: Vec<&str> = caps.iter().map(|(p, _)| p.as_str()).collect();
    write!(
        s,
        "*KISMET: 0.0.0 1795678119 \x01Scripted\x01 \x01\x01 0 \n*PROTOCOLS: {}\n",
        names.join(",")
    )
    .unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    for _ in 0..caps.len() {
        let line = read_line(&mut r);
        let (id, rest) = line.trim_end().split_once(' ').unwrap();
        let proto = rest.strip_prefix("CAPABILITY ").unwrap();
        let cap = &caps.iter().find(|(p, _)| p == proto).unwrap().1;
        write!(s, "{cap}\n*ACK: {} \x01OK\x01 \n", &id[1..]).unwrap();
    }
    (s, r)
}

/// The id of a client command line, `!<id> ...`.
pub fn command_id(line: &str) -> String {
    line.split(' ')
        .next()
        .and_then(|w| w.strip_prefix('!'))
        .unwrap_or_else(|| panic!("not a command: {line:?}"))
        .to_string()
}

/// Reads the client's next command, checks that it is `!ID text`, and
/// returns its ID.
pub fn expect_command(r: &mut BufReader<TcpStream>, text: &str) -> String {
    let line = read_line(r);
    let id = command_id(&line);
    assert_eq!(line, format!("!{id} {text}\n"));
    id
}

/// Reads one line (with a bounded wait, set on the socket).
pub fn read_line(r: &mut BufReader<TcpStream>) -> String {
    let mut line = String::new();
    r.read_line(&mut line).expect("line from client");
    line
}

/// Reads one line (with a bounded wait, set on the socket); `None` at the
/// end of the stream or on an error.
pub fn read_line_or_end(r: &mut BufReader<TcpStream>) -> Option<String> {
    let mut line = String::new();
    match r.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line),
    }
}

/// A scripted server that, after the handshake, answers commands the way a
/// legacy server does for the few this needs, and streams SSID lines every
/// `period` once SSID is enabled. Serves `conns` connections in turn.
pub fn responder(conns: usize, period: Duration) -> Scripted {
    Scripted::start_many(conns, move |_, s| {
        let (s, mut r) = serve_handshake(s);
        let streaming = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = std::sync::Arc::new(std::sync::Mutex::new(s));
        let (w2, st2) = (writer.clone(), streaming.clone());
        let streamer = thread::spawn(move || {
            let mut n = 0u32;
            loop {
                thread::sleep(period);
                if st2.load(std::sync::atomic::Ordering::Acquire) {
                    n += 1;
                    let line = format!("*SSID: \x01Net {n}\x01 00:14:6C:A1:00:{:02X} \n", n % 256);
                    if w2.lock().unwrap().write_all(line.as_bytes()).is_err() {
                        return;
                    }
                }
                if Arc::strong_count(&w2) == 1 {
                    return;
                }
            }
        });
        loop {
            let mut line = String::new();
            match r.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let words: Vec<&str> = line.trim_end().split(' ').collect();
            let Some(id) = words[0].strip_prefix('!') else {
                continue;
            };
            if words.len() < 2 {
                continue;
            }
            let reply = match (words[1], words.get(2).copied()) {
                ("ENABLE", Some("SSID")) => {
                    streaming.store(true, std::sync::atomic::Ordering::Release);
                    format!("*SSID: \x01HomeNet\x01 00:14:6C:A1:00:01 \n*ACK: {id} \x01OK\x01 \n")
                }
                ("ENABLE", Some("BOGUS")) => {
                    format!("*ERROR: {id} \x01Unknown protocol: 'BOGUS'\x01 \n")
                }
                ("ENABLE" | "REMOVE" | "CAPABILITY", _) => format!("*ACK: {id} \x01OK\x01 \n"),
                _ => format!("*ERROR: {id} \x01NO SUCH COMMAND\x01 \n"),
            };
            if writer.lock().unwrap().write_all(reply.as_bytes()).is_err() {
                break;
            }
        }
        drop(writer);
        let _ = streamer.join();
    })
}

use std::sync::Arc;

/// How long [`Lines`] waits for a child's output.
const LINES_WAIT: Duration = Duration::from_secs(15);

/// A child's output, line by line, through a channel (every wait bounded).
pub struct Lines {
    rx: Receiver<String>,
}

impl Lines {
    /// Reads `out` (a child's stdout or stderr) on a thread of its own.
    pub fn of(out: impl std::io::Read + Send + 'static) -> Lines {
        let (tx, rx) = channel();
        thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Lines { rx }
    }

    /// Lines until one that `want` accepts (returned with all before it).
    pub fn until(&self, what: &str, want: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + LINES_WAIT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(l) => {
                    let done = want(&l);
                    seen.push(l);
                    if done {
                        return seen;
                    }
                }
                Err(e) => panic!("waiting for {what}: {e}; got {seen:?}"),
            }
        }
    }

    /// Every line until the output ends (bounded).
    pub fn rest(&self) -> Vec<String> {
        let deadline = Instant::now() + LINES_WAIT;
        let mut seen = Vec::new();
        while let Ok(l) = self
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            seen.push(l);
        }
        seen
    }
}

/// `count` SSID lines (fields ssid,mac) whose SSIDs are numbered from
/// `from` (`net0`, `net1`, ...), then the ACK of `id` if given.
pub fn ssid_flood(from: usize, count: usize, ack: Option<&str>) -> Vec<u8> {
    let mut buf = Vec::with_capacity(count * 40);
    for i in from..from + count {
        buf.extend_from_slice(format!("*SSID: \x01net{i}\x01 00:11:22:33:44:55 \n").as_bytes());
    }
    if let Some(id) = ack {
        buf.extend_from_slice(format!("*ACK: {id} \x01OK\x01 \n").as_bytes());
    }
    buf
}

/// A tracker that counts the SSID frames it is fed.
#[derive(Default)]
pub struct CountSsid(pub std::sync::atomic::AtomicUsize);

impl kismet_client::Tracker for CountSsid {
    fn needs(&self) -> Vec<(String, Vec<String>)> {
        vec![("SSID".to_string(), vec!["ssid".into(), "mac".into()])]
    }
    fn feed(&self, frames: &[kismet_protocol::Frame]) {
        let n = frames.iter().filter(|f| f.protocol() == "SSID").count();
        self.0.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }
}
