//! Exports through the real path: the binary against the simulator (or a
//! replay of a recording), the files read back with real parsers (csv,
//! serde_json, an XML reader, the gpx crate).
//!
//! The simulator's drive is stepped by hand: the test knows every tick the
//! binary saw by the track in the file it writes every second.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kismet_sim::{Point, Route, Sim, SimConfig};

use crate::batch::{run, stderr};
use crate::common::temp_dir;

const BIN: &str = env!("CARGO_BIN_EXE_kismet-shell");

/// The longest a drive's files take to show its last tick.
const DRIVE_WAIT: Duration = Duration::from_secs(60);

/// A simulator with its GPS on, standing still until stepped.
fn stepped_sim() -> Sim {
    Sim::start(
        "127.0.0.1:0",
        SimConfig {
            gps: true,
            tick: Duration::from_secs(3600),
            ..SimConfig::default()
        },
    )
    .unwrap()
}

/// The GeoJSON export at `path`, once it parses.
fn geojson(path: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// The points of the track in a GeoJSON export.
fn track_points(doc: &serde_json::Value) -> u64 {
    doc["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["properties"]["kind"] == "track")
        .map(|f| f["properties"]["points"].as_u64().unwrap_or(0))
        .sum()
}

/// Sends SIGINT to the child (as Ctrl-C does) and waits for it.
fn interrupt(child: &mut Child) -> std::process::Output {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + DRIVE_WAIT;
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "still running after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = Vec::new();
    let mut err = Vec::new();
    use std::io::Read;
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    child.stderr.take().unwrap().read_to_end(&mut err).unwrap();
    std::process::Output {
        status: child.try_wait().unwrap().unwrap(),
        stdout: out,
        stderr: err,
    }
}

/// Drives the simulator's built-in loop (one lap and a little) with the
/// binary collecting (`--export` of `dir/live.geojson` every second, and
/// `extra`), then ends it with SIGINT; its output.
fn drive(sim: &Sim, dir: &Path, extra: &[&str]) -> std::process::Output {
    let live = dir.join("live.geojson");
    let addr = sim.local_addr().to_string();
    let mut args = vec![
        addr.as_str(),
        "--export",
        live.to_str().unwrap(),
        "--export-every",
        "1",
        "--timeout",
        "600",
    ];
    args.extend(extra);
    let mut child = Command::new(BIN)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first write says the model is running: the drive may start.
    let deadline = Instant::now() + DRIVE_WAIT;
    while geojson(&live).is_none() {
        assert!(Instant::now() < deadline, "no export written");
        std::thread::sleep(Duration::from_millis(20));
    }
    let ticks = (Route::builtin().length_m() / 10.0).ceil() as u64 + 5;
    for _ in 0..ticks {
        sim.step();
    }
    // Each tick with a fix (the GPS has no data for its first ticks)
    // moves it 10 m: a point of the track each.
    let with_fix = ticks - kismet_sim::NO_DATA_TICKS;
    while geojson(&live).map_or(0, |d| track_points(&d)) < with_fix {
        assert!(
            Instant::now() < deadline,
            "the drive's ticks did not all arrive"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    interrupt(&mut child)
}

/// `[lon, lat]` of a GeoJSON point feature.
fn lon_lat(feature: &serde_json::Value) -> (f64, f64) {
    let c = &feature["geometry"]["coordinates"];
    (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
}

/// The network features of a GeoJSON export, by BSSID.
fn networks(doc: &serde_json::Value) -> Vec<(String, (f64, f64))> {
    let mut found: Vec<(String, (f64, f64))> = doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["kind"] == "network")
        .map(|f| {
            (
                f["properties"]["bssid"].as_str().unwrap().to_string(),
                lon_lat(f),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// The BSSID a GPX waypoint's description names (`BSSID AA:...;`).
fn bssid_of_desc(desc: &str) -> Option<String> {
    let at = desc.find("BSSID ")? + "BSSID ".len();
    Some(desc.get(at..at + 17)?.to_string())
}

/// Checks every access point's exported position (`lat`, `lon` by BSSID)
/// against where the route passes it closest: within 15 m, at a longitude
/// beyond -100.
fn assert_within_15_m(sim: &Sim, what: &str, found: &[(String, (f64, f64))]) {
    let aps: Vec<_> = (sim.device_positions().into_iter())
        .filter(|d| d.access_point)
        .collect();
    assert_eq!(aps.len(), 6);
    for ap in aps {
        assert!(ap.position.lon < -100.0);
        let (lat, lon) = found
            .iter()
            .find(|(mac, _)| *mac == ap.mac)
            .map(|(_, p)| *p)
            .unwrap_or_else(|| panic!("{what}: {} not exported", ap.mac));
        let off = Point::new(lat, lon, 0.0).distance_m(&ap.closest.point);
        assert!(
            off <= 15.0,
            "{what}: {} at {lat},{lon} is {off:.1} m off",
            ap.mac
        );
    }
}

/// The records (elements named `record`) of an XML document, each as
/// the text of the elements inside it (the first of each name: a
/// network's own, not its clients'), with `@name` for the attributes of
/// the record and of its elements.
fn xml_records(text: &str, record: &str) -> Vec<std::collections::HashMap<String, String>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut records = Vec::new();
    let mut current: Option<std::collections::HashMap<String, String>> = None;
    let mut open: Vec<String> = Vec::new();
    // Elements whose first occurrence in the record has ended.
    let mut done: std::collections::HashSet<String> = Default::default();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if name == record {
                    current = Some(Default::default());
                    done.clear();
                }
                if let Some(map) = current.as_mut() {
                    for a in e.attributes() {
                        let a = a.unwrap();
                        let key = format!("@{}", String::from_utf8_lossy(a.key.as_ref()));
                        let value = a.unescape_value().unwrap().into_owned();
                        map.entry(key).or_insert(value);
                    }
                }
                open.push(name);
            }
            Event::Text(t) => {
                if let (Some(map), Some(name)) = (current.as_mut(), open.last()) {
                    if !done.contains(name) {
                        let text = t.decode().unwrap();
                        map.entry(name.clone()).or_default().push_str(&text);
                    }
                }
            }
            Event::GeneralRef(r) => {
                if let (Some(map), Some(name)) = (current.as_mut(), open.last()) {
                    if done.contains(name) {
                        continue;
                    }
                    let entity = r.decode().unwrap();
                    let ch = quick_xml::escape::resolve_predefined_entity(&entity).unwrap_or("?");
                    map.entry(name.clone()).or_default().push_str(ch);
                }
            }
            Event::End(e) => {
                done.extend(open.pop());
                if e.local_name().as_ref() == record.as_bytes() {
                    records.extend(current.take());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    records
}

/// `--export` on the simulator's drive, ended by Ctrl-C: the files are
/// written on the way out, and every access point's best position is
/// within 15 m of where the route passes it closest, at a longitude
/// beyond -100, in every format as its own reader takes it: GeoJSON
/// `[lon, lat]`, WiGLE CSV (`--export-best`: one row per network,
/// latitude before longitude), KML `lon,lat,alt`, GPX `lat` and `lon`
/// attributes (read by the gpx crate), netxml `peak-lat` and `peak-lon`.
#[test]
fn exported_best_positions_on_the_drive_are_within_15_m_of_the_closest_pass() {
    let sim = stepped_sim();
    let dir = temp_dir("export-drive");
    let csv_path = dir.join("wigle.csv");
    let (kml, gpx, netxml) = (dir.join("d.kml"), dir.join("d.gpx"), dir.join("d.netxml"));
    let o = drive(
        &sim,
        &dir,
        &[
            "--export",
            csv_path.to_str().unwrap(),
            "--export-best",
            "--export",
            kml.to_str().unwrap(),
            "--export",
            gpx.to_str().unwrap(),
            "--export",
            netxml.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("wrote 6 networks to"), "{err}");
    let doc = geojson(&dir.join("live.geojson")).unwrap();
    let found: Vec<(String, (f64, f64))> = networks(&doc)
        .into_iter()
        .map(|(mac, (lon, lat))| (mac, (lat, lon)))
        .collect();
    assert_within_15_m(&sim, "geojson", &found);
    // WiGLE: the pre-header, then a CSV the csv crate reads.
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let (pre, body) = text.split_once("\r\n").unwrap();
    assert!(pre.starts_with("WigleWifi-1.6,"), "{pre}");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(reader.headers().unwrap().len(), 14);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let found: Vec<(String, (f64, f64))> = rows
        .iter()
        .map(|r| {
            (
                r[0].to_string(),
                (r[7].parse().unwrap(), r[8].parse().unwrap()),
            )
        })
        .collect();
    assert_within_15_m(&sim, "wigle", &found);
    // KML: a placemark per network, its BSSID in the description.
    let text = std::fs::read_to_string(&kml).unwrap();
    let bssid = regex::Regex::new(r"BSSID: ([0-9A-F:]{17})").unwrap();
    let found: Vec<(String, (f64, f64))> = xml_records(&text, "Placemark")
        .iter()
        .filter(|p| p.contains_key("Point") || p.contains_key("coordinates"))
        .filter_map(|p| {
            let mac = bssid.captures(p.get("description")?)?[1].to_string();
            let c: Vec<f64> = (p["coordinates"].trim().split(','))
                .map(|v| v.parse().unwrap())
                .collect();
            Some((mac, (c[1], c[0])))
        })
        .collect();
    assert_within_15_m(&sim, "kml", &found);
    // GPX, read by the gpx crate: a waypoint per network.
    let doc = gpx::read(std::fs::File::open(&gpx).unwrap()).unwrap();
    let found: Vec<(String, (f64, f64))> = doc
        .waypoints
        .iter()
        .filter_map(|w| {
            let mac = bssid_of_desc(w.description.as_deref()?)?;
            Some((mac, (w.point().y(), w.point().x())))
        })
        .collect();
    assert_within_15_m(&sim, "gpx", &found);
    assert!(!doc.tracks.is_empty());
    // netxml: each network's peak (best) position.
    let text = std::fs::read_to_string(&netxml).unwrap();
    let found: Vec<(String, (f64, f64))> = xml_records(&text, "wireless-network")
        .iter()
        .filter_map(|n| {
            let lat = n.get("peak-lat")?.parse().unwrap();
            let lon = n.get("peak-lon")?.parse().unwrap();
            Some((n["BSSID"].clone(), (lat, lon)))
        })
        .collect();
    assert_within_15_m(&sim, "netxml", &found);
    // No temporary file is left beside them.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["d.gpx", "d.kml", "d.netxml", "live.geojson", "wigle.csv"]
    );
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A drive recorded with `--record`, converted with `--replay REC --speed
/// max --export`: the converted file holds the same networks at the same
/// positions as the one written live.
#[test]
fn a_recording_converted_with_speed_max_exports_what_the_live_run_did() {
    let sim = stepped_sim();
    let dir = temp_dir("export-convert");
    let rec = dir.join("drive.kismet");
    let o = drive(&sim, &dir, &["--record", rec.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    sim.shutdown();
    let live = networks(&geojson(&dir.join("live.geojson")).unwrap());
    assert_eq!(live.len(), 6, "{live:?}");
    let converted = dir.join("converted.geojson");
    let o = run(&[
        "--replay",
        rec.to_str().unwrap(),
        "--speed",
        "max",
        "--export",
        converted.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("wrote 6 networks to"), "{}", stderr(&o));
    assert_eq!(networks(&geojson(&converted).unwrap()), live);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An export path in a directory that does not exist: said at once,
/// before collecting, exit status 1, and no file made.
#[test]
fn an_unwritable_export_path_fails_at_once_with_status_1() {
    let sim = crate::common::still_sim();
    let dir = temp_dir("export-unwritable");
    let path: PathBuf = dir.join("missing").join("out.kml");
    let addr = sim.local_addr().to_string();
    let o = run(&[&addr, "--export", path.to_str().unwrap(), "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("missing/out.kml"), "{err}");
    assert!(err.contains("No such file or directory"), "{err}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    // A name of no format: the formats are named.
    let o = run(&[&addr, "--export", "out.txt", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(".kml"), "{}", stderr(&o));
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `export` command of a batch run on a server without GPS: nothing
/// has a position, so the map formats hold no network and say how many
/// were left out; the file still parses.
#[test]
fn export_command_without_gps_leaves_every_network_out_and_says_so() {
    let sim = crate::common::still_sim();
    let dir = temp_dir("export-command");
    let path = dir.join("out.geojson");
    let addr = sim.local_addr().to_string();
    let command = format!("export {}", path.display());
    let o = run(&[&addr, "--wait", "1", "-c", &command]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = geojson(&path).unwrap();
    assert_eq!(doc["features"].as_array().unwrap().len(), 0);
    let said = format!("{}{}", crate::batch::stdout(&o), stderr(&o));
    let left_out =
        regex::Regex::new(r"wrote 0 networks to .* \((\d+) without a position left out\)").unwrap();
    let n: usize = left_out.captures(&said).unwrap_or_else(|| panic!("{said}"))[1]
        .parse()
        .unwrap();
    assert!(n >= 6, "{said}");
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--export FILE --timeout SECS` without commands collects for SECS,
/// writes the file (read back by the gpx crate), says so and exits 0;
/// `--timeout` with neither `--follow` nor `--export` is refused.
#[test]
fn export_with_timeout_collects_writes_and_exits_zero() {
    let sim = crate::common::still_sim();
    let dir = temp_dir("export-timeout");
    let path = dir.join("out.gpx");
    let addr = sim.local_addr().to_string();
    let o = run(&[&addr, "--export", path.to_str().unwrap(), "--timeout", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("wrote 0 networks to"), "{}", stderr(&o));
    let doc = gpx::read(std::fs::File::open(&path).unwrap()).unwrap();
    assert!(doc.waypoints.is_empty());
    let o = run(&[&addr, "--timeout", "1", "-c", "status"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--timeout needs --follow"),
        "{}",
        stderr(&o)
    );
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
