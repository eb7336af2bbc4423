//! A snapshot the formats' tests share: at a longitude beyond -100.

use kismet_client::{
    ClientView, History, LatLon, NetworkView, PlaceView, PositionSource, Snapshot,
};
use kismet_protocol::decode::Encryption;

use crate::{Format, Input, Meta, Options, Summary};

const WPA2: u64 = 2097858;

/// A place seen by this client, best at `lat,lon`.
pub(crate) fn place(lat: f64, lon: f64) -> PlaceView {
    let at = LatLon::from_degrees(lat, lon).unwrap();
    PlaceView {
        source: PositionSource::Client,
        first: Some(at),
        last: Some(at),
        best: Some(at),
        best_alt_m: Some(61),
        best_signal_dbm: Some(-48),
        average: Some(at),
        min: Some(at),
        max: Some(at),
        gps_points: 3,
    }
}

/// Two networks (one with a comma and a quote in its SSID, one
/// without a position), a probing station's record, and a client.
pub(crate) fn snapshot() -> Snapshot {
    let net = |bssid: &str, ssid: &str, cryptset, place| NetworkView {
        bssid: bssid.into(),
        ssid: Some(ssid.into()),
        network_type: Some(0),
        channel: Some(6),
        cryptset: Some(cryptset),
        encryption: Encryption::from_cryptset(cryptset),
        first_seen: Some(1_469_354_400),
        signal_dbm: Some(-60),
        place,
        ..NetworkView::default()
    };
    let probe = NetworkView {
        network_type: Some(2),
        ..net("00:0C:42:00:00:09", "Probed", 0, Some(place(45.5, -122.6)))
    };
    Snapshot {
        networks: vec![
            net(
                "00:14:6C:A1:00:01",
                "Cafe, \"Free\"",
                WPA2,
                Some(place(45.523064, -122.676483)),
            ),
            net("00:14:6C:A1:00:02", "Nowhere", 0, None),
            probe,
        ],
        clients: vec![ClientView {
            mac: "00:0C:42:00:00:01".into(),
            bssid: "00:14:6C:A1:00:01".into(),
            first_seen: Some(1_469_354_401),
            place: Some(place(45.523, -122.676)),
            ..Default::default()
        }],
        ..Snapshot::default()
    }
}

pub(crate) fn export(
    format: Format,
    snapshot: &Snapshot,
    history: &History,
    options: Options,
) -> (String, Summary) {
    let meta = Meta::new("kismet-shell 9.9.9", "kismet.local:2501");
    let input = Input {
        snapshot,
        history,
        meta: &meta,
    };
    let mut out = Vec::new();
    let summary = crate::write(format, &input, &options, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), summary)
}
