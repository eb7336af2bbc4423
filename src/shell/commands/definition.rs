//! The one definition of the shell commands: a clap derive, one variant per
//! command, carrying its name and aliases, its help (`about` is the summary,
//! `long_about` the details, `after_help` the examples, one a line) and its
//! arguments with their value names and parsers.
//!
//! Parsing yields a typed [`ShellCommand`]; `help`, the grey hints and tab
//! completion read the same definition through [`definition`], [`find`],
//! [`usage`] and [`arg_kind`], like ripgrep's one list of flags.

use std::sync::LazyLock;

use clap::{Arg, ArgAction, Command, CommandFactory, Parser, Subcommand};

use super::values::*;
use super::ArgKind;
use kismet_client::LatLon;
use kismet_export::{Format, What};

/// A line's words as clap sees them: the first names the command
/// (multicall), the rest are its arguments.
#[derive(Debug, Parser)]
#[command(
    name = "kismet",
    multicall = true,
    disable_help_subcommand = true,
    disable_help_flag = true,
    args_override_self = true
)]
pub(super) struct Line {
    /// The command.
    #[command(subcommand)]
    pub(super) command: ShellCommand,
}

/// A shell command with its arguments, parsed and typed.
#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum ShellCommand {
    /// `protocols`.
    #[command(
        about = "list the server's protocols, their fields and what is enabled",
        long_about = "One row per protocol the server offers: its field count, the fields \
                      this session enabled (or -) and how many of its frames arrived.",
        after_help = "protocols"
    )]
    Protocols,

    /// `fields PROTO`.
    #[command(
        about = "list a protocol's fields in order, marking the enabled ones",
        long_about = "Field names come from the server's CAPABILITY answer.",
        after_help = "fields GPS\nfields client"
    )]
    Fields {
        /// The protocol.
        #[arg(id = "proto", value_name = "PROTO")]
        proto: String,
    },

    /// `enable PROTO f1,f2,...|*`.
    #[command(
        about = "receive a protocol's frames with the fields listed (* = all)",
        long_about = "Names are checked against the capability table before anything is \
                      sent. Fields come back in the order asked; enabling a protocol again \
                      replaces its field list. The server first sends every record it \
                      already holds, then its answer, then live updates.",
        after_help = "enable SSID ssid,mac\nenable GPS lat,lon,alt\nenable CLIENT *"
    )]
    Enable {
        /// The protocol.
        #[arg(id = "proto", value_name = "PROTO")]
        proto: String,
        /// Its fields, comma-separated, or `*`.
        #[arg(id = "fields", value_name = "f1,f2,...|*")]
        fields: String,
    },

    /// `remove PROTO`.
    #[command(
        alias = "disable",
        about = "stop receiving a protocol",
        long_about = "Works for the always-on ones too (TIME, for example).",
        after_help = "remove SSID\nremove TIME"
    )]
    Remove {
        /// An enabled protocol.
        #[arg(id = "enabled", value_name = "PROTO")]
        proto: String,
    },

    /// `status`.
    #[command(
        about = "server, connection, frame rates and drop counters",
        long_about = "Server name and address, its start time and clock, how long this \
                      connection has been up, frames per second per protocol, frames \
                      dropped because output fell behind, and commands awaiting a reply.",
        after_help = "status"
    )]
    Status,

    /// `pause`.
    #[command(
        about = "stop the scrolling frames (those skipped are counted)",
        long_about = "Frames that arrive while paused are counted, not shown.",
        after_help = "pause"
    )]
    Pause,

    /// `resume`.
    #[command(
        about = "show frames again after pause",
        long_about = "Says how many frames were skipped while paused.",
        after_help = "resume"
    )]
    Resume,

    /// `networks [near LAT,LON [RADIUS_M]] [--sort COLUMN] [--type TYPE]`.
    #[command(
        alias = "nets",
        about = "the networks seen, like airodump-ng: encryption, channel, signal, clients",
        long_about = "From a live model of the server's BSSID, SSID and CLIENT records, \
                      started on first use (or with --track): the shell asks the server \
                      for the fields it needs, alongside yours, without changing what \
                      scrolls by. Columns: BSSID, SSID (<hidden> when cloaked), TYPE, CH, \
                      ENC, CIPHER, AUTH, PWR (dBm), PKTS, CLIENTS, MANUF, LAST SEEN, and \
                      LAT and LON (where the signal was strongest) once any position is \
                      known. --sort takes bssid, ssid, type, channel, enc, signal (pwr), \
                      packets, clients, manuf or lastseen (add - to reverse); the default \
                      is the strongest signal first. Stations seen only probing are not \
                      networks (stations lists them): --type probe lists their probe \
                      entries, with no channel or encryption. --type takes ap, probe, \
                      adhoc or data, and may be given more than once. near LAT,LON \
                      [RADIUS_M]: only those whose best position is \
                      within RADIUS_M metres (100 if left out) of the point, nearest \
                      first, with a DIST column. The table fits the terminal, the least \
                      needed columns left out first; --wide shows them all.",
        after_help = "networks\nnetworks --sort channel\nnetworks --type ap --sort clients\n\
                      networks --type ap --type probe\n\
                      networks near 37.7691,-122.4196\nnetworks near 37.7691,-122.4196 250"
    )]
    Networks {
        /// `near`, before a point.
        #[arg(
            id = "near",
            value_name = "near",
            requires = "point",
            ignore_case = true
        )]
        near: Option<NearWord>,
        /// The point, after `near`.
        #[arg(id = "point", value_name = "LAT,LON", allow_hyphen_values = true, value_parser = point)]
        point: Option<LatLon>,
        /// The radius around it, metres.
        #[arg(id = "radius", value_name = "RADIUS_M", value_parser = radius)]
        radius: Option<f64>,
        /// The column to sort by, and its direction.
        #[arg(id = "sort", long, short, value_name = "COLUMN", value_parser = SortParser)]
        sort: Option<SortSpec>,
        /// Only the networks of these types (repeatable).
        #[arg(id = "type", long = "type", short, value_name = "TYPE", value_parser = TypeParser, action = ArgAction::Append)]
        kind: Vec<NetworkType>,
        /// Only those seen within this long (`90s`, `15m`, `2h`, `3d`).
        #[arg(id = "since", long, value_name = "AGE", value_parser = age)]
        since: Option<u64>,
        /// Only those of this server (its address or name).
        #[arg(id = "server", long, value_name = "NAME")]
        server: Option<String>,
        /// Every column, whole, however wide the terminal.
        #[arg(id = "wide", long, short)]
        wide: bool,
    },

    /// `clients [NET | near LAT,LON [RADIUS_M]]`.
    #[command(
        about = "the clients of a network (a BSSID or an SSID), of a station, or of all",
        long_about = "An SSID may name several BSSIDs: their clients are all listed. A \
                      station's MAC lists its records, one per network it was seen with. \
                      Columns: MAC, BSSID, SSID, TYPE, PWR, PKTS, MANUF, IP, LAST SEEN, and \
                      LAT and LON (where the signal was strongest) once any position is \
                      known. An access point's record of itself is left out. near \
                      LAT,LON [RADIUS_M]: the clients whose best position is within \
                      RADIUS_M metres (100 if left out) of the point, nearest first, with \
                      a DIST column.",
        after_help = "clients\nclients HomeNet\nclients 00:14:6C:A1:00:01\n\
                      clients 00:1E:65:10:00:05\nclients near 37.7691,-122.4196 50"
    )]
    Clients {
        /// A BSSID, an SSID (an SSID may start with `-`), a station's MAC,
        /// or `near`.
        #[arg(id = "net", value_name = "NET|near", allow_hyphen_values = true)]
        net: Option<String>,
        /// The point, after `near`.
        #[arg(id = "point", value_name = "LAT,LON", allow_hyphen_values = true, value_parser = point)]
        point: Option<LatLon>,
        /// The radius around it, metres.
        #[arg(id = "radius", value_name = "RADIUS_M", value_parser = radius)]
        radius: Option<f64>,
        /// Only those seen within this long (`90s`, `15m`, `2h`, `3d`).
        #[arg(id = "since", long, value_name = "AGE", value_parser = age)]
        since: Option<u64>,
        /// Only those of this server (its address or name).
        #[arg(id = "server", long, value_name = "NAME")]
        server: Option<String>,
        /// Every column, whole, however wide the terminal.
        #[arg(id = "wide", long, short)]
        wide: bool,
    },

    /// `network BSSID|SSID`.
    #[command(
        about = "one network in detail: every field, its SSIDs, clients and signal",
        long_about = "Every field the live model decodes for the network's BSSID and SSID \
                      records (type, channel, encryption, signal now and its minimum and \
                      maximum, rates, packets by kind, data, manufacturer, IP range, first \
                      and last seen, position), each SSID record (beacon, probe response, \
                      ...), a sparkline of its signal over the last 10 minutes, and its \
                      clients. An SSID that names several networks lists their BSSIDs: \
                      give one. --format json writes the network object of networks with \
                      ssids, clients (client objects; their count is client_count) and \
                      signal_history ([[time, dBm], ...], times in RFC 3339 UTC); \
                      --format csv writes its row of networks. On a database opened with \
                      --open, the signal comes from its observations. watch \
                      networks shows the same, live, on Enter.",
        after_help = "network 00:14:6C:A1:00:01\nnetwork HomeNet\n\
                      network HomeNet --format json"
    )]
    Network {
        /// A BSSID or an SSID.
        #[arg(
            id = "bssid",
            value_name = "BSSID|SSID",
            allow_hyphen_values = true,
            required = true
        )]
        net: String,
    },

    /// `stations [--since AGE] [--server NAME] [--wide]`.
    #[command(
        about = "the stations seen, like airodump-ng: network, signal, packets, probes",
        long_about = "Every station the live model knows, once: each client MAC (an access \
                      point's record of itself left out) and each station seen only \
                      probing. Columns: STATION (its MAC), BSSID (the network it was last \
                      seen with, or (not associated)), SSID (<hidden> when cloaked), PWR \
                      (dBm), PKTS, MANUF, PROBES (the SSIDs it probes for, comma-joined) \
                      and LAST SEEN, in MAC order. clients MAC lists a station's records, \
                      one per network it was seen with. The table fits the terminal, the \
                      least needed columns left out first; --wide shows them all.",
        after_help = "stations\nstations --since 5m\nstations --wide"
    )]
    Stations {
        /// Only those seen within this long (`90s`, `15m`, `2h`, `3d`).
        #[arg(id = "since", long, value_name = "AGE", value_parser = age)]
        since: Option<u64>,
        /// Only those of this server (its address or name).
        #[arg(id = "server", long, value_name = "NAME")]
        server: Option<String>,
        /// Every column, whole, however wide the terminal.
        #[arg(id = "wide", long, short)]
        wide: bool,
    },

    /// `gps`.
    #[command(
        about = "the GPS fix: position, altitude, speed, heading, satellites, age",
        long_about = "The server's latest GPS line, as the live model read it: the fix \
                      (3D, 2D, no fix), the position with six decimals, altitude, speed \
                      (m/s, as the server sends it), heading, satellites, dilution of \
                      precision, and how old the line is (a position counts for 3 s). A \
                      server with GPS sends a line a second: waits up to 3 s for the \
                      first, then says there is no GPS on this server.",
        after_help = "gps"
    )]
    Gps,

    /// `servers`.
    #[command(
        about = "the servers of this run: name, address, state, protocols, frames/s, GPS",
        long_about = "One row per server: its name (given as NAME=HOST, else HOST:PORT), \
                      address, state (connected, reconnecting, disconnected, or why it \
                      could not be reached), the name it gives itself, its protocols, \
                      frames a second, its GPS (once the live model runs) and the \
                      connections made to it. With several servers on the command line \
                      (kismet-shell kitchen=10.0.0.5 attic=10.0.0.6 -c servers), one row \
                      each.",
        after_help = "servers"
    )]
    Servers,

    /// `sources`.
    #[command(
        about = "the server's capture sources: channel, hopping or locked, packets, errors",
        long_about = "The server's capture sources as its SOURCE lines give them (the \
                      live model asks for SOURCE the first time): name, interface, driver \
                      type, the channel it is on, whether it hops (and how fast) or is \
                      locked, its dwell, packets captured, and its error or warning. The \
                      server sends a line a second per source: waits up to 2 s for the \
                      first, then says there is no capture source.",
        after_help = "sources"
    )]
    Sources,

    /// `alerts [--wide]`.
    #[command(
        about = "the server's recent alerts: time, type, BSSID, source, dest, channel, text",
        long_about = "The alerts the server raised (its ALERT lines), oldest first: the \
                      shell asks for ALERT from the start, keeps the last 1,000, and \
                      shows each new one above the prompt (set alerts off silences \
                      that; set bell on rings the bell). Those the server held when \
                      the shell subscribed are listed too. Times are local; the table \
                      fits the terminal, the addresses left out first; --wide shows \
                      them all. watch alerts follows them full screen.",
        after_help = "alerts\nalerts --wide"
    )]
    Alerts {
        /// Every column, whole, however wide the terminal.
        #[arg(id = "wide", long, short)]
        wide: bool,
    },

    /// `channels`.
    #[command(
        about = "activity per channel: networks, packets per second, strongest signal",
        long_about = "Per channel, 2.4 GHz (1-14) and 5 GHz (32-177) apart: the networks \
                      on it, packets a second, and the strongest signal. From the server's \
                      CHANNEL lines (sent every 2 s for the channels with traffic; the live \
                      model asks for CHANNEL the first time: waits up to 3 s for the first \
                      line), else from the live model's networks, with packets a second from \
                      their packet counts over the last 10 s. Says which. watch channels \
                      draws it as bars.",
        after_help = "channels\nchannels --format json"
    )]
    Channels,

    /// `lock SOURCE CHANNEL`.
    #[command(
        about = "lock a capture source on one channel (HOPSOURCE LOCK)",
        long_about = "Sends !HOPSOURCE <uuid> LOCK <channel>. SOURCE is a source's name, \
                      interface or UUID, in any case (see sources); once the server \
                      acknowledges, waits (up to 2 s) for the source's next SOURCE line, so \
                      that sources shows the change.",
        after_help = "lock wlan0 6\nlock wlan0mon 11"
    )]
    Lock {
        /// The source: its name, interface or UUID.
        #[arg(id = "source", value_name = "SOURCE")]
        source: String,
        /// The channel.
        #[arg(id = "channel", value_name = "CHANNEL")]
        channel: u32,
    },

    /// `hop SOURCE [CHANNELS...] [--rate RATE]`.
    #[command(
        about = "make a capture source hop channels (CHANSOURCE, HOPSOURCE HOP)",
        long_about = "Sends !HOPSOURCE <uuid> HOP <rate>: RATE channels a second, by \
                      default the source's own velocity (5 when it has none). With \
                      CHANNELS (spaces or commas between them), sends !CHANSOURCE <uuid> \
                      <channels> first, so that the source hops those channels only. \
                      SOURCE is a source's name, interface or UUID, in any case (see \
                      sources).",
        after_help = "hop wlan0\nhop wlan0 1 6 11\nhop wlan0 1,6,11 --rate 10"
    )]
    Hop {
        /// The source: its name, interface or UUID.
        #[arg(id = "source", value_name = "SOURCE")]
        source: String,
        /// The channels to hop (none: the source's list as it is).
        #[arg(id = "channel", value_name = "CHANNELS", value_delimiter = ',')]
        channels: Vec<u32>,
        /// Channels a second.
        #[arg(long = "rate", id = "rate", value_name = "RATE")]
        rate: Option<u32>,
    },

    /// `addsource DEFINITION`.
    #[command(
        about = "add a capture source to the server (ADDSOURCE)",
        long_about = "Sends !ADDSOURCE <definition>, the server's source line: \
                      INTERFACE[:name=NAME,type=TYPE,...] as in kismet.conf's ncsource. \
                      Once the server acknowledges, waits (up to 2 s) for the new \
                      source's first SOURCE line and names it with its UUID; a source \
                      the server could not open says why in STATUS messages.",
        after_help = "addsource wlan1:name=backup\naddsource /tmp/capture.pcap:type=pcapfile,name=file"
    )]
    Addsource {
        /// The source line: INTERFACE[:OPTION=VALUE,...].
        #[arg(id = "definition", value_name = "DEFINITION")]
        definition: String,
    },

    /// `delsource SOURCE`.
    #[command(
        about = "remove a capture source from the server (DELSOURCE; asks to confirm)",
        long_about = "Sends !DELSOURCE <uuid> for SOURCE, a source's name, interface or \
                      UUID, in any case (see sources). The shell asks to confirm first, \
                      as for !DELSOURCE; in a script it is sent as it is.",
        after_help = "delsource backup"
    )]
    Delsource {
        /// The source: its name, interface or UUID.
        #[arg(id = "source", value_name = "SOURCE")]
        source: String,
    },

    /// `export FILE [--what W] [--format F] [--best]`.
    #[command(
        about = "write what the model holds to a map or WiGLE file (csv, kml, geojson, gpx, netxml)",
        long_about = "The format comes from FILE's extension: .csv WiGLE CSV 1.6 (one row \
                      per sighting at a fix, at most one per device a second), .kml (a \
                      placemark per network at its best position, folders by encryption, \
                      the GPS track), .geojson (points, longitude first, and the track), \
                      .gpx (waypoints and the track), .netxml (Kismet's own network log); \
                      --format names it for another extension. Devices without a position \
                      are left out of all but netxml, and counted. --what: networks (the \
                      default), clients or all; --best: WiGLE CSV with one row per device at \
                      its best position. The file is written whole to a temporary name and \
                      renamed: a reader never sees half of it.",
        after_help = "export drive.kml\nexport upload.csv\nexport all.geojson --what all\n\
                      export survey.csv --best\nexport log.xml --format netxml"
    )]
    Export {
        /// The file.
        #[arg(id = "file", value_name = "FILE")]
        file: String,
        /// Networks, clients, or all.
        #[arg(id = "what", long, short, value_name = "WHAT", value_parser = what_parser())]
        what: Option<What>,
        /// The format, when not the extension's.
        #[arg(id = "format", long, short, value_name = "FORMAT", value_parser = format_parser())]
        format: Option<Format>,
        /// WiGLE CSV: one row per device at its best position.
        #[arg(id = "best", long, short)]
        best: bool,
    },

    /// `db [open FILE | close]`.
    #[command(
        about = "the session database: what it holds, open one, close it",
        long_about = "db: the database being written (--db FILE), and what it wrote. db \
                      open FILE: keep this session in FILE from now on (created if need \
                      be; several sessions go into one file): every device, every sighting, \
                      the GPS, alerts and messages, written as they arrive. db close: write \
                      what is left and close it.",
        after_help = "db\ndb open ~/kismet/survey.db\ndb close"
    )]
    Db {
        /// `open` or `close`.
        #[arg(id = "action", value_name = "open|close", ignore_case = true)]
        action: Option<DbAction>,
        /// With `open`: the file.
        #[arg(id = "file", value_name = "FILE")]
        file: Option<String>,
    },

    /// `sessions`.
    #[command(
        about = "the sessions in the database: server, when, devices and observations",
        long_about = "One row per connection kept in the session database (--db, db \
                      open, or --open FILE): its server, when it started and ended, and \
                      how many devices and observations it holds.",
        after_help = "sessions"
    )]
    Sessions,

    /// `sql QUERY`.
    #[command(
        about = "run a read-only SQL query on the session database",
        long_about = "The rest of the line is one SELECT (or WITH, EXPLAIN, a PRAGMA that \
                      reads) on the session database; the tables are networks, ssids, \
                      clients, observations, gps, alerts, messages, sessions and meta (see \
                      the README). The answer prints as a table, as JSON lines or as CSV, \
                      like any other; at most 10,000 rows. Nothing can be changed.",
        after_help = "sql SELECT ssid, COUNT(*) FROM networks GROUP BY ssid\n\
                      sql SELECT * FROM observations WHERE mac = '00:14:6C:A1:00:01' LIMIT 5"
    )]
    Sql {
        /// The query: the rest of the line.
        #[arg(id = "query", value_name = "QUERY", required = true)]
        query: String,
    },

    /// `watch networks|clients|stations|channels|status|PROTO [NET]`.
    #[command(
        about = "a full-screen view, redrawn in place: networks, clients, stations, channels, sources, status, alerts or a protocol",
        long_about = "watch networks: the networks table, live, with --sort and --type as \
                      networks takes them; s and S change the sort column, r reverses it, \
                      Enter opens the selected network's detail (as network BSSID shows \
                      it, with a live chart of its signal over the last 10 minutes), c \
                      there its clients, Esc goes back to the same row. watch \
                      clients [NET]: the clients of a network or of all (s sorts them too). \
                      watch stations: the stations, with what they probe for (s sorts \
                      them; Enter opens the selected station's records). watch channels: bars \
                      per channel for its networks and packets a second, with its strongest \
                      signal (see channels). watch status: \
                      frames per protocol. watch sources: the capture sources, their \
                      channels and packets. watch alerts: the recent alerts, newest \
                      first. watch PROTO: the latest frame of \
                      each device of an enabled protocol. Arrows, PgUp and PgDn move, and the \
                      selection stays on its device; / keeps the rows that contain a text; q \
                      or Ctrl-C return to the prompt with the screen as it was. Frames do not \
                      scroll meanwhile. Needs a terminal.",
        after_help = "watch networks\nwatch networks --type ap --sort channel\nwatch clients HomeNet\n\
                      watch stations\nwatch channels\nwatch status\nwatch sources\nwatch alerts\nwatch SSID"
    )]
    Watch {
        /// What to show.
        #[arg(id = "target", value_name = "networks|clients|stations|channels|sources|alerts|status|PROTO", value_parser = watched)]
        target: Watched,
        /// With `clients`: the network.
        #[arg(id = "net", value_name = "NET", allow_hyphen_values = true)]
        net: Option<String>,
        /// With `networks`: the column to sort by, and its direction.
        #[arg(id = "sort", long, short, value_name = "COLUMN", value_parser = SortParser)]
        sort: Option<SortSpec>,
        /// With `networks`: only the networks of these types (repeatable).
        #[arg(id = "type", long = "type", short, value_name = "TYPE", value_parser = TypeParser, action = ArgAction::Append)]
        kind: Vec<NetworkType>,
    },

    /// `filter [PROTO [EXPR|off]]`.
    #[command(
        about = "show only the frames of a protocol that match an expression",
        long_about = "EXPR compares the protocol's enabled fields with values: = != < <= > >= \
                      (numeric when both sides are numbers, else text), ~ and !~ (regular \
                      expression), combined with and, or, not and parentheses; quote values \
                      with spaces. The ssid field compares as the decoded SSID. filter PROTO \
                      shows the filter, filter PROTO off removes it, filter lists them all. \
                      Filters apply to what is shown: counts, networks and recordings see \
                      every frame.",
        after_help = "filter SSID ssid ~ \"^Caf\"\n\
                      filter CLIENT signal_dbm > -60 and manuf ~ Intel\n\
                      filter BSSID bssid = 00:14:6C:A1:00:01\n\
                      filter SSID off"
    )]
    Filter {
        /// The protocol.
        #[arg(id = "proto", value_name = "PROTO")]
        proto: Option<String>,
        /// The rest of the line as typed (see [`super::parse`]), or `off`.
        #[arg(id = "expr", value_name = "EXPR|off", value_parser = filter_arg)]
        expr: Option<FilterArg>,
    },

    /// `only PROTO new|changed|all`.
    #[command(
        about = "show a device's frames only when it is new, or when they changed",
        long_about = "A device is known by its bssid and mac fields (else the first field). \
                      new: its first frame only; changed: when a shown field differs from its \
                      last shown frame; all: every frame. Up to 100000 devices are remembered \
                      per protocol.",
        after_help = "only SSID new\nonly CLIENT changed\nonly SSID all"
    )]
    Only {
        /// The protocol.
        #[arg(id = "proto", value_name = "PROTO")]
        proto: String,
        /// Which of its frames to show.
        #[arg(id = "mode", value_name = "new|changed|all", ignore_case = true)]
        mode: OnlyMode,
    },

    /// `set [NAME VALUE]`.
    #[command(
        subcommand_value_name = "NAME VALUE",
        about = "list the session's settings, or change one",
        long_about = "timestamps on|off: frame lines start with their receive time \
                      (HH:MM:SS.mmm), JSON frames get \"time\" (RFC 3339, UTC). \
                      decode on|off: frame lines show decoded values (encryption, type \
                      names, times) or the wire values. color on|off: colour on a \
                      terminal (protocol names; ENC and signal in tables and watch; \
                      off by default when NO_COLOR is set). rate N: most frame lines shown \
                      per 0.1 s. alerts on|off: each new alert shown above the prompt (on by \
                      default). bell on|off: the terminal bell rings on a new alert (at most \
                      once a second).",
        after_help = "set\nset timestamps on\nset decode off\nset rate 50\nset bell on"
    )]
    Set {
        /// The setting to change; none lists them.
        #[command(subcommand)]
        change: Option<SettingChange>,
    },

    /// `connect HOST[:PORT] [--keep] [--add]`.
    #[command(
        about = "switch to another server (port 2501 if left out), or --add one",
        long_about = "Completion and the prompt follow the new server's protocols. The \
                      protocols enabled here are not enabled there unless --keep is given. \
                      If the new server cannot be reached, the old connection stays. With \
                      --add, the server joins the ones connected ([NAME=]HOST[:PORT] \
                      [@LAT,LON]): networks and clients merge them all, servers lists \
                      them, use NAME picks the one commands go to.",
        after_help = "connect 10.0.0.5\nconnect sensor.lan:2501 --keep\nconnect --add attic=10.0.0.6"
    )]
    Connect {
        /// The server's address.
        #[arg(id = "addr", value_name = "HOST[:PORT]")]
        addr: String,
        /// Enable the protocols enabled here there too.
        #[arg(id = "keep", long, short)]
        keep: bool,
        /// Add the server beside the ones connected, as [NAME=]HOST[:PORT][@LAT,LON].
        #[arg(id = "add", long, short)]
        add: bool,
    },

    /// `use NAME`.
    #[command(
        about = "with several servers: the one commands go to (the prompt names it)",
        long_about = "Raw !CMD lines, status, fields, watch and the other commands that \
                      talk to one server go to this one; networks and clients merge them \
                      all, and enable, remove, filter, only, pause, resume and set apply \
                      to each. The name is the one given as NAME=HOST, else HOST:PORT \
                      (see servers).",
        after_help = "use kitchen"
    )]
    Use {
        /// The server's name.
        #[arg(id = "server_name", value_name = "NAME")]
        name: String,
    },

    /// `on NAME|all COMMAND`.
    #[command(
        about = "run a command on one server, or on each (on all !CMD)",
        long_about = "COMMAND is the rest of the line, a shell command or a raw !CMD; with \
                      all, it runs on each server in turn, each answer under the server's \
                      name.",
        after_help = "on kitchen !HOPSOURCE ...\non all status\non all !LISTWEPKEYS"
    )]
    On {
        /// The server's name, or `all`.
        #[arg(id = "server_name", value_name = "NAME|all")]
        target: String,
        /// The command: the rest of the line.
        #[arg(id = "line", value_name = "COMMAND", allow_hyphen_values = true)]
        line: String,
    },

    /// `reconnect`.
    #[command(
        about = "connect to the same server again, with the same protocols enabled",
        long_about = "For a server that was restarted, or after disconnect; the shell also \
                      reconnects by itself unless started with --no-reconnect.",
        after_help = "reconnect"
    )]
    Reconnect,

    /// `disconnect [NAME]`.
    #[command(
        about = "close the connection (reconnect or connect to go on); with several, NAME's",
        long_about = "With several servers, disconnect NAME closes that server's \
                      connection and takes it out of the session (connect --add brings it \
                      back); without NAME, the server commands go to.",
        after_help = "disconnect\ndisconnect attic"
    )]
    Disconnect {
        /// With several servers: which.
        #[arg(id = "server_name", value_name = "NAME")]
        name: Option<String>,
    },

    /// `clear`.
    #[command(about = "clear the screen (Ctrl-L does too)", after_help = "clear")]
    Clear,

    /// `help [COMMAND]`.
    #[command(
        alias = "?",
        about = "list commands, or explain one",
        long_about = "Raw server commands are typed with a leading '!': `help !` lists them, \
                      `help !ENABLE` explains one.",
        after_help = "help\nhelp enable\nhelp !\nhelp !HOPSOURCE"
    )]
    Help {
        /// A shell command, `!` or `!` and a server command.
        #[arg(id = "topic", value_name = "COMMAND")]
        topic: Option<String>,
    },

    /// `quit`.
    #[command(
        alias = "exit",
        about = "leave the shell (Ctrl-D does too)",
        after_help = "quit"
    )]
    Quit,
}

/// What an argument is, by its clap id, for completion. An argument with
/// possible values (sort columns, network types, `new|changed|all`,
/// `on|off`) needs no entry: it is [`ArgKind::Choice`].
const ARG_KINDS: [(&str, ArgKind); 22] = [
    ("file", ArgKind::File),
    ("query", ArgKind::Sql),
    ("line", ArgKind::Line),
    ("server_name", ArgKind::ServerName),
    ("since", ArgKind::Server(kismet_protocol::ArgKind::Word)),
    ("server", ArgKind::Server(kismet_protocol::ArgKind::Word)),
    ("proto", ArgKind::Server(kismet_protocol::ArgKind::Protocol)),
    (
        "fields",
        ArgKind::Server(kismet_protocol::ArgKind::FieldList),
    ),
    ("enabled", ArgKind::EnabledProtocol),
    ("net", ArgKind::Network),
    ("bssid", ArgKind::AnyNetwork),
    ("source", ArgKind::Source),
    ("channel", ArgKind::Channel),
    (
        "definition",
        ArgKind::Server(kismet_protocol::ArgKind::Word),
    ),
    ("rate", ArgKind::Server(kismet_protocol::ArgKind::Word)),
    ("target", ArgKind::WatchTarget),
    ("expr", ArgKind::Expression),
    ("topic", ArgKind::Topic),
    ("addr", ArgKind::Server(kismet_protocol::ArgKind::Word)),
    ("lines", ArgKind::Server(kismet_protocol::ArgKind::Word)),
    ("point", ArgKind::Server(kismet_protocol::ArgKind::Word)),
    ("radius", ArgKind::Server(kismet_protocol::ArgKind::Word)),
];

/// The kind of one of the definition's arguments: from `ARG_KINDS` by
/// id, else [`ArgKind::Choice`] when it has possible values; `None` for an
/// argument nobody said the kind of (a test checks there is none).
pub fn arg_kind(arg: &Arg) -> Option<ArgKind> {
    ARG_KINDS
        .iter()
        .find(|(id, _)| arg.get_id() == *id)
        .map(|(_, k)| *k)
        .or_else(|| (!arg.get_possible_values().is_empty()).then_some(ArgKind::Choice))
}

/// The definition as a clap command (built once): its subcommands are the
/// shell commands, in the order `help` lists them.
pub fn definition() -> &'static Command {
    static DEFINITION: LazyLock<Command> = LazyLock::new(|| {
        let mut cmd = Line::command();
        cmd.build();
        cmd
    });
    &DEFINITION
}

/// The shell command called `name` (or one of its aliases), any case.
pub fn find(name: &str) -> Option<&'static Command> {
    subcommand(definition(), name)
}

/// The subcommand of `cmd` called `name` or one of its aliases, any case.
pub fn subcommand<'c>(cmd: &'c Command, name: &str) -> Option<&'c Command> {
    cmd.get_subcommands().find(|c| {
        c.get_name().eq_ignore_ascii_case(name)
            || c.get_all_aliases().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// A command's positional arguments, in order.
pub fn positionals(cmd: &Command) -> impl Iterator<Item = &Arg> {
    cmd.get_positionals()
}

/// A command's options (`--sort`, `--keep`), in order.
pub fn options(cmd: &Command) -> impl Iterator<Item = &Arg> {
    cmd.get_arguments().filter(|a| !a.is_positional())
}

/// True when an option takes a value (`--sort COLUMN`, not `--keep`).
pub fn takes_value(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Set | ArgAction::Append)
}

/// The value names of an argument, joined (`PROTO`, `NAME VALUE`).
pub fn value_name(arg: &Arg) -> String {
    arg.get_value_names().map_or_else(
        || arg.get_id().as_str().to_ascii_uppercase(),
        |names| {
            names
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        },
    )
}

/// A command's argument syntax, from the definition, the way `help` and
/// the hints show it: required positionals as their value names, optional
/// ones in brackets (nested: a later one needs the earlier), then a
/// subcommand's value name, then the options (`[--sort COLUMN]`).
///
/// # Examples
/// ```
/// use kismet_shell::shell::commands::{find, usage};
/// assert_eq!(usage(find("filter").unwrap()), "[PROTO [EXPR|off]]");
/// assert_eq!(
///     usage(find("nets").unwrap()),
///     "[near [LAT,LON [RADIUS_M]]] [--sort COLUMN] [--type TYPE] [--since AGE] \
///      [--server NAME] [--wide]"
/// );
/// ```
pub fn usage(cmd: &Command) -> String {
    usage_from(cmd, 0, &[])
}

/// [`usage`] from the `from`-th positional on, leaving out the options
/// already given (by id): what is still to type.
pub fn usage_from(cmd: &Command, from: usize, given: &[&str]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut open = 0;
    for arg in positionals(cmd).skip(from) {
        let mut name = value_name(arg);
        if matches!(arg.get_action(), clap::ArgAction::Append) {
            name.push_str("...");
        }
        if arg.is_required_set() {
            parts.push(name);
        } else {
            parts.push(format!("[{name}"));
            open += 1;
        }
    }
    if let Some(last) = parts.last_mut() {
        last.push_str(&"]".repeat(open));
    }
    if cmd.has_subcommands() && from == 0 {
        let name = cmd.get_subcommand_value_name().unwrap_or("COMMAND");
        parts.push(if cmd.is_subcommand_required_set() {
            name.to_string()
        } else {
            format!("[{name}]")
        });
    }
    for arg in options(cmd).filter(|a| !given.contains(&a.get_id().as_str())) {
        let flag = arg
            .get_long()
            .map(|l| format!("--{l}"))
            .or_else(|| arg.get_short().map(|s| format!("-{s}")))
            .unwrap_or_default();
        if takes_value(arg) {
            parts.push(format!("[{flag} {}]", value_name(arg)));
        } else {
            parts.push(format!("[{flag}]"));
        }
    }
    parts.join(" ")
}

/// The visible names of an argument's possible values, for completion.
pub fn choices(arg: &Arg) -> Vec<String> {
    arg.get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect()
}
