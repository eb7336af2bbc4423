//! The session database: what it costs the frames, how big it grows,
//! and how fast a big one opens.
//!
//! Run: `cargo bench --bench db` (`DB_ROUNDS=N` pairs, 5 by default).
//!
//! 1. Throughput: 10,000 clients' CLIENT frames, ten updates of each a
//!    second (each second one observation per client), fed to the live
//!    model on this
//!    thread as the client's tracker thread feeds it, with and without a
//!    database: without, the model alone; with, the model keeping its
//!    outbox, drained every 250 ms by a feeder thread into a
//!    `kismet_db::Writer` (its own thread, a real file), as `--db` runs
//!    them. The two in turn, a fresh model and file each time; frames per
//!    second, and the paired ratio. On a 2-core machine the writer's
//!    thread competes with the feeding one: that is the cost measured.
//! 2. Size: the file's bytes per 1,000 observations, after a run.
//! 3. Opening: a database of 1,000,000 observations of 10,000 networks,
//!    opened read-only and its networks listed (`Reader::open` and
//!    `Reader::snapshot`, as `--open FILE -c networks` does).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kismet_client::Model;
use kismet_db::{Item, Observation, Reader, Select, SessionStart, Writer, WriterOptions};
use kismet_protocol::decode::format_mac;
use kismet_protocol::Frame;

const DEVICES: usize = 10_000;
/// Seconds of frames fed per run.
const ROUNDS_PER_RUN: usize = 20;
/// Updates of each device in each second: a busy server's flood (the
/// model keeps one observation per device per second).
const UPDATES_PER_SECOND: usize = 10;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("kismet-db-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `ROUNDS_PER_RUN` seconds of `UPDATES_PER_SECOND` CLIENT frames per
/// device, second r at base + r.
fn frames() -> Vec<Vec<Frame>> {
    let names: Arc<[String]> = [
        "bssid",
        "mac",
        "type",
        "firsttime",
        "lasttime",
        "manuf",
        "llcpackets",
        "datapackets",
        "signal_dbm",
        "ip",
        "gpsfixed",
    ]
    .map(String::from)
    .into();
    (0..ROUNDS_PER_RUN)
        .map(|r| {
            (0..DEVICES * UPDATES_PER_SECOND)
                .map(|k| {
                    let i = k % DEVICES;
                    let b = (i as u32 / 8).to_be_bytes();
                    let m = (i as u32).to_be_bytes();
                    let line = format!(
                        "*CLIENT: 00:14:6C:{:02X}:{:02X}:{:02X} 00:0C:{:02X}:{:02X}:{:02X}:{:02X} 4 1700000000 {} \x01Intel\x01 {} {} -{} 10.0.0.{} 0 ",
                        b[1], b[2], b[3], m[0], m[1], m[2], m[3],
                        1_700_000_000 + r as u64,
                        r * 3,
                        r * 5,
                        40 + i % 50,
                        i % 250
                    );
                    Frame::parse(line.as_bytes())
                        .unwrap()
                        .with_names(Some(names.clone()))
                })
                .collect()
        })
        .collect()
}

/// Feeds every round to a fresh model (with a database at `db` when
/// given, as `--db` runs it); frames per second.
fn run(rounds: &[Vec<Frame>], db: Option<&Path>) -> f64 {
    let model = Arc::new(Model::new(DEVICES * 2));
    let stop = Arc::new(AtomicBool::new(false));
    let feeder = db.map(|path| {
        let _ = std::fs::remove_file(path);
        model.keep_outbox(100_000);
        let writer = Writer::start(path, WriterOptions::default()).expect("database");
        writer.send(Item::SessionStart(SessionStart {
            server: "bench".into(),
            server_name: None,
            started: 1_700_000_000,
            greeting: None,
        }));
        let (model, stop) = (model.clone(), stop.clone());
        std::thread::spawn(move || {
            let drain = |writer: &Writer| {
                let out = model.drain_outbox();
                for o in out.observations {
                    writer.send(Item::Observation(Observation {
                        ts: o.time as f64,
                        kind: if o.client { "client" } else { "network" },
                        bssid: format_mac(o.bssid),
                        mac: format_mac(o.mac),
                        signal_dbm: o.signal_dbm,
                        lat: None,
                        lon: None,
                        alt: None,
                        fix: None,
                    }));
                }
            };
            let mut last_devices = Instant::now();
            while !stop.load(Ordering::Acquire) {
                drain(&writer);
                if last_devices.elapsed() >= Duration::from_secs(1) {
                    writer.devices("bench", model.snapshot());
                    last_devices = Instant::now();
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            drain(&writer);
            writer.devices("bench", model.snapshot());
            writer.close()
        })
    });
    let frames: usize = rounds.iter().map(Vec::len).sum();
    let start = Instant::now();
    for round in rounds {
        for batch in round.chunks(256) {
            model.feed(batch);
        }
    }
    let elapsed = start.elapsed();
    stop.store(true, Ordering::Release);
    if let Some(f) = feeder {
        let stats = f.join().unwrap();
        assert!(stats.error.is_none(), "{:?}", stats.error);
    }
    frames as f64 / elapsed.as_secs_f64()
}

/// A database of `observations` observations of `DEVICES` networks.
fn big_database(path: &Path, observations: usize) {
    let _ = std::fs::remove_file(path);
    let writer = Writer::start(
        path,
        WriterOptions {
            queue: 1_000_000,
            ..WriterOptions::default()
        },
    )
    .unwrap();
    writer.send(Item::SessionStart(SessionStart {
        server: "bench".into(),
        server_name: Some("bench".into()),
        started: 1_700_000_000,
        greeting: None,
    }));
    let model = Model::new(DEVICES * 2);
    let names: Arc<[String]> = ["bssid", "channel", "lasttime", "signal_dbm"]
        .map(String::from)
        .into();
    let nets: Vec<Frame> = (0..DEVICES)
        .map(|i| {
            let b = (i as u32).to_be_bytes();
            let line = format!(
                "*BSSID: 00:14:{:02X}:{:02X}:{:02X}:{:02X} {} 1700000000 -60 ",
                b[0],
                b[1],
                b[2],
                b[3],
                1 + i % 11
            );
            Frame::parse(line.as_bytes())
                .unwrap()
                .with_names(Some(names.clone()))
        })
        .collect();
    model.feed(&nets);
    writer.devices("bench", model.snapshot());
    for i in 0..observations {
        let b = ((i % DEVICES) as u32).to_be_bytes();
        let mac = format!("00:14:{:02X}:{:02X}:{:02X}:{:02X}", b[0], b[1], b[2], b[3]);
        let item = Item::Observation(Observation {
            ts: 1_700_000_000.0 + (i / DEVICES) as f64,
            kind: "network",
            bssid: mac.clone(),
            mac,
            signal_dbm: Some(-60),
            lat: Some(45.5),
            lon: Some(-122.6),
            alt: None,
            fix: Some(3),
        });
        // Thinned when the queue is full: wait for the writer, and send
        // it again (all of them are wanted here).
        while !writer.send(item.clone()) {
            assert!(writer.stats().error.is_none(), "{:?}", writer.stats().error);
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let stats = writer.close();
    assert!(stats.error.is_none(), "{:?}", stats.error);
}

fn main() {
    let pairs: usize = std::env::var("DB_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let d = dir();
    let rounds = frames();
    let db = d.join("throughput.db");
    let mut ratios = Vec::new();
    let mut rates = [Vec::new(), Vec::new()];
    for pair in 0..pairs {
        let mut r = [0.0; 2];
        for k in 0..2 {
            let side = (k + pair) % 2;
            r[side] = run(&rounds, (side == 1).then_some(db.as_path()));
            rates[side].push(r[side]);
        }
        ratios.push(r[1] / r[0]);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (without, with) = (median(&mut rates[0]), median(&mut rates[1]));
    println!(
        "model feed, {DEVICES} clients x {UPDATES_PER_SECOND} updates x {ROUNDS_PER_RUN} s: \
         {:.2} M frames/s without a database, {:.2} M with (paired median ratio {:.3}, \
         {pairs} pairs)",
        without / 1e6,
        with / 1e6,
        median(&mut ratios)
    );
    let bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    let observations = {
        let c = Reader::open(&db).unwrap();
        let q = c.query("SELECT COUNT(*) FROM observations", 1).unwrap();
        match q.rows.first().and_then(|r| r.first()) {
            Some(kismet_db::SqlValue::Integer(n)) => *n as f64,
            _ => 0.0,
        }
    };
    println!(
        "file: {:.1} MB for {} observations and {DEVICES} clients: {:.0} bytes per 1,000 observations (devices included)",
        bytes as f64 / 1e6,
        observations,
        bytes as f64 / observations.max(1.0) * 1000.0
    );
    let big = d.join("big.db");
    let start = Instant::now();
    big_database(&big, 1_000_000);
    println!(
        "a database of 1,000,000 observations written in {:.1} s ({:.1} MB)",
        start.elapsed().as_secs_f64(),
        std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
    );
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let reader = Reader::open(&big).unwrap();
        let snap = reader.snapshot(&Select::default()).unwrap();
        assert_eq!(snap.networks.len(), DEVICES);
        times.push(start.elapsed().as_secs_f64());
    }
    println!(
        "open it and list its {DEVICES} networks: median {:.0} ms (5 runs)",
        median(&mut times) * 1e3
    );
    let _ = std::fs::remove_dir_all(&d);
}
