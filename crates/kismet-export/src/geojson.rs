//! GeoJSON (RFC 7946): a FeatureCollection with a Point per device at its
//! best position (longitude first, then latitude, then the altitude when
//! known) and its decoded values as properties, and the GPS track as a
//! LineString (a MultiLineString when the fix was lost on the way).
//! Written a feature at a time.

use std::io::{self, Write};

use kismet_client::{ClientView, LatLon, NetworkView, PlaceView, TrackPoint};
use kismet_protocol::decode::{client_type_name, network_type_name};
use serde_json::{json, Map, Value};

use crate::common::{frequency_mhz, rfc3339, track_segments};
use crate::{Device, Input, Options, Summary};

/// A position as RFC 7946 orders it: `[lon, lat]` or `[lon, lat, alt]`.
fn position(at: LatLon, alt_m: Option<i32>) -> Value {
    match alt_m {
        Some(alt) => json!([at.lon(), at.lat(), alt]),
        None => json!([at.lon(), at.lat()]),
    }
}

/// The properties every device has: where and when it was seen.
fn place_properties(
    props: &mut Map<String, Value>,
    place: &PlaceView,
    first: Option<u64>,
    last: Option<u64>,
) {
    props.insert("first_seen".into(), json!(first.and_then(rfc3339)));
    props.insert("last_seen".into(), json!(last.and_then(rfc3339)));
    props.insert("best_signal_dbm".into(), json!(place.best_signal_dbm));
    props.insert("avg_lat".into(), json!(place.average.map(LatLon::lat)));
    props.insert("avg_lon".into(), json!(place.average.map(LatLon::lon)));
    props.insert("gps_points".into(), json!(place.gps_points));
    props.insert("position_source".into(), json!(place.source.name()));
}

fn network_properties(n: &NetworkView, place: &PlaceView) -> Map<String, Value> {
    let known = n.cryptset.is_some();
    let mut p = Map::new();
    p.insert("kind".into(), json!("network"));
    p.insert("bssid".into(), json!(n.bssid));
    p.insert("ssid".into(), json!(n.ssid));
    p.insert("cloaked".into(), json!(n.cloaked));
    p.insert("type".into(), json!(n.network_type.map(network_type_name)));
    p.insert("channel".into(), json!(n.channel));
    p.insert(
        "frequency_mhz".into(),
        json!(n.channel.and_then(frequency_mhz)),
    );
    p.insert(
        "encryption".into(),
        json!(known.then_some(n.encryption.enc)),
    );
    let part = |s: &'static str| (known && !s.is_empty()).then_some(s);
    p.insert("cipher".into(), json!(part(n.encryption.cipher)));
    p.insert("auth".into(), json!(part(n.encryption.auth)));
    p.insert("manuf".into(), json!(n.manuf));
    p.insert("signal_dbm".into(), json!(n.signal_dbm));
    p.insert("packets".into(), json!(n.packets));
    p.insert("clients".into(), json!(n.clients));
    place_properties(&mut p, place, n.first_seen, n.last_seen);
    p
}

fn client_properties(c: &ClientView, place: &PlaceView) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("kind".into(), json!("client"));
    p.insert("mac".into(), json!(c.mac));
    p.insert("bssid".into(), json!(c.bssid));
    p.insert("ssid".into(), json!(c.ssid));
    p.insert("type".into(), json!(c.client_type.map(client_type_name)));
    p.insert("manuf".into(), json!(c.manuf));
    p.insert("signal_dbm".into(), json!(c.signal_dbm));
    p.insert("packets".into(), json!(c.packets));
    p.insert("ip".into(), json!(c.ip));
    place_properties(&mut p, place, c.first_seen, c.last_seen);
    p
}

/// The track's feature, when it has a line to draw (two points or more in
/// a segment; a segment of one point is left out).
fn track_feature(track: &[TrackPoint]) -> Option<(Value, usize)> {
    let lines: Vec<&[TrackPoint]> = track_segments(track).filter(|s| s.len() >= 2).collect();
    let points: usize = lines.iter().map(|l| l.len()).sum();
    let coords = |seg: &[TrackPoint]| -> Value {
        Value::Array(
            seg.iter()
                .map(|p| position(p.at, p.alt_m.map(i32::from)))
                .collect(),
        )
    };
    let geometry = match lines.as_slice() {
        [] => return None,
        [one] => json!({"type": "LineString", "coordinates": coords(one)}),
        many => json!({
            "type": "MultiLineString",
            "coordinates": many.iter().map(|s| coords(s)).collect::<Vec<_>>(),
        }),
    };
    let start = lines.first().and_then(|l| l.first()).map(|p| p.time);
    let end = lines.last().and_then(|l| l.last()).map(|p| p.time);
    let feature = json!({
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "kind": "track",
            "points": points,
            "start": start.and_then(rfc3339),
            "end": end.and_then(rfc3339),
        },
    });
    Some((feature, points))
}

/// Writes the export.
pub(crate) fn write(
    input: &Input<'_>,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
    let mut first = true;
    let mut feature = |out: &mut dyn Write, value: &Value| -> io::Result<()> {
        if !std::mem::take(&mut first) {
            out.write_all(b",")?;
        }
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut *out, value).map_err(io::Error::other)
    };
    for device in input.devices(options.what) {
        let Some((place, at)) = (match device {
            Device::Network(n) => n.place,
            Device::Client(c) => c.place,
        })
        .and_then(|p| Some((p, p.best?))) else {
            summary.without_position += 1;
            continue;
        };
        let properties = match device {
            Device::Network(n) => network_properties(n, &place),
            Device::Client(c) => client_properties(c, &place),
        };
        let value = json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": position(at, place.best_alt_m)},
            "properties": properties,
        });
        feature(out, &value)?;
        summary.written += 1;
    }
    if let Some((track, points)) = track_feature(&input.history.track) {
        feature(out, &track)?;
        summary.track_points = points;
    }
    out.write_all(b"\n]}\n")?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::{export, snapshot};
    use crate::{Format, What};
    use kismet_client::History;

    fn point(lat: f64, lon: f64, time: u64, new_segment: bool) -> TrackPoint {
        TrackPoint {
            at: LatLon::from_degrees(lat, lon).unwrap(),
            alt_m: None,
            time,
            new_segment,
        }
    }

    /// Points are `[lon, lat, alt]`, properties decoded (null where not
    /// known), the network without a position counted and left out, the
    /// track a MultiLineString of its two segments (a segment of one
    /// point left out of a line).
    #[test]
    fn points_are_lon_lat_and_the_track_is_its_segments() {
        let history = History {
            track: vec![
                point(45.5, -122.6, 10, true),
                point(45.6, -122.6, 11, false),
                point(45.7, -122.7, 20, true),
                point(45.8, -122.7, 21, false),
                point(45.9, -122.7, 22, false),
                point(46.0, -122.8, 30, true),
            ],
            ..History::default()
        };
        let options = Options {
            what: What::All,
            ..Options::default()
        };
        let (text, summary) = export(Format::GeoJson, &snapshot(), &history, options);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["type"], "FeatureCollection");
        let features = doc["features"].as_array().unwrap();
        assert_eq!(features.len(), 3, "{text}");
        let net = &features[0];
        assert_eq!(net["geometry"]["type"], "Point");
        assert_eq!(
            net["geometry"]["coordinates"],
            json!([-122.676483, 45.523064, 61])
        );
        let p = &net["properties"];
        assert_eq!(p["ssid"], "Cafe, \"Free\"");
        assert_eq!(p["encryption"], "WPA2");
        assert_eq!(p["cipher"], "CCMP");
        assert_eq!(p["frequency_mhz"], 2437);
        assert_eq!(p["first_seen"], "2016-07-24T10:00:00Z");
        assert_eq!(p["last_seen"], Value::Null);
        assert_eq!(p["position_source"], "client");
        assert_eq!(features[1]["properties"]["kind"], "client");
        assert_eq!(features[1]["geometry"]["coordinates"][0], -122.676);
        let track = &features[2];
        assert_eq!(track["geometry"]["type"], "MultiLineString");
        let lines = track["geometry"]["coordinates"].as_array().unwrap();
        let lens: Vec<usize> = lines.iter().map(|l| l.as_array().unwrap().len()).collect();
        assert_eq!(lens, [2, 3]);
        assert_eq!(lines[1][2], json!([-122.7, 45.9]));
        assert_eq!(track["properties"]["end"], "1970-01-01T00:00:22Z");
        assert_eq!(
            (
                summary.written,
                summary.without_position,
                summary.track_points
            ),
            (2, 1, 5)
        );
    }
}
