//! When a client's replay clock starts, seen by a plain client over TCP at
//! `--speed max` (a million: the 3 s recording lasts 3 us once the clock
//! runs), with the recording of `player`'s tests (frames of BSSID and
//! GPS). Each test makes one rule the only one that can start the clock
//! within its bounded wait ([`DEADLINE`]), with a settle time of a minute
//! where it is not the rule tested. No test asserts that anything takes
//! at most some time, only at least.

use super::*;
use crate::player::tests::{BSSIDS, GPS, RECORDING};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

/// The longest any test waits for the replay to end.
const DEADLINE: Duration = Duration::from_secs(30);

/// A settle time no test waits for.
const NEVER: Duration = Duration::from_secs(60);

/// A replay of the recording at `--speed max` with `settle`.
fn replay(settle: Duration) -> Replay {
    let entries = kismet_record::parse_recording(RECORDING.as_bytes()).expect("a recording");
    let timeline = Timeline::from_entries(&entries).expect("a timeline");
    let config = ReplayConfig {
        speed: 1e6,
        settle,
        ..ReplayConfig::default()
    };
    Replay::start("127.0.0.1:0", Arc::new(timeline), config).expect("replay")
}

/// A plain client reading whole lines, each with the instant it was read,
/// none after [`DEADLINE`] from its connection.
struct Conn {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
    deadline: Instant,
}

impl Conn {
    fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect");
        let reader = BufReader::new(stream.try_clone().expect("clone"));
        Conn {
            stream,
            reader,
            deadline: Instant::now() + DEADLINE,
        }
    }

    /// Sends `line`; the instant before it went.
    fn send(&mut self, line: &str) -> Instant {
        let sent = Instant::now();
        self.stream.write_all(line.as_bytes()).expect("write");
        sent
    }

    /// The next line with its `\n`, or `None` at EOF.
    fn line(&mut self) -> Option<(Instant, String)> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "the replay did not end within {DEADLINE:?}"
        );
        self.stream.set_read_timeout(Some(left)).expect("timeout");
        let mut line = Vec::new();
        match self.reader.read_until(b'\n', &mut line) {
            Ok(0) => None,
            Ok(_) => Some((Instant::now(), String::from_utf8(line).expect("text"))),
            Err(e) => panic!("no line within {DEADLINE:?}: {e}"),
        }
    }

    /// Lines up to and including the first that starts with `prefix`.
    fn until(&mut self, prefix: &str) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some((_, l)) = self.line() {
            let done = l.starts_with(prefix);
            lines.push(l);
            if done {
                return lines;
            }
        }
        panic!("EOF before {prefix:?}");
    }

    /// Every line until EOF, with its instant.
    fn until_eof(&mut self) -> Vec<(Instant, String)> {
        std::iter::from_fn(|| self.line()).collect()
    }
}

/// The lines of `protocol` among `lines`.
fn of<'a>(protocol: &str, lines: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    let prefix = format!("*{protocol}: ");
    lines
        .into_iter()
        .filter(|l| l.starts_with(&prefix))
        .map(String::as_str)
        .collect()
}

fn is_frame(line: &str) -> bool {
    line.starts_with("*BSSID: ") || line.starts_with("*GPS: ")
}

const TERMINATE: &str = "*TERMINATE: Kismet server terminating.\n";

/// Rule 1, the conversion of a recording: a client enables BSSID, waits
/// for its ACK, pauses 300 ms (long enough for the whole recording to
/// play at this speed had the clock started), then enables GPS: the
/// clock starts at the GPS ENABLE, so it gets every frame of both
/// protocols, all after the GPS ACK.
#[test]
fn enabling_one_protocol_after_the_other_loses_no_frame_at_max_speed() {
    let replay = replay(NEVER);
    let mut c = Conn::open(replay.local_addr());
    c.send("!1 ENABLE BSSID bssid,channel\n");
    let mut lines = c.until("*ACK: 1 ");
    thread::sleep(Duration::from_millis(300));
    c.send("!2 ENABLE GPS lat,lon,fix\n");
    lines.extend(c.until_eof().into_iter().map(|(_, l)| l));
    assert_eq!(of("BSSID", &lines), BSSIDS, "{lines:?}");
    assert_eq!(of("GPS", &lines), GPS, "{lines:?}");
    let ack = lines.iter().position(|l| l.starts_with("*ACK: 2 "));
    let first = lines.iter().position(|l| is_frame(l));
    assert!(ack.is_some() && ack < first, "{lines:?}");
    assert_eq!(lines.last().map(String::as_str), Some(TERMINATE));
    replay.shutdown();
}

/// Rule 2: a client enables BSSID only, then sends REMOVE (neither
/// CAPABILITY nor ENABLE): the clock starts then, and it gets every BSSID
/// frame and TERMINATE (with a settle time of a minute, nothing else
/// would start it before the deadline).
#[test]
fn a_command_other_than_capability_and_enable_starts_the_clock() {
    let replay = replay(NEVER);
    let mut c = Conn::open(replay.local_addr());
    c.send("!1 ENABLE BSSID bssid,channel\n");
    let mut lines = c.until("*ACK: 1 ");
    assert_eq!(of("BSSID", &lines), Vec::<&str>::new());
    c.send("!2 REMOVE GPS\n");
    lines.extend(c.until_eof().into_iter().map(|(_, l)| l));
    assert_eq!(of("BSSID", &lines), BSSIDS, "{lines:?}");
    assert_eq!(of("GPS", &lines), Vec::<&str>::new());
    let ack = lines.iter().position(|l| l.starts_with("*ACK: 2 "));
    let first = lines.iter().position(|l| is_frame(l));
    assert!(ack.is_some() && ack < first, "{lines:?}");
    assert_eq!(lines.last().map(String::as_str), Some(TERMINATE));
    replay.shutdown();
}

/// Rule 3: a client enables BSSID only and sends nothing more: the clock
/// starts the settle time (400 ms here) after its ENABLE came, so each
/// BSSID frame arrives no sooner than that after the ENABLE was sent,
/// and all of them do.
#[test]
fn a_client_enabling_fewer_protocols_gets_its_frames_a_settle_time_after_its_enable() {
    let settle = Duration::from_millis(400);
    let replay = replay(settle);
    let mut c = Conn::open(replay.local_addr());
    let sent = c.send("!1 ENABLE BSSID bssid,channel\n");
    let lines = c.until_eof();
    let bssids: Vec<&(Instant, String)> = lines
        .iter()
        .filter(|(_, l)| l.starts_with("*BSSID: "))
        .collect();
    assert_eq!(
        of("BSSID", bssids.iter().map(|(_, l)| l)),
        BSSIDS,
        "{lines:?}"
    );
    for (at, line) in bssids {
        assert!(
            *at >= sent + settle,
            "{line:?} came {:?} after the ENABLE was sent",
            at.duration_since(sent)
        );
    }
    assert_eq!(of("GPS", lines.iter().map(|(_, l)| l)), Vec::<&str>::new());
    assert_eq!(lines.last().map(|(_, l)| l.as_str()), Some(TERMINATE));
    replay.shutdown();
}
