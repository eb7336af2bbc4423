//! How strong a device is heard from a distance: the log-distance
//! path-loss model,
//!
//! ```text
//! received(d) = tx - PL(d0) - 10 n log10(d / d0) + fading
//! ```
//!
//! with the constants below. They are textbook values, not measured: a
//! 2.4 GHz access point at 100 mW, a phone or laptop at about 30 mW, free
//! space up to one metre and an exponent of 3 beyond (2 is free space; 2.7
//! to 3.5 is the usual range for streets with buildings). An access point
//! 10 m from the road is heard at about -50 dBm as the car passes, one
//! 100 m away at about -80 dBm, and none past about 180 m (stations,
//! weaker, past about 125 m). Only the distance on the ground counts: the
//! heights of the antennas are left out.

/// Transmit power of an access point (EIRP), dBm: 100 mW, the usual
/// 2.4 GHz default.
pub const AP_TX_DBM: f64 = 20.0;

/// Transmit power of a station (a phone or a laptop), dBm: about 30 mW.
pub const STATION_TX_DBM: f64 = 15.0;

/// Reference distance `d0` of the model, metres.
pub const REF_DISTANCE_M: f64 = 1.0;

/// Path loss at the reference distance, dB: free space at 2.437 GHz
/// (channel 6), `20 log10(4 pi d0 / lambda)` with `lambda` = 0.123 m.
pub const REF_LOSS_DB: f64 = 40.2;

/// Path-loss exponent `n`.
pub const EXPONENT: f64 = 3.0;

/// Weakest level a frame is received at, dBm: a device heard below it is
/// not heard at all. Real cards decode beacons down to about -95 dBm; a
/// car's receiver, with its noise, less far.
pub const SENSITIVITY_DBM: f64 = -88.0;

/// Fading: each second's level is off the model by up to this much either
/// way, dB (uniformly). Kept small, as the real measurement in
/// `PROTOCOL.md` suggests (the strongest signal came at the closest pass,
/// to one GPS update): larger fading moves the strongest sighting away
/// from where the route passes a device closest.
pub const FADING_DB: f64 = 1.0;

/// The level the model gives at `distance_m` from a transmitter of
/// `tx_dbm`, before fading, dBm (closer than `d0` counts as `d0`).
pub fn level_dbm(tx_dbm: f64, distance_m: f64) -> f64 {
    let d = distance_m.max(REF_DISTANCE_M) / REF_DISTANCE_M;
    tx_dbm - REF_LOSS_DB - 10.0 * EXPONENT * d.log10()
}

/// The farthest a transmitter of `tx_dbm` is heard from (no fading),
/// metres.
pub fn range_m(tx_dbm: f64) -> f64 {
    REF_DISTANCE_M * 10f64.powf((tx_dbm - REF_LOSS_DB - SENSITIVITY_DBM) / (10.0 * EXPONENT))
}

/// The level a frame is received at, whole dBm, with `fading` (-1 to 1:
/// the fraction of [`FADING_DB`]); `None` when it is too weak to be heard.
pub fn received(tx_dbm: f64, distance_m: f64, fading: f64) -> Option<i32> {
    let level = level_dbm(tx_dbm, distance_m) + fading.clamp(-1.0, 1.0) * FADING_DB;
    (level >= SENSITIVITY_DBM).then(|| level.round() as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The levels the module's documentation promises: about -50 dBm at
    /// 10 m, -80 dBm at 100 m, heard to about 180 m (stations 125 m).
    #[test]
    fn levels_and_ranges_as_documented() {
        assert_eq!(received(AP_TX_DBM, 10.0, 0.0), Some(-50));
        assert_eq!(received(AP_TX_DBM, 100.0, 0.0), Some(-80));
        assert_eq!(received(AP_TX_DBM, 0.2, 0.0), Some(-20));
        let ap = range_m(AP_TX_DBM);
        let station = range_m(STATION_TX_DBM);
        assert!((175.0..190.0).contains(&ap), "{ap}");
        assert!((120.0..130.0).contains(&station), "{station}");
        assert!(received(AP_TX_DBM, ap - 1.0, 0.0).is_some());
        assert_eq!(received(AP_TX_DBM, ap + 1.0, 0.0), None);
        assert_eq!(received(AP_TX_DBM, 10.0, 1.0), Some(-49));
    }
}
