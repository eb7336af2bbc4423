//! kismet-shell: a client library, interactive shell and batch tool for the
//! legacy Kismet server protocol (newcore, port 2501).

pub mod protocol;
pub mod sim;
