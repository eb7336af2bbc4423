//! Frames received per protocol, for `protocols` and `status`.

use std::collections::HashMap;

use kismet_protocol::Frame;

/// Frames received per protocol, with a rate over the last seconds. The
/// reader thread updates it once per socket read, under one lock.
#[derive(Debug, Default, Clone)]
pub struct FrameCounts {
    per_protocol: HashMap<String, ProtoCount>,
}

#[derive(Debug, Default, Clone)]
struct ProtoCount {
    total: u64,
    /// (second bucket start, count) for the rate over the last seconds.
    window: [(u64, u64); 5],
}

impl FrameCounts {
    /// Adds `n` frames of `protocol` seen at `now` (seconds since start).
    pub fn add(&mut self, protocol: &str, n: u64, now_secs: u64) {
        let c = match self.per_protocol.get_mut(protocol) {
            Some(c) => c,
            None => self.per_protocol.entry(protocol.to_string()).or_default(),
        };
        c.total += n;
        let slot = &mut c.window[(now_secs % 5) as usize];
        if slot.0 != now_secs {
            *slot = (now_secs, 0);
        }
        slot.1 += n;
    }

    /// Frames of `protocol` seen so far.
    pub fn total(&self, protocol: &str) -> u64 {
        self.per_protocol
            .get(&protocol.to_ascii_uppercase())
            .or_else(|| self.per_protocol.get(protocol))
            .map_or(0, |c| c.total)
    }

    /// (protocol, total, frames per second over the last full seconds).
    pub fn rates(&self, now_secs: u64) -> Vec<(String, u64, f64)> {
        let mut v: Vec<_> = self
            .per_protocol
            .iter()
            .map(|(p, c)| {
                // Full seconds in the window, excluding the current one.
                let span = now_secs.clamp(1, 4);
                let sum: u64 = c
                    .window
                    .iter()
                    .filter(|(t, _)| *t < now_secs && *t + span >= now_secs)
                    .map(|(_, n)| n)
                    .sum();
                (p.clone(), c.total, sum as f64 / span as f64)
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
}

impl FrameCounts {
    /// Adds a batch of frames seen at `now_secs`: one map update per run of
    /// frames of the same protocol (they tend to come in runs).
    pub fn add_frames(&mut self, frames: &[Frame], now_secs: u64) {
        let mut run: Option<(&Frame, u64)> = None;
        for f in frames {
            match &mut run {
                Some((q, n)) if q.protocol_bytes() == f.protocol_bytes() => *n += 1,
                _ => {
                    if let Some((q, n)) = run {
                        self.add(q.protocol(), n, now_secs);
                    }
                    run = Some((f, 1));
                }
            }
        }
        if let Some((q, n)) = run {
            self.add(q.protocol(), n, now_secs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frame rates average over the last full seconds.
    #[test]
    fn frame_rates() {
        let mut c = FrameCounts::default();
        for s in 0..4 {
            c.add("SSID", 10, s);
        }
        c.add("SSID", 3, 4);
        let r = c.rates(4);
        assert_eq!(r[0].0, "SSID");
        assert_eq!(r[0].1, 43);
        assert!((r[0].2 - 10.0).abs() < 1e-9, "{r:?}");
    }

    /// Runs of frames are counted per protocol.
    #[test]
    fn batches() {
        let f = |l: &[u8]| Frame::parse(l).unwrap();
        let frames = [f(b"*A: 1 "), f(b"*A: 2 "), f(b"*B: 3 "), f(b"*A: 4 ")];
        let mut c = FrameCounts::default();
        c.add_frames(&frames, 0);
        assert_eq!((c.total("A"), c.total("B"), c.total("C")), (3, 1, 0));
    }
}
