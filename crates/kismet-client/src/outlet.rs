//! The user's end of the pipeline: batches of frames into the event
//! channel, and what happens when the channel is full.
//!
//! By default nothing waits: a batch that does not fit is dropped and its
//! frames counted ([`DropTally`]), reported as [`Event::Dropped`] once
//! there is room. That keeps the socket read at the server's pace, so the
//! server never queues for us (a legacy server keeps at most 5,000 lines
//! per client and drops the rest silently, where nobody can count them).
//!
//! With [`crate::Options::lossless`] the outlet waits for the consumer
//! instead, so the reader stops reading and TCP slows the server down.
//! One exception keeps that from turning into a deadlock: while a command
//! of this client awaits its reply, the reply may be behind the very frames
//! that do not fit, and the consumer may be the thread that waits for it.
//! Then the outlet keeps the batches aside (up to [`LOSSLESS_HOLD_BYTES`] of line
//! data; beyond that it drops and counts, as without the option) and the
//! reader goes on to the reply. The batches kept aside go first once the
//! reply is in, in order.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{SendTimeoutError, Sender, TrySendError};

use crate::event::Event;
use crate::state::Shared;
use kismet_protocol::Frame;

/// Line bytes a lossless outlet keeps aside while a command awaits its
/// reply and the consumer does not take more frames.
pub const LOSSLESS_HOLD_BYTES: usize = 64 * 1024 * 1024;

/// How often a lossless outlet waiting for room looks whether the client
/// is closing or a command now awaits its reply.
const POLL: Duration = Duration::from_millis(20);

/// Sends batches of frames to the consumer: drops what does not fit, or
/// (lossless) waits for room.
pub struct Outlet {
    shared: Arc<Shared>,
    /// Batches not yet in the channel, oldest first (lossless only).
    held: VecDeque<Vec<Frame>>,
    /// Line bytes in `held`.
    held_bytes: usize,
}

/// Whether the outlet may wait for the consumer now.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Waiting {
    /// Wait for room, unless a command awaits its reply.
    UnlessAwaited,
    /// Wait for room whatever is pending (the connection has ended and its
    /// commands are answered).
    Always,
}

impl Outlet {
    /// An outlet for the client sharing `shared`.
    pub fn new(shared: Arc<Shared>) -> Outlet {
        Outlet {
            shared,
            held: VecDeque::new(),
            held_bytes: 0,
        }
    }

    fn lossless(&self) -> bool {
        self.shared.options.lossless
    }

    /// Sends a batch; without the lossless option, a batch that does not
    /// fit is counted in `drops` and dropped.
    pub fn send(&mut self, frames: Vec<Frame>, tx: &Sender<Event>, drops: &mut DropTally) {
        if frames.is_empty() {
            return;
        }
        if !self.lossless() {
            if let Err(e) = tx.try_send(Event::Frames(frames)) {
                if let Event::Frames(frames) = e.into_inner() {
                    drops.add_frames(&frames);
                }
            }
            return;
        }
        self.held_bytes += line_bytes(&frames);
        self.held.push_back(frames);
        self.pump(tx, Waiting::UnlessAwaited);
        if self.held_bytes > LOSSLESS_HOLD_BYTES {
            // A command awaits its reply and the consumer takes nothing:
            // the newest batch goes, counted, as it would without the
            // option.
            if let Some(frames) = self.held.pop_back() {
                self.held_bytes -= line_bytes(&frames);
                drops.add_frames(&frames);
            }
        }
    }

    /// Sends the batches kept aside, waiting for room unless a command
    /// awaits its reply (after a reply came in).
    pub fn resume(&mut self, tx: &Sender<Event>) {
        self.pump(tx, Waiting::UnlessAwaited);
    }

    /// Sends every batch kept aside, waiting for room as long as it takes
    /// (the connection ended; its commands were answered).
    pub fn finish(&mut self, tx: &Sender<Event>) {
        self.pump(tx, Waiting::Always);
    }

    /// Moves kept batches into the channel, oldest first, while it takes
    /// them; waits for room as `waiting` says. Gives up (forgetting them)
    /// when the client closes or the consumer is gone.
    fn pump(&mut self, tx: &Sender<Event>, waiting: Waiting) {
        while let Some(frames) = self.held.pop_front() {
            let bytes = line_bytes(&frames);
            let mut event = Event::Frames(frames);
            loop {
                match tx.try_send(event) {
                    Ok(()) => break,
                    Err(TrySendError::Disconnected(_)) => return self.forget(),
                    Err(TrySendError::Full(back)) => event = back,
                }
                if self.shared.is_closing() {
                    return self.forget();
                }
                if waiting == Waiting::UnlessAwaited && self.shared.awaits_reply() {
                    if let Event::Frames(frames) = event {
                        self.held.push_front(frames);
                    }
                    return;
                }
                match tx.send_timeout(event, POLL) {
                    Ok(()) => break,
                    Err(SendTimeoutError::Disconnected(_)) => return self.forget(),
                    Err(SendTimeoutError::Timeout(back)) => event = back,
                }
            }
            self.held_bytes -= bytes;
        }
    }

    /// Drops what is kept: nobody will read it.
    fn forget(&mut self) {
        self.held.clear();
        self.held_bytes = 0;
    }
}

fn line_bytes(frames: &[Frame]) -> usize {
    frames.iter().map(|f| f.raw().len()).sum()
}

/// Frames dropped during one read, per protocol; added to the counters
/// under one lock when the read is done.
#[derive(Default)]
pub struct DropTally {
    pub counts: Vec<(Vec<u8>, u64)>,
}

impl DropTally {
    pub fn add(&mut self, header: &[u8]) {
        match self.counts.iter_mut().find(|(h, _)| h == header) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((header.to_vec(), 1)),
        }
    }

    /// Counts every frame of a dropped batch.
    pub fn add_frames(&mut self, frames: &[Frame]) {
        for f in frames {
            self.add(f.protocol_bytes());
        }
    }

    /// Adds the tally to the client's drop counts and to those not yet
    /// reported, and empties it.
    pub fn commit(&mut self, shared: &Shared, unreported: &mut HashMap<String, u64>) {
        if self.counts.is_empty() {
            return;
        }
        let mut stats = shared.stats.lock();
        for (header, n) in self.counts.drain(..) {
            let proto = String::from_utf8_lossy(&header).into_owned();
            *stats.dropped.entry(proto.clone()).or_insert(0) += n;
            *unreported.entry(proto).or_insert(0) += n;
        }
    }
}

/// Sends the drop counts not yet reported as an [`Event::Dropped`], when
/// the channel has room; they wait for the next try otherwise.
pub fn report_drops(tx: &Sender<Event>, unreported: &mut HashMap<String, u64>) {
    if unreported.is_empty() {
        return;
    }
    let counts: Vec<(String, u64)> = unreported.drain().collect();
    if let Err(e) = tx.try_send(Event::Dropped { counts }) {
        if let Event::Dropped { counts } = e.into_inner() {
            unreported.extend(counts);
        }
    }
}
