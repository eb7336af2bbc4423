//! Every output format end to end, with nothing dropped: the binary
//! replays a recording of 2,000,000 real 56-field CLIENT lines
//! (`--replay REC --speed 1000000 -c 'enable CLIENT *' --follow
//! --lossless --format F`) into a consumer that keeps up (this process,
//! counting newlines as `grep -c` does).
//!
//! Run: `cargo bench --bench replay_formats`. `REPLAY_LINES` sets the
//! recording's length (default 2,000,000; the file is about 0.5 GB, made
//! once in the target directory), `REPLAY_ROUNDS` the rounds (default 3).
//! Each round runs every format once, in an order that turns from round to
//! round, and gives each format's rate as a ratio to `--format raw` in the
//! same round, so that a slow moment of the machine falls on a whole
//! round. Printed: per format the median frames/s and ratio to raw, and
//! the CPU time per frame of the reader thread, of the writer (the main
//! thread), of the in-process replay server's threads and of the whole
//! process, from the first byte of output on (sampled from /proc every
//! 10 ms while it runs, so a little under the truth).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kismet-shell");
#[path = "common/lines.rs"]
mod lines;
use lines::{capability, client_line};

/// The formats measured: a name and the arguments that select it.
const FORMATS: [(&str, &[&str]); 5] = [
    ("raw", &["--format", "raw"]),
    ("json", &["--format", "json"]),
    ("text", &["--format", "text"]),
    ("text --raw-values", &["--format", "text", "--raw-values"]),
    ("csv", &["--format", "csv"]),
];

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not used here.
    let lines = env_number("REPLAY_LINES", 2_000_000);
    let rounds = env_number("REPLAY_ROUNDS", 3);
    let path = recording(lines);
    println!(
        "replay_formats: {lines} CLIENT lines ({} MB), {rounds} rounds",
        std::fs::metadata(&path).map_or(0, |m| m.len()) / 1_000_000
    );
    let mut runs: HashMap<&str, Vec<Run>> = HashMap::new();
    let mut ratios: HashMap<&str, Vec<f64>> = HashMap::new();
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..FORMATS.len()).collect();
        order.rotate_left(round % FORMATS.len());
        let mut this_round = HashMap::new();
        for i in order {
            let (name, args) = FORMATS[i];
            let run = replay(&path, args);
            assert_eq!(
                run.frames, lines,
                "{name}: {} frames of {lines}: the lossless replay lost some",
                run.frames
            );
            println!(
                "  round {} {name:>17}: {:>5.2} M frames/s",
                round + 1,
                run.rate() / 1e6
            );
            this_round.insert(name, run.rate());
            runs.entry(name).or_default().push(run);
        }
        let raw = this_round["raw"];
        for (name, rate) in this_round {
            ratios.entry(name).or_default().push(rate / raw);
        }
    }
    println!();
    println!(
        "{:>17} {:>9} {:>8} {:>21} {:>8} {:>8} {:>8}",
        "format", "M fr/s", "vs raw", "ratio range", "reader", "writer", "replay"
    );
    for (name, _) in FORMATS {
        let r = &runs[name];
        let rate = median(r.iter().map(Run::rate).collect());
        let ratio = ratios[name].clone();
        let (lo, hi) = range(&ratio);
        let per = |f: fn(&Run) -> f64| median(r.iter().map(f).collect());
        println!(
            "{name:>17} {:>9.2} {:>8.3} {:>10.3} to {:<7.3} {:>5.0} ns {:>5.0} ns {:>5.0} ns   process {:.0} ns",
            rate / 1e6,
            median(ratio),
            lo,
            hi,
            per(|r| r.ns_per_frame(r.cpu.reader)),
            per(|r| r.ns_per_frame(r.cpu.writer)),
            per(|r| r.ns_per_frame(r.cpu.replay)),
            per(|r| r.ns_per_frame(r.cpu.total)),
        );
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One run of the binary.
struct Run {
    frames: usize,
    /// From the first byte of output to its end.
    elapsed: Duration,
    /// CPU time, clock ticks.
    cpu: Cpu,
}

impl Run {
    fn rate(&self) -> f64 {
        self.frames as f64 / self.elapsed.as_secs_f64()
    }

    fn ns_per_frame(&self, ticks: u64) -> f64 {
        ticks as f64 * 1e9 / ticks_per_second() / self.frames as f64
    }
}

/// CPU time of the binary's threads, in clock ticks.
#[derive(Default, Clone, Copy)]
struct Cpu {
    reader: u64,
    writer: u64,
    replay: u64,
    total: u64,
}

/// Runs the binary on the recording with `args`; the frames it printed
/// (lines, less the ACK's line and the notices of the end), the time
/// they took and the CPU its threads used.
fn replay(path: &Path, args: &[&str]) -> Run {
    let mut child = Command::new(BIN)
        .arg("--replay")
        .arg(path)
        .args(["--speed", "1000000", "-c", "enable CLIENT *", "--follow"])
        .arg("--lossless")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kismet-shell");
    let pid = child.id();
    let (started, done) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let sampler = {
        let (started, done) = (started.clone(), done.clone());
        thread::spawn(move || sample_cpu(pid, &started, &done))
    };
    let mut out = child.stdout.take().unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let (mut newlines, mut first) = (0usize, None);
    // When the last two reads ended, and how much the last one brought.
    let (mut ends, mut last_len) = ([Instant::now(); 2], 0);
    // The start and the end of the output, where lines other than frames
    // are (the ENABLE's reply, a CSV header; the end's notices).
    let (mut head, mut tail) = (Vec::new(), Vec::new());
    loop {
        let n = out.read(&mut buf).expect("read the output");
        if n == 0 {
            break;
        }
        if first.is_none() {
            first = Some(Instant::now());
            started.store(true, Ordering::Relaxed);
        }
        ends = [ends[1], Instant::now()];
        last_len = n;
        newlines += memchr::memchr_iter(b'\n', &buf[..n]).count();
        if head.len() < EDGE {
            head.extend_from_slice(&buf[..n.min(EDGE)]);
        }
        tail.extend_from_slice(&buf[n.saturating_sub(EDGE)..n]);
        let cut = tail.len().saturating_sub(EDGE);
        tail.drain(..cut);
    }
    let status = child.wait().expect("wait for kismet-shell");
    done.store(true, Ordering::Relaxed);
    let cpu = sampler.join().unwrap();
    assert!(status.success(), "kismet-shell {args:?}: {status}");
    let is_frame = frame_test(args);
    let before = String::from_utf8_lossy(&head)
        .lines()
        .take_while(|l| !is_frame(l))
        .count();
    let tail = String::from_utf8_lossy(&tail);
    let trailing: Vec<&str> = tail.lines().rev().take_while(|l| !is_frame(l)).collect();
    let after = trailing.len();
    // The frames' time ends with the last read that brought one (the
    // notice of the end may come later, on its own).
    let trailing_bytes: usize = trailing.iter().map(|l| l.len() + 1).sum();
    let end = if last_len <= trailing_bytes {
        ends[0]
    } else {
        ends[1]
    };
    let elapsed = first.map_or(Duration::ZERO, |t| end.duration_since(t));
    Run {
        frames: newlines - before - after,
        elapsed,
        cpu,
    }
}

/// Bytes kept of the start and of the end of the output.
const EDGE: usize = 64 * 1024;

/// How a CLIENT frame's line starts in the format `args` select.
fn frame_test(args: &[&str]) -> fn(&str) -> bool {
    match args.get(1).copied() {
        Some("raw") => |l| l.starts_with("*CLIENT: "),
        Some("json") => |l| l.starts_with(r#"{"type":"frame""#),
        Some("csv") => |l| l.starts_with("CLIENT,"),
        _ => |l| l.starts_with("CLIENT "),
    }
}

/// Samples the CPU time of `pid`'s threads every 10 ms until `done`,
/// keeping each thread's latest figure (a thread that ended keeps its
/// last one); the sums by kind of thread, less what they had used when
/// `started` was set (the output began: the recording's loading pass on
/// the main thread is not the writer's work).
fn sample_cpu(pid: u32, started: &AtomicBool, done: &AtomicBool) -> Cpu {
    let mut now = Cpu::default();
    let mut at_start = None;
    let mut threads: HashMap<String, (Kind, u64)> = HashMap::new();
    while !done.load(Ordering::Relaxed) {
        let total = stat_ticks(&PathBuf::from(format!("/proc/{pid}/stat")));
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            for task in tasks.flatten() {
                let dir = task.path();
                let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
                if let Some(ticks) = stat_ticks(&dir.join("stat")) {
                    let tid = task.file_name().to_string_lossy().into_owned();
                    threads.insert(tid, (Kind::of(comm.trim()), ticks));
                }
            }
        }
        let sum = |k: Kind| threads.values().filter(|t| t.0 == k).map(|t| t.1).sum();
        now = Cpu {
            reader: sum(Kind::Reader),
            writer: sum(Kind::Writer),
            replay: sum(Kind::Replay),
            total: total.unwrap_or(now.total),
        };
        if at_start.is_none() && started.load(Ordering::Relaxed) {
            at_start = Some(now);
        }
        thread::sleep(Duration::from_millis(10));
    }
    let base = at_start.unwrap_or_default();
    Cpu {
        reader: now.reader.saturating_sub(base.reader),
        writer: now.writer.saturating_sub(base.writer),
        replay: now.replay.saturating_sub(base.replay),
        total: now.total.saturating_sub(base.total),
    }
}

/// What a thread of the binary does, by its name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Reader,
    Writer,
    Replay,
    Other,
}

impl Kind {
    fn of(comm: &str) -> Kind {
        match comm {
            "kismet-reader" => Kind::Reader,
            "kismet-shell" => Kind::Writer,
            c if c.starts_with("sim-") => Kind::Replay,
            _ => Kind::Other,
        }
    }
}

/// User and system time from a `stat` file of /proc, in clock ticks.
fn stat_ticks(path: &Path) -> Option<u64> {
    let stat = std::fs::read_to_string(path).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// Clock ticks per second (USER_HZ; 100 on Linux).
fn ticks_per_second() -> f64 {
    100.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn range(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)))
}

/// The recording of `lines` CLIENT lines, made once in the target
/// directory.
fn recording(lines: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("target/bench-data");
    let path = dir.join(format!("client-{lines}.kismet"));
    if !path.exists() {
        let partial = path.with_extension("partial");
        write_recording(&partial, lines).expect("write the recording");
        std::fs::rename(&partial, &path).expect("rename the recording");
    }
    path
}

/// A recording as `--record` writes it: the handshake of a real server
/// for CLIENT, `enable CLIENT *` answered, then `lines` CLIENT lines over
/// one recorded second.
fn write_recording(path: &Path, lines: usize) -> std::io::Result<()> {
    let fields = capability("CLIENT");
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(w, "# kismet-shell recording 1")?;
    writeln!(w, "= 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:45.000Z")?;
    writeln!(
        w,
        "< 0.001 *KISMET: 0.0.0 1795678119 \\x01Bench\\x01 \\x01\\x01 0 "
    )?;
    writeln!(
        w,
        "< 0.001 *PROTOCOLS: KISMET,ERROR,ACK,PROTOCOLS,CAPABILITY,TERMINATE,TIME,CLIENT"
    )?;
    writeln!(w, "< 0.002 *CAPABILITY: CLIENT {}", fields.join(","))?;
    writeln!(w, "> 0.010 !1 ENABLE CLIENT {}", fields.join(","))?;
    writeln!(w, "< 0.011 *ACK: 1 \\x01OK\\x01 ")?;
    for i in 0..lines {
        let us = 100_000 + i * 1_000_000 / lines.max(1);
        let line = client_line(&fields, i as u32, 5_000);
        write!(w, "< {}.{:06} ", us / 1_000_000, us % 1_000_000)?;
        for &b in &line[..line.len() - 1] {
            if b == 1 {
                w.write_all(b"\\x01")?;
            } else {
                w.write_all(&[b])?;
            }
        }
        w.write_all(b"\n")?;
    }
    w.flush()
}
