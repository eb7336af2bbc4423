//! A live picture of networks, SSIDs and clients, fed with parsed BSSID,
//! SSID and CLIENT frames.
//!
//! The client feeds a [`Model`] on its tracker thread, one batch of frames
//! at a time; front ends take a [`Snapshot`] from any thread. The model
//! depends on nothing but [`kismet_protocol`].
//!
//! - Networks are keyed by BSSID (BSSID frames, and the `mac` of SSID
//!   frames: an SSID belongs to the BSSID it was seen with; a probe
//!   request's to the probing station's own record).
//! - Clients are keyed by (BSSID, MAC) (CLIENT frames). The server also
//!   sends each access point's record of itself (`mac == bssid`); it is
//!   kept, but not counted as a client of the network.
//! - A frame updates only the fields it carries: with fewer fields enabled
//!   ([`NEEDED`] lists the ones the model reads), the others keep their
//!   last value or stay unknown. A value that does not parse, or that is
//!   the server's "unknown" mark (time 0, signal 0, IP `0.0.0.0`, a blank
//!   manufacturer), also leaves the last one in place.
//! - At most `max_devices` networks and client records together are kept,
//!   and at most `max_bytes` by the model's own count ([`Model::memory`]);
//!   past either, the least recently seen (the one no frame touched for
//!   longest) is dropped, and the drop counted.
//! - Each network's BSSID `signal_dbm` is kept once a second (the last of
//!   that second, by the local clock) for the last [`SIGNAL_SECONDS`], for
//!   at most [`MAX_SIGNAL_NETWORKS`] networks at a time (600 bytes each,
//!   counted apart in [`Memory::signal_bytes`]); [`Model::detail`] gives
//!   it, with the BSSID and SSID fields only a network's detail shows.
//! - Names (SSIDs, manufacturers) are kept to [`MAX_NAME_BYTES`]; one cut
//!   there displays ending in [`CUT_MARKER`], and its view says it was cut.
//! - Alerts, once asked for ([`Model::keep_alerts`]): the last
//!   [`MAX_ALERTS`] ALERT lines, decoded, numbered for "what is new"
//!   ([`Model::alerts_since`]); a model may ask for them alone, nothing
//!   of the devices ([`Model::set_devices`]).
//! - GPS: the latest `*GPS` line is the fix ([`Snapshot::gps`]). Its
//!   position counts only with a 2D or 3D fix, not at 0,0, and for
//!   [`FIX_MAX_AGE_MS`] after it came. Each BSSID or CLIENT update of a
//!   device, with such a fix current (and a `lasttime` no more than
//!   [`SIGHTING_MAX_AGE_S`] behind the server's TIME), is a sighting
//!   there: the device's [`PlaceView`] keeps its first and last positions,
//!   the best (where its `signal_dbm` was strongest), the plain mean, the
//!   box around them and their count, to the fix's six decimals. The
//!   server's own position fields (six significant digits: some 90 m of
//!   longitude where |lon| >= 100) stand in only for a device the client
//!   saw no fix for.
//! - Capture sources (SOURCE lines) and the activity per channel (CHANNEL
//!   lines, else the networks) are read once asked for
//!   ([`Model::keep_sources`], [`Model::keep_channels`]).
//!
//! # Examples
//! ```
//! use std::sync::Arc;
//! use kismet_client::Model;
//! use kismet_protocol::Frame;
//!
//! let names: Arc<[String]> = vec!["mac".into(), "ssid".into(), "cryptset".into()].into();
//! let frame = Frame::parse(b"*SSID: 00:14:6C:A1:00:01 \x01HomeNet\x01 2097858 ")
//!     .unwrap()
//!     .with_names(Some(names));
//! let model = Model::default();
//! model.feed(&[frame]);
//! let snap = model.snapshot();
//! assert_eq!(snap.networks[0].ssid.as_deref(), Some("HomeNet"));
//! assert_eq!(snap.networks[0].encryption.enc, "WPA2");
//! ```

mod alerts;
mod bounds;
mod channels;
mod detail;
mod fields;
mod gps;
mod history;
mod interner;
mod locate;
mod place;
mod position;
mod signal;
mod sort;
mod sources;
mod store;
mod table;
mod view;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_bounds;

#[cfg(test)]
mod tests_positions;

use parking_lot::Mutex;

use fields::{FieldMap, Positions, BSSID_FIELDS, CLIENT_FIELDS, GPS_FIELDS, SSID_FIELDS};
use history::Device;
use interner::Interner;
use kismet_protocol::decode::{
    parse_bool, parse_dbm, parse_epoch, parse_f64, parse_ipv4, parse_mac, parse_u32, parse_u64,
};
use kismet_protocol::Frame;
use locate::{Locator, Seen};
use signal::Signals;
use store::{mac_key, Ssid, Store, WireKey, WireMac};

pub use alerts::{AlertList, MAX_ALERTS};
pub use bounds::{CUT_MARKER, DEFAULT_MAX_BYTES, MAX_NAME_BYTES};
pub use channels::{
    Band, ChannelSource, ChannelView, ChannelsView, CHANNEL_FIELDS, CHANNEL_PERIOD_S, MAX_CHANNELS,
    RATE_WINDOW_S,
};
pub use detail::{NetworkDetail, SsidDetail};
pub use gps::{FixView, FIX_MAX_AGE_MS};
pub use history::{
    Alert, GpsLine, History, Observed, Outbox, ServerMessage, Sighting, TrackPoint,
    DEFAULT_MAX_SIGHTINGS, MAX_TRACK_POINTS,
};
pub use locate::SIGHTING_MAX_AGE_S;
pub use position::{LatLon, PlaceView, PositionSource};
pub use signal::{MAX_SIGNAL_NETWORKS, SIGNAL_SECONDS};
pub use sort::{SortColumn, SORT_COLUMNS};
pub use sources::{SourceView, MAX_SOURCES, SOURCE_FIELDS};
pub use store::MAX_SSIDS_PER_NETWORK;
pub use view::{ClientView, Memory, NetworkView, Snapshot, SsidView, StationView};

/// Devices (networks and client records) a [`Model::default`] keeps.
pub const DEFAULT_MAX_DEVICES: usize = 100_000;

/// The fields the model reads, by protocol, so the client can enable them
/// (`ENABLE BSSID bssid,type,...`). Frames may carry more, fewer, or other
/// orders: fields are found by name.
///
/// The client sends a tracker's ENABLEs in name order: BSSID and CLIENT
/// before GPS, so the records the server sends in answer to them (devices
/// seen before, perhaps far away) come before the first fix, and take
/// none. Later such records (the user's own ENABLE, a reconnect) carry
/// an old `lasttime` and take none either (see [`SIGHTING_MAX_AGE_S`]).
pub const NEEDED: [(&str, &[&str]); 4] = [
    ("BSSID", &BSSID_FIELDS),
    ("SSID", &SSID_FIELDS),
    ("CLIENT", &CLIENT_FIELDS),
    ("GPS", &GPS_FIELDS),
];

/// The live model: thread-safe, fed with frames, read through snapshots.
#[derive(Debug)]
pub struct Model {
    state: Mutex<State>,
}

/// Everything behind the lock.
#[derive(Debug)]
struct State {
    store: Store,
    manufs: Interner,
    bssid_at: FieldMap<{ BSSID_FIELDS.len() }>,
    ssid_at: FieldMap<{ SSID_FIELDS.len() }>,
    client_at: FieldMap<{ CLIENT_FIELDS.len() }>,
    /// The GPS, the server's clock, and where each device was seen (a
    /// record holds the id of its place).
    located: Locator,
    /// The capture sources (SOURCE lines), read once asked for.
    sources: sources::Sources,
    /// The networks' signal over the last minutes.
    signals: Signals,
    /// Now, epoch seconds, as the batch being fed began.
    second: u64,
    /// The recent alerts (ALERT lines), kept once asked for.
    alerts: alerts::Alerts,
    /// Ask for the fields of the devices and the GPS ([`NEEDED`]): false
    /// for a model that only keeps alerts so far.
    devices: bool,
    /// Activity per channel (CHANNEL lines, samples of the networks),
    /// read once asked for.
    channels: channels::Channels,
    /// Frames applied.
    frames: u64,
}

impl Default for Model {
    /// A model for [`DEFAULT_MAX_DEVICES`] devices and
    /// [`DEFAULT_MAX_BYTES`].
    fn default() -> Model {
        Model::new(DEFAULT_MAX_DEVICES)
    }
}

/// How many frames ahead of the one it applies the model asks for a
/// frame's memory (see [`Model::feed`]).
const PREFETCH_AHEAD: usize = 4;

/// How many frames ahead the model asks for the record a CLIENT frame
/// updates (the frame's own memory was asked for before).
const RECORD_AHEAD: usize = 2;

/// Whether a frame is one the model reads (a byte comparison).
fn is_model_frame(f: &Frame) -> bool {
    matches!(
        f.protocol_bytes(),
        b"BSSID"
            | b"SSID"
            | b"CLIENT"
            | b"GPS"
            | b"TIME"
            | b"STATUS"
            | b"TERMINATE"
            | b"ALERT"
            | b"SOURCE"
            | b"CHANNEL"
    )
}

impl Model {
    /// An empty model that keeps at most `max_devices` networks and client
    /// records together (at least 1), in at most [`DEFAULT_MAX_BYTES`].
    pub fn new(max_devices: usize) -> Model {
        Model::with_limits(max_devices, DEFAULT_MAX_BYTES)
    }

    /// An empty model that keeps at most `max_devices` networks and client
    /// records together, and at most `max_bytes` by its own count (see
    /// [`Memory::bytes`]); past either, the least recently seen devices
    /// are evicted, and counted.
    ///
    /// The model's tables are counted as allocated, and they never
    /// shrink; so that evicting can always bring it under `max_bytes`, it
    /// holds no more devices than its tables at their largest would fit
    /// in half of it (about 1.2 KB a device): fewer than `max_devices` when
    /// `max_bytes` is small for them, but at least one.
    /// [`Memory::max_devices`] says how many (with 256 MiB, up to some
    /// 107,000).
    ///
    /// # Examples
    /// ```
    /// use kismet_client::Model;
    ///
    /// let model = Model::with_limits(1_000_000, 64 << 20);
    /// let memory = model.memory();
    /// assert_eq!(memory.max_bytes, 64 << 20);
    /// assert!(memory.max_devices < 1_000_000);
    /// assert!(memory.bytes < 1 << 20);
    /// ```
    pub fn with_limits(max_devices: usize, max_bytes: usize) -> Model {
        Model {
            state: Mutex::new(State {
                store: Store::with_limits(max_devices, max_bytes),
                manufs: Interner::default(),
                bssid_at: FieldMap::new(&BSSID_FIELDS),
                ssid_at: FieldMap::new(&SSID_FIELDS),
                client_at: FieldMap::new(&CLIENT_FIELDS),
                located: Locator::default(),
                sources: sources::Sources::default(),
                signals: Signals::default(),
                second: 0,
                alerts: alerts::Alerts::default(),
                devices: true,
                channels: channels::Channels::default(),
                frames: 0,
            }),
        }
    }

    /// Applies a batch of frames, under one lock. Frames of other
    /// protocols, frames without field names, and records without a valid
    /// MAC are skipped. Never panics on the values.
    ///
    /// The frames were parsed on another core (the reader's), and a CLIENT
    /// frame is mostly about a client last seen thousands of frames ago:
    /// while it applies one frame, the model asks for the memory of the
    /// frame four places on (a prefetch hint) and for the client record
    /// that the frame two places on updates, so that both arrive while the
    /// model works instead of being waited for.
    pub fn feed(&self, frames: &[Frame]) {
        let Some(first) = frames.iter().position(is_model_frame) else {
            return;
        };
        let frames = &frames[first..];
        frames
            .iter()
            .take(PREFETCH_AHEAD)
            .for_each(crate::cache::prefetch_frame);
        let mut state = self.state.lock();
        state.second = view::now_ms() / 1000;
        // The client of frame i is found (and its record asked for) when
        // frame i - RECORD_AHEAD is applied, and kept here till then.
        let mut found: [Option<Found>; RECORD_AHEAD] = [None; RECORD_AHEAD];
        for (slot, f) in found.iter_mut().zip(frames) {
            *slot = state.look_ahead(f);
        }
        for (i, f) in frames.iter().enumerate() {
            if let Some(ahead) = frames.get(i + PREFETCH_AHEAD) {
                crate::cache::prefetch_frame(ahead);
            }
            let next = frames
                .get(i + RECORD_AHEAD)
                .and_then(|a| state.look_ahead(a));
            let this = std::mem::replace(&mut found[i % RECORD_AHEAD], next);
            let applied = match f.protocol_bytes() {
                b"BSSID" => state.bssid(f),
                b"SSID" => state.ssid(f),
                b"CLIENT" => state.client(f, this),
                b"GPS" => {
                    state.located.gps_line(f);
                    false
                }
                b"TIME" => {
                    state.located.time(f);
                    state.sample_channels();
                    false
                }
                b"STATUS" | b"TERMINATE" | b"ALERT" => {
                    let want = state.alerts.kept;
                    if let Some(alert) = state.located.event_line(f, want) {
                        state.alerts.push(alert);
                    }
                    false
                }
                b"SOURCE" => {
                    state.sources.line(f);
                    false
                }
                b"CHANNEL" => {
                    let clock = state.located.clock();
                    state.channels.line(f, clock);
                    false
                }
                _ => false,
            };
            state.frames += u64::from(applied);
        }
    }

    /// A copy of the whole picture. The lock is held only while the raw
    /// records are copied; the views are built after it is released.
    pub fn snapshot(&self) -> Snapshot {
        let raw =
            {
                let state = self.state.lock();
                let located = &state.located;
                view::Raw::copy(&state.store, &state.manufs, &located.places, state.frames)
                    .with_gps(located.gps.fix, located.gps.lines, state.memory())
            };
        raw.into_snapshot()
    }

    /// The GPS's latest line as it stands now (see [`Snapshot::gps`]),
    /// without copying the devices.
    pub fn gps(&self) -> Option<FixView> {
        let fix = self.state.lock().located.gps.fix;
        fix.map(|f| FixView::of(&f, view::now_ms()))
    }

    /// GPS lines the model has read, ever: 0 for a server without GPS
    /// (see [`Snapshot::gps_lines`]).
    pub fn gps_lines(&self) -> u64 {
        self.state.lock().located.gps.lines
    }

    /// Reads the server's capture sources from now on: the model asks for
    /// SOURCE (once tracked again: [`crate::Client::track`]), whose lines
    /// the server sends once a second (see [`Model::sources`]).
    pub fn keep_sources(&self) {
        self.state.lock().sources.kept = true;
    }

    /// Whether the model reads the capture sources ([`Model::keep_sources`]).
    pub fn keeps_sources(&self) -> bool {
        self.state.lock().sources.kept
    }

    /// The capture sources as their latest SOURCE lines gave them, by
    /// name (at most [`MAX_SOURCES`]).
    pub fn sources(&self) -> Vec<SourceView> {
        self.state.lock().sources.views()
    }

    /// Forgets the capture source of this UUID (removed by DELSOURCE; a
    /// later line of it brings it back); true if it was listed.
    pub fn forget_source(&self, uuid: &str) -> bool {
        self.state.lock().sources.forget(uuid)
    }

    /// SOURCE lines the model has read, ever: 0 for a server without
    /// capture sources.
    pub fn source_lines(&self) -> u64 {
        self.state.lock().sources.lines
    }

    /// Keeps the recent alerts from now on: the model asks for ALERT
    /// (once tracked again: [`crate::Client::track`]) and keeps the last
    /// [`MAX_ALERTS`] (see [`Model::alerts`]). They outlive
    /// [`Model::clear`].
    pub fn keep_alerts(&self) {
        self.state.lock().alerts.kept = true;
    }

    /// Whether the model keeps the alerts ([`Model::keep_alerts`]).
    pub fn keeps_alerts(&self) -> bool {
        self.state.lock().alerts.kept
    }

    /// A copy of the alerts kept, oldest first.
    pub fn alerts(&self) -> AlertList {
        self.state.lock().alerts.list()
    }

    /// The alerts numbered `seq` (0 for the first ever) and after, still
    /// kept, and the number to ask from next time: a front end's "what is
    /// new" (see [`AlertList::total`]).
    pub fn alerts_since(&self, seq: u64) -> (Vec<Alert>, u64) {
        self.state.lock().alerts.since(seq)
    }

    /// Alerts kept ever: the number the next one will have.
    pub fn alert_count(&self) -> u64 {
        self.state.lock().alerts.total()
    }

    /// Whether the model asks for the devices and the GPS ([`NEEDED`]):
    /// true unless turned off with [`Model::set_devices`].
    pub fn tracks_devices(&self) -> bool {
        self.state.lock().devices
    }

    /// Asks for the devices and the GPS, or not (once tracked again): a
    /// model started only for its alerts costs the server and the client
    /// nothing for the devices until they are wanted.
    pub fn set_devices(&self, on: bool) {
        self.state.lock().devices = on;
    }

    /// Reads the activity per channel from now on: the model asks for
    /// CHANNEL (once tracked again: [`crate::Client::track`]), whose lines
    /// the server sends every two seconds for the channels with traffic,
    /// and samples its networks' packet counts at each TIME line, for
    /// a server that sends none (see [`Model::channels`]).
    pub fn keep_channels(&self) {
        self.state.lock().channels.kept = true;
    }

    /// Whether the model reads the activity per channel
    /// ([`Model::keep_channels`]).
    pub fn keeps_channels(&self) -> bool {
        self.state.lock().channels.kept
    }

    /// The activity per channel: from the latest CHANNEL line of each
    /// channel when the server sent any, else from the networks (see
    /// [`ChannelsView::source`]). At most [`MAX_CHANNELS`].
    pub fn channels(&self) -> ChannelsView {
        let state = self.state.lock();
        let clock = state.located.clock();
        state.channels.view(clock, network_parts(&state.store))
    }

    /// CHANNEL lines the model has read, ever.
    pub fn channel_lines(&self) -> u64 {
        self.state.lock().channels.lines_read
    }

    /// Keeps every sighting of a device at a fix from now on, at most one
    /// per device per second and `max` in all (0: none, the default):
    /// the rows of a WiGLE CSV export (see [`Model::history`]).
    pub fn keep_sightings(&self, max: usize) {
        self.state.lock().located.history.keep_sightings(max);
    }

    /// A copy of the GPS track and the sightings kept (see
    /// [`Model::keep_sightings`]). The track and the sightings outlive
    /// [`Model::clear`]: a reconnection breaks the track, and what was
    /// seen before it stays.
    pub fn history(&self) -> History {
        self.state.lock().located.history.copy()
    }

    /// Fills an outbox of up to `max` items from now on (0: none, the
    /// default): every BSSID and CLIENT update (at most one per device per
    /// second, with its position when a fix is current) and every GPS line
    /// (at most one a second), for a session database to drain (see
    /// [`Model::drain_outbox`]). Past `max` undrained, further ones are
    /// dropped and counted.
    pub fn keep_outbox(&self, max: usize) {
        self.state.lock().located.history.keep_outbox(max);
    }

    /// What came since the last drain (see [`Model::keep_outbox`]).
    pub fn drain_outbox(&self) -> Outbox {
        self.state.lock().located.history.drain_outbox()
    }

    /// What the detail of the network `bssid` (any case) shows beyond its
    /// [`NetworkView`], with its signal over the last minutes; `None`
    /// when the model has no such network.
    pub fn detail(&self, bssid: &str) -> Option<NetworkDetail> {
        let key = mac_key(parse_mac(bssid.trim().as_bytes())?);
        let state = self.state.lock();
        let net = state.store.networks.get(&key)?;
        Some(NetworkDetail::of(net, state.signals.points(key)))
    }

    /// Networks and client records held now.
    pub fn devices(&self) -> usize {
        self.state.lock().store.devices()
    }

    /// The model's own account of the memory it holds, and its limits
    /// (also in every [`Snapshot`]).
    pub fn memory(&self) -> Memory {
        self.state.lock().memory()
    }

    /// Forgets every device and the GPS fix (for a new connection); the
    /// counters of frames, GPS lines and evictions carry on.
    pub fn clear(&self) {
        let mut state = self.state.lock();
        state.store.clear();
        state.manufs.clear();
        state.located.clear();
        state.sources.clear();
        state.signals.clear();
        state.channels.clear();
    }
}

/// The model as the client's tracker: it asks for the fields it reads
/// (`NEEDED`) and is fed every frame of BSSID, SSID, CLIENT, GPS (and
/// TIME, always on) on the client's tracker thread.
impl crate::Tracker for Model {
    /// `NEEDED` (unless [`Model::set_devices`] turned it off), SOURCE
    /// with every field once asked to ([`Model::keep_sources`]), and
    /// ALERT with every field while the model keeps an outbox (a session
    /// database keeps the alerts) or the alerts ([`Model::keep_alerts`]).
    fn needs(&self) -> Vec<(String, Vec<String>)> {
        let state = self.state.lock();
        let mut needs: Vec<(String, Vec<String>)> = NEEDED
            .iter()
            .filter(|_| state.devices)
            .map(|(p, f)| (p.to_string(), f.iter().map(|s| s.to_string()).collect()))
            .collect();
        if state.sources.kept {
            let fields = SOURCE_FIELDS.map(String::from).to_vec();
            needs.push(("SOURCE".into(), fields));
        }
        if state.channels.kept {
            let fields = CHANNEL_FIELDS.map(String::from).to_vec();
            needs.push(("CHANNEL".into(), fields));
        }
        if state.located.history.has_outbox() || state.alerts.kept {
            let alert = [
                "sec", "usec", "header", "bssid", "source", "dest", "other", "channel", "text",
            ];
            needs.push(("ALERT".into(), alert.map(String::from).to_vec()));
        }
        needs
    }

    /// The fields only the network detail reads (recordings made before
    /// it lack them).
    fn optional(&self) -> &[(&str, &str)] {
        &fields::DETAIL_FIELDS
    }

    fn feed(&self, frames: &[Frame]) {
        Model::feed(self, frames);
    }
}

/// A CLIENT frame's client, found before the frame is applied (see
/// [`State::look_ahead`]).
#[derive(Debug, Clone, Copy)]
struct Found {
    /// Where the model's fields are in the frame.
    at: Positions<{ CLIENT_FIELDS.len() }>,
    /// The client's key as the frame writes it.
    key: WireKey,
    /// The key's hash in the client table.
    hash: u64,
}

#[cfg(test)]
impl State {
    /// Panics unless there is one place per device that points to one,
    /// none left behind, and the model's bytes are its parts'.
    fn assert_places_agree(&self) {
        let mut ids: Vec<u32> = (self.store.networks.values().map(|n| n.place))
            .chain(self.store.clients.iter().map(|(_, c)| c.place))
            .filter(|&p| p != 0)
            .collect();
        let held = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!((ids.len(), self.located.places.len()), (held, held));
        let parts = self.store.bytes() + self.manufs.bytes() + self.located.places.bytes();
        assert_eq!(self.memory().bytes, parts);
    }
}

/// Each network's channel, packets and signal, for the activity per
/// channel.
fn network_parts(store: &Store) -> impl Iterator<Item = channels::NetworkPart> + '_ {
    (store.networks.values()).map(|n| channels::NetworkPart {
        channel: n.channel.unwrap_or(0),
        packets: view::sum(n.llc_packets, n.data_packets),
        signal_dbm: n.signal_dbm,
    })
}

/// Stores a field's value when the frame carries it and it parses.
#[inline]
fn set<T>(slot: &mut Option<T>, raw: Option<&[u8]>, parse: fn(&[u8]) -> Option<T>) {
    if let Some(v) = raw.and_then(parse) {
        *slot = Some(v);
    }
}

impl State {
    /// The memory held and the limits (see [`Memory`]).
    fn memory(&self) -> Memory {
        Memory {
            bytes: self.store.bytes() + self.manufs.bytes() + self.located.places.bytes(),
            max_bytes: self.store.max_bytes(),
            devices: self.store.devices(),
            max_devices: self.store.cap(),
            names: self.manufs.len(),
            evicted_for_bytes: self.store.evicted_for_bytes,
            signal_bytes: self.signals.bytes(),
        }
    }

    /// At a TIME line, while the activity per channel is read: a sample of
    /// the networks' packets per channel.
    fn sample_channels(&mut self) {
        if !self.channels.kept {
            return;
        }
        if let Some(clock) = self.located.clock() {
            self.channels.sample(clock, network_parts(&self.store));
        }
    }

    /// Applies a BSSID frame; false when it has no names or no valid BSSID.
    fn bssid(&mut self, f: &Frame) -> bool {
        use fields::bssid as b;
        let Some(at) = self.bssid_at.resolve(f) else {
            return false;
        };
        let Some(mac) = at.get(f, b::BSSID).and_then(parse_mac) else {
            return false;
        };
        let (net, added) = self.store.network(mac_key(mac));
        set(&mut net.net_type, at.get(f, b::TYPE), parse_u32);
        set(&mut net.channel, at.get(f, b::CHANNEL), parse_u32);
        let signal = at.get(f, b::SIGNAL_DBM).and_then(parse_dbm);
        net.signal_dbm = signal.or(net.signal_dbm);
        set(&mut net.llc_packets, at.get(f, b::LLC_PACKETS), parse_u64);
        set(&mut net.data_packets, at.get(f, b::DATA_PACKETS), parse_u64);
        set(&mut net.datasize, at.get(f, b::DATASIZE), parse_u64);
        set(&mut net.first_seen, at.get(f, b::FIRST_TIME), parse_epoch);
        let last = at.get(f, b::LAST_TIME).and_then(parse_epoch);
        let prev_last = net.last_seen;
        net.last_seen = last.or(net.last_seen);
        set(
            &mut net.data_cryptset,
            at.get(f, b::DATA_CRYPTSET),
            parse_u64,
        );
        (net.crypt_packets).set(at.get(f, b::CRYPT_PACKETS).and_then(parse_u64));
        (net.min_signal_dbm).set(at.get(f, b::MIN_SIGNAL_DBM).and_then(parse_dbm));
        (net.max_signal_dbm).set(at.get(f, b::MAX_SIGNAL_DBM).and_then(parse_dbm));
        (net.max_seen_rate).set(at.get(f, b::MAX_SEEN_RATE).and_then(parse_u32));
        (net.range_ip).set(at.get(f, b::RANGE_IP).and_then(parse_ipv4).map(u32::from));
        if let Some(dbm) = signal {
            self.signals.push(mac_key(mac), self.second, dbm);
        }
        let mut changed = added;
        let seen = Seen {
            frame: f,
            signal,
            last,
            prev_last,
            device: Device::Network(mac_key(mac)),
        };
        let server = || at.server(f, b::GPS_FIXED);
        changed |= self.located.update(&mut net.place, added, seen, server);
        self.located.observe(seen);
        if let Some(raw) = at.get(f, b::MANUF) {
            let id = self.manufs.intern(net.manuf, raw);
            if id != 0 && id != net.manuf {
                net.manuf = id;
                // Perhaps a new name.
                changed = true;
            }
        }
        self.store
            .settle(changed, &mut self.manufs, &mut self.located.places);
        true
    }

    /// Applies an SSID frame to the network of its `mac`; false when it has
    /// no names or no valid MAC.
    ///
    /// The record updated is the network's SSID with the same type and name
    /// (either unknown matching anything); a new one is added, up to
    /// [`MAX_SSIDS_PER_NETWORK`], when none matches and the frame carries more
    /// than the MAC. A name is kept to [`MAX_NAME_BYTES`] (see
    /// [`bounds::cut_name`]).
    fn ssid(&mut self, f: &Frame) -> bool {
        use fields::ssid as s;
        let Some(at) = self.ssid_at.resolve(f) else {
            return false;
        };
        let Some(mac) = at.get(f, s::MAC).and_then(parse_mac) else {
            return false;
        };
        let ssid_type = at.get(f, s::TYPE).and_then(parse_u32);
        let (name, cut) = match at.get(f, s::SSID).map(bounds::cut_name) {
            Some((name, cut)) => (Some(name), cut),
            None => (None, false),
        };
        let (net, added) = self.store.network(mac_key(mac));
        let found = net.ssids.iter().position(|x| x.matches(ssid_type, name));
        let carries_more = (1..SSID_FIELDS.len()).any(|i| at.get(f, i).is_some());
        // Bytes the network holds more after this frame.
        let mut grew = 0;
        let index = match found {
            Some(i) => Some(i),
            None if carries_more && net.ssids.len() < MAX_SSIDS_PER_NETWORK => {
                // Most networks have one SSID: no room for four.
                let before = net.ssids.capacity();
                net.ssids.reserve_exact(1);
                grew += (net.ssids.capacity() - before) * std::mem::size_of::<Ssid>();
                net.ssids.push(Ssid::default());
                Some(net.ssids.len() - 1)
            }
            None => None,
        };
        if let Some(entry) = index.and_then(|i| net.ssids.get_mut(i)) {
            if let (None, Some(name)) = (&entry.raw, name) {
                entry.raw = Some(Box::from(name));
                entry.cut = cut;
                grew += name.len();
            }
            entry.ssid_type = entry.ssid_type.or(ssid_type);
            set(&mut entry.cryptset, at.get(f, s::CRYPTSET), parse_u64);
            set(&mut entry.cloaked, at.get(f, s::CLOAKED), parse_bool);
            set(&mut entry.max_rate, at.get(f, s::MAX_RATE), parse_f64);
            set(&mut entry.beacons, at.get(f, s::BEACONS), parse_u64);
            set(&mut entry.last_seen, at.get(f, s::LAST_TIME), parse_epoch);
            set(&mut entry.beacon_rate, at.get(f, s::BEACON_RATE), parse_u32);
            set(&mut entry.first_seen, at.get(f, s::FIRST_TIME), parse_epoch);
            set(&mut entry.packets, at.get(f, s::PACKETS), parse_u64);
        }
        self.store.heap += grew;
        self.store.settle(
            added || grew > 0,
            &mut self.manufs,
            &mut self.located.places,
        );
        true
    }

    /// A CLIENT frame's client, found ahead of the frame's turn, its record
    /// asked for (see [`table`]); `None` for another protocol, or when the
    /// frame has no names or its BSSID and MAC are not shaped like MACs.
    #[inline]
    fn look_ahead(&mut self, f: &Frame) -> Option<Found> {
        use fields::client as c;
        if f.protocol_bytes() != b"CLIENT" {
            return None;
        }
        let at = self.client_at.resolve(f)?;
        let bssid = at.get(f, c::BSSID).and_then(WireMac::of)?;
        let mac = at.get(f, c::MAC).and_then(WireMac::of)?;
        let key = (bssid, mac);
        let hash = self.store.clients.hash(&key);
        self.store.clients.prefetch(hash);
        Some(Found { at, key, hash })
    }

    /// Applies a CLIENT frame, whose client was found ahead (`None`: it
    /// has no names or lacks a valid BSSID or MAC, and false is returned).
    fn client(&mut self, f: &Frame, found: Option<Found>) -> bool {
        use fields::client as c;
        let Some(Found { at, key, hash }) = found else {
            return false;
        };
        let (cl, added) = match self.store.client_wire(key, hash) {
            Ok(found) => found,
            Err(Some(canonical)) => {
                let hash = self.store.clients.hash(&canonical);
                match self.store.client_wire(canonical, hash) {
                    Ok(found) => found,
                    Err(_) => return false,
                }
            }
            Err(None) => return false,
        };
        cl.client_type.set(at.get(f, c::TYPE).and_then(parse_u32));
        let signal = at.get(f, c::SIGNAL_DBM).and_then(parse_dbm);
        cl.signal_dbm.set(signal);
        cl.llc_packets
            .set(at.get(f, c::LLC_PACKETS).and_then(parse_u64));
        cl.data_packets
            .set(at.get(f, c::DATA_PACKETS).and_then(parse_u64));
        // When a client was first seen does not change: read once.
        if cl.first_seen.get().is_none() {
            cl.first_seen
                .set(at.get(f, c::FIRST_TIME).and_then(parse_epoch));
        }
        let last = at.get(f, c::LAST_TIME).and_then(parse_epoch);
        let prev_last = cl.last_seen.get();
        cl.last_seen.set(last);
        cl.ip
            .set(at.get(f, c::IP).and_then(parse_ipv4).map(u32::from));
        let mut changed = added;
        let seen = Seen {
            frame: f,
            signal,
            last,
            prev_last,
            device: Device::Client(key),
        };
        let server = || at.server(f, c::GPS_FIXED);
        changed |= self.located.update(&mut cl.place, added, seen, server);
        self.located.observe(seen);
        // Nor does its manufacturer (the server looks it up by MAC).
        if cl.manuf == 0 {
            if let Some(raw) = at.get(f, c::MANUF) {
                cl.manuf = self.manufs.intern(0, raw);
                // Perhaps a new name.
                changed |= cl.manuf != 0;
            }
        }
        self.store
            .settle(changed, &mut self.manufs, &mut self.located.places);
        true
    }
}
