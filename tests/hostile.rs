//! Hostile servers (issue 33): a greeting that trickles in with no newline,
//! one too big to hold, unasked-for CAPABILITY lines, a refused
//! re-subscription, commands over the server's line limit, and what each
//! failure says. Every fake server stops on its own after a bound; no test
//! asserts how long anything took.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use kismet_client::{Client, Error, Event, HandshakeError, HandshakeStep, Options};
use kismet_protocol::spec::{MAX_FIELDS, MAX_LINE, MAX_PROTOCOLS};
use kismet_protocol::{Command, CommandError, ServerCommand};
use kismet_shell::shell::outcome::error_chain;

use crate::common::{capability_lines, expect_command, read_line, serve_handshake, Scripted, WAIT};

/// How long a trickling server goes on before it gives up by itself: far
/// past the client's handshake timeout in these tests.
const TRICKLE_BOUND: Duration = Duration::from_secs(20);

/// The handshake timeout the trickle tests give the client.
const HANDSHAKE: Duration = Duration::from_secs(1);

fn opts() -> Options {
    let mut o = Options::default();
    o.connect_timeout = WAIT;
    o.handshake_timeout = HANDSHAKE;
    o
}

/// Sends `head`, then an `A` every 20 ms until the client goes away, or
/// until [`TRICKLE_BOUND`] has passed: then it sets `gave_up`.
fn trickle(mut s: TcpStream, head: &[u8], gave_up: &AtomicBool) {
    let started = Instant::now();
    if s.write_all(head).is_err() {
        return;
    }
    while s.write_all(b"A").is_ok() {
        if started.elapsed() > TRICKLE_BOUND {
            gave_up.store(true, Ordering::Release);
            return;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A one-connection server that trickles a greeting with no newline, and
/// the flag it sets if it gave up before the client did.
fn trickler() -> (Scripted, Arc<AtomicBool>) {
    let gave_up = Arc::new(AtomicBool::new(false));
    let flag = gave_up.clone();
    let server = Scripted::start(move |s| trickle(s, b"*KISMET: ", &flag));
    (server, gave_up)
}

/// The handshake error inside `e` (panics for any other error).
fn handshake_kind(e: &Error) -> &HandshakeError {
    match e {
        Error::Handshake { kind, .. } => kind,
        other => panic!("not a handshake error: {other:?}"),
    }
}

/// A greeting that trickles in a byte at a time with no newline does not
/// hold the handshake past its timeout: the client gives up while the
/// server is still sending (before, each byte restarted the socket's read
/// timeout and the client waited until the server gave up), and says what
/// came.
#[test]
fn trickled_greeting_times_out_at_the_deadline() {
    let (server, gave_up) = trickler();
    let e = Client::connect(&server.addr(), opts()).err().unwrap();
    assert!(
        !gave_up.load(Ordering::Acquire),
        "the client outwaited the server"
    );
    let HandshakeError::Timeout {
        step: HandshakeStep::Greeting,
        after,
        partial: Some(partial),
    } = handshake_kind(&e)
    else {
        panic!("{e:?}")
    };
    assert_eq!(*after, HANDSHAKE);
    assert!(partial.start.starts_with(b"*KISMET: A"), "{partial:?}");
    assert!(partial.len >= partial.start.len());
    let msg = error_chain(&e);
    let want = format!(
        "no complete greeting line within 1.0 s: it sent {} bytes without a newline: \"*KISMET: A",
        partial.len
    );
    assert!(msg.contains(&want), "{msg}");
    drop(e);
    server.handle.join().unwrap();
}

/// The same trickle on a reconnect: the attempt ends at the handshake
/// timeout with the same error, and the client carries on trying.
#[test]
fn trickled_greeting_on_reconnect_ends_the_attempt() {
    let gave_up = Arc::new(AtomicBool::new(false));
    let flag = gave_up.clone();
    let server = Scripted::start_many(2, move |i, s| {
        if i == 0 {
            // A good first connection, closed at once.
            drop(serve_handshake(s));
        } else {
            trickle(s, b"*KISMET: ", &flag);
        }
    });
    let mut o = opts();
    o.handshake_timeout = Duration::from_secs(2);
    o.reconnect = true;
    o.backoff = (Duration::from_millis(10), Duration::from_millis(10));
    let client = Client::connect(&server.addr(), o).unwrap();
    let deadline = Instant::now() + WAIT * 3;
    let error = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match client.events().recv_timeout(left) {
            Ok(Event::ReconnectFailed { error, .. }) => break error,
            Ok(Event::Reconnected { .. }) => panic!("reconnected to a trickle"),
            Ok(_) => continue,
            Err(e) => panic!("no failed reconnect: {e}"),
        }
    };
    assert!(
        !gave_up.load(Ordering::Acquire),
        "the client outwaited the server"
    );
    assert!(
        matches!(
            handshake_kind(&error),
            HandshakeError::Timeout {
                step: HandshakeStep::Greeting,
                partial: Some(_),
                ..
            }
        ),
        "{error:?}"
    );
    drop(client);
    server.handle.join().unwrap();
}

/// The binary's `-c protocols --connect-timeout 1` against a trickle: it
/// fails with the message, while the server is still sending.
#[test]
fn trickled_greeting_ends_a_batch_run() {
    let (server, gave_up) = trickler();
    let o = crate::batch::run(&[&server.addr(), "--connect-timeout", "1", "-c", "protocols"]);
    assert!(
        !gave_up.load(Ordering::Acquire),
        "the client outwaited the server"
    );
    assert!(!o.status.success());
    let err = crate::batch::stderr(&o);
    assert!(
        err.contains("no complete greeting line within 1.0 s: it sent"),
        "{err}"
    );
    server.handle.join().unwrap();
}

/// Writes a greeting naming `protocols`.
fn greet(s: &mut TcpStream, protocols: &[String]) {
    write!(
        s,
        "*KISMET: 0.0.0 1795678119 \x01Hostile\x01 \x01\x01 0 \n*PROTOCOLS: {}\n",
        protocols.join(",")
    )
    .unwrap();
}

/// What the client sent a server until it closed (bounded by the socket's
/// read timeout).
fn rest_of(s: TcpStream) -> Vec<String> {
    BufReader::new(s).lines().map_while(Result::ok).collect()
}

/// A greeting that names more protocols than the client takes is refused
/// before a single CAPABILITY request goes out (before, the client asked
/// for each and held every answer: 8,000 protocols of 12,000 fields reach
/// 3.3 GB within the handshake).
#[test]
fn too_many_protocols_are_refused() {
    let count = MAX_PROTOCOLS + 1;
    let (tx, rx) = std::sync::mpsc::channel();
    let server = Scripted::start(move |mut s| {
        let names: Vec<String> = (0..count).map(|i| format!("P{i}")).collect();
        greet(&mut s, &names);
        // Answers what it is asked, in case the client asks.
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut asked = Vec::new();
        let mut line = String::new();
        while matches!(r.read_line(&mut line), Ok(n) if n > 0) {
            let id = crate::common::command_id(&line);
            let _ = write!(s, "*CAPABILITY: P0 a,b\n*ACK: {id} \x01OK\x01 \n");
            asked.push(std::mem::take(&mut line));
        }
        tx.send(asked).unwrap();
    });
    let e = Client::connect(&server.addr(), opts()).err().unwrap();
    assert!(
        matches!(handshake_kind(&e), HandshakeError::TooManyProtocols { count: c } if *c == count),
        "{e:?}"
    );
    let msg = error_chain(&e);
    assert!(
        msg.contains(&format!(
            "names {count} protocols, more than the {MAX_PROTOCOLS}"
        )),
        "{msg}"
    );
    drop(e);
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), Vec::<String>::new());
    server.handle.join().unwrap();
}

/// A CAPABILITY answer with more fields than the client takes for one
/// protocol fails the handshake, naming the protocol.
#[test]
fn too_many_fields_are_refused() {
    let count = MAX_FIELDS + 1;
    let server = Scripted::start(move |mut s| {
        greet(&mut s, &["KISMET".into(), "WIDE".into()]);
        let mut r = BufReader::new(s.try_clone().unwrap());
        for _ in 0..2 {
            let line = read_line(&mut r);
            let id = crate::common::command_id(&line);
            let proto = line.trim_end().rsplit(' ').next().unwrap().to_string();
            let fields: Vec<String> = match proto.as_str() {
                "WIDE" => (0..count).map(|i| format!("f{i}")).collect(),
                _ => vec!["version".into()],
            };
            let _ = write!(
                s,
                "*CAPABILITY: {proto} {}\n*ACK: {id} \x01OK\x01 \n",
                fields.join(",")
            );
        }
        rest_of(s);
    });
    let e = Client::connect(&server.addr(), opts()).err().unwrap();
    assert!(
        matches!(
            handshake_kind(&e),
            HandshakeError::TooManyFields { protocol, count: c } if protocol == "WIDE" && *c == count
        ),
        "{e:?}"
    );
    let msg = error_chain(&e);
    assert!(
        msg.contains(&format!(
            "lists {count} fields for WIDE, more than the {MAX_FIELDS}"
        )),
        "{msg}"
    );
    drop(e);
    server.handle.join().unwrap();
}

/// Waits (bounded) until the client has read a TIME line saying `t`.
fn wait_for_clock(client: &Client, t: u64) {
    let deadline = Instant::now() + WAIT;
    while client.server_time() != Some(t) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(client.server_time(), Some(t), "no TIME line saying {t}");
}

/// CAPABILITY lines nobody asked for are counted and ignored: new
/// protocols do not grow the table, and a blank one does not wipe a known
/// protocol's fields (before, each went into the table, each slower to
/// take than the last). An answer to the client's own CAPABILITY still
/// updates the table, and comes with the reply: one line, not every line
/// the server piles on it.
#[test]
fn unsolicited_capability_lines_are_counted_and_ignored() {
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        let mut burst = String::new();
        for i in 0..1000 {
            burst.push_str(&format!("*CAPABILITY: NEW{i} a,b,c\n"));
        }
        burst.push_str("*CAPABILITY: SSID \n*CAPABILITY: SSID\n*TIME: 9\n");
        s.write_all(burst.as_bytes()).unwrap();
        let id = expect_command(&mut r, "CAPABILITY GPS");
        // An unasked-for line, the answer, and one more for GPS.
        write!(
            s,
            "*CAPABILITY: SSID x\n*CAPABILITY: GPS lat,lon\n*CAPABILITY: GPS x,y\n\
             *ACK: {id} \x01OK\x01 \n"
        )
        .unwrap();
        let _ = read_line(&mut r);
    });
    let mut o = opts();
    o.handshake_timeout = WAIT;
    let client = Client::connect(&server.addr(), o).unwrap();
    let ssid_fields = client.table().get("SSID").unwrap().fields.clone();
    wait_for_clock(&client, 9);
    assert_eq!(client.table().len(), capability_lines().len());
    assert!(client.table().get("NEW1").is_none());
    assert_eq!(client.table().get("SSID").unwrap().fields, ssid_fields);
    assert_eq!(client.stats().unsolicited_capabilities, 1002);

    let reply = client.capability("GPS", WAIT).unwrap();
    assert_eq!(reply.data.len(), 1, "{:?}", reply.data);
    assert_eq!(reply.data[0].raw(), b"*CAPABILITY: GPS lat,lon");
    assert_eq!(&*client.table().get("GPS").unwrap().fields, ["lat", "lon"]);
    assert_eq!(client.table().get("SSID").unwrap().fields, ssid_fields);
    assert_eq!(client.stats().unsolicited_capabilities, 1004);
    drop(client);
    server.handle.join().unwrap();
}

/// A subscription the server refuses to take back after a reconnect is
/// reported (before, the refusal went to a reply nobody read, and the
/// subscription was gone without a word).
#[test]
fn refused_re_enable_after_reconnect_is_reported() {
    let server = Scripted::start_many(2, |i, s| {
        let (mut s, mut r) = serve_handshake(s);
        let id = expect_command(&mut r, "ENABLE SSID ssid,mac");
        if i == 0 {
            write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
            return; // closes: the client reconnects
        }
        write!(s, "*ERROR: {id} \x01Unknown protocol: 'SSID'\x01 \n").unwrap();
        rest_of(s);
    });
    let mut o = opts();
    o.handshake_timeout = WAIT;
    o.reconnect = true;
    o.backoff = (Duration::from_millis(10), Duration::from_millis(10));
    let client = Client::connect(&server.addr(), o).unwrap();
    client.enable("SSID", "ssid,mac", WAIT).unwrap();
    let deadline = Instant::now() + WAIT * 2;
    let mut reconnected = false;
    let (command, error) = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match client.events().recv_timeout(left) {
            Ok(Event::Reconnected { .. }) => reconnected = true,
            Ok(Event::RestoreFailed { command, error }) => break (command, error),
            Ok(_) => continue,
            Err(e) => panic!("no report of the refusal: {e}"),
        }
    };
    assert!(reconnected, "reported before the reconnect");
    assert_eq!(command, "ENABLE SSID ssid,mac");
    let Error::Server(reply) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(reply.text, "Unknown protocol: 'SSID'");
    drop(client);
    server.handle.join().unwrap();
}

/// A command over the server's 64 KiB line limit is refused before it is
/// sent (before, it went out and the server reset the connection); the
/// connection carries on.
#[test]
fn command_over_the_line_limit_is_refused_locally() {
    let server = Scripted::start(|s| {
        let (mut s, mut r) = serve_handshake(s);
        let id = expect_command(&mut r, "CAPABILITY GPS");
        write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
        let _ = read_line(&mut r);
    });
    let mut o = opts();
    o.handshake_timeout = WAIT;
    let client = Client::connect(&server.addr(), o).unwrap();
    let big = "v".repeat(MAX_LINE);
    let e = client
        .send(&Command::new(
            ServerCommand::AddNetTag,
            ["00:11:22:33:44:55", "1", "note", big.as_str()],
        ))
        .err()
        .unwrap();
    assert!(
        matches!(&e, Error::Refused(CommandError::TooLong { limit, .. }) if *limit == MAX_LINE),
        "{e:?}"
    );
    assert!(error_chain(&e).contains("over the server's 65536-byte line limit"));
    assert!(client.capability("GPS", WAIT).unwrap().is_ok());
    drop(client);
    server.handle.join().unwrap();
}

/// An SSH server's banner with no newline (it waits for the client's) is
/// named for what it is, quoted, not taken for a silent peer (before: "no
/// greeting ... newer Kismet releases serve HTTP").
#[test]
fn ssh_banner_without_a_newline_is_not_kismet() {
    let server = Scripted::start(|mut s| {
        s.write_all(b"SSH-2.0-OpenSSH_9.2").unwrap();
        rest_of(s);
    });
    let e = Client::connect(&server.addr(), opts()).err().unwrap();
    let HandshakeError::NotKismet { first } = handshake_kind(&e) else {
        panic!("{e:?}")
    };
    assert_eq!(first, b"SSH-2.0-OpenSSH_9.2");
    let msg = error_chain(&e);
    assert!(
        msg.contains("not a legacy Kismet server: it sent \"SSH-2.0-OpenSSH_9.2\" where"),
        "{msg}"
    );
    assert!(!msg.contains("HTTP"), "{msg}");
    drop(e);
    server.handle.join().unwrap();
}

/// A greeting line longer than the line limit, then the close: the error
/// quotes how it began and says how long it was (before, it quoted `""`);
/// bytes that cannot begin a greeting are another protocol.
#[test]
fn endless_greeting_is_quoted() {
    let server = Scripted::start_many(2, |i, mut s| {
        let head: &[u8] = if i == 0 { b"*KISMET: " } else { b"<html>" };
        let _ = s.write_all(head);
        let _ = s.write_all(&vec![b'A'; 100_000]);
    });
    let e = Client::connect(&server.addr(), opts()).err().unwrap();
    let HandshakeError::ClosedMidLine {
        step: HandshakeStep::Greeting,
        partial,
    } = handshake_kind(&e)
    else {
        panic!("{e:?}")
    };
    assert_eq!(partial.len, 100_009);
    let msg = error_chain(&e);
    assert!(
        msg.contains(
            "server closed the connection in the middle of a greeting line (100009 bytes): \
             \"*KISMET: AAAA"
        ),
        "{msg}"
    );
    let e = Client::connect(&server.addr(), opts()).err().unwrap();
    let HandshakeError::NotKismet { first } = handshake_kind(&e) else {
        panic!("{e:?}")
    };
    assert!(first.starts_with(b"<html>AAAA"), "{first:?}");
    assert!(error_chain(&e).contains("it sent \"<html>AAAA"), "{e}");
    server.handle.join().unwrap();
}

/// A PROTOCOLS line over the line limit fails the handshake at once,
/// saying so (before: "timed out waiting for the greeting").
#[test]
fn overlong_protocols_line_is_named() {
    let server = Scripted::start(|mut s| {
        let names: Vec<String> = (0..10_000).map(|i| format!("PROTO{i}")).collect();
        greet(&mut s, &names);
        rest_of(s);
    });
    let e = Client::connect(&server.addr(), opts()).err().unwrap();
    let HandshakeError::Overlong {
        step: HandshakeStep::Greeting,
        len,
        limit,
        start,
    } = handshake_kind(&e)
    else {
        panic!("{e:?}")
    };
    assert!(*len > MAX_LINE && *limit == MAX_LINE, "{len} {limit}");
    assert!(
        start.starts_with(b"*PROTOCOLS: PROTO0,PROTO1,"),
        "{start:?}"
    );
    let msg = error_chain(&e);
    assert!(
        msg.contains(&format!(
            "sent a greeting line of {len} bytes, over the 65536-byte line limit: \
             \"*PROTOCOLS: PROTO0,"
        )),
        "{msg}"
    );
    drop(e);
    server.handle.join().unwrap();
}

/// A reset during the handshake reads "connection reset by server", as a
/// reset later does (before: the OS's "Connection reset by peer (os error
/// 104)").
#[test]
fn reset_during_the_handshake_says_so() {
    let server = Scripted::start(|mut s| {
        greet(&mut s, &["KISMET".into(), "GPS".into()]);
        // Closing with the client's requests unread sends a reset.
        let mut buf = [0u8; 1];
        let _ = s.peek(&mut buf);
        drop(s);
    });
    let e = Client::connect(&server.addr(), opts()).err().unwrap();
    assert!(matches!(handshake_kind(&e), HandshakeError::Reset), "{e:?}");
    let msg = error_chain(&e);
    assert!(msg.ends_with(": connection reset by server"), "{msg}");
    server.handle.join().unwrap();
}
