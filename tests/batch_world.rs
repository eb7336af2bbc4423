//! Batch mode showing the simulator's world: `filter` by field value or
//! regular expression, `only ... new`, a filter's errors, values decoded
//! in text (or not) and kept raw in JSON, and the `networks` and `clients`
//! tables against the simulator's own view. The helpers are in `batch`.

use crate::batch::{fast_sim, json_lines, run, stderr, stdout};

/// `filter BSSID bssid = X` lets only that network's frames through, and
/// `status` counts the others as filtered out.
#[test]
fn filter_by_bssid_shows_only_that_network() {
    let sim = fast_sim();
    let addr = sim.local_addr().to_string();
    let o = run(&[
        &addr,
        "-c",
        "enable BSSID bssid,channel",
        "-c",
        "filter BSSID bssid = 00:14:6C:A1:00:01",
        "--follow",
        "--count",
        "8",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let frames: Vec<serde_json::Value> = json_lines(&o)
        .into_iter()
        .filter(|v| v["type"] == "frame")
        .collect();
    assert_eq!(frames.len(), 8);
    for f in &frames {
        assert_eq!(f["fields"]["bssid"], "00:14:6C:A1:00:01", "{f}");
    }
    let o = run(&[
        &addr,
        "-c",
        "enable BSSID bssid,channel",
        "-c",
        "filter BSSID channel = 6",
        "--follow",
        "--timeout",
        "1",
        "--format",
        "json",
    ]);
    let chans: Vec<String> = json_lines(&o)
        .iter()
        .filter(|v| v["type"] == "frame")
        .map(|v| v["fields"]["channel"].as_u64().unwrap().to_string())
        .collect();
    assert!(
        !chans.is_empty() && chans.iter().all(|c| c == "6"),
        "{chans:?}"
    );
    sim.shutdown();
}

/// A regular expression on `ssid` matches the decoded UTF-8 SSID (sent
/// octal-escaped on the wire), and frames are named and decoded as usual.
#[test]
fn filter_regex_matches_the_utf8_ssid() {
    let sim = fast_sim();
    let o = run(&[
        &sim.local_addr().to_string(),
        "-c",
        "enable SSID ssid,mac",
        "-c",
        r#"filter SSID ssid ~ "^Caf""#,
        "--follow",
        "--count",
        "3",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let frames: Vec<serde_json::Value> = json_lines(&o)
        .into_iter()
        .filter(|v| v["type"] == "frame")
        .collect();
    assert_eq!(frames.len(), 3);
    for f in &frames {
        assert_eq!(f["fields"]["ssid"], "Café ☕", "{f}");
    }
    sim.shutdown();
}

/// `only SSID new` prints each SSID (each device) once, though the server
/// repeats them ten times a second.
#[test]
fn only_new_prints_each_ssid_once() {
    let sim = fast_sim();
    let o = run(&[
        &sim.local_addr().to_string(),
        "-c",
        "enable SSID ssid,mac",
        "-c",
        "only SSID new",
        "--follow",
        "--timeout",
        "3",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let keys: Vec<String> = json_lines(&o)
        .iter()
        .filter(|v| v["type"] == "frame")
        .map(|v| v["fields"]["mac"].as_str().unwrap().to_string())
        .collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert!(keys.len() >= 6, "{keys:?}");
    assert_eq!(keys.len(), unique.len(), "a device shown twice: {keys:?}");
    sim.shutdown();
}

/// A filter naming a field that is not enabled is refused with the error
/// pointing at it; nothing is filtered.
#[test]
fn bad_filter_points_at_the_field() {
    let o = run(&[
        "--demo",
        "-c",
        "enable SSID ssid,mac",
        "-c",
        "filter SSID sssid = x",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("unknown field \"sssid\""), "{err}");
    assert!(err.contains("ssid = x\n") && err.contains("^^^^^"), "{err}");
}

/// Scrolling text decodes what the server encodes (cipher sets, type
/// codes, times); `--raw-values` and `set decode off` show the wire values;
/// JSON keeps the wire values either way.
#[test]
fn text_frames_decode_values_unless_asked_not_to() {
    let sim = fast_sim();
    let addr = sim.local_addr().to_string();
    let args = |extra: &[&'static str]| {
        let mut v = vec![
            addr.clone(),
            "-c".into(),
            "enable SSID mac,type,cryptset".into(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v.extend(["--follow", "--count", "6"].map(String::from));
        v
    };
    fn as_refs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let o = run(&as_refs(&args(&[])));
    let out = stdout(&o);
    assert!(
        out.contains("mac=00:14:6C:A1:00:01 type=beacon cryptset=\"WPA2 CCMP PSK\""),
        "{out}"
    );
    for extra in [&["--raw-values"][..], &["-c", "set decode off"][..]] {
        let out = stdout(&run(&as_refs(&args(extra))));
        assert!(
            out.contains("mac=00:14:6C:A1:00:01 type=0 cryptset=2097858"),
            "{extra:?}: {out}"
        );
    }
    let mut json = args(&[]);
    json.extend(["--format", "json"].map(String::from));
    let v = json_lines(&run(&as_refs(&json)));
    let home = v
        .iter()
        .find(|f| f["fields"]["mac"] == "00:14:6C:A1:00:01")
        .unwrap();
    assert_eq!(home["fields"]["cryptset"], 2097858);
    assert_eq!(home["decoded"]["cryptset"], "WPA2 CCMP PSK");
    sim.shutdown();
}

/// `networks` and `clients NET` agree with the simulator's world: every
/// access point with its channel and decoded encryption, the hidden one
/// shown as hidden, and each network's clients. (A long tick: the world
/// does not change while it is compared.)
#[test]
fn networks_and_clients_agree_with_the_simulator() {
    use kismet_protocol::decode::Encryption;
    let sim = crate::common::still_sim();
    let addr = sim.local_addr().to_string();
    let truth = sim.networks();
    let aps: Vec<_> = truth.iter().filter(|n| n.network_type == 0).collect();
    assert_eq!(aps.len(), 6);
    let o = run(&[&addr, "-c", "networks --type ap", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json_lines(&o);
    assert_eq!(rows.len(), aps.len(), "{}", stdout(&o));
    for ap in &aps {
        let row = rows
            .iter()
            .find(|r| r["bssid"] == ap.bssid.as_str())
            .unwrap_or_else(|| panic!("{} missing: {}", ap.bssid, stdout(&o)));
        assert_eq!(row["type"], "network");
        assert_eq!(row["network_type"], "ap");
        assert_eq!(row["channel"], u64::from(ap.channel), "{row}");
        let enc = Encryption::from_cryptset(ap.cryptset);
        assert_eq!(row["encryption"], enc.enc, "{row}");
        let none_is_null = |s: &str| (!s.is_empty()).then(|| s.to_string());
        assert_eq!(
            row["cipher"].as_str().map(String::from),
            none_is_null(enc.cipher),
            "{row}"
        );
        assert_eq!(
            row["auth"].as_str().map(String::from),
            none_is_null(enc.auth),
            "{row}"
        );
        if ap.cloaked {
            assert_eq!(row["cloaked"], true);
            assert!(row["ssid"].is_null(), "{row}");
        } else {
            assert_eq!(row["ssid"], ap.ssid.as_str(), "{row}");
        }
        let expected: Vec<String> = sim
            .clients()
            .into_iter()
            .filter(|c| c.bssid == ap.bssid && c.mac != c.bssid)
            .map(|c| c.mac)
            .collect();
        assert_eq!(row["clients"], expected.len(), "{row}");
        let o = run(&[
            &addr,
            "-c",
            &format!("clients {}", ap.bssid),
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let mut macs: Vec<String> = json_lines(&o)
            .iter()
            .map(|c| c["mac"].as_str().unwrap().to_string())
            .collect();
        macs.sort();
        let mut expected = expected;
        expected.sort();
        assert_eq!(macs, expected, "clients of {}", ap.bssid);
    }
    // The table says <hidden> for the hidden network.
    let o = run(&[&addr, "-c", "networks"]);
    assert!(stdout(&o).contains("<hidden>"), "{}", stdout(&o));
    // An SSID names its network too.
    let o = run(&[&addr, "-c", "clients HomeNet", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("mac,bssid,ssid,client_type,"),
        "{}",
        stdout(&o)
    );
    sim.shutdown();
}

/// A server whose name has a byte that is not UTF-8 (`\x9b`) and whose one
/// network's SSID and manufacturer carry terminal escapes: it answers each
/// ENABLE with one record of the fields asked for, then the ACK.
fn escaping_server() -> crate::common::Scripted {
    use std::io::Write;
    crate::common::Scripted::start_many(2, |_, mut s| {
        let caps = crate::common::capability_lines();
        let names: Vec<&str> = caps.iter().map(|(p, _)| p.as_str()).collect();
        s.write_all(b"*KISMET: 0.0.0 1795678119 \x01Kis\x9bmet\x01 \x01\x01 0 \n")
            .unwrap();
        write!(s, "*PROTOCOLS: {}\n", names.join(",")).unwrap();
        let mut r = std::io::BufReader::new(s.try_clone().unwrap());
        loop {
            let line = crate::common::read_line_or_end(&mut r);
            let Some(line) = line else { return };
            let words: Vec<&str> = line.trim_end().split(' ').collect();
            let id = words[0].trim_start_matches('!');
            let cap = |p: &str| caps.iter().find(|(c, _)| c == p).map(|(_, l)| l.clone());
            match (words.get(1), words.get(2)) {
                (Some(&"CAPABILITY"), Some(p)) => {
                    write!(s, "{}\n*ACK: {id} \x01OK\x01 \n", cap(p).unwrap()).unwrap();
                }
                (Some(&"ENABLE"), Some(p)) => {
                    let list = match words.get(3) {
                        Some(&"*") => cap(p).unwrap().rsplit(' ').next().unwrap().to_string(),
                        Some(l) => l.to_string(),
                        None => String::new(),
                    };
                    let mut rec = format!("*{p}: ");
                    for f in list.split(',').filter(|f| !f.is_empty()) {
                        rec.push_str(match f {
                            "bssid" | "mac" => "00:14:6C:A1:00:01",
                            "ssid" => "\x01Evil\x1b]0;x\x07\x01",
                            "manuf" => "\x01Intel\x1b[2J\x01",
                            "type" | "cryptset" => "0",
                            _ => "1",
                        });
                        rec.push(' ');
                    }
                    if matches!(*p, "BSSID" | "SSID" | "CLIENT") {
                        write!(s, "{rec}\n").unwrap();
                    }
                    write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
                }
                _ => write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap(),
            }
        }
    })
}

/// JSON rows carry the server's text as it is (an ESC is an ESC, written
/// `\u001b`, so a script tells it from the text `\x1b`), while the table
/// and `status` on a terminal show it escaped; the server's name shows its
/// byte that is not UTF-8 as `\x9b` in `status`, as frames do, and as
/// U+FFFD in JSON.
#[test]
fn json_rows_keep_the_text_tables_show_it_escaped() {
    let server = escaping_server();
    let json = run(&[
        &server.addr(),
        "-c",
        "networks",
        "-c",
        "status",
        "--format",
        "json",
    ]);
    assert!(json.status.success(), "{}", stderr(&json));
    assert!(!json.stdout.contains(&0x1b), "no raw ESC in the output");
    let rows = json_lines(&json);
    let net = rows.iter().find(|r| r["type"] == "network").unwrap();
    assert_eq!(net["ssid"], "Evil\u{1b}]0;x\u{7}");
    assert_eq!(net["manuf"], "Intel\u{1b}[2J");
    let status = rows.iter().find(|r| r["type"] == "status").unwrap();
    assert_eq!(status["server"], "Kis\u{fffd}met");
    let text = run(&[&server.addr(), "-c", "networks", "-c", "status"]);
    let out = stdout(&text);
    assert!(!text.stdout.contains(&0x1b), "no raw ESC in the output");
    assert!(out.contains("Evil\\x1b]0;x\\x07"), "{out}");
    assert!(out.contains("Kis\\x9bmet"), "{out}");
    server.handle.join().unwrap();
}
