//! `--on-alert CMD`: a command run for each new alert, with the alert as
//! a JSON object (and a newline) on its stdin and in `KISMET_ALERT_*`
//! environment variables: a mail or notification script.
//!
//! The command runs with `sh -c CMD`. Whoever finds a new alert hands it
//! over with [`Hook::send`], which never waits: the alerts go through a
//! bounded queue ([`QUEUE`]) to a thread of their own, which runs at most
//! `jobs` commands at once; past the queue, alerts are dropped and
//! counted. A command that fails to start, exits non-zero, or runs longer
//! than [`RUN_LIMIT`] (it is killed) is reported through the `report`
//! callback, named by its first word. [`Hook::finish`] waits (a bounded
//! time) for the commands running and queued, so the last alert's script
//! is not cut off at exit.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender, TrySendError};
use parking_lot::Mutex;

use super::render::alerts::{alert_clock, alert_json, alert_millis};
use super::render::json::with_server_first;
use super::render::time::rfc3339_ms;
use kismet_client::Alert;
use kismet_protocol::text;

/// An alert waiting for its command, with its server's name (several
/// servers).
type Queued = (Alert, Option<Arc<str>>);

/// Alerts waiting for a free slot; past it, new ones are dropped.
pub const QUEUE: usize = 100;

/// Longest a command may run; then it is killed and reported.
pub const RUN_LIMIT: Duration = Duration::from_secs(60);

/// How often the runner looks at its commands.
const POLL: Duration = Duration::from_millis(20);

/// How long the end of a run waits for the commands still running or
/// queued.
pub const EXIT_WAIT: Duration = Duration::from_secs(10);

/// `--on-alert CMD` and `--on-alert-jobs N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnAlert {
    /// The command, for `sh -c`.
    pub cmd: String,
    /// Most commands running at once.
    pub jobs: usize,
}

/// Where a failure is said (the shell's scroll area, or stderr).
pub type Report = Box<dyn Fn(&str) + Send>;

/// The `--on-alert` runner (see the module docs).
pub struct Hook {
    tx: Mutex<Option<Sender<Queued>>>,
    dropped: Arc<AtomicU64>,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// The command's name in reports.
    name: String,
}

/// The environment a command gets for an alert: `KISMET_ALERT_TYPE`,
/// `_BSSID`, `_SOURCE`, `_DEST`, `_CHANNEL`, `_TEXT`, `_TIME` (RFC 3339
/// UTC); empty for what the server did not send. Values are sanitised
/// (no control characters).
pub fn alert_env(a: &Alert) -> Vec<(&'static str, String)> {
    let v = |x: &Option<String>| {
        x.as_deref()
            .map_or(String::new(), |t| text::display(t.as_bytes()))
    };
    let ms = alert_millis(a);
    vec![
        ("KISMET_ALERT_TYPE", v(&a.header)),
        ("KISMET_ALERT_BSSID", v(&a.bssid)),
        ("KISMET_ALERT_SOURCE", v(&a.source)),
        ("KISMET_ALERT_DEST", v(&a.dest)),
        (
            "KISMET_ALERT_CHANNEL",
            a.channel.map_or(String::new(), |c| c.to_string()),
        ),
        ("KISMET_ALERT_TEXT", v(&a.text)),
        (
            "KISMET_ALERT_TIME",
            if ms > 0 {
                rfc3339_ms(ms)
            } else {
                String::new()
            },
        ),
    ]
}

/// An alert's JSON object with `"server":"NAME"` first, when given.
fn with_server(json: String, server: Option<&str>) -> String {
    server
        .and_then(|name| with_server_first(&json, name))
        .unwrap_or(json)
}

/// The command's name in reports: its first word, sanitised.
fn command_name(cmd: &str) -> String {
    let first = cmd.split_whitespace().next().unwrap_or("");
    text::abbreviate(&text::display(first.as_bytes()))
}

impl Hook {
    /// Starts the runner of `cmd`, at most `jobs` (at least 1) at a time;
    /// failures go to `report`.
    ///
    /// # Errors
    /// The runner's thread cannot be started.
    pub fn start(cmd: &str, jobs: usize, report: Report) -> std::io::Result<Hook> {
        let (tx, rx) = bounded(QUEUE);
        let name = command_name(cmd);
        let runner = Runner {
            cmd: cmd.to_string(),
            name: name.clone(),
            jobs: jobs.max(1),
            running: Vec::new(),
            report,
        };
        let thread = thread::Builder::new()
            .name("kismet-on-alert".into())
            .spawn(move || runner.run(rx))?;
        Ok(Hook {
            tx: Mutex::new(Some(tx)),
            dropped: Arc::new(AtomicU64::new(0)),
            thread: Mutex::new(Some(thread)),
            name,
        })
    }

    /// Hands an alert over; never waits. False (and counted) when the
    /// queue is full.
    pub fn send(&self, alert: Alert) -> bool {
        self.send_from(alert, None)
    }

    /// [`Hook::send`] for an alert of the server named `server` (several
    /// servers): the command gets `"server"` first in the JSON object and
    /// `KISMET_ALERT_SERVER`.
    pub fn send_from(&self, alert: Alert, server: Option<Arc<str>>) -> bool {
        let tx = self.tx.lock();
        let Some(tx) = tx.as_ref() else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        };
        match tx.try_send((alert, server)) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }

    /// Alerts not handed to the command: the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Takes no more alerts, and waits up to `limit` for the commands
    /// running and queued to end (those still running then are left to
    /// finish on their own); says how many alerts were dropped, if any,
    /// through `report`.
    pub fn finish(&self, limit: Duration, report: &dyn Fn(&str)) {
        drop(self.tx.lock().take());
        let thread = self.thread.lock().take();
        if let Some(t) = thread {
            let until = Instant::now() + limit;
            while !t.is_finished() && Instant::now() < until {
                thread::sleep(POLL);
            }
            if t.is_finished() {
                let _ = t.join();
            } else {
                report(&format!(
                    "--on-alert: {}: still running at exit, not waited for",
                    self.name
                ));
            }
        }
        let dropped = self.dropped();
        if dropped > 0 {
            report(&format!(
                "--on-alert: {}: {dropped} alerts dropped (more than {QUEUE} waiting)",
                self.name
            ));
        }
    }
}

/// A command running for an alert.
struct Running {
    child: Child,
    started: Instant,
    /// The alert's type and time, for reports.
    about: String,
}

/// The runner thread's state.
struct Runner {
    cmd: String,
    name: String,
    jobs: usize,
    running: Vec<Running>,
    report: Report,
}

impl Runner {
    /// Runs commands for the alerts until the channel closes and every
    /// command ended.
    fn run(mut self, rx: Receiver<Queued>) {
        let mut open = true;
        while open || !self.running.is_empty() {
            self.reap();
            if !open || self.running.len() >= self.jobs {
                thread::sleep(POLL);
                continue;
            }
            match rx.recv_timeout(POLL) {
                Ok((alert, server)) => self.spawn(&alert, server.as_deref()),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => open = false,
            }
        }
    }

    /// Starts the command for `alert` (of `server`, with several), its
    /// JSON on stdin.
    fn spawn(&mut self, alert: &Alert, server: Option<&str>) {
        let about = format!(
            "{} at {}",
            alert
                .header
                .as_deref()
                .map_or("alert".to_string(), |h| text::display(h.as_bytes())),
            alert_clock(alert)
        );
        let child = Command::new("sh")
            .arg("-c")
            .arg(&self.cmd)
            .envs(alert_env(alert))
            .envs(server.map(|n| ("KISMET_ALERT_SERVER", text::display(n.as_bytes()))))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                (self.report)(&format!(
                    "--on-alert: {}: could not start for {about}: {}",
                    self.name,
                    super::outcome::without_os_codes(&e.to_string())
                ));
                return;
            }
        };
        if let Some(mut stdin) = child.stdin.take() {
            // On a thread of its own: a command that does not read its
            // stdin must not hold up the runner (an alert's text may be
            // longer than a pipe holds). One that closes it: no error.
            let json = with_server(alert_json(alert), server) + "\n";
            let _ = thread::Builder::new()
                .name("kismet-on-alert-stdin".into())
                .spawn(move || {
                    let _ = stdin.write_all(json.as_bytes());
                });
        }
        self.running.push(Running {
            child,
            started: Instant::now(),
            about,
        });
    }

    /// Collects the commands that ended, reporting failures; kills those
    /// past [`RUN_LIMIT`].
    fn reap(&mut self) {
        let mut i = 0;
        while i < self.running.len() {
            let r = &mut self.running[i];
            let failure = match r.child.try_wait() {
                Ok(Some(status)) if status.success() => Some(None),
                Ok(Some(status)) => Some(Some(match status.code() {
                    Some(code) => format!("exited with status {code}"),
                    None => "was killed by a signal".to_string(),
                })),
                Ok(None) if r.started.elapsed() >= RUN_LIMIT => {
                    let _ = r.child.kill();
                    let _ = r.child.wait();
                    Some(Some(format!(
                        "ran longer than {} s: killed",
                        RUN_LIMIT.as_secs()
                    )))
                }
                Ok(None) => None,
                Err(e) => Some(Some(super::outcome::without_os_codes(&e.to_string()))),
            };
            match failure {
                None => i += 1,
                Some(why) => {
                    let r = self.running.swap_remove(i);
                    if let Some(why) = why {
                        (self.report)(&format!(
                            "--on-alert: {}: {why} (for {})",
                            self.name, r.about
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(n: i64) -> Alert {
        Alert {
            time: 1_795_678_119.5,
            header: Some("APSPOOF".into()),
            bssid: Some("00:14:6C:A1:00:01".into()),
            source: None,
            dest: None,
            text: Some(format!("spoof {n}\x1b")),
            channel: Some(n),
            at: None,
        }
    }

    /// The environment names every field, sanitised, empty when unsent.
    #[test]
    fn alert_env_names_every_field() {
        let env = alert_env(&alert(6));
        let get = |k: &str| env.iter().find(|(n, _)| *n == k).unwrap().1.clone();
        assert_eq!(get("KISMET_ALERT_TYPE"), "APSPOOF");
        assert_eq!(get("KISMET_ALERT_CHANNEL"), "6");
        assert_eq!(get("KISMET_ALERT_SOURCE"), "");
        assert_eq!(get("KISMET_ALERT_TEXT"), "spoof 6\\x1b");
        assert_eq!(get("KISMET_ALERT_TIME"), "2026-11-26T07:28:39.500Z");
    }

    /// Past `jobs` running and the queue full, alerts are dropped and
    /// counted, never waited for; a failing command is reported with its
    /// name and status; finish waits for what runs.
    #[test]
    fn hook_bounds_its_queue_and_reports_failures() {
        let said = Arc::new(Mutex::new(Vec::<String>::new()));
        let s = said.clone();
        let hook = Hook::start(
            "sleep 0.05; exit 3",
            2,
            Box::new(move |m| s.lock().push(m.to_string())),
        )
        .unwrap();
        // Sent faster than two commands at a time can take them: send
        // never waits for a slot, past the queue it drops.
        let sent = (0..(QUEUE as i64 + 50))
            .filter(|&n| hook.send(alert(n)))
            .count();
        assert!(sent <= QUEUE + 2 && hook.dropped() >= 48, "{sent}");
        let s2 = said.clone();
        // Stop the flood: the few running are waited for, the rest (still
        // queued) take their turn until the limit (a loaded machine's).
        hook.finish(Duration::from_secs(20), &move |m| {
            s2.lock().push(m.to_string())
        });
        let said = said.lock();
        assert!(
            said.iter()
                .any(|m| m.starts_with("--on-alert: sleep: exited with status 3 (for APSPOOF")),
            "{said:?}"
        );
        assert!(
            said.iter().any(|m| m.contains("alerts dropped")),
            "{said:?}"
        );
    }
}
