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
//! - [`protocol`]: the wire format, pure functions: [`protocol::Frame`]
//!   (parse and encode server lines), [`protocol::Command`] (client
//!   commands), [`protocol::CapabilityTable`], [`protocol::text`] (SSID
//!   octal escapes, the terminal sanitiser, JSON strings).
//! - [`client`]: [`client::Client`], its reader thread and the
//!   [`client::Event`]s it sends; reply matching, subscriptions, reconnect.
//! - [`shell`]: the one command table ([`shell::commands`]), the interactive
//!   shell ([`shell::repl`], [`shell::helper`]), batch mode
//!   ([`shell::batch`]) and rendering ([`shell::render`]).
//! - [`filter`]: display filters (`ssid ~ "^Caf" and signal_dbm > -60`)
//!   compiled for a protocol's fields, and which fields key a device.
//! - [`sim`]: the simulated Kismet server behind `--demo` and `sim`, and
//!   the replay of a recording as a server ([`sim::Replay`]) behind
//!   `--replay` and `sim --replay`.
//! - [`record`]: recordings of sessions (`--record`), written and read.
//! - [`cli`]: the command line (clap), also used for the completion scripts.

pub mod cli;
pub mod client;
pub mod filter;
pub mod protocol;
pub mod record;
pub mod shell;
pub mod sim;
