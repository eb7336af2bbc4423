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
//! 4. Through sockets: 32 in-process servers streaming CLIENT lines about
//!    1,000 clients each to 32 clients, each tracking a model of its own
//!    (as `kismet-shell` with 32 servers runs them), against one server
//!    streaming the same number of lines about 32,000 clients to one
//!    client and model; rounds in turn, the process's CPU time per frame
//!    (servers included, the same work on both sides) and the paired
//!    ratio of the rates.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Sender};
use kismet_client::{Client, Options};

#[path = "common/lines.rs"]
mod lines;
use lines::{capability, client_line};

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

/// Lines a round sends in all, over the servers.
const WIRE_ROUND: u32 = 64_000;

/// A server streaming CLIENT lines about `devices` clients: on each go, a
/// round of `lines` of them, with the fields the client enabled (the
/// model's), in its order; it answers the handshake, CAPABILITY CLIENT
/// and every later command with ACK. Its go sender, once a client is in.
fn flood_server(devices: u32, lines: u32) -> (String, crossbeam_channel::Receiver<Sender<()>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (conn_tx, conn_rx) = bounded::<Sender<()>>(1);
    let caps = capability("CLIENT").join(",");
    thread::spawn(move || {
        let Some(Ok(mut s)) = listener.incoming().next() else {
            return;
        };
        let (go_tx, go_rx) = bounded::<()>(1);
        let _ = conn_tx.send(go_tx);
        let _ = s.set_nodelay(true);
        let _ = write!(
            s,
            "*KISMET: 0.0.0 1 \x01bench\x01 \x01\x01 0 \n*PROTOCOLS: CLIENT\n"
        );
        let writer = Arc::new(parking_lot::Mutex::new(s.try_clone().unwrap()));
        let block = Arc::new(parking_lot::Mutex::new(Vec::<u8>::new()));
        let (acks, built) = (writer.clone(), block.clone());
        thread::spawn(move || {
            let mut r = BufReader::new(s);
            let mut line = String::new();
            while r.read_line(&mut line).is_ok_and(|n| n > 0) {
                let words: Vec<&str> = line.trim_end().split(' ').collect();
                if let Some(id) = words.first().and_then(|w| w.strip_prefix('!')) {
                    let mut reply = String::new();
                    if words.get(1) == Some(&"CAPABILITY") {
                        reply.push_str(&format!("*CAPABILITY: CLIENT {caps}\n"));
                    }
                    if words.get(1) == Some(&"ENABLE") {
                        let fields: Vec<String> = words
                            .get(3)
                            .unwrap_or(&"")
                            .split(',')
                            .map(String::from)
                            .collect();
                        *built.lock() = (0..lines)
                            .flat_map(|i| client_line(&fields, i, devices))
                            .collect();
                    }
                    reply.push_str(&format!("*ACK: {id} \x01OK\x01 \n"));
                    if acks.lock().write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
                line.clear();
            }
        });
        while go_rx.recv().is_ok() {
            let block = block.lock().clone();
            if writer.lock().write_all(&block).is_err() {
                return;
            }
        }
    });
    (addr, conn_rx)
}

/// One side of the wire comparison: its clients (each tracking a model)
/// and the senders that start a round on each server.
struct Side {
    clients: Vec<(Client, Arc<Model>, Sender<()>)>,
}

impl Side {
    /// `servers` servers of `WIRE_ROUND / servers` lines about `devices`
    /// clients each, each with a client and model.
    fn start(servers: u32, devices: u32) -> Side {
        let clients = (0..servers)
            .map(|_| {
                let (addr, conns) = flood_server(devices, WIRE_ROUND / servers);
                let mut o = Options::default();
                o.channel_batches = 1024;
                let client = Client::connect(&addr, o).unwrap();
                let go = conns.recv().unwrap();
                let model = Arc::new(Model::default());
                client
                    .track(model.clone(), Duration::from_secs(10))
                    .unwrap();
                (client, model, go)
            })
            .collect();
        Side { clients }
    }

    /// CLIENT frames read so far, over the clients.
    fn read(&self) -> u64 {
        (self.clients.iter())
            .map(|(c, _, _)| c.frame_counts().total("CLIENT"))
            .sum()
    }

    /// A round: every server sends its lines; until all are read
    /// (bounded). Wall seconds and process CPU ticks.
    fn round(&self) -> (f64, u64) {
        let want = self.read() + u64::from(WIRE_ROUND);
        let (start, cpu) = (Instant::now(), process_cpu_ticks());
        for (_, _, go) in &self.clients {
            go.send(()).unwrap();
        }
        let deadline = start + Duration::from_secs(120);
        while self.read() < want && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(2));
        }
        assert!(self.read() >= want, "a round did not arrive");
        (start.elapsed().as_secs_f64(), process_cpu_ticks() - cpu)
    }
}

/// CPU time of the whole process so far, in clock ticks (10 ms; Linux).
fn process_cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string(Path::new("/proc/self/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    n(11) + n(12)
}

/// Part 4: through sockets, 32 servers against one.
fn wire(rounds: usize) {
    let one = Side::start(1, SERVERS as u32 * 1_000);
    let many = Side::start(SERVERS as u32, 1_000);
    // A round each first: the models fill.
    one.round();
    many.round();
    let (mut ratios, mut ticks, mut secs) = (Vec::new(), [0u64; 2], [0.0; 2]);
    for i in 0..rounds {
        let order = if i % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut t = [0.0; 2];
        for side in order {
            let (s, c) = if side == 0 { one.round() } else { many.round() };
            t[side] = s;
            secs[side] += s;
            ticks[side] += c;
        }
        // Rate of 32 over rate of one = time of one / time of 32.
        ratios.push(t[0] / t[1]);
    }
    ratios.sort_by(f64::total_cmp);
    let frames = (rounds as u64 * u64::from(WIRE_ROUND)) as f64;
    println!(
        "through sockets, {rounds} paired rounds of {WIRE_ROUND} CLIENT lines: one server \
         {:.2} M frames/s, {SERVERS} servers {:.2} M frames/s (rate ratio, median {:.3}, range \
         {:.3} to {:.3}); process CPU a frame one {:.0} ns, {SERVERS} servers {:.0} ns \
         (ratio {:.3}); devices in the models: {} and {}",
        frames / secs[0] / 1e6,
        frames / secs[1] / 1e6,
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1],
        ticks[0] as f64 * 1e7 / frames,
        ticks[1] as f64 * 1e7 / frames,
        ticks[1] as f64 / ticks[0].max(1) as f64,
        one.clients[0].1.devices(),
        many.clients.iter().map(|c| c.1.devices()).sum::<usize>(),
    );
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
    drop(models);
    wire(rounds);
}
