use super::*;
use crate::{Format, Meta};
use kismet_client::{History, LatLon, PositionSource, Snapshot};
use kismet_protocol::decode::Encryption;
use proptest::prelude::*;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::Reader;

/// Sun Jul 24 10:00:00 2016 UTC.
const JUL_24: u64 = 1_469_354_400;
/// Mon Jul  4 10:00:00 2016 UTC: a day of one digit.
const JUL_4: u64 = 1_467_626_400;

const WPA2_PSK_CCMP: u64 = crypt::WPA | crypt::PSK | crypt::AES_CCM | crypt::WPA2;

/// An element of a parsed document: its attributes, its text (all of
/// it, references resolved) and its child elements.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        (self.attrs.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn one(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn text_of(&self, name: &str) -> Option<&str> {
        self.one(name).map(|n| n.text.as_str())
    }

    fn texts(&self, name: &str) -> Vec<&str> {
        (self.children.iter())
            .filter(|c| c.name == name)
            .map(|n| n.text.as_str())
            .collect()
    }
}

fn element(e: &BytesStart<'_>) -> Result<Node, String> {
    let mut node = Node {
        name: String::from_utf8(e.name().as_ref().to_vec()).map_err(|e| e.to_string())?,
        ..Node::default()
    };
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = String::from_utf8(a.key.as_ref().to_vec()).map_err(|e| e.to_string())?;
        let value = a.unescape_value().map_err(|e| e.to_string())?;
        node.attrs.push((key, value.into_owned()));
    }
    Ok(node)
}

/// A character XML 1.0 allows (its `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}') || c >= '\u{10000}'
}

/// Parses a document to its root element, to the end: an error where
/// it is not well-formed (quick-xml leaves the characters XML forbids
/// to its user: checked here, those written and those referred to).
fn parse(xml: &str) -> Result<Node, String> {
    if let Some(c) = xml.chars().find(|c| !is_xml_char(*c)) {
        return Err(format!("{c:?} is not allowed in XML"));
    }
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Node::default()];
    let err = |e: &dyn std::fmt::Display| e.to_string();
    loop {
        match reader.read_event().map_err(|e| err(&e))? {
            Event::Start(e) => stack.push(element(&e)?),
            Event::Empty(e) => {
                let node = element(&e)?;
                stack.last_mut().ok_or("no parent")?.children.push(node);
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("end without start")?;
                stack
                    .last_mut()
                    .ok_or("end past the root")?
                    .children
                    .push(node);
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| err(&e))?;
                stack.last_mut().ok_or("no parent")?.text.push_str(&text);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| err(&e))? {
                    Some(c) if is_xml_char(c) => c.to_string(),
                    Some(c) => return Err(format!("{c:?} is not allowed in XML")),
                    None => {
                        let name = r.decode().map_err(|e| err(&e))?;
                        let entity = resolve_predefined_entity(&name);
                        entity.ok_or(format!("unknown entity {name}"))?.to_string()
                    }
                };
                stack
                    .last_mut()
                    .ok_or("no parent")?
                    .text
                    .push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut doc = stack.pop().ok_or("no document")?;
    if !stack.is_empty() {
        return Err(format!("{} elements not closed", stack.len()));
    }
    if doc.children.len() != 1 {
        return Err(format!("{} root elements", doc.children.len()));
    }
    Ok(doc.children.remove(0))
}

fn at(lat: f64, lon: f64) -> LatLon {
    LatLon::from_degrees(lat, lon).unwrap()
}

/// A place with every value distinct: best, average and the box's
/// corners apart, latitude and longitude apart.
fn place(best: LatLon) -> PlaceView {
    PlaceView {
        source: PositionSource::Client,
        first: Some(best),
        last: Some(best),
        best: Some(best),
        best_alt_m: Some(16),
        best_signal_dbm: Some(-41),
        average: Some(at(best.lat() + 0.0002, best.lon() + 0.0003)),
        min: Some(at(best.lat() - 0.001, best.lon() - 0.002)),
        max: Some(at(best.lat() + 0.001, best.lon() + 0.002)),
        gps_points: 7,
    }
}

fn ssid(name: &str, ssid_type: u32, cloaked: bool, cryptset: u64) -> SsidView {
    SsidView {
        name: (!name.is_empty()).then(|| name.to_string()),
        raw: Some(name.as_bytes().to_vec()),
        ssid_type: Some(ssid_type),
        cloaked,
        cryptset: Some(cryptset),
        encryption: Encryption::from_cryptset(cryptset),
        max_rate: Some(54.0),
        beacons: Some(10),
        last_seen: Some(JUL_24 + 60),
        ..SsidView::default()
    }
}

fn network(bssid: &str, net_type: u32, ssids: Vec<SsidView>) -> NetworkView {
    NetworkView {
        bssid: bssid.to_string(),
        ssid: ssids.iter().find_map(|s| s.name.clone()),
        cloaked: ssids.iter().any(|s| s.cloaked),
        network_type: Some(net_type),
        cryptset: ssids.first().and_then(|s| s.cryptset),
        ssids,
        ..NetworkView::default()
    }
}

fn client(bssid: &str, mac: &str, client_type: u32) -> ClientView {
    ClientView {
        mac: mac.to_string(),
        bssid: bssid.to_string(),
        client_type: Some(client_type),
        first_seen: Some(JUL_24 + 5),
        last_seen: Some(JUL_24 + 50),
        ..ClientView::default()
    }
}

const WEIRD_SSID: &str = "Caf\u{e9} <&> \u{1}end";
const NET_WPA2: &str = "00:11:22:33:44:01";
const NET_CLOAKED: &str = "00:11:22:33:44:02";
const NET_NOWHERE: &str = "00:11:22:33:44:03";
const NET_PROBE: &str = "00:11:22:33:44:04";
const NET_REMOVED: &str = "00:11:22:33:44:05";
/// The best position of the WPA2 network: beyond -100 of longitude.
const BEST: (f64, f64) = (37.7691, -122.419571);

/// A WPA2 network named with markup and a control character, with two
/// clients (and its own record); a cloaked WEP one; an open ad-hoc one
/// without a position; a station seen only probing; a removed one; a
/// client whose network the snapshot lacks.
fn snapshot() -> Snapshot {
    let mut wpa2 = network(
        NET_WPA2,
        0,
        vec![
            ssid("Elsewhere", PROBE_REQUEST, false, 0),
            ssid(WEIRD_SSID, 0, false, WPA2_PSK_CCMP),
        ],
    );
    wpa2.channel = Some(6);
    wpa2.packets = Some(120);
    wpa2.datasize = Some(4096);
    wpa2.signal_dbm = Some(-52);
    wpa2.manuf = Some("Acme & Co".to_string());
    wpa2.first_seen = Some(JUL_24);
    wpa2.last_seen = Some(JUL_24 + 60);
    wpa2.place = Some(place(at(BEST.0, BEST.1)));
    let mut cloaked = network(NET_CLOAKED, 0, vec![ssid("", 0, true, crypt::WEP)]);
    cloaked.channel = Some(11);
    cloaked.first_seen = Some(JUL_4);
    cloaked.last_seen = Some(JUL_4 + 5);
    cloaked.place = Some(place(at(37.7801, -122.4012)));
    let mut nowhere = network(NET_NOWHERE, 1, vec![ssid("Open", 0, false, 0)]);
    nowhere.first_seen = Some(JUL_24);
    let probe = network(
        NET_PROBE,
        PROBE_NETWORK,
        vec![ssid("HomeNet", PROBE_REQUEST, false, 0)],
    );
    let removed = network(NET_REMOVED, REMOVED_NETWORK, vec![]);
    let mut roaming = client(NET_WPA2, "AA:00:00:00:00:01", 4);
    roaming.manuf = Some("Phones <Inc>".to_string());
    roaming.packets = Some(30);
    roaming.signal_dbm = Some(-60);
    roaming.place = Some(place(at(37.7695, -122.4201)));
    Snapshot {
        networks: vec![wpa2, cloaked, nowhere, probe, removed],
        clients: vec![
            client("00:11:22:33:44:00", "BB:00:00:00:00:09", 4),
            client(NET_WPA2, NET_WPA2, 1),
            roaming,
            client(NET_WPA2, "AA:00:00:00:00:02", 2),
        ],
        ..Snapshot::default()
    }
}

fn export(snapshot: &Snapshot) -> (String, Summary) {
    let history = History::default();
    let meta = Meta::new("kismet-shell 0.1.0", "localhost:2501");
    let input = Input {
        snapshot,
        history: &history,
        meta: &meta,
    };
    let mut out = Vec::new();
    let summary = crate::write(Format::NetXml, &input, &Options::default(), &mut out).unwrap();
    (String::from_utf8(out).unwrap(), summary)
}

fn exported() -> (String, Node, Summary) {
    let (xml, summary) = export(&snapshot());
    let root = parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    (xml, root, summary)
}

fn network_of<'a>(root: &'a Node, bssid: &str) -> &'a Node {
    (root.all("wireless-network"))
        .find(|n| n.text_of("BSSID") == Some(bssid))
        .unwrap_or_else(|| panic!("no network {bssid}"))
}

/// The test parser rejects what is not well-formed, forbidden
/// characters included.
#[test]
fn test_parser_rejects_documents_that_are_not_well_formed() {
    assert!(parse("<a>x &amp; &#xD;</a>").is_ok());
    for bad in [
        "<a>&</a>",
        "<a><b></a>",
        "<a><b>",
        "<a>\u{1}</a>",
        "<a>&#x1;</a>",
        "<a/><b/>",
    ] {
        assert!(parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn header_declares_utf8_and_kismets_doctype() {
    let (xml, root, _) = exported();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains(
        "<!DOCTYPE detection-run SYSTEM \"http://kismetwireless.net/kismet-3.1.0.dtd\">"
    ));
    assert_eq!(root.name, "detection-run");
    assert_eq!(root.attr("kismet-version"), Some("kismet-shell 0.1.0"));
}

#[test]
fn networks_are_numbered_from_one_in_bssid_order_removed_ones_left_out() {
    let (_, root, summary) = exported();
    let nets: Vec<&Node> = root.all("wireless-network").collect();
    let numbers: Vec<_> = nets.iter().map(|n| n.attr("number").unwrap()).collect();
    assert_eq!(numbers, ["1", "2", "3", "4"]);
    let bssids: Vec<_> = nets.iter().map(|n| n.text_of("BSSID").unwrap()).collect();
    assert_eq!(bssids, [NET_WPA2, NET_CLOAKED, NET_NOWHERE, NET_PROBE]);
    let types: Vec<_> = nets.iter().map(|n| n.attr("type").unwrap()).collect();
    assert_eq!(
        types,
        ["infrastructure", "infrastructure", "ad-hoc", "probe"]
    );
    assert_eq!(summary.written, 4);
    assert_eq!(summary.without_position, 0);
    assert_eq!(summary.track_points, 0);
}

#[test]
fn summary_note_counts_networks_whatever_was_asked() {
    let (_, _, summary) = exported();
    for what in [What::Networks, What::Clients, What::All] {
        let note = summary.note(Format::NetXml, what, "out.netxml");
        assert_eq!(note, "wrote 4 networks to out.netxml");
    }
}

#[test]
fn ssid_and_manuf_round_trip_escaped_with_forbidden_controls_replaced() {
    let (xml, root, _) = exported();
    assert!(xml.contains("Caf\u{e9} &lt;&amp;&gt; \u{FFFD}end"));
    assert!(!xml.contains('\u{1}'));
    let wpa2 = network_of(&root, NET_WPA2);
    let essid = wpa2.one("SSID").and_then(|s| s.one("essid")).unwrap();
    assert_eq!(essid.text, "Caf\u{e9} <&> \u{FFFD}end");
    assert_eq!(essid.attr("cloaked"), Some("false"));
    assert_eq!(wpa2.text_of("manuf"), Some("Acme & Co"));
    let roaming = wpa2.one("wireless-client").unwrap();
    assert_eq!(roaming.text_of("client-manuf"), Some("Phones <Inc>"));
}

#[test]
fn ssid_records_use_kismets_type_and_encryption_names() {
    let (_, root, _) = exported();
    let wpa2 = network_of(&root, NET_WPA2);
    // The network's probe requests are its clients', not its own.
    assert_eq!(wpa2.all("SSID").count(), 1);
    let s = wpa2.one("SSID").unwrap();
    assert_eq!(s.text_of("type"), Some("Beacon"));
    assert_eq!(s.text_of("max-rate"), Some("54.000000"));
    assert_eq!(s.texts("encryption"), ["WPA+PSK", "WPA+AES-CCM"]);
    assert_eq!(s.text_of("wpa-version"), Some("WPA2"));
    assert_eq!(s.attr("last-time"), Some("Sun Jul 24 10:01:00 2016"));
    assert_eq!(s.attr("first-time"), None);
    // Nothing the protocol does not carry.
    assert_eq!(s.one("packets").map(|_| ()), None);
    assert_eq!(s.one("beaconrate").map(|_| ()), None);

    let cloaked = network_of(&root, NET_CLOAKED).one("SSID").unwrap();
    let essid = cloaked.one("essid").unwrap();
    assert_eq!(
        (essid.attr("cloaked"), essid.text.as_str()),
        (Some("true"), "")
    );
    assert_eq!(cloaked.texts("encryption"), ["WEP"]);
    assert_eq!(cloaked.text_of("wpa-version"), None);

    let open = network_of(&root, NET_NOWHERE).one("SSID").unwrap();
    assert_eq!(open.texts("encryption"), ["None"]);

    let probe = network_of(&root, NET_PROBE).one("SSID").unwrap();
    assert_eq!(probe.text_of("type"), Some("Probe Request"));
    assert_eq!(probe.one("essid").unwrap().text, "HomeNet");
}

#[test]
fn encryption_lines_follow_kismets_bits_and_order() {
    let mixed = crypt::WPA | crypt::PSK | crypt::TKIP | crypt::AES_CCM | crypt::WPA1 | crypt::WPA2;
    let lines: Vec<_> = encryption_lines(mixed).collect();
    assert_eq!(lines, ["WPA+TKIP", "WPA+PSK", "WPA+AES-CCM"]);
    assert_eq!(wpa_version(mixed), Some("WPA+WPA2"));
    // Kismet writes `WEP` only for the WEP bit alone.
    let wep40: Vec<_> = encryption_lines(crypt::WEP | crypt::WEP40).collect();
    assert_eq!(wep40, ["WEP40"]);
    let eap: Vec<_> = encryption_lines(crypt::WPA | crypt::PEAP | crypt::AES_CCM).collect();
    assert_eq!(eap, ["WPA+AES-CCM", "WPA+PEAP"]);
    assert_eq!(encryption_lines(0).collect::<Vec<_>>(), ["None"]);
}

#[test]
fn network_values_are_written_where_known_and_left_out_where_not() {
    let (_, root, _) = exported();
    let wpa2 = network_of(&root, NET_WPA2);
    assert_eq!(wpa2.text_of("channel"), Some("6"));
    assert_eq!(wpa2.text_of("freqmhz"), Some("2437 120"));
    assert_eq!(wpa2.one("packets").unwrap().text_of("total"), Some("120"));
    assert_eq!(wpa2.text_of("datasize"), Some("4096"));
    let snr = wpa2.one("snr-info").unwrap();
    assert_eq!(snr.text_of("last_signal_dbm"), Some("-52"));
    let nowhere = network_of(&root, NET_NOWHERE);
    for absent in [
        "manuf", "channel", "freqmhz", "packets", "datasize", "snr-info",
    ] {
        assert!(nowhere.one(absent).is_none(), "{absent}");
    }
    assert_eq!(nowhere.attr("last-time"), None);
}

#[test]
fn gps_info_only_where_known_with_peak_at_the_best_position() {
    let (_, root, _) = exported();
    let wpa2 = network_of(&root, NET_WPA2);
    let gps = wpa2.one("gps-info").unwrap();
    // Latitude in the -lat elements, longitude in the -lon ones.
    assert_eq!(gps.text_of("peak-lat"), Some("37.769100"));
    assert_eq!(gps.text_of("peak-lon"), Some("-122.419571"));
    assert_eq!(gps.text_of("peak-alt"), Some("16.000000"));
    assert_eq!(gps.text_of("min-lat"), Some("37.768100"));
    assert_eq!(gps.text_of("min-lon"), Some("-122.421571"));
    assert_eq!(gps.text_of("max-lat"), Some("37.770100"));
    assert_eq!(gps.text_of("max-lon"), Some("-122.417571"));
    assert_eq!(gps.text_of("avg-lat"), Some("37.769300"));
    assert_eq!(gps.text_of("avg-lon"), Some("-122.419271"));
    let cloaked = network_of(&root, NET_CLOAKED).one("gps-info").unwrap();
    assert_eq!(cloaked.text_of("peak-lat"), Some("37.780100"));
    assert_eq!(cloaked.text_of("peak-lon"), Some("-122.401200"));
    assert!(network_of(&root, NET_NOWHERE).one("gps-info").is_none());
    assert!(network_of(&root, NET_PROBE).one("gps-info").is_none());
    let clients: Vec<&Node> = wpa2.all("wireless-client").collect();
    let peak = clients[0].one("gps-info").unwrap();
    assert_eq!(peak.text_of("peak-lat"), Some("37.769500"));
    assert_eq!(peak.text_of("peak-lon"), Some("-122.420100"));
    assert!(clients[1].one("gps-info").is_none());
}

#[test]
fn clients_nest_under_their_network_without_its_own_record() {
    let (xml, root, _) = exported();
    let wpa2 = network_of(&root, NET_WPA2);
    let clients: Vec<&Node> = wpa2.all("wireless-client").collect();
    let numbers: Vec<_> = clients.iter().map(|c| c.attr("number").unwrap()).collect();
    assert_eq!(numbers, ["1", "2"]);
    let macs: Vec<_> = clients
        .iter()
        .map(|c| c.text_of("client-mac").unwrap())
        .collect();
    assert_eq!(macs, ["AA:00:00:00:00:01", "AA:00:00:00:00:02"]);
    let types: Vec<_> = clients.iter().map(|c| c.attr("type").unwrap()).collect();
    assert_eq!(types, ["established", "tods"]);
    assert_eq!(clients[0].text_of("channel"), Some("6"));
    assert_eq!(
        clients[0].one("packets").unwrap().text_of("total"),
        Some("30")
    );
    let snr = clients[0].one("snr-info").unwrap();
    assert_eq!(snr.text_of("last_signal_dbm"), Some("-60"));
    for other in [NET_CLOAKED, NET_NOWHERE, NET_PROBE] {
        assert_eq!(network_of(&root, other).all("wireless-client").count(), 0);
    }
    // Not a client of any network written.
    assert!(!xml.contains("BB:00:00:00:00:09"));
    assert_eq!(root.all("wireless-client").count(), 0);
}

#[test]
fn times_are_in_kismets_ctime_form() {
    let (_, root, _) = exported();
    let wpa2 = network_of(&root, NET_WPA2);
    assert_eq!(wpa2.attr("first-time"), Some("Sun Jul 24 10:00:00 2016"));
    assert_eq!(wpa2.attr("last-time"), Some("Sun Jul 24 10:01:00 2016"));
    let cloaked = network_of(&root, NET_CLOAKED);
    assert_eq!(cloaked.attr("first-time"), Some("Mon Jul  4 10:00:00 2016"));
    // The run starts at the earliest sighting.
    assert_eq!(root.attr("start-time"), Some("Mon Jul  4 10:00:00 2016"));
    let c = wpa2.one("wireless-client").unwrap();
    assert_eq!(c.attr("first-time"), Some("Sun Jul 24 10:00:05 2016"));
    assert_eq!(kismet_time(0).as_deref(), Some("Thu Jan  1 00:00:00 1970"));
    assert_eq!(kismet_time(u64::MAX), None);
}

#[test]
fn an_empty_snapshot_is_an_empty_run() {
    let (xml, summary) = export(&Snapshot::default());
    let root = parse(&xml).unwrap();
    assert_eq!(root.name, "detection-run");
    assert!(root.children.is_empty());
    assert_eq!(root.attr("start-time"), None);
    assert_eq!(summary, Summary::default());
}

/// Any string: any characters, those XML treats specially or forbids
/// among them often (`any::<String>()` leaves out control characters).
fn any_text() -> impl Strategy<Value = String> {
    let tricky = prop::sample::select(vec![
        '\0',
        '\u{1}',
        '\u{1F}',
        '\t',
        '\n',
        '\r',
        '<',
        '>',
        '&',
        '"',
        '\'',
        ']',
        ';',
        '-',
        ' ',
        '\u{7F}',
        '\u{85}',
        '\u{FFFD}',
        '\u{FFFE}',
        '\u{FFFF}',
        '\u{10FFFF}',
        'é',
    ]);
    let chars = prop_oneof![any::<char>(), tricky];
    prop::collection::vec(chars, 0..48).prop_map(|v| v.into_iter().collect())
}

proptest! {
    /// Any SSID (and manufacturer, and writer's name and source) gives
    /// a document that parses to the end, with the text read back as
    /// written (what XML forbids as U+FFFD).
    #[test]
    fn any_ssid_gives_a_well_formed_document(
        name in any_text(),
        plain in any::<String>(),
        app in any_text(),
    ) {
        let net = |bssid: &str, name: &str| {
            let mut net = network(bssid, 0, vec![ssid(name, 0, false, WPA2_PSK_CCMP)]);
            net.manuf = Some(name.to_string());
            net
        };
        let snapshot = Snapshot {
            networks: vec![net(NET_WPA2, &name), net(NET_CLOAKED, &plain)],
            ..Snapshot::default()
        };
        let history = History::default();
        let meta = Meta::new(&app, &app);
        let input = Input { snapshot: &snapshot, history: &history, meta: &meta };
        let mut out = Vec::new();
        crate::write(Format::NetXml, &input, &Options::default(), &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let root = parse(&xml);
        prop_assert!(root.is_ok(), "{:?}\n{}", root.err(), xml);
        let root = root.unwrap();
        let version = xml_text(&app);
        prop_assert_eq!(root.attr("kismet-version"), Some(version.as_ref()));
        for (bssid, name) in [(NET_WPA2, &name), (NET_CLOAKED, &plain)] {
            let net = network_of(&root, bssid);
            let essid = net.one("SSID").and_then(|s| s.one("essid")).unwrap();
            let expected = xml_text(name);
            prop_assert_eq!(essid.text.as_str(), expected.as_ref());
            prop_assert_eq!(net.text_of("manuf"), Some(expected.as_ref()));
        }
    }
}
