//! Alerts: shown above the line being typed in the shell, listed by
//! `alerts`, and handed to `--on-alert` (JSON on stdin, `KISMET_ALERT_*`
//! in the environment) in the shell's batch runs; the simulator raising
//! them on request (`--alert-every`).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{temp_dir, Lines, WAIT};
use crate::repl::{command, exit_with_ctrl_d, output_during, shell_at, type_text, TempHistory};
use kismet_sim::{Sim, SimConfig};

/// The kinds of alert the simulator raises.
const KINDS: [&str; 5] = [
    "DEAUTHFLOOD",
    "BCASTDISCON",
    "PROBENOJOIN",
    "APSPOOF",
    "CHANCHANGE",
];

/// A simulator raising an alert every second of its clock, a second
/// being `tick`.
fn alerting_sim(name: &str, tick: Duration) -> Sim {
    Sim::start(
        "127.0.0.1:0",
        SimConfig {
            server_name: name.to_string(),
            alert_every: Some(1),
            tick,
            ..SimConfig::default()
        },
    )
    .expect("start the simulator")
}

/// An alert arriving while a command is half typed shows above the line
/// (the shell never enabled ALERT), and the typed text is intact on the
/// prompt line afterwards; `set alerts off` silences them, `set bell on`
/// rings the bell for them.
#[test]
fn repl_alert_shows_above_the_half_typed_line_and_set_alerts_off_silences_it() {
    let sim = alerting_sim("Alerting", Duration::from_millis(200));
    let addr = sim.local_addr().to_string();
    let history = TempHistory::new();
    let (mut p, prompt) = shell_at(&addr, &history.file, &[], "Alerting", None, &[]);
    type_text(&mut p, "fiel");
    for _ in 0..2 {
        let (_, found) = p
            .exp_regex(r"\[alert \d\d:\d\d:\d\d ([A-Z]+) ch \d+ [0-9A-F:]{17}\] [^\r\n]+")
            .expect("an alert line");
        assert!(
            KINDS.iter().any(|k| found.contains(k)),
            "an alert of a known kind: {found:?}"
        );
        p.exp_string(&format!("{prompt}fiel"))
            .expect("the typed text redrawn under it");
    }
    type_text(&mut p, "ds GPS\r");
    p.exp_string("GPS: ").expect("the typed line ran whole");
    p.exp_string(&prompt).unwrap();
    let out = command(&mut p, "set alerts off", &prompt);
    assert!(out.contains("alerts      off"), "{out}");
    // A line the line editor had queued before Enter shows at the next
    // prompt: one more command lets it out.
    command(&mut p, "set", &prompt);
    // Alerts come five times a second: a second of silence is theirs.
    let quiet = output_during(&mut p, Duration::from_millis(1500));
    assert!(!quiet.contains("[alert "), "{quiet:?}");
    // The bell rings for them even so, once set.
    let out = command(&mut p, "set bell on", &prompt);
    assert!(out.contains("bell        on"), "{out}");
    p.exp_string("\x07").expect("the bell");
    let listed = command(&mut p, "alerts --wide", &prompt);
    assert!(
        KINDS.iter().any(|k| listed.contains(k)),
        "alerts lists them still: {listed}"
    );
    exit_with_ctrl_d(p);
}

/// With ALERT enabled by hand, an alert shows once: as its frame line,
/// not also as a notice.
#[test]
fn repl_alert_enabled_by_hand_shows_once_as_its_frame() {
    let sim = alerting_sim("Alerting", Duration::from_millis(200));
    let addr = sim.local_addr().to_string();
    let history = TempHistory::new();
    let (mut p, prompt) = shell_at(&addr, &history.file, &[], "Alerting", None, &[]);
    let out = command(&mut p, "enable ALERT header,text", &prompt);
    assert!(out.contains("ok ("), "{out}");
    p.exp_string("ALERT header=").expect("an ALERT frame line");
    // Alerts come five times a second: a second and a half holds several.
    let seen = output_during(&mut p, Duration::from_millis(1500));
    assert!(seen.matches("ALERT header=").count() >= 2, "{seen:?}");
    assert!(!seen.contains("[alert "), "{seen:?}");
    exit_with_ctrl_d(p);
}

/// Runs the shell with `args` to the end (bounded by the `--timeout`
/// given, and by `limit`); its exit status and stderr.
fn run_to_end(args: &[&str], limit: Duration) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kismet-shell"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kismet-shell");
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("kismet-shell {args:?} did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code().unwrap_or(-1), reader.join().unwrap())
}

/// The `--on-alert` script that writes its stdin, then its
/// `KISMET_ALERT_*` variables, to `file`.
fn recording_script(file: &Path) -> String {
    let f = file.display();
    format!("cat >> '{f}'; env | grep '^KISMET_ALERT_' | sort >> '{f}'")
}

/// Checks what the recording script wrote: each alert's JSON object
/// (valid, typed, a known kind) followed by its seven variables, which
/// say the same; the number of alerts.
fn check_recorded(file: &Path) -> usize {
    let text = std::fs::read_to_string(file).expect("the script wrote its file");
    let lines: Vec<&str> = text.lines().collect();
    let mut alerts = 0;
    let mut i = 0;
    while i < lines.len() {
        let v: Value = serde_json::from_str(lines[i])
            .unwrap_or_else(|e| panic!("not JSON: {:?}: {e}\n{text}", lines[i]));
        assert_eq!(v["type"], "alert", "{v}");
        let header = v["header"].as_str().expect("a header");
        assert!(KINDS.contains(&header), "{header}");
        assert!(v["channel"].is_u64(), "{v}");
        let time = v["time"].as_str().expect("a time");
        assert!(time.ends_with('Z') && time.contains('T'), "{time}");
        let env: Vec<&str> = lines[i + 1..].iter().take(7).copied().collect();
        let var = |name: &str| {
            env.iter()
                .find_map(|l| l.strip_prefix(&format!("KISMET_ALERT_{name}=")))
                .unwrap_or_else(|| panic!("KISMET_ALERT_{name} in {env:?}"))
                .to_string()
        };
        assert_eq!(var("TYPE"), header);
        assert_eq!(var("TIME"), time);
        assert_eq!(var("BSSID"), v["bssid"].as_str().unwrap());
        assert_eq!(var("SOURCE"), v["source"].as_str().unwrap());
        assert_eq!(var("DEST"), v["dest"].as_str().unwrap());
        assert_eq!(var("CHANNEL"), v["channel"].to_string());
        assert_eq!(var("TEXT"), v["text"].as_str().unwrap());
        alerts += 1;
        i += 8;
    }
    alerts
}

/// `ADDR --on-alert CMD --timeout SECS` (no shell): each new alert's
/// command gets the alert as JSON on its stdin and in its environment.
#[test]
fn on_alert_with_timeout_gets_json_on_stdin_and_env() {
    let sim = alerting_sim("Alerting", Duration::from_millis(100));
    let dir = temp_dir("on-alert-timeout");
    let file = dir.join("alerts.txt");
    let script = recording_script(&file);
    let addr = sim.local_addr().to_string();
    let args = [
        addr.as_str(),
        "--on-alert",
        &script,
        "--on-alert-jobs",
        "1",
        "--timeout",
        "1.5",
    ];
    let (code, stderr) = run_to_end(&args, WAIT * 4);
    assert_eq!(code, 0, "{stderr}");
    assert!(check_recorded(&file) >= 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--on-alert` with `--follow`: the frames are followed, and each new
/// alert's command gets it as JSON on its stdin and in its environment.
#[test]
fn on_alert_with_follow_gets_json_on_stdin_and_env() {
    let sim = alerting_sim("Alerting", Duration::from_millis(100));
    let dir = temp_dir("on-alert-follow");
    let file = dir.join("alerts.txt");
    let script = recording_script(&file);
    let addr = sim.local_addr().to_string();
    let args = [
        addr.as_str(),
        "-c",
        "enable TIME timesec",
        "--follow",
        "--timeout",
        "1.5",
        "--on-alert",
        &script,
        "--on-alert-jobs",
        "1",
    ];
    let (code, stderr) = run_to_end(&args, WAIT * 4);
    assert_eq!(code, 0, "{stderr}");
    assert!(check_recorded(&file) >= 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A command that fails is reported on stderr with its name, its exit
/// status and the alert it ran for; the run goes on.
#[test]
fn on_alert_failure_is_reported_with_the_command_name() {
    let sim = alerting_sim("Alerting", Duration::from_millis(100));
    let addr = sim.local_addr().to_string();
    let args = [
        addr.as_str(),
        "--on-alert",
        "false-alarm-script 2>/dev/null; exit 3",
        "--timeout",
        "1",
    ];
    let (code, stderr) = run_to_end(&args, WAIT * 4);
    assert_eq!(code, 0, "{stderr}");
    let failed = stderr
        .lines()
        .filter(|l| {
            l.starts_with(
                "kismet-shell: --on-alert: false-alarm-script: exited with status 3 (for ",
            )
        })
        .count();
    assert!(failed >= 1, "{stderr}");
}

/// `kismet-shell sim --alert-every 1`, then `alerts --format json`: one
/// typed JSON object per alert, each of a kind the legacy server raises.
#[test]
fn alerts_json_after_sim_alert_every_parses() {
    let mut sim = Command::new(env!("CARGO_BIN_EXE_kismet-shell"))
        .args(["sim", "--listen", "127.0.0.1:0", "--alert-every", "1"])
        .args(["--tick-ms", "100"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the simulator");
    let log = Lines::of(sim.stderr.take().unwrap());
    let listening = log.until("the listening line", |l| l.contains("listening on "));
    let addr = listening
        .last()
        .and_then(|l| l.split("listening on ").nth(1))
        .and_then(|l| l.split_whitespace().next())
        .expect("the address")
        .to_string();
    let deadline = Instant::now() + WAIT * 2;
    let objects = loop {
        let out = Command::new(env!("CARGO_BIN_EXE_kismet-shell"))
            .args([addr.as_str(), "-c", "alerts", "--format", "json"])
            .output()
            .expect("run alerts");
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        let objects: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
            .collect();
        if objects.len() >= 3 || Instant::now() > deadline {
            break objects;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = sim.kill();
    let _ = sim.wait();
    assert!(objects.len() >= 3, "{objects:?}");
    for v in &objects {
        assert_eq!(v["type"], "alert");
        assert!(KINDS.contains(&v["header"].as_str().unwrap()), "{v}");
        assert!(v["channel"].is_u64() && v["time"].is_string(), "{v}");
        assert!(v["text"].as_str().is_some_and(|t| !t.is_empty()), "{v}");
    }
}

/// `--on-alert` over two servers, with `--timeout` and no commands: each
/// server's alerts reach the one command, each JSON object with its
/// server first and `KISMET_ALERT_SERVER` saying the same.
#[test]
fn on_alert_over_two_servers_names_each_alerts_server() {
    let (a, b) = (
        alerting_sim("Alerting", Duration::from_millis(100)),
        alerting_sim("Alerting", Duration::from_millis(100)),
    );
    let dir = temp_dir("on-alert-fleet");
    let (json, servers) = (dir.join("alerts.json"), dir.join("servers.txt"));
    let script = format!(
        "cat >> '{}'; echo \"$KISMET_ALERT_SERVER\" >> '{}'",
        json.display(),
        servers.display()
    );
    let specs = [
        format!("one={}", a.local_addr()),
        format!("two={}", b.local_addr()),
    ];
    let args = [
        &specs[0],
        &specs[1],
        "--on-alert",
        &script,
        "--timeout",
        "2.5",
    ];
    let (code, stderr) = run_to_end(&args, WAIT * 4);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&json).expect("the script wrote its file");
    let mut named: Vec<String> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
            assert_eq!(v["type"], "alert", "{v}");
            assert!(l.starts_with("{\"server\":"), "{l}");
            v["server"].as_str().unwrap().to_string()
        })
        .collect();
    let mut env: Vec<String> = std::fs::read_to_string(&servers)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    named.sort();
    env.sort();
    assert_eq!(named, env);
    named.dedup();
    assert_eq!(named, ["one", "two"]);
    let _ = std::fs::remove_dir_all(&dir);
}
