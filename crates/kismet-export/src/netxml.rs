//! Kismet's netxml network log, the legacy server's own log format (its
//! `dumpfile_netxml.cc`), as far as the protocol carries it: a
//! `<wireless-network>` per network in BSSID order, numbered from 1, with
//! its SSID records, counters, signal and, when it has a position, its
//! `<gps-info>`; its clients nested in it as `<wireless-client>`s. For
//! tools that read netxml (giskismet, kismet2earth, WiGLE's upload).
//!
//! Kismet's element names, nesting and order are kept; an element whose
//! value the protocol does not carry (or the model does not keep) is left
//! out rather than written with a made-up value: `<carrier>`,
//! `<encoding>`, `<maxseenrate>`, `<wps>`, `<card-source>`, `<seen-card>`,
//! `<bsstimestamp>`, `<cdp-*>`, the other counters of `<packets>` than
//! `<total>`, the noise and RSSI readings of `<snr-info>`, the altitudes
//! and speeds of `<gps-info>` other than the peak's, an SSID's
//! `first-time`, `<packets>` and `<beaconrate>`.
//!
//! Unlike the other formats, netxml keeps networks without a position
//! (`<gps-info>` is optional): [`Summary::written`] counts networks and
//! [`Summary::without_position`] stays 0. [`Options::what`] is not
//! looked at: the log is of networks, each with its clients, as Kismet
//! writes it; a client record whose network the snapshot does not hold
//! has nowhere to go and is left out, as is an access point's record of
//! itself. Stations seen only probing are written, as Kismet writes them,
//! as networks of type `probe`.

use std::borrow::Cow;
use std::io::{self, Write};

use kismet_client::{ClientView, NetworkView, PlaceView, SsidView};
use kismet_protocol::decode::crypt;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use crate::common::{degrees, frequency_mhz, xml_text, PROBE_NETWORK};
use crate::{Input, Options, Summary, What};

/// The DTD Kismet's netxml names (its last, for Kismet 2008 to 2016).
const DTD: &str = "http://kismetwireless.net/kismet-3.1.0.dtd";

/// The BSSID `type` of a network the server has removed: Kismet leaves it
/// out.
const REMOVED_NETWORK: u32 = 256;

/// The CLIENT `type` of a client the server has removed: left out too.
const REMOVED_CLIENT: u32 = 6;

/// The SSID `type` of a name a station probes for.
const PROBE_REQUEST: u32 = 2;

type Xml<'w> = Writer<&'w mut dyn Write>;

/// Epoch seconds in the form Kismet writes times, C's `ctime` without its
/// newline: `Sun Jul 24 10:00:00 2016`, the day of the month padded with
/// a space (`Mon Jul  4 10:00:00 2016`), as `ctime`'s `%3d` pads it.
/// Kismet wrote the server's local time; this is UTC, since the form
/// carries no zone and the server's is not known. `None` when out of
/// range.
pub(crate) fn kismet_time(secs: u64) -> Option<String> {
    let t = jiff::Timestamp::from_second(i64::try_from(secs).ok()?).ok()?;
    Some(t.strftime("%a %b %e %H:%M:%S %Y").to_string())
}

/// Kismet's name of a BSSID `type` code (`unknown` for one it has no
/// name for, and when the server has not sent it).
fn network_type(code: Option<u32>) -> &'static str {
    match code {
        Some(0) => "infrastructure",
        Some(1) => "ad-hoc",
        Some(2) => "probe",
        Some(3) => "turbocell",
        Some(4) => "data",
        _ => "unknown",
    }
}

/// Kismet's name of a CLIENT `type` code.
fn client_type(code: Option<u32>) -> &'static str {
    match code {
        Some(1) => "fromds",
        Some(2) => "tods",
        Some(3) => "interds",
        Some(4) => "established",
        Some(5) => "ad-hoc",
        _ => "unknown",
    }
}

/// Kismet's name of an SSID `type` code. Kismet writes `Probe Request`
/// only in a client's SSID records; see [`network_ssids`].
fn ssid_type(code: u32) -> Option<&'static str> {
    match code {
        0 => Some("Beacon"),
        1 => Some("Probe Response"),
        PROBE_REQUEST => Some("Probe Request"),
        3 => Some("Cached SSID"),
        _ => None,
    }
}

/// The cipher-set bits Kismet writes an `<encryption>` line for (after
/// `None` for an empty set and `WEP` for the WEP bit alone), in its order
/// and with its names (the network form: `WPA+` before the WPA parts).
const ENCRYPTION_LINES: [(u64, &str); 16] = [
    (crypt::LAYER3, "Layer3"),
    (crypt::WPA_MIGMODE, "WPA Migration Mode"),
    (crypt::WEP40, "WEP40"),
    (crypt::WEP104, "WEP104"),
    (crypt::TKIP, "WPA+TKIP"),
    (crypt::PSK, "WPA+PSK"),
    (crypt::AES_OCB, "WPA+AES-OCB"),
    (crypt::AES_CCM, "WPA+AES-CCM"),
    (crypt::LEAP, "WPA+LEAP"),
    (crypt::TTLS, "WPA+TTLS"),
    (crypt::TLS, "WPA+TLS"),
    (crypt::PEAP, "WPA+PEAP"),
    (crypt::ISAKMP, "ISAKMP"),
    (crypt::PPTP, "PPTP"),
    (crypt::FORTRESS, "Fortress"),
    (crypt::KEYGUARD, "Keyguard"),
];

/// The `<encryption>` lines Kismet writes for a cipher set.
fn encryption_lines(set: u64) -> impl Iterator<Item = &'static str> {
    let first = match set {
        0 => Some("None"),
        crypt::WEP => Some("WEP"),
        _ => None,
    };
    let bits = ENCRYPTION_LINES
        .iter()
        .filter(move |(bit, _)| set & bit != 0);
    first.into_iter().chain(bits.map(|(_, name)| *name))
}

/// Kismet's `<wpa-version>` of a cipher set: `WPA`, `WPA2`, `WPA+WPA2`.
fn wpa_version(set: u64) -> Option<&'static str> {
    match (set & crypt::WPA1 != 0, set & crypt::WPA2 != 0) {
        (true, true) => Some("WPA+WPA2"),
        (true, false) => Some("WPA"),
        (false, true) => Some("WPA2"),
        (false, false) => None,
    }
}

/// Text as XML character data: what XML forbids as U+FFFD (see
/// [`xml_text`]), `&`, `<` and `>` escaped, and a carriage return as a
/// character reference (a parser turns a literal one into a newline).
fn escaped(s: &str) -> Cow<'_, str> {
    let s = xml_text(s);
    if !s.contains(['&', '<', '>', '\r']) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Text safe in a comment: XML's text, no `--` in it.
fn comment_text(s: &str) -> String {
    let mut s = xml_text(s).into_owned();
    while s.contains("--") {
        s = s.replace("--", "- -");
    }
    s
}

/// `<name>text</name>`.
fn text_element(w: &mut Xml<'_>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::from_escaped(escaped(text)))?;
    Ok(())
}

fn start(w: &mut Xml<'_>, element: BytesStart<'_>) -> io::Result<()> {
    w.write_event(Event::Start(element))
}

fn end(w: &mut Xml<'_>, name: &str) -> io::Result<()> {
    w.write_event(Event::End(BytesEnd::new(name)))
}

/// The `first-time` and `last-time` attributes, those known.
fn push_times(element: &mut BytesStart<'_>, first: Option<u64>, last: Option<u64>) {
    for (name, secs) in [("first-time", first), ("last-time", last)] {
        if let Some(t) = secs.and_then(kismet_time) {
            element.push_attribute((name, t.as_str()));
        }
    }
}

/// `<packets>` with the one counter the protocol gives: `<total>`, which
/// Kismet makes LLC + data packets, as the model does.
fn packets(w: &mut Xml<'_>, total: Option<u64>) -> io::Result<()> {
    if let Some(total) = total {
        start(w, BytesStart::new("packets"))?;
        text_element(w, "total", &total.to_string())?;
        end(w, "packets")?;
    }
    Ok(())
}

/// `<snr-info>` with the last signal, when there is a reading (Kismet,
/// too, leaves the block out without one).
fn snr_info(w: &mut Xml<'_>, signal_dbm: Option<i32>) -> io::Result<()> {
    if let Some(dbm) = signal_dbm {
        start(w, BytesStart::new("snr-info"))?;
        text_element(w, "last_signal_dbm", &dbm.to_string())?;
        end(w, "snr-info")?;
    }
    Ok(())
}

/// `<gps-info>`, when the device has a position (its best, which Kismet
/// calls the peak: where the signal was strongest); each value when
/// known. Six decimals, as Kismet's `%f` writes them; the peak's
/// altitude in metres, as Kismet kept gpsd's.
fn gps_info(w: &mut Xml<'_>, place: Option<&PlaceView>) -> io::Result<()> {
    let Some(place) = place.filter(|p| p.best.is_some()) else {
        return Ok(());
    };
    start(w, BytesStart::new("gps-info"))?;
    let points = [
        ("min-lat", "min-lon", place.min),
        ("max-lat", "max-lon", place.max),
        ("peak-lat", "peak-lon", place.best),
    ];
    for (lat, lon, at) in points {
        if let Some(at) = at {
            text_element(w, lat, &degrees(at.lat()))?;
            text_element(w, lon, &degrees(at.lon()))?;
        }
    }
    if let Some(alt) = place.best_alt_m {
        text_element(w, "peak-alt", &format!("{:.6}", f64::from(alt)))?;
    }
    if let Some(at) = place.average {
        text_element(w, "avg-lat", &degrees(at.lat()))?;
        text_element(w, "avg-lon", &degrees(at.lon()))?;
    }
    end(w, "gps-info")
}

/// How much an SSID record says about the network's name: beacons first,
/// then probe responses, files, unknown types, probe requests.
fn ssid_rank(s: &SsidView) -> (u8, bool) {
    let rank = match s.ssid_type {
        Some(0) => 0,
        Some(1) => 1,
        Some(3) => 2,
        None => 3,
        Some(PROBE_REQUEST) => 4,
        Some(_) => 5,
    };
    (rank, s.name.is_none())
}

/// The SSID records a network's element holds, its most telling first
/// (readers take the first as the network's name; Kismet's own order is
/// that of a checksum). A station's probe requests are Kismet's client
/// records' business, but the model keeps them with the BSSID and not per
/// client: they are left out of a network, and written as the network's
/// own records for a station seen only probing (a `probe` network, whose
/// BSSID is the station).
fn network_ssids(n: &NetworkView) -> Vec<&SsidView> {
    let probe = n.network_type == Some(PROBE_NETWORK);
    let mut ssids: Vec<&SsidView> = (n.ssids.iter())
        .filter(|s| probe || s.ssid_type != Some(PROBE_REQUEST))
        .collect();
    ssids.sort_by_key(|s| ssid_rank(s));
    ssids
}

/// One `<SSID>` record.
fn ssid(w: &mut Xml<'_>, s: &SsidView) -> io::Result<()> {
    let mut element = BytesStart::new("SSID");
    push_times(&mut element, None, s.last_seen);
    start(w, element)?;
    if let Some(name) = s.ssid_type.and_then(ssid_type) {
        text_element(w, "type", name)?;
    }
    if let Some(rate) = s.max_rate {
        text_element(w, "max-rate", &format!("{rate:.6}"))?;
    }
    if let Some(set) = s.cryptset {
        for line in encryption_lines(set) {
            text_element(w, "encryption", line)?;
        }
        if let Some(version) = wpa_version(set) {
            text_element(w, "wpa-version", version)?;
        }
    }
    // Kismet writes the element for a hidden name too, empty.
    let name = s.name.as_deref().unwrap_or("");
    w.create_element("essid")
        .with_attribute(("cloaked", if s.cloaked { "true" } else { "false" }))
        .write_text_content(BytesText::from_escaped(escaped(name)))?;
    end(w, "SSID")
}

/// `<channel>`, and `<freqmhz>` when the channel is one with a known
/// frequency. Kismet's `<freqmhz>` is `FREQ PACKETS` per frequency a
/// packet was seen on; the protocol gives no count per frequency, so the
/// count written is the network's packets on its own channel's
/// frequency, as airodump-ng's netxml writes it (the frequency alone when
/// the packets are not known).
fn channel(w: &mut Xml<'_>, channel: Option<u32>, packets: Option<u64>) -> io::Result<()> {
    let Some(channel) = channel else {
        return Ok(());
    };
    text_element(w, "channel", &channel.to_string())?;
    if let Some(mhz) = frequency_mhz(channel) {
        let text = match packets {
            Some(p) => format!("{mhz} {p}"),
            None => mhz.to_string(),
        };
        text_element(w, "freqmhz", &text)?;
    }
    Ok(())
}

/// One `<wireless-client>`. Its channel is its network's: the protocol
/// gives a client none, and a station talks to its access point on the
/// access point's channel.
fn client(
    w: &mut Xml<'_>,
    number: usize,
    c: &ClientView,
    net_channel: Option<u32>,
) -> io::Result<()> {
    let mut element = BytesStart::new("wireless-client");
    element.push_attribute(("number", number.to_string().as_str()));
    element.push_attribute(("type", client_type(c.client_type)));
    push_times(&mut element, c.first_seen, c.last_seen);
    start(w, element)?;
    text_element(w, "client-mac", &c.mac)?;
    if let Some(manuf) = &c.manuf {
        text_element(w, "client-manuf", manuf)?;
    }
    if let Some(ch) = net_channel {
        text_element(w, "channel", &ch.to_string())?;
    }
    packets(w, c.packets)?;
    snr_info(w, c.signal_dbm)?;
    gps_info(w, c.place.as_ref())?;
    end(w, "wireless-client")
}

/// One `<wireless-network>` with its clients.
fn network(
    w: &mut Xml<'_>,
    number: usize,
    n: &NetworkView,
    clients: &[&ClientView],
) -> io::Result<()> {
    let mut element = BytesStart::new("wireless-network");
    element.push_attribute(("number", number.to_string().as_str()));
    element.push_attribute(("type", network_type(n.network_type)));
    push_times(&mut element, n.first_seen, n.last_seen);
    start(w, element)?;
    for s in network_ssids(n) {
        ssid(w, s)?;
    }
    text_element(w, "BSSID", &n.bssid)?;
    if let Some(manuf) = &n.manuf {
        text_element(w, "manuf", manuf)?;
    }
    channel(w, n.channel, n.packets)?;
    packets(w, n.packets)?;
    if let Some(size) = n.datasize {
        text_element(w, "datasize", &size.to_string())?;
    }
    snr_info(w, n.signal_dbm)?;
    gps_info(w, n.place.as_ref())?;
    let written = clients
        .iter()
        .filter(|c| c.client_type != Some(REMOVED_CLIENT));
    for (i, c) in written.enumerate() {
        client(w, i + 1, c, n.channel)?;
    }
    end(w, "wireless-network")
}

/// The start of the run: the server's start time is not among what an
/// export is made from, so the earliest first sighting of a network or a
/// client stands for it (a guess; Kismet wrote the time it started).
fn start_time(input: &Input<'_>) -> Option<u64> {
    let networks = (input.snapshot.networks.iter())
        .filter(|n| n.network_type != Some(REMOVED_NETWORK))
        .filter_map(|n| n.first_seen);
    let clients = input.clients(What::All).filter_map(|c| c.first_seen);
    networks.chain(clients).min()
}

/// Writes the export.
pub(crate) fn write(
    input: &Input<'_>,
    _options: &Options,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let mut w = Writer::new_with_indent(out, b' ', 2);
    // Kismet declared ISO-8859-1 (and wrote the SSID's bytes as they
    // came); our text is UTF-8, so the file is UTF-8 and says so.
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let doctype = format!("detection-run SYSTEM \"{DTD}\"");
    w.write_event(Event::DocType(BytesText::from_escaped(doctype)))?;
    // `kismet-version` names the writer, as other programs writing netxml
    // do (airodump-ng writes `airodump-ng-1.0`): the server's own version
    // is not known (a legacy server sends `0.0.0`).
    let mut run = BytesStart::new("detection-run");
    run.push_attribute(("kismet-version", xml_text(&input.meta.app).as_ref()));
    if let Some(t) = start_time(input).and_then(kismet_time) {
        run.push_attribute(("start-time", t.as_str()));
    }
    start(&mut w, run)?;
    let note = format!(
        " written by {} from {} ",
        comment_text(&input.meta.app),
        comment_text(&input.meta.source)
    );
    w.write_event(Event::Comment(BytesText::from_escaped(note)))?;
    let mut summary = Summary::default();
    // Both lists are sorted by BSSID: walk them together.
    let mut clients = input.clients(What::All).peekable();
    let mut own: Vec<&ClientView> = Vec::new();
    for n in &input.snapshot.networks {
        while clients.next_if(|c| c.bssid < n.bssid).is_some() {}
        own.clear();
        while let Some(c) = clients.next_if(|c| c.bssid == n.bssid) {
            own.push(c);
        }
        if n.network_type == Some(REMOVED_NETWORK) {
            continue;
        }
        summary.written += 1;
        network(&mut w, summary.written, n, &own)?;
    }
    end(&mut w, "detection-run")?;
    w.into_inner().write_all(b"\n")?;
    Ok(summary)
}

#[cfg(test)]
#[path = "netxml_tests.rs"]
mod tests;
