//! The wire format of the legacy Kismet server protocol (kismet_server
//! "newcore", TCP port 2501): every protocol fact is defined once here, and
//! nothing here does I/O but read lines from a stream it is given.
//!
//! - [`Frame`]: a server line (`*SSID: \x01HomeNet\x01 00:14:6C:A1:00:01 `)
//!   parsed byte-exactly, its fields named once the client knows the list;
//!   [`encode_line`] writes one as a server would
//! - [`Command`]: an outgoing `!<id> CMD args` line, checked so that no
//!   argument can smuggle in a second command; [`parse_client_line`] reads
//!   one as the server does
//! - [`ServerCommand`]: the server's commands as one enum (name, usage,
//!   arguments, how it is answered), which the client, the shell and the
//!   simulator all match on exhaustively, so it is not `non_exhaustive`
//! - [`CapabilityTable`]: the protocols and fields a server named, as
//!   learnt from its `CAPABILITY` answers, and the lookups that check names
//! - [`LineReader`]: the bounded line reader of the client and the simulator
//! - [`device_key_index`]: which fields identify a device
//! - three namespaces of constants and free functions: [`spec`] (facts of
//!   the protocol: port, limits, always-on protocols), [`decode`] (wire
//!   values to meaning: cipher sets, type codes, numbers, times, MACs) and
//!   [`text`] (octal escapes, the terminal sanitiser, JSON strings)
//!
//! # Examples
//! ```
//! use kismet_protocol::{decode::Encryption, text::display_ssid, Frame};
//!
//! let names = ["ssid", "mac", "cryptset"].map(String::from);
//! let frame = Frame::parse(b"*SSID: \x01Caf\\303\\251\x01 00:24:01:D4:00:04 2097858 ")?
//!     .with_names(Some(names.into()));
//! assert_eq!(frame.protocol(), "SSID");
//! assert_eq!(display_ssid(frame.get("ssid").unwrap()), "Café");
//! let cryptset = kismet_protocol::decode::parse_u64(frame.get("cryptset").unwrap()).unwrap();
//! assert_eq!(Encryption::from_cryptset(cryptset).to_string(), "WPA2 CCMP PSK");
//! # Ok::<(), kismet_protocol::ParseError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod capability;
mod command;
pub mod decode;
mod frame;
mod key;
mod lines;
mod numeric;
mod server_command;
pub mod spec;
pub mod text;
mod values;

pub use capability::{nearest, CapabilityTable, LookupError, ProtocolInfo};
pub use command::{parse_client_line, split_field_list, Command, CommandError, CommandName};
pub use frame::{
    encode_line, encode_line_into, line_protocol, parse_capability, parse_protocol_list,
    FieldValue, Frame, ParseError, Separators,
};
pub use key::device_key_index;
pub use lines::{Line, LineReader, Overlong, ReadTimeout, OVERLONG_HEAD};
pub use server_command::{Answer, ArgKind, ServerCommand};
