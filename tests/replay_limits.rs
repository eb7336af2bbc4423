//! The replay server (`sim --replay`, `--replay`, [`Replay`]) with big
//! and broken recordings: memory that does not grow with the recording's
//! length, any speed leaving the handshake whole, a recording cut in its
//! handshake refused, a truncated or corrupt gzip said so. Every wait is
//! bounded; every server listens on 127.0.0.1:0; no test asserts how
//! long anything takes.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::common::Lines;
use crate::replay::Conn;
use kismet_record::{Recorder, RecordingError, WriteMode};
use kismet_sim::{Replay, ReplayConfig, Timeline, TimelineError};

const BIN: &str = env!("CARGO_BIN_EXE_kismet-shell");

/// A fresh directory of its own in the temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    crate::common::temp_dir(&format!("replay-limits-{name}"))
}

/// The start of a hand-written recording: the greeting and the answers of
/// a handshake for SSID and CLIENT (the server's own protocols need none),
/// SSID and CLIENT enabled.
const HEAD: &str = "# kismet-shell recording 1\n\
    = 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:45.000Z\n\
    < 0.001 *KISMET: 0.0.0 1795678119 \\x01Fast\\x01 \\x01\\x01 0 \n\
    < 0.001 *PROTOCOLS: KISMET,ERROR,ACK,PROTOCOLS,CAPABILITY,TERMINATE,TIME,SSID,CLIENT\n\
    < 0.002 *CAPABILITY: SSID mac,type,ssid\n\
    < 0.002 *CAPABILITY: CLIENT bssid,mac\n\
    > 0.010 !3 ENABLE SSID mac,type,ssid\n\
    < 0.011 *ACK: 3 \\x01OK\\x01 \n\
    > 0.012 !4 ENABLE CLIENT bssid,mac\n\
    < 0.013 *ACK: 4 \\x01OK\\x01 \n";

/// HEAD, then three SSID frames and a CLIENT one over 30 s.
fn thirty_seconds() -> String {
    format!(
        "{HEAD}\
        < 1.000 *SSID: 00:00:00:00:00:01 0 \\x01One\\x01 \n\
        < 1.500 *CLIENT: 00:00:00:00:00:01 00:00:00:00:00:0A \n\
        < 2.000 *SSID: 00:00:00:00:00:02 0 \\x01Two\\x01 \n\
        < 30.000 *SSID: 00:00:00:00:00:01 0 \\x01Three\\x01 \n"
    )
}

/// Writes a recording of `frames` BSSID frames, 1 ms apart, cycling over
/// `devices` access points.
pub(crate) fn generate(path: &Path, frames: usize, devices: usize) {
    let mut w = BufWriter::new(File::create(path).expect("create the recording"));
    write!(
        w,
        "# kismet-shell recording 1\n\
         = 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:45.000Z\n\
         < 0.001 *KISMET: 0.0.0 1795678119 \\x01Big\\x01 \\x01\\x01 0 \n\
         < 0.001 *PROTOCOLS: KISMET,ERROR,ACK,PROTOCOLS,CAPABILITY,TERMINATE,TIME,BSSID\n\
         < 0.002 *CAPABILITY: BSSID bssid,type,channel,lasttime\n\
         > 0.010 !1 ENABLE BSSID bssid,channel,lasttime\n\
         < 0.011 *ACK: 1 \\x01OK\\x01 \n"
    )
    .unwrap();
    for i in 0..frames {
        let ms = 100 + i;
        let d = i % devices;
        writeln!(
            w,
            "< {}.{:03} *BSSID: 00:24:01:D4:{:02X}:{:02X} {} {} ",
            ms / 1000,
            ms % 1000,
            d / 256,
            d % 256,
            1 + d % 11,
            1_795_678_120 + i / 1000
        )
        .unwrap();
    }
    w.flush().unwrap();
}

/// Replays a generated recording at the highest speed to a client that
/// enables BSSID; the frame count and the most frames the replay held.
fn replay_generated(path: &Path) -> (usize, usize, usize) {
    let timeline = Arc::new(Timeline::load(path).expect("a generated recording loads"));
    assert_eq!(timeline.held_entries(), 0, "the timeline holds no entry");
    let frames = timeline.frame_count();
    let config = ReplayConfig {
        speed: 1_000_000.0,
        ..ReplayConfig::default()
    };
    let replay = Replay::start("127.0.0.1:0", timeline, config).expect("replay");
    let mut c = Conn::open(replay.local_addr());
    c.send("!1 ENABLE BSSID bssid,lasttime\n");
    let lines = c.until_eof();
    let received = lines
        .iter()
        .filter(|(_, l)| l.starts_with(b"*BSSID: "))
        .count();
    assert_eq!(
        lines.last().map(|(_, l)| &l[..]),
        Some(&b"*TERMINATE: Kismet server terminating.\n"[..])
    );
    let held = replay.peak_held_frames();
    replay.shutdown();
    (frames, received, held)
}

/// Memory independent of the recording's length: a generated recording
/// of 20 access points, then one 10 times as long, replay with the same
/// number of frames held (the latest of each access point, for the
/// bursts, and the one read ahead), and the timeline holds none.
#[test]
fn memory_does_not_grow_with_the_recordings_length() {
    let dir = temp_dir("memory");
    let devices = 20;
    let mut held = Vec::new();
    for frames in [3_000, 30_000] {
        let path = dir.join(format!("big-{frames}.kismet"));
        generate(&path, frames, devices);
        let (count, received, peak) = replay_generated(&path);
        assert_eq!(count, frames);
        assert!(received > 0, "BSSID frames replayed");
        eprintln!(
            "{frames} frames ({} bytes): {received} sent, at most {peak} held",
            std::fs::metadata(&path).map_or(0, |m| m.len())
        );
        held.push(peak);
    }
    assert!(held[0] <= devices + 1, "{held:?}");
    assert_eq!(held[0], held[1], "10 times the frames, the same held");
    let _ = std::fs::remove_dir_all(&dir);
}

/// At a speed of a million, a plain client that takes its time still
/// gets its CAPABILITY answer (the replay clock waits for the handshake),
/// then every frame of SSID and CLIENT, which it enables one after the
/// other (the clock starts at the ENABLE of the second: with a settle
/// time of a minute, nothing else starts it), and the answer to a command
/// sent after the recording is over, before TERMINATE.
#[test]
fn a_huge_speed_leaves_the_handshake_whole() {
    let dir = temp_dir("speed");
    let path = dir.join("fast.kismet");
    std::fs::write(&path, thirty_seconds()).unwrap();
    let timeline = Arc::new(Timeline::load(&path).expect("timeline"));
    let config = ReplayConfig {
        speed: 1_000_000.0,
        settle: Duration::from_secs(60),
        ..ReplayConfig::default()
    };
    let replay = Replay::start("127.0.0.1:0", timeline, config).expect("replay");
    let mut c = Conn::open(replay.local_addr());
    c.until(b"*PROTOCOLS: ");
    // 30 s of recording last 30 us at this speed.
    thread::sleep(Duration::from_millis(300));
    c.send("!1 CAPABILITY SSID\n");
    let answer = c.until(b"*ACK: 1 ");
    assert!(answer
        .iter()
        .any(|l| l == b"*CAPABILITY: SSID mac,type,ssid\n"));
    c.send("!2 ENABLE SSID ssid\n");
    let mut lines = c.until(b"*ACK: 2 ");
    assert_eq!(lines.last().unwrap(), b"*ACK: 2 \x01OK\x01 \n");
    assert!(
        !lines.iter().any(|l| l.starts_with(b"*SSID")),
        "the clock is held until CLIENT is enabled too: no burst"
    );
    thread::sleep(Duration::from_millis(300));
    c.send("!3 ENABLE CLIENT mac\n");
    // The recording is over once its last frame came.
    lines.extend(c.until(b"*SSID: \x01Three"));
    c.send("!4 REMOVE CLIENT\n");
    lines.extend(c.until_eof().into_iter().map(|(_, l)| l));
    let ssids: Vec<&[u8]> = lines
        .iter()
        .filter(|l| l.starts_with(b"*SSID: "))
        .map(|l| &l[..])
        .collect();
    assert_eq!(
        ssids,
        [
            &b"*SSID: \x01One\x01 \n"[..],
            b"*SSID: \x01Two\x01 \n",
            b"*SSID: \x01Three\x01 \n"
        ]
    );
    // CLIENT comes as recorded, after its ACK (the clock started then);
    // the late command is answered before TERMINATE.
    let text: Vec<String> = lines
        .iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    let at = |line: &str| text.iter().position(|l| l == line);
    let ack = at("*ACK: 3 \x01OK\x01 \n");
    let client = at("*CLIENT: 00:00:00:00:00:0A \n");
    assert!(ack.is_some() && ack < client, "{text:?}");
    assert!(at("*ACK: 4 \x01OK\x01 \n").is_some(), "{text:?}");
    assert_eq!(
        text.last().map(String::as_str),
        Some("*TERMINATE: Kismet server terminating.\n")
    );
    replay.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A client that sends no command at all is not held forever: the replay
/// clock starts 2 s after it connected, and the replay ends with
/// TERMINATE.
#[test]
fn a_silent_client_gets_the_replay_after_the_hold() {
    let dir = temp_dir("silent");
    let path = dir.join("fast.kismet");
    std::fs::write(&path, thirty_seconds()).unwrap();
    let timeline = Arc::new(Timeline::load(&path).expect("timeline"));
    let config = ReplayConfig {
        speed: 1000.0,
        ..ReplayConfig::default()
    };
    let replay = Replay::start("127.0.0.1:0", timeline, config).expect("replay");
    let mut c = Conn::open(replay.local_addr());
    let lines = c.until_eof();
    assert_eq!(
        lines.last().map(|(_, l)| &l[..]),
        Some(&b"*TERMINATE: Kismet server terminating.\n"[..])
    );
    replay.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The binary at `--speed 1000000` (the highest it takes): its handshake
/// succeeds, both of its commands are answered, and it prints every SSID
/// frame.
#[test]
fn the_shell_replays_at_a_million_times() {
    let dir = temp_dir("shell");
    let path = dir.join("fast.kismet");
    std::fs::write(&path, thirty_seconds()).unwrap();
    let out = Command::new(BIN)
        .arg("--replay")
        .arg(&path)
        .args(["--speed", "1000000", "--format", "json", "--follow"])
        .args(["-c", "enable SSID ssid,mac", "-c", "enable CLIENT mac"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kismet-shell");
    let (stdout, stderr) = bounded_output(out);
    assert!(
        !stderr.contains("handshake") && !stderr.contains("connection lost"),
        "{stderr}"
    );
    let ssids: Vec<String> = stdout
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "frame" && v["protocol"] == "SSID")
        .map(|v| v["fields"]["ssid"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(ssids, ["One", "Two", "Three"], "{stdout:?}\n{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A child's stdout lines and stderr text, every wait bounded (the child
/// is killed if it outlives them).
fn bounded_output(mut child: std::process::Child) -> (Vec<String>, String) {
    let out = Lines::of(child.stdout.take().expect("stdout"));
    let err = Lines::of(child.stderr.take().expect("stderr"));
    let stdout = out.rest();
    let stderr = err.rest().join("\n");
    let _ = child.kill();
    let _ = child.wait();
    (stdout, stderr)
}

/// A recording cut in its handshake is refused at load, naming the
/// protocols it has no CAPABILITY answer for, by the library and by
/// `sim --replay`.
#[test]
fn a_recording_cut_in_its_handshake_is_refused() {
    let dir = temp_dir("cut-handshake");
    let path = dir.join("cut.kismet");
    let head: Vec<&str> = HEAD.lines().take(5).collect();
    std::fs::write(&path, head.join("\n") + "\n").unwrap();
    match Timeline::load(&path) {
        Err(TimelineError::IncompleteHandshake { missing, .. }) => {
            assert_eq!(missing, ["CLIENT"]);
        }
        other => panic!("{other:?}"),
    }
    let server = Command::new(BIN)
        .args(["sim", "--listen", "127.0.0.1:0", "--replay"])
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kismet-shell sim --replay");
    let mut server = server;
    let err = Lines::of(server.stderr.take().expect("stderr")).rest();
    let _ = server.kill();
    let status = server.wait().expect("exit status");
    let want = format!(
        "kismet-shell: reading the recording: {}: incomplete handshake: the recording has no \
         CAPABILITY answer for CLIENT (1 of the 9 protocols its greeting lists; cut short in \
         its handshake)",
        path.display()
    );
    assert_eq!(err, [want]);
    assert!(!status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// What cannot be replayed is refused with the reason, without reading
/// it whole: a device such as `/dev/zero` (not a regular file: each client
/// reads the recording again), a line over 1 MiB.
#[test]
fn what_cannot_be_replayed_is_refused_with_the_reason() {
    #[cfg(unix)]
    assert!(matches!(
        Timeline::load(Path::new("/dev/zero")),
        Err(TimelineError::NotAFile { .. })
    ));
    let dir = temp_dir("refused");
    let path = dir.join("long.kismet");
    let text = format!("{HEAD}< 1.000 {}\n", "x".repeat(2 << 20));
    std::fs::write(&path, text).unwrap();
    let e = Timeline::load(&path).unwrap_err();
    assert!(
        matches!(
            e,
            TimelineError::Read {
                error: RecordingError::LineTooLong { line: 11, .. },
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "{}: line 11 is longer than 1024 KiB: not a recording entry",
            path.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes the recording of [`thirty_seconds`] gzip-compressed with the
/// recorder, as `--record` would (its own times).
fn record_gzip(path: &Path) {
    let r = Recorder::create(path, WriteMode::CreateNew).expect("recorder");
    for line in thirty_seconds().lines().skip(1) {
        let (direction, rest) = line.split_at(2);
        let text = rest.split_once(' ').map_or("", |(_, t)| t);
        let bytes = kismet_record::unescape(text.as_bytes()).expect("escaped text");
        match direction {
            "= " => r.connected("127.0.0.1:2501"),
            "> " => r.sent(&[&bytes[..], b"\n"].concat()),
            _ => r.received(&bytes),
        }
    }
    r.finish();
}

/// A gzip recording without its end replays up to its last line with a
/// warning naming the file; one with a bad checksum is refused with an
/// error naming the file.
#[test]
fn a_cut_or_corrupt_gzip_is_said_so() {
    let dir = temp_dir("gzip");
    let cut = dir.join("cut.kismet.gz");
    record_gzip(&cut);
    let mut bytes = std::fs::read(&cut).unwrap();
    bytes.truncate(bytes.len() - 8);
    std::fs::write(&cut, &bytes).unwrap();
    let run = |path: &Path| {
        let child = Command::new(BIN)
            .arg("--replay")
            .arg(path)
            .args(["-c", "protocols"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run kismet-shell");
        bounded_output(child)
    };
    let (out, err) = run(&cut);
    assert_eq!(
        err,
        format!(
            "kismet-shell: warning: {}: cut short after line 14: its gzip stream stops before \
             its end; replaying up to there",
            cut.display()
        )
    );
    assert!(out.iter().any(|l| l.contains("SSID")), "{out:?}");

    let bad = dir.join("bad.kismet.gz");
    record_gzip(&bad);
    let mut bytes = std::fs::read(&bad).unwrap();
    let crc = bytes.len() - 8;
    bytes[crc] ^= 0xff;
    std::fs::write(&bad, &bytes).unwrap();
    let (_, err) = run(&bad);
    assert_eq!(
        err,
        format!(
            "kismet-shell: reading the recording: {}: corrupt gzip data after line 14: corrupt \
             gzip stream does not have a matching checksum",
            bad.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}
