//! WiGLE CSV, version 1.6: a pre-header line naming the writer, the
//! 14-column header, and one row per sighting of a device at a fix (at
//! most one per device per second, as the model keeps them), or with
//! [`Options::best`] one per device at its best position. Every row has
//! all 14 columns (Kismet's own exporter writes 12 under a 14-column
//! header); quoting is RFC 4180's, by the `csv` crate.

use std::io::{self, Write};

use kismet_client::{LatLon, NetworkView, Sighting};
use kismet_protocol::decode::format_mac;

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
    mac: &'a str,
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

fn write_row<W: Write>(out: &mut csv::Writer<W>, r: &Row<'_>) -> io::Result<()> {
    let opt = |v: Option<String>| v.unwrap_or_default();
    let fields: [String; 14] = [
        r.mac.to_string(),
        r.ssid.to_string(),
        r.auth.to_string(),
        utc_plain(r.time),
        opt(r.channel.map(|c| c.to_string())),
        opt(r.channel.and_then(frequency_mhz).map(|f| f.to_string())),
        opt(r.rssi.map(|s| s.to_string())),
        format!("{:.6}", r.at.lat()),
        format!("{:.6}", r.at.lon()),
        opt(r.alt_m.map(|a| a.to_string())),
        opt(r.accuracy_m.map(|a| format!("{a:.1}"))),
        String::new(),
        String::new(),
        "WIFI".to_string(),
    ];
    out.write_record(&fields).map_err(io::Error::other)
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
    writeln!(
        out,
        "WigleWifi-1.6,appRelease={version},model=kismet-shell,release={version},\
         device={device},display=kismet-shell,board=kismet,brand=kismet,\
         star=Sol,body=3,subBody=0"
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
                mac,
                ssid: &cols.ssid,
                auth: &cols.auth,
                time: first.unwrap_or(0),
                channel,
                rssi: place.best_signal_dbm.or(signal),
                at,
                alt_m: place.best_alt_m,
                accuracy_m: None,
            },
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
    let mut mac_text = String::new();
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
            let net = input.network(&format_mac(s.bssid));
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
        mac_text.clear();
        mac_text.push_str(&format_mac(s.mac));
        let (ssid, auth) = if s.client {
            ("", "")
        } else {
            (cols.ssid.as_str(), cols.auth.as_str())
        };
        write_row(
            csv,
            &Row {
                mac: &mac_text,
                ssid,
                auth,
                time: u64::from(s.time),
                channel: cols.channel,
                rssi: s.signal_dbm(),
                at: s.at,
                alt_m: s.alt_m().map(i32::from),
                accuracy_m: s.accuracy_m(),
            },
        )?;
        summary.written += 1;
    }
    Ok(())
}
