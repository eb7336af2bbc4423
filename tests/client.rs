//! The client against a scripted server on `127.0.0.1:0`: handshake,
//! subscriptions, reply matching, and every way a connection can go wrong.

use std::io::Write;
use std::time::{Duration, Instant};

use kismet_client::{
    Client, DisconnectReason, Error, Event, HandshakeError, HandshakeStep, Options, ReplyKind,
};
use kismet_protocol::{Command, Frame, LookupError, ServerCommand};
use kismet_shell::shell::outcome::error_chain;

use crate::common::{
    capability_lines, command_id, expect_command, read_line, serve_handshake, Scripted, WAIT,
};

fn opts() -> Options {
    let mut o = Options::default();
    o.connect_timeout = WAIT;
    o.handshake_timeout = WAIT;
    o
}

/// Collects frames of `proto` until `n` arrived (bounded wait).
fn frames_of(client: &Client, proto: &str, n: usize) -> Vec<Frame> {
    let deadline = Instant::now() + WAIT;
    let mut out = Vec::new();
    while out.len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match client.events().recv_timeout(left) {
            Ok(Event::Frames(fs)) => out.extend(fs.into_iter().filter(|f| f.protocol() == proto)),
            Ok(other) => panic!("unexpected event {other:?}"),
            Err(e) => panic!("waiting for {proto} frames: {e} (got {})", out.len()),
        }
    }
    out
}

/// Waits (bounded) until the client has read a TIME line saying `t`.
fn wait_for_clock(client: &Client, t: u64) {
    let deadline = Instant::now() + WAIT;
    while client.server_time() != Some(t) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(client.server_time(), Some(t), "no TIME line saying {t}");
}

/// The handshake learns all 29 protocols with their fields, in one write of
/// CAPABILITY requests, and the server's name.
#[test]
fn handshake_builds_the_table() {
    let server = Scripted::start(|s| {
        let (_s, mut r) = serve_handshake(s);
        let _ = read_line(&mut r); // hold the connection until the client goes
    });
    let client = Client::connect(&server.addr(), opts()).unwrap();
    let table = client.table();
    assert_eq!(table.len(), 29);
    assert_eq!(
        table.get("gps").unwrap().fields[..3],
        ["lat".to_string(), "lon".into(), "alt".into()]
    );
    assert_eq!(table.get("CLIENT").unwrap().fields.len(), 56);
    assert_eq!(client.server_info().name, "Scripted");
    assert!(client.is_connected());
    drop(client);
    server.handle.join().unwrap();
}

/// ENABLE is sent as asked; the burst before the ACK and the live frames
/// after it are named by the enabled field list; ERROR replies are matched.
#[test]
fn enable_names_frames_and_matches_replies() {
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        let id = expect_command(&mut r, "ENABLE SSID ssid,mac");
        write!(
            s,
            "*SSID: \x01HomeNet\x01 00:14:6C:A1:00:01 \n*ACK: {id} \x01OK\x01 \n\
             *SSID: \x01Coffee Shop Free WiFi\x01 00:18:E7:B2:00:02 \n"
        )
        .unwrap();
        let id = expect_command(&mut r, "NOSUCHCMD");
        write!(s, "*ERROR: {id} \x01NO SUCH COMMAND\x01 \n").unwrap();
        let _ = read_line(&mut r);
    });
    let client = Client::connect(&server.addr(), opts()).unwrap();
    let reply = client.enable("ssid", "SSID,MAC", WAIT).unwrap();
    assert_eq!((reply.kind, reply.text.as_str()), (ReplyKind::Ack, "OK"));
    assert_eq!(reply.command, "ENABLE SSID ssid,mac");
    let frames = frames_of(&client, "SSID", 2);
    assert_eq!(frames[0].get("ssid"), Some(&b"HomeNet"[..]));
    assert_eq!(frames[1].get("ssid"), Some(&b"Coffee Shop Free WiFi"[..]));
    assert_eq!(frames[1].get("mac"), Some(&b"00:18:E7:B2:00:02"[..]));
    let err = client
        .request(&Command::raw("NOSUCHCMD", Vec::<String>::new()), WAIT)
        .unwrap_err();
    let Error::Server(reply) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (reply.kind, reply.text.as_str()),
        (ReplyKind::Error, "NO SUCH COMMAND")
    );
    assert_eq!(client.stats().unmatched_replies, 0);
    drop(client);
    server.handle.join().unwrap();
}

/// SSID enabled again with other fields: a frame the server sent before
/// it took the new ENABLE, read after the client changed its list, keeps
/// the names of the list it was sent with; the burst and the frames after
/// it get the new names.
#[test]
fn frame_in_flight_across_a_re_enable_keeps_its_names() {
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        let id = expect_command(&mut r, "ENABLE SSID ssid,mac");
        write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
        let id = expect_command(&mut r, "ENABLE SSID mac");
        // One line of the old layout still on its way, then the burst of
        // the new one, the ACK, and a live frame.
        write!(
            s,
            "*SSID: \x01Old\x01 00:14:6C:A1:00:01 \n*SSID: 00:14:6C:A1:00:02 \n\
             *ACK: {id} \x01OK\x01 \n*SSID: 00:14:6C:A1:00:03 \n"
        )
        .unwrap();
        let _ = read_line(&mut r);
    });
    let client = Client::connect(&server.addr(), opts()).unwrap();
    assert!(client.enable("SSID", "ssid,mac", WAIT).unwrap().is_ok());
    assert!(client.enable("SSID", "mac", WAIT).unwrap().is_ok());
    let frames = frames_of(&client, "SSID", 3);
    let names: Vec<Option<&[String]>> = frames.iter().map(Frame::names).collect();
    let (old, new) = (["ssid".to_string(), "mac".into()], ["mac".to_string()]);
    assert_eq!(names, [Some(&old[..]), Some(&new[..]), Some(&new[..])]);
    assert_eq!(frames[0].get("ssid"), Some(&b"Old"[..]));
    assert_eq!(frames[2].get("mac"), Some(&b"00:14:6C:A1:00:03"[..]));
    drop(client);
    server.handle.join().unwrap();
}

/// A CLIENT line with all 56 fields and an empty `dot11d` keeps 56 fields,
/// `dot11d` empty, and the later fields correctly named.
#[test]
fn client_line_with_empty_dot11d() {
    let caps = capability_lines();
    let fields: Vec<String> = caps
        .iter()
        .find(|(p, _)| p == "CLIENT")
        .unwrap()
        .1
        .rsplit(' ')
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    let line: String = fields
        .iter()
        .map(|f| match f.as_str() {
            "dot11d" => " ".to_string(),
            "manuf" => "\x01Intel Corp\x01 ".to_string(),
            other => format!("v_{other} "),
        })
        .collect();
    let line = format!("*CLIENT: {line}\n");
    let server = Scripted::start(move |s| {
        let (mut s, mut r) = serve_handshake(s);
        let l = read_line(&mut r);
        let id = command_id(&l);
        write!(s, "*ACK: {id} \x01OK\x01 \n{line}").unwrap();
        let _ = read_line(&mut r);
    });
    let client = Client::connect(&server.addr(), opts()).unwrap();
    assert!(client.enable("CLIENT", "*", WAIT).unwrap().is_ok());
    let f = &frames_of(&client, "CLIENT", 1)[0];
    assert_eq!(f.len(), 56);
    assert_eq!(f.get("dot11d"), Some(&b""[..]));
    assert_eq!(f.get("manuf"), Some(&b"Intel Corp"[..]));
    let names = f.names().unwrap();
    for (i, name) in names.iter().enumerate().skip(52) {
        assert_eq!(name, &fields[i]);
        if name != "dot11d" {
            assert_eq!(f.field(i).unwrap(), format!("v_{name}").as_bytes());
        }
    }
    drop(client);
    server.handle.join().unwrap();
}

/// An unknown protocol or field is refused locally, naming the nearest valid
/// names, and nothing reaches the server.
#[test]
fn enable_checked_locally() {
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        // The first line after the handshake is the good command.
        let line = read_line(&mut r);
        assert!(line.ends_with(" CAPABILITY GPS\n"), "{line:?}");
        let id = command_id(&line);
        write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
        let _ = read_line(&mut r);
    });
    let client = Client::connect(&server.addr(), opts()).unwrap();
    let e = client.enable("BOGUS", "x", WAIT).unwrap_err();
    assert!(
        matches!(&e, Error::Lookup(LookupError::UnknownProtocol { name, .. }) if name == "BOGUS"),
        "{e:?}"
    );
    assert!(e.to_string().contains("unknown protocol \"BOGUS\""), "{e}");
    let e = client.enable("SSID", "ssid,mca", WAIT).unwrap_err();
    let Error::Lookup(LookupError::UnknownField { name, nearest, .. }) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(name, "mca");
    assert!(nearest.contains(&"mac".to_string()), "{e}");
    assert!(e.to_string().contains("\"mca\""), "{e}");
    let e = client.remove("GSP", WAIT).unwrap_err();
    assert!(
        matches!(&e, Error::Lookup(LookupError::UnknownProtocol { nearest, .. }) if nearest.contains(&"GPS".to_string())),
        "{e:?}"
    );
    let e = client
        .request(&Command::new(ServerCommand::Enable, ["SSID", "a\nb"]), WAIT)
        .unwrap_err();
    assert!(matches!(e, Error::Refused(_)), "{e:?}");
    assert!(e.to_string().contains("newline"), "{e}");
    assert!(client
        .request(&Command::new(ServerCommand::Capability, ["GPS"]), WAIT)
        .unwrap()
        .is_ok());
    drop(client);
    server.handle.join().unwrap();
}

/// A server that accepts and closes without a byte (maxclients) gives a
/// clear error (not a timeout).
#[test]
fn server_closes_before_greeting() {
    let server = Scripted::start(drop);
    let e = Client::connect(&server.addr(), opts()).err().unwrap();
    assert!(
        matches!(
            e,
            Error::Handshake {
                kind: HandshakeError::ClosedBeforeGreeting,
                ..
            }
        ),
        "{e:?}"
    );
    let msg = error_chain(&e);
    assert!(
        msg.contains("closed the connection before its greeting"),
        "{msg}"
    );
    server.handle.join().unwrap();
}

/// A server that never answers the handshake times out instead of hanging.
#[test]
fn silent_server_times_out() {
    let server = Scripted::start(|mut s| {
        s.write_all(b"*KISMET: 0.0.0 1 \x01x\x01 \x01\x01 0 \n*PROTOCOLS: GPS\n")
            .unwrap();
        std::thread::sleep(Duration::from_millis(800));
    });
    let options = {
        let mut o = opts();
        o.handshake_timeout = Duration::from_millis(300);
        o
    };
    let e = Client::connect(&server.addr(), options).err().unwrap();
    assert!(
        matches!(
            e,
            Error::Handshake {
                kind: HandshakeError::Timeout {
                    step: HandshakeStep::Capabilities,
                    partial: None,
                    ..
                },
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        error_chain(&e).contains("timed out after 0.3 s waiting for CAPABILITY answers"),
        "{e:?}"
    );
    server.handle.join().unwrap();
}

/// A command the server never answers ends in a timeout, and a late reply
/// counts as unmatched.
#[test]
fn unanswered_command_times_out() {
    let (gave_up, given_up) = std::sync::mpsc::channel::<()>();
    let server = Scripted::start(move |s| {
        let (mut s, mut r) = serve_handshake(s);
        let line = read_line(&mut r);
        given_up.recv_timeout(WAIT).unwrap();
        let id = command_id(&line);
        write!(s, "*ACK: {id} \x01OK\x01 \n*TIME: 5\n").unwrap();
        let _ = read_line(&mut r);
    });
    let client = Client::connect(&server.addr(), opts()).unwrap();
    let pending = client
        .send(&Command::new(ServerCommand::Capability, ["GPS"]))
        .unwrap();
    let id = pending.id;
    let err = pending.wait(Duration::from_millis(100)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout { id: i, after, .. } if i == id && after == Duration::from_millis(100)
        ),
        "{err:?}"
    );
    gave_up.send(()).unwrap();
    // The TIME line comes after the late ACK: once the clock moved, the
    // ACK was read.
    wait_for_clock(&client, 5);
    assert_eq!(client.stats().unmatched_replies, 1);
    drop(client);
    server.handle.join().unwrap();
}

/// Only the protocols the user enabled reach the events: TIME, which the
/// server sends every client from the start, comes through once enabled,
/// not before.
#[test]
fn only_enabled_protocols_reach_the_events() {
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        write!(s, "*TIME: 1\n").unwrap();
        let id = expect_command(&mut r, "ENABLE TIME timesec");
        write!(s, "*ACK: {id} \x01OK\x01 \n*TIME: 2\n").unwrap();
        let _ = read_line(&mut r);
    });
    let client = Client::connect(&server.addr(), opts()).unwrap();
    wait_for_clock(&client, 1);
    assert!(client.enable("TIME", "timesec", WAIT).unwrap().is_ok());
    let time = frames_of(&client, "TIME", 1);
    assert_eq!(time[0].get("timesec"), Some(&b"2"[..]));
    assert_eq!(client.frame_counts().total("TIME"), 2, "both were received");
    drop(client);
    server.handle.join().unwrap();
}

/// The server going away in the middle of a line: the disconnect is
/// reported with its reason and the pending command gets "connection lost".
#[test]
fn disconnect_mid_line() {
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        let _ = read_line(&mut r);
        s.write_all(b"*TIME: 7\n*SSID: \x01half").unwrap();
    });
    let client = Client::connect(&server.addr(), opts()).unwrap();
    let pending = client
        .send(&Command::new(ServerCommand::Capability, ["GPS"]))
        .unwrap();
    let e = pending.wait(WAIT).unwrap_err();
    assert!(matches!(e, Error::ConnectionLost { .. }), "{e:?}");
    let deadline = Instant::now() + WAIT;
    let reason = loop {
        match client
            .events()
            .recv_timeout(deadline - Instant::now())
            .unwrap()
        {
            Event::Disconnected { reason } => break reason,
            _ => continue,
        }
    };
    assert_eq!(reason, DisconnectReason::ClosedMidLine);
    assert!(reason.to_string().contains("middle of a line"), "{reason}");
    assert!(!client.is_connected());
    let e = client
        .send(&Command::new(ServerCommand::Capability, ["GPS"]))
        .err()
        .unwrap();
    assert!(matches!(e, Error::NotConnected { .. }), "{e:?}");
    assert!(e.to_string().contains("not connected"), "{e}");
    server.handle.join().unwrap();
}

/// A server that stops reading cannot hang the sender: once the socket
/// buffers are full, the write gives up on its own deadline (the socket
/// is still open: the error is a timeout, not a reset) and `send` reports
/// it.
#[test]
fn send_to_a_server_that_stops_reading_times_out() {
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let server = Scripted::start(move |s| {
        let (_s, _r) = serve_handshake(s);
        // Reads nothing more, and holds the connection till the test ends.
        let _ = finished.recv_timeout(Duration::from_secs(60));
    });
    let client = Client::connect(&server.addr(), opts()).unwrap();
    // Under the server's 64 KiB line limit, which the client enforces.
    let big = "a".repeat(60 * 1024);
    // The socket buffers hold a few MiB: far fewer sends than this fill them.
    let err = (0..10_000)
        .find_map(|_| {
            client
                .send(&Command::new(
                    ServerCommand::AddNetTag,
                    ["00:11", "1", "note", big.as_str()],
                ))
                .err()
        })
        .expect("a send never blocked");
    let Error::Write { source } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source.kind(), std::io::ErrorKind::TimedOut, "{source}");
    let err = error_chain(&err);
    assert!(
        err.contains("connection closed: sending the command"),
        "{err}"
    );
    // The half-sent line cannot be taken back: the connection is dropped.
    let deadline = Instant::now() + WAIT;
    loop {
        match client.events().recv_timeout(deadline - Instant::now()) {
            Ok(Event::Disconnected { reason }) => {
                assert!(
                    matches!(reason, DisconnectReason::WriteFailed { .. }),
                    "{reason:?}"
                );
                break;
            }
            Ok(_) => continue,
            Err(e) => panic!("no disconnect: {e}"),
        }
    }
    assert!(!client.is_connected());
    drop(client);
    done.send(()).unwrap();
    server.handle.join().unwrap();
}

/// A peer that answers with something other than the greeting (a web
/// server's `HTTP/1.1 400`) is named for what it is, with what it sent.
#[test]
fn http_answer_is_not_a_legacy_server() {
    let server = Scripted::start(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    let e = Client::connect(&server.addr(), opts()).err().unwrap();
    let Error::Handshake {
        kind: HandshakeError::NotKismet { first },
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert!(first.starts_with(b"HTTP/1.1 400"), "{first:?}");
    let msg = error_chain(&e);
    assert!(msg.contains("not a legacy Kismet server"), "{msg}");
    assert!(msg.contains("HTTP/1.1 400 Bad Request"), "{msg}");
    assert!(msg.contains("REST API"), "{msg}");
    server.handle.join().unwrap();
}

/// A peer that says nothing but answers an HTTP request (a Kismet release
/// since 2019 on port 2501) gets an error that says so, after the greeting
/// timeout; one that answers nothing at all is still told apart from a slow
/// legacy server.
#[test]
fn silent_peer_is_probed_for_http() {
    let http = Scripted::start(|mut s| {
        let mut buf = [0u8; 64];
        let n = std::io::Read::read(&mut s, &mut buf).unwrap_or(0);
        if buf[..n].starts_with(b"GET / HTTP/1.0") {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\n");
        }
    });
    let options = {
        let mut o = opts();
        o.handshake_timeout = Duration::from_millis(300);
        o
    };
    let e = Client::connect(&http.addr(), options.clone())
        .err()
        .unwrap();
    assert!(
        matches!(
            e,
            Error::Handshake {
                kind: HandshakeError::Silent { http: true, .. },
                ..
            }
        ),
        "{e:?}"
    );
    assert!(error_chain(&e).contains("it answers HTTP"), "{e:?}");
    http.handle.join().unwrap();

    let mute = Scripted::start(|s| {
        std::thread::sleep(Duration::from_millis(1800));
        drop(s);
    });
    let e = Client::connect(&mute.addr(), options).err().unwrap();
    assert!(
        matches!(
            e,
            Error::Handshake {
                kind: HandshakeError::Silent { http: false, .. },
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        error_chain(&e).contains("newer Kismet releases serve HTTP"),
        "{e:?}"
    );
    mute.handle.join().unwrap();
}

/// A tracker that keeps every BSSID frame it is fed.
struct Collect {
    frames: std::sync::Mutex<Vec<Frame>>,
}

impl kismet_client::Tracker for Collect {
    fn needs(&self) -> Vec<(String, Vec<String>)> {
        vec![(
            "BSSID".to_string(),
            vec!["bssid".into(), "type".into(), "manuf".into()],
        )]
    }
    fn feed(&self, frames: &[Frame]) {
        let mut v = self.frames.lock().unwrap();
        v.extend(frames.iter().filter(|f| f.protocol() == "BSSID").cloned());
    }
}

/// One connection, two consumers: with a tracker on, the server is asked
/// for the union of the fields, the tracker gets them all, and the user's
/// frames still hold exactly the user's fields in the user's order (their
/// raw lines too).
#[test]
fn tracker_gets_its_fields_user_sees_only_theirs() {
    use std::sync::Arc;
    let sim = crate::common::still_sim();
    let client = Client::connect(&sim.local_addr().to_string(), opts()).unwrap();
    client.enable("BSSID", "channel,bssid", WAIT).unwrap();
    let burst = frames_of_any(&client, "BSSID", 6);
    let collect = Arc::new(Collect {
        frames: std::sync::Mutex::new(Vec::new()),
    });
    client.track(collect.clone(), WAIT).unwrap();
    assert!(client.is_tracking());
    // The user's list is unchanged.
    assert_eq!(
        &*client.subscription("bssid").unwrap(),
        &["channel".to_string(), "bssid".to_string()]
    );
    // The world moves on: every access point beacons each tick.
    for _ in 0..2 {
        sim.step();
    }
    let later = frames_of_any(&client, "BSSID", 12);
    for f in burst.iter().chain(&later) {
        assert_eq!(
            f.names().unwrap(),
            &["channel".to_string(), "bssid".to_string()]
        );
        assert_eq!(Frame::parse(f.raw()).unwrap().len(), 2, "{:?}", f.raw());
    }
    let fed = collect.frames.lock().unwrap().clone();
    assert!(!fed.is_empty());
    let full = fed.last().unwrap();
    let names = full.names().unwrap();
    assert_eq!(names[..2], ["channel".to_string(), "bssid".to_string()]);
    assert!(names.contains(&"manuf".to_string()) && names.contains(&"type".to_string()));
    assert!(full.get("manuf").is_some());
    client.untrack(WAIT).unwrap();
    assert!(!client.is_tracking());
    drop(client);
    sim.shutdown();
}

/// A tracker that takes its time over each batch, and notes the threads
/// it is fed on and the BSSIDs it has seen.
#[derive(Default)]
struct Slow {
    bssids: std::sync::Mutex<std::collections::BTreeSet<String>>,
    threads: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl kismet_client::Tracker for Slow {
    fn needs(&self) -> Vec<(String, Vec<String>)> {
        vec![("BSSID".to_string(), vec!["bssid".into()])]
    }
    fn feed(&self, frames: &[Frame]) {
        std::thread::sleep(Duration::from_millis(30));
        let name = std::thread::current().name().unwrap_or("").to_string();
        self.threads.lock().unwrap().insert(name);
        let mut seen = self.bssids.lock().unwrap();
        for f in frames.iter().filter(|f| f.protocol() == "BSSID") {
            seen.insert(String::from_utf8_lossy(f.get("bssid").unwrap()).into_owned());
        }
    }
}

/// The tracker is fed on a thread of its own, beside the reader, and yet
/// has every frame that came before a reply by the time the reply's caller
/// wakes: when `track` returns (the ENABLE burst comes before its ACK), a
/// slow tracker already holds every network the simulator knows.
#[test]
fn tracker_on_its_own_thread_has_the_burst_when_track_returns() {
    use std::sync::Arc;
    let sim = crate::common::still_sim();
    let client = Client::connect(&sim.local_addr().to_string(), opts()).unwrap();
    let slow = Arc::new(Slow::default());
    client.track(slow.clone(), WAIT).unwrap();
    let truth: Vec<String> = sim.networks().into_iter().map(|n| n.bssid).collect();
    assert!(truth.len() >= 6, "{truth:?}");
    let seen = slow.bssids.lock().unwrap().clone();
    for bssid in &truth {
        assert!(seen.contains(bssid), "{bssid} not fed by now: {seen:?}");
    }
    let threads = slow.threads.lock().unwrap().clone();
    assert_eq!(threads.into_iter().collect::<Vec<_>>(), ["kismet-tracker"]);
    drop(client);
    sim.shutdown();
}

/// Frames of `proto`, whatever other events come (bounded wait).
fn frames_of_any(client: &Client, proto: &str, n: usize) -> Vec<Frame> {
    let deadline = Instant::now() + WAIT;
    let mut out = Vec::new();
    while out.len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match client.events().recv_timeout(left) {
            Ok(Event::Frames(fs)) => out.extend(fs.into_iter().filter(|f| f.protocol() == proto)),
            Ok(_) => {}
            Err(e) => panic!("waiting for {proto} frames: {e} (got {})", out.len()),
        }
    }
    out
}

/// A tracker that wants the `type` of SSID frames (and keeps nothing).
struct SsidType;

impl kismet_client::Tracker for SsidType {
    fn needs(&self) -> Vec<(String, Vec<String>)> {
        vec![("SSID".to_string(), vec!["type".into()])]
    }
    fn feed(&self, _frames: &[Frame]) {}
}

/// When the tracker's ENABLE is not answered in time, the protocol is not
/// hidden from the user for good: the user enabled SSID, `track` gives up
/// after 200 ms, the server's ACK comes later, and every one of the 20 SSID
/// lines after it is shown, cut to the user's fields.
#[test]
fn tracker_enable_timing_out_leaves_the_users_frames_shown() {
    use std::sync::{mpsc, Arc};
    let (gave_up, given_up) = mpsc::channel::<()>();
    let server = Scripted::start(move |s| {
        let (mut s, mut r) = serve_handshake(s);
        let id = expect_command(&mut r, "ENABLE SSID ssid,mac");
        write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
        let id = expect_command(&mut r, "ENABLE SSID ssid,mac,type");
        // The answer comes only once the client has stopped waiting.
        given_up.recv_timeout(WAIT).unwrap();
        write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
        for n in 0..20 {
            write!(s, "*SSID: \x01Net {n}\x01 00:14:6C:A1:00:{n:02X} 0 \n").unwrap();
        }
        let _ = read_line(&mut r);
    });
    let client = Client::connect(&server.addr(), opts()).unwrap();
    assert!(client.enable("SSID", "ssid,mac", WAIT).unwrap().is_ok());
    let err = client
        .track(Arc::new(SsidType), Duration::from_millis(200))
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    gave_up.send(()).unwrap();
    let frames = frames_of(&client, "SSID", 20);
    for (n, f) in frames.iter().enumerate() {
        assert_eq!(f.names().unwrap(), ["ssid".to_string(), "mac".into()]);
        assert_eq!(f.get("ssid"), Some(format!("Net {n}").as_bytes()));
    }
    drop(client);
    server.handle.join().unwrap();
}
