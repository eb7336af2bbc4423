//! The wall clock, which every thread of the simulator reads.

use std::time::{SystemTime, UNIX_EPOCH};

/// Current epoch seconds, with their fraction.
pub fn epoch_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
