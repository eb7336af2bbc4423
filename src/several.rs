//! Several servers on the command line (`kismet-shell kitchen=10.0.0.5
//! attic=10.0.0.6 ...`): connected at once, then a batch run over all of
//! them ([`kismet_shell::shell::fleet_run`]), collecting without commands,
//! or the shell ([`kismet_shell::shell::servers`]).

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::Context as _;

use kismet_shell::cli::Cli;
use kismet_shell::shell::alerts::Follower;
use kismet_shell::shell::batch::{self, EXIT_COMMAND, EXIT_CONNECTION};
use kismet_shell::shell::export::Exports;
use kismet_shell::shell::fleet::{self, Member};
use kismet_shell::shell::hook::{Hook, EXIT_WAIT};
use kismet_shell::shell::outcome::without_os_codes;
use kismet_shell::shell::pager::Pager;
use kismet_shell::shell::repl::{self, ReplOptions};
use kismet_shell::shell::servers::{Fleet, Live};
use kismet_shell::shell::session::{Session, Settings};

use super::{
    batch_options, client_options, close_db, exports_of, final_exports, on_alert_of, secs,
};

/// Several servers (`kitchen=10.0.0.5 attic=10.0.0.6`): a batch run over
/// all of them (see [`kismet_shell::shell::fleet`]).
pub(crate) fn run_fleet(cli: &Cli) -> anyhow::Result<i32> {
    let members = Member::parse_all(&cli.addrs).map_err(|e| anyhow::anyhow!(e))?;
    if cli.record.is_some() {
        anyhow::bail!("--record takes one server (several servers: not yet)");
    }
    let exports = match exports_of(cli)? {
        Ok(e) => e,
        Err(message) => {
            eprintln!("kismet-shell: --export: {message}");
            return Ok(EXIT_COMMAND);
        }
    };
    let from_stdin = cli.commands.is_empty();
    // --export, --db or --on-alert without commands, with --timeout:
    // collect on every server, without a shell.
    let collect = from_stdin
        && cli.batch.timeout.is_some()
        && (exports.is_some() || cli.db.is_some() || cli.on_alert.is_some());
    let interactive = !collect && from_stdin && io::stdin().is_terminal();
    if cli.batch.timeout.is_some() && !cli.batch.follow && !collect {
        anyhow::bail!("--timeout needs --follow, or --export, --db or --on-alert without commands");
    }
    let settings = Settings {
        timestamps: cli.timestamps,
        decode: !cli.raw_values,
        color: interactive && repl::color_wanted(),
        ..Settings::default()
    };
    let servers = fleet::connect_all(
        members,
        &client_options(cli, interactive, None)?,
        secs(cli.reply_timeout, "--reply-timeout")?,
        &settings,
    );
    if interactive {
        return run_fleet_shell(cli, servers, exports);
    }
    let sessions: Vec<(String, Arc<Session>)> = (servers.iter())
        .filter_map(|s| Some((s.member.name.clone(), s.session.as_ref().ok()?.clone())))
        .collect();
    let db = match open_fleet_db(cli, &sessions) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("kismet-shell: --db: {e}");
            return Ok(EXIT_COMMAND);
        }
    };
    if cli.track {
        for s in &servers {
            if let Ok(session) = &s.session {
                session
                    .model()
                    .with_context(|| format!("{}: starting the model", s.member.name))?;
            }
        }
    }
    // --export: the merged devices, on a timer and at the end (with at
    // least one server reached).
    let merged = match (&exports, sessions.is_empty()) {
        (Some(_), false) => Some(Arc::new(Fleet::new(
            (servers.iter())
                .filter_map(|s| {
                    Some(Live {
                        member: s.member.clone(),
                        session: s.session.as_ref().ok()?.clone(),
                        gone: Arc::new(std::sync::atomic::AtomicBool::new(false)),
                    })
                })
                .collect(),
        ))),
        _ => None,
    };
    let timer = match (&exports, &merged) {
        (Some(ex), Some(merged)) => {
            // Every server's model collects for the files.
            for (_, s) in &sessions {
                let _ = kismet_shell::shell::handlers::start_model(s);
            }
            let report = |e: &str| eprintln!("kismet-shell: --export: {e}");
            Some(ex.start_timer(merged.clone(), report)?)
        }
        _ => None,
    };
    // --on-alert: one runner, a follower a server (each alert carries its
    // server's name).
    let mut followers = Vec::new();
    if let Some(o) = on_alert_of(cli) {
        let report = |m: &str| eprintln!("kismet-shell: {m}");
        let hook =
            Arc::new(Hook::start(&o.cmd, o.jobs, Box::new(report)).context("starting --on-alert")?);
        for (name, session) in &sessions {
            if let Err(e) = session.start_alerts() {
                eprintln!(
                    "kismet-shell: {name}: asking for alerts: {}",
                    without_os_codes(&format!("{:#}", anyhow::Error::new(e)))
                );
            }
            let named: Arc<str> = Arc::from(name.as_str());
            followers.push(Follower::start_named(
                session.clone(),
                hook.clone(),
                Some(named),
            )?);
        }
    }
    let stop_followers = |followers: Vec<Follower>| {
        let hooks: Vec<Arc<Hook>> = followers.into_iter().map(Follower::halt).collect();
        if let Some(hook) = hooks.first() {
            hook.finish(EXIT_WAIT, &|m| eprintln!("kismet-shell: {m}"));
        }
    };
    if collect {
        let mut failed = 0;
        for s in &servers {
            if let Err(e) = &s.session {
                eprintln!("kismet-shell: {}: cannot reach it: {e}", s.member.name);
                failed += 1;
            }
        }
        if sessions.is_empty() {
            return Ok(EXIT_CONNECTION);
        }
        // Ctrl-C ends the run after the files are written.
        let all: Vec<Arc<Session>> = sessions.iter().map(|(_, s)| s.clone()).collect();
        let on_ctrl_c = move || {
            for s in &all {
                s.interrupted.store(true, Ordering::Release);
            }
        };
        if let Err(e) = ctrlc::set_handler(on_ctrl_c) {
            eprintln!(
                "kismet-shell: warning: Ctrl-C will end the run without writing the files: {}",
                without_os_codes(&e.to_string())
            );
        }
        let timeout = cli
            .batch
            .timeout
            .map(|t| secs(t, "--timeout"))
            .transpose()?;
        let model = exports.is_some() || cli.db.is_some();
        let code = std::thread::scope(|scope| {
            let runs: Vec<_> = (sessions.iter())
                .map(|(_, s)| {
                    scope.spawn(move || {
                        batch::collect_until_end(s, model, timeout, &mut io::stderr())
                    })
                })
                .collect();
            runs.into_iter()
                .map(|r| r.join().unwrap_or(EXIT_COMMAND))
                .max()
                .unwrap_or(EXIT_CONNECTION)
        });
        let code = if failed > 0 {
            code.max(EXIT_COMMAND)
        } else {
            code
        };
        stop_followers(followers);
        drop(timer);
        let code = match (&exports, &merged) {
            (Some(ex), Some(merged)) => final_exports(ex, merged.as_ref(), cli.batch.quiet, code),
            _ => code,
        };
        return Ok(match db {
            Some(first) => close_db(&first, cli.batch.quiet, code),
            None => code,
        });
    }
    let mut lines: Box<dyn Iterator<Item = io::Result<String>>> = if from_stdin {
        Box::new(io::stdin().lock().lines())
    } else {
        Box::new(cli.commands.clone().into_iter().map(Ok))
    };
    let out = Arc::new(parking_lot::Mutex::new(io::BufWriter::new(io::stdout())));
    let err = Arc::new(parking_lot::Mutex::new(io::stderr()));
    let code = kismet_shell::shell::fleet_run::run_batch(
        &servers,
        &mut lines,
        &batch_options(cli)?,
        out.clone(),
        err,
    );
    let flushed = out.lock().flush();
    let code = match flushed {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!(
                "kismet-shell: writing the output: {}",
                without_os_codes(&e.to_string())
            );
            code.max(EXIT_CONNECTION)
        }
        _ => code,
    };
    stop_followers(followers);
    drop(timer);
    let code = match (&exports, &merged) {
        (Some(ex), Some(merged)) => final_exports(ex, merged.as_ref(), cli.batch.quiet, code),
        _ => code,
    };
    Ok(match db {
        Some(first) => close_db(&first, cli.batch.quiet, code),
        None => code,
    })
}

/// `--db FILE` over several servers: one database, each server feeding
/// it under its name (its own sessions); held by the first server's
/// session, which is returned (for [`close_db`]). `None` without `--db`.
///
/// # Errors
/// The database's, as text.
fn open_fleet_db(
    cli: &Cli,
    sessions: &[(String, Arc<Session>)],
) -> Result<Option<Arc<Session>>, String> {
    let (Some(path), Some((first_name, first))) = (&cli.db, sessions.first()) else {
        return Ok(None);
    };
    let mut db = kismet_shell::shell::db::open(path, first, Some(first_name.clone()))?;
    for (name, session) in &sessions[1..] {
        kismet_shell::shell::db::attach(&mut db, session, Some(name.clone()))?;
    }
    *first.db.lock() = Some(db);
    Ok(Some(first.clone()))
}

/// The interactive shell on several servers: those that could not be
/// reached are named and left out (`connect --add` brings them in).
fn run_fleet_shell(
    cli: &Cli,
    servers: Vec<fleet::Server>,
    exports: Option<Arc<Exports>>,
) -> anyhow::Result<i32> {
    let mut live = Vec::new();
    for s in servers {
        match s.session {
            Ok(session) => live.push(Live {
                member: s.member,
                session,
                gone: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            }),
            Err(e) => eprintln!(
                "kismet-shell: {}: cannot reach it: {e} (connect --add {} later)",
                s.member.name, s.member.addr
            ),
        }
    }
    if live.is_empty() {
        eprintln!("kismet-shell: no server could be reached");
        return Ok(EXIT_CONNECTION);
    }
    for l in &live {
        if cli.track || exports.is_some() {
            l.session
                .model()
                .with_context(|| format!("{}: starting the model", l.member.name))?;
        }
        // The shell shows new alerts, of every server.
        if let Err(e) = l.session.start_alerts() {
            eprintln!(
                "kismet-shell: {}: asking for alerts: {}",
                l.member.name,
                without_os_codes(&format!("{:#}", anyhow::Error::new(e)))
            );
        }
    }
    let sessions: Vec<(String, Arc<Session>)> = (live.iter())
        .map(|l| (l.member.name.clone(), l.session.clone()))
        .collect();
    let db = match open_fleet_db(cli, &sessions) {
        Ok(db) => db,
        // The shell goes on without it.
        Err(e) => {
            eprintln!("kismet-shell: --db: {e}: going on without the database");
            None
        }
    };
    let result = repl::run_fleet(
        Arc::new(Fleet::new(live)),
        ReplOptions {
            history: cli.history.clone().or_else(repl::default_history_path),
            pager: Pager::from_env(std::env::var("PAGER").ok().as_deref(), cli.no_pager),
            exports,
            on_alert: on_alert_of(cli),
        },
    );
    match db {
        Some(first) => result.map(|code| close_db(&first, false, code)),
        None => result,
    }
}
