//! One client's pass over a recording: its frames, in order, each placed
//! and given its field list by the same walk as the load pass (`follow`),
//! read from the file as they are needed (one entry at a time).

use std::sync::Arc;
use std::time::Duration;

use super::follow::{Catalog, Follower, Played, Walked};
use super::timeline::{capability_kept, Entries, Timeline};
use kismet_record::RecordingError;

/// The timeline's protocols and lists, seen by a replay's walk: a protocol
/// is known once its recorded CAPABILITY line has passed, as in the load
/// pass.
struct View<'a> {
    timeline: &'a Timeline,
    seen: &'a mut [bool],
}

impl Catalog for View<'_> {
    fn protocol(&self, name: &[u8]) -> Option<u16> {
        let i = self.timeline.protocol(name)?;
        self.seen[i].then_some(i as u16)
    }

    fn fields(&self, proto: u16) -> &[String] {
        &self.timeline.protocols[usize::from(proto)].fields
    }

    fn capability(&mut self, payload: &[u8]) {
        let Some((name, _)) = capability_kept(payload) else {
            return;
        };
        if let Some(i) = self.timeline.protocol(name.as_bytes()) {
            if self.timeline.protocols[i].recorded {
                self.seen[i] = true;
            }
        }
    }

    fn list(&mut self, _proto: u16, list: &[String]) -> Option<u32> {
        self.timeline.list(list)
    }

    fn list_len(&self, list: u32) -> usize {
        self.timeline.lists[list as usize].len()
    }
}

/// The frames of a recording, read one at a time.
pub struct Frames {
    timeline: Arc<Timeline>,
    entries: Entries,
    follower: Follower,
    seen: Vec<bool>,
    done: bool,
}

impl Frames {
    /// The frames of `timeline`'s recording from its start.
    ///
    /// # Errors
    /// The recording cannot be opened again.
    pub fn open(timeline: Arc<Timeline>) -> Result<Frames, RecordingError> {
        let entries = timeline.entries()?;
        let seen = vec![false; timeline.protocols.len()];
        Ok(Frames {
            timeline,
            entries,
            follower: Follower::default(),
            seen,
            done: false,
        })
    }

    /// The next frame; `None` at the end of the recording.
    ///
    /// # Errors
    /// The recording cannot be read (it changed since it was loaded, or
    /// the disk fails); the frames end there.
    pub fn next_frame(&mut self) -> Result<Option<Played>, RecordingError> {
        while !self.done {
            let entry = match self.entries.next() {
                Some(Ok(e)) => e,
                Some(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                None => {
                    self.done = true;
                    break;
                }
            };
            let mut view = View {
                timeline: &self.timeline,
                seen: &mut self.seen,
            };
            if let Walked::Frame(played) = self.follower.entry(&mut view, &entry) {
                return Ok(Some(played));
            }
        }
        Ok(None)
    }

    /// The time of the latest entry read, from the start of the
    /// recording.
    pub fn last(&self) -> Duration {
        self.follower.last()
    }
}

#[cfg(test)]
mod tests;
