//! The front ends: the interactive shell and batch mode, sharing one
//! definition of the commands.
//!
//! - [`commands`]: the one definition of the shell commands (a clap derive:
//!   names, help, typed arguments), parsing, `help` and dispatch
//! - [`dispatch`]: each parsed command to its handler (an exhaustive match)
//! - [`handlers`]: what each command does ([`capture`]: the capture
//!   sources' commands)
//! - [`servers`]: the servers of an interactive session (one or several)
//! - [`session`]: the client, the settings and the flags a run shares
//! - [`display`]: filters and `only`: what of the frames is shown
//! - [`outcome`]: what a command gives back, and [`outcome::ShellError`]
//! - [`render`]: frames, replies and outcomes as text, JSON and tables
//! - [`batch`]: `-c`, piped stdin and `--follow`
//! - [`fleet`]: several servers in one run: the merged views;
//!   [`fleet_run`]: a batch run over them
//! - [`network`]: `network NET`, one network in detail
//! - [`changes`]: `networks --follow`: the devices new or changed since printed
//! - [`alerts`]: `alerts`, new alerts above the prompt and to `--on-alert`
//! - [`hook`]: `--on-alert`: a command run per alert, bounded, never waited on
//! - [`repl`], [`helper`]: the interactive shell, its completion and hints
//!   (from the same definition)
//! - [`console`]: the one printer of the interactive shell
//! - [`prompt`]: the prompt that follows the connection's state
//! - [`pager`]: long output through `$PAGER`
//! - [`watch`]: the full-screen views

pub mod alerts;
pub mod batch;
pub mod capture;
pub mod changes;
pub mod commands;
pub mod console;
pub mod database;
pub mod db;
pub mod dispatch;
pub mod display;
pub mod export;
pub mod fleet;
pub mod fleet_run;
pub mod handlers;
pub mod helper;
pub mod hook;
pub mod network;
pub mod offline;
pub mod outcome;
pub mod pager;
pub mod prompt;
pub mod render;
pub mod repl;
pub mod servers;
pub mod session;
pub mod watch;
