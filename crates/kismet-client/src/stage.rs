//! The last step of a batch on its way to the display: the tracker fed,
//! the frames cut to what the user asked for, the batch sent (or dropped
//! and counted when the channel is full). Done on the reader thread, or,
//! while a tracker is set, on a thread of its own (a [`Stage`]), so that
//! feeding the tracker does not slow the reading of the socket.
//!
//! The stage keeps the order of things: the reader hands it batches in
//! order on a bounded channel (the reader waits when it is full: the
//! tracker never misses a frame), and waits for it to finish ([`Stage::sync`])
//! before a reply wakes its caller or the connection's end is reported, so
//! that the frames before them are fed and sent first.

use std::collections::HashMap;
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{bounded, Receiver, Sender};

use crate::event::Event;
use crate::state::{Shared, Tracker};
use crate::view::Plan;
use kismet_protocol::Frame;

/// Batches the reader may hand over before it waits for the stage.
const STAGE_BATCHES: usize = 16;

/// A batch of frames, with what the user gets of each of them while a
/// tracker is fed (without one, the frames are what the user gets).
pub struct Batch {
    /// The frames, in the order read.
    pub frames: Vec<Frame>,
    /// One plan per frame, while a tracker is set.
    pub plan: Option<Vec<Plan>>,
}

/// Feeds the tracker, cuts the frames as planned and sends them; frames
/// that do not fit in the channel are counted in `drops`.
pub fn deliver(
    batch: Batch,
    tracker: Option<&dyn Tracker>,
    tx: &Sender<Event>,
    drops: &mut DropTally,
) {
    if let Some(t) = tracker {
        t.feed(&batch.frames);
    }
    let frames = match batch.plan {
        None => batch.frames,
        Some(plan) => (batch.frames.into_iter().zip(plan))
            .filter_map(|(f, p)| p.apply(f))
            .collect(),
    };
    if frames.is_empty() {
        return;
    }
    // Never block: when the channel is full the frames are dropped and
    // counted like the unparsed ones (reported once there is room).
    if let Err(e) = tx.try_send(Event::Frames(frames)) {
        if let Event::Frames(frames) = e.into_inner() {
            for f in &frames {
                drops.add(f.protocol_bytes());
            }
        }
    }
}

/// What the reader hands to the stage.
enum Handoff {
    Batch(Batch),
    /// Answered once everything handed over before it is done.
    Sync(Sender<()>),
}

/// The tracker's thread: takes batches from the reader and delivers them.
pub struct Stage {
    tracker: Arc<dyn Tracker>,
    /// `None` once stopped.
    tx: Option<Sender<Handoff>>,
    thread: Option<JoinHandle<()>>,
}

impl Stage {
    /// Starts a stage for `tracker` that sends to `events`; `None` when no
    /// thread can be started (the reader then does the work itself).
    pub fn start(
        shared: &Arc<Shared>,
        tracker: Arc<dyn Tracker>,
        events: &Sender<Event>,
    ) -> Option<Stage> {
        let (tx, rx) = bounded(STAGE_BATCHES);
        let (shared, events, feed) = (shared.clone(), events.clone(), tracker.clone());
        let thread = thread::Builder::new()
            .name("kismet-tracker".into())
            .spawn(move || stage_loop(&shared, &*feed, &rx, &events))
            .ok()?;
        Some(Stage {
            tracker,
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// True when this stage feeds `tracker`.
    pub fn feeds(&self, tracker: &Arc<dyn Tracker>) -> bool {
        Arc::ptr_eq(&self.tracker, tracker)
    }

    /// Hands a batch over (waiting while the stage is behind); gives it
    /// back when the stage is gone.
    pub fn hand(&self, batch: Batch) -> Result<(), Batch> {
        let Some(tx) = &self.tx else {
            return Err(batch);
        };
        tx.send(Handoff::Batch(batch))
            .map_err(|e| match e.into_inner() {
                Handoff::Batch(b) => b,
                Handoff::Sync(_) => Batch {
                    frames: Vec::new(),
                    plan: None,
                },
            })
    }

    /// Waits until everything handed over is fed and sent.
    pub fn sync(&self) {
        let Some(tx) = &self.tx else {
            return;
        };
        let (done_tx, done_rx) = bounded(1);
        if tx.send(Handoff::Sync(done_tx)).is_ok() {
            // An error: the stage is gone (nothing left to wait for).
            let _ = done_rx.recv();
        }
    }
}

impl Drop for Stage {
    /// Lets the stage finish what it was handed, and waits for it.
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn stage_loop(shared: &Shared, tracker: &dyn Tracker, rx: &Receiver<Handoff>, tx: &Sender<Event>) {
    let mut drops = DropTally::default();
    let mut unreported = HashMap::new();
    for handoff in rx {
        match handoff {
            Handoff::Batch(batch) => {
                deliver(batch, Some(tracker), tx, &mut drops);
                drops.commit(shared, &mut unreported);
                report_drops(tx, &mut unreported);
            }
            Handoff::Sync(done) => {
                let _ = done.send(());
            }
        }
    }
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
