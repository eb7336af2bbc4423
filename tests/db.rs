//! The session database through the real path: the binary with `--db`
//! against the simulator, the file read back with SQLite itself
//! (rusqlite) and with `--open`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::batch::{json_lines, run, stderr};
use crate::common::{still_sim, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_kismet-shell");

/// How long a test waits for a database to fill.
const FILL_WAIT: Duration = Duration::from_secs(30);

/// The file, opened read-only by SQLite.
fn open(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

/// One number from a query (0 when it fails: the file may not have the
/// table yet).
fn number(path: &Path, sql: &str) -> f64 {
    let Ok(c) =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0.0;
    };
    c.query_row(sql, [], |r| r.get::<_, Option<f64>>(0))
        .ok()
        .flatten()
        .unwrap_or(0.0)
}

/// `--open FILE -c networks --format json`: the networks' BSSID, SSID,
/// channel and encryption.
fn offline_networks(db: &Path) -> Vec<(String, String, String, String)> {
    let o = run(&[
        "--open",
        db.to_str().unwrap(),
        "-c",
        "networks",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut rows: Vec<_> = json_lines(&o).iter().map(network_key).collect();
    rows.sort();
    rows
}

fn network_key(v: &serde_json::Value) -> (String, String, String, String) {
    let s = |k: &str| v[k].to_string();
    (s("bssid"), s("ssid"), s("channel"), s("encryption"))
}

/// A process following the simulator at a high packet rate with `--db`,
/// killed with SIGKILL: the file passes `PRAGMA integrity_check`, and its
/// newest observation is at most 2 s older than the kill.
#[test]
fn a_database_killed_with_sigkill_is_whole_and_at_most_2_s_behind() {
    let sim = kismet_sim::Sim::start(
        "127.0.0.1:0",
        kismet_sim::SimConfig {
            packet_rate: 2000,
            tick: Duration::from_millis(100),
            ..kismet_sim::SimConfig::default()
        },
    )
    .unwrap();
    let dir = temp_dir("db-kill");
    let db = dir.join("kill.db");
    let addr = sim.local_addr().to_string();
    let mut child = Command::new(BIN)
        .args([&addr, "--db", db.to_str().unwrap(), "--timeout", "600"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Observations coming in for a while: the last commit is recent.
    let deadline = Instant::now() + FILL_WAIT;
    while number(&db, "SELECT COUNT(*) FROM observations") < 50.0 {
        assert!(Instant::now() < deadline, "no observations written");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap();
    let killed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    child.wait().unwrap();
    let c = open(&db);
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let newest: f64 = c
        .query_row("SELECT MAX(ts) FROM observations", [], |r| r.get(0))
        .unwrap();
    assert!(
        killed - newest <= 2.0,
        "newest {newest}, killed at {killed}"
    );
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two runs with one `--db` file: two `sessions` rows; offline, the
/// networks are those the live model listed.
#[test]
fn a_second_session_extends_the_database_and_offline_networks_match_live() {
    let sim = still_sim();
    let dir = temp_dir("db-two");
    let db = dir.join("two.db");
    let addr = sim.local_addr().to_string();
    let d = db.to_str().unwrap();
    let o = run(&[&addr, "--db", d, "--timeout", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("device rows"), "{}", stderr(&o));
    let live = run(&[
        &addr, "--db", d, "--wait", "1", "-c", "networks", "--format", "json",
    ]);
    assert!(live.status.success(), "{}", stderr(&live));
    let mut live: Vec<_> = json_lines(&live).iter().map(network_key).collect();
    live.sort();
    assert!(live.len() >= 6, "{live:?}");
    let o = run(&["--open", d, "-c", "sessions", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sessions = json_lines(&o);
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    for s in &sessions {
        assert_eq!(s["type"], "session");
        assert_eq!(s["values"]["server"], addr.as_str());
        for key in ["started", "ended"] {
            let t = s["values"][key].as_str().unwrap_or_default();
            assert!(
                t.parse::<jiff::Timestamp>().is_ok() && t.ends_with('Z'),
                "{key}: {s}"
            );
        }
    }
    assert_eq!(offline_networks(&db), live);
    // The stations too, as the live model lists them.
    let live = run(&[&addr, "--wait", "1", "-c", "stations", "--format", "json"]);
    let offline = run(&["--open", d, "-c", "stations", "--format", "json"]);
    assert!(offline.status.success(), "{}", stderr(&offline));
    let macs = |o: &std::process::Output| {
        let mut m: Vec<String> = json_lines(o).iter().map(|v| v["mac"].to_string()).collect();
        m.sort();
        m
    };
    assert!(!macs(&offline).is_empty());
    assert_eq!(macs(&offline), macs(&live));
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `sql` on a database opened with `--open`: a query's rows as JSON
/// objects, numbers as numbers; a statement that would change the file
/// is refused (exit status 1), and the file is unchanged.
#[test]
fn sql_reads_and_never_writes() {
    let sim = still_sim();
    let dir = temp_dir("db-sql");
    let db = dir.join("sql.db");
    let addr = sim.local_addr().to_string();
    let d = db.to_str().unwrap();
    let o = run(&[&addr, "--db", d, "--timeout", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        "--open",
        d,
        "-c",
        "sql SELECT COUNT(*) AS n FROM networks WHERE type = 'ap'",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json_lines(&o);
    assert_eq!(rows[0]["type"], "row");
    let n = rows[0]["values"]["n"].as_i64().unwrap();
    assert!(n >= 6, "{rows:?}");
    let o = run(&["--open", d, "-c", "sql DELETE FROM networks"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        number(&db, "SELECT COUNT(*) FROM networks WHERE type = 'ap'") as i64,
        n
    );
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file that is not a database: `--db` and `--open` say so (exit
/// status 1) and leave it as it was.
#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let sim = still_sim();
    let dir = temp_dir("db-notdb");
    let path = dir.join("notes.db");
    std::fs::write(&path, "my notes, not SQLite\n".repeat(100)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let addr = sim.local_addr().to_string();
    let p = path.to_str().unwrap();
    let o = run(&[&addr, "--db", p, "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("notes.db"), "{}", stderr(&o));
    let o = run(&["--open", p, "-c", "networks"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("notes.db"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `db open FILE` and `db close` in a batch run: the session goes into the
/// file from the open, `db` and `status` say so, and the close says what
/// it wrote; the file then holds the session (ended), its networks, and a
/// message for its end.
#[test]
fn db_open_and_close_commands_keep_the_session() {
    let sim = still_sim();
    let dir = temp_dir("db-commands");
    let db = dir.join("cmd.db");
    let addr = sim.local_addr().to_string();
    let db_open = format!("db open {}", db.display());
    let o = run(&[
        &addr, "--wait", "1", "-c", &db_open, "-c", "networks", "-c", "db", "-c", "status", "-c",
        "db close",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = format!("{}{}", crate::batch::stdout(&o), stderr(&o));
    assert!(
        out.contains(&format!("keeping this session in {}", db.display())),
        "{out}"
    );
    assert!(
        out.contains(&format!("db       {}:", db.display())),
        "{out}"
    );
    assert!(out.contains(&format!("closed {}:", db.display())), "{out}");
    let c = open(&db);
    let ended: Option<i64> = c
        .query_row("SELECT ended FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert!(ended.is_some());
    let nets: i64 = c
        .query_row("SELECT COUNT(*) FROM networks WHERE type = 'ap'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(nets >= 6, "{nets}");
    let ends: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM messages WHERE kind = 'disconnected'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ends, 1);
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A second process on a file another is writing: it says the file is in
/// use (exit status 1); the first goes on, and its file stays whole.
#[test]
fn a_second_process_on_a_database_in_use_is_refused() {
    let sim = still_sim();
    let dir = temp_dir("db-in-use");
    let db = dir.join("busy.db");
    let addr = sim.local_addr().to_string();
    let d = db.to_str().unwrap();
    let mut first = Command::new(BIN)
        .args([&addr, "--db", d, "--timeout", "600"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + FILL_WAIT;
    while number(&db, "SELECT COUNT(*) FROM sessions") < 1.0 {
        assert!(
            Instant::now() < deadline,
            "the first process wrote no session"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = run(&[&addr, "--db", d, "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("in use"), "{}", stderr(&o));
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first process stopped"
    );
    first.kill().unwrap();
    first.wait().unwrap();
    let check: String = open(&db)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--replay REC --speed max --db FILE` turns a recording into a
/// database: the server is named by the recording's path, and the
/// networks are those the recording's session listed.
#[test]
fn a_recording_converted_with_speed_max_fills_a_database() {
    let sim = still_sim();
    let dir = temp_dir("db-convert");
    let rec = dir.join("session.kismet");
    let db = dir.join("converted.db");
    let addr = sim.local_addr().to_string();
    let r = rec.to_str().unwrap();
    let live = run(&[
        &addr, "--record", r, "--wait", "1", "-c", "networks", "--format", "json",
    ]);
    assert!(live.status.success(), "{}", stderr(&live));
    let mut live: Vec<_> = json_lines(&live).iter().map(network_key).collect();
    live.sort();
    sim.shutdown();
    let o = run(&[
        "--replay",
        r,
        "--speed",
        "max",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(offline_networks(&db), live);
    let server: String = open(&db)
        .query_row("SELECT server FROM sessions", [], |row| row.get(0))
        .unwrap();
    assert_eq!(server, r);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `export` on a database opened with `--open`: a netxml (which keeps
/// networks without a position, probing stations' records too, as
/// Kismet's does) holds every network the database holds.
#[test]
fn export_from_an_opened_database_writes_its_networks() {
    let sim = still_sim();
    let dir = temp_dir("db-export");
    let db = dir.join("ex.db");
    let addr = sim.local_addr().to_string();
    let d = db.to_str().unwrap();
    let o = run(&[&addr, "--db", d, "--timeout", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("all.netxml");
    let o = run(&["--open", d, "-c", &format!("export {}", out.display())]);
    assert!(o.status.success(), "{}", stderr(&o));
    let said = crate::batch::stdout(&o);
    assert!(said.contains(&format!("to {}", out.display())), "{said}");
    let text = std::fs::read_to_string(&out).unwrap();
    let networks = text.matches("<wireless-network ").count();
    assert_eq!(
        networks as i64,
        open(&db)
            .query_row("SELECT COUNT(*) FROM networks", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        "{text}"
    );
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
