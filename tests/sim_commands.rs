//! The simulator's behaviours as a server, one by one, against plain
//! sockets: the greeting byte for byte, the connection limit, ENABLE and
//! REMOVE, another client's failed command as STATUS, shutdown, line
//! limits, ENABLE without a burst, a client that never reads, the source
//! and tag commands, and garbage. The harness is in `sim`. Every wait is
//! bounded; every server listens on 127.0.0.1:0.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use kismet_sim::SimConfig;

use crate::sim::{frame, sim, text, Conn, WAIT};

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
