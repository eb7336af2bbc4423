//! The recent alerts (ALERT lines), once the model is asked to keep them
//! ([`crate::Model::keep_alerts`]): at most [`MAX_ALERTS`], oldest
//! dropped first and counted, each numbered in arrival order so a front
//! end can ask for the ones after the last it saw
//! ([`crate::Model::alerts_since`]).
//!
//! A server replays the alerts it keeps to each new ALERT subscriber (so
//! again after a reconnect): an alert equal in every field to one still
//! kept is not kept twice.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use super::history::Alert;

/// Most alerts the model keeps; past it the oldest go (counted in
/// [`AlertList::dropped`]).
pub const MAX_ALERTS: usize = 1_000;

/// The alerts kept, oldest first (see [`crate::Model::alerts`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertList {
    /// The alerts, oldest first, at most [`MAX_ALERTS`].
    pub alerts: Vec<Alert>,
    /// Older alerts no longer kept.
    pub dropped: u64,
    /// Alerts kept ever: the number the next one will have is this.
    pub total: u64,
}

/// The model's alerts.
#[derive(Debug, Default)]
pub struct Alerts {
    /// Keep them (ask for ALERT).
    pub kept: bool,
    list: VecDeque<Alert>,
    /// How many kept alerts have each key (for "not twice").
    keys: HashMap<u64, u32>,
    /// Alerts kept ever (the next one's number).
    total: u64,
    /// Alerts dropped for room.
    dropped: u64,
    max: usize,
}

/// An alert's identity: every field the server sent.
fn key(a: &Alert) -> u64 {
    let mut h = DefaultHasher::new();
    a.time.to_bits().hash(&mut h);
    (&a.header, &a.bssid, &a.source, &a.dest, &a.text, a.channel).hash(&mut h);
    h.finish()
}

impl Alerts {
    /// Keeps at most `max` alerts (at least 1).
    #[cfg(test)]
    pub fn with_max(max: usize) -> Alerts {
        Alerts {
            max: max.max(1),
            ..Alerts::default()
        }
    }

    /// Takes an alert; false when an equal one is kept already.
    pub fn push(&mut self, alert: Alert) -> bool {
        let k = key(&alert);
        if self.keys.contains_key(&k) && self.list.iter().any(|a| *a == alert) {
            return false;
        }
        let max = if self.max == 0 { MAX_ALERTS } else { self.max };
        while self.list.len() >= max {
            if let Some(old) = self.list.pop_front() {
                self.forget(key(&old));
            }
            self.dropped += 1;
        }
        *self.keys.entry(k).or_insert(0) += 1;
        self.list.push_back(alert);
        self.total += 1;
        true
    }

    fn forget(&mut self, k: u64) {
        if let Some(n) = self.keys.get_mut(&k) {
            *n -= 1;
            if *n == 0 {
                self.keys.remove(&k);
            }
        }
    }

    /// A copy of every alert kept.
    pub fn list(&self) -> AlertList {
        AlertList {
            alerts: self.list.iter().cloned().collect(),
            dropped: self.dropped,
            total: self.total,
        }
    }

    /// Alerts ever kept (the number the next will have).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The alerts numbered `seq` and after that are still kept, and the
    /// number to ask from next time.
    pub fn since(&self, seq: u64) -> (Vec<Alert>, u64) {
        let first = self.total - self.list.len() as u64;
        let skip = seq.saturating_sub(first) as usize;
        (self.list.iter().skip(skip).cloned().collect(), self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(n: u32) -> Alert {
        Alert {
            time: 1_795_678_119.0 + f64::from(n),
            header: Some("DEAUTHFLOOD".into()),
            bssid: Some("00:14:6C:A1:00:01".into()),
            source: None,
            dest: None,
            text: Some(format!("flood {n}")),
            channel: Some(6),
            at: None,
        }
    }

    /// Past the limit the oldest alerts go and are counted; the numbers
    /// go on, and `since` gives what is left after a number.
    #[test]
    fn alert_list_is_bounded_and_counts_the_dropped() {
        let mut a = Alerts::with_max(3);
        for n in 0..5 {
            assert!(a.push(alert(n)));
        }
        let list = a.list();
        assert_eq!(list.dropped, 2);
        assert_eq!(list.total, 5);
        let texts: Vec<_> = list
            .alerts
            .iter()
            .map(|x| x.text.clone().unwrap())
            .collect();
        assert_eq!(texts, ["flood 2", "flood 3", "flood 4"]);
        let (new, next) = a.since(4);
        assert_eq!((new.len(), next), (1, 5));
        assert_eq!(a.since(0).0.len(), 3, "dropped ones are not given");
        assert!(a.since(5).0.is_empty());
    }

    /// The same alert replayed (a server's backlog after a reconnect) is
    /// kept once; once it was dropped for room, it is new again.
    #[test]
    fn a_replayed_alert_is_kept_once() {
        let mut a = Alerts::with_max(2);
        assert!(a.push(alert(1)));
        assert!(!a.push(alert(1)));
        assert!(a.push(alert(2)));
        assert!(a.push(alert(3)));
        assert!(a.push(alert(1)), "dropped before: new again");
        assert_eq!(a.total(), 4);
    }
}
