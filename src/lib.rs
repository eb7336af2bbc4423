//! The `kismet-shell` binary's insides: the command line, the interactive
//! shell, batch mode, rendering and the full-screen views. Not a library to
//! depend on (nothing here is a stable API): the protocol client is
//! `kismet-client`, the wire format `kismet-protocol`, recordings
//! `kismet-record` and the simulated server `kismet-sim`. This crate is a
//! library only so that its tests and benchmarks reach these parts.
//!
//! # Layout
//! Each module depends only on those below it in this list, and on the
//! library crates.
//!
//! - [`shell`]: the front ends
//!   - [`shell::commands`], [`shell::handlers`]: the commands' one
//!     definition (clap), parsed into typed values, and what each does
//!   - [`shell::session`], [`shell::display`]: the client, settings, filters
//!   - [`shell::repl`], [`shell::helper`], [`shell::console`],
//!     [`shell::prompt`], [`shell::pager`]: the interactive shell
//!   - [`shell::batch`]: `-c`, piped stdin, `--follow`
//!   - [`shell::watch`]: the full-screen views
//!   - [`shell::render`]: frames, replies, tables as text, JSON and CSV
//! - [`serve`]: `kismet-shell sim`, the simulator or a replay in the foreground
//! - [`cli`]: the command line (clap), also used for the completion scripts

#![forbid(unsafe_code)]

pub mod cli;
pub mod serve;
pub mod shell;
