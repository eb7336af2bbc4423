//! The hostile-server soak: each scenario of issue 33 run against the
//! binary for a while (60 s each by default, `SOAK_SECS` to change it),
//! printing the binary's peak resident memory and CPU time. Ignored by
//! default; run it on a quiet machine with
//!
//! ```sh
//! cargo test --release --test tests soak::hostile -- --ignored --nocapture
//! ```
//!
//! Each scenario is a fake server on `127.0.0.1:0` in a thread of this
//! process; the binary is a child process, its figures read from
//! `/proc/PID/status` (`VmHWM`) and `/proc/PID/stat` (user and system
//! time) just before it is stopped.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::capability_lines;

const BIN: &str = env!("CARGO_BIN_EXE_kismet-shell");

/// How long each scenario runs.
fn soak_time() -> Duration {
    let secs = std::env::var("SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}

/// How a fake server serves one connection.
type Serve = fn(TcpStream, &AtomicBool) -> std::io::Result<()>;

/// A fake server: accepts connections until stopped, each served by
/// `serve` on a thread of its own (errors end that connection).
struct Hostile {
    addr: String,
    stop: Arc<AtomicBool>,
}

impl Hostile {
    fn start(serve: Serve) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        thread::spawn(move || {
            while !flag.load(Ordering::Acquire) {
                match listener.accept() {
                    Ok((s, _)) => {
                        s.set_nonblocking(false).unwrap();
                        let f = flag.clone();
                        thread::spawn(move || serve(s, &f));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Hostile { addr, stop }
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

/// The greeting and the CAPABILITY answers of a default server.
fn handshake(s: &mut TcpStream) -> std::io::Result<BufReader<TcpStream>> {
    let caps = capability_lines();
    let names: Vec<&str> = caps.iter().map(|(p, _)| p.as_str()).collect();
    write!(
        s,
        "*KISMET: 0.0.0 1795678119 \x01Hostile\x01 \x01\x01 0 \n*PROTOCOLS: {}\n",
        names.join(",")
    )?;
    let mut r = BufReader::new(s.try_clone()?);
    for _ in 0..caps.len() {
        let mut line = String::new();
        r.read_line(&mut line)?;
        let (id, rest) = line.trim_end().split_once(' ').unwrap_or_default();
        let proto = rest.strip_prefix("CAPABILITY ").unwrap_or_default();
        if let Some((_, cap)) = caps.iter().find(|(p, _)| p == proto) {
            write!(
                s,
                "{cap}\n*ACK: {} \x01OK\x01 \n",
                id.trim_start_matches('!')
            )?;
        }
    }
    Ok(r)
}

/// The field lists the client enabled, by protocol.
type Enabled = Arc<Mutex<HashMap<String, Vec<String>>>>;

/// Reads the commands on a thread of its own, noting the field list of
/// each ENABLE (`*`: the protocol's own); the ACK of each comes out of the
/// receiver, for the one thread that writes to the connection to send
/// between its other lines (two writers would cut into each other's).
fn ack_everything(mut r: BufReader<TcpStream>) -> (Enabled, mpsc::Receiver<String>) {
    let (acks, to_send) = mpsc::channel();
    let enabled = Enabled::default();
    let noted = enabled.clone();
    let caps = capability_lines();
    thread::spawn(move || {
        let mut line = String::new();
        while r.read_line(&mut line).is_ok_and(|n| n > 0) {
            let words: Vec<&str> = line.trim_end().split(' ').collect();
            if let (Some(id), Some(&"ENABLE"), Some(proto), Some(list)) = (
                words[0].strip_prefix('!'),
                words.get(1),
                words.get(2),
                words.get(3),
            ) {
                let fields = match *list {
                    "*" => caps
                        .iter()
                        .find(|(p, _)| p == proto)
                        .map(|(_, l)| l.rsplit(' ').next().unwrap_or("").to_string())
                        .unwrap_or_default(),
                    l => l.to_string(),
                };
                let fields = fields.split(',').map(String::from).collect();
                noted.lock().unwrap().insert(proto.to_string(), fields);
                let _ = acks.send(format!("*ACK: {id} \x01OK\x01 \n"));
            } else if let Some(id) = words[0].strip_prefix('!') {
                let _ = acks.send(format!("*ACK: {id} \x01OK\x01 \n"));
            }
            line.clear();
        }
    });
    (enabled, to_send)
}

/// Writes the ACKs waiting to be sent.
fn send_acks(s: &mut TcpStream, acks: &mpsc::Receiver<String>) -> std::io::Result<()> {
    for ack in acks.try_iter() {
        s.write_all(ack.as_bytes())?;
    }
    Ok(())
}

/// Scenario 1: a greeting trickled a byte every 10 ms, never ending.
fn trickle(mut s: TcpStream, stop: &AtomicBool) -> std::io::Result<()> {
    s.write_all(b"*KISMET: ")?;
    while !stop.load(Ordering::Acquire) {
        s.write_all(b"A")?;
        thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

/// Scenario 2: new devices without end, each with 30 KB names: every field of the
/// lists the client enabled for BSSID, SSID and CLIENT, in its order.
fn huge_devices(mut s: TcpStream, stop: &AtomicBool) -> std::io::Result<()> {
    let r = handshake(&mut s)?;
    let (enabled, acks) = ack_everything(r);
    let name = "N".repeat(30_000);
    let mut n: u64 = 0;
    while !stop.load(Ordering::Acquire) {
        send_acks(&mut s, &acks)?;
        n += 1;
        let mac = format!(
            "{:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}",
            2,
            (n >> 32) & 255,
            (n >> 24) & 255,
            (n >> 16) & 255,
            (n >> 8) & 255,
            n & 255
        );
        let lists: Vec<(String, Vec<String>)> = enabled
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| matches!(p.as_str(), "BSSID" | "SSID" | "CLIENT"))
            .map(|(p, f)| (p.clone(), f.clone()))
            .collect();
        if lists.is_empty() {
            thread::sleep(Duration::from_millis(10));
            continue;
        }
        let mut out = String::new();
        for (proto, fields) in lists {
            out.push_str(&format!("*{proto}: "));
            for f in fields {
                match f.as_str() {
                    "bssid" | "mac" => out.push_str(&mac),
                    "ssid" | "manuf" => out.push_str(&format!("\x01{name}{n}\x01")),
                    "type" => out.push('0'),
                    _ => out.push('1'),
                }
                out.push(' ');
            }
            out.push('\n');
        }
        s.write_all(out.as_bytes())?;
    }
    Ok(())
}

/// Scenario 3: a handshake of 8,000 protocols of 12,000 fields each.
fn huge_handshake(mut s: TcpStream, _stop: &AtomicBool) -> std::io::Result<()> {
    let names: Vec<String> = (0..8000).map(|i| format!("P{i}")).collect();
    write!(
        s,
        "*KISMET: 0.0.0 1795678119 \x01Hostile\x01 \x01\x01 0 \n*PROTOCOLS: {}\n",
        names.join(",")
    )?;
    let fields: Vec<String> = (0..12_000).map(|i| format!("f{i}")).collect();
    let fields = fields.join(",");
    let mut r = BufReader::new(s.try_clone()?);
    let mut line = String::new();
    while r.read_line(&mut line)? > 0 {
        let mut words = line.trim_end().split(' ');
        let id = words.next().unwrap_or("!0").trim_start_matches('!');
        let proto = words.nth(1).unwrap_or("X");
        write!(s, "*CAPABILITY: {proto} {fields}\n*ACK: {id} \x01OK\x01 \n")?;
        line.clear();
    }
    Ok(())
}

/// Scenario 4: unsolicited CAPABILITY lines for new protocols, without end.
fn capability_flood(mut s: TcpStream, stop: &AtomicBool) -> std::io::Result<()> {
    let r = handshake(&mut s)?;
    let (_, acks) = ack_everything(r);
    let fields: Vec<String> = (0..50).map(|i| format!("field{i}")).collect();
    let fields = fields.join(",");
    let mut n: u64 = 0;
    while !stop.load(Ordering::Acquire) {
        send_acks(&mut s, &acks)?;
        n += 1;
        write!(s, "*CAPABILITY: NEW{n} {fields}\n*TIME: {n}\n")?;
    }
    Ok(())
}

/// The peak resident memory (KiB) and CPU time of a running process.
fn figures(child: &Child) -> (u64, Duration) {
    let pid = child.id();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let ticks: u64 = stat
        .rsplit_once(')')
        .map(|(_, rest)| {
            let f: Vec<&str> = rest.split_whitespace().collect();
            [11, 12]
                .iter()
                .filter_map(|&i| f.get(i)?.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    // Clock ticks are 1/100 s on Linux.
    (peak, Duration::from_millis(ticks * 10))
}

/// Runs the binary with `args` again and again for `time` (a run may end
/// by itself: a refused handshake), each child stopped at the end;
/// (runs, largest peak KiB, total CPU, exit codes seen).
fn soak(args: &[&str], time: Duration) -> (u32, u64, Duration, Vec<Option<i32>>) {
    let end = Instant::now() + time;
    let (mut runs, mut peak, mut cpu, mut codes) = (0, 0, Duration::ZERO, Vec::new());
    while Instant::now() < end {
        runs += 1;
        let mut child = Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run kismet-shell");
        let mut last = (0, Duration::ZERO);
        let code = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status.code();
            }
            // A read that raced the end of the process gives zeros: keep
            // the largest figures seen.
            let now = figures(&child);
            last = (last.0.max(now.0), last.1.max(now.1));
            if Instant::now() >= end {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            thread::sleep(Duration::from_millis(200));
        };
        peak = peak.max(last.0);
        cpu += last.1;
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    (runs, peak, cpu, codes)
}

/// Every hostile scenario for `SOAK_SECS` (60 by default): the binary's
/// peak memory and CPU time, printed as a table.
#[test]
#[ignore]
fn hostile_servers_soak() {
    let time = soak_time();
    let scenarios: [(&str, Serve, &[&str]); 4] = [
        (
            "trickled greeting",
            trickle,
            &["-c", "protocols", "--connect-timeout", "2"],
        ),
        (
            "30 KB names, new devices",
            huge_devices,
            &[
                "--track",
                "-c",
                "enable TIME *",
                "--follow",
                "--format",
                "json",
            ],
        ),
        (
            "8000 x 12000 handshake",
            huge_handshake,
            &["-c", "protocols"],
        ),
        (
            "unsolicited CAPABILITY",
            capability_flood,
            &["-c", "enable TIME *", "--follow", "--format", "json"],
        ),
    ];
    // A recording of 200,000 CLIENT frames (about 100 MB), made from the
    // simulator's flood, replayed at a million times its pace.
    let dir = crate::common::temp_dir("soak");
    let rec = dir.join("flood.rec");
    let flood = kismet_sim::Sim::start(
        "127.0.0.1:0",
        kismet_sim::SimConfig {
            flood_client: true,
            ..kismet_sim::SimConfig::default()
        },
    )
    .unwrap();
    let made = Command::new(BIN)
        .args([&flood.local_addr().to_string(), "--record"])
        .arg(&rec)
        .args(["-c", "enable CLIENT *", "--follow", "--count", "200000"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success());
    flood.shutdown();
    println!(
        "\n{:<26} {:>5} {:>12} {:>9}  exit codes",
        "scenario", "runs", "peak MiB", "CPU s"
    );
    for (name, serve, args) in scenarios {
        let server = Hostile::start(serve);
        let mut all = vec![server.addr.as_str()];
        all.extend_from_slice(args);
        let (runs, peak, cpu, codes) = soak(&all, time);
        println!(
            "{name:<26} {runs:>5} {:>12.1} {:>9.1}  {codes:?}",
            peak as f64 / 1024.0,
            cpu.as_secs_f64()
        );
    }
    let size = std::fs::metadata(&rec).unwrap().len();
    let rec = rec.to_string_lossy().into_owned();
    let replays: [(&str, &[&str]); 2] = [
        (
            "replay, 200,000 frames",
            &[
                "--replay",
                &rec,
                "--speed",
                "1000000",
                "-c",
                "enable CLIENT *",
                "--follow",
                "--format",
                "json",
            ],
        ),
        (
            "replay of /dev/zero",
            &["--replay", "/dev/zero", "-c", "protocols"],
        ),
    ];
    for (name, args) in replays {
        let (runs, peak, cpu, codes) = soak(args, time);
        println!(
            "{name:<26} {runs:>5} {:>12.1} {:>9.1}  {codes:?}",
            peak as f64 / 1024.0,
            cpu.as_secs_f64()
        );
    }
    println!("(the recording replayed: {:.1} MB)", size as f64 / 1e6);
    std::fs::remove_dir_all(&dir).unwrap();
}
