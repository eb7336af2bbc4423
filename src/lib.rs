//! kismet-shell: a client library, interactive shell and batch tool for the
//! legacy Kismet server protocol (kismet_server "newcore", port 2501).
//!
//! The library is used the way the Python `kismetclient` was: connect (the
//! client reads the greeting and learns every protocol's fields from the
//! server's `CAPABILITY` answers), enable a protocol with the fields you
//! want, then receive frames whose fields are looked up by name.
//!
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! use std::time::Duration;
//! use kismet_shell::client::{Client, Event, Options};
//! use kismet_shell::protocol::text::display_ssid;
//!
//! let client = Client::connect("127.0.0.1:2501", Options::default())?;
//! println!("GPS fields: {:?}", client.table().get("GPS").map(|p| p.fields.to_vec()));
//! client.enable("SSID", "ssid,mac", Duration::from_secs(5))?;
//! for event in client.events().iter() {
//!     match event {
//!         Event::Frames(frames) => {
//!             for f in frames.iter().filter(|f| f.protocol() == "SSID") {
//!                 let ssid = display_ssid(f.get("ssid").unwrap_or_default());
//!                 let mac = String::from_utf8_lossy(f.get("mac").unwrap_or_default());
//!                 println!("SSID spotted: {ssid:?} with mac {mac}");
//!             }
//!         }
//!         Event::Disconnected { reason } => {
//!             eprintln!("{reason}");
//!             break;
//!         }
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Layout
//! Each module depends only on those above it in this list (no import
//! cycles); one job per file.
//!
//! - [`cache`]: hints to the processor's cache (the crate's only `unsafe`)
//! - [`protocol`]: the wire format, every protocol fact defined once, no I/O
//!   - [`protocol::spec`]: default port, line limit, always-on and payload protocols
//!   - [`protocol::server_command`]: the server's commands as one enum
//!   - [`protocol::frame`]: a server line parsed into a [`protocol::Frame`], the encoder
//!   - [`protocol::command`]: outgoing `!id CMD args`, and the server's reading of it
//!   - [`protocol::capability`]: the discovered table of protocols and fields
//!   - [`protocol::lines`]: the bounded line reader of the client and the simulator
//!   - [`protocol::text`]: octal escapes, the terminal sanitiser, JSON strings
//!   - [`protocol::decode`]: cipher sets, type codes, times: wire value to meaning
//! - [`record`]: recordings of sessions: the format, the writer, the reader
//! - [`filter`]: display filters (`ssid ~ "^Caf" and signal_dbm > -60`)
//!   compiled for a protocol's fields, and which fields key a device
//! - [`model`]: [`model::Model`], the live picture of networks, SSIDs and
//!   clients that BSSID, SSID and CLIENT frames feed, read through
//!   [`model::Snapshot`]s
//! - [`client`]: the connection
//!   - [`client::api`]: [`client::Client`], commands and their replies
//!   - [`client::handshake`]: connecting, the greeting, the CAPABILITY round
//!   - [`client::reader`]: the read loop: frames in batches, replies matched
//!   - [`client::reconnect`]: the reader thread, reconnecting with backoff
//!   - [`client::state`], [`client::subs`]: what the handle and the reader
//!     share; the user's and the tracker's subscriptions
//!   - [`client::event`], [`client::reply`], [`client::error`]: what it
//!     hands out: events, replies, typed errors
//! - [`sim`]: the simulated Kismet server behind `--demo` and `sim`, and
//!   the replay of a recording as a server ([`sim::Replay`]) behind
//!   `--replay` and `sim --replay`
//! - [`shell`]: the front ends
//!   - [`shell::commands`], [`shell::handlers`]: the one command table and
//!     what each command does
//!   - [`shell::session`], [`shell::display`]: the client, settings, filters
//!   - [`shell::repl`], [`shell::helper`], [`shell::console`],
//!     [`shell::prompt`], [`shell::pager`]: the interactive shell
//!   - [`shell::batch`]: `-c`, piped stdin, `--follow`
//!   - [`shell::watch`]: the full-screen views
//!   - [`shell::render`]: frames, replies, tables as text, JSON and CSV
//! - [`cli`]: the command line (clap), also used for the completion scripts

pub mod cache;
pub mod cli;
pub mod client;
pub mod filter;
pub mod model;
pub mod protocol;
pub mod record;
pub mod shell;
pub mod sim;
