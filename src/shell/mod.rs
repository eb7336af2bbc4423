//! The front ends: the interactive shell and batch mode, sharing one
//! command table.

pub mod batch;
pub mod commands;
pub mod helper;
pub mod render;
pub mod repl;
