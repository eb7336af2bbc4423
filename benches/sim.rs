//! How fast the simulator serves one client: PACKET lines at a high packet
//! rate, and CLIENT lines in flood mode. Prints lines/s and MB/s for each.
//!
//! Run: `cargo bench --bench sim`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use kismet_sim::{Sim, SimConfig};

// The same allocator as the binary (see src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long each measurement reads.
const RUN: Duration = Duration::from_secs(3);

/// Connects, enables `proto` with all fields, then counts what arrives
/// during [`RUN`]: (lines, bytes, seconds).
fn measure(config: SimConfig, proto: &str) -> (u64, u64, f64) {
    let sim = Sim::start("127.0.0.1:0", config).expect("simulator starts");
    let stream = TcpStream::connect(sim.local_addr()).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    let mut w = stream.try_clone().expect("clone");
    let mut r = BufReader::with_capacity(1 << 20, stream);
    w.write_all(format!("!1 ENABLE {proto} *\n").as_bytes())
        .expect("write");
    let mut line = Vec::new();
    loop {
        line.clear();
        r.read_until(b'\n', &mut line).expect("reply");
        if line.starts_with(b"*ACK: 1 ") {
            break;
        }
        assert!(!line.is_empty(), "closed before the ACK");
    }
    let start = Instant::now();
    let (mut lines, mut bytes) = (0u64, 0u64);
    let mut buf = vec![0u8; 1 << 20];
    while start.elapsed() < RUN {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
                bytes += n as u64;
            }
            Err(e) => panic!("read: {e}"),
        }
    }
    let secs = start.elapsed().as_secs_f64();
    sim.shutdown();
    (lines, bytes, secs)
}

fn report(what: &str, (lines, bytes, secs): (u64, u64, f64)) {
    println!(
        "{what}: {:.0} lines/s, {:.1} MB/s",
        lines as f64 / secs,
        bytes as f64 / secs / 1e6
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with --bench absent; only
    // measure when asked to (`cargo bench` passes --bench).
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    report(
        "PACKET at 300000/s",
        measure(
            SimConfig {
                packet_rate: 300_000,
                ..SimConfig::default()
            },
            "PACKET",
        ),
    );
    report(
        "CLIENT flood",
        measure(
            SimConfig {
                flood_client: true,
                ..SimConfig::default()
            },
            "CLIENT",
        ),
    );
}
