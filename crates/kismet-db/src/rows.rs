//! Device rows: the model's views as `networks`, `ssids` and `clients`
//! rows, and back.
//!
//! What has a column goes there; the rest goes into `fields_json`, a
//! JSON object whose keys are left out when unknown (or false):
//!
//! - networks: `cryptset`, `data_cryptset`, `signal_dbm`, `datasize`,
//!   `clients`, `manuf_truncated`, the place's `position_source`,
//!   `gps_points`, `first`, `last`, `min`, `max` (points as `[lat, lon]`
//!   in degrees), and `ssids`: every SSID record, in the order first seen
//!   (`name`, `raw`, `truncated`, `type`, `cloaked`, `cryptset`,
//!   `max_rate`, `beacons`, `last_seen`).
//! - clients: `signal_dbm`, `manuf_truncated`, and the place's
//!   `position_source`, `gps_points`, `first`, `last`, `min`, `max`,
//!   `average`, `best_alt_m`.
//!
//! Reading is lenient: a value of the wrong type, or `fields_json` that
//! is not a JSON object, reads as unknown, never as an error.

use std::hash::{Hash, Hasher};

use kismet_client::{ClientView, LatLon, NetworkView, PlaceView, PositionSource, SsidView};
use kismet_protocol::decode::{
    client_type_name, format_mac, network_type_name, parse_mac, ssid_type_name, Encryption,
    CLIENT_TYPES, NETWORK_TYPES, SSID_TYPES,
};
use rusqlite::types::{Value, ValueRef};
use serde_json::{json, Map, Value as Json};

/// The `ssids.type` of a record whose type is not known.
pub(crate) const UNKNOWN_SSID_TYPE: &str = "unknown";

/// Upserts a `networks` row (`?1` server ... `?20` fields_json): a row
/// already there keeps the earlier `first_seen` and the later
/// `last_seen`, and takes the rest.
pub(crate) const NETWORK_UPSERT: &str = "
INSERT INTO networks (server, bssid, ssid, cloaked, type, channel, encryption, cipher, auth,
    manuf, first_seen, last_seen, packets, best_signal_dbm, best_lat, best_lon, best_alt,
    avg_lat, avg_lon, fields_json)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
ON CONFLICT (server, bssid) DO UPDATE SET
    ssid = excluded.ssid, cloaked = excluded.cloaked, type = excluded.type,
    channel = excluded.channel, encryption = excluded.encryption, cipher = excluded.cipher,
    auth = excluded.auth, manuf = excluded.manuf,
    first_seen = coalesce(min(first_seen, excluded.first_seen), first_seen, excluded.first_seen),
    last_seen = coalesce(max(last_seen, excluded.last_seen), last_seen, excluded.last_seen),
    packets = excluded.packets, best_signal_dbm = excluded.best_signal_dbm,
    best_lat = excluded.best_lat, best_lon = excluded.best_lon, best_alt = excluded.best_alt,
    avg_lat = excluded.avg_lat, avg_lon = excluded.avg_lon, fields_json = excluded.fields_json";

/// Upserts an `ssids` row (`?1` server, `?2` bssid, `?3` ssid, `?4`
/// type, `?5` first_seen, `?6` last_seen), keeping the earliest
/// `first_seen` and the latest `last_seen`.
pub(crate) const SSID_UPSERT: &str = "
INSERT INTO ssids (server, bssid, ssid, type, first_seen, last_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (server, bssid, ssid, type) DO UPDATE SET
    first_seen = coalesce(min(first_seen, excluded.first_seen), first_seen, excluded.first_seen),
    last_seen = coalesce(max(last_seen, excluded.last_seen), last_seen, excluded.last_seen)";

/// Upserts a `clients` row (`?1` server ... `?13` fields_json), as
/// [`NETWORK_UPSERT`] does.
pub(crate) const CLIENT_UPSERT: &str = "
INSERT INTO clients (server, bssid, mac, type, manuf, ip, first_seen, last_seen, packets,
    best_signal_dbm, best_lat, best_lon, fields_json)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
ON CONFLICT (server, bssid, mac) DO UPDATE SET
    type = excluded.type, manuf = excluded.manuf, ip = excluded.ip,
    first_seen = coalesce(min(first_seen, excluded.first_seen), first_seen, excluded.first_seen),
    last_seen = coalesce(max(last_seen, excluded.last_seen), last_seen, excluded.last_seen),
    packets = excluded.packets, best_signal_dbm = excluded.best_signal_dbm,
    best_lat = excluded.best_lat, best_lon = excluded.best_lon, fields_json = excluded.fields_json";

/// The columns [`network_view`] reads, in its order.
pub(crate) const NETWORK_COLUMNS: &str = "server, bssid, ssid, cloaked, type, channel, manuf, \
    first_seen, last_seen, packets, best_signal_dbm, best_lat, best_lon, best_alt, avg_lat, \
    avg_lon, fields_json";

/// The columns [`client_view`] reads, in its order.
pub(crate) const CLIENT_COLUMNS: &str = "server, bssid, mac, type, manuf, ip, first_seen, \
    last_seen, packets, best_signal_dbm, best_lat, best_lon, fields_json";

/// An unsigned count or time as an SQLite integer (saturating).
fn int_u64(v: u64) -> Value {
    Value::Integer(i64::try_from(v).unwrap_or(i64::MAX))
}

/// An optional value as an SQLite value.
fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
    v.map_or(Value::Null, f)
}

/// Optional text.
fn text(v: Option<&str>) -> Value {
    opt(v, |s| Value::Text(s.to_owned()))
}

/// A finite number, else NULL.
pub(crate) fn real(v: Option<f64>) -> Value {
    opt(v.filter(|x| x.is_finite()), Value::Real)
}

/// A point as JSON: `[lat, lon]` in degrees.
fn point(p: LatLon) -> Json {
    json!([p.lat(), p.lon()])
}

/// Puts `key` in `map` when the value is known.
fn put<T: Into<Json>>(map: &mut Map<String, Json>, key: &str, v: Option<T>) {
    if let Some(v) = v {
        map.insert(key.to_owned(), v.into());
    }
}

/// Puts `key: true` in `map` when `flag` is set.
fn put_flag(map: &mut Map<String, Json>, key: &str, flag: bool) {
    if flag {
        map.insert(key.to_owned(), Json::Bool(true));
    }
}

/// The parts of a place that have no column in either table.
fn place_json(map: &mut Map<String, Json>, p: &PlaceView) {
    map.insert("position_source".into(), p.source.name().into());
    map.insert("gps_points".into(), p.gps_points.into());
    put(map, "first", p.first.map(point));
    put(map, "last", p.last.map(point));
    put(map, "min", p.min.map(point));
    put(map, "max", p.max.map(point));
}

/// An SSID record as JSON.
fn ssid_json(s: &SsidView) -> Json {
    let mut m = Map::new();
    put(&mut m, "name", s.name.as_deref());
    // The name on the wire: text when it is UTF-8 (it nearly always is:
    // the server escapes the rest), else its bytes.
    put(
        &mut m,
        "raw",
        s.raw.as_deref().map(|r| match std::str::from_utf8(r) {
            Ok(t) => Json::from(t),
            Err(_) => Json::from(r.to_vec()),
        }),
    );
    put_flag(&mut m, "truncated", s.truncated);
    put(
        &mut m,
        "type",
        s.ssid_type.map(|t| ssid_type_name(t).into_owned()),
    );
    put_flag(&mut m, "cloaked", s.cloaked);
    put(&mut m, "cryptset", s.cryptset);
    put(&mut m, "max_rate", s.max_rate.filter(|r| r.is_finite()));
    put(&mut m, "beacons", s.beacons);
    put(&mut m, "last_seen", s.last_seen);
    Json::Object(m)
}

/// The values of a `networks` row, in [`NETWORK_UPSERT`]'s order.
pub(crate) fn network_values(server: &str, n: &NetworkView) -> Vec<Value> {
    let known = n.cryptset.is_some();
    let enc = |part: &str| {
        if known {
            Value::Text(part.to_owned())
        } else {
            Value::Null
        }
    };
    let place = n.place.as_ref();
    let best = place.and_then(|p| p.best);
    let avg = place.and_then(|p| p.average);
    let mut j = Map::new();
    put(&mut j, "cryptset", n.cryptset);
    put(&mut j, "data_cryptset", n.data_cryptset);
    put(&mut j, "signal_dbm", n.signal_dbm);
    put(&mut j, "datasize", n.datasize);
    j.insert("clients".into(), n.clients.into());
    put_flag(&mut j, "manuf_truncated", n.manuf_truncated);
    if let Some(p) = place {
        place_json(&mut j, p);
    }
    j.insert(
        "ssids".into(),
        Json::Array(n.ssids.iter().map(ssid_json).collect()),
    );
    vec![
        Value::Text(server.to_owned()),
        Value::Text(n.bssid.clone()),
        text(n.ssid.as_deref()),
        Value::Integer(i64::from(n.cloaked)),
        opt(n.network_type, |t| {
            Value::Text(network_type_name(t).into_owned())
        }),
        opt(n.channel, |c| Value::Integer(i64::from(c))),
        enc(n.encryption.enc),
        enc(n.encryption.cipher),
        enc(n.encryption.auth),
        text(n.manuf.as_deref()),
        opt(n.first_seen, int_u64),
        opt(n.last_seen, int_u64),
        opt(n.packets, int_u64),
        opt(place.and_then(|p| p.best_signal_dbm), |s| {
            Value::Integer(i64::from(s))
        }),
        real(best.map(LatLon::lat)),
        real(best.map(LatLon::lon)),
        opt(place.and_then(|p| p.best_alt_m), |a| {
            Value::Real(f64::from(a))
        }),
        real(avg.map(LatLon::lat)),
        real(avg.map(LatLon::lon)),
        Value::Text(Json::Object(j).to_string()),
    ]
}

/// The `ssids.type` of a record.
pub(crate) fn ssid_type_text(t: Option<u32>) -> String {
    t.map_or_else(
        || UNKNOWN_SSID_TYPE.to_owned(),
        |t| ssid_type_name(t).into_owned(),
    )
}

/// The values of a network's `ssids` row, in [`SSID_UPSERT`]'s order.
/// `first_seen` is the record's `last_seen` when written (the earliest
/// of those is kept), else the network's `first_seen`.
pub(crate) fn ssid_values(server: &str, n: &NetworkView, s: &SsidView) -> Vec<Value> {
    vec![
        Value::Text(server.to_owned()),
        Value::Text(n.bssid.clone()),
        Value::Text(s.name.clone().unwrap_or_default()),
        Value::Text(ssid_type_text(s.ssid_type)),
        opt(s.last_seen.or(n.first_seen), int_u64),
        opt(s.last_seen.or(n.last_seen), int_u64),
    ]
}

/// The values of a `clients` row, in [`CLIENT_UPSERT`]'s order.
pub(crate) fn client_values(server: &str, c: &ClientView) -> Vec<Value> {
    let place = c.place.as_ref();
    let best = place.and_then(|p| p.best);
    let mut j = Map::new();
    put(&mut j, "signal_dbm", c.signal_dbm);
    put_flag(&mut j, "manuf_truncated", c.manuf_truncated);
    if let Some(p) = place {
        place_json(&mut j, p);
        put(&mut j, "average", p.average.map(point));
        put(&mut j, "best_alt_m", p.best_alt_m);
    }
    vec![
        Value::Text(server.to_owned()),
        Value::Text(c.bssid.clone()),
        Value::Text(c.mac.clone()),
        opt(c.client_type, |t| {
            Value::Text(client_type_name(t).into_owned())
        }),
        text(c.manuf.as_deref()),
        text(c.ip.as_deref()),
        opt(c.first_seen, int_u64),
        opt(c.last_seen, int_u64),
        opt(c.packets, int_u64),
        opt(place.and_then(|p| p.best_signal_dbm), |s| {
            Value::Integer(i64::from(s))
        }),
        real(best.map(LatLon::lat)),
        real(best.map(LatLon::lon)),
        Value::Text(Json::Object(j).to_string()),
    ]
}

/// A cheap fingerprint of a row's values, to tell whether it changed
/// since it was last written.
pub(crate) fn fingerprint(values: &[Value]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    for v in values {
        match v {
            Value::Null => 0u8.hash(&mut h),
            Value::Integer(i) => (1u8, i).hash(&mut h),
            Value::Real(r) => (2u8, r.to_bits()).hash(&mut h),
            Value::Text(t) => (3u8, t).hash(&mut h),
            Value::Blob(b) => (4u8, b).hash(&mut h),
        }
    }
    h.finish()
}

// Reading back.

/// A column as an integer: an integer, or a real with no fraction.
pub(crate) fn get_i64(v: ValueRef<'_>) -> Option<i64> {
    match v {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Real(r) if r.fract() == 0.0 && r.abs() < 9.0e18 => Some(r as i64),
        _ => None,
    }
}

/// A column as a finite number.
pub(crate) fn get_f64(v: ValueRef<'_>) -> Option<f64> {
    match v {
        ValueRef::Integer(i) => Some(i as f64),
        ValueRef::Real(r) if r.is_finite() => Some(r),
        _ => None,
    }
}

/// A column as text (bytes that are not UTF-8 replaced).
pub(crate) fn get_text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        _ => None,
    }
}

/// A column as an unsigned count or time.
pub(crate) fn get_u64(v: ValueRef<'_>) -> Option<u64> {
    get_i64(v).and_then(|i| u64::try_from(i).ok())
}

/// A MAC in the model's form (upper case); text that is not a MAC is
/// kept as it is.
pub(crate) fn canonical_mac(s: String) -> String {
    match parse_mac(s.trim().as_bytes()) {
        Some(mac) => format_mac(mac),
        None => s,
    }
}

/// The code of a type's name in `table` (`type 7` for a code the table
/// does not hold, as the names are written).
fn code_of(table: &[(u32, &str)], name: &str) -> Option<u32> {
    table
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(c, _)| *c)
        .or_else(|| name.strip_prefix("type ")?.parse().ok())
}

/// `fields_json` as an object (empty when absent or not an object).
pub(crate) fn fields(v: ValueRef<'_>) -> Map<String, Json> {
    let parsed = match v {
        ValueRef::Text(t) => serde_json::from_slice::<Json>(t).ok(),
        _ => None,
    };
    match parsed {
        Some(Json::Object(m)) => m,
        _ => Map::new(),
    }
}

/// Typed reads of a JSON object's keys (a missing key or a value of
/// another type is unknown).
trait Fields {
    /// An unsigned integer.
    fn u64_of(&self, key: &str) -> Option<u64>;
    /// A signed integer that fits an `i32`.
    fn i32_of(&self, key: &str) -> Option<i32>;
    /// A flag (missing: false).
    fn flag(&self, key: &str) -> bool;
    /// Text.
    fn str_of(&self, key: &str) -> Option<&str>;
    /// A point `[lat, lon]`.
    fn point_of(&self, key: &str) -> Option<LatLon>;
}

impl Fields for Map<String, Json> {
    fn u64_of(&self, key: &str) -> Option<u64> {
        self.get(key)?.as_u64()
    }

    fn i32_of(&self, key: &str) -> Option<i32> {
        i32::try_from(self.get(key)?.as_i64()?).ok()
    }

    fn flag(&self, key: &str) -> bool {
        self.get(key).and_then(Json::as_bool).unwrap_or(false)
    }

    fn str_of(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    fn point_of(&self, key: &str) -> Option<LatLon> {
        match self.get(key)?.as_array()?.as_slice() {
            [lat, lon] => LatLon::from_degrees(lat.as_f64()?, lon.as_f64()?),
            _ => None,
        }
    }
}

/// A point from two columns.
fn point_at(lat: ValueRef<'_>, lon: ValueRef<'_>) -> Option<LatLon> {
    LatLon::from_degrees(get_f64(lat)?, get_f64(lon)?)
}

/// The place of a device: from its columns (`best`, `best_alt`,
/// `best_signal_dbm`, `average` as given) and `fields_json`; `None` when
/// neither says anything about a position.
fn place(
    j: &Map<String, Json>,
    best: Option<LatLon>,
    best_alt_m: Option<i32>,
    best_signal_dbm: Option<i32>,
    average: Option<LatLon>,
) -> Option<PlaceView> {
    let source = match j.str_of("position_source") {
        Some("client") => Some(PositionSource::Client),
        Some("server") => Some(PositionSource::Server),
        Some("estimated") => Some(PositionSource::Estimated),
        _ => None,
    };
    if source.is_none() && best.is_none() && average.is_none() {
        return None;
    }
    Some(PlaceView {
        source: source.unwrap_or(PositionSource::Server),
        first: j.point_of("first"),
        last: j.point_of("last"),
        best,
        best_alt_m,
        best_signal_dbm,
        average,
        min: j.point_of("min"),
        max: j.point_of("max"),
        gps_points: j.u64_of("gps_points").unwrap_or(0),
    })
}

/// A whole number of metres from a column.
fn metres(v: Option<f64>) -> Option<i32> {
    v.map(|a| a.round().clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32)
}

/// An SSID record from its JSON.
fn ssid_from_json(v: &Json) -> Option<SsidView> {
    let m = v.as_object()?;
    let raw = match m.get("raw") {
        Some(Json::String(s)) => Some(s.as_bytes().to_vec()),
        Some(Json::Array(bytes)) => bytes
            .iter()
            .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
            .collect(),
        _ => None,
    };
    let cryptset = m.u64_of("cryptset");
    Some(SsidView {
        name: m.str_of("name").map(str::to_owned),
        raw,
        truncated: m.flag("truncated"),
        ssid_type: m.str_of("type").and_then(|t| code_of(&SSID_TYPES, t)),
        cloaked: m.flag("cloaked"),
        cryptset,
        encryption: cryptset.map(Encryption::from_cryptset).unwrap_or_default(),
        max_rate: m.get("max_rate").and_then(Json::as_f64),
        beacons: m.u64_of("beacons"),
        last_seen: m.u64_of("last_seen"),
    })
}

/// An SSID record from an `ssids` row (`ssid`, `type`, `last_seen`), for
/// a network whose `fields_json` has no list: what the row has, no more.
pub(crate) fn ssid_from_row(name: String, kind: &str, last_seen: Option<u64>) -> SsidView {
    SsidView {
        raw: Some(name.as_bytes().to_vec()),
        name: Some(name).filter(|n| !n.is_empty()),
        ssid_type: code_of(&SSID_TYPES, kind),
        last_seen,
        ..SsidView::default()
    }
}

/// A network from a row of [`NETWORK_COLUMNS`]: its server, its view,
/// and whether `fields_json` had its SSID list.
pub(crate) fn network_view(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, NetworkView, bool)> {
    let col = |i: usize| row.get_ref(i);
    let j = fields(col(16)?);
    let cryptset = j.u64_of("cryptset");
    let ssid_list = j.get("ssids").and_then(Json::as_array);
    let ssids: Vec<SsidView> = ssid_list
        .map(|l| l.iter().filter_map(ssid_from_json).collect())
        .unwrap_or_default();
    let view = NetworkView {
        bssid: canonical_mac(get_text(col(1)?).unwrap_or_default()),
        ssid: get_text(col(2)?),
        cloaked: get_i64(col(3)?).is_some_and(|c| c != 0),
        network_type: get_text(col(4)?).and_then(|t| code_of(&NETWORK_TYPES, &t)),
        channel: get_i64(col(5)?).and_then(|c| u32::try_from(c).ok()),
        cryptset,
        data_cryptset: j.u64_of("data_cryptset"),
        encryption: cryptset.map(Encryption::from_cryptset).unwrap_or_default(),
        signal_dbm: j.i32_of("signal_dbm"),
        packets: get_u64(col(9)?),
        datasize: j.u64_of("datasize"),
        clients: j
            .u64_of("clients")
            .and_then(|c| usize::try_from(c).ok())
            .unwrap_or(0),
        manuf: get_text(col(6)?),
        manuf_truncated: j.flag("manuf_truncated"),
        first_seen: get_u64(col(7)?),
        last_seen: get_u64(col(8)?),
        ssids,
        place: place(
            &j,
            point_at(col(11)?, col(12)?),
            metres(get_f64(col(13)?)),
            get_i64(col(10)?).and_then(|s| i32::try_from(s).ok()),
            point_at(col(14)?, col(15)?),
        ),
    };
    let server = get_text(col(0)?).unwrap_or_default();
    Ok((server, view, ssid_list.is_some()))
}

/// A client record from a row of [`CLIENT_COLUMNS`], with its server
/// (its `ssid` is left for the caller: the network's).
pub(crate) fn client_view(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, ClientView)> {
    let col = |i: usize| row.get_ref(i);
    let j = fields(col(12)?);
    let view = ClientView {
        bssid: canonical_mac(get_text(col(1)?).unwrap_or_default()),
        mac: canonical_mac(get_text(col(2)?).unwrap_or_default()),
        ssid: None,
        client_type: get_text(col(3)?).and_then(|t| code_of(&CLIENT_TYPES, &t)),
        signal_dbm: j.i32_of("signal_dbm"),
        packets: get_u64(col(8)?),
        manuf: get_text(col(4)?),
        manuf_truncated: j.flag("manuf_truncated"),
        ip: get_text(col(5)?),
        first_seen: get_u64(col(6)?),
        last_seen: get_u64(col(7)?),
        place: place(
            &j,
            point_at(col(10)?, col(11)?),
            j.i32_of("best_alt_m"),
            get_i64(col(9)?).and_then(|s| i32::try_from(s).ok()),
            j.point_of("average"),
        ),
    };
    Ok((get_text(col(0)?).unwrap_or_default(), view))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Type names read back as their codes, known or not.
    #[test]
    fn type_names_read_back_as_codes() {
        for (code, _) in NETWORK_TYPES {
            assert_eq!(
                code_of(&NETWORK_TYPES, &network_type_name(code)),
                Some(code)
            );
        }
        assert_eq!(code_of(&NETWORK_TYPES, &network_type_name(77)), Some(77));
        assert_eq!(code_of(&SSID_TYPES, UNKNOWN_SSID_TYPE), None);
        assert_eq!(code_of(&CLIENT_TYPES, "nonsense"), None);
    }

    /// fields_json that is not an object reads as an empty object.
    #[test]
    fn bad_fields_json_reads_as_empty() {
        for bad in ["", "[1,2]", "{", "null", "\"x\""] {
            assert!(fields(ValueRef::Text(bad.as_bytes())).is_empty(), "{bad}");
        }
        assert!(fields(ValueRef::Integer(3)).is_empty());
    }

    /// Different rows have different fingerprints; equal rows equal ones.
    #[test]
    fn fingerprint_tells_rows_apart() {
        let a = [Value::Integer(1), Value::Null, Value::Text("x".into())];
        let b = [Value::Integer(1), Value::Text("x".into()), Value::Null];
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }

    /// Lenient reads: reals that are whole read as integers, text does
    /// not read as a number.
    #[test]
    fn lenient_column_reads() {
        assert_eq!(get_i64(ValueRef::Real(3.0)), Some(3));
        assert_eq!(get_i64(ValueRef::Real(3.5)), None);
        assert_eq!(get_i64(ValueRef::Text(b"3")), None);
        assert_eq!(get_u64(ValueRef::Integer(-1)), None);
        assert_eq!(get_f64(ValueRef::Integer(2)), Some(2.0));
        assert_eq!(
            canonical_mac("aa:bb:cc:dd:ee:ff".into()),
            "AA:BB:CC:DD:EE:FF"
        );
        assert_eq!(canonical_mac("not a mac".into()), "not a mac");
    }
}
