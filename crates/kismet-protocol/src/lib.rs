//! The wire format of the legacy Kismet protocol: every protocol fact is
//! defined once here, and nothing here does I/O but read lines from a
//! stream it is given.
//!
//! - [`spec`]: default port, line limit, always-on and payload protocols
//! - [`server_command`]: the server's commands as one enum
//! - [`frame`]: a server line parsed into a [`Frame`], and the encoder
//! - [`command`]: an outgoing `!id CMD args` line, and the server's reading of it
//! - [`capability`]: the discovered table of protocols and fields
//! - [`lines`]: the bounded line reader of the client and the simulator
//! - [`text`]: octal escapes, the terminal sanitiser, JSON strings
//! - [`decode`]: cipher sets, type codes, numbers and times: wire value to meaning
//! - [`values`]: the field-value parsers (numbers, times, dBm, IPs, MACs)

pub mod capability;
pub mod command;
pub mod decode;
pub mod frame;
pub mod key;
pub mod lines;
pub mod server_command;
pub mod spec;
pub mod text;
pub mod values;

pub use capability::{CapabilityTable, LookupError, ProtocolInfo};
pub use command::{Command, CommandError, CommandName};
pub use frame::{FieldValue, Frame, ParseError};
pub use key::device_key_index;
pub use server_command::{Answer, ArgKind, ServerCommand};
