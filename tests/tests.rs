//! The integration tests: one binary, one module per area.

// Wire lines are written with their explicit "\n", as the server writes them.
#![allow(clippy::write_with_newline)]

mod common;

mod alerts;
mod batch;
mod batch_follow;
mod batch_world;
mod channels;
mod client;
mod completions;
mod db;
mod export;
mod fleet;
mod golden;
mod hostile;
mod legacy_client;
mod lossless;
mod network;
mod positions;
mod props;
mod repl;
mod replay;
mod replay_limits;
mod resilience;
mod sim;
mod sim_commands;
mod sim_drive;
mod sim_world;
mod soak;
mod sources;
mod stations;
mod watch;
