//! Batch mode of the binary: stdout, stderr and exit status; commands from
//! `-c` and piped stdin, the output formats, reconnecting, timestamps and
//! `!SHUTDOWN`. The helpers that run the binary are shared with
//! `batch_world` (filters, decoded values, the networks and clients tables).

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{responder, Lines, Scripted};

const BIN: &str = env!("CARGO_BIN_EXE_kismet-shell");

/// Runs the binary with `args` and no stdin; its output once it exits.
pub(crate) fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run kismet-shell")
}

/// The child's stdout as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The child's stderr as text.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The child's stdout, one JSON value a line.
pub(crate) fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The JSON objects of a run's output whose `type` is `kind`.
pub(crate) fn objects_of(o: &Output, kind: &str) -> Vec<serde_json::Value> {
    json_lines(o)
        .into_iter()
        .filter(|v| v["type"] == kind)
        .collect()
}

/// A simulator ticking every 100 ms (frames repeat fast), on 127.0.0.1:0.
pub(crate) fn fast_sim() -> kismet_sim::Sim {
    crate::common::sim_ticking(Duration::from_millis(100))
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

/// A command the server refuses exits 1 with the server's text, printed
/// once, on stderr (not also on stdout).
#[test]
fn server_error_exits_1() {
    let server = responder(1, Duration::from_millis(50));
    let o = run(&[&server.addr(), "-c", "!NOSUCHCMD", "-c", "protocols"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "kismet-shell: NOSUCHCMD: NO SUCH COMMAND\n",
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("NO SUCH COMMAND"), "{}", stdout(&o));
    // Processing stopped: no protocols table.
    assert!(!stdout(&o).contains("GPS"));
    server.handle.join().unwrap();
}

/// `--keep-going` runs the commands after a failed one; the exit status
/// still says one failed.
#[test]
fn keep_going_runs_the_rest_and_exits_1() {
    let server = responder(1, Duration::from_millis(50));
    let o = run(&[
        &server.addr(),
        "--keep-going",
        "-c",
        "!NOSUCHCMD",
        "-c",
        "enable BOGUS x",
        "-c",
        "fields GPS",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(
        err.contains("NO SUCH COMMAND") && err.contains("\"BOGUS\""),
        "{err}"
    );
    assert!(stdout(&o).contains("GPS: 10 fields"), "{}", stdout(&o));
    server.handle.join().unwrap();
}

/// An address nobody listens on exits 2, saying it could not connect.
#[test]
fn unreachable_exits_2() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let o = run(&[&format!("127.0.0.1:{port}"), "-c", "protocols"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("kismet-shell: connecting to 127.0.0.1:"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("refused"), "{}", stderr(&o));
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
    // Nothing but the ENABLE's acknowledgement, which goes to stderr.
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).starts_with("kismet-shell: ok ("));
    server.handle.join().unwrap();
}

/// `--format raw` writes the server's lines byte for byte, in wire order.
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
    assert!(out.ends_with(b" \n"));
    // Wire order: the burst the server sent before its ACK comes first.
    let lines: Vec<&[u8]> = out.split(|&b| b == b'\n').collect();
    assert_eq!(lines[0], b"*SSID: \x01HomeNet\x01 00:14:6C:A1:00:01 ");
    assert!(
        lines[1].starts_with(b"*ACK: "),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    server.handle.join().unwrap();
}

/// `--demo` runs against the built-in simulator (`--no-gps`: every
/// network in range from the start): the recorded SSIDs come out named,
/// the octal-escaped one decoded.
#[test]
fn demo_follow_json() {
    let o = run(&[
        "--demo",
        "--no-gps",
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

/// A plain socket client (no project code) talks to `kismet-shell sim
/// --no-gps` (every access point in the first burst) byte for byte;
/// Ctrl-C (SIGINT) sends TERMINATE and exits 0.
#[test]
fn plain_socket_against_sim_binary() {
    use std::io::{BufRead, BufReader, Read};
    let mut child = Command::new(BIN)
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--tick-ms",
            "100",
            "--no-gps",
        ])
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

/// `!CAPABILITY GPS` shows the `*CAPABILITY` line it provoked with its
/// answer: as a list in text (on stdout: it is the result; the ACK goes to
/// stderr), a `capability` object in JSON, and in wire order (before the
/// ACK) in raw.
#[test]
fn capability_answer_is_shown_with_the_ack() {
    let fields = "lat,lon,alt,spd,heading,fix,satinfo,hdop,vdop,connected";
    let o = run(&["--demo", "-c", "!CAPABILITY GPS"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out, format!("CAPABILITY GPS: {fields}\n"));
    assert!(
        stderr(&o).starts_with("kismet-shell: ok ("),
        "{}",
        stderr(&o)
    );

    let o = run(&["--demo", "-c", "!CAPABILITY GPS", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json_lines(&o);
    assert_eq!(v.len(), 2, "{}", stdout(&o));
    assert_eq!(v[0]["type"], "capability");
    assert_eq!(v[0]["protocol"], "GPS");
    assert_eq!(v[0]["fields"].as_array().unwrap().len(), 10);
    assert_eq!(v[1]["type"], "ack");
    assert_eq!(v[1]["command"], "CAPABILITY GPS");

    let o = run(&["--demo", "-c", "!CAPABILITY GPS", "--format", "raw"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("*CAPABILITY: GPS {fields}"));
    assert!(lines[1].starts_with("*ACK: "), "{out}");
}

/// Before the first TIME line the server's clock is unknown: `status` says
/// so, and JSON has `null`, not 1970.
#[test]
fn status_before_any_time_shows_the_clock_unknown() {
    // The scripted responder never sends TIME.
    let server = responder(1, Duration::from_millis(50));
    let o = run(&[
        &server.addr(),
        "-c",
        "status",
        "-c",
        "status",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json_lines(&o);
    assert_eq!(v[0]["type"], "status");
    assert!(v[0]["server_time"].is_null(), "{}", v[0]);
    server.handle.join().unwrap();
    let server = responder(1, Duration::from_millis(50));
    let o = run(&[&server.addr(), "-c", "status"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("its time unknown"), "{out}");
    assert!(!out.contains("1970"), "{out}");
    server.handle.join().unwrap();
}

/// `--follow --reconnect` across a server stopped and started again on the
/// same port: the gap shows in the stream itself, as `disconnected`,
/// `reconnecting` and `reconnected` objects in JSON, bracketed notices in
/// text, and frames follow again after it.
#[test]
fn reconnect_gap_shows_in_json_and_text_streams() {
    use kismet_sim::{Sim, SimConfig};
    let config = SimConfig {
        tick: Duration::from_millis(100),
        ..SimConfig::default()
    };
    let mut sim = Sim::start("127.0.0.1:0", config.clone()).unwrap();
    let addr = sim.local_addr().to_string();
    for format in ["json", "text"] {
        let mut child = Command::new(BIN)
            .args([&addr, "-c", "enable TIME *", "--follow", "--reconnect"])
            .args(["--format", format, "--timeout", "30"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Lines::of(child.stdout.take().unwrap());
        let is_frame = |l: &str| {
            if format == "json" {
                l.contains(r#""type":"frame""#)
            } else {
                l.starts_with("TIME ")
            }
        };
        lines.until("a first frame", is_frame);
        sim.shutdown();
        sim = Sim::start(&addr, config.clone()).unwrap();
        let gap = lines.until("reconnected", |l| {
            l.contains(r#""type":"reconnected""#) || l.starts_with("[reconnected to ")
        });
        lines.until("a frame after the gap", is_frame);
        let _ = child.kill();
        let _ = child.wait();
        if format == "json" {
            let kinds: Vec<String> = gap
                .iter()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
                .map(|v| v["type"].as_str().unwrap().to_string())
                .filter(|t| t != "frame")
                .collect();
            assert_eq!(kinds[0], "disconnected", "{gap:?}");
            assert_eq!(kinds[1], "reconnecting", "{gap:?}");
            assert_eq!(kinds.last().unwrap(), "reconnected", "{gap:?}");
            let d: serde_json::Value =
                serde_json::from_str(gap.iter().find(|l| l.contains("disconnected")).unwrap())
                    .unwrap();
            assert_eq!(d["terminated"], true);
            assert_eq!(d["reason"], "server terminated: Kismet server terminating.");
        } else {
            let notices: Vec<&String> = gap.iter().filter(|l| l.starts_with('[')).collect();
            assert!(
                notices[0].starts_with("[disconnected: server terminated"),
                "{gap:?}"
            );
            assert!(notices[1].starts_with("[reconnecting in "), "{gap:?}");
            assert_eq!(
                notices.last().unwrap().as_str(),
                format!("[reconnected to {addr}]")
            );
        }
    }
    sim.shutdown();
}

/// JSON frames carry their receive time as `"time"` (RFC 3339, UTC, ms)
/// when asked (`--timestamps`, or `set timestamps on`); text lines start
/// with it; without, neither does.
#[test]
fn timestamps_on_frames_when_asked() {
    let rfc3339_ms = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$").unwrap();
    for args in [
        &["--timestamps", "-c", "enable TIME *"][..],
        &["-c", "set timestamps on", "-c", "enable TIME *"][..],
    ] {
        let mut all = vec!["--demo"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--follow", "--count", "2", "--format", "json"]);
        let o = run(&all);
        assert!(o.status.success(), "{}", stderr(&o));
        let frames: Vec<serde_json::Value> = json_lines(&o)
            .into_iter()
            .filter(|v| v["type"] == "frame")
            .collect();
        assert_eq!(frames.len(), 2, "{}", stdout(&o));
        for f in &frames {
            let t = f["time"].as_str().unwrap_or_default();
            assert!(rfc3339_ms.is_match(t), "{f}");
        }
    }
    // (--raw-values: the server's epoch seconds, not the decoded time.)
    let o = run(&[
        "--demo",
        "--timestamps",
        "--raw-values",
        "-c",
        "enable TIME *",
        "--follow",
        "--count",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let clock = regex::Regex::new(r"^\d\d:\d\d:\d\d\.\d{3} TIME timesec=\d+$").unwrap();
    let lines: Vec<&str> = o
        .stdout
        .split(|&b| b == b'\n')
        .filter_map(|l| std::str::from_utf8(l).ok())
        .filter(|l| l.contains("TIME"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", stdout(&o));
    for l in lines {
        assert!(clock.is_match(l), "{l}");
    }
    let o = run(&[
        "--demo",
        "-c",
        "enable TIME *",
        "--follow",
        "--count",
        "1",
        "--format",
        "json",
    ]);
    let v = json_lines(&o);
    assert!(v.iter().all(|f| f.get("time").is_none()), "{}", stdout(&o));
}

/// `--format csv`: each table with a header row (quoting where needed), and
/// frames as rows after a header row naming their fields.
#[test]
fn csv_tables_and_frames_have_header_rows() {
    // No GPS: the six access points' SSIDs come in the first burst.
    let o = run(&[
        "--demo",
        "--no-gps",
        "-c",
        "protocols",
        "-c",
        "enable SSID ssid,mac",
        "--follow",
        "--count",
        "6",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "protocol,fields,enabled,frames");
    assert!(
        lines[1..30].iter().all(|l| l.split(',').count() == 4),
        "{out}"
    );
    // The ENABLE's acknowledgement is not a row of the CSV: it goes to
    // stderr.
    assert_eq!(lines[30], "protocol,ssid,mac");
    assert!(
        stderr(&o).starts_with("kismet-shell: ok ("),
        "{}",
        stderr(&o)
    );
    let rows = &lines[31..];
    assert_eq!(rows.len(), 6, "{out}");
    assert!(rows.contains(&"SSID,Café ☕,00:24:01:D4:00:04"), "{out}");
    assert!(
        rows.contains(&"SSID,Coffee Shop Free WiFi,00:18:E7:B2:00:02"),
        "{out}"
    );
}
/// `!SHUTDOWN` in batch mode: the server answers with no ACK but a
/// TERMINATE, which ends the command (exit status 0); the STATUS lines the
/// server sends after it are still shown, until it closes.
#[test]
fn shutdown_is_answered_by_terminate_and_trailing_status_is_shown() {
    for format in ["text", "json"] {
        // SHUTDOWN stops the server: one for each run.
        let sim = fast_sim();
        let addr = sim.local_addr().to_string();
        let o = run(&[
            &addr,
            "-c",
            "enable STATUS text,flags",
            "-c",
            "!SHUTDOWN",
            "--format",
            format,
        ]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        let out = stdout(&o);
        if format == "text" {
            // The answer acknowledges: on stderr; the frames on stdout.
            assert!(
                stderr(&o)
                    .contains("kismet-shell: server is shutting down: Kismet server terminating."),
                "{}",
                stderr(&o)
            );
            assert!(
                out.contains("STATUS text=\"Received SHUTDOWN command\" flags=16"),
                "{out}"
            );
            assert!(out.contains("Stopped source 'wlan0'"), "{out}");
        } else {
            let v = json_lines(&o);
            let t = v
                .iter()
                .position(|v| v["type"] == "terminate")
                .expect("terminate object");
            assert_eq!(v[t]["command"], "SHUTDOWN");
            assert_eq!(v[t]["text"], "Kismet server terminating.");
            assert!(v[t + 1..].iter().any(|f| f["type"] == "frame"
                && f["fields"]["text"] == "Stopped source 'wlan0'"
                && f["fields"]["flags"] == 2));
        }
        assert!(stderr(&o).contains("server terminated"), "{}", stderr(&o));
        assert!(sim.is_stopped());
    }
}

/// `watch` needs a terminal: in a script it fails at once, pointing at the
/// JSON output instead.
#[test]
fn watch_without_a_terminal_points_at_json() {
    let o = run(&["--demo", "-c", "watch networks"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("watch needs a terminal") && err.contains("--format json"),
        "{err}"
    );
}

/// Runs the binary with `args`, its stdout into /dev/full (every write
/// fails: no space left on device).
fn run_into_full_disk(args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .expect("run kismet-shell")
}

/// Output that cannot be written (a full disk) is an error said once, exit
/// 2, not a silent exit.
#[test]
fn output_onto_a_full_disk_exits_2_saying_why() {
    let o = run_into_full_disk(&["--demo", "-c", "protocols"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).trim_end(),
        "kismet-shell: writing the output: No space left on device"
    );
}

/// A completion script written onto a full disk is an error, not a panic.
#[test]
fn completions_onto_a_full_disk_exit_2_saying_why() {
    let o = run_into_full_disk(&["completions", "bash"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).trim_end(),
        "kismet-shell: writing the completion script: No space left on device"
    );
}

/// A recording that runs into a limit (here the process's file size
/// limit, 2 KiB, as a disk that fills) fails the run at its end with exit
/// 1, saying how many entries were not recorded; what was written reads
/// back as a recording.
#[test]
fn recording_cut_short_by_a_full_disk_exits_1_counting_the_loss() {
    let dir = crate::common::temp_dir("full-disk");
    let rec = dir.join("cut.rec");
    // SIGXFSZ ignored: a write past the limit fails with EFBIG instead.
    let script = format!(
        "trap '' XFSZ; ulimit -f 4; exec {BIN} --demo -q --record {} -c 'enable CLIENT *'",
        rec.display()
    );
    let o = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .output()
        .expect("run sh");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let prefix = format!(
        "kismet-shell: recording to {}: File too large",
        rec.display()
    );
    assert!(err.starts_with(&prefix), "{err}");
    let lost: u64 = err
        .trim_end()
        .strip_suffix(" entries not recorded")
        .and_then(|e| e.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count: {err}"));
    assert!(lost > 0, "{err}");
    let entries = kismet_record::read_recording(&rec).unwrap();
    assert!(!entries.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A mistyped address is refused with what is wrong with it (before: it
/// was taken for an IPv6 address and sent to the resolver), and a refused
/// connection says so without the OS's error number; both exit 2.
#[test]
fn mistyped_address_and_refused_connection_say_why_plainly() {
    let o = run(&["127.0.0.1:2501:99", "-c", "status"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim_end(),
        "kismet-shell: 127.0.0.1:2501:99: too many ':' for HOST:PORT, and not an \
         IPv6 address (give HOST, HOST:PORT, or [IPv6]:PORT)"
    );
    // A port nobody listens on any more.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let o = run(&[&format!("127.0.0.1:{port}"), "-c", "status"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("Connection refused") && !e.contains("os error"),
        "{e}"
    );
}

/// `filter PROTO off` says whether there was a filter to remove (before:
/// "no filter and no only set" either way); JSON carries the same.
#[test]
fn filter_off_says_whether_a_filter_was_removed() {
    let o = run(&[
        "--demo",
        "-c",
        "enable SSID ssid,mac",
        "-c",
        "filter SSID off",
        "-c",
        "filter SSID ssid = HomeNet",
        "-c",
        "filter SSID off",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.is_empty(), "{out}");
    let err = stderr(&o);
    let notes: Vec<&str> = err.lines().collect();
    assert_eq!(
        notes[1], "kismet-shell: no filter on SSID to remove",
        "{err}"
    );
    assert_eq!(
        notes.last(),
        Some(&"kismet-shell: filter on SSID removed"),
        "{err}"
    );
    let o = run(&["--demo", "--format", "json", "-c", "filter SSID off"]);
    assert_eq!(
        stdout(&o).trim_end(),
        r#"{"type":"note","text":"no filter on SSID to remove"}"#
    );
}

/// A recording of a run that ends normally ends with its disconnect entry
/// (before: written by the reader thread after the recording was closed,
/// so often missing).
#[test]
fn recording_of_a_normal_run_ends_with_the_disconnect() {
    let dir = crate::common::temp_dir("batch-record-end");
    let path = dir.join("run.kismet");
    let o = run(&[
        "--demo",
        "--record",
        path.to_str().unwrap(),
        "-c",
        "enable SSID ssid",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&path).unwrap();
    let last = text.lines().last().unwrap();
    let re = regex::Regex::new(r"^= [0-9]+\.[0-9]{3} disconnect closed by this client$").unwrap();
    assert!(re.is_match(last), "{last}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs one shell command on a session, as batch mode does.
fn shell_command(
    session: &kismet_shell::shell::session::Session,
    line: &str,
) -> kismet_shell::shell::outcome::Outcome {
    let parsed = kismet_shell::shell::commands::parse(line).unwrap();
    kismet_shell::shell::dispatch::execute(session, parsed).unwrap()
}

/// `status` adds up across connections: `connect` to a server starts the
/// display's shown and filtered counts over with the new client's frame
/// counts (before: they carried over while frames restarted at 0), and
/// `reconnect` goes on counting connections (before: `connection 1`).
#[test]
fn status_counts_follow_connect_and_reconnect() {
    use kismet_shell::shell::handlers::status_report;
    let (a, b) = (crate::common::still_sim(), crate::common::still_sim());
    let mut options = kismet_client::Options::default();
    options.connect_timeout = crate::common::WAIT;
    let client = kismet_client::Client::connect(&a.local_addr().to_string(), options).unwrap();
    let session = kismet_shell::shell::session::Session::new(client, crate::common::WAIT);
    shell_command(&session, "enable SSID ssid,mac");
    // The ENABLE's burst, through the display rules as the shell does.
    let deadline = Instant::now() + crate::common::WAIT;
    let mut passed = 0;
    while passed == 0 && Instant::now() < deadline {
        if let Ok(kismet_client::Event::Frames(fs)) = session
            .client()
            .events()
            .recv_timeout(Duration::from_millis(100))
        {
            for f in &fs {
                passed += u64::from(session.display().pass(f));
            }
        }
    }
    assert!(passed > 0, "no frame came");
    let shown = |s: &kismet_shell::shell::session::Session| -> u64 {
        status_report(s).shown.iter().map(|(_, n, ..)| n).sum()
    };
    assert_eq!(shown(&session), passed);
    shell_command(&session, &format!("connect {}", b.local_addr()));
    assert_eq!(shown(&session), 0, "shown counts start over");
    assert_eq!(status_report(&session).connections, 1);
    shell_command(&session, "reconnect");
    assert_eq!(status_report(&session).connections, 2);
    shell_command(&session, &format!("connect {}", a.local_addr()));
    assert_eq!(status_report(&session).connections, 1);
}

/// The status table: numbers right-aligned with thousands separators; no
/// table, but a sentence, before any frame.
#[test]
fn status_table_aligns_numbers_and_says_when_no_frames_came() {
    let o = run(&["--demo", "-c", "status"]);
    assert!(
        stdout(&o).contains("frames   none received yet"),
        "{}",
        stdout(&o)
    );
    assert_eq!(kismet_shell::shell::render::tables::grouped(0), "0");
    assert_eq!(kismet_shell::shell::render::tables::grouped(999), "999");
    assert_eq!(kismet_shell::shell::render::tables::grouped(1000), "1,000");
    assert_eq!(
        kismet_shell::shell::render::tables::grouped(12_345_678),
        "12,345,678"
    );
}

/// Batch stdout holds results only: acknowledgements and changed rules go
/// to stderr, or nowhere with `-q`; a CSV stream of frames is one table,
/// so `--follow` with two protocols is refused with the reason.
#[test]
fn batch_stdout_holds_results_only() {
    let cmds = ["-c", "enable SSID ssid", "-c", "filter SSID ssid = x"];
    let o = run(&[&["--demo"][..], &cmds].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(err.starts_with("kismet-shell: ok ("), "{err}");
    assert!(err.contains("kismet-shell: filter SSID ssid = x"), "{err}");
    let o = run(&[&["--demo", "-q"][..], &cmds].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!((stdout(&o), stderr(&o)), (String::new(), String::new()));
    let o = run(&[
        "--demo",
        "-q",
        "--format",
        "csv",
        "-c",
        "enable SSID ssid",
        "-c",
        "enable BSSID bssid",
        "--follow",
        "--count",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o).trim_end(),
        "kismet-shell: --format csv --follow writes one table, of one protocol; \
         enabled: BSSID, SSID (remove the others, or use --format json)"
    );
}

/// Filters compare what the screen shows: `cryptset ~ WEP` and `type =
/// beacon` match the decoded values (before: the raw numbers, so nothing);
/// a field that is not enabled is named as one to enable.
#[test]
fn filters_compare_decoded_values() {
    let follow = |filter: &str| {
        // The recorded world (no drive): every network heard at once.
        let o = run(&[
            "--demo",
            "--no-gps",
            "-q",
            "-c",
            "enable SSID mac,type,ssid,cryptset",
            "-c",
            &format!("filter SSID {filter}"),
            "--follow",
            "--count",
            "1",
            "--timeout",
            "10",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let wep = follow("cryptset ~ WEP");
    assert!(
        wep.starts_with("SSID ") && wep.contains(" cryptset=WEP"),
        "{wep}"
    );
    assert!(wep.contains("Café"), "{wep}");
    let beacon = follow("type = beacon and raw(cryptset) = 0");
    assert!(
        beacon.contains(" type=beacon ") && beacon.contains("cryptset=OPN"),
        "{beacon}"
    );
    let o = run(&[
        "--demo",
        "-c",
        "enable SSID ssid,mac",
        "-c",
        "filter SSID maxrate > 20",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "filter: field \"maxrate\" is not enabled; enable it first: enable SSID ssid,mac,maxrate"
        ),
        "{}",
        stderr(&o)
    );
}

/// `--format raw` with a command whose result is the shell's own (a
/// table): shown as text, and said so on stderr (before: silently).
#[test]
fn raw_format_says_a_shell_result_is_shown_as_text() {
    let o = run(&["--demo", "--format", "raw", "-c", "protocols"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("SSID"), "{}", stdout(&o));
    assert_eq!(
        stderr(&o).trim_end(),
        "kismet-shell: --format raw is for the server's lines: this result is shown as text"
    );
}

/// Ages keep counting while the server is silent or gone (the server's
/// clock advances locally from its last TIME), and a table shown while
/// disconnected says how old its data is.
#[test]
fn tables_shown_disconnected_say_how_old_their_data_is() {
    use kismet_shell::shell::outcome::Outcome;
    use kismet_shell::shell::render;
    // A simulator whose clock runs: TIME every second.
    let sim = kismet_sim::Sim::start("127.0.0.1:0", kismet_sim::SimConfig::default()).unwrap();
    let mut options = kismet_client::Options::default();
    options.connect_timeout = crate::common::WAIT;
    let client = kismet_client::Client::connect(&sim.local_addr().to_string(), options).unwrap();
    let session = kismet_shell::shell::session::Session::new(client, crate::common::WAIT);
    // The model sees the networks; the clock is the server's.
    let deadline = Instant::now() + crate::common::WAIT;
    loop {
        if let Outcome::Networks { rows, .. } = shell_command(&session, "networks") {
            if !rows.is_empty() && session.client().server_time().is_some() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "no networks");
        std::thread::sleep(Duration::from_millis(50));
    }
    let connected = render::outcome_text(&shell_command(&session, "networks"), None);
    assert!(!connected.contains("data as of"), "{connected}");
    let before = session.client().server_clock().unwrap();
    shell_command(&session, "disconnect");
    std::thread::sleep(Duration::from_millis(1100));
    assert!(
        session.client().server_clock().unwrap() > before,
        "the clock stood still"
    );
    let shown = render::outcome_text(&shell_command(&session, "networks"), None);
    let last = shown.lines().last().unwrap();
    let re = regex::Regex::new(r"^data as of \d\d:\d\d:\d\d, disconnected$").unwrap();
    assert!(re.is_match(last), "{shown}");
    let clients = render::outcome_text(&shell_command(&session, "clients"), None);
    assert!(clients.ends_with(", disconnected"), "{clients}");
}

/// `networks` in batch on a replay: with `--wait` the model collects the
/// recorded devices before the command runs (before: `0 networks`); a
/// recording made without the model's fields says what to record next
/// time (before: `Unknown field type`).
#[test]
fn networks_on_a_replay_waits_and_says_what_a_recording_lacks() {
    let dir = crate::common::temp_dir("batch-replay-networks");
    let record = |name: &str, track: bool| {
        let path = dir.join(name);
        let mut args = vec![
            "--demo",
            "--no-gps",
            "-q",
            "--record",
            path.to_str().unwrap(),
        ];
        if track {
            args.push("--track");
        }
        args.extend(["-c", "enable SSID ssid,mac", "--follow", "--timeout", "1"]);
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        path
    };
    let tracked = record("tracked.kismet", true);
    let o = run(&[
        "--replay",
        tracked.to_str().unwrap(),
        "--wait",
        "3",
        "-c",
        "networks",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let nets = json_lines(&o);
    assert!(nets.len() >= 6, "{}", stdout(&o));
    assert!(
        nets.iter().any(|n| n["ssid"] == "HomeNet"),
        "{}",
        stdout(&o)
    );
    let plain = record("plain.kismet", false);
    let o = run(&["--replay", plain.to_str().unwrap(), "-c", "networks"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("record with --track (or run networks during the recording)"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `clients` takes an SSID in any case when one matches, `<hidden>` as
/// `networks` shows a cloaked network, and suggests the near name for a
/// typo; an empty list is a sentence, not an empty table.
#[test]
fn clients_finds_networks_as_people_type_them() {
    let o = run(&["--demo", "--no-gps", "--wait", "1", "-c", "clients homenet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("HomeNet"), "{}", stdout(&o));
    let o = run(&[
        "--demo",
        "--no-gps",
        "--wait",
        "1",
        "-c",
        "clients <hidden>",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("00:1D:7E:C3:00:03") || out.trim() == "0 clients",
        "{out}"
    );
    assert!(
        !out.contains('┌') || out.contains("00:1D:7E:C3:00:03"),
        "{out}"
    );
    let o = run(&["--demo", "--no-gps", "--wait", "1", "-c", "clients HomeNe"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("did you mean \"HomeNet\"?"),
        "{}",
        stderr(&o)
    );
}
