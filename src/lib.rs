//! kismet-shell: a client library, interactive shell and batch tool for the
//! legacy Kismet server protocol (newcore, port 2501).

pub mod cli;
pub mod client;
pub mod protocol;
pub mod shell;
pub mod sim;
