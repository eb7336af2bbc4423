//! The simulator and the replay server with a client that is not ours:
//! `tests/legacy_client.py`, a small Python 3 client written from the
//! protocol notes, doing on connect what the old Python library does
//! (CAPABILITY of every protocol, then ENABLE). Needs `python3`: these tests
//! fail, not pass, without it. Every wait is bounded; servers listen on
//! 127.0.0.1:0.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use kismet_sim::{Replay, ReplayConfig, Timeline};
use serde_json::Value;

/// Longest the Python client may run.
const LIMIT: Duration = Duration::from_secs(40);

/// Runs the Python client against `addr` with `args`; its JSON lines.
fn python_client(addr: &str, args: &[&str]) -> Vec<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/legacy_client.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .arg(addr)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("these tests need python3 on the PATH: {e}"));
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the Python client did not finish in {LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    assert!(status.success(), "python client failed: {err}\n{out}");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The frames of one protocol, as field maps.
fn frames<'a>(lines: &'a [Value], proto: &str) -> Vec<&'a serde_json::Map<String, Value>> {
    lines
        .iter()
        .filter(|l| l["protocol"] == proto && l.get("fields").is_some())
        .map(|l| l["fields"].as_object().unwrap())
        .collect()
}

fn text<'a>(f: &'a serde_json::Map<String, Value>, name: &str) -> &'a str {
    f[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {f:?}"))
}

/// On ENABLE, the Python client gets the simulator's bursts: every network
/// with its type, channel, cipher set and manufacturer; the beaconed SSIDs
/// only (hidden as empty, UTF-8 through the octal escapes); every client
/// record; and the server's error for a field that does not exist.
#[test]
fn python_client_reads_the_simulators_bursts() {
    let sim = crate::common::still_sim();
    let lines = python_client(
        &sim.local_addr().to_string(),
        &[
            "BSSID",
            "bssid,type,channel,datacryptset,manuf",
            "SSID",
            "mac,type,ssid,cryptset,cloaked",
            "CLIENT",
            "bssid,mac,type,dhcphost",
            "GPS",
            "lat,nosuch",
        ],
    );
    let networks = sim.networks();
    let bssids = frames(&lines, "BSSID");
    assert_eq!(bssids.len(), networks.len(), "one BSSID record per network");
    for n in &networks {
        let f = bssids
            .iter()
            .find(|f| text(f, "bssid") == n.bssid)
            .unwrap_or_else(|| panic!("{} missing from the BSSID burst", n.bssid));
        assert_eq!(text(f, "type"), n.network_type.to_string());
        assert_eq!(text(f, "channel"), n.channel.to_string());
        assert_eq!(text(f, "datacryptset"), n.cryptset.to_string());
        assert_eq!(text(f, "manuf"), n.manufacturer);
    }
    let aps: Vec<_> = networks.iter().filter(|n| n.network_type == 0).collect();
    let ssids = frames(&lines, "SSID");
    assert_eq!(ssids.len(), aps.len(), "beacons only: {ssids:?}");
    for ap in aps {
        let f = ssids
            .iter()
            .find(|f| text(f, "mac") == ap.bssid)
            .unwrap_or_else(|| panic!("{} missing from the SSID burst", ap.bssid));
        assert_eq!(text(f, "type"), "0");
        assert_eq!(text(f, "ssid"), ap.ssid);
        assert_eq!(text(f, "cryptset"), ap.cryptset.to_string());
        assert_eq!(text(f, "cloaked"), if ap.cloaked { "1" } else { "0" });
    }
    assert!(
        ssids.iter().any(|f| text(f, "ssid").contains('☕')),
        "the UTF-8 SSID comes through its octal escapes"
    );
    let got: BTreeSet<(String, String, String)> = frames(&lines, "CLIENT")
        .iter()
        .map(|f| {
            assert_eq!(text(f, "dhcphost"), "", "never an invented value");
            (
                text(f, "bssid").to_string(),
                text(f, "mac").to_string(),
                text(f, "type").to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String)> = sim
        .clients()
        .into_iter()
        .map(|c| (c.bssid, c.mac, c.client_type.to_string()))
        .collect();
    assert_eq!(got, want);
    let errors: Vec<&Value> = lines.iter().filter(|l| l.get("error").is_some()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["protocol"], "GPS");
    assert_eq!(errors[0]["text"], "Unknown field nosuch");
    sim.shutdown();
}

/// The replay server serves the Python client a recording: the greeting,
/// CAPABILITY from the recorded lines, then the recorded frames, projected
/// onto the fields it asks for in its order, quoting as recorded. The
/// frames are recorded 2 s in, so they come after the client's ENABLEs
/// (a slow client would get a burst instead) and the test takes about 2 s.
#[test]
fn python_client_reads_a_replay() {
    let path = std::env::temp_dir().join(format!(
        "kismet-shell-legacy-client-{}.kismet",
        std::process::id()
    ));
    let recording = "# kismet-shell recording 1\n\
        = 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:45.000Z\n\
        < 0.001 *KISMET: 0.0.0 1795678119 \\x01Hand\\x01 \\x01\\x01 0 \n\
        < 0.001 *PROTOCOLS: KISMET,ERROR,ACK,PROTOCOLS,CAPABILITY,TERMINATE,TIME,SSID,CLIENT\n\
        < 0.002 *CAPABILITY: SSID mac,type,ssid,cryptset\n\
        < 0.002 *CAPABILITY: CLIENT bssid,mac,dot11d,signal_dbm\n\
        > 0.010 !3 ENABLE SSID mac,type,ssid,cryptset\n\
        < 0.011 *ACK: 3 \\x01OK\\x01 \n\
        > 0.012 !4 ENABLE CLIENT bssid,mac,dot11d,signal_dbm\n\
        < 0.013 *ACK: 4 \\x01OK\\x01 \n\
        < 2.000 *SSID: 00:24:01:D4:00:04 0 \\x01Caf\\\\303\\\\251 \\\\342\\\\230\\\\225\\x01 3 \n\
        < 2.050 *CLIENT: 00:24:01:D4:00:04 00:1B:77:10:00:01  -61 \n\
        < 2.100 *SSID: 00:14:6C:A1:00:01 0 \\x01HomeNet\\x01 2097858 \n\
        < 2.150 *CLIENT: 00:24:01:D4:00:04 00:1B:77:10:00:01  -58 \n";
    std::fs::write(&path, recording).unwrap();
    let timeline = Arc::new(Timeline::load(&path).expect("timeline"));
    let _ = std::fs::remove_file(&path);
    let replay = Replay::start("127.0.0.1:0", timeline, ReplayConfig::default()).unwrap();
    let lines = python_client(
        &replay.local_addr().to_string(),
        &[
            "--more",
            "4",
            "SSID",
            "ssid,mac",
            "CLIENT",
            "signal_dbm,dot11d,mac",
        ],
    );
    let ssids: Vec<(&str, &str)> = frames(&lines, "SSID")
        .iter()
        .map(|f| (text(f, "ssid"), text(f, "mac")))
        .collect();
    assert_eq!(
        ssids,
        [
            ("Café ☕", "00:24:01:D4:00:04"),
            ("HomeNet", "00:14:6C:A1:00:01")
        ],
        "{lines:?}"
    );
    let clients: Vec<(&str, &str, &str)> = frames(&lines, "CLIENT")
        .iter()
        .map(|f| (text(f, "signal_dbm"), text(f, "dot11d"), text(f, "mac")))
        .collect();
    assert_eq!(
        clients,
        [
            ("-61", "", "00:1B:77:10:00:01"),
            ("-58", "", "00:1B:77:10:00:01")
        ],
        "the empty bare field keeps its place: {lines:?}"
    );
    replay.shutdown();
}
