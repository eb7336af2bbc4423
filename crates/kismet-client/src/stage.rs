//! The last step of a batch on its way to the display: the tracker fed,
//! the frames cut to what the user asked for, the batch sent through the
//! [`Outlet`] (dropped and counted when the channel is full, or waited for
//! with the lossless option). Done on the reader thread, or,
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
use parking_lot::Mutex;

use crate::event::Event;
use crate::outlet::{report_drops, DropTally, Outlet};
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
/// the outlet drops are counted in `drops`.
pub fn deliver(
    batch: Batch,
    tracker: Option<&dyn Tracker>,
    tx: &Sender<Event>,
    outlet: &mut Outlet,
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
    outlet.send(frames, tx, drops);
}

/// What the reader hands to the stage.
enum Handoff {
    Batch(Batch),
    /// Answered once everything handed over before it is done.
    Sync(Sender<()>),
    /// A reply came in: send what the outlet kept aside for it.
    Resume,
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
        outlet: &Arc<Mutex<Outlet>>,
    ) -> Option<Stage> {
        let (tx, rx) = bounded(STAGE_BATCHES);
        let (shared, events, feed) = (shared.clone(), events.clone(), tracker.clone());
        let outlet = outlet.clone();
        let thread = thread::Builder::new()
            .name("kismet-tracker".into())
            .spawn(move || stage_loop(&shared, &*feed, &rx, &events, &outlet))
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
                Handoff::Sync(_) | Handoff::Resume => Batch {
                    frames: Vec::new(),
                    plan: None,
                },
            })
    }

    /// Has the stage send what the outlet kept aside (a reply came in).
    pub fn resume(&self) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Handoff::Resume);
        }
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

fn stage_loop(
    shared: &Shared,
    tracker: &dyn Tracker,
    rx: &Receiver<Handoff>,
    tx: &Sender<Event>,
    outlet: &Mutex<Outlet>,
) {
    let mut drops = DropTally::default();
    let mut unreported = HashMap::new();
    for handoff in rx {
        match handoff {
            Handoff::Batch(batch) => {
                deliver(batch, Some(tracker), tx, &mut outlet.lock(), &mut drops);
                drops.commit(shared, &mut unreported);
                report_drops(tx, &mut unreported);
            }
            Handoff::Sync(done) => {
                let _ = done.send(());
            }
            Handoff::Resume => outlet.lock().resume(tx),
        }
    }
}
