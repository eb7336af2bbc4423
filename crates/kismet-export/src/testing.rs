//! What the XML formats' tests share: a snapshot with the cases an export
//! must get right, and a small tree of an XML document read with
//! quick-xml's reader.

use kismet_client::{
    ClientView, History, LatLon, NetworkView, PlaceView, PositionSource, Snapshot, TrackPoint,
};
use kismet_protocol::decode::{crypt, Encryption};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::{Input, Meta};

/// An SSID with markup, a quote and a control character XML forbids.
pub(crate) const ODD_SSID: &str = "Caf\u{e9} <&> \"q\" \u{1}end";

/// [`ODD_SSID`] as a reader gets it back: the control character as U+FFFD.
pub(crate) const ODD_SSID_READ: &str = "Caf\u{e9} <&> \"q\" \u{FFFD}end";

/// 2016-07-24T10:00:00Z.
pub(crate) const T0: u64 = 1_469_354_400;

/// The network with [`ODD_SSID`]: WPA2, channel 6, at 45.523064 N
/// 122.676483 W, 15 m up.
pub(crate) const ODD_BSSID: &str = "00:11:22:33:44:01";

/// A hidden network (cloaked, no SSID known), open, at 45.524 N 122.677 W,
/// no altitude.
pub(crate) const HIDDEN_BSSID: &str = "00:11:22:33:44:02";

/// A network without a position (named `Nowhere`).
pub(crate) const NOWHERE_BSSID: &str = "00:11:22:33:44:03";

/// A network with neither SSID nor known encryption, placed by the server
/// at 45.525 N 122.678 W.
pub(crate) const UNNAMED_BSSID: &str = "00:11:22:33:44:04";

/// A station seen only probing, with a position: no network.
pub(crate) const PROBE_BSSID: &str = "00:11:22:33:44:05";

/// The client, of [`ODD_BSSID`], at 45.5235 N 122.676 W, 12 m up.
pub(crate) const CLIENT_MAC: &str = "AA:BB:CC:00:00:01";

/// What an export is made from, owned.
pub(crate) struct Fixture {
    /// The devices.
    pub(crate) snapshot: Snapshot,
    /// The track.
    pub(crate) history: History,
    /// Written by `kismet-shell 0.1.0` from `localhost:2501`, an hour
    /// after [`T0`].
    pub(crate) meta: Meta,
}

impl Fixture {
    /// The export's input.
    pub(crate) fn input(&self) -> Input<'_> {
        Input {
            snapshot: &self.snapshot,
            history: &self.history,
            meta: &self.meta,
        }
    }
}

/// A point, in degrees.
pub(crate) fn at(lat: f64, lon: f64) -> LatLon {
    LatLon::from_degrees(lat, lon).expect("a point in range")
}

/// A place with its best position at `lat`, `lon`.
fn place(source: PositionSource, lat: f64, lon: f64, alt_m: Option<i32>) -> PlaceView {
    let p = at(lat, lon);
    PlaceView {
        source,
        first: Some(p),
        last: Some(p),
        best: Some(p),
        best_alt_m: alt_m,
        best_signal_dbm: Some(-50),
        average: Some(p),
        min: Some(p),
        max: Some(p),
        gps_points: 3,
    }
}

/// A track point.
pub(crate) fn point(lat: f64, lon: f64, alt_m: Option<i16>, time: u64, new: bool) -> TrackPoint {
    TrackPoint {
        at: at(lat, lon),
        alt_m,
        time,
        new_segment: new,
    }
}

/// Networks and a client at longitudes beyond -100 (Portland, Oregon):
/// the network with [`ODD_SSID`], a hidden one, one without a position,
/// an unnamed one of unknown encryption, a probing station; the client,
/// and its access point's own record. The track has two segments: three
/// points (the third without altitude), then two.
pub(crate) fn fixture() -> Fixture {
    let wpa2 = crypt::WPA | crypt::PSK | crypt::AES_CCM | crypt::WPA2;
    let networks = vec![
        NetworkView {
            bssid: ODD_BSSID.into(),
            ssid: Some(ODD_SSID.into()),
            network_type: Some(0),
            channel: Some(6),
            cryptset: Some(wpa2),
            encryption: Encryption::from_cryptset(wpa2),
            clients: 1,
            manuf: Some("Cisco".into()),
            first_seen: Some(T0),
            last_seen: Some(T0 + 60),
            place: Some(place(
                PositionSource::Client,
                45.523064,
                -122.676483,
                Some(15),
            )),
            ..Default::default()
        },
        NetworkView {
            bssid: HIDDEN_BSSID.into(),
            cloaked: true,
            network_type: Some(0),
            channel: Some(11),
            cryptset: Some(0),
            encryption: Encryption::from_cryptset(0),
            first_seen: Some(T0 + 10),
            place: Some(place(PositionSource::Client, 45.524, -122.677, None)),
            ..Default::default()
        },
        NetworkView {
            bssid: NOWHERE_BSSID.into(),
            ssid: Some("Nowhere".into()),
            network_type: Some(0),
            cryptset: Some(crypt::WEP),
            encryption: Encryption::from_cryptset(crypt::WEP),
            ..Default::default()
        },
        NetworkView {
            bssid: UNNAMED_BSSID.into(),
            place: Some(place(PositionSource::Server, 45.525, -122.678, None)),
            ..Default::default()
        },
        NetworkView {
            bssid: PROBE_BSSID.into(),
            ssid: Some("Probed".into()),
            network_type: Some(2),
            place: Some(place(PositionSource::Client, 45.526, -122.679, None)),
            ..Default::default()
        },
    ];
    let clients = vec![
        ClientView {
            mac: ODD_BSSID.into(),
            bssid: ODD_BSSID.into(),
            place: Some(place(PositionSource::Client, 45.523064, -122.676483, None)),
            ..Default::default()
        },
        ClientView {
            mac: CLIENT_MAC.into(),
            bssid: ODD_BSSID.into(),
            ssid: Some(ODD_SSID.into()),
            manuf: Some("Apple".into()),
            first_seen: Some(T0 + 5),
            last_seen: Some(T0 + 30),
            place: Some(place(PositionSource::Client, 45.5235, -122.676, Some(12))),
            ..Default::default()
        },
    ];
    let track = vec![
        point(45.52, -122.67, Some(10), T0, true),
        point(45.521, -122.671, Some(11), T0 + 1, false),
        point(45.522, -122.672, None, T0 + 2, false),
        point(45.53, -122.68, Some(20), T0 + 10, true),
        point(45.531, -122.681, Some(21), T0 + 11, false),
    ];
    Fixture {
        snapshot: Snapshot {
            networks,
            clients,
            ..Default::default()
        },
        history: History {
            track,
            ..Default::default()
        },
        meta: Meta {
            app: "kismet-shell 0.1.0".into(),
            source: "localhost:2501".into(),
            written: T0 + 3600,
        },
    }
}

/// An element of a document read back.
#[derive(Debug, Default)]
pub(crate) struct Element {
    /// Its name, as written (with any prefix).
    pub(crate) name: String,
    /// Its attributes, values unescaped.
    pub(crate) attrs: Vec<(String, String)>,
    /// Its child elements, in order.
    pub(crate) children: Vec<Element>,
    /// Its text, the children's left out, references resolved.
    pub(crate) text: String,
}

impl Element {
    /// The value of attribute `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        (self.attrs.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub(crate) fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The children named `name`.
    pub(crate) fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Every element below this one named `name`, in document order.
    pub(crate) fn descendants<'a>(&'a self, name: &str) -> Vec<&'a Element> {
        let mut found = Vec::new();
        for c in &self.children {
            if c.name == name {
                found.push(c);
            }
            found.extend(c.descendants(name));
        }
        found
    }
}

/// The root element of `xml`, read with quick-xml's reader (which checks
/// that end tags match). Panics when it is not well-formed, or holds a
/// character XML 1.0 forbids (the reader does not check those).
pub(crate) fn parse(xml: &[u8]) -> Element {
    let text = std::str::from_utf8(xml).expect("UTF-8");
    let forbidden = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    };
    assert!(
        !text.chars().any(forbidden),
        "a character XML forbids: {text}"
    );
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    let open = |e: &quick_xml::events::BytesStart<'_>| Element {
        name: String::from_utf8(e.name().as_ref().to_vec()).expect("UTF-8 name"),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("an attribute");
                let key = String::from_utf8(a.key.as_ref().to_vec()).expect("UTF-8 key");
                (key, a.unescape_value().expect("a value").into_owned())
            })
            .collect(),
        ..Element::default()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => {
                let element = open(&e);
                stack.last_mut().expect("a parent").children.push(element);
            }
            Event::End(_) => {
                let done = stack.pop().expect("an open element");
                stack.last_mut().expect("a parent").children.push(done);
            }
            Event::Text(t) => {
                let t = t.xml10_content().expect("text");
                stack.last_mut().expect("an element").text.push_str(&t);
            }
            Event::CData(t) => {
                let t = t.decode().expect("CDATA");
                stack.last_mut().expect("an element").text.push_str(&t);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().expect("a character reference") {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().expect("a reference");
                        resolve_predefined_entity(&name)
                            .expect("a predefined entity")
                            .to_string()
                    }
                };
                stack
                    .last_mut()
                    .expect("an element")
                    .text
                    .push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "elements left open");
    let mut document = stack.pop().expect("the document");
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().expect("the root")
}
