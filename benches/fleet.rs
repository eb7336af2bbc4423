//! Many servers in one view (issue 30), at the library's level: what a
//! model per server costs against one model, and how long the merged
//! `networks` takes.
//!
//! Run: `cargo bench --bench fleet` (`FLEET_ROUNDS=N` pairs, 5 by
//! default).
//!
//! 32 servers of 1,000 devices each (700 networks with an SSID record,
//! 300 clients; a quarter of each server's networks are also heard by the
//! next server, as neighbouring sensors hear the same air), 20 seconds of
//! updates, every device once a second:
//!
//! 1. CPU per frame: the same 32,000 devices' frames fed to one model
//!    (as one server of 32,000 devices would be) and to 32 models, a
//!    batch of each server's frames in turn (as 32 connections' reader
//!    threads feed theirs); the two in turn, a fresh model each time;
//!    nanoseconds a frame, and the paired ratio (32 models over one).
//!    Each model takes only its server's frames, so the merge costs the
//!    frames nothing; what differs is the 32 tables' cache footprint.
//! 2. Memory: the 32 models' own count of their bytes
//!    ([`kismet_client::Memory`]), summed.
//! 3. `networks`: the 32 snapshots taken and merged
//!    ([`kismet_client::fleet::merge_networks`]), as the merged
//!    `networks` does; median of 9.

use std::sync::Arc;
use std::time::Instant;

use kismet_client::fleet::{merge_networks, Sensor};
use kismet_client::Model;
use kismet_protocol::Frame;

// The same allocator as the binary (see src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SERVERS: usize = 32;
const NETWORKS: usize = 700;
const CLIENTS: usize = 300;
const SECONDS: u64 = 20;

fn names(list: &[&str]) -> Arc<[String]> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Server `s`'s frames for second `t`, in the order a server sends them.
fn second(
    s: usize,
    t: u64,
    bssid_names: &Arc<[String]>,
    ssid_names: &Arc<[String]>,
    client_names: &Arc<[String]>,
) -> Vec<Frame> {
    let now = 1_700_000_000 + t;
    let mut out = Vec::with_capacity(NETWORKS * 2 + CLIENTS);
    for i in 0..NETWORKS {
        // The last quarter is the next server's first quarter.
        let shift = if i >= NETWORKS * 3 / 4 {
            NETWORKS / 4
        } else {
            0
        };
        let id = ((s * NETWORKS + i + shift) % (SERVERS * NETWORKS)) as u32;
        let b = id.to_be_bytes();
        let bssid = format!("00:14:6C:{:02X}:{:02X}:{:02X}", b[1], b[2], b[3]);
        let line = format!(
            "*BSSID: {bssid} 0 {} -{} {} {} 1700000000 {now} ",
            1 + id % 11,
            40 + (id as usize + s) % 50,
            t * 3,
            t * 2
        );
        out.push(
            Frame::parse(line.as_bytes())
                .unwrap()
                .with_names(Some(bssid_names.clone())),
        );
        let line = format!("*SSID: {bssid} 0 \x01net{id}\x01 2097858 {now} ");
        out.push(
            Frame::parse(line.as_bytes())
                .unwrap()
                .with_names(Some(ssid_names.clone())),
        );
    }
    for i in 0..CLIENTS {
        let id = (s * CLIENTS + i) as u32;
        let b = id.to_be_bytes();
        let ap = ((s * NETWORKS + i % NETWORKS) as u32).to_be_bytes();
        let line = format!(
            "*CLIENT: 00:14:6C:{:02X}:{:02X}:{:02X} 00:0C:{:02X}:{:02X}:{:02X}:{:02X} 2 -{} {} 0 1700000000 {now} ",
            ap[1], ap[2], ap[3], b[0], b[1], b[2], b[3],
            50 + i % 40,
            t
        );
        out.push(
            Frame::parse(line.as_bytes())
                .unwrap()
                .with_names(Some(client_names.clone())),
        );
    }
    out
}

/// Every server's frames, second by second.
fn frames() -> Vec<Vec<Vec<Frame>>> {
    let bssid = names(&[
        "bssid",
        "type",
        "channel",
        "signal_dbm",
        "llcpackets",
        "datapackets",
        "firsttime",
        "lasttime",
    ]);
    let ssid = names(&["mac", "type", "ssid", "cryptset", "lasttime"]);
    let client = names(&[
        "bssid",
        "mac",
        "type",
        "signal_dbm",
        "llcpackets",
        "datapackets",
        "firsttime",
        "lasttime",
    ]);
    (0..SECONDS)
        .map(|t| {
            (0..SERVERS)
                .map(|s| second(s, t, &bssid, &ssid, &client))
                .collect()
        })
        .collect()
}

/// Feeds every second's frames to `models` (one per server, or one for
/// all): nanoseconds a frame.
fn feed(frames: &[Vec<Vec<Frame>>], models: &[Model]) -> f64 {
    let count: usize = frames.iter().flatten().map(Vec::len).sum();
    let start = Instant::now();
    for second in frames {
        for (s, server) in second.iter().enumerate() {
            let model = &models[s % models.len()];
            for batch in server.chunks(256) {
                model.feed(batch);
            }
        }
    }
    start.elapsed().as_secs_f64() * 1e9 / count as f64
}

/// The process's peak resident size, kB (Linux: `VmHWM`).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let rounds: usize = std::env::var("FLEET_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let frames = frames();
    let count: usize = frames.iter().flatten().map(Vec::len).sum();
    println!(
        "{SERVERS} servers x {} devices, {SECONDS} s: {count} frames",
        NETWORKS + CLIENTS
    );
    let (mut one, mut many, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut models: Vec<Model> = Vec::new();
    for _ in 0..rounds {
        let single = [Model::new(SERVERS * (NETWORKS + CLIENTS) * 2)];
        let a = feed(&frames, &single);
        models = (0..SERVERS)
            .map(|_| Model::new((NETWORKS + CLIENTS) * 4))
            .collect();
        let b = feed(&frames, &models);
        one.push(a);
        many.push(b);
        ratios.push(b / a);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "CPU a frame: one model {:.0} ns, a model per server {:.0} ns (paired median ratio {:.3}, {rounds} pairs)",
        median(&mut one),
        median(&mut many),
        median(&mut ratios)
    );
    let bytes: usize = models.iter().map(|m| m.snapshot().memory.bytes).sum();
    println!(
        "memory: the {SERVERS} models hold {:.1} MB by their own count; the process's peak \
         resident size {} (the run's frames, kept in memory, included)",
        bytes as f64 / 1e6,
        peak_rss().map_or("unknown".to_string(), |kb| format!(
            "{:.0} MB",
            kb as f64 / 1e3
        ))
    );
    let names: Vec<String> = (0..SERVERS).map(|s| format!("sensor{s}")).collect();
    let mut times = Vec::new();
    let mut merged = 0;
    for _ in 0..9 {
        let start = Instant::now();
        let snaps: Vec<_> = models.iter().map(Model::snapshot).collect();
        let sensors: Vec<Sensor> = (snaps.iter().zip(&names))
            .map(|(snapshot, name)| Sensor {
                name,
                snapshot,
                fixed_at: None,
            })
            .collect();
        merged = merge_networks(&sensors).len();
        times.push(start.elapsed().as_secs_f64());
    }
    println!(
        "networks: {SERVERS} snapshots merged into {merged} networks in {:.1} ms (median of 9)",
        median(&mut times) * 1e3
    );
}
