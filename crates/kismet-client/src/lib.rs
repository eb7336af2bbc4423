//! A client for the legacy Kismet server protocol (kismet_server "newcore",
//! TCP port 2501), as the Python `kismetclient` was, with what it lacked:
//! typed errors, timeouts on every wait, bounded memory whatever the server
//! sends, reconnecting, and a live model of the networks and clients seen.
//!
//! [`Client::connect`] reads the greeting and learns every protocol's
//! fields from the server's `CAPABILITY` answers (nothing is hard-coded: a
//! server with plugins has more). [`Client::enable`] asks for a protocol
//! with the fields you want, checked against that table first; the frames
//! then arrive as [`Event::Frames`], each field looked up by name. Commands
//! are matched to their `*ACK`/`*ERROR` by id, with a timeout (the server
//! does not answer some lines at all).
//!
//! ```
//! # let sim = kismet_sim::Sim::start("127.0.0.1:0", kismet_sim::SimConfig::default())?;
//! # let addr = sim.local_addr().to_string();
//! use std::time::{Duration, Instant};
//! use kismet_client::protocol::text::display_ssid;
//! use kismet_client::{Client, Event, Options};
//!
//! let client = Client::connect(&addr, Options::default())?;
//! println!("{} offers {} protocols", client.server_info().name, client.table().len());
//! client.enable("SSID", "ssid,mac", Duration::from_secs(5))?;
//! // The server first sends every SSID it knows, then live updates.
//! let deadline = Instant::now() + Duration::from_secs(5);
//! let mut seen = 0;
//! while seen < 3 {
//!     match client.events().recv_deadline(deadline)? {
//!         Event::Frames(frames) => {
//!             for f in &frames {
//!                 let ssid = display_ssid(f.get("ssid").unwrap_or_default());
//!                 let mac = String::from_utf8_lossy(f.get("mac").unwrap_or_default());
//!                 println!("{mac} {ssid}");
//!                 seen += 1;
//!             }
//!         }
//!         Event::Disconnected { reason } => return Err(reason.to_string().into()),
//!         _ => {}
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The live [`Model`] of networks and clients is fed by the client once
//! tracked; its fields are enabled beside yours on the same connection (see
//! "One subscription per protocol" below), and what you enabled is still
//! all you receive:
//!
//! ```
//! # let sim = kismet_sim::Sim::start("127.0.0.1:0", kismet_sim::SimConfig::default())?;
//! # let addr = sim.local_addr().to_string();
//! use std::sync::Arc;
//! use std::time::Duration;
//! use kismet_client::{Client, Model, Options};
//!
//! let client = Client::connect(&addr, Options::default())?;
//! let model = Arc::new(Model::default());
//! // Returns once the records the server already holds are in the model.
//! client.track(model.clone(), Duration::from_secs(5))?;
//! let snapshot = model.snapshot();
//! for n in &snapshot.networks {
//!     println!("{} {:?} {}", n.bssid, n.ssid, n.encryption);
//! }
//! assert!(snapshot.networks.len() >= 6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # One subscription per protocol
//! The server keeps one field list per protocol and connection. When the
//! model and the user both want a protocol, the client enables the union of
//! their fields on its one connection, the user's first; the model takes
//! its fields by name, and the user gets each frame cut to their own fields
//! (or nothing, for a protocol only the model wants). That decision is made
//! in one place, as each frame is read. A second connection for the model
//! was weighed and not taken: it would cost one of the server's client
//! slots (`maxclients` is 5 by default), parse every shared line twice, and
//! split a session across two streams that a recording could not replay as
//! one.
//!
//! # Threads and memory
//! A reader thread per client reads the socket, parses and names frames,
//! and hands them on in batches through a bounded channel: when the
//! consumer falls behind, frames are dropped and counted per protocol
//! ([`Event::Dropped`], [`Client::stats`]), never queued without bound;
//! replies and connection events are never dropped. With
//! [`Options::lossless`] the reader waits for the consumer instead (and TCP
//! slows the server down), keeping at most [`LOSSLESS_HOLD_BYTES`] aside
//! while a command awaits the reply behind them. A tracker is fed on a
//! thread of its own, beside the reader, every frame it needs, before the
//! reply to any later command wakes its caller.
//!
//! # Layout
//! Each module depends only on those below it in this list; all are
//! private, and what they offer is re-exported here.
//!
//! - `api`: [`Client`], [`PendingReply`], [`Wait`]: commands and replies
//! - `reconnect`: the reader thread's outer loop, reconnect with backoff
//! - `reader`: the read loop: lines to frames, batches, replies matched
//! - `stage`: a batch's last step: the tracker fed (on its own thread),
//!   the user's frames handed to the outlet
//! - `outlet`: frames into the event channel: dropped and counted when it
//!   is full, or (lossless) waited for
//! - `view`: what the user gets of each frame, decided as it is read
//! - `handshake`: connecting, the greeting, the CAPABILITY round
//! - `state`: what the handle and the reader thread share; [`Options`],
//!   [`Tracker`], [`Stats`]
//! - `subs`: the user's and the tracker's field lists, and their union
//! - `event`, `reply`, `error`, `counts`: [`Event`], [`ServerInfo`],
//!   [`Reply`], [`Error`], [`DisconnectReason`], [`FrameCounts`]
//! - `model`: [`Model`], the live picture of networks, SSIDs, clients,
//!   channels, the GPS fix and where each device was seen, read through
//!   [`Snapshot`]s
//! - `filter`: [`Filter`], display filter expressions over a frame's fields
//! - `cache`: hints to the processor's cache (the crate's only `unsafe`)

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod cache;
mod counts;
mod error;
mod event;
mod filter;
pub mod fleet;
mod handshake;
mod model;
mod outlet;
mod reader;
mod reconnect;
mod reply;
mod stage;
mod state;
mod subs;
mod view;

/// The wire format this client speaks (the `kismet-protocol` crate).
pub use kismet_protocol as protocol;
/// Recordings of sessions (the `kismet-record` crate), which
/// [`Options::recorder`] writes.
pub use kismet_record as record;

pub use api::{Client, PendingReply, Wait};
pub use counts::FrameCounts;
pub use error::{DisconnectReason, Error, HandshakeError, HandshakeStep, PartialLine};
pub use event::{Event, ServerInfo};
pub use filter::{Filter, FilterError, FilterScope};
pub use kismet_protocol::Frame;
pub use model::{
    Alert, AlertList, Band, ChannelSource, ChannelView, ChannelsView, ClientView, FixView, GpsLine,
    History, LatLon, Memory, Model, NetworkDetail, NetworkView, Observed, Outbox, PlaceView,
    PositionSource, ServerMessage, Sighting, Snapshot, SortColumn, SourceView, SsidDetail,
    SsidView, StationView, TrackPoint, CHANNEL_PERIOD_S, CUT_MARKER, DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DEVICES, DEFAULT_MAX_SIGHTINGS, FIX_MAX_AGE_MS, MAX_ALERTS, MAX_CHANNELS,
    MAX_NAME_BYTES, MAX_SIGNAL_NETWORKS, MAX_SOURCES, MAX_SSIDS_PER_NETWORK, MAX_TRACK_POINTS,
    RATE_WINDOW_S, SIGHTING_MAX_AGE_S, SIGNAL_SECONDS, SORT_COLUMNS,
};
pub use outlet::LOSSLESS_HOLD_BYTES;
pub use reply::{Reply, ReplyKind};
pub use state::{Options, Stats, Tracker, MAX_BATCH_BYTES, MAX_BATCH_FRAMES};
