//! WiGLE CSV, version 1.6: a pre-header line naming the writer, the
//! 14-column header, and one row per sighting of a device at a fix (at
//! most one per device per second, as the model keeps them), or with
//! [`Options::best`] one per device at its best position. Every row has
//! all 14 columns (Kismet's own exporter writes 12 under a 14-column
//! header); quoting is RFC 4180's, by the `csv` crate.

use std::io::{self, Write};

use kismet_client::{LatLon, NetworkView, Sighting};
use kismet_protocol::decode::mac_text;

use crate::common::{frequency_mhz, utc_plain, wigle_auth_mode, PROBE_NETWORK};
use crate::{Device, Input, Options, Summary};

/// The column names, in order.
pub(crate) const HEADER: [&str; 14] = [
    "MAC",
    "SSID",
    "AuthMode",
    "FirstSeen",
    "Channel",
    "Frequency",
    "RSSI",
    "CurrentLatitude",
    "CurrentLongitude",
    "AltitudeMeters",
    "AccuracyMeters",
    "RCOIs",
    "MfgrId",
    "Type",
];

/// One row's values.
struct Row<'a> {
    mac: &'a [u8],
    ssid: &'a str,
    auth: &'a str,
    time: u64,
    channel: Option<u32>,
    rssi: Option<i32>,
    at: LatLon,
    alt_m: Option<i32>,
    accuracy_m: Option<f64>,
}

/// The network's values a row repeats: SSID, security, channel.
struct NetworkColumns {
    ssid: String,
    auth: String,
    channel: Option<u32>,
}

impl NetworkColumns {
    fn of(n: Option<&NetworkView>) -> NetworkColumns {
        NetworkColumns {
            ssid: n.and_then(|n| n.ssid.clone()).unwrap_or_default(),
            auth: n.map_or_else(String::new, |n| wigle_auth_mode(n.cryptset, n.network_type)),
            channel: n.and_then(|n| n.channel),
        }
    }
}

/// Writes a row field by field, numbers through one reused buffer (a
/// million sighting rows allocate nothing per row).
fn write_row<W: Write>(
    out: &mut csv::Writer<W>,
    r: &Row<'_>,
    scratch: &mut Scratch,
) -> io::Result<()> {
    use std::fmt::Write as _;
    let Scratch { num, time } = scratch;
    if time.0 != r.time || time.1.is_empty() {
        *time = (r.time, utc_plain(r.time));
    }
    let field =
        |out: &mut csv::Writer<W>, value: &[u8]| out.write_field(value).map_err(io::Error::other);
    let mut number = |out: &mut csv::Writer<W>, value: Option<&dyn std::fmt::Display>| {
        num.clear();
        if let Some(v) = value {
            let _ = write!(num, "{v}");
        }
        out.write_field(num.as_bytes()).map_err(io::Error::other)
    };
    field(out, r.mac)?;
    field(out, r.ssid.as_bytes())?;
    field(out, r.auth.as_bytes())?;
    field(out, time.1.as_bytes())?;
    number(out, r.channel.as_ref().map(|c| c as &dyn std::fmt::Display))?;
    let freq = r.channel.and_then(frequency_mhz);
    number(out, freq.as_ref().map(|f| f as &dyn std::fmt::Display))?;
    number(out, r.rssi.as_ref().map(|s| s as &dyn std::fmt::Display))?;
    let (lat, lon) = (Degrees(r.at.lat()), Degrees(r.at.lon()));
    number(out, Some(&lat))?;
    number(out, Some(&lon))?;
    number(out, r.alt_m.as_ref().map(|a| a as &dyn std::fmt::Display))?;
    let accuracy = r.accuracy_m.map(Tenths);
    number(out, accuracy.as_ref().map(|a| a as &dyn std::fmt::Display))?;
    field(out, b"")?;
    field(out, b"")?;
    field(out, b"WIFI")?;
    out.write_record(None::<&[u8]>).map_err(io::Error::other)
}

/// What rows reuse: a buffer for numbers, and the latest time as text
/// (sightings come in time order).
#[derive(Default)]
struct Scratch {
    num: String,
    time: (u64, String),
}

/// Degrees with six decimals.
struct Degrees(f64);

impl std::fmt::Display for Degrees {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.6}", self.0)
    }
}

/// Metres with one decimal.
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.1}", self.0)
    }
}

/// Writes the export.
pub(crate) fn write(
    input: &Input<'_>,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let meta = input.meta;
    let version = meta.app.rsplit(' ').next().unwrap_or("");
    let device = meta.source.replace(',', " ");
    write!(
        out,
        "WigleWifi-1.6,appRelease={version},model=kismet-shell,release={version},\
         device={device},display=kismet-shell,board=kismet,brand=kismet,\
         star=Sol,body=3,subBody=0\r\n"
    )?;
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    csv.write_record(HEADER).map_err(io::Error::other)?;
    let history = input.history;
    let best = options.best || !history.keeps_sightings;
    let mut summary = Summary {
        best_instead: best && !options.best,
        ..Summary::default()
    };
    if best {
        best_rows(input, options, &mut csv, &mut summary)?;
    } else {
        summary.dropped_sightings = history.dropped_sightings;
        summary.without_position = input
            .devices(options.what)
            .filter(|d| d.best().is_none())
            .count();
        sighting_rows(input, options, &history.sightings, &mut csv, &mut summary)?;
    }
    csv.flush()?;
    Ok(summary)
}

/// One row per device at its best position.
fn best_rows<W: Write>(
    input: &Input<'_>,
    options: &Options,
    csv: &mut csv::Writer<W>,
    summary: &mut Summary,
) -> io::Result<()> {
    let mut scratch = Scratch::default();
    for device in input.devices(options.what) {
        let (mac, net, place, first, signal) = match device {
            Device::Network(n) => (&n.bssid, Some(n), n.place, n.first_seen, n.signal_dbm),
            Device::Client(c) => (&c.mac, None, c.place, c.first_seen, c.signal_dbm),
        };
        let Some((place, at)) = place.and_then(|p| Some((p, p.best?))) else {
            summary.without_position += 1;
            continue;
        };
        let cols = NetworkColumns::of(net);
        let channel = match device {
            Device::Client(c) => input.network(&c.bssid).and_then(|n| n.channel),
            Device::Network(n) => n.channel,
        };
        write_row(
            csv,
            &Row {
                mac: mac.as_bytes(),
                ssid: &cols.ssid,
                auth: &cols.auth,
                time: first.unwrap_or(0),
                channel,
                rssi: place.best_signal_dbm.or(signal),
                at,
                alt_m: place.best_alt_m,
                accuracy_m: None,
            },
            &mut scratch,
        )?;
        summary.written += 1;
    }
    Ok(())
}

/// One row per sighting kept.
fn sighting_rows<W: Write>(
    input: &Input<'_>,
    options: &Options,
    sightings: &[Sighting],
    csv: &mut csv::Writer<W>,
    summary: &mut Summary,
) -> io::Result<()> {
    // Sightings come in time order, networks interleaved: the columns of
    // the network last looked up are kept for the next row of it.
    let mut cache: Option<([u8; 6], NetworkColumns, bool)> = None;
    let mut scratch = Scratch::default();
    for s in sightings {
        let wanted = if s.client {
            options.what != crate::What::Networks
        } else {
            options.what != crate::What::Clients
        };
        if !wanted {
            continue;
        }
        if cache.as_ref().is_none_or(|(b, _, _)| *b != s.bssid) {
            let net = input.network_of(&mac_text(s.bssid));
            let probe = net.is_some_and(|n| n.network_type == Some(PROBE_NETWORK));
            cache = Some((s.bssid, NetworkColumns::of(net), probe));
        }
        let Some((_, cols, probe)) = &cache else {
            continue;
        };
        if *probe && !s.client {
            // A station seen only probing is not a network.
            continue;
        }
        let mac = mac_text(s.mac);
        let (ssid, auth) = if s.client {
            ("", "")
        } else {
            (cols.ssid.as_str(), cols.auth.as_str())
        };
        write_row(
            csv,
            &Row {
                mac: &mac,
                ssid,
                auth,
                time: u64::from(s.time),
                channel: cols.channel,
                rssi: s.signal_dbm(),
                at: s.at,
                alt_m: s.alt_m().map(i32::from),
                accuracy_m: s.accuracy_m(),
            },
            &mut scratch,
        )?;
        summary.written += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::{export, snapshot};
    use crate::{Format, What};
    use kismet_client::{History, Model};

    /// The rows after the pre-header, read by the csv crate (which fails
    /// on a row of another width).
    fn rows(text: &str) -> Vec<csv::StringRecord> {
        let (pre, body) = text.split_once("\r\n").unwrap_or((text, ""));
        assert!(pre.starts_with("WigleWifi-1.6,appRelease=9.9.9,"), "{pre}");
        assert!(pre.ends_with(",star=Sol,body=3,subBody=0"), "{pre}");
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, HEADER);
        reader.records().map(|r| r.unwrap()).collect()
    }

    /// `--export-best`: one row per network with a position, 14 columns
    /// each, quoted SSID read back whole, latitude before longitude,
    /// AuthMode in the bracket form, FirstSeen in UTC; the network
    /// without a position is counted, the probing station left out.
    #[test]
    fn best_rows_have_14_columns_and_lat_before_lon() {
        let options = Options {
            best: true,
            ..Options::default()
        };
        let (text, summary) = export(Format::Wigle, &snapshot(), &History::default(), options);
        let got = rows(&text);
        assert_eq!(got.len(), 1, "{text}");
        let r: Vec<&str> = got[0].iter().collect();
        assert_eq!(
            r,
            [
                "00:14:6C:A1:00:01",
                "Cafe, \"Free\"",
                "[WPA2-PSK-CCMP][ESS]",
                "2016-07-24 10:00:00",
                "6",
                "2437",
                "-48",
                "45.523064",
                "-122.676483",
                "61",
                "",
                "",
                "",
                "WIFI"
            ]
        );
        assert_eq!((summary.written, summary.without_position), (1, 1));
        assert!(!summary.best_instead);
        // Clients too: the client's row, its channel its network's.
        let options = Options {
            best: true,
            what: What::All,
        };
        let (text, summary) = export(Format::Wigle, &snapshot(), &History::default(), options);
        let got = rows(&text);
        assert_eq!(summary.written, 2);
        assert_eq!(&got[1][0], "00:0C:42:00:00:01");
        assert_eq!(&got[1][4], "6");
    }

    /// Rows per sighting, from a model fed GPS and BSSID lines: one row
    /// per network per second, each at its own fix and signal; a model
    /// that kept none falls back to best rows and says so.
    #[test]
    fn sighting_rows_follow_the_fixes() {
        use kismet_protocol::Frame;
        use std::sync::Arc;
        let frame = |protocol: &str, pairs: &[(&str, &str)], ms: u64| {
            let names: Arc<[String]> = pairs.iter().map(|(k, _)| k.to_string()).collect();
            let body: Vec<String> = pairs.iter().map(|(_, v)| v.to_string()).collect();
            let line = format!("*{protocol}: {} ", body.join(" "));
            Frame::parse(line.as_bytes())
                .unwrap()
                .with_names(Some(names))
                .with_received(ms)
        };
        let gps = |lat: &str, ms| {
            frame(
                "GPS",
                &[
                    ("lat", lat),
                    ("lon", "-122.676483"),
                    ("fix", "2"),
                    ("hdop", "1.2"),
                ],
                ms,
            )
        };
        let bssid = |signal: &str, last: &str, ms| {
            let pairs = [
                ("bssid", "00:14:6C:A1:00:01"),
                ("signal_dbm", signal),
                ("lasttime", last),
                ("channel", "11"),
            ];
            frame("BSSID", &pairs, ms)
        };
        let model = Model::default();
        model.keep_sightings(1000);
        model.feed(&[
            frame(
                "SSID",
                &[
                    ("mac", "00:14:6C:A1:00:01"),
                    ("ssid", "\u{1}Home\u{1}"),
                    ("cryptset", "0"),
                ],
                900,
            ),
            gps("45.523064", 1000),
            bssid("-70", "1469354400", 1100),
            bssid("-60", "1469354400", 1200),
            gps("45.523164", 2000),
            bssid("-50", "1469354401", 2100),
        ]);
        let (snapshot, history) = (model.snapshot(), model.history());
        let (text, summary) = export(Format::Wigle, &snapshot, &history, Options::default());
        let read = rows(&text);
        let got: Vec<(&str, &str, &str, &str, &str, &str)> = read
            .iter()
            .map(|r| (&r[1], &r[3], &r[6], &r[7], &r[8], &r[10]))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Home",
                    "2016-07-24 10:00:00",
                    "-70",
                    "45.523064",
                    "-122.676483",
                    "6.0"
                ),
                (
                    "Home",
                    "2016-07-24 10:00:01",
                    "-50",
                    "45.523164",
                    "-122.676483",
                    "6.0"
                ),
            ]
        );
        assert_eq!(&read[0][2], "[ESS]");
        assert_eq!(&read[0][5], "2462");
        assert_eq!(summary.written, 2);
        let (text, summary) = export(
            Format::Wigle,
            &snapshot,
            &History::default(),
            Options::default(),
        );
        assert_eq!(rows(&text).len(), 1);
        assert!(summary.best_instead);
        assert!(summary
            .note(crate::Format::Wigle, What::Networks, "x.csv")
            .contains("no sightings"));
    }
}
