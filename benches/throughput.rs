//! Throughput benchmarks: parsing, and socket -> reader thread -> channel ->
//! JSON lines (or the shell's decoded text lines), against the raw socket
//! read rate of the same stream.
//!
//! Run: `cargo bench --bench throughput`. Each group reports frames/s; the
//! MB/s follow from the line sizes printed at the start. The live model's
//! feed alone (on frames in the cache, and on frames not in it):
//! `cargo bench --bench throughput -- model_feed` (the `_gps` ones with a
//! GPS fix current, every frame a sighting); its cost end to end,
//! measured in pairs: `cargo bench --bench throughput -- model_pairs`.

// Wire lines are written with their explicit "\n", as the server writes them.
#![allow(clippy::write_with_newline)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use crossbeam_channel::{bounded, Receiver, Sender};

use kismet_client::Filter;
use kismet_client::Model;
use kismet_client::{Client, Event, Options};
use kismet_protocol::Frame;
use kismet_shell::shell::display::DisplayRules;
use kismet_shell::shell::render;

#[path = "common/lines.rs"]
mod lines;
use lines::{capability, client_line};

// The same allocator as the binary (see src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const T1: &[u8] = include_bytes!("../tests/fixtures/legacy-server/t1_commands.raw");

/// BSSID lines with all 58 fields, as recorded from a real server.
fn bssid_lines() -> Vec<Vec<u8>> {
    T1.split(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"*BSSID: "))
        .map(<[u8]>::to_vec)
        .collect()
}

fn bench_parse(c: &mut Criterion) {
    let bssid = bssid_lines();
    let bssid_names: Arc<[String]> = capability("BSSID").into();
    let client_names: Arc<[String]> = capability("CLIENT").into();
    let clients: Vec<Vec<u8>> = (0..1000)
        .map(|i| client_line(&client_names, i, u32::MAX))
        .collect();
    eprintln!(
        "line sizes: BSSID {} bytes, CLIENT {} bytes (with newline)",
        bssid.iter().map(|l| l.len() + 1).sum::<usize>() / bssid.len(),
        clients.iter().map(Vec::len).sum::<usize>() / clients.len()
    );
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(bssid.len() as u64));
    g.bench_function("bssid_58_fields_named", |b| {
        b.iter(|| {
            let mut n = 0;
            for l in &bssid {
                let f = Frame::parse(l)
                    .unwrap()
                    .with_names(Some(bssid_names.clone()));
                n += f.get("channel").map_or(0, <[u8]>::len);
            }
            n
        })
    });
    g.throughput(Throughput::Elements(clients.len() as u64));
    g.bench_function("client_56_fields_named", |b| {
        b.iter(|| {
            let mut n = 0;
            for l in &clients {
                let f = Frame::parse(&l[..l.len() - 1])
                    .unwrap()
                    .with_names(Some(client_names.clone()));
                n += f.get("dot11d").map_or(0, <[u8]>::len) + f.len();
            }
            n
        })
    });
    // A CLIENT line (with its newline) parsed and named.
    let named = |l: &[u8]| {
        Frame::parse(&l[..l.len() - 1])
            .unwrap()
            .with_names(Some(client_names.clone()))
    };
    let frames: Vec<Frame> = clients.iter().map(|l| named(l)).collect();
    // The live model fed the same frames again and again: after the first
    // round every frame updates a device it already holds (the reader
    // thread's steady state).
    let model = Model::default();
    g.bench_function("client_56_fields_model_feed", |b| {
        b.iter(|| {
            model.feed(&frames);
            model.devices()
        })
    });
    // The same with a GPS fix current: every frame a sighting there (the
    // fix's line first in the batch).
    let gps_names: Arc<[String]> = capability("GPS").into();
    let fix_line = gps_line(0);
    let fix = Frame::parse(&fix_line[..fix_line.len() - 1])
        .unwrap()
        .with_names(Some(gps_names));
    let with_fix: Vec<Frame> = std::iter::once(fix.clone())
        .chain(frames.iter().cloned())
        .collect();
    let gps_model = Model::default();
    g.bench_function("client_56_fields_model_feed_gps", |b| {
        b.iter(|| {
            gps_model.feed(&with_fix);
            gps_model.devices()
        })
    });
    let mut out = Vec::with_capacity(1 << 20);
    let mut json = render::FrameJson::new();
    g.bench_function("client_56_fields_to_json", |b| {
        b.iter(|| {
            out.clear();
            for f in &frames {
                json.write(&mut out, f);
                out.push(b'\n');
            }
            out.len()
        })
    });
    // The shell's text lines, the default output: values decoded (cipher
    // sets, type names, local times), then as the server sent them.
    for (name, decode) in [
        ("client_56_fields_to_text", true),
        ("client_56_fields_to_text_raw_values", false),
    ] {
        let mut text = String::with_capacity(1 << 20);
        let mut lines = render::frame::TextLines::with(false, decode);
        g.bench_function(name, |b| {
            b.iter(|| {
                text.clear();
                for f in &frames {
                    lines.write(&mut text, f);
                    text.push('\n');
                }
                text.len()
            })
        });
    }
    // Evaluation alone, on the frames parsed above: the filter must cost
    // little next to parsing a frame.
    let filter = Filter::parse(r#"signal_dbm > -60 and manuf ~ "Intel""#, &client_names)
        .expect("filter compiles");
    let matched = frames.iter().filter(|f| filter.matches(f)).count();
    assert_eq!(
        matched,
        frames.len() / 2,
        "half the clients are above -60 dBm"
    );
    g.bench_function("client_56_fields_filter_two_terms", |b| {
        b.iter(|| frames.iter().filter(|f| filter.matches(f)).count())
    });
    // The live model fed frames that are not in the processor's cache, as
    // on its tracker thread (parsed on the reader's core, the stream in
    // between): 20,000 frames about 5,000 clients, pushed out of the cache
    // before each round (not timed) by writing a buffer larger than it.
    let cold: Vec<Frame> = (0..20_000)
        .map(|i| named(&client_line(&client_names, i, 5_000)))
        .collect();
    let cold_model = Model::default();
    cold_model.feed(&cold);
    let mut flush = vec![0u8; 64 << 20];
    g.throughput(Throughput::Elements(cold.len() as u64));
    g.sample_size(20);
    g.bench_function("client_56_fields_model_feed_cold", |b| {
        b.iter_batched(
            || {
                for i in (0..flush.len()).step_by(64) {
                    flush[i] = flush[i].wrapping_add(1);
                }
            },
            |()| cold_model.feed(&cold),
            BatchSize::PerIteration,
        )
    });
    // The same with a GPS fix current: each client's place is out of the
    // cache too.
    let cold_fix: Vec<Frame> = std::iter::once(fix).chain(cold).collect();
    let cold_gps_model = Model::default();
    cold_gps_model.feed(&cold_fix);
    g.bench_function("client_56_fields_model_feed_cold_gps", |b| {
        b.iter_batched(
            || {
                for i in (0..flush.len()).step_by(64) {
                    flush[i] = flush[i].wrapping_add(1);
                }
            },
            |()| cold_gps_model.feed(&cold_fix),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// Frames sent per round of the end-to-end benchmarks.
const ROUND: usize = 200_000;

/// A server that answers the handshake for CLIENT, then writes ROUND
/// pre-encoded CLIENT lines about `devices` clients each time it is told
/// to. For each connection it hands out the sender that tells it to.
fn flood_server(devices: u32) -> (String, Receiver<Sender<()>>) {
    flood_server_with(devices, false)
}

/// A GPS line as a real server writes it, its latitude moved by `step`
/// micro-degrees.
fn gps_line(step: u32) -> Vec<u8> {
    format!(
        "*GPS: {:.6} 13.404954 34 36 90 3 \x015:40:120:35,12:63:48:41,\x01 1 1 1 \n",
        52.520008 + f64::from(step) * 1e-6
    )
    .into_bytes()
}

/// [`flood_server`], and with `gps` a server with GPS: it offers GPS too,
/// acknowledges any command (the model's `ENABLE GPS`), and writes a GPS
/// line before every 1,000 CLIENT lines of a round (these come on top of
/// the ROUND CLIENT lines, which are what a round counts: the GPS lines
/// go to the model only).
fn flood_server_with(devices: u32, gps: bool) -> (String, Receiver<Sender<()>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (conn_tx, conn_rx) = bounded::<Sender<()>>(1);
    let fields = capability("CLIENT");
    let mut block = Vec::new();
    for i in 0..ROUND as u32 {
        if gps && i % 1000 == 0 {
            block.extend_from_slice(&gps_line(i / 1000));
        }
        block.extend_from_slice(&client_line(&fields, i, devices));
    }
    let client_caps = fields.join(",");
    let gps_caps = capability("GPS").join(",");
    thread::spawn(move || {
        for conn in listener.incoming() {
            let mut s = conn.unwrap();
            let (go_tx, go_rx) = bounded::<()>(1);
            conn_tx.send(go_tx).unwrap();
            let block = block.clone();
            let caps = client_caps.clone();
            let gps_caps = gps_caps.clone();
            thread::spawn(move || {
                let _ = s.set_nodelay(true);
                let protocols = if gps { "CLIENT,GPS" } else { "CLIENT" };
                write!(
                    s,
                    "*KISMET: 0.0.0 1 \x01bench\x01 \x01\x01 0 \n*PROTOCOLS: {protocols}\n"
                )
                .unwrap();
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut line = String::new();
                // CAPABILITY (client) or nothing (raw baseline, which says GO).
                r.read_line(&mut line).unwrap();
                if line.contains("CAPABILITY") {
                    let id = line.split(' ').next().unwrap()[1..].to_string();
                    write!(s, "*CAPABILITY: CLIENT {caps}\n*ACK: {id} \x01OK\x01 \n").unwrap();
                    if gps {
                        line.clear();
                        r.read_line(&mut line).unwrap(); // CAPABILITY GPS
                        let id = line.split(' ').next().unwrap()[1..].to_string();
                        write!(s, "*CAPABILITY: GPS {gps_caps}\n*ACK: {id} \x01OK\x01 \n").unwrap();
                    }
                    line.clear();
                    r.read_line(&mut line).unwrap(); // ENABLE CLIENT *
                    let id = line.split(' ').next().unwrap()[1..].to_string();
                    write!(s, "*ACK: {id} \x01OK\x01 \n").unwrap();
                }
                let writer = Arc::new(parking_lot::Mutex::new(s));
                if gps {
                    // Later commands (the model's ENABLE GPS): acknowledged.
                    let w = writer.clone();
                    thread::spawn(move || {
                        let mut line = String::new();
                        while r.read_line(&mut line).is_ok_and(|n| n > 0) {
                            if let Some(id) =
                                line.split(' ').next().and_then(|w| w.strip_prefix('!'))
                            {
                                let ack = format!("*ACK: {id} \x01OK\x01 \n");
                                if w.lock().write_all(ack.as_bytes()).is_err() {
                                    return;
                                }
                            }
                            line.clear();
                        }
                    });
                }
                while go_rx.recv().is_ok() {
                    if writer.lock().write_all(&block).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, conn_rx)
}

fn bench_end_to_end(c: &mut Criterion) {
    // Every line a different client: 196,608 of them, more than the live
    // model keeps (100,000), so with the model on every frame adds a
    // device and evicts one (its worst case).
    let (addr, conns) = flood_server(u32::MAX);
    let mut g = c.benchmark_group("end_to_end");
    g.throughput(Throughput::Elements(ROUND as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));

    // Baseline: read the same stream and count newlines, no parsing.
    {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.write_all(b"GO\n").unwrap();
        let go = conns.recv().unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        // Skip the greeting (2 lines).
        let mut skip = 2;
        g.bench_function("raw_socket_count_newlines", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    go.send(()).unwrap();
                    let mut lines = 0;
                    while lines < ROUND + skip {
                        let n = s.read(&mut buf).unwrap();
                        lines += buf[..n].iter().filter(|&&b| b == b'\n').count();
                    }
                    skip = 0;
                }
                start.elapsed()
            })
        });
    }

    // The client: reader thread, channel, JSON lines into a sink; then the
    // same with a two-term display filter that every frame passes (the
    // filter's cost, not fewer lines to write).
    client_lines(&mut g, &addr, &conns, "client_json_lines", None, false);
    client_lines(
        &mut g,
        &addr,
        &conns,
        "client_json_lines_filter_two_terms",
        Some(r#"signal_dbm < 0 and manuf ~ "Intel""#),
        false,
    );
    // The live model fed (on the client's tracker thread), as `networks` runs it.
    client_lines(&mut g, &addr, &conns, "client_json_lines_model", None, true);
    g.finish();

    // A stream like a server's: the same 5,000 clients over and over (each
    // updated 40 times a round), without and with the model.
    let (addr, conns) = flood_server(5_000);
    let mut g = c.benchmark_group("end_to_end_5000_clients");
    g.throughput(Throughput::Elements(ROUND as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    client_lines(&mut g, &addr, &conns, "client_json_lines", None, false);
    client_lines(&mut g, &addr, &conns, "client_json_lines_model", None, true);
    // The same as the shell's text lines (values decoded, its default),
    // without and with the model.
    client_lines(&mut g, &addr, &conns, "client_text_lines", None, false);
    client_lines(&mut g, &addr, &conns, "client_text_lines_model", None, true);
    g.finish();
}

/// One end-to-end benchmark on a connection of its own: frames through the
/// reader thread and channel, past the display rules (`filter` for CLIENT,
/// if given), written as JSON lines into a sink (as decoded text lines when
/// the name says `text`).
fn client_lines(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    addr: &str,
    conns: &Receiver<Sender<()>>,
    name: &str,
    filter: Option<&str>,
    track: bool,
) {
    let side = Side::connect(addr, conns, track);
    let (client, model) = (&side.client, &side.model);
    let mut rules = DisplayRules::default();
    if let Some(expr) = filter {
        let fields = client.subscription("CLIENT").unwrap();
        rules.set_filter("CLIENT", expr, fields, &[]).unwrap();
    }
    let mut output = Output::new(name.contains("text"));
    let mut ran = false;
    g.bench_function(name, |b| {
        ran = true;
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                side.round(&mut output, &mut rules);
            }
            start.elapsed()
        })
    });
    let shown = output.shown;
    if !ran {
        // Left out by a name filter on the command line.
        return;
    }
    assert!(
        client.stats().dropped.is_empty(),
        "frames dropped in the benchmark"
    );
    assert_eq!(
        rules.shown("CLIENT").filtered,
        0,
        "the filter let every frame through"
    );
    assert!(shown > 0);
    if track {
        assert!(model.snapshot().clients.len() >= 1000, "the model was fed");
    }
    // The reader thread's CPU time per frame, steadier than the rates on
    // a shared machine; and the tracker thread's, where the model's cost
    // lands.
    for (thread, label) in [("kismet-reader", "reader"), ("kismet-tracker", "tracker")] {
        if let Some(ticks) = thread_cpu_ticks(thread) {
            eprintln!(
                "{name}: {label} thread CPU {:.0} ns per frame ({shown} frames)",
                ticks as f64 * 1e7 / shown as f64
            );
        }
    }
}

/// One connection to a flood server, with CLIENT enabled and, when asked,
/// the live model tracking it.
struct Side {
    client: Client,
    /// Tells the server to send a round.
    go: Sender<()>,
    /// The model (empty when not tracking).
    model: Arc<Model>,
}

impl Side {
    fn connect(addr: &str, conns: &Receiver<Sender<()>>, track: bool) -> Side {
        let client = Client::connect(addr, {
            let mut o = Options::default();
            o.channel_batches = 1024;
            o
        })
        .unwrap();
        let go = conns.recv().unwrap();
        assert!(client
            .enable("CLIENT", "*", Duration::from_secs(5))
            .unwrap()
            .is_ok());
        let model = Arc::new(Model::default());
        if track {
            client.track(model.clone(), Duration::from_secs(5)).unwrap();
        }
        Side { client, go, model }
    }

    /// Asks for a round and writes its ROUND frames, those that pass
    /// `rules`, through `output`.
    fn round(&self, output: &mut Output, rules: &mut DisplayRules) {
        self.go.send(()).unwrap();
        let mut frames = 0;
        while frames < ROUND {
            match self
                .client
                .events()
                .recv_timeout(Duration::from_secs(10))
                .unwrap()
            {
                Event::Frames(fs) => {
                    output.write(&fs, rules);
                    frames += fs.len();
                }
                other => panic!("{other:?}"),
            }
        }
    }
}

/// Frames written as JSON lines, or as the shell's decoded text lines, one
/// write per batch into a sink.
struct Output {
    text: bool,
    json: render::FrameJson,
    lines: render::frame::TextLines,
    line: String,
    out: Vec<u8>,
    /// Lines written.
    shown: u64,
}

impl Output {
    fn new(text: bool) -> Output {
        Output {
            text,
            json: render::FrameJson::new(),
            lines: render::frame::TextLines::with(false, true),
            line: String::new(),
            out: Vec::with_capacity(1 << 20),
            shown: 0,
        }
    }

    fn write(&mut self, frames: &[Frame], rules: &mut DisplayRules) {
        self.out.clear();
        for f in frames {
            if !rules.pass(f) {
                continue;
            }
            if self.text {
                self.line.clear();
                self.lines.write(&mut self.line, f);
                self.out.extend_from_slice(self.line.as_bytes());
            } else {
                self.json.write(&mut self.out, f);
            }
            self.out.push(b'\n');
            self.shown += 1;
        }
        std::io::sink().write_all(&self.out).unwrap();
    }
}

/// CPU time so far of this process's thread named `name` (the client's
/// reader or tracker thread), in clock ticks (10 ms), from /proc (`None`
/// elsewhere, or when none or more than one is running).
fn thread_cpu_ticks(name: &str) -> Option<u64> {
    let (mut total, mut threads) = (0, 0);
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        total += stat_cpu_ticks(&dir.join("stat"))?;
        threads += 1;
    }
    // One: the benchmark's own connection's (those before it closed).
    (threads == 1).then_some(total)
}

/// CPU time of the whole process so far, in clock ticks (10 ms).
fn process_cpu_ticks() -> u64 {
    stat_cpu_ticks(Path::new("/proc/self/stat")).unwrap_or(0)
}

/// CPU time of the calling thread so far, in clock ticks (10 ms).
fn own_cpu_ticks() -> u64 {
    stat_cpu_ticks(Path::new("/proc/thread-self/stat")).unwrap_or(0)
}

/// User and system time from a `stat` file of /proc, in clock ticks.
fn stat_cpu_ticks(path: &Path) -> Option<u64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name's closing parenthesis: utime and
    // stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// The model's cost as a paired ratio, steadier than two criterion
/// figures on a shared machine: two connections to one 5,000-client
/// stream, one without and one with the model, take rounds in turn (the
/// side that goes first alternates). Each pair gives a ratio of rates, so a
/// slow moment of the machine falls on both sides of a pair; the median
/// and range are printed, with the process's CPU time per frame and the
/// cores it kept busy on each side, and the CPU time per frame of the
/// thread that writes the output (this one). Done three times: with JSON
/// lines (the fastest consumer, where the model's cost shows most), with
/// the shell's decoded text lines, and with JSON lines from a server with
/// GPS (a GPS line every 1,000 CLIENT lines: each update a sighting at the
/// fix). `MODEL_PAIRS` sets the number of pairs (20 for JSON, half as many
/// for text). Each runs with no filter, or one that matches its name.
fn bench_model_pairs(_: &mut Criterion) {
    let pairs: usize = std::env::var("MODEL_PAIRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .max(2);
    let (addr, conns) = flood_server(5_000);
    model_pairs(&addr, &conns, "model_pairs_json_lines", pairs);
    model_pairs(&addr, &conns, "model_pairs_text_lines", pairs / 2);
    // A server with GPS: every CLIENT update a sighting at the fix.
    let (addr, conns) = flood_server_with(5_000, true);
    model_pairs(&addr, &conns, "model_pairs_gps_json_lines", pairs);
}

/// One paired comparison (see [`bench_model_pairs`]); text lines when the
/// name says `text`.
fn model_pairs(addr: &str, conns: &Receiver<Sender<()>>, name: &str, pairs: usize) {
    let name = format!("end_to_end_5000_clients/{name}");
    let wanted = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-') && a.parse::<f64>().is_err())
        .all(|a| name.contains(&a));
    if !wanted {
        return;
    }
    let sides = [false, true].map(|track| Side::connect(addr, conns, track));
    let mut output = Output::new(name.contains("text"));
    let mut rules = DisplayRules::default();
    // One round of one side: its wall time (s), the process's CPU time and
    // this thread's (the output's), in ticks.
    let mut round = |side: usize| {
        let (cpu, own) = (process_cpu_ticks(), own_cpu_ticks());
        let start = Instant::now();
        sides[side].round(&mut output, &mut rules);
        (
            start.elapsed().as_secs_f64(),
            process_cpu_ticks() - cpu,
            own_cpu_ticks() - own,
        )
    };
    // A round each first: the model fills.
    round(0);
    round(1);
    let mut ratios = Vec::new();
    let (mut secs, mut ticks, mut output_ticks) = ([0.0; 2], [0u64; 2], [0u64; 2]);
    for i in 0..pairs {
        let order = if i % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut t = [0.0; 2];
        for side in order {
            let (s, c, o) = round(side);
            t[side] = s;
            secs[side] += s;
            ticks[side] += c;
            output_ticks[side] += o;
        }
        // Rate with / rate without = time without / time with.
        ratios.push(t[0] / t[1]);
    }
    ratios.sort_by(f64::total_cmp);
    let frames = (pairs * ROUND) as f64;
    eprintln!(
        "{name}: model on / off, {pairs} paired rounds of {ROUND} frames: median {:.3} \
         (range {:.3} to {:.3}); off {:.2} M frames/s, on {:.2} M frames/s",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1],
        frames / secs[0] / 1e6,
        frames / secs[1] / 1e6,
    );
    eprintln!(
        "{name}: process CPU per frame off {:.0} ns, on {:.0} ns; cores busy off {:.2}, on {:.2}",
        ticks[0] as f64 * 1e7 / frames,
        ticks[1] as f64 * 1e7 / frames,
        ticks[0] as f64 / 100.0 / secs[0],
        ticks[1] as f64 / 100.0 / secs[1],
    );
    eprintln!(
        "{name}: the output's thread, CPU per frame off {:.0} ns, on {:.0} ns",
        output_ticks[0] as f64 * 1e7 / frames,
        output_ticks[1] as f64 * 1e7 / frames,
    );
    for side in &sides {
        assert!(side.client.stats().dropped.is_empty(), "frames dropped");
    }
    assert!(sides[1].model.devices() >= 1000, "the model was fed");
    assert_eq!(sides[0].model.devices(), 0, "only one side has the model");
}

criterion_group!(benches, bench_parse, bench_end_to_end, bench_model_pairs);
criterion_main!(benches);
