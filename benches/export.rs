//! Exports of 100,000 networks: time per format.
//!
//! Run: `cargo bench --bench export` (`EXPORT_ROUNDS=N` for more rounds
//! than 5). Builds a snapshot of 100,000 networks (SSID, manufacturer,
//! encryption, channel, a position each; every fourth with a client), a
//! GPS track of 30,000 points and 1,000,000 sightings, then writes each
//! format in turn into memory (`kismet_export::write`: the formats' own
//! cost, without the disk), the order rotating from round to round.
//! Prints the median and the range per format, and the size written.
//! First, what keeping the sightings costs the model: the drive's frames
//! fed to a model that keeps them and to one that does not, in turn.
//! WiGLE CSV is written twice: one row per network at its best position
//! (`--export-best`), and one per sighting.

use std::time::{Duration, Instant};

use kismet_client::{ClientView, LatLon, NetworkView, PlaceView, PositionSource, Snapshot};
use kismet_export::{write, Format, Input, Meta, Options, What};
use kismet_protocol::decode::Encryption;

const NETWORKS: usize = 100_000;
const TRACK_POINTS: usize = 30_000;
const SIGHTINGS: usize = 1_000_000;

/// A position near Portland (a longitude beyond -100), spread over some
/// 10 km by `i`.
fn at(i: usize) -> LatLon {
    let f = (i % 1000) as f64 / 1000.0;
    let g = (i / 1000 % 100) as f64 / 100.0;
    LatLon::from_degrees(45.45 + 0.1 * f, -122.75 + 0.1 * g).unwrap()
}

fn place(i: usize) -> PlaceView {
    let p = at(i);
    PlaceView {
        source: PositionSource::Client,
        first: Some(p),
        last: Some(p),
        best: Some(p),
        best_alt_m: Some(40 + (i % 30) as i32),
        best_signal_dbm: Some(-40 - (i % 50) as i32),
        average: Some(p),
        min: Some(p),
        max: Some(p),
        gps_points: 12,
    }
}

fn mac(i: usize, kind: u8) -> String {
    let b = (i as u32).to_be_bytes();
    format!(
        "00:{kind:02X}:{:02X}:{:02X}:{:02X}:{:02X}",
        b[0], b[1], b[2], b[3]
    )
}

fn snapshot() -> Snapshot {
    let sets = [2097858u64, 0, 2, 3146466];
    let networks = (0..NETWORKS)
        .map(|i| {
            let set = sets[i % sets.len()];
            NetworkView {
                bssid: mac(i, 0x14),
                ssid: Some(format!("Network {i} <&>")),
                network_type: Some(0),
                channel: Some(1 + (i % 11) as u32),
                cryptset: Some(set),
                encryption: Encryption::from_cryptset(set),
                signal_dbm: Some(-60),
                packets: Some(1000 + i as u64),
                clients: usize::from(i % 4 == 0),
                manuf: Some("Netgear".into()),
                first_seen: Some(1_469_354_400 + i as u64),
                last_seen: Some(1_469_358_000 + i as u64),
                place: Some(place(i)),
                ..NetworkView::default()
            }
        })
        .collect();
    let clients = (0..NETWORKS)
        .step_by(4)
        .map(|i| ClientView {
            mac: mac(i, 0x0C),
            bssid: mac(i, 0x14),
            client_type: Some(4),
            signal_dbm: Some(-70),
            packets: Some(50),
            first_seen: Some(1_469_354_400),
            last_seen: Some(1_469_358_000),
            place: Some(place(i + 7)),
            ..ClientView::default()
        })
        .collect();
    let mut snap = Snapshot {
        networks,
        clients,
        ..Snapshot::default()
    };
    snap.networks.sort_by(|a, b| a.bssid.cmp(&b.bssid));
    snap.clients
        .sort_by(|a, b| (&a.bssid, &a.mac).cmp(&(&b.bssid, &b.mac)));
    snap
}

/// The drive the history is made of: a batch per second, its GPS line
/// and `SIGHTINGS / TRACK_POINTS` BSSID lines (the networks in turn).
fn drive_batches() -> Vec<Vec<kismet_protocol::Frame>> {
    use kismet_protocol::Frame;
    use std::sync::Arc;
    let gps_names: Arc<[String]> = ["lat", "lon", "fix", "hdop"].map(String::from).into();
    let bssid_names: Arc<[String]> = ["bssid", "signal_dbm", "lasttime"].map(String::from).into();
    let per_second = SIGHTINGS / TRACK_POINTS + 1;
    let mut n = 0;
    (0..TRACK_POINTS)
        .map(|t| {
            let p = at(t * 3);
            let ms = 1_469_354_400_000 + t as u64 * 1000;
            let gps = format!("*GPS: {:.6} {:.6} 3 0.9 ", p.lat(), p.lon());
            let mut batch = vec![Frame::parse(gps.as_bytes())
                .unwrap()
                .with_names(Some(gps_names.clone()))
                .with_received(ms)];
            for _ in 0..per_second {
                let line = format!("*BSSID: {} -61 {} ", mac(n % NETWORKS, 0x14), ms / 1000);
                batch.push(
                    Frame::parse(line.as_bytes())
                        .unwrap()
                        .with_names(Some(bssid_names.clone()))
                        .with_received(ms),
                );
                n += 1;
            }
            batch
        })
        .collect()
}

/// A model fed the drive (keeping sightings, or not), and the time the
/// feeding took.
fn fed(
    batches: &[Vec<kismet_protocol::Frame>],
    sightings: bool,
) -> (kismet_client::Model, Duration) {
    let model = kismet_client::Model::new(NETWORKS * 2);
    if sightings {
        model.keep_sightings(SIGHTINGS);
    }
    let start = Instant::now();
    for batch in batches {
        model.feed(batch);
    }
    (model, start.elapsed())
}

/// What keeping sightings costs the model: the drive fed to a model that
/// keeps them and to one that does not, in turn (`rounds` pairs); the
/// medians per BSSID frame and their ratio.
fn sightings_cost(batches: &[Vec<kismet_protocol::Frame>], rounds: usize) {
    let frames: usize = batches.iter().map(|b| b.len() - 1).sum();
    let mut ratios = Vec::new();
    let mut per_frame = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        let mut t = [Duration::ZERO; 2];
        for k in 0..2 {
            let side = (k + round) % 2;
            t[side] = fed(batches, side == 1).1;
            per_frame[side].push(t[side].as_secs_f64() * 1e9 / frames as f64);
        }
        ratios.push(t[1].as_secs_f64() / t[0].as_secs_f64());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (without, with) = (median(&mut per_frame[0]), median(&mut per_frame[1]));
    let ratio = median(&mut ratios);
    println!(
        "model feed, {frames} BSSID frames at a fix: {without:.0} ns/frame without sightings, \
         {with:.0} with (paired median ratio {ratio:.3}, {rounds} pairs)"
    );
}

fn main() {
    let rounds: usize = std::env::var("EXPORT_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let snap = snapshot();
    let batches = drive_batches();
    sightings_cost(&batches, rounds);
    let history = fed(&batches, true).0.history();
    drop(batches);
    eprintln!(
        "{} networks, {} clients, {} track points, {} sightings",
        snap.networks.len(),
        snap.clients.len(),
        history.track.len(),
        history.sightings.len()
    );
    let meta = Meta::new("kismet-shell bench", "bench");
    let input = Input {
        snapshot: &snap,
        history: &history,
        meta: &meta,
    };
    let cases: Vec<(&str, Format, Options)> = vec![
        (
            "csv (best)",
            Format::Wigle,
            Options {
                best: true,
                what: What::Networks,
            },
        ),
        ("csv (sightings)", Format::Wigle, Options::default()),
        ("kml", Format::Kml, Options::default()),
        ("geojson", Format::GeoJson, Options::default()),
        ("gpx", Format::Gpx, Options::default()),
        ("netxml", Format::NetXml, Options::default()),
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    let mut sizes = vec![0usize; cases.len()];
    let mut out = Vec::with_capacity(256 << 20);
    for round in 0..rounds {
        for k in 0..cases.len() {
            let i = (k + round) % cases.len();
            let (_, format, options) = &cases[i];
            out.clear();
            let start = Instant::now();
            let summary = write(*format, &input, options, &mut out).expect("export");
            times[i].push(start.elapsed());
            sizes[i] = out.len();
            assert!(summary.written > 0);
        }
    }
    println!("format            median    min       max       size");
    for (i, (name, _, _)) in cases.iter().enumerate() {
        let t = &mut times[i];
        t.sort();
        println!(
            "{name:<17} {:>6.0} ms {:>6.0} ms {:>6.0} ms {:>6.1} MB",
            t[t.len() / 2].as_secs_f64() * 1e3,
            t[0].as_secs_f64() * 1e3,
            t[t.len() - 1].as_secs_f64() * 1e3,
            sizes[i] as f64 / 1e6
        );
    }
}
