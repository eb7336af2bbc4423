//! Command-line definitions (clap). Also used to generate `completions/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::shell::render::Format;
use kismet_protocol::spec::DEFAULT_ADDR;

/// The command line as the completion scripts see it: `-c` completes the
/// shell's command names (for parsing it takes any text: a whole command
/// line). Generating a script from [`Cli`] itself would offer file names.
pub fn completion_command() -> clap::Command {
    use clap::CommandFactory;
    let names: Vec<&'static str> = crate::shell::commands::definition()
        .get_subcommands()
        .map(|c| c.get_name())
        .collect();
    Cli::command().mut_arg("commands", |a| {
        a.value_parser(clap::builder::PossibleValuesParser::new(names))
    })
}

/// Interactive shell and batch tool for the legacy Kismet server protocol.
#[derive(Debug, Parser)]
#[command(
    name = "kismet-shell",
    version,
    about,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  kismet-shell --demo                          try it on the built-in simulator\n  kismet-shell 10.0.0.5                        open the shell on a server (port 2501)\n  kismet-shell -c protocols --format json      list protocols as JSON\n  kismet-shell -c 'enable SSID ssid,mac' --follow --count 10 --format json\n  kismet-shell -c networks --follow --format json\n  kismet-shell --replay rec.kismet --speed 10  replay a --record recording 10 times as fast\n  echo 'fields GPS' | kismet-shell localhost:2501"
)]
pub struct Cli {
    // The help text is given as an attribute: as a doc comment, rustdoc
    // would take `[:PORT]` for a link.
    #[arg(
        id = "addr",
        value_name = "ADDR",
        help = "Server address, HOST[:PORT] (port 2501 if left out); several for several \
                servers, each [NAME=]HOST[:PORT][@LAT,LON] (a name, and where a fixed \
                sensor stands): batch runs only for now"
    )]
    pub addrs: Vec<String>,

    /// Start the built-in simulated server on a free loopback port and connect to it.
    #[arg(long, conflicts_with = "addr")]
    pub demo: bool,

    /// Serve a recording (made with --record) on a free loopback port and connect to it.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["addr", "demo"])]
    pub replay: Option<PathBuf>,

    /// With --replay: play the recording X times as fast (0.5 is half
    /// speed); max: as fast as it can be read.
    #[arg(long, value_name = "X", requires = "replay", default_value_t = 1.0, value_parser = positive_speed)]
    pub speed: f64,

    /// Seed of the simulated world with --demo.
    #[arg(long, value_name = "N", requires = "demo", conflicts_with_all = ["addr", "replay"])]
    pub seed: Option<u64>,

    /// With --demo: a server with no GPS, every network in range from the start (by default the demo drives a loop with a GPS).
    // (`requires` alone lets them through beside an address or --replay,
    // which --demo conflicts with.)
    #[arg(long, requires = "demo", conflicts_with_all = ["addr", "replay"])]
    pub no_gps: bool,

    /// With --demo: drive this GPX track instead of the built-in loop.
    #[arg(
        long,
        value_name = "FILE.gpx",
        requires = "demo",
        conflicts_with_all = ["no_gps", "addr", "replay"]
    )]
    pub route: Option<PathBuf>,

    /// With --demo: the simulated server raises an alert every SECS
    /// seconds (DEAUTHFLOOD, APSPOOF, CHANCHANGE...).
    #[arg(long, value_name = "SECS", requires = "demo", conflicts_with_all = ["addr", "replay"])]
    pub alert_every: Option<u64>,

    /// Run CMD (with sh -c) for each new alert: the alert as a JSON object
    /// on its stdin, and in KISMET_ALERT_TYPE, _BSSID, _SOURCE, _DEST,
    /// _CHANNEL, _TEXT and _TIME. In the shell, with --follow, or alone
    /// with --timeout SECS (runs without a shell). A run longer than 60 s
    /// is killed; a failure is reported.
    #[arg(long, value_name = "CMD")]
    pub on_alert: Option<String>,

    /// With --on-alert: most commands running at once (further alerts
    /// wait, up to 100; beyond that they are dropped and counted).
    #[arg(long, value_name = "N", requires = "on_alert", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub on_alert_jobs: u32,

    /// Run this shell command, then exit (repeatable; runs in order).
    #[arg(short = 'c', long = "command", value_name = "CMD")]
    pub commands: Vec<String>,

    #[command(flatten)]
    pub batch: BatchArgs,

    /// Seconds to wait for each command's reply.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub reply_timeout: f64,

    /// Seconds to wait for the TCP connection and the handshake.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub connect_timeout: f64,

    /// Start the live model of networks and clients at once (networks, clients and watch start it on first use).
    #[arg(long)]
    pub track: bool,

    /// Start each frame line with its receive time (HH:MM:SS.mmm); JSON frames get "time".
    #[arg(long)]
    pub timestamps: bool,

    /// Show fields as the server sends them (cipher sets as numbers, times as epoch seconds).
    #[arg(long)]
    pub raw_values: bool,

    /// Record every line received and sent, with its time, to FILE (gzip if it ends in .gz).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// With --record: overwrite FILE if it exists.
    #[arg(long, requires = "record", conflicts_with = "append")]
    pub force: bool,

    /// With --record: add to the end of FILE if it exists.
    #[arg(long, requires = "record")]
    pub append: bool,

    /// Interactive shell: do not reconnect when the connection drops.
    #[arg(long)]
    pub no_reconnect: bool,

    /// Interactive shell: print long output instead of showing it through $PAGER.
    #[arg(long)]
    pub no_pager: bool,

    /// Write what the live model holds to FILE (repeatable), every
    /// --export-every seconds and at exit (Ctrl-C too): the format from
    /// the extension: .csv WiGLE CSV, .kml, .geojson, .gpx, .netxml.
    /// Without commands, with --timeout or --replay, collects without a
    /// shell and exits.
    #[arg(long, value_name = "FILE")]
    pub export: Vec<PathBuf>,

    /// Keep what the session sees in the SQLite database FILE (created if
    /// need be; several sessions go into one file): devices, every
    /// sighting, the GPS, alerts and messages. Without commands, with
    /// --timeout or --replay, collects without a shell and exits.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// Open a session database (made with --db) with no server: networks,
    /// clients, export, sessions and sql work on what it holds.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["addr", "demo", "replay", "db", "record"])]
    pub open: Option<PathBuf>,

    /// The format of every --export file, whatever its extension.
    #[arg(long, value_name = "FORMAT", requires = "export", value_parser = export_format)]
    pub export_format: Option<kismet_export::Format>,

    /// Seconds between the writes of the --export files.
    #[arg(long, value_name = "SECS", requires = "export", default_value_t = 30.0, value_parser = export_every)]
    pub export_every: f64,

    /// With --export: a WiGLE CSV row per device at its best position,
    /// not one per sighting.
    #[arg(long, requires = "export")]
    pub export_best: bool,

    /// With --export: the devices written.
    #[arg(long, value_name = "WHAT", requires = "export", value_parser = export_what)]
    pub export_what: Option<kismet_export::What>,

    /// History file of the interactive shell [default: $XDG_STATE_HOME/kismet-shell/history].
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Sub>,
}

/// Options of batch mode.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// After the commands, print frames of the enabled protocols until
    /// stopped. After networks, clients or stations as the last command:
    /// a line per device new or changed since printed, looked for every
    /// 0.5 s (its last_seen time alone moving is no change).
    #[arg(long)]
    pub follow: bool,

    /// With --follow: stop after N frames (N device lines after networks,
    /// clients or stations).
    #[arg(long, value_name = "N", requires = "follow")]
    pub count: Option<u64>,

    /// With --follow: stop after SECS seconds. With --export and no
    /// commands: collect for SECS seconds without a shell, write the
    /// files and exit.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,

    /// With --follow: reconnect (and re-enable) when the connection drops.
    #[arg(long, requires = "follow")]
    pub reconnect: bool,

    /// Batch runs: when the output falls behind, wait for it instead of
    /// dropping frames. The server's socket fills and TCP slows it down; a
    /// legacy server then queues up to 5,000 lines and drops beyond that,
    /// on its side, uncounted. (--replay always waits.)
    #[arg(long)]
    pub lossless: bool,

    /// Batch runs: start the live model of networks and clients and let it
    /// collect for SECS before the first command (a server sends some
    /// records only after a while; a replay plays meanwhile).
    #[arg(long, value_name = "SECS")]
    pub wait: Option<f64>,

    /// Batch runs: print no acknowledgements or notices (`ok (0.4 ms)`, a
    /// changed filter), only results and frames; errors still go to stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Run every command even after one fails (exit status 1 if any failed;
    /// without it, the first failure stops the run).
    #[arg(long)]
    pub keep_going: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Run the simulated Kismet server, or with --replay a recording, in the foreground (Ctrl-C stops it).
    Sim {
        /// Address to listen on.
        #[arg(long, default_value = DEFAULT_ADDR)]
        listen: String,
        /// Seed of the simulated world (same seed, same world).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// PACKET frames per second (0: none).
        #[arg(long, value_name = "N", default_value_t = 0)]
        packet_rate: u32,
        /// Simulate a GPS driving a route at 10 m/s: GPS lines, devices heard by distance, positions on every device (the default).
        #[arg(long, overrides_with = "no_gps")]
        gps: bool,
        /// A server with no GPS: ENABLE GPS is ACKed and no GPS line ever comes; every device is heard all the time.
        #[arg(long)]
        no_gps: bool,
        /// Drive this GPX track (its first track, or route) instead of the built-in 1.4 km loop.
        #[arg(long, value_name = "FILE.gpx", conflicts_with = "no_gps")]
        route: Option<PathBuf>,
        /// Stand at LAT,LON instead of driving: a fixed sensor hearing the devices placed beside the route from there.
        #[arg(long, value_name = "LAT,LON", conflicts_with = "no_gps")]
        at: Option<kismet_client::LatLon>,
        /// Raise alerts (ALERT lines) now and then.
        #[arg(long)]
        alerts: bool,
        /// Raise an alert every SECS seconds of the server's clock (besides --alerts).
        #[arg(long, value_name = "SECS")]
        alert_every: Option<u64>,
        /// Send COMMON and TRACKINFO lines (the recorded real server sent none).
        #[arg(long)]
        common: bool,
        /// Connections served at once; more are accepted and closed, like a real server.
        #[arg(long, value_name = "N", default_value_t = 5)]
        max_clients: usize,
        /// Milliseconds per tick (TIME/INFO/SOURCE updates), also one second of the server clock.
        #[arg(long, value_name = "MS", default_value_t = 1000)]
        tick_ms: u64,
        /// Send CLIENT lines (all fields) as fast as each client reads them, for load tests.
        #[arg(long)]
        flood: bool,
        /// Serve this recording (made with --record) instead of the simulated world.
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with_all = ["seed", "packet_rate", "gps", "no_gps", "route", "at", "alerts", "alert_every", "common", "tick_ms", "flood"]
        )]
        replay: Option<PathBuf>,
        /// With --replay: play the recording X times as fast (0.5 is half
        /// speed); max: as fast as it can be read.
        #[arg(long, value_name = "X", requires = "replay", default_value_t = 1.0, value_parser = positive_speed)]
        speed: f64,
        /// With --replay: start the recording over at its end instead of terminating.
        #[arg(long = "loop", requires = "replay")]
        looped: bool,
    },
    /// Print a shell completion script for kismet-shell.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// A replay speed: a positive number, at most a million.
fn positive_speed(text: &str) -> Result<f64, String> {
    if text.eq_ignore_ascii_case("max") {
        return Ok(MAX_SPEED);
    }
    match text.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 1e6 => Ok(x),
        _ => Err(format!(
            "{text} is not a speed (a number above 0, at most 1000000, or max)"
        )),
    }
}

/// `--speed max`: a recording's hour plays in 4 ms, faster than its
/// lines can be read.
pub const MAX_SPEED: f64 = 1e6;

/// `--export-format`: a format's name.
fn export_format(text: &str) -> Result<kismet_export::Format, String> {
    kismet_export::Format::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = (kismet_export::Format::ALL.iter())
            .map(|f| f.name())
            .collect();
        format!("{text} is not an export format ({})", names.join(", "))
    })
}

/// `--export-what`: networks, clients or all.
fn export_what(text: &str) -> Result<kismet_export::What, String> {
    kismet_export::What::from_name(text)
        .ok_or_else(|| format!("{text} is not one of networks, clients, all"))
}

/// `--export-every`: at least a second.
fn export_every(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if (1.0..=86_400.0).contains(&x) => Ok(x),
        _ => Err(format!("{text} is not a number of seconds from 1 to 86400")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// `sim` has a GPS unless `--no-gps` (the last of `--gps` and
    /// `--no-gps` wins); `--route` needs the GPS; `--demo` takes
    /// `--no-gps` and `--route` too, and only `--demo` does (nor
    /// `--seed` beside an address).
    #[test]
    fn gps_flags() {
        let ok = |args: &[&str]| Cli::try_parse_from(args).map_err(|e| e.to_string());
        let no_gps = |args: &[&str]| match ok(args).unwrap().command {
            Some(Sub::Sim { no_gps, gps, .. }) => no_gps && !gps,
            _ => panic!("not sim"),
        };
        assert!(!no_gps(&["k", "sim"]));
        assert!(no_gps(&["k", "sim", "--no-gps"]));
        assert!(!no_gps(&["k", "sim", "--no-gps", "--gps"]));
        assert!(no_gps(&["k", "sim", "--gps", "--no-gps"]));
        assert!(ok(&["k", "sim", "--route", "r.gpx"]).is_ok());
        assert!(ok(&["k", "sim", "--route", "r.gpx", "--no-gps"]).is_err());
        let cli = ok(&["k", "--demo", "--no-gps"]).unwrap();
        assert!(cli.no_gps);
        assert!(ok(&["k", "--demo", "--route", "r.gpx"]).is_ok());
        assert!(ok(&["k", "--demo", "--route", "r.gpx", "--no-gps"]).is_err());
        assert!(ok(&["k", "--no-gps"]).is_err());
        assert!(ok(&["k", "host", "--route", "r.gpx"]).is_err());
        assert!(ok(&["k", "host", "--no-gps"]).is_err());
        assert!(ok(&["k", "--replay", "f", "--no-gps"]).is_err());
        assert!(ok(&["k", "host", "--seed", "3"]).is_err());
    }

    /// The clap definition is consistent.
    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    /// --speed takes a positive number and needs --replay; --loop is the
    /// replay server's; --replay conflicts with the simulated world's flags.
    #[test]
    fn replay_flags() {
        let ok = |args: &[&str]| Cli::try_parse_from(args).map_err(|e| e.to_string());
        let cli = ok(&["k", "--replay", "f", "--speed", "2.5"]).unwrap();
        assert_eq!(cli.speed, 2.5);
        assert_eq!(ok(&["k", "--replay", "f"]).unwrap().speed, 1.0);
        assert!(ok(&["k", "--speed", "2"]).is_err());
        assert!(ok(&["k", "--replay", "f", "--speed", "0"]).is_err());
        assert!(ok(&["k", "--replay", "f", "--speed", "-1"]).is_err());
        assert!(ok(&["k", "--replay", "f", "--demo"]).is_err());
        assert!(ok(&["k", "--replay", "f", "host"]).is_err());
        let cli = ok(&["k", "sim", "--replay", "f", "--speed", "10", "--loop"]).unwrap();
        assert!(matches!(
            cli.command,
            Some(Sub::Sim {
                looped: true,
                speed: 10.0,
                ..
            })
        ));
        assert!(ok(&["k", "sim", "--loop"]).is_err());
        assert!(ok(&["k", "sim", "--replay", "f", "--gps"]).is_err());
        assert!(ok(&["k", "sim", "--replay", "f", "--route", "r.gpx"]).is_err());
        assert!(ok(&["k", "sim", "--replay", "f", "--max-clients", "2"]).is_ok());
    }
}
