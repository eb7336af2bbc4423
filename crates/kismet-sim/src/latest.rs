//! What a replay keeps for the bursts a server sends on ENABLE: the latest
//! frame of each device played so far, per protocol and field list, and
//! no more than [`MAX_HELD`] of them; past that the frame of the device
//! updated least recently is forgotten (as a server forgets devices it
//! has not heard from). So a client's replay holds a number of frames
//! bounded by the devices of the recording, never by its length.

use std::collections::{BTreeMap, HashMap};

use super::follow::Played;

/// The most frames one client's replay keeps for its bursts.
pub const MAX_HELD: usize = 16 * 1024;

/// Where a frame is kept: its protocol, its field list, its device.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Slot {
    proto: u16,
    list: u32,
    key: Box<[u8]>,
}

/// The latest frames, by device.
#[derive(Debug)]
pub struct Latest {
    held: HashMap<Slot, (u64, Played)>,
    /// The slots by when their frame came (the oldest first).
    order: BTreeMap<u64, Slot>,
    next: u64,
    cap: usize,
    forgotten: u64,
}

impl Latest {
    /// An empty store that keeps at most `cap` frames.
    pub fn new(cap: usize) -> Latest {
        Latest {
            held: HashMap::new(),
            order: BTreeMap::new(),
            next: 0,
            cap: cap.max(1),
            forgotten: 0,
        }
    }

    /// Keeps `played` as the latest frame of the device `key` for its
    /// protocol and list.
    pub fn insert(&mut self, key: Vec<u8>, played: Played) {
        let slot = Slot {
            proto: played.proto,
            list: played.list,
            key: key.into(),
        };
        let seq = self.next;
        self.next += 1;
        self.order.insert(seq, slot.clone());
        if let Some((old, _)) = self.held.insert(slot, (seq, played)) {
            self.order.remove(&old);
        }
        while self.held.len() > self.cap {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.held.remove(&oldest);
            self.forgotten += 1;
        }
    }

    /// For `proto`: the latest frame of each device among those `keep`
    /// accepts, sorted by device key (so a BSSID or SSID burst comes
    /// sorted by MAC, a CLIENT one by BSSID then MAC, as a real server
    /// sends them).
    pub fn burst(&self, proto: u16, mut keep: impl FnMut(&Played) -> bool) -> Vec<&Played> {
        let mut latest: HashMap<&[u8], (u64, &Played)> = HashMap::new();
        for (slot, (seq, played)) in &self.held {
            if slot.proto != proto || !keep(played) {
                continue;
            }
            let e = latest.entry(&slot.key).or_insert((*seq, played));
            if *seq > e.0 {
                *e = (*seq, played);
            }
        }
        let mut burst: Vec<(&[u8], &Played)> =
            latest.into_iter().map(|(k, (_, p))| (k, p)).collect();
        burst.sort_by(|a, b| a.0.cmp(b.0));
        burst.into_iter().map(|(_, p)| p).collect()
    }

    /// Forgets everything (a new lap).
    pub fn clear(&mut self) {
        self.held.clear();
        self.order.clear();
    }

    /// How many frames it holds.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// How many frames it forgot to stay within its bound.
    pub fn forgotten(&self) -> u64 {
        self.forgotten
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kismet_protocol::Frame;
    use std::time::Duration;

    fn played(list: u32, line: &str) -> Played {
        Played {
            at: Duration::ZERO,
            proto: 0,
            list,
            frame: Frame::parse(line.as_bytes()).unwrap(),
        }
    }

    fn names(burst: Vec<&Played>) -> Vec<String> {
        burst
            .iter()
            .map(|p| String::from_utf8_lossy(p.frame.field(1).unwrap()).into_owned())
            .collect()
    }

    /// The burst holds the latest frame of each device that `keep`
    /// accepts (an older one when the latest was sent with a list it
    /// refuses), sorted by key.
    #[test]
    fn burst_is_latest_per_device_sorted() {
        let mut l = Latest::new(100);
        l.insert(b"BB".to_vec(), played(0, "*SSID: BB b1 "));
        l.insert(b"AA".to_vec(), played(0, "*SSID: AA a1 "));
        assert_eq!(names(l.burst(0, |_| true)), ["a1", "b1"]);
        l.insert(b"BB".to_vec(), played(0, "*SSID: BB b2 "));
        l.insert(b"AA".to_vec(), played(1, "*SSID: AA a2 "));
        assert_eq!(names(l.burst(0, |_| true)), ["a2", "b2"]);
        assert_eq!(names(l.burst(0, |p| p.list == 0)), ["a1", "b2"]);
        assert!(l.burst(1, |_| true).is_empty());
        assert_eq!(l.len(), 3);
    }

    /// Past its bound it forgets the device updated least recently, and
    /// counts it.
    #[test]
    fn bounded_by_forgetting_the_oldest() {
        let mut l = Latest::new(2);
        l.insert(b"AA".to_vec(), played(0, "*SSID: AA a1 "));
        l.insert(b"BB".to_vec(), played(0, "*SSID: BB b1 "));
        l.insert(b"AA".to_vec(), played(0, "*SSID: AA a2 "));
        l.insert(b"CC".to_vec(), played(0, "*SSID: CC c1 "));
        assert_eq!(names(l.burst(0, |_| true)), ["a2", "c1"]);
        assert_eq!((l.len(), l.forgotten()), (2, 1));
        l.clear();
        assert_eq!(l.len(), 0);
    }
}
