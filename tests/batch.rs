//! Batch mode of the binary: stdout, stderr and exit status.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{responder, Scripted};

const BIN: &str = env!("CARGO_BIN_EXE_kismet-shell");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run kismet-shell")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `-c protocols --format json` lists every protocol with its fields.
#[test]
fn protocols_as_json() {
    let server = responder(1, Duration::from_millis(50));
    let o = run(&[&server.addr(), "-c", "protocols", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json_lines(&o);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["type"], "protocols");
    let protos = v[0]["protocols"].as_array().unwrap();
    assert_eq!(protos.len(), 29);
    let gps = protos.iter().find(|p| p["protocol"] == "GPS").unwrap();
    assert_eq!(gps["fields"][0], "lat");
    assert_eq!(gps["fields"].as_array().unwrap().len(), 10);
    server.handle.join().unwrap();
}

/// `enable SSID ssid,mac --follow --count 5 --format json`: an ack, then 5
/// SSID frames with exactly the keys ssid and mac.
#[test]
fn follow_json_frames() {
    let server = responder(1, Duration::from_millis(10));
    let o = run(&[
        &server.addr(),
        "-c",
        "enable SSID ssid,mac",
        "--follow",
        "--count",
        "5",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json_lines(&o);
    assert_eq!(v.len(), 6, "{}", stdout(&o));
    assert_eq!(v[0]["type"], "ack");
    assert_eq!(v[0]["command"], "ENABLE SSID ssid,mac");
    assert_eq!(v[0]["text"], "OK");
    for f in &v[1..] {
        assert_eq!(f["type"], "frame");
        assert_eq!(f["protocol"], "SSID");
        let keys: Vec<&String> = f["fields"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["ssid", "mac"]);
    }
    assert_eq!(v[1]["fields"]["ssid"], "HomeNet");
    server.handle.join().unwrap();
}

/// An unknown protocol is refused locally: exit 1, the error names it, and
/// nothing reaches the server.
#[test]
fn bogus_protocol_refused_locally() {
    let server = Scripted::start(|s| {
        let (_s, mut r) = crate::common::serve_handshake(s);
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(r.get_mut(), &mut rest);
        assert_eq!(rest, "", "the client sent something");
    });
    let o = run(&[&server.addr(), "-c", "enable BOGUS x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("kismet-shell: unknown protocol \"BOGUS\""),
        "{}",
        stderr(&o)
    );
    server.handle.join().unwrap();
}

/// A command the server refuses exits 1 with the server's text.
#[test]
fn server_error_exits_1() {
    let server = responder(1, Duration::from_millis(50));
    let o = run(&[&server.addr(), "-c", "!NOSUCHCMD", "-c", "protocols"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("NO SUCH COMMAND"), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("error: NO SUCH COMMAND"),
        "{}",
        stdout(&o)
    );
    // Processing stopped: no protocols table.
    assert!(!stdout(&o).contains("GPS"));
    server.handle.join().unwrap();
}

/// An address nobody listens on exits 2 quickly.
#[test]
fn unreachable_exits_2() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let started = Instant::now();
    let o = run(&[&format!("127.0.0.1:{port}"), "-c", "protocols"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("kismet-shell: connecting to 127.0.0.1:"),
        "{}",
        stderr(&o)
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// Commands come from piped stdin, comments and blank lines skipped.
#[test]
fn piped_stdin_commands() {
    let server = responder(1, Duration::from_millis(50));
    let mut child = Command::new(BIN)
        .args([&server.addr(), "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"# list GPS fields\n\nfields GPS\n!CAPABILITY GPS\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json_lines(&o);
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["type"], "fields");
    assert_eq!(v[0]["protocol"], "GPS");
    assert_eq!(v[0]["fields"][1], "lon");
    assert_eq!(v[1]["type"], "ack");
    server.handle.join().unwrap();
}

/// `--follow | head -3` ends quietly with status 0 when head goes away.
#[test]
fn follow_into_closed_pipe_exits_0() {
    let server = responder(1, Duration::from_millis(2));
    let o = Command::new("bash")
        .arg("-c")
        .arg(r#""$0" "$1" -c 'enable SSID ssid,mac' --follow --timeout 20 | head -3; exit "${PIPESTATUS[0]}""#)
        .arg(BIN)
        .arg(server.addr())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 3);
    assert_eq!(stderr(&o), "");
    server.handle.join().unwrap();
}

/// `--format raw` writes the server's lines byte for byte.
#[test]
fn raw_format() {
    let server = responder(1, Duration::from_millis(10));
    let o = run(&[
        &server.addr(),
        "-c",
        "enable SSID ssid,mac",
        "--follow",
        "--count",
        "2",
        "--format",
        "raw",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = o.stdout;
    assert!(
        out.starts_with(b"*ACK: "),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    assert!(out.ends_with(b" \n"));
    let lines: Vec<&[u8]> = out.split(|&b| b == b'\n').collect();
    assert_eq!(lines[1], b"*SSID: \x01HomeNet\x01 00:14:6C:A1:00:01 ");
    server.handle.join().unwrap();
}

/// `--demo` runs against the built-in simulator: the recorded SSIDs come out
/// named, the octal-escaped one decoded.
#[test]
fn demo_follow_json() {
    let o = run(&[
        "--demo",
        "-c",
        "enable SSID ssid,mac",
        "--follow",
        "--count",
        "6",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json_lines(&o);
    assert_eq!(v.len(), 7);
    let ssids: Vec<&str> = v[1..]
        .iter()
        .map(|f| f["fields"]["ssid"].as_str().unwrap())
        .collect();
    assert!(ssids.contains(&"Café ☕"), "{ssids:?}");
    assert!(ssids.contains(&"Coffee Shop Free WiFi"), "{ssids:?}");
}

/// A plain socket client (no project code) talks to `kismet-shell sim`
/// byte for byte; Ctrl-C (SIGINT) sends TERMINATE and exits 0.
#[test]
fn plain_socket_against_sim_binary() {
    use std::io::{BufRead, BufReader, Read};
    let mut child = Command::new(BIN)
        .args(["sim", "--listen", "127.0.0.1:0", "--tick-ms", "100"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    let addr = first
        .strip_prefix("kismet-shell sim: listening on ")
        .and_then(|r| r.split(' ').next())
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(crate::common::WAIT)).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).unwrap();
    assert!(line.starts_with(b"*KISMET: 0.0.0 "), "{line:?}");
    assert!(line.ends_with(b" 0 \n"), "{line:?}");
    line.clear();
    r.read_until(b'\n', &mut line).unwrap();
    assert!(line.starts_with(b"*PROTOCOLS: KISMET,ERROR,ACK,PROTOCOLS,CAPABILITY,TERMINATE,TIME,"));
    s.write_all(b"!1 ENABLE SSID ssid,mac\n").unwrap();
    let mut ssid_lines = 0;
    loop {
        line.clear();
        r.read_until(b'\n', &mut line).unwrap();
        if line == b"*ACK: 1 \x01OK\x01 \n" {
            break;
        }
        if line.starts_with(b"*SSID: ") {
            // \x01ssid\x01 then a MAC then one space.
            assert_eq!(line[7], 1, "{line:?}");
            let close = line[8..].iter().position(|&b| b == 1).unwrap() + 8;
            let rest = &line[close + 1..];
            assert_eq!(rest.len(), 1 + 17 + 2, "{line:?}");
            assert!(rest.starts_with(b" ") && rest.ends_with(b" \n"), "{line:?}");
            ssid_lines += 1;
        }
    }
    assert!(ssid_lines >= 6, "{ssid_lines}");
    // Ctrl-C: the server says TERMINATE and stops.
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let mut rest = Vec::new();
    let _ = r.read_to_end(&mut rest);
    assert!(
        rest.ends_with(b"*TERMINATE: Kismet server terminating.\n"),
        "{:?}",
        String::from_utf8_lossy(&rest[rest.len().saturating_sub(200)..])
    );
    let deadline = Instant::now() + crate::common::WAIT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "sim did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Frames are counted by the client as they arrive, so `status` in batch
/// mode sees the burst that came before the ENABLE's ACK.
#[test]
fn status_counts_frames_in_batch_mode() {
    // Streamed frames come every 2 s: none within this short run.
    let server = responder(1, Duration::from_secs(2));
    let o = run(&[
        &server.addr(),
        "-c",
        "enable SSID ssid,mac",
        "-c",
        "status",
        "-c",
        "protocols",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json_lines(&o);
    assert_eq!(v[1]["type"], "status");
    let ssid = v[1]["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["protocol"] == "SSID")
        .unwrap_or_else(|| panic!("{}", v[1]));
    assert_eq!(ssid["frames"], 1);
    let row = v[2]["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["protocol"] == "SSID")
        .unwrap();
    assert_eq!(row["frames"], 1);
    assert_eq!(row["enabled"], serde_json::json!(["ssid", "mac"]));
    server.handle.join().unwrap();
}
