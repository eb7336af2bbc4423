//! OGC KML 2.2: one Document with a style per encryption class, a Folder
//! per class holding a Placemark per network at its best position, a
//! `Clients` folder when clients are asked for, and the GPS track as a
//! LineString (a MultiGeometry of them when the fix was lost on the way;
//! a segment of one point is left out). Empty folders are left out.
//!
//! Coordinates are `lon,lat` or `lon,lat,alt`: longitude first, six
//! decimals. Altitudes are written but the default `clampToGround` is
//! kept, so the marks sit on the map's ground.
//!
//! Descriptions are HTML, as Google Earth shows them: a `label: value`
//! line per value known, every value HTML-escaped, so an SSID with markup
//! in it shows as text (and runs no script). The XML is written with
//! quick-xml, which escapes the text; what XML forbids (an SSID is any 32
//! bytes) is written as U+FFFD.

use std::io::{self, Write};

use kismet_client::{ClientView, LatLon, NetworkView, PlaceView, TrackPoint};
use quick_xml::escape::escape;
use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;

use crate::common::{
    degrees, encryption_text, known_ssid, rfc3339, text_element, title, track_segments,
    xml_event_text, Security,
};
use crate::{Input, Meta, Options, Summary};

/// The KML 2.2 namespace.
const KML_NS: &str = "http://www.opengis.net/kml/2.2";

/// The icon every mark has (white, so a style's colour tints it).
const ICON: &str = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png";

/// The style id of clients' marks.
const CLIENT_STYLE: &str = "client";

/// The style id of the track.
const TRACK_STYLE: &str = "track";

/// The name of the clients' folder.
const CLIENTS_FOLDER: &str = "Clients";

/// The name of the track's placemark.
const TRACK_NAME: &str = "GPS track";

/// The icon colour of a class, as KML writes colours (`aabbggrr`): open
/// green, WEP yellow, WPA red, unknown grey.
fn colour(class: Security) -> &'static str {
    match class {
        Security::Open => "ff00ff00",
        Security::Wep => "ff00ffff",
        Security::Wpa => "ff0000ff",
        Security::Unknown => "ffaaaaaa",
    }
}

/// The icon colour of clients: cyan.
const CLIENT_COLOUR: &str = "ffffff00";

/// The colour of the track's line: blue.
const TRACK_COLOUR: &str = "ffff0000";

/// A point as KML orders it: `lon,lat` or `lon,lat,alt`.
fn coordinates(at: LatLon, alt_m: Option<i32>) -> String {
    match alt_m {
        Some(alt) => format!("{},{},{alt}", degrees(at.lon()), degrees(at.lat())),
        None => format!("{},{}", degrees(at.lon()), degrees(at.lat())),
    }
}

/// A device's best position and the altitude there, when it has one.
fn best(place: Option<PlaceView>) -> Option<(LatLon, Option<i32>)> {
    let place = place?;
    Some((place.best?, place.best_alt_m))
}

/// HTML of `label: value` lines, for the values known; each value
/// HTML-escaped.
fn html_lines(lines: &[(&str, Option<String>)]) -> String {
    let mut out = String::new();
    for (label, value) in lines {
        let Some(value) = value else {
            continue;
        };
        if !out.is_empty() {
            out.push_str("<br>\n");
        }
        out.push_str(label);
        out.push_str(": ");
        out.push_str(&escape(value.as_str()));
    }
    out
}

/// One mark on the map.
struct Mark<'a> {
    /// The text beside it.
    name: &'a str,
    /// HTML: `label: value` lines.
    description: String,
    /// The id of its style.
    style: &'a str,
    /// Where: the device's best position.
    at: LatLon,
    /// The altitude there, whole metres.
    alt_m: Option<i32>,
}

/// A network's mark: named by its SSID, `<hidden>` when cloaked and not
/// known, else by its BSSID.
fn network_mark(n: &NetworkView, at: LatLon, alt_m: Option<i32>) -> Mark<'_> {
    let ssid = known_ssid(n).or(n.cloaked.then_some("<hidden>"));
    let description = html_lines(&[
        ("SSID", ssid.map(str::to_string)),
        ("BSSID", Some(n.bssid.clone())),
        ("Channel", n.channel.map(|c| c.to_string())),
        ("Encryption", Some(encryption_text(n))),
        ("Manufacturer", n.manuf.clone()),
        ("Clients", Some(n.clients.to_string())),
        ("First seen", n.first_seen.and_then(rfc3339)),
        ("Last seen", n.last_seen.and_then(rfc3339)),
    ]);
    Mark {
        name: ssid.unwrap_or(&n.bssid),
        description,
        style: Security::of(n).id(),
        at,
        alt_m,
    }
}

/// A client's mark, named by its MAC.
fn client_mark(c: &ClientView, at: LatLon, alt_m: Option<i32>) -> Mark<'_> {
    let description = html_lines(&[
        ("MAC", Some(c.mac.clone())),
        ("BSSID", Some(c.bssid.clone())),
        ("SSID", c.ssid.clone()),
        ("Manufacturer", c.manuf.clone()),
        ("IP", c.ip.clone()),
        ("First seen", c.first_seen.and_then(rfc3339)),
        ("Last seen", c.last_seen.and_then(rfc3339)),
    ]);
    Mark {
        name: &c.mac,
        description,
        style: CLIENT_STYLE,
        at,
        alt_m,
    }
}

/// Writes a `<Placemark>` with a `<Point>`.
fn placemark<W: Write>(w: &mut Writer<W>, mark: &Mark<'_>) -> io::Result<()> {
    w.create_element("Placemark").write_inner_content(|w| {
        text_element(w, "name", mark.name)?;
        text_element(w, "description", &mark.description)?;
        text_element(w, "styleUrl", &format!("#{}", mark.style))?;
        w.create_element("Point").write_inner_content(|w| {
            text_element(w, "coordinates", &coordinates(mark.at, mark.alt_m))
        })?;
        Ok(())
    })?;
    Ok(())
}

/// Writes a `<Folder>` named `name` holding `marks`; nothing when there
/// are none.
fn folder<'a, 'm: 'a, W: Write>(
    w: &mut Writer<W>,
    name: &str,
    marks: impl IntoIterator<Item = &'a Mark<'m>>,
) -> io::Result<()> {
    let mut marks = marks.into_iter().peekable();
    if marks.peek().is_none() {
        return Ok(());
    }
    w.create_element("Folder").write_inner_content(|w| {
        text_element(w, "name", name)?;
        marks.try_for_each(|m| placemark(w, m))
    })?;
    Ok(())
}

/// Writes a `<Style>` of an icon of `colour`.
fn icon_style<W: Write>(w: &mut Writer<W>, id: &str, colour: &str) -> io::Result<()> {
    w.create_element("Style")
        .with_attribute(("id", id))
        .write_inner_content(|w| {
            w.create_element("IconStyle").write_inner_content(|w| {
                text_element(w, "color", colour)?;
                w.create_element("Icon")
                    .write_inner_content(|w| text_element(w, "href", ICON))?;
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

/// Writes the styles: one per encryption class, the clients' and the
/// track's.
fn styles<W: Write>(w: &mut Writer<W>) -> io::Result<()> {
    for class in Security::ALL {
        icon_style(w, class.id(), colour(class))?;
    }
    icon_style(w, CLIENT_STYLE, CLIENT_COLOUR)?;
    w.create_element("Style")
        .with_attribute(("id", TRACK_STYLE))
        .write_inner_content(|w| {
            w.create_element("LineStyle").write_inner_content(|w| {
                text_element(w, "color", TRACK_COLOUR)?;
                text_element(w, "width", "3")
            })?;
            Ok(())
        })?;
    Ok(())
}

/// Writes the Document's name and description (who wrote it, from where,
/// when).
fn header<W: Write>(w: &mut Writer<W>, meta: &Meta) -> io::Result<()> {
    text_element(w, "name", &title(meta))?;
    let description = html_lines(&[
        ("Source", Some(meta.source.clone())),
        ("Written by", Some(meta.app.clone())),
        ("Written", rfc3339(meta.written)),
    ]);
    text_element(w, "description", &description)
}

/// Writes a `<LineString>` of a segment of the track.
fn line_string<W: Write>(w: &mut Writer<W>, segment: &[TrackPoint]) -> io::Result<()> {
    w.create_element("LineString").write_inner_content(|w| {
        text_element(w, "tessellate", "1")?;
        w.create_element("coordinates").write_inner_content(|w| {
            // A text event a point: the track may hold a million.
            for (i, p) in segment.iter().enumerate() {
                let sep = if i == 0 { "" } else { " " };
                let point = coordinates(p.at, p.alt_m.map(i32::from));
                w.write_event(Event::Text(xml_event_text(&format!("{sep}{point}"))))?;
            }
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

/// Writes the track's placemark, when it has a line to draw; the points
/// written.
fn track<W: Write>(w: &mut Writer<W>, track: &[TrackPoint]) -> io::Result<usize> {
    let lines: Vec<&[TrackPoint]> = track_segments(track).filter(|s| s.len() >= 2).collect();
    if lines.is_empty() {
        return Ok(0);
    }
    let points: usize = lines.iter().map(|l| l.len()).sum();
    let start = lines.first().and_then(|l| l.first()).map(|p| p.time);
    let end = lines.last().and_then(|l| l.last()).map(|p| p.time);
    let description = html_lines(&[
        ("Points", Some(points.to_string())),
        ("Segments", Some(lines.len().to_string())),
        ("Start", start.and_then(rfc3339)),
        ("End", end.and_then(rfc3339)),
    ]);
    w.create_element("Placemark").write_inner_content(|w| {
        text_element(w, "name", TRACK_NAME)?;
        text_element(w, "description", &description)?;
        text_element(w, "styleUrl", &format!("#{TRACK_STYLE}"))?;
        match lines.as_slice() {
            [one] => line_string(w, one),
            many => {
                w.create_element("MultiGeometry")
                    .write_inner_content(|w| many.iter().try_for_each(|l| line_string(w, l)))?;
                Ok(())
            }
        }
    })?;
    Ok(points)
}

/// Writes the export.
pub(crate) fn write(
    input: &Input<'_>,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    let mut networks: Vec<(Security, Mark<'_>)> = Vec::new();
    for n in input.networks(options.what) {
        match best(n.place) {
            Some((at, alt)) => networks.push((Security::of(n), network_mark(n, at, alt))),
            None => summary.without_position += 1,
        }
    }
    let mut clients: Vec<Mark<'_>> = Vec::new();
    for c in input.clients(options.what) {
        match best(c.place) {
            Some((at, alt)) => clients.push(client_mark(c, at, alt)),
            None => summary.without_position += 1,
        }
    }
    summary.written = networks.len() + clients.len();

    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("kml")
        .with_attribute(("xmlns", KML_NS))
        .write_inner_content(|w| {
            w.create_element("Document").write_inner_content(|w| {
                header(w, input.meta)?;
                styles(w)?;
                for class in Security::ALL {
                    let marks = networks.iter().filter(|(c, _)| *c == class);
                    folder(w, class.title(), marks.map(|(_, m)| m))?;
                }
                folder(w, CLIENTS_FOLDER, &clients)?;
                summary.track_points = track(w, &input.history.track)?;
                Ok(())
            })?;
            Ok(())
        })?;
    w.get_mut().write_all(b"\n")?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use quick_xml::escape::unescape;

    use super::*;
    use crate::testing::*;
    use crate::What;

    /// The export of `fixture` with devices of `what`, read back.
    fn export(fixture: &Fixture, what: What) -> (Summary, Element) {
        let mut out = Vec::new();
        let options = Options {
            what,
            ..Options::default()
        };
        let summary = write(&fixture.input(), &options, &mut out).unwrap();
        (summary, parse(&out))
    }

    /// The Document of a KML root.
    fn document(kml: &Element) -> &Element {
        kml.child("Document").expect("a Document")
    }

    /// The placemark named `name`, anywhere.
    fn placemark<'a>(kml: &'a Element, name: &str) -> &'a Element {
        let found = kml.descendants("Placemark");
        let named: Vec<_> = found
            .into_iter()
            .filter(|p| p.child_text("name") == Some(name))
            .collect();
        assert_eq!(named.len(), 1, "one placemark named {name:?}");
        named[0]
    }

    /// A placemark's point coordinates.
    fn point_coordinates(p: &Element) -> &str {
        let point = p.child("Point").expect("a Point");
        point.child_text("coordinates").expect("coordinates")
    }

    /// The value of the `label: value` line of an HTML description,
    /// HTML-unescaped.
    fn description_value(description: &str, label: &str) -> Option<String> {
        description
            .split("<br>\n")
            .find_map(|line| line.strip_prefix(&format!("{label}: ")))
            .map(|v| unescape(v).unwrap().into_owned())
    }

    #[test]
    fn kml_root_is_kml_2_2_with_one_named_document() {
        let (_, kml) = export(&fixture(), What::Networks);
        assert_eq!(kml.name, "kml");
        assert_eq!(kml.attr("xmlns"), Some("http://www.opengis.net/kml/2.2"));
        assert_eq!(kml.children.len(), 1);
        let doc = document(&kml);
        assert_eq!(
            doc.child_text("name"),
            Some("localhost:2501, by kismet-shell 0.1.0")
        );
        let description = doc.child_text("description").unwrap();
        assert_eq!(
            description_value(description, "Written").as_deref(),
            Some("2016-07-24T11:00:00Z")
        );
    }

    /// Folders by encryption class, in `Security::ALL`'s order, empty ones
    /// (WEP: its only network has no position) left out.
    #[test]
    fn kml_has_a_folder_per_encryption_class_with_networks() {
        let (_, kml) = export(&fixture(), What::Networks);
        let folders: Vec<(&str, Vec<&str>)> = document(&kml)
            .children_named("Folder")
            .map(|f| {
                let names = f.children_named("Placemark");
                let names = names.map(|p| p.child_text("name").unwrap()).collect();
                (f.child_text("name").unwrap(), names)
            })
            .collect();
        assert_eq!(
            folders,
            [
                ("Open", vec!["<hidden>"]),
                ("WPA/WPA2", vec![ODD_SSID_READ]),
                ("Unknown encryption", vec![UNNAMED_BSSID]),
            ]
        );
    }

    /// Longitude first: swapping latitude and longitude fails this.
    #[test]
    fn kml_coordinates_are_longitude_latitude_altitude() {
        let (_, kml) = export(&fixture(), What::Networks);
        let odd = placemark(&kml, ODD_SSID_READ);
        assert_eq!(point_coordinates(odd), "-122.676483,45.523064,15");
        let hidden = placemark(&kml, "<hidden>");
        assert_eq!(point_coordinates(hidden), "-122.677000,45.524000");
        let values: Vec<f64> = point_coordinates(odd)
            .split(',')
            .map(|v| v.parse().unwrap())
            .collect();
        assert_eq!(values, [-122.676483, 45.523064, 15.0]);
    }

    #[test]
    fn kml_names_hidden_networks_hidden_and_unnamed_ones_by_bssid() {
        let (_, kml) = export(&fixture(), What::Networks);
        let hidden = placemark(&kml, "<hidden>");
        let description = hidden.child_text("description").unwrap();
        assert_eq!(
            description_value(description, "BSSID").as_deref(),
            Some(HIDDEN_BSSID)
        );
        assert_eq!(hidden.child_text("styleUrl"), Some("#open"));
        let unnamed = placemark(&kml, UNNAMED_BSSID);
        assert_eq!(unnamed.child_text("styleUrl"), Some("#unknown"));
        let description = unnamed.child_text("description").unwrap();
        assert_eq!(description_value(description, "SSID"), None);
        assert_eq!(
            description_value(description, "Encryption").as_deref(),
            Some("unknown")
        );
    }

    /// The name reads back as the SSID (the control character as
    /// U+FFFD); the HTML description holds it escaped once more, so its
    /// markup shows as text.
    #[test]
    fn kml_escaping_round_trips_an_ssid_with_markup_and_a_control_character() {
        let fixture = fixture();
        let mut out = Vec::new();
        write(&fixture.input(), &Options::default(), &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.contains("Caf\u{e9} &lt;&amp;&gt; &quot;q&quot; \u{FFFD}end"));
        assert!(text.contains("&amp;lt;&amp;amp;&amp;gt;"), "HTML-escaped");
        let kml = parse(&out);
        let odd = placemark(&kml, ODD_SSID_READ);
        let description = odd.child_text("description").unwrap();
        assert!(description.contains("SSID: Caf\u{e9} &lt;&amp;&gt; &quot;q&quot; \u{FFFD}end"));
        assert!(!description.contains("<&>"));
        let value = |label| description_value(description, label);
        assert_eq!(value("SSID").as_deref(), Some(ODD_SSID_READ));
        assert_eq!(value("BSSID").as_deref(), Some(ODD_BSSID));
        assert_eq!(value("Channel").as_deref(), Some("6"));
        assert_eq!(value("Encryption").as_deref(), Some("WPA2 CCMP PSK"));
        assert_eq!(value("Manufacturer").as_deref(), Some("Cisco"));
        assert_eq!(value("Clients").as_deref(), Some("1"));
        assert_eq!(value("First seen").as_deref(), Some("2016-07-24T10:00:00Z"));
        assert_eq!(value("Last seen").as_deref(), Some("2016-07-24T10:01:00Z"));
    }

    /// The network without a position is counted, not written; the
    /// probing station is neither; placemarks are counted, the track's
    /// not among them.
    #[test]
    fn kml_counts_devices_without_a_position_and_leaves_them_out() {
        let (summary, kml) = export(&fixture(), What::Networks);
        assert_eq!(summary.written, 3);
        assert_eq!(summary.without_position, 1);
        let names: Vec<&str> = (kml.descendants("Placemark").into_iter())
            .map(|p| p.child_text("name").unwrap())
            .collect();
        assert_eq!(names.len(), 3 + 1, "networks and the track");
        assert!(!names.contains(&"Nowhere"));
        assert!(!names.contains(&"Probed"));
        assert!(!names.contains(&NOWHERE_BSSID) && !names.contains(&PROBE_BSSID));
        assert!(!names.contains(&CLIENT_MAC));
    }

    /// Clients in a folder of their own, without the access point's
    /// record of itself.
    #[test]
    fn kml_clients_folder_holds_clients_at_their_best_position() {
        let (summary, kml) = export(&fixture(), What::All);
        assert_eq!(summary.written, 4);
        assert_eq!(summary.without_position, 1);
        let folders: Vec<&Element> = document(&kml).children_named("Folder").collect();
        let clients = folders.last().unwrap();
        assert_eq!(clients.child_text("name"), Some("Clients"));
        let marks: Vec<&Element> = clients.children_named("Placemark").collect();
        assert_eq!(marks.len(), 1);
        assert_eq!(marks[0].child_text("name"), Some(CLIENT_MAC));
        assert_eq!(marks[0].child_text("styleUrl"), Some("#client"));
        assert_eq!(point_coordinates(marks[0]), "-122.676000,45.523500,12");
        let description = marks[0].child_text("description").unwrap();
        assert_eq!(
            description_value(description, "SSID").as_deref(),
            Some(ODD_SSID_READ)
        );

        let (summary, kml) = export(&fixture(), What::Clients);
        assert_eq!((summary.written, summary.without_position), (1, 0));
        let folders: Vec<&Element> = document(&kml).children_named("Folder").collect();
        assert_eq!(folders.len(), 1);
    }

    /// Each style a placemark names is defined, with its own colour.
    #[test]
    fn kml_styles_are_defined_with_distinct_colours() {
        let (_, kml) = export(&fixture(), What::All);
        let doc = document(&kml);
        let styles: Vec<(&str, &str)> = doc
            .children_named("Style")
            .map(|s| {
                let colour = (s.child("IconStyle").or(s.child("LineStyle")))
                    .and_then(|c| c.child_text("color"))
                    .unwrap();
                (s.attr("id").unwrap(), colour)
            })
            .collect();
        let ids: Vec<&str> = styles.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, ["open", "wep", "wpa", "unknown", "client", "track"]);
        let mut colours: Vec<&str> = styles.iter().map(|(_, c)| *c).collect();
        colours.sort_unstable();
        colours.dedup();
        assert_eq!(colours.len(), styles.len());
        for p in kml.descendants("Placemark") {
            let url = p.child_text("styleUrl").unwrap();
            assert!(ids.contains(&url.trim_start_matches('#')), "{url}");
        }
    }

    /// Two segments: a MultiGeometry of two LineStrings, `lon,lat[,alt]`
    /// tuples split by spaces.
    #[test]
    fn kml_track_is_a_linestring_per_segment_longitude_first() {
        let (summary, kml) = export(&fixture(), What::Networks);
        assert_eq!(summary.track_points, 5);
        let track = placemark(&kml, "GPS track");
        assert_eq!(track.child_text("styleUrl"), Some("#track"));
        let multi = track.child("MultiGeometry").expect("a MultiGeometry");
        let lines: Vec<Vec<&str>> = multi
            .children_named("LineString")
            .map(|l| {
                let coordinates = l.child_text("coordinates").unwrap();
                coordinates.split_whitespace().collect()
            })
            .collect();
        assert_eq!(
            lines,
            [
                vec![
                    "-122.670000,45.520000,10",
                    "-122.671000,45.521000,11",
                    "-122.672000,45.522000",
                ],
                vec!["-122.680000,45.530000,20", "-122.681000,45.531000,21"],
            ]
        );
    }

    /// A segment of one point draws no line: left out, and not counted;
    /// one segment left is a plain LineString; no line, no placemark.
    #[test]
    fn kml_track_leaves_out_one_point_segments() {
        let mut fixture = fixture();
        fixture.history.track = vec![
            point(45.52, -122.67, None, T0, true),
            point(45.521, -122.671, None, T0 + 1, false),
            point(45.53, -122.68, None, T0 + 10, true),
        ];
        let (summary, kml) = export(&fixture, What::Networks);
        assert_eq!(summary.track_points, 2);
        let track = placemark(&kml, "GPS track");
        assert!(track.child("MultiGeometry").is_none());
        let line = track.child("LineString").expect("a LineString");
        assert_eq!(
            line.child_text("coordinates"),
            Some("-122.670000,45.520000 -122.671000,45.521000")
        );

        fixture.history.track.truncate(1);
        let (summary, kml) = export(&fixture, What::Networks);
        assert_eq!(summary.track_points, 0);
        let names: Vec<&str> = (kml.descendants("Placemark").into_iter())
            .map(|p| p.child_text("name").unwrap())
            .collect();
        assert!(!names.contains(&"GPS track"));
    }

    /// Nothing to show is still a document: no folders, no track.
    #[test]
    fn kml_of_an_empty_model_is_an_empty_document() {
        let empty = Fixture {
            snapshot: Default::default(),
            history: Default::default(),
            meta: fixture().meta,
        };
        let (summary, kml) = export(&empty, What::All);
        assert_eq!(summary, Summary::default());
        let doc = document(&kml);
        assert_eq!(doc.children_named("Folder").count(), 0);
        assert_eq!(doc.children_named("Placemark").count(), 0);
    }

    proptest! {
        /// Any SSID gives well-formed XML, and reads back as written but
        /// for what XML forbids.
        #[test]
        fn kml_any_ssid_reads_back_as_written_but_for_what_xml_forbids(ssid in "(?s).{1,32}") {
            let mut fixture = fixture();
            fixture.snapshot.networks[0].ssid = Some(ssid.clone());
            let (_, kml) = export(&fixture, What::Networks);
            let wpa = document(&kml).children_named("Folder")
                .find(|f| f.child_text("name") == Some("WPA/WPA2"))
                .unwrap();
            let mark = wpa.child("Placemark").unwrap();
            let expected = crate::common::xml_text(&ssid);
            prop_assert_eq!(mark.child_text("name"), Some(expected.as_ref()));
            let description = mark.child_text("description").unwrap();
            let in_description = description_value(description, "SSID");
            prop_assert_eq!(in_description.as_deref(), Some(expected.as_ref()));
        }
    }
}
