use super::*;

/// A table fits its width: columns empty in every row go first, then
/// those of the drop order; past that, the widest column's cells are
/// cut with `…`; no width, everything.
#[test]
fn fitted_tables_drop_empty_then_ordered_columns_then_cut() {
    let header = ["BSSID", "SSID", "IP", "MANUF"];
    let rows = vec![
        ["00:14:6C:A1:00:01", "Coffee Shop Free WiFi", "", "Netgear"]
            .map(String::from)
            .to_vec(),
    ];
    let order = ["MANUF", "BSSID"];
    let shown = |w: Option<usize>| fitted_table(&header, &rows, w, &order, false);
    let all = shown(None);
    assert!(all.contains("IP") && all.contains("MANUF"), "{all}");
    let fit = shown(Some(58));
    assert!(!fit.contains("IP") && fit.contains("MANUF"), "{fit}");
    let fit = shown(Some(48));
    assert!(!fit.contains("MANUF") && fit.contains("BSSID"), "{fit}");
    let fit = shown(Some(20));
    assert!(fit.lines().all(|l| l.chars().count() <= 20), "{fit}");
    assert!(fit.contains("│ Coffee Shop Fre… │"), "{fit}");
}
use kismet_protocol::decode::Encryption;

fn net() -> NetworkView {
    NetworkView {
        bssid: "00:14:6C:A1:00:01".into(),
        ssid: Some("Home, \"Net\"".into()),
        network_type: Some(0),
        channel: Some(1),
        cryptset: Some(2_097_858),
        encryption: Encryption::from_cryptset(2_097_858),
        signal_dbm: Some(-53),
        packets: Some(149),
        clients: 2,
        manuf: Some("Netgear".into()),
        last_seen: Some(1_795_678_119),
        ..NetworkView::default()
    }
}

/// A network as JSON: typed values, names for codes, null for unknown.
#[test]
fn network_as_json() {
    let v = network_json(&net(), None);
    assert_eq!(
        v,
        r#"{"type":"network","bssid":"00:14:6C:A1:00:01","ssid":"Home, \"Net\"","cloaked":false,"network_type":"ap","channel":1,"encryption":"WPA2","cipher":"CCMP","auth":"PSK","cryptset":2097858,"signal_dbm":-53,"packets":149,"datasize":null,"clients":2,"manuf":"Netgear","first_seen":null,"last_seen":"2026-11-26T07:28:39Z","best_lat":null,"best_lon":null,"best_alt":null,"avg_lat":null,"avg_lon":null,"gps_points":null,"position_source":null}"#
    );
    let hidden = NetworkView {
        ssid: None,
        cloaked: true,
        ..net()
    };
    assert_eq!(ssid_label(&hidden), "<hidden>");
    assert_eq!(network_cells(&net(), 1_795_678_122)[11], "3s ago");
    let csv = networks_csv(&[net()], None);
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .contains("\"Home, \"\"Net\"\"\""),
        "{csv}"
    );
}

/// A probe entry (a station seen only probing, channel 0 and cipher set
/// 0 as the server sends them) has no channel and no encryption: empty
/// cells, `null` in JSON, empty in CSV; not `0` and `OPN`.
#[test]
fn probe_rows_have_no_channel_or_encryption() {
    let probe = NetworkView {
        bssid: "00:19:D2:10:00:09".into(),
        network_type: Some(2),
        channel: Some(0),
        cryptset: Some(0),
        encryption: Encryption::from_cryptset(0),
        clients: 0,
        ..net()
    };
    let cells = network_cells(&probe, 0);
    assert_eq!(cells[2], "probe");
    assert_eq!(&cells[3..7], ["", "", "", ""], "{cells:?}");
    let v: Value = serde_json::from_str(&network_json(&probe, None)).unwrap();
    for key in ["channel", "encryption", "cipher", "auth", "cryptset"] {
        assert!(v[key].is_null(), "{key}: {v}");
    }
    let csv = networks_csv(&[probe], None);
    let row = csv.lines().nth(1).unwrap();
    assert!(row.contains(",probe,,,,,-53,"), "{row}");
    // An access point keeps them; an open one's cipher and auth are
    // none: `null`, not `""`, and a WEP one has no auth.
    for (set, enc, cipher) in [(0, "OPN", Value::Null), (2, "WEP", Value::from("WEP"))] {
        let open = NetworkView {
            cryptset: Some(set),
            encryption: Encryption::from_cryptset(set),
            ..net()
        };
        let v: Value = serde_json::from_str(&network_json(&open, None)).unwrap();
        assert_eq!(v["encryption"], enc, "{v}");
        assert_eq!(v["cipher"], cipher, "{v}");
        assert!(v["auth"].is_null(), "{v}");
    }
    let v: Value = serde_json::from_str(&network_json(&net(), None)).unwrap();
    assert_eq!(
        (v["channel"].as_u64(), v["encryption"].as_str()),
        (Some(1), Some("WPA2"))
    );
}

/// A station as JSON: `bssid` null when not associated, the probes a
/// list, times RFC 3339, null for unknown; in a table `(not
/// associated)` and the probes comma-joined; in CSV the same columns.
#[test]
fn station_as_json_table_and_csv() {
    let prober = StationView {
        mac: "00:19:D2:10:00:09".into(),
        probes: vec!["eduroam".into(), "MyPhone Hotspot".into()],
        signal_dbm: Some(-68),
        packets: Some(4),
        manuf: Some("IntelCor".into()),
        last_seen: Some(1_795_678_119),
        ..StationView::default()
    };
    assert_eq!(
        station_json(&prober),
        r#"{"type":"station","mac":"00:19:D2:10:00:09","bssid":null,"ssid":null,"probes":["eduroam","MyPhone Hotspot"],"signal_dbm":-68,"packets":4,"manuf":"IntelCor","first_seen":null,"last_seen":"2026-11-26T07:28:39Z"}"#
    );
    let hidden = StationView {
        mac: "00:1E:65:10:00:05".into(),
        bssid: Some("00:1D:7E:C3:00:03".into()),
        cloaked: true,
        ..StationView::default()
    };
    let cells = station_cells(&prober, 1_795_678_121);
    assert_eq!(
        cells,
        [
            "00:19:D2:10:00:09",
            NOT_ASSOCIATED,
            "",
            "-68",
            "4",
            "IntelCor",
            "eduroam,MyPhone Hotspot",
            "2s ago"
        ]
    );
    assert_eq!(station_cells(&hidden, 0)[2], "<hidden>");
    let v: Value = serde_json::from_str(&station_json(&hidden)).unwrap();
    assert_eq!(v["bssid"], "00:1D:7E:C3:00:03");
    assert!(v["ssid"].is_null());
    let csv = stations_csv(&[prober, hidden]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "mac,bssid,ssid,probes,signal_dbm,packets,manuf,first_seen,last_seen"
    );
    assert_eq!(
        lines.next().unwrap(),
        "00:19:D2:10:00:09,,,\"eduroam,MyPhone Hotspot\",-68,4,IntelCor,,2026-11-26T07:28:39Z"
    );
    assert!(lines
        .next()
        .unwrap()
        .starts_with("00:1E:65:10:00:05,00:1D:7E:C3:00:03,,,"));
}

/// At 80 columns the stations table keeps the station, its network
/// and its probes, whole; the least needed columns go first.
#[test]
fn stations_table_fits_80_columns_keeping_probes() {
    let row = StationView {
        mac: "00:19:D2:10:00:09".into(),
        probes: vec!["eduroam".into(), "MyPhone Hotspot".into()],
        signal_dbm: Some(-68),
        packets: Some(4),
        manuf: Some("IntelCor".into()),
        last_seen: Some(1_795_678_119),
        ..StationView::default()
    };
    let other = StationView {
        mac: "00:21:6A:10:00:01".into(),
        bssid: Some("00:18:E7:B2:00:02".into()),
        ssid: Some("Coffee Shop Free WiFi".into()),
        ..row.clone()
    };
    let t = stations_table(&[row, other], 1_795_678_119, Some(80), false);
    assert!(t.lines().all(|l| l.chars().count() <= 80), "{t}");
    let header = t.lines().nth(1).unwrap();
    for col in ["STATION", "BSSID", "PROBES"] {
        assert!(header.contains(col), "{t}");
    }
    assert!(!header.contains("MANUF"), "{t}");
    assert!(
        t.contains("eduroam,MyPhone Hotspot") && t.contains(NOT_ASSOCIATED),
        "{t}"
    );
    assert!(t.ends_with("2 stations"), "{t}");
    assert_eq!(
        stations_table(&[], 0, Some(80), false),
        "0 stations (none seen yet)"
    );
}

/// A client of a hidden network shows `<hidden>` as its SSID, as
/// `networks` shows the network (before: blank).
#[test]
fn clients_of_a_hidden_network_show_hidden() {
    let hidden_net = NetworkView {
        bssid: "00:1D:7E:C3:00:03".into(),
        ssid: None,
        cloaked: true,
        ..net()
    };
    let hidden = hidden_bssids(&[net(), hidden_net]);
    assert_eq!(hidden.iter().collect::<Vec<_>>(), ["00:1D:7E:C3:00:03"]);
    let client = ClientView {
        mac: "00:1E:65:10:00:05".into(),
        bssid: "00:1D:7E:C3:00:03".into(),
        ..ClientView::default()
    };
    assert_eq!(client_cells(&client, 0, &hidden)[2], "<hidden>");
    assert_eq!(client_cells(&client, 0, &BTreeSet::new())[2], "");
    let t = clients_table(&[client], 0, None, None, &hidden, false);
    assert!(t.contains("<hidden>"), "{t}");
}

/// With a position: LAT and LON columns (six decimals), the JSON
/// position fields, DIST with `near`; without any, no LAT/LON.
#[test]
fn positions_in_tables_json_and_csv() {
    use kismet_client::PositionSource;
    let at = |lat, lon| LatLon::from_degrees(lat, lon).unwrap();
    let placed = NetworkView {
        place: Some(PlaceView {
            source: PositionSource::Client,
            first: Some(at(37.7691, -122.421)),
            last: Some(at(37.7694, -122.4185)),
            best: Some(at(37.7692, -122.42)),
            best_alt_m: Some(15),
            best_signal_dbm: Some(-60),
            average: Some(at(37.76925, -122.419625)),
            min: Some(at(37.7691, -122.421)),
            max: Some(at(37.7694, -122.4185)),
            gps_points: 4,
        }),
        ..net()
    };
    let plain = networks_table(&[net()], 0, None, None, false);
    assert!(!plain.contains("LAT"), "{plain}");
    let table = networks_table(
        &[placed.clone(), net()],
        0,
        None,
        Some(&[12.4, 80.0]),
        false,
    );
    let header = table.lines().nth(1).unwrap();
    assert!(header.contains("LAT") && header.contains("LON") && header.contains("DIST"));
    assert!(
        table.contains("37.769200") && table.contains("-122.420000"),
        "{table}"
    );
    assert!(table.contains("12 m") && table.contains("80 m"), "{table}");
    let v = network_json(&placed, Some(12.44));
    assert!(
        v.ends_with(r#""best_lat":37.7692,"best_lon":-122.42,"best_alt":15,"avg_lat":37.76925,"avg_lon":-122.419625,"gps_points":4,"position_source":"client","distance_m":12.4}"#),
        "{v}"
    );
    let csv = networks_csv(&[placed], Some(&[12.44]));
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .ends_with(",best_lat,best_lon,best_alt,avg_lat,avg_lon,gps_points,distance_m"));
    assert!(lines
        .next()
        .unwrap()
        .ends_with(",37.769200,-122.420000,15,37.769250,-122.419625,4,12.4"));
}

/// Colour as `NO_COLOR` and the terminal decide it: off when NO_COLOR has
/// any value but the empty string, or stdout is not a terminal. With
/// colour, the networks table has escape codes only in the ENC cell
/// (WPA2: yellow) and the PWR cell (-53 dBm: green); without, none.
#[test]
fn networks_table_colours_enc_and_pwr_cells_only_with_colour() {
    use crate::shell::repl::color_wanted_from;
    use std::ffi::OsStr;
    assert!(color_wanted_from(true, None));
    assert!(color_wanted_from(true, Some(OsStr::new(""))));
    assert!(!color_wanted_from(true, Some(OsStr::new("1"))));
    assert!(!color_wanted_from(false, None));
    let plain = networks_table(&[net()], 0, Some(120), None, false);
    assert!(!plain.contains('\x1b'), "{plain:?}");
    let coloured = networks_table(&[net()], 0, Some(120), None, true);
    // comfy-table writes Yellow and Green as 256-colour codes 11 and 10.
    let row = coloured.lines().find(|l| l.contains("Netgear")).unwrap();
    let painted: Vec<&str> = row
        .split("\x1b[")
        .skip(1)
        .filter_map(|s| s.strip_prefix("38;5;"))
        .collect();
    assert_eq!(painted.len(), 2, "{row:?}");
    assert!(painted[0].starts_with("11m WPA2 "), "{row:?}");
    assert!(painted[1].starts_with("10m -53 "), "{row:?}");
    assert_eq!(
        coloured
            .replace("\x1b[38;5;11m", "")
            .replace("\x1b[38;5;10m", "")
            .replace("\x1b[39m", ""),
        plain
    );
}
