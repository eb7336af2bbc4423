//! No loss where nothing forces it: a lossless client keeps frames aside
//! while a command awaits the reply behind them and waits for its consumer
//! otherwise; `--replay` delivers a whole recording to a slow consumer;
//! `--lossless --follow` every frame of a fast simulator. Every wait is
//! bounded; no test asserts how long anything takes.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use kismet_client::{Client, Event, Options};

use crate::common::{
    command_id, read_line, serve_handshake, ssid_flood, CountSsid, Scripted, WAIT,
};
use crate::replay_limits::generate;

const BIN: &str = env!("CARGO_BIN_EXE_kismet-shell");

/// Longest a whole run of the binary may take in these tests (a generous
/// bound for a loaded machine; a hang fails instead of blocking CI).
const RUN_LIMIT: Duration = Duration::from_secs(180);

/// A lossless client with a small event channel (4 batches), so that a
/// consumer that does not read fills it at once.
fn lossless_client(addr: &str) -> Client {
    let mut o = Options::default();
    o.connect_timeout = WAIT;
    o.handshake_timeout = WAIT;
    o.channel_batches = 4;
    o.lossless = true;
    Client::connect(addr, o).unwrap()
}

/// Reads the client's events until `want` SSID frames came (or WAIT passes
/// with nothing new), pausing `pause` after each batch; the numbers of the
/// frames' SSIDs in order, and the frames reported dropped.
fn consume_ssids(client: &Client, want: usize, pause: Duration) -> (Vec<usize>, u64) {
    let (mut seen, mut dropped) = (Vec::with_capacity(want), 0);
    while seen.len() < want {
        match client.events().recv_timeout(WAIT) {
            Ok(Event::Frames(fs)) => {
                for f in fs.iter().filter(|f| f.protocol() == "SSID") {
                    let ssid = String::from_utf8_lossy(f.field(0).unwrap()).into_owned();
                    seen.push(ssid.trim_start_matches("net").parse().unwrap());
                }
                thread::sleep(pause);
            }
            Ok(Event::Dropped { counts }) => dropped += counts.iter().map(|(_, n)| n).sum::<u64>(),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    (seen, dropped)
}

/// The reply to ENABLE comes after 200,000 frames that nobody reads while
/// the command waits: the lossless client keeps them aside, the reply gets
/// through, and then every frame comes, in order, none dropped.
#[test]
fn lossless_client_keeps_frames_aside_until_the_reply_behind_them() {
    const SENT: usize = 200_000;
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        let id = command_id(&read_line(&mut r));
        s.write_all(&ssid_flood(0, SENT, Some(&id))).unwrap();
        let _ = read_line(&mut r);
    });
    let client = lossless_client(&server.addr());
    let reply = client
        .enable("SSID", "ssid,mac", Duration::from_secs(60))
        .unwrap();
    assert!(reply.is_ok());
    let (seen, dropped) = consume_ssids(&client, SENT, Duration::ZERO);
    assert_eq!(dropped, 0);
    assert_eq!(client.stats().dropped.values().sum::<u64>(), 0);
    assert_eq!(seen.len(), SENT, "frames delivered");
    assert!(seen.iter().enumerate().all(|(i, &n)| i == n), "in order");
    drop(client);
    server.handle.join().unwrap();
}

/// The same with a tracker set (the frames go through its own thread):
/// the tracker is fed every frame before the reply, and the consumer then
/// gets every one, in order, none dropped.
#[test]
fn lossless_client_with_a_tracker_keeps_frames_aside_until_the_reply() {
    const SENT: usize = 100_000;
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        // The tracker's ENABLE, answered at once; then the user's, answered
        // after the flood.
        let id = command_id(&read_line(&mut r));
        write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
        let id = command_id(&read_line(&mut r));
        s.write_all(&ssid_flood(0, SENT, Some(&id))).unwrap();
        let _ = read_line(&mut r);
    });
    let client = lossless_client(&server.addr());
    let tracker = Arc::new(CountSsid::default());
    client.track(tracker.clone(), WAIT).unwrap();
    let reply = client
        .enable("SSID", "ssid,mac", Duration::from_secs(60))
        .unwrap();
    assert!(reply.is_ok());
    assert_eq!(tracker.0.load(Ordering::Relaxed), SENT, "frames fed");
    let (seen, dropped) = consume_ssids(&client, SENT, Duration::ZERO);
    assert_eq!(dropped, 0);
    assert_eq!(seen.len(), SENT, "frames delivered");
    assert!(seen.iter().enumerate().all(|(i, &n)| i == n), "in order");
    drop(client);
    server.handle.join().unwrap();
}

/// With no command waiting, a lossless client's reader waits for a slow
/// consumer (the server's writes block on the full socket): every frame of
/// a 300,000-frame stream arrives, in order, none dropped.
#[test]
fn lossless_client_waits_for_a_slow_consumer() {
    const SENT: usize = 300_000;
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        let id = command_id(&read_line(&mut r));
        write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
        for chunk in 0..SENT / 10_000 {
            s.write_all(&ssid_flood(chunk * 10_000, 10_000, None))
                .unwrap();
        }
        let _ = read_line(&mut r);
    });
    let client = lossless_client(&server.addr());
    client.enable("SSID", "ssid,mac", WAIT).unwrap();
    let (seen, dropped) = consume_ssids(&client, SENT, Duration::from_micros(200));
    assert_eq!(dropped, 0);
    assert_eq!(seen.len(), SENT, "frames delivered");
    assert!(seen.iter().enumerate().all(|(i, &n)| i == n), "in order");
    drop(client);
    server.handle.join().unwrap();
}

/// The binary's output, read as a slow consumer does: `burst` bytes at a
/// time with a pause after each; its stderr whole; its exit status. Kills
/// the child and fails after [`RUN_LIMIT`].
fn slow_read(mut child: Child, burst: usize, pause: Duration) -> (Vec<u8>, String, bool) {
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = thread::spawn(move || {
        let (mut out, mut buf) = (Vec::new(), vec![0; burst]);
        loop {
            match stdout.read(&mut buf) {
                Ok(0) | Err(_) => return out,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
            thread::sleep(pause);
        }
    });
    let errors = thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("kismet-shell did not finish in {RUN_LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    (
        reader.join().unwrap(),
        errors.join().unwrap(),
        status.success(),
    )
}

fn spawn(args: &[&str]) -> Child {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// `--replay` of a recording of 200,000 frames, as fast as it goes, into
/// a consumer that reads in bursts: all 200,000 as JSON, in recorded
/// order, and no drop.
#[test]
fn replay_delivers_all_200000_frames_to_a_slow_consumer() {
    const FRAMES: usize = 200_000;
    const DEVICES: usize = 50_000;
    let dir = crate::common::temp_dir("lossless-replay");
    let path = dir.join("big.kismet");
    generate(&path, FRAMES, DEVICES);
    let child = spawn(&[
        "--replay",
        path.to_str().unwrap(),
        "--speed",
        "1000000",
        "-c",
        "enable BSSID bssid,channel,lasttime",
        "--follow",
        "--format",
        "json",
    ]);
    let (out, errors, ok) = slow_read(child, 64 * 1024, Duration::from_millis(5));
    assert!(ok, "exit status; stderr: {errors}");
    let text = String::from_utf8(out).unwrap();
    let frames: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(r#"{"type":"frame""#))
        .collect();
    assert!(!text.contains(r#""type":"dropped""#), "a drop was reported");
    assert!(!errors.contains("dropped"), "{errors}");
    assert_eq!(frames.len(), FRAMES, "frames delivered");
    // Recorded order: frame i is about device i % DEVICES.
    for (i, line) in frames.iter().enumerate() {
        let d = i % DEVICES;
        let mac = format!("00:24:01:D4:{:02X}:{:02X}", d / 256, d % 256);
        assert!(line.contains(&mac), "frame {i}: {line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs the binary on a simulator that floods CLIENT lines as fast as the
/// socket takes them, following `count` frames as text into a consumer
/// that reads in bursts, with `extra` arguments; stdout and stderr.
fn follow_flood(count: usize, extra: &[&str]) -> (String, String) {
    let sim = kismet_sim::Sim::start(
        "127.0.0.1:0",
        kismet_sim::SimConfig {
            // The world stands still: the flood repeats one set of lines.
            tick: Duration::from_secs(3600),
            flood_client: true,
            ..kismet_sim::SimConfig::default()
        },
    )
    .unwrap();
    let addr = sim.local_addr().to_string();
    let count = count.to_string();
    let mut args = vec![
        addr.as_str(),
        "-c",
        "enable CLIENT bssid,mac",
        "--follow",
        "--count",
        &count,
    ];
    args.extend_from_slice(extra);
    let (out, errors, ok) = slow_read(spawn(&args), 64 * 1024, Duration::from_millis(5));
    assert!(ok, "exit status; stderr: {errors}");
    (String::from_utf8(out).unwrap(), errors)
}

/// `--lossless --follow` on a flooding simulator into a slow consumer:
/// every frame, no drop reported, and the flood's lines in their cycle
/// without a gap.
#[test]
fn lossless_follow_delivers_every_frame_of_a_flooding_sim() {
    const COUNT: usize = 300_000;
    let (out, errors) = follow_flood(COUNT, &["--lossless"]);
    assert!(!out.contains("dropped"), "a drop was reported");
    assert!(!errors.contains("dropped"), "{errors}");
    let frames: Vec<&str> = out.lines().filter(|l| l.starts_with("CLIENT")).collect();
    assert_eq!(frames.len(), COUNT, "frames delivered");
    // The flood writes its clients over and over in one order: past the
    // ENABLE's burst (at most one cycle), each line is the one a cycle
    // before it. A gap (dropped frames) would break that.
    let cycle = frames
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    assert!(cycle > 1 && cycle < 1000, "{cycle} clients");
    for i in 2 * cycle..frames.len() {
        assert_eq!(frames[i], frames[i - cycle], "frame {i}");
    }
}

/// The same without `--lossless`: the client reads at the server's pace,
/// so the slow consumer loses frames; they are counted in the output, and
/// stderr names `--lossless` once.
#[test]
fn follow_without_lossless_drops_counts_and_names_lossless() {
    const COUNT: usize = 300_000;
    let (out, errors) = follow_flood(COUNT, &[]);
    assert!(
        out.lines()
            .any(|l| l.starts_with('[') && l.contains("CLIENT frames dropped]")),
        "no drop notice"
    );
    assert_eq!(errors.matches("--lossless").count(), 1, "stderr: {errors}");
}
