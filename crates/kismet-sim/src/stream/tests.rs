use super::*;
use crate::timeline::TimelineError;
use kismet_record::parse_recording;

/// A recording's text, from `D SECONDS TEXT` lines with `\x01` for SOH.
fn text(lines: &[&str]) -> String {
    let mut text = String::from("# kismet-shell recording 1\n");
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    text
}

fn timeline(lines: &[&str]) -> Arc<Timeline> {
    let entries = parse_recording(text(lines).as_bytes()).unwrap();
    Arc::new(Timeline::from_entries(&entries).unwrap())
}

/// Every frame a replay reads, in order.
fn frames(t: &Arc<Timeline>) -> Vec<Played> {
    let mut f = Frames::open(t.clone()).unwrap();
    std::iter::from_fn(|| f.next_frame().unwrap()).collect()
}

const HEAD: [&str; 8] = [
    "= 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:45.000Z",
    "< 0.001 *KISMET: 0.0.0 1795678119 \\x01Rec\\x01 \\x01\\x01 0 ",
    "< 0.001 *PROTOCOLS: KISMET,ACK,TIME,SSID",
    "> 0.002 !1 CAPABILITY SSID",
    "< 0.003 *CAPABILITY: SSID mac,type,ssid",
    "< 0.003 *ACK: 1 \\x01OK\\x01 ",
    "< 0.004 *CAPABILITY: TIME timesec",
    "< 0.004 *ACK: 2 \\x01OK\\x01 ",
];

/// Frames carry the list enabled when they came: `*` is the whole
/// CAPABILITY, the burst before the ACK has the new list, a list
/// refused changes nothing; TIME is not a frame; the greeting is the
/// recorded one; the load pass counts what a replay reads.
#[test]
fn field_lists_follow_enable_and_ack() {
    let mut lines = HEAD.to_vec();
    lines.extend([
        "> 0.010 !3 ENABLE SSID *",
        "< 0.011 *SSID: AA 0 \\x01one\\x01 ",
        "< 0.011 *ACK: 3 \\x01OK\\x01 ",
        "< 1.000 *TIME: 1795678120",
        "< 1.100 *SSID: BB 0 \\x01two\\x01 ",
        "> 1.200 !4 ENABLE SSID ssid,MAC",
        "< 1.201 *SSID: AA 0 \\x01late\\x01 ",
        "< 1.202 *SSID: \\x01one\\x01 AA ",
        "< 1.202 *ACK: 4 \\x01OK\\x01 ",
        "> 1.300 !5 ENABLE SSID nosuch",
        "< 1.301 *ERROR: 5 \\x01Unknown field nosuch\\x01 ",
        "< 1.400 *SSID: \\x01two\\x01 BB ",
    ]);
    let t = timeline(&lines);
    assert!(t
        .greeting
        .starts_with(b"*KISMET: 0.0.0 1795678119 \x01Rec\x01"));
    assert!(t.greeting.ends_with(b"*PROTOCOLS: KISMET,ACK,TIME,SSID\n"));
    let ssid = t.protocol(b"ssid").unwrap();
    assert_eq!(t.protocols[ssid].held, ["mac", "type", "ssid"]);
    let played = frames(&t);
    assert_eq!(played.len(), t.frame_count());
    let lists: Vec<Vec<String>> = played
        .iter()
        .map(|f| t.lists[f.list as usize].to_vec())
        .collect();
    let all = ["mac", "type", "ssid"].map(String::from).to_vec();
    let two = ["ssid", "mac"].map(String::from).to_vec();
    assert_eq!(lists, [all.clone(), all.clone(), all, two.clone(), two]);
    let times: Vec<u128> = played.iter().map(|f| f.at.as_millis()).collect();
    assert_eq!(times, [11, 1100, 1201, 1202, 1400]);
    assert_eq!(t.end, Duration::from_millis(1400));
    assert_eq!(t.field(&played[3], "MAC"), Some(&b"AA"[..]));
}

/// A reconnect keeps its gap on the timeline (from the connect
/// events' wall-clock times), and the new connection starts with no
/// list until its own ENABLE is ACKed.
#[test]
fn reconnect_keeps_its_gap() {
    let mut lines = HEAD.to_vec();
    lines.extend([
        "> 0.010 !3 ENABLE SSID mac,ssid",
        "< 0.011 *ACK: 3 \\x01OK\\x01 ",
        "< 0.500 *SSID: AA \\x01one\\x01 ",
        "= 0.600 disconnect server closed the connection",
        "= 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:47.000Z",
        "< 0.001 *KISMET: 0.0.0 1795678121 \\x01Again\\x01 \\x01\\x01 0 ",
        "< 0.002 *CAPABILITY: SSID mac,type,ssid",
        "> 0.010 !9 ENABLE SSID mac,ssid",
        "< 0.011 *SSID: BB \\x01two\\x01 ",
        "< 0.012 *ACK: 9 \\x01OK\\x01 ",
    ]);
    let t = timeline(&lines);
    let times: Vec<u128> = frames(&t).iter().map(|f| f.at.as_millis()).collect();
    assert_eq!(times, [500, 2011]);
    assert!(t.greeting.windows(3).any(|w| w == b"Rec"));
    let ssid = t.protocol(b"SSID").unwrap();
    assert_eq!(t.protocols[ssid].held, ["mac", "ssid"]);
}

/// A frame before its protocol's CAPABILITY line is left out by the load
/// pass and by a replay alike.
#[test]
fn a_frame_before_its_capability_is_left_out_by_both_passes() {
    let mut lines = HEAD[..4].to_vec();
    lines.extend([
        "< 0.003 *SSID: AA 0 \\x01early\\x01 ",
        "< 0.003 *CAPABILITY: SSID mac,type,ssid",
        "< 0.004 *CAPABILITY: TIME timesec",
        "< 0.005 *SSID: AA 0 \\x01one\\x01 ",
    ]);
    let t = timeline(&lines);
    let played = frames(&t);
    assert_eq!((played.len(), t.frame_count()), (1, 1));
    assert_eq!(t.field(&played[0], "ssid"), Some(&b"one"[..]));
}

/// A recording without a greeting cannot be served; nor one whose
/// greeting lists a protocol it has no CAPABILITY answer for (cut short
/// in its handshake), and the error names what is missing. The
/// server's own protocols need no recorded answer.
#[test]
fn no_greeting_or_handshake_no_timeline() {
    let e = parse_recording(
        &b"# kismet-shell recording 1\n= 0.000 connect x 2026-11-27T11:42:45.000Z\n"[..],
    )
    .unwrap();
    assert!(matches!(
        Timeline::from_entries(&e),
        Err(TimelineError::NoGreeting { path: None })
    ));
    let cut = text(&[
        HEAD[0],
        HEAD[1],
        "< 0.001 *PROTOCOLS: KISMET,ACK,TIME,SSID,GPS,BSSID",
        HEAD[3],
        HEAD[4],
    ]);
    let e = Timeline::from_entries(&parse_recording(cut.as_bytes()).unwrap()).unwrap_err();
    match &e {
        TimelineError::IncompleteHandshake {
            missing, listed, ..
        } => {
            assert_eq!(missing, &["GPS", "BSSID"]);
            assert_eq!(*listed, 6);
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(
        e.to_string(),
        "incomplete handshake: the recording has no CAPABILITY answer for GPS, BSSID \
         (2 of the 6 protocols its greeting lists; cut short in its handshake)"
    );
    // KISMET and ACK have no recorded answer: the server's own.
    let t = timeline(&HEAD);
    let kismet = t.protocol(b"KISMET").expect("the server's own");
    assert!(!t.protocols[kismet].recorded);
    assert!(t.protocols[kismet]
        .capability
        .starts_with(b"KISMET version,"));
}
