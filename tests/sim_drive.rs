//! The simulator's drive against plain sockets: GPS lines as a real
//! server sends them, the BSSID and CLIENT position fields as it fills
//! them, the truth (`Sim::device_positions`, `Sim::route`) agreeing with
//! the wire, a server without GPS, and routes read from GPX files. The
//! world is stepped by hand (`Sim::step`, the clock's tick an hour), so
//! every run sees the same ticks; every wait is bounded; every server
//! listens on 127.0.0.1:0.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kismet_sim::{Point, Route, Sim, SimConfig};
use regex::bytes::Regex;

use crate::sim::{frame, text, Conn, WAIT};

const BIN: &str = env!("CARGO_BIN_EXE_kismet-shell");

/// A real GPS line, from `PROTOCOL.md` (a 2016-07-R1 server fed by gpsd).
const REAL_GPS_LINE: &[u8] =
    b"*GPS: 37.769100 -122.419571 15 10 90 3 \x015:40:120:35,12:63:48:41,\x01 3 3 1 \n";

/// A number as the server's C++ streams print one: at most 6 significant
/// digits, no trailing zeros, no exponent at these sizes.
const NUM: &str = r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?";

/// The shape of a GPS line with every field: lat and lon with 6
/// decimals, alt, spd, heading, fix, satinfo (`PRN:el:az:snr,` entries,
/// each ending with a comma), hdop, vdop, connected.
fn gps_line_shape() -> Regex {
    Regex::new(&format!(
        r"^\*GPS: -?[0-9]+\.[0-9]{{6}} -?[0-9]+\.[0-9]{{6}} {NUM} {NUM} {NUM} (-1|0|2|3) \x01([0-9]+:[0-9]+:[0-9]+:[0-9]+,)*\x01 {NUM} {NUM} 1 \n$"
    ))
    .unwrap()
}

/// A simulator with a GPS on `route` (the built-in loop if `None`) whose
/// world moves only when the test steps it.
fn driving(route: Option<Route>) -> Sim {
    Sim::start(
        "127.0.0.1:0",
        SimConfig {
            gps: true,
            route: route.map(Arc::new),
            tick: Duration::from_secs(3600),
            ..SimConfig::default()
        },
    )
    .expect("simulator starts")
}

/// Connects and enables each of `enables` (`PROTO fields`), reading the
/// bursts and ACKs.
fn connect(sim: &Sim, enables: &[&str]) -> Conn {
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    for (i, e) in enables.iter().enumerate() {
        c.send(format!("!{} ENABLE {e}\n", i + 1).as_bytes());
        c.reply(i as u64 + 1);
    }
    c
}

/// Steps the world `ticks` times and returns the lines of each tick (its
/// TIME line first).
fn step(sim: &Sim, c: &mut Conn, ticks: usize) -> Vec<Vec<Vec<u8>>> {
    for _ in 0..=ticks {
        sim.step();
    }
    // The tick after the last one marks where the last one ends.
    let mut out: Vec<Vec<Vec<u8>>> = Vec::new();
    c.until(|l| {
        if l.starts_with(b"*TIME: ") {
            out.push(Vec::new());
        }
        match out.last_mut() {
            Some(tick) => tick.push(l.to_vec()),
            None => panic!("a line before the first TIME: {}", text(l)),
        }
        out.len() > ticks
    });
    out.pop();
    out
}

/// The fields of a line, as text.
fn fields(line: &[u8]) -> Vec<String> {
    let f = frame(line);
    (0..f.len())
        .map(|i| text(f.field(i).unwrap_or_default()))
        .collect()
}

/// A number printed as the server prints the position fields: 6
/// significant digits, no trailing zeros.
fn six_digits(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let digits = v.abs().log10().floor() as i32 + 1;
    let decimals = (6 - digits).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// One tick of a drive as a client sees it: the GPS fix (lat, lon) and
/// the signal of each BSSID heard.
struct Tick {
    fix: Option<(f64, f64)>,
    signals: Vec<(String, i32)>,
    /// The last BSSID line of each network this tick (its fields).
    bssids: Vec<Vec<String>>,
}

/// Drives `ticks` ticks with GPS `lat,lon,fix` and BSSID `bssid,
/// signal_dbm, bestlat, bestlon` enabled.
fn drive(sim: &Sim, ticks: usize) -> Vec<Tick> {
    let mut c = connect(
        sim,
        &["GPS lat,lon,fix", "BSSID bssid,signal_dbm,bestlat,bestlon"],
    );
    step(sim, &mut c, ticks)
        .into_iter()
        .map(|lines| {
            let mut tick = Tick {
                fix: None,
                signals: Vec::new(),
                bssids: Vec::new(),
            };
            for l in &lines {
                let f = fields(l);
                if l.starts_with(b"*GPS: ") && f[2] == "3" {
                    tick.fix = Some((f[0].parse().unwrap(), f[1].parse().unwrap()));
                } else if l.starts_with(b"*BSSID: ") {
                    tick.signals.push((f[0].clone(), f[1].parse().unwrap()));
                    tick.bssids.push(f);
                }
            }
            tick
        })
        .collect()
}

/// Ticks to go once round the built-in loop, and a few more.
fn lap() -> usize {
    (Route::builtin().length_m() / 10.0).ceil() as usize + 5
}

/// One GPS line a tick, right after TIME, with every field in the shape
/// of the real server's line (which the same pattern matches).
#[test]
fn gps_line_every_tick_in_the_real_servers_shape() {
    let shape = gps_line_shape();
    assert!(shape.is_match(REAL_GPS_LINE));
    let sim = driving(None);
    let mut c = connect(&sim, &["GPS *"]);
    let ticks = step(&sim, &mut c, 8);
    for lines in &ticks {
        assert_eq!(
            lines.len(),
            2,
            "{:?}",
            lines.iter().map(|l| text(l)).collect::<Vec<_>>()
        );
        assert!(lines[1].starts_with(b"*GPS: "), "{}", text(&lines[1]));
        assert!(shape.is_match(&lines[1]), "{:?}", text(&lines[1]));
    }
    let last = fields(&ticks[7][1]);
    assert!(last[6].split_terminator(',').count() >= 4, "{last:?}");
}

/// The GPS says -1 (connected, no data) for the first 3 ticks of the
/// server, with no position and no satellites, then 3 (3D) with a
/// position on the route, and never 0,0 with a fix.
#[test]
fn gps_fix_is_minus_1_for_3_ticks_then_3() {
    let sim = driving(None);
    let route = sim.route().expect("a route");
    // The server took its first tick when it started.
    let mut c = connect(&sim, &["GPS lat,lon,fix,satinfo"]);
    let fixes: Vec<Vec<String>> = step(&sim, &mut c, 7)
        .iter()
        .map(|lines| fields(&lines[1]))
        .collect();
    let kinds: Vec<&str> = fixes.iter().map(|f| f[2].as_str()).collect();
    assert_eq!(kinds, ["-1", "-1", "3", "3", "3", "3", "3"]);
    for f in &fixes[..2] {
        assert_eq!(f[..2], ["0.000000", "0.000000"]);
        assert_eq!(f[3], "");
    }
    for f in &fixes[2..] {
        let p = Point::new(f[0].parse().unwrap(), f[1].parse().unwrap(), 0.0);
        assert!(route.closest(&p).distance_m < 0.5, "{f:?}");
    }
}

/// The BSSID and CLIENT position fields come with 6 significant digits
/// (at longitude -122.42, 3 decimals of longitude and 4 of latitude), the
/// average as an average (not a sum), once a device was seen with a fix;
/// the best position may be 0 0 (strongest signal before the first fix).
#[test]
fn position_fields_have_6_significant_digits() {
    let names = "gpsfixed,minlat,minlon,maxlat,maxlon,bestlat,bestlon,agglat,agglon,aggpoints";
    let sim = driving(None);
    let mut c = connect(
        &sim,
        &[
            &format!("BSSID bssid,{names}"),
            &format!("CLIENT mac,{names}"),
        ],
    );
    let mut fixed = 0;
    for line in step(&sim, &mut c, 40).iter().flatten() {
        if !(line.starts_with(b"*BSSID: ") || line.starts_with(b"*CLIENT: ")) {
            continue;
        }
        let f = fields(line);
        if f[1] != "1" {
            continue;
        }
        fixed += 1;
        for (i, v) in f[2..10].iter().enumerate() {
            let x: f64 = v.parse().unwrap_or_else(|_| panic!("{}", text(line)));
            assert_eq!(*v, six_digits(x), "{}", text(line));
            // The best position is 0 0 when the strongest signal came
            // before the first fix (as on a real server).
            if (i == 4 || i == 5) && f[6..8] == ["0", "0"] {
                continue;
            }
            let lon = i % 2 == 1;
            let (lo, hi) = if lon {
                (-122.43, -122.41)
            } else {
                (37.76, 37.78)
            };
            assert!((lo..hi).contains(&x), "{}", text(line));
        }
        assert!(f[10].parse::<u64>().unwrap() > 0, "{}", text(line));
    }
    assert!(fixed > 20, "{fixed} lines with a fix");
}

/// The server's best position of each access point is the fix before the
/// one current when its strongest signal first came (it lags one fix),
/// printed with 6 significant digits.
#[test]
fn best_position_is_the_fix_before_the_strongest_signal() {
    let sim = driving(None);
    let ticks = drive(&sim, lap());
    let aps: Vec<String> = sim
        .networks()
        .iter()
        .filter(|n| n.network_type == 0)
        .map(|n| n.bssid.clone())
        .collect();
    assert_eq!(aps.len(), 6);
    for ap in &aps {
        let heard: Vec<(usize, i32)> = ticks
            .iter()
            .enumerate()
            .flat_map(|(k, t)| {
                t.signals
                    .iter()
                    .filter(|(b, _)| b == ap)
                    .map(move |&(_, s)| (k, s))
            })
            .collect();
        let max = heard.iter().map(|&(_, s)| s).max().unwrap();
        let strongest = heard.iter().find(|&&(_, s)| s == max).unwrap().0;
        let (lat, lon) = ticks[strongest - 1]
            .fix
            .expect("a fix before the strongest");
        let last = ticks
            .iter()
            .rev()
            .find_map(|t| t.bssids.iter().find(|f| f[0] == *ap))
            .unwrap();
        assert_eq!(last[2..4], [six_digits(lat), six_digits(lon)], "{ap}");
    }
}

/// The fix current when a client reads each access point's strongest
/// signal is within 15 m of where the route passes the access point
/// closest (`Sim::device_positions`), at a longitude beyond -100.
#[test]
fn strongest_signal_fix_is_within_15_m_of_the_closest_pass() {
    let sim = driving(None);
    let truth = sim.device_positions();
    let ticks = drive(&sim, lap());
    let aps: Vec<_> = truth.iter().filter(|d| d.access_point).collect();
    assert_eq!(aps.len(), 6);
    for ap in aps {
        assert!(ap.position.lon < -100.0);
        let signals = || {
            ticks.iter().flat_map(|t| {
                t.signals
                    .iter()
                    .filter(|(b, _)| *b == ap.mac)
                    .map(move |&(_, s)| (t, s))
            })
        };
        let max = signals()
            .map(|(_, s)| s)
            .max()
            .expect("heard once round the loop");
        for (t, _) in signals().filter(|&(_, s)| s == max) {
            let (lat, lon) = t.fix.expect("a fix");
            let off = Point::new(lat, lon, 0.0).distance_m(&ap.closest.point);
            assert!(off <= 15.0, "{}: {off:.1} m", ap.mac);
        }
    }
}

/// A server without GPS (`SimConfig::default()`) ACKs `ENABLE GPS` and
/// sends no GPS line, however long it runs; its devices carry no
/// position, and the truth is empty.
#[test]
fn without_gps_enable_gps_is_acked_and_no_gps_line_comes() {
    let sim = Sim::start(
        "127.0.0.1:0",
        SimConfig {
            tick: Duration::from_secs(3600),
            ..SimConfig::default()
        },
    )
    .unwrap();
    let mut c = Conn::open(sim.local_addr());
    c.greeting();
    c.send(b"!1 ENABLE GPS *\n!2 ENABLE BSSID bssid,gpsfixed,bestlat\n");
    assert_eq!(c.reply(1), [b"*ACK: 1 \x01OK\x01 \n".to_vec()]);
    c.reply(2);
    for line in step(&sim, &mut c, 10).iter().flatten() {
        assert!(!line.starts_with(b"*GPS"), "{}", text(line));
        if line.starts_with(b"*BSSID: ") {
            assert_eq!(fields(line)[1..], ["0", "0"], "{}", text(line));
        }
    }
    assert!(sim.device_positions().is_empty() && sim.route().is_none());
}

/// The binary with `args`, killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the binary with `args` to its end (bounded): exit code and stderr.
fn run_to_end(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Running(
        Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "kismet-shell {args:?} did not end"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.0.stderr.as_mut().unwrap(), &mut err).unwrap();
    (status.code(), err)
}

/// `kismet-shell sim --no-gps` is a server without GPS: ENABLE GPS is
/// ACKed, and across 10 ticks no GPS line comes.
#[test]
fn sim_binary_no_gps_sends_no_gps_line() {
    use std::io::{BufRead, BufReader};
    let mut child = Running(
        Command::new(BIN)
            .args([
                "sim",
                "--no-gps",
                "--listen",
                "127.0.0.1:0",
                "--tick-ms",
                "20",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut err = BufReader::new(child.0.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    let addr = first
        .strip_prefix("kismet-shell sim: listening on ")
        .and_then(|r| r.split(' ').next())
        .unwrap_or_else(|| panic!("{first:?}"))
        .parse()
        .unwrap();
    let mut c = Conn::open(addr);
    c.greeting();
    c.send(b"!1 ENABLE GPS *\n");
    // The ACK, perhaps after a TIME line (always on; a tick may fall in
    // between on a loaded machine), and no GPS line.
    let reply = c.reply(1);
    assert_eq!(reply.last(), Some(&b"*ACK: 1 \x01OK\x01 \n".to_vec()));
    assert!(reply.iter().all(|l| !l.starts_with(b"*GPS")), "{reply:?}");
    let mut times = 0;
    for line in c.until(|l| {
        times += usize::from(l.starts_with(b"*TIME: "));
        times >= 10
    }) {
        assert!(line.starts_with(b"*TIME: "), "{}", text(&line));
    }
}

/// A GPX track read from a file is the route the GPS drives: its fixes
/// lie on the track, and the devices stand beside it.
#[test]
fn sim_drives_a_gpx_track_read_from_a_file() {
    let dir = crate::common::temp_dir("sim-drive-gpx");
    let path = dir.join("drive.gpx");
    std::fs::write(&path, GPX_TRACK).unwrap();
    let route = Route::from_gpx(&path).unwrap();
    assert!(!route.is_loop());
    let sim = driving(Some(route.clone()));
    assert_eq!(sim.route().as_deref(), Some(&route));
    let mut c = connect(&sim, &["GPS lat,lon,fix"]);
    let fixes: Vec<Vec<String>> = step(&sim, &mut c, 20)
        .iter()
        .map(|lines| fields(&lines[1]))
        .filter(|f| f[2] == "3")
        .collect();
    assert_eq!(fixes.len(), 18);
    for f in &fixes {
        let p = Point::new(f[0].parse().unwrap(), f[1].parse().unwrap(), 0.0);
        assert!(route.closest(&p).distance_m < 0.5, "{f:?}");
    }
    for d in sim.device_positions().iter().filter(|d| d.access_point) {
        assert!(
            (5.0 - 0.5..=15.0 + 0.5).contains(&d.closest.distance_m),
            "{d:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `sim --route` with a file that is not GPX, or a GPX route of one
/// point, or no file, ends at once with a clear message naming the file
/// (no panic, no server).
#[test]
fn sim_binary_refuses_a_route_that_is_not_gpx_or_of_one_point() {
    let dir = crate::common::temp_dir("sim-drive-bad-gpx");
    let cases = [
        ("notes.gpx", "just some text\n", "not a GPX file: "),
        ("empty.gpx", "", "not a GPX file: "),
        (
            "one.gpx",
            r#"<gpx version="1.1" creator="t"><trk><trkseg><trkpt lat="37.7691" lon="-122.422"/></trkseg></trk></gpx>"#,
            "a route of one point: a route needs at least two distinct positions",
        ),
    ];
    for (name, content, want) in cases {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let path = path.to_str().unwrap();
        let (code, err) = run_to_end(&["sim", "--listen", "127.0.0.1:0", "--route", path]);
        assert_ne!(code, Some(0), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        let head = format!("kismet-shell: reading the route: {path}: {want}");
        assert!(err.starts_with(&head), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    let missing = dir.join("missing.gpx");
    let (code, err) = run_to_end(&[
        "--demo",
        "--route",
        missing.to_str().unwrap(),
        "-c",
        "protocols",
    ]);
    assert_ne!(code, Some(0), "{err}");
    assert!(err.contains("missing.gpx: No such file"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A road of about 1.3 km with a bend, driven there and back.
const GPX_TRACK: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="kismet-shell tests" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>Market Street</name><trkseg>
    <trkpt lat="37.7749" lon="-122.4194"><ele>16</ele></trkpt>
    <trkpt lat="37.7790" lon="-122.4142"><ele>18</ele></trkpt>
    <trkpt lat="37.7835" lon="-122.4080"><ele>12</ele></trkpt>
  </trkseg></trk>
</gpx>
"#;
