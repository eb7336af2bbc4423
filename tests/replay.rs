//! The replay server (`sim --replay`, `--replay`, [`Replay`]) against
//! recordings the binary makes of the simulator: the same frames in the
//! same order at the recorded pace, at any speed; projection onto the
//! fields asked; recordings cut short by SIGKILL; a drive converted to
//! GeoJSON at `--speed max` keeps its GPS track. Every wait is bounded;
//! every server listens on 127.0.0.1:0.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::common::Lines;
use kismet_protocol::Frame;
use kismet_record::{read_recording, Direction};
use kismet_sim::{Replay, ReplayConfig, Sim, SimConfig, Timeline};

const BIN: &str = env!("CARGO_BIN_EXE_kismet-shell");

/// Longest any test waits for one thing.
const WAIT: Duration = Duration::from_secs(15);

/// A simulator with a 100 ms tick.
fn fast_sim(listen: &str) -> Sim {
    let config = SimConfig {
        tick: Duration::from_millis(100),
        ..SimConfig::default()
    };
    Sim::start(listen, config).expect("simulator starts")
}

/// A fresh path in the temporary directory.
fn temp(name: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("kismet-shell-replay-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// Milliseconds since the epoch now.
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Runs the binary with `args` on `addr`, feeding `commands` on its stdin
/// after `delay` (then closing it, so `--follow` starts): the protocols
/// are enabled `delay` into the connection.
fn spawn_client(addr: &str, args: &[&str], commands: &[&str], delay: Duration) -> (Child, Lines) {
    let mut child = Command::new(BIN)
        .arg(addr)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run kismet-shell");
    let mut stdin = child.stdin.take().expect("stdin");
    let commands: Vec<String> = commands.iter().map(|c| format!("{c}\n")).collect();
    thread::spawn(move || {
        thread::sleep(delay);
        for c in commands {
            let _ = stdin.write_all(c.as_bytes());
        }
    });
    let lines = Lines::of(child.stdout.take().expect("stdout"));
    (child, lines)
}

/// A JSON frame line's protocol and field values, and its receive time
/// (ms since the epoch); `None` for other lines.
fn json_frame(line: &str) -> Option<((String, Vec<String>), i64)> {
    let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    if v["type"] != "frame" {
        return None;
    }
    let fields = v["fields"].as_object()?;
    let values = fields
        .values()
        .map(|f| f.as_str().map_or_else(|| f.to_string(), String::from))
        .collect();
    let time: jiff::Timestamp = v["time"].as_str()?.parse().ok()?;
    Some((
        (v["protocol"].as_str()?.to_string(), values),
        time.as_millisecond(),
    ))
}

/// The recorded frame lines of `protocols`, in order, each with its `\n`.
fn recorded_lines(path: &Path, protocols: &[&str]) -> Vec<Vec<u8>> {
    read_recording(path)
        .expect("recording reads")
        .into_iter()
        .filter(|e| e.direction == Direction::Received)
        .filter(|e| Frame::parse(&e.bytes).is_ok_and(|f| protocols.contains(&f.protocol())))
        .map(|e| [&e.bytes[..], b"\n"].concat())
        .collect()
}

/// A plain client socket reading whole lines, each with the time it was
/// read.
pub(crate) struct Conn {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Conn {
    pub(crate) fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(WAIT)).expect("read timeout");
        let reader = BufReader::new(stream.try_clone().expect("clone"));
        Conn { stream, reader }
    }

    pub(crate) fn send(&mut self, line: &str) {
        self.stream.write_all(line.as_bytes()).expect("write");
    }

    /// The next line with its `\n`, or `None` at EOF.
    pub(crate) fn line(&mut self) -> Option<(Instant, Vec<u8>)> {
        let mut line = Vec::new();
        match self.reader.read_until(b'\n', &mut line) {
            Ok(0) => None,
            Ok(_) => Some((Instant::now(), line)),
            Err(e) => panic!("no line within {WAIT:?}: {e}"),
        }
    }

    /// Lines up to and including the first that starts with `prefix`.
    pub(crate) fn until(&mut self, prefix: &[u8]) -> Vec<Vec<u8>> {
        let mut lines = Vec::new();
        while let Some((_, l)) = self.line() {
            let done = l.starts_with(prefix);
            lines.push(l);
            if done {
                return lines;
            }
        }
        panic!("EOF before {:?}", String::from_utf8_lossy(prefix));
    }

    /// Every line until EOF, with its time.
    pub(crate) fn until_eof(&mut self) -> Vec<(Instant, Vec<u8>)> {
        std::iter::from_fn(|| self.line()).collect()
    }
}

/// The replay's frame lines (what is not the server's own: greeting,
/// TIME, ACK, ERROR, TERMINATE), with their times.
fn frames_only(lines: Vec<(Instant, Vec<u8>)>) -> Vec<(Instant, Vec<u8>)> {
    let own = [
        "KISMET",
        "PROTOCOLS",
        "TIME",
        "ACK",
        "ERROR",
        "TERMINATE",
        "CAPABILITY",
    ];
    lines
        .into_iter()
        .filter(|(_, l)| {
            let f = Frame::parse(l.strip_suffix(b"\n").unwrap_or(l)).expect("a server line");
            !own.contains(&f.protocol())
        })
        .collect()
}

/// The commands of the round trip, for the binary and for a plain socket.
const ROUND_TRIP: [&str; 3] = [
    "enable SSID *",
    "enable BSSID bssid,channel,lasttime",
    "enable CLIENT mac,bssid,signal_dbm,lasttime",
];

/// Records a session with the binary against the simulator (the
/// protocols enabled 1 s in, so that a replay client, which enables at
/// once, gets every frame as it comes, not in a burst), with a reconnect:
/// the simulator stopped and started again on the same port. Returns the
/// frames the recording client printed, with their receive times.
fn record_with_reconnect(path: &Path) -> Vec<((String, Vec<String>), i64)> {
    let mut sim = fast_sim("127.0.0.1:0");
    let addr = sim.local_addr().to_string();
    let file = path.to_str().expect("utf-8 path");
    let args = [
        "--follow",
        "--reconnect",
        "--timeout",
        "3",
        "--format",
        "json",
        "--timestamps",
        "--raw-values",
        "--record",
        file,
    ];
    let (mut child, lines) = spawn_client(&addr, &args, &ROUND_TRIP, Duration::from_secs(1));
    let mut out = lines.until("a first frame", |l| l.contains(r#""type":"frame""#));
    thread::sleep(Duration::from_millis(800));
    sim.shutdown();
    sim = fast_sim(&addr);
    out.extend(lines.until("the reconnect", |l| l.contains(r#""type":"reconnected""#)));
    out.extend(lines.rest());
    let status = child.wait().expect("recording client ends");
    assert!(status.success(), "{out:?}");
    sim.shutdown();
    out.iter().filter_map(|l| json_frame(l)).collect()
}

/// Round trip: a session recorded with a reconnect, replayed at speed 1
/// to the binary with the same commands, gives the same frames in the
/// same order, the gaps between frames (those of 200 ms or more, the
/// reconnect's included) within 10% plus 40 ms; `sim --replay --speed 10`
/// sends the same lines byte for byte in about a tenth of the time.
#[test]
fn round_trip_same_frames_same_pace_and_ten_times_faster() {
    let path = temp("round-trip.kismet");
    let recorded = record_with_reconnect(&path);
    assert!(recorded.len() > 50, "{} frames recorded", recorded.len());

    // Speed 1, our client, the same commands.
    let timeline = Arc::new(Timeline::load(&path).expect("timeline"));
    let replay = Replay::start("127.0.0.1:0", timeline, ReplayConfig::default()).expect("replay");
    let args = [
        "--follow",
        "--timeout",
        "20",
        "--format",
        "json",
        "--timestamps",
        "--raw-values",
    ];
    let (mut child, lines) = spawn_client(
        &replay.local_addr().to_string(),
        &args,
        &ROUND_TRIP,
        Duration::ZERO,
    );
    let out = lines.rest();
    let _ = child.wait();
    replay.shutdown();
    assert!(
        out.iter()
            .any(|l| l.contains("server terminated: Kismet server terminating.")),
        "the replay ends with TERMINATE: {:?}",
        out.last()
    );
    let replayed: Vec<((String, Vec<String>), i64)> =
        out.iter().filter_map(|l| json_frame(l)).collect();
    // Frames the recording client received but had not printed when its
    // --timeout ended it may follow.
    assert!(replayed.len() >= recorded.len() && replayed.len() < recorded.len() + 100);
    for (i, (r, p)) in recorded.iter().zip(&replayed).enumerate() {
        assert_eq!(r.0, p.0, "frame {i}");
    }
    // Gaps between frames at least 200 ms apart.
    let mut anchors = vec![0];
    for i in 1..recorded.len() {
        if recorded[i].1 - recorded[*anchors.last().unwrap()].1 >= 200 {
            anchors.push(i);
        }
    }
    let (mut worst, mut worst_ms) = (0.0f64, 0);
    let mut longest = 0;
    for w in anchors.windows(2) {
        let want = recorded[w[1]].1 - recorded[w[0]].1;
        let got = replayed[w[1]].1 - replayed[w[0]].1;
        longest = longest.max(want);
        let off = (got - want).abs() as f64;
        worst = worst.max(off / want as f64);
        worst_ms = worst_ms.max((got - want).abs());
        assert!(
            off <= 0.1 * want as f64 + 40.0,
            "gap of {want} ms replayed as {got} ms (frames {} and {})",
            w[0],
            w[1]
        );
    }
    assert!(
        longest >= 800,
        "the reconnect's gap is replayed ({longest} ms)"
    );
    eprintln!(
        "replay at speed 1: {} gaps of 200 ms or more (longest {longest} ms), worst off by {:.1}%, \
         at most {worst_ms} ms",
        anchors.len() - 1,
        worst * 100.0
    );

    // Speed 10, the standalone server, a plain socket.
    let mut server = Command::new(BIN)
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--speed",
            "10",
            "--replay",
        ])
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kismet-shell sim --replay");
    let log = Lines::of(server.stderr.take().expect("stderr"));
    let started = log.until("listening", |l| l.contains(" on 127.0.0.1:"));
    let addr: SocketAddr = started
        .last()
        .and_then(|l| l.split(" on ").last())
        .and_then(|l| l.split(' ').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {started:?}"));
    let mut c = Conn::open(addr);
    c.send("!1 ENABLE SSID *\n!2 ENABLE BSSID bssid,channel,lasttime\n");
    c.send("!3 ENABLE CLIENT mac,bssid,signal_dbm,lasttime\n");
    let fast = frames_only(c.until_eof());
    let _ = server.kill();
    let _ = server.wait();
    // Every recorded line, byte for byte; only if this client was slow to
    // enable (past the recording's own ENABLEs, 1 s in, which is 0.1 s
    // here) can the first ones come as bursts (the latest per device).
    let want = recorded_lines(&path, &["SSID", "BSSID", "CLIENT"]);
    let same = fast
        .iter()
        .rev()
        .zip(want.iter().rev())
        .take_while(|((_, got), want)| got == *want)
        .count();
    let skipped = want.len() - same;
    assert!(
        if skipped == 0 {
            fast.len() == want.len()
        } else {
            skipped < want.len() / 4 && fast.len() - same < skipped
        },
        "{same} of {} lines replayed as recorded ({} lines in all)",
        want.len(),
        fast.len()
    );
    // The time from the first to the last frame both clients saw as
    // streamed frames.
    let (first, last) = (skipped, recorded.len() - 1);
    let at = |i: usize| fast[i + fast.len() - want.len()].0;
    let span = (recorded[last].1 - recorded[first].1) as f64 / 1000.0;
    let fast_span = (at(last) - at(first)).as_secs_f64();
    let ratio = fast_span / span;
    eprintln!("replay at speed 10: {fast_span:.3} s for {span:.3} s recorded (ratio {ratio:.3})");
    assert!(
        (fast_span - span / 10.0).abs() <= 0.01 * span + 0.04,
        "{fast_span:.3} s at speed 10 for {span:.3} s recorded"
    );
}

/// Records `enable CLIENT *` (enabled 1 s in, so that a replay client,
/// which enables at once, gets every frame as it comes, not in a burst)
/// for about 1.5 s.
fn record_clients(path: &Path) {
    let sim = fast_sim("127.0.0.1:0");
    let file = path.to_str().expect("utf-8 path");
    let args = [
        "--follow",
        "--timeout",
        "1.5",
        "--format",
        "json",
        "--record",
        file,
    ];
    let (mut child, lines) = spawn_client(
        &sim.local_addr().to_string(),
        &args,
        &["enable CLIENT *"],
        Duration::from_secs(1),
    );
    let out = lines.rest();
    assert!(child.wait().expect("exit").success(), "{out:?}");
    sim.shutdown();
}

/// A recording made with `enable CLIENT *` serves `ENABLE CLIENT
/// mac,signal_dbm` with the recorded values, in that order, and keeps each
/// field quoted or bare as recorded; `nosuch` gets the server's `Unknown
/// field nosuch` and no ACK; a protocol it has no CAPABILITY for gets
/// `Unknown protocol`, a command that would change the server an ERROR.
#[test]
fn projection_onto_the_fields_asked() {
    let path = temp("clients.kismet.gz");
    record_clients(&path);
    let recorded: Vec<Frame> = recorded_lines(&path, &["CLIENT"])
        .iter()
        .map(|l| Frame::parse(&l[..l.len() - 1]).expect("CLIENT line"))
        .collect();
    assert!(recorded.len() > 10);
    let timeline = Arc::new(Timeline::load(&path).expect("timeline"));
    let config = ReplayConfig {
        speed: 4.0,
        ..ReplayConfig::default()
    };
    let replay = Replay::start("127.0.0.1:0", timeline, config).expect("replay");
    // CLIENT fields: bssid 0, mac 1, manuf 5, signal_dbm 22, dot11d 52, dhcphost 53.
    let field = |f: &Frame, i: usize| String::from_utf8_lossy(f.field(i).unwrap()).into_owned();
    let mut c = Conn::open(replay.local_addr());
    c.send("!1 ENABLE CLIENT nosuch\n!2 ENABLE CLIENT mac,signal_dbm\n");
    let reply = c.until(b"*ERROR: 1 ");
    assert_eq!(
        reply.last().unwrap(),
        b"*ERROR: 1 \x01Unknown field nosuch\x01 \n"
    );
    let lines = c.until_eof();
    let lines: Vec<&[u8]> = lines.iter().map(|(_, l)| &l[..]).collect();
    assert!(!lines.iter().any(|l| l.starts_with(b"*ACK: 1 ")));
    let ack = lines.iter().position(|l| l == b"*ACK: 2 \x01OK\x01 \n");
    let first = lines.iter().position(|l| l.starts_with(b"*CLIENT: "));
    assert!(ack.is_some() && ack < first, "ACK 2, then the CLIENT lines");
    let clients: Vec<&[u8]> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with(b"*CLIENT: "))
        .collect();
    let want: Vec<String> = recorded
        .iter()
        .map(|f| format!("*CLIENT: {} {} \n", field(f, 1), field(f, 22)))
        .collect();
    assert_eq!(clients.len(), want.len());
    for (got, want) in clients.iter().zip(&want) {
        assert_eq!(String::from_utf8_lossy(got), *want);
    }
    assert_eq!(
        *lines.last().unwrap(),
        b"*TERMINATE: Kismet server terminating.\n"
    );

    let mut c = Conn::open(replay.local_addr());
    c.send("!1 ENABLE CLIENT dhcphost,mac,dot11d,manuf\n!2 CAPABILITY NOSUCH\n");
    c.send("!3 ADDSOURCE wlan0:name=x\n!4 CAPABILITY CLIENT\n");
    let lines: Vec<Vec<u8>> = c.until_eof().into_iter().map(|(_, l)| l).collect();
    let clients: Vec<&Vec<u8>> = lines
        .iter()
        .filter(|l| l.starts_with(b"*CLIENT: "))
        .collect();
    assert_eq!(clients.len(), recorded.len());
    for (got, f) in clients.iter().zip(&recorded) {
        let want = format!(
            "*CLIENT: \x01\x01 {}  \x01{}\x01 \n",
            field(f, 1),
            field(f, 5)
        );
        assert_eq!(String::from_utf8_lossy(got), want);
    }
    let text = |l: &Vec<u8>| String::from_utf8_lossy(l).into_owned();
    assert!(lines
        .iter()
        .any(|l| text(l) == "*ERROR: 2 \x01Unknown protocol: 'NOSUCH'\x01 \n"));
    let refused = lines
        .iter()
        .map(text)
        .find(|l| l.starts_with("*ERROR: 3 "))
        .expect("ERROR 3");
    assert!(
        refused.contains("replay server does not do ADDSOURCE"),
        "{refused}"
    );
    assert!(lines
        .iter()
        .map(text)
        .any(|l| l.starts_with("*CAPABILITY: CLIENT bssid,mac,type,")));
    replay.shutdown();
    let _ = std::fs::remove_file(&path);
}

/// A recording whose writer was killed with SIGKILL (plain and gzip)
/// replays up to about its last second: every frame the recording client
/// had received 1 s before the kill (it flushes every 0.5 s) is replayed,
/// in order. (The protocols are enabled 1 s in, so that the replay
/// client, which enables at once, gets every frame as it comes.)
#[test]
fn killed_recording_replays_to_about_its_last_second() {
    for name in ["killed.kismet", "killed.kismet.gz"] {
        let path = temp(name);
        let sim = fast_sim("127.0.0.1:0");
        let file = path.to_str().expect("utf-8 path");
        let args = [
            "--follow",
            "--format",
            "json",
            "--timestamps",
            "--raw-values",
            "--record",
            file,
        ];
        let commands = [
            "enable BSSID bssid,channel,lasttime",
            "enable CLIENT mac,signal_dbm,lasttime",
        ];
        let (mut child, lines) = spawn_client(
            &sim.local_addr().to_string(),
            &args,
            &commands,
            Duration::from_secs(1),
        );
        let mut out = lines.until("a first frame", |l| l.contains(r#""type":"frame""#));
        thread::sleep(Duration::from_millis(1600));
        child.kill().expect("SIGKILL");
        let killed_at = now_ms();
        let _ = child.wait();
        out.extend(lines.rest());
        sim.shutdown();
        let before: Vec<(String, Vec<String>)> = out
            .iter()
            .filter_map(|l| json_frame(l))
            .filter(|(_, t)| *t <= killed_at - 1000)
            .map(|(f, _)| f)
            .collect();
        assert!(before.len() > 10, "{name}: {} frames", before.len());

        let timeline = Arc::new(Timeline::load(&path).expect("a killed recording reads"));
        let config = ReplayConfig {
            speed: 2.0,
            ..ReplayConfig::default()
        };
        let replay = Replay::start("127.0.0.1:0", timeline, config).expect("replay");
        let mut c = Conn::open(replay.local_addr());
        c.send(
            "!1 ENABLE BSSID bssid,channel,lasttime\n!2 ENABLE CLIENT mac,signal_dbm,lasttime\n",
        );
        let replayed: Vec<(String, Vec<String>)> = frames_only(c.until_eof())
            .iter()
            .map(|(_, l)| {
                let f = Frame::parse(&l[..l.len() - 1]).expect("frame");
                let values = f
                    .fields()
                    .map(|v| String::from_utf8_lossy(v).into_owned())
                    .collect();
                (f.protocol().to_string(), values)
            })
            .collect();
        replay.shutdown();
        assert!(
            replayed.len() >= before.len(),
            "{name}: {} of {}",
            replayed.len(),
            before.len()
        );
        if let Some(i) = (0..before.len()).find(|&i| replayed[i] != before[i]) {
            panic!(
                "{name}: frame {i} of {} replayed as {:?}, received as {:?}",
                before.len(),
                &replayed[i.saturating_sub(2)..(i + 3).min(replayed.len())],
                &before[i.saturating_sub(2)..(i + 3).min(before.len())]
            );
        }
        let _ = std::fs::remove_file(&path);
    }
}

/// A hand-written recording: a looped replay starts over at the end (the
/// second lap the same lines as the first), fields keep their quoting when
/// projected, `*` is refused when the recording holds only some fields,
/// and TIME is the current time.
#[test]
fn looped_replay_starts_over() {
    let path = temp("looped.kismet");
    let text = "# kismet-shell recording 1\n\
        = 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:45.000Z\n\
        < 0.001 *KISMET: 0.0.0 1795678119 \\x01Hand\\x01 \\x01\\x01 0 \n\
        < 0.001 *PROTOCOLS: KISMET,ERROR,ACK,PROTOCOLS,CAPABILITY,TERMINATE,TIME,SSID\n\
        < 0.002 *CAPABILITY: SSID mac,checksum,type,ssid\n\
        < 0.002 *CAPABILITY: TIME timesec\n\
        > 0.010 !3 ENABLE SSID mac,type,ssid\n\
        < 0.011 *ACK: 3 \\x01OK\\x01 \n\
        < 0.100 *SSID: 00:00:00:00:00:01 0 \\x01Coffee Shop\\x01 \n\
        < 0.200 *SSID: 00:00:00:00:00:02 0 \\x01\\x01 \n\
        < 0.300 *TIME: 1795678120\n";
    std::fs::write(&path, text).unwrap();
    let timeline = Arc::new(Timeline::load(&path).expect("timeline"));
    assert_eq!(timeline.frame_count(), 2);
    let config = ReplayConfig {
        speed: 2.0,
        looped: true,
        ..ReplayConfig::default()
    };
    let replay = Replay::start("127.0.0.1:0", timeline, config).expect("replay");
    let mut c = Conn::open(replay.local_addr());
    assert_eq!(
        c.line().unwrap().1,
        b"*KISMET: 0.0.0 1795678119 \x01Hand\x01 \x01\x01 0 \n"
    );
    c.send("!1 ENABLE SSID *\n!2 ENABLE SSID ssid,mac\n");
    let mut ssids = Vec::new();
    let mut times = Vec::new();
    let mut refused = false;
    while ssids.len() < 4 || times.is_empty() {
        let (_, l) = c.line().expect("a line");
        if l.starts_with(b"*SSID: ") {
            ssids.push(l);
        } else if let Some(t) = l.strip_prefix(b"*TIME: ") {
            times.push(String::from_utf8_lossy(t).trim().parse::<i64>().unwrap());
        } else if l.starts_with(b"*ERROR: 1 ") {
            assert_eq!(l, b"*ERROR: 1 \x01Unknown field checksum\x01 \n");
            refused = true;
        }
    }
    assert!(refused, "* is refused: the recording lacks checksum");
    ssids.truncate(4);
    let want: [&[u8]; 2] = [
        b"*SSID: \x01Coffee Shop\x01 00:00:00:00:00:01 \n",
        b"*SSID: \x01\x01 00:00:00:00:00:02 \n",
    ];
    assert_eq!(ssids, [want[0], want[1], want[0], want[1]]);
    for t in times {
        assert!((t - now_ms() / 1000).abs() <= 2, "TIME {t} is now");
    }
    replay.shutdown();
    let _ = std::fs::remove_file(&path);
}

/// The conversion of a recording: a drive with a GPS, recorded by the
/// binary collecting for an export (its model enables BSSID, SSID,
/// CLIENT, GPS, ... one after the other, each after the previous ACK),
/// converted with `--replay REC --speed max --export out.geojson` (the
/// same model, the same ENABLEs): the replay's clock waits for the last
/// of them, so the GeoJSON has the whole recorded GPS track, the live
/// export's track first (the recording may hold lines the live model had
/// not handled when its --timeout ended it).
#[test]
fn a_recording_converted_at_max_speed_keeps_its_gps_track() {
    let dir = crate::common::temp_dir("replay-convert");
    let (rec, live, converted) = (
        dir.join("drive.kismet"),
        dir.join("live.geojson"),
        dir.join("converted.geojson"),
    );
    let config = SimConfig {
        tick: Duration::from_millis(100),
        gps: true,
        ..SimConfig::default()
    };
    let sim = Sim::start("127.0.0.1:0", config).expect("simulator starts");
    let record = Command::new(BIN)
        .arg(sim.local_addr().to_string())
        .args(["--timeout", "3", "--record"])
        .arg(&rec)
        .arg("--export")
        .arg(&live)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kismet-shell");
    let (status, err) = bounded_exit(record);
    sim.shutdown();
    assert!(status.is_some_and(|s| s.success()), "{err:?}");

    // Every protocol the recording has frames of, the recording client
    // enabled (GPS among them): the replay client, the same model,
    // enables them all too.
    let entries = read_recording(&rec).expect("recording reads");
    let enabled: Vec<String> = entries
        .iter()
        .filter(|e| e.direction == Direction::Sent)
        .filter_map(|e| {
            let text = String::from_utf8_lossy(&e.bytes).into_owned();
            let mut words = text.split_whitespace().skip(1);
            if words.next() != Some("ENABLE") {
                return None;
            }
            words.next().map(str::to_string)
        })
        .collect();
    let framed: std::collections::BTreeSet<String> = entries
        .iter()
        .filter(|e| e.direction == Direction::Received)
        .filter_map(|e| Frame::parse(&e.bytes).ok())
        .map(|f| f.protocol().to_string())
        .filter(|p| !kismet_protocol::spec::is_always_on(p))
        .collect();
    assert!(framed.contains("GPS"), "{framed:?}");
    for p in &framed {
        assert!(
            enabled.contains(p),
            "{p} has frames, not enabled: {enabled:?}"
        );
    }

    let convert = Command::new(BIN)
        .arg("--replay")
        .arg(&rec)
        .args(["--speed", "max", "--export"])
        .arg(&converted)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kismet-shell --replay");
    let (status, err) = bounded_exit(convert);
    assert!(status.is_some_and(|s| s.success()), "{err:?}");

    let live = track_points(&live);
    let converted = track_points(&converted);
    assert!(live.len() >= 5, "a live track of {} points", live.len());
    assert!(
        converted.starts_with(&live),
        "the converted track ({} points) starts with the live one ({} points)",
        converted.len(),
        live.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits for a child (bounded: killed past [`WAIT`] after its stderr
/// ends); its exit status, if it exited by itself, and its stderr.
fn bounded_exit(mut child: Child) -> (Option<std::process::ExitStatus>, Vec<String>) {
    let err = Lines::of(child.stderr.take().expect("stderr")).rest();
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return (Some(status), err);
        }
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    (None, err)
}

/// The points of the track in a GeoJSON export, every segment's in turn
/// (none when it has no track).
fn track_points(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).expect("the export is written");
    let json: serde_json::Value = serde_json::from_str(&text).expect("GeoJSON");
    let Some(track) = json["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["kind"] == "track")
    else {
        return Vec::new();
    };
    let coords = track["geometry"]["coordinates"]
        .as_array()
        .expect("coordinates");
    match track["geometry"]["type"].as_str() {
        Some("LineString") => coords.clone(),
        _ => coords
            .iter()
            .flat_map(|s| s.as_array().cloned().unwrap_or_default())
            .collect(),
    }
}
