//! Alerts in the shell and in batch runs: the `alerts` command, the feed
//! of new alerts ([`AlertFeed`]), and what a new one sets off
//! ([`Announcer`]): a line above the prompt, the terminal bell, and the
//! `--on-alert` command ([`super::hook`]).
//!
//! The alerts the server replays when the shell subscribes to ALERT (it
//! sends the ones it keeps to each new subscriber) are listed by `alerts`
//! but are not new: they are neither shown above the prompt nor handed to
//! `--on-alert`. So is a replay after a reconnect (the model keeps an
//! alert once), and the backlog of a server connected to with `connect`.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::handlers::Handled;
use super::hook::Hook;
use super::outcome::{Outcome, ShellError};
use super::render::alerts::alert_notice;
use super::session::Session;
use kismet_client::{Alert, Model};

/// Least time between two rings of the bell.
pub const BELL_EVERY: Duration = Duration::from_secs(1);

/// How often a batch run looks for new alerts.
const POLL: Duration = Duration::from_millis(100);

/// `alerts`: the alerts kept so far (the model asks for ALERT the first
/// time, and the server answers with those it holds).
pub fn list(session: &Session) -> Handled {
    if session.alerts_model().is_none() && !session.start_alerts()? {
        return Err(ShellError::Usage(
            "this server has no ALERT protocol: it raises no alerts".into(),
        ));
    }
    let model = session
        .alerts_model()
        .ok_or_else(|| ShellError::Failed("the alerts are not kept".into()))?;
    Ok(Outcome::Alerts(model.alerts()))
}

/// The alerts new since the last look (see the module docs for which are
/// new).
#[derive(Default)]
pub struct AlertFeed {
    model: Option<Arc<Model>>,
    next: u64,
}

impl AlertFeed {
    /// A feed for which every alert kept so far is old.
    pub fn primed(session: &Session) -> AlertFeed {
        let mut feed = AlertFeed::default();
        feed.poll(session);
        feed
    }

    /// The alerts that came since the last call, oldest first.
    pub fn poll(&mut self, session: &Session) -> Vec<Alert> {
        let Some(model) = session.alerts_model() else {
            return Vec::new();
        };
        if !self.model.as_ref().is_some_and(|m| Arc::ptr_eq(m, &model)) {
            // A model not seen before (the first, or another server's):
            // what it holds came in answer to its subscription.
            self.next = model.alert_count();
            self.model = Some(model);
            return Vec::new();
        }
        let (new, next) = model.alerts_since(self.next);
        self.next = next;
        new
    }
}

/// What a new alert sets off in the interactive shell: its line above the
/// prompt (unless `set alerts off`, or the user enabled ALERT and sees
/// its frames anyway), the bell (`set bell on`, at most once every
/// [`BELL_EVERY`], only on a terminal), and the `--on-alert` command.
pub struct Announcer {
    feed: AlertFeed,
    last_bell: Option<Instant>,
    hook: Option<Arc<Hook>>,
    /// Stdout is a terminal: the bell may ring.
    terminal: bool,
}

impl Announcer {
    /// An announcer for the alerts new from now on.
    pub fn new(session: &Session, hook: Option<Arc<Hook>>) -> Announcer {
        Announcer {
            feed: AlertFeed::primed(session),
            last_bell: None,
            hook,
            terminal: std::io::stdout().is_terminal(),
        }
    }

    /// Looks for new alerts; the lines to show above the prompt.
    pub fn tick(&mut self, session: &Session) -> Vec<String> {
        let new = self.feed.poll(session);
        if new.is_empty() {
            return Vec::new();
        }
        let settings = session.settings();
        let user_sees =
            (session.client().subscriptions().iter()).any(|(p, _)| p.eq_ignore_ascii_case("ALERT"));
        let lines = if settings.alerts && !user_sees {
            let width = super::render::layout::terminal_width();
            new.iter()
                .map(|a| alert_notice(a, settings.color, width))
                .collect()
        } else {
            Vec::new()
        };
        if settings.bell
            && self.terminal
            && self.last_bell.is_none_or(|t| t.elapsed() >= BELL_EVERY)
        {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(b"\x07").and_then(|()| out.flush());
            self.last_bell = Some(Instant::now());
        }
        if let Some(hook) = &self.hook {
            for a in new {
                hook.send(a);
            }
        }
        lines
    }
}

/// A batch run's `--on-alert`: a thread that hands each new alert to the
/// hook until stopped ([`Follower::stop`]).
pub struct Follower {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    hook: Arc<Hook>,
}

impl Follower {
    /// Starts following the session's new alerts into `hook`.
    ///
    /// # Errors
    /// The thread cannot be started.
    pub fn start(session: Arc<Session>, hook: Arc<Hook>) -> std::io::Result<Follower> {
        Follower::start_named(session, hook, None)
    }

    /// [`Follower::start`], the alerts handed over as the server named
    /// `server`'s (several servers).
    ///
    /// # Errors
    /// The thread cannot be started.
    pub fn start_named(
        session: Arc<Session>,
        hook: Arc<Hook>,
        server: Option<Arc<str>>,
    ) -> std::io::Result<Follower> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut feed = AlertFeed::primed(&session);
        let (s, h) = (stop.clone(), hook.clone());
        let thread = thread::Builder::new()
            .name("kismet-alerts".into())
            .spawn(move || loop {
                let last = s.load(Ordering::Acquire);
                for a in feed.poll(&session) {
                    h.send_from(a, server.clone());
                }
                if last {
                    return;
                }
                thread::sleep(POLL);
            })?;
        Ok(Follower {
            stop,
            thread: Some(thread),
            hook,
        })
    }

    /// Stops following (after a last look for new alerts), then waits up
    /// to `limit` for the commands running and queued.
    pub fn stop(self, limit: Duration, report: &dyn Fn(&str)) {
        let hook = self.halt();
        hook.finish(limit, report);
    }

    /// Stops following (after a last look for new alerts); the hook, for
    /// whoever finishes it (several followers share one).
    pub fn halt(mut self) -> Arc<Hook> {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.hook.clone()
    }
}
