//! One network in detail (`network NET`, and the watch view's detail
//! screen): its fields as label and value lines, its SSID records, its
//! clients, and its signal over the last minutes as a sparkline of block
//! characters; as JSON, the network object with `ssids`, `clients` and
//! `signal_history`.

use serde_json::{json, Value};

use super::devices::{client_value, clients_table, hidden_bssids, network_value, ssid_label};
use super::json::json_line;
use super::layout::truncate;
use super::time::{ago_text, local_text, rfc3339};
use crate::shell::outcome::NetworkReport;
use kismet_client::{NetworkView, SsidDetail, SsidView, SIGNAL_SECONDS};
use kismet_protocol::decode::{network_type_name, ssid_type_name};
use kismet_protocol::text;

/// The block characters of a sparkline, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A label's width in the label/value lines.
const LABEL: usize = 15;

fn known<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// A time as local time and how long ago; `-` when unknown (the server
/// writes 0 for a time it does not know).
fn when(t: Option<u64>, now: u64) -> String {
    match t.filter(|&t| t != 0) {
        Some(t) => format!("{} ({})", local_text(t), ago_text(now, t)),
        None => "-".to_string(),
    }
}

/// A rate in Mbit/s, without a needless `.0`.
fn mbits(r: f64) -> String {
    format!("{r} Mbit/s")
}

/// The detail's fields, as (label, value) pairs: values sanitised.
pub fn detail_fields(r: &NetworkReport) -> Vec<(&'static str, String)> {
    let (n, d) = (&r.network, &r.detail);
    let enc = if n.cryptset.is_some() && !n.is_probe() {
        n.encryption.shown_parts().collect::<Vec<_>>().join(" ")
    } else {
        "-".to_string()
    };
    let signal = match (n.signal_dbm, d.min_signal_dbm, d.max_signal_dbm) {
        (now, None, None) => known(now.map(|s| format!("{s} dBm"))),
        (now, min, max) => format!(
            "{} dBm (min {}, max {})",
            known(now),
            known(min),
            known(max)
        ),
    };
    let packets = format!(
        "{} (llc {}, data {}, crypt {})",
        known(n.packets),
        known(d.llc_packets),
        known(d.data_packets),
        known(d.crypt_packets)
    );
    let rates = n
        .ssids
        .iter()
        .filter_map(|s| s.max_rate)
        .fold(None, |a: Option<f64>, r| Some(a.map_or(r, |a| a.max(r))));
    let manuf = n.manuf.as_deref().map(|m| text::display(m.as_bytes()));
    let mut fields = vec![
        ("BSSID", n.bssid.clone()),
        ("SSID", ssid_label(n)),
        ("Type", known(n.network_type.map(network_type_name))),
        ("Channel", known(n.channel.filter(|_| !n.is_probe()))),
        ("Encryption", enc),
        ("Signal", signal),
        ("Max rate", known(rates.map(mbits))),
        ("Max seen rate", known(d.max_seen_rate.map(mbits))),
        ("Packets", packets),
        ("Data", known(n.datasize.map(|b| format!("{b} bytes")))),
        ("Manufacturer", known(manuf)),
        ("IP range", known(d.range_ip.clone())),
        ("First seen", when(n.first_seen, r.now)),
        ("Last seen", when(n.last_seen, r.now)),
        ("Clients", r.clients.len().to_string()),
    ];
    fields.push(("Position", position_text(n)));
    fields
}

/// Where a network was seen: its best position, its mean and how many
/// fixes; `-` when none is known.
fn position_text(n: &NetworkView) -> String {
    let Some(place) = n.place else {
        return "-".to_string();
    };
    let best = place.best.map_or("-".to_string(), |p| {
        format!("{:.6},{:.6}", p.lat(), p.lon())
    });
    format!(
        "best {best} ({} fixes, {})",
        place.gps_points,
        place.source.name()
    )
}

/// One SSID record as two lines (without indent): its name, type,
/// encryption and rate; then its beacons, packets and times.
pub fn ssid_lines(s: &SsidView, d: Option<&SsidDetail>, now: u64) -> [String; 2] {
    let name = match (&s.name, s.cloaked) {
        (Some(name), _) => text::display(name.as_bytes()),
        (None, true) => "<hidden>".to_string(),
        (None, false) => "(no name)".to_string(),
    };
    let kind = s
        .ssid_type
        .map_or("-".into(), |t| ssid_type_name(t).into_owned());
    let mut first = vec![kind];
    if s.cryptset.is_some() {
        first.push(s.encryption.shown_parts().collect::<Vec<_>>().join(" "));
    }
    if let Some(r) = s.max_rate {
        first.push(format!("max {}", mbits(r)));
    }
    let mut second = Vec::new();
    if let Some(b) = s.beacons {
        second.push(match d.and_then(|d| d.beacon_rate).filter(|&r| r > 0) {
            Some(r) => format!("{b} beacons ({r}/s)"),
            None => format!("{b} beacons"),
        });
    }
    if let Some(p) = d.and_then(|d| d.packets) {
        second.push(format!("{p} packets"));
    }
    if let Some(t) = d.and_then(|d| d.first_seen).filter(|&t| t != 0) {
        second.push(format!("first {}", ago_text(now, t)));
    }
    if let Some(t) = s.last_seen.filter(|&t| t != 0) {
        second.push(format!("last {}", ago_text(now, t)));
    }
    [format!("{name}: {}", first.join(", ")), second.join(", ")]
}

/// The signal as block characters, `width` at most, each standing for an
/// equal share of the last [`SIGNAL_SECONDS`] before `now` (the strongest
/// reading in it; a space where there was none), scaled from -95 dBm (or
/// the weakest shown, when weaker) to -35 dBm (or the strongest).
pub fn sparkline(points: &[(u64, i32)], now: u64, width: usize) -> String {
    let cells = signal_columns(points, now, width);
    let (Some(&lo), Some(&hi)) = (cells.iter().flatten().min(), cells.iter().flatten().max())
    else {
        return String::new();
    };
    let (lo, hi) = (lo.min(CHART_LOW_DBM), hi.max(CHART_HIGH_DBM));
    let range = hi - lo;
    cells
        .iter()
        .map(|c| match c {
            Some(v) => BARS[((v - lo) * 7 / range).clamp(0, 7) as usize],
            None => ' ',
        })
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// The bottom of a signal chart's scale, dBm (lower when a reading is).
pub const CHART_LOW_DBM: i32 = -95;

/// The top of a signal chart's scale, dBm (higher when a reading is).
pub const CHART_HIGH_DBM: i32 = -35;

/// The signal in `width` columns (at least 1, at most one a second), each
/// an equal share of the last [`SIGNAL_SECONDS`] up to `end`: the
/// strongest reading in it, `None` where there was none.
pub fn signal_columns(points: &[(u64, i32)], end: u64, width: usize) -> Vec<Option<i32>> {
    let width = width.clamp(1, SIGNAL_SECONDS);
    let span = SIGNAL_SECONDS as u64;
    let start = end.saturating_sub(span - 1);
    let mut cells: Vec<Option<i32>> = vec![None; width];
    for &(t, dbm) in points.iter().filter(|(t, _)| (start..=end).contains(t)) {
        // Less than width: fits.
        let i = ((t - start) * width as u64 / span) as usize;
        if let Some(cell) = cells.get_mut(i) {
            *cell = Some(cell.map_or(dbm, |c| c.max(dbm)));
        }
    }
    cells
}

/// Where a signal chart ends: now by this machine's clock (the live
/// model's readings are stamped with it), or the last reading when that
/// is older than the chart's span (a session database's).
pub fn chart_end(points: &[(u64, i32)]) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    match points.last() {
        Some(&(last, _)) if last + (SIGNAL_SECONDS as u64) <= now => last,
        _ => now,
    }
}

/// The last and the range of a signal history, for under its sparkline.
pub fn signal_summary(points: &[(u64, i32)]) -> String {
    let Some(&(_, last)) = points.last() else {
        return "no signal readings yet".to_string();
    };
    let lo = points.iter().map(|p| p.1).min().unwrap_or(last);
    let hi = points.iter().map(|p| p.1).max().unwrap_or(last);
    format!(
        "{} readings, {lo} to {hi} dBm, last {last} dBm",
        points.len()
    )
}

/// `network NET` as text, for a terminal `width` columns wide (80 when
/// unknown): the fields, the SSIDs, the signal's sparkline, the clients.
pub fn network_text(r: &NetworkReport, width: Option<usize>) -> String {
    let width = width.unwrap_or(80).max(20);
    let mut lines: Vec<String> = detail_fields(r)
        .into_iter()
        .map(|(label, value)| truncate(&format!("{label:<LABEL$}{value}"), width))
        .collect();
    lines.push(format!("SSIDs ({})", r.network.ssids.len()));
    for (i, s) in r.network.ssids.iter().enumerate() {
        let [first, second] = ssid_lines(s, r.detail.ssids.get(i), r.now);
        lines.push(truncate(&format!("  {first}"), width));
        if !second.is_empty() {
            lines.push(truncate(&format!("    {second}"), width));
        }
    }
    let minutes = SIGNAL_SECONDS / 60;
    lines.push(format!(
        "Signal, last {minutes} minutes: {}",
        signal_summary(&r.detail.signal_history)
    ));
    let points = &r.detail.signal_history;
    let spark = sparkline(points, chart_end(points), width.saturating_sub(2).min(60));
    if !spark.is_empty() {
        lines.push(format!("  {spark}"));
    }
    if !r.clients.is_empty() {
        let hidden = hidden_bssids(std::slice::from_ref(&r.network));
        lines.push(format!("Clients ({})", r.clients.len()));
        lines.push(clients_table(
            &r.clients,
            r.now,
            Some(width),
            None,
            &hidden,
            false,
        ));
    }
    lines.join("\n")
}

/// `network NET --format json`: the network's object as `networks`
/// writes it (its count of clients as `client_count`), with `ssids`,
/// `clients` (as `clients` writes them),
/// `signal_history` (`[[time, dBm], ...]`, times RFC 3339 UTC) and the
/// detail's own fields.
pub fn network_detail_value(r: &NetworkReport) -> Value {
    let (n, d) = (&r.network, &r.detail);
    let mut value = network_value(n, None);
    let ssids: Vec<Value> = (n.ssids.iter().enumerate())
        .map(|(i, s)| {
            let sd = d.ssids.get(i);
            json!({
                "ssid": s.name,
                "ssid_type": s.ssid_type.map(ssid_type_name),
                "cloaked": s.cloaked,
                "encryption": s.cryptset.map(|_| s.encryption.enc),
                "cryptset": s.cryptset,
                "max_rate": s.max_rate,
                "beacon_rate": sd.and_then(|d| d.beacon_rate),
                "beacons": s.beacons,
                "packets": sd.and_then(|d| d.packets),
                "first_seen": sd.and_then(|d| d.first_seen).filter(|&t| t != 0).map(rfc3339),
                "last_seen": s.last_seen.filter(|&t| t != 0).map(rfc3339),
            })
        })
        .collect();
    let clients: Vec<Value> = r.clients.iter().map(|c| client_value(c, None)).collect();
    let history: Vec<Value> = (d.signal_history.iter())
        .map(|&(t, dbm)| json!([rfc3339(t), dbm]))
        .collect();
    if let Value::Object(obj) = &mut value {
        obj.insert("llc_packets".into(), json!(d.llc_packets));
        obj.insert("data_packets".into(), json!(d.data_packets));
        obj.insert("crypt_packets".into(), json!(d.crypt_packets));
        obj.insert("min_signal_dbm".into(), json!(d.min_signal_dbm));
        obj.insert("max_signal_dbm".into(), json!(d.max_signal_dbm));
        obj.insert("max_seen_rate".into(), json!(d.max_seen_rate));
        obj.insert("range_ip".into(), json!(d.range_ip));
        obj.insert("ssids".into(), Value::Array(ssids));
        // `clients` is the list here; `networks`' count of them is
        // `client_count`.
        let count = obj.insert("clients".into(), Value::Array(clients));
        obj.insert("client_count".into(), count.unwrap_or(Value::Null));
        obj.insert("signal_history".into(), Value::Array(history));
    }
    value
}

/// [`network_detail_value`] as one JSON line.
pub fn network_detail_json(r: &NetworkReport) -> String {
    json_line(&network_detail_value(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sparkline puts each reading in its share of the span, scales
    /// between the weakest and the strongest, and leaves gaps blank.
    #[test]
    fn sparkline_scales_and_places_readings() {
        let now = 10_000;
        let points = [(now - 599, -95), (now - 300, -65), (now, -35)];
        let s = sparkline(&points, now, 60);
        let chars: Vec<char> = s.chars().collect();
        assert_eq!(chars.len(), 60);
        assert_eq!(chars[0], '▁');
        assert_eq!(chars[29], '▄');
        assert_eq!(chars[59], '█');
        // Past the scale, the scale grows.
        assert!(sparkline(&[(now, -20), (now - 1, -100)], now, 60).ends_with('█'));
        assert_eq!(chars[1], ' ');
        assert_eq!(sparkline(&[], now, 60), "");
        // Readings older than the span are not drawn.
        assert_eq!(sparkline(&[(now - 700, -60)], now, 60), "");
    }
}
