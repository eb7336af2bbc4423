//! The live model at its default cap: memory per device, and how long a
//! snapshot takes and holds up the feeding thread.
//!
//! Run: `cargo bench --bench model_memory`. Feeds 20,000 networks (a BSSID
//! and an SSID frame each, all fields) and 80,000 clients (a CLIENT frame
//! each, all 56 fields): 100,000 devices. Heap bytes are counted by a
//! counting global allocator around the binary's own (bytes asked for,
//! live); the resident set size (VmRSS) is read from /proc as a second
//! opinion, and the model's own count of its bytes (`Model::memory`) beside
//! both. Times are wall clock and, where the machine is busy, the
//! thread's own CPU time (from /proc/thread-self/schedstat) as well.
//! Then networks with 30 KB names fill a model with a budget of 8 MiB:
//! its own count stays under it, and the allocator's agrees. Last, the
//! same 100,000 devices with a GPS fix current (a GPS line before each
//! batch): every one has a place, and what that costs.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kismet_client::{Memory, Model, DEFAULT_MAX_DEVICES};
use kismet_protocol::Frame;

/// The binary's allocator (see src/main.rs), counting the bytes live.
struct Counting;

static INNER: mimalloc::MiMalloc = mimalloc::MiMalloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { INNER.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { INNER.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { INNER.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const CAPS: &str = include_str!("../tests/fixtures/legacy-server/capabilities.txt");

fn capability(proto: &str) -> Arc<[String]> {
    let prefix = format!("*CAPABILITY: {proto} ");
    let list = CAPS
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .expect("protocol in capabilities.txt");
    list.split(',').map(String::from).collect::<Vec<_>>().into()
}

fn mac(prefix: u8, i: u32) -> String {
    format!(
        "{prefix:02X}:1B:{:02X}:{:02X}:{:02X}:{:02X}",
        (i >> 24) & 0xff,
        (i >> 16) & 0xff,
        (i >> 8) & 0xff,
        i & 0xff
    )
}

/// One line with every field of `proto`: `value` decides each field.
fn line(names: &[String], proto: &str, value: impl Fn(&str) -> String) -> Frame {
    let mut s = format!("*{proto}: ");
    for n in names {
        s.push_str(&value(n));
        s.push(' ');
    }
    Frame::parse(s.as_bytes()).expect("a valid line")
}

fn bssid_frame(names: &Arc<[String]>, i: u32) -> Frame {
    line(names, "BSSID", |f| match f {
        "bssid" => mac(0x00, i),
        "manuf" => format!("\x01Vendor{}\x01", i % 500),
        "channel" => (1 + i % 13).to_string(),
        "signal_dbm" => format!("-{}", 30 + i % 60),
        "firsttime" | "lasttime" => (1_795_678_119 + i).to_string(),
        "cdpdevice" | "cdpport" => "\x01 \x01".to_string(),
        "datacryptset" => "2".to_string(),
        // A server without GPS.
        "gpsfixed" => "0".to_string(),
        _ => (i % 1000).to_string(),
    })
    .with_names(Some(names.clone()))
}

fn ssid_frame(names: &Arc<[String]>, i: u32) -> Frame {
    line(names, "SSID", |f| match f {
        "mac" => mac(0x00, i),
        "ssid" => format!("\x01Network number {i}\x01"),
        "cryptset" => "2097858".to_string(),
        "maxrate" => "54".to_string(),
        "beaconinfo" | "wps_manuf" | "wps_device_name" | "wps_model_name" | "wps_model_number" => {
            "\x01 \x01".to_string()
        }
        "dot11d" => "\x01XXX:\x01".to_string(),
        _ => (i % 1000).to_string(),
    })
    .with_names(Some(names.clone()))
}

fn client_frame(names: &Arc<[String]>, i: u32, networks: u32) -> Frame {
    line(names, "CLIENT", |f| match f {
        "bssid" => mac(0x00, i % networks),
        "mac" => mac(0x02, i),
        "manuf" => format!("\x01Vendor{}\x01", i % 500),
        "dot11d" => String::new(),
        "cdpdevice" | "cdpport" | "dhcphost" | "dhcpvendor" => "\x01 \x01".to_string(),
        "ip" => format!("10.{}.{}.{}", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff),
        "signal_dbm" => format!("-{}", 40 + i % 40),
        "firsttime" | "lasttime" => (1_795_678_119 + i).to_string(),
        "gpsfixed" => "0".to_string(),
        _ => (i % 1000).to_string(),
    })
    .with_names(Some(names.clone()))
}

/// A GPS line with a 3D fix, moved `i` micro-degrees north.
fn gps_frame(names: &Arc<[String]>, i: u32) -> Frame {
    line(names, "GPS", |f| match f {
        "lat" => format!("{:.6}", 37.7691 + f64::from(i) * 1e-6),
        "lon" => "-122.419571".to_string(),
        "fix" => "3".to_string(),
        "satinfo" => "\x015:40:120:35,\x01".to_string(),
        _ => "1".to_string(),
    })
    .with_names(Some(names.clone()))
}

/// The resident set size in bytes, from /proc/self/status.
fn rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// This thread's CPU time so far, from /proc/thread-self/schedstat (ns).
fn cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn main() {
    const NETWORKS: u32 = 20_000;
    const CLIENTS: u32 = 80_000;
    let (bn, sn, cn) = (
        capability("BSSID"),
        capability("SSID"),
        capability("CLIENT"),
    );
    let model = Arc::new(Model::default());
    let (heap0, rss0) = (LIVE.load(Ordering::Relaxed), rss());
    let start = Instant::now();
    // Fed in batches of 1000, each dropped after feeding: what stays
    // allocated is the model.
    for chunk in (0..NETWORKS).collect::<Vec<_>>().chunks(1000) {
        let frames: Vec<Frame> = chunk
            .iter()
            .flat_map(|&i| [bssid_frame(&bn, i), ssid_frame(&sn, i)])
            .collect();
        model.feed(&frames);
    }
    for chunk in (0..CLIENTS).collect::<Vec<_>>().chunks(1000) {
        let frames: Vec<Frame> = chunk
            .iter()
            .map(|&i| client_frame(&cn, i, NETWORKS))
            .collect();
        model.feed(&frames);
    }
    let fed = start.elapsed();
    let devices = model.devices();
    let heap = LIVE.load(Ordering::Relaxed) - heap0;
    println!(
        "devices: {devices} ({NETWORKS} networks with one SSID each, {CLIENTS} clients), \
         built and fed in {fed:.2?}"
    );
    println!(
        "model heap: {:.1} MB, {} bytes per device",
        mb(heap),
        heap / devices
    );
    counted(&model.memory(), heap);
    if let (Some(a), Some(b)) = (rss0, rss()) {
        println!(
            "VmRSS growth: {:.1} MB, {} bytes per device",
            mb(b.saturating_sub(a)),
            b.saturating_sub(a) / devices
        );
    }

    // Snapshots alone.
    let (mut times, mut cpus) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let (t, c) = (Instant::now(), cpu());
        let snap = model.snapshot();
        times.push(t.elapsed());
        if let (Some(a), Some(b)) = (c, cpu()) {
            cpus.push(b - a);
        }
        assert_eq!(snap.networks.len() + snap.clients.len(), devices);
    }
    times.sort();
    cpus.sort();
    println!(
        "snapshot of {devices} devices: wall median {:.1?} (min {:.1?}, max {:.1?}), \
         CPU median {:.1?}",
        times[2],
        times[0],
        times[4],
        cpus.get(2).copied().unwrap_or_default()
    );

    // Snapshots while a thread feeds existing devices: how long a feed
    // call waits at worst (the lock held by the snapshot's copy).
    let frames: Vec<Frame> = (0..100).map(|i| client_frame(&cn, i, NETWORKS)).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let feeder = {
        let (model, stop) = (model.clone(), stop.clone());
        std::thread::spawn(move || {
            let (mut worst, mut calls) = (Duration::ZERO, 0u64);
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                model.feed(&frames);
                worst = worst.max(t.elapsed());
                calls += 1;
            }
            (worst, calls)
        })
    };
    let mut longest = Duration::ZERO;
    for _ in 0..5 {
        let t = Instant::now();
        drop(model.snapshot());
        longest = longest.max(t.elapsed());
    }
    stop.store(true, Ordering::Relaxed);
    let (worst, calls) = feeder.join().expect("feeder");
    println!(
        "while feeding: snapshot at most {longest:.1?}; a 100-frame feed call waited at most \
         {worst:.1?} ({calls} calls)"
    );

    // Past the cap: new clients each evict the least recently seen device,
    // and the recency queue (kept only from here on) costs its share.
    const MORE: u32 = 50_000;
    let start = Instant::now();
    for chunk in (CLIENTS..CLIENTS + MORE).collect::<Vec<_>>().chunks(1000) {
        let frames: Vec<Frame> = chunk
            .iter()
            .map(|&i| client_frame(&cn, i, NETWORKS))
            .collect();
        model.feed(&frames);
    }
    let churn = start.elapsed();
    let heap = LIVE.load(Ordering::Relaxed) - heap0;
    let snap = model.snapshot();
    assert_eq!(model.devices(), devices, "held at the cap");
    assert_eq!(snap.evicted, u64::from(MORE), "one eviction per new client");
    println!(
        "past the cap: {MORE} more clients in {churn:.2?}, {} evicted; model heap {:.1} MB, \
         {} bytes per device (recency queue included)",
        snap.evicted,
        mb(heap),
        heap / devices
    );
    counted(&snap.memory, heap);
    drop(snap);
    drop(model);
    long_names(&bn, &sn);
    with_positions(&bn, &sn, &cn);
}

/// The 100,000 devices again, a GPS fix current all along: each has a
/// place. The heap per device, the model's count, and a snapshot.
fn with_positions(bn: &Arc<[String]>, sn: &Arc<[String]>, cn: &Arc<[String]>) {
    const NETWORKS: u32 = 20_000;
    const CLIENTS: u32 = 80_000;
    let gn = capability("GPS");
    let heap0 = LIVE.load(Ordering::Relaxed);
    let model = Model::default();
    let start = Instant::now();
    for chunk in (0..NETWORKS).collect::<Vec<_>>().chunks(1000) {
        let frames: Vec<Frame> = std::iter::once(gps_frame(&gn, chunk[0]))
            .chain(
                chunk
                    .iter()
                    .flat_map(|&i| [bssid_frame(bn, i), ssid_frame(sn, i)]),
            )
            .collect();
        model.feed(&frames);
    }
    for chunk in (0..CLIENTS).collect::<Vec<_>>().chunks(1000) {
        let frames: Vec<Frame> = std::iter::once(gps_frame(&gn, chunk[0]))
            .chain(chunk.iter().map(|&i| client_frame(cn, i, NETWORKS)))
            .collect();
        model.feed(&frames);
    }
    let fed = start.elapsed();
    let devices = model.devices();
    let heap = LIVE.load(Ordering::Relaxed) - heap0;
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        drop(model.snapshot());
        times.push(t.elapsed());
    }
    times.sort();
    let took = times[2];
    let snap = model.snapshot();
    let placed = snap.networks.iter().filter(|n| n.best().is_some()).count()
        + snap.clients.iter().filter(|c| c.best().is_some()).count();
    assert_eq!(placed, devices, "every device placed");
    println!(
        "with a GPS fix: {devices} devices, all placed, fed in {fed:.2?}; model heap {:.1} MB, \
         {} bytes per device; a snapshot: median {took:.1?} of 5",
        mb(heap),
        heap / devices
    );
    counted(&snap.memory, heap);
}

/// Prints the model's own count of its bytes beside the allocator's.
fn counted(memory: &Memory, heap: usize) {
    println!(
        "  the model's own count: {:.1} MB ({:.3} of the allocator's), budget {:.1} MB",
        mb(memory.bytes),
        memory.bytes as f64 / heap as f64,
        mb(memory.max_bytes)
    );
}

/// Networks with a 30 KB manufacturer and eight 30 KB SSIDs each, into a
/// model with a budget of 8 MiB: the names are kept cut, the model's own
/// count stays under the budget, the least recently seen are evicted.
fn long_names(bn: &Arc<[String]>, sn: &Arc<[String]>) {
    const BUDGET: usize = 8 << 20;
    const NETWORKS: u32 = 4_000;
    let pad = "x".repeat(30_000);
    let heap0 = LIVE.load(Ordering::Relaxed);
    let model = Model::with_limits(DEFAULT_MAX_DEVICES, BUDGET);
    let mut most = 0;
    let start = Instant::now();
    for chunk in (0..NETWORKS).collect::<Vec<_>>().chunks(100) {
        let frames: Vec<Frame> = chunk
            .iter()
            .flat_map(|&i| {
                let manuf = format!("\x01Vendor {i} {pad}\x01");
                let bssid = line(bn, "BSSID", |f| match f {
                    "bssid" => mac(0x00, i),
                    "manuf" => manuf.clone(),
                    "cdpdevice" | "cdpport" => "\x01 \x01".to_string(),
                    _ => "1".to_string(),
                })
                .with_names(Some(bn.clone()));
                let mut frames = vec![bssid];
                for t in 0..8 {
                    let ssid = format!("\x01Network {i} {t} {pad}\x01");
                    let frame = line(sn, "SSID", |f| match f {
                        "mac" => mac(0x00, i),
                        "type" => "2".to_string(),
                        "ssid" => ssid.clone(),
                        "beaconinfo" | "dot11d" | "wps_manuf" | "wps_device_name"
                        | "wps_model_name" | "wps_model_number" => "\x01 \x01".to_string(),
                        _ => "1".to_string(),
                    });
                    frames.push(frame.with_names(Some(sn.clone())));
                }
                frames
            })
            .collect();
        model.feed(&frames);
        most = most.max(model.memory().bytes);
    }
    let fed = start.elapsed();
    let heap = LIVE.load(Ordering::Relaxed) - heap0;
    let memory = model.memory();
    assert!(most <= BUDGET, "{most} bytes counted, over the budget");
    println!(
        "long names: {NETWORKS} networks with a 30 KB manufacturer and eight 30 KB SSIDs each \
         in {fed:.2?}: {} held, {} evicted for the budget; at most {:.1} MB counted; model heap \
         {:.1} MB",
        memory.devices,
        memory.evicted_for_bytes,
        mb(most),
        mb(heap)
    );
    counted(&memory, heap);
}
