//! kismet-shell: parse the command line, dispatch, report errors once.
//! Several servers at once: [`several`].

#![forbid(unsafe_code)]

use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;

use kismet_client::{Client, Options};
use kismet_protocol::spec::check_addr;
use kismet_record::{Recorder, WriteMode};
use kismet_shell::cli::{Cli, Sub};
use kismet_shell::shell::alerts::Follower;
use kismet_shell::shell::batch::{self, BatchOptions, Output, EXIT_COMMAND, EXIT_CONNECTION};
use kismet_shell::shell::export::{self, Exports, Target};
use kismet_shell::shell::fleet::Member;
use kismet_shell::shell::hook::{Hook, OnAlert, EXIT_WAIT};
use kismet_shell::shell::offline::{self, Offline};
use kismet_shell::shell::outcome::without_os_codes;
use kismet_shell::shell::pager::Pager;
use kismet_shell::shell::repl::{self, ReplOptions};
use kismet_shell::shell::session::{Session, Settings};
use kismet_sim::{Replay, ReplayConfig, Route, Sim, SimConfig};

// mimalloc: frames are allocated on the reader thread and freed on the
// output thread; glibc malloc handles that cross-thread traffic poorly.
mod several;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // clap's own code is 2 for usage errors, 0 for --help/--version.
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("kismet-shell: {}", without_os_codes(&format!("{e:#}")));
            ExitCode::from(EXIT_CONNECTION as u8)
        }
    }
}

/// The server behind --demo or --replay (stopped when dropped).
enum Local {
    Sim(Sim),
    Replay(Replay),
}

/// The route read from the GPX file at `path`, if one is given.
fn load_route(path: Option<&std::path::Path>) -> anyhow::Result<Option<std::sync::Arc<Route>>> {
    path.map(|p| {
        Route::from_gpx(p)
            .map(std::sync::Arc::new)
            .context("reading the route")
    })
    .transpose()
}

fn secs(s: f64, what: &str) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(s)
        .with_context(|| format!("{what}: {s} is not a number of seconds"))
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    match &cli.command {
        Some(Sub::Completions { shell }) => {
            // Generated whole first: clap_complete panics on a failed write.
            let mut script = Vec::new();
            clap_complete::generate(
                *shell,
                &mut kismet_shell::cli::completion_command(),
                "kismet-shell",
                &mut script,
            );
            let mut out = io::stdout().lock();
            return match out.write_all(&script).and_then(|()| out.flush()) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    Err(e).context("writing the completion script")
                }
                _ => Ok(0),
            };
        }
        Some(Sub::Sim {
            listen,
            seed,
            packet_rate,
            gps: _,
            no_gps,
            route,
            at,
            alerts,
            alert_every,
            common,
            max_clients,
            tick_ms,
            flood,
            replay,
            speed,
            looped,
        }) => {
            if let Some(path) = replay {
                let config = ReplayConfig {
                    speed: *speed,
                    looped: *looped,
                    max_clients: *max_clients,
                    // A server in the foreground behaves as a real one:
                    // a client that reads too slowly loses lines.
                    lossless: false,
                    ..ReplayConfig::default()
                };
                kismet_shell::serve::replay(listen, path, config)?;
                return Ok(0);
            }
            let config = SimConfig {
                seed: *seed,
                packet_rate: *packet_rate,
                gps: !*no_gps,
                route: load_route(route.as_deref())?,
                parked_at: at.map(|p| (p.lat(), p.lon())),
                alerts: *alerts,
                alert_every: *alert_every,
                common: *common,
                max_clients: *max_clients,
                tick: Duration::from_millis((*tick_ms).max(1)),
                flood_client: *flood,
                ..SimConfig::default()
            };
            kismet_shell::serve::simulator(listen, config)?;
            return Ok(0);
        }
        None => {}
    }
    // --open: a session database, no server.
    if let Some(path) = &cli.open {
        return run_offline(&cli, path);
    }
    // --demo and --replay: a server in-process on a free loopback port; it
    // lives as long as this function, that is, as long as the shell.
    let local = if cli.demo {
        // A session worth mapping: the demo drives, with a GPS.
        let config = SimConfig {
            seed: cli.seed.unwrap_or(1),
            gps: !cli.no_gps,
            route: load_route(cli.route.as_deref())?,
            alert_every: cli.alert_every,
            ..SimConfig::default()
        };
        let sim = Sim::start("127.0.0.1:0", config).context("starting the simulated server")?;
        Some(Local::Sim(sim))
    } else if let Some(path) = &cli.replay {
        let timeline = kismet_shell::serve::load_recording(path)?;
        // A replay of a recording never drops: it waits for the client.
        let config = ReplayConfig {
            speed: cli.speed,
            lossless: true,
            ..ReplayConfig::default()
        };
        let replay = Replay::start("127.0.0.1:0", std::sync::Arc::new(timeline), config)
            .context("starting the replay server")?;
        Some(Local::Replay(replay))
    } else {
        None
    };
    let addr = match &local {
        Some(Local::Sim(sim)) => sim.local_addr().to_string(),
        Some(Local::Replay(replay)) => replay.local_addr().to_string(),
        None if cli.addrs.len() > 1 => return several::run_fleet(&cli),
        None => match cli.addrs.first() {
            Some(spec) => Member::parse(spec).map_err(|e| anyhow::anyhow!(e))?.addr,
            None => check_addr(None)?,
        },
    };
    let exports = match exports_of(&cli)? {
        Ok(e) => e,
        Err(message) => {
            eprintln!("kismet-shell: --export: {message}");
            return Ok(EXIT_COMMAND);
        }
    };
    // --export or --db without commands, with --timeout or --replay:
    // collect without a shell.
    let collect = (exports.is_some() || cli.db.is_some() || cli.on_alert.is_some())
        && cli.commands.is_empty()
        && (cli.batch.timeout.is_some() || cli.replay.is_some());
    if cli.batch.timeout.is_some() && !cli.batch.follow && !collect {
        anyhow::bail!("--timeout needs --follow, or --export, --db or --on-alert without commands");
    }
    let interactive = !collect && cli.commands.is_empty() && io::stdin().is_terminal();
    let recorder = match &cli.record {
        Some(path) => {
            let mode = if cli.force {
                WriteMode::Overwrite
            } else if cli.append {
                WriteMode::Append
            } else {
                WriteMode::CreateNew
            };
            Some(Recorder::create(path, mode).context("starting the recording")?)
        }
        None => None,
    };
    let mode = Mode {
        local: local.is_some(),
        interactive,
        collect,
    };
    let result = connect_and_run(&cli, &addr, mode, exports, recorder.clone());
    // Whatever happened, the recording is flushed and closed, and a write
    // error that stopped it fails the run.
    let Some(r) = recorder else {
        return result;
    };
    r.finish();
    let Some(e) = r.error() else {
        return result;
    };
    eprintln!(
        "kismet-shell: recording to {}: {}: the recording stops there, {} entries not recorded",
        r.path(),
        without_os_codes(&e.to_string()),
        r.lost()
    );
    result.map(|code| code.max(EXIT_COMMAND))
}

/// The batch-only options given: the interactive shell does not use them
/// (and says so rather than ignore them silently).
fn batch_only_flags(b: &kismet_shell::cli::BatchArgs) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if b.format != kismet_shell::shell::render::Format::Text {
        flags.push("--format");
    }
    for (set, flag) in [
        (b.follow, "--follow"),
        (b.lossless, "--lossless"),
        (b.quiet, "--quiet"),
        (b.keep_going, "--keep-going"),
        (b.reconnect, "--reconnect"),
    ] {
        if set {
            flags.push(flag);
        }
    }
    flags
}

/// The `--export` files, checked: `Err` (inside) when one cannot be
/// written (exit status 1); an error when a format is unknown.
fn exports_of(cli: &Cli) -> anyhow::Result<Result<Option<Arc<Exports>>, String>> {
    if cli.export.is_empty() {
        return Ok(Ok(None));
    }
    let mut targets = Vec::new();
    for path in &cli.export {
        let target = Target::new(path, cli.export_format).map_err(|e| anyhow::anyhow!(e))?;
        if let Err(e) = kismet_export::check_writable(path) {
            return Ok(Err(without_os_codes(&e.to_string())));
        }
        targets.push(target);
    }
    let source = local_source(cli).unwrap_or_else(|| cli.addrs.join(" "));
    Ok(Ok(Some(Arc::new(Exports {
        targets,
        options: export::options(cli.export_what, cli.export_best),
        every: secs(cli.export_every, "--export-every")?,
        source,
    }))))
}

/// `--open FILE`: the shell, or the batch commands, on a session
/// database with no server.
fn run_offline(cli: &Cli, path: &std::path::Path) -> anyhow::Result<i32> {
    let offline = match Offline::open(path) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("kismet-shell: --open: {e}");
            return Ok(EXIT_COMMAND);
        }
    };
    if cli.commands.is_empty() && io::stdin().is_terminal() {
        return offline::run_interactive(
            &offline,
            cli.history.clone().or_else(repl::default_history_path),
        );
    }
    let mut lines: Box<dyn Iterator<Item = io::Result<String>>> = if cli.commands.is_empty() {
        Box::new(io::stdin().lock().lines())
    } else {
        Box::new(cli.commands.clone().into_iter().map(Ok))
    };
    let width = io::stdout()
        .is_terminal()
        .then(kismet_shell::shell::render::layout::terminal_width);
    Ok(offline::run_batch(
        &offline,
        &mut lines,
        cli.batch.format,
        cli.batch.keep_going,
        width,
    ))
}

/// The name the data of --replay or --demo goes by (in files' headers
/// and the database): the recording's path, or `kismet-shell --demo`;
/// `None` for a server, named by its address.
fn local_source(cli: &Cli) -> Option<String> {
    match (&cli.replay, cli.demo) {
        (Some(path), _) => Some(path.display().to_string()),
        (None, true) => Some("kismet-shell --demo".to_string()),
        (None, false) => None,
    }
}

/// How a run goes.
#[derive(Debug, Clone, Copy)]
struct Mode {
    /// The server is --demo's or --replay's.
    local: bool,
    /// The interactive shell.
    interactive: bool,
    /// --export or --db without commands (with --timeout or --replay):
    /// collect, write, exit.
    collect: bool,
}

/// Writes the `--export` files at the end of a run: the notes to stderr
/// (unless `quiet`), an error fails the run (status 1).
fn final_exports(
    exports: &Exports,
    from: &dyn export::ExportSource,
    quiet: bool,
    code: i32,
) -> i32 {
    let mut code = code;
    for result in exports.write(from) {
        match result {
            Ok(note) if !quiet => eprintln!("kismet-shell: {note}"),
            Ok(_) => {}
            Err(e) => {
                eprintln!("kismet-shell: --export: {e}");
                code = code.max(EXIT_COMMAND);
            }
        }
    }
    code
}

/// Connects (recording to `recorder`, if any) and runs the shell or the
/// batch commands; the exit status.
fn connect_and_run(
    cli: &Cli,
    addr: &str,
    mode: Mode,
    exports: Option<Arc<Exports>>,
    recorder: Option<Arc<Recorder>>,
) -> anyhow::Result<i32> {
    let Mode {
        local,
        interactive,
        collect,
    } = mode;
    let options = client_options(cli, interactive, recorder)?;
    if interactive {
        let batch_only = batch_only_flags(&cli.batch);
        if !batch_only.is_empty() {
            eprintln!(
                "kismet-shell: {} {} for batch runs (-c CMD, or commands on stdin): \
                 not used by the interactive shell",
                batch_only.join(", "),
                if batch_only.len() == 1 { "is" } else { "are" }
            );
        }
    }
    let client = match Client::connect(addr, options) {
        Ok(c) => c,
        // No address given and nothing at the default one: point at --demo.
        Err(e) if cli.addrs.is_empty() && !local => {
            return Err(anyhow::Error::new(e).context(format!(
                "no server address given and none answers at {addr} \
                 (give HOST[:PORT], or try --demo for the built-in simulator)"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let session = Session::new(client, secs(cli.reply_timeout, "--reply-timeout")?)
        .with_settings(Settings {
            timestamps: cli.timestamps,
            decode: !cli.raw_values,
            color: interactive && repl::color_wanted(),
            ..Settings::default()
        })
        .into_shared();
    if cli.track || exports.is_some() {
        session
            .model()
            .context("starting the model of networks and clients")?;
    }
    // The shell shows new alerts; --on-alert runs for them.
    if interactive || cli.on_alert.is_some() {
        match session.start_alerts() {
            Ok(true) => {}
            Ok(false) if cli.on_alert.is_some() => eprintln!(
                "kismet-shell: --on-alert: the server has no ALERT protocol: no alert will come"
            ),
            Ok(false) => {}
            Err(e) => eprintln!(
                "kismet-shell: asking for alerts: {}",
                without_os_codes(&format!("{:#}", anyhow::Error::new(e)))
            ),
        }
    }
    let on_alert = on_alert_of(cli);
    if let Some(path) = &cli.db {
        match kismet_shell::shell::db::open(path, &session, local_source(cli)) {
            Ok(db) => *session.db.lock() = Some(db),
            // The shell goes on without it; a script asked for it.
            Err(e) if interactive => {
                eprintln!("kismet-shell: --db: {e}: going on without the database")
            }
            Err(e) => {
                eprintln!("kismet-shell: --db: {e}");
                return Ok(EXIT_COMMAND);
            }
        }
    }
    if interactive {
        let result = repl::run(
            session.clone(),
            ReplOptions {
                history: cli.history.clone().or_else(repl::default_history_path),
                pager: Pager::from_env(std::env::var("PAGER").ok().as_deref(), cli.no_pager),
                exports,
                on_alert,
            },
        );
        return result.map(|code| close_db(&session, false, code));
    }
    // --on-alert in a batch run: failures go to stderr.
    let follower = match on_alert {
        Some(o) => {
            let report = |m: &str| eprintln!("kismet-shell: {m}");
            let hook =
                Hook::start(&o.cmd, o.jobs, Box::new(report)).context("starting --on-alert")?;
            Some(Follower::start(session.clone(), Arc::new(hook))?)
        }
        None => None,
    };
    let stop_follower = |follower: Option<Follower>| {
        if let Some(f) = follower {
            f.stop(EXIT_WAIT, &|m| eprintln!("kismet-shell: {m}"));
        }
    };
    // With --export or --db, Ctrl-C ends the run after the files are
    // written.
    if exports.is_some() || cli.db.is_some() || cli.on_alert.is_some() {
        let interrupted = session.interrupted.clone();
        if let Err(e) = ctrlc::set_handler(move || interrupted.store(true, Ordering::Release)) {
            eprintln!(
                "kismet-shell: warning: Ctrl-C will end the run without writing the files: {}",
                without_os_codes(&e.to_string())
            );
        }
    }
    let timer = match &exports {
        Some(ex) => {
            let report = |e: &str| eprintln!("kismet-shell: --export: {e}");
            Some(ex.start_timer(session.clone() as Arc<dyn export::ExportSource>, report)?)
        }
        None => None,
    };
    let timeout = cli
        .batch
        .timeout
        .map(|t| secs(t, "--timeout"))
        .transpose()?;
    if collect {
        let model = exports.is_some() || cli.db.is_some();
        let code = batch::collect_until_end(&session, model, timeout, &mut io::stderr().lock());
        drop(timer);
        stop_follower(follower);
        let code = exports.map_or(code, |ex| {
            final_exports(&ex, session.as_ref(), cli.batch.quiet, code)
        });
        return Ok(close_db(&session, cli.batch.quiet, code));
    }
    let options = BatchOptions {
        timeout,
        ..batch_options(cli)?
    };
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut err = stderr.lock();
    let mut lines: Box<dyn Iterator<Item = io::Result<String>>> = if cli.commands.is_empty() {
        Box::new(io::stdin().lock().lines())
    } else {
        Box::new(cli.commands.clone().into_iter().map(Ok))
    };
    let code = batch::run(
        &session,
        &mut lines,
        &options,
        Output {
            out: &mut out,
            err: &mut err,
        },
    );
    drop(timer);
    drop(err);
    stop_follower(follower);
    let code = exports.map_or(code, |ex| {
        final_exports(&ex, session.as_ref(), cli.batch.quiet, code)
    });
    Ok(close_db(&session, cli.batch.quiet, code))
}

/// How the clients connect.
fn client_options(
    cli: &Cli,
    interactive: bool,
    recorder: Option<Arc<Recorder>>,
) -> anyhow::Result<Options> {
    let mut o = Options::default();
    o.recorder = recorder;
    o.connect_timeout = secs(cli.connect_timeout, "--connect-timeout")?;
    o.handshake_timeout =
        secs(cli.connect_timeout, "--connect-timeout")?.max(Duration::from_secs(1));
    o.reconnect = if interactive {
        !cli.no_reconnect
    } else {
        cli.batch.reconnect
    };
    // A server that said TERMINATE was stopped on purpose: the shell
    // leaves it be (`reconnect` connects again); `--follow
    // --reconnect` follows it across its restarts.
    o.reconnect_after_terminate = !interactive;
    // A batch run waits for its output when asked to, and always with
    // --replay (nothing forces a loss there); the shell's display
    // keeps up by dropping and counting.
    o.lossless = !interactive && (cli.batch.lossless || cli.replay.is_some());
    Ok(o)
}

/// The batch options of the command line.
fn batch_options(cli: &Cli) -> anyhow::Result<BatchOptions> {
    Ok(BatchOptions {
        format: cli.batch.format,
        keep_going: cli.batch.keep_going,
        width: io::stdout()
            .is_terminal()
            .then(kismet_shell::shell::render::layout::terminal_width),
        follow: cli.batch.follow,
        lossless: cli.batch.lossless || cli.replay.is_some(),
        quiet: cli.batch.quiet,
        wait: cli.batch.wait.map(|w| secs(w, "--wait")).transpose()?,
        count: cli.batch.count,
        timeout: cli
            .batch
            .timeout
            .map(|t| secs(t, "--timeout"))
            .transpose()?,
    })
}

/// `--on-alert`, as the shell and batch runs take it.
fn on_alert_of(cli: &Cli) -> Option<OnAlert> {
    cli.on_alert.as_ref().map(|cmd| OnAlert {
        cmd: cmd.clone(),
        jobs: cli.on_alert_jobs as usize,
    })
}

/// Closes the session database, if one is open: what is left is written
/// and the session's end marked. Says what was written (unless `quiet`);
/// a database that stopped on an error fails the run (status 1).
fn close_db(session: &Session, quiet: bool, code: i32) -> i32 {
    let Some(db) = session.db.lock().take() else {
        return code;
    };
    let path = db.path().display().to_string();
    let (_, outbox_dropped) = db.stats();
    let stats = db.close();
    if let Some(e) = &stats.error {
        eprintln!("kismet-shell: --db: {e}");
        return code.max(EXIT_COMMAND);
    }
    if !quiet {
        let lost = stats.thinned + outbox_dropped;
        let thinned = if lost > 0 {
            format!(" ({lost} observations thinned: the disk fell behind)")
        } else {
            String::new()
        };
        eprintln!(
            "kismet-shell: database {path}: {} device rows, {} observations, {} GPS rows written{thinned}",
            stats.device_rows, stats.observations, stats.gps
        );
    }
    code
}
