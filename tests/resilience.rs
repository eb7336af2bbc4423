//! Reconnect, watchdog, backpressure and hostile input.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use kismet_client::{Client, DisconnectReason, Error, Event, Options};
use kismet_protocol::{Command, ServerCommand};

use crate::common::{
    command_id, read_line, serve_handshake, ssid_flood, CountSsid, Scripted, WAIT,
};

fn opts() -> Options {
    let mut o = Options::default();
    o.connect_timeout = WAIT;
    o.handshake_timeout = WAIT;
    o.reconnect = true;
    o.backoff = (Duration::from_millis(50), Duration::from_millis(200));
    o
}

/// Waits for the first event that `want` accepts, failing after WAIT.
fn wait_for(client: &Client, what: &str, mut want: impl FnMut(&Event) -> bool) -> Event {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match client.events().recv_timeout(left) {
            Ok(e) if want(&e) => return e,
            Ok(_) => {}
            Err(_) => panic!("timed out waiting for {what}"),
        }
    }
}

fn is_named_ssid(e: &Event, ssid: &[u8]) -> bool {
    matches!(e, Event::Frames(fs) if fs.iter().any(|f| f.get("ssid") == Some(ssid) && f.get("mac").is_some()))
}

/// Serves one connection: handshake, ACK the ENABLE it expects, one SSID
/// frame named `ssid`, then `end` (what to write before closing).
fn serve_ssid(s: std::net::TcpStream, ssid: &str, end: &[u8]) {
    let (mut s, mut r) = serve_handshake(s);
    let line = read_line(&mut r);
    let id = command_id(&line);
    assert!(line.ends_with(" ENABLE SSID ssid,mac\n"), "{line:?}");
    write!(
        s,
        "*ACK: {id} \x01OK\x01 \n*SSID: \x01{ssid}\x01 00:11:22:33:44:55 \n"
    )
    .unwrap();
    thread::sleep(Duration::from_millis(100));
    s.write_all(end).unwrap();
}

/// Server killed and restarted on the same port: the client reconnects,
/// re-enables SSID with the same fields, and frames come named again.
#[test]
fn reconnects_after_server_restart() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        serve_ssid(s, "before", b"");
        drop(listener); // the server process goes away...
        thread::sleep(Duration::from_millis(300));
        let listener = TcpListener::bind(addr).unwrap(); // ...and comes back
        let (s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        serve_ssid(s, "after", b"");
        thread::sleep(Duration::from_millis(200));
    });
    let client = Client::connect(&addr.to_string(), opts()).unwrap();
    assert!(client.enable("SSID", "ssid,mac", WAIT).unwrap().is_ok());
    wait_for(&client, "first frame", |e| is_named_ssid(e, b"before"));
    wait_for(&client, "disconnect", |e| {
        matches!(e, Event::Disconnected { .. })
    });
    wait_for(&client, "reconnect", |e| {
        matches!(e, Event::Reconnected { .. })
    });
    wait_for(&client, "frame after reconnect", |e| {
        is_named_ssid(e, b"after")
    });
    assert_eq!(client.stats().connections, 2);
    assert_eq!(client.table().len(), 29);
    server.join().unwrap();
}

/// TERMINATE: the disconnect says why, and the client reconnects.
#[test]
fn terminate_then_reconnect() {
    let server = Scripted::start_many(2, |i, s| {
        if i == 0 {
            serve_ssid(s, "one", b"*TERMINATE: Kismet server terminating.\n");
        } else {
            serve_ssid(s, "two", b"");
            thread::sleep(Duration::from_millis(200));
        }
    });
    let client = Client::connect(&server.addr(), opts()).unwrap();
    assert!(client.enable("SSID", "ssid,mac", WAIT).unwrap().is_ok());
    let e = wait_for(&client, "disconnect", |e| {
        matches!(e, Event::Disconnected { .. })
    });
    let Event::Disconnected { reason } = e else {
        unreachable!()
    };
    assert_eq!(
        reason,
        DisconnectReason::Terminated {
            text: "Kismet server terminating.".into()
        }
    );
    assert_eq!(
        reason.to_string(),
        "server terminated: Kismet server terminating."
    );
    wait_for(&client, "frame after reconnect", |e| {
        is_named_ssid(e, b"two")
    });
    server.handle.join().unwrap();
}

/// With `reconnect_after_terminate` off (as the interactive shell has it),
/// a TERMINATE ends the connection for good: the disconnect comes, no
/// reconnect attempt follows, and `will_reconnect` says so.
#[test]
fn terminate_is_final_without_reconnect_after_terminate() {
    let server = Scripted::start_many(2, |i, s| {
        if i == 0 {
            serve_ssid(s, "one", b"*TERMINATE: Kismet server terminating.\n");
        } else {
            serve_ssid(s, "two", b"");
        }
    });
    let options = {
        let mut o = opts();
        o.reconnect_after_terminate = false;
        o
    };
    let client = Client::connect(&server.addr(), options).unwrap();
    assert!(client.will_reconnect());
    assert!(client.enable("SSID", "ssid,mac", WAIT).unwrap().is_ok());
    wait_for(&client, "disconnect", |e| {
        matches!(e, Event::Disconnected { .. })
    });
    assert!(!client.will_reconnect());
    // The backoff is 50 ms: an attempt would have come long before this.
    let after = client.events().recv_timeout(Duration::from_millis(500));
    assert!(
        !matches!(after, Ok(Event::Reconnecting { .. })),
        "{after:?}"
    );
    assert_eq!(client.stats().connections, 1);
    drop(client);
}

/// A server that stops sending anything is declared dead by the watchdog
/// (while the server still holds the connection open), and a pending
/// command is answered "connection lost".
#[test]
fn watchdog_fires_on_silence() {
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let server = Scripted::start(move |s| {
        let (_s, mut r) = serve_handshake(s);
        let _ = read_line(&mut r); // swallow the command, say nothing
        let _ = finished.recv_timeout(Duration::from_secs(60));
    });
    let options = {
        let mut o = opts();
        o.silence_timeout = Some(Duration::from_millis(400));
        o.reconnect = false;
        o
    };
    let client = Client::connect(&server.addr(), options).unwrap();
    let pending = client
        .send(&Command::new(ServerCommand::Capability, ["GPS"]))
        .unwrap();
    let e = pending.wait(WAIT).unwrap_err();
    assert!(matches!(e, Error::ConnectionLost { .. }), "{e:?}");
    let e = wait_for(&client, "disconnect", |e| {
        matches!(e, Event::Disconnected { .. })
    });
    let Event::Disconnected { reason } = e else {
        unreachable!()
    };
    assert_eq!(
        reason,
        DisconnectReason::Silent {
            after: Duration::from_millis(400)
        }
    );
    assert!(
        reason.to_string().contains("no data from the server"),
        "{reason}"
    );
    done.send(()).unwrap();
    server.handle.join().unwrap();
}

/// A client for a flood: a small event channel (4 batches), so that a
/// consumer that does not read makes it drop frames; no reconnect.
fn flood_client(addr: &str) -> Client {
    let options = {
        let mut o = opts();
        o.channel_batches = 4;
        o.reconnect = false;
        o
    };
    Client::connect(addr, options).unwrap()
}

/// Writes `sent` SSID lines, then the ACK of command `id`.
fn flood_then_ack(s: &mut std::net::TcpStream, sent: usize, id: &str) {
    s.write_all(&ssid_flood(0, sent, Some(id))).unwrap();
}

/// A flood to a consumer that does not read: frames are dropped and counted,
/// received + dropped == sent, and the reply after the flood still arrives.
#[test]
fn flood_drops_are_counted_and_replies_survive() {
    const SENT: usize = 200_000;
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        let line = read_line(&mut r);
        let id = command_id(&line);
        flood_then_ack(&mut s, SENT, &id);
        let _ = read_line(&mut r);
    });
    let client = flood_client(&server.addr());
    // The reply comes after all the frames; nobody reads the events meanwhile.
    let reply = client
        .enable("SSID", "ssid,mac", Duration::from_secs(30))
        .unwrap();
    assert!(reply.is_ok());
    let mut received = 0usize;
    let mut reported = 0u64;
    while let Ok(e) = client.events().recv_timeout(Duration::from_millis(200)) {
        match e {
            Event::Frames(fs) => received += fs.iter().filter(|f| f.protocol() == "SSID").count(),
            Event::Dropped { counts } => reported += counts.iter().map(|(_, n)| n).sum::<u64>(),
            _ => {}
        }
    }
    let dropped = client.stats().dropped.get("SSID").copied().unwrap_or(0);
    assert!(dropped > 0, "nothing was dropped: the test did not flood");
    assert_eq!(received as u64 + dropped, SENT as u64);
    assert!(reported <= dropped);
    drop(client);
    server.handle.join().unwrap();
}

/// The same flood with a tracker set (fed on its own thread): the tracker
/// has every frame by the time the reply after them arrives, while the
/// display, which nobody reads, drops frames and counts them (received +
/// dropped == sent).
#[test]
fn flood_with_a_tracker_feeds_it_all_and_counts_display_drops() {
    const SENT: usize = 100_000;
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        // The tracker's ENABLE, answered at once; then the user's, answered
        // with the flood and its ACK.
        let id = command_id(&read_line(&mut r));
        write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
        let id = command_id(&read_line(&mut r));
        flood_then_ack(&mut s, SENT, &id);
        let _ = read_line(&mut r);
    });
    let client = flood_client(&server.addr());
    let tracker = std::sync::Arc::new(CountSsid::default());
    client.track(tracker.clone(), WAIT).unwrap();
    let reply = client
        .enable("SSID", "ssid,mac", Duration::from_secs(30))
        .unwrap();
    assert!(reply.is_ok());
    let fed = tracker.0.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(fed, SENT, "the tracker missed frames");
    let mut received = 0usize;
    while let Ok(e) = client.events().recv_timeout(Duration::from_millis(200)) {
        if let Event::Frames(fs) = e {
            received += fs.iter().filter(|f| f.protocol() == "SSID").count();
        }
    }
    let dropped = client.stats().dropped.get("SSID").copied().unwrap_or(0);
    assert!(dropped > 0, "nothing was dropped: the test did not flood");
    assert_eq!(received as u64 + dropped, SENT as u64);
    drop(client);
    server.handle.join().unwrap();
}

/// Peak memory of the binary following a flood with its stdout blocked
/// stays under 64 MiB (the channel holds at most 32 batches of ~128 KiB).
#[test]
fn flood_into_blocked_stdout_keeps_memory_bounded() {
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        let line = read_line(&mut r);
        let id = command_id(&line);
        write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
        let chunk: Vec<u8> = (0..10_000)
            .flat_map(|i| format!("*SSID: \x01flood {i:06}\x01 00:11:22:33:44:55 \n").into_bytes())
            .collect();
        let until = Instant::now() + Duration::from_secs(3);
        while Instant::now() < until {
            if s.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kismet-shell"))
        .args([
            &server.addr(),
            "-c",
            "enable SSID ssid,mac",
            "--follow",
            "--timeout",
            "3.5",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped()) // never read: blocked output
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    thread::sleep(Duration::from_millis(3000));
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    let hwm_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if hwm_kb == 0 {
        eprintln!("no /proc: memory not measured");
    } else {
        eprintln!("peak RSS following a flood with stdout blocked: {hwm_kb} KiB");
        assert!(hwm_kb < 64 * 1024, "peak RSS {hwm_kb} KiB");
    }
    let mut rest = Vec::new();
    let _ = child.stdout.take().unwrap().read_to_end(&mut rest);
    server.handle.join().unwrap();
}

/// A hostile server: escape sequences, CR, bidi overrides, invalid UTF-8 and
/// a 1 MiB line. Text output carries no raw control byte, the session goes
/// on, and the malformed lines are counted.
#[test]
fn hostile_server() {
    let hostile: Vec<u8> = [
        &b"*SSID: \x01\x1b]0;owned\x07\x01 00:00:00:00:00:01 \n"[..],
        b"*SSID: \x01\x1b[2J\rwiped\x01 00:00:00:00:00:02 \n",
        "*SSID: \x01evil\u{202e}txt.exe\u{9b}31m\x01 00:00:00:00:00:03 \n".as_bytes(),
        b"*SSID: \x01\xff\xfe\x80\x01 00:00:00:00:00:04 \n",
        b"*SSID: \x01\\033[31mred\x01 00:00:00:00:00:05 \n",
        b"*STATUS: \x01\x1b]52;c;ZXZpbA==\x07\x08\x08\x01 8 \n",
        b"\n",                               // malformed: empty
        b"no star at all\n",                 // malformed
        b"*SSID: \x01never closed 00:00 \n", // malformed: unterminated
        b"*\x1b[31m: x \n",                  // malformed: header
    ]
    .concat();
    let mut huge = b"*SSID: \x01".to_vec();
    huge.resize(1 << 20, b'A');
    huge.extend_from_slice(b"\x01 00:00:00:00:00:06 \n"); // overlong
    let server = Scripted::start(move |s| {
        let (mut s, mut r) = serve_handshake(s);
        for _ in 0..2 {
            let line = read_line(&mut r);
            let id = command_id(&line);
            write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
        }
        s.write_all(&hostile).unwrap();
        s.write_all(&huge).unwrap();
        s.write_all(b"*SSID: \x01still alive\x01 00:00:00:00:00:07 \n")
            .unwrap();
        let _ = read_line(&mut r);
    });
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kismet-shell"))
        .args([
            &server.addr(),
            "-c",
            "enable SSID ssid,mac",
            "-c",
            "enable STATUS text,flags",
            "--follow",
            "--count",
            "7",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("output is UTF-8");
    for c in text.chars() {
        assert!(
            c == '\n' || !kismet_protocol::text::is_unsafe_char(c),
            "raw {c:?} in output:\n{text}"
        );
    }
    assert!(text.contains("ssid=\\x1b]0;owned\\x07"), "{text}");
    assert!(text.contains("evil\\u{202e}txt.exe\\x9b31m"), "{text}");
    assert!(text.contains("\\xff\\xfe\\x80"), "{text}");
    assert!(text.contains("ssid=\\x1b[31mred"), "{text}"); // decoded octal, escaped
    assert!(text.contains("ssid=\"still alive\""), "{text}");
    server.handle.join().unwrap();
}

/// The same hostile lines through the library: malformed and overlong
/// lines are counted exactly, and the connection survives them.
#[test]
fn hostile_lines_are_counted() {
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        let line = read_line(&mut r);
        let id = command_id(&line);
        let mut huge = b"*SSID: x".to_vec();
        huge.resize(1 << 20, b'A');
        huge.push(b'\n');
        s.write_all(b"\nno star\n*SSID: \x01open 1 \n*\x1b: x \n")
            .unwrap();
        s.write_all(&huge).unwrap();
        write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
        let _ = read_line(&mut r);
    });
    let client = Client::connect(&server.addr(), {
        let mut o = opts();
        o.reconnect = false;
        o
    })
    .unwrap();
    assert!(client.enable("SSID", "ssid,mac", WAIT).unwrap().is_ok());
    let stats = client.stats();
    assert_eq!(stats.malformed, 4);
    assert_eq!(stats.overlong, 1);
    assert!(client.is_connected());
    drop(client);
    server.handle.join().unwrap();
}

/// After `REMOVE TIME` silence is normal: the watchdog stays quiet, and a
/// reconnect removes TIME again along with re-enabling SSID.
#[test]
fn no_watchdog_without_time_and_remove_replayed() {
    let server = Scripted::start_many(2, |i, s| {
        let (mut s, mut r) = serve_handshake(s);
        if i == 0 {
            for _ in 0..2 {
                let line = read_line(&mut r);
                let id = command_id(&line);
                write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
            }
            thread::sleep(Duration::from_millis(900)); // silent, then a frame
            s.write_all(b"*SSID: \x01late\x01 00:11:22:33:44:55 \n")
                .unwrap();
            thread::sleep(Duration::from_millis(100));
        } else {
            let a = read_line(&mut r);
            let b = read_line(&mut r);
            assert!(a.ends_with(" ENABLE SSID ssid,mac\n"), "{a:?}");
            assert!(b.ends_with(" REMOVE TIME\n"), "{b:?}");
            thread::sleep(Duration::from_millis(100));
        }
    });
    let options = {
        let mut o = opts();
        o.silence_timeout = Some(Duration::from_millis(300));
        o
    };
    let client = Client::connect(&server.addr(), options).unwrap();
    assert!(client.enable("SSID", "ssid,mac", WAIT).unwrap().is_ok());
    assert!(client.remove("time", WAIT).unwrap().is_ok());
    let e = wait_for(&client, "late frame", |e| {
        matches!(e, Event::Disconnected { .. }) || is_named_ssid(e, b"late")
    });
    assert!(matches!(e, Event::Frames(_)), "watchdog fired: {e:?}");
    wait_for(&client, "reconnect", |e| {
        matches!(e, Event::Reconnected { .. })
    });
    drop(client);
    server.handle.join().unwrap();
}
