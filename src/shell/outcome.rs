//! What running a shell command gives: data for a front end to render
//! ([`Outcome`]) or a typed failure ([`ShellError`]).

use std::fmt;
use std::time::Duration;

use kismet_client::{Error, Reply};

/// Why a shell command did not succeed.
#[derive(Debug)]
pub enum ShellError {
    /// The line is not a valid shell command (unknown name, wrong number
    /// of arguments, bad quoting, unknown help topic).
    Usage(String),
    /// The library refused or failed it: refused locally, answered with
    /// ERROR, not answered, or the connection is down.
    Client(Error),
    /// The command ran and failed here (an export that could not be
    /// written): batch exit status 1.
    Failed(String),
}

impl ShellError {
    /// True when the failure is the connection's (batch exit status 2),
    /// not the command's (exit status 1).
    pub fn is_connection(&self) -> bool {
        match self {
            ShellError::Usage(_) | ShellError::Failed(_) => false,
            ShellError::Client(e) => e.is_connection(),
        }
    }
}

impl fmt::Display for ShellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShellError::Usage(m) | ShellError::Failed(m) => f.write_str(m),
            ShellError::Client(e) => f.write_str(&error_chain(e)),
        }
    }
}

// Display prints the client's error with its causes: no `source()`, or
// `{:#}` would print them twice.
impl std::error::Error for ShellError {}

/// An error and its causes (`source()`, and theirs), as one line:
/// `connecting to 10.0.0.5:2501: Connection refused (os error 111)`.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    without_os_codes(&text)
}

/// `text` without the ` (os error 111)` that the standard library adds to
/// a system error's message: the words say it, the number helps nobody.
pub fn without_os_codes(text: &str) -> String {
    const MARK: &str = " (os error ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let after = &rest[at + MARK.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(')') {
            out.push_str(&rest[..at]);
            rest = &after[digits + 1..];
        } else {
            out.push_str(&rest[..at + MARK.len()]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

impl From<Error> for ShellError {
    fn from(e: Error) -> ShellError {
        ShellError::Client(e)
    }
}

/// One row of the `protocols` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolRow {
    /// Protocol name.
    pub protocol: String,
    /// All its fields, in capability order.
    pub fields: Vec<String>,
    /// Fields this session enabled, if any.
    pub enabled: Option<Vec<String>>,
    /// Frames seen.
    pub frames: u64,
}

/// What `status` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusReport {
    /// Server name from the greeting, as text (for JSON).
    pub server_name: String,
    /// Server name as sent (for the terminal: shown escaped).
    pub server_name_bytes: Vec<u8>,
    /// Address connected to.
    pub addr: String,
    /// True while connected.
    pub connected: bool,
    /// Server start time, epoch seconds.
    pub server_start: u64,
    /// Server clock from TIME, epoch seconds; `None` before the first TIME.
    pub server_time: Option<u64>,
    /// How long this connection has been up (the server's own uptime is
    /// `server_time - server_start`).
    pub uptime: Duration,
    /// (protocol, frames seen, frames per second).
    pub rates: Vec<(String, u64, f64)>,
    /// (protocol, frames shown, frames filtered out by `filter`/`only`,
    /// frames over the shell's output rate limit).
    pub shown: Vec<(String, u64, u64, u64)>,
    /// (protocol, frames dropped).
    pub dropped: Vec<(String, u64)>,
    /// Malformed lines skipped.
    pub malformed: u64,
    /// Lines over the length limit skipped.
    pub overlong: u64,
    /// Commands awaiting a reply.
    pub pending: usize,
    /// Connections made to this server so far (1 + reconnects, automatic
    /// or by `reconnect`).
    pub connections: u64,
    /// True while output is paused.
    pub paused: bool,
    /// The session database's line (see [`super::db::Database::summary`]),
    /// when one is open.
    pub database: Option<String>,
}

/// How long `gps` waits for a server's first GPS line, counted from when
/// the model started: a server with GPS sends one a second (even with no
/// fix), so after this long without one the server has none.
pub const GPS_SILENCE: Duration = Duration::from_secs(3);

/// What `gps` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct GpsReport {
    /// The latest GPS line; `None` before the first.
    pub fix: Option<kismet_client::FixView>,
    /// GPS lines read so far.
    pub lines: u64,
    /// How long the model has been reading the server.
    pub listened: Duration,
}

/// One protocol's line of the `status` report.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusRow {
    /// The protocol.
    pub protocol: String,
    /// Frames received.
    pub frames: u64,
    /// Frames shown.
    pub shown: u64,
    /// Frames kept from the display by `filter` or `only`.
    pub filtered: u64,
    /// Frames over the shell's output rate limit (not shown).
    pub limited: u64,
    /// Frames per second over the last seconds.
    pub per_second: f64,
    /// Frames dropped because the output fell behind.
    pub dropped: u64,
}

impl StatusReport {
    /// One row per protocol that has frames or drops, sorted.
    pub fn rows(&self) -> Vec<StatusRow> {
        let mut names: Vec<&String> = self
            .rates
            .iter()
            .map(|(p, _, _)| p)
            .chain(self.dropped.iter().map(|(p, _)| p))
            .collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .map(|p| {
                let (frames, per_second) = self
                    .rates
                    .iter()
                    .find(|(q, _, _)| q == p)
                    .map_or((0, 0.0), |(_, t, r)| (*t, *r));
                let (shown, filtered, limited) = self
                    .shown
                    .iter()
                    .find(|(q, ..)| q == p)
                    .map_or((0, 0, 0), |(_, s, f, l)| (*s, *f, *l));
                let dropped = self
                    .dropped
                    .iter()
                    .find(|(q, _)| q == p)
                    .map_or(0, |(_, n)| *n);
                StatusRow {
                    protocol: p.clone(),
                    frames,
                    shown,
                    filtered,
                    limited,
                    per_second,
                    dropped,
                }
            })
            .collect()
    }
}

/// The result of a command, for a front end to render.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing to show.
    Nothing,
    /// The `protocols` table.
    Protocols(Vec<ProtocolRow>),
    /// The `fields PROTO` table.
    Fields {
        /// Protocol name.
        protocol: String,
        /// Field names in order.
        fields: Vec<String>,
        /// Enabled field list, if any.
        enabled: Option<Vec<String>>,
    },
    /// The server's answer to a command (an ACK, or the TERMINATE that
    /// answers SHUTDOWN; an ERROR is [`Error::Server`]).
    Reply(Reply),
    /// The `status` report.
    Status(StatusReport),
    /// Help text (laid out for 80 columns), and its topic, to lay it out
    /// again for a narrower terminal.
    Help {
        /// `help TOPIC`'s topic; `None` for the list.
        topic: Option<String>,
        /// The text.
        text: String,
    },
    /// Output paused.
    Paused,
    /// Output resumed.
    Resumed {
        /// Frames not shown while it was paused.
        skipped: u64,
    },
    /// Connected (`connect`, `reconnect`).
    Connected {
        /// The address.
        addr: String,
        /// The server's name.
        server: String,
        /// How many protocols it offers.
        protocols: usize,
        /// Subscriptions carried over: the protocols enabled again.
        restored: Vec<String>,
        /// Subscriptions that could not be carried over, with why.
        failed: Vec<(String, String)>,
    },
    /// Disconnected by `disconnect`.
    Disconnected {
        /// The address.
        addr: String,
    },
    /// Clear the screen.
    Clear,
    /// A sentence that says what a command did (or did not need to do).
    Note(String),
    /// `--wide`: this outcome with every column, whole, whatever the
    /// terminal's width.
    Wide(Box<Outcome>),
    /// The `networks` list.
    Networks {
        /// The networks, in the order to show.
        rows: Vec<kismet_client::NetworkView>,
        /// Now, epoch seconds (the server's clock when known), for "3s ago".
        now: u64,
        /// With `near`: each row's distance from the point, metres.
        distances: Option<Vec<f64>>,
        /// While disconnected: the server's time when data last came
        /// (epoch seconds; 0 when unknown), for "data as of HH:MM:SS,
        /// disconnected".
        as_of: Option<u64>,
    },
    /// The `clients` list.
    Clients {
        /// The clients, in the order to show.
        rows: Vec<kismet_client::ClientView>,
        /// Now, epoch seconds, for "3s ago".
        now: u64,
        /// With `near`: each row's distance from the point, metres.
        distances: Option<Vec<f64>>,
        /// While disconnected: the server's time when data last came
        /// (epoch seconds; 0 when unknown), for "data as of HH:MM:SS,
        /// disconnected".
        as_of: Option<u64>,
        /// The BSSIDs of hidden networks (cloaked, name not known): their
        /// clients' SSID shows as `<hidden>`, as `networks` shows them.
        hidden: std::collections::BTreeSet<String>,
    },
    /// The `stations` list.
    Stations {
        /// The stations, in the order to show.
        rows: Vec<kismet_client::StationView>,
        /// Now, epoch seconds, for "3s ago".
        now: u64,
        /// While disconnected: the server's time when data last came
        /// (epoch seconds; 0 when unknown).
        as_of: Option<u64>,
    },
    /// `network NET`: one network in detail.
    Network(Box<NetworkReport>),
    /// The `gps` report.
    Gps(GpsReport),
    /// The `servers` list.
    Servers(Vec<ServerRow>),
    /// The `sources` list: the server's capture sources, by name.
    Sources(Vec<kismet_client::SourceView>),
    /// The `alerts` list: the recent alerts, oldest first.
    Alerts(kismet_client::AlertList),
    /// The `channels` list: activity per channel, and its source.
    Channels(kismet_client::ChannelsView),
    /// The display rules, after `filter` or `only` (changed or not).
    Rules(Vec<crate::shell::display::RuleView>),
    /// The settings, after `set` (changed or not).
    Settings(crate::shell::session::Settings),
    /// Rows of values: `sessions`, `sql`.
    Rows(Rows),
    /// Leave the shell.
    Quit,
}

impl Outcome {
    /// `--wide`: the outcome shown with every column, whatever the width.
    pub fn widened(self, wide: bool) -> Outcome {
        if wide {
            Outcome::Wide(Box::new(self))
        } else {
            self
        }
    }
}

/// One network in detail (`network NET`, the watch view's detail).
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkReport {
    /// The network, as `networks` lists it.
    pub network: kismet_client::NetworkView,
    /// The fields only the detail shows, and its signal history.
    pub detail: kismet_client::NetworkDetail,
    /// Its clients (its own record left out), as `clients BSSID` lists them.
    pub clients: Vec<kismet_client::ClientView>,
    /// Now, epoch seconds, for "3s ago".
    pub now: u64,
    /// While disconnected: the server's time when data last came.
    pub as_of: Option<u64>,
}

/// A value in [`Rows`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value.
    Null,
    /// A whole number.
    Integer(i64),
    /// A real number.
    Real(f64),
    /// Text (shown sanitised).
    Text(String),
    /// A BLOB, by its length.
    Blob(usize),
    /// A time, epoch seconds: local time in a table, RFC 3339 UTC in JSON
    /// and CSV (as the devices' times).
    Time(u64),
}

/// One server of a session, for `servers`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerRow {
    /// Its name (`kitchen`, or `HOST:PORT`).
    pub name: String,
    /// Its address.
    pub addr: String,
    /// `connected`, `reconnecting`, `disconnected`, or why it could not
    /// be reached.
    pub state: String,
    /// The name the server gives itself.
    pub server_name: Option<String>,
    /// Protocols it offers.
    pub protocols: Option<usize>,
    /// Frames a second, all protocols.
    pub frames_per_s: Option<f64>,
    /// The server's clock at its latest TIME line, epoch seconds.
    pub server_time: Option<u64>,
    /// Seconds since that line came (the server sends one a second).
    pub silent_s: Option<u64>,
    /// Its GPS: `fix 3D`, `no fix`, `none`; `None` before the model runs.
    pub gps: Option<String>,
    /// Connections made to it (reconnects: one less).
    pub connections: u64,
}

/// Rows of values under column names (see [`Outcome::Rows`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// The JSON objects' `type`: `session`, `row`.
    pub kind: &'static str,
    /// What there is none of, for `(no sessions)`.
    pub empty: &'static str,
    /// The column names.
    pub columns: Vec<String>,
    /// The rows, each as many cells as there are columns.
    pub rows: Vec<Vec<Cell>>,
    /// A line under the table (text only): rows left out, say.
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The OS error number goes, wherever it is in the chain; text that
    /// merely looks like it stays.
    #[test]
    fn os_error_numbers_are_left_out() {
        assert_eq!(
            without_os_codes("connecting to h:1: Connection refused (os error 111)"),
            "connecting to h:1: Connection refused"
        );
        assert_eq!(without_os_codes("a (os error 2): b (os error 13)"), "a: b");
        assert_eq!(without_os_codes("x (os error )"), "x (os error )");
        assert_eq!(without_os_codes("x (os error 5"), "x (os error 5");
    }
}
