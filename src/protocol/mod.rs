//! The wire format of the legacy Kismet protocol: pure functions, no I/O.

pub mod capability;
pub mod command;
pub mod frame;
pub mod text;

pub use capability::{CapabilityTable, LookupError, ProtocolInfo};
pub use command::{Command, CommandError};
pub use frame::{FieldValue, Frame, ParseError};
