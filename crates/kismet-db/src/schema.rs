//! The schema: the tables, their columns and indexes, and its version.

/// The schema's version, in `meta` under `schema_version`. A file with a
/// higher one is refused; a lower one is migrated.
pub const SCHEMA_VERSION: i64 = 1;

/// The tables, as created in a new file. Times are Unix seconds: `ts`
/// REAL (fractions kept), `first_seen`/`last_seen`/`started`/`ended`
/// INTEGER. Positions are degrees (REAL), altitudes metres. `server` is
/// the address the session connected to (`HOST:PORT`, or a recording's
/// path); `session` is a `sessions.id`. `fields_json` holds the device's
/// other decoded values as a JSON object (its SSID list, cloaked flag,
/// data cipher set...), for what has no column.
///
/// `observations_by_session` covers the counts of
/// [`Reader::sessions`](crate::Reader::sessions) (observations and
/// distinct MACs per session) without reading the table.
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    id          INTEGER PRIMARY KEY,
    server      TEXT NOT NULL,
    server_name TEXT,
    started     INTEGER NOT NULL,
    ended       INTEGER,
    greeting    TEXT
);
CREATE TABLE IF NOT EXISTS networks (
    server          TEXT NOT NULL,
    bssid           TEXT NOT NULL,
    ssid            TEXT,
    cloaked         INTEGER,
    type            TEXT,
    channel         INTEGER,
    encryption      TEXT,
    cipher          TEXT,
    auth            TEXT,
    manuf           TEXT,
    first_seen      INTEGER,
    last_seen       INTEGER,
    packets         INTEGER,
    best_signal_dbm INTEGER,
    best_lat        REAL,
    best_lon        REAL,
    best_alt        REAL,
    avg_lat         REAL,
    avg_lon         REAL,
    fields_json     TEXT,
    PRIMARY KEY (server, bssid)
);
CREATE TABLE IF NOT EXISTS ssids (
    server     TEXT NOT NULL,
    bssid      TEXT NOT NULL,
    ssid       TEXT NOT NULL,
    type       TEXT NOT NULL,
    first_seen INTEGER,
    last_seen  INTEGER,
    PRIMARY KEY (server, bssid, ssid, type)
);
CREATE TABLE IF NOT EXISTS clients (
    server          TEXT NOT NULL,
    bssid           TEXT NOT NULL,
    mac             TEXT NOT NULL,
    type            TEXT,
    manuf           TEXT,
    ip              TEXT,
    first_seen      INTEGER,
    last_seen       INTEGER,
    packets         INTEGER,
    best_signal_dbm INTEGER,
    best_lat        REAL,
    best_lon        REAL,
    fields_json     TEXT,
    PRIMARY KEY (server, bssid, mac)
);
CREATE TABLE IF NOT EXISTS observations (
    ts         REAL NOT NULL,
    session    INTEGER,
    server     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    bssid      TEXT NOT NULL,
    mac        TEXT NOT NULL,
    signal_dbm INTEGER,
    lat        REAL,
    lon        REAL,
    alt        REAL,
    fix        INTEGER
);
CREATE TABLE IF NOT EXISTS gps (
    ts      REAL NOT NULL,
    session INTEGER,
    lat     REAL,
    lon     REAL,
    alt     REAL,
    speed   REAL,
    heading REAL,
    fix     INTEGER
);
CREATE TABLE IF NOT EXISTS alerts (
    ts      REAL NOT NULL,
    session INTEGER,
    header  TEXT,
    bssid   TEXT,
    source  TEXT,
    dest    TEXT,
    channel INTEGER,
    text    TEXT,
    lat     REAL,
    lon     REAL
);
CREATE TABLE IF NOT EXISTS messages (
    ts      REAL NOT NULL,
    session INTEGER,
    kind    TEXT NOT NULL,
    text    TEXT
);
CREATE INDEX IF NOT EXISTS networks_by_bssid ON networks (bssid);
CREATE INDEX IF NOT EXISTS networks_by_last_seen ON networks (last_seen);
CREATE INDEX IF NOT EXISTS clients_by_mac ON clients (mac);
CREATE INDEX IF NOT EXISTS observations_by_bssid ON observations (bssid, ts);
CREATE INDEX IF NOT EXISTS observations_by_mac ON observations (mac, ts);
CREATE INDEX IF NOT EXISTS observations_by_ts ON observations (ts);
CREATE INDEX IF NOT EXISTS observations_by_session ON observations (session, mac);
CREATE INDEX IF NOT EXISTS gps_by_ts ON gps (ts);
CREATE INDEX IF NOT EXISTS alerts_by_ts ON alerts (ts);
CREATE INDEX IF NOT EXISTS messages_by_ts ON messages (ts);
";
