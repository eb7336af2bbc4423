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
