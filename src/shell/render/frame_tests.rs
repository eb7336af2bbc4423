use super::*;

fn named(line: &[u8], names: &[&str]) -> Frame {
    let names: Arc<[String]> = names.iter().map(|s| s.to_string()).collect();
    Frame::parse(line).unwrap().with_names(Some(names))
}

/// With timestamps, text lines start with the receive time and JSON
/// objects carry it as `"time"` (both writers, the same bytes).
/// An ALERT's `sec` reads as local time, as the other times do
/// (before: a raw number); its `usec` stays a number.
#[test]
fn alert_seconds_decode_as_local_time() {
    assert_eq!(
        decoded_value("ALERT", "sec", b"1795678119"),
        Some(crate::shell::render::time::local_text(1_795_678_119))
    );
    assert_eq!(decoded_value("ALERT", "usec", b"12"), None);
    assert_eq!(decoded_value("SSID", "sec", b"12"), None);
}

#[test]
fn json_escapes_a_quote_byte_inside_a_bare_field() {
    // A \x01 that quotes nothing (inside a bare field): escaped, as the
    // plain writer does, so the JSON stays valid.
    let names: Arc<[String]> = vec!["a".to_string(), "b".to_string()].into();
    let f = Frame::parse(b"*X: a\x01b c ")
        .unwrap()
        .with_names(Some(names));
    let (mut fast, mut plain) = (Vec::new(), Vec::new());
    FrameJson::new().write(&mut fast, &f);
    frame_json(&mut plain, &f);
    assert_eq!(
        String::from_utf8_lossy(&fast),
        String::from_utf8_lossy(&plain)
    );
    let v: serde_json::Value = serde_json::from_slice(&fast).unwrap();
    assert_eq!(v["fields"]["a"], "a\u{1}b");
}

#[test]
fn timestamps_in_text_and_json() {
    let f = named(b"*TIME: 17", &["timesec"]).with_received(1_795_678_119_042);
    let mut j = Vec::new();
    FrameJson::with_timestamps(true).write(&mut j, &f);
    assert_eq!(
        String::from_utf8(j.clone()).unwrap(),
        r#"{"type":"frame","time":"2026-11-26T07:28:39.042Z","protocol":"TIME","fields":{"timesec":17}}"#
    );
    let unnamed = Frame::parse(b"*TIME: 17")
        .unwrap()
        .with_received(1_795_678_119_042);
    let mut k = Vec::new();
    FrameJson::with_timestamps(true).write(&mut k, &unnamed);
    assert_eq!(
        String::from_utf8(k).unwrap(),
        r#"{"type":"frame","time":"2026-11-26T07:28:39.042Z","protocol":"TIME","fields":{"f0":"17"}}"#
    );
    let mut s = String::new();
    TextLines::new(true).write(&mut s, &f);
    assert!(s.ends_with(":39.042 TIME timesec=17"), "{s}");
    s.clear();
    TextLines::new(false).write(&mut s, &f);
    assert_eq!(s, "TIME timesec=17");
}

/// With decoding on, cipher sets, type codes and times read as what
/// they mean; off, as the server sent them.
#[test]
fn decoded_lines() {
    let f = named(
        b"*SSID: 00:14:6C:A1:00:01 0 \x01HomeNet\x01 2097858 0 ",
        &["mac", "type", "ssid", "cryptset", "lasttime"],
    );
    let mut s = String::new();
    TextLines::with(false, true).write(&mut s, &f);
    assert_eq!(
        s,
        "SSID mac=00:14:6C:A1:00:01 type=beacon ssid=HomeNet cryptset=\"WPA2 CCMP PSK\" lasttime=0"
    );
    s.clear();
    TextLines::with(false, false).write(&mut s, &f);
    assert!(
        s.contains("type=0") && s.contains("cryptset=2097858"),
        "{s}"
    );
    assert_eq!(
        decoded_value("CLIENT", "type", b"4").as_deref(),
        Some("established")
    );
    assert_eq!(
        decoded_value("BSSID", "type", b"2").as_deref(),
        Some("probe")
    );
    assert_eq!(decoded_value("BSSID", "channel", b"6"), None);
    assert_eq!(decoded_value("SSID", "cryptset", b"junk"), None);
    assert!(decoded_value("BSSID", "lasttime", b"1795678119").is_some());
}

/// Both JSON writers, of a BSSID frame as `--raw-values` and as the
/// default, parsed back.
fn both_json(f: &Frame, decode: bool) -> serde_json::Value {
    let (mut fast, mut plain) = (Vec::new(), Vec::new());
    FrameJson::with(false, decode).write(&mut fast, f);
    frame_json_with(&mut plain, f, decode);
    assert_eq!(
        String::from_utf8_lossy(&fast),
        String::from_utf8_lossy(&plain)
    );
    serde_json::from_slice(&fast).unwrap()
}

/// The numeric fields of a protocol are JSON numbers when their value
/// reads as one (integers, decimals, negative ones), strings when it
/// does not; text fields stay strings even when they hold digits.
#[test]
fn json_numeric_fields_are_numbers_and_text_fields_strings() {
    let f = named(
        b"*BSSID: 00:14:6C:A1:00:01 0 \x01123\x01 -44 37.769100 6x 007 2412:92* ",
        &[
            "bssid",
            "type",
            "manuf",
            "signal_dbm",
            "minlat",
            "channel",
            "maxseenrate",
            "freqmhz",
        ],
    );
    for decode in [false, true] {
        let v = both_json(&f, decode);
        let fields = &v["fields"];
        assert_eq!(fields["bssid"], "00:14:6C:A1:00:01");
        assert_eq!(fields["type"], 0);
        assert_eq!(fields["manuf"], "123");
        assert_eq!(fields["signal_dbm"], -44);
        assert_eq!(fields["minlat"].as_f64(), Some(37.7691));
        assert_eq!(fields["channel"], "6x");
        assert_eq!(fields["maxseenrate"], "007");
        assert_eq!(fields["freqmhz"], "2412:92*");
    }
    let mut fast = Vec::new();
    FrameJson::new().write(&mut fast, &f);
    assert!(
        String::from_utf8_lossy(&fast).contains(r#""signal_dbm":-44,"minlat":37.769100,"#),
        "the number as sent: {}",
        String::from_utf8_lossy(&fast)
    );
}

/// JSON numbers are the integers and decimals JSON spells; anything
/// else a server could send stays a string.
#[test]
fn json_number_check_takes_json_integers_and_decimals_only() {
    for yes in [
        "0",
        "-0",
        "7",
        "-44",
        "1795678119",
        "37.769100",
        "-122.4",
        "0.5",
    ] {
        assert!(is_json_number(yes.as_bytes()), "{yes}");
    }
    for no in [
        "", "-", "007", "+1", "1.", ".5", "-.5", "1e3", "nan", "inf", "1.2.3", "--1", "6x", " 1",
        "0x10",
    ] {
        assert!(!is_json_number(no.as_bytes()), "{no}");
    }
}

/// With values decoded, a `decoded` object follows `fields`: type codes
/// and cipher sets by name, times as RFC 3339 UTC, a time of 0 (not
/// known) `null`; with `--raw-values`, none. A frame with no field to
/// decode has none either way.
#[test]
fn json_decoded_object_holds_names_and_rfc3339_times_or_null() {
    let f = named(
        b"*BSSID: 00:14:6C:A1:00:01 2 1795678119 0 2097858 ",
        &["bssid", "type", "firsttime", "lasttime", "datacryptset"],
    );
    let v = both_json(&f, true);
    assert_eq!(
        v["decoded"],
        serde_json::json!({
            "type": "probe",
            "firsttime": "2026-11-26T07:28:39Z",
            "lasttime": null,
            "datacryptset": "WPA2 CCMP PSK",
        })
    );
    assert_eq!(v["fields"]["firsttime"], 1_795_678_119);
    assert_eq!(v["fields"]["lasttime"], 0);
    assert!(both_json(&f, false).get("decoded").is_none());
    let ssid = named(b"*SSID: 00:14:6C:A1:00:01 1 ", &["mac", "type"]);
    assert_eq!(both_json(&ssid, true)["decoded"]["type"], "probe-response");
    let plain = named(
        b"*SSID: 00:14:6C:A1:00:01 \x01HomeNet\x01 ",
        &["mac", "ssid"],
    );
    assert!(both_json(&plain, true).get("decoded").is_none());
}

/// Text lines name fields, decode SSIDs and neutralise controls.
#[test]
fn frame_lines() {
    let f = named(
        b"*SSID: \x01Caf\\303\\251 \\342\\230\\225\x01 00:24:01:D4:00:04 ",
        &["ssid", "mac"],
    );
    let mut s = String::new();
    frame_text(&mut s, &f);
    assert_eq!(s, "SSID ssid=\"Café ☕\" mac=00:24:01:D4:00:04");
    let f = named(
        b"*STATUS: \x01\x1b]0;owned\x07\x1b[2J\x01 4 ",
        &["text", "flags"],
    );
    s.clear();
    frame_text(&mut s, &f);
    assert_eq!(s, "STATUS text=\\x1b]0;owned\\x07\\x1b[2J flags=4");
    let mut j = Vec::new();
    frame_json(&mut j, &f);
    // The cached writer gives the same bytes, twice in a row.
    let mut fast = FrameJson::new();
    let mut k = Vec::new();
    fast.write(&mut k, &f);
    assert_eq!(k, j);
    k.clear();
    fast.write(&mut k, &f);
    assert_eq!(k, j);
    assert_eq!(
        String::from_utf8(j).unwrap(),
        r#"{"type":"frame","protocol":"STATUS","fields":{"text":"\u001b]0;owned\u0007\u001b[2J","flags":4}}"#
    );
}
