//! GPX 1.1: a waypoint per device at its best position, and the GPS track
//! as one `<trk>` with a `<trkseg>` per segment (every point: unlike a
//! KML or GeoJSON line, a GPX segment may hold one point). Elements
//! come in the order the GPX 1.1 schema gives: `metadata`, `wpt`s, `trk`;
//! in a waypoint `ele`, `time`, `name`, `desc`, `type`.
//!
//! Written with quick-xml, which escapes the text; what XML forbids (an
//! SSID is any 32 bytes) is written as U+FFFD. A longitude of exactly 180
//! is written -180 (the same meridian): the schema allows no 180.

use std::io::{self, Write};

use kismet_client::{LatLon, PlaceView, TrackPoint};
use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;

use crate::common::{
    degrees, encryption_text, known_ssid, rfc3339, text_element, title, track_segments, xml_text,
    Security,
};
use crate::{Device, Input, Meta, Options, Summary};

/// The GPX 1.1 namespace.
const GPX_NS: &str = "http://www.topografix.com/GPX/1/1";

/// Where the GPX 1.1 schema is, for validators.
const SCHEMA_LOCATION: &str =
    "http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd";

/// The XML Schema instance namespace.
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The track's name.
const TRACK_NAME: &str = "GPS track";

/// The `<type>` of a client's waypoint.
const CLIENT_TYPE: &str = "client";

/// A point's `lat` and `lon` attributes, six decimals; a longitude of 180
/// as -180 (GPX allows -180 up to, not including, 180).
fn lat_lon(at: LatLon) -> [(&'static str, String); 2] {
    let lon = if at.lon() >= 180.0 { -180.0 } else { at.lon() };
    [("lat", degrees(at.lat())), ("lon", degrees(lon))]
}

/// One waypoint.
struct Waypoint<'a> {
    /// Where: the device's best position.
    at: LatLon,
    /// The altitude there, whole metres.
    alt_m: Option<i32>,
    /// First seen, epoch seconds.
    time: Option<u64>,
    /// The SSID, else the BSSID (a client's: its MAC).
    name: &'a str,
    /// `BSSID ...; channel ...; encryption ...`.
    desc: String,
    /// The security class's id, or `client`.
    kind: &'a str,
}

/// The waypoint of a device at its best position; `None` when it has
/// none.
fn waypoint<'a>(input: &Input<'a>, device: Device<'a>) -> Option<Waypoint<'a>> {
    let place: Option<PlaceView> = match device {
        Device::Network(n) => n.place,
        Device::Client(c) => c.place,
    };
    let place = place?;
    let at = place.best?;
    let mut desc: Vec<String> = Vec::new();
    let (name, time, kind) = match device {
        Device::Network(n) => {
            if n.cloaked && known_ssid(n).is_none() {
                desc.push("hidden network".into());
            }
            desc.push(format!("BSSID {}", n.bssid));
            desc.extend(n.channel.map(|c| format!("channel {c}")));
            desc.push(format!("encryption {}", encryption_text(n)));
            let name = known_ssid(n).unwrap_or(&n.bssid);
            (name, n.first_seen, Security::of(n).id())
        }
        Device::Client(c) => {
            desc.push(format!("client of BSSID {}", c.bssid));
            let ssid = c.ssid.as_deref().filter(|s| !s.is_empty());
            desc.extend(ssid.map(|s| format!("SSID {s}")));
            let channel = input.network(&c.bssid).and_then(|n| n.channel);
            desc.extend(channel.map(|c| format!("channel {c}")));
            (c.mac.as_str(), c.first_seen, CLIENT_TYPE)
        }
    };
    Some(Waypoint {
        at,
        alt_m: place.best_alt_m,
        time,
        name,
        desc: desc.join("; "),
        kind,
    })
}

/// Writes a `<wpt>`.
fn write_waypoint<W: Write>(w: &mut Writer<W>, p: &Waypoint<'_>) -> io::Result<()> {
    let [lat, lon] = lat_lon(p.at);
    w.create_element("wpt")
        .with_attributes([(lat.0, lat.1.as_str()), (lon.0, lon.1.as_str())])
        .write_inner_content(|w| {
            if let Some(alt) = p.alt_m {
                text_element(w, "ele", &alt.to_string())?;
            }
            if let Some(time) = p.time.and_then(rfc3339) {
                text_element(w, "time", &time)?;
            }
            text_element(w, "name", p.name)?;
            text_element(w, "desc", &p.desc)?;
            text_element(w, "type", p.kind)
        })?;
    Ok(())
}

/// Writes the `<metadata>`: the export's title, and when it was written.
fn metadata<W: Write>(w: &mut Writer<W>, meta: &Meta) -> io::Result<()> {
    w.create_element("metadata").write_inner_content(|w| {
        text_element(w, "name", &title(meta))?;
        if let Some(time) = rfc3339(meta.written) {
            text_element(w, "time", &time)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Writes a `<trkpt>`.
fn track_point<W: Write>(w: &mut Writer<W>, p: &TrackPoint) -> io::Result<()> {
    let [lat, lon] = lat_lon(p.at);
    let element = w
        .create_element("trkpt")
        .with_attributes([(lat.0, lat.1.as_str()), (lon.0, lon.1.as_str())]);
    let time = rfc3339(p.time);
    if p.alt_m.is_none() && time.is_none() {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|w| {
        if let Some(alt) = p.alt_m {
            text_element(w, "ele", &alt.to_string())?;
        }
        if let Some(time) = &time {
            text_element(w, "time", time)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Writes the track, when it has points; the points written.
fn track<W: Write>(w: &mut Writer<W>, track: &[TrackPoint]) -> io::Result<usize> {
    if track.is_empty() {
        return Ok(0);
    }
    w.create_element("trk").write_inner_content(|w| {
        text_element(w, "name", TRACK_NAME)?;
        for segment in track_segments(track) {
            w.create_element("trkseg")
                .write_inner_content(|w| segment.iter().try_for_each(|p| track_point(w, p)))?;
        }
        Ok(())
    })?;
    Ok(track.len())
}

/// Writes the export.
pub(crate) fn write(
    input: &Input<'_>,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    let creator = xml_text(&input.meta.app);
    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("gpx")
        .with_attributes([
            ("version", "1.1"),
            ("creator", creator.as_ref()),
            ("xmlns", GPX_NS),
            ("xmlns:xsi", XSI_NS),
            ("xsi:schemaLocation", SCHEMA_LOCATION),
        ])
        .write_inner_content(|w| {
            metadata(w, input.meta)?;
            for device in input.devices(options.what) {
                match waypoint(input, device) {
                    Some(p) => {
                        write_waypoint(w, &p)?;
                        summary.written += 1;
                    }
                    None => summary.without_position += 1,
                }
            }
            summary.track_points = track(w, &input.history.track)?;
            Ok(())
        })?;
    w.get_mut().write_all(b"\n")?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::testing::*;
    use crate::What;

    /// The export of `fixture` with devices of `what`, as written.
    fn export(fixture: &Fixture, what: What) -> (Summary, Vec<u8>) {
        let mut out = Vec::new();
        let options = Options {
            what,
            ..Options::default()
        };
        let summary = write(&fixture.input(), &options, &mut out).unwrap();
        (summary, out)
    }

    /// The export read by the `gpx` crate.
    fn read_gpx(out: &[u8]) -> gpx::Gpx {
        gpx::read(out).expect("a GPX the gpx crate reads")
    }

    /// The waypoint named `name`.
    fn waypoint_named<'a>(doc: &'a gpx::Gpx, name: &str) -> &'a gpx::Waypoint {
        let named: Vec<_> = (doc.waypoints.iter())
            .filter(|w| w.name.as_deref() == Some(name))
            .collect();
        assert_eq!(named.len(), 1, "one waypoint named {name:?}");
        named[0]
    }

    #[test]
    fn gpx_root_is_gpx_1_1_with_creator_and_metadata() {
        let (_, out) = export(&fixture(), What::Networks);
        let root = parse(&out);
        assert_eq!(root.name, "gpx");
        assert_eq!(root.attr("version"), Some("1.1"));
        assert_eq!(root.attr("creator"), Some("kismet-shell 0.1.0"));
        assert_eq!(
            root.attr("xmlns"),
            Some("http://www.topografix.com/GPX/1/1")
        );
        let doc = read_gpx(&out);
        assert_eq!(doc.version, gpx::GpxVersion::Gpx11);
        assert_eq!(doc.creator.as_deref(), Some("kismet-shell 0.1.0"));
        let metadata = doc.metadata.expect("metadata");
        assert_eq!(
            metadata.name.as_deref(),
            Some("localhost:2501, by kismet-shell 0.1.0")
        );
        let time = root.child("metadata").unwrap().child_text("time");
        assert_eq!(time, Some("2016-07-24T11:00:00Z"));
    }

    /// metadata, then every wpt, then the trk; in a waypoint ele, time,
    /// name, desc, type.
    #[test]
    fn gpx_elements_follow_the_schema_order() {
        let (_, out) = export(&fixture(), What::All);
        let root = parse(&out);
        let names: Vec<&str> = root.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["metadata", "wpt", "wpt", "wpt", "wpt", "trk"]);
        let order = ["ele", "time", "name", "desc", "type"];
        for wpt in root.children_named("wpt") {
            let names: Vec<&str> = wpt.children.iter().map(|c| c.name.as_str()).collect();
            let expected: Vec<&str> = (order.iter().copied())
                .filter(|n| names.contains(n))
                .collect();
            assert_eq!(names, expected);
            assert!(names.ends_with(&["name", "desc", "type"]), "{names:?}");
        }
        let trk = root.child("trk").unwrap();
        let names: Vec<&str> = trk.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["name", "trkseg", "trkseg"]);
    }

    /// `lat` and `lon` attributes each get their own value: swapping them
    /// fails this.
    #[test]
    fn gpx_waypoints_carry_latitude_and_longitude_in_their_attributes() {
        let (_, out) = export(&fixture(), What::Networks);
        let root = parse(&out);
        let wpt = (root.children_named("wpt"))
            .find(|w| w.child_text("name") == Some(ODD_SSID_READ))
            .unwrap();
        assert_eq!(wpt.attr("lat"), Some("45.523064"));
        assert_eq!(wpt.attr("lon"), Some("-122.676483"));
        assert_eq!(wpt.child_text("ele"), Some("15"));
        assert_eq!(wpt.child_text("time"), Some("2016-07-24T10:00:00Z"));
        assert_eq!(
            wpt.child_text("desc"),
            Some("BSSID 00:11:22:33:44:01; channel 6; encryption WPA2 CCMP PSK")
        );
        assert_eq!(wpt.child_text("type"), Some("wpa"));

        let doc = read_gpx(&out);
        let odd = waypoint_named(&doc, ODD_SSID_READ);
        assert_eq!(odd.point().y(), 45.523064, "latitude");
        assert_eq!(odd.point().x(), -122.676483, "longitude");
        assert_eq!(odd.elevation, Some(15.0));
        assert_eq!(odd.type_.as_deref(), Some("wpa"));
        let time = odd.time.expect("a time").format().unwrap();
        assert!(time.starts_with("2016-07-24T10:00:00"), "{time}");
    }

    /// The name reads back as the SSID, the control character as U+FFFD.
    #[test]
    fn gpx_escaping_round_trips_an_ssid_with_markup_and_a_control_character() {
        let (_, out) = export(&fixture(), What::All);
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.contains("<name>Caf\u{e9} &lt;&amp;&gt; &quot;q&quot; \u{FFFD}end</name>"));
        let root = parse(&out);
        let names: Vec<&str> = (root.children_named("wpt"))
            .map(|w| w.child_text("name").unwrap())
            .collect();
        assert!(names.contains(&ODD_SSID_READ), "{names:?}");
        let doc = read_gpx(&out);
        waypoint_named(&doc, ODD_SSID_READ);
        let client = waypoint_named(&doc, CLIENT_MAC);
        assert_eq!(
            client.description.as_deref(),
            Some(format!("client of BSSID {ODD_BSSID}; SSID {ODD_SSID_READ}; channel 6").as_str())
        );
    }

    /// A hidden network and an unnamed one are named by their BSSID; their
    /// types are their classes.
    #[test]
    fn gpx_names_networks_without_an_ssid_by_bssid() {
        let (_, out) = export(&fixture(), What::Networks);
        let doc = read_gpx(&out);
        let hidden = waypoint_named(&doc, HIDDEN_BSSID);
        assert_eq!(hidden.type_.as_deref(), Some("open"));
        assert_eq!(hidden.elevation, None);
        assert_eq!(
            hidden.description.as_deref(),
            Some("hidden network; BSSID 00:11:22:33:44:02; channel 11; encryption OPN")
        );
        assert_eq!((hidden.point().y(), hidden.point().x()), (45.524, -122.677));
        let unnamed = waypoint_named(&doc, UNNAMED_BSSID);
        assert_eq!(unnamed.type_.as_deref(), Some("unknown"));
        assert_eq!(unnamed.time, None);
    }

    /// The network without a position is counted, not written; the
    /// probing station and the access point's own client record are
    /// neither.
    #[test]
    fn gpx_counts_devices_without_a_position_and_leaves_them_out() {
        let (summary, out) = export(&fixture(), What::Networks);
        assert_eq!((summary.written, summary.without_position), (3, 1));
        assert_eq!(read_gpx(&out).waypoints.len(), 3);

        let (summary, out) = export(&fixture(), What::All);
        assert_eq!((summary.written, summary.without_position), (4, 1));
        let doc = read_gpx(&out);
        assert_eq!(doc.waypoints.len(), 4);
        let names: Vec<&str> = (doc.waypoints.iter())
            .filter_map(|w| w.name.as_deref())
            .collect();
        assert!(!names.contains(&"Nowhere") && !names.contains(&"Probed"));
        assert!(!names.contains(&NOWHERE_BSSID) && !names.contains(&PROBE_BSSID));
        let client = waypoint_named(&doc, CLIENT_MAC);
        assert_eq!(client.type_.as_deref(), Some("client"));
        assert_eq!(
            (client.point().y(), client.point().x()),
            (45.5235, -122.676)
        );
        assert_eq!(client.elevation, Some(12.0));

        let (summary, out) = export(&fixture(), What::Clients);
        assert_eq!((summary.written, summary.without_position), (1, 0));
        assert_eq!(read_gpx(&out).waypoints.len(), 1);
    }

    /// One trk, a trkseg per segment, each point with its latitude,
    /// longitude, elevation (when known) and time.
    #[test]
    fn gpx_track_has_a_trkseg_per_segment_with_elevations_and_times() {
        let (summary, out) = export(&fixture(), What::Networks);
        assert_eq!(summary.track_points, 5);
        let doc = read_gpx(&out);
        assert_eq!(doc.tracks.len(), 1);
        let track = &doc.tracks[0];
        assert_eq!(track.name.as_deref(), Some("GPS track"));
        let segments: Vec<Vec<(f64, f64, Option<f64>)>> = (track.segments.iter())
            .map(|s| {
                (s.points.iter())
                    .map(|p| (p.point().y(), p.point().x(), p.elevation))
                    .collect()
            })
            .collect();
        assert_eq!(
            segments,
            [
                vec![
                    (45.52, -122.67, Some(10.0)),
                    (45.521, -122.671, Some(11.0)),
                    (45.522, -122.672, None),
                ],
                vec![(45.53, -122.68, Some(20.0)), (45.531, -122.681, Some(21.0))],
            ]
        );
        let root = parse(&out);
        let trk = root.child("trk").unwrap();
        let first = trk.child("trkseg").unwrap().child("trkpt").unwrap();
        assert_eq!(
            (first.attr("lat"), first.attr("lon")),
            (Some("45.520000"), Some("-122.670000"))
        );
        let times: Vec<&str> = trk
            .descendants("trkpt")
            .into_iter()
            .map(|p| p.child_text("time").unwrap())
            .collect();
        assert_eq!(
            times,
            [
                "2016-07-24T10:00:00Z",
                "2016-07-24T10:00:01Z",
                "2016-07-24T10:00:02Z",
                "2016-07-24T10:00:10Z",
                "2016-07-24T10:00:11Z",
            ]
        );
    }

    /// A segment of one point is kept (a GPX segment needs no line); no
    /// points, no trk.
    #[test]
    fn gpx_track_keeps_one_point_segments_and_is_left_out_when_empty() {
        let mut fixture = fixture();
        fixture.history.track = vec![
            point(45.52, -122.67, None, T0, true),
            point(45.521, -122.671, None, T0 + 1, false),
            point(45.53, -122.68, None, T0 + 10, true),
        ];
        let (summary, out) = export(&fixture, What::Networks);
        assert_eq!(summary.track_points, 3);
        let doc = read_gpx(&out);
        let lengths: Vec<usize> = doc.tracks[0]
            .segments
            .iter()
            .map(|s| s.points.len())
            .collect();
        assert_eq!(lengths, [2, 1]);

        fixture.history.track.clear();
        let (summary, out) = export(&fixture, What::Networks);
        assert_eq!(summary.track_points, 0);
        assert!(read_gpx(&out).tracks.is_empty());
        assert!(parse(&out).child("trk").is_none());
    }

    /// GPX allows longitudes up to, not including, 180: the meridian is
    /// written -180.
    #[test]
    fn gpx_writes_longitude_180_as_minus_180() {
        let mut fixture = fixture();
        fixture.history.track = vec![
            point(10.0, 180.0, None, T0, true),
            point(10.0, 179.5, None, T0 + 1, false),
        ];
        let (_, out) = export(&fixture, What::Networks);
        let root = parse(&out);
        let lons: Vec<&str> = (root.descendants("trkpt").into_iter())
            .map(|p| p.attr("lon").unwrap())
            .collect();
        assert_eq!(lons, ["-180.000000", "179.500000"]);
        read_gpx(&out);
    }

    proptest! {
        /// Any SSID gives a GPX both readers read, its name as written but
        /// for what XML forbids.
        #[test]
        fn gpx_any_ssid_reads_back_as_written_but_for_what_xml_forbids(ssid in "(?s).{1,32}") {
            let mut fixture = fixture();
            fixture.snapshot.networks[0].ssid = Some(ssid.clone());
            let (_, out) = export(&fixture, What::Networks);
            let root = parse(&out);
            let wpt = root.children_named("wpt")
                .find(|w| w.child_text("type") == Some("wpa"))
                .unwrap();
            let expected = xml_text(&ssid);
            prop_assert_eq!(wpt.child_text("name"), Some(expected.as_ref()));
            prop_assert!(gpx::read(out.as_slice()).is_ok());
        }
    }
}
